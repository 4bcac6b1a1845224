//! Module structure: types, the instruction set and the module itself (spec §2 "Structure").

pub mod canon;
pub mod gc;
pub mod instr;
pub mod module;
pub mod print;
pub mod simd;
pub mod subtype;
pub mod types;
pub mod wide;

pub use gc::{Extend, GcInstr};
pub use instr::{Catch, CatchKind, Instr, LoadOp, MemArg, NumOp, OpFeature, StoreOp};
pub use module::*;
pub use simd::{SimdFeature, SimdImm, SimdOp};
pub use types::*;
pub use wide::WideOp;
