//! The guards, capability sets and objects a model file may name, resolved
//! to what the workload scorer uses: `docker-default` (Docker's profile
//! with its 14 default capabilities), `firecracker` (the union of
//! Firecracker's per-thread filters), `none`, or a list of syscall names.

use aprof_footprint::{Abi, ObjectClass};
use aprof_guard::profile::{self, EvalContext, DOCKER_DEFAULT_CAPS};
use aprof_guard::{AbiPolicy, Action, Policy, Rule};
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// The kernel Docker's `minKernel` conditions are evaluated against for
/// the catalogue, so that `aprof models` gives the same numbers on every
/// host (Docker's profile has one condition, `minKernel 4.8`).
const MODEL_KERNEL: &str = "6.18";

const FIRECRACKER_JSON: &str = include_str!("../../../data/profiles/firecracker-x86_64.json");

/// A guard named in a model file.
#[derive(Debug, Clone)]
pub struct ModelGuard {
    pub label: String,
    /// `None`: no seccomp guard.
    pub policy: Option<Policy>,
}

impl ModelGuard {
    /// How many x86_64 syscalls reach the kernel under it.
    pub fn allowed_x86_64(&self) -> u32 {
        let table = Abi::X86_64.table();
        match &self.policy {
            None => table.len() as u32,
            Some(p) => table
                .iter()
                .filter(|(name, _)| allows(p, Abi::X86_64, name))
                .count() as u32,
        }
    }
}

/// True when `policy` lets `name` reach the kernel for some arguments.
pub fn allows(policy: &Policy, abi: Abi, name: &str) -> bool {
    let p = policy.effective(abi);
    match p.syscalls.get(name) {
        Some(rules) => rules.iter().any(|r| r.action.reaches_kernel()),
        None => p.default_action.reaches_kernel(),
    }
}

/// Docker's default profile as a container gets it (14 capabilities).
pub fn docker_default() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        let ctx = EvalContext::new(
            DOCKER_DEFAULT_CAPS.iter().map(|c| c.to_string()).collect(),
            aprof_footprint::KernelVersion::parse(MODEL_KERNEL).expect("a version"),
        );
        profile::docker_default(&ctx)
            .expect("Docker's default profile loads (checked by tests)")
            .policy
    })
}

/// An allow-list of syscall names on x86_64; everything else fails with EPERM.
pub fn allow_list<'a>(names: impl IntoIterator<Item = &'a str>) -> Policy {
    let mut abi = AbiPolicy::new(Action::Errno(1));
    for name in names {
        abi.add_rule(
            name,
            Rule {
                action: Action::Allow,
                conditions: vec![],
            },
        );
    }
    Policy {
        abis: [(Abi::X86_64, abi)].into_iter().collect(),
        other_abi_action: Action::KillProcess,
    }
}

/// The union of Firecracker's per-thread filters, by syscall name.
pub fn firecracker() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        let loaded = profile::seccompiler::load_str(FIRECRACKER_JSON, "firecracker-x86_64.json")
            .expect("Firecracker's filters load (checked by tests)");
        let names: BTreeSet<String> = loaded
            .iter()
            .flat_map(|l| {
                Abi::X86_64
                    .table()
                    .iter()
                    .filter(|(name, _)| allows(&l.policy, Abi::X86_64, name))
                    .map(|(name, _)| name.to_owned())
                    .collect::<Vec<_>>()
            })
            .collect();
        allow_list(names.iter().map(String::as_str))
    })
}

/// A guard by name: `docker-default`, `firecracker` or `none`.
pub fn model_guard(spec: &str) -> Result<ModelGuard, String> {
    match spec {
        "docker-default" => Ok(ModelGuard {
            label: "Docker's default seccomp profile (14 default capabilities)".into(),
            policy: Some(docker_default().clone()),
        }),
        "firecracker" => Ok(ModelGuard {
            label: "Firecracker's seccomp filters (vmm, api and vcpu threads)".into(),
            policy: Some(firecracker().clone()),
        }),
        "none" => Ok(ModelGuard {
            label: "no seccomp guard".into(),
            policy: None,
        }),
        other => Err(format!(
            "unknown guard '{other}' (docker-default, firecracker or none; or list entries)"
        )),
    }
}

/// A capability set by name: `none`, `all`, `docker-default`, or a
/// comma-separated list of capability names. `workload` (the workload's
/// own, from its footprint) is empty here; the scorer fills it in.
pub fn capability_set(spec: &str) -> Result<BTreeSet<String>, String> {
    match spec.trim() {
        "none" | "" | "workload" => Ok(BTreeSet::new()),
        "docker-default" => Ok(DOCKER_DEFAULT_CAPS.iter().map(|c| c.to_string()).collect()),
        list => profile::parse_caps(list),
    }
}

/// An object class from an objects.tsv-style key: `file ext4`, `pipe`,
/// `socket AF_INET/TCP`, `anon eventfd`, `char 10:200`, `block 8:0`.
pub fn object_class(key: &str) -> Result<ObjectClass, String> {
    let (kind, rest) = key.split_once(' ').unwrap_or((key, ""));
    let device = |rest: &str| -> Result<(u32, u32), String> {
        let (a, b) = rest
            .split_once(':')
            .ok_or_else(|| format!("object '{key}': expected MAJOR:MINOR"))?;
        Ok((
            a.parse()
                .map_err(|_| format!("object '{key}': bad major"))?,
            b.parse()
                .map_err(|_| format!("object '{key}': bad minor"))?,
        ))
    };
    Ok(match kind {
        "file" if !rest.is_empty() => ObjectClass::File {
            fstype: rest.to_owned(),
        },
        "pipe" => ObjectClass::Pipe,
        "socket" if !rest.is_empty() => {
            let (family, detail) = rest.split_once('/').unwrap_or((rest, ""));
            let (socket_type, protocol) = if detail.to_ascii_uppercase().starts_with("SOCK_") {
                (detail.to_owned(), String::new())
            } else {
                (String::new(), detail.to_owned())
            };
            ObjectClass::Socket {
                family: family.to_owned(),
                socket_type,
                protocol,
            }
        }
        "anon" if !rest.is_empty() => ObjectClass::AnonInode {
            name: rest.to_owned(),
        },
        "char" => {
            let (major, minor) = device(rest)?;
            ObjectClass::CharDevice {
                major,
                minor,
                driver: String::new(),
            }
        }
        "block" => {
            let (major, minor) = device(rest)?;
            ObjectClass::BlockDevice {
                major,
                minor,
                driver: String::new(),
            }
        }
        _ => {
            return Err(format!(
                "object '{key}': expected 'file FSTYPE', 'pipe', 'socket FAMILY[/PROTO]', 'anon NAME', 'char MAJOR:MINOR' or 'block MAJOR:MINOR'"
            ))
        }
    })
}

const CLONE_NEWUSER: u64 = 0x1000_0000;
const CLONE_NEWNET: u64 = 0x4000_0000;
const SIGCHLD: u64 = 17;

/// True when a seccomp policy lets a process create a user (and network)
/// namespace: `unshare(CLONE_NEWUSER|CLONE_NEWNET)`, `clone` with those
/// flags, or `clone3` (whose flags seccomp cannot see) reach the kernel.
pub fn allows_user_namespaces(policy: Option<&Policy>) -> bool {
    let Some(policy) = policy else {
        return true;
    };
    let flags = CLONE_NEWUSER | CLONE_NEWNET;
    [
        ("unshare", [flags, 0, 0, 0, 0, 0]),
        ("clone", [flags | SIGCHLD, 0, 0, 0, 0, 0]),
        ("clone3", [0, 0, 0, 0, 0, 0]),
    ]
    .iter()
    .any(|(name, args)| policy.action(Abi::X86_64, name, args).reaches_kernel())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_blocks_user_namespaces_and_no_guard_does_not() {
        assert!(!allows_user_namespaces(Some(docker_default())));
        assert!(allows_user_namespaces(None));
        assert!(allows_user_namespaces(Some(&allow_list(["unshare"]))));
        assert!(!allows_user_namespaces(Some(&allow_list(["read"]))));
    }

    #[test]
    fn object_keys_parse() {
        assert_eq!(
            object_class("char 10:200").unwrap(),
            ObjectClass::CharDevice {
                major: 10,
                minor: 200,
                driver: String::new()
            }
        );
        assert!(
            matches!(object_class("socket AF_INET/SOCK_RAW").unwrap(), ObjectClass::Socket { socket_type, .. } if socket_type == "SOCK_RAW")
        );
        assert!(object_class("char 10").is_err());
        assert!(object_class("gizmo x").is_err());
        assert!(capability_set("CAP_NET_ADMIN,chown")
            .unwrap()
            .contains("CAP_CHOWN"));
        assert_eq!(capability_set("docker-default").unwrap().len(), 14);
        assert!(capability_set("CAP_NOPE").is_err());
    }
}
