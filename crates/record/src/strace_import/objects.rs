//! The kernel object behind an fd, as far as strace's `-y`/`-yy` decoration
//! tells it.
//!
//! What a decoration does and does not say, and what this module infers:
//! - `pipe:[N]` is a pipe; `anon_inode:[eventfd]` an anonymous inode (the
//!   name is kept without brackets: `eventfd`, `eventpoll`, `inotify`...).
//! - `socket:[N]` (plain `-y`) is a socket of unknown family. The importer
//!   learns the family, type and protocol of inode N from the `socket()`,
//!   `socketpair()` or `accept()` call that made it when the trace has it.
//!   `-yy` names the protocol itself (`TCP:[...]`, `UDPv6:[...]`,
//!   `UNIX-STREAM:[...]`, `NETLINK:[ROUTE:...]`).
//! - `/path<char 1:3>` (`-yy`) is a character device, `<block M:m>` a block
//!   device. Under plain `-y` a few device paths are recognised by their
//!   fixed numbers (Documentation/admin-guide/devices.txt): /dev/null,
//!   /dev/zero, /dev/full, /dev/random, /dev/urandom, /dev/tty,
//!   /dev/console, /dev/ptmx, /dev/kvm, /dev/net/tun, /dev/fuse, /dev/pts/N.
//! - Any other path is a regular file. strace never says the filesystem, so
//!   the type is inferred from where the path lives only when that is fixed
//!   by convention: /proc -> `proc`, /sys -> `sysfs` (with /sys/fs/cgroup ->
//!   `cgroup`, /sys/kernel/tracing -> `tracefs`, /sys/kernel/debug ->
//!   `debugfs`, /sys/fs/bpf -> `bpf`), /dev/shm -> `tmpfs`, /dev/mqueue ->
//!   `mqueue`, other /dev -> `devtmpfs`; everywhere else `unknown`.
//! - A decoration does not say whether a path is a directory. The importer
//!   calls a path a directory only when the trace shows it: the `AT_FDCWD`
//!   decoration (the working directory), an open with `O_DIRECTORY`,
//!   `getdents`/`fchdir` on it, or an fstat of it with `S_IFDIR`.
//! - `/memfd:NAME (deleted)` is a memfd: a file on tmpfs (shmem).
//! - Namespace fds (`net:[4026531840]`) are files of fstype `nsfs`.

use super::consts::{Kind, Parse};
use aprof_footprint::{names, ObjectClass};
use std::collections::{HashMap, HashSet};

/// A socket's family, type and protocol names, each `unknown` when unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketKind {
    pub family: String,
    pub socket_type: String,
    pub protocol: String,
}

impl SocketKind {
    fn new(family: &str, socket_type: &str, protocol: &str) -> SocketKind {
        SocketKind {
            family: family.to_owned(),
            socket_type: socket_type.to_owned(),
            protocol: protocol.to_owned(),
        }
    }

    /// From the decoded arguments of `socket(family, type, protocol)`,
    /// named as the recorder names the socket it made (the default
    /// protocol of an AF_INET stream is TCP, AF_UNIX has protocol `0`).
    pub fn from_socket_args(family: &str, type_text: &str, protocol: &str) -> SocketKind {
        let family_value = Kind::SocketFamily.evaluate(family);
        let type_value = Kind::SocketType.evaluate(type_text);
        let protocol_value = Kind::SocketProtocol.evaluate(protocol);
        let (Some(f), Some(t)) = (family_value, type_value) else {
            return SocketKind::unknown();
        };
        if let Some(ObjectClass::Socket {
            family,
            socket_type,
            protocol,
        }) = protocol_value.and_then(|p| names::known_socket_class(f, t, p))
        {
            return SocketKind {
                family,
                socket_type,
                protocol,
            };
        }
        SocketKind {
            family: names::family_name(f),
            socket_type: names::socket_type_base(t),
            protocol: protocol_value.map_or_else(
                || "unknown".to_owned(),
                |p| names::object_protocol_name(f, p),
            ),
        }
    }

    fn unknown() -> SocketKind {
        SocketKind::new("unknown", "unknown", "unknown")
    }

    /// Fill what `self` does not know from `other`.
    fn completed_by(mut self, other: Option<&SocketKind>) -> SocketKind {
        if let Some(o) = other {
            for (mine, theirs) in [
                (&mut self.family, &o.family),
                (&mut self.socket_type, &o.socket_type),
                (&mut self.protocol, &o.protocol),
            ] {
                if mine == "unknown" {
                    mine.clone_from(theirs);
                }
            }
        }
        self
    }

    pub fn into_class(self) -> ObjectClass {
        ObjectClass::Socket {
            family: self.family,
            socket_type: self.socket_type,
            protocol: self.protocol,
        }
    }
}

/// What the whole trace taught about objects before counting starts.
#[derive(Debug, Default)]
pub struct ObjectKnowledge {
    /// Paths the trace shows to be directories.
    pub directories: HashSet<String>,
    /// Socket inodes and what made them.
    pub sockets: HashMap<u64, SocketKind>,
}

/// The inode of `socket:[N]`, `TCP:[N]`, `UNIX-STREAM:[N->M]` (first number).
pub fn socket_inode(decoration: &str) -> Option<u64> {
    let (_, rest) = decoration.split_once(":[")?;
    let digits_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    if digits_end == 0 || !matches!(rest[digits_end..].chars().next(), Some(']' | '-' | ',')) {
        return None;
    }
    rest[..digits_end].parse().ok()
}

/// The path of a file decoration (`/a/b`, `/dev/null<char 1:3>`, `/x (deleted)`).
pub fn decoration_path(decoration: &str) -> Option<&str> {
    if !decoration.starts_with('/') {
        return None;
    }
    let path = match decoration.find('<') {
        Some(i) => &decoration[..i],
        None => decoration,
    };
    Some(path.strip_suffix(" (deleted)").unwrap_or(path))
}

impl ObjectKnowledge {
    /// The class of the object a decoration names.
    pub fn classify(&self, decoration: &str) -> ObjectClass {
        if let Some(path) = decoration_path(decoration) {
            return self.classify_path(path, &decoration[path.len()..]);
        }
        if let Some(name) = decoration.strip_prefix("anon_inode:") {
            let name = name.trim_start_matches('[').trim_end_matches(']');
            return ObjectClass::AnonInode {
                name: name.to_owned(),
            };
        }
        let Some((prefix, _)) = decoration.split_once(':') else {
            return ObjectClass::Other {
                description: decoration.to_owned(),
            };
        };
        let learned = socket_inode(decoration).and_then(|i| self.sockets.get(&i));
        if prefix == "pipe" {
            return ObjectClass::Pipe;
        }
        if prefix == "pidfd" {
            return ObjectClass::AnonInode {
                name: "pidfd".into(),
            };
        }
        if matches!(
            prefix,
            "cgroup" | "ipc" | "mnt" | "net" | "pid" | "time" | "user" | "uts"
        ) {
            return ObjectClass::File {
                fstype: "nsfs".into(),
            };
        }
        match yy_socket(prefix, decoration) {
            Some(kind) => {
                let kind = kind.completed_by(learned);
                let agreed = self.agreed_socket(&kind);
                kind.completed_by(agreed.as_ref()).into_class()
            }
            None => ObjectClass::Other {
                description: prefix.to_owned(),
            },
        }
    }

    /// What every socket the trace made that matches the known parts of
    /// `kind` agrees on: after `bind`, `-yy` shows `NETLINK:[ROUTE:pid]`
    /// without the inode, but if all ROUTE sockets of the trace were made
    /// as SOCK_RAW, so was this one.
    /// A socket of unknown family (`socket:[N]` from before the trace) is
    /// left unknown: nothing ties it to the sockets the trace made.
    fn agreed_socket(&self, kind: &SocketKind) -> Option<SocketKind> {
        if kind.family == "unknown" {
            return None;
        }
        let fits = |mine: &str, theirs: &str| mine == "unknown" || mine == theirs;
        let mut matching = self.sockets.values().filter(|s| {
            fits(&kind.family, &s.family)
                && fits(&kind.socket_type, &s.socket_type)
                && fits(&kind.protocol, &s.protocol)
        });
        let first = matching.next()?.clone();
        matching.all(|s| *s == first).then_some(first)
    }

    /// The class of a path opened in a trace without decorations;
    /// `directory` when it was opened with `O_DIRECTORY`. An `O_TMPFILE`
    /// open names a directory but makes an unnamed regular file in it.
    pub fn classify_plain_path(&self, path: &str, directory: bool, tmpfile: bool) -> ObjectClass {
        if tmpfile {
            return ObjectClass::File {
                fstype: fstype_of(path).to_owned(),
            };
        }
        if directory {
            ObjectClass::Directory {
                fstype: fstype_of(path).to_owned(),
            }
        } else {
            self.classify_path(path, "")
        }
    }

    fn classify_path(&self, path: &str, device: &str) -> ObjectClass {
        let device = device.trim_start_matches('<').trim_end_matches('>');
        let numbers = |text: &str| -> Option<(u32, u32)> {
            let (major, minor) = text.trim().split_once(':')?;
            Some((major.parse().ok()?, minor.parse().ok()?))
        };
        if let Some((major, minor)) = device.strip_prefix("char ").and_then(numbers) {
            return ObjectClass::CharDevice {
                major,
                minor,
                driver: char_driver(major, minor).to_owned(),
            };
        }
        if let Some((major, minor)) = device.strip_prefix("block ").and_then(numbers) {
            return ObjectClass::BlockDevice {
                major,
                minor,
                driver: block_driver(major).to_owned(),
            };
        }
        if let Some((major, minor)) = well_known_device(path) {
            return ObjectClass::CharDevice {
                major,
                minor,
                driver: char_driver(major, minor).to_owned(),
            };
        }
        let fstype = fstype_of(path).to_owned();
        if self.directories.contains(path) {
            ObjectClass::Directory { fstype }
        } else {
            ObjectClass::File { fstype }
        }
    }
}

/// The socket a `-yy` protocol prefix names, as far as it says.
fn yy_socket(prefix: &str, decoration: &str) -> Option<SocketKind> {
    let (base, family) = match prefix.strip_suffix("v6") {
        Some(b) => (b, "AF_INET6"),
        None => (prefix, "AF_INET"),
    };
    let inet =
        |socket_type: &str, protocol: &str| Some(SocketKind::new(family, socket_type, protocol));
    match base {
        "TCP" => inet("SOCK_STREAM", "TCP"),
        "UDP" => inet("SOCK_DGRAM", "UDP"),
        "UDPLITE" => inet("SOCK_DGRAM", "UDPLITE"),
        "DCCP" => inet("SOCK_DCCP", "DCCP"),
        "SCTP" => inet("unknown", "SCTP"),
        "MPTCP" => inet("SOCK_STREAM", "MPTCP"),
        "RAW" => inet("SOCK_RAW", "unknown"),
        "PING" => inet(
            "SOCK_DGRAM",
            if family == "AF_INET6" {
                "ICMPV6"
            } else {
                "ICMP"
            },
        ),
        "L2TP/IP" => inet("SOCK_DGRAM", "L2TP"),
        "UNIX" => Some(SocketKind::new("AF_UNIX", "unknown", "0")),
        "UNIX-STREAM" => Some(SocketKind::new("AF_UNIX", "SOCK_STREAM", "0")),
        "UNIX-DGRAM" => Some(SocketKind::new("AF_UNIX", "SOCK_DGRAM", "0")),
        "UNIX-SEQPACKET" => Some(SocketKind::new("AF_UNIX", "SOCK_SEQPACKET", "0")),
        "NETLINK" => {
            // `NETLINK:[ROUTE:1234]` after bind, `NETLINK:[5678]` before.
            let inner = decoration.split_once(":[").map(|(_, r)| r).unwrap_or("");
            let protocol = match inner.split_once(':') {
                Some((name, _))
                    if !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit()) =>
                {
                    format!("NETLINK_{name}")
                }
                _ => "unknown".into(),
            };
            Some(SocketKind::new("AF_NETLINK", "unknown", &protocol))
        }
        "socket" => Some(SocketKind::unknown()),
        _ => None,
    }
}

/// The filesystem a path lives on, where convention fixes it.
fn fstype_of(path: &str) -> &'static str {
    let under = |root: &str| path == root || path.starts_with(&format!("{root}/"));
    if path.starts_with("/memfd:") {
        // memfd_create files live on the kernel's internal shmem mount.
        "tmpfs"
    } else if under("/proc") {
        "proc"
    } else if under("/sys/fs/cgroup") {
        "cgroup"
    } else if under("/sys/kernel/tracing") || under("/sys/kernel/debug/tracing") {
        "tracefs"
    } else if under("/sys/kernel/debug") {
        "debugfs"
    } else if under("/sys/fs/bpf") {
        "bpf"
    } else if under("/sys") {
        "sysfs"
    } else if under("/dev/shm") {
        "tmpfs"
    } else if under("/dev/mqueue") {
        "mqueue"
    } else if under("/dev/pts") {
        "devpts"
    } else if under("/dev") {
        "devtmpfs"
    } else {
        "unknown"
    }
}

/// Device numbers fixed by devices.txt, for plain `-y` traces.
fn well_known_device(path: &str) -> Option<(u32, u32)> {
    let fixed = match path {
        "/dev/null" => (1, 3),
        "/dev/zero" => (1, 5),
        "/dev/full" => (1, 7),
        "/dev/random" => (1, 8),
        "/dev/urandom" => (1, 9),
        "/dev/tty" => (5, 0),
        "/dev/console" => (5, 1),
        "/dev/ptmx" => (5, 2),
        "/dev/net/tun" => (10, 200),
        "/dev/fuse" => (10, 229),
        "/dev/kvm" => (10, 232),
        _ => {
            let n: u32 = path.strip_prefix("/dev/pts/")?.parse().ok()?;
            return Some((136 + n / 256, n % 256));
        }
    };
    Some(fixed)
}

/// The driver of a character device number (devices.txt; common ones only).
fn char_driver(major: u32, minor: u32) -> &'static str {
    match (major, minor) {
        (1, _) => "mem",
        (4, _) => "tty",
        (5, 0) => "tty",
        (5, 1) => "console",
        (5, 2) => "ptmx",
        (10, 200) => "tun",
        (10, 229) => "fuse",
        (10, 232) => "kvm",
        (10, _) => "misc",
        (13, _) => "input",
        (29, _) => "fb",
        (116, _) => "alsa",
        (136..=143, _) => "pts",
        (180, _) => "usb",
        (189, _) => "usb_device",
        (226, _) => "drm",
        _ => "unknown",
    }
}

/// The driver of a block device major (devices.txt; common ones only).
fn block_driver(major: u32) -> &'static str {
    match major {
        1 => "ramdisk",
        7 => "loop",
        8 | 65..=71 | 128..=135 => "sd",
        9 => "md",
        11 => "sr",
        43 => "nbd",
        202 => "xvd",
        253 | 254 => "virtblk-or-device-mapper",
        259 => "blkext",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_decorations() {
        let mut k = ObjectKnowledge::default();
        k.directories.insert("/proc/7940".into());
        k.sockets.insert(
            28197,
            SocketKind::from_socket_args("AF_UNIX", "SOCK_STREAM|SOCK_CLOEXEC", "0"),
        );
        assert_eq!(k.classify("pipe:[1]"), ObjectClass::Pipe);
        assert_eq!(
            k.classify("anon_inode:[eventfd]"),
            ObjectClass::AnonInode {
                name: "eventfd".into()
            }
        );
        assert_eq!(
            k.classify("/proc/7940"),
            ObjectClass::Directory {
                fstype: "proc".into()
            }
        );
        assert_eq!(
            k.classify("/etc/passwd"),
            ObjectClass::File {
                fstype: "unknown".into()
            }
        );
        assert_eq!(
            k.classify("/dev/null<char 1:3>"),
            ObjectClass::CharDevice {
                major: 1,
                minor: 3,
                driver: "mem".into()
            }
        );
        assert_eq!(
            k.classify("TCP:[127.0.0.1:1->127.0.0.1:2]"),
            ObjectClass::Socket {
                family: "AF_INET".into(),
                socket_type: "SOCK_STREAM".into(),
                protocol: "TCP".into()
            }
        );
        assert_eq!(
            k.classify("socket:[28197]"),
            ObjectClass::Socket {
                family: "AF_UNIX".into(),
                socket_type: "SOCK_STREAM".into(),
                protocol: "0".into()
            }
        );
        assert_eq!(
            k.classify("NETLINK:[ROUTE:7940]"),
            ObjectClass::Socket {
                family: "AF_NETLINK".into(),
                socket_type: "unknown".into(),
                protocol: "NETLINK_ROUTE".into()
            }
        );
        assert_eq!(socket_inode("UNIX-STREAM:[28097->28098]"), Some(28097));
        assert_eq!(socket_inode("TCP:[127.0.0.1:1]"), None);
    }
}
