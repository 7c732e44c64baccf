#!/usr/bin/env python3
"""Count the source lines of a Linux kernel tree per subsystem bucket.

Usage: python3 count_lines.py /usr/src/linux-source-6.1.tar.xz > lines-6.1.tsv

Reads the tarball as a stream (Debian's linux-source-6.1 package) and counts
the physical lines of every .c, .h and .S file, grouped by the bucket rule
of the CVE data: the directory cut to 2 levels, or 3 under drivers/, arch/
and sound/ (a top-level file is its own bucket). Output: `bucket<TAB>files
<TAB>lines`, sorted by bucket, after `#` lines naming the source.
"""
import collections
import os
import sys
import tarfile


def bucket_of(path):
    parts = [p for p in path.split("/") if p]
    dirs = parts[:-1]
    if not dirs:
        return "/".join(parts)
    depth = 3 if dirs[0] in ("drivers", "arch", "sound") else 2
    return "/".join(dirs[:depth])


def main():
    source = sys.argv[1]
    files = collections.Counter()
    lines = collections.Counter()
    with tarfile.open(source, "r|*") as tar:
        for member in tar:
            if not member.isfile():
                continue
            name = member.name.split("/", 1)[1] if "/" in member.name else member.name
            if not name.endswith((".c", ".h", ".S")):
                continue
            data = tar.extractfile(member).read()
            b = bucket_of(name)
            files[b] += 1
            lines[b] += data.count(b"\n")
    print(f"#source\t{os.path.basename(source)}")
    print("#counted\tphysical lines of .c, .h and .S files, per bucket")
    print("bucket\tfiles\tlines")
    for b in sorted(lines):
        print(f"{b}\t{files[b]}\t{lines[b]}")


if __name__ == "__main__":
    main()
