//! Property tests: the strace line parser and the importer never panic, on
//! random text, on strace-like random lines, and on real strace lines (from
//! the fixtures) cut, spliced and corrupted at random.

use crate::strace_import::{import_str, parse_line, Body};
use proptest::prelude::*;
use std::path::Path;

fn fixture_lines() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/strace");
    let mut lines = Vec::new();
    for name in [
        "python-thread-socket.tt-yy.strace",
        "i386-personality.strace",
        "odd-lines.strace",
    ] {
        let text = std::fs::read_to_string(dir.join(name)).expect("fixture");
        lines.extend(text.lines().map(str::to_owned));
    }
    lines
}

/// Characters strace output is made of, weighted towards its punctuation.
fn strace_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => proptest::char::range('a', 'z'),
        2 => proptest::char::range('0', '9'),
        4 => prop::sample::select(vec![
            '(', ')', '[', ']', '{', '}', '<', '>', '"', '\\', ',', ' ', '=', '-', '|', '.', ':',
            '/', '*', '?', '+', '_', '\n',
        ]),
        1 => any::<char>(),
    ]
}

fn strace_like_line() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "[pid 12] ",
        "12 ",
        "18:42:39.302198 ",
        "1795891545.622705 ",
        "  0.000012 ",
        "read(",
        "<... read resumed>",
        " <unfinished ...>",
        ") = ",
        "-1 ENOENT (x)",
        "3</a<char 1:3>>",
        "4<TCP:[1.2.3.4:5->6.7.8.9:10]>",
        "\"str\\\"ing\"",
        "/* 3 vars */",
        "+++ exited with ",
        "+++ killed by SIGKILL +++",
        "--- SIGCHLD {} ---",
        "[ Process PID=12 runs in 32 bit mode. ]",
        "flags=CLONE_VM|SIGCHLD",
        "{flags=CLONE_THREAD}",
        "_IOC(_IOC_READ, 0xae, 0x5, 0x8)",
        "?",
        "syscall_0x1c3(",
        "strace: Process 5 attached",
        "AT_FDCWD</x>",
        "<",
        ">",
        "[",
        "]",
    ]);
    prop::collection::vec(
        prop_oneof![
            pieces.prop_map(str::to_owned),
            prop::collection::vec(strace_char(), 0..6).prop_map(|c| c.into_iter().collect()),
        ],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

/// A real line with random edits: truncation, a deletion, an insertion.
fn mutated_real_line() -> impl Strategy<Value = String> {
    let lines = fixture_lines();
    (
        prop::sample::select(lines),
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        prop::collection::vec(strace_char(), 0..4),
        0u8..4,
    )
        .prop_map(|(line, at, len, insert, op)| {
            let chars: Vec<char> = line.chars().collect();
            let i = at.index(chars.len() + 1);
            let n = len.index(chars.len() - i + 1);
            let mut out: Vec<char> = match op {
                0 => chars[..i].to_vec(),
                1 => [&chars[..i], &chars[i + n..]].concat(),
                2 => [&chars[..i], &insert[..], &chars[i..]].concat(),
                _ => [&chars[i..], &chars[..i]].concat(),
            };
            out.truncate(4096);
            out.into_iter().collect()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_line_never_panics(line in any::<String>()) {
        let _ = parse_line(&line);
    }

    #[test]
    fn strace_like_lines_never_panic(lines in prop::collection::vec(strace_like_line(), 0..20)) {
        for l in &lines {
            let _ = parse_line(l);
        }
        let _ = import_str(&lines.join("\n"));
    }

    #[test]
    fn mutated_real_lines_never_panic(lines in prop::collection::vec(mutated_real_line(), 1..30)) {
        let _ = import_str(&lines.join("\n"));
    }

    #[test]
    fn whole_real_lines_parse_as_strace(line in prop::sample::select(fixture_lines())) {
        // Every fixture line but the one deliberately broken line (and the
        // two halves strace's own message cut apart) is a known form.
        let body = parse_line(&line).body;
        let broken = line.contains("not strace output") || line.contains("attached")
            || line.trim_start() == "<unfinished ...>";
        prop_assert_eq!(body == Body::Malformed, broken, "{}", line);
    }
}
