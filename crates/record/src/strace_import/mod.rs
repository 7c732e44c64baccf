//! Import of `strace` output into a footprint, for users who already have
//! traces: `strace -f` (or `-ff -o FILE`), with or without `-t`/`-tt`/`-ttt`/
//! `-r` timestamps, `-T`, and `-y`/`-yy` fd decorations.
//!
//! The import reads its input twice. The first pass learns what the whole
//! trace knows (which paths are directories, what made each socket inode,
//! which pid is a thread of which, execs and exits, the first timestamp);
//! the second counts syscalls, objects and argument values with that
//! knowledge, so a socket first seen as `socket:[N]` is still classified by
//! the `socket()` call that made it.
//!
//! Limits of the source: strace does not say filesystem types (see
//! [`objects`]), shows i386 `socketcall`/`ipc` subcalls under their own
//! names (counted as the direct syscalls of those names), and without `-y`
//! shows no objects: then they are inferred by following fd numbers (see
//! `fdtable.rs`), which misses fds opened before the trace. Lines of a
//! single-process trace without pid prefix are attributed to pid 0.

mod consts;
mod fdtable;
mod line;
mod objects;

pub(crate) use line::{parse_line, Body, Outcome, Timestamp};

use crate::vocabulary::{self, Kind};
use aprof_footprint::names;
use aprof_footprint::{errno_name, Abi, Environment, ExitStatus, Footprint, ObjectClass, Process};
use consts::Parse;
use line::{array_items, fd_decorations, split_top_level, unquote};
use objects::{decoration_path, socket_inode, ObjectKnowledge, SocketKind};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// What `aprof import` hands back: the footprint and how the import went.
#[derive(Debug, Clone)]
pub struct Import {
    pub footprint: Footprint,
    pub report: ImportReport,
}

/// Counters of one import, for warnings and tests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportReport {
    /// The files read (several for `strace -ff`).
    pub files: Vec<PathBuf>,
    pub lines: u64,
    /// Syscalls seen (a split unfinished/resumed pair counts once).
    pub syscalls: u64,
    /// Lines that are not a form strace prints.
    pub malformed_lines: u64,
    /// `file:line` of the first of them.
    pub first_malformed: Option<String>,
    /// Syscall names absent from the ABI's table: not counted, by name.
    pub unknown_syscalls: BTreeMap<String, u64>,
    /// Calls strace could only number (`syscall_0x1c3`), counted by number.
    pub numbered_syscalls: u64,
    /// Argument values whose names are not in aprof's constant tables.
    pub undecoded_arguments: u64,
    /// `<... resumed>` lines without their `<unfinished ...>` half.
    pub unpaired_resumes: u64,
    /// Whether any `-y` fd decoration was seen.
    pub decorated: bool,
    /// Whether the trace had timestamps.
    pub timestamps: bool,
}

impl ImportReport {
    /// One line per thing the user should know about the import.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        if self.malformed_lines > 0 {
            w.push(format!(
                "{} line(s) are not strace output and were skipped (first at {})",
                self.malformed_lines,
                self.first_malformed.as_deref().unwrap_or("?")
            ));
        }
        if !self.unknown_syscalls.is_empty() {
            let names: Vec<String> = self
                .unknown_syscalls
                .iter()
                .map(|(n, c)| format!("{n} ({c})"))
                .collect();
            w.push(format!(
                "syscalls not in the ABI table were not counted: {}",
                names.join(", ")
            ));
        }
        if self.numbered_syscalls > 0 {
            w.push(format!(
                "{} call(s) strace could not name (syscall_0x...) were counted by number",
                self.numbered_syscalls
            ));
        }
        if self.undecoded_arguments > 0 {
            w.push(format!(
                "{} argument value(s) with names aprof does not know were left out",
                self.undecoded_arguments
            ));
        }
        if self.unpaired_resumes > 0 {
            w.push(format!(
                "{} resumed syscall(s) had no unfinished half (trace started mid-call?); counted with partial arguments",
                self.unpaired_resumes
            ));
        }
        if !self.decorated && self.syscalls > 0 {
            w.push(
                "the trace has no fd decorations: kernel objects were inferred by following fd numbers, and fds opened before the trace are not counted (trace with strace -f -yy for exact objects)"
                    .into(),
            );
        }
        w
    }
}

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: no such file, nor strace -ff files named {path}.PID")]
    NotFound { path: PathBuf },
    #[error("{path}: not strace output: no syscall line among {lines} line(s)")]
    NotStrace { path: PathBuf, lines: u64 },
}

/// One input: a file, or text given directly.
struct Source {
    name: PathBuf,
    text: Option<String>,
    /// The pid of unprefixed lines (`strace -ff` names files `FILE.PID`).
    default_pid: Option<i32>,
}

/// Import strace output files. A path that does not exist but has
/// `PATH.PID` siblings is read as an `strace -ff -o PATH` set.
pub fn import_files(paths: &[PathBuf]) -> Result<Import, ImportError> {
    let mut sources = Vec::new();
    for path in paths {
        sources.extend(resolve_input(path)?);
    }
    run(&sources)
}

/// Import strace output held in memory.
pub fn import_str(text: &str) -> Result<Import, ImportError> {
    run(&[Source {
        name: PathBuf::from("<input>"),
        text: Some(text.to_owned()),
        default_pid: None,
    }])
}

fn resolve_input(path: &Path) -> Result<Vec<Source>, ImportError> {
    let pid_suffix = |p: &Path| -> Option<i32> {
        let ext = p.extension()?.to_str()?;
        ext.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| ext.parse().ok())?
    };
    if path.exists() {
        return Ok(vec![Source {
            name: path.to_owned(),
            text: None,
            default_pid: pid_suffix(path),
        }]);
    }
    let not_found = || ImportError::NotFound {
        path: path.to_owned(),
    };
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(not_found)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let entries = std::fs::read_dir(&dir).map_err(|_| not_found())?;
    let prefix = format!("{file_name}.");
    let mut found: Vec<(i32, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let pid = name.strip_prefix(&prefix)?;
            if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some((pid.parse().ok()?, e.path()))
        })
        .collect();
    if found.is_empty() {
        return Err(not_found());
    }
    found.sort();
    Ok(found
        .into_iter()
        .map(|(pid, p)| Source {
            name: p,
            text: None,
            default_pid: Some(pid),
        })
        .collect())
}

/// A syscall with both halves joined.
#[derive(Debug)]
struct Event {
    pid: i32,
    /// Absolute time on the trace's own scale (see [`Clock`]).
    time: Option<u64>,
    name: String,
    args: String,
    result: Option<OwnedOutcome>,
}

#[derive(Debug)]
struct OwnedOutcome {
    value: Option<i64>,
    decoration: Option<String>,
    errno: Option<String>,
}

impl From<Outcome<'_>> for OwnedOutcome {
    fn from(o: Outcome<'_>) -> Self {
        OwnedOutcome {
            value: o.value,
            decoration: o.decoration.map(str::to_owned),
            errno: o.errno.map(str::to_owned),
        }
    }
}

/// What the walk over the input hands to a pass.
#[derive(Debug)]
enum Item {
    /// `paired` is false for a `<... resumed>` without its first half.
    Syscall {
        event: Event,
        paired: bool,
    },
    Exit {
        pid: i32,
        status: ExitStatus,
    },
    /// `pid` from the message, `line_pid` the pid the line is attributed to.
    Personality {
        pid: i32,
        line_pid: i32,
        abi: Abi,
    },
    Malformed {
        line_no: usize,
    },
    /// A thread entered clone/clone3/fork/vfork (printed before the child
    /// can show up).
    CloneEntry {
        pid: i32,
    },
    Other,
}

/// Turns one source's timestamps into one absolute scale: `-tt` clock
/// times across midnight, `-r` deltas summed.
#[derive(Default)]
struct Clock {
    last_wall: Option<u64>,
    day_offset: u64,
    relative_sum: u64,
}

const DAY_NS: u64 = 86_400 * 1_000_000_000;

impl Clock {
    fn absolute(&mut self, t: Timestamp) -> u64 {
        match t {
            Timestamp::WallClock(ns) => {
                if let Some(last) = self.last_wall {
                    if ns.saturating_add(DAY_NS / 2) < last {
                        self.day_offset += DAY_NS;
                    }
                }
                self.last_wall = Some(ns);
                ns.saturating_add(self.day_offset)
            }
            Timestamp::Epoch(ns) => ns,
            Timestamp::Relative(delta) => {
                self.relative_sum = self.relative_sum.saturating_add(delta);
                self.relative_sum
            }
        }
    }
}

/// Joins the unfinished and resumed halves of each pid's syscalls.
struct Walker {
    default_pid: Option<i32>,
    /// The start of a line that strace's own message cut in two (stderr
    /// output: `clone(...SIGCHLDstrace: Process 5 attached` + `, ...) = 5`).
    carry: Option<String>,
    /// Pids seen with a prefix and not exited. strace writing to stderr
    /// drops the prefix whenever one process is left: that one.
    alive: HashSet<i32>,
    pending: HashMap<i32, Event>,
    clock: Clock,
}

impl Walker {
    fn new(source: &Source) -> Walker {
        Walker {
            default_pid: source.default_pid,
            carry: None,
            alive: HashSet::new(),
            pending: HashMap::new(),
            clock: Clock::default(),
        }
    }

    fn flush(&mut self, pid: i32, out: &mut Vec<Item>) {
        if let Some(event) = self.pending.remove(&pid) {
            out.push(Item::Syscall {
                event,
                paired: true,
            });
        }
    }

    fn feed(&mut self, line_no: usize, text: &str, out: &mut Vec<Item>) {
        let joined;
        let text = match self.carry.take() {
            Some(mut start) => {
                start.push_str(text.trim_start_matches(['\r', '\n']));
                joined = start;
                joined.as_str()
            }
            None => text,
        };
        if let Some(i) = text.find("strace: Process ").filter(|&i| i > 0) {
            self.carry = Some(text[..i].to_owned());
            out.push(Item::Other);
            return;
        }
        let parsed = parse_line(text);
        let sole_alive = || (self.alive.len() == 1).then(|| self.alive.iter().next().copied())?;
        let pid = match parsed.pid {
            Some(p) => {
                self.alive.insert(p);
                p
            }
            None => self.default_pid.or_else(sole_alive).unwrap_or(0),
        };
        if matches!(parsed.body, Body::Exited(_) | Body::Killed { .. }) {
            self.alive.remove(&pid);
        }
        let time = parsed.time.map(|t| self.clock.absolute(t));
        let event = |name: &str, args: &str, result: Option<Outcome<'_>>| Event {
            pid,
            time,
            name: name.to_owned(),
            args: args.to_owned(),
            result: result.map(Into::into),
        };
        match parsed.body {
            Body::Call { name, args, result } => {
                self.flush(pid, out);
                if is_clone(name) {
                    out.push(Item::CloneEntry { pid });
                }
                out.push(Item::Syscall {
                    event: event(name, args, Some(result)),
                    paired: true,
                });
            }
            Body::Unfinished { name, args } => match self.pending.get_mut(&pid) {
                // `<... x resumed> <unfinished ...>`: still not done.
                Some(p) if p.name == name => p.args.push_str(args),
                _ => {
                    self.flush(pid, out);
                    if is_clone(name) {
                        out.push(Item::CloneEntry { pid });
                    }
                    self.pending.insert(pid, event(name, args, None));
                }
            },
            Body::Resumed { name, args, result } => match self.pending.remove(&pid) {
                Some(mut p) if p.name == name => {
                    if !p.args.is_empty() && !args.is_empty() && !p.args.ends_with(' ') {
                        p.args.push(' ');
                    }
                    p.args.push_str(args);
                    p.result = Some(result.into());
                    out.push(Item::Syscall {
                        event: p,
                        paired: true,
                    });
                }
                other => {
                    if let Some(old) = other {
                        out.push(Item::Syscall {
                            event: old,
                            paired: true,
                        });
                    }
                    out.push(Item::Syscall {
                        event: event(name, args, Some(result)),
                        paired: false,
                    });
                }
            },
            Body::Exited(code) => {
                self.flush(pid, out);
                out.push(Item::Exit {
                    pid,
                    status: ExitStatus::Exited(code),
                });
            }
            Body::Killed { signal } => {
                self.flush(pid, out);
                out.push(Item::Exit {
                    pid,
                    status: ExitStatus::Signaled(signal_number(signal).unwrap_or(0)),
                });
            }
            Body::Personality { pid: real, abi } => out.push(Item::Personality {
                pid: real,
                line_pid: pid,
                abi,
            }),
            Body::Signal { .. } | Body::Note | Body::Blank => out.push(Item::Other),
            Body::Malformed => out.push(Item::Malformed { line_no }),
        }
    }

    /// Calls still unfinished at the end (the trace stopped, or the process
    /// died in them) happened all the same.
    fn finish(self, out: &mut Vec<Item>) {
        let mut rest: Vec<Event> = self.pending.into_values().collect();
        rest.sort_by_key(|e| e.pid);
        out.extend(rest.into_iter().map(|event| Item::Syscall {
            event,
            paired: true,
        }));
    }
}

fn is_clone(name: &str) -> bool {
    matches!(name, "clone" | "clone3" | "fork" | "vfork")
}

fn for_each_line(source: &Source, mut f: impl FnMut(usize, &str)) -> Result<(), ImportError> {
    if let Some(text) = &source.text {
        for (i, l) in text.lines().enumerate() {
            f(i + 1, l);
        }
        return Ok(());
    }
    let io_error = |e| ImportError::Io {
        path: source.name.clone(),
        source: e,
    };
    let file = std::fs::File::open(&source.name).map_err(io_error)?;
    let mut reader = std::io::BufReader::new(file);
    let mut buf = Vec::new();
    let mut line_no = 0;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf).map_err(io_error)? == 0 {
            return Ok(());
        }
        line_no += 1;
        f(line_no, &String::from_utf8_lossy(&buf));
    }
}

/// Read every source and hand each item to `handle`; returns the number
/// of lines read.
fn walk(sources: &[Source], mut handle: impl FnMut(&Source, Item)) -> Result<u64, ImportError> {
    let mut lines = 0;
    for source in sources {
        let mut walker = Walker::new(source);
        let mut items = Vec::new();
        for_each_line(source, |line_no, text| {
            lines += 1;
            walker.feed(line_no, text, &mut items);
            for item in items.drain(..) {
                handle(source, item);
            }
        })?;
        walker.finish(&mut items);
        for item in items {
            handle(source, item);
        }
    }
    Ok(lines)
}

/// The first pass: what the whole trace knows.
#[derive(Default)]
struct Learned {
    report: ImportReport,
    knowledge: ObjectKnowledge,
    /// Pids in order of first appearance.
    order: Vec<i32>,
    seen: HashSet<i32>,
    /// Thread id -> the thread that cloned it with CLONE_THREAD.
    thread_parent: HashMap<i32, i32>,
    /// Child pid -> the thread that forked it.
    fork_parent: HashMap<i32, i32>,
    execs: HashMap<i32, (String, Vec<String>)>,
    exits: HashMap<i32, ExitStatus>,
    /// Smallest absolute time seen: time zero of `first_seen_ns`.
    base_time: Option<u64>,
    first_epoch: Option<u64>,
    last_epoch: Option<u64>,
}

impl Learned {
    fn see(&mut self, pid: i32) {
        if self.seen.insert(pid) {
            self.order.push(pid);
        }
    }

    fn learn(&mut self, source: &Source, item: Item) {
        match item {
            Item::Syscall { event, paired } => {
                self.report.syscalls += 1;
                if !paired {
                    self.report.unpaired_resumes += 1;
                }
                self.see(event.pid);
                if let Some(t) = event.time {
                    self.report.timestamps = true;
                    self.base_time = Some(self.base_time.map_or(t, |b| b.min(t)));
                    if t >= 100_000_000 * 1_000_000_000 {
                        self.first_epoch = Some(self.first_epoch.map_or(t, |f| f.min(t)));
                        self.last_epoch = Some(self.last_epoch.map_or(t, |l| l.max(t)));
                    }
                }
                self.learn_processes(&event);
                self.learn_objects(&event);
            }
            Item::Exit { pid, status } => {
                self.see(pid);
                self.exits.insert(pid, status);
            }
            Item::Malformed { line_no } => {
                self.report.malformed_lines += 1;
                if self.report.first_malformed.is_none() {
                    self.report.first_malformed =
                        Some(format!("{}:{line_no}", source.name.display()));
                }
            }
            Item::Personality { .. } | Item::CloneEntry { .. } | Item::Other => {}
        }
    }

    fn learn_processes(&mut self, ev: &Event) {
        let value = ev.result.as_ref().and_then(|r| r.value);
        match ev.name.as_str() {
            "clone" | "clone3" | "fork" | "vfork" => {
                if let Some(child) = value.filter(|&v| v > 0 && v <= i32::MAX as i64) {
                    let child = child as i32;
                    if ev.args.contains("CLONE_THREAD") {
                        self.thread_parent.insert(child, ev.pid);
                    } else {
                        self.fork_parent.insert(child, ev.pid);
                    }
                }
            }
            "execve" | "execveat" if value == Some(0) => {
                let args = split_top_level(&ev.args);
                let first = usize::from(ev.name == "execveat");
                let exe = args.get(first).map(|a| unquote(a)).unwrap_or_default();
                let argv = args
                    .get(first + 1)
                    .map(|a| array_items(a).into_iter().map(unquote).collect())
                    .unwrap_or_default();
                self.execs.insert(ev.pid, (exe, argv));
            }
            _ => {}
        }
    }

    fn learn_objects(&mut self, ev: &Event) {
        let decorations = fd_decorations(&ev.args);
        let result_decoration = ev.result.as_ref().and_then(|r| r.decoration.as_deref());
        if !decorations.is_empty() || result_decoration.is_some() {
            self.report.decorated = true;
        }
        let dirs = &mut self.knowledge.directories;
        for d in decorations.iter().filter(|d| d.at_fdcwd) {
            dirs.insert(d.text.to_owned());
        }
        let first_fd_path = || {
            decorations
                .iter()
                .find(|d| !d.at_fdcwd)
                .and_then(|d| decoration_path(d.text))
        };
        match ev.name.as_str() {
            "getdents" | "getdents64" | "fchdir" | "readdir" => {
                if let Some(p) = first_fd_path() {
                    dirs.insert(p.to_owned());
                }
            }
            "open" | "openat" | "openat2" | "creat" if ev.args.contains("O_DIRECTORY") => {
                if let Some(p) = result_decoration.and_then(decoration_path) {
                    dirs.insert(p.to_owned());
                }
            }
            "fstat" | "fstat64" | "newfstatat" | "fstatat64" | "statx"
                if ev.args.contains("S_IFDIR") =>
            {
                let args = split_top_level(&ev.args);
                let path_arg = args.get(1).map(|a| unquote(a)).unwrap_or_default();
                if ev.name.starts_with("fstat") && !ev.name.starts_with("fstatat")
                    || path_arg.is_empty()
                {
                    if let Some(p) = first_fd_path() {
                        dirs.insert(p.to_owned());
                    }
                } else if path_arg.starts_with('/') {
                    dirs.insert(path_arg);
                }
            }
            _ => {}
        }
        let sockets = &mut self.knowledge.sockets;
        let args = split_top_level(&ev.args);
        match ev.name.as_str() {
            "socket" => {
                if let (Some(inode), [family, socket_type, protocol, ..]) =
                    (result_decoration.and_then(socket_inode), args.as_slice())
                {
                    sockets.insert(
                        inode,
                        SocketKind::from_socket_args(family, socket_type, protocol),
                    );
                }
            }
            "socketpair" => {
                if let [family, socket_type, protocol, pair, ..] = args.as_slice() {
                    let kind = SocketKind::from_socket_args(family, socket_type, protocol);
                    for d in fd_decorations(pair) {
                        if let Some(inode) = socket_inode(d.text) {
                            sockets.insert(inode, kind.clone());
                        }
                    }
                }
            }
            "accept" | "accept4" => {
                let listener = decorations
                    .first()
                    .and_then(|d| socket_inode(d.text))
                    .and_then(|i| sockets.get(&i))
                    .cloned();
                if let (Some(kind), Some(inode)) =
                    (listener, result_decoration.and_then(socket_inode))
                {
                    sockets.insert(inode, kind);
                }
            }
            _ => {}
        }
    }

    /// The thread group of a thread id.
    fn tgid(&self, tid: i32) -> i32 {
        let mut t = tid;
        for _ in 0..64 {
            match self.thread_parent.get(&t) {
                Some(&p) if p != t => t = p,
                _ => break,
            }
        }
        t
    }

    /// Lines without a pid prefix went to pid 0. When strace printed its
    /// output to stderr, those are the first process's lines before its
    /// first fork: the one pid that is nobody's child.
    fn pid_zero_alias(&self) -> Option<i32> {
        if !self.seen.contains(&0) {
            return None;
        }
        let mut roots = self.order.iter().filter(|&&p| {
            p != 0 && !self.thread_parent.contains_key(&p) && !self.fork_parent.contains_key(&p)
        });
        match (roots.next(), roots.next()) {
            (Some(&root), None) => Some(root),
            _ => None,
        }
    }

    fn processes(&self) -> Vec<Process> {
        let alias = self.pid_zero_alias();
        let real = |pid: i32| if pid == 0 { alias.unwrap_or(0) } else { pid };
        let mut processes: Vec<Process> = Vec::new();
        let mut index: HashMap<i32, usize> = HashMap::new();
        let mut threads: HashMap<i32, HashSet<i32>> = HashMap::new();
        for &raw in &self.order {
            let tid = real(raw);
            let tgid = self.tgid(tid);
            threads.entry(tgid).or_default().insert(tid);
            if index.contains_key(&tgid) {
                continue;
            }
            index.insert(tgid, processes.len());
            processes.push(Process {
                pid: tgid,
                parent: self.fork_parent.get(&tgid).map(|&p| self.tgid(real(p))),
                threads: 1,
                ..Default::default()
            });
        }
        // Execs in trace order are not kept; the last exec of a process is
        // the one of its last-seen exec'ing thread, which is exact for the
        // usual single exec per process.
        for &raw in &self.order {
            if let Some((exe, argv)) = self.execs.get(&raw) {
                let tgid = self.tgid(real(raw));
                if let Some(&i) = index.get(&tgid) {
                    processes[i].exe.clone_from(exe);
                    processes[i].argv.clone_from(argv);
                }
            }
        }
        // A process that never exec'd runs its parent's program (parents
        // come first in this order). Without the order of exec and fork in
        // the parent, its last exec is taken.
        for i in 0..processes.len() {
            if processes[i].exe.is_empty() {
                let parent = processes[i].parent.and_then(|p| index.get(&p).copied());
                if let Some(j) = parent.filter(|&j| j < i) {
                    let (exe, argv) = (processes[j].exe.clone(), processes[j].argv.clone());
                    processes[i].exe = exe;
                    processes[i].argv = argv;
                }
            }
        }
        for p in &mut processes {
            p.threads = threads.get(&p.pid).map_or(1, |t| t.len() as u32);
            let leader_exit = self
                .exits
                .get(&p.pid)
                .or_else(|| (alias == Some(p.pid)).then(|| self.exits.get(&0)).flatten());
            p.exit = leader_exit.copied();
        }
        processes
    }
}

/// The second pass: counting.
struct Counter<'a> {
    learned: &'a Learned,
    footprint: Footprint,
    report: ImportReport,
    abi_of: HashMap<i32, Abi>,
    /// Fd tables, for traces without `-y` only.
    fds: fdtable::FdTables,
}

impl Counter<'_> {
    fn count(&mut self, item: Item) {
        match item {
            Item::Syscall { event, .. } => self.count_event(&event),
            Item::Personality { pid, line_pid, abi } => {
                self.abi_of.insert(pid, abi);
                self.abi_of.insert(line_pid, abi);
            }
            Item::Exit { pid, .. } => {
                if self.learned.tgid(pid) == pid {
                    self.fds.forget(pid);
                }
            }
            Item::CloneEntry { pid } => {
                if !self.learned.report.decorated {
                    self.fds.clone_entry(pid, self.learned.tgid(pid));
                }
            }
            Item::Malformed { .. } | Item::Other => {}
        }
    }

    /// The ABI a pid runs in: its own last personality, else its parent's
    /// (a child starts in its parent's mode until it execs), else x86_64.
    fn abi_of_pid(&self, pid: i32) -> Abi {
        let mut p = pid;
        for _ in 0..64 {
            if let Some(&abi) = self.abi_of.get(&p) {
                return abi;
            }
            match self
                .learned
                .thread_parent
                .get(&p)
                .or_else(|| self.learned.fork_parent.get(&p))
            {
                Some(&parent) if parent != p => p = parent,
                _ => break,
            }
        }
        Abi::X86_64
    }

    fn count_event(&mut self, ev: &Event) {
        let abi = self.abi_of_pid(ev.pid);
        let at_ns = match (ev.time, self.learned.base_time) {
            (Some(t), Some(base)) => t.saturating_sub(base),
            _ => 0,
        };
        let name = ev.name.as_str();
        let number = abi.table().number(name).or_else(|| {
            let n = numbered_syscall(name)?;
            self.report.numbered_syscalls += 1;
            Some(n)
        });
        match number {
            Some(number) => {
                self.footprint.count_syscall(abi, number, None, at_ns);
                if let Some(errno) = ev.result.as_ref().and_then(|r| r.errno.as_deref()) {
                    self.count_error(abi, number, errno);
                }
            }
            None => {
                *self
                    .report
                    .unknown_syscalls
                    .entry(name.to_owned())
                    .or_default() += 1
            }
        }
        self.count_objects(ev);
        self.count_arguments(ev, abi);
    }

    fn count_error(&mut self, abi: Abi, number: u32, errno: &str) {
        // Name errors as the recorder does (one name per value, aliases
        // such as EWOULDBLOCK resolved); keep strace's name where the
        // table has none.
        let name = consts::errno_value(errno).map_or_else(|| errno.to_owned(), errno_name);
        let syscall = aprof_footprint::syscall_name(abi, number);
        if let Some(stats) = self
            .footprint
            .syscalls
            .get_mut(&abi)
            .and_then(|m| m.get_mut(&syscall))
        {
            stats.errors += 1;
            *stats.errno.entry(name).or_default() += 1;
        }
    }

    fn count_objects(&mut self, ev: &Event) {
        let (classes, ioctl_target) = if self.learned.report.decorated {
            self.decorated_objects(ev)
        } else {
            self.inferred_objects(ev)
        };
        let mut distinct: Vec<ObjectClass> = Vec::new();
        for class in classes {
            if !distinct.contains(&class) {
                distinct.push(class);
            }
        }
        for class in distinct {
            self.footprint.count_object(class, &ev.name);
        }
        if ev.name != "ioctl" {
            return;
        }
        let args = split_top_level(&ev.args);
        let (Some(class), Some(request)) = (ioctl_target, args.get(1)) else {
            return;
        };
        let Some(value) = Kind::IoctlRequest.evaluate(request) else {
            return;
        };
        // The object was counted above (the ioctl's fd is among `classes`).
        let Some(obj) = self.footprint.objects.iter_mut().find(|o| o.class == class) else {
            return;
        };
        let usage = obj
            .ioctls
            .entry(value)
            .or_insert_with(|| aprof_footprint::ValueUse {
                name: names::ioctl::ioctl_name(value).map(str::to_owned),
                count: 0,
            });
        usage.count += 1;
    }

    /// Objects from `-y` decorations: every decorated fd argument and a
    /// decorated returned fd; and the object an ioctl was made on.
    fn decorated_objects(&self, ev: &Event) -> (Vec<ObjectClass>, Option<ObjectClass>) {
        let knowledge = &self.learned.knowledge;
        let decorations = fd_decorations(&ev.args);
        let mut classes: Vec<ObjectClass> = decorations
            .iter()
            .filter(|d| !d.at_fdcwd)
            .map(|d| knowledge.classify(d.text))
            .collect();
        if let Some(r) = &ev.result {
            if let (Some(d), Some(v)) = (&r.decoration, r.value) {
                if v >= 0 {
                    classes.push(knowledge.classify(d));
                }
            }
        }
        let ioctl_target = (ev.name == "ioctl")
            .then(|| split_top_level(&ev.args).first().copied())
            .flatten()
            .and_then(|fd| fd_decorations(fd).into_iter().next())
            .map(|d| knowledge.classify(d.text));
        (classes, ioctl_target)
    }

    /// Objects of a trace without decorations, from the fd tables.
    fn inferred_objects(&mut self, ev: &Event) -> (Vec<ObjectClass>, Option<ObjectClass>) {
        let tgid = self.learned.tgid(ev.pid);
        let parent = self
            .learned
            .fork_parent
            .get(&tgid)
            .map(|&thread| (thread, self.learned.tgid(thread)));
        let call = fdtable::Call {
            name: &ev.name,
            args: &ev.args,
            result: ev.result.as_ref().and_then(|r| r.value),
        };
        let classes = self
            .fds
            .on_call(tgid, parent, &call, &self.learned.knowledge);
        if is_clone(&ev.name) {
            let child = call
                .result
                .filter(|&c| c > 0 && c <= i32::MAX as i64 && !ev.args.contains("CLONE_THREAD"));
            self.fds.clone_exit(ev.pid, child.map(|c| c as i32));
        }
        let ioctl_target = (ev.name == "ioctl")
            .then(|| classes.first().cloned())
            .flatten();
        (classes, ioctl_target)
    }

    /// Count the argument values the vocabulary keeps, parsed from
    /// strace's text to numbers and named as the recorder names them.
    fn count_arguments(&mut self, ev: &Event, abi: Abi) {
        let kept = vocabulary::kept(&ev.name);
        if kept.is_empty() {
            return;
        }
        let args = split_top_level(&ev.args);
        let text_of = |index: u8| -> Option<&str> {
            match ev.name.as_str() {
                // `clone(child_stack=..., flags=..., ...)`: flags by name.
                "clone" => args
                    .iter()
                    .find_map(|a| a.strip_prefix("flags="))
                    .or_else(|| args.get(usize::from(index)).copied()),
                "clone3" => args.first().and_then(|a| struct_field(a, "flags")),
                _ => args.get(usize::from(index)).copied(),
            }
        };
        let mut values = [0u64; 6];
        let mut parsed = Vec::with_capacity(kept.len());
        for &k in kept {
            let Some(text) = text_of(k.index) else {
                continue;
            };
            let value = match k.kind {
                Kind::FsName => Some(names::string_key(&unquote(text))),
                kind => kind.evaluate(text),
            };
            match value {
                Some(v) => {
                    values[usize::from(k.index)] = v;
                    parsed.push((k, v, text));
                }
                None => self.report.undecoded_arguments += 1,
            }
        }
        // seccomp's flags are kept for SET_MODE_FILTER only, as recorded.
        if ev.name == "seccomp" && values[0] != 1 {
            parsed.retain(|(k, ..)| k.index == 0);
        }
        for (k, value, text) in parsed {
            let ctx = vocabulary::Context {
                args: values,
                i386: abi == Abi::I386,
                exit_signal: (k.kind == Kind::Clone3Flags)
                    .then(|| args.first().and_then(|a| struct_field(a, "exit_signal")))
                    .flatten()
                    .and_then(signal_number)
                    .map(|s| s as u64),
                text: (k.kind == Kind::FsName).then(|| unquote(text)),
            };
            vocabulary::count(&mut self.footprint, &ev.name, k, value, || {
                vocabulary::name(k.kind, value, &ctx)
            });
        }
    }
}

/// `{flags=A|B, exit_signal=...} => {...}` -> `A|B`.
fn struct_field<'t>(text: &'t str, field: &str) -> Option<&'t str> {
    let inner = text.trim().strip_prefix('{')?;
    let close = inner.find('}').unwrap_or(inner.len());
    split_top_level(&inner[..close])
        .into_iter()
        .find_map(|f| f.strip_prefix(field)?.strip_prefix('='))
}

/// `syscall_0x1c3` -> 0x1c3: strace's name for numbers it does not know.
fn numbered_syscall(name: &str) -> Option<u32> {
    let digits = name.strip_prefix("syscall_")?;
    let n = line::parse_int(digits)?;
    u32::try_from(n).ok()
}

fn signal_number(name: &str) -> Option<i32> {
    names::value_of(name.trim(), &[names::SIGNALS])
        .or_else(|| line::parse_int(name.trim()).map(|n| n as u64))
        .filter(|&v| v < 65)
        .map(|v| v as i32)
}

fn rfc3339(epoch_ns: u64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(epoch_ns as i128)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

fn run(sources: &[Source]) -> Result<Import, ImportError> {
    let mut learned = Learned::default();
    learned.report.lines = walk(sources, |source, item| learned.learn(source, item))?;
    learned.report.files = sources.iter().map(|s| s.name.clone()).collect();
    if learned.report.syscalls == 0 {
        return Err(ImportError::NotStrace {
            path: sources.first().map(|s| s.name.clone()).unwrap_or_default(),
            lines: learned.report.lines,
        });
    }
    let processes = learned.processes();
    let environment = Environment {
        arch: "x86_64".into(),
        aprof_version: env!("CARGO_PKG_VERSION").into(),
        recorder: "strace-import".into(),
        started_at: learned.first_epoch.map(rfc3339).unwrap_or_default(),
        ended_at: learned.last_epoch.map(rfc3339).unwrap_or_default(),
        command: processes
            .iter()
            .find(|p| !p.argv.is_empty())
            .map(|p| p.argv.clone())
            .unwrap_or_default(),
        ..Default::default()
    };
    let mut footprint = Footprint::new(environment);
    footprint.exit = processes.first().and_then(|p| p.exit);
    footprint.processes = processes;
    let mut counter = Counter {
        learned: &learned,
        footprint,
        report: learned.report.clone(),
        abi_of: HashMap::new(),
        fds: fdtable::FdTables::default(),
    };
    walk(sources, |_, item| counter.count(item))?;
    let Counter {
        mut footprint,
        report,
        ..
    } = counter;
    if !report.timestamps {
        for stats in footprint.syscalls.values_mut().flat_map(|m| m.values_mut()) {
            stats.first_seen_ns = None;
        }
    }
    Ok(Import { footprint, report })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"100 execve("/usr/bin/sh", ["sh", "-c", "ls"], 0x7ffd /* 3 vars */) = 0
100 openat(AT_FDCWD</tmp>, "/etc/x", O_RDONLY) = -1 ENOENT (No such file or directory)
100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 101
101 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP <unfinished ...>
100 wait4(-1,  <unfinished ...>
101 <... socket resumed>) = 3<socket:[77]>
101 connect(3<socket:[77]>, {sa_family=AF_INET}, 16) = 0
101 ioctl(1</dev/pts/0>, TCGETS, {c_iflag=0}) = 0
101 +++ exited with 0 +++
100 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 101
100 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=101} ---
100 exit_group(0) = ?
100 +++ exited with 0 +++
"#;

    #[test]
    fn imports_a_small_trace() {
        let import = import_str(SAMPLE).expect("import");
        let fp = &import.footprint;
        let names: Vec<&str> = fp.syscall_names(Abi::X86_64).collect();
        assert_eq!(
            names,
            vec![
                "clone",
                "connect",
                "execve",
                "exit_group",
                "ioctl",
                "openat",
                "socket",
                "wait4"
            ]
        );
        assert_eq!(fp.syscalls[&Abi::X86_64]["openat"].errno["ENOENT"], 1);
        assert_eq!(fp.processes.len(), 2);
        assert_eq!(fp.processes[0].argv, vec!["sh", "-c", "ls"]);
        assert_eq!(fp.processes[1].parent, Some(100));
        assert_eq!(fp.exit, Some(ExitStatus::Exited(0)));
        let tcp = ObjectClassExt::socket("AF_INET", "SOCK_STREAM", "TCP");
        let obj = fp
            .objects
            .iter()
            .find(|o| o.class == tcp)
            .expect("tcp object");
        assert_eq!(obj.syscalls["connect"], 1);
        assert_eq!(obj.syscalls["socket"], 1);
        let tty = fp
            .objects
            .iter()
            .find(|o| {
                matches!(
                    o.class,
                    aprof_footprint::ObjectClass::CharDevice { major: 136, .. }
                )
            })
            .expect("pts");
        assert_eq!(tty.ioctls[&0x5401].name.as_deref(), Some("TCGETS"));
        assert_eq!(tty.syscalls["ioctl"], 1);
        let clone = &fp.arguments["clone/0"];
        assert_eq!(
            clone.values.keys().copied().collect::<Vec<_>>(),
            vec![0x0120_0011]
        );
        assert_eq!(import.report.malformed_lines, 0);
        assert!(import.report.first_malformed.is_none());
    }

    struct ObjectClassExt;
    impl ObjectClassExt {
        fn socket(f: &str, t: &str, p: &str) -> aprof_footprint::ObjectClass {
            aprof_footprint::ObjectClass::Socket {
                family: f.into(),
                socket_type: t.into(),
                protocol: p.into(),
            }
        }
    }

    #[test]
    fn not_strace_is_an_error() {
        assert!(matches!(
            import_str("hello\nworld\n"),
            Err(ImportError::NotStrace { lines: 2, .. })
        ));
    }
}
