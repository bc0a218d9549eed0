/* SPDX-License-Identifier: Apache-2.0 */
/*
 * free_check.c: an LD_PRELOAD free() that looks into every block freed for a secret (the hex
 * bytes in $SCB_FREE_CHECK, e.g. a PSK key) and aborts with one line on stderr when it finds
 * it: a key buffer freed without being zeroized first. glibc only (__libc_free,
 * malloc_usable_size); not for sanitizer builds, which own malloc themselves.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void __libc_free(void *p);
void free(void *p);

static size_t secret(uint8_t *out, size_t cap)
{
    const char *h = getenv("SCB_FREE_CHECK");
    size_t n = 0;
    for (; h && h[0] && h[1] && n < cap; h += 2) {
        char b[3] = {h[0], h[1], 0};
        out[n++] = (uint8_t)strtoul(b, NULL, 16);
    }
    return n;
}

void free(void *p)
{
    uint8_t key[64];
    size_t kn;
    if (p != NULL && (kn = secret(key, sizeof(key))) >= 8) {
        size_t n = malloc_usable_size(p);
        if (n >= kn && memmem(p, n, key, kn) != NULL) {
            static const char msg[] = "free_check: a secret was freed without being wiped\n";
            if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
                _exit(99);
            }
            abort();
        }
    }
    __libc_free(p);
}
