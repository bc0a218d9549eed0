/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock.c: CLOCK_MONOTONIC in milliseconds (clock.h).
 */
#include <time.h>

#include "clock.h"

uint64_t scb_now_ms(void)
{
    struct timespec ts;
    /* cannot fail for CLOCK_MONOTONIC with a valid pointer (POSIX, Linux since 2.6) */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
