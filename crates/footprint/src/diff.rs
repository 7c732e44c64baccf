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

/// Compare two footprints. Names of values are ignored in the comparison
/// (a decoder upgrade that names a value is not drift).
pub fn drift(baseline: &Footprint, current: &Footprint) -> Drift {
    let key = |r: &Reached| match r {
        Reached::Argument {
            syscall,
            index,
            value,
            ..
        } => Reached::Argument {
            syscall: syscall.clone(),
            index: *index,
            label: String::new(),
            value: *value,
            value_name: None,
        },
        Reached::Ioctl { class, request, .. } => Reached::Ioctl {
            class: class.clone(),
            request: *request,
            request_name: None,
        },
        other => other.clone(),
    };
    let base = reached(baseline);
    let cur = reached(current);
    let base_keys: BTreeSet<Reached> = base.iter().map(key).collect();
    let cur_keys: BTreeSet<Reached> = cur.iter().map(key).collect();
    Drift {
        added: cur
            .into_iter()
            .filter(|r| !base_keys.contains(&key(r)))
            .collect(),
        removed: base
            .into_iter()
            .filter(|r| !cur_keys.contains(&key(r)))
            .collect(),
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
