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
        aprof_testkit::skip("strace is not installed (apt-get install strace)");
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
fn default_output_goes_to_the_state_directory_not_the_working_one() {
    let cwd = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let out = aprof()
        .current_dir(cwd.path())
        .env("XDG_STATE_HOME", state.path())
        .args(["record", "-q", "true"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        std::fs::read_dir(cwd.path()).unwrap().count(),
        0,
        "cwd littered"
    );
    let dir = state.path().join("aprof/footprints");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("true-") && name.ends_with(".json"),
        "{name}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&files[0].display().to_string()), "{stderr}");
    assert_eq!(load(&files[0]).environment.command, ["true"]);
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
    fails_cleanly(
        &["--duration", "3s", "--", "true"],
        2,
        "--duration applies to --pid only",
    );
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

#[test]
fn int80_syscalls_are_recorded_as_i386() {
    // A 64-bit process making an i386 syscall through `int 0x80`.
    let script = "import mmap, ctypes, os\n\
                  buf = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)\n\
                  buf.write(b'\\xb8\\x14\\x00\\x00\\x00\\xcd\\x80\\xc3')  # mov eax, 20 (getpid); int 0x80; ret\n\
                  addr = ctypes.addressof(ctypes.c_char.from_buffer(buf))\n\
                  pid = ctypes.CFUNCTYPE(ctypes.c_int)(addr)()\n\
                  raise SystemExit(0 if pid == os.getpid() else 1)\n";
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fp.json");
    let status = aprof()
        .args(["record", "-q", "-o"])
        .arg(&out)
        .args(["--", PYTHON, "-c", script])
        .status()
        .unwrap();
    if status.code() == Some(1) || !out.exists() {
        return aprof_testkit::skip("this kernel does not run int 0x80 (no IA32 emulation)");
    }
    assert_eq!(status.code(), Some(0));
    let fp = load(&out);
    let i386: Vec<&str> = fp.syscall_names(aprof_footprint::Abi::I386).collect();
    assert_eq!(i386, ["getpid"]);
    same_as_strace(&[PYTHON, "-c", script], "");
}

#[test]
fn a_second_stop_signal_kills_a_workload_that_ignores_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fp.json");
    let child = aprof()
        .args(["record", "-o"])
        .arg(&out)
        .args(["--", "sh", "-c", "trap '' TERM; sleep 60"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let aprof_pid = child.id();
    wait_for("the workload to start sleep", || {
        children_of(aprof_pid)
            .first()
            .is_some_and(|&sh| !children_of(sh).is_empty())
    });
    for _ in 0..2 {
        // SAFETY: signalling our own child.
        unsafe { libc::kill(aprof_pid as i32, libc::SIGTERM) };
        std::thread::sleep(Duration::from_millis(300));
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(128 + libc::SIGKILL));
    let fp = load(&out);
    assert_eq!(fp.processes.len(), 2);
}

#[test]
fn progress_line_only_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fp.json");
    // Not a terminal: nothing on stderr.
    let output = aprof()
        .args(["record", "-o"])
        .arg(&out)
        .args(["--", "sleep", "0.7"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // A terminal, by script(1): progress line and summary.
    let Ok(output) = Command::new("script")
        .args(["-qec"])
        .arg(format!(
            "{} record -o {} -- sleep 1.2",
            env!("CARGO_BIN_EXE_aprof"),
            out.display()
        ))
        .arg("/dev/null")
        .stdin(Stdio::null())
        .output()
    else {
        return aprof_testkit::skip("script(1) is not installed");
    };
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("processes") && text.contains("distinct"),
        "{text}"
    );
    assert!(text.contains("-> "), "no summary: {text}");
}

/// The pid of the process whose argv is exactly `argv`, if any.
fn find_process(argv: &[&str]) -> Option<u32> {
    let wanted: Vec<u8> = argv.iter().flat_map(|a| a.bytes().chain([0])).collect();
    std::fs::read_dir("/proc").ok()?.find_map(|entry| {
        let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
        (std::fs::read(format!("/proc/{pid}/cmdline")).ok()? == wanted).then_some(pid)
    })
}

#[test]
fn ctrl_c_on_a_terminal_stops_the_workload_and_writes_the_footprint() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fp.json");
    // A unique argv to find the workload by.
    let nap = format!("60.{}", std::process::id());
    let Ok(mut terminal) = Command::new("script")
        .args(["-qec"])
        .arg(format!(
            "{} record -o {} -- sleep {nap}",
            env!("CARGO_BIN_EXE_aprof"),
            out.display()
        ))
        .arg("/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
    else {
        return aprof_testkit::skip("script(1) is not installed");
    };
    let mut workload = 0;
    wait_for("the traced workload", || {
        workload = find_process(&["sleep", &nap]).unwrap_or(0);
        workload != 0 && status_field(workload, "TracerPid:").is_some_and(|t| t != "0")
    });
    // ^C: the terminal sends SIGINT to aprof and the workload alike.
    terminal.stdin.as_mut().unwrap().write_all(b"\x03").unwrap();
    let status = terminal.wait().unwrap();
    assert_eq!(status.code(), Some(128 + libc::SIGINT));
    let fp = load(&out);
    assert_eq!(
        fp.exit,
        Some(aprof_footprint::ExitStatus::Signaled(libc::SIGINT))
    );
}

/// `setpriv` arguments that drop to user nobody, when this test runs as
/// root and can do so.
fn as_nobody() -> Option<Command> {
    // SAFETY: getuid cannot fail.
    if unsafe { libc::getuid() } != 0 {
        aprof_testkit::skip("needs root to switch to an unprivileged user");
        return None;
    }
    let mut cmd = Command::new("setpriv");
    cmd.args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--inh-caps=-all",
    ]);
    let usable = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_aprof"))
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !usable {
        aprof_testkit::skip("setpriv missing or nobody cannot run the aprof binary");
        return None;
    }
    Some(cmd)
}

#[test]
fn unprivileged_user_can_record_in_both_modes() {
    let Some(_) = as_nobody() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .unwrap();
    let mut guards = Vec::new();
    for mode in ["seccomp", "ptrace"] {
        let out = dir.path().join(format!("{mode}.json"));
        let mut cmd = as_nobody().unwrap();
        let status = cmd
            .arg(env!("CARGO_BIN_EXE_aprof"))
            .args(["record", "-q", "--mode", mode, "-o"])
            .arg(&out)
            .args(["--", "sh", "-c", "ls / >/dev/null; exit 6"])
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(6), "--mode {mode}");
        let fp = load(&out);
        assert_eq!(fp.processes.len(), 2);
        guards.push(fp.processes[0].guards.clone());
    }
    // The seccomp recorder's filter and NO_NEW_PRIVS are not the workload's.
    assert_eq!(guards[0], guards[1]);

    // Another user's process: refused, with the reason, and no file.
    let out = dir.path().join("refused.json");
    let output = as_nobody()
        .unwrap()
        .arg(env!("CARGO_BIN_EXE_aprof"))
        .args(["record", "--pid", "1", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("ptrace refused for pid 1"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn a_signal_ignored_at_start_stays_ignored_for_the_workload() {
    // As under nohup: SIGHUP ignored when aprof starts.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fp.json");
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' HUP; exec {} record -q -o {} -- sh -c 'kill -HUP $$; exit 3'",
            env!("CARGO_BIN_EXE_aprof"),
            out.display()
        ))
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(3));
}

#[test]
fn attaching_to_an_already_traced_process_names_the_tracer() {
    let target = KillOnDrop(
        Command::new("sleep")
            .arg("60")
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pid = target.0.id().to_string();
    let dir = tempfile::tempdir().unwrap();
    let first = KillOnDrop(
        aprof()
            .args(["record", "-q", "--pid", &pid, "-o"])
            .arg(dir.path().join("first.json"))
            .spawn()
            .unwrap(),
    );
    let tracer = first.0.id().to_string();
    wait_for("the first aprof to attach", || {
        status_field(target.0.id(), "TracerPid:").is_some_and(|t| t == tracer)
    });
    let out = dir.path().join("second.json");
    let output = aprof()
        .args(["record", "--pid", &pid, "-o"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("already traced by pid {tracer}")),
        "{stderr}"
    );
    assert!(!out.exists());
}
