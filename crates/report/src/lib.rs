//! Reports: terminal tables, JSON, Markdown and HTML with SVG figures.
