/* SPDX-License-Identifier: Apache-2.0 */
/* emu_internal.h: the emulator's data model, shared by emu.c (behaviour) and emu_profile.c. */
#ifndef SCBOOT_EMU_INTERNAL_H
#define SCBOOT_EMU_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/apdu.h"
#include "scboot/emu.h"

#define EMU_MAX_FILES 32
#define EMU_MAX_APPS 8
#define EMU_MAX_CHANNELS 20
#define EMU_LOG_MAX 200000

enum emu_access { EMU_READ_ALWAYS = 0, EMU_READ_PIN = 1, EMU_READ_SCP03 = 2 };

struct emu_file {
    uint16_t fid;
    uint8_t sfi;              /* 0 = none */
    int linear;               /* linear fixed (records) instead of transparent */
    uint8_t *data;            /* transparent content, or records back to back */
    size_t size;
    size_t rec_len;
    size_t rec_count;
    enum emu_access read;
    long fcp_size;            /* hostile card: the FCP's file size (80), -1 = the real size */
};

struct emu_df {
    uint8_t aid[16];
    size_t aid_len;           /* 0 for the MF */
    uint16_t fid;             /* 3F00 for the MF, optional for an ADF (0 = none) */
    struct emu_file files[EMU_MAX_FILES];
    size_t nfiles;
    int pin_protected;        /* the ADF's FCP carries the PIN template */
};

struct emu_channel {
    int open;
    int df;                   /* -1 MF, else index into apps */
    int ef;                   /* index into that DF's files, -1 none */
};

struct emu_log_entry {
    uint8_t cmd[SCB_APDU_CMD_MAX];
    uint8_t rsp[SCB_APDU_RSP_MAX];
    uint16_t clen, rlen;
};

struct emu_rsp {
    uint8_t data[256];
    size_t len;
    uint16_t sw;
};

/* Card side of a GP SCP03 session on one logical channel. */
struct emu_sc {
    int iu_done, active;
    uint8_t level;
    uint8_t host_ch[8], card_ch[8];
    uint8_t s_enc[32], s_mac[32], s_rmac[32];
    uint8_t chain[16];
    uint32_t counter;
};

/* How a READ BINARY asking for more than remains is answered (doc/protocol.md, card behaviours). */
enum emu_short_read {
    EMU_SHORT_6282 = 0,       /* ISO: the remaining bytes, 6282 */
    EMU_SHORT_9000 = 1,       /* the remaining bytes, 9000 (Le = 00 "up to 256"; else 6282) */
    EMU_SHORT_6C = 2,         /* T=0: 6Cxx, xx = the bytes left */
};

struct scb_emu {
    uint8_t atr[SCB_ATR_MAX];
    size_t atr_len;
    int t0;                   /* 61xx for case 4, 6Cxx for wrong Le */
    enum emu_short_read short_read;
    int sfi;                  /* READ BINARY / RECORD by short file identifier accepted */
    uint16_t sfi_sw;          /* the refusal when not (6A81, 6A82 or 6986) */
    int sm_61xx;              /* T=1: a wrapped command without Le that has data answers 61xx */
    int keep_ef;              /* lenient: re-selecting the current DF keeps the current EF */
    int ef_pin_template;      /* EF FCPs carry the PIN template (C6) too, not only the ADF's */
    uint16_t iu_sw;           /* INITIALIZE UPDATE always answered with this SW (0 = serve) */
    unsigned channels;        /* logical channels besides 0; 0 -> 6881 */
    size_t max_response;      /* at most this many data bytes per response (<= 256) */
    /* PIN */
    int has_pin;
    char pin[9];
    uint8_t pin_ref;
    uint8_t pin_pad;          /* pad character of the stored PIN */
    size_t pin_stored;        /* stored length: VERIFY carries exactly this many bytes */
    unsigned pin_tries_max, pin_tries;
    int pin_verified;
    /* file system */
    struct emu_df mf;
    struct emu_df apps[EMU_MAX_APPS];
    size_t napps;
    struct emu_channel ch[EMU_MAX_CHANNELS];
    uint8_t pending[256];     /* T=0 response waiting for GET RESPONSE */
    size_t pending_len;
    uint16_t pending_sw;      /* the status word that ends the pending response */
    /* SCP03 card side (emu_scp03.c) */
    int has_scp03;
    uint8_t k_enc[32], k_mac[32], k_dek[32];
    size_t k_len;
    uint8_t kvn;
    uint32_t sc_seq;          /* sequence counter: pseudo-random card challenges */
    struct emu_sc sc[EMU_MAX_CHANNELS];
    int in_secure;            /* the command being served arrived wrapped */
    /* reader side */
    int present;
    uint32_t events;
    enum scb_emu_fault fault;
    unsigned fault_n;
    uint16_t fault_sw;
    unsigned fault_count;     /* APDUs since the fault was armed */
    /* log */
    struct emu_log_entry *log;
    size_t log_len, log_cap;
};

struct emu_file *emu_find_file(struct emu_df *df, uint16_t fid);
/* The plain command dispatcher (emu.c), re-entered by the SCP03 layer for unwrapped commands. */
void emu_dispatch(struct scb_emu *e, const uint8_t *cmd, size_t clen, struct emu_rsp *r);
/* SCP03: returns 1 when it handled the command (GP class, wrapped, or refused as plain). */
int emu_scp03_handle(struct scb_emu *e, const struct scb_apdu *a, unsigned ch, struct emu_rsp *r);
void emu_scp03_reset(struct scb_emu *e);
void emu_scp03_end(struct scb_emu *e, unsigned ch);
/* T=0: move r's data to the pending GET RESPONSE buffer and answer 61xx instead. */
void emu_announce(struct scb_emu *e, struct emu_rsp *r);
void emu_free_contents(struct scb_emu *e);

#endif
