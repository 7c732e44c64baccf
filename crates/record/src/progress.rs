//! The progress line on stderr while recording: elapsed time, processes,
//! syscalls and distinct syscalls, redrawn in place with `\r`. Shown only
//! when stderr is a terminal.

use aprof_footprint::Footprint;
use std::io::Write;
use std::time::{Duration, Instant};

/// Redraws at most every [`Progress::PERIOD`].
pub struct Progress {
    enabled: bool,
    last_draw: Option<Instant>,
    drawn: bool,
}

impl Progress {
    pub const PERIOD: Duration = Duration::from_millis(500);

    /// A progress line, drawn only when `wanted` and stderr is a terminal.
    pub fn new(wanted: bool) -> Progress {
        // SAFETY: isatty only inspects the descriptor.
        let tty = unsafe { libc::isatty(libc::STDERR_FILENO) } == 1;
        Progress {
            enabled: wanted && tty,
            last_draw: None,
            drawn: false,
        }
    }

    /// Redraw if the period has passed.
    pub fn tick(&mut self, started: Instant, fp: &Footprint) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        if self
            .last_draw
            .is_some_and(|last| now.duration_since(last) < Self::PERIOD)
        {
            return;
        }
        self.last_draw = Some(now);
        let line = format_line(now.duration_since(started), fp);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[K{line}");
        let _ = err.flush();
        self.drawn = true;
    }

    /// Erase the line, leaving the terminal as it was.
    pub fn finish(&mut self) {
        if self.drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
            self.drawn = false;
        }
    }
}

/// `aprof: 12.3s  2 processes  4567 syscalls  38 distinct`
pub fn format_line(elapsed: Duration, fp: &Footprint) -> String {
    format!(
        "aprof: {:.1}s  {} processes  {} syscalls  {} distinct",
        elapsed.as_secs_f64(),
        fp.processes.len(),
        fp.total_syscalls(),
        fp.distinct_syscalls()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use aprof_footprint::{Abi, Environment};

    #[test]
    fn line_counts_the_footprint() {
        let mut fp = Footprint::new(Environment::default());
        fp.count_syscall(Abi::X86_64, 0, None, 1);
        fp.count_syscall(Abi::X86_64, 0, None, 2);
        fp.count_syscall(Abi::X86_64, 1, None, 3);
        assert_eq!(
            format_line(Duration::from_millis(1500), &fp),
            "aprof: 1.5s  0 processes  3 syscalls  2 distinct"
        );
    }
}
