//! Test support: build an OCI bundle in a temporary directory and run it with
//! runc or crun, for tests that check seccomp profiles against real runtimes.
//!
//! The rootfs holds a static busybox (from Debian's `busybox-static`, with its
//! applets symlinked into `/bin`) and `/bin/aprof-probe`, a hand-made static ELF
//! whose only syscalls are `write(1, "ok\n", 3)` and `exit_group(0)`
//! ([`PROBE_SYSCALLS`]). `config.json` comes from `runc spec` (or `crun spec`),
//! with `process.terminal = false` and the test's `linux.seccomp` section.
//!
//! Include it from a test crate with
//! `#[path = "support/oci_bundle.rs"] mod oci_bundle;`.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Path of the probe workload inside the rootfs.
pub const PROBE_PATH: &str = "/bin/aprof-probe";
/// Every syscall the probe makes (besides the runtime's execve of it).
pub const PROBE_SYSCALLS: &[&str] = &["write", "exit_group"];
/// What the probe prints.
pub const PROBE_OUTPUT: &str = "ok\n";
/// Where Debian's busybox-static puts its binary.
pub const HOST_BUSYBOX: &str = "/bin/busybox";
/// Applets linked into the rootfs's /bin.
const BUSYBOX_APPLETS: &[&str] = &[
    "sh", "true", "false", "echo", "cat", "ls", "sleep", "env", "id", "wc",
];

/// x86_64 machine code of the probe: write(1, msg, 3); exit_group(0); msg: "ok\n".
const PROBE_CODE: &[u8] = &[
    0xb8, 0x01, 0x00, 0x00, 0x00, // mov eax, 1 (write)
    0xbf, 0x01, 0x00, 0x00, 0x00, // mov edi, 1
    0x48, 0x8d, 0x35, 0x10, 0x00, 0x00, 0x00, // lea rsi, [rip + 16] (msg)
    0xba, 0x03, 0x00, 0x00, 0x00, // mov edx, 3
    0x0f, 0x05, // syscall
    0xb8, 0xe7, 0x00, 0x00, 0x00, // mov eax, 231 (exit_group)
    0x31, 0xff, // xor edi, edi
    0x0f, 0x05, // syscall
    b'o', b'k', b'\n',
];

/// An OCI runtime the helper can drive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runtime {
    Runc,
    Crun,
}

impl Runtime {
    pub fn binary(self) -> &'static str {
        match self {
            Runtime::Runc => "runc",
            Runtime::Crun => "crun",
        }
    }

    /// Why containers cannot be run with this runtime here, or None if they can.
    pub fn skip_reason(self) -> Option<String> {
        if unsafe { libc::geteuid() } != 0 {
            return Some(format!("{}: not root", self.binary()));
        }
        if find_in_path(self.binary()).is_none() {
            return Some(format!(
                "{} is not installed (apt-get install -y {})",
                self.binary(),
                self.binary()
            ));
        }
        match std::fs::read(HOST_BUSYBOX) {
            Err(_) => Some(format!(
                "{HOST_BUSYBOX} missing (apt-get install -y busybox-static)"
            )),
            Ok(elf) if !is_static_elf(&elf) => Some(format!(
                "{HOST_BUSYBOX} is dynamically linked (install busybox-static)"
            )),
            Ok(_) => None,
        }
    }
}

/// What the test wants in config.json.
#[derive(Clone, Debug)]
pub struct BundleSpec {
    pub args: Vec<String>,
    /// The `linux.seccomp` object; None leaves the section out.
    pub seccomp: Option<Value>,
    pub no_new_privileges: bool,
    pub uid: u32,
    pub gid: u32,
}

impl BundleSpec {
    /// The probe as root with noNewPrivileges, under `seccomp`.
    pub fn probe(seccomp: Option<Value>) -> BundleSpec {
        BundleSpec {
            args: vec![PROBE_PATH.to_string()],
            seccomp,
            no_new_privileges: true,
            uid: 0,
            gid: 0,
        }
    }
}

/// How a container run ended.
#[derive(Debug)]
pub struct RunOutcome {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl RunOutcome {
    pub fn success(&self) -> bool {
        self.status.success()
    }
}

/// A bundle directory (removed on drop).
pub struct OciBundle {
    dir: tempfile::TempDir,
}

impl OciBundle {
    pub fn create(spec: &BundleSpec) -> Result<OciBundle, String> {
        let dir = tempfile::Builder::new()
            .prefix("aprof-bundle")
            .tempdir()
            .map_err(|e| format!("tempdir: {e}"))?;
        let bin = dir.path().join("rootfs/bin");
        std::fs::create_dir_all(&bin).map_err(|e| format!("{}: {e}", bin.display()))?;
        std::fs::copy(HOST_BUSYBOX, bin.join("busybox"))
            .map_err(|e| format!("copy {HOST_BUSYBOX}: {e}"))?;
        for applet in BUSYBOX_APPLETS {
            std::os::unix::fs::symlink("busybox", bin.join(applet))
                .map_err(|e| format!("symlink {applet}: {e}"))?;
        }
        write_executable(
            &dir.path().join("rootfs").join(&PROBE_PATH[1..]),
            &probe_elf(),
        )?;

        let speccer = if find_in_path("runc").is_some() {
            "runc"
        } else {
            "crun"
        };
        let out = Command::new(speccer)
            .arg("spec")
            .current_dir(dir.path())
            .output()
            .map_err(|e| format!("{speccer} spec: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "{speccer} spec failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let bundle = OciBundle { dir };
        let mut config = bundle.config()?;
        apply_spec(&mut config, spec)?;
        bundle.set_config(&config)?;
        Ok(bundle)
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn rootfs(&self) -> PathBuf {
        self.dir.path().join("rootfs")
    }

    pub fn config(&self) -> Result<Value, String> {
        let path = self.dir.path().join("config.json");
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn set_config(&self, config: &Value) -> Result<(), String> {
        let path = self.dir.path().join("config.json");
        let text = serde_json::to_string_pretty(config).map_err(|e| e.to_string())?;
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// `RUNTIME run --bundle DIR ID` in the foreground, stdin closed.
    pub fn run(&self, runtime: Runtime) -> Result<RunOutcome, String> {
        static NEXT_ID: AtomicUsize = AtomicUsize::new(0);
        let id = format!(
            "aprof-test-{}-{}",
            std::process::id(),
            NEXT_ID.fetch_add(1, Ordering::Relaxed)
        );
        let bundle = self.dir.path().to_str().ok_or("bundle path is not UTF-8")?;
        let mut command = match runtime {
            Runtime::Runc => {
                let mut c = Command::new("runc");
                c.args(["run", "--bundle", bundle, &id]);
                c
            }
            // crun refuses hybrid cgroups when cgroup2 has controllers (here:
            // hugetlb). Hide cgroup2 in a private mount namespace so crun sees
            // pure v1; the host's mounts stay as they are.
            Runtime::Crun if hybrid_cgroup2_has_controllers() => {
                let mut c = Command::new("unshare");
                c.args([
                    "-m",
                    "--propagation",
                    "private",
                    "sh",
                    "-c",
                    "umount /sys/fs/cgroup/unified && exec crun run --bundle \"$0\" \"$1\"",
                    bundle,
                    &id,
                ]);
                c
            }
            Runtime::Crun => {
                let mut c = Command::new("crun");
                c.args(["run", "--bundle", bundle, &id]);
                c
            }
        };
        let out = command
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{}: {e}", runtime.binary()))?;
        // A container that failed to start may leave state behind.
        let _ = Command::new(runtime.binary())
            .args(["delete", "--force", &id])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        Ok(RunOutcome {
            status: out.status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }
}

/// An OCI `linux.seccomp` section for x86_64 that allows `names` and gives
/// everything else `default_action` (e.g. "SCMP_ACT_ERRNO").
pub fn allow_list_seccomp<'a>(
    default_action: &str,
    names: impl IntoIterator<Item = &'a str>,
) -> Value {
    let names: BTreeSet<&str> = names.into_iter().collect();
    json!({
        "defaultAction": default_action,
        "architectures": ["SCMP_ARCH_X86_64"],
        "syscalls": [{ "names": names, "action": "SCMP_ACT_ALLOW" }],
    })
}

/// Path of data/runtimes/<runtime>.txt in the repository.
pub fn runtime_base_path(runtime: Runtime) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/runtimes")
        .join(format!("{}.txt", runtime.binary()))
}

/// Parses a runtime base set file: one syscall name per line, `#` comments,
/// blank lines ignored. Errors name the offending line.
pub fn parse_runtime_base(text: &str) -> Result<BTreeSet<String>, String> {
    let mut names = BTreeSet::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !line.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!(
                "line {}: {line:?} is not a syscall name",
                index + 1
            ));
        }
        if !names.insert(line.to_string()) {
            return Err(format!("line {}: {line} listed twice", index + 1));
        }
    }
    Ok(names)
}

/// The recorded base set of `runtime`, from data/runtimes.
pub fn load_runtime_base(runtime: Runtime) -> Result<BTreeSet<String>, String> {
    let path = runtime_base_path(runtime);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_runtime_base(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The probe as a complete static ELF: 64-byte header, one PT_LOAD program
/// header, then the code, loaded at 0x400000.
pub fn probe_elf() -> Vec<u8> {
    const BASE: u64 = 0x40_0000;
    const HEADERS: u64 = 64 + 56;
    let size = HEADERS + PROBE_CODE.len() as u64;
    let mut elf = Vec::with_capacity(size as usize);
    elf.extend_from_slice(b"\x7fELF\x02\x01\x01\x00"); // 64-bit, little endian, SysV
    elf.extend_from_slice(&[0; 8]);
    elf.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    elf.extend_from_slice(&0x3eu16.to_le_bytes()); // EM_X86_64
    elf.extend_from_slice(&1u32.to_le_bytes()); // EV_CURRENT
    elf.extend_from_slice(&(BASE + HEADERS).to_le_bytes()); // entry
    elf.extend_from_slice(&64u64.to_le_bytes()); // program headers offset
    elf.extend_from_slice(&0u64.to_le_bytes()); // no section headers
    elf.extend_from_slice(&0u32.to_le_bytes()); // flags
    for half in [64u16, 56, 1, 0, 0, 0] {
        // ehsize, phentsize, phnum, shentsize, shnum, shstrndx
        elf.extend_from_slice(&half.to_le_bytes());
    }
    elf.extend_from_slice(&1u32.to_le_bytes()); // PT_LOAD
    elf.extend_from_slice(&5u32.to_le_bytes()); // PF_R | PF_X
    elf.extend_from_slice(&0u64.to_le_bytes()); // file offset
    elf.extend_from_slice(&BASE.to_le_bytes()); // vaddr
    elf.extend_from_slice(&BASE.to_le_bytes()); // paddr
    elf.extend_from_slice(&size.to_le_bytes()); // filesz
    elf.extend_from_slice(&size.to_le_bytes()); // memsz
    elf.extend_from_slice(&0x1000u64.to_le_bytes()); // align
    elf.extend_from_slice(PROBE_CODE);
    elf
}

fn write_executable(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn apply_spec(config: &mut Value, spec: &BundleSpec) -> Result<(), String> {
    let process = config
        .get_mut("process")
        .and_then(Value::as_object_mut)
        .ok_or("config.json has no process object")?;
    process.insert("terminal".into(), json!(false));
    process.insert("args".into(), json!(spec.args));
    process.insert("noNewPrivileges".into(), json!(spec.no_new_privileges));
    process.insert("user".into(), json!({ "uid": spec.uid, "gid": spec.gid }));
    let linux = config
        .get_mut("linux")
        .and_then(Value::as_object_mut)
        .ok_or("config.json has no linux object")?;
    match &spec.seccomp {
        Some(seccomp) => linux.insert("seccomp".into(), seccomp.clone()),
        None => linux.remove("seccomp"),
    };
    Ok(())
}

fn find_in_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

fn hybrid_cgroup2_has_controllers() -> bool {
    std::fs::read_to_string("/sys/fs/cgroup/unified/cgroup.controllers")
        .map(|controllers| !controllers.trim().is_empty())
        .unwrap_or(false)
}

/// True for a 64-bit little-endian ELF without a PT_INTERP program header.
fn is_static_elf(elf: &[u8]) -> bool {
    let read_u16 = |at: usize| {
        elf.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let read_u64 = |at: usize| {
        elf.get(at..at + 8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    };
    if elf.get(..6) != Some(b"\x7fELF\x02\x01".as_slice()) {
        return false;
    }
    let (Some(phoff), Some(phentsize), Some(phnum)) =
        (read_u64(0x20), read_u16(0x36), read_u16(0x38))
    else {
        return false;
    };
    (0..phnum as usize).all(|i| {
        let at = phoff as usize + i * phentsize as usize;
        // PT_INTERP = 3
        elf.get(at..at + 4) != Some(3u32.to_le_bytes().as_slice())
    })
}
