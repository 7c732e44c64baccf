//! The syscalls the kernel lets through before any seccomp filter runs,
//! by kernel version.
//!
//! `kernel/seccomp.c` (`seccomp_uprobe_exception`) passes x86_64 `uretprobe`
//! and `uprobe` whatever the filters say: the kernel makes these calls
//! itself from a probe's trampoline, and a filter that refused them would
//! kill every probed process. Strict mode allows them too (`mode1_syscalls`).
//! Only the native ABI has them: the check needs `arch == AUDIT_ARCH_X86_64`
//! and the plain number, so neither i386 nor x32 gets through.
//!
//! | syscall | exception since | commit |
//! |---|---|---|
//! | `uretprobe` (335) | 6.14; stable 6.12.14 and 6.13.3 | cf6cb56ef244 "seccomp: passthrough uretprobe systemcall without filtering" |
//! | `uprobe` (336) | 6.18 (the syscall's own release) | 89d1d8434d24 "seccomp: passthrough uprobe systemcall without filtering" |
//!
//! A release candidate counts from its release on. A distribution kernel
//! whose version does not tell (a backport into an older series) is judged
//! by its version alone.

use crate::policy::{AbiPolicy, Action, Policy, Rule};
use crate::report::{verdict, Verdict};
use aprof_footprint::{Abi, KernelVersion};

/// One syscall that bypasses seccomp filters from some kernel on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exception {
    pub abi: Abi,
    pub syscall: &'static str,
    /// The first mainline release with the exception.
    pub mainline: [u32; 2],
    /// Stable updates of earlier series that got it backported.
    pub stable: &'static [[u32; 3]],
    /// The upstream commit.
    pub commit: &'static str,
}

/// Every exception aprof knows, oldest first.
pub const EXCEPTIONS: [Exception; 2] = [
    Exception {
        abi: Abi::X86_64,
        syscall: "uretprobe",
        mainline: [6, 14],
        stable: &[[6, 12, 14], [6, 13, 3]],
        commit: "cf6cb56ef244",
    },
    Exception {
        abi: Abi::X86_64,
        syscall: "uprobe",
        mainline: [6, 18],
        stable: &[],
        commit: "89d1d8434d24",
    },
];

impl Exception {
    /// Whether kernel `kernel` has this exception.
    pub fn in_force(&self, kernel: &KernelVersion) -> bool {
        let version = |c: &[u32]| KernelVersion::new(c, None).expect("2 or 3 components");
        if *kernel >= version(&self.mainline) {
            return true;
        }
        self.stable
            .iter()
            .any(|s| kernel.major_minor() == (s[0], s[1]) && *kernel >= version(s))
    }

    /// `Linux 6.14, 6.12.14 and 6.13.3`: the first releases with it.
    pub fn since(&self) -> String {
        let mut releases = vec![format!("{}.{}", self.mainline[0], self.mainline[1])];
        releases.extend(
            self.stable
                .iter()
                .map(|s| format!("{}.{}.{}", s[0], s[1], s[2])),
        );
        let last = releases.pop().expect("the mainline release");
        match releases.is_empty() {
            true => format!("Linux {last}"),
            false => format!("Linux {} and {last}", releases.join(", ")),
        }
    }
}

/// The exceptions kernel `kernel` has.
pub fn in_force(kernel: &KernelVersion) -> impl Iterator<Item = &'static Exception> + '_ {
    EXCEPTIONS.iter().filter(move |e| e.in_force(kernel))
}

/// Make `policy` say what kernel `kernel` does with it: every exception in
/// force reaches the kernel, whatever the filter says. Returns a note for
/// each syscall this changes.
pub fn apply(policy: &mut Policy, kernel: &KernelVersion) -> Vec<String> {
    let mut notes = Vec::new();
    for e in in_force(kernel) {
        let other = policy.other_abi_action;
        let abi_policy = policy
            .abis
            .entry(e.abi)
            .or_insert_with(|| AbiPolicy::new(other));
        if e.abi.table().number(e.syscall).is_none() {
            continue;
        }
        let before = verdict(abi_policy, e.syscall);
        if matches!(before, Verdict::Allowed { .. }) {
            continue;
        }
        abi_policy.syscalls.insert(
            e.syscall.to_string(),
            vec![Rule {
                action: Action::Allow,
                conditions: Vec::new(),
            }],
        );
        notes.push(format!(
            "{} {}: the kernel lets it through before any seccomp filter runs \
             (from {} on, commit {}), so the guard's '{before}' does not apply",
            e.abi,
            e.syscall,
            e.since(),
            e.commit
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> KernelVersion {
        KernelVersion::parse(s).unwrap()
    }

    #[test]
    fn each_exception_starts_at_its_release_and_backports() {
        let uretprobe = &EXCEPTIONS[0];
        for (kernel, expected) in [
            ("6.1", false),
            ("6.11", false),
            ("6.12.13", false),
            ("6.12.14", true),
            ("6.13.2", false),
            ("6.13.3", true),
            ("6.14-rc1", false),
            ("6.14", true),
            ("6.18.44", true),
            ("7.0", true),
        ] {
            assert_eq!(uretprobe.in_force(&v(kernel)), expected, "{kernel}");
        }
        let uprobe = &EXCEPTIONS[1];
        assert!(!uprobe.in_force(&v("6.17.9")));
        assert!(!uprobe.in_force(&v("6.12.57")));
        assert!(uprobe.in_force(&v("6.18")));
    }

    #[test]
    fn applying_allows_the_exceptions_on_x86_64_only() {
        let mut abis = std::collections::BTreeMap::new();
        for abi in Abi::ALL {
            abis.insert(abi, AbiPolicy::new(Action::Errno(1)));
        }
        let mut policy = Policy {
            abis,
            other_abi_action: Action::KillProcess,
        };
        let before = policy.clone();
        assert!(apply(&mut policy, &v("6.13")).is_empty());
        assert_eq!(policy, before);
        let notes = apply(&mut policy, &v("6.18.44"));
        assert_eq!(notes.len(), 2, "{notes:?}");
        let x86_64 = &policy.abis[&Abi::X86_64];
        assert_eq!(x86_64.action("uretprobe", &[0; 6]), Action::Allow);
        assert_eq!(x86_64.action("uprobe", &[0; 6]), Action::Allow);
        assert_eq!(x86_64.action("getpid", &[0; 6]), Action::Errno(1));
        assert_eq!(
            policy.abis[&Abi::X32].action("uretprobe", &[0; 6]),
            Action::Errno(1)
        );
        // Applying twice changes nothing more.
        assert!(apply(&mut policy, &v("6.18.44")).is_empty());
    }
}
