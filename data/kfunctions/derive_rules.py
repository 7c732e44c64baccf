#!/usr/bin/env python3
"""Derive kernel function-name rules (name prefix or exact name -> subsystem
bucket) from a dump of a vmlinux's functions and their DWARF source files,
and measure how well rules derived this way place functions they were not
derived from.

Input: `name<TAB>file` lines, as printed by
`cargo run --release -p aprof-density --example kfunc_files -- VMLINUX`
(file `-` when DWARF has none). Buckets are the CVE data's: the directory cut
to 2 levels, 3 under drivers/, arch/ and sound/ (aprof_density::bucket_of).

Usage: derive_rules.py FUNCTIONS.tsv "KERNEL" | gzip -9n > rules.tsv.gz
(KERNEL names the vmlinux in the output's header; the report goes to stderr)
"""

import collections
import random
import sys

MIN_NAMES = 3       # a prefix rule needs this many functions behind it
MIN_PRECISION = 0.9  # ... and this share of them in its bucket
FOLDS = 5


def bucket_of(path):
    parts = [p for p in path.split("/") if p]
    if not parts:
        return ""
    dirs = parts[:-1]
    if not dirs:
        return "/".join(parts)
    depth = 3 if dirs[0] in ("drivers", "arch", "sound") else 2
    return "/".join(dirs[:depth])


def base_name(name):
    dot = name.find(".")
    return name if dot <= 0 else name[:dot]


def prefixes(name):
    """`tcp_v4_connect` -> `tcp_`, `tcp_v4_` (ends at an underscore, not
    only underscores)."""
    out = []
    for i, c in enumerate(name[:-1]):
        if c == "_" and name[: i + 1].strip("_"):
            out.append(name[: i + 1])
    return out


def load(path):
    votes = collections.defaultdict(collections.Counter)
    for line in open(path, encoding="utf-8"):
        name, _, file = line.rstrip("\n").partition("\t")
        if not file or file == "-":
            continue
        votes[base_name(name)][bucket_of(file)] += 1
    # A name several static functions share: its most common bucket.
    return {n: c.most_common(1)[0][0] for n, c in votes.items()}


def derive(truth):
    """Prefix rules, top-down: a prefix becomes a rule when enough names
    share it, most of them are in one bucket, and that bucket differs from
    the rule it would otherwise inherit."""
    counts = collections.defaultdict(collections.Counter)
    for name, bucket in truth.items():
        for p in prefixes(name):
            counts[p][bucket] += 1
    children = collections.defaultdict(list)
    for p in counts:
        # The parent of `tcp_v4_` is the longest shorter prefix: `tcp_`.
        q = p[:-1]
        cut = q.rfind("_")
        parent = None
        while cut > 0:
            cand = q[: cut + 1]
            if cand in counts and cand.strip("_"):
                parent = cand
                break
            cut = q[:cut].rfind("_")
        children[parent].append(p)
    rules = {}
    stack = [(p, None) for p in children[None]]
    while stack:
        p, inherited = stack.pop()
        c = counts[p]
        n = sum(c.values())
        bucket, m = c.most_common(1)[0]
        here = inherited
        if n >= MIN_NAMES and m / n >= MIN_PRECISION and bucket != inherited:
            rules[p] = bucket
            here = bucket
        stack.extend((q, here) for q in children[p])
    return rules


def apply(rules, exact, name):
    base = base_name(name)
    if base in exact:
        return exact[base]
    best = None
    for i in range(len(base), 0, -1):
        if base[:i] in rules:
            best = rules[base[:i]]
            break
    return best


def evaluate(truth):
    names = sorted(truth)
    random.Random(12).shuffle(names)
    covered = correct = 0
    for k in range(FOLDS):
        test = names[k::FOLDS]
        train = {n: truth[n] for i, n in enumerate(names) if i % FOLDS != k}
        rules = derive(train)
        for n in test:
            got = apply(rules, {}, n)
            if got is not None:
                covered += 1
                correct += got == truth[n]
    return covered, correct, len(names)


def main():
    truth = load(sys.argv[1])
    covered, correct, total = evaluate(truth)
    rules = derive(truth)
    # Exact rows for the names the prefix rules leave out or misplace.
    exact = {n: b for n, b in truth.items() if apply(rules, {}, n) != b}
    print("# Kernel function name -> subsystem bucket (see README.md).", file=sys.stdout)
    source = sys.argv[2] if len(sys.argv) > 2 else sys.argv[1].split("/")[-1]
    print("# Made by derive_rules.py from the DWARF of %s." % source)
    print("# prefix: the longest matching name prefix; exact: the name (without .isra.0 etc.).")
    print("kind\tpattern\tbucket")
    for p in sorted(rules):
        print("prefix\t%s\t%s" % (p, rules[p]))
    for n in sorted(exact):
        print("exact\t%s\t%s" % (n, exact[n]))
    print(
        "functions with a DWARF file: %d\n"
        "prefix rules: %d, exact rows: %d\n"
        "%d-fold cross-validation of the prefix rules on names they were not made from:\n"
        "  covered %.1f%% of names, correct on %.1f%% of those (%.1f%% of all names)"
        % (
            total,
            len(rules),
            len(exact),
            FOLDS,
            100 * covered / total,
            100 * correct / max(covered, 1),
            100 * correct / total,
        ),
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
