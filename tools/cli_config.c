/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli_config.c: how the CLI shows a decoded configuration as text (object by object, with
 * registry names, secrets redacted unless --show-secrets) and reports decode errors.
 */
#include <json-c/json.h>
#include <string.h>

#include "cli.h"
#include "scboot/json.h"
#include "scboot/model.h"
#include "scboot/objdefs.h"
#include "scboot/store.h"
#include "scboot/tlv.h"

static void print_value(const char *label, json_object *v)
{
    json_object *x;
    if (json_object_is_type(v, json_type_object) &&
        json_object_object_get_ex(v, "redacted", &x)) {
        json_object *len, *h;
        json_object_object_get_ex(v, "length", &len);
        json_object_object_get_ex(v, "sha256", &h);
        printf("%s<secret: %d bytes, sha256 %s…>\n", label, json_object_get_int(len),
               json_object_get_string(h));
        return;
    }
    if (json_object_is_type(v, json_type_object) && json_object_object_get_ex(v, "hex", &x)) {
        printf("%shex %s\n", label, json_object_get_string(x)[0] ? json_object_get_string(x)
                                                                   : "(empty)");
        return;
    }
    printf("%s%s\n", label, json_object_to_json_string_ext(v, JSON_C_TO_STRING_NOSLASHESCAPE));
}

void cli_print_config(const struct scb_config *cfg, int show_secrets)
{
    json_object *root = scb_config_to_json(cfg, show_secrets), *objs;
    json_object_object_get_ex(root, "objects", &objs);
    for (size_t a = 0; a < cfg->n; a++) {
        const struct scb_object *o = &cfg->o[a];
        char key[8];
        json_object *jo, *insts, *ver;
        snprintf(key, sizeof(key), "%u", o->id);
        json_object_object_get_ex(objs, key, &jo);
        json_object_object_get_ex(jo, "instances", &insts);
        json_object_object_get_ex(jo, "version", &ver);
        const char *name = scb_objdef_object_name(o->id);
        printf("/%u %s (version %s)%s\n", o->id, name ? name : "object",
               json_object_get_string(ver), o->raw ? " [kept as raw TLV]" : "");
        for (size_t b = 0; b < o->n; b++) {
            json_object *ji, *res;
            snprintf(key, sizeof(key), "%u", o->i[b].id);
            json_object_object_get_ex(insts, key, &ji);
            json_object_object_get_ex(ji, "resources", &res);
            printf("  /%u/%u\n", o->id, o->i[b].id);
            for (size_t r = 0; r < o->i[b].n; r++) {
                const struct scb_resource *rs = &o->i[b].r[r];
                const char *rn = scb_objdef_resource_name(o->id, rs->id);
                char label[128];
                json_object *v;
                snprintf(key, sizeof(key), "%u", rs->id);
                json_object_object_get_ex(res, key, &v);
                if (!rs->multiple) {
                    snprintf(label, sizeof(label), "    /%u/%u/%-3u %-34s ", o->id, o->i[b].id,
                             rs->id, rn ? rn : "");
                    print_value(label, v);
                    continue;
                }
                printf("    /%u/%u/%-3u %s (multiple)\n", o->id, o->i[b].id, rs->id,
                       rn ? rn : "");
                for (size_t k = 0; k < rs->n; k++) {
                    json_object *iv;
                    snprintf(key, sizeof(key), "%u", rs->v[k].riid);
                    json_object_object_get_ex(v, key, &iv);
                    snprintf(label, sizeof(label), "      /%u/%u/%u/%-3u ", o->id, o->i[b].id,
                             rs->id, rs->v[k].riid);
                    print_value(label, iv);
                }
            }
        }
    }
    json_object_put(root);
}

int cli_decode_error(struct cli *c, const char *what, const struct scb_decode_error *e)
{
    return cli_fail(c, SCB_E_DECODE, "%s: %s at byte %zu (%s): %s", what,
                    e->rule ? e->rule : "malformed", e->offset, e->path, e->msg);
}

void cli_print_provenance(const struct scb_committed *cm, const char *how)
{
    for (size_t a = 0; a < cm->cfg.n; a++) {
        for (size_t b = 0; b < cm->cfg.o[a].n; b++) {
            uint16_t oid = cm->cfg.o[a].id, iid = cm->cfg.o[a].i[b].id;
            printf("  /%u/%u  %s%s\n", oid, iid, how,
                   scb_source_name(scb_committed_prov(cm, oid, iid)));
        }
    }
}
