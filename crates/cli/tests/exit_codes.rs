//! One exit-status convention for a workload that cannot be started, in
//! every subcommand that starts one: the shell's 127 when the command is
//! not found and 126 when it is found but cannot be executed, with one
//! `aprof: error:` line (README, "Exit codes").

use std::process::Command;

fn aprof(args: &[&str], dir: &std::path::Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_aprof"))
        .args(args)
        .current_dir(dir)
        .env("XDG_STATE_HOME", dir)
        .output()
        .expect("run aprof");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_subcommand_answers_an_unstartable_command_as_a_shell_does() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("allow.json");
    std::fs::write(&profile, r#"{"defaultAction": "SCMP_ACT_ALLOW"}"#).unwrap();
    let baseline = dir.path().join("baseline.json");
    let (code, err) = aprof(
        &[
            "record",
            "-q",
            "-o",
            baseline.to_str().unwrap(),
            "--",
            "true",
        ],
        dir.path(),
    );
    assert_eq!(code, Some(0), "{err}");
    // Found, but a directory: not executable.
    let not_executable = dir.path().join("a-directory");
    std::fs::create_dir(&not_executable).unwrap();
    let profile = profile.to_str().unwrap();
    let baseline = baseline.to_str().unwrap();
    let prefixes: [&[&str]; 7] = [
        &["record", "-q", "--"],
        &["profile", "--"],
        &["run", "--profile", profile, "--"],
        &["check", "--baseline", baseline, "--"],
        &["seccomp", "validate", "--"],
        &["seccomp", "validate", "--profile", profile, "--"],
        &["guard", "--"],
    ];
    for prefix in prefixes {
        for (command, status) in [
            ("aprof-no-such-command-13", 127),
            (not_executable.to_str().unwrap(), 126),
        ] {
            let mut args = prefix.to_vec();
            args.push(command);
            let (code, err) = aprof(&args, dir.path());
            assert_eq!(code, Some(status), "{args:?}: {err}");
            // Progress lines aside ("aprof: recording ...", "aprof: rerunning ...").
            let lines: Vec<&str> = err.lines().filter(|l| !l.ends_with(" ...")).collect();
            assert_eq!(lines.len(), 1, "{args:?}: {err}");
            assert!(lines[0].starts_with("aprof: error: "), "{args:?}: {err}");
            assert!(!err.contains("panicked"), "{err}");
        }
    }
}
