//! Classic BPF for seccomp: instructions, an interpreter that agrees with the
//! kernel, a disassembler, a compiler from [`crate::Policy`], and the
//! evaluation of a filter program back into a [`crate::Policy`].

/// One classic BPF instruction (`struct sock_filter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Insn {
    pub code: u16,
    pub jt: u8,
    pub jf: u8,
    pub k: u32,
}
