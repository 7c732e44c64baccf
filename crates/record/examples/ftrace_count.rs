//! Parse kernel-function traces and print `count name` lines (like
//! `uniq -c`), then the parse report on stderr: for checking the importer
//! against shell pipelines and for the parse-only benchmark.
//!
//! `cargo run --release -p aprof-record --example ftrace_count -- [--filters] [--pids 1,2] FILE...`

use aprof_record::ftrace_import::{read_file, Filters, Tasks};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut filters = Filters::none();
    let mut files = Vec::new();
    let mut quiet = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--filters" => {
                let tasks = std::mem::take(&mut filters.tasks);
                filters = Filters::published(tasks);
                if filters.tasks == Tasks::All {
                    filters.tasks = Tasks::NotIdle;
                }
            }
            "--pids" => {
                let list = args.next().unwrap_or_default();
                filters.tasks =
                    Tasks::Pids(list.split(',').filter_map(|p| p.parse().ok()).collect());
            }
            "--quiet" => quiet = true,
            _ => files.push(PathBuf::from(a)),
        }
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for file in files {
        let start = Instant::now();
        let trace = match read_file(&file, &filters) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        };
        let took = start.elapsed();
        if !quiet {
            for (name, count) in trace.functions.iter() {
                let _ = writeln!(out, "{count:>7} {name}");
            }
        }
        let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        eprintln!(
            "{}: {:?} {} functions, {:.3} s, {:.0} MB/s\n{:#?}",
            file.display(),
            trace.format,
            trace.functions.len(),
            took.as_secs_f64(),
            bytes as f64 / 1e6 / took.as_secs_f64(),
            trace.report
        );
    }
}
