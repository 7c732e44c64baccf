//! `aprof import`: turn existing traces into a footprint.
//!
//! - `strace -f` output (any of `-t`/`-tt`/`-ttt`/`-r`, `-T`, `-y`/`-yy`),
//!   or an `strace -ff -o FILE` set when FILE itself does not exist;
//! - kernel-function traces, told apart by their text: ftrace
//!   `function_graph`/`function` output, `trace-cmd report`, `perf script`
//!   (plain or `.gz`). Each file is one run; the published filters apply
//!   (`--no-filters` turns them off), an idle baseline is subtracted with
//!   `--baseline`, and functions are mapped to source files with the
//!   kernel's debug information, modules and name rules. The footprint gets
//!   a `kernel_functions` section and the syscalls the trace shows.
//!
//! The footprint is written atomically. Warnings go to stderr; a file that
//! is missing or holds no trace is an error.

use anyhow::{bail, Context};
use aprof_density::functions::FunctionMapper;
use aprof_footprint::Footprint;
use aprof_record::ftrace_import::{self, Filters, FunctionTrace, KernelInfo, Tasks};
use aprof_record::strace_import;
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Trace file(s): strace output (for `strace -ff -o FILE`, give FILE),
    /// or kernel-function traces (each file one run).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Where to write the footprint (`-` for stdout). Default: a new file
    /// named after the trace in $XDG_STATE_HOME/aprof/footprints/.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Kernel-function traces: count only these pids (thread ids), e.g.
    /// the sandbox's processes. Default: every task but the idle task.
    #[arg(long, value_delimiter = ',', value_name = "PID,...")]
    pub pids: Vec<u32>,
    /// Kernel-function traces: count every function entry (no filter).
    #[arg(long)]
    pub no_filters: bool,
    /// Kernel-function traces: an idle baseline taken the same way with no
    /// workload; its functions are subtracted. Repeat for several runs.
    #[arg(long, value_name = "FILE")]
    pub baseline: Vec<PathBuf>,
    /// The kernel's vmlinux with debug information (e.g. from Debian's
    /// linux-image-*-dbg), to map functions to source files.
    #[arg(long, value_name = "FILE")]
    pub vmlinux: Option<PathBuf>,
    /// The traced kernel's /proc/kallsyms: which functions are in modules.
    #[arg(long, value_name = "FILE")]
    pub kallsyms: Option<PathBuf>,
    /// The traced kernel's modules directory (/lib/modules/RELEASE).
    #[arg(long, value_name = "DIR")]
    pub modules_dir: Option<PathBuf>,
    /// The traced kernel's release (`uname -r`), when the trace does not say
    /// it; the -dbg vmlinux and modules of that release are used when
    /// installed.
    #[arg(long, value_name = "RELEASE")]
    pub kernel_release: Option<String>,
    /// Where the traced kernel ran: `kvm` or `tcg` for a guest.
    #[arg(long, value_parser = ["kvm", "tcg"])]
    pub accelerator: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    let output = match &args.output {
        Some(path) => path.clone(),
        None => {
            let stem = args.files[0]
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy();
            // `trace.txt.gz` -> `trace.txt` -> `trace`.
            let stem = stem.strip_suffix(".txt").unwrap_or(&stem);
            super::default_output::footprint_path(stem)?
        }
    };
    if let Some(first) = args.files.first().filter(|p| p.is_file()) {
        if ftrace_import::detect(&head_of(first)?).is_some() {
            return run_functions(args, &output);
        }
    }
    let import = strace_import::import_files(&args.files)?;
    for warning in import.report.warnings() {
        eprintln!("aprof: warning: {warning}");
    }
    let fp = &import.footprint;
    write(fp, &output)?;
    eprintln!(
        "aprof: imported {} syscalls ({} distinct) of {} process(es), {} object class(es) from {} file(s){}",
        fp.total_syscalls(),
        fp.distinct_syscalls(),
        fp.processes.len(),
        fp.objects.len(),
        import.report.files.len(),
        into(&output)
    );
    Ok(0)
}

/// The first bytes of a file (decompressed when it is gzip), to detect its format.
fn head_of(path: &Path) -> anyhow::Result<Vec<u8>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut head = Vec::new();
    let limit = 256 * 1024;
    if path.extension().is_some_and(|e| e == "gz") {
        flate2::read::MultiGzDecoder::new(file)
            .take(limit)
            .read_to_end(&mut head)
    } else {
        file.take(limit).read_to_end(&mut head)
    }
    .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(head)
}

fn write(fp: &Footprint, output: &Path) -> anyhow::Result<()> {
    if output.as_os_str() == "-" {
        let json = serde_json::to_string_pretty(fp).context("serialising the footprint")?;
        println!("{json}");
    } else {
        aprof_footprint::save_atomic(fp, output)?;
    }
    Ok(())
}

fn into(output: &Path) -> String {
    if output.as_os_str() == "-" {
        String::new()
    } else {
        format!(" into {}", output.display())
    }
}

fn read_run(path: &Path, filters: &Filters) -> anyhow::Result<FunctionTrace> {
    ftrace_import::read_file(path, filters).map_err(|e| match e {
        ftrace_import::ParseError::NotATrace { lines } => anyhow::anyhow!(
            "{}: not a kernel-function trace (no function line among {lines} line(s))",
            path.display()
        ),
        other => other.into(),
    })
}

fn run_functions(args: Args, output: &Path) -> anyhow::Result<u8> {
    let filters = if args.no_filters {
        Filters::none()
    } else if args.pids.is_empty() {
        Filters::published(Tasks::NotIdle)
    } else {
        Filters::published(Tasks::Pids(args.pids.iter().copied().collect()))
    };
    let mut runs = Vec::new();
    for path in &args.files {
        runs.push((path.display().to_string(), read_run(path, &filters)?));
    }
    let first_format = runs[0].1.format;
    if let Some((path, t)) = runs.iter().find(|(_, t)| t.format != first_format) {
        bail!(
            "{path}: is {} but {} is {}: import runs of one kind together",
            t.format.source_name(),
            runs[0].0,
            first_format.source_name()
        );
    }
    for (path, trace) in &runs {
        for w in trace.report.warnings(trace.format, &filters) {
            eprintln!("aprof: warning: {path}: {w}");
        }
    }
    // The baseline is taken the same way: same filters, minus the pid list
    // (its processes are not the workload's).
    let baseline_filters = match &filters.tasks {
        Tasks::Pids(_) => Filters {
            tasks: Tasks::NotIdle,
            ..filters.clone()
        },
        _ => filters.clone(),
    };
    let mut baseline = Vec::new();
    for path in &args.baseline {
        baseline.push(read_run(path, &baseline_filters)?);
    }
    let baseline_names = args
        .baseline
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let release = args.kernel_release.clone().or_else(|| {
        runs.iter()
            .find_map(|(_, t)| t.report.kernel_release.clone())
    });
    let mapper = mapper(&args, release.as_deref())?;
    let guest = KernelInfo {
        release,
        accelerator: args.accelerator.clone(),
        ..Default::default()
    };
    let fp = functions_footprint(
        &runs,
        (!baseline.is_empty()).then_some((baseline_names.as_str(), baseline.as_slice())),
        &filters,
        &guest,
        &mapper,
    );
    let Some(section) = fp.kernel_functions.as_ref() else {
        bail!("no kernel functions were imported");
    };
    let summary = section.mapping.clone().unwrap_or_default();
    let unique = section.unique;
    let functions = section.len();
    write(&fp, output)?;
    let mapped: u64 = summary.mapped.values().sum();
    let spread = if unique.n > 1 {
        format!(
            " (per run {:.1} ± {:.1} over {} runs)",
            unique.mean, unique.sd, unique.n
        )
    } else {
        String::new()
    };
    eprintln!(
        "aprof: imported {functions} unique kernel functions{spread} from {} {} run(s), {mapped} mapped to subsystems, {} unmapped; {} syscalls ({} distinct){}",
        runs.len(),
        runs[0].1.format.source_name(),
        summary.unmapped,
        fp.total_syscalls(),
        fp.distinct_syscalls(),
        into(output)
    );
    Ok(0)
}

/// The footprint of kernel-function runs: the functions section (runs
/// merged, baseline subtracted, functions mapped by `mapper`) and the
/// syscalls the traces show. One implementation for `aprof import` and the
/// in-guest recorder.
pub fn functions_footprint(
    runs: &[(String, FunctionTrace)],
    baseline: Option<(&str, &[FunctionTrace])>,
    filters: &Filters,
    kernel: &KernelInfo,
    mapper: &FunctionMapper,
) -> Footprint {
    let mut fp = ftrace_import::footprint(runs, baseline, filters, kernel);
    if let Some(section) = fp.kernel_functions.as_mut() {
        mapper.map(section);
    }
    fp
}

/// The mapping sources: those given, else what is installed for the release.
fn mapper(args: &Args, release: Option<&str>) -> anyhow::Result<FunctionMapper> {
    let mut mapper = match (&args.vmlinux, release) {
        (None, Some(r)) if args.kallsyms.is_none() && args.modules_dir.is_none() => {
            return Ok(FunctionMapper::discover(r));
        }
        _ => FunctionMapper::rules_only(),
    };
    if let Some(v) = &args.vmlinux {
        mapper = mapper.with_vmlinux(v)?;
    }
    if let Some(k) = &args.kallsyms {
        mapper = mapper.with_kallsyms(k)?;
    }
    match (&args.modules_dir, release) {
        (Some(m), _) => mapper = mapper.with_modules_dir(m)?,
        (None, Some(r)) => {
            let dir = PathBuf::from(format!("/lib/modules/{r}"));
            if dir.is_dir() {
                mapper = mapper.with_modules_dir(&dir)?;
            }
        }
        _ => {}
    }
    Ok(mapper)
}
