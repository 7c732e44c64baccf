//! Rendering the function-level HAP beside the syscall-level one: the
//! subsystems each reaches, the traced functions per subsystem, and how the
//! functions were traced, filtered and mapped.

use aprof_footprint::functions::KernelFunctions;
use aprof_score::functions::{FunctionHap, SideBySide};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};

fn f(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

fn measurement(k: &KernelFunctions) -> String {
    let mut s = format!(
        "{} unique kernel functions ({} {}",
        k.len(),
        k.source,
        k.tracer
    );
    if k.unique.n > 1 {
        s.push_str(&format!(
            "; {:.1} ± {:.1} per run over {} runs",
            k.unique.mean, k.unique.sd, k.unique.n
        ));
    }
    s.push(')');
    let kernel = k.kernel.release.as_deref().unwrap_or("unknown kernel");
    s.push_str(&format!(", kernel {kernel}"));
    if let Some(id) = &k.kernel.build_id {
        s.push_str(&format!(" (build id {id})"));
    }
    if let Some(a) = &k.accelerator {
        s.push_str(&format!(", in a {a} guest"));
    }
    s.push_str(".\n");
    if !k.filters.is_empty() {
        s.push_str(&format!("Filters: {}.\n", k.filters.join("; ")));
    }
    if let Some(b) = &k.baseline {
        s.push_str(&format!(
            "Idle baseline: {} functions over {} run(s), {} removed from the workload's ({}).\n",
            b.functions, b.runs, b.removed, b.source
        ));
    }
    if let Some(m) = &k.mapping {
        let by: Vec<String> = m
            .mapped
            .iter()
            .map(|(how, n)| format!("{n} by {how:?}").to_lowercase())
            .collect();
        s.push_str(&format!(
            "Mapped to subsystems: {}; unmapped: {}{}.\n",
            if by.is_empty() {
                "none".to_owned()
            } else {
                by.join(", ")
            },
            m.unmapped,
            if m.unmapped_examples.is_empty() {
                String::new()
            } else {
                format!(" (e.g. {})", m.unmapped_examples.join(", "))
            }
        ));
    }
    s
}

fn opt(v: Option<f64>) -> String {
    v.map(f).unwrap_or_else(|| "-".into())
}

/// A terminal report of the function-level HAP next to the syscall level.
pub fn functions_table(k: &KernelFunctions, hap: &FunctionHap, side: &SideBySide) -> String {
    let mut s = String::from("\nKernel functions: ");
    s.push_str(&measurement(k));
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "subsystem".to_owned(),
        format!("syscall level ({})", side.unit),
        format!("function level ({})", side.unit),
        "functions".to_owned(),
        "examples".to_owned(),
    ]);
    for row in &side.rows {
        let examples = hap
            .terms
            .iter()
            .find(|t| t.subsystem == row.subsystem)
            .map(|t| t.examples.join(", "))
            .unwrap_or_default();
        t.add_row(vec![
            row.subsystem.clone(),
            opt(row.syscall_level),
            opt(row.function_level),
            row.functions.to_string(),
            examples,
        ]);
    }
    s.push_str(&t.to_string());
    s.push_str(&format!(
        "\nHAP, syscall level: {} {} (the observed HAP's kernel part: the per-process baseline, the subsystems the syscall mapping reaches, open gates)\nHAP, function level: {} {} = {} CVEs / {:.2} years ({}); decay-weighted index {}\n",
        f(side.syscall_level),
        side.unit,
        f(hap.value),
        hap.unit,
        hap.cves,
        hap.years,
        hap.formula,
        f(hap.decay_index),
    ));
    if hap.in_buckets > 0 {
        s.push_str(&format!(
            "{} function(s) were placed in a bucket only (no debug information): they count the bucket's ungrouped files, a lower bound\n",
            hap.in_buckets
        ));
    }
    if !side.only_functions.is_empty() {
        s.push_str(&format!(
            "Reached only at function level: {}\n",
            side.only_functions.join(", ")
        ));
    }
    if !side.only_syscalls.is_empty() {
        s.push_str(&format!(
            "Reached only by the syscall mapping: {}\n",
            side.only_syscalls.join(", ")
        ));
    }
    s
}

/// The same as Markdown.
pub fn functions_markdown(k: &KernelFunctions, hap: &FunctionHap, side: &SideBySide) -> String {
    let mut s = String::from("\n## Kernel functions\n\n");
    s.push_str(&measurement(k).replace('\n', "\n\n"));
    s.push_str(&format!(
        "| subsystem | syscall level ({u}) | function level ({u}) | functions |\n|---|---:|---:|---:|\n",
        u = side.unit
    ));
    for row in &side.rows {
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            row.subsystem,
            opt(row.syscall_level),
            opt(row.function_level),
            row.functions
        ));
    }
    s.push_str(&format!(
        "\n- HAP, syscall level: **{}** {}\n- HAP, function level: **{}** {} ({})\n",
        f(side.syscall_level),
        side.unit,
        f(side.function_level),
        hap.unit,
        hap.formula
    ));
    s
}

/// The JSON value added to a workload report under `kernel_functions`.
pub fn functions_json(hap: &FunctionHap, side: &SideBySide) -> serde_json::Value {
    serde_json::json!({
        "function_hap": hap,
        "side_by_side": side,
    })
}
