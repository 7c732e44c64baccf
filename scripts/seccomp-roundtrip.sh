#!/usr/bin/env bash
# Round-trip real programs through `aprof seccomp validate` and print, per
# program: whether the generated profile let it run (denials), how many
# syscalls and argument rules the profile holds, and how long record plus
# rerun took. The figures behind the round-trip tests
# (crates/cli/tests/seccomp_roundtrip.rs), for reports and regressions.
#
# Usage: scripts/seccomp-roundtrip.sh [path/to/aprof]   (default: target/debug/aprof)
# Needs root (ptrace, seccomp) and python3; programs not installed are skipped.
set -euo pipefail

aprof=${1:-target/debug/aprof}
[ -x "$aprof" ] || { echo "no aprof binary at $aprof (cargo build first)" >&2; exit 2; }
aprof=$(cd "$(dirname "$aprof")" && pwd)/$(basename "$aprof")
command -v python3 >/dev/null || { echo "python3 is needed to read the profiles" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
python3 - <<'EOF'
import random
random.seed(1)
with open("words.txt", "w") as f:
    for i in range(200000):
        f.write("%016x line %d\n" % (random.getrandbits(64), i))
EOF
mkdir -p tree/a/b tree/c && cp words.txt tree/a/b/ && cp words.txt tree/c/
cat > threads.py <<'EOF'
import threading, hashlib
def work(i):
    h = hashlib.sha256()
    for k in range(20000): h.update(str(k * i).encode())
ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for t in ts: t.start()
for t in ts: t.join()
EOF
cat > git.sh <<EOF
export HOME=$work GIT_CONFIG_NOSYSTEM=1
r=\$(mktemp -d -p $work) && cd "\$r" && git init -q && echo a > f && git add f &&
git -c user.name=t -c user.email=t@example.com commit -qm first
EOF

workloads=(
  "ls -la tree"
  "cat words.txt"
  "sort -k2 words.txt -o sorted.txt"
  "sort --parallel=2 -S 64M words.txt -o sorted2.txt"
  "find tree -name *.txt"
  "tar czf out.tgz tree"
  "dd if=/dev/zero of=zero.bin bs=64k count=64 status=none"
  "sh -c gzip\040-9\040-c\040words.txt\040>words.gz"
  "sh -c xz\040-T2\040-c\040words.txt\040>words.xz"
  "openssl dgst -sha256 words.txt"
  "sqlite3 :memory: create\040table\040t(a);insert\040into\040t\040values(1);select\040*\040from\040t;"
  "sh git.sh"
  "python3 threads.py"
  "sh -c cat\040words.txt|grep\040'line\0401'|sort\040-r|head\040-n\0405|wc\040-l"
)

printf '%-52s %-5s %7s %8s %6s %7s\n' "workload" "pass" "denied" "syscalls" "rules" "seconds"
for w in "${workloads[@]}"; do
  # Words are split on spaces; \040 stands for a space inside one argument.
  read -r -a argv <<<"$w"
  for i in "${!argv[@]}"; do argv[$i]=$(printf '%b' "${argv[$i]//\\040/\\0040}"); done
  if ! command -v "${argv[0]}" >/dev/null; then
    printf '%-52s skipped: %s not installed\n' "${w:0:52}" "${argv[0]}"
    continue
  fi
  start=$(date +%s.%N)
  "$aprof" seccomp validate --json -o profile.json -- "${argv[@]}" >out.txt 2>err.txt && rc=0 || rc=$?
  end=$(date +%s.%N)
  python3 - "$w" "$rc" "$start" "$end" <<'EOF'
import json, sys
w, rc, start, end = sys.argv[1].replace("\\040", " "), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
text = open("out.txt", errors="replace").read()
i = text.rfind("\n{\n") + 1 if "\n{\n" in text else (0 if text.startswith("{\n") else -1)
if rc > 1 or i < 0:
    print("%-52s error (exit %d): %s" % (w[:52], rc, open("err.txt").read().strip().splitlines()[-1:]))
    sys.exit(0)
report = json.loads(text[i:])
profile = json.load(open("profile.json"))
names = {n for e in profile["syscalls"] if e["action"] != profile["defaultAction"] for n in e["names"]}
rules = sum(1 for e in profile["syscalls"] if e.get("args"))
denied = ",".join(d["syscall"] for d in report["denials"]) or "0"
print("%-52s %-5s %7s %8d %6d %7.2f" % (w[:52], "yes" if report["pass"] else "NO", denied, len(names), rules, end - start))
EOF
done
