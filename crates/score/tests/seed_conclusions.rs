//! The conclusions of the attack-profile seed, stated as properties of the
//! built-in catalogue. A change of a default that breaks one of them must be
//! a deliberate change of this file.
//!
//! Changed with issue 12 (one unit, kernel terms from the data): a
//! container's VAP is now the physical host's plus what the container
//! runtime itself reaches (overlayfs, veth, bridge, the host's NAT), and the
//! tenant's share follows from the measured kernel reach instead of being
//! set to one half.

use aprof_density::{RateTable, SubsystemMap};
use aprof_score::catalogue::{apply_override, built_in, built_in_model};
use aprof_score::profile::{model_containment, reference_footprint};
use aprof_score::workload::{score, Guard, UserDensity, WorkloadInputs};
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
    assert!(phys.hap.value.is_sign_positive(), "no -0.0");
    assert!(phys.hap.terms.is_empty());
    assert!(close(phys.tenant_vap.value, phys.total_vap.value));
    assert_eq!(phys.provider_vap.value, 0.0);
    let json = serde_json::to_string(&phys).unwrap();
    assert!(!json.contains("-0.0"), "{json}");
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
    let ratio = cont.hap_width as f64 / vm.hap_width as f64;
    assert!(ratio > 5.0, "{} vs {}", cont.hap_width, vm.hap_width);
    assert!(vm.hap_interfaces.iter().any(|i| i.contains("hypercalls")));
    assert!(vm.hap_interfaces.iter().any(|i| i.contains("devices")));
}

#[test]
fn container_adds_its_runtime_to_the_physical_vap_and_shares_the_kernel() {
    let (cont, phys, login) = (p("container"), p("physical"), p("shared-login"));
    let term = |prof: &Profile, layer: &str| {
        prof.total_vap
            .terms
            .iter()
            .find(|t| t.layer == layer)
            .unwrap()
            .value
    };
    // The same userspace, the tenant's.
    assert!(close(
        cont.tenant_vap.value,
        term(&phys, "application") + term(&phys, "libraries")
    ));
    // The kernel: the physical host's reach plus the runtime's own.
    let (kc, kp) = (term(&cont, "host-kernel"), term(&phys, "kernel"));
    assert!(kc > kp, "container kernel {kc} vs physical {kp}");
    let runtime = cont
        .total_vap
        .terms
        .iter()
        .find(|t| t.layer == "host-kernel")
        .unwrap();
    let reach = runtime.reach.as_ref().unwrap();
    assert!(reach
        .terms
        .iter()
        .any(|t| t.subsystem == "fs/overlayfs"
            && t.evidence.iter().any(|e| e.starts_with("runtime:"))));
    assert!(close(cont.provider_vap.value, kc));
    assert!(cont.hap.value > 0.0 && cont.hap.value < login.hap.value);
    assert!(cont.hap_width < login.hap_width);
}

/// One unit, one computation: the catalogue's container HAP is what `aprof
/// score` computes for the same workload and guard.
#[test]
fn models_and_score_give_the_same_figures_for_the_same_guard() {
    let stack = built_in_model("container").unwrap();
    let prof = profile(&stack);
    let policy = aprof_score::guards::docker_default();
    let inputs = WorkloadInputs {
        footprint: reference_footprint(),
        model: &stack,
        guard: Guard::Seccomp {
            label: "docker-default".into(),
            policy,
        },
        rates: RateTable::embedded(),
        map: SubsystemMap::embedded(),
        user_density: UserDensity::standard(),
        containment: model_containment(&stack),
    };
    let scored = score(&inputs).unwrap().profile;
    assert!(
        close(prof.hap.value, scored.exposed_hap.value),
        "{} vs {}",
        prof.hap.value,
        scored.exposed_hap.value
    );
    assert!(close(prof.provider_vap.value, scored.kernel_vap));
    assert_eq!(prof.unit, scored.unit);
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
    assert!(
        tenant_side.hap.value < cont.hap.value,
        "{} vs {}",
        tenant_side.hap.value,
        cont.hap.value
    );
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
            let mut sum = 0.0;
            for t in &m.terms {
                match (t.size_kloc, t.density, &t.reach) {
                    (Some(size), Some(density), None) => {
                        assert!(
                            close(t.value, size * density * t.share),
                            "{}: {}",
                            prof.model,
                            t.layer
                        );
                    }
                    (None, None, Some(reach)) => {
                        // A kernel term: the reach's figure (or its share, for an unlisted interface).
                        assert!(t.value + 1e-9 >= reach.value, "{}: {}", prof.model, t.layer);
                        let parts = reach.baseline.as_ref().map_or(0.0, |b| b.value)
                            + reach.terms.iter().map(|x| x.value).sum::<f64>()
                            + reach.gated_value();
                        assert!(close(parts, reach.value), "{}: {}", prof.model, t.layer);
                    }
                    (None, None, None) => {} // a share of the whole table's reach
                    other => panic!("{}: {}: {other:?}", prof.model, t.layer),
                }
                sum += t.value;
            }
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
    apply_override(&mut stacks, "container.libraries.size_kloc=3200").unwrap();
    let after = stacks
        .iter()
        .find(|s| s.name == "container")
        .map(profile)
        .unwrap();
    assert!(after.tenant_vap.value > before.tenant_vap.value * 1.5);
    let e = apply_override(&mut stacks, "container.host-kernel.size_kloc=4000").unwrap_err();
    assert!(e.contains("measured from the CVE data"), "{e}");
    assert!(apply_override(&mut stacks, "container.nope.size_kloc=1").is_err());
    assert!(apply_override(&mut stacks, "container.libraries.size_kloc=-1").is_err());
    assert!(apply_override(&mut stacks, "garbage").is_err());
}
