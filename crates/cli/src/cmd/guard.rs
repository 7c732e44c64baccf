//! `aprof guard`: what the seccomp guard of a profile file, a running
//! process (`--pid`) or a command (`-- CMD ARGS`) lets through, per ABI,
//! with argument conditions, what it blocks, and how it differs from a
//! reference profile (`--vs`). Tables by default, versioned JSON with
//! `--json`.

use anyhow::{bail, Context};
use aprof_footprint::Abi;
use aprof_guard::profile::{
    self, parse_caps, EvalContext, KernelVersion, LoadedProfile, ProfileFormat,
};
use aprof_guard::report::{GuardDocument, GuardReport, SCHEMA_VERSION};
use aprof_guard::{bpf, containment, live, Policy};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// A seccomp profile: OCI (`linux.seccomp` or a whole config.json),
    /// Docker's format, a Kubernetes SeccompProfile (YAML), or Firecracker's
    /// seccompiler JSON.
    pub profile: Option<PathBuf>,
    /// The profile's format.
    #[arg(long, default_value = "auto", value_parser = ["oci", "docker", "spo", "seccompiler", "auto"])]
    pub format: String,
    /// Capabilities for Docker's includes/excludes, comma-separated
    /// (`CHOWN,KILL`, `all`, or empty for none). Default: Docker's 14.
    #[arg(long)]
    pub caps: Option<String>,
    /// Kernel version (X.Y or X.Y.Z) to evaluate the profile for: Docker's
    /// minKernel, and the syscalls that kernel lets through before any
    /// filter (uretprobe from 6.14, uprobe from 6.18). Default: the running one.
    #[arg(long)]
    pub kernel: Option<String>,
    /// Which ABIs to report.
    #[arg(long, default_value = "all", value_parser = ["x86_64", "i386", "x32", "all"])]
    pub abi: String,
    /// Refuse a profile with a field its format does not have (by default
    /// such a field is skipped with a warning, as runtimes skip it).
    #[arg(long)]
    pub strict: bool,
    /// Compare with a reference: `docker-default` (built in) or a profile
    /// file, evaluated with Docker's default capabilities and --kernel.
    #[arg(long)]
    pub vs: Option<String>,
    /// Print versioned JSON instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Read the filters of this running process.
    #[arg(long, conflicts_with = "profile")]
    pub pid: Option<i32>,
    /// With --pid or -- CMD: show the disassembly of each filter.
    #[arg(long)]
    pub bpf: bool,
    /// With --pid: show the rest of the process's containment.
    #[arg(long)]
    pub containment: bool,
    /// Start this command, read its guards at exec, and let it run.
    #[arg(last = true, conflicts_with_all = ["profile", "pid"])]
    pub command: Vec<String>,
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    let sources = [
        args.profile.is_some(),
        args.pid.is_some(),
        !args.command.is_empty(),
    ];
    if sources.iter().filter(|s| **s).count() != 1 {
        bail!("give exactly one of PROFILE, --pid PID or -- CMD ARGS");
    }
    if args.profile.is_some() && (args.bpf || args.containment) {
        bail!("--bpf and --containment need --pid or -- CMD");
    }
    let abis: Vec<Abi> = match args.abi.as_str() {
        "all" => Abi::ALL.to_vec(),
        one => vec![one.parse().map_err(anyhow::Error::msg)?],
    };
    let ctx = eval_context(&args)?;
    let reference_ctx = EvalContext::new(
        profile::DOCKER_DEFAULT_CAPS
            .iter()
            .map(|c| c.to_string())
            .collect(),
        ctx.kernel,
    )
    .with_strict(args.strict);
    let reference = match &args.vs {
        None => None,
        Some(vs) => Some(load_reference(vs, &reference_ctx)?),
    };
    let reference = reference.as_ref().map(|(name, p)| (name.as_str(), p));

    let mut warned = BTreeSet::new();
    let mut document = GuardDocument {
        schema_version: SCHEMA_VERSION,
        guards: Vec::new(),
        pid: None,
        bpf: None,
        containment: None,
    };
    let mut containment_table = None;

    if let Some(path) = &args.profile {
        let format: ProfileFormat = args.format.parse().map_err(anyhow::Error::msg)?;
        for loaded in profile::load_file(path, format, &ctx)? {
            warn_unknown(&loaded, &mut warned);
            super::profile_arg::warn_ignored(&loaded);
            document.guards.push(report_of(&loaded, &abis, reference));
        }
    } else {
        let guard = match args.pid {
            Some(pid) => live::guard_of_pid(pid)?,
            None => live::guard_of_command(&args.command)?,
        };
        let source = match args.pid {
            Some(pid) => format!("process {pid}"),
            None => format!("command {}", args.command.join(" ")),
        };
        let mut report = GuardReport::new(&source, "live", &guard.policy, &abis, reference);
        let mode = match guard.seccomp_mode {
            0 => "seccomp off",
            1 => "seccomp strict mode",
            _ => "seccomp filter mode",
        };
        report.notes.push(format!(
            "{mode}, {} filter(s), NoNewPrivs {}{}",
            guard.filters.len(),
            guard.no_new_privs,
            if guard.exact {
                ""
            } else {
                ", evaluation approximate"
            }
        ));
        report.notes.extend(guard.notes.iter().cloned());
        if let Some(code) = guard.exit_code {
            report.notes.push(format!("the command exited with {code}"));
        }
        document.guards.push(report);
        document.pid = Some(guard.pid);
        if args.bpf {
            document.bpf = Some(guard.filters.iter().map(|f| bpf::disassemble(f)).collect());
        }
        if args.containment {
            match args.pid {
                Some(pid) => {
                    let c = containment::inspect(Some(pid))
                        .with_context(|| format!("containment of process {pid}"))?;
                    containment_table = Some(c.to_table());
                    document.containment = Some(serde_json::to_value(&c)?);
                }
                None => document.guards[0].notes.push(
                    "--containment: the command has ended by now; use --pid on a running process"
                        .into(),
                ),
            }
        }
    }

    let mut out = String::new();
    if args.json {
        out = serde_json::to_string_pretty(&document)?;
        out.push('\n');
    } else {
        for guard in &document.guards {
            out.push_str(&format!("{}\n", guard.to_table()));
        }
        if let Some(filters) = &document.bpf {
            for (i, text) in filters.iter().enumerate() {
                out.push_str(&format!("Filter {i} (0 = oldest):\n{text}\n"));
            }
        }
        if let Some(table) = containment_table {
            out.push_str(&format!("Containment:\n{table}\n"));
        }
    }
    write_stdout(&out)?;
    Ok(0)
}

/// Print to stdout; a reader that went away (`| head`) is not an error.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Capabilities and kernel for Docker's includes/excludes.
fn eval_context(args: &Args) -> anyhow::Result<EvalContext> {
    let defaults = EvalContext::docker_defaults();
    let caps = match &args.caps {
        Some(list) => parse_caps(list).map_err(anyhow::Error::msg)?,
        None => profile::DOCKER_DEFAULT_CAPS
            .iter()
            .map(|c| c.to_string())
            .collect(),
    };
    let kernel: KernelVersion = match &args.kernel {
        Some(k) => k.parse().map_err(anyhow::Error::msg)?,
        None => defaults.map_err(anyhow::Error::msg)?.kernel,
    };
    Ok(EvalContext::new(caps, kernel).with_strict(args.strict))
}

/// The `--vs` reference: Docker's default profile or a file.
fn load_reference(vs: &str, ctx: &EvalContext) -> anyhow::Result<(String, Policy)> {
    let p = super::profile_arg::load_one(Path::new(vs), ctx).context("--vs reference")?;
    Ok((p.name, p.policy))
}

fn report_of(
    loaded: &LoadedProfile,
    abis: &[Abi],
    reference: Option<(&str, &Policy)>,
) -> GuardReport {
    let mut report = GuardReport::new(
        &loaded.name,
        &loaded.format.to_string(),
        &loaded.policy,
        abis,
        reference,
    );
    report.notes = loaded.notes.clone();
    report.unknown_syscalls = loaded.unknown_syscalls.clone();
    report.ignored_fields = loaded.ignored_fields.clone();
    report
}

/// Warn once per unknown syscall name, as libseccomp-based tools do.
fn warn_unknown(loaded: &LoadedProfile, warned: &mut BTreeSet<String>) {
    for name in &loaded.unknown_syscalls {
        if warned.insert(name.clone()) {
            eprintln!(
                "aprof: warning: {}: unknown syscall '{name}', skipped",
                loaded.name
            );
        }
    }
}
