//! Running a command under a seccomp policy while watching what it would
//! deny, through seccomp user notification (no ptrace).
//!
//! The child (started by the one launcher, [`aprof_launch`]) installs a
//! filter that allows what the policy allows and sends the denials (and
//! every `execve`, see below) to a listener. aprof takes the listener with
//! `pidfd_getfd` and records each notified syscall that the policy denies.
//! [`OnDenial::Observe`] lets it run, to find every missing syscall in one
//! run. [`OnDenial::Enforce`] answers what the policy says: a denial by
//! errno is failed with that errno, as the kernel would; kill and trap
//! rules are not notified at all but stay in the filter, since a listener
//! cannot answer them, so the kernel kills (or traps) as the policy says and
//! the run ends with SIGSYS.
//!
//! Rules that answer ENOSYS stay in the filter: they tell the program a
//! syscall does not exist so that it falls back to another one (Docker's
//! and aprof's `clone3` rule, with glibc falling back to `clone`), and the
//! fallback is what the policy then checks.
//!
//! `execve` always notifies: the child cannot tell aprof its listener fd
//! after installing the filter without making syscalls the policy may deny,
//! so it announces the fd number first and then blocks in its first
//! `execve` until aprof is listening.

use crate::bpf::{compile, Insn, SeccompData};
use crate::policy::{Action, Policy, Rule};
use aprof_footprint::Abi;
use aprof_launch::{seccomp, Filter, Gate, Launch, Report, Stage};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

const SECCOMP_IOCTL_NOTIF_RECV: libc::c_ulong = 0xc050_2100;
const SECCOMP_IOCTL_NOTIF_SEND: libc::c_ulong = 0xc018_2101;
const SECCOMP_USER_NOTIF_FLAG_CONTINUE: u32 = 1;

#[repr(C)]
#[derive(Default)]
struct SeccompNotif {
    id: u64,
    pid: u32,
    flags: u32,
    data: SeccompData,
}

#[repr(C)]
#[derive(Default)]
struct SeccompNotifResp {
    id: u64,
    val: i64,
    error: i32,
    flags: u32,
}

/// What to do with a syscall the policy denies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDenial {
    /// Record it and let it run, to find every missing syscall in one run.
    Observe,
    /// Record it and answer the policy's action: its errno, or (for kill
    /// and trap, which stay in the filter) the kernel's own kill or trap.
    Enforce,
}

/// One syscall the policy denied during the run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Denial {
    pub abi: Abi,
    pub syscall: String,
    /// The policy's action for it.
    pub action: String,
    pub count: u64,
    /// Arguments of the first denied call.
    pub first_args: [u64; 6],
    /// Pid of the first caller.
    pub first_pid: u32,
}

/// How the supervised command ended and what was denied.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SupervisedRun {
    /// Exit code, or 128 + signal number when killed by a signal.
    pub exit_code: i32,
    pub signal: Option<i32>,
    pub denials: Vec<Denial>,
}

/// Why a supervised run could not happen.
#[derive(Debug, thiserror::Error)]
pub enum SuperviseError {
    #[error("cannot compile the policy: {0}")]
    Compile(String),
    #[error("{0}")]
    Setup(String),
    /// The command could not be started.
    #[error("{0}")]
    Launch(aprof_launch::LaunchError),
    #[error("{what}: {source}")]
    Os {
        what: &'static str,
        source: std::io::Error,
    },
}

fn os(what: &'static str) -> SuperviseError {
    SuperviseError::Os {
        what,
        source: std::io::Error::last_os_error(),
    }
}

/// Whether a rule's action says "no such syscall here" rather than "denied".
fn pretends_absent(action: Action) -> bool {
    action == Action::Errno(libc::ENOSYS as u16)
}

/// Whether a denial becomes a notification: every one to observe; to
/// enforce, those a listener can answer as the kernel would (an errno).
fn notifies(action: Action, on_denial: OnDenial) -> bool {
    !action.reaches_kernel()
        && !pretends_absent(action)
        && (on_denial == OnDenial::Observe || matches!(action, Action::Errno(_)))
}

/// The filter the child installs: the policy with `execve`/`execveat`
/// and the denials [`notifies`] picks turned into notifications.
fn notifying_filter(policy: &Policy, on_denial: OnDenial) -> Result<Vec<Insn>, SuperviseError> {
    let mut p = policy.clone();
    for abi_policy in p.abis.values_mut() {
        for rules in abi_policy.syscalls.values_mut() {
            for r in rules.iter_mut().filter(|r| notifies(r.action, on_denial)) {
                r.action = Action::Notify;
            }
        }
        for exec in ["execve", "execveat"] {
            abi_policy.syscalls.insert(
                exec.into(),
                vec![Rule {
                    action: Action::Notify,
                    conditions: vec![],
                }],
            );
        }
        if notifies(abi_policy.default_action, on_denial) {
            abi_policy.default_action = Action::Notify;
        }
    }
    // Syscalls of an ABI the policy does not cover (int 0x80 from an
    // x86_64 program) are denials too, not silent kills, when observing.
    if notifies(p.other_abi_action, on_denial) {
        p.other_abi_action = Action::Notify;
    }
    compile(&p).map_err(|e| SuperviseError::Compile(e.to_string()))
}

/// Run `argv` under `policy`, watching denials.
pub fn run_supervised(
    argv: &[String],
    policy: &Policy,
    on_denial: OnDenial,
) -> Result<SupervisedRun, SuperviseError> {
    if argv.is_empty() {
        return Err(SuperviseError::Setup("no command given".into()));
    }
    let prog = notifying_filter(policy, on_denial)?;
    let argv: Vec<OsString> = argv.iter().map(OsString::from).collect();
    let mut child = aprof_launch::spawn(&Launch {
        argv: &argv,
        gate: Gate::None,
        no_new_privs: true,
        filter: Some(Filter {
            program: Insn::as_sock_filters(&prog),
            flags: seccomp::FLAG_NEW_LISTENER,
            announce_listener: true,
        }),
        default_signals: &[],
    })
    .map_err(SuperviseError::Launch)?;
    let pid = child.pid();
    let listener = match receive_listener(&mut child) {
        Ok(fd) => fd,
        Err(e) => {
            // The child may be blocked in execve forever without a listener.
            child.kill();
            return Err(e);
        }
    };
    supervise(pid, &listener, policy, on_denial)
}

/// Read the child's announcement and take its listener.
fn receive_listener(child: &mut aprof_launch::Child) -> Result<OwnedFd, SuperviseError> {
    let pid = child.pid();
    let target = match child.next_report() {
        Some(Report::ListenerFd(fd)) => fd,
        Some(Report::Failed { stage, errno }) => {
            let what = match stage {
                Stage::NoNewPrivs => "cannot set NO_NEW_PRIVS in the child",
                Stage::Seccomp => "the child could not install the filter",
                Stage::Exec => "the child could not run the command",
            };
            return Err(SuperviseError::Setup(format!(
                "{what}: {}",
                std::io::Error::from_raw_os_error(errno)
            )));
        }
        None => return Err(SuperviseError::Setup("the child did not start".into())),
    };
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1.
    let raw = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) } as libc::c_int;
    if raw < 0 {
        return Err(os("pidfd_open"));
    }
    // SAFETY: pidfd_open returned a fresh descriptor nobody else owns.
    let pidfd = unsafe { OwnedFd::from_raw_fd(raw) };
    // The child blocks in execve until a listener answers, so the fd is
    // still there; retry briefly in case the filter is not installed yet.
    let mut last = std::io::Error::from_raw_os_error(libc::EBADF);
    for _ in 0..500 {
        // SAFETY: pidfd_getfd takes a pidfd, an fd number and flags and
        // returns a new fd or -1.
        let raw = unsafe { libc::syscall(libc::SYS_pidfd_getfd, pidfd.as_raw_fd(), target, 0) }
            as libc::c_int;
        if raw >= 0 {
            // SAFETY: pidfd_getfd returned a fresh descriptor nobody else owns.
            let fd = unsafe { OwnedFd::from_raw_fd(raw) };
            let is_listener = std::fs::read_link(format!("/proc/self/fd/{raw}"))
                .is_ok_and(|p| p.to_string_lossy().contains("seccomp notify"));
            if is_listener {
                return Ok(fd);
            }
        } else {
            last = std::io::Error::last_os_error();
        }
        let mut status = 0;
        // SAFETY: polling our own child's status into a local int.
        if unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) } == pid {
            let refused = child.next_report();
            return Err(SuperviseError::Setup(
                if let Some(Report::Failed { errno, .. }) = refused {
                    format!(
                        "the kernel refused the seccomp filter with a listener (is a listener already installed?): {}",
                        std::io::Error::from_raw_os_error(errno)
                    )
                } else if libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGSYS {
                    "the compiled filter killed the child before its exec (SIGSYS): the filter does not match the policy".into()
                } else {
                    "the child exited before aprof could listen".into()
                },
            ));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    Err(SuperviseError::Os {
        what: "pidfd_getfd",
        source: last,
    })
}

fn supervise(
    pid: libc::pid_t,
    listener: &OwnedFd,
    policy: &Policy,
    on_denial: OnDenial,
) -> Result<SupervisedRun, SuperviseError> {
    let mut denials: BTreeMap<(Abi, String), Denial> = BTreeMap::new();
    let mut status = 0;
    loop {
        let mut pfd = libc::pollfd {
            fd: listener.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: polls one pollfd that lives on this stack frame.
        let ready = unsafe { libc::poll(&mut pfd, 1, 50) };
        if ready > 0 && pfd.revents & libc::POLLIN != 0 {
            let mut req = SeccompNotif::default();
            // SAFETY: NOTIF_RECV writes one struct seccomp_notif, whose
            // layout `SeccompNotif` has, into `req`.
            if unsafe { libc::ioctl(listener.as_raw_fd(), SECCOMP_IOCTL_NOTIF_RECV, &mut req) } == 0
            {
                let action = record(&req, policy, &mut denials);
                let mut resp = SeccompNotifResp {
                    id: req.id,
                    ..Default::default()
                };
                match (action, on_denial) {
                    (Action::Errno(errno), OnDenial::Enforce) => {
                        resp.error = -i32::from(errno);
                    }
                    // Allowed, observed, or a denial a listener cannot give
                    // (only errno denials are notified when enforcing).
                    _ => resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE,
                }
                // SAFETY: NOTIF_SEND reads one struct seccomp_notif_resp.
                // ENOENT (the caller died meanwhile) needs no answer.
                unsafe { libc::ioctl(listener.as_raw_fd(), SECCOMP_IOCTL_NOTIF_SEND, &mut resp) };
            }
            continue;
        }
        // SAFETY: polling our own child's status into a local int.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            break;
        }
        if r < 0 {
            return Err(os("waitpid"));
        }
    }
    let (exit_code, signal) = if libc::WIFSIGNALED(status) {
        (128 + libc::WTERMSIG(status), Some(libc::WTERMSIG(status)))
    } else {
        (libc::WEXITSTATUS(status), None)
    };
    Ok(SupervisedRun {
        exit_code,
        signal,
        denials: denials.into_values().collect(),
    })
}

/// Record a notified syscall if the policy denies it; returns the policy's
/// action for it.
fn record(
    req: &SeccompNotif,
    policy: &Policy,
    denials: &mut BTreeMap<(Abi, String), Denial>,
) -> Action {
    let raw = u64::from(req.data.nr);
    let Some(abi) = Abi::from_audit(req.data.arch, raw) else {
        return Action::KillProcess;
    };
    let name = aprof_footprint::syscall_name(abi, raw as u32);
    let action = policy.action(abi, &name, &req.data.args);
    if action.reaches_kernel() {
        return action;
    }
    let d = denials
        .entry((abi, name.clone()))
        .or_insert_with(|| Denial {
            abi,
            syscall: name,
            action: action.to_string(),
            count: 0,
            first_args: req.data.args,
            first_pid: req.pid,
        });
    d.count += 1;
    action
}
