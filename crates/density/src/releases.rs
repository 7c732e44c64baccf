//! Mainline release dates (2.6.12 onwards), embedded from
//! `data/cve/kernel_release_dates.csv`. `aprof data update` uses them to
//! date the releases a CVE record names, since CVE records carry no dates.

use crate::{Date, KernelVersion};
use std::sync::OnceLock;

/// Mainline releases in version order, each with its release date.
#[derive(Debug, Clone, Default)]
pub struct ReleaseTable {
    releases: Vec<(KernelVersion, Date)>,
}

impl ReleaseTable {
    /// The table embedded in the binary.
    pub fn embedded() -> &'static ReleaseTable {
        static TABLE: OnceLock<ReleaseTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            ReleaseTable::parse(include_str!("../../../data/cve/kernel_release_dates.csv"))
        })
    }

    /// Parse `version,date` lines; the header and bad lines are skipped.
    pub fn parse(text: &str) -> ReleaseTable {
        let mut releases: Vec<(KernelVersion, Date)> = text
            .lines()
            .filter_map(|line| {
                let (v, d) = line.split_once(',')?;
                Some((KernelVersion::parse(v.trim()).ok()?, Date::parse(d)?))
            })
            .collect();
        releases.sort();
        ReleaseTable { releases }
    }

    pub fn releases(&self) -> &[(KernelVersion, Date)] {
        &self.releases
    }

    pub fn first(&self) -> Option<(KernelVersion, Date)> {
        self.releases.first().copied()
    }

    pub fn last(&self) -> Option<(KernelVersion, Date)> {
        self.releases.last().copied()
    }

    /// The date of the mainline release `version` belongs to or leads to:
    /// `6.8` and `6.8-rc3` both give the date of 6.8. Stable updates
    /// (`6.8.5`) have no date here: `None`.
    pub fn release_date(&self, version: &KernelVersion) -> Option<Date> {
        if version.is_stable_update() {
            return None;
        }
        let series = version.mainline();
        self.releases
            .binary_search_by(|(v, _)| v.cmp(&series))
            .ok()
            .map(|i| self.releases[i].1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_dates_releases() {
        let t = ReleaseTable::embedded();
        let v = |s| KernelVersion::parse(s).unwrap();
        assert_eq!(t.first().unwrap().0, v("2.6.12"));
        assert!(t.releases().len() >= 100);
        let d = t.release_date(&v("6.8-rc4")).unwrap();
        assert_eq!(Some(d), t.release_date(&v("6.8")));
        assert_eq!(t.release_date(&v("6.8.5")), None);
        assert_eq!(t.release_date(&v("99.1")), None);
    }
}
