//! Which kernel code a footprint reaches: syscall -> the subsystems where
//! its implementation lives, and object class (what an fd refers to) ->
//! the subsystems its operations dispatch to. A "subsystem" is a bucket of
//! the CVE data or a file group split out of one (`crate::units`). Reach
//! that needs privileges (gated.tsv) is collected apart, with its gate,
//! for the caller to open or not; the per-process baseline is flagged. The
//! mapping is data in `data/subsystems/` (derived from the kernel source
//! layout), embedded here; the CVE call-trace pairs in
//! `data/cve/syscall_subsystem_evidence.csv` can optionally extend it.

use crate::units::{parse_gated, parse_netns, Baseline, Gate, GatedRule, Groups, Trigger};
use aprof_footprint::{Abi, Footprint, ObjectClass};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
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
    groups: Groups,
    gated: Vec<GatedRule>,
    baseline: Baseline,
    netns_refused: BTreeSet<String>,
    evidence: Vec<EvidencePair>,
    cve_syscalls: Vec<CveSyscallLink>,
}

/// The text of the mapping files, for [`SubsystemMap::parse`].
#[derive(Debug, Clone, Copy, Default)]
pub struct MapFiles<'a> {
    pub syscalls: &'a str,
    pub aliases: &'a str,
    pub objects: &'a str,
    pub groups: &'a str,
    pub gated: &'a str,
    pub baseline: &'a str,
    pub netns: &'a str,
    pub evidence: &'a str,
    pub cve_syscalls: &'a str,
}

impl MapFiles<'static> {
    /// The files embedded from `data/subsystems/` and `data/cve/`.
    pub fn embedded() -> MapFiles<'static> {
        MapFiles {
            syscalls: include_str!("../../../data/subsystems/syscalls.tsv"),
            aliases: include_str!("../../../data/subsystems/aliases.tsv"),
            objects: include_str!("../../../data/subsystems/objects.tsv"),
            groups: include_str!("../../../data/subsystems/groups.tsv"),
            gated: include_str!("../../../data/subsystems/gated.tsv"),
            baseline: include_str!("../../../data/subsystems/baseline.tsv"),
            netns: include_str!("../../../data/subsystems/netns.tsv"),
            evidence: include_str!("../../../data/cve/syscall_subsystem_evidence.csv"),
            cve_syscalls: include_str!("../../../data/cve/cve_syscalls.csv"),
        }
    }
}

impl SubsystemMap {
    /// The mapping embedded from `data/subsystems/` and `data/cve/`.
    pub fn embedded() -> &'static SubsystemMap {
        static MAP: OnceLock<SubsystemMap> = OnceLock::new();
        MAP.get_or_init(|| {
            SubsystemMap::parse(&MapFiles::embedded())
                .expect("the embedded mapping parses (checked by tests)")
        })
    }

    /// Parse the mapping files; an error names the file and line.
    pub fn parse(files: &MapFiles) -> Result<SubsystemMap, String> {
        let (syscalls_tsv, aliases_tsv, objects_tsv, evidence_csv, cve_syscalls_csv) = (
            files.syscalls,
            files.aliases,
            files.objects,
            files.evidence,
            files.cve_syscalls,
        );
        let mut map = SubsystemMap {
            groups: Groups::parse(files.groups)?,
            gated: parse_gated(files.gated)?,
            baseline: Baseline::parse(files.baseline)?,
            netns_refused: parse_netns(files.netns)?,
            ..SubsystemMap::default()
        };
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

    /// The file groups split out of buckets.
    pub fn groups(&self) -> &Groups {
        &self.groups
    }

    /// The reach that depends on privileges.
    pub fn gated_rules(&self) -> &[GatedRule] {
        &self.gated
    }

    /// The files every process runs.
    pub fn baseline(&self) -> &Baseline {
        &self.baseline
    }

    /// Socket families (normalised: `BLUETOOTH`) that refuse every network
    /// namespace but the initial one.
    pub fn netns_refused(&self) -> &BTreeSet<String> {
        &self.netns_refused
    }

    /// True when `family` cannot be created outside the initial network namespace.
    pub fn refuses_outside_initial_netns(&self, family: &str) -> bool {
        self.netns_refused.contains(&normalize_socket_name(family))
    }

    /// Every socket a process may open in `family`, one object class per
    /// detailed key of objects.tsv and gated.tsv (`AF_INET/TCP`,
    /// `AF_INET/SOCK_RAW`, `AF_NETLINK/NETLINK_ROUTE`), plus the bare family.
    pub fn sockets_of_family(&self, family: &str) -> Vec<ObjectClass> {
        let wanted = normalize_socket_name(family);
        let object_keys = self
            .objects
            .iter()
            .filter(|r| r.kind == RuleKind::Socket)
            .map(|r| r.key.clone());
        let gated_keys = self.gated.iter().filter_map(|g| match &g.trigger {
            Trigger::Socket(k) => Some(k.clone()),
            _ => None,
        });
        let mut out = vec![ObjectClass::Socket {
            family: family.to_owned(),
            socket_type: String::new(),
            protocol: String::new(),
        }];
        for key in object_keys.chain(gated_keys) {
            let Some((f, detail)) = key.split_once('/') else {
                continue;
            };
            if normalize_socket_name(f) != wanted {
                continue;
            }
            let (socket_type, protocol) = if detail.to_ascii_uppercase().starts_with("SOCK_") {
                (detail.to_owned(), String::new())
            } else {
                (String::new(), detail.to_owned())
            };
            let class = ObjectClass::Socket {
                family: family.to_owned(),
                socket_type,
                protocol,
            };
            if !out.contains(&class) {
                out.push(class);
            }
        }
        out
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
    /// The workload runs in the initial network namespace. When false,
    /// socket families that refuse other namespaces reach nothing (they are
    /// listed in [`Reach::refused`]).
    pub initial_network_namespace: bool,
    /// Also add syscall -> subsystem pairs seen in at least this many CVE
    /// call traces (for syscalls that do not dispatch through an fd; those
    /// are covered by their objects). `None`: curated mapping only.
    pub cve_trace_min_cves: Option<u32>,
}

impl Default for ReachOptions {
    fn default() -> Self {
        ReachOptions {
            entry_code: true,
            initial_network_namespace: true,
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
    /// The deployment reaches it for every process (a container's overlay
    /// root, its veth and the host's NAT), whatever the workload does.
    Runtime { why: String },
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

/// Reach behind a gate: the footprint has the trigger, and the subsystems
/// are reachable if the gate opens.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GatedReach {
    pub trigger: String,
    pub subsystems: Vec<String>,
    pub gate: Gate,
    pub reason: String,
}

/// The kernel subsystems a footprint reaches, each with its evidence.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Reach {
    pub per_subsystem: BTreeMap<String, Vec<Evidence>>,
    /// Reach that needs a privilege, with its gate (not in `per_subsystem`).
    pub gated: Vec<GatedReach>,
    /// At least one process ran: the per-process baseline applies.
    pub processes: bool,
    /// Socket families seen or allowed that the workload's network
    /// namespace refuses (EAFNOSUPPORT): not counted.
    pub refused: Vec<String>,
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

    pub fn add(&mut self, subsystem: &str, evidence: Evidence) {
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
    let refused = |family: &str| {
        !options.initial_network_namespace && map.refuses_outside_initial_netns(family)
    };
    for object in &footprint.objects {
        if let ObjectClass::Socket { family, .. } = &object.class {
            if refused(family) {
                reach.refused.push(family.clone());
                for syscall in object.syscalls.keys() {
                    dispatching.remove(&map.canonical_name(syscall));
                }
                continue;
            }
        }
        let rules = map.rules_for(&object.class);
        // A pipe has one kind of code; other kinds need a specific rule
        // (or a gated one: AF_PACKET needs CAP_NET_RAW for anything).
        let gated = map
            .gated
            .iter()
            .any(|g| trigger_matches_object(&g.trigger, &object.class));
        if !gated
            && !rules
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
            if refused(family) {
                reach.refused.push(family.clone());
                continue;
            }
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
    reach.processes = total_calls > 0 || !footprint.processes.is_empty();
    reach.gated = gated_reach(footprint, map, &reach);
    reach.unmapped.sort();
    reach.refused.sort();
    reach.refused.dedup();
    reach
}

/// The gated rules whose trigger the footprint has.
fn gated_reach(footprint: &Footprint, map: &SubsystemMap, reach: &Reach) -> Vec<GatedReach> {
    let syscalls: BTreeSet<String> = footprint
        .syscalls
        .values()
        .flat_map(|m| m.keys())
        .map(|name| map.canonical_name(name))
        .collect();
    let families: Vec<&str> = footprint
        .arguments
        .values()
        .filter(|a| map.canonical_name(&a.syscall) == "socket" && a.index == 0)
        .flat_map(|a| a.values.values().filter_map(|v| v.name.as_deref()))
        .collect();
    let refused: BTreeSet<String> = reach
        .refused
        .iter()
        .map(|f| normalize_socket_name(f))
        .collect();
    let mut out = Vec::new();
    for rule in &map.gated {
        let hit = match &rule.trigger {
            Trigger::Any => reach.processes,
            Trigger::Syscall(name) => syscalls.contains(name),
            Trigger::Argument(a) => footprint.arguments.values().any(|arg| {
                map.canonical_name(&arg.syscall) == a.syscall
                    && arg.index == a.index
                    && arg.values.keys().any(|v| a.matches(*v))
            }),
            Trigger::File(_) => footprint
                .objects
                .iter()
                .any(|o| trigger_matches_object(&rule.trigger, &o.class)),
            Trigger::Socket(key) => {
                let family = key.split_once('/').map_or(key.as_str(), |(f, _)| f);
                !refused.contains(&normalize_socket_name(family))
                    && (footprint
                        .objects
                        .iter()
                        .any(|o| trigger_matches_object(&rule.trigger, &o.class))
                        || (!key.contains('/')
                            && families
                                .iter()
                                .any(|f| normalize_socket_name(f) == normalize_socket_name(key))))
            }
        };
        if hit {
            out.push(GatedReach {
                trigger: rule.trigger.label(),
                subsystems: rule.subsystems.clone(),
                gate: rule.gate.clone(),
                reason: rule.reason.clone(),
            });
        }
    }
    out
}

fn trigger_matches_object(trigger: &Trigger, class: &ObjectClass) -> bool {
    match (trigger, class) {
        (
            Trigger::Socket(key),
            ObjectClass::Socket {
                family,
                socket_type,
                protocol,
            },
        ) => socket_key_matches(key, family, socket_type, protocol),
        (
            Trigger::File(fstype),
            ObjectClass::File { fstype: f } | ObjectClass::Directory { fstype: f },
        ) => normalize_fstype(f) == fstype.to_ascii_lowercase(),
        _ => false,
    }
}

/// Data rows of a TSV/CSV file: skips `#` comments, blank lines and the
/// header (the line starting with `header_first`); yields 1-based line numbers.
pub(crate) fn data_rows<'a>(
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

pub(crate) fn split_subsystems(cell: &str) -> Vec<String> {
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
pub(crate) fn normalize_socket_name(name: &str) -> String {
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
