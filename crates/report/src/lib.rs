//! Reports: terminal tables, versioned JSON, Markdown and HTML with SVG
//! figures for profiles and side-by-side comparisons.
//!
//! Every figure printed comes with the terms that make it, so a reader can
//! recompute it by hand.

pub mod functions;
pub mod sarif;
mod svg;
pub mod workload;

use aprof_score::{Measure, Profile};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use serde::Serialize;

/// Version of the report JSON schema. 2: one unit (CVE fixes per year)
/// named in every document; kernel terms carry their reach.
pub const REPORT_SCHEMA_VERSION: u32 = 2;

/// A comparison of several profiles, as written in JSON.
#[derive(Serialize)]
pub struct Comparison<'a> {
    pub schema_version: u32,
    pub kind: &'static str,
    pub unit: &'static str,
    pub unit_note: &'static str,
    pub profiles: &'a [Profile],
}

fn fmt(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn pct(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

/// The rows of the comparison: model, total, tenant (share), provider, HAP, width, interfaces.
fn comparison_rows(profiles: &[Profile]) -> Vec<[String; 7]> {
    profiles
        .iter()
        .map(|p| {
            [
                p.model.clone(),
                fmt(p.total_vap.value),
                format!("{} ({})", fmt(p.tenant_vap.value), pct(p.tenant_share)),
                fmt(p.provider_vap.value),
                fmt(p.hap.value),
                p.hap_width.to_string(),
                if p.hap_interfaces.is_empty() {
                    "none".into()
                } else {
                    p.hap_interfaces.join("; ")
                },
            ]
        })
        .collect()
}

const HEADERS: [&str; 7] = [
    "model",
    "total VAP",
    "tenant VAP (share)",
    "provider VAP",
    "HAP",
    "HAP entry points",
    "HAP interfaces",
];

/// The comparison as a terminal table.
pub fn comparison_table(profiles: &[Profile]) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(HEADERS);
    for row in comparison_rows(profiles) {
        t.add_row(row.iter().enumerate().map(|(i, c)| {
            let cell = Cell::new(c);
            if (1..=5).contains(&i) {
                cell.set_alignment(CellAlignment::Right)
            } else {
                cell
            }
        }));
    }
    format!("{t}\n{}\n", unit_footer())
}

/// What every comparison says about its unit and formulas.
fn unit_footer() -> String {
    format!(
        "Unit: {} ({}). VAP = Σ layer terms; a Linux kernel's term is the CVE fixes per year in the kernel code the reference workload reaches (as `aprof score` computes it), other layers' size_kloc × density. HAP = Σ over shared layers reached from inside the tenant's boundary: a kernel's exposed reach, else size_kloc × density × width/entry_points. Window: fix dates {} to {}. `aprof model` shows every term.",
        aprof_score::UNIT,
        aprof_density::UNIT_NOTE,
        aprof_density::density::WINDOW_FROM,
        aprof_density::density::WINDOW_TO
    )
}

/// The comparison as JSON with `schema_version`.
pub fn comparison_json(profiles: &[Profile]) -> String {
    let c = Comparison {
        schema_version: REPORT_SCHEMA_VERSION,
        kind: "model-comparison",
        unit: aprof_score::UNIT,
        unit_note: aprof_density::UNIT_NOTE,
        profiles,
    };
    serde_json::to_string_pretty(&c).expect("profiles serialise")
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The comparison as a Markdown table.
pub fn comparison_markdown(profiles: &[Profile]) -> String {
    let mut s = format!(
        "| {} |\n|{}\n",
        HEADERS.join(" | "),
        "---|".repeat(HEADERS.len())
    );
    for row in comparison_rows(profiles) {
        s.push_str(&md_row(&row));
    }
    s.push_str(&format!("\n{}\n", unit_footer()));
    s
}

fn measure_rows(name: &str, m: &Measure) -> Vec<[String; 7]> {
    let mut rows: Vec<[String; 7]> = m
        .terms
        .iter()
        .map(|t| {
            let via = t
                .via
                .iter()
                .map(|v| {
                    format!(
                        "{} from {} ({}/{})",
                        v.interface, v.from, v.width, v.entry_points
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            let opt = |v: Option<f64>, digits: usize| {
                v.map_or_else(|| "-".to_owned(), |v| format!("{v:.digits$}"))
            };
            [
                name.to_owned(),
                t.layer.clone(),
                t.owner.to_string(),
                opt(t.size_kloc, 1),
                opt(t.density, 4),
                format!(
                    "{:.4}{}; {}",
                    t.share,
                    if via.is_empty() {
                        String::new()
                    } else {
                        format!(" via {via}")
                    },
                    t.formula
                ),
                fmt(t.value),
            ]
        })
        .collect();
    rows.push([
        name.to_owned(),
        "= total".into(),
        String::new(),
        String::new(),
        String::new(),
        m.formula.clone(),
        fmt(m.value),
    ]);
    rows
}

const TERM_HEADERS: [&str; 7] = [
    "figure",
    "layer",
    "owner",
    "size (KLOC)",
    "density (fixes/KLOC-year)",
    "share; formula",
    "CVE fixes per year",
];

/// Every term of a profile's four figures, one row each.
fn term_rows(p: &Profile) -> Vec<[String; 7]> {
    [
        ("total VAP", &p.total_vap),
        ("tenant VAP", &p.tenant_vap),
        ("provider VAP", &p.provider_vap),
        ("HAP", &p.hap),
    ]
    .into_iter()
    .flat_map(|(name, m)| measure_rows(name, m))
    .collect()
}

fn md_row(row: &[String]) -> String {
    let cells: Vec<String> = row.iter().map(|c| md_escape(c)).collect();
    format!("| {} |\n", cells.join(" | "))
}

/// An HTML table of string cells.
fn html_table(headers: &[&str], rows: &[[String; 7]]) -> String {
    let mut s = String::from("<table>\n<tr>");
    for h in headers {
        s.push_str(&format!("<th>{}</th>", svg::esc(h)));
    }
    s.push_str("</tr>\n");
    for row in rows {
        s.push_str("<tr>");
        for c in row {
            s.push_str(&format!("<td>{}</td>", svg::esc(c)));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n");
    s
}

/// One profile with every term, as a terminal table.
pub fn profile_table(p: &Profile) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(TERM_HEADERS);
    for row in term_rows(p) {
        t.add_row(row);
    }
    format!(
        "{} ({})\n{t}\nTenant share: {}. HAP entry points: {}.\n{}\n",
        p.title,
        p.model,
        pct(p.tenant_share),
        p.hap_width,
        unit_footer()
    )
}

/// One profile with every term, as Markdown.
pub fn profile_markdown(p: &Profile) -> String {
    let mut s = format!(
        "## {} (`{}`)\n\n| {} |\n|{}\n",
        p.title,
        p.model,
        TERM_HEADERS.join(" | "),
        "---|".repeat(TERM_HEADERS.len())
    );
    for row in term_rows(p) {
        s.push_str(&md_row(&row));
    }
    s.push_str(&format!(
        "\nTenant share: {}. HAP entry points: {}.\n\n{}\n",
        pct(p.tenant_share),
        p.hap_width,
        unit_footer()
    ));
    s
}

/// A self-contained HTML page: the comparison table, an SVG figure of
/// tenant/provider VAP and HAP per model, and every model's terms.
pub fn comparison_html(profiles: &[Profile]) -> String {
    let mut body = String::new();
    body.push_str("<h1>aprof: attack profiles of deployment models</h1>\n");
    body.push_str(&svg::vap_hap_bars(profiles));
    body.push_str(&html_table(&HEADERS, &comparison_rows(profiles)));
    for p in profiles {
        body.push_str(&format!(
            "<h2>{} (<code>{}</code>)</h2>\n",
            svg::esc(&p.title),
            svg::esc(&p.model)
        ));
        body.push_str(&html_table(&TERM_HEADERS, &term_rows(p)));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>aprof report</title>\n<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #bbb;padding:2px 6px;font-size:90%}}th{{background:#eee}}</style></head>\n<body>\n{body}<p>{}</p>\n</body></html>\n",
        svg::esc(&unit_footer())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use aprof_score::catalogue::built_in;

    fn all() -> Vec<Profile> {
        built_in().iter().map(aprof_score::profile).collect()
    }

    #[test]
    fn table_lists_every_model() {
        let t = comparison_table(&all());
        for p in all() {
            assert!(t.contains(&p.model), "{} missing", p.model);
        }
    }

    #[test]
    fn json_is_versioned_and_round_trips_numbers() {
        let v: serde_json::Value = serde_json::from_str(&comparison_json(&all())).unwrap();
        assert_eq!(v["schema_version"], REPORT_SCHEMA_VERSION);
        let first = &v["profiles"][0];
        let terms_sum: f64 = first["total_vap"]["terms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["value"].as_f64().unwrap())
            .sum();
        assert!((terms_sum - first["total_vap"]["value"].as_f64().unwrap()).abs() < 1e-9);
    }

    #[test]
    fn markdown_has_a_row_per_model() {
        let md = comparison_markdown(&all());
        assert_eq!(
            md.lines().filter(|l| l.starts_with("| ")).count(),
            all().len() + 1
        );
    }

    #[test]
    fn html_embeds_an_svg_with_a_bar_per_model() {
        let html = comparison_html(&all());
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert_eq!(html.matches("<svg").count(), 1);
        assert_eq!(html.matches("class=\"hap\"").count(), all().len());
    }
}
