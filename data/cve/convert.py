#!/usr/bin/env python3
"""Build kernel_cves.tsv.gz (the compact table aprof embeds) from the
kernel_cves.csv and kernel_cves_legacy.csv files described in README.md, and
kernel_cve_versions.csv.gz (the per-branch versions, unchanged) from
kernel_cve_versions.csv.

Usage: python3 convert.py KERNEL_CVES_CSV LEGACY_CSV [KERNEL_CVE_VERSIONS_CSV]
Writes the .gz files next to this script, byte-for-byte reproducible
(gzip mtime 0). `aprof data update --vulns-repo PATH` writes the same formats.
"""
import csv
import gzip
import io
import os
import sys

DATA_DATE = "2026-08-21"
SOURCE = "linux kernel CNA vulns repo d9dda40c8f21126303839427ebc8652167302488 + nluedtke/linux_kernel_cves (legacy)"


def clean(value):
    return (value or "").replace("\t", " ").replace("\n", " ").strip()


def version(value):
    # v5.12-rc1 was retagged v5.12-rc1-dontuse; it is still 5.12-rc1.
    return clean(value).replace("-dontuse", "")


def main():
    cna_path, legacy_path = sys.argv[1], sys.argv[2]
    out = io.StringIO()
    out.write("#aprof-kernel-cves\t1\n")
    out.write(f"#data_date\t{DATA_DATE}\n")
    out.write(f"#source\t{SOURCE}\n")
    out.write("cve_id\torigin\tpublished\tfixed_in\tfixed_date\tintroduced_in\tintroduced_date\tcvss\tfiles\n")
    seen = set()
    with open(cna_path, newline="") as f:
        for r in csv.DictReader(f):
            seen.add(r["cve_id"])
            out.write("\t".join(clean(x) for x in [
                r["cve_id"], "cna", r["published_date"], r["fixed_in"], r["fixed_date"],
                r["introduced_in"], r["introduced_date"], r["cvss_score"], r["files"]]) + "\n")
    with open(legacy_path, newline="") as f:
        for r in csv.DictReader(f):
            if r["cve_id"] in seen:
                continue
            out.write("\t".join(clean(x) for x in [
                r["cve_id"], "legacy", "", version(r["fixed_in"]), r["fixed_date"],
                "", "", r["cvss3_score"], r["files"]]) + "\n")
    write_gz("kernel_cves.tsv.gz", out.getvalue().encode())
    if len(sys.argv) > 3:
        # The per-branch versions are embedded as they are, only compressed.
        with open(sys.argv[3], "rb") as f:
            write_gz("kernel_cve_versions.csv.gz", f.read())


def write_gz(name, data):
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    with open(target, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
            gz.write(data)


if __name__ == "__main__":
    main()
