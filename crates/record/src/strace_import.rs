//! Import of `strace -f` output into a footprint.
