//! The kernel-function importer on real traces (tests/fixtures/ftrace, made
//! by its capture.sh in a QEMU guest running Debian's 6.1 cloud kernel, and
//! perf on the host): format detection, counts against `grep | sort | uniq`
//! run on the same text, the published filters on traces with interrupt,
//! softirq and context-switch lines, and baseline subtraction.

use aprof_record::ftrace_import::{
    detect, parse, parse_as, Filters, Format, FunctionSet, Tasks, Tracer,
};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ftrace")
        .join(name)
}

/// A fixture's bytes (gzip decompressed).
fn fixture(name: &str) -> Vec<u8> {
    let bytes = std::fs::read(fixture_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    if name.ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    } else {
        bytes
    }
}

/// Shell pipelines that count functions independently of aprof.
const GRAPH: &str = r"grep -oE '[A-Za-z_$.][A-Za-z0-9_$.]*\(\)' | sed 's/()$//'";
const FUNCTION: &str = r"grep -v '^#' | grep -oE '[0-9]+\.[0-9]+: [^ +]+' | cut -d' ' -f2";
const TRACECMD_FUNCTION: &str = r"grep -oE ' function: +[^ ]+' | awk '{print $2}'";
const PERF: &str =
    r"grep -oE ' [^ ]+ \(\[kernel\.kallsyms\]\)' | awk '{print $1}' | sed 's/+0x[0-9a-f]*$//'";

/// `... | sort | uniq -c` on `text`, parsed.
fn reference(text: &[u8], extract: &str) -> BTreeMap<String, u64> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("{extract} | LC_ALL=C sort | uniq -c"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sh");
    let mut stdin = child.stdin.take().unwrap();
    let input = text.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let (count, name) = l.trim().split_once(' ')?;
            Some((name.to_owned(), count.parse().ok()?))
        })
        .collect()
}

/// Every fixture, its format and the pipeline that counts its functions.
const FIXTURES: &[(&str, Format, &str)] = &[
    (
        "graph-cat.txt.gz",
        Format::Ftrace(Tracer::FunctionGraph),
        GRAPH,
    ),
    (
        "graph-baseline.txt.gz",
        Format::Ftrace(Tracer::FunctionGraph),
        GRAPH,
    ),
    (
        "graph-proc-tail-abstime.txt.gz",
        Format::Ftrace(Tracer::FunctionGraph),
        GRAPH,
    ),
    (
        "graph-published.txt.gz",
        Format::Ftrace(Tracer::FunctionGraph),
        GRAPH,
    ),
    (
        "graph-nocpu-latency.txt.gz",
        Format::Ftrace(Tracer::FunctionGraph),
        GRAPH,
    ),
    (
        "graph-net.txt.gz",
        Format::Ftrace(Tracer::FunctionGraph),
        GRAPH,
    ),
    (
        "graph-overwrite.txt.gz",
        Format::Ftrace(Tracer::FunctionGraph),
        GRAPH,
    ),
    (
        "graph-pipe-lost.txt.gz",
        Format::Ftrace(Tracer::FunctionGraph),
        GRAPH,
    ),
    (
        "function-cat.txt.gz",
        Format::Ftrace(Tracer::Function),
        FUNCTION,
    ),
    (
        "function-opts.txt.gz",
        Format::Ftrace(Tracer::Function),
        FUNCTION,
    ),
    (
        "function-bufstart.txt.gz",
        Format::Ftrace(Tracer::Function),
        FUNCTION,
    ),
    ("tracecmd-graph.txt.gz", Format::TraceCmd, GRAPH),
    (
        "tracecmd-graph-latency-tail.txt.gz",
        Format::TraceCmd,
        GRAPH,
    ),
    (
        "tracecmd-function.txt.gz",
        Format::TraceCmd,
        TRACECMD_FUNCTION,
    ),
    ("perf-script.txt.gz", Format::PerfScript, PERF),
    ("perf-script-flat.txt.gz", Format::PerfScript, PERF),
];

#[test]
fn every_fixture_is_detected_and_counted_like_grep_sort_uniq() {
    for &(name, format, extract) in FIXTURES {
        let text = fixture(name);
        assert_eq!(detect(&text), Some(format), "{name}");
        let trace = parse(&text, &Filters::none()).unwrap();
        let expected = reference(&text, extract);
        assert!(expected.len() > 20, "{name}: {} functions", expected.len());
        assert_eq!(trace.unfiltered.counts(), &expected, "{name}");
        assert_eq!(trace.functions, trace.unfiltered, "{name}");
        assert_eq!(trace.report.malformed, 0, "{name}: {:?}", trace.report);
        assert!(!trace.report.truncated_last_line, "{name}");
    }
}

#[test]
fn a_trace_cut_mid_line_counts_its_complete_lines() {
    // 40000 bytes of a serial capture (CRLF line ends), cut mid-line.
    let text = fixture("graph-cat-cut.txt");
    assert_ne!(text.last(), Some(&b'\n'));
    let trace = parse(&text, &Filters::none()).unwrap();
    assert!(trace.report.truncated_last_line);
    let complete = &text[..=text.iter().rposition(|&b| b == b'\n').unwrap()];
    assert_eq!(trace.unfiltered.counts(), &reference(complete, GRAPH));
    assert_eq!(trace.report.malformed, 0);
}

#[test]
fn lost_events_and_buffer_starts_are_reported() {
    let text = fixture("graph-pipe-lost.txt.gz");
    let trace = parse(&text, &Filters::none()).unwrap();
    let lost: u64 = String::from_utf8_lossy(&text)
        .lines()
        .filter_map(|l| l.strip_prefix("CPU:"))
        .filter_map(|l| {
            l.split("[LOST ")
                .nth(1)?
                .split(' ')
                .next()?
                .parse::<u64>()
                .ok()
        })
        .sum();
    assert!(lost > 0);
    assert_eq!(trace.report.lost_events, lost);
    let warnings = trace.report.warnings(trace.format, &Filters::none());
    assert!(warnings.iter().any(|w| w.contains("lost")), "{warnings:?}");

    let text = fixture("function-bufstart.txt.gz");
    let trace = parse(&text, &Filters::none()).unwrap();
    let starts = String::from_utf8_lossy(&text)
        .lines()
        .filter(|l| l.contains("buffer started"))
        .count() as u64;
    assert!(starts > 0);
    assert_eq!(trace.report.buffer_starts, starts);
}

fn only(f: impl Fn(&mut Filters)) -> Filters {
    let mut filters = Filters::none();
    f(&mut filters);
    filters
}

/// Entries of a trace the awk reference finds inside interrupt work: the
/// subtree of an interrupt root, or an `irq_enter_rcu` run up to the end of
/// its `irq_exit_rcu` sibling, per CPU, by indentation (the published
/// `filter-interrupts` idea, written independently).
const AWK_INTERRUPTS: &str = r#"
awk '
function depth(body,   n) { n = match(body, /[^ ]/) - 1; return int((n - 1) / 2) }
function root(name) {
  sub(/\..*/, "", name)
  return name ~ /^(__sysvec_|sysvec_|asm_sysvec_)/ ||
         name ~ /^(common_interrupt|__common_interrupt|irq_exit_rcu|__irq_exit_rcu|irq_exit|__do_softirq|do_softirq|handle_softirqs|invoke_softirq|do_softirq_own_stack|generic_smp_call_function_single_interrupt|generic_smp_call_function_interrupt|scheduler_ipi|exc_nmi|default_do_nmi|do_nmi|spurious_interrupt|do_IRQ|handle_irq)$/
}
/^ *[0-9]+\) .*\|/ {
  cpu = $1; i = index($0, "|"); body = $0
  while ((j = index(substr(body, i + 1), "|")) > 0) i += j
  body = substr($0, i + 1); d = depth(body)
  t = body; sub(/^ */, "", t)
  entry = (t ~ /\(\);$/ || t ~ /\(\) \{$/); leaf = (t ~ /;$/)
  name = t; sub(/\(.*/, "", name)
  if (state[cpu] == "sub" && d >= at[cpu]) {
    if (entry) n++
    if (d == at[cpu] && t ~ /^\}/) state[cpu] = resume[cpu] ? "run" : ""
    next
  }
  if (state[cpu] == "sub") state[cpu] = ""
  if (state[cpu] == "run") {
    if (d > at[cpu]) { if (entry) n++; next }
    if (d == at[cpu] && entry && (root(name) || name ~ /^irq_enter/ || name ~ /^(idle_cpu|tick_irq_exit|tick_nohz_irq_exit|rcu_irq_exit|irqtime_account_irq|vtime_account_irq|wake_up_process)$/)) {
      n++
      if (!leaf) { state[cpu] = "sub"; resume[cpu] = (name !~ /^irq_exit/) }
      else if (name ~ /^irq_exit/) state[cpu] = ""
      next
    }
    state[cpu] = ""
  }
  if (!entry) next
  if (name ~ /^irq_enter(_rcu)?$/) { n++; at[cpu] = d; state[cpu] = leaf ? "run" : "sub"; resume[cpu] = 1; next }
  if (root(name)) { n++; if (!leaf) { at[cpu] = d; state[cpu] = "sub"; resume[cpu] = 0 }; next }
}
/^ *[0-9]+\) .*=>/ { state[$1] = "" }
END { print n + 0 }'
"#;

fn awk_count(text: &[u8], script: &str) -> u64 {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = text.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[test]
fn interrupt_subtrees_are_dropped_on_real_traces() {
    for (name, workload) in [
        ("graph-cat.txt.gz", "x64_sys_call"),
        ("graph-net.txt.gz", "tcp_sendmsg"),
    ] {
        let text = fixture(name);
        let all = parse(&text, &Filters::none()).unwrap();
        // The trace has hard-interrupt and softirq work in it.
        assert!(
            all.unfiltered.count("__sysvec_apic_timer_interrupt") > 0,
            "{name}"
        );
        assert!(all.unfiltered.count("irq_enter_rcu") > 0, "{name}");
        let trace = parse(&text, &only(|f| f.drop_interrupts = true)).unwrap();
        let expected = awk_count(&text, AWK_INTERRUPTS);
        assert!(expected > 0);
        assert_eq!(trace.report.dropped.interrupt, expected, "{name}");
        assert_eq!(trace.report.kept + expected, trace.report.entries);
        // What only interrupts run is gone; what tasks also run stays.
        for irq_only in [
            "__sysvec_apic_timer_interrupt",
            "hrtimer_interrupt",
            "irq_enter_rcu",
        ] {
            assert_eq!(trace.functions.count(irq_only), 0, "{name}: {irq_only}");
        }
        assert!(trace.functions.count(workload) > 0, "{name}: {workload}");
    }
    // Softirqs run in the task (loopback TCP: local_bh_enable -> do_softirq
    // -> net_rx_action) are dropped as the published filter does.
    let net = fixture("graph-net.txt.gz");
    let all = parse(&net, &Filters::none()).unwrap();
    assert!(all.unfiltered.count("net_rx_action") > 0);
    let trace = parse(&net, &only(|f| f.drop_interrupts = true)).unwrap();
    assert_eq!(trace.functions.count("net_rx_action"), 0);
}

#[test]
fn each_task_counts_from_its_first_syscall() {
    // funcgraph-proc names the task on every line: the reference keeps a
    // pid's lines from its first syscall-entry line on.
    let text = fixture("graph-published.txt.gz");
    let all = parse(&text, &Filters::none()).unwrap();
    let pids: Vec<u32> = all
        .report
        .tasks
        .keys()
        .copied()
        .filter(|&p| p != 0)
        .collect();
    assert!(pids.len() >= 2, "{pids:?}");
    for pid in pids {
        let filters = Filters {
            tasks: Tasks::Pids([pid].into()),
            from_first_syscall: true,
            ..Filters::none()
        };
        let trace = parse(&text, &filters).unwrap();
        let script = format!(
            r"grep -E -- '-{pid} +\|' | awk '/\| +(do_syscall_64|__x64_sys_|__ia32_sys_|__do_sys_|sys_|SyS_|x64_sys_call|do_int80_syscall_32|do_fast_syscall_32)/ {{ on = 1 }} on' | {GRAPH} | wc -l"
        );
        assert_eq!(trace.report.kept, awk_count(&text, &script), "pid {pid}");
    }
}

#[test]
fn lines_charged_to_other_tasks_are_dropped() {
    // Without funcgraph-proc the task comes from the context-switch
    // markers: the reference charges each CPU's lines to the task the last
    // marker switched to, and lines before a CPU's first marker to that
    // marker's previous task.
    let text = fixture("graph-cat.txt.gz");
    let all = parse(&text, &Filters::none()).unwrap();
    // Counting entries per task by the reference, for the workload's pids.
    let script = r#"awk '
/^ *[0-9]+\) .*=>/ {
  line = $0; sub(/^ *[0-9]+\) */, "", line); split(line, a, "=>")
  prev = a[1]; sub(/ *$/, "", prev); sub(/.*-/, "", prev)
  next_ = a[2]; sub(/^ */, "", next_); sub(/ .*/, "", next_); sub(/.*-/, "", next_)
  if (!(($1) in cur)) { pending_to[$1] = prev }
  cur[$1] = next_; next }
/^ *[0-9]+\) .*\|/ {
  body = $0; sub(/.*\|/, "", body)
  if (body !~ /\(\);$/ && body !~ /\(\) \{$/) next
  if (($1) in cur) c[cur[$1]]++; else early[$1]++ }
END { for (cpu in early) c[(cpu in pending_to) ? pending_to[cpu] : "?"] += early[cpu]
      for (t in c) print t, c[t] }'"#;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&text).unwrap();
    let out = child.wait_with_output().unwrap();
    let per_task: BTreeMap<String, u64> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (t, n) = l.split_once(' ')?;
            Some((t.to_owned(), n.parse().ok()?))
        })
        .collect();
    assert!(per_task.get("0").copied().unwrap_or(0) > 0, "{per_task:?}");
    for (task, &entries) in &per_task {
        let Ok(pid) = task.parse::<u32>() else {
            continue;
        };
        let trace = parse(
            &text,
            &Filters {
                tasks: Tasks::Pids([pid].into()),
                ..Filters::none()
            },
        )
        .unwrap();
        let r = &trace.report;
        assert_eq!(r.kept, entries, "task {pid}");
        assert_eq!(
            r.kept + r.dropped.other_task + (r.unattributed - r.unattributed_kept),
            all.report.entries,
            "task {pid}"
        );
    }
    // The idle task's lines never count unless asked for.
    let not_idle = parse(&text, &only(|f| f.tasks = Tasks::NotIdle)).unwrap();
    assert_eq!(not_idle.report.dropped.other_task, per_task["0"]);
}

#[test]
fn published_filters_and_baseline_on_real_traces() {
    let filters = Filters::published(Tasks::NotIdle);
    let run = parse(&fixture("graph-cat.txt.gz"), &filters).unwrap();
    let idle = parse(&fixture("graph-baseline.txt.gz"), &filters).unwrap();
    let r = &run.report;
    assert!(r.dropped.before_start > 0 && r.dropped.interrupt > 0 && r.dropped.other_task > 0);
    assert_eq!(
        r.kept
            + r.dropped.before_start
            + r.dropped.interrupt
            + r.dropped.other_task
            + r.dropped.wrong_task,
        r.entries
    );
    let only_workload = run.functions.subtract(&idle.functions);
    assert!(!only_workload.is_empty() && only_workload.len() < run.functions.len());
    for (name, count) in only_workload.iter() {
        assert!(!idle.functions.contains(name));
        assert_eq!(count, run.functions.count(name));
    }
    // cat reads /proc/version: the proc file's seq_file read is the
    // workload's own, the idle `true` never reads a file.
    assert!(only_workload.contains("seq_read") || only_workload.contains("seq_read_iter"));
}

#[test]
fn unknown_tasks_are_reported() {
    // A pid list on a trace whose CPUs never switch task: nothing can be
    // attributed, and the report says so instead of guessing.
    let text = b" 0)               |  do_syscall_64() {\n 0)   0.5 us    |    __x64_sys_getpid();\n 0)   1.0 us    |  }\n";
    let filters = Filters {
        tasks: Tasks::Pids([5].into()),
        ..Filters::none()
    };
    let trace = parse_as(text, Format::Ftrace(Tracer::FunctionGraph), &filters);
    assert_eq!(trace.report.unattributed, 2);
    assert!(trace.functions.is_empty());
    assert!(trace
        .report
        .warnings(trace.format, &filters)
        .iter()
        .any(|w| w.contains("attributed")));
    let kept = parse_as(
        text,
        Format::Ftrace(Tracer::FunctionGraph),
        &Filters::none(),
    );
    assert_eq!(kept.functions.len(), 2);
}

#[test]
fn sets_subtract_and_unite() {
    let a = FunctionSet::from_counts([("x".into(), 1), ("y".into(), 2)].into());
    let b = FunctionSet::from_counts([("y".into(), 5)].into());
    assert_eq!(a.union(&b).count("y"), 7);
    assert_eq!(a.subtract(&b).len(), 1);
}
