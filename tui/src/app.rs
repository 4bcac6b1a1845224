//! The TUI as a debugger front end: the event loop runs inside
//! [`Frontend::stopped`] while the program is paused, and between runs.

use std::cell::RefCell;
use std::rc::Rc;

use ratatui::Terminal;
use ratatui::backend::Backend;
use wasmscope_debugger::repl::{Input, Output, Repl};
use wasmscope_debugger::state::ProgramState;
use wasmscope_debugger::{Core, Frontend, Outcome, Resume, Session, Stop};

use crate::action::Effect;
use crate::capture::SharedBuf;
use crate::error::{Result, TuiError};
use crate::event_loop::EventSource;
use crate::refresh::{on_stop, refresh};
use crate::state::{State, Status};
use crate::update::{Env, update};
use crate::{keys, render, strings};

pub struct Tui<B: Backend, E: EventSource> {
    pub terminal: Terminal<B>,
    pub events: E,
    pub state: State,
    repl: Repl,
    console: SharedBuf,
    output: SharedBuf,
    quit: bool,
    error: Option<TuiError>,
    pub last_outcome: Option<Outcome>,
}

impl<B: Backend, E: EventSource> Tui<B, E> {
    /// A TUI on `session`: the guest's stdout and stderr go to the output pane, its stdin
    /// reads nothing (the keyboard belongs to the debugger).
    pub fn new(terminal: Terminal<B>, events: E, session: &mut Session, color: bool) -> Result<Self> {
        let size = terminal.size().map_err(|e| TuiError::Backend(e.to_string()))?;
        let console = SharedBuf::default();
        let output = SharedBuf::default();
        let out = Output::new(Box::new(console.clone()), false);
        let repl = Repl::new(out, Input::Batch(Vec::new().into_iter()));
        session.config.stdout = Some(Rc::new(RefCell::new(output.clone())));
        session.config.stderr = Some(Rc::new(RefCell::new(output.clone())));
        session.config.stdin = Some(Rc::new(RefCell::new(std::io::empty())));
        let name = session.path().file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let mut state = State::new(name, size.width, size.height, color);
        refresh(&mut state, &repl, &session.core, None, true);
        Ok(Tui { terminal, events, state, repl, console, output, quit: false, error: None, last_outcome: None })
    }

    /// Runs until the user quits (or the events end).
    pub fn run(&mut self, session: &mut Session) -> Result<()> {
        while !self.quit {
            match self.event_loop(&mut session.core, None)? {
                Effect::Run => {
                    self.state.status = Status::Paused(strings::STATUS_RUNNING.to_string());
                    let r = session.run(self);
                    if let Some(e) = self.error.take() {
                        return Err(e);
                    }
                    self.ended(&session.core, r);
                }
                Effect::Quit => break,
                Effect::None | Effect::Resume(_) => {}
            }
        }
        Ok(())
    }

    fn ended(&mut self, core: &Core, r: wasmscope_debugger::Result<Outcome>) {
        match r {
            Ok(o) => {
                self.repl.report_outcome(&o);
                self.state.status = Status::Ended(match &o {
                    Outcome::Exited(c) => strings::exited(*c),
                    Outcome::Returned(v) => strings::returned(
                        &v.iter().map(wasmscope_debugger::repl::show_val).collect::<Vec<_>>().join(", "),
                    ),
                    Outcome::Trapped(m) => strings::trapped(m),
                    Outcome::Killed => strings::KILLED.to_string(),
                });
                self.last_outcome = Some(o);
            }
            Err(e) => {
                self.state.push_console(&e.to_string());
                self.state.status = Status::Ended(e.to_string());
            }
        }
        self.drain();
        refresh(&mut self.state, &self.repl, core, None, false);
    }

    /// Moves the REPL's text and the guest's output into their panes.
    fn drain(&mut self) {
        let said = self.console.take();
        if !said.is_empty() {
            self.state.push_console(&said);
        }
        let out = self.output.take();
        if !out.is_empty() {
            self.state.push_output(&out);
        }
    }

    /// Draws and handles events until one asks for more than a redraw.
    fn event_loop(&mut self, core: &mut Core, ps: Option<&ProgramState<'_>>) -> Result<Effect> {
        loop {
            self.drain();
            let Tui { terminal, events, state, .. } = self;
            let frame = terminal.draw(|f| render::render(f, state)).map_err(|e| TuiError::Backend(e.to_string()))?;
            let Some(ev) = events.next_event(frame.buffer)? else { return Ok(Effect::Quit) };
            let Some(action) = keys::map_event(&self.state, &ev) else { continue };
            let mut env = Env { repl: &mut self.repl, core, ps, console: &self.console };
            match update(&mut self.state, action, &mut env) {
                Effect::None => {}
                e => return Ok(e),
            }
        }
    }
}

impl<B: Backend, E: EventSource> Frontend for Tui<B, E> {
    fn stopped(&mut self, core: &mut Core, state: &ProgramState<'_>, stop: &Stop) -> Resume {
        if let Some(r) = self.repl.pending_step(stop) {
            return r;
        }
        self.repl.report_stop(core, state, stop);
        self.drain();
        on_stop(&mut self.state, &self.repl, core, state, stop);
        match self.event_loop(core, Some(state)) {
            Ok(Effect::Resume(r)) => {
                self.state.status = Status::Paused(strings::STATUS_RUNNING.to_string());
                r
            }
            Ok(Effect::Run) => Resume::Restart,
            Ok(Effect::Quit) => {
                self.quit = true;
                Resume::Kill
            }
            Ok(Effect::None) => Resume::Continue,
            Err(e) => {
                self.error = Some(e);
                self.quit = true;
                Resume::Kill
            }
        }
    }
}
