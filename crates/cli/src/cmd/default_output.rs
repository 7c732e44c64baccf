//! Where a footprint goes when `-o` is not given. Not the working
//! directory: a recording run from inside a project would leave a file in
//! it. aprof keeps them in its state directory,
//! `$XDG_STATE_HOME/aprof/footprints/` (`~/.local/state/aprof/footprints/`
//! when XDG_STATE_HOME is unset), named after the command and the UTC time,
//! `tar-20261130T104512Z-4242.json` (the pid keeps two recordings of one
//! second apart), and says where it wrote each one.

use anyhow::{bail, Context};
use std::path::{Path, PathBuf};

/// The directory, created if missing.
pub fn footprint_dir() -> anyhow::Result<PathBuf> {
    let state = match std::env::var_os("XDG_STATE_HOME").filter(|d| Path::new(d).is_absolute()) {
        Some(dir) => PathBuf::from(dir),
        None => match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
            Some(home) => Path::new(&home).join(".local/state"),
            None => bail!("neither XDG_STATE_HOME nor HOME is set: give the output file with -o"),
        },
    };
    let dir = state.join("aprof/footprints");
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create {} (or give -o FILE)", dir.display()))?;
    Ok(dir)
}

/// A new file name in [`footprint_dir`] for a recording of `what`.
pub fn footprint_path(what: &str) -> anyhow::Result<PathBuf> {
    let stem: String = Path::new(what)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let stem = if stem.is_empty() {
        "footprint".into()
    } else {
        stem
    };
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Ok(footprint_dir()?.join(format!(
        "{stem}-{}-{}.json",
        utc_stamp(secs),
        std::process::id()
    )))
}

/// `20261130T104512Z` for seconds since the epoch (proleptic Gregorian).
fn utc_stamp(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_match_known_dates() {
        assert_eq!(utc_stamp(0), "19700101T000000Z");
        // date -u -d @951782400: 2000-02-29 00:00:00 (a leap day).
        assert_eq!(utc_stamp(951_782_400), "20000229T000000Z");
        // date -u -d @1798627512
        assert_eq!(utc_stamp(1_798_627_512), "20261230T104512Z");
    }
}
