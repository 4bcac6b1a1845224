//! The event loop: draw, read an event, map it to an action, update; until an action
//! asks to resume, run or quit. Events come from an [`EventSource`]: crossterm's reader
//! in a terminal, a script in tests.

use std::collections::VecDeque;

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{self, Event};

/// Where events come from. `screen` is what was just drawn (scripts capture it).
pub trait EventSource {
    /// The next event; `None` ends the session (like quitting).
    fn next_event(&mut self, screen: &Buffer) -> std::io::Result<Option<Event>>;
}

/// Crossterm's blocking reader.
pub struct TerminalEvents;

impl EventSource for TerminalEvents {
    fn next_event(&mut self, _screen: &Buffer) -> std::io::Result<Option<Event>> {
        event::read().map(Some)
    }
}

/// One step of a script.
pub enum Step {
    Event(Event),
    /// Record the screen as it is now under this name.
    Capture(String),
}

/// A scripted event source for tests: events in order, screens captured on the way.
#[derive(Default)]
pub struct Script {
    steps: VecDeque<Step>,
    /// (name, screen text) for each `Capture`.
    pub screens: Vec<(String, String)>,
}

impl Script {
    pub fn new(steps: Vec<Step>) -> Script {
        Script { steps: steps.into(), screens: Vec::new() }
    }

    /// The captured screen called `name`.
    pub fn screen(&self, name: &str) -> Option<&str> {
        self.screens.iter().find(|(n, _)| n == name).map(|(_, s)| s.as_str())
    }
}

impl EventSource for Script {
    fn next_event(&mut self, screen: &Buffer) -> std::io::Result<Option<Event>> {
        loop {
            match self.steps.pop_front() {
                None => return Ok(None),
                Some(Step::Capture(name)) => self.screens.push((name, crate::render::screen_text(screen))),
                Some(Step::Event(e)) => return Ok(Some(e)),
            }
        }
    }
}
