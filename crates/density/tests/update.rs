//! `rebuild` from a vulns-repository layout: the hand-written CVE JSON 5
//! records under tests/fixtures/vulns/cve/published/2024/.

use aprof_density::{parse_cve_json, rebuild, Dataset, Date, KernelVersion, Origin};
use std::path::PathBuf;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vulns")
}

fn v(s: &str) -> Option<KernelVersion> {
    Some(KernelVersion::parse(s).unwrap())
}

#[test]
fn rebuilds_from_cve_json_records() {
    let previous = Dataset::embedded();
    let (data, report) = rebuild(&fixture(), previous).unwrap();
    assert_eq!(report.json_files, 4);
    assert_eq!(report.cna_records, 3);
    assert_eq!(report.skipped.len(), 1, "the rejected record");
    assert!(report.skipped[0].1.contains("rejected"));
    let legacy = previous
        .records
        .iter()
        .filter(|r| r.origin == Origin::Legacy)
        .count();
    assert_eq!(report.legacy_records_kept, legacy);
    assert_eq!(data.records.len(), 3 + legacy);

    // Mainline fix given as an rc: the release it leads to, dated from the table.
    let nft = data.get("CVE-2024-26581").unwrap();
    assert_eq!(nft.origin, Origin::Cna);
    assert_eq!(nft.fixed_in, v("6.8"));
    assert_eq!(nft.fixed_date, Date::parse("2024-03-10"));
    assert_eq!(nft.introduced_in, v("6.5"));
    assert_eq!(nft.introduced_date, Date::parse("2023-08-27"));
    assert_eq!(nft.cvss, Some(7.8));
    assert_eq!(nft.subsystems, ["net/netfilter"]);
    // The rebuilt record agrees with the embedded one.
    let embedded = previous.get("CVE-2024-26581").unwrap();
    assert_eq!(
        (nft.fixed_in, nft.introduced_in, &nft.subsystems),
        (
            embedded.fixed_in,
            embedded.introduced_in,
            &embedded.subsystems
        )
    );

    // CVSS from an ADP container, files deduplicated across blocks, publication date.
    let aoe = data.get("CVE-2024-26898").unwrap();
    assert_eq!(
        aoe.files,
        ["drivers/block/aoe/aoecmd.c", "drivers/block/aoe/aoenet.c"]
    );
    assert_eq!(aoe.subsystems, ["drivers/block/aoe"]);
    assert_eq!(aoe.cvss, Some(7.8));
    assert_eq!((aoe.fixed_in, aoe.introduced_in), (v("6.9"), v("2.6.22")));
    assert_eq!(aoe.published, Date::parse("2024-04-17"));

    // A bug only in a stable branch: the stable versions, one dated from the previous data.
    let stable = data.get("CVE-2024-35950").unwrap();
    assert_eq!(
        (stable.fixed_in, stable.introduced_in),
        (v("5.4.29"), v("5.4.20"))
    );
    assert_eq!(stable.fixed_date, Date::parse("2020-04-01"));
    assert_eq!(stable.introduced_date, None);
    assert!(report.undated_versions.contains("5.4.20"));

    assert!(data.get("CVE-2024-99999").is_none());

    // The per-branch versions, as the fixture JSON writes them.
    let nft = data.versions.get("CVE-2024-26581").unwrap();
    let list = |l: &[KernelVersion]| l.iter().map(|v| v.to_string()).collect::<Vec<_>>();
    assert_eq!(list(&nft.introduced), ["6.5"]);
    assert_eq!(list(&nft.fixed_stable), ["6.6.18", "6.7.6"]);
    assert_eq!(nft.fixed_mainline, v("6.8"), "6.8-rc4 leads to 6.8");
    assert!(nft.ranges.is_empty());
    assert!(nft.affects(&KernelVersion::parse("6.6.17").unwrap()));
    assert!(!nft.affects(&KernelVersion::parse("6.6.18").unwrap()));
    let stable = data.versions.get("CVE-2024-35950").unwrap();
    assert!(stable.introduced.is_empty());
    assert_eq!(stable.ranges.len(), 1);
    assert_eq!(stable.ranges[0].to_string(), "5.4.20-5.4.29");
    let aoe = data.versions.get("CVE-2024-26898").unwrap();
    assert_eq!(
        (
            list(&aoe.introduced),
            list(&aoe.fixed_stable),
            aoe.fixed_mainline
        ),
        (
            vec!["2.6.22".to_owned()],
            vec!["6.1.84".to_owned()],
            v("6.9")
        )
    );
    // Not a git checkout: the date is the newest publication date.
    assert_eq!(data.data_date, Date::parse("2024-04-17"));
}

#[test]
fn written_data_loads_back() {
    let (data, _) = rebuild(&fixture(), Dataset::embedded()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/kernel_cves.tsv.gz");
    data.write_gz(&path).unwrap();
    let loaded = Dataset::load_path(&path).unwrap();
    assert_eq!(loaded.records, data.records);
    assert!(path.with_file_name("kernel_cve_versions.csv.gz").exists());
    assert_eq!(loaded.versions.len(), 3);
    assert_eq!(
        loaded.versions.get("CVE-2024-26581"),
        data.versions.get("CVE-2024-26581")
    );
    assert_eq!(loaded.data_date, data.data_date);
    assert!(loaded.source_description.contains("vulns"));
}

#[test]
fn refuses_a_directory_without_records() {
    let dir = tempfile::tempdir().unwrap();
    let e = rebuild(dir.path(), Dataset::embedded()).unwrap_err();
    assert!(e.to_string().contains("no cve/published directory"), "{e}");
    std::fs::create_dir_all(dir.path().join("cve/published/2024")).unwrap();
    std::fs::write(
        dir.path().join("cve/published/2024/CVE-2024-1.json"),
        "{not json",
    )
    .unwrap();
    let e = rebuild(dir.path(), Dataset::embedded()).unwrap_err();
    assert!(e.to_string().contains("no CVE records"), "{e}");
}

#[test]
fn parser_refuses_non_records() {
    assert!(parse_cve_json("[]", "x").is_err());
    assert!(parse_cve_json("{}", "x").is_err());
    assert!(
        parse_cve_json(r#"{"cveMetadata":{"cveId":"CVE-1-2"}}"#, "x").is_err(),
        "no containers"
    );
    let minimal = r#"{"cveMetadata":{"cveId":"CVE-2025-1"},"containers":{"cna":{}}}"#;
    let parsed = parse_cve_json(minimal, "x").unwrap().unwrap();
    assert_eq!(parsed.id, "CVE-2025-1");
    assert_eq!(
        (parsed.fixed_in, parsed.introduced_in, parsed.files.len()),
        (None, None, 0)
    );
}
