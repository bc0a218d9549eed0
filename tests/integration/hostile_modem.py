#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""hostile_modem.py MODE LINK: a modem written independently of scboot's simulator that
misbehaves in one way, so the AT transport meets faults its own simulator would not make. It
answers the commands scboot sends at open (AT, ATE0, AT+CMEE) properly, then, for the card
commands:
  lag        answers every command with the previous command's answer
  endless    streams URCs without end after every command, never a final result
  drip       answers one byte every 50 ms (slower than any timeout)
  garbage    answers random bytes with CR/LF and NUL, never a final result
  huge       +CSIM: 4294967296,"9000" (a length past any integer a parser may hold)
  reset      the modem resets during a card command: ^SYSSTART, RDY, echo back on
  doubleok   every answer ends with OK twice (the stray OK must not answer the next command)
The card behind the honest answers has no file (6A82): reset and doubleok must end in the
card's own "not found", which shows the stray lines were not taken for an answer.
A pseudo-terminal, raw slave kept open, LINK a symbolic link to it (doc/testing.md)."""
import os, random, sys, time, tty, select

mode, link = sys.argv[1], sys.argv[2]
master, slave = os.openpty()
tty.setraw(slave)
try:
    os.unlink(link)
except FileNotFoundError:
    pass
os.symlink(os.ttyname(slave), link)
rnd = random.Random(7)
echo = False
prev = b"\r\nOK\r\n"
card_cmds = 0


def send(b):
    os.write(master, b)


def honest(cmd):
    """A plain answer: OK for setup, +CSIM 6A82 for APDUs, a session for +CCHO."""
    if cmd.startswith(b"AT+CSIM") or cmd.startswith(b"AT+CGLA"):
        return b"\r\n" + cmd[2:7] + b": 4,\"6A82\"\r\n\r\nOK\r\n"
    if cmd.startswith(b"AT+CCHO"):
        return b"\r\n1\r\n\r\nOK\r\n"
    if cmd.startswith(b"AT+CPIN?"):
        return b"\r\n+CPIN: READY\r\n\r\nOK\r\n"
    return b"\r\nOK\r\n"


buf = b""
while True:
    r, _, _ = select.select([master], [], [], 0.2)
    if not r:
        continue
    try:
        buf += os.read(master, 4096)
    except OSError:
        time.sleep(0.05)
        continue
    while b"\r" in buf:
        cmd, buf = buf.split(b"\r", 1)
        cmd = cmd.strip(b"\n")
        if echo:
            send(cmd + b"\r")
        card = cmd[:7] in (b"AT+CSIM", b"AT+CGLA", b"AT+CCHO", b"AT+CCHC", b"AT+CCID")
        if not card:
            if cmd == b"ATE0":
                echo = False
            send(honest(cmd))
            continue
        card_cmds += 1
        if mode == "lag":
            send(prev)
            prev = honest(cmd)
        elif mode == "endless":
            try:
                while True:
                    send(b"\r\n+CEREG: 1,\"00AB\",\"0000CDEF\",7\r\n")
                    time.sleep(0.001)
            except OSError:
                time.sleep(0.2)
        elif mode == "drip":
            for ch in honest(cmd).replace(b"4,\"6A82\"", b"4,\"6A82\"" + b" " * 200):
                send(bytes([ch]))
                time.sleep(0.05)
        elif mode == "garbage":
            send(bytes(rnd.choice(b"\r\n\x00+CSIM:,\"0123456789ABCDEF\xff") for _ in range(3000)))
        elif mode == "huge":
            send(b"\r\n+CSIM: 4294967296,\"9000\"\r\n\r\nOK\r\n")
        elif mode == "reset":
            # reset while the command is in flight: boot URCs, echo back on, then the answer
            echo = True
            send(b"\r\n^SYSSTART\r\n\r\nRDY\r\n\r\n+CPIN: READY\r\n")
            send(b"\r\n+CME ERROR: 21\r\n" if cmd.startswith(b"AT+CGLA") else honest(cmd))
        elif mode == "doubleok":
            send(honest(cmd) + b"\r\nOK\r\n")
