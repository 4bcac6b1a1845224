//! Scripted `--batch` sessions on the C++ fixture `prog.cpp` (clang++-22, -fno-exceptions,
//! -O0 and -O1): demangled names, classes and `this`, references, namespaces; transcripts
//! are insta snapshots under the top-level `snapshots/` folder.

#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use common::{snap, transcript};

#[test]
fn o0_classes_this_references_namespaces() {
    snap("debugger_cpp_o0", &transcript("prog-cpp.wasm", "cpp.gdb", &[]));
}

#[test]
fn o1_folded_and_optimized_out() {
    snap("debugger_cpp_o1", &transcript("prog-cpp-O1.wasm", "cpp_o1.gdb", &[]));
}
