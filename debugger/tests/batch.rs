//! Scripted `--batch` sessions on the C fixture (-O0 and -O1) and a `.wat` module without
//! DWARF; transcripts are insta snapshots under the top-level `snapshots/` folder.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};

use wasmscope_debugger::repl::batch_transcript;
use wasmscope_debugger::{Session, SessionConfig};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn transcript(module: &str, script: &str, args: &[&str]) -> String {
    let config = SessionConfig { args: args.iter().map(|s| s.to_string()).collect(), ..SessionConfig::default() };
    let mut s = Session::load(&fixture(module), config).unwrap();
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
fn o0_tour() {
    snap("debugger_o0_tour", &transcript("prog.wasm", "o0_tour.gdb", &[]));
}

#[test]
fn recursion_conditions_until() {
    snap("debugger_recursion", &transcript("prog.wasm", "recursion.gdb", &[]));
}

#[test]
fn trap_stops_at_the_trapping_line() {
    snap("debugger_trap", &transcript("prog.wasm", "trap.gdb", &["trap"]));
}

#[test]
fn bad_input_gives_messages() {
    snap("debugger_errors", &transcript("prog.wasm", "errors.gdb", &[]));
}

#[test]
fn o1_lines_and_backtraces() {
    snap("debugger_o1", &transcript("prog-O1.wasm", "o1.gdb", &[]));
}

#[test]
fn wat_without_dwarf() {
    snap("debugger_wat", &transcript("nodwarf.wat", "wat.gdb", &[]));
}
