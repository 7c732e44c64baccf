//! The recorded runtime base sets in data/runtimes (what runc and crun do
//! between installing the container's seccomp filter and exec'ing the
//! workload, see scripts/record-runtime-base.sh) name real x86_64 syscalls,
//! and they are enough: a container whose profile allows only the base set plus
//! the workload's own syscalls runs, and without execve it does not start.

#[path = "support/oci_bundle.rs"]
mod oci_bundle;

use aprof_footprint::Abi;
use oci_bundle::{
    allow_list_seccomp, load_runtime_base, parse_runtime_base, probe_elf, runtime_base_path,
    BundleSpec, OciBundle, Runtime, PROBE_OUTPUT, PROBE_PATH, PROBE_SYSCALLS,
};
use proptest::prelude::*;
use std::collections::BTreeSet;

const RUNTIMES: [Runtime; 2] = [Runtime::Runc, Runtime::Crun];

/// (name, noNewPrivileges, uid): the configurations the data files were recorded in.
const CONFIGS: [(&str, bool, u32); 4] = [
    ("nnp-root", true, 0),
    ("nnp-user", true, 1000),
    ("nonnp-root", false, 0),
    ("nonnp-user", false, 1000),
];

fn base(runtime: Runtime) -> BTreeSet<String> {
    load_runtime_base(runtime).unwrap_or_else(|e| panic!("{e}"))
}

fn probe_spec(seccomp: serde_json::Value, no_new_privileges: bool, uid: u32) -> BundleSpec {
    BundleSpec {
        no_new_privileges,
        uid,
        gid: uid,
        ..BundleSpec::probe(Some(seccomp))
    }
}

#[test]
fn data_files_name_real_x86_64_syscalls_and_include_execve() {
    let table = Abi::X86_64.table();
    for runtime in RUNTIMES {
        let names = base(runtime);
        assert!(!names.is_empty(), "{runtime:?}: empty base set");
        for name in &names {
            assert!(
                table.number(name).is_some(),
                "{runtime:?}: {name} is not an x86_64 syscall"
            );
        }
        assert!(names.contains("execve"), "{runtime:?}: execve missing");
    }
}

#[test]
fn data_files_say_how_they_were_recorded() {
    for runtime in RUNTIMES {
        let path = runtime_base_path(runtime);
        let text = std::fs::read_to_string(&path).unwrap();
        for field in ["# Runtime: ", "# Kernel: ", "# Method: "] {
            assert!(
                text.lines().any(|line| line.starts_with(field)),
                "{}: no {field:?} header line",
                path.display()
            );
        }
        assert!(
            text.contains(runtime.binary()),
            "{}: header does not name {}",
            path.display(),
            runtime.binary()
        );
    }
}

#[test]
fn parser_rejects_junk_and_duplicates() {
    assert_eq!(
        parse_runtime_base("# header\n\nexecve\n  close \n").unwrap(),
        BTreeSet::from(["close".to_string(), "execve".to_string()])
    );
    assert!(parse_runtime_base("execve\nexecve\n")
        .unwrap_err()
        .contains("line 2"));
    assert!(parse_runtime_base("close, execve\n")
        .unwrap_err()
        .contains("line 1"));
}

proptest! {
    #[test]
    fn parser_round_trips_any_name_set(
        names in proptest::collection::btree_set("[a-z_][a-z0-9_]{0,20}", 0..30),
        comment in "[ -~]{0,40}",
    ) {
        let mut text = format!("#{comment}\n");
        for name in &names {
            text.push_str(name);
            text.push('\n');
        }
        let parsed = parse_runtime_base(&text).unwrap();
        prop_assert_eq!(parsed, names);
    }

    #[test]
    fn parser_never_panics(text in "\\PC{0,200}") {
        let _ = parse_runtime_base(&text);
    }
}

#[test]
fn probe_is_a_static_elf_that_prints_ok_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("probe");
    std::fs::write(&path, probe_elf()).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = std::process::Command::new(&path).output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    assert_eq!(String::from_utf8_lossy(&out.stdout), PROBE_OUTPUT);
}

/// The recorded set plus the probe's own syscalls lets the container run, in
/// every recorded configuration, several times (runc's Go runtime varies).
fn base_set_is_sufficient(runtime: Runtime) {
    if let Some(reason) = runtime.skip_reason() {
        return aprof_testkit::skip(&reason);
    }
    let base = base(runtime);
    let allowed = base
        .iter()
        .map(String::as_str)
        .chain(PROBE_SYSCALLS.iter().copied());
    let seccomp = allow_list_seccomp("SCMP_ACT_ERRNO", allowed);
    for (name, nnp, uid) in CONFIGS {
        let bundle = OciBundle::create(&probe_spec(seccomp.clone(), nnp, uid)).unwrap();
        for run in 0..3 {
            let out = bundle.run(runtime).unwrap();
            assert!(
                out.success() && out.stdout == PROBE_OUTPUT,
                "{runtime:?} {name} run {run}: {:?}, stdout {:?}, stderr {:?}",
                out.status,
                out.stdout,
                out.stderr
            );
        }
    }
}

/// Without execve the runtime cannot start the workload: the profile really
/// is enforced, so the sufficiency test above is not vacuous.
fn base_set_without_execve_fails(runtime: Runtime) {
    if let Some(reason) = runtime.skip_reason() {
        return aprof_testkit::skip(&reason);
    }
    let base = base(runtime);
    let allowed = base
        .iter()
        .map(String::as_str)
        .filter(|name| *name != "execve")
        .chain(PROBE_SYSCALLS.iter().copied());
    let seccomp = allow_list_seccomp("SCMP_ACT_ERRNO", allowed);
    for (name, nnp, uid) in CONFIGS {
        let bundle = OciBundle::create(&probe_spec(seccomp.clone(), nnp, uid)).unwrap();
        let out = bundle.run(runtime).unwrap();
        assert!(
            !out.success() && !out.stdout.contains(PROBE_OUTPUT),
            "{runtime:?} {name}: started without execve: {:?}, stdout {:?}",
            out.status,
            out.stdout
        );
    }
}

#[test]
fn runc_runs_under_only_its_recorded_base_set() {
    base_set_is_sufficient(Runtime::Runc);
}

#[test]
fn runc_fails_to_start_without_execve() {
    base_set_without_execve_fails(Runtime::Runc);
}

#[test]
fn crun_runs_under_only_its_recorded_base_set() {
    base_set_is_sufficient(Runtime::Crun);
}

#[test]
fn crun_fails_to_start_without_execve() {
    base_set_without_execve_fails(Runtime::Crun);
}

/// The bundle helper itself: busybox runs in it without any seccomp section.
#[test]
fn busybox_runs_in_a_bundle_without_seccomp() {
    for runtime in RUNTIMES {
        if let Some(reason) = runtime.skip_reason() {
            aprof_testkit::skip(&reason);
            continue;
        }
        let spec = BundleSpec {
            args: vec!["/bin/sh".into(), "-c".into(), "echo hi; exit 3".into()],
            ..BundleSpec::probe(None)
        };
        let out = OciBundle::create(&spec).unwrap().run(runtime).unwrap();
        assert_eq!(out.status.code(), Some(3), "{runtime:?}: {}", out.stderr);
        assert_eq!(out.stdout, "hi\n");
        assert!(PROBE_PATH.starts_with("/bin/"));
    }
}
