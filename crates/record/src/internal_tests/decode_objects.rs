//! The decoder against real kernel objects: sockets, pipes, anonymous
//! inodes, files on tmpfs and the root filesystem, devices, and the fds of
//! a child process, fed as syscall events the way the tracer feeds them.

use crate::decode::{objects, Decoder, SyscallEvent};
use aprof_footprint::{Abi, Footprint, ObjectClass};
use std::fs::File;
use std::net::{TcpListener, UdpSocket};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};

fn me() -> i32 {
    std::process::id() as i32
}

fn event(pid: i32, abi: Abi, name: &str, args: [u64; 6]) -> SyscallEvent {
    SyscallEvent {
        tid: pid,
        tgid: pid,
        abi,
        number: abi.table().number(name).expect("syscall in table"),
        args,
        ret: None,
    }
}

/// The class the decoder gives `fd` of process `pid` when it is read.
fn class_of_read(pid: i32, fd: i32) -> ObjectClass {
    let mut d = Decoder::new();
    let mut fp = Footprint::default();
    d.on_entry(
        &mut fp,
        &event(pid, Abi::X86_64, "read", [fd as u64, 0, 0, 0, 0, 0]),
    );
    assert_eq!(
        fp.objects.len(),
        1,
        "one object for fd {fd}: {:?}",
        fp.objects
    );
    assert_eq!(fp.objects[0].syscalls["read"], 1);
    fp.objects[0].class.clone()
}

fn socket(family: &str, ty: &str, protocol: &str) -> ObjectClass {
    ObjectClass::Socket {
        family: family.into(),
        socket_type: ty.into(),
        protocol: protocol.into(),
    }
}

fn anon(name: &str) -> ObjectClass {
    ObjectClass::AnonInode { name: name.into() }
}

/// The filesystem type of the mount holding `path`, from this process's
/// mountinfo by longest mount point (later mounts shadow earlier ones).
fn expected_fstype(path: &str) -> String {
    let text = std::fs::read_to_string("/proc/self/mountinfo").expect("mountinfo");
    let mut best: Option<(usize, String)> = None;
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let Some(mount_point) = fields.get(4) else {
            continue;
        };
        let inside = path == *mount_point
            || *mount_point == "/"
            || path.starts_with(&format!("{mount_point}/"));
        let fstype = line
            .split(" - ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next());
        if let (true, Some(fstype)) = (inside, fstype) {
            let longer = match &best {
                Some((len, _)) => mount_point.len() >= *len,
                None => true,
            };
            if longer {
                best = Some((mount_point.len(), fstype.to_owned()));
            }
        }
    }
    best.expect("a mount holds every path").1
}

#[test]
fn tcp_udp_unix_and_netlink_sockets() {
    let tcp = TcpListener::bind("127.0.0.1:0").expect("tcp listener");
    assert_eq!(
        class_of_read(me(), tcp.as_raw_fd()),
        socket("AF_INET", "SOCK_STREAM", "TCP")
    );
    let udp = UdpSocket::bind("127.0.0.1:0").expect("udp socket");
    assert_eq!(
        class_of_read(me(), udp.as_raw_fd()),
        socket("AF_INET", "SOCK_DGRAM", "UDP")
    );
    let (a, _b) = UnixStream::pair().expect("unix pair");
    assert_eq!(
        class_of_read(me(), a.as_raw_fd()),
        socket("AF_UNIX", "SOCK_STREAM", "0")
    );
    // SAFETY: plain socket(2); the fd is owned right after.
    let raw = unsafe { libc::socket(libc::AF_NETLINK, libc::SOCK_RAW, libc::NETLINK_ROUTE) };
    assert!(raw >= 0, "netlink socket");
    // SAFETY: `raw` is a fresh fd nobody else owns.
    let netlink = unsafe { OwnedFd::from_raw_fd(raw) };
    assert_eq!(
        class_of_read(me(), netlink.as_raw_fd()),
        socket("AF_NETLINK", "SOCK_RAW", "NETLINK_ROUTE")
    );
}

#[test]
fn proc_net_fallback_agrees_with_socket_options() {
    let tcp = TcpListener::bind("127.0.0.1:0").expect("tcp listener");
    let inode = File::from(OwnedFd::from(tcp.try_clone().expect("dup")))
        .metadata()
        .expect("stat socket")
        .ino();
    assert_eq!(
        objects::socket_class_by_proc_net(me(), inode),
        Some(socket("AF_INET", "SOCK_STREAM", "TCP"))
    );
    let (a, _b) = UnixStream::pair().expect("unix pair");
    let a = File::from(OwnedFd::from(a));
    let inode = a.metadata().expect("stat").ino();
    assert_eq!(
        objects::socket_class_by_proc_net(me(), inode),
        Some(socket("AF_UNIX", "SOCK_STREAM", "0"))
    );
}

#[test]
fn anonymous_inodes() {
    // SAFETY: plain fd-creating syscalls; each fd is owned right after.
    let fds = unsafe {
        [
            (libc::eventfd(0, libc::EFD_CLOEXEC), "eventfd"),
            (libc::epoll_create1(libc::EPOLL_CLOEXEC), "eventpoll"),
            (
                libc::timerfd_create(libc::CLOCK_MONOTONIC, libc::TFD_CLOEXEC),
                "timerfd",
            ),
            (libc::inotify_init1(libc::IN_CLOEXEC), "inotify"),
            (libc::syscall(libc::SYS_pidfd_open, me(), 0) as i32, "pidfd"),
        ]
    };
    for (fd, name) in fds {
        assert!(fd >= 0, "{name} fd");
        // SAFETY: fresh fd owned here only.
        let owned = unsafe { OwnedFd::from_raw_fd(fd) };
        assert_eq!(class_of_read(me(), owned.as_raw_fd()), anon(name), "{name}");
    }
}

#[test]
fn files_directories_on_tmpfs_and_root() {
    let root_file = File::open("/etc/passwd").expect("/etc/passwd");
    assert_eq!(
        class_of_read(me(), root_file.as_raw_fd()),
        ObjectClass::File {
            fstype: expected_fstype("/etc/passwd")
        }
    );
    let root_dir = File::open("/").expect("/");
    assert_eq!(
        class_of_read(me(), root_dir.as_raw_fd()),
        ObjectClass::Directory {
            fstype: expected_fstype("/")
        }
    );
    if expected_fstype("/dev/shm") == "tmpfs" {
        let shm = tempfile::tempfile_in("/dev/shm").expect("file on /dev/shm");
        assert_eq!(
            class_of_read(me(), shm.as_raw_fd()),
            ObjectClass::File {
                fstype: "tmpfs".into()
            }
        );
    } else {
        aprof_testkit::skip("/dev/shm is not a tmpfs here: its part is not checked");
    }
    let proc_file = File::open("/proc/self/status").expect("proc file");
    assert_eq!(
        class_of_read(me(), proc_file.as_raw_fd()),
        ObjectClass::File {
            fstype: "proc".into()
        }
    );
}

#[test]
fn character_devices_by_driver() {
    use std::os::unix::fs::FileTypeExt;
    let is_device = std::fs::metadata("/dev/null").is_ok_and(|m| m.file_type().is_char_device());
    if !is_device {
        // Seen on shared machines: something replaced it by a plain file.
        return aprof_testkit::skip("/dev/null is not a character device here");
    }
    let null = File::open("/dev/null").expect("/dev/null");
    assert_eq!(
        class_of_read(me(), null.as_raw_fd()),
        ObjectClass::CharDevice {
            major: 1,
            minor: 3,
            driver: "mem".into()
        }
    );
}

#[test]
fn kvm_device_ioctls_and_vm_fd() {
    if let Some(reason) = aprof_testkit::needs_kvm() {
        return aprof_testkit::skip(&reason);
    }
    let kvm = File::options()
        .read(true)
        .write(true)
        .open("/dev/kvm")
        .expect("/dev/kvm");
    let fd = kvm.as_raw_fd();
    let mut d = Decoder::new();
    let mut fp = Footprint::default();
    let version = event(me(), Abi::X86_64, "ioctl", [fd as u64, 0xae00, 0, 0, 0, 0]);
    assert!(!d.on_entry(&mut fp, &version));
    // SAFETY: KVM_GET_API_VERSION wants a zero argument.
    let v = unsafe { libc::ioctl(fd, 0xae00, 0) };
    assert_eq!(v, 12, "{}", std::io::Error::last_os_error());
    let mut create = event(me(), Abi::X86_64, "ioctl", [fd as u64, 0xae01, 0, 0, 0, 0]);
    assert!(d.on_entry(&mut fp, &create), "KVM_CREATE_VM returns an fd");
    // SAFETY: KVM_CREATE_VM with machine type 0.
    let vm = unsafe { libc::ioctl(fd, 0xae01, 0) };
    if vm < 0 {
        let err = std::io::Error::last_os_error();
        return aprof_testkit::skip(&format!("KVM_CREATE_VM failed here: {err}"));
    }
    // SAFETY: fresh fd owned here only.
    let vm = unsafe { OwnedFd::from_raw_fd(vm) };
    create.ret = Some(i64::from(vm.as_raw_fd()));
    d.on_exit(&mut fp, &create);
    let run = event(
        me(),
        Abi::X86_64,
        "ioctl",
        [vm.as_raw_fd() as u64, 0xae41, 0, 0, 0, 0],
    );
    d.on_entry(&mut fp, &run);

    let dev = fp
        .objects
        .iter()
        .find(|o| matches!(&o.class, ObjectClass::CharDevice { major: 10, minor: 232, driver } if driver == "kvm"))
        .expect("/dev/kvm as 10:232 kvm");
    assert_eq!(dev.syscalls["ioctl"], 2);
    assert_eq!(
        dev.ioctls[&0xae00].name.as_deref(),
        Some("KVM_GET_API_VERSION")
    );
    assert_eq!(dev.ioctls[&0xae01].name.as_deref(), Some("KVM_CREATE_VM"));
    let vm_obj = fp
        .objects
        .iter()
        .find(|o| o.class == anon("kvm-vm"))
        .expect("the VM fd is a kvm-vm anonymous inode");
    assert_eq!(
        vm_obj.ioctls[&0xae41].name.as_deref(),
        Some("KVM_CREATE_VCPU")
    );
    assert_eq!(fp.arguments["ioctl/1"].values[&0xae01].count, 1);
}

#[test]
fn created_fds_are_counted_on_their_new_class() {
    let mut d = Decoder::new();
    let mut fp = Footprint::default();
    let mut pair = [0i32; 2];
    let mut ev = event(
        me(),
        Abi::X86_64,
        "pipe2",
        [pair.as_mut_ptr() as u64, 0, 0, 0, 0, 0],
    );
    assert!(d.on_entry(&mut fp, &ev));
    // SAFETY: `pair` is a valid int[2].
    assert_eq!(
        unsafe { libc::pipe2(pair.as_mut_ptr(), libc::O_CLOEXEC) },
        0
    );
    // SAFETY: fresh fds owned here only.
    let _owned = unsafe { [OwnedFd::from_raw_fd(pair[0]), OwnedFd::from_raw_fd(pair[1])] };
    ev.ret = Some(0);
    d.on_exit(&mut fp, &ev);
    assert_eq!(fp.objects.len(), 1);
    assert_eq!(fp.objects[0].class, ObjectClass::Pipe);
    assert_eq!(fp.objects[0].syscalls["pipe2"], 1);

    let path = c"/etc/hostname";
    let mut open = event(
        me(),
        Abi::X86_64,
        "openat",
        [(-100i64) as u64, path.as_ptr() as u64, 0, 0, 0, 0],
    );
    assert!(d.on_entry(&mut fp, &open));
    let file = File::open("/etc/hostname").expect("hostname");
    open.ret = Some(i64::from(file.as_raw_fd()));
    d.on_exit(&mut fp, &open);
    let file_use = fp
        .objects
        .iter()
        .find(|o| matches!(o.class, ObjectClass::File { .. }))
        .expect("openat counted on the file's class");
    assert_eq!(file_use.syscalls["openat"], 1);
}

#[test]
fn dup2_and_close_invalidate_the_cache() {
    let mut d = Decoder::new();
    let mut fp = Footprint::default();
    let (a, _b) = UnixStream::pair().expect("pair");
    let target = a.as_raw_fd();
    d.on_entry(
        &mut fp,
        &event(me(), Abi::X86_64, "read", [target as u64, 0, 0, 0, 0, 0]),
    );
    // Replace the socket at `target` by a file, as dup2 would in the tracee.
    let file = File::open("/etc/passwd").expect("file");
    let dup2 = event(
        me(),
        Abi::X86_64,
        "dup2",
        [file.as_raw_fd() as u64, target as u64, 0, 0, 0, 0],
    );
    d.on_entry(&mut fp, &dup2);
    // SAFETY: `target` is owned by `a`, which is forgotten below so it is
    // not closed twice; dup2 atomically replaces it.
    assert_eq!(unsafe { libc::dup2(file.as_raw_fd(), target) }, target);
    // SAFETY: after dup2, `target` holds the file and is owned here.
    let replaced = unsafe { OwnedFd::from_raw_fd(target) };
    std::mem::forget(a);
    d.on_entry(
        &mut fp,
        &event(me(), Abi::X86_64, "write", [target as u64, 0, 0, 0, 0, 0]),
    );
    let fstype = expected_fstype("/etc/passwd");
    let file_use = fp
        .objects
        .iter()
        .find(|o| {
            o.class
                == ObjectClass::File {
                    fstype: fstype.clone(),
                }
        })
        .expect("file");
    assert_eq!(file_use.syscalls.get("write"), Some(&1));
    assert_eq!(file_use.syscalls.get("dup2"), Some(&1));
    let sock = fp
        .objects
        .iter()
        .find(|o| matches!(o.class, ObjectClass::Socket { .. }))
        .expect("socket");
    assert_eq!(sock.syscalls.get("write"), None, "stale class not used");

    // close forgets the fd too.
    d.on_entry(
        &mut fp,
        &event(me(), Abi::X86_64, "close", [target as u64, 0, 0, 0, 0, 0]),
    );
    assert_eq!(d.classifier().cached(), 1, "only the dup2 source is cached");
    drop(replaced);
}

#[test]
fn fds_of_a_child_process() {
    let tcp = TcpListener::bind("127.0.0.1:0").expect("listener");
    let mut child = Command::new("sleep")
        .arg("30")
        .stdin(Stdio::from(OwnedFd::from(tcp)))
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn sleep");
    let pid = child.id() as i32;
    let stdin_class = class_of_read(pid, 0);
    let stdout_class = class_of_read(pid, 1);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(stdin_class, socket("AF_INET", "SOCK_STREAM", "TCP"));
    assert_eq!(stdout_class, ObjectClass::Pipe);
}

#[test]
fn i386_socketcall_is_unpacked() {
    // The argument block must sit below 4 GiB for a 32-bit pointer.
    // SAFETY: anonymous mapping, unmapped at the end.
    let block = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_32BIT,
            -1,
            0,
        )
    };
    assert_ne!(block, libc::MAP_FAILED);
    let tcp = TcpListener::bind("127.0.0.1:0").expect("listener");
    let words: [u32; 3] = [tcp.as_raw_fd() as u32, 0, 0];
    // SAFETY: the block is 4096 writable bytes.
    unsafe { std::ptr::copy_nonoverlapping(words.as_ptr(), block.cast::<u32>(), 3) };
    let mut d = Decoder::new();
    let mut fp = Footprint::default();
    // socketcall(SYS_GETSOCKNAME, block)
    d.on_entry(
        &mut fp,
        &event(me(), Abi::I386, "socketcall", [6, block as u64, 0, 0, 0, 0]),
    );
    let words: [u32; 3] = [2, 1, 6];
    // SAFETY: as above.
    unsafe { std::ptr::copy_nonoverlapping(words.as_ptr(), block.cast::<u32>(), 3) };
    // socketcall(SYS_SOCKET, block): AF_INET, SOCK_STREAM, IPPROTO_TCP.
    let needs_exit = d.on_entry(
        &mut fp,
        &event(me(), Abi::I386, "socketcall", [1, block as u64, 0, 0, 0, 0]),
    );
    // SAFETY: unmapping what was mapped above.
    unsafe { libc::munmap(block, 4096) };
    assert!(needs_exit, "socket() creates an fd");
    assert_eq!(
        fp.arguments["socketcall/0"].values[&6].name.as_deref(),
        Some("SYS_GETSOCKNAME")
    );
    assert_eq!(
        fp.arguments["socketcall:socket/0"].values[&2]
            .name
            .as_deref(),
        Some("AF_INET")
    );
    assert_eq!(
        fp.arguments["socketcall:socket/2"].values[&6]
            .name
            .as_deref(),
        Some("IPPROTO_TCP")
    );
    let sock = &fp.objects[0];
    assert_eq!(sock.class, socket("AF_INET", "SOCK_STREAM", "TCP"));
    assert_eq!(sock.syscalls["socketcall:getsockname"], 1);
}

#[test]
fn arguments_read_from_memory() {
    let mut d = Decoder::new();
    let mut fp = Footprint::default();
    // clone3 with CLONE_VM|CLONE_VFORK and exit_signal SIGCHLD.
    let clone_args: [u64; 11] = [0x4100, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0];
    d.on_entry(
        &mut fp,
        &event(
            me(),
            Abi::X86_64,
            "clone3",
            [clone_args.as_ptr() as u64, 88, 0, 0, 0, 0],
        ),
    );
    assert_eq!(
        fp.arguments["clone3/0"].values[&0x4100].name.as_deref(),
        Some("CLONE_VM|CLONE_VFORK exit_signal=SIGCHLD")
    );
    let fstype = c"tmpfs";
    let target = c"/nonexistent";
    d.on_entry(
        &mut fp,
        &event(
            me(),
            Abi::X86_64,
            "mount",
            [0, target.as_ptr() as u64, fstype.as_ptr() as u64, 0x6, 0, 0],
        ),
    );
    let fstypes = &fp.arguments["mount/2"];
    assert_eq!(fstypes.label, "fstype");
    assert_eq!(
        fstypes
            .values
            .values()
            .next()
            .and_then(|v| v.name.as_deref()),
        Some("tmpfs")
    );
    assert_eq!(
        fp.arguments["mount/3"].values[&6].name.as_deref(),
        Some("MS_NOSUID|MS_NODEV")
    );
    d.on_entry(
        &mut fp,
        &event(me(), Abi::X86_64, "prctl", [38, 1, 0, 0, 0, 0]),
    );
    assert_eq!(
        fp.arguments["prctl/0"].values[&38].name.as_deref(),
        Some("PR_SET_NO_NEW_PRIVS")
    );
    d.on_entry(
        &mut fp,
        &event(me(), Abi::X86_64, "fcntl", [0, 3, 0, 0, 0, 0]),
    );
    assert_eq!(
        fp.arguments["fcntl/1"].values[&3].name.as_deref(),
        Some("F_GETFL")
    );
    d.on_entry(
        &mut fp,
        &event(
            me(),
            Abi::X86_64,
            "personality",
            [0xffffffff, 0, 0, 0, 0, 0],
        ),
    );
    assert_eq!(
        fp.arguments["personality/0"].values[&0xffffffff]
            .name
            .as_deref(),
        Some("query")
    );
}

#[test]
fn classes_known_at_creation_match_what_a_later_look_finds() {
    // SAFETY: plain fd-creating syscalls; each fd is owned right after.
    let made = unsafe {
        [
            ("eventfd2", libc::eventfd(0, libc::EFD_CLOEXEC)),
            ("epoll_create1", libc::epoll_create1(libc::EPOLL_CLOEXEC)),
            (
                "timerfd_create",
                libc::timerfd_create(libc::CLOCK_MONOTONIC, libc::TFD_CLOEXEC),
            ),
            ("inotify_init1", libc::inotify_init1(libc::IN_CLOEXEC)),
            (
                "pidfd_open",
                libc::syscall(libc::SYS_pidfd_open, me(), 0) as i32,
            ),
        ]
    };
    for (name, fd) in made {
        assert!(fd >= 0, "{name}");
        // SAFETY: fresh fd owned here only.
        let owned = unsafe { OwnedFd::from_raw_fd(fd) };
        let mut d = Decoder::new();
        let mut fp = Footprint::default();
        let mut ev = event(me(), Abi::X86_64, name, [0; 6]);
        if name == "pidfd_open" {
            ev.args[0] = me() as u64;
        }
        assert!(d.on_entry(&mut fp, &ev), "{name} needs its exit");
        ev.ret = Some(i64::from(owned.as_raw_fd()));
        d.on_exit(&mut fp, &ev);
        assert_eq!(fp.objects.len(), 1, "{name}");
        assert_eq!(fp.objects[0].syscalls[name], 1);
        assert_eq!(
            fp.objects[0].class,
            class_of_read(me(), owned.as_raw_fd()),
            "{name}"
        );
    }
}

#[test]
fn sockets_known_from_arguments_match_what_a_later_look_finds() {
    let cases = [
        (libc::AF_INET, libc::SOCK_STREAM, 0),
        (libc::AF_INET6, libc::SOCK_DGRAM, 0),
        (libc::AF_INET, libc::SOCK_DGRAM, libc::IPPROTO_UDP),
        (libc::AF_UNIX, libc::SOCK_SEQPACKET, 0),
        (libc::AF_NETLINK, libc::SOCK_DGRAM, libc::NETLINK_ROUTE),
        (
            libc::AF_NETLINK,
            libc::SOCK_RAW,
            libc::NETLINK_KOBJECT_UEVENT,
        ),
    ];
    for (family, ty, protocol) in cases {
        let ty = ty | libc::SOCK_CLOEXEC;
        // SAFETY: plain socket(2); the fd is owned right after.
        let fd = unsafe { libc::socket(family, ty, protocol) };
        if fd < 0 {
            aprof_testkit::skip(&format!(
                "socket({family}, {ty}, {protocol}) is not supported here"
            ));
            continue;
        }
        // SAFETY: fresh fd owned here only.
        let owned = unsafe { OwnedFd::from_raw_fd(fd) };
        let mut d = Decoder::new();
        let mut fp = Footprint::default();
        let mut ev = event(
            me(),
            Abi::X86_64,
            "socket",
            [family as u64, ty as u64, protocol as u64, 0, 0, 0],
        );
        assert!(d.on_entry(&mut fp, &ev));
        ev.ret = Some(i64::from(owned.as_raw_fd()));
        d.on_exit(&mut fp, &ev);
        assert_eq!(
            fp.objects[0].class,
            class_of_read(me(), owned.as_raw_fd()),
            "socket({family}, {ty}, {protocol})"
        );
    }
}

#[test]
fn accepted_sockets_take_the_listeners_class() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listener");
    let addr = listener.local_addr().expect("addr");
    let _client = std::net::TcpStream::connect(addr).expect("connect");
    let mut d = Decoder::new();
    let mut fp = Footprint::default();
    let mut ev = event(
        me(),
        Abi::X86_64,
        "accept4",
        [listener.as_raw_fd() as u64, 0, 0, 0, 0, 0],
    );
    assert!(d.on_entry(&mut fp, &ev));
    let (conn, _) = listener.accept().expect("accept");
    ev.ret = Some(i64::from(conn.as_raw_fd()));
    d.on_exit(&mut fp, &ev);
    let tcp = socket("AF_INET", "SOCK_STREAM", "TCP");
    assert_eq!(fp.objects.len(), 1);
    assert_eq!(fp.objects[0].class, tcp);
    assert_eq!(
        fp.objects[0].syscalls["accept4"], 1,
        "one call, counted once"
    );
    assert_eq!(class_of_read(me(), conn.as_raw_fd()), tcp);
}

#[test]
fn poll_and_select_reach_every_listed_fd() {
    let tcp = TcpListener::bind("127.0.0.1:0").expect("listener");
    let (a, _b) = UnixStream::pair().expect("pair");
    let (t, u) = (tcp.as_raw_fd(), a.as_raw_fd());
    // struct pollfd[3], one entry ignored (fd -1) and one repeated.
    let pollfds: [i32; 8] = [t, 1, -1, 1, u, 1, t, 1];
    let mut d = Decoder::new();
    let mut fp = Footprint::default();
    let poll = event(
        me(),
        Abi::X86_64,
        "ppoll",
        [pollfds.as_ptr() as u64, 4, 0, 0, 0, 0],
    );
    d.on_entry(&mut fp, &poll);
    // fd_set bitmaps: read has the socket, write has the unix socket.
    let mut readfds = [0u64; 16];
    let mut writefds = [0u64; 16];
    readfds[t as usize / 64] |= 1 << (t % 64);
    writefds[u as usize / 64] |= 1 << (u % 64);
    let nfds = t.max(u) as u64 + 1;
    let select = event(
        me(),
        Abi::X86_64,
        "select",
        [
            nfds,
            readfds.as_ptr() as u64,
            writefds.as_ptr() as u64,
            0,
            0,
            0,
        ],
    );
    d.on_entry(&mut fp, &select);
    for class in [
        socket("AF_INET", "SOCK_STREAM", "TCP"),
        socket("AF_UNIX", "SOCK_STREAM", "0"),
    ] {
        let obj = fp
            .objects
            .iter()
            .find(|o| o.class == class)
            .expect("polled object");
        assert_eq!(obj.syscalls["ppoll"], 1, "{class:?} once per call");
        assert_eq!(obj.syscalls["select"], 1, "{class:?}");
    }
    assert_eq!(fp.objects.len(), 2);
}
