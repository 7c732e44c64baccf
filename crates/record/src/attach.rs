//! Attaching to a running process: seize every thread (threads created
//! while attaching included), then interrupt each so the tracer can start
//! syscall tracing from its first stop.

use crate::sys;
use crate::RecordError;
use aprof_footprint::procfs::ProcStatus;
use std::collections::BTreeSet;

/// The thread ids of process `pid` now.
pub fn threads_of(pid: i32) -> std::io::Result<BTreeSet<i32>> {
    let mut tids = BTreeSet::new();
    for entry in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        if let Some(tid) = entry?.file_name().to_str().and_then(|s| s.parse().ok()) {
            tids.insert(tid);
        }
    }
    Ok(tids)
}

/// The thread-group id of `pid`, when `pid` names a thread rather than a process.
pub fn thread_group_of(pid: i32) -> Option<i32> {
    ProcStatus::read(pid).ok()?.tgid
}

/// The parent pid of process `pid`.
pub fn parent_of(pid: i32) -> Option<i32> {
    ProcStatus::read(pid).ok()?.ppid
}

/// Seize and interrupt every thread of `pid`. Returns the seized tids; each
/// will report a `PTRACE_EVENT_STOP` (or its exit).
pub fn seize_process(pid: i32, options: libc::c_int) -> Result<BTreeSet<i32>, RecordError> {
    if pid <= 0 {
        return Err(RecordError::NoSuchProcess(pid));
    }
    if pid == std::process::id() as i32 {
        return Err(RecordError::PtraceRefused {
            pid,
            reason: "aprof cannot trace itself".into(),
        });
    }
    match thread_group_of(pid) {
        None => return Err(RecordError::NoSuchProcess(pid)),
        Some(tgid) if tgid != pid => {
            return Err(RecordError::PtraceRefused {
                pid,
                reason: format!("{pid} is a thread of process {tgid}; attach to {tgid}"),
            })
        }
        Some(_) => {}
    }
    let mut seized = BTreeSet::new();
    // Rescan until no new thread appears: a thread not yet seized can still
    // create threads that nobody follows.
    loop {
        let tids = threads_of(pid).map_err(|_| RecordError::NoSuchProcess(pid))?;
        let fresh: Vec<i32> = tids.difference(&seized).copied().collect();
        if fresh.is_empty() {
            break;
        }
        for tid in fresh {
            match sys::seize(tid, options) {
                Ok(()) => {
                    seized.insert(tid);
                }
                // The thread exited between listing and seizing.
                Err(e) if e.raw_os_error() == Some(libc::ESRCH) && tid != pid => {}
                Err(e) => {
                    release(&seized);
                    return Err(if e.raw_os_error() == Some(libc::ESRCH) {
                        RecordError::NoSuchProcess(pid)
                    } else {
                        RecordError::PtraceRefused {
                            pid,
                            reason: crate::ptrace_refusal_hint(pid, &e),
                        }
                    });
                }
            }
        }
    }
    for &tid in &seized {
        let _ = sys::interrupt(tid);
    }
    Ok(seized)
}

/// Undo a partial attach: seized but never stopped threads detach once
/// they stop, so interrupt each and detach at its stop.
fn release(seized: &BTreeSet<i32>) {
    for &tid in seized {
        if sys::interrupt(tid).is_ok() {
            let mut status = 0;
            // SAFETY: waiting for one specific tracee.
            unsafe { libc::waitpid(tid, &mut status, libc::__WALL) };
            let _ = sys::resume(tid, sys::Resume::Detach, 0);
        }
    }
}
