//! wasmscope's WebAssembly engine.
//!
//! The pipeline is **Loader → Validator → Executor** over a **Store** of instances:
//! [`binary`] decodes bytes into [`syntax::Module`], [`valid`] checks it against the
//! spec's typing rules, and the runtime instantiates it in a store whose functions run on
//! the interpreter or, with [`Tier::Jit`], as native code compiled by Cranelift.
//!
//! ```
//! use wasmscope_engine::{Config, Engine, Linker, Module, Store, Val};
//!
//! # fn main() -> Result<(), wasmscope_engine::Error> {
//! // (module (func (export "add") (param i32 i32) (result i32)
//! //   (i32.add (local.get 0) (local.get 1))))
//! let bytes = [
//!     0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7f,
//!     0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64,
//!     0x00, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b,
//! ];
//! let engine = Engine::new(Config::default());
//! let module = Module::new(&engine, &bytes)?;
//! let mut store = Store::new(&engine);
//! let instance = Linker::new().instantiate(&mut store, &module)?;
//! let add = instance.func(&store, "add").expect("exported");
//! assert_eq!(add.call(&mut store, &[Val::I32(2), Val::I32(40)])?, vec![Val::I32(42)]);
//! // Or with Rust types checked once:
//! let add = add.typed::<(i32, i32), i32>(&store)?;
//! assert_eq!(add.call(&mut store, (1, 2))?, 3);
//! # Ok(())
//! # }
//! ```

pub mod binary;
pub mod config;
pub mod error;
pub mod syntax;
pub mod valid;
pub mod wasi;

pub use config::{BoundsChecks, Config, FeatureError, Features, JitCompile, Limits, Tier};
pub use error::{DecodeError, Error, LinkError, Trap, TrapCode, TrapFrame, ValidationError};

pub mod debug;
mod engine;
pub mod fuel;
pub(crate) mod interp;
mod jit;
pub mod runtime;
pub mod translate;

pub use engine::{Engine, Module};
pub use jit::JitError;
pub use runtime::{
    AnyKind, AnyRef, Caller, Exn, Extern, ExternRef, Func, GcContents, Global, Instance, Linker, Memory, Store, Table,
    Tag, TypedFunc, Val,
};
