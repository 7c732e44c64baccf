//! The one seccomp filter installer: NO_NEW_PRIVS, then
//! `seccomp(SECCOMP_SET_MODE_FILTER)` into the calling thread.
//!
//! Meant for a forked child just before exec as well as for the calling
//! process: it allocates nothing and makes only async-signal-safe syscalls.

use std::fmt;
use std::os::fd::{FromRawFd, OwnedFd};

/// `SECCOMP_FILTER_FLAG_TSYNC`: apply to all threads.
pub const FLAG_TSYNC: u32 = 1 << 0;
/// `SECCOMP_FILTER_FLAG_LOG`: log every action but ALLOW.
pub const FLAG_LOG: u32 = 1 << 1;
/// `SECCOMP_FILTER_FLAG_SPEC_ALLOW`: keep speculative-store-bypass mitigation off.
pub const FLAG_SPEC_ALLOW: u32 = 1 << 2;
/// `SECCOMP_FILTER_FLAG_NEW_LISTENER`: return a user-notification fd.
pub const FLAG_NEW_LISTENER: u32 = 1 << 3;

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

impl From<InstallError> for std::io::Error {
    fn from(e: InstallError) -> Self {
        std::io::Error::from_raw_os_error(e.errno)
    }
}

pub(crate) fn errno() -> i32 {
    // SAFETY: __errno_location returns this thread's errno; reading it is
    // async-signal-safe (std's last_os_error is not documented as such).
    unsafe { *libc::__errno_location() }
}

const SET_NO_NEW_PRIVS: &str = "prctl(PR_SET_NO_NEW_PRIVS)";
const SET_MODE_FILTER: &str = "seccomp(SECCOMP_SET_MODE_FILTER)";

/// Set NO_NEW_PRIVS, which installing a filter without CAP_SYS_ADMIN needs.
pub fn set_no_new_privs() -> Result<(), InstallError> {
    // SAFETY: prctl with integer arguments only.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(InstallError {
            step: SET_NO_NEW_PRIVS,
            errno: errno(),
        });
    }
    Ok(())
}

/// Install `program` with `FLAG_*` flags (no NO_NEW_PRIVS). Returns the
/// raw return value: the listener fd with [`FLAG_NEW_LISTENER`], else 0.
/// Async-signal-safe, so a forked child may call it.
pub fn install_raw(program: &[libc::sock_filter], flags: u32) -> Result<i32, InstallError> {
    let invalid = InstallError {
        step: SET_MODE_FILTER,
        errno: libc::EINVAL,
    };
    let len = u16::try_from(program.len()).map_err(|_| invalid)?;
    if len == 0 {
        return Err(invalid);
    }
    let fprog = libc::sock_fprog {
        len,
        // The kernel only reads the program (it copies it in).
        filter: program.as_ptr().cast_mut(),
    };
    // SAFETY: fprog points to `program`, which outlives the call.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            libc::c_ulong::from(flags),
            &fprog as *const libc::sock_fprog,
        )
    };
    if rc < 0 {
        return Err(InstallError {
            step: SET_MODE_FILTER,
            errno: errno(),
        });
    }
    Ok(rc as i32)
}

/// Install `program` into the calling thread, after NO_NEW_PRIVS when
/// `no_new_privs`. With [`FLAG_NEW_LISTENER`] the listener is returned.
pub fn install(
    program: &[libc::sock_filter],
    flags: u32,
    no_new_privs: bool,
) -> Result<Option<OwnedFd>, InstallError> {
    if no_new_privs {
        set_no_new_privs()?;
    }
    let rc = install_raw(program, flags)?;
    // SAFETY: with NEW_LISTENER the kernel returned a fresh fd that only
    // this process holds.
    Ok((flags & FLAG_NEW_LISTENER != 0).then(|| unsafe { OwnedFd::from_raw_fd(rc) }))
}

/// Whether this kernel offers the seccomp action `SECCOMP_RET_TRACE`.
pub fn trace_action_available() -> bool {
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

/// The one-instruction program that sends every syscall to the tracer.
pub const TRACE_EVERYTHING: [libc::sock_filter; 1] = [libc::sock_filter {
    code: (libc::BPF_RET | libc::BPF_K) as u16,
    jt: 0,
    jf: 0,
    k: libc::SECCOMP_RET_TRACE,
}];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_empty_and_oversized_programs_before_the_kernel() {
        assert_eq!(install_raw(&[], 0).unwrap_err().errno, libc::EINVAL);
        let huge = vec![TRACE_EVERYTHING[0]; 70_000];
        assert_eq!(install_raw(&huge, 0).unwrap_err().errno, libc::EINVAL);
    }

    #[test]
    fn this_kernel_has_ret_trace() {
        // Linux >= 3.5 has it; the recorder's seccomp mode depends on it.
        assert!(trace_action_available());
    }
}
