//! The catalogue's "measured" interface widths agree with the data they
//! cite, recomputed here from the files shipped in `data/`.

use aprof_footprint::Abi;
use aprof_guard::profile::{docker_default, EvalContext};
use aprof_score::catalogue::built_in_model;
use std::collections::BTreeSet;

fn width(model: &str, layer: &str, from: &str) -> u32 {
    let stack = built_in_model(model).unwrap();
    let l = stack
        .layer(layer)
        .unwrap_or_else(|| panic!("{model} has no {layer}"));
    l.interfaces
        .iter()
        .find(|i| i.from == from)
        .unwrap_or_else(|| panic!("{model}/{layer} has no interface from {from}"))
        .width
}

#[test]
fn container_width_is_what_dockers_default_profile_allows() {
    let ctx = EvalContext::docker_defaults().unwrap();
    let policy = docker_default(&ctx).unwrap().policy;
    let x86 = policy.effective(Abi::X86_64);
    let allowed = Abi::X86_64
        .table()
        .iter()
        .filter(|(name, _)| {
            x86.syscalls
                .get(*name)
                .is_some_and(|rules| rules.iter().any(|r| r.action.reaches_kernel()))
        })
        .count() as u32;
    assert_eq!(width("container", "host-kernel", "libraries"), allowed);
}

#[test]
fn microvm_host_width_is_firecrackers_filter_union() {
    let v: serde_json::Value = serde_json::from_str(include_str!(
        "../../../data/profiles/firecracker-x86_64.json"
    ))
    .unwrap();
    let names: BTreeSet<&str> = v
        .as_object()
        .unwrap()
        .values()
        .flat_map(|thread| {
            thread["filter"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["syscall"].as_str().unwrap())
        })
        .collect();
    assert_eq!(width("microvm", "host-kernel", "vmm"), names.len() as u32);
}

#[test]
fn shared_login_width_is_the_whole_syscall_table() {
    assert_eq!(
        width("shared-login", "host-kernel", "libraries") as usize,
        Abi::X86_64.table().len()
    );
}

/// The "measured" densities are computed from the embedded data when the
/// model is read; recomputed here from the data and the line counts with
/// this test's own code. The CVE counts were computed from the data's
/// kernel_cves.csv independently (fix dates 2024-01-08..2026-08-16): 85 CVEs
/// touched arch/x86/kvm or virt/kvm, 4,652 the non-driver kernel.
#[test]
fn measured_densities_are_recomputed_from_the_data() {
    let years = 952.0 / 365.2425;
    let lines = |buckets: &[&str]| -> f64 {
        include_str!("../../../data/kernel/lines-6.1.tsv")
            .lines()
            .filter_map(|l| {
                let c: Vec<&str> = l.split('\t').collect();
                (c.len() == 3 && buckets.contains(&c[0])).then(|| c[2].parse::<f64>().unwrap())
            })
            .sum::<f64>()
            / 1000.0
    };
    let vm = built_in_model("vm").unwrap();
    let kvm = vm.layer("kvm").unwrap();
    let kloc = lines(&["arch/x86/kvm", "virt/kvm"]);
    assert!((kvm.size_kloc - kloc).abs() < 1e-9);
    assert!(
        (kvm.weight() - 85.0 / years).abs() < 1e-6,
        "{}",
        kvm.weight()
    );
    assert!(
        kvm.density_source.note.contains("85 CVEs"),
        "{}",
        kvm.density_source.note
    );
    // Userspace: the non-driver kernel's rate per line.
    let m = aprof_density::measures::non_driver_kernel();
    assert_eq!(m.cves, 4652);
    let app = vm.layer("application").unwrap();
    assert!((app.density - 4652.0 / years / m.kloc).abs() < 1e-9);
    for stack in aprof_score::catalogue::built_in() {
        for layer in &stack.layers {
            if layer.density_source.basis == aprof_score::stack::Basis::Measured
                && !layer.kernel_reach
            {
                assert!(
                    layer.density_source.note.contains("computed at load"),
                    "{}/{}: a measured density must be computed, not written in",
                    stack.name,
                    layer.name
                );
            }
        }
    }
}
