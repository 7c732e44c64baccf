//! The one field list of Docker's profile format and of a Kubernetes
//! `SeccompProfile.spec`: both are OCI's `linux.seccomp` plus additions,
//! and both are read with these types and turned into an OCI profile here.
//!
//! Docker adds `archMap`, a single `name` per entry, `comment` and
//! `includes`/`excludes` (with `minKernel`); containers/common (Podman,
//! CRI-O, Buildah) adds errno names, `defaultErrno` and `errno`, beside the
//! numbers; SPO adds `baseProfileName` and `disabled`.
//!
//! As the runtimes that read these files do (Go's encoding/json, Kubernetes'
//! pruning), a field a format does not have is skipped; aprof names each
//! one ([`super::LoadedProfile::ignored_fields`]) so that it is never
//! skipped silently, and `--strict` refuses them. A field of the other
//! format is named as such. Arguments take Go's and Kubernetes' zero value
//! for an omitted `value`.

use oci_spec::runtime::{
    Arch, LinuxSeccomp, LinuxSeccompAction, LinuxSeccompArgBuilder, LinuxSeccompBuilder,
    LinuxSeccompFilterFlag, LinuxSeccompOperator, LinuxSyscall, LinuxSyscallBuilder,
};
use serde::Deserialize;

/// A profile in Docker's format, or an SPO `spec`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileFields {
    pub default_action: LinuxSeccompAction,
    #[serde(default)]
    pub default_errno_ret: Option<u32>,
    /// containers/common: the default errno by name (`ENOSYS`).
    #[serde(default)]
    pub default_errno: Option<String>,
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
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArchMapEntry {
    pub architecture: Arch,
    #[serde(default)]
    pub sub_architectures: Option<Vec<Arch>>,
}

/// One syscall entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSyscall {
    /// Docker only: the older single name.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub names: Option<Vec<String>>,
    pub action: LinuxSeccompAction,
    #[serde(default)]
    pub errno_ret: Option<u32>,
    /// containers/common: the errno by name (`EPERM`).
    #[serde(default)]
    pub errno: Option<String>,
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
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileArg {
    pub index: usize,
    #[serde(default)]
    pub value: u64,
    #[serde(default)]
    pub value_two: Option<u64>,
    pub op: LinuxSeccompOperator,
}

/// Docker's `includes`/`excludes`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
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
    /// The fields that belong to another format, as `path: whose`; they are
    /// skipped, as that format's readers would skip them.
    pub fn foreign_fields(&self, dialect: Dialect) -> Vec<String> {
        let mut out = Vec::new();
        let mut note = |present: bool, path: String, whose: &str| {
            if present {
                out.push(format!("{path}: belongs to {whose}"));
            }
        };
        match dialect {
            Dialect::Docker => {
                let k8s = "a Kubernetes SeccompProfile";
                note(
                    self.base_profile_name.is_some(),
                    "baseProfileName".into(),
                    k8s,
                );
                note(self.disabled.is_some(), "disabled".into(), k8s);
            }
            Dialect::Spo => {
                let docker = "Docker's format";
                let podman = "containers/common's format (Podman)";
                note(self.arch_map.is_some(), "archMap".into(), docker);
                note(self.default_errno.is_some(), "defaultErrno".into(), podman);
                for (i, call) in self.syscalls.iter().flatten().enumerate() {
                    let at = |key: &str| format!("syscalls[{i}].{key}");
                    note(call.name.is_some(), at("name"), docker);
                    note(call.comment.is_some(), at("comment"), docker);
                    note(call.includes.is_some(), at("includes"), docker);
                    note(call.excludes.is_some(), at("excludes"), docker);
                    note(call.errno.is_some(), at("errno"), podman);
                }
            }
        }
        out
    }

    /// These fields without those of other formats (see [`Self::foreign_fields`]).
    pub fn without_foreign(mut self, dialect: Dialect) -> ProfileFields {
        match dialect {
            Dialect::Docker => {
                self.base_profile_name = None;
                self.disabled = None;
            }
            Dialect::Spo => {
                self.arch_map = None;
                self.default_errno = None;
                for call in self.syscalls.iter_mut().flatten() {
                    call.name = None;
                    call.comment = None;
                    call.includes = None;
                    call.excludes = None;
                    call.errno = None;
                }
            }
        }
        self
    }

    /// The default errno: `defaultErrnoRet`, or `defaultErrno` by name.
    pub fn default_errno(&self) -> Result<Option<u32>, String> {
        errno_of(self.default_errno_ret, self.default_errno.as_deref())
            .map_err(|e| format!("defaultErrno: {e}"))
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
        if let Some(errno) = self.default_errno()? {
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
        if let Some(errno) =
            errno_of(self.errno_ret, self.errno.as_deref()).map_err(|e| format!("errno: {e}"))?
        {
            b = b.errno_ret(errno);
        }
        b.build().map_err(|e| e.to_string())
    }
}

/// An errno given as a number, a name (`EPERM`), or both, which must agree.
fn errno_of(number: Option<u32>, name: Option<&str>) -> Result<Option<u32>, String> {
    let named = match name {
        None => None,
        Some(n) => Some(
            aprof_footprint::names::errno_value(n)
                .and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| format!("'{n}' is not an errno name"))?,
        ),
    };
    match (number, named) {
        (Some(a), Some(b)) if a != b => Err(format!(
            "the number {a} and the name {} ({b}) disagree",
            name.unwrap_or_default()
        )),
        (a, b) => Ok(a.or(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{docker, spo, EvalContext, KernelVersion};

    fn ctx() -> EvalContext {
        EvalContext::new(Default::default(), KernelVersion::parse("6.18").unwrap())
    }

    #[test]
    fn a_field_of_the_other_format_is_named_skipped_and_refused_when_strict() {
        let docker = r#"{"defaultAction":"SCMP_ACT_ERRNO","baseProfileName":"x","syscalls":[]}"#;
        let d = docker::load_str(docker, "d.json", &ctx()).unwrap();
        assert_eq!(
            d.ignored_fields,
            ["baseProfileName: belongs to a Kubernetes SeccompProfile"]
        );
        let spo = "kind: SeccompProfile\nmetadata: {name: p}\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n  syscalls:\n  - names: [read]\n    action: SCMP_ACT_ALLOW\n    includes: {caps: [CAP_SYS_ADMIN]}\n    errno: EPERM\n";
        let s = &spo::load_str(spo, "p.yaml").unwrap()[0];
        assert_eq!(
            s.ignored_fields,
            [
                "spec.syscalls[0].includes: belongs to Docker's format",
                "spec.syscalls[0].errno: belongs to containers/common's format (Podman)"
            ]
        );
        // Skipped as the operator would: the entry applies without the condition.
        assert_eq!(
            s.policy
                .action(aprof_footprint::Abi::X86_64, "read", &[0; 6]),
            crate::Action::Allow
        );
        let strict = ctx().with_strict(true);
        for (text, format) in [
            (docker, super::super::ProfileFormat::Docker),
            (spo, super::super::ProfileFormat::Spo),
        ] {
            let err = super::super::load_str(text, "f", format, &strict)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("belongs to") && err.contains("--strict"),
                "{err}"
            );
        }
    }

    #[test]
    fn errno_names_and_numbers_of_containers_common() {
        let with = |extra: &str| {
            format!(
                r#"{{"defaultAction":"SCMP_ACT_ERRNO"{extra},"syscalls":[{{"names":["read"],"action":"SCMP_ACT_ERRNO","errno":"EACCES"}}]}}"#
            )
        };
        let x86 = aprof_footprint::Abi::X86_64;
        let p = docker::load_str(&with(r#","defaultErrno":"ENOSYS""#), "p", &ctx()).unwrap();
        assert!(p.ignored_fields.is_empty(), "{:?}", p.ignored_fields);
        assert_eq!(p.policy.abis[&x86].default_action, crate::Action::Errno(38));
        assert_eq!(
            p.policy.action(x86, "read", &[0; 6]),
            crate::Action::Errno(libc::EACCES as u16)
        );
        let agree = with(r#","defaultErrno":"ENOSYS","defaultErrnoRet":38"#);
        assert!(docker::load_str(&agree, "p", &ctx()).is_ok());
        for (extra, needle) in [
            (
                r#","defaultErrno":"ENOSYS","defaultErrnoRet":1"#,
                "disagree",
            ),
            (r#","defaultErrno":"EFROB""#, "'EFROB' is not an errno name"),
        ] {
            let err = docker::load_str(&with(extra), "p", &ctx())
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{err}");
        }
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
