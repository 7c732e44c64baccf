//! Property tests: the kernel-function importer never panics, on random
//! bytes, on trace-like random lines, and on real trace lines (from the
//! fixtures) cut, spliced and corrupted at random; and its counts do not
//! depend on CRLF line ends or on the last line's newline.

use aprof_record::ftrace_import::{parse, parse_as, Filters, Format, Tasks, Tracer};
use proptest::prelude::*;
use std::io::Read;
use std::path::Path;

fn fixture_lines() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ftrace");
    let mut lines = Vec::new();
    for name in [
        "graph-net.txt.gz",
        "graph-proc-tail-abstime.txt.gz",
        "graph-nocpu-latency.txt.gz",
        "graph-pipe-lost.txt.gz",
        "function-opts.txt.gz",
        "function-bufstart.txt.gz",
        "tracecmd-graph-latency-tail.txt.gz",
        "tracecmd-function.txt.gz",
        "perf-script.txt.gz",
    ] {
        let bytes = std::fs::read(dir.join(name)).expect("fixture");
        let mut text = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .unwrap();
        // A sample of each, to keep the strategy small.
        lines.extend(text.lines().step_by(37).take(300).map(str::to_owned));
    }
    lines
}

fn trace_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => proptest::char::range('a', 'z'),
        2 => proptest::char::range('0', '9'),
        4 => prop::sample::select(vec![
            '(', ')', '[', ']', '{', '}', '<', '>', '|', '-', '.', ':', ';', '/', '*', '+', '!',
            '#', '$', '@', '=', '_', ' ', ' ', ' ', '\n', '\r', '\t',
        ]),
        1 => any::<char>(),
    ]
}

fn trace_like_line() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        " 0) ",
        " 12)",
        "  126.949355 | ",
        "   sh-98   ",
        " <idle>-0 ",
        " ==========> |",
        " <========== |",
        " + 12.008 us   |",
        " $ 1001664 us  |",
        "               |",
        "  ",
        "do_syscall_64() {",
        "irq_enter_rcu();",
        "__sysvec_apic_timer_interrupt() {",
        "handle_softirqs() {",
        "}",
        "} /* irq_exit_rcu */",
        " => ",
        "CPU:1 [LOST 12 EVENTS]",
        "##### CPU 0 buffer started ####",
        "# tracer: function_graph",
        "[000] d..2. ",
        "1...1. ",
        "264.716562: ",
        "funcgraph_entry: ",
        "function: ",
        "\tffffffff81649e3f kmem_cache_free+0x4f ([kernel.kallsyms])",
        "cat 19004  1766.670775: 500000 cpu-clock: ",
        "(-------) ",
    ]);
    prop::collection::vec(
        prop_oneof![
            3 => pieces.prop_map(str::to_owned),
            1 => prop::collection::vec(trace_char(), 0..12).prop_map(|v| v.into_iter().collect()),
        ],
        0..10,
    )
    .prop_map(|parts| parts.concat())
}

fn all_filters() -> Vec<Filters> {
    vec![
        Filters::none(),
        Filters::published(Tasks::NotIdle),
        Filters::published(Tasks::Pids([0, 98, 1].into())),
    ]
}

const FORMATS: [Format; 4] = [
    Format::Ftrace(Tracer::FunctionGraph),
    Format::Ftrace(Tracer::Function),
    Format::TraceCmd,
    Format::PerfScript,
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        for filters in all_filters() {
            let _ = parse(&bytes, &filters);
            for format in FORMATS {
                let _ = parse_as(&bytes, format, &filters);
            }
        }
    }

    #[test]
    fn trace_like_text_never_panics(lines in prop::collection::vec(trace_like_line(), 0..60)) {
        let text = lines.join("\n");
        for filters in all_filters() {
            let _ = parse(text.as_bytes(), &filters);
            for format in FORMATS {
                let trace = parse_as(text.as_bytes(), format, &filters);
                let r = &trace.report;
                prop_assert!(r.kept <= r.entries);
                prop_assert_eq!(trace.functions.calls(), r.kept);
            }
        }
    }

    #[test]
    fn real_lines_cut_spliced_and_corrupted_never_panic(
        picks in prop::collection::vec((any::<prop::sample::Index>(), 0usize..200, any::<u8>(), any::<bool>()), 1..80),
    ) {
        let lines = fixture_lines();
        let mut text = Vec::new();
        for (index, cut, byte, corrupt) in picks {
            let line = lines[index.index(lines.len())].as_bytes();
            let mut piece = line[..cut.min(line.len())].to_vec();
            if corrupt && !piece.is_empty() {
                let at = cut % piece.len();
                piece[at] = byte;
            }
            text.extend_from_slice(&piece);
            text.push(b'\n');
        }
        for filters in all_filters() {
            let _ = parse(&text, &filters);
            for format in FORMATS {
                let _ = parse_as(&text, format, &filters);
            }
        }
    }

    #[test]
    fn line_ends_do_not_change_counts(
        picks in prop::collection::vec(any::<prop::sample::Index>(), 1..200),
    ) {
        let lines = fixture_lines();
        let chosen: Vec<&str> = picks.iter().map(|i| lines[i.index(lines.len())].as_str()).collect();
        let lf = chosen.join("\n") + "\n";
        let crlf = chosen.join("\r\n") + "\r\n";
        for format in FORMATS {
            let a = parse_as(lf.as_bytes(), format, &Filters::none());
            let b = parse_as(crlf.as_bytes(), format, &Filters::none());
            prop_assert_eq!(&a.unfiltered, &b.unfiltered);
            // Without the last newline, the last line is left out.
            let c = parse_as(lf.trim_end_matches('\n').as_bytes(), format, &Filters::none());
            prop_assert!(c.report.entries <= a.report.entries);
        }
    }
}
