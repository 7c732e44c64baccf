//! The filters real runtimes install, read from live processes with
//! `live.rs`, checked against the kernel and evaluated: gVisor's `runsc`
//! (sentry and gofer) and bubblewrap's `--seccomp`.

mod differential_support;

use aprof_footprint::abi::X32_SYSCALL_BIT;
use aprof_footprint::Abi;
use aprof_guard::bpf::{self, Insn};
use aprof_guard::live;
use aprof_guard::Action;
use differential_support::*;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

static SERIAL: Mutex<()> = Mutex::new(());

fn is_root() -> bool {
    // SAFETY: no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn parent_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    after.split_whitespace().nth(1)?.parse().ok()
}

fn descends_from(mut pid: i32, ancestor: i32) -> bool {
    for _ in 0..16 {
        match parent_of(pid) {
            Some(p) if p == ancestor => return true,
            Some(p) if p > 1 => pid = p,
            _ => return false,
        }
    }
    false
}

/// Filters of runsc's processes (name, stacked filters), read while
/// `runsc do sleep` runs.
/// A process name and its stacked filters.
type NamedFilters = (String, Vec<Vec<Insn>>);

fn runsc_filters() -> Result<Vec<NamedFilters>, String> {
    let mut child = Command::new("runsc")
        .args(["--rootless", "--network=none", "do", "sleep", "6"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("runsc: {e}"))?;
    let root = child.id() as i32;
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut found: Vec<NamedFilters> = Vec::new();
    while Instant::now() < deadline && found.len() < 2 {
        found.clear();
        for entry in std::fs::read_dir("/proc")
            .map_err(|e| e.to_string())?
            .flatten()
        {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let argv0 = cmdline.split(|b| *b == 0).next().unwrap_or_default();
            let name = String::from_utf8_lossy(argv0).to_string();
            if !(name == "runsc-sandbox" || name == "runsc-gofer") || !descends_from(pid, root) {
                continue;
            }
            if live::seccomp_status(pid).ok().and_then(|s| s.seccomp) != Some(2) {
                continue;
            }
            match live::guard_of_pid(pid) {
                Ok(g) => found.push((name, g.filters)),
                Err(e) => return Err(format!("{name}: {e}")),
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if found.is_empty() {
        return Err(format!(
            "no filtered runsc process found (runsc exited with {status})"
        ));
    }
    Ok(found)
}

/// Harmless probes with random arguments on every ABI.
fn probe_cases(rng: &mut Rng, n: usize, int80: bool) -> Vec<Case> {
    let mut probes: Vec<(Entry, u64)> = vec![
        (Entry::Syscall, 110),
        (Entry::Syscall, 111),
        (Entry::Syscall, 24),
        (Entry::Syscall, 500),
        (Entry::Syscall, 110 | X32_SYSCALL_BIT as u64),
        (Entry::Syscall, 24 | X32_SYSCALL_BIT as u64),
    ];
    if int80 {
        probes.extend([
            (Entry::Int80, 64),
            (Entry::Int80, 65),
            (Entry::Int80, 158),
            (Entry::Int80, 600),
        ]);
    }
    (0..n)
        .map(|_| {
            let (entry, nr) = rng.pick(&probes);
            let mut args = [0u64; 6];
            for a in &mut args {
                *a = match rng.below(3) {
                    0 => rng.below(16),
                    1 => rng.next() & 0xffff_ffff,
                    _ => rng.next(),
                };
            }
            Case { entry, nr, args }
        })
        .collect()
}

fn allowed(case: &Case) -> Allowed {
    let x32 = case.entry == Entry::Syscall && case.nr & X32_SYSCALL_BIT as u64 != 0;
    let base = case.nr & !(X32_SYSCALL_BIT as u64);
    match (case.entry, base) {
        _ if x32 && !x32_works() => Allowed::Exactly(-(libc::ENOSYS as i64)),
        (Entry::Syscall, 110) | (Entry::Int80, 64) => Allowed::Exactly(std::process::id() as i64),
        // SAFETY: no preconditions.
        (Entry::Syscall, 111) | (Entry::Int80, 65) => {
            Allowed::Exactly(unsafe { libc::getpgrp() } as i64)
        }
        (Entry::Syscall, 24) | (Entry::Int80, 158) => Allowed::Exactly(0),
        _ => Allowed::Exactly(-(libc::ENOSYS as i64)),
    }
}

/// Evaluation and interpreter agree on table syscalls with random args.
fn check_evaluation(rng: &mut Rng, label: &str, filters: &[Vec<Insn>]) {
    let ev = bpf::evaluate(filters);
    let mut n = 0;
    let mut bad = 0;
    for abi in Abi::ALL {
        for (name, nr) in abi.table().iter() {
            for _ in 0..4 {
                let args = [
                    rng.below(4),
                    rng.next(),
                    rng.next() & 0xffff_ffff,
                    rng.below(70),
                    0,
                    rng.next(),
                ];
                let sd = bpf::SeccompData {
                    nr,
                    arch: abi.audit_arch(),
                    instruction_pointer: 0,
                    args,
                };
                let want = Action::from_ret(bpf::run_filters(filters, &sd));
                let got = match ev.policy.abis.get(&abi) {
                    Some(p) => p.action(name, &args),
                    None => ev.policy.other_abi_action,
                };
                n += 1;
                bad += (want != got) as usize;
            }
        }
    }
    let allowed = ev.policy.abis.get(&Abi::X86_64).map_or(0, |p| {
        p.syscalls
            .values()
            .filter(|r| r.iter().any(|r| r.action.reaches_kernel()))
            .count()
    });
    println!(
        "{label}: {} filters, {} instructions; x86_64 syscalls reaching the kernel: {allowed}; \
         exact: {}; evaluation disagrees on {bad} of {n} inputs; notes: {:?}",
        filters.len(),
        filters.iter().map(Vec::len).sum::<usize>(),
        ev.exact,
        ev.notes.iter().take(3).collect::<Vec<_>>()
    );
    if ev.exact {
        assert_eq!(bad, 0, "{label}: an exact evaluation must agree");
    }
}

#[test]
fn runsc_filters_agree_with_the_kernel() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !is_root() || Command::new("runsc").arg("--version").output().is_err() {
        return aprof_testkit::skip("needs root and runsc (Debian package runsc)");
    }
    let found = match runsc_filters() {
        Ok(f) => f,
        Err(e) => {
            return aprof_testkit::skip(&format!("could not read runsc's filters: {e}"));
        }
    };
    let int80 = int80_works();
    let mut rng = Rng(0x6e15_0c00_0000_0001);
    let mut total = 0;
    for (name, filters) in &found {
        assert!(!filters.is_empty());
        for f in filters {
            bpf::validate(f).unwrap_or_else(|e| panic!("{name}: the kernel accepted it: {e}"));
        }
        check_evaluation(&mut rng, name, filters);
        let cases = probe_cases(&mut rng, 400, int80);
        let bad = compare(filters, &cases, &allowed);
        assert!(
            bad.is_empty(),
            "{name}: {}",
            bad[..bad.len().min(5)].join("\n")
        );
        total += cases.len();
    }
    println!("runsc differential cases: {total}");
}

#[test]
fn bwrap_filter_agrees_with_the_kernel() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !is_root() || !std::path::Path::new("/usr/bin/bwrap").exists() {
        return aprof_testkit::skip("needs root and bubblewrap");
    }
    // A filter in the style of flatpak's: arch check, errno for a deny
    // list, argument checks on personality and ioctl-like numbers.
    let mut rng = Rng(0xb0a9_0000_0000_0002);
    let policy: aprof_guard::Policy = serde_json::from_str(
        r#"{"abis":{"x86_64":{"default_action":"allow","syscalls":{
            "getppid":[{"action":{"errno":1111},"conditions":[{"index":0,"op":"gt","value":4294967296}]},
                       {"action":{"errno":1112},"conditions":[{"index":1,"op":{"masked_eq":255},"value":3}]}],
            "getpgrp":[{"action":{"errno":1113},"conditions":[{"index":2,"op":"le","value":7}]}],
            "syscall_500":[{"action":{"trap":77}}]}},
          "i386":{"default_action":"allow","syscalls":{"getppid":[{"action":{"errno":1114}}]}}},
          "other_abi_action":{"errno":38}}"#,
    )
    .expect("policy JSON");
    let prog = bpf::compile(&policy).expect("compiles");
    let bytes: Vec<u8> = prog.iter().flat_map(|i| i.to_bytes()).collect();
    use std::io::{Seek, Write};
    use std::os::fd::AsRawFd;
    let mut file = tempfile::tempfile().expect("temp file");
    file.write_all(&bytes).expect("write");
    file.rewind().expect("rewind");
    // SAFETY: clearing FD_CLOEXEC on our own descriptor so bwrap inherits it.
    unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETFD, 0) };
    let argv: Vec<String> = [
        "bwrap",
        "--unshare-all",
        "--dev-bind",
        "/",
        "/",
        "--seccomp",
        &file.as_raw_fd().to_string(),
        "true",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let guard = live::guard_of_command(&argv).expect("runs bwrap");
    assert_eq!(guard.filters.len(), 1, "bwrap installs the given filter");
    assert_eq!(guard.filters[0], prog);
    check_evaluation(&mut rng, "bwrap", &guard.filters);
    let cases = probe_cases(&mut rng, 600, int80_works());
    let bad = compare(&guard.filters, &cases, &allowed);
    assert!(bad.is_empty(), "{}", bad[..bad.len().min(5)].join("\n"));
    println!("bwrap differential cases: {}", cases.len());
}
