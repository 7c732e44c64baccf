//! `aprof score FOOTPRINT` and `aprof profile -- CMD`: the attack profile of
//! a measured workload under a deployment model, its guard gap and the
//! known CVEs its kernel has not fixed.

use super::models::emit;
use super::output::Format;
use anyhow::{bail, Context};
use aprof_density::{Dataset, DensityParams, Privileges, RateTable, SubsystemMap, UserNamespaces};
use aprof_footprint::Footprint;
use aprof_report::workload::{workload_json, workload_markdown, workload_table, PatchSummary};
use aprof_score::catalogue;
use aprof_score::workload::{score, Containment, Guard, UserDensity, WorkloadInputs};
use std::ffi::OsString;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct ScoringArgs {
    /// Deployment model (see `aprof models`), or a stack file with --model-file.
    #[arg(long, default_value = "container")]
    pub model: String,
    /// A stack file to use as the model.
    #[arg(long)]
    pub model_file: Option<PathBuf>,
    /// The seccomp guard: an OCI, Docker or SPO profile; `docker-default` for Docker's.
    #[arg(long, conflicts_with = "pid")]
    pub profile: Option<String>,
    /// Refuse a --profile with a field its format does not have.
    #[arg(long)]
    pub strict: bool,
    /// Take the guard and the privileges from this running process (its
    /// seccomp filters, capabilities and namespaces, as `aprof inspect` reads them).
    #[arg(long)]
    pub pid: Option<i32>,
    /// Kernel for the patch-level check (default: this host's `uname -r`).
    #[arg(long)]
    pub kernel: Option<String>,
    /// Half-life in years of the decay-weighted index shown beside the
    /// figures (the figures themselves are never decayed); 0 means no decay.
    #[arg(long, value_name = "YEARS")]
    pub half_life: Option<f64>,
    /// Weight each CVE of the decay-weighted index by its CVSS score / 10.
    #[arg(long)]
    pub cvss: bool,
    /// Userspace density, CVE fixes per MiB of executable code per year
    /// (default: the kernel's measured rate per line at 17 KiB per KLOC).
    #[arg(long, value_name = "PER_MIB")]
    pub user_density: Option<f64>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Shorthand for --format json.
    #[arg(long)]
    pub json: bool,
}

impl Default for ScoringArgs {
    fn default() -> Self {
        ScoringArgs {
            model: "container".into(),
            model_file: None,
            profile: None,
            strict: false,
            pid: None,
            kernel: None,
            half_life: None,
            cvss: false,
            user_density: None,
            format: Format::Table,
            json: false,
        }
    }
}

#[derive(clap::Args)]
pub struct ScoreArgs {
    /// A footprint from `aprof record` or `aprof import`.
    pub footprint: PathBuf,
    #[command(flatten)]
    pub scoring: ScoringArgs,
}

#[derive(clap::Args)]
pub struct ProfileArgs {
    /// Also save the recorded footprint here.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Write the report to this file; by default it goes to standard error,
    /// since standard output is the workload's.
    #[arg(long)]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub scoring: ScoringArgs,
    /// The command to record.
    #[arg(last = true, required = true)]
    pub command: Vec<String>,
}

pub fn run_score(args: ScoreArgs) -> anyhow::Result<u8> {
    let fp = aprof_footprint::load(&args.footprint)?;
    super::output::write_stdout(&report(&fp, &args.scoring)?)?;
    Ok(0)
}

pub fn run_profile(args: ProfileArgs) -> anyhow::Result<u8> {
    let target = aprof_record::Target::Launch(args.command.iter().map(OsString::from).collect());
    let options = aprof_record::RecordOptions {
        handle_signals: true,
        ..Default::default()
    };
    let rec = aprof_record::record(&target, &options)?;
    if let Some(out) = &args.output {
        aprof_footprint::save_atomic(&rec.footprint, out)?;
    }
    let text = report(&rec.footprint, &args.scoring)?;
    match &args.report {
        Some(path) => emit(&text, Some(path))?,
        None => eprint!("{text}"),
    }
    Ok(rec.outcome.exit_code())
}

pub fn report(fp: &Footprint, args: &ScoringArgs) -> anyhow::Result<String> {
    let mut params = DensityParams::standard();
    if let Some(h) = args.half_life {
        params = params
            .with_half_life(h)
            .map_err(|e| anyhow::anyhow!("--half-life: {e}"))?;
    }
    params.cvss_weighting = args.cvss;
    let user_density = match args.user_density {
        Some(v) if v.is_finite() && v >= 0.0 => UserDensity::per_mib(v),
        Some(v) => bail!("--user-density must be a number ≥ 0, not {v}"),
        None => UserDensity::standard(),
    };
    let model = match &args.model_file {
        Some(path) => catalogue::load(path)?,
        None => catalogue::built_in_model(&args.model).with_context(|| {
            let known: Vec<String> = catalogue::built_in().into_iter().map(|s| s.name).collect();
            format!("no model '{}' (known: {})", args.model, known.join(", "))
        })?,
    };
    let host_sysctls = Privileges::host_sysctls();
    let mut containment = match Containment::of_model(&model, &host_sysctls, Some(fp)) {
        Some(mut c) => {
            // The model says what the deployment grants; this host says
            // whether unprivileged user namespaces exist.
            c.privileges.user_namespaces = Privileges::host_allows_user_namespaces(&host_sysctls);
            c
        }
        None => Containment::of_footprint(fp, &host_sysctls),
    };
    let (policy, label) = match (&args.profile, args.pid) {
        (Some(p), _) => {
            let loaded = super::profile_arg::load_one_for_docker_defaults(
                std::path::Path::new(p),
                args.strict,
            )?;
            (Some(loaded.policy), format!("seccomp profile {p}"))
        }
        (None, Some(pid)) => {
            let live = aprof_guard::containment::inspect(Some(pid))
                .with_context(|| format!("cannot inspect process {pid}"))?;
            containment.privileges = live_privileges(&live, &host_sysctls);
            let filters = aprof_guard::live::guard_of_pid(pid)?;
            if filters.filters.is_empty() {
                (None, format!("process {pid} has no seccomp filter"))
            } else {
                (
                    Some(filters.policy),
                    format!(
                        "the {} seccomp filter(s) of process {pid}",
                        filters.filters.len()
                    ),
                )
            }
        }
        (None, None) => (None, String::new()),
    };
    let guard = match &policy {
        Some(p) => Guard::Seccomp { label, policy: p },
        None => Guard::None,
    };
    let dataset = Dataset::load_default()?;
    let map = SubsystemMap::embedded();
    let rates = RateTable::compute(&dataset, &params, map);
    let inputs = WorkloadInputs {
        footprint: fp,
        model: &model,
        guard,
        rates: &rates,
        map,
        user_density,
        containment,
    };
    let scored = score(&inputs).map_err(anyhow::Error::msg)?;
    let kernel = super::data::kernel_release(args.kernel.as_deref())?;
    let patch = PatchSummary::of(&scored.patch_level(&dataset, &kernel, map));
    let profile = &scored.profile;
    let format = if args.json { Format::Json } else { args.format };
    let mut text = match format {
        Format::Table => workload_table(profile, Some(&patch)),
        Format::Json => workload_json(profile, Some(&patch)),
        Format::Markdown | Format::Html => workload_markdown(profile, Some(&patch)),
    };
    if let Some(k) = fp.kernel_functions.as_ref().filter(|k| !k.is_empty()) {
        text = with_function_hap(text, format, k, profile, &dataset, &params, map)?;
    }
    Ok(text)
}

/// The function-level HAP beside the syscall-level one, when the footprint
/// has traced kernel functions.
fn with_function_hap(
    mut text: String,
    format: Format,
    k: &aprof_footprint::functions::KernelFunctions,
    profile: &aprof_score::workload::WorkloadProfile,
    dataset: &Dataset,
    params: &DensityParams,
    map: &SubsystemMap,
) -> anyhow::Result<String> {
    use aprof_report::functions::{functions_json, functions_markdown, functions_table};
    use aprof_score::functions::{function_hap, side_by_side};
    let hap = function_hap(k, dataset, params, map);
    let side = side_by_side(profile, &hap);
    match format {
        Format::Table => text.push_str(&functions_table(k, &hap, &side)),
        Format::Markdown | Format::Html => text.push_str(&functions_markdown(k, &hap, &side)),
        Format::Json => {
            let mut value: serde_json::Value =
                serde_json::from_str(&text).context("re-reading the report JSON")?;
            if let Some(obj) = value.as_object_mut() {
                obj.insert("kernel_functions".into(), functions_json(&hap, &side));
            }
            text = serde_json::to_string_pretty(&value)? + "\n";
        }
    }
    Ok(text)
}

/// The privileges of a live process, as `aprof inspect` reads them.
fn live_privileges(
    live: &aprof_guard::containment::Containment,
    host_sysctls: &std::collections::BTreeMap<String, String>,
) -> Privileges {
    let ns_differs = |kind: &str| {
        live.namespaces
            .iter()
            .find(|n| n.kind == kind)
            .and_then(|n| n.differs_from_host)
    };
    Privileges {
        capabilities: live
            .capabilities
            .effective
            .as_ref()
            .map(|s| s.names.iter().cloned().collect())
            .unwrap_or_default(),
        initial_user_namespace: live.capabilities.in_initial_user_namespace.unwrap_or(false),
        initial_network_namespace: ns_differs("net") == Some(false),
        user_namespaces: match Privileges::host_allows_user_namespaces(host_sysctls) {
            UserNamespaces::Allowed(why) => UserNamespaces::Allowed(why),
            denied => denied,
        },
        sysctls: host_sysctls.clone(),
        source: format!(
            "process {} as aprof inspect reads it (/proc/{}/status, /proc/{}/ns)",
            live.pid, live.pid, live.pid
        ),
    }
}
