#!/usr/bin/env bash
# Recorder overhead: wall time of a syscall-heavy loop and redis requests/s,
# native vs `aprof record` (seccomp, seccomp --errors, ptrace) vs `strace -f`.
#
# Method: tracer and tracee pinned to one CPU (taskset; cross-CPU wakeups are
# slow on the VMs we run on), variants interleaved within each round so that
# drift of the machine hits them alike, median of the rounds reported, and
# overheads compared as ratios. Not a test: it prints figures.
#
#   bench/record.sh                  # defaults below
#   ROUNDS=5 COUNT=500000 bench/record.sh
#   SKIP_REDIS=1 bench/record.sh
#
# Needs: strace, taskset (util-linux), /usr/bin/time; for the redis part
# redis-server and redis-tools (apt-get install -y redis-server redis-tools).
set -euo pipefail

cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
COUNT=${COUNT:-200000}          # dd bs=1 makes 2 syscalls per byte
CPU=${CPU:-1}                   # CPU for the workload and its tracer
CLIENT_CPU=${CLIENT_CPU:-0}     # CPU for redis-benchmark
REDIS_REQUESTS=${REDIS_REQUESTS:-20000}
REDIS_PORT=${REDIS_PORT:-6399}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
APROF=${APROF:-$TARGET_DIR/release/aprof}

if [[ -z "${APROF_PREBUILT:-}" ]]; then
    cargo build --release -q -p aprof
fi
[[ -x "$APROF" ]] || { echo "no aprof binary at $APROF" >&2; exit 1; }
command -v strace >/dev/null || { echo "strace is not installed" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.6f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# name -> command prefix
declare -A PREFIX=(
    [native]=""
    [aprof-seccomp]="$APROF record -q --mode seccomp -o $WORK/fp.json --"
    [aprof-seccomp-errors]="$APROF record -q --mode seccomp --errors -o $WORK/fp.json --"
    [aprof-ptrace]="$APROF record -q --mode ptrace -o $WORK/fp.json --"
    [strace]="strace -f -o /dev/null --"
)
ORDER=(native aprof-seccomp aprof-seccomp-errors aprof-ptrace strace)

echo "# Recorder overhead ($(date -u +%FT%TZ), $(uname -r), $(nproc) CPUs, rounds=$ROUNDS)"
echo
echo "## dd if=/dev/zero of=/dev/null bs=1 count=$COUNT status=none  (pinned to CPU $CPU)"
for round in $(seq "$ROUNDS"); do
    for v in "${ORDER[@]}"; do
        # %e wall seconds, %U+%S CPU seconds of the whole tree (tracer included).
        /usr/bin/time -f "%e %U %S" -o "$WORK/time" \
            taskset -c "$CPU" ${PREFIX[$v]} dd if=/dev/zero of=/dev/null bs=1 count="$COUNT" status=none
        read -r wall user sys <"$WORK/time"
        echo "$wall" >>"$WORK/dd-wall-$v"
        echo "$user $sys" | awk '{print $1+$2}' >>"$WORK/dd-cpu-$v"
    done
done
native_wall=$(median <"$WORK/dd-wall-native")
strace_wall=$(median <"$WORK/dd-wall-strace")
printf '%-22s %10s %10s %12s %14s %16s\n' variant "wall s" "cpu s" "x native" "us/syscall+" "overhead/strace"
for v in "${ORDER[@]}"; do
    wall=$(median <"$WORK/dd-wall-$v")
    cpu=$(median <"$WORK/dd-cpu-$v")
    awk -v v="$v" -v w="$wall" -v c="$cpu" -v n="$native_wall" -v s="$strace_wall" -v count="$COUNT" 'BEGIN {
        over = w - n; sover = s - n;
        printf "%-22s %10.2f %10.2f %12.1f %14.2f %16s\n", v, w, c, w / n,
            over * 1e6 / (2 * count), (v == "native" ? "-" : sprintf("%.2f", over / sover)) }'
done
echo "(us/syscall+: added wall time per syscall; overhead/strace: (t - native) / (t_strace - native))"

if [[ -n "${SKIP_REDIS:-}" ]]; then exit 0; fi
if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
    echo "redis-server/redis-benchmark missing: skipping the redis part" >&2
    exit 0
fi

echo
echo "## redis-server on 127.0.0.1:$REDIS_PORT (CPU $CPU) under redis-benchmark -n $REDIS_REQUESTS -t set,get -c 10 (CPU $CLIENT_CPU)"
redis_round() {
    local v=$1
    taskset -c "$CPU" ${PREFIX[$v]} redis-server --port "$REDIS_PORT" --bind 127.0.0.1 \
        --save "" --appendonly no --daemonize no --loglevel warning >/dev/null 2>&1 &
    local server=$!
    for _ in $(seq 200); do
        redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
        sleep 0.05
    done
    taskset -c "$CLIENT_CPU" redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -n "$REDIS_REQUESTS" \
        -c 10 -t set,get -q 2>/dev/null | tr '\r' '\n' | grep 'requests per second' | sed 's/^ *//' |
        awk -v v="$v" '{print v, $1, $2}' >>"$WORK/redis"
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    wait "$server" || true
}
for round in $(seq "$ROUNDS"); do
    for v in "${ORDER[@]}"; do
        redis_round "$v"
    done
done
printf '%-22s %14s %14s %10s %16s\n' variant "SET req/s" "GET req/s" "x native" "overhead/strace"
rps() { awk -v v="$1" -v op="$2" '$1 == v && $2 == op":" {print $3}' "$WORK/redis" | median; }
n_set=$(rps native SET); n_get=$(rps native GET)
s_set=$(rps strace SET); s_get=$(rps strace GET)
for v in "${ORDER[@]}"; do
    set_rps=$(rps "$v" SET); get_rps=$(rps "$v" GET)
    awk -v v="$v" -v a="$set_rps" -v b="$get_rps" -v na="$n_set" -v nb="$n_get" -v sa="$s_set" -v sb="$s_get" 'BEGIN {
        # Overhead as added time per request, averaged over SET and GET.
        over = (1/a - 1/na + 1/b - 1/nb); sover = (1/sa - 1/na + 1/sb - 1/nb);
        printf "%-22s %14.0f %14.0f %10.2f %16s\n", v, a, b, (na + nb) / (a + b),
            (v == "native" ? "-" : sprintf("%.2f", over / sover)) }'
done
echo "(x native: native throughput / this throughput; overhead/strace: added time per request relative to strace's)"
