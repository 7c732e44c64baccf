//! Kernel bug density: where Linux bugs have been (embedded CVE data), which
//! kernel subsystems a footprint reaches, and which known bugs are still
//! unfixed in a given kernel.
