//! `aprof score FOOTPRINT` and `aprof profile -- CMD`: the attack profile of
//! a measured workload under a deployment model, its guard gap and the
//! known CVEs its kernel has not fixed.

use super::models::emit;
use super::output::Format;
use anyhow::{bail, Context};
use aprof_density::{DensityParams, DensityTable, SubsystemMap};
use aprof_footprint::Footprint;
use aprof_guard::profile::{self, EvalContext, ProfileFormat};
use aprof_report::workload::{workload_json, workload_markdown, workload_table, PatchSummary};
use aprof_score::catalogue;
use aprof_score::workload::{
    reached_subsystems, score, Guard, WorkloadInputs, DEFAULT_USER_DENSITY_PER_MIB,
};
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
    /// Take the guard from the seccomp filters of this running process.
    #[arg(long)]
    pub pid: Option<i32>,
    /// Kernel for the patch-level check (default: this host's `uname -r`).
    #[arg(long)]
    pub kernel: Option<String>,
    /// Defect-decay half-life in years; 0 turns decay off.
    #[arg(long, default_value_t = aprof_density::density::DEFAULT_HALF_LIFE_YEARS)]
    pub half_life: f64,
    /// Weight each CVE by its CVSS score / 10.
    #[arg(long)]
    pub cvss: bool,
    /// Userspace density, expected CVEs per MiB of executable code per year.
    #[arg(long, default_value_t = DEFAULT_USER_DENSITY_PER_MIB)]
    pub user_density: f64,
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
            pid: None,
            kernel: None,
            half_life: aprof_density::density::DEFAULT_HALF_LIFE_YEARS,
            cvss: false,
            user_density: DEFAULT_USER_DENSITY_PER_MIB,
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
    print!("{}", report(&fp, &args.scoring)?);
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
    let non_negative = |v: f64| v.is_finite() && v >= 0.0;
    if !non_negative(args.half_life) || !non_negative(args.user_density) {
        bail!("--half-life and --user-density must be numbers ≥ 0");
    }
    let model = match &args.model_file {
        Some(path) => catalogue::load(path)?,
        None => catalogue::built_in_model(&args.model).with_context(|| {
            let known: Vec<String> = catalogue::built_in().into_iter().map(|s| s.name).collect();
            format!("no model '{}' (known: {})", args.model, known.join(", "))
        })?,
    };
    let (policy, label) = match (&args.profile, args.pid) {
        (Some(p), _) => {
            let ctx = EvalContext::docker_defaults().map_err(anyhow::Error::msg)?;
            let loaded = if p == "docker-default" {
                profile::docker_default(&ctx)?
            } else {
                let mut all =
                    profile::load_file(std::path::Path::new(p), ProfileFormat::Auto, &ctx)?;
                if all.len() != 1 {
                    bail!("{p}: holds {} profiles; give a file with one", all.len());
                }
                all.remove(0)
            };
            (Some(loaded.policy), format!("seccomp profile {p}"))
        }
        (None, Some(pid)) => {
            let live = aprof_guard::live::guard_of_pid(pid)?;
            if live.filters.is_empty() {
                (None, format!("process {pid} has no seccomp filter"))
            } else {
                (
                    Some(live.policy),
                    format!(
                        "the {} seccomp filter(s) of process {pid}",
                        live.filters.len()
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
    let dataset = aprof_density::Dataset::load_default()?;
    let mut params = DensityParams::cna_period(&dataset);
    params.half_life_years = (args.half_life > 0.0).then_some(args.half_life);
    params.cvss_weighting = args.cvss;
    let density = DensityTable::compute(&dataset, &params);
    let inputs = WorkloadInputs {
        footprint: fp,
        model: &model,
        guard,
        density: &density,
        map: SubsystemMap::embedded(),
        user_density_per_mib: args.user_density,
    };
    let profile = score(&inputs).map_err(anyhow::Error::msg)?;

    let kernel = super::data::kernel_release(args.kernel.as_deref())?;
    let level = aprof_density::unfixed_cves(&dataset, &kernel, Some(&reached_subsystems(&profile)));
    let patch = PatchSummary::of(&level);
    let format = if args.json { Format::Json } else { args.format };
    Ok(match format {
        Format::Table => workload_table(&profile, Some(&patch)),
        Format::Json => workload_json(&profile, Some(&patch)),
        Format::Markdown | Format::Html => workload_markdown(&profile, Some(&patch)),
    })
}
