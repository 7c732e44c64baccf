//! Import of kernel-function traces: the unique kernel functions a workload
//! made the kernel run, with call counts, after the published filters.
//!
//! Reads ftrace text (`function_graph` and `function`, from `trace` or
//! `trace_pipe`, with any of the common options: funcgraph-proc, -tail,
//! -abstime, -cpu, -duration, -overhead, irq-info, latency-format,
//! record-tgid, sym-offset, print-parent, context-info; irq markers
//! `==========>`/`<==========`, `CPU:N [LOST M EVENTS]` and
//! `##### CPU N buffer started ####` lines), `trace-cmd report` output and
//! `perf script` output. [`detect`] tells them apart.
//!
//! # The API (for the in-guest recorder and `aprof import`)
//!
//! ```no_run
//! use aprof_record::ftrace_import::{parse, Filters, Tasks};
//! # fn f(trace: &[u8], idle: &[u8]) -> Result<(), aprof_record::ftrace_import::ParseError> {
//! let pids = [4711, 4712].into_iter().collect();
//! let filters = Filters::published(Tasks::Pids(pids));
//! let run = parse(trace, &filters)?;        // one run of the workload
//! let baseline = parse(idle, &Filters::published(Tasks::NotIdle))?;
//! let functions = run.functions.subtract(&baseline.functions);
//! println!("{} unique functions", functions.len());
//! # Ok(()) }
//! ```
//!
//! - [`parse`] (text in memory, format detected) or [`read_file`] (mmap, or
//!   gzip) gives a [`FunctionTrace`]: the [`FunctionSet`] after the filters,
//!   the unfiltered set, and a [`TraceReport`] of what each filter dropped.
//! - [`Filters`] holds the published method's filters; [`Filters::none`]
//!   turns them all off (every entry counts, as `grep | sort | uniq` would).
//! - [`FunctionSet::subtract`] removes an idle baseline taken the same way.
//! - [`section`] merges runs (mean ± sd of unique functions) and a baseline
//!   into the footprint's [`aprof_footprint::functions::KernelFunctions`];
//!   [`count_syscalls`] adds the syscalls the functions show
//!   (`__x64_sys_*`) to the footprint.
//! - [`footprint`] puts it together with the kernel's identity
//!   ([`KernelInfo`]: release, version, config hash, accelerator).
//! - Mapping functions to source files is `aprof_density::functions::FunctionMapper`
//!   (DWARF, modules, name rules); the CLI's `cmd::import::functions_footprint`
//!   is [`footprint`] then the mapping, for `aprof import` and the in-guest
//!   recorder alike.
//!
//! # The filters (the published method)
//!
//! The published HAP measurements (nabla-containers' `nabla-measurements`:
//! ftrace `function_graph` with `set_ftrace_pid` and `function-fork`, then
//! `filter-start`, `filter-errors`, `filter-interrupts`) count the unique
//! functions left after:
//! - **tasks** ([`Filters::tasks`]): only lines charged to the selected pids
//!   (thread ids as ftrace prints them). A line's task is its own
//!   `comm-pid` column, else the CPU's task from the context-switch marker.
//! - **from the first syscall** ([`Filters::from_first_syscall`]): each
//!   task counts from its first syscall entry ([`names::START_FUNCTIONS`]
//!   and the `__x64_sys_*` family); what came before (the tail of the
//!   `schedule()` that woke it, a fork child's return path) is dropped.
//! - **interrupts** ([`Filters::drop_interrupts`]): hard-interrupt,
//!   softirq, IPI and NMI subtrees ([`names::INTERRUPT_ROOTS`], the
//!   `irq_enter_rcu` ... `irq_exit_rcu` sibling run, `==========>` markers,
//!   and lines whose irq-info flags say hardirq/softirq/NMI). They do work
//!   for whoever was interrupted, not for the workload. (Also softirqs run
//!   from `local_bh_enable` in the task, as the published filter does.)
//! - **wrong task** ([`Filters::drop_wrong_task`]): a line whose nesting
//!   depth does not continue its task's (ftrace sometimes charges a line to
//!   the wrong task around context switches; the published `filter-errors`
//!   uses the same indentation test). Needs `function_graph`.
//!
//! The `function` tracer has no nesting: interrupts are told by the
//! irq-info flags only, and the depth test does not apply. perf samples
//! drop the frames inside an interrupt entry frame.
//!
//! Counts are calls (entries: `name() {` and `name();`; one line of the
//! function tracer), or frame occurrences for perf samples. Names are kept
//! as printed (`finish_task_switch.isra.0` is its own function, as in the
//! kernel's symbol table). A last line without its newline (a trace cut
//! mid-line) is not counted, and the report says so.
//!
//! Speed: one pass over the bytes, lines split with `memchr`, no allocation
//! per line, names interned as slices of the input (see BENCHMARKS.md).

mod engine;
pub mod line;
pub mod names;
mod perf;
mod scan;

use aprof_footprint::functions::{Baseline, KernelFunctions, RunSummary};
use engine::Engine;
use line::{parse_bare_call, parse_common, parse_event, parse_graph, Header, Line};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Which tasks count.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Tasks {
    /// Every task, the idle task included (no task filter).
    All,
    /// Every task but the idle task (pid 0), which is never a workload:
    /// ftrace charges it lines around context switches.
    #[default]
    NotIdle,
    /// Only these pids (thread ids, as ftrace prints them). Lines whose task
    /// cannot be known (no funcgraph-proc, no context switch on their CPU)
    /// are dropped and reported as unattributed.
    Pids(BTreeSet<u32>),
}

impl Tasks {
    pub fn selects(&self, pid: u32) -> bool {
        match self {
            Tasks::All => true,
            Tasks::NotIdle => pid != 0,
            Tasks::Pids(p) => p.contains(&pid),
        }
    }

    /// Whether lines of an unknown task are kept.
    pub fn keeps_unknown(&self) -> bool {
        !matches!(self, Tasks::Pids(_))
    }
}

/// The published method's filters (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filters {
    pub tasks: Tasks,
    pub from_first_syscall: bool,
    pub drop_interrupts: bool,
    pub drop_wrong_task: bool,
}

impl Default for Filters {
    fn default() -> Self {
        Filters::published(Tasks::NotIdle)
    }
}

impl Filters {
    /// No filter at all: every function entry of every task counts.
    pub fn none() -> Filters {
        Filters {
            tasks: Tasks::All,
            from_first_syscall: false,
            drop_interrupts: false,
            drop_wrong_task: false,
        }
    }

    /// Every filter of the published method, for these tasks.
    pub fn published(tasks: Tasks) -> Filters {
        Filters {
            tasks,
            from_first_syscall: true,
            drop_interrupts: true,
            drop_wrong_task: true,
        }
    }

    /// The filters in words, for the footprint.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        match &self.tasks {
            Tasks::All => {}
            Tasks::NotIdle => out.push("tasks: all but the idle task".to_owned()),
            Tasks::Pids(p) => out.push(format!(
                "tasks: pids {}",
                p.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
            )),
        }
        if self.from_first_syscall {
            out.push("from each task's first syscall entry".to_owned());
        }
        if self.drop_interrupts {
            out.push("without interrupt, softirq, IPI and NMI subtrees".to_owned());
        }
        if self.drop_wrong_task {
            out.push("without lines charged to the wrong task (depth check)".to_owned());
        }
        out
    }
}

/// What text a trace is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// ftrace's own text (`trace`, `trace_pipe`, `perf ftrace`).
    Ftrace(Tracer),
    /// `trace-cmd report`.
    TraceCmd,
    /// `perf script` (sampled stacks).
    PerfScript,
}

impl Format {
    pub fn source_name(self) -> &'static str {
        match self {
            Format::Ftrace(_) => "ftrace",
            Format::TraceCmd => "trace-cmd report",
            Format::PerfScript => "perf script",
        }
    }
}

/// Which tracer made the lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracer {
    FunctionGraph,
    Function,
    /// Stack samples (perf): a lower bound, not every call.
    Sampled,
}

impl Tracer {
    pub fn name(self) -> &'static str {
        match self {
            Tracer::FunctionGraph => "function_graph",
            Tracer::Function => "function",
            Tracer::Sampled => "sampled",
        }
    }
}

/// Functions with their call counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunctionSet {
    counts: BTreeMap<String, u64>,
}

impl FunctionSet {
    pub fn from_counts(counts: BTreeMap<String, u64>) -> FunctionSet {
        FunctionSet { counts }
    }

    /// Unique functions.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Calls of one function (0 when absent).
    pub fn count(&self, name: &str) -> u64 {
        self.counts.get(name).copied().unwrap_or(0)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.counts.contains_key(name)
    }

    /// All calls.
    pub fn calls(&self) -> u64 {
        self.counts.values().sum()
    }

    /// `(name, calls)` in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.counts.iter().map(|(n, &c)| (n.as_str(), c))
    }

    pub fn counts(&self) -> &BTreeMap<String, u64> {
        &self.counts
    }

    /// The functions not in `baseline` (with their counts here).
    pub fn subtract(&self, baseline: &FunctionSet) -> FunctionSet {
        FunctionSet {
            counts: self
                .counts
                .iter()
                .filter(|(n, _)| !baseline.counts.contains_key(*n))
                .map(|(n, &c)| (n.clone(), c))
                .collect(),
        }
    }

    /// Both sets' functions, counts added.
    pub fn union(&self, other: &FunctionSet) -> FunctionSet {
        let mut counts = self.counts.clone();
        for (n, &c) in &other.counts {
            *counts.entry(n.clone()).or_default() += c;
        }
        FunctionSet { counts }
    }
}

/// Entries each filter dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dropped {
    pub before_start: u64,
    pub interrupt: u64,
    pub other_task: u64,
    pub wrong_task: u64,
}

/// How a parse went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TraceReport {
    pub lines: u64,
    /// Function entries (or sampled kernel frames) before filters.
    pub entries: u64,
    /// Entries the filters kept.
    pub kept: u64,
    pub dropped: Dropped,
    /// Entries whose task could not be known (kept unless a pid list was given).
    pub unattributed: u64,
    pub unattributed_kept: u64,
    pub switches: u64,
    pub lost_events: u64,
    pub lost_markers: u64,
    pub buffer_starts: u64,
    pub samples: u64,
    /// Lines of no form the tracers print.
    pub malformed: u64,
    pub first_malformed: Option<u64>,
    /// The text did not end with a newline: its last line was not counted.
    pub truncated_last_line: bool,
    /// Options seen in the text (columns, tail comments, markers).
    pub options: BTreeSet<String>,
    /// Tasks named in the text: pid -> comm.
    pub tasks: BTreeMap<u32, String>,
    /// `# tracer:` header.
    pub tracer_header: Option<String>,
    /// The kernel release, when the text says it (latency-format header).
    pub kernel_release: Option<String>,
}

impl TraceReport {
    /// One line per thing the user should know.
    pub fn warnings(&self, format: Format, filters: &Filters) -> Vec<String> {
        let mut w = Vec::new();
        if self.truncated_last_line {
            w.push("the trace ends mid-line; its last line was not counted".to_owned());
        }
        if self.malformed > 0 {
            w.push(format!(
                "{} line(s) are not trace output and were skipped (first at line {})",
                self.malformed,
                self.first_malformed.unwrap_or(0)
            ));
        }
        if self.lost_events > 0 {
            w.push(format!(
                "the tracer lost {} event(s) ({} time(s)): functions may be missing; use a larger buffer_size_kb",
                self.lost_events, self.lost_markers
            ));
        }
        if self.buffer_starts > 0 {
            w.push(format!(
                "{} CPU buffer(s) overflowed and start late: the beginning of the trace is missing; use a larger buffer_size_kb",
                self.buffer_starts
            ));
        }
        if self.unattributed > 0 {
            let fate = if filters.tasks.keeps_unknown() {
                "kept"
            } else {
                "dropped"
            };
            w.push(format!(
                "{} entr(ies) could not be attributed to a task (no funcgraph-proc column and no context switch on their CPU); {fate}",
                self.unattributed
            ));
        }
        if filters.drop_interrupts
            && format == Format::Ftrace(Tracer::Function)
            && !self.options.contains("irq-info")
        {
            w.push(
                "the function trace has no irq-info column: interrupt work could not be told apart"
                    .to_owned(),
            );
        }
        if filters.drop_wrong_task && format == Format::Ftrace(Tracer::Function) {
            w.push("the wrong-task (depth) check needs function_graph; not applied".to_owned());
        }
        if matches!(format, Format::PerfScript) {
            w.push(
                "perf samples give a lower bound of the functions that ran, not every call"
                    .to_owned(),
            );
        }
        w
    }
}

/// One parsed trace.
#[derive(Debug, Clone)]
pub struct FunctionTrace {
    pub format: Format,
    pub tracer: Tracer,
    /// After the filters.
    pub functions: FunctionSet,
    /// Every entry, before any filter.
    pub unfiltered: FunctionSet,
    pub report: TraceReport,
}

/// Why a trace could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("not a kernel-function trace (ftrace function/function_graph, trace-cmd report or perf script): no function line among {lines} line(s)")]
    NotATrace { lines: u64 },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Lines of `text`, without their `\n`; a last line without one is included.
pub(crate) fn split_lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        let rest = &text[pos..];
        let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        pos += end + 1;
        Some(&rest[..end])
    })
}

/// What a trace is, from its first lines (`None`: not one this reads).
pub fn detect(text: &[u8]) -> Option<Format> {
    let head = &text[..text.len().min(256 * 1024)];
    let (mut graph, mut event, mut cmd, mut perf) = (0u32, 0u32, 0u32, 0u32);
    let mut tracer_header: Option<&[u8]> = None;
    let mut prev_perf_header = false;
    for (n, raw) in split_lines(head).enumerate() {
        if n > 2000 {
            break;
        }
        let l = line::trim_cr(raw);
        let perf_header = perf::is_header(l);
        let indented = l.first().is_some_and(|b| *b == b'\t' || *b == b' ');
        if prev_perf_header && indented && !perf_header && l.ends_with(b")") {
            perf += 1;
        }
        // `perf script -F ...,ip,sym,dso` without call chains: one line each.
        if perf_header && l.ends_with(b")") && memchr::memmem::find(l, b" (").is_some() {
            perf += 1;
        }
        prev_perf_header = perf_header;
        if let Some(Line::Header(Header::Tracer(t))) = parse_common(l) {
            tracer_header.get_or_insert(t);
            continue;
        }
        if l.starts_with(b"cpus=") {
            cmd += 1;
            continue;
        }
        match parse_event(l) {
            Some(Line::Graph { .. }) => cmd += 1,
            Some(Line::Call { .. }) => {
                if memchr::memmem::find(l, b" function: ").is_some() {
                    cmd += 1
                } else {
                    event += 1
                }
            }
            _ => {
                if matches!(parse_graph(l), Some(Line::Graph { .. })) {
                    graph += 1;
                }
            }
        }
    }
    match tracer_header {
        Some(b"function_graph") => return Some(Format::Ftrace(Tracer::FunctionGraph)),
        Some(b"function") => return Some(Format::Ftrace(Tracer::Function)),
        _ => {}
    }
    if perf > 0 && perf >= graph && perf >= event {
        return Some(Format::PerfScript);
    }
    if cmd > 0 && cmd >= graph {
        return Some(Format::TraceCmd);
    }
    if graph > 0 && graph >= event {
        return Some(Format::Ftrace(Tracer::FunctionGraph));
    }
    if event > 0 {
        return Some(Format::Ftrace(Tracer::Function));
    }
    None
}

/// Parse a trace held in memory, its format detected.
pub fn parse(text: &[u8], filters: &Filters) -> Result<FunctionTrace, ParseError> {
    let format = detect(text).ok_or_else(|| ParseError::NotATrace {
        lines: split_lines(text).count() as u64,
    })?;
    let trace = parse_as(text, format, filters);
    if trace.report.entries == 0 && trace.report.samples == 0 {
        return Err(ParseError::NotATrace {
            lines: trace.report.lines,
        });
    }
    Ok(trace)
}

/// Parse a trace of a known format. Never fails: lines of no known form
/// are counted as malformed.
pub fn parse_as(text: &[u8], format: Format, filters: &Filters) -> FunctionTrace {
    let truncated = !text.is_empty() && text.last() != Some(&b'\n');
    // A last line without its newline may be cut: leave it out.
    let body = if truncated {
        match memchr::memrchr(b'\n', text) {
            Some(i) => &text[..=i],
            None => &text[..0],
        }
    } else {
        text
    };
    let mut engine = Engine::new(filters);
    let (lines, malformed, first_malformed) = match format {
        Format::PerfScript => perf::run(body, &mut engine),
        Format::Ftrace(tracer) => text_lines(body, &mut engine, tracer == Tracer::Function),
        Format::TraceCmd => text_lines(body, &mut engine, true),
    };
    engine.finish();
    let mut report = std::mem::take(&mut engine.report);
    report.lines = lines + u64::from(truncated);
    report.malformed = malformed;
    report.first_malformed = first_malformed;
    report.truncated_last_line = truncated;
    report.options.extend(options_of(body, format));
    let names = engine.names;
    let mut kept = BTreeMap::new();
    let mut raw = BTreeMap::new();
    for (i, name) in names.names.iter().enumerate() {
        // Names seen only in funcgraph-tail comments are no entries.
        if names.raw[i] == 0 {
            continue;
        }
        let name = String::from_utf8_lossy(name).into_owned();
        if names.kept[i] > 0 {
            kept.insert(name.clone(), names.kept[i]);
        }
        raw.insert(name, names.raw[i]);
    }
    for (header, value) in header_facts(body) {
        match header {
            "tracer" => report.tracer_header = Some(value),
            _ => report.kernel_release = Some(value),
        }
    }
    let tracer = match format {
        Format::Ftrace(t) => t,
        Format::PerfScript => Tracer::Sampled,
        Format::TraceCmd => {
            if memchr::memmem::find(body, b"funcgraph_entry:").is_some() {
                Tracer::FunctionGraph
            } else {
                Tracer::Function
            }
        }
    };
    FunctionTrace {
        format,
        tracer,
        functions: FunctionSet::from_counts(kept),
        unfiltered: FunctionSet::from_counts(raw),
        report,
    }
}

/// The hot loop over ftrace and trace-cmd text. `events`: lines are mostly
/// event lines (`function` tracer, trace-cmd), else `function_graph` lines.
fn text_lines<'a>(
    text: &'a [u8],
    engine: &mut Engine<'a, '_>,
    events: bool,
) -> (u64, u64, Option<u64>) {
    let mut lines = 0u64;
    let mut malformed = 0u64;
    let mut first_malformed = None;
    let mut pos = 0;
    while pos < text.len() {
        lines += 1;
        if !events {
            if let Some((l, next)) = scan::graph_line(text, pos) {
                engine.line(l);
                pos = next;
                continue;
            }
        }
        let rest = &text[pos..];
        let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        pos += end + 1;
        let l = line::trim_cr(&rest[..end]);
        let parsed = if events {
            parse_event(l)
                .or_else(|| parse_common(l))
                .or_else(|| parse_bare_call(l))
        } else {
            parse_graph(l)
                .or_else(|| parse_common(l))
                .or_else(|| parse_event(l))
        };
        match parsed {
            Some(Line::Other) | None => {
                malformed += 1;
                first_malformed.get_or_insert(lines);
            }
            Some(l) => engine.line(l),
        }
    }
    (lines, malformed, first_malformed)
}

/// `# tracer:` and the latency header's release, from the first lines.
fn header_facts(text: &[u8]) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for raw in split_lines(&text[..text.len().min(64 * 1024)]).take(200) {
        match parse_common(line::trim_cr(raw)) {
            Some(Line::Header(Header::Tracer(t))) => {
                out.push(("tracer", String::from_utf8_lossy(t).into_owned()))
            }
            Some(Line::Header(Header::Release(r))) => {
                out.push(("release", String::from_utf8_lossy(r).into_owned()))
            }
            _ => {}
        }
    }
    out
}

/// The trace options the text shows, from its first lines.
fn options_of(text: &[u8], format: Format) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut add = |o: &str| {
        out.insert(o.to_owned());
    };
    for raw in split_lines(&text[..text.len().min(1 << 20)]).take(5000) {
        let l = line::trim_cr(raw);
        match format {
            Format::Ftrace(Tracer::FunctionGraph) => {
                if let Some(Line::Graph {
                    cpu, task, context, ..
                }) = parse_graph(l)
                {
                    let bar = memchr::memrchr(b'|', l).unwrap_or(0);
                    let prefix = &l[..bar];
                    if cpu.is_some() {
                        add("funcgraph-cpu");
                    }
                    if task.is_some() {
                        add("funcgraph-proc");
                    }
                    if context.is_some() {
                        add("latency-format");
                    }
                    if memchr::memmem::find(prefix, b" us").is_some() {
                        add("funcgraph-duration");
                    }
                    if prefix
                        .iter()
                        .any(|b| matches!(b, b'+' | b'!' | b'#' | b'*' | b'@' | b'$'))
                    {
                        add("funcgraph-overhead");
                    }
                    if l[bar..].contains(&b'}') && memchr::memmem::find(&l[bar..], b"/*").is_some()
                    {
                        add("funcgraph-tail");
                    }
                    if prefix.iter().filter(|&&b| b == b'|').count() >= 1
                        && prefix
                            .split(|&b| b == b'|')
                            .next()
                            .is_some_and(|s| s.trim_ascii().contains(&b'.') && !s.contains(&b')'))
                        && cpu.is_some()
                    {
                        add("funcgraph-abstime");
                    }
                }
            }
            Format::Ftrace(Tracer::Function) | Format::TraceCmd => {
                if let Some(Line::Call { context, .. } | Line::Graph { context, .. }) =
                    parse_event(l)
                {
                    if context.is_some() {
                        add("irq-info");
                    }
                    if memchr::memmem::find(l, b" <-").is_some() {
                        add("print-parent");
                    }
                    if memchr::memmem::find(l, b"+0x").is_some() {
                        add("sym-offset");
                    }
                    if memchr::memmem::find(l, b") [").is_some() {
                        add("record-tgid");
                    }
                }
            }
            _ => {}
        }
        if memchr::memmem::find(l, b"==========>").is_some() {
            add("funcgraph-irqs (markers)");
        }
    }
    out
}

/// Read a trace file: mapped into memory (gzip is decompressed first).
pub fn read_file(path: &Path, filters: &Filters) -> Result<FunctionTrace, ParseError> {
    let io = |source| ParseError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    let gz = path.extension().is_some_and(|e| e == "gz");
    if gz || !meta.is_file() || meta.len() == 0 {
        let mut bytes = Vec::new();
        let mut reader: Box<dyn std::io::Read> = if gz {
            Box::new(flate2::read::MultiGzDecoder::new(file))
        } else {
            Box::new(file)
        };
        reader.read_to_end(&mut bytes).map_err(io)?;
        return parse(&bytes, filters);
    }
    // SAFETY: the map is read-only and lives until `parse` returns. A file
    // truncated by another process while mapped would fault; trace files
    // are read after the tracer wrote them.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io)?;
    let _ = map.advise(memmap2::Advice::Sequential);
    parse(&map, filters)
}

/// The syscalls a function set shows: each `__x64_sys_NAME` (x86_64) or
/// `__ia32_sys_NAME`/`__ia32_compat_sys_NAME` (i386) entry is one call of
/// NAME, counted into the footprint so the same trace also gives the
/// syscall-level view. Names the ABI's table does not know are skipped.
pub fn count_syscalls(footprint: &mut aprof_footprint::Footprint, functions: &FunctionSet) {
    use aprof_footprint::Abi;
    for (name, calls) in functions.iter() {
        let base = names::base_name(name.as_bytes());
        let Ok(base) = std::str::from_utf8(base) else {
            continue;
        };
        let (abi, syscall) = if let Some(s) = base.strip_prefix("__x64_sys_") {
            (Abi::X86_64, s)
        } else if let Some(s) = base
            .strip_prefix("__ia32_compat_sys_")
            .or_else(|| base.strip_prefix("__ia32_sys_"))
        {
            (Abi::I386, s)
        } else {
            continue;
        };
        let Some(number) = abi.table().number(syscall) else {
            continue;
        };
        footprint.count_syscall(abi, number, None, 0);
        let name = aprof_footprint::syscall_name(abi, number);
        if let Some(stats) = footprint
            .syscalls
            .get_mut(&abi)
            .and_then(|m| m.get_mut(&name))
        {
            stats.count += calls.saturating_sub(1);
        }
    }
    for stats in footprint.syscalls.values_mut().flat_map(|m| m.values_mut()) {
        stats.first_seen_ns = None;
    }
}

/// What is known of the traced kernel beyond the trace text.
#[derive(Debug, Clone, Default)]
pub struct KernelInfo {
    /// `uname -r`; the trace's own (latency header) when `None`.
    pub release: Option<String>,
    /// `uname -v`.
    pub version: Option<String>,
    /// SHA-256 of its configuration; of `/boot/config-RELEASE` when `None`.
    pub config_sha256: Option<String>,
    /// `kvm` or `tcg` when it ran in a guest.
    pub accelerator: Option<String>,
}

/// A footprint of kernel-function runs: the [`section`] with the kernel's
/// identity, the syscalls the functions show ([`count_syscalls`]) and the
/// environment. The functions are not mapped to source files yet
/// (`aprof_density::functions::FunctionMapper::map` does that).
pub fn footprint(
    runs: &[(String, FunctionTrace)],
    baseline: Option<(&str, &[FunctionTrace])>,
    filters: &Filters,
    kernel: &KernelInfo,
) -> aprof_footprint::Footprint {
    let mut section = section(runs, baseline, filters);
    if kernel.release.is_some() {
        section.kernel.release = kernel.release.clone();
    }
    section.kernel.version = kernel.version.clone();
    section.accelerator = kernel.accelerator.clone();
    section.kernel.config_sha256 = kernel.config_sha256.clone().or_else(|| {
        let release = section.kernel.release.as_ref()?;
        crate::env::file_sha256(Path::new(&format!("/boot/config-{release}")))
    });
    let union = runs.iter().fold(FunctionSet::default(), |acc, (_, t)| {
        acc.union(&t.functions)
    });
    let source = runs
        .first()
        .map(|(_, t)| t.format.source_name())
        .unwrap_or("ftrace");
    let environment = aprof_footprint::Environment {
        kernel_release: section.kernel.release.clone().unwrap_or_default(),
        arch: "x86_64".into(),
        aprof_version: env!("CARGO_PKG_VERSION").into(),
        recorder: format!("{}-import", source.replace(' ', "-")),
        started_at: crate::env::now_rfc3339(),
        kernel_config_sha256: section.kernel.config_sha256.clone(),
        ..Default::default()
    };
    let mut fp = aprof_footprint::Footprint::new(environment);
    count_syscalls(&mut fp, &union);
    fp.kernel_functions = Some(section);
    fp
}

/// Build the footprint section from runs (each parsed with the same
/// filters), subtracting an idle baseline (its runs' union) when given.
pub fn section(
    runs: &[(String, FunctionTrace)],
    baseline: Option<(&str, &[FunctionTrace])>,
    filters: &Filters,
) -> KernelFunctions {
    let base = baseline.map(|(_, b)| {
        b.iter()
            .fold(FunctionSet::default(), |acc, t| acc.union(&t.functions))
    });
    let mut merged = Vec::with_capacity(runs.len());
    let mut options = BTreeSet::new();
    for (source, trace) in runs {
        let set = match &base {
            Some(b) => trace.functions.subtract(b),
            None => trace.functions.clone(),
        };
        let r = &trace.report;
        let mut dropped = BTreeMap::new();
        for (name, n) in [
            ("before_first_syscall", r.dropped.before_start),
            ("interrupt", r.dropped.interrupt),
            ("other_task", r.dropped.other_task),
            ("wrong_task", r.dropped.wrong_task),
            ("unattributed", r.unattributed - r.unattributed_kept),
        ] {
            if n > 0 {
                dropped.insert(name.to_owned(), n);
            }
        }
        options.extend(r.options.iter().cloned());
        merged.push((
            RunSummary {
                unique_functions: 0,
                calls: set.calls(),
                entries: r.entries,
                dropped,
                lost_events: r.lost_events,
                source: source.clone(),
            },
            set.counts.clone(),
        ));
    }
    let first = runs.first().map(|(_, t)| t);
    let mut section = KernelFunctions {
        tracer: first.map(|t| t.tracer.name()).unwrap_or("").to_owned(),
        source: first
            .map(|t| t.format.source_name())
            .unwrap_or("")
            .to_owned(),
        options: options.into_iter().collect(),
        filters: filters.describe(),
        ..Default::default()
    };
    section.kernel.release = runs
        .iter()
        .find_map(|(_, t)| t.report.kernel_release.clone());
    section.merge_runs(&merged);
    if let (Some((source, b)), Some(base)) = (baseline, &base) {
        let union_before: BTreeSet<&str> = runs
            .iter()
            .flat_map(|(_, t)| t.functions.counts.keys().map(String::as_str))
            .collect();
        section.baseline = Some(Baseline {
            functions: base.len() as u64,
            runs: b.len() as u32,
            removed: union_before.iter().filter(|n| base.contains(n)).count() as u64,
            source: source.to_owned(),
        });
        section.filters.push("idle baseline subtracted".to_owned());
    }
    section
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRAPH: &str = "\
# tracer: function_graph
#
# CPU  DURATION                  FUNCTION CALLS
# |     |   |                     |   |   |   |
 0)               |  switch_mm_irqs_off() {
 0)   5.052 us    |    switch_ldt();
 0) ! 772.458 us  |  }
 ------------------------------------------
 0)    <idle>-0    =>     sh-98     
 ------------------------------------------

 0)               |  finish_task_switch.isra.0() {
 0)   1.694 us    |    _raw_spin_unlock();
 0)   5.638 us    |  }
 0)               |  do_syscall_64() {
 0)               |    __x64_sys_read() {
 0)   1.743 us    |      irq_enter_rcu();
 0)               |      __sysvec_apic_timer_interrupt() {
 0)   1.000 us    |        hrtimer_interrupt();
 0)   3.000 us    |      }
 0)               |      irq_exit_rcu() {
 0)               |        handle_softirqs() {
 0)   1.000 us    |          run_timer_softirq();
 0)   2.000 us    |        }
 0)   3.000 us    |      }
 0)   1.000 us    |      ksys_read();
 0)   9.000 us    |    }
 0)   1.000 us    |      stray_line();
 0)   9.000 us    |  }
";

    #[test]
    fn unfiltered_counts_every_entry() {
        let t = parse(GRAPH.as_bytes(), &Filters::none()).unwrap();
        assert_eq!(t.format, Format::Ftrace(Tracer::FunctionGraph));
        assert_eq!(t.functions.len(), 14);
        assert_eq!(t.functions, t.unfiltered);
        assert_eq!(t.report.malformed, 0);
    }

    #[test]
    fn published_filters() {
        let t = parse(GRAPH.as_bytes(), &Filters::published(Tasks::NotIdle)).unwrap();
        let names: Vec<&str> = t.functions.iter().map(|(n, _)| n).collect();
        assert_eq!(names, vec!["__x64_sys_read", "do_syscall_64", "ksys_read"]);
        let d = &t.report.dropped;
        // switch_mm_irqs_off and switch_ldt belong to <idle>-0.
        assert_eq!(d.other_task, 2);
        assert_eq!(d.before_start, 2);
        assert_eq!(d.interrupt, 6);
        assert_eq!(d.wrong_task, 1);
    }

    #[test]
    fn pids_select_tasks() {
        let only = |pid| Filters {
            tasks: Tasks::Pids([pid].into_iter().collect()),
            ..Filters::none()
        };
        let idle = parse(GRAPH.as_bytes(), &only(0)).unwrap();
        assert_eq!(idle.functions.len(), 2);
        let sh = parse(GRAPH.as_bytes(), &only(98)).unwrap();
        assert_eq!(sh.functions.len(), 12);
    }

    #[test]
    fn baseline_subtraction() {
        let a = FunctionSet::from_counts([("a".into(), 2), ("b".into(), 1)].into());
        let b = FunctionSet::from_counts([("b".into(), 5), ("c".into(), 1)].into());
        let d = a.subtract(&b);
        assert_eq!(d.len(), 1);
        assert_eq!(d.count("a"), 2);
    }

    #[test]
    fn cut_last_line_is_not_counted() {
        let cut = &GRAPH[..GRAPH.find("ksys_read").unwrap() + 3];
        let t = parse(cut.as_bytes(), &Filters::none()).unwrap();
        assert!(t.report.truncated_last_line);
        assert!(!t.functions.contains("ksy"));
        assert!(!t.functions.contains("ksys_read"));
    }

    #[test]
    fn not_a_trace() {
        assert!(matches!(
            parse(b"hello\nworld\n", &Filters::none()),
            Err(ParseError::NotATrace { .. })
        ));
    }
}
