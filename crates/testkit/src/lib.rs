//! Test support shared by every crate's tests: one way to skip, and
//! expected values computed from the data files themselves ([`reference`]).
//!
//! A test that cannot run here (a tool, root or `/dev/kvm` missing) calls
//! [`skip`] with the reason. The skip is printed on stderr and appended to
//! `target/aprof-skips.log` so a run can be audited. When the environment
//! variable `APROF_NO_SKIP=1` is set (as `.ci/run` does), a skip is a test
//! failure instead: CI installs everything the tests need, so a skip there
//! means something is broken.
//!
//! ```no_run
//! # fn t() {
//! if let Some(reason) = aprof_testkit::missing_tools(&["runc"]) {
//!     return aprof_testkit::skip(&reason);
//! }
//! # }
//! ```

pub mod reference;

use std::io::Write;
use std::path::{Path, PathBuf};

/// The environment variable that turns every skip into a failure.
pub const NO_SKIP_VAR: &str = "APROF_NO_SKIP";

/// Whether skips are failures in this run.
pub fn skips_fail() -> bool {
    std::env::var(NO_SKIP_VAR).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Skip the calling test with a visible reason; panic instead when
/// `APROF_NO_SKIP` is set. Call it as `return skip("...")`.
#[track_caller]
pub fn skip(reason: &str) {
    let caller = std::panic::Location::caller();
    let test = std::thread::current()
        .name()
        .unwrap_or("<unnamed test>")
        .to_owned();
    let line = format!(
        "SKIP {test} ({}:{}): {reason}",
        caller.file(),
        caller.line()
    );
    eprintln!("{line}");
    if let Some(log) = skip_log() {
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
        {
            let _ = writeln!(f, "{line}");
        }
    }
    if skips_fail() {
        panic!("{line}\n{NO_SKIP_VAR} is set: a skipped test is a failure here");
    }
}

/// `target/aprof-skips.log` of the workspace being tested.
fn skip_log() -> Option<PathBuf> {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            // Test binaries live in target/<profile>/deps/.
            let exe = std::env::current_exe().ok()?;
            Some(exe.parent()?.parent()?.parent()?.to_path_buf())
        })?;
    dir.is_dir().then(|| dir.join("aprof-skips.log"))
}

/// Find an executable in `$PATH` (or an absolute path that exists).
pub fn which(tool: &str) -> Option<PathBuf> {
    if tool.contains('/') {
        return Path::new(tool).is_file().then(|| PathBuf::from(tool));
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
        .map(|d| d.join(tool))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// `None` when every tool is installed, else a reason naming the missing ones.
pub fn missing_tools(tools: &[&str]) -> Option<String> {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| which(t).is_none())
        .collect();
    (!missing.is_empty()).then(|| format!("not installed: {}", missing.join(", ")))
}

/// Whether this process runs as root (effective uid 0).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// `None` when running as root, else the reason to skip.
pub fn needs_root() -> Option<String> {
    (!is_root()).then(|| "needs root".to_owned())
}

/// `None` when `/dev/kvm` can be opened for reading and writing.
pub fn needs_kvm() -> Option<String> {
    match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
    {
        Ok(_) => None,
        Err(e) => Some(format!("/dev/kvm is not usable: {e}")),
    }
}

/// The first reason among several checks, for `if let Some(r) = first(...)`.
pub fn first(reasons: impl IntoIterator<Item = Option<String>>) -> Option<String> {
    reasons.into_iter().flatten().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_sh_and_not_nonsense() {
        assert!(which("sh").is_some());
        assert!(missing_tools(&["sh"]).is_none());
        let reason = missing_tools(&["sh", "no-such-tool-aprof"]).unwrap();
        assert!(reason.contains("no-such-tool-aprof") && !reason.contains("sh,"));
    }

    #[test]
    fn first_reason_wins() {
        assert_eq!(
            first([None, Some("a".into()), Some("b".into())]),
            Some("a".into())
        );
        assert_eq!(first([None, None]), None);
    }
}
