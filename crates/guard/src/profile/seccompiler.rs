//! Firecracker's seccompiler JSON: named filters (one per thread kind:
//! `vmm`, `api`, `vcpu`), each a default (`mismatch_action`, alias
//! `default_action`), the action of a matching rule (`match_action`, alias
//! `filter_action`) and OR'd rules of AND'd argument conditions.
//!
//! As seccompiler compiles it for x86_64: another audit arch (i386) kills
//! the process; x32 numbers match no rule and get the default; `dword`
//! conditions compare the low 32 bits of the argument only, which is exact
//! for `eq`, `masked_eq` and the orderings (as [`CmpOp::Ge32`]/[`CmpOp::Le32`])
//! and approximated by a 64-bit comparison (with a note) for `ne`.

use super::{
    from_json_lenient, is_known_syscall_name, not_fields_of, LoadedProfile, ProfileError,
    ProfileFormat,
};
use crate::policy::{AbiPolicy, Action, ArgCondition, CmpOp, Policy, Rule};
use aprof_footprint::Abi;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A seccompiler action: `"allow"`, `{"errno": 1}`, `"trap"`, ...
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScAction {
    Allow,
    Errno(u32),
    KillThread,
    KillProcess,
    Log,
    Trace(u32),
    Trap,
}

#[derive(Debug, Deserialize)]
pub struct ScFilter {
    #[serde(alias = "default_action")]
    pub mismatch_action: ScAction,
    #[serde(alias = "filter_action")]
    pub match_action: ScAction,
    pub filter: Vec<ScRule>,
}

#[derive(Debug, Deserialize)]
pub struct ScRule {
    pub syscall: String,
    #[serde(default)]
    pub args: Option<Vec<ScCondition>>,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ArgLen {
    Dword,
    Qword,
}

#[derive(Debug, Deserialize)]
pub struct ScCondition {
    pub index: u8,
    #[serde(rename = "type")]
    pub arg_len: ArgLen,
    /// seccompiler spells its operators as [`CmpOp`] does (`eq`, `masked_eq: MASK`, ...).
    pub op: CmpOp,
    pub val: u64,
    #[serde(default)]
    pub comment: Option<String>,
}

fn action_of(a: ScAction) -> Result<Action, String> {
    let data = |v: u32| u16::try_from(v).map_err(|_| format!("{v} does not fit 16 bits"));
    Ok(match a {
        ScAction::Allow => Action::Allow,
        ScAction::Errno(e) => Action::Errno(data(e)?),
        ScAction::KillThread => Action::KillThread,
        ScAction::KillProcess => Action::KillProcess,
        ScAction::Log => Action::Log,
        ScAction::Trace(t) => Action::Trace(data(t)?),
        ScAction::Trap => Action::Trap(0),
    })
}

/// One condition, and whether it says exactly what seccompiler checks.
fn condition_of(c: &ScCondition) -> Result<(ArgCondition, bool), String> {
    if c.index > 5 {
        return Err(format!("argument index {} is not 0-5", c.index));
    }
    if matches!(c.op, CmpOp::Ge32 | CmpOp::Le32) {
        return Err(
            "seccompiler has no operator ge32 or le32 (use type dword with ge or le)".into(),
        );
    }
    let low = u32::MAX as u64;
    let (op, value, exact) = match (&c.arg_len, c.op) {
        (ArgLen::Qword, op) => (op, c.val, true),
        (ArgLen::Dword, _) if c.val > low => {
            return Err(format!("dword value {} does not fit 32 bits", c.val))
        }
        (ArgLen::Dword, CmpOp::Eq) => (CmpOp::MaskedEq(low), c.val, true),
        (ArgLen::Dword, CmpOp::MaskedEq(mask)) => (CmpOp::MaskedEq(mask & low), c.val, true),
        (ArgLen::Dword, CmpOp::Ge) => (CmpOp::Ge32, c.val, true),
        (ArgLen::Dword, CmpOp::Le) => (CmpOp::Le32, c.val, true),
        // `> v` is `>= v + 1`; `< 0` never holds, nor does `>= 2^32`.
        (ArgLen::Dword, CmpOp::Gt) => (CmpOp::Ge32, c.val + 1, true),
        (ArgLen::Dword, CmpOp::Lt) if c.val == 0 => (CmpOp::Ge32, low + 1, true),
        (ArgLen::Dword, CmpOp::Lt) => (CmpOp::Le32, c.val - 1, true),
        (ArgLen::Dword, op) => (op, c.val, false),
    };
    Ok((
        ArgCondition {
            index: c.index,
            op,
            value,
        },
        exact,
    ))
}

/// Every filter of a seccompiler file, one profile each.
pub fn load_str(text: &str, origin: &str) -> Result<Vec<LoadedProfile>, ProfileError> {
    let (filters, unknown): (BTreeMap<String, ScFilter>, _) = from_json_lenient(text, origin)?;
    if filters.is_empty() {
        return Err(ProfileError::invalid(origin, "no filter in this file"));
    }
    let unknown = not_fields_of(unknown, "seccompiler's format");
    filters
        .iter()
        .map(|(name, f)| {
            let mut loaded = evaluate(f, &format!("{origin} ({name})"))?;
            loaded.ignored_fields = unknown
                .iter()
                .filter(|p| p.starts_with(&format!("{name}.")))
                .cloned()
                .collect();
            Ok(loaded)
        })
        .collect()
}

/// Evaluate one seccompiler filter for x86_64.
pub fn evaluate(filter: &ScFilter, label: &str) -> Result<LoadedProfile, ProfileError> {
    let invalid = |m: String| ProfileError::invalid(label, m);
    let default =
        action_of(filter.mismatch_action).map_err(|e| invalid(format!("mismatch_action: {e}")))?;
    let matched =
        action_of(filter.match_action).map_err(|e| invalid(format!("match_action: {e}")))?;
    let mut x86_64 = AbiPolicy::new(default);
    let mut notes = Vec::new();
    let mut unknown_syscalls = Vec::new();
    for (i, rule) in filter.filter.iter().enumerate() {
        let mut conditions = Vec::new();
        for c in rule.args.iter().flatten() {
            let (cond, exact) = condition_of(c)
                .map_err(|e| invalid(format!("filter[{i}] ({}): {e}", rule.syscall)))?;
            if !exact {
                notes.push(format!(
                    "{}: dword condition '{cond}' compares only the low 32 bits; shown as 64-bit",
                    rule.syscall
                ));
            }
            conditions.push(cond);
        }
        if Abi::X86_64.table().number(&rule.syscall).is_none() {
            if !is_known_syscall_name(&rule.syscall) && !unknown_syscalls.contains(&rule.syscall) {
                unknown_syscalls.push(rule.syscall.clone());
            }
            continue;
        }
        x86_64.add_rule(
            &rule.syscall,
            Rule {
                action: matched,
                conditions,
            },
        );
    }
    let mut abis = BTreeMap::new();
    abis.insert(Abi::X86_64, x86_64);
    // x32 numbers carry bit 30 and so match no rule.
    abis.insert(Abi::X32, AbiPolicy::new(default));
    Ok(LoadedProfile {
        name: label.to_string(),
        format: ProfileFormat::Seccompiler,
        policy: Policy {
            abis,
            other_abi_action: Action::KillProcess,
        },
        notes,
        unknown_syscalls,
        ignored_fields: Vec::new(),
    })
}
