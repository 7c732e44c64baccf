//! Pure parsers for the /proc and /sys texts that describe a process's
//! containment. They take text, never touch the file system, and never
//! panic on malformed input: a line they cannot read is skipped.

use serde::Serialize;

/// The containment-related fields of `/proc/PID/status`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusFields {
    pub name: Option<String>,
    pub ppid: Option<i32>,
    /// Real, effective, saved and filesystem uid.
    pub uids: Option<[u32; 4]>,
    pub gids: Option<[u32; 4]>,
    pub cap_inheritable: Option<u64>,
    pub cap_permitted: Option<u64>,
    pub cap_effective: Option<u64>,
    pub cap_bounding: Option<u64>,
    pub cap_ambient: Option<u64>,
    pub no_new_privs: Option<bool>,
    pub seccomp: Option<u32>,
    pub seccomp_filters: Option<u32>,
}

/// Parse `/proc/PID/status`. Missing or malformed fields stay `None`.
pub fn parse_status(text: &str) -> StatusFields {
    let mut fields = StatusFields::default();
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key {
            "Name" => fields.name = Some(value.to_string()),
            "PPid" => fields.ppid = value.parse().ok(),
            "Uid" => fields.uids = parse_four_ids(value),
            "Gid" => fields.gids = parse_four_ids(value),
            "CapInh" => fields.cap_inheritable = parse_hex_mask(value),
            "CapPrm" => fields.cap_permitted = parse_hex_mask(value),
            "CapEff" => fields.cap_effective = parse_hex_mask(value),
            "CapBnd" => fields.cap_bounding = parse_hex_mask(value),
            "CapAmb" => fields.cap_ambient = parse_hex_mask(value),
            "NoNewPrivs" => {
                fields.no_new_privs = match value {
                    "0" => Some(false),
                    "1" => Some(true),
                    _ => None,
                }
            }
            "Seccomp" => fields.seccomp = value.parse().ok(),
            "Seccomp_filters" => fields.seccomp_filters = value.parse().ok(),
            _ => {}
        }
    }
    fields
}

fn parse_four_ids(value: &str) -> Option<[u32; 4]> {
    let ids: Vec<u32> = value
        .split_whitespace()
        .map(|id| id.parse().ok())
        .collect::<Option<_>>()?;
    ids.try_into().ok()
}

/// A capability mask as the kernel prints it: 16 hex digits, no `0x`.
pub fn parse_hex_mask(value: &str) -> Option<u64> {
    let value = value.trim();
    if value.is_empty() || value.len() > 16 {
        return None;
    }
    u64::from_str_radix(value, 16).ok()
}

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

/// The fields of one `/proc/PID/mountinfo` line that containment needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountEntry {
    /// The path inside the filesystem that is mounted (`/` for a whole fs).
    pub root: String,
    pub mount_point: String,
    pub fs_type: String,
    pub source: String,
    pub super_options: Vec<String>,
}

/// Parse `/proc/PID/mountinfo`, decoding the octal escapes (`\040`).
pub fn parse_mountinfo(text: &str) -> Vec<MountEntry> {
    text.lines()
        .filter_map(|line| {
            let (before, after) = line.split_once(" - ")?;
            let fields: Vec<&str> = before.split(' ').collect();
            if fields.len() < 6 {
                return None;
            }
            let mut tail = after.split(' ');
            let fs_type = tail.next()?;
            let source = tail.next().unwrap_or("");
            let super_options = tail.next().unwrap_or("");
            Some(MountEntry {
                root: unescape_octal(fields[3]),
                mount_point: unescape_octal(fields[4]),
                fs_type: fs_type.to_string(),
                source: unescape_octal(source),
                super_options: super_options.split(',').map(str::to_string).collect(),
            })
        })
        .collect()
}

/// Undo the kernel's `\ooo` escaping of spaces, tabs, newlines and `\`.
fn unescape_octal(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && bytes.len() - i >= 4 {
            let digits = &bytes[i + 1..i + 4];
            if digits.iter().all(|d| (b'0'..=b'7').contains(d)) {
                let value = digits
                    .iter()
                    .fold(0u32, |acc, d| acc * 8 + u32::from(d - b'0'));
                if let Ok(byte) = u8::try_from(value) {
                    out.push(byte);
                    i += 4;
                    continue;
                }
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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

    const HOST_STATUS: &str = "Name:\tcat\nUmask:\t0022\nPPid:\t4242\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\t0000000000000000\nCapPrm:\t000001fffeffffff\nCapEff:\t000001fffeffffff\nCapBnd:\t000001fffeffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t2\nSeccomp_filters:\t3\n";

    #[test]
    fn status_fields_are_read() {
        let s = parse_status(HOST_STATUS);
        assert_eq!(s.name.as_deref(), Some("cat"));
        assert_eq!(s.ppid, Some(4242));
        assert_eq!(s.uids, Some([0, 0, 0, 0]));
        assert_eq!(s.cap_effective, Some(0x1fffeffffff));
        assert_eq!(s.cap_ambient, Some(0));
        assert_eq!(s.no_new_privs, Some(false));
        assert_eq!(s.seccomp, Some(2));
        assert_eq!(s.seccomp_filters, Some(3));
    }

    #[test]
    fn gvisor_status_lacks_fields() {
        let s = parse_status("Name:\tcat\nCapInh:\t0000003fffffdfff\nSeccomp:\t0\n");
        assert_eq!(s.no_new_privs, None);
        assert_eq!(s.seccomp_filters, None);
        assert_eq!(s.cap_ambient, None);
        assert_eq!(s.cap_inheritable, Some(0x3fffffdfff));
    }

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
    fn mountinfo_lines() {
        let m = parse_mountinfo(
            "74 70 0:32 /../.. /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory\n\
             80 70 0:38 / /sys/fs/cgroup/unified rw shared:9 - cgroup2 cgroup2 rw\n\
             81 66 0:6 /null /proc/kcore rw - devtmpfs udev rw\n\
             82 66 0:6 / /a\\040b rw - tmpfs none rw\n",
        );
        assert_eq!(m.len(), 4);
        assert_eq!(m[0].root, "/../..");
        assert_eq!(m[0].super_options, vec!["rw", "memory"]);
        assert_eq!(m[1].fs_type, "cgroup2");
        assert_eq!(m[2].mount_point, "/proc/kcore");
        assert_eq!(m[3].mount_point, "/a b");
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
