//! The seccomp cBPF interpreter and the kernel's program checks.
//!
//! Validation merges `bpf_check_classic` (net/core/filter.c) and
//! `seccomp_check_filter` (kernel/seccomp.c): the same programs are refused.
//! Execution follows what the kernel runs after converting to eBPF.

use super::op::*;
use super::{data, Insn};
use std::fmt;

/// `struct seccomp_data`, what a filter sees of a syscall, with the
/// kernel's layout (the user-notification ioctls read it as it is).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SeccompData {
    /// The raw syscall number (x32 numbers carry the x32 bit).
    pub nr: u32,
    /// `AUDIT_ARCH_*`.
    pub arch: u32,
    pub instruction_pointer: u64,
    pub args: [u64; 6],
}

impl SeccompData {
    /// The 32-bit little-endian word at byte `offset` (4-aligned, < 64).
    pub fn word(&self, offset: u32) -> u32 {
        match offset {
            data::NR => self.nr,
            data::ARCH => self.arch,
            data::IP_LO => self.instruction_pointer as u32,
            data::IP_HI => (self.instruction_pointer >> 32) as u32,
            16..=63 => {
                let arg = self.args[((offset - 16) / 8) as usize];
                if offset & 7 == 0 {
                    arg as u32
                } else {
                    (arg >> 32) as u32
                }
            }
            _ => 0,
        }
    }
}

/// Why the kernel would refuse a filter program (it answers EINVAL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidateError {
    /// Empty, or longer than 4096 instructions.
    BadLength(usize),
    /// An opcode the kernel or seccomp does not allow.
    BadOpcode {
        pc: usize,
        code: u16,
    },
    DivisionByZero {
        pc: usize,
    },
    ShiftTooLarge {
        pc: usize,
        k: u32,
    },
    BadMemoryIndex {
        pc: usize,
        k: u32,
    },
    JumpOutOfRange {
        pc: usize,
    },
    /// A load from `seccomp_data` past its end or not 4-aligned.
    BadLoad {
        pc: usize,
        k: u32,
    },
    /// A scratch memory word read before any path stored it.
    UninitialisedMemory {
        pc: usize,
        k: u32,
    },
    NoFinalReturn,
}

impl fmt::Display for ValidateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValidateError::BadLength(n) => {
                write!(f, "filter has {n} instructions (must be 1..=4096)")
            }
            ValidateError::BadOpcode { pc, code } => {
                write!(
                    f,
                    "instruction {pc}: opcode {code:#06x} not allowed in seccomp"
                )
            }
            ValidateError::DivisionByZero { pc } => {
                write!(f, "instruction {pc}: division by constant zero")
            }
            ValidateError::ShiftTooLarge { pc, k } => {
                write!(f, "instruction {pc}: shift by {k} (must be < 32)")
            }
            ValidateError::BadMemoryIndex { pc, k } => {
                write!(
                    f,
                    "instruction {pc}: scratch memory index {k} (must be < 16)"
                )
            }
            ValidateError::JumpOutOfRange { pc } => {
                write!(f, "instruction {pc}: jump past the end of the program")
            }
            ValidateError::BadLoad { pc, k } => write!(
                f,
                "instruction {pc}: load at offset {k} (must be 4-aligned and < 64)"
            ),
            ValidateError::UninitialisedMemory { pc, k } => write!(
                f,
                "instruction {pc}: scratch memory M[{k}] read before it is stored"
            ),
            ValidateError::NoFinalReturn => f.write_str("the last instruction is not a return"),
        }
    }
}

impl std::error::Error for ValidateError {}

/// Every opcode seccomp accepts (`seccomp_check_filter`'s list, plus the
/// `LEN` loads and `LD W ABS` it rewrites).
fn seccomp_allows(code: u16) -> bool {
    const LD_W_ABS: u16 = LD | W | ABS;
    const LD_W_LEN: u16 = LD | W | LEN;
    const LDX_W_LEN: u16 = LDX | W | LEN;
    matches!(
        code,
        LD_W_ABS
            | LD_W_LEN
            | LDX_W_LEN
            | 0x06 // RET K
            | 0x16 // RET A
            | 0x04 | 0x0c // ADD
            | 0x14 | 0x1c // SUB
            | 0x24 | 0x2c // MUL
            | 0x34 | 0x3c // DIV
            | 0x54 | 0x5c // AND
            | 0x44 | 0x4c // OR
            | 0xa4 | 0xac // XOR
            | 0x64 | 0x6c // LSH
            | 0x74 | 0x7c // RSH
            | 0x84 // NEG
            | 0x00 // LD IMM
            | 0x01 // LDX IMM
            | 0x07 // TAX
            | 0x87 // TXA
            | 0x60 // LD MEM
            | 0x61 // LDX MEM
            | 0x02 // ST
            | 0x03 // STX
            | 0x05 // JA
            | 0x15 | 0x1d // JEQ
            | 0x35 | 0x3d // JGE
            | 0x25 | 0x2d // JGT
            | 0x45 | 0x4d // JSET
    )
}

fn is_conditional_jump(code: u16) -> bool {
    class(code) == JMP && code & 0xf0 != JA
}

/// Check a program the way the kernel does before it accepts it.
pub fn validate(prog: &[Insn]) -> Result<(), ValidateError> {
    let len = prog.len();
    if len == 0 || len > MAXINSNS {
        return Err(ValidateError::BadLength(len));
    }
    for (pc, insn) in prog.iter().enumerate() {
        let code = insn.code;
        if !seccomp_allows(code) {
            return Err(ValidateError::BadOpcode { pc, code });
        }
        let k = insn.k;
        match code {
            0x34 if k == 0 => return Err(ValidateError::DivisionByZero { pc }),
            0x64 | 0x74 if k >= 32 => return Err(ValidateError::ShiftTooLarge { pc, k }),
            0x60 | 0x61 | 0x02 | 0x03 if k >= MEMWORDS => {
                return Err(ValidateError::BadMemoryIndex { pc, k })
            }
            0x05 if k as u64 >= (len - pc - 1) as u64 => {
                return Err(ValidateError::JumpOutOfRange { pc })
            }
            0x20 if k >= data::SIZE || k & 3 != 0 => return Err(ValidateError::BadLoad { pc, k }),
            c if is_conditional_jump(c)
                && (pc + insn.jt as usize + 1 >= len || pc + insn.jf as usize + 1 >= len) =>
            {
                return Err(ValidateError::JumpOutOfRange { pc })
            }
            _ => {}
        }
    }
    if !matches!(prog[len - 1].code, 0x06 | 0x16) {
        return Err(ValidateError::NoFinalReturn);
    }
    check_loads_and_stores(prog)
}

/// The kernel's `check_load_and_stores`: a forward pass with a mask of
/// stored words per instruction. It does not reset the mask after a
/// return, and neither do we.
fn check_loads_and_stores(prog: &[Insn]) -> Result<(), ValidateError> {
    let mut masks = vec![0xffffu16; prog.len()];
    let mut valid: u16 = 0;
    for (pc, insn) in prog.iter().enumerate() {
        valid &= masks[pc];
        match insn.code {
            0x02 | 0x03 => valid |= 1 << insn.k,
            0x60 | 0x61 if valid & (1 << insn.k) == 0 => {
                return Err(ValidateError::UninitialisedMemory { pc, k: insn.k });
            }
            0x05 => {
                masks[pc + 1 + insn.k as usize] &= valid;
                valid = 0xffff;
            }
            c if is_conditional_jump(c) => {
                masks[pc + 1 + insn.jt as usize] &= valid;
                masks[pc + 1 + insn.jf as usize] &= valid;
                valid = 0xffff;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Run one program that passed [`validate`] and return its `SECCOMP_RET_*`.
///
/// An unvalidated program never panics: a bad opcode or a jump past the end
/// returns 0 (kill), as a refused program cannot run anyway.
pub fn run_filter(prog: &[Insn], sd: &SeccompData) -> u32 {
    let mut a: u32 = 0;
    let mut x: u32 = 0;
    let mut mem = [0u32; 16];
    let mut pc = 0usize;
    while let Some(insn) = prog.get(pc) {
        let k = insn.k;
        pc += 1;
        match insn.code {
            0x20 => a = sd.word(k),
            0x80 => a = data::SIZE,
            0x81 => x = data::SIZE,
            0x00 => a = k,
            0x01 => x = k,
            0x60 => a = mem[(k & 15) as usize],
            0x61 => x = mem[(k & 15) as usize],
            0x02 => mem[(k & 15) as usize] = a,
            0x03 => mem[(k & 15) as usize] = x,
            0x07 => x = a,
            0x87 => a = x,
            0x06 => return k,
            0x16 => return a,
            0x84 => a = a.wrapping_neg(),
            c if class(c) == ALU => {
                let src = if c & X != 0 { x } else { k };
                a = match c & 0xf0 {
                    ADD => a.wrapping_add(src),
                    SUB => a.wrapping_sub(src),
                    MUL => a.wrapping_mul(src),
                    DIV => {
                        // The converted program returns 0 on division by X == 0.
                        if src == 0 {
                            return 0;
                        }
                        a / src
                    }
                    AND => a & src,
                    OR => a | src,
                    XOR => a ^ src,
                    LSH => a << (src & 31),
                    RSH => a >> (src & 31),
                    _ => return 0,
                };
            }
            0x05 => pc += k as usize,
            c if is_conditional_jump(c) => {
                let src = if c & X != 0 { x } else { k };
                let taken = match c & 0xf0 {
                    JEQ => a == src,
                    JGT => a > src,
                    JGE => a >= src,
                    JSET => a & src != 0,
                    _ => return 0,
                };
                pc += if taken { insn.jt } else { insn.jf } as usize;
            }
            _ => return 0,
        }
    }
    0
}

/// `ACTION_ONLY()` of kernel/seccomp.c: the action bits as a signed value,
/// lower is stronger.
pub fn action_rank(ret: u32) -> i32 {
    (ret & 0xffff_0000) as i32
}

/// Run stacked filters (index 0 the oldest) like `seccomp_run_filters`:
/// newest first, and a filter's result replaces the current one only when
/// its action is strictly stronger, so on a tie the newest filter's data wins.
pub fn run_filters(filters: &[Vec<Insn>], sd: &SeccompData) -> u32 {
    let mut ret = 0x7fff_0000u32;
    for prog in filters.iter().rev() {
        let cur = run_filter(prog, sd);
        if action_rank(cur) < action_rank(ret) {
            ret = cur;
        }
    }
    ret
}
