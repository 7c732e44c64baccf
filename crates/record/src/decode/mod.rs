//! Decoding what a syscall reached: the kernel object behind a file
//! descriptor, argument values worth keeping, mapped code and guard state.
//!
//! The tracing engine calls [`Decoder`] at syscall entry and exit; the
//! decoder fills the object, argument, code and guard parts of the footprint.

use aprof_footprint::{Abi, Footprint};

/// One syscall as the tracer saw it.
#[derive(Debug, Clone)]
pub struct SyscallEvent {
    /// The thread that made the call.
    pub tid: i32,
    /// Its thread group (process).
    pub tgid: i32,
    pub abi: Abi,
    /// The number as the ABI numbers it (x32 with the x32 bit).
    pub number: u32,
    pub args: [u64; 6],
    /// The return value, at exit only.
    pub ret: Option<i64>,
}

/// Decodes syscall events into the object, argument, code and guard parts
/// of a footprint. Keeps per-process state (e.g. what an fd was) between calls.
#[derive(Debug, Default)]
pub struct Decoder {}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder {}
    }

    /// At syscall entry. Returns whether the decoder needs the exit of this
    /// syscall too (its result or what it created).
    pub fn on_entry(&mut self, _fp: &mut Footprint, _ev: &SyscallEvent) -> bool {
        false
    }

    /// At syscall exit, with `ev.ret` set.
    pub fn on_exit(&mut self, _fp: &mut Footprint, _ev: &SyscallEvent) {}

    /// After a successful exec of process `tgid` (its new image is mapped).
    pub fn on_exec(&mut self, _fp: &mut Footprint, _tgid: i32) {}

    /// When a thread of process `tgid` is about to exit or be detached while
    /// its memory is still there (PTRACE_EVENT_EXIT, detach).
    pub fn on_process_end(&mut self, _fp: &mut Footprint, _tgid: i32) {}
}
