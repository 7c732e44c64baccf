//! `aprof seccomp generate` through the real binary: a recorded footprint
//! turned into each output format and option, each output read back by
//! `aprof guard` (OCI, Docker, SPO) or checked for its directives
//! (systemd), and bad options refused in one line. Records with ptrace,
//! so it needs root like the rest of aprof's tests.

mod common;
use common::*;

#[test]
fn every_format_and_option_is_written_and_reads_back() {
    let d = tempfile::tempdir().expect("tempdir");
    let o = aprof(
        &[
            "profile",
            "-o",
            "fp.json",
            "--report",
            "/dev/null",
            "--",
            "sh",
            "-c",
            "ls / | sort >/dev/null",
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));

    for (format, extra) in [
        ("oci", vec![]),
        ("docker", vec!["--base", "runc"]),
        ("spo", vec!["--default-action", "kill"]),
        (
            "oci",
            vec![
                "--base",
                "crun",
                "--default-action",
                "log",
                "--no-argument-rules",
            ],
        ),
        ("docker", vec!["--no-timing-companions"]),
    ] {
        let out = format!("profile-{format}-{}.txt", extra.len());
        let mut args = vec![
            "seccomp", "generate", "fp.json", "--format", format, "-o", &out,
        ];
        args.extend(&extra);
        let o = aprof(&args, d.path());
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o.stderr));
        // `aprof guard` reads it back and reports getdents64 allowed.
        let o = aprof(&["guard", &out, "--json"], d.path());
        assert_eq!(
            o.status.code(),
            Some(0),
            "{format} {extra:?} does not load: {}",
            text(&o.stderr)
        );
        let report = text(&o.stdout);
        assert!(
            report.contains("getdents64"),
            "{format} {extra:?}: {report}"
        );
    }

    let o = aprof(
        &["seccomp", "generate", "fp.json", "--format", "systemd"],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(0));
    let unit = text(&o.stdout);
    assert!(
        unit.contains("SystemCallFilter=") && unit.contains(" getdents64 "),
        "{unit}"
    );
    assert!(unit.contains("SystemCallErrorNumber=EPERM"), "{unit}");
    assert!(
        text(&o.stderr).contains("aprof: note: systemd:"),
        "lost argument rules are noted"
    );
}

#[test]
fn bad_options_are_one_line_errors() {
    let d = tempfile::tempdir().expect("tempdir");
    let o = aprof(
        &[
            "profile",
            "-o",
            "fp.json",
            "--report",
            "/dev/null",
            "--",
            "true",
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    for (args, says) in [
        (vec!["--format", "xml"], "unknown format 'xml'"),
        (vec!["--base", "lxc"], "unknown base 'lxc'"),
        (
            vec!["--default-action", "trap"],
            "unknown default action 'trap'",
        ),
    ] {
        let mut all = vec!["seccomp", "generate", "fp.json"];
        all.extend(&args);
        let o = aprof(&all, d.path());
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}
