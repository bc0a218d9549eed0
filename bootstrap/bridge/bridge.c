/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bridge.c: the helpers both bridges use (bridge_internal.h): error text safe to print, the
 * list of what an export leaves out, and the start of every export (its arguments, that list
 * emptied, the refusal of secrets nobody asked to see).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bridge_internal.h"
#include "scboot/error.h"
#include "scboot/objdefs.h"

int scb_bridge_fail(char *err, size_t errlen, unsigned line, const char *fmt, ...)
{
    va_list ap;
    if (err == NULL || errlen == 0) {
        return SCB_E_PARSE;
    }
    int n = line ? snprintf(err, errlen, "line %u: ", line) : 0;
    if (n < 0 || (size_t)n >= errlen) {
        n = 0;
    }
    va_start(ap, fmt);
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
    for (char *c = err; *c != '\0'; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            *c = '?';
        }
    }
    return SCB_E_PARSE;
}

void scb_bridge_lost_add(char *lost, size_t cap, const char *fmt, ...)
{
    char item[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(item, sizeof(item), fmt, ap);
    va_end(ap);
    size_t l = strlen(lost);
    if (l + strlen(item) + 3 < cap) {
        snprintf(lost + l, cap - l, "%s%s", l ? "; " : "", item);
    }
}

static int first_secret(const struct scb_config *cfg, char *path, size_t cap)
{
    for (size_t a = 0; a < cfg->n; a++) {
        const struct scb_object *o = &cfg->o[a];
        for (size_t b = 0; b < o->n; b++) {
            for (size_t r = 0; r < o->i[b].n; r++) {
                if (scb_objdef_resource_is_secret(o->id, o->i[b].r[r].id)) {
                    snprintf(path, cap, "/%u/%u/%u", o->id, o->i[b].id, o->i[b].r[r].id);
                    return 1;
                }
            }
        }
    }
    return 0;
}

int scb_bridge_export_start(const struct scb_config *cfg, int show_secrets, char **out,
                            char *lost, size_t lostlen, char *err, size_t *errlen)
{
    char sp[32];
    if (cfg == NULL || out == NULL || lost == NULL || lostlen == 0) {
        return SCB_E_INVALID_ARG;
    }
    *errlen = err ? *errlen : 0;
    *out = NULL;
    lost[0] = '\0';
    if (!show_secrets && first_secret(cfg, sp, sizeof(sp))) {
        if (*errlen) {
            snprintf(err, *errlen, "the configuration holds secrets (%s)", sp);
        }
        return SCB_E_INVALID_ARG;
    }
    return SCB_OK;
}
