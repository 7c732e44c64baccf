//! Parsers for the /proc and /sys text files only the decoder reads: fdinfo,
//! /proc/devices, /proc/net socket tables, sysfs uevent (mountinfo is
//! [`aprof_footprint::procfs`]'s).
//!
//! They take text and never fail loudly: a line they cannot read is skipped,
//! since /proc formats grow new fields over kernel versions.

use std::collections::HashMap;

/// `mnt_id:` from `/proc/PID/fdinfo/FD`.
pub fn fdinfo_mnt_id(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix("mnt_id:"))
        .and_then(|v| v.trim().parse().ok())
}

/// The drivers of `/proc/devices`: (character, block) maps of major -> names,
/// in file order (major 4 has `/dev/vc/0`, `tty` and `ttyS`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Devices {
    pub character: HashMap<u32, Vec<String>>,
    pub block: HashMap<u32, Vec<String>>,
}

impl Devices {
    pub fn parse(text: &str) -> Devices {
        let mut devices = Devices::default();
        let mut block = false;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with("Character devices") {
                block = false;
                continue;
            }
            if line.starts_with("Block devices") {
                block = true;
                continue;
            }
            let mut parts = line.splitn(2, char::is_whitespace);
            let (Some(major), Some(name)) = (parts.next(), parts.next()) else {
                continue;
            };
            let Ok(major) = major.parse::<u32>() else {
                continue;
            };
            let map = if block {
                &mut devices.block
            } else {
                &mut devices.character
            };
            map.entry(major).or_default().push(name.trim().to_owned());
        }
        devices
    }

    /// The driver name of a major: the first name that is not a `/dev/` path,
    /// else the path's last component.
    pub fn driver(&self, block: bool, major: u32) -> Option<String> {
        let names = if block { &self.block } else { &self.character }.get(&major)?;
        names
            .iter()
            .find(|n| !n.starts_with("/dev/"))
            .or_else(|| names.first())
            .map(|n| n.trim_start_matches("/dev/").to_owned())
    }
}

/// `DEVNAME=` of a sysfs uevent file.
pub fn uevent_devname(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("DEVNAME="))
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// A socket found in a `/proc/net` table: family, type and protocol numbers
/// (`None` where that table does not say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetSocket {
    pub family: u64,
    pub socket_type: Option<u64>,
    pub protocol: Option<u64>,
}

/// The `/proc/net` tables and what each one implies about its sockets.
pub const NET_TABLES: &[&str] = &[
    "tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6", "unix", "netlink", "packet",
];

/// Finds the socket with inode `inode` in the text of `/proc/net/<table>`.
pub fn find_in_net_table(table: &str, text: &str, inode: u64) -> Option<NetSocket> {
    let inode_text = inode.to_string();
    // Column of the inode, per table layout.
    let inode_col = match table {
        "tcp" | "tcp6" | "udp" | "udp6" | "udplite" | "udplite6" | "raw" | "raw6" => 9,
        "unix" => 6,
        "netlink" => 9,
        "packet" => 8,
        _ => return None,
    };
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.get(inode_col) != Some(&inode_text.as_str()) {
            continue;
        }
        let v6 = table.ends_with('6');
        let inet = if v6 { 10 } else { 2 };
        return Some(match table {
            "tcp" | "tcp6" => NetSocket {
                family: inet,
                socket_type: Some(1),
                protocol: Some(6),
            },
            "udp" | "udp6" => NetSocket {
                family: inet,
                socket_type: Some(2),
                protocol: Some(17),
            },
            "udplite" | "udplite6" => NetSocket {
                family: inet,
                socket_type: Some(2),
                protocol: Some(136),
            },
            "raw" | "raw6" => {
                // The "port" of the local address is the protocol.
                let protocol = cols
                    .get(1)
                    .and_then(|a| a.rsplit(':').next())
                    .and_then(|p| u64::from_str_radix(p, 16).ok());
                NetSocket {
                    family: inet,
                    socket_type: Some(3),
                    protocol,
                }
            }
            "unix" => NetSocket {
                family: 1,
                socket_type: cols.get(4).and_then(|t| u64::from_str_radix(t, 16).ok()),
                protocol: Some(0),
            },
            "netlink" => NetSocket {
                family: 16,
                socket_type: None,
                protocol: cols.get(1).and_then(|p| p.parse().ok()),
            },
            _ => NetSocket {
                family: 17,
                socket_type: cols.get(2).and_then(|t| t.parse().ok()),
                // Shown in host order; socket() takes network order.
                protocol: cols
                    .get(3)
                    .and_then(|p| u16::from_str_radix(p, 16).ok())
                    .map(|p| u64::from(p.swap_bytes())),
            },
        });
    }
    None
}

#[cfg(test)]
/// The inode of a `socket:[N]` link target.
pub fn socket_inode(link: &str) -> Option<u64> {
    link.strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fdinfo() {
        assert_eq!(
            fdinfo_mnt_id("pos:\t0\nflags:\t02100002\nmnt_id:\t25\nino:\t1\n"),
            Some(25)
        );
        assert_eq!(fdinfo_mnt_id("pos: 0\n"), None);
    }

    #[test]
    fn proc_devices() {
        let d = Devices::parse(
            "Character devices:\n  1 mem\n  4 /dev/vc/0\n  4 tty\n  5 /dev/tty\n 10 misc\n\n\
             Block devices:\n  7 loop\n254 virtblk\n",
        );
        assert_eq!(d.driver(false, 1).as_deref(), Some("mem"));
        assert_eq!(d.driver(false, 4).as_deref(), Some("tty"));
        assert_eq!(d.driver(false, 5).as_deref(), Some("tty"));
        assert_eq!(d.driver(false, 10).as_deref(), Some("misc"));
        assert_eq!(d.driver(true, 254).as_deref(), Some("virtblk"));
        assert_eq!(d.driver(true, 1), None);
        assert_eq!(
            uevent_devname("MAJOR=10\nMINOR=232\nDEVNAME=kvm\n").as_deref(),
            Some("kvm")
        );
    }

    #[test]
    fn net_tables() {
        let tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   \
                   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0 100 0 0 10 0\n";
        assert_eq!(
            find_in_net_table("tcp", tcp, 12345),
            Some(NetSocket {
                family: 2,
                socket_type: Some(1),
                protocol: Some(6)
            })
        );
        assert_eq!(find_in_net_table("tcp", tcp, 1234), None);
        let unix = "Num       RefCount Protocol Flags    Type St Inode Path\n\
                    0000000000000000: 00000002 00000000 00010000 0005 01 777 /run/x\n";
        assert_eq!(
            find_in_net_table("unix", unix, 777).and_then(|s| s.socket_type),
            Some(5)
        );
        let netlink = "sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n\
                       0000000000000000 15  0          00000001 0        0        0     2        0        888\n";
        assert_eq!(
            find_in_net_table("netlink", netlink, 888).and_then(|s| s.protocol),
            Some(15)
        );
        let raw = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n  \
                   1: 00000000:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 999 2 0 0\n";
        assert_eq!(
            find_in_net_table("raw", raw, 999).and_then(|s| s.protocol),
            Some(1)
        );
        assert_eq!(socket_inode("socket:[4242]"), Some(4242));
        assert_eq!(socket_inode("pipe:[4242]"), None);
    }

    proptest! {
        #[test]
        fn parsers_never_panic(text in "\\PC{0,400}", inode in any::<u64>()) {
            let _ = fdinfo_mnt_id(&text);
            let d = Devices::parse(&text);
            let _ = d.driver(false, 1);
            let _ = uevent_devname(&text);
            for table in NET_TABLES {
                let _ = find_in_net_table(table, &text, inode);
            }
            let _ = socket_inode(&text);
        }

    }
}
