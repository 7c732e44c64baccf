//! The tracing engine against real programs: exit status, process tree,
//! threads, exec from a thread, launch errors, and attaching to and
//! detaching from a running process.

use aprof_footprint::{Abi, ExitStatus};
use aprof_record::{record, Mode, Outcome, RecordError, RecordOptions, Recording, Target};
use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const PYTHON: &str = "/usr/bin/python3";

fn launch(mode: Mode, argv: &[&str]) -> Result<Recording, RecordError> {
    let argv: Vec<OsString> = argv.iter().map(OsString::from).collect();
    let options = RecordOptions {
        mode,
        ..Default::default()
    };
    record(&Target::Launch(argv), &options)
}

fn names(rec: &Recording) -> Vec<&str> {
    rec.footprint.syscall_names(Abi::X86_64).collect()
}

#[test]
fn exit_code_passes_through() {
    for mode in [Mode::Ptrace, Mode::Seccomp] {
        let rec = launch(mode, &["sh", "-c", "exit 3"]).unwrap();
        assert_eq!(rec.outcome, Outcome::Exited(3));
        assert_eq!(rec.outcome.exit_code(), 3);
        assert_eq!(rec.footprint.exit, Some(ExitStatus::Exited(3)));
        assert!(names(&rec).contains(&"exit_group"), "{:?}", names(&rec));
    }
}

#[test]
fn signal_death_passes_through() {
    for mode in [Mode::Ptrace, Mode::Seccomp] {
        let rec = launch(mode, &["sh", "-c", "kill -9 $$"]).unwrap();
        assert_eq!(rec.outcome, Outcome::Signaled(9));
        assert_eq!(rec.outcome.exit_code(), 137);
        assert!(names(&rec).contains(&"kill"));
    }
}

#[test]
fn process_tree_is_recorded() {
    for mode in [Mode::Ptrace, Mode::Seccomp] {
        let rec = launch(mode, &["sh", "-c", "/bin/true; /bin/true; exit 0"]).unwrap();
        let fp = &rec.footprint;
        assert_eq!(fp.processes.len(), 3, "{:?}", fp.processes);
        let root = &fp.processes[0];
        assert_eq!(root.argv, ["sh", "-c", "/bin/true; /bin/true; exit 0"]);
        assert!(
            root.exe.ends_with("sh") || root.exe.contains("dash"),
            "{}",
            root.exe
        );
        for child in &fp.processes[1..] {
            assert_eq!(child.parent, Some(root.pid));
            assert!(child.exe.ends_with("/true"), "{}", child.exe);
            assert_eq!(child.exit, Some(ExitStatus::Exited(0)));
        }
        assert_eq!(
            fp.environment.recorder,
            if mode == Mode::Seccomp {
                "seccomp-trace"
            } else {
                "ptrace"
            }
        );
        assert!(!fp.environment.ended_at.is_empty());
    }
}

/// Issue 13: a child that forks and never execs (a subshell running only
/// builtins) runs its parent's program: that exe and argv, not empty ones.
/// Checked against the program itself (/proc/self/exe of the same shell).
#[test]
fn a_fork_without_exec_shows_its_parents_program() {
    let shell = std::fs::canonicalize("/bin/sh").unwrap();
    let script = "( : ; exit 4 ); exit 0";
    for mode in [Mode::Ptrace, Mode::Seccomp] {
        let rec = launch(mode, &["sh", "-c", script]).unwrap();
        let fp = &rec.footprint;
        assert_eq!(fp.processes.len(), 2, "{:?}", fp.processes);
        let (root, child) = (&fp.processes[0], &fp.processes[1]);
        assert_eq!(child.parent, Some(root.pid));
        assert_eq!(child.exit, Some(ExitStatus::Exited(4)));
        assert_eq!(child.exe, shell.display().to_string(), "{mode:?}");
        assert_eq!(child.argv, ["sh", "-c", script], "{mode:?}");
        assert_eq!((&child.exe, &child.argv), (&root.exe, &root.argv));
    }
}

#[test]
fn threads_are_followed() {
    let script = "import threading, time\n\
                  def work(): time.sleep(0.05)\n\
                  ts = [threading.Thread(target=work) for _ in range(3)]\n\
                  [t.start() for t in ts]\n\
                  [t.join() for t in ts]\n";
    for mode in [Mode::Ptrace, Mode::Seccomp] {
        let rec = launch(mode, &[PYTHON, "-c", script]).unwrap();
        assert_eq!(rec.outcome, Outcome::Exited(0));
        assert_eq!(rec.footprint.processes.len(), 1);
        assert_eq!(rec.footprint.processes[0].threads, 4);
        let names = names(&rec);
        assert!(
            names.contains(&"clone3") || names.contains(&"clone"),
            "{names:?}"
        );
        assert!(names.contains(&"futex"), "{names:?}");
    }
}

#[test]
fn exec_from_a_thread_is_followed() {
    // The exec'ing thread takes over the leader's pid; the new image's
    // syscalls must still be traced.
    let script = "import threading, os, time\n\
                  def run(): os.execv('/bin/sh', ['sh', '-c', 'exit 7'])\n\
                  threading.Thread(target=run).start()\n\
                  time.sleep(10)\n";
    for mode in [Mode::Ptrace, Mode::Seccomp] {
        let rec = launch(mode, &[PYTHON, "-c", script]).unwrap();
        assert_eq!(rec.outcome, Outcome::Exited(7));
        let root = &rec.footprint.processes[0];
        assert_eq!(root.argv, ["sh", "-c", "exit 7"]);
        assert_eq!(rec.footprint.processes.len(), 1);
        assert!(names(&rec).contains(&"exit_group"));
    }
}

#[test]
fn launch_errors_are_clear() {
    match launch(Mode::Auto, &["aprof-no-such-command-x"]) {
        Err(RecordError::CommandNotFound(c)) => assert_eq!(c, "aprof-no-such-command-x"),
        other => panic!("{other:?}"),
    }
    let dir = tempfile::tempdir().unwrap();
    let not_executable = dir.path().join("data");
    std::fs::write(&not_executable, b"#!/bin/sh\n").unwrap();
    std::fs::set_permissions(
        &not_executable,
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();
    match launch(Mode::Auto, &[not_executable.to_str().unwrap()]) {
        Err(RecordError::PermissionDenied(_)) => {}
        other => panic!("{other:?}"),
    }
    // An executable file the kernel cannot run.
    let bogus = dir.path().join("bogus");
    std::fs::write(&bogus, b"\x7fELF garbage").unwrap();
    std::fs::set_permissions(&bogus, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    for mode in [Mode::Ptrace, Mode::Seccomp] {
        match launch(mode, &[bogus.to_str().unwrap()]) {
            Err(RecordError::ExecFailed { source, .. }) => {
                assert_eq!(source.raw_os_error(), Some(libc::ENOEXEC), "{source}")
            }
            other => panic!("{other:?}"),
        }
    }
    match record(
        &Target::Attach {
            pid: 999_999_999,
            duration: None,
        },
        &RecordOptions::default(),
    ) {
        Err(RecordError::NoSuchProcess(999_999_999)) => {}
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        record(
            &Target::Attach {
                pid: 1,
                duration: None
            },
            &RecordOptions {
                mode: Mode::Seccomp,
                ..Default::default()
            }
        ),
        Err(RecordError::SeccompAttach)
    ));
}

/// A child killed when the test ends, even by a failed assertion.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `/proc/PID/status` field value.
fn status(pid: u32, field: &str) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(field).map(|v| v.trim().to_owned()))
        .unwrap()
}

#[test]
fn attach_records_and_detaches_leaving_it_running() {
    // A two-thread process printing a counter every 20 ms.
    let script = "import threading, time, sys\n\
                  def tick():\n\
                  \x20   n = 0\n\
                  \x20   while True:\n\
                  \x20       print(n, flush=True); n += 1; time.sleep(0.02)\n\
                  threading.Thread(target=tick, daemon=True).start()\n\
                  time.sleep(600)\n";
    let mut child = KillOnDrop(
        Command::new(PYTHON)
            .args(["-c", script])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let pid = child.0.id();
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    lines.next().unwrap().unwrap();

    let rec = record(
        &Target::Attach {
            pid: pid as i32,
            duration: Some(Duration::from_millis(600)),
        },
        &RecordOptions::default(),
    )
    .unwrap();
    assert_eq!(rec.outcome, Outcome::Detached);
    let fp = &rec.footprint;
    let names: Vec<&str> = fp.syscall_names(Abi::X86_64).collect();
    assert!(names.contains(&"write"), "{names:?}");
    assert_eq!(fp.processes.len(), 1);
    assert_eq!(fp.processes[0].pid, pid as i32);
    assert_eq!(fp.processes[0].threads, 2);
    assert_eq!(fp.environment.command[0], PYTHON);
    assert_eq!(fp.exit, None);

    // Detached and running: no tracer, not stopped, still printing.
    assert_eq!(status(pid, "TracerPid:"), "0");
    let before: u64 = lines.next().unwrap().unwrap().parse().unwrap();
    let after: u64 = lines.nth(3).unwrap().unwrap().parse().unwrap();
    assert!(after > before);
    assert!(
        !status(pid, "State:").starts_with('t'),
        "{}",
        status(pid, "State:")
    );
}

#[test]
fn attach_keeps_a_stopped_process_stopped() {
    let child = KillOnDrop(
        Command::new("sleep")
            .arg("600")
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pid = child.0.id();
    // SAFETY: signalling our own child.
    unsafe { libc::kill(pid as i32, libc::SIGSTOP) };
    while !status(pid, "State:").starts_with('T') {
        std::thread::sleep(Duration::from_millis(10));
    }
    let rec = record(
        &Target::Attach {
            pid: pid as i32,
            duration: Some(Duration::from_millis(300)),
        },
        &RecordOptions::default(),
    )
    .unwrap();
    assert_eq!(rec.outcome, Outcome::Detached);
    assert_eq!(status(pid, "TracerPid:"), "0");
    assert!(
        status(pid, "State:").starts_with('T'),
        "{}",
        status(pid, "State:")
    );
}

#[test]
// The tracer reaps the child: it is both its parent and its tracer.
#[allow(clippy::zombie_processes)]
fn attach_ends_with_the_process() {
    let mut child = Command::new("sh")
        .args(["-c", "read x; exit 5"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as i32;
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        use std::io::Write;
        let _ = stdin.write_all(b"go\n");
    });
    let rec = record(
        &Target::Attach {
            pid,
            duration: None,
        },
        &RecordOptions::default(),
    )
    .unwrap();
    writer.join().unwrap();
    assert_eq!(rec.outcome, Outcome::Exited(5));
    let names: Vec<&str> = rec.footprint.syscall_names(Abi::X86_64).collect();
    assert!(names.contains(&"exit_group"), "{names:?}");
}

#[test]
fn seccomp_mode_keeps_its_own_filter_out_of_the_guard_state() {
    let guards = |mode| {
        let rec = launch(mode, &["/bin/true"]).unwrap();
        rec.footprint.processes[0].guards.clone()
    };
    let ptrace = guards(Mode::Ptrace);
    assert!(ptrace.is_some(), "the decoder records guard state at exec");
    assert_eq!(guards(Mode::Seccomp), ptrace);
}

#[test]
fn job_control_stop_and_continue_work_under_tracing() {
    // The shell stops itself (group-stop, held with PTRACE_LISTEN) until
    // its child sends SIGCONT.
    let script = "(sleep 0.2; kill -CONT $$) & kill -STOP $$; wait; exit 9";
    for mode in [Mode::Ptrace, Mode::Seccomp] {
        let rec = launch(mode, &["sh", "-c", script]).unwrap();
        assert_eq!(rec.outcome, Outcome::Exited(9));
    }
}

#[test]
fn sigpipe_is_default_in_the_workload_as_in_a_native_run() {
    // The Rust runtime ignores SIGPIPE in aprof; the workload must not
    // inherit that: `yes` in `yes | head -1` dies of SIGPIPE (141) natively.
    if let Some(reason) = aprof_testkit::missing_tools(&["bash", "yes", "head"]) {
        return aprof_testkit::skip(&reason);
    }
    let script = "yes | head -1 >/dev/null; exit ${PIPESTATUS[0]}";
    let native = Command::new("bash")
        .args(["-c", script])
        .status()
        .expect("bash runs")
        .code()
        .expect("exits");
    assert_eq!(native, 128 + libc::SIGPIPE);
    for mode in [Mode::Ptrace, Mode::Seccomp] {
        let rec = launch(mode, &["bash", "-c", script]).unwrap();
        assert_eq!(rec.outcome, Outcome::Exited(native), "{mode:?}");
    }
}
