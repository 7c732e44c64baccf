//! The tracing engine: one event loop over `waitpid` that follows every
//! thread and child of the workload, counts each syscall into the
//! footprint, hands it to the [`Decoder`], and resumes the tracee.
//!
//! Stops and how they are resumed:
//! - seccomp stop (seccomp mode, one per syscall, at entry): counted; resumed
//!   with `PTRACE_SYSCALL` when the decoder wants the result (or
//!   `all_errors`), else `PTRACE_CONT`. Without the exit stop the syscall's
//!   error is not known, so in seccomp mode errno counts cover only the
//!   syscalls whose exit was taken.
//! - syscall-entry stop (ptrace mode): counted; syscall-exit stop: errno
//!   counted from a negative return, decoder told the result.
//! - fork/vfork/clone events: the new task is registered (it is already
//!   attached by the kernel and reports its own first stop).
//! - exec event: the process's exe and argv are re-read; an exec by a
//!   non-leader thread moves that thread's state to the leader's id.
//! - exit event: the decoder sees the process before its memory goes.
//! - group-stop: `PTRACE_LISTEN`, so job control still works.
//! - signal-delivery-stop: the signal is injected, never swallowed.

use crate::decode::{Decoder, RecorderGuards, SyscallEvent};
use crate::progress::Progress;
use crate::signals::{self, Ticker};
use crate::sys::{self, Resume, SyscallInfo, WaitError, WaitEvent};
use crate::{attach, env, launch, Mode, Outcome, RecordError, RecordOptions, Recording, Target};
use aprof_footprint::{errno_name, Abi, ExitStatus, Footprint, Process};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

/// How often the ticker wakes the loop (progress, deadline, stop requests).
const TICK: Duration = Duration::from_millis(200);

/// A syscall entered and not yet returned.
#[derive(Debug, Clone, Copy)]
struct Pending {
    abi: Abi,
    number: u32,
    args: [u64; 6],
    /// The decoder asked for the result.
    decode_exit: bool,
}

#[derive(Debug)]
struct Task {
    tgid: i32,
    pending: Option<Pending>,
}

#[derive(Debug)]
struct ProcessState {
    /// Index into `Footprint::processes`.
    index: usize,
    /// Threads alive now.
    live: HashSet<i32>,
    /// The decoder has seen this process's end.
    ended: bool,
}

struct Tracer {
    fp: Footprint,
    decoder: Decoder,
    seccomp: bool,
    all_errors: bool,
    started: Instant,
    tasks: HashMap<i32, Task>,
    processes: HashMap<i32, ProcessState>,
    /// The launched or attached process.
    root: i32,
    root_execed: bool,
    root_status: Option<ExitStatus>,
    progress: Progress,
    events: u64,
}

/// Record `target`; see [`crate::record`].
pub fn run(target: &Target, options: &RecordOptions) -> Result<Recording, RecordError> {
    let seccomp = match (target, options.mode) {
        (Target::Attach { .. }, Mode::Seccomp) => return Err(RecordError::SeccompAttach),
        (Target::Attach { .. }, _) | (_, Mode::Ptrace) => false,
        (Target::Launch(_), Mode::Seccomp) => {
            if !launch::seccomp_trace_available() {
                return Err(RecordError::SeccompUnavailable);
            }
            true
        }
        (Target::Launch(_), Mode::Auto) => launch::seccomp_trace_available(),
    };
    let recorder = if seccomp { "seccomp-trace" } else { "ptrace" };
    let command = match target {
        Target::Launch(argv) => argv
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        Target::Attach { pid, .. } => read_cmdline(*pid),
    };
    let mut tracer = Tracer {
        fp: Footprint::new(env::capture(recorder, command)),
        decoder: Decoder::new(),
        seccomp,
        all_errors: options.all_errors,
        started: Instant::now(),
        tasks: HashMap::new(),
        processes: HashMap::new(),
        root: 0,
        root_execed: false,
        root_status: None,
        progress: Progress::new(options.progress),
        events: 0,
    };
    let _ticker = Ticker::start(TICK);
    if options.handle_signals {
        signals::install_stop_handlers();
    }
    let result = match target {
        Target::Launch(argv) => tracer.run_launched(argv, options.handle_signals),
        Target::Attach { pid, duration } => {
            tracer.run_attached(*pid, *duration, options.handle_signals)
        }
    };
    if options.handle_signals {
        signals::restore_stop_handlers();
    }
    tracer.progress.finish();
    let outcome = result?;
    tracer.fp.environment.ended_at = env::now_rfc3339();
    Ok(Recording {
        footprint: tracer.fp,
        outcome,
    })
}

/// `/proc/PID/cmdline` as argv.
fn read_cmdline(pid: i32) -> Vec<String> {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|bytes| {
            bytes
                .split(|&b| b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn read_exe(pid: i32) -> String {
    std::fs::read_link(format!("/proc/{pid}/exe"))
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn is_group_stop_signal(signal: i32) -> bool {
    matches!(
        signal,
        libc::SIGSTOP | libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU
    )
}

impl Tracer {
    fn run_launched(
        &mut self,
        argv: &[std::ffi::OsString],
        handle_signals: bool,
    ) -> Result<Outcome, RecordError> {
        let mut options = launch::TRACE_OPTIONS | libc::PTRACE_O_EXITKILL;
        if self.seccomp {
            options |= libc::PTRACE_O_TRACESECCOMP;
        }
        let set_no_new_privs = self.seccomp && launch::filter_needs_no_new_privs();
        // The guard state read at exec must not show aprof's own filter.
        self.decoder.set_recorder_guards(RecorderGuards {
            seccomp_filters: u32::from(self.seccomp),
            no_new_privs: set_no_new_privs,
        });
        let mut launched = launch::launch(argv, self.seccomp, set_no_new_privs, options)?;
        self.root = launched.pid();
        self.register_task(launched.pid(), None);
        if handle_signals {
            signals::set_forward_target(launched.pid());
        }
        let mut killed = false;
        self.event_loop(|tracer| {
            // A second stop signal (the workload did not end on the first,
            // forwarded one), or one after the launched process has ended
            // while its descendants run on: end what is left. Killing, not
            // detaching: in seccomp mode an untraced process would get
            // ENOSYS from every syscall; EXITKILL would kill them anyway.
            if handle_signals && !killed {
                let (requests, _) = signals::stop_requests();
                if requests >= 2 || (requests >= 1 && tracer.root_status.is_some()) {
                    killed = true;
                    tracer.kill_all();
                }
            }
            true
        })?;
        if !self.root_execed {
            return Err(launched.failure());
        }
        let status = self.root_status.unwrap_or(ExitStatus::Exited(0));
        self.fp.exit = Some(status);
        Ok(match status {
            ExitStatus::Exited(code) => Outcome::Exited(code),
            ExitStatus::Signaled(signal) => Outcome::Signaled(signal),
        })
    }

    fn run_attached(
        &mut self,
        pid: i32,
        duration: Option<Duration>,
        handle_signals: bool,
    ) -> Result<Outcome, RecordError> {
        let tids = attach::seize_process(pid, launch::TRACE_OPTIONS)?;
        self.root = pid;
        self.root_execed = true;
        self.register_task(pid, None);
        for tid in tids {
            self.register_task(tid, None);
        }
        if let Some(state) = self.processes.get(&pid) {
            let process = &mut self.fp.processes[state.index];
            process.exe = read_exe(pid);
            process.argv = read_cmdline(pid);
        }
        self.decoder.on_attach(&mut self.fp, pid);
        let deadline = duration.map(|d| self.started + d);
        let result = self.event_loop(|tracer| {
            let timed_out = deadline.is_some_and(|d| Instant::now() >= d);
            let asked = handle_signals && signals::stop_requests().0 >= 1;
            if timed_out || asked {
                tracer.detach_all();
                return false;
            }
            true
        });
        if result.is_err() {
            self.detach_all();
        }
        result?;
        self.fp.exit = self.root_status;
        Ok(match self.root_status {
            Some(ExitStatus::Exited(code)) => Outcome::Exited(code),
            Some(ExitStatus::Signaled(signal)) => Outcome::Signaled(signal),
            None => Outcome::Detached,
        })
    }

    /// Wait for and handle events until no tracee is left, calling `go_on`
    /// after each event or tick; it ends the loop by returning false.
    fn event_loop(&mut self, mut go_on: impl FnMut(&mut Self) -> bool) -> Result<(), RecordError> {
        while !self.tasks.is_empty() {
            match sys::wait_any() {
                Ok(event) => {
                    self.handle(event);
                    self.events += 1;
                    if self.events.is_multiple_of(256) {
                        self.progress.tick(self.started, &self.fp);
                    }
                }
                Err(WaitError::Interrupted) => self.progress.tick(self.started, &self.fp),
                Err(WaitError::NoChildren) => break,
                Err(WaitError::Other(e)) => return Err(RecordError::Io(e)),
            }
            if !go_on(self) {
                break;
            }
        }
        Ok(())
    }

    /// SIGKILL every process of the workload.
    fn kill_all(&self) {
        // Only processes with threads not yet reaped: their pids cannot
        // have been reused.
        for (&tgid, state) in &self.processes {
            if !state.live.is_empty() {
                // SAFETY: kill has no memory arguments; the target is our own
                // traced, unreaped workload process.
                unsafe { libc::kill(tgid, libc::SIGKILL) };
            }
        }
    }

    /// Know `tid` from now on; `parent` is the forking process when known.
    fn register_task(&mut self, tid: i32, parent: Option<i32>) {
        if self.tasks.contains_key(&tid) {
            return;
        }
        let tgid = attach::thread_group_of(tid).unwrap_or(tid);
        self.tasks.insert(
            tid,
            Task {
                tgid,
                pending: None,
            },
        );
        match self.processes.get_mut(&tgid) {
            // A process whose threads all ended is gone: its pid, seen
            // again, is a new process.
            Some(state) if !state.live.is_empty() => {
                if state.live.insert(tid) {
                    self.fp.processes[state.index].threads += 1;
                }
            }
            _ => {
                let parent = parent.or_else(|| attach::parent_of(tgid));
                let parent = if tgid == self.root
                    && parent.is_some_and(|p| p == std::process::id() as i32)
                {
                    None
                } else {
                    parent
                };
                // A forked child runs its parent's program until it execs
                // (if it ever does): name that one, not none.
                let (exe, argv) = if tgid == self.root {
                    Default::default()
                } else {
                    (read_exe(tgid), read_cmdline(tgid))
                };
                self.fp.processes.push(Process {
                    pid: tgid,
                    parent,
                    exe,
                    argv,
                    // A thread seen before its leader counts the leader too.
                    threads: if tid == tgid { 1 } else { 2 },
                    ..Default::default()
                });
                let mut live = HashSet::new();
                live.insert(tid);
                self.decoder.on_new_process(tgid);
                self.processes.insert(
                    tgid,
                    ProcessState {
                        index: self.fp.processes.len() - 1,
                        live,
                        ended: false,
                    },
                );
            }
        }
    }

    /// How to resume `tid` after a stop that is not a syscall's.
    fn resume_mode(&self, tid: i32) -> Resume {
        if !self.seccomp {
            return Resume::Syscall;
        }
        match self.tasks.get(&tid).and_then(|t| t.pending) {
            Some(_) => Resume::Syscall,
            None => Resume::Cont,
        }
    }

    fn resume(&self, tid: i32, how: Resume, signal: i32) {
        // ESRCH: killed meanwhile (SIGKILL, exit_group of a sibling); its
        // exit comes through waitpid.
        let _ = sys::resume(tid, how, signal);
    }

    fn handle(&mut self, event: WaitEvent) {
        match event {
            WaitEvent::Exited { pid, code } => self.task_gone(pid, ExitStatus::Exited(code)),
            WaitEvent::Signaled { pid, signal } => {
                self.task_gone(pid, ExitStatus::Signaled(signal))
            }
            WaitEvent::SyscallStop { pid } => {
                self.register_task(pid, None);
                self.on_syscall_stop(pid, false);
            }
            WaitEvent::Signal { pid, signal } => {
                self.register_task(pid, None);
                self.resume(pid, self.resume_mode(pid), signal);
            }
            WaitEvent::Event { pid, event, signal } => {
                self.register_task(pid, None);
                match event {
                    libc::PTRACE_EVENT_FORK
                    | libc::PTRACE_EVENT_VFORK
                    | libc::PTRACE_EVENT_CLONE => {
                        if let Ok(child) = sys::event_message(pid) {
                            let forker = self.tasks.get(&pid).map(|t| t.tgid);
                            self.register_task(child as i32, forker);
                        }
                        self.resume(pid, self.resume_mode(pid), 0);
                    }
                    libc::PTRACE_EVENT_EXEC => self.on_exec(pid),
                    libc::PTRACE_EVENT_EXIT => self.on_exit_event(pid),
                    libc::PTRACE_EVENT_SECCOMP => self.on_syscall_stop(pid, true),
                    sys::PTRACE_EVENT_STOP if is_group_stop_signal(signal) => {
                        self.resume(pid, Resume::Listen, 0)
                    }
                    _ => self.resume(pid, self.resume_mode(pid), 0),
                }
            }
        }
    }

    fn on_syscall_stop(&mut self, tid: i32, seccomp_stop: bool) {
        let info = sys::syscall_info(tid).unwrap_or(SyscallInfo::None);
        match info {
            // In seccomp mode the seccomp stop is the entry; a stray
            // syscall-entry stop would count the call twice.
            SyscallInfo::Entry { .. } if self.seccomp && !seccomp_stop => {
                self.resume(tid, Resume::Syscall, 0);
            }
            SyscallInfo::Entry { arch, nr, args } => {
                let Some(task) = self.tasks.get(&tid) else {
                    return;
                };
                let tgid = task.tgid;
                let Some(abi) = Abi::from_audit(arch, nr) else {
                    self.resume(tid, self.resume_mode(tid), 0);
                    return;
                };
                let number = nr as u32;
                self.count(abi, number);
                let event = SyscallEvent {
                    tid,
                    tgid,
                    abi,
                    number,
                    args,
                    ret: None,
                };
                let decode_exit = self.decoder.on_entry(&mut self.fp, &event);
                let take_exit = !self.seccomp || decode_exit || self.all_errors;
                if let Some(task) = self.tasks.get_mut(&tid) {
                    task.pending = take_exit.then_some(Pending {
                        abi,
                        number,
                        args,
                        decode_exit,
                    });
                }
                let how = if take_exit {
                    Resume::Syscall
                } else {
                    Resume::Cont
                };
                self.resume(tid, how, 0);
            }
            SyscallInfo::Exit { ret, is_error, .. } => {
                let Some(task) = self.tasks.get_mut(&tid) else {
                    return;
                };
                let tgid = task.tgid;
                if let Some(pending) = task.pending.take() {
                    if is_error {
                        self.count_error(pending.abi, pending.number, (-ret) as i32);
                    }
                    if pending.decode_exit {
                        let event = SyscallEvent {
                            tid,
                            tgid,
                            abi: pending.abi,
                            number: pending.number,
                            args: pending.args,
                            ret: Some(ret),
                        };
                        self.decoder.on_exit(&mut self.fp, &event);
                    }
                }
                self.resume(tid, self.resume_mode(tid), 0);
            }
            SyscallInfo::None => self.resume(tid, self.resume_mode(tid), 0),
        }
    }

    /// Count one call; the common case touches no allocation.
    fn count(&mut self, abi: Abi, number: u32) {
        if let Some(name) = abi.table().name(number) {
            if let Some(stats) = self.fp.syscalls.get_mut(&abi).and_then(|m| m.get_mut(name)) {
                stats.count += 1;
                return;
            }
        }
        let at = self.started.elapsed().as_nanos() as u64;
        self.fp.count_syscall(abi, number, None, at);
    }

    /// Add a failure to a call already counted at its entry.
    fn count_error(&mut self, abi: Abi, number: u32, errno: i32) {
        let name = aprof_footprint::syscall_name(abi, number);
        if let Some(stats) = self
            .fp
            .syscalls
            .get_mut(&abi)
            .and_then(|m| m.get_mut(&name))
        {
            stats.errors += 1;
            *stats.errno.entry(errno_name(errno)).or_default() += 1;
        }
    }

    fn on_exec(&mut self, pid: i32) {
        // The execing thread takes the leader's id; its state moves along.
        let former = sys::event_message(pid).map(|m| m as i32).unwrap_or(pid);
        if former != pid {
            if let Some(old) = self.tasks.remove(&former) {
                if let Some(task) = self.tasks.get_mut(&pid) {
                    task.pending = old.pending;
                }
                if let Some(state) = self.processes.get_mut(&old.tgid) {
                    state.live.remove(&former);
                }
            }
        }
        if pid == self.root && !self.root_execed {
            self.root_execed = true;
            // In ptrace mode the child's execve ran before syscall tracing
            // began (its syscalls until then are aprof's); count it here.
            if !self.seccomp {
                if let Some(nr) = Abi::X86_64.table().number("execve") {
                    self.count(Abi::X86_64, nr);
                }
            }
        }
        let tgid = self.tasks.get(&pid).map_or(pid, |t| t.tgid);
        if let Some(state) = self.processes.get_mut(&tgid) {
            state.ended = false;
            let process = &mut self.fp.processes[state.index];
            process.exe = read_exe(pid);
            process.argv = read_cmdline(pid);
        }
        self.decoder.on_exec(&mut self.fp, tgid);
        self.resume(pid, self.resume_mode(pid), 0);
    }

    fn on_exit_event(&mut self, tid: i32) {
        if let Some(task) = self.tasks.get_mut(&tid) {
            // exit/exit_group do not return.
            task.pending = None;
            let tgid = task.tgid;
            if let Some(state) = self.processes.get_mut(&tgid) {
                if !state.ended && (tid == tgid || state.live.len() <= 1) {
                    state.ended = true;
                    self.decoder.on_process_end(&mut self.fp, tgid);
                }
            }
        }
        self.resume(tid, self.resume_mode(tid), 0);
    }

    fn task_gone(&mut self, tid: i32, status: ExitStatus) {
        let Some(task) = self.tasks.remove(&tid) else {
            return;
        };
        if let Some(state) = self.processes.get_mut(&task.tgid) {
            state.live.remove(&tid);
            if tid == task.tgid {
                self.fp.processes[state.index].exit = Some(status);
                state.ended = true;
            }
        }
        // The first end only: the pid may be reused by a later process.
        if tid == self.root && self.root_status.is_none() {
            self.root_status = Some(status);
        }
    }

    /// Stop every tracee, let the decoder see each process, and detach,
    /// re-delivering a signal caught in its delivery stop. Group-stopped
    /// tracees stay stopped, the rest run on.
    fn detach_all(&mut self) {
        for &tid in self.tasks.keys() {
            let _ = sys::interrupt(tid);
        }
        while !self.tasks.is_empty() {
            let event = match sys::wait_any() {
                Ok(event) => event,
                Err(WaitError::Interrupted) => continue,
                Err(_) => break,
            };
            let (pid, signal) = match event {
                WaitEvent::Exited { pid, code } => {
                    self.task_gone(pid, ExitStatus::Exited(code));
                    continue;
                }
                WaitEvent::Signaled { pid, signal } => {
                    self.task_gone(pid, ExitStatus::Signaled(signal));
                    continue;
                }
                WaitEvent::Signal { pid, signal } => (pid, signal),
                WaitEvent::Event { pid, event, .. } => {
                    if matches!(
                        event,
                        libc::PTRACE_EVENT_FORK
                            | libc::PTRACE_EVENT_VFORK
                            | libc::PTRACE_EVENT_CLONE
                    ) {
                        // The new task is attached too; wait for its stop.
                        if let Ok(child) = sys::event_message(pid) {
                            self.register_task(child as i32, None);
                        }
                    }
                    (pid, 0)
                }
                WaitEvent::SyscallStop { pid } => (pid, 0),
            };
            self.register_task(pid, None);
            if let Some(task) = self.tasks.remove(&pid) {
                if let Some(state) = self.processes.get_mut(&task.tgid) {
                    state.live.remove(&pid);
                    if !state.ended {
                        state.ended = true;
                        self.decoder.on_process_end(&mut self.fp, task.tgid);
                    }
                }
            }
            let _ = sys::resume(pid, Resume::Detach, signal);
        }
    }
}
