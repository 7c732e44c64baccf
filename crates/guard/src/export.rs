//! Writing a [`Policy`] in the formats runtimes read: OCI `linux.seccomp`
//! JSON, Docker's profile JSON, a Kubernetes Security Profiles Operator
//! `SeccompProfile`, and systemd's `SystemCallFilter=`.

use crate::policy::{Action, ArgCondition, CmpOp, Policy, Rule};
use aprof_footprint::Abi;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// An output format for a generated profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Oci,
    Docker,
    Spo,
    Systemd,
}

impl std::str::FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "oci" => Ok(ExportFormat::Oci),
            "docker" => Ok(ExportFormat::Docker),
            "spo" => Ok(ExportFormat::Spo),
            "systemd" => Ok(ExportFormat::Systemd),
            other => Err(format!(
                "unknown format '{other}' (oci, docker, spo or systemd)"
            )),
        }
    }
}

/// The policy in `format`, and notes on what the format could not express.
pub fn export(policy: &Policy, format: ExportFormat, name: &str) -> (String, Vec<String>) {
    let mut notes = Vec::new();
    let text = match format {
        ExportFormat::Oci => pretty(&oci(policy, &mut notes)),
        ExportFormat::Docker => pretty(&docker(policy)),
        ExportFormat::Spo => spo(policy, name, &mut notes),
        ExportFormat::Systemd => systemd(policy, name, &mut notes),
    };
    (text, notes)
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("JSON value serialises") + "\n"
}

fn scmp_arch(abi: Abi) -> &'static str {
    match abi {
        Abi::X86_64 => "SCMP_ARCH_X86_64",
        Abi::I386 => "SCMP_ARCH_X86",
        Abi::X32 => "SCMP_ARCH_X32",
    }
}

/// The OCI/libseccomp action name and its errno or trace data.
fn scmp_action(action: Action) -> (&'static str, Option<u16>) {
    match action {
        Action::Allow => ("SCMP_ACT_ALLOW", None),
        Action::Errno(e) => ("SCMP_ACT_ERRNO", Some(e)),
        Action::KillProcess => ("SCMP_ACT_KILL_PROCESS", None),
        Action::KillThread => ("SCMP_ACT_KILL_THREAD", None),
        Action::Trap(_) => ("SCMP_ACT_TRAP", None),
        Action::Trace(d) => ("SCMP_ACT_TRACE", Some(d)),
        Action::Log => ("SCMP_ACT_LOG", None),
        Action::Notify => ("SCMP_ACT_NOTIFY", None),
    }
}

fn arg_json(c: &ArgCondition) -> Value {
    let (op, value, value_two) = match c.op {
        CmpOp::Eq => ("SCMP_CMP_EQ", c.value, 0),
        CmpOp::Ne => ("SCMP_CMP_NE", c.value, 0),
        CmpOp::Lt => ("SCMP_CMP_LT", c.value, 0),
        CmpOp::Le => ("SCMP_CMP_LE", c.value, 0),
        CmpOp::Gt => ("SCMP_CMP_GT", c.value, 0),
        CmpOp::Ge => ("SCMP_CMP_GE", c.value, 0),
        // libseccomp: datum A is the mask, datum B the value.
        CmpOp::MaskedEq(mask) => ("SCMP_CMP_MASKED_EQ", mask, c.value),
        // What libseccomp compares on a 32-bit ABI; on x86_64 it would
        // test the whole argument (the policies aprof generates have none).
        CmpOp::Ge32 => ("SCMP_CMP_GE", c.value, 0),
        CmpOp::Le32 => ("SCMP_CMP_LE", c.value, 0),
    };
    json!({ "index": c.index, "value": value, "valueTwo": value_two, "op": op })
}

/// Syscall entries: unconditional rules grouped by action, one entry per
/// conditional rule (entries of one syscall are OR'd by the runtime).
/// Each entry carries the ABIs it applies to.
fn entries(policy: &Policy) -> Vec<(BTreeSet<Abi>, Vec<String>, Rule)> {
    // (action, conditions) -> syscall -> abis
    let mut grouped: BTreeMap<(String, Vec<ArgCondition>), BTreeMap<String, BTreeSet<Abi>>> =
        BTreeMap::new();
    let mut rules_by_key: BTreeMap<(String, Vec<ArgCondition>), Rule> = BTreeMap::new();
    for (abi, p) in &policy.abis {
        for (name, rules) in &p.syscalls {
            for r in rules {
                let key = (format!("{:?}", r.action), r.conditions.clone());
                grouped
                    .entry(key.clone())
                    .or_default()
                    .entry(name.clone())
                    .or_default()
                    .insert(*abi);
                rules_by_key.entry(key).or_insert_with(|| r.clone());
            }
        }
    }
    let mut out = Vec::new();
    for (key, by_name) in grouped {
        let rule = rules_by_key[&key].clone();
        // Group names sharing the same ABI set so an entry reads naturally.
        let mut by_abis: BTreeMap<BTreeSet<Abi>, Vec<String>> = BTreeMap::new();
        for (name, abis) in by_name {
            by_abis.entry(abis).or_default().push(name);
        }
        for (abis, names) in by_abis {
            out.push((abis, names, rule.clone()));
        }
    }
    out
}

fn default_action(policy: &Policy) -> Action {
    policy
        .abis
        .values()
        .next()
        .map_or(policy.other_abi_action, |p| p.default_action)
}

fn syscall_entry(names: &[String], rule: &Rule) -> Map<String, Value> {
    let (action, data) = scmp_action(rule.action);
    let mut e = Map::new();
    e.insert("names".into(), json!(names));
    e.insert("action".into(), json!(action));
    if let Some(d) = data {
        e.insert("errnoRet".into(), json!(d));
    }
    if !rule.conditions.is_empty() {
        e.insert(
            "args".into(),
            Value::Array(rule.conditions.iter().map(arg_json).collect()),
        );
    }
    e
}

fn head(policy: &Policy) -> Map<String, Value> {
    let (action, data) = scmp_action(default_action(policy));
    let mut m = Map::new();
    m.insert("defaultAction".into(), json!(action));
    if let Some(d) = data {
        m.insert("defaultErrnoRet".into(), json!(d));
    }
    m
}

/// OCI runtime-spec `linux.seccomp`. OCI names syscalls for all
/// architectures at once, so each ABI gets the union of the names.
fn oci(policy: &Policy, notes: &mut Vec<String>) -> Value {
    let mut m = head(policy);
    m.insert(
        "architectures".into(),
        json!(policy
            .abis
            .keys()
            .map(|a| scmp_arch(*a))
            .collect::<Vec<_>>()),
    );
    let all: BTreeSet<Abi> = policy.abis.keys().copied().collect();
    let mut list = Vec::new();
    for (abis, names, rule) in entries(policy) {
        if abis != all {
            notes.push(format!(
                "oci: {} allowed on {} only in the footprint, but OCI profiles name syscalls for every listed architecture",
                names.join(", "),
                abis.iter().map(|a| a.name()).collect::<Vec<_>>().join(", ")
            ));
        }
        list.push(Value::Object(syscall_entry(&names, &rule)));
    }
    m.insert("syscalls".into(), Value::Array(list));
    Value::Object(m)
}

/// Docker's format: `archMap`, with `includes.arches` where an entry
/// applies to some ABIs only.
fn docker(policy: &Policy) -> Value {
    let mut m = head(policy);
    let subs: Vec<&str> = policy
        .abis
        .keys()
        .filter(|a| **a != Abi::X86_64)
        .map(|a| scmp_arch(*a))
        .collect();
    m.insert(
        "archMap".into(),
        json!([{ "architecture": "SCMP_ARCH_X86_64", "subArchitectures": subs }]),
    );
    let all: BTreeSet<Abi> = policy.abis.keys().copied().collect();
    let docker_arch = |a: &Abi| match a {
        Abi::X86_64 => "amd64",
        Abi::I386 => "x86",
        Abi::X32 => "x32",
    };
    let mut list = Vec::new();
    for (abis, names, rule) in entries(policy) {
        let mut e = syscall_entry(&names, &rule);
        if abis != all {
            e.insert(
                "includes".into(),
                json!({ "arches": abis.iter().map(docker_arch).collect::<Vec<_>>() }),
            );
        }
        list.push(Value::Object(e));
    }
    m.insert("syscalls".into(), Value::Array(list));
    Value::Object(m)
}

/// A Security Profiles Operator `SeccompProfile` resource.
fn spo(policy: &Policy, name: &str, notes: &mut Vec<String>) -> String {
    let spec = oci(policy, notes);
    let resource = json!({
        "apiVersion": "security-profiles-operator.x-k8s.io/v1beta1",
        "kind": "SeccompProfile",
        "metadata": { "name": k8s_name(name) },
        "spec": spec,
    });
    serde_norway::to_string(&resource).expect("YAML serialises")
}

/// A Kubernetes object name: lower-case alphanumerics and '-'.
fn k8s_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_owned();
    if s.is_empty() {
        "aprof-profile".into()
    } else {
        s.chars().take(63).collect()
    }
}

/// systemd unit directives. systemd filters by name only: argument rules
/// become whole-syscall allows, with a note.
fn systemd(policy: &Policy, name: &str, notes: &mut Vec<String>) -> String {
    let mut names = BTreeSet::new();
    for p in policy.abis.values() {
        for (syscall, rules) in &p.syscalls {
            // An ENOSYS rule (clone3) lets the C library fall back; systemd
            // would answer SystemCallErrorNumber= instead, so allow it whole.
            let enosys = rules
                .iter()
                .any(|r| r.action == Action::Errno(libc::ENOSYS as u16));
            if enosys {
                names.insert(syscall.clone());
                notes.push(format!("systemd: {syscall} allowed whole; the profile answers it with ENOSYS, which an allow-list cannot express"));
            } else if rules.iter().any(|r| r.action.reaches_kernel()) {
                names.insert(syscall.clone());
                if rules.iter().any(|r| !r.conditions.is_empty()) {
                    notes.push(format!("systemd: {syscall} allowed whole; SystemCallFilter= cannot check arguments"));
                }
            }
        }
    }
    let archs: Vec<&str> = policy
        .abis
        .keys()
        .map(|a| match a {
            Abi::X86_64 => "x86-64",
            Abi::I386 => "x86",
            Abi::X32 => "x32",
        })
        .collect();
    let mut s =
        format!("# Generated by aprof for {name}. Put it in the [Service] section of the unit.\n");
    s.push_str(&format!("SystemCallArchitectures={}\n", archs.join(" ")));
    s.push_str(&format!(
        "SystemCallFilter={}\n",
        names.into_iter().collect::<Vec<_>>().join(" ")
    ));
    match default_action(policy) {
        Action::Errno(e) => s.push_str(&format!("SystemCallErrorNumber={}\n", errno_symbol(e))),
        Action::KillProcess | Action::KillThread => {}
        other => notes.push(format!("systemd: default action {other} has no SystemCallFilter= equivalent; systemd kills instead")),
    }
    s
}

fn errno_symbol(e: u16) -> String {
    match aprof_footprint::errno_name(e as i32) {
        n if n.starts_with('E') && n[1..].parse::<u32>().is_err() => n,
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::AbiPolicy;

    fn policy() -> Policy {
        let mut x = AbiPolicy::new(Action::Errno(1));
        x.add_rule(
            "read",
            Rule {
                action: Action::Allow,
                conditions: vec![],
            },
        );
        x.add_rule(
            "write",
            Rule {
                action: Action::Allow,
                conditions: vec![],
            },
        );
        x.add_rule(
            "socket",
            Rule {
                action: Action::Allow,
                conditions: vec![ArgCondition {
                    index: 0,
                    op: CmpOp::Eq,
                    value: 2,
                }],
            },
        );
        x.add_rule(
            "clone",
            Rule {
                action: Action::Allow,
                conditions: vec![ArgCondition {
                    index: 0,
                    op: CmpOp::MaskedEq(0x7e02_0000),
                    value: 0,
                }],
            },
        );
        let mut i = AbiPolicy::new(Action::Errno(1));
        i.add_rule(
            "read",
            Rule {
                action: Action::Allow,
                conditions: vec![],
            },
        );
        Policy {
            abis: [(Abi::X86_64, x), (Abi::I386, i)].into_iter().collect(),
            other_abi_action: Action::KillProcess,
        }
    }

    #[test]
    fn oci_lists_architectures_entries_and_masked_eq_as_libseccomp_does() {
        let (text, notes) = export(&policy(), ExportFormat::Oci, "t");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["defaultAction"], "SCMP_ACT_ERRNO");
        assert_eq!(v["defaultErrnoRet"], 1);
        assert_eq!(
            v["architectures"],
            json!(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"])
        );
        let clone = v["syscalls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["names"] == json!(["clone"]))
            .unwrap();
        assert_eq!(
            clone["args"][0],
            json!({"index": 0, "value": 0x7e02_0000u64, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"})
        );
        assert!(notes.iter().any(|n| n.contains("write")), "{notes:?}");
    }

    #[test]
    fn docker_restricts_abi_specific_entries_with_includes() {
        let (text, _) = export(&policy(), ExportFormat::Docker, "t");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            v["archMap"][0]["subArchitectures"],
            json!(["SCMP_ARCH_X86"])
        );
        let write = v["syscalls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["names"].as_array().unwrap().contains(&json!("write")))
            .unwrap();
        assert_eq!(write["includes"]["arches"], json!(["amd64"]));
    }

    #[test]
    fn systemd_lists_names_and_notes_lost_arguments() {
        let (text, notes) = export(&policy(), ExportFormat::Systemd, "t");
        assert!(
            text.contains("SystemCallFilter=clone read socket write\n"),
            "{text}"
        );
        assert!(text.contains("SystemCallErrorNumber=EPERM"));
        assert!(text.contains("SystemCallArchitectures=x86-64 x86"));
        assert_eq!(
            notes.iter().filter(|n| n.starts_with("systemd:")).count(),
            2
        );
    }

    #[test]
    fn spo_is_a_seccompprofile_resource() {
        let (text, _) = export(&policy(), ExportFormat::Spo, "My Workload");
        let v: serde_norway::Value = serde_norway::from_str(&text).unwrap();
        assert_eq!(v["kind"], serde_norway::Value::from("SeccompProfile"));
        assert_eq!(
            v["metadata"]["name"],
            serde_norway::Value::from("my-workload")
        );
        assert_eq!(
            v["spec"]["defaultAction"],
            serde_norway::Value::from("SCMP_ACT_ERRNO")
        );
    }
}
