//! Running a command under a seccomp policy while watching what it would
//! deny, through seccomp user notification (no ptrace).
//!
//! The child installs a filter that allows what the policy allows and sends
//! everything else (and every `execve`, see below) to a listener. aprof takes
//! the listener with `pidfd_getfd`, records each notified syscall that the
//! policy denies, and lets it continue (`--observe`, to find every missing
//! syscall in one run) or fails it with the policy's action (`--enforce`).
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
use std::collections::BTreeMap;
use std::ffi::CString;
use std::os::fd::RawFd;
use std::time::Duration;

const SECCOMP_FILTER_FLAG_NEW_LISTENER: u32 = 1 << 3;
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
    /// Record it and fail it with EPERM, as the profile would.
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

/// The filter the child installs: the policy with `execve`/`execveat`
/// and every denial (but not an ENOSYS rule) turned into a notification.
fn notifying_filter(policy: &Policy) -> Result<Vec<Insn>, SuperviseError> {
    let mut p = policy.clone();
    for abi_policy in p.abis.values_mut() {
        for rules in abi_policy.syscalls.values_mut() {
            let denials = rules
                .iter_mut()
                .filter(|r| !r.action.reaches_kernel() && !pretends_absent(r.action));
            for r in denials {
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
        if !abi_policy.default_action.reaches_kernel() {
            abi_policy.default_action = Action::Notify;
        }
    }
    // Syscalls of an ABI the policy does not cover (int 0x80 from an
    // x86_64 program) are denials too, not silent kills.
    if !p.other_abi_action.reaches_kernel() {
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
    let prog = notifying_filter(policy)?;
    let c_argv: Vec<CString> = argv
        .iter()
        .map(|a| {
            CString::new(a.as_bytes())
                .map_err(|_| SuperviseError::Setup(format!("argument contains a NUL byte: {a:?}")))
        })
        .collect::<Result<_, _>>()?;
    let mut c_ptrs: Vec<*const libc::c_char> = c_argv.iter().map(|c| c.as_ptr()).collect();
    c_ptrs.push(std::ptr::null());
    if prog.len() > u16::MAX as usize {
        return Err(SuperviseError::Compile(format!(
            "{} instructions is too long a filter",
            prog.len()
        )));
    }
    // Insn has the layout of struct sock_filter; `prog` outlives the fork.
    let fprog = libc::sock_fprog {
        len: prog.len() as u16,
        filter: prog.as_ptr() as *mut libc::sock_filter,
    };

    let mut pipe = [0; 2];
    // SAFETY: plain pipe2 on a two-int array.
    if unsafe { libc::pipe2(pipe.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(os("pipe2"));
    }
    // SAFETY: the child only makes raw syscalls on memory prepared before
    // the fork, then execs or exits; nothing allocates after fork.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(os("fork"));
    }
    if pid == 0 {
        unsafe { child(pipe, &fprog, &c_ptrs) }
    }
    unsafe { libc::close(pipe[1]) };
    let listener = receive_listener(pid, pipe[0]);
    unsafe { libc::close(pipe[0]) };
    let listener = match listener {
        Ok(fd) => fd,
        Err(e) => {
            // The child may be blocked in execve forever without a listener.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, std::ptr::null_mut(), 0);
            }
            return Err(e);
        }
    };
    let result = supervise(pid, listener, policy, on_denial);
    unsafe { libc::close(listener) };
    result
}

/// In the child: announce the listener fd, install the filter, exec.
unsafe fn child(pipe: [RawFd; 2], fprog: &libc::sock_fprog, argv: &[*const libc::c_char]) -> ! {
    libc::close(pipe[0]);
    let fail = |code: u8| -> ! {
        let msg = [code];
        libc::write(pipe[1], msg.as_ptr().cast(), 1);
        libc::_exit(127)
    };
    if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
        fail(1);
    }
    // The listener gets the lowest free descriptor: find it now, while
    // syscalls are still unfiltered.
    let probe = libc::dup(pipe[1]);
    if probe < 0 {
        fail(2);
    }
    libc::close(probe);
    let announce = (probe as u32).to_ne_bytes();
    let mut msg = [0u8; 5];
    msg[1..].copy_from_slice(&announce);
    if libc::write(pipe[1], msg.as_ptr().cast(), 5) != 5 {
        libc::_exit(127);
    }
    let fd = libc::syscall(
        libc::SYS_seccomp,
        1, /* SET_MODE_FILTER */
        SECCOMP_FILTER_FLAG_NEW_LISTENER,
        fprog as *const _,
    );
    if fd != probe as libc::c_long {
        // The parent reads the failure from the closed pipe (no more bytes).
        libc::_exit(126);
    }
    libc::execvp(argv[0], argv.as_ptr());
    libc::_exit(127)
}

/// Read the child's announcement and take its listener.
fn receive_listener(pid: libc::pid_t, read_end: RawFd) -> Result<RawFd, SuperviseError> {
    let mut msg = [0u8; 5];
    let n = unsafe { libc::read(read_end, msg.as_mut_ptr().cast(), 5) };
    if n != 5 || msg[0] != 0 {
        return Err(SuperviseError::Setup(match msg[0] {
            1 => "cannot set NO_NEW_PRIVS in the child".into(),
            2 => "the child has no free file descriptor".into(),
            _ => "the child did not start".into(),
        }));
    }
    let target = u32::from_ne_bytes([msg[1], msg[2], msg[3], msg[4]]) as libc::c_int;
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) } as libc::c_int;
    if pidfd < 0 {
        return Err(os("pidfd_open"));
    }
    // The child blocks in execve until a listener answers, so the fd is
    // still there; retry briefly in case the filter is not installed yet.
    let mut last = std::io::Error::from_raw_os_error(libc::EBADF);
    for _ in 0..500 {
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_getfd, pidfd, target, 0) } as libc::c_int;
        if fd >= 0 {
            let is_listener = std::fs::read_link(format!("/proc/self/fd/{fd}"))
                .is_ok_and(|p| p.to_string_lossy().contains("seccomp notify"));
            if is_listener {
                unsafe { libc::close(pidfd) };
                return Ok(fd);
            }
            unsafe { libc::close(fd) };
        } else {
            last = std::io::Error::last_os_error();
        }
        let mut status = 0;
        if unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) } == pid {
            unsafe { libc::close(pidfd) };
            return Err(SuperviseError::Setup(
                if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 126 {
                    "the kernel refused the seccomp filter with a listener (is a listener already installed?)".into()
                } else if libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGSYS {
                    "the compiled filter killed the child before its exec (SIGSYS): the filter does not match the policy".into()
                } else {
                    "the child exited before aprof could listen".into()
                },
            ));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    unsafe { libc::close(pidfd) };
    Err(SuperviseError::Os {
        what: "pidfd_getfd",
        source: last,
    })
}

fn supervise(
    pid: libc::pid_t,
    listener: RawFd,
    policy: &Policy,
    on_denial: OnDenial,
) -> Result<SupervisedRun, SuperviseError> {
    let mut denials: BTreeMap<(Abi, String), Denial> = BTreeMap::new();
    let mut status = 0;
    loop {
        let mut pfd = libc::pollfd {
            fd: listener,
            events: libc::POLLIN,
            revents: 0,
        };
        let ready = unsafe { libc::poll(&mut pfd, 1, 50) };
        if ready > 0 && pfd.revents & libc::POLLIN != 0 {
            let mut req = SeccompNotif::default();
            if unsafe { libc::ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &mut req) } == 0 {
                let allowed = record(&req, policy, &mut denials);
                let mut resp = SeccompNotifResp {
                    id: req.id,
                    ..Default::default()
                };
                if allowed || on_denial == OnDenial::Observe {
                    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
                } else {
                    resp.error = -libc::EPERM;
                }
                // ENOENT: the caller died meanwhile; nothing to answer.
                unsafe { libc::ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &mut resp) };
            }
            continue;
        }
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

/// Record a notified syscall if the policy denies it; returns whether the
/// policy allows it.
fn record(
    req: &SeccompNotif,
    policy: &Policy,
    denials: &mut BTreeMap<(Abi, String), Denial>,
) -> bool {
    let raw = u64::from(req.data.nr);
    let Some(abi) = Abi::from_audit(req.data.arch, raw) else {
        return false;
    };
    let name = aprof_footprint::syscall_name(abi, raw as u32);
    let action = policy.action(abi, &name, &req.data.args);
    if action.reaches_kernel() {
        return true;
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
    false
}
