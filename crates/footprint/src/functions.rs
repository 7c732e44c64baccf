//! The kernel-function section of a footprint: the unique kernel functions
//! a workload made the kernel run (ftrace `function_graph`/`function`,
//! `trace-cmd report` or sampled `perf script` stacks), with their call
//! counts, how they were traced and filtered, the kernel they ran in, and
//! where each function's source lives.
//!
//! One measurement may merge several runs: `functions` is their union,
//! `unique` the mean ± sample standard deviation of each run's count of
//! unique functions (the figure the published HAP measurements compare).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The kernel functions a workload reached.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KernelFunctions {
    /// `function_graph`, `function`, or `sampled` (perf stacks: a lower bound).
    pub tracer: String,
    /// The text it came from: `ftrace`, `trace-cmd report`, `perf script`.
    pub source: String,
    /// Trace options seen in the text or set by the recorder
    /// (`funcgraph-proc`, `funcgraph-tail`, `irq-info`, `function-fork`, ...).
    #[serde(default)]
    pub options: Vec<String>,
    /// The kernel the functions ran in (the guest's, when traced in a guest).
    #[serde(default)]
    pub kernel: KernelIdentity,
    /// Where the kernel ran: `kvm` or `tcg` in a guest; `None` on the host
    /// or when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accelerator: Option<String>,
    /// The filters applied, in order, each in words.
    #[serde(default)]
    pub filters: Vec<String>,
    /// The idle baseline subtracted, when one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
    /// One summary per run merged here.
    #[serde(default)]
    pub runs: Vec<RunSummary>,
    /// Unique functions per run: mean ± sample standard deviation.
    #[serde(default)]
    pub unique: MeanSd,
    /// Every function of any run (after filters and baseline), by name.
    #[serde(default)]
    pub functions: BTreeMap<String, FunctionUse>,
    /// How functions were mapped to source files, when they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping: Option<MappingSummary>,
}

/// Which kernel: as much as is known of its identity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KernelIdentity {
    /// `uname -r` (`6.1.0-57-cloud-amd64`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// `uname -v` (`#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3 (2026-11-26)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The GNU build id of its vmlinux, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_id: Option<String>,
    /// SHA-256 of its configuration (`/proc/config.gz` or `/boot/config-*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_sha256: Option<String>,
}

/// The idle baseline: the same tracing and filters with no workload.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Unique functions in the baseline (union of its runs).
    pub functions: u64,
    pub runs: u32,
    /// Functions of the workload's union that the baseline removed.
    pub removed: u64,
    /// Where the baseline came from (file names, or how it was taken).
    #[serde(default)]
    pub source: String,
}

/// One run's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSummary {
    /// Unique functions after filters and baseline.
    pub unique_functions: u64,
    /// Calls counted after filters (entries, or frames for samples).
    pub calls: u64,
    /// Function entries in the text before any filter.
    pub entries: u64,
    /// Entries each filter dropped.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dropped: BTreeMap<String, u64>,
    /// Events the tracer reported lost (`[LOST N EVENTS]`).
    #[serde(default)]
    pub lost_events: u64,
    /// Where the run came from.
    #[serde(default)]
    pub source: String,
}

/// Mean and sample standard deviation (n - 1; 0 for one run).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct MeanSd {
    pub mean: f64,
    pub sd: f64,
    pub n: u32,
}

impl MeanSd {
    pub fn of(values: &[f64]) -> MeanSd {
        let n = values.len();
        if n == 0 {
            return MeanSd::default();
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let sd = if n > 1 {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        MeanSd {
            mean,
            sd,
            n: n as u32,
        }
    }
}

/// One function.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionUse {
    /// Calls over all runs.
    pub count: u64,
    /// In how many runs it was seen.
    #[serde(default)]
    pub runs: u32,
    /// Its source file, relative to the kernel tree (`fs/read_write.c`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Its subsystem bucket (the CVE data's: `fs`, `net/ipv4`, `drivers/net`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subsystem: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapped_by: Option<MappedBy>,
}

/// How a function was placed in the source tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MappedBy {
    /// The kernel's DWARF debug information (exact file).
    Dwarf,
    /// Its module's path in the modules directory (`[ext4]` -> `fs/ext4`).
    Module,
    /// A name rule of `data/kfunctions/rules.tsv.gz` (subsystem only).
    Rule,
}

/// The outcome of mapping functions to source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingSummary {
    /// The sources used, in the order tried (`dwarf /usr/lib/debug/boot/vmlinux-...`,
    /// `System.map ...`, `rules data/kfunctions/rules.tsv`).
    pub sources: Vec<String>,
    /// Functions placed, per method.
    pub mapped: BTreeMap<MappedBy, u64>,
    /// Functions left without a subsystem.
    pub unmapped: u64,
    /// Some of them, for the report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmapped_examples: Vec<String>,
}

impl KernelFunctions {
    /// Unique functions over all runs.
    pub fn len(&self) -> usize {
        self.functions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.functions.is_empty()
    }

    /// Merge runs: each is a map of function -> calls after filters and
    /// baseline. Sets `functions`, `unique` and each run's `unique_functions`.
    pub fn merge_runs(&mut self, runs: &[(RunSummary, BTreeMap<String, u64>)]) {
        self.functions.clear();
        self.runs.clear();
        let mut uniques = Vec::with_capacity(runs.len());
        for (summary, counts) in runs {
            let mut summary = summary.clone();
            summary.unique_functions = counts.len() as u64;
            uniques.push(counts.len() as f64);
            for (name, &count) in counts {
                let f = self.functions.entry(name.clone()).or_default();
                f.count += count;
                f.runs += 1;
            }
            self.runs.push(summary);
        }
        self.unique = MeanSd::of(&uniques);
    }

    /// Functions per subsystem bucket (mapped ones only).
    pub fn per_subsystem(&self) -> BTreeMap<&str, Vec<&str>> {
        let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (name, f) in &self.functions {
            if let Some(s) = &f.subsystem {
                out.entry(s.as_str()).or_default().push(name.as_str());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_sd() {
        let m = MeanSd::of(&[498.0, 385.0, 535.0]);
        assert!((m.mean - 472.666_666).abs() < 1e-3);
        // Python's statistics.stdev([498, 385, 535]) = 78.1430312525265
        assert!((m.sd - 78.143_031).abs() < 1e-5, "{}", m.sd);
        assert_eq!(MeanSd::of(&[7.0]).sd, 0.0);
        assert_eq!(MeanSd::of(&[]).n, 0);
    }

    #[test]
    fn runs_merge_into_a_union() {
        let run = |names: &[(&str, u64)]| {
            (
                RunSummary::default(),
                names
                    .iter()
                    .map(|(n, c)| (n.to_string(), *c))
                    .collect::<BTreeMap<_, _>>(),
            )
        };
        let mut k = KernelFunctions::default();
        k.merge_runs(&[
            run(&[("a", 2), ("b", 1)]),
            run(&[("b", 3), ("c", 1), ("d", 1)]),
        ]);
        assert_eq!(k.len(), 4);
        assert_eq!(k.functions["b"].count, 4);
        assert_eq!(k.functions["b"].runs, 2);
        assert_eq!(k.runs[1].unique_functions, 3);
        assert_eq!((k.unique.mean, k.unique.n), (2.5, 2));
    }

    #[test]
    fn json_round_trip() {
        let mut k = KernelFunctions {
            tracer: "function_graph".into(),
            source: "ftrace".into(),
            accelerator: Some("tcg".into()),
            ..Default::default()
        };
        k.functions.insert(
            "vfs_read".into(),
            FunctionUse {
                count: 3,
                runs: 1,
                file: Some("fs/read_write.c".into()),
                subsystem: Some("fs".into()),
                mapped_by: Some(MappedBy::Dwarf),
            },
        );
        let json = serde_json::to_string(&k).unwrap();
        let back: KernelFunctions = serde_json::from_str(&json).unwrap();
        assert_eq!(back, k);
    }
}
