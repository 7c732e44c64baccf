//! SVG figures, written by hand: a horizontal bar per model for the VAP
//! (tenant and provider parts) and one for the HAP, on a shared scale.

use aprof_score::Profile;

/// Escape text for HTML and SVG.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Tenant VAP, provider VAP and HAP bars for each profile.
pub fn vap_hap_bars(profiles: &[Profile]) -> String {
    const LABEL: f64 = 140.0;
    const PLOT: f64 = 560.0;
    const ROW: f64 = 34.0;
    let max = profiles
        .iter()
        .map(|p| p.total_vap.value.max(p.hap.value))
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let scale = |v: f64| v / max * PLOT;
    let height = ROW * profiles.len() as f64 + 40.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{height}\" role=\"img\" aria-label=\"VAP and HAP per model\">\n",
        w = LABEL + PLOT + 80.0
    );
    for (i, p) in profiles.iter().enumerate() {
        let y = 10.0 + ROW * i as f64;
        let tenant = scale(p.tenant_vap.value);
        let provider = scale(p.provider_vap.value);
        s.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text>\n",
            y + 12.0,
            esc(&p.model)
        ));
        s.push_str(&format!(
            "<rect class=\"tenant\" x=\"{LABEL}\" y=\"{y}\" width=\"{tenant:.1}\" height=\"12\" fill=\"#4a90d9\"><title>tenant VAP {:.1}</title></rect>\n",
            p.tenant_vap.value
        ));
        s.push_str(&format!(
            "<rect class=\"provider\" x=\"{:.1}\" y=\"{y}\" width=\"{provider:.1}\" height=\"12\" fill=\"#f5a623\"><title>provider VAP {:.1}</title></rect>\n",
            LABEL + tenant,
            p.provider_vap.value
        ));
        s.push_str(&format!(
            "<rect class=\"hap\" x=\"{LABEL}\" y=\"{}\" width=\"{:.1}\" height=\"10\" fill=\"#d0021b\"><title>HAP {:.1}</title></rect>\n",
            y + 14.0,
            scale(p.hap.value),
            p.hap.value
        ));
    }
    let ly = ROW * profiles.len() as f64 + 25.0;
    s.push_str(&format!(
        "<text x=\"{LABEL}\" y=\"{ly}\" font-size=\"11\"><tspan fill=\"#4a90d9\">■ tenant VAP</tspan> <tspan fill=\"#f5a623\">■ provider VAP</tspan> <tspan fill=\"#d0021b\">■ HAP</tspan> (expected CVEs per year)</text>\n"
    ));
    s.push_str("</svg>\n");
    s
}
