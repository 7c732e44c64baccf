//! `aprof check`, the CI drift gate, through the real binary: a baseline
//! recorded from one command, a clean rerun, a command that reaches a new
//! syscall (with SARIF naming it), the `--footprint` mode, and one-line
//! errors for missing or malformed baselines. Records with ptrace, so it
//! needs root like the rest of aprof's tests.

use serde_json::Value;
use std::path::Path;

mod common;
use common::*;

/// The plain workload and the same one plus a TCP socket.
const QUIET: &str = "import os\nprint(len(os.listdir('.')))";
const WITH_SOCKET: &str = "import os, socket\nprint(len(os.listdir('.')))\nsocket.socket(socket.AF_INET, socket.SOCK_STREAM).close()";

/// Record `python3 -c CODE` as a footprint file.
fn record(dir: &Path, py: &str, code: &str, out: &str) {
    let o = aprof(
        &[
            "profile",
            "-o",
            out,
            "--report",
            "/dev/null",
            "--",
            py,
            "-c",
            code,
        ],
        dir,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "recording failed: {}",
        text(&o.stderr)
    );
    assert!(dir.join(out).is_file());
}

fn sarif_results(sarif: &Value) -> &Vec<Value> {
    sarif["runs"][0]["results"]
        .as_array()
        .expect("SARIF results")
}

#[test]
fn rerun_is_clean_and_a_new_socket_drifts() {
    let Some(py) = python3() else {
        return aprof_testkit::skip("no python3 in /usr/bin or /usr/local/bin");
    };
    let d = tempfile::tempdir().expect("tempdir");
    record(d.path(), py, QUIET, "base.json");

    let o = aprof(
        &["check", "--baseline", "base.json", "--", py, "-c", QUIET],
        d.path(),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "rerun drifted:\n{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(
        text(&o.stdout).contains("OK: nothing reached beyond the baseline"),
        "{}",
        text(&o.stdout)
    );

    let o = aprof(
        &[
            "check",
            "--baseline",
            "base.json",
            "--sarif",
            "drift.sarif",
            "-o",
            "new.json",
            "--",
            py,
            "-c",
            WITH_SOCKET,
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let table = text(&o.stdout);
    assert!(
        table.contains("DRIFT:") && table.contains("+ syscall socket (x86_64)"),
        "{table}"
    );
    assert!(
        table.contains("socket argument 0 (family) = AF_INET"),
        "{table}"
    );

    let sarif: Value = serde_json::from_str(
        &std::fs::read_to_string(d.path().join("drift.sarif")).expect("SARIF written"),
    )
    .expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif_results(&sarif);
    let socket = results
        .iter()
        .find(|r| {
            r["ruleId"] == "aprof/new-syscall" && r["properties"]["reached"]["name"] == "socket"
        })
        .unwrap_or_else(|| panic!("no new-syscall result for socket in {results:#?}"));
    assert!(socket["message"]["text"]
        .as_str()
        .expect("message")
        .contains("syscall socket"));
    assert_eq!(
        socket["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "base.json"
    );
    let rule_ids: Vec<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert!(results
        .iter()
        .all(|r| rule_ids.contains(&r["ruleId"].as_str().expect("ruleId"))));

    // --footprint mode with the recording kept by -o: same verdict, no rerun.
    let o = aprof(
        &[
            "check",
            "--baseline",
            "base.json",
            "--footprint",
            "new.json",
            "--format",
            "json",
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON output");
    assert_eq!(v["clean"], false);
    assert!(v["drift"]["added"]
        .as_array()
        .expect("added")
        .iter()
        .any(|r| r["kind"] == "syscall" && r["name"] == "socket"));

    let o = aprof(
        &[
            "check",
            "--baseline",
            "base.json",
            "--footprint",
            "base.json",
            "--format",
            "sarif",
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(0));
    let clean: Value = serde_json::from_slice(&o.stdout).expect("SARIF on stdout");
    assert!(sarif_results(&clean).is_empty());

    let o = aprof(
        &[
            "check",
            "--baseline",
            "base.json",
            "--footprint",
            "base.json",
            "--format",
            "xml",
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("unknown format 'xml'"),
        "{}",
        text(&o.stderr)
    );

    // The new footprint as baseline: the old one is a subset, so clean.
    let o = aprof(
        &[
            "check",
            "--baseline",
            "new.json",
            "--footprint",
            "base.json",
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
}

#[test]
fn missing_or_malformed_baselines_are_one_line_errors() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("garbage.json"), "{ not json").expect("write");
    std::fs::write(
        d.path().join("wrong.json"),
        "{\"schema_version\": 99, \"environment\": {}}",
    )
    .expect("write");
    std::fs::write(d.path().join("empty.json"), "").expect("write");
    let cases: &[&[&str]] = &[
        &["check", "--baseline", "absent.json", "--", "true"],
        &["check", "--baseline", "garbage.json", "--", "true"],
        &["check", "--baseline", "wrong.json", "--", "true"],
        &[
            "check",
            "--baseline",
            "empty.json",
            "--footprint",
            "empty.json",
        ],
        &["check", "--baseline", "garbage.json"],
        &[
            "check",
            "--baseline",
            "garbage.json",
            "--footprint",
            "garbage.json",
            "--",
            "true",
        ],
        &["seccomp", "generate", "garbage.json"],
        &["seccomp", "generate", "absent.json"],
    ];
    for args in cases {
        let o = aprof(args, d.path());
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(
            err.lines().count(),
            1,
            "{args:?}: want one line, got:\n{err}"
        );
        assert!(
            err.starts_with("aprof: error:") && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
}
