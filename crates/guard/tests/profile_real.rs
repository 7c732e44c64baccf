//! Real profiles from data/profiles parsed and evaluated; the figures are
//! the ones the profiles' authors publish or that follow from their text.

use aprof_footprint::Abi;
use aprof_guard::profile::{
    docker_default, load_file, EvalContext, KernelVersion, ProfileFormat, DOCKER_DEFAULT_CAPS,
};
use aprof_guard::{Action, CmpOp};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/profiles")
        .join(name)
}

fn ctx(caps: &[&str], kernel: &str) -> EvalContext {
    EvalContext::new(
        caps.iter().map(|c| c.to_string()).collect(),
        kernel.parse::<KernelVersion>().unwrap(),
    )
}

fn default_ctx() -> EvalContext {
    ctx(&DOCKER_DEFAULT_CAPS, "6.8")
}

/// Allowed syscall names of `abi`, split into unconditional and conditional.
fn allowed(policy: &aprof_guard::Policy, abi: Abi) -> (BTreeSet<String>, BTreeSet<String>) {
    let p = policy.effective(abi);
    let mut plain = BTreeSet::new();
    let mut conditional = BTreeSet::new();
    for (name, _) in abi.table().iter() {
        let rules = p.syscalls.get(name).map_or(&[][..], |r| r.as_slice());
        let unconditional = match rules {
            [] => Some(p.default_action),
            [only] if only.conditions.is_empty() => Some(only.action),
            _ => None,
        };
        match unconditional {
            Some(action) if action.reaches_kernel() => {
                plain.insert(name.to_string());
            }
            Some(_) => {}
            None if rules.iter().any(|r| r.action.reaches_kernel()) => {
                conditional.insert(name.to_string());
            }
            None => {}
        }
    }
    (plain, conditional)
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
fn docker_default_allows_every_x86_64_syscall_its_file_allows_3_conditionally() {
    let profile = docker_default(&default_ctx()).unwrap();
    let (plain, conditional) = allowed(&profile.policy, Abi::X86_64);
    let conditional: Vec<_> = conditional.into_iter().collect();
    assert_eq!(conditional, ["clone", "personality", "socket"]);
    assert_eq!(
        plain.len() + conditional.len(),
        docker_default_allowed(),
        "unconditional: {plain:?}"
    );
    // recv, send and riscv_hwprobe have no x86 number but are real names.
    assert!(
        profile.unknown_syscalls.is_empty(),
        "{:?}",
        profile.unknown_syscalls
    );
    assert!(profile.policy.abis.contains_key(&Abi::I386));
    assert!(profile.policy.abis.contains_key(&Abi::X32));
    assert_eq!(
        profile.policy.effective(Abi::X86_64).default_action,
        Action::Errno(1)
    );
}

#[test]
fn docker_default_names_the_x86_64_table_lacks() {
    let text = std::fs::read_to_string(data("docker-default.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let table = Abi::X86_64.table();
    let mut missing = BTreeSet::new();
    for entry in json["syscalls"].as_array().unwrap() {
        for name in entry["names"].as_array().unwrap() {
            let name = name.as_str().unwrap();
            if table.number(name).is_none() {
                missing.insert(name.to_string());
            }
        }
    }
    eprintln!(
        "{} names of docker-default are not x86_64 syscalls: {missing:?}",
        missing.len()
    );
    // 32-bit-only and other architectures' calls, never x86_64 ones.
    assert!(missing.contains("chown32") && missing.contains("arm_fadvise64_64"));
    assert!(!missing.contains("read"));
}

#[test]
fn docker_default_conditions_are_the_published_ones() {
    let profile = docker_default(&default_ctx()).unwrap();
    let x86_64 = &profile.policy.abis[&Abi::X86_64];
    let clone = &x86_64.syscalls["clone"];
    assert_eq!(clone.len(), 1);
    assert_eq!(clone[0].conditions[0].op, CmpOp::MaskedEq(0x7e02_0000));
    assert_eq!(clone[0].conditions[0].value, 0);
    // CLONE_NEWUSER is refused, a plain fork-like clone is not.
    let mut args = [0u64; 6];
    args[0] = 0x1000_0000;
    assert_eq!(x86_64.action("clone", &args), Action::Errno(1));
    args[0] = 0x11;
    assert_eq!(x86_64.action("clone", &args), Action::Allow);
    // socket: every family except AF_VSOCK (40).
    for (family, expected) in [
        (2, Action::Allow),
        (40, Action::Errno(1)),
        (41, Action::Allow),
    ] {
        args[0] = family;
        assert_eq!(x86_64.action("socket", &args), expected, "family {family}");
    }
    assert_eq!(x86_64.syscalls["personality"].len(), 5);
    assert_eq!(x86_64.action("clone3", &[0; 6]), Action::Errno(38));
}

#[test]
fn docker_default_follows_capabilities_and_kernel() {
    let with_admin: Vec<&str> = DOCKER_DEFAULT_CAPS
        .iter()
        .copied()
        .chain(["CAP_SYS_ADMIN"])
        .collect();
    let admin = docker_default(&ctx(&with_admin, "6.8")).unwrap();
    let x86_64 = &admin.policy.abis[&Abi::X86_64];
    // CAP_SYS_ADMIN allows mount and unconditional clone, and clone3.
    assert_eq!(x86_64.action("mount", &[0; 6]), Action::Allow);
    assert_eq!(
        x86_64.action("clone", &[0x1000_0000, 0, 0, 0, 0, 0]),
        Action::Allow
    );
    assert_eq!(x86_64.action("clone3", &[0; 6]), Action::Allow);

    // ptrace needs kernel 4.8 without CAP_SYS_PTRACE.
    let old = docker_default(&ctx(&DOCKER_DEFAULT_CAPS, "4.4")).unwrap();
    assert_eq!(
        old.policy.abis[&Abi::X86_64].action("ptrace", &[0; 6]),
        Action::Errno(1)
    );
    let new = docker_default(&default_ctx()).unwrap();
    assert_eq!(
        new.policy.abis[&Abi::X86_64].action("ptrace", &[0; 6]),
        Action::Allow
    );
}

#[test]
fn docker_example_fixture() {
    let profiles = load_file(
        &data("docker-example.json"),
        ProfileFormat::Auto,
        &default_ctx(),
    )
    .unwrap();
    assert_eq!(profiles.len(), 1);
    let p = &profiles[0];
    assert_eq!(p.format, ProfileFormat::Docker);
    // No architectures: only the native ABI is covered.
    assert_eq!(
        p.policy.abis.keys().copied().collect::<Vec<_>>(),
        [Abi::X86_64]
    );
    let x = &p.policy.abis[&Abi::X86_64];
    assert_eq!(x.action("open", &[0; 6]), Action::Allow);
    // errnoRet 12345 equals no default, so the rule stays.
    assert_eq!(x.action("syslog", &[0; 6]), Action::Errno(12345));
    assert_eq!(x.action("read", &[0; 6]), Action::Errno(1));
    assert_eq!(
        p.policy.action(Abi::I386, "read", &[0; 6]),
        Action::KillThread
    );
}

#[test]
fn docker_conditional_include_fixture() {
    let path = data("docker-conditional-include.json");
    let none = load_file(&path, ProfileFormat::Docker, &ctx(&[], "6.8")).unwrap();
    let x = &none[0].policy.abis[&Abi::X86_64];
    assert_eq!(x.action("chmod", &[0; 6]), Action::Allow);
    assert_eq!(x.action("syslog", &[0; 6]), Action::Errno(1));
    assert_eq!(x.action("ptrace", &[0; 6]), Action::Allow);
    let admin = load_file(
        &path,
        ProfileFormat::Docker,
        &ctx(&["CAP_SYS_ADMIN", "CAP_SYSLOG"], "6.8"),
    )
    .unwrap();
    let x = &admin[0].policy.abis[&Abi::X86_64];
    assert_eq!(x.action("syslog", &[0; 6]), Action::Allow);
    assert_eq!(x.action("ptrace", &[0; 6]), Action::Errno(1));
}

#[test]
fn spo_example_has_its_documents() {
    let profiles = load_file(
        &data("spo-seccompprofile.yaml"),
        ProfileFormat::Auto,
        &default_ctx(),
    )
    .unwrap();
    let names: Vec<_> = profiles.iter().map(|p| p.name.clone()).collect();
    eprintln!("{names:?}");
    assert!(profiles.len() >= 4, "{names:?}");
    assert!(profiles.iter().all(|p| p.format == ProfileFormat::Spo));
    let block_all = &profiles[0].policy.abis[&Abi::X86_64];
    assert!(names[0].contains("profile-block-all"));
    assert_eq!(block_all.action("read", &[0; 6]), Action::Errno(1));
    assert!(block_all.syscalls.is_empty());
    let complain = profiles
        .iter()
        .find(|p| p.name.contains("profile-complain-block-high-risk"))
        .unwrap();
    let x = &complain.policy.abis[&Abi::X86_64];
    assert_eq!(x.default_action, Action::Log);
    assert_eq!(x.action("bpf", &[0; 6]), Action::Errno(1));
    assert_eq!(x.action("futex", &[0; 6]), Action::Allow);
    assert_eq!(x.action("read", &[0; 6]), Action::Log);
}

#[test]
fn firecracker_filters_allow_50_host_syscalls_together() {
    let profiles = load_file(
        &data("firecracker-x86_64.json"),
        ProfileFormat::Auto,
        &default_ctx(),
    )
    .unwrap();
    let names: Vec<_> = profiles
        .iter()
        .map(|p| p.name.rsplit('(').next().unwrap().to_string())
        .collect();
    assert_eq!(names, ["api)", "vcpu)", "vmm)"]);
    let mut union = BTreeSet::new();
    for p in &profiles {
        assert_eq!(p.format, ProfileFormat::Seccompiler);
        assert!(p.unknown_syscalls.is_empty(), "{:?}", p.unknown_syscalls);
        let (plain, conditional) = allowed(&p.policy, Abi::X86_64);
        union.extend(plain);
        union.extend(conditional);
        // Another arch kills the process; x32 numbers fall to the default.
        assert_eq!(
            p.policy.action(Abi::I386, "read", &[0; 6]),
            Action::KillProcess
        );
        assert_eq!(p.policy.action(Abi::X32, "read", &[0; 6]), Action::Trap(0));
    }
    assert_eq!(union.len(), 50, "{union:?}");
    // fcntl(fd, F_SETFD, FD_CLOEXEC) only; dword conditions read the low half.
    let vmm = &profiles[2].policy.abis[&Abi::X86_64];
    let fcntl = &vmm.syscalls["fcntl"];
    assert!(fcntl.iter().all(|r| !r.conditions.is_empty()));
    assert_eq!(vmm.action("fcntl", &[3, 2, 1, 0, 0, 0]), Action::Allow);
    assert_eq!(
        vmm.action("fcntl", &[3, (1 << 32) | 2, 1, 0, 0, 0]),
        Action::Allow
    );
    assert_eq!(vmm.action("fcntl", &[3, 4, 1, 0, 0, 0]), Action::Trap(0));
}

/// runc's own test profile and the verdicts its `seccomp_syscall_test1.c`
/// expects from the kernel (EPERM/ENOSYS = blocked; any other result means
/// the call reached the kernel). runc answers ENOSYS where a syscall with
/// rules matches none (its "FIXME" cases); the policy says the default,
/// EPERM: blocked either way.
#[test]
fn runc_test_profile_gives_runcs_expected_verdicts() {
    let profiles = load_file(
        &data("runc-seccomp-syscall-test1.json"),
        ProfileFormat::Auto,
        &default_ctx(),
    )
    .unwrap();
    let p = &profiles[0];
    assert_eq!(p.format, ProfileFormat::Oci);
    assert!(
        p.notes.iter().any(|n| n.contains("AARCH64")),
        "{:?}",
        p.notes
    );
    let x = &p.policy.abis[&Abi::X86_64];
    let call = |name: &str, args: &[u64]| {
        let mut a = [0u64; 6];
        a[..args.len()].copy_from_slice(args);
        x.action(name, &a)
    };
    let (allow, eperm) = (Action::Allow, Action::Errno(1));
    // Masked rule: (protocol & 0xf00) == 0.
    assert_eq!(call("socket", &[1, 1, 0x000]), allow);
    assert_eq!(call("socket", &[1, 1, 0x0ff]), allow);
    assert_eq!(call("socket", &[1, 1, 0x001]), allow);
    assert_eq!(call("socket", &[1, 1, 0x100]), eperm);
    assert_eq!(call("socket", &[1, 1, 0xc00]), eperm);
    // One entry testing arg0 twice: OR.
    assert_eq!(call("process_vm_readv", &[100]), allow);
    assert_eq!(call("process_vm_readv", &[9001]), allow);
    assert_eq!(call("process_vm_readv", &[0]), eperm);
    assert_eq!(call("process_vm_writev", &[1337]), Action::Errno(55));
    assert_eq!(call("process_vm_writev", &[2020]), Action::Errno(55));
    assert_eq!(call("process_vm_writev", &[0]), eperm);
    // Different arguments: AND.
    assert_eq!(call("kcmp", &[0, 1337]), allow);
    assert_eq!(call("kcmp", &[0, 0]), eperm);
    assert_eq!(call("kcmp", &[500, 1337]), eperm);
    assert_eq!(call("kcmp", &[500, 500]), eperm);
    // Two entries for one syscall: OR.
    assert_eq!(call("dup3", &[0]), eperm);
    assert_eq!(call("dup3", &[1]), allow);
    assert_eq!(call("dup3", &[2]), eperm);
    assert_eq!(call("dup3", &[3]), allow);
    assert_eq!(call("unshare", &[0]), eperm);
    assert_eq!(call("setns", &[0, 0]), eperm);
    assert_eq!(call("write", &[u64::MAX]), allow);
    // All three x86 ABIs are listed.
    assert_eq!(p.policy.abis.len(), 3);
}
