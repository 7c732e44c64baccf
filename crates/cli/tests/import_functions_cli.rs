//! `aprof import` on kernel-function traces and `aprof score` on the
//! footprint it writes: real fixtures of the record crate (a QEMU guest's
//! ftrace text, trace-cmd report, perf script); counts checked against
//! `grep | sort | uniq`, the function-level HAP recomputed from its terms.

mod common;

use common::{aprof, text};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../record/tests/fixtures/ftrace")
        .join(name)
        .canonicalize()
        .expect("fixture")
}

/// Unique functions of a gzip'd function_graph fixture, by `grep | sort | uniq`.
fn grep_unique(gz: &Path) -> usize {
    let out = Command::new("sh")
        .arg("-c")
        .arg(r"gzip -dc | grep -oE '[A-Za-z_$.][A-Za-z0-9_$.]*\(\)' | sort | uniq | wc -l")
        .stdin(std::fs::File::open(gz).unwrap())
        .output()
        .unwrap();
    text(&out.stdout).trim().parse().unwrap()
}

#[test]
fn imports_ftrace_text_into_a_functions_section() {
    let dir = tempfile::tempdir().unwrap();
    let trace = fixture("graph-cat.txt.gz");
    let out = dir.path().join("fp.json");
    let run = aprof(
        &[
            "import",
            trace.to_str().unwrap(),
            "--no-filters",
            "-o",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let fp = aprof_footprint::load(&out).unwrap();
    let k = fp.kernel_functions.as_ref().expect("functions section");
    assert_eq!(k.len(), grep_unique(&trace));
    assert_eq!(k.tracer, "function_graph");
    assert_eq!(k.source, "ftrace");
    assert!(k.filters.is_empty());
    // Every function of this 6.1 guest is placed by the rules (no -dbg here).
    let m = k.mapping.as_ref().unwrap();
    assert_eq!(m.unmapped, 0, "{:?}", m.unmapped_examples);
    // The syscalls the trace shows: cat opened and read /proc/version.
    for syscall in ["openat", "read", "execve"] {
        assert!(
            fp.syscalls[&aprof_footprint::Abi::X86_64].contains_key(syscall),
            "{syscall}"
        );
    }
    assert!(text(&run.stderr).contains("unique kernel functions"));
}

#[test]
fn published_filters_runs_and_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fp.json");
    let a = fixture("graph-cat.txt.gz");
    let b = fixture("graph-published.txt.gz");
    let idle = fixture("graph-baseline.txt.gz");
    let run = aprof(
        &[
            "import",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--baseline",
            idle.to_str().unwrap(),
            "--kernel-release",
            "6.1.0-57-cloud-amd64",
            "--accelerator",
            "tcg",
            "-o",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let k = aprof_footprint::load(&out)
        .unwrap()
        .kernel_functions
        .unwrap();
    assert_eq!(k.runs.len(), 2);
    assert_eq!(k.unique.n, 2);
    let per_run: Vec<f64> = k.runs.iter().map(|r| r.unique_functions as f64).collect();
    assert!((k.unique.mean - (per_run[0] + per_run[1]) / 2.0).abs() < 1e-9);
    let sd = ((per_run[0] - per_run[1]).abs()) / 2f64.sqrt();
    assert!((k.unique.sd - sd).abs() < 1e-9);
    let baseline = k.baseline.as_ref().unwrap();
    assert!(baseline.functions > 0 && baseline.removed > 0);
    assert_eq!(k.accelerator.as_deref(), Some("tcg"));
    assert_eq!(k.kernel.release.as_deref(), Some("6.1.0-57-cloud-amd64"));
    assert!(k.filters.iter().any(|f| f.contains("first syscall")));
    assert!(k.filters.iter().any(|f| f.contains("baseline")));
    assert!(k.runs.iter().all(|r| r.dropped.contains_key("interrupt")));
}

#[test]
fn trace_cmd_and_perf_are_read_too() {
    let dir = tempfile::tempdir().unwrap();
    for (name, source, tracer) in [
        (
            "tracecmd-graph.txt.gz",
            "trace-cmd report",
            "function_graph",
        ),
        ("tracecmd-function.txt.gz", "trace-cmd report", "function"),
        ("perf-script.txt.gz", "perf script", "sampled"),
    ] {
        let out = dir.path().join(format!("{name}.json"));
        let run = aprof(
            &[
                "import",
                fixture(name).to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ],
            dir.path(),
        );
        assert_eq!(run.status.code(), Some(0), "{name}: {}", text(&run.stderr));
        let k = aprof_footprint::load(&out)
            .unwrap()
            .kernel_functions
            .unwrap();
        assert_eq!((k.source.as_str(), k.tracer.as_str()), (source, tracer));
        assert!(k.len() > 20);
    }
}

#[test]
fn score_shows_both_haps_and_json_terms_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fp.json");
    let trace = fixture("graph-net.txt.gz");
    let run = aprof(
        &[
            "import",
            trace.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let score = aprof(
        &["score", out.to_str().unwrap(), "--kernel", "6.1.192"],
        dir.path(),
    );
    let report = text(&score.stdout);
    assert_eq!(score.status.code(), Some(0), "{}", text(&score.stderr));
    assert!(report.contains("HAP, syscall level"), "{report}");
    assert!(report.contains("HAP, function level"), "{report}");
    let json = aprof(
        &[
            "score",
            out.to_str().unwrap(),
            "--kernel",
            "6.1.192",
            "--json",
        ],
        dir.path(),
    );
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let hap = &v["kernel_functions"]["function_hap"];
    let terms = hap["terms"].as_array().unwrap();
    // The terms share each counted CVE among the buckets it touched: they
    // add up to the figure, which is the distinct CVEs over the years.
    let sum: f64 = terms.iter().map(|t| t["value"].as_f64().unwrap()).sum();
    let value = hap["value"].as_f64().unwrap();
    assert!((value - sum).abs() < 1e-9, "{value} vs {sum}");
    let per_year = hap["cves"].as_f64().unwrap() / hap["years"].as_f64().unwrap();
    assert!((value - per_year).abs() < 1e-9);
    assert!(value > 0.0);
    // The functions counted per term are the footprint's, by subsystem.
    let fp = aprof_footprint::load(&out).unwrap();
    let k = fp.kernel_functions.unwrap();
    let per = k.per_subsystem();
    for t in terms {
        let s = t["subsystem"].as_str().unwrap();
        assert_eq!(
            t["functions"].as_u64().unwrap() as usize,
            per[s].len(),
            "{s}"
        );
    }
    // The network trace reaches TCP at function level.
    assert!(terms.iter().any(|t| t["subsystem"] == "net/ipv4"));
    let side = &v["kernel_functions"]["side_by_side"];
    assert!(side["syscall_level"].as_f64().unwrap() > 0.0);
}

#[test]
fn bad_kernel_function_input_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fp.json");
    let trace = fixture("graph-cat.txt.gz");
    let perf = fixture("perf-script.txt.gz");
    // Runs of different kinds.
    let run = aprof(
        &[
            "import",
            trace.to_str().unwrap(),
            perf.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    let err = text(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("aprof: error: ") && err.contains("one kind"),
        "{err}"
    );
    // A vmlinux that is not one.
    let bogus = dir.path().join("vmlinux");
    std::fs::File::create(&bogus)
        .unwrap()
        .write_all(b"nope")
        .unwrap();
    let run = aprof(
        &[
            "import",
            trace.to_str().unwrap(),
            "--vmlinux",
            bogus.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    let err = text(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not an ELF"), "{err}");
    assert!(!out.exists());
    let _ = Stdio::null();
}
