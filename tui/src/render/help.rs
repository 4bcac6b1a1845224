//! The `?` overlay: every key binding from the one table, with its description.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::theme::Theme;
use crate::keys::{BINDINGS, labels};
use crate::strings;

pub fn render(f: &mut Frame<'_>, t: &Theme, area: Rect) {
    let mut lines: Vec<Line<'_>> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for b in BINDINGS {
        let d = strings::describe(&b.action);
        if d.is_empty() || seen.contains(&d) {
            continue;
        }
        seen.push(d);
        let keys: String =
            BINDINGS.iter().filter(|o| strings::describe(&o.action) == d).map(labels).collect::<Vec<_>>().join("/");
        lines.push(Line::from(vec![Span::styled(format!("{keys:>18} "), t.name()), Span::raw(d)]));
    }
    lines.push(Line::from(Span::styled(strings::HELP_MOUSE, t.dim())));
    let w = area.width.min(78);
    let h = (lines.len() as u16 + 2).min(area.height);
    let r = Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h };
    f.render_widget(Clear, r);
    let block = Block::default().borders(Borders::ALL).title(Span::styled(strings::TITLE_HELP, t.title(true)));
    f.render_widget(Paragraph::new(lines).block(block), r);
}
