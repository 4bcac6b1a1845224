//! The debugger library's typed errors.

use thiserror::Error;

/// Everything that can go wrong in the debugger core; every variant is a message for the
/// user, never a reason to panic.
#[derive(Debug, Error)]
pub enum DebugError {
    /// The module could not be read, compiled or instantiated.
    #[error("{0}")]
    Load(String),
    /// The DWARF sections are malformed or use something unsupported.
    #[error("DWARF: {0}")]
    Dwarf(String),
    /// A command or expression could not be parsed.
    #[error("{0}")]
    Syntax(String),
    /// A name, line, address or frame the program does not have.
    #[error("{0}")]
    NotFound(String),
    /// The command needs a running (paused) program.
    #[error("The program is not being run.")]
    NotRunning,
    /// Evaluating an expression failed (bad memory access, wrong types, ...).
    #[error("{0}")]
    Eval(String),
    /// The engine failed outside the debugged program (not a trap).
    #[error("{0}")]
    Engine(String),
    /// A debugger protocol's connection failed (listening, accepting, reading, writing).
    #[error("{0}")]
    Connection(String),
}

pub type Result<T, E = DebugError> = std::result::Result<T, E>;
