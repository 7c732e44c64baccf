//! Signals around a recording: the periodic tick that wakes the tracer out
//! of `waitpid`, and the handling of SIGINT/SIGTERM/SIGHUP/SIGQUIT sent to
//! aprof (forwarded to a launched workload, or a request to stop).
//!
//! Handlers are installed without `SA_RESTART`, so a blocked `waitpid` in
//! the tracer returns `EINTR` and the loop looks at the counters below.

use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use std::sync::{Arc, Once};
use std::thread::JoinHandle;
use std::time::Duration;

/// The signals aprof takes as "the user wants the workload / recording to
/// stop".
pub const STOP_SIGNALS: [i32; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// The signal the ticker sends to the tracer thread.
const TICK_SIGNAL: i32 = libc::SIGALRM;

/// Stop signals received since [`install_stop_handlers`].
static STOP_REQUESTS: AtomicU32 = AtomicU32::new(0);
/// The last stop signal received.
static LAST_STOP_SIGNAL: AtomicI32 = AtomicI32::new(0);
/// Bit mask of the stop signals whose handler aprof installed.
static HANDLED: AtomicU32 = AtomicU32::new(0);
/// Where to forward stop signals that did not come from the terminal (0: nowhere).
static FORWARD_TO: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_tick(_: libc::c_int) {}

extern "C" fn on_stop_signal(
    signal: libc::c_int,
    info: *mut libc::siginfo_t,
    _: *mut libc::c_void,
) {
    // A terminal's SIGINT/SIGQUIT/SIGHUP (si_code SI_KERNEL) already went to
    // the whole foreground process group, the workload included; forwarding
    // it too would deliver it twice. Signals from kill(2) reached aprof only.
    // SAFETY: the kernel passes a valid siginfo to an SA_SIGINFO handler.
    let from_terminal = !info.is_null() && unsafe { (*info).si_code } == libc::SI_KERNEL;
    let target = FORWARD_TO.load(Ordering::Relaxed);
    if target > 0 && !from_terminal {
        // SAFETY: kill is async-signal-safe.
        unsafe { libc::kill(target, signal) };
    }
    LAST_STOP_SIGNAL.store(signal, Ordering::Relaxed);
    STOP_REQUESTS.fetch_add(1, Ordering::Relaxed);
}

fn install(signal: i32, action: usize, siginfo: bool) {
    // SAFETY: a zeroed sigaction is valid; the handler is a plain function
    // that only touches atomics and calls async-signal-safe kill(2).
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = action;
        sa.sa_flags = if siginfo { libc::SA_SIGINFO } else { 0 };
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(signal, &sa, std::ptr::null_mut());
    }
}

/// Install the no-op tick handler once per process. It is never removed: a
/// ticker of another recording in this process may still be running.
fn install_tick_handler() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| install(TICK_SIGNAL, on_tick as *const () as usize, false));
}

/// Take over SIGINT, SIGTERM, SIGHUP and SIGQUIT for this process (the CLI
/// does this; library callers usually do not). Signals not from the terminal
/// are forwarded to [`set_forward_target`]'s pid. A signal aprof was started
/// with ignored (`nohup`) stays ignored, for aprof and the workload alike.
pub fn install_stop_handlers() {
    STOP_REQUESTS.store(0, Ordering::Relaxed);
    let mut handled = 0;
    for signal in STOP_SIGNALS {
        if !is_ignored(signal) {
            install(signal, on_stop_signal as *const () as usize, true);
            handled |= 1 << signal;
        }
    }
    HANDLED.store(handled, Ordering::Relaxed);
}

/// Whether `signal`'s disposition is SIG_IGN.
fn is_ignored(signal: i32) -> bool {
    // SAFETY: querying the disposition into a zeroed struct.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(signal, std::ptr::null(), &mut old) == 0
            && old.sa_sigaction == libc::SIG_IGN
    }
}

/// Put the stop signals aprof took over back to their default action.
pub fn restore_stop_handlers() {
    FORWARD_TO.store(0, Ordering::Relaxed);
    let handled = HANDLED.swap(0, Ordering::Relaxed);
    for signal in STOP_SIGNALS {
        if handled & (1 << signal) != 0 {
            install(signal, libc::SIG_DFL, false);
        }
    }
}

/// Forward stop signals to `pid` from now on (0: forward nothing).
pub fn set_forward_target(pid: i32) {
    FORWARD_TO.store(pid, Ordering::Relaxed);
}

/// How many stop signals arrived, and the last one.
pub fn stop_requests() -> (u32, i32) {
    (
        STOP_REQUESTS.load(Ordering::Relaxed),
        LAST_STOP_SIGNAL.load(Ordering::Relaxed),
    )
}

/// The signals whose handler aprof installed (the stop signals it took
/// over, and the tick): a launched workload gets their default action back
/// (ignored ones stay ignored).
pub fn handled_signals() -> Vec<i32> {
    let handled = HANDLED.load(Ordering::Relaxed);
    STOP_SIGNALS
        .into_iter()
        .filter(|s| handled & (1 << s) != 0)
        .chain([TICK_SIGNAL])
        .collect()
}

/// A thread that interrupts the tracer thread's `waitpid` every `period`,
/// so the tracer updates its progress line and checks its deadline and stop
/// requests even while the workload is idle.
pub struct Ticker {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Ticker {
    /// Start ticking the calling thread.
    pub fn start(period: Duration) -> Ticker {
        install_tick_handler();
        let tgid = std::process::id() as i32;
        let tracer_tid = crate::sys::gettid();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop_seen = stop.clone();
        let thread = std::thread::Builder::new()
            .name("aprof-ticker".into())
            .spawn(move || {
                block_all_signals();
                while !stop_seen.load(Ordering::Relaxed) {
                    std::thread::park_timeout(period);
                    if stop_seen.load(Ordering::Relaxed) {
                        break;
                    }
                    let _ = crate::sys::tgkill(tgid, tracer_tid, TICK_SIGNAL);
                }
            })
            .ok();
        Ticker { stop, thread }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

/// Keep process-directed signals away from helper threads, so they
/// interrupt the tracer thread instead.
fn block_all_signals() {
    // SAFETY: a filled sigset blocks every blockable signal of this thread.
    unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_BLOCK, &all, std::ptr::null_mut());
    }
}
