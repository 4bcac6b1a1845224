//! wasmscope's debugger core: sessions over the interpreter's debug hook, breakpoints,
//! stepping, DWARF source mapping and variables, and a gdb-style line REPL.
//!
//! The core is headless and event-driven: [`session::Session::run`] reports each stop as a
//! [`session::Stop`] to a [`session::Frontend`] while the program is paused, with a
//! tier-independent [`state::ProgramState`] to inspect; the frontend answers with a
//! [`session::Resume`]. [`repl::Repl`] is the line-mode frontend; [`remote`] serves LLDB
//! over gdb-remote and [`dap`] serves editors over the Debug Adapter Protocol, both as
//! frontends of the same core.

pub mod breakpoints;
pub mod commands;
pub mod dap;
pub mod dwarf;
pub mod error;
pub mod expr;
pub mod format;
pub mod frames;
pub mod gcview;
pub mod lang;
pub mod program;
pub mod remote;
pub mod repl;
pub mod session;
pub mod state;
pub mod stepping;
pub mod typeprint;
pub mod vector;

pub use error::{DebugError, Result};
pub use session::{Core, Frontend, Outcome, Resume, Session, SessionConfig, Stop};
