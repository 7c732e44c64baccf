//! Syscall ABIs of x86_64 Linux and their name/number tables.
//!
//! A 64-bit x86 kernel serves three ABIs: native x86_64, i386 (through
//! `int 0x80`/`sysenter`, or a 32-bit process) and x32 (x86_64 numbers with
//! bit 30 set, a handful of entries of its own). Seccomp filters tell them
//! apart by `AUDIT_ARCH_*` and the x32 bit, so every stage keys syscalls by ABI.
//!
//! The tables are copied from the `hrw/syscalls-table` project (MIT, see
//! `data/syscalls/LICENSE`), up to Linux 7.2-rc1, plus the numbers the
//! kernel's `syscall_64.tbl`/`syscall_32.tbl` reserve that hrw lists without
//! a number (`data/syscalls/reserved-*`: `uselib`, `tuxcall`, `vserver`, ...),
//! so that a filter that treats them apart is decoded by name.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

/// `AUDIT_ARCH_X86_64`: EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE.
pub const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
/// `AUDIT_ARCH_I386`: EM_386 | __AUDIT_ARCH_LE.
pub const AUDIT_ARCH_I386: u32 = 0x4000_0003;
/// `AUDIT_ARCH_AARCH64`, only to name it in errors and profiles.
pub const AUDIT_ARCH_AARCH64: u32 = 0xc000_00b7;
/// `__X32_SYSCALL_BIT`: x32 syscall numbers are x86_64 numbers with this bit.
pub const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// One syscall ABI of an x86_64 kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Abi {
    #[serde(rename = "x86_64")]
    X86_64,
    #[serde(rename = "i386")]
    I386,
    #[serde(rename = "x32")]
    X32,
}

impl Abi {
    pub const ALL: [Abi; 3] = [Abi::X86_64, Abi::I386, Abi::X32];

    pub fn name(self) -> &'static str {
        match self {
            Abi::X86_64 => "x86_64",
            Abi::I386 => "i386",
            Abi::X32 => "x32",
        }
    }

    /// The `AUDIT_ARCH_*` value seccomp sees in `seccomp_data.arch`.
    pub fn audit_arch(self) -> u32 {
        match self {
            Abi::X86_64 | Abi::X32 => AUDIT_ARCH_X86_64,
            Abi::I386 => AUDIT_ARCH_I386,
        }
    }

    /// The ABI of a syscall given the audit arch and the raw number the
    /// kernel reports (x32 numbers carry [`X32_SYSCALL_BIT`]).
    pub fn from_audit(arch: u32, raw_nr: u64) -> Option<Abi> {
        match arch {
            AUDIT_ARCH_X86_64 if raw_nr & X32_SYSCALL_BIT as u64 != 0 => Some(Abi::X32),
            AUDIT_ARCH_X86_64 => Some(Abi::X86_64),
            AUDIT_ARCH_I386 => Some(Abi::I386),
            _ => None,
        }
    }

    /// The name/number table of this ABI.
    pub fn table(self) -> &'static SyscallTable {
        static TABLES: OnceLock<[SyscallTable; 3]> = OnceLock::new();
        let tables = TABLES.get_or_init(|| {
            let x86_64 = SyscallTable::parse(
                Abi::X86_64,
                include_str!("../../../data/syscalls/syscalls-x86_64"),
                include_str!("../../../data/syscalls/reserved-x86_64"),
            );
            let i386 = SyscallTable::parse(
                Abi::I386,
                include_str!("../../../data/syscalls/syscalls-i386"),
                include_str!("../../../data/syscalls/reserved-i386"),
            );
            let x32 = SyscallTable::x32_from(&x86_64);
            [x86_64, i386, x32]
        });
        &tables[self as usize]
    }
}

impl fmt::Display for Abi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Abi {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "x86_64" | "amd64" | "x86-64" | "scmp_arch_x86_64" => Ok(Abi::X86_64),
            "i386" | "x86" | "i686" | "scmp_arch_x86" => Ok(Abi::I386),
            "x32" | "scmp_arch_x32" => Ok(Abi::X32),
            other => Err(format!(
                "unknown ABI '{other}' (expected x86_64, i386 or x32)"
            )),
        }
    }
}

/// The syscalls of one ABI, by name and by number.
#[derive(Debug, Clone)]
pub struct SyscallTable {
    abi: Abi,
    by_name: BTreeMap<&'static str, u32>,
    by_number: BTreeMap<u32, &'static str>,
}

/// x86_64 entries that x32 does not get (marked `64` in `syscall_64.tbl`;
/// getpmsg, putpmsg, afs_syscall, tuxcall and security are `common`).
/// x32 reaches these through its own numbers in [`X32_OWN`] instead.
const X86_64_ONLY: &[&str] = &[
    "rt_sigaction",
    "rt_sigreturn",
    "ioctl",
    "readv",
    "writev",
    "recvfrom",
    "sendmsg",
    "recvmsg",
    "execve",
    "ptrace",
    "rt_sigpending",
    "rt_sigtimedwait",
    "rt_sigqueueinfo",
    "sigaltstack",
    "timer_create",
    "mq_notify",
    "kexec_load",
    "waitid",
    "set_robust_list",
    "get_robust_list",
    "vmsplice",
    "move_pages",
    "preadv",
    "pwritev",
    "rt_tgsigqueueinfo",
    "recvmmsg",
    "sendmmsg",
    "process_vm_readv",
    "process_vm_writev",
    "setsockopt",
    "getsockopt",
    "io_setup",
    "io_submit",
    "execveat",
    "preadv2",
    "pwritev2",
    "uselib",
    "_sysctl",
    "create_module",
    "get_kernel_syms",
    "query_module",
    "nfsservctl",
    "set_thread_area",
    "get_thread_area",
    "epoll_ctl_old",
    "epoll_wait_old",
    "vserver",
];

/// x32's own entries, numbers 512..=547 of `syscall_64.tbl` (before the x32 bit).
const X32_OWN: &[(&str, u32)] = &[
    ("rt_sigaction", 512),
    ("rt_sigreturn", 513),
    ("ioctl", 514),
    ("readv", 515),
    ("writev", 516),
    ("recvfrom", 517),
    ("sendmsg", 518),
    ("recvmsg", 519),
    ("execve", 520),
    ("ptrace", 521),
    ("rt_sigpending", 522),
    ("rt_sigtimedwait", 523),
    ("rt_sigqueueinfo", 524),
    ("sigaltstack", 525),
    ("timer_create", 526),
    ("mq_notify", 527),
    ("kexec_load", 528),
    ("waitid", 529),
    ("set_robust_list", 530),
    ("get_robust_list", 531),
    ("vmsplice", 532),
    ("move_pages", 533),
    ("preadv", 534),
    ("pwritev", 535),
    ("rt_tgsigqueueinfo", 536),
    ("recvmmsg", 537),
    ("sendmmsg", 538),
    ("process_vm_readv", 539),
    ("process_vm_writev", 540),
    ("setsockopt", 541),
    ("getsockopt", 542),
    ("io_setup", 543),
    ("io_submit", 544),
    ("execveat", 545),
    ("preadv2", 546),
    ("pwritev2", 547),
];

impl SyscallTable {
    /// The table `text` (`name<TAB>number`) completed by `reserved`, whose
    /// entries only fill in names and numbers `text` lacks.
    fn parse(abi: Abi, text: &'static str, reserved: &'static str) -> SyscallTable {
        let mut by_name = BTreeMap::new();
        let mut by_number = BTreeMap::new();
        for (line, is_reserved) in text
            .lines()
            .map(|l| (l, false))
            .chain(reserved.lines().map(|l| (l, true)))
        {
            let mut cols = line.split('\t');
            let (Some(name), Some(nr)) = (cols.next(), cols.next()) else {
                continue;
            };
            let Ok(nr) = nr.trim().parse::<u32>() else {
                continue;
            };
            let name = name.trim();
            if is_reserved && (by_name.contains_key(name) || by_number.contains_key(&nr)) {
                continue;
            }
            by_name.insert(name, nr);
            by_number.entry(nr).or_insert(name);
        }
        SyscallTable {
            abi,
            by_name,
            by_number,
        }
    }

    fn x32_from(x86_64: &SyscallTable) -> SyscallTable {
        let mut by_name = BTreeMap::new();
        let mut by_number = BTreeMap::new();
        for (&name, &nr) in &x86_64.by_name {
            if !X86_64_ONLY.contains(&name) {
                by_name.insert(name, nr | X32_SYSCALL_BIT);
                by_number.insert(nr | X32_SYSCALL_BIT, name);
            }
        }
        for &(name, nr) in X32_OWN {
            by_name.insert(name, nr | X32_SYSCALL_BIT);
            by_number.insert(nr | X32_SYSCALL_BIT, name);
        }
        SyscallTable {
            abi: Abi::X32,
            by_name,
            by_number,
        }
    }

    pub fn abi(&self) -> Abi {
        self.abi
    }

    /// The number of a syscall on this ABI (x32 numbers include the x32 bit).
    pub fn number(&self, name: &str) -> Option<u32> {
        self.by_name.get(name).copied()
    }

    /// The name of a syscall number on this ABI.
    pub fn name(&self, number: u32) -> Option<&'static str> {
        self.by_number.get(&number).copied()
    }

    /// Every (name, number) pair, ordered by name.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, u32)> + '_ {
        self.by_name.iter().map(|(n, nr)| (*n, *nr))
    }

    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// The highest syscall number (x32: including the x32 bit).
    pub fn max_number(&self) -> u32 {
        self.by_number.keys().next_back().copied().unwrap_or(0)
    }
}

/// The name for a syscall number, or `syscall_N` when the table has none.
pub fn syscall_name(abi: Abi, number: u32) -> String {
    abi.table()
        .name(number)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("syscall_{number}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x86_64_table_has_known_numbers() {
        let t = Abi::X86_64.table();
        assert_eq!(t.number("read"), Some(0));
        assert_eq!(t.number("openat"), Some(257));
        assert_eq!(t.number("clone3"), Some(435));
        assert_eq!(t.name(59), Some("execve"));
        assert!(t.len() > 360, "x86_64 table has {} entries", t.len());
    }

    #[test]
    fn i386_table_differs_from_x86_64() {
        let t = Abi::I386.table();
        assert_eq!(t.number("read"), Some(3));
        assert_eq!(t.number("socketcall"), Some(102));
        assert_eq!(Abi::X86_64.table().number("socketcall"), None);
    }

    #[test]
    fn x32_uses_its_own_numbers_for_compat_entries() {
        let t = Abi::X32.table();
        assert_eq!(t.number("read"), Some(X32_SYSCALL_BIT));
        assert_eq!(t.number("ioctl"), Some(514 | X32_SYSCALL_BIT));
        assert_eq!(
            t.name(16 | X32_SYSCALL_BIT),
            None,
            "x86_64 ioctl slot is not x32's"
        );
    }

    #[test]
    fn abi_from_audit_arch() {
        assert_eq!(Abi::from_audit(AUDIT_ARCH_X86_64, 0), Some(Abi::X86_64));
        assert_eq!(
            Abi::from_audit(AUDIT_ARCH_X86_64, (X32_SYSCALL_BIT | 1) as u64),
            Some(Abi::X32)
        );
        assert_eq!(Abi::from_audit(AUDIT_ARCH_I386, 3), Some(Abi::I386));
        assert_eq!(Abi::from_audit(AUDIT_ARCH_AARCH64, 3), None);
    }
}
