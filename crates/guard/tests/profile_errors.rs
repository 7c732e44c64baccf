//! Bad profiles give one clear error naming file, line, column and field;
//! unknown names, unknown fields and foreign architectures are reported,
//! not fatal (unknown fields are with --strict).

use aprof_footprint::Abi;
use aprof_guard::profile::{
    load_str, EvalContext, ProfileError, ProfileFormat, DOCKER_DEFAULT_CAPS,
};
use aprof_guard::Action;

fn ctx() -> EvalContext {
    EvalContext::new(
        DOCKER_DEFAULT_CAPS.iter().map(|c| c.to_string()).collect(),
        "6.8".parse().unwrap(),
    )
}

fn load(
    text: &str,
    format: ProfileFormat,
) -> Result<Vec<aprof_guard::profile::LoadedProfile>, ProfileError> {
    load_str(text, "test.json", format, &ctx())
}

fn syntax(err: ProfileError) -> (usize, usize, String, String) {
    let shown = err.to_string();
    match err {
        ProfileError::Syntax {
            line,
            column,
            field,
            ..
        } => (line, column, field, shown),
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn misspelt_action_names_line_and_field() {
    let text = "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [\n    {\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALOW\"}\n  ]\n}\n";
    for format in [
        ProfileFormat::Auto,
        ProfileFormat::Oci,
        ProfileFormat::Docker,
    ] {
        let (line, column, field, shown) = syntax(load(text, format).unwrap_err());
        assert_eq!(line, 4, "{shown}");
        assert!(column > 30, "{shown}");
        assert_eq!(field, "syscalls[0].action");
        assert!(shown.starts_with("test.json:4:"), "{shown}");
        assert!(shown.contains("SCMP_ACT_ALOW"), "{shown}");
        assert!(!shown.contains('\n'));
    }
}

#[test]
fn broken_json_names_the_line() {
    let text = "{\n \"defaultAction\": \"SCMP_ACT_ERRNO\",\n \"syscalls\": [\n  {\"names\": [\"read\"] \"action\": \"SCMP_ACT_ALLOW\"}\n ]\n}\n";
    let (line, _, _, shown) = syntax(load(text, ProfileFormat::Auto).unwrap_err());
    assert_eq!(line, 4, "{shown}");
    let truncated = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [";
    assert!(matches!(
        load(truncated, ProfileFormat::Auto),
        Err(ProfileError::Syntax { .. })
    ));
}

#[test]
fn broken_yaml_names_line_and_field() {
    let text = "apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\nmetadata:\n  name: x\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n  syscalls:\n  - names: [read]\n    action: SCMP_ACT_NOPE\n";
    let (line, column, field, shown) = syntax(load(text, ProfileFormat::Auto).unwrap_err());
    assert_eq!((line, column), (9, 13), "{shown}");
    assert_eq!(field, "spec.syscalls[0].action");
    let (line, _, _, shown) =
        syntax(load("kind: SeccompProfile\nspec: [\n", ProfileFormat::Spo).unwrap_err());
    assert!(line >= 2, "{shown}");
}

#[test]
fn unknown_architecture_is_an_error_foreign_ones_a_note() {
    let unknown = r#"{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_VAX"]}"#;
    let (_, _, field, shown) = syntax(load(unknown, ProfileFormat::Auto).unwrap_err());
    assert_eq!(field, "architectures[0]", "{shown}");
    let foreign = r#"{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_MIPS", "SCMP_ARCH_X86"],
        "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}"#;
    let p = &load(foreign, ProfileFormat::Auto).unwrap()[0];
    assert!(
        p.notes.iter().any(|n| n.contains("SCMP_ARCH_MIPS")),
        "{:?}",
        p.notes
    );
    // Native x86_64 always, i386 as listed, x32 not.
    assert_eq!(
        p.policy.abis.keys().copied().collect::<Vec<_>>(),
        [Abi::X86_64, Abi::I386]
    );
    assert_eq!(p.policy.action(Abi::I386, "read", &[0; 6]), Action::Allow);
    assert_eq!(
        p.policy.action(Abi::X32, "read", &[0; 6]),
        Action::KillThread
    );
}

#[test]
fn unknown_syscall_names_are_collected_once_and_skipped() {
    let text = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
        {"names": ["read", "frobnicate", "frobnicate"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["frobnicate", "chown32"], "action": "SCMP_ACT_LOG"}]}"#;
    let p = &load(text, ProfileFormat::Oci).unwrap()[0];
    assert_eq!(p.unknown_syscalls, ["frobnicate"]);
    let x = &p.policy.abis[&Abi::X86_64];
    assert_eq!(x.action("read", &[0; 6]), Action::Allow);
    // chown32 is an i386 name: silently absent from x86_64.
    assert!(!x.syscalls.contains_key("chown32"));
}

#[test]
fn meaningless_values_are_errors() {
    let cases = [
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
            "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}"#,
            "index",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 70000}"#,
            "16 bits",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"name": "read", "names": ["write"], "action": "SCMP_ACT_ALLOW"}]}"#,
            "name",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86"], "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]}"#,
            "archMap",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "four"}}]}"#,
            "minKernel",
        ),
        (r#"[1, 2]"#, "object"),
        (r#"{"syscalls": []}"#, "defaultAction"),
    ];
    for (text, needle) in cases {
        let err = load(text, ProfileFormat::Auto).unwrap_err().to_string();
        assert!(err.contains(needle), "{text}: {err}");
        assert!(!err.contains('\n'));
    }
}

#[test]
fn docker_entry_typo_is_named_and_refused_when_strict() {
    let text = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "include": {"caps": ["CAP_SYS_ADMIN"]}}]}"#;
    let p = &load(text, ProfileFormat::Docker).unwrap()[0];
    assert_eq!(
        p.ignored_fields,
        ["syscalls[0].include: not a field of Docker's format"]
    );
    let err = load_str(
        text,
        "test.json",
        ProfileFormat::Docker,
        &ctx().with_strict(true),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("test.json: syscalls[0].include") && err.contains("--strict"),
        "{err}"
    );
    assert!(!err.contains('\n'));
}

#[test]
fn config_json_with_and_without_seccomp() {
    let with = r#"{"ociVersion": "1.0.2", "process": {"args": ["sh"]}, "linux": {"namespaces": [],
        "seccomp": {"defaultAction": "SCMP_ACT_KILL_PROCESS", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X32"],
        "syscalls": [{"names": ["write"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]}}}"#;
    let p = &load(with, ProfileFormat::Auto).unwrap()[0];
    assert_eq!(p.format, ProfileFormat::Oci);
    assert_eq!(
        p.policy.action(Abi::X32, "write", &[1, 0, 0, 0, 0, 0]),
        Action::Allow
    );
    assert_eq!(
        p.policy.action(Abi::X32, "write", &[2, 0, 0, 0, 0, 0]),
        Action::KillProcess
    );
    let bad = r#"{"ociVersion": "1.0.2", "linux": {"seccomp": {"defaultAction": "SCMP_ACT_KILL", "syscalls": [{"names": ["write"]}]}}}"#;
    let (_, _, field, shown) = syntax(load(bad, ProfileFormat::Auto).unwrap_err());
    assert_eq!(field, "linux.seccomp.syscalls[0]", "{shown}");
    let without = r#"{"ociVersion": "1.0.2", "linux": {}}"#;
    let p = &load(without, ProfileFormat::Auto).unwrap()[0];
    assert_eq!(p.policy.action(Abi::I386, "mount", &[0; 6]), Action::Allow);
}

#[test]
fn docker_profile_read_as_oci_names_docker_fields_and_strict_refuses() {
    let text = include_str!("../../../data/profiles/docker-default.json");
    let p = &load(text, ProfileFormat::Oci).unwrap()[0];
    assert!(
        p.ignored_fields
            .iter()
            .any(|f| f.starts_with("archMap: belongs to Docker's format")
                && f.contains("--format docker")),
        "{:?}",
        p.ignored_fields
    );
    let err = load_str(
        text,
        "test.json",
        ProfileFormat::Oci,
        &ctx().with_strict(true),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("archMap") && err.contains("--format docker"),
        "{err}"
    );
    let text = include_str!("../../../data/profiles/docker-conditional-include.json");
    let p = &load(text, ProfileFormat::Oci).unwrap()[0];
    assert!(
        p.ignored_fields.iter().any(|f| f.contains("includes")),
        "{:?}",
        p.ignored_fields
    );
}
