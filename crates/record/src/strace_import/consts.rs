//! Symbolic constants strace prints, mapped back to the numbers the kernel
//! (and a seccomp filter) sees: clone flags, socket families/types/protocols,
//! ioctl requests, fcntl commands, prctl options, socket options, mmap
//! protections, personalities, mount flags and errno names.
//!
//! The values are the footprint's own tables ([`aprof_footprint::names`]),
//! the ones the recorder names values with: an argument with a name outside
//! them is left out of the footprint and counted as undecoded.

use aprof_footprint::names;

pub use crate::vocabulary::Kind;

const PROT_NONE: &[(u64, &str)] = &[(0, "PROT_NONE")];
const CLONE_NEWTIME: &[(u64, &str)] = &[(names::CLONE_NEWTIME, "CLONE_NEWTIME")];

/// Parsing strace's spelling of a kept value back to the number.
pub trait Parse: Copy {
    fn tables(self) -> &'static [&'static [(u64, &'static str)]];
    fn value_of(self, name: &str) -> Option<u64>;
    fn evaluate(self, text: &str) -> Option<u64>;
}

impl Parse for Kind {
    /// The footprint's tables this kind's names come from (ioctl requests
    /// have their own lookup).
    fn tables(self) -> &'static [&'static [(u64, &'static str)]] {
        match self {
            Kind::CloneFlags | Kind::Clone3Flags | Kind::NamespaceFlags => {
                &[names::CLONE_FLAGS, CLONE_NEWTIME, names::SIGNALS]
            }
            Kind::SocketFamily => &[names::SOCKET_FAMILIES],
            Kind::SocketType => &[names::SOCKET_TYPES, names::SOCKET_TYPE_FLAGS],
            Kind::SocketProtocol => &[names::IP_PROTOCOLS, names::NETLINK_PROTOCOLS],
            Kind::IoctlRequest => &[],
            Kind::FcntlCommand => &[names::FCNTL_COMMANDS, names::FCNTL_I386_COMMANDS],
            Kind::PrctlOption => &[names::PRCTL_OPTIONS],
            Kind::ArchPrctlCode => &[names::ARCH_PRCTL_CODES],
            Kind::SocketLevel => &[names::SOCKOPT_LEVELS],
            Kind::SocketOption => &[
                names::SOL_SOCKET_OPTIONS,
                names::IP_OPTIONS,
                names::TCP_OPTIONS,
                names::IPV6_OPTIONS,
                names::UDP_OPTIONS,
                names::NETLINK_OPTIONS,
                names::PACKET_OPTIONS,
            ],
            Kind::Protection => &[PROT_NONE, names::PROT_FLAGS],
            Kind::Personality => &[names::PERSONALITY_BASES, names::PERSONALITY_FLAGS],
            Kind::MountFlags => &[names::MOUNT_FLAGS],
            Kind::MmapFlags => &[names::MAP_TYPES, names::MAP_FLAGS],
            Kind::UmountFlags => &[names::UMOUNT_FLAGS],
            Kind::BpfCommand => &[names::BPF_COMMANDS],
            Kind::SeccompOperation => &[names::SECCOMP_OPERATIONS],
            Kind::SeccompFilterFlags => &[names::SECCOMP_FILTER_FLAGS],
            Kind::WaitidIdtype => &[names::WAITID_IDTYPES],
            // strace shows socketcall sub-calls under their own names, and
            // strings are keyed, not looked up.
            Kind::SocketcallCall | Kind::FsName => &[],
        }
    }

    /// The value of one symbolic term of this kind.
    fn value_of(self, name: &str) -> Option<u64> {
        if self == Kind::IoctlRequest {
            return names::ioctl::ioctl_value(name);
        }
        names::value_of(name, self.tables())
    }

    /// The value of an argument as strace prints it: `A|B|0x10`, a number,
    /// `_IOC(...)` for ioctls, `SOL_A or SOL_B` alternatives; `/* ... */`
    /// comments are ignored. `None` when a term is not known.
    fn evaluate(self, text: &str) -> Option<u64> {
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
pub use aprof_footprint::names::errno_value;

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
