#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Writes cert_names.h: certificates whose names the host-name check (RFC 6125) is tested on.
# Self-signed (the check looks only at the names), P-256, 100 years. Run from tests/data.
set -e
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
openssl ecparam -name prime256v1 -genkey -noout -out "$T/k" 2>/dev/null
cert() { # NAME SUBJECT [SAN]
    if [ -n "$3" ]; then ext="-addext subjectAltName=$3"; else ext=; fi
    openssl req -x509 -new -key "$T/k" -subj "$2" $ext -days 36500 -outform der \
        -out "$T/$1.der" 2>/dev/null
    printf '#define CERT_%s_HEX "%s"\n' "$1" "$(od -An -v -tx1 "$T/$1.der" | tr -d ' \n' | tr a-f A-F)"
}
{
    echo '/* SPDX-License-Identifier: Apache-2.0 */'
    echo '/* cert_names.h: written by make_cert_names.sh (names only matter). Test material. */'
    cert DNS /CN=ignored.example "DNS:localhost,DNS:bs.example.com"
    cert WILD /CN=wild "DNS:*.example.org"
    cert IP /CN=127.0.0.1 "IP:127.0.0.1,IP:::1"
    cert CN /CN=cn-only.example ""
    cert OTHER /CN=localhost "DNS:other.example"
    cert URI /CN=uri "URI:localhost,email:localhost"
} > cert_names.h
