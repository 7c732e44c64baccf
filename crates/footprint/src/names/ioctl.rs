//! Names of ioctl request codes, both ways: terminal and generic file
//! ioctls, socket (SIOC*), block, loop, KVM, perf, userfaultfd, seccomp
//! notification, nsfs and tun requests.
//!
//! Families that encode a struct size in the code (KVM, perf, userfaultfd)
//! are matched by (type, number, direction), so a size this table gets
//! wrong for one kernel version still names the request.

/// The direction bits of an ioctl code (`_IOC_NONE`, `_IOC_WRITE`, `_IOC_READ`).
const fn dir(code: u32) -> u32 {
    code >> 30
}
const fn ty(code: u32) -> u32 {
    (code >> 8) & 0xff
}
const fn nr(code: u32) -> u32 {
    code & 0xff
}
const fn size(code: u32) -> u32 {
    (code >> 16) & 0x3fff
}

const NONE: u32 = 0;
const W: u32 = 1;
const R: u32 = 2;
const RW: u32 = 3;

/// The name of an ioctl request, `None` when this table does not know it.
pub fn ioctl_name(request: u64) -> Option<&'static str> {
    let code = request as u32;
    exact(code).or_else(|| {
        FAMILIES
            .iter()
            .find(|(t, _)| *t == ty(code))
            .and_then(|(_, names)| names(code))
    })
}

/// Requests named by their whole code (terminal, tun, file, socket).
pub const EXACT: &[(u64, &str)] = &[
    // asm-generic/ioctls.h (x86 uses the generic values).
    (0x5401, "TCGETS"),
    (0x5402, "TCSETS"),
    (0x5403, "TCSETSW"),
    (0x5404, "TCSETSF"),
    (0x5405, "TCGETA"),
    (0x5406, "TCSETA"),
    (0x5407, "TCSETAW"),
    (0x5408, "TCSETAF"),
    (0x5409, "TCSBRK"),
    (0x540a, "TCXONC"),
    (0x540b, "TCFLSH"),
    (0x540c, "TIOCEXCL"),
    (0x540d, "TIOCNXCL"),
    (0x540e, "TIOCSCTTY"),
    (0x540f, "TIOCGPGRP"),
    (0x5410, "TIOCSPGRP"),
    (0x5411, "TIOCOUTQ"),
    (0x5412, "TIOCSTI"),
    (0x5413, "TIOCGWINSZ"),
    (0x5414, "TIOCSWINSZ"),
    (0x5415, "TIOCMGET"),
    (0x5416, "TIOCMBIS"),
    (0x5417, "TIOCMBIC"),
    (0x5418, "TIOCMSET"),
    (0x5419, "TIOCGSOFTCAR"),
    (0x541a, "TIOCSSOFTCAR"),
    (0x541b, "FIONREAD"),
    (0x541c, "TIOCLINUX"),
    (0x541d, "TIOCCONS"),
    (0x541e, "TIOCGSERIAL"),
    (0x541f, "TIOCSSERIAL"),
    (0x5420, "TIOCPKT"),
    (0x5421, "FIONBIO"),
    (0x5422, "TIOCNOTTY"),
    (0x5423, "TIOCSETD"),
    (0x5424, "TIOCGETD"),
    (0x5425, "TCSBRKP"),
    (0x5427, "TIOCSBRK"),
    (0x5428, "TIOCCBRK"),
    (0x5429, "TIOCGSID"),
    (0x802c_542a, "TCGETS2"),
    (0x402c_542b, "TCSETS2"),
    (0x402c_542c, "TCSETSW2"),
    (0x402c_542d, "TCSETSF2"),
    (0x8004_5430, "TIOCGPTN"),
    (0x4004_5431, "TIOCSPTLCK"),
    (0x8004_5432, "TIOCGDEV"),
    (0x4004_5436, "TIOCSIG"),
    (0x5437, "TIOCVHANGUP"),
    (0x8004_5438, "TIOCGPKT"),
    (0x8004_5439, "TIOCGPTLCK"),
    (0x8004_5440, "TIOCGEXCL"),
    (0x5441, "TIOCGPTPEER"),
    (0x5450, "FIONCLEX"),
    (0x5451, "FIOCLEX"),
    (0x5452, "FIOASYNC"),
    (0x5453, "TIOCSERCONFIG"),
    (0x5454, "TIOCSERGWILD"),
    (0x5455, "TIOCSERSWILD"),
    (0x5456, "TIOCGLCKTRMIOS"),
    (0x5457, "TIOCSLCKTRMIOS"),
    (0x5459, "TIOCSERGETLSR"),
    (0x545c, "TIOCMIWAIT"),
    (0x545d, "TIOCGICOUNT"),
    (0x5460, "FIOQSIZE"),
    // tun (type 'T' too, with a size).
    (0x4004_54ca, "TUNSETIFF"),
    (0x4004_54c9, "TUNSETNOCSUM"),
    (0x4004_54cb, "TUNSETPERSIST"),
    (0x4004_54cc, "TUNSETOWNER"),
    (0x4004_54cd, "TUNSETLINK"),
    (0x4004_54ce, "TUNSETGROUP"),
    (0x8004_54cf, "TUNGETFEATURES"),
    (0x4004_54d0, "TUNSETOFFLOAD"),
    (0x4004_54d1, "TUNSETTXFILTER"),
    (0x8004_54d2, "TUNGETIFF"),
    (0x8004_54d3, "TUNGETSNDBUF"),
    (0x4004_54d4, "TUNSETSNDBUF"),
    (0x8004_54d7, "TUNGETVNETHDRSZ"),
    (0x4004_54d8, "TUNSETVNETHDRSZ"),
    (0x4004_54d9, "TUNSETQUEUE"),
    (0x4004_54da, "TUNSETIFINDEX"),
    // Generic file and filesystem ioctls.
    (0x1, "FIBMAP"),
    (0x2, "FIGETBSZ"),
    (0x4004_9409, "FICLONE"),
    (0x4020_940d, "FICLONERANGE"),
    (0xc018_9436, "FIDEDUPERANGE"),
    (0x8008_6601, "FS_IOC_GETFLAGS"),
    (0x4008_6602, "FS_IOC_SETFLAGS"),
    (0x8004_6601, "FS_IOC32_GETFLAGS"),
    (0x4004_6602, "FS_IOC32_SETFLAGS"),
    (0x8008_7601, "FS_IOC_GETVERSION"),
    (0x4008_7602, "FS_IOC_SETVERSION"),
    (0xc020_660b, "FS_IOC_FIEMAP"),
    (0x801c_581f, "FS_IOC_FSGETXATTR"),
    (0x401c_5820, "FS_IOC_FSSETXATTR"),
    (0xc004_5877, "FIFREEZE"),
    (0xc004_5878, "FITHAW"),
    (0xc018_5879, "FITRIM"),
    (0x8100_9431, "FS_IOC_GETFSLABEL"),
    (0x4100_9432, "FS_IOC_SETFSLABEL"),
    (0x8011_1500, "FS_IOC_GETFSUUID"),
    (0x8080_1501, "FS_IOC_GETFSSYSFSPATH"),
    // Sockets (linux/sockios.h).
    (0x8901, "FIOSETOWN"),
    (0x8902, "SIOCSPGRP"),
    (0x8903, "FIOGETOWN"),
    (0x8904, "SIOCGPGRP"),
    (0x8905, "SIOCATMARK"),
    (0x8906, "SIOCGSTAMP_OLD"),
    (0x8907, "SIOCGSTAMPNS_OLD"),
    (0x890b, "SIOCADDRT"),
    (0x890c, "SIOCDELRT"),
    (0x890d, "SIOCRTMSG"),
    (0x8910, "SIOCGIFNAME"),
    (0x8911, "SIOCSIFLINK"),
    (0x8912, "SIOCGIFCONF"),
    (0x8913, "SIOCGIFFLAGS"),
    (0x8914, "SIOCSIFFLAGS"),
    (0x8915, "SIOCGIFADDR"),
    (0x8916, "SIOCSIFADDR"),
    (0x8917, "SIOCGIFDSTADDR"),
    (0x8918, "SIOCSIFDSTADDR"),
    (0x8919, "SIOCGIFBRDADDR"),
    (0x891a, "SIOCSIFBRDADDR"),
    (0x891b, "SIOCGIFNETMASK"),
    (0x891c, "SIOCSIFNETMASK"),
    (0x891d, "SIOCGIFMETRIC"),
    (0x891e, "SIOCSIFMETRIC"),
    (0x891f, "SIOCGIFMEM"),
    (0x8920, "SIOCSIFMEM"),
    (0x8921, "SIOCGIFMTU"),
    (0x8922, "SIOCSIFMTU"),
    (0x8923, "SIOCSIFNAME"),
    (0x8924, "SIOCSIFHWADDR"),
    (0x8925, "SIOCGIFENCAP"),
    (0x8926, "SIOCSIFENCAP"),
    (0x8927, "SIOCGIFHWADDR"),
    (0x8929, "SIOCGIFSLAVE"),
    (0x8930, "SIOCSIFSLAVE"),
    (0x8931, "SIOCADDMULTI"),
    (0x8932, "SIOCDELMULTI"),
    (0x8933, "SIOCGIFINDEX"),
    (0x8934, "SIOCSIFPFLAGS"),
    (0x8935, "SIOCGIFPFLAGS"),
    (0x8936, "SIOCDIFADDR"),
    (0x8937, "SIOCSIFHWBROADCAST"),
    (0x8938, "SIOCGIFCOUNT"),
    (0x8940, "SIOCGIFBR"),
    (0x8941, "SIOCSIFBR"),
    (0x8942, "SIOCGIFTXQLEN"),
    (0x8943, "SIOCSIFTXQLEN"),
    (0x8946, "SIOCETHTOOL"),
    (0x8947, "SIOCGMIIPHY"),
    (0x8948, "SIOCGMIIREG"),
    (0x8949, "SIOCSMIIREG"),
    (0x894a, "SIOCWANDEV"),
    (0x894b, "SIOCOUTQNSD"),
    (0x894c, "SIOCGSKNS"),
    (0x8953, "SIOCDARP"),
    (0x8954, "SIOCGARP"),
    (0x8955, "SIOCSARP"),
    (0x8960, "SIOCDRARP"),
    (0x8961, "SIOCGRARP"),
    (0x8962, "SIOCSRARP"),
    (0x8970, "SIOCGIFMAP"),
    (0x8971, "SIOCSIFMAP"),
    (0x8980, "SIOCADDDLCI"),
    (0x8981, "SIOCDELDLCI"),
    (0x8982, "SIOCGIFVLAN"),
    (0x8983, "SIOCSIFVLAN"),
    (0x8990, "SIOCBONDENSLAVE"),
    (0x8991, "SIOCBONDRELEASE"),
    (0x8992, "SIOCBONDSETHWADDR"),
    (0x8993, "SIOCBONDSLAVEINFOQUERY"),
    (0x8994, "SIOCBONDINFOQUERY"),
    (0x8995, "SIOCBONDCHANGEACTIVE"),
    (0x89a0, "SIOCBRADDBR"),
    (0x89a1, "SIOCBRDELBR"),
    (0x89a2, "SIOCBRADDIF"),
    (0x89a3, "SIOCBRDELIF"),
    (0x89b0, "SIOCSHWTSTAMP"),
    (0x89b1, "SIOCGHWTSTAMP"),
];

fn exact(code: u32) -> Option<&'static str> {
    match code {
        0x89e0..=0x89ef => Some("SIOCPROTOPRIVATE"),
        0x89f0..=0x89ff => Some("SIOCDEVPRIVATE"),
        _ => super::lookup(u64::from(code), EXACT),
    }
}

fn kvm(code: u32) -> Option<&'static str> {
    Some(match (nr(code), dir(code)) {
        (0x00, NONE) => "KVM_GET_API_VERSION",
        (0x01, NONE) => "KVM_CREATE_VM",
        (0x02, RW) => "KVM_GET_MSR_INDEX_LIST",
        (0x03, NONE) => "KVM_CHECK_EXTENSION",
        (0x04, NONE) => "KVM_GET_VCPU_MMAP_SIZE",
        (0x05, RW) => "KVM_GET_SUPPORTED_CPUID",
        (0x09, RW) => "KVM_GET_EMULATED_CPUID",
        (0x0a, RW) => "KVM_GET_MSR_FEATURE_INDEX_LIST",
        (0x40, W) => "KVM_SET_MEMORY_REGION",
        (0x41, NONE) => "KVM_CREATE_VCPU",
        (0x42, W) => "KVM_GET_DIRTY_LOG",
        (0x44, NONE) => "KVM_SET_NR_MMU_PAGES",
        (0x45, NONE) => "KVM_GET_NR_MMU_PAGES",
        (0x46, W) => "KVM_SET_USER_MEMORY_REGION",
        (0x47, NONE) => "KVM_SET_TSS_ADDR",
        (0x48, W) => "KVM_SET_IDENTITY_MAP_ADDR",
        (0x49, W) => "KVM_SET_USER_MEMORY_REGION2",
        (0x60, NONE) => "KVM_CREATE_IRQCHIP",
        (0x61, W) => "KVM_IRQ_LINE",
        (0x62, RW) => "KVM_GET_IRQCHIP",
        (0x63, R) => "KVM_SET_IRQCHIP",
        (0x64, NONE) => "KVM_CREATE_PIT",
        (0x65, RW) => "KVM_GET_PIT",
        (0x66, R) => "KVM_SET_PIT",
        (0x67, RW) => "KVM_IRQ_LINE_STATUS",
        (0x67, W) => "KVM_REGISTER_COALESCED_MMIO",
        (0x68, W) => "KVM_UNREGISTER_COALESCED_MMIO",
        (0x6a, W) => "KVM_SET_GSI_ROUTING",
        (0x76, W) => "KVM_IRQFD",
        (0x77, W) => "KVM_CREATE_PIT2",
        (0x78, NONE) => "KVM_SET_BOOT_CPU_ID",
        (0x79, W) => "KVM_IOEVENTFD",
        (0x7a, W) => "KVM_XEN_HVM_CONFIG",
        (0x7b, W) => "KVM_SET_CLOCK",
        (0x7c, R) => "KVM_GET_CLOCK",
        (0x80, NONE) => "KVM_RUN",
        (0x81, R) => "KVM_GET_REGS",
        (0x82, W) => "KVM_SET_REGS",
        (0x83, R) => "KVM_GET_SREGS",
        (0x84, W) => "KVM_SET_SREGS",
        (0x85, RW) => "KVM_TRANSLATE",
        (0x86, W) => "KVM_INTERRUPT",
        (0x88, RW) => "KVM_GET_MSRS",
        (0x89, W) => "KVM_SET_MSRS",
        (0x8a, W) => "KVM_SET_CPUID",
        (0x8b, W) => "KVM_SET_SIGNAL_MASK",
        (0x8c, R) => "KVM_GET_FPU",
        (0x8d, W) => "KVM_SET_FPU",
        (0x8e, R) => "KVM_GET_LAPIC",
        (0x8f, W) => "KVM_SET_LAPIC",
        (0x90, W) => "KVM_SET_CPUID2",
        (0x91, RW) => "KVM_GET_CPUID2",
        (0x92, RW) => "KVM_TPR_ACCESS_REPORTING",
        (0x93, W) => "KVM_SET_VAPIC_ADDR",
        (0x98, R) => "KVM_GET_MP_STATE",
        (0x99, W) => "KVM_SET_MP_STATE",
        (0x9a, NONE) => "KVM_NMI",
        (0x9b, W) => "KVM_SET_GUEST_DEBUG",
        (0x9c, W) => "KVM_X86_SETUP_MCE",
        (0x9d, R) => "KVM_X86_GET_MCE_CAP_SUPPORTED",
        (0x9e, W) => "KVM_X86_SET_MCE",
        (0x9f, R) => "KVM_GET_VCPU_EVENTS",
        (0xa0, W) => "KVM_SET_VCPU_EVENTS",
        (0xa1, R) => "KVM_GET_DEBUGREGS",
        (0xa2, W) => "KVM_SET_DEBUGREGS",
        (0xa2, NONE) => "KVM_SET_TSC_KHZ",
        (0xa3, NONE) => "KVM_GET_TSC_KHZ",
        (0xa3, W) => "KVM_ENABLE_CAP",
        (0xa4, R) => "KVM_GET_XSAVE",
        (0xa5, W) if size(code) < 0x100 => "KVM_SIGNAL_MSI",
        (0xa5, W) => "KVM_SET_XSAVE",
        (0xa6, R) => "KVM_GET_XCRS",
        (0xa7, W) => "KVM_SET_XCRS",
        (0xab, W) => "KVM_GET_ONE_REG",
        (0xac, W) => "KVM_SET_ONE_REG",
        (0xad, NONE) => "KVM_KVMCLOCK_CTRL",
        (0xb0, RW) => "KVM_GET_REG_LIST",
        (0xb2, W) => "KVM_SET_PMU_EVENT_FILTER",
        (0xba, RW) => "KVM_MEMORY_ENCRYPT_OP",
        (0xc1, RW) => "KVM_GET_SUPPORTED_HV_CPUID",
        (0xc6, W) => "KVM_X86_SET_MSR_FILTER",
        (0xce, NONE) => "KVM_GET_STATS_FD",
        (0xcf, R) => "KVM_GET_XSAVE2",
        (0xd4, RW) => "KVM_CREATE_GUEST_MEMFD",
        (0xd5, W) => "KVM_PRE_FAULT_MEMORY",
        (0xe0, RW) => "KVM_CREATE_DEVICE",
        (0xe1, W) => "KVM_SET_DEVICE_ATTR",
        (0xe2, W) => "KVM_GET_DEVICE_ATTR",
        (0xe3, W) => "KVM_HAS_DEVICE_ATTR",
        _ => return None,
    })
}

fn perf(code: u32) -> Option<&'static str> {
    Some(match nr(code) {
        0x00 => "PERF_EVENT_IOC_ENABLE",
        0x01 => "PERF_EVENT_IOC_DISABLE",
        0x02 => "PERF_EVENT_IOC_REFRESH",
        0x03 => "PERF_EVENT_IOC_RESET",
        0x04 => "PERF_EVENT_IOC_PERIOD",
        0x05 => "PERF_EVENT_IOC_SET_OUTPUT",
        0x06 => "PERF_EVENT_IOC_SET_FILTER",
        0x07 => "PERF_EVENT_IOC_ID",
        0x08 => "PERF_EVENT_IOC_SET_BPF",
        0x09 => "PERF_EVENT_IOC_PAUSE_OUTPUT",
        0x0a => "PERF_EVENT_IOC_QUERY_BPF",
        0x0b => "PERF_EVENT_IOC_MODIFY_ATTRIBUTES",
        _ => return None,
    })
}

fn userfaultfd(code: u32) -> Option<&'static str> {
    Some(match nr(code) {
        0x3f => "UFFDIO_API",
        0x00 => "UFFDIO_REGISTER",
        0x01 => "UFFDIO_UNREGISTER",
        0x02 => "UFFDIO_WAKE",
        0x03 => "UFFDIO_COPY",
        0x04 => "UFFDIO_ZEROPAGE",
        0x05 => "UFFDIO_MOVE",
        0x06 => "UFFDIO_WRITEPROTECT",
        0x07 => "UFFDIO_CONTINUE",
        0x08 => "UFFDIO_POISON",
        _ => return None,
    })
}

fn seccomp(code: u32) -> Option<&'static str> {
    Some(match nr(code) {
        0x00 => "SECCOMP_IOCTL_NOTIF_RECV",
        0x01 => "SECCOMP_IOCTL_NOTIF_SEND",
        0x02 => "SECCOMP_IOCTL_NOTIF_ID_VALID",
        0x03 => "SECCOMP_IOCTL_NOTIF_ADDFD",
        0x04 => "SECCOMP_IOCTL_NOTIF_SET_FLAGS",
        _ => return None,
    })
}

fn nsfs(code: u32) -> Option<&'static str> {
    Some(match nr(code) {
        0x01 => "NS_GET_USERNS",
        0x02 => "NS_GET_PARENT",
        0x03 => "NS_GET_NSTYPE",
        0x04 => "NS_GET_OWNER_UID",
        0x05 => "NS_GET_MNTNS_ID",
        0x06 => "NS_GET_PID_FROM_PIDNS",
        0x07 => "NS_GET_TGID_FROM_PIDNS",
        0x08 => "NS_GET_PID_IN_PIDNS",
        0x09 => "NS_GET_TGID_IN_PIDNS",
        _ => return None,
    })
}

fn block(code: u32) -> Option<&'static str> {
    Some(match nr(code) {
        93 => "BLKROSET",
        94 => "BLKROGET",
        95 => "BLKRRPART",
        96 => "BLKGETSIZE",
        97 => "BLKFLSBUF",
        98 => "BLKRASET",
        99 => "BLKRAGET",
        100 => "BLKFRASET",
        101 => "BLKFRAGET",
        102 => "BLKSECTSET",
        103 => "BLKSECTGET",
        104 => "BLKSSZGET",
        112 => "BLKBSZGET",
        113 => "BLKBSZSET",
        114 => "BLKGETSIZE64",
        115 => "BLKTRACESETUP",
        116 => "BLKTRACESTART",
        117 => "BLKTRACESTOP",
        118 => "BLKTRACETEARDOWN",
        119 => "BLKDISCARD",
        120 => "BLKIOMIN",
        121 => "BLKIOOPT",
        122 => "BLKALIGNOFF",
        123 => "BLKPBSZGET",
        124 => "BLKDISCARDZEROES",
        125 => "BLKSECDISCARD",
        126 => "BLKROTATIONAL",
        127 => "BLKZEROOUT",
        128 => "BLKGETDISKSEQ",
        _ => return None,
    })
}

fn loop_dev(code: u32) -> Option<&'static str> {
    if dir(code) != NONE {
        return None;
    }
    Some(match nr(code) {
        0x00 => "LOOP_SET_FD",
        0x01 => "LOOP_CLR_FD",
        0x02 => "LOOP_SET_STATUS",
        0x03 => "LOOP_GET_STATUS",
        0x04 => "LOOP_SET_STATUS64",
        0x05 => "LOOP_GET_STATUS64",
        0x06 => "LOOP_CHANGE_FD",
        0x07 => "LOOP_SET_CAPACITY",
        0x08 => "LOOP_SET_DIRECT_IO",
        0x09 => "LOOP_SET_BLOCK_SIZE",
        0x0a => "LOOP_CONFIGURE",
        0x80 => "LOOP_CTL_ADD",
        0x81 => "LOOP_CTL_REMOVE",
        0x82 => "LOOP_CTL_GET_FREE",
        _ => return None,
    })
}

/// Names the requests of one family from their code.
type FamilyNames = fn(u32) -> Option<&'static str>;

/// The families told apart by their type byte, and their names by number.
const FAMILIES: &[(u32, FamilyNames)] = &[
    (0xae, kvm),
    (0x24, perf),
    (0xaa, userfaultfd),
    (0x21, seccomp),
    (0xb7, nsfs),
    (0x12, block),
    (0x4c, loop_dev),
];

/// x86_64 codes of family requests that carry a struct size, for the
/// names strace prints (the size is part of the code).
pub const SIZED: &[(u64, &str)] = &[
    (0x4020_ae46, "KVM_SET_USER_MEMORY_REGION"),
    (0x8090_ae81, "KVM_GET_REGS"),
    (0x4090_ae82, "KVM_SET_REGS"),
    (0x8138_ae83, "KVM_GET_SREGS"),
    (0x4138_ae84, "KVM_SET_SREGS"),
    (0xc008_ae05, "KVM_GET_SUPPORTED_CPUID"),
    (0x4008_ae90, "KVM_SET_CPUID2"),
    (0x4008_ae89, "KVM_SET_MSRS"),
    (0xc008_ae88, "KVM_GET_MSRS"),
    (0x4068_aea3, "KVM_ENABLE_CAP"),
    (0x8008_1270, "BLKBSZGET"),
    (0x4008_1271, "BLKBSZSET"),
    (0x8008_1272, "BLKGETSIZE64"),
    (0x8008_1280, "BLKGETDISKSEQ"),
    (0x8008_2407, "PERF_EVENT_IOC_ID"),
    (0x4008_2404, "PERF_EVENT_IOC_PERIOD"),
    (0x4008_2406, "PERF_EVENT_IOC_SET_FILTER"),
    (0x4004_2408, "PERF_EVENT_IOC_SET_BPF"),
    (0xc018_aa3f, "UFFDIO_API"),
    (0xc020_aa00, "UFFDIO_REGISTER"),
    (0x8010_aa01, "UFFDIO_UNREGISTER"),
    (0x8010_aa02, "UFFDIO_WAKE"),
    (0xc028_aa03, "UFFDIO_COPY"),
    (0xc050_2100, "SECCOMP_IOCTL_NOTIF_RECV"),
    (0xc018_2101, "SECCOMP_IOCTL_NOTIF_SEND"),
    (0x4008_2102, "SECCOMP_IOCTL_NOTIF_ID_VALID"),
    (0x4018_2103, "SECCOMP_IOCTL_NOTIF_ADDFD"),
    (0x4008_2104, "SECCOMP_IOCTL_NOTIF_SET_FLAGS"),
    (0x8008_b705, "NS_GET_MNTNS_ID"),
];

/// The request code of a name, as strace prints it: exact codes, then the
/// sized family codes, then family requests without a size (`_IO`).
pub fn ioctl_value(name: &str) -> Option<u64> {
    if let Some(v) = super::value_of(name, &[EXACT, SIZED]) {
        return Some(v);
    }
    FAMILIES.iter().find_map(|&(ty, names)| {
        (0..=0xff)
            .map(|nr| (ty << 8) | nr)
            .find(|&code| names(code) == Some(name))
            .map(u64::from)
    })
}

/// Whether a successful ioctl with this request returns a new fd
/// (KVM_CREATE_VM, KVM_CREATE_VCPU, ...).
pub fn ioctl_returns_fd(request: u64) -> bool {
    matches!(
        ioctl_name(request),
        Some(
            "KVM_CREATE_VM"
                | "KVM_CREATE_VCPU"
                | "KVM_GET_STATS_FD"
                | "KVM_CREATE_GUEST_MEMFD"
                | "NS_GET_USERNS"
                | "NS_GET_PARENT"
                | "TIOCGPTPEER"
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_and_file_ioctls() {
        assert_eq!(ioctl_name(0x5401), Some("TCGETS"));
        assert_eq!(ioctl_name(0x5413), Some("TIOCGWINSZ"));
        assert_eq!(ioctl_name(0x541b), Some("FIONREAD"));
        assert_eq!(ioctl_name(0x5421), Some("FIONBIO"));
        assert_eq!(ioctl_name(0x5451), Some("FIOCLEX"));
        assert_eq!(ioctl_name(0x8913), Some("SIOCGIFFLAGS"));
        assert_eq!(ioctl_name(0x80081272), Some("BLKGETSIZE64"));
        assert_eq!(ioctl_name(0x4c82), Some("LOOP_CTL_GET_FREE"));
    }

    #[test]
    fn kvm_ioctls_match_the_uapi_codes() {
        assert_eq!(ioctl_name(0xae00), Some("KVM_GET_API_VERSION"));
        assert_eq!(ioctl_name(0xae01), Some("KVM_CREATE_VM"));
        assert_eq!(ioctl_name(0xae03), Some("KVM_CHECK_EXTENSION"));
        assert_eq!(ioctl_name(0xae41), Some("KVM_CREATE_VCPU"));
        assert_eq!(ioctl_name(0x4020ae46), Some("KVM_SET_USER_MEMORY_REGION"));
        assert_eq!(ioctl_name(0xae80), Some("KVM_RUN"));
        assert_eq!(ioctl_name(0x8090ae81), Some("KVM_GET_REGS"));
        assert_eq!(ioctl_name(0x4138ae84), Some("KVM_SET_SREGS"));
        assert_eq!(ioctl_name(0xc008ae05), Some("KVM_GET_SUPPORTED_CPUID"));
        // Same number, told apart by direction or size.
        assert_eq!(ioctl_name(0xc008ae67), Some("KVM_IRQ_LINE_STATUS"));
        assert_eq!(ioctl_name(0x4010ae67), Some("KVM_REGISTER_COALESCED_MMIO"));
        assert_eq!(ioctl_name(0x4020aea5), Some("KVM_SIGNAL_MSI"));
        assert_eq!(ioctl_name(0x5000aea5), Some("KVM_SET_XSAVE"));
        assert_eq!(ioctl_name(0xaea2), Some("KVM_SET_TSC_KHZ"));
        assert!(ioctl_returns_fd(0xae01) && ioctl_returns_fd(0xae41));
        assert!(!ioctl_returns_fd(0xae80));
    }

    #[test]
    fn other_families() {
        assert_eq!(ioctl_name(0x2400), Some("PERF_EVENT_IOC_ENABLE"));
        assert_eq!(ioctl_name(0xc018aa3f), Some("UFFDIO_API"));
        assert_eq!(ioctl_name(0xc0502100), Some("SECCOMP_IOCTL_NOTIF_RECV"));
        assert_eq!(ioctl_name(0xb701), Some("NS_GET_USERNS"));
        assert_eq!(ioctl_name(0x400454ca), Some("TUNSETIFF"));
        assert_eq!(ioctl_name(0x1234_5678), None);
        // Only the low 32 bits are the request (the kernel takes an unsigned int).
        assert_eq!(ioctl_name(0xffff_ffff_0000_5401), Some("TCGETS"));
    }

    #[test]
    fn names_map_back_to_their_codes() {
        for &(code, name) in EXACT.iter().chain(SIZED) {
            assert_eq!(ioctl_name(code), Some(name), "{code:#x}");
            assert_eq!(ioctl_value(name), Some(code), "{name}");
        }
        assert_eq!(ioctl_value("KVM_RUN"), Some(0xae80));
        assert_eq!(ioctl_value("KVM_CREATE_VM"), Some(0xae01));
        assert_eq!(ioctl_value("BLKSSZGET"), Some(0x1268));
        assert_eq!(ioctl_value("LOOP_CTL_GET_FREE"), Some(0x4c82));
        assert_eq!(ioctl_value("TIOCINQ"), Some(0x541b));
        assert_eq!(ioctl_value("NO_SUCH_IOCTL"), None);
    }
}
