//! The single pass over a trace: which task each line belongs to, the
//! published filters as a per-CPU and per-task state machine, and the
//! counts.
//!
//! Task of a line: the line's own `comm-pid` (funcgraph-proc, the function
//! tracer, trace-cmd), else the CPU's current task from the last context
//! switch marker (`prev => next`). Lines of a CPU before its first marker
//! belong to that marker's `prev`: they are held as a pending tally and
//! charged (or dropped) when the marker arrives.

use super::line::{Context, GraphBody, Line, Task};
use super::names::Names;
use super::{Filters, TraceReport};
use rustc_hash::FxHashMap;

/// The slot of lines that carry no CPU (`nofuncgraph-cpu`, bare `function`).
const NO_CPU: usize = 0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Irq {
    None,
    /// Between `==========>` and `<==========`.
    Marker,
    /// After `irq_enter_rcu` at this depth: its siblings that are interrupt
    /// roots (`__sysvec_*`, `handle_softirqs`, `irq_exit_rcu`) are
    /// interrupt work, up to the first sibling that is not.
    EnterExit(u32),
    /// Inside the subtree of a root opened at this depth; `then` is the
    /// state after it closes.
    Subtree {
        depth: u32,
        resume: bool,
    },
}

struct CpuState {
    current: Option<usize>,
    /// The task of lines before the first switch marker, until it is known.
    pseudo: Option<usize>,
    irq: Irq,
}

impl Default for CpuState {
    fn default() -> Self {
        CpuState {
            current: None,
            pseudo: None,
            irq: Irq::None,
        }
    }
}

struct TaskState {
    /// `None` for a CPU's not-yet-known task.
    pid: Option<u32>,
    started: bool,
    /// The depth the next line of this task must have (depth check).
    expected: Option<u32>,
    /// Kept entries of a not-yet-known task, charged when it is known.
    pending: Vec<u32>,
}

impl TaskState {
    fn new(pid: Option<u32>) -> TaskState {
        TaskState {
            pid,
            started: false,
            expected: None,
            pending: Vec::new(),
        }
    }
}

pub(crate) struct Engine<'a, 'f> {
    pub names: Names<'a>,
    pub report: TraceReport,
    filters: &'f Filters,
    cpus: Vec<CpuState>,
    tasks: Vec<TaskState>,
    by_pid: FxHashMap<u32, usize>,
    comms: FxHashMap<u32, &'a [u8]>,
    /// Lines without a CPU were seen: markers then drive the [`NO_CPU`] slot.
    cpuless: bool,
}

/// Why a line was not counted.
enum Drop {
    BeforeStart,
    Interrupt,
    OtherTask,
    WrongTask,
}

impl<'a, 'f> Engine<'a, 'f> {
    pub fn new(filters: &'f Filters) -> Engine<'a, 'f> {
        Engine {
            names: Names::default(),
            report: TraceReport::default(),
            filters,
            cpus: Vec::new(),
            tasks: Vec::new(),
            by_pid: FxHashMap::default(),
            comms: FxHashMap::default(),
            cpuless: false,
        }
    }

    #[inline]
    fn slot(&mut self, cpu: Option<u32>) -> usize {
        let slot = match cpu {
            Some(c) => c as usize + 1,
            None => {
                self.cpuless = true;
                NO_CPU
            }
        };
        if slot >= self.cpus.len() {
            self.cpus.resize_with(slot + 1, CpuState::default);
        }
        slot
    }

    fn task_index(&mut self, task: Task<'a>) -> usize {
        if let Some(&i) = self.by_pid.get(&task.pid) {
            return i;
        }
        self.comms.entry(task.pid).or_insert(task.comm);
        let i = self.tasks.len();
        self.tasks.push(TaskState::new(Some(task.pid)));
        self.by_pid.insert(task.pid, i);
        i
    }

    /// The task a line belongs to on this CPU slot.
    #[inline]
    fn line_task(&mut self, slot: usize, task: Option<Task<'a>>) -> usize {
        if let Some(t) = task {
            let i = match self.cpus[slot].current {
                Some(i) if self.tasks[i].pid == Some(t.pid) => i,
                _ => self.task_index(t),
            };
            self.cpus[slot].current = Some(i);
            return i;
        }
        if let Some(i) = self.cpus[slot].current {
            return i;
        }
        let i = self.tasks.len();
        self.tasks.push(TaskState::new(None));
        self.cpus[slot].current = Some(i);
        self.cpus[slot].pseudo = Some(i);
        i
    }

    fn selected(&self, pid: u32) -> bool {
        self.filters.tasks.selects(pid)
    }

    fn dropped(&mut self, why: Drop) {
        let d = &mut self.report.dropped;
        match why {
            Drop::BeforeStart => d.before_start += 1,
            Drop::Interrupt => d.interrupt += 1,
            Drop::OtherTask => d.other_task += 1,
            Drop::WrongTask => d.wrong_task += 1,
        }
    }

    pub fn line(&mut self, line: Line<'a>) {
        match line {
            Line::Graph {
                cpu,
                task,
                context,
                depth,
                body,
            } => self.graph(cpu, task, context, depth, body),
            Line::Call {
                cpu,
                task,
                context,
                name,
            } => self.call(cpu, task, context, name),
            Line::Switch { cpu, prev, next } => self.switch(cpu, prev, next),
            Line::Lost { cpu, events } => {
                self.report.lost_events += events;
                self.report.lost_markers += 1;
                self.reset_cpu(cpu);
            }
            Line::BufferStarted { cpu } => {
                self.report.buffer_starts += 1;
                self.reset_cpu(cpu);
            }
            Line::Header(_) | Line::Ignored | Line::Other => {}
        }
    }

    /// After lost events the CPU's depths and interrupt state are unknown.
    fn reset_cpu(&mut self, cpu: Option<u32>) {
        let slot = self.slot(cpu);
        self.cpus[slot].irq = Irq::None;
        if let Some(t) = self.cpus[slot].current {
            self.tasks[t].expected = None;
        }
    }

    fn switch(&mut self, cpu: Option<u32>, prev: Option<Task<'a>>, next: Option<Task<'a>>) {
        self.report.switches += 1;
        let slot = if self.cpuless { NO_CPU } else { self.slot(cpu) };
        if slot >= self.cpus.len() {
            self.cpus.resize_with(slot + 1, CpuState::default);
        }
        if let (Some(pseudo), Some(prev)) = (self.cpus[slot].pseudo.take(), prev) {
            self.resolve(pseudo, Some(prev));
        }
        self.cpus[slot].irq = Irq::None;
        self.cpus[slot].current = next.map(|t| self.task_index(t));
    }

    /// Charge a CPU's pending lines to the task they turned out to be
    /// (`None`: never known), through the task-level filters.
    fn resolve(&mut self, pseudo: usize, task: Option<Task<'a>>) {
        let pending = std::mem::take(&mut self.tasks[pseudo].pending);
        let expected = self.tasks[pseudo].expected;
        let (state, selected) = match task {
            Some(t) => {
                let real = self.task_index(t);
                if self.tasks[real].expected.is_none() {
                    self.tasks[real].expected = expected;
                }
                (real, self.selected(t.pid))
            }
            None => {
                self.report.unattributed += pending.len() as u64;
                (pseudo, self.filters.tasks.keeps_unknown())
            }
        };
        for id in pending {
            if self.admit(state, selected, id) && task.is_none() {
                self.report.unattributed_kept += 1;
            }
        }
    }

    /// End of input: pending lines of CPUs that never switched task.
    pub fn finish(&mut self) {
        for slot in 0..self.cpus.len() {
            if let Some(pseudo) = self.cpus[slot].pseudo.take() {
                self.resolve(pseudo, None);
            }
        }
        self.report.tasks = self
            .comms
            .iter()
            .map(|(&pid, comm)| (pid, String::from_utf8_lossy(comm).into_owned()))
            .collect();
    }

    fn graph(
        &mut self,
        cpu: Option<u32>,
        task: Option<Task<'a>>,
        context: Option<Context>,
        depth: u32,
        body: GraphBody<'a>,
    ) {
        let slot = self.slot(cpu);
        let t = self.line_task(slot, task);
        let entry = match body {
            GraphBody::Entry { name, leaf } => {
                let id = self.names.id(name);
                self.names.raw[id as usize] += 1;
                self.report.entries += 1;
                Some((id, leaf))
            }
            _ => None,
        };
        let filters = self.filters;

        // Interrupt work (tracked always: its depth may be one more than the
        // interrupted task's, when it came between ftrace's push of a frame
        // and the record of its entry, so the depth check skips it).
        if self.interrupt(slot, context, depth, body, entry) {
            if let Some((id, _)) = entry {
                if filters.drop_interrupts {
                    self.dropped(Drop::Interrupt);
                } else {
                    self.count(t, id);
                }
            }
            return;
        }

        // Charged to the wrong task: a line whose depth does not continue
        // its task's nesting (the published `filter-errors`).
        if matches!(body, GraphBody::Entry { .. } | GraphBody::Exit { .. }) {
            let state = &mut self.tasks[t];
            let (ok, next) = match (body, state.expected) {
                (GraphBody::Entry { leaf, .. }, expected) => (
                    expected.is_none_or(|e| e == depth),
                    if leaf { depth } else { depth + 1 },
                ),
                (_, expected) => (expected.is_none_or(|e| e == depth + 1), depth),
            };
            if ok || !filters.drop_wrong_task {
                state.expected = Some(next);
            } else {
                if entry.is_some() {
                    self.dropped(Drop::WrongTask);
                }
                return;
            }
        }
        if let Some((id, _)) = entry {
            self.count(t, id);
        }
    }

    /// Whether a graph line is interrupt work, advancing the CPU's state.
    fn interrupt(
        &mut self,
        slot: usize,
        context: Option<Context>,
        depth: u32,
        body: GraphBody<'a>,
        entry: Option<(u32, bool)>,
    ) -> bool {
        let class = entry.map(|(id, _)| self.names.classes[id as usize]);
        let cpu = &mut self.cpus[slot];
        match cpu.irq {
            Irq::Marker => {
                if body == GraphBody::IrqExit {
                    cpu.irq = Irq::None;
                }
                return true;
            }
            Irq::Subtree { depth: d, resume } if depth >= d => {
                if depth == d && matches!(body, GraphBody::Exit { .. }) {
                    cpu.irq = if resume { Irq::EnterExit(d) } else { Irq::None };
                }
                return true;
            }
            Irq::Subtree { .. } => cpu.irq = Irq::None,
            Irq::EnterExit(d) if depth > d => return true,
            Irq::EnterExit(d) if depth == d => {
                if let (Some(c), Some((_, leaf))) = (class, entry) {
                    if c.irq_exit {
                        cpu.irq = if leaf {
                            Irq::None
                        } else {
                            Irq::Subtree {
                                depth: d,
                                resume: false,
                            }
                        };
                        return true;
                    }
                    if c.interrupt_root || c.irq_enter || c.irq_tail {
                        if !leaf {
                            cpu.irq = Irq::Subtree {
                                depth: d,
                                resume: true,
                            };
                        }
                        return true;
                    }
                }
                // A sibling that is no interrupt work: the interrupt is over.
                cpu.irq = Irq::None;
            }
            Irq::EnterExit(_) => cpu.irq = Irq::None,
            Irq::None => {}
        }
        match body {
            GraphBody::IrqEnter => {
                cpu.irq = Irq::Marker;
                return true;
            }
            GraphBody::IrqExit => return true,
            _ => {}
        }
        if context == Some(Context::Interrupt) {
            return true;
        }
        // funcgraph-tail names what closes: the end of an interrupt root
        // whose start was lost (or before the trace) ends interrupt work,
        // and its siblings may be more of it.
        if let GraphBody::Exit { tail: Some(name) } = body {
            let id = self.names.id(name);
            let c = self.names.classes[id as usize];
            if c.interrupt_root || c.irq_exit {
                // The lines before were counted as the task's: its depth
                // is unknown until its next line.
                if let Some(t) = self.cpus[slot].current {
                    self.tasks[t].expected = None;
                }
                self.cpus[slot].irq = if c.irq_exit {
                    Irq::None
                } else {
                    Irq::EnterExit(depth)
                };
                return true;
            }
            return false;
        }
        let cpu = &mut self.cpus[slot];
        let (Some(class), Some((_, leaf))) = (class, entry) else {
            return false;
        };
        if class.irq_enter {
            cpu.irq = if leaf {
                Irq::EnterExit(depth)
            } else {
                Irq::Subtree {
                    depth,
                    resume: true,
                }
            };
            return true;
        }
        if class.interrupt_root || class.irq_exit {
            if !leaf {
                cpu.irq = Irq::Subtree {
                    depth,
                    resume: false,
                };
            }
            return true;
        }
        false
    }

    fn call(
        &mut self,
        cpu: Option<u32>,
        task: Option<Task<'a>>,
        context: Option<Context>,
        name: &'a [u8],
    ) {
        let slot = self.slot(cpu);
        let t = self.line_task(slot, task);
        let id = self.names.id(name);
        self.names.raw[id as usize] += 1;
        self.report.entries += 1;
        if self.filters.drop_interrupts {
            let class = self.names.classes[id as usize];
            if context == Some(Context::Interrupt)
                || class.interrupt_root
                || class.irq_enter
                || class.irq_exit
            {
                self.dropped(Drop::Interrupt);
                return;
            }
        }
        self.count(t, id);
    }

    /// The task-level filters, then the count. Lines of a CPU's not yet
    /// known task wait in its pending list.
    #[inline]
    fn count(&mut self, t: usize, id: u32) {
        match self.tasks[t].pid {
            None => self.tasks[t].pending.push(id),
            Some(pid) => {
                let selected = self.selected(pid);
                self.admit(t, selected, id);
            }
        }
    }

    /// Task selection, then the first-syscall start; counts a kept entry.
    #[inline]
    fn admit(&mut self, t: usize, selected: bool, id: u32) -> bool {
        if !selected {
            self.dropped(Drop::OtherTask);
            return false;
        }
        if self.filters.from_first_syscall && !self.tasks[t].started {
            if self.names.classes[id as usize].start {
                self.tasks[t].started = true;
            } else {
                self.dropped(Drop::BeforeStart);
                return false;
            }
        }
        self.names.kept[id as usize] += 1;
        self.report.kept += 1;
        true
    }

    /// perf script: one sample's kernel frames, innermost first.
    pub fn sample(&mut self, task: Option<Task<'a>>, cpu: Option<u32>, frames: &[&'a [u8]]) {
        let slot = self.slot(cpu);
        let t = match task {
            Some(task) => self.task_index(task),
            None => self.line_task(slot, None),
        };
        let ids: Vec<u32> = frames.iter().map(|f| self.names.id(f)).collect();
        for &id in &ids {
            self.names.raw[id as usize] += 1;
        }
        self.report.entries += ids.len() as u64;
        self.report.samples += 1;
        let mut keep_from = 0;
        if self.filters.drop_interrupts {
            if let Some(outer) = ids.iter().rposition(|&id| {
                let c = self.names.classes[id as usize];
                c.interrupt_root || c.irq_enter || c.irq_exit
            }) {
                keep_from = outer + 1;
                self.report.dropped.interrupt += keep_from as u64;
            }
        }
        let kept = &ids[keep_from..];
        let selected = match self.tasks[t].pid {
            Some(pid) => self.selected(pid),
            None => self.filters.tasks.keeps_unknown(),
        };
        if !selected {
            self.report.dropped.other_task += kept.len() as u64;
            return;
        }
        if self.filters.from_first_syscall && !self.tasks[t].started {
            if kept.iter().any(|&id| self.names.classes[id as usize].start) {
                self.tasks[t].started = true;
            } else {
                self.report.dropped.before_start += kept.len() as u64;
                return;
            }
        }
        for &id in kept {
            self.names.kept[id as usize] += 1;
            self.report.kept += 1;
        }
    }
}
