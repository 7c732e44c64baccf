//! `aprof import` as a user runs it: a real strace trace (made here when
//! strace is installed, else the record crate's static fixture) becomes a
//! footprint file; missing and non-strace inputs fail with one line, exit 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn aprof(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aprof"))
        .arg("import")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run aprof")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../record/tests/fixtures/strace")
        .join(name)
}

/// A fresh `strace -f -yy` trace of a pipeline, or the static fixture.
fn some_trace(dir: &Path) -> PathBuf {
    let out = dir.join("trace.txt");
    let made = Command::new("strace")
        .args(["-f", "-yy", "-o"])
        .arg(&out)
        .args(["sh", "-c", "ls / | wc -l"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if made {
        out
    } else {
        eprintln!("strace not available: using the static fixture");
        fixture("python-thread-socket.tt-yy.strace")
    }
}

#[test]
fn imports_a_trace_into_a_footprint_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let trace = some_trace(dir.path());
    let out = dir.path().join("fp.json");
    let run = aprof(&[trace.as_os_str(), "-o".as_ref(), out.as_os_str()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("imported"), "{stderr}");
    let fp = aprof_footprint::load(&out).expect("a valid footprint");
    assert_eq!(fp.environment.recorder, "strace-import");
    assert!(fp.distinct_syscalls() > 10);
    assert!(!fp.processes.is_empty());
    assert!(!fp.objects.is_empty(), "-yy trace has objects");
}

#[test]
fn writes_json_to_stdout_with_dash() {
    let run = aprof(&[
        fixture("i386-personality.strace").as_os_str(),
        "-o".as_ref(),
        "-".as_ref(),
    ]);
    assert_eq!(run.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).expect("json on stdout");
    assert!(json["syscalls"]["i386"]["mmap2"]["count"].as_u64() == Some(1));
}

#[test]
fn warns_about_malformed_lines_but_succeeds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("fp.json");
    let run = aprof(&[
        fixture("odd-lines.strace").as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("aprof: warning: 1 line(s) are not strace output")
            && stderr.contains("odd-lines.strace:4"),
        "{stderr}"
    );
}

fn assert_one_line_error(run: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("aprof: error: "), "{stderr}");
    assert!(stderr.contains(needle), "{stderr}");
}

#[test]
fn missing_file_and_non_strace_input_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("fp.json");
    let missing = dir.path().join("no-such-trace");
    let run = aprof(&[missing.as_os_str(), "-o".as_ref(), out.as_os_str()]);
    assert_one_line_error(&run, "no such file");
    let text = dir.path().join("readme.txt");
    std::fs::write(&text, "# a readme\n\nnothing to see here\n").expect("write");
    let run = aprof(&[text.as_os_str(), "-o".as_ref(), out.as_os_str()]);
    assert_one_line_error(&run, "not strace output");
    assert!(!out.exists(), "no footprint written on error");
}
