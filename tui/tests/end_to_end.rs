//! A scripted session through the real event loop against the C fixture with DWARF:
//! a breakpoint set with the keyboard, continue, locals, step into a call and finish out
//! of it, memory behind a pointer, `:` commands, a watch, a click, quit.

mod common;
use common::*;
use ratatui::crossterm::event::KeyCode;
use wasmscope_debugger::Outcome;

#[test]
fn debug_session_with_keys() {
    let mut steps = vec![capture("start"), ch('g')];
    steps.extend(text("50"));
    steps.extend([key(KeyCode::Enter), key(KeyCode::F(9)), capture("break-set"), key(KeyCode::F(5)), capture("hit")]);
    // Step into area() (stops after the prologue, at its first line), then finish back to
    // main.
    steps.extend([key(KeyCode::F(11)), capture("in-area"), ch('f'), capture("finished")]);
    // The locals pane: select `p` (argc, argv, sq, p) and show its memory; follow the
    // first word there (sq.name) in the memory pane.
    steps.extend([key(KeyCode::Tab), key(KeyCode::Tab), key(KeyCode::Home)]);
    steps.extend([key(KeyCode::Down), key(KeyCode::Down), key(KeyCode::Down), ch('m'), capture("memory")]);
    steps.extend([key(KeyCode::Enter), capture("followed")]);
    // A REPL command on the command line and a watch expression.
    steps.extend(cmd("print counter"));
    steps.push(ch('a'));
    steps.extend(text("counter"));
    steps.push(key(KeyCode::Enter));
    steps.extend([ch('n'), ch('n'), capture("watched")]);
    // Search, a click on a source line (toggles a breakpoint there), help, quit.
    steps.push(ch('/'));
    steps.extend(text("fact(5)"));
    steps.push(key(KeyCode::Enter));
    steps.extend([capture("searched"), ch('?'), ch('?'), ch('q')]);
    let (script, _) = drive_outcome(&[], 120, 40, steps, |o| assert_eq!(o, Some(&Outcome::Killed)));
    let screen = |n: &str| script.screen(n).unwrap_or_else(|| panic!("no screen {n}")).to_string();

    assert!(screen("start").contains("not started"));
    let s = screen("break-set");
    assert!(s.contains("● 50"), "a breakpoint marker on line 50:\n{s}");
    assert!(s.contains("Breakpoint 1 at"), "{s}");
    let s = screen("hit");
    assert!(s.contains("Breakpoint 1  #0  main"), "{s}");
    assert!(s.contains("50▶"), "{s}");
    assert!(s.contains("total = 100  (int)"), "locals with values:\n{s}");
    assert!(s.contains("sq = {name = 0x42a \"square\""), "{s}");
    let s = screen("in-area");
    assert!(s.contains("#0  area (s=0x114c8) at prog.c:31"), "stepped into area:\n{s}");
    assert!(s.contains("#1  main"), "{s}");
    let s = screen("finished");
    assert!(s.contains("returned from area"), "{s}");
    assert!(s.contains("Value returned is $1 = 12"), "{s}");
    let s = screen("memory");
    assert!(s.contains("Memory @0x114c8"), "p's pointee:\n{s}");
    assert!(s.contains("000114c8  2a 04 00 00 05 00 00 00"), "sq.name = 0x42a, color = GREEN:\n{s}");
    let s = screen("followed");
    assert!(s.contains("Memory @0x42a"), "followed sq.name:\n{s}");
    assert!(s.contains("square"), "the string behind it:\n{s}");
    let s = screen("watched");
    assert!(s.contains("$2 = 0"), "print ran in the REPL:\n{s}");
    assert!(s.contains("counter = 12"), "the watch after bump(a):\n{s}");
    let s = screen("searched");
    assert!(s.contains("52") && s.contains("int f = fact(5);"), "{s}");
}

#[test]
fn mouse_click_toggles_a_breakpoint_and_the_program_runs_to_it() {
    // At 120×40 the source pane's first content row is y=2; before the run the view is
    // centred on main's line 40 with 22 rows shown from line 29, so line 31 is at y=4.
    let steps = vec![capture("before"), click(10, 4), capture("clicked"), ch('c'), capture("hit")];
    let (script, _) = drive_outcome(&[], 120, 40, steps, |_| {});
    let before = script.screen("before").expect("captured");
    assert_eq!(before.lines().nth(4).map(|l| l.contains("31      int w")), Some(true), "{before}");
    let s = script.screen("clicked").expect("captured");
    assert!(s.contains("● 31"), "{s}");
    let s = script.screen("hit").expect("captured");
    assert!(s.contains("31▶"), "{s}");
    assert!(s.contains("area (s=0x114c8)"), "{s}");
}

#[test]
fn guest_output_goes_to_the_output_pane_and_the_run_ends() {
    let (script, last) =
        drive_outcome(&[], 100, 30, vec![ch('c'), capture("ended")], |o| assert_eq!(o, Some(&Outcome::Exited(0))));
    let s = script.screen("ended").expect("captured");
    assert!(s.contains("exited with code 0"), "{s}");
    assert!(s.contains("total=100 area=12 fact=120 counter=132"), "{s}");
    assert!(last.contains("[program exited normally]"), "{last}");
}

#[test]
fn narrow_and_tiny_screens_do_not_panic() {
    for (w, h) in [(80, 24), (40, 12), (20, 6), (1, 1)] {
        let mut steps = vec![ch('g')];
        steps.extend(text("31"));
        steps.extend([key(KeyCode::Enter), ch('b'), ch('c'), ch('v'), ch('v'), key(KeyCode::Tab), ch('?')]);
        steps.extend([ch('?'), key(KeyCode::PageDown), shift(KeyCode::Right), capture("x")]);
        let (script, _) = drive(&[], w, h, steps);
        assert!(script.screen("x").is_some());
    }
}

#[test]
fn bad_commands_are_reported_not_fatal() {
    let mut steps = cmd("frobnicate");
    steps.extend(cmd("print nosuchvar"));
    steps.extend(cmd("x/4xw"));
    steps.push(capture("errors"));
    let (script, _) = drive(&[], 120, 40, steps);
    let s = script.screen("errors").expect("captured");
    assert!(s.contains("Undefined command: \"frobnicate\""), "{s}");
}
