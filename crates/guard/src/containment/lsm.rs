//! The Linux Security Module label of a process (AppArmor, SELinux, Smack)
//! and which LSMs the kernel runs.

use super::parse::{parse_lsm_label, LsmLabel};
use serde::Serialize;
use std::io::ErrorKind;
use std::path::Path;

/// The LSM confinement of a process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lsm {
    /// The label as the kernel gives it, or `none` when no LSM labels
    /// processes (`/proc/PID/attr/current` answers EINVAL).
    pub label: String,
    /// The label decoded, when there is one.
    pub parsed: Option<LsmLabel>,
    /// The file the label came from.
    pub source: Option<String>,
    /// `/sys/kernel/security/lsm`, in the kernel's order; `None` when
    /// securityfs is not mounted or not readable.
    pub active_lsms: Option<Vec<String>>,
    /// `/sys/module/apparmor/parameters/enabled`.
    pub apparmor_enabled: Option<bool>,
    /// `/sys/fs/selinux/enforce`.
    pub selinux_enforcing: Option<bool>,
    /// What could not be read, in words.
    pub notes: Vec<String>,
}

/// Read the LSM state of the process whose /proc directory is `dir`.
pub fn read_lsm(dir: &Path) -> Lsm {
    let mut notes = Vec::new();
    let active_lsms = match std::fs::read_to_string("/sys/kernel/security/lsm") {
        Ok(text) => Some(
            text.trim()
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>(),
        ),
        Err(e) => {
            notes.push(format!(
                "active LSMs unknown: /sys/kernel/security/lsm: {e}"
            ));
            None
        }
    };
    let apparmor_enabled = std::fs::read_to_string("/sys/module/apparmor/parameters/enabled")
        .ok()
        .map(|t| t.trim() == "Y");
    let selinux_enforcing = std::fs::read_to_string("/sys/fs/selinux/enforce")
        .ok()
        .map(|t| t.trim() == "1");
    let apparmor_major = apparmor_enabled == Some(true)
        || active_lsms
            .as_ref()
            .is_some_and(|l| l.iter().any(|name| name == "apparmor"));

    // Newer kernels give AppArmor its own file, which stays right when LSMs
    // are stacked; the generic file belongs to the first "major" LSM.
    let candidates = [
        ("attr/apparmor/current", true),
        ("attr/current", apparmor_major),
        ("attr/smack/current", false),
    ];
    let mut label = "none".to_string();
    let mut parsed = None;
    let mut source = None;
    for (file, apparmor_hint) in candidates {
        let path = dir.join(file);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                if let Some(found) = parse_lsm_label(&text, apparmor_hint) {
                    label = text.trim_end_matches(['\0', '\n']).trim().to_string();
                    parsed = Some(found);
                    source = Some(path.display().to_string());
                    break;
                }
            }
            // EINVAL: the file exists but no LSM provides this attribute.
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => notes.push(format!("{}: {e}", path.display())),
        }
    }
    if parsed.is_none() {
        notes.push("no LSM labels this process (attr/current answers EINVAL or is absent)".into());
    }
    Lsm {
        label,
        parsed,
        source,
        active_lsms,
        apparmor_enabled,
        selinux_enforcing,
        notes,
    }
}
