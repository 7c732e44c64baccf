//! Mapping kernel functions to source files: DWARF of a real compiler's
//! output (gcc, and clang when installed, which emits no .debug_aranges),
//! modules from a kallsyms and a modules.order, and the embedded name rules
//! checked against the fixtures' real trace names.

use aprof_density::functions::{FunctionMapper, NameRules};
use aprof_footprint::functions::{FunctionUse, KernelFunctions, MappedBy};
use std::path::Path;
use std::process::Command;

/// Build a small "kernel" from two subsystem directories with `cc`.
fn build(dir: &Path, cc: &str) -> Option<std::path::PathBuf> {
    std::fs::create_dir_all(dir.join("fs/ext9")).unwrap();
    std::fs::create_dir_all(dir.join("net/ipv9")).unwrap();
    std::fs::write(
        dir.join("fs/ext9/inode.c"),
        "int ext9_read(int x) { return x + 1; }\nint shared_name(int x) { return x; }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("net/ipv9/tcp.c"),
        "int tcp9_send(int x) { return x - 1; }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("main.c"),
        "int ext9_read(int); int tcp9_send(int); int shared_name(int);\nint main(void) { return ext9_read(1) + tcp9_send(2) + shared_name(3); }\n",
    )
    .unwrap();
    let out = dir.join(format!("vmlinux-{cc}"));
    let status = Command::new(cc)
        .current_dir(dir)
        .args(["-g", "-O1", "-fno-inline", "-o"])
        .arg(&out)
        .args(["fs/ext9/inode.c", "net/ipv9/tcp.c", "main.c"])
        .status()
        .ok()?;
    status.success().then_some(out)
}

fn check_dwarf(vmlinux: &Path) {
    let mapper = FunctionMapper::rules_only().with_vmlinux(vmlinux).unwrap();
    let read = mapper.locate("ext9_read").unwrap();
    assert_eq!(read.file.as_deref(), Some("fs/ext9/inode.c"));
    assert_eq!(read.subsystem, "fs/ext9");
    assert_eq!(read.by, MappedBy::Dwarf);
    let send = mapper.locate("tcp9_send").unwrap();
    assert_eq!(send.file.as_deref(), Some("net/ipv9/tcp.c"));
    assert_eq!(send.subsystem, "net/ipv9");
    // main.c is outside any kernel directory: no DWARF file, no rule.
    assert!(mapper
        .locate("main")
        .is_none_or(|l| l.by != MappedBy::Dwarf));
    // Build ids come from the ELF note (Debian's gcc links one in).
    if let Some(id) = mapper.build_id() {
        assert!(id.len() >= 16 && id.chars().all(|c| c.is_ascii_hexdigit()));
    }
}

#[test]
fn dwarf_of_a_gcc_build() {
    let dir = tempfile::tempdir().unwrap();
    let Some(vmlinux) = build(dir.path(), "gcc") else {
        return aprof_testkit::skip("gcc cannot build the test program");
    };
    check_dwarf(&vmlinux);
}

/// clang emits no `.debug_aranges` by default: units are then found by
/// their own address ranges. The same build without the section shows it.
#[test]
fn dwarf_without_aranges() {
    let dir = tempfile::tempdir().unwrap();
    let Some(vmlinux) = build(dir.path(), "gcc") else {
        return aprof_testkit::skip("gcc cannot build the test program");
    };
    let status = Command::new("objcopy")
        .arg("--remove-section=.debug_aranges")
        .arg(&vmlinux)
        .status();
    if !status.is_ok_and(|s| s.success()) {
        return aprof_testkit::skip("objcopy (binutils) is not installed");
    }
    let out = Command::new("readelf")
        .arg("-S")
        .arg(&vmlinux)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("debug_aranges"));
    check_dwarf(&vmlinux);
}

#[test]
fn not_elf_or_no_debug_info_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("vmlinuz");
    std::fs::write(&text, b"not an elf").unwrap();
    let err = FunctionMapper::rules_only()
        .with_vmlinux(&text)
        .err()
        .unwrap();
    assert!(err.to_string().contains("not an ELF"), "{err}");
    let Some(stripped) = build(dir.path(), "gcc") else {
        return aprof_testkit::skip("gcc cannot build the test program");
    };
    let status = Command::new("strip").arg(&stripped).status();
    if !status.is_ok_and(|s| s.success()) {
        return aprof_testkit::skip("strip (binutils) is not installed");
    }
    let err = FunctionMapper::rules_only()
        .with_vmlinux(&stripped)
        .err()
        .unwrap();
    assert!(err.to_string().contains("debug"), "{err}");
}

#[test]
fn modules_from_kallsyms_and_modules_order() {
    let dir = tempfile::tempdir().unwrap();
    let kallsyms = dir.path().join("kallsyms");
    std::fs::write(
        &kallsyms,
        "ffffffffc0a01000 t ext4_file_read_iter\t[ext4]\nffffffffc0b02000 T virtnet_poll\t[virtio_net]\nffffffff81000000 T _stext\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("modules.order"),
        "kernel/fs/ext4/ext4.ko\nkernel/drivers/net/virtio_net.ko\n",
    )
    .unwrap();
    let mapper = FunctionMapper::rules_only()
        .with_kallsyms(&kallsyms)
        .unwrap()
        .with_modules_dir(dir.path())
        .unwrap();
    let ext4 = mapper.locate("ext4_file_read_iter").unwrap();
    assert_eq!(
        (ext4.subsystem.as_str(), ext4.by),
        ("fs/ext4", MappedBy::Module)
    );
    let virtio = mapper.locate("virtnet_poll").unwrap();
    assert_eq!(virtio.subsystem, "drivers/net");
}

/// The names of the fixture traces (a Debian 6.1 guest kernel, the kernel
/// the rules were made from) and what the rules say, against the buckets of
/// their files from that kernel's DWARF, written down when the fixtures
/// were made (tests/fixtures/function-files.tsv).
#[test]
fn name_rules_agree_with_dwarf_on_traced_functions() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/function-files.tsv"),
    )
    .unwrap();
    let rules = NameRules::embedded();
    let mut total = 0;
    let mut wrong = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some((name, file)) = line.split_once('\t') else {
            continue;
        };
        total += 1;
        let expected = aprof_density::bucket_of(file);
        if rules.subsystem(name) != Some(expected.as_str()) {
            wrong.push(format!("{name}: {:?} vs {expected}", rules.subsystem(name)));
        }
    }
    assert!(total > 500, "{total}");
    // The exact rows come from the same DWARF: every traced name is placed.
    assert!(
        wrong.is_empty(),
        "{} of {total}: {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(10)]
    );
}

#[test]
fn a_section_is_mapped_and_counted() {
    let mut section = KernelFunctions::default();
    for name in ["vfs_read", "tcp_sendmsg", "no_such_function_anywhere_x"] {
        section
            .functions
            .insert(name.into(), FunctionUse::default());
    }
    FunctionMapper::rules_only().map(&mut section);
    let m = section.mapping.as_ref().unwrap();
    assert_eq!(m.mapped.get(&MappedBy::Rule), Some(&2));
    assert_eq!(m.unmapped, 1);
    assert_eq!(m.unmapped_examples, vec!["no_such_function_anywhere_x"]);
    assert_eq!(
        section.functions["vfs_read"].subsystem.as_deref(),
        Some("fs")
    );
    assert_eq!(
        section.functions["tcp_sendmsg"].subsystem.as_deref(),
        Some("net/ipv4")
    );
}
