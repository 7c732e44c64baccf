//! The cBPF interpreter, validator, disassembler and compiler on fixed
//! programs whose kernel behaviour is known, plus property tests that no
//! input makes them panic. (The kernel comparison is in differential.rs.)

use aprof_footprint::abi::{AUDIT_ARCH_I386, AUDIT_ARCH_X86_64};
use aprof_footprint::Abi;
use aprof_guard::bpf::{self, Insn, SeccompData, ValidateError};
use aprof_guard::{AbiPolicy, Action, ArgCondition, CmpOp, Policy, Rule};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn s(code: u16, k: u32) -> Insn {
    Insn::stmt(code, k)
}

fn j(code: u16, k: u32, jt: u8, jf: u8) -> Insn {
    Insn::jump(code, k, jt, jf)
}

const ALLOW: u32 = 0x7fff_0000;

#[test]
fn validation_refuses_what_the_kernel_refuses() {
    use ValidateError::*;
    let cases: Vec<(Vec<Insn>, ValidateError)> = vec![
        (vec![], BadLength(0)),
        (vec![s(0x06, ALLOW); 4097], BadLength(4097)),
        (
            vec![s(0x94, 3), s(0x06, ALLOW)],
            BadOpcode { pc: 0, code: 0x94 },
        ),
        (
            vec![s(0x28, 0), s(0x06, ALLOW)],
            BadOpcode { pc: 0, code: 0x28 },
        ),
        (vec![s(0x34, 0), s(0x06, ALLOW)], DivisionByZero { pc: 0 }),
        (
            vec![s(0x64, 32), s(0x06, ALLOW)],
            ShiftTooLarge { pc: 0, k: 32 },
        ),
        (
            vec![s(0x02, 16), s(0x06, ALLOW)],
            BadMemoryIndex { pc: 0, k: 16 },
        ),
        (vec![s(0x05, 1), s(0x06, ALLOW)], JumpOutOfRange { pc: 0 }),
        (
            vec![j(0x15, 0, 1, 0), s(0x06, ALLOW)],
            JumpOutOfRange { pc: 0 },
        ),
        (vec![s(0x20, 2), s(0x06, ALLOW)], BadLoad { pc: 0, k: 2 }),
        (vec![s(0x20, 64), s(0x06, ALLOW)], BadLoad { pc: 0, k: 64 }),
        (
            vec![s(0x60, 3), s(0x06, ALLOW)],
            UninitialisedMemory { pc: 0, k: 3 },
        ),
        (vec![s(0x20, 0)], NoFinalReturn),
        // Stored on one branch only.
        (
            vec![
                s(0x20, 0),
                j(0x15, 1, 0, 1),
                s(0x02, 0),
                s(0x60, 0),
                s(0x06, ALLOW),
            ],
            UninitialisedMemory { pc: 3, k: 0 },
        ),
    ];
    for (prog, want) in cases {
        assert_eq!(bpf::validate(&prog), Err(want.clone()), "{want}");
        assert!(!want.to_string().is_empty());
    }
    // The kernel does not reset stored words after a return.
    let quirk = vec![s(0x02, 0), s(0x06, ALLOW), s(0x60, 0), s(0x06, ALLOW)];
    assert_eq!(bpf::validate(&quirk), Ok(()));
}

#[test]
fn runtime_semantics_follow_the_converted_program() {
    let sd = SeccompData {
        nr: 7,
        arch: AUDIT_ARCH_X86_64,
        instruction_pointer: 0x1122_3344_5566_7788,
        args: [0xaaaa_bbbb_cccc_dddd, 0, 0, 0, 0, 0],
    };
    // Division by X == 0 ends the program with 0 (kill thread).
    let div0 = [s(0x00, 10), s(0x01, 0), s(0x3c, 0), s(0x06, ALLOW)];
    assert_eq!(bpf::run_filter(&div0, &sd), 0);
    // Shifts by X use X & 31.
    let shl = [s(0x00, 1), s(0x01, 33), s(0x6c, 0), s(0x16, 0)];
    assert_eq!(bpf::run_filter(&shl, &sd), 2);
    // NEG, LEN, and 32-bit little-endian words of 64-bit fields.
    assert_eq!(
        bpf::run_filter(&[s(0x00, 1), s(0x84, 0), s(0x16, 0)], &sd),
        u32::MAX
    );
    assert_eq!(bpf::run_filter(&[s(0x80, 0), s(0x16, 0)], &sd), 64);
    assert_eq!(
        bpf::run_filter(&[s(0x20, 16), s(0x16, 0)], &sd),
        0xcccc_dddd
    );
    assert_eq!(
        bpf::run_filter(&[s(0x20, 20), s(0x16, 0)], &sd),
        0xaaaa_bbbb
    );
    assert_eq!(
        bpf::run_filter(&[s(0x20, 12), s(0x16, 0)], &sd),
        0x1122_3344
    );
    // JSET with X, TAX/TXA, scratch memory.
    let prog = [
        s(0x20, 0),
        s(0x02, 5),
        s(0x01, 4),
        j(0x4d, 0, 0, 1),
        s(0x61, 5),
        s(0x87, 0),
        s(0x16, 0),
    ];
    assert_eq!(bpf::run_filter(&prog, &sd), 7);
}

#[test]
fn stacked_filters_take_the_strongest_action_and_newest_data() {
    let sd = SeccompData::default();
    let ret = |k: u32| vec![s(0x06, k)];
    // Ties: the newest filter (last installed) gives the data.
    assert_eq!(
        bpf::run_filters(&[ret(0x0005_0001), ret(0x0005_0002)], &sd),
        0x0005_0002
    );
    assert_eq!(
        bpf::run_filters(&[ret(0x0005_0002), ret(0x0005_0001)], &sd),
        0x0005_0001
    );
    let order = [
        0x8000_0000u32, // kill process
        0x0000_0000,    // kill thread
        0x0003_0000,    // trap
        0x0005_0000,    // errno
        0x7fc0_0000,    // user notif
        0x7ff0_0000,    // trace
        0x7ffc_0000,    // log
        0x7fff_0000,    // allow
    ];
    for (i, &strong) in order.iter().enumerate() {
        for &weak in &order[i..] {
            assert_eq!(bpf::run_filters(&[ret(weak), ret(strong)], &sd), strong);
            assert_eq!(bpf::run_filters(&[ret(strong), ret(weak)], &sd), strong);
        }
    }
    // No filter: allow.
    assert_eq!(bpf::run_filters(&[], &sd), ALLOW);
    assert_eq!(Action::from_ret(0x0001_0000), Action::KillProcess);
}

fn policy_with(rules: Vec<Rule>) -> Policy {
    let mut syscalls = BTreeMap::new();
    syscalls.insert("personality".to_string(), rules);
    let mut abis = BTreeMap::new();
    abis.insert(
        Abi::X86_64,
        AbiPolicy {
            default_action: Action::Errno(1),
            syscalls,
            number_ranges: Vec::new(),
        },
    );
    Policy {
        abis,
        other_abi_action: Action::KillProcess,
    }
}

#[test]
fn compiled_conditions_match_the_policy_for_every_operator() {
    let ops = [
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
        CmpOp::MaskedEq(0xffff_0000_0000_00ff),
    ];
    let values = [
        0u64,
        1,
        0xffff_ffff,
        0x1_0000_0000,
        0x1_0000_0001,
        u64::MAX,
        0x1234_0000_0000_0012,
    ];
    for op in ops {
        for &value in &values {
            let cond = ArgCondition {
                index: 2,
                op,
                value,
            };
            let policy = policy_with(vec![Rule {
                action: Action::Allow,
                conditions: vec![cond],
            }]);
            let prog = bpf::compile(&policy).expect("compiles");
            bpf::validate(&prog).expect("valid");
            for &arg in values
                .iter()
                .chain(&[value.wrapping_add(1), value.wrapping_sub(1)])
            {
                let args = [0, 0, arg, 0, 0, 0];
                let sd = SeccompData {
                    nr: 135,
                    arch: AUDIT_ARCH_X86_64,
                    instruction_pointer: 0,
                    args,
                };
                let want = policy.abis[&Abi::X86_64].action("personality", &args);
                assert_eq!(
                    Action::from_ret(bpf::run_filter(&prog, &sd)),
                    want,
                    "{cond:?} arg {arg:#x}"
                );
            }
            let ev = bpf::evaluate(std::slice::from_ref(&prog));
            assert!(ev.exact, "{cond:?}: {:?}", ev.notes);
        }
    }
}

#[test]
fn x32_numbers_do_not_reach_the_x86_64_policy() {
    let policy = policy_with(vec![Rule {
        action: Action::Allow,
        conditions: vec![],
    }]);
    let prog = bpf::compile(&policy).expect("compiles");
    let run = |nr: u32, arch: u32| {
        Action::from_ret(bpf::run_filter(
            &prog,
            &SeccompData {
                nr,
                arch,
                ..Default::default()
            },
        ))
    };
    assert_eq!(run(135, AUDIT_ARCH_X86_64), Action::Allow);
    assert_eq!(
        run(135 | 0x4000_0000, AUDIT_ARCH_X86_64),
        Action::KillProcess
    );
    assert_eq!(run(136, AUDIT_ARCH_I386), Action::KillProcess);
    let text = bpf::disassemble(&prog);
    assert!(text.contains("AUDIT_ARCH_X86_64"), "{text}");
    assert!(text.contains("x86_64:personality"), "{text}");
    assert!(text.contains("ERRNO(1)"), "{text}");
}

#[test]
fn an_oversized_policy_is_an_error_not_a_panic() {
    let mut syscalls = BTreeMap::new();
    for (name, _) in Abi::X86_64.table().iter() {
        let rules = (0..6)
            .map(|i| Rule {
                action: Action::Allow,
                conditions: vec![ArgCondition {
                    index: i,
                    op: CmpOp::Gt,
                    value: 0x1_0000_0000 * i as u64,
                }],
            })
            .collect();
        syscalls.insert(name.to_string(), rules);
    }
    let mut abis = BTreeMap::new();
    abis.insert(
        Abi::X86_64,
        AbiPolicy {
            default_action: Action::Errno(1),
            syscalls,
            number_ranges: Vec::new(),
        },
    );
    let err = bpf::compile(&Policy {
        abis,
        other_abi_action: Action::KillProcess,
    })
    .expect_err("too long");
    assert!(err.to_string().contains("4096"), "{err}");
}

#[test]
fn no_filter_allows_everything() {
    let ev = bpf::evaluate(&[]);
    assert!(ev.exact);
    assert!(ev.policy.abis.is_empty());
    assert_eq!(ev.policy.other_abi_action, Action::Allow);
}

fn any_insn() -> impl Strategy<Value = Insn> {
    (
        prop_oneof![
            Just(0x20u16),
            Just(0x00),
            Just(0x01),
            Just(0x60),
            Just(0x02),
            Just(0x3c),
            Just(0x15),
            Just(0x05),
            Just(0x06),
            Just(0x16),
            any::<u16>()
        ],
        0u8..6,
        0u8..6,
        prop_oneof![0u32..80, any::<u32>()],
    )
        .prop_map(|(code, jt, jf, k)| Insn { code, jt, jf, k })
}

proptest! {
    #[test]
    fn nothing_panics_on_arbitrary_programs(prog in proptest::collection::vec(any_insn(), 0..24), nr in 0u32..600, a0 in any::<u64>()) {
        let sd = SeccompData { nr, arch: AUDIT_ARCH_X86_64, instruction_pointer: 0, args: [a0, 0, 0, 0, 0, 0] };
        let _ = bpf::run_filter(&prog, &sd);
        let _ = bpf::disassemble(&prog);
        if bpf::validate(&prog).is_ok() {
            let ev = bpf::evaluate(std::slice::from_ref(&prog));
            if ev.exact {
                let want = Action::from_ret(bpf::run_filter(&prog, &sd));
                let got = match ev.policy.abis.get(&Abi::X86_64) {
                    Some(p) => p.action(&aprof_footprint::abi::syscall_name(Abi::X86_64, nr), &sd.args),
                    None => ev.policy.other_abi_action,
                };
                prop_assert_eq!(want, got);
            }
        }
    }

    #[test]
    fn insn_bytes_round_trip(code in any::<u16>(), jt in any::<u8>(), jf in any::<u8>(), k in any::<u32>()) {
        let insn = Insn { code, jt, jf, k };
        prop_assert_eq!(Insn::from_bytes(insn.to_bytes()), insn);
    }
}
