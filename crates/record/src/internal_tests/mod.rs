//! The decoder and the strace line parser against real kernel objects,
//! random events and mangled real traces. They test internals, so they
//! live in the crate; the tests of the public API are under `tests/`.

mod decode_code;
mod decode_fuzz;
mod decode_objects;
mod import_proptest;
