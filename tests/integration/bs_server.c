/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bs_server.c: a small LwM2M Bootstrap-Server for the tests (libcoap): waits for
 * POST /bs?ep=NAME, answers 2.04, then writes /0 and /1 from TLV files to that client and sends
 * Bootstrap-Finish (unless --no-finish), printing each response code ("PUT /0 2.04").
 *   bs_server PORT SEC.tlv SRV.tlv [--no-finish] [--delay-finish MS] [--psk ID HEXKEY]
 *             [--pki CERT.pem KEY.pem CA.pem] [--rpk EC-KEY.pem] [--drop] [--cf N]
 * --pki / --rpk: a DTLS server with an X.509 certificate (the client's verified against CA) or
 * a raw public key (the client's key is printed as "peer RPK <hex of its SubjectPublicKeyInfo>"). A
 * server name the client asks for is printed as "sni NAME".
 * --drop: read and drop everything (a Bootstrap-Server that never answers).
 * --delay-finish MS: print "writes done" after the writes, then wait MS before the Finish (a
 * test removes the card meanwhile).
 * --cf N sends the two files with Content-Format N instead of TLV (110 SenML JSON, 112 SenML
 * CBOR: the files then hold packs in that format).
 * --loop: serve one client after another, forever (the benchmark's many sessions).
 */
#include <coap3/coap.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

static coap_session_t *client;
static int answered, last_code;
static unsigned write_cf = 11542; /* --cf: the Content-Format of the writes */

static int peer_cn(const char *cn, const uint8_t *der, size_t len, coap_session_t *s,
                   unsigned depth, int validated, void *arg)
{
    (void)cn;
    (void)s;
    (void)arg;
    if (depth == 0) {
        printf("peer %s validated=%d ", *(const int *)arg ? "RPK" : "certificate", validated);
        for (size_t k = 0; k < len; k++) {
            printf("%02X", der[k]);
        }
        printf("\n");
        fflush(stdout);
    }
    return validated;
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    static uint8_t buf[8192];
    if (f == NULL) {
        return NULL;
    }
    *len = fread(buf, 1, sizeof(buf) - 1, f);
    buf[*len] = 0;
    (*len)++; /* libcoap wants the PEM's terminating NUL counted */
    fclose(f);
    return buf;
}

/* The server name a client asks for (SNI): printed, and served the same certificate. */
static coap_dtls_key_t *peer_sni(const char *sni, void *arg)
{
    printf("sni %s\n", sni ? sni : ""); /* "" without SNI */
    fflush(stdout);
    return arg;
}

/* --pki / --rpk: a DTLS server with certificates or a raw public key. */
static int setup_pki(coap_context_t *ctx, int rpk, char **argv)
{
    static coap_dtls_pki_t p;
    static int is_rpk;
    memset(&p, 0, sizeof(p));
    is_rpk = rpk;
    p.version = COAP_DTLS_PKI_SETUP_VERSION;
    p.verify_peer_cert = 1;
    p.cert_chain_validation = 1;
    p.cert_chain_verify_depth = 3;
    p.validate_cn_call_back = peer_cn;
    p.cn_call_back_arg = &is_rpk;
    if (rpk) {
        size_t n;
        const uint8_t *pem = read_all(argv[0], &n);
        if (pem == NULL) {
            return 0;
        }
        p.is_rpk_not_cert = 1;
        p.pki_key.key_type = COAP_PKI_KEY_PEM_BUF;
        p.pki_key.key.pem_buf.public_cert = pem;
        p.pki_key.key.pem_buf.public_cert_len = n;
        p.pki_key.key.pem_buf.private_key = pem;
        p.pki_key.key.pem_buf.private_key_len = n;
    } else {
        p.pki_key.key_type = COAP_PKI_KEY_PEM;
        p.pki_key.key.pem.public_cert = argv[0];
        p.pki_key.key.pem.private_key = argv[1];
        p.pki_key.key.pem.ca_file = argv[2];
        p.validate_sni_call_back = peer_sni;
        p.sni_call_back_arg = &p.pki_key;
    }
    return coap_context_set_pki(ctx, &p);
}

static void on_bs(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
                  const coap_string_t *query, coap_pdu_t *resp)
{
    (void)r;
    (void)req;
    printf("Bootstrap-Request %.*s\n", query ? (int)query->length : 0,
           query ? (const char *)query->s : "");
    fflush(stdout);
    coap_pdu_set_code(resp, COAP_RESPONSE_CODE(204));
    if (client == NULL) {
        client = coap_session_reference(s);
    }
}

static coap_response_t on_response(coap_session_t *s, const coap_pdu_t *sent,
                                   const coap_pdu_t *received, const coap_mid_t mid)
{
    (void)s;
    (void)sent;
    (void)mid;
    last_code = coap_pdu_get_code(received);
    answered = 1;
    return COAP_RESPONSE_OK;
}

static int request(coap_context_t *ctx, coap_pdu_code_t m, const char *path, const char *file)
{
    coap_pdu_t *pdu = coap_pdu_init(COAP_MESSAGE_CON, m, coap_new_message_id(client),
                                    coap_session_max_pdu_size(client));
    uint8_t buf[4096], cf[4];
    size_t n = 0;
    if (path[0]) {
        coap_add_option(pdu, COAP_OPTION_URI_PATH, strlen(path), (const uint8_t *)path);
    }
    if (file) {
        FILE *f = fopen(file, "rb");
        if (f == NULL) {
            return -1;
        }
        n = fread(buf, 1, sizeof(buf), f);
        fclose(f);
        coap_add_option(pdu, COAP_OPTION_CONTENT_FORMAT,
                        coap_encode_var_safe(cf, sizeof(cf), write_cf), cf);
        coap_add_data(pdu, n, buf);
    }
    answered = 0;
    coap_send(client, pdu);
    for (int w = 0; w < 100 && !answered; w++) {
        coap_io_process(ctx, 100);
    }
    printf("%s /%s %d.%02d\n", m == COAP_REQUEST_CODE_PUT ? "PUT" : "POST", path,
           answered ? last_code >> 5 : 0, answered ? last_code & 31 : 0);
    fflush(stdout);
    return answered ? 0 : -1;
}

int main(int argc, char **argv)
{
    coap_address_t addr;
    int finish = 1, delay_ms = 0;
    if (argc < 4) {
        fprintf(stderr, "usage: bs_server PORT SEC.tlv SRV.tlv [--no-finish] [--psk ID HEX] "
                        "[--cf N]\n");
        return 2;
    }
    coap_startup();
    coap_set_log_level(LOG_EMERG);
    coap_context_t *ctx = coap_new_context(NULL);
    coap_address_init(&addr);
    addr.addr.sin.sin_family = AF_INET;
    addr.addr.sin.sin_port = htons((uint16_t)atoi(argv[1]));
    addr.addr.sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.size = sizeof(addr.addr.sin);
    coap_proto_t proto = COAP_PROTO_UDP;
    int drop = 0, loop = 0;
    static uint8_t key[64];
    for (int i = 4; i < argc; i++) {
        if (strcmp(argv[i], "--no-finish") == 0) {
            finish = 0;
        } else if (strcmp(argv[i], "--delay-finish") == 0 && i + 1 < argc) {
            delay_ms = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--drop") == 0) {
            drop = 1;
        } else if (strcmp(argv[i], "--loop") == 0) {
            loop = 1;
        } else if (strcmp(argv[i], "--pki") == 0 && i + 3 < argc) {
            if (!setup_pki(ctx, 0, argv + i + 1)) {
                fprintf(stderr, "bs_server: PKI setup failed\n");
                return 1;
            }
            proto = COAP_PROTO_DTLS;
            i += 3;
        } else if (strcmp(argv[i], "--rpk") == 0 && i + 1 < argc) {
            if (!setup_pki(ctx, 1, argv + i + 1)) {
                fprintf(stderr, "bs_server: RPK setup failed\n");
                return 1;
            }
            proto = COAP_PROTO_DTLS;
            i += 1;
        } else if (strcmp(argv[i], "--cf") == 0 && i + 1 < argc) {
            write_cf = (unsigned)atoi(argv[++i]);
        } else if (strcmp(argv[i], "--psk") == 0 && i + 2 < argc) {
            coap_dtls_spsk_t sp;
            size_t kl = strlen(argv[i + 2]) / 2;
            for (size_t k = 0; k < kl && k < sizeof(key); k++) {
                sscanf(argv[i + 2] + 2 * k, "%2hhx", &key[k]);
            }
            memset(&sp, 0, sizeof(sp));
            sp.version = COAP_DTLS_SPSK_SETUP_VERSION;
            sp.psk_info.hint.s = (const uint8_t *)argv[i + 1];
            sp.psk_info.hint.length = strlen(argv[i + 1]);
            sp.psk_info.key.s = key;
            sp.psk_info.key.length = kl;
            coap_context_set_psk2(ctx, &sp);
            proto = COAP_PROTO_DTLS;
            i += 2;
        }
    }
    if (drop) { /* a UDP socket that reads and never answers */
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        char buf[2048];
        if (fd < 0 || bind(fd, &addr.addr.sa, addr.size) != 0) {
            return 1;
        }
        for (;;) {
            ssize_t n = recv(fd, buf, sizeof(buf), 0);
            if (n >= 0) {
                printf("dropped %zd bytes\n", n);
                fflush(stdout);
            }
        }
    }
    if (coap_new_endpoint(ctx, &addr, proto) == NULL) {
        fprintf(stderr, "bs_server: cannot listen\n");
        return 1;
    }
    coap_resource_t *r = coap_resource_init(coap_make_str_const("bs"), 0);
    coap_register_request_handler(r, COAP_REQUEST_POST, on_bs);
    coap_add_resource(ctx, r);
    coap_register_response_handler(ctx, on_response);
    int ok;
    do {
        for (int w = 0; (loop || w < 300) && client == NULL; w++) {
            coap_io_process(ctx, 100);
        }
        if (client == NULL) {
            fprintf(stderr, "bs_server: no Bootstrap-Request\n");
            return 1;
        }
        coap_io_process(ctx, loop ? COAP_IO_NO_WAIT : 50);
        ok = request(ctx, COAP_REQUEST_CODE_PUT, "0", argv[2]) == 0 &&
             request(ctx, COAP_REQUEST_CODE_PUT, "1", argv[3]) == 0;
        if (ok && delay_ms > 0) {
            printf("writes done\n");
            fflush(stdout);
            for (int w = 0; w < delay_ms / 100; w++) {
                coap_io_process(ctx, 100);
            }
        }
        if (ok && finish) {
            ok = request(ctx, COAP_REQUEST_CODE_POST, "bs", NULL) == 0;
        }
        /* released first: the next client's Bootstrap-Request may arrive in this wait */
        coap_session_release(client);
        client = NULL;
        if (!loop) {
            coap_io_process(ctx, 100);
        }
    } while (loop);
    coap_free_context(ctx);
    coap_cleanup();
    return ok ? 0 : 1;
}
