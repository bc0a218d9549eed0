/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_coap_body.c: Block1 bodies as a hostile Bootstrap-Server sends them: blocks of any
 * offset, announced total (Size1) and length, for one of a few paths, in any order. The
 * reassembly must never keep more than SCB_COAP_MAX_BODY, never read or write outside it, and
 * hand out a complete body only when every byte up to its end arrived in order.
 * Input: records of [path][offset hi lo][total b2 b1 b0][n] then n payload bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coap_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *paths[] = {"/0", "/1", "/0/1", "/2/0"};
    static uint8_t block[1024];
    struct scb_body a;
    size_t pos = 0;

    memset(&a, 0, sizeof(a));
    while (pos + 7 <= size) {
        const char *path = paths[data[pos] % 4];
        size_t offset = ((size_t)data[pos + 1] << 8 | data[pos + 2]) * 16;
        size_t total = (size_t)data[pos + 3] << 16 | (size_t)data[pos + 4] << 8 | data[pos + 5];
        size_t n = (size_t)data[pos + 6] * 4 + (data[pos] >> 6);
        pos += 7;
        if (n > size - pos) {
            n = size - pos;
        }
        memcpy(block, data + pos, n); /* as libcoap hands it over: its own buffer */
        enum scb_body_state st = scb_body_add(&a, path, offset, total, block, n);
        pos += n;
        if (a.len > SCB_COAP_MAX_BODY || (a.data == NULL && a.len != 0)) {
            abort();
        }
        if (st == SCB_BODY_COMPLETE) {
            if (a.len < total || a.len != offset + n) {
                abort();
            }
            scb_body_reset(&a);
        }
    }
    scb_body_reset(&a);
    return 0;
}
