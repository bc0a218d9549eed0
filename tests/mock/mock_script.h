/* SPDX-License-Identifier: Apache-2.0 */
/* mock_script.h: an expectation-table transport for unit tests (libnvme mock_cmd style). */
#ifndef SCB_MOCK_SCRIPT_H
#define SCB_MOCK_SCRIPT_H

#include <stddef.h>

#include "scboot/apdu.h"
#include "scboot/transport.h"

struct mock_apdu {
    const char *cmd; /* expected command, hex; NULL = any */
    const char *rsp; /* response, hex (data + SW) */
    int err;         /* transport error instead of a response */
};

/* A transport that checks each command against the script and answers from it. */
struct scb_transport *mock_script_begin(const struct mock_apdu *steps, size_t n);
/* Fails the test if steps remain or a command did not match; frees the transport. */
void mock_script_end(struct scb_transport **t);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
