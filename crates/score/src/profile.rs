//! The attack profile of a stack: total, tenant and provider VAP, and HAP,
//! each as a sum of terms a reader can recompute, in one unit
//! ([`UNIT`]: CVE fixes per year).
//!
//! - A layer's weight is `size_kloc × density`: CVE fixes per year in the
//!   code the workload traverses there.
//! - A Linux kernel layer (`density_from = "kernel-reach"`) is not weighed
//!   by size: its terms are the CVE fixes per year in the kernel code
//!   reached, computed exactly as `aprof score` computes them, on the
//!   reference workload (`data/workloads/echo_service.footprint.json`)
//!   under the model's containment. Its VAP term is what that workload
//!   reaches; its HAP term what the interface's guard exposes. A kernel
//!   below another layer (the host under a VMM) is charged with what its
//!   interfaces allow.
//! - VAP = Σ terms over all layers; tenant and provider VAP split it by owner.
//! - HAP = Σ over shared layers L reached through interfaces called from
//!   inside the tenant's boundary: a kernel's exposed reach, or
//!   `size_kloc(L) × density(L) × min(1, Σ width(I) / entry_points(I))`.

use crate::guards::{allow_list, model_guard};
use crate::stack::{Interface, Layer, Owner, Stack};
use crate::workload::{
    deployment_reach, exposed_footprint, score_inner, syscall_layer, Containment, Guard,
    UserDensity, WorkloadInputs,
};
use aprof_density::density::sum;
use aprof_density::{Privileges, RateTable, ReachRate, SubsystemMap, UserNamespaces};
use aprof_footprint::{Environment, Footprint};
use aprof_guard::Policy;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The unit of every VAP and HAP figure.
pub const UNIT: &str = aprof_density::UNIT;

/// The reference workload the catalogue's kernel terms are computed on.
const REFERENCE_FOOTPRINT: &str =
    include_str!("../../../data/workloads/echo_service.footprint.json");

/// One term of a sum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Term {
    pub layer: String,
    pub owner: Owner,
    /// For size-weighted terms: the layer's size and density.
    pub size_kloc: Option<f64>,
    pub density: Option<f64>,
    /// Share of the layer counted: 1 for VAP, `width / entry_points` for HAP.
    pub share: f64,
    /// The term, in [`UNIT`].
    pub value: f64,
    /// How `value` is made.
    pub formula: String,
    /// For HAP terms: the interfaces that make the share.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<Via>,
    /// For a kernel's reach: every subsystem, gate and the baseline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reach: Option<ReachRate>,
}

/// One interface behind a HAP term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Via {
    pub interface: String,
    pub from: String,
    pub width: u32,
    pub entry_points: u32,
}

/// A figure with its formula and terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    pub value: f64,
    pub formula: String,
    pub terms: Vec<Term>,
}

impl Measure {
    fn of(formula: &str, terms: Vec<Term>) -> Measure {
        Measure {
            value: sum(terms.iter().map(|t| t.value)),
            formula: formula.to_owned(),
            terms,
        }
    }
}

/// The profile of one stack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub model: String,
    pub title: String,
    pub unit: String,
    pub unit_note: String,
    pub total_vap: Measure,
    pub tenant_vap: Measure,
    pub provider_vap: Measure,
    /// `tenant_vap / total_vap`.
    pub tenant_share: f64,
    pub hap: Measure,
    /// Entry points of the shared layers the tenant reaches, summed over
    /// the HAP interfaces: the width of the attack surface, unweighted.
    pub hap_width: u32,
    /// The interfaces that form the HAP, as `name (width/entry_points) → layer`.
    pub hap_interfaces: Vec<String>,
}

/// What the catalogue's kernel terms are computed with.
pub struct ModelContext {
    pub rates: &'static RateTable,
    pub map: &'static SubsystemMap,
    /// The reference workload.
    pub reference: Footprint,
}

impl ModelContext {
    /// The embedded data, mapping and reference workload.
    pub fn embedded() -> &'static ModelContext {
        static CTX: OnceLock<ModelContext> = OnceLock::new();
        CTX.get_or_init(|| ModelContext {
            rates: RateTable::embedded(),
            map: SubsystemMap::embedded(),
            reference: serde_json::from_str(REFERENCE_FOOTPRINT)
                .expect("the reference footprint parses (checked by tests)"),
        })
    }
}

/// The reference workload the catalogue's kernel terms come from.
pub fn reference_footprint() -> &'static Footprint {
    &ModelContext::embedded().reference
}

/// The containment of a model for the catalogue (no host settings read).
pub fn model_containment(stack: &Stack) -> Containment {
    Containment::of_model(stack, &BTreeMap::new(), None).unwrap_or_else(|| Containment {
        privileges: Privileges {
            user_namespaces: UserNamespaces::Denied(
                "the model does not say whether the host allows user namespaces".into(),
            ),
            ..Privileges::none("no [containment] in the model: an unprivileged process")
        },
        runtime_reach: Vec::new(),
    })
}

/// The guard of an interface into a kernel: a named profile, or the
/// allow-list of its entries; `None` when it names neither.
fn interface_policy(i: &Interface) -> Option<(String, Option<Policy>)> {
    if let Some(g) = &i.guard {
        let g = model_guard(g).expect("checked when the model was read");
        return Some((g.label, g.policy));
    }
    (!i.entries.is_empty()).then(|| {
        (
            format!("{} ({} syscalls)", i.name, i.entries.len()),
            Some(allow_list(i.entries.iter().map(String::as_str))),
        )
    })
}

/// CVE fixes per year a kernel reached only through `interfaces` is
/// exposed to: the reach of what they allow (syscalls, socket families,
/// their objects), or, for an interface whose syscalls are not listed, its
/// width's share of everything the whole x86_64 table reaches.
fn interfaces_reach(
    interfaces: &[&Interface],
    containment: &Containment,
    ctx: &ModelContext,
) -> Option<(f64, Option<ReachRate>, String)> {
    if interfaces.is_empty() {
        return None;
    }
    let mut fp = Footprint::new(Environment::default());
    fp.processes.push(aprof_footprint::Process::default());
    let mut listed = false;
    let mut share = 0.0;
    let mut basis = Vec::new();
    for i in interfaces {
        match interface_policy(i) {
            Some((label, policy)) => {
                let guard = match &policy {
                    Some(p) => Guard::Seccomp {
                        label: label.clone(),
                        policy: p,
                    },
                    None => Guard::None,
                };
                let mut one = exposed_footprint(&fp, &guard, ctx.map);
                for o in &i.objects {
                    one.count_object(
                        crate::guards::object_class(o).expect("checked when read"),
                        "read",
                    );
                }
                merge(&mut fp, &one);
                listed = true;
                basis.push(format!("what {label} allows"));
            }
            None => {
                share += i.width as f64 / i.entry_points as f64;
                basis.push(format!(
                    "{} ({}/{} of the whole syscall table's reach; its syscalls are not listed)",
                    i.name, i.width, i.entry_points
                ));
            }
        }
    }
    let mut privileges = containment.privileges.clone();
    privileges.user_namespaces = UserNamespaces::Denied(
        "a kernel below another layer: the layer above holds no namespace privileges".into(),
    );
    privileges.capabilities.clear();
    let whole = || {
        let mut all = Footprint::new(Environment::default());
        all.processes.push(aprof_footprint::Process::default());
        let all = exposed_footprint(&all, &Guard::None, ctx.map);
        ctx.rates
            .rate(&deployment_reach(&all, ctx.map, containment), &privileges)
            .value
    };
    let rate = listed.then(|| {
        ctx.rates
            .rate(&deployment_reach(&fp, ctx.map, containment), &privileges)
    });
    let listed_value = rate.as_ref().map_or(0.0, |r| r.value);
    let fallback = if share > 0.0 {
        whole() * share.min(1.0)
    } else {
        0.0
    };
    Some((listed_value + fallback, rate, basis.join("; ")))
}

fn merge(into: &mut Footprint, from: &Footprint) {
    for (abi, calls) in &from.syscalls {
        for (name, stats) in calls {
            into.syscalls
                .entry(*abi)
                .or_default()
                .entry(name.clone())
                .or_insert_with(|| stats.clone());
        }
    }
    for o in &from.objects {
        if !into.objects.iter().any(|x| x.class == o.class) {
            into.objects.push(o.clone());
        }
    }
    for (k, v) in &from.arguments {
        into.arguments.entry(k.clone()).or_insert_with(|| v.clone());
    }
}

/// The VAP and HAP terms of a kernel layer (`hap_only`: skip the VAP
/// term's computation, returning an empty one).
fn kernel_terms(
    stack: &Stack,
    layer: &Layer,
    ctx: &ModelContext,
    hap_only: bool,
) -> (Term, Option<Term>) {
    let containment = model_containment(stack);
    let tenant_side: Vec<&Interface> = layer
        .interfaces
        .iter()
        .filter(|i| stack.layer(&i.from).is_some_and(|from| !from.shared))
        .collect();
    let via_of = |ifaces: &[&Interface]| -> Vec<Via> {
        ifaces
            .iter()
            .map(|i| Via {
                interface: i.name.clone(),
                from: i.from.clone(),
                width: i.width,
                entry_points: i.entry_points,
            })
            .collect()
    };
    let term = |value: f64, formula: String, via: Vec<Via>, reach: Option<ReachRate>| Term {
        layer: layer.name.clone(),
        owner: layer.owner,
        size_kloc: None,
        density: None,
        share: 1.0,
        value,
        formula,
        via,
        reach,
    };
    let serves_syscalls = syscall_layer(stack).is_some_and(|l| l.name == layer.name);
    if serves_syscalls {
        let guarded = tenant_side.iter().find_map(|i| interface_policy(i));
        let (label, policy) = guarded.unwrap_or_else(|| ("no seccomp guard".into(), None));
        let guard = match &policy {
            Some(p) => Guard::Seccomp {
                label: label.clone(),
                policy: p,
            },
            None => Guard::None,
        };
        let inputs = WorkloadInputs {
            footprint: &ctx.reference,
            model: stack,
            guard,
            rates: ctx.rates,
            map: ctx.map,
            user_density: UserDensity::standard(),
            containment,
        };
        let scored = score_inner(&inputs, false).expect("the layer serves syscalls");
        let p = scored.profile;
        let vap = term(
            p.kernel_vap,
            "CVE fixes per year in the kernel code the reference workload reaches (as aprof score computes it)".into(),
            Vec::new(),
            Some(p.kernel.clone()),
        );
        let hap = (layer.shared && !tenant_side.is_empty()).then(|| {
            let k = p.exposed_hap.kernel.clone().expect("a shared host kernel");
            term(
                k.value,
                format!("CVE fixes per year in the kernel code exposed to the reference workload under {label} (as aprof score computes the exposed HAP)"),
                via_of(&tenant_side),
                Some(k),
            )
        });
        return (vap, hap);
    }
    let all: Vec<&Interface> = layer.interfaces.iter().collect();
    let (vap_value, vap_reach, vap_basis) = if hap_only {
        (0.0, None, "not computed".into())
    } else {
        interfaces_reach(&all, &containment, ctx).unwrap_or((0.0, None, "no interface".into()))
    };
    let vap = term(
        vap_value,
        format!("CVE fixes per year in the kernel code its callers may reach: {vap_basis} (an upper bound of what they traverse)"),
        Vec::new(),
        vap_reach,
    );
    let hap = (layer.shared && !tenant_side.is_empty()).then(|| {
        let (value, reach, basis) =
            interfaces_reach(&tenant_side, &containment, ctx).expect("interfaces");
        let mut t = term(
            value,
            format!("CVE fixes per year in the kernel code exposed through {basis}"),
            via_of(&tenant_side),
            reach,
        );
        t.share = sum(tenant_side
            .iter()
            .map(|i| i.width as f64 / i.entry_points as f64))
        .min(1.0);
        t
    });
    (vap, hap)
}

/// The HAP terms of the shared layers other than `skip` (the layer that
/// serves a recorded workload's syscalls), for `aprof score`: cheaper than
/// a whole profile, with the same figures.
pub fn hap_terms_except(stack: &Stack, skip: &str) -> Vec<Term> {
    let ctx = ModelContext::embedded();
    let mut out = Vec::new();
    for layer in stack.layers.iter().filter(|l| l.shared && l.name != skip) {
        let via: Vec<Via> = layer
            .interfaces
            .iter()
            .filter(|i| stack.layer(&i.from).is_some_and(|from| !from.shared))
            .map(|i| Via {
                interface: i.name.clone(),
                from: i.from.clone(),
                width: i.width,
                entry_points: i.entry_points,
            })
            .collect();
        if via.is_empty() {
            continue;
        }
        if layer.kernel_reach {
            if let Some(t) = kernel_terms(stack, layer, ctx, true).1 {
                out.push(t);
            }
            continue;
        }
        let share = via
            .iter()
            .map(|v| v.width as f64 / v.entry_points as f64)
            .sum::<f64>()
            .min(1.0);
        out.push(Term {
            layer: layer.name.clone(),
            owner: layer.owner,
            size_kloc: Some(layer.size_kloc),
            density: Some(layer.density),
            share,
            value: layer.weight() * share,
            formula: "size_kloc × density × min(1, Σ width/entry_points)".into(),
            via,
            reach: None,
        });
    }
    out
}

/// Compute the profile of a stack with the embedded data.
pub fn profile(stack: &Stack) -> Profile {
    profile_with(stack, ModelContext::embedded())
}

/// Compute the profile of a stack.
pub fn profile_with(stack: &Stack, ctx: &ModelContext) -> Profile {
    let size_term = |l: &Layer, share: f64, via: Vec<Via>| Term {
        layer: l.name.clone(),
        owner: l.owner,
        size_kloc: Some(l.size_kloc),
        density: Some(l.density),
        share,
        value: l.weight() * share,
        formula: if share == 1.0 {
            "size_kloc × density".into()
        } else {
            "size_kloc × density × min(1, Σ width/entry_points)".into()
        },
        via,
        reach: None,
    };
    let mut all = Vec::new();
    let mut hap_terms = Vec::new();
    let mut hap_width = 0;
    let mut hap_interfaces = Vec::new();
    for layer in &stack.layers {
        let via: Vec<Via> = layer
            .interfaces
            .iter()
            .filter(|i| stack.layer(&i.from).is_some_and(|from| !from.shared))
            .map(|i| Via {
                interface: i.name.clone(),
                from: i.from.clone(),
                width: i.width,
                entry_points: i.entry_points,
            })
            .collect();
        if layer.shared {
            for v in &via {
                hap_width += v.width;
                hap_interfaces.push(format!(
                    "{} ({}/{}) → {}",
                    v.interface, v.width, v.entry_points, layer.name
                ));
            }
        }
        if layer.kernel_reach {
            let (vap, hap) = kernel_terms(stack, layer, ctx, false);
            all.push(vap);
            if let Some(h) = hap {
                hap_terms.push(h);
            }
            continue;
        }
        all.push(size_term(layer, 1.0, Vec::new()));
        if layer.shared && !via.is_empty() {
            let share = via
                .iter()
                .map(|v| v.width as f64 / v.entry_points as f64)
                .sum::<f64>()
                .min(1.0);
            hap_terms.push(size_term(layer, share, via));
        }
    }
    let by_owner = |o: Owner| {
        all.iter()
            .filter(|t| t.owner == o)
            .cloned()
            .collect::<Vec<_>>()
    };
    let total_vap = Measure::of("Σ layer terms over all layers", all.clone());
    let tenant_vap = Measure::of(
        "Σ layer terms over tenant-owned layers",
        by_owner(Owner::Tenant),
    );
    let provider_vap = Measure::of(
        "Σ layer terms over provider-owned layers",
        by_owner(Owner::Provider),
    );
    let tenant_share = if total_vap.value > 0.0 {
        tenant_vap.value / total_vap.value
    } else {
        0.0
    };
    Profile {
        model: stack.name.clone(),
        title: stack.title.clone(),
        unit: UNIT.to_owned(),
        unit_note: aprof_density::UNIT_NOTE.to_owned(),
        hap: Measure::of(
            "Σ over shared layers reached from inside the tenant's boundary: a kernel's exposed reach, else size_kloc × density × min(1, Σ width/entry_points)",
            hap_terms,
        ),
        total_vap,
        tenant_vap,
        provider_vap,
        tenant_share,
        hap_width,
        hap_interfaces,
    }
}
