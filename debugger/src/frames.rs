//! Virtual frames: each wasm frame split into the calls inlined into it (DWARF 5
//! §3.3.8.2, `DW_TAG_inlined_subroutine` with `DW_AT_call_file` / `DW_AT_call_line`),
//! innermost first, as gdb shows them in `bt`, `up`, `down` and `finish`.
//!
//! The innermost view of a wasm frame is at the pc's own line; each view further out is
//! at the call site of the inlined call it contains. Like gdb, a stop exactly where
//! inlined calls begin may hide them (`hidden`), so the program appears stopped at the
//! call site; `step` then enters them without running.

use crate::dwarf::vars::{Function, Inlined};
use crate::program::Program;
use crate::state::ProgramState;

/// One function activation as the user sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VFrame {
    /// Index into [`ProgramState::frames`].
    pub wasm: usize,
    /// 0 for the innermost inlined call at the frame's pc, up to `levels` for the frame's
    /// own function (see [`crate::expr::Ctx::level`]).
    pub level: usize,
    /// How many inlined calls contain the frame's pc.
    pub levels: usize,
}

impl VFrame {
    /// Whether this view is an inlined call (not the wasm frame's own function).
    pub fn is_inlined(&self) -> bool {
        self.level < self.levels
    }

    /// Whether it is the innermost view of its wasm frame (the one with a pc of its own).
    pub fn is_innermost(&self, hidden: usize) -> bool {
        self.level == if self.wasm == 0 { hidden.min(self.levels) } else { 0 }
    }
}

/// The DWARF function of wasm frame `i` and its inlined calls at its pc, outermost first.
pub fn chain<'p>(program: &'p Program, state: &ProgramState<'_>, i: usize) -> Option<(&'p Function, Vec<&'p Inlined>)> {
    let f = state.frames.get(i)?;
    let pc = program.code_addr(f.offset);
    let df = program.dwarf.as_ref()?.function_at(pc)?;
    Some((df, df.inlined_at(pc)))
}

/// The inlined call of view `level` (`None` for the function itself).
pub fn inlined_at_level<'a>(chain: &[&'a Inlined], level: usize) -> Option<&'a Inlined> {
    chain.len().checked_sub(level + 1).and_then(|i| chain.get(i).copied())
}

/// All virtual frames, innermost first; the `hidden` innermost inlined calls of frame 0
/// are left out.
pub fn virtual_frames(program: &Program, state: &ProgramState<'_>, hidden: usize) -> Vec<VFrame> {
    let mut out = Vec::new();
    for i in 0..state.frames.len() {
        let levels = chain(program, state, i).map_or(0, |(_, c)| c.len());
        let first = if i == 0 { hidden.min(levels) } else { 0 };
        for level in first..=levels {
            out.push(VFrame { wasm: i, level, levels });
        }
    }
    out
}

/// How many inlined calls begin exactly at frame 0's pc (gdb stops "at the call site" of
/// those), not counting ones named `keep` (a breakpoint on the inlined function itself).
pub fn hidden_at_stop(program: &Program, state: &ProgramState<'_>, keep: Option<&str>) -> usize {
    state.frames.first().map_or(0, |f| hidden_at(program, f.offset, keep))
}

/// [`hidden_at_stop`] for module offset `offset`.
pub fn hidden_at(program: &Program, offset: u32, keep: Option<&str>) -> usize {
    let pc = program.code_addr(offset);
    let Some(df) = program.dwarf.as_ref().and_then(|d| d.function_at(pc)) else { return 0 };
    let chain = df.inlined_at(pc);
    let snapped = |a: u64| program.offset_of(a).and_then(|o| program.snap(o));
    // Innermost first: count while the inlined call starts here.
    let mut n = 0;
    for inl in chain.iter().rev() {
        let starts_here = inl.entry().is_some_and(|e| snapped(e) == Some(offset));
        if !starts_here || keep.is_some_and(|k| k == inl.name || k == inl.short_name) {
            break;
        }
        n += 1;
    }
    n
}

/// What a stop at module offset `offset` shows: the function and source position of the
/// visible innermost view (see [`hidden_at`]), for breakpoint descriptions.
pub fn describe(program: &Program, offset: u32, keep: Option<&str>) -> (String, Option<(String, u32)>) {
    let func = program.func_at(offset).unwrap_or(0);
    let pc = program.code_addr(offset);
    let chain = program.dwarf.as_ref().and_then(|d| d.function_at(pc)).map(|df| df.inlined_at(pc)).unwrap_or_default();
    let hidden = hidden_at(program, offset, keep);
    let name = inlined_at_level(&chain, hidden).map_or_else(|| program.func_name(func), |i| i.name.clone());
    let line = match hidden.checked_sub(1).and_then(|l| inlined_at_level(&chain, l)) {
        Some(inner) => {
            inner.call_file.clone().or_else(|| program.line_at(offset).map(|l| l.path)).map(|p| (p, inner.call_line))
        }
        None => program.line_at(offset).map(|l| (l.path, l.line)),
    };
    (name, line)
}

/// Entries of the copies of function `name` inlined anywhere (one location each, as gdb
/// lists them), as module offsets of instructions that execute.
pub fn inlined_entries(program: &Program, name: &str) -> Vec<u32> {
    let Some(d) = &program.dwarf else { return Vec::new() };
    let mut out: Vec<u32> = d
        .functions
        .iter()
        .flat_map(|f| f.inlined.iter())
        .filter(|i| i.name == name || i.short_name == name)
        .filter_map(|i| program.offset_of(i.entry()?).and_then(|o| program.snap(o)))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// (inlined calls containing module offset `offset`, how many of them begin there).
pub fn inline_depth(program: &Program, offset: u32) -> (usize, usize) {
    let pc = program.code_addr(offset);
    let Some(df) = program.dwarf.as_ref().and_then(|d| d.function_at(pc)) else { return (0, 0) };
    if df.inlined.is_empty() {
        return (0, 0);
    }
    let chain = df.inlined_at(pc);
    let snapped = |a: u64| program.offset_of(a).and_then(|o| program.snap(o));
    let starting = chain.iter().rev().take_while(|i| i.entry().is_some_and(|e| snapped(e) == Some(offset))).count();
    (chain.len(), starting)
}
