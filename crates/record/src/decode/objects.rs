//! The kernel object behind a tracee's file descriptor, as an
//! [`ObjectClass`]: files and directories by filesystem type, pipes,
//! sockets by family/type/protocol, anonymous inodes, devices by driver.
//!
//! Everything is read from outside the tracee: `/proc/TID/fd/N` (link and
//! stat), `/proc/TID/fdinfo/N` + `/proc/TID/mountinfo` for the filesystem
//! type, a `pidfd_getfd` duplicate for socket options (a tracer is allowed
//! to take it), `/proc/TID/net/*` when that is refused, `/proc/devices` and
//! `/sys/dev/*/MAJ:MIN/uevent` for drivers. Results are cached per
//! (process, fd); the decoder drops entries whenever an fd may change.

use super::procfs::{self, Devices};
use aprof_footprint::names;
use aprof_footprint::ObjectClass;
use std::collections::HashMap;
use std::ffi::CString;
use std::os::unix::fs::{FileTypeExt, MetadataExt};

/// Classifies fds of traced processes, with a cache per (tgid, fd).
#[derive(Debug, Default)]
pub struct ObjectClassifier {
    fds: HashMap<(i32, i32), ObjectClass>,
    /// Mount id -> filesystem type. Mount ids are unique system-wide.
    mounts: HashMap<u64, String>,
    /// Superblock (`st_dev`) -> filesystem type: spares the fdinfo and
    /// mountinfo reads for every file after the first on a filesystem.
    by_device: HashMap<u64, String>,
    devices: Option<Devices>,
    drivers: HashMap<(bool, u32, u32), String>,
}

impl ObjectClassifier {
    pub fn new() -> ObjectClassifier {
        ObjectClassifier::default()
    }

    /// The class of `fd` in process `tgid`, read through thread `tid`;
    /// cached. `None` when the fd is not open.
    pub fn class_of(&mut self, tgid: i32, tid: i32, fd: i32) -> Option<ObjectClass> {
        if let Some(class) = self.fds.get(&(tgid, fd)) {
            return Some(class.clone());
        }
        self.classify_fresh(tgid, tid, fd)
    }

    /// Classifies `fd` from scratch and caches the result.
    pub fn classify_fresh(&mut self, tgid: i32, tid: i32, fd: i32) -> Option<ObjectClass> {
        if fd < 0 {
            return None;
        }
        match self.classify(tgid, tid, fd) {
            Some(class) => {
                self.fds.insert((tgid, fd), class.clone());
                Some(class)
            }
            None => {
                self.fds.remove(&(tgid, fd));
                None
            }
        }
    }

    /// Forgets one fd (closed, or replaced by dup2).
    pub fn forget_fd(&mut self, tgid: i32, fd: i32) {
        self.fds.remove(&(tgid, fd));
    }

    /// Forgets fds `first..=last` (close_range).
    pub fn forget_range(&mut self, tgid: i32, first: u32, last: u32) {
        self.fds.retain(|&(pid, fd), _| {
            pid != tgid || fd < 0 || (fd as u32) < first || (fd as u32) > last
        });
    }

    /// Forgets every fd of a process (exec, exit, a new process).
    pub fn forget_process(&mut self, tgid: i32) {
        self.fds.retain(|&(pid, _), _| pid != tgid);
    }

    /// Caches a class known without looking (an fd `eventfd2` just made).
    pub fn remember(&mut self, tgid: i32, fd: i32, class: ObjectClass) {
        self.fds.insert((tgid, fd), class);
    }

    #[cfg(test)]
    /// How many fds are cached (for tests and statistics).
    pub fn cached(&self) -> usize {
        self.fds.len()
    }

    fn classify(&mut self, tgid: i32, tid: i32, fd: i32) -> Option<ObjectClass> {
        // stat first: it settles everything but anonymous inodes, whose
        // inode has no file type and whose name is only in the link.
        let link_path = format!("/proc/{tid}/fd/{fd}");
        let meta = match std::fs::metadata(&link_path) {
            Ok(meta) if meta.mode() & libc::S_IFMT != 0 => meta,
            _ => {
                let link = std::fs::read_link(&link_path).ok()?;
                let link = link.to_string_lossy();
                return Some(classify_link(&link).unwrap_or_else(|| ObjectClass::Other {
                    // Without per-object inode numbers (`socket:[123]`), so
                    // that such objects share one class.
                    description: match link.split_once(":[") {
                        Some((kind, _)) => kind.to_owned(),
                        None => link.into_owned(),
                    },
                }));
            }
        };
        let ft = meta.file_type();
        Some(if ft.is_fifo() {
            ObjectClass::Pipe
        } else if ft.is_socket() {
            self.socket(tgid, tid, fd, meta.ino())
        } else if ft.is_char_device() || ft.is_block_device() {
            let block = ft.is_block_device();
            let (major, minor) = split_dev(meta.rdev());
            let driver = self.driver(block, major, minor);
            if block {
                ObjectClass::BlockDevice {
                    major,
                    minor,
                    driver,
                }
            } else {
                ObjectClass::CharDevice {
                    major,
                    minor,
                    driver,
                }
            }
        } else {
            let fstype = match self.by_device.get(&meta.dev()) {
                Some(fstype) => fstype.clone(),
                None => {
                    let fstype = self.fstype(tid, fd, &link_path);
                    if fstype != "unknown" {
                        self.by_device.insert(meta.dev(), fstype.clone());
                    }
                    fstype
                }
            };
            if fstype == "pidfs" {
                ObjectClass::AnonInode {
                    name: "pidfd".to_owned(),
                }
            } else if ft.is_dir() {
                ObjectClass::Directory { fstype }
            } else {
                ObjectClass::File { fstype }
            }
        })
    }

    /// The filesystem type of an open file: by mount id, else by statfs magic.
    fn fstype(&mut self, tid: i32, fd: i32, link_path: &str) -> String {
        let mnt_id = std::fs::read_to_string(format!("/proc/{tid}/fdinfo/{fd}"))
            .ok()
            .and_then(|t| procfs::fdinfo_mnt_id(&t));
        if let Some(id) = mnt_id {
            if let Some(fstype) = self.mounts.get(&id) {
                return fstype.clone();
            }
            if let Ok(text) = std::fs::read_to_string(format!("/proc/{tid}/mountinfo")) {
                self.mounts.extend(
                    aprof_footprint::procfs::parse_mountinfo(&text)
                        .into_iter()
                        .map(|m| (m.mount_id, m.fs_type)),
                );
            }
            if let Some(fstype) = self.mounts.get(&id) {
                return fstype.clone();
            }
        }
        statfs_type(link_path)
            .map(fs_magic_name)
            .unwrap_or_else(|| "unknown".to_owned())
    }

    fn socket(&mut self, tgid: i32, tid: i32, fd: i32, inode: u64) -> ObjectClass {
        let found = socket_by_pidfd(tgid, fd)
            .map(|(f, t, p)| (f, Some(t), Some(p)))
            .or_else(|| socket_by_proc_net(tid, inode));
        match found {
            Some((family, ty, protocol)) => ObjectClass::Socket {
                family: names::family_name(family),
                socket_type: ty
                    .map(names::socket_type_base)
                    .unwrap_or_else(|| "unknown".to_owned()),
                protocol: protocol
                    .map(|p| names::object_protocol_name(family, p))
                    .unwrap_or_else(|| "unknown".to_owned()),
            },
            None => ObjectClass::Socket {
                family: "unknown".to_owned(),
                socket_type: "unknown".to_owned(),
                protocol: "unknown".to_owned(),
            },
        }
    }

    /// The driver name of a device: `/proc/devices` by major (`mem`,
    /// `pts`, `virtblk`), the device name for the shared tty and misc majors
    /// (`kvm`, `tun`, `ptmx`).
    fn driver(&mut self, block: bool, major: u32, minor: u32) -> String {
        if let Some(d) = self.drivers.get(&(block, major, minor)) {
            return d.clone();
        }
        let known = self
            .devices
            .as_ref()
            .and_then(|d| d.driver(block, major))
            .is_some();
        if !known {
            // Drivers register majors at run time: reread on a miss.
            if let Ok(text) = std::fs::read_to_string("/proc/devices") {
                self.devices = Some(Devices::parse(&text));
            }
        }
        let base = self
            .devices
            .as_ref()
            .and_then(|d| d.driver(block, major))
            .unwrap_or_else(|| format!("major-{major}"));
        // Majors 5 (tty, console, ptmx) and 10 (misc: kvm, tun, fuse, ...)
        // are shared by unrelated drivers: the device name tells them
        // apart. The strace importer names them the same way.
        let driver = if !block && matches!(major, 5 | 10) {
            std::fs::read_to_string(format!("/sys/dev/char/{major}:{minor}/uevent"))
                .ok()
                .and_then(|t| procfs::uevent_devname(&t))
                .and_then(|name| name.rsplit('/').next().map(str::to_owned))
                .unwrap_or(base)
        } else {
            base
        };
        self.drivers.insert((block, major, minor), driver.clone());
        driver
    }
}

/// The class a `/proc/PID/fd/N` link target implies on its own: pipes and
/// anonymous inodes. Also usable on `strace -y` output.
pub fn classify_link(link: &str) -> Option<ObjectClass> {
    if link.starts_with("pipe:[") {
        return Some(ObjectClass::Pipe);
    }
    link.strip_prefix("anon_inode:")
        .map(|name| ObjectClass::AnonInode {
            name: anon_inode_name(name),
        })
}

/// The class of the object a successful call to `syscall` always creates,
/// where the syscall alone says it (no need to look at the new fd).
pub fn created_class(syscall: &str) -> Option<ObjectClass> {
    let anon = match syscall {
        "pipe" | "pipe2" => return Some(ObjectClass::Pipe),
        "eventfd" | "eventfd2" => "eventfd",
        "epoll_create" | "epoll_create1" => "eventpoll",
        "timerfd_create" => "timerfd",
        "signalfd" | "signalfd4" => "signalfd",
        "inotify_init" | "inotify_init1" => "inotify",
        "fanotify_init" => "fanotify",
        "userfaultfd" => "userfaultfd",
        "io_uring_setup" => "io_uring",
        "perf_event_open" => "perf_event",
        "pidfd_open" => "pidfd",
        _ => return None,
    };
    Some(ObjectClass::AnonInode {
        name: anon.to_owned(),
    })
}

/// The stable name of an anonymous inode: brackets and per-instance
/// suffixes dropped (`[eventfd]` -> `eventfd`, `kvm-vcpu:0` -> `kvm-vcpu`).
pub fn anon_inode_name(raw: &str) -> String {
    let name = raw.strip_prefix("anon_inode:").unwrap_or(raw);
    let name = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    let name = match name.rsplit_once(':') {
        Some((base, n)) if !base.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => base,
        _ => name,
    };
    name.to_owned()
}

/// (major, minor) of a `dev_t` as glibc's `gnu_dev_major/minor` split it.
pub fn split_dev(dev: u64) -> (u32, u32) {
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    (major as u32, minor as u32)
}

fn statfs_type(path: &str) -> Option<u64> {
    let c = CString::new(path).ok()?;
    // SAFETY: `buf` is a plain C struct the kernel fills; `c` is a valid
    // NUL-terminated path that outlives the call.
    let mut buf: libc::statfs = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::statfs(c.as_ptr(), &mut buf) };
    (rc == 0).then_some(buf.f_type as u64 & 0xffff_ffff)
}

/// The name of a filesystem magic number (`statfs.f_type`).
pub fn fs_magic_name(magic: u64) -> String {
    let name = match magic {
        0xef53 => "ext4",
        0x0102_1994 => "tmpfs",
        0x9fa0 => "proc",
        0x6265_6572 => "sysfs",
        0x794c_7630 => "overlay",
        0x0102_1997 => "9p",
        0x1cd1 => "devpts",
        0x6367_7270 => "cgroup2",
        0x0027_e0eb => "cgroup",
        0x9123_683e => "btrfs",
        0x5846_5342 => "xfs",
        0x6969 => "nfs",
        0x6573_5546 => "fuse",
        0x7371_7368 => "squashfs",
        0x9660 => "iso9660",
        0x8584_58f6 => "ramfs",
        0x9584_58f6 => "hugetlbfs",
        0x7363_6673 => "securityfs",
        0xf97c_ff8c => "selinuxfs",
        0x6462_6720 => "debugfs",
        0x7472_6163 => "tracefs",
        0xcafe_4a11 => "bpf",
        0x6e73_6673 => "nsfs",
        0x5049_4446 => "pidfs",
        0x534f_434b => "sockfs",
        0x5049_5045 => "pipefs",
        0x0904_1934 => "anon_inodefs",
        0x1980_0202 => "mqueue",
        0x6265_6570 => "configfs",
        0xde5e_81e4 => "efivarfs",
        0x4d44 => "vfat",
        0x2fc1_2fc1 => "zfs",
        0xf2f5_2010 => "f2fs",
        0xe0f5_e1e2 => "erofs",
        0xfe53_4d42 => "smb3",
        0xff53_4d42 => "cifs",
        0x4249_4e4d => "binfmt_misc",
        0x6165_676c => "pstore",
        0x5345_434d => "secretmem",
        0x0187 => "autofs",
        _ => return format!("magic-{magic:#x}"),
    };
    name.to_owned()
}

/// Family, type and protocol of a tracee's socket through a duplicate
/// taken with `pidfd_getfd` (needs ptrace access, which a tracer has).
fn socket_by_pidfd(tgid: i32, fd: i32) -> Option<(u64, u64, u64)> {
    // SAFETY: plain syscalls on integers; every fd opened here is closed.
    unsafe {
        let pidfd = libc::syscall(libc::SYS_pidfd_open, tgid, 0) as i32;
        if pidfd < 0 {
            return None;
        }
        let local = libc::syscall(libc::SYS_pidfd_getfd, pidfd, fd, 0) as i32;
        libc::close(pidfd);
        if local < 0 {
            return None;
        }
        let get = |opt: libc::c_int| -> Option<u64> {
            let mut v: libc::c_int = 0;
            let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
            let rc = libc::getsockopt(
                local,
                libc::SOL_SOCKET,
                opt,
                (&mut v as *mut libc::c_int).cast(),
                &mut len,
            );
            (rc == 0).then_some(v as u64)
        };
        let out = (|| {
            Some((
                get(libc::SO_DOMAIN)?,
                get(libc::SO_TYPE)?,
                get(libc::SO_PROTOCOL)?,
            ))
        })();
        libc::close(local);
        out
    }
}

/// Family, type and protocol from the `/proc/TID/net` tables of the
/// tracee's network namespace, by socket inode.
fn socket_by_proc_net(tid: i32, inode: u64) -> Option<(u64, Option<u64>, Option<u64>)> {
    for table in procfs::NET_TABLES {
        let Ok(text) = std::fs::read_to_string(format!("/proc/{tid}/net/{table}")) else {
            continue;
        };
        if let Some(s) = procfs::find_in_net_table(table, &text, inode) {
            return Some((s.family, s.socket_type, s.protocol));
        }
    }
    None
}

#[cfg(test)]
/// The socket classes of `/proc/net` search, for tests of the fallback.
pub fn socket_class_by_proc_net(tid: i32, inode: u64) -> Option<ObjectClass> {
    let (family, ty, protocol) = socket_by_proc_net(tid, inode)?;
    Some(ObjectClass::Socket {
        family: names::family_name(family),
        socket_type: ty
            .map(names::socket_type_base)
            .unwrap_or_else(|| "unknown".to_owned()),
        protocol: protocol
            .map(|p| names::object_protocol_name(family, p))
            .unwrap_or_else(|| "unknown".to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anon_inode_names_are_normalised() {
        assert_eq!(anon_inode_name("[eventfd]"), "eventfd");
        assert_eq!(anon_inode_name("anon_inode:[eventpoll]"), "eventpoll");
        assert_eq!(anon_inode_name("inotify"), "inotify");
        assert_eq!(anon_inode_name("bpf-map"), "bpf-map");
        assert_eq!(anon_inode_name("kvm-vcpu:3"), "kvm-vcpu");
        assert_eq!(anon_inode_name("[io_uring]"), "io_uring");
        assert_eq!(
            classify_link("anon_inode:[timerfd]"),
            Some(ObjectClass::AnonInode {
                name: "timerfd".into()
            })
        );
        assert_eq!(classify_link("pipe:[123]"), Some(ObjectClass::Pipe));
        assert_eq!(classify_link("/etc/passwd"), None);
    }

    #[test]
    fn dev_numbers_split_like_glibc() {
        assert_eq!(split_dev(0x0103), (1, 3));
        assert_eq!(split_dev(0x0a_e8), (10, 232));
        // major 259, minor 0x12345: the large-number encoding.
        let dev = (259u64 & 0xfff) << 8 | (0x12345 & 0xff) | ((0x12345 & !0xff) << 12);
        assert_eq!(split_dev(dev), (259, 0x12345));
    }

    #[test]
    fn magic_names() {
        assert_eq!(fs_magic_name(0xef53), "ext4");
        assert_eq!(fs_magic_name(0x01021994), "tmpfs");
        assert_eq!(fs_magic_name(0x794c7630), "overlay");
        assert_eq!(fs_magic_name(0x1234), "magic-0x1234");
    }
}
