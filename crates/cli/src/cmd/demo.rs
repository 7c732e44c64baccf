//! `aprof demo`: the main job on a built-in default. Records a small real
//! workload that is not aprof itself: a Python network service
//! (`data/workloads/echo_service.py`: a TCP echo on 127.0.0.1 from a
//! thread, file I/O and a child process), or, where there is no python3, a
//! /bin/sh one (file I/O and children). It scores it as a container under
//! Docker's default profile and shows what a generated profile would remove.

use super::output::Format;
use super::score::{report, ScoringArgs};
use std::ffi::OsString;
use std::path::PathBuf;

/// The Python workload, embedded so that the demo runs from any directory.
const ECHO_SERVICE_PY: &str = include_str!("../../../../data/workloads/echo_service.py");

/// The fallback workload for a machine without python3.
const SHELL_WORKLOAD: &str = "d=$(mktemp -d) && echo 'attack profile' > \"$d/data.txt\" && cat \"$d/data.txt\" > /dev/null && rm -r \"$d\" && true";

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Shorthand for --format json.
    #[arg(long)]
    pub json: bool,
    /// Also save the recorded footprint here.
    #[arg(short, long)]
    pub output: Option<std::path::PathBuf>,
}

/// An executable of this name on PATH.
fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// The demo's workload directory, removed when dropped.
struct WorkDir(PathBuf);

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    let work = WorkDir(std::env::temp_dir().join(format!("aprof-demo-{}", std::process::id())));
    std::fs::create_dir_all(&work.0)?;
    // The system's Python where there is one (a version manager's shim on
    // PATH would add its own shell processes to the recording).
    let python = Some(PathBuf::from("/usr/bin/python3"))
        .filter(|p| p.is_file())
        .or_else(|| on_path("python3"));
    let (argv, what): (Vec<OsString>, &str) = match python {
        Some(python) => {
            let script = work.0.join("echo_service.py");
            std::fs::write(&script, ECHO_SERVICE_PY)?;
            (
                vec![python.into_os_string(), script.into_os_string()],
                "a Python network service: a TCP echo on 127.0.0.1 from a thread, file I/O and a child process",
            )
        }
        None => (
            vec!["/bin/sh".into(), "-c".into(), SHELL_WORKLOAD.into()],
            "a /bin/sh workload (no python3 here): file I/O and child processes",
        ),
    };
    eprintln!("aprof: recording the demo workload, {what} ...");
    let rec = aprof_record::record(
        &aprof_record::Target::Launch(argv),
        &aprof_record::RecordOptions::default(),
    )?;
    if rec.outcome.exit_code() != 0 {
        anyhow::bail!(
            "the demo workload failed (exit {})",
            rec.outcome.exit_code()
        );
    }
    if let Some(out) = &args.output {
        aprof_footprint::save_atomic(&rec.footprint, out)?;
    }
    let scoring = ScoringArgs {
        profile: Some("docker-default".into()),
        format: args.format,
        json: args.json,
        ..ScoringArgs::default()
    };
    super::output::write_stdout(&report(&rec.footprint, &scoring)?)?;
    Ok(0)
}

/// aprof's own small workload (a TCP echo, file I/O, a thread and a child),
/// kept as the hidden `demo-workload` command for tests that need a
/// workload with no interpreter; `aprof demo` no longer scores it.
pub fn workload() -> anyhow::Result<u8> {
    use std::io::{Read, Write};
    let dir = std::env::temp_dir().join(format!("aprof-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("data.txt");
    std::fs::write(&file, b"attack profile\n")?;
    let back = std::fs::read(&file)?;
    std::fs::remove_dir_all(&dir)?;

    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let server = std::thread::spawn(move || -> std::io::Result<()> {
        let (mut conn, _) = listener.accept()?;
        let mut buf = [0u8; 64];
        let n = conn.read(&mut buf)?;
        conn.write_all(&buf[..n])
    });
    let mut client = std::net::TcpStream::connect(addr)?;
    client.write_all(&back)?;
    let mut echoed = vec![0u8; back.len()];
    client.read_exact(&mut echoed)?;
    server
        .join()
        .map_err(|_| anyhow::anyhow!("server thread panicked"))??;
    anyhow::ensure!(echoed == back, "the echo differs");

    let status = std::process::Command::new("true").status()?;
    anyhow::ensure!(status.success(), "child failed");
    Ok(0)
}
