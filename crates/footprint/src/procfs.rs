//! The one parser of the `/proc` files that several stages read:
//! `/proc/PID/status` (guards, tracer, parent, thread group) and
//! `/proc/PID/mountinfo` (filesystem types, masked paths, cgroup mounts).
//!
//! Hand-written rather than the `procfs` crate's, because that one does not
//! read `Seccomp_filters`. Parsers take text, never panic, and skip a line
//! they cannot read: /proc formats grow fields over kernel versions, and
//! gVisor leaves some out.

use crate::GuardState;
use std::io;

/// The fields of `/proc/PID/status` that aprof uses. A field the kernel
/// did not print (or printed malformed) is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcStatus {
    pub name: Option<String>,
    /// The state letter (`R`, `S`, `Z`, ...).
    pub state: Option<char>,
    pub tgid: Option<i32>,
    pub ppid: Option<i32>,
    /// The pid of the tracer, 0 when not traced.
    pub tracer_pid: Option<i32>,
    /// Real, effective, saved and filesystem uid.
    pub uids: Option<[u32; 4]>,
    pub gids: Option<[u32; 4]>,
    pub cap_inheritable: Option<u64>,
    pub cap_permitted: Option<u64>,
    pub cap_effective: Option<u64>,
    pub cap_bounding: Option<u64>,
    pub cap_ambient: Option<u64>,
    pub no_new_privs: Option<bool>,
    /// 0 disabled, 1 strict, 2 filter.
    pub seccomp: Option<u32>,
    /// Stacked filters (Linux 5.9+).
    pub seccomp_filters: Option<u32>,
}

impl ProcStatus {
    /// Parse the text of a status file.
    pub fn parse(text: &str) -> ProcStatus {
        let mut s = ProcStatus::default();
        for line in text.lines() {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match key {
                "Name" => s.name = Some(value.to_owned()),
                "State" => s.state = value.chars().next(),
                "Tgid" => s.tgid = value.parse().ok(),
                "PPid" => s.ppid = value.parse().ok(),
                "TracerPid" => s.tracer_pid = value.parse().ok(),
                "Uid" => s.uids = parse_four_ids(value),
                "Gid" => s.gids = parse_four_ids(value),
                "CapInh" => s.cap_inheritable = parse_hex_mask(value),
                "CapPrm" => s.cap_permitted = parse_hex_mask(value),
                "CapEff" => s.cap_effective = parse_hex_mask(value),
                "CapBnd" => s.cap_bounding = parse_hex_mask(value),
                "CapAmb" => s.cap_ambient = parse_hex_mask(value),
                "NoNewPrivs" => {
                    s.no_new_privs = match value {
                        "0" => Some(false),
                        "1" => Some(true),
                        _ => None,
                    }
                }
                "Seccomp" => s.seccomp = value.parse().ok(),
                "Seccomp_filters" => s.seccomp_filters = value.parse().ok(),
                _ => {}
            }
        }
        s
    }

    /// Read `/proc/PID/status`.
    pub fn read(pid: i32) -> io::Result<ProcStatus> {
        std::fs::read_to_string(format!("/proc/{pid}/status")).map(|t| ProcStatus::parse(&t))
    }

    /// Read `/proc/self/status`.
    pub fn read_self() -> io::Result<ProcStatus> {
        std::fs::read_to_string("/proc/self/status").map(|t| ProcStatus::parse(&t))
    }

    /// Exited and not yet reaped (`Z`), or dead (`X`).
    pub fn is_zombie(&self) -> bool {
        matches!(self.state, Some('Z' | 'X'))
    }

    /// Whether the effective set holds capability number `cap`.
    pub fn has_effective(&self, cap: u32) -> bool {
        cap < 64 && self.cap_effective.is_some_and(|m| m & (1 << cap) != 0)
    }

    /// The footprint's guard state, `None` when the kernel printed no
    /// `Seccomp:` line (not a status file, or a kernel without seccomp).
    pub fn guard_state(&self) -> Option<GuardState> {
        let hex = |m: Option<u64>| format!("{:016x}", m.unwrap_or(0));
        Some(GuardState {
            seccomp_mode: u8::try_from(self.seccomp?).ok()?,
            seccomp_filters: self.seccomp_filters.unwrap_or(0),
            no_new_privs: self.no_new_privs.unwrap_or(false),
            cap_effective: hex(self.cap_effective),
            cap_permitted: hex(self.cap_permitted),
            cap_inheritable: hex(self.cap_inheritable),
            cap_bounding: hex(self.cap_bounding),
            cap_ambient: hex(self.cap_ambient),
        })
    }
}

/// [`ProcStatus::parse`] as a function.
pub fn parse_status(text: &str) -> ProcStatus {
    ProcStatus::parse(text)
}

fn parse_four_ids(value: &str) -> Option<[u32; 4]> {
    let ids: Vec<u32> = value
        .split_whitespace()
        .map(|id| id.parse().ok())
        .collect::<Option<_>>()?;
    ids.try_into().ok()
}

/// A capability mask as the kernel prints it: up to 16 hex digits, no `0x`.
pub fn parse_hex_mask(value: &str) -> Option<u64> {
    let value = value.trim();
    if value.is_empty() || value.len() > 16 {
        return None;
    }
    u64::from_str_radix(value, 16).ok()
}

/// One line of `/proc/PID/mountinfo`
/// (`36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountEntry {
    pub mount_id: u64,
    pub parent_id: u64,
    /// The path inside the filesystem that is mounted (`/` for a whole fs).
    pub root: String,
    pub mount_point: String,
    pub fs_type: String,
    pub source: String,
    pub super_options: Vec<String>,
}

/// Parse `/proc/PID/mountinfo`, decoding the kernel's octal escapes (`\040`).
pub fn parse_mountinfo(text: &str) -> Vec<MountEntry> {
    text.lines()
        .filter_map(|line| {
            let (before, after) = line.split_once(" - ")?;
            let fields: Vec<&str> = before.split(' ').collect();
            if fields.len() < 6 {
                return None;
            }
            let mut tail = after.split(' ');
            let fs_type = tail.next().filter(|t| !t.is_empty())?;
            let source = tail.next().unwrap_or("");
            let super_options = tail.next().unwrap_or("");
            Some(MountEntry {
                mount_id: fields[0].parse().ok()?,
                parent_id: fields[1].parse().ok()?,
                root: unescape_octal(fields[3]),
                mount_point: unescape_octal(fields[4]),
                fs_type: fs_type.to_owned(),
                source: unescape_octal(source),
                super_options: super_options.split(',').map(str::to_owned).collect(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const STATUS: &str = "Name:\tcat\nUmask:\t0022\nState:\tR (running)\nTgid:\t77\nPPid:\t4242\n\
        TracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n\
        CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n\
        CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\n\
        Seccomp:\t2\nSeccomp_filters:\t3\nSpeculation_Store_Bypass:\tthread vulnerable\n";

    #[test]
    fn status_fields_are_read() {
        let s = ProcStatus::parse(STATUS);
        assert_eq!(s.name.as_deref(), Some("cat"));
        assert_eq!((s.state, s.tgid, s.ppid), (Some('R'), Some(77), Some(4242)));
        assert_eq!(s.tracer_pid, Some(0));
        assert_eq!(s.uids, Some([0; 4]));
        assert_eq!(s.cap_effective, Some(0x1ff_ffff_ffff));
        assert_eq!(s.cap_ambient, Some(0));
        assert_eq!(s.no_new_privs, Some(true));
        assert_eq!((s.seccomp, s.seccomp_filters), (Some(2), Some(3)));
        assert!(s.has_effective(21) && !s.has_effective(63) && !s.has_effective(99));
        assert!(!s.is_zombie());
        let g = s.guard_state().expect("guard state");
        assert_eq!((g.seccomp_mode, g.seccomp_filters), (2, 3));
        assert!(g.no_new_privs);
        assert_eq!(g.cap_effective, "000001ffffffffff");
        assert_eq!(g.cap_inheritable, "0000000000000000");
    }

    #[test]
    fn gvisor_status_lacks_fields() {
        let s = ProcStatus::parse("Name:\tcat\nState:\tZ (zombie)\nCapInh:\t0000003fffffdfff\n");
        assert_eq!(s.no_new_privs, None);
        assert_eq!(s.seccomp_filters, None);
        assert_eq!(s.cap_inheritable, Some(0x3f_ffff_dfff));
        assert!(s.is_zombie());
        assert_eq!(s.guard_state(), None, "no Seccomp line, no guard state");
    }

    #[test]
    fn reads_this_process_like_the_kernel_prints_it() {
        let text = std::fs::read_to_string("/proc/self/status").unwrap();
        let s = ProcStatus::read_self().unwrap();
        let line = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(key))
                .map(|v| v.trim().to_owned())
        };
        assert_eq!(s.tgid.map(|t| t.to_string()), line("Tgid:"));
        assert_eq!(s.tgid, Some(std::process::id() as i32));
        let g = s.guard_state().expect("this kernel prints Seccomp:");
        assert_eq!(Some(g.cap_effective), line("CapEff:"));
    }

    #[test]
    fn mountinfo_lines() {
        let m = parse_mountinfo(
            "74 70 0:32 /../.. /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory\n\
             80 70 0:38 / /sys/fs/cgroup/unified rw shared:9 - cgroup2 cgroup2 rw\n\
             garbage\n\
             81 66 0:6 /null /proc/kcore rw - devtmpfs udev rw\n\
             82 66 0:6 / /a\\040b rw - tmpfs none rw\n\
             40 1 0:5 / /x rw shared:2 - fuse.sshfs host: rw\n",
        );
        assert_eq!(m.len(), 5);
        assert_eq!((m[0].mount_id, m[0].parent_id), (74, 70));
        assert_eq!(m[0].root, "/../..");
        assert_eq!(m[0].super_options, vec!["rw", "memory"]);
        assert_eq!(m[1].fs_type, "cgroup2");
        assert_eq!(m[2].mount_point, "/proc/kcore");
        assert_eq!(m[3].mount_point, "/a b");
        assert_eq!(m[4].fs_type, "fuse.sshfs");
    }

    proptest! {
        #[test]
        fn parsers_never_panic(text in "\\PC{0,400}") {
            let s = parse_status(&text);
            let _ = s.guard_state();
            let _ = parse_mountinfo(&text);
            let _ = parse_hex_mask(&text);
        }

        #[test]
        fn mountinfo_lines_round_trip(id in 1u64..100000, fstype in "[a-z0-9.]{1,12}") {
            let line = format!("{id} 1 0:1 / /m rw,relatime shared:1 - {fstype} src rw\n");
            let parsed = parse_mountinfo(&line);
            prop_assert_eq!(parsed.len(), 1);
            prop_assert_eq!(parsed[0].mount_id, id);
            prop_assert_eq!(&parsed[0].fs_type, &fstype);
        }

        #[test]
        fn status_round_trips(
            eff in any::<u64>(), nnp in any::<bool>(), mode in 0u32..3,
            filters in any::<u32>(), uid in any::<u32>(), ppid in 0i32..i32::MAX,
        ) {
            let text = format!(
                "Name:\tx y\nPPid:\t{ppid}\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\nCapEff:\t{eff:016x}\nNoNewPrivs:\t{}\nSeccomp:\t{mode}\nSeccomp_filters:\t{filters}\n",
                u8::from(nnp)
            );
            let s = parse_status(&text);
            prop_assert_eq!(s.name.as_deref(), Some("x y"));
            prop_assert_eq!(s.ppid, Some(ppid));
            prop_assert_eq!(s.uids, Some([uid; 4]));
            prop_assert_eq!(s.cap_effective, Some(eff));
            prop_assert_eq!(s.no_new_privs, Some(nnp));
            prop_assert_eq!(s.seccomp, Some(mode));
            prop_assert_eq!(s.seccomp_filters, Some(filters));
            let g = s.guard_state().unwrap();
            prop_assert_eq!(g.cap_effective, format!("{eff:016x}"));
        }
    }
}
