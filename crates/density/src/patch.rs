//! Patch level: which known CVEs a given kernel still has, judged per
//! stable branch.
//!
//! A CNA record carries the first fixed release of every stable branch
//! (`crate::affected`), so a 6.18.44 kernel is compared with the 6.18.y
//! fixes, not with the mainline release a fix first landed in. Records
//! without per-branch data (the legacy ones) fall back to the mainline
//! rule, and are counted apart. A distribution kernel is compared through
//! its upstream base and the result is flagged as an upper bound: its own
//! backports are not in the data.

use crate::affected::{AffectedVersions, Rule};
use crate::{CveRecord, Dataset, Date, KernelRelease, KernelVersion};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The mainline-only rule, for records without per-branch data:
/// `fixed_in > kernel` and (`introduced_in` unknown or `<= kernel`). A stable
/// kernel looks older than it is under this rule (backports are invisible).
pub fn is_unfixed_by_mainline(record: &CveRecord, kernel: &KernelVersion) -> bool {
    let Some(fixed_in) = record.fixed_in else {
        return false;
    };
    let introduced_before = match record.introduced_in {
        Some(introduced) => introduced <= *kernel,
        None => true,
    };
    fixed_in > *kernel && introduced_before
}

/// How a CVE was judged unfixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Per-branch data: the kernel is inside a range that has the bug.
    InAffectedRange,
    /// Per-branch data: the kernel's branch has a fix and the kernel is older.
    BeforeBranchFix,
    /// Per-branch data: no fix reached the kernel's branch.
    NoFixOnBranch,
    /// No per-branch data: the mainline rule (an upper bound on stable kernels).
    MainlineOnly,
}

/// The verdict for one record: `Some(basis)` when `kernel` has the bug unfixed.
pub fn unfixed_basis(
    record: &CveRecord,
    versions: Option<&AffectedVersions>,
    kernel: &KernelVersion,
) -> Option<Basis> {
    match versions {
        Some(v) => match v.verdict(kernel) {
            Rule::InAffectedRange => Some(Basis::InAffectedRange),
            Rule::BeforeBranchFix => Some(Basis::BeforeBranchFix),
            Rule::NoFixOnBranch => Some(Basis::NoFixOnBranch),
            _ => None,
        },
        None => is_unfixed_by_mainline(record, kernel).then_some(Basis::MainlineOnly),
    }
}

/// True when `kernel` has `record`'s bug unfixed, using the dataset's
/// per-branch data when it has an entry for the record.
pub fn is_unfixed_in(dataset: &Dataset, record: &CveRecord, kernel: &KernelVersion) -> bool {
    unfixed_basis(record, dataset.versions.get(&record.id), kernel).is_some()
}

/// One known-unfixed CVE.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnfixedCve {
    pub cve_id: String,
    pub basis: Basis,
    /// The release of the kernel's branch with the fix, else the mainline
    /// fix; `None` when no release has it.
    pub fix: Option<KernelVersion>,
    /// The first mainline release with the fix.
    pub fixed_in: Option<KernelVersion>,
    pub fixed_date: Option<Date>,
    pub introduced_in: Option<KernelVersion>,
    pub cvss: Option<f64>,
    /// What of the request the CVE touches (subsystems or code units).
    pub matched: Vec<String>,
}

/// The result of a patch-level check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchLevel {
    pub kernel: KernelRelease,
    /// The version compared with the data (the release's upstream base).
    pub compared: KernelVersion,
    /// True for upstream and locally built kernels; false for distribution
    /// kernels, whose own backports make `cves` an upper bound.
    pub exact: bool,
    pub data_date: Option<Date>,
    /// True when the kernel is newer than the newest release the data knows:
    /// fixes after the data's date are not known, so the list is incomplete.
    pub newer_than_data: bool,
    /// Sorted by CVE ID.
    pub cves: Vec<UnfixedCve>,
    /// How many of `cves` were judged by the mainline rule alone.
    pub mainline_only: usize,
    /// CVE IDs per requested subsystem or unit (requested ones listed empty).
    pub per_match: BTreeMap<String, Vec<String>>,
    /// What the numbers mean, in one sentence.
    pub note: String,
}

/// The known CVEs that `kernel` has not got the fix for, among those that
/// `matches` accepts: it returns `None` to leave a record out, else what
/// of the request the record touches. `requested` lists the labels to
/// report even when no CVE has them.
pub fn unfixed_cves_matching(
    dataset: &Dataset,
    kernel: &KernelRelease,
    requested: &BTreeSet<String>,
    matches: impl Fn(&CveRecord) -> Option<Vec<String>>,
) -> PatchLevel {
    let compared = kernel.upstream;
    let mut per_match: BTreeMap<String, Vec<String>> =
        requested.iter().map(|s| (s.clone(), Vec::new())).collect();
    let mut cves = Vec::new();
    for record in &dataset.records {
        let versions = dataset.versions.get(&record.id);
        let Some(basis) = unfixed_basis(record, versions, &compared) else {
            continue;
        };
        let Some(matched) = matches(record) else {
            continue;
        };
        for s in &matched {
            per_match
                .entry(s.clone())
                .or_default()
                .push(record.id.clone());
        }
        cves.push(UnfixedCve {
            cve_id: record.id.clone(),
            basis,
            fix: versions
                .and_then(|v| v.fix_for(&compared))
                .or(record.fixed_in),
            fixed_in: record.fixed_in,
            fixed_date: record.fixed_date,
            introduced_in: record.introduced_in,
            cvss: record.cvss,
            matched,
        });
    }
    cves.sort_by(|a, b| {
        crate::vulns::cve_sort_key(&a.cve_id).cmp(&crate::vulns::cve_sort_key(&b.cve_id))
    });
    for ids in per_match.values_mut() {
        ids.sort_by_key(|id| crate::vulns::cve_sort_key(id));
    }
    let newest_known = dataset
        .releases
        .last()
        .map(|(v, _)| v)
        .into_iter()
        .chain(dataset.records.iter().filter_map(|r| r.fixed_in))
        .max();
    let newer_than_data =
        newest_known.is_some_and(|newest| compared.mainline() > newest.mainline());
    let mainline_only = cves
        .iter()
        .filter(|c| c.basis == Basis::MainlineOnly)
        .count();
    let exact = kernel.is_exact();
    let mut note = if exact {
        format!(
            "{} known CVE(s) affect {compared}, judged by the fixes of its stable branch {}",
            cves.len(),
            compared.mainline()
        )
    } else {
        format!(
            "at most {} known CVE(s) affect this kernel: its upstream base {compared} has them, and the distribution's own backports are not in the data",
            cves.len()
        )
    };
    if mainline_only > 0 {
        note.push_str(&format!(
            "; {mainline_only} of them have no per-branch data and are judged by mainline fixes only"
        ));
    }
    if newer_than_data {
        note.push_str("; the kernel is newer than the data, so later fixes are unknown");
    }
    PatchLevel {
        kernel: kernel.clone(),
        compared,
        exact,
        data_date: dataset.data_date,
        newer_than_data,
        cves,
        mainline_only,
        per_match,
        note,
    }
}

/// The known CVEs touching `subsystems` (all subsystems when `None`) that
/// `kernel` has not got the fix for.
pub fn unfixed_cves(
    dataset: &Dataset,
    kernel: &KernelRelease,
    subsystems: Option<&BTreeSet<String>>,
) -> PatchLevel {
    let requested = subsystems.cloned().unwrap_or_default();
    unfixed_cves_matching(dataset, kernel, &requested, |record| match subsystems {
        None => Some(record.subsystems.clone()),
        Some(set) => {
            let matched: Vec<String> = record
                .subsystems
                .iter()
                .filter(|s| set.contains(*s))
                .cloned()
                .collect();
            (!matched.is_empty()).then_some(matched)
        }
    })
}
