//! One vocabulary: the same program recorded by aprof (both modes) and
//! traced by `strace -f` then imported must give footprints that do not
//! drift from each other in either direction, with the same labels and
//! names for every kept argument value. The only differences allowed are
//! what strace cannot see: filesystem types (the importer says `unknown`,
//! which the comparison matches with anything), and, without `-y`, the
//! objects behind fds opened before the trace.

use aprof_footprint::diff::{drift, reached, Reached};
use aprof_footprint::{Footprint, ObjectClass};
use aprof_record::strace_import::import_files;
use aprof_record::{record, Mode, RecordOptions, Target};
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

fn workload(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/workloads")
        .join(name)
        .display()
        .to_string()
}

fn recorded(mode: Mode, argv: &[String]) -> Footprint {
    let argv: Vec<OsString> = argv.iter().map(OsString::from).collect();
    let options = RecordOptions {
        mode,
        ..Default::default()
    };
    let rec = record(&Target::Launch(argv), &options).expect("records");
    rec.footprint
}

fn imported(dir: &Path, options: &[&str], argv: &[String]) -> Footprint {
    let out: PathBuf = dir.join(format!("trace{}.strace", options.join("")));
    let status = Command::new("strace")
        .args(options)
        .arg("-o")
        .arg(&out)
        .args(argv)
        .status()
        .expect("strace runs");
    assert!(status.success(), "strace {argv:?}: {status}");
    import_files(&[out]).expect("imports").footprint
}

/// Everything reached, with labels and names, and with filesystem types
/// left out (strace cannot see them).
fn vocabulary(fp: &Footprint) -> BTreeSet<Reached> {
    let blind = |c: ObjectClass| match c {
        ObjectClass::File { .. } => ObjectClass::File {
            fstype: String::new(),
        },
        ObjectClass::Directory { .. } => ObjectClass::Directory {
            fstype: String::new(),
        },
        other => other,
    };
    reached(fp)
        .into_iter()
        .map(|r| match r {
            Reached::Object { class } => Reached::Object {
                class: blind(class),
            },
            Reached::Ioctl {
                class,
                request,
                request_name,
            } => Reached::Ioctl {
                class: blind(class),
                request,
                request_name,
            },
            other => other,
        })
        .collect()
}

fn without_objects(items: &BTreeSet<Reached>) -> BTreeSet<Reached> {
    items
        .iter()
        .filter(|r| !matches!(r, Reached::Object { .. } | Reached::Ioctl { .. }))
        .cloned()
        .collect()
}

fn same_vocabulary(argv: &[&str]) {
    if let Some(reason) = aprof_testkit::missing_tools(&["strace", argv[0]]) {
        return aprof_testkit::skip(&reason);
    }
    let argv: Vec<String> = argv.iter().map(|a| a.to_string()).collect();
    let dir = tempfile::tempdir().unwrap();
    let full = imported(dir.path(), &["-f", "-yy"], &argv);
    let plain = imported(dir.path(), &["-f"], &argv);
    for mode in [Mode::Ptrace, Mode::Seccomp] {
        let rec = recorded(mode, &argv);
        let there = drift(&full, &rec);
        let back = drift(&rec, &full);
        assert!(
            there.added.is_empty() && back.added.is_empty(),
            "{argv:?} {mode:?}: recorded beyond import {:#?}\nimported beyond record {:#?}",
            there.added,
            back.added
        );
        assert_eq!(
            vocabulary(&rec),
            vocabulary(&full),
            "{argv:?} {mode:?}: labels or names differ"
        );
        // Without -y, objects of fds from before the trace are unknown.
        assert_eq!(
            without_objects(&vocabulary(&rec)),
            without_objects(&vocabulary(&plain)),
            "{argv:?} {mode:?}, strace -f without -y"
        );
    }
}

#[test]
fn python_sockets_files_mmap_fcntl_and_a_child() {
    same_vocabulary(&["/usr/bin/python3", &workload("vocabulary.py")]);
}

#[test]
fn tar_creates_an_archive() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(src.join("a"), "hello\n").unwrap();
    std::fs::write(src.join("b"), "world\n").unwrap();
    let archive = dir.path().join("out.tar");
    same_vocabulary(&[
        "tar",
        "cf",
        &archive.display().to_string(),
        "-C",
        &dir.path().display().to_string(),
        "src",
    ]);
}

#[test]
fn a_shell_pipeline() {
    same_vocabulary(&["sh", "-c", "echo hello | wc -c >/dev/null"]);
}
