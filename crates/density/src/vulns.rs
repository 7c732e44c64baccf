//! Rebuilding the CVE table from a checkout of the kernel CNA's `vulns`
//! repository: every `cve/published/*/*.json` CVE JSON 5 record becomes a
//! [`CveRecord`]. The records carry no dates, so releases are dated from
//! the embedded release table (mainline) or from the previous data
//! (stable versions it already knew).
//!
//! What is read from a record (`containers.cna`):
//! - `affected[].programFiles`: the files the fix changed;
//! - `affected[].versions[]` without `versionType: "git"`:
//!   `original_commit_for_fix` gives the mainline fix release; an
//!   `affected` entry without `lessThan` in a `defaultStatus: "affected"`
//!   block, or the `lessThan` of `{version: "0", status: "unaffected"}`,
//!   gives the release that introduced the bug; when there is no mainline
//!   fix (a bug only in a stable branch), the lowest `semver` version with
//!   status `unaffected` (or `lessThan` of an `affected` range) is the fix;
//! - `metrics[].cvssV3_1.baseScore` (of the CNA, else of an ADP container);
//! - the per-branch versions kept in `kernel_cve_versions.csv.gz`
//!   ([`AffectedVersions`]): bare `affected` versions are the introducing
//!   releases, `affected` entries with `lessThan`/`lessThanOrEqual` are
//!   ranges, `unaffected` semver entries bounded by `X.Y.*` are the first
//!   fixed release of branch X.Y, and `original_commit_for_fix` is the
//!   mainline fix.

use crate::affected::{AffectedRange, AffectedVersions, VersionTable};
use crate::{CveRecord, DataError, DataSource, Dataset, Date, KernelVersion, Origin};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A CVE record as read from its JSON, before its versions are dated.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedCve {
    pub id: String,
    pub published: Option<Date>,
    pub fixed_in: Option<KernelVersion>,
    pub introduced_in: Option<KernelVersion>,
    pub cvss: Option<f64>,
    pub files: Vec<String>,
    /// The per-branch versions.
    pub versions: AffectedVersions,
}

/// What a rebuild read and skipped.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct UpdateReport {
    pub json_files: usize,
    pub cna_records: usize,
    pub legacy_records_kept: usize,
    /// Rejected or unreadable records, with the reason.
    pub skipped: Vec<(PathBuf, String)>,
    pub without_fix_version: usize,
    /// Versions named by records that no release table or earlier data dates.
    pub undated_versions: BTreeSet<String>,
}

/// Parse one CVE JSON 5 record. `Ok(None)` for a record that is not
/// published (rejected); `Err` for something that is not a CVE record.
pub fn parse_cve_json(text: &str, fallback_id: &str) -> Result<Option<ParsedCve>, String> {
    let json: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let metadata = json
        .get("cveMetadata")
        .ok_or("no cveMetadata: not a CVE JSON 5 record")?;
    if metadata.get("state").and_then(Value::as_str) == Some("REJECTED") {
        return Ok(None);
    }
    let id = ["cveID", "cveId"]
        .iter()
        .find_map(|k| metadata.get(*k).and_then(Value::as_str))
        .unwrap_or(fallback_id)
        .trim()
        .to_owned();
    if !id.starts_with("CVE-") {
        return Err(format!("bad CVE ID {id:?}"));
    }
    let published = metadata
        .get("datePublished")
        .and_then(Value::as_str)
        .and_then(|s| Date::parse(s.get(..10)?));
    let cna = json
        .get("containers")
        .and_then(|c| c.get("cna"))
        .ok_or("no containers.cna")?;
    let mut files: Vec<String> = Vec::new();
    let mut mainline_fixes = Vec::new();
    let mut stable_fixes = Vec::new();
    let mut introduced = Vec::new();
    let mut versions = AffectedVersions::default();
    for block in array(cna.get("affected")) {
        for file in array(block.get("programFiles")).filter_map(Value::as_str) {
            let file = file.trim();
            if !file.is_empty() && !files.iter().any(|f| f == file) {
                files.push(file.to_owned());
            }
        }
        let default_affected =
            block.get("defaultStatus").and_then(Value::as_str) == Some("affected");
        for entry in array(block.get("versions")) {
            let field = |k: &str| entry.get(k).and_then(Value::as_str);
            let version_type = field("versionType").unwrap_or("");
            if version_type == "git" {
                continue;
            }
            let version = field("version").and_then(release_version);
            let less_than = field("lessThan").and_then(release_version);
            let bounded = field("lessThan").is_some() || field("lessThanOrEqual").is_some();
            let status = field("status").unwrap_or("");
            collect_branch_versions(&mut versions, version_type, status, &field);
            match (version_type, status) {
                ("original_commit_for_fix", _) => mainline_fixes.extend(version),
                (_, "affected") if !bounded && default_affected => introduced.extend(version),
                (_, "affected") if less_than.is_some() => {
                    introduced.extend(version);
                    stable_fixes.extend(less_than);
                }
                (_, "unaffected") if field("version") == Some("0") => introduced.extend(less_than),
                ("semver", "unaffected") => stable_fixes.extend(version),
                _ => {}
            }
        }
    }
    let fixed_in = match mainline_fixes.iter().min() {
        Some(v) => Some(v.mainline()),
        None => stable_fixes.iter().min().copied(),
    };
    let introduced_in = introduced.iter().min().map(|v| {
        if v.is_stable_update() {
            *v
        } else {
            v.mainline()
        }
    });
    let cvss = std::iter::once(cna)
        .chain(array(json.get("containers").and_then(|c| c.get("adp"))))
        .flat_map(|container| array(container.get("metrics")))
        .find_map(|metric| {
            let score = metric.get("cvssV3_1")?.get("baseScore")?.as_f64()?;
            (0.0..=10.0).contains(&score).then_some(score)
        });
    Ok(Some(ParsedCve {
        id,
        published,
        fixed_in,
        introduced_in,
        cvss,
        files,
        versions,
    }))
}

/// Add one `versions[]` entry to the per-branch versions (the semantics of
/// the data's `kernel_cve_versions.csv`).
fn collect_branch_versions<'a>(
    versions: &mut AffectedVersions,
    version_type: &str,
    status: &str,
    field: &dyn Fn(&str) -> Option<&'a str>,
) {
    let version = field("version").map(str::trim);
    let less_than = field("lessThan").map(str::trim);
    let less_or_equal = field("lessThanOrEqual").map(str::trim);
    let push = |list: &mut Vec<KernelVersion>, v: KernelVersion| {
        if !list.contains(&v) {
            list.push(v);
        }
    };
    match (version_type, status) {
        ("original_commit_for_fix", _) => {
            if let Some(v) = version.and_then(release_version) {
                let v = v.mainline();
                versions.fixed_mainline = Some(versions.fixed_mainline.map_or(v, |old| old.min(v)));
            }
        }
        (_, "affected") if less_than.is_none() && less_or_equal.is_none() => {
            if let Some(v) = version.and_then(release_version) {
                push(&mut versions.introduced, v);
            }
        }
        ("semver", "affected") => {
            let (hi, inclusive) = match (less_than, less_or_equal) {
                (Some(h), _) => (h, false),
                (None, Some(h)) => (h, true),
                (None, None) => return,
            };
            let Some(hi) = release_version(hi) else {
                return;
            };
            let lo = match version {
                Some("0") => None,
                other => match other.and_then(release_version) {
                    Some(v) => Some(v),
                    None => return,
                },
            };
            versions.ranges.push(AffectedRange { lo, hi, inclusive });
        }
        ("semver", "unaffected") if less_or_equal.is_some_and(|l| l.ends_with(".*")) => {
            if let Some(v) = version.and_then(release_version) {
                push(&mut versions.fixed_stable, v);
            }
        }
        _ => {}
    }
}

/// Rebuild the table from a `vulns` checkout: its CNA records, plus the
/// legacy records of `previous` that the CNA has not republished.
pub fn rebuild(repo: &Path, previous: &Dataset) -> Result<(Dataset, UpdateReport), DataError> {
    let published_dir = repo.join("cve").join("published");
    if !published_dir.is_dir() {
        return Err(DataError::Other(format!(
            "{}: no cve/published directory (is this a checkout of the kernel's vulns repository?)",
            repo.display()
        )));
    }
    let io_err = |path: &Path| {
        let path = path.to_owned();
        move |source| DataError::Io { path, source }
    };
    let mut json_paths = Vec::new();
    for year in std::fs::read_dir(&published_dir).map_err(io_err(&published_dir))? {
        let year = year.map_err(io_err(&published_dir))?.path();
        if !year.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&year).map_err(io_err(&year))? {
            let path = entry.map_err(io_err(&year))?.path();
            if path.extension().is_some_and(|e| e == "json") {
                json_paths.push(path);
            }
        }
    }
    json_paths.sort();
    let known_dates = known_version_dates(previous);
    let mut report = UpdateReport {
        json_files: json_paths.len(),
        ..Default::default()
    };
    let mut date_of = |v: Option<KernelVersion>| -> Option<Date> {
        let v = v?;
        let date = previous
            .releases
            .release_date(&v)
            .or_else(|| known_dates.get(&v.to_string()).copied());
        if date.is_none() {
            report.undated_versions.insert(v.to_string());
        }
        date
    };
    let mut records = Vec::new();
    let mut branch_versions = VersionTable::default();
    let mut skipped = Vec::new();
    for path in &json_paths {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                skipped.push((path.clone(), e.to_string()));
                continue;
            }
        };
        match parse_cve_json(&text, stem) {
            Ok(Some(cve)) => {
                branch_versions.insert(cve.id.clone(), cve.versions.clone());
                records.push(CveRecord::new(
                    cve.id,
                    Origin::Cna,
                    cve.published,
                    cve.fixed_in,
                    date_of(cve.fixed_in),
                    cve.introduced_in,
                    date_of(cve.introduced_in),
                    cve.cvss,
                    cve.files,
                ))
            }
            Ok(None) => skipped.push((path.clone(), "not published (rejected)".into())),
            Err(e) => skipped.push((path.clone(), e)),
        }
    }
    report.skipped = skipped;
    if records.is_empty() {
        return Err(DataError::Other(format!(
            "{}: no CVE records found in cve/published/*/*.json",
            repo.display()
        )));
    }
    let cna_ids: BTreeSet<String> = records.iter().map(|r| r.id.clone()).collect();
    report.cna_records = records.len();
    report.without_fix_version = records.iter().filter(|r| r.fixed_in.is_none()).count();
    let legacy: Vec<CveRecord> = previous
        .records
        .iter()
        .filter(|r| r.origin == Origin::Legacy && !cna_ids.contains(&r.id))
        .cloned()
        .collect();
    report.legacy_records_kept = legacy.len();
    records.sort_by_key(|r| cve_sort_key(&r.id));
    records.extend(legacy);
    let commit = git_head(repo);
    let data_date = commit
        .as_ref()
        .map(|(_, date)| *date)
        .or_else(|| records.iter().filter_map(|r| r.published).max());
    let source_description = format!(
        "linux kernel CNA vulns repo {} ({}) + legacy records from: {}",
        commit
            .as_ref()
            .map_or("(not a git checkout)", |(c, _)| c.as_str()),
        repo.display(),
        previous.source_description
    );
    let dataset = Dataset {
        data_date,
        source_description,
        source: DataSource::File(repo.to_owned()),
        records,
        releases: previous.releases,
        versions: std::sync::Arc::new(branch_versions),
    };
    Ok((dataset, report))
}

fn array(value: Option<&Value>) -> impl Iterator<Item = &Value> {
    value.and_then(Value::as_array).into_iter().flatten()
}

/// A version string from a record, `5.12-rc1-dontuse` read as 5.12-rc1;
/// `None` for `0`, wildcards and commit hashes.
fn release_version(text: &str) -> Option<KernelVersion> {
    let text = text.trim().trim_end_matches("-dontuse");
    KernelVersion::parse(text).ok()
}

/// Version -> date pairs the previous data knew (stable releases included).
fn known_version_dates(previous: &Dataset) -> BTreeMap<String, Date> {
    let mut dates = BTreeMap::new();
    for r in &previous.records {
        if let (Some(v), Some(d)) = (r.fixed_in, r.fixed_date) {
            dates.insert(v.to_string(), d);
        }
        if let (Some(v), Some(d)) = (r.introduced_in, r.introduced_date) {
            dates.insert(v.to_string(), d);
        }
    }
    dates
}

/// `CVE-2024-1234` sorts by year then number.
pub(crate) fn cve_sort_key(id: &str) -> (u32, u64, String) {
    let mut parts = id.trim_start_matches("CVE-").splitn(2, '-');
    let year = parts
        .next()
        .and_then(|y| y.parse().ok())
        .unwrap_or(u32::MAX);
    let number = parts
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(u64::MAX);
    (year, number, id.to_owned())
}

/// The checkout's HEAD commit and its commit date, when `git` can tell.
fn git_head(repo: &Path) -> Option<(String, Date)> {
    // Only the checkout itself: git would otherwise answer for an enclosing repository.
    if !repo.join(".git").exists() {
        return None;
    }
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["log", "-1", "--format=%H %cs"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let (commit, date) = text.trim().split_once(' ')?;
    Some((commit.to_owned(), Date::parse(date)?))
}
