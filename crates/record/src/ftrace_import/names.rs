//! Function names: interned once per distinct name (the hot loop works on
//! numbers), and classified once by the lists the filters use.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// Functions that enter the kernel on a task's behalf: where
/// [`super::Filters::from_first_syscall`] starts counting a task. The
/// published method's `filter-start` starts at `SyS*`/`sys*`,
/// `do_syscall*`, `vcpu_enter_guest` and `kthread_should_stop`; these are the
/// same for today's kernels (x86_64, i386/x32 compat, arm64).
pub const START_FUNCTIONS: &[&str] = &[
    "do_syscall_64",
    "do_int80_syscall_32",
    "do_fast_syscall_32",
    "__do_fast_syscall_32",
    "do_SYSENTER_32",
    "x64_sys_call",
    "ia32_sys_call",
    "x32_sys_call",
    "invoke_syscall",
    "el0_svc_common",
    "vcpu_enter_guest",
    "kthread_should_stop",
    "entry_SYSCALL_64",
    "entry_SYSCALL_64_after_hwframe",
];

/// Prefixes of syscall implementations that also start a task.
pub const START_PREFIXES: &[&str] = &[
    "__x64_sys_",
    "__ia32_sys_",
    "__x32_compat_sys_",
    "__ia32_compat_sys_",
    "__arm64_sys_",
    "__se_sys_",
    "__do_sys_",
    "sys_",
    "SyS_",
];

/// Functions whose whole subtree is interrupt work: hard interrupts
/// (`__sysvec_*`, `common_interrupt`), softirqs (`handle_softirqs`,
/// `__do_softirq`, `do_softirq`), IPIs (`__sysvec_call_function*`,
/// `__sysvec_reschedule_ipi`), irq work and NMIs, plus the names older
/// kernels used (`smp_apic_timer_interrupt`, `do_IRQ`), which the published
/// `filter-interrupts` lists.
pub const INTERRUPT_ROOTS: &[&str] = &[
    "common_interrupt",
    "__common_interrupt",
    "spurious_interrupt",
    "do_IRQ",
    "handle_irq",
    "irq_exit_rcu",
    "__irq_exit_rcu",
    "irq_exit",
    "__do_softirq",
    "do_softirq",
    "handle_softirqs",
    "invoke_softirq",
    "do_softirq_own_stack",
    "generic_smp_call_function_single_interrupt",
    "generic_smp_call_function_interrupt",
    "scheduler_ipi",
    "exc_nmi",
    "default_do_nmi",
    "do_nmi",
    "printk_nmi_enter",
    "printk_nmi_exit",
];

/// Prefixes of interrupt roots (`__sysvec_apic_timer_interrupt`,
/// `smp_reschedule_interrupt`, perf's `asm_sysvec_*` frames, ...).
pub const INTERRUPT_PREFIXES: &[&str] = &[
    "__sysvec_",
    "sysvec_",
    "asm_sysvec_",
    "asm_common_interrupt",
    "asm_spurious_interrupt",
    "asm_exc_nmi",
    "smp_irq_work_interrupt",
    "smp_apic_timer_interrupt",
    "smp_reschedule_interrupt",
    "smp_call_function_single_interrupt",
    "smp_call_function_interrupt",
    "smp_error_interrupt",
    "smp_thermal_interrupt",
];

/// Functions that open a hard-interrupt region whose siblings, up to and
/// including the matching [`IRQ_EXIT`] subtree, are interrupt work. On
/// x86 since 5.8 `irq_enter_rcu();`, `__sysvec_*() {...}` and
/// `irq_exit_rcu() {...}` are siblings at the interrupted depth.
pub const IRQ_ENTER: &[&str] = &["irq_enter_rcu", "irq_enter"];
/// See [`IRQ_ENTER`].
pub const IRQ_EXIT: &[&str] = &["irq_exit_rcu", "irq_exit"];
/// What the end of a hard interrupt calls after its softirqs, seen as
/// siblings of `irq_enter_rcu` when `nofuncgraph-irqs` hides
/// `irq_exit_rcu` itself: interrupt work only right after an interrupt.
pub const IRQ_TAIL: &[&str] = &[
    "idle_cpu",
    "tick_irq_exit",
    "tick_nohz_irq_exit",
    "rcu_irq_exit",
    "irqtime_account_irq",
    "vtime_account_irq",
    "wake_up_process",
];

/// How the filters treat a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Class {
    pub start: bool,
    pub interrupt_root: bool,
    pub irq_enter: bool,
    pub irq_exit: bool,
    pub irq_tail: bool,
}

/// A name without the compiler's clone suffixes (`.isra.0`, `.part.0`,
/// `.constprop.0`, `.cold`).
pub fn base_name(name: &[u8]) -> &[u8] {
    match memchr::memchr(b'.', name) {
        Some(0) | None => name,
        Some(dot) => &name[..dot],
    }
}

fn classify(name: &[u8]) -> Class {
    let base = base_name(name);
    let is = |list: &[&str]| list.iter().any(|n| n.as_bytes() == base);
    let starts = |list: &[&str]| list.iter().any(|p| base.starts_with(p.as_bytes()));
    Class {
        start: is(START_FUNCTIONS) || starts(START_PREFIXES),
        interrupt_root: is(INTERRUPT_ROOTS) || starts(INTERRUPT_PREFIXES),
        irq_enter: is(IRQ_ENTER),
        irq_exit: is(IRQ_EXIT),
        irq_tail: is(IRQ_TAIL),
    }
}

/// A name with its hash, computed once per line by [`hash`].
#[derive(Clone, Copy)]
struct Key<'a> {
    hash: u64,
    name: &'a [u8],
}

impl PartialEq for Key<'_> {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && same(self.name, other.name)
    }
}
impl Eq for Key<'_> {}

impl std::hash::Hash for Key<'_> {
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// Passes a [`Key`]'s precomputed hash through.
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write_u64(&mut self, h: u64) {
        self.0 = h;
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
}

/// A fast hash of a short name: its first, middle and last eight bytes,
/// multiplied independently (no chain of multiplications per byte).
#[inline]
pub(crate) fn hash(name: &[u8]) -> u64 {
    const K1: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    const K2: u64 = 0x9e_37_79_b9_7f_4a_7c_15;
    const K3: u64 = 0xc2_b2_ae_3d_27_d4_eb_4f;
    let n = name.len();
    let word = |i: usize| u64::from_le_bytes(name[i..i + 8].try_into().unwrap_or([0; 8]));
    let (a, b, c) = if n >= 8 {
        (word(0), word(n / 2 - 4), word(n - 8))
    } else {
        let mut w = [0u8; 8];
        w[..n].copy_from_slice(name);
        (u64::from_le_bytes(w), 0, 0)
    };
    let h = a.wrapping_mul(K1)
        ^ b.rotate_left(21).wrapping_mul(K2)
        ^ c.rotate_left(43).wrapping_mul(K3)
        ^ (n as u64).wrapping_mul(K2);
    h ^ (h >> 31)
}

/// Byte equality without a library call: names are short.
#[inline(always)]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let word = |c: &[u8]| u64::from_ne_bytes(c.try_into().unwrap_or([0; 8]));
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (x, y) in (&mut ca).zip(&mut cb) {
        if word(x) != word(y) {
            return false;
        }
    }
    let (ra, rb) = (ca.remainder(), cb.remainder());
    ra.iter().zip(rb).all(|(x, y)| x == y)
}

/// Slots of the direct-mapped cache in front of the map: 32 KiB, so that
/// it stays in the L1 cache (a trace touches a few thousand functions).
const CACHE_SLOTS: usize = 1 << 12;

/// The names of one parse, borrowed from the input.
pub(crate) struct Names<'a> {
    /// `(hash tag, id + 1)` by hash; 0 is empty.
    cache: Box<[(u32, u32)]>,
    /// Each name copied once, next to the others, for cheap comparisons
    /// (the input's copy is far away and cold by the next call).
    arena: Vec<u8>,
    spans: Vec<(u32, u32)>,
    ids: HashMap<Key<'a>, u32, BuildHasherDefault<KeyHasher>>,
    pub names: Vec<&'a [u8]>,
    pub classes: Vec<Class>,
    /// Every entry, before filters.
    pub raw: Vec<u64>,
    /// Entries the filters kept.
    pub kept: Vec<u64>,
}

impl Default for Names<'_> {
    fn default() -> Self {
        Names {
            cache: vec![(0, 0); CACHE_SLOTS].into_boxed_slice(),
            arena: Vec::new(),
            spans: Vec::new(),
            ids: HashMap::default(),
            names: Vec::new(),
            classes: Vec::new(),
            raw: Vec::new(),
            kept: Vec::new(),
        }
    }
}

impl<'a> Names<'a> {
    #[inline]
    pub fn id(&mut self, name: &'a [u8]) -> u32 {
        let hash = hash(name);
        let slot = hash as usize & (CACHE_SLOTS - 1);
        let tag = (hash >> 32) as u32;
        let (t, id1) = self.cache[slot];
        if t == tag && id1 != 0 {
            let (start, len) = self.spans[id1 as usize - 1];
            if same(&self.arena[start as usize..(start + len) as usize], name) {
                return id1 - 1;
            }
        }
        self.id_slow(Key { hash, name }, slot, tag)
    }

    #[cold]
    fn id_slow(&mut self, key: Key<'a>, slot: usize, tag: u32) -> u32 {
        if let Some(&id) = self.ids.get(&key) {
            self.cache[slot] = (tag, id + 1);
            return id;
        }
        let name = key.name;
        let id = self.names.len() as u32;
        self.cache[slot] = (tag, id + 1);
        self.spans
            .push((self.arena.len() as u32, name.len() as u32));
        self.arena.extend_from_slice(name);
        self.ids.insert(key, id);
        self.names.push(name);
        self.classes.push(classify(name));
        self.raw.push(0);
        self.kept.push(0);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert!(classify(b"__x64_sys_openat").start);
        assert!(classify(b"do_syscall_64").start);
        assert!(!classify(b"sysfs_kf_seq_show").start);
        assert!(classify(b"__sysvec_apic_timer_interrupt").interrupt_root);
        assert!(classify(b"do_softirq.part.0").interrupt_root);
        assert!(classify(b"handle_softirqs").interrupt_root);
        assert!(classify(b"irq_enter_rcu").irq_enter);
        assert!(classify(b"irq_exit_rcu").irq_exit);
        assert!(!classify(b"__local_bh_enable_ip").interrupt_root);
        assert_eq!(
            base_name(b"finish_task_switch.isra.0"),
            b"finish_task_switch"
        );
        assert_eq!(base_name(b".hidden"), b".hidden");
    }
}
