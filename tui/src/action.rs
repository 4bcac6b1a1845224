//! What the user asked for: every input (key, mouse, resize) maps to an [`Action`];
//! only `update` acts on it.

/// A pane that can have the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Code,
    Stack,
    Locals,
    Watch,
    Operands,
    Memory,
    Console,
    Output,
}

impl Pane {
    /// Focus order (Tab).
    pub const ORDER: [Pane; 8] =
        [Pane::Code, Pane::Stack, Pane::Locals, Pane::Watch, Pane::Operands, Pane::Memory, Pane::Console, Pane::Output];
}

/// What a bottom-line prompt is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// `:` a REPL command.
    Command,
    /// `/` search in the source.
    Search,
    /// `g` a function or line.
    Goto,
    /// A watch expression.
    Watch,
    /// An address for the memory pane.
    Memory,
}

/// An edit of the open prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Insert(char),
    Backspace,
    Left,
    Right,
    HistoryPrev,
    HistoryNext,
    Submit,
    Cancel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Continue,
    Next,
    Step,
    Finish,
    StepInstr,
    ToggleBreakpoint,
    OpenPrompt(PromptKind),
    Prompt(Edit),
    FocusNext,
    FocusPrev,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    ScrollLeft,
    ScrollRight,
    /// Enter: expand a variable, select a frame, follow a pointer.
    Activate,
    CycleView,
    ShowInMemory,
    /// The memory pane shows the instance's next memory (multi-memory).
    NextMemory,
    DeleteItem,
    ToggleHelp,
    CloseOverlay,
    Quit,
    /// Mouse button pressed at (column, row).
    Click(u16, u16),
    /// Mouse wheel at (column, row): lines, negative = up.
    Scroll(u16, u16, i8),
    Resize(u16, u16),
}

/// What `update` asks of the event loop: the REPL's own answer to a command (nothing,
/// start the program, resume it in some way, quit).
pub type Effect = wasmscope_debugger::repl::Action;
