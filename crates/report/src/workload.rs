//! Rendering a scored workload: its VAP and HAP terms in one named unit,
//! ownership, the reach behind gates, the guard gap, the sensitivity of the
//! figures, and the known-unfixed CVEs.

use aprof_density::{GateState, ReachRate};
use aprof_score::workload::{Hap, WorkloadProfile};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};

/// The known-unfixed CVEs that go with a profile.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PatchSummary {
    /// The release as given or read (`uname -r`).
    pub kernel: String,
    /// The upstream version compared with the data.
    pub compared: String,
    /// False for a distribution kernel: the count is an upper bound.
    pub exact: bool,
    pub data_date: Option<String>,
    /// True when the kernel is newer than the data: the list is incomplete.
    pub newer_than_data: bool,
    pub cve_ids: Vec<String>,
    /// Per reached subsystem (or "per-process baseline"): how many.
    pub per_subsystem: std::collections::BTreeMap<String, usize>,
    /// What the count means, in one sentence.
    pub note: String,
}

impl PatchSummary {
    pub fn of(level: &aprof_density::PatchLevel) -> PatchSummary {
        let mut per_subsystem = std::collections::BTreeMap::new();
        for c in &level.cves {
            for m in &c.matched {
                *per_subsystem.entry(m.clone()).or_default() += 1;
            }
        }
        PatchSummary {
            kernel: level.kernel.release.clone(),
            compared: level.compared.to_string(),
            exact: level.exact,
            data_date: level.data_date.map(|d| d.to_string()),
            newer_than_data: level.newer_than_data,
            cve_ids: level.cves.iter().map(|c| c.cve_id.clone()).collect(),
            per_subsystem,
            note: level.note.clone(),
        }
    }
}

/// A figure in the report: 1 decimal, `0` for zero.
fn f(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn gate_line(state: &GateState, gate: &str) -> (String, &'static str) {
    match state {
        GateState::Held(why) => (format!("reachable with {gate}: {why}"), "counted"),
        GateState::UserNamespace(why) => (
            format!("reachable only with {gate} in a user namespace: {why}"),
            "counted",
        ),
        GateState::Closed(why) => (format!("not reachable: {why}"), "not counted"),
    }
}

/// The first `n` items, then how many more.
fn shorten(items: &[String], n: usize) -> String {
    let mut s = items.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > n {
        s.push_str(&format!(" and {} more", items.len() - n));
    }
    s
}

/// The rows of a kernel reach rate: the baseline, the subsystems (the
/// largest `limit` of them), and one row per gate.
fn rate_rows(t: &mut Table, figure: &str, rate: &ReachRate, limit: usize) {
    if let Some(b) = &rate.baseline {
        t.add_row(vec![
            figure.to_owned(),
            "kernel: fixed per-process cost".into(),
            f(b.value),
            format!(
                "{} CVEs in code every process runs (exec, mm, signals, scheduler, entry)",
                b.cves
            ),
        ]);
    }
    let mut terms: Vec<_> = rate.terms.iter().filter(|t| t.value > 0.0).collect();
    terms.sort_by(|a, b| b.value.total_cmp(&a.value));
    let shown = terms.len().min(limit);
    for term in &terms[..shown] {
        t.add_row(vec![
            figure.to_owned(),
            format!("kernel {}", term.subsystem),
            f(term.value),
            format!("{:.1} CVEs; {}", term.cves, shorten(&term.evidence, 4)),
        ]);
    }
    if terms.len() > shown {
        let rest: f64 = terms[shown..].iter().map(|t| t.value).sum();
        t.add_row(vec![
            figure.to_owned(),
            format!("kernel: {} more subsystems", terms.len() - shown),
            f(rest),
            "--json lists every term".into(),
        ]);
    }
    for g in &rate.gated {
        let (line, counted) = gate_line(&g.state, &g.gate);
        t.add_row(vec![
            figure.to_owned(),
            format!("kernel behind {} ({counted})", g.gate),
            format!("+{}", f(g.value)),
            format!(
                "{line}; {} CVEs in {}; via {}",
                g.cves,
                shorten(&g.subsystems, 5),
                shorten(&g.triggers, 3)
            ),
        ]);
    }
    t.add_row(vec![
        figure.to_owned(),
        "= kernel".into(),
        f(rate.value),
        format!("{} distinct CVEs / {:.4} years", rate.cves, rate.years),
    ]);
}

fn hap_rows(t: &mut Table, name: &str, h: &Hap, limit: usize) {
    if let Some(k) = &h.kernel {
        rate_rows(t, name, k, limit);
    }
    for m in &h.model_terms {
        t.add_row(vec![
            name.to_owned(),
            format!("model layer {}", m.layer),
            f(m.value),
            m.via.clone(),
        ]);
    }
    t.add_row(vec![
        name.to_owned(),
        "= total".into(),
        f(h.value),
        h.formula.clone(),
    ]);
}

/// The lines above the table: the model, the unit, the privileges.
fn header(p: &WorkloadProfile) -> String {
    let ns = |u: &aprof_density::UserNamespaces| match u {
        aprof_density::UserNamespaces::Allowed(why) => format!("yes ({why})"),
        aprof_density::UserNamespaces::Denied(why) => format!("no ({why})"),
    };
    let caps = if p.privileges.capabilities.is_empty() {
        "none".to_owned()
    } else {
        p.privileges
            .capabilities
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!(
        "Workload profile under the {} model. Syscalls are served by '{}' ({}, {}).\n\
         Unit: {}: {}. Window: {}.\n\
         Privileges ({}): capabilities {caps}; {} network namespace; user namespaces: observed {}, exposed {}.\n",
        p.model,
        p.syscall_layer,
        p.syscall_layer_owner,
        if p.syscall_layer_shared { "shared" } else { "not shared" },
        p.unit,
        p.unit_note,
        p.window.normalisation,
        p.privileges.source,
        if p.privileges.initial_network_namespace { "the initial" } else { "its own" },
        ns(&p.privileges.user_namespaces_observed),
        ns(&p.privileges.user_namespaces_exposed),
    )
}

/// A terminal report.
pub fn workload_table(p: &WorkloadProfile, patch: Option<&PatchSummary>) -> String {
    let mut s = header(p);
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "figure",
        "term",
        p.unit.as_str(),
        "why / formula",
    ]);
    rate_rows(&mut t, "VAP", &p.kernel, usize::MAX);
    for c in &p.code_terms {
        t.add_row(vec![
            "VAP".into(),
            format!("code {}", c.path),
            f(c.value),
            format!(
                "{} exec bytes × {:.1} per MiB ({})",
                c.exec_bytes, p.user_density.per_mib, c.owner
            ),
        ]);
    }
    t.add_row(vec![
        "VAP".into(),
        "= userspace".into(),
        f(p.user_vap),
        format!(
            "{:.1} per MiB of executable code: {}",
            p.user_density.per_mib, p.user_density.basis
        ),
    ]);
    t.add_row(vec![
        "VAP".into(),
        "= total".into(),
        f(p.vap),
        p.vap_formula.clone(),
    ]);
    t.add_row(vec![
        "VAP".into(),
        "tenant / provider".into(),
        format!("{} / {}", f(p.tenant_vap), f(p.provider_vap)),
        "by the owners of the model's layers".into(),
    ]);
    if p.observed_hap.kernel.is_some() {
        t.add_row(vec![
            "observed HAP".into(),
            "kernel".into(),
            f(p.kernel_vap),
            "the kernel terms above: the kernel that serves the syscalls is shared".into(),
        ]);
        for m in &p.observed_hap.model_terms {
            t.add_row(vec![
                "observed HAP".into(),
                format!("model layer {}", m.layer),
                f(m.value),
                m.via.clone(),
            ]);
        }
        t.add_row(vec![
            "observed HAP".into(),
            "= total".into(),
            f(p.observed_hap.value),
            p.observed_hap.formula.clone(),
        ]);
    } else {
        hap_rows(&mut t, "observed HAP", &p.observed_hap, 12);
    }
    hap_rows(&mut t, "exposed HAP", &p.exposed_hap, 12);
    s.push_str(&format!("{t}\n"));
    s.push_str(&summary(p, patch));
    s
}

fn summary(p: &WorkloadProfile, patch: Option<&PatchSummary>) -> String {
    let mut s = format!(
        "VAP {} {} (kernel {}, userspace {}); tenant {}, provider {}.\nObserved HAP {}; exposed HAP {} with guard: {}.\nA profile generated from this recording would remove {} of the exposed HAP (`aprof seccomp generate`).\n",
        f(p.vap),
        p.unit,
        f(p.kernel_vap),
        f(p.user_vap),
        f(p.tenant_vap),
        f(p.provider_vap),
        f(p.observed_hap.value),
        f(p.exposed_hap.value),
        p.guard,
        f(p.removable_by_generated_profile),
    );
    let sens = &p.sensitivity;
    s.push_str(&format!(
        "Sensitivity: with decay at a {}-year half-life (an index, not the figure) the kernel VAP is {} and the exposed kernel HAP {} (no decay: {} and {}); the userspace VAP is {}-{} over the density's range.\n",
        sens.half_life_years,
        f(sens.kernel_vap_index),
        f(sens.exposed_hap_kernel_index),
        f(p.kernel_vap),
        f(p.exposed_hap.kernel.as_ref().map_or(0.0, |k| k.value)),
        f(sens.user_vap_low),
        f(sens.user_vap_high),
    ));
    if let Some(patch) = patch {
        s.push_str(&format!(
            "Kernel {} (compared as {}): in the reached code, {}{}\n",
            patch.kernel,
            patch.compared,
            patch.note,
            if patch.cve_ids.is_empty() {
                ".".to_owned()
            } else {
                format!(
                    ": {}{}",
                    patch
                        .cve_ids
                        .iter()
                        .take(12)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", "),
                    if patch.cve_ids.len() > 12 {
                        ", … (--json lists all)"
                    } else {
                        ""
                    }
                )
            }
        ));
    }
    if !p.refused_families.is_empty() {
        s.push_str(&format!(
            "Not counted: socket families its network namespace refuses (EAFNOSUPPORT): {}.\n",
            p.refused_families.join(" ")
        ));
    }
    for n in &p.notes {
        s.push_str(&format!("Note: {n}\n"));
    }
    if !p.unmapped.is_empty() {
        s.push_str(&format!(
            "Unmapped ({}): {}\n",
            p.unmapped.len(),
            p.unmapped.join("; ")
        ));
    }
    s
}

/// Markdown.
pub fn workload_markdown(p: &WorkloadProfile, patch: Option<&PatchSummary>) -> String {
    let mut s = format!(
        "## Workload profile: `{}` model\n\n{}\n| figure | term | {} | why |\n|---|---|---|---|\n",
        p.model,
        header(p).replace('\n', "\n\n"),
        p.unit
    );
    let esc = |x: &str| x.replace('|', "\\|");
    if let Some(b) = &p.kernel.baseline {
        s.push_str(&format!(
            "| VAP | kernel: fixed per-process cost | {} | {} CVEs |\n",
            f(b.value),
            b.cves
        ));
    }
    for k in p.kernel.terms.iter().filter(|t| t.value > 0.0) {
        s.push_str(&format!(
            "| VAP | kernel {} | {} | {} |\n",
            k.subsystem,
            f(k.value),
            esc(&k.evidence.join(", "))
        ));
    }
    for c in &p.code_terms {
        s.push_str(&format!(
            "| VAP | code `{}` | {} | {} exec bytes ({}) |\n",
            c.path,
            f(c.value),
            c.exec_bytes,
            c.owner
        ));
    }
    s.push_str(&format!(
        "| VAP | **total** | **{}** | {} |\n",
        f(p.vap),
        esc(&p.vap_formula)
    ));
    for (name, h) in [
        ("observed HAP", &p.observed_hap),
        ("exposed HAP", &p.exposed_hap),
    ] {
        if let Some(k) = &h.kernel {
            for g in &k.gated {
                let (line, counted) = gate_line(&g.state, &g.gate);
                s.push_str(&format!(
                    "| {name} | kernel behind {} ({counted}) | +{} | {} |\n",
                    g.gate,
                    f(g.value),
                    esc(&line)
                ));
            }
        }
        s.push_str(&format!(
            "| {name} | **total** | **{}** | {} |\n",
            f(h.value),
            esc(&h.formula)
        ));
    }
    s.push('\n');
    s.push_str(&summary(p, patch));
    s
}

/// JSON with the profile and the patch summary.
pub fn workload_json(p: &WorkloadProfile, patch: Option<&PatchSummary>) -> String {
    let v = serde_json::json!({
        "schema_version": crate::REPORT_SCHEMA_VERSION,
        "kind": "workload-profile",
        "unit": p.unit,
        "profile": p,
        "patch_level": patch,
    });
    serde_json::to_string_pretty(&v).expect("serialises") + "\n"
}
