use aprof_record::decode::Decoder;
use std::os::fd::AsRawFd;
#[test]
fn measure() {
    let me = std::process::id() as i32;
    let f = std::fs::File::open("/etc/passwd").unwrap();
    let t = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let e = unsafe { libc::eventfd(0, 0) };
    let mut d = Decoder::new();
    let m = 5000;
    for (what, fd) in [("file", f.as_raw_fd()), ("socket", t.as_raw_fd()), ("eventfd", e)] {
        let s = std::time::Instant::now();
        for _ in 0..m { d.classifier().classify_fresh(me, me, fd); }
        eprintln!("fresh {what} classify: {:?}", s.elapsed() / m);
    }
}
