//! Patch level: which known CVEs in a set of subsystems a given kernel
//! still has, judged from mainline versions only. A CVE counts when it was
//! fixed in a later release than the kernel and, when its introduction is
//! known, introduced at or before it. Stable backports are not visible in
//! the data: a 6.13.y kernel counts every CVE fixed in 6.14 or later.

use crate::{CveRecord, Dataset, Date, KernelVersion};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// True when `record` is a known bug that `kernel` has not got the fix for:
/// `fixed_in > kernel` and (`introduced_in` unknown or `introduced_in <= kernel`).
pub fn is_unfixed_in(record: &CveRecord, kernel: &KernelVersion) -> bool {
    let Some(fixed_in) = record.fixed_in else {
        return false;
    };
    let introduced_before = match record.introduced_in {
        Some(introduced) => introduced <= *kernel,
        None => true,
    };
    fixed_in > *kernel && introduced_before
}

/// One known-unfixed CVE.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnfixedCve {
    pub cve_id: String,
    pub fixed_in: KernelVersion,
    pub fixed_date: Option<Date>,
    pub introduced_in: Option<KernelVersion>,
    pub cvss: Option<f64>,
    /// The subsystems of the request this CVE touches.
    pub subsystems: Vec<String>,
}

/// The result of a patch-level check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchLevel {
    pub kernel: KernelVersion,
    pub data_date: Option<Date>,
    /// True when the kernel is newer than the newest release the data knows:
    /// fixes after the data's date are not known, so the list is incomplete.
    pub newer_than_data: bool,
    /// Sorted by CVE ID.
    pub cves: Vec<UnfixedCve>,
    /// CVE IDs per requested subsystem (subsystems without any are listed empty).
    pub per_subsystem: BTreeMap<String, Vec<String>>,
}

/// The known CVEs touching `subsystems` (all subsystems when `None`) that
/// `kernel` has not got the fix for.
pub fn unfixed_cves(
    dataset: &Dataset,
    kernel: &KernelVersion,
    subsystems: Option<&BTreeSet<String>>,
) -> PatchLevel {
    let mut per_subsystem: BTreeMap<String, Vec<String>> = subsystems
        .map(|set| set.iter().map(|s| (s.clone(), Vec::new())).collect())
        .unwrap_or_default();
    let mut cves = Vec::new();
    for record in dataset.records.iter().filter(|r| is_unfixed_in(r, kernel)) {
        let matched: Vec<String> = record
            .subsystems
            .iter()
            .filter(|s| match subsystems {
                Some(set) => set.contains(*s),
                None => true,
            })
            .cloned()
            .collect();
        if matched.is_empty() {
            continue;
        }
        for s in &matched {
            per_subsystem
                .entry(s.clone())
                .or_default()
                .push(record.id.clone());
        }
        cves.push(UnfixedCve {
            cve_id: record.id.clone(),
            fixed_in: record.fixed_in.expect("filtered on fixed_in"),
            fixed_date: record.fixed_date,
            introduced_in: record.introduced_in,
            cvss: record.cvss,
            subsystems: matched,
        });
    }
    cves.sort_by(|a, b| a.cve_id.cmp(&b.cve_id));
    for ids in per_subsystem.values_mut() {
        ids.sort();
    }
    let newest_known = dataset
        .releases
        .last()
        .map(|(v, _)| v)
        .into_iter()
        .chain(dataset.records.iter().filter_map(|r| r.fixed_in))
        .max();
    PatchLevel {
        kernel: *kernel,
        data_date: dataset.data_date,
        newer_than_data: newest_known.is_some_and(|newest| kernel.mainline() > newest.mainline()),
        cves,
        per_subsystem,
    }
}
