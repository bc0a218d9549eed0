/* SPDX-License-Identifier: Apache-2.0 */
/*
 * coap_stub.c: network bootstrap when the library is built without libcoap (meson
 * -Dcoap=disabled, or libcoap3-dev missing). The same functions are exported as with libcoap,
 * so the build option never changes the ABI; those that would talk CoAP answer
 * SCB_E_UNSUPPORTED with a reason saying so.
 */
#include <stdio.h>
#include <string.h>

#include "scboot/coap.h"
#include "scboot/error.h"

#define NOT_BUILT "network bootstrap is not built into this libscboot (built without libcoap)"

int scb_coap_supported(void)
{
    return 0;
}

int scb_coap_bootstrap(struct scb_store *st, const struct scb_coap_opts *o,
                       struct scb_coap_result *res)
{
    (void)st;
    (void)o;
    if (res == NULL) {
        return SCB_E_INVALID_ARG;
    }
    memset(res, 0, sizeof(*res));
    res->outcome = SCB_COAP_REFUSED_SETUP;
    snprintf(res->reason, sizeof(res->reason), "%s", NOT_BUILT);
    return SCB_E_UNSUPPORTED;
}

int scb_coap_client_new(struct scb_store *st, const struct scb_coap_opts *o,
                        struct scb_coap_client **out, char *err, size_t errlen)
{
    (void)st;
    (void)o;
    if (out != NULL) {
        *out = NULL;
    }
    if (err != NULL && errlen > 0) {
        snprintf(err, errlen, "%s", NOT_BUILT);
    }
    return SCB_E_UNSUPPORTED;
}

int scb_coap_client_fd(const struct scb_coap_client *c)
{
    (void)c;
    return -1;
}

int scb_coap_client_timeout(const struct scb_coap_client *c)
{
    (void)c;
    return 0;
}

int scb_coap_client_step(struct scb_coap_client *c)
{
    (void)c;
    return SCB_E_UNSUPPORTED;
}

int scb_coap_client_result(const struct scb_coap_client *c, struct scb_coap_result *res)
{
    (void)c;
    (void)res;
    return SCB_E_UNSUPPORTED;
}

void scb_coap_client_free(struct scb_coap_client **c)
{
    if (c != NULL) {
        *c = NULL;
    }
}
