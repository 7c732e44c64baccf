//! Which kernel subsystems a footprint reaches: syscall -> subsystems where
//! its implementation lives, and object class (what an fd refers to) ->
//! subsystems its operations dispatch to. The mapping is data in
//! `data/subsystems/` (derived from the kernel source layout), embedded
//! here; the CVE call-trace pairs in `data/cve/syscall_subsystem_evidence.csv`
//! can optionally extend it.

use aprof_footprint::{Abi, Footprint, ObjectClass};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The syscall entry code every syscall passes through.
pub const ENTRY_SUBSYSTEM: &str = "arch/x86/entry";

/// How a syscall reaches code beyond its own implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// It acts on a file descriptor and dispatches to the object's code.
    Fd,
    /// It resolves a path, reaching the filesystem the path is on.
    Path,
    /// Its work is all in its own subsystems.
    Own,
}

/// One row of `data/subsystems/syscalls.tsv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyscallMapping {
    pub syscall: String,
    pub subsystems: Vec<String>,
    pub via: Via,
    /// Where in the kernel source the implementation is.
    pub source: String,
}

/// The kinds of object rule in `data/subsystems/objects.tsv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    File,
    Pipe,
    Socket,
    Anon,
    Char,
    Block,
}

/// One row of `data/subsystems/objects.tsv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectRule {
    pub kind: RuleKind,
    pub key: String,
    pub subsystems: Vec<String>,
    pub source: String,
}

impl ObjectRule {
    /// `kind key`, e.g. `socket AF_INET/TCP`.
    pub fn label(&self) -> String {
        let kind = match self.kind {
            RuleKind::File => "file",
            RuleKind::Pipe => "pipe",
            RuleKind::Socket => "socket",
            RuleKind::Anon => "anon",
            RuleKind::Char => "char",
            RuleKind::Block => "block",
        };
        format!("{kind} {}", self.key)
    }

    fn matches(&self, class: &ObjectClass) -> bool {
        let any = self.key == "*";
        match (self.kind, class) {
            (RuleKind::File, ObjectClass::File { fstype } | ObjectClass::Directory { fstype }) => {
                any || normalize_fstype(fstype) == self.key.to_ascii_lowercase()
            }
            (RuleKind::Pipe, ObjectClass::Pipe) => true,
            (
                RuleKind::Socket,
                ObjectClass::Socket {
                    family,
                    socket_type,
                    protocol,
                },
            ) => any || socket_key_matches(&self.key, family, socket_type, protocol),
            (RuleKind::Anon, ObjectClass::AnonInode { name }) => {
                any || normalize_anon(name) == self.key.to_ascii_lowercase()
            }
            (
                RuleKind::Char,
                ObjectClass::CharDevice {
                    major,
                    minor,
                    driver,
                },
            )
            | (
                RuleKind::Block,
                ObjectClass::BlockDevice {
                    major,
                    minor,
                    driver,
                },
            ) => any || device_key_matches(&self.key, *major, *minor, driver),
            _ => false,
        }
    }
}

/// A syscall -> subsystem pair seen in CVE call traces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidencePair {
    pub syscall: String,
    pub subsystem: String,
    pub cves: u32,
    pub example_cves: Vec<String>,
}

/// A CVE -> syscall link from `data/cve/cve_syscalls.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CveSyscallLink {
    pub cve_id: String,
    pub syscall: String,
    /// `confine_manual`, `description_calltrace` or `description_text`.
    pub source: String,
}

/// The syscall and object-class mapping, with the CVE evidence tables.
#[derive(Debug, Clone, Default)]
pub struct SubsystemMap {
    syscalls: BTreeMap<String, SyscallMapping>,
    aliases: BTreeMap<String, String>,
    objects: Vec<ObjectRule>,
    evidence: Vec<EvidencePair>,
    cve_syscalls: Vec<CveSyscallLink>,
}

impl SubsystemMap {
    /// The mapping embedded from `data/subsystems/` and `data/cve/`.
    pub fn embedded() -> &'static SubsystemMap {
        static MAP: OnceLock<SubsystemMap> = OnceLock::new();
        MAP.get_or_init(|| {
            SubsystemMap::parse(
                include_str!("../../../data/subsystems/syscalls.tsv"),
                include_str!("../../../data/subsystems/aliases.tsv"),
                include_str!("../../../data/subsystems/objects.tsv"),
                include_str!("../../../data/cve/syscall_subsystem_evidence.csv"),
                include_str!("../../../data/cve/cve_syscalls.csv"),
            )
            .expect("the embedded mapping parses (checked by tests)")
        })
    }

    /// Parse the mapping files; an error names the file and line.
    pub fn parse(
        syscalls_tsv: &str,
        aliases_tsv: &str,
        objects_tsv: &str,
        evidence_csv: &str,
        cve_syscalls_csv: &str,
    ) -> Result<SubsystemMap, String> {
        let mut map = SubsystemMap::default();
        for (line_no, cells) in data_rows(syscalls_tsv, '\t', "syscall") {
            let [syscall, subsystems, via, source] = cells[..] else {
                return Err(format!("syscalls.tsv line {line_no}: expected 4 columns"));
            };
            let via = match via {
                "fd" => Via::Fd,
                "path" => Via::Path,
                "-" => Via::Own,
                other => return Err(format!("syscalls.tsv line {line_no}: bad via {other:?}")),
            };
            let row = SyscallMapping {
                syscall: syscall.to_owned(),
                subsystems: split_subsystems(subsystems),
                via,
                source: source.to_owned(),
            };
            if map.syscalls.insert(syscall.to_owned(), row).is_some() {
                return Err(format!(
                    "syscalls.tsv line {line_no}: {syscall} listed twice"
                ));
            }
        }
        for (line_no, cells) in data_rows(aliases_tsv, '\t', "alias") {
            let [alias, syscall] = cells[..] else {
                return Err(format!("aliases.tsv line {line_no}: expected 2 columns"));
            };
            map.aliases.insert(alias.to_owned(), syscall.to_owned());
        }
        for (line_no, cells) in data_rows(objects_tsv, '\t', "kind") {
            let [kind, key, subsystems, source] = cells[..] else {
                return Err(format!("objects.tsv line {line_no}: expected 4 columns"));
            };
            let kind = match kind {
                "file" => RuleKind::File,
                "pipe" => RuleKind::Pipe,
                "socket" => RuleKind::Socket,
                "anon" => RuleKind::Anon,
                "char" => RuleKind::Char,
                "block" => RuleKind::Block,
                other => return Err(format!("objects.tsv line {line_no}: bad kind {other:?}")),
            };
            map.objects.push(ObjectRule {
                kind,
                key: key.to_owned(),
                subsystems: split_subsystems(subsystems),
                source: source.to_owned(),
            });
        }
        for (line_no, cells) in data_rows(evidence_csv, ',', "syscall") {
            let [syscall, subsystem, cves, examples] = cells[..] else {
                return Err(format!(
                    "syscall_subsystem_evidence.csv line {line_no}: expected 4 columns"
                ));
            };
            map.evidence.push(EvidencePair {
                syscall: syscall.to_owned(),
                subsystem: subsystem.to_owned(),
                cves: cves.parse().map_err(|_| {
                    format!("syscall_subsystem_evidence.csv line {line_no}: bad count")
                })?,
                example_cves: examples.split(';').map(str::to_owned).collect(),
            });
        }
        for (line_no, cells) in data_rows(cve_syscalls_csv, ',', "cve_id") {
            let [cve_id, syscall, source] = cells[..] else {
                return Err(format!(
                    "cve_syscalls.csv line {line_no}: expected 3 columns"
                ));
            };
            map.cve_syscalls.push(CveSyscallLink {
                cve_id: cve_id.to_owned(),
                syscall: syscall.to_owned(),
                source: source.to_owned(),
            });
        }
        Ok(map)
    }

    /// The mapping of a syscall by name, resolving i386 names (`mmap2`,
    /// `socketcall`, `getuid32`, `clock_gettime64`, ...).
    pub fn syscall(&self, name: &str) -> Option<&SyscallMapping> {
        self.syscalls.get(&self.canonical_name(name))
    }

    /// The x86_64 name a syscall name shares its implementation with.
    pub fn canonical_name(&self, name: &str) -> String {
        if self.syscalls.contains_key(name) {
            return name.to_owned();
        }
        if let Some(target) = self.aliases.get(name) {
            return target.clone();
        }
        for suffix in ["_time64", "64", "32"] {
            if let Some(stem) = name.strip_suffix(suffix) {
                if self.syscalls.contains_key(stem) {
                    return stem.to_owned();
                }
            }
        }
        name.to_owned()
    }

    pub fn syscalls(&self) -> impl Iterator<Item = &SyscallMapping> {
        self.syscalls.values()
    }

    pub fn object_rules(&self) -> &[ObjectRule] {
        &self.objects
    }

    /// The rules that apply to an object class (a `*` rule plus specific ones).
    pub fn rules_for(&self, class: &ObjectClass) -> Vec<&ObjectRule> {
        self.objects.iter().filter(|r| r.matches(class)).collect()
    }

    /// CVE call-trace pairs, most CVEs first per syscall.
    pub fn evidence(&self) -> &[EvidencePair] {
        &self.evidence
    }

    pub fn cve_syscalls(&self) -> &[CveSyscallLink] {
        &self.cve_syscalls
    }

    /// Names in an ABI's syscall table that have no mapping.
    pub fn unmapped_in_table(&self, abi: Abi) -> Vec<String> {
        abi.table()
            .iter()
            .filter(|(name, _)| self.syscall(name).is_none())
            .map(|(name, _)| name.to_owned())
            .collect()
    }
}

/// Options for [`reach_of_footprint`].
#[derive(Debug, Clone, Serialize)]
pub struct ReachOptions {
    /// Add the syscall entry code ([`ENTRY_SUBSYSTEM`]) when any syscall ran.
    pub entry_code: bool,
    /// Also add syscall -> subsystem pairs seen in at least this many CVE
    /// call traces (for syscalls that do not dispatch through an fd; those
    /// are covered by their objects). `None`: curated mapping only.
    pub cve_trace_min_cves: Option<u32>,
}

impl Default for ReachOptions {
    fn default() -> Self {
        ReachOptions {
            entry_code: true,
            cve_trace_min_cves: None,
        }
    }
}

/// Why a subsystem is in a footprint's reach.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// The syscall's implementation lives there.
    Syscall {
        abi: Abi,
        syscall: String,
        count: u64,
    },
    /// Syscalls on an object of this class dispatch there (by `rule`).
    Object {
        class: ObjectClass,
        rule: String,
        syscalls: BTreeMap<String, u64>,
    },
    /// A `socket()` family argument named this family (by `rule`).
    SocketFamily {
        family: String,
        rule: String,
        count: u64,
    },
    /// CVE call traces through this syscall fixed bugs there.
    CveTrace {
        syscall: String,
        cves: u32,
        example_cves: Vec<String>,
    },
    /// Every syscall passes the entry code.
    Entry { syscalls: u64 },
}

/// A part of a footprint the mapping could not place.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unmapped {
    /// A syscall with no mapping row.
    Syscall { abi: Abi, syscall: String },
    /// An object class no rule matches beyond `*` (or none at all).
    Object { class: ObjectClass },
    /// An fd-dispatching syscall with no object recorded for it, so the
    /// code it dispatched to is unknown (only its own subsystems count).
    Dispatch { syscall: String, count: u64 },
}

/// The kernel subsystems a footprint reaches, each with its evidence.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Reach {
    pub per_subsystem: BTreeMap<String, Vec<Evidence>>,
    pub unmapped: Vec<Unmapped>,
}

impl Reach {
    pub fn subsystems(&self) -> impl Iterator<Item = &str> {
        self.per_subsystem.keys().map(String::as_str)
    }

    /// The subsystems as a set, e.g. for [`crate::unfixed_cves`].
    pub fn subsystem_set(&self) -> std::collections::BTreeSet<String> {
        self.per_subsystem.keys().cloned().collect()
    }

    pub fn contains(&self, subsystem: &str) -> bool {
        self.per_subsystem.contains_key(subsystem)
    }

    fn add(&mut self, subsystem: &str, evidence: Evidence) {
        self.per_subsystem
            .entry(subsystem.to_owned())
            .or_default()
            .push(evidence);
    }
}

/// The subsystems a footprint reaches with the embedded mapping and default options.
pub fn subsystems_of_footprint(footprint: &Footprint) -> Reach {
    reach_of_footprint(
        footprint,
        SubsystemMap::embedded(),
        &ReachOptions::default(),
    )
}

/// The subsystems a footprint reaches: from its syscalls, from the objects
/// it used, and from `socket()` family arguments.
pub fn reach_of_footprint(
    footprint: &Footprint,
    map: &SubsystemMap,
    options: &ReachOptions,
) -> Reach {
    let mut reach = Reach::default();
    let mut total_calls = 0;
    // fd-dispatching syscalls by canonical name, for the Dispatch report.
    let mut dispatching: BTreeMap<String, u64> = BTreeMap::new();
    for (&abi, calls) in &footprint.syscalls {
        for (name, stats) in calls {
            total_calls += stats.count;
            let Some(mapping) = map.syscall(name) else {
                reach.unmapped.push(Unmapped::Syscall {
                    abi,
                    syscall: name.clone(),
                });
                continue;
            };
            for subsystem in &mapping.subsystems {
                reach.add(
                    subsystem,
                    Evidence::Syscall {
                        abi,
                        syscall: name.clone(),
                        count: stats.count,
                    },
                );
            }
            if mapping.via == Via::Fd {
                *dispatching.entry(mapping.syscall.clone()).or_default() += stats.count;
            } else if let Some(min) = options.cve_trace_min_cves {
                for pair in map
                    .evidence
                    .iter()
                    .filter(|p| p.syscall == mapping.syscall && p.cves >= min)
                {
                    reach.add(
                        &pair.subsystem,
                        Evidence::CveTrace {
                            syscall: pair.syscall.clone(),
                            cves: pair.cves,
                            example_cves: pair.example_cves.clone(),
                        },
                    );
                }
            }
        }
    }
    if options.entry_code && total_calls > 0 {
        reach.add(
            ENTRY_SUBSYSTEM,
            Evidence::Entry {
                syscalls: total_calls,
            },
        );
    }
    for object in &footprint.objects {
        let rules = map.rules_for(&object.class);
        // A pipe has one kind of code; other kinds need a specific rule.
        if !rules
            .iter()
            .any(|r| r.key != "*" || r.kind == RuleKind::Pipe)
        {
            reach.unmapped.push(Unmapped::Object {
                class: object.class.clone(),
            });
        }
        for rule in rules {
            for subsystem in &rule.subsystems {
                reach.add(
                    subsystem,
                    Evidence::Object {
                        class: object.class.clone(),
                        rule: rule.label(),
                        syscalls: object.syscalls.clone(),
                    },
                );
            }
        }
        for syscall in object.syscalls.keys() {
            dispatching.remove(&map.canonical_name(syscall));
        }
    }
    for arg in footprint
        .arguments
        .values()
        .filter(|a| map.canonical_name(&a.syscall) == "socket" && a.index == 0)
    {
        if arg.values.values().any(|v| v.name.is_some()) {
            dispatching.remove("socket");
        }
        for value in arg.values.values() {
            let Some(family) = &value.name else { continue };
            let class = ObjectClass::Socket {
                family: family.clone(),
                socket_type: String::new(),
                protocol: String::new(),
            };
            for rule in map.rules_for(&class).into_iter().filter(|r| r.key != "*") {
                for subsystem in &rule.subsystems {
                    reach.add(
                        subsystem,
                        Evidence::SocketFamily {
                            family: family.clone(),
                            rule: rule.label(),
                            count: value.count,
                        },
                    );
                }
            }
        }
    }
    for (syscall, count) in dispatching {
        reach.unmapped.push(Unmapped::Dispatch { syscall, count });
    }
    reach.unmapped.sort();
    reach
}

/// Data rows of a TSV/CSV file: skips `#` comments, blank lines and the
/// header (the line starting with `header_first`); yields 1-based line numbers.
fn data_rows<'a>(
    text: &'a str,
    separator: char,
    header_first: &'a str,
) -> impl Iterator<Item = (usize, Vec<&'a str>)> + 'a {
    text.lines().enumerate().filter_map(move |(i, line)| {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            return None;
        }
        let cells: Vec<&str> = line.split(separator).collect();
        if cells[0] == header_first {
            return None;
        }
        Some((i + 1, cells))
    })
}

fn split_subsystems(cell: &str) -> Vec<String> {
    cell.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "-")
        .map(str::to_owned)
        .collect()
}

/// `fuse.sshfs` -> `fuse`, lower case.
fn normalize_fstype(fstype: &str) -> String {
    fstype
        .split('.')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// `anon_inode:[eventfd]` -> `eventfd`, `kvm-vcpu:0` -> `kvm-vcpu`.
fn normalize_anon(name: &str) -> String {
    let name = name.trim();
    let name = name.strip_prefix("anon_inode:").unwrap_or(name);
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name.split(':')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// `AF_INET`/`PF_INET`/`inet` -> `INET`; `IPPROTO_TCP`/`tcp` -> `TCP`.
fn normalize_socket_name(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    let stripped = ["AF_", "PF_", "IPPROTO_"]
        .iter()
        .find_map(|p| upper.strip_prefix(p))
        .unwrap_or(&upper);
    stripped.to_owned()
}

fn socket_key_matches(key: &str, family: &str, socket_type: &str, protocol: &str) -> bool {
    let (key_family, key_detail) = match key.split_once('/') {
        Some((f, d)) => (f, Some(d)),
        None => (key, None),
    };
    if normalize_socket_name(key_family) != normalize_socket_name(family) {
        return false;
    }
    match key_detail {
        None => true,
        Some(detail) => {
            let detail = normalize_socket_name(detail);
            detail == normalize_socket_name(protocol)
                || detail == normalize_socket_name(socket_type)
        }
    }
}

fn device_key_matches(key: &str, major: u32, minor: u32, driver: &str) -> bool {
    if let Some(name) = key.strip_prefix("driver=") {
        return !driver.is_empty() && driver.eq_ignore_ascii_case(name);
    }
    let Some((key_major, key_minor)) = key.split_once(':') else {
        return false;
    };
    key_major.parse() == Ok(major) && (key_minor == "*" || key_minor.parse() == Ok(minor))
}
