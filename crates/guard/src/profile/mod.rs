//! Seccomp profiles in the formats people use, evaluated to a
//! [`crate::Policy`]:
//! - OCI runtime-spec `linux.seccomp`, alone or inside a whole `config.json`
//!   ([`oci`], with the `oci-spec` crate's types);
//! - Docker's superset format with `archMap` and `includes`/`excludes` by
//!   capability, architecture and minimum kernel ([`docker`]), evaluated for
//!   a capability set and kernel version into an OCI profile, as moby does;
//! - Kubernetes Security Profiles Operator `SeccompProfile` resources
//!   ([`spo`]), one policy per YAML document;
//! - Firecracker's seccompiler JSON ([`seccompiler`]), one policy per
//!   thread filter, with seccompiler's own semantics (see there).
//!
//! Semantics (those of runc on libseccomp, on an x86_64 host):
//! - The filter always covers the native ABI (x86_64) plus every x86 ABI in
//!   `architectures` (`SCMP_ARCH_X86` = i386, `SCMP_ARCH_X32` = x32). Other
//!   known architectures are ignored with a note; an unknown name is an
//!   error. A syscall of an uncovered ABI gets libseccomp's default
//!   bad-arch action, kill-thread.
//! - A syscall name is resolved per ABI; where an ABI lacks it, the rule
//!   does not apply there (silently, like libseccomp). A name that no
//!   architecture's table knows at all is reported in
//!   [`LoadedProfile::unknown_syscalls`] for a warning, and skipped.
//! - Conditions within one syscall entry are AND'd, unless two of them test
//!   the same argument: then, as runc does, each condition becomes a rule of
//!   its own. Rules of one syscall are OR'd; see
//!   [`crate::AbiPolicy::add_rule`] for the precedence of unconditional rules
//!   and of rules whose action equals the default.
//! - `SCMP_CMP_MASKED_EQ` takes the mask in `value` and compares with
//!   `valueTwo`: `(arg & value) == valueTwo`.
//! - `errnoRet` defaults to EPERM for `SCMP_ACT_ERRNO` and `SCMP_ACT_TRACE`.
//! - Not modelled: runc answers ENOSYS instead of an errno/kill default for
//!   syscalls newer than every one the profile names; such a syscall is
//!   blocked either way, only the errno differs.

pub mod docker;
pub mod fields;
pub mod oci;
pub mod seccompiler;
pub mod spo;

use crate::policy::Policy;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// Whether any architecture's syscall table names `name`, with or without
/// a number there (the tables list every name on every architecture).
pub fn is_known_syscall_name(name: &str) -> bool {
    static NAMES: std::sync::OnceLock<BTreeSet<&'static str>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        [
            include_str!("../../../../data/syscalls/syscalls-x86_64"),
            include_str!("../../../../data/syscalls/syscalls-i386"),
            include_str!("../../../../data/syscalls/syscalls-arm64"),
        ]
        .iter()
        .flat_map(|t| t.lines())
        .filter_map(|l| l.split('\t').next())
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect()
    });
    names.contains(name)
}

/// Docker's default profile (moby/profiles, Apache-2.0), the usual reference.
pub const DOCKER_DEFAULT_JSON: &str = include_str!("../../../../data/profiles/docker-default.json");

/// The capabilities Docker grants a container by default.
pub const DOCKER_DEFAULT_CAPS: [&str; 14] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
];

/// The format of a profile file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProfileFormat {
    /// OCI runtime-spec `linux.seccomp`, or a whole `config.json`.
    Oci,
    /// Docker's superset of the OCI format.
    Docker,
    /// A Kubernetes Security Profiles Operator `SeccompProfile` (YAML).
    Spo,
    /// Firecracker's seccompiler JSON (one filter per thread kind).
    Seccompiler,
    /// Decide from the content.
    Auto,
}

impl FromStr for ProfileFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "oci" => Ok(ProfileFormat::Oci),
            "docker" | "moby" => Ok(ProfileFormat::Docker),
            "spo" | "k8s" | "seccompprofile" => Ok(ProfileFormat::Spo),
            "seccompiler" | "firecracker" => Ok(ProfileFormat::Seccompiler),
            "auto" => Ok(ProfileFormat::Auto),
            other => Err(format!(
                "unknown profile format '{other}' (expected oci, docker, spo, seccompiler or auto)"
            )),
        }
    }
}

impl fmt::Display for ProfileFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProfileFormat::Oci => "oci",
            ProfileFormat::Docker => "docker",
            ProfileFormat::Spo => "spo",
            ProfileFormat::Seccompiler => "seccompiler",
            ProfileFormat::Auto => "auto",
        })
    }
}

pub use aprof_footprint::KernelVersion;

/// What a profile is evaluated for: the capabilities and kernel of
/// Docker's `includes`/`excludes` (the kernel also decides which syscalls
/// bypass the filter, [`crate::prefilter`]), and how strictly it is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvalContext {
    /// Capabilities in the bounding set, as `CAP_NAME`.
    pub caps: BTreeSet<String>,
    pub kernel: KernelVersion,
    /// Refuse a profile with a field its format does not have, instead of
    /// skipping it with a warning ([`LoadedProfile::ignored_fields`]).
    pub strict: bool,
}

impl EvalContext {
    /// Docker's 14 default capabilities and this kernel.
    pub fn docker_defaults() -> Result<EvalContext, String> {
        Ok(EvalContext::new(
            DOCKER_DEFAULT_CAPS.iter().map(|c| c.to_string()).collect(),
            KernelVersion::running()?,
        ))
    }

    pub fn new(caps: BTreeSet<String>, kernel: KernelVersion) -> EvalContext {
        EvalContext {
            caps,
            kernel,
            strict: false,
        }
    }

    /// The same, refusing unknown fields when `strict`.
    pub fn with_strict(self, strict: bool) -> EvalContext {
        EvalContext { strict, ..self }
    }
}

/// Parse a comma-separated capability list: `CHOWN,cap_kill`, `all` (every
/// capability), or empty (none). Names are checked against the kernel's.
pub fn parse_caps(list: &str) -> Result<BTreeSet<String>, String> {
    let mut caps = BTreeSet::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if item.eq_ignore_ascii_case("all") {
            caps.extend(ALL_CAPS.iter().map(|c| format!("CAP_{c}")));
            continue;
        }
        let upper = item.to_ascii_uppercase();
        let bare = upper.strip_prefix("CAP_").unwrap_or(&upper);
        if !ALL_CAPS.contains(&bare) {
            return Err(format!("unknown capability '{item}'"));
        }
        caps.insert(format!("CAP_{bare}"));
    }
    Ok(caps)
}

/// Every capability of Linux up to 6.x, without the `CAP_` prefix.
const ALL_CAPS: [&str; 41] = [
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
];

/// One profile evaluated to a policy.
#[derive(Debug, Clone, Serialize)]
pub struct LoadedProfile {
    /// The file (and, for SPO, the resource name) it came from.
    pub name: String,
    pub format: ProfileFormat,
    pub policy: Policy,
    /// Things ignored or assumed on the way (non-x86 architectures, ...).
    pub notes: Vec<String>,
    /// Names in no syscall table at all (neither x86 nor another
    /// architecture's), in order of first appearance; skipped.
    pub unknown_syscalls: Vec<String>,
    /// Fields the format does not have, skipped, as `path: why`
    /// (`syscalls[2].frobnicate: not a field of Docker's format`).
    pub ignored_fields: Vec<String>,
}

/// Why a profile could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("{origin}: {source}")]
    Io {
        origin: String,
        source: std::io::Error,
    },
    /// Malformed JSON or YAML, or a field of the wrong type or value.
    #[error("{origin}:{line}:{column}: {}{message}", field_prefix(.field))]
    Syntax {
        origin: String,
        line: usize,
        column: usize,
        /// Path of the offending field, e.g. `syscalls[3].action`.
        field: String,
        message: String,
    },
    /// Well-formed but meaningless (index 7, both `name` and `names`, ...).
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
}

fn field_prefix(field: &str) -> String {
    // serde_path_to_error marks a position it cannot name with `?`.
    let field = field.trim_end_matches('?').trim_end_matches('.');
    if field.is_empty() || field == "." {
        String::new()
    } else {
        format!("field '{field}': ")
    }
}

impl ProfileError {
    pub(crate) fn invalid(origin: &str, message: impl Into<String>) -> ProfileError {
        ProfileError::Invalid {
            origin: origin.to_string(),
            message: message.into(),
        }
    }
}

/// Deserialize JSON, naming the line, column and field of an error.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    text: &str,
    origin: &str,
) -> Result<T, ProfileError> {
    Ok(from_json_lenient(text, origin)?.0)
}

/// [`from_json`], also returning the paths of the fields `T` does not have
/// (`syscalls[3].frobnicate`), which were skipped.
pub(crate) fn from_json_lenient<T: serde::de::DeserializeOwned>(
    text: &str,
    origin: &str,
) -> Result<(T, Vec<String>), ProfileError> {
    let syntax = |field: String, inner: serde_json::Error| {
        let (line, column) = (inner.line(), inner.column());
        ProfileError::Syntax {
            origin: origin.to_string(),
            line,
            column,
            field,
            message: strip_location(&inner.to_string(), line, column),
        }
    };
    let mut ignored = Vec::new();
    let mut de = serde_json::Deserializer::from_str(text);
    let mut note = |path: serde_ignored::Path| ignored.push(path_text(&path));
    let value =
        serde_path_to_error::deserialize(serde_ignored::Deserializer::new(&mut de, &mut note))
            .map_err(|e| {
                let field = e.path().to_string();
                syntax(field, e.into_inner())
            })?;
    de.end().map_err(|e| syntax(String::new(), e))?;
    Ok((value, ignored))
}

/// Deserialize one YAML document value, naming line, column and field;
/// also returns the paths of skipped unknown fields.
pub(crate) fn from_yaml<'de, T: serde::Deserialize<'de>>(
    de: serde_norway::Deserializer<'de>,
    origin: &str,
) -> Result<(T, Vec<String>), ProfileError> {
    let mut ignored = Vec::new();
    let mut note = |path: serde_ignored::Path| ignored.push(path_text(&path));
    let value = serde_path_to_error::deserialize(serde_ignored::Deserializer::new(de, &mut note))
        .map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        let (line, column) = inner.location().map_or((0, 0), |l| (l.line(), l.column()));
        let message = strip_location(&inner.to_string(), line, column);
        ProfileError::Syntax {
            origin: origin.to_string(),
            line,
            column,
            field,
            message,
        }
    })?;
    Ok((value, ignored))
}

/// A field path as errors name it: `syscalls[3].errno`.
fn path_text(path: &serde_ignored::Path) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", path_text(parent)),
        Path::Map { parent, key } => match path_text(parent) {
            p if p.is_empty() => key.clone(),
            p => format!("{p}.{key}"),
        },
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => path_text(parent),
    }
}

/// serde's messages end in " at line L column C", which we print up front.
fn strip_location(message: &str, line: usize, column: usize) -> String {
    let location = format!(" at line {line} column {column}");
    let message = message.replacen(&location, "", 1);
    let message = message.as_str();
    // serde_norway prefixes the path it knows; we print our own.
    match message.split_once(": ") {
        Some((head, rest)) if !head.contains(' ') && head.contains(['.', '[']) => rest.to_string(),
        _ => message.to_string(),
    }
}

/// Read a profile file and evaluate it. SPO files may hold several
/// profiles; the others give exactly one.
pub fn load_file(
    path: &Path,
    format: ProfileFormat,
    ctx: &EvalContext,
) -> Result<Vec<LoadedProfile>, ProfileError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Io {
        origin: origin.clone(),
        source,
    })?;
    load_str(&text, &origin, format, ctx)
}

/// Evaluate a profile given as text; `origin` names it in errors.
pub fn load_str(
    text: &str,
    origin: &str,
    format: ProfileFormat,
    ctx: &EvalContext,
) -> Result<Vec<LoadedProfile>, ProfileError> {
    let format = match format {
        ProfileFormat::Auto => detect_format(text, origin)?,
        f => f,
    };
    let mut loaded = match format {
        ProfileFormat::Oci => vec![oci::load_str(text, origin)?],
        ProfileFormat::Docker => vec![docker::load_str(text, origin, ctx)?],
        ProfileFormat::Spo => spo::load_str(text, origin)?,
        ProfileFormat::Seccompiler => seccompiler::load_str(text, origin)?,
        ProfileFormat::Auto => return Err(ProfileError::invalid(origin, "format not detected")),
    };
    for profile in &mut loaded {
        if ctx.strict {
            if let Some(field) = profile.ignored_fields.first() {
                return Err(ProfileError::invalid(
                    &profile.name,
                    format!("{field} (refused by --strict; without it the field is skipped)"),
                ));
            }
        }
        profile.apply_kernel(ctx);
    }
    Ok(loaded)
}

/// Docker's default profile evaluated for `ctx`.
pub fn docker_default(ctx: &EvalContext) -> Result<LoadedProfile, ProfileError> {
    let mut loaded = docker::load_str(DOCKER_DEFAULT_JSON, "docker-default", ctx)?;
    loaded.apply_kernel(ctx);
    Ok(loaded)
}

impl LoadedProfile {
    /// What the kernel of `ctx` makes of the filter: the syscalls it lets
    /// through before any filter runs ([`crate::prefilter`]).
    fn apply_kernel(&mut self, ctx: &EvalContext) {
        let notes = crate::prefilter::apply(&mut self.policy, &ctx.kernel);
        self.notes.extend(notes);
    }
}

/// `path: not a field of FORMAT` for each skipped field path.
pub(crate) fn not_fields_of(paths: Vec<String>, format: &str) -> Vec<String> {
    paths
        .into_iter()
        .map(|p| format!("{p}: not a field of {format}"))
        .collect()
}

/// Tell the format from the content: SPO is YAML with
/// `kind: SeccompProfile`; a JSON object with `ociVersion`/`linux` is a
/// `config.json`; Docker's format is recognised by `archMap` or by syscall
/// entries with `name`, `includes`, `excludes` or `comment`; anything else
/// with `defaultAction` is an OCI seccomp object; an object of objects with
/// `filter` is seccompiler's.
pub fn detect_format(text: &str, origin: &str) -> Result<ProfileFormat, ProfileError> {
    let trimmed = text.trim_start();
    if !trimmed.starts_with(['{', '[']) {
        // Not JSON: YAML, and the SPO parser points at what is wrong.
        return Ok(ProfileFormat::Spo);
    }
    let value: serde_json::Value = from_json(text, origin)?;
    let Some(object) = value.as_object() else {
        return Err(ProfileError::invalid(origin, "not a JSON object"));
    };
    if object.contains_key("ociVersion") || object.contains_key("linux") {
        return Ok(ProfileFormat::Oci);
    }
    if fields::docker_only_key(&value, false).is_some() {
        return Ok(ProfileFormat::Docker);
    }
    if object.contains_key("defaultAction") {
        return Ok(ProfileFormat::Oci);
    }
    if !object.is_empty() && object.values().all(|v| v.get("filter").is_some()) {
        return Ok(ProfileFormat::Seccompiler);
    }
    Err(ProfileError::invalid(
        origin,
        "not a seccomp profile: no 'defaultAction' (use --format to say which format it is)",
    ))
}
