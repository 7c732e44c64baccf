//! Kubernetes Security Profiles Operator `SeccompProfile` resources (YAML,
//! possibly several documents in one file). Each resource's `spec` is an
//! OCI seccomp profile in Kubernetes dress; it is converted to one and
//! evaluated by [`super::oci::evaluate`]. Documents of other kinds are
//! skipped with a note.

use super::fields::{Dialect, ProfileFields};
use super::oci::evaluate;
use super::{from_yaml, not_fields_of, LoadedProfile, ProfileError, ProfileFormat};
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
pub type SpoSpec = ProfileFields;

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
        let (resource, _): (Option<Resource>, _) = from_yaml(doc, origin)?;
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
        let (typed, unknown): (TypedResource, Vec<String>) = from_yaml(typed_doc, origin)?;
        let Some(spec) = typed.spec else {
            return Err(ProfileError::invalid(&label, "SeccompProfile without spec"));
        };
        let mut loaded = evaluate_spec(&spec, &label)?;
        // Only the spec is read; the rest of the resource is Kubernetes'.
        let unknown = unknown
            .into_iter()
            .filter(|p| p.starts_with("spec."))
            .collect();
        loaded
            .ignored_fields
            .splice(0..0, not_fields_of(unknown, "a SeccompProfile"));
        profiles.push(loaded);
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
    let foreign: Vec<String> = spec
        .foreign_fields(Dialect::Spo)
        .into_iter()
        .map(|f| format!("spec.{f}"))
        .collect();
    let spec = spec.clone().without_foreign(Dialect::Spo);
    let mut syscalls = Vec::new();
    for (i, call) in spec.syscalls.iter().flatten().enumerate() {
        let names = call.names.clone().unwrap_or_default();
        syscalls.push(
            call.to_oci(names)
                .map_err(|e| invalid(format!("syscalls[{i}]: {e}")))?,
        );
    }
    let seccomp = spec
        .to_oci(spec.architectures.clone().unwrap_or_default(), syscalls)
        .map_err(invalid)?;
    let mut loaded = evaluate(&seccomp, label, ProfileFormat::Spo, notes)?;
    loaded.ignored_fields = foreign;
    Ok(loaded)
}
