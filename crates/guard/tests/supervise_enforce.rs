//! Supervised runs against the real kernel: observing lets a denied
//! syscall run and records it; enforcing answers the policy's own action,
//! its errno (as the program itself reports it) or the kernel's kill.

use aprof_footprint::Abi;
use aprof_guard::supervise::{run_supervised, OnDenial};
use aprof_guard::{AbiPolicy, Action, Policy, Rule};
use std::collections::BTreeMap;

/// Everything allowed but `mkdir`/`mkdirat`, which get `action`.
fn policy_denying_mkdir(action: Action) -> Policy {
    let mut x86_64 = AbiPolicy::new(Action::Allow);
    for name in ["mkdir", "mkdirat"] {
        x86_64.add_rule(
            name,
            Rule {
                action,
                conditions: Vec::new(),
            },
        );
    }
    Policy {
        abis: BTreeMap::from([(Abi::X86_64, x86_64)]),
        other_abi_action: Action::Allow,
    }
}

fn mkdir_under(
    policy: &Policy,
    on_denial: OnDenial,
) -> (
    tempfile::TempDir,
    bool,
    String,
    i32,
    Option<i32>,
    Vec<String>,
) {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("made");
    let stderr = dir.path().join("stderr");
    let script = format!("mkdir {} 2>{}", target.display(), stderr.display());
    let run = run_supervised(&["sh".into(), "-c".into(), script], policy, on_denial)
        .expect("supervised run");
    let made = target.is_dir();
    let message = std::fs::read_to_string(&stderr).unwrap_or_default();
    let denied = run
        .denials
        .iter()
        .map(|d| format!("{} {}", d.syscall, d.action))
        .collect();
    (dir, made, message, run.exit_code, run.signal, denied)
}

#[test]
fn enforce_fails_a_denial_with_the_policys_errno() {
    let policy = policy_denying_mkdir(Action::Errno(libc::EROFS as u16));
    let (_dir, made, message, code, signal, denied) = mkdir_under(&policy, OnDenial::Enforce);
    assert!(!made, "the directory must not exist");
    // mkdir(1) prints strerror(EROFS) itself: not EPERM, the policy's errno.
    let expected = std::io::Error::from_raw_os_error(libc::EROFS).to_string();
    let expected = expected.split(" (os error").next().unwrap();
    assert!(message.contains(expected), "{message:?} lacks {expected:?}");
    assert_eq!((code, signal), (1, None));
    assert!(
        denied
            .iter()
            .any(|d| d.starts_with("mkdir") && d.ends_with("errno 30")),
        "{denied:?}"
    );
}

#[test]
fn observe_lets_the_denial_run_and_records_it() {
    let policy = policy_denying_mkdir(Action::Errno(libc::EROFS as u16));
    let (_dir, made, message, code, _, denied) = mkdir_under(&policy, OnDenial::Observe);
    assert!(made, "observed, not enforced: {message}");
    assert_eq!(code, 0);
    assert!(denied.iter().any(|d| d.starts_with("mkdir")), "{denied:?}");
}

#[test]
fn enforce_leaves_a_kill_to_the_kernel() {
    let policy = policy_denying_mkdir(Action::KillProcess);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("made");
    let run = run_supervised(
        &["mkdir".into(), target.display().to_string()],
        &policy,
        OnDenial::Enforce,
    )
    .expect("supervised run");
    assert!(!target.exists());
    assert_eq!(run.signal, Some(libc::SIGSYS), "{run:?}");
    assert_eq!(run.exit_code, 128 + libc::SIGSYS);
}
