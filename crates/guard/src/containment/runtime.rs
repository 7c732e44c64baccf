//! Which runtimes contain a process: virtual machines, sandboxes, container
//! engines, bubblewrap, systemd units. Like amicontained, but every verdict
//! carries its evidence, and a lone marker file (such as a `/.dockerenv`
//! left behind by an image build) is not taken as proof: a container also
//! needs isolated namespaces plus the paths OCI runtimes mask, or a
//! structural sign (its cgroup, its parent process).
//!
//! Gathering (`observe`) is separate from deciding (`detect`) so that the
//! decisions can be tested on any combination of signs.

use super::parse::{parse_environ, parse_mountinfo, parse_status, CgroupLine, ProcStatus};
use serde::Serialize;
use std::path::Path;

/// A kind of containment layer, outermost kinds first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuntimeKind {
    VirtualMachine,
    Kata,
    Gvisor,
    Kubernetes,
    Docker,
    Podman,
    Containerd,
    CriO,
    Lxc,
    SystemdNspawn,
    Runc,
    Crun,
    OciRuntime,
    UnknownContainer,
    Bubblewrap,
    SystemdUnit,
}

impl RuntimeKind {
    /// Whether this layer is a container or sandbox (not a VM or a unit).
    pub fn is_container(self) -> bool {
        !matches!(self, RuntimeKind::VirtualMachine | RuntimeKind::SystemdUnit)
    }
}

/// One layer of containment and why it was recognised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuntimeLayer {
    pub kind: RuntimeKind,
    /// A name for people, such as "KVM guest (QEMU)".
    pub name: String,
    pub evidence: Vec<String>,
}

/// Every layer found, outermost first, plus signs that were not enough.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Runtime {
    pub layers: Vec<RuntimeLayer>,
    /// `Some(false)`: no container or sandbox; `None`: cannot be told.
    pub containerized: Option<bool>,
    /// Signs that were seen but did not prove a layer.
    pub hints: Vec<String>,
}

/// The raw signs, read from the machine and the process.
#[derive(Debug, Clone, Default)]
pub struct Observations {
    pub proc_version: Option<String>,
    pub kernel_cmdline: Option<String>,
    /// The `hypervisor` flag in `/proc/cpuinfo`.
    pub cpuinfo_hypervisor: bool,
    /// CPUID leaf 0x40000000, such as `KVMKVMKVM`.
    pub cpuid_hypervisor_vendor: Option<String>,
    pub dmi_sys_vendor: Option<String>,
    pub dmi_product_name: Option<String>,
    /// `/sys/hypervisor/type` (Xen).
    pub sys_hypervisor_type: Option<String>,
    /// `/proc/sentry-meminfo`, which only gVisor's sentry provides.
    pub gvisor_sentry_meminfo: bool,
    /// `/proc/PID/status` lacks NoNewPrivs and Seccomp_filters, as on gVisor.
    pub status_lacks_modern_fields: bool,
    /// `/.dockerenv` in the process's root.
    pub dockerenv: bool,
    /// `/run/.containerenv` in the process's root, with its contents.
    pub containerenv: Option<String>,
    /// `/var/run/secrets/kubernetes.io/serviceaccount` in its root.
    pub kubernetes_serviceaccount: bool,
    /// The process's environment (`container`, `INVOCATION_ID`, ...).
    pub environment: Vec<(String, String)>,
    pub cgroup: Vec<CgroupLine>,
    /// (pid, comm) of the process and its ancestors, nearest first, up to
    /// PID 1 of the pid namespace the inspector sees.
    pub ancestors: Vec<(i32, String)>,
    /// Mount points that OCI runtimes mask (`/proc/kcore` from `/dev/null`,
    /// `/proc/acpi` as an empty tmpfs, ...).
    pub oci_masked_paths: Vec<String>,
    /// Kinds of namespace known to differ from the host's.
    pub isolated_namespaces: Vec<String>,
    /// Kinds of namespace known to be the host's.
    pub host_namespaces: Vec<String>,
}

impl Observations {
    fn env(&self, key: &str) -> Option<&str> {
        self.environment
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn cgroup_paths(&self) -> impl Iterator<Item = &str> {
        self.cgroup.iter().map(|c| c.path.as_str())
    }

    fn ancestor_named(&self, names: &[&str]) -> Option<(i32, &str)> {
        self.ancestors
            .iter()
            .find(|(_, comm)| {
                names
                    .iter()
                    .any(|n| comm == n || comm.starts_with(&format!("{n}:")))
            })
            .map(|(pid, comm)| (*pid, comm.as_str()))
    }
}

/// Paths that runc, crun and their kin mask by default (OCI `maskedPaths`).
const OCI_MASKED: [&str; 8] = [
    "/proc/kcore",
    "/proc/keys",
    "/proc/timer_list",
    "/proc/sched_debug",
    "/proc/acpi",
    "/proc/scsi",
    "/sys/firmware",
    "/proc/latency_stats",
];

/// Read the signs for the process whose /proc directory is `dir`.
/// `isolated` and `host` are the namespace kinds already classified.
pub fn observe(dir: &Path, isolated: Vec<String>, host: Vec<String>) -> Observations {
    let read = |path: &Path| std::fs::read_to_string(path).ok();
    let root = dir.join("root");
    let status = read(&dir.join("status")).unwrap_or_default();
    // The target's own mounts: masking is a property of its mount namespace.
    let mounts = read(&dir.join("mountinfo"))
        .map(|t| parse_mountinfo(&t))
        .unwrap_or_default();
    let oci_masked_paths = mounts
        .iter()
        .filter(|m| OCI_MASKED.contains(&m.mount_point.as_str()))
        .filter(|m| m.root.ends_with("/null") || m.fs_type == "tmpfs")
        .map(|m| m.mount_point.clone())
        .collect();
    Observations {
        proc_version: read(Path::new("/proc/version")).map(|s| s.trim().to_string()),
        kernel_cmdline: read(Path::new("/proc/cmdline")).map(|s| s.trim().to_string()),
        cpuinfo_hypervisor: read(Path::new("/proc/cpuinfo")).is_some_and(|t| {
            t.lines()
                .filter(|l| l.starts_with("flags"))
                .any(|l| l.split_whitespace().any(|f| f == "hypervisor"))
        }),
        cpuid_hypervisor_vendor: cpuid_hypervisor_vendor(),
        dmi_sys_vendor: read(Path::new("/sys/class/dmi/id/sys_vendor")).map(|s| s.trim().into()),
        dmi_product_name: read(Path::new("/sys/class/dmi/id/product_name"))
            .map(|s| s.trim().into()),
        sys_hypervisor_type: read(Path::new("/sys/hypervisor/type")).map(|s| s.trim().into()),
        gvisor_sentry_meminfo: Path::new("/proc/sentry-meminfo").exists(),
        status_lacks_modern_fields: !status.is_empty()
            && !status.contains("NoNewPrivs:")
            && !status.contains("Seccomp_filters:"),
        dockerenv: root.join(".dockerenv").exists(),
        containerenv: std::fs::read_to_string(root.join("run/.containerenv"))
            .ok()
            .or_else(|| root.join("run/.containerenv").exists().then(String::new)),
        kubernetes_serviceaccount: root
            .join("var/run/secrets/kubernetes.io/serviceaccount")
            .exists(),
        environment: std::fs::read(dir.join("environ"))
            .map(|b| parse_environ(&b))
            .unwrap_or_default(),
        cgroup: read(&dir.join("cgroup"))
            .map(|t| super::parse::parse_cgroup(&t))
            .unwrap_or_default(),
        ancestors: ancestors(dir),
        oci_masked_paths,
        isolated_namespaces: isolated,
        host_namespaces: host,
    }
}

/// The process and its ancestors, nearest first.
fn ancestors(dir: &Path) -> Vec<(i32, String)> {
    let mut chain = Vec::new();
    let Ok(status) = std::fs::read_to_string(dir.join("status")) else {
        return chain;
    };
    let first = parse_status(&status);
    let own_pid = dir
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.parse().ok())
        .unwrap_or(std::process::id() as i32);
    chain.push((own_pid, first.name.unwrap_or_default()));
    let mut parent = first.ppid.unwrap_or(0);
    // A pid namespace is at most 32 deep, but process trees can be long.
    while parent > 0 && chain.len() < 256 {
        let Ok(status) = ProcStatus::read(parent) else {
            break;
        };
        chain.push((parent, status.name.unwrap_or_default()));
        parent = status.ppid.unwrap_or(0);
    }
    chain
}

/// The hypervisor vendor from CPUID leaf 0x40000000, when the CPU says it
/// runs under one (leaf 1, ECX bit 31).
#[cfg(target_arch = "x86_64")]
fn cpuid_hypervisor_vendor() -> Option<String> {
    use std::arch::x86_64::__cpuid;
    // CPUID is available on every x86_64 CPU; some toolchains mark it unsafe.
    #[allow(unused_unsafe)]
    let (leaf1, leaf_hv) = unsafe { (__cpuid(1), __cpuid(0x4000_0000)) };
    if leaf1.ecx & (1 << 31) == 0 {
        return None;
    }
    let mut bytes = Vec::with_capacity(12);
    for word in [leaf_hv.ebx, leaf_hv.ecx, leaf_hv.edx] {
        bytes.extend_from_slice(&word.to_le_bytes());
    }
    let vendor: String = String::from_utf8_lossy(&bytes)
        .trim_matches(|c: char| c == '\0' || c.is_whitespace())
        .to_string();
    (!vendor.is_empty()).then_some(vendor)
}

#[cfg(not(target_arch = "x86_64"))]
fn cpuid_hypervisor_vendor() -> Option<String> {
    None
}

/// Known CPUID hypervisor vendor strings.
fn hypervisor_name(vendor: &str) -> &str {
    match vendor {
        "KVMKVMKVM" => "KVM",
        "TCGTCGTCGTCG" => "QEMU TCG",
        "Microsoft Hv" => "Hyper-V",
        "VMwareVMware" => "VMware",
        "XenVMMXenVMM" => "Xen",
        "VBoxVBoxVBox" => "VirtualBox",
        "bhyve bhyve" => "bhyve",
        "ACRNACRNACRN" => "ACRN",
        "QNXQVMBSQG" => "QNX",
        "Linux KVM Hv" => "KVM (Hyper-V enlightenments)",
        other => other,
    }
}

/// Decide the layers from the signs.
pub fn detect(obs: &Observations) -> Runtime {
    let mut layers = Vec::new();
    let mut hints = Vec::new();
    let namespaces_isolated = obs
        .isolated_namespaces
        .iter()
        .any(|k| k == "mnt" || k == "pid" || k == "user");
    let namespaces_host = ["mnt", "pid"]
        .iter()
        .all(|k| obs.host_namespaces.iter().any(|h| h == k));
    let cmdline = obs.kernel_cmdline.as_deref().unwrap_or("");

    // Virtual machine.
    let mut vm = Vec::new();
    if obs.cpuinfo_hypervisor {
        vm.push("/proc/cpuinfo has the `hypervisor` CPU flag".to_string());
    }
    if let Some(vendor) = &obs.cpuid_hypervisor_vendor {
        vm.push(format!("CPUID 0x40000000 names the hypervisor {vendor:?}"));
    }
    let dmi_vendor = obs.dmi_sys_vendor.as_deref().unwrap_or("");
    let dmi_product = obs.dmi_product_name.as_deref().unwrap_or("");
    let dmi_machine = [
        ("QEMU", "QEMU"),
        ("KVM", "KVM"),
        ("Amazon EC2", "Amazon EC2"),
        ("Google", "Google Compute Engine"),
        ("Microsoft Corporation", "Hyper-V"),
        ("VMware", "VMware"),
        ("innotek", "VirtualBox"),
        ("Xen", "Xen"),
        ("Cloud Hypervisor", "Cloud Hypervisor"),
    ]
    .iter()
    .find(|(needle, _)| dmi_vendor.contains(needle) || dmi_product.contains(needle))
    .map(|(_, machine)| *machine);
    if let Some(machine) = dmi_machine {
        vm.push(format!(
            "DMI says sys_vendor {dmi_vendor:?}, product_name {dmi_product:?}"
        ));
        let _ = machine;
    }
    if let Some(kind) = &obs.sys_hypervisor_type {
        vm.push(format!("/sys/hypervisor/type is {kind:?}"));
    }
    let firecracker = cmdline.contains("firecracker");
    if !vm.is_empty() {
        let hypervisor = obs
            .cpuid_hypervisor_vendor
            .as_deref()
            .map(hypervisor_name)
            .map(str::to_string)
            .or_else(|| obs.sys_hypervisor_type.clone());
        let machine = if firecracker {
            vm.push("the kernel command line mentions firecracker".into());
            Some("Firecracker microVM")
        } else {
            dmi_machine
        };
        let sentry = obs.gvisor_sentry_meminfo || cmdline.contains("gvisor");
        if obs.dmi_sys_vendor.is_none() && obs.dmi_product_name.is_none() && !firecracker && !sentry
        {
            hints.push("no DMI tables: typical of microVMs such as Firecracker".into());
        }
        let name = match (hypervisor, machine) {
            (Some(h), Some(m)) => format!("{h} guest ({m})"),
            (Some(h), None) => format!("{h} guest"),
            (None, Some(m)) => format!("virtual machine ({m})"),
            (None, None) => "virtual machine".to_string(),
        };
        layers.push(RuntimeLayer {
            kind: RuntimeKind::VirtualMachine,
            name,
            evidence: vm,
        });
    }

    // Kata Containers: a VM whose guest kernel runs the kata agent.
    let kata: Vec<String> = cmdline
        .split_whitespace()
        .filter(|w| w.starts_with("agent.") || w.contains("kata"))
        .map(|w| format!("kernel command line has {w:?}"))
        .collect();
    if !kata.is_empty() {
        layers.push(RuntimeLayer {
            kind: RuntimeKind::Kata,
            name: "Kata Containers VM".into(),
            evidence: kata,
        });
    }

    // gVisor: the sentry is a kernel of its own.
    let mut gvisor = Vec::new();
    if obs.gvisor_sentry_meminfo {
        gvisor.push("/proc/sentry-meminfo exists (only gVisor's sentry has it)".to_string());
    }
    if cmdline.contains("gvisor") {
        gvisor.push(format!("/proc/cmdline is {cmdline:?}"));
    }
    if !gvisor.is_empty() {
        if let Some(version) = &obs.proc_version {
            gvisor.push(format!("/proc/version is {version:?}"));
        }
        if obs.status_lacks_modern_fields {
            gvisor.push("/proc/PID/status lacks NoNewPrivs and Seccomp_filters".into());
        }
        layers.push(RuntimeLayer {
            kind: RuntimeKind::Gvisor,
            name: "gVisor (runsc)".into(),
            evidence: gvisor,
        });
    }

    // Container engines. Structural signs count alone; marker files and
    // environment variables count only with isolated (or unknowable)
    // namespaces, because images and shells carry them around.
    let markers_count = namespaces_isolated && !obs.oci_masked_paths.is_empty();
    let cgroup_with = |needles: &[&str]| -> Vec<String> {
        obs.cgroup_paths()
            .filter(|p| needles.iter().any(|n| p.contains(n)))
            .map(|p| format!("cgroup path {p}"))
            .collect()
    };
    let mut engine =
        |kind: RuntimeKind, name: &str, structural: Vec<String>, markers: Vec<String>| {
            if !structural.is_empty() || (markers_count && !markers.is_empty()) {
                let mut evidence = structural;
                evidence.extend(markers);
                layers.push(RuntimeLayer {
                    kind,
                    name: name.into(),
                    evidence,
                });
            } else if !markers.is_empty() && namespaces_host {
                hints.push(format!(
                    "{} but the mount and pid namespaces are the host's: not a {name} container \
                 (probably left over from building the image)",
                    markers.join(", ")
                ));
            } else if !markers.is_empty() {
                hints.push(format!(
                    "{} but nothing structural confirms a {name} container \
                 (no {name} cgroup or parent, no paths masked as OCI runtimes do)",
                    markers.join(", ")
                ));
            }
        };

    let mut kube_markers = Vec::new();
    if obs.env("KUBERNETES_SERVICE_HOST").is_some() {
        kube_markers.push("KUBERNETES_SERVICE_HOST is set".to_string());
    }
    if obs.kubernetes_serviceaccount {
        kube_markers.push("a Kubernetes service-account token is mounted".into());
    }
    engine(
        RuntimeKind::Kubernetes,
        "Kubernetes pod",
        cgroup_with(&["kubepods"]),
        kube_markers,
    );

    let mut docker_structural = cgroup_with(&["/docker/", "/docker-", "docker-"]);
    if let Some((pid, comm)) = obs.ancestor_named(&["docker-init", "dockerd"]) {
        docker_structural.push(format!("ancestor {pid} is {comm}"));
    }
    let mut docker_markers = Vec::new();
    if obs.dockerenv {
        docker_markers.push("/.dockerenv exists".to_string());
    }
    engine(
        RuntimeKind::Docker,
        "Docker",
        docker_structural,
        docker_markers,
    );

    let mut podman_structural = cgroup_with(&["libpod"]);
    if let Some((pid, comm)) = obs.ancestor_named(&["conmon"]) {
        podman_structural.push(format!("ancestor {pid} is {comm}"));
    }
    let mut podman_markers = Vec::new();
    if let Some(text) = &obs.containerenv {
        let engine_line = text.lines().find(|l| l.starts_with("engine="));
        podman_markers.push(match engine_line {
            Some(line) => format!("/run/.containerenv exists ({line})"),
            None => "/run/.containerenv exists".to_string(),
        });
    }
    if obs.env("container") == Some("podman") {
        podman_markers.push("container=podman in the environment".into());
    }
    engine(
        RuntimeKind::Podman,
        "Podman",
        podman_structural,
        podman_markers,
    );

    let mut containerd = cgroup_with(&["cri-containerd"]);
    if let Some((pid, comm)) = obs.ancestor_named(&["containerd-shim", "containerd-shi"]) {
        containerd.push(format!("ancestor {pid} is {comm}"));
    }
    engine(
        RuntimeKind::Containerd,
        "containerd",
        containerd,
        Vec::new(),
    );
    engine(
        RuntimeKind::CriO,
        "CRI-O",
        cgroup_with(&["crio-"]),
        Vec::new(),
    );

    let mut lxc_markers = Vec::new();
    if obs.env("container") == Some("lxc") {
        lxc_markers.push("container=lxc in the environment".to_string());
    }
    engine(
        RuntimeKind::Lxc,
        "LXC",
        cgroup_with(&["/lxc/", "lxc.payload"]),
        lxc_markers,
    );
    let mut nspawn_markers = Vec::new();
    if obs.env("container") == Some("systemd-nspawn") {
        nspawn_markers.push("container=systemd-nspawn in the environment".to_string());
    }
    let nspawn_structural = obs
        .ancestor_named(&["systemd-nspawn"])
        .map(|(pid, comm)| vec![format!("ancestor {pid} is {comm}")])
        .unwrap_or_default();
    engine(
        RuntimeKind::SystemdNspawn,
        "systemd-nspawn",
        nspawn_structural,
        nspawn_markers,
    );

    // The low-level OCI runtime: visible as a parent from outside, or by
    // the paths it masks from inside (which one is then unknown).
    let mut oci_named = false;
    for (kind, name, comms) in [
        (RuntimeKind::Runc, "runc", &["runc"][..]),
        (RuntimeKind::Crun, "crun", &["crun"][..]),
    ] {
        if let Some((pid, comm)) = obs.ancestor_named(comms) {
            oci_named = true;
            layers.push(RuntimeLayer {
                kind,
                name: name.into(),
                evidence: vec![format!("ancestor {pid} is {comm}")],
            });
        }
    }
    if !oci_named && !obs.oci_masked_paths.is_empty() && namespaces_isolated {
        layers.push(RuntimeLayer {
            kind: RuntimeKind::OciRuntime,
            name: "OCI runtime (runc, crun or similar; which one is not visible from inside)"
                .into(),
            evidence: vec![format!(
                "paths masked as OCI runtimes do: {}",
                obs.oci_masked_paths.join(", ")
            )],
        });
    }

    // Bubblewrap: `bwrap` is an ancestor, or PID 1 of the sandbox.
    if let Some((pid, comm)) = obs.ancestor_named(&["bwrap"]) {
        let role = if pid == 1 {
            "PID 1 of this pid namespace"
        } else {
            "an ancestor"
        };
        layers.push(RuntimeLayer {
            kind: RuntimeKind::Bubblewrap,
            name: "bubblewrap".into(),
            evidence: vec![format!("{role} ({pid}) is {comm}")],
        });
    }

    // Anything else that isolates the process.
    let known_container = layers.iter().any(|l| l.kind.is_container());
    if !known_container && namespaces_isolated {
        layers.push(RuntimeLayer {
            kind: RuntimeKind::UnknownContainer,
            name: "unknown container or sandbox".into(),
            evidence: vec![format!(
                "namespaces differ from the host's: {}",
                obs.isolated_namespaces.join(", ")
            )],
        });
    }

    // A systemd unit (a service, not a login session scope).
    let unit = obs
        .cgroup
        .iter()
        .filter(|c| c.hierarchy_id == 0 || c.controllers.iter().any(|x| x == "name=systemd"))
        .filter_map(|c| c.path.rsplit('/').next())
        .find(|last| last.ends_with(".service"))
        .map(str::to_string);
    if let Some(unit) = unit {
        let mut evidence = vec![format!("cgroup ends in {unit}")];
        if let Some(id) = obs.env("INVOCATION_ID") {
            evidence.push(format!("INVOCATION_ID={id}"));
        }
        layers.push(RuntimeLayer {
            kind: RuntimeKind::SystemdUnit,
            name: format!("systemd unit {unit}"),
            evidence,
        });
    } else if obs.env("INVOCATION_ID").is_some() {
        hints.push("INVOCATION_ID is set but the cgroup names no .service unit".into());
    }

    layers.sort_by_key(|l| l.kind);
    let containerized = if layers.iter().any(|l| l.kind.is_container()) {
        Some(true)
    } else if namespaces_host {
        Some(false)
    } else {
        None
    };
    Runtime {
        layers,
        containerized,
        hints,
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse_cgroup;
    use super::*;

    fn kinds(runtime: &Runtime) -> Vec<RuntimeKind> {
        runtime.layers.iter().map(|l| l.kind).collect()
    }

    fn host_namespaces() -> Vec<String> {
        ["mnt", "pid", "user", "net"].map(String::from).to_vec()
    }

    fn isolated() -> Vec<String> {
        ["mnt", "pid", "net", "ipc", "uts"]
            .map(String::from)
            .to_vec()
    }

    fn masked() -> Vec<String> {
        vec!["/proc/kcore".into(), "/proc/acpi".into()]
    }

    #[test]
    fn leftover_dockerenv_on_a_host_is_only_a_hint() {
        let obs = Observations {
            dockerenv: true,
            cpuinfo_hypervisor: true,
            cpuid_hypervisor_vendor: Some("KVMKVMKVM".into()),
            host_namespaces: host_namespaces(),
            cgroup: parse_cgroup("4:memory:/process_api/x\n0::/\n"),
            ..Default::default()
        };
        let rt = detect(&obs);
        assert_eq!(kinds(&rt), vec![RuntimeKind::VirtualMachine]);
        assert_eq!(rt.layers[0].name, "KVM guest");
        assert_eq!(rt.containerized, Some(false));
        assert!(rt.hints.iter().any(|h| h.contains("/.dockerenv")));
    }

    #[test]
    fn docker_container_in_a_qemu_vm() {
        let obs = Observations {
            dockerenv: true,
            cpuinfo_hypervisor: true,
            cpuid_hypervisor_vendor: Some("KVMKVMKVM".into()),
            dmi_sys_vendor: Some("QEMU".into()),
            dmi_product_name: Some("Standard PC (Q35 + ICH9, 2009)".into()),
            isolated_namespaces: isolated(),
            oci_masked_paths: masked(),
            cgroup: parse_cgroup("0::/\n"),
            ..Default::default()
        };
        let rt = detect(&obs);
        assert_eq!(
            kinds(&rt),
            vec![
                RuntimeKind::VirtualMachine,
                RuntimeKind::Docker,
                RuntimeKind::OciRuntime
            ]
        );
        assert_eq!(rt.layers[0].name, "KVM guest (QEMU)");
        assert_eq!(rt.containerized, Some(true));
    }

    #[test]
    fn docker_by_cgroup_path_alone() {
        let obs = Observations {
            cgroup: parse_cgroup(
                "12:memory:/docker/0123abcd\n0::/system.slice/docker-0123abcd.scope\n",
            ),
            ..Default::default()
        };
        let rt = detect(&obs);
        assert_eq!(kinds(&rt), vec![RuntimeKind::Docker]);
        assert_eq!(rt.layers[0].evidence.len(), 2);
    }

    #[test]
    fn bubblewrap_over_a_dockerenv_is_not_docker() {
        let obs = Observations {
            dockerenv: true,
            isolated_namespaces: isolated(),
            ancestors: vec![(2, "aprof".into()), (1, "bwrap".into())],
            ..Default::default()
        };
        let rt = detect(&obs);
        assert_eq!(kinds(&rt), vec![RuntimeKind::Bubblewrap]);
        assert!(rt.layers[0].evidence[0].contains("PID 1"));
        assert!(rt.hints.iter().any(|h| h.contains("nothing structural")));
    }

    #[test]
    fn kubernetes_containerd_pod() {
        let obs = Observations {
            cgroup: parse_cgroup(
                "0::/kubepods.slice/kubepods-burstable.slice/cri-containerd-abc.scope\n",
            ),
            environment: vec![("KUBERNETES_SERVICE_HOST".into(), "10.0.0.1".into())],
            isolated_namespaces: isolated(),
            oci_masked_paths: masked(),
            ..Default::default()
        };
        let rt = detect(&obs);
        assert_eq!(
            kinds(&rt),
            vec![
                RuntimeKind::Kubernetes,
                RuntimeKind::Containerd,
                RuntimeKind::OciRuntime
            ]
        );
    }

    #[test]
    fn podman_from_inside_and_crun_from_outside() {
        let inside = Observations {
            containerenv: Some("engine=\"podman-4.3.1\"\nname=\"web\"\n".into()),
            environment: vec![("container".into(), "podman".into())],
            isolated_namespaces: isolated(),
            oci_masked_paths: masked(),
            ..Default::default()
        };
        let rt = detect(&inside);
        assert_eq!(
            kinds(&rt),
            vec![RuntimeKind::Podman, RuntimeKind::OciRuntime]
        );
        assert!(rt.layers[0].evidence[0].contains("podman-4.3.1"));

        let outside = Observations {
            ancestors: vec![
                (900, "nginx".into()),
                (899, "crun".into()),
                (898, "conmon".into()),
            ],
            isolated_namespaces: isolated(),
            ..Default::default()
        };
        let rt = detect(&outside);
        assert_eq!(kinds(&rt), vec![RuntimeKind::Podman, RuntimeKind::Crun]);
    }

    #[test]
    fn runc_parent_gvisor_and_kata() {
        let runc = Observations {
            ancestors: vec![
                (50, "sh".into()),
                (49, "runc:[2:INIT]".into()),
                (48, "runc".into()),
            ],
            ..Default::default()
        };
        assert_eq!(kinds(&detect(&runc)), vec![RuntimeKind::Runc]);

        let gvisor = Observations {
            gvisor_sentry_meminfo: true,
            kernel_cmdline: Some("BOOT_IMAGE=/vmlinuz-4.4.0-gvisor quiet".into()),
            status_lacks_modern_fields: true,
            ..Default::default()
        };
        let rt = detect(&gvisor);
        assert_eq!(kinds(&rt), vec![RuntimeKind::Gvisor]);
        assert_eq!(rt.layers[0].evidence.len(), 3);
        assert_eq!(rt.containerized, Some(true));

        let kata = Observations {
            cpuinfo_hypervisor: true,
            kernel_cmdline: Some("console=hvc0 agent.log=debug agent.debug_console".into()),
            ..Default::default()
        };
        let rt = detect(&kata);
        assert_eq!(
            kinds(&rt),
            vec![RuntimeKind::VirtualMachine, RuntimeKind::Kata]
        );
    }

    #[test]
    fn systemd_service_and_bare_namespaces() {
        let unit = Observations {
            cgroup: parse_cgroup(
                "1:name=systemd:/system.slice/nginx.service\n0::/system.slice/nginx.service\n",
            ),
            environment: vec![("INVOCATION_ID".into(), "abc123".into())],
            host_namespaces: host_namespaces(),
            ..Default::default()
        };
        let rt = detect(&unit);
        assert_eq!(kinds(&rt), vec![RuntimeKind::SystemdUnit]);
        assert_eq!(rt.layers[0].name, "systemd unit nginx.service");
        assert_eq!(rt.containerized, Some(false));

        let session = Observations {
            cgroup: parse_cgroup("0::/user.slice/user-0.slice/session-3.scope\n"),
            host_namespaces: host_namespaces(),
            ..Default::default()
        };
        assert!(detect(&session).layers.is_empty());

        let unshared = Observations {
            isolated_namespaces: vec!["user".into(), "pid".into()],
            ..Default::default()
        };
        let rt = detect(&unshared);
        assert_eq!(kinds(&rt), vec![RuntimeKind::UnknownContainer]);
        assert!(rt.layers[0].evidence[0].contains("user, pid"));

        let nothing_known = Observations::default();
        assert_eq!(detect(&nothing_known).containerized, None);
    }
}
