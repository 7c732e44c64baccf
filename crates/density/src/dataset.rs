//! The kernel CVE table: records, the compact TSV(.gz) format it is stored
//! in, loading it (embedded, from a file, or the user's updated copy) and a
//! summary for `aprof data info`.
//!
//! Format (UTF-8, optionally gzip-compressed): `#key<TAB>value` metadata
//! lines, then a header line, then one CVE per line with the columns
//! `cve_id origin published fixed_in fixed_date introduced_in
//! introduced_date cvss files` (`files` separated by `;`, empty cells for
//! unknowns). Subsystems are not stored: they are derived from `files` by
//! [`bucket_of`], the same rule the source data used.

use crate::affected::{VersionTable, VERSIONS_FILE};
use crate::{Date, KernelVersion, ReleaseTable};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The first line of every data file.
pub const FORMAT_MAGIC: &str = "#aprof-kernel-cves";
/// The format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
/// The file name of the user's updated copy under the data directory.
pub const USER_DATA_FILE: &str = "kernel_cves.tsv.gz";

const COLUMNS: [&str; 9] = [
    "cve_id",
    "origin",
    "published",
    "fixed_in",
    "fixed_date",
    "introduced_in",
    "introduced_date",
    "cvss",
    "files",
];

static EMBEDDED_GZ: &[u8] = include_bytes!("../../../data/cve/kernel_cves.tsv.gz");

/// Where a CVE record comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Published by the Linux kernel CNA (the `vulns` repository), 2024 on.
    Cna,
    /// An older kernel CVE the CNA never republished.
    Legacy,
}

impl Origin {
    pub fn name(self) -> &'static str {
        match self {
            Origin::Cna => "cna",
            Origin::Legacy => "legacy",
        }
    }
}

/// One kernel CVE.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CveRecord {
    pub id: String,
    pub origin: Origin,
    /// When the CVE was first published (CNA records only).
    pub published: Option<Date>,
    /// The first mainline release with the fix (a stable version for bugs
    /// that only ever existed in a stable branch; may be an `-rc` for
    /// legacy records).
    pub fixed_in: Option<KernelVersion>,
    /// The release date of `fixed_in`.
    pub fixed_date: Option<Date>,
    /// The earliest release that has the bug.
    pub introduced_in: Option<KernelVersion>,
    pub introduced_date: Option<Date>,
    /// CVSS 3.1 base score, when one was assigned.
    pub cvss: Option<f64>,
    /// Source files the fix changed.
    pub files: Vec<String>,
    /// Distinct subsystem buckets of `files`, sorted.
    pub subsystems: Vec<String>,
    /// The most common bucket among `files` (ties: the first file's).
    pub subsystem: Option<String>,
}

impl CveRecord {
    /// A record with its subsystems derived from `files`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: String,
        origin: Origin,
        published: Option<Date>,
        fixed_in: Option<KernelVersion>,
        fixed_date: Option<Date>,
        introduced_in: Option<KernelVersion>,
        introduced_date: Option<Date>,
        cvss: Option<f64>,
        files: Vec<String>,
    ) -> CveRecord {
        let (subsystems, subsystem) = buckets_of(&files);
        CveRecord {
            id,
            origin,
            published,
            fixed_in,
            fixed_date,
            introduced_in,
            introduced_date,
            cvss,
            files,
            subsystems,
            subsystem,
        }
    }

    /// Years from introduction to fix, when both dates are known.
    pub fn age_at_fix_years(&self) -> Option<f64> {
        Some(self.introduced_date?.years_until(self.fixed_date?))
    }

    pub fn touches(&self, subsystem: &str) -> bool {
        self.subsystems.iter().any(|s| s == subsystem)
    }
}

/// The subsystem bucket of a source path: its directory cut to 2 levels,
/// or 3 under `drivers/`, `arch/` and `sound/` (`fs/ext4/inode.c` ->
/// `fs/ext4`, `net/socket.c` -> `net`, `drivers/net/tun.c` ->
/// `drivers/net`, `arch/x86/kvm/x86.c` -> `arch/x86/kvm`). A top-level file
/// is its own bucket (`MAINTAINERS`).
pub fn bucket_of(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let Some((_file, dirs)) = parts.split_last() else {
        return String::new();
    };
    if dirs.is_empty() {
        return parts.join("/");
    }
    let depth = if matches!(dirs[0], "drivers" | "arch" | "sound") {
        3
    } else {
        2
    };
    dirs[..dirs.len().min(depth)].join("/")
}

/// Sorted distinct buckets, and the most common one (ties: first seen).
fn buckets_of(files: &[String]) -> (Vec<String>, Option<String>) {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for file in files {
        let bucket = bucket_of(file);
        if bucket.is_empty() {
            continue;
        }
        match counts.iter_mut().find(|(b, _)| *b == bucket) {
            Some((_, n)) => *n += 1,
            None => counts.push((bucket, 1)),
        }
    }
    let mut primary: Option<(&String, usize)> = None;
    for (bucket, n) in &counts {
        let better = match primary {
            Some((_, best)) => *n > best,
            None => true,
        };
        if better {
            primary = Some((bucket, *n));
        }
    }
    let primary = primary.map(|(b, _)| b.clone());
    let mut all: Vec<String> = counts.into_iter().map(|(b, _)| b).collect();
    all.sort();
    (all, primary)
}

/// Where a [`Dataset`] was loaded from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "path")]
pub enum DataSource {
    Embedded,
    File(PathBuf),
}

impl std::fmt::Display for DataSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DataSource::Embedded => f.write_str("embedded"),
            DataSource::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// Errors loading or writing CVE data.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{source_name}: line {line}: {message}")]
    Parse {
        source_name: String,
        line: usize,
        message: String,
    },
    #[error("{0}")]
    Other(String),
}

/// The kernel CVE table with its provenance.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The date the data was taken (the source repository's commit date).
    pub data_date: Option<Date>,
    /// Free text: where the records come from.
    pub source_description: String,
    pub source: DataSource,
    pub records: Vec<CveRecord>,
    pub releases: &'static ReleaseTable,
    /// Per-branch versions of the CNA records (stable fixes, backport
    /// ranges), by CVE ID; records without an entry are judged by their
    /// mainline versions only.
    pub versions: Arc<VersionTable>,
}

/// The embedded versions table, shared.
fn embedded_versions() -> Arc<VersionTable> {
    static TABLE: OnceLock<Arc<VersionTable>> = OnceLock::new();
    TABLE
        .get_or_init(|| Arc::new(VersionTable::embedded().clone()))
        .clone()
}

impl Dataset {
    /// A dataset of the given records (for tests and computed tables).
    pub fn from_records(
        records: Vec<CveRecord>,
        data_date: Option<Date>,
        description: &str,
    ) -> Dataset {
        Dataset {
            data_date,
            source_description: description.to_owned(),
            source: DataSource::Embedded,
            records,
            releases: ReleaseTable::embedded(),
            versions: Arc::new(VersionTable::default()),
        }
    }

    /// The same dataset with per-branch versions.
    pub fn with_versions(mut self, versions: VersionTable) -> Dataset {
        self.versions = Arc::new(versions);
        self
    }

    /// The table embedded in this binary, parsed once.
    pub fn embedded() -> &'static Dataset {
        static DATA: OnceLock<Dataset> = OnceLock::new();
        DATA.get_or_init(|| {
            let mut data =
                Dataset::from_bytes(EMBEDDED_GZ, "embedded CVE data", DataSource::Embedded)
                    .expect("the embedded CVE data parses (checked by tests)");
            data.versions = embedded_versions();
            data
        })
    }

    /// Load a data file written by `aprof data update` (gzip or plain TSV),
    /// with the per-branch versions file beside it (`kernel_cve_versions.csv.gz`)
    /// when there is one.
    pub fn load_path(path: &Path) -> Result<Dataset, DataError> {
        let bytes = std::fs::read(path).map_err(|source| DataError::Io {
            path: path.to_owned(),
            source,
        })?;
        let mut data = Dataset::from_bytes(
            &bytes,
            &path.display().to_string(),
            DataSource::File(path.to_owned()),
        )?;
        let beside = versions_path_for(path);
        if beside.exists() {
            data.versions = Arc::new(VersionTable::load_path(&beside)?);
        }
        Ok(data)
    }

    /// The user's updated copy ([`user_data_path`]) when it exists, else
    /// the embedded table.
    pub fn load_default() -> Result<Dataset, DataError> {
        match user_data_path() {
            Some(path) if path.exists() => Dataset::load_path(&path),
            _ => Ok(Dataset::embedded().clone()),
        }
    }

    /// Parse data from bytes (gzip detected by its magic number).
    pub fn from_bytes(
        bytes: &[u8],
        source_name: &str,
        source: DataSource,
    ) -> Result<Dataset, DataError> {
        let text = if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut text = String::new();
            flate2::read::GzDecoder::new(bytes)
                .read_to_string(&mut text)
                .map_err(|e| DataError::Parse {
                    source_name: source_name.to_owned(),
                    line: 0,
                    message: format!("bad gzip data: {e}"),
                })?;
            text
        } else {
            String::from_utf8(bytes.to_vec()).map_err(|_| DataError::Parse {
                source_name: source_name.to_owned(),
                line: 0,
                message: "not UTF-8 text".into(),
            })?
        };
        Dataset::parse(&text, source_name, source)
    }

    fn parse(text: &str, source_name: &str, source: DataSource) -> Result<Dataset, DataError> {
        let err = |line: usize, message: String| DataError::Parse {
            source_name: source_name.to_owned(),
            line,
            message,
        };
        let mut data = Dataset {
            data_date: None,
            source_description: String::new(),
            source,
            records: Vec::new(),
            releases: ReleaseTable::embedded(),
            versions: Arc::new(VersionTable::default()),
        };
        let mut header_seen = false;
        for (index, line) in text.lines().enumerate() {
            let line_no = index + 1;
            if index == 0 {
                let version = line
                    .strip_prefix(FORMAT_MAGIC)
                    .map(|v| v.trim().parse::<u32>());
                match version {
                    Some(Ok(FORMAT_VERSION)) => continue,
                    Some(Ok(v)) => {
                        return Err(err(
                            line_no,
                            format!("format version {v}, this build reads {FORMAT_VERSION}"),
                        ))
                    }
                    _ => {
                        return Err(err(
                            line_no,
                            format!("not an aprof CVE file (no {FORMAT_MAGIC} line)"),
                        ))
                    }
                }
            }
            if let Some(meta) = line.strip_prefix('#') {
                let (key, value) = meta.split_once('\t').unwrap_or((meta, ""));
                match key {
                    "data_date" => data.data_date = Date::parse(value),
                    "source" => data.source_description = value.to_owned(),
                    _ => {}
                }
                continue;
            }
            if !header_seen {
                let columns: Vec<&str> = line.split('\t').collect();
                if columns != COLUMNS {
                    return Err(err(
                        line_no,
                        format!("expected header {:?}", COLUMNS.join(" ")),
                    ));
                }
                header_seen = true;
                continue;
            }
            if line.is_empty() {
                continue;
            }
            data.records
                .push(parse_record(line).map_err(|m| err(line_no, m))?);
        }
        if !header_seen {
            return Err(err(0, "no header line".into()));
        }
        Ok(data)
    }

    /// The data in its file format (uncompressed TSV).
    pub fn to_tsv(&self) -> String {
        let mut out = format!("{FORMAT_MAGIC}\t{FORMAT_VERSION}\n");
        if let Some(d) = self.data_date {
            out.push_str(&format!("#data_date\t{d}\n"));
        }
        out.push_str(&format!(
            "#source\t{}\n",
            clean_cell(&self.source_description)
        ));
        out.push_str(&COLUMNS.join("\t"));
        out.push('\n');
        let opt = |o: Option<String>| o.unwrap_or_default();
        for r in &self.records {
            let cells = [
                clean_cell(&r.id),
                r.origin.name().to_owned(),
                opt(r.published.map(|d| d.to_string())),
                opt(r.fixed_in.map(|v| v.to_string())),
                opt(r.fixed_date.map(|d| d.to_string())),
                opt(r.introduced_in.map(|v| v.to_string())),
                opt(r.introduced_date.map(|d| d.to_string())),
                opt(r.cvss.map(|s| format!("{s}"))),
                r.files
                    .iter()
                    .map(|f| clean_cell(f).replace(';', ","))
                    .collect::<Vec<_>>()
                    .join(";"),
            ];
            out.push_str(&cells.join("\t"));
            out.push('\n');
        }
        out
    }

    /// Write the data gzip-compressed to `path`, and the per-branch
    /// versions beside it, atomically (see
    /// [`aprof_footprint::io::replace_file`]), creating the
    /// parent directory.
    pub fn write_gz(&self, path: &Path) -> Result<(), DataError> {
        write_gz_atomic(path, self.to_tsv().as_bytes())?;
        if !self.versions.is_empty() {
            write_gz_atomic(&versions_path_for(path), self.versions.to_csv().as_bytes())?;
        }
        Ok(())
    }
}

/// The per-branch versions file that goes with a data file.
pub fn versions_path_for(data_path: &Path) -> PathBuf {
    data_path.with_file_name(VERSIONS_FILE)
}

fn write_gz_atomic(path: &Path, bytes: &[u8]) -> Result<(), DataError> {
    let io_err = |source| DataError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io_err)?;
    }
    aprof_footprint::io::replace_file(path, |file| {
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::best());
        gz.write_all(bytes)?;
        gz.finish().map(drop)
    })
    .map_err(io_err)
}

impl Dataset {
    pub fn get(&self, cve_id: &str) -> Option<&CveRecord> {
        self.records.iter().find(|r| r.id == cve_id)
    }

    /// CVE counts per subsystem over all records (a CVE counts once in
    /// each subsystem it touches).
    pub fn subsystem_counts(&self) -> BTreeMap<&str, usize> {
        let mut counts = BTreeMap::new();
        for r in &self.records {
            for s in &r.subsystems {
                *counts.entry(s.as_str()).or_default() += 1;
            }
        }
        counts
    }

    /// A summary for `aprof data info`.
    pub fn info(&self, top: usize) -> DatasetInfo {
        let count = |f: &dyn Fn(&CveRecord) -> bool| self.records.iter().filter(|r| f(r)).count();
        let fixed_dates = self.records.iter().filter_map(|r| r.fixed_date);
        let published = self.records.iter().filter_map(|r| r.published);
        let mut top_subsystems: Vec<(String, usize)> = self
            .subsystem_counts()
            .into_iter()
            .map(|(s, n)| (s.to_owned(), n))
            .collect();
        top_subsystems.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        top_subsystems.truncate(top);
        DatasetInfo {
            source: self.source.clone(),
            source_description: self.source_description.clone(),
            data_date: self.data_date,
            total: self.records.len(),
            cna: count(&|r| r.origin == Origin::Cna),
            legacy: count(&|r| r.origin == Origin::Legacy),
            with_files: count(&|r| !r.files.is_empty()),
            with_fixed_in: count(&|r| r.fixed_in.is_some()),
            with_introduced_in: count(&|r| r.introduced_in.is_some()),
            with_cvss: count(&|r| r.cvss.is_some()),
            first_fixed_date: fixed_dates.clone().min(),
            last_fixed_date: fixed_dates.max(),
            first_published: published.clone().min(),
            last_published: published.max(),
            subsystems: self.subsystem_counts().len(),
            top_subsystems,
            releases: self.releases.releases().len(),
            first_release: self.releases.first().map(|(v, d)| (v.to_string(), d)),
            last_release: self.releases.last().map(|(v, d)| (v.to_string(), d)),
        }
    }
}

/// What `aprof data info` shows.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetInfo {
    pub source: DataSource,
    pub source_description: String,
    pub data_date: Option<Date>,
    pub total: usize,
    pub cna: usize,
    pub legacy: usize,
    pub with_files: usize,
    pub with_fixed_in: usize,
    pub with_introduced_in: usize,
    pub with_cvss: usize,
    pub first_fixed_date: Option<Date>,
    pub last_fixed_date: Option<Date>,
    pub first_published: Option<Date>,
    pub last_published: Option<Date>,
    /// Distinct subsystem buckets.
    pub subsystems: usize,
    pub top_subsystems: Vec<(String, usize)>,
    /// Mainline releases in the release-date table, and its range.
    pub releases: usize,
    pub first_release: Option<(String, Date)>,
    pub last_release: Option<(String, Date)>,
}

/// The path of the user's updated copy: `$XDG_DATA_HOME/aprof/kernel_cves.tsv.gz`,
/// or `$HOME/.local/share/aprof/kernel_cves.tsv.gz`; `None` without either.
pub fn user_data_path() -> Option<PathBuf> {
    let nonempty = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base =
        nonempty("XDG_DATA_HOME").or_else(|| nonempty("HOME").map(|h| h.join(".local/share")))?;
    Some(base.join("aprof").join(USER_DATA_FILE))
}

fn clean_cell(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

fn parse_record(line: &str) -> Result<CveRecord, String> {
    let cells: Vec<&str> = line.split('\t').collect();
    if cells.len() != COLUMNS.len() {
        return Err(format!(
            "{} columns, expected {}",
            cells.len(),
            COLUMNS.len()
        ));
    }
    let id = cells[0].trim();
    if id.is_empty() {
        return Err("empty cve_id".into());
    }
    let origin = match cells[1] {
        "cna" => Origin::Cna,
        "legacy" => Origin::Legacy,
        other => return Err(format!("unknown origin {other:?}")),
    };
    let date = |i: usize| -> Result<Option<Date>, String> {
        let s = cells[i].trim();
        if s.is_empty() {
            return Ok(None);
        }
        Date::parse(s)
            .map(Some)
            .ok_or_else(|| format!("{}: bad date {s:?}", COLUMNS[i]))
    };
    let version = |i: usize| -> Result<Option<KernelVersion>, String> {
        let s = cells[i].trim();
        if s.is_empty() {
            return Ok(None);
        }
        KernelVersion::parse(s)
            .map(Some)
            .map_err(|e| format!("{}: {e}", COLUMNS[i]))
    };
    let cvss = match cells[7].trim() {
        "" => None,
        s => match s.parse::<f64>() {
            Ok(v) if (0.0..=10.0).contains(&v) => Some(v),
            _ => return Err(format!("cvss: bad score {s:?}")),
        },
    };
    let files = cells[8]
        .split(';')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(CveRecord::new(
        id.to_owned(),
        origin,
        date(2)?,
        version(3)?,
        date(4)?,
        version(5)?,
        date(6)?,
        cvss,
        files,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_follow_the_source_rule() {
        assert_eq!(bucket_of("fs/ext4/inode.c"), "fs/ext4");
        assert_eq!(bucket_of("fs/namei.c"), "fs");
        assert_eq!(bucket_of("net/socket.c"), "net");
        assert_eq!(bucket_of("drivers/net/tun.c"), "drivers/net");
        assert_eq!(bucket_of("drivers/gpu/drm/i915/x.c"), "drivers/gpu/drm");
        assert_eq!(bucket_of("arch/x86/kvm/vmx/vmx.c"), "arch/x86/kvm");
        assert_eq!(bucket_of("kernel/bpf/verifier.c"), "kernel/bpf");
        assert_eq!(bucket_of("MAINTAINERS"), "MAINTAINERS");
    }

    #[test]
    fn primary_bucket_is_most_common_then_first() {
        let files = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (all, primary) = buckets_of(&files(&[
            "include/net/ip.h",
            "net/ipv6/a.c",
            "net/ipv6/b.c",
        ]));
        assert_eq!(all, ["include/net", "net/ipv6"]);
        assert_eq!(primary.as_deref(), Some("net/ipv6"));
        let (_, primary) = buckets_of(&files(&["mm/a.c", "fs/b.c"]));
        assert_eq!(primary.as_deref(), Some("mm"));
    }

    #[test]
    fn embedded_data_round_trips() {
        let data = Dataset::embedded();
        assert!(data.records.len() > 17_000);
        let again =
            Dataset::from_bytes(data.to_tsv().as_bytes(), "round trip", DataSource::Embedded)
                .unwrap();
        assert_eq!(again.records, data.records);
        assert_eq!(again.data_date, data.data_date);
    }

    #[test]
    fn bad_files_give_line_numbers() {
        let bad = format!(
            "{FORMAT_MAGIC}\t1\n{}\nCVE-1\tcna\t\t6.x\t\t\t\t\t\n",
            COLUMNS.join("\t")
        );
        let e = Dataset::from_bytes(bad.as_bytes(), "t", DataSource::Embedded).unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
        let e = Dataset::from_bytes(b"hello", "t", DataSource::Embedded).unwrap_err();
        assert!(e.to_string().contains("not an aprof CVE file"), "{e}");
        let e = Dataset::from_bytes(&[0x1f, 0x8b, 0, 1], "t", DataSource::Embedded).unwrap_err();
        assert!(e.to_string().contains("gzip"), "{e}");
    }
}
