/* SPDX-License-Identifier: Apache-2.0 */
/*
 * example_client.c: how an LwM2M client uses libscboot, from the installed headers only.
 *
 *   cc example_client.c $(pkg-config --cflags --libs scboot scboot-emu) -o example-client
 *
 * (add -DSCBOOT_HAVE_COAP $(pkg-config --cflags --libs libcoap-3-gnutls) to start libcoap's
 * process-wide state here, as an application that uses network bootstrap does)
 *   ./example-client PROFILE.json SECOND_IMAGE.bin
 *
 * - Its own persistence: the client keeps the committed configuration itself, here in memory
 *   (scb_store_new_memory()); a client that writes it to its own flash gives load and commit
 *   functions to scb_store_new_custom(). No state directory: the client and scboot's daemon
 *   never share one.
 * - The change list: the store's commit observer hands over the configurations before and
 *   after every commit (card, factory or network); scb_account_diff() turns them into the
 *   server accounts added, changed or removed, keyed by Short Server ID.
 * - Typed accounts: scb_account_list_new() and its accessors read URI, SSID and the rest.
 *
 * Start-up runs the bootstrap sequence; before every Register/Update to a card-provisioned
 * server it calls scb_bootstrap_check_card() (LwM2M R5: 0 APDUs without a card event). When
 * registration failed on every server it asks scb_bootstrap_on_registration_failure() whether
 * to bootstrap from the network (/1/x/16) and, with an endpoint name in
 * $SCBOOT_EXAMPLE_ENDPOINT, runs client-initiated bootstrap from the committed
 * Bootstrap-Server account, committed into the same store.
 *
 * The card here is the emulator (libscboot-emu), so the example can act out an OTA update
 * (SECOND_IMAGE.bin) and a removal; a real client opens a PC/SC reader (pcsc.h) instead.
 * Everything runs on this one thread: a store, a card and a sequence are used by one thread
 * at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef SCBOOT_HAVE_COAP
#include <coap3/coap.h> /* libcoap's process-wide state is the application's */
#endif

#include <scboot/account.h>
#include <scboot/bootstrap.h>
#include <scboot/card.h>
#include <scboot/coap.h>
#include <scboot/emu.h>
#include <scboot/objdefs.h>
#include <scboot/store.h>
#include <scboot/util.h>

/* The client's side of a commit: what the accounts' changes are read against. */
struct client {
    const struct scb_committed *after; /* the committed state, during on_commit() */
};

/* One account change: what the client does about it. */
static int on_account(void *ctx, const struct scb_account_change *ch)
{
    const struct scb_committed *after = ((struct client *)ctx)->after;
    const struct scb_account *a = ch->after ? ch->after : ch->before;
    const char *uri = scb_account_uri(a) ? scb_account_uri(a) : "(no URI)";

    if (ch->bootstrap) {
        printf("Bootstrap-Server account %s: %s\n", scb_account_event_name(ch->event), uri);
    } else if (ch->event == SCB_ACCOUNT_ADDED) {
        printf("server %u added: register to %s (from %s)\n", ch->ssid, uri,
               scb_source_name(
                   scb_committed_prov(after, SCB_OBJ_SECURITY, scb_account_security_iid(a))));
    } else if (ch->event == SCB_ACCOUNT_REMOVED) {
        printf("server %u removed: forget it\n", ch->ssid);
    } else if (ch->changed & SCB_ACCOUNT_CHANGED_SESSION) {
        printf("server %u changed: drop its (D)TLS session, register to %s\n", ch->ssid, uri);
    } else {
        printf("server %u changed (lifetime, binding...): send an Update\n", ch->ssid);
    }
    return 0;
}

/* The store's commit observer: every durable commit, whatever its source. */
static void on_commit(void *ctx, const struct scb_commit_event *ev)
{
    struct client *cl = ctx;
    printf("commit: generation %llu\n", (unsigned long long)ev->after->generation);
    cl->after = ev->after;
    scb_account_diff(&ev->before->cfg, &ev->after->cfg, on_account, cl);
    cl->after = NULL; /* borrowed for the call only */
}

/* Print the servers (not the Bootstrap-Server) of the committed configuration; their count. */
static size_t list_servers(const struct scb_config *cfg, const char *verb)
{
    struct scb_account_list *l = NULL;
    size_t servers = 0;
    if (scb_account_list_new(cfg, &l) < 0) {
        return 0;
    }
    for (size_t k = 0; k < scb_account_list_count(l); k++) {
        const struct scb_account *a = scb_account_list_at(l, k);
        if (!scb_account_is_bootstrap(a) && scb_account_uri(a) != NULL) {
            printf("%s server %u at %s\n", verb, scb_account_ssid(a), scb_account_uri(a));
            servers++;
        }
    }
    scb_account_list_free(&l);
    return servers;
}

/*
 * Registration failed on every server (or there is none left): bootstrap from the network
 * unless every server account says not to. With scboot watch running, this would be
 * `kill -USR1` to the daemon: it applies the same rule.
 */
static void registration_failed(struct scb_store *st, const struct scb_config *cfg)
{
    const char *ep = getenv("SCBOOT_EXAMPLE_ENDPOINT");
    if (!scb_bootstrap_on_registration_failure(cfg)) {
        printf("registration failed: every server says no bootstrap (/1/x/16 false)\n");
        return;
    }
    if (ep == NULL || ep[0] == '\0') {
        printf("registration failed: client-initiated bootstrap (or SIGUSR1 to scboot watch)\n");
        return;
    }
    struct scb_coap_opts o;
    struct scb_coap_result res;
#ifdef SCBOOT_HAVE_COAP
    /* libcoap's process-wide state is the application's: started (idempotent), log quiet */
    coap_startup();
    coap_set_log_level(LOG_EMERG);
#endif
    scb_coap_opts_init(&o);
    o.endpoint = ep; /* no URI: the committed Bootstrap-Server account's, its credentials */
    int ret = scb_coap_bootstrap(st, &o, &res);
    printf("client-initiated bootstrap as %s: %s%s%s\n", ep,
           ret == 0 && res.outcome == SCB_COAP_COMMITTED ? "committed" : "failed",
           res.reason[0] ? ": " : "", res.reason);
}

/* The operator updates the card over the air; the card is reset afterwards. */
static void ota_update(struct scb_emu *emu, const char *image)
{
    uint8_t *img;
    size_t n;
    if (scb_util_read_file(image, 40000, &img, &n) == 0) {
        scb_emu_set_file(emu, SCB_EMU_BOOTSTRAP_FID, img, n);
        free(img);
    }
    scb_emu_reset(emu);
}

/* R5: before every Register/Update, check the card; the observer reports what changed. */
static void before_update(struct scb_bootstrap *b, struct scb_store *st, int round)
{
    enum scb_bootstrap_outcome o;
    struct scb_committed c;
    char err[256];

    scb_bootstrap_check_card(b, &o, NULL, 0);
    printf("round %d: check %s, %u APDUs\n", round, scb_bootstrap_outcome_name(o),
           scb_bootstrap_last_apdus(b));
    scb_committed_init(&c);
    if (scb_store_load(st, &c, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    if (list_servers(&c.cfg, o == SCB_BOOTSTRAP_CARD_UNCHANGED ? "update to" : "registered to")
        == 0) {
        printf("no server left\n");
        registration_failed(st, &c.cfg);
    }
    scb_committed_free(&c); /* zeroizes the keys */
}

int main(int argc, char **argv)
{
    struct scb_emu *emu = NULL;
    struct scb_transport *tr = NULL;
    struct scb_card *card = NULL;
    struct scb_store *st = NULL;
    struct scb_bootstrap_opts bo;
    struct scb_bootstrap *b = NULL;
    struct scb_run_result res;
    struct client cl = {NULL};
    char err[256] = "";
    int rc = 3;

    if (argc != 3) {
        fprintf(stderr, "usage: %s PROFILE.json SECOND_IMAGE.bin\n", argv[0]);
        return 2;
    }
    if (scb_emu_load(argv[1], &emu, err, sizeof(err)) < 0 ||
        (tr = scb_emu_transport(emu)) == NULL || scb_card_new(tr, &card) < 0 ||
        scb_store_new_memory(&st, err, sizeof(err)) < 0 ||
        scb_store_set_observer(st, on_commit, &cl) < 0) {
        fprintf(stderr, "start-up failed: %s\n", err);
        goto out;
    }
    /* defaults first (default profile, re-read on a reader event), then ours; the store and
     * the card session are borrowed and outlive b */
    scb_bootstrap_opts_init(&bo);
    bo.store = st;
    bo.card = card;
    bo.reader_name = "virtual";
    if (scb_bootstrap_new(&bo, &b) < 0 || scb_bootstrap_run(b, &res, NULL, 0) < 0) {
        fprintf(stderr, "the bootstrap sequence failed\n");
        goto out;
    }
    printf("start-up: card %s\n", scb_bootstrap_outcome_name(res.card));
    for (int round = 1; round <= 4; round++) {
        if (round == 2) {
            ota_update(emu, argv[2]);
        } else if (round == 4) {
            scb_emu_remove(emu);
        }
        before_update(b, st, round);
    }
    rc = 0;
out:
    scb_bootstrap_free(&b);
    scb_store_free(&st);
    scb_card_free(&card); /* the card borrows the transport: freed first */
    scb_transport_free(&tr);
    scb_emu_free(&emu);
    return rc;
}
