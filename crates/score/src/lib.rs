//! Scoring: stacks of layers with owners and densities, the deployment-model
//! catalogue, and the VAP/HAP profile with every term behind it.

pub mod catalogue;
pub mod profile;
pub mod stack;
pub mod workload;

pub use profile::{profile, Measure, Profile, Term};
pub use stack::{parse_stack, Layer, LayerKind, Owner, Stack, StackError};
