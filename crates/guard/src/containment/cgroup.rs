//! The cgroups of a process and the memory and pids limits that apply to
//! it, on cgroup v1, v2 and the hybrid of both.

use super::parse::{parse_cgroup, parse_limit, parse_mountinfo, CgroupLine, MountEntry};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// v1 memory limits at or above this are the kernel's "no limit"
/// (PAGE_COUNTER_MAX pages, about 2^63 bytes).
const V1_UNLIMITED_FLOOR: u64 = 1 << 62;

/// The cgroup membership of a process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cgroup {
    /// `v1`, `v2`, `hybrid` (v1 controllers plus the v2 hierarchy), or
    /// `unknown` when `/proc/PID/cgroup` is empty or unreadable.
    pub version: String,
    /// `/proc/PID/cgroup`, parsed. Paths are relative to the inspector's
    /// cgroup namespace.
    pub entries: Vec<CgroupLine>,
    pub memory_limit: Option<CgroupLimit>,
    pub pids_limit: Option<CgroupLimit>,
    /// Why a limit could not be found.
    pub notes: Vec<String>,
}

/// The tightest limit on the path from the process's cgroup to the root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CgroupLimit {
    /// Bytes or tasks; `None` means no limit anywhere on the path.
    pub limit: Option<u64>,
    /// The file that sets the tightest limit, or the process's own file
    /// when nothing limits it.
    pub source: String,
}

/// `version` from the parsed lines.
pub fn cgroup_version(entries: &[CgroupLine]) -> &'static str {
    let v2 = entries.iter().any(|e| e.hierarchy_id == 0);
    let v1 = entries.iter().any(|e| e.hierarchy_id != 0);
    match (v1, v2) {
        (true, true) => "hybrid",
        (true, false) => "v1",
        (false, true) => "v2",
        (false, false) => "unknown",
    }
}

/// Read the cgroups of the process whose /proc directory is `dir`. Limit
/// files are found through the inspector's own mounts.
pub fn read_cgroup(dir: &Path) -> Cgroup {
    let mut notes = Vec::new();
    let entries = match std::fs::read_to_string(dir.join("cgroup")) {
        Ok(text) => parse_cgroup(&text),
        Err(e) => {
            notes.push(format!("{}: {e}", dir.join("cgroup").display()));
            Vec::new()
        }
    };
    let mounts = std::fs::read_to_string("/proc/self/mountinfo")
        .map(|t| parse_mountinfo(&t))
        .unwrap_or_default();
    let memory_limit = find_limit(
        &entries,
        &mounts,
        "memory",
        &[("memory.limit_in_bytes", true), ("memory.max", false)],
        &mut notes,
    );
    let pids_limit = find_limit(
        &entries,
        &mounts,
        "pids",
        &[("pids.max", true), ("pids.max", false)],
        &mut notes,
    );
    Cgroup {
        version: cgroup_version(&entries).to_string(),
        entries,
        memory_limit,
        pids_limit,
        notes,
    }
}

/// Find the limit of `controller`: v1 first (in hybrid mode the controller
/// lives there), then v2. `files` pairs a file name with "is v1".
fn find_limit(
    entries: &[CgroupLine],
    mounts: &[MountEntry],
    controller: &str,
    files: &[(&str, bool)],
    notes: &mut Vec<String>,
) -> Option<CgroupLimit> {
    for &(file, v1) in files {
        let entry = entries.iter().find(|e| {
            if v1 {
                e.hierarchy_id != 0 && e.controllers.iter().any(|c| c == controller)
            } else {
                e.hierarchy_id == 0
            }
        });
        let Some(entry) = entry else { continue };
        let mount = mounts.iter().find(|m| {
            if v1 {
                m.fs_type == "cgroup" && m.super_options.iter().any(|o| o == controller)
            } else {
                m.fs_type == "cgroup2"
            }
        });
        let Some(mount) = mount else {
            notes.push(format!(
                "{controller}: its cgroup hierarchy is not mounted here"
            ));
            continue;
        };
        let Some(relative) = relative_to_mount(&entry.path, &mount.root) else {
            notes.push(format!(
                "{controller}: cgroup {} lies outside the mount of {} (root {}), \
                 as seen from another cgroup namespace",
                entry.path, mount.mount_point, mount.root
            ));
            continue;
        };
        let top = Path::new(&mount.mount_point);
        let leaf = top.join(relative);
        if let Some(limit) = tightest_limit(&leaf, top, file, v1) {
            return Some(limit);
        }
        // No limit file on the whole path. In v1 only the root cgroup lacks
        // one; in v2 the controller is then not enabled below the root. In
        // both cases nothing limits the process through this hierarchy.
        let controller_here = v1
            || std::fs::read_to_string(top.join("cgroup.controllers"))
                .is_ok_and(|t| t.split_whitespace().any(|c| c == controller));
        if leaf.is_dir() && controller_here {
            return Some(CgroupLimit {
                limit: None,
                source: format!("{} (no {file} on the path to the root)", leaf.display()),
            });
        }
        if v1 {
            notes.push(format!(
                "{controller}: {} is not readable",
                leaf.join(file).display()
            ));
        }
    }
    None
}

/// The cgroup path relative to a mount whose root is `root`.
fn relative_to_mount(path: &str, root: &str) -> Option<PathBuf> {
    if root == "/" {
        return Some(PathBuf::from(path.trim_start_matches('/')));
    }
    let rest = path.strip_prefix(root)?;
    if !rest.is_empty() && !rest.starts_with('/') {
        return None;
    }
    Some(PathBuf::from(rest.trim_start_matches('/')))
}

/// Walk from `leaf` up to `top` and keep the smallest limit in `file`.
fn tightest_limit(leaf: &Path, top: &Path, file: &str, v1: bool) -> Option<CgroupLimit> {
    let mut best: Option<CgroupLimit> = None;
    let mut dir = leaf.to_path_buf();
    let mut seen_any = false;
    loop {
        let path = dir.join(file);
        if let Ok(text) = std::fs::read_to_string(&path) {
            if let Some(limit) = parse_limit(&text) {
                seen_any = true;
                let limit = limit.filter(|&n| !(v1 && n >= V1_UNLIMITED_FLOOR));
                let tighter = match (&best, limit) {
                    (None, _) => true,
                    (Some(CgroupLimit { limit: None, .. }), Some(_)) => true,
                    (
                        Some(CgroupLimit {
                            limit: Some(old), ..
                        }),
                        Some(new),
                    ) => new < *old,
                    _ => false,
                };
                if tighter {
                    best = Some(CgroupLimit {
                        limit,
                        source: path.display().to_string(),
                    });
                }
            }
        }
        if dir == top || !dir.pop() || !dir.starts_with(top) {
            break;
        }
    }
    best.filter(|_| seen_any)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        let hybrid = parse_cgroup("4:memory:/a\n0::/\n");
        assert_eq!(cgroup_version(&hybrid), "hybrid");
        assert_eq!(cgroup_version(&parse_cgroup("0::/x\n")), "v2");
        assert_eq!(cgroup_version(&parse_cgroup("4:memory:/a\n")), "v1");
        assert_eq!(cgroup_version(&[]), "unknown");
    }

    #[test]
    fn paths_relative_to_mounts() {
        assert_eq!(relative_to_mount("/a/b", "/"), Some(PathBuf::from("a/b")));
        assert_eq!(relative_to_mount("/a/b", "/a"), Some(PathBuf::from("b")));
        assert_eq!(relative_to_mount("/a", "/a"), Some(PathBuf::from("")));
        assert_eq!(relative_to_mount("/ab", "/a"), None);
        assert_eq!(relative_to_mount("/", "/../.."), None);
    }

    #[test]
    fn tightest_limit_walks_up() {
        let top = tempfile::tempdir().unwrap();
        let mid = top.path().join("mid");
        let leaf = mid.join("leaf");
        std::fs::create_dir_all(&leaf).unwrap();
        std::fs::write(top.path().join("memory.max"), "max\n").unwrap();
        std::fs::write(mid.join("memory.max"), "1048576\n").unwrap();
        std::fs::write(leaf.join("memory.max"), "4194304\n").unwrap();
        let limit = tightest_limit(&leaf, top.path(), "memory.max", false).unwrap();
        assert_eq!(limit.limit, Some(1048576));
        assert!(limit.source.ends_with("mid/memory.max"));

        std::fs::write(mid.join("memory.max"), "max\n").unwrap();
        std::fs::write(leaf.join("memory.max"), "max\n").unwrap();
        let limit = tightest_limit(&leaf, top.path(), "memory.max", false).unwrap();
        assert_eq!(limit.limit, None);
    }

    #[test]
    fn v1_huge_value_means_unlimited() {
        let top = tempfile::tempdir().unwrap();
        std::fs::write(
            top.path().join("memory.limit_in_bytes"),
            "9223372036854771712\n",
        )
        .unwrap();
        let limit = tightest_limit(top.path(), top.path(), "memory.limit_in_bytes", true).unwrap();
        assert_eq!(limit.limit, None);
    }
}
