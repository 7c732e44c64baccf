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
