//! Namespaces of a process and whether each differs from the host's.
//!
//! "Host" means the initial namespaces of the kernel the process runs on.
//! The kernel gives most initial namespaces fixed inode numbers (since 3.8;
//! net and mnt since 6.18), so a process can tell from its own inode alone,
//! even inside a container whose PID 1 is the container's init. Where that
//! does not work, `/proc/1` is used only when it is the host's init.

use super::parse::{parse_id_map, parse_ns_link, IdMapRange};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The entries of `/proc/PID/ns`, in the order they are reported.
pub const NAMESPACE_KINDS: [&str; 10] = [
    "cgroup",
    "ipc",
    "mnt",
    "net",
    "pid",
    "pid_for_children",
    "time",
    "time_for_children",
    "user",
    "uts",
];

/// The fixed inode of the initial namespace of `kind` (uapi `linux/nsfs.h`).
/// `with_fixed_mnt_net` says whether the kernel is 6.18 or newer.
pub fn initial_namespace_inode(kind: &str, with_fixed_mnt_net: bool) -> Option<u64> {
    match kind {
        "ipc" => Some(0xEFFF_FFFF),
        "uts" => Some(0xEFFF_FFFE),
        "user" => Some(0xEFFF_FFFD),
        "pid" | "pid_for_children" => Some(0xEFFF_FFFC),
        "cgroup" => Some(0xEFFF_FFFB),
        "time" | "time_for_children" => Some(0xEFFF_FFFA),
        "net" if with_fixed_mnt_net => Some(0xEFFF_FFF9),
        "mnt" if with_fixed_mnt_net => Some(0xEFFF_FFF8),
        _ => None,
    }
}

/// The inode the initial namespace of `kind` has on any kernel, if it is
/// fixed there; used to recognise the initial net/mnt on old kernels.
fn initial_namespace_inode_any_kernel(kind: &str) -> Option<u64> {
    initial_namespace_inode(kind, true)
}

/// One namespace of a process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Namespace {
    /// The entry name in `/proc/PID/ns`.
    pub kind: String,
    /// Its inode number; `None` when it could not be read.
    pub inode: Option<u64>,
    /// The inode of the host's namespace of this kind, when known.
    pub host_inode: Option<u64>,
    /// `Some(true)`: isolated from the host; `None`: cannot be told.
    pub differs_from_host: Option<bool>,
    /// How `differs_from_host` was decided.
    pub basis: String,
    /// Why the namespace could not be read.
    pub error: Option<String>,
}

/// What the namespace comparison may rely on.
#[derive(Debug, Clone, Default)]
pub struct HostReference {
    /// The kernel is 6.18 or newer: initial net and mnt have fixed inodes.
    pub fixed_mnt_net: bool,
    /// The process runs on gVisor: its namespaces are the sentry's.
    pub gvisor: bool,
    /// The namespaces of the host's init, when `/proc/1` is that init and
    /// is readable.
    pub host_init: BTreeMap<String, u64>,
}

/// Decide whether one namespace differs from the host's.
pub fn classify(kind: &str, link: Result<String, String>, host: &HostReference) -> Namespace {
    let mut ns = Namespace {
        kind: kind.to_string(),
        inode: None,
        host_inode: None,
        differs_from_host: None,
        basis: String::new(),
        error: None,
    };
    match link {
        Ok(text) => match parse_ns_link(&text) {
            Some((_, inode)) => ns.inode = Some(inode),
            None => ns.error = Some(format!("unexpected link text {text:?}")),
        },
        Err(e) => ns.error = Some(e),
    }
    let Some(inode) = ns.inode else {
        ns.basis = "unknown: the namespace could not be read".into();
        return ns;
    };
    if host.gvisor {
        ns.basis = "unknown: under gVisor these are the sentry's namespaces; \
                    the host kernel's are not visible"
            .into();
        return ns;
    }
    if let Some(initial) = initial_namespace_inode(kind, host.fixed_mnt_net) {
        ns.host_inode = Some(initial);
        ns.differs_from_host = Some(inode != initial);
        ns.basis = "compared with the fixed inode of the kernel's initial namespace".into();
        return ns;
    }
    if initial_namespace_inode_any_kernel(kind) == Some(inode) {
        ns.host_inode = Some(inode);
        ns.differs_from_host = Some(false);
        ns.basis = "compared with the fixed inode of the kernel's initial namespace".into();
        return ns;
    }
    if let Some(&host_inode) = host.host_init.get(kind) {
        ns.host_inode = Some(host_inode);
        ns.differs_from_host = Some(inode != host_inode);
        ns.basis = "compared with /proc/1, the host's init".into();
        return ns;
    }
    ns.basis = "unknown: this kernel gives the initial namespace no fixed inode, \
                and /proc/1 is not the host's init or is not readable"
        .into();
    ns
}

/// Read every namespace link of the process whose /proc directory is `dir`.
pub fn read_namespaces(dir: &Path, host: &HostReference) -> Vec<Namespace> {
    NAMESPACE_KINDS
        .iter()
        .map(|kind| {
            let link = std::fs::read_link(dir.join("ns").join(kind))
                .map(|target| target.to_string_lossy().into_owned())
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => {
                        format!("this kernel has no /proc/PID/ns/{kind}")
                    }
                    _ => format!("/proc/PID/ns/{kind}: {e}"),
                });
            classify(kind, link, host)
        })
        .collect()
}

/// The namespace inodes of `/proc/1`, if it is readable.
pub fn read_inodes(dir: &Path) -> BTreeMap<String, u64> {
    NAMESPACE_KINDS
        .iter()
        .filter_map(|kind| {
            let target = std::fs::read_link(dir.join("ns").join(kind)).ok()?;
            let (_, inode) = parse_ns_link(&target.to_string_lossy())?;
            Some((kind.to_string(), inode))
        })
        .collect()
}

/// How a user namespace maps its ids onto its parent's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserNamespaceMapping {
    pub uid_map: Vec<IdMapRange>,
    pub gid_map: Vec<IdMapRange>,
    /// `allow` or `deny`: whether setgroups(2) is permitted.
    pub setgroups: Option<String>,
    /// Both maps are `0 0 4294967295`, as in the initial user namespace.
    pub identity: bool,
    /// Why the maps could not be read.
    pub error: Option<String>,
}

/// Read `uid_map`, `gid_map` and `setgroups` from a process's /proc dir.
pub fn read_user_mapping(dir: &Path) -> UserNamespaceMapping {
    let mut errors = Vec::new();
    let mut read = |name: &str| match std::fs::read_to_string(dir.join(name)) {
        Ok(text) => Some(text),
        Err(e) => {
            errors.push(format!("{name}: {e}"));
            None
        }
    };
    let uid_map = read("uid_map")
        .map(|t| parse_id_map(&t))
        .unwrap_or_default();
    let gid_map = read("gid_map")
        .map(|t| parse_id_map(&t))
        .unwrap_or_default();
    let setgroups = read("setgroups").map(|t| t.trim().to_string());
    let identity =
        super::parse::is_identity_map(&uid_map) && super::parse::is_identity_map(&gid_map);
    UserNamespaceMapping {
        uid_map,
        gid_map,
        setgroups,
        identity,
        error: (!errors.is_empty()).then(|| errors.join("; ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(fixed: bool) -> HostReference {
        HostReference {
            fixed_mnt_net: fixed,
            ..Default::default()
        }
    }

    #[test]
    fn initial_namespaces_are_recognised() {
        let ns = classify("pid", Ok("pid:[4026531836]".into()), &host(false));
        assert_eq!(ns.differs_from_host, Some(false));
        let ns = classify("user", Ok("user:[4026532177]".into()), &host(false));
        assert_eq!(ns.differs_from_host, Some(true));
        assert_eq!(ns.host_inode, Some(4026531837));
    }

    #[test]
    fn mnt_and_net_need_a_new_kernel_or_proc1() {
        let new_mnt = Ok("mnt:[4026532178]".to_string());
        assert_eq!(
            classify("mnt", new_mnt.clone(), &host(true)).differs_from_host,
            Some(true)
        );
        assert_eq!(
            classify("mnt", new_mnt.clone(), &host(false)).differs_from_host,
            None
        );
        let mut with_init = host(false);
        with_init.host_init.insert("mnt".into(), 4026531840);
        let ns = classify("mnt", new_mnt, &with_init);
        assert_eq!(ns.differs_from_host, Some(true));
        assert!(ns.basis.contains("/proc/1"));
        // The fixed number still proves "initial" on an old kernel.
        let ns = classify("net", Ok("net:[4026531833]".into()), &host(false));
        assert_eq!(ns.differs_from_host, Some(false));
    }

    #[test]
    fn gvisor_and_errors_are_unknown() {
        let gvisor = HostReference {
            gvisor: true,
            ..Default::default()
        };
        assert_eq!(
            classify("pid", Ok("pid:[111]".into()), &gvisor).differs_from_host,
            None
        );
        let ns = classify("ipc", Err("No such file or directory".into()), &host(true));
        assert_eq!(ns.inode, None);
        assert_eq!(ns.differs_from_host, None);
        assert!(ns.error.is_some());
    }
}
