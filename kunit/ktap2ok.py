#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn kunit.py's --json results into `ok kunit SUITE.CASE[.PARAM]` lines.

Also prints how many results cover the 0x90-0x9f opcode forms: the
results of fbt_emul's cases whose names start with `op9x` (each parameter of a
parameterized case is one result); fbt_emul.op9x_total_N_cases says the same N.
"""
import json
import sys


def walk(group, path, out):
    for sub in group.get("sub_groups", []):
        walk(sub, path + [sub["name"]], out)
    for case in group.get("test_cases", []):
        out.append((".".join(path + [case["name"]]), case["status"]))


def main():
    with open(sys.argv[1]) as f:
        root = json.load(f)
    results = []
    walk(root, [], results)
    failed = 0
    op9x = 0
    for name, status in results:
        if status in ("PASS", "SKIP"):
            skip = " # SKIP" if status == "SKIP" else ""
            print(f"ok kunit {name}{skip}")
        else:
            print(f"not ok kunit {name} ({status})")
            failed += 1
        if name.startswith("fbt_emul.op9x"):
            op9x += 1
    print(f"# kunit: {len(results)} results, {failed} failed; "
          f"{op9x} cases cover the 0x90-0x9f forms")
    if not results:
        print("not ok kunit no test results")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
