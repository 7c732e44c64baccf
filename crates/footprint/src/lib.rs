//! The footprint: what a workload reached, as recorded by any recorder.
//!
//! This is the interface between the *record* stage and everything after it.
//! A recorder (ptrace, seccomp-assisted, strace import, ...) fills a
//! [`Footprint`]; the guard, score and report stages only read it. The JSON
//! form carries [`SCHEMA_VERSION`] so that older or newer files are refused
//! with a clear message instead of being misread.

pub mod abi;
pub mod diff;
pub mod functions;
pub mod io;
pub mod kernel;
pub mod names;
pub mod procfs;

pub use abi::{syscall_name, Abi, SyscallTable};
pub use io::{load, save_atomic, FootprintError};
pub use kernel::{KernelRelease, KernelVersion, ReleaseKind, VersionError};
pub use names::errno_name;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version of the footprint JSON schema this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything one recording saw.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Footprint {
    pub schema_version: u32,
    pub environment: Environment,
    /// Every process and thread group seen, in order of appearance.
    #[serde(default)]
    pub processes: Vec<Process>,
    /// Syscalls per ABI, by name.
    #[serde(default)]
    pub syscalls: BTreeMap<Abi, BTreeMap<String, SyscallStats>>,
    /// Kernel objects reached through file descriptors, by class.
    #[serde(default)]
    pub objects: Vec<ObjectUse>,
    /// Argument values seen, keyed `syscall/index` (e.g. `clone/0`).
    #[serde(default)]
    pub arguments: BTreeMap<String, ArgumentValues>,
    /// Executable code mapped into the workload's processes.
    #[serde(default)]
    pub code: Vec<MappedCode>,
    /// How the workload ended, when the recorder saw it end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<ExitStatus>,
    /// Kernel functions the workload made the kernel run (function tracing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel_functions: Option<functions::KernelFunctions>,
}

impl Footprint {
    /// An empty footprint of the current schema.
    pub fn new(environment: Environment) -> Footprint {
        Footprint {
            schema_version: SCHEMA_VERSION,
            environment,
            ..Default::default()
        }
    }

    /// Count one syscall; `errno` is `Some` when it failed.
    pub fn count_syscall(&mut self, abi: Abi, number: u32, errno: Option<i32>, at_ns: u64) {
        let name = syscall_name(abi, number);
        let stats = self
            .syscalls
            .entry(abi)
            .or_default()
            .entry(name)
            .or_insert_with(|| SyscallStats {
                number,
                first_seen_ns: Some(at_ns),
                ..Default::default()
            });
        stats.count += 1;
        if let Some(e) = errno {
            stats.errors += 1;
            *stats.errno.entry(errno_name(e)).or_default() += 1;
        }
    }

    /// Count one use of `syscall` on an object of `class`.
    pub fn count_object(&mut self, class: ObjectClass, syscall: &str) -> &mut ObjectUse {
        let idx = match self.objects.iter().position(|o| o.class == class) {
            Some(i) => i,
            None => {
                self.objects.push(ObjectUse {
                    class,
                    ..Default::default()
                });
                self.objects.len() - 1
            }
        };
        let obj = &mut self.objects[idx];
        *obj.syscalls.entry(syscall.to_owned()).or_default() += 1;
        obj
    }

    /// Record one value of argument `index` of `syscall`.
    pub fn count_argument(
        &mut self,
        syscall: &str,
        index: u8,
        label: &str,
        value: u64,
        name: Option<String>,
    ) {
        let key = format!("{syscall}/{index}");
        let arg = self.arguments.entry(key).or_insert_with(|| ArgumentValues {
            syscall: syscall.to_owned(),
            index,
            label: label.to_owned(),
            values: BTreeMap::new(),
        });
        let v = arg
            .values
            .entry(value)
            .or_insert_with(|| ValueUse { name, count: 0 });
        v.count += 1;
    }

    /// The distinct syscall names of one ABI.
    pub fn syscall_names(&self, abi: Abi) -> impl Iterator<Item = &str> {
        self.syscalls
            .get(&abi)
            .into_iter()
            .flat_map(|m| m.keys().map(String::as_str))
    }

    /// Total syscalls counted over all ABIs.
    pub fn total_syscalls(&self) -> u64 {
        self.syscalls
            .values()
            .flat_map(|m| m.values())
            .map(|s| s.count)
            .sum()
    }

    /// Distinct (ABI, syscall) pairs.
    pub fn distinct_syscalls(&self) -> usize {
        self.syscalls.values().map(BTreeMap::len).sum()
    }
}

/// Where and how the recording was made.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    /// `uname -r` of the recording host.
    pub kernel_release: String,
    /// `uname -m`.
    pub arch: String,
    pub aprof_version: String,
    /// Which recorder made this footprint (`ptrace`, `seccomp-trace`, `strace-import`, ...).
    pub recorder: String,
    /// RFC 3339 UTC.
    pub started_at: String,
    #[serde(default)]
    pub ended_at: String,
    /// The recorded command line, or the attached process's.
    #[serde(default)]
    pub command: Vec<String>,
    /// SHA-256 of `/proc/config.gz` where the kernel exposes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel_config_sha256: Option<String>,
}

/// One process (thread group) of the workload.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Process {
    pub pid: i32,
    /// The parent pid, when it is part of the workload or known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<i32>,
    /// The executable of the last exec; for a process that never exec'd,
    /// its parent's (the program it runs), or empty when that is unknown.
    #[serde(default)]
    pub exe: String,
    #[serde(default)]
    pub argv: Vec<String>,
    /// Threads seen in this process, the leader included.
    #[serde(default = "one")]
    pub threads: u32,
    /// Guard state read at the last exec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guards: Option<GuardState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<ExitStatus>,
}

fn one() -> u32 {
    1
}

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitStatus {
    Exited(i32),
    Signaled(i32),
}

/// The guards around a process as read from `/proc/PID/status` at exec.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardState {
    /// 0 disabled, 1 strict, 2 filter.
    pub seccomp_mode: u8,
    #[serde(default)]
    pub seccomp_filters: u32,
    pub no_new_privs: bool,
    /// Capability sets as hex masks, as in `/proc/PID/status`.
    pub cap_effective: String,
    pub cap_permitted: String,
    pub cap_inheritable: String,
    pub cap_bounding: String,
    pub cap_ambient: String,
}

/// Counters of one syscall on one ABI.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyscallStats {
    pub number: u32,
    pub count: u64,
    #[serde(default)]
    pub errors: u64,
    /// Failures by errno name (`ENOENT`), or `E<n>` when unnamed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub errno: BTreeMap<String, u64>,
    /// Nanoseconds after the start of the recording.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen_ns: Option<u64>,
}

/// The class of a kernel object reached through a file descriptor.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ObjectClass {
    /// A regular file on a filesystem of this type (`ext4`, `overlay`, `proc`, ...).
    File {
        fstype: String,
    },
    Directory {
        fstype: String,
    },
    Pipe,
    /// A socket by family, type and protocol names (`AF_INET`, `SOCK_STREAM`, `TCP`).
    Socket {
        family: String,
        socket_type: String,
        protocol: String,
    },
    /// An anonymous inode: `eventfd`, `[eventpoll]`, `timerfd`, `io_uring`, `bpf-map`, ...
    AnonInode {
        name: String,
    },
    CharDevice {
        major: u32,
        minor: u32,
        driver: String,
    },
    BlockDevice {
        major: u32,
        minor: u32,
        driver: String,
    },
    /// Something the recorder could not classify, with what it knows.
    Other {
        description: String,
    },
}

/// What was done to one class of kernel object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectUse {
    pub class: ObjectClass,
    /// Syscalls made on objects of this class, with counts.
    #[serde(default)]
    pub syscalls: BTreeMap<String, u64>,
    /// ioctl request codes on this class.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ioctls: BTreeMap<u64, ValueUse>,
}

impl Default for ObjectUse {
    fn default() -> Self {
        ObjectUse {
            class: ObjectClass::Other {
                description: String::new(),
            },
            syscalls: BTreeMap::new(),
            ioctls: BTreeMap::new(),
        }
    }
}

/// The values one syscall argument took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArgumentValues {
    pub syscall: String,
    /// 0-based argument position, as seccomp's `args[index]`.
    pub index: u8,
    /// What the argument is (`flags`, `request`, `family`, `option`, ...).
    pub label: String,
    pub values: BTreeMap<u64, ValueUse>,
}

/// One observed value with its decoded name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueUse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub count: u64,
}

/// One executable mapping: a binary or shared library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappedCode {
    pub path: String,
    /// Size of the file in bytes.
    pub size: u64,
    /// Size of its executable mappings in bytes.
    #[serde(default)]
    pub exec_bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_id: Option<String>,
    /// How many of the workload's processes mapped it.
    #[serde(default)]
    pub processes: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_accumulates() {
        let mut fp = Footprint::new(Environment::default());
        fp.count_syscall(Abi::X86_64, 0, None, 5);
        fp.count_syscall(Abi::X86_64, 0, Some(2), 9);
        fp.count_syscall(Abi::I386, 3, None, 10);
        let read = &fp.syscalls[&Abi::X86_64]["read"];
        assert_eq!(
            (read.count, read.errors, read.first_seen_ns),
            (2, 1, Some(5))
        );
        assert_eq!(read.errno["ENOENT"], 1);
        assert_eq!(fp.total_syscalls(), 3);
        assert_eq!(fp.distinct_syscalls(), 2);
    }

    #[test]
    fn objects_are_merged_by_class() {
        let mut fp = Footprint::new(Environment::default());
        fp.count_object(ObjectClass::Pipe, "read");
        fp.count_object(ObjectClass::Pipe, "read");
        fp.count_object(
            ObjectClass::File {
                fstype: "ext4".into(),
            },
            "read",
        );
        assert_eq!(fp.objects.len(), 2);
        assert_eq!(fp.objects[0].syscalls["read"], 2);
    }
}
