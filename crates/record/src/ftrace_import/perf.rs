//! `perf script` output: one sample per record, a header line
//! (`comm pid[/tid] [cpu] time: [period] event:`) and its call chain, one
//! frame per indented line (`addr symbol+off (dso)`), innermost first.
//! Kernel frames are those whose dso is `[kernel.kallsyms]` (or a module,
//! `[ext4]`). A sample gives a lower bound of the functions that ran, not
//! every call: the counts are frame occurrences in the samples.

use super::engine::Engine;
use super::line::{trim_cr, valid_name, Task};
use memchr::memchr;

/// Whether a line is the header of a perf sample.
pub(crate) fn is_header(line: &[u8]) -> bool {
    header(line).is_some()
}

/// `comm pid[/tid] [cpu] time: ...` -> the task (thread id as pid) and CPU.
fn header(line: &[u8]) -> Option<(Option<Task<'_>>, Option<u32>)> {
    // `perf script -F` pads the comm on the left.
    let line = trim(line);
    if line.is_empty() {
        return None;
    }
    // The timestamp: the first token `digits.digits:`.
    let mut tokens = line
        .split(|&b| b == b' ' || b == b'\t')
        .filter(|t| !t.is_empty());
    let mut before: Vec<&[u8]> = Vec::new();
    let mut found = false;
    for token in tokens.by_ref() {
        if let Some(ts) = token.strip_suffix(b":") {
            if let Some(dot) = memchr(b'.', ts) {
                if dot > 0
                    && ts[..dot].iter().all(u8::is_ascii_digit)
                    && ts[dot + 1..].iter().all(u8::is_ascii_digit)
                {
                    found = true;
                    break;
                }
            }
        }
        before.push(token);
        if before.len() > 64 {
            return None;
        }
    }
    if !found || before.len() < 2 {
        return None;
    }
    let mut cpu = None;
    if let Some(last) = before.last() {
        if let Some(inner) = last.strip_prefix(b"[").and_then(|t| t.strip_suffix(b"]")) {
            cpu = std::str::from_utf8(inner).ok()?.parse().ok();
            before.pop();
        }
    }
    let ids = before.pop()?;
    let pid_text = match memchr(b'/', ids) {
        Some(slash) => &ids[slash + 1..],
        None => ids,
    };
    if pid_text.is_empty() || !pid_text.iter().all(u8::is_ascii_digit) || pid_text.len() > 9 {
        return None;
    }
    let pid: u32 = std::str::from_utf8(pid_text).ok()?.parse().ok()?;
    let comm_end = before.last().map(|l| {
        // The comm is everything from the line start to the end of the
        // last token before the pid (comms may hold spaces).
        l.as_ptr() as usize + l.len() - line.as_ptr() as usize
    });
    let comm = &line[..comm_end.unwrap_or(0)];
    Some((Some(Task { comm, pid }), cpu))
}

/// `ffffffff81649e3f kmem_cache_free+0x4f ([kernel.kallsyms])` -> the
/// symbol when the frame is in the kernel.
fn kernel_frame(line: &[u8]) -> Option<&[u8]> {
    let line = trim(line);
    let open = memchr::memrchr(b'(', line)?;
    let dso = line[open + 1..].strip_suffix(b")")?;
    if !is_kernel_dso(dso) {
        return None;
    }
    let text = trim(&line[..open]);
    let addr_end = memchr(b' ', text)?;
    if !text[..addr_end].iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let symbol = trim(&text[addr_end..]);
    let name_end = symbol
        .iter()
        .position(|&b| b == b'+' || b == b' ')
        .unwrap_or(symbol.len());
    let name = &symbol[..name_end];
    valid_name(name).then_some(name)
}

fn is_kernel_dso(dso: &[u8]) -> bool {
    let Some(inner) = dso.strip_prefix(b"[").and_then(|d| d.strip_suffix(b"]")) else {
        return false;
    };
    !matches!(
        inner,
        b"unknown" | b"vdso" | b"vsyscall" | b"heap" | b"stack" | b"anon" | b"uprobes"
    ) && !inner.contains(&b'/')
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// Feed every sample of `text` to the engine; returns (lines, malformed,
/// first malformed line number).
pub(crate) fn run<'a>(text: &'a [u8], engine: &mut Engine<'a, '_>) -> (u64, u64, Option<u64>) {
    let mut lines = 0u64;
    let mut malformed = 0u64;
    let mut first_malformed = None;
    let mut current: Option<(Option<Task<'a>>, Option<u32>)> = None;
    let mut frames: Vec<&'a [u8]> = Vec::new();
    let flush = |engine: &mut Engine<'a, '_>,
                 current: &mut Option<(Option<Task<'a>>, Option<u32>)>,
                 frames: &mut Vec<&'a [u8]>| {
        if let Some((task, cpu)) = current.take() {
            engine.sample(task, cpu, frames);
        }
        frames.clear();
    };
    for raw in super::split_lines(text) {
        lines += 1;
        let line = trim_cr(raw);
        if line.is_empty() {
            flush(engine, &mut current, &mut frames);
            continue;
        }
        let indented = line[0] == b' ' || line[0] == b'\t';
        let head = header(line);
        if indented && head.is_none() {
            if current.is_some() {
                if let Some(name) = kernel_frame(line) {
                    frames.push(name);
                }
            }
            continue;
        }
        flush(engine, &mut current, &mut frames);
        match head {
            Some(h) => {
                current = Some(h);
                // `-F ...,ip,sym,dso` without -g: the frame ends the header line.
                let tokens: Vec<&[u8]> = line
                    .split(|&b| b == b' ' || b == b'\t')
                    .filter(|t| !t.is_empty())
                    .collect();
                if tokens.len() >= 3 && tokens[tokens.len() - 1].starts_with(b"([") {
                    let addr = tokens[tokens.len() - 3];
                    let from = addr.as_ptr() as usize - line.as_ptr() as usize;
                    if let Some(name) = kernel_frame(&line[from..]) {
                        frames.push(name);
                    }
                }
            }
            None => {
                malformed += 1;
                first_malformed.get_or_insert(lines);
            }
        }
    }
    flush(engine, &mut current, &mut frames);
    (lines, malformed, first_malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        let (task, cpu) = header(b"cat 19004  1766.670775:     500000 cpu-clock: ").unwrap();
        assert_eq!(task.map(|t| (t.comm, t.pid)), Some((&b"cat"[..], 19004)));
        assert_eq!(cpu, None);
        let (task, cpu) =
            header(b"Web Content  1234/1240 [001] 12.000001: 1 cycles:ppp: ").unwrap();
        assert_eq!(
            task.map(|t| (t.comm, t.pid)),
            Some((&b"Web Content"[..], 1240))
        );
        assert_eq!(cpu, Some(1));
        assert!(header(b"\tffffffff81 foo+0x1 ([kernel.kallsyms])").is_none());
        let (task, cpu) = header(b" qemu-system-x86 29650 [000]  2981.059445:      7f7f0c0de6cd [unknown] (/tmp/perf-29644.map)").unwrap();
        assert_eq!(
            task.map(|t| (t.comm, t.pid)),
            Some((&b"qemu-system-x86"[..], 29650))
        );
        assert_eq!(cpu, Some(0));
        assert!(header(b"no timestamp").is_none());
    }

    #[test]
    fn frames() {
        assert_eq!(
            kernel_frame(b"\tffffffff81649e3f kmem_cache_free+0x4f ([kernel.kallsyms])"),
            Some(&b"kmem_cache_free"[..])
        );
        assert_eq!(
            kernel_frame(b"\tffffffffc0a1b2c3 ext4_file_read_iter+0x10 ([ext4])"),
            Some(&b"ext4_file_read_iter"[..])
        );
        assert_eq!(
            kernel_frame(
                b"\t           fd001 __open64_nocancel+0x41 (/usr/lib/x86_64-linux-gnu/libc.so.6)"
            ),
            None
        );
        assert_eq!(
            kernel_frame(b"\t               0 [unknown] ([unknown])"),
            None
        );
    }
}
