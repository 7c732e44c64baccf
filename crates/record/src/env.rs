//! The recording environment: kernel release, arch, times, command and the
//! hash of the kernel's configuration.

use aprof_footprint::Environment;
use sha2::{Digest, Sha256};
use std::io::Read;

/// The environment of a recording starting now.
pub fn capture(recorder: &str, command: Vec<String>) -> Environment {
    let kernel_release = aprof_footprint::kernel::running_release().unwrap_or_default();
    let arch = aprof_footprint::kernel::machine().unwrap_or_default();
    Environment {
        kernel_release,
        arch,
        aprof_version: env!("CARGO_PKG_VERSION").to_owned(),
        recorder: recorder.to_owned(),
        started_at: now_rfc3339(),
        ended_at: String::new(),
        command,
        kernel_config_sha256: kernel_config_sha256(),
    }
}

/// The current time as RFC 3339 UTC, e.g. `2026-11-28T18:42:34.123Z`.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// SHA-256 of `/proc/config.gz` (the compressed bytes as the kernel serves
/// them), when the kernel exposes it.
pub fn kernel_config_sha256() -> Option<String> {
    file_sha256(std::path::Path::new("/proc/config.gz"))
}

/// SHA-256 of a file's bytes, hex (e.g. a guest kernel's `/boot/config-*`).
pub fn file_sha256(path: &std::path::Path) -> Option<String> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).ok()?;
    let digest = Sha256::digest(&bytes);
    Some(digest.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_names_this_kernel() {
        let env = capture("ptrace", vec!["true".into()]);
        let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
        assert_eq!(env.kernel_release, release.trim());
        assert!(!env.arch.is_empty());
        assert!(env.started_at.ends_with('Z'), "{}", env.started_at);
        if std::path::Path::new("/proc/config.gz").exists() {
            assert_eq!(env.kernel_config_sha256.as_ref().map(String::len), Some(64));
        }
    }
}
