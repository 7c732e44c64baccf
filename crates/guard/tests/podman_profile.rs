//! Podman's own seccomp profile (containers/common's `seccomp.json`): the
//! file Debian's golang-github-containers-common installs and the copy in
//! `data/profiles/`. Every field the real files carry is read (issue 13:
//! `defaultErrno` and `errno` were refused); what aprof says the profile
//! allows is checked against the file itself and then against the kernel,
//! with the profile loaded into a real filter.
//!
//! The kernel check never runs a probed syscall: an older filter answers
//! every call with errno 3999, and the profile's filter is stacked on it.
//! Where the profile allows a call, the older filter's errno is what comes
//! back; where the profile fails it, its own errno wins, since the kernel
//! keeps the data of the newest filter among equal actions.

mod differential_support;

use aprof_footprint::abi::X32_SYSCALL_BIT;
use aprof_footprint::Abi;
use aprof_guard::bpf::{self, Insn};
use aprof_guard::profile::{load_str, EvalContext, LoadedProfile, ProfileFormat};
use aprof_guard::{prefilter, Action, Policy};
use differential_support::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Where Debian's package installs it.
const INSTALLED: &str = "/usr/share/containers/seccomp.json";
/// The errno of the older filter: "the profile allowed it".
const MARKER: u16 = 3999;

fn committed() -> PathBuf {
    aprof_testkit::reference::data_dir().join("profiles/podman-seccomp.json")
}

/// The profiles to check: the committed copy, and the installed file (a
/// skip when the package is missing).
fn profiles() -> Vec<PathBuf> {
    let mut out = vec![committed()];
    if Path::new(INSTALLED).exists() {
        out.push(INSTALLED.into());
    } else {
        aprof_testkit::skip(&format!(
            "{INSTALLED} missing (apt-get install golang-github-containers-common)"
        ));
    }
    out
}

fn ctx(strict: bool) -> EvalContext {
    EvalContext::docker_defaults()
        .expect("running kernel")
        .with_strict(strict)
}

fn load(path: &Path, strict: bool) -> LoadedProfile {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.display().to_string();
    let mut loaded =
        load_str(&text, &name, ProfileFormat::Auto, &ctx(strict)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.len(), 1);
    loaded.remove(0)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn errno_number(name: &str) -> u16 {
    match name {
        "EPERM" => libc::EPERM as u16,
        "ENOSYS" => libc::ENOSYS as u16,
        "EINVAL" => libc::EINVAL as u16,
        other => panic!("errno name {other} not in this test's list"),
    }
}

/// What the file says, read with serde_json: the default errno, the
/// x86_64 names every environment allows unconditionally, and those every
/// environment fails with a given errno (entries without conditions that
/// name no syscall of another entry).
fn facts(path: &Path) -> (u16, BTreeSet<String>, Vec<(String, u16)>) {
    let json: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let default = match (&json["defaultErrnoRet"], &json["defaultErrno"]) {
        (Value::Number(n), _) => n.as_u64().unwrap() as u16,
        (_, Value::String(name)) => errno_number(name),
        _ => libc::EPERM as u16,
    };
    let entries = json["syscalls"].as_array().unwrap();
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for e in entries {
        for n in strings(&e["names"]) {
            *seen.entry(n).or_default() += 1;
        }
    }
    let plain = |e: &Value| {
        let empty = |v: &Value| v.as_object().is_none_or(|o| o.is_empty());
        strings(&e["args"]).is_empty()
            && e["args"].as_array().is_none_or(|a| a.is_empty())
            && empty(&e["includes"])
            && empty(&e["excludes"])
    };
    let table = Abi::X86_64.table();
    let mut allowed = BTreeSet::new();
    let mut failed = Vec::new();
    for e in entries.iter().filter(|e| plain(e)) {
        for n in strings(&e["names"]) {
            if seen[&n] != 1 || table.number(&n).is_none() {
                continue;
            }
            match e["action"].as_str().unwrap() {
                "SCMP_ACT_ALLOW" => {
                    allowed.insert(n);
                }
                "SCMP_ACT_ERRNO" => {
                    let errno = match (&e["errnoRet"], &e["errno"]) {
                        (Value::Number(v), _) => v.as_u64().unwrap() as u16,
                        (_, Value::String(name)) => errno_number(name),
                        _ => libc::EPERM as u16,
                    };
                    failed.push((n, errno));
                }
                other => panic!("{other}"),
            }
        }
    }
    (default, allowed, failed)
}

#[test]
fn podman_profiles_load_with_every_field_they_carry() {
    for path in profiles() {
        let lenient = load(&path, false);
        assert!(
            lenient.ignored_fields.is_empty(),
            "{}: {:?}",
            path.display(),
            lenient.ignored_fields
        );
        // Nothing skipped, so --strict reads it too, to the same policy.
        assert_eq!(load(&path, true).policy, lenient.policy);
        let (default, allowed, failed) = facts(&path);
        let x86_64 = &lenient.policy.abis[&Abi::X86_64];
        assert_eq!(
            x86_64.default_action,
            Action::Errno(default),
            "{}",
            path.display()
        );
        assert!(allowed.len() > 250, "{}: {}", path.display(), allowed.len());
        for name in &allowed {
            assert_eq!(x86_64.action(name, &[0; 6]), Action::Allow, "{name}");
        }
        assert!(!failed.is_empty());
        for (name, errno) in &failed {
            assert_eq!(
                x86_64.action(name, &[0; 6]),
                Action::Errno(*errno),
                "{name}"
            );
        }
        // A syscall the file never names gets the default, unless the
        // kernel lets it through before the filter.
        let kernel = ctx(false).kernel;
        for (name, _) in Abi::X86_64.table().iter() {
            let named = allowed.contains(name) || failed.iter().any(|(n, _)| n == name);
            let exempt = prefilter::in_force(&kernel).any(|e| e.syscall == name);
            if !named
                && !std::fs::read_to_string(&path)
                    .unwrap()
                    .contains(&format!("\"{name}\""))
            {
                let want = if exempt {
                    Action::Allow
                } else {
                    Action::Errno(default)
                };
                assert_eq!(x86_64.action(name, &[0; 6]), want, "{name}");
            }
        }
    }
}

/// A filter that fails every call with [`MARKER`], but for the
/// `seccomp(SECCOMP_SET_MODE_FILTER, ...)` that stacks the profile on it.
fn marker_filter() -> Vec<Insn> {
    const LD: u16 = 0x20;
    const JEQ: u16 = 0x15;
    const RET: u16 = 0x06;
    vec![
        Insn::stmt(LD, 4),
        Insn::jump(JEQ, aprof_footprint::abi::AUDIT_ARCH_X86_64, 0, 7),
        Insn::stmt(LD, 0),
        Insn::jump(JEQ, libc::SYS_seccomp as u32, 0, 5),
        Insn::stmt(LD, 16),
        Insn::jump(JEQ, 1, 0, 3),
        Insn::stmt(LD, 20),
        Insn::jump(JEQ, 0, 0, 1),
        Insn::stmt(RET, 0x7fff_0000),
        Insn::stmt(RET, 0x0005_0000 | MARKER as u32),
    ]
}

/// Every syscall number of every ABI the profile covers, with the argument
/// values its conditions name; the calls the kernel exempts are left out
/// (they run: see prefilter_kernel.rs).
fn cases(policy: &Policy, int80: bool) -> Vec<(Abi, String, Case)> {
    let mut out = Vec::new();
    for abi in [Abi::X86_64, Abi::X32, Abi::I386] {
        if abi == Abi::I386 && !int80 {
            continue;
        }
        let entry = if abi == Abi::I386 {
            Entry::Int80
        } else {
            Entry::Syscall
        };
        let p = &policy.abis[&abi];
        let mut numbers: Vec<(String, u32)> = abi
            .table()
            .iter()
            .map(|(n, nr)| (n.to_string(), nr))
            .collect();
        let base = if abi == Abi::X32 { X32_SYSCALL_BIT } else { 0 };
        numbers.extend(
            (0..600u32)
                .map(|n| base | n)
                .filter(|nr| abi.table().name(*nr).is_none())
                .map(|nr| (aprof_footprint::abi::syscall_name(abi, nr), nr)),
        );
        for (name, nr) in numbers {
            if abi == Abi::X86_64 && prefilter::EXCEPTIONS.iter().any(|e| e.syscall == name) {
                continue;
            }
            // The marker lets seccomp(SECCOMP_SET_MODE_FILTER) through.
            let installs = abi == Abi::X86_64 && name == "seccomp";
            let mut arg_sets = vec![[0u64; 6]];
            for rule in p.syscalls.get(&name).into_iter().flatten() {
                for c in &rule.conditions {
                    for v in [c.value, c.value.wrapping_add(1), c.value.wrapping_sub(1)] {
                        let mut args = [0u64; 6];
                        args[c.index as usize] = v;
                        arg_sets.push(args);
                    }
                }
            }
            for args in arg_sets {
                if installs && args[0] == 1 {
                    continue;
                }
                out.push((
                    abi,
                    name.clone(),
                    Case {
                        entry,
                        nr: nr as u64,
                        args,
                    },
                ));
            }
        }
    }
    out
}

#[test]
fn what_aprof_says_podman_allows_agrees_with_the_kernel() {
    let int80 = int80_works();
    for path in profiles() {
        let loaded = load(&path, false);
        let filter = bpf::compile(&loaded.policy).unwrap();
        let cases = cases(&loaded.policy, int80);
        let only: Vec<Case> = cases.iter().map(|(_, _, c)| *c).collect();
        let observed = run_cases(&[marker_filter(), filter], &only);
        let mut bad = Vec::new();
        let mut allowed = 0;
        for ((abi, name, case), obs) in cases.iter().zip(&observed) {
            let said = loaded.policy.action(*abi, name, &case.args);
            let expected = match said {
                Action::Allow => {
                    allowed += 1;
                    Observed::Returned(-(MARKER as i64))
                }
                Action::Errno(e) => Observed::Returned(-(e as i64)),
                other => panic!("{abi} {name}: {other} is not in Podman's profile"),
            };
            if *obs != expected {
                bad.push(format!(
                    "{abi} {name} {:x?}: aprof {said}, kernel {obs:?}",
                    case.args
                ));
            }
        }
        println!(
            "{}: {} calls probed, {allowed} allowed; {} disagree",
            path.display(),
            cases.len(),
            bad.len()
        );
        assert!(bad.is_empty(), "{}: {}", path.display(), bad.join("\n"));
    }
}
