//! Recorders: run or attach to a workload and produce its [`Footprint`].
//!
//! Every recorder here fills the same [`aprof_footprint::Footprint`], so the
//! later stages do not care which one ran.

pub mod decode;
pub mod strace_import;

pub use aprof_footprint::Footprint;
