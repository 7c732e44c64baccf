//! Objects of a trace without `-y`: follow each process's fd table through
//! the calls that create, copy and close fds, so that `read(3, ...)` can be
//! told to be a read of the file, socket or pipe that fd 3 was made as.
//!
//! This is an inference, weaker than `-y`: fds the process had before the
//! trace (stdin/stdout/stderr, or anything inherited by an attached process)
//! are unknown and their uses are not counted; a child's table is copied
//! from its parent's at the child's first line; threads share their
//! process's table; `O_CLOEXEC` fds are dropped at a successful exec; an fd
//! opened without `O_DIRECTORY` counts as a directory only from the call that
//! shows it is one (`getdents`, `fchdir`, an fstat with `S_IFDIR`) on.
//! Only the common fd-taking syscalls are known (see [`FD_ARGUMENTS`]).

use super::line::{array_items, parse_int, split_top_level, unquote};
use super::objects::{ObjectKnowledge, SocketKind};
use aprof_footprint::ObjectClass;
use std::collections::HashMap;

#[derive(Debug, Clone)]
struct Entry {
    class: ObjectClass,
    close_on_exec: bool,
}

type Table = HashMap<i64, Entry>;

/// The fd tables of every process of a trace.
#[derive(Debug, Default)]
pub struct FdTables {
    tables: HashMap<i32, Table>,
    /// The table of a thread's process when it entered clone/fork: what
    /// the child gets, whatever the parent does before the child's first
    /// line shows up.
    at_clone_entry: HashMap<i32, Table>,
    /// Those copies handed to the child pid the clone returned.
    for_child: HashMap<i32, Table>,
}

/// Which arguments of a syscall are fds (0-based), for the common ones.
const FD_ARGUMENTS: &[(&str, &[usize])] = &[
    ("read", &[0]),
    ("write", &[0]),
    ("pread64", &[0]),
    ("pwrite64", &[0]),
    ("readv", &[0]),
    ("writev", &[0]),
    ("preadv", &[0]),
    ("pwritev", &[0]),
    ("preadv2", &[0]),
    ("pwritev2", &[0]),
    ("close", &[0]),
    ("fstat", &[0]),
    ("fstat64", &[0]),
    ("fstatfs", &[0]),
    ("lseek", &[0]),
    ("_llseek", &[0]),
    ("ioctl", &[0]),
    ("fcntl", &[0]),
    ("fcntl64", &[0]),
    ("fsync", &[0]),
    ("fdatasync", &[0]),
    ("ftruncate", &[0]),
    ("fallocate", &[0]),
    ("fadvise64", &[0]),
    ("readahead", &[0]),
    ("sync_file_range", &[0]),
    ("flock", &[0]),
    ("fchmod", &[0]),
    ("fchown", &[0]),
    ("fchdir", &[0]),
    ("getdents", &[0]),
    ("getdents64", &[0]),
    ("fgetxattr", &[0]),
    ("fsetxattr", &[0]),
    ("flistxattr", &[0]),
    ("fremovexattr", &[0]),
    ("connect", &[0]),
    ("bind", &[0]),
    ("listen", &[0]),
    ("accept", &[0]),
    ("accept4", &[0]),
    ("shutdown", &[0]),
    ("getsockname", &[0]),
    ("getpeername", &[0]),
    ("setsockopt", &[0]),
    ("getsockopt", &[0]),
    ("sendto", &[0]),
    ("recvfrom", &[0]),
    ("sendmsg", &[0]),
    ("recvmsg", &[0]),
    ("sendmmsg", &[0]),
    ("recvmmsg", &[0]),
    ("epoll_ctl", &[0, 2]),
    ("epoll_wait", &[0]),
    ("epoll_pwait", &[0]),
    ("epoll_pwait2", &[0]),
    ("timerfd_settime", &[0]),
    ("timerfd_gettime", &[0]),
    ("inotify_add_watch", &[0]),
    ("inotify_rm_watch", &[0]),
    ("io_uring_enter", &[0]),
    ("io_uring_register", &[0]),
    ("signalfd", &[0]),
    ("signalfd4", &[0]),
    ("dup", &[0]),
    ("dup2", &[0, 1]),
    ("dup3", &[0, 1]),
    ("splice", &[0, 2]),
    ("tee", &[0, 1]),
    ("sendfile", &[0, 1]),
    ("copy_file_range", &[0, 2]),
    ("mmap", &[4]),
    ("mmap2", &[4]),
    ("newfstatat", &[0]),
    ("fstatat64", &[0]),
    ("statx", &[0]),
    ("faccessat", &[0]),
    ("faccessat2", &[0]),
    ("openat", &[0]),
    ("openat2", &[0]),
    ("readlinkat", &[0]),
    ("unlinkat", &[0]),
    ("mkdirat", &[0]),
    ("mknodat", &[0]),
    ("fchmodat", &[0]),
    ("fchownat", &[0]),
    ("utimensat", &[0]),
    ("execveat", &[0]),
    ("renameat", &[0, 2]),
    ("renameat2", &[0, 2]),
    ("linkat", &[0, 2]),
    ("symlinkat", &[1]),
];

/// Anonymous inodes by the syscall that makes them, named as in `-y` output
/// without brackets.
const ANON_MAKERS: &[(&str, &str)] = &[
    ("eventfd", "eventfd"),
    ("eventfd2", "eventfd"),
    ("epoll_create", "eventpoll"),
    ("epoll_create1", "eventpoll"),
    ("timerfd_create", "timerfd"),
    ("signalfd", "signalfd"),
    ("signalfd4", "signalfd"),
    ("inotify_init", "inotify"),
    ("inotify_init1", "inotify"),
    ("fanotify_init", "fanotify"),
    ("userfaultfd", "userfaultfd"),
    ("io_uring_setup", "io_uring"),
    ("perf_event_open", "perf_event"),
    ("pidfd_open", "pidfd"),
];

/// One call as the fd tables see it.
pub struct Call<'a> {
    pub name: &'a str,
    pub args: &'a str,
    /// The return value, `None` when unknown (`?` or unfinished).
    pub result: Option<i64>,
}

impl FdTables {
    /// A thread of process `tgid` entered clone, fork or vfork.
    pub fn clone_entry(&mut self, thread: i32, tgid: i32) {
        let table = self.tables.get(&tgid).cloned().unwrap_or_default();
        self.at_clone_entry.insert(thread, table);
    }

    /// That call returned `child` (a new process; `None` for a thread or a
    /// failure).
    pub fn clone_exit(&mut self, thread: i32, child: Option<i32>) {
        if let (Some(table), Some(child)) = (self.at_clone_entry.remove(&thread), child) {
            self.for_child.insert(child, table);
        }
    }

    /// The table of `tgid`; on first use, a copy of what its parent had at
    /// the fork (`parent` is the thread that forked it and its process).
    fn table(&mut self, tgid: i32, parent: Option<(i32, i32)>) -> &mut Table {
        if !self.tables.contains_key(&tgid) {
            let inherited = self
                .for_child
                .remove(&tgid)
                .or_else(|| {
                    let (thread, parent_tgid) = parent?;
                    // The child's first line came before its parent's fork returned.
                    self.at_clone_entry
                        .get(&thread)
                        .or_else(|| self.tables.get(&parent_tgid))
                        .cloned()
                })
                .unwrap_or_default();
            self.tables.insert(tgid, inherited);
        }
        self.tables.entry(tgid).or_default()
    }

    /// The classes of the objects `call` used, and the table updated by it.
    pub fn on_call(
        &mut self,
        tgid: i32,
        parent: Option<(i32, i32)>,
        call: &Call<'_>,
        knowledge: &ObjectKnowledge,
    ) -> Vec<ObjectClass> {
        let args = split_top_level(call.args);
        let table = self.table(tgid, parent);
        let mut used = Vec::new();
        let fd_at = |i: usize| args.get(i).and_then(|a| parse_int(a)).filter(|&fd| fd >= 0);
        // Listing, entering or fstat-ing (S_IFDIR) an fd shows it is a
        // directory, from that call on.
        let stat_of_fd = matches!(call.name, "fstat" | "fstat64")
            || (matches!(call.name, "newfstatat" | "fstatat64" | "statx")
                && args.get(1) == Some(&"\"\""));
        if matches!(call.name, "getdents" | "getdents64" | "fchdir")
            || (stat_of_fd && call.args.contains("S_IFDIR"))
        {
            if let Some(entry) = fd_at(0).and_then(|fd| table.get_mut(&fd)) {
                if let ObjectClass::File { fstype } = &entry.class {
                    entry.class = ObjectClass::Directory {
                        fstype: fstype.clone(),
                    };
                }
            }
        }
        if let Some((_, indexes)) = FD_ARGUMENTS.iter().find(|(n, _)| *n == call.name) {
            for &i in indexes.iter() {
                if let Some(entry) = fd_at(i).and_then(|fd| table.get(&fd)) {
                    used.push(entry.class.clone());
                }
            }
        }
        if matches!(call.name, "poll" | "ppoll") {
            for item in args.first().map(|a| array_items(a)).unwrap_or_default() {
                let fd = item
                    .trim_start_matches('{')
                    .strip_prefix("fd=")
                    .and_then(|f| parse_int(f.split(',').next().unwrap_or("")));
                if let Some(entry) = fd.and_then(|fd| table.get(&fd)) {
                    used.push(entry.class.clone());
                }
            }
        }
        let close_on_exec = call.args.contains("CLOEXEC");
        let ok = call.result.is_some_and(|r| r >= 0);
        let new_fd = call.result.filter(|&r| r >= 0);
        let mut made: Vec<(i64, ObjectClass, bool)> = Vec::new();
        match call.name {
            "close" if ok => {
                if let Some(fd) = fd_at(0) {
                    table.remove(&fd);
                }
            }
            "close_range" if ok => {
                if let (Some(first), Some(last)) =
                    (fd_at(0), args.get(1).and_then(|a| parse_int(a)))
                {
                    let last = if last < 0 { i64::MAX } else { last };
                    table.retain(|&fd, _| fd < first || fd > last);
                }
            }
            "open" | "creat" | "openat" | "openat2" => {
                let path_index = usize::from(call.name.starts_with("openat"));
                if let (Some(fd), Some(path)) = (new_fd, args.get(path_index)) {
                    let path = unquote(path);
                    // O_TMPFILE carries the O_DIRECTORY bit; strace prints
                    // it as O_TMPFILE alone, and the fd is a file.
                    let tmpfile = call.args.contains("O_TMPFILE");
                    let directory = call.args.contains("O_DIRECTORY");
                    made.push((
                        fd,
                        knowledge.classify_plain_path(&path, directory, tmpfile),
                        close_on_exec,
                    ));
                }
            }
            "memfd_create" => {
                if let Some(fd) = new_fd {
                    let class = ObjectClass::File {
                        fstype: "tmpfs".into(),
                    };
                    made.push((fd, class, close_on_exec));
                }
            }
            "socket" => {
                if let (Some(fd), [family, socket_type, protocol, ..]) = (new_fd, args.as_slice()) {
                    let kind = SocketKind::from_socket_args(family, socket_type, protocol);
                    made.push((fd, kind.into_class(), close_on_exec));
                }
            }
            "socketpair" if ok => {
                if let [family, socket_type, protocol, pair, ..] = args.as_slice() {
                    let kind = SocketKind::from_socket_args(family, socket_type, protocol);
                    for fd in array_items(pair).into_iter().filter_map(parse_int) {
                        made.push((fd, kind.clone().into_class(), close_on_exec));
                    }
                }
            }
            "pipe" | "pipe2" if ok => {
                for fd in args
                    .first()
                    .map(|a| array_items(a))
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(parse_int)
                {
                    made.push((fd, ObjectClass::Pipe, close_on_exec));
                }
            }
            "accept" | "accept4" | "dup" => {
                let source = fd_at(0)
                    .and_then(|fd| table.get(&fd))
                    .map(|e| e.class.clone());
                if let (Some(fd), Some(class)) = (new_fd, source) {
                    made.push((fd, class, close_on_exec));
                }
            }
            "dup2" | "dup3" if ok => {
                let source = fd_at(0)
                    .and_then(|fd| table.get(&fd))
                    .map(|e| e.class.clone());
                if let Some(target) = fd_at(1) {
                    match source {
                        Some(class) => made.push((target, class, close_on_exec)),
                        None => {
                            table.remove(&target);
                        }
                    }
                }
            }
            "fcntl" | "fcntl64" if call.args.contains("F_DUPFD") => {
                let source = fd_at(0)
                    .and_then(|fd| table.get(&fd))
                    .map(|e| e.class.clone());
                if let (Some(fd), Some(class)) = (new_fd, source) {
                    made.push((fd, class, call.args.contains("F_DUPFD_CLOEXEC")));
                }
            }
            "fcntl" | "fcntl64" if call.args.contains("F_SETFD") && ok => {
                if let Some(entry) = fd_at(0).and_then(|fd| table.get_mut(&fd)) {
                    entry.close_on_exec = call.args.contains("FD_CLOEXEC");
                }
            }
            "ioctl" if ok && (call.args.contains("FIOCLEX") || call.args.contains("FIONCLEX")) => {
                if let Some(entry) = fd_at(0).and_then(|fd| table.get_mut(&fd)) {
                    entry.close_on_exec = call.args.contains("FIOCLEX");
                }
            }
            "execve" | "execveat" if call.result == Some(0) => {
                table.retain(|_, e| !e.close_on_exec);
            }
            "bpf" => {
                let kind = if call.args.starts_with("BPF_MAP_CREATE") {
                    Some("bpf-map")
                } else if call.args.starts_with("BPF_PROG_LOAD") {
                    Some("bpf-prog")
                } else {
                    None
                };
                if let (Some(fd), Some(name)) = (new_fd, kind) {
                    made.push((fd, anon(name), true));
                }
            }
            name => {
                if let (Some(fd), Some((_, anon_name))) =
                    (new_fd, ANON_MAKERS.iter().find(|(n, _)| *n == name))
                {
                    made.push((fd, anon(anon_name), close_on_exec));
                }
            }
        }
        for (fd, class, close_on_exec) in made {
            used.push(class.clone());
            table.insert(
                fd,
                Entry {
                    class,
                    close_on_exec,
                },
            );
        }
        used
    }

    /// A process ended: its pid may be reused.
    pub fn forget(&mut self, tgid: i32) {
        self.tables.remove(&tgid);
    }
}

fn anon(name: &str) -> ObjectClass {
    ObjectClass::AnonInode {
        name: name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call<'a>(name: &'a str, args: &'a str, result: i64) -> Call<'a> {
        Call {
            name,
            args,
            result: Some(result),
        }
    }

    #[test]
    fn follows_fds_through_their_life() {
        let k = ObjectKnowledge::default();
        let mut t = FdTables::default();
        let open = call(
            "openat",
            "AT_FDCWD, \"/proc/self/stat\", O_RDONLY|O_CLOEXEC",
            3,
        );
        let proc_file = ObjectClass::File {
            fstype: "proc".into(),
        };
        assert_eq!(t.on_call(1, None, &open, &k), vec![proc_file.clone()]);
        assert_eq!(
            t.on_call(1, None, &call("read", "3, \"x\", 10", 1), &k),
            vec![proc_file.clone()]
        );
        // A child inherits the table; the parent closes its copy.
        assert_eq!(
            t.on_call(2, Some((1, 1)), &call("read", "3, \"x\", 10", 1), &k),
            vec![proc_file.clone()]
        );
        t.on_call(1, None, &call("close", "3", 0), &k);
        assert!(t
            .on_call(1, None, &call("read", "3, \"\", 1", 0), &k)
            .is_empty());
        // Close-on-exec fds go at exec.
        t.on_call(
            2,
            None,
            &call("execve", "\"/bin/true\", [\"true\"], 0x1", 0),
            &k,
        );
        assert!(t
            .on_call(2, None, &call("read", "3, \"\", 1", 0), &k)
            .is_empty());
        t.on_call(1, None, &call("pipe2", "[4, 5], 0", 0), &k);
        t.on_call(1, None, &call("dup2", "5, 1", 1), &k);
        assert_eq!(
            t.on_call(1, None, &call("write", "1, \"x\", 1", 1), &k),
            vec![ObjectClass::Pipe]
        );
        let sock = call("socket", "AF_INET6, SOCK_DGRAM, IPPROTO_IP", 6);
        assert_eq!(
            t.on_call(1, None, &sock, &k),
            vec![ObjectClass::Socket {
                family: "AF_INET6".into(),
                socket_type: "SOCK_DGRAM".into(),
                protocol: "UDP".into()
            }]
        );
        t.on_call(1, None, &call("epoll_create1", "EPOLL_CLOEXEC", 7), &k);
        assert_eq!(
            t.on_call(
                1,
                None,
                &call("epoll_ctl", "7, EPOLL_CTL_ADD, 6, {}", 0),
                &k
            )
            .len(),
            2
        );
    }
}
