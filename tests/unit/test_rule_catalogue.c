/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rule_catalogue.c: doc/rules.md is the published catalogue of rule identifiers; the
 * validator's table (enum scb_rule, scb_rule_name) is what the code reports. Both must name
 * the same rules, each once, so a rule added to one without the other fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scboot/validate.h"

#define CATALOGUE "../doc/rules.md"
#define MAX_ROWS 128
#define NAME_MAX_LEN 64

struct catalogue {
    char name[MAX_ROWS][NAME_MAX_LEN];
    char severity[MAX_ROWS][16];
    size_t n;
};

/* A table row of the catalogue: "| `rule-name` | severity | when |". */
static int parse_row(const char *line, char *name, char *sev)
{
    const char *p = line, *end;
    if (strncmp(p, "| `", 3) != 0) {
        return 0;
    }
    p += 3;
    end = strchr(p, '`');
    if (end == NULL || (size_t)(end - p) >= NAME_MAX_LEN || strncmp(end, "` | ", 4) != 0) {
        return 0;
    }
    memcpy(name, p, (size_t)(end - p));
    name[end - p] = '\0';
    p = end + 4;
    end = strchr(p, ' ');
    if (end == NULL || (size_t)(end - p) >= 16) {
        return 0;
    }
    memcpy(sev, p, (size_t)(end - p));
    sev[end - p] = '\0';
    return 1;
}

static void load(struct catalogue *c)
{
    char line[2048];
    FILE *f = fopen(CATALOGUE, "r");
    assert_non_null(f);
    c->n = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        char name[NAME_MAX_LEN], sev[16];
        if (parse_row(line, name, sev)) {
            assert_true(c->n < MAX_ROWS);
            memcpy(c->name[c->n], name, sizeof(name));
            memcpy(c->severity[c->n], sev, sizeof(sev));
            c->n++;
        }
    }
    fclose(f);
}

static void every_rule_is_in_the_catalogue(void **state)
{
    struct catalogue c;
    (void)state;
    load(&c);
    for (int r = SCB_RULE_UNKNOWN + 1; r < SCB_RULE_COUNT; r++) {
        const char *name = scb_rule_name((enum scb_rule)r);
        size_t hits = 0;
        for (size_t i = 0; i < c.n; i++) {
            hits += strcmp(c.name[i], name) == 0;
        }
        if (hits != 1) {
            print_error("rule %s appears %zu times in %s\n", name, hits, CATALOGUE);
        }
        assert_int_equal(hits, 1);
    }
}

static void every_catalogue_row_is_a_rule(void **state)
{
    struct catalogue c;
    (void)state;
    load(&c);
    assert_int_equal(c.n, SCB_RULE_COUNT - 1);
    for (size_t i = 0; i < c.n; i++) {
        if (scb_rule_from_name(c.name[i]) == SCB_RULE_UNKNOWN) {
            print_error("%s names %s, which the validator does not know\n", CATALOGUE,
                        c.name[i]);
        }
        assert_int_not_equal(scb_rule_from_name(c.name[i]), SCB_RULE_UNKNOWN);
        assert_true(strcmp(c.severity[i], "error") == 0 || strcmp(c.severity[i], "warning") == 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_rule_is_in_the_catalogue),
        cmocka_unit_test(every_catalogue_row_is_a_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
