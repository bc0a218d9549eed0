/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot JSON shape of a configuration (doc/hand-off.md, doc/cli.md):
 *   {"objects": {"<oid>": {"version": "implicit"|"M.m", "instances": {"<iid>": {"resources":
 *     {"<rid>": VALUE}}}}}}
 * VALUE: number, boolean, string, {"hex": "..."} (opaque), "oid:iid" (objlnk),
 * {"redacted": true, "length": N, "sha256": "<8 hex>"} (hidden secret), or for a multiple
 * resource an object of resource-instance IDs to values. Objects outside 0/1/2/21 also carry
 * "tlv": {"hex": "..."} with their exact bytes.
 *
 * This is the one public header that names json-c's type, and only by a forward declaration:
 * no other scboot header does, so a program that never includes it needs neither json-c's
 * headers nor its flags. The text forms (scb_config_to_json_text, scb_committed_to_json_text,
 * scb_config_from_json_text, scb_json_encode_image) need nothing more than scboot; a program that takes the json-c
 * objects (the struct json_object forms) and frees them with json_object_put() uses json-c
 * itself and says so to the build: `pkg-config --cflags --libs scboot json-c`.
 */
#ifndef SCBOOT_JSON_H
#define SCBOOT_JSON_H

#include <stddef.h>

#include "scboot/model.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

struct json_object;
struct scb_buf;
struct scb_committed; /* scboot/store.h */

/**
 * Build the JSON view. Secrets are redacted unless show_secrets.
 * \param c            the configuration
 * \param show_secrets nonzero: secret values as they are, else redacted
 * \return a json-c object owned by the caller (json_object_put(): the caller links json-c,
 *         `pkg-config --libs scboot json-c`), or NULL (c NULL, out of memory)
 */
struct json_object *scb_config_to_json(const struct scb_config *c, int show_secrets);
/**
 * The JSON view as text (pretty-printed, one member a line), for a program that does not use
 * json-c itself. Secrets are redacted unless show_secrets: a text with them shown is a secret
 * too (free it with scb_json_text_free(), which wipes it).
 * \param c            the configuration
 * \param show_secrets nonzero: secret values as they are, else redacted
 * \return NUL-terminated text owned by the caller (scb_json_text_free() or free()), or NULL
 *         (c NULL, out of memory)
 */
char *scb_config_to_json_text(const struct scb_config *c, int show_secrets);
/**
 * Parse the JSON shape into cfg (initialised by the caller). err gets one line on failure,
 * "/oid/iid/rid: why" for a value: one the resource's type cannot hold is refused, never
 * clamped (fractions for integers, negatives for unsigned, objlnk parts beyond 65535, strings
 * with NUL or invalid UTF-8). Registry ranges narrower than the type are left to scb_validate.
 * A top-level "format" is optional; when there, it must be "scboot-KIND-1" (every scboot
 * document of major version 1 carries this shape): a later major is refused as written by a
 * newer release (doc/hand-off.md).
 * \param root   the JSON document (borrowed)
 * \param cfg    the configuration the objects are added to (the caller frees it)
 * \param err    receives a one-line reason on failure (may be NULL)
 * \param errlen size of err
 * \return SCB_OK, SCB_E_JSON or SCB_E_NOMEM
 */
int scb_config_from_json(struct json_object *root, struct scb_config *cfg, char *err,
                         size_t errlen);
/**
 * Parse one JSON document the way every reader reads it alike (RFC 8259 as json-c's strict
 * mode takes it): strings in UTF-8, white space only after the document, no NUL byte, keys
 * and strings in double quotes, no comments, each key once per object (json-c keeps the last
 * of two, another reader the first). An integer literal beyond 64 bits, which json-c 0.16
 * clamps silently, comes back as a double holding its text, so a reader that wants an
 * integer refuses it.
 * \param text len bytes (need not be NUL-terminated)
 * \param len  number of bytes at text
 * \param out  on success a new json-c object owned by the caller (json_object_put()); NULL
 *             on error
 * \param err    receives a one-line reason on failure (may be NULL)
 * \param errlen size of err
 * \return SCB_OK, SCB_E_JSON (err: one line "not valid JSON: why"), SCB_E_INVALID_ARG or
 *         SCB_E_NOMEM
 */
int scb_json_parse(const char *text, size_t len, struct json_object **out, char *err,
                   size_t errlen);
/**
 * The same from text. Also refuses integer literals beyond 64 bits, which json-c 0.16 clamps
 * silently while parsing (a tree from json_tokener_parse() has lost them already). text is a
 * C string: a NUL byte ends it, so for a file's bytes use scb_json_parse with their length and
 * then scb_config_from_json (a NUL inside is refused there, not taken for the end).
 * \param text   NUL-terminated JSON text
 * \param cfg    the configuration the objects are added to (the caller frees it)
 * \param err    receives a one-line reason on failure (may be NULL)
 * \param errlen size of err
 * \return SCB_OK, SCB_E_JSON or SCB_E_NOMEM
 */
int scb_config_from_json_text(const char *text, struct scb_config *cfg, char *err,
                              size_t errlen);

/**
 * The JSON of a committed configuration: the store file's shape (the configuration with
 * "format", "generation", "committed_at", "provenance" and "card"). Secrets shown unless
 * redact.
 * \param c      the committed state
 * \param redact nonzero: secret values redacted
 * \return a new json-c object owned by the caller (json_object_put()), or NULL (c NULL, out
 *         of memory)
 */
struct json_object *scb_committed_to_json(const struct scb_committed *c, int redact);
/**
 * The same as text (pretty-printed, as the store file holds it).
 * \param c      the committed state
 * \param redact nonzero: secret values redacted; else the text holds the secrets
 * \return NUL-terminated text owned by the caller (scb_json_text_free() or free()), or NULL
 *         (c NULL, out of memory)
 */
char *scb_committed_to_json_text(const struct scb_committed *c, int redact);
/**
 * Parse the JSON of a committed configuration (what scb_committed_to_json() writes). From
 * text or a file's bytes, scb_store_parse() does the same without json-c.
 * \param root   the JSON document (borrowed)
 * \param c      initialised and empty; receives the state (the caller frees it)
 * \param err    receives a one-line reason on failure (may be NULL)
 * \param errlen size of err
 * \return SCB_OK, SCB_E_PARSE, SCB_E_UNSUPPORTED (a later release's store) or SCB_E_NOMEM
 */
int scb_committed_from_json(struct json_object *root, struct scb_committed *c, char *err,
                            size_t errlen);
/**
 * Free text from scb_config_to_json_text() or scb_committed_to_json_text(), wiping it first
 * (it may hold secrets).
 * \param text the text, or NULL (nothing done)
 */
void scb_json_text_free(char *text);
/**
 * Encode the JSON shape, given as text, into an EF LwM2M_Bootstrap image (LwM2M G.3.4), so a
 * configuration written as JSON takes exactly the card's decode + validate path. The one
 * conversion every reader of JSON text uses (the factory file, `scboot check`, `scboot
 * encode`).
 * \param text   len bytes of JSON (need not be NUL-terminated; a NUL byte inside is refused)
 * \param len    number of bytes at text
 * \param pad    bytes of FF appended after the image, as cards carry
 * \param out    the image is appended here (its max bounds it); it may hold secrets: the caller
 *               zeroizes it and frees it with scb_buf_free(), on failure too
 * \param err    receives a one-line reason on failure (may be NULL)
 * \param errlen size of err
 * \return SCB_OK, SCB_E_JSON (not the JSON shape), SCB_E_TOO_LARGE (beyond 32 KB),
 *         SCB_E_INVALID_ARG, SCB_E_NOMEM or another encoding error
 */
int scb_json_encode_image(const char *text, size_t len, size_t pad, struct scb_buf *out,
                          char *err, size_t errlen);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif
