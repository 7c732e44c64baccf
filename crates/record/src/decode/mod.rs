//! Decoding what a syscall reached: the kernel object behind a file
//! descriptor, argument values worth keeping, mapped code and guard state.
//!
//! The tracing engine calls [`Decoder`] at syscall entry and exit; the
//! decoder fills the object, argument, code and guard parts of the footprint.
//!
//! Protocol for the engine:
//! - [`Decoder::on_entry`] for every syscall entry, with `ret: None`. When it
//!   returns true, call [`Decoder::on_exit`] at that syscall's exit with
//!   `ret: Some(raw return value)` (negative errno on failure, as
//!   `PTRACE_GET_SYSCALL_INFO`'s `rval`); other exits may be skipped.
//! - [`Decoder::on_new_process`] when a new thread group appears (fork,
//!   vfork, clone without CLONE_THREAD), [`Decoder::on_attach`] for a
//!   process attached to with `--pid`.
//! - [`Decoder::on_exec`] after a successful exec (PTRACE_EVENT_EXEC),
//!   [`Decoder::on_process_end`] while the memory of an exiting process is
//!   still there (PTRACE_EVENT_EXIT) or before detaching.
//! - [`Decoder::set_recorder_guards`] once, before the workload runs, when
//!   the recorder adds a seccomp filter or NO_NEW_PRIVS of its own.
//!
//! Object uses are counted under the syscall name; i386 `socketcall`
//! sub-calls under `socketcall:<call>` (also the key of their arguments).

pub mod elf;
pub mod guards;
pub mod maps;
pub mod memory;
pub mod objects;
pub mod procfs;
pub mod syscalls;

use crate::vocabulary::{self, Context};
use aprof_footprint::abi::X32_SYSCALL_BIT;
use aprof_footprint::names;
use aprof_footprint::{Abi, Footprint, GuardState, ObjectClass};
use std::collections::HashMap;
use syscalls::{Condition, Creates, Spec, Special};

/// One syscall as the tracer saw it.
#[derive(Debug, Clone)]
pub struct SyscallEvent {
    /// The thread that made the call.
    pub tid: i32,
    /// Its thread group (process).
    pub tgid: i32,
    pub abi: Abi,
    /// The number as the ABI numbers it (x32 with the x32 bit).
    pub number: u32,
    pub args: [u64; 6],
    /// The return value, at exit only.
    pub ret: Option<i64>,
}

/// What the decoder does at the exit of a syscall it asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ExitAction {
    /// The result is a new fd of a new object: classify and count it.
    ClassifyRet,
    /// The result is a new fd whose class the entry already tells
    /// (accept: the listener's; socket: its arguments). `count` is false
    /// when the entry already counted the call on that class.
    RememberRet { class: ObjectClass, count: bool },
    /// Two new fds were written to this address (pipe, socketpair).
    ClassifyPair(u64),
    /// The result is an fd that may have held something else before.
    ForgetRet,
}

#[derive(Debug, Clone)]
struct Pending {
    tgid: i32,
    /// The syscall name the object use is counted under.
    label: String,
    action: ExitAction,
}

/// Decodes syscall events into the object, argument, code and guard parts
/// of a footprint. Keeps per-process state (e.g. what an fd was) between calls.
#[derive(Debug)]
pub struct Decoder {
    /// Per ABI, indexed by syscall number (x32 without its bit).
    specs: [Vec<Option<(&'static str, Spec)>>; 3],
    objects: objects::ObjectClassifier,
    code: maps::CodeScanner,
    /// Syscalls waiting for their exit, by thread.
    pending: HashMap<i32, Pending>,
    /// Processes whose executable mappings changed since their last scan.
    code_scanned: HashMap<i32, bool>,
    /// What the recorder itself added to every workload process's guards.
    recorder_guards: RecorderGuards,
    /// Processes seen calling prctl(PR_SET_NO_NEW_PRIVS, 1) themselves.
    set_no_new_privs: std::collections::HashSet<i32>,
}

/// Guards the recorder puts on the workload (a seccomp-assisted recorder's
/// RET_TRACE filter, and NO_NEW_PRIVS to install it), to be taken out of
/// the guard state reported for the workload.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecorderGuards {
    /// Seccomp filters the recorder installed (the oldest ones).
    pub seccomp_filters: u32,
    /// Whether the recorder set NO_NEW_PRIVS on the workload.
    pub no_new_privs: bool,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

fn abi_index(abi: Abi) -> usize {
    match abi {
        Abi::X86_64 => 0,
        Abi::I386 => 1,
        Abi::X32 => 2,
    }
}

impl Decoder {
    pub fn new() -> Decoder {
        let specs = Abi::ALL.map(|abi| {
            let mut table: Vec<Option<(&'static str, Spec)>> = Vec::new();
            for (name, nr) in abi.table().iter() {
                let idx = (nr & !X32_SYSCALL_BIT) as usize;
                if let Some(spec) = syscalls::spec_for_abi(abi, name) {
                    if table.len() <= idx {
                        table.resize(idx + 1, None);
                    }
                    table[idx] = Some((name, spec));
                }
            }
            table
        });
        Decoder {
            specs,
            objects: objects::ObjectClassifier::new(),
            code: maps::CodeScanner::default(),
            pending: HashMap::new(),
            code_scanned: HashMap::new(),
            recorder_guards: RecorderGuards::default(),
            set_no_new_privs: std::collections::HashSet::new(),
        }
    }

    /// Tells the decoder which guards the recorder itself put on the
    /// workload, so that the guard state read at exec shows the workload's
    /// own: the recorder's filters are not counted, and NoNewPrivs set by
    /// the recorder shows only where the process also set it itself.
    pub fn set_recorder_guards(&mut self, guards: RecorderGuards) {
        self.recorder_guards = guards;
    }

    fn workload_guards(&self, tgid: i32, mut state: GuardState) -> GuardState {
        let own = self.recorder_guards;
        if own.seccomp_filters > 0 && state.seccomp_mode == 2 {
            state.seccomp_filters = state.seccomp_filters.saturating_sub(own.seccomp_filters);
            if state.seccomp_filters == 0 {
                state.seccomp_mode = 0;
            }
        }
        if own.no_new_privs && !self.set_no_new_privs.contains(&tgid) {
            state.no_new_privs = false;
        }
        state
    }

    #[cfg(test)]
    /// Whether the decoder may want the exit of this syscall: lets a
    /// seccomp-based engine skip exit stops for all other syscalls.
    pub fn may_need_exit(&self, abi: Abi, number: u32) -> bool {
        self.lookup(abi, number).is_some_and(|(_, spec)| {
            spec.creates != Creates::Nothing
                || matches!(
                    spec.special,
                    Special::Ioctl | Special::Fcntl | Special::Socketcall
                )
        })
    }

    #[cfg(test)]
    /// Whether the decoder does anything for this syscall at all.
    pub fn is_relevant(&self, abi: Abi, number: u32) -> bool {
        self.lookup(abi, number).is_some()
    }

    fn lookup(&self, abi: Abi, number: u32) -> Option<(&'static str, Spec)> {
        let idx = if abi == Abi::X32 {
            number & !X32_SYSCALL_BIT
        } else {
            number
        };
        self.specs[abi_index(abi)]
            .get(idx as usize)
            .copied()
            .flatten()
    }

    #[cfg(test)]
    /// The object classifier, for callers that need a class directly.
    pub fn classifier(&mut self) -> &mut objects::ObjectClassifier {
        &mut self.objects
    }

    /// At syscall entry. Returns whether the decoder needs the exit of this
    /// syscall too (its result or what it created).
    pub fn on_entry(&mut self, fp: &mut Footprint, ev: &SyscallEvent) -> bool {
        self.pending.remove(&ev.tid);
        let Some((name, spec)) = self.lookup(ev.abi, ev.number) else {
            return false;
        };
        let args = if ev.abi == Abi::I386 {
            ev.args.map(|a| a & 0xffff_ffff)
        } else {
            ev.args
        };
        match self.entry(fp, ev, name, &spec, &args) {
            Some(pending) => {
                self.pending.insert(ev.tid, pending);
                true
            }
            None => false,
        }
    }

    fn entry(
        &mut self,
        fp: &mut Footprint,
        ev: &SyscallEvent,
        label: &str,
        spec: &Spec,
        args: &[u64; 6],
    ) -> Option<Pending> {
        let (tgid, tid) = (ev.tgid, ev.tid);
        let mut first_class: Option<ObjectClass> = None;
        for &i in spec.fds {
            let fd = args[i as usize] as i32;
            if fd < 0 {
                continue;
            }
            if let Some(class) = self.objects.class_of(tgid, tid, fd) {
                fp.count_object(class.clone(), label);
                if first_class.is_none() {
                    first_class = Some(class);
                }
            }
        }
        let mut action = None;
        // The class of the fd this call will create, when the entry tells.
        let mut known = None;
        if label.ends_with("accept") || label.ends_with("accept4") {
            known = first_class
                .clone()
                .filter(|c| matches!(c, ObjectClass::Socket { .. }))
                .map(|class| (class, false));
        }
        match spec.special {
            Special::None => {}
            Special::Ioctl => {
                let request = args[1] & 0xffff_ffff;
                let name = names::ioctl::ioctl_name(request).map(str::to_owned);
                if let Some(obj) = first_class
                    .as_ref()
                    .and_then(|class| fp.objects.iter_mut().find(|o| &o.class == class))
                {
                    obj.ioctls
                        .entry(request)
                        .or_insert_with(|| aprof_footprint::ValueUse {
                            name: name.clone(),
                            count: 0,
                        })
                        .count += 1;
                }
                keep(fp, label, 1, request, args, Context::default);
                if names::ioctl::ioctl_returns_fd(request) {
                    action = Some(ExitAction::ForgetRet);
                }
            }
            Special::Clone => {
                keep(fp, label, 0, args[0], args, Context::default);
            }
            Special::Clone3 => {
                if let Some([flags, _, _, _, exit_signal]) = memory::read_u64s::<5>(tid, args[0]) {
                    keep(fp, label, 0, flags, args, || Context {
                        exit_signal: Some(exit_signal),
                        ..Context::default()
                    });
                }
            }
            Special::Unshare => {
                keep(fp, label, 0, args[0], args, Context::default);
            }
            Special::Setns => {
                keep(fp, label, 1, args[1], args, Context::default);
            }
            Special::Socket => {
                let (family, ty, protocol) = (args[0], args[1], args[2]);
                if !label.ends_with("socketpair") {
                    known = names::known_socket_class(family, ty, protocol).map(|c| (c, true));
                }
                keep(fp, label, 0, family, args, Context::default);
                keep(fp, label, 1, ty, args, Context::default);
                keep(fp, label, 2, protocol, args, Context::default);
            }
            Special::Sockopt => {
                let (level, option) = (args[1] & 0xffff_ffff, args[2] & 0xffff_ffff);
                keep(fp, label, 1, level, args, Context::default);
                keep(fp, label, 2, option, args, Context::default);
            }
            Special::Fcntl => {
                let cmd = args[1] & 0xffff_ffff;
                keep(fp, label, 1, cmd, args, || Context {
                    i386: ev.abi == Abi::I386,
                    ..Context::default()
                });
                if names::fcntl_dups(cmd) {
                    action = Some(ExitAction::ForgetRet);
                }
            }
            Special::Prctl => {
                let option = args[0] & 0xffff_ffff;
                if option == 38 && args[1] == 1 {
                    self.set_no_new_privs.insert(tgid);
                }
                keep(fp, label, 0, option, args, Context::default);
            }
            Special::ArchPrctl => {
                let code = args[0] & 0xffff_ffff;
                keep(fp, label, 0, code, args, Context::default);
            }
            Special::Personality => {
                let persona = args[0] & 0xffff_ffff;
                keep(fp, label, 0, persona, args, Context::default);
            }
            Special::Mount => {
                if let Some(fstype) = memory::read_string(tid, args[2], 256) {
                    keep_string(fp, label, 2, fstype);
                }
                let flags = args[3];
                keep(fp, label, 3, flags, args, Context::default);
            }
            Special::Fsopen => {
                if let Some(fstype) = memory::read_string(tid, args[0], 256) {
                    keep_string(fp, label, 0, fstype);
                }
            }
            Special::Umount => {
                if label.ends_with("umount2") {
                    keep(fp, label, 1, args[1], args, Context::default);
                }
            }
            Special::Mmap => self.mmap(fp, ev, label, args),
            Special::OldMmap => {
                if let Some(words) = memory::read_u32s(tid, args[0], 6) {
                    let mut real = [0u64; 6];
                    for (r, w) in real.iter_mut().zip(&words) {
                        *r = u64::from(*w);
                    }
                    self.mmap(fp, ev, label, &real);
                }
            }
            Special::Mprotect => {
                let prot = args[2];
                keep(fp, label, 2, prot, args, Context::default);
                if prot & names::PROT_EXEC != 0 {
                    self.code_scanned.insert(tgid, false);
                }
            }
            Special::Close => {
                if let Ok(fd) = i32::try_from(args[0] & 0xffff_ffff) {
                    self.objects.forget_fd(tgid, fd);
                }
            }
            Special::CloseRange => {
                self.objects
                    .forget_range(tgid, args[0] as u32, args[1] as u32);
            }
            Special::Dup2 => {
                self.objects.forget_fd(tgid, args[1] as i32);
            }
            Special::Execve => {
                // The old image's code, dlopen'd libraries included, is gone
                // after a successful exec: scan it now if it changed since
                // its scan. A process never scanned is a fork that has not
                // exec'd yet (the launched workload's first image is still
                // aprof's own): its code is its parent's, already recorded.
                if self.code_scanned.get(&tgid) == Some(&false) {
                    self.code.scan(fp, tgid);
                    self.code_scanned.insert(tgid, true);
                }
            }
            Special::Socketcall => {
                let call = args[0];
                keep(fp, label, 0, call, args, Context::default);
                let (inner, nargs) = syscalls::socketcall(call)?;
                let inner_spec = syscalls::spec(inner)?;
                let words = memory::read_u32s(tid, args[1], nargs)?;
                let mut inner_args = [0u64; 6];
                for (a, w) in inner_args.iter_mut().zip(&words) {
                    *a = u64::from(*w);
                }
                let inner_label = format!("socketcall:{inner}");
                return self.entry(fp, ev, &inner_label, &inner_spec, &inner_args);
            }
            Special::Bpf => {
                let cmd = args[0] & 0xffff_ffff;
                keep(fp, label, 0, cmd, args, Context::default);
            }
            Special::Seccomp => {
                let op = args[0] & 0xffff_ffff;
                keep(fp, label, 0, op, args, Context::default);
                if op == 1 {
                    let flags = args[1] & 0xffff_ffff;
                    keep(fp, label, 1, flags, args, Context::default);
                }
            }
            Special::Poll => {
                for fd in poll_fds(tid, args[0], args[1]) {
                    if let Some(class) = self.objects.class_of(tgid, tid, fd) {
                        fp.count_object(class, label);
                    }
                }
            }
            Special::Select => {
                for fd in select_fds(tid, args[0], [args[1], args[2], args[3]]) {
                    if let Some(class) = self.objects.class_of(tgid, tid, fd) {
                        fp.count_object(class, label);
                    }
                }
            }
            Special::OldSelect => {
                if let Some(w) = memory::read_u32s(tid, args[0], 4) {
                    let sets = [u64::from(w[1]), u64::from(w[2]), u64::from(w[3])];
                    for fd in select_fds(tid, u64::from(w[0]), sets) {
                        if let Some(class) = self.objects.class_of(tgid, tid, fd) {
                            fp.count_object(class, label);
                        }
                    }
                }
            }
            Special::Waitid => {
                let idtype = args[0] & 0xffff_ffff;
                keep(fp, label, 0, idtype, args, Context::default);
                if idtype == 3 {
                    if let Some(class) = self.objects.class_of(tgid, tid, args[1] as i32) {
                        fp.count_object(class, label);
                    }
                }
            }
        }
        let creates = match spec.creates {
            Creates::Nothing => None,
            Creates::RetFd => Some(match known {
                Some((class, count)) => ExitAction::RememberRet { class, count },
                None => ExitAction::ClassifyRet,
            }),
            Creates::RetFdIf(cond) => {
                let holds = match cond {
                    Condition::Arg0IsMinusOne => args[0] as i32 == -1,
                    Condition::BpfCreatesFd => syscalls::bpf_cmd_creates_fd(args[0] & 0xffff_ffff),
                    Condition::LandlockNotVersionQuery => args[2] & 1 == 0,
                    Condition::SeccompNewListener => args[0] == 1 && args[1] & 8 != 0,
                };
                holds.then_some(ExitAction::ClassifyRet)
            }
            Creates::FdPairAt(i) => Some(ExitAction::ClassifyPair(args[i as usize])),
        };
        creates.or(action).map(|action| Pending {
            tgid,
            label: label.to_owned(),
            action,
        })
    }

    fn mmap(&mut self, fp: &mut Footprint, ev: &SyscallEvent, label: &str, args: &[u64; 6]) {
        let (len, prot, flags, fd) = (args[1], args[2], args[3], args[4] as i32);
        keep(fp, label, 2, prot, args, Context::default);
        keep(fp, label, 3, flags, args, Context::default);
        if flags & names::MAP_ANONYMOUS != 0 || fd < 0 {
            if prot & names::PROT_EXEC != 0 {
                self.code_scanned.insert(ev.tgid, false);
            }
            return;
        }
        let class = self.objects.class_of(ev.tgid, ev.tid, fd);
        if let Some(class) = &class {
            fp.count_object(class.clone(), label);
        }
        if prot & names::PROT_EXEC != 0 {
            self.code_scanned.insert(ev.tgid, false);
            if matches!(class, Some(ObjectClass::File { .. })) {
                self.code.add_mapped_fd(fp, ev.tgid, ev.tid, fd, len);
            }
        }
    }

    /// At syscall exit, with `ev.ret` set.
    pub fn on_exit(&mut self, fp: &mut Footprint, ev: &SyscallEvent) {
        let Some(pending) = self.pending.remove(&ev.tid) else {
            return;
        };
        let Some(ret) = ev.ret else {
            return;
        };
        let ret = if ev.abi == Abi::I386 {
            i64::from(ret as i32)
        } else {
            ret
        };
        if ret < 0 {
            return;
        }
        let (tgid, tid) = (ev.tgid, ev.tid);
        match pending.action {
            ExitAction::ClassifyRet => {
                let Ok(fd) = i32::try_from(ret) else {
                    return;
                };
                let known = objects::created_class(&pending.label);
                let class = match known {
                    Some(class) => {
                        self.objects.remember(tgid, fd, class.clone());
                        Some(class)
                    }
                    None => self.objects.classify_fresh(tgid, tid, fd),
                };
                if let Some(class) = class {
                    fp.count_object(class, &pending.label);
                }
            }
            ExitAction::RememberRet { class, count } => {
                let Ok(fd) = i32::try_from(ret) else {
                    return;
                };
                self.objects.remember(tgid, fd, class.clone());
                if count {
                    fp.count_object(class, &pending.label);
                }
            }
            ExitAction::ClassifyPair(addr) => {
                let Some(fds) = memory::read_u32s(tid, addr, 2) else {
                    return;
                };
                let mut classify = |fd: u32| match objects::created_class(&pending.label) {
                    Some(class) => {
                        self.objects.remember(tgid, fd as i32, class.clone());
                        Some(class)
                    }
                    None => self.objects.classify_fresh(tgid, tid, fd as i32),
                };
                let first = classify(fds[0]);
                let second = classify(fds[1]);
                if let Some(class) = &first {
                    fp.count_object(class.clone(), &pending.label);
                }
                if let Some(class) = second.filter(|c| Some(c) != first.as_ref()) {
                    fp.count_object(class, &pending.label);
                }
            }
            ExitAction::ForgetRet => {
                if let Ok(fd) = i32::try_from(ret) {
                    self.objects.forget_fd(tgid, fd);
                }
            }
        }
    }

    /// After a successful exec of process `tgid` (its new image is mapped).
    pub fn on_exec(&mut self, fp: &mut Footprint, tgid: i32) {
        // Close-on-exec fds are gone; the others are reclassified lazily.
        // The other threads are gone too, with their unfinished calls.
        self.objects.forget_process(tgid);
        self.pending.retain(|_, p| p.tgid != tgid);
        if let Some(state) = guards::read(tgid) {
            let state = self.workload_guards(tgid, state);
            guards::process_entry(fp, tgid).guards = Some(state);
        }
        self.code.scan(fp, tgid);
        self.code_scanned.insert(tgid, true);
    }

    /// When a thread of process `tgid` is about to exit or be detached while
    /// its memory is still there (PTRACE_EVENT_EXIT, detach).
    pub fn on_process_end(&mut self, fp: &mut Footprint, tgid: i32) {
        if !self.code_scanned.get(&tgid).copied().unwrap_or(false) && self.code.scan(fp, tgid) {
            self.code_scanned.insert(tgid, true);
        }
        // Not the unfinished calls: the leader can exit before its threads.
        self.objects.forget_process(tgid);
    }

    /// A new thread group `tgid` appeared (fork, vfork, clone without
    /// CLONE_THREAD): forget anything an earlier process with that pid left.
    pub fn on_new_process(&mut self, tgid: i32) {
        self.set_no_new_privs.remove(&tgid);
        self.objects.forget_process(tgid);
        self.code.forget_process(tgid);
        self.code_scanned.remove(&tgid);
    }

    /// A running process attached to (`--pid`): read its guard state, when
    /// no exec recorded one, and its mapped code.
    pub fn on_attach(&mut self, fp: &mut Footprint, tgid: i32) {
        self.on_new_process(tgid);
        if let Some(state) = guards::read(tgid) {
            let state = self.workload_guards(tgid, state);
            let entry = guards::process_entry(fp, tgid);
            if entry.guards.is_none() {
                entry.guards = Some(state);
            }
        }
        self.code.scan(fp, tgid);
        self.code_scanned.insert(tgid, true);
    }
}

/// Most fds a poll or select is decoded for; larger sets are cut there.
const MAX_POLLED_FDS: u64 = 1024;

/// The distinct non-negative fds of a `struct pollfd[nfds]` at `addr`.
fn poll_fds(tid: i32, addr: u64, nfds: u64) -> Vec<i32> {
    let n = nfds.min(MAX_POLLED_FDS) as usize;
    let Some(words) = memory::read_u32s(tid, addr, n * 2) else {
        return Vec::new();
    };
    // struct pollfd { int fd; short events; short revents; }
    let mut fds: Vec<i32> = words.iter().step_by(2).map(|&w| w as i32).collect();
    fds.retain(|&fd| fd >= 0);
    fds.sort_unstable();
    fds.dedup();
    fds
}

/// The fds set in any of select's three `fd_set` bitmaps (null ones skipped).
fn select_fds(tid: i32, nfds: u64, sets: [u64; 3]) -> Vec<i32> {
    let n = nfds.min(MAX_POLLED_FDS) as usize;
    let bytes = n.div_ceil(8);
    let mut union = vec![0u8; bytes];
    for addr in sets {
        let mut set = vec![0u8; bytes];
        if addr != 0 && memory::read_exact(tid, addr, &mut set) {
            for (u, b) in union.iter_mut().zip(&set) {
                *u |= b;
            }
        }
    }
    (0..n)
        .filter(|&fd| union[fd / 8] & (1 << (fd % 8)) != 0)
        .map(|fd| fd as i32)
        .collect()
}

/// Keeps argument `index` of `syscall` if the vocabulary keeps it, named
/// as the vocabulary names it (with the context `ctx` gives).
fn keep(
    fp: &mut Footprint,
    syscall: &str,
    index: u8,
    value: u64,
    args: &[u64; 6],
    ctx: impl FnOnce() -> Context,
) {
    if let Some(kept) = vocabulary::kept_at(syscall, index) {
        vocabulary::count(fp, syscall, kept, value, || {
            let ctx = Context {
                args: *args,
                ..ctx()
            };
            vocabulary::name(kept.kind, value, &ctx)
        });
    }
}

/// Keeps a string argument (a filesystem type) by its key, named by itself.
fn keep_string(fp: &mut Footprint, syscall: &str, index: u8, text: String) {
    if let Some(kept) = vocabulary::kept_at(syscall, index) {
        vocabulary::count(fp, syscall, kept, names::string_key(&text), || Some(text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(abi: Abi, name: &str, args: [u64; 6]) -> SyscallEvent {
        let me = std::process::id() as i32;
        SyscallEvent {
            tid: me,
            tgid: me,
            abi,
            number: abi.table().number(name).expect("syscall exists"),
            args,
            ret: None,
        }
    }

    #[test]
    fn clone_and_socket_arguments_are_named() {
        let mut d = Decoder::new();
        let mut fp = Footprint::default();
        assert!(!d.on_entry(
            &mut fp,
            &event(Abi::X86_64, "clone", [0x1200011, 0, 0, 0, 0, 0])
        ));
        let clone = &fp.arguments["clone/0"];
        assert_eq!(clone.label, "flags");
        assert_eq!(
            clone.values[&0x1200011].name.as_deref(),
            Some("CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD")
        );
        let sock = event(Abi::X86_64, "socket", [2, 1 | 0o2000000, 0, 0, 0, 0]);
        assert!(d.on_entry(&mut fp, &sock), "socket needs its result");
        assert_eq!(
            fp.arguments["socket/0"].values[&2].name.as_deref(),
            Some("AF_INET")
        );
        assert_eq!(
            fp.arguments["socket/1"].values[&(1 | 0o2000000)]
                .name
                .as_deref(),
            Some("SOCK_STREAM|SOCK_CLOEXEC")
        );
    }

    #[test]
    fn same_option_number_on_two_levels_keeps_both_names() {
        let mut d = Decoder::new();
        let mut fp = Footprint::default();
        d.on_entry(
            &mut fp,
            &event(Abi::X86_64, "setsockopt", [99999, 1, 2, 0, 0, 0]),
        );
        d.on_entry(
            &mut fp,
            &event(Abi::X86_64, "setsockopt", [99999, 6, 2, 0, 0, 0]),
        );
        let v = &fp.arguments["setsockopt/2"].values[&2];
        assert_eq!(v.count, 2);
        assert_eq!(
            v.name.as_deref(),
            Some("SOL_SOCKET/SO_REUSEADDR,SOL_TCP/TCP_MAXSEG")
        );
    }

    #[test]
    fn x32_and_i386_numbers_resolve() {
        let d = Decoder::new();
        let x32_ioctl = Abi::X32.table().number("ioctl").expect("x32 ioctl");
        assert!(d.is_relevant(Abi::X32, x32_ioctl));
        let i386_read = Abi::I386.table().number("read").expect("i386 read");
        assert_eq!(i386_read, 3);
        assert!(d.is_relevant(Abi::I386, i386_read));
        assert!(!d.is_relevant(Abi::X86_64, 39), "getpid needs nothing");
        assert!(d.may_need_exit(Abi::X86_64, 257), "openat creates an fd");
        assert!(!d.may_need_exit(Abi::X86_64, 0), "read does not");
    }

    #[test]
    fn the_recorders_own_guards_are_taken_out() {
        let mut d = Decoder::new();
        let read = |mode, filters, nnp| GuardState {
            seccomp_mode: mode,
            seccomp_filters: filters,
            no_new_privs: nnp,
            ..Default::default()
        };
        // Without recorder guards the state is reported as read.
        assert_eq!(d.workload_guards(1, read(2, 1, true)), read(2, 1, true));
        d.set_recorder_guards(RecorderGuards {
            seccomp_filters: 1,
            no_new_privs: true,
        });
        assert_eq!(d.workload_guards(1, read(2, 1, true)), read(0, 0, false));
        assert_eq!(d.workload_guards(1, read(2, 3, true)), read(2, 2, false));
        // A process that set NO_NEW_PRIVS itself keeps it.
        let mut fp = Footprint::default();
        let mut prctl = event(Abi::X86_64, "prctl", [38, 1, 0, 0, 0, 0]);
        prctl.tgid = 1;
        d.on_entry(&mut fp, &prctl);
        assert_eq!(d.workload_guards(1, read(2, 2, true)), read(2, 1, true));
    }

    #[test]
    fn exit_without_entry_or_failure_changes_nothing() {
        let mut d = Decoder::new();
        let mut fp = Footprint::default();
        let mut ev = event(Abi::X86_64, "openat", [u64::MAX - 99, 0, 0, 0, 0, 0]);
        ev.ret = Some(3);
        d.on_exit(&mut fp, &ev);
        assert!(fp.objects.is_empty());
        ev.ret = None;
        assert!(d.on_entry(&mut fp, &ev));
        ev.ret = Some(-2);
        d.on_exit(&mut fp, &ev);
        assert!(fp.objects.is_empty());
    }
}
