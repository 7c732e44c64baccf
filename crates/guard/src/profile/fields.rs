//! The one field list of Docker's profile format and of a Kubernetes
//! `SeccompProfile.spec`: both are OCI's `linux.seccomp` plus additions,
//! and both are read with these types and turned into an OCI profile here.
//!
//! Docker adds `archMap`, a single `name` per entry, `comment` and
//! `includes`/`excludes`; SPO adds `baseProfileName` and `disabled`.
//! A field of the other format is refused with a message naming it, so that
//! it is never silently ignored. Arguments take Go's and Kubernetes' zero
//! value for an omitted `value`.

use oci_spec::runtime::{
    Arch, LinuxSeccomp, LinuxSeccompAction, LinuxSeccompArgBuilder, LinuxSeccompBuilder,
    LinuxSeccompFilterFlag, LinuxSeccompOperator, LinuxSyscall, LinuxSyscallBuilder,
};
use serde::Deserialize;

/// A profile in Docker's format, or an SPO `spec`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileFields {
    pub default_action: LinuxSeccompAction,
    #[serde(default)]
    pub default_errno_ret: Option<u32>,
    #[serde(default)]
    pub architectures: Option<Vec<Arch>>,
    /// Docker only: an architecture and the sub-architectures that come with it.
    #[serde(default)]
    pub arch_map: Option<Vec<ArchMapEntry>>,
    #[serde(default)]
    pub syscalls: Option<Vec<ProfileSyscall>>,
    #[serde(default)]
    pub flags: Option<Vec<LinuxSeccompFilterFlag>>,
    #[serde(default)]
    pub listener_path: Option<String>,
    #[serde(default)]
    pub listener_metadata: Option<String>,
    /// SPO only: another profile this one extends; not resolved here.
    #[serde(default)]
    pub base_profile_name: Option<String>,
    /// SPO only.
    #[serde(default)]
    pub disabled: Option<bool>,
}

/// An architecture and the sub-architectures that come with it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArchMapEntry {
    pub architecture: Arch,
    #[serde(default)]
    pub sub_architectures: Option<Vec<Arch>>,
}

/// One syscall entry.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileSyscall {
    /// Docker only: the older single name.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub names: Option<Vec<String>>,
    pub action: LinuxSeccompAction,
    #[serde(default)]
    pub errno_ret: Option<u32>,
    #[serde(default)]
    pub args: Option<Vec<ProfileArg>>,
    /// Docker only.
    #[serde(default)]
    pub comment: Option<String>,
    /// Docker only: the environment the entry requires.
    #[serde(default)]
    pub includes: Option<Filter>,
    /// Docker only: the environment that rules the entry out.
    #[serde(default)]
    pub excludes: Option<Filter>,
}

/// An argument comparison; an omitted `value` is 0.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileArg {
    pub index: usize,
    #[serde(default)]
    pub value: u64,
    #[serde(default)]
    pub value_two: Option<u64>,
    pub op: LinuxSeccompOperator,
}

/// Docker's `includes`/`excludes`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Filter {
    #[serde(default)]
    pub caps: Option<Vec<String>>,
    #[serde(default)]
    pub arches: Option<Vec<String>>,
    #[serde(default)]
    pub min_kernel: Option<String>,
}

/// The keys of a syscall entry that Docker's format has and OCI's lacks,
/// and whether ignoring one would change what the entry means (a
/// `comment` would not).
pub const DOCKER_ENTRY_KEYS: [(&str, bool); 4] = [
    ("name", true),
    ("includes", true),
    ("excludes", true),
    ("comment", false),
];

/// The first key of a JSON seccomp object that only Docker's format has:
/// `archMap`, or an entry key of [`DOCKER_ENTRY_KEYS`] (only those that
/// change the meaning when `meaningful_only`).
pub fn docker_only_key(seccomp: &serde_json::Value, meaningful_only: bool) -> Option<&'static str> {
    if seccomp.get("archMap").is_some() {
        return Some("archMap");
    }
    let calls = seccomp.get("syscalls")?.as_array()?;
    DOCKER_ENTRY_KEYS
        .iter()
        .filter(|(_, meaningful)| *meaningful || !meaningful_only)
        .map(|(key, _)| *key)
        .find(|key| calls.iter().any(|c| c.get(key).is_some()))
}

/// Which format's additions a profile may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Docker,
    Spo,
}

impl ProfileFields {
    /// The first field that belongs to the other format, as `path: what`.
    pub fn foreign_field(&self, dialect: Dialect) -> Option<String> {
        let entries = self.syscalls.iter().flatten().enumerate();
        match dialect {
            Dialect::Docker => {
                let spo = [
                    ("baseProfileName", self.base_profile_name.is_some()),
                    ("disabled", self.disabled.is_some()),
                ];
                spo.iter()
                    .find(|(_, present)| *present)
                    .map(|(key, _)| format!("'{key}' belongs to a Kubernetes SeccompProfile"))
            }
            Dialect::Spo => {
                if self.arch_map.is_some() {
                    return Some("'archMap' belongs to Docker's format".into());
                }
                for (i, call) in entries {
                    let docker = [
                        ("name", call.name.is_some()),
                        ("comment", call.comment.is_some()),
                        ("includes", call.includes.is_some()),
                        ("excludes", call.excludes.is_some()),
                    ];
                    if let Some((key, _)) = docker.iter().find(|(_, present)| *present) {
                        return Some(format!("syscalls[{i}].{key} belongs to Docker's format"));
                    }
                }
                None
            }
        }
    }

    /// The OCI profile with these top-level fields and the given entries
    /// and architectures (each format decides those).
    pub fn to_oci(
        &self,
        architectures: Vec<Arch>,
        syscalls: Vec<LinuxSyscall>,
    ) -> Result<LinuxSeccomp, String> {
        let mut b = LinuxSeccompBuilder::default()
            .default_action(self.default_action)
            .architectures(architectures)
            .syscalls(syscalls);
        if let Some(errno) = self.default_errno_ret {
            b = b.default_errno_ret(errno);
        }
        if let Some(flags) = &self.flags {
            b = b.flags(flags.clone());
        }
        if let Some(path) = &self.listener_path {
            b = b.listener_path(path);
        }
        if let Some(meta) = &self.listener_metadata {
            b = b.listener_metadata(meta);
        }
        b.build().map_err(|e| e.to_string())
    }
}

impl ProfileSyscall {
    /// Its names: `name` or `names`, not both.
    pub fn all_names(&self) -> Result<Vec<String>, String> {
        match (&self.name, &self.names) {
            (Some(_), Some(names)) if !names.is_empty() => {
                Err("use either 'name' or 'names'".into())
            }
            (Some(name), _) => Ok(vec![name.clone()]),
            (None, Some(names)) => Ok(names.clone()),
            (None, None) => Ok(Vec::new()),
        }
    }

    /// The OCI entry for these names.
    pub fn to_oci(&self, names: Vec<String>) -> Result<LinuxSyscall, String> {
        let mut args = Vec::new();
        for arg in self.args.iter().flatten() {
            let mut b = LinuxSeccompArgBuilder::default()
                .index(arg.index)
                .value(arg.value)
                .op(arg.op);
            if let Some(two) = arg.value_two {
                b = b.value_two(two);
            }
            args.push(b.build().map_err(|e| e.to_string())?);
        }
        let mut b = LinuxSyscallBuilder::default()
            .names(names)
            .action(self.action)
            .args(args);
        if let Some(errno) = self.errno_ret {
            b = b.errno_ret(errno);
        }
        b.build().map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{docker, spo, EvalContext, KernelVersion};

    fn ctx() -> EvalContext {
        EvalContext::new(Default::default(), KernelVersion::parse("6.18").unwrap())
    }

    #[test]
    fn a_field_of_the_other_format_is_refused_by_name() {
        let docker = r#"{"defaultAction":"SCMP_ACT_ERRNO","baseProfileName":"x","syscalls":[]}"#;
        let err = docker::load_str(docker, "d.json", &ctx())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("'baseProfileName' belongs to a Kubernetes SeccompProfile"),
            "{err}"
        );
        let spo = "kind: SeccompProfile\nmetadata: {name: p}\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n  syscalls:\n  - names: [read]\n    action: SCMP_ACT_ALLOW\n    includes: {caps: [CAP_SYS_ADMIN]}\n";
        let err = spo::load_str(spo, "p.yaml").unwrap_err().to_string();
        assert!(
            err.contains("syscalls[0].includes belongs to Docker's format"),
            "{err}"
        );
    }

    #[test]
    fn both_formats_read_the_shared_fields_alike() {
        let docker = r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}"#;
        let spo = "kind: SeccompProfile\nmetadata: {name: p}\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n  defaultErrnoRet: 38\n  architectures: [SCMP_ARCH_X86_64]\n  syscalls:\n  - names: [read]\n    action: SCMP_ACT_ALLOW\n";
        let d = docker::load_str(docker, "d.json", &ctx()).unwrap();
        let s = spo::load_str(spo, "p.yaml").unwrap();
        assert_eq!(d.policy, s[0].policy);
    }
}
