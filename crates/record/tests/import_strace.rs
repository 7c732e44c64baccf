//! `strace` import against real strace output: traces made at test time by
//! the strace on this machine (`-f`, `-f -tt`, `-f -ttt`, `-f -r -T`,
//! `-f -y`, `-f -yy`, `-ff`) of `ls`, a shell pipeline, a killed shell and a
//! Python program with a thread and TCP sockets; and the static fixtures in
//! `tests/fixtures/strace/` (see its README).

use aprof_footprint::{Abi, ExitStatus, Footprint, ObjectClass};
use aprof_record::strace_import::{import_files, import_str, Import, ImportError};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/strace")
        .join(name)
}

fn python() -> &'static str {
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

/// Run `strace OPTIONS -o OUT CMD...` and return OUT.
fn trace(dir: &Path, tag: &str, options: &[&str], cmd: &[&str]) -> PathBuf {
    let out = dir.join(tag);
    let status = Command::new("strace")
        .args(options)
        .arg("-o")
        .arg(&out)
        .args(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run strace");
    // A killed workload makes strace exit with its signal; the trace is there.
    let _ = status;
    out
}

/// The syscall names in strace output, found independently of the importer:
/// the word before `(` or inside `<... NAME resumed>` after the pid and
/// timestamp columns.
fn names_in(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in text.lines() {
        if let Some(name) = call_name(line) {
            names.insert(name.to_owned());
        }
    }
    names
}

fn call_name(line: &str) -> Option<&str> {
    let mut rest = line.trim_start();
    if let Some(r) = rest.strip_prefix("[pid") {
        rest = r.split_once(']')?.1.trim_start();
    }
    loop {
        let end = rest.find(' ').unwrap_or(rest.len());
        let token = &rest[..end];
        if !token.is_empty()
            && token
                .chars()
                .all(|c| c.is_ascii_digit() || c == ':' || c == '.')
        {
            rest = rest[end..].trim_start();
        } else {
            break;
        }
    }
    // -n and -i columns: `[ 59] [00007f3a9c2d1e4b]`.
    while let Some(r) = rest.strip_prefix('[') {
        let (column, after) = r.split_once(']')?;
        if !column
            .trim()
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == '?')
        {
            return None;
        }
        rest = after.trim_start();
    }
    if let Some(r) = rest.strip_prefix("<... ") {
        return r.split(" resumed").next();
    }
    let name = &rest[..rest.find('(')?];
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(name)
}

/// Lines that start a syscall: each syscall has exactly one.
fn call_starts(text: &str) -> u64 {
    text.lines()
        .filter(|l| call_name(l).is_some() && !l.contains("<... "))
        .count() as u64
}

fn imported_names(fp: &Footprint, abi: Abi) -> BTreeSet<String> {
    fp.syscall_names(abi).map(str::to_owned).collect()
}

fn total_errors(fp: &Footprint) -> u64 {
    fp.syscalls
        .values()
        .flat_map(|m| m.values())
        .map(|s| s.errors)
        .sum()
}

/// Check an import of a single-ABI trace against the text it came from.
fn check_against_text(import: &Import, text: &str, what: &str) {
    let fp = &import.footprint;
    assert_eq!(
        imported_names(fp, Abi::X86_64),
        names_in(text),
        "{what}: syscall set"
    );
    assert_eq!(
        fp.total_syscalls(),
        call_starts(text),
        "{what}: syscall count"
    );
    let failed = text.lines().filter(|l| l.contains(" = -1 E")).count() as u64;
    assert_eq!(total_errors(fp), failed, "{what}: errors");
    assert_eq!(import.report.malformed_lines, 0, "{what}: malformed");
    assert_eq!(import.report.unpaired_resumes, 0, "{what}: unpaired");
    assert!(
        import.report.unknown_syscalls.is_empty(),
        "{what}: {:?}",
        import.report.unknown_syscalls
    );
    assert_eq!(fp.environment.recorder, "strace-import");
}

const VARIANTS: &[(&str, &[&str])] = &[
    ("plain", &["-f"]),
    ("tt", &["-f", "-tt"]),
    ("ttt", &["-f", "-ttt"]),
    ("relative", &["-f", "-r", "-T"]),
    ("y", &["-f", "-y"]),
    ("yy", &["-f", "-yy"]),
    ("columns", &["-f", "-n", "-i"]),
];

const PYTHON_PROGRAM: &str = r#"
import socket, threading
def serve(s):
    a, _ = s.accept(); a.recv(2); a.close()
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
t = threading.Thread(target=serve, args=(s,)); t.start()
c = socket.create_connection(s.getsockname()); c.sendall(b"hi")
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
t.join(); c.close()
"#;

#[test]
fn real_traces_of_ls_and_a_pipeline_import_exactly() {
    if let Some(reason) = aprof_testkit::missing_tools(&["strace"]) {
        return aprof_testkit::skip(&reason);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let programs: &[(&str, &[&str])] = &[
        ("ls", &["ls", "-la", "/"]),
        ("pipeline", &["sh", "-c", "ls / | wc -l"]),
    ];
    for (program, cmd) in programs {
        for (variant, options) in VARIANTS {
            let tag = format!("{program}-{variant}");
            let path = trace(dir.path(), &tag, options, cmd);
            let text = std::fs::read_to_string(&path).expect("read trace");
            let import = import_files(&[path]).expect("import");
            check_against_text(&import, &text, &tag);
            let fp = &import.footprint;
            let timed = options.iter().any(|o| o.starts_with("-t") || *o == "-r");
            assert_eq!(import.report.timestamps, timed, "{tag}");
            assert!(fp
                .syscalls
                .values()
                .flat_map(|m| m.values())
                .all(|s| s.first_seen_ns.is_some() == timed));
            assert_eq!(fp.exit, Some(ExitStatus::Exited(0)), "{tag}");
            assert_eq!(fp.environment.command, cmd.to_vec(), "{tag}");
            let decorated = options.iter().any(|o| o.starts_with("-y"));
            assert_eq!(import.report.decorated, decorated, "{tag}");
            // Without -y the objects come from following fd numbers.
            assert!(!fp.objects.is_empty(), "{tag}: objects");
            if *program == "pipeline" {
                assert_eq!(fp.processes.len(), 3, "{tag}: {:?}", fp.processes);
                let root = fp.processes[0].pid;
                for child in &fp.processes[1..] {
                    assert_eq!(child.parent, Some(root), "{tag}");
                    assert_eq!(child.exit, Some(ExitStatus::Exited(0)), "{tag}");
                }
                let exes: BTreeSet<&str> = fp.processes[1..]
                    .iter()
                    .filter_map(|p| p.exe.rsplit('/').next())
                    .collect();
                assert_eq!(exes, BTreeSet::from(["ls", "wc"]), "{tag}");
                let pipe = fp
                    .objects
                    .iter()
                    .find(|o| o.class == ObjectClass::Pipe)
                    .unwrap_or_else(|| panic!("{tag}: no pipe in {:?}", fp.objects));
                assert!(pipe.syscalls.contains_key("pipe2") || pipe.syscalls.contains_key("pipe"));
                // ls writes into the pipe, wc reads from it.
                assert!(pipe.syscalls.contains_key("write"), "{tag}");
                assert!(pipe.syscalls.contains_key("read"), "{tag}");
            }
            if *variant == "ttt" {
                assert!(fp.environment.started_at.starts_with("20"), "{tag}");
            }
            if *variant == "yy" && *program == "ls" {
                assert!(fp
                    .objects
                    .iter()
                    .any(|o| matches!(o.class, ObjectClass::Directory { .. })));
            }
        }
    }
}

#[test]
fn python_thread_and_tcp_sockets_yield_socket_objects() {
    if let Some(reason) = aprof_testkit::missing_tools(&["strace"]) {
        return aprof_testkit::skip(&reason);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("prog.py");
    std::fs::write(&script, PYTHON_PROGRAM).expect("write script");
    let script = script.to_str().expect("utf-8 path");
    let tcp = ObjectClass::Socket {
        family: "AF_INET".into(),
        socket_type: "SOCK_STREAM".into(),
        protocol: "TCP".into(),
    };
    let mut classes_by_variant = Vec::new();
    let variants: [(&str, &[&str]); 3] = [
        ("plain", &["-f"]),
        ("y", &["-f", "-y"]),
        ("yy", &["-f", "-yy"]),
    ];
    for (variant, options) in variants {
        let path = trace(dir.path(), variant, options, &[python(), "-S", script]);
        let text = std::fs::read_to_string(&path).expect("read");
        let import = import_files(&[path]).expect("import");
        check_against_text(&import, &text, variant);
        let fp = &import.footprint;
        let obj = fp
            .objects
            .iter()
            .find(|o| o.class == tcp)
            .unwrap_or_else(|| panic!("{variant}: no TCP socket in {:?}", fp.objects));
        for call in [
            "socket",
            "bind",
            "listen",
            "connect",
            "accept4",
            "setsockopt",
        ] {
            assert!(obj.syscalls.contains_key(call), "{variant}: {call} on TCP");
        }
        let py = fp
            .processes
            .iter()
            .find(|p| p.exe.contains("python3"))
            .expect("python process");
        assert!(py.threads >= 2, "{variant}: threads {}", py.threads);
        let opts = &fp.arguments["setsockopt/2"];
        assert_eq!(
            opts.values[&(libc::TCP_NODELAY as u64)].name.as_deref(),
            Some("SOL_TCP/TCP_NODELAY"),
            "named as the recorder names it"
        );
        assert!(fp.arguments.contains_key("clone3/0") || fp.arguments.contains_key("clone/0"));
        let classes: BTreeSet<String> = fp
            .objects
            .iter()
            .map(|o| format!("{:?}", o.class))
            .collect();
        classes_by_variant.push((variant, classes));
    }
    // Following fd numbers (plain) finds no class that -yy does not show.
    let (_, yy) = &classes_by_variant[2];
    for (variant, classes) in &classes_by_variant[..2] {
        assert!(
            classes.is_subset(yy),
            "{variant}: {classes:?} vs -yy {yy:?}"
        );
    }
}

#[test]
fn strace_ff_file_sets_are_read_as_one_trace() {
    if let Some(reason) = aprof_testkit::missing_tools(&["strace"]) {
        return aprof_testkit::skip(&reason);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let base = trace(
        dir.path(),
        "ff",
        &["-ff", "-y"],
        &["sh", "-c", "ls / | wc -l"],
    );
    let mut texts = String::new();
    let mut files = 0;
    for entry in std::fs::read_dir(dir.path()).expect("list") {
        let entry = entry.expect("entry");
        if entry.file_name().to_string_lossy().starts_with("ff.") {
            files += 1;
            texts.push_str(&std::fs::read_to_string(entry.path()).expect("read"));
        }
    }
    assert_eq!(files, 3);
    let import = import_files(&[base]).expect("import");
    assert_eq!(import.report.files.len(), 3);
    check_against_text(&import, &texts, "-ff");
    let fp = &import.footprint;
    assert_eq!(fp.processes.len(), 3);
    assert_eq!(fp.processes[0].argv, vec!["sh", "-c", "ls / | wc -l"]);
    assert!(fp.processes[1..]
        .iter()
        .all(|p| p.parent == Some(fp.processes[0].pid)));
}

#[test]
fn a_killed_workload_gets_its_signal() {
    if let Some(reason) = aprof_testkit::missing_tools(&["strace"]) {
        return aprof_testkit::skip(&reason);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = trace(dir.path(), "killed", &["-f"], &["sh", "-c", "kill -9 $$"]);
    let import = import_files(&[path]).expect("import");
    assert_eq!(import.footprint.exit, Some(ExitStatus::Signaled(9)));
}

#[test]
fn static_python_fixture() {
    let path = fixture("python-thread-socket.tt-yy.strace");
    let text = std::fs::read_to_string(&path).expect("fixture");
    let import = import_files(&[path]).expect("import");
    check_against_text(&import, &text, "fixture");
    let fp = &import.footprint;
    assert_eq!(fp.processes.len(), 1);
    assert_eq!(fp.processes[0].threads, 2);
    assert_eq!(
        fp.processes[0].argv,
        vec!["/usr/bin/python3", "-S", "small.py"]
    );
    assert_eq!(
        fp.syscalls[&Abi::X86_64]["openat"].errno.get("ENOENT"),
        Some(&1)
    );
    let unix = ObjectClass::Socket {
        family: "AF_UNIX".into(),
        socket_type: "SOCK_STREAM".into(),
        protocol: "0".into(),
    };
    let obj = fp.objects.iter().find(|o| o.class == unix).expect("unix");
    assert_eq!(obj.syscalls["socketpair"], 1);
    assert!(fp.objects.iter().any(|o| matches!(
        &o.class,
        ObjectClass::Socket { protocol, .. } if protocol == "TCP"
    )));
    // -tt: first_seen_ns counts from the first line (execve).
    assert_eq!(fp.syscalls[&Abi::X86_64]["execve"].first_seen_ns, Some(0));
    assert!(fp.environment.started_at.is_empty(), "-tt has no date");
}

#[test]
fn i386_personality_switches_the_abi() {
    let import = import_files(&[fixture("i386-personality.strace")]).expect("import");
    let fp = &import.footprint;
    let i386: Vec<&str> = fp.syscall_names(Abi::I386).collect();
    assert_eq!(
        i386,
        vec![
            "_llseek",
            "access",
            "brk",
            "clone",
            "close",
            "execve",
            "exit_group",
            "mmap2",
            "openat",
            "set_robust_list",
            "set_thread_area",
            "socket",
            "waitpid",
            "write"
        ]
    );
    let x86_64: Vec<&str> = fp.syscall_names(Abi::X86_64).collect();
    // The first execve was made by a 64-bit process, the child's by a
    // 32-bit one (it inherited its parent's mode); then the child runs 64-bit.
    assert_eq!(x86_64, vec!["arch_prctl", "execve", "exit_group"]);
    assert_eq!(fp.syscalls[&Abi::I386]["mmap2"].number, 192);
    assert_eq!(fp.syscalls[&Abi::I386]["execve"].number, 11);
    assert_eq!(fp.syscalls[&Abi::X86_64]["exit_group"].number, 231);
    assert_eq!(fp.processes.len(), 2);
    assert_eq!(fp.processes[1].exe, "/usr/bin/true");
    assert!(fp.objects.iter().any(|o| o.class
        == ObjectClass::CharDevice {
            major: 136,
            minor: 0,
            driver: "pts".into()
        }));
}

#[test]
fn odd_lines_are_counted_not_fatal() {
    let import = import_files(&[fixture("odd-lines.strace")]).expect("import");
    let (fp, report) = (&import.footprint, &import.report);
    assert_eq!(report.malformed_lines, 1);
    assert!(report
        .first_malformed
        .as_deref()
        .is_some_and(|f| f.ends_with("odd-lines.strace:4")));
    assert_eq!(report.numbered_syscalls, 1);
    assert_eq!(fp.syscalls[&Abi::X86_64]["syscall_999"].errno["ENOSYS"], 1);
    assert_eq!(report.undecoded_arguments, 1, "F_NOSUCHCMD");
    // The clone cut by "strace: Process 5002 attached" is one call.
    assert_eq!(fp.syscalls[&Abi::X86_64]["clone"].count, 1);
    let clone_flags = libc::CLONE_VM as u64 | libc::CLONE_VFORK as u64 | libc::SIGCHLD as u64;
    assert!(fp.arguments["clone/0"].values.contains_key(&clone_flags));
    assert_eq!(
        fp.syscalls[&Abi::X86_64]["poll"].errno["ERESTART_RESTARTBLOCK"],
        1
    );
    assert_eq!(fp.syscalls[&Abi::X86_64]["execve"].errors, 1);
    assert_eq!(fp.exit, Some(ExitStatus::Signaled(libc::SIGSEGV)));
    assert_eq!(fp.processes[1].exit, Some(ExitStatus::Exited(127)));
    let kvm = fp
        .objects
        .iter()
        .find(|o| matches!(&o.class, ObjectClass::CharDevice { driver, .. } if driver == "kvm"))
        .expect("kvm");
    assert_eq!(
        kvm.ioctls[&0xae03].name.as_deref(),
        Some("KVM_CHECK_EXTENSION")
    );
    let vm = fp
        .objects
        .iter()
        .find(|o| {
            o.class
                == ObjectClass::AnonInode {
                    name: "kvm-vm".into(),
                }
        })
        .expect("kvm-vm");
    assert_eq!(
        vm.ioctls[&0x4020_ae46].name.as_deref(),
        Some("KVM_SET_USER_MEMORY_REGION")
    );
    assert_eq!(fp.environment.started_at, "2026-11-28T18:45:45.622705Z");
    assert!(!report.warnings().is_empty());
}

#[test]
fn missing_and_non_strace_inputs_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nothing-here");
    assert!(matches!(
        import_files(&[missing]),
        Err(ImportError::NotFound { .. })
    ));
    let text_file = dir.path().join("notes.txt");
    std::fs::write(&text_file, "just some text\nprint(1)\n").expect("write");
    let err = import_files(&[text_file]).expect_err("not strace");
    assert!(
        matches!(err, ImportError::NotStrace { lines: 2, .. }),
        "{err}"
    );
    assert!(import_str("").is_err());
}
