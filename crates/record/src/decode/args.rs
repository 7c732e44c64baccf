//! Names of syscall argument values: clone and namespace flags, socket
//! families, types and protocols, socket options, fcntl commands, prctl and
//! arch_prctl options, personality values, mount flags, mmap protections.
//!
//! Values come from the Linux UAPI headers (x86). Every function returns
//! `None` only when the value means nothing known; flag sets name the known
//! bits and append any unknown rest in hex.

use aprof_footprint::ObjectClass;

/// Joins the names of the set bits of `value`; unknown bits are appended in hex.
pub fn flag_names(value: u64, table: &[(u64, &str)]) -> String {
    let mut names: Vec<String> = Vec::new();
    let mut rest = value;
    for &(bit, name) in table {
        if bit != 0 && rest & bit == bit {
            names.push(name.to_owned());
            rest &= !bit;
        }
    }
    if rest != 0 {
        names.push(format!("{rest:#x}"));
    }
    if names.is_empty() {
        "0".to_owned()
    } else {
        names.join("|")
    }
}

fn lookup(value: u64, table: &[(u64, &'static str)]) -> Option<&'static str> {
    table.iter().find(|(v, _)| *v == value).map(|(_, n)| *n)
}

const CLONE_FLAGS: &[(u64, &str)] = &[
    (0x100, "CLONE_VM"),
    (0x200, "CLONE_FS"),
    (0x400, "CLONE_FILES"),
    (0x800, "CLONE_SIGHAND"),
    (0x1000, "CLONE_PIDFD"),
    (0x2000, "CLONE_PTRACE"),
    (0x4000, "CLONE_VFORK"),
    (0x8000, "CLONE_PARENT"),
    (0x10000, "CLONE_THREAD"),
    (0x20000, "CLONE_NEWNS"),
    (0x40000, "CLONE_SYSVSEM"),
    (0x80000, "CLONE_SETTLS"),
    (0x100000, "CLONE_PARENT_SETTID"),
    (0x200000, "CLONE_CHILD_CLEARTID"),
    (0x400000, "CLONE_DETACHED"),
    (0x800000, "CLONE_UNTRACED"),
    (0x1000000, "CLONE_CHILD_SETTID"),
    (0x2000000, "CLONE_NEWCGROUP"),
    (0x4000000, "CLONE_NEWUTS"),
    (0x8000000, "CLONE_NEWIPC"),
    (0x10000000, "CLONE_NEWUSER"),
    (0x20000000, "CLONE_NEWPID"),
    (0x40000000, "CLONE_NEWNET"),
    (0x80000000, "CLONE_IO"),
    (0x100000000, "CLONE_CLEAR_SIGHAND"),
    (0x200000000, "CLONE_INTO_CGROUP"),
];

/// The name of signal `n` (x86), `SIG<n>` when unnamed.
pub fn signal_name(n: u64) -> String {
    const NAMES: [&str; 32] = [
        "0",
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    match n {
        0..=31 => NAMES[n as usize].to_owned(),
        n => format!("SIGRT{}", n.saturating_sub(32)),
    }
}

/// `clone(flags, ...)`: the low byte is the exit signal.
pub fn clone_flags(flags: u64) -> String {
    let signal = flags & 0xff;
    let mut name = flag_names(flags & !0xff, CLONE_FLAGS);
    if signal != 0 {
        if name == "0" {
            name = signal_name(signal);
        } else {
            name = format!("{name}|{}", signal_name(signal));
        }
    }
    name
}

/// `clone3`'s `clone_args.flags` (no signal byte; 0x80 is CLONE_NEWTIME).
pub fn clone3_flags(flags: u64) -> String {
    namespace_flags(flags)
}

/// `unshare(flags)` and `setns(fd, nstype)`: clone flags with CLONE_NEWTIME.
pub fn namespace_flags(flags: u64) -> String {
    let newtime = flags & 0x80 != 0;
    let name = flag_names(flags & !0x80, CLONE_FLAGS);
    match (newtime, name.as_str()) {
        (false, _) => name,
        (true, "0") => "CLONE_NEWTIME".to_owned(),
        (true, _) => format!("CLONE_NEWTIME|{name}"),
    }
}

/// An address family name (`AF_INET`), `AF_<n>` when unknown.
pub fn family_name(family: u64) -> String {
    lookup(family, aprof_footprint::names::SOCKET_FAMILIES)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("AF_{family}"))
}

const SOCK_NONBLOCK: u64 = 0o4000;
const SOCK_CLOEXEC: u64 = 0o2000000;

/// The base socket type name without flags (`SOCK_STREAM`).
pub fn socket_type_base(ty: u64) -> String {
    const TYPES: &[(u64, &str)] = &[
        (1, "SOCK_STREAM"),
        (2, "SOCK_DGRAM"),
        (3, "SOCK_RAW"),
        (4, "SOCK_RDM"),
        (5, "SOCK_SEQPACKET"),
        (6, "SOCK_DCCP"),
        (10, "SOCK_PACKET"),
    ];
    lookup(ty & 0xf, TYPES)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("SOCK_{}", ty & 0xf))
}

/// `socket(.., type, ..)` with its SOCK_NONBLOCK/SOCK_CLOEXEC flags named.
pub fn socket_type(ty: u64) -> String {
    let mut name = socket_type_base(ty);
    if ty & SOCK_NONBLOCK != 0 {
        name.push_str("|SOCK_NONBLOCK");
    }
    if ty & SOCK_CLOEXEC != 0 {
        name.push_str("|SOCK_CLOEXEC");
    }
    let rest = ty & !(0xf | SOCK_NONBLOCK | SOCK_CLOEXEC);
    if rest != 0 {
        name.push_str(&format!("|{rest:#x}"));
    }
    name
}

const IP_PROTOCOLS: &[(u64, &str)] = &[
    (0, "IPPROTO_IP"),
    (1, "IPPROTO_ICMP"),
    (2, "IPPROTO_IGMP"),
    (4, "IPPROTO_IPIP"),
    (6, "IPPROTO_TCP"),
    (8, "IPPROTO_EGP"),
    (12, "IPPROTO_PUP"),
    (17, "IPPROTO_UDP"),
    (22, "IPPROTO_IDP"),
    (29, "IPPROTO_TP"),
    (33, "IPPROTO_DCCP"),
    (41, "IPPROTO_IPV6"),
    (46, "IPPROTO_RSVP"),
    (47, "IPPROTO_GRE"),
    (50, "IPPROTO_ESP"),
    (51, "IPPROTO_AH"),
    (58, "IPPROTO_ICMPV6"),
    (92, "IPPROTO_MTP"),
    (94, "IPPROTO_BEETPH"),
    (98, "IPPROTO_ENCAP"),
    (103, "IPPROTO_PIM"),
    (108, "IPPROTO_COMP"),
    (115, "IPPROTO_L2TP"),
    (132, "IPPROTO_SCTP"),
    (136, "IPPROTO_UDPLITE"),
    (137, "IPPROTO_MPLS"),
    (143, "IPPROTO_ETHERNET"),
    (255, "IPPROTO_RAW"),
    (262, "IPPROTO_MPTCP"),
];

const NETLINK_PROTOCOLS: &[(u64, &str)] = &[
    (0, "NETLINK_ROUTE"),
    (1, "NETLINK_UNUSED"),
    (2, "NETLINK_USERSOCK"),
    (3, "NETLINK_FIREWALL"),
    (4, "NETLINK_SOCK_DIAG"),
    (5, "NETLINK_NFLOG"),
    (6, "NETLINK_XFRM"),
    (7, "NETLINK_SELINUX"),
    (8, "NETLINK_ISCSI"),
    (9, "NETLINK_AUDIT"),
    (10, "NETLINK_FIB_LOOKUP"),
    (11, "NETLINK_CONNECTOR"),
    (12, "NETLINK_NETFILTER"),
    (13, "NETLINK_IP6_FW"),
    (14, "NETLINK_DNRTMSG"),
    (15, "NETLINK_KOBJECT_UEVENT"),
    (16, "NETLINK_GENERIC"),
    (18, "NETLINK_SCSITRANSPORT"),
    (19, "NETLINK_ECRYPTFS"),
    (20, "NETLINK_RDMA"),
    (21, "NETLINK_CRYPTO"),
    (22, "NETLINK_SMC"),
];

/// The protocol name of a socket, which depends on its family:
/// `IPPROTO_TCP` for AF_INET, `NETLINK_ROUTE` for AF_NETLINK, an ethertype
/// for AF_PACKET (given in network byte order, as `socket()` takes it).
pub fn protocol_name(family: u64, protocol: u64) -> String {
    match family {
        2 | 10 => lookup(protocol, IP_PROTOCOLS)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("IPPROTO_{protocol}")),
        16 => lookup(protocol, NETLINK_PROTOCOLS)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("NETLINK_{protocol}")),
        17 => {
            let ethertype = (protocol as u16).swap_bytes();
            match ethertype {
                0x0003 => "ETH_P_ALL".to_owned(),
                0x0800 => "ETH_P_IP".to_owned(),
                0x0806 => "ETH_P_ARP".to_owned(),
                0x86dd => "ETH_P_IPV6".to_owned(),
                0x8100 => "ETH_P_8021Q".to_owned(),
                0 => "0".to_owned(),
                e => format!("ETH_P_{e:#06x}"),
            }
        }
        _ => protocol.to_string(),
    }
}

/// The short protocol name used in object classes (`TCP`, `UDP`,
/// `NETLINK_ROUTE`, `0` for families without protocols).
pub fn object_protocol_name(family: u64, protocol: u64) -> String {
    let full = protocol_name(family, protocol);
    match full.strip_prefix("IPPROTO_") {
        Some(short) => short.to_owned(),
        None => full,
    }
}

/// The object class of a socket `socket(family, type, protocol)` makes,
/// where the arguments settle it (the default protocol of AF_INET streams
/// and datagrams, AF_UNIX, AF_NETLINK); `None` means: ask the socket.
pub fn known_socket_class(family: u64, ty: u64, protocol: u64) -> Option<ObjectClass> {
    let base = ty & 0xf;
    let protocol = match (family, base, protocol) {
        (1, 1 | 2 | 5, 0) => 0,
        (2 | 10, 1, 0 | 6) => 6,
        (2 | 10, 2, 0 | 17) => 17,
        (16, 2 | 3, p) => p,
        _ => return None,
    };
    Some(ObjectClass::Socket {
        family: family_name(family),
        socket_type: socket_type_base(ty),
        protocol: object_protocol_name(family, protocol),
    })
}

const SOL_SOCKET_OPTIONS: &[(u64, &str)] = &[
    (1, "SO_DEBUG"),
    (2, "SO_REUSEADDR"),
    (3, "SO_TYPE"),
    (4, "SO_ERROR"),
    (5, "SO_DONTROUTE"),
    (6, "SO_BROADCAST"),
    (7, "SO_SNDBUF"),
    (8, "SO_RCVBUF"),
    (9, "SO_KEEPALIVE"),
    (10, "SO_OOBINLINE"),
    (11, "SO_NO_CHECK"),
    (12, "SO_PRIORITY"),
    (13, "SO_LINGER"),
    (14, "SO_BSDCOMPAT"),
    (15, "SO_REUSEPORT"),
    (16, "SO_PASSCRED"),
    (17, "SO_PEERCRED"),
    (18, "SO_RCVLOWAT"),
    (19, "SO_SNDLOWAT"),
    (20, "SO_RCVTIMEO_OLD"),
    (21, "SO_SNDTIMEO_OLD"),
    (22, "SO_SECURITY_AUTHENTICATION"),
    (23, "SO_SECURITY_ENCRYPTION_TRANSPORT"),
    (24, "SO_SECURITY_ENCRYPTION_NETWORK"),
    (25, "SO_BINDTODEVICE"),
    (26, "SO_ATTACH_FILTER"),
    (27, "SO_DETACH_FILTER"),
    (28, "SO_PEERNAME"),
    (29, "SO_TIMESTAMP_OLD"),
    (30, "SO_ACCEPTCONN"),
    (31, "SO_PEERSEC"),
    (32, "SO_SNDBUFFORCE"),
    (33, "SO_RCVBUFFORCE"),
    (34, "SO_PASSSEC"),
    (35, "SO_TIMESTAMPNS_OLD"),
    (36, "SO_MARK"),
    (37, "SO_TIMESTAMPING_OLD"),
    (38, "SO_PROTOCOL"),
    (39, "SO_DOMAIN"),
    (40, "SO_RXQ_OVFL"),
    (41, "SO_WIFI_STATUS"),
    (42, "SO_PEEK_OFF"),
    (43, "SO_NOFCS"),
    (44, "SO_LOCK_FILTER"),
    (45, "SO_SELECT_ERR_QUEUE"),
    (46, "SO_BUSY_POLL"),
    (47, "SO_MAX_PACING_RATE"),
    (48, "SO_BPF_EXTENSIONS"),
    (49, "SO_INCOMING_CPU"),
    (50, "SO_ATTACH_BPF"),
    (51, "SO_ATTACH_REUSEPORT_CBPF"),
    (52, "SO_ATTACH_REUSEPORT_EBPF"),
    (53, "SO_CNX_ADVICE"),
    (55, "SO_MEMINFO"),
    (56, "SO_INCOMING_NAPI_ID"),
    (57, "SO_COOKIE"),
    (59, "SO_PEERGROUPS"),
    (60, "SO_ZEROCOPY"),
    (61, "SO_TXTIME"),
    (62, "SO_BINDTOIFINDEX"),
    (63, "SO_TIMESTAMP_NEW"),
    (64, "SO_TIMESTAMPNS_NEW"),
    (65, "SO_TIMESTAMPING_NEW"),
    (66, "SO_RCVTIMEO_NEW"),
    (67, "SO_SNDTIMEO_NEW"),
    (68, "SO_DETACH_REUSEPORT_BPF"),
    (69, "SO_PREFER_BUSY_POLL"),
    (70, "SO_BUSY_POLL_BUDGET"),
    (71, "SO_NETNS_COOKIE"),
    (72, "SO_BUF_LOCK"),
    (73, "SO_RESERVE_MEM"),
    (74, "SO_TXREHASH"),
    (75, "SO_RCVMARK"),
    (76, "SO_PASSPIDFD"),
    (77, "SO_PEERPIDFD"),
];

const IP_OPTIONS: &[(u64, &str)] = &[
    (1, "IP_TOS"),
    (2, "IP_TTL"),
    (3, "IP_HDRINCL"),
    (4, "IP_OPTIONS"),
    (6, "IP_RECVOPTS"),
    (7, "IP_RETOPTS"),
    (8, "IP_PKTINFO"),
    (9, "IP_PKTOPTIONS"),
    (10, "IP_MTU_DISCOVER"),
    (11, "IP_RECVERR"),
    (12, "IP_RECVTTL"),
    (13, "IP_RECVTOS"),
    (14, "IP_MTU"),
    (15, "IP_FREEBIND"),
    (16, "IP_IPSEC_POLICY"),
    (17, "IP_XFRM_POLICY"),
    (18, "IP_PASSSEC"),
    (19, "IP_TRANSPARENT"),
    (20, "IP_ORIGDSTADDR"),
    (21, "IP_MINTTL"),
    (22, "IP_NODEFRAG"),
    (23, "IP_CHECKSUM"),
    (24, "IP_BIND_ADDRESS_NO_PORT"),
    (25, "IP_RECVFRAGSIZE"),
    (26, "IP_RECVERR_RFC4884"),
    (32, "IP_MULTICAST_IF"),
    (33, "IP_MULTICAST_TTL"),
    (34, "IP_MULTICAST_LOOP"),
    (35, "IP_ADD_MEMBERSHIP"),
    (36, "IP_DROP_MEMBERSHIP"),
    (51, "IP_LOCAL_PORT_RANGE"),
];

const TCP_OPTIONS: &[(u64, &str)] = &[
    (1, "TCP_NODELAY"),
    (2, "TCP_MAXSEG"),
    (3, "TCP_CORK"),
    (4, "TCP_KEEPIDLE"),
    (5, "TCP_KEEPINTVL"),
    (6, "TCP_KEEPCNT"),
    (7, "TCP_SYNCNT"),
    (8, "TCP_LINGER2"),
    (9, "TCP_DEFER_ACCEPT"),
    (10, "TCP_WINDOW_CLAMP"),
    (11, "TCP_INFO"),
    (12, "TCP_QUICKACK"),
    (13, "TCP_CONGESTION"),
    (14, "TCP_MD5SIG"),
    (16, "TCP_THIN_LINEAR_TIMEOUTS"),
    (17, "TCP_THIN_DUPACK"),
    (18, "TCP_USER_TIMEOUT"),
    (19, "TCP_REPAIR"),
    (20, "TCP_REPAIR_QUEUE"),
    (21, "TCP_QUEUE_SEQ"),
    (22, "TCP_REPAIR_OPTIONS"),
    (23, "TCP_FASTOPEN"),
    (24, "TCP_TIMESTAMP"),
    (25, "TCP_NOTSENT_LOWAT"),
    (26, "TCP_CC_INFO"),
    (27, "TCP_SAVE_SYN"),
    (28, "TCP_SAVED_SYN"),
    (29, "TCP_REPAIR_WINDOW"),
    (30, "TCP_FASTOPEN_CONNECT"),
    (31, "TCP_ULP"),
    (32, "TCP_MD5SIG_EXT"),
    (33, "TCP_FASTOPEN_KEY"),
    (34, "TCP_FASTOPEN_NO_COOKIE"),
    (35, "TCP_ZEROCOPY_RECEIVE"),
    (36, "TCP_INQ"),
    (37, "TCP_TX_DELAY"),
];

const IPV6_OPTIONS: &[(u64, &str)] = &[
    (1, "IPV6_ADDRFORM"),
    (16, "IPV6_UNICAST_HOPS"),
    (17, "IPV6_MULTICAST_IF"),
    (18, "IPV6_MULTICAST_HOPS"),
    (19, "IPV6_MULTICAST_LOOP"),
    (20, "IPV6_ADD_MEMBERSHIP"),
    (21, "IPV6_DROP_MEMBERSHIP"),
    (22, "IPV6_ROUTER_ALERT"),
    (23, "IPV6_MTU_DISCOVER"),
    (24, "IPV6_MTU"),
    (25, "IPV6_RECVERR"),
    (26, "IPV6_V6ONLY"),
    (27, "IPV6_JOIN_ANYCAST"),
    (28, "IPV6_LEAVE_ANYCAST"),
    (49, "IPV6_RECVPKTINFO"),
    (50, "IPV6_PKTINFO"),
    (51, "IPV6_RECVHOPLIMIT"),
    (52, "IPV6_HOPLIMIT"),
    (66, "IPV6_RECVTCLASS"),
    (67, "IPV6_TCLASS"),
    (75, "IPV6_TRANSPARENT"),
    (78, "IPV6_FREEBIND"),
];

const UDP_OPTIONS: &[(u64, &str)] = &[
    (1, "UDP_CORK"),
    (100, "UDP_ENCAP"),
    (101, "UDP_NO_CHECK6_TX"),
    (102, "UDP_NO_CHECK6_RX"),
    (103, "UDP_SEGMENT"),
    (104, "UDP_GRO"),
];

const NETLINK_OPTIONS: &[(u64, &str)] = &[
    (1, "NETLINK_ADD_MEMBERSHIP"),
    (2, "NETLINK_DROP_MEMBERSHIP"),
    (3, "NETLINK_PKTINFO"),
    (4, "NETLINK_BROADCAST_ERROR"),
    (5, "NETLINK_NO_ENOBUFS"),
    (6, "NETLINK_RX_RING"),
    (7, "NETLINK_TX_RING"),
    (8, "NETLINK_LISTEN_ALL_NSID"),
    (9, "NETLINK_LIST_MEMBERSHIPS"),
    (10, "NETLINK_CAP_ACK"),
    (11, "NETLINK_EXT_ACK"),
    (12, "NETLINK_GET_STRICT_CHK"),
];

const PACKET_OPTIONS: &[(u64, &str)] = &[
    (1, "PACKET_ADD_MEMBERSHIP"),
    (2, "PACKET_DROP_MEMBERSHIP"),
    (3, "PACKET_RECV_OUTPUT"),
    (5, "PACKET_RX_RING"),
    (6, "PACKET_STATISTICS"),
    (7, "PACKET_COPY_THRESH"),
    (8, "PACKET_AUXDATA"),
    (9, "PACKET_ORIGDEV"),
    (10, "PACKET_VERSION"),
    (11, "PACKET_HDRLEN"),
    (12, "PACKET_RESERVE"),
    (13, "PACKET_TX_RING"),
    (14, "PACKET_LOSS"),
    (15, "PACKET_VNET_HDR"),
    (16, "PACKET_TX_TIMESTAMP"),
    (17, "PACKET_TIMESTAMP"),
    (18, "PACKET_FANOUT"),
    (19, "PACKET_TX_HAS_OFF"),
    (20, "PACKET_QDISC_BYPASS"),
    (21, "PACKET_ROLLOVER_STATS"),
    (22, "PACKET_FANOUT_DATA"),
    (23, "PACKET_IGNORE_OUTGOING"),
    (24, "PACKET_VNET_HDR_SZ"),
];

const SOCKOPT_LEVELS: &[(u64, &str)] = &[
    (0, "SOL_IP"),
    (1, "SOL_SOCKET"),
    (6, "SOL_TCP"),
    (17, "SOL_UDP"),
    (41, "SOL_IPV6"),
    (58, "SOL_ICMPV6"),
    (132, "SOL_SCTP"),
    (136, "SOL_UDPLITE"),
    (255, "SOL_RAW"),
    (261, "SOL_DECNET"),
    (262, "SOL_X25"),
    (263, "SOL_PACKET"),
    (264, "SOL_ATM"),
    (265, "SOL_AAL"),
    (266, "SOL_IRDA"),
    (267, "SOL_NETBEUI"),
    (268, "SOL_LLC"),
    (269, "SOL_DCCP"),
    (270, "SOL_NETLINK"),
    (271, "SOL_TIPC"),
    (272, "SOL_RXRPC"),
    (273, "SOL_PPPOL2TP"),
    (274, "SOL_BLUETOOTH"),
    (275, "SOL_PNPIPE"),
    (276, "SOL_RDS"),
    (277, "SOL_IUCV"),
    (278, "SOL_CAIF"),
    (279, "SOL_ALG"),
    (280, "SOL_NFC"),
    (281, "SOL_KCM"),
    (282, "SOL_TLS"),
    (283, "SOL_XDP"),
    (284, "SOL_MPTCP"),
    (285, "SOL_MCTP"),
    (286, "SOL_SMC"),
    (287, "SOL_VSOCK"),
];

/// A `setsockopt`/`getsockopt` level name (`SOL_SOCKET`, `SOL_TCP`).
pub fn sockopt_level(level: u64) -> String {
    lookup(level, SOCKOPT_LEVELS)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("SOL_{level}"))
}

/// A socket option name within its level, `None` when unknown.
pub fn sockopt_name(level: u64, option: u64) -> Option<&'static str> {
    let table = match level {
        1 => SOL_SOCKET_OPTIONS,
        0 => IP_OPTIONS,
        6 => TCP_OPTIONS,
        17 => UDP_OPTIONS,
        41 => IPV6_OPTIONS,
        263 => PACKET_OPTIONS,
        270 => NETLINK_OPTIONS,
        _ => return None,
    };
    lookup(option, table)
}

/// `level/option` as one name (`SOL_SOCKET/SO_REUSEADDR`).
pub fn sockopt(level: u64, option: u64) -> String {
    match sockopt_name(level, option) {
        Some(name) => format!("{}/{name}", sockopt_level(level)),
        None => format!("{}/{option}", sockopt_level(level)),
    }
}

/// An `fcntl` command name. The i386 ABI has its own 64-bit lock commands.
pub fn fcntl_cmd(cmd: u64, i386: bool) -> Option<&'static str> {
    const CMDS: &[(u64, &str)] = &[
        (0, "F_DUPFD"),
        (1, "F_GETFD"),
        (2, "F_SETFD"),
        (3, "F_GETFL"),
        (4, "F_SETFL"),
        (5, "F_GETLK"),
        (6, "F_SETLK"),
        (7, "F_SETLKW"),
        (8, "F_SETOWN"),
        (9, "F_GETOWN"),
        (10, "F_SETSIG"),
        (11, "F_GETSIG"),
        (15, "F_SETOWN_EX"),
        (16, "F_GETOWN_EX"),
        (17, "F_GETOWNER_UIDS"),
        (36, "F_OFD_GETLK"),
        (37, "F_OFD_SETLK"),
        (38, "F_OFD_SETLKW"),
        (1024, "F_SETLEASE"),
        (1025, "F_GETLEASE"),
        (1026, "F_NOTIFY"),
        (1027, "F_DUPFD_QUERY"),
        (1028, "F_CREATED_QUERY"),
        (1029, "F_CANCELLK"),
        (1030, "F_DUPFD_CLOEXEC"),
        (1031, "F_SETPIPE_SZ"),
        (1032, "F_GETPIPE_SZ"),
        (1033, "F_ADD_SEALS"),
        (1034, "F_GET_SEALS"),
        (1035, "F_GET_RW_HINT"),
        (1036, "F_SET_RW_HINT"),
        (1037, "F_GET_FILE_RW_HINT"),
        (1038, "F_SET_FILE_RW_HINT"),
    ];
    if i386 {
        match cmd {
            12 => return Some("F_GETLK64"),
            13 => return Some("F_SETLK64"),
            14 => return Some("F_SETLKW64"),
            _ => {}
        }
    }
    lookup(cmd, CMDS)
}

/// Whether an `fcntl` command returns a new fd.
pub fn fcntl_dups(cmd: u64) -> bool {
    cmd == 0 || cmd == 1030
}

/// A `prctl` option name.
pub fn prctl_option(option: u64) -> Option<&'static str> {
    const OPTIONS: [&str; 79] = [
        "",
        "PR_SET_PDEATHSIG",
        "PR_GET_PDEATHSIG",
        "PR_GET_DUMPABLE",
        "PR_SET_DUMPABLE",
        "PR_GET_UNALIGN",
        "PR_SET_UNALIGN",
        "PR_GET_KEEPCAPS",
        "PR_SET_KEEPCAPS",
        "PR_GET_FPEMU",
        "PR_SET_FPEMU",
        "PR_GET_FPEXC",
        "PR_SET_FPEXC",
        "PR_GET_TIMING",
        "PR_SET_TIMING",
        "PR_SET_NAME",
        "PR_GET_NAME",
        "",
        "",
        "PR_GET_ENDIAN",
        "PR_SET_ENDIAN",
        "PR_GET_SECCOMP",
        "PR_SET_SECCOMP",
        "PR_CAPBSET_READ",
        "PR_CAPBSET_DROP",
        "PR_GET_TSC",
        "PR_SET_TSC",
        "PR_GET_SECUREBITS",
        "PR_SET_SECUREBITS",
        "PR_SET_TIMERSLACK",
        "PR_GET_TIMERSLACK",
        "PR_TASK_PERF_EVENTS_DISABLE",
        "PR_TASK_PERF_EVENTS_ENABLE",
        "PR_MCE_KILL",
        "PR_MCE_KILL_GET",
        "PR_SET_MM",
        "PR_SET_CHILD_SUBREAPER",
        "PR_GET_CHILD_SUBREAPER",
        "PR_SET_NO_NEW_PRIVS",
        "PR_GET_NO_NEW_PRIVS",
        "PR_GET_TID_ADDRESS",
        "PR_SET_THP_DISABLE",
        "PR_GET_THP_DISABLE",
        "PR_MPX_ENABLE_MANAGEMENT",
        "PR_MPX_DISABLE_MANAGEMENT",
        "PR_SET_FP_MODE",
        "PR_GET_FP_MODE",
        "PR_CAP_AMBIENT",
        "",
        "",
        "PR_SVE_SET_VL",
        "PR_SVE_GET_VL",
        "PR_GET_SPECULATION_CTRL",
        "PR_SET_SPECULATION_CTRL",
        "PR_PAC_RESET_KEYS",
        "PR_SET_TAGGED_ADDR_CTRL",
        "PR_GET_TAGGED_ADDR_CTRL",
        "PR_SET_IO_FLUSHER",
        "PR_GET_IO_FLUSHER",
        "PR_SET_SYSCALL_USER_DISPATCH",
        "PR_PAC_SET_ENABLED_KEYS",
        "PR_PAC_GET_ENABLED_KEYS",
        "PR_SCHED_CORE",
        "PR_SME_SET_VL",
        "PR_SME_GET_VL",
        "PR_SET_MDWE",
        "PR_GET_MDWE",
        "PR_SET_MEMORY_MERGE",
        "PR_GET_MEMORY_MERGE",
        "PR_RISCV_V_SET_CONTROL",
        "PR_RISCV_V_GET_CONTROL",
        "PR_RISCV_SET_ICACHE_FLUSH_CTX",
        "PR_PPC_GET_DEXCR",
        "PR_PPC_SET_DEXCR",
        "PR_GET_SHADOW_STACK_STATUS",
        "PR_SET_SHADOW_STACK_STATUS",
        "PR_LOCK_SHADOW_STACK_STATUS",
        "PR_TIMER_CREATE_RESTORE_IDS",
        "PR_FUTEX_HASH",
    ];
    match option {
        0x5356_4d41 => Some("PR_SET_VMA"),
        0x5961_6d61 => Some("PR_SET_PTRACER"),
        n if (n as usize) < OPTIONS.len() && !OPTIONS[n as usize].is_empty() => {
            Some(OPTIONS[n as usize])
        }
        _ => None,
    }
}

/// An `arch_prctl` code name (x86).
pub fn arch_prctl_code(code: u64) -> Option<&'static str> {
    const CODES: &[(u64, &str)] = &[
        (0x1001, "ARCH_SET_GS"),
        (0x1002, "ARCH_SET_FS"),
        (0x1003, "ARCH_GET_FS"),
        (0x1004, "ARCH_GET_GS"),
        (0x1011, "ARCH_GET_CPUID"),
        (0x1012, "ARCH_SET_CPUID"),
        (0x1021, "ARCH_GET_XCOMP_SUPP"),
        (0x1022, "ARCH_GET_XCOMP_PERM"),
        (0x1023, "ARCH_REQ_XCOMP_PERM"),
        (0x1024, "ARCH_GET_XCOMP_GUEST_PERM"),
        (0x1025, "ARCH_REQ_XCOMP_GUEST_PERM"),
        (0x1031, "ARCH_XCOMP_TILECFG"),
        (0x1032, "ARCH_XCOMP_TILEDATA"),
        (0x2001, "ARCH_MAP_VDSO_X32"),
        (0x2002, "ARCH_MAP_VDSO_32"),
        (0x2003, "ARCH_MAP_VDSO_64"),
        (0x4001, "ARCH_GET_UNTAG_MASK"),
        (0x4002, "ARCH_ENABLE_TAGGED_ADDR"),
        (0x4003, "ARCH_GET_MAX_TAG_BITS"),
        (0x4004, "ARCH_FORCE_TAGGED_SVA"),
        (0x5001, "ARCH_SHSTK_ENABLE"),
        (0x5002, "ARCH_SHSTK_DISABLE"),
        (0x5003, "ARCH_SHSTK_LOCK"),
        (0x5004, "ARCH_SHSTK_UNLOCK"),
        (0x5005, "ARCH_SHSTK_STATUS"),
    ];
    lookup(code, CODES)
}

/// A `personality(persona)` value: the base personality and its flags.
pub fn personality(value: u64) -> String {
    if value == 0xffff_ffff {
        return "query".to_owned();
    }
    const BASES: &[(u64, &str)] = &[
        (0x00, "PER_LINUX"),
        (0x01, "PER_SVR4"),
        (0x02, "PER_SVR3"),
        (0x03, "PER_SCOSVR3"),
        (0x04, "PER_WYSEV386"),
        (0x05, "PER_ISCR4"),
        (0x06, "PER_BSD"),
        (0x07, "PER_SUNOS"),
        (0x08, "PER_LINUX32"),
        (0x09, "PER_IRIX32"),
        (0x0a, "PER_IRIXN32"),
        (0x0b, "PER_IRIX64"),
        (0x0c, "PER_RISCOS"),
        (0x0d, "PER_SOLARIS"),
        (0x0e, "PER_UW7"),
        (0x0f, "PER_OSF4"),
        (0x10, "PER_HPUX"),
    ];
    const FLAGS: &[(u64, &str)] = &[
        (0x0020000, "UNAME26"),
        (0x0040000, "ADDR_NO_RANDOMIZE"),
        (0x0080000, "FDPIC_FUNCPTRS"),
        (0x0100000, "MMAP_PAGE_ZERO"),
        (0x0200000, "ADDR_COMPAT_LAYOUT"),
        (0x0400000, "READ_IMPLIES_EXEC"),
        (0x0800000, "ADDR_LIMIT_32BIT"),
        (0x1000000, "SHORT_INODE"),
        (0x2000000, "WHOLE_SECONDS"),
        (0x4000000, "STICKY_TIMEOUTS"),
        (0x8000000, "ADDR_LIMIT_3GB"),
    ];
    let base = lookup(value & 0xff, BASES)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{:#x}", value & 0xff));
    let flags = value & !0xff;
    if flags == 0 {
        base
    } else {
        format!("{base}|{}", flag_names(flags, FLAGS))
    }
}

/// `mount(..., mountflags, ...)` flag names; the old MS_MGC_VAL magic in the
/// high 16 bits is ignored as the kernel does.
pub fn mount_flags(flags: u64) -> String {
    const FLAGS: &[(u64, &str)] = &[
        (1, "MS_RDONLY"),
        (2, "MS_NOSUID"),
        (4, "MS_NODEV"),
        (8, "MS_NOEXEC"),
        (16, "MS_SYNCHRONOUS"),
        (32, "MS_REMOUNT"),
        (64, "MS_MANDLOCK"),
        (128, "MS_DIRSYNC"),
        (256, "MS_NOSYMFOLLOW"),
        (1024, "MS_NOATIME"),
        (2048, "MS_NODIRATIME"),
        (4096, "MS_BIND"),
        (8192, "MS_MOVE"),
        (16384, "MS_REC"),
        (32768, "MS_SILENT"),
        (1 << 16, "MS_POSIXACL"),
        (1 << 17, "MS_UNBINDABLE"),
        (1 << 18, "MS_PRIVATE"),
        (1 << 19, "MS_SLAVE"),
        (1 << 20, "MS_SHARED"),
        (1 << 21, "MS_RELATIME"),
        (1 << 22, "MS_KERNMOUNT"),
        (1 << 23, "MS_I_VERSION"),
        (1 << 24, "MS_STRICTATIME"),
        (1 << 25, "MS_LAZYTIME"),
    ];
    let flags = if flags & 0xffff_0000 == 0xc0ed_0000 {
        flags & 0xffff
    } else {
        flags
    };
    flag_names(flags, FLAGS)
}

/// `umount2(target, flags)` flag names.
pub fn umount_flags(flags: u64) -> String {
    const FLAGS: &[(u64, &str)] = &[
        (1, "MNT_FORCE"),
        (2, "MNT_DETACH"),
        (4, "MNT_EXPIRE"),
        (8, "UMOUNT_NOFOLLOW"),
    ];
    flag_names(flags, FLAGS)
}

pub const PROT_EXEC: u64 = 4;
pub const MAP_ANONYMOUS: u64 = 0x20;

/// mmap/mprotect protection names (`PROT_READ|PROT_EXEC`, `PROT_NONE`).
pub fn prot(prot: u64) -> String {
    if prot == 0 {
        return "PROT_NONE".to_owned();
    }
    const FLAGS: &[(u64, &str)] = &[
        (1, "PROT_READ"),
        (2, "PROT_WRITE"),
        (4, "PROT_EXEC"),
        (8, "PROT_SEM"),
        (0x0100_0000, "PROT_GROWSDOWN"),
        (0x0200_0000, "PROT_GROWSUP"),
    ];
    flag_names(prot, FLAGS)
}

/// mmap flag names: the mapping type, then the flags.
pub fn mmap_flags(flags: u64) -> String {
    const TYPES: &[(u64, &str)] = &[
        (1, "MAP_SHARED"),
        (2, "MAP_PRIVATE"),
        (3, "MAP_SHARED_VALIDATE"),
    ];
    const FLAGS: &[(u64, &str)] = &[
        (0x10, "MAP_FIXED"),
        (0x20, "MAP_ANONYMOUS"),
        (0x40, "MAP_32BIT"),
        (0x100, "MAP_GROWSDOWN"),
        (0x800, "MAP_DENYWRITE"),
        (0x1000, "MAP_EXECUTABLE"),
        (0x2000, "MAP_LOCKED"),
        (0x4000, "MAP_NORESERVE"),
        (0x8000, "MAP_POPULATE"),
        (0x10000, "MAP_NONBLOCK"),
        (0x20000, "MAP_STACK"),
        (0x40000, "MAP_HUGETLB"),
        (0x80000, "MAP_SYNC"),
        (0x100000, "MAP_FIXED_NOREPLACE"),
        (0x4000000, "MAP_UNINITIALIZED"),
    ];
    let ty = lookup(flags & 0xf, TYPES)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{:#x}", flags & 0xf));
    let rest = flags & !0xf;
    if rest == 0 {
        ty
    } else {
        format!("{ty}|{}", flag_names(rest, FLAGS))
    }
}

/// A `bpf(cmd, ...)` command name.
pub fn bpf_cmd(cmd: u64) -> Option<&'static str> {
    const CMDS: [&str; 37] = [
        "BPF_MAP_CREATE",
        "BPF_MAP_LOOKUP_ELEM",
        "BPF_MAP_UPDATE_ELEM",
        "BPF_MAP_DELETE_ELEM",
        "BPF_MAP_GET_NEXT_KEY",
        "BPF_PROG_LOAD",
        "BPF_OBJ_PIN",
        "BPF_OBJ_GET",
        "BPF_PROG_ATTACH",
        "BPF_PROG_DETACH",
        "BPF_PROG_TEST_RUN",
        "BPF_PROG_GET_NEXT_ID",
        "BPF_MAP_GET_NEXT_ID",
        "BPF_PROG_GET_FD_BY_ID",
        "BPF_MAP_GET_FD_BY_ID",
        "BPF_OBJ_GET_INFO_BY_FD",
        "BPF_PROG_QUERY",
        "BPF_RAW_TRACEPOINT_OPEN",
        "BPF_BTF_LOAD",
        "BPF_BTF_GET_FD_BY_ID",
        "BPF_TASK_FD_QUERY",
        "BPF_MAP_LOOKUP_AND_DELETE_ELEM",
        "BPF_MAP_FREEZE",
        "BPF_BTF_GET_NEXT_ID",
        "BPF_MAP_LOOKUP_BATCH",
        "BPF_MAP_LOOKUP_AND_DELETE_BATCH",
        "BPF_MAP_UPDATE_BATCH",
        "BPF_MAP_DELETE_BATCH",
        "BPF_LINK_CREATE",
        "BPF_LINK_UPDATE",
        "BPF_LINK_GET_FD_BY_ID",
        "BPF_LINK_GET_NEXT_ID",
        "BPF_ENABLE_STATS",
        "BPF_ITER_CREATE",
        "BPF_LINK_DETACH",
        "BPF_PROG_BIND_MAP",
        "BPF_TOKEN_CREATE",
    ];
    CMDS.get(cmd as usize).copied()
}

/// `waitid(idtype, ...)` names.
pub fn waitid_idtype(idtype: u64) -> Option<&'static str> {
    lookup(
        idtype,
        &[(0, "P_ALL"), (1, "P_PID"), (2, "P_PGID"), (3, "P_PIDFD")],
    )
}

/// `seccomp(operation, ...)` names.
pub fn seccomp_operation(op: u64) -> Option<&'static str> {
    lookup(
        op,
        &[
            (0, "SECCOMP_SET_MODE_STRICT"),
            (1, "SECCOMP_SET_MODE_FILTER"),
            (2, "SECCOMP_GET_ACTION_AVAIL"),
            (3, "SECCOMP_GET_NOTIF_SIZES"),
        ],
    )
}

/// `seccomp(SECCOMP_SET_MODE_FILTER, flags, ...)` flag names.
pub fn seccomp_filter_flags(flags: u64) -> String {
    const FLAGS: &[(u64, &str)] = &[
        (1, "SECCOMP_FILTER_FLAG_TSYNC"),
        (2, "SECCOMP_FILTER_FLAG_LOG"),
        (4, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"),
        (8, "SECCOMP_FILTER_FLAG_NEW_LISTENER"),
        (16, "SECCOMP_FILTER_FLAG_TSYNC_ESRCH"),
        (32, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
    ];
    flag_names(flags, FLAGS)
}

/// A stable 64-bit key for a string argument (FNV-1a), since argument
/// values are numbers; the string itself is kept as the value's name.
pub fn string_key(s: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clone_flags_of_a_glibc_thread_and_fork() {
        // glibc pthread_create: 0x3d0f00.
        assert_eq!(
            clone_flags(0x3d0f00),
            "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|\
             CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID"
        );
        // glibc fork: CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD.
        assert_eq!(
            clone_flags(0x1200011),
            "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD"
        );
        assert_eq!(clone_flags(17), "SIGCHLD");
        assert_eq!(clone3_flags(0x80), "CLONE_NEWTIME");
        assert_eq!(namespace_flags(0x10020000), "CLONE_NEWNS|CLONE_NEWUSER");
    }

    #[test]
    fn unknown_bits_are_kept_in_hex() {
        assert_eq!(
            flag_names(0x1 | 0x8000_0000_0000, &[(1, "A")]),
            "A|0x800000000000"
        );
        assert_eq!(flag_names(0, &[(1, "A")]), "0");
    }

    #[test]
    fn socket_names() {
        assert_eq!(family_name(2), "AF_INET");
        assert_eq!(family_name(16), "AF_NETLINK");
        assert_eq!(family_name(99), "AF_99");
        assert_eq!(
            socket_type(1 | 0o2000000 | 0o4000),
            "SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC"
        );
        assert_eq!(socket_type_base(2 | 0o2000000), "SOCK_DGRAM");
        assert_eq!(protocol_name(2, 6), "IPPROTO_TCP");
        assert_eq!(object_protocol_name(10, 17), "UDP");
        assert_eq!(protocol_name(16, 0), "NETLINK_ROUTE");
        assert_eq!(protocol_name(16, 15), "NETLINK_KOBJECT_UEVENT");
        assert_eq!(protocol_name(17, 0x0300), "ETH_P_ALL");
        assert_eq!(object_protocol_name(1, 0), "0");
    }

    #[test]
    fn sockopt_names_depend_on_level() {
        assert_eq!(sockopt(1, 2), "SOL_SOCKET/SO_REUSEADDR");
        assert_eq!(sockopt(6, 1), "SOL_TCP/TCP_NODELAY");
        assert_eq!(sockopt(6, 2), "SOL_TCP/TCP_MAXSEG");
        assert_eq!(sockopt(41, 26), "SOL_IPV6/IPV6_V6ONLY");
        assert_eq!(sockopt(9999, 3), "SOL_9999/3");
    }

    #[test]
    fn fcntl_prctl_arch_prctl_personality() {
        assert_eq!(fcntl_cmd(3, false), Some("F_GETFL"));
        assert_eq!(fcntl_cmd(1030, false), Some("F_DUPFD_CLOEXEC"));
        assert_eq!(fcntl_cmd(12, true), Some("F_GETLK64"));
        assert_eq!(fcntl_cmd(12, false), None);
        assert!(fcntl_dups(1030) && fcntl_dups(0) && !fcntl_dups(1));
        assert_eq!(prctl_option(15), Some("PR_SET_NAME"));
        assert_eq!(prctl_option(38), Some("PR_SET_NO_NEW_PRIVS"));
        assert_eq!(prctl_option(22), Some("PR_SET_SECCOMP"));
        assert_eq!(prctl_option(47), Some("PR_CAP_AMBIENT"));
        assert_eq!(prctl_option(78), Some("PR_FUTEX_HASH"));
        assert_eq!(prctl_option(0x59616d61), Some("PR_SET_PTRACER"));
        assert_eq!(prctl_option(17), None);
        assert_eq!(prctl_option(1000), None);
        assert_eq!(arch_prctl_code(0x1002), Some("ARCH_SET_FS"));
        assert_eq!(personality(0xffffffff), "query");
        assert_eq!(personality(0x0040000), "PER_LINUX|ADDR_NO_RANDOMIZE");
        assert_eq!(personality(8), "PER_LINUX32");
    }

    #[test]
    fn mount_and_mmap_names() {
        assert_eq!(mount_flags(0xc0ed_0000 | 4096 | 16384), "MS_BIND|MS_REC");
        assert_eq!(mount_flags(1 << 18 | 16384), "MS_REC|MS_PRIVATE");
        assert_eq!(umount_flags(2), "MNT_DETACH");
        assert_eq!(prot(5), "PROT_READ|PROT_EXEC");
        assert_eq!(prot(0), "PROT_NONE");
        assert_eq!(mmap_flags(0x22), "MAP_PRIVATE|MAP_ANONYMOUS");
        assert_eq!(mmap_flags(0x812), "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE");
        assert_eq!(bpf_cmd(5), Some("BPF_PROG_LOAD"));
        assert_eq!(bpf_cmd(36), Some("BPF_TOKEN_CREATE"));
        assert_eq!(signal_name(9), "SIGKILL");
        assert_eq!(seccomp_operation(1), Some("SECCOMP_SET_MODE_FILTER"));
        assert_eq!(
            seccomp_filter_flags(9),
            "SECCOMP_FILTER_FLAG_TSYNC|SECCOMP_FILTER_FLAG_NEW_LISTENER"
        );
    }

    #[test]
    fn string_keys_are_stable() {
        // FNV-1a 64 reference values.
        assert_eq!(string_key(""), 0xcbf29ce484222325);
        assert_eq!(string_key("a"), 0xaf63dc4c8601ec8c);
        assert_ne!(string_key("ext4"), string_key("tmpfs"));
    }
}
