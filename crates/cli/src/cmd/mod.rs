//! One module per subcommand. Each exposes `Args` (clap) and `run`, which
//! returns the process exit code or an error that `main` prints on one line
//! with exit code 2, or, for a workload that cannot be started, the shell's
//! 127 (not found) or 126 (not executable) ([`error_status`]).

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

/// The exit status for an error: a shell's for a command that cannot be
/// started (127 not found, 126 not executable), whichever subcommand was
/// to run it; 2 for everything else.
pub fn error_status(e: &anyhow::Error) -> u8 {
    use aprof_guard::live::LiveError;
    use aprof_guard::supervise::SuperviseError;
    use aprof_launch::LaunchError;
    use aprof_record::RecordError;
    e.chain()
        .find_map(|cause| {
            if let Some(l) = cause.downcast_ref::<LaunchError>() {
                return l.shell_status();
            }
            match cause.downcast_ref::<RecordError>() {
                Some(RecordError::CommandNotFound(_)) => return Some(127),
                Some(RecordError::PermissionDenied(_)) => return Some(126),
                _ => {}
            }
            if let Some(LiveError::Launch(l)) = cause.downcast_ref::<LiveError>() {
                return l.shell_status();
            }
            if let Some(SuperviseError::Launch(l)) = cause.downcast_ref::<SuperviseError>() {
                return l.shell_status();
            }
            None
        })
        .unwrap_or(2)
}
