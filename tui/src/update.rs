//! The only place that changes the [`State`]: applies an [`Action`], running debugger
//! commands through the REPL's own executor so keys and `:` commands behave alike.

use wasmscope_debugger::breakpoints::PointKind;
use wasmscope_debugger::expr::{Ctx, Loc};
use wasmscope_debugger::repl::Repl;
use wasmscope_debugger::state::ProgramState;
use wasmscope_debugger::{Core, dwarf::types::Type};

use crate::action::{Action, Edit, Effect, Pane, PromptKind};
use crate::capture::SharedBuf;
use crate::layout::{self, areas, inner, scroll_top};
use crate::refresh::{new_watch, refresh};
use crate::state::{CodeView, Prompt, State};
use crate::strings;

/// What `update` works on besides the state.
pub struct Env<'a, 'p> {
    pub repl: &'a mut Repl,
    pub core: &'a mut Core,
    /// The paused program (`None` before and after a run).
    pub ps: Option<&'a ProgramState<'p>>,
    /// Where the REPL writes its text.
    pub console: &'a SharedBuf,
}

/// Applies `action`; says what the event loop should do next.
pub fn update(state: &mut State, action: Action, env: &mut Env<'_, '_>) -> Effect {
    if !matches!(action, Action::Prompt(_) | Action::Resize(..)) {
        state.message = None;
    }
    match action {
        Action::Continue => command(state, env, if state.paused() { "continue" } else { "run" }),
        Action::Next => command(state, env, "next"),
        Action::Step => command(state, env, "step"),
        Action::Finish => command(state, env, "finish"),
        Action::StepInstr => command(state, env, "stepi"),
        Action::ToggleBreakpoint => toggle_breakpoint(state, env),
        Action::OpenPrompt(PromptKind::Goto) if state.focus == Pane::Memory => {
            open_prompt(state, PromptKind::Memory);
            Effect::None
        }
        Action::OpenPrompt(kind) => {
            open_prompt(state, kind);
            Effect::None
        }
        Action::Prompt(edit) => prompt_edit(state, env, edit),
        Action::FocusNext | Action::FocusPrev => {
            let i = Pane::ORDER.iter().position(|p| *p == state.focus).unwrap_or(0);
            let n = Pane::ORDER.len();
            let j = if action == Action::FocusNext { (i + 1) % n } else { (i + n - 1) % n };
            state.focus = Pane::ORDER[j];
            state.hscroll = 0;
            Effect::None
        }
        Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Top | Action::Bottom => {
            let page = layout::page(state, state.focus) as isize;
            let d = match action {
                Action::Up => -1,
                Action::Down => 1,
                Action::PageUp => -page,
                Action::PageDown => page,
                Action::Top => isize::MIN / 2,
                _ => isize::MAX / 2,
            };
            move_by(state, d);
            Effect::None
        }
        Action::ScrollLeft | Action::ScrollRight => {
            let right = action == Action::ScrollRight;
            if state.focus == Pane::Memory {
                let m = &mut state.memory;
                m.cursor = if right { m.cursor.saturating_add(4) } else { m.cursor.saturating_sub(4) };
                m.pinned = true;
            } else {
                state.hscroll = if right { state.hscroll.saturating_add(8) } else { state.hscroll.saturating_sub(8) };
            }
            Effect::None
        }
        Action::Activate => activate(state, env),
        Action::CycleView => {
            state.view = match state.view {
                CodeView::Source => CodeView::Disasm,
                CodeView::Disasm => CodeView::Split,
                CodeView::Split => CodeView::Source,
            };
            Effect::None
        }
        Action::ShowInMemory => {
            show_in_memory(state, env);
            Effect::None
        }
        Action::NextMemory => {
            next_memory(state, env);
            Effect::None
        }
        Action::DeleteItem => {
            if state.focus == Pane::Watch && state.watch_cursor.row < state.watches.len() {
                state.watches.remove(state.watch_cursor.row);
                state.watch_cursor.row = state.watch_cursor.row.min(state.watches.len().saturating_sub(1));
            }
            Effect::None
        }
        Action::ToggleHelp => {
            state.help = !state.help;
            Effect::None
        }
        Action::CloseOverlay => {
            state.help = false;
            Effect::None
        }
        Action::Quit => Effect::Quit,
        Action::Click(x, y) => click(state, env, x, y),
        Action::Scroll(x, y, d) => {
            if let Some(p) = areas(state.width, state.height, state.view).pane_at(x, y) {
                let keep = state.focus;
                state.focus = p;
                move_by(state, isize::from(d));
                state.focus = keep;
            }
            Effect::None
        }
        Action::Resize(w, h) => {
            state.width = w;
            state.height = h;
            Effect::None
        }
    }
}

/// Runs one REPL command line, showing it and its text in the console.
pub fn command(state: &mut State, env: &mut Env<'_, '_>, line: &str) -> Effect {
    state.push_console(&format!("{}{line}", strings::REPL_PROMPT));
    let r = env.repl.execute(env.core, env.ps, line);
    let said = env.console.take();
    state.push_console(&said);
    state.console_back = 0;
    let effect = match r {
        Ok(a) => a,
        Err(e) => {
            let text = e.to_string();
            state.push_console(&text);
            state.message = text.lines().next().map(str::to_string);
            Effect::None
        }
    };
    if effect == Effect::None && state.message.is_none() {
        state.message = said.lines().rev().find(|l| !l.trim().is_empty()).map(str::to_string);
    }
    refresh(state, env.repl, env.core, env.ps, false);
    effect
}

fn open_prompt(state: &mut State, kind: PromptKind) {
    state.prompt = Some(Prompt { kind, text: String::new(), pos: 0, history_at: None });
}

fn prompt_edit(state: &mut State, env: &mut Env<'_, '_>, edit: Edit) -> Effect {
    let Some(p) = state.prompt.as_mut() else { return Effect::None };
    match edit {
        Edit::Insert(c) => {
            let at = p.text.char_indices().nth(p.pos).map_or(p.text.len(), |(i, _)| i);
            p.text.insert(at, c);
            p.pos += 1;
        }
        Edit::Backspace => {
            if p.pos > 0 {
                p.pos -= 1;
                if let Some((i, _)) = p.text.char_indices().nth(p.pos) {
                    p.text.remove(i);
                }
            } else if p.text.is_empty() {
                state.prompt = None;
            }
        }
        Edit::Left => p.pos = p.pos.saturating_sub(1),
        Edit::Right => p.pos = (p.pos + 1).min(p.text.chars().count()),
        Edit::HistoryPrev | Edit::HistoryNext => {
            if p.kind == PromptKind::Command && !state.history.is_empty() {
                let last = state.history.len() - 1;
                let at = match (p.history_at, edit) {
                    (None, Edit::HistoryPrev) => Some(last),
                    (Some(i), Edit::HistoryPrev) => Some(i.saturating_sub(1)),
                    (Some(i), _) if i < last => Some(i + 1),
                    _ => None,
                };
                p.history_at = at;
                p.text = at.and_then(|i| state.history.get(i)).cloned().unwrap_or_default();
                p.pos = p.text.chars().count();
            }
        }
        Edit::Cancel => state.prompt = None,
        Edit::Submit => {
            let Some(p) = state.prompt.take() else { return Effect::None };
            return submit(state, env, p.kind, p.text.trim());
        }
    }
    Effect::None
}

fn submit(state: &mut State, env: &mut Env<'_, '_>, kind: PromptKind, text: &str) -> Effect {
    match kind {
        PromptKind::Command => {
            if text.is_empty() {
                return Effect::None;
            }
            if state.history.last().is_none_or(|l| l != text) {
                state.history.push(text.to_string());
            }
            command(state, env, text)
        }
        PromptKind::Search => {
            let needle = if text.is_empty() { state.last_search.clone() } else { Some(text.to_string()) };
            if let Some(n) = needle {
                search(state, &n);
                state.last_search = Some(n);
            }
            Effect::None
        }
        PromptKind::Goto => {
            goto(state, env, text);
            Effect::None
        }
        PromptKind::Watch => {
            if !text.is_empty() {
                state.watches.push(new_watch(text));
                state.watch_cursor.row = state.watches.len() - 1;
                state.message = Some(format!("{}{text}", strings::MSG_WATCH_ADDED));
                refresh(state, env.repl, env.core, env.ps, false);
            }
            Effect::None
        }
        PromptKind::Memory => {
            match address_of(env, text) {
                Some(a) => jump_memory(state, a),
                None => state.message = Some(format!("{}{text}", strings::MSG_BAD_ADDRESS)),
            }
            Effect::None
        }
    }
}

/// A number, or an expression's value (pointers and integers) or address (other lvalues).
fn address_of(env: &Env<'_, '_>, text: &str) -> Option<u64> {
    if let Some(n) = wasmscope_debugger::expr::parse_int(text) {
        return u64::try_from(n).ok();
    }
    let ps = env.ps?;
    let ctx =
        Ctx { program: &env.core.program, state: ps, frame: env.repl.selected(), level: env.repl.selected_level() };
    let v = ctx.eval(&wasmscope_debugger::expr::parse(text).ok()?).ok()?;
    let types = env.core.program.types.borrow();
    let is_ptr = matches!(types.strip(v.ty).map(|t| types.get(t)), Some(Type::Pointer { .. }));
    drop(types);
    match (&v.loc, is_ptr) {
        (_, true) => ctx.int(&v).ok().map(|a| a as u64 & 0xffff_ffff),
        (Loc::Memory(a), false) => Some(*a),
        _ => ctx.int(&v).ok().and_then(|a| u64::try_from(a).ok()),
    }
}

fn jump_memory(state: &mut State, addr: u64) {
    state.memory.cursor = addr;
    state.memory.pinned = true;
    state.focus = Pane::Memory;
}

fn search(state: &mut State, needle: &str) {
    let Some(src) = &state.source else { return };
    let n = src.lines.len();
    let start = state.source_cursor as usize; // 1-based cursor = 0-based index of the next line
    let hit = (0..n).map(|i| (start + i) % n).find(|&i| src.lines[i].contains(needle));
    match hit {
        Some(i) => {
            state.source_cursor = i as u32 + 1;
            state.focus = Pane::Code;
            if state.view == CodeView::Disasm {
                state.view = CodeView::Source;
            }
        }
        None => state.message = Some(format!("{}{needle}", strings::MSG_NOT_FOUND)),
    }
}

fn goto(state: &mut State, env: &mut Env<'_, '_>, text: &str) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    state.focus = Pane::Code;
    if let Ok(n) = text.parse::<u32>() {
        let len = state.source.as_ref().map_or(1, |s| s.lines.len().max(1) as u32);
        state.source_cursor = n.clamp(1, len);
        if state.view == CodeView::Disasm {
            state.view = CodeView::Source;
        }
        return;
    }
    let p = &env.core.program;
    let loc = p.find_funcs(text).first().and_then(|f| p.func_entry(*f)).and_then(|o| p.line_at(o));
    match loc {
        Some(l) if state.source.as_ref().is_some_and(|s| s.path == l.path) => {
            state.source_cursor = l.line;
            if state.view == CodeView::Disasm {
                state.view = CodeView::Source;
            }
        }
        _ => state.message = Some(format!("{}{text}", strings::MSG_NOT_FOUND)),
    }
}

/// Deletes the breakpoints at the cursor line (or instruction), or sets one there.
fn toggle_breakpoint(state: &mut State, env: &mut Env<'_, '_>) -> Effect {
    let use_disasm = state.view == CodeView::Disasm || (state.view == CodeView::Split && state.source.is_none());
    let p = &env.core.program;
    let (existing, spec): (Vec<u32>, String) = if use_disasm {
        let Some(d) = state.disasm.get(state.disasm_cursor) else { return Effect::None };
        let o = d.offset;
        let ids = env
            .core
            .points
            .list
            .iter()
            .filter(|pt| matches!(&pt.kind, PointKind::Break { offsets } if offsets.contains(&o)))
            .map(|pt| pt.id)
            .collect();
        (ids, format!("*{o:#x}"))
    } else {
        let Some(src) = &state.source else { return Effect::None };
        let line = state.source_cursor;
        let ids = env
            .core
            .points
            .list
            .iter()
            .filter(|pt| match &pt.kind {
                PointKind::Break { offsets } => {
                    offsets.iter().any(|o| p.line_at(*o).is_some_and(|l| l.line == line && l.path == src.path))
                }
                PointKind::Watch { .. } | PointKind::CatchThrow => false,
            })
            .map(|pt| pt.id)
            .collect();
        let short = src.path.rsplit('/').next().unwrap_or(&src.path).to_string();
        (ids, format!("{short}:{line}"))
    };
    if existing.is_empty() {
        command(state, env, &format!("break {spec}"))
    } else {
        let ids: Vec<String> = existing.iter().map(u32::to_string).collect();
        command(state, env, &format!("delete {}", ids.join(" ")))
    }
}

/// Moves the focused pane's cursor by `d` rows.
fn move_by(state: &mut State, d: isize) {
    fn step(v: usize, d: isize, len: usize) -> usize {
        (v as isize).saturating_add(d).clamp(0, len.saturating_sub(1) as isize) as usize
    }
    match state.focus {
        Pane::Code => {
            if state.view == CodeView::Disasm || state.source.is_none() {
                state.disasm_cursor = step(state.disasm_cursor, d, state.disasm.len());
            } else {
                let len = state.source.as_ref().map_or(1, |s| s.lines.len());
                state.source_cursor = step(state.source_cursor as usize - 1, d, len) as u32 + 1;
                if state.view == CodeView::Split {
                    state.disasm_cursor = step(state.disasm_cursor, d, state.disasm.len());
                }
            }
        }
        Pane::Stack => state.stack_cursor.row = step(state.stack_cursor.row, d, state.frames.len()),
        Pane::Locals => state.locals_cursor.row = step(state.locals_cursor.row, d, state.locals.len()),
        Pane::Watch => state.watch_cursor.row = step(state.watch_cursor.row, d, state.watches.len()),
        Pane::Operands => state.operands_cursor.row = step(state.operands_cursor.row, d, state.operands.len()),
        Pane::Memory => {
            let row = layout::bytes_per_row(state.width) as i64;
            let max = (state.memory.data.len() as i64 - 1).max(0);
            let d = (d as i64).clamp(-(1 << 40), 1 << 40);
            state.memory.cursor = (state.memory.cursor as i64 + d * row).clamp(0, max) as u64;
            state.memory.pinned = true;
        }
        Pane::Console => state.console_back = step(state.console_back, -d, state.console.len()),
        Pane::Output => state.output_back = step(state.output_back, -d, state.output.len()),
    }
}

/// Enter: select a frame, open a variable, follow a pointer, or open the command line.
fn activate(state: &mut State, env: &mut Env<'_, '_>) -> Effect {
    match state.focus {
        Pane::Stack if state.stack_cursor.row < state.frames.len() => {
            let n = state.stack_cursor.row;
            let e = command(state, env, &format!("frame {n}"));
            refresh(state, env.repl, env.core, env.ps, true);
            e
        }
        Pane::Locals => {
            if let Some(row) = state.locals.get(state.locals_cursor.row)
                && row.expandable
            {
                let path = row.path.clone();
                if !state.expanded.remove(&path) {
                    state.expanded.insert(path);
                }
                refresh(state, env.repl, env.core, env.ps, false);
            }
            Effect::None
        }
        Pane::Memory => {
            let c = state.memory.cursor as usize;
            match state.memory.data.get(c..c + 4) {
                Some(b) => {
                    let a = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                    jump_memory(state, u64::from(a));
                }
                None => state.message = Some(strings::MSG_NO_POINTER.to_string()),
            }
            Effect::None
        }
        Pane::Console => {
            open_prompt(state, PromptKind::Command);
            Effect::None
        }
        Pane::Code => toggle_breakpoint(state, env),
        _ => Effect::None,
    }
}

fn show_in_memory(state: &mut State, env: &Env<'_, '_>) {
    let addr = match state.focus {
        Pane::Watch => state.watches.get(state.watch_cursor.row).and_then(|w| address_of(env, &w.expr)),
        _ => state.locals.get(state.locals_cursor.row).and_then(|r| r.mem_addr),
    };
    match addr {
        Some(a) => jump_memory(state, a),
        None => state.message = Some(strings::MSG_NO_POINTER.to_string()),
    }
}

/// A click focuses the pane under it; on a source or disassembly line it toggles a
/// breakpoint there; on a frame it selects it; on a variable it opens it.
fn click(state: &mut State, env: &mut Env<'_, '_>, x: u16, y: u16) -> Effect {
    let a = areas(state.width, state.height, state.view);
    let Some(pane) = a.pane_at(x, y) else { return Effect::None };
    state.focus = pane;
    let row_in = |r: ratatui::layout::Rect| {
        let i = inner(r);
        (y >= i.y && y < i.y + i.height).then(|| usize::from(y - i.y))
    };
    match pane {
        Pane::Code => {
            if let Some(r) = a.source
                && let Some(row) = row_in(r)
                && let Some(src) = &state.source
            {
                let h = usize::from(inner(r).height);
                let top = scroll_top(state.source_cursor as usize - 1, src.lines.len(), h);
                if top + row < src.lines.len() {
                    state.source_cursor = (top + row) as u32 + 1;
                    let keep = state.view;
                    if state.view == CodeView::Split {
                        state.view = CodeView::Source;
                    }
                    let e = toggle_breakpoint(state, env);
                    state.view = keep;
                    return e;
                }
            }
            if let Some(r) = a.disasm
                && let Some(row) = row_in(r)
            {
                let top = scroll_top(state.disasm_cursor, state.disasm.len(), usize::from(inner(r).height));
                if top + row < state.disasm.len() {
                    state.disasm_cursor = top + row;
                    let keep = state.view;
                    state.view = CodeView::Disasm;
                    let e = toggle_breakpoint(state, env);
                    state.view = keep;
                    return e;
                }
            }
            Effect::None
        }
        Pane::Stack | Pane::Locals => {
            let Some(row) = row_in(a.pane(pane)) else { return Effect::None };
            let h = usize::from(inner(a.pane(pane)).height);
            let (cur, len) = if pane == Pane::Stack {
                (state.stack_cursor.row, state.frames.len())
            } else {
                (state.locals_cursor.row, state.locals.len())
            };
            let i = scroll_top(cur, len, h) + row;
            if i >= len {
                return Effect::None;
            }
            if pane == Pane::Stack {
                state.stack_cursor.row = i;
            } else {
                state.locals_cursor.row = i;
            }
            activate(state, env)
        }
        _ => Effect::None,
    }
}

/// Shows the paused instance's next memory in the memory pane (from the first after the
/// last), at address 0; a message if it has only one.
fn next_memory(state: &mut State, env: &Env<'_, '_>) {
    let Some(ps) = env.ps else {
        state.message = Some(strings::MSG_NOT_RUNNING.to_string());
        return;
    };
    if ps.memories.len() < 2 {
        state.message = Some(strings::MSG_ONE_MEMORY.to_string());
        return;
    }
    let m = &mut state.memory;
    m.count = ps.memories.len();
    m.index = (m.index + 1) % m.count as u32;
    m.data = ps.memories[m.index as usize].to_vec();
    // The bytes of another memory are not "written since the last stop".
    m.prev = m.data.clone();
    m.last_write = None;
    m.cursor = 0;
    m.pinned = true;
}
