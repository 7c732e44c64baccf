//! Compile a [`Policy`] to a seccomp cBPF program.
//!
//! Layout: an arch check (unknown arch -> `other_abi_action`), the x32 bit
//! split on x86_64, then per ABI a binary search over syscall numbers whose
//! leaves hold the rule blocks. 64-bit argument conditions are two 32-bit
//! comparisons (high word first) as libseccomp emits them. Jumps longer than
//! 255 instructions go through `ja` trampolines.

use super::op::*;
use super::{data, Insn};
use crate::policy::{AbiPolicy, Action, ArgCondition, CmpOp, Policy, Rule};
use aprof_footprint::abi::{AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, X32_SYSCALL_BIT};
use aprof_footprint::Abi;
use std::collections::BTreeMap;

/// Why a policy could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    #[error("the compiled filter has {0} instructions, more than the kernel's 4096")]
    TooLong(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Label(usize);

#[derive(Debug, Clone, Copy)]
enum Item {
    Fixed(Insn),
    /// A conditional jump to labels; `far` says which targets go through
    /// a `ja` trampoline: 0 none, 1 jt, 2 jf, 3 both.
    Cond {
        code: u16,
        k: u32,
        jt: Label,
        jf: Label,
        far: u8,
    },
    Ja(Label),
    Mark(Label),
}

impl Item {
    fn size(&self) -> usize {
        match self {
            Item::Fixed(_) | Item::Ja(_) => 1,
            Item::Cond { far: 0, .. } => 1,
            Item::Cond { far: 1 | 2, .. } => 2,
            Item::Cond { .. } => 3,
            Item::Mark(_) => 0,
        }
    }
}

/// A tiny assembler with forward labels.
#[derive(Default)]
struct Asm {
    items: Vec<Item>,
    labels: usize,
}

impl Asm {
    fn label(&mut self) -> Label {
        self.labels += 1;
        Label(self.labels - 1)
    }
    fn mark(&mut self, l: Label) {
        self.items.push(Item::Mark(l));
    }
    fn stmt(&mut self, code: u16, k: u32) {
        self.items.push(Item::Fixed(Insn::stmt(code, k)));
    }
    fn load(&mut self, offset: u32) {
        self.stmt(LD | W | ABS, offset);
    }
    fn ret(&mut self, action: Action) {
        self.stmt(RET | K, action.to_ret());
    }
    fn jump(&mut self, op: u16, k: u32, jt: Label, jf: Label) {
        self.items.push(Item::Cond {
            code: JMP | op | K,
            k,
            jt,
            jf,
            far: 0,
        });
    }
    fn ja(&mut self, to: Label) {
        self.items.push(Item::Ja(to));
    }

    /// Lay out, widening out-of-range conditional jumps until all fit.
    fn finish(mut self) -> Vec<Insn> {
        loop {
            let mut pos = vec![usize::MAX; self.labels];
            // Where each item starts, with this round's sizes.
            let mut starts = Vec::with_capacity(self.items.len());
            let mut at = 0;
            for item in &self.items {
                starts.push(at);
                if let Item::Mark(l) = item {
                    pos[l.0] = at;
                }
                at += item.size();
            }
            let mut widened = false;
            for (item, &at) in self.items.iter_mut().zip(&starts) {
                if let Item::Cond { jt, jf, far, .. } = item {
                    // Offsets from this jump as laid out now.
                    let off = |l: Label| pos[l.0] - (at + 1);
                    let (t, f) = (off(*jt), off(*jf));
                    let need = match *far {
                        0 if t > 255 && f > 255 => 3,
                        0 if t > 255 => 1,
                        0 if f > 255 => 2,
                        1 if f > 255 => 3,
                        2 if t > 255 => 3,
                        other => other,
                    };
                    if need != *far {
                        *far = need;
                        widened = true;
                    }
                }
            }
            if widened {
                continue;
            }
            let mut out = Vec::with_capacity(at);
            for item in &self.items {
                let here = out.len();
                match *item {
                    Item::Fixed(i) => out.push(i),
                    Item::Ja(l) => out.push(Insn::stmt(JMP | JA, (pos[l.0] - here - 1) as u32)),
                    Item::Cond {
                        code,
                        k,
                        jt,
                        jf,
                        far,
                    } => {
                        let (t, f) = (pos[jt.0], pos[jf.0]);
                        match far {
                            0 => out.push(Insn::jump(
                                code,
                                k,
                                (t - here - 1) as u8,
                                (f - here - 1) as u8,
                            )),
                            // jt through the ja right after the jump.
                            1 => {
                                out.push(Insn::jump(code, k, 0, (f - here - 1) as u8));
                                out.push(Insn::stmt(JMP | JA, (t - here - 2) as u32));
                            }
                            2 => {
                                out.push(Insn::jump(code, k, (t - here - 1) as u8, 0));
                                out.push(Insn::stmt(JMP | JA, (f - here - 2) as u32));
                            }
                            _ => {
                                out.push(Insn::jump(code, k, 0, 1));
                                out.push(Insn::stmt(JMP | JA, (t - here - 2) as u32));
                                out.push(Insn::stmt(JMP | JA, (f - here - 3) as u32));
                            }
                        }
                    }
                    Item::Mark(_) => {}
                }
            }
            return out;
        }
    }
}

/// The number of a syscall name on an ABI: the table's, or `syscall_N`.
pub fn syscall_number(abi: Abi, name: &str) -> Option<u32> {
    abi.table().number(name).or_else(|| {
        let n: u32 = name.strip_prefix("syscall_")?.parse().ok()?;
        Some(n)
    })
}

/// Syscall names of a policy that no table knows; [`compile`] skips them.
pub fn unknown_syscalls(policy: &Policy) -> Vec<(Abi, String)> {
    let mut out = Vec::new();
    for (&abi, p) in &policy.abis {
        for name in p.syscalls.keys() {
            if syscall_number(abi, name).is_none() {
                out.push((abi, name.clone()));
            }
        }
    }
    out
}

/// Compile a policy to a filter program the kernel accepts. Names that no
/// syscall table knows are skipped (see [`unknown_syscalls`]).
pub fn compile(policy: &Policy) -> Result<Vec<Insn>, CompileError> {
    let mut asm = Asm::default();
    let other = asm.label();
    let x86 = asm.label();
    let i386 = asm.label();
    let has = |abi| policy.abis.contains_key(&abi);
    asm.load(data::ARCH);
    if has(Abi::X86_64) || has(Abi::X32) {
        let next = asm.label();
        asm.jump(JEQ, AUDIT_ARCH_X86_64, x86, next);
        asm.mark(next);
    }
    if has(Abi::I386) {
        let next = asm.label();
        asm.jump(JEQ, AUDIT_ARCH_I386, i386, next);
        asm.mark(next);
    }
    asm.mark(other);
    asm.ret(policy.other_abi_action);
    if has(Abi::X86_64) || has(Abi::X32) {
        asm.mark(x86);
        asm.load(data::NR);
        let (x32, x64) = (asm.label(), asm.label());
        // The x32 bit decides the ABI, as in the kernel (not `nr >= bit`).
        asm.jump(JSET, X32_SYSCALL_BIT, x32, x64);
        asm.mark(x64);
        abi_block(&mut asm, policy, Abi::X86_64);
        asm.mark(x32);
        abi_block(&mut asm, policy, Abi::X32);
    }
    if has(Abi::I386) {
        asm.mark(i386);
        asm.load(data::NR);
        abi_block(&mut asm, policy, Abi::I386);
    }
    let prog = asm.finish();
    if prog.len() > MAXINSNS {
        return Err(CompileError::TooLong(prog.len()));
    }
    Ok(prog)
}

/// The dispatch of one ABI; A holds `nr`.
fn abi_block(asm: &mut Asm, policy: &Policy, abi: Abi) {
    let Some(p) = policy.abis.get(&abi) else {
        asm.ret(policy.other_abi_action);
        return;
    };
    let in_range = |nr: u32| {
        p.number_ranges
            .iter()
            .any(|r| (r.first..=r.last).contains(&nr))
    };
    let mut by_nr: BTreeMap<u32, Vec<Rule>> = BTreeMap::new();
    for (name, rules) in &p.syscalls {
        if let Some(nr) = syscall_number(abi, name) {
            if rules.iter().all(|r| r.action == p.default_action) && !in_range(nr) {
                continue;
            }
            by_nr.entry(nr).or_default().extend(rules.iter().cloned());
        }
    }
    // A named syscall amid a range of unnamed numbers keeps the default.
    for (_, nr) in abi.table().iter() {
        if in_range(nr) {
            by_nr.entry(nr).or_insert_with(|| {
                vec![Rule {
                    action: p.default_action,
                    conditions: Vec::new(),
                }]
            });
        }
    }
    let entries: Vec<(u32, Vec<Rule>)> = by_nr.into_iter().collect();
    let default = asm.label();
    search_tree(asm, p, &entries, default);
    asm.mark(default);
    // A still holds nr: the ranges of unnamed numbers, then the default.
    for range in &p.number_ranges {
        let (inside, below_last, next) = (asm.label(), asm.label(), asm.label());
        asm.jump(JGE, range.first, inside, next);
        asm.mark(inside);
        asm.jump(JGT, range.last, next, below_last);
        asm.mark(below_last);
        asm.ret(range.action);
        asm.mark(next);
    }
    asm.ret(p.default_action);
}

/// A binary search on `nr` with small linear leaves; jumps to `default`
/// when no entry matches.
fn search_tree(asm: &mut Asm, p: &AbiPolicy, entries: &[(u32, Vec<Rule>)], default: Label) {
    const LEAF: usize = 6;
    if entries.len() > LEAF {
        let mid = entries.len() / 2;
        let (left, right) = (asm.label(), asm.label());
        asm.jump(JGE, entries[mid].0, right, left);
        asm.mark(left);
        search_tree(asm, p, &entries[..mid], default);
        asm.mark(right);
        search_tree(asm, p, &entries[mid..], default);
        return;
    }
    // Leaf: a JEQ per entry; unconditional actions share one return.
    let mut blocks: Vec<(Label, &[Rule])> = Vec::new();
    let mut shared: Vec<(Action, Label)> = Vec::new();
    for (i, (nr, rules)) in entries.iter().enumerate() {
        let target = match unconditional(rules) {
            Some(action) => match shared.iter().find(|(a, _)| *a == action) {
                Some(&(_, l)) => l,
                None => {
                    let l = asm.label();
                    shared.push((action, l));
                    l
                }
            },
            None => {
                let l = asm.label();
                blocks.push((l, rules));
                l
            }
        };
        let next = if i + 1 == entries.len() {
            default
        } else {
            asm.label()
        };
        asm.jump(JEQ, *nr, target, next);
        if next != default {
            asm.mark(next);
        }
    }
    if entries.is_empty() {
        asm.ja(default);
    }
    for (action, l) in shared {
        asm.mark(l);
        asm.ret(action);
    }
    for (l, rules) in blocks {
        asm.mark(l);
        rule_block(asm, rules, p.default_action);
    }
}

/// The action of rules whose first rule has no conditions.
fn unconditional(rules: &[Rule]) -> Option<Action> {
    rules
        .first()
        .filter(|r| r.conditions.is_empty())
        .map(|r| r.action)
}

fn rule_block(asm: &mut Asm, rules: &[Rule], default: Action) {
    for rule in rules {
        let next = asm.label();
        for c in &rule.conditions {
            condition(asm, c, next);
        }
        asm.ret(rule.action);
        asm.mark(next);
        if rule.conditions.is_empty() {
            return;
        }
    }
    asm.ret(default);
}

/// Fall through when the condition holds, jump to `fail` otherwise.
fn condition(asm: &mut Asm, c: &ArgCondition, fail: Label) {
    let (hi_off, lo_off) = (data::arg_hi(c.index), data::arg_lo(c.index));
    let (vhi, vlo) = ((c.value >> 32) as u32, c.value as u32);
    let pass = asm.label();
    let (l1, l2) = (asm.label(), asm.label());
    match c.op {
        CmpOp::Eq => {
            asm.load(hi_off);
            asm.jump(JEQ, vhi, l1, fail);
            asm.mark(l1);
            asm.load(lo_off);
            asm.jump(JEQ, vlo, pass, fail);
        }
        CmpOp::Ne => {
            asm.load(hi_off);
            asm.jump(JEQ, vhi, l1, pass);
            asm.mark(l1);
            asm.load(lo_off);
            asm.jump(JEQ, vlo, fail, pass);
        }
        CmpOp::Gt | CmpOp::Ge => {
            asm.load(hi_off);
            asm.jump(JGT, vhi, pass, l1);
            asm.mark(l1);
            asm.jump(JEQ, vhi, l2, fail);
            asm.mark(l2);
            asm.load(lo_off);
            let op = if c.op == CmpOp::Gt { JGT } else { JGE };
            asm.jump(op, vlo, pass, fail);
        }
        CmpOp::Lt | CmpOp::Le => {
            asm.load(hi_off);
            asm.jump(JGT, vhi, fail, l1);
            asm.mark(l1);
            asm.jump(JEQ, vhi, l2, pass);
            asm.mark(l2);
            asm.load(lo_off);
            // Lt fails when lo >= v, Le when lo > v.
            let op = if c.op == CmpOp::Lt { JGE } else { JGT };
            asm.jump(op, vlo, fail, pass);
        }
        CmpOp::MaskedEq(mask) => {
            asm.load(hi_off);
            asm.stmt(ALU | AND | K, (mask >> 32) as u32);
            asm.jump(JEQ, vhi, l1, fail);
            asm.mark(l1);
            asm.load(lo_off);
            asm.stmt(ALU | AND | K, mask as u32);
            asm.jump(JEQ, vlo, pass, fail);
        }
        // The low word only; a value beyond it never (Ge32) or always
        // (Le32) holds.
        CmpOp::Ge32 if vhi != 0 => asm.ja(fail),
        CmpOp::Ge32 => {
            asm.load(lo_off);
            asm.jump(JGE, vlo, pass, fail);
        }
        CmpOp::Le32 if vhi != 0 => {}
        CmpOp::Le32 => {
            asm.load(lo_off);
            asm.jump(JGT, vlo, fail, pass);
        }
    }
    asm.mark(pass);
}
