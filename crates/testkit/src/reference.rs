//! Expected values computed from an independent source: the data files
//! themselves, read with `serde_json` and plain text parsing, never with the
//! parsers under test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The repository's `data/` directory.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

/// The capabilities Docker grants a container by default, as moby lists
/// them (`oci/caps/defaults.go`), written out here so that a test does not
/// take them from the code it tests.
pub const MOBY_DEFAULT_CAPS: [&str; 14] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
];

/// The syscall names with a number in `data/syscalls/syscalls-<arch>`,
/// and those of `data/syscalls/reserved-<arch>` (numbers the kernel's
/// table reserves) where that file exists.
pub fn numbered_syscalls(arch: &str) -> BTreeSet<String> {
    let dir = data_dir().join("syscalls");
    let mut names = BTreeSet::new();
    for file in [format!("syscalls-{arch}"), format!("reserved-{arch}")] {
        let path = dir.join(&file);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(_) if file.starts_with("reserved-") => continue,
            Err(e) => panic!("{}: {e}", path.display()),
        };
        names.extend(
            text.lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| {
                    let mut cols = l.split('\t');
                    let (name, number) = (cols.next()?, cols.next()?);
                    (!number.trim().is_empty()).then(|| name.trim().to_owned())
                }),
        );
    }
    names
}

/// The x86_64 syscalls a Docker-format profile allows (with or without
/// argument conditions) for these capabilities and kernel `major.minor`,
/// by moby's rules for an amd64 host: an `SCMP_ACT_ALLOW` entry applies
/// unless its `excludes` names amd64, a held capability or a kernel at
/// least `minKernel`, and if its `includes` names only other arches, a
/// capability not held or a newer `minKernel`.
pub fn docker_allowed_x86_64(
    profile: &Path,
    caps: &[&str],
    kernel: (u32, u32),
) -> BTreeSet<String> {
    let text =
        std::fs::read_to_string(profile).unwrap_or_else(|e| panic!("{}: {e}", profile.display()));
    let json: serde_json::Value = serde_json::from_str(&text).expect("profile JSON");
    let table = numbered_syscalls("x86_64");
    let strings = |v: Option<&serde_json::Value>| -> Vec<String> {
        v.and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let version = |v: &serde_json::Value| -> Option<(u32, u32)> {
        let mut parts = v.as_str()?.split('.');
        Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
    };
    let mut allowed = BTreeSet::new();
    for entry in json["syscalls"].as_array().expect("syscalls") {
        if entry["action"] != "SCMP_ACT_ALLOW" {
            continue;
        }
        let (inc, exc) = (&entry["includes"], &entry["excludes"]);
        let excluded = strings(exc.get("arches")).iter().any(|a| a == "amd64")
            || strings(exc.get("caps"))
                .iter()
                .any(|c| caps.contains(&c.as_str()))
            || exc
                .get("minKernel")
                .and_then(version)
                .is_some_and(|m| kernel >= m);
        let inc_arches = strings(inc.get("arches"));
        let not_included = (!inc_arches.is_empty() && !inc_arches.iter().any(|a| a == "amd64"))
            || !strings(inc.get("caps"))
                .iter()
                .all(|c| caps.contains(&c.as_str()))
            || inc
                .get("minKernel")
                .and_then(version)
                .is_some_and(|m| kernel < m);
        if excluded || not_included {
            continue;
        }
        let mut names = strings(entry.get("names"));
        names.extend(entry["name"].as_str().map(str::to_owned));
        allowed.extend(names.into_iter().filter(|n| table.contains(n)));
    }
    allowed
}

/// Records of the embedded CVE data by origin (`cna`, `legacy`), counted
/// from `data/cve/kernel_cves.tsv.gz` by its `origin` column.
pub fn cve_records_by_origin() -> std::collections::BTreeMap<String, usize> {
    use std::io::Read;
    let path = data_dir().join("cve/kernel_cves.tsv.gz");
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .expect("gzip text");
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let column = header
        .iter()
        .position(|c| *c == "origin")
        .expect("origin column");
    let mut counts = std::collections::BTreeMap::new();
    for line in lines {
        if let Some(origin) = line.split('\t').nth(column) {
            *counts.entry(origin.to_owned()).or_default() += 1;
        }
    }
    counts
}
