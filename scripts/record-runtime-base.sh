#!/usr/bin/env bash
# record-runtime-base.sh: record which syscalls runc and crun still make between
# installing a container's seccomp filter and exec'ing the workload.
#
# Method: the container gets a seccomp profile whose defaultAction is SCMP_ACT_LOG
# (nothing blocked, every syscall logged). The kernel reports each logged syscall
# as an audit record (type=1326) in the kernel log. The workload is a hand-made
# static ELF that calls only write(2) and exit_group(2), so every other record of
# the container's init pid, up to and including its execve, belongs to the runtime.
# Before recording, a calibration container makes exactly LOOP_COUNT getpid calls:
# the script fails unless all of them are in the log (printk rate limiting is
# switched off for the duration and restored on exit).
#
# Usage: scripts/record-runtime-base.sh [--runs N] [--write] [--stress]
#   --runs N   runs per runtime and configuration (default 5); the sets are unions
#   --write    also write data/runtimes/<runtime>.txt
#   --stress   make every second run under CPU load (one busy loop per CPU), to shake
#              out the Go runtime's nondeterministic thread activity in runc
# Environment: KEEP_LOG=FILE keeps a copy of the captured kernel log.
# Needs: root, runc and/or crun, jq, dmesg (util-linux >= 2.37 for --follow-new).
set -euo pipefail
trap 'echo "record-runtime-base: command failed at line $LINENO" >&2' ERR

RUNS=5
WRITE=0
STRESS=0
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --write) WRITE=1; shift ;;
        --stress) STRESS=1; shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "record-runtime-base: unknown argument: $1" >&2; exit 2 ;;
    esac
done

REPO="$(cd "$(dirname "$0")/.." && pwd)"
TABLE="$REPO/data/syscalls/syscalls-x86_64"
PROBE=aprof-rt-probe   # comm of the measured workload (<= 15 chars)
LOOP=aprof-rt-loop     # comm of the calibration workload
LOOP_COUNT=300

die() { echo "record-runtime-base: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (runc/crun need it, and so does the kernel log)"
command -v jq >/dev/null || die "jq is missing (apt-get install -y jq)"
grep -qw log /proc/sys/kernel/seccomp/actions_logged \
    || die "/proc/sys/kernel/seccomp/actions_logged lacks 'log': SCMP_ACT_LOG would be silent"
[ -r "$TABLE" ] || die "syscall table $TABLE missing"

RUNTIMES=()
for runtime in runc crun; do
    if command -v "$runtime" >/dev/null; then RUNTIMES+=("$runtime"); else echo "# $runtime not installed: skipped" >&2; fi
done
[ ${#RUNTIMES[@]} -gt 0 ] || die "neither runc nor crun is installed"

WORK="$(mktemp -d /tmp/aprof-rt-base.XXXXXX)"
OLD_RATELIMIT="$(cat /proc/sys/kernel/printk_ratelimit)"
FOLLOWER=""
LOADERS=()
stop_load() {
    local pid
    for pid in "${LOADERS[@]}"; do kill "$pid" 2>/dev/null || true; done
    LOADERS=()
}
start_load() {
    local cpu
    for cpu in $(seq "$(nproc)"); do
        (while :; do :; done) &
        LOADERS+=($!)
    done
}
cleanup() {
    stop_load
    [ -n "$FOLLOWER" ] && kill "$FOLLOWER" 2>/dev/null || true
    echo "$OLD_RATELIMIT" > /proc/sys/kernel/printk_ratelimit
    if [ -n "${KEEP_LOG:-}" ]; then cp "$WORK/kmsg.log" "$KEEP_LOG" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
# kauditd prints audit records through printk_ratelimit(): with the default
# 5 s / 10 messages, all but the first 10 records of a burst are dropped.
echo 0 > /proc/sys/kernel/printk_ratelimit

# A static x86_64 ELF: 64-byte header + one PT_LOAD program header + CODE, loaded at 0x400000.
write_elf() { # PATH CODE_HEX
    local path="$1" code="$2"
    local size=$(( 120 + ${#code} / 2 )) size_le="" i
    local hex; hex="$(printf '%016x' "$size")"
    for i in 14 12 10 8 6 4 2 0; do size_le+="${hex:$i:2}"; done
    local elf="7f454c460201010000000000000000000200 3e00 01000000 7800400000000000 4000000000000000 0000000000000000 00000000 4000 3800 0100 0000 0000 0000"
    elf+=" 01000000 05000000 0000000000000000 0000400000000000 0000400000000000 $size_le $size_le 0010000000000000 $code"
    elf="${elf// /}"
    printf "$(sed 's/../\\x&/g' <<<"$elf")" > "$path"
    chmod 755 "$path"
}
# write(1, "ok\n", 3); exit_group(0)
write_elf "$WORK/$PROBE" "b801000000bf01000000488d3510000000ba030000000f05b8e700000031ff0f056f6b0a"
# LOOP_COUNT x getpid(); exit_group(0)   (mov ebx,N; loop: mov eax,39; syscall; dec ebx; jnz loop)
write_elf "$WORK/$LOOP" "bb$(printf '%08x' "$LOOP_COUNT" | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/')b8270000000f05ffcb75f5b8e700000031ff0f05"

make_bundle() { # DIR PROGRAM NNP(true|false) UID
    local dir="$1" prog="$2" nnp="$3" uid="$4"
    mkdir -p "$dir/rootfs/bin"
    cp "$WORK/$prog" "$dir/rootfs/bin/$prog"
    (cd "$dir" && runc spec 2>/dev/null || crun spec)
    jq --arg prog "/bin/$prog" --argjson nnp "$nnp" --argjson uid "$uid" '
        .process.terminal = false | .process.args = [$prog] | .process.noNewPrivileges = $nnp
        | .process.user = {uid: $uid, gid: $uid}
        | .linux.seccomp = {defaultAction: "SCMP_ACT_LOG", architectures: ["SCMP_ARCH_X86_64"], syscalls: []}' \
        "$dir/config.json" > "$dir/config.tmp" && mv "$dir/config.tmp" "$dir/config.json"
}

run_container() { # RUNTIME BUNDLE ID
    local runtime="$1" bundle="$2" id="$3"
    case "$runtime" in
        runc) runc run --bundle "$bundle" "$id" ;;
        # crun refuses hybrid cgroups when cgroup2 has controllers; hide cgroup2 in a
        # private mount namespace so crun sees pure v1 (the host is not changed).
        crun) if [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ]; then
                  unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified && exec crun run --bundle "$0" "$1"' "$bundle" "$id"
              else
                  crun run --bundle "$bundle" "$id"
              fi ;;
    esac
}

LOG="$WORK/kmsg.log"
dmesg --follow-new --notime > "$LOG" &
FOLLOWER=$!
sleep 0.5

# Wait until the kernel log shows COUNT records of comm NAME making SYSCALL (kauditd is asynchronous).
wait_for_records() { # NAME SYSCALL COUNT
    local i n=0
    for i in $(seq 100); do
        n="$(grep 'type=1326' "$LOG" | grep -c "comm=\"$1\".* syscall=$2 " || true)"
        [ "$n" -ge "$3" ] && return 0
        sleep 0.1
    done
    die "only $n of $3 audit records of $1 syscall=$2 arrived; records are being lost"
}

# Calibration: exactly LOOP_COUNT getpid records must arrive.
make_bundle "$WORK/calib" "$LOOP" true 0
run_container "${RUNTIMES[0]}" "$WORK/calib" "aprof-rt-calib-$$" > /dev/null
wait_for_records "$LOOP" 39 "$LOOP_COUNT"
sleep 0.5
calib="$(grep 'type=1326' "$LOG" | grep -c "comm=\"$LOOP\".* syscall=39 " || true)"
[ "$calib" = "$LOOP_COUNT" ] || die "calibration: $calib getpid records, expected $LOOP_COUNT"
echo "# calibration: $calib of $LOOP_COUNT getpid records logged (no loss)"

CONFIGS="nnp-root:true:0 nnp-user:true:1000 nonnp-root:false:0 nonnp-user:false:1000"
expected=0
for runtime in "${RUNTIMES[@]}"; do
    for config in $CONFIGS; do
        IFS=: read -r name nnp uid <<<"$config"
        bundle="$WORK/$runtime-$name"
        make_bundle "$bundle" "$PROBE" "$nnp" "$uid"
        for run in $(seq "$RUNS"); do
            # Each run's records lie between the log's length before it starts and after
            # its probe's exit_group arrived (kauditd keeps a process's records in order).
            # Init pids are reused over hundreds of runs, so a pid alone does not name a run.
            from="$(wc -l < "$LOG")"
            if [ "$STRESS" = 1 ] && [ $((run % 2)) = 0 ]; then start_load; fi
            out="$(run_container "$runtime" "$bundle" "aprof-rt-$runtime-$name-$run-$$")" \
                || die "$runtime $name run $run failed"
            stop_load
            [ "$out" = ok ] || die "$runtime $name run $run printed '$out', expected 'ok'"
            expected=$((expected + 1))
            wait_for_records "$PROBE" 231 "$expected"
            to="$(wc -l < "$LOG")"
            echo "$runtime $name $run $from $to" >> "$WORK/runs"
        done
    done
done
sleep 0.5
kill "$FOLLOWER"; wait "$FOLLOWER" 2>/dev/null || true; FOLLOWER=""

# Audit serials are global and consecutive: a gap inside the recording window means a
# record went missing (or belongs to an event that printk dropped).
serials="$(grep 'type=1326' "$LOG" | sed -E 's/.*audit\([0-9.]+:([0-9]+)\).*/\1/' | sort -n)"
first="$(head -1 <<<"$serials")"; last="$(tail -1 <<<"$serials")"; count="$(wc -l <<<"$serials")"
echo "# audit serials $first..$last: $count records, $(( last - first + 1 - count )) missing"

# number -> name
declare -A NAME
while read -r sname snum; do NAME[$snum]="$sname"; done < <(awk '!/^#/ && NF == 2' "$TABLE")

# The runtime's records of one run: within the run's window of the log, the records of
# the probe's pid (the container's init) before its first probe record.
runtime_syscalls() { # FROM TO -> syscall numbers, in order
    sed -n "$(( $1 + 1 )),$2p" "$LOG" | grep 'type=1326' | awk -v probe="comm=\"$PROBE\"" '
        { pid = $0; sub(/.* pid=/, "", pid); sub(/ .*/, "", pid)
          nr = $0; sub(/.* syscall=/, "", nr); sub(/ .*/, "", nr)
          line[NR] = pid " " nr }
        index($0, probe) && !init { init = pid; first_probe = NR }
        END { for (i = 1; i < first_probe; i++) { split(line[i], f, " "); if (f[1] == init) print f[2] } }'
}

for runtime in "${RUNTIMES[@]}"; do
    : > "$WORK/$runtime.union"
    for config in $CONFIGS; do
        name="${config%%:*}"
        sizes=""
        : > "$WORK/$runtime-$name.union"
        while read -r r n run from to; do
            [ "$r" = "$runtime" ] && [ "$n" = "$name" ] || continue
            nums="$(runtime_syscalls "$from" "$to")"
            [ "$(tail -1 <<<"$nums")" = 59 ] || die "$runtime $name run $run: last runtime syscall is not execve"
            for num in $nums; do echo "${NAME[$num]:-unknown_$num}"; done | sort -u > "$WORK/run.set"
            sizes+="$(wc -l < "$WORK/run.set") "
            cat "$WORK/run.set" >> "$WORK/$runtime-$name.union"
        done < "$WORK/runs"
        sort -u -o "$WORK/$runtime-$name.union" "$WORK/$runtime-$name.union"
        cat "$WORK/$runtime-$name.union" >> "$WORK/$runtime.union"
        echo "$runtime $name: per-run sizes ${sizes% }; union $(wc -l < "$WORK/$runtime-$name.union"): $(tr '\n' ' ' < "$WORK/$runtime-$name.union")"
    done
    sort -u -o "$WORK/$runtime.union" "$WORK/$runtime.union"
    echo "$runtime all: $(wc -l < "$WORK/$runtime.union"): $(tr '\n' ' ' < "$WORK/$runtime.union")"

    if [ "$WRITE" = 1 ]; then
        mkdir -p "$REPO/data/runtimes"
        out="$REPO/data/runtimes/$runtime.txt"
        {
            echo "# Syscalls $runtime makes after installing the container's seccomp filter, up to and including execve."
            echo "# Runtime: $("$runtime" --version | head -1)"
            echo "# Kernel: $(uname -r) $(uname -m); recorded $(date -u +%Y-%m-%d) by scripts/record-runtime-base.sh --runs $RUNS$([ "$STRESS" = 1 ] && echo ' --stress')"
            echo "# Method: SCMP_ACT_LOG profile, audit type=1326 records from the kernel log, workload a static ELF"
            echo "# making only write+exit_group; union over $RUNS runs of each configuration$([ "$STRESS" = 1 ] && echo ", every second run under CPU load"):"
            for config in $CONFIGS; do
                name="${config%%:*}"
                echo "#   $name ($(wc -l < "$WORK/$runtime-$name.union")): $(tr '\n' ' ' < "$WORK/$runtime-$name.union" | sed 's/ $//')"
            done
            echo "# (nnp = process.noNewPrivileges true; root = uid 0, user = uid/gid 1000)"
            cat "$WORK/$runtime.union"
        } > "$out.tmp"
        mv "$out.tmp" "$out"
        echo "# wrote $out"
    fi
done
