//! `aprof seccomp generate|validate`, `aprof run --profile` and
//! `aprof check --baseline`: turning recordings into guards, proving the
//! guards let the workload run, and gating drift.

use super::models::emit;
use anyhow::{bail, Context};
use aprof_footprint::{diff, Footprint};
use aprof_guard::export::{export, ExportFormat};
use aprof_guard::generate::{generate, Base, GenerateOptions};
use aprof_guard::supervise::{run_supervised, OnDenial, SupervisedRun};
use aprof_guard::{Action, Policy};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct SeccompArgs {
    #[command(subcommand)]
    pub command: SeccompCommand,
}

#[derive(clap::Subcommand)]
pub enum SeccompCommand {
    /// Write the tightest allow-list profile for a recorded footprint.
    Generate(GenerateArgs),
    /// Record CMD, generate its profile, rerun CMD under it and report every denied syscall.
    Validate(ValidateArgs),
}

#[derive(clap::Args)]
pub struct ProfileShape {
    /// Output format: oci, docker, spo (Kubernetes SeccompProfile) or systemd.
    #[arg(long, default_value = "oci")]
    pub format: String,
    /// Add the syscalls this runtime makes after installing the filter: runc, crun or none.
    #[arg(long, default_value = "none")]
    pub base: String,
    /// What happens to everything else: errno (EPERM), kill or log.
    #[arg(long, default_value = "errno")]
    pub default_action: String,
    /// Allow recorded syscalls whole, without argument rules.
    #[arg(long)]
    pub no_argument_rules: bool,
    /// Allow only what was recorded, not the syscalls that timing alone decides (restart_syscall, ...).
    #[arg(long)]
    pub no_timing_companions: bool,
}

impl ProfileShape {
    fn options(&self) -> anyhow::Result<GenerateOptions> {
        let default_action = match self.default_action.as_str() {
            "errno" => Action::Errno(libc::EPERM as u16),
            "kill" => Action::KillProcess,
            "log" => Action::Log,
            other => bail!("unknown default action '{other}' (errno, kill or log)"),
        };
        Ok(GenerateOptions {
            default_action,
            base: self.base.parse::<Base>().map_err(anyhow::Error::msg)?,
            argument_rules: !self.no_argument_rules,
            timing_companions: !self.no_timing_companions,
        })
    }
}

#[derive(clap::Args)]
pub struct GenerateArgs {
    /// A footprint from `aprof record` or `aprof import`.
    pub footprint: PathBuf,
    #[command(flatten)]
    pub shape: ProfileShape,
    /// Write here instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct ValidateArgs {
    /// Validate this profile instead of generating one from a recording.
    #[arg(long)]
    pub profile: Option<PathBuf>,
    /// With --profile: refuse a profile with a field its format does not have.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub shape: ProfileShape,
    /// Fail denied syscalls with EPERM, as the profile would, instead of letting them run.
    #[arg(long)]
    pub enforce: bool,
    /// Also write the generated profile here.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Write the result as JSON to this file (`/dev/fd/N` for a descriptor
    /// the caller opened, which the workload does not inherit). Standard
    /// output stays the workload's.
    #[arg(long, value_name = "FILE")]
    pub json_out: Option<PathBuf>,
    /// Refused: standard output is the workload's; use --json-out FILE.
    #[arg(long, hide = true)]
    pub json: bool,
    /// The command to run.
    #[arg(last = true, required = true)]
    pub command: Vec<String>,
}

#[derive(clap::Args)]
pub struct RunArgs {
    /// An OCI, Docker or SPO seccomp profile.
    #[arg(long)]
    pub profile: PathBuf,
    /// Refuse a profile with a field its format does not have.
    #[arg(long)]
    pub strict: bool,
    /// The command to run under it.
    #[arg(last = true, required = true)]
    pub command: Vec<String>,
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// The footprint the workload may not exceed.
    #[arg(long)]
    pub baseline: PathBuf,
    /// Compare this footprint instead of recording a command.
    #[arg(long)]
    pub footprint: Option<PathBuf>,
    /// Output: table, json or sarif.
    #[arg(long, default_value = "table")]
    pub format: String,
    /// Also write SARIF here.
    #[arg(long)]
    pub sarif: Option<PathBuf>,
    /// Save the new recording here.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// The command to record.
    #[arg(last = true)]
    pub command: Vec<String>,
}

pub fn run(args: SeccompArgs) -> anyhow::Result<u8> {
    match args.command {
        SeccompCommand::Generate(a) => run_generate(a),
        SeccompCommand::Validate(a) => run_validate(a),
    }
}

fn run_generate(args: GenerateArgs) -> anyhow::Result<u8> {
    let fp = aprof_footprint::load(&args.footprint)?;
    let format: ExportFormat = args.shape.format.parse().map_err(anyhow::Error::msg)?;
    let generated = generate(&fp, &args.shape.options()?);
    let name = fp
        .environment
        .command
        .first()
        .map(|c| {
            Path::new(c)
                .file_name()
                .map_or(c.clone(), |n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "workload".into());
    let (text, notes) = export(&generated.policy, format, &name);
    for note in generated.notes.iter().chain(&notes) {
        eprintln!("aprof: note: {note}");
    }
    emit(&text, args.output.as_ref())?;
    Ok(0)
}

/// Record a command with the default recorder, passing its output through.
fn record_command(command: &[String]) -> anyhow::Result<(Footprint, u8)> {
    let target = aprof_record::Target::Launch(command.iter().map(OsString::from).collect());
    let options = aprof_record::RecordOptions {
        handle_signals: true,
        ..Default::default()
    };
    let rec = aprof_record::record(&target, &options)?;
    Ok((rec.footprint, rec.outcome.exit_code()))
}

fn load_policy(path: &Path, strict: bool) -> anyhow::Result<Policy> {
    Ok(super::profile_arg::load_one_for_docker_defaults(path, strict)?.policy)
}

fn run_validate(args: ValidateArgs) -> anyhow::Result<u8> {
    if args.json {
        bail!(
            "--json would mix the report into the workload's standard output; \
             write it with --json-out FILE (or --json-out /dev/fd/3 3>report.json)"
        );
    }
    if let Some(path) = &args.json_out {
        keep_from_workload(path)?;
    }
    let (policy, recorded_exit) = match &args.profile {
        Some(p) => (load_policy(p, args.strict)?, None),
        None => {
            eprintln!("aprof: recording {} ...", args.command.join(" "));
            let (fp, code) = record_command(&args.command)?;
            if code != 0 {
                eprintln!(
                    "aprof: note: the recorded run exited with {code}; the profile covers that run"
                );
            }
            let generated = generate(&fp, &args.shape.options()?);
            if let Some(out) = &args.output {
                let format: ExportFormat = args.shape.format.parse().map_err(anyhow::Error::msg)?;
                emit(
                    &export(&generated.policy, format, &args.command[0]).0,
                    Some(out),
                )?;
            }
            (generated.policy, Some(i32::from(code)))
        }
    };
    eprintln!("aprof: rerunning under the profile ...");
    let mode = if args.enforce {
        OnDenial::Enforce
    } else {
        OnDenial::Observe
    };
    let run = run_supervised(&args.command, &policy, mode)?;
    let verdict = Validation {
        run: &run,
        recorded_exit,
    };
    match &args.json_out {
        Some(path) => emit(&verdict.json(), Some(path))?,
        None => verdict.print(),
    }
    Ok(if verdict.passed() { 0 } else { 1 })
}

/// A descriptor named as `/dev/fd/N` (or `/proc/self/fd/N`) is not passed
/// on to the workload, so that only aprof writes the report there.
fn keep_from_workload(path: &Path) -> anyhow::Result<()> {
    let text = path.to_string_lossy();
    let fd = text
        .strip_prefix("/dev/fd/")
        .or_else(|| text.strip_prefix("/proc/self/fd/"))
        .and_then(|n| n.parse::<i32>().ok());
    if let Some(fd) = fd {
        // SAFETY: fcntl on a descriptor number; it fails cleanly if unused.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
        if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC) } < 0 {
            bail!("--json-out {text}: descriptor {fd} is not open");
        }
        if fd <= 2 {
            bail!("--json-out {text}: descriptor {fd} is the workload's; use another one");
        }
    }
    Ok(())
}

/// The verdict of a validation: the rerun under the profile, and the exit
/// code of the recorded run it is compared with (none for --profile).
struct Validation<'a> {
    run: &'a SupervisedRun,
    recorded_exit: Option<i32>,
}

impl Validation<'_> {
    /// The rerun ended as the recording did (unknown for --profile).
    fn exit_matches(&self) -> Option<bool> {
        self.recorded_exit.map(|code| code == self.run.exit_code)
    }

    /// No denial, no death by SIGSYS (a kill or trap the listener never
    /// saw still means the profile stopped the workload), and the exit
    /// code of the recording.
    fn passed(&self) -> bool {
        self.run.denials.is_empty()
            && self.run.signal != Some(libc::SIGSYS)
            && self.exit_matches() != Some(false)
    }

    fn json(&self) -> String {
        let v = serde_json::json!({
            "schema_version": 1,
            "kind": "seccomp-validation",
            "pass": self.passed(),
            "exit_code": self.run.exit_code,
            "signal": self.run.signal,
            "recorded_exit_code": self.recorded_exit,
            "exit_code_matches": self.exit_matches(),
            "denials": self.run.denials,
        });
        serde_json::to_string_pretty(&v).expect("serialises") + "\n"
    }

    /// The report on stderr: stdout is the workload's.
    fn print(&self) {
        let run = self.run;
        let exit = match self.recorded_exit {
            Some(code) if code == run.exit_code => format!("exit {code}, as recorded"),
            Some(code) => format!(
                "exit {}, the recorded run exited with {code}",
                run.exit_code
            ),
            None => format!("exit {}; no recording to compare with", run.exit_code),
        };
        if self.passed() {
            eprintln!("PASS: the workload ran under the profile with no denied syscall ({exit}).");
            return;
        }
        if run.signal == Some(libc::SIGSYS) {
            eprintln!("FAIL: the workload was killed by SIGSYS, a seccomp kill or trap that the listener did not see.");
        }
        if self.exit_matches() == Some(false) {
            eprintln!("FAIL: the workload ended differently under the profile ({exit}).");
        }
        if run.denials.is_empty() {
            return;
        }
        eprintln!(
            "FAIL: the profile denied {} syscall(s) the workload needs ({exit}):",
            run.denials.len()
        );
        for d in &run.denials {
            let args: Vec<String> = d.first_args[..3]
                .iter()
                .map(|a| format!("{a:#x}"))
                .collect();
            eprintln!(
                "  {} ({}): {} call(s), action {}, first call by pid {} with ({}, ...)",
                d.syscall,
                d.abi,
                d.count,
                d.action,
                d.first_pid,
                args.join(", ")
            );
        }
    }
}

pub fn run_enforced(args: RunArgs) -> anyhow::Result<u8> {
    let policy = load_policy(&args.profile, args.strict)?;
    let prog = aprof_guard::bpf::compile(&policy)
        .with_context(|| format!("cannot compile {}", args.profile.display()))?;
    let argv: Vec<OsString> = args.command.iter().map(OsString::from).collect();
    // aprof becomes the workload: nothing may run between the filter and
    // the exec, so the profile must allow execve, as it must under runc.
    let err = aprof_launch::exec_in_place(&aprof_launch::Launch {
        argv: &argv,
        no_new_privs: true,
        filter: Some(aprof_launch::Filter {
            program: aprof_guard::bpf::Insn::as_sock_filters(&prog),
            flags: 0,
            announce_listener: false,
        }),
        ..Default::default()
    });
    // Not found or not executable: 127 or 126, from main.
    Err(err).with_context(|| {
        format!(
            "cannot run {} under {}",
            args.command[0],
            args.profile.display()
        )
    })
}

pub fn run_check(args: CheckArgs) -> anyhow::Result<u8> {
    let baseline = aprof_footprint::load(&args.baseline)?;
    let (current, workload_code) = match (&args.footprint, args.command.is_empty()) {
        (Some(path), true) => (aprof_footprint::load(path)?, 0),
        (None, false) => record_command(&args.command)?,
        (Some(_), false) => bail!("give either --footprint FILE or -- CMD, not both"),
        (None, true) => bail!("nothing to check: give --footprint FILE or -- CMD"),
    };
    if let Some(out) = &args.output {
        aprof_footprint::save_atomic(&current, out)?;
    }
    let drift = diff::drift(&baseline, &current);
    let sarif = aprof_report::sarif::drift_sarif(&drift, &args.baseline.display().to_string());
    if let Some(path) = &args.sarif {
        emit(&sarif, Some(path))?;
    }
    match args.format.as_str() {
        "sarif" => print!("{sarif}"),
        "json" => println!("{}", serde_json::to_string_pretty(&serde_json::json!({"schema_version": 1, "kind": "drift", "clean": drift.is_clean(), "drift": drift})).expect("serialises")),
        "table" => {
            if drift.is_clean() {
                println!("OK: nothing reached beyond the baseline ({} item(s) of the baseline not reached this time).", drift.removed.len());
            } else {
                println!("DRIFT: {} item(s) beyond the baseline:", drift.added.len());
                for r in &drift.added {
                    println!("  + {}", r.describe());
                }
            }
        }
        other => bail!("unknown format '{other}' (table, json or sarif)"),
    }
    if workload_code != 0 {
        eprintln!("aprof: note: the recorded workload exited with {workload_code}");
    }
    Ok(if drift.is_clean() { 0 } else { 1 })
}
