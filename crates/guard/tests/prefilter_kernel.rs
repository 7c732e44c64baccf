//! The kernel's pre-filter exceptions (x86_64 `uretprobe` and `uprobe`)
//! against the real kernel: a filter that refuses them with an errno, and
//! whether the call gets that errno here, compared with what aprof says for
//! the running kernel, statically and for a live process.

mod differential_support;

use aprof_footprint::abi::X32_SYSCALL_BIT;
use aprof_footprint::{Abi, KernelVersion};
use aprof_guard::bpf;
use aprof_guard::profile::{load_str, EvalContext, ProfileFormat};
use aprof_guard::{live, prefilter, Action, Policy};
use differential_support::*;

const REFUSED: u16 = 1234;

fn running() -> KernelVersion {
    KernelVersion::running().expect("kernel version")
}

/// Everything allowed but `uretprobe`, `uprobe` and getppid, which get
/// errno 1234 (on x86_64 and x32).
fn refusing_policy() -> Policy {
    let profile = format!(
        r#"{{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X32"],
            "syscalls": [{{"names": ["uretprobe", "uprobe", "getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": {REFUSED}}}]}}"#
    );
    // Evaluated for a kernel without the exceptions: the filter as written.
    let ctx = EvalContext::new(Default::default(), KernelVersion::parse("6.1").unwrap());
    load_str(&profile, "refusing.json", ProfileFormat::Oci, &ctx)
        .unwrap()
        .remove(0)
        .policy
}

#[test]
fn the_kernel_lets_through_what_the_model_says() {
    let kernel = running();
    let filter = bpf::compile(&refusing_policy()).unwrap();
    let nr = |name: &str| Abi::X86_64.table().number(name).unwrap() as u64;
    let cases: Vec<Case> = [
        nr("getppid"),
        nr("uretprobe"),
        nr("uprobe"),
        nr("uretprobe") | X32_SYSCALL_BIT as u64,
    ]
    .iter()
    .map(|&nr| Case {
        entry: Entry::Syscall,
        nr,
        args: [0; 6],
    })
    .collect();
    let observed = run_cases(std::slice::from_ref(&filter), &cases);
    let refused = Observed::Returned(-(REFUSED as i64));
    assert_eq!(observed[0], refused, "the filter is in force");
    // x32 numbers are never exempt, whatever the kernel.
    assert_eq!(observed[3], refused, "x32 uretprobe");
    let mut policy = refusing_policy();
    let notes = prefilter::apply(&mut policy, &kernel);
    for (i, name) in [(1, "uretprobe"), (2, "uprobe")] {
        let bypassed = observed[i] != refused;
        let model = policy.action(Abi::X86_64, name, &[0; 6]);
        println!("{kernel}: {name}: kernel {:?}, aprof {model}", observed[i]);
        assert_eq!(
            bypassed,
            model == Action::Allow,
            "{kernel}: {name}: the kernel {:?}, aprof says {model} ({notes:?})",
            observed[i]
        );
    }
    // This host runs 6.18: both exceptions are in force here.
    if kernel >= KernelVersion::parse("6.18").unwrap() {
        assert_ne!(observed[1], refused);
        assert_ne!(observed[2], refused);
    }
}

#[test]
fn a_live_process_shows_the_exceptions_of_this_kernel() {
    // SAFETY: no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return aprof_testkit::skip("reading another process's filters needs root");
    }
    let prog = bpf::compile(&refusing_policy()).unwrap();
    let argv = ["sleep".into(), "30".into()];
    let child = aprof_launch::spawn(&aprof_launch::Launch {
        argv: &argv,
        no_new_privs: true,
        filter: Some(aprof_launch::Filter {
            program: bpf::Insn::as_sock_filters(&prog),
            flags: 0,
            announce_listener: false,
        }),
        ..Default::default()
    })
    .unwrap();
    let pid = child.pid();
    // Wait for the exec: the filter is in once /proc shows filter mode.
    for _ in 0..500 {
        if std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "sleep") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let guard = live::guard_of_pid(pid);
    child.kill();
    let guard = guard.unwrap();
    let kernel = running();
    let x86_64 = &guard.policy.abis[&Abi::X86_64];
    for e in &prefilter::EXCEPTIONS {
        let expected = if e.in_force(&kernel) {
            Action::Allow
        } else {
            Action::Errno(REFUSED)
        };
        assert_eq!(x86_64.action(e.syscall, &[0; 6]), expected, "{}", e.syscall);
        assert_eq!(
            guard.notes.iter().any(|n| n.contains(e.syscall)),
            e.in_force(&kernel),
            "{:?}",
            guard.notes
        );
    }
    assert_eq!(x86_64.action("getppid", &[0; 6]), Action::Errno(REFUSED));
    assert_eq!(
        guard.policy.abis[&Abi::X32].action("uretprobe", &[0; 6]),
        Action::Errno(REFUSED)
    );
}

#[test]
fn a_profile_evaluated_for_a_kernel_counts_its_exceptions() {
    let text = include_str!("../../../data/profiles/podman-seccomp.json");
    let at = |k: &str| {
        let ctx = EvalContext::new(Default::default(), KernelVersion::parse(k).unwrap());
        let p = load_str(text, "podman-seccomp.json", ProfileFormat::Auto, &ctx)
            .unwrap()
            .remove(0);
        (
            p.policy.action(Abi::X86_64, "uretprobe", &[0; 6]),
            p.policy.action(Abi::X86_64, "uprobe", &[0; 6]),
            p.notes,
        )
    };
    // The file names neither: its default, ENOSYS, before the exceptions.
    let (uretprobe, uprobe, notes) = at("6.13");
    assert_eq!((uretprobe, uprobe), (Action::Errno(38), Action::Errno(38)));
    assert!(!notes.iter().any(|n| n.contains("uretprobe")), "{notes:?}");
    let (uretprobe, uprobe, _) = at("6.12.14");
    assert_eq!((uretprobe, uprobe), (Action::Allow, Action::Errno(38)));
    let (uretprobe, uprobe, notes) = at("6.18");
    assert_eq!((uretprobe, uprobe), (Action::Allow, Action::Allow));
    assert!(
        notes
            .iter()
            .any(|n| n.contains("uprobe") && n.contains("6.18")),
        "{notes:?}"
    );
}
