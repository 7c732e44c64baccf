//! The attack profile of a stack: total, tenant and provider VAP, and HAP,
//! each as a sum of terms a reader can recompute by hand.
//!
//! - A layer's weight is `size_kloc × density`: expected defects per year in
//!   the code the workload traverses there.
//! - VAP = Σ weight over all layers; tenant and provider VAP split it by owner.
//! - HAP = Σ over shared layers L, over interfaces I of L called from a layer
//!   inside the tenant's boundary (not shared), of
//!   `size_kloc(L) × density(L) × width(I) / entry_points(I)`: the share of the
//!   shared layer's code its reachable entry points lead to. When several
//!   such interfaces lead into one layer the shares add up, capped at 1.

use crate::stack::{Owner, Stack};
use serde::{Deserialize, Serialize};

/// The unit of every VAP and HAP figure.
pub const UNIT: &str = "expected CVEs per year";

/// One term of a sum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Term {
    pub layer: String,
    pub owner: Owner,
    pub size_kloc: f64,
    pub density: f64,
    /// Share of the layer counted: 1 for VAP, `width / entry_points` for HAP.
    pub share: f64,
    /// `size_kloc × density × share`.
    pub value: f64,
    /// For HAP terms: the interfaces that make the share.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<Via>,
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
            value: terms.iter().map(|t| t.value).sum(),
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

/// Compute the profile of a stack.
pub fn profile(stack: &Stack) -> Profile {
    let vap_term = |l: &crate::stack::Layer| Term {
        layer: l.name.clone(),
        owner: l.owner,
        size_kloc: l.size_kloc,
        density: l.density,
        share: 1.0,
        value: l.weight(),
        via: Vec::new(),
    };
    let all: Vec<Term> = stack.layers.iter().map(vap_term).collect();
    let by_owner = |o: Owner| {
        all.iter()
            .filter(|t| t.owner == o)
            .cloned()
            .collect::<Vec<_>>()
    };

    let mut hap_terms = Vec::new();
    let mut hap_width = 0;
    let mut hap_interfaces = Vec::new();
    for layer in stack.layers.iter().filter(|l| l.shared) {
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
        for v in &via {
            hap_width += v.width;
            hap_interfaces.push(format!(
                "{} ({}/{}) → {}",
                v.interface, v.width, v.entry_points, layer.name
            ));
        }
        let share = via
            .iter()
            .map(|v| v.width as f64 / v.entry_points as f64)
            .sum::<f64>()
            .min(1.0);
        hap_terms.push(Term {
            layer: layer.name.clone(),
            owner: layer.owner,
            size_kloc: layer.size_kloc,
            density: layer.density,
            share,
            value: layer.weight() * share,
            via,
        });
    }

    let total_vap = Measure::of("Σ size_kloc × density over all layers", all.clone());
    let tenant_vap = Measure::of(
        "Σ size_kloc × density over tenant-owned layers",
        by_owner(Owner::Tenant),
    );
    let provider_vap = Measure::of(
        "Σ size_kloc × density over provider-owned layers",
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
        hap: Measure::of(
            "Σ size_kloc × density × min(1, Σ width/entry_points) over shared layers reached from inside the tenant's boundary",
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
