//! Symbolic constants strace prints, mapped back to the numbers the kernel
//! (and a seccomp filter) sees: clone flags, socket families/types/protocols,
//! ioctl requests, fcntl commands, prctl options, socket options, mmap
//! protections, personalities, mount flags and errno names.
//!
//! Values come from the `libc` crate (x86_64 Linux) where it has them; the
//! few it lacks are spelled out from the kernel's uapi headers. Only the
//! common names are here: an argument with a name outside these tables is
//! left out of the footprint and counted as undecoded.

/// Which table an argument's names come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    CloneFlags,
    SocketFamily,
    SocketType,
    SocketProtocol,
    IoctlRequest,
    FcntlCommand,
    PrctlOption,
    ArchPrctlCode,
    SocketLevel,
    SocketOption,
    Protection,
    Personality,
    MountFlags,
}

macro_rules! libc_table {
    ($($name:ident),* $(,)?) => {
        &[$((stringify!($name), libc::$name as i64 as u64)),*]
    };
}

const CLONE_FLAGS: &[(&str, u64)] = libc_table![
    CLONE_VM,
    CLONE_FS,
    CLONE_FILES,
    CLONE_SIGHAND,
    CLONE_PIDFD,
    CLONE_PTRACE,
    CLONE_VFORK,
    CLONE_PARENT,
    CLONE_THREAD,
    CLONE_NEWNS,
    CLONE_SYSVSEM,
    CLONE_SETTLS,
    CLONE_PARENT_SETTID,
    CLONE_CHILD_CLEARTID,
    CLONE_DETACHED,
    CLONE_UNTRACED,
    CLONE_CHILD_SETTID,
    CLONE_NEWCGROUP,
    CLONE_NEWUTS,
    CLONE_NEWIPC,
    CLONE_NEWUSER,
    CLONE_NEWPID,
    CLONE_NEWNET,
    CLONE_IO,
    CLONE_NEWTIME,
];

/// Clone flags above 32 bits and other values libc lacks or deprecates.
const CLONE_FLAGS_EXTRA: &[(&str, u64)] = &[
    ("CLONE_CLEAR_SIGHAND", 0x1_0000_0000),
    ("CLONE_INTO_CGROUP", 0x2_0000_0000),
];

/// Signals, for the exit signal in the low byte of clone flags.
const SIGNALS: &[(&str, u64)] = libc_table![
    SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGKILL, SIGUSR1, SIGSEGV,
    SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT, SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN,
    SIGTTOU, SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGIO, SIGPWR, SIGSYS,
];

const SOCKET_FAMILIES: &[(&str, u64)] = libc_table![
    AF_UNSPEC,
    AF_UNIX,
    AF_LOCAL,
    AF_INET,
    AF_INET6,
    AF_NETLINK,
    AF_PACKET,
    AF_BLUETOOTH,
    AF_VSOCK,
    AF_ALG,
    AF_CAN,
    AF_XDP,
    AF_KEY,
    AF_TIPC,
    AF_RDS,
    AF_LLC,
    AF_APPLETALK,
    AF_X25,
    AF_AX25,
    AF_IPX,
];

const SOCKET_TYPES: &[(&str, u64)] = libc_table![
    SOCK_STREAM,
    SOCK_DGRAM,
    SOCK_RAW,
    SOCK_RDM,
    SOCK_SEQPACKET,
    SOCK_DCCP,
    SOCK_CLOEXEC,
    SOCK_NONBLOCK,
];

const SOCKET_TYPES_EXTRA: &[(&str, u64)] = &[("SOCK_PACKET", 10)];

const SOCKET_PROTOCOLS: &[(&str, u64)] = libc_table![
    IPPROTO_IP,
    IPPROTO_ICMP,
    IPPROTO_IGMP,
    IPPROTO_IPIP,
    IPPROTO_TCP,
    IPPROTO_UDP,
    IPPROTO_IPV6,
    IPPROTO_GRE,
    IPPROTO_ESP,
    IPPROTO_AH,
    IPPROTO_ICMPV6,
    IPPROTO_SCTP,
    IPPROTO_UDPLITE,
    IPPROTO_MPTCP,
    IPPROTO_DCCP,
    IPPROTO_RAW,
    NETLINK_ROUTE,
    NETLINK_UNUSED,
    NETLINK_USERSOCK,
    NETLINK_FIREWALL,
    NETLINK_SOCK_DIAG,
    NETLINK_INET_DIAG,
    NETLINK_NFLOG,
    NETLINK_XFRM,
    NETLINK_SELINUX,
    NETLINK_ISCSI,
    NETLINK_AUDIT,
    NETLINK_FIB_LOOKUP,
    NETLINK_CONNECTOR,
    NETLINK_NETFILTER,
    NETLINK_IP6_FW,
    NETLINK_DNRTMSG,
    NETLINK_KOBJECT_UEVENT,
    NETLINK_GENERIC,
    NETLINK_SCSITRANSPORT,
    NETLINK_ECRYPTFS,
    NETLINK_RDMA,
    NETLINK_CRYPTO,
];

const IOCTL_REQUESTS: &[(&str, u64)] = libc_table![
    TCGETS,
    TCSETS,
    TCSETSW,
    TCSETSF,
    TCGETA,
    TCSETA,
    TCSETAW,
    TCSETAF,
    TCSBRK,
    TCXONC,
    TCFLSH,
    TIOCEXCL,
    TIOCNXCL,
    TIOCSCTTY,
    TIOCGPGRP,
    TIOCSPGRP,
    TIOCOUTQ,
    TIOCSTI,
    TIOCGWINSZ,
    TIOCSWINSZ,
    TIOCMGET,
    TIOCMSET,
    FIONREAD,
    TIOCINQ,
    TIOCLINUX,
    TIOCCONS,
    TIOCGSERIAL,
    TIOCSSERIAL,
    TIOCPKT,
    FIONBIO,
    TIOCNOTTY,
    TIOCSETD,
    TIOCGETD,
    TIOCGSID,
    TIOCGPTN,
    TIOCSPTLCK,
    TIOCGPTPEER,
    FIONCLEX,
    FIOCLEX,
    FIOASYNC,
    FIOQSIZE,
    SIOCGIFCONF,
    SIOCGIFFLAGS,
    SIOCSIFFLAGS,
    SIOCGIFADDR,
    SIOCGIFINDEX,
    SIOCGIFNAME,
    SIOCGIFHWADDR,
    SIOCGIFMTU,
    SIOCGIFNETMASK,
    SIOCGIFBRDADDR,
    FICLONE,
    FICLONERANGE,
    FS_IOC_GETFLAGS,
    FS_IOC_SETFLAGS,
    FS_IOC_GETVERSION,
    BLKSSZGET,
];

/// ioctl requests libc does not name: KVM (`_IO(0xae, n)` and friends),
/// `BLKGETSIZE64`, `TIOCGPTLCK`, `TCGETS2`/`TCSETS2`.
const IOCTL_EXTRA: &[(&str, u64)] = &[
    ("KVM_GET_API_VERSION", 0xae00),
    ("KVM_CREATE_VM", 0xae01),
    ("KVM_CHECK_EXTENSION", 0xae03),
    ("KVM_GET_VCPU_MMAP_SIZE", 0xae04),
    ("KVM_CREATE_VCPU", 0xae41),
    ("KVM_SET_TSS_ADDR", 0xae47),
    ("KVM_CREATE_IRQCHIP", 0xae60),
    ("KVM_RUN", 0xae80),
    ("KVM_SET_USER_MEMORY_REGION", 0x4020_ae46),
    ("KVM_GET_REGS", 0x8090_ae81),
    ("KVM_SET_REGS", 0x4090_ae82),
    ("BLKGETSIZE", 0x1260),
    ("BLKGETSIZE64", 0x8008_1272),
    ("TIOCGPTLCK", 0x8004_5439),
    ("TCGETS2", 0x802c_542a),
    ("TCSETS2", 0x402c_542b),
];

const FCNTL_COMMANDS: &[(&str, u64)] = libc_table![
    F_DUPFD,
    F_GETFD,
    F_SETFD,
    F_GETFL,
    F_SETFL,
    F_GETLK,
    F_SETLK,
    F_SETLKW,
    F_SETOWN,
    F_GETOWN,
    F_OFD_GETLK,
    F_OFD_SETLK,
    F_OFD_SETLKW,
    F_SETLEASE,
    F_GETLEASE,
    F_NOTIFY,
    F_DUPFD_CLOEXEC,
    F_SETPIPE_SZ,
    F_GETPIPE_SZ,
    F_ADD_SEALS,
    F_GET_SEALS,
];

const FCNTL_EXTRA: &[(&str, u64)] = &[
    ("F_SETSIG", 10),
    ("F_GETSIG", 11),
    ("F_SETOWN_EX", 15),
    ("F_GETOWN_EX", 16),
];

const PRCTL_OPTIONS: &[(&str, u64)] = libc_table![
    PR_SET_PDEATHSIG,
    PR_GET_PDEATHSIG,
    PR_GET_DUMPABLE,
    PR_SET_DUMPABLE,
    PR_GET_KEEPCAPS,
    PR_SET_KEEPCAPS,
    PR_SET_NAME,
    PR_GET_NAME,
    PR_GET_SECCOMP,
    PR_SET_SECCOMP,
    PR_CAPBSET_READ,
    PR_CAPBSET_DROP,
    PR_GET_SECUREBITS,
    PR_SET_SECUREBITS,
    PR_GET_TIMERSLACK,
    PR_SET_TIMERSLACK,
    PR_MCE_KILL,
    PR_SET_MM,
    PR_SET_PTRACER,
    PR_SET_CHILD_SUBREAPER,
    PR_GET_CHILD_SUBREAPER,
    PR_SET_NO_NEW_PRIVS,
    PR_GET_NO_NEW_PRIVS,
    PR_GET_TID_ADDRESS,
    PR_SET_THP_DISABLE,
    PR_GET_THP_DISABLE,
    PR_CAP_AMBIENT,
    PR_GET_SPECULATION_CTRL,
    PR_SET_SPECULATION_CTRL,
    PR_SET_VMA,
];

/// `arch_prctl` codes (asm/prctl.h); libc does not have them.
const ARCH_PRCTL_CODES: &[(&str, u64)] = &[
    ("ARCH_SET_GS", 0x1001),
    ("ARCH_SET_FS", 0x1002),
    ("ARCH_GET_FS", 0x1003),
    ("ARCH_GET_GS", 0x1004),
    ("ARCH_GET_CPUID", 0x1011),
    ("ARCH_SET_CPUID", 0x1012),
    ("ARCH_GET_XCOMP_SUPP", 0x1021),
    ("ARCH_GET_XCOMP_PERM", 0x1022),
    ("ARCH_REQ_XCOMP_PERM", 0x1023),
    ("ARCH_MAP_VDSO_X32", 0x2001),
    ("ARCH_MAP_VDSO_32", 0x2002),
    ("ARCH_MAP_VDSO_64", 0x2003),
    ("ARCH_SHSTK_ENABLE", 0x5001),
    ("ARCH_SHSTK_DISABLE", 0x5002),
    ("ARCH_SHSTK_LOCK", 0x5003),
    ("ARCH_SHSTK_STATUS", 0x5005),
];

const SOCKET_LEVELS: &[(&str, u64)] = libc_table![
    SOL_SOCKET,
    SOL_IP,
    SOL_TCP,
    SOL_UDP,
    SOL_IPV6,
    SOL_ICMPV6,
    SOL_RAW,
    SOL_PACKET,
    SOL_NETLINK,
    SOL_ALG,
    SOL_TLS,
];

const SOCKET_OPTIONS: &[(&str, u64)] = libc_table![
    SO_DEBUG,
    SO_REUSEADDR,
    SO_TYPE,
    SO_ERROR,
    SO_DONTROUTE,
    SO_BROADCAST,
    SO_SNDBUF,
    SO_RCVBUF,
    SO_SNDBUFFORCE,
    SO_RCVBUFFORCE,
    SO_KEEPALIVE,
    SO_OOBINLINE,
    SO_NO_CHECK,
    SO_PRIORITY,
    SO_LINGER,
    SO_BSDCOMPAT,
    SO_REUSEPORT,
    SO_PASSCRED,
    SO_PEERCRED,
    SO_RCVLOWAT,
    SO_SNDLOWAT,
    SO_BINDTODEVICE,
    SO_ATTACH_FILTER,
    SO_DETACH_FILTER,
    SO_PEERNAME,
    SO_TIMESTAMP,
    SO_ACCEPTCONN,
    SO_PEERSEC,
    SO_PASSSEC,
    SO_TIMESTAMPNS,
    SO_MARK,
    SO_TIMESTAMPING,
    SO_PROTOCOL,
    SO_DOMAIN,
    SO_RXQ_OVFL,
    SO_PEEK_OFF,
    SO_BUSY_POLL,
    SO_ATTACH_BPF,
    SO_INCOMING_CPU,
    SO_ZEROCOPY,
    SO_RCVTIMEO,
    SO_SNDTIMEO,
    TCP_NODELAY,
    TCP_MAXSEG,
    TCP_CORK,
    TCP_KEEPIDLE,
    TCP_KEEPINTVL,
    TCP_KEEPCNT,
    TCP_SYNCNT,
    TCP_LINGER2,
    TCP_DEFER_ACCEPT,
    TCP_WINDOW_CLAMP,
    TCP_INFO,
    TCP_QUICKACK,
    TCP_CONGESTION,
    TCP_USER_TIMEOUT,
    TCP_FASTOPEN,
    TCP_NOTSENT_LOWAT,
    TCP_ULP,
    IP_TOS,
    IP_TTL,
    IP_HDRINCL,
    IP_OPTIONS,
    IP_PKTINFO,
    IP_MTU_DISCOVER,
    IP_RECVERR,
    IP_RECVTTL,
    IP_RECVTOS,
    IP_MTU,
    IP_FREEBIND,
    IP_TRANSPARENT,
    IP_BIND_ADDRESS_NO_PORT,
    IP_MULTICAST_IF,
    IP_MULTICAST_TTL,
    IP_MULTICAST_LOOP,
    IP_ADD_MEMBERSHIP,
    IP_DROP_MEMBERSHIP,
    IPV6_UNICAST_HOPS,
    IPV6_MULTICAST_IF,
    IPV6_MULTICAST_HOPS,
    IPV6_MULTICAST_LOOP,
    IPV6_ADD_MEMBERSHIP,
    IPV6_DROP_MEMBERSHIP,
    IPV6_MTU_DISCOVER,
    IPV6_RECVERR,
    IPV6_V6ONLY,
    IPV6_RECVPKTINFO,
    IPV6_TCLASS,
    NETLINK_ADD_MEMBERSHIP,
    NETLINK_DROP_MEMBERSHIP,
    NETLINK_PKTINFO,
    NETLINK_BROADCAST_ERROR,
    NETLINK_NO_ENOBUFS,
    NETLINK_LISTEN_ALL_NSID,
    NETLINK_CAP_ACK,
    NETLINK_EXT_ACK,
    NETLINK_GET_STRICT_CHK,
];

const PROTECTIONS: &[(&str, u64)] = libc_table![
    PROT_NONE,
    PROT_READ,
    PROT_WRITE,
    PROT_EXEC,
    PROT_GROWSDOWN,
    PROT_GROWSUP,
];

/// Personality values (linux/personality.h).
const PERSONALITIES: &[(&str, u64)] = &[
    ("PER_LINUX", 0),
    ("PER_LINUX_32BIT", 0x0080_0000),
    ("PER_LINUX32", 0x0008),
    ("PER_LINUX32_3GB", 0x0800_0008),
    ("UNAME26", 0x0002_0000),
    ("ADDR_NO_RANDOMIZE", 0x0004_0000),
    ("FDPIC_FUNCPTRS", 0x0008_0000),
    ("MMAP_PAGE_ZERO", 0x0010_0000),
    ("ADDR_COMPAT_LAYOUT", 0x0020_0000),
    ("READ_IMPLIES_EXEC", 0x0040_0000),
    ("ADDR_LIMIT_32BIT", 0x0080_0000),
    ("SHORT_INODE", 0x0100_0000),
    ("WHOLE_SECONDS", 0x0200_0000),
    ("STICKY_TIMEOUTS", 0x0400_0000),
    ("ADDR_LIMIT_3GB", 0x0800_0000),
];

const MOUNT_FLAGS: &[(&str, u64)] = libc_table![
    MS_RDONLY,
    MS_NOSUID,
    MS_NODEV,
    MS_NOEXEC,
    MS_SYNCHRONOUS,
    MS_REMOUNT,
    MS_MANDLOCK,
    MS_DIRSYNC,
    MS_NOSYMFOLLOW,
    MS_NOATIME,
    MS_NODIRATIME,
    MS_BIND,
    MS_MOVE,
    MS_REC,
    MS_SILENT,
    MS_POSIXACL,
    MS_UNBINDABLE,
    MS_PRIVATE,
    MS_SLAVE,
    MS_SHARED,
    MS_RELATIME,
    MS_KERNMOUNT,
    MS_I_VERSION,
    MS_STRICTATIME,
    MS_LAZYTIME,
    MS_MGC_VAL,
];

fn lookup(tables: &[&[(&str, u64)]], name: &str) -> Option<u64> {
    tables
        .iter()
        .flat_map(|t| t.iter())
        .find(|(n, _)| *n == name)
        .map(|&(_, v)| v)
}

impl Kind {
    fn tables(self) -> &'static [&'static [(&'static str, u64)]] {
        match self {
            Kind::CloneFlags => &[CLONE_FLAGS, CLONE_FLAGS_EXTRA, SIGNALS],
            Kind::SocketFamily => &[SOCKET_FAMILIES],
            Kind::SocketType => &[SOCKET_TYPES, SOCKET_TYPES_EXTRA],
            Kind::SocketProtocol => &[SOCKET_PROTOCOLS],
            Kind::IoctlRequest => &[IOCTL_REQUESTS, IOCTL_EXTRA],
            Kind::FcntlCommand => &[FCNTL_COMMANDS, FCNTL_EXTRA],
            Kind::PrctlOption => &[PRCTL_OPTIONS],
            Kind::ArchPrctlCode => &[ARCH_PRCTL_CODES],
            Kind::SocketLevel => &[SOCKET_LEVELS],
            Kind::SocketOption => &[SOCKET_OPTIONS],
            Kind::Protection => &[PROTECTIONS],
            Kind::Personality => &[PERSONALITIES],
            Kind::MountFlags => &[MOUNT_FLAGS],
        }
    }

    /// The name of a value in this kind's tables, for a value printed raw.
    pub fn name_of(self, value: u64) -> Option<&'static str> {
        self.tables()
            .iter()
            .flat_map(|t| t.iter())
            .find(|(_, v)| *v == value)
            .map(|&(n, _)| n)
    }

    /// The value of one symbolic term of this kind.
    pub fn value_of(self, name: &str) -> Option<u64> {
        lookup(self.tables(), name)
    }

    /// The value of an argument as strace prints it: `A|B|0x10`, a number,
    /// `_IOC(...)` for ioctls, `SOL_A or SOL_B` alternatives; `/* ... */`
    /// comments are ignored. `None` when a term is not known.
    pub fn evaluate(self, text: &str) -> Option<u64> {
        let text = strip_comments(text);
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        // Older strace prints ambiguous ioctls as `A or B`: the value is the same.
        if text.contains(" or ") {
            return text.split(" or ").find_map(|alt| self.evaluate(alt));
        }
        if let Some(inner) = text.strip_prefix("_IOC(").and_then(|t| t.strip_suffix(')')) {
            return ioc(inner);
        }
        let mut value = 0u64;
        for term in text.split('|') {
            let term = term.trim();
            let v = match super::line::parse_int(term) {
                Some(n) => n as u64,
                None => self.value_of(term)?,
            };
            value |= v;
        }
        Some(value)
    }
}

/// `_IOC(_IOC_READ|_IOC_WRITE, 0xae, 0x5, 0x8)` -> the request number.
fn ioc(inner: &str) -> Option<u64> {
    let parts: Vec<&str> = inner.split(',').map(str::trim).collect();
    let [dir, kind, nr, size] = parts.as_slice() else {
        return None;
    };
    let mut direction = 0u64;
    for d in dir.split('|') {
        direction |= match d.trim() {
            "_IOC_NONE" => 0,
            "_IOC_WRITE" => 1,
            "_IOC_READ" => 2,
            other => super::line::parse_int(other)? as u64,
        };
    }
    let kind = super::line::parse_int(kind)? as u64;
    let nr = super::line::parse_int(nr)? as u64;
    let size = super::line::parse_int(size)? as u64;
    Some((direction << 30) | (size << 16) | (kind << 8) | nr)
}

fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = match rest[start..].find("*/") {
            Some(end) => &rest[start + end + 2..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// The errno number of a name strace prints (`ENOENT`, `ERESTARTSYS`).
pub fn errno_value(name: &str) -> Option<i32> {
    const KERNEL_INTERNAL: &[(&str, i32)] = &[
        ("ERESTARTSYS", 512),
        ("ERESTARTNOINTR", 513),
        ("ERESTARTNOHAND", 514),
        ("ENOIOCTLCMD", 515),
        ("ERESTART_RESTARTBLOCK", 516),
    ];
    const ERRNOS: &[(&str, u64)] = libc_table![
        EPERM,
        ENOENT,
        ESRCH,
        EINTR,
        EIO,
        ENXIO,
        E2BIG,
        ENOEXEC,
        EBADF,
        ECHILD,
        EAGAIN,
        ENOMEM,
        EACCES,
        EFAULT,
        ENOTBLK,
        EBUSY,
        EEXIST,
        EXDEV,
        ENODEV,
        ENOTDIR,
        EISDIR,
        EINVAL,
        ENFILE,
        EMFILE,
        ENOTTY,
        ETXTBSY,
        EFBIG,
        ENOSPC,
        ESPIPE,
        EROFS,
        EMLINK,
        EPIPE,
        EDOM,
        ERANGE,
        EDEADLK,
        ENAMETOOLONG,
        ENOLCK,
        ENOSYS,
        ENOTEMPTY,
        ELOOP,
        ENOMSG,
        EIDRM,
        ENOSTR,
        ENODATA,
        ETIME,
        ENOSR,
        EREMOTE,
        ENOLINK,
        EPROTO,
        EBADMSG,
        EOVERFLOW,
        EILSEQ,
        EUSERS,
        ENOTSOCK,
        EDESTADDRREQ,
        EMSGSIZE,
        EPROTOTYPE,
        ENOPROTOOPT,
        EPROTONOSUPPORT,
        ESOCKTNOSUPPORT,
        EOPNOTSUPP,
        EPFNOSUPPORT,
        EAFNOSUPPORT,
        EADDRINUSE,
        EADDRNOTAVAIL,
        ENETDOWN,
        ENETUNREACH,
        ENETRESET,
        ECONNABORTED,
        ECONNRESET,
        ENOBUFS,
        EISCONN,
        ENOTCONN,
        ESHUTDOWN,
        ETOOMANYREFS,
        ETIMEDOUT,
        ECONNREFUSED,
        EHOSTDOWN,
        EHOSTUNREACH,
        EALREADY,
        EINPROGRESS,
        ESTALE,
        EDQUOT,
        ECANCELED,
        EOWNERDEAD,
        ENOTRECOVERABLE,
        ERFKILL,
        EHWPOISON,
        ENOKEY,
        EKEYEXPIRED,
        EKEYREVOKED,
        EKEYREJECTED,
        ENOMEDIUM,
        EMEDIUMTYPE,
        EWOULDBLOCK,
        ENOTSUP,
        EDEADLOCK,
    ];
    KERNEL_INTERNAL
        .iter()
        .find(|(n, _)| *n == name)
        .map(|&(_, v)| v)
        .or_else(|| {
            ERRNOS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|&(_, v)| v as i32)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_flag_expressions() {
        assert_eq!(
            Kind::CloneFlags.evaluate("CLONE_VM|CLONE_VFORK|SIGCHLD"),
            Some(0x100 | 0x4000 | 17)
        );
        assert_eq!(
            Kind::SocketType.evaluate("SOCK_STREAM|SOCK_CLOEXEC"),
            Some(1 | 0o2000000)
        );
        assert_eq!(Kind::IoctlRequest.evaluate("TCGETS"), Some(0x5401));
        assert_eq!(Kind::IoctlRequest.evaluate("KVM_RUN"), Some(0xae80));
        assert_eq!(
            Kind::IoctlRequest.evaluate("_IOC(_IOC_READ|_IOC_WRITE, 0xae, 0x5, 0x8)"),
            Some(0xc008_ae05)
        );
        assert_eq!(
            Kind::IoctlRequest.evaluate("SNDCTL_TMR_TIMEBASE or TCGETS"),
            Some(0x5401)
        );
        assert_eq!(Kind::Protection.evaluate("PROT_READ|PROT_EXEC"), Some(5));
        assert_eq!(Kind::SocketType.evaluate("0x10 /* SOCK_??? */"), Some(16));
        assert_eq!(Kind::FcntlCommand.evaluate("F_NOSUCH"), None);
        assert_eq!(errno_value("ENOENT"), Some(2));
        assert_eq!(errno_value("ERESTARTSYS"), Some(512));
    }
}
