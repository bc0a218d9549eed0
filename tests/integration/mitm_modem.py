#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""mitm_modem.py [--match CMD] [--nth N] [--all] KIND LINK VMODEM [VMODEM ARGS...]:
a hostile modem in front of an honest one. It starts scboot-vmodem (the card behind it is
real), forwards every command the client sends to it and passes its answers back, except the
answer to the N-th command that starts with CMD (or every one with --all), which KIND
mangles. So an attack lands in the middle of a real card walk (a READ BINARY of the
bootstrap file, the SCP03 handshake, a VERIFY PIN) and the client must either read the file
byte-exact or fail with an error; it must never take wrong bytes for the card's.

The client's pty: a raw slave kept open, LINK a symbolic link to it."""
import os, select, signal, subprocess, sys, time, tty

args = sys.argv[1:]
match, nth, every = b"AT+CSIM", 1, False
while args and args[0].startswith("--"):
    opt = args.pop(0)
    if opt == "--match":
        match = args.pop(0).encode()
    elif opt == "--nth":
        nth = int(args.pop(0))
    elif opt == "--all":
        every = True
kind, link, vmodem, vargs = args[0], args[1], args[2], args[3:]

up_link = link + ".up"
try:
    os.unlink(up_link)
except FileNotFoundError:
    pass
vm = subprocess.Popen([vmodem, "--link", up_link] + vargs)


def on_term(sig, frame):
    vm.terminate()
    vm.wait()
    for l in (link, up_link):
        try:
            os.unlink(l)
        except FileNotFoundError:
            pass
    os._exit(0)


signal.signal(signal.SIGTERM, on_term)
signal.signal(signal.SIGINT, on_term)
for _ in range(200):
    if os.path.islink(up_link):
        break
    time.sleep(0.05)
up = os.open(up_link, os.O_RDWR | os.O_NOCTTY)
tty.setraw(up)

master, slave = os.openpty()
tty.setraw(slave)
try:
    os.unlink(link)
except FileNotFoundError:
    pass
os.symlink(os.ttyname(slave), link)

FINALS = (b"OK", b"ERROR")


def is_final(line):
    return line in FINALS or line.startswith(b"+CME ERROR") or line.startswith(b"+CMS ERROR")


def ask(cmd):
    """The honest modem's whole answer to cmd (bytes), up to its final result."""
    os.write(up, cmd + b"\r")
    out, end = b"", time.time() + 10
    while time.time() < end:
        r, _, _ = select.select([up], [], [], 0.2)
        if r:
            out += os.read(up, 4096)
            lines = out.replace(b"\r", b"\n").split(b"\n")
            if any(is_final(l) for l in lines):
                return out
    return out


def send(b):
    try:
        os.write(master, b)
    except OSError:
        time.sleep(0.1)


def info_of(ans):
    for l in ans.replace(b"\r", b"\n").split(b"\n"):
        if l.startswith(b"+") and not is_final(l):
            return l
    return b""


prev = b"\r\nOK\r\n"
late = None
count = 0
buf = b""


def mangle(cmd, ans):
    """The hostile answer for cmd, whose honest answer is ans."""
    global late
    info = info_of(ans)
    pfx = info.split(b":")[0] if info else b"+CSIM"
    if b":" in info:
        val = info.split(b":", 1)[1].strip()
        ln, _, hx = val.partition(b",")
        hx = hx.strip(b'"')
    else:
        ln, hx = b"", b""
    k = kind
    if k == "endless-urc":
        t = time.time()
        while time.time() - t < 120:
            send(b"\r\n+CREG: 2\r\n")
            time.sleep(0.002)
        return b""
    if k == "endless-empty":  # CR LF without end: empty lines the parser skips
        t = time.time()
        while time.time() - t < 120:
            send(b"\r\n" * 64)
            time.sleep(0.002)
        return b""
    if k == "noeol":  # megabytes without an end of line
        for _ in range(4000):
            send(b"A" * 1000)
        return b""
    if k == "noeol-then-answer":
        send(b"X" * 5000)
        return ans
    if k == "nul":
        return ans.replace(b'"', b'"\x00', 1)
    if k == "cr-only":
        return ans.replace(b"\r\n", b"\r")
    if k == "lf-only":
        return ans.replace(b"\r\n", b"\n")
    if k == "utf8-urc":
        return b"\r\n\xc3\x28\xff\xfe\xe2\x82\r\n" + b"\r\n+\xf0\x9f\x92\xa9: \x1b[31m\r\n" + ans
    if k.startswith("len="):
        return b"\r\n" + pfx + b": " + k[4:].encode() + b',"' + hx + b'"\r\n\r\nOK\r\n'
    if k == "odd-hex":
        return b"\r\n" + pfx + b": " + str(len(hx) + 1).encode() + b',"' + hx + b'0"\r\n\r\nOK\r\n'
    if k == "hex-spaces":
        sp = b" ".join(hx[i:i + 2] for i in range(0, len(hx), 2))
        return b"\r\n" + pfx + b": " + str(len(sp)).encode() + b',"' + sp + b'"\r\n\r\nOK\r\n'
    if k == "lower-hex":  # honest, in lower case: must be accepted
        return ans.replace(hx, hx.lower())
    if k == "long-rsp":
        big = b"00" * 600 + b"9000"
        return b"\r\n" + pfx + b": " + str(len(big)).encode() + b',"' + big + b'"\r\n\r\nOK\r\n'
    if k == "long-rsp-fits-line":  # 300 bytes + SW: the line fits, the APDU buffer not
        big = b"00" * 300 + b"9000"
        return b"\r\n" + pfx + b": " + str(len(big)).encode() + b',"' + big + b'"\r\n\r\nOK\r\n'
    if k == "cgla-for-csim":
        return ans.replace(b"+CSIM:", b"+CGLA:")
    if k == "prev":  # the previous command's answer (one behind)
        return prev
    if k == "stale-first":  # an old answer arrives, then the right one
        return prev + ans
    if k == "late":  # no answer now; it comes before the next command's answer
        late = ans
        return b""
    if k == "echo-other":
        return b"AT+CSIM=10,\"00B0000000\"\r" + ans
    if k == "double-ok":
        return ans + b"\r\nOK\r\n"
    if k == "double-ok-later":
        late = b"\r\nOK\r\n"
        return ans
    if k == "ok-first":
        return b"\r\nOK\r\n" + ans.replace(b"\r\nOK\r\n", b"")
    if k == "error-ok":
        return b"\r\nERROR\r\n\r\nOK\r\n"
    if k == "error-then-ans":
        return b"\r\nERROR\r\n" + ans
    if k.startswith("cme="):
        return b"\r\n+CME ERROR: " + k[4:].encode() + b"\r\n"
    if k == "cme-esc":
        return b"\r\n+CME ERROR: \x1b]0;owned\x07\x1b[2J\x1b[31mred\r\n"
    if k.startswith("ccho="):
        return b"\r\n" + k[5:].encode() + b"\r\n\r\nOK\r\n"
    if k == "reset":
        return b"\r\n^SYSSTART\r\n\r\nRDY\r\n\r\n+CPIN: READY\r\n"
    if k == "stall":
        return b""
    if k == "two-info":
        return b"\r\n" + info + b"\r\n" + ans
    if k == "bare-urc":  # SIMCom's boot lines, no prefix, inside the answer
        return b"\r\nSMS DONE\r\n\r\nPB DONE\r\n" + ans
    if k == "sw-61ff":
        return b"\r\n" + pfx + b': 4,"61FF"\r\n\r\nOK\r\n'
    if k == "sw-6c":
        return b"\r\n" + pfx + b': 4,"6C10"\r\n\r\nOK\r\n'
    if k == "pin-data":
        d = b"31323334FFFFFFFF" + hx
        return b"\r\n" + pfx + b": " + str(len(d)).encode() + b',"' + d + b'"\r\n\r\nOK\r\n'
    if k == "flip":  # one bit of data flipped: SCP03 must notice, plain cannot
        if len(hx) > 6:
            hx2 = hx[:2] + (b"%02X" % (int(hx[2:4], 16) ^ 1)) + hx[4:]
            return ans.replace(hx, hx2)
        return ans
    raise SystemExit("unknown kind " + k)


while True:
    r, _, _ = select.select([master], [], [], 0.2)
    if vm.poll() is not None:
        break
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
        if not cmd:
            continue
        ans = ask(cmd)
        if os.environ.get("MITM_LOG"):
            sys.stderr.write("cmd %s -> %s\n" % (cmd[:60].decode(errors="replace"),
                                                 ans.strip()[:60].decode(errors="replace")))
        hit = False
        if cmd.startswith(match):
            count += 1
            hit = every or count == nth
        if hit:
            sys.stderr.write("mitm: %s on %s\n" % (kind, cmd[:40].decode(errors="replace")))
            out = mangle(cmd, ans)
        else:
            out = ans
            if late is not None:
                out = late + ans
                late = None
        send(out)
        prev = ans
