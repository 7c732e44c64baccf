//! The one way a subcommand loads the seccomp profile it is given
//! (`--profile`, `--vs`): a file that holds exactly one profile, in any
//! format aprof reads, or `docker-default` for Docker's built-in one;
//! fields its format does not have are warned about, or refused by `--strict`.

use anyhow::bail;
use aprof_guard::profile::{self, EvalContext, LoadedProfile, ProfileFormat};
use std::path::Path;

/// The name of Docker's built-in profile (a file of that name wins).
pub const DOCKER_DEFAULT: &str = "docker-default";

/// Load `spec`, evaluated for `ctx`; fields its format does not have are
/// warned about on stderr (refused with `ctx.strict`).
pub fn load_one(spec: &Path, ctx: &EvalContext) -> anyhow::Result<LoadedProfile> {
    if spec == Path::new(DOCKER_DEFAULT) && !spec.exists() {
        return Ok(profile::docker_default(ctx)?);
    }
    let mut loaded = profile::load_file(spec, ProfileFormat::Auto, ctx)?;
    if loaded.len() != 1 {
        bail!(
            "{}: holds {} profiles; give a file with one",
            spec.display(),
            loaded.len()
        );
    }
    let loaded = loaded.remove(0);
    warn_ignored(&loaded);
    Ok(loaded)
}

/// [`load_one`] with Docker's default capabilities and the running kernel.
pub fn load_one_for_docker_defaults(spec: &Path, strict: bool) -> anyhow::Result<LoadedProfile> {
    let ctx = EvalContext::docker_defaults()
        .map_err(anyhow::Error::msg)?
        .with_strict(strict);
    load_one(spec, &ctx)
}

/// One warning per field the profile's format does not have: skipped, as
/// the runtimes that read the format skip it.
pub fn warn_ignored(loaded: &LoadedProfile) {
    for field in &loaded.ignored_fields {
        eprintln!(
            "aprof: warning: {}: {field}; skipped (--strict refuses it)",
            loaded.name
        );
    }
}
