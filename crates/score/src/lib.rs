//! Scoring: stacks of layers with owners and densities, the deployment-model
//! catalogue, and the VAP/HAP profiles, of a model or of a recorded
//! workload, with every term behind them, in one unit (CVE fixes per year).
//!
//! - [`stack`]: the model files (`models/*.toml`) and their checks;
//! - [`measured`]: the model figures computed from the embedded data;
//! - [`guards`]: the guards and capability sets a model file may name;
//! - [`profile`]: a model's profile ([`Profile`], `aprof models`);
//! - [`workload`]: a recorded workload's profile ([`workload::WorkloadProfile`], `aprof score`);
//! - [`catalogue`]: the built-in models;
//! - [`functions`]: the function-level HAP of traced kernel functions, beside the syscall level.

pub mod catalogue;
pub mod functions;
pub mod guards;
pub mod measured;
pub mod profile;
pub mod stack;
pub mod workload;

pub use profile::{profile, Measure, Profile, Term, UNIT};
pub use stack::{parse_stack, Layer, LayerKind, Owner, Stack, StackError};
pub use workload::{score, Guard, Scored, UserDensity, WorkloadInputs, WorkloadProfile};
