//! Patch level: which known CVEs a kernel version has not got the fix for,
//! on hand-made records and on known CVEs of the embedded data.

use aprof_density::{is_unfixed_in, unfixed_cves, CveRecord, Dataset, Date, KernelVersion, Origin};
use std::collections::BTreeSet;

fn v(s: &str) -> KernelVersion {
    KernelVersion::parse(s).unwrap()
}

fn record(id: &str, fixed_in: &str, introduced_in: Option<&str>, files: &[&str]) -> CveRecord {
    CveRecord::new(
        id.into(),
        Origin::Cna,
        None,
        Some(v(fixed_in)),
        None,
        introduced_in.map(v),
        None,
        None,
        files.iter().map(|f| f.to_string()).collect(),
    )
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_fix_in_6_14_counts_for_6_13_not_for_6_14() {
    let cve = record("CVE-T-1", "6.14", Some("6.10"), &["net/ipv4/tcp.c"]);
    assert!(is_unfixed_in(&cve, &v("6.13")));
    // A stable kernel is judged by mainline fixes only: 6.13.7 may carry a
    // backport, but the data cannot see it.
    assert!(is_unfixed_in(
        &cve,
        &KernelVersion::parse_uname("6.13.7-200.fc41.x86_64").unwrap()
    ));
    assert!(is_unfixed_in(&cve, &v("6.14-rc7")));
    assert!(!is_unfixed_in(&cve, &v("6.14")));
    assert!(!is_unfixed_in(&cve, &v("6.14.2")));
    assert!(!is_unfixed_in(&cve, &v("6.15")));
    // Not yet introduced.
    assert!(!is_unfixed_in(&cve, &v("6.9")));
    assert!(is_unfixed_in(&cve, &v("6.10")));
}

#[test]
fn bugs_introduced_later_do_not_count() {
    let cve = record("CVE-T-2", "6.16", Some("6.15"), &["mm/memory.c"]);
    assert!(!is_unfixed_in(&cve, &v("6.14")));
    assert!(is_unfixed_in(&cve, &v("6.15")));
    // Unknown introduction: every older kernel counts.
    let old = record("CVE-T-3", "6.16", None, &["mm/memory.c"]);
    assert!(is_unfixed_in(&old, &v("2.6.32")));
}

#[test]
fn versions_compare_numerically_across_schemes() {
    let cve = record("CVE-T-4", "6.10", Some("3.0"), &["fs/namei.c"]);
    assert!(is_unfixed_in(&cve, &v("6.9")), "6.9 < 6.10");
    assert!(
        !is_unfixed_in(&cve, &v("2.6.39")),
        "2.6.39 < 3.0: not yet introduced"
    );
    assert!(!is_unfixed_in(&cve, &v("2.6.39.4")));
    let legacy = record("CVE-T-5", "3.6-rc1", None, &["net/ipv4/tcp_input.c"]);
    assert!(is_unfixed_in(&legacy, &v("3.5.7")));
    assert!(!is_unfixed_in(&legacy, &v("3.6-rc2")));
    assert!(!is_unfixed_in(&legacy, &v("3.6")));
}

#[test]
fn stable_only_bugs_stay_in_their_branch() {
    // Introduced by a backport in 5.4.20, fixed in 5.4.29; mainline never had it.
    let cve = record(
        "CVE-T-6",
        "5.4.29",
        Some("5.4.20"),
        &["net/sched/cls_tcindex.c"],
    );
    assert!(is_unfixed_in(&cve, &v("5.4.25")));
    assert!(!is_unfixed_in(&cve, &v("5.4.19")));
    assert!(!is_unfixed_in(&cve, &v("5.4.29")));
    assert!(!is_unfixed_in(&cve, &v("6.1")));
}

#[test]
fn listing_filters_by_subsystem() {
    let data = Dataset::from_records(
        vec![
            record(
                "CVE-T-1",
                "6.14",
                Some("6.10"),
                &["net/ipv4/tcp.c", "net/core/sock.c"],
            ),
            record("CVE-T-2", "6.14", Some("6.10"), &["fs/ext4/inode.c"]),
            record("CVE-T-3", "6.12", Some("6.10"), &["net/ipv4/udp.c"]),
        ],
        None,
        "test",
    );
    let level = unfixed_cves(&data, &v("6.13"), Some(&set(&["net/ipv4", "net/unix"])));
    let ids: Vec<&str> = level.cves.iter().map(|c| c.cve_id.as_str()).collect();
    assert_eq!(ids, ["CVE-T-1"]);
    assert_eq!(level.cves[0].subsystems, ["net/ipv4"]);
    assert_eq!(level.per_subsystem["net/ipv4"], ["CVE-T-1"]);
    assert!(level.per_subsystem["net/unix"].is_empty());
    let all = unfixed_cves(&data, &v("6.13"), None);
    assert_eq!(all.cves.len(), 2);
    assert!(unfixed_cves(&data, &v("6.14"), None).cves.is_empty());
}

#[test]
fn known_cves_of_the_embedded_data() {
    let data = Dataset::embedded();
    // CVE-2025-21710: net/ipv4/tcp_output.c, introduced in 6.6, fixed in 6.14.
    let tcp = data.get("CVE-2025-21710").expect("in the embedded data");
    assert_eq!(tcp.fixed_in, Some(v("6.14")));
    let net = set(&["net/ipv4"]);
    let ids = |kernel: &str| -> Vec<String> {
        unfixed_cves(data, &v(kernel), Some(&net))
            .cves
            .into_iter()
            .map(|c| c.cve_id)
            .collect()
    };
    assert!(ids("6.13").contains(&"CVE-2025-21710".to_owned()));
    // The figures docs/density.md quotes.
    assert_eq!((ids("6.13").len(), ids("6.14").len()), (97, 90));
    assert!(!ids("6.14").contains(&"CVE-2025-21710".to_owned()));
    assert!(
        !ids("6.5").contains(&"CVE-2025-21710".to_owned()),
        "introduced in 6.6"
    );
    // The count only shrinks as kernels get newer.
    let counts: Vec<usize> = ["5.10", "6.1", "6.6", "6.12", "6.18", "7.2"]
        .iter()
        .map(|k| ids(k).len())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    assert_eq!(
        *counts.last().unwrap(),
        0,
        "nothing in the data is fixed after 7.2"
    );
    let level = unfixed_cves(data, &v("7.3"), Some(&net));
    assert!(level.newer_than_data);
    assert!(!unfixed_cves(data, &v("6.13"), Some(&net)).newer_than_data);
}

#[test]
fn dates_in_listing() {
    let d = Date::parse("2025-03-24").unwrap();
    let data = Dataset::embedded();
    let level = unfixed_cves(data, &v("6.13"), Some(&set(&["net/ipv4"])));
    let tcp = level
        .cves
        .iter()
        .find(|c| c.cve_id == "CVE-2025-21710")
        .unwrap();
    assert_eq!(tcp.fixed_date, Some(d));
    assert_eq!(tcp.introduced_in, Some(v("6.6")));
}

#[test]
fn a_footprints_reach_feeds_the_patch_level() {
    use aprof_footprint::{Environment, Footprint, ObjectClass};
    let mut fp = Footprint::new(Environment::default());
    fp.count_object(
        ObjectClass::Socket {
            family: "AF_INET".into(),
            socket_type: "SOCK_STREAM".into(),
            protocol: "TCP".into(),
        },
        "sendto",
    );
    let reach = aprof_density::subsystems_of_footprint(&fp);
    let level = unfixed_cves(
        Dataset::embedded(),
        &v("6.13"),
        Some(&reach.subsystem_set()),
    );
    assert!(level.cves.iter().any(|c| c.cve_id == "CVE-2025-21710"));
    assert!(level.per_subsystem.contains_key("net/core"));
}
