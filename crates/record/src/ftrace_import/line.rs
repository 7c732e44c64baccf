//! One line of kernel-function trace text, split into its parts without
//! copying: ftrace's `function_graph` and `function` output (with any of the
//! common trace options), and the per-event lines of `trace-cmd report`.
//!
//! Every parser here is total: any bytes give a result, unknown shapes are
//! [`Line::Other`], and nothing panics (the property tests check it).

use memchr::{memchr, memrchr};

/// A task as a trace names it: `comm-pid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Task<'a> {
    pub comm: &'a [u8],
    pub pid: u32,
}

/// The hardirq/softirq/NMI context of a line, from the `irq-info` or
/// `latency-format` flags column (`d..2.`, `dNh1.`, `..s1.`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Process,
    /// Hard interrupt, softirq or NMI (`h`, `H`, `s`, `z`, `Z`).
    Interrupt,
}

/// What a `function_graph` line says after its `|`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphBody<'a> {
    /// `name() {` (`leaf: false`) or `name();` (`leaf: true`).
    Entry { name: &'a [u8], leaf: bool },
    /// `}` or, with funcgraph-tail, `} /* name */` (`tail: Some(name)`).
    Exit { tail: Option<&'a [u8]> },
    /// `/* ... */`: an event or trace_printk printed inside the graph.
    Comment,
    /// `==========>`: an interrupt entry (kernels that mark irq text).
    IrqEnter,
    /// `<==========`.
    IrqExit,
}

/// One parsed line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    /// A `function_graph` line (ftrace, or a trace-cmd `funcgraph_*` event).
    Graph {
        cpu: Option<u32>,
        task: Option<Task<'a>>,
        context: Option<Context>,
        /// Nesting depth from the indentation.
        depth: u32,
        body: GraphBody<'a>,
    },
    /// A call of the `function` tracer (ftrace, or a trace-cmd `function`
    /// event): the traced function itself, its parent ignored.
    Call {
        cpu: Option<u32>,
        task: Option<Task<'a>>,
        context: Option<Context>,
        name: &'a [u8],
    },
    /// ` 1)   sh-98   =>   ls-99  `: the task on a CPU changed.
    Switch {
        cpu: Option<u32>,
        prev: Option<Task<'a>>,
        next: Option<Task<'a>>,
    },
    /// `CPU:1 [LOST 6229 EVENTS]`.
    Lost { cpu: Option<u32>, events: u64 },
    /// `##### CPU 0 buffer started ####`.
    BufferStarted { cpu: Option<u32> },
    /// `# ...`: a header line, with what it says where it matters.
    Header(Header<'a>),
    /// Blank lines, separators, trace-cmd's `cpus=2`, events other than
    /// functions: nothing to count.
    Ignored,
    /// Not a form the tracers print.
    Other,
}

/// What a `#` header line says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header<'a> {
    /// `# tracer: function_graph`.
    Tracer(&'a [u8]),
    /// `# function_graph latency trace v1.1.5 on 6.1.0-57-cloud-amd64`.
    Release(&'a [u8]),
    Other,
}

const MAX_CPU: u32 = 1 << 16;

/// Strip the line end (`\n` already removed) and a CR from a serial console.
#[inline]
pub fn trim_cr(line: &[u8]) -> &[u8] {
    match line.last() {
        Some(b'\r') => &line[..line.len() - 1],
        _ => line,
    }
}

#[inline]
fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

#[inline]
fn parse_u32(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 9 {
        return None;
    }
    let mut v: u32 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(b - b'0');
    }
    Some(v)
}

fn parse_u64(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    digits.iter().try_fold(0u64, |v, &b| {
        b.is_ascii_digit().then(|| v * 10 + u64::from(b - b'0'))
    })
}

/// `comm-pid` (comm may hold spaces and dashes; the pid follows the last `-`).
pub fn parse_task(s: &[u8]) -> Option<Task<'_>> {
    let s = trim(s);
    let dash = memrchr(b'-', s)?;
    let pid = parse_u32(&s[dash + 1..])?;
    Some(Task {
        comm: trim(&s[..dash]),
        pid,
    })
}

/// The flags column: 4 or 5 characters of irqs-off, need-resched,
/// hardirq/softirq, preempt depth and migrate-disable.
fn parse_flags(s: &[u8]) -> Option<Context> {
    if !(4..=5).contains(&s.len()) {
        return None;
    }
    if !matches!(s[0], b'.' | b'd' | b'D' | b'b' | b'X') {
        return None;
    }
    if !matches!(
        s[1],
        b'.' | b'N' | b'n' | b'p' | b'P' | b'U' | b'u' | b'L' | b'l' | b'B'
    ) {
        return None;
    }
    let context = match s[2] {
        b'.' => Context::Process,
        b'h' | b'H' | b's' | b'z' | b'Z' => Context::Interrupt,
        _ => return None,
    };
    if !s[3..].iter().all(|&b| b == b'.' || b.is_ascii_hexdigit()) {
        return None;
    }
    Some(context)
}

/// `3)` at the start of `s` (after spaces): the CPU and what follows it.
#[inline]
fn leading_cpu(s: &[u8]) -> Option<(u32, &[u8])> {
    let mut i = 0;
    while i < s.len() && s[i] == b' ' {
        i += 1;
    }
    let start = i;
    while i < s.len() && s[i].is_ascii_digit() {
        i += 1;
    }
    if i == start || i >= s.len() || s[i] != b')' {
        return None;
    }
    let cpu = parse_u32(&s[start..i]).filter(|&c| c < MAX_CPU)?;
    Some((cpu, &s[i + 1..]))
}

/// A byte a graph body's function name may hold: anything but controls,
/// space, `!`, `"`, `#`, `(` and `|`. (Kernel symbols are `[A-Za-z0-9_.$]`;
/// the fast path checks this looser set eight bytes at a time.)
#[inline(always)]
pub fn name_byte(b: u8) -> bool {
    b >= b'$' && b != b'(' && b != b'|'
}

/// The part of a `function_graph` line after its last `|`.
#[inline]
fn graph_body(body: &[u8]) -> Option<(u32, GraphBody<'_>)> {
    let mut spaces = 0;
    while spaces < body.len() && body[spaces] == b' ' {
        spaces += 1;
    }
    // Depth 0 is printed after two spaces with the duration column and one
    // without it; each level adds two.
    let depth = (spaces.saturating_sub(1) / 2) as u32;
    let rest = &body[spaces..];
    match rest.first()? {
        b'}' => Some((
            depth,
            GraphBody::Exit {
                tail: tail_name(&rest[1..]),
            },
        )),
        b'/' if rest.starts_with(b"/*") => Some((depth, GraphBody::Comment)),
        _ => {
            let open = memchr(b'(', rest)?;
            let name = &rest[..open];
            let tail = &rest[open..];
            let leaf = if tail.starts_with(b"();") {
                true
            } else if tail.starts_with(b"() {") {
                false
            } else {
                // funcgraph-args (newer kernels): `name(a=1, b=2) {`.
                let close = memrchr(b')', tail)?;
                match trim(&tail[close + 1..]).first() {
                    Some(b';') => true,
                    Some(b'{') => false,
                    _ => return None,
                }
            };
            if name.is_empty() || name[0].is_ascii_digit() || !name.iter().all(|&b| name_byte(b)) {
                return None;
            }
            Some((depth, GraphBody::Entry { name, leaf }))
        }
    }
}

/// The name of funcgraph-tail's ` /* name */` after a `}`.
pub fn tail_name(after_brace: &[u8]) -> Option<&[u8]> {
    let inner = trim(after_brace).strip_prefix(b"/*")?.strip_suffix(b"*/")?;
    let name = trim(inner);
    (!name.is_empty() && !name.contains(&b' ')).then_some(name)
}

/// Parse one `function_graph` line as ftrace prints it: `[abstime |]
/// [cpu)] [comm-pid |] [flags |] [duration] | body`, or an irq marker.
/// `None` when the line is not of that shape.
#[inline]
pub fn parse_graph(line: &[u8]) -> Option<Line<'_>> {
    let bar = memrchr(b'|', line)?;
    let body = &line[bar + 1..];
    let prefix = &line[..bar];
    if trim(body).is_empty() {
        // `N)   ==========> |` and `<========== |`
        let body = if contains(prefix, b"==========>") {
            GraphBody::IrqEnter
        } else if contains(prefix, b"<==========") {
            GraphBody::IrqExit
        } else {
            return None;
        };
        let cpu = find_cpu(prefix);
        return Some(Line::Graph {
            cpu,
            task: None,
            context: None,
            depth: 0,
            body,
        });
    }
    let (depth, body) = graph_body(body)?;
    let (cpu, task, context) = graph_prefix(prefix)?;
    Some(Line::Graph {
        cpu,
        task,
        context,
        depth,
        body,
    })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

fn find_cpu(prefix: &[u8]) -> Option<u32> {
    prefix
        .split(|&b| b == b'|')
        .find_map(|seg| leading_cpu(seg).map(|(c, _)| c))
}

/// The columns before the body: each `|`-separated segment is an absolute
/// time, `cpu)` with an optional task or duration after it, a task, flags
/// or a duration. A segment of any other shape means this is no graph line.
#[inline]
fn graph_prefix(prefix: &[u8]) -> Option<(Option<u32>, Option<Task<'_>>, Option<Context>)> {
    let mut cpu = None;
    let mut task = None;
    let mut context = None;
    // Fast path of the default layout: ` 0)   0.971 us    ` or ` 0)          `.
    if let Some((c, rest)) = leading_cpu(prefix) {
        if memchr(b'|', rest).is_none() {
            let rest = trim(rest);
            if rest.is_empty() || is_duration(rest) {
                return Some((Some(c), None, None));
            }
        }
    }
    for seg in prefix.split(|&b| b == b'|') {
        let mut seg = seg;
        if let Some((c, rest)) = leading_cpu(seg) {
            cpu = Some(c);
            seg = rest;
        }
        let s = trim(seg);
        if s.is_empty() || is_duration(s) || is_abstime(s) {
            continue;
        }
        if let Some(c) = parse_flags(s) {
            context = Some(c);
        } else if let Some(t) = parse_task(s) {
            task = Some(t);
        } else {
            return None;
        }
    }
    Some((cpu, task, context))
}

/// `0.971 us`, `+ 12.008 us`, `! 322.008 us`, `* 60239.54 us`, and past a
/// second without decimals: `$ 1001664 us`.
#[inline]
fn is_duration(s: &[u8]) -> bool {
    let Some(number) = s.strip_suffix(b" us") else {
        return false;
    };
    let number = match number.first() {
        Some(b'+' | b'!' | b'#' | b'*' | b'@' | b'$') => trim(&number[1..]),
        _ => trim(number),
    };
    is_decimal(number) || (!number.is_empty() && number.iter().all(u8::is_ascii_digit))
}

fn is_abstime(s: &[u8]) -> bool {
    is_decimal(s)
}

#[inline]
fn is_decimal(s: &[u8]) -> bool {
    let Some(dot) = memchr(b'.', s) else {
        return false;
    };
    dot > 0
        && dot + 1 < s.len()
        && s[..dot].iter().all(u8::is_ascii_digit)
        && s[dot + 1..].iter().all(u8::is_ascii_digit)
}

/// ` 0)    <idle>-0    =>     sh-98     `
fn parse_switch(line: &[u8]) -> Option<Line<'_>> {
    let arrow = memchr::memmem::find(line, b"=>")?;
    let (left, right) = (&line[..arrow], &line[arrow + 2..]);
    let (cpu, left) = match leading_cpu(left) {
        Some((c, rest)) => (Some(c), rest),
        None => (None, left),
    };
    let prev = parse_task(left);
    let next = parse_task(right);
    if prev.is_none() && next.is_none() {
        return None;
    }
    Some(Line::Switch { cpu, prev, next })
}

/// `CPU:1 [LOST 6229 EVENTS]`
fn parse_lost(line: &[u8]) -> Option<Line<'_>> {
    let rest = trim(line).strip_prefix(b"CPU:")?;
    let space = memchr(b' ', rest)?;
    let cpu = parse_u32(&rest[..space]);
    let rest = trim(&rest[space..]).strip_prefix(b"[LOST ")?;
    let end = memchr(b' ', rest)?;
    let events = parse_u64(&rest[..end])?;
    Some(Line::Lost { cpu, events })
}

/// `##### CPU 0 buffer started ####`
fn parse_buffer_started(line: &[u8]) -> Option<Line<'_>> {
    let rest = trim(line).strip_prefix(b"##### CPU ")?;
    let space = memchr(b' ', rest)?;
    if !rest[space..].starts_with(b" buffer started") {
        return None;
    }
    Some(Line::BufferStarted {
        cpu: parse_u32(&rest[..space]),
    })
}

fn parse_header(line: &[u8]) -> Header<'_> {
    let text = trim(&line[1..]);
    if let Some(t) = text.strip_prefix(b"tracer:") {
        return Header::Tracer(trim(t));
    }
    if let Some(i) = memchr::memmem::find(text, b" latency trace ") {
        if let Some(on) = memchr::memmem::find(&text[i..], b" on ") {
            let release = trim(&text[i + on + 4..]);
            let end = memchr(b' ', release).unwrap_or(release.len());
            return Header::Release(&release[..end]);
        }
    }
    Header::Other
}

/// Lines every ftrace text format shares: headers, switch markers, lost
/// events, buffer starts, separators and blanks.
pub fn parse_common(line: &[u8]) -> Option<Line<'_>> {
    let t = trim(line);
    match t.first() {
        None => return Some(Line::Ignored),
        Some(b'#') => {
            if let Some(l) = parse_buffer_started(t) {
                return Some(l);
            }
            return Some(Line::Header(parse_header(t)));
        }
        Some(b'-') if t.iter().all(|&b| b == b'-') => return Some(Line::Ignored),
        Some(b'C') => {
            if let Some(l) = parse_lost(t) {
                return Some(l);
            }
            // trace-cmd: `CPU 0 is empty`, `CPU0 data recorded at offset=...`
            if t.starts_with(b"CPU") {
                return Some(Line::Ignored);
            }
        }
        Some(b'c') if t.starts_with(b"cpus=") => return Some(Line::Ignored),
        Some(b'v') if t.starts_with(b"version") => return Some(Line::Ignored),
        _ => {}
    }
    if memchr::memmem::find(t, b"=>").is_some() && !t.starts_with(b"=>") {
        if let Some(l) = parse_switch(t) {
            return Some(l);
        }
    }
    if t.starts_with(b"=> ") || t == b"<stack trace>" {
        // func_stack_trace frames: not calls.
        return Some(Line::Ignored);
    }
    None
}

/// The header of an event line: `comm-pid [(tgid)] [cpu] [flags]` before
/// the timestamp, in ftrace's or trace-cmd's layout (`[001] d..2.`, or
/// trace-cmd `-l`'s `1d..2.`).
fn event_header(head: &[u8]) -> Option<(Option<u32>, Option<Task<'_>>, Option<Context>)> {
    let mut rest = trim(head);
    let mut cpu = None;
    let mut context = None;
    // From the right: flags, then the CPU.
    let last_token = |s: &[u8]| -> (usize, usize) {
        let start = s
            .iter()
            .rposition(|&b| b == b' ' || b == b'\t')
            .map_or(0, |p| p + 1);
        (start, s.len())
    };
    let (start, end) = last_token(rest);
    let token = &rest[start..end];
    if let Some(c) = parse_flags(token) {
        context = Some(c);
        rest = trim(&rest[..start]);
    } else {
        // trace-cmd -l: the CPU glued to the flags (`1...1.`).
        let digits = token.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0 && digits < token.len() {
            if let Some(c) = parse_flags(&token[digits..]) {
                context = Some(c);
                cpu = parse_u32(&token[..digits]);
                rest = trim(&rest[..start]);
            }
        }
    }
    if cpu.is_none() {
        let (start, end) = last_token(rest);
        let token = &rest[start..end];
        if let Some(inner) = token.strip_prefix(b"[").and_then(|t| t.strip_suffix(b"]")) {
            cpu = Some(parse_u32(inner)?);
            rest = trim(&rest[..start]);
        }
    }
    // record-tgid: `(  123)` or `(-------)`.
    if let Some(stripped) = rest.strip_suffix(b")") {
        if let Some(open) = memrchr(b'(', stripped) {
            rest = trim(&stripped[..open]);
        }
    }
    let task = parse_task(rest);
    if cpu.is_none() && task.is_none() {
        return None;
    }
    Some((cpu, task, context))
}

/// Where the timestamp of an event line ends: the `:` of `123.456789:`.
fn timestamp_colon(line: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = memchr(b':', &line[from..]) {
        let colon = from + i;
        let digits_before = line[..colon]
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_digit() || **b == b'.')
            .count();
        if digits_before >= 3 {
            let ts = &line[colon - digits_before..colon];
            let preceded = colon - digits_before == 0
                || matches!(line[colon - digits_before - 1], b' ' | b'\t');
            if preceded && is_decimal(ts) {
                return Some(colon);
            }
        }
        from = colon + 1;
    }
    None
}

/// A function name as the `function` tracer prints it, without the
/// `sym-offset` (`+0x0/0x2d0`) or `sym-addr` (`<ffffffff81...>`) parts.
fn call_name(body: &[u8]) -> Option<&[u8]> {
    let body = trim(body);
    let end = body
        .iter()
        .position(|&b| matches!(b, b' ' | b'\t' | b'+'))
        .unwrap_or(body.len());
    let name = &body[..end];
    valid_name(name).then_some(name)
}

/// A kernel symbol: letters, digits, `_`, `.` and `$`, not starting with a digit.
pub fn valid_name(name: &[u8]) -> bool {
    !name.is_empty()
        && !name[0].is_ascii_digit()
        && name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$'))
}

/// Parse an event line: ftrace's `function` tracer or a `trace-cmd report`
/// line (`function:`, `funcgraph_entry:`, `funcgraph_exit:` or another event).
pub fn parse_event(line: &[u8]) -> Option<Line<'_>> {
    let colon = timestamp_colon(line)?;
    let head_end = colon
        - line[..colon]
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_digit() || **b == b'.')
            .count();
    let (cpu, task, context) = event_header(&line[..head_end])?;
    let mut rest = trim(&line[colon + 1..]);
    // trace-cmd --ts-diff: `(+85)`.
    if rest.starts_with(b"(+") {
        if let Some(close) = memchr(b')', rest) {
            rest = trim(&rest[close + 1..]);
        }
    }
    let token_end = rest
        .iter()
        .position(|&b| b == b' ' || b == b'\t')
        .unwrap_or(rest.len());
    let token = &rest[..token_end];
    if let Some(event) = token.strip_suffix(b":") {
        let body = &rest[token_end..];
        return Some(match event {
            b"function" => match call_name(body) {
                Some(name) => Line::Call {
                    cpu,
                    task,
                    context,
                    name,
                },
                None => Line::Other,
            },
            b"funcgraph_entry" | b"funcgraph_exit" => {
                let bar = memrchr(b'|', body)?;
                let (depth, body) = graph_body(&body[bar + 1..])?;
                Line::Graph {
                    cpu,
                    task,
                    context,
                    depth,
                    body,
                }
            }
            _ => Line::Ignored,
        });
    }
    let name = call_name(rest)?;
    Some(Line::Call {
        cpu,
        task,
        context,
        name,
    })
}

/// A `function` tracer line without context columns (`nocontext-info`):
/// `name <-parent` or just `name`.
pub fn parse_bare_call(line: &[u8]) -> Option<Line<'_>> {
    let t = trim(line);
    let name = call_name(t)?;
    let rest = trim(&t[name.len()..]);
    let rest = match rest.first() {
        Some(b'+') => {
            let end = rest.iter().position(|&b| b == b' ').unwrap_or(rest.len());
            trim(&rest[end..])
        }
        _ => rest,
    };
    if rest.is_empty() || rest.starts_with(b"<-") || rest.starts_with(b"<ffff") {
        Some(Line::Call {
            cpu: None,
            task: None,
            context: None,
            name,
        })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(line: &str) -> Line<'_> {
        parse_graph(line.as_bytes()).unwrap_or(Line::Other)
    }

    #[test]
    fn default_graph_lines() {
        assert_eq!(
            graph(" 0)   0.971 us    |          next_uptodate_page();"),
            Line::Graph {
                cpu: Some(0),
                task: None,
                context: None,
                depth: 4,
                body: GraphBody::Entry {
                    name: b"next_uptodate_page",
                    leaf: true
                }
            }
        );
        assert!(matches!(
            graph(" 1)               |  do_syscall_64() {"),
            Line::Graph {
                cpu: Some(1),
                depth: 0,
                body: GraphBody::Entry { leaf: false, .. },
                ..
            }
        ));
        assert!(matches!(
            graph(" 1) $ 1001664 us  |            }"),
            Line::Graph {
                depth: 5,
                body: GraphBody::Exit { .. },
                ..
            }
        ));
        assert!(matches!(
            graph(" 0) # 3268.390 us |          }"),
            Line::Graph {
                depth: 4,
                body: GraphBody::Exit { .. },
                ..
            }
        ));
        assert!(matches!(
            graph(" 0)   4.156 us    |              } /* unlock_page_memcg */"),
            Line::Graph {
                depth: 6,
                body: GraphBody::Exit { .. },
                ..
            }
        ));
    }

    #[test]
    fn option_layouts() {
        // funcgraph-proc without duration: one space before depth 0.
        match graph(" 0)     sh-249     | finish_task_switch.isra.0() {") {
            Line::Graph {
                task: Some(t),
                depth: 0,
                ..
            } => assert_eq!((t.comm, t.pid), (&b"sh"[..], 249)),
            other => panic!("{other:?}"),
        }
        match graph("  126.949355 |   0)    <idle>-0    | + 14.743 us   |    load_new_mm_cr3();") {
            Line::Graph {
                cpu: Some(0),
                task: Some(t),
                depth: 1,
                ..
            } => assert_eq!((t.comm, t.pid), (&b"<idle>"[..], 0)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            graph(" ...2. |               |      pgd_free() {"),
            Line::Graph {
                cpu: None,
                context: Some(Context::Process),
                depth: 2,
                ..
            }
        ));
        assert!(matches!(
            graph(" 1)   ==========> |"),
            Line::Graph {
                cpu: Some(1),
                body: GraphBody::IrqEnter,
                ..
            }
        ));
        assert_eq!(graph("hello | world"), Line::Other);
    }

    #[test]
    fn common_lines() {
        match parse_common(b" 0)    <idle>-0    =>     sh-98     ") {
            Some(Line::Switch {
                cpu: Some(0),
                prev: Some(p),
                next: Some(n),
            }) => assert_eq!((p.pid, n.pid, n.comm), (0, 98, &b"sh"[..])),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse_common(b"CPU:1 [LOST 6229 EVENTS]"),
            Some(Line::Lost {
                cpu: Some(1),
                events: 6229
            })
        );
        assert_eq!(
            parse_common(b"##### CPU 0 buffer started ####"),
            Some(Line::BufferStarted { cpu: Some(0) })
        );
        assert_eq!(
            parse_common(b"# function_graph latency trace v1.1.5 on 6.1.0-57-cloud-amd64"),
            Some(Line::Header(Header::Release(b"6.1.0-57-cloud-amd64")))
        );
        assert_eq!(
            parse_common(b" ------------------------------------------"),
            Some(Line::Ignored)
        );
    }

    #[test]
    fn event_lines() {
        let l = b"              sh-458     [000] d..2.   264.716562: finish_task_switch.isra.0 <-__schedule";
        match parse_event(l) {
            Some(Line::Call {
                cpu: Some(0),
                task: Some(t),
                context: Some(Context::Process),
                name,
            }) => assert_eq!((t.pid, name), (458, &b"finish_task_switch.isra.0"[..])),
            other => panic!("{other:?}"),
        }
        let l = b"              ls-511     (-------) [001] dNh2.   300.556225: _raw_spin_unlock+0x0/0x30";
        assert!(matches!(
            parse_event(l),
            Some(Line::Call {
                cpu: Some(1),
                context: Some(Context::Interrupt),
                name: b"_raw_spin_unlock",
                ..
            })
        ));
        let l = b"      ls-154     1...1.    30.865746: funcgraph_entry:      + 13.540 us  |  mutex_unlock();";
        assert!(matches!(
            parse_event(l),
            Some(Line::Graph {
                cpu: Some(1),
                depth: 0,
                body: GraphBody::Entry {
                    name: b"mutex_unlock",
                    leaf: true
                },
                ..
            })
        ));
        let l = b"              ls-160   [001]    63.152909: (+85)    function:             __f_unlock_pos <-- ksys_write";
        assert!(matches!(
            parse_event(l),
            Some(Line::Call {
                name: b"__f_unlock_pos",
                ..
            })
        ));
        assert_eq!(parse_event(b"no timestamp here"), None);
    }

    #[test]
    fn bare_calls() {
        assert!(matches!(
            parse_bare_call(b"finish_wait <-wait_for_partner"),
            Some(Line::Call {
                name: b"finish_wait",
                ..
            })
        ));
        assert!(matches!(
            parse_bare_call(b"mutex_lock+0x0/0x30"),
            Some(Line::Call {
                name: b"mutex_lock",
                ..
            })
        ));
        assert_eq!(parse_bare_call(b"hello world"), None);
    }
}
