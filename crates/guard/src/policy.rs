//! The evaluated form of a seccomp guard: per ABI, every syscall and what
//! happens to it, with argument conditions.
//!
//! Every profile format (OCI, Docker, SPO) and every live BPF filter is
//! reduced to a [`Policy`], so they can be compared, diffed and compiled.

use aprof_footprint::Abi;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// What seccomp does with a syscall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Allow,
    /// Fail with this errno.
    Errno(u16),
    KillProcess,
    KillThread,
    /// SIGSYS with this data.
    Trap(u16),
    /// Hand to a ptrace tracer with this data.
    Trace(u16),
    /// Allow and log.
    Log,
    /// Hand to a user-space notifier.
    Notify,
}

impl Action {
    /// Whether the syscall reaches the kernel's implementation. Trace and
    /// notify may, depending on the supervisor, so they count as reaching.
    pub fn reaches_kernel(self) -> bool {
        matches!(
            self,
            Action::Allow | Action::Log | Action::Trace(_) | Action::Notify
        )
    }

    /// The `SECCOMP_RET_*` value of this action.
    pub fn to_ret(self) -> u32 {
        match self {
            Action::KillProcess => 0x8000_0000,
            Action::KillThread => 0x0000_0000,
            Action::Trap(d) => 0x0003_0000 | d as u32,
            Action::Errno(e) => 0x0005_0000 | e as u32,
            Action::Notify => 0x7fc0_0000,
            Action::Trace(d) => 0x7ff0_0000 | d as u32,
            Action::Log => 0x7ffc_0000,
            Action::Allow => 0x7fff_0000,
        }
    }

    /// Decode a `SECCOMP_RET_*` value the way the kernel does.
    pub fn from_ret(ret: u32) -> Action {
        let data = (ret & 0xffff) as u16;
        match ret & 0xffff_0000 {
            0x8000_0000 => Action::KillProcess,
            0x0000_0000 => Action::KillThread,
            0x0003_0000 => Action::Trap(data),
            0x0005_0000 => Action::Errno(data),
            0x7fc0_0000 => Action::Notify,
            0x7ff0_0000 => Action::Trace(data),
            0x7ffc_0000 => Action::Log,
            0x7fff_0000 => Action::Allow,
            // The kernel treats unknown actions as kill-process.
            _ => Action::KillProcess,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Allow => f.write_str("allow"),
            Action::Errno(e) => write!(f, "errno {e}"),
            Action::KillProcess => f.write_str("kill-process"),
            Action::KillThread => f.write_str("kill-thread"),
            Action::Trap(d) => write!(f, "trap {d}"),
            Action::Trace(d) => write!(f, "trace {d}"),
            Action::Log => f.write_str("log"),
            Action::Notify => f.write_str("notify"),
        }
    }
}

/// A comparison of one syscall argument, as in the OCI spec's `SCMP_CMP_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `(arg & mask) == value`.
    MaskedEq(u64),
    /// `(arg & 0xffff_ffff) >= value`: the low 32 bits only, as libseccomp
    /// compares arguments on its 32-bit ABIs (i386, x32) and seccompiler a
    /// `dword`, whatever the high half holds.
    Ge32,
    /// `(arg & 0xffff_ffff) <= value`, see [`CmpOp::Ge32`].
    Le32,
}

/// The low half of an argument, which [`CmpOp::Ge32`] and [`CmpOp::Le32`] compare.
const LOW32: u64 = 0xffff_ffff;

/// One condition on a syscall argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ArgCondition {
    /// 0-based argument index.
    pub index: u8,
    pub op: CmpOp,
    pub value: u64,
}

impl ArgCondition {
    pub fn matches(&self, args: &[u64; 6]) -> bool {
        let a = args[self.index as usize];
        match self.op {
            CmpOp::Eq => a == self.value,
            CmpOp::Ne => a != self.value,
            CmpOp::Lt => a < self.value,
            CmpOp::Le => a <= self.value,
            CmpOp::Gt => a > self.value,
            CmpOp::Ge => a >= self.value,
            CmpOp::MaskedEq(mask) => a & mask == self.value,
            CmpOp::Ge32 => a & LOW32 >= self.value,
            CmpOp::Le32 => a & LOW32 <= self.value,
        }
    }
}

impl fmt::Display for ArgCondition {
    /// `arg0 == 0x8`, `arg0 & 0x7e020000 == 0x0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = self.index;
        let v = self.value;
        match self.op {
            CmpOp::Eq => write!(f, "arg{i} == {v:#x}"),
            CmpOp::Ne => write!(f, "arg{i} != {v:#x}"),
            CmpOp::Lt => write!(f, "arg{i} < {v:#x}"),
            CmpOp::Le => write!(f, "arg{i} <= {v:#x}"),
            CmpOp::Gt => write!(f, "arg{i} > {v:#x}"),
            CmpOp::Ge => write!(f, "arg{i} >= {v:#x}"),
            CmpOp::MaskedEq(mask) => write!(f, "arg{i} & {mask:#x} == {v:#x}"),
            CmpOp::Ge32 => write!(f, "arg{i} & {LOW32:#x} >= {v:#x}"),
            CmpOp::Le32 => write!(f, "arg{i} & {LOW32:#x} <= {v:#x}"),
        }
    }
}

/// A rule for one syscall: the action applies when every condition holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub action: Action,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ArgCondition>,
}

/// Syscall numbers `first..=last` that the ABI's table does not name, and
/// what happens to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NumberRange {
    pub first: u32,
    pub last: u32,
    pub action: Action,
}

impl fmt::Display for NumberRange {
    /// `463 and above: errno 38`, `500-599: errno 1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.first, self.last) {
            (a, b) if a == b => write!(f, "{a}: {}", self.action),
            (a, u32::MAX) => write!(f, "{a} and above: {}", self.action),
            (a, b) => write!(f, "{a}-{b}: {}", self.action),
        }
    }
}

/// The guard of one ABI: default action plus per-syscall rules.
///
/// Rules of a syscall are tried in order; the first whose conditions all
/// hold decides. A syscall with no matching rule gets `default_action`.
/// Build it with [`AbiPolicy::add_rule`] to get libseccomp's semantics for
/// several rules of one syscall (see there).
///
/// A number without a name in the ABI's table is the syscall `syscall_N`:
/// its own rules if it has any, else the action of the range of
/// `number_ranges` it falls in, else the default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbiPolicy {
    pub default_action: Action,
    pub syscalls: BTreeMap<String, Vec<Rule>>,
    /// Unnamed numbers treated apart from the default, by range (a live
    /// filter may: runc answers ENOSYS above the highest number it knows).
    /// Sorted, not overlapping.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub number_ranges: Vec<NumberRange>,
}

impl AbiPolicy {
    /// A policy that gives every syscall `default_action`.
    pub fn new(default_action: Action) -> AbiPolicy {
        AbiPolicy {
            default_action,
            syscalls: BTreeMap::new(),
            number_ranges: Vec::new(),
        }
    }

    /// What an unnamed number `nr` gets when it has no rules of its own.
    pub fn unnamed_action(&self, nr: u32) -> Action {
        self.number_ranges
            .iter()
            .find(|r| (r.first..=r.last).contains(&nr))
            .map_or(self.default_action, |r| r.action)
    }

    /// Add a rule for `syscall` the way runc and libseccomp build a filter,
    /// so that [`AbiPolicy::action`]'s first-match order gives their result:
    /// - a rule whose action is the default action is dropped (runc skips
    ///   it; libseccomp refuses it);
    /// - an unconditional rule decides alone: it replaces earlier
    ///   conditional rules, and later rules of that syscall are dropped
    ///   (libseccomp's rule database keeps the wider rule);
    /// - conditional rules are kept in the order added: their conditions are
    ///   AND'd within a rule and the rules are OR'd; where rules with
    ///   different actions overlap, the earlier one wins (libseccomp leaves
    ///   that case unspecified);
    /// - an exact duplicate is dropped.
    pub fn add_rule(&mut self, syscall: &str, rule: Rule) {
        if rule.action == self.default_action {
            return;
        }
        let rules = self.syscalls.entry(syscall.to_string()).or_default();
        if rules.iter().any(|r| r.conditions.is_empty()) || rules.contains(&rule) {
            return;
        }
        if rule.conditions.is_empty() {
            rules.clear();
        }
        rules.push(rule);
    }

    /// The action for a syscall with these arguments.
    pub fn action(&self, syscall: &str, args: &[u64; 6]) -> Action {
        let Some(rules) = self.syscalls.get(syscall) else {
            return match unnamed_number(syscall) {
                Some(nr) => self.unnamed_action(nr),
                None => self.default_action,
            };
        };
        rules
            .iter()
            .find(|r| r.conditions.iter().all(|c| c.matches(args)))
            .map_or(self.default_action, |r| r.action)
    }
}

/// The number of a `syscall_N` name.
fn unnamed_number(syscall: &str) -> Option<u32> {
    syscall.strip_prefix("syscall_")?.parse().ok()
}

impl fmt::Display for Rule {
    /// `allow if arg0 < 0x26 && arg1 == 0x0`, or just the action.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.action)?;
        for (i, c) in self.conditions.iter().enumerate() {
            f.write_str(if i == 0 { " if " } else { " && " })?;
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

/// A whole guard: one policy per ABI it covers. An ABI not in `abis` gets
/// `other_abi_action` (the kernel sees an arch the filter does not know).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub abis: BTreeMap<Abi, AbiPolicy>,
    pub other_abi_action: Action,
}

impl Policy {
    /// The policy that applies to `abi`: its own, or, for an ABI the guard
    /// does not cover, one that gives everything `other_abi_action`.
    pub fn effective(&self, abi: Abi) -> std::borrow::Cow<'_, AbiPolicy> {
        match self.abis.get(&abi) {
            Some(p) => std::borrow::Cow::Borrowed(p),
            None => std::borrow::Cow::Owned(AbiPolicy::new(self.other_abi_action)),
        }
    }

    /// The action for a syscall of `abi` with these arguments.
    pub fn action(&self, abi: Abi, syscall: &str, args: &[u64; 6]) -> Action {
        match self.abis.get(&abi) {
            Some(p) => p.action(syscall, args),
            None => self.other_abi_action,
        }
    }
}
