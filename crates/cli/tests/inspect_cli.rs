//! `aprof inspect` run for real: on the host, and inside bubblewrap,
//! `unshare`, gVisor (`runsc do`) and `setpriv`, reading its JSON.

use serde_json::Value;
use std::process::{Command, Output, Stdio};

const APROF: &str = env!("CARGO_BIN_EXE_aprof");

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Run `wrapper... aprof inspect --json`; `None` (with the reason printed)
/// when the wrapper itself could not set up its sandbox.
fn inspect_json_under(wrapper: &[&str]) -> Option<Value> {
    let mut full = wrapper.to_vec();
    full.extend([APROF, "inspect", "--json"]);
    json_from(&full)
}

/// Run `command...`, which prints aprof's JSON; `None` (with the reason
/// printed) when it failed.
fn json_from(wrapper: &[&str]) -> Option<Value> {
    let mut command = Command::new(wrapper[0]);
    command.args(&wrapper[1..]);
    let output = command.output().expect("spawn wrapper");
    let stdout = String::from_utf8_lossy(&output.stdout);
    match serde_json::from_str(&stdout) {
        Ok(json) if output.status.success() => Some(json),
        _ => {
            aprof_testkit::skip(&format!(
                "{} could not run aprof ({}): {}",
                wrapper[0],
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ));
            None
        }
    }
}

fn namespace<'a>(json: &'a Value, kind: &str) -> &'a Value {
    json["namespaces"]
        .as_array()
        .expect("namespaces array")
        .iter()
        .find(|n| n["kind"] == kind)
        .unwrap_or_else(|| panic!("no namespace {kind}"))
}

fn runtime_kinds(json: &Value) -> Vec<String> {
    json["runtime"]["layers"]
        .as_array()
        .expect("layers array")
        .iter()
        .filter_map(|l| l["kind"].as_str().map(str::to_string))
        .collect()
}

fn aprof(args: &[&str]) -> Output {
    Command::new(APROF).args(args).output().expect("run aprof")
}

#[test]
fn json_on_the_host() {
    let out = aprof(&["inspect", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let json: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["is_self"], true);
    assert_eq!(json["process_name"], "aprof");
    // The child's seccomp state is inherited from this test process.
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let mode: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("Seccomp:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap();
    assert_eq!(json["seccomp"]["mode"], mode);
    assert_eq!(json["namespaces"].as_array().unwrap().len(), 10);
    let kinds = runtime_kinds(&json);
    if std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .split_whitespace()
        .any(|f| f == "hypervisor")
    {
        assert_eq!(kinds.first().map(String::as_str), Some("virtual-machine"));
    }
    if namespace(&json, "pid")["differs_from_host"] == false {
        assert_eq!(json["runtime"]["containerized"], false, "{kinds:?}");
    }
}

#[test]
fn table_on_the_host() {
    let out = aprof(&["inspect"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    for section in [
        "Runtime (outermost first)",
        "Capabilities",
        "Namespaces",
        "LSM",
        "Cgroup",
    ] {
        assert!(text.contains(section), "{text}");
    }
}

#[test]
fn bad_pids_fail_cleanly() {
    let out = aprof(&["inspect", "--pid", "2147483647"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("aprof: error: "), "{stderr}");
    assert!(
        stderr.contains("no process with pid 2147483647"),
        "{stderr}"
    );

    let out = aprof(&["inspect", "--pid", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid pid 0"));

    let out = aprof(&["inspect", "--pid", "abc"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn pid_of_another_process() {
    let mut child = Command::new("sleep")
        .arg("600")
        .spawn()
        .expect("spawn sleep");
    let pid = child.id().to_string();
    let out = aprof(&["inspect", "--json", "--pid", &pid]);
    let _ = child.kill();
    let _ = child.wait();
    assert!(out.status.success(), "{out:?}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["pid"].to_string(), pid);
    assert_eq!(json["is_self"], false);
    assert_eq!(json["process_name"], "sleep");
}

#[test]
fn inside_bubblewrap() {
    if !have("bwrap") {
        return aprof_testkit::skip("bwrap is not installed (apt-get install bubblewrap)");
    }
    let Some(json) = inspect_json_under(&[
        "bwrap",
        "--unshare-all",
        "--bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
    ]) else {
        return;
    };
    for kind in ["user", "pid", "net", "ipc", "uts", "cgroup"] {
        assert_eq!(
            namespace(&json, kind)["differs_from_host"],
            true,
            "{kind}: {}",
            namespace(&json, kind)
        );
    }
    let kinds = runtime_kinds(&json);
    assert!(kinds.iter().any(|k| k == "bubblewrap"), "{kinds:?}");
    assert!(!kinds.iter().any(|k| k == "docker"), "{kinds:?}");
    assert_eq!(json["runtime"]["containerized"], true);
    assert_eq!(json["no_new_privs"], true);
    assert_eq!(json["capabilities"]["in_initial_user_namespace"], false);
}

#[test]
fn inside_unshare() {
    if !have("unshare") {
        return aprof_testkit::skip("unshare (util-linux) is not installed");
    }
    let Some(json) = inspect_json_under(&["unshare", "-U", "-r", "-p", "-f", "--mount-proc"])
    else {
        return;
    };
    // SAFETY: getuid and getgid cannot fail.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    let mapping = &json["user_namespace_mapping"];
    assert_eq!(
        mapping["uid_map"],
        serde_json::json!([{"inside": 0, "outside": uid, "count": 1}])
    );
    assert_eq!(
        mapping["gid_map"],
        serde_json::json!([{"inside": 0, "outside": gid, "count": 1}])
    );
    assert_eq!(mapping["setgroups"], "deny");
    assert_eq!(mapping["identity"], false);
    assert_eq!(namespace(&json, "user")["differs_from_host"], true);
    assert_eq!(namespace(&json, "pid")["differs_from_host"], true);
    assert_eq!(namespace(&json, "net")["differs_from_host"], false);
    assert_eq!(json["pid"], 1);
    assert_eq!(json["runtime"]["containerized"], true);
}

#[test]
fn inside_gvisor() {
    if !have("runsc") {
        return aprof_testkit::skip("runsc is not installed (apt-get install runsc)");
    }
    let Some(json) = inspect_json_under(&[
        "timeout",
        "120",
        "runsc",
        "--rootless",
        "--network=none",
        "do",
    ]) else {
        return;
    };
    let kinds = runtime_kinds(&json);
    assert!(kinds.iter().any(|k| k == "gvisor"), "{kinds:?}");
    assert!(!kinds.iter().any(|k| k == "docker"), "{kinds:?}");
    assert_eq!(json["runtime"]["containerized"], true);
    // gVisor's status has no NoNewPrivs line: reported as unknown, not false.
    assert_eq!(json["no_new_privs"], Value::Null);
    assert!(json["kernel_release"] != Value::Null);
}

#[test]
fn under_setpriv_without_capabilities() {
    if !have("setpriv") {
        return aprof_testkit::skip("setpriv (util-linux) is not installed");
    }
    if !is_root() {
        return aprof_testkit::skip("needs root to show a full set being dropped");
    }
    let Some(json) = inspect_json_under(&[
        "setpriv",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
    ]) else {
        return;
    };
    let caps = &json["capabilities"];
    for set in [
        "effective",
        "permitted",
        "inheritable",
        "bounding",
        "ambient",
    ] {
        assert_eq!(caps[set]["hex"], "0000000000000000", "{set}");
        assert_eq!(caps[set]["names"], serde_json::json!([]), "{set}");
    }
    assert_eq!(caps["privileged_equivalent"], serde_json::json!([]));
    assert_eq!(json["no_new_privs"], true);
}

const RUNC_MEMORY_LIMIT: u64 = 64 << 20;
const RUNC_PIDS_LIMIT: u64 = 64;

/// An OCI bundle whose read-only rootfs binds the host's system directories
/// and aprof's own directory, running `args`.
fn runc_bundle(dir: &std::path::Path, args: &[&str]) -> bool {
    let spec = Command::new("runc")
        .args(["spec", "--bundle"])
        .arg(dir)
        .status();
    if !spec.map(|s| s.success()).unwrap_or(false) {
        return false;
    }
    let path = dir.join("config.json");
    let mut config: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config["process"]["terminal"] = Value::Bool(false);
    config["process"]["args"] = serde_json::json!(args);
    config["root"] = serde_json::json!({"path": "rootfs", "readonly": true});
    config["linux"]["resources"]["memory"] = serde_json::json!({"limit": RUNC_MEMORY_LIMIT});
    config["linux"]["resources"]["pids"] = serde_json::json!({"limit": RUNC_PIDS_LIMIT});
    let aprof_dir = std::path::Path::new(APROF)
        .parent()
        .unwrap()
        .to_str()
        .unwrap();
    let mounts = config["mounts"].as_array_mut().unwrap();
    for source in ["/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc", aprof_dir] {
        if !std::path::Path::new(source).exists() {
            continue;
        }
        std::fs::create_dir_all(dir.join("rootfs").join(source.trim_start_matches('/'))).unwrap();
        mounts.push(serde_json::json!({
            "destination": source, "type": "bind", "source": source,
            "options": ["rbind", "ro"]
        }));
    }
    std::fs::write(&path, serde_json::to_string_pretty(&config).unwrap()).unwrap();
    true
}

fn runc_delete(id: &str) {
    let _ = Command::new("runc")
        .args(["delete", "--force", id])
        .stderr(Stdio::null())
        .status();
}

#[test]
fn inside_runc() {
    if !have("runc") || !is_root() {
        return aprof_testkit::skip("needs runc (apt-get install runc) and root");
    }
    let bundle = tempfile::tempdir().unwrap();
    if !runc_bundle(bundle.path(), &[APROF, "inspect", "--json"]) {
        return aprof_testkit::skip("`runc spec` failed");
    }
    let id = format!("aprof-inspect-in-{}", std::process::id());
    let Some(json) = json_from(&[
        "timeout",
        "120",
        "runc",
        "run",
        "--bundle",
        bundle.path().to_str().unwrap(),
        &id,
    ]) else {
        runc_delete(&id);
        return;
    };
    runc_delete(&id);
    for kind in ["mnt", "pid", "net", "ipc", "uts"] {
        assert_eq!(namespace(&json, kind)["differs_from_host"], true, "{kind}");
    }
    let kinds = runtime_kinds(&json);
    assert!(kinds.iter().any(|k| k == "oci-runtime"), "{kinds:?}");
    assert!(!kinds.iter().any(|k| k == "docker"), "{kinds:?}");
    // runc's default spec: three capabilities and NoNewPrivs.
    assert_eq!(
        json["capabilities"]["effective"]["names"],
        serde_json::json!(["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"])
    );
    assert_eq!(json["no_new_privs"], true);
    assert_eq!(json["pid"], 1);
    assert_cgroup_limits(&json);
}

/// The limits that `runc_bundle` sets are found, inside and outside.
fn assert_cgroup_limits(json: &Value) {
    let cgroup = &json["cgroup"];
    assert_eq!(
        cgroup["memory_limit"]["limit"], RUNC_MEMORY_LIMIT,
        "{cgroup}"
    );
    assert_eq!(cgroup["pids_limit"]["limit"], RUNC_PIDS_LIMIT, "{cgroup}");
}

#[test]
fn runc_container_seen_from_outside() {
    if !have("runc") || !is_root() {
        return aprof_testkit::skip("needs runc (apt-get install runc) and root");
    }
    let bundle = tempfile::tempdir().unwrap();
    if !runc_bundle(bundle.path(), &["/bin/sleep", "600"]) {
        return aprof_testkit::skip("`runc spec` failed");
    }
    let id = format!("aprof-inspect-out-{}", std::process::id());
    let mut runc = Command::new("runc")
        .args(["run", "--bundle"])
        .arg(bundle.path())
        .arg(&id)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn runc");
    // The container's init is runc's child once it has exec'd sleep.
    let mut sleep_pid = None;
    for _ in 0..500 {
        // runc is multi-threaded: any of its threads may be the parent.
        let mut children = String::new();
        for task in std::fs::read_dir(format!("/proc/{}/task", runc.id()))
            .into_iter()
            .flatten()
            .flatten()
        {
            children += &std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
            children.push(' ');
        }
        sleep_pid = children
            .split_whitespace()
            .find(|pid| {
                std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .is_ok_and(|comm| comm.trim() == "sleep")
            })
            .map(str::to_string);
        if sleep_pid.is_some() || runc.try_wait().ok().flatten().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let out = sleep_pid
        .as_deref()
        .map(|pid| aprof(&["inspect", "--json", "--pid", pid]));
    let _ = Command::new("runc").args(["kill", &id, "KILL"]).status();
    let _ = runc.wait();
    runc_delete(&id);
    let Some(out) = out else {
        return aprof_testkit::skip("runc did not start the container here");
    };
    assert!(out.status.success(), "{out:?}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds = runtime_kinds(&json);
    assert!(kinds.iter().any(|k| k == "runc"), "{kinds:?}");
    assert_eq!(namespace(&json, "pid")["differs_from_host"], true);
    assert_eq!(json["process_name"], "sleep");
    assert_cgroup_limits(&json);
}
