//! A minimal ELF32/ELF64 reader for one thing: the GNU build-id note
//! (`NT_GNU_BUILD_ID` in a `PT_NOTE` segment or `SHT_NOTE` section).
//!
//! Input is untrusted (any mapped file, or a vdso image): every offset and
//! size is checked, sizes are capped, and garbage yields `None`.

use std::fs::File;
use std::os::unix::fs::FileExt;

/// Random access to the bytes of an ELF image.
pub trait ReadAt {
    /// Fills `buf` from `offset`; false when the bytes are not all there.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> bool;
}

impl ReadAt for [u8] {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> bool {
        let Ok(start) = usize::try_from(offset) else {
            return false;
        };
        match start
            .checked_add(buf.len())
            .and_then(|end| self.get(start..end))
        {
            Some(src) => {
                buf.copy_from_slice(src);
                true
            }
            None => false,
        }
    }
}

impl ReadAt for File {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> bool {
        self.read_exact_at(buf, offset).is_ok()
    }
}

const PT_NOTE: u32 = 4;
const SHT_NOTE: u32 = 7;
const NT_GNU_BUILD_ID: u32 = 3;
/// Notes larger than this are not build-id notes worth reading.
const MAX_NOTE_AREA: u64 = 1 << 20;
const MAX_HEADERS: u64 = 4096;

#[derive(Clone, Copy)]
struct Layout {
    is64: bool,
    little: bool,
}

impl Layout {
    fn u16(&self, b: &[u8]) -> u16 {
        let a = [b[0], b[1]];
        if self.little {
            u16::from_le_bytes(a)
        } else {
            u16::from_be_bytes(a)
        }
    }
    fn u32(&self, b: &[u8]) -> u32 {
        let a = [b[0], b[1], b[2], b[3]];
        if self.little {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        }
    }
    fn u64(&self, b: &[u8]) -> u64 {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[..8]);
        if self.little {
            u64::from_le_bytes(a)
        } else {
            u64::from_be_bytes(a)
        }
    }
}

/// The GNU build-id of an ELF image as lowercase hex, `None` when it has
/// none or is not ELF.
pub fn build_id<R: ReadAt + ?Sized>(image: &R) -> Option<String> {
    let mut ident = [0u8; 64];
    if !image.read_at(0, &mut ident[..52]) || &ident[..4] != b"\x7fELF" {
        return None;
    }
    let is64 = match ident[4] {
        1 => false,
        2 => true,
        _ => return None,
    };
    let little = match ident[5] {
        1 => true,
        2 => false,
        _ => return None,
    };
    if is64 && !image.read_at(0, &mut ident) {
        return None;
    }
    let l = Layout { is64, little };
    // (offset of phoff, shoff, phentsize, phnum, shentsize, shnum)
    let (phoff, shoff, phentsize, phnum, shentsize, shnum) = if is64 {
        (
            l.u64(&ident[32..]),
            l.u64(&ident[40..]),
            l.u16(&ident[54..]),
            l.u16(&ident[56..]),
            l.u16(&ident[58..]),
            l.u16(&ident[60..]),
        )
    } else {
        (
            u64::from(l.u32(&ident[28..])),
            u64::from(l.u32(&ident[32..])),
            l.u16(&ident[42..]),
            l.u16(&ident[44..]),
            l.u16(&ident[46..]),
            l.u16(&ident[48..]),
        )
    };
    from_program_headers(image, l, phoff, phentsize, phnum)
        .or_else(|| from_section_headers(image, l, shoff, shentsize, shnum))
}

fn from_program_headers<R: ReadAt + ?Sized>(
    image: &R,
    l: Layout,
    phoff: u64,
    entsize: u16,
    count: u16,
) -> Option<String> {
    let need = if l.is64 { 56 } else { 32 };
    if usize::from(entsize) < need || phoff == 0 || u64::from(count) > MAX_HEADERS {
        return None;
    }
    let mut ph = vec![0u8; need];
    for i in 0..u64::from(count) {
        let at = phoff.checked_add(i * u64::from(entsize))?;
        if !image.read_at(at, &mut ph) || l.u32(&ph) != PT_NOTE {
            continue;
        }
        let (offset, filesz, align) = if l.is64 {
            (l.u64(&ph[8..]), l.u64(&ph[32..]), l.u64(&ph[48..]))
        } else {
            (
                u64::from(l.u32(&ph[4..])),
                u64::from(l.u32(&ph[16..])),
                u64::from(l.u32(&ph[28..])),
            )
        };
        if let Some(id) = scan_notes(image, l, offset, filesz, align) {
            return Some(id);
        }
    }
    None
}

fn from_section_headers<R: ReadAt + ?Sized>(
    image: &R,
    l: Layout,
    shoff: u64,
    entsize: u16,
    count: u16,
) -> Option<String> {
    let need = if l.is64 { 64 } else { 40 };
    if usize::from(entsize) < need || shoff == 0 || u64::from(count) > MAX_HEADERS {
        return None;
    }
    let mut sh = vec![0u8; need];
    for i in 0..u64::from(count) {
        let at = shoff.checked_add(i * u64::from(entsize))?;
        if !image.read_at(at, &mut sh) || l.u32(&sh[4..]) != SHT_NOTE {
            continue;
        }
        let (offset, size, align) = if l.is64 {
            (l.u64(&sh[24..]), l.u64(&sh[32..]), l.u64(&sh[48..]))
        } else {
            (
                u64::from(l.u32(&sh[16..])),
                u64::from(l.u32(&sh[20..])),
                u64::from(l.u32(&sh[32..])),
            )
        };
        if let Some(id) = scan_notes(image, l, offset, size, align) {
            return Some(id);
        }
    }
    None
}

/// Walks the notes of one note area looking for `GNU` / NT_GNU_BUILD_ID.
fn scan_notes<R: ReadAt + ?Sized>(
    image: &R,
    l: Layout,
    offset: u64,
    size: u64,
    align: u64,
) -> Option<String> {
    if size == 0 || size > MAX_NOTE_AREA {
        return None;
    }
    let mut area = vec![0u8; size as usize];
    if !image.read_at(offset, &mut area) {
        return None;
    }
    // Notes are 4-aligned, or 8-aligned in areas aligned to 8.
    let align = if align == 8 { 8 } else { 4 };
    let pad = |n: usize| n.checked_add(align - 1).map(|v| v & !(align - 1));
    let mut at = 0usize;
    while at + 12 <= area.len() {
        let namesz = l.u32(&area[at..]) as usize;
        let descsz = l.u32(&area[at + 4..]) as usize;
        let kind = l.u32(&area[at + 8..]);
        let name_start = at + 12;
        let desc_start = name_start.checked_add(pad(namesz)?)?;
        let desc_end = desc_start.checked_add(descsz)?;
        if desc_end > area.len() {
            return None;
        }
        if kind == NT_GNU_BUILD_ID
            && namesz == 4
            && &area[name_start..name_start + 4] == b"GNU\0"
            && descsz > 0
        {
            return Some(hex(&area[desc_start..desc_end]));
        }
        at = desc_start.checked_add(pad(descsz)?)?;
    }
    None
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A minimal ELF64 little-endian image with one PT_NOTE holding `id`.
    pub fn elf64_with_build_id(id: &[u8]) -> Vec<u8> {
        let mut note = Vec::new();
        note.extend_from_slice(&4u32.to_le_bytes());
        note.extend_from_slice(&(id.len() as u32).to_le_bytes());
        note.extend_from_slice(&NT_GNU_BUILD_ID.to_le_bytes());
        note.extend_from_slice(b"GNU\0");
        note.extend_from_slice(id);
        while note.len() % 4 != 0 {
            note.push(0);
        }
        let mut img = vec![0u8; 64 + 56];
        img[..4].copy_from_slice(b"\x7fELF");
        img[4] = 2;
        img[5] = 1;
        img[32..40].copy_from_slice(&64u64.to_le_bytes()); // phoff
        img[54..56].copy_from_slice(&56u16.to_le_bytes()); // phentsize
        img[56..58].copy_from_slice(&1u16.to_le_bytes()); // phnum
        let ph = &mut img[64..];
        ph[..4].copy_from_slice(&PT_NOTE.to_le_bytes());
        ph[8..16].copy_from_slice(&120u64.to_le_bytes()); // offset
        ph[32..40].copy_from_slice(&(note.len() as u64).to_le_bytes()); // filesz
        ph[48..56].copy_from_slice(&4u64.to_le_bytes()); // align
        img.extend_from_slice(&note);
        img
    }

    /// The same as ELF32 big-endian, found through a section header only.
    fn elf32be_section_build_id(id: &[u8]) -> Vec<u8> {
        let mut note = Vec::new();
        note.extend_from_slice(&4u32.to_be_bytes());
        note.extend_from_slice(&(id.len() as u32).to_be_bytes());
        note.extend_from_slice(&NT_GNU_BUILD_ID.to_be_bytes());
        note.extend_from_slice(b"GNU\0");
        note.extend_from_slice(id);
        let mut img = vec![0u8; 52 + 40];
        img[..4].copy_from_slice(b"\x7fELF");
        img[4] = 1;
        img[5] = 2;
        img[32..36].copy_from_slice(&52u32.to_be_bytes()); // shoff
        img[46..48].copy_from_slice(&40u16.to_be_bytes()); // shentsize
        img[48..50].copy_from_slice(&1u16.to_be_bytes()); // shnum
        let sh = &mut img[52..];
        sh[4..8].copy_from_slice(&SHT_NOTE.to_be_bytes());
        sh[16..20].copy_from_slice(&92u32.to_be_bytes()); // offset
        sh[20..24].copy_from_slice(&(note.len() as u32).to_be_bytes());
        sh[32..36].copy_from_slice(&4u32.to_be_bytes());
        img.extend_from_slice(&note);
        img
    }

    #[test]
    fn finds_build_ids_in_constructed_images() {
        let id = [0xab, 0xcd, 0x01, 0x23, 0x45];
        assert_eq!(
            build_id(&elf64_with_build_id(&id)[..]).as_deref(),
            Some("abcd012345")
        );
        assert_eq!(
            build_id(&elf32be_section_build_id(&id)[..]).as_deref(),
            Some("abcd012345")
        );
        assert_eq!(build_id(&b"\x7fELF"[..]), None);
        assert_eq!(build_id(&b"#!/bin/sh\n"[..]), None);
    }

    #[test]
    fn skips_other_notes_before_the_build_id() {
        let mut img = elf64_with_build_id(&[1, 2, 3, 4]);
        // Prepend an ABI-tag note (namesz 4, descsz 16, type 1) to the area.
        let mut other = Vec::new();
        other.extend_from_slice(&4u32.to_le_bytes());
        other.extend_from_slice(&16u32.to_le_bytes());
        other.extend_from_slice(&1u32.to_le_bytes());
        other.extend_from_slice(b"GNU\0");
        other.extend_from_slice(&[0u8; 16]);
        let note_start = 120;
        let tail = img.split_off(note_start);
        img.extend_from_slice(&other);
        img.extend_from_slice(&tail);
        let total = (other.len() + tail.len()) as u64;
        img[64 + 32..64 + 40].copy_from_slice(&total.to_le_bytes());
        assert_eq!(build_id(&img[..]).as_deref(), Some("01020304"));
    }

    proptest! {
        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = build_id(&bytes[..]);
        }

        #[test]
        fn corrupted_elf_never_panics(
            id in proptest::collection::vec(any::<u8>(), 1..40),
            pos in 0usize..200,
            byte in any::<u8>(),
        ) {
            let mut img = elf64_with_build_id(&id);
            if pos < img.len() {
                img[pos] = byte;
            }
            let _ = build_id(&img[..]);
        }

        #[test]
        fn any_build_id_round_trips(id in proptest::collection::vec(any::<u8>(), 1..64)) {
            let img = elf64_with_build_id(&id);
            prop_assert_eq!(build_id(&img[..]), Some(hex(&id)));
        }
    }
}
