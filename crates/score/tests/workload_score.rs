//! Scoring measured workloads: the reach drives the VAP, the guard bounds
//! the exposed HAP, and exposed is never below observed.

use aprof_density::{RateTable, SubsystemMap, UserNamespaces};
use aprof_footprint::{Abi, Environment, Footprint, ObjectClass, Process};
use aprof_guard::{AbiPolicy, Action, ArgCondition, CmpOp, Policy, Rule};
use aprof_score::catalogue::{built_in, built_in_model};
use aprof_score::profile::model_containment;
use aprof_score::workload::{score, Guard, UserDensity, WorkloadInputs, WorkloadProfile};
use proptest::prelude::*;

fn run(fp: &Footprint, model: &str, guard: Guard) -> WorkloadProfile {
    let stack = built_in_model(model).unwrap();
    let inputs = WorkloadInputs {
        footprint: fp,
        model: &stack,
        guard,
        rates: RateTable::embedded(),
        map: SubsystemMap::embedded(),
        user_density: UserDensity::standard(),
        containment: model_containment(&stack),
    };
    score(&inputs).unwrap().profile
}

fn footprint(calls: &[&str]) -> Footprint {
    let mut fp = Footprint::new(Environment::default());
    fp.processes.push(Process::default());
    for c in calls {
        let nr = Abi::X86_64
            .table()
            .number(c)
            .unwrap_or_else(|| panic!("{c}"));
        fp.count_syscall(Abi::X86_64, nr, None, 0);
    }
    fp
}

fn subsystems(p: &WorkloadProfile) -> Vec<&str> {
    p.kernel
        .terms
        .iter()
        .map(|t| t.subsystem.as_str())
        .collect()
}

#[test]
fn sockets_reach_net_files_reach_fs_and_kvm_ioctls_reach_kvm() {
    let mut fp = footprint(&["socket", "connect", "read", "write", "openat", "ioctl"]);
    fp.count_object(
        ObjectClass::Socket {
            family: "AF_INET".into(),
            socket_type: "SOCK_STREAM".into(),
            protocol: "TCP".into(),
        },
        "read",
    );
    fp.count_object(
        ObjectClass::File {
            fstype: "ext4".into(),
        },
        "read",
    );
    fp.count_object(
        ObjectClass::CharDevice {
            major: 10,
            minor: 232,
            driver: "kvm".into(),
        },
        "ioctl",
    );
    let p = run(&fp, "physical", Guard::None);
    let s = subsystems(&p);
    for want in [
        "net/ipv4",
        "net/core",
        "net/sched:egress",
        "fs",
        "fs/ext4",
        "virt/kvm",
        "arch/x86/kvm",
    ] {
        assert!(s.contains(&want), "{want} missing from {s:?}");
    }
    assert!(
        !s.contains(&"net/sched:tc"),
        "a TCP socket does not configure tc"
    );
    let kernel: f64 = p.kernel.baseline.as_ref().map_or(0.0, |b| b.value)
        + p.kernel.terms.iter().map(|t| t.value).sum::<f64>()
        + p.kernel.gated_value();
    assert!(
        (kernel - p.kernel_vap).abs() < 1e-9,
        "the kernel VAP is the sum of its terms"
    );
    let sum = p.kernel_vap + p.code_terms.iter().map(|c| c.value).sum::<f64>();
    assert!((sum - p.vap).abs() < 1e-9, "VAP is the sum of its terms");
    assert_eq!(p.unit, "CVE fixes per year");
}

#[test]
fn a_container_reaches_its_runtime_and_not_refused_families() {
    let mut fp = footprint(&["socket", "write"]);
    fp.count_argument("socket", 0, "family", 31, Some("AF_BLUETOOTH".into()));
    let container = run(&fp, "container", Guard::None);
    let s = subsystems(&container);
    for want in [
        "fs/overlayfs",
        "net/bridge",
        "drivers/net:veth",
        "net/netfilter:conntrack",
    ] {
        assert!(s.contains(&want), "{want} missing from {s:?}");
    }
    assert!(
        !s.contains(&"net/bluetooth"),
        "refused outside the initial netns"
    );
    assert!(container
        .refused_families
        .iter()
        .any(|f| f == "AF_BLUETOOTH"));
    let physical = run(&fp, "physical", Guard::None);
    assert!(subsystems(&physical).contains(&"net/bluetooth"));
    assert!(!subsystems(&physical).contains(&"fs/overlayfs"));
}

#[test]
fn a_guard_that_allows_user_namespaces_opens_the_net_admin_gate() {
    let fp = footprint(&["read", "write", "exit_group"]);
    // shared-login: no seccomp, a host that allows unprivileged user namespaces.
    let open = run(&fp, "shared-login", Guard::None);
    assert!(matches!(
        open.privileges.user_namespaces_exposed,
        UserNamespaces::Allowed(_)
    ));
    let gate = |p: &WorkloadProfile| {
        p.exposed_hap
            .kernel
            .as_ref()
            .unwrap()
            .gated
            .iter()
            .find(|g| g.gate == "CAP_NET_ADMIN@net")
            .cloned()
            .unwrap()
    };
    let g = gate(&open);
    assert!(g.counted && g.cves > 100, "{g:?}");
    // Docker's profile denies unshare and clone with CLONE_NEWUSER: the same reach, not counted.
    let docker = run(
        &fp,
        "shared-login",
        Guard::Seccomp {
            label: "docker-default".into(),
            policy: aprof_score::guards::docker_default(),
        },
    );
    assert!(!gate(&docker).counted);
    // The observed HAP counts no user namespace the workload did not create.
    assert!(matches!(
        open.privileges.user_namespaces_observed,
        UserNamespaces::Denied(_)
    ));
}

#[test]
fn a_guard_lowers_the_exposed_hap_and_a_container_shares_the_kernel() {
    let fp = footprint(&["read", "write", "exit_group"]);
    let open = run(&fp, "container", Guard::None);
    let mut abi = AbiPolicy::new(Action::Errno(1));
    for c in ["read", "write", "exit_group"] {
        abi.add_rule(
            c,
            Rule {
                action: Action::Allow,
                conditions: vec![],
            },
        );
    }
    let tight = Policy {
        abis: [(Abi::X86_64, abi)].into_iter().collect(),
        other_abi_action: Action::KillProcess,
    };
    let guarded = run(
        &fp,
        "container",
        Guard::Seccomp {
            label: "tight".into(),
            policy: &tight,
        },
    );
    assert!(guarded.exposed_hap.value < open.exposed_hap.value);
    assert!(
        (guarded.exposed_hap.value - guarded.observed_hap.value).abs() < 1e-9,
        "an exact allow-list exposes what was observed"
    );
    assert!(open.syscall_layer_shared && open.observed_hap.value > 0.0);
    let vm = run(&fp, "vm", Guard::None);
    assert!(
        vm.observed_hap.kernel.is_none(),
        "a VM's guest kernel is not shared"
    );
    assert_eq!(
        vm.provider_vap, 0.0,
        "the VM tenant owns the kernel it reaches"
    );
}

#[test]
fn socket_family_conditions_bound_the_exposed_network_code() {
    let fp = footprint(&["socket", "exit_group"]);
    let mut abi = AbiPolicy::new(Action::Errno(1));
    abi.add_rule(
        "exit_group",
        Rule {
            action: Action::Allow,
            conditions: vec![],
        },
    );
    abi.add_rule(
        "socket",
        Rule {
            action: Action::Allow,
            conditions: vec![ArgCondition {
                index: 0,
                op: CmpOp::Eq,
                value: 1,
            }],
        },
    );
    let unix_only = Policy {
        abis: [(Abi::X86_64, abi)].into_iter().collect(),
        other_abi_action: Action::KillProcess,
    };
    let p = run(
        &fp,
        "container",
        Guard::Seccomp {
            label: "unix".into(),
            policy: &unix_only,
        },
    );
    let exposed: Vec<&str> = p
        .exposed_hap
        .kernel
        .as_ref()
        .unwrap()
        .terms
        .iter()
        .map(|t| t.subsystem.as_str())
        .collect();
    assert!(exposed.contains(&"net/unix"), "{exposed:?}");
    assert!(!exposed.contains(&"net/ipv4"), "{exposed:?}");
}

const CALLS: &[&str] = &[
    "read",
    "write",
    "openat",
    "close",
    "mmap",
    "socket",
    "connect",
    "ioctl",
    "bpf",
    "io_uring_setup",
    "keyctl",
    "clone",
    "futex",
    "epoll_wait",
    "sendmsg",
    "mount",
    "ptrace",
    "perf_event_open",
];

fn classes() -> Vec<ObjectClass> {
    vec![
        ObjectClass::Pipe,
        ObjectClass::File {
            fstype: "ext4".into(),
        },
        ObjectClass::File {
            fstype: "tmpfs".into(),
        },
        ObjectClass::Socket {
            family: "AF_UNIX".into(),
            socket_type: "SOCK_STREAM".into(),
            protocol: String::new(),
        },
        ObjectClass::Socket {
            family: "AF_INET6".into(),
            socket_type: "SOCK_DGRAM".into(),
            protocol: "UDP".into(),
        },
        ObjectClass::AnonInode {
            name: "[eventfd]".into(),
        },
        ObjectClass::CharDevice {
            major: 1,
            minor: 3,
            driver: "mem".into(),
        },
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn exposed_is_never_below_observed(
        used in proptest::sample::subsequence(CALLS.to_vec(), 0..CALLS.len()),
        objects in proptest::sample::subsequence(classes(), 0..7),
        allowed in proptest::sample::subsequence(CALLS.to_vec(), 0..CALLS.len()),
        family in 0u64..46,
        guarded in any::<bool>(),
        model_index in 0usize..8,
    ) {
        let mut fp = footprint(&used);
        for o in objects {
            fp.count_object(o, "read");
        }
        fp.count_argument("socket", 0, "family", family, None);
        let mut abi = AbiPolicy::new(Action::Errno(1));
        for c in &allowed {
            abi.add_rule(c, Rule { action: Action::Allow, conditions: vec![] });
        }
        let policy = Policy { abis: [(Abi::X86_64, abi)].into_iter().collect(), other_abi_action: Action::KillProcess };
        let guard = if guarded { Guard::Seccomp { label: "random".into(), policy: &policy } } else { Guard::None };
        let model = built_in()[model_index].name.clone();
        let p = run(&fp, &model, guard);
        prop_assert!(p.exposed_hap.value + 1e-9 >= p.observed_hap.value, "{model}: exposed {} < observed {}", p.exposed_hap.value, p.observed_hap.value);
        prop_assert!(p.removable_by_generated_profile >= -1e-9);
    }
}
