//! The guard state of a process from `/proc/PID/status` (seccomp mode and
//! filter count, NoNewPrivs, the five capability sets), read through
//! [`aprof_footprint::procfs`], and the footprint's process entries.

use aprof_footprint::procfs::ProcStatus;
use aprof_footprint::{Footprint, GuardState, Process};

/// Reads the guard state of process `pid` now.
pub fn read(pid: i32) -> Option<GuardState> {
    ProcStatus::read(pid).ok()?.guard_state()
}

/// The footprint's entry for `pid` (the latest one, as pids can be reused),
/// created when missing.
pub fn process_entry(fp: &mut Footprint, pid: i32) -> &mut Process {
    let idx = match fp.processes.iter().rposition(|p| p.pid == pid) {
        Some(i) => i,
        None => {
            fp.processes.push(Process {
                pid,
                threads: 1,
                ..Default::default()
            });
            fp.processes.len() - 1
        }
    };
    &mut fp.processes[idx]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let g = read(std::process::id() as i32).expect("own status");
        assert!(g.seccomp_mode <= 2);
        assert_eq!(g.cap_effective.len(), 16);
    }

    #[test]
    fn finds_or_creates_the_process_entry() {
        let mut fp = Footprint::default();
        process_entry(&mut fp, 7).exe = "/bin/x".into();
        process_entry(&mut fp, 7).argv = vec!["x".into()];
        assert_eq!(fp.processes.len(), 1);
        assert_eq!(fp.processes[0].exe, "/bin/x");
        process_entry(&mut fp, 8);
        assert_eq!(fp.processes.len(), 2);
    }
}
