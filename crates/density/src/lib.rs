//! Kernel bug density: where Linux bugs have been (embedded CVE data), which
//! kernel subsystems a footprint reaches, and which known bugs are still
//! unfixed in a given kernel.
//!
//! - [`Dataset`]: the kernel CVE records (embedded, or rebuilt by
//!   [`vulns::rebuild`] from the kernel's `vulns` repository).
//! - [`SubsystemMap`] and [`reach_of_footprint`]: syscall + object class ->
//!   kernel subsystems, with the evidence for each.
//! - [`DensityTable`]: CVE fixes per year per subsystem, with a separate
//!   decay-weighted index; [`RateTable`]: the CVE fixes per year of a reach.
//! - [`unfixed_cves`]: the patch-level check, per stable branch
//!   ([`affected`]: which versions each CVE affects).
//!
//! The formulas are written down in `docs/density.md`.

pub mod affected;
mod dataset;
mod date;
mod releases;

pub use affected::{AffectedVersions, VersionTable};
pub use aprof_footprint::kernel::{KernelRelease, KernelVersion, ReleaseKind, VersionError};
pub use dataset::{
    bucket_of, user_data_path, versions_path_for, CveRecord, DataError, DataSource, Dataset,
    DatasetInfo, Origin, USER_DATA_FILE,
};
pub use date::{Date, DAYS_PER_YEAR};
pub use releases::ReleaseTable;

pub mod mapping;
pub use mapping::{
    reach_of_footprint, subsystems_of_footprint, Evidence, GatedReach, MapFiles, ObjectRule, Reach,
    ReachOptions, SubsystemMap, SyscallMapping, Unmapped, Via,
};

pub mod units;
pub use units::{Gate, GateState, Groups, Privileges, Scope, UserNamespaces};

pub mod density;
pub mod functions;
pub mod measures;
pub mod patch;
pub use density::{
    covered_units, decay_weight, reach_matcher, CveTerm, DensityParams, DensityTable, GatedTerm,
    RateTable, RateTerm, ReachRate, SubsystemDensity, UNIT, UNIT_NOTE,
};
pub use patch::{
    is_unfixed_by_mainline, is_unfixed_in, unfixed_cves, unfixed_cves_matching, PatchLevel,
    UnfixedCve,
};

pub mod vulns;
pub use vulns::{parse_cve_json, rebuild, UpdateReport};
