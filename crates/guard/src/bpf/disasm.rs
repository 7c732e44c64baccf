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
    let x32 = nr & aprof_footprint::abi::X32_SYSCALL_BIT != 0;
    let abis: &[Abi] = match arch {
        Some(AUDIT_ARCH_I386) => &[Abi::I386],
        Some(AUDIT_ARCH_X86_64) if x32 => &[Abi::X32],
        Some(AUDIT_ARCH_X86_64) => &[Abi::X86_64],
        Some(_) => &[],
        None => &[Abi::X86_64, Abi::X32, Abi::I386],
    };
    let names: Vec<String> = abis
        .iter()
        .filter_map(|abi| abi.table().name(nr).map(|n| format!("{abi}:{n}")))
        .collect();
    (!names.is_empty()).then(|| names.join(" "))
}

/// What is known on entry to an instruction: the arch value (set on the
/// taken side of a `jeq` on the arch word) and which `seccomp_data` word A
/// holds; kept where every incoming edge agrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Known {
    arch: Option<u32>,
    a_field: Option<u32>,
}

fn known_state(prog: &[Insn]) -> Vec<Known> {
    let unknown = Known {
        arch: None,
        a_field: None,
    };
    let mut state: Vec<Option<Known>> = vec![None; prog.len() + 1];
    if !prog.is_empty() {
        state[0] = Some(unknown);
    }
    let merge = |slot: &mut Option<Known>, v: Known| {
        *slot = Some(match *slot {
            None => v,
            Some(old) => Known {
                arch: if old.arch == v.arch { v.arch } else { None },
                a_field: if old.a_field == v.a_field {
                    v.a_field
                } else {
                    None
                },
            },
        })
    };
    for pc in 0..prog.len() {
        let Some(here) = state[pc] else { continue };
        let insn = prog[pc];
        let next = pc + 1;
        let after = Known {
            arch: here.arch,
            a_field: match insn.code {
                0x20 => Some(insn.k),
                c if matches!(c & 0x07, 0x01 | 0x02 | 0x03 | 0x05 | 0x06) => here.a_field,
                0x07 => here.a_field,
                _ => None,
            },
        };
        match insn.code {
            0x06 | 0x16 => {}
            0x05 => {
                if let Some(slot) = state.get_mut(next + insn.k as usize) {
                    merge(slot, after);
                }
            }
            c if c & 0x07 == 0x05 => {
                let taken = if c == 0x15 && here.a_field == Some(data::ARCH) {
                    Known {
                        arch: Some(insn.k),
                        ..after
                    }
                } else {
                    after
                };
                if let Some(slot) = state.get_mut(next + insn.jt as usize) {
                    merge(slot, taken);
                }
                if let Some(slot) = state.get_mut(next + insn.jf as usize) {
                    merge(slot, after);
                }
            }
            _ => merge(&mut state[next], after),
        }
    }
    state
        .into_iter()
        .take(prog.len())
        .map(|s| s.unwrap_or(unknown))
        .collect()
}

/// Disassemble a program, one instruction a line: index, raw fields, text
/// and a comment naming syscalls, arches, fields and actions.
///
/// The architecture a JEQ on `nr` belongs to is guessed from the last
/// `arch` comparison seen on the way; when unknown, every ABI is named.
pub fn disassemble(prog: &[Insn]) -> String {
    let mut out = String::new();
    let known = known_state(prog);
    for (pc, insn) in prog.iter().enumerate() {
        let Known { arch, a_field } = known[pc];
        let k = insn.k;
        let jt = pc + 1 + insn.jt as usize;
        let jf = pc + 1 + insn.jf as usize;
        let mut comment = String::new();
        let text = match insn.code {
            0x20 => {
                comment = data::field_name(k);
                format!("ld  [{k}]")
            }
            0x80 => "ld  #len".to_string(),
            0x81 => "ldx #len".to_string(),
            0x00 => {
                format!("ld  #{k:#x}")
            }
            0x01 => format!("ldx #{k:#x}"),
            0x60 => {
                format!("ld  M[{k}]")
            }
            0x61 => format!("ldx M[{k}]"),
            0x02 => format!("st  M[{k}]"),
            0x03 => format!("stx M[{k}]"),
            0x07 => "tax".to_string(),
            0x87 => "txa".to_string(),
            0x06 => {
                comment = ret_name(k);
                format!("ret #{k:#010x}")
            }
            0x16 => "ret a".to_string(),
            0x84 => "neg".to_string(),
            0x05 => format!("ja  {}", pc + 1 + k as usize),
            c if c & 0x07 == 0x04 => {
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
