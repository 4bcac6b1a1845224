//! wasmscope's full-screen terminal debugger (ratatui + crossterm) on the headless
//! debugger core.
//!
//! State, events and rendering are separate (gitui style): [`state::State`] is plain
//! data; input maps to an [`action::Action`] ([`keys`]); only [`update::update`] changes
//! the state (running debugger commands through the REPL's executor); [`render::render`]
//! only reads it. [`app::Tui`] is the [`wasmscope_debugger::Frontend`]: its event loop runs
//! while the program is paused. Events come from an [`event_loop::EventSource`], so tests
//! drive the real loop with a script on ratatui's `TestBackend`.

pub mod action;
pub mod app;
pub mod capture;
pub mod error;
pub mod event_loop;
pub mod keys;
pub mod layout;
pub mod refresh;
pub mod render;
pub mod state;
pub mod strings;
pub mod terminal;
pub mod update;

pub use error::{Result, TuiError};

use wasmscope_debugger::{Outcome, Session};

/// Whether to use colour: not when `NO_COLOR` is set to anything non-empty.
pub fn color_wanted() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Runs the TUI on the real terminal until the user quits; the terminal is restored
/// however it ends. Returns the program's last outcome, if it ran.
pub fn run(session: &mut Session) -> Result<Option<Outcome>> {
    let guard = terminal::TerminalGuard::enter()?;
    let backend = ratatui::backend::CrosstermBackend::new(std::io::stdout());
    let terminal = ratatui::Terminal::new(backend)?;
    let mut tui = app::Tui::new(terminal, event_loop::TerminalEvents, session, color_wanted())?;
    let r = tui.run(session);
    let outcome = tui.last_outcome.take();
    drop(tui);
    drop(guard);
    r.map(|()| outcome)
}
