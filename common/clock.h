/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock.h: the one monotonic clock every part reads for timeouts, periods and deadlines
 * (wall-clock time jumps with NTP and the RTC; these must not); internal, not exported.
 */
#ifndef SCBOOT_COMMON_CLOCK_H
#define SCBOOT_COMMON_CLOCK_H

#include <stdint.h>

/** Milliseconds of CLOCK_MONOTONIC: only differences between two readings mean anything. */
uint64_t scb_now_ms(void);

#endif
