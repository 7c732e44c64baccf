//! `aprof record` end to end: the recorded syscall set equals the set
//! `strace -f -qq` records for the same program and input, in both modes;
//! exit codes, signals, errors and `--pid` attach/detach behave as a user
//! relies on.
//!
//! Comparison rule: strace's output names every syscall before `(`; lines
//! `<... NAME resumed>` continue a call already named, `---` lines are
//! signals and `+++` lines exits, so they name nothing new. strace adds no
//! syscall of its own to the traced set (it hides the launched child's
//! syscalls before its `execve`, and so does aprof), so no exception is
//! needed.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const PYTHON: &str = "/usr/bin/python3";

fn aprof() -> Command {
    Command::new(env!("CARGO_BIN_EXE_aprof"))
}

fn have_strace() -> bool {
    let found = Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        eprintln!("skipping: strace is not installed (apt-get install strace)");
    }
    found
}

/// Run `cmd`, feeding `input` on stdin, stdout discarded.
fn run_with_input(mut cmd: Command, input: &str) -> Output {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Syscall names in strace output.
fn parse_strace(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in text.lines() {
        // `PID ` prefix of -f output.
        let rest = line
            .trim_start()
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start();
        if rest.is_empty()
            || rest.starts_with("<...")
            || rest.starts_with("---")
            || rest.starts_with("+++")
        {
            continue;
        }
        if let Some((name, _)) = rest.split_once('(') {
            names.insert(name.to_owned());
        }
    }
    names
}

fn strace_set(argv: &[&str], input: &str) -> (BTreeSet<String>, Option<i32>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("strace.txt");
    let mut cmd = Command::new("strace");
    cmd.args(["-f", "-qq", "-o"]).arg(&out).arg("--").args(argv);
    let output = run_with_input(cmd, input);
    let text = std::fs::read_to_string(&out).unwrap();
    (parse_strace(&text), output.status.code())
}

fn load(path: &Path) -> aprof_footprint::Footprint {
    aprof_footprint::load(path).unwrap()
}

fn aprof_set(mode: &str, argv: &[&str], input: &str) -> (BTreeSet<String>, Option<i32>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fp.json");
    let mut cmd = aprof();
    cmd.args(["record", "-q", "--mode", mode, "-o"])
        .arg(&out)
        .arg("--")
        .args(argv);
    let output = run_with_input(cmd, input);
    assert!(
        out.exists(),
        "no footprint; stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let fp = load(&out);
    let names = fp
        .syscalls
        .values()
        .flat_map(|m| m.keys().cloned())
        .collect();
    (names, output.status.code())
}

/// aprof's set in both modes equals strace's; exit codes match too.
fn same_as_strace(argv: &[&str], input: &str) {
    if !have_strace() {
        return;
    }
    let (expected, strace_code) = strace_set(argv, input);
    assert!(
        expected.contains("execve"),
        "strace saw nothing: {expected:?}"
    );
    for mode in ["ptrace", "seccomp"] {
        let (got, code) = aprof_set(mode, argv, input);
        let missing: Vec<_> = expected.difference(&got).collect();
        let extra: Vec<_> = got.difference(&expected).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{argv:?} --mode {mode}: missing {missing:?}, extra {extra:?}"
        );
        // strace re-raises a fatal signal on itself; aprof exits 128+sig.
        if let Some(strace_code) = strace_code {
            assert_eq!(code, Some(strace_code), "{argv:?} --mode {mode}");
        }
    }
}

#[test]
fn parse_strace_reads_names() {
    let text = "12 execve(\"/bin/true\", [\"true\"], 0x7ffd /* 5 vars */) = 0\n\
                12 read(0,  <unfinished ...>\n\
                13 <... clone3 resumed> => {parent_tid=[14]}, 88) = 14\n\
                12 --- SIGCHLD {si_signo=SIGCHLD} ---\n\
                12 +++ exited with 0 +++\n\
                exit_group(0)                           = ?\n";
    let names: Vec<_> = parse_strace(text).into_iter().collect();
    assert_eq!(names, ["execve", "exit_group", "read"]);
}

#[test]
fn true_matches_strace() {
    same_as_strace(&["/bin/true"], "");
}

#[test]
fn ls_matches_strace() {
    same_as_strace(&["ls", "-la", "/usr"], "");
}

#[test]
fn cat_of_a_file_matches_strace() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("input.txt");
    std::fs::write(&file, "some text\n".repeat(1000)).unwrap();
    same_as_strace(&["cat", file.to_str().unwrap()], "");
    same_as_strace(&["cat"], "from stdin\n");
}

#[test]
fn python_threads_match_strace() {
    // Each thread sleeps, so the joins really wait (futex) in every run.
    let script = "import threading, time, os\n\
                  def work(i):\n\
                  \x20   time.sleep(0.05)\n\
                  \x20   os.write(1, b'%d' % i)\n\
                  ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]\n\
                  [t.start() for t in ts]\n\
                  [t.join() for t in ts]\n";
    same_as_strace(&[PYTHON, "-c", script], "");
}

#[test]
fn shell_pipeline_matches_strace() {
    same_as_strace(&["sh", "-c", "ls /usr | wc -l"], "");
}

#[test]
fn vfork_user_matches_strace() {
    // glibc's posix_spawn runs the child with clone(CLONE_VM|CLONE_VFORK).
    let script = "import os\n\
                  pid = os.posix_spawn('/bin/sh', ['sh', '-c', 'exit 4'], os.environ)\n\
                  _, status = os.waitpid(pid, 0)\n\
                  raise SystemExit(os.waitstatus_to_exitcode(status))\n";
    same_as_strace(&[PYTHON, "-c", script], "");
}

#[test]
fn signal_killed_program_matches_strace() {
    same_as_strace(&["sh", "-c", "kill -9 $$"], "");
    if !have_strace() {
        return;
    }
    let (_, code) = aprof_set("auto", &["sh", "-c", "kill -TERM $$"], "");
    assert_eq!(code, Some(128 + 15));
}

#[test]
fn socket_writer_matches_strace() {
    let script = "import socket\n\
                  srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(1)\n\
                  cli = socket.create_connection(srv.getsockname())\n\
                  conn, _ = srv.accept()\n\
                  cli.sendall(b'hello'); assert conn.recv(5) == b'hello'\n\
                  a, b = socket.socketpair(); a.send(b'x'); b.recv(1)\n";
    same_as_strace(&[PYTHON, "-c", script], "");
}

#[test]
fn exit_code_passes_through_and_footprint_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fp.json");
    let status = aprof()
        .args(["record", "-o"])
        .arg(&out)
        .args(["--", "sh", "-c", "exit 42"])
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(42));
    let fp = load(&out);
    assert_eq!(fp.exit, Some(aprof_footprint::ExitStatus::Exited(42)));
    assert_eq!(fp.environment.command, ["sh", "-c", "exit 42"]);
    assert!(fp.environment.started_at <= fp.environment.ended_at);
}

#[test]
fn default_output_is_footprint_json() {
    let dir = tempfile::tempdir().unwrap();
    let status = aprof()
        .current_dir(dir.path())
        .args(["record", "true"])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(dir.path().join("footprint.json").exists());
}

/// One `aprof: error:` line, the expected code, and no file written.
fn fails_cleanly(args: &[&str], code: i32, message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fp.json");
    let output = aprof()
        .arg("record")
        .arg("-o")
        .arg(&out)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("aprof: error: "), "{stderr}");
    assert!(stderr.contains(message), "{stderr}");
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "stray files"
    );
}

#[test]
fn failures_are_one_line_without_a_file() {
    fails_cleanly(&["--", "aprof-no-such-command"], 127, "command not found");
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("not-executable");
    std::fs::write(&script, "#!/bin/sh\n").unwrap();
    fails_cleanly(&["--", script.to_str().unwrap()], 126, "permission denied");
    fails_cleanly(&["--pid", "999999999"], 2, "no process with pid 999999999");
    fails_cleanly(&[], 2, "nothing to record");
    fails_cleanly(&["--pid", "1", "--mode", "seccomp"], 2, "seccomp mode");
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn status_field(pid: u32, field: &str) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix(field).map(|v| v.trim().to_owned()))
}

/// The children of `pid` (from /proc/PID/task/*/children).
fn children_of(pid: u32) -> Vec<u32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect()
}

#[test]
fn sigterm_to_aprof_reaches_the_workload_and_the_footprint_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fp.json");
    let child = aprof()
        .args(["record", "-o"])
        .arg(&out)
        .args(["--", "sleep", "60"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let aprof_pid = child.id();
    let mut workload = 0;
    wait_for("the workload to exec sleep", || {
        workload = children_of(aprof_pid).first().copied().unwrap_or(0);
        workload != 0
            && std::fs::read_link(format!("/proc/{workload}/exe"))
                .is_ok_and(|p| p.ends_with("sleep"))
    });
    // SAFETY: signalling our own child.
    unsafe { libc::kill(aprof_pid as i32, libc::SIGTERM) };
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(128 + libc::SIGTERM));
    let fp = load(&out);
    assert_eq!(
        fp.exit,
        Some(aprof_footprint::ExitStatus::Signaled(libc::SIGTERM))
    );
}

/// A child killed when the test ends, even by a failed assertion.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn pid_attach_detaches_and_leaves_the_process_running() {
    let mut target = KillOnDrop(
        Command::new("sh")
            .args(["-c", "while :; do sleep 0.05; done"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pid = target.0.id();
    let dir = tempfile::tempdir().unwrap();

    // With --duration.
    let out = dir.path().join("timed.json");
    let status = aprof()
        .args([
            "record",
            "--duration",
            "700ms",
            "--pid",
            &pid.to_string(),
            "-o",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let fp = load(&out);
    assert!(
        fp.processes.len() >= 2,
        "the loop's sleeps are followed: {:?}",
        fp.processes
    );
    assert_eq!(fp.processes[0].pid, pid as i32);
    assert_eq!(status_field(pid, "TracerPid:").as_deref(), Some("0"));

    // Until SIGINT.
    let out = dir.path().join("interrupted.json");
    let recorder = aprof()
        .args(["record", "--pid", &pid.to_string(), "-o"])
        .arg(&out)
        .spawn()
        .unwrap();
    wait_for("aprof to attach", || {
        status_field(pid, "TracerPid:").is_some_and(|t| t == recorder.id().to_string())
    });
    // Let it see a few iterations of the loop.
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: signalling our own child.
    unsafe { libc::kill(recorder.id() as i32, libc::SIGINT) };
    let output = recorder.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(load(&out).total_syscalls() > 0);

    // Still running, untraced, and still forking its sleeps.
    assert_eq!(status_field(pid, "TracerPid:").as_deref(), Some("0"));
    assert!(target.0.try_wait().unwrap().is_none());
    let state = status_field(pid, "State:").unwrap();
    assert!(
        !state.starts_with('t') && !state.starts_with('T'),
        "{state}"
    );
}

#[test]
fn output_in_a_missing_directory_fails_before_running() {
    let output = aprof()
        .args(["record", "-o", "/nonexistent-dir/fp.json", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does not exist"));
}
