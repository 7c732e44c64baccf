//! Property tests: the version parsers and the CVE JSON parser never panic
//! on any input, and parsing inverts printing.

use aprof_density::{parse_cve_json, Date, KernelVersion};
use proptest::prelude::*;

proptest! {
    #[test]
    fn version_parsers_never_panic(s in "\\PC{0,40}") {
        let _ = KernelVersion::parse(&s);
        let _ = KernelVersion::parse_uname(&s);
    }

    #[test]
    fn uname_like_strings_never_panic(s in "[0-9.]{0,12}(-rc[0-9]{0,3})?[-+a-z0-9._]{0,20}") {
        if let Ok(v) = KernelVersion::parse_uname(&s) {
            prop_assert!(v.components().len() >= 2);
        }
    }

    #[test]
    fn printing_then_parsing_is_identity(parts in prop::collection::vec(0u32..1000, 2..=4), rc in prop::option::of(1u32..20)) {
        let v = KernelVersion::new(&parts, rc).unwrap();
        let again = KernelVersion::parse(&v.to_string()).unwrap();
        prop_assert_eq!(v, again);
        prop_assert_eq!(again.components(), &parts[..]);
    }

    #[test]
    fn order_is_numeric(a in prop::collection::vec(0u32..50, 2..=3), b in prop::collection::vec(0u32..50, 2..=3)) {
        let va = KernelVersion::new(&a, None).unwrap();
        let vb = KernelVersion::new(&b, None).unwrap();
        let pad = |v: &[u32]| { let mut p = v.to_vec(); p.resize(4, 0); p };
        prop_assert_eq!(va.cmp(&vb), pad(&a).cmp(&pad(&b)));
    }

    #[test]
    fn dates_parse_or_refuse(s in "\\PC{0,12}", y in 1900i32..2100, m in 1u8..=12, d in 1u8..=28) {
        let _ = Date::parse(&s);
        let date = Date { year: y, month: m, day: d };
        prop_assert_eq!(Date::parse(&date.to_string()), Some(date));
    }

    #[test]
    fn cve_json_parser_never_panics(s in "\\PC{0,200}") {
        let _ = parse_cve_json(&s, "CVE-0-0");
    }

    #[test]
    fn cve_json_parser_never_panics_on_record_shapes(
        version in "[0-9a-z.*-]{0,12}",
        less_than in prop::option::of("[0-9a-z.*-]{0,12}"),
        status in "(affected|unaffected|x)",
        version_type in "(git|semver|original_commit_for_fix|custom|)",
        default_status in "(affected|unaffected)",
        file in "[a-z/._]{0,30}",
        score in prop::num::f64::ANY,
    ) {
        let mut entry = serde_json::json!({"version": version, "status": status, "versionType": version_type});
        if let Some(lt) = less_than {
            entry["lessThan"] = serde_json::json!(lt);
        }
        let score = if score.is_finite() { serde_json::json!(score) } else { serde_json::json!("NaN") };
        let record = serde_json::json!({
            "cveMetadata": {"cveID": "CVE-2024-1", "state": "PUBLISHED"},
            "containers": {"cna": {
                "affected": [{"defaultStatus": default_status, "programFiles": [file], "versions": [entry]}],
                "metrics": [{"cvssV3_1": {"baseScore": score}}]
            }}
        });
        let parsed = parse_cve_json(&record.to_string(), "x").unwrap().unwrap();
        if let Some(cvss) = parsed.cvss {
            prop_assert!((0.0..=10.0).contains(&cvss));
        }
    }
}

proptest! {
    #[test]
    fn release_parser_never_panics_and_keeps_its_base(s in "[0-9]{1,2}\\.[0-9]{1,2}(\\.[0-9]{1,3})?[-+a-z0-9._~]{0,24}") {
        if let Ok(r) = aprof_density::KernelRelease::parse(&s) {
            // The upstream base is the written version or its branch, never newer.
            prop_assert!(r.upstream <= r.version);
            prop_assert_eq!(r.upstream.mainline(), r.version.mainline());
        }
    }

    #[test]
    fn versions_table_never_panics(s in "\\PC{0,120}") {
        let text = format!("{}\n{s}\n", aprof_density::affected::VERSIONS_HEADER);
        let _ = aprof_density::VersionTable::from_bytes(text.as_bytes(), "t");
    }

    #[test]
    fn gates_and_groups_never_panic(s in "\\PC{0,60}") {
        let _ = aprof_density::Gate::parse(&s);
        let _ = aprof_density::Groups::parse(&format!("group\tfiles\treason\n{s}\n"));
    }

    /// On a branch with its own fix, a version is affected before the fix
    /// and not after it (unless a range says otherwise).
    #[test]
    fn a_branch_fix_splits_its_branch(minor in 1u32..20, fix in 1u32..200, v in 0u32..300) {
        let line = format!("CVE-1-1,5.{minor},,6.1.{fix},6.2\n");
        let text = format!("{}\n{line}", aprof_density::affected::VERSIONS_HEADER);
        let table = aprof_density::VersionTable::from_bytes(text.as_bytes(), "t").unwrap();
        let cve = table.get("CVE-1-1").unwrap();
        let k = KernelVersion::new(&[6, 1, v], None).unwrap();
        prop_assert_eq!(cve.affects(&k), v < fix);
        prop_assert!(!cve.affects(&KernelVersion::new(&[6, 2, v], None).unwrap()));
    }
}
