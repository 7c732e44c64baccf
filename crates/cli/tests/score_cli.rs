//! `aprof profile` and `aprof score` on real recordings.

use serde_json::Value;
use std::process::{Command, Output};

fn aprof(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aprof"))
        .args(args)
        .output()
        .expect("run aprof")
}

fn json(out: &Output) -> Value {
    assert!(out.status.code().is_some(), "aprof was killed");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)))
}

/// Record and score `cmd`; the report goes to a file, the workload keeps stdout.
fn profile(dir: &std::path::Path, cmd: &[&str]) -> (Output, Value) {
    let fp = dir.join("fp.json");
    let report = dir.join("report.json");
    let mut args = vec![
        "profile",
        "--json",
        "-o",
        fp.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "--",
    ];
    args.extend_from_slice(cmd);
    let out = aprof(&args);
    let v = serde_json::from_str(&std::fs::read_to_string(&report).unwrap_or_default())
        .unwrap_or_else(|e| panic!("no report ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (out, v)
}

fn subsystems(v: &Value) -> Vec<String> {
    v["profile"]["kernel"]["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["subsystem"].as_str().unwrap().to_owned())
        .collect()
}

const TCP_CLIENT: &str = "import socket,sys\ns=socket.socket(socket.AF_INET,socket.SOCK_STREAM)\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\ns.bind(('127.0.0.1',0))\ns.close()\nsys.exit(3)";

#[test]
fn a_socket_workload_reaches_net_and_keeps_its_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let fp = dir.path().join("fp.json");
    let (out, v) = profile(dir.path(), &["python3", "-c", TCP_CLIENT]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = subsystems(&v);
    assert!(
        s.iter().any(|x| x == "net/ipv4") && s.iter().any(|x| x == "net/core"),
        "{s:?}"
    );
    let p = &v["profile"];
    let exposed = p["exposed_hap"]["value"].as_f64().unwrap();
    let observed = p["observed_hap"]["value"].as_f64().unwrap();
    assert!(
        exposed > observed && observed > 0.0,
        "container: exposed {exposed} observed {observed}"
    );
    assert!(fp.exists(), "the footprint was saved");
}

#[test]
fn file_io_reaches_fs_and_the_model_decides_ownership() {
    let dir = tempfile::tempdir().unwrap();
    let fp = dir.path().join("fp.json");
    let (out, v) = profile(dir.path(), &["cat", "/etc/passwd"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("root:"),
        "the workload keeps stdout"
    );
    assert!(subsystems(&v).iter().any(|x| x == "fs"));
    let container = json(&aprof(&[
        "score",
        fp.to_str().unwrap(),
        "--json",
        "--model",
        "container",
    ]));
    let vm = json(&aprof(&[
        "score",
        fp.to_str().unwrap(),
        "--json",
        "--model",
        "vm",
    ]));
    let kernel = container["profile"]["kernel_vap"].as_f64().unwrap();
    assert!(
        (container["profile"]["provider_vap"].as_f64().unwrap() - kernel).abs() < 1e-6,
        "the container's kernel is the provider's"
    );
    assert_eq!(
        vm["profile"]["provider_vap"].as_f64().unwrap(),
        0.0,
        "the VM tenant owns its guest kernel"
    );
    let guarded = json(&aprof(&[
        "score",
        fp.to_str().unwrap(),
        "--json",
        "--profile",
        "docker-default",
    ]));
    assert!(
        guarded["profile"]["exposed_hap"]["value"].as_f64().unwrap()
            < container["profile"]["exposed_hap"]["value"]
                .as_f64()
                .unwrap()
    );
}

#[test]
fn patch_level_counts_a_fix_only_for_older_kernels() {
    let dir = tempfile::tempdir().unwrap();
    let fp = dir.path().join("fp.json");
    assert_eq!(
        profile(dir.path(), &["python3", "-c", TCP_CLIENT])
            .0
            .status
            .code(),
        Some(3)
    );
    let ids = |kernel: &str| -> Vec<String> {
        let v = json(&aprof(&[
            "score",
            fp.to_str().unwrap(),
            "--json",
            "--kernel",
            kernel,
        ]));
        v["patch_level"]["cve_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect()
    };
    // CVE-2025-21710: net/ipv4/tcp_output.c, fixed in 6.14 and, on the
    // 6.13 branch, in 6.13.2 (the data's kernel_cve_versions.csv).
    assert!(ids("6.13").contains(&"CVE-2025-21710".to_owned()));
    assert!(!ids("6.13.7").contains(&"CVE-2025-21710".to_owned()));
    assert!(!ids("6.14").contains(&"CVE-2025-21710".to_owned()));
}

#[test]
fn bad_inputs_get_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"schema_version\": 1, \"environment\": 7}").unwrap();
    // A command that cannot be found is the shell's 127 (README, exit codes).
    for (args, code) in [
        (vec!["score", bad.to_str().unwrap()], 2),
        (vec!["score", "/nonexistent.json"], 2),
        (
            vec!["score", bad.to_str().unwrap(), "--model", "mainframe"],
            2,
        ),
        (vec!["profile", "--", "/nonexistent/program"], 127),
    ] {
        let out = aprof(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    }
}

#[test]
fn the_demo_records_and_scores_a_workload_that_is_not_aprof() {
    let dir = tempfile::tempdir().unwrap();
    let fp_path = dir.path().join("demo.json");
    let out = aprof(&["demo", "--json", "-o", fp_path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    let s = subsystems(&v);
    for want in ["net/ipv4", "fs", "mm", "fs/overlayfs"] {
        assert!(s.iter().any(|x| x == want), "{want} missing from {s:?}");
    }
    assert_eq!(v["profile"]["model"], "container");
    assert_eq!(v["profile"]["unit"], "CVE fixes per year");
    assert!(v["profile"]["guard"]
        .as_str()
        .unwrap()
        .contains("docker-default"));
    // The workload is Python's (or /bin/sh's), not aprof's own binary.
    let fp: Value = serde_json::from_str(&std::fs::read_to_string(&fp_path).unwrap()).unwrap();
    let exes: Vec<&str> = fp["processes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["exe"].as_str().unwrap_or(""))
        .collect();
    assert!(!exes.iter().any(|e| e.ends_with("/aprof")), "{exes:?}");
    assert!(
        exes.iter()
            .any(|e| e.contains("python") || e.ends_with("/sh") || e.ends_with("dash")),
        "{exes:?}"
    );
    // Every figure has its terms: the kernel VAP is the sum of its lines.
    let k = &v["profile"]["kernel"];
    let sum = k["baseline"]["value"].as_f64().unwrap()
        + k["terms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["value"].as_f64().unwrap())
            .sum::<f64>()
        + k["gated"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["counted"] == true)
            .map(|g| g["value"].as_f64().unwrap())
            .sum::<f64>();
    assert!((sum - v["profile"]["kernel_vap"].as_f64().unwrap()).abs() < 1e-6);
}

#[test]
fn half_life_zero_means_no_decay_and_the_table_names_the_unit() {
    let dir = tempfile::tempdir().unwrap();
    let reference = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/workloads/echo_service.footprint.json"
    );
    let run = |extra: &[&str]| {
        let mut args = vec!["score", reference, "--json", "--kernel", "6.18.44"];
        args.extend_from_slice(extra);
        json(&aprof(&args))
    };
    let plain = run(&[]);
    assert!(!plain.to_string().contains("-0.0"), "no negative zero");
    let off = run(&["--half-life", "0"]);
    let four = run(&["--half-life", "4"]);
    let vap = |v: &Value| v["profile"]["kernel_vap"].as_f64().unwrap();
    let index = |v: &Value| {
        v["profile"]["sensitivity"]["kernel_vap_index"]
            .as_f64()
            .unwrap()
    };
    // The figure never decays; the index does, and at 0 it is the figure.
    assert_eq!(vap(&plain), vap(&off));
    assert_eq!(vap(&plain), vap(&four));
    assert!((index(&off) - vap(&off)).abs() < 1e-9);
    assert!(index(&four) < vap(&four));
    let text = String::from_utf8_lossy(&aprof(&["score", reference, "--kernel", "6.18.44"]).stdout)
        .into_owned();
    assert!(text.contains("Unit: CVE fixes per year"), "{text}");
    assert!(text.contains("not an exploit count"), "{text}");
    assert!(text.contains("Sensitivity:"), "{text}");
    assert!(text.contains("fixed per-process cost"), "{text}");
    drop(dir);
}
