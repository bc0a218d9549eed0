/* SPDX-License-Identifier: Apache-2.0 */
/*
 * senml_j2c.c: test helper, independent of libscboot: converts a SenML JSON pack (stdin) into
 * SenML CBOR (stdout) with the RFC 8428 integer labels (bn -2, bt -3, n 0, u 1, v 2, vs 3,
 * vb 4, t 6; "vlo" keeps its text key), built with libcbor's item API. Opaque values (vd) are
 * not needed by the tests and are refused.
 *   senml_j2c < pack.json > pack.cbor
 */
#include <cbor.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cbor_item_t *label(const char *key)
{
    static const struct {
        const char *name;
        int label;
    } t[] = {{"bn", -2}, {"bt", -3}, {"n", 0}, {"u", 1}, {"v", 2}, {"vs", 3}, {"vb", 4}, {"t", 6}};
    for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
        if (strcmp(key, t[k].name) == 0) {
            return t[k].label < 0 ? cbor_build_negint8((uint8_t)(-1 - t[k].label))
                                  : cbor_build_uint8((uint8_t)t[k].label);
        }
    }
    return strcmp(key, "vlo") == 0 ? cbor_build_string("vlo") : NULL;
}

static cbor_item_t *value(json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_boolean:
        return cbor_build_bool(json_object_get_boolean(v));
    case json_type_int: {
        int64_t i = json_object_get_int64(v);
        return i >= 0 ? cbor_build_uint64((uint64_t)i) : cbor_build_negint64((uint64_t)(-1 - i));
    }
    case json_type_double:
        return cbor_build_float8(json_object_get_double(v));
    case json_type_string:
        return cbor_build_string(json_object_get_string(v));
    default:
        return NULL;
    }
}

int main(void)
{
    static char text[65536];
    size_t n = fread(text, 1, sizeof(text) - 1, stdin);
    text[n] = '\0';
    json_object *root = json_tokener_parse(text);
    if (root == NULL || !json_object_is_type(root, json_type_array)) {
        fprintf(stderr, "senml_j2c: not a JSON array\n");
        return 1;
    }
    size_t len = json_object_array_length(root);
    cbor_item_t *pack = cbor_new_definite_array(len);
    for (size_t k = 0; k < len; k++) {
        json_object *rec = json_object_array_get_idx(root, k);
        cbor_item_t *map = cbor_new_definite_map((size_t)json_object_object_length(rec));
        json_object_object_foreach(rec, key, val)
        {
            cbor_item_t *l = label(key), *v = value(val);
            struct cbor_pair pair = {.key = l, .value = v};
            if (l == NULL || v == NULL || !cbor_map_add(map, pair)) {
                fprintf(stderr, "senml_j2c: cannot convert field '%s'\n", key);
                return 1;
            }
            cbor_decref(&l);
            cbor_decref(&v);
        }
        if (!cbor_array_push(pack, cbor_move(map))) {
            return 1;
        }
    }
    unsigned char *out = NULL;
    size_t cap = 0, sz = cbor_serialize_alloc(pack, &out, &cap);
    if (sz == 0 || fwrite(out, 1, sz, stdout) != sz) {
        return 1;
    }
    free(out);
    cbor_decref(&pack);
    json_object_put(root);
    return 0;
}
