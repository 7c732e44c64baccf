//! `aprof guard` end to end: real profiles, JSON shape, bad input (one
//! error line, exit 2), unknown names (one warning each), live processes.

use std::path::PathBuf;
use std::process::{Command, Output};

fn aprof(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aprof"))
        .args(args)
        .output()
        .expect("run aprof")
}

fn profile(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/profiles")
        .join(name)
        .display()
        .to_string()
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// How many x86_64 syscalls Docker's default profile allows with its
/// default capabilities on 6.8, computed from the profile file itself
/// (serde_json and moby's rules), not by the parser under test.
fn docker_default_allowed() -> usize {
    aprof_testkit::reference::docker_allowed_x86_64(
        &aprof_testkit::reference::data_dir().join("profiles/docker-default.json"),
        &aprof_testkit::reference::MOBY_DEFAULT_CAPS,
        (6, 8),
    )
    .len()
}

#[test]
fn docker_default_table() {
    let out = aprof(&[
        "guard",
        &profile("docker-default.json"),
        "--abi",
        "x86_64",
        "--kernel",
        "6.8",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&docker_default_allowed().to_string()),
        "{text}"
    );
    assert!(
        text.contains("clone: allow if arg0 & 0x7e020000 == 0x0; else errno 1"),
        "{text}"
    );
    assert!(text.contains("blocked: errno 38"), "{text}");
}

#[test]
fn docker_default_json_shape() {
    let v = json(&aprof(&[
        "guard",
        &profile("docker-default.json"),
        "--json",
        "--kernel",
        "6.8",
    ]));
    assert_eq!(v["schema_version"], 1);
    let guard = &v["guards"][0];
    assert_eq!(guard["format"], "docker");
    let abis: Vec<_> = guard["abis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["abi"].as_str().unwrap())
        .collect();
    assert_eq!(abis, ["x86_64", "i386", "x32"]);
    let x86_64 = &guard["abis"][0];
    assert_eq!(x86_64["allowed_count"], docker_default_allowed());
    let conditional: Vec<_> = x86_64["conditional"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["syscall"].as_str().unwrap())
        .collect();
    assert_eq!(conditional, ["clone", "personality", "socket"]);
    assert!(x86_64["blocked"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["syscall"] == "mount"));
    assert!(guard.get("diff").is_none());
    // Docker lists other architectures' names for every architecture; they
    // are known names, skipped silently where an ABI lacks them.
    assert_eq!(guard["unknown_syscalls"], serde_json::json!([]));
}

#[test]
fn capabilities_and_diff_to_docker_default() {
    let v = json(&aprof(&[
        "guard",
        &profile("docker-default.json"),
        "--caps",
        "CHOWN,sys_admin",
        "--abi",
        "x86_64",
        "--vs",
        "docker-default",
        "--json",
    ]));
    let d = &v["guards"][0]["diff"];
    assert_eq!(d["reference"], "docker-default");
    let added: Vec<_> = d["abis"][0]["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        added.contains(&"mount") && added.contains(&"clone3"),
        "{added:?}"
    );
    let removed: Vec<_> = d["abis"][0]["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    // Without CAP_SYS_CHROOT, chroot is gone.
    assert!(removed.contains(&"chroot"), "{removed:?}");
}

#[test]
fn spo_file_gives_one_guard_per_resource() {
    let v = json(&aprof(&[
        "guard",
        &profile("spo-seccompprofile.yaml"),
        "--abi",
        "x86_64",
        // A kernel without pre-filter exceptions: the file's own verdicts.
        "--kernel",
        "6.8",
        "--json",
    ]));
    let guards = v["guards"].as_array().unwrap();
    assert!(guards.len() >= 4);
    assert_eq!(guards[0]["abis"][0]["allowed_count"], 0);
    assert!(guards.iter().all(|g| g["format"] == "spo"));
}

#[test]
fn firecracker_file_gives_one_guard_per_thread() {
    let v = json(&aprof(&[
        "guard",
        &profile("firecracker-x86_64.json"),
        "--json",
    ]));
    let guards = v["guards"].as_array().unwrap();
    assert_eq!(guards.len(), 3);
    assert!(guards.iter().all(|g| g["format"] == "seccompiler"));
    // i386 is another audit arch: seccompiler kills the process.
    assert_eq!(guards[0]["abis"][1]["abi"], "i386");
    assert_eq!(guards[0]["abis"][1]["covered"], false);
    assert_eq!(guards[0]["abis"][1]["allowed_count"], 0);
}

#[test]
fn malformed_json_gives_one_error_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(
        &path,
        "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [\n    {\"names\": [\"read\"], \"action\": 7}\n  ]\n}\n",
    )
    .unwrap();
    let out = aprof(&["guard", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("aprof: error: "), "{err}");
    assert!(err.contains("bad.json:4:"), "{err}");
    assert!(err.contains("syscalls[0].action"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn malformed_yaml_and_unknown_architecture_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = dir.path().join("bad.yaml");
    std::fs::write(&yaml, "kind: SeccompProfile\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n  architectures: [SCMP_ARCH_PDP11]\n").unwrap();
    let out = aprof(&["guard", yaml.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.yaml:4:") && err.contains("spec.architectures[0]"),
        "{err}"
    );
    assert!(err.contains("SCMP_ARCH_PDP11"), "{err}");
}

#[test]
fn unknown_syscall_names_warn_once_each() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.json");
    std::fs::write(
        &path,
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
            {"names": ["read", "frobnicate"], "action": "SCMP_ACT_ALLOW"},
            {"names": ["frobnicate", "write"], "action": "SCMP_ACT_LOG"}]}"#,
    )
    .unwrap();
    let out = aprof(&["guard", path.to_str().unwrap(), "--kernel", "6.8", "--json"]);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let v = json(&out);
    assert_eq!(stderr.matches("frobnicate").count(), 1, "{stderr}");
    assert!(stderr.starts_with("aprof: warning: "), "{stderr}");
    assert_eq!(v["guards"][0]["abis"][0]["allowed_count"], 2);
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["guard"],
        vec!["guard", "--pid", "999999999"],
        vec!["guard", "/nonexistent/profile.json"],
        vec!["guard", "--caps", "NOT_A_CAP", "x.json"],
        vec!["guard", "--kernel", "x", "x.json"],
    ] {
        let out = aprof(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with("aprof: error: ") && err.lines().count() == 1,
            "{args:?}: {err}"
        );
    }
}

#[test]
fn live_command_and_pid() {
    let out = aprof(&["guard", "--abi", "x86_64", "--json", "--", "/bin/true"]);
    if out.status.code() == Some(2)
        && String::from_utf8_lossy(&out.stderr).contains("not permitted")
    {
        return aprof_testkit::skip(&format!(
            "cannot trace here: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let v = json(&out);
    assert_eq!(v["guards"][0]["format"], "live");
    assert!(v["pid"].as_i64().unwrap() > 0);

    let mut child = Command::new("sleep").arg("30").spawn().unwrap();
    let pid = child.id().to_string();
    let out = aprof(&[
        "guard",
        "--pid",
        &pid,
        "--abi",
        "x86_64",
        "--json",
        "--bpf",
        "--containment",
    ]);
    let _ = child.kill();
    let _ = child.wait();
    let v = json(&out);
    assert_eq!(v["pid"].as_i64().unwrap().to_string(), pid);
    // The test runner's children are normally unfiltered; whatever the
    // guard, the counts must add up.
    let abi = &v["guards"][0]["abis"][0];
    let listed = abi["allowed"].as_array().unwrap().len()
        + abi["conditional"].as_array().unwrap().len()
        + abi["blocked"].as_array().unwrap().len();
    assert_eq!(listed as u64, abi["table_size"].as_u64().unwrap());
    assert!(v["bpf"].is_array());
    assert!(v["containment"].is_object());
}

/// Issue 13: Podman's installed profile (containers/common's
/// `defaultErrno`, `errno`) is read without a warning; a field no format
/// has is one warning line and skipped, or one error line with --strict.
#[test]
fn podman_profile_and_unknown_fields() {
    let installed = "/usr/share/containers/seccomp.json";
    if !std::path::Path::new(installed).exists() {
        return aprof_testkit::skip("golang-github-containers-common is not installed");
    }
    for args in [
        vec!["guard", installed, "--json"],
        vec!["guard", "--strict", installed, "--json"],
    ] {
        let out = aprof(&args);
        let doc = json(&out);
        assert!(
            String::from_utf8_lossy(&out.stderr).is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let x86_64 = &doc["guards"][0]["abis"][0];
        assert_eq!(x86_64["default_action"]["errno"], 38, "defaultErrno ENOSYS");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.json");
    std::fs::write(
        &path,
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrno": "EPERM", "syscalls": [
            {"names": ["getpid"], "action": "SCMP_ACT_ALLOW", "comment": "", "errno": "EPERM", "nmaes": ["kill"]}]}"#,
    )
    .unwrap();
    let path = path.display().to_string();
    let out = aprof(&["guard", &path, "--abi", "x86_64"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("aprof: warning: ") && stderr.contains("syscalls[0].nmaes"),
        "{stderr}"
    );
    let out = aprof(&["guard", "--strict", &path]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("aprof: error: ") && stderr.contains("syscalls[0].nmaes"),
        "{stderr}"
    );
}
