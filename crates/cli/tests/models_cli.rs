//! `aprof models` and `aprof model` as a user runs them.

use std::process::Command;

fn aprof(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_aprof"))
        .args(args)
        .output()
        .expect("run aprof")
}

#[test]
fn models_table_lists_the_catalogue() {
    let out = aprof(&["models"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for m in [
        "physical",
        "shared-login",
        "vm",
        "container",
        "nested-container",
        "gvisor",
        "microvm",
        "unikernel",
    ] {
        assert!(text.contains(m), "{m} missing from\n{text}");
    }
}

#[test]
fn models_json_is_versioned_and_complete() {
    let out = aprof(&["models", "--json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["schema_version"], 1);
    let profiles = v["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), 8);
    for p in profiles {
        for key in ["total_vap", "tenant_vap", "provider_vap", "hap"] {
            assert!(
                p[key]["value"].is_number() && p[key]["terms"].is_array(),
                "{key} of {}",
                p["model"]
            );
        }
    }
}

#[test]
fn overrides_and_sandbox_setting_change_the_output() {
    let base = aprof(&["models", "--json", "--only", "gvisor"]);
    let moved = aprof(&[
        "models",
        "--json",
        "--only",
        "gvisor",
        "--sandbox-in-tenant",
    ]);
    let tv = |o: &std::process::Output| {
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["profiles"][0]["tenant_vap"]
            ["value"]
            .as_f64()
            .unwrap()
    };
    assert!(tv(&moved) > tv(&base));
    let bad = aprof(&["models", "--set", "container.host-kernel.colour=red"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).starts_with("aprof: error: override"));
}

#[test]
fn model_file_shows_terms_and_bad_files_get_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("mine.toml");
    std::fs::write(&good, include_str!("../../../models/container.toml")).unwrap();
    let out = aprof(&["model", good.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("host-kernel"));

    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        include_str!("../../../models/container.toml")
            .replace("owner = \"provider\"", "owner = \"nobody\""),
    )
    .unwrap();
    let out = aprof(&["model", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("bad.toml:") && err.contains("layers.owner"),
        "{err}"
    );

    let out = aprof(&["model", "/nonexistent.toml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn html_output_is_a_page_with_an_svg() {
    let out = aprof(&["models", "--format", "html"]);
    assert!(out.status.success());
    let html = String::from_utf8_lossy(&out.stdout);
    assert!(html.contains("<svg") && html.contains("</html>"));
}
