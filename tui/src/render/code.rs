//! The code pane: source with line numbers, or disassembly with offsets, or both; the
//! current line highlighted, breakpoints marked `●` (`○` disabled), the pc marked `▶`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use super::{focused, pane_block};
use crate::action::Pane;
use crate::layout::{Areas, inner, scroll_top};
use crate::state::State;
use crate::strings;

pub fn render(f: &mut Frame<'_>, state: &State, t: &Theme, a: &Areas) {
    let focus = focused(state, Pane::Code);
    if let Some(r) = a.source {
        source(f, state, t, r, focus);
    }
    if let Some(r) = a.disasm {
        disasm(f, state, t, r, focus && a.source.is_none());
    }
}

fn source(f: &mut Frame<'_>, state: &State, t: &Theme, r: Rect, focus: bool) {
    let title = match &state.source {
        Some(s) => format!("{} {}", strings::TITLE_SOURCE, s.path.rsplit('/').next().unwrap_or(&s.path)),
        None => strings::TITLE_SOURCE.to_string(),
    };
    let block = pane_block(title, focus, r, t);
    let Some(src) = state.source.as_ref().filter(|s| !s.lines.is_empty()) else {
        f.render_widget(Paragraph::new(strings::EMPTY_NO_SOURCE).style(t.dim()).block(block), r);
        return;
    };
    let h = usize::from(inner(r).height);
    let cursor = state.source_cursor as usize - 1;
    let top = scroll_top(cursor, src.lines.len(), h);
    let width = src.lines.len().to_string().len().max(3);
    let hs = if focus { usize::from(state.hscroll) } else { 0 };
    let lines: Vec<Line<'_>> = src
        .lines
        .iter()
        .enumerate()
        .skip(top)
        .take(h)
        .map(|(i, text)| {
            let n = i as u32 + 1;
            let bp = state.breakpoint_lines.iter().find(|(l, _)| *l == n);
            let mark = match bp {
                Some((_, true)) => Span::styled("●", t.breakpoint()),
                Some((_, false)) => Span::styled("○", t.breakpoint()),
                None => Span::raw(" "),
            };
            let is_pc = state.current_line == Some(n);
            let arrow = if is_pc { "▶" } else { " " };
            let body: String = text.replace('\t', "    ").chars().skip(hs).collect();
            let mut line = Line::from(vec![
                mark,
                Span::styled(format!("{n:>width$}"), t.dim()),
                Span::raw(format!("{arrow} ")),
                Span::raw(body),
            ]);
            if is_pc {
                line = line.style(t.current());
            } else if focus && i == cursor {
                line = line.style(t.cursor());
            }
            line
        })
        .collect();
    f.render_widget(Paragraph::new(lines).block(block), r);
}

fn disasm(f: &mut Frame<'_>, state: &State, t: &Theme, r: Rect, focus: bool) {
    let title = format!("{} {}", strings::TITLE_DISASM, state.disasm_title);
    let block = pane_block(title, focus, r, t);
    if state.disasm.is_empty() {
        f.render_widget(Paragraph::new(strings::EMPTY_NO_CODE).style(t.dim()).block(block), r);
        return;
    }
    let h = usize::from(inner(r).height);
    let top = scroll_top(state.disasm_cursor, state.disasm.len(), h);
    let hs = if focus { usize::from(state.hscroll) } else { 0 };
    let lines: Vec<Line<'_>> = state
        .disasm
        .iter()
        .enumerate()
        .skip(top)
        .take(h)
        .map(|(i, d)| {
            let is_pc = state.pc == Some(d.offset);
            let mark = if d.breakpoint { Span::styled("●", t.breakpoint()) } else { Span::raw(" ") };
            let body: String = d.text.chars().skip(hs).collect();
            let mut line = Line::from(vec![
                mark,
                Span::styled(format!("{:#08x}", d.offset), t.dim()),
                Span::raw(if is_pc { "▶ " } else { "  " }),
                Span::raw(body),
            ]);
            if is_pc {
                line = line.style(t.current());
            } else if focus && i == state.disasm_cursor {
                line = line.style(t.cursor());
            }
            line
        })
        .collect();
    f.render_widget(Paragraph::new(lines).block(block), r);
}
