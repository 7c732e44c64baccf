//! Reading and writing footprint files: schema checks, and the one atomic
//! file writer every stage uses ([`replace_file`]).

use crate::{Footprint, SCHEMA_VERSION};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a footprint file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FootprintError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: not a valid footprint: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{path}: footprint schema version {found} is not supported (this aprof reads version {expected}); re-record it or use a matching aprof"
    )]
    Version {
        path: PathBuf,
        found: u64,
        expected: u32,
    },
}

/// Read and check a footprint file.
pub fn load(path: &Path) -> Result<Footprint, FootprintError> {
    let text = std::fs::read_to_string(path).map_err(|source| FootprintError::Io {
        path: path.to_owned(),
        source,
    })?;
    from_json(path, &text)
}

/// Parse footprint JSON; `path` only names the source in errors.
pub fn from_json(path: &Path, text: &str) -> Result<Footprint, FootprintError> {
    let parse_err = |e: serde_json::Error| FootprintError::Parse {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    };
    // Check the version first, so a future schema gets the version message
    // rather than a confusing field error.
    let value: serde_json::Value = serde_json::from_str(text).map_err(parse_err)?;
    match value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
    {
        Some(v) if v == SCHEMA_VERSION as u64 => {}
        Some(found) => {
            return Err(FootprintError::Version {
                path: path.to_owned(),
                found,
                expected: SCHEMA_VERSION,
            })
        }
        None => {
            return Err(FootprintError::Parse {
                path: path.to_owned(),
                line: 1,
                column: 1,
                message: "missing field `schema_version`".into(),
            })
        }
    }
    serde_json::from_str(text).map_err(parse_err)
}

/// Write `footprint` as pretty JSON to `path` atomically: a reader sees the
/// old file or the whole new one, never half of it.
pub fn save_atomic(footprint: &Footprint, path: &Path) -> Result<(), FootprintError> {
    let json = serde_json::to_vec_pretty(footprint).expect("footprint serialises");
    write_atomic(path, &json)
}

/// Write bytes and a final newline to `path` atomically (see [`replace_file`]).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FootprintError> {
    replace_file(path, |f| {
        f.write_all(bytes)?;
        f.write_all(b"\n")
    })
    .map_err(|source| FootprintError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Replace `path` with what `write` writes, atomically: a reader sees the
/// old file or the whole new one, never half of it, and a failed write
/// leaves the old file alone.
///
/// The new content goes to a temporary file with a random name, created
/// exclusively (`O_EXCL`) in the target's directory, synced, then renamed
/// over the target. A replaced file keeps its permission bits; a new one
/// gets `0666` less the umask, as `File::create` would. A device, FIFO or
/// other special file (`-o /dev/null`, `-o /dev/stdout`) is written in
/// place: renaming over it would replace the node itself.
pub fn replace_file(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let existing = std::fs::metadata(path).ok();
    if existing
        .as_ref()
        .is_some_and(|m| !m.is_file() && !m.is_dir())
    {
        let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
        return write(&mut f);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(&dir)?;
    if let Some(meta) = existing.filter(std::fs::Metadata::is_file) {
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(meta.permissions().mode()))?;
    }
    write(tmp.as_file_mut())?;
    tmp.as_file().sync_all()?;
    // On failure the temporary file is removed when `tmp` drops.
    tmp.persist(path).map(drop).map_err(|e| e.error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Abi, Environment, ObjectClass};

    fn sample() -> Footprint {
        let mut fp = Footprint::new(Environment {
            kernel_release: "6.18".into(),
            ..Default::default()
        });
        fp.count_syscall(Abi::X86_64, 257, Some(2), 1);
        fp.count_object(
            ObjectClass::Socket {
                family: "AF_INET".into(),
                socket_type: "SOCK_STREAM".into(),
                protocol: "TCP".into(),
            },
            "connect",
        );
        fp.count_argument("clone", 0, "flags", 0x3d0f00, Some("CLONE_VM|...".into()));
        fp
    }

    #[test]
    fn round_trip_through_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fp.json");
        let fp = sample();
        save_atomic(&fp, &path).unwrap();
        assert_eq!(load(&path).unwrap(), fp);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary left behind"
        );
    }

    #[test]
    fn wrong_version_is_refused_with_a_version_message() {
        let text = serde_json::to_string(&sample())
            .unwrap()
            .replace("\"schema_version\":1", "\"schema_version\":99");
        let err = from_json(Path::new("x.json"), &text)
            .unwrap_err()
            .to_string();
        assert!(err.contains("schema version 99"), "{err}");
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        let err = from_json(Path::new("x.json"), "{\n \"schema_version\": 1,\n oops\n}")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("x.json:3:"), "{err}");
    }

    #[test]
    fn unknown_field_is_refused() {
        let mut v = serde_json::to_value(sample()).unwrap();
        v["bogus"] = serde_json::json!(1);
        let err = from_json(Path::new("x.json"), &v.to_string())
            .unwrap_err()
            .to_string();
        assert!(err.contains("bogus"), "{err}");
    }

    #[test]
    fn special_files_are_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        save_atomic(&sample(), Path::new("/dev/null")).unwrap();
        let meta = std::fs::metadata("/dev/null").unwrap();
        assert!(
            meta.file_type().is_char_device(),
            "/dev/null must stay a device"
        );
    }

    #[test]
    fn replacing_keeps_the_mode_and_a_new_file_follows_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fp.json");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        save_atomic(&sample(), &path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o640);
        assert_eq!(load(&path).unwrap(), sample());
        // A new file: 0666 less the umask, read from the kernel's view of us.
        let umask = std::fs::read_to_string("/proc/self/status")
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .map(|v| u32::from_str_radix(v.trim(), 8).unwrap())
            .unwrap();
        let fresh = dir.path().join("new.json");
        save_atomic(&sample(), &fresh).unwrap();
        let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o666 & !umask);
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data");
        std::fs::write(&path, "old").unwrap();
        let err = replace_file(&path, |f| {
            f.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn write_into_missing_directory_fails_cleanly() {
        let err = save_atomic(&sample(), Path::new("/nonexistent/dir/fp.json")).unwrap_err();
        assert!(matches!(err, FootprintError::Io { .. }));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(s in ".{0,200}") {
            let _ = from_json(Path::new("f"), &s);
        }
    }
}
