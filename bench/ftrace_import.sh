#!/usr/bin/env bash
# Benchmark: importing a large function_graph trace with aprof against the
# shell pipeline people use for the same count,
#   grep -oE '[A-Za-z_$.][A-Za-z0-9_$.]*\(\)' | sort | uniq -c
# on the same file (in the C locale, its fastest, and in C.UTF-8, this
# machine's default), every process pinned to one CPU, variants interleaved,
# ROUNDS rounds, medians reported. Not a test; prints the table of
# BENCHMARKS.md ("Kernel-function trace import").
#
# The big file (SIZE_MB, default 320) is made here from the real traces of
# crates/record/tests/fixtures/ftrace (QEMU guest, Debian 6.1 kernel),
# repeated; it is not committed. Needs: gzip, GNU time (/usr/bin/time),
# util-linux (taskset).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
SIZE_MB=${SIZE_MB:-320}
CPU=${CPU:-1}
work=$(mktemp -d /tmp/aprof-bench-ftrace.XXXXXX)
trap 'rm -rf "$work"' EXIT

cargo build --release -q -p aprof
cargo build --release -q -p aprof-record --example ftrace_count
aprof=target/release/aprof
count=target/release/examples/ftrace_count

# The big trace: the default layout (cpu + duration), funcgraph-proc, and
# the published options (proc, no duration), as captured.
fx=crates/record/tests/fixtures/ftrace
for f in graph-cat graph-net graph-published graph-overwrite; do
  gzip -dc "$fx/$f.txt.gz"
done > "$work/unit.txt"
big="$work/big.txt"
: > "$big"
while [ "$(stat -c %s "$big")" -lt $((SIZE_MB * 1000000)) ]; do
  cat "$work/unit.txt" >> "$big"
done
bytes=$(stat -c %s "$big")
cat "$big" > /dev/null # into the page cache

# The same answer, or the comparison means nothing.
LC_ALL=C grep -oE '[A-Za-z_$.][A-Za-z0-9_$.]*\(\)' "$work/unit.txt" | sed 's/()$//' | LC_ALL=C sort | uniq -c |
  awk '{printf "%d %s\n", $1, $2}' > "$work/ref.txt"
"$count" "$work/unit.txt" 2>/dev/null | awk '{printf "%d %s\n", $1, $2}' | LC_ALL=C sort -k2 > "$work/got.txt"
LC_ALL=C sort -k2 "$work/ref.txt" | cmp -s - "$work/got.txt" || { echo "aprof and grep|sort|uniq disagree" >&2; exit 1; }

variants=(pipeline pipeline-utf8 parse import import-filters)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# One timed run of a variant: "wall user sys" appended to the times file.
timed() {
  local t=(/usr/bin/time -f "$1 %e %U %S" -a -o "$work/times" taskset -c "$CPU")
  case $1 in
    pipeline) "${t[@]}" sh -c "LC_ALL=C grep -oE '[A-Za-z_\$.][A-Za-z0-9_\$.]*\\(\\)' '$big' | LC_ALL=C sort | uniq -c > /dev/null" ;;
    pipeline-utf8) "${t[@]}" sh -c "LC_ALL=C.UTF-8 grep -oE '[A-Za-z_\$.][A-Za-z0-9_\$.]*\\(\\)' '$big' | LC_ALL=C.UTF-8 sort | uniq -c > /dev/null" ;;
    parse) "${t[@]}" "$count" --quiet "$big" 2> /dev/null ;;
    import) "${t[@]}" "$aprof" import "$big" --no-filters -o - > /dev/null 2>&1 ;;
    import-filters) "${t[@]}" "$aprof" import "$big" -o - > /dev/null 2>&1 ;;
  esac
}
for r in $(seq "$ROUNDS"); do
  for v in "${variants[@]}"; do timed "$v"; done
done

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
echo "file: $bytes bytes (function_graph text, $(wc -l < "$big") lines); $ROUNDS rounds, pinned to CPU $CPU"
echo "load before: $load_before; $(nproc) CPUs"
printf '| %-22s | %8s | %8s | %9s | %9s | %14s |\n' variant "wall s" "CPU s" "MB/s wall" "MB/s CPU" "speed-up (CPU)"
printf '|%s|\n' "------------------------|---------:|---------:|----------:|----------:|---------------:"
pipe_cpu=$(awk '$1 == "pipeline" {print $3 + $4}' "$work/times" | median)
for v in "${variants[@]}"; do
  wall=$(awk -v v="$v" '$1 == v {print $2}' "$work/times" | median)
  cpu=$(awk -v v="$v" '$1 == v {print $3 + $4}' "$work/times" | median)
  awk -v v="$v" -v w="$wall" -v c="$cpu" -v b="$bytes" -v p="$pipe_cpu" 'BEGIN {
    printf "| %-22s | %8.2f | %8.2f | %9.0f | %9.0f | %13.1fx |\n", v, w, c, b / 1e6 / w, b / 1e6 / c, p / c }'
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "every run (variant wall user sys):"
sed 's/^/  /' "$work/times"
