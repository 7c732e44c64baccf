//! The systemd output of a real recording, checked by systemd itself:
//! the directives go into a unit file that `systemd-analyze verify` must
//! accept without a complaint about any line. systemd-analyze exits 0 even
//! when it ignores a directive it cannot parse, so the check reads its
//! messages too; a deliberately broken unit shows the check can fail.
//! Skipped with a reason where systemd-analyze is absent (Debian package
//! `systemd`). Recording needs ptrace (root here and in CI).

use aprof_guard::export::{export, ExportFormat};
use aprof_guard::generate::{generate, GenerateOptions};
use aprof_guard::Action;
use std::path::Path;
use std::process::Command;

fn systemd_analyze() -> Option<&'static str> {
    let found = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
        .into_iter()
        .find(|p| Path::new(p).is_file());
    if found.is_none() {
        aprof_testkit::skip("systemd-analyze not installed (Debian package `systemd`)");
    }
    found
}

fn recorded(argv: &[&str]) -> aprof_footprint::Footprint {
    let target = aprof_record::Target::Launch(argv.iter().map(Into::into).collect());
    let rec = aprof_record::record(&target, &aprof_record::RecordOptions::default())
        .expect("recording works (needs ptrace)");
    assert_eq!(rec.outcome.exit_code(), 0, "{argv:?} failed while recorded");
    rec.footprint
}

/// Write a oneshot unit around `directives` and verify it; the problems
/// systemd-analyze reports about the unit file, or how it failed.
fn verify(tool: &str, dir: &Path, name: &str, directives: &str) -> Result<(), String> {
    let unit = dir.join(format!("{name}.service"));
    let text = format!("[Unit]\nDescription=aprof generated filter check\n\n[Service]\nType=oneshot\nExecStart=/bin/true\n{directives}");
    std::fs::write(&unit, text).map_err(|e| e.to_string())?;
    let out = Command::new(tool)
        .args(["verify", "--man=no"])
        .arg(&unit)
        .output()
        .map_err(|e| format!("cannot run {tool}: {e}"))?;
    let messages = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let about_unit: Vec<&str> = messages
        .lines()
        .filter(|l| l.contains(&format!("{name}.service")))
        .collect();
    if !out.status.success() || !about_unit.is_empty() {
        return Err(format!("exit {:?}:\n{messages}", out.status.code()));
    }
    Ok(())
}

#[test]
fn generated_directives_are_accepted_by_systemd_analyze() {
    let Some(tool) = systemd_analyze() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let fp = recorded(&["sh", "-c", "ls / | sort | head -n 1 >/dev/null"]);
    for default_action in [
        Action::Errno(1),
        Action::Errno(13),
        Action::KillProcess,
        Action::Log,
    ] {
        for argument_rules in [true, false] {
            let opts = GenerateOptions {
                default_action,
                argument_rules,
                ..Default::default()
            };
            let (text, _) = export(&generate(&fp, &opts).policy, ExportFormat::Systemd, "sh");
            assert!(
                text.contains("SystemCallFilter=") && text.contains(" getdents64 "),
                "{text}"
            );
            let name = format!(
                "aprof-{}-{argument_rules}",
                default_action.to_string().replace(' ', "-")
            );
            verify(tool, dir.path(), &name, &text)
                .unwrap_or_else(|e| panic!("{opts:?}: systemd-analyze rejected\n{text}\n{e}"));
        }
    }
}

#[test]
fn the_systemd_check_can_fail() {
    let Some(tool) = systemd_analyze() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let fp = recorded(&["true"]);
    let (text, _) = export(
        &generate(&fp, &GenerateOptions::default()).policy,
        ExportFormat::Systemd,
        "true",
    );
    verify(tool, dir.path(), "aprof-good", &text).expect("the untouched output passes");
    for (name, broken) in [
        (
            "aprof-bad-name",
            text.replace("SystemCallFilter=", "SystemCallFilter=not_a_syscall "),
        ),
        (
            "aprof-bad-errno",
            text.replace(
                "SystemCallErrorNumber=EPERM",
                "SystemCallErrorNumber=ENOTANERRNO",
            ),
        ),
        (
            "aprof-bad-arch",
            text.replace(
                "SystemCallArchitectures=x86-64",
                "SystemCallArchitectures=z80",
            ),
        ),
    ] {
        assert_ne!(broken, text, "{name}: the edit applied");
        assert!(
            verify(tool, dir.path(), name, &broken).is_err(),
            "{name} passed:\n{broken}"
        );
    }
}
