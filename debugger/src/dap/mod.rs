//! The Debug Adapter Protocol (Microsoft's DAP, as VS Code, Neovim, Zed and Helix speak
//! it): `wasmscope debug --dap` on stdin/stdout, or `--dap-port PORT` on TCP.
//!
//! - [`protocol`]: `Content-Length` framing, the reader thread, responses and events.
//! - [`server`]: the session's lifecycle and requests, as a [`crate::Frontend`].
//! - [`breakpoints`]: `setBreakpoints` / `setFunctionBreakpoints` on the core's points.
//! - [`variables`]: stack frames, scopes, variables and `evaluate`.
//! - [`memory`]: `readMemory`, `writeMemory`, `disassemble`.
//! - [`console`]: REPL commands typed in the client's debug console.

pub mod breakpoints;
pub mod console;
pub mod memory;
pub mod protocol;
pub mod server;
pub mod variables;

pub use server::{Defaults, serve};
