//! Round trips of real programs through the real `aprof` binary:
//! `aprof seccomp validate --json-out FILE -- CMD` records CMD, generates its
//! profile, reruns CMD under it, and must see zero denied syscalls and a
//! successful workload. Covers coreutils, python3 (threads, subprocess),
//! git, sqlite3, clients of a local HTTP server, redis-server under
//! redis-benchmark, nginx with curl, compressors, dd and openssl.
//!
//! Each workload is deterministic: inputs are generated here, state lives
//! in fresh temporary directories made inside the validated command, and
//! waits that depend on timing run `sleep` at least once so both runs
//! execute the same programs. Needs root (ptrace, seccomp) like the rest
//! of aprof's tests; a program that is not installed is skipped with its
//! reason printed.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const APROF: &str = env!("CARGO_BIN_EXE_aprof");
/// One round trip (record + rerun) of any workload here takes seconds;
/// this only stops a hung one from hanging the suite.
const WATCHDOG: Duration = Duration::from_secs(90);

/// Where `program` is on `$PATH`, if it is installed.
fn which(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        return Path::new(program).is_file().then(|| PathBuf::from(program));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    })
}

/// Skip (return true, with the reason printed) unless every program is installed.
fn missing(programs: &[&str]) -> bool {
    let absent: Vec<&str> = programs
        .iter()
        .copied()
        .filter(|p| which(p).is_none())
        .collect();
    if absent.is_empty() {
        return false;
    }
    aprof_testkit::skip(&format!(
        "not installed: {} (apt-get install -y redis-server redis-tools nginx-light sqlite3 git curl xz-utils openssl)",
        absent.join(", ")
    ));
    true
}

/// The distribution's python3 rather than a version-manager shim, when there is one.
fn python3() -> &'static str {
    if Path::new("/usr/bin/python3").is_file() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

/// Run `aprof ARGS` with a watchdog; (exit code, stdout, stderr).
fn aprof(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let mut child = Command::new(APROF)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("aprof starts");
    let out_reader = read_in_background(child.stdout.take().expect("piped"));
    let err_reader = read_in_background(child.stderr.take().expect("piped"));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for aprof") {
            break status;
        }
        if started.elapsed() > WATCHDOG {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "aprof {args:?} still running after {WATCHDOG:?}; stderr:\n{}",
                err_reader.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (
        status.code().unwrap_or(-1),
        out_reader.join().unwrap_or_default(),
        err_reader.join().unwrap_or_default(),
    )
}

fn read_in_background(
    mut r: impl std::io::Read + Send + 'static,
) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// Validate CMD and require zero denials, a successful workload and the
/// recorded run's exit code. The report goes to a file: stdout is the
/// workload's.
fn round_trip(cmd: &[&str], cwd: &Path) {
    let report_dir = tempdir();
    let report_path = report_dir.path().join("report.json");
    let mut args = vec![
        "seccomp",
        "validate",
        "--json-out",
        report_path.to_str().expect("utf-8 path"),
        "--",
    ];
    args.extend_from_slice(cmd);
    let (code, _stdout, stderr) = aprof(&args, cwd);
    assert!(
        code == 0 || code == 1,
        "aprof failed to validate {cmd:?} (exit {code}):\n{stderr}"
    );
    let text = std::fs::read_to_string(&report_path).expect("report written");
    let r: Value = serde_json::from_str(&text).expect("report is JSON");
    assert_eq!(r["kind"], "seccomp-validation");
    let denials = r["denials"].as_array().expect("denials array");
    assert!(
        denials.is_empty() && r["pass"] == true && code == 0,
        "{cmd:?}: the generated profile denied syscalls the workload needs, or it ended differently:\n{}\nstderr:\n{stderr}",
        serde_json::to_string_pretty(&r).unwrap_or_default()
    );
    assert_eq!(
        r["exit_code"], 0,
        "{cmd:?} itself failed under the profile; stderr:\n{stderr}"
    );
    assert_eq!(r["exit_code_matches"], true);
    assert!(
        !stderr.contains("the recorded run exited with"),
        "{cmd:?} failed while being recorded:\n{stderr}"
    );
}

fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("aprof-roundtrip-")
        .tempdir()
        .expect("tempdir")
}

/// `lines` lines of pseudo-random words from a fixed seed.
fn write_words(path: &Path, lines: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create input"));
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..lines {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        writeln!(f, "{:016x} line {i} {}", x, x % 1000).expect("write input");
    }
}

fn write_script(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, body).expect("write script");
    path.display().to_string()
}

/// A TCP port that was free a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free port")
        .port()
}

/// Wait until something accepts on the port.
fn wait_for_port(port: u16) {
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "nothing listens on port {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A child process killed when dropped (a server outside the validated command).
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn http_server(root: &Path) -> (Server, u16) {
    let port = free_port();
    let child = Command::new(python3())
        .args([
            "-m",
            "http.server",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--directory",
        ])
        .arg(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 -m http.server starts");
    let server = Server(child);
    wait_for_port(port);
    (server, port)
}

#[test]
fn ls_lists_a_directory() {
    let d = tempdir();
    for name in ["a", "b", "c"] {
        std::fs::write(d.path().join(name), name).expect("write");
    }
    round_trip(
        &[
            "ls",
            "-la",
            "--color=never",
            &d.path().display().to_string(),
        ],
        d.path(),
    );
}

#[test]
fn cat_reads_a_file() {
    let d = tempdir();
    write_words(&d.path().join("in.txt"), 2000);
    round_trip(&["cat", "in.txt"], d.path());
}

#[test]
fn sort_sorts_a_file() {
    let d = tempdir();
    write_words(&d.path().join("in.txt"), 50_000);
    round_trip(&["sort", "-k2", "in.txt", "-o", "out.txt"], d.path());
}

#[test]
fn sort_with_two_threads_is_a_threaded_program() {
    let d = tempdir();
    write_words(&d.path().join("in.txt"), 300_000);
    round_trip(
        &[
            "sort",
            "--parallel=2",
            "-S",
            "64M",
            "in.txt",
            "-o",
            "out.txt",
        ],
        d.path(),
    );
}

#[test]
fn find_walks_a_tree() {
    let d = tempdir();
    for sub in ["x/y/z", "x/w", "v"] {
        std::fs::create_dir_all(d.path().join(sub)).expect("mkdir");
        std::fs::write(d.path().join(sub).join("f.txt"), "f").expect("write");
    }
    round_trip(&["find", ".", "-name", "*.txt", "-type", "f"], d.path());
}

#[test]
fn tar_czf_forks_gzip() {
    if missing(&["tar", "gzip"]) {
        return;
    }
    let d = tempdir();
    std::fs::create_dir(d.path().join("src")).expect("mkdir");
    write_words(&d.path().join("src/words.txt"), 20_000);
    round_trip(&["tar", "czf", "out.tgz", "src"], d.path());
}

#[test]
fn dd_copies_blocks() {
    let d = tempdir();
    round_trip(
        &[
            "dd",
            "if=/dev/zero",
            "of=out.bin",
            "bs=64k",
            "count=64",
            "status=none",
        ],
        d.path(),
    );
}

#[test]
fn gzip_compresses_to_stdout() {
    if missing(&["gzip"]) {
        return;
    }
    let d = tempdir();
    write_words(&d.path().join("in.txt"), 50_000);
    let script = write_script(
        d.path(),
        "gz.sh",
        "gzip -9 -c in.txt > in.txt.gz && gzip -t in.txt.gz\n",
    );
    round_trip(&["sh", &script], d.path());
}

#[test]
fn xz_compresses_with_two_threads() {
    if missing(&["xz"]) {
        return;
    }
    let d = tempdir();
    write_words(&d.path().join("in.txt"), 50_000);
    let script = write_script(
        d.path(),
        "xz.sh",
        "xz -T2 -6 -c in.txt > in.txt.xz && xz -t in.txt.xz\n",
    );
    round_trip(&["sh", &script], d.path());
}

#[test]
fn openssl_hashes_and_encrypts() {
    if missing(&["openssl"]) {
        return;
    }
    let d = tempdir();
    write_words(&d.path().join("in.txt"), 20_000);
    let script = write_script(
        d.path(),
        "ssl.sh",
        "openssl dgst -sha256 in.txt\nopenssl enc -aes-256-cbc -pbkdf2 -pass pass:aprof -S 0011223344556677 -in in.txt -out in.enc\n",
    );
    round_trip(&["sh", &script], d.path());
}

#[test]
fn sh_pipeline_forks_and_execs() {
    let d = tempdir();
    write_words(&d.path().join("in.txt"), 5000);
    round_trip(
        &[
            "sh",
            "-c",
            // tail, not head: a reader that quits early makes its writer's
            // SIGPIPE (and sort's re-raise of it) a matter of timing.
            "cat in.txt | grep 'line 1' | sort -r | tail -n 5 | wc -l",
        ],
        d.path(),
    );
}

#[test]
fn python3_threads() {
    if missing(&[python3()]) {
        return;
    }
    let d = tempdir();
    let script = write_script(
        d.path(),
        "threads.py",
        r#"import threading, hashlib
out = [None] * 4
def work(i):
    h = hashlib.sha256()
    for k in range(20000):
        h.update(str(k * i).encode())
    out[i] = h.hexdigest()
ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for t in ts: t.start()
for t in ts: t.join()
assert len(set(out)) == 4
"#,
    );
    round_trip(&[python3(), &script], d.path());
}

#[test]
fn python3_subprocess_forks_and_execs() {
    if missing(&[python3()]) {
        return;
    }
    let d = tempdir();
    let script = write_script(
        d.path(),
        "sub.py",
        r#"import subprocess
r = subprocess.run(["echo", "hi"], capture_output=True, check=True)
assert r.stdout == b"hi\n"
print(subprocess.check_output("ls / | wc -l", shell=True).decode().strip())
"#,
    );
    round_trip(&[python3(), &script], d.path());
}

#[test]
fn git_init_and_commit() {
    if missing(&["git"]) {
        return;
    }
    let d = tempdir();
    let home = d.path().display().to_string();
    // A fresh repository per run, so the rerun does what the recording did.
    let script = format!(
        "export HOME={home} GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_DATE=2020-01-01T00:00:00Z GIT_COMMITTER_DATE=2020-01-01T00:00:00Z\n\
         r=$(mktemp -d -p {home}) && cd \"$r\" && git init -q && echo a > f && git add f && \
         git -c user.name=t -c user.email=t@example.com commit -qm first && git log --oneline | wc -l\n"
    );
    let script = write_script(d.path(), "git.sh", &script);
    round_trip(&["sh", &script], d.path());
}

#[test]
fn sqlite3_creates_inserts_selects() {
    if missing(&["sqlite3"]) {
        return;
    }
    let d = tempdir();
    let script = write_script(
        d.path(),
        "db.sh",
        "rm -f t.db\nsqlite3 t.db 'create table t(a integer, b text); insert into t values (1, \"x\"), (2, \"y\"); select count(*), sum(a) from t;'\n",
    );
    round_trip(&["sh", &script], d.path());
}

#[test]
fn curl_fetches_from_a_local_http_server() {
    if missing(&["curl", python3()]) {
        return;
    }
    let d = tempdir();
    std::fs::write(d.path().join("index.html"), "hello\n").expect("write");
    let (_server, port) = http_server(d.path());
    round_trip(
        &[
            "curl",
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}\\n",
            &format!("http://127.0.0.1:{port}/index.html"),
        ],
        d.path(),
    );
}

#[test]
fn python3_urllib_fetches_from_a_local_http_server() {
    if missing(&[python3()]) {
        return;
    }
    let d = tempdir();
    std::fs::write(d.path().join("index.html"), "hello\n").expect("write");
    let (_server, port) = http_server(d.path());
    let code = format!("import urllib.request; assert urllib.request.urlopen('http://127.0.0.1:{port}/index.html').read() == b'hello\\n'");
    round_trip(&[python3(), "-c", &code], d.path());
}

#[test]
fn redis_server_under_redis_benchmark() {
    if missing(&["redis-server", "redis-cli", "redis-benchmark"]) {
        return;
    }
    let d = tempdir();
    let port = free_port();
    // The server, the benchmark and the shutdown all run inside the
    // validated command, so the profile covers the whole tree.
    let script = format!(
        r#"set -e
P={port}
dir=$(mktemp -d -p {tmp})
redis-server --port $P --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" >/dev/null &
rs=$!
# A failed step must not leave the server running: the recording waits for it.
trap 'kill $rs 2>/dev/null || true' EXIT
sleep 0.1
i=0; until redis-cli -p $P ping >/dev/null 2>&1; do i=$((i+1)); [ $i -lt 200 ] || exit 3; sleep 0.05; done
redis-benchmark -p $P -n 2000 -q -t set,get,incr,lpush,lpop >/dev/null
redis-cli -p $P shutdown nosave >/dev/null 2>&1 || true
wait
echo redis done
"#,
        tmp = d.path().display()
    );
    let script = write_script(d.path(), "redis.sh", &script);
    round_trip(&["sh", &script], d.path());
}

#[test]
fn nginx_serves_curl() {
    if missing(&["nginx", "curl"]) {
        return;
    }
    let d = tempdir();
    // nginx's workers run as nobody and must reach the document root.
    std::fs::set_permissions(
        d.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    let port = free_port();
    let script = format!(
        r#"set -e
P={port}
r=$(mktemp -d -p {tmp})
chmod 755 "$r"
mkdir -p "$r/www" "$r/logs"
echo hello > "$r/www/index.html"
cat > "$r/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes 1;
pid $r/nginx.pid;
error_log $r/logs/error.log;
events {{ worker_connections 64; }}
http {{
  access_log $r/logs/access.log;
  client_body_temp_path $r/body; proxy_temp_path $r/proxy; fastcgi_temp_path $r/fcgi;
  uwsgi_temp_path $r/uwsgi; scgi_temp_path $r/scgi;
  server {{ listen 127.0.0.1:$P; root $r/www; }}
}}
CONF
nginx -p "$r" -c "$r/nginx.conf" &
ng=$!
# A failed check must not leave nginx running: the recording waits for it.
trap 'kill $ng 2>/dev/null || true' EXIT
sleep 0.1
i=0; until curl -s -o /dev/null http://127.0.0.1:$P/; do i=$((i+1)); [ $i -lt 200 ] || exit 3; sleep 0.05; done
for n in 1 2 3; do curl -sS http://127.0.0.1:$P/index.html; done
test "$(curl -s -o /dev/null -w '%{{http_code}}' http://127.0.0.1:$P/missing)" = 404
nginx -p "$r" -c "$r/nginx.conf" -s quit
wait
"#,
        tmp = d.path().display()
    );
    let script = write_script(d.path(), "nginx.sh", &script);
    round_trip(&["sh", &script], d.path());
}

#[test]
fn python3_under_every_kind_of_argument_rule() {
    if missing(&[python3()]) {
        return;
    }
    let d = tempdir();
    // Each call below is allowed by an argument rule only (socket family
    // and type, fcntl command, ioctl request, prctl option, personality,
    // clone flags), so the kernel checks the recorded values for real; the
    // many rules make a filter long enough (> 255 instructions) to need
    // far jumps.
    let script = write_script(
        d.path(),
        "args.py",
        &[
            include_str!("../../guard/tests/fixtures/argument_values.py"),
            r#"s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0)); s.listen(1)
c = socket.create_connection(s.getsockname()); a, _ = s.accept()
c.sendall(b"x"); assert a.recv(1) == b"x"
p, q = socket.socketpair(); p.close(); q.close()
import subprocess, threading
t = threading.Thread(target=lambda: None); t.start(); t.join()
subprocess.run(["true"], check=True)
"#,
        ]
        .concat(),
    );
    round_trip(&[python3(), &script], d.path());
}

/// python3 making one i386 syscall (`int 0x80`) besides its x86_64 ones.
const I386_GETPID_PY: &str = r#"import ctypes, mmap, os
code = b"\xb8\x14\x00\x00\x00\xcd\x80\xc3"  # mov eax, 20 (i386 getpid); int 0x80; ret
m = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
m.write(code)
f = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(m)))
assert f() == os.getpid(), "i386 getpid"
"#;

#[test]
fn python3_with_an_i386_syscall_gets_a_two_abi_profile() {
    if missing(&[python3()]) {
        return;
    }
    let d = tempdir();
    let script = write_script(d.path(), "i386.py", I386_GETPID_PY);
    let direct = Command::new(python3())
        .arg(&script)
        .output()
        .expect("python3 runs");
    if !direct.status.success() {
        return aprof_testkit::skip(&format!(
            "this kernel runs no i386 syscalls (IA32 emulation off): {direct:?}"
        ));
    }
    round_trip(&[python3(), &script], d.path());
}
