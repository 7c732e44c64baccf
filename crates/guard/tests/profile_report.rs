//! The report of real profiles: counts, lists, conditions, blocked
//! actions, and differences to a reference.

use aprof_footprint::Abi;
use aprof_guard::profile::{
    docker_default, load_file, EvalContext, ProfileFormat, DOCKER_DEFAULT_CAPS,
};
use aprof_guard::report::{abi_report, diff, verdict, GuardReport, Verdict};
use aprof_guard::Action;
use std::path::PathBuf;

fn ctx(extra: &[&str]) -> EvalContext {
    EvalContext::new(
        DOCKER_DEFAULT_CAPS
            .iter()
            .chain(extra)
            .map(|c| c.to_string())
            .collect(),
        "6.8".parse().unwrap(),
    )
}

/// How many x86_64 syscalls Docker's default profile allows with its
/// default capabilities on 6.8, computed from the profile file itself
/// (serde_json and moby's rules), not by the parser under test.
fn docker_default_allowed() -> usize {
    aprof_testkit::reference::docker_allowed_x86_64(
        &aprof_testkit::reference::data_dir().join("profiles/docker-default.json"),
        &aprof_testkit::reference::MOBY_DEFAULT_CAPS,
        (6, 8),
    )
    .len()
}

#[test]
fn docker_default_report_counts() {
    let p = docker_default(&ctx(&[])).unwrap();
    let r = abi_report(&p.policy, Abi::X86_64);
    assert!(r.covered);
    assert_eq!(r.allowed_count, docker_default_allowed());
    assert_eq!(r.allowed.len(), docker_default_allowed() - 3);
    let conditional: Vec<_> = r.conditional.iter().map(|c| c.syscall.as_str()).collect();
    assert_eq!(conditional, ["clone", "personality", "socket"]);
    assert_eq!(
        r.allowed.len() + r.conditional.len() + r.blocked.len(),
        r.table_size
    );
    let clone3 = r.blocked.iter().find(|b| b.syscall == "clone3").unwrap();
    assert_eq!(clone3.action, Action::Errno(38));
    let socket = &r.conditional[2];
    assert_eq!(
        socket.summary,
        "allow if arg0 < 0x26; allow if arg0 == 0x27; allow if arg0 > 0x28; else errno 1"
    );
    // i386 is covered too, with its own names.
    let i386 = abi_report(&p.policy, Abi::I386);
    assert!(i386.allowed.iter().any(|a| a.syscall == "chown32"));
}

#[test]
fn diff_to_itself_is_empty_and_capabilities_show_up() {
    let base = docker_default(&ctx(&[])).unwrap().policy;
    let same = diff(&base, &base, "docker-default", &Abi::ALL);
    assert!(same
        .abis
        .iter()
        .all(|d| d.added.is_empty() && d.removed.is_empty() && d.changed.is_empty()));

    let admin = docker_default(&ctx(&["CAP_SYS_ADMIN"])).unwrap().policy;
    let d = &diff(&admin, &base, "docker-default", &[Abi::X86_64]).abis[0];
    for name in ["mount", "unshare", "setns", "clone3", "bpf"] {
        assert!(
            d.added.iter().any(|a| a == name),
            "{name} not added: {:?}",
            d.added
        );
    }
    assert!(d.removed.is_empty(), "{:?}", d.removed);
    let clone = d.changed.iter().find(|c| c.syscall == "clone").unwrap();
    assert!(matches!(clone.reference, Verdict::Conditional { .. }));
    assert_eq!(
        clone.profile,
        Verdict::Allowed {
            action: Action::Allow
        }
    );
}

#[test]
fn podman_profile_socket_rules_depend_on_audit_write() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/profiles/podman-seccomp.json");
    let with = &load_file(&path, ProfileFormat::Auto, &ctx(&[])).unwrap()[0];
    let x = &with.policy.abis[&Abi::X86_64];
    assert_eq!(x.default_action, Action::Errno(38));
    assert_eq!(
        verdict(x, "socket"),
        Verdict::Allowed {
            action: Action::Allow
        }
    );
    // Blocked explicitly with EPERM, unlike the ENOSYS default.
    assert_eq!(x.action("vmsplice", &[0; 6]), Action::Errno(1));

    let none = EvalContext::new(Default::default(), "6.8".parse().unwrap());
    let without = &load_file(&path, ProfileFormat::Auto, &none).unwrap()[0];
    let x = &without.policy.abis[&Abi::X86_64];
    // NETLINK_AUDIT sockets get EINVAL, others are allowed.
    assert_eq!(x.action("socket", &[16, 3, 9, 0, 0, 0]), Action::Errno(22));
    assert_eq!(x.action("socket", &[16, 3, 0, 0, 0, 0]), Action::Allow);
    assert_eq!(x.action("socket", &[2, 1, 9, 0, 0, 0]), Action::Allow);
    assert!(matches!(verdict(x, "socket"), Verdict::Conditional { .. }));
    assert_eq!(x.action("chroot", &[0; 6]), Action::Errno(1));
}

#[test]
fn guard_report_json_and_table() {
    let p = docker_default(&ctx(&[])).unwrap();
    let r = GuardReport::new(
        "docker-default",
        "docker",
        &p.policy,
        &Abi::ALL,
        Some(("docker-default", &p.policy)),
    );
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["abis"][0]["abi"], "x86_64");
    assert_eq!(json["abis"][0]["allowed_count"], docker_default_allowed());
    assert_eq!(
        json["abis"][0]["conditional"][0]["rules"][0]["conditions"][0]["op"]["masked_eq"],
        0x7e02_0000u64
    );
    assert_eq!(
        json["diff"]["abis"][0]["added"].as_array().unwrap().len(),
        0
    );
    let table = r.to_table();
    assert!(
        table.contains(&docker_default_allowed().to_string())
            && table.contains("clone3")
            && table.contains("Difference to docker-default")
    );
}
