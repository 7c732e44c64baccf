//! Code units below the subsystem bucket, and the reach that depends on
//! privileges:
//!
//! - [`Groups`] (`data/subsystems/groups.tsv`): files split out of a bucket
//!   because other syscalls, objects or privileges reach them (`net/sched`
//!   is `net/sched:egress`, the default qdiscs every transmit runs, and
//!   `net/sched:tc`, what only CAP_NET_ADMIN can set up). [`Groups::unit_of`]
//!   names the unit of a source file; a CVE counts for a reach when its fix
//!   touched a file of a reached unit.
//! - [`GatedRule`] (`gated.tsv`): subsystems a trigger (a syscall, a socket,
//!   a file) reaches only behind a [`Gate`]: a capability in the initial user
//!   namespace, a capability over a namespace (which a user namespace
//!   grants), or a host setting. [`Privileges`] decide which gates open.
//! - [`Baseline`] (`baseline.tsv`): the files every process runs, charged as
//!   a line of its own.
//! - The socket families a non-initial network namespace refuses (`netns.tsv`).

use crate::bucket_of;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A path pattern: `*` matches within one component; a trailing `/`
/// matches the directory and everything below it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathPattern(pub String);

impl PathPattern {
    pub fn matches(&self, path: &str) -> bool {
        let pattern = self.0.as_str();
        if let Some(dir) = pattern.strip_suffix('/') {
            return path.len() > dir.len()
                && path.starts_with(dir)
                && path.as_bytes()[dir.len()] == b'/';
        }
        let p: Vec<&str> = pattern.split('/').collect();
        let f: Vec<&str> = path.split('/').collect();
        p.len() == f.len() && p.iter().zip(&f).all(|(p, f)| glob_component(p, f))
    }

    /// The bucket of the files this pattern can match.
    fn bucket(&self) -> String {
        let probe = if self.0.ends_with('/') {
            format!("{}x/x", self.0)
        } else {
            self.0.clone()
        };
        bucket_of(&probe)
    }
}

/// `*` wildcards within one path component.
fn glob_component(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

/// One file group of `groups.tsv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// `BUCKET:NAME`.
    pub name: String,
    pub bucket: String,
    pub files: Vec<PathPattern>,
    pub reason: String,
}

/// The file groups, indexed by bucket.
#[derive(Debug, Clone, Default)]
pub struct Groups {
    groups: Vec<Group>,
    by_bucket: HashMap<String, Vec<usize>>,
}

impl Groups {
    pub fn parse(text: &str) -> Result<Groups, String> {
        let mut groups = Groups::default();
        for (line_no, cells) in crate::mapping::data_rows(text, '\t', "group") {
            let [name, files, reason] = cells[..] else {
                return Err(format!("groups.tsv line {line_no}: expected 3 columns"));
            };
            let Some((bucket, _)) = name.split_once(':') else {
                return Err(format!(
                    "groups.tsv line {line_no}: {name:?} is not BUCKET:NAME"
                ));
            };
            let files: Vec<PathPattern> = files
                .split(';')
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(|f| PathPattern(f.to_owned()))
                .collect();
            if let Some(bad) = files.iter().find(|p| p.bucket() != bucket) {
                return Err(format!(
                    "groups.tsv line {line_no}: {} is not in bucket {bucket}",
                    bad.0
                ));
            }
            if groups.groups.iter().any(|g| g.name == name) {
                return Err(format!("groups.tsv line {line_no}: {name} listed twice"));
            }
            groups
                .by_bucket
                .entry(bucket.to_owned())
                .or_default()
                .push(groups.groups.len());
            groups.groups.push(Group {
                name: name.to_owned(),
                bucket: bucket.to_owned(),
                files,
                reason: reason.to_owned(),
            });
        }
        Ok(groups)
    }

    /// The unit of a source file: the first group of its bucket with a
    /// matching pattern, else the bucket.
    pub fn unit_of(&self, path: &str) -> String {
        let bucket = bucket_of(path);
        if let Some(indices) = self.by_bucket.get(&bucket) {
            for &i in indices {
                if self.groups[i].files.iter().any(|p| p.matches(path)) {
                    return self.groups[i].name.clone();
                }
            }
        }
        bucket
    }

    /// Distinct units of a list of files, sorted.
    pub fn units_of(&self, files: &[String]) -> Vec<String> {
        let mut units: Vec<String> = files
            .iter()
            .map(|f| self.unit_of(f))
            .filter(|u| !u.is_empty())
            .collect();
        units.sort();
        units.dedup();
        units
    }

    pub fn get(&self, name: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.name == name)
    }

    pub fn all(&self) -> &[Group] {
        &self.groups
    }
}

/// Which namespace a capability must be held over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The initial user namespace: root on the host, never granted by a user namespace.
    Init,
    /// A network namespace: a user namespace owning a new netns grants it.
    Net,
    /// A mount namespace: as `Net`, for mounts.
    Mnt,
}

/// The condition under which gated reach opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Gate {
    Capability {
        name: String,
        scope: Scope,
    },
    Sysctl {
        name: String,
        value: String,
        equal: bool,
    },
    AnyOf {
        gates: Vec<Gate>,
    },
}

impl Gate {
    pub fn parse(text: &str) -> Result<Gate, String> {
        let alternatives: Vec<&str> = text.split('|').map(str::trim).collect();
        if alternatives.len() > 1 {
            return Ok(Gate::AnyOf {
                gates: alternatives
                    .into_iter()
                    .map(Gate::parse)
                    .collect::<Result<_, _>>()?,
            });
        }
        if let Some(setting) = text.strip_prefix("sysctl:") {
            let (name, value, equal) = match setting.split_once("!=") {
                Some((n, v)) => (n, v, false),
                None => {
                    let (n, v) = setting
                        .split_once('=')
                        .ok_or_else(|| format!("gate {text:?}: sysctl:NAME=VALUE"))?;
                    (n, v, true)
                }
            };
            return Ok(Gate::Sysctl {
                name: name.to_owned(),
                value: value.to_owned(),
                equal,
            });
        }
        let (cap, scope) = text
            .split_once('@')
            .ok_or_else(|| format!("gate {text:?}: expected CAP_X@init|net|mnt"))?;
        if !cap.starts_with("CAP_") {
            return Err(format!("gate {text:?}: not a capability"));
        }
        let scope = match scope {
            "init" => Scope::Init,
            "net" => Scope::Net,
            "mnt" => Scope::Mnt,
            other => return Err(format!("gate {text:?}: unknown scope {other:?}")),
        };
        Ok(Gate::Capability {
            name: cap.to_owned(),
            scope,
        })
    }

    /// Whether the gate opens for `p`, and how.
    pub fn evaluate(&self, p: &Privileges) -> GateState {
        match self {
            Gate::Capability { name, scope } => {
                let held = p.capabilities.contains(name);
                match scope {
                    Scope::Init if held && p.initial_user_namespace => {
                        GateState::Held(format!("{name} held in the initial user namespace"))
                    }
                    Scope::Init => GateState::Closed(format!(
                        "needs {name} in the initial user namespace (host root)"
                    )),
                    Scope::Net | Scope::Mnt if held => GateState::Held(format!("{name} held")),
                    Scope::Net | Scope::Mnt => match &p.user_namespaces {
                        UserNamespaces::Allowed(why) => GateState::UserNamespace(format!(
                            "{name} in a new user namespace ({why})"
                        )),
                        UserNamespaces::Denied(why) => {
                            GateState::Closed(format!("needs {name}; {why}"))
                        }
                    },
                }
            }
            Gate::Sysctl { name, value, equal } => {
                let actual = p.sysctls.get(name);
                let open = match actual {
                    Some(a) => (a == value) == *equal,
                    None => false,
                };
                let op = if *equal { "=" } else { "!=" };
                if open {
                    GateState::Held(format!("{name} {op} {value} on this host"))
                } else {
                    GateState::Closed(format!(
                        "needs {name} {op} {value} (here: {})",
                        actual.map_or("unknown", String::as_str)
                    ))
                }
            }
            Gate::AnyOf { gates } => {
                let states: Vec<GateState> = gates.iter().map(|g| g.evaluate(p)).collect();
                if let Some(held) = states.iter().find(|s| matches!(s, GateState::Held(_))) {
                    return held.clone();
                }
                if let Some(ns) = states
                    .iter()
                    .find(|s| matches!(s, GateState::UserNamespace(_)))
                {
                    return ns.clone();
                }
                let reasons: Vec<String> = states
                    .into_iter()
                    .map(|s| match s {
                        GateState::Closed(r) => r,
                        _ => unreachable!(),
                    })
                    .collect();
                GateState::Closed(reasons.join(", or "))
            }
        }
    }

    /// `CAP_NET_ADMIN@net` and so on, as written in gated.tsv.
    pub fn label(&self) -> String {
        match self {
            Gate::Capability { name, scope } => {
                let scope = match scope {
                    Scope::Init => "init",
                    Scope::Net => "net",
                    Scope::Mnt => "mnt",
                };
                format!("{name}@{scope}")
            }
            Gate::Sysctl { name, value, equal } => {
                format!("sysctl:{name}{}{value}", if *equal { "=" } else { "!=" })
            }
            Gate::AnyOf { gates } => gates.iter().map(Gate::label).collect::<Vec<_>>().join("|"),
        }
    }
}

/// How a gate came out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "why", rename_all = "snake_case")]
pub enum GateState {
    /// The process holds the privilege (or the host setting is on).
    Held(String),
    /// The process can get it by creating a user namespace.
    UserNamespace(String),
    /// Not reachable.
    Closed(String),
}

impl GateState {
    pub fn is_open(&self) -> bool {
        !matches!(self, GateState::Closed(_))
    }
}

/// Whether the workload can create a user namespace (and so hold every
/// capability over the network and mount namespaces it creates with it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "why", rename_all = "snake_case")]
pub enum UserNamespaces {
    Allowed(String),
    Denied(String),
}

/// What the workload may do, from `aprof inspect`, the footprint's guard
/// state or the deployment model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Privileges {
    /// Effective capability names (`CAP_NET_RAW`).
    pub capabilities: BTreeSet<String>,
    /// The capabilities are held in the initial user namespace.
    pub initial_user_namespace: bool,
    /// The workload runs in the initial network namespace; when false, the
    /// families of [`SubsystemMap::netns_refused`](crate::SubsystemMap::netns_refused) are unreachable.
    pub initial_network_namespace: bool,
    pub user_namespaces: UserNamespaces,
    /// Host settings the gates read (`kernel.unprivileged_bpf_disabled`).
    pub sysctls: BTreeMap<String, String>,
    /// Where these privileges come from.
    pub source: String,
}

impl Privileges {
    /// An unprivileged process in the initial namespaces that cannot create
    /// user namespaces and has no host settings known: every gate closed.
    pub fn none(source: &str) -> Privileges {
        Privileges {
            capabilities: BTreeSet::new(),
            initial_user_namespace: true,
            initial_network_namespace: true,
            user_namespaces: UserNamespaces::Denied("not known to be allowed".into()),
            sysctls: BTreeMap::new(),
            source: source.to_owned(),
        }
    }

    /// The sysctls the gates of the embedded mapping read, from this host's
    /// /proc/sys (missing ones are left out).
    pub fn host_sysctls() -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for name in [
            "kernel.unprivileged_bpf_disabled",
            "vm.nr_hugepages",
            "user.max_user_namespaces",
            "kernel.unprivileged_userns_clone",
            "kernel.apparmor_restrict_unprivileged_userns",
        ] {
            let path = format!("/proc/sys/{}", name.replace('.', "/"));
            if let Ok(v) = std::fs::read_to_string(path) {
                out.insert(name.to_owned(), v.trim().to_owned());
            }
        }
        out
    }

    /// Whether this host lets an unprivileged process create user
    /// namespaces, from the sysctls: `user.max_user_namespaces` > 0, Debian's
    /// `kernel.unprivileged_userns_clone` not 0 and Ubuntu's
    /// `kernel.apparmor_restrict_unprivileged_userns` not 1.
    pub fn host_allows_user_namespaces(sysctls: &BTreeMap<String, String>) -> UserNamespaces {
        let get = |k: &str| sysctls.get(k).map(String::as_str);
        match get("user.max_user_namespaces") {
            Some("0") => return UserNamespaces::Denied("user.max_user_namespaces is 0".into()),
            None => {
                return UserNamespaces::Denied(
                    "user.max_user_namespaces is unknown (no user namespaces?)".into(),
                )
            }
            _ => {}
        }
        if get("kernel.unprivileged_userns_clone") == Some("0") {
            return UserNamespaces::Denied("kernel.unprivileged_userns_clone is 0".into());
        }
        if get("kernel.apparmor_restrict_unprivileged_userns") == Some("1") {
            return UserNamespaces::Denied(
                "AppArmor restricts unprivileged user namespaces".into(),
            );
        }
        UserNamespaces::Allowed("this host allows unprivileged user namespaces".into())
    }
}

/// What sets off a gated rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "key", rename_all = "snake_case")]
pub enum Trigger {
    Syscall(String),
    /// An argument value a recorder keeps (`setsockopt/2=64`), or a bit of
    /// one (`mmap/3&0x40000`).
    Argument(ArgumentTrigger),
    /// An objects.tsv socket key (`AF_NETLINK/NETLINK_ROUTE`, `AF_PACKET`).
    Socket(String),
    File(String),
    Any,
}

/// `SYSCALL/INDEX=VALUE` or `SYSCALL/INDEX&MASK`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArgumentTrigger {
    pub syscall: String,
    pub index: u8,
    pub value: u64,
    /// `value` is a bit mask: any recorded value with one of its bits set.
    pub mask: bool,
}

impl ArgumentTrigger {
    fn parse(text: &str) -> Option<ArgumentTrigger> {
        let (syscall, rest) = text.split_once('/')?;
        let (index, value, mask) = match rest.split_once('=') {
            Some((i, v)) => (i, v, false),
            None => {
                let (i, v) = rest.split_once('&')?;
                (i, v, true)
            }
        };
        let value = match value.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).ok()?,
            None => value.parse().ok()?,
        };
        Some(ArgumentTrigger {
            syscall: syscall.to_owned(),
            index: index.parse().ok()?,
            value,
            mask,
        })
    }

    /// True when `v` matches.
    pub fn matches(&self, v: u64) -> bool {
        if self.mask {
            v & self.value != 0
        } else {
            v == self.value
        }
    }
}

impl Trigger {
    pub fn label(&self) -> String {
        match self {
            Trigger::Syscall(s) => format!("syscall {s}"),
            Trigger::Argument(a) => format!(
                "argument {}/{}{}{:#x}",
                a.syscall,
                a.index,
                if a.mask { "&" } else { "=" },
                a.value
            ),
            Trigger::Socket(s) => format!("socket {s}"),
            Trigger::File(s) => format!("file {s}"),
            Trigger::Any => "any process".into(),
        }
    }
}

/// One row of gated.tsv.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GatedRule {
    pub trigger: Trigger,
    pub subsystems: Vec<String>,
    pub gate: Gate,
    pub reason: String,
}

pub(crate) fn parse_gated(text: &str) -> Result<Vec<GatedRule>, String> {
    let mut rules = Vec::new();
    for (line_no, cells) in crate::mapping::data_rows(text, '\t', "trigger") {
        let [trigger, subsystems, gate, reason] = cells[..] else {
            return Err(format!("gated.tsv line {line_no}: expected 4 columns"));
        };
        let trigger = match trigger.split_once(' ') {
            Some(("syscall", s)) => Trigger::Syscall(s.to_owned()),
            Some(("argument", a)) => Trigger::Argument(ArgumentTrigger::parse(a).ok_or_else(
                || format!("gated.tsv line {line_no}: bad argument trigger {a:?} (SYSCALL/INDEX=VALUE or SYSCALL/INDEX&MASK)"),
            )?),
            Some(("socket", s)) => Trigger::Socket(s.to_owned()),
            Some(("file", s)) => Trigger::File(s.to_owned()),
            None if trigger == "any" => Trigger::Any,
            _ => return Err(format!("gated.tsv line {line_no}: bad trigger {trigger:?}")),
        };
        let gate = Gate::parse(gate).map_err(|e| format!("gated.tsv line {line_no}: {e}"))?;
        rules.push(GatedRule {
            trigger,
            subsystems: crate::mapping::split_subsystems(subsystems),
            gate,
            reason: reason.to_owned(),
        });
    }
    Ok(rules)
}

/// The per-process baseline: files every process runs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Baseline {
    pub patterns: Vec<(PathPattern, String)>,
}

impl Baseline {
    pub(crate) fn parse(text: &str) -> Result<Baseline, String> {
        let mut patterns = Vec::new();
        for (line_no, cells) in crate::mapping::data_rows(text, '\t', "pattern") {
            let [pattern, reason] = cells[..] else {
                return Err(format!("baseline.tsv line {line_no}: expected 2 columns"));
            };
            patterns.push((PathPattern(pattern.to_owned()), reason.to_owned()));
        }
        Ok(Baseline { patterns })
    }

    /// True when a fix touched a file every process runs.
    pub fn touches(&self, files: &[String]) -> bool {
        files
            .iter()
            .any(|f| self.patterns.iter().any(|(p, _)| p.matches(f)))
    }
}

pub(crate) fn parse_netns(text: &str) -> Result<BTreeSet<String>, String> {
    let mut families = BTreeSet::new();
    for (line_no, cells) in crate::mapping::data_rows(text, '\t', "family") {
        let [family, _source] = cells[..] else {
            return Err(format!("netns.tsv line {line_no}: expected 2 columns"));
        };
        families.insert(crate::mapping::normalize_socket_name(family));
    }
    Ok(families)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_files_and_trees() {
        let p = |s: &str| PathPattern(s.to_owned());
        assert!(p("net/sched/cls_*.c").matches("net/sched/cls_u32.c"));
        assert!(!p("net/sched/cls_*.c").matches("net/sched/act_api.c"));
        assert!(!p("net/sched/cls_*.c").matches("net/sched/x/cls_u32.c"));
        assert!(p("net/sched/").matches("net/sched/sch_api.c"));
        assert!(p("arch/x86/kernel/cpu/").matches("arch/x86/kernel/cpu/microcode/amd.c"));
        assert!(!p("net/sched/").matches("net/schedx/a.c"));
        assert!(p("mm/hugetlb*.c").matches("mm/hugetlb_vmemmap.c"));
        assert!(p("kernel/sched/ext*").matches("kernel/sched/ext_idle.c"));
        assert!(p("a/*x*y.c").matches("a/1x2y.c"));
        assert!(!p("a/*x*y.c").matches("a/1y2x.c"));
    }

    #[test]
    fn gates_parse_and_open() {
        let g = Gate::parse(
            "CAP_BPF@init|CAP_SYS_ADMIN@init|sysctl:kernel.unprivileged_bpf_disabled=0",
        )
        .unwrap();
        assert_eq!(
            g.label(),
            "CAP_BPF@init|CAP_SYS_ADMIN@init|sysctl:kernel.unprivileged_bpf_disabled=0"
        );
        let mut p = Privileges::none("test");
        assert!(!g.evaluate(&p).is_open());
        p.sysctls
            .insert("kernel.unprivileged_bpf_disabled".into(), "0".into());
        assert!(matches!(g.evaluate(&p), GateState::Held(_)));
        let net = Gate::parse("CAP_NET_ADMIN@net").unwrap();
        assert!(!net.evaluate(&p).is_open());
        p.user_namespaces = UserNamespaces::Allowed("test".into());
        assert!(matches!(net.evaluate(&p), GateState::UserNamespace(_)));
        // A user namespace never grants the initial namespace's capabilities.
        assert!(!Gate::parse("CAP_SYS_MODULE@init")
            .unwrap()
            .evaluate(&p)
            .is_open());
        p.capabilities.insert("CAP_SYS_MODULE".into());
        p.initial_user_namespace = false;
        assert!(!Gate::parse("CAP_SYS_MODULE@init")
            .unwrap()
            .evaluate(&p)
            .is_open());
        assert!(Gate::parse("CAP_X@nowhere").is_err());
        assert!(Gate::parse("NET_ADMIN@net").is_err());
        let ne = Gate::parse("sysctl:vm.nr_hugepages!=0").unwrap();
        p.sysctls.insert("vm.nr_hugepages".into(), "0".into());
        assert!(!ne.evaluate(&p).is_open());
        p.sysctls.insert("vm.nr_hugepages".into(), "64".into());
        assert!(ne.evaluate(&p).is_open());
    }

    #[test]
    fn user_namespace_sysctls() {
        let s = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let allowed = |m| {
            matches!(
                Privileges::host_allows_user_namespaces(&m),
                UserNamespaces::Allowed(_)
            )
        };
        assert!(allowed(s(&[("user.max_user_namespaces", "15000")])));
        assert!(!allowed(s(&[("user.max_user_namespaces", "0")])));
        assert!(!allowed(s(&[
            ("user.max_user_namespaces", "15000"),
            ("kernel.unprivileged_userns_clone", "0")
        ])));
        assert!(!allowed(s(&[
            ("user.max_user_namespaces", "15000"),
            ("kernel.apparmor_restrict_unprivileged_userns", "1")
        ])));
        assert!(!allowed(s(&[])));
    }
}
