//! Patch level: which known CVEs a kernel has not got the fix for, judged
//! per stable branch. Expected values come from the data's README (its
//! counts and rules), from an independent Python implementation of those
//! rules (`data/cve/check_affected.py`), and from the CSV rows quoted here.

use aprof_density::{
    is_unfixed_by_mainline, unfixed_cves, CveRecord, Dataset, KernelRelease, KernelVersion, Origin,
};
use std::collections::BTreeSet;
use std::process::Command;

fn v(s: &str) -> KernelVersion {
    KernelVersion::parse(s).unwrap()
}

fn release(s: &str) -> KernelRelease {
    KernelRelease::parse(s).unwrap()
}

fn count(kernel: &str) -> usize {
    unfixed_cves(Dataset::embedded(), &release(kernel), None)
        .cves
        .iter()
        .filter(|c| {
            c.cve_id.starts_with("CVE-") && c.basis != aprof_density::patch::Basis::MainlineOnly
        })
        .count()
}

fn ids(kernel: &str, subsystems: &[&str]) -> Vec<String> {
    let set: BTreeSet<String> = subsystems.iter().map(|s| s.to_string()).collect();
    unfixed_cves(Dataset::embedded(), &release(kernel), Some(&set))
        .cves
        .into_iter()
        .map(|c| c.cve_id)
        .collect()
}

/// The data README: "6.18.44 about 210; 6.12.50 about 4,100; 6.6.100 about
/// 4,000; 6.1.150 about 3,700" (the CNA records, i.e. those with per-branch data).
#[test]
fn counts_match_the_data_readme() {
    for (kernel, about) in [
        ("6.18.44", 210.0),
        ("6.12.50", 4100.0),
        ("6.6.100", 4000.0),
        ("6.1.150", 3700.0),
    ] {
        let n = count(kernel) as f64;
        assert!(
            (n - about).abs() <= about * 0.03,
            "{kernel}: {n} CVEs, the README says about {about}"
        );
    }
}

/// The same counts from an independent implementation of the README rules.
#[test]
fn counts_match_an_independent_implementation() {
    let kernels = [
        "6.18.44", "6.12.50", "6.6.100", "6.1.150", "5.4", "6.5", "6.13.7", "7.2",
    ];
    let out = Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/cve/check_affected.py"
        ))
        .args(kernels)
        .output();
    let out = match out {
        Ok(o) if o.status.success() => o,
        Ok(o) => panic!(
            "check_affected.py failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => {
            aprof_testkit::skip(&format!("python3 is not available: {e}"));
            return;
        }
    };
    let text = String::from_utf8(out.stdout).unwrap();
    let mut compared = 0;
    for line in text.lines() {
        let (kernel, n) = line.split_once(' ').unwrap();
        assert_eq!(count(kernel), n.parse::<usize>().unwrap(), "{kernel}");
        compared += 1;
    }
    assert_eq!(compared, kernels.len());
}

#[test]
fn a_stable_update_has_its_backports() {
    // CSV: CVE-2025-21710,6.6,,6.6.76;6.12.13;6.13.2,6.14 (net/ipv4/tcp_output.c).
    let tcp = ["net/ipv4"];
    assert!(ids("6.13", &tcp).contains(&"CVE-2025-21710".to_owned()));
    assert!(
        !ids("6.13.7", &tcp).contains(&"CVE-2025-21710".to_owned()),
        "fixed in 6.13.2"
    );
    assert!(ids("6.12.12", &tcp).contains(&"CVE-2025-21710".to_owned()));
    assert!(!ids("6.12.13", &tcp).contains(&"CVE-2025-21710".to_owned()));
    assert!(
        !ids("6.5", &tcp).contains(&"CVE-2025-21710".to_owned()),
        "introduced in 6.6"
    );
    // Before: 6.18.44 showed the same list as 6.18.0. Now its backports count.
    assert!(
        count("6.18.44") * 10 < count("6.18"),
        "{} vs {}",
        count("6.18.44"),
        count("6.18")
    );
    // Before: 6.1.150 looked worse than 5.4.
    assert!(count("6.1.150") < count("5.4"));
}

#[test]
fn stable_only_bugs_stay_in_their_branches() {
    // CSV: CVE-2026-43371,,6.1.165-6.1.167;6.6.128-6.6.130;6.12.75-6.12.78;6.18.16-6.18.20;6.19.6-6.19.9,,
    let has = |k: &str| ids(k, &["drivers/net/ethernet"]).contains(&"CVE-2026-43371".to_owned());
    assert!(!has("6.5"), "never in 6.5");
    assert!(!has("6.1.164"));
    assert!(has("6.1.165"));
    assert!(has("6.1.166"));
    assert!(!has("6.1.167"));
    assert!(has("6.12.77"));
    assert!(!has("6.18.44"));
    assert!(!has("7.0"));
}

#[test]
fn distribution_kernels_are_an_upper_bound_from_their_base() {
    let debian = unfixed_cves(Dataset::embedded(), &release("6.1.0-28-cloud-amd64"), None);
    assert!(!debian.exact);
    assert_eq!(
        debian.compared,
        v("6.1"),
        "the ABI name 6.1.0-28 is compared as its branch"
    );
    assert!(debian.note.contains("at most"), "{}", debian.note);
    let mut refined = release("6.1.0-28-cloud-amd64");
    refined.refine(Some("Linux version 6.1.0-28-cloud-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)"), None);
    let level = unfixed_cves(Dataset::embedded(), &refined, None);
    assert_eq!(level.compared, v("6.1.119"));
    assert!(level.cves.len() < debian.cves.len());
    let upstream = unfixed_cves(Dataset::embedded(), &release("6.18.44"), None);
    assert!(
        upstream.exact
            && upstream
                .note
                .starts_with(&format!("{} known", upstream.cves.len()))
    );
    let rhel = unfixed_cves(
        Dataset::embedded(),
        &release("5.14.0-427.13.1.el9_4.x86_64"),
        None,
    );
    assert!(!rhel.exact);
}

#[test]
fn newer_kernels_than_the_data_are_flagged() {
    let level = unfixed_cves(Dataset::embedded(), &release("7.3"), None);
    assert!(level.newer_than_data);
    assert!(!unfixed_cves(Dataset::embedded(), &release("6.13"), None).newer_than_data);
}

fn record(id: &str, fixed_in: &str, introduced_in: Option<&str>, files: &[&str]) -> CveRecord {
    CveRecord::new(
        id.into(),
        Origin::Legacy,
        None,
        Some(v(fixed_in)),
        None,
        introduced_in.map(v),
        None,
        None,
        files.iter().map(|f| f.to_string()).collect(),
    )
}

/// Records without per-branch data (the legacy ones) keep the mainline rule.
#[test]
fn the_mainline_rule_for_records_without_branch_data() {
    let cve = record("CVE-T-1", "6.14", Some("6.10"), &["net/ipv4/tcp.c"]);
    assert!(is_unfixed_by_mainline(&cve, &v("6.13")));
    assert!(is_unfixed_by_mainline(&cve, &v("6.13.7")));
    assert!(is_unfixed_by_mainline(&cve, &v("6.14-rc7")));
    assert!(!is_unfixed_by_mainline(&cve, &v("6.14")));
    assert!(
        !is_unfixed_by_mainline(&cve, &v("6.9")),
        "not yet introduced"
    );
    let old = record("CVE-T-3", "3.6-rc1", None, &["net/ipv4/tcp_input.c"]);
    assert!(is_unfixed_by_mainline(&old, &v("3.5.7")));
    assert!(!is_unfixed_by_mainline(&old, &v("3.6-rc2")));
    let data = Dataset::from_records(
        vec![
            record(
                "CVE-T-1",
                "6.14",
                Some("6.10"),
                &["net/ipv4/tcp.c", "net/core/sock.c"],
            ),
            record("CVE-T-2", "6.14", Some("6.10"), &["fs/ext4/inode.c"]),
        ],
        None,
        "test",
    );
    let set: BTreeSet<String> = ["net/ipv4".to_owned(), "net/unix".to_owned()].into();
    let level = unfixed_cves(&data, &release("6.13"), Some(&set));
    assert_eq!(level.cves.len(), 1);
    assert_eq!(level.cves[0].matched, ["net/ipv4"]);
    assert_eq!(level.mainline_only, 1);
    assert!(level.per_match["net/unix"].is_empty());
    assert!(level.note.contains("mainline fixes only"), "{}", level.note);
    assert_eq!(unfixed_cves(&data, &release("6.13"), None).cves.len(), 2);
}
