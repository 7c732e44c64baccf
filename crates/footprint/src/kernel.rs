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
}
