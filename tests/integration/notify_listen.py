#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# notify_listen.py SOCKET OUT SECONDS: what systemd does for Type=notify, for tests: bind an
# AF_UNIX datagram socket ("/path" or "@abstract") and append every message to OUT, one
# datagram per line (newlines inside a datagram become '|'), until SECONDS pass quietly.
import socket
import sys

path, out, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + path[1:] if path.startswith("@") else path)
s.settimeout(secs)
with open(out, "a") as f:
    f.write("LISTENING\n")
    f.flush()
    try:
        while True:
            d = s.recv(4096).decode("utf-8", "replace")
            f.write(d.replace("\n", "|") + "\n")
            f.flush()
    except socket.timeout:
        pass
