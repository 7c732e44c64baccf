//! `aprof models` (the built-in deployment models side by side) and
//! `aprof model FILE.toml` (a user's own stack, with every term).

use super::output::Format;
use anyhow::Context;
use aprof_score::{catalogue, profile, Profile};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Shorthand for --format json.
    #[arg(long)]
    pub json: bool,
    /// Only these models (comma-separated names).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Also compare these stack files.
    #[arg(long = "with", value_name = "FILE.toml")]
    pub with: Vec<PathBuf>,
    /// Override a default: MODEL.LAYER.FIELD=VALUE (FIELD: size_kloc, density, owner, shared; MODEL may be *).
    #[arg(long = "set", value_name = "MODEL.LAYER.FIELD=VALUE")]
    pub overrides: Vec<String>,
    /// Run the sandbox's emulator in the tenant's address space (it moves into the tenant VAP).
    #[arg(long)]
    pub sandbox_in_tenant: bool,
    /// Write to this file instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct ModelArgs {
    /// A stack file in the catalogue's TOML form (see models/*.toml).
    pub file: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Shorthand for --format json.
    #[arg(long)]
    pub json: bool,
    #[arg(long)]
    pub sandbox_in_tenant: bool,
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    let mut stacks = catalogue::built_in();
    for path in &args.with {
        stacks.push(catalogue::load(path)?);
    }
    for spec in &args.overrides {
        catalogue::apply_override(&mut stacks, spec).map_err(anyhow::Error::msg)?;
    }
    if !args.only.is_empty() {
        for name in &args.only {
            if !stacks.iter().any(|s| &s.name == name) {
                let known: Vec<_> = stacks.iter().map(|s| s.name.as_str()).collect();
                anyhow::bail!("no model '{name}' (known: {})", known.join(", "));
            }
        }
        stacks.retain(|s| args.only.contains(&s.name));
    }
    if args.sandbox_in_tenant {
        stacks
            .iter_mut()
            .for_each(|s| s.set_sandbox_in_tenant(true));
    }
    let profiles: Vec<Profile> = stacks.iter().map(profile).collect();
    let format = if args.json { Format::Json } else { args.format };
    let text = match format {
        Format::Table => aprof_report::comparison_table(&profiles),
        Format::Json => aprof_report::comparison_json(&profiles) + "\n",
        Format::Markdown => aprof_report::comparison_markdown(&profiles),
        Format::Html => aprof_report::comparison_html(&profiles),
    };
    emit(&text, args.output.as_ref())?;
    Ok(0)
}

pub fn run_model(args: ModelArgs) -> anyhow::Result<u8> {
    let mut stack = catalogue::load(&args.file)?;
    if args.sandbox_in_tenant {
        stack.set_sandbox_in_tenant(true);
    }
    let p = profile(&stack);
    let format = if args.json { Format::Json } else { args.format };
    let text = match format {
        Format::Table => aprof_report::profile_table(&p),
        Format::Json => aprof_report::comparison_json(std::slice::from_ref(&p)) + "\n",
        Format::Markdown => aprof_report::profile_markdown(&p),
        Format::Html => aprof_report::comparison_html(std::slice::from_ref(&p)),
    };
    emit(&text, None)?;
    Ok(0)
}

/// Print to stdout, or write the file atomically.
pub fn emit(text: &str, path: Option<&PathBuf>) -> anyhow::Result<()> {
    match path {
        None => {
            print!("{text}");
            Ok(())
        }
        Some(p) => aprof_footprint::io::write_atomic(p, text.trim_end().as_bytes())
            .with_context(|| format!("cannot write {}", p.display())),
    }
}
