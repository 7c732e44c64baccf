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
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("-0.0"), "no negative zero in JSON");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["schema_version"], 2);
    assert_eq!(v["unit"], "CVE fixes per year");
    assert!(v["unit_note"]
        .as_str()
        .unwrap()
        .contains("not an exploit count"));
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

/// One unit, one computation: `aprof models` and `aprof score` give the same
/// container HAP for the reference workload under Docker's default profile.
#[test]
fn models_and_score_agree_on_the_container_hap() {
    let out = aprof(&["models", "--json", "--only", "container"]);
    let models: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hap = models["profiles"][0]["hap"]["value"].as_f64().unwrap();
    let reference = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/workloads/echo_service.footprint.json"
    );
    let out = aprof(&[
        "score",
        reference,
        "--profile",
        "docker-default",
        "--model",
        "container",
        "--json",
        "--kernel",
        "6.18.44",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let score: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let exposed = score["profile"]["exposed_hap"]["value"].as_f64().unwrap();
    // The catalogue reads no host settings; a host with reserved huge pages
    // opens the MAP_HUGETLB gate for `score` alone.
    let hugepages = std::fs::read_to_string("/proc/sys/vm/nr_hugepages").unwrap_or_default();
    if hugepages.trim() == "0" {
        assert!(
            (hap - exposed).abs() < 1e-6,
            "models {hap} vs score {exposed}"
        );
    } else {
        assert!(exposed >= hap);
    }
    assert_eq!(score["profile"]["unit"], models["unit"]);
    let kernel = models["profiles"][0]["provider_vap"]["value"]
        .as_f64()
        .unwrap();
    assert!((kernel - score["profile"]["kernel_vap"].as_f64().unwrap()).abs() < 1e-6);
}
