//! The syscall + object-class -> subsystem mapping: the examples,
//! coverage of the x86_64 table, and a cross-check against the CVE
//! call-trace evidence.

use aprof_density::{
    reach_of_footprint, subsystems_of_footprint, Evidence, Reach, ReachOptions, SubsystemMap,
    Unmapped, Via,
};
use aprof_footprint::{Abi, Environment, Footprint, ObjectClass};
use std::collections::BTreeSet;

fn footprint(calls: &[&str], objects: &[(ObjectClass, &[&str])]) -> Footprint {
    let mut fp = Footprint::new(Environment::default());
    for name in calls {
        let number = Abi::X86_64
            .table()
            .number(name)
            .unwrap_or_else(|| panic!("{name}"));
        fp.count_syscall(Abi::X86_64, number, None, 0);
    }
    for (class, syscalls) in objects {
        for s in *syscalls {
            fp.count_object(class.clone(), s);
        }
    }
    fp
}

fn has(reach: &Reach, subsystems: &[&str]) {
    for s in subsystems {
        assert!(
            reach.contains(s),
            "{s} missing from {:?}",
            reach.subsystems().collect::<Vec<_>>()
        );
    }
}

fn socket(family: &str, socket_type: &str, protocol: &str) -> ObjectClass {
    ObjectClass::Socket {
        family: family.into(),
        socket_type: socket_type.into(),
        protocol: protocol.into(),
    }
}

#[test]
fn read_on_a_tcp_socket_reaches_ipv4_and_core() {
    let fp = footprint(
        &["socket", "read"],
        &[(socket("AF_INET", "SOCK_STREAM", "TCP"), &["socket", "read"])],
    );
    let reach = subsystems_of_footprint(&fp);
    has(&reach, &["net/ipv4", "net/core", "net", "arch/x86/entry"]);
    assert!(!reach.contains("net/ipv6") && !reach.contains("net/unix"));
    // The evidence names the object and the rule that led there.
    let ipv4 = &reach.per_subsystem["net/ipv4"];
    assert!(ipv4
        .iter()
        .any(|e| matches!(e, Evidence::Object { rule, syscalls, .. }
        if rule == "socket AF_INET/TCP" && syscalls.contains_key("read"))));
    // read was explained by the socket object, so nothing is unmapped.
    assert!(reach.unmapped.is_empty(), "{:?}", reach.unmapped);
}

#[test]
fn protocol_spellings_are_normalised() {
    let fp = footprint(
        &[],
        &[(socket("PF_INET6", "SOCK_STREAM", "IPPROTO_TCP"), &["write"])],
    );
    has(
        &subsystems_of_footprint(&fp),
        &["net/ipv6", "net/ipv4", "net/core"],
    );
    let fp = footprint(&[], &[(socket("AF_UNIX", "SOCK_STREAM", ""), &["sendmsg"])]);
    let reach = subsystems_of_footprint(&fp);
    has(&reach, &["net/unix", "net/core"]);
    assert!(!reach.contains("net/ipv4"));
    let fp = footprint(
        &[],
        &[(
            socket("AF_NETLINK", "SOCK_RAW", "NETLINK_ROUTE"),
            &["sendto"],
        )],
    );
    has(&subsystems_of_footprint(&fp), &["net/netlink", "net/core"]);
}

#[test]
fn openat_on_ext4_reaches_ext4_and_the_vfs() {
    let ext4 = ObjectClass::File {
        fstype: "ext4".into(),
    };
    let fp = footprint(&["openat", "read"], &[(ext4, &["openat", "read"])]);
    let reach = subsystems_of_footprint(&fp);
    has(&reach, &["fs/ext4", "fs", "fs/jbd2"]);
    let fs = &reach.per_subsystem["fs"];
    assert!(fs
        .iter()
        .any(|e| matches!(e, Evidence::Syscall { syscall, .. } if syscall == "openat")));
    let map = SubsystemMap::embedded();
    assert_eq!(map.syscall("openat").unwrap().via, Via::Path);
    assert!(map.syscall("openat").unwrap().source.contains("fs/namei.c"));
}

#[test]
fn other_filesystems_and_fd_kinds() {
    let cases: Vec<(ObjectClass, &[&str])> = vec![
        (
            ObjectClass::File {
                fstype: "overlay".into(),
            },
            &["fs/overlayfs"],
        ),
        (
            ObjectClass::File {
                fstype: "tmpfs".into(),
            },
            &["mm"],
        ),
        (
            ObjectClass::Directory {
                fstype: "proc".into(),
            },
            &["fs/proc"],
        ),
        (
            ObjectClass::File {
                fstype: "sysfs".into(),
            },
            &["fs/sysfs", "fs/kernfs"],
        ),
        (
            ObjectClass::File {
                fstype: "fuse.sshfs".into(),
            },
            &["fs/fuse"],
        ),
        (ObjectClass::Pipe, &["fs"]),
        (
            ObjectClass::CharDevice {
                major: 1,
                minor: 3,
                driver: "mem/null".into(),
            },
            &["drivers/char"],
        ),
        (
            ObjectClass::AnonInode {
                name: "[eventfd]".into(),
            },
            &["fs"],
        ),
        (
            ObjectClass::AnonInode {
                name: "anon_inode:[io_uring]".into(),
            },
            &["io_uring"],
        ),
        (
            ObjectClass::AnonInode {
                name: "kvm-vcpu:0".into(),
            },
            &["virt/kvm", "arch/x86/kvm"],
        ),
        (
            ObjectClass::AnonInode {
                name: "bpf-map".into(),
            },
            &["kernel/bpf"],
        ),
        (
            ObjectClass::BlockDevice {
                major: 7,
                minor: 0,
                driver: "loop".into(),
            },
            &["block", "drivers/block"],
        ),
    ];
    for (class, expected) in cases {
        let fp = footprint(&[], &[(class.clone(), &["read"])]);
        let reach = subsystems_of_footprint(&fp);
        assert!(
            reach
                .unmapped
                .iter()
                .all(|u| !matches!(u, Unmapped::Object { .. })),
            "{class:?}: {:?}",
            reach.unmapped
        );
        for s in expected {
            assert!(
                reach.contains(s),
                "{class:?} should reach {s}: {:?}",
                reach.subsystems().collect::<Vec<_>>()
            );
        }
    }
}

#[test]
fn ioctl_on_dev_kvm_reaches_kvm() {
    let kvm = ObjectClass::CharDevice {
        major: 10,
        minor: 232,
        driver: "misc".into(),
    };
    let fp = footprint(&["openat", "ioctl"], &[(kvm, &["ioctl"])]);
    let reach = subsystems_of_footprint(&fp);
    has(&reach, &["virt/kvm", "arch/x86/kvm", "fs"]);
    // The same by driver name when the numbers are unknown.
    let by_name = ObjectClass::CharDevice {
        major: 0,
        minor: 0,
        driver: "kvm".into(),
    };
    has(
        &subsystems_of_footprint(&footprint(&["ioctl"], &[(by_name, &["ioctl"])])),
        &["virt/kvm", "arch/x86/kvm"],
    );
}

#[test]
fn syscalls_of_their_own_subsystems() {
    let cases: &[(&str, &[&str])] = &[
        ("io_uring_setup", &["io_uring"]),
        ("io_uring_enter", &["io_uring"]),
        ("io_uring_register", &["io_uring"]),
        ("keyctl", &["security/keys"]),
        ("add_key", &["security/keys"]),
        ("request_key", &["security/keys"]),
        ("mmap", &["mm"]),
        ("clone", &["kernel"]),
        ("futex", &["kernel/futex"]),
        ("perf_event_open", &["kernel/events"]),
        ("msgsnd", &["ipc"]),
        ("clock_nanosleep", &["kernel/time"]),
    ];
    for (name, expected) in cases {
        let reach = subsystems_of_footprint(&footprint(&[name], &[]));
        for s in *expected {
            assert!(reach.contains(s), "{name} should reach {s}");
        }
    }
    // bpf reaches the verifier only behind a gate (CAP_BPF, or unprivileged BPF on).
    let reach = subsystems_of_footprint(&footprint(&["bpf"], &[]));
    assert!(!reach.contains("kernel/bpf"));
    let gated = reach
        .gated
        .iter()
        .find(|g| g.trigger == "syscall bpf")
        .expect("bpf is gated");
    assert!(gated.subsystems.iter().any(|s| s == "kernel/bpf"));
    assert!(gated.gate.label().contains("CAP_BPF@init"));
}

#[test]
fn every_x86_64_syscall_is_mapped() {
    let map = SubsystemMap::embedded();
    let unmapped = map.unmapped_in_table(Abi::X86_64);
    println!(
        "x86_64: {} syscalls, unmapped: {unmapped:?}",
        Abi::X86_64.table().len()
    );
    assert!(
        unmapped.is_empty(),
        "unmapped x86_64 syscalls: {unmapped:?}"
    );
    let unmapped_i386 = map.unmapped_in_table(Abi::I386);
    println!(
        "i386: {} syscalls, unmapped: {unmapped_i386:?}",
        Abi::I386.table().len()
    );
    assert!(unmapped_i386.len() <= 10, "{unmapped_i386:?}");
    // Subsystem names must be buckets the CVE data uses (or known-empty ones).
    let data = aprof_density::Dataset::embedded();
    let mut known: BTreeSet<&str> = data.subsystem_counts().keys().copied().collect();
    known.extend(map.groups().all().iter().map(|g| g.name.as_str()));
    let mut unknown = BTreeSet::new();
    for s in map
        .syscalls()
        .flat_map(|m| m.subsystems.iter())
        .chain(map.object_rules().iter().flat_map(|r| r.subsystems.iter()))
        .chain(map.gated_rules().iter().flat_map(|r| r.subsystems.iter()))
    {
        if !known.contains(s.as_str()) {
            unknown.insert(s.clone());
        }
    }
    println!("mapped subsystems without any CVE: {unknown:?}");
    assert!(unknown.len() <= 6, "{unknown:?}");
}

#[test]
fn unknown_parts_of_a_footprint_are_reported() {
    let mut fp = footprint(
        &["read", "getpid"],
        &[(
            ObjectClass::Other {
                description: "weird".into(),
            },
            &["write"],
        )],
    );
    fp.syscalls
        .get_mut(&Abi::X86_64)
        .unwrap()
        .insert("no_such_call".into(), Default::default());
    let reach = subsystems_of_footprint(&fp);
    assert!(reach.unmapped.contains(&Unmapped::Syscall {
        abi: Abi::X86_64,
        syscall: "no_such_call".into()
    }));
    assert!(reach.unmapped.contains(&Unmapped::Object {
        class: ObjectClass::Other {
            description: "weird".into()
        }
    }));
    assert!(reach.unmapped.contains(&Unmapped::Dispatch {
        syscall: "read".into(),
        count: 1
    }));
    has(&reach, &["fs", "kernel"]);
}

#[test]
fn socket_family_arguments_count_without_objects() {
    let mut fp = footprint(&["socket"], &[]);
    fp.count_argument("socket", 0, "family", 10, Some("AF_INET6".into()));
    let reach = subsystems_of_footprint(&fp);
    has(&reach, &["net/ipv6"]);
}

#[test]
fn i386_names_resolve_to_their_x86_64_implementation() {
    let map = SubsystemMap::embedded();
    assert_eq!(map.canonical_name("mmap2"), "mmap");
    assert_eq!(map.canonical_name("getuid32"), "getuid");
    assert_eq!(map.canonical_name("clock_gettime64"), "clock_gettime");
    assert_eq!(map.canonical_name("socketcall"), "socket");
}

/// Cross-check with the CVE call-trace pairs: how many of the pairs with
/// at least 3 CVEs does the curated mapping explain, through the syscall
/// itself or through an object class an fd/path syscall can dispatch to?
/// The rest is reported by category: headers (`include/`, not mapped by
/// design), code chosen by an argument the footprint does not record (the
/// filesystem type of `mount`, the module of `finit_module`), device
/// drivers behind an fd, and the truly unexplained.
#[test]
fn call_trace_evidence_coverage() {
    let map = SubsystemMap::embedded();
    // A file group counts for its bucket (`net/sched:tc` for `net/sched`).
    let bucket = |s: &str| s.split(':').next().unwrap().to_owned();
    let object_subsystems: BTreeSet<String> = map
        .object_rules()
        .iter()
        .flat_map(|r| r.subsystems.iter())
        .chain(map.gated_rules().iter().flat_map(|r| r.subsystems.iter()))
        .map(|s| bucket(s))
        .collect();
    let argument_dependent = [
        "mount",
        "fsconfig",
        "fsmount",
        "init_module",
        "finit_module",
        "delete_module",
        "reboot",
        "acct",
    ];
    let strong: Vec<_> = map.evidence().iter().filter(|p| p.cves >= 3).collect();
    let (mut direct, mut via_object, mut headers, mut by_argument, mut drivers) = (0, 0, 0, 0, 0);
    let mut unexplained = Vec::new();
    for pair in &strong {
        let m = map
            .syscall(&pair.syscall)
            .unwrap_or_else(|| panic!("no row for {}", pair.syscall));
        let subsystem = pair.subsystem.as_str();
        let gated = map.gated_rules().iter().any(|g| {
            g.trigger.label() == format!("syscall {}", m.syscall)
                && g.subsystems.iter().any(|s| bucket(s) == subsystem)
        });
        if m.subsystems.iter().any(|s| bucket(s) == subsystem) || gated {
            direct += 1;
        } else if m.via != Via::Own && object_subsystems.contains(subsystem) {
            via_object += 1;
        } else if subsystem.starts_with("include/") {
            headers += 1;
        } else if argument_dependent.contains(&m.syscall.as_str()) {
            by_argument += 1;
        } else if m.via != Via::Own && subsystem.starts_with("drivers/") {
            drivers += 1;
        } else {
            unexplained.push(format!(
                "{} -> {} ({} CVEs)",
                pair.syscall, subsystem, pair.cves
            ));
        }
    }
    println!(
        "call-trace pairs with >= 3 CVEs: {}; by the syscall: {direct}; by an object class: {via_object}; \
         headers: {headers}; chosen by an unrecorded argument: {by_argument}; device drivers behind an fd: {drivers}; \
         unexplained: {}",
        strong.len(),
        unexplained.len()
    );
    for u in &unexplained {
        println!("  unexplained: {u}");
    }
    for (syscall, subsystem) in [
        ("bpf", "kernel/bpf"),
        ("bpf", "net/bpf"),
        ("io_uring_enter", "io_uring"),
        ("io_uring_register", "io_uring"),
        ("ioctl", "arch/x86/kvm"),
        ("sendto", "net/ipv4"),
        ("ioctl", "fs/ext4"),
        ("unshare", "net/core"),
    ] {
        assert!(
            !unexplained
                .iter()
                .any(|u| u.starts_with(&format!("{syscall} -> {subsystem} "))),
            "{syscall} -> {subsystem}"
        );
    }
    assert!(
        direct + via_object >= strong.len() / 2,
        "mapping explains too little: {direct}+{via_object} of {}",
        strong.len()
    );
    assert!(
        unexplained.len() * 10 <= strong.len(),
        "too many unexplained: {unexplained:?}"
    );
}

#[test]
fn cve_trace_extension_is_opt_in_and_labelled() {
    let fp = footprint(&["mount"], &[]);
    let curated = reach_of_footprint(&fp, SubsystemMap::embedded(), &ReachOptions::default());
    assert!(!curated.contains("fs/f2fs"));
    let options = ReachOptions {
        cve_trace_min_cves: Some(5),
        ..ReachOptions::default()
    };
    let extended = reach_of_footprint(&fp, SubsystemMap::embedded(), &options);
    let f2fs = &extended.per_subsystem["fs/f2fs"];
    assert!(
        matches!(&f2fs[0], Evidence::CveTrace { syscall, cves, .. } if syscall == "mount" && *cves >= 5)
    );
}

/// Cross-check with the CVE -> syscall links: for the links whose evidence
/// is the Confine list or the CVE text naming the syscall, does the
/// mapping reach one of the CVE's subsystems?
#[test]
fn cve_syscall_links_coverage() {
    let map = SubsystemMap::embedded();
    let data = aprof_density::Dataset::embedded();
    // A file group counts for its bucket (`net/sched:tc` for `net/sched`).
    let bucket = |s: &str| s.split(':').next().unwrap().to_owned();
    let object_subsystems: BTreeSet<String> = map
        .object_rules()
        .iter()
        .flat_map(|r| r.subsystems.iter())
        .chain(map.gated_rules().iter().flat_map(|r| r.subsystems.iter()))
        .map(|s| bucket(s))
        .collect();
    let (mut checked, mut hit) = (0, 0);
    for link in map.cve_syscalls() {
        let (Some(record), Some(m)) = (data.get(&link.cve_id), map.syscall(&link.syscall)) else {
            continue;
        };
        if record.subsystems.is_empty() {
            continue;
        }
        checked += 1;
        let reached = record.subsystems.iter().any(|s| {
            m.subsystems.contains(s)
                || (m.via != Via::Own && object_subsystems.contains(s.as_str()))
        });
        hit += usize::from(reached);
    }
    println!("CVE->syscall links with known files: {checked}; mapping reaches a subsystem of the CVE for {hit}");
    assert!(checked > 500);
    assert!(hit * 3 >= checked, "{hit} of {checked}");
}
