//! `aprof record`: run a command (or attach to a process) under the ptrace
//! recorder and write its footprint.
//!
//! aprof behaves as a transparent wrapper: the workload keeps aprof's
//! stdin/stdout/stderr, its exit code becomes aprof's (128 + signal when a
//! signal killed it), SIGINT/SIGTERM/SIGHUP/SIGQUIT sent to aprof reach it
//! (a second one kills it), and the footprint is written, atomically, in
//! every case where the recording ran. A command that cannot be found or run
//! ends aprof with 127 or 126 like a shell; other failures with 2.

use aprof_record::{parse_duration, record, Mode, RecordOptions, Target};
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Copy, clap::ValueEnum)]
enum ModeArg {
    /// Seccomp-assisted when launching a command and the kernel allows it, else ptrace.
    Auto,
    /// A SECCOMP_RET_TRACE filter: one stop per syscall. Sets NO_NEW_PRIVS
    /// on the workload unless aprof has CAP_SYS_ADMIN.
    Seccomp,
    /// PTRACE_SYSCALL: two stops per syscall, nothing installed in the workload.
    Ptrace,
}

#[derive(clap::Args)]
pub struct Args {
    /// Where to write the footprint. Default: a new file named after the
    /// command in $XDG_STATE_HOME/aprof/footprints/ (~/.local/state/...).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// How syscalls are stopped.
    #[arg(long, value_enum, default_value = "auto")]
    mode: ModeArg,
    /// Attach to this running process (all its threads and new children)
    /// instead of running a command; detach leaving it running.
    #[arg(long, conflicts_with = "command")]
    pid: Option<i32>,
    /// With --pid: record this long (e.g. 30s, 5m, 250ms). Default: until
    /// Ctrl-C or the process ends.
    #[arg(long, requires = "pid", value_parser = parse_duration)]
    duration: Option<Duration>,
    /// In seccomp mode, also stop at every syscall exit so every error is
    /// counted (slower; ptrace mode always counts errors).
    #[arg(long)]
    errors: bool,
    /// No progress line and no summary.
    #[arg(short, long)]
    quiet: bool,
    /// The command to run and its arguments (after `--`).
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "CMD"
    )]
    command: Vec<OsString>,
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    if args.duration.is_some() && args.pid.is_none() {
        anyhow::bail!(
            "--duration applies to --pid only; a launched command is recorded until it ends"
        );
    }
    let target = match (args.pid, args.command.is_empty()) {
        (Some(pid), _) => Target::Attach {
            pid,
            duration: args.duration,
        },
        (None, false) => Target::Launch(args.command.clone()),
        (None, true) => anyhow::bail!(
            "nothing to record: give a command (aprof record -- CMD ARGS...) or --pid PID"
        ),
    };
    let output = match &args.output {
        Some(path) => path.clone(),
        None => {
            let what = match &target {
                Target::Launch(argv) => argv[0].to_string_lossy().into_owned(),
                Target::Attach { pid, .. } => format!("pid{pid}"),
            };
            super::default_output::footprint_path(&what)?
        }
    };
    check_output_dir(&output)?;
    let options = RecordOptions {
        mode: match args.mode {
            ModeArg::Auto => Mode::Auto,
            ModeArg::Seccomp => Mode::Seccomp,
            ModeArg::Ptrace => Mode::Ptrace,
        },
        all_errors: args.errors,
        progress: !args.quiet,
        handle_signals: true,
    };
    // A command that cannot be started ends aprof with 127 or 126 (main).
    let recording = record(&target, &options)?;
    aprof_footprint::save_atomic(&recording.footprint, &output)?;
    if args.output.is_none() {
        eprintln!("aprof: footprint written to {}", output.display());
    }
    // SAFETY: isatty only inspects the descriptor.
    if !args.quiet && unsafe { libc::isatty(libc::STDERR_FILENO) } == 1 {
        let fp = &recording.footprint;
        eprintln!(
            "aprof: {} syscalls ({} distinct) in {} processes -> {}",
            fp.total_syscalls(),
            fp.distinct_syscalls(),
            fp.processes.len(),
            output.display()
        );
    }
    Ok(recording.outcome.exit_code())
}

/// Fail before recording, not after, when the footprint cannot be written.
fn check_output_dir(output: &std::path::Path) -> anyhow::Result<()> {
    let dir = match output.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    if !dir.is_dir() {
        anyhow::bail!("{}: directory does not exist", dir.display());
    }
    if output.is_dir() {
        anyhow::bail!("{}: is a directory", output.display());
    }
    Ok(())
}
