//! The attack profile of a measured workload under a deployment model: the
//! kernel code its footprint reaches as CVE fixes per year, the userspace
//! code it maps, who owns each part, the observed and exposed HAP, and the
//! known CVEs its kernel has not fixed.
//!
//! One unit everywhere ([`aprof_density::UNIT`], CVE fixes per year, see
//! docs/formula.md):
//! - kernel: distinct CVEs fixed in the window whose fix touched the code
//!   the reach covers (`aprof_density::RateTable::rate`): the per-process
//!   baseline, the reached subsystems, and the subsystems behind the gates
//!   the workload's privileges open;
//! - userspace: `MiB(f) × user_density` per mapped file;
//! - VAP = kernel (observed) + userspace;
//! - observed HAP = the kernel term when the layer that serves the syscalls
//!   is shared, plus the model's terms for shared layers a syscall
//!   recording cannot see;
//! - exposed HAP = the same over everything the guard allows (the observed
//!   reach included: what ran is reachable), with the gates the deployment's
//!   privileges open (a user namespace where the guard allows one).

use crate::guards::{allows, allows_user_namespaces};
use crate::stack::{Layer, LayerKind, Owner, Stack};
use aprof_density::density::{clean, sum};
use aprof_density::{
    measures, reach_matcher, reach_of_footprint, Dataset, Evidence, KernelRelease, PatchLevel,
    Privileges, RateTable, Reach, ReachOptions, ReachRate, SubsystemMap, UserNamespaces, UNIT,
    UNIT_NOTE,
};
use aprof_footprint::{Abi, Footprint};
use aprof_guard::Policy;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Version of the [`WorkloadProfile`] JSON.
pub const SCHEMA_VERSION: u32 = 2;

/// The assumed KiB of x86_64 machine code per KLOC of C, for the userspace
/// density, and the range it could take: about 9 for libsqlite3 (-O2) up
/// to 32 (the figure aprof used before). The default is their geometric mean.
pub const DEFAULT_KIB_PER_KLOC: f64 = 17.0;
pub const KIB_PER_KLOC_RANGE: (f64, f64) = (9.0, 32.0);

/// The userspace density: CVE fixes per MiB of executable code per year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserDensity {
    /// CVE fixes per MiB-year used.
    pub per_mib: f64,
    /// The range it could take under the stated assumptions.
    pub per_mib_low: f64,
    pub per_mib_high: f64,
    /// CVE fixes per KLOC-year and KiB per KLOC behind it (when derived).
    pub per_kloc_year: Option<f64>,
    pub kib_per_kloc: Option<f64>,
    /// `measured`, `published` or `assumption`, with how it is made.
    pub basis: String,
}

impl UserDensity {
    /// The default: userspace C is assumed to need fixes as often per line
    /// as the non-driver kernel (measured), at [`DEFAULT_KIB_PER_KLOC`].
    pub fn standard() -> UserDensity {
        let per_kloc = measures::non_driver_kernel().per_kloc_year;
        let per_mib = |kib: f64| per_kloc * 1024.0 / kib;
        UserDensity {
            per_mib: per_mib(DEFAULT_KIB_PER_KLOC),
            per_mib_low: per_mib(KIB_PER_KLOC_RANGE.1),
            per_mib_high: per_mib(KIB_PER_KLOC_RANGE.0),
            per_kloc_year: Some(per_kloc),
            kib_per_kloc: Some(DEFAULT_KIB_PER_KLOC),
            basis: format!(
                "assumption: userspace code needs fixes as often per line as the non-driver kernel ({per_kloc:.4} CVE fixes per KLOC-year, measured), at {DEFAULT_KIB_PER_KLOC} KiB of x86_64 code per KLOC (range {}-{}: libsqlite3 about 9)",
                KIB_PER_KLOC_RANGE.0, KIB_PER_KLOC_RANGE.1
            ),
        }
    }

    /// A density the user set (`--user-density`).
    pub fn per_mib(v: f64) -> UserDensity {
        UserDensity {
            per_mib: v,
            per_mib_low: v,
            per_mib_high: v,
            per_kloc_year: None,
            kib_per_kloc: None,
            basis: "set by the user (--user-density)".into(),
        }
    }
}

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

impl Guard<'_> {
    fn policy(&self) -> Option<&Policy> {
        match self {
            Guard::None => None,
            Guard::Seccomp { policy, .. } => Some(policy),
        }
    }
}

/// What the deployment gives every process: its privileges (for the
/// reach behind gates) and the code it reaches whatever the workload does.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Containment {
    /// Capabilities and namespaces; `user_namespaces` says whether the host
    /// allows unprivileged user namespaces (the guard is checked apart).
    pub privileges: Privileges,
    pub runtime_reach: Vec<crate::stack::RuntimeReach>,
}

impl Containment {
    /// From the model's `[containment]`; `host_sysctls` are the host's
    /// settings the gates read (empty for the catalogue). A model whose
    /// capabilities are the `workload`'s takes them from `footprint` (none
    /// without one).
    pub fn of_model(
        stack: &Stack,
        host_sysctls: &BTreeMap<String, String>,
        footprint: Option<&Footprint>,
    ) -> Option<Containment> {
        let c = stack.containment.as_ref()?;
        let capabilities = match (c.capabilities.trim(), footprint) {
            ("workload", Some(fp)) => recorded_capabilities(fp),
            (spec, _) => crate::guards::capability_set(spec).ok()?,
        };
        Some(Containment {
            privileges: Privileges {
                capabilities,
                initial_user_namespace: c.initial_user_namespace,
                initial_network_namespace: !c.own_network_namespace,
                user_namespaces: if c.host_user_namespaces {
                    UserNamespaces::Allowed(format!(
                        "the {} model assumes a host that allows unprivileged user namespaces",
                        stack.name
                    ))
                } else {
                    UserNamespaces::Denied(format!(
                        "the {} model assumes a host without unprivileged user namespaces",
                        stack.name
                    ))
                },
                sysctls: host_sysctls.clone(),
                source: format!("the {} model ({})", stack.name, c.source.note),
            },
            runtime_reach: c.runtime_reach.clone(),
        })
    }

    /// From the footprint's guard state (the union of the effective
    /// capabilities recorded at exec), in the initial namespaces, with the
    /// host's user-namespace settings.
    pub fn of_footprint(fp: &Footprint, host_sysctls: &BTreeMap<String, String>) -> Containment {
        Containment {
            privileges: Privileges {
                capabilities: recorded_capabilities(fp),
                initial_user_namespace: true,
                initial_network_namespace: true,
                user_namespaces: Privileges::host_allows_user_namespaces(host_sysctls),
                sysctls: host_sysctls.clone(),
                source: "the footprint's recorded capabilities, initial namespaces".into(),
            },
            runtime_reach: Vec::new(),
        }
    }
}

/// The union of the effective capabilities the footprint recorded at exec.
pub fn recorded_capabilities(fp: &Footprint) -> BTreeSet<String> {
    let mut caps = BTreeSet::new();
    for p in &fp.processes {
        if let Some(g) = &p.guards {
            if let Ok(mask) = u64::from_str_radix(g.cap_effective.trim(), 16) {
                caps.extend(aprof_guard::containment::caps::decode_mask(mask));
            }
        }
    }
    caps
}

/// What to score.
pub struct WorkloadInputs<'a> {
    pub footprint: &'a Footprint,
    pub model: &'a Stack,
    pub guard: Guard<'a>,
    pub rates: &'a RateTable,
    pub map: &'a SubsystemMap,
    pub user_density: UserDensity,
    pub containment: Containment,
}

/// One mapped file's term.
#[derive(Debug, Clone, Serialize)]
pub struct CodeTerm {
    pub path: String,
    pub exec_bytes: u64,
    pub owner: Owner,
    /// `exec_bytes / 2^20 × user_density`.
    pub value: f64,
}

/// A term taken from the model, for a shared layer a syscall recording cannot see.
#[derive(Debug, Clone, Serialize)]
pub struct ModelTerm {
    pub layer: String,
    pub via: String,
    /// From the model: `size_kloc × density × width / entry_points`, or a
    /// kernel's reach.
    pub value: f64,
}

/// A HAP with its parts.
#[derive(Debug, Clone, Serialize)]
pub struct Hap {
    pub value: f64,
    pub formula: String,
    /// The shared kernel's part (`None` when the syscalls are not served by
    /// a shared kernel).
    pub kernel: Option<ReachRate>,
    pub model_terms: Vec<ModelTerm>,
}

/// The privileges the gates were decided with.
#[derive(Debug, Clone, Serialize)]
pub struct PrivilegeSummary {
    pub source: String,
    pub capabilities: BTreeSet<String>,
    pub initial_user_namespace: bool,
    pub initial_network_namespace: bool,
    /// For the observed HAP: a user namespace counts only if the workload made one.
    pub user_namespaces_observed: UserNamespaces,
    /// For the exposed HAP: the host must allow it and the guard must let
    /// `unshare`/`clone` create one.
    pub user_namespaces_exposed: UserNamespaces,
}

/// The window and normalisation of every kernel figure.
#[derive(Debug, Clone, Serialize)]
pub struct Window {
    pub from: String,
    pub to: String,
    pub years: f64,
    pub normalisation: String,
}

/// The figures again at a decay half-life, to show how much the choice of
/// no decay matters.
#[derive(Debug, Clone, Serialize)]
pub struct Sensitivity {
    pub half_life_years: f64,
    pub chosen: bool,
    pub kernel_vap_index: f64,
    pub observed_hap_kernel_index: f64,
    pub exposed_hap_kernel_index: f64,
    /// Userspace VAP at the ends of the density's range.
    pub user_vap_low: f64,
    pub user_vap_high: f64,
    pub note: String,
}

/// The scored workload.
#[derive(Debug, Clone, Serialize)]
pub struct WorkloadProfile {
    pub schema_version: u32,
    pub model: String,
    /// [`aprof_density::UNIT`].
    pub unit: String,
    pub unit_note: String,
    pub window: Window,
    /// The layer whose syscall interface the workload calls, and its owner.
    pub syscall_layer: String,
    pub syscall_layer_owner: Owner,
    pub syscall_layer_shared: bool,
    pub privileges: PrivilegeSummary,
    pub vap: f64,
    pub vap_formula: String,
    pub kernel_vap: f64,
    /// The observed kernel reach, term by term.
    pub kernel: ReachRate,
    pub user_vap: f64,
    pub code_terms: Vec<CodeTerm>,
    pub user_density: UserDensity,
    pub tenant_vap: f64,
    pub provider_vap: f64,
    pub observed_hap: Hap,
    pub exposed_hap: Hap,
    pub guard: String,
    /// `exposed_hap - observed_hap`: what the tightest generated profile removes.
    pub removable_by_generated_profile: f64,
    pub sensitivity: Sensitivity,
    /// Socket families the workload's network namespace refuses: not counted.
    pub refused_families: Vec<String>,
    /// Parts of the footprint the subsystem mapping could not place.
    pub unmapped: Vec<String>,
    pub notes: Vec<String>,
}

/// A scored workload with the reach behind it, for the patch-level check.
pub struct Scored {
    pub profile: WorkloadProfile,
    pub observed_reach: Reach,
    pub observed_privileges: Privileges,
}

impl Scored {
    /// The known CVEs the kernel `release` has not fixed in the code the
    /// workload reached (the baseline, the reached subsystems and the
    /// subsystems behind the gates its own privileges opened).
    pub fn patch_level(
        &self,
        dataset: &Dataset,
        release: &KernelRelease,
        map: &SubsystemMap,
    ) -> PatchLevel {
        let matcher = reach_matcher(&self.observed_reach, &self.observed_privileges, map);
        aprof_density::unfixed_cves_matching(dataset, release, &BTreeSet::new(), matcher)
    }
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
/// merged with what was observed: every syscall any ABI allows, and every
/// socket `socket()` may open in the families it allows (each protocol and
/// type the mapping knows, so that gated ones such as raw sockets count).
pub fn exposed_footprint(observed: &Footprint, guard: &Guard, map: &SubsystemMap) -> Footprint {
    let mut fp = observed.clone();
    let policy = guard.policy();
    for abi in Abi::ALL {
        for (name, number) in abi.table().iter() {
            let allowed = policy.is_none_or(|p| allows(p, abi, name));
            if allowed && !fp.syscalls.get(&abi).is_some_and(|m| m.contains_key(name)) {
                fp.count_syscall(abi, number, None, 0);
            }
        }
    }
    // Argument values that set off gated reach, where their syscall is allowed.
    for rule in map.gated_rules() {
        if let aprof_density::units::Trigger::Argument(a) = &rule.trigger {
            let allowed = policy.is_none_or(|p| allows(p, Abi::X86_64, &a.syscall));
            if allowed {
                fp.count_argument(&a.syscall, a.index, "value", a.value, None);
            }
        }
    }
    let probe_types = [1u64, 2, 3, 5];
    // AF_UNSPEC (0) is no family socket() can create.
    for &(family, name) in aprof_footprint::names::SOCKET_FAMILIES
        .iter()
        .filter(|(f, _)| *f != 0)
    {
        let allowed = match policy {
            None => true,
            Some(policy) => {
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
            for class in map.sockets_of_family(name) {
                fp.count_object(class, "socket");
            }
        }
    }
    fp
}

/// True when the footprint created a user namespace (a recorded `clone`,
/// `clone3` or `unshare` flags value with CLONE_NEWUSER).
pub fn created_user_namespace(fp: &Footprint) -> bool {
    const CLONE_NEWUSER: u64 = 0x1000_0000;
    fp.arguments.values().any(|a| {
        matches!(a.syscall.as_str(), "clone" | "clone3" | "unshare")
            && a.index == 0
            && a.values.keys().any(|v| v & CLONE_NEWUSER != 0)
    })
}

/// The reach of a footprint in a deployment: its own, plus the runtime's.
pub fn deployment_reach(fp: &Footprint, map: &SubsystemMap, containment: &Containment) -> Reach {
    let options = ReachOptions {
        initial_network_namespace: containment.privileges.initial_network_namespace,
        ..ReachOptions::default()
    };
    let mut reach = reach_of_footprint(fp, map, &options);
    if reach.processes {
        for r in &containment.runtime_reach {
            for s in &r.subsystems {
                reach.add(s, Evidence::Runtime { why: r.why.clone() });
            }
        }
    }
    reach
}

/// The privileges for the observed and the exposed reach.
pub fn split_privileges(
    fp: &Footprint,
    guard: Option<&Policy>,
    containment: &Containment,
) -> (Privileges, Privileges) {
    let base = &containment.privileges;
    let mut observed = base.clone();
    observed.user_namespaces = if created_user_namespace(fp) {
        UserNamespaces::Allowed("the workload created a user namespace".into())
    } else {
        UserNamespaces::Denied("the workload created no user namespace".into())
    };
    let mut exposed = base.clone();
    exposed.user_namespaces = match (&base.user_namespaces, allows_user_namespaces(guard)) {
        (UserNamespaces::Allowed(why), true) => {
            UserNamespaces::Allowed(format!("the guard lets unshare/clone create one and {why}"))
        }
        (UserNamespaces::Allowed(_), false) => UserNamespaces::Denied(
            "the guard denies unshare/clone/clone3 with CLONE_NEWUSER".into(),
        ),
        (UserNamespaces::Denied(why), _) => UserNamespaces::Denied(why.clone()),
    };
    (observed, exposed)
}

/// Shared layers below the syscall layer that a tenant reaches through the
/// model's interfaces but a syscall recording does not see.
fn unseen_model_terms(stack: &Stack, syscall_layer: &str) -> Vec<ModelTerm> {
    crate::profile::hap_terms_except(stack, syscall_layer)
        .into_iter()
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
pub fn score(inputs: &WorkloadInputs) -> Result<Scored, String> {
    score_inner(inputs, true)
}

/// Score without the model terms of unseen layers (the catalogue uses this
/// for its own kernel terms, which would otherwise recurse).
pub(crate) fn score_inner(inputs: &WorkloadInputs, with_unseen: bool) -> Result<Scored, String> {
    let stack = inputs.model;
    let layer = syscall_layer(stack).ok_or_else(|| {
        format!(
            "model '{}' has no kernel, sandbox or library-OS layer to serve syscalls",
            stack.name
        )
    })?;
    let fp = inputs.footprint;
    let policy = inputs.guard.policy();
    let (observed_privileges, exposed_privileges) =
        split_privileges(fp, policy, &inputs.containment);
    let observed_reach = deployment_reach(fp, inputs.map, &inputs.containment);
    let exposed_fp = exposed_footprint(fp, &inputs.guard, inputs.map);
    let exposed_reach = deployment_reach(&exposed_fp, inputs.map, &inputs.containment);

    let kernel = inputs.rates.rate(&observed_reach, &observed_privileges);
    let exposed_kernel = inputs.rates.rate(&exposed_reach, &exposed_privileges);
    let kernel_vap = kernel.value;
    let owner_of = |kind: LayerKind| {
        stack
            .layers
            .iter()
            .find(|l| l.kind == kind)
            .map(|l| l.owner)
    };
    let exe_paths: BTreeSet<&str> = fp.processes.iter().map(|p| p.exe.as_str()).collect();
    let per_mib = inputs.user_density.per_mib;
    let code: Vec<CodeTerm> = fp
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
                value: c.exec_bytes as f64 / 1_048_576.0 * per_mib,
            }
        })
        .collect();
    let user_vap = sum(code.iter().map(|c| c.value));
    let user_by = |o: Owner| sum(code.iter().filter(|c| c.owner == o).map(|c| c.value));
    let kernel_for = |o: Owner| if layer.owner == o { kernel_vap } else { 0.0 };
    let tenant_vap = clean(kernel_for(Owner::Tenant) + user_by(Owner::Tenant));
    let provider_vap = clean(kernel_for(Owner::Provider) + user_by(Owner::Provider));
    let mib: f64 = code.iter().map(|c| c.exec_bytes as f64 / 1_048_576.0).sum();

    let mut notes = Vec::new();
    let unseen = if with_unseen {
        unseen_model_terms(stack, &layer.name)
    } else {
        Vec::new()
    };
    if !unseen.is_empty() {
        notes.push(format!(
            "the HAP of the {} model includes shared layers a syscall recording cannot see ({}); their model estimates are added to both HAPs",
            stack.name,
            unseen.iter().map(|t| t.layer.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    let shared_kernel = layer.shared && layer.kind == LayerKind::HostKernel;
    let hap_of = |rate: &ReachRate, fp: &Footprint, what: &str| -> Hap {
        let mut model_terms = unseen.clone();
        if layer.shared && layer.kind != LayerKind::HostKernel {
            // A shared emulator (gVisor's Sentry): the share of its entry
            // points this footprint uses, capped by the model's width.
            let used = fp
                .syscalls
                .values()
                .flat_map(|m| m.keys())
                .collect::<BTreeSet<_>>()
                .len() as u32;
            for iface in layer
                .interfaces
                .iter()
                .filter(|i| stack.layer(&i.from).is_some_and(|f| !f.shared))
            {
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
        let kernel = shared_kernel.then(|| rate.clone());
        let value = sum(kernel
            .iter()
            .map(|k| k.value)
            .chain(model_terms.iter().map(|t| t.value)));
        let formula = if shared_kernel {
            format!("CVE fixes per year in the shared kernel code {what} (each CVE once), + model terms of shared layers a recording cannot see")
        } else {
            format!(
                "model terms of the shared layers below '{}' (its own code is not shared)",
                layer.name
            )
        };
        Hap {
            value,
            formula,
            kernel,
            model_terms,
        }
    };
    let observed_hap = hap_of(&kernel, fp, "the workload reached");
    let exposed_hap = hap_of(&exposed_kernel, &exposed_fp, "the guard allows");
    if layer.shared && layer.kind == LayerKind::Sandbox {
        notes.push(format!(
            "the workload's syscalls are served by the '{}' emulator; its share of the HAP comes from the model",
            layer.name
        ));
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
    let chosen = inputs.rates.params.half_life_years.is_some();
    let half_life = inputs.rates.params.index_half_life();
    let half_life_text = if half_life.is_finite() {
        format!("2^(-age/{half_life})")
    } else {
        "1 (--half-life 0: no decay, the index equals the figure)".to_owned()
    };
    let sensitivity = Sensitivity {
        half_life_years: if half_life.is_finite() { half_life } else { 0.0 },
        chosen,
        kernel_vap_index: kernel.decay_index,
        observed_hap_kernel_index: observed_hap.kernel.as_ref().map_or(0.0, |k| k.decay_index),
        exposed_hap_kernel_index: exposed_hap.kernel.as_ref().map_or(0.0, |k| k.decay_index),
        user_vap_low: clean(mib * inputs.user_density.per_mib_low),
        user_vap_high: clean(mib * inputs.user_density.per_mib_high),
        note: format!(
            "decay-weighted index: the same CVEs, each weighted {half_life_text} by the age of the buggy code at its fix{}; an index, not the figure",
            if chosen { " (--half-life)" } else { " (the reference half-life; --half-life H sets it, 0 turns it off)" }
        ),
    };
    let mut refused = observed_reach.refused.clone();
    refused.extend(exposed_reach.refused.iter().cloned());
    refused.sort();
    refused.dedup();
    let p = &inputs.containment.privileges;
    let profile = WorkloadProfile {
        schema_version: SCHEMA_VERSION,
        model: stack.name.clone(),
        unit: UNIT.to_owned(),
        unit_note: UNIT_NOTE.to_owned(),
        window: Window {
            from: inputs.rates.params.from.to_string(),
            to: inputs.rates.params.to.to_string(),
            years: inputs.rates.years,
            normalisation: format!(
                "per year: CVEs fixed from {} to {} (the fixes of mainline releases {}) / {:.4} years",
                inputs.rates.params.from,
                inputs.rates.params.to,
                aprof_density::density::WINDOW_RELEASES,
                inputs.rates.years
            ),
        },
        syscall_layer: layer.name.clone(),
        syscall_layer_owner: layer.owner,
        syscall_layer_shared: layer.shared,
        privileges: PrivilegeSummary {
            source: p.source.clone(),
            capabilities: p.capabilities.clone(),
            initial_user_namespace: p.initial_user_namespace,
            initial_network_namespace: p.initial_network_namespace,
            user_namespaces_observed: observed_privileges.user_namespaces.clone(),
            user_namespaces_exposed: exposed_privileges.user_namespaces.clone(),
        },
        vap: clean(kernel_vap + user_vap),
        vap_formula: "kernel: CVE fixes per year in the kernel code reached (each CVE once) + userspace: Σ MiB(f) × user_density over the executable code mapped".into(),
        kernel_vap,
        kernel: kernel.clone(),
        user_vap,
        code_terms: code,
        user_density: inputs.user_density.clone(),
        tenant_vap,
        provider_vap,
        removable_by_generated_profile: clean((exposed_hap.value - observed_hap.value).max(0.0)),
        observed_hap,
        exposed_hap,
        guard,
        sensitivity,
        refused_families: refused,
        unmapped,
        notes,
    };
    Ok(Scored {
        profile,
        observed_reach,
        observed_privileges,
    })
}
