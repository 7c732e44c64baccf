//! `aprof data` as a user runs it: info, update from a vulns checkout,
//! the patch-level listing, density and mapping coverage, and one-line
//! errors with exit code 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Run aprof with XDG_DATA_HOME pointing at `data_home`, so a user's
/// updated copy never leaks into the test.
fn aprof(data_home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aprof"))
        .args(args)
        .env("XDG_DATA_HOME", data_home)
        .output()
        .expect("run aprof")
}

fn fixture_repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../density/tests/fixtures/vulns")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(out)).expect("JSON output")
}

fn assert_one_line_error(out: &Output, needle: &str) {
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.starts_with("aprof: error: "), "{err}");
    assert!(err.contains(needle), "{needle:?} not in {err}");
}

#[test]
fn info_shows_the_embedded_data() {
    let home = tempfile::tempdir().unwrap();
    let text = stdout(&aprof(home.path(), &["data", "info"]));
    assert!(text.contains("source:        embedded"), "{text}");
    assert!(text.contains("data date:     2026-08-21"), "{text}");
    // Counted from the data file itself, not from aprof's loader.
    let by_origin = aprof_testkit::reference::cve_records_by_origin();
    let (cna, legacy) = (by_origin["cna"], by_origin["legacy"]);
    assert_eq!(by_origin.len(), 2, "{by_origin:?}");
    assert!(
        text.contains(&format!(
            "{} ({cna} kernel CNA, {legacy} legacy)",
            cna + legacy
        )),
        "{text}"
    );
    assert!(
        text.contains("2.6.12 (2005-06-17) .. 7.2 (2026-08-16)"),
        "{text}"
    );
    let doc = json(&aprof(
        home.path(),
        &["data", "info", "--json", "--top", "3"],
    ));
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["info"]["cna"], cna);
    assert_eq!(doc["info"]["legacy"], legacy);
    assert_eq!(doc["info"]["top_subsystems"][0][0], "drivers/gpu/drm");
    assert_eq!(doc["info"]["top_subsystems"].as_array().unwrap().len(), 3);
}

#[test]
fn update_writes_the_user_copy_that_later_runs_prefer() {
    let home = tempfile::tempdir().unwrap();
    let repo = fixture_repo();
    let text = stdout(&aprof(
        home.path(),
        &["data", "update", "--vulns-repo", repo.to_str().unwrap()],
    ));
    let written = home.path().join("aprof/kernel_cves.tsv.gz");
    assert!(written.exists(), "{text}");
    assert!(
        text.contains("4 JSON files: 3 CNA records, 1 skipped"),
        "{text}"
    );
    // Later runs read the updated copy.
    let doc = json(&aprof(home.path(), &["data", "info", "--json"]));
    assert_eq!(doc["info"]["cna"], 3);
    assert_eq!(doc["info"]["source"]["path"], written.to_str().unwrap());
    let cves = json(&aprof(
        home.path(),
        &["data", "cves", "--kernel", "6.7", "--json"],
    ));
    // Of the three fixture records, the two with a fix after 6.7 on no 6.7.y
    // release; the legacy records kept from the embedded data are judged by
    // their mainline fix only (they have no per-branch data).
    let list = cves["patch_level"]["cves"].as_array().unwrap();
    let ids: Vec<&str> = list
        .iter()
        .filter(|c| c["basis"] != "mainline_only")
        .map(|c| c["cve_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["CVE-2024-26581", "CVE-2024-26898"]);
    assert!(list
        .iter()
        .filter(|c| c["basis"] == "mainline_only")
        .all(|c| !["CVE-2024-26581", "CVE-2024-26898", "CVE-2024-35950"]
            .contains(&c["cve_id"].as_str().unwrap())));
}

#[test]
fn update_to_an_explicit_file() {
    let home = tempfile::tempdir().unwrap();
    let out_file = home.path().join("x/cves.tsv.gz");
    let repo = fixture_repo();
    let doc = json(&aprof(
        home.path(),
        &[
            "data",
            "update",
            "--vulns-repo",
            repo.to_str().unwrap(),
            "-o",
            out_file.to_str().unwrap(),
            "--json",
        ],
    ));
    assert_eq!(doc["report"]["cna_records"], 3);
    assert!(out_file.exists());
    assert!(
        !home.path().join("aprof").exists(),
        "the default copy is untouched"
    );
    let info = json(&aprof(
        home.path(),
        &[
            "data",
            "info",
            "--json",
            "--data",
            out_file.to_str().unwrap(),
        ],
    ));
    assert_eq!(info["info"]["cna"], 3);
}

#[test]
fn cves_lists_known_unfixed_by_kernel_version() {
    let home = tempfile::tempdir().unwrap();
    let ids = |kernel: &str| -> Vec<String> {
        let doc = json(&aprof(
            home.path(),
            &[
                "data",
                "cves",
                "--kernel",
                kernel,
                "--subsystem",
                "net/ipv4",
                "--json",
            ],
        ));
        doc["patch_level"]["cves"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["cve_id"].as_str().unwrap().to_owned())
            .collect()
    };
    // CVE-2025-21710 (net/ipv4/tcp_output.c): the data's versions file says
    // fixed in 6.14, and on the 6.13 branch in 6.13.2.
    assert!(ids("6.13").contains(&"CVE-2025-21710".to_owned()));
    assert!(ids("6.13.1-fc-v669").contains(&"CVE-2025-21710".to_owned()));
    assert!(!ids("6.13.7-fc-v669").contains(&"CVE-2025-21710".to_owned()));
    assert!(!ids("6.14").contains(&"CVE-2025-21710".to_owned()));
    // A distribution kernel is an upper bound from its upstream base.
    let debian = json(&aprof(
        home.path(),
        &["data", "cves", "--kernel", "6.1.0-28-cloud-amd64", "--json"],
    ));
    assert_eq!(debian["patch_level"]["exact"], false);
    assert_eq!(debian["patch_level"]["compared"], "6.1");
    assert_eq!(debian["patch_level"]["kernel"]["kind"], "distribution");
    let text = stdout(&aprof(
        home.path(),
        &[
            "data",
            "cves",
            "--kernel",
            "6.13",
            "--subsystem",
            "net/ipv4",
        ],
    ));
    assert!(
        text.contains("judged by the fixes of its stable branch 6.13"),
        "{text}"
    );
    assert!(text.contains("CVE-2025-21710"), "{text}");
    // Without --kernel it reads the running kernel.
    let running = stdout(&aprof(
        home.path(),
        &["data", "cves", "--subsystem", "kernel/futex"],
    ));
    assert!(running.starts_with("kernel "), "{running}");
}

#[test]
fn density_shows_the_terms() {
    let home = tempfile::tempdir().unwrap();
    let doc = json(&aprof(
        home.path(),
        &[
            "data",
            "density",
            "--subsystem",
            "kernel/futex",
            "--terms",
            "--json",
        ],
    ));
    // docs/density.md's worked example: 6 CVEs / 2.6065 years; the index at 4 years.
    let futex = &doc["subsystems"][0];
    assert_eq!(doc["unit"], "CVE fixes per year");
    assert_eq!(futex["subsystem"], "kernel/futex");
    assert_eq!(futex["cves"], 6);
    assert!((futex["cves_per_year"].as_f64().unwrap() - 2.3019).abs() < 5e-5);
    assert!((futex["index_per_year"].as_f64().unwrap() - 1.1098).abs() < 5e-5);
    assert_eq!(futex["terms"].as_array().unwrap().len(), 6);
    // --half-life 0 means no decay, here as in `aprof score`: the index is the figure.
    let text = stdout(&aprof(
        home.path(),
        &[
            "data",
            "density",
            "--subsystem",
            "kernel/futex",
            "--half-life",
            "0",
        ],
    ));
    assert!(text.contains("decay off"), "{text}");
    assert_eq!(text.matches("2.3019").count(), 2, "{text}");
    let text = stdout(&aprof(
        home.path(),
        &["data", "density", "--by-release", "--top", "1"],
    ));
    assert!(text.contains("7.2 ") && text.contains("6.8 "), "{text}");
}

#[test]
fn map_reports_coverage() {
    let home = tempfile::tempdir().unwrap();
    let text = stdout(&aprof(home.path(), &["data", "map"]));
    let table = aprof_testkit::reference::numbered_syscalls("x86_64").len();
    assert!(
        text.contains(&format!(
            "x86_64: {table} of {table} syscalls mapped; unmapped: none"
        )),
        "{text}"
    );
    let text = stdout(&aprof(home.path(), &["data", "map", "bpf", "mmap2"]));
    assert!(text.contains("kernel/bpf") && text.contains("mm"), "{text}");
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let home = tempfile::tempdir().unwrap();
    assert_one_line_error(
        &aprof(home.path(), &["data", "cves", "--kernel", "linux"]),
        "invalid kernel version",
    );
    assert_one_line_error(
        &aprof(
            home.path(),
            &["data", "update", "--vulns-repo", "/nonexistent/vulns"],
        ),
        "no cve/published directory",
    );
    let junk = home.path().join("junk.tsv");
    std::fs::write(&junk, "hello\n").unwrap();
    assert_one_line_error(
        &aprof(
            home.path(),
            &["data", "info", "--data", junk.to_str().unwrap()],
        ),
        "not an aprof CVE file",
    );
    assert_one_line_error(
        &aprof(home.path(), &["data", "density", "--from", "2024-13-01"]),
        "--from",
    );
    assert_one_line_error(
        &aprof(home.path(), &["data", "density", "--half-life=-1"]),
        "--half-life",
    );
    assert_one_line_error(
        &aprof(home.path(), &["data", "map", "no_such_call"]),
        "no mapping",
    );
    // A broken user copy is reported, not silently replaced by the embedded data.
    std::fs::create_dir_all(home.path().join("aprof")).unwrap();
    std::fs::write(home.path().join("aprof/kernel_cves.tsv.gz"), "broken").unwrap();
    assert_one_line_error(&aprof(home.path(), &["data", "info"]), "kernel_cves.tsv.gz");
}
