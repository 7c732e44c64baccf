//! Install a seccomp filter given as [`Insn`]s into the calling thread or
//! a command's child: the guard side of the one installer,
//! [`aprof_launch::seccomp`].

use crate::bpf::Insn;
use std::os::fd::OwnedFd;

pub use aprof_launch::seccomp::{
    set_no_new_privs, InstallError, FLAG_LOG, FLAG_NEW_LISTENER, FLAG_SPEC_ALLOW, FLAG_TSYNC,
};

/// Install `prog` (no NO_NEW_PRIVS) with `FLAG_*` flags. With
/// [`FLAG_NEW_LISTENER`] the notification fd is returned.
pub fn install_filter_only(prog: &[Insn], flags: u32) -> Result<Option<OwnedFd>, InstallError> {
    aprof_launch::seccomp::install(Insn::as_sock_filters(prog), flags, false)
}

/// Set NO_NEW_PRIVS and install `prog` with `FLAG_*` flags into the calling
/// thread. With [`FLAG_NEW_LISTENER`] the notification fd is returned.
pub fn install_filter(prog: &[Insn], flags: u32) -> Result<Option<OwnedFd>, InstallError> {
    aprof_launch::seccomp::install(Insn::as_sock_filters(prog), flags, true)
}

/// Make `cmd` install `prog` (with NO_NEW_PRIVS and `FLAG_*` flags) in the
/// child between fork and exec. A listener fd from [`FLAG_NEW_LISTENER`]
/// stays in the child.
pub fn command_with_filter(
    cmd: &mut std::process::Command,
    prog: Vec<Insn>,
    flags: u32,
) -> &mut std::process::Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure only makes the async-signal-safe prctl and
    // seccomp syscalls on memory allocated before fork, and leaks the
    // listener (if any) into the child rather than run a destructor.
    unsafe {
        cmd.pre_exec(move || {
            aprof_launch::seccomp::set_no_new_privs()?;
            aprof_launch::seccomp::install_raw(Insn::as_sock_filters(&prog), flags)?;
            Ok(())
        })
    }
}
