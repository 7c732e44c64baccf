//! The decoder fed random syscall events: any number on any ABI, garbage
//! pointers and fd numbers, exits without entries, processes that do not
//! exist. It must never panic and must keep the footprint consistent.

use crate::decode::{Decoder, SyscallEvent};
use aprof_footprint::{Abi, Footprint};
use proptest::prelude::*;

fn abi() -> impl Strategy<Value = Abi> {
    prop_oneof![Just(Abi::X86_64), Just(Abi::I386), Just(Abi::X32)]
}

/// Argument values: small fds, -1/AT_FDCWD, flags, and wild pointers.
fn arg() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..40,
        Just(u64::MAX),
        Just((-100i64) as u64),
        any::<u32>().prop_map(u64::from),
        any::<u64>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_events_never_panic(
        events in proptest::collection::vec(
            (abi(), 0u32..560, proptest::array::uniform6(arg()), any::<bool>(),
             prop_oneof![Just(None), (-4096i64..64).prop_map(Some)], any::<bool>()),
            1..40,
        )
    ) {
        let me = std::process::id() as i32;
        let mut d = Decoder::new();
        let mut fp = Footprint::default();
        for (abi, low, args, entry, ret, foreign) in events {
            let number = if abi == Abi::X32 { low | 0x4000_0000 } else { low };
            // A pid that cannot exist exercises every /proc failure path.
            let pid = if foreign { i32::MAX - 7 } else { me };
            // Exec and process end read maps and status: keep them rare.
            if low == 59 && entry {
                d.on_exec(&mut fp, pid);
            }
            let ev = SyscallEvent { tid: pid, tgid: pid, abi, number, args, ret };
            if entry {
                d.on_entry(&mut fp, &ev);
            } else {
                d.on_exit(&mut fp, &ev);
            }
        }
        d.on_process_end(&mut fp, me);
        for obj in &fp.objects {
            prop_assert!(obj.syscalls.values().all(|&n| n > 0));
        }
        for arg in fp.arguments.values() {
            prop_assert!(arg.values.values().all(|v| v.count > 0));
        }
    }
}
