//! One module per subcommand. Each exposes `Args` (clap) and `run`, which
//! returns the process exit code or an error that `main` prints on one line
//! with exit code 2.

pub mod data;
pub mod default_output;
pub mod demo;
pub mod guard;
pub mod import;
pub mod inspect;
pub mod models;
pub mod output;
pub mod profile_arg;
pub mod record;
pub mod score;
pub mod seccomp;

/// An error and its causes on one line: `outer: inner: root`.
pub fn one_line(e: &anyhow::Error) -> String {
    let mut s = String::new();
    for (i, cause) in e.chain().enumerate() {
        let text = cause.to_string();
        if i > 0 {
            if s.contains(&text) {
                continue;
            }
            s.push_str(": ");
        }
        s.push_str(&text);
    }
    s.replace('\n', " ")
}
