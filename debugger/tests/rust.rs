//! Scripted `--batch` sessions on the Rust fixture `prog.rs` (built with Debian's rustc at
//! -O0 and -O1); transcripts are insta snapshots under the top-level `snapshots/` folder.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};

use wasmscope_debugger::repl::batch_transcript;
use wasmscope_debugger::{Session, SessionConfig};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn transcript(module: &str, script: &str) -> String {
    let mut s = Session::load(&fixture(module), SessionConfig::default()).unwrap();
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts").join(script)).unwrap();
    batch_transcript(&mut s, &text)
}

fn snap(name: &str, text: &str) {
    insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn o0_enums_std_types_and_expressions() {
    snap("debugger_rs_o0", &transcript("prog-rs.wasm", "rs_o0.gdb"));
}

#[test]
fn o1_inlined_frames_and_optimized_out() {
    snap("debugger_rs_o1", &transcript("prog-rs-O1.wasm", "rs_o1.gdb"));
}
