//! Seccomp profiles in the formats people use (OCI, Docker, SPO), evaluated
//! to a [`crate::Policy`].
