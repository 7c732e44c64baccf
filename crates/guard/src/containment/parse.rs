//! Pure parsers for the /proc and /sys texts that describe a process's
//! containment (status and mountinfo come from [`aprof_footprint::procfs`]). They take text, never touch the file system, and never
//! panic on malformed input: a line they cannot read is skipped.

use serde::Serialize;

// `/proc/PID/status` and mountinfo have one parser for every stage.
pub use aprof_footprint::procfs::{
    parse_hex_mask, parse_mountinfo, parse_status, MountEntry, ProcStatus,
};

/// One line of `/proc/PID/uid_map` or `gid_map`: ids `inside..inside+count`
/// in the namespace are `outside..outside+count` in the parent namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IdMapRange {
    pub inside: u32,
    pub outside: u32,
    pub count: u32,
}

/// Parse a uid/gid map. Malformed lines are skipped.
pub fn parse_id_map(text: &str) -> Vec<IdMapRange> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let inside = words.next()?.parse().ok()?;
            let outside = words.next()?.parse().ok()?;
            let count = words.next()?.parse().ok()?;
            if words.next().is_some() {
                return None;
            }
            Some(IdMapRange {
                inside,
                outside,
                count,
            })
        })
        .collect()
}

/// The map of the initial user namespace: every id maps to itself.
pub fn is_identity_map(ranges: &[IdMapRange]) -> bool {
    matches!(
        ranges,
        [IdMapRange {
            inside: 0,
            outside: 0,
            count: u32::MAX
        }]
    )
}

/// The target of a `/proc/PID/ns/X` link, `"net:[4026531833]"`: the
/// namespace type and inode number.
pub fn parse_ns_link(link: &str) -> Option<(&str, u64)> {
    let (kind, rest) = link.split_once(":[")?;
    let inode = rest.strip_suffix(']')?.parse().ok()?;
    Some((kind, inode))
}

/// One line of `/proc/PID/cgroup`: `hierarchy-id:controllers:path`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CgroupLine {
    pub hierarchy_id: u32,
    /// Empty for the cgroup v2 hierarchy (`0::/path`); `name=systemd` for
    /// named v1 hierarchies.
    pub controllers: Vec<String>,
    pub path: String,
}

/// Parse `/proc/PID/cgroup`. The path may itself contain `:`.
pub fn parse_cgroup(text: &str) -> Vec<CgroupLine> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, ':');
            let hierarchy_id = parts.next()?.parse().ok()?;
            let controllers = parts.next()?;
            let path = parts.next()?;
            Some(CgroupLine {
                hierarchy_id,
                controllers: controllers
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                    .collect(),
                path: path.to_string(),
            })
        })
        .collect()
}

/// Split `/proc/PID/environ` (NUL-separated `KEY=value`) into pairs.
pub fn parse_environ(bytes: &[u8]) -> Vec<(String, String)> {
    bytes
        .split(|b| *b == 0)
        .filter_map(|entry| {
            let text = String::from_utf8_lossy(entry);
            let (key, value) = text.split_once('=')?;
            Some((key.to_string(), value.to_string()))
        })
        .collect()
}

/// A parsed LSM label from `/proc/PID/attr/current`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LsmLabel {
    /// AppArmor: a profile name and its mode (`enforce`, `complain`,
    /// `kill`, `unconfined`...). `unconfined` has no mode in the text.
    Apparmor { profile: String, mode: String },
    /// SELinux: `user:role:type[:level]`; the level may contain `:`.
    Selinux {
        user: String,
        role: String,
        #[serde(rename = "type")]
        type_: String,
        level: Option<String>,
    },
    /// Anything else (Smack labels, unknown formats), verbatim.
    Other { label: String },
}

/// Classify a label. `apparmor_hint` is true when it came from the
/// AppArmor-specific file or AppArmor is the active major LSM.
pub fn parse_lsm_label(text: &str, apparmor_hint: bool) -> Option<LsmLabel> {
    let label = text.trim_end_matches(['\0', '\n']).trim();
    if label.is_empty() {
        return None;
    }
    if label == "unconfined" {
        return Some(LsmLabel::Apparmor {
            profile: "unconfined".into(),
            mode: "unconfined".into(),
        });
    }
    if let Some(open) = label.rfind(" (") {
        if let Some(mode) = label[open + 2..].strip_suffix(')') {
            return Some(LsmLabel::Apparmor {
                profile: label[..open].to_string(),
                mode: mode.to_string(),
            });
        }
    }
    if apparmor_hint {
        return Some(LsmLabel::Apparmor {
            profile: label.to_string(),
            mode: "unknown".into(),
        });
    }
    let mut parts = label.splitn(4, ':');
    if let (Some(user), Some(role), Some(type_)) = (parts.next(), parts.next(), parts.next()) {
        if !user.is_empty() && !role.is_empty() && !type_.is_empty() && !label.contains(' ') {
            return Some(LsmLabel::Selinux {
                user: user.into(),
                role: role.into(),
                type_: type_.into(),
                level: parts.next().map(str::to_string),
            });
        }
    }
    Some(LsmLabel::Other {
        label: label.to_string(),
    })
}

/// A cgroup limit file: `max` (unlimited) or a number.
pub fn parse_limit(text: &str) -> Option<Option<u64>> {
    let text = text.trim();
    if text == "max" {
        return Some(None);
    }
    text.parse().ok().map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_maps() {
        let host = parse_id_map("         0          0 4294967295\n");
        assert!(is_identity_map(&host));
        let rootless = parse_id_map("0 1000 1\n1 100000 65536\n");
        assert_eq!(rootless.len(), 2);
        assert_eq!(
            rootless[1],
            IdMapRange {
                inside: 1,
                outside: 100000,
                count: 65536
            }
        );
        assert!(!is_identity_map(&rootless));
        assert!(parse_id_map("0 0\nx y z\n1 2 3 4\n").is_empty());
    }

    #[test]
    fn ns_links() {
        assert_eq!(parse_ns_link("net:[4026531833]"), Some(("net", 4026531833)));
        assert_eq!(parse_ns_link("pid:[111]"), Some(("pid", 111)));
        assert_eq!(parse_ns_link("net:4026531833"), None);
        assert_eq!(parse_ns_link("net:[x]"), None);
    }

    #[test]
    fn cgroup_hybrid_and_v2() {
        let lines = parse_cgroup(
            "9:name=systemd:/\n4:memory:/process_api/fed6\n2:cpu,cpuacct:/a:b\n0::/system.slice/x.service\n",
        );
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0].controllers, vec!["name=systemd"]);
        assert_eq!(lines[2].controllers, vec!["cpu", "cpuacct"]);
        assert_eq!(lines[2].path, "/a:b");
        assert!(lines[3].controllers.is_empty());
        assert_eq!(lines[3].path, "/system.slice/x.service");
    }

    #[test]
    fn lsm_labels() {
        assert_eq!(
            parse_lsm_label("docker-default (enforce)\n", false),
            Some(LsmLabel::Apparmor {
                profile: "docker-default".into(),
                mode: "enforce".into()
            })
        );
        assert_eq!(
            parse_lsm_label("unconfined\n", false),
            Some(LsmLabel::Apparmor {
                profile: "unconfined".into(),
                mode: "unconfined".into()
            })
        );
        assert_eq!(
            parse_lsm_label("system_u:system_r:container_t:s0:c1,c2\0", false),
            Some(LsmLabel::Selinux {
                user: "system_u".into(),
                role: "system_r".into(),
                type_: "container_t".into(),
                level: Some("s0:c1,c2".into())
            })
        );
        assert_eq!(
            parse_lsm_label("_", false),
            Some(LsmLabel::Other { label: "_".into() })
        );
        assert_eq!(parse_lsm_label("\n", false), None);
    }

    #[test]
    fn limits_and_releases() {
        assert_eq!(parse_limit("max\n"), Some(None));
        assert_eq!(parse_limit("1024\n"), Some(Some(1024)));
        assert_eq!(parse_limit("lots"), None);
    }

    #[test]
    fn environ_pairs() {
        let env = parse_environ(b"container=podman\0A=b=c\0junk\0");
        assert_eq!(
            env,
            vec![
                ("container".to_string(), "podman".to_string()),
                ("A".to_string(), "b=c".to_string())
            ]
        );
    }
}
