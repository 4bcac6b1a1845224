//! wasmscope's WebAssembly engine.
//!
//! The pipeline is **Loader → Validator → Executor** over a **Store** of instances:
//! [`binary`] decodes bytes into [`syntax::Module`], [`valid`] checks it against the
//! spec's typing rules, and the runtime instantiates it in a store whose functions run on
//! the interpreter.

pub mod binary;
pub mod config;
pub mod error;
pub mod syntax;
pub mod valid;

pub use config::{Config, Features, Limits, Tier};
pub use error::{DecodeError, Error, LinkError, Trap, TrapCode, TrapFrame, ValidationError};

mod engine;
mod interp;
pub mod runtime;
pub mod translate;

pub use engine::{Engine, Module};
pub use runtime::{Caller, Extern, Func, Global, Instance, Linker, Memory, Store, Table, TypedFunc, Val};
