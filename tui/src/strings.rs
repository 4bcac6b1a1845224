//! Every user-visible string of the TUI, in one place (titles, messages, help text).

use crate::action::{Action, PromptKind};

pub const APP: &str = "wasmscope";

// Pane titles.
pub const TITLE_SOURCE: &str = "Source";
pub const TITLE_DISASM: &str = "Disassembly";
pub const TITLE_STACK: &str = "Call stack";
pub const TITLE_LOCALS: &str = "Locals";
pub const TITLE_WATCH: &str = "Watch";
pub const TITLE_OPERANDS: &str = "Operands";
pub const TITLE_MEMORY: &str = "Memory";
pub const TITLE_CONSOLE: &str = "Console";
pub const TITLE_OUTPUT: &str = "Program output";
pub const TITLE_HELP: &str = "Help: keys (any key closes)";

// Status line.
pub const STATUS_NOT_STARTED: &str = "not started: F5/c runs, F9/b sets a breakpoint";
pub const STATUS_RUNNING: &str = "running";
pub const STATUS_TRAP: &str = "TRAP";

// Empty panes.
pub const EMPTY_NOT_RUNNING: &str = "(the program is not running)";
pub const EMPTY_NO_SOURCE: &str = "(no source: v switches to disassembly)";
pub const EMPTY_NO_CODE: &str = "(no code to show)";
pub const EMPTY_NO_LOCALS: &str = "(no locals)";
pub const EMPTY_NO_WATCH: &str = "(none: `a` adds a watch expression)";
pub const EMPTY_OPERANDS: &str = "(empty)";
pub const EMPTY_NO_MEMORY: &str = "(no linear memory)";
pub const EMPTY_OUTPUT: &str = "(nothing yet)";

pub const LABEL_ARGS: &str = "args";
pub const LABEL_LOCALS: &str = "locals";
pub const REPL_PROMPT: &str = "(wdb) ";

// Messages.
pub const MSG_NOT_RUNNING: &str = "The program is not being run.";
pub const MSG_NO_LINE_HERE: &str = "No code on this line.";
pub const MSG_NOT_FOUND: &str = "Not found: ";
pub const MSG_NO_POINTER: &str = "Nothing in memory to show for this row.";
pub const MSG_BAD_ADDRESS: &str = "Not an address: ";
pub const MSG_ONE_MEMORY: &str = "The instance has one memory.";
pub const MSG_WATCH_ADDED: &str = "Watching ";

/// The prompt shown before what is typed on the bottom line.
pub fn prompt_label(kind: PromptKind) -> &'static str {
    match kind {
        PromptKind::Command => ":",
        PromptKind::Search => "/",
        PromptKind::Goto => "go to (function or line): ",
        PromptKind::Watch => "watch expression: ",
        PromptKind::Memory => "memory address (or expression): ",
    }
}

/// One line of help for an action (help overlay and footer).
pub fn describe(action: &Action) -> &'static str {
    match action {
        Action::Continue => "continue (run when not started)",
        Action::Next => "next line, over calls",
        Action::Step => "step into calls",
        Action::Finish => "finish: run until this function returns",
        Action::StepInstr => "one wasm instruction",
        Action::ToggleBreakpoint => "toggle a breakpoint at the cursor line",
        Action::OpenPrompt(PromptKind::Command) => "command line: every REPL command (help lists them)",
        Action::OpenPrompt(PromptKind::Search) => "search in the source (empty: next match)",
        Action::OpenPrompt(PromptKind::Goto) => "go to a function or line (in Memory: an address)",
        Action::OpenPrompt(PromptKind::Watch) => "add a watch expression",
        Action::OpenPrompt(PromptKind::Memory) => "memory: jump to an address",
        Action::FocusNext | Action::FocusPrev => "next / previous pane",
        Action::Up | Action::Down => "move / scroll in the pane",
        Action::PageUp | Action::PageDown | Action::Top | Action::Bottom => "page up / down, first / last",
        Action::ScrollLeft | Action::ScrollRight => "scroll long lines (Memory: word left/right)",
        Action::Activate => "expand / select frame / follow pointer",
        Action::CycleView => "source / disassembly / split",
        Action::ShowInMemory => "show the selected variable's memory",
        Action::NextMemory => "memory pane: the next memory of the instance (multi-memory)",
        Action::DeleteItem => "delete the selected watch",
        Action::ToggleHelp => "this help",
        Action::Quit => "quit (kills the program)",
        _ => "",
    }
}

/// Short footer names.
pub fn footer_name(action: &Action) -> &'static str {
    match action {
        Action::Continue => "cont",
        Action::Next => "next",
        Action::Step => "step",
        Action::Finish => "finish",
        Action::ToggleBreakpoint => "break",
        Action::OpenPrompt(PromptKind::Command) => "cmd",
        Action::OpenPrompt(PromptKind::Search) => "search",
        Action::OpenPrompt(PromptKind::Goto) => "goto",
        Action::CycleView => "view",
        Action::FocusNext => "pane",
        Action::ToggleHelp => "help",
        Action::Quit => "quit",
        _ => "",
    }
}

/// The status line's description of why the program stopped.
pub fn stop_breakpoint(id: u32) -> String {
    format!("Breakpoint {id}")
}
pub const STOP_STEP: &str = "stepped";
pub const STOP_INTERRUPTED: &str = "interrupted (Ctrl-C)";
pub fn stop_finished(func: &str) -> String {
    format!("returned from {func}")
}
pub fn stop_watch(id: u32) -> String {
    format!("Watchpoint {id}")
}
pub fn stop_exception(id: u32, description: &str) -> String {
    format!("Catchpoint {id}: exception thrown, {description}")
}
pub fn exited(code: i32) -> String {
    format!("exited with code {code} (F5/c runs again)")
}
pub fn returned(values: &str) -> String {
    format!("returned {values} (F5/c runs again)")
}
pub fn trapped(message: &str) -> String {
    format!("terminated by a trap: {message} (F5/c runs again)")
}
pub const KILLED: &str = "killed (F5/c runs again)";
pub const HELP_MOUSE: &str = "Mouse: click a line/frame/variable: breakpoint/select/open; wheel scrolls";
