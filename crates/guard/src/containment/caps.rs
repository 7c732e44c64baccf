//! Linux capabilities: the five sets of a process, decoded to names, with
//! the capabilities that are as good as full root flagged.

use serde::Serialize;

/// Capability names by bit number, as in `linux/capability.h` (0..=40).
const CAPABILITY_NAMES: [&str; 41] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

/// Capabilities that, held in the initial user namespace, let a process
/// take over the kernel or escape its container, with the reason why.
const PRIVILEGED_EQUIVALENT: [(&str, &str); 11] = [
    (
        "CAP_SYS_ADMIN",
        "mount, BPF, namespaces, device ioctls: root in all but name",
    ),
    (
        "CAP_SYS_PTRACE",
        "read and write the memory of any process it can see",
    ),
    (
        "CAP_SYS_MODULE",
        "load kernel modules: arbitrary kernel code",
    ),
    (
        "CAP_SYS_RAWIO",
        "raw I/O ports and /dev/mem: arbitrary kernel memory",
    ),
    (
        "CAP_DAC_READ_SEARCH",
        "open_by_handle_at: read files outside its mount namespace",
    ),
    (
        "CAP_NET_ADMIN",
        "configure the network stack: large kernel attack surface",
    ),
    (
        "CAP_BPF",
        "load BPF programs: a large verifier and JIT attack surface",
    ),
    (
        "CAP_PERFMON",
        "perf events on the kernel: kernel addresses and data",
    ),
    ("CAP_SYS_BOOT", "kexec_load: boot another kernel"),
    ("CAP_MAC_ADMIN", "change the LSM policy that confines it"),
    ("CAP_MAC_OVERRIDE", "bypass the LSM policy that confines it"),
];

/// The name of capability `bit`, or `cap_N` for bits this table predates.
pub fn capability_name(bit: u32) -> String {
    CAPABILITY_NAMES
        .get(bit as usize)
        .map(|name| name.to_string())
        .unwrap_or_else(|| format!("cap_{bit}"))
}

/// The names of every bit set in `mask`, lowest bit first.
pub fn decode_mask(mask: u64) -> Vec<String> {
    (0..64)
        .filter(|bit| mask & (1u64 << bit) != 0)
        .map(capability_name)
        .collect()
}

/// One capability set: its mask as the kernel prints it, and its names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CapabilitySet {
    /// 16 hex digits, as in `/proc/PID/status`.
    pub hex: String,
    pub names: Vec<String>,
}

impl CapabilitySet {
    pub fn from_mask(mask: u64) -> Self {
        CapabilitySet {
            hex: format!("{mask:016x}"),
            names: decode_mask(mask),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// A capability that grants near-root power, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrivilegedCapability {
    pub name: String,
    pub why: String,
}

/// The five capability sets of a process. A set is `None` when the kernel
/// does not report it (gVisor has no ambient set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Capabilities {
    pub effective: Option<CapabilitySet>,
    pub permitted: Option<CapabilitySet>,
    pub inheritable: Option<CapabilitySet>,
    pub bounding: Option<CapabilitySet>,
    pub ambient: Option<CapabilitySet>,
    /// Effective or permitted capabilities that are as good as root. They reach that far
    /// only over what the process's user namespace owns; see
    /// `in_initial_user_namespace`.
    pub privileged_equivalent: Vec<PrivilegedCapability>,
    /// Whether the process is in the initial user namespace, where its
    /// capabilities apply to the whole machine; `None` when unknown.
    pub in_initial_user_namespace: Option<bool>,
}

impl Capabilities {
    /// Build from the masks in `/proc/PID/status`.
    pub fn from_masks(
        effective: Option<u64>,
        permitted: Option<u64>,
        inheritable: Option<u64>,
        bounding: Option<u64>,
        ambient: Option<u64>,
        in_initial_user_namespace: Option<bool>,
    ) -> Self {
        // A permitted capability can be made effective at will.
        let usable = effective.unwrap_or(0) | permitted.unwrap_or(0);
        let usable_names = decode_mask(usable);
        let privileged_equivalent = PRIVILEGED_EQUIVALENT
            .iter()
            .filter(|(name, _)| usable_names.iter().any(|held| held == name))
            .map(|(name, why)| PrivilegedCapability {
                name: name.to_string(),
                why: why.to_string(),
            })
            .collect();
        Capabilities {
            effective: effective.map(CapabilitySet::from_mask),
            permitted: permitted.map(CapabilitySet::from_mask),
            inheritable: inheritable.map(CapabilitySet::from_mask),
            bounding: bounding.map(CapabilitySet::from_mask),
            ambient: ambient.map(CapabilitySet::from_mask),
            privileged_equivalent,
            in_initial_user_namespace,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cover_the_kernel_table() {
        assert_eq!(capability_name(0), "CAP_CHOWN");
        assert_eq!(capability_name(21), "CAP_SYS_ADMIN");
        assert_eq!(capability_name(40), "CAP_CHECKPOINT_RESTORE");
        assert_eq!(capability_name(41), "cap_41");
        assert_eq!(capability_name(63), "cap_63");
    }

    #[test]
    fn host_root_mask_decodes() {
        // Root on this host: everything up to bit 40 except CAP_SYS_RESOURCE.
        let names = decode_mask(0x1fffeffffff);
        assert_eq!(names.len(), 40);
        assert!(!names.contains(&"CAP_SYS_RESOURCE".to_string()));
        assert!(names.contains(&"CAP_CHECKPOINT_RESTORE".to_string()));
    }

    #[test]
    fn docker_default_is_not_privileged_equivalent() {
        // Docker's 14 default capabilities.
        let docker = 0x00000000a80425fb;
        let caps = Capabilities::from_masks(
            Some(docker),
            Some(docker),
            None,
            Some(docker),
            None,
            Some(true),
        );
        let effective = caps.effective.unwrap();
        assert_eq!(effective.names.len(), 14);
        assert!(effective
            .names
            .contains(&"CAP_NET_BIND_SERVICE".to_string()));
        assert!(caps.privileged_equivalent.is_empty());
    }

    #[test]
    fn sys_admin_is_flagged() {
        let caps = Capabilities::from_masks(Some(1 << 21), None, None, None, None, None);
        assert_eq!(caps.privileged_equivalent.len(), 1);
        assert_eq!(caps.privileged_equivalent[0].name, "CAP_SYS_ADMIN");
        assert_eq!(caps.effective.unwrap().hex, "0000000000200000");
        // Permitted but not effective still counts: it can be raised.
        let caps = Capabilities::from_masks(Some(0), Some(1 << 19), None, None, None, None);
        assert_eq!(caps.privileged_equivalent.len(), 1);
        assert_eq!(caps.privileged_equivalent[0].name, "CAP_SYS_PTRACE");
    }
}
