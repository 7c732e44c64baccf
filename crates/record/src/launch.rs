//! Starting a workload under the tracer: find the program, fork, seize the
//! child before it runs anything of its own, optionally install the
//! seccomp filter that makes every syscall a trace stop, then exec.
//!
//! The child waits on a pipe until the parent has seized it, so no syscall
//! of the workload escapes. Syscalls before the exec belong to aprof and are
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

use crate::sys;
use crate::RecordError;
use std::ffi::{CString, OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

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

/// Why the child failed before its program ran, as it reports on the pipe.
const STAGE_EXEC: u8 = 1;
const STAGE_SECCOMP: u8 = 2;

/// A launched, seized child that has been released to exec.
pub struct Launched {
    pub pid: i32,
    /// Read end of the close-on-exec pipe the child reports a failed exec on.
    error_pipe: std::fs::File,
    pub program: PathBuf,
}

impl Launched {
    /// After the child ended without a successful exec: why.
    pub fn failure(&mut self) -> RecordError {
        use std::io::Read;
        let mut buf = [0u8; 5];
        let command = self.program.display().to_string();
        match self.error_pipe.read(&mut buf) {
            Ok(5) => {
                let errno = i32::from_ne_bytes([buf[1], buf[2], buf[3], buf[4]]);
                let source = std::io::Error::from_raw_os_error(errno);
                if buf[0] == STAGE_SECCOMP {
                    RecordError::Seccomp(source)
                } else if errno == libc::EACCES {
                    RecordError::PermissionDenied(command)
                } else {
                    RecordError::ExecFailed { command, source }
                }
            }
            _ => RecordError::DiedBeforeExec(command),
        }
    }
}

/// Whether this kernel offers the seccomp action `SECCOMP_RET_TRACE`.
pub fn seccomp_trace_available() -> bool {
    let action: u32 = libc::SECCOMP_RET_TRACE;
    // SAFETY: GET_ACTION_AVAIL only reads the u32 it is given.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_GET_ACTION_AVAIL,
            0,
            &action as *const u32,
        )
    };
    ret == 0
}

/// Find `program` as execvp(3) would: a name with a slash is a path,
/// otherwise the first executable regular file of that name in `$PATH`.
pub fn resolve_program(program: &OsStr) -> Result<PathBuf, RecordError> {
    let name = program.to_string_lossy().into_owned();
    if program.is_empty() {
        return Err(RecordError::CommandNotFound(name));
    }
    let executable = |p: &Path| {
        p.metadata()
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    };
    if program.as_bytes().contains(&b'/') {
        let path = PathBuf::from(program);
        return match path.metadata() {
            Err(_) => Err(RecordError::CommandNotFound(name)),
            Ok(m) if m.is_dir() => Err(RecordError::PermissionDenied(name)),
            Ok(_) if !executable(&path) => Err(RecordError::PermissionDenied(name)),
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
        if candidate.is_file() {
            found_unexecutable = true;
        }
    }
    if found_unexecutable {
        Err(RecordError::PermissionDenied(name))
    } else {
        Err(RecordError::CommandNotFound(name))
    }
}

fn pipe_cloexec() -> Result<(i32, i32), RecordError> {
    let mut fds = [0; 2];
    // SAFETY: fds has room for two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } == -1 {
        return Err(RecordError::Io(std::io::Error::last_os_error()));
    }
    Ok((fds[0], fds[1]))
}

fn cstring(s: &OsStr) -> Result<CString, RecordError> {
    CString::new(s.as_bytes()).map_err(|_| {
        RecordError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("argument contains a NUL byte: {}", s.to_string_lossy()),
        ))
    })
}

/// Fork `argv`, seize the child with `options` and let it exec (with the
/// RET_TRACE filter first when `seccomp`, and NO_NEW_PRIVS before it when
/// `set_no_new_privs`). The child is released before this returns; the
/// caller's event loop sees its exec or its death.
pub fn launch(
    argv: &[OsString],
    seccomp: bool,
    set_no_new_privs: bool,
    options: libc::c_int,
) -> Result<Launched, RecordError> {
    let Some(program) = argv.first() else {
        return Err(RecordError::CommandNotFound(String::new()));
    };
    let path = resolve_program(program)?;
    // Everything the child needs is prepared before fork: after it, only
    // async-signal-safe calls.
    let c_path = cstring(path.as_os_str())?;
    let c_args: Vec<CString> = argv.iter().map(|a| cstring(a)).collect::<Result<_, _>>()?;
    let mut c_argv: Vec<*const libc::c_char> = c_args.iter().map(|a| a.as_ptr()).collect();
    c_argv.push(std::ptr::null());
    let mut filter = [libc::sock_filter {
        code: (libc::BPF_RET | libc::BPF_K) as u16,
        jt: 0,
        jf: 0,
        k: libc::SECCOMP_RET_TRACE,
    }];
    let program_filter = libc::sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_mut_ptr(),
    };
    let (sync_read, sync_write) = pipe_cloexec()?;
    let (error_read, error_write) = pipe_cloexec()?;

    // SAFETY: the child branch below only makes async-signal-safe calls on
    // memory prepared before the fork, then execs or _exits.
    let pid = unsafe { libc::fork() };
    if pid == -1 {
        return Err(RecordError::Io(std::io::Error::last_os_error()));
    }
    if pid == 0 {
        // SAFETY: see above; environ is the process environment.
        unsafe {
            crate::signals::reset_in_child();
            libc::close(sync_write);
            libc::close(error_read);
            let mut byte = 0u8;
            // EOF once the parent has seized us (or died).
            while libc::read(sync_read, &mut byte as *mut u8 as *mut libc::c_void, 1) == -1
                && *libc::__errno_location() == libc::EINTR
            {}
            libc::close(sync_read);
            if seccomp && install_trace_filter(&program_filter, set_no_new_privs) != 0 {
                report_and_exit(error_write, STAGE_SECCOMP);
            }
            extern "C" {
                static environ: *const *const libc::c_char;
            }
            libc::execve(c_path.as_ptr(), c_argv.as_ptr(), environ);
            report_and_exit(error_write, STAGE_EXEC);
        }
    }
    // SAFETY: closing our copies of the child's pipe ends.
    unsafe {
        libc::close(sync_read);
        libc::close(error_write);
    }
    // SAFETY: error_read is an open descriptor we own from here on.
    let error_pipe = unsafe { <std::fs::File as std::os::fd::FromRawFd>::from_raw_fd(error_read) };
    if let Err(e) = sys::seize(pid, options) {
        // SAFETY: our own child; kill and reap it.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
            libc::close(sync_write);
            libc::waitpid(pid, std::ptr::null_mut(), 0);
        }
        return Err(RecordError::PtraceRefused {
            pid,
            reason: crate::ptrace_refusal_hint(pid, &e),
        });
    }
    // SAFETY: releasing the child.
    unsafe { libc::close(sync_write) };
    Ok(Launched {
        pid,
        error_pipe,
        program: path,
    })
}

/// Install the RET_TRACE-everything filter, after setting NO_NEW_PRIVS when
/// `set_no_new_privs`. Returns 0 or -1 with errno set. Async-signal-safe.
unsafe fn install_trace_filter(prog: &libc::sock_fprog, set_no_new_privs: bool) -> libc::c_long {
    // SAFETY: prog points to a valid one-instruction program.
    unsafe {
        if set_no_new_privs && libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
            return -1;
        }
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            0,
            prog as *const libc::sock_fprog,
        )
    }
}

/// Whether installing the filter needs NO_NEW_PRIVS from aprof: the kernel
/// demands it without CAP_SYS_ADMIN, and it is aprof's doing only when aprof
/// itself does not already run with it.
pub fn filter_needs_no_new_privs() -> bool {
    let status = aprof_footprint::procfs::ProcStatus::read_self().unwrap_or_default();
    !status.has_effective(CAP_SYS_ADMIN) && status.no_new_privs != Some(true)
}

/// Child side: send `[stage, errno]` to the parent and exit 127.
unsafe fn report_and_exit(fd: i32, stage: u8) -> ! {
    // SAFETY: writes a local buffer, then exits without running destructors.
    unsafe {
        let errno = (*libc::__errno_location()).to_ne_bytes();
        let msg = [stage, errno[0], errno[1], errno[2], errno[3]];
        libc::write(fd, msg.as_ptr() as *const libc::c_void, msg.len());
        libc::_exit(127);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_resolve_like_execvp() {
        assert!(resolve_program(OsStr::new("sh")).unwrap().is_absolute());
        assert!(matches!(
            resolve_program(OsStr::new("aprof-no-such-command")),
            Err(RecordError::CommandNotFound(_))
        ));
        assert!(matches!(
            resolve_program(OsStr::new("/etc/passwd")),
            Err(RecordError::PermissionDenied(_))
        ));
        assert!(matches!(
            resolve_program(OsStr::new("/no/such/file")),
            Err(RecordError::CommandNotFound(_))
        ));
    }
}
