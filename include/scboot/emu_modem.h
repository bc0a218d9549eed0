/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot modem simulator (pcsc/emu/emu_modem.c): an LTE/NB-IoT modem's AT port in front of an
 * emulated card (emu.h), served on a file descriptor (a pseudo-terminal, a socketpair). It
 * answers the 3GPP TS 27.007 SIM commands (+CSIM, +CCHO, +CGLA, +CCHC, +CRSM, +CPIN?, +CGSN,
 * +CCID) and can behave like the messy modems of the field: echo, unsolicited result codes
 * in the middle of an answer, answers in pieces, numeric or verbose errors, 61xx fetched or
 * passed through, session ids that are not channel numbers, refused commands, slow answers;
 * and like a hostile one (endless URCs, a line without end, a lying length, another
 * command's answer). Downstream projects link libscboot-emu and serve it on one end of a
 * socketpair or on a pty to test their own AT SIM code; scboot-vmodem serves it on a pty.
 *
 * Threads: a simulator and the emulated card behind it are used by one thread at a time
 * (serve, insert, remove and swap included); distinct simulators are independent.
 */
#ifndef SCBOOT_EMU_MODEM_H
#define SCBOOT_EMU_MODEM_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/emu.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/** How a hostile simulated modem misbehaves (scb_emu_modem_opts.hostile). */
enum scb_emu_modem_hostile {
    SCB_EMU_MODEM_HONEST = 0,       /**< no hostility: a tidy or messy but honest modem */
    SCB_EMU_MODEM_URC_FLOOD = 1,    /**< every answer drowned in unsolicited lines */
    SCB_EMU_MODEM_NO_EOL = 2,       /**< card commands answered by a line that never ends */
    SCB_EMU_MODEM_LYING_LENGTH = 3, /**< +CSIM/+CGLA length larger than the data */
    SCB_EMU_MODEM_OTHER_ANSWER = 4, /**< card commands answered with another command's line */
};

/** How the simulated modem behaves; start from scb_emu_modem_opts_init() (a tidy modem). */
struct scb_emu_modem_opts {
    int echo;                /**< echo on at start and after ATZ, until ATE0 */
    int urcs;                /**< URCs between the information line and the final result */
    unsigned chunk;          /**< write answers in pieces of this many bytes (0: whole) */
    unsigned chunk_delay_ms; /**< pause between two pieces */
    unsigned latency_ms;     /**< before every answer */
    unsigned baud;           /**< simulate the byte time at this rate (0: none) */
    int cme_verbose;         /**< +CME ERROR: \<text\> whatever AT+CMEE says */
    int fetch_61xx;          /**< the modem sends GET RESPONSE on 61xx and re-sends on 6Cxx */
    int ccho_prefix;         /**< "+CCHO: <id>" rather than the bare id */
    unsigned session_base;   /**< session id = channel + session_base */
    int no_ccho;             /**< +CCHO refused (+CME ERROR: 4) */
    int no_csim_manage;      /**< MANAGE CHANNEL through +CSIM refused (+CME ERROR: 3) */
    int no_csim;             /**< no +CSIM/+CGLA/+CCHO at all: +CRSM only */
    unsigned slow_ms;        /**< answer every slow_every-th card command this late */
    unsigned slow_every;     /**< which card commands are slow (every n-th; 0: none) */
    int cpin_urcs;           /**< +CPIN: URCs on removal and insertion */
    enum scb_emu_modem_hostile hostile; /**< misbehave this way (SCB_EMU_MODEM_HONEST: not) */
    const char *imei;        /**< NULL: 356938035643809 */
    /** Room for options added within soname 1 without changing the struct's size: zeroed
     *  by scb_emu_modem_opts_init(), never set by the caller. */
    void *reserved[8];
};

/**
 * Set the defaults: a tidy modem (no echo, no URCs, whole answers at once, no delays, numeric
 * errors, 61xx passed through, bare +CCHO ids equal to the channel, every command accepted,
 * no hostility, the default IMEI 356938035643809).
 * \param o the options to initialise (may be NULL: no-op)
 */
void scb_emu_modem_opts_init(struct scb_emu_modem_opts *o);

/**
 * Every behaviour of a messy but honest modem switched on (echo, URCs inside answers,
 * answers in pieces, verbose errors, +CCHO: prefix, session ids that are not channel numbers,
 * slow answers), over what o holds.
 * \param o the options to change
 */
void scb_emu_modem_opts_messy(struct scb_emu_modem_opts *o);

/** A simulated modem: opaque. */
struct scb_emu_modem;

/**
 * A modem in front of e.
 * \param e borrowed: must outlive the modem
 * \param o copied; NULL for a tidy modem
 * \param out receives the modem, owned by the caller (scb_emu_modem_free())
 * \return SCB_OK, SCB_E_INVALID_ARG (e or out NULL) or SCB_E_NOMEM
 */
int scb_emu_modem_new(struct scb_emu *e, const struct scb_emu_modem_opts *o,
                      struct scb_emu_modem **out);
/**
 * Free *m (may be NULL or point to NULL) and set *m to NULL; the card emulator stays.
 * \param m the modem
 */
void scb_emu_modem_free(struct scb_emu_modem **m);
/**
 * Serve fd: wait up to timeout_ms for input, answer every complete command in it.
 * \param m          the modem
 * \param fd         the modem's side of the line (a pty master, a socket); borrowed
 * \param timeout_ms how long to wait for input
 * \return 0 (served or timed out), SCB_E_IO when fd was closed or failed
 */
int scb_emu_modem_serve(struct scb_emu_modem *m, int fd, unsigned timeout_ms);
/**
 * Take the SIM out, with the +CPIN: URC the modem sends (when cpin_urcs is set).
 * \param m  the modem
 * \param fd where the URC goes (< 0: none)
 */
void scb_emu_modem_remove(struct scb_emu_modem *m, int fd);
/**
 * Put the SIM back, with the +CPIN: URC the modem sends (when cpin_urcs is set).
 * \param m  the modem
 * \param fd where the URC goes (< 0: none)
 */
void scb_emu_modem_insert(struct scb_emu_modem *m, int fd);
/**
 * Put in another SIM: the same card data under another ICCID; open sessions are gone.
 * \param m     the modem
 * \param fd    where the +CPIN: URC goes (< 0: none)
 * \param iccid the new SIM's ICCID digits; copied
 * \return SCB_OK, SCB_E_INVALID_ARG (m or iccid NULL, an ICCID the emulator refuses)
 */
int scb_emu_modem_swap(struct scb_emu_modem *m, int fd, const char *iccid);
/**
 * Commands that reached the card (+CSIM, +CGLA, +CCHO, +CCHC, +CRSM).
 * \param m the modem
 * \return the count since scb_emu_modem_new
 */
unsigned scb_emu_modem_card_commands(const struct scb_emu_modem *m);
/**
 * APDUs sent to the card, with the GET RESPONSE and re-sent commands the modem adds itself
 * when fetch_61xx is set.
 * \param m the modem
 * \return the count since scb_emu_modem_new
 */
unsigned scb_emu_modem_apdus(const struct scb_emu_modem *m);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif
