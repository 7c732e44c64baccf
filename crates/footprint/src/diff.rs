//! Drift between two footprints: what a new recording reaches that a
//! baseline did not (syscalls per ABI, argument values, kernel object
//! classes, ioctl requests), and what it no longer reaches.

use crate::{Abi, Footprint, ObjectClass};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One thing reached in a footprint, in a form that can be compared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reached {
    Syscall {
        abi: Abi,
        name: String,
    },
    /// Argument `index` of `syscall` took `value`.
    Argument {
        syscall: String,
        index: u8,
        label: String,
        value: u64,
        value_name: Option<String>,
    },
    Object {
        class: ObjectClass,
    },
    Ioctl {
        class: ObjectClass,
        request: u64,
        request_name: Option<String>,
    },
}

impl Reached {
    /// A short human description.
    pub fn describe(&self) -> String {
        match self {
            Reached::Syscall { abi, name } => format!("syscall {name} ({abi})"),
            Reached::Argument {
                syscall,
                index,
                label,
                value,
                value_name,
            } => {
                let v = value_name.clone().unwrap_or_else(|| format!("{value:#x}"));
                format!("{syscall} argument {index} ({label}) = {v}")
            }
            Reached::Object { class } => format!("object {}", describe_class(class)),
            Reached::Ioctl {
                class,
                request,
                request_name,
            } => {
                let r = request_name
                    .clone()
                    .unwrap_or_else(|| format!("{request:#x}"));
                format!("ioctl {r} on {}", describe_class(class))
            }
        }
    }

    /// A stable rule identifier for code-scanning tools.
    pub fn rule_id(&self) -> &'static str {
        match self {
            Reached::Syscall { .. } => "aprof/new-syscall",
            Reached::Argument { .. } => "aprof/new-argument-value",
            Reached::Object { .. } => "aprof/new-object-class",
            Reached::Ioctl { .. } => "aprof/new-ioctl",
        }
    }
}

/// A one-line name for an object class.
pub fn describe_class(class: &ObjectClass) -> String {
    match class {
        ObjectClass::File { fstype } => format!("file on {fstype}"),
        ObjectClass::Directory { fstype } => format!("directory on {fstype}"),
        ObjectClass::Pipe => "pipe".into(),
        ObjectClass::Socket {
            family,
            socket_type,
            protocol,
        } => format!("socket {family}/{socket_type}/{protocol}"),
        ObjectClass::AnonInode { name } => format!("anon inode {name}"),
        ObjectClass::CharDevice {
            major,
            minor,
            driver,
        } => format!("char device {major}:{minor} ({driver})"),
        ObjectClass::BlockDevice {
            major,
            minor,
            driver,
        } => format!("block device {major}:{minor} ({driver})"),
        ObjectClass::Other { description } => format!("other ({description})"),
    }
}

/// Everything a footprint reached, as a set.
pub fn reached(fp: &Footprint) -> BTreeSet<Reached> {
    let mut out = BTreeSet::new();
    for (abi, calls) in &fp.syscalls {
        for name in calls.keys() {
            out.insert(Reached::Syscall {
                abi: *abi,
                name: name.clone(),
            });
        }
    }
    for arg in fp.arguments.values() {
        for (value, use_) in &arg.values {
            out.insert(Reached::Argument {
                syscall: arg.syscall.clone(),
                index: arg.index,
                label: arg.label.clone(),
                value: *value,
                value_name: use_.name.clone(),
            });
        }
    }
    for obj in &fp.objects {
        out.insert(Reached::Object {
            class: obj.class.clone(),
        });
        for (request, use_) in &obj.ioctls {
            out.insert(Reached::Ioctl {
                class: obj.class.clone(),
                request: *request,
                request_name: use_.name.clone(),
            });
        }
    }
    out
}

/// The drift of `current` against `baseline`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    /// Reached now, not in the baseline: this is what fails a check.
    pub added: Vec<Reached>,
    /// In the baseline, not reached now: informational.
    pub removed: Vec<Reached>,
}

impl Drift {
    pub fn is_clean(&self) -> bool {
        self.added.is_empty()
    }

    /// Added items grouped by rule id, for summaries.
    pub fn added_by_rule(&self) -> BTreeMap<&'static str, usize> {
        let mut m = BTreeMap::new();
        for r in &self.added {
            *m.entry(r.rule_id()).or_default() += 1;
        }
        m
    }
}

/// What a recorder writes for a part of an object class it could not tell
/// (the strace importer cannot see filesystem types, nor the type of a
/// socket made before the trace).
pub const UNKNOWN: &str = "unknown";

/// Whether two parts agree: equal, or one of them unknown.
fn part_agrees(a: &str, b: &str) -> bool {
    a == b || a == UNKNOWN || b == UNKNOWN
}

/// Whether two object classes can be the same object class: equal up to
/// the parts either side does not know.
pub fn classes_agree(a: &ObjectClass, b: &ObjectClass) -> bool {
    use ObjectClass as C;
    match (a, b) {
        (C::File { fstype: x }, C::File { fstype: y })
        | (C::Directory { fstype: x }, C::Directory { fstype: y }) => part_agrees(x, y),
        (
            C::Socket {
                family: f1,
                socket_type: t1,
                protocol: p1,
            },
            C::Socket {
                family: f2,
                socket_type: t2,
                protocol: p2,
            },
        ) => part_agrees(f1, f2) && part_agrees(t1, t2) && part_agrees(p1, p2),
        _ => a == b,
    }
}

/// Whether `baseline` has something that `current` may be: the same item,
/// with names of values ignored (a decoder upgrade that names a value is
/// not drift) and unknown parts of object classes matching anything (a
/// recording compared with an import of the same run is not drift).
fn covered(item: &Reached, baseline: &[Reached]) -> bool {
    baseline.iter().any(|b| match (item, b) {
        (
            Reached::Argument {
                syscall,
                index,
                value,
                ..
            },
            Reached::Argument {
                syscall: s2,
                index: i2,
                value: v2,
                ..
            },
        ) => syscall == s2 && index == i2 && value == v2,
        (Reached::Object { class }, Reached::Object { class: c2 }) => classes_agree(class, c2),
        (
            Reached::Ioctl { class, request, .. },
            Reached::Ioctl {
                class: c2,
                request: r2,
                ..
            },
        ) => request == r2 && classes_agree(class, c2),
        (a, b) => a == b,
    })
}

/// Compare two footprints (see [`covered`] for what counts as the same).
pub fn drift(baseline: &Footprint, current: &Footprint) -> Drift {
    let base: Vec<Reached> = reached(baseline).into_iter().collect();
    let cur: Vec<Reached> = reached(current).into_iter().collect();
    Drift {
        added: cur.iter().filter(|r| !covered(r, &base)).cloned().collect(),
        removed: base.iter().filter(|r| !covered(r, &cur)).cloned().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Environment;

    fn fp(calls: &[u32]) -> Footprint {
        let mut f = Footprint::new(Environment::default());
        for &nr in calls {
            f.count_syscall(Abi::X86_64, nr, None, 0);
        }
        f
    }

    #[test]
    fn identical_footprints_do_not_drift() {
        let a = fp(&[0, 1, 257]);
        assert!(drift(&a, &a.clone()).is_clean());
    }

    #[test]
    fn a_new_syscall_argument_and_object_are_drift() {
        let base = fp(&[0, 1]);
        let mut cur = fp(&[0, 1, 41]);
        cur.count_argument("socket", 0, "family", 2, Some("AF_INET".into()));
        cur.count_object(ObjectClass::Pipe, "read").ioctls.insert(
            0x541b,
            crate::ValueUse {
                name: Some("FIONREAD".into()),
                count: 1,
            },
        );
        let d = drift(&base, &cur);
        assert_eq!(d.added.len(), 4, "{:?}", d.added);
        assert!(d.removed.is_empty());
        assert_eq!(d.added_by_rule()["aprof/new-syscall"], 1);
        assert!(d
            .added
            .iter()
            .any(|r| r.describe() == "ioctl FIONREAD on pipe"));
    }

    #[test]
    fn removed_items_do_not_fail_and_names_are_ignored() {
        let mut base = fp(&[0, 1, 2]);
        base.count_argument("fcntl", 1, "cmd", 3, None);
        let mut cur = fp(&[0, 1]);
        cur.count_argument("fcntl", 1, "cmd", 3, Some("F_GETFL".into()));
        let d = drift(&base, &cur);
        assert!(d.is_clean(), "{:?}", d.added);
        assert_eq!(d.removed.len(), 1);
    }

    #[test]
    fn unknown_parts_match_anything_else_nothing() {
        let mut base = fp(&[0]);
        base.count_object(
            ObjectClass::File {
                fstype: UNKNOWN.into(),
            },
            "read",
        );
        base.count_object(
            ObjectClass::Socket {
                family: "AF_INET".into(),
                socket_type: UNKNOWN.into(),
                protocol: "TCP".into(),
            },
            "read",
        );
        let mut cur = fp(&[0]);
        cur.count_object(
            ObjectClass::File {
                fstype: "ext4".into(),
            },
            "read",
        );
        cur.count_object(
            ObjectClass::Socket {
                family: "AF_INET".into(),
                socket_type: "SOCK_STREAM".into(),
                protocol: "TCP".into(),
            },
            "read",
        );
        assert!(drift(&base, &cur).is_clean());
        assert!(drift(&cur, &base).is_clean());
        // A directory is not a file, whatever the filesystems.
        cur.count_object(
            ObjectClass::Directory {
                fstype: "ext4".into(),
            },
            "getdents64",
        );
        assert_eq!(drift(&base, &cur).added.len(), 1);
        // A known part that differs is drift.
        cur.count_object(
            ObjectClass::Socket {
                family: "AF_INET6".into(),
                socket_type: "SOCK_STREAM".into(),
                protocol: "TCP".into(),
            },
            "read",
        );
        assert_eq!(drift(&base, &cur).added.len(), 2);
    }

    #[test]
    fn the_same_name_on_another_abi_is_drift() {
        let base = fp(&[0]);
        let mut cur = base.clone();
        cur.count_syscall(Abi::I386, 3, None, 0);
        assert_eq!(
            drift(&base, &cur).added,
            vec![Reached::Syscall {
                abi: Abi::I386,
                name: "read".into()
            }]
        );
    }
}
