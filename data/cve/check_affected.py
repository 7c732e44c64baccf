#!/usr/bin/env python3
"""Count the CVEs that affect given kernel versions, straight from
kernel_cve_versions.csv.gz with the matching rules of the data's README.

An implementation independent of aprof's Rust code; the test
`crates/density/tests/patch_level.rs` runs it and compares the counts.

Usage: python3 check_affected.py VERSION...   (prints "VERSION COUNT" lines)
A range written 0-HI is taken to cover only HI's own branch (see
crates/density/src/affected.rs).
"""
import csv
import gzip
import io
import os
import re
import sys


def version(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)*)(?:-rc(\d+))?", text)
    if not m:
        raise SystemExit(f"bad version {text!r}")
    nums = [int(x) for x in m.group(1).split(".")]
    nums += [0] * (4 - len(nums))
    return (tuple(nums), int(m.group(2)) if m.group(2) else 10**9)


def branch(v):
    n = v[0]
    return n[:3] if n[0] < 3 else n[:2]


def affects(row, kernel):
    kv = version(kernel)
    b = branch(kv)
    for rng in filter(None, row["affected_ranges"].split(";")):
        inclusive = rng.endswith("+")
        lo, hi = rng.rstrip("+").split("-", 1)
        hi = version(hi)
        if lo == "0":
            if branch(kv) != branch(hi):
                continue
            lo = version("0.0")
        else:
            lo = version(lo)
        if lo <= kv and (kv <= hi if inclusive else kv < hi):
            return True
    introduced = [version(x) for x in filter(None, row["introduced"].split(";"))]
    if not introduced or all(b < branch(i) for i in introduced):
        return False
    fixed_stable = [version(x) for x in filter(None, row["fixed_stable"].split(";"))]
    same_branch = [f for f in fixed_stable if branch(f) == b]
    if same_branch:
        return kv < min(same_branch)
    if row["fixed_mainline"]:
        if kv >= version(row["fixed_mainline"]):
            return False
    elif fixed_stable and all(b > branch(f) for f in fixed_stable):
        return False
    return True


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernel_cve_versions.csv.gz")
    with gzip.open(path, "rb") as f:
        rows = list(csv.DictReader(io.TextIOWrapper(f, encoding="utf-8")))
    for kernel in sys.argv[1:]:
        print(kernel, sum(affects(r, kernel) for r in rows))


if __name__ == "__main__":
    main()
