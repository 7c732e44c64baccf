//! The conclusions of the attack-profile seed, stated as properties of the
//! built-in catalogue. A change of a default that breaks one of them must be
//! a deliberate change of this file.

use aprof_score::catalogue::{apply_override, built_in, built_in_model};
use aprof_score::{profile, Profile};

fn p(name: &str) -> Profile {
    profile(&built_in_model(name).unwrap_or_else(|| panic!("no built-in model {name}")))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn catalogue_has_the_eight_models() {
    let names: Vec<String> = built_in().into_iter().map(|s| s.name).collect();
    for m in [
        "physical",
        "shared-login",
        "vm",
        "container",
        "nested-container",
        "gvisor",
        "microvm",
        "unikernel",
    ] {
        assert!(names.iter().any(|n| n == m), "missing {m} in {names:?}");
    }
}

#[test]
fn physical_has_no_hap_and_the_tenant_owns_everything() {
    let phys = p("physical");
    assert_eq!(phys.hap.value, 0.0);
    assert!(phys.hap.terms.is_empty());
    assert!(close(phys.tenant_vap.value, phys.total_vap.value));
    assert_eq!(phys.provider_vap.value, 0.0);
}

#[test]
fn shared_login_has_the_largest_hap_and_the_smallest_tenant_vap() {
    let login = p("shared-login");
    for other in built_in()
        .iter()
        .filter(|s| s.name != "shared-login")
        .map(profile)
    {
        assert!(
            login.hap.value > other.hap.value,
            "HAP: shared-login {} vs {} {}",
            login.hap.value,
            other.model,
            other.hap.value
        );
        assert!(
            login.tenant_vap.value < other.tenant_vap.value,
            "tenant VAP: shared-login vs {}",
            other.model
        );
    }
}

#[test]
fn vm_adds_host_code_keeps_tenant_vap_and_has_a_narrow_hap() {
    let (vm, phys, cont) = (p("vm"), p("physical"), p("container"));
    assert!(
        vm.total_vap.value > phys.total_vap.value,
        "guest plus host kernel"
    );
    assert!(close(vm.tenant_vap.value, phys.tenant_vap.value));
    assert!(vm.hap.value > phys.hap.value);
    // "Far below": the seed's order of magnitude, measured as at least 5x.
    assert!(
        vm.hap.value * 5.0 < cont.hap.value,
        "vm HAP {} vs container {}",
        vm.hap.value,
        cont.hap.value
    );
    // The width ratio counts hypercalls and the emulated devices.
    let ratio = cont.hap_width as f64 / vm.hap_width as f64;
    assert!(
        ratio > 5.0,
        "container {} vs vm {} entry points",
        cont.hap_width,
        vm.hap_width
    );
    assert!(vm.hap_interfaces.iter().any(|i| i.contains("hypercalls")));
    assert!(vm.hap_interfaces.iter().any(|i| i.contains("devices")));
}

#[test]
fn container_keeps_physical_vap_with_half_owned_by_the_tenant() {
    let (cont, phys, login) = (p("container"), p("physical"), p("shared-login"));
    assert!(close(cont.total_vap.value, phys.total_vap.value));
    assert!(
        (0.4..=0.6).contains(&cont.tenant_share),
        "tenant share {}",
        cont.tenant_share
    );
    assert!(cont.hap.value > 0.0 && cont.hap.value < login.hap.value);
    assert!(cont.hap_width < login.hap_width);
}

#[test]
fn nested_container_gives_the_guest_kernel_back_to_the_tenant() {
    let (nested, cont, vm) = (p("nested-container"), p("container"), p("vm"));
    assert!(nested.tenant_vap.value > cont.tenant_vap.value);
    assert!(close(nested.hap.value, vm.hap.value));
}

#[test]
fn sandbox_hap_is_below_the_container_and_its_owner_is_a_setting() {
    let cont = p("container");
    let mut stack = built_in_model("gvisor").unwrap();
    let provider_side = profile(&stack);
    assert!(provider_side.hap.value < cont.hap.value);
    stack.set_sandbox_in_tenant(true);
    let tenant_side = profile(&stack);
    assert!(tenant_side.hap.value < cont.hap.value);
    assert!(
        tenant_side.tenant_vap.value > provider_side.tenant_vap.value,
        "the emulator joins the tenant VAP"
    );
    assert!(
        tenant_side
            .hap_interfaces
            .iter()
            .any(|i| i.contains("host-kernel")),
        "{:?}",
        tenant_side.hap_interfaces
    );
}

#[test]
fn every_figure_is_the_sum_of_its_terms() {
    for prof in built_in().iter().map(profile) {
        for m in [
            &prof.total_vap,
            &prof.tenant_vap,
            &prof.provider_vap,
            &prof.hap,
        ] {
            let sum: f64 = m
                .terms
                .iter()
                .map(|t| t.size_kloc * t.density * t.share)
                .sum();
            assert!(
                close(sum, m.value),
                "{}: {} != {}",
                prof.model,
                sum,
                m.value
            );
        }
        assert!(close(
            prof.tenant_vap.value + prof.provider_vap.value,
            prof.total_vap.value
        ));
    }
}

#[test]
fn overrides_change_the_numbers_and_bad_ones_are_refused() {
    let mut stacks = built_in();
    let before = stacks
        .iter()
        .find(|s| s.name == "container")
        .map(profile)
        .unwrap();
    apply_override(&mut stacks, "container.host-kernel.size_kloc=4000").unwrap();
    let after = stacks
        .iter()
        .find(|s| s.name == "container")
        .map(profile)
        .unwrap();
    assert!(after.hap.value > before.hap.value * 1.9);
    assert!(apply_override(&mut stacks, "container.nope.size_kloc=1").is_err());
    assert!(apply_override(&mut stacks, "container.host-kernel.size_kloc=-1").is_err());
    assert!(apply_override(&mut stacks, "garbage").is_err());
}
