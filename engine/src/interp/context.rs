//! The interpreter's execution state that the threaded handlers reach: the current
//! function and frame, the frame stack, and the current instance's globals, callees and
//! fuel (spec §4.2.12 "Stack": the frames; §4.2.9 globals).
//!
//! A handler gets a [`Ctx`] as its fifth argument. With it, direct calls and returns
//! between functions of one instance, global reads and writes, fuel charges and
//! value-moving `br_if`/`br_table` and `call_indirect` of such a function run inside
//! the chain of handlers; the loop in
//! `interp` takes over only where the store itself must be touched (a call to a host
//! function, to another instance or to a function not yet translated, a frame stack or
//! value stack that must grow, a return to another instance, running out of fuel).
//! The loop and the handlers keep the state in the same `Ctx`, so either can take over
//! at any instruction. The raw accesses are in `slots`.

use crate::translate::CompiledFunc;

use super::threaded::Inst;

/// A suspended caller: where it resumes, its frame and its function. Plain data (`Copy`):
/// the translations it points to live in the module's cache for as long as the store
/// holds the instance.
#[derive(Clone, Copy)]
#[repr(C)]
pub(crate) struct Frame {
    /// The caller's translation.
    pub code: *const CompiledFunc,
    /// The caller's instruction after the call.
    pub ret: *const Inst,
    /// The caller's frame base (a slot index in the value stack).
    pub fp: usize,
    pub instance: u32,
    pub func: u32,
}

impl Frame {
    /// A placeholder for the unused part of the frame buffer.
    pub const EMPTY: Frame = Frame { code: std::ptr::null(), ret: std::ptr::null(), fp: 0, instance: 0, func: 0 };

    /// The caller's translation.
    pub fn code(&self) -> &CompiledFunc {
        super::slots::code_of(self.code)
    }

    /// The pc the caller resumes at (the op after its call).
    pub fn pc(&self) -> usize {
        super::slots::pc_of(self.code().threaded.as_ptr(), self.ret)
    }
}

/// The state shared by the loop and the handlers while one `run` executes.
#[repr(C)]
pub(crate) struct Ctx {
    /// The function being executed.
    pub code: *const CompiledFunc,
    /// Its frame base (a slot index in the value stack).
    pub fp: usize,
    pub func: u32,
    pub instance: u32,
    /// Slot 0 of the value stack.
    pub stack: *mut u64,
    /// Slots a handler may use: the stack's length, at most the value-stack limit.
    pub stack_limit: usize,
    /// The frame buffer (see `Frames`).
    pub frames: *mut Frame,
    /// Suspended callers in the buffer.
    pub num_frames: usize,
    /// A handler may push a frame while `num_frames < frames_room`: the buffer's length,
    /// less one, at most the call-depth limit less one.
    pub frames_room: usize,
    /// The current instance's global values, by global index.
    pub globals: *const *mut u64,
    /// The current instance's translated functions, by function index; null where a
    /// call must take the loop (imports, not yet translated).
    pub callees: *const *const CompiledFunc,
    /// The store's fuel.
    pub fuel: *mut u64,
    /// The current instance's tables, by table index.
    pub tables: *const *const crate::jit::env::VmTableDef,
    /// The current instance's memories, by memory index: what the handlers of accesses
    /// to memories other than a 32-bit memory 0 read (that one's base and length are in
    /// registers).
    pub memories: *const *const crate::jit::memory::VmMemoryDef,
    /// The store's functions as the interpreter sees them, by address.
    pub funcs: *const crate::runtime::InterpEntry,
}
