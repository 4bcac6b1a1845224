//! Calls from JIT code into Rust: calls of imported functions and `call_indirect` (which
//! may reach host functions, other instances, or the interpreter), and the table, bulk
//! memory and `memory.grow` operations. Each returns a status: 0, or 1 after storing the
//! trap in the runtime record, which JIT code then raises at its own trap site.
//!
//! One of the few modules with `unsafe` code: each entry dereferences the `vmctx` JIT code
//! passes in.

use std::sync::Arc;

use super::env::VmCtx;
use crate::error::{Trap, TrapCode};
use crate::runtime::{Caller, FuncInst, Instance, SlotHost, Store};
use crate::syntax::ValType;

/// Operations of [`misc`], with their arguments in the values area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub(crate) enum MiscOp {
    /// (delta) -> old pages or -1
    MemoryGrow = 0,
    /// (dst, value, len)
    MemoryFill,
    /// (dst, src, len)
    MemoryCopy,
    /// (segment, dst, src, len)
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
    elem: u32,
    values: *mut u64,
) -> u32 {
    // SAFETY: called by JIT code with its own vmctx while it runs.
    let (store, inst) = unsafe { context(vmctx) };
    let r = (|| {
        let instance = &store.instances[inst as usize];
        let taddr = *instance.tables.get(table as usize).ok_or_else(|| Trap::host("unknown table"))? as usize;
        let slot = *store.tables[taddr].elems.get(elem as usize).ok_or(TrapCode::UndefinedElement)?;
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
        MiscOp::DataDrop | MiscOp::ElemDrop | MiscOp::TableSize | MiscOp::MemoryGrow => 1,
        MiscOp::TableGet => 2,
        MiscOp::MemoryFill | MiscOp::MemoryCopy | MiscOp::TableSet | MiscOp::TableGrow => 3,
        MiscOp::MemoryInit | MiscOp::TableFill => 4,
        MiscOp::TableCopy | MiscOp::TableInit => 5,
    };
    // SAFETY: JIT code passes an area of at least as many slots as the op's arguments.
    let a = unsafe { std::slice::from_raw_parts_mut(args, n) };
    let r = run_misc(store, inst, op, a).map_err(Trap::from);
    finish(store, r)
}

fn run_misc(store: &mut Store, inst: u32, op: MiscOp, a: &mut [u64]) -> Result<(), TrapCode> {
    let u = |i: usize| a[i] as u32 as usize;
    let limits = store.engine.config().limits;
    let instance = &store.instances[inst as usize];
    let mem = instance.memories.first().map(|m| *m as usize);
    let table = |i: usize| instance.tables.get(a[i] as usize).map(|t| *t as usize).ok_or(TrapCode::TableOutOfBounds);
    match op {
        MiscOp::MemoryGrow => {
            let m = mem.ok_or(TrapCode::MemoryOutOfBounds)?;
            a[0] = store.memories[m].grow(u(0) as u64, limits.max_memory_pages).map_or(u32::MAX, |o| o as u32) as u64;
        }
        MiscOp::MemoryFill => {
            let m = mem.ok_or(TrapCode::MemoryOutOfBounds)?;
            let (d, v, n) = (u(0), a[1] as u8, u(2));
            store.memories[m].data.get_mut(d..d.saturating_add(n)).ok_or(TrapCode::MemoryOutOfBounds)?.fill(v);
        }
        MiscOp::MemoryCopy => {
            let m = mem.ok_or(TrapCode::MemoryOutOfBounds)?;
            let (d, s, n) = (u(0), u(1), u(2));
            let data = &mut store.memories[m].data;
            if s.saturating_add(n) > data.len() || d.saturating_add(n) > data.len() {
                return Err(TrapCode::MemoryOutOfBounds);
            }
            data.copy_within(s..s + n, d);
        }
        MiscOp::MemoryInit => {
            let m = mem.ok_or(TrapCode::MemoryOutOfBounds)?;
            let seg = instance.datas.get(u(0)).cloned().ok_or(TrapCode::MemoryOutOfBounds)?;
            let (d, s, n) = (u(1), u(2), u(3));
            let src = seg.get(s..s.saturating_add(n)).ok_or(TrapCode::MemoryOutOfBounds)?;
            let dst = store.memories[m].data.get_mut(d..d.saturating_add(n)).ok_or(TrapCode::MemoryOutOfBounds)?;
            dst.copy_from_slice(src);
        }
        MiscOp::DataDrop => {
            if let Some(d) = store.instances[inst as usize].datas.get_mut(u(0)) {
                *d = Arc::from([]);
            }
        }
        MiscOp::TableGet => {
            let t = table(0)?;
            a[0] = *store.tables[t].elems.get(u(1)).ok_or(TrapCode::TableOutOfBounds)?;
        }
        MiscOp::TableSet => {
            let t = table(0)?;
            *store.tables[t].elems.get_mut(u(1)).ok_or(TrapCode::TableOutOfBounds)? = a[2];
        }
        MiscOp::TableSize => {
            let t = table(0)?;
            a[0] = store.tables[t].elems.len() as u64;
        }
        MiscOp::TableGrow => {
            let t = table(0)?;
            let (init, n) = (a[1], u(2) as u64);
            a[0] = store.tables[t].grow(n, init, limits.max_table_elements).unwrap_or(u32::MAX) as u64;
        }
        MiscOp::TableFill => {
            let t = table(0)?;
            let (d, v, n) = (u(1), a[2], u(3));
            store.tables[t].elems.get_mut(d..d.saturating_add(n)).ok_or(TrapCode::TableOutOfBounds)?.fill(v);
        }
        MiscOp::TableCopy => {
            let (dt, st) = (table(0)?, table(1)?);
            let (d, s, n) = (u(2), u(3), u(4));
            let (sl, dl) = (store.tables[st].elems.len(), store.tables[dt].elems.len());
            if s.saturating_add(n) > sl || d.saturating_add(n) > dl {
                return Err(TrapCode::TableOutOfBounds);
            }
            if dt == st {
                store.tables[dt].elems.copy_within(s..s + n, d);
            } else {
                let tmp: Vec<u64> = store.tables[st].elems[s..s + n].to_vec();
                store.tables[dt].elems[d..d + n].copy_from_slice(&tmp);
            }
        }
        MiscOp::TableInit => {
            let seg = instance.elems.get(u(0)).cloned().ok_or(TrapCode::TableOutOfBounds)?;
            let t = table(1)?;
            let (d, s, n) = (u(2), u(3), u(4));
            let src = seg.get(s..s.saturating_add(n)).ok_or(TrapCode::TableOutOfBounds)?;
            let dst = store.tables[t].elems.get_mut(d..d.saturating_add(n)).ok_or(TrapCode::TableOutOfBounds)?;
            dst.copy_from_slice(src);
        }
        MiscOp::ElemDrop => {
            if let Some(e) = store.instances[inst as usize].elems.get_mut(u(0)) {
                *e = Arc::from([]);
            }
        }
    }
    Ok(())
}
