//! Where each pane goes for a screen size: one pure function used by `render` to draw
//! and by `update` to map mouse clicks and page sizes. Fits down to 80×24.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

use crate::action::Pane;
use crate::state::{CodeView, State};

/// Screens at least this wide get 16 bytes per memory row and side-by-side console/output.
pub const WIDE: u16 = 140;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    pub status: Rect,
    /// The code pane; in split view `source` and `disasm` divide it.
    pub code: Rect,
    pub source: Option<Rect>,
    pub disasm: Option<Rect>,
    pub stack: Rect,
    pub locals: Rect,
    pub watch: Rect,
    pub operands: Rect,
    pub memory: Rect,
    pub console: Rect,
    pub output: Rect,
    /// The message / prompt line.
    pub line: Rect,
    pub footer: Rect,
}

impl Areas {
    pub fn pane(&self, p: Pane) -> Rect {
        match p {
            Pane::Code => self.code,
            Pane::Stack => self.stack,
            Pane::Locals => self.locals,
            Pane::Watch => self.watch,
            Pane::Operands => self.operands,
            Pane::Memory => self.memory,
            Pane::Console => self.console,
            Pane::Output => self.output,
        }
    }

    /// The pane under (column, row).
    pub fn pane_at(&self, x: u16, y: u16) -> Option<Pane> {
        Pane::ORDER.into_iter().find(|p| {
            let r = self.pane(*p);
            x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height
        })
    }
}

/// Each pane has a title row on top (and a separator column on its left unless it
/// touches the screen's left edge): the rows and columns left for content.
pub fn inner(r: Rect) -> Rect {
    let left = u16::from(r.x > 0);
    Rect { x: r.x + left, y: r.y + 1, width: r.width.saturating_sub(left), height: r.height.saturating_sub(1) }
}

/// Bytes per memory row for the screen width.
pub fn bytes_per_row(width: u16) -> u64 {
    if width >= WIDE { 16 } else { 8 }
}

/// Rows of content a pane shows.
pub fn page(state: &State, p: Pane) -> usize {
    usize::from(inner(areas(state.width, state.height, state.view).pane(p)).height).max(1)
}

/// First row shown so that `cursor` is visible, centred when it can be.
pub fn scroll_top(cursor: usize, len: usize, height: usize) -> usize {
    if len <= height || height == 0 {
        return 0;
    }
    cursor.saturating_sub(height / 2).min(len - height)
}

pub fn areas(width: u16, height: u16, view: CodeView) -> Areas {
    let full = Rect { x: 0, y: 0, width, height };
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(1),
            Constraint::Fill(2),
            Constraint::Length((height.saturating_sub(3) / 3).max(6)),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .split(full);
    let main = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Percentage(58), Constraint::Percentage(42)])
        .split(rows[1]);
    let side = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Fill(3), Constraint::Fill(5), Constraint::Fill(2), Constraint::Fill(2)])
        .split(main[1]);
    let mem_width = if width >= WIDE { 80 } else { 47 };
    let bottom = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Length(mem_width.min(width / 2 + 8)), Constraint::Fill(1)])
        .split(rows[2]);
    let (console, output) = if width >= WIDE {
        let r = Layout::default()
            .direction(Direction::Horizontal)
            .constraints([Constraint::Fill(1), Constraint::Fill(1)])
            .split(bottom[1]);
        (r[0], r[1])
    } else {
        let r = Layout::default()
            .direction(Direction::Vertical)
            .constraints([Constraint::Fill(1), Constraint::Fill(1)])
            .split(bottom[1]);
        (r[0], r[1])
    };
    let code = main[0];
    let (source, disasm) = match view {
        CodeView::Source => (Some(code), None),
        CodeView::Disasm => (None, Some(code)),
        CodeView::Split => {
            let r = Layout::default()
                .direction(if width >= WIDE { Direction::Horizontal } else { Direction::Vertical })
                .constraints([Constraint::Fill(1), Constraint::Fill(1)])
                .split(code);
            (Some(r[0]), Some(r[1]))
        }
    };
    Areas {
        status: rows[0],
        code,
        source,
        disasm,
        stack: side[0],
        locals: side[1],
        watch: side[2],
        operands: side[3],
        memory: bottom[0],
        console,
        output,
        line: rows[3],
        footer: rows[4],
    }
}
