//! A frontend can interrupt a program that never stops by itself (the TUI's Ctrl-C).

#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::Path;

use wasmscope_debugger::session::{Core, Frontend, Outcome, Resume, Stop};
use wasmscope_debugger::state::ProgramState;
use wasmscope_debugger::{Session, SessionConfig};

/// Asks for an interrupt on its third poll, then kills the program at the stop.
#[derive(Default)]
struct Interrupter {
    polls: u32,
    stops: Vec<String>,
    local0: Option<String>,
}

impl Frontend for Interrupter {
    fn stopped(&mut self, _core: &mut Core, state: &ProgramState<'_>, stop: &Stop) -> Resume {
        self.stops.push(format!("{stop:?}"));
        self.local0 = state.frames.first().and_then(|f| f.locals.first()).map(|v| format!("{v:?}"));
        Resume::Kill
    }

    fn interrupted(&mut self) -> bool {
        self.polls += 1;
        self.polls == 3
    }
}

#[test]
fn an_endless_loop_is_interrupted_and_killed() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spin.wat");
    let mut session = Session::load(&path, SessionConfig::default()).unwrap();
    let mut fe = Interrupter::default();
    let outcome = session.run(&mut fe).unwrap();
    assert_eq!(fe.stops, vec!["Interrupted".to_string()]);
    assert_eq!(fe.polls, 3);
    // The loop ran: its counter moved (three polls of 65536 instructions, 4 per iteration).
    assert!(fe.local0.as_deref().is_some_and(|v| v != "I32(0)"), "{:?}", fe.local0);
    assert!(matches!(outcome, Outcome::Killed), "{outcome:?}");
}
