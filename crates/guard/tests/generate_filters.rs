//! Generated policies of real recordings, compiled to the cBPF filter that
//! `aprof run` and `aprof seccomp validate` install, must decide every
//! syscall as the policy does: each syscall number of the x86_64 table
//! with zero arguments and with every recorded argument value (and a
//! neighbour of it), run through aprof's kernel-faithful interpreter.
//! The runtime base sets make the filters long enough (> 255
//! instructions) to need far jumps. Recording needs ptrace (root).

use aprof_footprint::{Abi, Footprint};
use aprof_guard::bpf::{compile, run_filter, validate, SeccompData};
use aprof_guard::generate::{generate, Base, GenerateOptions};
use aprof_guard::{Action, Policy};
use std::collections::BTreeSet;

/// Many argument values of every ruled kind: prctl options, socket
/// families and types, fcntl commands, ioctl requests, personality.
const MANY_VALUES: &str = concat!(
    include_str!("fixtures/argument_values.py"),
    "print(\"ok\")\n"
);

fn recorded(argv: &[&str]) -> Footprint {
    let target = aprof_record::Target::Launch(argv.iter().map(Into::into).collect());
    let rec = aprof_record::record(&target, &aprof_record::RecordOptions::default())
        .expect("recording works (needs ptrace)");
    assert_eq!(rec.outcome.exit_code(), 0, "{argv:?} failed while recorded");
    rec.footprint
}

/// Argument vectors for `name`: zeros, and each recorded value (and the
/// value with its lowest bit flipped) at its index.
fn argument_cases(fp: &Footprint, name: &str) -> BTreeSet<[u64; 6]> {
    let mut out = BTreeSet::from([[0u64; 6]]);
    let mut recorded: Vec<(u8, u64)> = fp
        .arguments
        .values()
        .filter(|a| a.syscall == name)
        .flat_map(|a| a.values.keys().map(move |v| (a.index, *v)))
        .collect();
    if name == "ioctl" {
        recorded.extend(
            fp.objects
                .iter()
                .flat_map(|o| o.ioctls.keys().map(|r| (1u8, *r))),
        );
    }
    for (i, v) in recorded {
        for value in [v, v ^ 1, v | 0xffff_ffff_0000_0000] {
            let mut a = [0u64; 6];
            a[i as usize] = value;
            out.insert(a);
        }
    }
    out
}

fn assert_filter_matches_policy(fp: &Footprint, policy: &Policy, what: &str) -> usize {
    let prog = compile(policy).unwrap_or_else(|e| panic!("{what}: {e}"));
    validate(&prog).unwrap_or_else(|e| panic!("{what}: the kernel would refuse the filter: {e}"));
    let table = Abi::X86_64.table();
    for (name, nr) in table.iter() {
        for args in argument_cases(fp, name) {
            let sd = SeccompData {
                nr,
                arch: Abi::X86_64.audit_arch(),
                instruction_pointer: 0,
                args,
            };
            let got = Action::from_ret(run_filter(&prog, &sd));
            let want = policy.action(Abi::X86_64, name, &args);
            assert_eq!(
                got,
                want,
                "{what}: {name} ({nr}) with {args:x?}; filter of {} instructions",
                prog.len()
            );
        }
    }
    prog.len()
}

#[test]
fn compiled_generated_policies_decide_like_the_policy() {
    let python3 = ["/usr/bin/python3", "/usr/local/bin/python3"]
        .into_iter()
        .find(|p| std::path::Path::new(p).is_file());
    let mut workloads: Vec<Vec<&str>> = vec![
        vec!["sh", "-c", "ls / | sort | head -n 3 >/dev/null"],
        vec!["sort", "--parallel=2", "/etc/services", "-o", "/dev/null"],
    ];
    match python3 {
        Some(py) => workloads.push(vec![py, "-c", MANY_VALUES]),
        None => aprof_testkit::skip("no python3, so no long filters (the rest runs)"),
    }
    let mut longest = 0;
    for argv in &workloads {
        let fp = recorded(argv);
        for base in [Base::None, Base::Runc, Base::Crun] {
            for argument_rules in [true, false] {
                for default_action in [Action::Errno(1), Action::KillProcess] {
                    let opts = GenerateOptions {
                        default_action,
                        base,
                        argument_rules,
                        timing_companions: true,
                    };
                    let policy = generate(&fp, &opts).policy;
                    let len = assert_filter_matches_policy(
                        &fp,
                        &policy,
                        &format!("{argv:?} with {opts:?}"),
                    );
                    longest = longest.max(len);
                }
            }
        }
    }
    assert!(
        longest > 255,
        "no filter needed far jumps (longest {longest} instructions)"
    );
}
