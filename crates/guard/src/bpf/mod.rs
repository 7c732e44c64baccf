//! Classic BPF for seccomp: instructions, an interpreter that agrees with the
//! kernel, a disassembler, a compiler from [`crate::Policy`], and the
//! evaluation of a filter program back into a [`crate::Policy`].
//!
//! The interpreter follows the kernel exactly: `bpf_check_classic` and
//! `seccomp_check_filter` for validation, the cBPF-to-eBPF conversion for
//! runtime details (division by `X == 0` returns 0, shifts by `X` use
//! `X & 31`), and `seccomp_run_filters` for stacked filters.

pub mod compile;
pub mod disasm;
pub mod eval;
pub mod interp;

pub use compile::{compile, CompileError};
pub use disasm::disassemble;
pub use eval::{evaluate, Evaluation};
pub use interp::{run_filter, run_filters, validate, SeccompData, ValidateError};

/// One classic BPF instruction (`struct sock_filter`, same layout).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Insn {
    pub code: u16,
    pub jt: u8,
    pub jf: u8,
    pub k: u32,
}

impl Insn {
    /// A non-jump instruction (`BPF_STMT`).
    pub const fn stmt(code: u16, k: u32) -> Insn {
        Insn {
            code,
            jt: 0,
            jf: 0,
            k,
        }
    }

    /// A jump instruction (`BPF_JUMP`).
    pub const fn jump(code: u16, k: u32, jt: u8, jf: u8) -> Insn {
        Insn { code, jt, jf, k }
    }

    /// A program as the kernel's `struct sock_filter` array, to install.
    pub fn as_sock_filters(program: &[Insn]) -> &[libc::sock_filter] {
        const _: () = assert!(
            std::mem::size_of::<Insn>() == std::mem::size_of::<libc::sock_filter>()
                && std::mem::align_of::<Insn>() == std::mem::align_of::<libc::sock_filter>()
        );
        // SAFETY: Insn is repr(C) with the fields of sock_filter in the same
        // order and types (u16, u8, u8, u32), so the slices have one layout.
        unsafe { std::slice::from_raw_parts(program.as_ptr().cast(), program.len()) }
    }

    /// The instruction as the 8 bytes of a `struct sock_filter`.
    pub fn to_bytes(self) -> [u8; 8] {
        let mut b = [0u8; 8];
        b[0..2].copy_from_slice(&self.code.to_ne_bytes());
        b[2] = self.jt;
        b[3] = self.jf;
        b[4..8].copy_from_slice(&self.k.to_ne_bytes());
        b
    }

    /// Decode one `struct sock_filter` from 8 bytes.
    pub fn from_bytes(b: [u8; 8]) -> Insn {
        Insn {
            code: u16::from_ne_bytes([b[0], b[1]]),
            jt: b[2],
            jf: b[3],
            k: u32::from_ne_bytes([b[4], b[5], b[6], b[7]]),
        }
    }
}

/// Opcode constants of `linux/bpf_common.h` and `linux/filter.h`.
pub mod op {
    pub const LD: u16 = 0x00;
    pub const LDX: u16 = 0x01;
    pub const ST: u16 = 0x02;
    pub const STX: u16 = 0x03;
    pub const ALU: u16 = 0x04;
    pub const JMP: u16 = 0x05;
    pub const RET: u16 = 0x06;
    pub const MISC: u16 = 0x07;

    pub const W: u16 = 0x00;
    pub const H: u16 = 0x08;
    pub const B: u16 = 0x10;

    pub const IMM: u16 = 0x00;
    pub const ABS: u16 = 0x20;
    pub const IND: u16 = 0x40;
    pub const MEM: u16 = 0x60;
    pub const LEN: u16 = 0x80;
    pub const MSH: u16 = 0xa0;

    pub const ADD: u16 = 0x00;
    pub const SUB: u16 = 0x10;
    pub const MUL: u16 = 0x20;
    pub const DIV: u16 = 0x30;
    pub const OR: u16 = 0x40;
    pub const AND: u16 = 0x50;
    pub const LSH: u16 = 0x60;
    pub const RSH: u16 = 0x70;
    pub const NEG: u16 = 0x80;
    pub const MOD: u16 = 0x90;
    pub const XOR: u16 = 0xa0;

    pub const JA: u16 = 0x00;
    pub const JEQ: u16 = 0x10;
    pub const JGT: u16 = 0x20;
    pub const JGE: u16 = 0x30;
    pub const JSET: u16 = 0x40;

    pub const K: u16 = 0x00;
    pub const X: u16 = 0x08;
    /// `BPF_A`, the source of `RET A`.
    pub const A: u16 = 0x10;

    pub const TAX: u16 = 0x00;
    pub const TXA: u16 = 0x80;

    /// Scratch memory words (`BPF_MEMWORDS`).
    pub const MEMWORDS: u32 = 16;
    /// Longest program (`BPF_MAXINSNS`).
    pub const MAXINSNS: usize = 4096;

    pub fn class(code: u16) -> u16 {
        code & 0x07
    }
}

/// Offsets into `struct seccomp_data`.
pub mod data {
    pub const NR: u32 = 0;
    pub const ARCH: u32 = 4;
    pub const IP_LO: u32 = 8;
    pub const IP_HI: u32 = 12;
    /// Size of `struct seccomp_data`.
    pub const SIZE: u32 = 64;

    /// Offset of the low 32 bits of argument `i`.
    pub const fn arg_lo(i: u8) -> u32 {
        16 + 8 * i as u32
    }

    /// Offset of the high 32 bits of argument `i`.
    pub const fn arg_hi(i: u8) -> u32 {
        20 + 8 * i as u32
    }

    /// A readable name of the 32-bit word at `offset`.
    pub fn field_name(offset: u32) -> String {
        match offset {
            NR => "nr".into(),
            ARCH => "arch".into(),
            IP_LO => "ip_lo".into(),
            IP_HI => "ip_hi".into(),
            16..=63 => {
                let i = (offset - 16) / 8;
                if offset & 7 == 0 {
                    format!("arg{i}_lo")
                } else {
                    format!("arg{i}_hi")
                }
            }
            _ => format!("[{offset}]"),
        }
    }
}
