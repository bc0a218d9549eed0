/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_cert_names.c: the server-certificate name check (scb_crypto_cert_names_host) on any
 * bytes as a certificate, against a DNS name, a wildcard-shaped name, an IPv4 and an IPv6
 * literal (the first byte picks one). The names listed for the log must stay printable and
 * within their buffer; a verdict is one of OK, NOT_FOUND and PARSE.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto.h"
#include "scboot/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const hosts[] = {"localhost", "bs.example.org", "127.0.0.1", "::1"};
    char names[64];
    if (size < 1) {
        return 0;
    }
    memset(names, 'x', sizeof(names));
    int ret = scb_crypto_cert_names_host(data + 1, size - 1, hosts[data[0] % 4], names,
                                         sizeof(names));
    if (ret != SCB_OK && ret != SCB_E_NOT_FOUND && ret != SCB_E_PARSE) {
        __builtin_trap();
    }
    size_t n = strnlen(names, sizeof(names));
    if (n == sizeof(names)) {
        __builtin_trap();
    }
    for (size_t k = 0; k < n; k++) {
        if (names[k] < 0x20 || names[k] > 0x7e) {
            __builtin_trap();
        }
    }
    return 0;
}
