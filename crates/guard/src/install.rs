//! Install a seccomp filter into the calling thread: NO_NEW_PRIVS, then
//! `seccomp(SECCOMP_SET_MODE_FILTER)`.
//!
//! Meant for a forked child just before exec: it allocates nothing and calls
//! only async-signal-safe syscalls.

use crate::bpf::Insn;
use std::fmt;
use std::os::fd::RawFd;

/// `SECCOMP_FILTER_FLAG_TSYNC`: apply to all threads.
pub const FLAG_TSYNC: u32 = 1 << 0;
/// `SECCOMP_FILTER_FLAG_LOG`: log every action but ALLOW.
pub const FLAG_LOG: u32 = 1 << 1;
/// `SECCOMP_FILTER_FLAG_SPEC_ALLOW`: keep speculative-store-bypass mitigation off.
pub const FLAG_SPEC_ALLOW: u32 = 1 << 2;
/// `SECCOMP_FILTER_FLAG_NEW_LISTENER`: return a user-notification fd.
pub const FLAG_NEW_LISTENER: u32 = 1 << 3;

const SECCOMP_SET_MODE_FILTER: libc::c_ulong = 1;

/// A failed step of installing a filter, with the kernel's errno.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstallError {
    pub step: &'static str,
    pub errno: i32,
}

impl fmt::Display for InstallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed: {}",
            self.step,
            std::io::Error::from_raw_os_error(self.errno)
        )
    }
}

impl std::error::Error for InstallError {}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// Set NO_NEW_PRIVS, needed to install a filter without CAP_SYS_ADMIN.
pub fn set_no_new_privs() -> Result<(), InstallError> {
    // SAFETY: prctl with integer arguments only.
    let rc = unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) };
    if rc != 0 {
        return Err(InstallError {
            step: "prctl(PR_SET_NO_NEW_PRIVS)",
            errno: errno(),
        });
    }
    Ok(())
}

/// Install `prog` (no NO_NEW_PRIVS) with `FLAG_*` flags. With
/// [`FLAG_NEW_LISTENER`] the notification fd is returned.
pub fn install_filter_only(prog: &[Insn], flags: u32) -> Result<Option<RawFd>, InstallError> {
    if prog.is_empty() || prog.len() > u16::MAX as usize {
        return Err(InstallError {
            step: "seccomp(SECCOMP_SET_MODE_FILTER)",
            errno: libc::EINVAL,
        });
    }
    let fprog = libc::sock_fprog {
        len: prog.len() as u16,
        // Insn is repr(C) with the layout of struct sock_filter.
        filter: prog.as_ptr() as *mut libc::sock_filter,
    };
    // SAFETY: fprog points to prog, which outlives the call; the kernel copies it.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            SECCOMP_SET_MODE_FILTER,
            flags as libc::c_ulong,
            &fprog as *const libc::sock_fprog,
        )
    };
    if rc < 0 {
        return Err(InstallError {
            step: "seccomp(SECCOMP_SET_MODE_FILTER)",
            errno: errno(),
        });
    }
    Ok((flags & FLAG_NEW_LISTENER != 0).then_some(rc as RawFd))
}

/// Set NO_NEW_PRIVS and install `prog` with `FLAG_*` flags into the calling
/// thread. With [`FLAG_NEW_LISTENER`] the notification fd is returned.
pub fn install_filter(prog: &[Insn], flags: u32) -> Result<Option<RawFd>, InstallError> {
    set_no_new_privs()?;
    install_filter_only(prog, flags)
}

/// Make `cmd` install `prog` (with NO_NEW_PRIVS and `FLAG_*` flags) in the
/// child between fork and exec, the way `aprof run --profile` enforces a
/// profile. A listener fd from [`FLAG_NEW_LISTENER`] stays in the child;
/// take it with `pidfd_getfd` if a supervisor needs it.
pub fn command_with_filter(
    cmd: &mut std::process::Command,
    prog: Vec<Insn>,
    flags: u32,
) -> &mut std::process::Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure only makes the async-signal-safe prctl and
    // seccomp syscalls on memory allocated before fork.
    unsafe {
        cmd.pre_exec(move || {
            install_filter(&prog, flags)
                .map(|_| ())
                .map_err(|e| std::io::Error::from_raw_os_error(e.errno))
        })
    }
}
