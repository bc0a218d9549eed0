/* SPDX-License-Identifier: Apache-2.0 */
/*
 * coap_opts.c: the network bootstrap options' defaults, built with and without libcoap (the
 * options are the same either way).
 */
#include <string.h>

#include "scboot/coap.h"

void scb_coap_opts_init(struct scb_coap_opts *o)
{
    if (o == NULL) {
        return;
    }
    memset(o, 0, sizeof(*o));
    o->pct = -1;
    o->attempts = SCB_COAP_ATTEMPTS;
    o->backoff_ms = SCB_COAP_BACKOFF_MS;
    o->backoff_max_ms = SCB_COAP_BACKOFF_MAX_MS;
    o->ack_timeout_ms = SCB_COAP_ACK_TIMEOUT_MS;
    o->max_retransmit = SCB_COAP_MAX_RETRANSMIT;
    scb_profile_default(&o->profile);
}
