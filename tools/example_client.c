/* SPDX-License-Identifier: Apache-2.0 */
/*
 * example_client.c: how an LwM2M client uses libscboot (a runnable example, built and run by a
 * test). Start-up runs the bootstrap sequence; before every Register/Update to a
 * card-provisioned server it calls scb_bootstrap_check_card() (LwM2M R5); when the card's data
 * changed it drops the (D)TLS session of every server whose URI, security mode or keys changed and
 * registers again; when the card is gone its servers are forgotten. When registration failed
 * on every server it asks scb_bootstrap_on_registration_failure() whether to bootstrap from the
 * network (LwM2M 1.1 6.1.4, /1/x/16) and, with an endpoint name in $SCBOOT_EXAMPLE_ENDPOINT,
 * runs client-initiated bootstrap from the committed Bootstrap-Server account itself. A client
 * that leaves that to the daemon sends it SIGUSR1 instead (systemctl kill -s USR1 scboot).
 *
 * Here the card is the built-in emulator so the example can act out an OTA update (the second
 * image) and a removal: scboot-example-client PROFILE.json SECOND_IMAGE.bin STATE_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef SCBOOT_HAVE_COAP
#include <coap3/coap.h>
#endif

#include "scboot/card.h"
#include "scboot/coap.h"
#include "scboot/emu.h"
#include "scboot/objdefs.h"
#include "scboot/bootstrap.h"
#include "scboot/util.h"

/* What a (D)TLS session depends on: URI, mode, identity and key of the server's /0 instance. */
static void session_key(const struct scb_config *cfg, uint16_t iid, uint8_t out[32])
{
    const struct scb_instance *in = scb_object_instance(scb_config_object(cfg, SCB_OBJ_SECURITY), iid);
    uint8_t buf[2048];
    size_t n = 0;
    static const uint16_t rids[] = {SCB_RES_SEC_URI, SCB_RES_SEC_MODE, SCB_RES_SEC_PUBKEY_ID,
                                    SCB_RES_SEC_SERVER_PUBKEY, SCB_RES_SEC_SECRET_KEY};
    for (size_t k = 0; in && k < sizeof(rids) / sizeof(rids[0]); k++) {
        const struct scb_resource *r = scb_instance_resource(in, rids[k]);
        if (r && r->n == 1 && n + r->v[0].len + 2 < sizeof(buf)) {
            buf[n++] = (uint8_t)rids[k];
            memcpy(buf + n, r->v[0].data, r->v[0].len);
            n += r->v[0].len;
            buf[n++] = 0;
        }
    }
    scb_sha256(buf, n, out);
}

static void print_servers(const char *what, const struct scb_committed *c)
{
    const struct scb_object *sec = scb_config_object(&c->cfg, SCB_OBJ_SECURITY);
    for (size_t k = 0; sec && k < sec->n; k++) {
        int bs = 0;
        const struct scb_resource *u = scb_instance_resource(&sec->i[k], SCB_RES_SEC_URI);
        scb_config_get_bool(&c->cfg, SCB_OBJ_SECURITY, sec->i[k].id, SCB_RES_SEC_BOOTSTRAP, &bs);
        if (u && u->n == 1 && !bs) {
            printf("%s %.*s (/0/%u from %s)\n", what, (int)u->v[0].len, (const char *)u->v[0].data,
                   sec->i[k].id, scb_provenance_name(scb_committed_prov(c, SCB_OBJ_SECURITY, sec->i[k].id)));
        }
    }
}

struct client {
    struct scb_committed before;
};

/*
 * Registration failed on every server (or there is none left): bootstrap from the network
 * unless every server account says not to. With scboot watch running, this would be
 * `kill -USR1` to the daemon: it applies the same rule.
 */
static void registration_failed(struct scb_store *st, const struct scb_committed *c)
{
    const char *ep = getenv("SCBOOT_EXAMPLE_ENDPOINT");
    if (!scb_bootstrap_on_registration_failure(&c->cfg)) {
        printf("registration failed: every server says no bootstrap (/1/x/16 false)\n");
        return;
    }
    if (ep == NULL || ep[0] == '\0') {
        printf("registration failed: client-initiated bootstrap (or SIGUSR1 to scboot watch)\n");
        return;
    }
#ifdef SCBOOT_HAVE_COAP
    struct scb_coap_opts o;
    struct scb_coap_result res;
    /* libcoap's process-wide state is the application's: started (idempotent), log quiet */
    coap_startup();
    coap_set_log_level(LOG_EMERG);
    scb_coap_opts_init(&o);
    o.endpoint = ep; /* no URI: the committed Bootstrap-Server account's, its credentials */
    int ret = scb_coap_bootstrap(st, &o, &res);
    printf("client-initiated bootstrap as %s: %s%s%s\n", ep,
           ret == 0 && res.outcome == SCB_COAP_COMMITTED ? "committed" : "failed",
           res.reason[0] ? ": " : "", res.reason);
#else
    (void)st;
    printf("registration failed: built without CoAP\n");
#endif
}

/* The library's callback after a commit: compare sessions and say what the client does. */
static void on_commit(void *ctx, enum scb_bootstrap_outcome o, const struct scb_committed *now)
{
    struct client *cl = ctx;
    const struct scb_object *old = scb_config_object(&cl->before.cfg, SCB_OBJ_SECURITY);
    printf("card %s (generation %llu)\n", scb_bootstrap_outcome_name(o),
           (unsigned long long)now->generation);
    for (size_t k = 0; old && k < old->n; k++) {
        uint8_t a[32], b[32];
        uint16_t iid = old->i[k].id;
        if (scb_committed_prov(&cl->before, SCB_OBJ_SECURITY, iid) != SCB_PROV_CARD) {
            continue;
        }
        session_key(&cl->before.cfg, iid, a);
        session_key(&now->cfg, iid, b);
        if (memcmp(a, b, 32) != 0) {
            printf("drop (D)TLS session of /0/%u: URI, mode or keys changed\n", iid);
        }
    }
    scb_committed_free(&cl->before);
    scb_committed_copy(&cl->before, now);
}

int main(int argc, char **argv)
{
    struct scb_emu *emu = NULL;
    struct scb_store *st = NULL;
    struct scb_bootstrap_opts bo;
    struct scb_bootstrap *b = NULL;
    struct scb_run_result res;
    struct client cl;
    char err[300];
    enum scb_bootstrap_outcome o;

    if (argc != 4) {
        fprintf(stderr, "usage: %s PROFILE.json SECOND_IMAGE.bin STATE_DIR\n", argv[0]);
        return 2;
    }
    if (scb_emu_load(argv[1], &emu, err, sizeof(err)) < 0 ||
        scb_store_open(argv[3], 1000, &st, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        return 3;
    }
    struct scb_transport *tr = scb_emu_transport(emu);
    struct scb_card *card = NULL;
    if (tr == NULL || scb_card_new(tr, &card) < 0) { /* borrows tr: freed after card */
        return 3;
    }
    scb_committed_init(&cl.before);
    /* the options: defaults (default profile, re-read on a reader event), then ours; the
     * store, the card session and cl are borrowed and outlive b */
    scb_bootstrap_opts_init(&bo);
    bo.store = st;
    bo.card = card;
    bo.reader_name = "virtual";
    bo.notify = on_commit;
    bo.notify_ctx = &cl;
    if (scb_bootstrap_new(&bo, &b) < 0) {
        return 3;
    }

    /* start-up: smartcard -> factory -> (register) */
    if (scb_bootstrap_run(b, &res) < 0) {
        scb_bootstrap_free(&b);
        return 3;
    }
    scb_committed_free(&cl.before);
    scb_store_load(st, &cl.before, err, sizeof(err));
    print_servers("register to", &cl.before);
    for (int round = 1; round <= 4; round++) {
        if (round == 2) {
            /* the operator updates the card over the air; the card is reset afterwards */
            uint8_t *img;
            size_t n;
            if (scb_read_file(argv[2], 40000, &img, &n) == 0) {
                scb_emu_set_file(emu, 0x6432, img, n);
                free(img);
            }
            scb_emu_reset(emu);
        }
        if (round == 4) {
            scb_emu_remove(emu);
        }
        /* R5: before every Register/Update to a card-provisioned server */
        scb_bootstrap_check_card(b, &o);
        printf("round %d: check %s, %u APDUs\n", round, scb_bootstrap_outcome_name(o),
               scb_bootstrap_last_apdus(b));
        if (o == SCB_BOOTSTRAP_CARD_CHANGED || o == SCB_BOOTSTRAP_CARD_SWAPPED ||
            o == SCB_BOOTSTRAP_CARD_APPLIED) {
            print_servers("register to", &cl.before);
        } else if (o == SCB_BOOTSTRAP_CARD_REMOVED) {
            printf("card servers forgotten; no server left: client-initiated bootstrap\n");
            registration_failed(st, &cl.before);
        } else if (o == SCB_BOOTSTRAP_CARD_UNCHANGED) {
            print_servers("update to", &cl.before);
        }
    }
    scb_committed_free(&cl.before);
    scb_bootstrap_free(&b);
    scb_store_close(&st);
    scb_card_free(&card);
    scb_transport_free(&tr);
    scb_emu_free(&emu);
    return 0;
}
