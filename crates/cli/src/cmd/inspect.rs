//! `aprof inspect`: show what contains this process (or `--pid PID`):
//! capabilities, NoNewPrivs, seccomp mode, namespaces, user-namespace
//! mapping, LSM label, cgroup and the runtimes around it. Run it inside a
//! container to see the container from the inside.

use anyhow::Context;
use std::io::Write;

#[derive(clap::Args)]
pub struct Args {
    /// Inspect this process instead of aprof itself.
    #[arg(long, value_name = "PID")]
    pub pid: Option<i32>,
    /// Print versioned JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    let containment =
        aprof_guard::containment::inspect(args.pid).with_context(|| match args.pid {
            Some(pid) => format!("cannot inspect process {pid}"),
            None => "cannot inspect this process".to_string(),
        })?;
    let text = if args.json {
        let mut json = serde_json::to_string_pretty(&containment).context("cannot encode JSON")?;
        json.push('\n');
        json
    } else {
        containment.to_table()
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        // A reader that stops early (`| head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        Err(e) => Err(e).context("cannot write to stdout"),
        Ok(()) => Ok(0),
    }
}
