//! The function-level HAP: the CVE fixes per year in the kernel code the
//! traced functions live in, beside the syscall-level HAP of the same
//! footprint, in the same unit.
//!
//! Formulas (docs/formula.md, "Function-level HAP"):
//! - the code unit a function covers: the unit of its source file
//!   (`data/subsystems/groups.tsv`: a file group, or the bucket) when debug
//!   information placed it in a file; when only its bucket is known
//!   (modules, name rules), the bucket's files outside any group, so that
//!   gated groups (`net/ipv4:netfilter`, `net/sched:tc`) count only when a
//!   function is known to be in them: a lower bound without debug information;
//! - function-level HAP = distinct CVEs of the window whose fix touched a
//!   covered unit, / the window's years ([`aprof_density::UNIT`]);
//! - a term per bucket: each counted CVE shared equally among the buckets
//!   it touched, so the terms add up to the figure;
//! - the decay-weighted index of the same CVEs, as a sensitivity.

use crate::workload::WorkloadProfile;
use aprof_density::{bucket_of, Dataset, DensityParams, SubsystemMap, UNIT};
use aprof_footprint::functions::KernelFunctions;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One bucket reached by traced functions.
#[derive(Debug, Clone, Serialize)]
pub struct FunctionTerm {
    pub subsystem: String,
    /// CVEs charged here (a CVE touching k reached buckets counts 1/k in each).
    pub cves: f64,
    /// `cves / years`.
    pub value: f64,
    /// Traced functions in the bucket.
    pub functions: usize,
    /// The code units they cover.
    pub units: Vec<String>,
    /// A few of the functions.
    pub examples: Vec<String>,
}

/// The function-level HAP with its terms.
#[derive(Debug, Clone, Serialize)]
pub struct FunctionHap {
    pub unit: String,
    pub value: f64,
    /// Distinct CVEs counted.
    pub cves: usize,
    pub years: f64,
    pub decay_index: f64,
    pub formula: String,
    /// Unique functions (union of runs) and per-run mean ± sd.
    pub functions: usize,
    pub unique_mean: f64,
    pub unique_sd: f64,
    pub runs: u32,
    /// Functions placed in a file (debug information), in a bucket only, or nowhere.
    pub in_files: usize,
    pub in_buckets: usize,
    pub unmapped: usize,
    pub terms: Vec<FunctionTerm>,
}

/// Score the kernel-function section of a footprint.
pub fn function_hap(
    section: &KernelFunctions,
    dataset: &Dataset,
    params: &DensityParams,
    map: &SubsystemMap,
) -> FunctionHap {
    let groups = map.groups();
    // Covered units and functions per bucket.
    let mut units: BTreeSet<String> = BTreeSet::new();
    let mut per_bucket: BTreeMap<String, (BTreeSet<String>, Vec<&str>)> = BTreeMap::new();
    let (mut in_files, mut in_buckets) = (0, 0);
    for (name, f) in &section.functions {
        let (bucket, covered): (String, Vec<String>) = match (&f.file, &f.subsystem) {
            (Some(file), _) => {
                in_files += 1;
                (bucket_of(file), vec![groups.unit_of(file)])
            }
            (None, Some(bucket)) => {
                in_buckets += 1;
                (bucket.clone(), vec![bucket.clone()])
            }
            (None, None) => continue,
        };
        let entry = per_bucket.entry(bucket).or_default();
        entry.0.extend(covered.iter().cloned());
        entry.1.push(name);
        units.extend(covered);
    }
    // The window's CVEs whose fix touched a covered unit, shared by bucket.
    let years = params.years();
    let mut shares: BTreeMap<String, f64> = BTreeMap::new();
    let (mut cves, mut index) = (0usize, 0.0);
    for record in &dataset.records {
        if !record.fixed_date.is_some_and(|d| params.contains(d)) || record.files.is_empty() {
            continue;
        }
        let hit: BTreeSet<String> = groups
            .units_of(&record.files)
            .into_iter()
            .filter(|u| units.contains(u))
            .map(|u| u.split(':').next().unwrap_or(&u).to_owned())
            .collect();
        if hit.is_empty() {
            continue;
        }
        cves += 1;
        let (decay, cvss) = params.index_weight(record);
        index += decay * cvss;
        let k = hit.len() as f64;
        for bucket in hit {
            *shares.entry(bucket).or_default() += 1.0 / k;
        }
    }
    let terms: Vec<FunctionTerm> = per_bucket
        .into_iter()
        .map(|(bucket, (covered, names))| {
            let share = shares.get(&bucket).copied().unwrap_or(0.0);
            FunctionTerm {
                value: if years > 0.0 { share / years } else { 0.0 },
                cves: share,
                functions: names.len(),
                units: covered.into_iter().collect(),
                examples: names.iter().take(4).map(|n| (*n).to_owned()).collect(),
                subsystem: bucket,
            }
        })
        .collect();
    let per_year = |v: f64| if years > 0.0 { v / years } else { 0.0 };
    FunctionHap {
        unit: UNIT.to_owned(),
        value: aprof_density::density::clean(per_year(cves as f64)),
        cves,
        years,
        decay_index: per_year(index),
        formula: format!(
            "distinct CVEs fixed in {} .. {} whose fix touched the code units holding the traced kernel functions, / {years:.4} years",
            params.from, params.to
        ),
        functions: section.len(),
        unique_mean: section.unique.mean,
        unique_sd: section.unique.sd,
        runs: section.unique.n,
        in_files,
        in_buckets,
        unmapped: section.len() - in_files - in_buckets,
        terms,
    }
}

/// One row of the side-by-side view, by bucket.
#[derive(Debug, Clone, Serialize)]
pub struct SideRow {
    pub subsystem: String,
    /// The syscall-level terms of the bucket (its units summed); `None`
    /// when the syscall mapping does not reach it.
    pub syscall_level: Option<f64>,
    /// The function-level term; `None` when no traced function is in it.
    pub function_level: Option<f64>,
    pub functions: usize,
}

/// The syscall-level and function-level HAPs of one footprint.
#[derive(Debug, Clone, Serialize)]
pub struct SideBySide {
    pub unit: String,
    /// The kernel part of the observed HAP (the per-process baseline and
    /// open gates included).
    pub syscall_level: f64,
    pub function_level: f64,
    pub rows: Vec<SideRow>,
    /// Buckets only one of the two reaches.
    pub only_syscalls: Vec<String>,
    pub only_functions: Vec<String>,
}

/// Put the two side by side, bucket by bucket.
pub fn side_by_side(profile: &WorkloadProfile, functions: &FunctionHap) -> SideBySide {
    let mut rows: BTreeMap<String, SideRow> = BTreeMap::new();
    let kernel = profile.observed_hap.kernel.as_ref();
    for t in kernel.iter().flat_map(|k| k.terms.iter()) {
        let bucket = t.subsystem.split(':').next().unwrap_or(&t.subsystem);
        let row = rows.entry(bucket.to_owned()).or_insert_with(|| SideRow {
            subsystem: bucket.to_owned(),
            syscall_level: None,
            function_level: None,
            functions: 0,
        });
        *row.syscall_level.get_or_insert(0.0) += t.value;
    }
    for t in &functions.terms {
        let row = rows.entry(t.subsystem.clone()).or_insert_with(|| SideRow {
            subsystem: t.subsystem.clone(),
            syscall_level: None,
            function_level: None,
            functions: 0,
        });
        row.function_level = Some(t.value);
        row.functions = t.functions;
    }
    let rows: Vec<SideRow> = rows.into_values().collect();
    SideBySide {
        unit: UNIT.to_owned(),
        syscall_level: kernel.map_or(0.0, |k| k.value),
        function_level: functions.value,
        only_syscalls: rows
            .iter()
            .filter(|r| r.syscall_level.is_some() && r.function_level.is_none())
            .map(|r| r.subsystem.clone())
            .collect(),
        only_functions: rows
            .iter()
            .filter(|r| r.syscall_level.is_none() && r.function_level.is_some())
            .map(|r| r.subsystem.clone())
            .collect(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aprof_density::{CveRecord, Date, Origin};
    use aprof_footprint::functions::FunctionUse;

    fn date(y: i32, m: u8, d: u8) -> Date {
        Date {
            year: y,
            month: m,
            day: d,
        }
    }

    fn record(id: &str, fixed: Date, files: &[&str]) -> CveRecord {
        CveRecord::new(
            id.into(),
            Origin::Cna,
            None,
            None,
            Some(fixed),
            None,
            None,
            None,
            files.iter().map(|f| f.to_string()).collect(),
        )
    }

    #[test]
    fn distinct_cves_of_the_covered_code_shared_by_bucket() {
        let params = DensityParams::standard();
        let inside = params.from;
        let dataset = Dataset::from_records(
            vec![
                record("CVE-A", inside, &["fs/read_write.c"]),
                record("CVE-B", inside, &["fs/namei.c", "net/ipv4/tcp.c"]),
                record("CVE-C", inside, &["net/ipv4/tcp.c"]),
                record("CVE-D", inside, &["mm/slub.c"]),
                record("CVE-OLD", date(2001, 1, 1), &["fs/read_write.c"]),
            ],
            Some(params.to),
            "test",
        );
        let mut section = KernelFunctions::default();
        for (name, file, sub) in [
            ("vfs_read", Some("fs/read_write.c"), Some("fs")),
            ("ksys_read", Some("fs/read_write.c"), Some("fs")),
            ("tcp_sendmsg", None, Some("net/ipv4")),
            ("mystery", None, None),
        ] {
            section.functions.insert(
                name.into(),
                FunctionUse {
                    count: 1,
                    runs: 1,
                    file: file.map(Into::into),
                    subsystem: sub.map(Into::into),
                    mapped_by: None,
                },
            );
        }
        let hap = function_hap(&section, &dataset, &params, SubsystemMap::embedded());
        // fs (not split into groups) gets A and B; net/ipv4's ungrouped
        // files get B and C; D is in code no function covers.
        assert_eq!(hap.cves, 3);
        let years = params.years();
        assert!((hap.value - 3.0 / years).abs() < 1e-9);
        let term = |s: &str| hap.terms.iter().find(|t| t.subsystem == s).unwrap();
        assert!((term("fs").cves - 1.5).abs() < 1e-9);
        assert!((term("net/ipv4").cves - 1.5).abs() < 1e-9);
        let sum: f64 = hap.terms.iter().map(|t| t.value).sum();
        assert!((sum - hap.value).abs() < 1e-9);
        assert_eq!((hap.in_files, hap.in_buckets, hap.unmapped), (2, 1, 1));
        assert_eq!(term("fs").functions, 2);
    }
}
