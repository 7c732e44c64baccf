//! Reading a tracee's memory: structs and strings that syscall arguments
//! point to (clone_args, socketcall arguments, mount's fstype, old_mmap).
//!
//! `process_vm_readv` first, `/proc/TID/mem` when it is refused. Reads stop
//! at page boundaries so a string at the end of a mapping is still read.

use std::fs::File;
use std::os::unix::fs::FileExt;

const PAGE: u64 = 4096;

/// Reads exactly `buf.len()` bytes at `addr` of thread `tid`.
pub fn read_exact(tid: i32, addr: u64, buf: &mut [u8]) -> bool {
    if buf.is_empty() {
        return true;
    }
    if addr == 0 {
        return false;
    }
    if vm_read(tid, addr, buf) == Some(buf.len()) {
        return true;
    }
    match File::open(format!("/proc/{tid}/mem")) {
        Ok(f) => f.read_exact_at(buf, addr).is_ok(),
        Err(_) => false,
    }
}

fn vm_read(tid: i32, addr: u64, buf: &mut [u8]) -> Option<usize> {
    let local = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let remote = libc::iovec {
        iov_base: addr as *mut libc::c_void,
        iov_len: buf.len(),
    };
    // SAFETY: `local` describes `buf`, which lives for the call; the kernel
    // only writes into it. `remote` is an address in another process.
    let n = unsafe { libc::process_vm_readv(tid, &local, 1, &remote, 1, 0) };
    usize::try_from(n).ok()
}

/// Reads little-endian u64 values at `addr`.
pub fn read_u64s<const N: usize>(tid: i32, addr: u64) -> Option<[u64; N]> {
    let mut bytes = vec![0u8; N * 8];
    if !read_exact(tid, addr, &mut bytes) {
        return None;
    }
    let mut out = [0u64; N];
    for (i, chunk) in bytes.chunks_exact(8).enumerate() {
        out[i] = u64::from_le_bytes(chunk.try_into().ok()?);
    }
    Some(out)
}

/// Reads `n` little-endian u32 values at `addr` (i386 argument blocks).
pub fn read_u32s(tid: i32, addr: u64, n: usize) -> Option<Vec<u32>> {
    let mut bytes = vec![0u8; n * 4];
    if !read_exact(tid, addr, &mut bytes) {
        return None;
    }
    Some(
        bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    )
}

/// Reads a NUL-terminated string of at most `max` bytes (lossy UTF-8).
pub fn read_string(tid: i32, addr: u64, max: usize) -> Option<String> {
    if addr == 0 {
        return None;
    }
    let mut out = Vec::new();
    let mut at = addr;
    while out.len() < max {
        let to_page_end = (PAGE - at % PAGE) as usize;
        let len = to_page_end.min(max - out.len());
        let mut chunk = vec![0u8; len];
        if !read_exact(tid, at, &mut chunk) {
            break;
        }
        if let Some(nul) = chunk.iter().position(|&b| b == 0) {
            out.extend_from_slice(&chunk[..nul]);
            return Some(String::from_utf8_lossy(&out).into_owned());
        }
        out.extend_from_slice(&chunk);
        at += len as u64;
    }
    if out.is_empty() {
        None
    } else {
        Some(String::from_utf8_lossy(&out).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_own_memory() {
        let me = std::process::id() as i32;
        let values: [u64; 3] = [1, 0xdead_beef, u64::MAX];
        assert_eq!(read_u64s::<3>(me, values.as_ptr() as u64), Some(values));
        let words: [u32; 2] = [7, 9];
        assert_eq!(read_u32s(me, words.as_ptr() as u64, 2), Some(vec![7, 9]));
        let s = b"overlay\0junk";
        assert_eq!(
            read_string(me, s.as_ptr() as u64, 64).as_deref(),
            Some("overlay")
        );
        assert_eq!(
            read_string(me, s.as_ptr() as u64, 4).as_deref(),
            Some("over")
        );
        assert_eq!(read_string(me, 0, 64), None);
        assert!(!read_exact(me, 8, &mut [0u8; 4]), "page 0 is never mapped");
    }
}
