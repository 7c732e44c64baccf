//! Bug density per kernel subsystem: CVEs per year over a window of fix
//! dates, each CVE weighted for defect decay by the age of the buggy code
//! when it was fixed, optionally by CVSS. Every figure keeps the terms it
//! was computed from (see `docs/density.md`).

use crate::{Dataset, Date};
use serde::Serialize;
use std::collections::BTreeMap;

/// The first day of the kernel CNA's publications: from here on every
/// mainline fix for a security-relevant bug gets a CVE.
pub const CNA_START: Date = Date {
    year: 2024,
    month: 2,
    day: 12,
};
/// Default defect-decay half-life in years (the median age at fix of the
/// CVEs fixed in the CNA period is about 3.6 years).
pub const DEFAULT_HALF_LIFE_YEARS: f64 = 4.0;
/// The CVSS score assumed for a CVE without one when CVSS weighting is on
/// (the median of the CNA's scores).
pub const DEFAULT_MISSING_CVSS: f64 = 7.8;

/// The parameters of a density computation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DensityParams {
    /// Count CVEs whose `fixed_date` is in `from ..= to`.
    pub from: Date,
    pub to: Date,
    /// Defect-decay half-life in years; `None` weights every CVE 1.
    pub half_life_years: Option<f64>,
    /// Multiply each weight by CVSS/10.
    pub cvss_weighting: bool,
    /// The score used for CVEs without one when `cvss_weighting` is on.
    pub missing_cvss: f64,
}

impl DensityParams {
    /// The CNA period (2024-02-12 to the data's date) with the default
    /// half-life and no CVSS weighting.
    pub fn cna_period(dataset: &Dataset) -> DensityParams {
        let to = dataset
            .data_date
            .or_else(|| dataset.records.iter().filter_map(|r| r.fixed_date).max())
            .unwrap_or(CNA_START);
        DensityParams {
            from: CNA_START,
            to,
            half_life_years: Some(DEFAULT_HALF_LIFE_YEARS),
            cvss_weighting: false,
            missing_cvss: DEFAULT_MISSING_CVSS,
        }
    }

    /// The window length in years: (to - from) days / 365.2425.
    pub fn years(&self) -> f64 {
        self.from.years_until(self.to)
    }
}

/// `2^(-age / half_life)`, with negative ages (data noise) taken as 0.
/// A half-life of 0 keeps only age-0 bugs (the limit: weight 1 at age 0,
/// else 0); an infinite or NaN half-life means no decay (weight 1).
pub fn decay_weight(age_years: f64, half_life_years: f64) -> f64 {
    let age = age_years.max(0.0);
    if half_life_years.is_nan() || half_life_years == f64::INFINITY {
        return 1.0;
    }
    if half_life_years <= 0.0 {
        return if age == 0.0 { 1.0 } else { 0.0 };
    }
    (-age / half_life_years).exp2()
}

/// One CVE's contribution to a subsystem's density.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CveTerm {
    pub cve_id: String,
    pub fixed_date: Date,
    pub introduced_date: Option<Date>,
    /// Years from introduction to fix; `None` when the introduction is unknown.
    pub age_years: Option<f64>,
    /// `2^(-age/half_life)`; 1 when the age is unknown or decay is off.
    pub decay_weight: f64,
    pub cvss: Option<f64>,
    /// `cvss/10` (or `missing_cvss/10`); 1 when CVSS weighting is off.
    pub cvss_factor: f64,
    /// `decay_weight * cvss_factor`.
    pub weight: f64,
}

/// The density of one subsystem with the terms behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubsystemDensity {
    pub subsystem: String,
    /// CVEs touching the subsystem fixed in the window.
    pub cves: usize,
    /// Of those, how many have no introduction date (weighted 1 for decay).
    pub unknown_age: usize,
    /// Sum of the CVE weights.
    pub weighted_cves: f64,
    /// Window length in years.
    pub years: f64,
    /// `cves / years`.
    pub cves_per_year: f64,
    /// `weighted_cves / years`: the density.
    pub weighted_per_year: f64,
    pub terms: Vec<CveTerm>,
}

impl SubsystemDensity {
    fn empty(subsystem: &str, years: f64) -> SubsystemDensity {
        SubsystemDensity {
            subsystem: subsystem.to_owned(),
            cves: 0,
            unknown_age: 0,
            weighted_cves: 0.0,
            years,
            cves_per_year: 0.0,
            weighted_per_year: 0.0,
            terms: Vec::new(),
        }
    }
}

/// Densities of every subsystem with a CVE in the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DensityTable {
    pub params: DensityParams,
    pub years: f64,
    /// CVEs fixed in the window (each counted once).
    pub cves_in_window: usize,
    pub per_subsystem: BTreeMap<String, SubsystemDensity>,
}

impl DensityTable {
    /// Compute the table. A CVE touching several subsystems counts fully
    /// in each of them.
    pub fn compute(dataset: &Dataset, params: &DensityParams) -> DensityTable {
        let years = params.years();
        let mut table = DensityTable {
            params: params.clone(),
            years,
            cves_in_window: 0,
            per_subsystem: BTreeMap::new(),
        };
        for record in &dataset.records {
            let Some(fixed_date) = record.fixed_date else {
                continue;
            };
            if fixed_date < params.from || fixed_date > params.to || record.subsystems.is_empty() {
                continue;
            }
            table.cves_in_window += 1;
            let age_years = record.age_at_fix_years();
            let decay = match (age_years, params.half_life_years) {
                (Some(age), Some(half_life)) => decay_weight(age, half_life),
                _ => 1.0,
            };
            let cvss_factor = if params.cvss_weighting {
                record.cvss.unwrap_or(params.missing_cvss) / 10.0
            } else {
                1.0
            };
            let term = CveTerm {
                cve_id: record.id.clone(),
                fixed_date,
                introduced_date: record.introduced_date,
                age_years,
                decay_weight: decay,
                cvss: record.cvss,
                cvss_factor,
                weight: decay * cvss_factor,
            };
            for subsystem in &record.subsystems {
                let entry = table
                    .per_subsystem
                    .entry(subsystem.clone())
                    .or_insert_with(|| SubsystemDensity::empty(subsystem, years));
                entry.cves += 1;
                entry.unknown_age += usize::from(age_years.is_none());
                entry.weighted_cves += term.weight;
                entry.terms.push(term.clone());
            }
        }
        for entry in table.per_subsystem.values_mut() {
            if years > 0.0 {
                entry.cves_per_year = entry.cves as f64 / years;
                entry.weighted_per_year = entry.weighted_cves / years;
            }
        }
        table
    }

    /// The density of a subsystem; a zero entry when no CVE touched it.
    pub fn get(&self, subsystem: &str) -> SubsystemDensity {
        self.per_subsystem
            .get(subsystem)
            .cloned()
            .unwrap_or_else(|| SubsystemDensity::empty(subsystem, self.years))
    }

    /// The weighted CVEs per year of a subsystem (0 when none).
    pub fn weighted_per_year(&self, subsystem: &str) -> f64 {
        self.per_subsystem
            .get(subsystem)
            .map_or(0.0, |d| d.weighted_per_year)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decay_halves_every_half_life() {
        assert_eq!(decay_weight(0.0, 4.0), 1.0);
        assert!((decay_weight(4.0, 4.0) - 0.5).abs() < 1e-12);
        assert!((decay_weight(8.0, 4.0) - 0.25).abs() < 1e-12);
        assert_eq!(decay_weight(-1.0, 4.0), 1.0);
        assert_eq!(decay_weight(0.0, 0.0), 1.0);
        assert_eq!(decay_weight(3.0, 0.0), 0.0);
        assert_eq!(decay_weight(3.0, f64::INFINITY), 1.0);
        assert_eq!(decay_weight(3.0, f64::NAN), 1.0);
    }
}
