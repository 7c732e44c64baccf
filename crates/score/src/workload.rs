//! The attack profile of a measured workload under a deployment model:
//! the kernel subsystems its footprint reaches weighted by their CVE
//! density, the userspace code it maps, who owns each part, the observed
//! and exposed HAP, and the known CVEs its kernel has not fixed.
//!
//! Formulas (see docs/formula.md, "Workloads"):
//! - kernel term of subsystem s: `D(s)`, its weighted CVEs per year;
//! - userspace term of a mapped file f: `MiB(f) × user_density`;
//! - VAP = Σ kernel terms over the observed reach + Σ userspace terms;
//! - observed HAP = Σ D(s) over the observed reach when the layer that
//!   serves the syscalls is shared, plus the model's terms for shared layers
//!   a syscall recording cannot see;
//! - exposed HAP = the same over the reach of everything the guard allows
//!   (the observed reach included: what ran is reachable).

use crate::stack::{Layer, LayerKind, Owner, Stack};
use aprof_density::{reach_of_footprint, DensityTable, Reach, ReachOptions, SubsystemMap};
use aprof_footprint::{Abi, Footprint};
use aprof_guard::Policy;
use serde::Serialize;
use std::collections::BTreeSet;

/// Default userspace density: 0.25 CVEs per KLOC-year (the catalogue's
/// assumption for userspace C) over an assumed 32 KiB of x86_64 machine
/// code per KLOC, i.e. 8 CVEs per MiB of executable code per year.
pub const DEFAULT_USER_DENSITY_PER_MIB: f64 = 8.0;

/// The guard that bounds the exposed HAP.
#[derive(Debug, Clone)]
pub enum Guard<'a> {
    /// No seccomp guard: the whole syscall interface of every ABI.
    None,
    Seccomp {
        label: String,
        policy: &'a Policy,
    },
}

/// What to score.
pub struct WorkloadInputs<'a> {
    pub footprint: &'a Footprint,
    pub model: &'a Stack,
    pub guard: Guard<'a>,
    pub density: &'a DensityTable,
    pub map: &'a SubsystemMap,
    pub user_density_per_mib: f64,
}

/// One kernel subsystem's term.
#[derive(Debug, Clone, Serialize)]
pub struct SubsystemTerm {
    pub subsystem: String,
    /// Weighted CVEs per year (the density table's `weighted_per_year`).
    pub density: f64,
    /// CVEs in the window and the window's years, to recompute `cves_per_year`.
    pub cves: usize,
    pub years: f64,
    /// Short reasons it is reached (syscalls, objects).
    pub evidence: Vec<String>,
}

/// One mapped file's term.
#[derive(Debug, Clone, Serialize)]
pub struct CodeTerm {
    pub path: String,
    pub exec_bytes: u64,
    pub owner: Owner,
    /// `exec_bytes / 2^20 × user_density_per_mib`.
    pub value: f64,
}

/// A term taken from the model, for a shared layer a syscall recording cannot see.
#[derive(Debug, Clone, Serialize)]
pub struct ModelTerm {
    pub layer: String,
    pub via: String,
    /// `size_kloc × density × width / entry_points` from the model.
    pub value: f64,
}

/// A HAP with its parts.
#[derive(Debug, Clone, Serialize)]
pub struct Hap {
    pub value: f64,
    pub formula: String,
    pub kernel_terms: Vec<SubsystemTerm>,
    pub model_terms: Vec<ModelTerm>,
}

/// The scored workload.
#[derive(Debug, Clone, Serialize)]
pub struct WorkloadProfile {
    pub schema_version: u32,
    pub model: String,
    pub unit: String,
    /// The layer whose syscall interface the workload calls, and its owner.
    pub syscall_layer: String,
    pub syscall_layer_owner: Owner,
    pub syscall_layer_shared: bool,
    pub vap: f64,
    pub vap_formula: String,
    pub kernel_vap: f64,
    pub user_vap: f64,
    pub tenant_vap: f64,
    pub provider_vap: f64,
    pub kernel_terms: Vec<SubsystemTerm>,
    pub code_terms: Vec<CodeTerm>,
    pub user_density_per_mib: f64,
    pub observed_hap: Hap,
    pub exposed_hap: Hap,
    pub guard: String,
    /// `exposed_hap - observed_hap`: what the tightest generated profile removes.
    pub removable_by_generated_profile: f64,
    /// Parts of the footprint the subsystem mapping could not place.
    pub unmapped: Vec<String>,
    pub notes: Vec<String>,
}

/// The layer whose syscall interface a workload's syscalls reach: the first
/// kernel-like layer from the top.
pub fn syscall_layer(stack: &Stack) -> Option<&Layer> {
    stack.layers.iter().find(|l| {
        matches!(
            l.kind,
            LayerKind::HostKernel
                | LayerKind::GuestKernel
                | LayerKind::Sandbox
                | LayerKind::LibraryOs
        )
    })
}

/// Everything `guard` lets through, as a footprint the mapping can read,
/// merged with what was observed.
pub fn exposed_footprint(observed: &Footprint, guard: &Guard) -> Footprint {
    let mut fp = observed.clone();
    let probe_types = [1u64, 2, 3, 5];
    for abi in Abi::ALL {
        for (name, number) in abi.table().iter() {
            let allowed = match guard {
                Guard::None => true,
                Guard::Seccomp { policy, .. } => {
                    let p = policy.effective(abi);
                    p.default_action.reaches_kernel()
                        || p.syscalls
                            .get(name)
                            .is_some_and(|rules| rules.iter().any(|r| r.action.reaches_kernel()))
                }
            };
            if allowed && !fp.syscalls.get(&abi).is_some_and(|m| m.contains_key(name)) {
                fp.count_syscall(abi, number, None, 0);
            }
        }
    }
    // Socket families the guard lets socket() create.
    // AF_UNSPEC (0) is no family socket() can create.
    for &(family, name) in aprof_footprint::names::SOCKET_FAMILIES
        .iter()
        .filter(|(f, _)| *f != 0)
    {
        let allowed = match guard {
            Guard::None => true,
            Guard::Seccomp { policy, .. } => {
                let direct = probe_types.iter().any(|&t| {
                    policy
                        .action(Abi::X86_64, "socket", &[family, t, 0, 0, 0, 0])
                        .reaches_kernel()
                });
                let multiplexed = policy
                    .action(Abi::I386, "socketcall", &[1, 0, 0, 0, 0, 0])
                    .reaches_kernel();
                direct || multiplexed
            }
        };
        if allowed {
            fp.count_argument("socket", 0, "family", family, Some(name.to_owned()));
        }
    }
    fp
}

fn kernel_terms(reach: &Reach, density: &DensityTable) -> Vec<SubsystemTerm> {
    reach
        .per_subsystem
        .iter()
        .map(|(s, evidence)| {
            let d = density.get(s);
            let mut ev: Vec<String> = evidence.iter().map(describe_evidence).collect();
            ev.sort();
            ev.dedup();
            ev.truncate(6);
            SubsystemTerm {
                subsystem: s.clone(),
                density: d.weighted_per_year,
                cves: d.cves,
                years: d.years,
                evidence: ev,
            }
        })
        .collect()
}

fn describe_evidence(e: &aprof_density::Evidence) -> String {
    use aprof_density::Evidence::*;
    match e {
        Syscall { syscall, .. } => format!("syscall {syscall}"),
        Object { class, .. } => format!("object {}", aprof_footprint::diff::describe_class(class)),
        SocketFamily { family, .. } => format!("socket family {family}"),
        CveTrace { syscall, cves, .. } => format!("{cves} CVE call traces through {syscall}"),
        Entry { .. } => "syscall entry".into(),
    }
}

/// Shared layers below the syscall layer that a tenant reaches through the
/// model's interfaces but a syscall recording does not see.
fn unseen_model_terms(stack: &Stack, syscall_layer: &str) -> Vec<ModelTerm> {
    let profile = crate::profile::profile(stack);
    profile
        .hap
        .terms
        .into_iter()
        .filter(|t| t.layer != syscall_layer)
        .map(|t| ModelTerm {
            layer: t.layer,
            via: t
                .via
                .iter()
                .map(|v| format!("{} ({}/{})", v.interface, v.width, v.entry_points))
                .collect::<Vec<_>>()
                .join("; "),
            value: t.value,
        })
        .collect()
}

/// Score a workload.
pub fn score(inputs: &WorkloadInputs) -> Result<WorkloadProfile, String> {
    let stack = inputs.model;
    let layer = syscall_layer(stack).ok_or_else(|| {
        format!(
            "model '{}' has no kernel, sandbox or library-OS layer to serve syscalls",
            stack.name
        )
    })?;
    let options = ReachOptions::default();
    let observed_reach = reach_of_footprint(inputs.footprint, inputs.map, &options);
    let exposed_fp = exposed_footprint(inputs.footprint, &inputs.guard);
    let exposed_reach = reach_of_footprint(&exposed_fp, inputs.map, &options);

    let kernel = kernel_terms(&observed_reach, inputs.density);
    let kernel_vap: f64 = kernel.iter().map(|t| t.density).sum();
    let owner_of = |kind: LayerKind| {
        stack
            .layers
            .iter()
            .find(|l| l.kind == kind)
            .map(|l| l.owner)
    };
    let exe_paths: BTreeSet<&str> = inputs
        .footprint
        .processes
        .iter()
        .map(|p| p.exe.as_str())
        .collect();
    let code: Vec<CodeTerm> = inputs
        .footprint
        .code
        .iter()
        .map(|c| {
            let is_program = exe_paths.contains(c.path.as_str());
            let owner = if is_program {
                owner_of(LayerKind::Application)
            } else {
                owner_of(LayerKind::Libraries).or(owner_of(LayerKind::LibraryOs))
            }
            .unwrap_or(Owner::Tenant);
            CodeTerm {
                path: c.path.clone(),
                exec_bytes: c.exec_bytes,
                owner,
                value: c.exec_bytes as f64 / 1_048_576.0 * inputs.user_density_per_mib,
            }
        })
        .collect();
    let user_vap: f64 = code.iter().map(|c| c.value).sum();
    let user_by = |o: Owner| {
        code.iter()
            .filter(|c| c.owner == o)
            .map(|c| c.value)
            .sum::<f64>()
    };
    let kernel_for = |o: Owner| if layer.owner == o { kernel_vap } else { 0.0 };

    let mut notes = Vec::new();
    let unseen = unseen_model_terms(stack, &layer.name);
    if !unseen.is_empty() {
        notes.push(format!(
            "the HAP of the {} model includes shared layers a syscall recording cannot see ({}); their model estimates are added to both HAPs",
            stack.name,
            unseen.iter().map(|t| t.layer.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    let hap_of = |reach: &Reach, fp: &Footprint, what: &str| -> Hap {
        let (terms, formula) = match (layer.shared, layer.kind) {
            (true, LayerKind::HostKernel) => (kernel_terms(reach, inputs.density), format!("Σ D(s) over the kernel subsystems {what}, + model terms of unseen shared layers")),
            _ => (Vec::new(), format!("model terms of the shared layers below '{}' (its own code is not shared)", layer.name)),
        };
        let mut model_terms = unseen.clone();
        if layer.shared && layer.kind != LayerKind::HostKernel {
            // A shared emulator (gVisor's Sentry): the share of its entry
            // points this footprint uses, capped by the model's width.
            for iface in layer
                .interfaces
                .iter()
                .filter(|i| stack.layer(&i.from).is_some_and(|f| !f.shared))
            {
                let used = fp
                    .syscalls
                    .values()
                    .flat_map(|m| m.keys())
                    .collect::<BTreeSet<_>>()
                    .len() as u32;
                let width = used.min(iface.width);
                model_terms.push(ModelTerm {
                    layer: layer.name.clone(),
                    via: format!(
                        "{} ({width} of {} entry points used)",
                        iface.name, iface.entry_points
                    ),
                    value: layer.weight() * width as f64 / iface.entry_points as f64,
                });
            }
        }
        let value = terms.iter().map(|t| t.density).sum::<f64>()
            + model_terms.iter().map(|t| t.value).sum::<f64>();
        Hap {
            value,
            formula,
            kernel_terms: terms,
            model_terms,
        }
    };
    let observed_hap = hap_of(&observed_reach, inputs.footprint, "the workload reached");
    let exposed_hap = hap_of(&exposed_reach, &exposed_fp, "the guard allows");
    if layer.shared && layer.kind == LayerKind::Sandbox {
        notes.push(format!("the workload's syscalls are served by the '{}' emulator; its share of the HAP comes from the model", layer.name));
    }
    let guard = match &inputs.guard {
        Guard::None => "none (the whole syscall interface of x86_64, i386 and x32)".to_owned(),
        Guard::Seccomp { label, .. } => label.clone(),
    };
    let mut unmapped: Vec<String> = observed_reach
        .unmapped
        .iter()
        .map(|u| format!("{u:?}"))
        .collect();
    unmapped.sort();
    Ok(WorkloadProfile {
        schema_version: 1,
        model: stack.name.clone(),
        unit: crate::profile::UNIT.to_owned(),
        syscall_layer: layer.name.clone(),
        syscall_layer_owner: layer.owner,
        syscall_layer_shared: layer.shared,
        vap: kernel_vap + user_vap,
        vap_formula: "Σ D(s) over the kernel subsystems reached + Σ MiB(f) × user_density over the executable code mapped".into(),
        kernel_vap,
        user_vap,
        tenant_vap: kernel_for(Owner::Tenant) + user_by(Owner::Tenant),
        provider_vap: kernel_for(Owner::Provider) + user_by(Owner::Provider),
        kernel_terms: kernel,
        code_terms: code,
        user_density_per_mib: inputs.user_density_per_mib,
        removable_by_generated_profile: exposed_hap.value - observed_hap.value,
        observed_hap,
        exposed_hap,
        guard,
        unmapped,
        notes,
    })
}

/// Subsystems of a profile's observed reach, for the patch-level check.
pub fn reached_subsystems(p: &WorkloadProfile) -> BTreeSet<String> {
    p.kernel_terms.iter().map(|t| t.subsystem.clone()).collect()
}
