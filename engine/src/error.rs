//! Typed errors of each phase (decode, validate, link, run). Messages use the wording of
//! the official testsuite ("unexpected end", "type mismatch", ...), so the spec runner can
//! compare them.

use std::fmt;

/// A malformed binary (spec §5): where and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at byte offset {offset:#x})")]
pub struct DecodeError {
    /// Byte offset in the module binary.
    pub offset: usize,
    /// The spec's wording, e.g. "unexpected end".
    pub message: String,
}

impl DecodeError {
    pub fn new(offset: usize, message: impl Into<String>) -> DecodeError {
        DecodeError { offset, message: message.into() }
    }
}

/// An invalid module (spec §3): where and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at byte offset {offset:#x})")]
pub struct ValidationError {
    /// Byte offset in the module binary of the offending instruction or entry.
    pub offset: usize,
    /// The spec's wording, e.g. "type mismatch".
    pub message: String,
}

impl ValidationError {
    pub fn new(offset: usize, message: impl Into<String>) -> ValidationError {
        ValidationError { offset, message: message.into() }
    }
}

/// An import that cannot be resolved (spec §4.5.4 "Instantiation", step 3/4).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (import \"{module}\" \"{name}\")")]
pub struct LinkError {
    pub module: String,
    pub name: String,
    /// "unknown import" or "incompatible import type".
    pub message: String,
}

/// Why execution trapped (spec §4.4 "Instructions", the trap cases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrapCode {
    Unreachable,
    IntegerDivideByZero,
    IntegerOverflow,
    InvalidConversionToInteger,
    MemoryOutOfBounds,
    TableOutOfBounds,
    IndirectCallTypeMismatch,
    UninitializedElement,
    UndefinedElement,
    NullReference,
    /// `call_ref` or `return_call_ref` of a null reference.
    NullFunctionReference,
    /// A struct access through a null reference (GC).
    NullStructReference,
    /// An array access through a null reference (GC).
    NullArrayReference,
    /// `i31.get_s`/`_u` of a null reference (GC).
    NullI31Reference,
    /// `ref.cast` of a value that is not of the type (GC).
    CastFailure,
    /// An array index or range outside the array (GC).
    ArrayOutOfBounds,
    CallStackExhausted,
    /// Raised by a host function; the message is in [`Trap::message`].
    Host,
    /// Not a fault: the program asked to stop (WASI `proc_exit`); the status is in
    /// [`Trap::exit_code`].
    Exit,
    /// The store's fuel ran out (see [`crate::fuel`]).
    OutOfFuel,
    /// An exception left every wasm frame (exception handling): the exception is in
    /// [`Trap::exception`], its tag and payload in the message.
    UncaughtException,
}

impl TrapCode {
    /// The testsuite's wording.
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::IntegerDivideByZero => "integer divide by zero",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::InvalidConversionToInteger => "invalid conversion to integer",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapCode::UninitializedElement => "uninitialized element",
            TrapCode::UndefinedElement => "undefined element",
            TrapCode::NullReference => "null reference",
            TrapCode::NullFunctionReference => "null function reference",
            TrapCode::NullStructReference => "null structure reference",
            TrapCode::NullArrayReference => "null array reference",
            TrapCode::NullI31Reference => "null i31 reference",
            TrapCode::CastFailure => "cast failure",
            TrapCode::ArrayOutOfBounds => "out of bounds array access",
            TrapCode::CallStackExhausted => "call stack exhausted",
            TrapCode::Host => "host trap",
            TrapCode::Exit => "exit",
            TrapCode::OutOfFuel => "all fuel consumed by WebAssembly",
            TrapCode::UncaughtException => "uncaught exception",
        }
    }
}

/// One wasm frame of a trap's backtrace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrapFrame {
    /// Function index in its module.
    pub func: u32,
    /// Byte offset of the instruction in the module binary.
    pub offset: u32,
    /// Name from the name section, if any.
    pub name: Option<String>,
}

/// A trap: a value returned to the caller, never a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trap {
    pub code: TrapCode,
    /// Extra text (host traps, or details such as the failing index).
    pub message: Option<String>,
    /// Innermost frame first.
    pub backtrace: Vec<TrapFrame>,
    /// The exit status of a [`TrapCode::Exit`] trap (`None` for every other code).
    pub exit_code: Option<i32>,
    /// The exception of a [`TrapCode::UncaughtException`] trap (its tag and payload:
    /// [`crate::runtime::Exn::tag`], [`crate::runtime::Exn::payload`]).
    pub exception: Option<crate::runtime::Exn>,
}

impl Trap {
    pub fn new(code: TrapCode) -> Trap {
        Trap { code, message: None, backtrace: Vec::new(), exit_code: None, exception: None }
    }

    /// Stops execution with an exit status (WASI `proc_exit`): unwinds like a trap, but
    /// embedders treat it as a normal end of the program.
    pub fn exit(code: i32) -> Trap {
        Trap { code: TrapCode::Exit, message: None, backtrace: Vec::new(), exit_code: Some(code), exception: None }
    }

    /// A trap raised by host code, with a message.
    pub fn host(message: impl Into<String>) -> Trap {
        Trap {
            code: TrapCode::Host,
            message: Some(message.into()),
            backtrace: Vec::new(),
            exit_code: None,
            exception: None,
        }
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.code, &self.message) {
            (TrapCode::Host, Some(m)) => f.write_str(m)?,
            (TrapCode::Exit, _) => write!(f, "exit with status {}", self.exit_code.unwrap_or(0))?,
            (c, Some(m)) => write!(f, "{}: {m}", c.message())?,
            (c, None) => f.write_str(c.message())?,
        }
        if let Some(top) = self.backtrace.first() {
            write!(f, " (in func {} at offset {:#x})", top.func, top.offset)?;
        }
        Ok(())
    }
}

impl std::error::Error for Trap {}

impl From<TrapCode> for Trap {
    fn from(code: TrapCode) -> Trap {
        Trap::new(code)
    }
}

/// Any error of the public API; the variant tells the phase that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("malformed module: {0}")]
    Decode(#[from] DecodeError),
    #[error("invalid module: {0}")]
    Validate(#[from] ValidationError),
    #[error("link error: {0}")]
    Link(#[from] LinkError),
    #[error("trap: {0}")]
    Trap(#[from] Box<Trap>),
    /// Misuse of the embedding API (wrong argument count or types, foreign store objects).
    #[error("{0}")]
    Usage(String),
}

impl From<Trap> for Error {
    fn from(t: Trap) -> Error {
        Error::Trap(Box::new(t))
    }
}

impl From<Box<DecodeError>> for DecodeError {
    /// The decoder boxes its errors internally (see `binary::reader::Result`).
    fn from(e: Box<DecodeError>) -> DecodeError {
        *e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_stay_small() {
        assert!(std::mem::size_of::<Error>() <= 80, "{}", std::mem::size_of::<Error>());
    }
}
