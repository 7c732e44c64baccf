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
}

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

/// The guard of one ABI: default action plus per-syscall rules.
///
/// Rules of a syscall are tried in order; the first whose conditions all
/// hold decides. A syscall with no matching rule gets `default_action`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbiPolicy {
    pub default_action: Action,
    pub syscalls: BTreeMap<String, Vec<Rule>>,
}

impl AbiPolicy {
    /// The action for a syscall with these arguments.
    pub fn action(&self, syscall: &str, args: &[u64; 6]) -> Action {
        self.syscalls
            .get(syscall)
            .and_then(|rules| {
                rules
                    .iter()
                    .find(|r| r.conditions.iter().all(|c| c.matches(args)))
            })
            .map_or(self.default_action, |r| r.action)
    }
}

/// A whole guard: one policy per ABI it covers. An ABI not in `abis` gets
/// `other_abi_action` (the kernel sees an arch the filter does not know).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub abis: BTreeMap<Abi, AbiPolicy>,
    pub other_abi_action: Action,
}
