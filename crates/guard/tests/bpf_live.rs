//! Reading the seccomp filters of live processes: stacked filters in order,
//! errors for missing processes and programs, and `guard_of_command`.

use aprof_footprint::Abi;
use aprof_guard::bpf::{self, Insn};
use aprof_guard::live::{self, LiveError};
use aprof_guard::{AbiPolicy, Action, Policy, Rule};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// guard_of_command waits for any child: one test at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn is_root() -> bool {
    // SAFETY: no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn deny_one(name: &str, errno: u16) -> Vec<Insn> {
    let mut syscalls = BTreeMap::new();
    syscalls.insert(
        name.to_string(),
        vec![Rule {
            action: Action::Errno(errno),
            conditions: Vec::new(),
        }],
    );
    let mut abis = BTreeMap::new();
    abis.insert(
        Abi::X86_64,
        AbiPolicy {
            default_action: Action::Allow,
            syscalls,
            number_ranges: Vec::new(),
        },
    );
    bpf::compile(&Policy {
        abis,
        other_abi_action: Action::Allow,
    })
    .expect("compiles")
}

fn filter_count(pid: i32) -> Option<u32> {
    live::seccomp_status(pid).ok()?.seccomp_filters
}

#[test]
fn reads_stacked_filters_oldest_first() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !is_root() {
        return aprof_testkit::skip("PTRACE_SECCOMP_GET_FILTER needs CAP_SYS_ADMIN");
    }
    let first = deny_one("getppid", 1001);
    let second = deny_one("getpgrp", 1002);
    // SAFETY: the child only makes syscalls.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        let ok = aprof_guard::install::install_filter(&first, 0).is_ok()
            && aprof_guard::install::install_filter(&second, 0).is_ok();
        if !ok {
            unsafe { libc::_exit(3) };
        }
        loop {
            unsafe { libc::pause() };
        }
    }
    let mut tries = 0;
    while filter_count(pid) != Some(2) && tries < 500 {
        std::thread::sleep(std::time::Duration::from_millis(10));
        tries += 1;
    }
    let guard = live::guard_of_pid(pid);
    // SAFETY: ending and reaping our own child.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
        libc::waitpid(pid, std::ptr::null_mut(), 0);
    }
    let guard = guard.expect("reads the filters");
    assert_eq!(guard.seccomp_mode, 2);
    assert!(guard.no_new_privs);
    assert_eq!(guard.filters, vec![first, second], "index 0 is the oldest");
    assert!(guard.exact, "{:?}", guard.notes);
    let x86 = &guard.policy.abis[&Abi::X86_64];
    assert_eq!(x86.default_action, Action::Allow);
    assert_eq!(x86.action("getppid", &[0; 6]), Action::Errno(1001));
    assert_eq!(x86.action("getpgrp", &[0; 6]), Action::Errno(1002));
    assert_eq!(x86.syscalls.len(), 2, "{:?}", x86.syscalls);
}

#[test]
fn a_missing_process_is_a_clear_error() {
    let err = live::guard_of_pid(0x3fff_fff0).expect_err("no such process");
    assert!(matches!(err, LiveError::NoSuchProcess(_)), "{err}");
    assert!(err.to_string().contains("no process"), "{err}");
    let err = live::guard_of_pid(-5).expect_err("bad pid");
    assert!(matches!(err, LiveError::NoSuchProcess(_)));
}

#[test]
fn a_process_without_seccomp_has_no_filters() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let me = std::process::id() as i32;
    let guard = live::guard_of_pid(me).expect("reads own status");
    assert_eq!(guard.seccomp_mode, 0);
    assert!(guard.filters.is_empty());
}

#[test]
fn command_runs_to_completion_and_reports_exit() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let guard =
        live::guard_of_command(&["sh".into(), "-c".into(), "exit 7".into()]).expect("runs sh");
    assert_eq!(guard.exit_code, Some(7));
    assert!(guard.filters.is_empty());
    let err = live::guard_of_command(&["/nonexistent/program".into()]).expect_err("fails");
    assert!(
        matches!(
            err,
            LiveError::Launch(aprof_launch::LaunchError::CommandNotFound(_))
        ),
        "{err}"
    );
    assert!(err.to_string().contains("command not found"), "{err}");
    let err = live::guard_of_command(&[]).expect_err("no command");
    assert!(matches!(err, LiveError::Spawn { .. }), "{err}");
}

#[test]
fn command_under_bwrap_reports_the_filter_bwrap_installs() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !is_root() || !std::path::Path::new("/usr/bin/bwrap").exists() {
        return aprof_testkit::skip("needs root and bubblewrap (/usr/bin/bwrap)");
    }
    let prog = deny_one("getppid", 1234);
    let bytes: Vec<u8> = prog.iter().flat_map(|i| i.to_bytes()).collect();
    let file = tempfile::tempfile().expect("temp file");
    use std::io::{Seek, Write};
    let mut file = file;
    file.write_all(&bytes).expect("write");
    file.rewind().expect("rewind");
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // bwrap reads the filter from an inherited descriptor.
    // SAFETY: clearing FD_CLOEXEC on our own descriptor.
    unsafe { libc::fcntl(fd, libc::F_SETFD, 0) };
    let argv: Vec<String> = [
        "bwrap",
        "--dev-bind",
        "/",
        "/",
        "--seccomp",
        &fd.to_string(),
        "true",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let guard = live::guard_of_command(&argv).expect("runs bwrap");
    assert_eq!(guard.exit_code, Some(0));
    assert_eq!(guard.seccomp_mode, 2);
    assert_eq!(guard.filters, vec![prog]);
    assert_eq!(
        guard.policy.abis[&Abi::X86_64].action("getppid", &[0; 6]),
        Action::Errno(1234)
    );
}

#[test]
fn a_command_runs_under_an_installed_filter() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let prog = deny_one("getppid", 1001);
    let mut cmd = std::process::Command::new("cat");
    cmd.arg("/proc/self/status");
    let out = aprof_guard::install::command_with_filter(&mut cmd, prog, 0)
        .output()
        .expect("runs cat");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("Seccomp:\t2"), "{text}");
    assert!(text.contains("NoNewPrivs:\t1"), "{text}");
    // A filter the kernel refuses is an error at spawn, not a silent run.
    let mut cmd = std::process::Command::new("true");
    let err = aprof_guard::install::command_with_filter(&mut cmd, vec![Insn::stmt(0x94, 0)], 0)
        .status()
        .expect_err("refused filter");
    assert_eq!(err.raw_os_error(), Some(libc::EINVAL), "{err}");
}

#[test]
fn an_exited_process_is_reported_as_vanished() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: the child exits at once; we reap it after the check.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        unsafe { libc::_exit(0) };
    }
    let mut tries = 0;
    while !live::seccomp_status(pid)
        .map(|s| s.is_zombie())
        .unwrap_or(true)
        && tries < 500
    {
        std::thread::sleep(std::time::Duration::from_millis(10));
        tries += 1;
    }
    let err = live::guard_of_pid(pid).expect_err("zombie");
    unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
    assert!(matches!(err, LiveError::Vanished(_)), "{err}");
}

/// The follower stops at every signal a traced process gets, glibc's
/// real-time SIGSETXID (33) included: a threaded program that changes its
/// ids broadcasts it. The shared ptrace/wait wrappers decode such a stop
/// (nix's wait types refused real-time signals).
#[test]
fn a_command_that_broadcasts_sigsetxid_is_followed_to_its_end() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let script = "import os, threading, time\n\
                  t = threading.Thread(target=time.sleep, args=(0.3,))\n\
                  t.start()\n\
                  os.setgid(os.getgid())\n\
                  t.join()\n\
                  raise SystemExit(5)\n";
    let guard = live::guard_of_command(&["python3".into(), "-c".into(), script.into()])
        .expect("follows python3");
    assert_eq!(guard.exit_code, Some(5));
}
