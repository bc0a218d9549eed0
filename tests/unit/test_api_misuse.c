/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_api_misuse.c: the public API used wrongly, as a careless or hostile caller would: NULL
 * for every pointer, NULL buffers with a length, NULL entries in lists. Each call returns an
 * error (or NULL / 0 / nothing for getters and free functions) instead of crashing. Only the
 * installed headers are used, as a downstream project would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "scboot/account.h"
#include "scboot/bootstrap.h"
#include "scboot/bsfile.h"
#include "scboot/card_source.h"
#include "scboot/coap.h"
#include "scboot/conf.h"
#include "scboot/daemon.h"
#include "scboot/events.h"
#include "scboot/hook.h"
#include "scboot/emu.h"
#include "scboot/json.h"
#include "scboot/notify.h"
#include "scboot/objdefs.h"
#include "scboot/p15.h"
#include "scboot/pcsc.h"
#include "scboot/scp03.h"
#include "scboot/senml.h"
#include "scboot/session.h"
#include "scboot/store.h"
#include "scboot/tlv.h"
#include "scboot/transport.h"
#include "scboot/uicc.h"
#include "scboot/util.h"
#include "scboot/validate.h"

#define EINVAL_ SCB_E_INVALID_ARG

static void test_codecs_null(void **state)
{
    (void)state;
    struct scb_config cfg;
    struct scb_decode_error de;
    struct scb_buf b;
    struct scb_tlv t;
    uint16_t ids[3] = {0, 0, 0};
    size_t pos = 0;
    static const uint8_t img[] = {0x00, 0x00, 0x00, 0x00};
    memset(&de, 0, sizeof(de));
    memset(&b, 0, sizeof(b));
    scb_config_init(&cfg);

    assert_int_equal(scb_senml_decode(110, (const uint8_t *)"[]", 2, ids, 1, NULL, &de), EINVAL_);
    assert_int_equal(scb_senml_decode(110, (const uint8_t *)"[]", 2, NULL, 1, &cfg, &de), EINVAL_);
    assert_int_equal(scb_senml_decode(112, NULL, 5, ids, 1, &cfg, &de), EINVAL_);
    assert_int_equal(scb_senml_encode(110, NULL, -1, NULL), EINVAL_);
    assert_int_equal(scb_bsfile_total_len(NULL, 10), 0);
    assert_int_equal(scb_bsfile_encode(NULL, 0, &b), EINVAL_);
    assert_int_equal(scb_bsfile_encode(&cfg, 0, NULL), EINVAL_);
    assert_true(scb_bsfile_decode(NULL, 10, &cfg, &de) < 0);
    assert_true(scb_bsfile_decode(img, sizeof(img), NULL, &de) < 0);
    assert_int_equal(scb_tlv_next(NULL, 5, &pos, &t), EINVAL_);
    assert_int_equal(scb_tlv_next(img, 4, NULL, &t), EINVAL_);
    assert_int_equal(scb_tlv_next(img, 4, &pos, NULL), EINVAL_);
    assert_int_equal(scb_tlv_decode_object(NULL, 5, 0, 0, &cfg, &de), EINVAL_);
    assert_int_equal(scb_tlv_decode_object(img, 4, 0, 0, NULL, &de), EINVAL_);
    assert_int_equal(scb_tlv_encode_object(NULL, &b), EINVAL_);
    assert_int_equal(scb_tlv_encode_instance(NULL, &b), EINVAL_);
    assert_int_equal(scb_tlv_encode_resource(NULL, &b), EINVAL_);
    assert_int_equal(scb_buf_put(NULL, "x", 1), EINVAL_);
    assert_int_equal(scb_buf_put(&b, NULL, 5), EINVAL_);
    assert_int_equal(scb_buf_put(&b, NULL, 0), SCB_OK);
    scb_buf_free(NULL);
    scb_buf_free(&b);
    assert_int_equal(scb_objdef_value_check(0, 0, NULL), EINVAL_);
    assert_int_equal(scb_config_from_json_text(NULL, &cfg, NULL, 0), EINVAL_);
    assert_int_equal(scb_config_from_json_text("{}", NULL, NULL, 0), EINVAL_);
    assert_null(scb_config_to_json(NULL, 0));
    assert_int_equal(cfg.n, 0);
    scb_config_free(&cfg);
}

static void test_model_null(void **state)
{
    (void)state;
    struct scb_config cfg;
    struct scb_object *o = NULL;
    int64_t i64;
    uint64_t u64;
    uint16_t a, b;
    int bv;
    double d;
    scb_config_init(&cfg);

    assert_int_equal(scb_value_int(NULL, &i64), EINVAL_);
    assert_int_equal(scb_value_uint(NULL, &u64), EINVAL_);
    assert_int_equal(scb_value_bool(NULL, &bv), EINVAL_);
    assert_int_equal(scb_value_float(NULL, &d), EINVAL_);
    assert_int_equal(scb_value_objlnk(NULL, &a, &b), EINVAL_);
    assert_int_equal(scb_model_utf8_ok(NULL, 3), 0);
    assert_null(scb_config_object(NULL, 0));
    assert_null(scb_config_object_mut(NULL, 0));
    assert_null(scb_object_instance(NULL, 0));
    assert_null(scb_object_instance_mut(NULL, 0));
    assert_null(scb_instance_resource(NULL, 0));
    assert_null(scb_instance_resource_mut(NULL, 0));
    assert_int_equal(scb_config_add_object(NULL, 0, &o), EINVAL_);
    assert_int_equal(scb_config_add_object(&cfg, 0, NULL), EINVAL_);
    assert_int_equal(scb_object_add_instance(NULL, 0, NULL), EINVAL_);
    assert_int_equal(scb_instance_add_resource(NULL, 0, NULL), EINVAL_);
    assert_int_equal(scb_resource_add_value(NULL, 0, (const uint8_t *)"x", 1), EINVAL_);
    assert_int_equal(scb_config_copy(NULL, &cfg), EINVAL_);
    assert_int_equal(scb_config_copy(&cfg, NULL), EINVAL_);
    assert_true(scb_config_get_int(NULL, 0, 0, 0, &i64) < 0);
    assert_int_equal(scb_config_get_int(&cfg, 0, 0, 0, NULL), EINVAL_);
    assert_true(scb_config_get_bool(NULL, 0, 0, 0, &bv) < 0);
    assert_int_equal(scb_config_get_bool(&cfg, 0, 0, 0, NULL), EINVAL_);
    scb_config_remove_object(NULL, 0);
    scb_object_remove_instance(NULL, 0);
    scb_instance_remove_resource(NULL, 0);
    assert_int_equal(scb_objdef_value_fits(SCB_TYPE_STRING, NULL, 4), 0);
    assert_non_null(scb_objdef_all(NULL));
    scb_config_free(&cfg);
}

/* 1 when e has type const T *, for the checks below. */
#define IS_CONST_PTR(e, T) _Generic((e), const T *: 1, default: 0)

/* A lookup through a const configuration hands out only const pointers; changing what was
 * found takes the _mut lookup on a mutable configuration, and both find the same thing. */
static void test_model_lookups_const(void **state)
{
    (void)state;
    struct scb_config cfg;
    const struct scb_config *ro = &cfg;
    struct scb_object *o = NULL;
    struct scb_instance *in = NULL;
    struct scb_resource *r = NULL;
    scb_config_init(&cfg);

    _Static_assert(IS_CONST_PTR(scb_config_object(ro, 0), struct scb_object),
                   "reading lookup returns const");
    _Static_assert(IS_CONST_PTR(scb_object_instance(o, 0), struct scb_instance),
                   "reading lookup returns const");
    _Static_assert(IS_CONST_PTR(scb_instance_resource(in, 0), struct scb_resource),
                   "reading lookup returns const");
    _Static_assert(!IS_CONST_PTR(scb_config_object_mut(&cfg, 0), struct scb_object),
                   "_mut lookup returns mutable");

    assert_int_equal(scb_config_add_object(&cfg, 1, &o), 0);
    assert_int_equal(scb_object_add_instance(o, 5, &in), 0);
    assert_int_equal(scb_instance_add_resource(in, 7, &r), 0);
    assert_ptr_equal(scb_config_object(ro, 1), scb_config_object_mut(&cfg, 1));
    o = scb_config_object_mut(&cfg, 1);
    assert_ptr_equal(scb_object_instance(o, 5), scb_object_instance_mut(o, 5));
    in = scb_object_instance_mut(o, 5);
    assert_ptr_equal(scb_instance_resource(in, 7), scb_instance_resource_mut(in, 7));
    assert_null(scb_config_object(ro, 2));
    assert_null(scb_object_instance_mut(o, 6));
    assert_null(scb_instance_resource_mut(in, 8));
    scb_config_free(&cfg);
}

static void test_validate_store_null(void **state)
{
    (void)state;
    struct scb_committed c;
    struct scb_config cfg;
    struct scb_profile p;
    struct scb_report rep;
    struct scb_store *st = (struct scb_store *)&c; /* not NULL: must be reset on error */
    char err[SCB_ERR_MAX];
    memset(&rep, 0, sizeof(rep));
    scb_committed_init(&c);
    scb_config_init(&cfg);

    assert_int_equal(scb_profile_from_json_text(NULL, &p, err, sizeof(err)), EINVAL_);
    assert_int_equal(scb_profile_from_json_text("{}", NULL, err, sizeof(err)), EINVAL_);
    assert_int_equal(scb_report_has_errors(NULL), 0);
    assert_int_equal(scb_report_add_decode_error(&rep, NULL), EINVAL_);
    assert_int_equal(scb_report_add_decode_error(NULL, NULL), EINVAL_);
    scb_report_free(NULL);
    assert_int_equal(scb_store_parse(NULL, 5, &c, err, sizeof(err)), EINVAL_);
    assert_int_equal(scb_store_parse((const uint8_t *)"{}", 2, NULL, err, sizeof(err)), EINVAL_);
    assert_int_equal(scb_store_open(NULL, 0, &st, err, sizeof(err)), EINVAL_);
    assert_null(st);
    assert_int_equal(scb_store_open("/tmp", 0, NULL, err, sizeof(err)), EINVAL_);
    st = (struct scb_store *)&c;
    assert_int_equal(scb_store_open_readonly(NULL, &st, err, sizeof(err)), EINVAL_);
    assert_null(st);
    assert_int_equal(scb_store_load(NULL, &c, err, sizeof(err)), EINVAL_);
    assert_int_equal(scb_store_commit(NULL, &c, NULL, 0), EINVAL_);
    assert_null(scb_committed_to_json(NULL, 1));
    assert_int_equal(scb_committed_copy(NULL, &c), EINVAL_);
    assert_int_equal(scb_committed_copy(&c, NULL), EINVAL_);
    assert_int_equal(scb_committed_merge(&c, NULL, SCB_SRC_CARD), EINVAL_);
    assert_int_equal(scb_committed_replace(NULL, &c, &cfg, SCB_SRC_CARD), EINVAL_);
    assert_int_equal(scb_committed_set_prov(NULL, 0, 0, SCB_SRC_CARD), EINVAL_);
    assert_int_equal(scb_committed_prov(NULL, 0, 0), SCB_SRC_NETWORK);
    scb_committed_drop(NULL, SCB_SRC_CARD);
    scb_committed_init(NULL);
    scb_committed_free(NULL);
    scb_committed_free(&c);
    scb_config_free(&cfg);
}

static int no_change(void *ctx, const struct scb_account_change *ch)
{
    (void)ctx;
    (void)ch;
    return 0;
}

static void test_account_null(void **state)
{
    (void)state;
    struct scb_config cfg;
    struct scb_account_list *l = (struct scb_account_list *)&cfg;
    const uint8_t *p = NULL;
    size_t n = 0;
    int64_t v;
    int i;
    uint16_t id;
    scb_config_init(&cfg);

    assert_int_equal(scb_account_list_new(NULL, &l), EINVAL_);
    assert_null(l);
    assert_int_equal(scb_account_list_new(&cfg, NULL), EINVAL_);
    scb_account_list_free(NULL);
    scb_account_list_free(&l);
    assert_int_equal(scb_account_list_count(NULL), 0);
    assert_null(scb_account_list_at(NULL, 0));
    assert_null(scb_account_list_find_ssid(NULL, 1));
    assert_null(scb_account_list_bootstrap(NULL));
    assert_int_equal(scb_account_is_bootstrap(NULL), 0);
    assert_int_equal(scb_account_ssid(NULL), 0);
    assert_int_equal(scb_account_security_iid(NULL), 0);
    assert_int_equal(scb_account_server_iid(NULL, &id), EINVAL_);
    assert_null(scb_account_uri(NULL));
    assert_null(scb_account_binding(NULL));
    assert_int_equal(scb_account_security_mode(NULL, &i), EINVAL_);
    assert_int_equal(scb_account_identity(NULL, &p, &n), EINVAL_);
    assert_int_equal(scb_account_server_public_key(NULL, &p, &n), EINVAL_);
    assert_int_equal(scb_account_secret_key(NULL, &p, &n), EINVAL_);
    assert_int_equal(scb_account_hold_off(NULL, &v), EINVAL_);
    assert_int_equal(scb_account_bootstrap_timeout(NULL, &v), EINVAL_);
    assert_int_equal(scb_account_lifetime(NULL, &v), EINVAL_);
    assert_int_equal(scb_account_bootstrap_on_failure(NULL, &i), EINVAL_);
    assert_null(scb_account_security(NULL));
    assert_null(scb_account_server(NULL));
    assert_null(scb_account_oscore(NULL));
    assert_int_equal(scb_account_compare(NULL, NULL), 0);
    assert_int_equal(scb_account_diff(NULL, &cfg, no_change, NULL), EINVAL_);
    assert_int_equal(scb_account_diff(&cfg, NULL, no_change, NULL), EINVAL_);
    assert_int_equal(scb_account_diff(&cfg, &cfg, NULL, NULL), EINVAL_);
    assert_int_equal(scb_store_set_observer(NULL, NULL, NULL), EINVAL_);

    /* a real account, NULL out-parameters */
    static const char one[] = "{\"objects\":{\"0\":{\"instances\":{\"1\":{\"resources\":{"
                              "\"0\":\"coap://s\",\"1\":false,\"2\":3,\"10\":1}}}}}}";
    char err[SCB_ERR_MAX];
    assert_int_equal(scb_config_from_json_text(one, &cfg, err, sizeof(err)), 0);
    assert_int_equal(scb_account_list_new(&cfg, &l), 0);
    const struct scb_account *a = scb_account_list_at(l, 0);
    assert_non_null(a);
    assert_int_equal(scb_account_server_iid(a, NULL), EINVAL_);
    assert_int_equal(scb_account_security_mode(a, NULL), EINVAL_);
    assert_int_equal(scb_account_identity(a, NULL, &n), EINVAL_);
    assert_int_equal(scb_account_secret_key(a, &p, NULL), EINVAL_);
    assert_int_equal(scb_account_hold_off(a, NULL), EINVAL_);
    assert_int_equal(scb_account_lifetime(a, NULL), EINVAL_);
    assert_int_equal(scb_account_bootstrap_on_failure(a, NULL), EINVAL_);
    assert_int_equal(scb_account_compare(a, NULL), 0);
    assert_int_equal(scb_account_compare(a, a), 0);
    scb_account_list_free(&l);
    assert_null(l);
    scb_config_free(&cfg);
}

static void test_card_side_null(void **state)
{
    (void)state;
    uint8_t tag, out[16];
    const uint8_t *val;
    size_t pos = 0, n, vlen;
    char text[32];
    struct scb_dir_app app;
    struct scb_p15_path paths[2];
    struct scb_p15_dobj objs[2];
    struct scb_p15_pin pins[2];
    static const uint8_t odf[] = {0xA7, 0x06, 0x30, 0x04, 0x04, 0x02, 0x50, 0x31};
    uint8_t *image = NULL;
    struct scb_scp03_keys k;
    const char *names[] = {"reader A", NULL, "reader B"};

    assert_int_equal(scb_p15_der_next(NULL, 5, &pos, &tag, &val, &vlen), EINVAL_);
    assert_int_equal(scb_p15_der_next(odf, sizeof(odf), NULL, &tag, &val, &vlen), EINVAL_);
    assert_int_equal(scb_p15_parse_dir_record(NULL, 5, &app), EINVAL_);
    assert_int_equal(scb_p15_parse_dir_record(odf, sizeof(odf), NULL), EINVAL_);
    assert_int_equal(scb_p15_parse_odf(NULL, 5, 0xA7, paths, 2, &n), EINVAL_);
    assert_int_equal(scb_p15_parse_odf(odf, sizeof(odf), 0xA7, NULL, 2, &n), EINVAL_);
    assert_int_equal(scb_p15_parse_odf(odf, sizeof(odf), 0xA7, paths, 2, NULL), EINVAL_);
    assert_int_equal(scb_p15_parse_dodf(NULL, 5, objs, 2, &n), EINVAL_);
    assert_int_equal(scb_p15_parse_aodf(NULL, 5, pins, 2, &n), EINVAL_);
    assert_int_equal(scb_p15_pin_block(NULL, "1234", out, sizeof(out), &n), EINVAL_);
    assert_int_equal(scb_p15_oid_to_text(NULL, 4, text, sizeof(text)), EINVAL_);
    assert_int_equal(scb_p15_oid_to_text(scb_card_source_lwm2m_oid, 4, NULL, 8), EINVAL_);
    assert_int_equal(scb_card_source_is_lwm2m_oid(NULL, 4), 0);
    assert_int_equal(scb_card_source_read(NULL, NULL, NULL, NULL, 0), EINVAL_);
    assert_int_equal(scb_uicc_iccid_decode(NULL, 10, text, sizeof(text)), EINVAL_);
    assert_int_equal(scb_uicc_iccid_decode(out, 10, NULL, 0), EINVAL_);
    assert_int_equal(scb_bootstrap_factory_load("/nonexistent", NULL, &n, text, sizeof(text)),
                     EINVAL_);
    assert_null(image);
    assert_int_equal(scb_scp03_keys_parse(NULL, &k, text, sizeof(text)), EINVAL_);
    assert_int_equal(scb_scp03_keys_parse("x", NULL, text, sizeof(text)), EINVAL_);
    /* a NULL entry in the reader list is skipped, not dereferenced */
    assert_int_equal(scb_transport_reader_match(names, 3, "reader B", &n), SCB_OK);
    assert_int_equal(n, 2);
    assert_int_equal(scb_transport_reader_match(names, 3, "B", &n), SCB_OK);
    assert_int_equal(n, 2);
    assert_int_equal(scb_pcsc_monitor_new("x", NULL), EINVAL_);
    assert_int_equal(scb_pcsc_monitor_wait(NULL, 0, NULL), EINVAL_);
    assert_int_equal(scb_pcsc_monitor_readers(NULL, NULL, 4), 0);
}

static void test_transport_session_null(void **state)
{
    (void)state;
    struct scb_transport *t = scb_transport_empty_reader("r");
    struct scb_session *s = NULL;
    struct scb_session_opts so;
    struct scb_config cfg;
    struct scb_buf b;
    uint8_t rsp[8];
    size_t n;
    uint16_t ids[3];
    scb_session_opts_init(&so);
    memset(&b, 0, sizeof(b));
    scb_config_init(&cfg);
    assert_non_null(t);

    assert_null(scb_transport_new(NULL, NULL));
    assert_int_equal(scb_transport_transmit(t, NULL, 5, rsp, sizeof(rsp), &n), EINVAL_);
    assert_int_equal(scb_transport_transmit(t, (const uint8_t *)"\0\xa4\0\0", 4, NULL, 8, &n),
                     EINVAL_);
    assert_int_equal(scb_transport_transmit(t, (const uint8_t *)"\0\xa4\0\0", 4, rsp, 8, NULL),
                     EINVAL_);
    scb_transport_free(&t);

    assert_int_equal(scb_session_path_parse("/0/1", NULL), EINVAL_);
    assert_int_equal(scb_session_path_parse(NULL, ids), EINVAL_);
    assert_int_equal(scb_session_new(&so, &cfg, &s), SCB_OK);
    assert_int_equal(scb_session_write(NULL, "/0", 11542, rsp, 1), EINVAL_);
    assert_int_equal(scb_session_write(s, "/0", 11542, NULL, 5), EINVAL_);
    assert_int_equal(scb_session_delete(NULL, "/0"), EINVAL_);
    assert_int_equal(scb_session_discover(s, "/", NULL), EINVAL_);
    assert_int_equal(scb_session_read_as(s, "/1", 110, NULL, NULL), EINVAL_);
    assert_int_equal(scb_session_finish(NULL, &cfg), EINVAL_);
    assert_int_equal(scb_session_finish(s, NULL), EINVAL_);
    assert_int_equal(scb_session_diagnostic(NULL, &b), EINVAL_);
    assert_int_equal(scb_session_tick(NULL), EINVAL_);
    assert_int_equal(scb_session_state(NULL), SCB_SESSION_FAILED);
    assert_int_equal(scb_session_state(s), SCB_SESSION_OPEN);
    scb_session_free(&s);
    scb_config_free(&cfg);
}

static void test_emu_null(void **state)
{
    (void)state;
    uint8_t atr[40];
    size_t n;
    const uint8_t *c, *r;
    size_t cl, rl;
    scb_emu_reset(NULL);
    scb_emu_remove(NULL);
    scb_emu_insert(NULL);
    scb_emu_set_fault(NULL, SCB_EMU_FAULT_SW, 1, 0x6F00);
    scb_emu_log_clear(NULL);
    assert_int_equal(scb_emu_present(NULL), 0);
    assert_int_equal(scb_emu_events(NULL), 0);
    assert_int_equal(scb_emu_log_count(NULL), 0);
    assert_int_equal(scb_emu_atr(NULL, atr, sizeof(atr), &n), EINVAL_);
    assert_int_equal(scb_emu_set_file(NULL, 0x6F01, atr, 1), EINVAL_);
    assert_int_equal(scb_emu_set_iccid(NULL, "8988"), EINVAL_);
    assert_int_equal(scb_emu_log_entry(NULL, 0, &c, &cl, &r, &rl), EINVAL_);
    assert_null(scb_emu_transport(NULL)); /* not a transport whose status reads NULL */
}

static void test_util_null(void **state)
{
    (void)state;
    uint8_t h[32];
    char out[9] = "zzzzzzzz";
    int fd = -1;
    char err[SCB_ERR_MAX];
    assert_int_equal(scb_util_sha256(NULL, 5, h), EINVAL_);
    assert_int_equal(scb_util_sha256((const uint8_t *)"x", 1, NULL), EINVAL_);
    assert_int_equal(scb_util_sha256(NULL, 0, h), SCB_OK);
    assert_int_equal(scb_util_path_trusted(NULL, NULL, 0), EINVAL_);
    assert_int_equal(scb_util_path_trusted("", NULL, 0), EINVAL_);
    struct json_object *jo = NULL;
    assert_int_equal(scb_json_parse(NULL, 3, &jo, NULL, 0), EINVAL_);
    assert_int_equal(scb_json_parse("[]", 2, NULL, NULL, 0), EINVAL_);
    scb_util_hex_encode(NULL, 5, out, sizeof(out));
    assert_string_equal(out, "");
    scb_util_hex_encode((const uint8_t *)"x", 1, NULL, 9);
    assert_int_equal(scb_util_open_file_secret(NULL, &fd, err, sizeof(err)), EINVAL_);
    assert_int_equal(scb_util_open_file_secret("/tmp/scboot-misuse-never", NULL, err, sizeof(err)),
                     EINVAL_);
    assert_int_equal(fd, -1);
}

/* The daemon loop and event sources: NULL handles, missing ops, NULL out pointers. */
static void test_daemon_null(void **state)
{
    struct scb_daemon_opts o;
    struct scb_daemon *d = NULL;
    struct scb_events *ev = NULL;
    struct scb_events_reader r;
    struct scb_transport *tr = NULL;
    static const struct scb_events_ops none = {0};
    int changed = 0;
    (void)state;
    scb_daemon_opts_init(NULL);
    scb_daemon_opts_init(&o);
    assert_int_equal(scb_daemon_new(NULL, &d), SCB_E_INVALID_ARG);
    assert_int_equal(scb_daemon_new(&o, NULL), SCB_E_INVALID_ARG);
    assert_int_equal(scb_daemon_new(&o, &d), SCB_E_INVALID_ARG); /* no seq, store, events */
    assert_null(d);
    scb_daemon_free(NULL);
    scb_daemon_free(&d);
    scb_daemon_request(NULL, SCB_DAEMON_STOP);
    assert_int_equal(scb_daemon_step(NULL, 0), SCB_E_INVALID_ARG);
    assert_true(scb_daemon_run(NULL) < 0);
    assert_int_equal(scb_events_new(NULL, NULL, &ev), SCB_E_INVALID_ARG);
    assert_int_equal(scb_events_new(&none, NULL, &ev), SCB_E_INVALID_ARG);
    assert_null(ev);
    scb_events_free(NULL);
    scb_events_free(&ev);
    scb_events_wake(NULL);
    assert_int_equal(scb_events_wait(NULL, 0, &changed), SCB_E_INVALID_ARG);
    assert_int_equal(scb_events_reader(NULL, &r), SCB_E_INVALID_ARG);
    assert_int_equal(scb_events_open(NULL, "x", &tr, NULL, 0), SCB_E_INVALID_ARG);
    assert_string_equal(scb_events_name(NULL), "");
    assert_int_equal(scb_pcsc_events_new(NULL, NULL), SCB_E_INVALID_ARG);
    assert_int_equal(scb_pcsc_monitor_cancel(NULL), SCB_E_INVALID_ARG);
    assert_int_equal(scb_emu_events_new(NULL, "x", &ev), SCB_E_INVALID_ARG);
    assert_int_equal(scb_bootstrap_on_registration_failure(NULL), 1);
}

/* The daemon's configuration file: NULL values, results and err buffers with a length. */
static void test_conf_null(void **state)
{
    struct scb_conf c;
    enum scb_conf_verify v;
    unsigned every;
    unsigned long secs;
    int mode;
    char err[64];
    (void)state;
    scb_conf_init(NULL);
    scb_conf_free(NULL);
    scb_conf_init(&c);
    assert_int_equal(scb_conf_parse(NULL, 5, "t", &c, NULL, 256), EINVAL_);
    assert_int_equal(scb_conf_parse("x", 1, NULL, &c, NULL, 256), EINVAL_);
    assert_int_equal(scb_conf_parse("x", 1, "t", NULL, NULL, 256), EINVAL_);
    assert_int_equal(scb_conf_parse("x = y", 5, "t", &c, NULL, 256), SCB_E_PARSE);
    assert_int_equal(scb_conf_load(NULL, 0, &c, NULL, 256), EINVAL_);
    assert_int_equal(scb_conf_load("/nonexistent", 0, NULL, NULL, 256), EINVAL_);
    assert_int_equal(scb_conf_load("/nonexistent/x.conf", 0, &c, NULL, 256), SCB_E_NOT_FOUND);
    assert_int_equal(scb_conf_parse_verify(NULL, &v, &every, err, sizeof(err)), EINVAL_);
    assert_int_equal(scb_conf_parse_verify("always", NULL, NULL, NULL, 256), EINVAL_);
    assert_int_equal(scb_conf_parse_seconds(NULL, 1, 2, &secs, NULL, 256), EINVAL_);
    assert_int_equal(scb_conf_parse_seconds("1", 1, 2, NULL, err, sizeof(err)), EINVAL_);
    assert_int_equal(scb_conf_parse_secure_channel(NULL, &mode, NULL, 256), EINVAL_);
    assert_int_equal(scb_conf_parse_secure_channel("off", NULL, err, sizeof(err)), EINVAL_);
    assert_int_equal(scb_conf_parse_scp03_level(NULL, &mode, NULL, 256), EINVAL_);
    assert_int_equal(scb_conf_parse_scp03_level("33", NULL, err, sizeof(err)), EINVAL_);
    assert_string_equal(scb_conf_verify_name((enum scb_conf_verify)99), "unset");
    scb_conf_free(&c);
}

/* The hook and the service manager's channels. */
static void test_hook_notify_null(void **state)
{
    char prog[64], why[64];
    struct scb_hook h;
    (void)state;
    scb_hook_init(NULL);
    scb_hook_precheck(NULL);
    scb_hook_init(&h); /* no command: nothing to check or run */
    scb_hook_precheck(&h);
    assert_int_equal(scb_hook_run(&h, NULL), 0);
    assert_int_equal(scb_hook_run(NULL, NULL), 0);
    assert_int_equal(scb_hook_program(NULL, prog, sizeof(prog)), EINVAL_);
    assert_int_equal(scb_hook_program("/bin/true", NULL, 64), EINVAL_);
    assert_int_equal(scb_hook_program("/bin/true", prog, 0), EINVAL_);
    assert_int_equal(scb_hook_trusted(NULL, why, sizeof(why)), SCB_OK);
    assert_int_equal(scb_hook_trusted("/bin/true", NULL, 256), SCB_OK);
    assert_int_equal(scb_notify_send_to(NULL, "READY=1"), EINVAL_);
    assert_int_equal(scb_notify_send_to("/nonexistent", NULL), EINVAL_);
    assert_int_equal(scb_notify_send_to(NULL, NULL), EINVAL_);
    assert_int_equal(scb_notify_journal_stream(NULL, -1), 0);
    assert_int_equal(scb_notify_journal_stream("1:2", -1), 0);
}

/* Stores made by the caller, the network client handle and a session's commit. */
static void test_store_coap_session_null(void **state)
{
    struct scb_store *st = NULL;
    struct scb_session *s = NULL;
    struct scb_coap_client *cl = NULL;
    struct scb_coap_opts o;
    struct scb_coap_result res;
    static const struct scb_store_ops no_ops = {0};
    (void)state;
    assert_int_equal(scb_store_new_memory(NULL, NULL, 256), EINVAL_);
    assert_int_equal(scb_store_new_custom(NULL, NULL, &st, NULL, 256), EINVAL_);
    assert_null(st);
    assert_int_equal(scb_store_new_custom(&no_ops, NULL, &st, NULL, 256), EINVAL_);
    assert_null(st);
    assert_int_equal(scb_store_new_memory(&st, NULL, 256), SCB_OK);
    assert_int_equal(scb_store_new_custom(NULL, NULL, NULL, NULL, 256), EINVAL_);

    assert_true(scb_session_commit(NULL, st, NULL, 256) < 0);
    assert_int_equal(scb_session_new(NULL, NULL, &s), SCB_OK);
    assert_true(scb_session_commit(s, NULL, NULL, 256) < 0);
    scb_session_free(&s);

    scb_coap_opts_init(&o);
    assert_true(scb_coap_client_new(NULL, NULL, &cl, NULL, 256) < 0);
    assert_null(cl);
    assert_true(scb_coap_client_new(st, NULL, &cl, NULL, 256) < 0);
    assert_true(scb_coap_client_new(NULL, &o, &cl, NULL, 256) < 0);
    assert_true(scb_coap_client_new(st, &o, NULL, NULL, 256) < 0);
    assert_true(scb_coap_client_new(st, &o, &cl, NULL, 256) < 0); /* no endpoint or server */
    assert_null(cl);
    assert_int_equal(scb_coap_client_fd(NULL), -1);
    assert_int_equal(scb_coap_client_timeout(NULL), 0);
    assert_true(scb_coap_client_step(NULL) < 0);
    assert_true(scb_coap_client_result(NULL, &res) < 0);
    scb_coap_client_free(NULL);
    scb_coap_client_free(&cl);
    scb_store_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codecs_null),
        cmocka_unit_test(test_model_null),
        cmocka_unit_test(test_model_lookups_const),
        cmocka_unit_test(test_validate_store_null),
        cmocka_unit_test(test_account_null),
        cmocka_unit_test(test_card_side_null),
        cmocka_unit_test(test_transport_session_null),
        cmocka_unit_test(test_emu_null),
        cmocka_unit_test(test_util_null),
        cmocka_unit_test(test_daemon_null),
        cmocka_unit_test(test_conf_null),
        cmocka_unit_test(test_hook_notify_null),
        cmocka_unit_test(test_store_coap_session_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
