//! Thin wrappers over the raw `ptrace(2)` and `waitpid(2)` calls the
//! tracers need: the recorder's and the live guard reader's, one
//! implementation for both.
//!
//! Raw libc rather than nix's wrappers because nix turns a stop by a
//! real-time signal (glibc's SIGCANCEL/SIGSETXID, numbers 32 and 33) into an
//! error, and because `PTRACE_GET_SYSCALL_INFO` may fill only part of its
//! struct, which must then start zeroed.

use std::io;

/// `PTRACE_EVENT_STOP`: group-stop, `PTRACE_INTERRUPT` and new-child stops
/// of seized tracees.
pub const PTRACE_EVENT_STOP: i32 = 128;

fn check(ret: libc::c_long) -> io::Result<libc::c_long> {
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

unsafe fn ptrace(request: libc::c_uint, pid: i32, addr: usize, data: usize) -> io::Result<i64> {
    // SAFETY: the caller passes addr/data valid for the request.
    check(unsafe {
        libc::ptrace(
            request,
            pid,
            addr as *mut libc::c_void,
            data as *mut libc::c_void,
        )
    })
}

/// `PTRACE_SEIZE` with options: attach without stopping the task.
pub fn seize(pid: i32, options: libc::c_int) -> io::Result<()> {
    // SAFETY: SEIZE takes the options in `data`, no pointers.
    unsafe { ptrace(libc::PTRACE_SEIZE, pid, 0, options as usize) }.map(drop)
}

/// `PTRACE_INTERRUPT`: bring a seized tracee to a `PTRACE_EVENT_STOP`.
pub fn interrupt(pid: i32) -> io::Result<()> {
    // SAFETY: no pointers.
    unsafe { ptrace(libc::PTRACE_INTERRUPT, pid, 0, 0) }.map(drop)
}

/// How to restart a stopped tracee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resume {
    /// `PTRACE_SYSCALL`: stop again at the next syscall entry or exit.
    Syscall,
    /// `PTRACE_CONT`: run until the next event, signal or seccomp stop.
    Cont,
    /// `PTRACE_LISTEN`: leave a group-stopped tracee stopped but let it
    /// report the `SIGCONT` that ends the stop.
    Listen,
    /// `PTRACE_DETACH`.
    Detach,
}

/// Restart `pid` as `how`, delivering `signal` (0 for none).
pub fn resume(pid: i32, how: Resume, signal: i32) -> io::Result<()> {
    let request = match how {
        Resume::Syscall => libc::PTRACE_SYSCALL,
        Resume::Cont => libc::PTRACE_CONT,
        Resume::Listen => libc::PTRACE_LISTEN,
        Resume::Detach => libc::PTRACE_DETACH,
    };
    let data = if how == Resume::Listen {
        0
    } else {
        signal as usize
    };
    // SAFETY: these requests take a signal number in `data`, no pointers.
    unsafe { ptrace(request, pid, 0, data) }.map(drop)
}

/// `PTRACE_GETEVENTMSG`: the new pid of a fork event, the former tid of an
/// exec event, the exit status of an exit event.
pub fn event_message(pid: i32) -> io::Result<u64> {
    let mut msg: libc::c_ulong = 0;
    // SAFETY: data points to a c_ulong the kernel writes.
    unsafe {
        ptrace(
            libc::PTRACE_GETEVENTMSG,
            pid,
            0,
            &mut msg as *mut _ as usize,
        )
    }?;
    Ok(msg)
}

/// What `PTRACE_GET_SYSCALL_INFO` says about the current stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyscallInfo {
    /// Syscall-entry stop (`op` ENTRY) or seccomp stop (`op` SECCOMP).
    Entry { arch: u32, nr: u64, args: [u64; 6] },
    /// Syscall-exit stop.
    Exit { arch: u32, ret: i64, is_error: bool },
    /// Not a syscall stop.
    None,
}

/// `PTRACE_GET_SYSCALL_INFO` (Linux 5.3+).
pub fn syscall_info(pid: i32) -> io::Result<SyscallInfo> {
    // SAFETY: all-zero is a valid value of this plain C struct.
    let mut info: libc::ptrace_syscall_info = unsafe { std::mem::zeroed() };
    let size = std::mem::size_of::<libc::ptrace_syscall_info>();
    // SAFETY: addr is the buffer size and data points to a buffer that large.
    unsafe {
        ptrace(
            libc::PTRACE_GET_SYSCALL_INFO,
            pid,
            size,
            &mut info as *mut _ as usize,
        )
    }?;
    // SAFETY: the union member read is the one `op` says the kernel filled;
    // the rest of the buffer is zeroed, so every read is initialised.
    Ok(unsafe {
        match info.op {
            libc::PTRACE_SYSCALL_INFO_ENTRY => SyscallInfo::Entry {
                arch: info.arch,
                nr: info.u.entry.nr,
                args: info.u.entry.args,
            },
            libc::PTRACE_SYSCALL_INFO_SECCOMP => SyscallInfo::Entry {
                arch: info.arch,
                nr: info.u.seccomp.nr,
                args: info.u.seccomp.args,
            },
            libc::PTRACE_SYSCALL_INFO_EXIT => SyscallInfo::Exit {
                arch: info.arch,
                ret: info.u.exit.sval,
                is_error: info.u.exit.is_error != 0,
            },
            _ => SyscallInfo::None,
        }
    })
}

/// One `waitpid` result for a traced or child task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitEvent {
    Exited {
        pid: i32,
        code: i32,
    },
    Signaled {
        pid: i32,
        signal: i32,
    },
    /// Syscall-entry or -exit stop (`SIGTRAP | 0x80`).
    SyscallStop {
        pid: i32,
    },
    /// `PTRACE_EVENT_*` stop; `signal` is the stop signal of an
    /// `PTRACE_EVENT_STOP` (SIGTRAP unless it is a group-stop).
    Event {
        pid: i32,
        event: i32,
        signal: i32,
    },
    /// Signal-delivery-stop: the signal is about to be delivered.
    Signal {
        pid: i32,
        signal: i32,
    },
}

/// Why waiting returned without an event.
#[derive(Debug)]
pub enum WaitError {
    /// A signal handler ran (a tick or a stop request).
    Interrupted,
    /// No traced or child task is left.
    NoChildren,
    Other(io::Error),
}

/// Wait for the next event of any task this thread traces or forked
/// (`__WALL | __WNOTHREAD`: another thread's tracees are not ours).
pub fn wait_any() -> Result<WaitEvent, WaitError> {
    wait_for(-1, libc::__WALL | libc::__WNOTHREAD)
}

/// `waitpid(pid, flags)` (`pid` -1 for any), decoded.
pub fn wait_for(pid: i32, flags: libc::c_int) -> Result<WaitEvent, WaitError> {
    let mut status: libc::c_int = 0;
    // SAFETY: status points to a c_int.
    let pid = unsafe { libc::waitpid(pid, &mut status, flags) };
    if pid == -1 {
        let err = io::Error::last_os_error();
        return Err(match err.raw_os_error() {
            Some(libc::EINTR) => WaitError::Interrupted,
            Some(libc::ECHILD) => WaitError::NoChildren,
            _ => WaitError::Other(err),
        });
    }
    Ok(decode_status(pid, status))
}

/// Turn a raw wait status into a [`WaitEvent`].
pub fn decode_status(pid: i32, status: i32) -> WaitEvent {
    if libc::WIFEXITED(status) {
        return WaitEvent::Exited {
            pid,
            code: libc::WEXITSTATUS(status),
        };
    }
    if libc::WIFSIGNALED(status) {
        return WaitEvent::Signaled {
            pid,
            signal: libc::WTERMSIG(status),
        };
    }
    let signal = (status >> 8) & 0xff;
    let event = (status >> 16) & 0xffff;
    if signal == libc::SIGTRAP | 0x80 {
        WaitEvent::SyscallStop { pid }
    } else if event != 0 {
        WaitEvent::Event { pid, event, signal }
    } else {
        WaitEvent::Signal { pid, signal }
    }
}

/// `tgkill(2)`.
pub fn tgkill(tgid: i32, tid: i32, signal: i32) -> io::Result<()> {
    // SAFETY: plain syscall with integer arguments.
    check(unsafe { libc::syscall(libc::SYS_tgkill, tgid, tid, signal) }).map(drop)
}

/// The calling thread's id.
pub fn gettid() -> i32 {
    // SAFETY: gettid cannot fail.
    unsafe { libc::syscall(libc::SYS_gettid) as i32 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_decode() {
        // Built as the kernel builds them (see wait(2) macros).
        assert_eq!(
            decode_status(5, 3 << 8),
            WaitEvent::Exited { pid: 5, code: 3 }
        );
        assert_eq!(
            decode_status(5, libc::SIGKILL),
            WaitEvent::Signaled {
                pid: 5,
                signal: libc::SIGKILL
            }
        );
        assert_eq!(
            decode_status(5, 0x7f | ((libc::SIGTRAP | 0x80) << 8)),
            WaitEvent::SyscallStop { pid: 5 }
        );
        assert_eq!(
            decode_status(
                5,
                0x7f | (libc::SIGTRAP << 8) | (libc::PTRACE_EVENT_EXEC << 16)
            ),
            WaitEvent::Event {
                pid: 5,
                event: libc::PTRACE_EVENT_EXEC,
                signal: libc::SIGTRAP
            }
        );
        assert_eq!(
            decode_status(5, 0x7f | (34 << 8)),
            WaitEvent::Signal { pid: 5, signal: 34 }
        );
    }
}
