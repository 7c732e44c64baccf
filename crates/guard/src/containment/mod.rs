//! The rest of a process's containment besides its seccomp filter:
//! capabilities, NoNewPrivs, namespaces (and which differ from the host's),
//! the user-namespace mapping, the LSM label, the cgroup, and the runtimes
//! around it. Works from inside (`inspect(None)`) and from outside
//! (`inspect(Some(pid))`), reading /proc and /sys only.

pub mod caps;
pub mod cgroup;
pub mod lsm;
pub mod namespaces;
pub mod parse;
pub mod runtime;

pub use caps::{Capabilities, CapabilitySet};
pub use cgroup::{Cgroup, CgroupLimit};
pub use lsm::Lsm;
pub use namespaces::{Namespace, UserNamespaceMapping};
pub use runtime::{Runtime, RuntimeKind, RuntimeLayer};

use serde::Serialize;
use std::fmt::Write as _;
use std::io::{Error, ErrorKind};
use std::path::{Path, PathBuf};

/// Version of the JSON form of [`Containment`].
pub const CONTAINMENT_SCHEMA_VERSION: u32 = 1;

/// Everything that contains a process besides seccomp.
#[derive(Debug, Clone, Serialize)]
pub struct Containment {
    pub schema_version: u32,
    /// The pid as the inspector sees it.
    pub pid: i32,
    /// The process inspected itself.
    pub is_self: bool,
    /// `Name` from `/proc/PID/status`.
    pub process_name: Option<String>,
    /// Real, effective, saved and filesystem uid.
    pub uids: Option<[u32; 4]>,
    pub gids: Option<[u32; 4]>,
    /// The running kernel's release (`uname -r`).
    pub kernel_release: Option<String>,
    pub capabilities: Capabilities,
    /// `None` when the kernel does not report it (gVisor).
    pub no_new_privs: Option<bool>,
    pub seccomp: Seccomp,
    pub namespaces: Vec<Namespace>,
    pub user_namespace_mapping: UserNamespaceMapping,
    pub lsm: Lsm,
    pub cgroup: Cgroup,
    pub runtime: Runtime,
}

/// The seccomp state from `/proc/PID/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Seccomp {
    /// 0 disabled, 1 strict, 2 filter.
    pub mode: Option<u32>,
    /// `disabled`, `strict`, `filter` or `unknown`.
    pub mode_name: String,
    /// How many filters are stacked (Linux 5.9+).
    pub filters: Option<u32>,
}

impl Seccomp {
    fn new(mode: Option<u32>, filters: Option<u32>) -> Self {
        let mode_name = match mode {
            Some(0) => "disabled",
            Some(1) => "strict",
            Some(2) => "filter",
            _ => "unknown",
        };
        Seccomp {
            mode,
            mode_name: mode_name.into(),
            filters,
        }
    }
}

/// Inspect process `pid`, or this process when `None`.
pub fn inspect(pid: Option<i32>) -> std::io::Result<Containment> {
    let (dir, shown_pid, is_self) = match pid {
        None => (PathBuf::from("/proc/self"), std::process::id() as i32, true),
        Some(p) if p <= 0 => {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("invalid pid {p}: must be a positive number"),
            ))
        }
        Some(p) => (
            PathBuf::from(format!("/proc/{p}")),
            p,
            p as u32 == std::process::id(),
        ),
    };
    let status_text = std::fs::read_to_string(dir.join("status")).map_err(|e| {
        let what = if e.kind() == ErrorKind::NotFound {
            format!("no process with pid {shown_pid}")
        } else {
            format!("cannot read {}: {e}", dir.join("status").display())
        };
        Error::new(e.kind(), what)
    })?;
    let status = parse::parse_status(&status_text);

    let kernel_release = aprof_footprint::kernel::running_release().ok();
    let gvisor = Path::new("/proc/sentry-meminfo").exists();
    let host = namespaces::HostReference {
        fixed_mnt_net: kernel_release
            .as_deref()
            .and_then(|r| aprof_footprint::KernelVersion::parse_uname(r).ok())
            .is_some_and(|v| v.major_minor() >= (6, 18)),
        gvisor,
        host_init: host_init_namespaces(),
    };
    let namespaces = namespaces::read_namespaces(&dir, &host);
    let kinds_where = |differs: bool| -> Vec<String> {
        namespaces
            .iter()
            .filter(|n| n.differs_from_host == Some(differs))
            .map(|n| n.kind.clone())
            .collect()
    };
    let in_initial_user_namespace = namespaces
        .iter()
        .find(|n| n.kind == "user")
        .and_then(|n| n.differs_from_host)
        .map(|differs| !differs);
    let observations = runtime::observe(&dir, kinds_where(true), kinds_where(false));
    let runtime = runtime::detect(&observations);

    Ok(Containment {
        schema_version: CONTAINMENT_SCHEMA_VERSION,
        pid: shown_pid,
        is_self,
        process_name: status.name.clone(),
        uids: status.uids,
        gids: status.gids,
        kernel_release,
        capabilities: Capabilities::from_masks(
            status.cap_effective,
            status.cap_permitted,
            status.cap_inheritable,
            status.cap_bounding,
            status.cap_ambient,
            in_initial_user_namespace,
        ),
        no_new_privs: status.no_new_privs,
        seccomp: Seccomp::new(status.seccomp, status.seccomp_filters),
        namespaces,
        user_namespace_mapping: namespaces::read_user_mapping(&dir),
        lsm: lsm::read_lsm(&dir),
        cgroup: cgroup::read_cgroup(&dir),
        runtime,
    })
}

/// The namespaces of the host's init, when `/proc/1` is that init: our
/// pid namespace is the initial one (fixed inode), and `/proc/self` exists,
/// so this /proc belongs to it.
fn host_init_namespaces() -> std::collections::BTreeMap<String, u64> {
    let own_pid_ns = std::fs::read_link("/proc/self/ns/pid")
        .ok()
        .and_then(|t| parse::parse_ns_link(&t.to_string_lossy()).map(|(_, i)| i));
    if own_pid_ns.is_some() && own_pid_ns == namespaces::initial_namespace_inode("pid", false) {
        namespaces::read_inodes(Path::new("/proc/1"))
    } else {
        Default::default()
    }
}

impl Containment {
    /// A human-readable table.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let mut row = |key: &str, value: &str| {
            let _ = writeln!(out, "{key:<24} {value}");
        };
        row(
            "process",
            &format!(
                "{} ({}){}",
                self.pid,
                self.process_name.as_deref().unwrap_or("?"),
                if self.is_self { ", this process" } else { "" }
            ),
        );
        if let Some(uids) = self.uids {
            row(
                "uid (real eff saved fs)",
                &format!("{} {} {} {}", uids[0], uids[1], uids[2], uids[3]),
            );
        }
        row(
            "kernel",
            self.kernel_release.as_deref().unwrap_or("unknown"),
        );

        out.push_str("\nRuntime (outermost first)\n");
        if self.runtime.layers.is_empty() {
            out.push_str("  none detected\n");
        }
        for layer in &self.runtime.layers {
            let _ = writeln!(out, "  {}", layer.name);
            for evidence in &layer.evidence {
                let _ = writeln!(out, "      - {evidence}");
            }
        }
        let contained = match self.runtime.containerized {
            Some(true) => "yes",
            Some(false) => "no",
            None => "cannot tell",
        };
        let _ = writeln!(out, "  in a container or sandbox: {contained}");
        for hint in &self.runtime.hints {
            let _ = writeln!(out, "  note: {hint}");
        }

        out.push_str("\nSeccomp and privileges\n");
        let opt_bool = |b: Option<bool>| match b {
            Some(true) => "yes",
            Some(false) => "no",
            None => "unknown",
        };
        let _ = writeln!(
            out,
            "  {:<22} {}",
            "NoNewPrivs",
            opt_bool(self.no_new_privs)
        );
        let filters = self
            .seccomp
            .filters
            .map(|n| format!(", {n} filter(s)"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<22} {}{filters}",
            "seccomp", self.seccomp.mode_name
        );

        out.push_str("\nCapabilities\n");
        let caps = &self.capabilities;
        for (name, set) in [
            ("effective", &caps.effective),
            ("permitted", &caps.permitted),
            ("inheritable", &caps.inheritable),
            ("bounding", &caps.bounding),
            ("ambient", &caps.ambient),
        ] {
            let value = match set {
                None => "not reported".to_string(),
                Some(set) if set.is_empty() => format!("{} (none)", set.hex),
                Some(set) if set.names.len() > 8 => {
                    format!("{} ({} capabilities)", set.hex, set.names.len())
                }
                Some(set) => format!("{} {}", set.hex, set.names.join(" ")),
            };
            let _ = writeln!(out, "  {name:<22} {value}");
        }
        if !caps.privileged_equivalent.is_empty() {
            let scope = match caps.in_initial_user_namespace {
                Some(true) => "over the whole machine",
                Some(false) => "only over what its user namespace owns",
                None => "scope unknown",
            };
            let _ = writeln!(out, "  privileged-equivalent ({scope}):");
            for cap in &caps.privileged_equivalent {
                let _ = writeln!(out, "      {:<20} {}", cap.name, cap.why);
            }
        }

        out.push_str("\nNamespaces\n");
        let _ = writeln!(
            out,
            "  {:<18} {:>12}  {:<10} basis",
            "kind", "inode", "vs host"
        );
        for ns in &self.namespaces {
            let inode = ns
                .inode
                .map(|i| i.to_string())
                .unwrap_or_else(|| "-".into());
            let verdict = match ns.differs_from_host {
                Some(true) => "isolated",
                Some(false) => "host",
                None => "unknown",
            };
            let basis = ns.error.as_deref().unwrap_or(&ns.basis);
            let _ = writeln!(
                out,
                "  {:<18} {:>12}  {:<10} {}",
                ns.kind, inode, verdict, basis
            );
        }

        let mapping = &self.user_namespace_mapping;
        out.push_str("\nUser-namespace mapping\n");
        let map_text = |ranges: &[parse::IdMapRange]| {
            if ranges.is_empty() {
                return "unreadable".to_string();
            }
            ranges
                .iter()
                .map(|r| format!("{} {} {}", r.inside, r.outside, r.count))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(out, "  {:<22} {}", "uid_map", map_text(&mapping.uid_map));
        let _ = writeln!(out, "  {:<22} {}", "gid_map", map_text(&mapping.gid_map));
        let _ = writeln!(
            out,
            "  {:<22} {}",
            "setgroups",
            mapping.setgroups.as_deref().unwrap_or("unknown")
        );
        let _ = writeln!(
            out,
            "  {:<22} {}",
            "identity (host) map",
            if mapping.identity { "yes" } else { "no" }
        );

        out.push_str("\nLSM\n");
        let _ = writeln!(out, "  {:<22} {}", "label", self.lsm.label);
        let active = self
            .lsm
            .active_lsms
            .as_ref()
            .map(|l| l.join(","))
            .unwrap_or_else(|| "unknown (securityfs not readable)".into());
        let _ = writeln!(out, "  {:<22} {}", "active LSMs", active);

        out.push_str("\nCgroup\n");
        let _ = writeln!(out, "  {:<22} {}", "version", self.cgroup.version);
        for entry in &self.cgroup.entries {
            let controllers = if entry.controllers.is_empty() {
                "(v2)".to_string()
            } else {
                entry.controllers.join(",")
            };
            let _ = writeln!(out, "  {:<22} {}", controllers, entry.path);
        }
        let limit_text = |limit: &Option<CgroupLimit>| match limit {
            None => "unknown".to_string(),
            Some(CgroupLimit { limit: None, .. }) => "none".to_string(),
            Some(CgroupLimit {
                limit: Some(n),
                source,
            }) => format!("{n} ({source})"),
        };
        let _ = writeln!(
            out,
            "  {:<22} {}",
            "memory limit (bytes)",
            limit_text(&self.cgroup.memory_limit)
        );
        let _ = writeln!(
            out,
            "  {:<22} {}",
            "pids limit",
            limit_text(&self.cgroup.pids_limit)
        );
        out
    }
}
