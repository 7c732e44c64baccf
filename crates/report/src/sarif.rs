//! SARIF 2.1.0 output for drift checks, so code-scanning interfaces show
//! each new syscall, argument value or object class as a finding.

use aprof_footprint::diff::Drift;
use serde_json::{json, Value};

const RULES: &[(&str, &str)] = &[
    (
        "aprof/new-syscall",
        "The workload made a syscall its baseline never made.",
    ),
    (
        "aprof/new-argument-value",
        "A syscall argument took a value the baseline never saw.",
    ),
    (
        "aprof/new-object-class",
        "The workload reached a class of kernel object the baseline never reached.",
    ),
    (
        "aprof/new-ioctl",
        "The workload issued an ioctl request the baseline never issued on that object class.",
    ),
];

/// A SARIF log with one result per item the workload reaches beyond its
/// baseline. `baseline` names the baseline file, used as the location.
pub fn drift_sarif(drift: &Drift, baseline: &str) -> String {
    let results: Vec<Value> = drift
        .added
        .iter()
        .map(|r| {
            json!({
                "ruleId": r.rule_id(),
                "level": "error",
                "message": { "text": format!("New beyond the baseline: {}", r.describe()) },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": baseline } } }],
                "properties": { "reached": r },
            })
        })
        .collect();
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, text)| json!({ "id": id, "shortDescription": { "text": text } }))
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "aprof", "version": env!("CARGO_PKG_VERSION"), "rules": rules } },
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).expect("SARIF serialises") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use aprof_footprint::{diff::drift, Abi, Environment, Footprint};

    #[test]
    fn one_result_per_added_item_with_known_rules() {
        let base = Footprint::new(Environment::default());
        let mut cur = base.clone();
        cur.count_syscall(Abi::X86_64, 41, None, 0);
        cur.count_argument("socket", 0, "family", 2, Some("AF_INET".into()));
        let v: Value =
            serde_json::from_str(&drift_sarif(&drift(&base, &cur), "base.json")).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let results = v["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        let ids: Vec<&str> = v["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert!(results
            .iter()
            .all(|r| ids.contains(&r["ruleId"].as_str().unwrap())));
        assert_eq!(
            results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "base.json"
        );
    }
}
