//! Output format selection shared by the subcommands.

/// How a subcommand prints its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    /// A table for the terminal.
    #[default]
    Table,
    /// Versioned JSON for machines.
    Json,
    /// Markdown for reports and pull requests.
    Markdown,
    /// A self-contained HTML page with SVG figures.
    Html,
}

/// Write `text` to standard output. A reader that stops early (`| head`)
/// is not an error, and never a panic.
pub fn write_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(anyhow::Error::new(e).context("cannot write to stdout")),
        Ok(()) => Ok(()),
    }
}
