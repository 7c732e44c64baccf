//! Inspecting real processes on this host: this test process itself, and
//! children started under bubblewrap, `unshare` and `setpriv`, seen from
//! outside with `inspect(Some(pid))`.

use aprof_guard::containment::{inspect, parse::IdMapRange, RuntimeKind};
use std::io::ErrorKind;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A value of a `/proc/self/status` field, read without the crate's parser.
fn own_status_field(key: &str) -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .map(|v| v.trim().to_string())
}

fn in_initial_pid_namespace() -> bool {
    std::fs::read_link("/proc/self/ns/pid")
        .map(|t| t.to_string_lossy() == "pid:[4026531836]")
        .unwrap_or(false)
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Kills the child (and waits) when dropped, so a failed assert leaks nothing.
struct Guarded(Child);

impl Drop for Guarded {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The first process named `name` among the descendants of `root` (or
/// `root` itself), waiting until it has exec'd.
fn wait_for_descendant(root: u32, name: &str) -> Option<i32> {
    for _ in 0..500 {
        let mut parent_of = Vec::new();
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
                continue;
            };
            let field = |key: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(key))
                    .map(|v| v.trim().to_string())
            };
            let comm = field("Name:").unwrap_or_default();
            let ppid = field("PPid:").and_then(|p| p.parse().ok()).unwrap_or(0);
            parent_of.push((pid, ppid, comm));
        }
        for (pid, _, comm) in &parent_of {
            if comm != name {
                continue;
            }
            let mut cursor = *pid;
            for _ in 0..64 {
                if cursor == root as i32 {
                    return Some(*pid);
                }
                match parent_of.iter().find(|(p, _, _)| *p == cursor) {
                    Some((_, ppid, _)) if *ppid > 0 => cursor = *ppid,
                    _ => break,
                }
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

#[test]
fn this_process_on_the_host() {
    let c = inspect(None).expect("inspect self");
    assert!(c.is_self);
    assert_eq!(c.pid, std::process::id() as i32);
    assert_eq!(c.schema_version, 1);

    // Seccomp, NoNewPrivs and caps agree with /proc/self/status.
    let mode: Option<u32> = own_status_field("Seccomp").and_then(|v| v.parse().ok());
    assert_eq!(c.seccomp.mode, mode);
    let filters: Option<u32> = own_status_field("Seccomp_filters").and_then(|v| v.parse().ok());
    assert_eq!(c.seccomp.filters, filters);
    assert_eq!(
        c.no_new_privs,
        own_status_field("NoNewPrivs").map(|v| v == "1")
    );
    let effective = c.capabilities.effective.as_ref().expect("CapEff");
    assert_eq!(Some(effective.hex.clone()), own_status_field("CapEff"));
    if is_root() {
        assert!(effective.names.iter().any(|n| n == "CAP_SYS_ADMIN"));
        assert!(c
            .capabilities
            .privileged_equivalent
            .iter()
            .any(|p| p.name == "CAP_SYS_ADMIN"));
    }

    // Every namespace kind is listed with its inode.
    assert_eq!(c.namespaces.len(), 10);
    for ns in &c.namespaces {
        assert!(ns.inode.is_some(), "{ns:?}");
    }

    // This host is a VM: the CPU says so.
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    if cpuinfo.split_whitespace().any(|f| f == "hypervisor") {
        assert_eq!(
            c.runtime.layers.first().map(|l| l.kind),
            Some(RuntimeKind::VirtualMachine),
            "{:?}",
            c.runtime
        );
    } else {
        aprof_testkit::skip("no hypervisor flag in /proc/cpuinfo: the VM layer is not checked");
    }

    if !in_initial_pid_namespace() {
        return aprof_testkit::skip("host-only checks need the initial pid namespace");
    }
    for ns in &c.namespaces {
        assert_eq!(ns.differs_from_host, Some(false), "{ns:?}");
    }
    assert!(c.user_namespace_mapping.identity);
    assert_eq!(c.capabilities.in_initial_user_namespace, Some(true));
    assert_eq!(c.runtime.containerized, Some(false), "{:?}", c.runtime);
    assert!(c.runtime.layers.iter().all(|l| !l.kind.is_container()));

    let table = c.to_table();
    for section in ["Runtime", "Capabilities", "Namespaces", "LSM", "Cgroup"] {
        assert!(table.contains(section), "{table}");
    }
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert!(json["namespaces"].as_array().is_some());
}

#[test]
fn missing_and_invalid_pids_are_errors() {
    let err = inspect(Some(i32::MAX)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("no process with pid"));
    let err = inspect(Some(0)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(inspect(Some(-5)).is_err());
}

#[test]
fn bubblewrap_child_seen_from_outside() {
    if !have("bwrap") {
        return aprof_testkit::skip("bwrap is not installed (apt-get install bubblewrap)");
    }
    let child = Command::new("bwrap")
        .args([
            "--unshare-all",
            "--die-with-parent",
            "--bind",
            "/",
            "/",
            "--dev",
            "/dev",
            "--proc",
            "/proc",
        ])
        .args(["sleep", "600"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn bwrap");
    let child = Guarded(child);
    let Some(pid) = wait_for_descendant(child.0.id(), "sleep") else {
        return aprof_testkit::skip("bwrap did not start its sandbox here");
    };
    let c = inspect(Some(pid)).expect("inspect the sandboxed sleep");
    for kind in ["user", "pid", "net", "ipc", "uts", "cgroup", "mnt"] {
        let ns = c.namespaces.iter().find(|n| n.kind == kind).unwrap();
        assert_eq!(ns.differs_from_host, Some(true), "{ns:?}");
    }
    assert_eq!(c.no_new_privs, Some(true));
    assert!(
        c.runtime
            .layers
            .iter()
            .any(|l| l.kind == RuntimeKind::Bubblewrap),
        "{:?}",
        c.runtime
    );
    assert_eq!(c.runtime.containerized, Some(true));
    assert_eq!(c.capabilities.in_initial_user_namespace, Some(false));
}

#[test]
fn unshare_user_namespace_mapping() {
    if !have("unshare") {
        return aprof_testkit::skip("unshare (util-linux) is not installed");
    }
    let child = Command::new("unshare")
        .args(["-U", "-r", "-p", "-f", "--mount-proc", "--kill-child"])
        .args(["sleep", "600"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn unshare");
    let child = Guarded(child);
    let Some(pid) = wait_for_descendant(child.0.id(), "sleep") else {
        return aprof_testkit::skip("unshare could not create the namespaces here");
    };
    let c = inspect(Some(pid)).expect("inspect the unshared sleep");
    // SAFETY: getuid and getgid cannot fail.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    let mapping = &c.user_namespace_mapping;
    assert_eq!(
        mapping.uid_map,
        vec![IdMapRange {
            inside: 0,
            outside: uid,
            count: 1
        }]
    );
    assert_eq!(
        mapping.gid_map,
        vec![IdMapRange {
            inside: 0,
            outside: gid,
            count: 1
        }]
    );
    assert_eq!(mapping.setgroups.as_deref(), Some("deny"));
    assert!(!mapping.identity);
    let differs = |kind: &str| {
        c.namespaces
            .iter()
            .find(|n| n.kind == kind)
            .and_then(|n| n.differs_from_host)
    };
    assert_eq!(differs("user"), Some(true));
    assert_eq!(differs("pid"), Some(true));
    assert_eq!(differs("net"), Some(false));
    assert_eq!(c.runtime.containerized, Some(true), "{:?}", c.runtime);
}

#[test]
fn setpriv_drops_every_capability() {
    if !have("setpriv") {
        return aprof_testkit::skip("setpriv (util-linux) is not installed");
    }
    if !is_root() {
        return aprof_testkit::skip("needs root to show a full set being dropped");
    }
    let child = Command::new("setpriv")
        .args(["--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"])
        .args(["sleep", "600"])
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn setpriv");
    let child = Guarded(child);
    let pid = wait_for_descendant(child.0.id(), "sleep").expect("setpriv execs sleep");
    let c = inspect(Some(pid)).expect("inspect");
    let caps = &c.capabilities;
    for (name, set) in [
        ("effective", &caps.effective),
        ("permitted", &caps.permitted),
        ("inheritable", &caps.inheritable),
        ("bounding", &caps.bounding),
        ("ambient", &caps.ambient),
    ] {
        let set = set.as_ref().unwrap_or_else(|| panic!("{name} missing"));
        assert!(set.is_empty(), "{name}: {set:?}");
        assert_eq!(set.hex, "0000000000000000");
    }
    assert!(caps.privileged_equivalent.is_empty());
    assert_eq!(c.no_new_privs, Some(true));
}
