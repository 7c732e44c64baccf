//! The rest of a process's containment: capabilities, NoNewPrivs,
//! namespaces, user-namespace mapping, LSM label, cgroup, and the runtime.

/// Everything that contains a process besides seccomp.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Containment {}

/// Inspect process `pid`, or this process when `None`.
pub fn inspect(_pid: Option<i32>) -> std::io::Result<Containment> {
    Err(std::io::Error::other(
        "containment inspection is not implemented yet",
    ))
}

impl Containment {
    /// A human-readable table.
    pub fn to_table(&self) -> String {
        String::new()
    }
}
