#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""test_schemas.py SCBOOT DATA SCHEMADIR: what an LwM2M client reads validates against the
JSON Schemas shipped in doc/schema (the hand-off contract, doc/hand-off.md): the committed file
after `apply` (card and factory), `status --json` (empty, redacted, --show-secrets),
`check --json` (consistent, inconsistent, malformed) and `decode --json`.

Validated twice: with the schemas as shipped (open to members added later, as a client reads
them) and with a strict copy where every object that lists its members refuses any other, so
that a member scboot writes but the schemas do not document fails here. Schemas that accept
everything would pass both, so documents that break the contract must fail. TAP; skipped
(fails under SCBOOT_REQUIRE_PCSC=1, the full run) without python3-jsonschema."""
import copy
import json
import os
import re
import subprocess
import sys
import tempfile

SCBOOT, DATA, SCHEMAS = sys.argv[1:4]
try:
    import jsonschema
except ImportError:
    if os.environ.get("SCBOOT_REQUIRE_PCSC") == "1":
        print("1..1\nnot ok 1 - python3-jsonschema missing (tools/install-deps.sh --test)")
        sys.exit(1)
    print("1..0 # SKIP python3-jsonschema not installed (tools/install-deps.sh --test)")
    sys.exit(0)

results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(f"{'ok' if ok else 'not ok'} {len(results)} - {name}")
    if not ok and detail:
        for line in str(detail).splitlines()[:20]:
            print(f"# {line}")


def strict(node):
    """A copy where an object schema listing "properties" takes no other member."""
    if isinstance(node, dict):
        out = {k: strict(v) for k, v in node.items()}
        if "properties" in out and "additionalProperties" not in out \
                and "patternProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [strict(v) for v in node]
    return node


def load_schemas():
    out = {}
    for name in sorted(os.listdir(SCHEMAS)):
        if name.endswith(".schema.json"):
            with open(os.path.join(SCHEMAS, name), encoding="utf-8") as f:
                out[name] = json.load(f)
    return out


schemas = load_schemas()
check("doc/schema holds the config, store, check and hook schemas",
      {"scboot-config-1.schema.json", "scboot-store-1.schema.json",
       "scboot-check-1.schema.json", "scboot-hook-1.schema.json",
       "scboot-dump-1.schema.json"} <= set(schemas),
      sorted(schemas))
for name, s in schemas.items():
    try:
        jsonschema.Draft202012Validator.check_schema(s)
        good = s.get("$schema") == "https://json-schema.org/draft/2020-12/schema" and \
            s.get("$id") == name
        check(f"{name}: a valid draft 2020-12 schema, $id its file name", good)
    except jsonschema.SchemaError as e:
        check(f"{name}: a valid draft 2020-12 schema", False, e)


def undocumented(node, where="#"):
    """Object schemas and properties without a description (the contract is field by field)."""
    missing = []
    if isinstance(node, dict):
        if "properties" in node:
            for k, v in node["properties"].items():
                if isinstance(v, dict) and "description" not in v and "$ref" not in v:
                    missing.append(f"{where}/properties/{k}")
        for k, v in node.items():
            missing += undocumented(v, f"{where}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            missing += undocumented(v, f"{where}/{i}")
    return missing


for name, s in schemas.items():
    miss = undocumented(s)
    check(f"{name}: every member has a description", not miss and "description" in s, miss)


def uri(name):
    """The $ids are relative: the files resolve each other from the folder they are in."""
    return "file://" + os.path.abspath(os.path.join(SCHEMAS, name))


def validator(name, is_strict):
    store = {uri(n): (strict(s) if is_strict else s) for n, s in schemas.items()}
    root = store[uri(name)]
    resolver = jsonschema.RefResolver(base_uri=uri(name), referrer=root, store=store)
    return jsonschema.Draft202012Validator(root, resolver=resolver)


def errors(name, doc):
    out = []
    for is_strict in (False, True):
        for e in validator(name, is_strict).iter_errors(doc):
            out.append(f"{'strict: ' if is_strict else ''}{e.json_path}: {e.message}")
    return out


def run(*args, want=0):
    p = subprocess.run([SCBOOT, *args], capture_output=True, text=True, check=False)
    if p.returncode != want:
        raise AssertionError(f"scboot {' '.join(args)}: exit {p.returncode}, not {want}: "
                             f"{p.stderr}")
    return p.stdout


def valid(what, schema, text, fmt):
    try:
        doc = json.loads(text) if isinstance(text, str) else text
    except ValueError as e:
        check(f"{what}: JSON", False, e)
        return None
    errs = errors(schema, doc)
    if fmt is not None and isinstance(doc, dict) and doc.get("format") != fmt:
        errs.append(f"format {doc.get('format')!r}, not {fmt!r}")
    check(f"{what}: valid against {schema}", not errs, "\n".join(errs))
    return doc


def invalid(what, schema, doc):
    check(f"{what}: refused by {schema}", bool(list(validator(schema, False).iter_errors(doc))))


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


STORE, CONFIG, CHECK, DUMP = ("scboot-store-1.schema.json", "scboot-config-1.schema.json",
                              "scboot-check-1.schema.json", "scboot-dump-1.schema.json")
# every value kind of the configuration shape: strings, numbers, booleans, hex, an object
# link, a multiple resource, secrets (/0/x/5, /21/x/0), an explicit version, an unknown object
RICH = {"objects": {
    "0": {"version": "1.1", "instances": {
        "0": {"resources": {"0": "coaps://bs.example.com:5684", "1": True, "2": 0,
                            "3": {"hex": "62732D6964"},
                            "5": {"hex": "00112233445566778899AABBCCDDEEFF"}}},
        "1": {"resources": {"0": "coap://dm1.example.com:5683", "1": False, "2": 3,
                            "10": 101, "17": "21:0"}}}},
    "1": {"version": "implicit", "instances": {
        "0": {"resources": {"0": 101, "1": 86400, "6": False, "7": "U"}}}},
    "2": {"version": "implicit", "instances": {
        "0": {"resources": {"0": 1, "1": 0, "2": {"101": 31, "0": 1}, "3": 101}}}},
    "21": {"version": "implicit", "instances": {
        "0": {"resources": {"0": {"hex": "0102030405060708090A0B0C0D0E0F10"},
                            "1": {"hex": "AA"}}}}},
    "3": {"version": "implicit", "instances": {
        "0": {"resources": {"0": "Maker", "13": 1700000000}}}}}}

with tempfile.TemporaryDirectory(prefix="scboot-schemas.") as T:
    try:
        empty = os.path.join(T, "empty")
        os.mkdir(empty, 0o700)
        valid("status --json, nothing committed", STORE,
              run("status", "--json", "--state-dir", empty), "scboot-store-1")

        card = os.path.join(T, "card")
        run("apply", "-r", f"virtual:{DATA}/standard.json", "--state-dir", card)
        doc = valid("committed file after apply -r virtual:standard.json", STORE,
                    read(os.path.join(card, "config.json")), "scboot-store-1")
        check("... card fingerprint and card provenance", doc is not None and
              doc["card"] is not None and doc["provenance"].get("/0/0") == "card")
        valid("status --json after apply (card)", STORE,
              run("status", "--json", "--state-dir", card), "scboot-store-1")

        rich = os.path.join(T, "rich.json")
        with open(rich, "w", encoding="utf-8") as f:
            json.dump(RICH, f)
        fac = os.path.join(T, "factory")
        run("apply", "--no-card", "--factory", rich, "--state-dir", fac)
        doc = valid("committed file after apply --factory (every value kind)", STORE,
                    read(os.path.join(fac, "config.json")), "scboot-store-1")
        check("... the secrets are in clear in the committed file",
              doc is not None and "hex" in doc["objects"]["0"]["instances"]["0"]["resources"]["5"])
        doc = valid("status --json (secrets redacted)", STORE,
                    run("status", "--json", "--state-dir", fac), "scboot-store-1")
        check("... /0/0/5 and /21/0/0 redacted", doc is not None and
              doc["objects"]["0"]["instances"]["0"]["resources"]["5"].get("redacted") is True and
              doc["objects"]["21"]["instances"]["0"]["resources"]["0"].get("redacted") is True)
        valid("status --json --show-secrets", STORE,
              run("status", "--json", "--show-secrets", "--state-dir", fac), "scboot-store-1")

        doc = valid("check --json, consistent", CHECK,
                    run("check", "--json", f"{DATA}/anjay_ef126.bin"), "scboot-check-1")
        check("... consistent: true", doc is not None and doc["consistent"] is True)
        doc = valid("check --json, inconsistent", CHECK,
                    run("check", "--json", "--no-acl", f"{DATA}/multi_server_acl.json", want=1),
                    "scboot-check-1")
        check("... consistent: false with violations", doc is not None and
              doc["consistent"] is False and len(doc["violations"]) > 0)
        with open(f"{DATA}/anjay_ef126.bin", "rb") as f:
            head = f.read(40)
        trunc = os.path.join(T, "trunc.bin")
        with open(trunc, "wb") as f:
            f.write(head)
        doc2 = valid("check --json, malformed file", CHECK, run("check", "--json", trunc, want=4),
                     "scboot-check-1")
        # the identifiers are those of the rule catalogue the schema points to
        with open(os.path.join(SCHEMAS, "..", "rules.md"), encoding="utf-8") as f:
            catalogue = set(re.findall(r"^\| `([a-z0-9-]+)` \|", f.read(), re.MULTILINE))
        seen = {v["rule"] for d in (doc, doc2) if d for v in d["violations"]}
        check("... their rules are in doc/rules.md", seen and seen <= catalogue,
              sorted(seen - catalogue))

        valid("decode --json", CONFIG, run("decode", "--json", f"{DATA}/anjay_ef126.bin"),
              "scboot-config-1")
        valid("decode --json --show-secrets", CONFIG,
              run("decode", "--json", "--show-secrets", f"{DATA}/anjay_ef126.bin"),
              "scboot-config-1")
        valid("a configuration file as encode reads it (no format)", CONFIG, RICH, None)

        keys, pin = os.path.join(T, "keys"), os.path.join(T, "pin")
        with open(f"{DATA}/scp03_keys.txt", encoding="utf-8") as f:
            key_text = f.read()
        for path, text in ((keys, key_text), (pin, "1234\n")):
            with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w", encoding="utf-8") as f:
                f.write(text)
        for what, profile, args in (("", "standard", []),
                                    (", private object behind a PIN", "pin", ["--pin-file", pin]),
                                    (", through SCP03", "scp03", ["--scp03-keys", keys])):
            doc = valid(f"dump --json{what}", DUMP,
                        run("dump", "--json", "-r", f"virtual:{DATA}/{profile}.json", *args),
                        "scboot-dump-1")
        check("... secure_channel true through SCP03", doc is not None and
              doc["secure_channel"] is True)

        # a later major is refused by scboot itself, saying so (never half-read)
        with open(os.path.join(card, "config.json"), encoding="utf-8") as f:
            doc = json.load(f)
        doc["format"] = "scboot-store-2"
        with open(os.path.join(card, "config.json"), "w", encoding="utf-8") as f:
            json.dump(doc, f)
        p = subprocess.run([SCBOOT, "status", "--json", "--state-dir", card],
                           capture_output=True, text=True, check=False)
        check("status of a store a later release wrote: exit 4, 'newer than this scboot reads'",
              p.returncode == 4 and p.stdout == "" and "newer than this scboot reads "
              "(scboot-store-1)" in p.stderr and "damaged" not in p.stderr, p.stderr)
        p = subprocess.run([SCBOOT, "apply", "--no-card", "--state-dir", card],
                           capture_output=True, text=True, check=False)
        with open(os.path.join(card, "config.json"), encoding="utf-8") as f:
            kept = json.load(f)["format"] == "scboot-store-2"
        check("apply over it: exit 4, the newer store left as it is",
              p.returncode == 4 and "newer than this scboot reads" in p.stderr and kept, p.stderr)
        later = dict(RICH, format="scboot-config-2")
        with open(rich, "w", encoding="utf-8") as f:
            json.dump(later, f)
        p = subprocess.run([SCBOOT, "encode", rich, "-o", os.path.join(T, "x.bin")],
                           capture_output=True, text=True, check=False)
        check("encode of a scboot-config-2 file: exit 4, nothing written",
              p.returncode == 4 and "newer than this scboot reads" in p.stderr and
              not os.path.exists(os.path.join(T, "x.bin")), p.stderr)
    except AssertionError as e:
        check("scboot ran as expected", False, e)

# the schemas are not vacuous: what breaks the contract is refused
base = {"format": "scboot-store-1", "objects": {}, "generation": 1,
        "committed_at": "2026-12-06T10:00:00Z", "provenance": {}, "card": None}


def with_(**kw):
    d = copy.deepcopy(base)
    d.update(kw)
    return d


def res(value):
    return {"0": {"version": "implicit", "instances": {"0": {"resources": {"0": value}}}}}


invalid("a store of a later major", STORE, with_(format="scboot-store-2"))
invalid("a store without generation", STORE, {k: v for k, v in base.items() if k != "generation"})
invalid("provenance other than card/factory/network", STORE, with_(provenance={"/0/0": "moon"}))
invalid("a provenance key that is not /OID/IID", STORE, with_(provenance={"0/0": "card"}))
invalid("an ID with a leading zero", STORE, with_(objects={"00": {"version": "implicit",
                                                                    "instances": {}}}))
invalid("odd hex", STORE, with_(objects=res({"hex": "ABC"})))
invalid("a redacted value without its hash", STORE, with_(objects=res({"redacted": True,
                                                                       "length": 3})))
invalid("a value that is a list", STORE, with_(objects=res([1, 2])))
invalid("a card fingerprint with a short hash", STORE, with_(card={
    "iccid": "1", "sha256": "00", "reader": "r", "aid": "", "path": ""}))
invalid("a check verdict that is not a boolean", CHECK,
        {"format": "scboot-check-1", "consistent": "yes", "violations": []})
invalid("a violation of severity info", CHECK, {
    "format": "scboot-check-1", "consistent": True,
    "violations": [{"rule": "x", "severity": "info", "path": "/", "message": "m"}]})

print(f"1..{len(results)}")
sys.exit(0 if all(results) else 1)
