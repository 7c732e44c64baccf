//! Stacks: the ordered layers of code between a workload's request and the
//! hardware, each with an owner, a size, a defect density and the interfaces
//! through which other layers reach it. Read from TOML with errors that name
//! the file, line and field.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;
use toml::Spanned;

/// Who must patch and monitor a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Owner {
    Tenant,
    Provider,
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Owner::Tenant => "tenant",
            Owner::Provider => "provider",
        })
    }
}

/// What a layer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LayerKind {
    Application,
    Libraries,
    LanguageRuntime,
    GuestUserland,
    /// Host userland shared by the tenants of one machine (setuid tools, daemons).
    SharedUserland,
    GuestKernel,
    /// A library OS linked into the workload (unikernel).
    LibraryOs,
    /// Device emulation and the virtual machine monitor.
    Vmm,
    /// An emulating sandbox such as gVisor's Sentry.
    Sandbox,
    HostKernel,
    Hypervisor,
    Hardware,
}

/// Where a number comes from, so a reader knows how far to trust it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// `measured` (from a table or data set in this repo), `published`
    /// (a cited figure) or `assumption` (a stated default).
    pub basis: Basis,
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    Measured,
    Published,
    Assumption,
}

/// How one layer is reached from another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interface {
    pub name: String,
    /// The layer whose code calls through this interface.
    pub from: String,
    /// Entry points reachable through it.
    pub width: u32,
    /// All entry points of the layer this interface leads into; the reached
    /// share of the layer's code is `width / entry_points`.
    pub entry_points: u32,
    /// The syscalls it allows by name, when they are known.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<String>,
    /// Into a kernel: the seccomp guard that bounds it (`docker-default`,
    /// `firecracker`, `none`), when it is a shipped profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guard: Option<String>,
    /// Into a kernel: the objects the allowed syscalls act on, as
    /// objects.tsv keys (`char 10:200`, `file ext4`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<String>,
    pub source: Source,
}

/// Code every process of a deployment reaches, whatever it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuntimeReach {
    /// Subsystems (buckets or file groups).
    pub subsystems: Vec<String>,
    pub why: String,
}

/// What a process in this deployment holds, for the reach that depends on
/// privileges (gated.tsv), and what the deployment itself reaches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelContainment {
    /// `workload` (the workload's own: recorded in its footprint by `aprof
    /// score`, none for the catalogue's reference service), `none`, `all`,
    /// `docker-default` (Docker's 14) or `CAP_X,CAP_Y`.
    pub capabilities: String,
    /// The capabilities are held in the initial user namespace.
    pub initial_user_namespace: bool,
    /// The workload has its own network namespace (families that refuse
    /// non-initial namespaces are then unreachable).
    pub own_network_namespace: bool,
    /// The host lets unprivileged processes create user namespaces (the
    /// Debian default); the guard must also allow it.
    pub host_user_namespaces: bool,
    #[serde(default)]
    pub runtime_reach: Vec<RuntimeReach>,
    pub source: Source,
}

/// One layer of a stack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layer {
    pub name: String,
    pub kind: LayerKind,
    pub owner: Owner,
    /// Outside the tenant's isolation boundary, on a host other tenants share.
    pub shared: bool,
    /// Code the workload traverses in this layer, thousands of lines.
    pub size_kloc: f64,
    /// Expected defects (CVEs) per thousand lines per year.
    pub density: f64,
    pub size_source: Source,
    pub density_source: Source,
    /// A Linux kernel whose terms are computed from the embedded CVE data:
    /// the CVE fixes per year in the code reached (`density_from =
    /// "kernel-reach"`); `size_kloc` and `density` are then unused.
    #[serde(default)]
    pub kernel_reach: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interfaces: Vec<Interface>,
}

impl Layer {
    /// CVE fixes per year in the code traversed: `size_kloc × density`.
    pub fn weight(&self) -> f64 {
        self.size_kloc * self.density
    }
}

/// A deployment model: a named stack of layers, top (application) first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stack {
    /// Short identifier (`container`, `vm`, ...).
    pub name: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    /// What a process in this deployment holds and reaches besides its
    /// syscalls; `None`: an unprivileged process in the initial namespaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub containment: Option<ModelContainment>,
    pub layers: Vec<Layer>,
}

impl Stack {
    pub fn layer(&self, name: &str) -> Option<&Layer> {
        self.layers.iter().find(|l| l.name == name)
    }

    pub fn layer_mut(&mut self, name: &str) -> Option<&mut Layer> {
        self.layers.iter_mut().find(|l| l.name == name)
    }

    /// Move every sandbox layer into (or out of) the tenant's address space:
    /// inside, the tenant owns and patches it and it no longer sits on the
    /// shared side of the boundary.
    pub fn set_sandbox_in_tenant(&mut self, in_tenant: bool) {
        for l in self
            .layers
            .iter_mut()
            .filter(|l| l.kind == LayerKind::Sandbox)
        {
            l.owner = if in_tenant {
                Owner::Tenant
            } else {
                Owner::Provider
            };
            l.shared = !in_tenant;
        }
    }
}

/// A stack file that cannot be used, with where the problem is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {field}: {message}")]
pub struct StackError {
    pub file: String,
    pub line: usize,
    pub field: String,
    pub message: String,
}

// The TOML form, with spans so that errors can point at a line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStack {
    name: Spanned<String>,
    title: Option<String>,
    #[serde(default)]
    summary: String,
    containment: Option<Spanned<RawContainment>>,
    #[serde(default)]
    layers: Vec<Spanned<RawLayer>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContainment {
    capabilities: String,
    #[serde(default = "yes")]
    initial_user_namespace: bool,
    #[serde(default)]
    own_network_namespace: bool,
    #[serde(default)]
    host_user_namespaces: bool,
    #[serde(default)]
    runtime_reach: Vec<RawRuntimeReach>,
    source: Option<RawSource>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRuntimeReach {
    subsystems: String,
    why: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLayer {
    name: Spanned<String>,
    kind: Spanned<String>,
    owner: Spanned<String>,
    shared: Option<bool>,
    size_kloc: Option<Spanned<f64>>,
    density: Option<Spanned<f64>>,
    /// `lines:BUCKET;BUCKET`: the size measured in the embedded line counts.
    size_from: Option<Spanned<String>>,
    /// `kernel-reach`, `cves:BUCKET;BUCKET` or `kernel-per-kloc`.
    density_from: Option<Spanned<String>>,
    size_source: Option<RawSource>,
    density_source: Option<RawSource>,
    #[serde(default)]
    interfaces: Vec<Spanned<RawInterface>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    basis: String,
    note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInterface {
    name: Option<String>,
    from: Spanned<String>,
    width: Option<Spanned<i64>>,
    /// Take the width from a table shipped with aprof instead of a literal.
    width_from: Option<Spanned<String>>,
    entry_points: Option<Spanned<i64>>,
    entry_points_from: Option<Spanned<String>>,
    #[serde(default)]
    entries: Vec<String>,
    guard: Option<Spanned<String>>,
    #[serde(default)]
    objects: Vec<String>,
    source: Option<RawSource>,
}

/// Widths that come from tables shipped with aprof.
fn table_width(reference: &str) -> Option<u32> {
    use aprof_footprint::Abi;
    match reference {
        "syscalls:x86_64" => Some(Abi::X86_64.table().len() as u32),
        "syscalls:i386" => Some(Abi::I386.table().len() as u32),
        "syscalls:x32" => Some(Abi::X32.table().len() as u32),
        _ => None,
    }
}

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
}

impl Ctx<'_> {
    fn line_of(&self, span: Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        self.text[..end].bytes().filter(|&b| b == b'\n').count() + 1
    }

    fn err(&self, span: Range<usize>, field: &str, message: impl Into<String>) -> StackError {
        StackError {
            file: self.file.to_owned(),
            line: self.line_of(span),
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Parse and check a stack from TOML text; `file` names it in errors.
pub fn parse_stack(file: &str, text: &str) -> Result<Stack, StackError> {
    let ctx = Ctx { file, text };
    let raw: RawStack = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let message = e.message().to_owned();
        // serde names the field in its message (`missing field `x``, `unknown field`).
        let field = message.split('`').nth(1).unwrap_or("-").to_owned();
        ctx.err(span, &field, message)
    })?;
    let name_span = raw.name.span();
    let name = raw.name.into_inner();
    if name.trim().is_empty() {
        return Err(ctx.err(name_span, "name", "the model needs a name"));
    }
    if raw.layers.is_empty() {
        return Err(ctx.err(
            name_span,
            "layers",
            "a stack needs at least one [[layers]] entry",
        ));
    }
    let mut seen = BTreeSet::new();
    let mut layers = Vec::new();
    for spanned in &raw.layers {
        let raw_layer = spanned.get_ref();
        let lname = raw_layer.name.get_ref().clone();
        if !seen.insert(lname.clone()) {
            return Err(ctx.err(
                raw_layer.name.span(),
                "layers.name",
                format!("duplicate layer '{lname}'"),
            ));
        }
        layers.push(check_layer(&ctx, spanned.span(), raw_layer)?);
    }
    // Every interface must come from a layer of this stack.
    for (raw_layer, layer) in raw.layers.iter().zip(&layers) {
        for (raw_if, iface) in raw_layer.get_ref().interfaces.iter().zip(&layer.interfaces) {
            if !seen.contains(&iface.from) || iface.from == layer.name {
                return Err(ctx.err(
                    raw_if.get_ref().from.span(),
                    "interfaces.from",
                    format!(
                        "'{}' is not another layer of this stack (layers: {})",
                        iface.from,
                        join(&seen)
                    ),
                ));
            }
        }
    }
    let containment = match &raw.containment {
        None => None,
        Some(c) => {
            let span = c.span();
            let c = c.get_ref();
            crate::guards::capability_set(&c.capabilities)
                .map_err(|e| ctx.err(span.clone(), "containment.capabilities", e))?;
            Some(ModelContainment {
                capabilities: c.capabilities.clone(),
                initial_user_namespace: c.initial_user_namespace,
                own_network_namespace: c.own_network_namespace,
                host_user_namespaces: c.host_user_namespaces,
                runtime_reach: c
                    .runtime_reach
                    .iter()
                    .map(|r| RuntimeReach {
                        subsystems: r
                            .subsystems
                            .split(';')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect(),
                        why: r.why.clone(),
                    })
                    .collect(),
                source: source(&ctx, span, c.source.as_ref())?,
            })
        }
    };
    Ok(Stack {
        name,
        title: raw.title.unwrap_or_default(),
        summary: raw.summary,
        containment,
        layers,
    })
}

fn join(names: &BTreeSet<String>) -> String {
    names.iter().cloned().collect::<Vec<_>>().join(", ")
}

fn check_layer(ctx: &Ctx, span: Range<usize>, raw: &RawLayer) -> Result<Layer, StackError> {
    let kind: LayerKind = serde_plain(raw.kind.get_ref()).ok_or_else(|| {
        ctx.err(
            raw.kind.span(),
            "layers.kind",
            format!(
                "unknown kind '{}' (expected application, libraries, language-runtime, guest-userland, shared-userland, guest-kernel, library-os, vmm, sandbox, host-kernel, hypervisor or hardware)",
                raw.kind.get_ref()
            ),
        )
    })?;
    let owner = match raw.owner.get_ref().as_str() {
        "tenant" => Owner::Tenant,
        "provider" | "csp" => Owner::Provider,
        other => {
            return Err(ctx.err(
                raw.owner.span(),
                "layers.owner",
                format!("unknown owner '{other}' (expected tenant or provider)"),
            ))
        }
    };
    let measured = crate::measured::resolve_layer(
        raw.size_kloc.as_ref().map(|s| (*s.get_ref(), s.span())),
        raw.density.as_ref().map(|s| (*s.get_ref(), s.span())),
        raw.size_from
            .as_ref()
            .map(|s| (s.get_ref().as_str(), s.span())),
        raw.density_from
            .as_ref()
            .map(|s| (s.get_ref().as_str(), s.span())),
    )
    .map_err(|(at, field, message)| ctx.err(at.unwrap_or(span.clone()), field, message))?;
    let (size, density) = (measured.size_kloc, measured.density);
    if !size.is_finite() || size < 0.0 {
        return Err(ctx.err(
            raw.size_kloc.as_ref().map_or(span.clone(), |s| s.span()),
            "layers.size_kloc",
            format!("size must be a number ≥ 0, not {size}"),
        ));
    }
    if !density.is_finite() || density < 0.0 {
        return Err(ctx.err(
            raw.density.as_ref().map_or(span.clone(), |s| s.span()),
            "layers.density",
            format!("density must be a number ≥ 0, not {density}"),
        ));
    }
    let shared = raw.shared.unwrap_or(false);
    if shared && raw.interfaces.is_empty() {
        return Err(ctx.err(
            span,
            "layers.interfaces",
            format!(
                "shared layer '{}' has no interface: say how the layers above reach it",
                raw.name.get_ref()
            ),
        ));
    }
    let mut interfaces = Vec::new();
    for ri in &raw.interfaces {
        interfaces.push(check_interface(ctx, ri.span(), ri.get_ref())?);
    }
    let mut size_source = source(ctx, span.clone(), raw.size_source.as_ref())?;
    let mut density_source = source(ctx, span.clone(), raw.density_source.as_ref())?;
    if let Some(note) = measured.size_note {
        size_source.note = format!("{} [{note}]", size_source.note);
    }
    if let Some(note) = measured.density_note {
        density_source.note = format!("{} [{note}]", density_source.note);
    }
    if measured.kernel_reach && !matches!(kind, LayerKind::HostKernel | LayerKind::GuestKernel) {
        return Err(ctx.err(
            span,
            "layers.density_from",
            "kernel-reach is for host-kernel and guest-kernel layers",
        ));
    }
    Ok(Layer {
        name: raw.name.get_ref().clone(),
        kind,
        owner,
        shared,
        size_kloc: size,
        density,
        size_source,
        density_source,
        kernel_reach: measured.kernel_reach,
        interfaces,
    })
}

fn check_interface(
    ctx: &Ctx,
    span: Range<usize>,
    raw: &RawInterface,
) -> Result<Interface, StackError> {
    let count = |lit: &Option<Spanned<i64>>,
                 from: &Option<Spanned<String>>,
                 field: &str|
     -> Result<Option<u32>, StackError> {
        match (lit, from) {
            (Some(_), Some(f)) => Err(ctx.err(
                f.span(),
                field,
                format!("give {field} or {field}_from, not both"),
            )),
            (Some(v), None) => u32::try_from(*v.get_ref()).map(Some).map_err(|_| {
                ctx.err(
                    v.span(),
                    field,
                    format!("must be a whole number ≥ 0, not {}", v.get_ref()),
                )
            }),
            (None, Some(f)) => table_width(f.get_ref()).map(Some).ok_or_else(|| {
                ctx.err(
                    f.span(),
                    &format!("{field}_from"),
                    format!(
                        "unknown table '{}' (known: syscalls:x86_64, syscalls:i386, syscalls:x32)",
                        f.get_ref()
                    ),
                )
            }),
            (None, None) => Ok(None),
        }
    };
    let derived = match (&raw.guard, raw.entries.is_empty()) {
        (Some(g), _) => crate::guards::model_guard(g.get_ref())
            .map(|g| Some(g.allowed_x86_64()))
            .map_err(|e| ctx.err(g.span(), "interfaces.guard", e))?,
        (None, false) => Some(raw.entries.len() as u32),
        (None, true) => None,
    };
    let width = match (count(&raw.width, &raw.width_from, "interfaces.width")?, derived) {
        (Some(w), Some(d)) if w != d => {
            return Err(ctx.err(
                span.clone(),
                "interfaces.width",
                format!("width {w} disagrees with the {d} syscalls its guard or entries allow"),
            ))
        }
        (Some(w), _) => Some(w),
        (None, d) => d,
    }
    .ok_or_else(|| {
        ctx.err(
            span.clone(),
            "interfaces.width",
            "missing: how many entry points the interface offers (width, width_from, guard or entries)",
        )
    })?;
    let entry_points = count(
        &raw.entry_points,
        &raw.entry_points_from,
        "interfaces.entry_points",
    )?
    .unwrap_or(width);
    if width > entry_points {
        return Err(ctx.err(
            span,
            "interfaces.width",
            format!("width {width} exceeds the layer's {entry_points} entry points"),
        ));
    }
    if entry_points == 0 {
        return Err(ctx.err(
            span,
            "interfaces.entry_points",
            "a layer reached through an interface has at least one entry point",
        ));
    }
    let guard = match &raw.guard {
        Some(g) => {
            crate::guards::model_guard(g.get_ref())
                .map_err(|e| ctx.err(g.span(), "interfaces.guard", e))?;
            Some(g.get_ref().clone())
        }
        None => None,
    };
    for object in &raw.objects {
        crate::guards::object_class(object)
            .map_err(|e| ctx.err(span.clone(), "interfaces.objects", e))?;
    }
    Ok(Interface {
        name: raw.name.clone().unwrap_or_else(|| "calls".into()),
        from: raw.from.get_ref().clone(),
        width,
        entry_points,
        entries: raw.entries.clone(),
        guard,
        objects: raw.objects.clone(),
        source: source(ctx, span, raw.source.as_ref())?,
    })
}

fn source(ctx: &Ctx, span: Range<usize>, raw: Option<&RawSource>) -> Result<Source, StackError> {
    let Some(raw) = raw else {
        return Ok(Source {
            basis: Basis::Assumption,
            note: "no source given".into(),
        });
    };
    let basis = match raw.basis.as_str() {
        "measured" => Basis::Measured,
        "published" => Basis::Published,
        "assumption" => Basis::Assumption,
        other => {
            return Err(ctx.err(
                span,
                "source.basis",
                format!("unknown basis '{other}' (expected measured, published or assumption)"),
            ))
        }
    };
    Ok(Source {
        basis,
        note: raw.note.clone(),
    })
}

/// Parse a kebab-case enum name through serde.
fn serde_plain<T: for<'de> Deserialize<'de>>(s: &str) -> Option<T> {
    T::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(s)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
name = "t"
title = "Test"

[[layers]]
name = "app"
kind = "application"
owner = "tenant"
size_kloc = 10
density = 0.1

[[layers]]
name = "kernel"
kind = "host-kernel"
owner = "provider"
shared = true
size_kloc = 100
density = 0.2
[[layers.interfaces]]
name = "syscalls"
from = "app"
width = 10
entry_points_from = "syscalls:x86_64"
"#;

    fn err(text: &str) -> StackError {
        parse_stack("s.toml", text).unwrap_err()
    }

    #[test]
    fn parses_a_good_stack() {
        let s = parse_stack("s.toml", GOOD).unwrap();
        assert_eq!(s.layers.len(), 2);
        let i = &s.layers[1].interfaces[0];
        assert_eq!(
            i.entry_points,
            aprof_footprint::Abi::X86_64.table().len() as u32
        );
    }

    #[test]
    fn unknown_owner_names_line_and_field() {
        let e = err(&GOOD.replace("owner = \"provider\"", "owner = \"landlord\""));
        assert_eq!((e.line, e.field.as_str()), (15, "layers.owner"), "{e}");
        assert!(e
            .to_string()
            .starts_with("s.toml:15: layers.owner: unknown owner 'landlord'"));
    }

    #[test]
    fn negative_size_is_refused() {
        let e = err(&GOOD.replace("size_kloc = 100", "size_kloc = -5"));
        assert_eq!((e.line, e.field.as_str()), (17, "layers.size_kloc"), "{e}");
    }

    #[test]
    fn missing_interface_of_shared_layer_is_refused() {
        let cut = GOOD.find("[[layers.interfaces]]").unwrap();
        let e = err(&GOOD[..cut]);
        assert_eq!(e.field, "layers.interfaces", "{e}");
        assert_eq!(e.line, 12);
    }

    #[test]
    fn duplicate_layer_is_refused() {
        let e = err(&GOOD.replace("name = \"kernel\"", "name = \"app\""));
        assert_eq!((e.line, e.field.as_str()), (13, "layers.name"), "{e}");
    }

    #[test]
    fn interface_from_unknown_layer_is_refused() {
        let e = err(&GOOD.replace("from = \"app\"", "from = \"nowhere\""));
        assert_eq!(e.field, "interfaces.from", "{e}");
        assert_eq!(e.line, 21);
    }

    #[test]
    fn syntax_errors_and_unknown_fields_name_the_line() {
        let e = err("name = \"x\"\n[[layers]]\nname = \n");
        assert_eq!(e.line, 3, "{e}");
        let e = err(&GOOD.replace("density = 0.1", "density = 0.1\ncolour = \"red\""));
        assert_eq!((e.line, e.field.as_str()), (11, "colour"), "{e}");
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(s in "(?s).{0,300}") {
            let _ = parse_stack("f", &s);
        }

        #[test]
        fn mutated_good_stack_never_panics(pos in 0usize..600, junk in "[=\\[\\]\"a-z0-9 .-]{0,5}") {
            let mut t = GOOD.to_owned();
            let p = pos.min(t.len());
            t.insert_str(p, &junk);
            let _ = parse_stack("f", &t);
        }
    }
}
