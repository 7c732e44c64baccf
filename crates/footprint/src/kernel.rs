//! Kernel release versions, the one implementation every crate uses:
//! reading the running kernel's release, parsing `uname -r` and
//! mainline/stable/rc version strings, and ordering them the way kernel
//! releases follow each other (6.9 < 6.10, 2.6.39 < 3.0, 6.8-rc3 < 6.8 < 6.8.1).

use serde::{Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// At most four numeric components: 2.6.39.4 is the longest kernel scheme.
const MAX_PARTS: usize = 4;

/// A kernel version such as `6.13`, `6.13.7`, `2.6.39.4` or `6.8-rc3`.
///
/// Missing trailing components count as zero (`6.8` == `6.8.0`), and a
/// release candidate comes before its release (`6.8-rc3` < `6.8`).
#[derive(Debug, Clone, Copy)]
pub struct KernelVersion {
    parts: [u32; MAX_PARTS],
    /// How many components were written, for display.
    len: u8,
    rc: Option<u32>,
}

/// Why a version string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid kernel version {input:?}: {reason}")]
pub struct VersionError {
    pub input: String,
    pub reason: &'static str,
}

impl KernelVersion {
    /// A version from its numeric components (1 to 4 of them).
    pub fn new(components: &[u32], rc: Option<u32>) -> Option<KernelVersion> {
        if components.is_empty() || components.len() > MAX_PARTS {
            return None;
        }
        let mut parts = [0; MAX_PARTS];
        parts[..components.len()].copy_from_slice(components);
        Some(KernelVersion {
            parts,
            len: components.len() as u8,
            rc,
        })
    }

    /// Parse a strict version: `X.Y`, `X.Y.Z`, `X.Y.Z.W`, each optionally
    /// followed by `-rcN`. Used for the data's `fixed_in`/`introduced_in`.
    pub fn parse(input: &str) -> Result<KernelVersion, VersionError> {
        let err = |reason| VersionError {
            input: input.to_owned(),
            reason,
        };
        let (numbers, rc) = match input.split_once("-rc") {
            Some((n, rc)) => (
                n,
                Some(parse_number(rc).ok_or_else(|| err("bad -rc number"))?),
            ),
            None => (input, None),
        };
        let mut components = Vec::with_capacity(MAX_PARTS);
        for piece in numbers.split('.') {
            components.push(parse_number(piece).ok_or_else(|| err("expected dotted numbers"))?);
        }
        if components.len() < 2 {
            return Err(err("expected at least MAJOR.MINOR"));
        }
        KernelVersion::new(&components, rc).ok_or_else(|| err("more than 4 components"))
    }

    /// Parse a `uname -r` release string: the leading `X.Y[.Z[.W]]`, an
    /// optional `-rcN` right after it, and anything else ignored
    /// (`6.18.44-fc-v669` -> 6.18.44, `6.8.0-45-generic` -> 6.8.0,
    /// `6.10.0-rc3+` -> 6.10.0-rc3).
    pub fn parse_uname(release: &str) -> Result<KernelVersion, VersionError> {
        let release = release.trim();
        let numeric_end = release
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(release.len());
        let numbers = release[..numeric_end].trim_end_matches('.');
        let rest = &release[numeric_end..];
        let rc = rest.strip_prefix("-rc").and_then(|r| {
            let digits_end = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
            parse_number(&r[..digits_end])
        });
        let mut components = Vec::with_capacity(MAX_PARTS);
        for piece in numbers.split('.').take(MAX_PARTS) {
            match parse_number(piece) {
                Some(n) => components.push(n),
                None => break,
            }
        }
        if components.len() < 2 {
            return Err(VersionError {
                input: release.to_owned(),
                reason: "does not start with MAJOR.MINOR",
            });
        }
        Ok(KernelVersion::new(&components, rc).expect("1..=4 components"))
    }

    /// The major and minor numbers (`6.18.44` -> `(6, 18)`), as Docker's
    /// `minKernel` and most feature checks compare them.
    pub fn major_minor(&self) -> (u32, u32) {
        (self.parts[0], self.parts[1])
    }

    /// The running kernel's version, parsed from its release string.
    pub fn running() -> Result<KernelVersion, String> {
        let release = running_release().map_err(|e| format!("reading the kernel release: {e}"))?;
        KernelVersion::parse_uname(&release).map_err(|e| e.to_string())
    }

    /// The numeric components as written.
    pub fn components(&self) -> &[u32] {
        &self.parts[..self.len as usize]
    }

    pub fn rc(&self) -> Option<u32> {
        self.rc
    }

    /// The mainline release series this version belongs to: `6.13.7` ->
    /// `6.13`, `2.6.39.4` -> `2.6.39`, `6.8-rc3` -> `6.8` (the release the
    /// rc leads to). Before 3.0 a series had three components.
    pub fn mainline(&self) -> KernelVersion {
        let series_len = if self.parts[0] < 3 { 3 } else { 2 };
        KernelVersion::new(&self.parts[..series_len], None).expect("2 or 3 components")
    }

    /// True for a stable update (`6.13.7`, `2.6.39.4`), false for a
    /// mainline release or rc (`6.13`, `6.13.0`, `6.14-rc2`).
    pub fn is_stable_update(&self) -> bool {
        let series_len = if self.parts[0] < 3 { 3 } else { 2 };
        self.parts[series_len..].iter().any(|&p| p != 0)
    }

    fn sort_key(&self) -> ([u32; MAX_PARTS], u32) {
        (self.parts, self.rc.unwrap_or(u32::MAX))
    }
}

/// What kind of build a `uname -r` release names, which decides how far a
/// patch level computed from upstream versions can be trusted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReleaseKind {
    /// A release as kernel.org tags it (`6.18.44`, `6.10-rc3`, `6.13+`).
    Upstream,
    /// An upstream version with a local suffix (`6.18.44-fc-v857`): taken
    /// to be built from that upstream tree, which the suffix cannot prove.
    Local { suffix: String },
    /// A distribution kernel (`6.1.0-28-cloud-amd64`, `5.14.0-427.el9`):
    /// it carries the distribution's own backports, so the upstream base
    /// is only a starting point and a count of unfixed CVEs for it is an
    /// upper bound. `base_from` says where the base came from.
    Distribution {
        distribution: String,
        base_from: String,
    },
}

/// A kernel release string with its upstream base: the version the CVE
/// data can be compared against, and whether that comparison is exact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KernelRelease {
    /// The release string as given (`uname -r`).
    pub release: String,
    /// The version written at its start.
    pub version: KernelVersion,
    /// The upstream (kernel.org) version to compare against.
    pub upstream: KernelVersion,
    #[serde(flatten)]
    pub kind: ReleaseKind,
}

impl KernelRelease {
    /// Read a release string. Distribution kernels are recognised by their
    /// suffix (Debian/Ubuntu `-N-flavour`, RHEL `.elN`, Fedora `.fcN`, SUSE
    /// `-default`, Amazon `.amznN`, Arch `-archN`, `+deb`/`~` packaging).
    /// A Debian or Ubuntu ABI version (`6.1.0-28`) is not the stable level:
    /// its base is the branch (`6.1`) until [`KernelRelease::refine`] reads
    /// the real one from `/proc/version`.
    pub fn parse(release: &str) -> Result<KernelRelease, VersionError> {
        let release = release.trim();
        let version = KernelVersion::parse_uname(release)?;
        let suffix = release_suffix(release);
        let kind = classify_suffix(&suffix);
        let upstream = match &kind {
            // `6.1.0-28-amd64`: the `.0` is an ABI name, not a stable update.
            ReleaseKind::Distribution { distribution, .. }
                if distribution.starts_with("Debian") || distribution.starts_with("Ubuntu") =>
            {
                version.mainline()
            }
            _ => version,
        };
        Ok(KernelRelease {
            release: release.to_owned(),
            version,
            upstream,
            kind,
        })
    }

    /// Use what the running kernel says about itself: Debian writes the
    /// package version in `/proc/version` (`Debian 6.1.119-1`) and Ubuntu
    /// the upstream version in `/proc/version_signature`
    /// (`Ubuntu 6.8.0-45.45-generic 6.8.12`).
    pub fn refine(&mut self, proc_version: Option<&str>, version_signature: Option<&str>) {
        let ReleaseKind::Distribution {
            distribution,
            base_from,
        } = &mut self.kind
        else {
            return;
        };
        let branch = self.version.mainline();
        let same_branch = |v: &KernelVersion| v.mainline() == branch;
        if distribution.starts_with("Ubuntu") {
            let upstream = version_signature
                .and_then(|s| s.split_whitespace().nth(2))
                .and_then(|v| KernelVersion::parse(v).ok())
                .filter(same_branch);
            if let Some(v) = upstream {
                self.upstream = v;
                *base_from = "/proc/version_signature".into();
            }
        } else if distribution.starts_with("Debian") {
            // The compiler's version is also written "(Debian 12.2.0-14)":
            // take the first "Debian X.Y.Z" of the kernel's own branch.
            let upstream = proc_version.and_then(|text| {
                text.split("Debian ").skip(1).find_map(|rest| {
                    let v = rest.split(['-', ' ', ')']).next()?;
                    KernelVersion::parse(v).ok().filter(same_branch)
                })
            });
            if let Some(v) = upstream {
                self.upstream = v;
                *base_from = "/proc/version".into();
            }
        }
    }

    /// The running kernel, refined with `/proc/version` and
    /// `/proc/version_signature` where they exist.
    pub fn running() -> Result<KernelRelease, String> {
        let release = running_release().map_err(|e| format!("reading the kernel release: {e}"))?;
        let mut parsed = KernelRelease::parse(&release).map_err(|e| e.to_string())?;
        let read = |p: &str| std::fs::read_to_string(p).ok();
        parsed.refine(
            read("/proc/version").as_deref(),
            read("/proc/version_signature").as_deref(),
        );
        Ok(parsed)
    }

    /// True when the upstream base is the whole story (an upstream or
    /// locally built kernel): a count of unfixed CVEs is then exact for the
    /// data. False for a distribution kernel, where it is an upper bound.
    pub fn is_exact(&self) -> bool {
        !matches!(self.kind, ReleaseKind::Distribution { .. })
    }

    /// One line saying what the upstream base is and how far it holds.
    pub fn describe(&self) -> String {
        match &self.kind {
            ReleaseKind::Upstream => format!("{} (upstream)", self.upstream),
            ReleaseKind::Local { suffix } => format!(
                "{} (upstream version with the local suffix {suffix:?}; taken to be that upstream tree)",
                self.upstream
            ),
            ReleaseKind::Distribution {
                distribution,
                base_from,
            } => format!(
                "{distribution} kernel {}: upstream base {} ({base_from}); its own backports are not in the data, so counts are upper bounds",
                self.release, self.upstream
            ),
        }
    }
}

/// What follows the leading version (and `-rcN`) of a release string.
fn release_suffix(release: &str) -> String {
    let numeric_end = release
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(release.len());
    let mut rest = &release[numeric_end..];
    if let Some(r) = rest.strip_prefix("-rc") {
        let digits = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
        rest = &r[digits..];
    }
    rest.to_owned()
}

fn classify_suffix(suffix: &str) -> ReleaseKind {
    let s = suffix.trim_end_matches('+');
    if s.is_empty() {
        return ReleaseKind::Upstream;
    }
    let lower = s.to_ascii_lowercase();
    let distribution = |name: &str, base_from: &str| ReleaseKind::Distribution {
        distribution: name.to_owned(),
        base_from: base_from.to_owned(),
    };
    let has_token = |prefix: &str| {
        lower.split(['.', '-', '_', '~', '+']).any(|t| {
            t.len() > prefix.len()
                && t.starts_with(prefix)
                && t[prefix.len()..].chars().all(|c| c.is_ascii_digit())
        })
    };
    if has_token("el") {
        return distribution("Red Hat family", "the release string");
    }
    if has_token("fc") {
        return distribution("Fedora", "the release string");
    }
    if has_token("amzn") {
        return distribution("Amazon Linux", "the release string");
    }
    if has_token("arch") {
        return distribution("Arch Linux", "the release string");
    }
    if lower.contains("deb") || lower.contains('~') {
        return distribution("Debian", "the release string");
    }
    if lower.ends_with("-default") {
        return distribution("SUSE", "the release string");
    }
    // Debian and Ubuntu: `-ABI` or `-ABI-flavour` after X.Y.0.
    let mut parts = s.trim_start_matches('-').splitn(2, '-');
    let abi = parts.next().unwrap_or("");
    let flavour = parts.next().unwrap_or("");
    if !abi.is_empty() && abi.chars().all(|c| c.is_ascii_digit()) {
        let ubuntu = [
            "generic",
            "lowlatency",
            "aws",
            "azure",
            "gcp",
            "gke",
            "oracle",
            "kvm",
            "ibm",
            "raspi",
        ]
        .iter()
        .any(|f| flavour.starts_with(f));
        return if ubuntu {
            distribution("Ubuntu", "the release string (ABI version only)")
        } else {
            distribution("Debian", "the release string (ABI version only)")
        };
    }
    ReleaseKind::Local {
        suffix: suffix.to_owned(),
    }
}

/// The running kernel's release string (`uname -r`), e.g. `6.18.44-fc-v857`.
pub fn running_release() -> std::io::Result<String> {
    match std::fs::read_to_string("/proc/sys/kernel/osrelease") {
        Ok(s) => Ok(s.trim().to_owned()),
        Err(_) => uname_field(|u| &u.release),
    }
}

/// The machine name (`uname -m`), e.g. `x86_64`.
pub fn machine() -> std::io::Result<String> {
    uname_field(|u| &u.machine)
}

fn uname_field(field: impl Fn(&libc::utsname) -> &[libc::c_char; 65]) -> std::io::Result<String> {
    // SAFETY: utsname is plain old data; uname fills it or fails.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: `u` is a valid, writable utsname.
    if unsafe { libc::uname(&mut u) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let bytes: Vec<u8> = field(&u)
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn parse_number(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl PartialEq for KernelVersion {
    fn eq(&self, other: &Self) -> bool {
        self.sort_key() == other.sort_key()
    }
}

impl Eq for KernelVersion {}

impl PartialOrd for KernelVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for KernelVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl std::hash::Hash for KernelVersion {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.sort_key().hash(state);
    }
}

impl fmt::Display for KernelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, part) in self.components().iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{part}")?;
        }
        if let Some(rc) = self.rc {
            write!(f, "-rc{rc}")?;
        }
        Ok(())
    }
}

impl FromStr for KernelVersion {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        KernelVersion::parse(s)
    }
}

impl Serialize for KernelVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> KernelVersion {
        KernelVersion::parse(s).unwrap()
    }

    #[test]
    fn orders_like_kernel_releases() {
        assert!(v("6.9") < v("6.10"));
        assert!(v("2.6.39") < v("3.0"));
        assert!(v("2.6.39.4") < v("3.0"));
        assert!(v("6.8-rc3") < v("6.8"));
        assert!(v("6.8-rc3") < v("6.8-rc10"));
        assert!(v("6.7.12") < v("6.8-rc1"));
        assert!(v("6.8") < v("6.8.1"));
        assert_eq!(v("6.8"), v("6.8.0"));
        assert!(v("6.13.7") < v("6.14"));
    }

    #[test]
    fn parses_uname_releases() {
        let u = |s| KernelVersion::parse_uname(s).unwrap().to_string();
        assert_eq!(u("6.18.44-fc-v669"), "6.18.44");
        assert_eq!(u("6.13"), "6.13");
        assert_eq!(u("6.8.0-45-generic"), "6.8.0");
        assert_eq!(u("6.10.0-rc3+"), "6.10.0-rc3");
        assert_eq!(u("5.14.0-427.13.1.el9_4.x86_64"), "5.14.0");
        assert_eq!(u("2.6.32.27-0.2-default"), "2.6.32.27");
        assert!(KernelVersion::parse_uname("linux").is_err());
        assert!(KernelVersion::parse_uname("6").is_err());
        assert!(KernelVersion::parse_uname("").is_err());
    }

    #[test]
    fn strict_parse_refuses_junk() {
        for bad in [
            "",
            "6",
            "6.",
            "6.x",
            "6.8-rc",
            "6.8-rcx",
            "1.2.3.4.5",
            "6.8-generic",
        ] {
            assert!(KernelVersion::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn mainline_series() {
        assert_eq!(v("6.13.7").mainline().to_string(), "6.13");
        assert_eq!(v("2.6.39.4").mainline().to_string(), "2.6.39");
        assert_eq!(v("6.8-rc3").mainline().to_string(), "6.8");
        assert!(v("6.13.7").is_stable_update());
        assert!(!v("6.13.0").is_stable_update());
        assert!(!v("2.6.39").is_stable_update());
    }

    #[test]
    fn releases_name_their_upstream_base_and_kind() {
        let r = |s| KernelRelease::parse(s).unwrap();
        let up = r("6.18.44");
        assert_eq!(
            (up.upstream.to_string(), up.is_exact()),
            ("6.18.44".into(), true)
        );
        assert_eq!(r("6.10-rc3+").kind, ReleaseKind::Upstream);
        let local = r("6.18.44-fc-v857");
        assert_eq!(local.upstream.to_string(), "6.18.44");
        assert!(local.is_exact());
        assert!(matches!(local.kind, ReleaseKind::Local { .. }));
        // Debian's ABI name 6.1.0-28 is not stable update 6.1.0: the base is the branch.
        let debian = r("6.1.0-28-cloud-amd64");
        assert_eq!(debian.upstream.to_string(), "6.1");
        assert!(!debian.is_exact());
        assert!(
            matches!(&debian.kind, ReleaseKind::Distribution { distribution, .. } if distribution == "Debian")
        );
        let rhel = r("5.14.0-427.13.1.el9_4.x86_64");
        assert_eq!(rhel.upstream.to_string(), "5.14.0");
        assert!(
            matches!(&rhel.kind, ReleaseKind::Distribution { distribution, .. } if distribution == "Red Hat family")
        );
        assert!(!r("6.13.7-200.fc41.x86_64").is_exact());
        assert!(!r("5.14.21-150500.55.39-default").is_exact());
        assert!(!r("6.1.102-111.182.amzn2023.x86_64").is_exact());
        assert!(
            matches!(&r("6.8.0-45-generic").kind, ReleaseKind::Distribution { distribution, .. } if distribution == "Ubuntu")
        );
    }

    #[test]
    fn proc_version_gives_the_distributions_stable_base() {
        let mut debian = KernelRelease::parse("6.1.0-28-cloud-amd64").unwrap();
        debian.refine(
            Some("Linux version 6.1.0-28-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)"),
            None,
        );
        assert_eq!(debian.upstream.to_string(), "6.1.119");
        assert!(!debian.is_exact(), "still a distribution kernel");
        let mut ubuntu = KernelRelease::parse("6.8.0-45-generic").unwrap();
        ubuntu.refine(None, Some("Ubuntu 6.8.0-45.45-generic 6.8.12"));
        assert_eq!(ubuntu.upstream.to_string(), "6.8.12");
        // A signature from another branch is ignored.
        let mut odd = KernelRelease::parse("6.8.0-45-generic").unwrap();
        odd.refine(None, Some("Ubuntu 6.8.0-45.45-generic 5.4.1"));
        assert_eq!(odd.upstream.to_string(), "6.8");
    }
}
