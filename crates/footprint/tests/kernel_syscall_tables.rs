//! The syscall tables against the kernel's own: `syscall_64.tbl` and
//! `syscall_32.tbl` of Debian's `linux-source-6.1` (the independent source).
//! Every number the kernel assigns must have its name here, including the
//! reserved ones without an entry point (`uselib`, `tuxcall`, `vserver`, ...)
//! that a filter may still treat apart.

use aprof_footprint::abi::X32_SYSCALL_BIT;
use aprof_footprint::Abi;
use std::process::Command;

const SOURCE: &str = "/usr/src/linux-source-6.1.tar.xz";

/// One table file of the 6.1 tree, or why it cannot be read here.
fn kernel_table(name: &str) -> Result<String, String> {
    if !std::path::Path::new(SOURCE).exists() {
        return Err(format!(
            "{SOURCE} missing (apt-get install linux-source-6.1)"
        ));
    }
    let member = format!("linux-source-6.1/arch/x86/entry/syscalls/{name}");
    let out = Command::new("tar")
        .args(["-xJOf", SOURCE, &member])
        .output()
        .map_err(|e| format!("tar: {e}"))?;
    if !out.status.success() || out.stdout.is_empty() {
        return Err(format!(
            "tar -xJOf {SOURCE} {member}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| e.to_string())
}

/// `(number, abi column, name)` of each entry of a `.tbl` file.
fn entries(table: &str) -> Vec<(u32, String, String)> {
    table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            (cols[0].parse().unwrap(), cols[1].into(), cols[2].into())
        })
        .collect()
}

#[test]
fn every_x86_64_and_x32_number_of_the_kernel_has_its_name() {
    let table = match kernel_table("syscall_64.tbl") {
        Ok(t) => t,
        Err(reason) => return aprof_testkit::skip(&reason),
    };
    let entries = entries(&table);
    assert!(entries.len() > 350, "{} entries", entries.len());
    let mut missing = Vec::new();
    for (nr, abi, name) in &entries {
        let checks: &[(Abi, u32)] = match abi.as_str() {
            "64" => &[(Abi::X86_64, *nr)],
            "x32" => &[(Abi::X32, nr | X32_SYSCALL_BIT)],
            "common" => &[(Abi::X86_64, *nr), (Abi::X32, nr | X32_SYSCALL_BIT)],
            other => panic!("unknown abi column {other}"),
        };
        for &(abi, number) in checks {
            if abi.table().name(number) != Some(name.as_str()) {
                missing.push(format!(
                    "{abi} {number}: {name} (we have {:?})",
                    abi.table().name(number)
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
    // The numbers issue 13 found missing, by name.
    for (nr, name) in [
        (134, "uselib"),
        (156, "_sysctl"),
        (185, "security"),
        (236, "vserver"),
    ] {
        assert_eq!(Abi::X86_64.table().name(nr), Some(name));
    }
    // A `64` entry is not x32's; a `common` one is.
    assert_eq!(Abi::X32.table().name(134 | X32_SYSCALL_BIT), None);
    assert_eq!(
        Abi::X32.table().number("tuxcall"),
        Some(184 | X32_SYSCALL_BIT)
    );
}

#[test]
fn every_i386_number_of_the_kernel_has_its_name() {
    let table = match kernel_table("syscall_32.tbl") {
        Ok(t) => t,
        Err(reason) => return aprof_testkit::skip(&reason),
    };
    let entries = entries(&table);
    assert!(entries.len() > 400, "{} entries", entries.len());
    let missing: Vec<String> = entries
        .iter()
        .filter(|(nr, _, name)| Abi::I386.table().name(*nr) != Some(name.as_str()))
        .map(|(nr, _, name)| format!("{nr}: {name} (we have {:?})", Abi::I386.table().name(*nr)))
        .collect();
    assert!(missing.is_empty(), "{missing:#?}");
}
