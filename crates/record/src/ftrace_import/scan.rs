//! The fast path over `function_graph` text: one forward pass over each
//! line of the two common layouts (` C)  DURATION  |  body` and, with
//! funcgraph-proc, ` C)  comm-pid  | [DURATION |]  body`), which also finds
//! the line's end, so most lines cost one look at each byte and no call.
//! Anything else (or anything odd) goes to the general parsers in
//! [`super::line`], which have the last word: the property tests check that
//! both agree.

use super::line::{parse_task, GraphBody, Line};

const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);

/// Skip spaces from `i`, eight at a time where possible.
#[inline(always)]
fn skip_spaces(buf: &[u8], mut i: usize) -> usize {
    while i + 8 <= buf.len() {
        let word = u64::from_ne_bytes(buf[i..i + 8].try_into().unwrap_or([0; 8]));
        if word != SPACES {
            break;
        }
        i += 8;
    }
    while i < buf.len() && buf[i] == b' ' {
        i += 1;
    }
    i
}

const LOW: u64 = u64::from_ne_bytes([0x01; 8]);
const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);

/// High bit set in each byte of `x` that is zero (the lowest one is exact).
#[inline(always)]
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(LOW) & !x & HIGH
}

/// The end of a function name in a graph body: the first byte that is a
/// control or space (below `$`), `(` or `|` ([`super::line::name_byte`]),
/// eight bytes at a time.
#[inline(always)]
fn name_end(buf: &[u8], mut i: usize) -> usize {
    while i + 8 <= buf.len() {
        let w = u64::from_le_bytes(buf[i..i + 8].try_into().unwrap_or([0; 8]));
        let low = w.wrapping_sub(u64::from_ne_bytes([0x24; 8])) & !w & HIGH;
        let paren = zero_bytes(w ^ u64::from_ne_bytes([b'('; 8]));
        let bar = zero_bytes(w ^ u64::from_ne_bytes([b'|'; 8]));
        let end = low | paren | bar;
        if end != 0 {
            return i + (end.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < buf.len() && super::line::name_byte(buf[i]) {
        i += 1;
    }
    i
}

/// `+ 12.008 us`, `0.971 us`, `$ 1001664 us` up to (not including) the
/// next `|`; returns the position of that `|`.
#[inline(always)]
fn duration_to_bar(buf: &[u8], mut i: usize) -> Option<usize> {
    if i < buf.len() && matches!(buf[i], b'+' | b'!' | b'#' | b'*' | b'@' | b'$') {
        i = skip_spaces(buf, i + 1);
    }
    let start = i;
    while i < buf.len() && (buf[i].is_ascii_digit() || buf[i] == b'.') {
        i += 1;
    }
    if i == start || !buf[i..].starts_with(b" us") {
        return None;
    }
    i = skip_spaces(buf, i + 3);
    (i < buf.len() && buf[i] == b'|').then_some(i)
}

/// The end of the line at `i` (the position after its `\n`), when only an
/// optional `\r` stands before the newline.
#[inline(always)]
fn line_end(buf: &[u8], i: usize) -> Option<usize> {
    match buf.get(i) {
        Some(b'\n') => Some(i + 1),
        Some(b'\r') if buf.get(i + 1) == Some(&b'\n') => Some(i + 2),
        _ => None,
    }
}

/// Parse the line starting at `pos` if it has a common layout and ends
/// with a newline; returns the line and where the next one starts.
#[inline]
pub(crate) fn graph_line(buf: &[u8], pos: usize) -> Option<(Line<'_>, usize)> {
    // ` 12)`
    let mut i = skip_spaces(buf, pos);
    let digits = i;
    let mut cpu: u32 = 0;
    while i < buf.len() && buf[i].is_ascii_digit() && i - digits < 6 {
        cpu = cpu * 10 + u32::from(buf[i] - b'0');
        i += 1;
    }
    if i == digits || buf.get(i) != Some(&b')') {
        return None;
    }
    i = skip_spaces(buf, i + 1);
    // Columns up to the body's `|`.
    let mut task = None;
    let bar = match buf.get(i)? {
        b'|' => i,
        b'0'..=b'9' | b'+' | b'!' | b'#' | b'*' | b'@' | b'$' => duration_to_bar(buf, i)?,
        _ => {
            // funcgraph-proc: `comm-pid` then `|`; a comm holding `|` or a
            // newline goes to the general parser.
            let start = i;
            while i < buf.len() && buf[i] != b'|' && buf[i] != b'\n' {
                i += 1;
            }
            if buf.get(i) != Some(&b'|') {
                return None;
            }
            task = Some(parse_task(&buf[start..i])?);
            let after = skip_spaces(buf, i + 1);
            match buf.get(after)? {
                b'0'..=b'9' | b'+' | b'!' | b'#' | b'*' | b'@' | b'$' => {
                    duration_to_bar(buf, after)?
                }
                b'|' => after,
                _ => i,
            }
        }
    };
    // The body: indentation, then `name();`, `name() {`, `}` or `} /* name */`.
    let body = bar + 1;
    let text = skip_spaces(buf, body);
    let depth = ((text - body).saturating_sub(1) / 2) as u32;
    let first = *buf.get(text)?;
    if first == b'}' {
        let mut j = text + 1;
        let mut tail = None;
        if buf.get(j) == Some(&b' ') {
            // funcgraph-tail: `} /* name */`
            if !buf[j..].starts_with(b" /* ") {
                return None;
            }
            let name = j + 4;
            j = name_end(buf, name);
            if !buf[j..].starts_with(b" */") || j == name {
                return None;
            }
            tail = Some(&buf[name..j]);
            j += 3;
        }
        let next = line_end(buf, j)?;
        return Some((graph(cpu, task, depth, GraphBody::Exit { tail }), next));
    }
    if !super::line::name_byte(first) || first.is_ascii_digit() || first == b'/' {
        return None;
    }
    let j = name_end(buf, text + 1);
    let name = &buf[text..j];
    let rest = &buf[j..];
    let (leaf, len) = if rest.starts_with(b"();") {
        (true, 3)
    } else if rest.starts_with(b"() {") {
        (false, 4)
    } else {
        return None;
    };
    let next = line_end(buf, j + len)?;
    Some((
        graph(cpu, task, depth, GraphBody::Entry { name, leaf }),
        next,
    ))
}

#[inline(always)]
fn graph<'a>(
    cpu: u32,
    task: Option<super::line::Task<'a>>,
    depth: u32,
    body: GraphBody<'a>,
) -> Line<'a> {
    Line::Graph {
        cpu: Some(cpu),
        task,
        context: None,
        depth,
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::super::line::parse_graph;
    use super::*;

    /// The fast path agrees with the general parser wherever it answers.
    fn agree(line: &str) {
        let with_nl = format!("{line}\n");
        let fast = graph_line(with_nl.as_bytes(), 0);
        let slow = parse_graph(line.as_bytes());
        if let Some((l, next)) = fast {
            assert_eq!(Some(l), slow, "{line:?}");
            assert_eq!(next, with_nl.len());
        }
    }

    #[test]
    fn layouts() {
        for line in [
            " 0)   0.971 us    |          next_uptodate_page();",
            " 1)               |  do_syscall_64() {",
            " 0) # 3268.390 us |          }",
            " 1) $ 1001664 us  |            }",
            " 0)   4.156 us    |              } /* unlock_page_memcg */",
            " 0)     sh-249     | finish_task_switch.isra.0() {",
            " 0)     sh-249     |   _raw_spin_unlock();",
            " 1)    ls-110     | + 14.743 us   |    load_new_mm_cr3();",
            " 1)    ls-110     |               |  }",
            " 12)  kworker/u4:2-57 |   0.2 us  |  f();",
        ] {
            assert!(
                graph_line(format!("{line}\n").as_bytes(), 0).is_some(),
                "{line}"
            );
            agree(line);
        }
        for line in [
            "  126.949355 |   0)    <idle>-0    |               |  switch_mm_irqs_off() {",
            " ...2. |               |      pgd_free() {",
            " 0)   ==========> |",
            " 0)               |  f(a=1) {",
        ] {
            assert!(
                graph_line(format!("{line}\n").as_bytes(), 0).is_none(),
                "{line}"
            );
        }
        // A comm with a bar, and tail comments: the general parser decides.
        agree(" 0)   a|b-12   |   f();");
        agree(" 0)   4.1 us    |  } /* x */ y */");
        // No newline: not the fast path's to decide.
        assert!(graph_line(b" 0)               |  f();", 0).is_none());
        assert!(graph_line(b" 0)               |  f();\r\n", 0).is_some());
    }

    proptest::proptest! {
        /// Wherever the fast path answers, the general parser agrees.
        #[test]
        fn fast_path_agrees_with_the_general_parser(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                " ", "  ", "0)", "12)", " 0)", "sh-98", "a b-7", "|", " | ", "0.971 us", "+ 12.0 us",
                "$ 1001664 us", "foo", "_bar.isra.0", "()", "();", "() {", "}", " /* foo */", "{",
                "(", ")", "-", ".", "/*", "*/", "\t", "x$y", "#", "!",
            ]), 0..14),
        ) {
            agree(&parts.concat());
        }
    }
}
