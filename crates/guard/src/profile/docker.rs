//! Docker's (moby's) seccomp profile format: a superset of the OCI one with
//! `archMap`, the older single `name`, and syscall entries that apply only
//! `includes`/`excludes` certain capabilities, architectures (Go names such
//! as `amd64`) or a minimum kernel. Evaluated the way moby's
//! `setupSeccomp` does for an amd64 host, into an OCI profile, then by
//! [`super::oci::evaluate`].

use super::oci::evaluate;
use super::{from_json, EvalContext, KernelVersion, LoadedProfile, ProfileError, ProfileFormat};
use oci_spec::runtime::{
    Arch, LinuxSeccompAction, LinuxSeccompArg, LinuxSeccompBuilder, LinuxSeccompFilterFlag,
    LinuxSyscall, LinuxSyscallBuilder,
};
use serde::Deserialize;

/// The Go architecture name Docker's `arches` filters compare with.
const NATIVE_GOARCH: &str = "amd64";

/// A Docker seccomp profile (moby `profiles/seccomp.Seccomp`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DockerProfile {
    pub default_action: LinuxSeccompAction,
    #[serde(default)]
    pub default_errno_ret: Option<u32>,
    #[serde(default)]
    pub architectures: Option<Vec<Arch>>,
    #[serde(default)]
    pub arch_map: Option<Vec<ArchMapEntry>>,
    #[serde(default)]
    pub syscalls: Option<Vec<DockerSyscall>>,
    #[serde(default)]
    pub listener_path: Option<String>,
    #[serde(default)]
    pub listener_metadata: Option<String>,
    #[serde(default)]
    pub flags: Option<Vec<LinuxSeccompFilterFlag>>,
}

/// An architecture and the sub-architectures that come with it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArchMapEntry {
    pub architecture: Arch,
    #[serde(default)]
    pub sub_architectures: Option<Vec<Arch>>,
}

/// One syscall entry, possibly conditional on the environment.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DockerSyscall {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub names: Option<Vec<String>>,
    pub action: LinuxSeccompAction,
    #[serde(default)]
    pub errno_ret: Option<u32>,
    #[serde(default)]
    pub args: Option<Vec<LinuxSeccompArg>>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub includes: Option<Filter>,
    #[serde(default)]
    pub excludes: Option<Filter>,
}

/// The environment an entry requires (`includes`) or rules out (`excludes`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Filter {
    #[serde(default)]
    pub caps: Option<Vec<String>>,
    #[serde(default)]
    pub arches: Option<Vec<String>>,
    #[serde(default)]
    pub min_kernel: Option<String>,
}

/// Read and evaluate a Docker profile for `ctx`.
pub fn load_str(
    text: &str,
    origin: &str,
    ctx: &EvalContext,
) -> Result<LoadedProfile, ProfileError> {
    let profile: DockerProfile = from_json(text, origin)?;
    evaluate_docker(&profile, origin, ctx)
}

/// Whether the running kernel is at least `min`, as moby compares.
fn kernel_at_least(
    min: &str,
    ctx: &EvalContext,
    field: &str,
    origin: &str,
) -> Result<bool, ProfileError> {
    // moby compares major.minor only, and accepts `6.8.0-31-generic`.
    let min = KernelVersion::parse_uname(min)
        .map_err(|e| ProfileError::invalid(origin, format!("{field}: {e}")))?;
    Ok(ctx.kernel.major_minor() >= min.major_minor())
}

/// Whether an entry applies in `ctx` (moby's include/exclude rules: any
/// excluded capability present, or any included one missing, drops it).
fn entry_applies(
    call: &DockerSyscall,
    at: &str,
    ctx: &EvalContext,
    origin: &str,
) -> Result<bool, ProfileError> {
    if let Some(ex) = &call.excludes {
        if ex.arches.iter().flatten().any(|a| a == NATIVE_GOARCH) {
            return Ok(false);
        }
        if ex.caps.iter().flatten().any(|c| ctx.caps.contains(c)) {
            return Ok(false);
        }
        if let Some(min) = &ex.min_kernel {
            if kernel_at_least(min, ctx, &format!("{at}.excludes.minKernel"), origin)? {
                return Ok(false);
            }
        }
    }
    if let Some(inc) = &call.includes {
        if let Some(arches) = &inc.arches {
            if !arches.is_empty() && !arches.iter().any(|a| a == NATIVE_GOARCH) {
                return Ok(false);
            }
        }
        if !inc.caps.iter().flatten().all(|c| ctx.caps.contains(c)) {
            return Ok(false);
        }
        if let Some(min) = &inc.min_kernel {
            if !kernel_at_least(min, ctx, &format!("{at}.includes.minKernel"), origin)? {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// Evaluate a parsed Docker profile: first into the OCI profile moby would
/// hand to runc, then into a policy.
pub fn evaluate_docker(
    profile: &DockerProfile,
    origin: &str,
    ctx: &EvalContext,
) -> Result<LoadedProfile, ProfileError> {
    let invalid = |m: String| ProfileError::invalid(origin, m);
    let arch_map = profile.arch_map.as_deref().unwrap_or_default();
    let listed = profile.architectures.as_deref().unwrap_or_default();
    if !arch_map.is_empty() && !listed.is_empty() {
        return Err(invalid(
            "both 'architectures' and 'archMap' are given; use one of them".into(),
        ));
    }
    let mut architectures: Vec<Arch> = listed.to_vec();
    for entry in arch_map {
        if entry.architecture == Arch::ScmpArchX86_64 {
            architectures.push(entry.architecture);
            architectures.extend(entry.sub_architectures.iter().flatten().copied());
        }
    }
    let mut notes = Vec::new();
    if !arch_map.is_empty() && architectures.is_empty() {
        notes.push("archMap has no SCMP_ARCH_X86_64 entry: only the native ABI is covered".into());
    }

    let mut syscalls: Vec<LinuxSyscall> = Vec::new();
    for (i, call) in profile.syscalls.iter().flatten().enumerate() {
        let at = format!("syscalls[{i}]");
        let names: Vec<String> = match (&call.name, &call.names) {
            (Some(_), Some(names)) if !names.is_empty() => {
                return Err(invalid(format!("{at}: use either 'name' or 'names'")))
            }
            (Some(name), _) => vec![name.clone()],
            (None, Some(names)) => names.clone(),
            (None, None) => Vec::new(),
        };
        if !entry_applies(call, &at, ctx, origin)? {
            continue;
        }
        let mut builder = LinuxSyscallBuilder::default()
            .names(names)
            .action(call.action)
            .args(call.args.clone().unwrap_or_default());
        if let Some(errno) = call.errno_ret {
            builder = builder.errno_ret(errno);
        }
        syscalls.push(builder.build().map_err(|e| invalid(format!("{at}: {e}")))?);
    }

    let mut builder = LinuxSeccompBuilder::default()
        .default_action(profile.default_action)
        .architectures(architectures)
        .syscalls(syscalls);
    if let Some(errno) = profile.default_errno_ret {
        builder = builder.default_errno_ret(errno);
    }
    let seccomp = builder.build().map_err(|e| invalid(e.to_string()))?;
    let mut loaded = evaluate(&seccomp, origin, ProfileFormat::Docker, notes)?;
    loaded.notes.push(format!(
        "evaluated for kernel {} and {} capabilities",
        ctx.kernel,
        ctx.caps.len()
    ));
    Ok(loaded)
}
