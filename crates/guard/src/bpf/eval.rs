//! Evaluate seccomp filters back into a [`Policy`].
//!
//! For every ABI (arch value and x32 bit) and every syscall number of its
//! table, plus a sweep of unknown numbers for the default, the stacked
//! filters are run with the number and arch known and the arguments and
//! instruction pointer symbolic. Each branch on an argument word splits the
//! path; facts gathered on the way prune infeasible branches. The paths, in
//! depth-first order, become an ordered rule list: a branch explored second
//! need not repeat the negation of the first, because the first branch's
//! rules already caught every input that satisfies it. What cannot be said
//! as an [`ArgCondition`] is dropped (the rule then matches more than the
//! filter does) and reported in [`Evaluation::notes`].

use super::interp::action_rank;
use super::op::*;
use super::{data, Insn};
use crate::policy::{AbiPolicy, Action, ArgCondition, CmpOp, NumberRange, Policy, Rule};
use aprof_footprint::abi::{syscall_name, AUDIT_ARCH_AARCH64, X32_SYSCALL_BIT};
use aprof_footprint::Abi;
use std::collections::{BTreeMap, BTreeSet};

/// The policy of stacked filters, and where it is only approximate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Evaluation {
    pub policy: Policy,
    /// True when every rule says exactly what the filters do.
    pub exact: bool,
    /// Human-readable notes on approximations and odd filters.
    pub notes: Vec<String>,
}

/// Most paths explored for one (arch, nr) before giving up on exactness.
const PATH_LIMIT: usize = 4096;
/// Most argument branches on one path (bounds the recursion).
const DEPTH_LIMIT: usize = 400;

/// A symbolic 32-bit value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sym {
    Const(u32),
    /// The `seccomp_data` word at this offset.
    Word(u32),
    /// A word ANDed with a mask.
    Masked(u32, u32),
    /// Something computed from these words (bit i = offset 4i).
    Opaque(u16),
}

impl Sym {
    fn fields(self) -> u16 {
        match self {
            Sym::Const(_) => 0,
            Sym::Word(o) | Sym::Masked(o, _) => 1 << (o / 4),
            Sym::Opaque(f) => f,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Gt,
    Ge,
    Set,
}

impl Cmp {
    fn eval(self, a: u32, k: u32) -> bool {
        match self {
            Cmp::Eq => a == k,
            Cmp::Gt => a > k,
            Cmp::Ge => a >= k,
            Cmp::Set => a & k != 0,
        }
    }
}

/// One branch decision on a path.
#[derive(Debug, Clone, Copy)]
struct Constraint {
    value: Sym,
    cmp: Cmp,
    k: u32,
    holds: bool,
    /// Explored first at its node, so the rule must state it.
    first: bool,
}

/// What a path knows about each word.
#[derive(Debug, Clone)]
struct Facts {
    min: [u32; 16],
    max: [u32; 16],
    ones: [u32; 16],
    zeros: [u32; 16],
    ne: Vec<(u32, u32)>,
    /// (offset, mask, value, equal)
    masked: Vec<(u32, u32, u32, bool)>,
}

impl Facts {
    fn new() -> Facts {
        Facts {
            min: [0; 16],
            max: [u32::MAX; 16],
            ones: [0; 16],
            zeros: [0; 16],
            ne: Vec::new(),
            masked: Vec::new(),
        }
    }

    fn decide(&self, v: Sym, cmp: Cmp, k: u32) -> Option<bool> {
        match v {
            Sym::Const(a) => Some(cmp.eval(a, k)),
            Sym::Word(o) => {
                let i = (o / 4) as usize;
                let (lo, hi) = (self.min[i], self.max[i]);
                if lo == hi {
                    return Some(cmp.eval(lo, k));
                }
                match cmp {
                    Cmp::Eq => {
                        let impossible = k < lo
                            || k > hi
                            || self.ne.contains(&(o, k))
                            || k & self.zeros[i] != 0
                            || k & self.ones[i] != self.ones[i]
                            || self
                                .masked
                                .iter()
                                .any(|&(mo, m, mv, eq)| mo == o && ((k & m == mv) != eq));
                        impossible.then_some(false)
                    }
                    Cmp::Gt if lo > k => Some(true),
                    Cmp::Gt if hi <= k => Some(false),
                    Cmp::Ge if lo >= k => Some(true),
                    Cmp::Ge if hi < k => Some(false),
                    Cmp::Set if k & self.ones[i] != 0 => Some(true),
                    Cmp::Set if k & !self.zeros[i] == 0 => Some(false),
                    _ => None,
                }
            }
            Sym::Masked(o, m) => {
                let i = (o / 4) as usize;
                if self.min[i] == self.max[i] {
                    return Some(cmp.eval(self.min[i] & m, k));
                }
                if let Some(&(_, _, mv, _)) = self
                    .masked
                    .iter()
                    .find(|&&(mo, mm, _, eq)| mo == o && mm == m && eq)
                {
                    return Some(cmp.eval(mv, k));
                }
                match cmp {
                    Cmp::Eq if k & !m != 0 => Some(false),
                    Cmp::Eq
                        if self
                            .masked
                            .iter()
                            .any(|&(mo, mm, mv, eq)| mo == o && mm == m && mv == k && !eq) =>
                    {
                        Some(false)
                    }
                    Cmp::Set if k & m == 0 => Some(false),
                    _ => None,
                }
            }
            Sym::Opaque(_) => None,
        }
    }

    fn add(&mut self, c: &Constraint) {
        let k = c.k;
        match c.value {
            Sym::Word(o) => {
                let i = (o / 4) as usize;
                match (c.cmp, c.holds) {
                    (Cmp::Eq, true) => {
                        self.min[i] = k;
                        self.max[i] = k;
                    }
                    (Cmp::Eq, false) => {
                        if k == self.min[i] {
                            self.min[i] = k.saturating_add(1);
                        } else if k == self.max[i] {
                            self.max[i] = k.saturating_sub(1);
                        } else {
                            self.ne.push((o, k));
                        }
                    }
                    (Cmp::Gt, true) => self.min[i] = self.min[i].max(k.saturating_add(1)),
                    (Cmp::Gt, false) => self.max[i] = self.max[i].min(k),
                    (Cmp::Ge, true) => self.min[i] = self.min[i].max(k),
                    (Cmp::Ge, false) => self.max[i] = self.max[i].min(k.saturating_sub(1)),
                    (Cmp::Set, true) => {
                        if k.is_power_of_two() {
                            self.ones[i] |= k;
                        }
                    }
                    (Cmp::Set, false) => self.zeros[i] |= k,
                }
            }
            Sym::Masked(o, m) if c.cmp == Cmp::Eq => self.masked.push((o, m, k, c.holds)),
            Sym::Masked(o, m) if c.cmp == Cmp::Set && !c.holds => {
                self.zeros[(o / 4) as usize] |= k & m
            }
            _ => {}
        }
    }
}

/// One path through all stacked filters.
#[derive(Debug, Clone)]
struct Path {
    constraints: Vec<Constraint>,
    ret: u32,
    /// Something on the path could not be followed exactly.
    approximate: Option<String>,
}

struct Explorer<'a> {
    /// Newest filter first, the order the kernel runs them.
    filters: Vec<&'a [Insn]>,
    nr: u32,
    arch: u32,
    paths: Vec<Path>,
    truncated: bool,
}

#[derive(Clone)]
struct Regs {
    a: Sym,
    x: Sym,
    mem: [Sym; 16],
}

impl<'a> Explorer<'a> {
    fn run(&mut self) {
        let regs = Regs {
            a: Sym::Const(0),
            x: Sym::Const(0),
            mem: [Sym::Const(0); 16],
        };
        self.explore(0, 0, regs, Facts::new(), Vec::new(), 0x7fff_0000, None);
    }

    fn load(&self, off: u32) -> Sym {
        match off {
            data::NR => Sym::Const(self.nr),
            data::ARCH => Sym::Const(self.arch),
            o if o < data::SIZE && o % 4 == 0 => Sym::Word(o),
            _ => Sym::Const(0),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn explore(
        &mut self,
        filter: usize,
        mut pc: usize,
        mut r: Regs,
        mut facts: Facts,
        mut path: Vec<Constraint>,
        ret: u32,
        mut approx: Option<String>,
    ) {
        if self.paths.len() >= PATH_LIMIT || path.len() > DEPTH_LIMIT {
            self.truncated = true;
            return;
        }
        loop {
            let Some(prog) = self.filters.get(filter) else {
                self.paths.push(Path {
                    constraints: path,
                    ret,
                    approximate: approx,
                });
                return;
            };
            let Some(&insn) = prog.get(pc) else {
                return self.finish_filter(filter, 0, r, facts, path, ret, approx);
            };
            pc += 1;
            let k = insn.k;
            match insn.code {
                0x20 => r.a = self.load(k),
                0x80 => r.a = Sym::Const(data::SIZE),
                0x81 => r.x = Sym::Const(data::SIZE),
                0x00 => r.a = Sym::Const(k),
                0x01 => r.x = Sym::Const(k),
                0x60 => r.a = r.mem[(k & 15) as usize],
                0x61 => r.x = r.mem[(k & 15) as usize],
                0x02 => r.mem[(k & 15) as usize] = r.a,
                0x03 => r.mem[(k & 15) as usize] = r.x,
                0x07 => r.x = r.a,
                0x87 => r.a = r.x,
                0x06 => return self.finish_filter(filter, k, r, facts, path, ret, approx),
                0x16 => {
                    let value = match r.a {
                        Sym::Const(v) => v,
                        other => {
                            approx.get_or_insert_with(|| {
                                "returns a value computed from arguments".into()
                            });
                            let _ = other;
                            0
                        }
                    };
                    return self.finish_filter(filter, value, r, facts, path, ret, approx);
                }
                0x84 => {
                    r.a = match r.a {
                        Sym::Const(v) => Sym::Const(v.wrapping_neg()),
                        other => Sym::Opaque(other.fields()),
                    }
                }
                c if class(c) == ALU => {
                    let src = if c & X != 0 { r.x } else { Sym::Const(k) };
                    if c & 0xf0 == DIV {
                        match src {
                            Sym::Const(0) => {
                                return self.finish_filter(filter, 0, r, facts, path, ret, approx)
                            }
                            Sym::Const(_) => {}
                            sym => {
                                // Division by a symbolic X: X == 0 returns 0.
                                let c0 = Constraint {
                                    value: sym,
                                    cmp: Cmp::Eq,
                                    k: 0,
                                    holds: true,
                                    first: true,
                                };
                                if facts.decide(sym, Cmp::Eq, 0) != Some(false) {
                                    let mut f2 = facts.clone();
                                    f2.add(&c0);
                                    let mut p2 = path.clone();
                                    p2.push(c0);
                                    self.finish_filter(
                                        filter,
                                        0,
                                        r.clone(),
                                        f2,
                                        p2,
                                        ret,
                                        approx.clone(),
                                    );
                                }
                                let c1 = Constraint {
                                    holds: false,
                                    first: false,
                                    ..c0
                                };
                                facts.add(&c1);
                                path.push(c1);
                            }
                        }
                    }
                    r.a = alu(c & 0xf0, r.a, src);
                }
                0x05 => pc += k as usize,
                c if class(c) == JMP => {
                    let jt = pc + insn.jt as usize;
                    let jf = pc + insn.jf as usize;
                    let cmp = match c & 0xf0 {
                        JEQ => Cmp::Eq,
                        JGT => Cmp::Gt,
                        JGE => Cmp::Ge,
                        JSET => Cmp::Set,
                        _ => return self.finish_filter(filter, 0, r, facts, path, ret, approx),
                    };
                    let rhs = if c & X != 0 { r.x } else { Sym::Const(k) };
                    // Bring the comparison to the form `value cmp constant`.
                    let (value, cmp, k, invert) = match (r.a, rhs) {
                        (a, Sym::Const(k)) => (a, cmp, k, false),
                        (Sym::Const(a), x) => match cmp {
                            Cmp::Eq => (x, Cmp::Eq, a, false),
                            Cmp::Set => (x, Cmp::Set, a, false),
                            // a > x  <=>  !(x >= a)
                            Cmp::Gt => (x, Cmp::Ge, a, true),
                            // a >= x <=>  !(x > a)
                            Cmp::Ge => (x, Cmp::Gt, a, true),
                        },
                        (a, x) => (Sym::Opaque(a.fields() | x.fields()), cmp, 0, false),
                    };
                    let decided = match value {
                        Sym::Opaque(_) => None,
                        _ => facts.decide(value, cmp, k),
                    };
                    if let Some(t) = decided {
                        pc = if t != invert { jt } else { jf };
                        continue;
                    }
                    if let Sym::Opaque(_) = value {
                        approx.get_or_insert_with(|| {
                            "compares values computed from arguments".into()
                        });
                    }
                    // Explore first the branch whose condition a rule can state.
                    let true_first = !(cmp == Cmp::Set);
                    for &holds in &[true_first, !true_first] {
                        let c = Constraint {
                            value,
                            cmp,
                            k,
                            holds,
                            first: holds == true_first,
                        };
                        let mut f2 = facts.clone();
                        f2.add(&c);
                        let mut p2 = path.clone();
                        p2.push(c);
                        let target = if holds != invert { jt } else { jf };
                        self.explore(filter, target, r.clone(), f2, p2, ret, approx.clone());
                    }
                    return;
                }
                _ => return self.finish_filter(filter, 0, r, facts, path, ret, approx),
            }
        }
        // Combine like seccomp_run_filters, then run the next (older) filter.
    }

    #[allow(clippy::too_many_arguments)]
    fn finish_filter(
        &mut self,
        filter: usize,
        value: u32,
        _r: Regs,
        facts: Facts,
        path: Vec<Constraint>,
        ret: u32,
        approx: Option<String>,
    ) {
        let ret = if action_rank(value) < action_rank(ret) {
            value
        } else {
            ret
        };
        let fresh = Regs {
            a: Sym::Const(0),
            x: Sym::Const(0),
            mem: [Sym::Const(0); 16],
        };
        self.explore(filter + 1, 0, fresh, facts, path, ret, approx);
    }
}

fn alu(op: u16, a: Sym, src: Sym) -> Sym {
    match (a, src) {
        (Sym::Const(a), Sym::Const(b)) => Sym::Const(match op {
            ADD => a.wrapping_add(b),
            SUB => a.wrapping_sub(b),
            MUL => a.wrapping_mul(b),
            DIV => a.checked_div(b).unwrap_or(0),
            AND => a & b,
            OR => a | b,
            XOR => a ^ b,
            LSH => a << (b & 31),
            RSH => a >> (b & 31),
            _ => 0,
        }),
        (_, Sym::Const(0)) if matches!(op, AND | MUL) => Sym::Const(0),
        (Sym::Word(o), Sym::Const(m)) if op == AND => Sym::Masked(o, m),
        (Sym::Masked(o, m1), Sym::Const(m)) if op == AND => Sym::Masked(o, m1 & m),
        (Sym::Word(_) | Sym::Masked(..), Sym::Const(0))
            if matches!(op, ADD | SUB | OR | XOR | LSH | RSH) =>
        {
            a
        }
        (a, b) => Sym::Opaque(a.fields() | b.fields()),
    }
}

/// All paths for one (arch, nr).
fn paths_for(filters: &[&[Insn]], arch: u32, nr: u32) -> (Vec<Path>, bool) {
    let mut ex = Explorer {
        filters: filters.iter().rev().copied().collect(),
        nr,
        arch,
        paths: Vec::new(),
        truncated: false,
    };
    ex.run();
    (ex.paths, ex.truncated)
}

/// Turn one path into argument conditions; the second value says what
/// could not be stated exactly.
///
/// Per argument, the rule may say anything between what the path implies
/// (all its constraints) and what it must state (the constraints of branches
/// explored first): try the latter, then the former.
fn conditions_of(path: &Path) -> (Vec<ArgCondition>, Option<String>) {
    let mut stated = Facts::new();
    let mut implied = Facts::new();
    let mut problem: Option<String> = None;
    for c in &path.constraints {
        implied.add(c);
        if !c.first {
            continue;
        }
        match c.value {
            Sym::Word(o) | Sym::Masked(o, _) if o >= 16 => stated.add(c),
            Sym::Word(o) | Sym::Masked(o, _) => {
                problem.get_or_insert_with(|| format!("depends on {}", data::field_name(o)));
            }
            _ => {
                problem.get_or_insert_with(|| "compares a computed value".into());
            }
        }
        if let (Sym::Word(_), Cmp::Set, true) = (c.value, c.cmp, c.holds) {
            if !c.k.is_power_of_two() {
                problem.get_or_insert_with(|| "tests any-of several bits".into());
            }
        }
        if let (Sym::Masked(..), Cmp::Gt | Cmp::Ge | Cmp::Set) = (c.value, c.cmp) {
            problem.get_or_insert_with(|| "orders a masked argument".into());
        }
    }
    let mut out = Vec::new();
    for arg in 0..6u8 {
        // Narrow what must be stated with what the path implies until it
        // can be said exactly.
        let (lo_i, hi_i) = (
            (data::arg_lo(arg) / 4) as usize,
            (data::arg_hi(arg) / 4) as usize,
        );
        let mut with_hi = stated.clone();
        with_hi.min[hi_i] = implied.min[hi_i];
        with_hi.max[hi_i] = implied.max[hi_i];
        let mut with_both = with_hi.clone();
        with_both.min[lo_i] = implied.min[lo_i];
        with_both.max[lo_i] = implied.max[lo_i];
        // Nothing to state stays nothing; else the high half the path
        // implies makes the plainest conditions.
        let plain = arg_conditions(&stated, arg);
        let first = if plain.0.is_empty() && plain.1.is_none() {
            plain
        } else {
            match arg_conditions(&with_hi, arg) {
                (c, None) => (c, None),
                _ => plain,
            }
        };
        let (conds, why) = [&with_both, &implied]
            .into_iter()
            .map(|f| arg_conditions(f, arg))
            .fold(first, |best, next| match (&best.1, &next.1) {
                (Some(_), None) => next,
                _ => best,
            });
        out.extend(conds);
        if let Some(why) = why {
            problem.get_or_insert(why);
        }
    }
    (out, problem)
}

/// The conditions on one argument that facts imply, exactly if possible.
fn arg_conditions(facts: &Facts, arg: u8) -> (Vec<ArgCondition>, Option<String>) {
    let mut out = Vec::new();
    let mut problem = None;
    let (lo_i, hi_i) = (
        (data::arg_lo(arg) / 4) as usize,
        (data::arg_hi(arg) / 4) as usize,
    );
    let (lmin, lmax, hmin, hmax) = (
        facts.min[lo_i],
        facts.max[lo_i],
        facts.min[hi_i],
        facts.max[hi_i],
    );
    let join = |h: u32, l: u32| ((h as u64) << 32) | l as u64;
    let lo_full = lmin == 0 && lmax == u32::MAX;
    if hmin == hmax {
        if lmin == lmax {
            out.push(cond(arg, CmpOp::Eq, join(hmin, lmin)));
        } else if lo_full {
            out.push(cond(
                arg,
                CmpOp::MaskedEq(0xffff_ffff_0000_0000),
                join(hmin, 0),
            ));
        } else {
            if join(hmin, lmin) > 0 {
                out.push(cond(arg, CmpOp::Ge, join(hmin, lmin)));
            }
            if join(hmax, lmax) < u64::MAX {
                out.push(cond(arg, CmpOp::Le, join(hmax, lmax)));
            }
        }
        for &(o, v) in &facts.ne {
            if o == data::arg_lo(arg) {
                out.push(cond(arg, CmpOp::Ne, join(hmin, v)));
            } else if o == data::arg_hi(arg) {
                problem = Some(format!("excludes a high half of arg{arg}"));
            }
        }
    } else {
        if hmin > 0 {
            out.push(cond(arg, CmpOp::Ge, join(hmin, 0)));
        }
        if hmax < u32::MAX {
            out.push(cond(arg, CmpOp::Le, join(hmax, u32::MAX)));
        }
        // The halves are constrained apart: the low one on its own, as a
        // 32-bit ABI's filter compares it (libseccomp on i386 and x32).
        if lmin == lmax {
            out.push(cond(arg, CmpOp::MaskedEq(0xffff_ffff), lmin as u64));
        } else if !lo_full {
            if lmin > 0 {
                out.push(cond(arg, CmpOp::Ge32, lmin as u64));
            }
            if lmax < u32::MAX {
                out.push(cond(arg, CmpOp::Le32, lmax as u64));
            }
        }
        if facts
            .ne
            .iter()
            .any(|&(o, _)| o == data::arg_lo(arg) || o == data::arg_hi(arg))
        {
            problem = Some(format!("excludes a half of arg{arg}"));
        }
    }
    for (i, shift) in [(lo_i, 0u32), (hi_i, 32)] {
        let bits = (facts.ones[i] | facts.zeros[i]) as u64;
        if bits != 0 {
            out.push(cond(
                arg,
                CmpOp::MaskedEq(bits << shift),
                (facts.ones[i] as u64) << shift,
            ));
        }
    }
    for &(o, m, v, eq) in &facts.masked {
        let shift = if o == data::arg_lo(arg) {
            0
        } else if o == data::arg_hi(arg) {
            32
        } else {
            continue;
        };
        if eq {
            out.push(cond(
                arg,
                CmpOp::MaskedEq((m as u64) << shift),
                (v as u64) << shift,
            ));
        } else {
            problem = Some(format!("excludes masked values of arg{arg}"));
        }
    }
    (out, problem)
}

fn cond(index: u8, op: CmpOp, value: u64) -> ArgCondition {
    ArgCondition { index, op, value }
}

/// The rules of one syscall, and notes on what is approximate.
fn rules_for(
    filters: &[&[Insn]],
    arch: u32,
    nr: u32,
    notes: &mut Vec<String>,
    label: &str,
) -> Vec<Rule> {
    let (paths, truncated) = paths_for(filters, arch, nr);
    if truncated {
        notes.push(format!(
            "{label}: more than {PATH_LIMIT} paths; rules are incomplete"
        ));
    }
    let first = paths.first().map_or(0, |p| p.ret);
    if paths
        .iter()
        .all(|p| Action::from_ret(p.ret) == Action::from_ret(first))
    {
        // Computed comparisons do not matter when every path agrees; a
        // computed return value does.
        if let Some(why) = paths
            .iter()
            .find_map(|p| p.approximate.clone().filter(|w| w.starts_with("returns")))
        {
            notes.push(format!("{label}: {why}"));
        }
        return vec![Rule {
            action: Action::from_ret(first),
            conditions: Vec::new(),
        }];
    }
    let mut rules = Vec::new();
    for p in &paths {
        let (conditions, problem) = conditions_of(p);
        if let Some(why) = problem.or_else(|| p.approximate.clone()) {
            notes.push(format!("{label}: {why}; its rule is approximate"));
        }
        rules.push(Rule {
            action: Action::from_ret(p.ret),
            conditions,
        });
    }
    rules
}

/// The interval of values a rule's conditions allow for argument `i`
/// (a superset where a condition is not an interval).
fn arg_interval(rule: &Rule, i: u8) -> (u64, u64) {
    let (mut lo, mut hi) = (0u64, u64::MAX);
    for c in rule.conditions.iter().filter(|c| c.index == i) {
        let v = c.value;
        let (a, b) = match c.op {
            CmpOp::Eq => (v, v),
            CmpOp::Ge => (v, u64::MAX),
            CmpOp::Gt if v == u64::MAX => (1, 0),
            CmpOp::Gt => (v + 1, u64::MAX),
            CmpOp::Le => (0, v),
            CmpOp::Lt if v == 0 => (1, 0),
            CmpOp::Lt => (0, v - 1),
            CmpOp::MaskedEq(0xffff_ffff_0000_0000) => (v, v | 0xffff_ffff),
            _ => (0, u64::MAX),
        };
        lo = lo.max(a);
        hi = hi.min(b);
    }
    (lo, hi)
}

/// Whether two rules can match the same arguments (true when unsure).
fn may_overlap(a: &Rule, b: &Rule) -> bool {
    (0..6u8).all(|i| {
        let (alo, ahi) = arg_interval(a, i);
        let (blo, bhi) = arg_interval(b, i);
        alo.max(blo) <= ahi.min(bhi)
    })
}

/// Drop rules that do not change the outcome: a rule whose inputs would
/// get the same action from the rules after it (or the default), and
/// trailing rules with the default action.
fn simplify(mut rules: Vec<Rule>, default: Action) -> Vec<Rule> {
    let mut i = 0;
    while i + 1 < rules.len() {
        let rule = &rules[i];
        let later = &rules[i + 1..];
        let catch_all = later.iter().any(|r| r.conditions.is_empty());
        let redundant = later
            .iter()
            .all(|r| r.action == rule.action || !may_overlap(rule, r))
            && (catch_all || default == rule.action);
        if redundant && !rule.conditions.is_empty() {
            rules.remove(i);
        } else {
            i += 1;
        }
    }
    while rules.last().is_some_and(|r| r.action == default) {
        rules.pop();
    }
    rules
}

/// Constants a program compares with, and their neighbours: the numbers
/// where a filter's treatment of unknown syscalls may change.
fn compared_constants(filters: &[&[Insn]]) -> BTreeSet<u32> {
    let mut out = BTreeSet::new();
    for prog in filters {
        for insn in prog.iter() {
            if class(insn.code) == JMP && insn.code & 0xf0 != JA && insn.code & X == 0 {
                out.extend([insn.k.wrapping_sub(1), insn.k, insn.k.wrapping_add(1)]);
            }
        }
    }
    out
}

/// The numbers to evaluate for an ABI: its table, and unknown ones around
/// it and at every constant the filters compare with.
fn numbers(abi: Abi, constants: &BTreeSet<u32>) -> (Vec<u32>, Vec<u32>) {
    let table = abi.table();
    let known: Vec<u32> = table
        .iter()
        .map(|(_, nr)| nr)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let base = if abi == Abi::X32 { X32_SYSCALL_BIT } else { 0 };
    let top = ((table.max_number() & !X32_SYSCALL_BIT) + 64).max(1024);
    let mut unknown: BTreeSet<u32> = (0..=top).map(|n| base | n).collect();
    for extra in [1000u32, 4095, 0x3fff_ffff, 0xffff] {
        unknown.insert(base | extra);
    }
    if abi == Abi::I386 {
        unknown.extend([0x4000_0000, 0x8000_0000, 0xffff_ffff]);
    }
    if abi == Abi::X32 {
        unknown.extend([0x7fff_ffff, 0x8000_0000, 0xffff_ffff]);
    }
    let is_x32 = |n: u32| n & X32_SYSCALL_BIT != 0;
    unknown.extend(
        constants
            .iter()
            .filter(|&&n| is_x32(n) == (abi == Abi::X32) || abi == Abi::I386),
    );
    let unknown = unknown
        .into_iter()
        .filter(|n| table.name(*n).is_none())
        .collect();
    (known, unknown)
}

fn most_common(actions: impl Iterator<Item = Action>) -> Option<Action> {
    let mut counts: BTreeMap<Action, usize> = BTreeMap::new();
    for a in actions {
        *counts.entry(a).or_default() += 1;
    }
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(a, _)| a)
}

/// A syscall number, outside those evaluated symbolically, where the
/// filters and the policy differ for a few argument vectors: the whole low
/// range, and a spread over all 32-bit numbers.
fn unswept_difference(filters: &[Vec<Insn>], abi: Abi, policy: &AbiPolicy) -> Option<u32> {
    let base = if abi == Abi::X32 { X32_SYSCALL_BIT } else { 0 };
    let spread = (0..4096u32).map(move |i| i.wrapping_mul(0x9e37_79b9) ^ base);
    (0..=8192u32).map(|n| n | base).chain(spread).find(|&nr| {
        if Abi::from_audit(abi.audit_arch(), nr as u64) != Some(abi) {
            return false;
        }
        let name = syscall_name(abi, nr);
        [
            [0u64; 6],
            [u64::MAX; 6],
            [1, 0xffff_ffff, 0x1_0000_0000, 2, 0x8000_0000, 5],
        ]
        .iter()
        .any(|args| {
            let sd = super::SeccompData {
                nr,
                arch: abi.audit_arch(),
                instruction_pointer: 0,
                args: *args,
            };
            let want = Action::from_ret(super::run_filters(filters, &sd));
            policy.action(&name, args) != want
        })
    })
}

/// Ranges of unnamed numbers from the sampled ones (sorted by number): a
/// run of samples with one action reaches up to the next run, the last to
/// the end. Runs with the default action are left out. The filters compare
/// with constants whose neighbours are sampled, so a change of action lies
/// between two adjacent samples; [`unswept_difference`] checks the rest.
fn number_ranges(plain: &[(u32, Action)], default: Action) -> Vec<NumberRange> {
    let mut runs: Vec<NumberRange> = Vec::new();
    for &(nr, action) in plain {
        match runs.last_mut() {
            Some(run) if run.action == action => run.last = nr,
            _ => {
                if let Some(run) = runs.last_mut() {
                    run.last = nr - 1;
                }
                let first = if runs.is_empty() { 0 } else { nr };
                runs.push(NumberRange {
                    first,
                    last: nr,
                    action,
                });
            }
        }
    }
    if let Some(run) = runs.last_mut() {
        run.last = u32::MAX;
    }
    runs.retain(|r| r.action != default);
    runs
}

/// Evaluate stacked filters (index 0 the oldest) into a policy.
pub fn evaluate(filters: &[Vec<Insn>]) -> Evaluation {
    let progs: Vec<&[Insn]> = filters.iter().map(Vec::as_slice).collect();
    let mut notes = Vec::new();

    // An arch the filters do not know.
    let other: Vec<Action> = (0..600u32)
        .map(|nr| {
            Action::from_ret(super::run_filters(
                filters,
                &super::SeccompData {
                    nr,
                    arch: AUDIT_ARCH_AARCH64,
                    ..Default::default()
                },
            ))
        })
        .collect();
    let other_abi_action = most_common(other.iter().copied()).unwrap_or(Action::Allow);
    if other.iter().any(|a| *a != other_abi_action) {
        notes.push(
            "the filter does not check the architecture: other arches get per-number actions"
                .into(),
        );
    }

    let constants = compared_constants(&progs);
    let mut abis = BTreeMap::new();
    for abi in Abi::ALL {
        let arch = abi.audit_arch();
        let (known, unknown) = numbers(abi, &constants);
        let mut abi_notes = Vec::new();
        let unknown_rules: Vec<(u32, Vec<Rule>)> = unknown
            .iter()
            .map(|&nr| {
                (
                    nr,
                    rules_for(&progs, arch, nr, &mut abi_notes, &format!("{abi} {nr}")),
                )
            })
            .collect();
        // Unnamed numbers decided by the number alone: the default is what
        // those amid the table get, and the others become ranges (runc's
        // ENOSYS above the highest number libseccomp knows).
        let plain: Vec<(u32, Action)> = unknown_rules
            .iter()
            .filter(|(_, r)| r.len() == 1 && r[0].conditions.is_empty())
            .map(|(nr, r)| (*nr, r[0].action))
            .collect();
        let table_top = abi.table().max_number();
        let default_action = most_common(
            plain
                .iter()
                .filter(|(nr, _)| *nr <= table_top)
                .map(|(_, a)| *a),
        )
        .or_else(|| most_common(plain.iter().map(|(_, a)| *a)))
        .unwrap_or(other_abi_action);
        let number_ranges = number_ranges(&plain, default_action);
        let mut syscalls = BTreeMap::new();
        for &nr in &known {
            let name = abi.table().name(nr).unwrap_or("?");
            let rules = rules_for(&progs, arch, nr, &mut abi_notes, &format!("{abi} {name}"));
            let rules = simplify(rules, default_action);
            if !rules.is_empty() {
                syscalls.insert(name.to_string(), rules);
            }
        }
        for (nr, rules) in unknown_rules {
            let plain = rules.len() == 1 && rules[0].conditions.is_empty();
            let rules = simplify(rules, default_action);
            if !plain && !rules.is_empty() {
                syscalls.insert(syscall_name(abi, nr), rules);
            }
        }
        let abi_policy = AbiPolicy {
            default_action,
            syscalls,
            number_ranges,
        };
        if let Some(nr) = unswept_difference(filters, abi, &abi_policy) {
            abi_notes.push(format!(
                "{abi}: unknown syscall numbers are not all treated alike \
                 (e.g. {nr} differs from the policy); the list is incomplete"
            ));
        }
        let same_as_other = abi_policy.syscalls.is_empty()
            && abi_policy.number_ranges.is_empty()
            && abi_policy.default_action == other_abi_action;
        if same_as_other {
            continue;
        }
        notes.extend(abi_notes);
        abis.insert(abi, abi_policy);
    }
    notes.dedup();
    Evaluation {
        exact: notes
            .iter()
            .all(|n| n.contains("does not check the architecture")),
        notes,
        policy: Policy {
            abis,
            other_abi_action,
        },
    }
}
