/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fail_alloc.h: allocation failures on demand, for the out-of-memory tests. A program linked
 * with fail_alloc.c has malloc, calloc and realloc replaced (glibc only; not with a sanitizer,
 * which owns malloc), so json-c, libcbor and libc meet the failure as the library does.
 */
#ifndef SCBOOT_TEST_FAIL_ALLOC_H
#define SCBOOT_TEST_FAIL_ALLOC_H

/* Arm: the k-th allocation from now fails (0 the next one), and the hit flag is cleared; -1
 * disarms and keeps the flag. */
void fail_alloc_at(long k);
/* Whether the armed allocation failed since the last arming. */
int fail_alloc_hit(void);

#endif
