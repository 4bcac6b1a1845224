//! The list panes: call stack, locals, watches, operands, console, program output.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use super::{focused, pane_block};
use crate::action::Pane;
use crate::layout::{Areas, inner, scroll_top};
use crate::state::State;
use crate::strings;

pub fn render(f: &mut Frame<'_>, state: &State, t: &Theme, a: &Areas) {
    let not_running = !state.paused();
    // Call stack.
    let lines: Vec<Line<'_>> = state
        .frames
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let l = Line::from(s.as_str());
            if i == state.selected_frame { l.style(t.current()) } else { l }
        })
        .collect();
    list(
        f,
        state,
        t,
        a.stack,
        Pane::Stack,
        strings::TITLE_STACK,
        lines,
        state.stack_cursor.row,
        not_running.then_some(strings::EMPTY_NOT_RUNNING),
    );

    // Locals: a tree.
    let lines: Vec<Line<'_>> = state
        .locals
        .iter()
        .map(|v| {
            let indent = "  ".repeat(v.depth);
            let open = match (v.expandable, v.expanded) {
                (true, true) => "▾ ",
                (true, false) => "▸ ",
                _ => "  ",
            };
            let tag = if v.depth == 0 && v.is_arg { Span::styled("(arg) ", t.dim()) } else { Span::raw("") };
            Line::from(vec![
                Span::raw(format!("{indent}{open}")),
                tag,
                Span::styled(v.name.clone(), t.name()),
                Span::raw(" = "),
                Span::raw(v.value.clone()),
                Span::styled(if v.ty.is_empty() { String::new() } else { format!("  ({})", v.ty) }, t.dim()),
            ])
        })
        .collect();
    let empty = if not_running { strings::EMPTY_NOT_RUNNING } else { strings::EMPTY_NO_LOCALS };
    list(f, state, t, a.locals, Pane::Locals, strings::TITLE_LOCALS, lines, state.locals_cursor.row, Some(empty));

    // Watches.
    let lines: Vec<Line<'_>> = state
        .watches
        .iter()
        .map(|w| {
            let style = if w.changed { t.changed() } else { Style::new() };
            Line::from(vec![
                Span::styled(w.expr.clone(), t.name()),
                Span::raw(" = "),
                Span::styled(w.value.clone(), style),
            ])
        })
        .collect();
    list(
        f,
        state,
        t,
        a.watch,
        Pane::Watch,
        strings::TITLE_WATCH,
        lines,
        state.watch_cursor.row,
        Some(strings::EMPTY_NO_WATCH),
    );

    // Operand stack, top first.
    let lines: Vec<Line<'_>> = state.operands.iter().map(|s| Line::from(s.as_str())).collect();
    let empty = if not_running { strings::EMPTY_NOT_RUNNING } else { strings::EMPTY_OPERANDS };
    list(
        f,
        state,
        t,
        a.operands,
        Pane::Operands,
        strings::TITLE_OPERANDS,
        lines,
        state.operands_cursor.row,
        Some(empty),
    );

    tail(f, state, t, a.console, Pane::Console, strings::TITLE_CONSOLE, &state.console, state.console_back);
    tail(f, state, t, a.output, Pane::Output, strings::TITLE_OUTPUT, &state.output, state.output_back);
}

#[allow(clippy::too_many_arguments)]
fn list(
    f: &mut Frame<'_>,
    state: &State,
    t: &Theme,
    r: Rect,
    pane: Pane,
    title: &str,
    lines: Vec<Line<'_>>,
    cursor: usize,
    empty: Option<&str>,
) {
    let focus = focused(state, pane);
    let n = lines.len();
    let title = if n > 0 { format!("{title} ({n})") } else { title.to_string() };
    let block = pane_block(title, focus, r, t);
    if lines.is_empty() {
        f.render_widget(Paragraph::new(empty.unwrap_or("")).style(t.dim()).block(block), r);
        return;
    }
    let h = usize::from(inner(r).height);
    let top = scroll_top(cursor, n, h);
    let lines: Vec<Line<'_>> = lines
        .into_iter()
        .enumerate()
        .skip(top)
        .take(h)
        .map(|(i, l)| if focus && i == cursor { l.patch_style(t.cursor()) } else { l })
        .collect();
    let hs = if focus { state.hscroll } else { 0 };
    f.render_widget(Paragraph::new(lines).scroll((0, hs)).block(block), r);
}

/// A pane that shows the end of a log, `back` lines scrolled back.
#[allow(clippy::too_many_arguments)]
fn tail(f: &mut Frame<'_>, state: &State, t: &Theme, r: Rect, pane: Pane, title: &str, text: &[String], back: usize) {
    let focus = focused(state, pane);
    let title = if back > 0 { format!("{title} (-{back})") } else { title.to_string() };
    let block = pane_block(title, focus, r, t);
    if text.is_empty() {
        f.render_widget(Paragraph::new(strings::EMPTY_OUTPUT).style(t.dim()).block(block), r);
        return;
    }
    let h = usize::from(inner(r).height);
    let end = text.len().saturating_sub(back);
    let start = end.saturating_sub(h);
    let lines: Vec<Line<'_>> = text[start..end].iter().map(|l| Line::from(l.as_str())).collect();
    let hs = if focus { state.hscroll } else { 0 };
    f.render_widget(Paragraph::new(lines).scroll((0, hs)).block(block), r);
}
