//! What a guard lets through, per ABI: the allowed syscalls (unconditional,
//! and conditional with their argument conditions), the blocked ones with
//! their action, and the difference to a reference guard. Rendered as
//! tables (comfy-table) or serialised as versioned JSON.
//!
//! A syscall is *allowed* when its action reaches the kernel
//! ([`Action::reaches_kernel`]: allow, log, trace, notify) for every
//! argument value, *conditional* when that depends on its arguments, and
//! *blocked* otherwise. Where rules decide, the default action is taken to
//! be reachable for some arguments.

use crate::policy::{AbiPolicy, Action, NumberRange, Policy, Rule};
use aprof_footprint::Abi;
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use serde::Serialize;

/// Version of the JSON this module writes.
pub const SCHEMA_VERSION: u32 = 1;

/// What happens to one syscall of one ABI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verdict {
    /// Reaches the kernel whatever the arguments.
    Allowed { action: Action },
    /// Reaches the kernel for some arguments only.
    Conditional { rules: Vec<Rule>, otherwise: Action },
    /// Never reaches the kernel.
    Blocked { action: Action },
}

impl Verdict {
    pub fn reaches_kernel(&self) -> bool {
        !matches!(self, Verdict::Blocked { .. })
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Allowed { action } | Verdict::Blocked { action } => write!(f, "{action}"),
            Verdict::Conditional { rules, otherwise } => {
                for r in rules {
                    write!(f, "{r}; ")?;
                }
                write!(f, "else {otherwise}")
            }
        }
    }
}

/// The verdict for `syscall` under `policy`.
pub fn verdict(policy: &AbiPolicy, syscall: &str) -> Verdict {
    let rules: &[Rule] = policy.syscalls.get(syscall).map_or(&[], |r| r.as_slice());
    // First match wins, so an unconditional rule ends the list.
    let (conditional, otherwise) = match rules.iter().position(|r| r.conditions.is_empty()) {
        Some(i) => (&rules[..i], rules[i].action),
        None => (rules, policy.default_action),
    };
    if conditional.is_empty() {
        return plain(otherwise);
    }
    let mut actions = conditional.iter().map(|r| r.action).chain([otherwise]);
    if actions.clone().all(|a| a.reaches_kernel()) {
        Verdict::Allowed { action: otherwise }
    } else if actions.any(|a| a.reaches_kernel()) {
        Verdict::Conditional {
            rules: conditional.to_vec(),
            otherwise,
        }
    } else {
        Verdict::Blocked { action: otherwise }
    }
}

fn plain(action: Action) -> Verdict {
    if action.reaches_kernel() {
        Verdict::Allowed { action }
    } else {
        Verdict::Blocked { action }
    }
}

/// A syscall that reaches the kernel unconditionally.
#[derive(Debug, Clone, Serialize)]
pub struct AllowedSyscall {
    pub syscall: String,
    pub action: Action,
}

/// A syscall that reaches the kernel under argument conditions.
#[derive(Debug, Clone, Serialize)]
pub struct ConditionalSyscall {
    pub syscall: String,
    /// Tried in order; the first that matches decides.
    pub rules: Vec<Rule>,
    /// What happens when no rule matches.
    pub otherwise: Action,
    /// The rules in words: `allow if arg0 < 0x26; ...; else errno 1`.
    pub summary: String,
}

/// A syscall that never reaches the kernel.
#[derive(Debug, Clone, Serialize)]
pub struct BlockedSyscall {
    pub syscall: String,
    pub action: Action,
}

/// The interface one ABI exposes.
#[derive(Debug, Clone, Serialize)]
pub struct AbiReport {
    pub abi: Abi,
    /// Whether the guard has rules for this ABI (else all of it gets the
    /// guard's action for unknown architectures).
    pub covered: bool,
    pub default_action: Action,
    /// Numbers the table does not name that get another action than the
    /// default (runc's ENOSYS above the highest number it knows).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub number_ranges: Vec<NumberRange>,
    /// Syscalls in this ABI's table. The lists below hold them all, and
    /// the numbers the table does not name that have rules of their own.
    pub table_size: usize,
    /// Unconditional plus conditional.
    pub allowed_count: usize,
    pub allowed: Vec<AllowedSyscall>,
    pub conditional: Vec<ConditionalSyscall>,
    pub blocked: Vec<BlockedSyscall>,
}

/// Report `abi` of `policy`, over every syscall in the ABI's table.
pub fn abi_report(policy: &Policy, abi: Abi) -> AbiReport {
    let effective = policy.effective(abi);
    let mut report = AbiReport {
        abi,
        covered: policy.abis.contains_key(&abi),
        default_action: effective.default_action,
        number_ranges: effective.number_ranges.clone(),
        table_size: abi.table().len(),
        allowed_count: 0,
        allowed: Vec::new(),
        conditional: Vec::new(),
        blocked: Vec::new(),
    };
    // The table's syscalls, then numbers it does not name that have rules
    // of their own (a live filter's `syscall_N`): none is left out.
    let unnamed = effective
        .syscalls
        .keys()
        .filter(|n| abi.table().number(n).is_none())
        .map(String::as_str);
    for name in abi.table().iter().map(|(n, _)| n).chain(unnamed) {
        let syscall = name.to_string();
        match verdict(&effective, name) {
            Verdict::Allowed { action } => report.allowed.push(AllowedSyscall { syscall, action }),
            v @ Verdict::Conditional { .. } => {
                let summary = v.to_string();
                if let Verdict::Conditional { rules, otherwise } = v {
                    report.conditional.push(ConditionalSyscall {
                        syscall,
                        rules,
                        otherwise,
                        summary,
                    });
                }
            }
            Verdict::Blocked { action } => report.blocked.push(BlockedSyscall { syscall, action }),
        }
    }
    report.allowed_count = report.allowed.len() + report.conditional.len();
    report
}

/// A syscall whose verdict differs from the reference's.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub syscall: String,
    pub reference: Verdict,
    pub profile: Verdict,
}

/// How one ABI differs from the reference.
#[derive(Debug, Clone, Serialize)]
pub struct AbiDiff {
    pub abi: Abi,
    /// Reach the kernel here (at least for some arguments) but not under
    /// the reference.
    pub added: Vec<String>,
    /// Reach the kernel under the reference but not here.
    pub removed: Vec<String>,
    /// Reach (or not) in both, but with other conditions or actions.
    pub changed: Vec<Change>,
}

/// The difference of a guard to a reference guard.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyDiff {
    pub reference: String,
    pub abis: Vec<AbiDiff>,
}

/// Compare `policy` with `reference` over every syscall of `abis`.
pub fn diff(policy: &Policy, reference: &Policy, reference_name: &str, abis: &[Abi]) -> PolicyDiff {
    let abis = abis
        .iter()
        .map(|&abi| {
            let ours = policy.effective(abi);
            let theirs = reference.effective(abi);
            let mut d = AbiDiff {
                abi,
                added: Vec::new(),
                removed: Vec::new(),
                changed: Vec::new(),
            };
            for (name, _) in abi.table().iter() {
                let (mine, refs) = (verdict(&ours, name), verdict(&theirs, name));
                match (mine.reaches_kernel(), refs.reaches_kernel()) {
                    (true, false) => d.added.push(name.to_string()),
                    (false, true) => d.removed.push(name.to_string()),
                    _ if mine != refs => d.changed.push(Change {
                        syscall: name.to_string(),
                        reference: refs,
                        profile: mine,
                    }),
                    _ => {}
                }
            }
            d
        })
        .collect();
    PolicyDiff {
        reference: reference_name.to_string(),
        abis,
    }
}

/// Everything `aprof guard` reports about one profile or live guard.
#[derive(Debug, Clone, Serialize)]
pub struct GuardReport {
    /// The file, resource or process the guard came from.
    pub source: String,
    /// `oci`, `docker`, `spo` or `live`.
    pub format: String,
    pub notes: Vec<String>,
    /// Names in the profile that no syscall table knows (skipped).
    pub unknown_syscalls: Vec<String>,
    /// Fields the profile's format does not have (skipped), `path: why`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored_fields: Vec<String>,
    /// What an ABI the guard does not cover gets.
    pub other_abi_action: Action,
    pub abis: Vec<AbiReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<PolicyDiff>,
}

impl GuardReport {
    /// Report `abis` of `policy`, and its difference to `reference`.
    pub fn new(
        source: &str,
        format: &str,
        policy: &Policy,
        abis: &[Abi],
        reference: Option<(&str, &Policy)>,
    ) -> GuardReport {
        GuardReport {
            source: source.to_string(),
            format: format.to_string(),
            notes: Vec::new(),
            unknown_syscalls: Vec::new(),
            ignored_fields: Vec::new(),
            other_abi_action: policy.other_abi_action,
            abis: abis.iter().map(|&abi| abi_report(policy, abi)).collect(),
            diff: reference.map(|(name, r)| diff(policy, r, name, abis)),
        }
    }

    /// Tables for a terminal.
    pub fn to_table(&self) -> String {
        let mut out = format!("Guard: {} ({})\n", self.source, self.format);
        for note in &self.notes {
            out.push_str(&format!("note: {note}\n"));
        }
        for field in &self.ignored_fields {
            out.push_str(&format!("skipped field {field}\n"));
        }
        if !self.unknown_syscalls.is_empty() {
            out.push_str(&format!(
                "skipped unknown syscall names: {}\n",
                self.unknown_syscalls.join(", ")
            ));
        }

        let mut summary = new_table(&[
            "ABI",
            "covered",
            "default",
            "allowed",
            "of which conditional",
            "blocked",
            "table",
        ]);
        for a in &self.abis {
            summary.add_row(vec![
                a.abi.to_string(),
                if a.covered { "yes" } else { "no" }.to_string(),
                default_cell(a),
                a.allowed_count.to_string(),
                a.conditional.len().to_string(),
                a.blocked.len().to_string(),
                a.table_size.to_string(),
            ]);
        }
        out.push_str(&format!("{summary}\n"));

        for a in &self.abis {
            out.push_str(&format!("\n{} — allowed ({}):\n", a.abi, a.allowed_count));
            let mut t = new_table(&["action", "count", "syscalls"]);
            for (action, names) in group(a.allowed.iter().map(|s| (s.action, s.syscall.as_str()))) {
                t.add_row(vec![
                    action.to_string(),
                    names.len().to_string(),
                    names.join(" "),
                ]);
            }
            for (action, names) in group(a.blocked.iter().map(|s| (s.action, s.syscall.as_str()))) {
                t.add_row(vec![
                    format!("blocked: {action}"),
                    names.len().to_string(),
                    names.join(" "),
                ]);
            }
            if !a.conditional.is_empty() {
                t.add_row(vec![
                    "conditional".to_string(),
                    a.conditional.len().to_string(),
                    a.conditional
                        .iter()
                        .map(|c| format!("{}: {}", c.syscall, c.summary))
                        .collect::<Vec<_>>()
                        .join("\n"),
                ]);
            }
            out.push_str(&format!("{t}\n"));
        }

        if let Some(diff) = &self.diff {
            out.push_str(&format!("\nDifference to {}:\n", diff.reference));
            let mut t = new_table(&["ABI", "added", "removed", "changed"]);
            for d in &diff.abis {
                t.add_row(vec![
                    d.abi.to_string(),
                    counted(&d.added),
                    counted(&d.removed),
                    format!(
                        "{}{}",
                        d.changed.len(),
                        d.changed
                            .iter()
                            .map(|c| format!("\n{}: {} -> {}", c.syscall, c.reference, c.profile))
                            .collect::<String>()
                    ),
                ]);
            }
            out.push_str(&format!("{t}\n"));
        }
        out
    }
}

/// The default action, and the unnamed numbers that get another one:
/// `errno 1; unnamed 463 and above: errno 38`.
fn default_cell(a: &AbiReport) -> String {
    let mut cell = a.default_action.to_string();
    for range in &a.number_ranges {
        cell.push_str(";\nunnamed ");
        if a.abi == Abi::X32 {
            // x32 numbers carry the x32 bit: show them as the table does not.
            let bit = aprof_footprint::abi::X32_SYSCALL_BIT;
            let unbit = |n: u32| if n == u32::MAX { n } else { n & !bit };
            let shown = NumberRange {
                first: unbit(range.first),
                last: unbit(range.last),
                ..*range
            };
            cell.push_str(&format!("{shown} (x32 bit set)"));
        } else {
            cell.push_str(&range.to_string());
        }
    }
    cell
}

fn new_table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(120)
        .set_header(header.to_vec());
    t
}

fn counted(names: &[String]) -> String {
    if names.is_empty() {
        "0".to_string()
    } else {
        format!("{}: {}", names.len(), names.join(" "))
    }
}

/// Names grouped by action, in action order.
fn group<'a>(items: impl Iterator<Item = (Action, &'a str)>) -> Vec<(Action, Vec<&'a str>)> {
    let mut groups: std::collections::BTreeMap<Action, Vec<&'a str>> = Default::default();
    for (action, name) in items {
        groups.entry(action).or_default().push(name);
    }
    groups.into_iter().collect()
}

/// The JSON document `aprof guard --json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct GuardDocument {
    pub schema_version: u32,
    pub guards: Vec<GuardReport>,
    /// For a live process: its id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<i32>,
    /// For a live process: the disassembly of each filter, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bpf: Option<Vec<String>>,
    /// For a live process: the rest of its containment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub containment: Option<serde_json::Value>,
}
