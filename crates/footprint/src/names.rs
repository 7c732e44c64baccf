//! Names of kernel constants, the one table of each that every stage uses,
//! in both directions: value to name for the recorder's decoder, the
//! reports and the exporters, name to value for the strace importer.
//!
//! Tables are `(value, name)` lists with one canonical name per value, in
//! the order the names are tried (the first entry of a value names it).
//! Other spellings of a value (`AF_LOCAL`, `EWOULDBLOCK`, `TIOCINQ`) are in
//! [`ALIASES`] and resolve by name only, so a value always gets one name.
//!
//! Values come from the Linux UAPI headers (x86_64, and the i386 ABI where
//! it differs); the tests check every one that the `libc` crate also has.
//! Flag sets name the known bits and append any unknown rest in hex.

pub mod ioctl;

use crate::ObjectClass;

/// Socket address families by number (`<linux/socket.h>`).
pub const SOCKET_FAMILIES: &[(u64, &str)] = &[
    (0, "AF_UNSPEC"),
    (1, "AF_UNIX"),
    (2, "AF_INET"),
    (3, "AF_AX25"),
    (4, "AF_IPX"),
    (5, "AF_APPLETALK"),
    (6, "AF_NETROM"),
    (7, "AF_BRIDGE"),
    (8, "AF_ATMPVC"),
    (9, "AF_X25"),
    (10, "AF_INET6"),
    (11, "AF_ROSE"),
    (12, "AF_DECnet"),
    (13, "AF_NETBEUI"),
    (14, "AF_SECURITY"),
    (15, "AF_KEY"),
    (16, "AF_NETLINK"),
    (17, "AF_PACKET"),
    (18, "AF_ASH"),
    (19, "AF_ECONET"),
    (20, "AF_ATMSVC"),
    (21, "AF_RDS"),
    (22, "AF_SNA"),
    (23, "AF_IRDA"),
    (24, "AF_PPPOX"),
    (25, "AF_WANPIPE"),
    (26, "AF_LLC"),
    (27, "AF_IB"),
    (28, "AF_MPLS"),
    (29, "AF_CAN"),
    (30, "AF_TIPC"),
    (31, "AF_BLUETOOTH"),
    (32, "AF_IUCV"),
    (33, "AF_RXRPC"),
    (34, "AF_ISDN"),
    (35, "AF_PHONET"),
    (36, "AF_IEEE802154"),
    (37, "AF_CAIF"),
    (38, "AF_ALG"),
    (39, "AF_NFC"),
    (40, "AF_VSOCK"),
    (41, "AF_KCM"),
    (42, "AF_QIPCRTR"),
    (43, "AF_SMC"),
    (44, "AF_XDP"),
    (45, "AF_MCTP"),
];

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

/// The name of `value` in `table` (the first entry with that value).
pub fn lookup(value: u64, table: &[(u64, &'static str)]) -> Option<&'static str> {
    table.iter().find(|(v, _)| *v == value).map(|(_, n)| *n)
}

pub const CLONE_FLAGS: &[(u64, &str)] = &[
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

/// Signal numbers (x86).
pub const SIGNALS: &[(u64, &str)] = &[
    (1, "SIGHUP"),
    (2, "SIGINT"),
    (3, "SIGQUIT"),
    (4, "SIGILL"),
    (5, "SIGTRAP"),
    (6, "SIGABRT"),
    (7, "SIGBUS"),
    (8, "SIGFPE"),
    (9, "SIGKILL"),
    (10, "SIGUSR1"),
    (11, "SIGSEGV"),
    (12, "SIGUSR2"),
    (13, "SIGPIPE"),
    (14, "SIGALRM"),
    (15, "SIGTERM"),
    (16, "SIGSTKFLT"),
    (17, "SIGCHLD"),
    (18, "SIGCONT"),
    (19, "SIGSTOP"),
    (20, "SIGTSTP"),
    (21, "SIGTTIN"),
    (22, "SIGTTOU"),
    (23, "SIGURG"),
    (24, "SIGXCPU"),
    (25, "SIGXFSZ"),
    (26, "SIGVTALRM"),
    (27, "SIGPROF"),
    (28, "SIGWINCH"),
    (29, "SIGIO"),
    (30, "SIGPWR"),
    (31, "SIGSYS"),
];

/// The name of signal `n` (x86), `SIG<n>` when unnamed.
pub fn signal_name(n: u64) -> String {
    match lookup(n, SIGNALS) {
        Some(name) => name.to_owned(),
        None if n == 0 => "0".to_owned(),
        None => format!("SIGRT{}", n.saturating_sub(32)),
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
    lookup(family, SOCKET_FAMILIES)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("AF_{family}"))
}

pub const SOCK_NONBLOCK: u64 = 0o4000;
pub const SOCK_CLOEXEC: u64 = 0o2000000;

/// The flags `socket()` takes in its type argument.
pub const SOCKET_TYPE_FLAGS: &[(u64, &str)] = &[
    (SOCK_NONBLOCK, "SOCK_NONBLOCK"),
    (SOCK_CLOEXEC, "SOCK_CLOEXEC"),
];

/// Socket types without their flags.
pub const SOCKET_TYPES: &[(u64, &str)] = &[
    (1, "SOCK_STREAM"),
    (2, "SOCK_DGRAM"),
    (3, "SOCK_RAW"),
    (4, "SOCK_RDM"),
    (5, "SOCK_SEQPACKET"),
    (6, "SOCK_DCCP"),
    (10, "SOCK_PACKET"),
];

/// The base socket type name without flags (`SOCK_STREAM`).
pub fn socket_type_base(ty: u64) -> String {
    lookup(ty & 0xf, SOCKET_TYPES)
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

pub const IP_PROTOCOLS: &[(u64, &str)] = &[
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

pub const NETLINK_PROTOCOLS: &[(u64, &str)] = &[
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

pub const SOL_SOCKET_OPTIONS: &[(u64, &str)] = &[
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

pub const IP_OPTIONS: &[(u64, &str)] = &[
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

pub const TCP_OPTIONS: &[(u64, &str)] = &[
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

pub const IPV6_OPTIONS: &[(u64, &str)] = &[
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

pub const UDP_OPTIONS: &[(u64, &str)] = &[
    (1, "UDP_CORK"),
    (100, "UDP_ENCAP"),
    (101, "UDP_NO_CHECK6_TX"),
    (102, "UDP_NO_CHECK6_RX"),
    (103, "UDP_SEGMENT"),
    (104, "UDP_GRO"),
];

pub const NETLINK_OPTIONS: &[(u64, &str)] = &[
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

pub const PACKET_OPTIONS: &[(u64, &str)] = &[
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

pub const SOCKOPT_LEVELS: &[(u64, &str)] = &[
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

/// `fcntl` commands (asm-generic/fcntl.h, linux/fcntl.h).
pub const FCNTL_COMMANDS: &[(u64, &str)] = &[
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

/// The 64-bit lock commands of the i386 ABI.
pub const FCNTL_I386_COMMANDS: &[(u64, &str)] =
    &[(12, "F_GETLK64"), (13, "F_SETLK64"), (14, "F_SETLKW64")];

/// An `fcntl` command name. The i386 ABI has its own 64-bit lock commands.
pub fn fcntl_cmd(cmd: u64, i386: bool) -> Option<&'static str> {
    if i386 {
        if let Some(name) = lookup(cmd, FCNTL_I386_COMMANDS) {
            return Some(name);
        }
    }
    lookup(cmd, FCNTL_COMMANDS)
}

/// Whether an `fcntl` command returns a new fd.
pub fn fcntl_dups(cmd: u64) -> bool {
    cmd == 0 || cmd == 1030
}

/// `prctl` options (linux/prctl.h).
pub const PRCTL_OPTIONS: &[(u64, &str)] = &[
    (1, "PR_SET_PDEATHSIG"),
    (2, "PR_GET_PDEATHSIG"),
    (3, "PR_GET_DUMPABLE"),
    (4, "PR_SET_DUMPABLE"),
    (5, "PR_GET_UNALIGN"),
    (6, "PR_SET_UNALIGN"),
    (7, "PR_GET_KEEPCAPS"),
    (8, "PR_SET_KEEPCAPS"),
    (9, "PR_GET_FPEMU"),
    (10, "PR_SET_FPEMU"),
    (11, "PR_GET_FPEXC"),
    (12, "PR_SET_FPEXC"),
    (13, "PR_GET_TIMING"),
    (14, "PR_SET_TIMING"),
    (15, "PR_SET_NAME"),
    (16, "PR_GET_NAME"),
    (19, "PR_GET_ENDIAN"),
    (20, "PR_SET_ENDIAN"),
    (21, "PR_GET_SECCOMP"),
    (22, "PR_SET_SECCOMP"),
    (23, "PR_CAPBSET_READ"),
    (24, "PR_CAPBSET_DROP"),
    (25, "PR_GET_TSC"),
    (26, "PR_SET_TSC"),
    (27, "PR_GET_SECUREBITS"),
    (28, "PR_SET_SECUREBITS"),
    (29, "PR_SET_TIMERSLACK"),
    (30, "PR_GET_TIMERSLACK"),
    (31, "PR_TASK_PERF_EVENTS_DISABLE"),
    (32, "PR_TASK_PERF_EVENTS_ENABLE"),
    (33, "PR_MCE_KILL"),
    (34, "PR_MCE_KILL_GET"),
    (35, "PR_SET_MM"),
    (36, "PR_SET_CHILD_SUBREAPER"),
    (37, "PR_GET_CHILD_SUBREAPER"),
    (38, "PR_SET_NO_NEW_PRIVS"),
    (39, "PR_GET_NO_NEW_PRIVS"),
    (40, "PR_GET_TID_ADDRESS"),
    (41, "PR_SET_THP_DISABLE"),
    (42, "PR_GET_THP_DISABLE"),
    (43, "PR_MPX_ENABLE_MANAGEMENT"),
    (44, "PR_MPX_DISABLE_MANAGEMENT"),
    (45, "PR_SET_FP_MODE"),
    (46, "PR_GET_FP_MODE"),
    (47, "PR_CAP_AMBIENT"),
    (50, "PR_SVE_SET_VL"),
    (51, "PR_SVE_GET_VL"),
    (52, "PR_GET_SPECULATION_CTRL"),
    (53, "PR_SET_SPECULATION_CTRL"),
    (54, "PR_PAC_RESET_KEYS"),
    (55, "PR_SET_TAGGED_ADDR_CTRL"),
    (56, "PR_GET_TAGGED_ADDR_CTRL"),
    (57, "PR_SET_IO_FLUSHER"),
    (58, "PR_GET_IO_FLUSHER"),
    (59, "PR_SET_SYSCALL_USER_DISPATCH"),
    (60, "PR_PAC_SET_ENABLED_KEYS"),
    (61, "PR_PAC_GET_ENABLED_KEYS"),
    (62, "PR_SCHED_CORE"),
    (63, "PR_SME_SET_VL"),
    (64, "PR_SME_GET_VL"),
    (65, "PR_SET_MDWE"),
    (66, "PR_GET_MDWE"),
    (67, "PR_SET_MEMORY_MERGE"),
    (68, "PR_GET_MEMORY_MERGE"),
    (69, "PR_RISCV_V_SET_CONTROL"),
    (70, "PR_RISCV_V_GET_CONTROL"),
    (71, "PR_RISCV_SET_ICACHE_FLUSH_CTX"),
    (72, "PR_PPC_GET_DEXCR"),
    (73, "PR_PPC_SET_DEXCR"),
    (74, "PR_GET_SHADOW_STACK_STATUS"),
    (75, "PR_SET_SHADOW_STACK_STATUS"),
    (76, "PR_LOCK_SHADOW_STACK_STATUS"),
    (77, "PR_TIMER_CREATE_RESTORE_IDS"),
    (78, "PR_FUTEX_HASH"),
    (0x5356_4d41, "PR_SET_VMA"),
    (0x5961_6d61, "PR_SET_PTRACER"),
];

/// A `prctl` option name.
pub fn prctl_option(option: u64) -> Option<&'static str> {
    lookup(option, PRCTL_OPTIONS)
}

/// `arch_prctl` codes (asm/prctl.h).
pub const ARCH_PRCTL_CODES: &[(u64, &str)] = &[
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

/// An `arch_prctl` code name (x86).
pub fn arch_prctl_code(code: u64) -> Option<&'static str> {
    lookup(code, ARCH_PRCTL_CODES)
}

/// Base personalities (linux/personality.h).
pub const PERSONALITY_BASES: &[(u64, &str)] = &[
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

/// Personality flags.
pub const PERSONALITY_FLAGS: &[(u64, &str)] = &[
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

/// A `personality(persona)` value: the base personality and its flags.
pub fn personality(value: u64) -> String {
    if value == 0xffff_ffff {
        return "query".to_owned();
    }
    let base = lookup(value & 0xff, PERSONALITY_BASES)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{:#x}", value & 0xff));
    let flags = value & !0xff;
    if flags == 0 {
        base
    } else {
        format!("{base}|{}", flag_names(flags, PERSONALITY_FLAGS))
    }
}

/// `mount` flags (linux/mount.h).
pub const MOUNT_FLAGS: &[(u64, &str)] = &[
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
    // The old magic in the high 16 bits; `mount_flags` drops it as the kernel does.
    (0xc0ed_0000, "MS_MGC_VAL"),
];

/// `mount(..., mountflags, ...)` flag names; the old MS_MGC_VAL magic in the
/// high 16 bits is ignored as the kernel does.
pub fn mount_flags(flags: u64) -> String {
    let flags = if flags & 0xffff_0000 == 0xc0ed_0000 {
        flags & 0xffff
    } else {
        flags
    };
    flag_names(flags, MOUNT_FLAGS)
}

/// `umount2` flags.
pub const UMOUNT_FLAGS: &[(u64, &str)] = &[
    (1, "MNT_FORCE"),
    (2, "MNT_DETACH"),
    (4, "MNT_EXPIRE"),
    (8, "UMOUNT_NOFOLLOW"),
];

/// `umount2(target, flags)` flag names.
pub fn umount_flags(flags: u64) -> String {
    flag_names(flags, UMOUNT_FLAGS)
}

pub const PROT_EXEC: u64 = 4;
pub const MAP_ANONYMOUS: u64 = 0x20;

/// mmap/mprotect protections (`PROT_NONE` is 0).
pub const PROT_FLAGS: &[(u64, &str)] = &[
    (1, "PROT_READ"),
    (2, "PROT_WRITE"),
    (4, "PROT_EXEC"),
    (8, "PROT_SEM"),
    (0x0100_0000, "PROT_GROWSDOWN"),
    (0x0200_0000, "PROT_GROWSUP"),
];

/// mmap/mprotect protection names (`PROT_READ|PROT_EXEC`, `PROT_NONE`).
pub fn prot(prot: u64) -> String {
    if prot == 0 {
        return "PROT_NONE".to_owned();
    }
    flag_names(prot, PROT_FLAGS)
}

/// mmap mapping types (the low 4 bits of the flags).
pub const MAP_TYPES: &[(u64, &str)] = &[
    (1, "MAP_SHARED"),
    (2, "MAP_PRIVATE"),
    (3, "MAP_SHARED_VALIDATE"),
];

/// mmap flags above the mapping type.
pub const MAP_FLAGS: &[(u64, &str)] = &[
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

/// mmap flag names: the mapping type, then the flags.
pub fn mmap_flags(flags: u64) -> String {
    let ty = lookup(flags & 0xf, MAP_TYPES)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{:#x}", flags & 0xf));
    let rest = flags & !0xf;
    if rest == 0 {
        ty
    } else {
        format!("{ty}|{}", flag_names(rest, MAP_FLAGS))
    }
}

/// `bpf(cmd, ...)` commands (linux/bpf.h).
pub const BPF_COMMANDS: &[(u64, &str)] = &[
    (0, "BPF_MAP_CREATE"),
    (1, "BPF_MAP_LOOKUP_ELEM"),
    (2, "BPF_MAP_UPDATE_ELEM"),
    (3, "BPF_MAP_DELETE_ELEM"),
    (4, "BPF_MAP_GET_NEXT_KEY"),
    (5, "BPF_PROG_LOAD"),
    (6, "BPF_OBJ_PIN"),
    (7, "BPF_OBJ_GET"),
    (8, "BPF_PROG_ATTACH"),
    (9, "BPF_PROG_DETACH"),
    (10, "BPF_PROG_TEST_RUN"),
    (11, "BPF_PROG_GET_NEXT_ID"),
    (12, "BPF_MAP_GET_NEXT_ID"),
    (13, "BPF_PROG_GET_FD_BY_ID"),
    (14, "BPF_MAP_GET_FD_BY_ID"),
    (15, "BPF_OBJ_GET_INFO_BY_FD"),
    (16, "BPF_PROG_QUERY"),
    (17, "BPF_RAW_TRACEPOINT_OPEN"),
    (18, "BPF_BTF_LOAD"),
    (19, "BPF_BTF_GET_FD_BY_ID"),
    (20, "BPF_TASK_FD_QUERY"),
    (21, "BPF_MAP_LOOKUP_AND_DELETE_ELEM"),
    (22, "BPF_MAP_FREEZE"),
    (23, "BPF_BTF_GET_NEXT_ID"),
    (24, "BPF_MAP_LOOKUP_BATCH"),
    (25, "BPF_MAP_LOOKUP_AND_DELETE_BATCH"),
    (26, "BPF_MAP_UPDATE_BATCH"),
    (27, "BPF_MAP_DELETE_BATCH"),
    (28, "BPF_LINK_CREATE"),
    (29, "BPF_LINK_UPDATE"),
    (30, "BPF_LINK_GET_FD_BY_ID"),
    (31, "BPF_LINK_GET_NEXT_ID"),
    (32, "BPF_ENABLE_STATS"),
    (33, "BPF_ITER_CREATE"),
    (34, "BPF_LINK_DETACH"),
    (35, "BPF_PROG_BIND_MAP"),
    (36, "BPF_TOKEN_CREATE"),
];

/// A `bpf(cmd, ...)` command name.
pub fn bpf_cmd(cmd: u64) -> Option<&'static str> {
    lookup(cmd, BPF_COMMANDS)
}

/// `waitid` id types.
pub const WAITID_IDTYPES: &[(u64, &str)] =
    &[(0, "P_ALL"), (1, "P_PID"), (2, "P_PGID"), (3, "P_PIDFD")];

/// `waitid(idtype, ...)` names.
pub fn waitid_idtype(idtype: u64) -> Option<&'static str> {
    lookup(idtype, WAITID_IDTYPES)
}

/// `seccomp` operations.
pub const SECCOMP_OPERATIONS: &[(u64, &str)] = &[
    (0, "SECCOMP_SET_MODE_STRICT"),
    (1, "SECCOMP_SET_MODE_FILTER"),
    (2, "SECCOMP_GET_ACTION_AVAIL"),
    (3, "SECCOMP_GET_NOTIF_SIZES"),
];

/// `seccomp(operation, ...)` names.
pub fn seccomp_operation(op: u64) -> Option<&'static str> {
    lookup(op, SECCOMP_OPERATIONS)
}

/// `seccomp(SECCOMP_SET_MODE_FILTER, flags, ...)` flags.
pub const SECCOMP_FILTER_FLAGS: &[(u64, &str)] = &[
    (1, "SECCOMP_FILTER_FLAG_TSYNC"),
    (2, "SECCOMP_FILTER_FLAG_LOG"),
    (4, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"),
    (8, "SECCOMP_FILTER_FLAG_NEW_LISTENER"),
    (16, "SECCOMP_FILTER_FLAG_TSYNC_ESRCH"),
    (32, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
];

/// `seccomp(SECCOMP_SET_MODE_FILTER, flags, ...)` flag names.
pub fn seccomp_filter_flags(flags: u64) -> String {
    flag_names(flags, SECCOMP_FILTER_FLAGS)
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

/// Errno values (asm-generic/errno-base.h, errno.h) and the kernel-internal
/// restart codes a tracer sees at a syscall's exit (linux/errno.h).
pub const ERRNOS: &[(u64, &str)] = &[
    (1, "EPERM"),
    (2, "ENOENT"),
    (3, "ESRCH"),
    (4, "EINTR"),
    (5, "EIO"),
    (6, "ENXIO"),
    (7, "E2BIG"),
    (8, "ENOEXEC"),
    (9, "EBADF"),
    (10, "ECHILD"),
    (11, "EAGAIN"),
    (12, "ENOMEM"),
    (13, "EACCES"),
    (14, "EFAULT"),
    (15, "ENOTBLK"),
    (16, "EBUSY"),
    (17, "EEXIST"),
    (18, "EXDEV"),
    (19, "ENODEV"),
    (20, "ENOTDIR"),
    (21, "EISDIR"),
    (22, "EINVAL"),
    (23, "ENFILE"),
    (24, "EMFILE"),
    (25, "ENOTTY"),
    (26, "ETXTBSY"),
    (27, "EFBIG"),
    (28, "ENOSPC"),
    (29, "ESPIPE"),
    (30, "EROFS"),
    (31, "EMLINK"),
    (32, "EPIPE"),
    (33, "EDOM"),
    (34, "ERANGE"),
    (35, "EDEADLK"),
    (36, "ENAMETOOLONG"),
    (37, "ENOLCK"),
    (38, "ENOSYS"),
    (39, "ENOTEMPTY"),
    (40, "ELOOP"),
    (42, "ENOMSG"),
    (43, "EIDRM"),
    (44, "ECHRNG"),
    (45, "EL2NSYNC"),
    (46, "EL3HLT"),
    (47, "EL3RST"),
    (48, "ELNRNG"),
    (49, "EUNATCH"),
    (50, "ENOCSI"),
    (51, "EL2HLT"),
    (52, "EBADE"),
    (53, "EBADR"),
    (54, "EXFULL"),
    (55, "ENOANO"),
    (56, "EBADRQC"),
    (57, "EBADSLT"),
    (59, "EBFONT"),
    (60, "ENOSTR"),
    (61, "ENODATA"),
    (62, "ETIME"),
    (63, "ENOSR"),
    (64, "ENONET"),
    (65, "ENOPKG"),
    (66, "EREMOTE"),
    (67, "ENOLINK"),
    (68, "EADV"),
    (69, "ESRMNT"),
    (70, "ECOMM"),
    (71, "EPROTO"),
    (72, "EMULTIHOP"),
    (73, "EDOTDOT"),
    (74, "EBADMSG"),
    (75, "EOVERFLOW"),
    (76, "ENOTUNIQ"),
    (77, "EBADFD"),
    (78, "EREMCHG"),
    (79, "ELIBACC"),
    (80, "ELIBBAD"),
    (81, "ELIBSCN"),
    (82, "ELIBMAX"),
    (83, "ELIBEXEC"),
    (84, "EILSEQ"),
    (85, "ERESTART"),
    (86, "ESTRPIPE"),
    (87, "EUSERS"),
    (88, "ENOTSOCK"),
    (89, "EDESTADDRREQ"),
    (90, "EMSGSIZE"),
    (91, "EPROTOTYPE"),
    (92, "ENOPROTOOPT"),
    (93, "EPROTONOSUPPORT"),
    (94, "ESOCKTNOSUPPORT"),
    (95, "EOPNOTSUPP"),
    (96, "EPFNOSUPPORT"),
    (97, "EAFNOSUPPORT"),
    (98, "EADDRINUSE"),
    (99, "EADDRNOTAVAIL"),
    (100, "ENETDOWN"),
    (101, "ENETUNREACH"),
    (102, "ENETRESET"),
    (103, "ECONNABORTED"),
    (104, "ECONNRESET"),
    (105, "ENOBUFS"),
    (106, "EISCONN"),
    (107, "ENOTCONN"),
    (108, "ESHUTDOWN"),
    (109, "ETOOMANYREFS"),
    (110, "ETIMEDOUT"),
    (111, "ECONNREFUSED"),
    (112, "EHOSTDOWN"),
    (113, "EHOSTUNREACH"),
    (114, "EALREADY"),
    (115, "EINPROGRESS"),
    (116, "ESTALE"),
    (117, "EUCLEAN"),
    (118, "ENOTNAM"),
    (119, "ENAVAIL"),
    (120, "EISNAM"),
    (121, "EREMOTEIO"),
    (122, "EDQUOT"),
    (123, "ENOMEDIUM"),
    (124, "EMEDIUMTYPE"),
    (125, "ECANCELED"),
    (126, "ENOKEY"),
    (127, "EKEYEXPIRED"),
    (128, "EKEYREVOKED"),
    (129, "EKEYREJECTED"),
    (130, "EOWNERDEAD"),
    (131, "ENOTRECOVERABLE"),
    (132, "ERFKILL"),
    (133, "EHWPOISON"),
    (512, "ERESTARTSYS"),
    (513, "ERESTARTNOINTR"),
    (514, "ERESTARTNOHAND"),
    (515, "ENOIOCTLCMD"),
    (516, "ERESTART_RESTARTBLOCK"),
    (517, "EPROBE_DEFER"),
    (518, "EOPENSTALE"),
    (519, "ENOPARAM"),
    (521, "EBADHANDLE"),
    (522, "ENOTSYNC"),
    (523, "EBADCOOKIE"),
    (524, "ENOTSUPP"),
    (525, "ETOOSMALL"),
    (526, "ESERVERFAULT"),
    (527, "EBADTYPE"),
    (528, "EJUKEBOX"),
    (529, "EIOCBQUEUED"),
    (530, "ERECALLCONFLICT"),
    (531, "ENOGRACE"),
];

/// The symbolic name of an errno value (`ENOENT`), `E<n>` when unknown.
pub fn errno_name(errno: i32) -> String {
    u64::try_from(errno)
        .ok()
        .and_then(|e| lookup(e, ERRNOS))
        .map_or_else(|| format!("E{errno}"), str::to_owned)
}

/// The errno value of a name (`ENOENT`, `EWOULDBLOCK`, `ERESTARTSYS`).
pub fn errno_value(name: &str) -> Option<i32> {
    value_of(name, &[ERRNOS]).and_then(|v| i32::try_from(v).ok())
}

/// Other spellings of a value and the canonical name they stand for.
pub const ALIASES: &[(&str, &str)] = &[
    ("AF_LOCAL", "AF_UNIX"),
    ("AF_FILE", "AF_UNIX"),
    ("AF_ROUTE", "AF_NETLINK"),
    ("PF_UNIX", "AF_UNIX"),
    ("PF_LOCAL", "AF_UNIX"),
    ("PF_INET", "AF_INET"),
    ("PF_INET6", "AF_INET6"),
    ("PF_NETLINK", "AF_NETLINK"),
    ("EWOULDBLOCK", "EAGAIN"),
    ("EDEADLOCK", "EDEADLK"),
    ("ENOTSUP", "EOPNOTSUPP"),
    ("TIOCINQ", "FIONREAD"),
    ("SIOCGSTAMP", "SIOCGSTAMP_OLD"),
    ("SIOCGSTAMPNS", "SIOCGSTAMPNS_OLD"),
    ("SO_RCVTIMEO", "SO_RCVTIMEO_OLD"),
    ("SO_SNDTIMEO", "SO_SNDTIMEO_OLD"),
    ("SO_TIMESTAMP", "SO_TIMESTAMP_OLD"),
    ("SO_TIMESTAMPNS", "SO_TIMESTAMPNS_OLD"),
    ("SO_TIMESTAMPING", "SO_TIMESTAMPING_OLD"),
    ("SO_GET_FILTER", "SO_ATTACH_FILTER"),
    ("SO_DETACH_BPF", "SO_DETACH_FILTER"),
    ("NETLINK_INET_DIAG", "NETLINK_SOCK_DIAG"),
    ("IPPROTO_HOPOPTS", "IPPROTO_IP"),
    ("MAP_ANON", "MAP_ANONYMOUS"),
    ("PER_LINUX_32BIT", "ADDR_LIMIT_32BIT"),
];

/// The value of `name` in the first of `tables` that has it, aliases
/// resolved.
pub fn value_of(name: &str, tables: &[&[(u64, &str)]]) -> Option<u64> {
    let name = ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |&(_, canonical)| canonical);
    tables
        .iter()
        .flat_map(|t| t.iter())
        .find(|(_, n)| *n == name)
        .map(|&(v, _)| v)
}

/// The extra clone flag that shares the low byte with the exit signal
/// (clone3, unshare and setns only).
pub const CLONE_NEWTIME: u64 = 0x80;

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

    /// Every value that the `libc` crate also defines agrees with it, in
    /// both directions (an independent source: glibc's and the kernel's
    /// headers as libc transcribes them).
    #[test]
    fn tables_agree_with_libc() {
        // A C int constant is its 32-bit pattern, as a syscall argument.
        fn unsigned(v: i64, size: usize) -> u64 {
            if size == 4 {
                u64::from(v as u32)
            } else {
                v as u64
            }
        }
        macro_rules! check {
            ($tables:expr; $($name:ident),* $(,)?) => {
                $(
                    let v = unsigned(libc::$name as i64, std::mem::size_of_val(&libc::$name));
                    assert_eq!(value_of(stringify!($name), $tables), Some(v), stringify!($name));
                )*
            };
        }
        check!(&[CLONE_FLAGS, &[(CLONE_NEWTIME, "CLONE_NEWTIME")]];
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
            CLONE_NEWTIME
        );
        check!(&[SIGNALS];
            SIGHUP,
            SIGINT,
            SIGQUIT,
            SIGILL,
            SIGTRAP,
            SIGABRT,
            SIGBUS,
            SIGFPE,
            SIGKILL,
            SIGUSR1,
            SIGSEGV,
            SIGUSR2,
            SIGPIPE,
            SIGALRM,
            SIGTERM,
            SIGSTKFLT,
            SIGCHLD,
            SIGCONT,
            SIGSTOP,
            SIGTSTP,
            SIGTTIN,
            SIGTTOU,
            SIGURG,
            SIGXCPU,
            SIGXFSZ,
            SIGVTALRM,
            SIGPROF,
            SIGWINCH,
            SIGIO,
            SIGPWR,
            SIGSYS
        );
        check!(&[SOCKET_FAMILIES];
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
            AF_IPX
        );
        check!(&[SOCKET_TYPES, SOCKET_TYPE_FLAGS];
            SOCK_STREAM,
            SOCK_DGRAM,
            SOCK_RAW,
            SOCK_RDM,
            SOCK_SEQPACKET,
            SOCK_DCCP,
            SOCK_CLOEXEC,
            SOCK_NONBLOCK
        );
        check!(&[IP_PROTOCOLS, NETLINK_PROTOCOLS];
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
            NETLINK_CRYPTO
        );
        check!(&[FCNTL_COMMANDS];
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
            F_GET_SEALS
        );
        check!(&[PRCTL_OPTIONS];
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
            PR_SET_VMA
        );
        check!(&[SOCKOPT_LEVELS];
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
            SOL_TLS
        );
        check!(&[SOL_SOCKET_OPTIONS, IP_OPTIONS, TCP_OPTIONS, IPV6_OPTIONS, UDP_OPTIONS, NETLINK_OPTIONS, PACKET_OPTIONS];
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
            NETLINK_GET_STRICT_CHK
        );
        check!(&[&[(0, "PROT_NONE")], PROT_FLAGS];
            PROT_NONE,
            PROT_READ,
            PROT_WRITE,
            PROT_EXEC,
            PROT_GROWSDOWN,
            PROT_GROWSUP
        );
        check!(&[MOUNT_FLAGS];
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
            MS_MGC_VAL
        );
        check!(&[ERRNOS];
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
            EDEADLOCK
        );
        macro_rules! check_ioctl {
            ($($name:ident),* $(,)?) => {
                $(
                    let v = unsigned(libc::$name as i64, std::mem::size_of_val(&libc::$name));
                    assert_eq!(ioctl::ioctl_value(stringify!($name)), Some(v), stringify!($name));
                    assert!(ioctl::ioctl_name(v).is_some(), stringify!($name));
                )*
            };
        }
        check_ioctl!(
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
            BLKSSZGET
        );
    }
}
