//! Scripted `--batch` sessions on the Rust fixture `prog.rs` (built with Debian's rustc at
//! -O0 and -O1); transcripts are insta snapshots under the top-level `snapshots/` folder.

#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use common::{snap, transcript};

#[test]
fn o0_enums_std_types_and_expressions() {
    snap("debugger_rs_o0", &transcript("prog-rs.wasm", "rs_o0.gdb", &[]));
}

#[test]
fn o1_inlined_frames_and_optimized_out() {
    snap("debugger_rs_o1", &transcript("prog-rs-O1.wasm", "rs_o1.gdb", &[]));
}
