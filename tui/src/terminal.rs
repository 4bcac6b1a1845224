//! Terminal setup and restore: raw mode, the alternate screen and mouse capture are
//! undone when the guard drops (normal exit, errors, Ctrl-C, which is a key in raw
//! mode), by a panic hook (panics) and by a thread that waits for termination signals
//! (SIGTERM, SIGHUP, SIGINT sent by another process).

use std::io::{Write, stdout};
use std::sync::Once;

use ratatui::crossterm::cursor::{Hide, Show};
use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};

/// Restores the terminal while alive → dropped.
pub struct TerminalGuard {
    _private: (),
}

impl TerminalGuard {
    /// Enters raw mode and the alternate screen, with mouse capture.
    pub fn enter() -> std::io::Result<TerminalGuard> {
        install_panic_hook();
        install_signal_restore();
        enable_raw_mode()?;
        let guard = TerminalGuard { _private: () };
        execute!(stdout(), EnterAlternateScreen, EnableMouseCapture, Hide)?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal back as it was; safe to call more than once.
pub fn restore() {
    let mut out = stdout();
    let _ = execute!(out, DisableMouseCapture, LeaveAlternateScreen, Show);
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// SIGTERM, SIGHUP and SIGINT restore the terminal, then end the process with status
/// 128 + the signal's number, as their default action would have (without the restore).
fn install_signal_restore() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Without the handlers the default actions stay: the process still ends, only
        // the terminal is left as it was.
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT]) else { return };
        let spawned = std::thread::Builder::new().name("terminal-signals".into()).spawn(move || {
            if let Some(signal) = signals.forever().next() {
                restore();
                std::process::exit(128 + signal);
            }
        });
        drop(spawned);
    });
}

/// A panic restores the terminal before the panic message is printed.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}
