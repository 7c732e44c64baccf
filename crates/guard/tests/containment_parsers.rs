//! Property tests: the containment parsers and the runtime decision never
//! panic on arbitrary /proc text, and read back what well-formed text says.

use aprof_guard::containment::caps::{decode_mask, Capabilities};
use aprof_guard::containment::namespaces::{classify, HostReference};
use aprof_guard::containment::parse::*;
use aprof_guard::containment::runtime::{detect, Observations};
use proptest::prelude::*;

fn procish_text() -> impl Strategy<Value = String> {
    // Text made of the characters /proc files are made of, plus junk.
    prop::collection::vec(
        prop_oneof![
            Just(":".to_string()),
            Just("\t".to_string()),
            Just("\n".to_string()),
            Just(" ".to_string()),
            Just(" - ".to_string()),
            Just(":[".to_string()),
            Just("]".to_string()),
            Just("\\".to_string()),
            Just("\\040".to_string()),
            Just("(enforce)".to_string()),
            "[0-9a-f]{1,20}",
            "[A-Za-z_=./,-]{1,12}",
            any::<String>(),
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn parsers_never_panic(text in procish_text(), bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_status(&text);
        let _ = parse_id_map(&text);
        let _ = parse_ns_link(&text);
        let _ = parse_cgroup(&text);
        let _ = parse_mountinfo(&text);
        let _ = parse_environ(&bytes);
        let _ = parse_environ(text.as_bytes());
        let _ = parse_lsm_label(&text, false);
        let _ = parse_lsm_label(&text, true);
        let _ = parse_limit(&text);
        let _ = parse_hex_mask(&text);
        let _ = classify("mnt", Ok(text.clone()), &HostReference::default());
    }

    #[test]
    fn status_round_trips(
        eff in any::<u64>(), bnd in any::<u64>(), nnp in any::<bool>(),
        mode in 0u32..3, filters in any::<u32>(), uid in any::<u32>(), ppid in 0i32..i32::MAX,
    ) {
        let text = format!(
            "Name:\tx y\nPPid:\t{ppid}\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\nCapEff:\t{eff:016x}\nCapBnd:\t{bnd:016x}\nNoNewPrivs:\t{}\nSeccomp:\t{mode}\nSeccomp_filters:\t{filters}\n",
            u8::from(nnp)
        );
        let s = parse_status(&text);
        prop_assert_eq!(s.name.as_deref(), Some("x y"));
        prop_assert_eq!(s.ppid, Some(ppid));
        prop_assert_eq!(s.uids, Some([uid; 4]));
        prop_assert_eq!(s.cap_effective, Some(eff));
        prop_assert_eq!(s.cap_bounding, Some(bnd));
        prop_assert_eq!(s.no_new_privs, Some(nnp));
        prop_assert_eq!(s.seccomp, Some(mode));
        prop_assert_eq!(s.seccomp_filters, Some(filters));
    }

    #[test]
    fn masks_decode_one_name_per_bit(mask in any::<u64>()) {
        let names = decode_mask(mask);
        prop_assert_eq!(names.len() as u32, mask.count_ones());
        let caps = Capabilities::from_masks(Some(mask), Some(mask), None, None, None, None);
        let effective = caps.effective.unwrap();
        prop_assert_eq!(parse_hex_mask(&effective.hex), Some(mask));
    }

    #[test]
    fn id_maps_round_trip(ranges in prop::collection::vec((any::<u32>(), any::<u32>(), any::<u32>()), 0..6)) {
        let text: String = ranges.iter().map(|(a, b, c)| format!("{a:>10} {b:>10} {c:>10}\n")).collect();
        let parsed = parse_id_map(&text);
        prop_assert_eq!(parsed.len(), ranges.len());
        for (p, (a, b, c)) in parsed.iter().zip(&ranges) {
            prop_assert_eq!((p.inside, p.outside, p.count), (*a, *b, *c));
        }
    }

    #[test]
    fn cgroup_lines_round_trip(id in any::<u32>(), controllers in prop::collection::vec("[a-z_=]{1,8}", 0..4), path in "/[ -~]{0,30}") {
        let text = format!("{id}:{}:{path}\n", controllers.join(","));
        let parsed = parse_cgroup(&text);
        prop_assert_eq!(parsed.len(), 1);
        prop_assert_eq!(parsed[0].hierarchy_id, id);
        prop_assert_eq!(&parsed[0].controllers, &controllers);
        prop_assert_eq!(&parsed[0].path, &path);
    }

    #[test]
    fn runtime_detection_never_panics(
        text in procish_text(),
        flags in prop::collection::vec(any::<bool>(), 6),
        comms in prop::collection::vec("[a-z:-]{0,16}", 0..5),
        isolated in prop::collection::vec(prop::sample::select(vec!["mnt", "pid", "user", "net"]), 0..4),
    ) {
        let cgroup = parse_cgroup(&text);
        let obs = Observations {
            proc_version: Some(text.clone()),
            kernel_cmdline: Some(text.clone()),
            cpuinfo_hypervisor: flags[0],
            cpuid_hypervisor_vendor: flags[1].then(|| text.clone()),
            dmi_sys_vendor: flags[2].then(|| text.clone()),
            dmi_product_name: None,
            sys_hypervisor_type: None,
            gvisor_sentry_meminfo: flags[3],
            status_lacks_modern_fields: flags[4],
            dockerenv: flags[5],
            containerenv: flags[5].then(|| text.clone()),
            kubernetes_serviceaccount: flags[0] && flags[5],
            environment: parse_environ(text.as_bytes()),
            cgroup,
            ancestors: comms.iter().enumerate().map(|(i, c)| (i as i32 + 1, c.clone())).collect(),
            oci_masked_paths: if flags[2] { vec!["/proc/kcore".into()] } else { vec![] },
            isolated_namespaces: isolated.iter().map(|s| s.to_string()).collect(),
            host_namespaces: vec![],
        };
        let runtime = detect(&obs);
        // Layers are ordered outermost first.
        let kinds: Vec<_> = runtime.layers.iter().map(|l| l.kind).collect();
        let mut sorted = kinds.clone();
        sorted.sort();
        prop_assert_eq!(kinds, sorted);
        for layer in &runtime.layers {
            prop_assert!(!layer.evidence.is_empty());
        }
    }
}
