//! Layer figures a model file asks to be measured rather than written in:
//! `size_from = "lines:BUCKET;..."` (the kernel's source lines),
//! `density_from = "cves:BUCKET;..."` (CVE fixes per year in those buckets
//! over the size), `density_from = "kernel-per-kloc"` (the non-driver
//! kernel's CVE fixes per KLOC-year; `kernel-per-kloc*F` scales it) and `density_from = "kernel-reach"`
//! (a kernel whose terms come from the reach, see `crate::profile`). They
//! are computed from the embedded data when the file is read, so the
//! figures can never drift from it.

use aprof_density::measures;
use std::ops::Range;

/// A layer's size and density once resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasuredLayer {
    pub size_kloc: f64,
    pub density: f64,
    pub kernel_reach: bool,
    pub size_note: Option<String>,
    pub density_note: Option<String>,
}

type Failure = (Option<Range<usize>>, &'static str, String);

fn buckets(list: &str) -> Vec<&str> {
    list.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Resolve literal or measured size and density.
pub fn resolve_layer(
    size_kloc: Option<(f64, Range<usize>)>,
    density: Option<(f64, Range<usize>)>,
    size_from: Option<(&str, Range<usize>)>,
    density_from: Option<(&str, Range<usize>)>,
) -> Result<MeasuredLayer, Failure> {
    let kernel_reach = matches!(density_from, Some(("kernel-reach", _)));
    let (size, size_note) = match (size_kloc, size_from) {
        (Some(_), Some((_, at))) => {
            return Err((
                Some(at),
                "layers.size_from",
                "give size_kloc or size_from, not both".into(),
            ))
        }
        (Some((v, _)), None) => (v, None),
        (None, Some((spec, at))) => {
            let Some(list) = spec.strip_prefix("lines:") else {
                return Err((
                    Some(at),
                    "layers.size_from",
                    format!("unknown size source '{spec}' (lines:BUCKET;BUCKET)"),
                ));
            };
            let lines = measures::KernelLines::embedded();
            let b = buckets(list);
            if let Some(missing) = b.iter().find(|x| !lines.lines.contains_key(**x)) {
                return Err((
                    Some(at),
                    "layers.size_from",
                    format!("no bucket '{missing}' in the line counts"),
                ));
            }
            let kloc = lines.kloc_of(&b);
            (
                kloc,
                Some(format!(
                    "measured at load: {kloc:.1} KLOC of .c/.h/.S in {} ({})",
                    b.join(" + "),
                    lines.source
                )),
            )
        }
        (None, None) if kernel_reach => (0.0, None),
        (None, None) => {
            return Err((
                None,
                "layers.size_kloc",
                "missing: give size_kloc or size_from".into(),
            ))
        }
    };
    let (density, density_note) = match (density, density_from) {
        (Some(_), Some((_, at))) => {
            return Err((
                Some(at),
                "layers.density_from",
                "give density or density_from, not both".into(),
            ))
        }
        (Some((v, _)), None) => (v, None),
        (None, Some(("kernel-reach", _))) => (0.0, None),
        (None, Some((spec, at))) if spec.starts_with("kernel-per-kloc") => {
            // `kernel-per-kloc` or `kernel-per-kloc*F`: the measured rate times F.
            let factor = match spec.strip_prefix("kernel-per-kloc").unwrap_or("") {
                "" => 1.0,
                rest => rest
                    .strip_prefix('*')
                    .and_then(|f| f.trim().parse::<f64>().ok())
                    .filter(|f| f.is_finite() && *f >= 0.0)
                    .ok_or_else(|| {
                        (
                            Some(at.clone()),
                            "layers.density_from",
                            format!("'{spec}': expected kernel-per-kloc or kernel-per-kloc*FACTOR"),
                        )
                    })?,
            };
            let m = measures::non_driver_kernel();
            let times = if factor == 1.0 {
                String::new()
            } else {
                format!(" × {factor}")
            };
            (
                m.per_kloc_year * factor,
                Some(format!(
                    "computed at load from the embedded data: {}{times}",
                    m.describe()
                )),
            )
        }
        (None, Some((spec, at))) => {
            let Some(list) = spec.strip_prefix("cves:") else {
                return Err((
                    Some(at),
                    "layers.density_from",
                    format!(
                        "unknown density source '{spec}' (kernel-reach, kernel-per-kloc or cves:BUCKET;BUCKET)"
                    ),
                ));
            };
            if size <= 0.0 {
                return Err((
                    Some(at),
                    "layers.density_from",
                    "a measured density needs a size above 0".into(),
                ));
            }
            let m = measures::buckets(&buckets(list));
            (
                m.per_year / size,
                Some(format!(
                    "computed at load from the embedded data: {} CVEs touching {} fixed in {:.4} years = {:.2} a year, over {size:.1} KLOC",
                    m.cves, m.what, m.years, m.per_year
                )),
            )
        }
        (None, None) => {
            return Err((
                None,
                "layers.density",
                "missing: give density or density_from".into(),
            ))
        }
    };
    Ok(MeasuredLayer {
        size_kloc: size,
        density,
        kernel_reach,
        size_note,
        density_note,
    })
}
