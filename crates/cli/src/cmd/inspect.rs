//! `aprof inspect`: placeholder until its issue lands (owned by its helper).

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<u8> {
    anyhow::bail!("'aprof inspect' is not available in this build yet")
}
