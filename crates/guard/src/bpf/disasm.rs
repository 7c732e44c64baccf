//! A readable listing of a seccomp filter, in the style of `bpf_dbg` and
//! libseccomp's `scmp_bpf_disasm`, with syscall names and architectures.

use super::{data, Insn};
use aprof_footprint::abi::{AUDIT_ARCH_AARCH64, AUDIT_ARCH_I386, AUDIT_ARCH_X86_64};
use aprof_footprint::Abi;
use std::fmt::Write;

fn arch_name(k: u32) -> Option<&'static str> {
    match k {
        AUDIT_ARCH_X86_64 => Some("AUDIT_ARCH_X86_64"),
        AUDIT_ARCH_I386 => Some("AUDIT_ARCH_I386"),
        AUDIT_ARCH_AARCH64 => Some("AUDIT_ARCH_AARCH64"),
        _ => None,
    }
}

fn ret_name(k: u32) -> String {
    let data = k & 0xffff;
    match k & 0xffff_0000 {
        0x8000_0000 => "KILL_PROCESS".into(),
        0x0000_0000 => "KILL_THREAD".into(),
        0x0003_0000 => format!("TRAP({data})"),
        0x0005_0000 => format!("ERRNO({data})"),
        0x7fc0_0000 => "USER_NOTIF".into(),
        0x7ff0_0000 => format!("TRACE({data})"),
        0x7ffc_0000 => "LOG".into(),
        0x7fff_0000 => "ALLOW".into(),
        _ => format!("{k:#010x} (unknown: kill process)"),
    }
}

/// Names of a syscall number on the ABIs an arch value selects.
fn syscall_names(arch: Option<u32>, nr: u32) -> Option<String> {
    let abis: &[Abi] = match arch {
        Some(AUDIT_ARCH_I386) => &[Abi::I386],
        Some(AUDIT_ARCH_X86_64) => &[Abi::X86_64, Abi::X32],
        Some(_) => &[],
        None => &[Abi::X86_64, Abi::X32, Abi::I386],
    };
    let names: Vec<String> = abis
        .iter()
        .filter_map(|abi| abi.table().name(nr).map(|n| format!("{abi}:{n}")))
        .collect();
    (!names.is_empty()).then(|| names.join(" "))
}

/// Disassemble a program, one instruction a line: index, raw fields, text
/// and a comment naming syscalls, arches, fields and actions.
///
/// The architecture a JEQ on `nr` belongs to is guessed from the last
/// `arch` comparison seen on the way; when unknown, every ABI is named.
pub fn disassemble(prog: &[Insn]) -> String {
    let mut out = String::new();
    // What A holds, as far as a straight reading can tell.
    let mut a_field: Option<u32> = None;
    let mut arch: Option<u32> = None;
    for (pc, insn) in prog.iter().enumerate() {
        let k = insn.k;
        let jt = pc + 1 + insn.jt as usize;
        let jf = pc + 1 + insn.jf as usize;
        let mut comment = String::new();
        let text = match insn.code {
            0x20 => {
                a_field = Some(k);
                comment = data::field_name(k);
                format!("ld  [{k}]")
            }
            0x80 => {
                a_field = None;
                "ld  #len".to_string()
            }
            0x81 => "ldx #len".to_string(),
            0x00 => {
                a_field = None;
                format!("ld  #{k:#x}")
            }
            0x01 => format!("ldx #{k:#x}"),
            0x60 => {
                a_field = None;
                format!("ld  M[{k}]")
            }
            0x61 => format!("ldx M[{k}]"),
            0x02 => format!("st  M[{k}]"),
            0x03 => format!("stx M[{k}]"),
            0x07 => "tax".to_string(),
            0x87 => {
                a_field = None;
                "txa".to_string()
            }
            0x06 => {
                comment = ret_name(k);
                format!("ret #{k:#010x}")
            }
            0x16 => "ret a".to_string(),
            0x84 => {
                a_field = None;
                "neg".to_string()
            }
            0x05 => format!("ja  {}", pc + 1 + k as usize),
            c if c & 0x07 == 0x04 => {
                a_field = None;
                let name = match c & 0xf0 {
                    0x00 => "add",
                    0x10 => "sub",
                    0x20 => "mul",
                    0x30 => "div",
                    0x40 => "or",
                    0x50 => "and",
                    0x60 => "lsh",
                    0x70 => "rsh",
                    0x90 => "mod",
                    0xa0 => "xor",
                    _ => "alu?",
                };
                if c & 0x08 != 0 {
                    format!("{name} x")
                } else {
                    format!("{name} #{k:#x}")
                }
            }
            c if c & 0x07 == 0x05 => {
                let name = match c & 0xf0 {
                    0x10 => "jeq",
                    0x20 => "jgt",
                    0x30 => "jge",
                    0x40 => "jset",
                    _ => "j?",
                };
                if c & 0x08 != 0 {
                    format!("{name} x, {jt}, {jf}")
                } else {
                    match a_field {
                        Some(data::ARCH) => {
                            if let Some(n) = arch_name(k) {
                                comment = n.to_string();
                            }
                            if c & 0xf0 == 0x10 {
                                arch = Some(k);
                            }
                        }
                        Some(data::NR) => {
                            if k == aprof_footprint::abi::X32_SYSCALL_BIT {
                                comment = "x32 syscall bit".into();
                            } else if c & 0xf0 == 0x10 {
                                if let Some(n) = syscall_names(arch, k) {
                                    comment = n;
                                }
                            }
                        }
                        Some(off) => comment = data::field_name(off),
                        None => {}
                    }
                    format!("{name} #{k:#x}, {jt}, {jf}")
                }
            }
            _ => format!("??? code {:#06x}", insn.code),
        };
        let mut line = format!(
            "{pc:04}: {:#06x} {:>3} {:>3} {k:#010x}  {text:<28}",
            insn.code, insn.jt, insn.jf
        );
        if !comment.is_empty() {
            let _ = write!(line, " ; {comment}");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
