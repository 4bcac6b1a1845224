//! Screens of the TUI on ratatui's TestBackend (through the real event loop with a
//! scripted event source), as insta snapshots `snapshots/tui_*.snap`, at 80×24 and 160×48.

mod common;
use common::*;
use ratatui::crossterm::event::KeyCode;

const SIZES: [(u16, u16, &str); 2] = [(80, 24, "80x24"), (160, 48, "160x48")];

/// A breakpoint on prog.c:31 (inside `area`) through `g 31`, `b`, then `c`.
fn to_area() -> Vec<Step> {
    let mut v = vec![ch('g')];
    v.extend(text("31"));
    v.push(key(KeyCode::Enter));
    v.extend([ch('b'), ch('c')]);
    v
}

use wasmscope_tui::event_loop::Step;

#[test]
fn initial_screen() {
    for (w, h, name) in SIZES {
        let (script, _) = drive(&[], w, h, vec![capture("initial")]);
        snapshot(&format!("tui_initial_{name}"), script.screen("initial").expect("captured"));
    }
}

#[test]
fn breakpoint_hit_with_locals() {
    for (w, h, name) in SIZES {
        let mut steps = to_area();
        // Open `s` in the locals pane (Tab twice: stack, locals).
        steps.extend([key(KeyCode::Tab), key(KeyCode::Tab), key(KeyCode::Enter), capture("hit")]);
        let (script, _) = drive(&[], w, h, steps);
        let screen = script.screen("hit").expect("captured");
        assert!(screen.contains("Breakpoint 1"), "{screen}");
        assert!(screen.contains("s = 0x114c8"), "{screen}");
        snapshot(&format!("tui_breakpoint_{name}"), screen);
    }
}

#[test]
fn after_a_step() {
    for (w, h, name) in SIZES {
        let mut steps = to_area();
        steps.extend([ch('n'), capture("step")]);
        let (script, _) = drive(&[], w, h, steps);
        let screen = script.screen("step").expect("captured");
        assert!(screen.contains("32▶"), "{screen}");
        assert!(screen.contains("w = 3"), "{screen}");
        snapshot(&format!("tui_step_{name}"), screen);
    }
}

#[test]
fn trap() {
    for (w, h, name) in SIZES {
        let (script, _) = drive(&["trap"], w, h, vec![ch('c'), capture("trap")]);
        let screen = script.screen("trap").expect("captured");
        assert!(screen.contains("TRAP: unreachable"), "{screen}");
        assert!(screen.contains("56▶"), "{screen}");
        assert!(screen.contains("total=100 area=12"), "the output pane: {screen}");
        snapshot(&format!("tui_trap_{name}"), screen);
    }
}

#[test]
fn help_overlay() {
    for (w, h, name) in SIZES {
        let (script, _) = drive(&[], w, h, vec![ch('?'), capture("help"), ch('x'), capture("closed")]);
        let screen = script.screen("help").expect("captured");
        assert!(screen.contains("F5/c"), "{screen}");
        assert!(screen.contains("S-F11/f"), "{screen}");
        assert!(!script.screen("closed").expect("captured").contains("F5/c  continue"), "any key closes help");
        snapshot(&format!("tui_help_{name}"), screen);
    }
}

#[test]
fn v128_locals_and_operands() {
    // The .wat fixture with v128 values (no DWARF): wasm locals in lane form, the first
    // (a v128 parameter) opened into its lane views, and a typed operand stack with a
    // v128 between two i32s.
    let mut steps = cmd("break mix");
    steps.push(ch('c'));
    steps.extend(cmd("stepi 10"));
    steps.extend([key(KeyCode::Tab), key(KeyCode::Tab), key(KeyCode::Home), key(KeyCode::Enter), capture("simd")]);
    let (script, _) = drive_on(&fixture_named("simd.wat"), &[], 160, 48, steps);
    let screen = script.screen("simd").expect("captured");
    assert!(screen.contains("(arg) v = i32x4 [1, 2, 3, -4]  (v128)"), "{screen}");
    assert!(screen.contains("i8x16 = i8x16 [1, 0, 0, 0, 2"), "{screen}");
    assert!(screen.contains("[1] v128 i32x4 [1, 2, 3, -4]"), "{screen}");
    assert!(screen.contains("[2] i32 0x64 (100)"), "{screen}");
    assert!(screen.contains("[0] i32 0x5 (5)"), "{screen}");
    snapshot("tui_simd_160x48", screen);
}

#[test]
fn gc_references_open_in_the_locals_tree() {
    // The GC fixture (no DWARF): a struct parameter shows its fields one level deep, and
    // opening it (Enter on the first row of the locals pane) lists its fields by name.
    let mut steps = cmd("break inspect");
    steps.push(ch('c'));
    steps.extend([key(KeyCode::Tab), key(KeyCode::Tab), key(KeyCode::Home), key(KeyCode::Enter), capture("gc")]);
    let (script, _) = drive_invoking(&fixture_named("gc.wat"), "run", 160, 48, steps);
    let screen = script.screen("gc").expect("captured");
    assert!(screen.contains("(struct $point) {x = 3, y = -2, tag = 7}"), "{screen}");
    assert!(screen.contains("x = 3  (i32)"), "{screen}");
    assert!(screen.contains("tag = 7  (i32)"), "{screen}");
    assert!(screen.contains("y = -2  (f64)"), "{screen}");
}

#[test]
fn memory_pane_picks_the_memory() {
    // Three memories: `M` moves the memory pane from memory 0 to memory 1 (64-bit) and
    // `@` jumps within it; memory 1 shows its own bytes ("wide" at 0x100).
    let mut steps = cmd("break fill");
    steps.push(ch('c'));
    steps.push(ch('M'));
    steps.push(ch('@'));
    steps.extend(text("0x100"));
    steps.extend([key(KeyCode::Enter), capture("mem1")]);
    steps.push(ch('M'));
    steps.push(ch('M'));
    steps.push(capture("mem0"));
    let (script, _) = drive_on(&fixture_named("memories.wat"), &[], 160, 48, steps);
    let screen = script.screen("mem1").expect("captured");
    assert!(screen.contains("Memory 1 of 3 @0x100"), "{screen}");
    assert!(screen.contains("77 69 64 65"), "{screen}");
    let screen = script.screen("mem0").expect("captured");
    assert!(screen.contains("Memory 0 of 3 @0x0"), "{screen}");
    assert!(screen.contains("6d 61 69 6e"), "{screen}");
}
