//! Helpers for the TUI tests: a session on the C fixture, key events, a TUI on
//! ratatui's TestBackend driven by a script.

#![allow(dead_code)]

use std::path::PathBuf;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use wasmscope_debugger::{Session, SessionConfig};
use wasmscope_tui::app::Tui;
use wasmscope_tui::event_loop::{Script, Step};

pub fn fixture() -> PathBuf {
    fixture_named("prog.wasm")
}

/// A module of the debugger's fixtures.
pub fn fixture_named(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../debugger/tests/fixtures").join(name)
}

pub fn session(args: &[&str]) -> Session {
    session_of(&fixture(), args)
}

pub fn session_of(module: &std::path::Path, args: &[&str]) -> Session {
    // Every proposal implemented (the multi-memory fixture needs them).
    let config = SessionConfig {
        args: args.iter().map(|s| s.to_string()).collect(),
        features: wasmscope_engine::Features::wasm3(),
        ..SessionConfig::default()
    };
    Session::load(module, config).expect("the fixture loads")
}

pub fn key(c: KeyCode) -> Step {
    Step::Event(Event::Key(KeyEvent::new(c, KeyModifiers::NONE)))
}

pub fn ch(c: char) -> Step {
    key(KeyCode::Char(c))
}

pub fn shift(c: KeyCode) -> Step {
    Step::Event(Event::Key(KeyEvent::new(c, KeyModifiers::SHIFT)))
}

pub fn ctrl(c: char) -> Step {
    Step::Event(Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)))
}

/// Typing `text` (each character a key).
pub fn text(s: &str) -> Vec<Step> {
    s.chars().map(ch).collect()
}

/// `:CMD` Enter.
pub fn cmd(s: &str) -> Vec<Step> {
    let mut v = vec![ch(':')];
    v.extend(text(s));
    v.push(key(KeyCode::Enter));
    v
}

pub fn click(x: u16, y: u16) -> Step {
    Step::Event(Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: x,
        row: y,
        modifiers: KeyModifiers::NONE,
    }))
}

pub fn capture(name: &str) -> Step {
    Step::Capture(name.to_string())
}

/// Runs `steps` through the real event loop at `w`×`h` (colour off); returns the
/// script (with its captured screens) and the final screen.
pub fn drive(args: &[&str], w: u16, h: u16, steps: Vec<Step>) -> (Script, String) {
    drive_on(&fixture(), args, w, h, steps)
}

/// [`drive`] on another module.
pub fn drive_on(module: &std::path::Path, args: &[&str], w: u16, h: u16, steps: Vec<Step>) -> (Script, String) {
    drive_session(session_of(module, args), w, h, steps)
}

/// Like [`drive_on`], running exported function `invoke` of the module.
pub fn drive_invoking(module: &std::path::Path, invoke: &str, w: u16, h: u16, steps: Vec<Step>) -> (Script, String) {
    let config = SessionConfig {
        invoke: Some(invoke.to_string()),
        features: wasmscope_engine::Features::wasm3(),
        ..SessionConfig::default()
    };
    drive_session(Session::load(module, config).expect("the fixture loads"), w, h, steps)
}

fn drive_session(mut s: Session, w: u16, h: u16, steps: Vec<Step>) -> (Script, String) {
    let terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    let mut tui = Tui::new(terminal, Script::new(steps), &mut s, false).expect("tui");
    tui.run(&mut s).expect("runs");
    let last = wasmscope_tui::render::screen_text(tui.terminal.backend().buffer());
    (std::mem::take(&mut tui.events), last)
}

/// Like [`drive`], also checking the program's last outcome.
pub fn drive_outcome(
    args: &[&str],
    w: u16,
    h: u16,
    steps: Vec<Step>,
    check: impl FnOnce(Option<&wasmscope_debugger::Outcome>),
) -> (Script, String) {
    let mut s = session(args);
    let terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    let mut tui = Tui::new(terminal, Script::new(steps), &mut s, false).expect("tui");
    tui.run(&mut s).expect("runs");
    check(tui.last_outcome.as_ref());
    let last = wasmscope_tui::render::screen_text(tui.terminal.backend().buffer());
    (std::mem::take(&mut tui.events), last)
}

pub fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, text);
    });
}
