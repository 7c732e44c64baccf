//! Density recomputation: the worked example of docs/density.md on the
//! embedded data, and a hand-made table whose every figure is checked
//! against the formula.

use aprof_density::{
    decay_weight, CveRecord, Dataset, Date, DensityParams, DensityTable, KernelVersion, Origin,
    DAYS_PER_YEAR,
};

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 5e-5
}

/// docs/density.md, "Worked example": kernel/futex over the CNA period.
#[test]
fn worked_example_kernel_futex() {
    let data = Dataset::embedded();
    let params = DensityParams::cna_period(data);
    assert_eq!((params.from, params.to), (d("2024-02-12"), d("2026-08-21")));
    assert_eq!(params.half_life_years, Some(4.0));
    let table = DensityTable::compute(data, &params);
    // 921 days.
    assert_eq!(
        params.to.days_since_epoch() - params.from.days_since_epoch(),
        921
    );
    assert!(close(table.years, 921.0 / DAYS_PER_YEAR));
    assert!(close(table.years, 2.5216));
    let futex = table.get("kernel/futex");
    let expected = [
        ("CVE-2025-39977", "2021-10-31", "2025-09-28", 0.5079),
        ("CVE-2025-40341", "2006-06-18", "2025-11-30", 0.0344),
        ("CVE-2026-23415", "2025-07-27", "2026-04-12", 0.8844),
        ("CVE-2026-31554", "2024-01-07", "2026-04-12", 0.6758),
        ("CVE-2026-31555", "2020-01-27", "2026-04-12", 0.3411),
        ("CVE-2026-52977", "2021-10-31", "2026-06-14", 0.4492),
    ];
    assert_eq!(futex.cves, expected.len());
    let mut sum = 0.0;
    for (term, (id, introduced, fixed, weight)) in futex.terms.iter().zip(expected) {
        assert_eq!(term.cve_id, id);
        assert_eq!(term.introduced_date, Some(d(introduced)));
        assert_eq!(term.fixed_date, d(fixed));
        // Recompute by hand: age in days / 365.2425, then 2^(-age/4).
        let age =
            (d(fixed).days_since_epoch() - d(introduced).days_since_epoch()) as f64 / DAYS_PER_YEAR;
        let by_hand = 2f64.powf(-age / 4.0);
        assert!(close(term.decay_weight, by_hand));
        assert!(
            close(term.weight, weight),
            "{id}: {} vs {weight}",
            term.weight
        );
        sum += by_hand;
    }
    assert!(close(futex.weighted_cves, sum));
    assert!(close(futex.weighted_cves, 2.8926));
    assert!(close(futex.cves_per_year, 6.0 / table.years));
    assert!(close(futex.cves_per_year, 2.3794));
    assert!(close(futex.weighted_per_year, 1.1471));
}

fn record(
    id: &str,
    introduced: Option<&str>,
    fixed: &str,
    cvss: Option<f64>,
    files: &[&str],
) -> CveRecord {
    CveRecord::new(
        id.into(),
        Origin::Cna,
        None,
        Some(KernelVersion::parse("6.10").unwrap()),
        Some(d(fixed)),
        introduced.map(|_| KernelVersion::parse("6.1").unwrap()),
        introduced.map(d),
        cvss,
        files.iter().map(|f| f.to_string()).collect(),
    )
}

#[test]
fn hand_made_table_recomputes() {
    let data = Dataset::from_records(
        vec![
            // age 0: weight 1
            record(
                "CVE-A",
                Some("2024-06-01"),
                "2024-06-01",
                Some(9.8),
                &["net/ipv4/tcp.c"],
            ),
            // age 1461 days: weight 2^(-1461/365.2425/4)
            record(
                "CVE-B",
                Some("2020-06-01"),
                "2024-06-01",
                None,
                &["net/ipv4/udp.c", "net/core/dev.c"],
            ),
            // unknown age: weight 1
            record(
                "CVE-C",
                None,
                "2025-01-01",
                Some(5.0),
                &["net/ipv4/route.c"],
            ),
            // outside the window
            record(
                "CVE-D",
                Some("2020-01-01"),
                "2023-01-01",
                None,
                &["net/ipv4/tcp.c"],
            ),
        ],
        None,
        "test",
    );
    let mut params = DensityParams {
        from: d("2024-01-01"),
        to: d("2026-01-01"),
        half_life_years: Some(4.0),
        cvss_weighting: false,
        missing_cvss: 7.8,
    };
    let years = 731.0 / DAYS_PER_YEAR;
    let b_weight = decay_weight(1461.0 / DAYS_PER_YEAR, 4.0);
    assert!(close(b_weight, 0.49999));
    let table = DensityTable::compute(&data, &params);
    assert_eq!(table.cves_in_window, 3);
    let ipv4 = table.get("net/ipv4");
    assert_eq!((ipv4.cves, ipv4.unknown_age), (3, 1));
    assert!(close(ipv4.weighted_cves, 1.0 + b_weight + 1.0));
    assert!(close(ipv4.weighted_per_year, (2.0 + b_weight) / years));
    assert!(close(ipv4.cves_per_year, 3.0 / years));
    let core = table.get("net/core");
    assert_eq!(core.cves, 1);
    assert!(close(core.weighted_per_year, b_weight / years));
    assert_eq!(table.get("fs/ext4").cves, 0);
    assert_eq!(table.weighted_per_year("fs/ext4"), 0.0);

    // With CVSS: A 0.98, B (missing: 7.8) 0.78 * decay, C 0.5.
    params.cvss_weighting = true;
    let table = DensityTable::compute(&data, &params);
    let ipv4 = table.get("net/ipv4");
    assert!(close(ipv4.weighted_cves, 0.98 + 0.78 * b_weight + 0.5));
    // Without decay every CVE weighs 1.
    params.cvss_weighting = false;
    params.half_life_years = None;
    let table = DensityTable::compute(&data, &params);
    assert!(close(table.get("net/ipv4").weighted_cves, 3.0));
}
