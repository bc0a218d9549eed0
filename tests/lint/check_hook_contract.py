#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""check_hook_contract.py SRCDIR: the hook's documented environment is what the daemon sets.

The one list is doc/schema/scboot-hook-1.schema.json: its SCBOOT_EVENT values and its
properties (the variables). Compared with
  - the events the source can emit: the outcome names of scb_bootstrap_outcome_name() (found
    wherever it lives under bootstrap/; but commit-failed, which only a failed run gives) and every string literal tools/cmd_watch.c passes to
    run_hook() (a new daemon event such as a network bootstrap's is one more literal there);
  - the SCBOOT_* variables tools/cmd_watch.c writes ("SCBOOT_NAME=");
  - the documentation: doc/hand-off.md, doc/gateway.md, doc/scboot.1.scd and
    tools/on-change.example list every event and variable (the SCBOOT_EVENT "(a, b, ...)" list
    where they give one).
A new event fails here until the schema and the pages name it. TAP."""
import json
import os
import re
import sys

ROOT = sys.argv[1]
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(f"{'ok' if ok else 'not ok'} {len(results)} - {name}")
    if not ok and detail:
        print(f"# {detail}")


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


schema = json.loads(read("doc/schema/scboot-hook-1.schema.json"))
documented = [e["const"] for e in schema["properties"]["SCBOOT_EVENT"]["oneOf"]]
variables = set(schema["properties"])
check("the schema lists each event once", len(documented) == len(set(documented)), documented)
documented = set(documented)

# the outcome names, wherever bootstrap.c lives under bootstrap/
outcomes = None
for d, _, files in os.walk(os.path.join(ROOT, "bootstrap")):
    for name in files:
        if not name.endswith(".c"):
            continue
        with open(os.path.join(d, name), encoding="utf-8") as f:
            text = f.read()
        m = re.search(r"scb_bootstrap_outcome_name\(enum[^{]*\{[^}]*?names\[\]\s*=\s*\{([^}]*)\}",
                      text)
        if m:
            outcomes = set(re.findall(r'"([^"]+)"', m.group(1)))
check("scb_bootstrap_outcome_name's table found under bootstrap/", bool(outcomes))
outcomes = outcomes or set()
# an outcome that comes only with a failed run (the store's commit failed): the daemon fires
# no hook for a failed run, so it is no event
outcomes -= {"commit-failed"}

watch = read("tools/cmd_watch.c")
# every string literal among run_hook()'s arguments (a literal, or a choice of literals)
literals = set(lit for args in re.findall(r'\brun_hook\(\s*[^,]+,([^;]*)\);', watch)
               for lit in re.findall(r'"([^"]+)"', args))
emitted = outcomes | literals
check("every event the daemon can emit is in the schema's SCBOOT_EVENT",
      emitted <= documented, f"not documented: {sorted(emitted - documented)}")
check("every event the schema lists can be emitted", documented <= emitted,
      f"never emitted: {sorted(documented - emitted)}")

set_vars = set(re.findall(r'"(SCBOOT_[A-Z_]+)=', watch))
check("the variables cmd_watch.c sets are the schema's",
      set_vars == variables,
      f"set only: {sorted(set_vars - variables)}, documented only: {sorted(variables - set_vars)}")

for rel in ("doc/hand-off.md", "doc/gateway.md", "doc/scboot.1.scd", "tools/on-change.example"):
    text = read(rel).replace("\\", "").replace("`", "")
    text = re.sub(r"\n#\s*", "\n", text)  # comment lines of the example hook
    if rel == "doc/hand-off.md":
        words = set(re.findall(r"^\|\s*([a-z][a-z-]*)\s*\|", read(rel).replace("`", ""),
                               re.MULTILINE))
        where = "its event table"
    else:
        lists = re.findall(r"SCBOOT_EVENT\W*\(([^)]*)\)", text)
        words = set(w for one in lists for w in re.findall(r"[a-z][a-z-]*", one))
        where = "its SCBOOT_EVENT (...) list"
    check(f"{rel}: {where} names every event", documented <= words,
          f"missing: {sorted(documented - words)}")
    missing = sorted(v for v in variables if v not in text)
    check(f"{rel}: names every variable", not missing, f"missing: {missing}")

print(f"1..{len(results)}")
sys.exit(0 if all(results) else 1)
