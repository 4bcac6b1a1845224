//! The gdb-remote stub (GDB Remote Serial Protocol, in the dialect of LLDB's WebAssembly
//! process plugin): `wasmscope debug --gdb-port PORT` and then, in LLDB,
//! `process connect --plugin wasm connect://127.0.0.1:PORT`.
//!
//! - [`packet`]: framing, checksums, acks, escapes, the interrupt byte; the socket reader.
//! - [`wasm_addr`]: LLDB's 64-bit encoding of module code and linear memory addresses.
//! - [`gdb`]: the packets themselves, answered from the debugger core as a
//!   [`crate::Frontend`].

pub mod gdb;
pub mod packet;
pub mod wasm_addr;

pub use gdb::serve;
