/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_session.c: the CoAP payload path: a Bootstrap-Server's operations with hostile paths
 * and TLV / SenML JSON / SenML CBOR payloads applied to the session (Write/Delete/Discover/Read/Finish), as the CoAP
 * front end hands them over. Input: records of [op][path selector][length][payload].
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "scboot/senml.h"
#include "scboot/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t fixed_clock(void *ctx)
{
    (void)ctx;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *paths[] = {"/", "/0", "/1", "/2", "/21", "/3", "/0/0", "/0/1", "/1/0",
                                  "/1/0/1", "/0/1/5", "/2/0/2", "/65535", "/1/65535", "/x",
                                  "/0/1/2/3"};
    static const unsigned formats[] = {SCB_CF_TLV, SCB_CF_SENML_JSON, SCB_CF_SENML_CBOR, 0};
    struct scb_session *s = NULL;
    struct scb_config out;
    size_t pos = 0;

    if (scb_session_new(&(struct scb_session_opts){.clock = fixed_clock}, NULL, &s) < 0) {
        return 0;
    }
    scb_config_init(&out);
    while (pos + 3 <= size) {
        uint8_t op = data[pos], sel = data[pos + 1];
        size_t len = data[pos + 2];
        pos += 3;
        if (len > size - pos) {
            len = size - pos;
        }
        const char *path = paths[sel % (sizeof(paths) / sizeof(paths[0]))];
        struct scb_buf b = {0};
        switch (op % 5) {
        case 0: scb_session_write(s, path, formats[sel >> 6], data + pos, len); break;
        case 1: scb_session_delete(s, path); break;
        case 2: scb_session_discover(s, path, &b); break;
        case 3: scb_session_read_as(s, path, sel & 0x80 ? -1 : (int)formats[(sel >> 5) & 3], &b,
                                    NULL);
                break;
        default:
            if (scb_session_finish(s, &out) == SCB_COAP_CODE_2_04_CHANGED) {
                scb_config_free(&out);
                scb_config_init(&out);
            }
            scb_session_diagnostic(s, &b);
            break;
        }
        scb_buf_free(&b);
        pos += len;
    }
    scb_config_free(&out);
    scb_session_free(&s);
    return 0;
}
