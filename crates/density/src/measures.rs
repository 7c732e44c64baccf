//! The "measured" figures of the deployment-model catalogue, computed from
//! the embedded data rather than copied into it:
//!
//! - the kernel's source lines per bucket (`data/kernel/lines-6.1.tsv`,
//!   counted by `data/kernel/count_lines.py` in Debian's linux-source-6.1);
//! - CVE fixes per year in a set of buckets over the standard window;
//! - the non-driver kernel's CVE fixes per KLOC-year.

use crate::{bucket_of, Dataset, DensityParams};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Top-level trees that are not built into an x86_64 server kernel's
/// non-driver core, or are not code.
const NOT_CORE: [&str; 8] = [
    "drivers/",
    "sound/",
    "Documentation/",
    "tools/",
    "samples/",
    "scripts/",
    "usr/",
    "LICENSES/",
];

/// True for a path of the non-driver x86_64 kernel: not under drivers/,
/// sound/, Documentation/, tools/, samples/, scripts/, usr/ or LICENSES/,
/// not another architecture's arch/, and not a top-level file.
pub fn is_non_driver(path: &str) -> bool {
    path.contains('/')
        && !NOT_CORE.iter().any(|p| path.starts_with(p))
        && (!path.starts_with("arch/") || path.starts_with("arch/x86/"))
}

/// Source lines per bucket of one kernel tree.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KernelLines {
    pub source: String,
    pub lines: BTreeMap<String, u64>,
}

impl KernelLines {
    /// The counts embedded from `data/kernel/lines-6.1.tsv`.
    pub fn embedded() -> &'static KernelLines {
        static LINES: OnceLock<KernelLines> = OnceLock::new();
        LINES.get_or_init(|| {
            KernelLines::parse(include_str!("../../../data/kernel/lines-6.1.tsv"))
                .expect("the embedded line counts parse (checked by tests)")
        })
    }

    pub fn parse(text: &str) -> Result<KernelLines, String> {
        let mut out = KernelLines::default();
        for (i, line) in text.lines().enumerate() {
            if let Some(meta) = line.strip_prefix('#') {
                if let Some(("source", v)) = meta.split_once('\t') {
                    out.source = v.to_owned();
                }
                continue;
            }
            if line.starts_with("bucket\t") || line.is_empty() {
                continue;
            }
            let cells: Vec<&str> = line.split('\t').collect();
            let [bucket, _files, lines] = cells[..] else {
                return Err(format!("lines table line {}: expected 3 columns", i + 1));
            };
            let n = lines
                .parse()
                .map_err(|_| format!("lines table line {}: bad count", i + 1))?;
            out.lines.insert(bucket.to_owned(), n);
        }
        Ok(out)
    }

    /// Thousands of lines in the given buckets.
    pub fn kloc_of(&self, buckets: &[&str]) -> f64 {
        buckets
            .iter()
            .map(|b| self.lines.get(*b).copied().unwrap_or(0))
            .sum::<u64>() as f64
            / 1000.0
    }

    /// Thousands of lines of the non-driver x86_64 kernel ([`is_non_driver`]).
    pub fn non_driver_kloc(&self) -> f64 {
        self.lines
            .iter()
            .filter(|(b, _)| is_non_driver(&format!("{b}/x.c")))
            .map(|(_, n)| *n)
            .sum::<u64>() as f64
            / 1000.0
    }
}

/// A measured rate with what it was computed from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measured {
    /// What was counted.
    pub what: String,
    /// CVEs fixed in the window.
    pub cves: usize,
    pub years: f64,
    /// `cves / years`: CVE fixes per year.
    pub per_year: f64,
    /// The code size it is divided by, in KLOC, and where it comes from.
    pub kloc: f64,
    pub kloc_source: String,
    /// `per_year / kloc`: CVE fixes per KLOC-year.
    pub per_kloc_year: f64,
}

impl Measured {
    /// One line: "4,652 CVEs in 2.6065 years = 1,784.8 a year, over 5,530 KLOC = 0.3227 per KLOC-year".
    pub fn describe(&self) -> String {
        format!(
            "{}: {} CVEs fixed in {:.4} years = {:.1} a year, over {:.0} KLOC ({}) = {:.4} CVE fixes per KLOC-year",
            self.what, self.cves, self.years, self.per_year, self.kloc, self.kloc_source, self.per_kloc_year
        )
    }
}

/// CVE fixes per year in the window for records whose fix touched a file
/// that `counts` accepts, per KLOC of `kloc`.
pub fn measure(
    dataset: &Dataset,
    params: &DensityParams,
    what: &str,
    counts: impl Fn(&str) -> bool,
    kloc: f64,
    kloc_source: &str,
) -> Measured {
    let cves = dataset
        .records
        .iter()
        .filter(|r| r.fixed_date.is_some_and(|d| params.contains(d)))
        .filter(|r| r.files.iter().any(|f| counts(f)))
        .count();
    let years = params.years();
    let per_year = cves as f64 / years;
    Measured {
        what: what.to_owned(),
        cves,
        years,
        per_year,
        kloc,
        kloc_source: kloc_source.to_owned(),
        per_kloc_year: if kloc > 0.0 { per_year / kloc } else { 0.0 },
    }
}

/// The non-driver kernel's CVE fixes per KLOC-year, standard window,
/// embedded data.
pub fn non_driver_kernel() -> &'static Measured {
    static M: OnceLock<Measured> = OnceLock::new();
    M.get_or_init(|| {
        let lines = KernelLines::embedded();
        measure(
            Dataset::embedded(),
            &DensityParams::standard(),
            "non-driver x86_64 kernel",
            is_non_driver,
            lines.non_driver_kloc(),
            &format!("lines of {}", lines.source),
        )
    })
}

/// CVE fixes per year and per KLOC-year in a set of buckets, standard
/// window, embedded data (`arch/x86/kvm` + `virt/kvm` for KVM).
pub fn buckets(buckets: &[&str]) -> Measured {
    let lines = KernelLines::embedded();
    measure(
        Dataset::embedded(),
        &DensityParams::standard(),
        &buckets.join(" + "),
        |f| buckets.contains(&bucket_of(f).as_str()),
        lines.kloc_of(buckets),
        &format!("lines of {}", lines.source),
    )
}
