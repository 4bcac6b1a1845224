//! Runtime structure (spec §4.2): the store and its instances, values, host functions,
//! and the linker that instantiates modules (spec §4.5).

mod exceptions;
mod func;
pub(crate) mod gc;
mod linker;
mod objects;
pub(crate) mod ops;
mod store;
mod values;

pub use exceptions::{Exn, Tag};
pub use func::{Caller, HostFnRef, TypedFunc, WasmParams, WasmResults, WasmTy};
pub use linker::Linker;
pub use store::{Extern, Func, Global, HostFn, Instance, Memory, Store, Table};
pub use values::{AnyKind, AnyRef, ExternRef, GcContents, Val};

pub(crate) use exceptions::{ExnInst, TagInst};
pub(crate) use store::{FuncInst, HostCode, InterpEntry, SlotHost};
