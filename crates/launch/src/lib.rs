//! Starting a workload: the one fork/exec launcher of aprof (the recorder,
//! the live guard reader and the seccomp supervisor all start their
//! command here), the one seccomp filter installer ([`seccomp`]), and the
//! ptrace and wait calls of the tracers that follow it ([`ptrace`]).
//!
//! The program is found in the parent, as execvp(3) would, so that "command
//! not found" and "permission denied" are told before anything runs. The
//! child then, with no allocation and only async-signal-safe calls:
//! 1. puts the signals it is told to (and SIGPIPE, which the Rust runtime
//!    ignores) back to their default action and empties the signal mask, as
//!    `std::process::Command` does, so the workload starts as from a shell;
//! 2. waits at its [`Gate`]: until the parent releases it (after seizing it
//!    with ptrace, say), or stopped by SIGSTOP;
//! 3. sets NO_NEW_PRIVS and installs the seccomp filter, if asked, first
//!    announcing the fd number the filter's listener will get;
//! 4. execs.
//!
//! A step that fails is reported to the parent on a close-on-exec pipe
//! ([`Report`]) and the child exits with 127; a successful exec closes the
//! pipe, which the parent sees as end of file.

pub mod ptrace;
pub mod seccomp;

use std::ffi::{CString, OsStr, OsString};
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Why a command could not be started.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("{0}: command not found")]
    CommandNotFound(String),
    #[error("{0}: permission denied")]
    PermissionDenied(String),
    #[error("{0}")]
    InvalidArgument(String),
    #[error("{what}: {source}")]
    Os {
        what: &'static str,
        source: std::io::Error,
    },
}

impl LaunchError {
    /// The exit status a shell gives a command it cannot run: 127 when it
    /// is not found, 126 when it is found but cannot be executed.
    pub fn shell_status(&self) -> Option<u8> {
        match self {
            LaunchError::CommandNotFound(_) => Some(127),
            LaunchError::PermissionDenied(_) => Some(126),
            _ => None,
        }
    }
}

fn os_error(what: &'static str) -> LaunchError {
    LaunchError::Os {
        what,
        source: std::io::Error::last_os_error(),
    }
}

/// Where the child waits before it execs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Gate {
    /// It goes straight on.
    #[default]
    None,
    /// Until the parent calls [`Child::release`] (or drops the child).
    Release,
    /// It stops itself with SIGSTOP; the parent continues it with SIGCONT.
    Stop,
}

/// A seccomp filter the child installs just before exec.
#[derive(Debug, Clone, Copy)]
pub struct Filter<'a> {
    pub program: &'a [libc::sock_filter],
    /// `seccomp::FLAG_*`.
    pub flags: u32,
    /// Send the parent the fd number the listener will get
    /// ([`Report::ListenerFd`]), for `SECCOMP_FILTER_FLAG_NEW_LISTENER`:
    /// once the filter is in, the child cannot tell it anything.
    pub announce_listener: bool,
}

/// What to start and how.
#[derive(Debug, Clone, Default)]
pub struct Launch<'a> {
    /// The command; `argv[0]` is looked up in `$PATH` unless it has a `/`.
    pub argv: &'a [OsString],
    pub gate: Gate,
    /// Set NO_NEW_PRIVS before the filter (a filter needs it without
    /// CAP_SYS_ADMIN; it also makes setuid bits ineffective).
    pub no_new_privs: bool,
    pub filter: Option<Filter<'a>>,
    /// Signals the caller handles, put back to their default action in the
    /// child (SIGPIPE always is).
    pub default_signals: &'a [i32],
}

/// The step of the child that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    NoNewPrivs,
    Seccomp,
    Exec,
}

/// A message of the child on the report pipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// The fd number the filter's listener will get.
    ListenerFd(i32),
    /// This step failed with this errno; the child exits with 127.
    Failed { stage: Stage, errno: i32 },
}

const TAG_LISTENER: u8 = 0;
const TAG_NO_NEW_PRIVS: u8 = 1;
const TAG_SECCOMP: u8 = 2;
const TAG_EXEC: u8 = 3;

/// A started child. Dropping it releases a gated child; it does not wait
/// for or kill it.
#[derive(Debug)]
pub struct Child {
    pid: i32,
    program: PathBuf,
    /// Write end of the release pipe, held until [`Child::release`].
    release: Option<OwnedFd>,
    /// Read end of the close-on-exec report pipe.
    reports: std::fs::File,
}

impl Child {
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// The program as found in `$PATH`.
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// Let a [`Gate::Release`] child go on.
    pub fn release(&mut self) {
        self.release = None;
    }

    /// The next report of the child; blocks until one comes or the pipe
    /// closes (a successful exec, or the child's death): then `None`.
    pub fn next_report(&mut self) -> Option<Report> {
        let mut msg = [0u8; 5];
        loop {
            match self.reports.read_exact(&mut msg) {
                Ok(()) => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => return None,
            }
        }
        let value = i32::from_ne_bytes([msg[1], msg[2], msg[3], msg[4]]);
        let failed = |stage| Report::Failed {
            stage,
            errno: value,
        };
        Some(match msg[0] {
            TAG_LISTENER => Report::ListenerFd(value),
            TAG_NO_NEW_PRIVS => failed(Stage::NoNewPrivs),
            TAG_SECCOMP => failed(Stage::Seccomp),
            _ => failed(Stage::Exec),
        })
    }

    /// Kill the child and reap it (for a caller that gives up on it).
    pub fn kill(self) {
        // SAFETY: our own unreaped child: its pid cannot have been reused.
        unsafe {
            libc::kill(self.pid, libc::SIGKILL);
            libc::waitpid(self.pid, std::ptr::null_mut(), 0);
        }
    }
}

/// Find `program` as execvp(3) would: a name with a slash is a path,
/// otherwise the first executable regular file of that name in `$PATH`.
pub fn resolve_program(program: &OsStr) -> Result<PathBuf, LaunchError> {
    let name = program.to_string_lossy().into_owned();
    if program.is_empty() {
        return Err(LaunchError::CommandNotFound(name));
    }
    let executable = |p: &Path| {
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if program.as_bytes().contains(&b'/') {
        let path = PathBuf::from(program);
        return match path.metadata() {
            Err(_) => Err(LaunchError::CommandNotFound(name)),
            Ok(m) if m.is_dir() => Err(LaunchError::PermissionDenied(name)),
            Ok(_) if !executable(&path) => Err(LaunchError::PermissionDenied(name)),
            Ok(_) => Ok(path),
        };
    }
    let search = std::env::var_os("PATH").unwrap_or_else(|| OsString::from("/usr/bin:/bin"));
    let mut found_unexecutable = false;
    for dir in std::env::split_paths(&search) {
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        let candidate = dir.join(program);
        if executable(&candidate) {
            return Ok(candidate);
        }
        found_unexecutable |= candidate.is_file();
    }
    if found_unexecutable {
        Err(LaunchError::PermissionDenied(name))
    } else {
        Err(LaunchError::CommandNotFound(name))
    }
}

fn cstring(s: &OsStr) -> Result<CString, LaunchError> {
    CString::new(s.as_bytes()).map_err(|_| {
        LaunchError::InvalidArgument(format!(
            "argument contains a NUL byte: {}",
            s.to_string_lossy()
        ))
    })
}

/// A close-on-exec pipe: (read end, write end).
fn pipe() -> Result<(OwnedFd, OwnedFd), LaunchError> {
    let mut fds = [0; 2];
    // SAFETY: fds has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } == -1 {
        return Err(os_error("pipe2"));
    }
    // SAFETY: pipe2 returned two fresh descriptors nobody else owns.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Everything the child needs, prepared before the fork.
struct Prepared<'a> {
    path: CString,
    argv: Vec<CString>,
    launch: &'a Launch<'a>,
}

impl Prepared<'_> {
    fn new<'a>(launch: &'a Launch<'a>) -> Result<(Prepared<'a>, PathBuf), LaunchError> {
        let Some(program) = launch.argv.first() else {
            return Err(LaunchError::CommandNotFound(String::new()));
        };
        let path = resolve_program(program)?;
        let prepared = Prepared {
            path: cstring(path.as_os_str())?,
            argv: launch
                .argv
                .iter()
                .map(|a| cstring(a))
                .collect::<Result<_, _>>()?,
            launch,
        };
        Ok((prepared, path))
    }
}

/// Start `launch` in a child process. With [`Gate::Release`] the child waits
/// until [`Child::release`]; with [`Gate::Stop`] it stops itself first.
pub fn spawn(launch: &Launch<'_>) -> Result<Child, LaunchError> {
    let (prepared, program) = Prepared::new(launch)?;
    let mut argv: Vec<*const libc::c_char> = prepared.argv.iter().map(|a| a.as_ptr()).collect();
    argv.push(std::ptr::null());
    let (release_read, release_write) = pipe()?;
    let (report_read, report_write) = pipe()?;
    // SAFETY: the child branch only makes async-signal-safe calls on memory
    // prepared above, then execs or _exits; it never returns.
    let pid = unsafe { libc::fork() };
    if pid == -1 {
        return Err(os_error("fork"));
    }
    if pid == 0 {
        // SAFETY: in the forked child, see above. The parent's ends are
        // closed by raw number: dropping an OwnedFd here would be the same
        // close(2), but nothing of the parent's may run its destructors.
        unsafe {
            libc::close(release_write.as_raw_fd());
            libc::close(report_read.as_raw_fd());
            child(
                &prepared,
                &argv,
                release_read.as_raw_fd(),
                report_write.as_raw_fd(),
            )
        }
    }
    drop(release_read);
    drop(report_write);
    let gated = launch.gate == Gate::Release;
    Ok(Child {
        pid,
        program,
        release: gated.then_some(release_write),
        reports: std::fs::File::from(report_read),
    })
}

/// Do the child's steps in this process and exec: for a caller that is
/// itself to become the workload (`aprof run`). Returns only on failure.
pub fn exec_in_place(launch: &Launch<'_>) -> LaunchError {
    let (prepared, program) = match Prepared::new(launch) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let mut argv: Vec<*const libc::c_char> = prepared.argv.iter().map(|a| a.as_ptr()).collect();
    argv.push(std::ptr::null());
    // SAFETY: the steps only make syscalls on memory that lives until they
    // return (an exec that succeeds does not return).
    let (stage, errno) = unsafe { steps(&prepared, &argv, -1) };
    let source = std::io::Error::from_raw_os_error(errno);
    let what = match stage {
        Stage::NoNewPrivs => "prctl(PR_SET_NO_NEW_PRIVS)",
        Stage::Seccomp => "installing the seccomp filter",
        Stage::Exec => {
            return match errno {
                libc::ENOENT => LaunchError::CommandNotFound(program.display().to_string()),
                libc::EACCES => LaunchError::PermissionDenied(program.display().to_string()),
                _ => LaunchError::Os {
                    what: "execve",
                    source,
                },
            }
        }
    };
    LaunchError::Os { what, source }
}

/// The forked child: steps, then report the failure and exit 127.
///
/// # Safety
/// Only in a child right after `fork`: it runs no destructor and never
/// returns.
unsafe fn child(
    prepared: &Prepared<'_>,
    argv: &[*const libc::c_char],
    release: RawFd,
    report: RawFd,
) -> ! {
    // SAFETY: async-signal-safe calls on memory prepared before the fork.
    unsafe {
        match prepared.launch.gate {
            Gate::Release => {
                let mut byte = 0u8;
                // End of file once the parent releases us (or dies).
                while libc::read(release, (&mut byte as *mut u8).cast(), 1) == -1
                    && seccomp::errno() == libc::EINTR
                {}
            }
            Gate::Stop => {
                libc::raise(libc::SIGSTOP);
            }
            Gate::None => {}
        }
        libc::close(release);
        let (stage, errno) = steps(prepared, argv, report);
        let tag = match stage {
            Stage::NoNewPrivs => TAG_NO_NEW_PRIVS,
            Stage::Seccomp => TAG_SECCOMP,
            Stage::Exec => TAG_EXEC,
        };
        send(report, tag, errno);
        libc::_exit(127)
    }
}

/// Write one report; async-signal-safe.
fn send(fd: RawFd, tag: u8, value: i32) {
    if fd < 0 {
        return;
    }
    let v = value.to_ne_bytes();
    let msg = [tag, v[0], v[1], v[2], v[3]];
    // SAFETY: writes a local buffer to a descriptor we own.
    unsafe { libc::write(fd, msg.as_ptr().cast(), msg.len()) };
}

/// Signals, NO_NEW_PRIVS, filter, exec. Returns the step that failed.
///
/// # Safety
/// `argv` is NUL-terminated and its strings outlive the call.
unsafe fn steps(
    prepared: &Prepared<'_>,
    argv: &[*const libc::c_char],
    report: RawFd,
) -> (Stage, i32) {
    let launch = prepared.launch;
    // SAFETY: signal, sigprocmask, prctl, seccomp and execve are
    // async-signal-safe; every pointer is to memory prepared by the caller.
    unsafe {
        for &signal in launch.default_signals.iter().chain(&[libc::SIGPIPE]) {
            libc::signal(signal, libc::SIG_DFL);
        }
        let mut empty: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut empty);
        libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
        if launch.no_new_privs && seccomp::set_no_new_privs().is_err() {
            return (Stage::NoNewPrivs, seccomp::errno());
        }
        if let Some(filter) = &launch.filter {
            let mut expected = -1;
            if filter.announce_listener {
                // The listener gets the lowest free descriptor: find it now,
                // while syscalls are still unfiltered.
                expected = libc::dup(0.max(report));
                if expected < 0 {
                    return (Stage::Seccomp, seccomp::errno());
                }
                libc::close(expected);
                send(report, TAG_LISTENER, expected);
            }
            match seccomp::install_raw(filter.program, filter.flags) {
                Err(e) => return (Stage::Seccomp, e.errno),
                // Another descriptor than announced: the parent would take
                // the wrong one, so do not run.
                Ok(fd) if filter.announce_listener && fd != expected => {
                    return (Stage::Seccomp, libc::EBADF)
                }
                Ok(_) => {}
            }
        }
        extern "C" {
            static environ: *const *const libc::c_char;
        }
        libc::execve(prepared.path.as_ptr(), argv.as_ptr(), environ);
        (Stage::Exec, seccomp::errno())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    fn wait(pid: i32) -> i32 {
        let mut status = 0;
        // SAFETY: waiting for our own child.
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        status
    }

    #[test]
    fn programs_resolve_like_execvp() {
        assert!(resolve_program(OsStr::new("sh")).unwrap().is_absolute());
        assert!(matches!(
            resolve_program(OsStr::new("aprof-no-such-command")),
            Err(LaunchError::CommandNotFound(_))
        ));
        assert!(matches!(
            resolve_program(OsStr::new("/etc/passwd")),
            Err(LaunchError::PermissionDenied(_))
        ));
        assert!(matches!(
            resolve_program(OsStr::new("/no/such/file")),
            Err(LaunchError::CommandNotFound(_))
        ));
    }

    #[test]
    fn a_released_child_execs_and_closes_the_report_pipe() {
        let argv = argv(&["sh", "-c", "exit 7"]);
        let mut child = spawn(&Launch {
            argv: &argv,
            gate: Gate::Release,
            ..Default::default()
        })
        .unwrap();
        child.release();
        assert_eq!(child.next_report(), None, "exec closes the pipe");
        let status = wait(child.pid());
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 7);
    }

    #[test]
    fn sigpipe_is_default_in_the_child_though_ignored_here() {
        // The Rust runtime ignores SIGPIPE in this test process; the child
        // must not inherit that (SigIgn bit 12 is SIGPIPE, signal 13).
        let argv = argv(&[
            "sh",
            "-c",
            "mask=$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/self/status); \
             exit $(( 0x$mask >> 12 & 1 ))",
        ]);
        let mut child = spawn(&Launch {
            argv: &argv,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(child.next_report(), None);
        let status = wait(child.pid());
        assert!(libc::WIFEXITED(status), "{status:#x}");
        assert_eq!(
            libc::WEXITSTATUS(status),
            0,
            "SIGPIPE still ignored in the child"
        );
    }

    #[test]
    fn a_failed_exec_is_reported_with_its_errno() {
        let dir = std::env::temp_dir().join(format!("aprof-launch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Executable bits, but no valid format and no #!: ENOEXEC.
        let bogus = dir.join("bogus");
        std::fs::write(&bogus, [0x7f, b'E', b'L', b'F', 0, 0, 0, 0]).unwrap();
        std::fs::set_permissions(&bogus, std::fs::Permissions::from_mode(0o755)).unwrap();
        let argv = vec![bogus.into_os_string()];
        let mut child = spawn(&Launch {
            argv: &argv,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            child.next_report(),
            Some(Report::Failed {
                stage: Stage::Exec,
                errno: libc::ENOEXEC
            })
        );
        let status = wait(child.pid());
        assert_eq!(libc::WEXITSTATUS(status), 127);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_stop_gate_stops_before_exec() {
        let argv = argv(&["true"]);
        let child = spawn(&Launch {
            argv: &argv,
            gate: Gate::Stop,
            ..Default::default()
        })
        .unwrap();
        let mut status = 0;
        // SAFETY: waiting for our own child, reporting stops.
        unsafe { libc::waitpid(child.pid(), &mut status, libc::WUNTRACED) };
        assert!(libc::WIFSTOPPED(status) && libc::WSTOPSIG(status) == libc::SIGSTOP);
        // SAFETY: continuing our own stopped child.
        unsafe { libc::kill(child.pid(), libc::SIGCONT) };
        let status = wait(child.pid());
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
    }

    #[test]
    fn a_filter_is_in_force_at_exec() {
        // Fails getppid with EPERM and allows the rest; the exec'd shell
        // sees itself in filter mode.
        let program = [
            // A = seccomp_data.nr
            libc::sock_filter {
                code: (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16,
                jt: 0,
                jf: 0,
                k: 0,
            },
            libc::sock_filter {
                code: (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16,
                jt: 0,
                jf: 1,
                k: libc::SYS_getppid as u32,
            },
            libc::sock_filter {
                code: (libc::BPF_RET | libc::BPF_K) as u16,
                jt: 0,
                jf: 0,
                k: libc::SECCOMP_RET_ERRNO | libc::EPERM as u32,
            },
            libc::sock_filter {
                code: (libc::BPF_RET | libc::BPF_K) as u16,
                jt: 0,
                jf: 0,
                k: libc::SECCOMP_RET_ALLOW,
            },
        ];
        let argv = argv(&[
            "sh",
            "-c",
            "grep -q '^Seccomp:[[:space:]]*2' /proc/self/status",
        ]);
        let mut child = spawn(&Launch {
            argv: &argv,
            no_new_privs: true,
            filter: Some(Filter {
                program: &program,
                flags: 0,
                announce_listener: false,
            }),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(child.next_report(), None);
        let status = wait(child.pid());
        assert_eq!(
            libc::WEXITSTATUS(status),
            0,
            "the exec'd shell runs in filter mode"
        );
    }
}
