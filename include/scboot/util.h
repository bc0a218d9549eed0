/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot ground floor (common/util.c), shared by every part of the library and the tools:
 * hex text, SHA-256 and the redaction form of secrets (length + short SHA-256 prefix),
 * zeroize, bounded and 0600 file I/O.
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

/**
 * Largest text file holding one configuration that scboot reads: the JSON shape (a factory
 * file, `scboot encode`), the store, a Leshan or Wakaama file. An EF LwM2M_Bootstrap holds at
 * most 32 KB; written out as hex with keys, names and indentation it stays far below this, while
 * a runaway or hostile file is refused before it is parsed.
 */
#define SCB_CONFIG_TEXT_MAX (4u << 20)
/**
 * Largest key file scb_util_read_secret_file() is asked to read (SCP03 keys, a DTLS pre-shared
 * key, as hex text): a few keys with comments, never more.
 */
#define SCB_KEY_FILE_MAX 4096u

/**
 * Decode hex text (spaces and colons ignored) into out.
 * \param hex NUL-terminated text, read during the call only
 * \param out receives the bytes
 * \param cap size of out
 * \param len receives the number of bytes written
 * \return SCB_OK, SCB_E_INVALID_ARG, SCB_E_PARSE (not hex, odd digit count) or SCB_E_BUFFER
 */
int scb_util_hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *len);
/**
 * Upper-case hex of in; out must hold 2*len+1 (truncated otherwise, always terminated).
 * \param in  bytes to encode
 * \param len number of bytes at in
 * \param out receives the NUL-terminated text
 * \param cap size of out
 */
void scb_util_hex_encode(const uint8_t *in, size_t len, char *out, size_t cap);
/**
 * The first 8 hex digits of SHA-256(data): how a redacted secret is shown. out >= 9 bytes.
 * \param data bytes to hash
 * \param len  number of bytes at data
 * \param out  receives 8 hex digits and a NUL
 * \param cap  size of out (at least 9)
 * \return SCB_OK or a negative scb_err (out too small, SCB_E_CRYPTO)
 */
int scb_util_sha256_prefix(const uint8_t *data, size_t len, char *out, size_t cap);
/**
 * Full SHA-256 of len bytes at data into out.
 * \param data bytes to hash
 * \param len  number of bytes at data
 * \param out  receives the 32-byte digest
 * \return SCB_OK or SCB_E_CRYPTO
 */
int scb_util_sha256(const uint8_t *data, size_t len, uint8_t out[32]);
/**
 * Overwrite len bytes at buf with zeros so that the compiler cannot drop the stores (keys,
 * PINs, decoded images). NULL or 0 is a no-op.
 * \param buf the bytes to clear (may be NULL)
 * \param len number of bytes at buf
 */
void scb_util_zeroize(void *buf, size_t len);
/**
 * Read a whole file of at most max bytes into a malloc'd buffer ("-": stdin). SCB_E_NOT_FOUND
 * (no such file), SCB_E_IO (errno says why), SCB_E_TOO_LARGE.
 * \param path file name, or "-" for standard input
 * \param max  largest accepted size in bytes
 * \param data receives the buffer, owned by the caller (free()); untouched on error
 * \param len  receives the number of bytes read
 * \return SCB_OK, SCB_E_NOT_FOUND, SCB_E_IO, SCB_E_TOO_LARGE or SCB_E_NOMEM
 */
int scb_util_read_file(const char *path, size_t max, uint8_t **data, size_t *len);
/**
 * The same as scb_util_read_file(), NUL-terminated for text parsers (*len excludes the NUL).
 * \param path file name, or "-" for standard input
 * \param max  largest accepted size in bytes
 * \param text receives the text, owned by the caller (free()); untouched on error
 * \param len  receives the length without the NUL
 * \return SCB_OK, SCB_E_NOT_FOUND, SCB_E_IO, SCB_E_TOO_LARGE or SCB_E_NOMEM
 */
int scb_util_read_text(const char *path, size_t max, char **text, size_t *len);

/**
 * Write all len bytes at buf to fd, going on after short writes and EINTR.
 * \param fd  an open file descriptor (stays the caller's)
 * \param buf bytes to write
 * \param len number of bytes at buf
 * \return SCB_OK, or SCB_E_IO with errno saying why
 */
int scb_util_write_all(int fd, const void *buf, size_t len);
/**
 * Write a file that may hold secrets (bootstrap images, store exports): mode 0600 whatever
 * the umask and whether or not it existed. The bytes go to a new file in the same directory
 * (O_CREAT | O_EXCL, so never through a link), fsync, rename over path, fsync of the
 * directory: readers see the old or the new content. A character device or a pipe of root
 * or of the effective user (/dev/null) is written to as it is; a symbolic link, or a pipe of
 * another user (its maker would read the bytes), is refused, never followed nor replaced.
 * SCB_E_IO with err = "cannot write PATH: reason".
 * \param path   file to write
 * \param data   the content
 * \param len    number of bytes at data
 * \param err    receives a one-line reason on failure (may be NULL)
 * \param errlen size of err
 * \return SCB_OK, SCB_E_IO or SCB_E_UNSAFE (a symbolic link, another user's pipe)
 */
int scb_util_write_file_secret(const char *path, const uint8_t *data, size_t len, char *err,
                               size_t errlen);
/**
 * Whether nobody but root or the effective user can change the file at path or swap it for
 * another: the path is resolved one name at a time as the kernel does, and every directory it
 * passes through (through a link's target too, its own links and "..") is owned by root or us
 * and not writable by group or others, except a root-owned sticky directory such as /tmp; the
 * file itself is owned by root or us and not writable by group or others. Links are followed
 * (a configuration file may be one), unlike scb_util_read_secret_file; each link on the way is
 * root's or ours too (in a sticky directory its owner can re-point it).
 * \param path   the file to check
 * \param err    receives a one-line reason when the path is not trusted (may be NULL)
 * \param errlen size of err
 * \return SCB_OK; SCB_E_UNSAFE (err: "PATH: directory D is writable by group or others (mode
 *         0777): ..." or the owner); SCB_E_NOT_FOUND; SCB_E_IO; SCB_E_INVALID_ARG (no path)
 */
int scb_util_path_trusted(const char *path, char *err, size_t errlen);
/**
 * Read a small file holding a secret (key file, PIN file): opened once without following a
 * link, then checked on the descriptor: a regular file that neither group nor others may
 * access (SCB_E_UNSAFE: "PATH: readable by group or others (mode 644); chmod 600 it"), at most
 * max bytes (SCB_E_TOO_LARGE). *text is NUL-terminated and max + 1 bytes long: the caller
 * zeroizes all of it and frees it. SCB_E_IO: "cannot read PATH: reason".
 * \param path   the secret file
 * \param max    largest accepted size in bytes
 * \param text   receives the content, owned by the caller (scb_util_zeroize() max + 1 bytes, then
 *               free()); untouched on error
 * \param len    receives the length without the NUL
 * \param err    receives a one-line reason on failure (may be NULL)
 * \param errlen size of err
 * \return SCB_OK, SCB_E_UNSAFE, SCB_E_TOO_LARGE, SCB_E_NOT_FOUND, SCB_E_IO or SCB_E_NOMEM
 */
int scb_util_read_secret_file(const char *path, size_t max, char **text, size_t *len, char *err,
                              size_t errlen);
/**
 * Open a file written as it goes (an APDU trace) with the rules of scb_util_write_file_secret: a
 * new 0600 file of ours, renamed at once over a regular file that was there (never truncated
 * in place); a symbolic link is refused, never followed; devices and pipes are written as
 * they are.
 * \param path   file to create or replace
 * \param fd     receives the open descriptor, owned by the caller (close())
 * \param err    receives a one-line reason on failure (may be NULL)
 * \param errlen size of err
 * \return SCB_OK, SCB_E_IO or SCB_E_UNSAFE (a symbolic link)
 */
int scb_util_open_file_secret(const char *path, int *fd, char *err, size_t errlen);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif
