//! The tightest seccomp guard that still lets a recorded workload run: an
//! allow-list of the syscalls of its footprint, with argument rules where
//! the footprint recorded argument values, plus what the runtime itself
//! still calls between installing the filter and exec'ing the workload.

use crate::policy::{AbiPolicy, Action, ArgCondition, CmpOp, Policy, Rule};
use aprof_footprint::{Abi, Footprint};
use std::collections::{BTreeMap, BTreeSet};

/// The namespace bits of `clone` flags (`CLONE_NEWNS` … `CLONE_NEWNET`).
/// `CLONE_NEWTIME` (0x80) is left out: for `clone` it is part of the exit signal.
pub const CLONE_NAMESPACE_FLAGS: u64 =
    0x0002_0000 | 0x0200_0000 | 0x0400_0000 | 0x0800_0000 | 0x1000_0000 | 0x2000_0000 | 0x4000_0000;
/// `SOCK_NONBLOCK | SOCK_CLOEXEC`, which may be or'd into a socket type.
const SOCK_TYPE_FLAGS: u64 = 0o4000 | 0o2000000;

/// The runtime whose own late syscalls the profile must allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    Runc,
    Crun,
    None,
}

impl Base {
    /// The recorded base set (see `data/runtimes/`).
    pub fn syscalls(self) -> Vec<&'static str> {
        let text = match self {
            Base::Runc => include_str!("../../../data/runtimes/runc.txt"),
            Base::Crun => include_str!("../../../data/runtimes/crun.txt"),
            Base::None => "",
        };
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    }
}

impl std::str::FromStr for Base {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "runc" => Ok(Base::Runc),
            "crun" => Ok(Base::Crun),
            "none" => Ok(Base::None),
            other => Err(format!("unknown base '{other}' (runc, crun or none)")),
        }
    }
}

/// How to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// What happens to everything not in the footprint.
    pub default_action: Action,
    pub base: Base,
    /// Emit argument rules where the footprint recorded values.
    pub argument_rules: bool,
    /// Also allow the [`TIMING_COMPANIONS`] of recorded syscalls.
    pub timing_companions: bool,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            default_action: Action::Errno(libc::EPERM as u16),
            base: Base::None,
            argument_rules: true,
            timing_companions: true,
        }
    }
}

/// Syscalls a workload makes or not depending on timing alone, allowed when
/// the syscall that leads to them was recorded: `(recorded, companion, why)`.
/// An empty `recorded` means any recording. Each was seen missing in a
/// round trip of a real program (see `crates/cli/tests/seccomp_roundtrip.rs`)
/// or is the kernel's own continuation of an allowed syscall.
pub const TIMING_COMPANIONS: &[(&str, &str, &str)] = &[
    (
        "",
        "restart_syscall",
        "the kernel restarts an allowed syscall interrupted by a signal with it",
    ),
    (
        "rt_sigaction",
        "rt_sigreturn",
        "every return from a signal handler; whether a signal arrives during the run is timing",
    ),
    (
        "wait4",
        "rt_sigsuspend",
        "shells (dash's `wait`) block in it only when the child has not exited yet",
    ),
    // A handler that cleans up and re-raises its signal with the default
    // action (sort's for SIGPIPE: glibc's raise is getpid, gettid, tgkill)
    // runs only if the signal comes, and an early-closing reader is timing.
    (
        "rt_sigaction",
        "getpid",
        "a signal handler that re-raises its signal (raise: getpid, gettid, tgkill) runs only when the signal comes, which is timing (sort's SIGPIPE)",
    ),
    (
        "rt_sigaction",
        "gettid",
        "a signal handler that re-raises its signal (raise: getpid, gettid, tgkill) runs only when the signal comes, which is timing (sort's SIGPIPE)",
    ),
    (
        "rt_sigaction",
        "tgkill",
        "a signal handler that re-raises its signal (raise: getpid, gettid, tgkill) runs only when the signal comes, which is timing (sort's SIGPIPE)",
    ),
];

/// A generated policy and what a reader should know about it.
#[derive(Debug, Clone)]
pub struct Generated {
    pub policy: Policy,
    /// Choices made, one line each (e.g. a syscall allowed without argument rules, and why).
    pub notes: Vec<String>,
}

/// The low 32 bits: the kernel reads these arguments as `int` or
/// `unsigned int`, while the register seccomp sees may carry anything
/// above (a `-1` passed as `long` arrives as `0xffffffffffffffff`).
const INT_MASK: u64 = 0xffff_ffff;

fn low_32_bits_eq(index: u8, value: u64) -> ArgCondition {
    ArgCondition {
        index,
        op: CmpOp::MaskedEq(INT_MASK),
        value: value & INT_MASK,
    }
}

/// Argument positions aprof turns into rules, and how to compare each.
fn argument_rule(syscall: &str, index: u8) -> Option<fn(u64) -> ArgCondition> {
    Some(match (syscall, index) {
        // Only the namespace bits are constrained: other flags vary between
        // threads and forks of the same program. `flags` is a full `unsigned long`.
        ("clone", 0) => |v| ArgCondition {
            index: 0,
            op: CmpOp::MaskedEq(CLONE_NAMESPACE_FLAGS),
            value: v & CLONE_NAMESPACE_FLAGS,
        },
        ("socket", 0) | ("socketpair", 0) => |v| low_32_bits_eq(0, v),
        // SOCK_NONBLOCK and SOCK_CLOEXEC may be or'd into the type.
        ("socket", 1) | ("socketpair", 1) => |v| ArgCondition {
            index: 1,
            op: CmpOp::MaskedEq(!SOCK_TYPE_FLAGS & INT_MASK),
            value: v & !SOCK_TYPE_FLAGS & INT_MASK,
        },
        ("ioctl", 1) => |v| low_32_bits_eq(1, v),
        ("fcntl", 1) => |v| low_32_bits_eq(1, v),
        ("prctl", 0) => |v| low_32_bits_eq(0, v),
        ("personality", 0) => |v| low_32_bits_eq(0, v),
        _ => return None,
    })
}

/// Generate the allow-list policy of a footprint.
pub fn generate(fp: &Footprint, opts: &GenerateOptions) -> Generated {
    let mut notes = Vec::new();
    let mut names: BTreeMap<Abi, BTreeSet<String>> = BTreeMap::new();
    for (abi, calls) in &fp.syscalls {
        names
            .entry(*abi)
            .or_default()
            .extend(calls.keys().filter(|n| !n.starts_with("syscall_")).cloned());
        for unknown in calls.keys().filter(|n| n.starts_with("syscall_")) {
            notes.push(format!(
                "{abi}: {unknown} has no name in aprof's table and is not allowed"
            ));
        }
    }
    let base = opts.base.syscalls();
    if !base.is_empty() {
        names
            .entry(Abi::X86_64)
            .or_default()
            .extend(base.iter().map(|s| s.to_string()));
        notes.push(format!(
            "{} syscalls of the {:?} runtime's base set added for x86_64",
            base.len(),
            opts.base
        ));
    }
    if opts.timing_companions {
        add_timing_companions(&mut names, &mut notes);
    }
    if names.is_empty() {
        names.entry(Abi::X86_64).or_default();
    }

    // Values per (syscall, index), from arguments and from per-object ioctls.
    let mut values: BTreeMap<(String, u8), BTreeSet<u64>> = BTreeMap::new();
    for arg in fp.arguments.values() {
        values
            .entry((arg.syscall.clone(), arg.index))
            .or_default()
            .extend(arg.values.keys());
    }
    for obj in &fp.objects {
        if !obj.ioctls.is_empty() {
            values
                .entry(("ioctl".into(), 1))
                .or_default()
                .extend(obj.ioctls.keys());
        }
    }

    // Only a recorded clone3 (with argument rules) needs a word on its flags.
    let clone3_recorded = opts.argument_rules && names.values().any(|s| s.contains("clone3"));
    let clone3_falls_back = clone3_recorded && clone3_can_fall_back(&values, &mut notes);
    if clone3_falls_back {
        // The fallback clone carries the flags clone3 was given, none of
        // them a namespace flag.
        values.entry(("clone".into(), 0)).or_default().insert(0);
    }

    let allow = Action::Allow;
    let mut abis = BTreeMap::new();
    for (abi, mut set) in names {
        let mut policy = AbiPolicy::new(opts.default_action);
        // Argument rules only for the ABIs whose argument layout they
        // describe; i386 multiplexes sockets through socketcall.
        let conditional = opts.argument_rules && matches!(abi, Abi::X86_64 | Abi::X32);
        let clone3_enosys = conditional && clone3_falls_back && set.contains("clone3");
        if clone3_enosys {
            notes.push(format!(
                "{abi}: clone3 fails with ENOSYS so that the C library falls back to clone, whose namespace flags seccomp can check"
            ));
            set.insert("clone".into());
            policy.add_rule(
                "clone3",
                Rule {
                    action: Action::Errno(libc::ENOSYS as u16),
                    conditions: Vec::new(),
                },
            );
        }
        for name in set.iter().filter(|n| !(clone3_enosys && *n == "clone3")) {
            let rules = if conditional {
                rules_for(name, &values, &mut notes)
            } else {
                Vec::new()
            };
            if rules.is_empty() {
                policy.add_rule(
                    name,
                    Rule {
                        action: allow,
                        conditions: Vec::new(),
                    },
                );
            } else {
                for r in rules {
                    policy.add_rule(name, r);
                }
            }
        }
        abis.insert(abi, policy);
    }
    notes.sort();
    notes.dedup();
    Generated {
        policy: Policy {
            abis,
            other_abi_action: Action::KillProcess,
        },
        notes,
    }
}

/// Add the [`TIMING_COMPANIONS`] of each ABI's recorded syscalls.
fn add_timing_companions(names: &mut BTreeMap<Abi, BTreeSet<String>>, notes: &mut Vec<String>) {
    for (abi, set) in names.iter_mut() {
        if set.is_empty() {
            continue;
        }
        for (recorded, companion, why) in TIMING_COMPANIONS {
            let known = abi.table().number(companion).is_some();
            if known
                && (recorded.is_empty() || set.contains(*recorded))
                && set.insert((*companion).to_owned())
            {
                notes.push(format!(
                    "{abi}: {companion} allowed although not recorded: {why}"
                ));
            }
        }
    }
}

/// Whether `clone3` can be answered with ENOSYS, as Docker's default
/// profile does: its flags sit in memory that seccomp cannot read, and the
/// C library (glibc 2.34+) then falls back to `clone`, whose flags the
/// namespace rule checks. Only when clone3's flags were recorded and none
/// was a namespace flag; otherwise clone3 is allowed whole.
fn clone3_can_fall_back(
    values: &BTreeMap<(String, u8), BTreeSet<u64>>,
    notes: &mut Vec<String>,
) -> bool {
    match values.get(&("clone3".to_owned(), 0)) {
        Some(flags) if flags.iter().all(|f| f & CLONE_NAMESPACE_FLAGS == 0) => true,
        Some(_) => {
            notes.push("clone3: namespace flags were recorded and seccomp cannot check clone3's flags; allowed whole".into());
            false
        }
        None => {
            notes.push(
                "clone3: no flags recorded and seccomp cannot read them; allowed whole".into(),
            );
            false
        }
    }
}

/// The conditional allow rules of one syscall: one rule per combination of
/// recorded values of its constrained arguments (AND within a rule).
fn rules_for(
    name: &str,
    values: &BTreeMap<(String, u8), BTreeSet<u64>>,
    notes: &mut Vec<String>,
) -> Vec<Rule> {
    let per_index: Vec<Vec<ArgCondition>> = (0u8..6)
        .filter_map(|i| {
            let make = argument_rule(name, i)?;
            let vals = values.get(&(name.to_owned(), i))?;
            let mut conds: Vec<ArgCondition> = vals.iter().map(|&v| make(v)).collect();
            conds.sort();
            conds.dedup();
            Some(conds)
        })
        .collect();
    if per_index.is_empty() {
        if name == "clone" {
            notes.push("clone: no flags recorded; allowed without namespace flags".into());
            return vec![Rule {
                action: Action::Allow,
                conditions: vec![argument_rule("clone", 0).expect("clone rule")(0)],
            }];
        }
        return Vec::new();
    }
    // Cartesian product: a superset of the recorded combinations, since
    // the footprint records each argument's values separately.
    let mut combos: Vec<Vec<ArgCondition>> = vec![Vec::new()];
    for conds in per_index {
        combos = combos
            .into_iter()
            .flat_map(|c| conds.iter().map(move |x| [c.clone(), vec![*x]].concat()))
            .collect();
    }
    combos
        .into_iter()
        .map(|conditions| Rule {
            action: Action::Allow,
            conditions,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aprof_footprint::Environment;

    fn fp() -> Footprint {
        let mut f = Footprint::new(Environment::default());
        for nr in [0u32, 1, 41, 56, 16, 72, 231] {
            f.count_syscall(Abi::X86_64, nr, None, 0);
        }
        f.count_argument("socket", 0, "family", 2, Some("AF_INET".into()));
        f.count_argument(
            "socket",
            1,
            "type",
            1 | 0o2000000,
            Some("SOCK_STREAM|SOCK_CLOEXEC".into()),
        );
        f.count_argument("clone", 0, "flags", 0x003d_0f00, None);
        f.count_argument("ioctl", 1, "request", 0x5401, Some("TCGETS".into()));
        f.count_argument("fcntl", 1, "cmd", 3, Some("F_GETFL".into()));
        f
    }

    #[test]
    fn allows_exactly_what_was_recorded() {
        let opts = GenerateOptions {
            timing_companions: false,
            ..Default::default()
        };
        let g = generate(&fp(), &opts);
        let p = &g.policy.abis[&Abi::X86_64];
        assert_eq!(p.syscalls.len(), 7);
        assert_eq!(p.action("read", &[0; 6]), Action::Allow);
        assert_eq!(p.action("openat", &[0; 6]), Action::Errno(1));
        assert!(!g.policy.abis.contains_key(&Abi::I386));
    }

    #[test]
    fn argument_rules_follow_the_recorded_values() {
        let p = generate(&fp(), &GenerateOptions::default()).policy.abis[&Abi::X86_64].clone();
        assert_eq!(
            p.action("socket", &[2, 1 | 0o4000, 0, 0, 0, 0]),
            Action::Allow,
            "flags on the type do not matter"
        );
        assert_eq!(
            p.action("socket", &[10, 1, 0, 0, 0, 0]),
            Action::Errno(1),
            "AF_INET6 was never used"
        );
        assert_eq!(
            p.action("socket", &[2, 2, 0, 0, 0, 0]),
            Action::Errno(1),
            "SOCK_DGRAM was never used"
        );
        assert_eq!(
            p.action("clone", &[0x0001_1200, 0, 0, 0, 0, 0]),
            Action::Allow,
            "other flags vary"
        );
        assert_eq!(
            p.action("clone", &[0x1000_0000, 0, 0, 0, 0, 0]),
            Action::Errno(1),
            "CLONE_NEWUSER was never used"
        );
        assert_eq!(p.action("ioctl", &[1, 0x5401, 0, 0, 0, 0]), Action::Allow);
        assert_eq!(
            p.action("ioctl", &[1, 0xffff_ffff_0000_5401, 0, 0, 0, 0]),
            Action::Allow,
            "only the low 32 bits are the request"
        );
        assert_eq!(
            p.action("ioctl", &[1, 0x5402, 0, 0, 0, 0]),
            Action::Errno(1)
        );
        assert_eq!(p.action("fcntl", &[1, 4, 0, 0, 0, 0]), Action::Errno(1));
        assert_eq!(
            p.action("fcntl", &[1, 0xffff_ffff_0000_0003, 0, 0, 0, 0]),
            Action::Allow,
            "cmd is an int"
        );
        assert_eq!(
            p.action("socket", &[0x1_0000_0002, 1, 0, 0, 0, 0]),
            Action::Allow,
            "family is an int"
        );
    }

    #[test]
    fn int_arguments_match_whatever_fills_the_upper_register_half() {
        let mut f = Footprint::new(Environment::default());
        f.count_syscall(Abi::X86_64, 135, None, 0); // personality
        f.count_argument("personality", 0, "persona", 0xffff_ffff, None);
        let p = generate(&f, &GenerateOptions::default()).policy.abis[&Abi::X86_64].clone();
        assert_eq!(
            p.action("personality", &[u64::MAX, 0, 0, 0, 0, 0]),
            Action::Allow,
            "-1 passed as a long"
        );
        assert_eq!(
            p.action("personality", &[0xffff_ffff, 0, 0, 0, 0, 0]),
            Action::Allow
        );
        assert_eq!(
            p.action("personality", &[0x0040_0000, 0, 0, 0, 0, 0]),
            Action::Errno(1)
        );
    }

    #[test]
    fn without_argument_rules_everything_recorded_is_allowed_whole() {
        let opts = GenerateOptions {
            argument_rules: false,
            ..Default::default()
        };
        let p = generate(&fp(), &opts).policy.abis[&Abi::X86_64].clone();
        assert_eq!(p.action("socket", &[10, 2, 0, 0, 0, 0]), Action::Allow);
        assert!(p
            .syscalls
            .values()
            .all(|rules| rules.iter().all(|r| r.conditions.is_empty())));
    }

    #[test]
    fn default_action_is_a_setting() {
        let opts = GenerateOptions {
            default_action: Action::KillProcess,
            ..Default::default()
        };
        assert_eq!(
            generate(&fp(), &opts).policy.abis[&Abi::X86_64].action("mount", &[0; 6]),
            Action::KillProcess
        );
    }

    #[test]
    fn timing_companions_follow_what_leads_to_them() {
        let mut f = fp();
        let p = generate(&f, &GenerateOptions::default()).policy.abis[&Abi::X86_64].clone();
        assert_eq!(p.action("restart_syscall", &[0; 6]), Action::Allow);
        assert_eq!(
            p.action("rt_sigsuspend", &[0; 6]),
            Action::Errno(1),
            "no wait4 recorded"
        );
        f.count_syscall(Abi::X86_64, 61, None, 0); // wait4
        let g = generate(&f, &GenerateOptions::default());
        assert_eq!(
            g.policy.abis[&Abi::X86_64].action("rt_sigsuspend", &[0; 6]),
            Action::Allow
        );
        assert!(
            g.notes.iter().any(|n| n.contains("rt_sigsuspend")),
            "{:?}",
            g.notes
        );
        let empty = generate(
            &Footprint::new(Environment::default()),
            &GenerateOptions::default(),
        )
        .policy;
        assert!(
            empty.abis[&Abi::X86_64].syscalls.is_empty(),
            "nothing recorded, nothing allowed"
        );
    }

    #[test]
    fn no_clone3_note_when_clone3_was_never_recorded() {
        let mut f = Footprint::default();
        f.count_syscall(Abi::X86_64, 56, None, 0); // clone
        f.count_argument("clone", 0, "flags", 0x0120_0011, None);
        let g = generate(&f, &GenerateOptions::default());
        assert!(
            !g.notes.iter().any(|n| n.contains("clone3")),
            "{:?}",
            g.notes
        );
        assert_ne!(
            g.policy.action(Abi::X86_64, "clone3", &[0; 6]),
            Action::Allow
        );
    }

    #[test]
    fn clone3_without_namespace_flags_falls_back_to_a_checked_clone() {
        let mut f = Footprint::new(Environment::default());
        f.count_syscall(Abi::X86_64, 435, None, 0); // clone3
        f.count_argument("clone3", 0, "clone_args.flags", 0x003d_0f00, None);
        let g = generate(&f, &GenerateOptions::default());
        let p = &g.policy.abis[&Abi::X86_64];
        assert_eq!(
            p.action("clone3", &[0; 6]),
            Action::Errno(libc::ENOSYS as u16)
        );
        assert_eq!(
            p.action("clone", &[0x003d_0f00, 0, 0, 0, 0, 0]),
            Action::Allow,
            "the fallback thread"
        );
        assert_eq!(
            p.action("clone", &[0x1000_0000, 0, 0, 0, 0, 0]),
            Action::Errno(1),
            "CLONE_NEWUSER"
        );
        assert!(
            g.notes.iter().any(|n| n.contains("ENOSYS")),
            "{:?}",
            g.notes
        );

        f.count_argument("clone3", 0, "clone_args.flags", 0x2000_0000, None); // CLONE_NEWNET
        let p = generate(&f, &GenerateOptions::default()).policy.abis[&Abi::X86_64].clone();
        assert_eq!(
            p.action("clone3", &[0; 6]),
            Action::Allow,
            "namespace flags were used: allowed whole"
        );

        let opts = GenerateOptions {
            argument_rules: false,
            ..Default::default()
        };
        let p = generate(&f, &opts).policy.abis[&Abi::X86_64].clone();
        assert_eq!(p.action("clone3", &[0; 6]), Action::Allow);
        assert!(
            !p.syscalls.contains_key("clone"),
            "no argument rules, no added clone"
        );
    }

    #[test]
    fn the_runtime_base_set_is_added() {
        let opts = GenerateOptions {
            base: Base::Runc,
            ..Default::default()
        };
        let p = generate(&Footprint::new(Environment::default()), &opts).policy;
        assert!(!Base::Runc.syscalls().is_empty());
        assert_eq!(
            p.abis[&Abi::X86_64].action("execve", &[0; 6]),
            Action::Allow
        );
    }
}
