//! `aprof data`: the kernel CVE data behind bug density. `info` shows what
//! the data covers, `update` rebuilds it from a checkout of the kernel's
//! `vulns` repository, `cves` lists the known CVEs a kernel version has not
//! got the fix for, `density` shows CVEs per year per subsystem with every
//! term, and `map` shows the syscall/object -> subsystem mapping coverage.

use anyhow::{bail, Context};
use aprof_density::{
    density::{DEFAULT_MISSING_CVSS, REFERENCE_HALF_LIFE_YEARS, WINDOW_RELEASES},
    unfixed_cves, user_data_path, Dataset, Date, DensityParams, DensityTable, KernelRelease,
    SubsystemMap,
};
use aprof_footprint::Abi;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// `writeln!` into a `String` (which cannot fail).
macro_rules! outln {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

/// Version of the JSON documents `aprof data ... --json` prints.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: DataCommand,
}

#[derive(clap::Subcommand)]
pub enum DataCommand {
    /// Show the data's date, counts and top subsystems.
    Info(InfoArgs),
    /// Rebuild the data from a checkout of the kernel's CVE repository
    /// (git.kernel.org/pub/scm/linux/security/vulns.git).
    Update(UpdateArgs),
    /// List the known CVEs a kernel has not got the fix for (per stable branch).
    Cves(CvesArgs),
    /// CVE fixes per year per subsystem, with a decay-weighted index beside them.
    Density(DensityArgs),
    /// Coverage of the syscall and object-class -> subsystem mapping.
    Map(MapArgs),
}

#[derive(clap::Args)]
pub struct DataSourceArgs {
    /// Read this data file instead of the default (the updated copy under
    /// $XDG_DATA_HOME/aprof when present, else the embedded data).
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct InfoArgs {
    #[command(flatten)]
    pub source: DataSourceArgs,
    /// How many subsystems to list.
    #[arg(long, default_value_t = 15)]
    pub top: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct UpdateArgs {
    /// A checkout of the vulns repository (holding cve/published/*/*.json).
    #[arg(long, value_name = "PATH")]
    pub vulns_repo: PathBuf,
    /// Where to write. Default: $XDG_DATA_HOME/aprof/kernel_cves.tsv.gz
    /// (~/.local/share/aprof/...), which later runs then prefer over the
    /// embedded data. A directory gets kernel_cves.tsv.gz inside it.
    #[arg(short = 'o', long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub source: DataSourceArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct CvesArgs {
    /// The kernel version (`6.13`, `6.13.7`, a `uname -r` string).
    /// Default: the running kernel.
    #[arg(long)]
    pub kernel: Option<String>,
    /// Only CVEs touching these subsystems (repeatable, e.g. net/ipv4).
    /// Default: all subsystems.
    #[arg(long = "subsystem", value_name = "SUBSYSTEM")]
    pub subsystems: Vec<String>,
    #[command(flatten)]
    pub source: DataSourceArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct DensityArgs {
    /// Subsystems to show (repeatable): a bucket (`net/sched`) or a file
    /// group (`net/sched:tc`). Default: the densest buckets.
    #[arg(long = "subsystem", value_name = "SUBSYSTEM")]
    pub subsystems: Vec<String>,
    /// Window start (fix date, YYYY-MM-DD). Default: 2024-01-08, after Linux 6.7.
    #[arg(long)]
    pub from: Option<String>,
    /// Window end (fix date, YYYY-MM-DD). Default: 2026-08-16, Linux 7.2.
    #[arg(long)]
    pub to: Option<String>,
    /// Half-life in years of the decay-weighted index shown beside the
    /// figures (0: no decay, the index equals the figure). Default: 4, for
    /// comparison only.
    #[arg(long, value_name = "YEARS")]
    pub half_life: Option<f64>,
    /// Multiply the index weights by CVSS/10.
    #[arg(long)]
    pub cvss: bool,
    /// CVSS score assumed when a CVE has none (with --cvss).
    #[arg(long, default_value_t = DEFAULT_MISSING_CVSS)]
    pub missing_cvss: f64,
    /// How many subsystems to list without --subsystem.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// List every CVE term of each subsystem shown.
    #[arg(long)]
    pub terms: bool,
    /// Also list the CVEs of the window per mainline release.
    #[arg(long)]
    pub by_release: bool,
    #[command(flatten)]
    pub source: DataSourceArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct MapArgs {
    /// Show the mapping of these syscalls only.
    pub syscalls: Vec<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    match args.command {
        DataCommand::Info(a) => info(a),
        DataCommand::Update(a) => update(a),
        DataCommand::Cves(a) => cves(a),
        DataCommand::Density(a) => density(a),
        DataCommand::Map(a) => map(a),
    }
}

fn load(source: &DataSourceArgs) -> anyhow::Result<Dataset> {
    Ok(match &source.data {
        Some(path) => Dataset::load_path(path)?,
        None => Dataset::load_default()?,
    })
}

fn print_json(value: serde_json::Value) -> anyhow::Result<()> {
    super::output::write_stdout(&(serde_json::to_string_pretty(&value)? + "\n"))
}

fn opt<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn info(args: InfoArgs) -> anyhow::Result<u8> {
    let data = load(&args.source)?;
    let info = data.info(args.top);
    if args.json {
        print_json(serde_json::json!({ "schema_version": SCHEMA_VERSION, "info": info }))?;
        return Ok(0);
    }
    println!("source:        {}", info.source);
    println!("provenance:    {}", info.source_description);
    println!("data date:     {}", opt(info.data_date));
    println!(
        "records:       {} ({} kernel CNA, {} legacy)",
        info.total, info.cna, info.legacy
    );
    println!(
        "with files:    {}   with fixed_in: {}   with introduced_in: {}   with CVSS: {}",
        info.with_files, info.with_fixed_in, info.with_introduced_in, info.with_cvss
    );
    println!(
        "fix dates:     {} .. {}",
        opt(info.first_fixed_date),
        opt(info.last_fixed_date)
    );
    println!(
        "published:     {} .. {}",
        opt(info.first_published),
        opt(info.last_published)
    );
    let release = |r: &Option<(String, Date)>| {
        r.as_ref()
            .map_or_else(|| "-".to_owned(), |(v, d)| format!("{v} ({d})"))
    };
    println!(
        "releases:      {} mainline releases, {} .. {}",
        info.releases,
        release(&info.first_release),
        release(&info.last_release)
    );
    println!(
        "subsystems:    {} distinct; top {}:",
        info.subsystems,
        info.top_subsystems.len()
    );
    for (subsystem, count) in &info.top_subsystems {
        println!("  {count:>6}  {subsystem}");
    }
    Ok(0)
}

fn update(args: UpdateArgs) -> anyhow::Result<u8> {
    let previous = load(&args.source)?;
    let (data, report) = aprof_density::rebuild(&args.vulns_repo, &previous)?;
    let target = match args.output {
        Some(path) if path.is_dir() => path.join(aprof_density::USER_DATA_FILE),
        Some(path) => path,
        None => user_data_path().context("neither XDG_DATA_HOME nor HOME is set; give -o PATH")?,
    };
    data.write_gz(&target)?;
    if args.json {
        print_json(serde_json::json!({
            "schema_version": SCHEMA_VERSION,
            "written": target,
            "data_date": data.data_date,
            "report": report,
        }))?;
        return Ok(0);
    }
    println!("wrote {}", target.display());
    println!(
        "{} JSON files: {} CNA records, {} skipped; {} legacy records kept; data date {}",
        report.json_files,
        report.cna_records,
        report.skipped.len(),
        report.legacy_records_kept,
        opt(data.data_date)
    );
    if report.without_fix_version > 0 {
        println!(
            "{} records name no fixed version",
            report.without_fix_version
        );
    }
    if !report.undated_versions.is_empty() {
        let list: Vec<&str> = report.undated_versions.iter().map(String::as_str).collect();
        println!("versions without a known date: {}", list.join(" "));
    }
    for (path, reason) in &report.skipped {
        println!("skipped {}: {reason}", path.display());
    }
    Ok(0)
}

/// The kernel to check: `--kernel` as given, else the running kernel
/// (with its distribution's own account of its base, when it gives one).
pub fn kernel_release(given: Option<&str>) -> anyhow::Result<KernelRelease> {
    match given {
        Some(k) => KernelRelease::parse(k).map_err(anyhow::Error::from),
        None => KernelRelease::running().map_err(|e| anyhow::anyhow!("{e} (give --kernel X.Y.Z)")),
    }
}

fn cves(args: CvesArgs) -> anyhow::Result<u8> {
    let mut out = String::new();
    let data = load(&args.source)?;
    let kernel = kernel_release(args.kernel.as_deref())?;
    let filter: Option<BTreeSet<String>> =
        (!args.subsystems.is_empty()).then(|| args.subsystems.iter().cloned().collect());
    let level = unfixed_cves(&data, &kernel, filter.as_ref());
    if args.json {
        print_json(serde_json::json!({ "schema_version": SCHEMA_VERSION, "patch_level": level }))?;
        return Ok(0);
    }
    outln!(
        out,
        "kernel {}; data of {}",
        kernel.describe(),
        opt(level.data_date)
    );
    outln!(out, "{}.", level.note);
    for cve in &level.cves {
        outln!(
            out,
            "  {:<16} fix {:<9} mainline fix {:<7} introduced {:<7} cvss {:<4} {:<18} {}",
            cve.cve_id,
            opt(cve.fix),
            opt(cve.fixed_in),
            opt(cve.introduced_in),
            opt(cve.cvss),
            format!("{:?}", cve.basis),
            cve.matched.join(" ")
        );
    }
    if filter.is_some() {
        for (subsystem, ids) in &level.per_match {
            outln!(out, "{subsystem}: {}", ids.len());
        }
    }
    super::output::write_stdout(&out)?;
    Ok(0)
}

fn parse_date(text: &str, what: &str) -> anyhow::Result<Date> {
    match Date::parse(text) {
        Some(d) => Ok(d),
        None => bail!("{what}: expected a date YYYY-MM-DD, got {text:?}"),
    }
}

fn density(args: DensityArgs) -> anyhow::Result<u8> {
    let mut out = String::new();
    let data = load(&args.source)?;
    let mut params = DensityParams::standard();
    if let Some(from) = &args.from {
        params.from = parse_date(from, "--from")?;
    }
    if let Some(to) = &args.to {
        params.to = parse_date(to, "--to")?;
    }
    if params.to < params.from {
        bail!(
            "the window is empty: --to {} is before --from {}",
            params.to,
            params.from
        );
    }
    if let Some(h) = args.half_life {
        params = params
            .with_half_life(h)
            .map_err(|e| anyhow::anyhow!("--half-life: {e}"))?;
    }
    if !(0.0..=10.0).contains(&args.missing_cvss) {
        bail!(
            "--missing-cvss must be a CVSS score from 0 to 10, got {}",
            args.missing_cvss
        );
    }
    params.cvss_weighting = args.cvss;
    params.missing_cvss = args.missing_cvss;
    let table = DensityTable::compute(&data, &params);
    let mut shown: Vec<_> = if args.subsystems.is_empty() {
        let mut all: Vec<_> = table.per_subsystem.values().cloned().collect();
        all.sort_by(|a, b| {
            b.cves_per_year
                .total_cmp(&a.cves_per_year)
                .then_with(|| a.subsystem.cmp(&b.subsystem))
        });
        all.truncate(args.top);
        all
    } else {
        args.subsystems.iter().map(|s| table.get(s)).collect()
    };
    if !args.terms {
        for d in &mut shown {
            d.terms.clear();
        }
    }
    let decay_off = params.decay_off();
    if args.json {
        print_json(serde_json::json!({
            "schema_version": SCHEMA_VERSION,
            "unit": aprof_density::UNIT,
            "unit_note": aprof_density::UNIT_NOTE,
            "params": table.params,
            "years": table.years,
            "normalisation": "per year: CVEs fixed in the window / its length in years",
            "index_half_life_years": if decay_off { None } else { Some(table.index_half_life_years) },
            "cves_in_window": table.cves_in_window,
            "per_release": table.per_release,
            "subsystems": shown,
        }))?;
        return Ok(0);
    }
    let index = if decay_off {
        "decay off (--half-life 0): the index equals the figure".to_owned()
    } else if params.half_life_years.is_some() {
        format!("half-life {} years", table.index_half_life_years)
    } else {
        format!("half-life {REFERENCE_HALF_LIFE_YEARS} years (for comparison; --half-life H sets it, 0 turns decay off)")
    };
    let standard =
        params.from == DensityParams::standard().from && params.to == DensityParams::standard().to;
    outln!(
        out,
        "window {} .. {} = {:.4} years of fix dates{}; {} CVEs in the window; normalised per year",
        params.from,
        params.to,
        table.years,
        if standard {
            format!(" (the fixes of mainline releases {WINDOW_RELEASES})")
        } else {
            String::new()
        },
        table.cves_in_window,
    );
    outln!(
        out,
        "unit: {} ({})",
        aprof_density::UNIT,
        aprof_density::UNIT_NOTE
    );
    outln!(
        out,
        "decay-weighted index: {index}; CVSS weighting {}",
        if params.cvss_weighting { "on" } else { "off" }
    );
    outln!(
        out,
        "{:<28} {:>6} {:>12} {:>8} {:>12}",
        "subsystem",
        "CVEs",
        "fixes/year",
        "no-age",
        "index/year"
    );
    for d in &shown {
        outln!(
            out,
            "{:<28} {:>6} {:>12.4} {:>8} {:>12.4}",
            d.subsystem,
            d.cves,
            d.cves_per_year,
            d.unknown_age,
            d.index_per_year
        );
        for t in &d.terms {
            outln!(
                out,
                "    {:<16} fixed {} introduced {} age {} decay {:.4} cvss-factor {:.2} index weight {:.4}",
                t.cve_id,
                t.fixed_date,
                opt(t.introduced_date),
                t.age_years.map_or_else(|| "-".to_owned(), |a| format!("{a:.4}")),
                t.decay_weight,
                t.cvss_factor,
                t.index_weight
            );
        }
    }
    if args.by_release {
        let total: usize = table.per_release.iter().map(|(_, n)| n).sum();
        outln!(out, "CVEs of the window per mainline release (the release whose cycle the fix date falls in):");
        for (release, n) in &table.per_release {
            outln!(
                out,
                "  {release:<8} {n:>6}  {:>5.1}%",
                100.0 * *n as f64 / total.max(1) as f64
            );
        }
    }
    super::output::write_stdout(&out)?;
    Ok(0)
}

fn map(args: MapArgs) -> anyhow::Result<u8> {
    let map = SubsystemMap::embedded();
    if !args.syscalls.is_empty() {
        let mut rows = Vec::new();
        for name in &args.syscalls {
            match map.syscall(name) {
                Some(m) => rows.push(m.clone()),
                None => bail!("no mapping for syscall {name:?}"),
            }
        }
        if args.json {
            print_json(serde_json::json!({ "schema_version": SCHEMA_VERSION, "syscalls": rows }))?;
        } else {
            for m in rows {
                println!(
                    "{:<20} {:<40} via {:<5} {}",
                    m.syscall,
                    m.subsystems.join(" "),
                    format!("{:?}", m.via).to_lowercase(),
                    m.source
                );
                for g in map
                    .gated_rules()
                    .iter()
                    .filter(|g| g.trigger.label() == format!("syscall {}", m.syscall))
                {
                    println!(
                        "{:<20} {:<40} only with {}: {}",
                        "",
                        g.subsystems.join(" "),
                        g.gate.label(),
                        g.reason
                    );
                }
            }
        }
        return Ok(0);
    }
    let table_size = |abi: Abi| abi.table().len();
    let unmapped: Vec<(Abi, Vec<String>)> = Abi::ALL
        .iter()
        .map(|&abi| (abi, map.unmapped_in_table(abi)))
        .collect();
    if args.json {
        let per_abi: Vec<_> = unmapped
            .iter()
            .map(|(abi, names)| {
                serde_json::json!({
                    "abi": abi, "table": table_size(*abi), "unmapped": names,
                })
            })
            .collect();
        print_json(serde_json::json!({
            "schema_version": SCHEMA_VERSION,
            "syscall_rows": map.syscalls().count(),
            "object_rules": map.object_rules().len(),
            "abis": per_abi,
        }))?;
        return Ok(0);
    }
    println!(
        "{} syscall rows, {} object-class rules",
        map.syscalls().count(),
        map.object_rules().len()
    );
    for (abi, names) in &unmapped {
        println!(
            "{}: {} of {} syscalls mapped; unmapped: {}",
            abi.name(),
            table_size(*abi) - names.len(),
            table_size(*abi),
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(" ")
            }
        );
    }
    Ok(0)
}
