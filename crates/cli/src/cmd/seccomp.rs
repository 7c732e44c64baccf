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
    /// Print the result as JSON.
    #[arg(long)]
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
    let policy = match &args.profile {
        Some(p) => load_policy(p, args.strict)?,
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
            generated.policy
        }
    };
    eprintln!("aprof: rerunning under the profile ...");
    let mode = if args.enforce {
        OnDenial::Enforce
    } else {
        OnDenial::Observe
    };
    let run = run_supervised(&args.command, &policy, mode)?;
    print_validation(&run, args.json);
    Ok(if passed(&run) { 0 } else { 1 })
}

/// No denial, and no death by SIGSYS: a kill or trap that the listener
/// never saw still means the profile stopped the workload.
fn passed(run: &SupervisedRun) -> bool {
    run.denials.is_empty() && run.signal != Some(libc::SIGSYS)
}

fn print_validation(run: &SupervisedRun, json: bool) {
    if json {
        let v = serde_json::json!({
            "schema_version": 1,
            "kind": "seccomp-validation",
            "pass": passed(run),
            "exit_code": run.exit_code,
            "signal": run.signal,
            "denials": run.denials,
        });
        println!("{}", serde_json::to_string_pretty(&v).expect("serialises"));
        return;
    }
    if passed(run) {
        println!(
            "PASS: the workload ran under the profile with no denied syscall (exit {}).",
            run.exit_code
        );
        return;
    }
    if run.signal == Some(libc::SIGSYS) {
        println!("FAIL: the workload was killed by SIGSYS, a seccomp kill or trap that the listener did not see.");
    }
    if run.denials.is_empty() {
        return;
    }
    println!(
        "FAIL: the profile denied {} syscall(s) the workload needs:",
        run.denials.len()
    );
    for d in &run.denials {
        let args: Vec<String> = d.first_args[..3]
            .iter()
            .map(|a| format!("{a:#x}"))
            .collect();
        println!(
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
    if let aprof_launch::LaunchError::CommandNotFound(_) = err {
        eprintln!("aprof: error: {err}");
        return Ok(127);
    }
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
