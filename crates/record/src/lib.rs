//! Recorders: run or attach to a workload and produce its [`Footprint`].
//!
//! Every recorder here fills the same [`aprof_footprint::Footprint`], so the
//! later stages do not care which one ran.
//!
//! The ptrace recorder ([`record`]) launches a command or attaches to a
//! running process, follows every thread and child, counts every syscall by
//! ABI and hands each one to the decoder for the objects, arguments, code
//! and guard state it reached. The importer ([`strace_import`]) turns
//! `strace -f` output into the same footprint. Tracer, launcher and
//! decoder are internal: [`record`] and the importer are the interface.

mod attach;
mod decode;
mod env;
pub mod ftrace_import;
#[cfg(test)]
mod internal_tests;
mod launch;
mod progress;
mod signals;
pub mod strace_import;
use aprof_launch::ptrace as sys;
mod tracer;
mod vocabulary;

pub use aprof_footprint::Footprint;

use std::ffi::OsString;
use std::time::Duration;

/// What to record.
#[derive(Debug, Clone)]
pub enum Target {
    /// Run this command (argv\[0\] is looked up in `$PATH`) and record it
    /// until it and every process it started have ended.
    Launch(Vec<OsString>),
    /// Attach to every thread of this running process (and follow the
    /// children it starts) until `duration` passes, a stop signal arrives
    /// or the process ends; then detach and leave it running.
    Attach {
        pid: i32,
        duration: Option<Duration>,
    },
}

/// How syscalls are stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Seccomp-assisted where the kernel offers `SECCOMP_RET_TRACE` and the
    /// target is launched; plain ptrace otherwise.
    #[default]
    Auto,
    /// A `SECCOMP_RET_TRACE` filter on the workload: one stop per syscall,
    /// at entry; the exit only where the decoder needs the result (or with
    /// [`RecordOptions::all_errors`]), so errno counts are partial. Two
    /// limits: the filter needs NO_NEW_PRIVS without CAP_SYS_ADMIN (setuid
    /// bits and file capabilities then do nothing in the workload), and a
    /// syscall that the workload's own seccomp filter kills, traps, fails
    /// or notifies never reaches RET_TRACE, so it is not recorded (ptrace
    /// mode records the attempt).
    Seccomp,
    /// `PTRACE_SYSCALL`: a stop at every syscall entry and exit.
    Ptrace,
}

/// How to record.
#[derive(Debug, Clone, Default)]
pub struct RecordOptions {
    pub mode: Mode,
    /// In seccomp mode, also stop at every syscall exit so that every error
    /// is counted (ptrace mode always sees them). Costs a second stop per
    /// syscall.
    pub all_errors: bool,
    /// Draw a progress line on stderr when it is a terminal.
    pub progress: bool,
    /// Take over SIGINT/SIGTERM/SIGHUP/SIGQUIT for this process: forward them
    /// to a launched workload (a second one kills it), or detach on them
    /// when attached. Meant for the CLI, not for library use in threads.
    pub handle_signals: bool,
}

/// How the recording ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The launched (or attached) process exited with this code.
    Exited(i32),
    /// It was killed by this signal.
    Signaled(i32),
    /// aprof detached from the still-running process.
    Detached,
}

impl Outcome {
    /// The exit code a wrapper like aprof should end with: the workload's
    /// code, 128 + signal for a signal death, 0 after a detach.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Exited(code) => (code & 0xff) as u8,
            Outcome::Signaled(signal) => (128 + (signal & 0x7f)) as u8,
            Outcome::Detached => 0,
        }
    }
}

/// A finished recording.
#[derive(Debug, Clone)]
pub struct Recording {
    pub footprint: Footprint,
    pub outcome: Outcome,
}

/// Why a recording could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("{0}: command not found")]
    CommandNotFound(String),
    #[error("{0}: permission denied")]
    PermissionDenied(String),
    #[error("cannot execute {command}: {source}")]
    ExecFailed {
        command: String,
        source: std::io::Error,
    },
    #[error("{0}: the workload died before it could run its program")]
    DiedBeforeExec(String),
    #[error("ptrace refused for pid {pid}: {reason}")]
    PtraceRefused { pid: i32, reason: String },
    #[error("no process with pid {0}")]
    NoSuchProcess(i32),
    #[error("cannot install the seccomp tracing filter ({0}); try --mode ptrace")]
    Seccomp(std::io::Error),
    #[error("seccomp mode can only record a launched command, not an attached process; use --mode ptrace or auto")]
    SeccompAttach,
    #[error("this kernel has no SECCOMP_RET_TRACE; use --mode ptrace or auto")]
    SeccompUnavailable,
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Record `target` as `options` say. Blocks until the recording ends.
///
/// The calling thread becomes the tracer: it alone may wait for and resume
/// the tracees, so run one recording per thread.
pub fn record(target: &Target, options: &RecordOptions) -> Result<Recording, RecordError> {
    tracer::run(target, options)
}

/// Parse a duration: `30s`, `5m`, `1h`, `250ms`, or a plain number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("invalid duration '{text}' (expected e.g. 30s, 5m, 250ms)"))?;
    let seconds = match unit.trim() {
        "" | "s" | "sec" => value,
        "ms" => value / 1000.0,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        other => {
            return Err(format!(
                "invalid duration unit '{other}' in '{text}' (use ms, s, m or h)"
            ))
        }
    };
    if !seconds.is_finite() || seconds <= 0.0 || seconds > 1e9 {
        return Err(format!("invalid duration '{text}' (must be positive)"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// A one-line explanation of why ptrace was refused on `pid`.
pub(crate) fn ptrace_refusal_hint(pid: i32, err: &std::io::Error) -> String {
    if err.raw_os_error() == Some(libc::ESRCH) {
        return "the process is gone".into();
    }
    let tracer = aprof_footprint::procfs::ProcStatus::read(pid)
        .ok()
        .and_then(|s| s.tracer_pid)
        .unwrap_or(0);
    if tracer != 0 {
        return format!("{err}; it is already traced by pid {tracer}");
    }
    let scope = std::fs::read_to_string("/proc/sys/kernel/yama/ptrace_scope")
        .map(|s| s.trim().to_owned())
        .ok();
    match scope.as_deref() {
        Some(s) if s != "0" => format!(
            "{err}; /proc/sys/kernel/yama/ptrace_scope is {s} (0 allows tracing your own processes, or run as root / with CAP_SYS_PTRACE)"
        ),
        _ => format!("{err}; tracing another user's process needs root or CAP_SYS_PTRACE, and it must not be traced already"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5400)));
        for bad in ["", "s", "-3s", "0", "3 weeks", "1e999"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn exit_codes_follow_shells() {
        assert_eq!(Outcome::Exited(3).exit_code(), 3);
        assert_eq!(Outcome::Signaled(9).exit_code(), 137);
        assert_eq!(Outcome::Detached.exit_code(), 0);
    }

    proptest! {
        #[test]
        fn duration_parser_never_panics(s in "\\PC{0,12}") {
            let _ = parse_duration(&s);
        }

        #[test]
        fn whole_seconds_round_trip(n in 1u64..1_000_000) {
            prop_assert_eq!(parse_duration(&format!("{n}s")), Ok(Duration::from_secs(n)));
            prop_assert_eq!(parse_duration(&format!("{n}ms")), Ok(Duration::from_millis(n)));
        }
    }
}
