//! The seccomp filters installed in a live process, read with
//! PTRACE_SECCOMP_GET_FILTER, and their evaluation.

use crate::bpf::Insn;
use crate::policy::Policy;

/// The filters of a process (index 0 the oldest) and their combined policy.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LiveGuard {
    pub pid: i32,
    pub filters: Vec<Vec<Insn>>,
    /// What all stacked filters together do, per ABI.
    pub policy: Policy,
}

/// Why a live guard could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("{0}")]
    Other(String),
}

/// Read the guards of a running process.
pub fn guard_of_pid(_pid: i32) -> Result<LiveGuard, LiveError> {
    Err(LiveError::Other(
        "reading live filters is not implemented yet".into(),
    ))
}

/// Start `argv`, stop it at exec, read its guards, and let it run on.
pub fn guard_of_command(_argv: &[String]) -> Result<LiveGuard, LiveError> {
    Err(LiveError::Other(
        "reading live filters is not implemented yet".into(),
    ))
}
