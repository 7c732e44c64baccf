//! Rendering a scored workload: its VAP and HAP terms, ownership, guard gap
//! and known-unfixed CVEs.

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
    pub per_subsystem: std::collections::BTreeMap<String, usize>,
    /// What the count means, in one sentence.
    pub note: String,
}

impl PatchSummary {
    pub fn of(level: &aprof_density::PatchLevel) -> PatchSummary {
        PatchSummary {
            kernel: level.kernel.release.clone(),
            compared: level.compared.to_string(),
            exact: level.exact,
            data_date: level.data_date.map(|d| d.to_string()),
            newer_than_data: level.newer_than_data,
            cve_ids: level.cves.iter().map(|c| c.cve_id.clone()).collect(),
            per_subsystem: level
                .per_match
                .iter()
                .map(|(s, ids)| (s.clone(), ids.len()))
                .collect(),
            note: level.note.clone(),
        }
    }
}

fn f(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

fn hap_rows(t: &mut Table, name: &str, h: &Hap) {
    for k in &h.kernel_terms {
        t.add_row(vec![
            name.to_owned(),
            format!("kernel {}", k.subsystem),
            f(k.density),
            k.evidence.join(", "),
        ]);
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

/// A terminal report.
pub fn workload_table(p: &WorkloadProfile, patch: Option<&PatchSummary>) -> String {
    let mut s = format!(
        "Workload profile under the {} model ({}). Syscalls are served by '{}' ({}, {}).\n",
        p.model,
        p.unit,
        p.syscall_layer,
        p.syscall_layer_owner,
        if p.syscall_layer_shared {
            "shared"
        } else {
            "not shared"
        }
    );
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_header(vec!["figure", "term", "value", "why / formula"]);
    for k in &p.kernel_terms {
        t.add_row(vec![
            "VAP".into(),
            format!("kernel {}", k.subsystem),
            f(k.density),
            format!(
                "{} CVEs in {:.2} y, decay-weighted; {}",
                k.cves,
                k.years,
                k.evidence.join(", ")
            ),
        ]);
    }
    for c in &p.code_terms {
        t.add_row(vec![
            "VAP".into(),
            format!("code {}", c.path),
            f(c.value),
            format!(
                "{} exec bytes × {} per MiB ({})",
                c.exec_bytes, p.user_density_per_mib, c.owner
            ),
        ]);
    }
    t.add_row(vec![
        "VAP".into(),
        "= total".into(),
        f(p.vap),
        p.vap_formula.clone(),
    ]);
    t.add_row(vec![
        "VAP".into(),
        "tenant".into(),
        f(p.tenant_vap),
        String::new(),
    ]);
    t.add_row(vec![
        "VAP".into(),
        "provider".into(),
        f(p.provider_vap),
        String::new(),
    ]);
    hap_rows(&mut t, "observed HAP", &p.observed_hap);
    s.push_str(&format!("{t}\n"));
    s.push_str(&summary(p, patch));
    s
}

fn summary(p: &WorkloadProfile, patch: Option<&PatchSummary>) -> String {
    let mut s = format!(
        "VAP {} (kernel {}, userspace {}); tenant {}, provider {}.\nObserved HAP {} over {} subsystem(s); exposed HAP {} over {} subsystem(s) with guard: {}.\nA profile generated from this recording would remove {} of the exposed HAP (`aprof seccomp generate`).\n",
        f(p.vap),
        f(p.kernel_vap),
        f(p.user_vap),
        f(p.tenant_vap),
        f(p.provider_vap),
        f(p.observed_hap.value),
        p.observed_hap.kernel_terms.len(),
        f(p.exposed_hap.value),
        p.exposed_hap.kernel_terms.len(),
        p.guard,
        f(p.removable_by_generated_profile),
    );
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
        "## Workload profile: `{}` model\n\n| figure | term | value | why |\n|---|---|---|---|\n",
        p.model
    );
    for k in &p.kernel_terms {
        s.push_str(&format!(
            "| VAP | kernel {} | {} | {} |\n",
            k.subsystem,
            f(k.density),
            k.evidence.join(", ").replace('|', "\\|")
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
        p.vap_formula
    ));
    for (name, h) in [
        ("observed HAP", &p.observed_hap),
        ("exposed HAP", &p.exposed_hap),
    ] {
        s.push_str(&format!(
            "| {name} | **total** | **{}** | {} |\n",
            f(h.value),
            h.formula
        ));
    }
    s.push('\n');
    s.push_str(&summary(p, patch));
    s
}

/// JSON with the profile and the patch summary.
pub fn workload_json(p: &WorkloadProfile, patch: Option<&PatchSummary>) -> String {
    let v = serde_json::json!({ "schema_version": crate::REPORT_SCHEMA_VERSION, "kind": "workload-profile", "profile": p, "patch_level": patch });
    serde_json::to_string_pretty(&v).expect("serialises") + "\n"
}
