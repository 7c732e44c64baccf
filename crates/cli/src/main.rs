//! `aprof`: the command line. Parses arguments and hands each subcommand to
//! its module under `cmd/`; the work itself lives in the library crates.

mod cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Measure the attack profile of a workload: how much code it reaches (VAP),
/// how much of it is shared with other tenants (HAP), who owns it, and what
/// the guards around it really block.
#[derive(Parser)]
#[command(name = "aprof", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Record and score the built-in demo workload (the default main job).
    Demo(cmd::demo::Args),
    #[command(hide = true)]
    DemoWorkload,
    /// Compare the built-in deployment models (VAP, tenant share, HAP).
    Models(cmd::models::Args),
    /// Compute the profile of a stack described in a TOML file.
    Model(cmd::models::ModelArgs),
    /// Run or attach to a workload and record its footprint.
    Record(cmd::record::Args),
    /// Turn `strace -f` output or kernel-function traces (ftrace, trace-cmd, perf script) into a footprint.
    Import(cmd::import::Args),
    /// Show what the seccomp guard of a profile or process allows.
    Guard(cmd::guard::Args),
    /// Show the containment of this process (run it inside a container).
    Inspect(cmd::inspect::Args),
    /// Kernel CVE data: show it or rebuild it.
    Data(cmd::data::Args),
    /// Generate seccomp profiles from recordings and validate them.
    Seccomp(cmd::seccomp::SeccompArgs),
    /// Run a command under a seccomp profile (OCI, Docker or SPO).
    Run(cmd::seccomp::RunArgs),
    /// Score a recorded footprint under a deployment model and guard.
    Score(cmd::score::ScoreArgs),
    /// Record a command, then score it.
    Profile(cmd::score::ProfileArgs),
    /// Fail when a workload reaches beyond a baseline footprint (CI drift gate).
    Check(cmd::seccomp::CheckArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(a) => cmd::demo::run(a),
        Command::DemoWorkload => cmd::demo::workload(),
        Command::Models(a) => cmd::models::run(a),
        Command::Model(a) => cmd::models::run_model(a),
        Command::Record(a) => cmd::record::run(a),
        Command::Import(a) => cmd::import::run(a),
        Command::Guard(a) => cmd::guard::run(a),
        Command::Inspect(a) => cmd::inspect::run(a),
        Command::Data(a) => cmd::data::run(a),
        Command::Seccomp(a) => cmd::seccomp::run(a),
        Command::Run(a) => cmd::seccomp::run_enforced(a),
        Command::Check(a) => cmd::seccomp::run_check(a),
        Command::Score(a) => cmd::score::run_score(a),
        Command::Profile(a) => cmd::score::run_profile(a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("aprof: error: {}", cmd::one_line(&e));
            ExitCode::from(cmd::error_status(&e))
        }
    }
}
