//! The seccomp filters installed in a live process, read with
//! PTRACE_SECCOMP_GET_FILTER, and their evaluation.
//!
//! Reading needs CAP_SYS_ADMIN and a reader that is itself not under
//! seccomp (the kernel answers EACCES otherwise). Index 0 is the oldest
//! filter; past the newest the kernel answers ENOENT.

use crate::bpf::{self, Insn};
use crate::policy::{AbiPolicy, Action, Policy};
use aprof_footprint::procfs::ProcStatus;
use aprof_footprint::Abi;
use aprof_launch::ptrace::{self, Resume, WaitError, WaitEvent};
use std::collections::BTreeMap;

/// The filters of a process (index 0 the oldest) and their combined policy.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LiveGuard {
    pub pid: i32,
    pub filters: Vec<Vec<Insn>>,
    /// What all stacked filters together do, per ABI.
    pub policy: Policy,
    /// `Seccomp:` of /proc/PID/status: 0 off, 1 strict, 2 filter.
    pub seccomp_mode: u8,
    pub no_new_privs: bool,
    /// Whether `policy` says exactly what the filters do.
    pub exact: bool,
    /// Where the evaluation is approximate.
    pub notes: Vec<String>,
    /// For [`guard_of_command`]: the command's exit code (128+signal if killed).
    pub exit_code: Option<i32>,
}

/// Why a live guard could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("no process {0}")]
    NoSuchProcess(i32),
    #[error("process {0} vanished while its filters were read")]
    Vanished(i32),
    #[error("not permitted to read the filters of process {pid}: {reason}")]
    PermissionDenied { pid: i32, reason: String },
    #[error("process {pid} cannot be traced: {reason}")]
    NotTraceable { pid: i32, reason: String },
    #[error("cannot start {command}: {reason}")]
    Spawn { command: String, reason: String },
    /// The command could not be started (not found, not executable, ...).
    #[error("{0}")]
    Launch(aprof_launch::LaunchError),
    #[error("{0}")]
    Other(String),
}

/// `/proc/PID/status` of `pid` (seccomp mode and filters, NoNewPrivs,
/// tracer, state).
pub fn seccomp_status(pid: i32) -> Result<ProcStatus, LiveError> {
    ProcStatus::read(pid).map_err(|_| LiveError::NoSuchProcess(pid))
}

const PTRACE_SECCOMP_GET_FILTER: libc::c_uint = 0x420c;

/// Read filter `index` of a stopped tracee; `None` past the newest. The
/// error is the kernel's errno.
fn get_filter(pid: i32, index: usize) -> Result<Option<Vec<Insn>>, i32> {
    let errno = || std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
    // SAFETY: a NULL buffer asks only for the length.
    let n = unsafe {
        libc::ptrace(
            PTRACE_SECCOMP_GET_FILTER,
            pid,
            index as libc::c_ulong,
            std::ptr::null_mut::<libc::c_void>(),
        )
    };
    if n < 0 {
        return match errno() {
            libc::ENOENT => Ok(None),
            e => Err(e),
        };
    }
    let mut prog = vec![Insn::stmt(0, 0); n as usize];
    // SAFETY: the buffer holds n sock_filter entries; Insn has their layout.
    let m = unsafe {
        libc::ptrace(
            PTRACE_SECCOMP_GET_FILTER,
            pid,
            index as libc::c_ulong,
            prog.as_mut_ptr() as *mut libc::c_void,
        )
    };
    if m < 0 {
        return Err(errno());
    }
    prog.truncate(m as usize);
    Ok(Some(prog))
}

fn read_all_filters(pid: i32) -> Result<Vec<Vec<Insn>>, LiveError> {
    let mut filters = Vec::new();
    loop {
        match get_filter(pid, filters.len()) {
            Ok(Some(f)) => filters.push(f),
            Ok(None) => return Ok(filters),
            Err(libc::ESRCH) => return Err(LiveError::Vanished(pid)),
            Err(libc::EACCES) | Err(libc::EPERM) => {
                return Err(LiveError::PermissionDenied {
                    pid,
                    reason: "PTRACE_SECCOMP_GET_FILTER needs CAP_SYS_ADMIN and a reader \
                             not itself under seccomp"
                        .into(),
                })
            }
            Err(libc::EMEDIUMTYPE) => {
                return Err(LiveError::Other(format!(
                    "filter {} of process {pid} is not classic BPF",
                    filters.len()
                )))
            }
            Err(e) => {
                return Err(LiveError::Other(format!(
                    "PTRACE_SECCOMP_GET_FILTER on process {pid}: {}",
                    std::io::Error::from_raw_os_error(e)
                )))
            }
        }
    }
}

/// Wait until a seized tracee reports a stop (skipping nothing else).
fn wait_stop(pid: i32) -> Result<(), LiveError> {
    loop {
        match ptrace::wait_for(pid, libc::__WALL) {
            Ok(WaitEvent::Exited { .. } | WaitEvent::Signaled { .. }) => {
                return Err(LiveError::Vanished(pid))
            }
            Ok(_) => return Ok(()),
            Err(WaitError::Interrupted) => continue,
            Err(_) => return Err(LiveError::Vanished(pid)),
        }
    }
}

/// How `pid` ended: its exit code, 128 + signal if killed; `None` when it
/// cannot be waited for.
fn wait_exit(pid: i32) -> Option<i32> {
    loop {
        match ptrace::wait_for(pid, 0) {
            Ok(WaitEvent::Exited { code, .. }) => return Some(code),
            Ok(WaitEvent::Signaled { signal, .. }) => return Some(128 + signal),
            Ok(_) | Err(WaitError::Interrupted) => continue,
            Err(_) => return None,
        }
    }
}

/// The policy of seccomp strict mode: read, write, exit, sigreturn.
fn strict_policy() -> Policy {
    let mut abis = BTreeMap::new();
    for abi in [Abi::X86_64, Abi::I386, Abi::X32] {
        let names: &[&str] = match abi {
            Abi::I386 => &["read", "write", "exit", "sigreturn", "rt_sigreturn"],
            _ => &["read", "write", "exit", "rt_sigreturn"],
        };
        let syscalls = names
            .iter()
            .filter(|n| abi.table().number(n).is_some())
            .map(|n| {
                (
                    n.to_string(),
                    vec![crate::policy::Rule {
                        action: Action::Allow,
                        conditions: Vec::new(),
                    }],
                )
            })
            .collect();
        abis.insert(
            abi,
            AbiPolicy {
                default_action: Action::KillThread,
                syscalls,
                number_ranges: Vec::new(),
            },
        );
    }
    Policy {
        abis,
        other_abi_action: Action::KillThread,
    }
}

fn guard_from(pid: i32, st: &ProcStatus, filters: Vec<Vec<Insn>>) -> LiveGuard {
    let mode = st.seccomp.and_then(|m| u8::try_from(m).ok()).unwrap_or(0);
    let (mut policy, exact, mut notes) = if mode == 1 {
        (
            strict_policy(),
            true,
            vec!["seccomp strict mode".to_string()],
        )
    } else {
        let ev = bpf::evaluate(&filters);
        (ev.policy, ev.exact, ev.notes)
    };
    if mode != 0 {
        // What this kernel lets through before the filters (and in strict mode).
        match aprof_footprint::KernelVersion::running() {
            Ok(kernel) => notes.extend(crate::prefilter::apply(&mut policy, &kernel)),
            Err(e) => notes.push(format!(
                "kernel version unknown ({e}): syscalls the kernel lets through before \
                 the filters (uretprobe, uprobe) are not counted"
            )),
        }
    }
    LiveGuard {
        pid,
        filters,
        policy,
        seccomp_mode: mode,
        no_new_privs: st.no_new_privs.unwrap_or(false),
        exact,
        notes,
        exit_code: None,
    }
}

/// Read the guards of a running process and leave it running.
pub fn guard_of_pid(pid: i32) -> Result<LiveGuard, LiveError> {
    if pid <= 0 {
        return Err(LiveError::NoSuchProcess(pid));
    }
    let st = seccomp_status(pid)?;
    if st.is_zombie() {
        return Err(LiveError::Vanished(pid));
    }
    if st.seccomp != Some(2) {
        return Ok(guard_from(pid, &st, Vec::new()));
    }
    if pid as u32 == std::process::id() {
        return Err(LiveError::NotTraceable {
            pid,
            reason: "a process cannot trace itself, and PTRACE_SECCOMP_GET_FILTER needs a \
                     reader not under seccomp: run aprof guard --pid from outside"
                .into(),
        });
    }
    match ptrace::seize(pid, 0).map_err(|e| e.raw_os_error()) {
        Ok(()) => {}
        Err(Some(libc::ESRCH)) => return Err(LiveError::NoSuchProcess(pid)),
        Err(Some(libc::EPERM)) => {
            let reason = if let Some(tracer) = st.tracer_pid.filter(|&t| t != 0) {
                format!("it is already traced by process {tracer}")
            } else {
                "PTRACE_SEIZE refused (needs CAP_SYS_PTRACE or the same user, and Yama \
                 ptrace_scope may forbid it)"
                    .into()
            };
            return Err(LiveError::PermissionDenied { pid, reason });
        }
        Err(e) => {
            return Err(LiveError::NotTraceable {
                pid,
                reason: format!(
                    "PTRACE_SEIZE: {}",
                    std::io::Error::from_raw_os_error(e.unwrap_or(0))
                ),
            })
        }
    }
    let result = (|| {
        ptrace::interrupt(pid).map_err(|_| LiveError::Vanished(pid))?;
        wait_stop(pid)?;
        read_all_filters(pid)
    })();
    // Detaching resumes the process; it fails only when it is gone.
    let _ = ptrace::resume(pid, Resume::Detach, 0);
    let filters = result?;
    Ok(guard_from(pid, &st, filters))
}

/// Start `argv`, stop it at exec, read its guards, and let it run to its
/// end.
///
/// The command and its descendants are followed through fork and exec. The
/// guards reported are those at the first exec that runs under a seccomp
/// filter (a runtime such as bwrap installs the filter and then execs the
/// workload), or, if none does, those at the command's own exec.
pub fn guard_of_command(argv: &[String]) -> Result<LiveGuard, LiveError> {
    let Some(program) = argv.first() else {
        return Err(LiveError::Spawn {
            command: String::new(),
            reason: "no command given".into(),
        });
    };
    let spawn_err = |reason: String| LiveError::Spawn {
        command: program.clone(),
        reason,
    };
    let args: Vec<std::ffi::OsString> = argv.iter().map(Into::into).collect();
    // The child stops itself before its exec, so it can be seized first.
    let mut launched = aprof_launch::spawn(&aprof_launch::Launch {
        argv: &args,
        gate: aprof_launch::Gate::Stop,
        ..Default::default()
    })
    .map_err(LiveError::Launch)?;
    let pid = launched.pid();
    let found = match follow_to_guarded_exec(pid, &mut launched, &spawn_err) {
        Ok(v) => v,
        Err(e) => {
            launched.kill();
            return Err(e);
        }
    };
    let exit_code = found.main_exit.or_else(|| wait_exit(pid));
    let mut guard = guard_from(found.pid, &found.status, found.filters);
    guard.exit_code = exit_code;
    Ok(guard)
}

struct Found {
    pid: i32,
    status: ProcStatus,
    filters: Vec<Vec<Insn>>,
    /// The command's exit code when it ended while being followed.
    main_exit: Option<i32>,
}

fn follow_to_guarded_exec(
    main: i32,
    launched: &mut aprof_launch::Child,
    spawn_err: &dyn Fn(String) -> LiveError,
) -> Result<Found, LiveError> {
    use std::collections::BTreeSet;
    match ptrace::wait_for(main, libc::WUNTRACED) {
        Ok(WaitEvent::Signal { signal, .. }) if signal == libc::SIGSTOP => {}
        other => return Err(spawn_err(format!("child did not stop: {other:?}"))),
    }
    let options = libc::PTRACE_O_TRACEEXEC
        | libc::PTRACE_O_TRACEFORK
        | libc::PTRACE_O_TRACEVFORK
        | libc::PTRACE_O_TRACECLONE
        | libc::PTRACE_O_EXITKILL;
    ptrace::seize(main, options).map_err(|e| spawn_err(format!("PTRACE_SEIZE: {e}")))?;
    // SAFETY: continuing our own stopped child.
    if unsafe { libc::kill(main, libc::SIGCONT) } != 0 {
        let e = std::io::Error::last_os_error();
        return Err(spawn_err(format!("SIGCONT: {e}")));
    }
    let mut traced: BTreeSet<i32> = BTreeSet::from([main]);
    let mut first_exec: Option<(i32, ProcStatus)> = None;
    let mut main_exit = None;
    let found = loop {
        let event = match ptrace::wait_for(-1, libc::__WALL) {
            Ok(e) => e,
            Err(WaitError::Interrupted) => continue,
            Err(WaitError::NoChildren) => break None,
            Err(WaitError::Other(e)) => return Err(spawn_err(format!("waitpid: {e}"))),
        };
        match event {
            WaitEvent::Event { pid, event, .. } if event == libc::PTRACE_EVENT_EXEC => {
                let st = seccomp_status(pid)?;
                if st.seccomp == Some(2) {
                    let filters = read_all_filters(pid);
                    break Some((pid, st, filters));
                }
                if pid == main && first_exec.is_none() {
                    first_exec = Some((pid, st));
                }
                let _ = ptrace::resume(pid, Resume::Cont, 0);
            }
            WaitEvent::Event { pid, event, .. }
                if event == libc::PTRACE_EVENT_FORK
                    || event == libc::PTRACE_EVENT_VFORK
                    || event == libc::PTRACE_EVENT_CLONE =>
            {
                if let Ok(new) = ptrace::event_message(pid) {
                    traced.insert(new as i32);
                }
                let _ = ptrace::resume(pid, Resume::Cont, 0);
            }
            WaitEvent::Event { pid, .. } | WaitEvent::SyscallStop { pid } => {
                traced.insert(pid);
                let _ = ptrace::resume(pid, Resume::Cont, 0);
            }
            WaitEvent::Signal { pid, signal } => {
                traced.insert(pid);
                let _ = ptrace::resume(pid, Resume::Cont, signal);
            }
            WaitEvent::Exited { pid, code } => {
                traced.remove(&pid);
                if pid == main {
                    main_exit = Some(code);
                    if first_exec.is_none() {
                        if let Some(aprof_launch::Report::Failed { errno, .. }) =
                            launched.next_report()
                        {
                            return Err(spawn_err(
                                std::io::Error::from_raw_os_error(errno).to_string(),
                            ));
                        }
                    }
                }
                if traced.is_empty() {
                    break None;
                }
            }
            WaitEvent::Signaled { pid, signal } => {
                traced.remove(&pid);
                if pid == main {
                    main_exit = Some(128 + signal);
                }
                if traced.is_empty() {
                    break None;
                }
            }
        }
    };
    // Let every process we follow run on untraced.
    let mut result = match found {
        Some((p, status, filters)) => {
            let _ = ptrace::resume(p, Resume::Detach, 0);
            traced.remove(&p);
            Some((p, status, filters))
        }
        None => None,
    };
    for &p in &traced {
        if ptrace::interrupt(p).is_ok() {
            loop {
                match ptrace::wait_for(p, libc::__WALL) {
                    Ok(WaitEvent::Exited { code, .. }) => {
                        if p == main {
                            main_exit = Some(code);
                        }
                        break;
                    }
                    Ok(WaitEvent::Signaled { signal, .. }) => {
                        if p == main {
                            main_exit = Some(128 + signal);
                        }
                        break;
                    }
                    Ok(_) => {
                        let _ = ptrace::resume(p, Resume::Detach, 0);
                        break;
                    }
                    Err(WaitError::Interrupted) => continue,
                    Err(_) => break,
                }
            }
        }
    }
    match result.take() {
        Some((pid, status, filters)) => Ok(Found {
            pid,
            status,
            filters: filters?,
            main_exit,
        }),
        None => {
            let (pid, status) = first_exec.unwrap_or((main, ProcStatus::default()));
            Ok(Found {
                pid,
                status,
                filters: Vec::new(),
                main_exit,
            })
        }
    }
}
