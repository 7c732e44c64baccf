//! Starting a workload under the tracer with the one launcher
//! ([`aprof_launch`]): the child waits at its gate until it is seized, so
//! no syscall of the workload escapes; then it installs the seccomp filter
//! that makes every syscall a trace stop (in seccomp mode) and execs.
//!
//! Syscalls before the exec belong to aprof and are
//! not recorded: in ptrace mode the child runs untraced until the exec
//! event; in seccomp mode the filter is installed immediately before
//! `execve`, which is the first syscall it stops.
//!
//! The seccomp filter needs CAP_SYS_ADMIN or NO_NEW_PRIVS. Without the
//! capability the child sets NO_NEW_PRIVS first, which makes setuid/setgid
//! bits and file capabilities ineffective for the workload and everything
//! it runs. (An unprivileged tracer already has that effect: the kernel
//! ignores setuid bits on exec under ptrace by a tracer lacking
//! CAP_SYS_PTRACE.) `--mode ptrace` installs nothing.

use crate::{signals, sys, RecordError};
use aprof_launch::{seccomp, Filter, Gate, Launch, LaunchError, Report, Stage};
use std::ffi::OsString;

/// Options for every traced task: syscall stops marked, all children and
/// threads followed, exec and exit reported.
pub const TRACE_OPTIONS: libc::c_int = libc::PTRACE_O_TRACESYSGOOD
    | libc::PTRACE_O_TRACEFORK
    | libc::PTRACE_O_TRACEVFORK
    | libc::PTRACE_O_TRACECLONE
    | libc::PTRACE_O_TRACEEXEC
    | libc::PTRACE_O_TRACEEXIT;

/// `CAP_SYS_ADMIN` from linux/capability.h.
const CAP_SYS_ADMIN: u32 = 21;

/// A launched, seized child that has been released to exec.
pub struct Launched {
    child: aprof_launch::Child,
}

impl Launched {
    pub fn pid(&self) -> i32 {
        self.child.pid()
    }

    /// After the child ended without a successful exec: why.
    pub fn failure(&mut self) -> RecordError {
        let command = self.child.program().display().to_string();
        match self.child.next_report() {
            Some(Report::Failed {
                stage: Stage::NoNewPrivs | Stage::Seccomp,
                errno,
            }) => RecordError::Seccomp(std::io::Error::from_raw_os_error(errno)),
            Some(Report::Failed {
                errno: libc::EACCES,
                ..
            }) => RecordError::PermissionDenied(command),
            Some(Report::Failed { errno, .. }) => RecordError::ExecFailed {
                command,
                source: std::io::Error::from_raw_os_error(errno),
            },
            _ => RecordError::DiedBeforeExec(command),
        }
    }
}

impl From<LaunchError> for RecordError {
    fn from(e: LaunchError) -> Self {
        match e {
            LaunchError::CommandNotFound(c) => RecordError::CommandNotFound(c),
            LaunchError::PermissionDenied(c) => RecordError::PermissionDenied(c),
            LaunchError::InvalidArgument(m) => {
                RecordError::Io(std::io::Error::new(std::io::ErrorKind::InvalidInput, m))
            }
            LaunchError::Os { source, .. } => RecordError::Io(source),
        }
    }
}

/// Whether this kernel offers the seccomp action `SECCOMP_RET_TRACE`.
pub fn seccomp_trace_available() -> bool {
    seccomp::trace_action_available()
}

/// Start `argv` gated, seize the child with `options` and release it to
/// exec (with the RET_TRACE filter first when `seccomp`, and NO_NEW_PRIVS
/// before it when `set_no_new_privs`). The caller's event loop sees its
/// exec or its death.
pub fn launch(
    argv: &[OsString],
    seccomp: bool,
    set_no_new_privs: bool,
    options: libc::c_int,
) -> Result<Launched, RecordError> {
    let default_signals = signals::handled_signals();
    let mut child = aprof_launch::spawn(&Launch {
        argv,
        gate: Gate::Release,
        no_new_privs: seccomp && set_no_new_privs,
        filter: seccomp.then_some(Filter {
            program: &seccomp::TRACE_EVERYTHING,
            flags: 0,
            announce_listener: false,
        }),
        default_signals: &default_signals,
    })?;
    if let Err(e) = sys::seize(child.pid(), options) {
        let pid = child.pid();
        child.kill();
        return Err(RecordError::PtraceRefused {
            pid,
            reason: crate::ptrace_refusal_hint(pid, &e),
        });
    }
    child.release();
    Ok(Launched { child })
}

/// Whether installing the filter needs NO_NEW_PRIVS from aprof: the kernel
/// demands it without CAP_SYS_ADMIN, and it is aprof's doing only when aprof
/// itself does not already run with it.
pub fn filter_needs_no_new_privs() -> bool {
    let status = aprof_footprint::procfs::ProcStatus::read_self().unwrap_or_default();
    !status.has_effective(CAP_SYS_ADMIN) && status.no_new_privs != Some(true)
}
