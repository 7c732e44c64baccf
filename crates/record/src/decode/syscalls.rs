//! Which syscall arguments are file descriptors, which syscalls create one,
//! and which need special decoding, by syscall name for every x86 ABI.
//!
//! Names, not numbers, are the key: the footprint's ABI tables turn a
//! (ABI, number) pair into a name once, and [`Spec`]s are looked up per name.
//! i386's `socketcall` multiplexer is unpacked by [`socketcall`].

/// What the decoder does with one syscall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// Argument positions that hold a file descriptor the call uses.
    pub fds: &'static [u8],
    /// What the call's result (or memory it writes) holds.
    pub creates: Creates,
    /// Argument decoding beyond file descriptors.
    pub special: Special,
}

/// A new file descriptor made by the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Creates {
    Nothing,
    /// The return value is a new fd of a new object.
    RetFd,
    /// The return value is a new fd only under a condition on the arguments.
    RetFdIf(Condition),
    /// Two fds written to the `int[2]` at this argument (pipe, socketpair).
    FdPairAt(u8),
}

/// Conditions under which a call creates an fd.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// `signalfd(-1, ...)`: arg 0 is -1.
    Arg0IsMinusOne,
    /// `bpf(cmd, ...)` with a cmd that returns an fd.
    BpfCreatesFd,
    /// `landlock_create_ruleset` without `LANDLOCK_CREATE_RULESET_VERSION`.
    LandlockNotVersionQuery,
    /// `seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, ..)`.
    SeccompNewListener,
}

/// Argument decoding beyond file descriptors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    None,
    Ioctl,
    Clone,
    Clone3,
    Unshare,
    Setns,
    Socket,
    Sockopt,
    Fcntl,
    Prctl,
    ArchPrctl,
    Personality,
    Mount,
    Fsopen,
    Umount,
    Mmap,
    /// i386 `mmap` (old_mmap): the six arguments are in a struct in memory.
    OldMmap,
    Mprotect,
    Close,
    CloseRange,
    /// `dup2`/`dup3`: arg 1 is closed by the call.
    Dup2,
    Execve,
    Socketcall,
    Bpf,
    Waitid,
    Seccomp,
    /// `poll(fds, nfds, ..)`: fds in a `struct pollfd` array.
    Poll,
    /// `select(nfds, readfds, writefds, exceptfds, ..)`: fds in bitmaps.
    Select,
    /// i386 `select` (old_select): its five arguments are in memory.
    OldSelect,
}

impl Spec {
    const fn plain(fds: &'static [u8]) -> Spec {
        Spec {
            fds,
            creates: Creates::Nothing,
            special: Special::None,
        }
    }
    const fn special(fds: &'static [u8], special: Special) -> Spec {
        Spec {
            fds,
            creates: Creates::Nothing,
            special,
        }
    }
    const fn creates(fds: &'static [u8], creates: Creates) -> Spec {
        Spec {
            fds,
            creates,
            special: Special::None,
        }
    }
}

const A0: &[u8] = &[0];
const A1: &[u8] = &[1];
const A0_2: &[u8] = &[0, 2];
const A0_1: &[u8] = &[0, 1];
const A0_3: &[u8] = &[0, 3];
const A3: &[u8] = &[3];
const NONE: &[u8] = &[];

/// The decoding spec of a syscall by name; `None` when nothing is decoded.
pub fn spec(name: &str) -> Option<Spec> {
    use Creates::*;
    use Special as S;
    let spec = match name {
        // Plain I/O and metadata on an fd in arg 0.
        "read"
        | "write"
        | "pread64"
        | "pwrite64"
        | "readv"
        | "writev"
        | "preadv"
        | "pwritev"
        | "preadv2"
        | "pwritev2"
        | "fstat"
        | "fstat64"
        | "oldfstat"
        | "newfstat"
        | "fstatfs"
        | "fstatfs64"
        | "lseek"
        | "_llseek"
        | "llseek"
        | "flock"
        | "fsync"
        | "fdatasync"
        | "ftruncate"
        | "ftruncate64"
        | "getdents"
        | "getdents64"
        | "readdir"
        | "fchdir"
        | "fchmod"
        | "fchown"
        | "fchown32"
        | "fsetxattr"
        | "fgetxattr"
        | "flistxattr"
        | "fremovexattr"
        | "fadvise64"
        | "fadvise64_64"
        | "fallocate"
        | "sync_file_range"
        | "syncfs"
        | "readahead"
        | "vmsplice"
        | "bind"
        | "connect"
        | "listen"
        | "getsockname"
        | "getpeername"
        | "sendto"
        | "recvfrom"
        | "send"
        | "recv"
        | "sendmsg"
        | "recvmsg"
        | "sendmmsg"
        | "recvmmsg"
        | "recvmmsg_time64"
        | "shutdown"
        | "epoll_wait"
        | "epoll_pwait"
        | "epoll_pwait2"
        | "inotify_add_watch"
        | "inotify_rm_watch"
        | "timerfd_settime"
        | "timerfd_gettime"
        | "timerfd_settime64"
        | "timerfd_gettime64"
        | "io_uring_enter"
        | "io_uring_register"
        | "mq_timedsend"
        | "mq_timedreceive"
        | "mq_timedsend_time64"
        | "mq_timedreceive_time64"
        | "mq_notify"
        | "mq_getsetattr"
        | "pidfd_send_signal"
        | "process_madvise"
        | "process_mrelease"
        | "landlock_add_rule"
        | "landlock_restrict_self"
        | "cachestat"
        | "fsconfig"
        | "mount_setattr"
        | "name_to_handle_at"
        | "statx"
        | "faccessat"
        | "faccessat2"
        | "fchmodat"
        | "fchmodat2"
        | "fchownat"
        | "futimesat"
        | "utimensat"
        | "utimensat_time64"
        | "mkdirat"
        | "mknodat"
        | "unlinkat"
        | "readlinkat"
        | "newfstatat"
        | "fstatat64"
        | "getxattrat"
        | "setxattrat"
        | "listxattrat"
        | "removexattrat"
        | "file_getattr"
        | "file_setattr"
        | "quotactl_fd"
        | "pidfd_getfd"
        | "dup" => Spec::plain(A0),
        "symlinkat" => Spec::plain(A1),
        "renameat" | "renameat2" | "linkat" | "splice" | "copy_file_range" | "move_mount"
        | "epoll_ctl" => Spec::plain(A0_2),
        "sendfile" | "sendfile64" | "tee" => Spec::plain(A0_1),
        "fanotify_mark" => Spec::plain(A0_3),
        "perf_event_open" => Spec::creates(A3, RetFd),
        // Calls that make a new object behind a new fd.
        "open" | "creat" | "epoll_create" | "epoll_create1" | "eventfd" | "eventfd2"
        | "timerfd_create" | "inotify_init" | "inotify_init1" | "fanotify_init" | "userfaultfd"
        | "io_uring_setup" | "memfd_create" | "memfd_secret" | "pidfd_open" | "mq_open" => {
            Spec::creates(NONE, RetFd)
        }
        "openat" | "openat2" | "open_by_handle_at" | "fsmount" | "fspick" | "open_tree"
        | "open_tree_attr" | "accept" | "accept4" => Spec::creates(A0, RetFd),
        "signalfd" | "signalfd4" => Spec::creates(A0, RetFdIf(Condition::Arg0IsMinusOne)),
        "landlock_create_ruleset" => {
            Spec::creates(NONE, RetFdIf(Condition::LandlockNotVersionQuery))
        }
        "pipe" | "pipe2" => Spec::creates(NONE, FdPairAt(0)),
        "socketpair" => Spec {
            fds: NONE,
            creates: FdPairAt(3),
            special: S::Socket,
        },
        "socket" => Spec {
            fds: NONE,
            creates: RetFd,
            special: S::Socket,
        },
        "fsopen" => Spec {
            fds: NONE,
            creates: RetFd,
            special: S::Fsopen,
        },
        "bpf" => Spec {
            fds: NONE,
            creates: RetFdIf(Condition::BpfCreatesFd),
            special: S::Bpf,
        },
        // Argument decoding.
        "ioctl" => Spec::special(A0, S::Ioctl),
        "fcntl" | "fcntl64" => Spec::special(A0, S::Fcntl),
        "setsockopt" | "getsockopt" => Spec::special(A0, S::Sockopt),
        "close" => Spec::special(A0, S::Close),
        "close_range" => Spec::special(NONE, S::CloseRange),
        "dup2" | "dup3" => Spec::special(A0, S::Dup2),
        "clone" => Spec::special(NONE, S::Clone),
        "clone3" => Spec::special(NONE, S::Clone3),
        "unshare" => Spec::special(NONE, S::Unshare),
        "setns" => Spec::special(A0, S::Setns),
        "prctl" => Spec::special(NONE, S::Prctl),
        "arch_prctl" => Spec::special(NONE, S::ArchPrctl),
        "personality" => Spec::special(NONE, S::Personality),
        "mount" => Spec::special(NONE, S::Mount),
        "umount2" | "umount" => Spec::special(NONE, S::Umount),
        "mmap" | "mmap2" => Spec::special(NONE, S::Mmap),
        "mprotect" | "pkey_mprotect" => Spec::special(NONE, S::Mprotect),
        "execve" => Spec::special(NONE, S::Execve),
        "execveat" => Spec::special(A0, S::Execve),
        "socketcall" => Spec::special(NONE, S::Socketcall),
        "waitid" => Spec::special(NONE, S::Waitid),
        "poll" | "ppoll" | "ppoll_time64" => Spec::special(NONE, S::Poll),
        "select" | "_newselect" | "pselect6" | "pselect6_time64" => Spec::special(NONE, S::Select),
        "seccomp" => Spec {
            fds: NONE,
            creates: RetFdIf(Condition::SeccompNewListener),
            special: S::Seccomp,
        },
        _ => return None,
    };
    Some(spec)
}

/// The spec of a syscall on a given ABI. Only i386 differs: its `mmap` and
/// `select` are the old struct-in-memory forms, and `fanotify_mark` splits
/// its 64-bit mask over two arguments, which moves the directory fd to arg 4.
pub fn spec_for_abi(abi: aprof_footprint::Abi, name: &str) -> Option<Spec> {
    if abi == aprof_footprint::Abi::I386 {
        match name {
            "mmap" => return Some(Spec::special(NONE, Special::OldMmap)),
            "fanotify_mark" => return Some(Spec::plain(&[0, 4])),
            "select" => return Some(Spec::special(NONE, Special::OldSelect)),
            _ => {}
        }
    }
    spec(name)
}

/// The sub-call of i386 `socketcall(call, args)`: its name and how many
/// 32-bit arguments it reads from `args`.
pub fn socketcall(call: u64) -> Option<(&'static str, usize)> {
    const CALLS: [(&str, usize); 21] = [
        ("", 0),
        ("socket", 3),
        ("bind", 3),
        ("connect", 3),
        ("listen", 2),
        ("accept", 3),
        ("getsockname", 3),
        ("getpeername", 3),
        ("socketpair", 4),
        ("send", 4),
        ("recv", 4),
        ("sendto", 6),
        ("recvfrom", 6),
        ("shutdown", 2),
        ("setsockopt", 5),
        ("getsockopt", 5),
        ("sendmsg", 3),
        ("recvmsg", 3),
        ("accept4", 4),
        ("recvmmsg", 5),
        ("sendmmsg", 4),
    ];
    match call {
        1..=20 => Some(CALLS[call as usize]),
        _ => None,
    }
}

/// `bpf` commands whose success value is a new fd.
pub fn bpf_cmd_creates_fd(cmd: u64) -> bool {
    // MAP_CREATE, PROG_LOAD, OBJ_GET, PROG/MAP_GET_FD_BY_ID, RAW_TRACEPOINT_OPEN,
    // BTF_LOAD, BTF_GET_FD_BY_ID, LINK_CREATE, LINK_GET_FD_BY_ID, ENABLE_STATS,
    // ITER_CREATE, TOKEN_CREATE.
    matches!(
        cmd,
        0 | 5 | 7 | 13 | 14 | 17 | 18 | 19 | 28 | 30 | 32 | 33 | 36
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use aprof_footprint::Abi;

    #[test]
    fn common_fd_syscalls_are_known_on_every_abi() {
        for abi in Abi::ALL {
            for name in ["read", "write", "ioctl", "close", "openat", "fcntl"] {
                assert!(abi.table().number(name).is_some(), "{name} on {abi}");
                assert!(spec_for_abi(abi, name).is_some(), "{name}");
            }
        }
        assert_eq!(spec("read").map(|s| s.fds), Some(&[0u8][..]));
        assert_eq!(spec("epoll_ctl").map(|s| s.fds), Some(&[0u8, 2][..]));
        assert_eq!(spec("getpid"), None);
    }

    #[test]
    fn every_spec_name_exists_in_some_abi_table() {
        // Catches typos: a name no ABI has would never match.
        let names = [
            "read",
            "pread64",
            "fstat64",
            "_llseek",
            "fcntl64",
            "mmap2",
            "socketcall",
            "recvmmsg_time64",
            "timerfd_settime64",
            "epoll_pwait2",
            "close_range",
            "clone3",
            "pidfd_getfd",
            "open_tree",
            "fsopen",
            "memfd_secret",
            "cachestat",
            "statx",
        ];
        for name in names {
            assert!(
                Abi::ALL.iter().any(|a| a.table().number(name).is_some()),
                "{name} is in no table"
            );
        }
    }

    #[test]
    fn i386_mmap_is_the_old_struct_form() {
        assert_eq!(
            spec_for_abi(Abi::I386, "mmap").map(|s| s.special),
            Some(Special::OldMmap)
        );
        assert_eq!(
            spec_for_abi(Abi::X86_64, "mmap").map(|s| s.special),
            Some(Special::Mmap)
        );
    }

    #[test]
    fn i386_fanotify_mark_has_its_dirfd_at_arg_4() {
        assert_eq!(
            spec_for_abi(Abi::I386, "fanotify_mark").map(|s| s.fds),
            Some(&[0u8, 4][..])
        );
        assert_eq!(
            spec_for_abi(Abi::X86_64, "fanotify_mark").map(|s| s.fds),
            Some(&[0u8, 3][..])
        );
    }

    #[test]
    fn socketcall_numbers_match_linux_net_h() {
        assert_eq!(socketcall(1), Some(("socket", 3)));
        assert_eq!(socketcall(3), Some(("connect", 3)));
        assert_eq!(socketcall(14), Some(("setsockopt", 5)));
        assert_eq!(socketcall(18), Some(("accept4", 4)));
        assert_eq!(socketcall(20), Some(("sendmmsg", 4)));
        assert_eq!(socketcall(0), None);
        assert_eq!(socketcall(21), None);
    }
}
