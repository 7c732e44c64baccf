//! One line of strace output, split into its parts, plus the small text
//! helpers the importer needs (top-level argument splitting, fd decorations,
//! C string unquoting).
//!
//! The parser is total: any input gives a [`Line`], whose body is
//! [`Body::Malformed`] when it is not a form strace prints. It never panics,
//! which the property tests check.

use aprof_footprint::Abi;

/// A parsed line: who, when, and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Line<'a> {
    /// `[pid N]` or the `N ` prefix of `strace -f`; `None` without one.
    pub pid: Option<i32>,
    pub time: Option<Timestamp>,
    pub body: Body<'a>,
}

/// A timestamp as strace prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timestamp {
    /// `-t`/`-tt`: nanoseconds since local midnight.
    WallClock(u64),
    /// `-ttt`: nanoseconds since the Unix epoch.
    Epoch(u64),
    /// `-r`: nanoseconds since the previous syscall entry.
    Relative(u64),
}

/// What a line says.
#[derive(Debug, Clone, PartialEq)]
pub enum Body<'a> {
    /// A whole syscall: `name(args) = result`.
    Call {
        name: &'a str,
        args: &'a str,
        result: Outcome<'a>,
    },
    /// `name(args <unfinished ...>`: the entry half of a syscall.
    Unfinished { name: &'a str, args: &'a str },
    /// `<... name resumed>rest) = result`: the exit half.
    Resumed {
        name: &'a str,
        args: &'a str,
        result: Outcome<'a>,
    },
    /// `+++ exited with N +++`.
    Exited(i32),
    /// `+++ killed by SIGNAME [(core dumped)] +++`.
    Killed { signal: &'a str },
    /// `--- SIGNAME {...} ---` or `--- stopped by SIGSTOP ---`.
    Signal { signal: &'a str },
    /// `[ Process PID=N runs in 32 bit mode. ]`.
    Personality { pid: i32, abi: Abi },
    /// Lines strace prints about itself (`strace: Process N attached`,
    /// `+++ superseded by execve +++`, ...): nothing to count.
    Note,
    /// Empty or whitespace only.
    Blank,
    /// Not a form strace prints.
    Malformed,
}

/// The result part after ` = `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome<'a> {
    /// `None` for `?` (no return: exit, execve of a dying thread, restart).
    pub value: Option<i64>,
    /// The `-y` decoration of a returned fd, without the outer `<>`.
    pub decoration: Option<&'a str>,
    /// `ENOENT` of `= -1 ENOENT (No such file or directory)`.
    pub errno: Option<&'a str>,
}

/// Parse one line (without its newline).
pub fn parse_line(line: &str) -> Line<'_> {
    let mut rest = line.trim_end_matches(['\r', '\n']);
    let mut pid = None;
    let trimmed = rest.trim_start();
    if trimmed.is_empty() {
        return Line {
            pid,
            time: None,
            body: Body::Blank,
        };
    }
    rest = trimmed;
    if let Some(after) = rest.strip_prefix("[pid") {
        let Some(close) = after.find(']') else {
            return malformed(pid);
        };
        match after[..close].trim().parse::<i32>() {
            Ok(p) => pid = Some(p),
            Err(_) => return malformed(pid),
        }
        rest = after[close + 1..].trim_start();
    } else {
        let token_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let token = &rest[..token_end];
        if token_end < rest.len() && !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit())
        {
            match token.parse::<i32>() {
                Ok(p) => pid = Some(p),
                Err(_) => return malformed(pid),
            }
            rest = rest[token_end..].trim_start();
        }
    }
    let mut time = None;
    // At most two timestamp columns (`-r` may come with `-t`); keep the first.
    for _ in 0..2 {
        let token_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        match parse_timestamp(&rest[..token_end]) {
            Some(t) => {
                time.get_or_insert(t);
                rest = rest[token_end..].trim_start();
            }
            None => break,
        }
    }
    // `-i` prints `[00007f3a...]` (the instruction pointer), `-n` prints
    // `[ 59]` (the syscall number): skip either.
    for _ in 0..2 {
        let Some(inner) = rest.strip_prefix('[') else {
            break;
        };
        let Some(close) = inner.find(']') else {
            break;
        };
        let column = inner[..close].trim();
        if column.is_empty() || !column.bytes().all(|b| b.is_ascii_hexdigit() || b == b'?') {
            break;
        }
        rest = inner[close + 1..].trim_start();
    }
    Line {
        pid,
        time,
        body: parse_body(rest),
    }
}

fn malformed(pid: Option<i32>) -> Line<'static> {
    Line {
        pid,
        time: None,
        body: Body::Malformed,
    }
}

/// `18:42:39.302198`, `18:42:39`, `1795891545.622705` or `0.000123`.
fn parse_timestamp(token: &str) -> Option<Timestamp> {
    if token.is_empty()
        || !token
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b':' || b == b'.')
    {
        return None;
    }
    if token.contains(':') {
        let (hms, frac) = token.split_once('.').unwrap_or((token, ""));
        let mut parts = hms.split(':');
        let h: u64 = parts.next()?.parse().ok()?;
        let m: u64 = parts.next()?.parse().ok()?;
        let s: u64 = parts.next()?.parse().ok()?;
        if parts.next().is_some() || h > 23 || m > 59 || s > 60 {
            return None;
        }
        let secs = h * 3600 + m * 60 + s;
        return Some(Timestamp::WallClock(
            secs * 1_000_000_000 + fraction_ns(frac)?,
        ));
    }
    let (secs, frac) = token.split_once('.')?;
    let secs: u64 = secs.parse().ok()?;
    let ns = secs
        .checked_mul(1_000_000_000)?
        .checked_add(fraction_ns(frac)?)?;
    // `-r` deltas are small; `-ttt` is seconds since 1970. 1e8 s is 1973.
    if secs >= 100_000_000 {
        Some(Timestamp::Epoch(ns))
    } else {
        Some(Timestamp::Relative(ns))
    }
}

fn fraction_ns(frac: &str) -> Option<u64> {
    if frac.is_empty() {
        return Some(0);
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: String = frac.chars().chain(std::iter::repeat('0')).take(9).collect();
    digits.parse().ok()
}

fn parse_body(rest: &str) -> Body<'_> {
    if let Some(inner) = rest.strip_prefix("+++ ") {
        let inner = inner.trim_end().trim_end_matches("+++").trim_end();
        if let Some(code) = inner.strip_prefix("exited with ") {
            return match code.trim().parse() {
                Ok(c) => Body::Exited(c),
                Err(_) => Body::Malformed,
            };
        }
        if let Some(sig) = inner.strip_prefix("killed by ") {
            let signal = sig.split_whitespace().next().unwrap_or("");
            return Body::Killed { signal };
        }
        return Body::Note;
    }
    if let Some(inner) = rest.strip_prefix("--- ") {
        let inner = inner.strip_prefix("stopped by ").unwrap_or(inner);
        let signal = inner.split_whitespace().next().unwrap_or("");
        return Body::Signal { signal };
    }
    if let Some(inner) = rest.strip_prefix("[ Process PID") {
        return parse_personality(inner);
    }
    // `-k` prints the stack of each call as ` > /lib/libc.so.6(read+0x11)`.
    if rest.starts_with("strace: ") || rest.starts_with("????(") || rest.starts_with("> ") {
        return Body::Note;
    }
    if let Some(inner) = rest.strip_prefix("<... ") {
        let Some(end) = inner.find(" resumed>") else {
            return Body::Malformed;
        };
        let name = &inner[..end];
        if !is_syscall_name(name) {
            return Body::Malformed;
        }
        let after = &inner[end + " resumed>".len()..];
        if let Some(args) = strip_unfinished(after) {
            return Body::Unfinished { name, args };
        }
        return match split_call_rest(after, 1) {
            Some((args, result)) => Body::Resumed { name, args, result },
            None => Body::Malformed,
        };
    }
    let Some(open) = rest.find('(') else {
        return Body::Malformed;
    };
    let name = &rest[..open];
    if !is_syscall_name(name) {
        return Body::Malformed;
    }
    let after = &rest[open + 1..];
    if let Some(args) = strip_unfinished(after) {
        return Body::Unfinished { name, args };
    }
    match split_call_rest(after, 1) {
        Some((args, result)) => Body::Call { name, args, result },
        None => Body::Malformed,
    }
}

/// `PID=123 runs in 32 bit mode. ]` (also `PID 123`).
fn parse_personality(inner: &str) -> Body<'_> {
    let inner = inner.trim_start_matches(['=', ' ']);
    let digits_end = inner
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(inner.len());
    let Ok(pid) = inner[..digits_end].parse::<i32>() else {
        return Body::Malformed;
    };
    let mode = &inner[digits_end..];
    let abi = if mode.contains("32 bit") {
        Abi::I386
    } else if mode.contains("x32") {
        Abi::X32
    } else if mode.contains("64 bit") {
        Abi::X86_64
    } else {
        return Body::Malformed;
    };
    Body::Personality { pid, abi }
}

fn is_syscall_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit()
}

/// The args before a trailing `<unfinished ...>` or `<detached ...>`.
fn strip_unfinished(after: &str) -> Option<&str> {
    let t = after.trim_end();
    t.strip_suffix("<unfinished ...>")
        .or_else(|| t.strip_suffix("<detached ...>"))
        .map(str::trim_end)
}

/// Split `args) = result` at the `)` that closes the call (nesting `depth`
/// already open), then parse the result.
fn split_call_rest(after: &str, depth: usize) -> Option<(&str, Outcome<'_>)> {
    let close = find_close(after, depth)?;
    let args = after[..close].trim();
    // strace always prints ` = result` (`= ?` when there is none); a line
    // without it is cut short or not strace output.
    let tail = after[close + 1..].trim_start();
    let result_text = tail.strip_prefix('=')?.trim_start();
    Some((args, parse_outcome(result_text)?))
}

/// Index of the `)` that brings the nesting back to zero.
fn find_close(text: &str, mut depth: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = skip_string(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = match text[i + 2..].find("*/") {
                    Some(end) => i + 2 + end + 2,
                    None => bytes.len(),
                };
            }
            b'<' => i = skip_decoration(text, i),
            b'(' | b'[' | b'{' => {
                depth += 1;
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 && bytes[i] == b')' {
                    return Some(i);
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// Index just past a `"..."` string starting at `start` (with `\` escapes).
fn skip_string(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Index just past a `<...>` decoration starting at `start`.
///
/// strace escapes `<` and `>` in paths (as `\74`, `\76`), but socket
/// decorations contain `->` inside `[...]`, and a path may end in `-`. So a
/// `>` closes only outside square brackets; if that never happens (a path
/// with an unbalanced `[`), the first `>` at angle depth zero does.
fn skip_decoration(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let (mut angle, mut square) = (0usize, 0usize);
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i = skip_string(bytes, i);
                continue;
            }
            b'<' => angle += 1,
            b'[' => square += 1,
            b']' => square = square.saturating_sub(1),
            b'>' if square == 0 => {
                angle -= 1;
                if angle == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut angle = 0usize;
    for (i, &b) in bytes.iter().enumerate().skip(start) {
        match b {
            b'<' => angle += 1,
            b'>' => {
                angle -= 1;
                if angle == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    bytes.len()
}

/// `3</etc/passwd>`, `-1 ENOENT (...)`, `? ERESTARTSYS (...)`, `0x7f.. <0.0001>`.
fn parse_outcome(text: &str) -> Option<Outcome<'_>> {
    let token_end = text
        .find(|c: char| c.is_whitespace() || c == '<')
        .unwrap_or(text.len());
    let token = &text[..token_end];
    let value = if token == "?" {
        None
    } else {
        Some(parse_int(token)?)
    };
    let mut rest = &text[token_end..];
    let mut decoration = None;
    if rest.starts_with('<') {
        let end = skip_decoration(rest, 0);
        if end >= 2 && rest.as_bytes()[end - 1] == b'>' {
            decoration = Some(&rest[1..end - 1]);
        }
        rest = &rest[end..];
    }
    let rest = rest.trim_start();
    let word_end = rest
        .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
        .unwrap_or(rest.len());
    let word = &rest[..word_end];
    let errno = (word.len() > 1 && word.starts_with('E')).then_some(word);
    Some(Outcome {
        value,
        decoration,
        errno,
    })
}

/// A C integer literal as strace prints it: decimal, `0x` hex, `0` octal,
/// with an optional sign.
pub fn parse_int(token: &str) -> Option<i64> {
    let (negative, digits) = match token.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, token),
    };
    let magnitude = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        u64::from_str_radix(hex, 16).ok()?
    } else if digits.len() > 1 && digits.starts_with('0') {
        u64::from_str_radix(&digits[1..], 8).ok()?
    } else {
        digits.parse::<u64>().ok()?
    };
    if negative {
        (magnitude as i64).checked_neg()
    } else {
        Some(magnitude as i64)
    }
}

/// The index just past the `/* ... */` comment that starts at `i` (the end
/// of the text when it is not closed).
fn skip_comment(text: &str, i: usize) -> usize {
    match text[i + 2..].find("*/") {
        Some(end) => i + 2 + end + 2,
        None => text.len(),
    }
}

/// Split argument text at commas that are not inside strings, brackets,
/// comments or decorations.
pub fn split_top_level(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let (mut depth, mut start, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i = skip_string(bytes, i);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = skip_comment(text, i);
                continue;
            }
            b'<' => {
                i = skip_decoration(text, i);
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                parts.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    let last = text[start..].trim();
    if !last.is_empty() || !parts.is_empty() {
        parts.push(last);
    }
    parts
}

/// Every `N<...>` fd decoration in some text, outside strings: the content
/// between the outer `<>`. `AT_FDCWD<...>` is returned as well (the caller
/// tells them apart by [`FdDecoration::at_fdcwd`]).
pub fn fd_decorations(text: &str) -> Vec<FdDecoration<'_>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i = skip_string(bytes, i);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = skip_comment(text, i);
                continue;
            }
            b'<' => {
                let end = skip_decoration(text, i);
                let before = &text[..i];
                let at_fdcwd = before.ends_with("AT_FDCWD");
                let digits =
                    before.len() - before.trim_end_matches(|c: char| c.is_ascii_digit()).len();
                if (at_fdcwd || digits > 0) && end >= i + 2 && bytes[end - 1] == b'>' {
                    found.push(FdDecoration {
                        fd: before[before.len() - digits..].parse().ok(),
                        at_fdcwd,
                        text: &text[i + 1..end - 1],
                    });
                }
                i = end.max(i + 1);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// One `-y` decoration found in argument text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FdDecoration<'a> {
    pub fd: Option<i32>,
    /// The decoration of `AT_FDCWD`: the current directory, not an fd.
    pub at_fdcwd: bool,
    pub text: &'a str,
}

/// The bytes of a C-quoted string as strace prints it (`"a\nb"`), lossily
/// as UTF-8; a trailing `...` (truncated by `-s`) is kept.
pub fn unquote(text: &str) -> String {
    let t = text.trim();
    let (body, truncated) = match t.strip_suffix("...") {
        Some(b) => (b, true),
        None => (t, false),
    };
    let Some(inner) = body.strip_prefix('"').and_then(|b| b.strip_suffix('"')) else {
        return t.to_owned();
    };
    let bytes = inner.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' || i + 1 >= bytes.len() {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let esc = bytes[i + 1];
        i += 2;
        match esc {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'v' => out.push(0x0b),
            b'f' => out.push(0x0c),
            b'a' => out.push(0x07),
            b'b' => out.push(0x08),
            b'x' => {
                let hex_len = bytes[i..]
                    .iter()
                    .take(2)
                    .take_while(|b| b.is_ascii_hexdigit())
                    .count();
                let value = std::str::from_utf8(&bytes[i..i + hex_len])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                out.push(value.unwrap_or(b'x'));
                i += hex_len;
            }
            b'0'..=b'7' => {
                let mut value: u32 = (esc - b'0') as u32;
                let mut n = 0;
                while n < 2 && i < bytes.len() && (b'0'..=b'7').contains(&bytes[i]) {
                    value = value * 8 + (bytes[i] - b'0') as u32;
                    i += 1;
                    n += 1;
                }
                out.push(value as u8);
            }
            other => out.push(other),
        }
    }
    let mut s = String::from_utf8_lossy(&out).into_owned();
    if truncated {
        s.push_str("...");
    }
    s
}

/// The elements of a `[a, b, c]` array argument.
pub fn array_items(text: &str) -> Vec<&str> {
    let t = text.trim();
    match t.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        Some(inner) => split_top_level(inner),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_call_with_pid_and_error() {
        let l = parse_line(
            "7560  access(\"/etc/ld.so.preload\", R_OK) = -1 ENOENT (No such file or directory)",
        );
        assert_eq!(l.pid, Some(7560));
        let Body::Call { name, args, result } = l.body else {
            panic!("{:?}", l.body)
        };
        assert_eq!(name, "access");
        assert_eq!(args, "\"/etc/ld.so.preload\", R_OK");
        assert_eq!((result.value, result.errno), (Some(-1), Some("ENOENT")));
    }

    #[test]
    fn bracket_pid_and_wall_clock() {
        let l = parse_line("[pid  7941] 18:42:39.302198 read(3</a b(c>, \"x)\", 1) = 1");
        assert_eq!(l.pid, Some(7941));
        assert_eq!(
            l.time,
            Some(Timestamp::WallClock(
                (18 * 3600 + 42 * 60 + 39) * 1_000_000_000 + 302_198_000
            ))
        );
        assert!(matches!(l.body, Body::Call { name: "read", .. }));
    }

    #[test]
    fn decorated_results() {
        let l = parse_line("5 accept4(3<TCP:[127.0.0.1:39597]>, NULL, NULL, SOCK_CLOEXEC) = 5<TCP:[127.0.0.1:39597->127.0.0.1:39992]>");
        let Body::Call { result, .. } = l.body else {
            panic!()
        };
        assert_eq!(
            result.decoration,
            Some("TCP:[127.0.0.1:39597->127.0.0.1:39992]")
        );
        let l = parse_line("openat(AT_FDCWD</tmp/imp>, \"x-\", O_RDONLY) = 3</tmp/imp/x->");
        let Body::Call { result, .. } = l.body else {
            panic!()
        };
        assert_eq!(result.decoration, Some("/tmp/imp/x-"));
        let l = parse_line("openat(AT_FDCWD, \"/dev/null\", O_RDONLY) = 3</dev/null<char 1:3>>");
        let Body::Call { result, .. } = l.body else {
            panic!()
        };
        assert_eq!(result.decoration, Some("/dev/null<char 1:3>"));
    }

    #[test]
    fn unfinished_resumed_and_markers() {
        assert_eq!(
            parse_line("7560  close(4 <unfinished ...>").body,
            Body::Unfinished {
                name: "close",
                args: "4"
            }
        );
        let Body::Resumed { name, args, result } =
            parse_line("7560  <... newfstatat resumed>0x7ffdd8e98440, 0) = -1 ENOENT (x)").body
        else {
            panic!()
        };
        assert_eq!((name, args), ("newfstatat", "0x7ffdd8e98440, 0"));
        assert_eq!(result.errno, Some("ENOENT"));
        assert_eq!(parse_line("1 +++ exited with 3 +++").body, Body::Exited(3));
        assert_eq!(
            parse_line("1 +++ killed by SIGSEGV (core dumped) +++").body,
            Body::Killed { signal: "SIGSEGV" }
        );
        assert_eq!(
            parse_line("1 --- SIGCHLD {si_signo=SIGCHLD} ---").body,
            Body::Signal { signal: "SIGCHLD" }
        );
        assert_eq!(
            parse_line("9 [ Process PID=9 runs in 32 bit mode. ]").body,
            Body::Personality {
                pid: 9,
                abi: Abi::I386
            }
        );
        let Body::Call { result, .. } = parse_line("exit_group(0) = ?").body else {
            panic!()
        };
        assert_eq!(result.value, None);
        assert_eq!(parse_line("hello world").body, Body::Malformed);
        assert!(matches!(
            parse_line("12 [00007f3a9c2d1e4b] read(0, \"\", 1) = 0").body,
            Body::Call { name: "read", .. }
        ));
        assert!(matches!(
            parse_line("[ 59] execve(\"/bin/true\", [\"true\"], 0x1) = 0").body,
            Body::Call { name: "execve", .. }
        ));
        assert_eq!(
            parse_line(" > /lib/libc.so.6(read+0x11) [0x1]").body,
            Body::Note
        );
    }

    #[test]
    fn relative_and_epoch_times() {
        assert_eq!(
            parse_line("     0.001110 brk(NULL) = 0x5618dbee6000 <0.000042>").time,
            Some(Timestamp::Relative(1_110_000))
        );
        assert_eq!(
            parse_line("1795891545.622705 brk(NULL) = 0").time,
            Some(Timestamp::Epoch(1_795_891_545_622_705_000))
        );
    }

    #[test]
    fn helpers() {
        assert_eq!(
            split_top_level("a, {b, c}, \"d,e\", f<g,h>"),
            vec!["a", "{b, c}", "\"d,e\"", "f<g,h>"]
        );
        assert_eq!(unquote("\"a\\nb\\\"\\x41\\101\"..."), "a\nb\"AA...");
        let d = fd_decorations("AT_FDCWD</x>, 3<pipe:[1]>, \"4<no>\", [5<socket:[2]>]");
        let texts: Vec<_> = d.iter().map(|d| (d.fd, d.at_fdcwd, d.text)).collect();
        assert_eq!(
            texts,
            vec![
                (None, true, "/x"),
                (Some(3), false, "pipe:[1]"),
                (Some(5), false, "socket:[2]")
            ]
        );
        assert_eq!(parse_int("0x10"), Some(16));
        assert_eq!(parse_int("010"), Some(8));
        assert_eq!(parse_int("-1"), Some(-1));
    }
}
