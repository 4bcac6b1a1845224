//! Drawing: `render` reads the [`State`] and draws every pane; it changes nothing.

mod code;
mod help;
mod memory;
mod panes;
pub mod theme;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::action::Pane;
use crate::keys;
use crate::layout::areas;
use crate::state::{State, Status};
use crate::strings;
use theme::Theme;

pub fn render(f: &mut Frame<'_>, state: &State) {
    let area = f.area();
    let a = areas(area.width, area.height, state.view);
    let t = Theme { color: state.color };
    status(f, state, &t, a.status);
    code::render(f, state, &t, &a);
    panes::render(f, state, &t, &a);
    memory::render(f, state, &t, a.memory);
    bottom_line(f, state, &t, a.line);
    footer(f, &t, a.footer);
    if state.help {
        help::render(f, &t, area);
    }
}

/// A pane's frame: a title row (and a rule on its left unless at the screen's edge).
pub(crate) fn pane_block<'a>(title: String, focused: bool, area: Rect, t: &Theme) -> Block<'a> {
    let borders = if area.x > 0 { Borders::TOP | Borders::LEFT } else { Borders::TOP };
    Block::default().borders(borders).border_style(t.rule()).title(Span::styled(format!(" {title} "), t.title(focused)))
}

pub(crate) fn focused(state: &State, p: Pane) -> bool {
    state.focus == p
}

fn status(f: &mut Frame<'_>, state: &State, t: &Theme, area: Rect) {
    let (what, style) = match &state.status {
        Status::NotStarted => (strings::STATUS_NOT_STARTED.to_string(), t.status()),
        Status::Paused(why) => (why.clone(), t.status()),
        Status::Trapped(m) => (format!("{}: {m}", strings::STATUS_TRAP), t.error()),
        Status::Ended(how) => (how.clone(), t.status()),
    };
    let here = state.frames.get(state.selected_frame).map(|s| s.as_str()).unwrap_or("");
    let text = format!(" {} · {} · {what}  {here}", strings::APP, state.program_name);
    f.render_widget(Paragraph::new(Line::from(text)).style(style), area);
}

fn bottom_line(f: &mut Frame<'_>, state: &State, t: &Theme, area: Rect) {
    let line = match &state.prompt {
        Some(p) => {
            let label = strings::prompt_label(p.kind);
            let (before, after): (String, String) =
                (p.text.chars().take(p.pos).collect(), p.text.chars().skip(p.pos).collect());
            let cursor = after.chars().next().map_or(" ".to_string(), |c| c.to_string());
            let rest: String = after.chars().skip(1).collect();
            // Keep the cursor in view on a narrow screen.
            let width = usize::from(area.width);
            let used = label.chars().count() + before.chars().count() + 1;
            let skip = used.saturating_sub(width);
            let before: String = before.chars().skip(skip).collect();
            Line::from(vec![
                Span::styled(label, t.name()),
                Span::raw(before),
                Span::styled(cursor, t.key()),
                Span::raw(rest),
            ])
        }
        None => match &state.message {
            Some(m) => Line::from(Span::raw(m.clone())),
            None => Line::from(""),
        },
    };
    f.render_widget(Paragraph::new(line), area);
}

fn footer(f: &mut Frame<'_>, t: &Theme, area: Rect) {
    let width = |e: &[(String, &str)]| e.iter().map(|(k, n)| k.chars().count() + n.chars().count() + 2).sum::<usize>();
    let mut entries = keys::footer();
    if width(&entries) > usize::from(area.width) {
        // Narrow: one key each (the letter), then drop entries before `help` and `quit`.
        entries = keys::footer_short();
        while width(&entries) > usize::from(area.width) && entries.len() > 2 {
            entries.remove(entries.len() - 3);
        }
    }
    let mut spans = Vec::new();
    for (keys, name) in entries {
        spans.push(Span::styled(keys, t.key()));
        spans.push(Span::raw(format!(" {name} ")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The screen as text, one line per row, trailing blanks trimmed (tests, snapshots).
pub fn screen_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.y..area.y + area.height {
        let mut line = String::new();
        for x in area.x..area.x + area.width {
            if let Some(c) = buf.cell((x, y)) {
                line.push_str(c.symbol());
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
