//! Kubernetes Security Profiles Operator `SeccompProfile` resources (YAML,
//! possibly several documents in one file). Each resource's `spec` is an
//! OCI seccomp profile in Kubernetes dress; it is converted to one and
//! evaluated by [`super::oci::evaluate`]. Documents of other kinds are
//! skipped with a note.

use super::oci::evaluate;
use super::{from_yaml, LoadedProfile, ProfileError, ProfileFormat};
use oci_spec::runtime::{
    Arch, LinuxSeccompAction, LinuxSeccompArgBuilder, LinuxSeccompBuilder, LinuxSeccompFilterFlag,
    LinuxSeccompOperator, LinuxSyscallBuilder,
};
use serde::Deserialize;

/// A Kubernetes resource; only what a `SeccompProfile` needs is read.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub metadata: Option<Metadata>,
    #[serde(default)]
    pub spec: Option<serde_norway::Value>,
}

#[derive(Debug, Deserialize)]
pub struct Metadata {
    #[serde(default)]
    pub name: Option<String>,
}

/// `SeccompProfile.spec`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpoSpec {
    pub default_action: LinuxSeccompAction,
    #[serde(default)]
    pub default_errno_ret: Option<u32>,
    #[serde(default)]
    pub architectures: Option<Vec<Arch>>,
    #[serde(default)]
    pub syscalls: Option<Vec<SpoSyscall>>,
    #[serde(default)]
    pub flags: Option<Vec<LinuxSeccompFilterFlag>>,
    #[serde(default)]
    pub listener_path: Option<String>,
    #[serde(default)]
    pub listener_metadata: Option<String>,
    /// Another profile this one extends; not resolved here.
    #[serde(default)]
    pub base_profile_name: Option<String>,
    #[serde(default)]
    pub disabled: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SpoSyscall {
    #[serde(default)]
    pub names: Vec<String>,
    pub action: LinuxSeccompAction,
    #[serde(default)]
    pub errno_ret: Option<u32>,
    #[serde(default)]
    pub args: Option<Vec<SpoArg>>,
}

/// An argument comparison; Kubernetes omits zero values.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SpoArg {
    pub index: usize,
    #[serde(default)]
    pub value: u64,
    #[serde(default)]
    pub value_two: Option<u64>,
    pub op: LinuxSeccompOperator,
}

/// A `SeccompProfile` read with its typed spec, so errors keep positions.
#[derive(Debug, Deserialize)]
struct TypedResource {
    spec: Option<SpoSpec>,
}

/// Every `SeccompProfile` in a YAML file, evaluated.
pub fn load_str(text: &str, origin: &str) -> Result<Vec<LoadedProfile>, ProfileError> {
    let mut profiles = Vec::new();
    let mut skipped = Vec::new();
    // First pass: which documents are SeccompProfiles; second: read those
    // with their typed spec straight from the text, so errors name the line.
    let typed_docs = serde_norway::Deserializer::from_str(text);
    for (doc_index, (doc, typed_doc)) in serde_norway::Deserializer::from_str(text)
        .zip(typed_docs)
        .enumerate()
    {
        let resource: Option<Resource> = from_yaml(doc, origin)?;
        let Some(resource) = resource else { continue };
        if resource.kind.as_deref() != Some("SeccompProfile") {
            skipped.push(format!(
                "skipped YAML document {doc_index}: kind {} is not SeccompProfile",
                resource.kind.as_deref().unwrap_or("(none)")
            ));
            continue;
        }
        let name = resource
            .metadata
            .and_then(|m| m.name)
            .unwrap_or_else(|| format!("document {doc_index}"));
        let label = format!("{origin} ({name})");
        let typed: TypedResource = from_yaml(typed_doc, origin)?;
        let Some(spec) = typed.spec else {
            return Err(ProfileError::invalid(&label, "SeccompProfile without spec"));
        };
        profiles.push(evaluate_spec(&spec, &label)?);
    }
    if profiles.is_empty() {
        return Err(ProfileError::invalid(
            origin,
            "no SeccompProfile resource in this YAML",
        ));
    }
    profiles[0].notes.extend(skipped);
    Ok(profiles)
}

/// Evaluate one `SeccompProfile` spec.
pub fn evaluate_spec(spec: &SpoSpec, label: &str) -> Result<LoadedProfile, ProfileError> {
    let invalid = |m: String| ProfileError::invalid(label, m);
    let mut notes = Vec::new();
    if let Some(base) = &spec.base_profile_name {
        notes.push(format!(
            "baseProfileName '{base}' is not resolved: only this profile's own rules count"
        ));
    }
    if spec.disabled == Some(true) {
        notes.push("the profile is marked disabled".into());
    }
    let mut syscalls = Vec::new();
    for (i, call) in spec.syscalls.iter().flatten().enumerate() {
        let mut args = Vec::new();
        for arg in call.args.iter().flatten() {
            let mut b = LinuxSeccompArgBuilder::default()
                .index(arg.index)
                .value(arg.value)
                .op(arg.op);
            if let Some(two) = arg.value_two {
                b = b.value_two(two);
            }
            args.push(
                b.build()
                    .map_err(|e| invalid(format!("syscalls[{i}]: {e}")))?,
            );
        }
        let mut b = LinuxSyscallBuilder::default()
            .names(call.names.clone())
            .action(call.action)
            .args(args);
        if let Some(errno) = call.errno_ret {
            b = b.errno_ret(errno);
        }
        syscalls.push(
            b.build()
                .map_err(|e| invalid(format!("syscalls[{i}]: {e}")))?,
        );
    }
    let mut b = LinuxSeccompBuilder::default()
        .default_action(spec.default_action)
        .architectures(spec.architectures.clone().unwrap_or_default())
        .syscalls(syscalls);
    if let Some(errno) = spec.default_errno_ret {
        b = b.default_errno_ret(errno);
    }
    let seccomp = b.build().map_err(|e| invalid(e.to_string()))?;
    evaluate(&seccomp, label, ProfileFormat::Spo, notes)
}
