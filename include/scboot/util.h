/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scboot small helpers shared by the library and the tools: hex text, and the redaction
 * form of secrets (length + short SHA-256 prefix).
 */
#ifndef SCBOOT_UTIL_H
#define SCBOOT_UTIL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/** Decode hex text (spaces and colons ignored) into out. */
int scb_hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *len);
/** Upper-case hex of in; out must hold 2*len+1 (truncated otherwise, always terminated). */
void scb_hex_encode(const uint8_t *in, size_t len, char *out, size_t cap);
/** The first 8 hex digits of SHA-256(data): how a redacted secret is shown. out >= 9 bytes. */
int scb_sha256_prefix(const uint8_t *data, size_t len, char *out, size_t cap);
/** Full SHA-256. */
int scb_sha256(const uint8_t *data, size_t len, uint8_t out[32]);
/** Read a whole file of at most max bytes into a malloc'd buffer. */
int scb_read_file(const char *path, size_t max, uint8_t **data, size_t *len);
/** The same, NUL-terminated for text parsers (*len excludes the NUL). */
int scb_read_text(const char *path, size_t max, char **text, size_t *len);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif
