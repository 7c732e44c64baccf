//! The guard state of a process from `/proc/PID/status`: seccomp mode and
//! filter count, NoNewPrivs, and the five capability sets. Read only.

use aprof_footprint::{Footprint, GuardState, Process};

/// Parses the guard lines of a `/proc/PID/status` text. `None` when the
/// text has no `Seccomp:` line (not a status file, or a kernel without it).
pub fn parse_status(text: &str) -> Option<GuardState> {
    let mut state = GuardState::default();
    let mut saw_seccomp = false;
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key {
            "Seccomp" => {
                state.seccomp_mode = value.parse().ok()?;
                saw_seccomp = true;
            }
            "Seccomp_filters" => state.seccomp_filters = value.parse().unwrap_or(0),
            "NoNewPrivs" => state.no_new_privs = value == "1",
            "CapInh" => state.cap_inheritable = value.to_owned(),
            "CapPrm" => state.cap_permitted = value.to_owned(),
            "CapEff" => state.cap_effective = value.to_owned(),
            "CapBnd" => state.cap_bounding = value.to_owned(),
            "CapAmb" => state.cap_ambient = value.to_owned(),
            _ => {}
        }
    }
    saw_seccomp.then_some(state)
}

/// Reads the guard state of process `pid` now.
pub fn read(pid: i32) -> Option<GuardState> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_status(&text)
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
    use proptest::prelude::*;

    const STATUS: &str = "Name:\tcat\nUmask:\t0022\nState:\tR (running)\n\
        CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n\
        CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\n\
        Seccomp:\t2\nSeccomp_filters:\t3\nSpeculation_Store_Bypass:\tthread vulnerable\n";

    #[test]
    fn parses_a_status_file() {
        let g = parse_status(STATUS).expect("guard state");
        assert_eq!(g.seccomp_mode, 2);
        assert_eq!(g.seccomp_filters, 3);
        assert!(g.no_new_privs);
        assert_eq!(g.cap_effective, "000001ffffffffff");
        assert_eq!(g.cap_inheritable, "0000000000000000");
        assert_eq!(g.cap_bounding, "000001ffffffffff");
        assert_eq!(parse_status("Name:\tx\n"), None);
    }

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

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,300}") {
            let _ = parse_status(&text);
        }
    }
}
