/* SPDX-License-Identifier: Apache-2.0 */
/* json_internal.h: the "format" member every scboot JSON document carries, shared by the
 * configuration reader (json.c) and the store loader (store.c); not exported. */
#ifndef SCBOOT_JSON_INTERNAL_H
#define SCBOOT_JSON_INTERNAL_H

#include <stddef.h>

struct json_object;

/* The major version of the documents this build writes and reads ("scboot-KIND-1"). */
#define SCB_FORMAT_MAJOR 1u

/*
 * Check root's "format" ("scboot-KIND-MAJOR", doc/hand-off.md). kind NULL: any kind, and no
 * "format" at all is taken (a configuration written by hand); kind given: that kind is
 * required. SCB_OK for major SCB_FORMAT_MAJOR; SCB_E_UNSUPPORTED for a later major (written by
 * a newer scboot: its members may mean something else); SCB_E_PARSE otherwise. err says why.
 */
int scb_json_format_check(struct json_object *root, const char *kind, char *err,
                          size_t errlen);

/* o[key] = v, where a NULL v is a failed allocation: 0, or -1 with v released when o or v is
 * NULL or json-c could not add it (out of memory): the builders (json.c, store.c) then give
 * up. */
int scb_json_put(struct json_object *o, const char *key, struct json_object *v);

/* The pretty-printed text of o (what the store file and the CLI print) in a malloc'd copy the
 * caller frees (scb_json_text_free), or NULL (o NULL, out of memory). o is released either
 * way, json-c's own copy of the text wiped first. */
char *scb_json_take_text(struct json_object *o);

#endif
