//! The executable code a process maps, from `/proc/PID/maps`: binaries and
//! shared libraries with their file size, executable bytes and GNU
//! build-id, merged into the footprint's `code` by path.
//!
//! Files are opened through `/proc/PID/map_files/` (the very file mapped,
//! even when deleted or in another mount namespace) and, failing that,
//! `/proc/PID/root/PATH`. The vdso is kept as `[vdso]`, its build-id read
//! from the process's memory; `[vsyscall]` and anonymous code are left out.

use super::elf;
use super::memory;
use aprof_footprint::{Footprint, MappedCode};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::os::unix::fs::MetadataExt;

/// One line of `/proc/PID/maps`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub start: u64,
    pub end: u64,
    pub perms: String,
    pub offset: u64,
    pub inode: u64,
    /// The path, `[vdso]`-style pseudo name, or empty for anonymous memory.
    pub path: String,
}

impl Mapping {
    pub fn executable(&self) -> bool {
        self.perms.as_bytes().get(2) == Some(&b'x')
    }
    pub fn len(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }
}

/// Parses one maps line; `None` for malformed lines.
pub fn parse_line(line: &str) -> Option<Mapping> {
    // Fields are separated by single spaces, the path by padding spaces.
    let mut rest = line;
    let mut field = || -> Option<&str> {
        let trimmed = rest.trim_start();
        let end = trimmed.find(' ').unwrap_or(trimmed.len());
        let (f, r) = trimmed.split_at(end);
        rest = r;
        (!f.is_empty()).then_some(f)
    };
    let range = field()?;
    let perms = field()?.to_owned();
    let offset = u64::from_str_radix(field()?, 16).ok()?;
    let _dev = field()?;
    let inode = field()?.parse().ok()?;
    let (start, end) = range.split_once('-')?;
    let start = u64::from_str_radix(start, 16).ok()?;
    let end = u64::from_str_radix(end, 16).ok()?;
    if perms.len() != 4 {
        return None;
    }
    Some(Mapping {
        start,
        end,
        perms,
        offset,
        inode,
        path: rest.trim_start().to_owned(),
    })
}

/// The executable mappings of a maps text worth recording, grouped by path:
/// (path -> (mappings in order)). File-backed ones and `[vdso]`.
pub fn executable_by_path(text: &str) -> BTreeMap<String, Vec<Mapping>> {
    let mut out: BTreeMap<String, Vec<Mapping>> = BTreeMap::new();
    for m in text.lines().filter_map(parse_line) {
        if !m.executable() {
            continue;
        }
        let keep = m.path == "[vdso]" || (m.path.starts_with('/') && m.inode != 0);
        if keep {
            out.entry(m.path.clone()).or_default().push(m);
        }
    }
    out
}

/// What is known about one mapped file, cached across processes.
#[derive(Debug, Clone)]
struct FileInfo {
    size: u64,
    build_id: Option<String>,
}

/// Scans processes' maps and merges their code into a footprint.
#[derive(Debug, Default)]
pub struct CodeScanner {
    /// (tgid, path) pairs already counted in `MappedCode::processes`.
    counted: HashSet<(i32, String)>,
    /// By (device, inode, size, mtime) of the opened file.
    files: HashMap<(u64, u64, u64, i64), FileInfo>,
}

impl CodeScanner {
    /// Reads `/proc/TGID/maps` and merges the executable mappings into `fp`.
    pub fn scan(&mut self, fp: &mut Footprint, tgid: i32) -> bool {
        let Ok(text) = std::fs::read_to_string(format!("/proc/{tgid}/maps")) else {
            return false;
        };
        for (path, mappings) in executable_by_path(&text) {
            let exec_bytes: u64 = mappings.iter().map(Mapping::len).sum();
            let info = if path == "[vdso]" {
                mappings.first().map(|m| vdso_info(tgid, m))
            } else {
                mappings.first().and_then(|m| self.file_info(tgid, m))
            };
            self.merge(fp, tgid, &path, exec_bytes, info);
        }
        true
    }

    /// Records one executable mapping of `path` seen at an mmap call, whose
    /// file is reachable as `/proc/TID/fd/FD`.
    pub fn add_mapped_fd(&mut self, fp: &mut Footprint, tgid: i32, tid: i32, fd: i32, len: u64) {
        let link = format!("/proc/{tid}/fd/{fd}");
        let Ok(path) = std::fs::read_link(&link) else {
            return;
        };
        let path = path.to_string_lossy().into_owned();
        let info = File::open(&link).ok().and_then(|f| self.info_of(&f));
        self.merge(fp, tgid, &path, len, info);
    }

    /// Forgets which paths a pid was counted for (the pid is new again).
    pub fn forget_process(&mut self, tgid: i32) {
        self.counted.retain(|(pid, _)| *pid != tgid);
    }

    fn merge(
        &mut self,
        fp: &mut Footprint,
        tgid: i32,
        path: &str,
        exec_bytes: u64,
        info: Option<FileInfo>,
    ) {
        let newly_counted = self.counted.insert((tgid, path.to_owned()));
        let idx = match fp.code.iter().position(|c| c.path == path) {
            Some(i) => i,
            None => {
                fp.code.push(MappedCode {
                    path: path.to_owned(),
                    size: 0,
                    exec_bytes: 0,
                    build_id: None,
                    processes: 0,
                });
                fp.code.len() - 1
            }
        };
        let code = &mut fp.code[idx];
        if newly_counted {
            code.processes += 1;
        }
        code.exec_bytes = code.exec_bytes.max(exec_bytes);
        if let Some(info) = info {
            if code.size == 0 {
                code.size = info.size;
            }
            if code.build_id.is_none() {
                code.build_id = info.build_id;
            }
        }
    }

    fn file_info(&mut self, tgid: i32, m: &Mapping) -> Option<FileInfo> {
        let by_map = format!("/proc/{tgid}/map_files/{:x}-{:x}", m.start, m.end);
        let path = m.path.strip_suffix(" (deleted)").unwrap_or(&m.path);
        let file = File::open(by_map)
            .or_else(|_| File::open(format!("/proc/{tgid}/root{path}")))
            .ok()?;
        self.info_of(&file)
    }

    fn info_of(&mut self, file: &File) -> Option<FileInfo> {
        let meta = file.metadata().ok()?;
        if !meta.is_file() {
            return None;
        }
        let key = (meta.dev(), meta.ino(), meta.size(), meta.mtime());
        let info = self.files.entry(key).or_insert_with(|| FileInfo {
            size: meta.size(),
            build_id: elf::build_id(file),
        });
        Some(info.clone())
    }
}

/// The vdso's size and build-id, read from the process's memory.
fn vdso_info(tgid: i32, m: &Mapping) -> FileInfo {
    let len = m.len().min(1 << 20) as usize;
    let mut image = vec![0u8; len];
    let build_id = if memory::read_exact(tgid, m.start, &mut image) {
        elf::build_id(&image[..])
    } else {
        None
    };
    FileInfo {
        size: m.len(),
        build_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MAPS: &str = "\
55d0c0a00000-55d0c0a04000 r--p 00000000 fe:01 1310742                    /usr/bin/cat
55d0c0a04000-55d0c0a09000 r-xp 00004000 fe:01 1310742                    /usr/bin/cat
7f1e2c028000-7f1e2c1ad000 r-xp 00028000 fe:01 1315603                    /usr/lib/x86_64-linux-gnu/libc.so.6
7f1e2c200000-7f1e2c201000 r-xp 00000000 00:00 0 
7ffd7d5f2000-7ffd7d5f4000 r-xp 00000000 00:00 0                          [vdso]
7f00-7f01 r-xp 00000000 fe:01 77                         /tmp/with space (deleted)
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
";

    #[test]
    fn parses_maps_lines() {
        let m = parse_line(
            "7f1e2c028000-7f1e2c1ad000 r-xp 00028000 fe:01 1315603   /usr/lib/libc.so.6",
        )
        .expect("line");
        assert_eq!(m.start, 0x7f1e2c028000);
        assert_eq!(m.len(), 0x185000);
        assert_eq!(m.offset, 0x28000);
        assert_eq!(m.inode, 1315603);
        assert_eq!(m.path, "/usr/lib/libc.so.6");
        assert!(m.executable());
        let anon = parse_line("7f00-7f01 rw-p 00000000 00:00 0").expect("anon");
        assert_eq!(anon.path, "");
        assert_eq!(parse_line("nonsense"), None);
    }

    #[test]
    fn keeps_files_and_vdso_only() {
        let by_path = executable_by_path(MAPS);
        let paths: Vec<&str> = by_path.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            [
                "/tmp/with space (deleted)",
                "/usr/bin/cat",
                "/usr/lib/x86_64-linux-gnu/libc.so.6",
                "[vdso]"
            ]
        );
        assert_eq!(by_path["/usr/bin/cat"][0].len(), 0x5000);
    }

    #[test]
    fn scans_this_process() {
        let me = std::process::id() as i32;
        let mut fp = Footprint::default();
        let mut scanner = CodeScanner::default();
        assert!(scanner.scan(&mut fp, me));
        assert!(scanner.scan(&mut fp, me));
        let exe = std::fs::read_link("/proc/self/exe").expect("exe");
        let exe = exe.to_string_lossy();
        let own = fp.code.iter().find(|c| c.path == exe).expect("own binary");
        assert_eq!(own.processes, 1, "the same process counts once");
        assert!(own.size > 0 && own.exec_bytes > 0);
        let vdso = fp.code.iter().find(|c| c.path == "[vdso]").expect("vdso");
        assert!(vdso.build_id.is_some(), "the vdso has a build-id note");
    }

    proptest! {
        #[test]
        fn maps_parser_never_panics(text in "\\PC{0,300}") {
            let _ = executable_by_path(&text);
        }

        #[test]
        fn maps_lines_round_trip(start in 0u64..(1 << 47), len in 1u64..(1 << 30),
                                 inode in 1u64..(1 << 40), path in "/[a-z ]{1,20}") {
            let line = format!("{:x}-{:x} r-xp 00000000 fe:01 {inode}   {path}", start, start + len);
            let m = parse_line(&line).expect("parses");
            prop_assert_eq!(m.len(), len);
            prop_assert_eq!(m.path, path);
        }
    }
}
