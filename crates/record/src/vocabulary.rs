//! The footprint's one vocabulary, shared by the ptrace recorder's decoder
//! and the strace importer, so that a recording and an import of the same
//! run say the same thing (and `aprof check` sees no drift between them):
//! which argument values are kept, under which label, how each value is
//! named, and how several names of one value are joined.
//!
//! Names come from [`aprof_footprint::names`]; the importer parses strace's
//! text to the number and names the number here, never keeping strace's
//! spelling.

use aprof_footprint::{names, Footprint, ValueUse};

/// What an argument value is, which decides how it is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    CloneFlags,
    Clone3Flags,
    NamespaceFlags,
    SocketFamily,
    SocketType,
    SocketProtocol,
    IoctlRequest,
    FcntlCommand,
    PrctlOption,
    ArchPrctlCode,
    SocketLevel,
    SocketOption,
    Protection,
    MmapFlags,
    Personality,
    MountFlags,
    UmountFlags,
    /// A string (filesystem type), kept by [`names::string_key`].
    FsName,
    BpfCommand,
    SeccompOperation,
    SeccompFilterFlags,
    WaitidIdtype,
    SocketcallCall,
}

/// One kept argument: its 0-based index, label and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kept {
    pub index: u8,
    pub label: &'static str,
    pub kind: Kind,
}

const fn k(index: u8, label: &'static str, kind: Kind) -> Kept {
    Kept { index, label, kind }
}

const SOCKET: &[Kept] = &[
    k(0, "family", Kind::SocketFamily),
    k(1, "type", Kind::SocketType),
    k(2, "protocol", Kind::SocketProtocol),
];
const SOCKOPT: &[Kept] = &[
    k(1, "level", Kind::SocketLevel),
    k(2, "option", Kind::SocketOption),
];
const MMAP: &[Kept] = &[
    k(2, "prot", Kind::Protection),
    k(3, "flags", Kind::MmapFlags),
];
const PROT: &[Kept] = &[k(2, "prot", Kind::Protection)];
const FCNTL: &[Kept] = &[k(1, "cmd", Kind::FcntlCommand)];

/// Every syscall with kept arguments.
const KEPT: &[(&str, &[Kept])] = &[
    ("ioctl", &[k(1, "request", Kind::IoctlRequest)]),
    ("clone", &[k(0, "flags", Kind::CloneFlags)]),
    ("clone3", &[k(0, "clone_args.flags", Kind::Clone3Flags)]),
    ("unshare", &[k(0, "flags", Kind::NamespaceFlags)]),
    ("setns", &[k(1, "nstype", Kind::NamespaceFlags)]),
    ("socket", SOCKET),
    ("socketpair", SOCKET),
    ("setsockopt", SOCKOPT),
    ("getsockopt", SOCKOPT),
    ("fcntl", FCNTL),
    ("fcntl64", FCNTL),
    ("prctl", &[k(0, "option", Kind::PrctlOption)]),
    ("arch_prctl", &[k(0, "code", Kind::ArchPrctlCode)]),
    ("personality", &[k(0, "persona", Kind::Personality)]),
    (
        "mount",
        &[
            k(2, "fstype", Kind::FsName),
            k(3, "flags", Kind::MountFlags),
        ],
    ),
    ("fsopen", &[k(0, "fsname", Kind::FsName)]),
    ("umount2", &[k(1, "flags", Kind::UmountFlags)]),
    ("mmap", MMAP),
    ("mmap2", MMAP),
    ("mprotect", PROT),
    ("pkey_mprotect", PROT),
    ("socketcall", &[k(0, "call", Kind::SocketcallCall)]),
    ("bpf", &[k(0, "cmd", Kind::BpfCommand)]),
    (
        "seccomp",
        &[
            k(0, "operation", Kind::SeccompOperation),
            k(1, "flags", Kind::SeccompFilterFlags),
        ],
    ),
    ("waitid", &[k(0, "idtype", Kind::WaitidIdtype)]),
];

/// The argument values the footprint keeps for `syscall` (its own name;
/// an i386 `socketcall:NAME` sub-call is looked up as NAME).
pub fn kept(syscall: &str) -> &'static [Kept] {
    let name = syscall.strip_prefix("socketcall:").unwrap_or(syscall);
    KEPT.iter()
        .find(|(n, _)| *n == name)
        .map_or(&[], |(_, kept)| kept)
}

/// The kept argument `index` of `syscall`, if it is kept.
pub fn kept_at(syscall: &str, index: u8) -> Option<Kept> {
    kept(syscall).iter().copied().find(|k| k.index == index)
}

/// What a name may depend on besides the value.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The call's other arguments (the family of a protocol, the level of
    /// a socket option).
    pub args: [u64; 6],
    /// The i386 ABI, whose fcntl has its own lock commands.
    pub i386: bool,
    /// `clone_args.exit_signal` of a clone3.
    pub exit_signal: Option<u64>,
    /// The string of a [`Kind::FsName`] value.
    pub text: Option<String>,
}

/// The name of `value`, as both recorders write it.
pub fn name(kind: Kind, value: u64, ctx: &Context) -> Option<String> {
    let owned = |n: Option<&str>| n.map(str::to_owned);
    match kind {
        Kind::CloneFlags => Some(names::clone_flags(value)),
        Kind::Clone3Flags => {
            let flags = names::clone3_flags(value);
            Some(match ctx.exit_signal.filter(|&s| s != 0) {
                Some(signal) => format!("{flags} exit_signal={}", names::signal_name(signal)),
                None => flags,
            })
        }
        Kind::NamespaceFlags => Some(names::namespace_flags(value)),
        Kind::SocketFamily => Some(names::family_name(value)),
        Kind::SocketType => Some(names::socket_type(value)),
        Kind::SocketProtocol => Some(names::protocol_name(ctx.args[0], value)),
        Kind::IoctlRequest => owned(names::ioctl::ioctl_name(value)),
        Kind::FcntlCommand => owned(names::fcntl_cmd(value, ctx.i386)),
        Kind::PrctlOption => owned(names::prctl_option(value)),
        Kind::ArchPrctlCode => owned(names::arch_prctl_code(value)),
        Kind::SocketLevel => Some(names::sockopt_level(value)),
        Kind::SocketOption => Some(names::sockopt(ctx.args[1] & 0xffff_ffff, value)),
        Kind::Protection => Some(names::prot(value)),
        Kind::MmapFlags => Some(names::mmap_flags(value)),
        Kind::Personality => Some(names::personality(value)),
        Kind::MountFlags => Some(names::mount_flags(value)),
        Kind::UmountFlags => Some(names::umount_flags(value)),
        Kind::FsName => ctx.text.clone(),
        Kind::BpfCommand => owned(names::bpf_cmd(value)),
        Kind::SeccompOperation => owned(names::seccomp_operation(value)),
        Kind::SeccompFilterFlags => Some(names::seccomp_filter_flags(value)),
        Kind::WaitidIdtype => owned(names::waitid_idtype(value)),
        Kind::SocketcallCall => crate::decode::syscalls::socketcall(value)
            .map(|(call, _)| format!("SYS_{}", call.to_ascii_uppercase())),
    }
}

/// Whether a value's name depends on more than the value, so that one
/// value may carry several names (one option number on two levels).
fn name_has_context(kind: Kind) -> bool {
    matches!(kind, Kind::SocketOption | Kind::Clone3Flags)
}

/// How several names of one value are joined.
pub const NAME_SEPARATOR: char = ',';

/// Count one value of argument `kept` of `syscall` (as labelled in the
/// footprint), naming it (lazily: `name` runs when the name is new).
pub fn count(
    fp: &mut Footprint,
    syscall: &str,
    kept: Kept,
    value: u64,
    name: impl FnOnce() -> Option<String>,
) {
    let key = format!("{syscall}/{}", kept.index);
    let known = fp
        .arguments
        .get_mut(&key)
        .and_then(|a| a.values.get_mut(&value));
    match known {
        Some(v) if !name_has_context(kept.kind) => v.count += 1,
        Some(v) => {
            v.count += 1;
            if let Some(new) = name() {
                merge_name(v, &new);
            }
        }
        None => fp.count_argument(syscall, kept.index, kept.label, value, name()),
    }
}

fn merge_name(v: &mut ValueUse, new: &str) {
    match &mut v.name {
        Some(existing) if !existing.split(NAME_SEPARATOR).any(|n| n == new) => {
            existing.push(NAME_SEPARATOR);
            existing.push_str(new);
        }
        Some(_) => {}
        None => v.name = Some(new.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_on_two_levels_keeps_both_names() {
        let mut fp = Footprint::default();
        let option = kept_at("setsockopt", 2).unwrap();
        for level in [1, 6] {
            let ctx = Context {
                args: [0, level, 2, 0, 0, 0],
                ..Default::default()
            };
            count(&mut fp, "setsockopt", option, 2, || {
                name(option.kind, 2, &ctx)
            });
        }
        let v = &fp.arguments["setsockopt/2"].values[&2];
        assert_eq!(v.count, 2);
        assert_eq!(
            v.name.as_deref(),
            Some("SOL_SOCKET/SO_REUSEADDR,SOL_TCP/TCP_MAXSEG")
        );
    }

    #[test]
    fn socketcall_subcalls_keep_their_calls_arguments() {
        assert_eq!(kept("socketcall:socket"), kept("socket"));
        assert_eq!(kept_at("mmap", 3).map(|k| k.label), Some("flags"));
        assert_eq!(kept_at("mount", 3).map(|k| k.label), Some("flags"));
        assert!(kept("read").is_empty());
    }
}
