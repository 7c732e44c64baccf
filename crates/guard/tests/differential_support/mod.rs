//! Run syscalls under real seccomp filters in forked children and compare
//! the kernel's verdict with the interpreter's.
//!
//! A child installs the filters, then issues the cases one by one with raw
//! `syscall` (x86_64, x32) or `int 0x80` (i386) and writes each result to
//! shared memory. A trap is caught by a SIGSYS handler that records the
//! seccomp data; a kill ends the child, and a new child resumes after the
//! killed case. The child allocates nothing after fork.

#![allow(dead_code)]

use aprof_footprint::abi::{AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, X32_SYSCALL_BIT};
use aprof_guard::bpf::{self, Insn, SeccompData};
use aprof_guard::install;
use aprof_guard::Action;
use std::arch::asm;
use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};
use std::sync::Mutex;

/// How a case enters the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// `syscall` from 64-bit code (x86_64, or x32 with the bit in nr).
    Syscall,
    /// `int 0x80` from 64-bit code: the i386 ABI.
    Int80,
}

#[derive(Debug, Clone, Copy)]
pub struct Case {
    pub entry: Entry,
    pub nr: u64,
    pub args: [u64; 6],
}

/// What the kernel did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observed {
    Returned(i64),
    Trapped(u16),
    Killed(i32),
}

#[repr(C)]
struct Slot {
    state: AtomicU32,
    data: AtomicU32,
    value: i64,
}

#[repr(C)]
struct Shared {
    current: AtomicU32,
    done: AtomicU32,
    install_errno: AtomicU32,
    /// Set while a case runs, so a SIGSYS outside the cases is ignored.
    in_case: AtomicU32,
    slots: [Slot; 0],
}

/// The kernel passes the full 64-bit registers as arguments of `int 0x80`
/// from 64-bit code (measured: masking to 32 bits disagrees with it).
const I386_ARG_MASK: u64 = u64::MAX;
static SHARED: AtomicPtr<Shared> = AtomicPtr::new(std::ptr::null_mut());
static FORK_LOCK: Mutex<()> = Mutex::new(());

#[inline(never)]
pub fn raw_syscall(nr: u64, a: [u64; 6]) -> (i64, u64) {
    let ret: i64;
    let ip: u64;
    // SAFETY: the cases are syscalls without memory effects on this process.
    unsafe {
        asm!(
            "lea {ip}, [rip + 2f]",
            "syscall",
            "2:",
            ip = out(reg) ip,
            inlateout("rax") nr as i64 => ret,
            in("rdi") a[0], in("rsi") a[1], in("rdx") a[2],
            in("r10") a[3], in("r8") a[4], in("r9") a[5],
            lateout("rcx") _, lateout("r11") _,
        );
    }
    (ret, ip)
}

#[inline(never)]
pub fn raw_int80(nr: u64, a: [u64; 6]) -> (i64, u64) {
    let ret: i64;
    let ip: u64;
    // SAFETY: as raw_syscall; rbx and rbp are saved and restored around.
    unsafe {
        asm!(
            "lea {ip}, [rip + 2f]",
            "push rbp",
            "push rbx",
            "mov rbx, {a0}",
            "mov rbp, {a5}",
            "int 0x80",
            "2:",
            "pop rbx",
            "pop rbp",
            ip = out(reg) ip,
            a0 = in(reg) a[0],
            a5 = in(reg) a[5],
            inlateout("rax") nr as i64 => ret,
            in("rcx") a[1], in("rdx") a[2], in("rsi") a[3], in("rdi") a[4],
            lateout("r8") _, lateout("r9") _, lateout("r10") _, lateout("r11") _,
        );
    }
    (ret as i32 as i64, ip)
}

/// The instruction pointer seccomp sees for each entry.
pub fn entry_ips() -> (u64, u64) {
    // getppid on both ABIs: harmless.
    (raw_syscall(110, [0; 6]).1, raw_int80(64, [0; 6]).1)
}

extern "C" fn on_sigsys(_sig: i32, info: *mut libc::siginfo_t, _ctx: *mut libc::c_void) {
    let shared = SHARED.load(Ordering::Relaxed);
    if shared.is_null() {
        return;
    }
    // SAFETY: the kernel passes a valid siginfo; SHARED maps the slots.
    unsafe {
        if (*shared).in_case.load(Ordering::Relaxed) == 0 {
            return;
        }
        let i = (*shared).current.load(Ordering::Relaxed) as usize;
        let slot = &*(*shared).slots.as_ptr().add(i);
        slot.data.store((*info).si_errno as u32, Ordering::Relaxed);
        slot.state.store(2, Ordering::Release);
    }
}

unsafe fn child(filters: &[Vec<Insn>], cases: &[Case], start: usize, shared: *mut Shared) -> ! {
    let rl = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    libc::setrlimit(libc::RLIMIT_CORE, &rl);
    let mut sa: libc::sigaction = std::mem::zeroed();
    sa.sa_sigaction = on_sigsys as *const () as usize;
    sa.sa_flags = libc::SA_SIGINFO | libc::SA_NODEFER;
    libc::sigaction(libc::SIGSYS, &sa, std::ptr::null_mut());
    // Faults must kill at once: the runtime's handlers make syscalls.
    for sig in [libc::SIGSEGV, libc::SIGBUS, libc::SIGILL] {
        libc::signal(sig, libc::SIG_DFL);
    }
    if let Err(e) = install::set_no_new_privs() {
        (*shared)
            .install_errno
            .store(e.errno as u32, Ordering::SeqCst);
        asm!("ud2", options(noreturn));
    }
    for f in filters {
        if let Err(e) = install::install_filter_only(f, 0) {
            (*shared)
                .install_errno
                .store(e.errno.max(1) as u32, Ordering::SeqCst);
            asm!("ud2", options(noreturn));
        }
    }
    for (i, case) in cases.iter().enumerate().skip(start) {
        (*shared).current.store(i as u32, Ordering::SeqCst);
        (*shared).in_case.store(1, Ordering::SeqCst);
        let (ret, _) = match case.entry {
            Entry::Syscall => raw_syscall(case.nr, case.args),
            Entry::Int80 => raw_int80(case.nr, case.args),
        };
        (*shared).in_case.store(0, Ordering::SeqCst);
        let slot = &mut *(*shared).slots.as_mut_ptr().add(i);
        if slot.state.load(Ordering::Acquire) == 0 {
            slot.value = ret;
            slot.state.store(1, Ordering::Release);
        }
    }
    (*shared).done.store(1, Ordering::SeqCst);
    libc::syscall(libc::SYS_exit_group, 0);
    // The filter may refuse exit_group: end by an illegal instruction.
    asm!("ud2", options(noreturn));
}

/// Run every case under `filters` (index 0 installed first) in children.
pub fn run_cases(filters: &[Vec<Insn>], cases: &[Case]) -> Vec<Observed> {
    let _guard = FORK_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let size = std::mem::size_of::<Shared>() + cases.len() * std::mem::size_of::<Slot>();
    // SAFETY: a fresh shared anonymous mapping, zeroed by the kernel.
    let shared = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            size,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    } as *mut Shared;
    assert!(shared as isize != -1, "mmap failed");
    SHARED.store(shared, Ordering::SeqCst);
    let mut out = vec![Observed::Killed(0); cases.len()];
    let mut start = 0;
    while start < cases.len() {
        // SAFETY: shared is mapped; no child runs now.
        unsafe { (*shared).current.store(u32::MAX, Ordering::SeqCst) };
        // SAFETY: the child runs only async-signal-safe code.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            unsafe { child(filters, cases, start, shared) }
        }
        let mut status = 0;
        loop {
            // SAFETY: waiting for our own child.
            let r = unsafe { libc::waitpid(pid, &mut status, 0) };
            if r == pid {
                break;
            }
        }
        // SAFETY: shared stays mapped until the end of this function.
        let sh = unsafe { &*shared };
        let slot = |i: usize| unsafe { &*sh.slots.as_ptr().add(i) };
        let current = sh.current.load(Ordering::SeqCst);
        let reached = if sh.done.load(Ordering::SeqCst) == 1 {
            cases.len()
        } else {
            assert!(
                current != u32::MAX && current as usize >= start,
                "the child died before running case {start} (status {status:#x})"
            );
            current as usize + 1
        };
        let errno = sh.install_errno.load(Ordering::SeqCst);
        assert!(
            errno == 0,
            "the kernel refused to install a filter: {}",
            std::io::Error::from_raw_os_error(errno as i32)
        );
        for (i, o) in out.iter_mut().enumerate().take(reached).skip(start) {
            let s = slot(i);
            *o = match s.state.load(Ordering::Acquire) {
                1 => Observed::Returned(s.value),
                2 => Observed::Trapped(s.data.load(Ordering::Relaxed) as u16),
                _ if libc::WIFSIGNALED(status) => Observed::Killed(libc::WTERMSIG(status)),
                _ => Observed::Killed(-1),
            };
        }
        start = reached;
    }
    SHARED.store(std::ptr::null_mut(), Ordering::SeqCst);
    // SAFETY: unmapping what we mapped.
    unsafe { libc::munmap(shared as *mut libc::c_void, size) };
    out
}

/// What an allowed syscall of a case returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    Exactly(i64),
    /// Any value that is not a negative errno of this list.
    NotErrno(&'static [i64]),
    NonNegative,
}

impl Allowed {
    fn accepts(self, v: i64) -> bool {
        match self {
            Allowed::Exactly(x) => v == x,
            Allowed::NotErrno(list) => !list.contains(&-v),
            Allowed::NonNegative => v >= 0,
        }
    }
}

/// The seccomp data of a case as the kernel fills it.
pub fn seccomp_data(case: &Case, ips: (u64, u64)) -> SeccompData {
    match case.entry {
        Entry::Syscall => SeccompData {
            nr: case.nr as u32,
            arch: AUDIT_ARCH_X86_64,
            instruction_pointer: ips.0,
            args: case.args,
        },
        Entry::Int80 => {
            let mut args = case.args;
            for a in &mut args {
                *a &= I386_ARG_MASK;
            }
            SeccompData {
                nr: case.nr as u32,
                arch: AUDIT_ARCH_I386,
                instruction_pointer: ips.1,
                args,
            }
        }
    }
}

/// Compare the kernel with the interpreter; returns the mismatches.
pub fn compare(
    filters: &[Vec<Insn>],
    cases: &[Case],
    allowed: &dyn Fn(&Case) -> Allowed,
) -> Vec<String> {
    let ips = entry_ips();
    let observed = run_cases(filters, cases);
    let mut bad = Vec::new();
    for (i, (case, obs)) in cases.iter().zip(&observed).enumerate() {
        let sd = seccomp_data(case, ips);
        let ret = bpf::run_filters(filters, &sd);
        let ok = match (Action::from_ret(ret), *obs) {
            (Action::Allow | Action::Log, Observed::Returned(v)) => allowed(case).accepts(v),
            (Action::Errno(e), Observed::Returned(v)) => v == -(e.min(4095) as i64),
            (Action::Trace(_) | Action::Notify, Observed::Returned(v)) => {
                v == -(libc::ENOSYS as i64)
            }
            (Action::Trap(d), Observed::Trapped(got)) => d == got,
            (Action::KillProcess | Action::KillThread, Observed::Killed(sig)) => {
                sig == libc::SIGSYS
            }
            _ => false,
        };
        if !ok {
            let each: Vec<String> = filters
                .iter()
                .map(|f| format!("{:#010x}", bpf::run_filter(f, &sd)))
                .collect();
            let prev = i.checked_sub(1).map(|p| (cases[p], observed[p]));
            bad.push(format!(
                "case {i} (previous {prev:x?}) {case:x?}: interpreter {ret:#010x} ({}; per filter {each:?}), kernel {obs:?}",
                Action::from_ret(ret)
            ));
        }
    }
    bad
}

/// Whether this kernel runs `int 0x80` from 64-bit code (IA32 emulation).
pub fn int80_works() -> bool {
    let _guard = FORK_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: the child only makes raw syscalls.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        let (r, _) = raw_int80(20, [0; 6]); // getpid
        unsafe { libc::_exit(if r > 0 { 0 } else { 1 }) }
    }
    let mut status = 0;
    unsafe { libc::waitpid(pid, &mut status, 0) };
    libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0
}

/// Whether x32 syscalls run (CONFIG_X86_X32_ABI).
pub fn x32_works() -> bool {
    raw_syscall(110 | X32_SYSCALL_BIT as u64, [0; 6]).0 > 0
}

/// A small deterministic PRNG (xorshift64*), so failures reproduce.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}
