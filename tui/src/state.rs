//! Everything the screen shows, as plain owned data: `render` only reads it, only
//! `update` (and the refresh from the paused program) changes it.

use std::collections::BTreeSet;

use crate::action::{Pane, PromptKind};

/// What the program is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    NotStarted,
    /// Paused; why (`Breakpoint 1`, `stepped`).
    Paused(String),
    /// Paused on a trap: it cannot go on.
    Trapped(String),
    /// Ended: how.
    Ended(String),
}

/// Source, disassembly or both side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeView {
    Source,
    Disasm,
    Split,
}

/// A source file's lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub lines: Vec<String>,
}

/// One disassembled instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisasmLine {
    pub offset: u32,
    pub text: String,
    pub breakpoint: bool,
}

/// One row of the locals tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarRow {
    pub depth: usize,
    /// The C expression of the row (`sq.corners[1]`, `*p`): its key for expansion.
    pub path: String,
    pub name: String,
    pub ty: String,
    pub value: String,
    pub expandable: bool,
    pub expanded: bool,
    /// An argument (not a local).
    pub is_arg: bool,
    /// What `m` shows in the memory pane: the pointee for pointers, else the variable.
    pub mem_addr: Option<u64>,
}

/// A watch expression and its last value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    pub expr: String,
    pub value: String,
    pub changed: bool,
}

/// The memory pane: a copy of linear memory at the stop and at the stop before.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memory {
    /// The memory index shown (0 unless the user picked another).
    pub index: u32,
    /// How many memories the paused instance has.
    pub count: usize,
    pub data: Vec<u8>,
    /// Memory at the previous stop (bytes that differ are the last writes).
    pub prev: Vec<u8>,
    /// Address of the cursor (a word).
    pub cursor: u64,
    /// The user chose the address; otherwise the view follows the last write.
    pub pinned: bool,
    /// Start of the bytes written since the previous stop, if any.
    pub last_write: Option<(u64, u64)>,
}

/// A list pane's cursor (rows scroll to keep it visible).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub row: usize,
}

/// An open bottom-line prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
    /// Cursor position in characters.
    pub pos: usize,
    /// Position in the history while browsing it.
    pub history_at: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub program_name: String,
    pub status: Status,
    pub width: u16,
    pub height: u16,
    pub color: bool,
    pub focus: Pane,
    pub view: CodeView,
    pub help: bool,
    pub prompt: Option<Prompt>,
    pub history: Vec<String>,
    pub last_search: Option<String>,
    /// One-line feedback under the panes.
    pub message: Option<String>,

    pub source: Option<SourceFile>,
    /// Cursor line (1-based) in the source view.
    pub source_cursor: u32,
    /// The line the selected frame is at, in `source`.
    pub current_line: Option<u32>,
    /// Source lines with a breakpoint: (line, enabled).
    pub breakpoint_lines: Vec<(u32, bool)>,
    pub hscroll: u16,

    pub disasm: Vec<DisasmLine>,
    pub disasm_title: String,
    pub disasm_cursor: usize,
    /// Offset of the selected frame's instruction.
    pub pc: Option<u32>,

    pub frames: Vec<String>,
    pub selected_frame: usize,
    pub stack_cursor: Cursor,

    pub locals: Vec<VarRow>,
    pub expanded: BTreeSet<String>,
    pub locals_cursor: Cursor,

    pub watches: Vec<Watch>,
    pub watch_cursor: Cursor,

    /// Operand stack of the selected frame, top first.
    pub operands: Vec<String>,
    pub operands_cursor: Cursor,

    pub memory: Memory,

    pub console: Vec<String>,
    /// Lines scrolled back from the end.
    pub console_back: usize,
    pub output: Vec<String>,
    pub output_back: usize,
    /// The program's last output line had no newline yet.
    pub output_open: bool,
}

impl State {
    pub fn new(program_name: String, width: u16, height: u16, color: bool) -> State {
        State {
            program_name,
            status: Status::NotStarted,
            width,
            height,
            color,
            focus: Pane::Code,
            view: CodeView::Source,
            help: false,
            prompt: None,
            history: Vec::new(),
            last_search: None,
            message: None,
            source: None,
            source_cursor: 1,
            current_line: None,
            breakpoint_lines: Vec::new(),
            hscroll: 0,
            disasm: Vec::new(),
            disasm_title: String::new(),
            disasm_cursor: 0,
            pc: None,
            frames: Vec::new(),
            selected_frame: 0,
            stack_cursor: Cursor::default(),
            locals: Vec::new(),
            expanded: BTreeSet::new(),
            locals_cursor: Cursor::default(),
            watches: Vec::new(),
            watch_cursor: Cursor::default(),
            operands: Vec::new(),
            operands_cursor: Cursor::default(),
            memory: Memory::default(),
            console: Vec::new(),
            console_back: 0,
            output: Vec::new(),
            output_back: 0,
            output_open: false,
        }
    }

    /// Whether the program is paused (commands that need a running program work).
    pub fn paused(&self) -> bool {
        matches!(self.status, Status::Paused(_) | Status::Trapped(_))
    }

    /// Appends program output (stdout and stderr interleaved as written); control
    /// characters are shown as `·` so they cannot move the terminal's cursor.
    pub fn push_output(&mut self, text: &str) {
        for c in text.chars() {
            if c == '\n' {
                if !self.output_open {
                    self.output.push(String::new());
                }
                self.output_open = false;
                continue;
            }
            if !self.output_open {
                self.output.push(String::new());
                self.output_open = true;
            }
            let c = if c == '\t' {
                ' '
            } else if c.is_control() {
                '·'
            } else {
                c
            };
            if let Some(last) = self.output.last_mut() {
                last.push(c);
            }
        }
    }

    /// Appends debugger text to the console.
    pub fn push_console(&mut self, text: &str) {
        for l in text.lines() {
            self.console.push(l.replace('\t', "    "));
        }
        const MAX: usize = 5000;
        if self.console.len() > MAX {
            self.console.drain(..self.console.len() - MAX);
        }
    }
}
