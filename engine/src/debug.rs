//! The hook a debugger attaches to the interpreter.
//!
//! [`crate::Func::call_debug`] runs a function on the interpreter with a [`DebugHook`]
//! that is called before every instruction and when a trap is raised, with a
//! [`DebugState`] to inspect (frames, locals, operand stack, the store) and change (the
//! store) the paused program. The interpreter's dispatch loop is generic over the hook:
//! ordinary calls instantiate it with a hook that is compiled out, so they pay nothing.
//!
//! Only the interpreter tier can be debugged. Wasm code called back from a host function
//! during a debugged call runs without the hook.

use crate::engine::Module;
use crate::error::Trap;
use crate::interp::FrameRecord;
use crate::runtime::{Instance, Store, Val};
use crate::syntax::ValType;

/// What the program should do after the hook returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DebugControl {
    /// Execute the instruction and go on.
    Continue,
    /// Abort the call with a host trap ("killed by the debugger").
    Kill,
}

/// Receives control while a debugged call runs.
pub trait DebugHook {
    /// Called before each instruction executes; `state.frame(0)` is where it is.
    fn before_instruction(&mut self, state: &mut DebugState<'_>) -> DebugControl;

    /// Called when an instruction traps, with the program still at the trapping
    /// instruction (before the frames unwind).
    fn on_trap(&mut self, state: &mut DebugState<'_>, trap: &Trap) {
        let _ = (state, trap);
    }

    /// Called when an exception is thrown (`throw`, `throw_ref`, or out of a host call),
    /// with the program still at the throwing instruction, before any frame unwinds; its
    /// tag and payload are `exn.tag(state.store())`, `exn.payload(..)`.
    fn on_throw(&mut self, state: &mut DebugState<'_>, exn: crate::runtime::Exn) {
        let _ = (state, exn);
    }
}

/// One active frame, as the debugger sees it.
#[derive(Debug, Clone)]
pub struct FrameInfo {
    pub instance: Instance,
    pub module: Module,
    /// Function index in the module's function index space.
    pub func: u32,
    /// Byte offset in the module of the instruction about to execute (innermost frame) or
    /// of the call in progress (outer frames).
    pub offset: u32,
}

/// The paused program.
pub struct DebugState<'a> {
    pub(crate) store: &'a mut Store,
    pub(crate) stack: &'a [u64],
    /// Every active frame, outermost first; the last is the innermost.
    pub(crate) frames: Vec<FrameRecord>,
}

impl DebugState<'_> {
    /// Number of active frames.
    pub fn depth(&self) -> usize {
        self.frames.len()
    }

    fn record(&self, i: usize) -> Option<&FrameRecord> {
        self.frames.len().checked_sub(i + 1).and_then(|k| self.frames.get(k))
    }

    /// Frame `i`: 0 is the innermost (where execution is), 1 its caller, and so on.
    pub fn frame(&self, i: usize) -> Option<FrameInfo> {
        let r = self.record(i)?;
        let module = self.store.instances.get(r.instance as usize)?.module.clone();
        Some(FrameInfo { instance: Instance(r.instance), module, func: r.func, offset: r.offset })
    }

    /// Types of frame `i`'s locals: parameters, then declared locals.
    pub fn local_types(&self, i: usize) -> Option<Vec<ValType>> {
        let r = self.record(i)?;
        let module = &self.store.instances.get(r.instance as usize)?.module;
        let syntax = module.syntax();
        let mut types: Vec<ValType> = module.func_type(r.func)?.params.to_vec();
        let def = (r.func as usize).checked_sub(syntax.num_imported_funcs() as usize)?;
        types.extend(syntax.code.get(def)?.locals.iter().copied());
        // In the runtime's form (type indices canonical), as values are decoded.
        Some(types.into_iter().map(|t| syntax.canon_val(t)).collect())
    }

    /// Values of frame `i`'s locals (parameters first).
    pub fn locals(&self, i: usize) -> Option<Vec<Val>> {
        let r = self.record(i)?;
        let types = self.local_types(i)?;
        let slots = self.stack.get(r.fp..r.fp + ValType::slots_of(&types) as usize)?;
        Some(Val::from_slot_vec(&types, slots))
    }

    /// Frame `i`'s operand stack, bottom first, as raw 64-bit slots (integers
    /// zero-extended, floats as bits, references as address + 1 with 0 for null).
    pub fn operands(&self, i: usize) -> Option<&[u64]> {
        let r = self.record(i)?;
        self.stack.get(r.fp + r.num_locals..r.sp)
    }

    /// Types of frame `i`'s operand stack, bottom first, one per wasm operand (a `v128`
    /// is one entry, two slots of [`DebugState::operands`]): the validator's stack types
    /// before the frame's instruction, less the arguments of the call an outer frame is
    /// making. `None` if they cannot be made to fit the frame's slots (which a valid,
    /// reachable program does not do).
    pub fn operand_types(&self, i: usize) -> Option<Vec<ValType>> {
        let r = self.record(i)?;
        let n = r.sp.checked_sub(r.fp + r.num_locals)?;
        if n == 0 {
            return Some(Vec::new());
        }
        let module = &self.store.instances.get(r.instance as usize)?.module;
        let syntax = module.syntax();
        let def = (r.func as usize).checked_sub(syntax.num_imported_funcs() as usize)?;
        let (body, type_index) = (syntax.code.get(def)?, *syntax.funcs.get(def)?);
        // The module was validated with the engine's features, a subset of these.
        let features = crate::Features::wasm3();
        let c = crate::valid::Context::new(syntax, &features);
        let all = crate::valid::operand_types_at(&c, type_index, body, r.offset)?;
        // The innermost frame has all of them; an outer frame the ones below its call's
        // arguments.
        let total = all.len();
        let mut types = Vec::new();
        let mut slots = 0;
        for t in all {
            let t = t?;
            if slots + t.slots() as usize > n {
                break;
            }
            slots += t.slots() as usize;
            types.push(syntax.canon_val(t));
        }
        (slots == n && (i > 0 || types.len() == total)).then_some(types)
    }

    /// Frame `i`'s operand stack as values, bottom first (see
    /// [`DebugState::operand_types`]).
    pub fn operand_vals(&self, i: usize) -> Option<Vec<Val>> {
        let types = self.operand_types(i)?;
        Some(Val::from_slot_vec(&types, self.operands(i)?))
    }

    /// The store, for reading memories, globals and tables.
    pub fn store(&self) -> &Store {
        self.store
    }

    /// The store, for changing memories and globals of the paused program.
    pub fn store_mut(&mut self) -> &mut Store {
        self.store
    }
}
