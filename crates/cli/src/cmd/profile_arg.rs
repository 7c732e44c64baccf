//! The one way a subcommand loads the seccomp profile it is given
//! (`--profile`, `--vs`): a file that holds exactly one profile, in any
//! format aprof reads, or `docker-default` for Docker's built-in one.

use anyhow::bail;
use aprof_guard::profile::{self, EvalContext, LoadedProfile, ProfileFormat};
use std::path::Path;

/// The name of Docker's built-in profile (a file of that name wins).
pub const DOCKER_DEFAULT: &str = "docker-default";

/// Load `spec`, evaluated for `ctx`.
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
    Ok(loaded.remove(0))
}

/// [`load_one`] with Docker's default capabilities and the running kernel.
pub fn load_one_for_docker_defaults(spec: &Path) -> anyhow::Result<LoadedProfile> {
    let ctx = EvalContext::docker_defaults().map_err(anyhow::Error::msg)?;
    load_one(spec, &ctx)
}
