//! Generated profiles of a real recording, checked against outside
//! references: the OCI output against the runtime-spec JSON schema
//! (`data/oci-runtime-spec-schema`, `linux.seccomp` with its `defs*.json`
//! references), and the OCI, Docker and SPO outputs parsed back by aprof's
//! profile loader to a policy that decides every recorded syscall, with
//! its recorded and unrecorded argument values, as the generated one does.
//!
//! The recording is of python3 doing sockets, fcntl, ioctl, prctl,
//! personality, threads and a fork+exec, so every kind of argument rule
//! appears. Recording needs ptrace (root here and in CI).

use aprof_footprint::{Abi, Footprint};
use aprof_guard::export::{export, ExportFormat};
use aprof_guard::generate::{generate, Base, GenerateOptions, CLONE_NAMESPACE_FLAGS};
use aprof_guard::profile::{self, EvalContext, ProfileFormat};
use aprof_guard::{Action, Policy};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const SCHEMA_BASE: &str = "https://aprof.invalid/oci-runtime-spec/schema";

const WORKLOAD: &str = r#"
import ctypes, fcntl, os, socket, subprocess, sys, threading
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(15, b"aprof-test", 0, 0, 0)          # PR_SET_NAME
libc.personality(0xffffffff)                      # query only
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0)); s.listen(1)
c = socket.create_connection(s.getsockname()); a, _ = s.accept()
c.sendall(b"x"); assert a.recv(1) == b"x"
u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); u.close()
p, q = socket.socketpair(); p.close(); q.close()
fcntl.fcntl(c.fileno(), fcntl.F_SETFL, os.O_NONBLOCK)
os.isatty(sys.stdin.fileno())
t = threading.Thread(target=lambda: None); t.start(); t.join()
subprocess.run(["true"], check=True)
"#;

fn python3() -> Option<&'static str> {
    ["/usr/bin/python3", "/usr/local/bin/python3"]
        .into_iter()
        .find(|p| Path::new(p).is_file())
}

/// The recorded footprint of [`WORKLOAD`], made once for all tests.
fn footprint() -> Option<&'static Footprint> {
    static FP: OnceLock<Option<Footprint>> = OnceLock::new();
    FP.get_or_init(|| {
        let py = python3()?;
        let target = aprof_record::Target::Launch(vec![py.into(), "-c".into(), WORKLOAD.into()]);
        let rec = aprof_record::record(&target, &aprof_record::RecordOptions::default())
            .expect("recording python3 works (needs ptrace)");
        assert_eq!(
            rec.outcome.exit_code(),
            0,
            "the workload failed while recorded"
        );
        Some(rec.footprint)
    })
    .as_ref()
}

fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/oci-runtime-spec-schema")
}

/// Serves the runtime-spec schema files from the repository copy, and
/// nothing else (no network).
struct SchemaFiles(PathBuf);

impl jsonschema::Retrieve for SchemaFiles {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let file = uri
            .as_str()
            .strip_prefix(&format!("{SCHEMA_BASE}/"))
            .ok_or_else(|| format!("not a runtime-spec schema file: {}", uri.as_str()))?;
        Ok(serde_json::from_str(&std::fs::read_to_string(
            self.0.join(file),
        )?)?)
    }
}

/// A validator for the runtime-spec's `linux.seccomp`, resolving its
/// references to `defs.json` and `defs-linux.json` from the repository copy.
fn seccomp_validator() -> jsonschema::Validator {
    let root =
        json!({ "$ref": format!("{SCHEMA_BASE}/config-linux.json#/linux/properties/seccomp") });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .with_retriever(SchemaFiles(schema_dir()))
        .build(&root)
        .expect("the OCI schema compiles")
}

fn errors(validator: &jsonschema::Validator, v: &Value) -> Vec<String> {
    validator
        .iter_errors(v)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn options_matrix() -> Vec<GenerateOptions> {
    let mut out = Vec::new();
    for default_action in [Action::Errno(1), Action::KillProcess, Action::Log] {
        for base in [Base::None, Base::Runc, Base::Crun] {
            for argument_rules in [true, false] {
                out.push(GenerateOptions {
                    default_action,
                    base,
                    argument_rules,
                    timing_companions: true,
                });
            }
        }
    }
    out
}

#[test]
fn oci_output_validates_against_the_runtime_spec_schema() {
    let Some(fp) = footprint() else {
        return aprof_testkit::skip("no python3 in /usr/bin or /usr/local/bin");
    };
    let validator = seccomp_validator();
    for opts in options_matrix() {
        let (text, _) = export(&generate(fp, &opts).policy, ExportFormat::Oci, "python3");
        let v: Value = serde_json::from_str(&text).expect("OCI output is JSON");
        let errs = errors(&validator, &v);
        assert!(errs.is_empty(), "{opts:?}: {errs:#?}");
        if opts.argument_rules {
            assert!(
                text.contains("SCMP_CMP_MASKED_EQ"),
                "argument rules are in the output"
            );
            // The recorded threads used clone3: it answers ENOSYS so that
            // glibc falls back to clone, whose flags are checked.
            let clone3 = v["syscalls"]
                .as_array()
                .expect("syscalls")
                .iter()
                .find(|e| e["names"] == json!(["clone3"]));
            assert_eq!(
                clone3.map(|e| e["errnoRet"].clone()),
                Some(json!(libc::ENOSYS)),
                "{text}"
            );
        }
    }
}

#[test]
fn the_schema_check_can_fail() {
    let Some(fp) = footprint() else {
        return aprof_testkit::skip("no python3 in /usr/bin or /usr/local/bin");
    };
    let validator = seccomp_validator();
    let (text, _) = export(
        &generate(fp, &GenerateOptions::default()).policy,
        ExportFormat::Oci,
        "python3",
    );
    let good: Value = serde_json::from_str(&text).expect("JSON");
    let with_args = good["syscalls"]
        .as_array()
        .expect("syscalls")
        .iter()
        .position(|e| e.get("args").is_some())
        .expect("an entry with args");
    let mut bad_op = good.clone();
    bad_op["syscalls"][with_args]["args"][0]["op"] = json!("SCMP_CMP_ALMOST");
    let mut bad_arch = good.clone();
    bad_arch["architectures"] = json!(["SCMP_ARCH_Z80"]);
    let mut no_names = good.clone();
    no_names["syscalls"][0]["names"] = json!([]);
    let mut no_default = good.clone();
    no_default
        .as_object_mut()
        .expect("object")
        .remove("defaultAction");
    let mut negative_index = good.clone();
    negative_index["syscalls"][with_args]["args"][0]["index"] = json!(-1);
    for (what, v) in [
        ("op", bad_op),
        ("arch", bad_arch),
        ("names", no_names),
        ("defaultAction", no_default),
        ("index", negative_index),
    ] {
        assert!(
            !errors(&validator, &v).is_empty(),
            "the schema accepted a bad {what}"
        );
    }
}

/// Argument vectors that exercise every rule of `syscall`: all zeros, each
/// recorded value at its index, each recorded value with a bit flipped,
/// the recorded socket (family, type) pairs, and clone with each
/// namespace flag added.
fn representative_args(fp: &Footprint, syscall: &str) -> Vec<[u64; 6]> {
    let mut out = BTreeSet::new();
    out.insert([0u64; 6]);
    let mut per_index: Vec<(u8, u64)> = fp
        .arguments
        .values()
        .filter(|a| a.syscall == syscall)
        .flat_map(|a| a.values.keys().map(move |v| (a.index, *v)))
        .collect();
    if syscall == "ioctl" {
        per_index.extend(
            fp.objects
                .iter()
                .flat_map(|o| o.ioctls.keys().map(|r| (1u8, *r))),
        );
    }
    for &(i, v) in &per_index {
        for value in [v, v ^ 1, v ^ 0x40, v.wrapping_add(0x1_0000_0000)] {
            let mut a = [0u64; 6];
            a[i as usize] = value;
            out.insert(a);
        }
    }
    for &(i, v) in per_index.iter().filter(|(i, _)| *i == 0) {
        for &(j, w) in per_index.iter().filter(|(j, _)| *j == 1) {
            let mut a = [0u64; 6];
            a[i as usize] = v;
            a[j as usize] = w;
            out.insert(a);
        }
    }
    if syscall == "clone" {
        for bit in (0..64)
            .map(|b| 1u64 << b)
            .filter(|b| b & CLONE_NAMESPACE_FLAGS != 0)
        {
            for &(_, v) in &per_index {
                out.insert([v | bit, 0, 0, 0, 0, 0]);
            }
        }
    }
    out.into_iter().collect()
}

/// The generated and loaded policies decide alike on every recorded
/// syscall (with representative arguments) and on a few never recorded.
fn assert_agree(fp: &Footprint, generated: &Policy, loaded: &Policy, what: &str) {
    let mut names: BTreeSet<String> = fp
        .syscall_names(Abi::X86_64)
        .filter(|n| !n.starts_with("syscall_"))
        .map(str::to_owned)
        .collect();
    names.extend(
        [
            "mount",
            "ptrace",
            "bpf",
            "kexec_load",
            "unshare",
            "restart_syscall",
        ]
        .map(String::from),
    );
    let mut checked = 0;
    for name in &names {
        for args in representative_args(fp, name) {
            let want = generated.action(Abi::X86_64, name, &args);
            let got = loaded.action(Abi::X86_64, name, &args);
            assert_eq!(got, want, "{what}: {name}{args:x?}");
            checked += 1;
        }
    }
    assert!(checked > names.len(), "{what}: only {checked} cases");
}

fn load_back(text: &str, format: ProfileFormat) -> Policy {
    let ctx = EvalContext::docker_defaults().expect("docker defaults");
    let mut loaded = profile::load_str(text, "generated", format, &ctx)
        .unwrap_or_else(|e| panic!("{format} output does not load: {e}\n{text}"));
    assert_eq!(loaded.len(), 1);
    let p = loaded.remove(0);
    assert!(p.unknown_syscalls.is_empty(), "{:?}", p.unknown_syscalls);
    p.policy
}

#[test]
fn docker_spo_and_oci_outputs_load_back_to_the_same_decisions() {
    let Some(fp) = footprint() else {
        return aprof_testkit::skip("no python3 in /usr/bin or /usr/local/bin");
    };
    for opts in options_matrix() {
        let generated = generate(fp, &opts).policy;
        for (format, parse_as) in [
            (ExportFormat::Oci, ProfileFormat::Oci),
            (ExportFormat::Docker, ProfileFormat::Docker),
            (ExportFormat::Spo, ProfileFormat::Spo),
            (ExportFormat::Docker, ProfileFormat::Auto),
            (ExportFormat::Spo, ProfileFormat::Auto),
        ] {
            let (text, _) = export(&generated, format, "python3 workload");
            let loaded = load_back(&text, parse_as);
            assert_agree(
                fp,
                &generated,
                &loaded,
                &format!("{format:?} as {parse_as} with {opts:?}"),
            );
        }
    }
}

#[test]
fn recorded_argument_values_become_rules_that_refuse_others() {
    let Some(fp) = footprint() else {
        return aprof_testkit::skip("no python3 in /usr/bin or /usr/local/bin");
    };
    let p = &generate(fp, &GenerateOptions::default()).policy.abis[&Abi::X86_64];
    let allow = |name: &str, args: [u64; 6]| p.action(name, &args) == Action::Allow;
    let (af_inet, af_unix, af_netlink) = (
        libc::AF_INET as u64,
        libc::AF_UNIX as u64,
        libc::AF_NETLINK as u64,
    );
    let (stream, dgram, raw) = (
        libc::SOCK_STREAM as u64,
        libc::SOCK_DGRAM as u64,
        libc::SOCK_RAW as u64,
    );
    assert!(allow(
        "socket",
        [af_inet, stream | libc::SOCK_CLOEXEC as u64, 0, 0, 0, 0]
    ));
    assert!(allow("socket", [af_unix, dgram, 0, 0, 0, 0]));
    assert!(
        !allow("socket", [af_netlink, raw, 0, 0, 0, 0]),
        "never used netlink"
    );
    assert!(
        !allow("socket", [af_inet, raw, 0, 0, 0, 0]),
        "never used raw sockets"
    );
    assert!(allow("prctl", [libc::PR_SET_NAME as u64, 0, 0, 0, 0, 0]));
    assert!(!allow(
        "prctl",
        [libc::PR_SET_SECCOMP as u64, 0, 0, 0, 0, 0]
    ));
    assert!(allow("personality", [0xffff_ffff, 0, 0, 0, 0, 0]));
    assert!(
        !allow("personality", [0x0040_0000, 0, 0, 0, 0, 0]),
        "READ_IMPLIES_EXEC never set"
    );
    assert!(allow("fcntl", [3, libc::F_SETFL as u64, 0, 0, 0, 0]));
    assert!(!allow("fcntl", [3, libc::F_SETLEASE as u64, 0, 0, 0, 0]));
    assert!(
        !allow("ioctl", [0, libc::TIOCSTI, 0, 0, 0, 0]),
        "never pushed terminal input"
    );
    for bit in [
        libc::CLONE_NEWUSER,
        libc::CLONE_NEWNS,
        libc::CLONE_NEWNET,
        libc::CLONE_NEWPID,
    ] {
        if fp.syscalls[&Abi::X86_64].contains_key("clone") {
            assert!(
                !allow("clone", [bit as u64 | libc::SIGCHLD as u64, 0, 0, 0, 0, 0]),
                "namespace flag {bit:#x} never used"
            );
        }
    }
    assert!(!allow("mount", [0; 6]) && !allow("bpf", [0; 6]));
}
