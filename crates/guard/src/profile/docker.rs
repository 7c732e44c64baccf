//! Docker's (moby's) seccomp profile format: a superset of the OCI one with
//! `archMap`, the older single `name`, and syscall entries that apply only
//! `includes`/`excludes` certain capabilities, architectures (Go names such
//! as `amd64`) or a minimum kernel. Evaluated the way moby's
//! `setupSeccomp` does for an amd64 host, into an OCI profile, then by
//! [`super::oci::evaluate`].

use super::fields::{Dialect, ProfileFields, ProfileSyscall};
use super::oci::evaluate;
use super::{
    from_json_lenient, not_fields_of, EvalContext, KernelVersion, LoadedProfile, ProfileError,
    ProfileFormat,
};
use oci_spec::runtime::{Arch, LinuxSyscall};

/// The Go architecture name Docker's `arches` filters compare with.
const NATIVE_GOARCH: &str = "amd64";

/// A Docker seccomp profile (moby `profiles/seccomp.Seccomp`).
pub type DockerProfile = ProfileFields;

/// Read and evaluate a Docker profile for `ctx`.
pub fn load_str(
    text: &str,
    origin: &str,
    ctx: &EvalContext,
) -> Result<LoadedProfile, ProfileError> {
    let (profile, unknown): (DockerProfile, _) = from_json_lenient(text, origin)?;
    let mut loaded = evaluate_docker(&profile, origin, ctx)?;
    loaded
        .ignored_fields
        .splice(0..0, not_fields_of(unknown, "Docker's format"));
    Ok(loaded)
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
    call: &ProfileSyscall,
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
    let foreign = profile.foreign_fields(Dialect::Docker);
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
        let names = call
            .all_names()
            .map_err(|e| invalid(format!("{at}: {e}")))?;
        if !entry_applies(call, &at, ctx, origin)? {
            continue;
        }
        syscalls.push(
            call.to_oci(names)
                .map_err(|e| invalid(format!("{at}: {e}")))?,
        );
    }
    let seccomp = profile.to_oci(architectures, syscalls).map_err(invalid)?;
    let mut loaded = evaluate(&seccomp, origin, ProfileFormat::Docker, notes)?;
    loaded.ignored_fields = foreign;
    loaded.notes.push(format!(
        "evaluated for kernel {} and {} capabilities",
        ctx.kernel,
        ctx.caps.len()
    ));
    Ok(loaded)
}
