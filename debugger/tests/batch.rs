//! Scripted `--batch` sessions on the C fixture (-O0, -O1 and -O2) and `.wat` modules without
//! DWARF (one with `v128` values); transcripts are insta snapshots under the top-level `snapshots/` folder.

#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use common::{fixture, snap, transcript};
use wasmscope_debugger::repl::batch_transcript;
use wasmscope_debugger::{Session, SessionConfig};

#[test]
fn o0_tour() {
    snap("debugger_o0_tour", &transcript("prog.wasm", "o0_tour.gdb", &[]));
}

#[test]
fn recursion_conditions_until() {
    snap("debugger_recursion", &transcript("prog.wasm", "recursion.gdb", &[]));
}

#[test]
fn finish_out_of_an_outer_frame() {
    snap("debugger_finish_up", &transcript("prog.wasm", "finish_up.gdb", &[]));
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
fn o2_inlined_copies_and_optimized_out() {
    snap("debugger_o2", &transcript("prog-O2.wasm", "o2.gdb", &[]));
}

#[test]
fn wat_without_dwarf() {
    snap("debugger_wat", &transcript("nodwarf.wat", "wat.gdb", &[]));
}

#[test]
fn several_memories_by_index() {
    // `info memories` (index type, page size, limits, exports), `x -m N` on a second,
    // 64-bit memory and on one of 1-byte pages, before and after they are written; an
    // unknown memory index and `x/i -m` are errors.
    let config = SessionConfig {
        invoke: Some("run".into()),
        args: vec!["0x41".into()],
        features: wasmscope_engine::Features::wasm3(),
        ..SessionConfig::default()
    };
    let mut s = Session::load(&fixture("memories.wat"), config).unwrap();
    let text =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/memories.gdb"))
            .unwrap();
    snap("debugger_memories", &batch_transcript(&mut s, &text));
}

#[test]
fn catch_throw_stops_at_each_throw() {
    // `catch throw`: a stop at the `throw` three frames below its handler (tag, payload,
    // backtrace), continuing to the handler, then a stop at an exception nobody catches,
    // which ends the program with a trap naming its tag.
    let config = SessionConfig {
        invoke: Some("run".into()),
        args: vec!["6".into()],
        features: wasmscope_engine::Features::wasm3(),
        ..SessionConfig::default()
    };
    let mut s = Session::load(&fixture("exceptions.wat"), config).unwrap();
    let text =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/exceptions.gdb"))
            .unwrap();
    snap("debugger_exceptions", &batch_transcript(&mut s, &text));
}

#[test]
fn gc_references_show_their_fields() {
    // `print` of struct, array and i31 references (wasm locals by index and by name),
    // fields by index and by name, elements, nested references, and the errors for a
    // field or element that is not there.
    let config = SessionConfig {
        invoke: Some("run".into()),
        features: wasmscope_engine::Features::wasm3(),
        ..SessionConfig::default()
    };
    let mut s = Session::load(&fixture("gc.wat"), config).unwrap();
    let text =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/gc.gdb")).unwrap();
    snap("debugger_gc", &batch_transcript(&mut s, &text));
}

#[test]
fn v128_values_lane_wise() {
    // v128 locals, lane views, `/x` and `/d`, a v128 global, typed operand stacks (an
    // outer frame's without its call's arguments), a v128 result.
    snap("debugger_simd", &transcript("simd.wat", "simd.gdb", &[]));
}

#[test]
fn v128_variables_in_wasm_locals_and_on_the_stack() {
    // C at -O1 -msimd128 -g: DWARF puts `v128_t` variables in wasm locals and on the
    // operand stack; they show all four lanes, not just the slot's low half.
    snap("debugger_simd_dwarf", &transcript("simd-O1.wasm", "simd_dwarf.gdb", &[]));
}

#[test]
fn v128_values_in_a_vectorised_c_program() {
    // The WASI fixture built with -O2 -msimd128 (no DWARF, a name section): clang's
    // vectorised byte count keeps its splat, accumulator and mask in v128 locals and
    // three vectors at once on the operand stack.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut s = Session::load(&root.join("testsuite/wasi/simd.wasm"), SessionConfig::default()).unwrap();
    let script = std::fs::read_to_string(root.join("debugger/tests/scripts/simd_c.gdb")).unwrap();
    snap("debugger_simd_c", &batch_transcript(&mut s, &script));
}

#[test]
fn breakpoints_snap_to_executing_instructions() {
    // In the .wat fixture, add1's body starts at 0x33; `block`-free, but the function's
    // final `end` executes as the return, and an offset inside an instruction snaps
    // forward to the next one.
    let s = Session::load(&fixture("nodwarf.wat"), SessionConfig::default()).unwrap();
    let p = &s.core.program;
    assert_eq!(p.snap(0x33), Some(0x33));
    assert_eq!(p.snap(0x34), Some(0x35), "inside i32.const: next instruction");
    assert_eq!(p.snap(0x3c), Some(0x3c), "the final end executes (return)");
    assert_eq!(p.snap(0x3d), None, "past the code");
    // The C fixture: `prog.c:45` (a `for` header) resolves to code in main.
    let s = Session::load(&fixture("prog.wasm"), SessionConfig::default()).unwrap();
    let p = &s.core.program;
    let (line, offs) = p.resolve_line(Some("prog.c"), 45, None).unwrap();
    assert_eq!(line, 45);
    let main = p.find_funcs("main")[0];
    assert!(offs.iter().all(|o| p.exec_offsets(main).contains(o)), "{offs:x?}");
    // A line without code moves to the next line that has some (gdb's rule).
    let (line, _) = p.resolve_line(Some("prog.c"), 35, None).unwrap();
    assert_eq!(line, 36);
}

#[test]
fn running_to_completion_matches_run() {
    let mut s = Session::load(&fixture("prog.wasm"), SessionConfig::default()).unwrap();
    let text = batch_transcript(&mut s, "run\n");
    assert!(text.contains("[stdout] total=100 area=12 fact=120 counter=132\n"), "{text}");
    assert!(text.contains("[program exited normally]"), "{text}");
}
