//! Which kernel versions a CVE affects, stable branches included.
//!
//! The kernel CNA's records say, per CVE, the mainline release(s) that
//! brought the bug in, explicit ranges (mostly a bug backported into a
//! stable branch), the first fixed release of each stable branch and the
//! mainline fix. They are embedded from `data/cve/kernel_cve_versions.csv.gz`
//! (or read from the user's updated copy), and [`AffectedVersions::affects`]
//! applies the matching rules of the data's README, in order:
//!
//! 1. `V` inside an `affected_ranges` entry: affected.
//! 2. No `introduced`, or `V`'s branch older than every `introduced` branch: not affected.
//! 3. `fixed_stable` has a release of `V`'s branch: affected iff `V` is older.
//! 4. `V` at or past `fixed_mainline`: not affected. With no mainline fix, a
//!    branch newer than every `fixed_stable` branch is not affected.
//! 5. Otherwise affected: the branch got no fix.
//!
//! One reading is ours: a range written `0-HI` (22 records) is taken to
//! cover only `HI`'s own branch, since the other branches of those records
//! carry their own fixes; read literally it would claim every older version.

use crate::{DataError, KernelVersion};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;

/// The header of the versions file.
pub const VERSIONS_HEADER: &str = "cve_id,introduced,affected_ranges,fixed_stable,fixed_mainline";
/// The file name of the versions table, embedded and in the user's data directory.
pub const VERSIONS_FILE: &str = "kernel_cve_versions.csv.gz";

static EMBEDDED_GZ: &[u8] = include_bytes!("../../../data/cve/kernel_cve_versions.csv.gz");

/// `lo <= v < hi` (or `<= hi` when `inclusive`); `lo` is `None` for a
/// range written from `0`, which covers the start of `hi`'s branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AffectedRange {
    pub lo: Option<KernelVersion>,
    pub hi: KernelVersion,
    pub inclusive: bool,
}

impl AffectedRange {
    fn contains(&self, v: &KernelVersion) -> bool {
        let above_lo = match &self.lo {
            Some(lo) => lo <= v,
            None => v.mainline() == self.hi.mainline(),
        };
        let below_hi = if self.inclusive {
            v <= &self.hi
        } else {
            v < &self.hi
        };
        above_lo && below_hi
    }
}

impl std::fmt::Display for AffectedRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.lo {
            Some(lo) => write!(f, "{lo}-{}", self.hi)?,
            None => write!(f, "0-{}", self.hi)?,
        }
        if self.inclusive {
            f.write_str("+")?;
        }
        Ok(())
    }
}

/// Which rule decided a verdict (the numbering of the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// 1: inside an explicit affected range.
    InAffectedRange,
    /// 2: the bug is not in this branch (or never was in mainline).
    NotIntroduced,
    /// 3: the branch has its own fix; the version is before it.
    BeforeBranchFix,
    /// 3: the branch has its own fix; the version has it.
    HasBranchFix,
    /// 4: the version is at or past the mainline fix.
    HasMainlineFix,
    /// 4: the branch came after the fix went upstream (stable-only fix).
    BranchAfterFix,
    /// 5: no fix reached this branch.
    NoFixOnBranch,
}

impl Rule {
    pub fn affected(self) -> bool {
        matches!(
            self,
            Rule::InAffectedRange | Rule::BeforeBranchFix | Rule::NoFixOnBranch
        )
    }
}

/// The versions one CVE affects.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct AffectedVersions {
    pub introduced: Vec<KernelVersion>,
    pub ranges: Vec<AffectedRange>,
    pub fixed_stable: Vec<KernelVersion>,
    pub fixed_mainline: Option<KernelVersion>,
}

impl AffectedVersions {
    /// The verdict for kernel `v` and the rule that gave it.
    pub fn verdict(&self, v: &KernelVersion) -> Rule {
        if self.ranges.iter().any(|r| r.contains(v)) {
            return Rule::InAffectedRange;
        }
        let branch = v.mainline();
        if self.introduced.is_empty() || self.introduced.iter().all(|i| branch < i.mainline()) {
            return Rule::NotIntroduced;
        }
        if let Some(fix) = self
            .fixed_stable
            .iter()
            .filter(|f| f.mainline() == branch)
            .min()
        {
            return if v < fix {
                Rule::BeforeBranchFix
            } else {
                Rule::HasBranchFix
            };
        }
        match &self.fixed_mainline {
            Some(fix) if v >= fix => return Rule::HasMainlineFix,
            None if !self.fixed_stable.is_empty()
                && self.fixed_stable.iter().all(|f| branch > f.mainline()) =>
            {
                return Rule::BranchAfterFix
            }
            _ => {}
        }
        Rule::NoFixOnBranch
    }

    pub fn affects(&self, v: &KernelVersion) -> bool {
        self.verdict(v).affected()
    }

    /// The first release of `v`'s branch with the fix, if the branch got one
    /// (or the mainline fix when `v` is on a branch at or past it).
    pub fn fix_for(&self, v: &KernelVersion) -> Option<KernelVersion> {
        let branch = v.mainline();
        self.fixed_stable
            .iter()
            .filter(|f| f.mainline() == branch)
            .min()
            .copied()
            .or(self.fixed_mainline)
    }

    /// One CSV line (without the ID).
    fn to_cells(&self) -> [String; 4] {
        let join = |items: Vec<String>| items.join(";");
        [
            join(self.introduced.iter().map(|v| v.to_string()).collect()),
            join(self.ranges.iter().map(|r| r.to_string()).collect()),
            join(self.fixed_stable.iter().map(|v| v.to_string()).collect()),
            self.fixed_mainline
                .map(|v| v.to_string())
                .unwrap_or_default(),
        ]
    }
}

/// The versions of every CVE that has them, by ID.
#[derive(Debug, Clone, Default)]
pub struct VersionTable {
    by_id: HashMap<String, AffectedVersions>,
}

impl VersionTable {
    /// The table embedded in this binary, parsed once.
    pub fn embedded() -> &'static VersionTable {
        static TABLE: OnceLock<VersionTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            VersionTable::from_bytes(EMBEDDED_GZ, "embedded kernel_cve_versions.csv.gz")
                .expect("the embedded versions table parses (checked by tests)")
        })
    }

    /// Read a versions file (gzip detected by its magic number).
    pub fn load_path(path: &Path) -> Result<VersionTable, DataError> {
        let bytes = std::fs::read(path).map_err(|source| DataError::Io {
            path: path.to_owned(),
            source,
        })?;
        VersionTable::from_bytes(&bytes, &path.display().to_string())
    }

    pub fn from_bytes(bytes: &[u8], source_name: &str) -> Result<VersionTable, DataError> {
        let err = |line: usize, message: String| DataError::Parse {
            source_name: source_name.to_owned(),
            line,
            message,
        };
        let mut text = String::new();
        if bytes.starts_with(&[0x1f, 0x8b]) {
            flate2::read::GzDecoder::new(bytes)
                .read_to_string(&mut text)
                .map_err(|e| err(0, format!("bad gzip data: {e}")))?;
        } else {
            text = String::from_utf8(bytes.to_vec()).map_err(|_| err(0, "not UTF-8".into()))?;
        }
        let mut lines = text.lines().enumerate();
        match lines.next() {
            Some((_, header)) if header.trim_end() == VERSIONS_HEADER => {}
            _ => return Err(err(1, format!("expected the header {VERSIONS_HEADER:?}"))),
        }
        let mut by_id = HashMap::new();
        for (index, line) in lines {
            let line = line.trim_end_matches('\r');
            if line.is_empty() {
                continue;
            }
            let (id, versions) = parse_line(line).map_err(|m| err(index + 1, m))?;
            by_id.insert(id, versions);
        }
        Ok(VersionTable { by_id })
    }

    pub fn get(&self, cve_id: &str) -> Option<&AffectedVersions> {
        self.by_id.get(cve_id)
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    pub fn insert(&mut self, cve_id: String, versions: AffectedVersions) {
        self.by_id.insert(cve_id, versions);
    }

    /// The table as CSV, sorted by ID (the format of the data file).
    pub fn to_csv(&self) -> String {
        let mut ids: Vec<&String> = self.by_id.keys().collect();
        ids.sort_by_key(|id| crate::vulns::cve_sort_key(id));
        let mut out = format!("{VERSIONS_HEADER}\n");
        for id in ids {
            let cells = self.by_id[id].to_cells();
            out.push_str(&format!("{id},{}\n", cells.join(",")));
        }
        out
    }
}

fn parse_version(text: &str, what: &str) -> Result<KernelVersion, String> {
    KernelVersion::parse(text.trim()).map_err(|e| format!("{what}: {e}"))
}

fn parse_list(cell: &str, what: &str) -> Result<Vec<KernelVersion>, String> {
    cell.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| parse_version(s, what))
        .collect()
}

fn parse_line(line: &str) -> Result<(String, AffectedVersions), String> {
    let cells: Vec<&str> = line.split(',').collect();
    let [id, introduced, ranges, fixed_stable, fixed_mainline] = cells[..] else {
        return Err(format!("{} columns, expected 5", cells.len()));
    };
    if !id.starts_with("CVE-") {
        return Err(format!("bad CVE ID {id:?}"));
    }
    let mut parsed_ranges = Vec::new();
    for range in ranges.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let (body, inclusive) = match range.strip_suffix('+') {
            Some(b) => (b, true),
            None => (range, false),
        };
        let (lo, hi) = body
            .split_once('-')
            .ok_or_else(|| format!("affected range {range:?} is not LO-HI"))?;
        let lo = if lo == "0" {
            None
        } else {
            Some(parse_version(lo, "affected_ranges")?)
        };
        parsed_ranges.push(AffectedRange {
            lo,
            hi: parse_version(hi, "affected_ranges")?,
            inclusive,
        });
    }
    let fixed_mainline = match fixed_mainline.trim() {
        "" => None,
        v => Some(parse_version(v, "fixed_mainline")?),
    };
    Ok((
        id.to_owned(),
        AffectedVersions {
            introduced: parse_list(introduced, "introduced")?,
            ranges: parsed_ranges,
            fixed_stable: parse_list(fixed_stable, "fixed_stable")?,
            fixed_mainline,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> KernelVersion {
        KernelVersion::parse(s).unwrap()
    }

    #[test]
    fn the_readme_rules_in_order() {
        // CVE-2020-36776 as the data has it.
        let (_, cve) =
            parse_line("CVE-2020-36776,5.8,4.14.189-4.15;4.19.134-4.20;5.4.53-5.5;5.7.8-5.8,5.10.36;5.11.20;5.12.3,5.13").unwrap();
        assert_eq!(cve.verdict(&v("4.19.200")), Rule::InAffectedRange);
        assert_eq!(cve.verdict(&v("4.19.100")), Rule::NotIntroduced);
        assert_eq!(cve.verdict(&v("5.10.35")), Rule::BeforeBranchFix);
        assert_eq!(cve.verdict(&v("5.10.36")), Rule::HasBranchFix);
        assert_eq!(cve.verdict(&v("5.13.2")), Rule::HasMainlineFix);
        assert_eq!(cve.verdict(&v("5.9.16")), Rule::NoFixOnBranch);
        // A stable-only bug: ranges only, nothing introduced in mainline.
        let (_, stable_only) = parse_line(
            "CVE-2026-43371,,6.1.165-6.1.167;6.6.128-6.6.130;6.12.75-6.12.78;6.18.16-6.18.20;6.19.6-6.19.9,,",
        )
        .unwrap();
        assert!(stable_only.affects(&v("6.1.166")));
        assert!(!stable_only.affects(&v("6.1.167")));
        assert!(!stable_only.affects(&v("6.5")));
        assert!(!stable_only.affects(&v("6.19.9")));
        // A range from 0 covers its own branch only.
        let (_, zero) = parse_line("CVE-2022-49420,,0-5.18.3,5.18.3,5.19").unwrap();
        assert!(zero.affects(&v("5.18.2")));
        assert!(!zero.affects(&v("5.15.10")));
        assert_eq!(zero.ranges[0].to_string(), "0-5.18.3");
    }

    #[test]
    fn bad_lines_are_refused() {
        assert!(parse_line("CVE-1,6.1").is_err());
        assert!(parse_line("CVE-1,6.x,,,").is_err());
        assert!(parse_line("CVE-1,,6.1.2,,").is_err());
        assert!(parse_line("nope,,,,").is_err());
    }

    #[test]
    fn embedded_table_round_trips() {
        let table = VersionTable::embedded();
        assert_eq!(table.len(), 14_626);
        let again = VersionTable::from_bytes(table.to_csv().as_bytes(), "again").unwrap();
        assert_eq!(again.by_id, table.by_id);
    }
}
