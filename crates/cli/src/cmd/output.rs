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
