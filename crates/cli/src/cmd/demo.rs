//! `aprof demo`: the main job on a built-in default. Records a small real
//! workload (aprof itself serving one TCP request, writing and reading a
//! file, and running a child), scores it as a container under Docker's
//! default profile, and shows what a generated profile would remove.

use super::output::Format;
use super::score::{report, ScoringArgs};
use std::io::{Read, Write};

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

pub fn run(args: Args) -> anyhow::Result<u8> {
    let exe = std::env::current_exe()?;
    let argv = vec![exe.into_os_string(), "demo-workload".into()];
    eprintln!("aprof: recording the built-in demo workload (a TCP echo on 127.0.0.1, file I/O, a thread and a child process) ...");
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
    print!("{}", report(&rec.footprint, &scoring)?);
    Ok(0)
}

/// The demo workload itself (run by `aprof demo` under the recorder).
pub fn workload() -> anyhow::Result<u8> {
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
