//! The interpreter must agree with the kernel: real filters in forked
//! children, raw syscalls, and the verdicts compared case by case.
//!
//! Filters: random policies compiled by `bpf::compile`, random raw cBPF
//! programs, Docker's default profile, and random (mostly invalid) programs
//! whose acceptance by the kernel is compared with `bpf::validate`.

mod differential_support;

use aprof_footprint::abi::{
    AUDIT_ARCH_AARCH64, AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, X32_SYSCALL_BIT,
};
use aprof_footprint::Abi;
use aprof_guard::bpf::{self, Insn};
use aprof_guard::{AbiPolicy, Action, ArgCondition, CmpOp, Policy, Rule};
use differential_support::*;
use std::collections::BTreeMap;

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Harmless syscalls per entry: (abi, name, number).
fn harmless(abi: Abi) -> Vec<(String, u64)> {
    let names: &[&str] = &["getppid", "getpgrp", "sched_yield"];
    let mut out: Vec<(String, u64)> = names
        .iter()
        .filter_map(|n| abi.table().number(n).map(|nr| (n.to_string(), nr as u64)))
        .collect();
    let unknown = match abi {
        Abi::X86_64 => 500,
        Abi::I386 => 600,
        Abi::X32 => 1000 | X32_SYSCALL_BIT,
    };
    out.push((format!("syscall_{unknown}"), unknown as u64));
    out
}

fn entry_of(abi: Abi) -> Entry {
    if abi == Abi::I386 {
        Entry::Int80
    } else {
        Entry::Syscall
    }
}

fn abi_of(case: &Case) -> Abi {
    match case.entry {
        Entry::Int80 => Abi::I386,
        Entry::Syscall if case.nr & X32_SYSCALL_BIT as u64 != 0 => Abi::X32,
        Entry::Syscall => Abi::X86_64,
    }
}

struct Env {
    ppid: i64,
    pgrp: i64,
    x32: bool,
    int80: bool,
}

fn env() -> Env {
    Env {
        ppid: std::process::id() as i64,
        // SAFETY: no preconditions.
        pgrp: unsafe { libc::getpgrp() } as i64,
        x32: x32_works(),
        int80: int80_works(),
    }
}

/// What each harmless or probing syscall returns when a filter allows it.
fn allowed_result(env: &Env, case: &Case) -> Allowed {
    let abi = abi_of(case);
    if abi == Abi::X32 && !env.x32 {
        return Allowed::Exactly(-(libc::ENOSYS as i64));
    }
    let name = abi.table().name(case.nr as u32).unwrap_or("");
    match name {
        "getppid" => Allowed::Exactly(env.ppid),
        "getpgrp" => Allowed::Exactly(env.pgrp),
        "sched_yield" => Allowed::Exactly(0),
        "personality" => Allowed::NonNegative,
        "socket" => Allowed::NotErrno(&[libc::EPERM as i64]),
        "clone" => Allowed::Exactly(-(libc::EINVAL as i64)),
        "clone3" => Allowed::Exactly(-(libc::EINVAL as i64)),
        "keyctl" => Allowed::Exactly(-(libc::EOPNOTSUPP as i64)),
        _ => Allowed::Exactly(-(libc::ENOSYS as i64)),
    }
}

const VALUE_POOL: &[u64] = &[
    0,
    1,
    2,
    5,
    8,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x1_0000_0000,
    0x1_0000_0005,
    0x8000_0000_0000_0000,
    0xffff_ffff_0000_0000,
    0xffff_ffff_ffff_ffff,
];

fn random_value(rng: &mut Rng) -> u64 {
    match rng.below(4) {
        0 => rng.pick(VALUE_POOL),
        1 => rng.next() & 0xffff_ffff,
        2 => (rng.pick(VALUE_POOL) << 32) | (rng.next() & 0xffff_ffff),
        _ => rng.next(),
    }
}

fn random_action(rng: &mut Rng) -> Action {
    match rng.below(12) {
        0..=2 => Action::Allow,
        3 => Action::Log,
        4..=5 => Action::Errno(1000 + rng.below(3000) as u16),
        6 => Action::Errno(rng.pick(&[0u16, 4095, 4096, 65535])),
        7 | 8 => Action::Trap(rng.below(65536) as u16),
        9 => Action::Trace(rng.below(65536) as u16),
        10 => Action::KillThread,
        _ => Action::KillProcess,
    }
}

fn random_condition(rng: &mut Rng) -> ArgCondition {
    let op = match rng.below(7) {
        0 => CmpOp::Eq,
        1 => CmpOp::Ne,
        2 => CmpOp::Lt,
        3 => CmpOp::Le,
        4 => CmpOp::Gt,
        5 => CmpOp::Ge,
        _ => CmpOp::MaskedEq(random_value(rng)),
    };
    ArgCondition {
        index: rng.below(6) as u8,
        op,
        value: random_value(rng),
    }
}

fn random_policy(rng: &mut Rng) -> Policy {
    let mut abis = BTreeMap::new();
    for abi in Abi::ALL {
        if abi != Abi::X86_64 && rng.chance(30) {
            continue;
        }
        let mut syscalls: BTreeMap<String, Vec<Rule>> = BTreeMap::new();
        // Never-called syscalls shape the search tree.
        let table: Vec<(&str, u32)> = abi.table().iter().collect();
        for _ in 0..rng.below(120) {
            let (name, _) = rng.pick(&table);
            syscalls.insert(
                name.to_string(),
                vec![Rule {
                    action: random_action(rng),
                    conditions: Vec::new(),
                }],
            );
        }
        for (name, _) in harmless(abi) {
            match rng.below(10) {
                0..=2 => {
                    syscalls.remove(&name);
                }
                3..=5 => {
                    syscalls.insert(
                        name,
                        vec![Rule {
                            action: random_action(rng),
                            conditions: Vec::new(),
                        }],
                    );
                }
                _ => {
                    let rules = (0..1 + rng.below(3))
                        .map(|_| Rule {
                            action: random_action(rng),
                            conditions: (0..1 + rng.below(3))
                                .map(|_| random_condition(rng))
                                .collect(),
                        })
                        .collect();
                    syscalls.insert(name, rules);
                }
            }
        }
        if abi == Abi::X86_64 {
            // The child returns from its SIGSYS handler with rt_sigreturn,
            // and installs stacked filters with seccomp.
            for name in ["rt_sigreturn", "seccomp"] {
                syscalls.insert(
                    name.into(),
                    vec![Rule {
                        action: Action::Allow,
                        conditions: Vec::new(),
                    }],
                );
            }
        }
        abis.insert(
            abi,
            AbiPolicy {
                default_action: random_action(rng),
                syscalls,
                number_ranges: Vec::new(),
            },
        );
    }
    Policy {
        abis,
        other_abi_action: random_action(rng),
    }
}

/// Argument values that hit the conditions of a policy, and random ones.
fn case_args(rng: &mut Rng, interesting: &[u64]) -> [u64; 6] {
    let mut args = [0u64; 6];
    for a in &mut args {
        *a = if !interesting.is_empty() && rng.chance(60) {
            let v = rng.pick(interesting);
            match rng.below(5) {
                0 => v.wrapping_add(1),
                1 => v.wrapping_sub(1),
                2 => v ^ 0xffff_ffff_0000_0000,
                _ => v,
            }
        } else {
            random_value(rng)
        };
    }
    args
}

fn random_cases(rng: &mut Rng, env: &Env, interesting: &[u64], n: usize) -> Vec<Case> {
    let mut abis = vec![Abi::X86_64, Abi::X32];
    if env.int80 {
        abis.push(Abi::I386);
    }
    (0..n)
        .map(|_| {
            let abi = rng.pick(&abis);
            let calls = harmless(abi);
            let (_, nr) = calls[rng.below(calls.len() as u64) as usize];
            Case {
                entry: entry_of(abi),
                nr,
                args: case_args(rng, interesting),
            }
        })
        .collect()
}

fn condition_values(policy: &Policy) -> Vec<u64> {
    let mut out = Vec::new();
    for p in policy.abis.values() {
        for rules in p.syscalls.values() {
            for r in rules {
                for c in &r.conditions {
                    out.push(c.value);
                    if let CmpOp::MaskedEq(m) = c.op {
                        out.push(m);
                        out.push(c.value | !m);
                    }
                }
            }
        }
    }
    out
}

/// Random valid raw cBPF over seccomp_data, with every allowed opcode.
fn random_program(rng: &mut Rng) -> Vec<Insn> {
    const ACTIONS: &[u32] = &[
        0x7fff_0000,
        0x7ffc_0000,
        0x0005_03e9,
        0x0005_0fff,
        0x0005_2000,
        0x0003_0007,
        0x7ff0_0001,
        0x0000_0000,
        0x8000_0000,
        0x0001_0000,
        0x7fff_1234,
    ];
    let nrs: Vec<u32> = [Abi::X86_64, Abi::I386, Abi::X32]
        .iter()
        .flat_map(|a| harmless(*a).into_iter().map(|(_, nr)| nr as u32))
        .collect();
    let mut prog = vec![
        // rt_sigreturn (for the SIGSYS handler) and seccomp (to stack
        // filters) always pass.
        Insn::stmt(0x20, 0),
        Insn::jump(0x15, 15, 1, 0),
        Insn::jump(0x15, 317, 0, 1),
        Insn::stmt(0x06, 0x7fff_0000),
        Insn::stmt(0x00, rng.next() as u32),
        Insn::stmt(0x02, 0),
        Insn::stmt(0x01, rng.next() as u32),
        Insn::stmt(0x03, 1),
    ];
    let body = 4 + rng.below(40) as usize;
    let total = prog.len() + body + 1;
    while prog.len() < total - 1 {
        let left = total - prog.len() - 1; // instructions after this one
        let k_pool = |rng: &mut Rng| match rng.below(5) {
            0 => rng.pick(&nrs),
            1 => rng.pick(&[
                AUDIT_ARCH_X86_64,
                AUDIT_ARCH_I386,
                AUDIT_ARCH_AARCH64,
                X32_SYSCALL_BIT,
            ]),
            2 => rng.pick(VALUE_POOL) as u32,
            _ => rng.next() as u32,
        };
        let insn = match rng.below(16) {
            0..=2 => Insn::stmt(0x20, 4 * rng.below(16) as u32),
            3 => Insn::stmt(rng.pick(&[0x00u16, 0x01, 0x80, 0x81]), k_pool(rng)),
            4 => Insn::stmt(rng.pick(&[0x60u16, 0x61, 0x02, 0x03]), rng.below(2) as u32),
            5 => Insn::stmt(rng.pick(&[0x07u16, 0x87, 0x84]), 0),
            6 | 7 => {
                let op = rng.pick(&[0x00u16, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0]);
                if rng.chance(50) {
                    Insn::stmt(0x04 | op | 0x08, 0)
                } else {
                    let k = match op {
                        0x30 => 1 + rng.below(1000) as u32,
                        0x60 | 0x70 => rng.below(32) as u32,
                        _ => k_pool(rng),
                    };
                    Insn::stmt(0x04 | op, k)
                }
            }
            8..=12 => {
                let op = rng.pick(&[0x10u16, 0x20, 0x30, 0x40]);
                let src = if rng.chance(25) { 0x08 } else { 0 };
                let max = left.min(256) as u64;
                let jt = rng.below(max) as u8;
                let jf = rng.below(max) as u8;
                Insn::jump(0x05 | op | src, k_pool(rng), jt, jf)
            }
            13 => Insn::stmt(0x05, rng.below(left.min(8) as u64) as u32),
            14 => Insn::stmt(0x16, 0),
            _ => Insn::stmt(0x06, rng.pick(ACTIONS)),
        };
        prog.push(insn);
    }
    prog.push(Insn::stmt(0x06, rng.pick(ACTIONS)));
    prog
}

/// Docker's default profile with its default capabilities, through the profile parser.
fn docker_default_policy() -> Policy {
    let ctx = aprof_guard::profile::EvalContext::docker_defaults().expect("kernel version");
    aprof_guard::profile::docker_default(&ctx)
        .expect("docker-default.json parses")
        .policy
}

/// Cases that probe Docker's argument rules with harmless calls.
fn docker_cases(rng: &mut Rng, env: &Env, n: usize) -> Vec<Case> {
    let mut abis = vec![Abi::X86_64, Abi::X32];
    if env.int80 {
        abis.push(Abi::I386);
    }
    let ns_bits = [
        0x20000u64,
        0x0200_0000,
        0x0400_0000,
        0x0800_0000,
        0x1000_0000,
        0x2000_0000,
        0x4000_0000,
    ];
    (0..n)
        .map(|_| {
            let abi = rng.pick(&abis);
            let mut args = [0u64; 6];
            let name = rng.pick(&[
                "personality",
                "socket",
                "clone",
                "clone3",
                "keyctl",
                "harmless",
            ]);
            let name = match name {
                "harmless" => {
                    let h = harmless(abi);
                    return Case {
                        entry: entry_of(abi),
                        nr: h[rng.below(h.len() as u64) as usize].1,
                        args: case_args(rng, &[]),
                    };
                }
                "personality" => {
                    args[0] = rng.pick(&[
                        0u64,
                        8,
                        0x20000,
                        0x20008,
                        0xffff_ffff,
                        1,
                        0x1_0000_0000,
                        0x1_0000_0008,
                        0x0040_0000,
                    ]);
                    "personality"
                }
                "socket" => {
                    args[0] = rng.pick(&[
                        0u64,
                        1,
                        2,
                        10,
                        16,
                        17,
                        37,
                        38,
                        39,
                        40,
                        41,
                        44,
                        45,
                        0x1_0000_0002,
                        0xffff_ffff,
                    ]);
                    args[1] = 2; // SOCK_DGRAM
                    "socket"
                }
                "clone" => {
                    // CLONE_SIGHAND without CLONE_VM: EINVAL if allowed.
                    args[0] = 0x800;
                    for b in ns_bits {
                        if rng.chance(20) {
                            args[0] |= b;
                        }
                    }
                    if rng.chance(20) {
                        args[0] |= 0xffff_0000_0000_0000;
                    }
                    "clone"
                }
                "clone3" => "clone3",
                _ => {
                    args[0] = 0xdead; // no such keyctl operation
                    "keyctl"
                }
            };
            Case {
                entry: entry_of(abi),
                nr: abi
                    .table()
                    .number(name)
                    .expect("docker probe syscall exists") as u64,
                args,
            }
        })
        .collect()
}

fn check(label: &str, filters: &[Vec<Insn>], cases: &[Case], env: &Env) -> usize {
    let bad = compare(filters, cases, &|c| allowed_result(env, c));
    assert!(
        bad.is_empty(),
        "{label}: {} of {} cases disagree, e.g.:\n{}\nfilter:\n{}",
        bad.len(),
        cases.len(),
        bad.iter().take(5).cloned().collect::<Vec<_>>().join("\n"),
        filters
            .iter()
            .map(|f| bpf::disassemble(f))
            .collect::<Vec<_>>()
            .join("---\n")
    );
    cases.len()
}

#[test]
fn kernel_agrees_with_interpreter() {
    if !cfg!(target_arch = "x86_64") {
        return aprof_testkit::skip("the differential test issues x86_64 syscalls");
    }
    let env = env();
    println!(
        "x32 ABI enabled: {}, int 0x80 works: {}",
        env.x32, env.int80
    );
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();

    // Random policies, compiled; one or two stacked.
    for i in 0..70 {
        let policy = random_policy(&mut rng);
        let mut filters = vec![bpf::compile(&policy).expect("random policy compiles")];
        let mut values = condition_values(&policy);
        if i % 4 == 3 {
            let second = random_policy(&mut rng);
            values.extend(condition_values(&second));
            filters.push(bpf::compile(&second).expect("compiles"));
        }
        for f in &filters {
            bpf::validate(f).expect("compiled filter is valid");
        }
        let cases = random_cases(&mut rng, &env, &values, 110);
        *counts.entry("random policies").or_default() +=
            check("random policy", &filters, &cases, &env);
    }

    // Random raw programs; sometimes stacked on a compiled policy.
    for i in 0..90 {
        let prog = random_program(&mut rng);
        bpf::validate(&prog).unwrap_or_else(|e| panic!("generated program invalid: {e}"));
        let mut filters = vec![prog];
        if i % 5 == 4 {
            filters.insert(0, random_program(&mut rng));
        }
        let cases = random_cases(&mut rng, &env, VALUE_POOL, 60);
        *counts.entry("random raw programs").or_default() +=
            check("random program", &filters, &cases, &env);
    }

    // Docker's default profile.
    let docker = bpf::compile(&docker_default_policy()).expect("docker default compiles");
    println!("docker default compiles to {} instructions", docker.len());
    let cases = docker_cases(&mut rng, &env, 1500);
    *counts.entry("docker default").or_default() +=
        check("docker default", &[docker], &cases, &env);

    let total: usize = counts.values().sum();
    println!("differential cases: {counts:?}, total {total}");
    assert!(total >= 10_000, "only {total} cases");
}

/// The kernel accepts exactly the programs `validate` accepts.
#[test]
fn kernel_accepts_what_validate_accepts() {
    let mut rng = Rng(0x0bad_c0de_1234_5678);
    let codes: Vec<u16> = (0..=0xffu16).collect();
    let mut accepted = 0;
    let total = 600;
    for i in 0..total {
        let len = 1 + rng.below(8) as usize;
        let mut prog: Vec<Insn> = (0..len)
            .map(|_| Insn {
                code: if i % 2 == 0 {
                    rng.pick(&[
                        0x20u16, 0x00, 0x01, 0x60, 0x61, 0x02, 0x03, 0x34, 0x64, 0x74, 0x15, 0x05,
                        0x06, 0x16, 0x87, 0x07, 0x84, 0x80, 0x81, 0x1d, 0x4d,
                    ])
                } else if rng.chance(70) {
                    rng.pick(&[
                        0x20u16, 0x00, 0x01, 0x60, 0x61, 0x02, 0x03, 0x34, 0x3c, 0x64, 0x74, 0x94,
                        0x15, 0x05, 0x06, 0x16, 0x28, 0x30, 0x40, 0xb1, 0x87, 0x07, 0x84, 0x80,
                        0x81,
                    ])
                } else {
                    rng.pick(&codes)
                },
                jt: rng.below(4) as u8,
                jf: rng.below(4) as u8,
                k: match rng.below(4) {
                    0 => rng.below(70) as u32,
                    1 => rng.below(3) as u32,
                    2 => 4 * rng.below(17) as u32,
                    _ => rng.next() as u32,
                },
            })
            .collect();
        if i % 2 == 0 || i % 3 == 0 {
            prog.push(Insn::stmt(0x06, 0x7fff_0000));
        }
        let ours = bpf::validate(&prog);
        let kernel = kernel_accepts(&prog);
        assert_eq!(
            ours.is_ok(),
            kernel,
            "validate says {ours:?}, kernel accepts: {kernel}\n{}",
            bpf::disassemble(&prog)
        );
        accepted += kernel as usize;
    }
    println!("validation cases: {total}, kernel accepted {accepted}");
    assert!(
        accepted > 20 && accepted < total - 20,
        "the programs should mix valid and invalid"
    );
}

fn kernel_accepts(prog: &[Insn]) -> bool {
    // SAFETY: the child only installs the filter and exits.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        let ok = aprof_guard::install::install_filter(prog, 0).is_ok();
        // The filter may refuse exit_group; _exit then dies anyway.
        unsafe { libc::_exit(if ok { 0 } else { 1 }) }
    }
    let mut status = 0;
    unsafe { libc::waitpid(pid, &mut status, 0) };
    // Exited 0, or killed by its own filter at _exit: the filter was installed.
    (libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) || libc::WIFSIGNALED(status)
}

#[allow(dead_code)]
fn unused() -> bool {
    is_root()
}

/// The action a policy gives a raw syscall number on an ABI.
fn policy_action(policy: &Policy, abi: Abi, nr: u32, args: &[u64; 6]) -> Action {
    match policy.abis.get(&abi) {
        Some(p) => p.action(&aprof_footprint::abi::syscall_name(abi, nr), args),
        None => policy.other_abi_action,
    }
}

/// Compare `evaluate(filters)` with the interpreter over many inputs;
/// returns (cases, disagreements).
fn evaluation_disagreements(
    rng: &mut Rng,
    filters: &[Vec<Insn>],
    values: &[u64],
    per_nr: usize,
) -> (usize, Vec<String>, bool) {
    let ev = bpf::evaluate(filters);
    let mut n = 0;
    let mut bad = Vec::new();
    for abi in Abi::ALL {
        let mut nrs: Vec<u32> = harmless(abi).into_iter().map(|(_, nr)| nr as u32).collect();
        let table: Vec<u32> = abi.table().iter().map(|(_, nr)| nr).collect();
        for _ in 0..20 {
            nrs.push(rng.pick(&table));
        }
        for &nr in &nrs {
            for _ in 0..per_nr {
                let args = case_args(rng, values);
                let sd = bpf::SeccompData {
                    nr,
                    arch: abi.audit_arch(),
                    instruction_pointer: rng.next(),
                    args,
                };
                let want = Action::from_ret(bpf::run_filters(filters, &sd));
                let got = policy_action(&ev.policy, abi, nr, &args);
                n += 1;
                if want != got {
                    bad.push(format!(
                        "{abi} nr {nr} args {args:x?}: interpreter {want}, policy {got}"
                    ));
                }
            }
        }
    }
    (n, bad, ev.exact)
}

#[test]
fn evaluation_agrees_with_interpreter() {
    let mut rng = Rng(0xe7a1_0000_0000_0042);
    let mut total = 0;
    for i in 0..40 {
        let policy = random_policy(&mut rng);
        let mut filters = vec![bpf::compile(&policy).expect("compiles")];
        let mut values = condition_values(&policy);
        if i % 4 == 3 {
            let second = random_policy(&mut rng);
            values.extend(condition_values(&second));
            filters.push(bpf::compile(&second).expect("compiles"));
        }
        let (n, bad, exact) = evaluation_disagreements(&mut rng, &filters, &values, 12);
        assert!(
            exact,
            "compiled policies evaluate exactly: {:?}",
            bpf::evaluate(&filters).notes
        );
        assert!(
            bad.is_empty(),
            "{} of {n} disagree:\n{}",
            bad.len(),
            bad[..bad.len().min(5)].join("\n")
        );
        total += n;
    }
    let (mut exact_programs, mut approx_cases, mut approx_bad) = (0, 0, 0);
    for _ in 0..60 {
        let filters = vec![random_program(&mut rng)];
        let (n, bad, exact) = evaluation_disagreements(&mut rng, &filters, VALUE_POOL, 4);
        if exact {
            exact_programs += 1;
            assert!(
                bad.is_empty(),
                "exact evaluation disagrees:\n{}\n{}",
                bad[..bad.len().min(5)].join("\n"),
                bpf::disassemble(&filters[0])
            );
            total += n;
        } else {
            approx_cases += n;
            approx_bad += bad.len();
        }
    }
    println!(
        "evaluation cases: {total} exact; random programs evaluated exactly: {exact_programs}/60; \
         approximate ones disagree on {approx_bad} of {approx_cases} inputs"
    );
}

#[test]
fn docker_default_round_trips_through_bpf() {
    let policy = docker_default_policy();
    let prog = bpf::compile(&policy).expect("compiles");
    assert!(prog.len() <= 4096);
    bpf::validate(&prog).expect("valid");
    let ev = bpf::evaluate(std::slice::from_ref(&prog));
    assert!(ev.exact, "{:?}", ev.notes);
    let allowed = |p: &Policy| {
        let x = &p.abis[&Abi::X86_64];
        let all: Vec<&String> = x
            .syscalls
            .iter()
            .filter(|(_, rules)| rules.iter().any(|r| r.action == Action::Allow))
            .map(|(n, _)| n)
            .collect();
        let conditional: Vec<&String> = x
            .syscalls
            .iter()
            .filter(|(_, rules)| {
                rules
                    .iter()
                    .any(|r| r.action == Action::Allow && !r.conditions.is_empty())
            })
            .map(|(n, _)| n)
            .collect();
        (
            all.len(),
            conditional.into_iter().cloned().collect::<Vec<_>>(),
        )
    };
    let (n_src, cond_src) = allowed(&policy);
    let (n_ev, cond_ev) = allowed(&ev.policy);
    println!("docker default x86_64: {n_src} allowed in the profile, {n_ev} after compile+evaluate; conditional {cond_ev:?}");
    assert_eq!(n_src, n_ev);
    assert_eq!(cond_src, cond_ev);
    assert_eq!(cond_ev, ["clone", "personality", "socket"]);
    for name in &cond_ev {
        println!(
            "evaluated {name}: {}",
            serde_json::to_string(&ev.policy.abis[&Abi::X86_64].syscalls[name.as_str()])
                .unwrap_or_default()
        );
    }
    let mut rng = Rng(7);
    let values = condition_values(&policy);
    let (n, bad, _) = evaluation_disagreements(&mut rng, &[prog], &values, 30);
    assert!(
        bad.is_empty(),
        "{} of {n} disagree:\n{}",
        bad.len(),
        bad[..bad.len().min(5)].join("\n")
    );
    let text = bpf::disassemble(&bpf::compile(&policy).expect("compiles"));
    if let Ok(path) = std::env::var("APROF_DUMP_DISASSEMBLY") {
        let _ = std::fs::write(path, &text);
    }
    assert!(
        text.contains("x86_64:personality"),
        "{}",
        text.lines()
            .filter(|l| l.contains("0x00000087") || l.contains("#0x87"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
