//! Guards: what the seccomp filters, capabilities, namespaces and LSMs around
//! a workload still let it reach. This gives the *exposed* attack profile.

pub mod bpf;
pub mod containment;
pub mod install;
pub mod live;
pub mod policy;
pub mod prefilter;
pub mod profile;

pub use policy::{AbiPolicy, Action, ArgCondition, CmpOp, NumberRange, Policy, Rule};
pub mod export;
pub mod generate;
pub mod report;
pub mod supervise;
