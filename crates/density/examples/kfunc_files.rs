//! Dump every function of a `vmlinux` with its source file from DWARF, as
//! `name<TAB>file` lines (`-` when the file is unknown): the input of
//! `data/kfunctions/derive_rules.py`.
//!
//! `cargo run --release -p aprof-density --example kfunc_files -- VMLINUX > functions.tsv`

use aprof_density::functions::FunctionMapper;
use std::io::Write;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: kfunc_files VMLINUX");
        std::process::exit(2);
    };
    let mapper = match FunctionMapper::rules_only().with_vmlinux(path.as_ref()) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let mut names: Vec<&str> = mapper.vmlinux_functions().collect();
    names.sort_unstable();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for name in names {
        let file = mapper
            .locate(name)
            .filter(|l| l.by == aprof_footprint::functions::MappedBy::Dwarf)
            .and_then(|l| l.file)
            .unwrap_or_else(|| "-".into());
        let _ = writeln!(out, "{name}\t{file}");
    }
}
