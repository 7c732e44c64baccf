//! `aprof models` and `aprof model FILE`.

#[derive(clap::Args)]
pub struct Args {}

#[derive(clap::Args)]
pub struct ModelArgs {}

pub fn run(_args: Args) -> anyhow::Result<u8> {
    anyhow::bail!("not yet")
}

pub fn run_model(_args: ModelArgs) -> anyhow::Result<u8> {
    anyhow::bail!("not yet")
}
