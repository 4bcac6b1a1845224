//! Step plans: when `stepi`, `nexti`, `step`, `next`, `finish` and `until` are done,
//! decided one instruction at a time from the frame depth and the line table.

use crate::program::Program;

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepKind {
    /// `stepi`: one instruction, into calls.
    Instr,
    /// `nexti`: one instruction, over calls.
    InstrOver,
    /// `step`: to the next source line, into calls that have line information.
    Line,
    /// `next`: to the next source line in this frame, over calls.
    LineOver,
    /// `finish`: until the current function returns.
    Finish,
    /// `finish` with an outer frame selected: until wasm frame N (0 = innermost) returns.
    /// The session turns it into a [`StepKind::Finish`] plan for that frame.
    FinishOut(usize),
    /// `finish` out of an inlined call: until the pc leaves these module-offset ranges in
    /// this frame, or the frame returns.
    FinishInlined(Vec<(u32, u32)>),
    /// `until` with no argument: like `next`, but never stops at a line before the
    /// current one in this frame (leaves loops).
    UntilNext,
    /// `until LOCATION` / `advance LOCATION`: to one of these offsets, or until the
    /// current frame returns.
    Until(Vec<u32>),
}

/// A step in progress, with where it started.
#[derive(Debug, Clone)]
pub struct StepPlan {
    pub kind: StepKind,
    pub depth: usize,
    pub func: u32,
    /// (file, line) at the start; `None` without line info.
    pub line: Option<(u32, u32)>,
    /// Inlined calls the start is in (those beginning exactly there not counted: the
    /// user sees their call site), for `next` to step over inlined calls as over calls.
    pub inline_depth: usize,
}

/// Why a plan ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepDone {
    /// Arrived (the instruction, line or location is reached).
    Arrived,
    /// The function `func` returned (finish / until leaving the frame).
    Returned { func: u32 },
}

impl StepPlan {
    pub fn new(kind: StepKind, program: &Program, depth: usize, func: u32, offset: u32) -> StepPlan {
        let line = program.line_at(offset).map(|l| (l.file, l.line));
        let (inlined, starting) = crate::frames::inline_depth(program, offset);
        StepPlan { kind, depth, func, line, inline_depth: inlined - starting }
    }

    /// Called before each instruction; `Some` when the program should stop here.
    pub fn check(&mut self, program: &Program, depth: usize, func: u32, offset: u32) -> Option<StepDone> {
        match &self.kind {
            StepKind::Instr => Some(StepDone::Arrived),
            StepKind::InstrOver => (depth <= self.depth).then_some(StepDone::Arrived),
            StepKind::Finish | StepKind::FinishOut(_) => {
                (depth < self.depth).then_some(StepDone::Returned { func: self.func })
            }
            StepKind::FinishInlined(ranges) => {
                let inside = ranges.iter().any(|(b, e)| *b <= offset && offset < *e);
                (depth < self.depth || depth == self.depth && !inside).then_some(StepDone::Arrived)
            }
            StepKind::Until(targets) => {
                if depth < self.depth {
                    Some(StepDone::Returned { func: self.func })
                } else {
                    (depth == self.depth && targets.contains(&offset)).then_some(StepDone::Arrived)
                }
            }
            StepKind::Line | StepKind::LineOver | StepKind::UntilNext => {
                if depth < self.depth {
                    // Returned into the caller, usually mid-statement: go on to the start of
                    // the caller's next line.
                    self.depth = depth;
                    self.func = func;
                    self.line = program.line_at(offset).map(|l| (l.file, l.line));
                    return None;
                }
                if depth > self.depth && self.kind != StepKind::Line {
                    return None;
                }
                if depth == self.depth && self.kind != StepKind::Line {
                    // `next` steps over inlined calls as over real ones.
                    let (inlined, _) = crate::frames::inline_depth(program, offset);
                    if inlined > self.inline_depth {
                        return None;
                    }
                    self.inline_depth = inlined;
                }
                // `step` into a function with line information stops after its prologue,
                // where the arguments are in place (gdb's rule), not at its first row.
                if depth > self.depth
                    && program.line_at(offset).is_some()
                    && let Some(entry) = program.func_entry(func)
                {
                    if offset < entry {
                        return None;
                    }
                    if offset == entry {
                        return Some(StepDone::Arrived);
                    }
                }
                if !program.is_stmt_start(func, offset) {
                    return None;
                }
                let here = program.line_at(offset).map(|l| (l.file, l.line))?;
                if depth > self.depth {
                    return Some(StepDone::Arrived);
                }
                match self.line {
                    Some(start) if start == here => None,
                    Some(start) if self.kind == StepKind::UntilNext && start.0 == here.0 && here.1 < start.1 => None,
                    _ => Some(StepDone::Arrived),
                }
            }
        }
    }
}
