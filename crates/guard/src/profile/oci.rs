//! OCI runtime-spec `linux.seccomp` profiles (alone or inside a whole
//! `config.json`), read with the `oci-spec` crate's types, and the
//! evaluation of such a profile into a [`Policy`] that every format shares.
//! The semantics are those listed in the [`super`] module doc.

use super::fields::DOCKER_ENTRY_KEYS;
use super::{
    from_json, from_json_lenient, is_known_syscall_name, LoadedProfile, ProfileError, ProfileFormat,
};
use crate::policy::{AbiPolicy, Action, ArgCondition, CmpOp, Policy, Rule};
use aprof_footprint::Abi;
use oci_spec::runtime::{Arch, LinuxSeccomp, LinuxSeccompAction, LinuxSeccompOperator};
use serde::Deserialize;
use std::collections::BTreeMap;

/// EPERM, runc's errno when a profile gives none.
const EPERM: u16 = 1;

/// The part of a `config.json` we need; everything else is ignored.
#[derive(Deserialize)]
struct ConfigJson {
    #[serde(default)]
    linux: Option<ConfigLinux>,
}

#[derive(Deserialize)]
struct ConfigLinux {
    #[serde(default)]
    seccomp: Option<LinuxSeccomp>,
}

/// Read an OCI seccomp object or a whole `config.json`.
pub fn load_str(text: &str, origin: &str) -> Result<LoadedProfile, ProfileError> {
    let value: serde_json::Value = from_json(text, origin)?;
    let is_config = ["ociVersion", "linux", "process", "root"]
        .iter()
        .any(|k| value.get(k).is_some());
    let (seccomp, unknown) = if is_config {
        let (config, unknown): (ConfigJson, Vec<String>) = from_json_lenient(text, origin)?;
        // Only linux.seccomp is read; the rest of config.json is the runtime's.
        let unknown = unknown
            .into_iter()
            .filter(|p| p.starts_with("linux.seccomp."))
            .collect();
        (config.linux.and_then(|l| l.seccomp), unknown)
    } else {
        let (seccomp, unknown) = from_json_lenient(text, origin)?;
        (Some(seccomp), unknown)
    };
    let ignored_fields = unknown.into_iter().map(|p| unknown_field(&p)).collect();
    let mut loaded = match seccomp {
        Some(seccomp) => evaluate(&seccomp, origin, ProfileFormat::Oci, Vec::new())?,
        None => LoadedProfile {
            name: origin.to_string(),
            format: ProfileFormat::Oci,
            policy: Policy {
                abis: Abi::ALL
                    .iter()
                    .map(|abi| (*abi, AbiPolicy::new(Action::Allow)))
                    .collect(),
                other_abi_action: Action::Allow,
            },
            notes: vec!["config.json has no linux.seccomp: no seccomp filter at all".into()],
            unknown_syscalls: Vec::new(),
            ignored_fields: Vec::new(),
        },
    };
    loaded.ignored_fields = ignored_fields;
    Ok(loaded)
}

/// Why a field of an OCI profile is skipped; Docker's own keys say so.
fn unknown_field(path: &str) -> String {
    let key = path.rsplit(['.', ']']).next().unwrap_or(path);
    let docker = key == "archMap" || DOCKER_ENTRY_KEYS.iter().any(|(k, _)| *k == key);
    if docker && !path.contains("args[") {
        format!(
            "{path}: belongs to Docker's format, not OCI's (read it with --format docker or auto)"
        )
    } else {
        format!("{path}: not a field of OCI's linux.seccomp")
    }
}

/// The ABI an architecture stands for on an x86_64 host, if it is x86.
pub fn abi_of_arch(arch: Arch) -> Option<Abi> {
    match arch {
        Arch::ScmpArchNative | Arch::ScmpArchX86_64 => Some(Abi::X86_64),
        Arch::ScmpArchX86 => Some(Abi::I386),
        Arch::ScmpArchX32 => Some(Abi::X32),
        _ => None,
    }
}

/// The action of a profile entry, with runc's default errno.
pub fn action_of(action: LinuxSeccompAction, errno_ret: Option<u32>) -> Result<Action, String> {
    let data = match errno_ret {
        None => EPERM,
        Some(e) => u16::try_from(e)
            .map_err(|_| format!("errnoRet {e} does not fit the 16 bits seccomp returns"))?,
    };
    Ok(match action {
        LinuxSeccompAction::ScmpActKill | LinuxSeccompAction::ScmpActKillThread => {
            Action::KillThread
        }
        LinuxSeccompAction::ScmpActKillProcess => Action::KillProcess,
        LinuxSeccompAction::ScmpActTrap => Action::Trap(0),
        LinuxSeccompAction::ScmpActErrno => Action::Errno(data),
        LinuxSeccompAction::ScmpActTrace => Action::Trace(data),
        LinuxSeccompAction::ScmpActLog => Action::Log,
        LinuxSeccompAction::ScmpActNotify => Action::Notify,
        LinuxSeccompAction::ScmpActAllow => Action::Allow,
    })
}

/// Evaluate an OCI seccomp profile for an x86_64 host.
pub fn evaluate(
    seccomp: &LinuxSeccomp,
    name: &str,
    format: ProfileFormat,
    mut notes: Vec<String>,
) -> Result<LoadedProfile, ProfileError> {
    let invalid = |message: String| ProfileError::invalid(name, message);
    let default_action = action_of(seccomp.default_action(), seccomp.default_errno_ret())
        .map_err(|e| invalid(format!("defaultErrnoRet: {e}")))?;

    // libseccomp always includes the native ABI.
    let mut abis: BTreeMap<Abi, AbiPolicy> = BTreeMap::new();
    abis.insert(Abi::X86_64, AbiPolicy::new(default_action));
    for arch in seccomp.architectures().iter().flatten() {
        match abi_of_arch(*arch) {
            Some(abi) => {
                abis.entry(abi)
                    .or_insert_with(|| AbiPolicy::new(default_action));
            }
            None => notes.push(format!("ignored non-x86 architecture {arch}")),
        }
    }

    let mut unknown_syscalls: Vec<String> = Vec::new();
    for (entry_index, call) in seccomp.syscalls().iter().flatten().enumerate() {
        let action = action_of(call.action(), call.errno_ret())
            .map_err(|e| invalid(format!("syscalls[{entry_index}]: {e}")))?;
        let mut conditions = Vec::new();
        for (arg_index, arg) in call.args().iter().flatten().enumerate() {
            let index = u8::try_from(arg.index())
                .ok()
                .filter(|i| *i < 6)
                .ok_or_else(|| {
                    invalid(format!(
                        "syscalls[{entry_index}].args[{arg_index}].index: {} is not an argument index (0-5)",
                        arg.index()
                    ))
                })?;
            conditions.push(condition_of(index, arg.op(), arg.value(), arg.value_two()));
        }
        let rules = rules_of(action, conditions);
        for syscall in call.names() {
            let on_x86 = Abi::ALL.iter().any(|a| a.table().number(syscall).is_some());
            if !on_x86 && !is_known_syscall_name(syscall) && !unknown_syscalls.contains(syscall) {
                unknown_syscalls.push(syscall.clone());
            }
            for (abi, policy) in abis.iter_mut() {
                if abi.table().number(syscall).is_none() {
                    continue;
                }
                for rule in &rules {
                    policy.add_rule(syscall, rule.clone());
                }
            }
        }
    }
    if abis.values().any(|p| {
        p.syscalls
            .values()
            .flatten()
            .any(|r| r.action == Action::Notify)
    }) || default_action == Action::Notify
    {
        notes.push("SCMP_ACT_NOTIFY: a user-space supervisor decides those syscalls".into());
    }
    Ok(LoadedProfile {
        name: name.to_string(),
        format,
        policy: Policy {
            abis,
            other_abi_action: Action::KillThread,
        },
        notes,
        unknown_syscalls,
        ignored_fields: Vec::new(),
    })
}

/// One OCI argument comparison as a condition.
pub fn condition_of(
    index: u8,
    op: LinuxSeccompOperator,
    value: u64,
    value_two: Option<u64>,
) -> ArgCondition {
    let (op, value) = match op {
        LinuxSeccompOperator::ScmpCmpNe => (CmpOp::Ne, value),
        LinuxSeccompOperator::ScmpCmpLt => (CmpOp::Lt, value),
        LinuxSeccompOperator::ScmpCmpLe => (CmpOp::Le, value),
        LinuxSeccompOperator::ScmpCmpEq => (CmpOp::Eq, value),
        LinuxSeccompOperator::ScmpCmpGe => (CmpOp::Ge, value),
        LinuxSeccompOperator::ScmpCmpGt => (CmpOp::Gt, value),
        // The mask is `value`, the compared value `valueTwo`.
        LinuxSeccompOperator::ScmpCmpMaskedEq => (CmpOp::MaskedEq(value), value_two.unwrap_or(0)),
    };
    ArgCondition { index, op, value }
}

/// The rules of one profile entry: its conditions AND'd in one rule, or,
/// when two test the same argument, one rule per condition (runc).
pub fn rules_of(action: Action, conditions: Vec<ArgCondition>) -> Vec<Rule> {
    let mut seen = [false; 6];
    let repeats_an_index = conditions.iter().any(|c| {
        seen.get_mut(c.index as usize)
            .is_some_and(|s| std::mem::replace(s, true))
    });
    if repeats_an_index {
        conditions
            .into_iter()
            .map(|c| Rule {
                action,
                conditions: vec![c],
            })
            .collect()
    } else {
        vec![Rule { action, conditions }]
    }
}
