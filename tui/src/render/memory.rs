//! The memory pane: a hex view around the cursor; bytes written since the previous stop
//! are highlighted, the cursor word is marked.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use super::{focused, pane_block};
use crate::action::Pane;
use crate::layout::{bytes_per_row, inner};
use crate::state::State;
use crate::strings;

pub fn render(f: &mut Frame<'_>, state: &State, t: &Theme, r: Rect) {
    let m = &state.memory;
    let focus = focused(state, Pane::Memory);
    let title = if m.count > 1 {
        format!("{} {} of {} @{:#x} (M: next)", strings::TITLE_MEMORY, m.index, m.count, m.cursor)
    } else {
        format!("{} @{:#x}", strings::TITLE_MEMORY, m.cursor)
    };
    let block = pane_block(title, focus, r, t);
    if m.data.is_empty() {
        f.render_widget(Paragraph::new(strings::EMPTY_NO_MEMORY).style(t.dim()).block(block), r);
        return;
    }
    let per = bytes_per_row(state.width);
    let h = inner(r).height as u64;
    let cursor_row = m.cursor / per;
    let first_row = cursor_row.saturating_sub(h / 3);
    let mut lines = Vec::new();
    for row in first_row..first_row + h {
        let base = row * per;
        if base >= m.data.len() as u64 {
            break;
        }
        let mut spans = vec![Span::styled(format!("{base:08x}  "), t.dim())];
        let mut ascii = String::new();
        for i in 0..per {
            let addr = base + i;
            let Some(b) = m.data.get(addr as usize).copied() else { break };
            let changed = m.prev.get(addr as usize).is_some_and(|p| *p != b);
            let at_cursor = addr >= m.cursor && addr < m.cursor + 4;
            let style = match (changed, at_cursor) {
                (true, _) => t.changed(),
                (false, true) => t.current(),
                _ => Style::new(),
            };
            spans.push(Span::styled(format!("{b:02x}"), style));
            spans.push(Span::raw(if i % 8 == 7 { "  " } else { " " }));
            ascii.push(if b.is_ascii_graphic() || b == b' ' { b as char } else { '.' });
        }
        spans.push(Span::styled(ascii, t.dim()));
        lines.push(Line::from(spans));
    }
    f.render_widget(Paragraph::new(lines).block(block), r);
}
