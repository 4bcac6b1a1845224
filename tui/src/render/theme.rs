//! Styles, in colour or (with `NO_COLOR`) with modifiers only.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    fn pick(&self, color: Style, mono: Style) -> Style {
        if self.color { color } else { mono }
    }
    pub fn title(&self, focused: bool) -> Style {
        match (focused, self.color) {
            (true, true) => Style::new().fg(Color::Black).bg(Color::Cyan).add_modifier(Modifier::BOLD),
            (true, false) => Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            (false, true) => Style::new().fg(Color::Cyan),
            (false, false) => Style::new().add_modifier(Modifier::BOLD),
        }
    }
    pub fn rule(&self) -> Style {
        self.pick(Style::new().fg(Color::DarkGray), Style::new())
    }
    /// The line or instruction about to execute.
    pub fn current(&self) -> Style {
        self.pick(
            Style::new().bg(Color::Blue).fg(Color::White).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::REVERSED),
        )
    }
    /// The cursor row of the focused pane.
    pub fn cursor(&self) -> Style {
        self.pick(Style::new().bg(Color::DarkGray), Style::new().add_modifier(Modifier::UNDERLINED))
    }
    pub fn breakpoint(&self) -> Style {
        self.pick(Style::new().fg(Color::Red).add_modifier(Modifier::BOLD), Style::new().add_modifier(Modifier::BOLD))
    }
    pub fn dim(&self) -> Style {
        self.pick(Style::new().fg(Color::DarkGray), Style::new().add_modifier(Modifier::DIM))
    }
    pub fn name(&self) -> Style {
        self.pick(Style::new().fg(Color::Yellow), Style::new())
    }
    pub fn changed(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Black).bg(Color::Yellow),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )
    }
    pub fn error(&self) -> Style {
        self.pick(
            Style::new().fg(Color::White).bg(Color::Red).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        )
    }
    pub fn status(&self) -> Style {
        self.pick(Style::new().fg(Color::Black).bg(Color::Gray), Style::new().add_modifier(Modifier::REVERSED))
    }
    pub fn key(&self) -> Style {
        self.pick(Style::new().fg(Color::Black).bg(Color::Cyan), Style::new().add_modifier(Modifier::REVERSED))
    }
}
