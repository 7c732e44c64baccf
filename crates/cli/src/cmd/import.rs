//! `aprof import`: turn existing `strace` output into a footprint.
//!
//! Reads `strace -f` output (any of `-t`/`-tt`/`-ttt`/`-r`, `-T`, `-y`/`-yy`),
//! or an `strace -ff -o FILE` set when FILE itself does not exist, and writes
//! the footprint atomically. Warnings about lines it could not use go to
//! stderr; a file that is missing or holds no strace syscall line is an error.

use anyhow::Context;
use aprof_record::strace_import;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// strace output file(s). For `strace -ff -o FILE`, give FILE: its
    /// FILE.PID files are read.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Where to write the footprint (`-` for stdout). Default: a new file
    /// named after the trace in $XDG_STATE_HOME/aprof/footprints/.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    let output = match &args.output {
        Some(path) => path.clone(),
        None => {
            let stem = args.files[0]
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy();
            super::default_output::footprint_path(&stem)?
        }
    };
    let import = strace_import::import_files(&args.files)?;
    for warning in import.report.warnings() {
        eprintln!("aprof: warning: {warning}");
    }
    let fp = &import.footprint;
    if output.as_os_str() == "-" {
        let json = serde_json::to_string_pretty(fp).context("serialising the footprint")?;
        println!("{json}");
    } else {
        aprof_footprint::save_atomic(fp, &output)?;
    }
    eprintln!(
        "aprof: imported {} syscalls ({} distinct) of {} process(es), {} object class(es) from {} file(s){}",
        fp.total_syscalls(),
        fp.distinct_syscalls(),
        fp.processes.len(),
        fp.objects.len(),
        import.report.files.len(),
        if output.as_os_str() == "-" {
            String::new()
        } else {
            format!(" into {}", output.display())
        }
    );
    Ok(0)
}
