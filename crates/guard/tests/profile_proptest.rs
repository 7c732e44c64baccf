//! Property tests: randomly generated profiles (serialised as OCI JSON and
//! as SPO YAML) never make the parser panic, are rejected exactly when
//! they hold impossible values, and evaluate to a [`Policy`] whose
//! `action` agrees with an independent model of runc/libseccomp semantics.

use aprof_footprint::Abi;
use aprof_guard::profile::{load_str, EvalContext, ProfileFormat};
use aprof_guard::{Action, Policy};
use proptest::prelude::*;
use serde_json::{json, Value};

const ACTIONS: [&str; 9] = [
    "SCMP_ACT_KILL",
    "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_KILL_PROCESS",
    "SCMP_ACT_TRAP",
    "SCMP_ACT_ERRNO",
    "SCMP_ACT_TRACE",
    "SCMP_ACT_LOG",
    "SCMP_ACT_NOTIFY",
    "SCMP_ACT_ALLOW",
];
const OPS: [&str; 7] = [
    "SCMP_CMP_NE",
    "SCMP_CMP_LT",
    "SCMP_CMP_LE",
    "SCMP_CMP_EQ",
    "SCMP_CMP_GE",
    "SCMP_CMP_GT",
    "SCMP_CMP_MASKED_EQ",
];
const ARCHES: [&str; 5] = [
    "SCMP_ARCH_X86_64",
    "SCMP_ARCH_X86",
    "SCMP_ARCH_X32",
    "SCMP_ARCH_AARCH64",
    "SCMP_ARCH_NATIVE",
];
/// x86_64 and i386 names, i386-only and x86_64-only ones, and a made-up one.
const NAMES: [&str; 8] = [
    "read",
    "write",
    "socket",
    "clone",
    "chown32",
    "arch_prctl",
    "mmap2",
    "frobnicate",
];

#[derive(Debug, Clone)]
struct GenArg {
    index: usize,
    value: u64,
    value_two: Option<u64>,
    op: usize,
}

#[derive(Debug, Clone)]
struct GenEntry {
    names: Vec<usize>,
    action: usize,
    errno_ret: Option<u32>,
    args: Vec<GenArg>,
}

#[derive(Debug, Clone)]
struct GenProfile {
    default_action: usize,
    default_errno_ret: Option<u32>,
    arches: Vec<usize>,
    entries: Vec<GenEntry>,
}

fn value() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..8, Just(u64::MAX), Just(0x7e02_0000u64), any::<u64>()]
}

fn errno() -> impl Strategy<Value = Option<u32>> {
    prop_oneof![
        Just(None),
        (0u32..200).prop_map(Some),
        (60_000u32..70_000).prop_map(Some)
    ]
}

fn arg() -> impl Strategy<Value = GenArg> {
    (
        0usize..7,
        value(),
        proptest::option::of(value()),
        0..OPS.len(),
    )
        .prop_map(|(index, value, value_two, op)| GenArg {
            index,
            value,
            value_two,
            op,
        })
}

fn entry() -> impl Strategy<Value = GenEntry> {
    (
        proptest::collection::vec(0..NAMES.len(), 0..4),
        0..ACTIONS.len(),
        errno(),
        proptest::collection::vec(arg(), 0..3),
    )
        .prop_map(|(names, action, errno_ret, args)| GenEntry {
            names,
            action,
            errno_ret,
            args,
        })
}

fn profile() -> impl Strategy<Value = GenProfile> {
    (
        0..ACTIONS.len(),
        errno(),
        proptest::collection::vec(0..ARCHES.len(), 0..4),
        proptest::collection::vec(entry(), 0..8),
    )
        .prop_map(
            |(default_action, default_errno_ret, arches, entries)| GenProfile {
                default_action,
                default_errno_ret,
                arches,
                entries,
            },
        )
}

fn to_json(p: &GenProfile) -> Value {
    let mut root = json!({ "defaultAction": ACTIONS[p.default_action] });
    if let Some(e) = p.default_errno_ret {
        root["defaultErrnoRet"] = json!(e);
    }
    if !p.arches.is_empty() {
        root["architectures"] = json!(p.arches.iter().map(|a| ARCHES[*a]).collect::<Vec<_>>());
    }
    let calls: Vec<Value> = p
        .entries
        .iter()
        .map(|e| {
            let mut c = json!({
                "names": e.names.iter().map(|n| NAMES[*n]).collect::<Vec<_>>(),
                "action": ACTIONS[e.action],
            });
            if let Some(r) = e.errno_ret {
                c["errnoRet"] = json!(r);
            }
            if !e.args.is_empty() {
                c["args"] = json!(e
                    .args
                    .iter()
                    .map(|a| {
                        let mut v = json!({"index": a.index, "value": a.value, "op": OPS[a.op]});
                        if let Some(two) = a.value_two {
                            v["valueTwo"] = json!(two);
                        }
                        v
                    })
                    .collect::<Vec<_>>());
            }
            c
        })
        .collect();
    root["syscalls"] = json!(calls);
    root
}

fn action_of(i: usize, errno: Option<u32>) -> Action {
    let data = errno.unwrap_or(1) as u16;
    match ACTIONS[i] {
        "SCMP_ACT_KILL" | "SCMP_ACT_KILL_THREAD" => Action::KillThread,
        "SCMP_ACT_KILL_PROCESS" => Action::KillProcess,
        "SCMP_ACT_TRAP" => Action::Trap(0),
        "SCMP_ACT_ERRNO" => Action::Errno(data),
        "SCMP_ACT_TRACE" => Action::Trace(data),
        "SCMP_ACT_LOG" => Action::Log,
        "SCMP_ACT_NOTIFY" => Action::Notify,
        _ => Action::Allow,
    }
}

fn is_valid(p: &GenProfile) -> bool {
    let errno_ok = |e: Option<u32>| e.is_none_or(|e| e <= u16::MAX as u32);
    errno_ok(p.default_errno_ret)
        && p.entries
            .iter()
            .all(|e| errno_ok(e.errno_ret) && e.args.iter().all(|a| a.index < 6))
}

fn arg_holds(a: &GenArg, args: &[u64; 6]) -> bool {
    let x = args[a.index];
    match OPS[a.op] {
        "SCMP_CMP_NE" => x != a.value,
        "SCMP_CMP_LT" => x < a.value,
        "SCMP_CMP_LE" => x <= a.value,
        "SCMP_CMP_EQ" => x == a.value,
        "SCMP_CMP_GE" => x >= a.value,
        "SCMP_CMP_GT" => x > a.value,
        _ => x & a.value == a.value_two.unwrap_or(0),
    }
}

/// runc + libseccomp, straight from the profile: rules equal to the default
/// are skipped; an entry testing one argument twice becomes one rule per
/// condition; the first unconditional rule decides alone; otherwise the
/// first matching rule in profile order; otherwise the default.
fn model(p: &GenProfile, abi: Abi, name: &str, args: &[u64; 6]) -> Action {
    let covered = abi == Abi::X86_64
        || p.arches.iter().any(|a| match ARCHES[*a] {
            "SCMP_ARCH_X86" => abi == Abi::I386,
            "SCMP_ARCH_X32" => abi == Abi::X32,
            _ => false,
        });
    if !covered {
        return Action::KillThread;
    }
    let default = action_of(p.default_action, p.default_errno_ret);
    if abi.table().number(name).is_none() {
        return default;
    }
    let mut rules: Vec<(Action, Vec<&GenArg>)> = Vec::new();
    for e in &p.entries {
        if !e.names.iter().any(|n| NAMES[*n] == name) {
            continue;
        }
        let action = action_of(e.action, e.errno_ret);
        if action == default {
            continue;
        }
        let mut indices: Vec<usize> = e.args.iter().map(|a| a.index).collect();
        indices.sort();
        let repeats = indices.windows(2).any(|w| w[0] == w[1]);
        if repeats {
            rules.extend(e.args.iter().map(|a| (action, vec![a])));
        } else {
            rules.push((action, e.args.iter().collect()));
        }
    }
    if let Some((action, _)) = rules.iter().find(|r| r.1.is_empty()) {
        return *action;
    }
    rules
        .iter()
        .find(|(_, conds)| conds.iter().all(|c| arg_holds(c, args)))
        .map_or(default, |r| r.0)
}

/// Argument vectors that sit on and around every value the profile tests.
fn probe_args(p: &GenProfile) -> Vec<[u64; 6]> {
    let mut values = vec![0u64, 1, u64::MAX];
    for a in p.entries.iter().flat_map(|e| &e.args) {
        values.extend([a.value, a.value.wrapping_add(1), a.value.wrapping_sub(1)]);
        if let Some(two) = a.value_two {
            values.push(two);
        }
    }
    let n = values.len();
    (0..n)
        .map(|k| std::array::from_fn(|i| values[(k + i * 3) % n]))
        .collect()
}

fn check(p: &GenProfile, policy: &Policy) -> Result<(), TestCaseError> {
    for abi in Abi::ALL {
        for name in NAMES {
            for args in probe_args(p) {
                prop_assert_eq!(
                    policy.action(abi, name, &args),
                    model(p, abi, name, &args),
                    "{} {} {:?}",
                    abi,
                    name,
                    args
                );
            }
        }
    }
    let text = serde_json::to_string(policy).unwrap();
    let back: Policy = serde_json::from_str(&text).unwrap();
    prop_assert_eq!(&back, policy);
    Ok(())
}

fn ctx() -> EvalContext {
    EvalContext::new(Default::default(), "6.8".parse().unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn oci_json_agrees_with_the_model(p in profile()) {
        let text = serde_json::to_string_pretty(&to_json(&p)).unwrap();
        let result = load_str(&text, "gen.json", ProfileFormat::Auto, &ctx());
        prop_assert_eq!(result.is_ok(), is_valid(&p), "{:?}", result.as_ref().err());
        if let Ok(loaded) = result {
            prop_assert_eq!(loaded.len(), 1);
            let unknown = p.entries.iter().any(|e| e.names.iter().any(|n| NAMES[*n] == "frobnicate"));
            prop_assert_eq!(loaded[0].unknown_syscalls.is_empty(), !unknown);
            check(&p, &loaded[0].policy)?;
        }
    }

    #[test]
    fn spo_yaml_agrees_with_the_model(p in profile()) {
        let doc = json!({
            "apiVersion": "security-profiles-operator.x-k8s.io/v1beta1",
            "kind": "SeccompProfile",
            "metadata": {"name": "generated"},
            "spec": to_json(&p),
        });
        let text = serde_norway::to_string(&doc).unwrap();
        let result = load_str(&text, "gen.yaml", ProfileFormat::Auto, &ctx());
        prop_assert_eq!(result.is_ok(), is_valid(&p), "{:?}", result.as_ref().err());
        if let Ok(loaded) = result {
            check(&p, &loaded[0].policy)?;
        }
    }

    #[test]
    fn docker_format_without_filters_agrees(p in profile()) {
        // Docker's format with `name` for single-name entries.
        let mut v = to_json(&p);
        for call in v["syscalls"].as_array_mut().unwrap() {
            if call["names"].as_array().map(|n| n.len()) == Some(1) {
                let name = call["names"][0].clone();
                call.as_object_mut().unwrap().remove("names");
                call["name"] = name;
            }
        }
        let text = v.to_string();
        let result = load_str(&text, "gen.json", ProfileFormat::Docker, &ctx());
        prop_assert_eq!(result.is_ok(), is_valid(&p), "{:?}", result.as_ref().err());
        if let Ok(loaded) = result {
            check(&p, &loaded[0].policy)?;
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = load_str(&text, "junk", ProfileFormat::Auto, &ctx());
        let _ = load_str(&text, "junk", ProfileFormat::Spo, &ctx());
    }

    #[test]
    fn mutated_real_profiles_never_panic(file in 0usize..6, cut in any::<usize>(), byte in any::<u8>(), len in 0usize..3) {
        let real = [
            include_str!("../../../data/profiles/docker-example.json"),
            include_str!("../../../data/profiles/docker-conditional-include.json"),
            include_str!("../../../data/profiles/spo-seccompprofile.yaml"),
            include_str!("../../../data/profiles/firecracker-x86_64.json"),
            include_str!("../../../data/profiles/podman-seccomp.json"),
            include_str!("../../../data/profiles/runc-seccomp-syscall-test1.json"),
        ];
        let mut text = real[file].as_bytes().to_vec();
        let at = cut % text.len();
        // Overwrite, insert or cut at a random place.
        match len {
            0 => text[at] = byte,
            1 => text.insert(at, byte),
            _ => text.truncate(at),
        }
        let text = String::from_utf8_lossy(&text);
        let _ = load_str(&text, "mutated", ProfileFormat::Auto, &ctx());
    }
}
