//! The reach at file level, with gates: the hand-checked sample of
//! tests/fixtures/reach_sample.tsv (a CVE, a trigger, privileges, whether it
//! counts, and why), and properties the issue names.

use aprof_density::{
    reach_of_footprint, Dataset, Privileges, RateTable, Reach, ReachOptions, SubsystemMap,
    UserNamespaces,
};
use aprof_footprint::{Abi, Environment, Footprint, ObjectClass, Process};

fn footprint(trigger: &str) -> Footprint {
    let mut fp = Footprint::new(Environment::default());
    fp.processes.push(Process::default());
    let (kind, rest) = trigger.split_once(' ').unwrap();
    match kind {
        "syscall" => {
            let nr = Abi::X86_64
                .table()
                .number(rest)
                .unwrap_or_else(|| panic!("{rest}"));
            fp.count_syscall(Abi::X86_64, nr, None, 0);
        }
        "socket" => {
            let mut parts = rest.split('/');
            let class = ObjectClass::Socket {
                family: parts.next().unwrap().into(),
                socket_type: parts.next().unwrap_or("").into(),
                protocol: parts.next().unwrap_or("").into(),
            };
            fp.count_object(class, "sendmsg");
            fp.count_syscall(Abi::X86_64, 46, None, 0);
        }
        "file" => {
            fp.count_object(
                ObjectClass::File {
                    fstype: rest.into(),
                },
                "write",
            );
            fp.count_syscall(Abi::X86_64, 1, None, 0);
        }
        "argument" => {
            let (syscall, rest) = rest.split_once('/').unwrap();
            let (index, value) = rest.split_once('=').unwrap();
            let value = match value.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16).unwrap(),
                None => value.parse().unwrap(),
            };
            let nr = Abi::X86_64.table().number(syscall).unwrap();
            fp.count_syscall(Abi::X86_64, nr, None, 0);
            fp.count_argument(syscall, index.parse().unwrap(), "value", value, None);
        }
        other => panic!("trigger kind {other}"),
    }
    fp
}

fn privileges(spec: &str) -> (Privileges, ReachOptions) {
    let mut p = Privileges::none("fixture");
    let mut options = ReachOptions::default();
    match spec {
        "none" => {}
        "userns" => p.user_namespaces = UserNamespaces::Allowed("fixture".into()),
        "netns" => {
            p.initial_network_namespace = false;
            options.initial_network_namespace = false;
        }
        cap if cap.starts_with("CAP_") => {
            p.capabilities.insert(cap.to_owned());
        }
        setting if setting.starts_with("sysctl:") => {
            let (name, value) = setting["sysctl:".len()..].split_once('=').unwrap();
            p.sysctls.insert(name.to_owned(), value.to_owned());
        }
        other => panic!("privileges {other}"),
    }
    (p, options)
}

#[test]
fn the_hand_checked_sample() {
    let map = SubsystemMap::embedded();
    let rates = RateTable::embedded();
    let data = Dataset::embedded();
    let text = include_str!("fixtures/reach_sample.tsv");
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("cve\t"))
    {
        let cells: Vec<&str> = line.split('\t').collect();
        let [cve, trigger, privs, expected, reason] = cells[..] else {
            panic!("bad fixture line {line:?}");
        };
        assert!(data.get(cve).is_some(), "{cve} is in the data");
        let (p, options) = privileges(privs);
        let reach = reach_of_footprint(&footprint(trigger), map, &options);
        let counted = rates.counted_ids(&reach, &p).contains(cve);
        let ungated = rates
            .counted_ids(
                &Reach {
                    gated: Vec::new(),
                    ..reach.clone()
                },
                &p,
            )
            .contains(cve);
        let got = match (counted, ungated) {
            (true, true) => "yes",
            (true, false) => "gated",
            (false, _) => "no",
        };
        if got != expected {
            failures.push(format!(
                "{cve} via {trigger} ({privs}): expected {expected}, got {got}: {reason}"
            ));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 35, "{checked}");
}

fn rate_of(fp: &Footprint, p: &Privileges) -> aprof_density::ReachRate {
    RateTable::embedded().rate(
        &reach_of_footprint(fp, SubsystemMap::embedded(), &ReachOptions::default()),
        p,
    )
}

/// Every CVE is counted once: the terms add up to the distinct count.
#[test]
fn terms_add_up_to_distinct_cves() {
    let mut fp = footprint("socket AF_INET/SOCK_STREAM/TCP");
    for name in [
        "openat",
        "read",
        "write",
        "mmap",
        "clone",
        "futex",
        "epoll_wait",
    ] {
        fp.count_syscall(
            Abi::X86_64,
            Abi::X86_64.table().number(name).unwrap(),
            None,
            0,
        );
    }
    fp.count_object(
        ObjectClass::File {
            fstype: "ext4".into(),
        },
        "read",
    );
    fp.count_object(
        ObjectClass::Socket {
            family: "AF_NETLINK".into(),
            socket_type: "SOCK_RAW".into(),
            protocol: "NETLINK_ROUTE".into(),
        },
        "sendmsg",
    );
    let mut p = Privileges::none("t");
    p.user_namespaces = UserNamespaces::Allowed("t".into());
    let r = rate_of(&fp, &p);
    let baseline = r.baseline.as_ref().unwrap();
    let sum = baseline.cves
        + r.terms.iter().map(|t| t.cves).sum::<f64>()
        + r.gated
            .iter()
            .filter(|g| g.counted)
            .map(|g| g.cves as f64)
            .sum::<f64>();
    assert!((sum - r.cves as f64).abs() < 1e-6, "{sum} vs {}", r.cves);
    assert!((r.value - r.cves as f64 / r.years).abs() < 1e-9);
    // The CAP_NET_ADMIN gate opens through a user namespace and is its own term.
    let net_admin = r
        .gated
        .iter()
        .find(|g| g.gate == "CAP_NET_ADMIN@net")
        .unwrap();
    assert!(net_admin.counted && net_admin.cves > 100, "{net_admin:?}");
    let closed = rate_of(&fp, &Privileges::none("t"));
    assert_eq!(closed.cves + net_admin.cves, r.cves);
    let shown = closed
        .gated
        .iter()
        .find(|g| g.gate == "CAP_NET_ADMIN@net")
        .unwrap();
    assert!(
        !shown.counted && shown.cves == net_admin.cves,
        "a closed gate shows what it would add"
    );
}

/// The fixed per-process cost is the same for every workload and its own line.
#[test]
fn the_baseline_is_one_line_for_every_process() {
    let p = Privileges::none("t");
    let a = rate_of(&footprint("syscall getpid"), &p);
    let b = rate_of(&footprint("socket AF_INET/SOCK_STREAM/TCP"), &p);
    let (ba, bb) = (a.baseline.unwrap(), b.baseline.unwrap());
    assert_eq!(ba.cves, bb.cves);
    assert!(ba.cves > 50.0);
    assert!(b.value > a.value, "workloads differ beyond the baseline");
    let empty = Footprint::new(Environment::default());
    assert!(
        rate_of(&empty, &p).baseline.is_none(),
        "no process, no baseline"
    );
}

/// Every file group is reached from somewhere, or is code no workload
/// reaches by design; every name a rule gives is a bucket or a group.
#[test]
fn groups_and_rules_are_consistent() {
    let map = SubsystemMap::embedded();
    let not_reached_by_design = ["mm:platform", "arch/x86/kernel:platform"];
    let named: std::collections::BTreeSet<String> = map
        .syscalls()
        .flat_map(|m| m.subsystems.iter().cloned())
        .chain(
            map.object_rules()
                .iter()
                .flat_map(|r| r.subsystems.iter().cloned()),
        )
        .chain(
            map.gated_rules()
                .iter()
                .flat_map(|r| r.subsystems.iter().cloned()),
        )
        .collect();
    let models_reach = ["drivers/net:veth", "net/netfilter:conntrack"];
    for g in map.groups().all() {
        assert!(
            named.contains(&g.name)
                || not_reached_by_design.contains(&g.name.as_str())
                || models_reach.contains(&g.name.as_str()),
            "group {} is never reached",
            g.name
        );
    }
    let buckets: std::collections::BTreeSet<String> = Dataset::embedded()
        .subsystem_counts()
        .keys()
        .map(|s| s.to_string())
        .collect();
    for s in &named {
        if s.contains(':') {
            assert!(map.groups().get(s).is_some(), "{s} is not a group");
        } else {
            assert!(
                buckets.contains(s)
                    || ["drivers/nvme", "drivers/usb", "fs/devpts"].contains(&s.as_str()),
                "{s} is no bucket of the data"
            );
        }
    }
    // The baseline's files are not split into gated groups.
    for (pattern, _) in &map.baseline().patterns {
        let probe = pattern.0.trim_end_matches('/').replace('*', "x");
        let probe = if pattern.0.ends_with('/') {
            format!("{probe}/x.c")
        } else {
            probe
        };
        let unit = map.groups().unit_of(&probe);
        assert!(
            !unit.contains(':'),
            "baseline file {probe} is in group {unit}"
        );
    }
}
