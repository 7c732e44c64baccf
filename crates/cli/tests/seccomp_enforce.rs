//! The failure side of the round trip and of `aprof run`, through the
//! real binary: a generated profile with one needed syscall (or one
//! recorded argument value) taken out must be caught by
//! `aprof seccomp validate --profile`, and `aprof run --profile` must pass
//! exit statuses through, fail denied syscalls with EPERM and answer a
//! missing command with 127. Needs root (ptrace, seccomp) like the rest of
//! aprof's tests.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::*;

fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("aprof-enforce-")
        .tempdir()
        .expect("tempdir")
}

/// The validation report `--json-out` wrote to `path`.
fn report(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("report written");
    serde_json::from_str(&text).expect("report is JSON")
}

/// Validate CMD (which must pass) and keep the generated OCI profile.
fn generated_profile(dir: &Path, cmd: &[&str]) -> (PathBuf, Value) {
    let path = dir.join("generated.json");
    let json = dir.join("report.json");
    let mut args = vec![
        "seccomp",
        "validate",
        "--json-out",
        json.to_str().expect("utf-8 path"),
        "-o",
        path.to_str().expect("utf-8 path"),
        "--",
    ];
    args.extend_from_slice(cmd);
    let out = aprof(&args, dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{cmd:?} does not round-trip:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let profile: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("profile written"))
            .expect("profile is JSON");
    (path, profile)
}

/// Validate CMD under an edited profile; (exit code, report).
fn validate_with(
    dir: &Path,
    profile: &Value,
    extra: &[&str],
    cmd: &[&str],
) -> (i32, Value, String) {
    let path = dir.join("edited.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(profile).expect("serialise"),
    )
    .expect("write profile");
    let json = dir.join("report.json");
    let mut args = vec![
        "seccomp",
        "validate",
        "--json-out",
        json.to_str().expect("utf-8 path"),
        "--profile",
        path.to_str().expect("utf-8 path"),
    ];
    args.extend_from_slice(extra);
    args.push("--");
    args.extend_from_slice(cmd);
    let out = aprof(&args, dir);
    (
        out.status.code().unwrap_or(-1),
        report(&json),
        text(&out.stderr),
    )
}

fn denied_names(report: &Value) -> Vec<String> {
    report["denials"]
        .as_array()
        .expect("denials")
        .iter()
        .map(|d| d["syscall"].as_str().expect("name").to_owned())
        .collect()
}

/// Drop `syscall` from every entry's names, and entries left empty.
fn without_syscall(profile: &Value, syscall: &str) -> Value {
    let mut p = profile.clone();
    let entries = p["syscalls"].as_array_mut().expect("syscalls");
    let before: usize = entries
        .iter()
        .map(|e| e["names"].as_array().map_or(0, Vec::len))
        .sum();
    for e in entries.iter_mut() {
        e["names"]
            .as_array_mut()
            .expect("names")
            .retain(|n| n != syscall);
    }
    entries.retain(|e| !e["names"].as_array().expect("names").is_empty());
    let after: usize = entries
        .iter()
        .map(|e| e["names"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(
        before,
        after + 1,
        "{syscall} was not in the generated profile"
    );
    p
}

#[test]
fn a_profile_missing_getdents64_is_caught() {
    let d = tempdir();
    std::fs::write(d.path().join("f"), "x").expect("write");
    let dir = d.path().display().to_string();
    let cmd = ["ls", "-la", &dir];
    let (_, profile) = generated_profile(d.path(), &cmd);
    let broken = without_syscall(&profile, "getdents64");

    let (code, r, stderr) = validate_with(d.path(), &broken, &[], &cmd);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(r["pass"], false);
    assert_eq!(
        denied_names(&r),
        ["getdents64"],
        "observe mode lets it run and names exactly the missing syscall"
    );
    assert_eq!(
        r["exit_code"], 0,
        "observe mode lets the denied call through"
    );

    // Enforced, ls sees EPERM and fails.
    let (code, r, _) = validate_with(d.path(), &broken, &["--enforce"], &cmd);
    assert_eq!(code, 1);
    assert_eq!(denied_names(&r), ["getdents64"]);
    assert_ne!(
        r["exit_code"], 0,
        "ls cannot list a directory without getdents64"
    );

    // The untouched profile passes, so the denial comes from the edit.
    let (code, r, stderr) = validate_with(d.path(), &profile, &[], &cmd);
    assert_eq!((code, r["pass"].clone()), (0, json!(true)), "{stderr}");
}

#[test]
fn a_profile_missing_the_recorded_socket_family_is_caught() {
    let Some(py) = python3() else {
        return aprof_testkit::skip("no python3 in /usr/bin or /usr/local/bin");
    };
    let d = tempdir();
    // A TCP client and server in one process: AF_INET stream sockets only.
    let code = "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\ns.bind(('127.0.0.1', 0)); s.listen(1)\nc = socket.create_connection(s.getsockname())\na, _ = s.accept(); c.sendall(b'hi'); assert a.recv(2) == b'hi'\n";
    let cmd = [py, "-c", code];
    let (_, profile) = generated_profile(d.path(), &cmd);
    let mut broken = profile.clone();
    let entries = broken["syscalls"].as_array_mut().expect("syscalls");
    let before = entries.len();
    entries.retain(|e| {
        !(e["names"] == json!(["socket"])
            && e["args"].as_array().is_some_and(|a| {
                a.iter()
                    .any(|c| c["index"] == 0 && compared_value(c) == libc::AF_INET as u64)
            }))
    });
    assert!(
        entries.len() < before,
        "no socket rule on AF_INET in {profile:#}"
    );
    assert!(
        entries.iter().any(|e| e["names"]
            .as_array()
            .expect("names")
            .contains(&json!("connect"))),
        "the rest of the profile is still there"
    );

    let (code, r, stderr) = validate_with(d.path(), &broken, &[], &cmd);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(denied_names(&r), ["socket"]);
    let denial = &r["denials"][0];
    assert_eq!(
        denial["first_args"][0],
        libc::AF_INET,
        "the denied call is the AF_INET socket"
    );
    assert_eq!(denial["action"], "errno 1");
}

/// The value an OCI argument condition compares with (for MASKED_EQ,
/// `valueTwo`; `value` is the mask).
fn compared_value(cond: &Value) -> u64 {
    let key = if cond["op"] == "SCMP_CMP_MASKED_EQ" {
        "valueTwo"
    } else {
        "value"
    };
    cond[key].as_u64().expect("a number")
}

#[test]
fn an_i386_syscall_outside_the_profiles_architectures_is_caught() {
    let Some(py) = python3() else {
        return aprof_testkit::skip("no python3 in /usr/bin or /usr/local/bin");
    };
    let d = tempdir();
    let script = d.path().join("i386.py");
    std::fs::write(&script, I386_GETPID_PY).expect("write");
    let script = script.display().to_string();
    if !Command::new(py)
        .arg(&script)
        .status()
        .expect("python3 runs")
        .success()
    {
        return aprof_testkit::skip("this kernel runs no i386 syscalls (IA32 emulation off)");
    }
    let cmd = [py, script.as_str()];
    let (_, profile) = generated_profile(d.path(), &cmd);
    assert_eq!(
        profile["architectures"],
        json!(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"])
    );
    let mut x86_64_only = profile.clone();
    x86_64_only["architectures"] = json!(["SCMP_ARCH_X86_64"]);
    let (code, r, stderr) = validate_with(d.path(), &x86_64_only, &[], &cmd);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(denied_names(&r), ["getpid"]);
    assert_eq!(r["denials"][0]["abi"], "i386");
    assert_eq!(r["exit_code"], 0, "observed, not killed");
}

#[test]
fn a_namespace_flag_never_recorded_is_refused_on_clone() {
    let Some(py) = python3() else {
        return aprof_testkit::skip("no python3 in /usr/bin or /usr/local/bin");
    };
    let d = tempdir();
    let script = d.path().join("ns.py");
    std::fs::write(&script, CLONE_NEWUSER_PY).expect("write");
    let script = script.display().to_string();
    // Recorded: threads only (clone3, answered ENOSYS, then clone).
    let (_, profile) = generated_profile(d.path(), &[py, &script, "plain"]);
    // Rerun: the same plus a clone with CLONE_NEWUSER.
    let (code, r, stderr) =
        validate_with(d.path(), &profile, &["--enforce"], &[py, &script, "userns"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        denied_names(&r),
        ["clone"],
        "threads still start; only the namespace clone is refused"
    );
    let flags = r["denials"][0]["first_args"][0].as_u64().expect("flags");
    assert_ne!(flags & libc::CLONE_NEWUSER as u64, 0);
    assert_eq!(r["exit_code"], 3, "the program saw clone fail");
}

/// Threads, then (with `userns`) a clone into a new user namespace.
const CLONE_NEWUSER_PY: &str = r#"import ctypes, os, sys, threading
libc = ctypes.CDLL(None, use_errno=True)
t = threading.Thread(target=lambda: None); t.start(); t.join()
if sys.argv[1] == "userns":
    CLONE_NEWUSER, SIGCHLD = 0x10000000, 17
    pid = libc.syscall(56, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0)
    if pid == 0:
        os._exit(0)
    if pid < 0:
        print("clone failed, errno", ctypes.get_errno())
        sys.exit(3)
    os.waitpid(pid, 0)
print("done")
"#;

/// python3 making one i386 syscall (`int 0x80`): i386 getpid.
const I386_GETPID_PY: &str = r#"import ctypes, mmap, os
code = b"\xb8\x14\x00\x00\x00\xcd\x80\xc3"  # mov eax, 20; int 0x80; ret
m = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
m.write(code)
f = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(m)))
assert f() == os.getpid(), "i386 getpid"
"#;

fn write_profile(dir: &Path, profile: &Value) -> String {
    let path = dir.join("profile.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(profile).expect("serialise"),
    )
    .expect("write profile");
    path.display().to_string()
}

/// Everything allowed except the given syscalls, which fail with EPERM.
fn denying(names: &[&str]) -> Value {
    json!({
        "defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [{ "names": names, "action": "SCMP_ACT_ERRNO", "errnoRet": libc::EPERM }],
    })
}

#[test]
fn run_passes_the_exit_status_through() {
    let d = tempdir();
    let p = write_profile(d.path(), &denying(&["mount"]));
    for (script, want) in [("exit 0", 0), ("exit 7", 7), ("exit 255", 255)] {
        let out = aprof(
            &["run", "--profile", &p, "--", "sh", "-c", script],
            d.path(),
        );
        assert_eq!(
            out.status.code(),
            Some(want),
            "{script}: {}",
            text(&out.stderr)
        );
    }
    // aprof execs the command, so a signal ends the process the caller waits for.
    use std::os::unix::process::ExitStatusExt;
    let out = aprof(
        &["run", "--profile", &p, "--", "sh", "-c", "kill -TERM $$"],
        d.path(),
    );
    assert_eq!(out.status.signal(), Some(libc::SIGTERM));
}

#[test]
fn run_under_a_generated_profile_succeeds() {
    let d = tempdir();
    let dir = d.path().display().to_string();
    let (p, _) = generated_profile(d.path(), &["ls", "-la", &dir]);
    let out = aprof(
        &[
            "run",
            "--profile",
            p.to_str().expect("utf-8"),
            "--",
            "ls",
            "-la",
            &dir,
        ],
        d.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("generated.json"));
}

#[test]
fn run_fails_a_denied_syscall_with_eperm() {
    let d = tempdir();
    let p = write_profile(d.path(), &denying(&["mkdir", "mkdirat"]));
    let out = aprof(&["run", "--profile", &p, "--", "mkdir", "new"], d.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("Operation not permitted"),
        "{}",
        text(&out.stderr)
    );
    assert!(!d.path().join("new").exists());
    // The same command without the rule works.
    let p = write_profile(d.path(), &denying(&["mount"]));
    let out = aprof(&["run", "--profile", &p, "--", "mkdir", "new"], d.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(d.path().join("new").is_dir());
}

#[test]
fn run_answers_a_missing_command_with_127() {
    let d = tempdir();
    let p = write_profile(d.path(), &denying(&["mount"]));
    let out = aprof(
        &[
            "run",
            "--profile",
            &p,
            "--",
            "/nonexistent/aprof-no-such-command",
        ],
        d.path(),
    );
    assert_eq!(out.status.code(), Some(127), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("command not found"));
}

#[test]
fn run_and_validate_refuse_bad_profiles_in_one_line() {
    let d = tempdir();
    let bad = d.path().join("bad.json");
    std::fs::write(&bad, "{ \"defaultAction\": \"SCMP_ACT_NOPE\" }").expect("write");
    for args in [
        vec![
            "run",
            "--profile",
            bad.to_str().expect("utf-8"),
            "--",
            "true",
        ],
        vec![
            "seccomp",
            "validate",
            "--profile",
            bad.to_str().expect("utf-8"),
            "--",
            "true",
        ],
        vec![
            "run",
            "--profile",
            "/nonexistent/profile.json",
            "--",
            "true",
        ],
    ] {
        let out = aprof(&args, d.path());
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(
            err.lines()
                .filter(|l| l.starts_with("aprof: error:"))
                .count(),
            1,
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// Issue 13: the rerun must end as the recording did, and the report must
/// not share standard output with a workload that writes there (here JSON
/// lookalikes). The first run exits 0 and leaves a mark; the rerun finds it
/// and exits 3 with no new syscall: no denial, yet a failed validation.
#[test]
fn validate_compares_exit_codes_and_keeps_stdout_for_the_workload() {
    let d = tempdir();
    let mark = d.path().join("mark");
    let script = format!(
        "printf '{{\\n  \"pass\": true\\n}}\\n'; test -e {m} && exit 3; : > {m}",
        m = mark.display()
    );
    let json = d.path().join("report.json");
    let args = [
        "seccomp",
        "validate",
        "--json-out",
        json.to_str().expect("utf-8"),
        "--",
        "sh",
        "-c",
        &script,
    ];
    let out = aprof(&args, d.path());
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    // Standard output is the workload's alone: its two runs' lines.
    assert_eq!(stdout, "{\n  \"pass\": true\n}\n".repeat(2), "{stderr}");
    let r = report(&json);
    assert_eq!(r["pass"], false);
    assert_eq!(r["exit_code"], 3);
    assert_eq!(r["recorded_exit_code"], 0);
    assert_eq!(r["exit_code_matches"], false);
    assert_eq!(r["denials"].as_array().map(Vec::len), Some(0));
    // The same run, reported in words on stderr.
    std::fs::remove_file(&mark).expect("remove mark");
    let out = aprof(
        &["seccomp", "validate", "--", "sh", "-c", &script],
        d.path(),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("FAIL: the workload ended differently under the profile (exit 3, the recorded run exited with 0)"),
        "{stderr}"
    );
    // --json on the workload's stdout is refused with the way out.
    let out = aprof(&["seccomp", "validate", "--json", "--", "true"], d.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--json-out"),
        "{}",
        text(&out.stderr)
    );
}

/// Issue 13: sort's SIGPIPE handler cleans up and re-raises the signal
/// (glibc's raise: gettid, tgkill), but only when its reader closes early,
/// which is timing. A profile generated from a run where the reader read
/// everything must still let a run with an early-closing reader through;
/// without the timing companions the kernel denies exactly those calls.
#[test]
fn a_re_raised_sigpipe_is_a_timing_companion() {
    let d = tempdir();
    let fp = d.path().join("sort.json");
    let out = aprof(
        &[
            "record",
            "-q",
            "-o",
            fp.to_str().expect("utf-8"),
            "--",
            "sh",
            "-c",
            "seq 200000 | sort -n | head -n 1000000 >/dev/null",
        ],
        d.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let early_reader = "seq 200000 | sort -n | head -n 1";
    let mut denied_without = Vec::new();
    for (flag, name) in [
        ("", "with.json"),
        ("--no-timing-companions", "without.json"),
    ] {
        let profile = d.path().join(name);
        let mut args = vec![
            "seccomp",
            "generate",
            fp.to_str().expect("utf-8"),
            "-o",
            profile.to_str().expect("utf-8"),
        ];
        if !flag.is_empty() {
            args.push(flag);
        }
        let out = aprof(&args, d.path());
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let json = d.path().join("report.json");
        let out = aprof(
            &[
                "seccomp",
                "validate",
                "--json-out",
                json.to_str().expect("utf-8"),
                "--profile",
                profile.to_str().expect("utf-8"),
                "--",
                "sh",
                "-c",
                early_reader,
            ],
            d.path(),
        );
        assert_eq!(text(&out.stdout), "1\n");
        let r = report(&json);
        if flag.is_empty() {
            assert_eq!(r["pass"], true, "{r}");
        } else {
            denied_without = denied_names(&r);
        }
    }
    // The re-raise is what the companions cover: the kernel proves it.
    assert!(
        denied_without.contains(&"tgkill".to_string()),
        "{denied_without:?}"
    );
}
