//! Helpers shared by the CLI test files: run the built `aprof`, read its
//! output, find a system Python.
#![allow(dead_code)] // each test file uses its own subset

use std::path::Path;
use std::process::{Command, Output, Stdio};

pub const APROF: &str = env!("CARGO_BIN_EXE_aprof");

/// Run aprof in `cwd` with no standard input.
pub fn aprof(args: &[&str], cwd: &Path) -> Output {
    Command::new(APROF)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .expect("aprof runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Debian's python3, which the tests prefer over a user's pyenv shim.
pub fn python3() -> Option<&'static str> {
    ["/usr/bin/python3", "/usr/local/bin/python3"]
        .into_iter()
        .find(|p| Path::new(p).is_file())
}
