/* SPDX-License-Identifier: Apache-2.0 */
/*
 * static_app.c: the tiny program doc/linking.md links against the installed libscboot.a with
 * shared dependencies. It reaches into each of them (libcbor through the SenML decoder,
 * json-c through the JSON text view, libpcsclite through the reader list) so that a missing
 * link flag is an undefined reference, and it runs without libscboot.so.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "scboot/error.h"
#include "scboot/json.h"
#include "scboot/model.h"
#include "scboot/pcsc.h"
#include "scboot/senml.h"

int main(void)
{
    struct scb_config cfg;
    struct scb_decode_error de = {0};
    struct scb_reader_info *readers = NULL;
    size_t n = 0;
    char err[256];
    static const uint8_t empty_pack[] = {0x80}; /* SenML CBOR: [] */
    static const uint16_t path[] = {1};

    scb_config_init(&cfg);
    int r = scb_senml_decode(SCB_CF_SENML_CBOR, empty_pack, sizeof(empty_pack), path, 1, &cfg, &de);
    printf("senml: %s\n", scb_error_name(r));
    char *text = scb_config_to_json_text(&cfg, 0);
    if (text == NULL) {
        return 1;
    }
    printf("json: %s\n", text);
    scb_json_text_free(text);
    scb_config_free(&cfg);
    r = scb_pcsc_list(&readers, &n, err, sizeof(err));
    printf("pcsc: %s\n", scb_error_name(r));
    if (r == SCB_OK) {
        free(readers);
    }
    return 0;
}
