//! Calls from JIT code into Rust: calls of imported functions and `call_indirect` (which
//! may reach host functions, other instances, or the interpreter), and the table, bulk
//! memory and `memory.grow` operations. Each returns a status: 0, or 1 after storing the
//! trap in the runtime record, which JIT code then raises at its own trap site.
//!
//! One of the few modules with `unsafe` code: each entry dereferences the `vmctx` JIT code
//! passes in.

use super::env::VmCtx;
use crate::error::{Trap, TrapCode};
use crate::runtime::{Caller, FuncInst, Instance, SlotHost, Store, ops};
use crate::syntax::ValType;

/// Operations of [`misc`], with their arguments in the values area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub(crate) enum MiscOp {
    /// (memory, delta) -> old pages or -1
    MemoryGrow = 0,
    /// (memory, dst, value, len)
    MemoryFill,
    /// (dst memory, src memory, dst, src, len)
    MemoryCopy,
    /// (segment, memory, dst, src, len)
    MemoryInit,
    /// (segment)
    DataDrop,
    /// (table, index) -> ref
    TableGet,
    /// (table, index, ref)
    TableSet,
    /// (table) -> size
    TableSize,
    /// (table, init, delta) -> old size or -1
    TableGrow,
    /// (table, dst, ref, len)
    TableFill,
    /// (dst table, src table, dst, src, len)
    TableCopy,
    /// (segment, table, dst, src, len)
    TableInit,
    /// (segment)
    ElemDrop,
}

const OPS: [MiscOp; 13] = [
    MiscOp::MemoryGrow,
    MiscOp::MemoryFill,
    MiscOp::MemoryCopy,
    MiscOp::MemoryInit,
    MiscOp::DataDrop,
    MiscOp::TableGet,
    MiscOp::TableSet,
    MiscOp::TableSize,
    MiscOp::TableGrow,
    MiscOp::TableFill,
    MiscOp::TableCopy,
    MiscOp::TableInit,
    MiscOp::ElemDrop,
];

/// The store and instance address behind a vmctx.
///
/// # Safety
/// `vmctx` must be a context created by `jit::StoreData` for a store that is currently
/// running JIT code (its runtime record's `store` points to it and nothing else borrows
/// it).
unsafe fn context<'a>(vmctx: *mut VmCtx) -> (&'a mut Store, u32) {
    // SAFETY: per the contract, vmctx and its runtime record are live, and the store
    // pointer is the exclusive access the outermost entry gave up while JIT code runs.
    unsafe {
        let instance = (*vmctx).instance;
        let store = &mut *(*(*vmctx).rt).store;
        (store, instance)
    }
}

fn finish(store: &mut Store, r: Result<(), Trap>) -> u32 {
    match r {
        Ok(()) => 0,
        Err(t) => {
            store.jit.set_pending(t);
            1
        }
    }
}

/// [`call_addr`] with the callee's panics caught: a panic cannot unwind through JIT
/// frames, so it is kept in the runtime, the call traps, and `jit::try_call` resumes the
/// panic once JIT code has returned.
fn call_addr_catching(store: &mut Store, inst: u32, addr: u32, values: *mut u64) -> Result<(), Trap> {
    let call = std::panic::AssertUnwindSafe(|| call_addr(&mut *store, inst, addr, values));
    match std::panic::catch_unwind(call) {
        Ok(r) => r,
        Err(payload) => {
            store.jit.rt.panic = Some(payload);
            Err(Trap::host("host function panicked"))
        }
    }
}

fn call_addr(store: &mut Store, inst: u32, addr: u32, values: *mut u64) -> Result<(), Trap> {
    let func = store.funcs.get(addr as usize).ok_or_else(|| Trap::host("unknown function"))?;
    // Counted in slots: a `v128` takes two.
    let (params, results) =
        (ValType::slots_of(&func.ty().params) as usize, ValType::slots_of(&func.ty().results) as usize);
    // SAFETY: JIT code passes a values area of max(params, results) slots for this type.
    let area = unsafe { std::slice::from_raw_parts_mut(values, params.max(results)) };
    if let FuncInst::Host { ty, f } = func {
        // Straight to the host function, its arguments and results in the area.
        let (ty, f) = (ty.clone(), f.clone());
        return crate::interp::call_host(store, &f, &ty, area, Some(Instance(inst)));
    }
    let results = crate::interp::call_from(store, addr, &area[..params], Some(Instance(inst)))?;
    for (dst, r) in area.iter_mut().zip(results) {
        *dst = r;
    }
    Ok(())
}

/// Calls imported function `index` of the instance (any import but a typed host
/// function, see [`super::env::VmImport`]) with arguments in `values`; results replace
/// them.
// SAFETY (for callers): only JIT code calls this, passing the vmctx of the instance it
// runs in and a values area of max(params, results) slots of the callee (two per
// `v128`), both live for the call.
pub(crate) unsafe extern "C" fn call_import(vmctx: *mut VmCtx, index: usize, values: *mut u64) -> u32 {
    // SAFETY: called by JIT code with its own vmctx while it runs.
    let (store, inst) = unsafe { context(vmctx) };
    let r = match store.instances[inst as usize].funcs.get(index) {
        Some(&addr) => {
            // Wasm code behind an import gets a direct-call record, so that a tail call of
            // the import is a native tail call from then on (see `compile.rs`).
            if matches!(store.funcs.get(addr as usize), Some(FuncInst::Wasm { .. })) && !store.jit.has_record(addr) {
                super::record_direct_call(store, addr);
            }
            call_addr_catching(store, inst, addr, values)
        }
        None => Err(Trap::host("unknown function")),
    };
    finish(store, r)
}

/// Calls a host function defined with `Func::wrap` (`host` is its [`SlotHost`]) straight
/// on the values area: no lookup, no conversion. A panic is kept for `jit::try_call` to
/// resume, as in [`call_addr_catching`].
// SAFETY (for callers): only JIT code calls this, passing the vmctx of the instance it
// runs in, the `data` of that instance's import record (a `SlotHost` its context keeps
// alive) and a value area of the host function's `area` slots.
pub(crate) unsafe extern "C" fn call_host_slots(vmctx: *mut VmCtx, host: *const SlotHost, values: *mut u64) -> u32 {
    // SAFETY: called by JIT code with its own vmctx while it runs.
    let (store, inst) = unsafe { context(vmctx) };
    // SAFETY: per the contract, `host` points into an `Rc` that the instance's context
    // holds until the store is dropped; it is shared data, never mutated.
    let host = unsafe { &*host };
    // SAFETY: JIT code passes an area of max(params, results) slots of this function.
    let area = unsafe { std::slice::from_raw_parts_mut(values, host.area) };
    let call = std::panic::AssertUnwindSafe(|| (host.f)(&mut Caller::new(&mut *store, Some(Instance(inst))), area));
    let r = match std::panic::catch_unwind(call) {
        Ok(r) => r,
        Err(payload) => {
            store.jit.rt.panic = Some(payload);
            Err(Trap::host("host function panicked"))
        }
    };
    finish(store, r)
}

/// `call_indirect`: looks element `elem` of table `table` up, checks its type against
/// type `type_index` of the module, and calls it.
// SAFETY (for callers): only JIT code calls this, passing the vmctx of the instance it
// runs in and a values area of max(params, results) slots of the callee (two per
// `v128`), both live for the call.
pub(crate) unsafe extern "C" fn call_indirect(
    vmctx: *mut VmCtx,
    table: u32,
    type_index: u32,
    elem: u64,
    values: *mut u64,
) -> u32 {
    // SAFETY: called by JIT code with its own vmctx while it runs.
    let (store, inst) = unsafe { context(vmctx) };
    let r = (|| {
        let instance = &store.instances[inst as usize];
        let taddr = *instance.tables.get(table as usize).ok_or_else(|| Trap::host("unknown table"))? as usize;
        let elem = usize::try_from(elem).map_err(|_| TrapCode::UndefinedElement)?;
        let slot = *store.tables[taddr].elems.get(elem).ok_or(TrapCode::UndefinedElement)?;
        let addr = slot.checked_sub(1).ok_or(TrapCode::UninitializedElement)? as u32;
        let expected = instance.module.syntax().types.get(type_index as usize);
        if store.funcs.get(addr as usize).map(|f| f.ty()) != expected {
            return Err(Trap::new(TrapCode::IndirectCallTypeMismatch));
        }
        if !store.jit.has_record(addr) {
            // Next time JIT code calls it directly, if it can.
            super::record_direct_call(store, addr);
        }
        call_addr_catching(store, inst, addr, values)
    })();
    finish(store, r)
}

/// Compiles defined function `def` of the instance's module (lazy compilation, see
/// `CompiledModule::ensure`) and returns its body code, or 0 after storing the trap
/// (a function the JIT cannot compile).
// SAFETY (for callers): only JIT code calls this, passing the vmctx of the instance it
// runs in.
pub(crate) unsafe extern "C" fn compile_lazily(vmctx: *mut VmCtx, def: u32) -> usize {
    // SAFETY: called by JIT code with its own vmctx while it runs.
    let (store, inst) = unsafe { context(vmctx) };
    let module = store.instances[inst as usize].module.clone();
    let compile = || module.jit().and_then(|c| c.ensure(module.syntax(), def)).map(|(body, _)| body);
    // Compiling takes far more stack than JIT code leaves its libcalls in the worst case
    // (deep recursion): with little left, compile on a thread of its own.
    let r = if super::signals::stack_headroom().is_some_and(|h| h >= COMPILE_STACK) {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(compile)).ok()
    } else {
        std::thread::scope(|s| {
            std::thread::Builder::new().stack_size(4 * COMPILE_STACK).spawn_scoped(s, compile).ok()?.join().ok()
        })
    };
    match r {
        Some(Ok(code)) => code,
        Some(Err(e)) => {
            let index = module.syntax().num_imported_funcs() + def;
            store.jit.set_pending(Trap::host(format!("cannot compile function {index}: {e}")));
            0
        }
        None => {
            let index = module.syntax().num_imported_funcs() + def;
            store.jit.set_pending(Trap::host(format!("cannot compile function {index}: the compiler panicked")));
            0
        }
    }
}

/// Stack a lazy compilation may need (see [`compile_lazily`]).
const COMPILE_STACK: usize = 2 << 20;

/// Table, bulk-memory and `memory.grow` operations (see [`MiscOp`]).
// SAFETY (for callers): only JIT code calls this, passing the vmctx of the instance it
// runs in and a value area of the callee's arity, both live for the call.
pub(crate) unsafe extern "C" fn misc(vmctx: *mut VmCtx, op: u32, args: *mut u64) -> u32 {
    // SAFETY: called by JIT code with its own vmctx while it runs.
    let (store, inst) = unsafe { context(vmctx) };
    let Some(op) = OPS.get(op as usize).copied() else {
        return finish(store, Err(Trap::host("internal error: unknown libcall")));
    };
    let n = match op {
        MiscOp::DataDrop | MiscOp::ElemDrop | MiscOp::TableSize => 1,
        MiscOp::TableGet | MiscOp::MemoryGrow => 2,
        MiscOp::TableSet | MiscOp::TableGrow => 3,
        MiscOp::MemoryFill | MiscOp::TableFill => 4,
        MiscOp::MemoryCopy | MiscOp::MemoryInit | MiscOp::TableCopy | MiscOp::TableInit => 5,
    };
    // SAFETY: JIT code passes an area of at least as many slots as the op's arguments.
    let a = unsafe { std::slice::from_raw_parts_mut(args, n) };
    let r = run_misc(store, inst, op, a).map_err(Trap::from);
    finish(store, r)
}

/// One [`MiscOp`] on the shared implementation (`runtime::ops`), which reduces each
/// operand to its memory's or table's address type.
fn run_misc(store: &mut Store, inst: u32, op: MiscOp, a: &mut [u64]) -> Result<(), TrapCode> {
    // Indices and segment numbers are constants JIT code passes (validated, below 2^32).
    let x = |i: usize| a[i] as u32;
    match op {
        MiscOp::MemoryGrow => a[0] = ops::memory_grow(store, inst, x(0), a[1])?,
        MiscOp::MemoryFill => ops::memory_fill(store, inst, x(0), a[1], a[2], a[3])?,
        MiscOp::MemoryCopy => ops::memory_copy(store, inst, (x(0), x(1)), a[2], a[3], a[4])?,
        MiscOp::MemoryInit => ops::memory_init(store, inst, (x(0), x(1)), a[2], a[3], a[4])?,
        MiscOp::DataDrop => ops::data_drop(store, inst, x(0)),
        MiscOp::TableGet => a[0] = ops::table_get(store, inst, x(0), a[1])?,
        MiscOp::TableSet => ops::table_set(store, inst, x(0), a[1], a[2])?,
        MiscOp::TableSize => a[0] = ops::table_size(store, inst, x(0))?,
        MiscOp::TableGrow => a[0] = ops::table_grow(store, inst, x(0), a[1], a[2])?,
        MiscOp::TableFill => ops::table_fill(store, inst, x(0), a[1], a[2], a[3])?,
        MiscOp::TableCopy => ops::table_copy(store, inst, (x(0), x(1)), a[2], a[3], a[4])?,
        MiscOp::TableInit => ops::table_init(store, inst, (x(0), x(1)), a[2], a[3], a[4])?,
        MiscOp::ElemDrop => ops::elem_drop(store, inst, x(0)),
    }
    Ok(())
}
