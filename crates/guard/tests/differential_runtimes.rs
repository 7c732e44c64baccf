//! The filters real runtimes install, read from live processes with
//! `live.rs`, checked against the kernel and evaluated: gVisor's `runsc`
//! (sentry and gofer), bubblewrap's `--seccomp`, and runc's (libseccomp's
//! 32-bit argument tests on i386 and x32, and its ENOSYS stub above the
//! highest number it knows).

mod differential_support;
#[path = "support/oci_bundle.rs"]
mod oci_bundle;

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

/// runc's filter for a profile with Docker's `socket` rules on all three
/// ABIs, read live at the container's exec.
fn runc_filter() -> Result<Vec<Vec<Insn>>, String> {
    use oci_bundle::{load_runtime_base, BundleSpec, OciBundle, Runtime, PROBE_SYSCALLS};
    let mut allowed: Vec<String> = load_runtime_base(Runtime::Runc)?.into_iter().collect();
    allowed.extend(PROBE_SYSCALLS.iter().map(|s| s.to_string()));
    allowed.extend(["getppid", "getpgrp", "sched_yield"].map(String::from));
    let socket = |op: &str, value: u64| {
        serde_json::json!({"names": ["socket"], "action": "SCMP_ACT_ALLOW",
            "args": [{"index": 0, "value": value, "op": op}]})
    };
    let seccomp = serde_json::json!({
        "defaultAction": "SCMP_ACT_ERRNO",
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [
            {"names": allowed, "action": "SCMP_ACT_ALLOW"},
            socket("SCMP_CMP_LT", 38),
            socket("SCMP_CMP_EQ", 39),
            socket("SCMP_CMP_GT", 40),
        ],
    });
    let bundle = OciBundle::create(&BundleSpec::probe(Some(seccomp)))?;
    let id = format!("aprof-runc-live-{}", std::process::id());
    let argv: Vec<String> = [
        "runc",
        "run",
        "--bundle",
        bundle.path().to_str().ok_or("bundle path")?,
        &id,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let guard = live::guard_of_command(&argv).map_err(|e| e.to_string())?;
    if guard.exit_code != Some(0) {
        return Err(format!("runc run exited with {:?}", guard.exit_code));
    }
    Ok(guard.filters)
}

#[test]
fn runc_filter_decodes_exactly_with_its_32_bit_tests_and_enosys_stub() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(reason) = oci_bundle::Runtime::Runc.skip_reason() {
        return aprof_testkit::skip(&reason);
    }
    let filters = runc_filter().unwrap_or_else(|e| panic!("{e}"));
    let ev = bpf::evaluate(&filters);
    // Issue 13 (item 8): the low-half tests libseccomp makes on i386 and
    // x32 are said exactly, not dropped as "approximate".
    assert!(ev.exact, "{:?}", ev.notes);
    let int80 = int80_works();
    for abi in [Abi::I386, Abi::X32] {
        let p = &ev.policy.abis[&abi];
        assert!(
            matches!(
                aprof_guard::report::verdict(p, "socket"),
                aprof_guard::report::Verdict::Conditional { .. }
            ),
            "{abi}: {:?}",
            p.syscalls.get("socket")
        );
        // Only the low half counts on these ABIs, as libseccomp compares.
        for (family, allowed) in [
            (2u64, true),
            (37, true),
            (38, false),
            (39, true),
            (40, false),
            (41, true),
            (0x1_0000_0028, false),
            (0x1_0000_0027, true),
            (0xffff_ffff_0000_0026, false),
        ] {
            let args = [family, 2, 0, 0, 0, 0];
            let sd = bpf::SeccompData {
                nr: abi.table().number("socket").unwrap(),
                arch: abi.audit_arch(),
                instruction_pointer: 0,
                args,
            };
            let kernel_rule = Action::from_ret(bpf::run_filters(&filters, &sd));
            assert_eq!(
                kernel_rule.reaches_kernel(),
                allowed,
                "{abi} socket({family:#x})"
            );
            assert_eq!(
                p.action("socket", &args),
                kernel_rule,
                "{abi} socket({family:#x})"
            );
        }
    }
    let mut rng = Rng(0x7275_6e63_0000_0003);
    check_evaluation(&mut rng, "runc", &filters);

    // Issue 13 (item 7): unnamed numbers get EPERM amid the table and
    // ENOSYS above the highest number runc's libseccomp knows. The kernel
    // says where the split is.
    let x86_64 = Abi::X86_64.table();
    let unnamed: Vec<u64> = (0..1200u32)
        .chain([4095, 0xffff, 0x3fff_ffff])
        .filter(|n| x86_64.name(*n).is_none())
        .map(u64::from)
        .collect();
    let cases: Vec<Case> = unnamed
        .iter()
        .map(|&nr| Case {
            entry: Entry::Syscall,
            nr,
            args: [0; 6],
        })
        .collect();
    let observed = run_cases(&filters, &cases);
    let policy = &ev.policy.abis[&Abi::X86_64];
    let mut first_enosys = None;
    for (case, obs) in cases.iter().zip(&observed) {
        let name = aprof_footprint::abi::syscall_name(Abi::X86_64, case.nr as u32);
        let expected = match policy.action(&name, &[0; 6]) {
            Action::Errno(e) => Observed::Returned(-(e as i64)),
            other => panic!("{name}: {other}"),
        };
        assert_eq!(*obs, expected, "{name}");
        if *obs == Observed::Returned(-(libc::ENOSYS as i64)) && first_enosys.is_none() {
            first_enosys = Some(case.nr as u32);
        }
    }
    let first_enosys = first_enosys.expect("runc's stub answers ENOSYS above its table");
    assert_eq!(policy.default_action, Action::Errno(libc::EPERM as u16));
    assert_eq!(
        policy.number_ranges,
        [aprof_guard::NumberRange {
            first: first_enosys,
            last: u32::MAX,
            action: Action::Errno(libc::ENOSYS as u16),
        }]
    );
    let report = aprof_guard::report::GuardReport::new("runc", "live", &ev.policy, &Abi::ALL, None);
    let table = report.to_table();
    assert!(
        table.contains(&format!("unnamed {first_enosys} and above: errno 38")),
        "{table}"
    );
    // And the kernel agrees with the interpreter on socket across ABIs.
    let mut socket_cases = Vec::new();
    for family in [2u64, 38, 39, 40, 41, 0x1_0000_0028, 0x1_0000_0002] {
        socket_cases.push(Case {
            entry: Entry::Syscall,
            nr: 41,
            args: [family, 2, 0, 0, 0, 0],
        });
        if int80 {
            socket_cases.push(Case {
                entry: Entry::Int80,
                nr: 359,
                args: [family, 2, 0, 0, 0, 0],
            });
        }
    }
    let bad = compare(&filters, &socket_cases, &|_| {
        Allowed::NotErrno(&[libc::EPERM as i64])
    });
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
