//! The TUI's errors.

#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error("terminal: {0}")]
    Io(#[from] std::io::Error),
    #[error("terminal backend: {0}")]
    Backend(String),
    #[error("{0}")]
    Debugger(#[from] wasmscope_debugger::DebugError),
}

pub type Result<T> = std::result::Result<T, TuiError>;
