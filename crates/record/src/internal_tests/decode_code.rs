//! Mapped code and guard state through the decoder, against real processes:
//! this test binary and `sleep` children, with build-ids checked against
//! `readelf -n` when it is installed.

use crate::decode::{guards, Decoder, SyscallEvent};
use aprof_footprint::{Abi, Footprint};
use std::fs::File;
use std::os::fd::AsRawFd;
use std::process::{Child, Command};

fn me() -> i32 {
    std::process::id() as i32
}

/// The build-id `readelf -n` prints for a file; `None` when readelf is
/// missing (the caller then skips that check).
fn readelf_build_id(path: &str) -> Option<String> {
    let out = Command::new("readelf").args(["-n", path]).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let id = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Build ID:"))
        .map(|id| id.trim().to_owned());
    assert!(
        id.is_some() || !out.status.success(),
        "readelf shows no build-id for {path}"
    );
    id
}

fn exe_of(pid: i32) -> String {
    std::fs::read_link(format!("/proc/{pid}/exe"))
        .expect("exe link")
        .to_string_lossy()
        .into_owned()
}

fn sleeper() -> Child {
    Command::new("sleep")
        .arg("30")
        .spawn()
        .expect("spawn sleep")
}

/// Waits until `pid` runs `sleep` with its libraries loaded: the exe link
/// changes early in exec, before the new image is mapped.
fn wait_exec(pid: i32) -> String {
    for _ in 0..1000 {
        let exe = exe_of(pid);
        let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default();
        if exe.ends_with("/sleep") && maps.contains(&exe) && maps.contains("libc") {
            return exe;
        }
        std::thread::yield_now();
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    panic!("child {pid} never exec'd sleep");
}

#[test]
fn exec_records_guards_and_own_code() {
    let mut d = Decoder::new();
    let mut fp = Footprint::default();
    d.on_exec(&mut fp, me());
    let process = fp
        .processes
        .iter()
        .find(|p| p.pid == me())
        .expect("process entry created");
    let g = process.guards.as_ref().expect("guard state");
    let status = std::fs::read_to_string("/proc/self/status").expect("status");
    let seccomp_line = status
        .lines()
        .find(|l| l.starts_with("Seccomp:"))
        .expect("Seccomp line");
    assert_eq!(
        seccomp_line.split(':').nth(1).map(str::trim),
        Some(&*g.seccomp_mode.to_string())
    );
    assert_eq!(Some(g.clone()), guards::read(me()));

    let exe = exe_of(me());
    let own = fp
        .code
        .iter()
        .find(|c| c.path == exe)
        .expect("own binary mapped");
    assert_eq!(own.size, std::fs::metadata(&exe).expect("stat").len());
    assert!(own.exec_bytes > 0);
    match readelf_build_id(&exe) {
        Some(id) => assert_eq!(own.build_id.as_deref(), Some(id.as_str())),
        None => eprintln!("readelf missing: build-id not cross-checked"),
    }
    assert!(
        fp.code.iter().any(|c| c.path.contains("libc.so")),
        "libc is mapped: {:?}",
        fp.code.iter().map(|c| &c.path).collect::<Vec<_>>()
    );
}

#[test]
fn children_are_counted_once_each() {
    let mut first = sleeper();
    let mut second = sleeper();
    let (p1, p2) = (first.id() as i32, second.id() as i32);
    let exe = wait_exec(p1);
    wait_exec(p2);
    let mut d = Decoder::new();
    let mut fp = Footprint::default();
    d.on_new_process(p1);
    d.on_new_process(p2);
    d.on_exec(&mut fp, p1);
    d.on_process_end(&mut fp, p1);
    d.on_exec(&mut fp, p2);
    d.on_process_end(&mut fp, p2);
    for child in [&mut first, &mut second] {
        let _ = child.kill();
        let _ = child.wait();
    }
    let sleep = fp
        .code
        .iter()
        .find(|c| c.path == exe)
        .expect("sleep mapped");
    assert_eq!(sleep.processes, 2);
    assert!(sleep.size > 0 && sleep.exec_bytes > 0);
    if let Some(id) = readelf_build_id(&exe) {
        assert_eq!(sleep.build_id.as_deref(), Some(id.as_str()));
    }
    assert_eq!(fp.processes.len(), 2);
    assert!(fp.processes.iter().all(|p| p.guards.is_some()));
}

#[test]
fn exec_mmap_of_a_file_is_recorded_at_the_call() {
    let exe = exe_of(me());
    let file = File::open(&exe).expect("open own binary");
    let mut d = Decoder::new();
    let mut fp = Footprint::default();
    let ev = SyscallEvent {
        tid: me(),
        tgid: me(),
        abi: Abi::X86_64,
        number: 9,
        args: [0, 8192, 5, 2, file.as_raw_fd() as u64, 0],
        ret: None,
    };
    d.on_entry(&mut fp, &ev);
    let code = fp.code.iter().find(|c| c.path == exe).expect("mapped file");
    assert_eq!(code.exec_bytes, 8192);
    assert_eq!(code.processes, 1);
    assert_eq!(
        fp.arguments["mmap/2"].values[&5].name.as_deref(),
        Some("PROT_READ|PROT_EXEC")
    );
    assert_eq!(
        fp.arguments["mmap/3"].values[&2].name.as_deref(),
        Some("MAP_PRIVATE")
    );
    let obj = fp.objects.first().expect("the file object");
    assert_eq!(obj.syscalls["mmap"], 1);
    if let Some(id) = readelf_build_id(&exe) {
        assert_eq!(code.build_id.as_deref(), Some(id.as_str()));
    }
}

#[test]
fn execve_entry_scans_only_an_image_that_changed() {
    let mut d = Decoder::new();
    let mut fp = Footprint::default();
    let execve = SyscallEvent {
        tid: me(),
        tgid: me(),
        abi: Abi::X86_64,
        number: 59,
        args: [0; 6],
        ret: None,
    };
    // A process never scanned is a fork of an image already recorded (or
    // aprof itself before the workload's exec): nothing to record.
    d.on_entry(&mut fp, &execve);
    assert!(fp.code.is_empty());
    // New code (here an anonymous PROT_EXEC mapping) makes it worth a scan.
    let mmap = SyscallEvent {
        number: 9,
        args: [0, 4096, 5, 0x22, u64::MAX, 0],
        ..execve.clone()
    };
    d.on_entry(&mut fp, &mmap);
    d.on_entry(&mut fp, &execve);
    assert!(fp.code.iter().any(|c| c.path == exe_of(me())));
}
