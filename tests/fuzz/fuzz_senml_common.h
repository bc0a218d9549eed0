/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_senml_common.h: the body shared by the SenML fuzz targets (one decoder each).
 */
#ifndef FUZZ_SENML_COMMON_H
#define FUZZ_SENML_COMMON_H

#include <stdint.h>
#include <stdlib.h>

#include "scboot/senml.h"

static int fuzz_senml_one(unsigned cf, const uint8_t *data, size_t size)
{
    static const uint16_t paths[][3] = {{0, 0, 0}, {1, 0, 0}, {2, 0, 0}, {21, 0, 0},
                                        {3, 0, 0}, {0, 1, 0}, {1, 0, 1}, {0, 1, 16}};
    static const int depths[] = {1, 1, 1, 1, 1, 2, 3, 3};
    static const unsigned formats[] = {SCB_CF_SENML_JSON, SCB_CF_SENML_CBOR};
    struct scb_config cfg;
    struct scb_decode_error err;

    if (size < 1) {
        return 0;
    }
    size_t sel = data[0] % (sizeof(depths) / sizeof(depths[0]));
    scb_config_init(&cfg);
    if (scb_senml_decode(cf, data + 1, size - 1, paths[sel], depths[sel], &cfg, &err) == 0) {
        for (size_t k = 0; k < cfg.n; k++) {
            for (size_t f = 0; f < 2; f++) {
                struct scb_buf b = {0};
                struct scb_config back;
                uint16_t ids[3] = {cfg.o[k].id, 0, 0};
                scb_config_init(&back);
                if (scb_senml_encode(formats[f], &cfg.o[k], -1, &b) == 0 &&
                    scb_senml_decode(formats[f], b.data, b.len, ids, 1, &back, &err) != 0) {
                    abort(); /* what the encoder writes, the decoder must read */
                }
                scb_config_free(&back);
                scb_buf_free(&b);
            }
        }
    }
    scb_config_free(&cfg);
    return 0;
}

#endif
