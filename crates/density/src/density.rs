//! Bug density: CVE fixes per year, by fix date, in a fixed window.
//!
//! The primary figure is a plain count: the CVEs whose fix touched the code,
//! fixed inside the window, divided by the window's length in years. The
//! kernel CNA gives almost every backported bug fix a CVE, so this is a
//! *fix density* (how often the code needed a fix a CVE was assigned to),
//! not an exploit count. A decay-weighted figure, which discounts bugs by
//! the age of the code they were in, is kept apart as an *index* and is
//! never the primary figure (`docs/density.md` says why).
//!
//! - [`DensityTable`]: per bucket and per code unit, with every CVE term.
//! - [`RateTable`] and [`RateTable::rate`]: the CVE fixes per year in the
//!   code a [`Reach`] covers, each CVE counted once, as a sum of terms: the
//!   per-process baseline, one term per reached unit (a CVE that touched k
//!   reached units counts 1/k in each), and a term per gate.

use crate::mapping::{Evidence, Reach};
use crate::units::{GateState, Privileges};
use crate::{CveRecord, Dataset, Date, Groups, SubsystemMap};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The name of the primary unit, as every output writes it.
pub const UNIT: &str = "CVE fixes per year";

/// What the unit means, in one sentence for outputs.
pub const UNIT_NOTE: &str = "kernel CVEs (Linux kernel CNA: almost every bug fix that is backported gets one) whose fix touched the code counted, fixed in the window, per year: a fix density, not an exploit count";

/// The first fix date of the standard window: the day after Linux 6.7
/// (2024-01-07), so the window holds the fixes of mainline releases 6.8
/// to 7.2. The kernel CNA, which assigns a CVE to almost every fix, began
/// on 2024-02-12 and covers 6.8 onwards as fully as later releases.
pub const WINDOW_FROM: Date = Date {
    year: 2024,
    month: 1,
    day: 8,
};
/// The last fix date of the standard window: the release of Linux 7.2.
pub const WINDOW_TO: Date = Date {
    year: 2026,
    month: 8,
    day: 16,
};
/// The releases whose fixes the standard window holds.
pub const WINDOW_RELEASES: &str = "6.8 to 7.2";

/// The half-life the decay-weighted index uses when none is chosen: about
/// the median age at fix of the CNA's CVEs (3.6 years). It is shown only
/// beside the primary figure, as its sensitivity.
pub const REFERENCE_HALF_LIFE_YEARS: f64 = 4.0;
/// The CVSS score assumed for a CVE without one when CVSS weighting is on
/// (the median of the CNA's scores).
pub const DEFAULT_MISSING_CVSS: f64 = 7.8;

/// The parameters of a density computation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DensityParams {
    /// Count CVEs whose `fixed_date` is in `from ..= to`.
    pub from: Date,
    pub to: Date,
    /// The half-life chosen for the decay-weighted index (`--half-life`):
    /// `Some(0.0)` turns decay off (every weight 1, the index equals the
    /// figure); `None` (not chosen) computes the index at
    /// [`REFERENCE_HALF_LIFE_YEARS`] for the sensitivity line only.
    pub half_life_years: Option<f64>,
    /// Multiply each CVE's index weight by CVSS/10 (the primary count is
    /// never weighted).
    pub cvss_weighting: bool,
    /// The score used for CVEs without one when `cvss_weighting` is on.
    pub missing_cvss: f64,
}

impl Default for DensityParams {
    fn default() -> Self {
        DensityParams::standard()
    }
}

impl DensityParams {
    /// The standard window ([`WINDOW_FROM`] to [`WINDOW_TO`], fix dates),
    /// no decay chosen, no CVSS weighting.
    pub fn standard() -> DensityParams {
        DensityParams {
            from: WINDOW_FROM,
            to: WINDOW_TO,
            half_life_years: None,
            cvss_weighting: false,
            missing_cvss: DEFAULT_MISSING_CVSS,
        }
    }

    /// Set the decay half-life: a positive number of years, or 0 for no
    /// decay (the one meaning of `--half-life 0` everywhere).
    pub fn with_half_life(mut self, years: f64) -> Result<DensityParams, String> {
        if !(years.is_finite() && years >= 0.0) {
            return Err(format!(
                "the half-life must be 0 (no decay) or a positive number of years, not {years}"
            ));
        }
        self.half_life_years = Some(years);
        Ok(self)
    }

    /// The window length in years: the days from `from` to `to`, both
    /// included, over 365.2425.
    pub fn years(&self) -> f64 {
        (self.to.days_since_epoch() - self.from.days_since_epoch() + 1) as f64
            / crate::DAYS_PER_YEAR
    }

    /// The half-life of the decay-weighted index: infinite when decay is
    /// off, the reference when none was chosen.
    pub fn index_half_life(&self) -> f64 {
        match self.half_life_years {
            Some(h) if h > 0.0 => h,
            Some(_) => f64::INFINITY,
            None => REFERENCE_HALF_LIFE_YEARS,
        }
    }

    /// True when `--half-life 0` turned decay off.
    pub fn decay_off(&self) -> bool {
        self.half_life_years == Some(0.0)
    }

    pub fn contains(&self, date: Date) -> bool {
        self.from <= date && date <= self.to
    }

    /// The index weight of a record: `2^(-age/H)` (1 when the age is
    /// unknown) times `cvss/10` with CVSS weighting.
    pub fn index_weight(&self, record: &CveRecord) -> (f64, f64) {
        let decay = record
            .age_at_fix_years()
            .map_or(1.0, |age| decay_weight(age, self.index_half_life()));
        let cvss = if self.cvss_weighting {
            record.cvss.unwrap_or(self.missing_cvss) / 10.0
        } else {
            1.0
        };
        (decay, cvss)
    }
}

/// `2^(-age / half_life)`, with negative ages (data noise) taken as 0. An
/// infinite or NaN half-life means no decay (weight 1); a half-life of 0
/// or less also means no decay, as `--half-life 0` does everywhere.
pub fn decay_weight(age_years: f64, half_life_years: f64) -> f64 {
    let age = age_years.max(0.0);
    if !(half_life_years.is_finite() && half_life_years > 0.0) {
        return 1.0;
    }
    (-age / half_life_years).exp2()
}

/// `+0.0` for `-0.0`, so that JSON never shows `-0.0`.
pub fn clean(v: f64) -> f64 {
    v + 0.0
}

/// A sum that starts from `+0.0` (an empty `f64` sum is `-0.0`).
pub fn sum(values: impl IntoIterator<Item = f64>) -> f64 {
    clean(values.into_iter().fold(0.0, |a, b| a + b))
}

/// One CVE's contribution to a subsystem's density.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CveTerm {
    pub cve_id: String,
    pub fixed_date: Date,
    pub introduced_date: Option<Date>,
    /// Years from introduction to fix; `None` when the introduction is unknown.
    pub age_years: Option<f64>,
    /// `2^(-age/H)` for the index; 1 when the age is unknown.
    pub decay_weight: f64,
    pub cvss: Option<f64>,
    /// `cvss/10` (or `missing_cvss/10`); 1 when CVSS weighting is off.
    pub cvss_factor: f64,
    /// `decay_weight * cvss_factor`: the CVE's weight in the index.
    pub index_weight: f64,
}

/// The density of one subsystem with the terms behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubsystemDensity {
    pub subsystem: String,
    /// CVEs touching the subsystem fixed in the window.
    pub cves: usize,
    /// Of those, how many have no introduction date (weight 1 in the index).
    pub unknown_age: usize,
    /// Window length in years.
    pub years: f64,
    /// `cves / years`: the primary figure, in [`UNIT`].
    pub cves_per_year: f64,
    /// Σ index weights.
    pub index_weight: f64,
    /// `index_weight / years`: the decay-weighted index.
    pub index_per_year: f64,
    pub terms: Vec<CveTerm>,
}

impl SubsystemDensity {
    fn empty(subsystem: &str, years: f64) -> SubsystemDensity {
        SubsystemDensity {
            subsystem: subsystem.to_owned(),
            cves: 0,
            unknown_age: 0,
            years,
            cves_per_year: 0.0,
            index_weight: 0.0,
            index_per_year: 0.0,
            terms: Vec::new(),
        }
    }
}

/// Densities of every bucket and code unit with a CVE in the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DensityTable {
    pub params: DensityParams,
    pub years: f64,
    /// The half-life of the index (infinite: decay off).
    pub index_half_life_years: f64,
    /// CVEs fixed in the window (each counted once).
    pub cves_in_window: usize,
    /// CVEs fixed in the window per mainline release, by the release whose
    /// cycle the fix date falls in (the first release on or after it).
    pub per_release: Vec<(String, usize)>,
    /// By bucket (`net/sched`), whatever the file groups.
    pub per_subsystem: BTreeMap<String, SubsystemDensity>,
    /// By code unit (`net/sched:tc`, or the bucket for unsplit files).
    pub per_unit: BTreeMap<String, SubsystemDensity>,
}

impl DensityTable {
    /// Compute the table. A CVE touching several subsystems counts fully in
    /// each of them here; the reach rate ([`RateTable::rate`]) counts it once.
    pub fn compute(dataset: &Dataset, params: &DensityParams) -> DensityTable {
        DensityTable::compute_with(dataset, params, SubsystemMap::embedded().groups())
    }

    pub fn compute_with(
        dataset: &Dataset,
        params: &DensityParams,
        groups: &Groups,
    ) -> DensityTable {
        let years = params.years();
        let mut table = DensityTable {
            params: params.clone(),
            years,
            index_half_life_years: params.index_half_life(),
            cves_in_window: 0,
            per_release: Vec::new(),
            per_subsystem: BTreeMap::new(),
            per_unit: BTreeMap::new(),
        };
        let mut per_release: BTreeMap<crate::KernelVersion, usize> = BTreeMap::new();
        for record in &dataset.records {
            let Some(fixed_date) = record.fixed_date else {
                continue;
            };
            if !params.contains(fixed_date) || record.subsystems.is_empty() {
                continue;
            }
            table.cves_in_window += 1;
            if let Some((release, _)) = dataset
                .releases
                .releases()
                .iter()
                .find(|(_, date)| *date >= fixed_date)
            {
                *per_release.entry(*release).or_default() += 1;
            }
            let age_years = record.age_at_fix_years();
            let (decay, cvss_factor) = params.index_weight(record);
            let term = CveTerm {
                cve_id: record.id.clone(),
                fixed_date,
                introduced_date: record.introduced_date,
                age_years,
                decay_weight: decay,
                cvss: record.cvss,
                cvss_factor,
                index_weight: decay * cvss_factor,
            };
            let add = |map: &mut BTreeMap<String, SubsystemDensity>, key: &str| {
                let entry = map
                    .entry(key.to_owned())
                    .or_insert_with(|| SubsystemDensity::empty(key, years));
                entry.cves += 1;
                entry.unknown_age += usize::from(age_years.is_none());
                entry.index_weight += term.index_weight;
                entry.terms.push(term.clone());
            };
            for bucket in &record.subsystems {
                add(&mut table.per_subsystem, bucket);
            }
            for unit in groups.units_of(&record.files) {
                add(&mut table.per_unit, &unit);
            }
        }
        for entry in table
            .per_subsystem
            .values_mut()
            .chain(table.per_unit.values_mut())
        {
            entry.cves_per_year = entry.cves as f64 / years;
            entry.index_per_year = entry.index_weight / years;
        }
        table.per_release = per_release
            .into_iter()
            .map(|(v, n)| (v.to_string(), n))
            .collect();
        table
    }

    /// The density of a bucket or code unit; a zero entry when no CVE
    /// touched it. A bucket name gives the whole bucket.
    pub fn get(&self, subsystem: &str) -> SubsystemDensity {
        self.per_subsystem
            .get(subsystem)
            .or_else(|| self.per_unit.get(subsystem))
            .cloned()
            .unwrap_or_else(|| SubsystemDensity::empty(subsystem, self.years))
    }

    /// CVE fixes per year of a bucket or unit (0 when none).
    pub fn cves_per_year(&self, subsystem: &str) -> f64 {
        self.get(subsystem).cves_per_year
    }
}

/// One window record, as the reach rate needs it.
#[derive(Debug, Clone)]
struct Entry {
    id: String,
    units: Vec<String>,
    baseline: bool,
    index_weight: f64,
}

/// The window's CVEs with their code units, for [`RateTable::rate`].
#[derive(Debug, Clone)]
pub struct RateTable {
    pub params: DensityParams,
    pub years: f64,
    entries: Vec<Entry>,
}

/// A term of a reach rate: CVE fixes per year charged to one subsystem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateTerm {
    pub subsystem: String,
    /// CVEs charged here: a CVE that touched k of the reached subsystems
    /// counts 1/k in each.
    pub cves: f64,
    /// `cves / years`, in [`UNIT`].
    pub value: f64,
    /// The decay-weighted index of the same CVEs.
    pub decay_index: f64,
    /// Short reasons it is reached.
    pub evidence: Vec<String>,
}

/// The reach a gate adds, and whether it is counted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GatedTerm {
    /// `CAP_NET_ADMIN@net`.
    pub gate: String,
    pub state: GateState,
    /// Counted in the figure: the gate opens.
    pub counted: bool,
    /// What in the footprint sets it off.
    pub triggers: Vec<String>,
    pub subsystems: Vec<String>,
    /// CVEs it adds beyond everything counted before it (for a closed gate:
    /// beyond the whole counted reach; it is not added).
    pub cves: usize,
    pub value: f64,
    pub decay_index: f64,
    pub reasons: Vec<String>,
}

/// CVE fixes per year in the code a reach covers, as a sum of terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReachRate {
    pub unit: String,
    /// Σ of the baseline, the subsystem terms and the counted gated terms,
    /// in [`UNIT`]: distinct CVEs / years.
    pub value: f64,
    /// Distinct CVEs counted.
    pub cves: usize,
    pub years: f64,
    /// The decay-weighted index of the same CVEs (a sensitivity, not the figure).
    pub decay_index: f64,
    pub index_half_life_years: f64,
    /// CVEs in code every process runs (`None` when no process ran).
    pub baseline: Option<RateTerm>,
    pub terms: Vec<RateTerm>,
    pub gated: Vec<GatedTerm>,
    pub formula: String,
}

impl ReachRate {
    /// The counted gated terms' sum.
    pub fn gated_value(&self) -> f64 {
        sum(self.gated.iter().filter(|g| g.counted).map(|g| g.value))
    }
}

impl RateTable {
    pub fn compute(dataset: &Dataset, params: &DensityParams, map: &SubsystemMap) -> RateTable {
        let entries = dataset
            .records
            .iter()
            .filter(|r| r.fixed_date.is_some_and(|d| params.contains(d)) && !r.files.is_empty())
            .map(|r| {
                let (decay, cvss) = params.index_weight(r);
                Entry {
                    id: r.id.clone(),
                    units: map.groups().units_of(&r.files),
                    baseline: map.baseline().touches(&r.files),
                    index_weight: decay * cvss,
                }
            })
            .collect();
        RateTable {
            params: params.clone(),
            years: params.years(),
            entries,
        }
    }

    /// The table of the embedded data and mapping, standard window.
    pub fn embedded() -> &'static RateTable {
        static TABLE: std::sync::OnceLock<RateTable> = std::sync::OnceLock::new();
        TABLE.get_or_init(|| {
            RateTable::compute(
                Dataset::embedded(),
                &DensityParams::standard(),
                SubsystemMap::embedded(),
            )
        })
    }

    /// CVEs in the window.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// CVE fixes per year in the code of a set of units (each CVE once).
    pub fn rate_of_units(&self, units: &BTreeSet<String>) -> f64 {
        let n = self
            .entries
            .iter()
            .filter(|e| e.units.iter().any(|u| units.contains(u)))
            .count();
        clean(n as f64 / self.years)
    }

    /// The CVE fixes per year of the code `reach` covers, with the gates of
    /// its gated reach decided by `privileges`.
    pub fn rate(&self, reach: &Reach, privileges: &Privileges) -> ReachRate {
        let years = self.years;
        let reached: BTreeSet<&str> = reach.per_subsystem.keys().map(String::as_str).collect();
        let mut covered = vec![false; self.entries.len()];
        // The per-process baseline.
        let baseline = reach.processes.then(|| {
            let (mut n, mut w) = (0usize, 0.0);
            for (i, e) in self.entries.iter().enumerate() {
                if e.baseline {
                    covered[i] = true;
                    n += 1;
                    w += e.index_weight;
                }
            }
            RateTerm {
                subsystem: "per-process baseline".into(),
                cves: n as f64,
                value: n as f64 / years,
                decay_index: w / years,
                evidence: vec!["code every process runs (data/subsystems/baseline.tsv)".into()],
            }
        });
        // The reached units, each CVE shared among the units it touched.
        let mut shares: BTreeMap<&str, (f64, f64)> =
            reached.iter().map(|s| (*s, (0.0, 0.0))).collect();
        for (i, e) in self.entries.iter().enumerate() {
            if covered[i] {
                continue;
            }
            let hit: Vec<&str> = e
                .units
                .iter()
                .map(String::as_str)
                .filter(|u| reached.contains(u))
                .collect();
            if hit.is_empty() {
                continue;
            }
            covered[i] = true;
            let k = hit.len() as f64;
            for u in hit {
                let s = shares.get_mut(u).expect("reached");
                s.0 += 1.0 / k;
                s.1 += e.index_weight / k;
            }
        }
        let terms: Vec<RateTerm> = reach
            .per_subsystem
            .iter()
            .map(|(s, evidence)| {
                let (n, w) = shares[s.as_str()];
                let mut ev: Vec<String> = evidence.iter().map(describe_evidence).collect();
                ev.sort();
                ev.dedup();
                ev.truncate(6);
                RateTerm {
                    subsystem: s.clone(),
                    cves: n,
                    value: n / years,
                    decay_index: w / years,
                    evidence: ev,
                }
            })
            .collect();
        // Gated reach, one line per gate: open gates first (held, then by a
        // user namespace), each counting what it adds; then closed gates,
        // showing what they would add.
        let mut by_gate: BTreeMap<String, GatedTerm> = BTreeMap::new();
        for g in &reach.gated {
            let label = g.gate.label();
            let entry = by_gate.entry(label.clone()).or_insert_with(|| GatedTerm {
                gate: label,
                state: g.gate.evaluate(privileges),
                counted: false,
                triggers: Vec::new(),
                subsystems: Vec::new(),
                cves: 0,
                value: 0.0,
                decay_index: 0.0,
                reasons: Vec::new(),
            });
            entry.triggers.push(g.trigger.clone());
            for s in &g.subsystems {
                if !entry.subsystems.contains(s) {
                    entry.subsystems.push(s.clone());
                }
            }
            if !entry.reasons.contains(&g.reason) {
                entry.reasons.push(g.reason.clone());
            }
        }
        let rank = |t: &GatedTerm| match t.state {
            GateState::Held(_) => 0,
            GateState::UserNamespace(_) => 1,
            GateState::Closed(_) => 2,
        };
        let mut gated: Vec<GatedTerm> = by_gate.into_values().collect();
        gated.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.gate.cmp(&b.gate)));
        for phase_open in [true, false] {
            for term in gated.iter_mut().filter(|t| t.state.is_open() == phase_open) {
                let units: BTreeSet<&str> = term.subsystems.iter().map(String::as_str).collect();
                let (mut n, mut w) = (0usize, 0.0);
                let mut newly = Vec::new();
                for (i, e) in self.entries.iter().enumerate() {
                    if !covered[i] && e.units.iter().any(|u| units.contains(u.as_str())) {
                        n += 1;
                        w += e.index_weight;
                        newly.push(i);
                    }
                }
                if phase_open {
                    for i in newly {
                        covered[i] = true;
                    }
                }
                term.counted = phase_open;
                term.cves = n;
                term.value = n as f64 / years;
                term.decay_index = w / years;
            }
        }
        let cves = covered.iter().filter(|c| **c).count();
        let index: f64 = self
            .entries
            .iter()
            .zip(&covered)
            .filter(|(_, c)| **c)
            .map(|(e, _)| e.index_weight)
            .sum();
        ReachRate {
            unit: UNIT.into(),
            value: clean(cves as f64 / years),
            cves,
            years,
            decay_index: clean(index / years),
            index_half_life_years: self.params.index_half_life(),
            baseline,
            terms,
            gated,
            formula: format!(
                "distinct CVEs fixed in {} .. {} whose fix touched the per-process baseline, a reached subsystem or a subsystem behind an open gate, / {:.4} years",
                self.params.from, self.params.to, years
            ),
        }
    }

    /// The IDs of the window's CVEs a rate counted, for tests and reports.
    pub fn counted_ids(&self, reach: &Reach, privileges: &Privileges) -> BTreeSet<String> {
        let units = covered_units(reach, privileges);
        self.entries
            .iter()
            .filter(|e| {
                (reach.processes && e.baseline) || e.units.iter().any(|u| units.contains(u))
            })
            .map(|e| e.id.clone())
            .collect()
    }
}

/// The units a reach covers: the reached subsystems and those behind open gates.
pub fn covered_units(reach: &Reach, privileges: &Privileges) -> BTreeSet<String> {
    let mut units: BTreeSet<String> = reach.per_subsystem.keys().cloned().collect();
    for g in &reach.gated {
        if g.gate.evaluate(privileges).is_open() {
            units.extend(g.subsystems.iter().cloned());
        }
    }
    units
}

/// What of a reach a CVE's fix touched: its covered units, plus
/// "per-process baseline" when it touched code every process runs; `None`
/// when it touched nothing covered. For the patch-level check.
pub fn reach_matcher<'a>(
    reach: &'a Reach,
    privileges: &Privileges,
    map: &'a SubsystemMap,
) -> impl Fn(&CveRecord) -> Option<Vec<String>> + 'a {
    let units = covered_units(reach, privileges);
    move |record: &CveRecord| {
        let mut matched: Vec<String> = map
            .groups()
            .units_of(&record.files)
            .into_iter()
            .filter(|u| units.contains(u))
            .collect();
        if reach.processes && map.baseline().touches(&record.files) {
            matched.insert(0, "per-process baseline".into());
        }
        (!matched.is_empty()).then_some(matched)
    }
}

/// A short reason a subsystem is reached.
pub fn describe_evidence(e: &Evidence) -> String {
    match e {
        Evidence::Syscall { syscall, .. } => format!("syscall {syscall}"),
        Evidence::Object { class, .. } => match class {
            aprof_footprint::ObjectClass::Socket {
                family,
                socket_type,
                protocol,
            } => {
                let detail: Vec<&str> = [socket_type.as_str(), protocol.as_str()]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect();
                if detail.is_empty() {
                    format!("socket {family}")
                } else {
                    format!("socket {family}/{}", detail.join("/"))
                }
            }
            other => format!("object {}", aprof_footprint::diff::describe_class(other)),
        },
        Evidence::SocketFamily { family, .. } => format!("socket family {family}"),
        Evidence::CveTrace { syscall, cves, .. } => {
            format!("{cves} CVE call traces through {syscall}")
        }
        Evidence::Entry { .. } => "syscall entry".into(),
        Evidence::Runtime { why } => format!("runtime: {why}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decay_halves_every_half_life_and_zero_means_none() {
        assert_eq!(decay_weight(0.0, 4.0), 1.0);
        assert!((decay_weight(4.0, 4.0) - 0.5).abs() < 1e-12);
        assert!((decay_weight(8.0, 4.0) - 0.25).abs() < 1e-12);
        assert_eq!(decay_weight(-1.0, 4.0), 1.0);
        assert_eq!(
            decay_weight(3.0, 0.0),
            1.0,
            "0 = no decay, as --half-life 0"
        );
        assert_eq!(decay_weight(3.0, f64::INFINITY), 1.0);
        assert_eq!(decay_weight(3.0, f64::NAN), 1.0);
        let p = DensityParams::standard();
        let off = p.clone().with_half_life(0.0).unwrap();
        assert!(off.decay_off() && off.index_half_life().is_infinite());
        assert_eq!(
            p.clone().with_half_life(2.5).unwrap().half_life_years,
            Some(2.5)
        );
        assert!(p.clone().with_half_life(-1.0).is_err());
        assert!(p.with_half_life(f64::NAN).is_err());
    }

    #[test]
    fn sums_are_never_negative_zero() {
        let empty: Vec<f64> = Vec::new();
        assert!(
            empty.iter().copied().sum::<f64>().is_sign_negative(),
            "the std sum"
        );
        assert!(sum(empty).is_sign_positive());
        assert!(clean(-0.0).is_sign_positive());
        assert_eq!(serde_json::to_string(&clean(-0.0)).unwrap(), "0.0");
    }

    #[test]
    fn the_standard_window_is_fixed() {
        let p = DensityParams::standard();
        // 2024-01-08 .. 2026-08-16, both included: 952 days.
        assert_eq!(p.to.days_since_epoch() - p.from.days_since_epoch() + 1, 952);
        assert!((p.years() - 952.0 / 365.2425).abs() < 1e-12);
    }
}
