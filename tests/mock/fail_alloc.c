/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fail_alloc.c: malloc, calloc and realloc of the program, through glibc's own, failing once
 * on demand (fail_alloc.h).
 */
#include <stddef.h>

#include "fail_alloc.h"

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
void *malloc(size_t n);
void *calloc(size_t n, size_t m);
void *realloc(void *p, size_t n);

static long fail_at = -1; /* the allocation that fails (0 the next one), -1 none */
static int failed;

void fail_alloc_at(long k)
{
    fail_at = k;
    if (k >= 0) {
        failed = 0;
    }
}

int fail_alloc_hit(void)
{
    return failed;
}

static int fail_now(void)
{
    if (fail_at < 0) {
        return 0;
    }
    if (fail_at-- == 0) {
        failed = 1;
        return 1;
    }
    return 0;
}

void *malloc(size_t n) { return fail_now() ? NULL : __libc_malloc(n); }
void *calloc(size_t n, size_t m) { return fail_now() ? NULL : __libc_calloc(n, m); }
void *realloc(void *p, size_t n) { return fail_now() ? NULL : __libc_realloc(p, n); }
