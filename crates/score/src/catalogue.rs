//! The built-in deployment models (TOML files under `models/`, embedded in
//! the binary), loading a user's own, and per-model overrides.

use crate::stack::{parse_stack, Stack, StackError};
use std::path::Path;

/// The embedded model files, in the order the catalogue shows them.
const BUILT_IN: &[(&str, &str)] = &[
    (
        "physical.toml",
        include_str!("../../../models/physical.toml"),
    ),
    (
        "shared-login.toml",
        include_str!("../../../models/shared-login.toml"),
    ),
    ("vm.toml", include_str!("../../../models/vm.toml")),
    (
        "container.toml",
        include_str!("../../../models/container.toml"),
    ),
    (
        "nested-container.toml",
        include_str!("../../../models/nested-container.toml"),
    ),
    ("gvisor.toml", include_str!("../../../models/gvisor.toml")),
    ("microvm.toml", include_str!("../../../models/microvm.toml")),
    (
        "unikernel.toml",
        include_str!("../../../models/unikernel.toml"),
    ),
];

/// The built-in models. They are checked by the test suite, so a failure
/// here is a build defect, not bad input.
pub fn built_in() -> Vec<Stack> {
    BUILT_IN
        .iter()
        .map(|(file, text)| {
            parse_stack(&format!("models/{file}"), text)
                .unwrap_or_else(|e| panic!("built-in model: {e}"))
        })
        .collect()
}

/// One built-in model by name.
pub fn built_in_model(name: &str) -> Option<Stack> {
    built_in().into_iter().find(|s| s.name == name)
}

/// Read a user's stack file.
pub fn load(path: &Path) -> Result<Stack, StackError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| StackError {
        file: file.clone(),
        line: 0,
        field: "-".into(),
        message: format!("cannot read: {e}"),
    })?;
    parse_stack(&file, &text)
}

/// Apply `MODEL.LAYER.FIELD=VALUE` (FIELD: size_kloc, density, owner,
/// shared) to the matching stacks; `*` as MODEL applies to every model that
/// has the layer.
pub fn apply_override(stacks: &mut [Stack], spec: &str) -> Result<(), String> {
    let (path, value) = spec
        .split_once('=')
        .ok_or_else(|| format!("override '{spec}' is not MODEL.LAYER.FIELD=VALUE"))?;
    let parts: Vec<&str> = path.split('.').collect();
    let [model, layer, field] = parts[..] else {
        return Err(format!("override '{spec}' is not MODEL.LAYER.FIELD=VALUE"));
    };
    let mut hits = 0;
    for stack in stacks
        .iter_mut()
        .filter(|s| model == "*" || s.name == model)
    {
        let stack_name = stack.name.clone();
        let Some(l) = stack.layer_mut(layer) else {
            continue;
        };
        hits += 1;
        if l.kernel_reach && matches!(field, "size_kloc" | "density") {
            return Err(format!(
                "override '{spec}': the {} layer of {} is measured from the CVE data and the reference workload (density_from = \"kernel-reach\"); it has no {field} to set",
                l.name, stack_name
            ));
        }
        let number = || -> Result<f64, String> {
            value
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| format!("override '{spec}': {field} must be a number ≥ 0"))
        };
        match field {
            "size_kloc" => l.size_kloc = number()?,
            "density" => l.density = number()?,
            "owner" => {
                l.owner = match value {
                    "tenant" => crate::stack::Owner::Tenant,
                    "provider" => crate::stack::Owner::Provider,
                    _ => return Err(format!("override '{spec}': owner is tenant or provider")),
                }
            }
            "shared" => {
                l.shared = value
                    .parse()
                    .map_err(|_| format!("override '{spec}': shared is true or false"))?
            }
            _ => {
                return Err(format!(
                "override '{spec}': unknown field '{field}' (size_kloc, density, owner, shared)"
            ))
            }
        }
    }
    if hits == 0 {
        return Err(format!(
            "override '{spec}': no model '{model}' with a layer '{layer}'"
        ));
    }
    Ok(())
}
