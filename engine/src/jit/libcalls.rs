//! Calls from JIT code into Rust: calls of imported functions and `call_indirect` (which
//! may reach host functions, other instances, or the interpreter), the table, bulk
//! memory and `memory.grow` operations, and the GC instructions JIT code does not do
//! inline (allocation, bulk array operations, casts). Each returns a status: 0, or 1 after storing the
//! trap in the runtime record, which JIT code then raises at its own trap site.
//!
//! One of the few modules with `unsafe` code: each entry dereferences the `vmctx` JIT code
//! passes in.

use super::env::{Runtime, VmCtx};
use crate::error::{Trap, TrapCode};
use crate::runtime::gc::GcOp;
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
    if let FuncInst::Host { ty, f, .. } = func {
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

/// The `table` of [`call_indirect`] that makes it `call_ref`: `elem` is then the
/// function reference itself.
pub(crate) const CALL_REF: u32 = u32::MAX;

/// `call_indirect`: looks element `elem` of table `table` up, checks its type against
/// (is a subtype of) type `type_index` of the module, and calls it; with `table`
/// [`CALL_REF`], calls function reference `elem` (trapping on null).
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
        let addr = if table == CALL_REF {
            // `call_ref`: validation made the reference's type the right one.
            elem.checked_sub(1).ok_or(TrapCode::NullFunctionReference)? as u32
        } else {
            let taddr = *instance.tables.get(table as usize).ok_or_else(|| Trap::host("unknown table"))? as usize;
            let elem = usize::try_from(elem).map_err(|_| TrapCode::UndefinedElement)?;
            let slot = *store.tables[taddr].elems.get(elem).ok_or(TrapCode::UndefinedElement)?;
            let addr = slot.checked_sub(1).ok_or(TrapCode::UninitializedElement)? as u32;
            let expected = instance.module.syntax().canon_id(type_index);
            if !store.funcs.get(addr as usize).is_some_and(|f| f.has_type(expected)) {
                return Err(Trap::new(TrapCode::IndirectCallTypeMismatch));
            }
            addr
        };
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

/// GC instruction `op` (see [`crate::runtime::gc::exec`]) on a values area of `len`
/// slots: its operands there in order (a `v128` in two slots), its result (if any) left
/// at the start.
// SAFETY (for callers): only JIT code calls this, passing the vmctx of the instance it
// runs in, a `GcOp` its module's code keeps alive (`CodeState::gc_ops`), and a values
// area of `len` slots (at least the op's operand and result slots), all live for the call.
pub(crate) unsafe extern "C" fn gc(vmctx: *mut VmCtx, op: *const GcOp, values: *mut u64, len: usize) -> u32 {
    // SAFETY: called by JIT code with its own vmctx while it runs.
    let (store, inst) = unsafe { context(vmctx) };
    // SAFETY: per the contract, `op` is a live `GcOp` and `values` an area of `len` slots
    // that nothing else accesses during the call.
    let (op, area) = unsafe { (&*op, std::slice::from_raw_parts_mut(values, len)) };
    if op.instr.allocates() {
        maybe_collect(store, op, area);
    }
    let r = crate::runtime::gc::exec(store, inst, op, area);
    finish(store, r)
}

/// Runs a collection before allocating instruction `op` (operands in `area`, which only
/// this call holds) if the heap wants one.
fn maybe_collect(store: &mut Store, op: &GcOp, area: &[u64]) {
    if !store.gc.wants_collection() {
        return;
    }
    let mut roots = Vec::new();
    crate::runtime::gc::operand_roots(op, area, &mut roots);
    crate::interp::roots::collect(store, None, roots);
}

/// Appends the references in the frames of every live JIT activation to `out`: from
/// each activation's last exit (innermost: the runtime record's; outer ones:
/// `StoreData::suspended`) it walks frame pointers while the return address is in JIT
/// code, and reads the slots of each call site's stack map (see `compile/roots.rs`).
///
/// # Safety
/// JIT code must be running, and each activation's last exit must be the call it is in
/// now (recorded by a stub of the libcall it is suspended in), so that every frame the
/// walk reads is live.
// SAFETY (for callers): see `# Safety` above.
pub(crate) unsafe fn jit_roots(store: &Store, out: &mut Vec<u64>) {
    let rt: &Runtime = &store.jit.rt;
    let exits = std::iter::once((rt.exit_fp, rt.exit_pc)).chain(store.jit.suspended.iter().rev().copied());
    // The code memory of the last frame (most frames of a walk are in one module's).
    let mut code: Option<std::sync::Arc<super::code::CodeInfo>> = None;
    for (mut fp, mut pc) in exits {
        while fp != 0 && fp.is_multiple_of(8) {
            if !code.as_ref().is_some_and(|c| c.contains(pc)) {
                match super::code::code_at(pc) {
                    Some(c) => code = Some(c),
                    // Out of JIT code: the activation's entry.
                    None => break,
                }
            }
            if let Some((frame_size, slots)) = code.as_ref().and_then(|c| c.stack_map(pc)) {
                let sp = fp - frame_size;
                for off in slots {
                    // SAFETY: `fp` is the frame pointer of a live JIT frame at the call
                    // returning to `pc`, whose stack map says SP + `off` holds an i64.
                    out.push(unsafe { *((sp + *off as usize) as *const u64) });
                }
            }
            // SAFETY: `fp` is the frame pointer of a live JIT frame (its pc is in JIT
            // code): [fp] is its caller's frame pointer and [fp + 8] its return address.
            unsafe {
                pc = *((fp + 8) as *const usize);
                fp = *(fp as *const usize);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Recording stubs
// ---------------------------------------------------------------------------------------
//
// JIT code calls the libcalls that can lead to a collection (allocation, and calls out
// that may enter wasm again) through stubs that record the calling JIT frame in the
// runtime record (`Runtime::exit_fp`, `exit_pc`: rbp, which is still the JIT caller's
// frame pointer, and the return address at [rsp]), then jump to the libcall with the
// arguments untouched (the vmctx, in rdi, leads to the runtime record). A collection
// walks the frames from there ([`jit_roots`]).

macro_rules! exit_stub {
    ($(#[$doc:meta])* $name:ident => $imp:ident ($($arg:ident: $ty:ty),*) -> $ret:ty) => {
        $(#[$doc])*
        // SAFETY (for callers): as the libcall's.
        #[unsafe(naked)]
        pub(crate) unsafe extern "sysv64" fn $name($($arg: $ty),*) -> $ret {
            std::arch::naked_asm!(
                "mov rax, [rdi + {rt}]",
                "mov [rax + {fp}], rbp",
                "mov r11, [rsp]",
                "mov [rax + {pc}], r11",
                "jmp {imp}",
                rt = const std::mem::offset_of!(VmCtx, rt),
                fp = const std::mem::offset_of!(Runtime, exit_fp),
                pc = const std::mem::offset_of!(Runtime, exit_pc),
                imp = sym $imp,
            )
        }
    };
}

exit_stub!(
    /// [`gc`] through a recording stub.
    gc_stub => gc(vmctx: *mut VmCtx, op: *const GcOp, values: *mut u64, len: usize) -> u32
);
exit_stub!(
    /// [`call_import`] through a recording stub.
    call_import_stub => call_import(vmctx: *mut VmCtx, index: usize, values: *mut u64) -> u32
);
exit_stub!(
    /// [`call_host_slots`] through a recording stub.
    call_host_slots_stub => call_host_slots(vmctx: *mut VmCtx, host: *const SlotHost, values: *mut u64) -> u32
);
exit_stub!(
    /// [`call_indirect`] through a recording stub.
    call_indirect_stub => call_indirect(vmctx: *mut VmCtx, table: u32, type_index: u32, elem: u64, values: *mut u64) -> u32
);

/// Whether reference `value` is of the cast target of `op` (`br_on_cast`,
/// `br_on_cast_fail`): 1 or 0 (0 for an op without a target, which the translator never
/// passes).
// SAFETY (for callers): as [`gc`], without the values area.
pub(crate) unsafe extern "C" fn gc_test(vmctx: *mut VmCtx, op: *const GcOp, value: u64) -> u32 {
    // SAFETY: called by JIT code with its own vmctx while it runs.
    let (store, _) = unsafe { context(vmctx) };
    // SAFETY: per the contract, `op` is a live `GcOp`.
    let op = unsafe { &*op };
    op.cast.is_some_and(|t| crate::runtime::gc::test(store, value, t)).into()
}

// ---------------------------------------------------------------------------------------
// Exceptions
// ---------------------------------------------------------------------------------------
//
// `throw`, `throw_ref` and `raise` are reached through naked stubs: at a stub's entry rbp
// is still the JIT caller's frame pointer (Cranelift never allocates rbp, and frame
// pointers are kept) and [rsp] the return address into it, which the stub passes to the
// Rust part it jumps to (with the stack as a call would leave it). That part walks the
// activation's JIT frames by frame pointer ([`unwind`]) and, if a handler matches, jumps
// to its landing pad ([`super::signals::resume_at_handler`]), skipping only its own Rust
// frame, in which nothing with a destructor is left. If none matches it returns 1 with
// the exception pending, and the JIT code traps right after the call (`TRAP_PENDING`):
// the activation ends as on any trap, and `jit::try_call` reports the exception.
//
// JIT code calls a stub with a plain system-ABI call outside any `try_table`, and with a
// `try_call` of the `tail` convention inside one (at most 6 integer arguments and one
// integer result: the same registers as the system ABI on x86-64).

/// The exception addresses of the stubs JIT code calls (`None` where exceptions are not
/// compiled: the instructions are then rejected and run on the interpreter).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExnStubs {
    /// `throw(vmctx, tag index, payload area) -> 1`
    pub throw: usize,
    /// `throw_ref(vmctx, exnref) -> 1`
    pub throw_ref: usize,
    /// `raise(vmctx) -> 1`: throws the pending exception (out of a host call) from the
    /// caller's frame; returns 1 at once if the pending trap is not an exception.
    pub raise: usize,
}

#[cfg(target_arch = "x86_64")]
pub(crate) fn exn_stubs() -> Option<ExnStubs> {
    Some(ExnStubs {
        throw: throw_stub as *const () as usize,
        throw_ref: throw_ref_stub as *const () as usize,
        raise: raise_stub as *const () as usize,
    })
}

#[cfg(not(target_arch = "x86_64"))]
pub(crate) fn exn_stubs() -> Option<ExnStubs> {
    None
}

// SAFETY (for callers): only JIT code calls this, with its own vmctx and an area holding
// the tag's payload slots.
#[cfg(target_arch = "x86_64")]
#[unsafe(naked)]
unsafe extern "sysv64" fn throw_stub(vmctx: *mut VmCtx, tag: u64, area: *const u64) -> u32 {
    std::arch::naked_asm!("mov rcx, rbp", "mov r8, [rsp]", "jmp {imp}", imp = sym throw_entry)
}

// SAFETY (for callers): only JIT code calls this, with its own vmctx.
#[cfg(target_arch = "x86_64")]
#[unsafe(naked)]
unsafe extern "sysv64" fn throw_ref_stub(vmctx: *mut VmCtx, exnref: u64) -> u32 {
    std::arch::naked_asm!("mov rdx, rbp", "mov rcx, [rsp]", "jmp {imp}", imp = sym throw_ref_entry)
}

// SAFETY (for callers): only JIT code calls this, with its own vmctx.
#[cfg(target_arch = "x86_64")]
#[unsafe(naked)]
unsafe extern "sysv64" fn raise_stub(vmctx: *mut VmCtx) -> u32 {
    std::arch::naked_asm!("mov rsi, rbp", "mov rdx, [rsp]", "jmp {imp}", imp = sym raise_entry)
}

/// `throw`: a new exception of module tag `tag` with the payload in `area`, thrown from
/// the JIT frame (`fp`, return address `pc`) that called the stub.
// SAFETY (for callers): only `throw_stub` jumps here, with JIT code's vmctx and area and
// the calling JIT frame's (fp, return address).
#[cfg(target_arch = "x86_64")]
unsafe extern "sysv64" fn throw_entry(vmctx: *mut VmCtx, tag: u64, area: *const u64, fp: usize, pc: usize) -> u32 {
    // SAFETY: called (through the stub) by JIT code with its own vmctx while it runs.
    let (store, inst) = unsafe { context(vmctx) };
    let tag_addr = u32::try_from(tag).ok().and_then(|t| store.instance_tag(inst, t));
    let Some(tag_addr) = tag_addr else {
        return finish(store, Err(Trap::host("internal error: unknown tag")));
    };
    let n = store.tags.get(tag_addr as usize).map_or(0, |t| ValType::slots_of(&t.ty.params) as usize);
    // SAFETY: JIT code passes an area of the tag's payload slots.
    let payload: Box<[u64]> = unsafe { std::slice::from_raw_parts(area, n) }.into();
    let exn = store.alloc_exn(tag_addr, payload);
    // SAFETY: (fp, pc) are the calling JIT frame's, as the stub found them.
    unsafe { unwind(store, exn, fp, pc) }
}

/// `throw_ref`: rethrows the exception `exnref` names (a null one traps).
// SAFETY (for callers): only `throw_ref_stub` jumps here, with JIT code's vmctx and the
// calling JIT frame's (fp, return address).
#[cfg(target_arch = "x86_64")]
unsafe extern "sysv64" fn throw_ref_entry(vmctx: *mut VmCtx, exnref: u64, fp: usize, pc: usize) -> u32 {
    // SAFETY: called (through the stub) by JIT code with its own vmctx while it runs.
    let (store, _) = unsafe { context(vmctx) };
    match exnref.checked_sub(1).and_then(|e| u32::try_from(e).ok()) {
        Some(exn) if (exn as usize) < store.exns.len() => {
            // SAFETY: (fp, pc) are the calling JIT frame's, as the stub found them.
            unsafe { unwind(store, exn, fp, pc) }
        }
        Some(_) => finish(store, Err(Trap::host("internal error: unknown exception"))),
        None => finish(store, Err(Trap::new(TrapCode::NullReference))),
    }
}

/// `raise`: the pending trap, if it is an exception (out of a host call or a nested
/// entry), goes on unwinding from the JIT frame (`fp`, `pc`) that made the call.
// SAFETY (for callers): only `raise_stub` jumps here, with JIT code's vmctx and the
// calling JIT frame's (fp, return address).
#[cfg(target_arch = "x86_64")]
unsafe extern "sysv64" fn raise_entry(vmctx: *mut VmCtx, fp: usize, pc: usize) -> u32 {
    // SAFETY: called (through the stub) by JIT code with its own vmctx while it runs.
    let (store, _) = unsafe { context(vmctx) };
    let pending = store.jit.rt.pending.take();
    let exn = match &pending {
        Some(t) if t.code == TrapCode::UncaughtException => t.exception,
        _ => None,
    };
    match exn {
        Some(e) if (e.0 as usize) < store.exns.len() => {
            // The trap is dropped here: nothing with a destructor may be live if the
            // unwinder jumps to a handler.
            drop(pending);
            // SAFETY: (fp, pc) are the calling JIT frame's, as the stub found them.
            unsafe { unwind(store, e.0, fp, pc) }
        }
        _ => {
            store.jit.rt.pending = pending;
            1
        }
    }
}

/// Throws exception `exn` from the JIT frame whose frame pointer is `fp`, at return
/// address `pc`: jumps to the first handler that catches it in this activation's JIT
/// frames (never returns then), or returns 1 with the exception pending.
///
/// # Safety
/// `fp` and `pc` must be the frame pointer and return address of a JIT frame of the
/// current activation, and the caller's frame must hold nothing with a destructor.
// SAFETY (for callers): see `# Safety` above.
#[cfg(target_arch = "x86_64")]
unsafe fn unwind(store: &mut Store, exn: u32, fp: usize, pc: usize) -> u32 {
    // SAFETY: per the contract, (fp, pc) start a walk over this activation's frames.
    if let Some((hpc, sp, hfp)) = unsafe { find_handler(store, exn, fp, pc) } {
        // SAFETY: the landing pad, SP and FP come from the exception table of a live JIT
        // frame below the activation's entry; everything `find_handler` held (the code
        // registry's `Arc`) is released, and this frame and the stub's hold nothing else.
        unsafe { super::signals::resume_at_handler(hpc, sp, hfp, u64::from(exn) + 1) }
    }
    store.jit.set_pending(Trap::throw(crate::runtime::Exn(exn)));
    1
}

/// The handler of the innermost JIT frame from (`fp`, `pc`) outward that catches `exn`:
/// (landing pad, SP, FP) to resume at.
///
/// # Safety
/// As [`unwind`].
// SAFETY (for callers): see `# Safety` above.
#[cfg(target_arch = "x86_64")]
unsafe fn find_handler(store: &Store, exn: u32, mut fp: usize, mut pc: usize) -> Option<(usize, usize, usize)> {
    use super::code::{CodeInfo, ExnHandler, code_at};
    let tag = store.exns.get(exn as usize)?.tag;
    let limit = super::signals::entry_sp()?;
    // The code memory of the last frame (most frames of a walk are in one module's).
    let mut code: Option<std::sync::Arc<CodeInfo>> = None;
    while fp != 0 && fp.is_multiple_of(8) && fp < limit {
        if !code.as_ref().is_some_and(|c| c.contains(pc)) {
            // Out of JIT code: the activation's entry.
            code = Some(code_at(pc)?);
        }
        let site = code.as_ref().and_then(|c| c.exn_site(pc));
        if let Some(site) = site {
            let sp = fp.checked_sub(site.frame_offset)?;
            let mut instance = None;
            for h in site.handlers {
                let matches = h.tag == ExnHandler::ALL || {
                    let inst = *instance.get_or_insert_with(|| {
                        // SAFETY: the call site's context slot holds the vmctx of the
                        // frame's instance, stored there before the call (Cranelift's
                        // exception-table context) and live while the frame is.
                        unsafe {
                            let cx = *((sp + site.ctx_sp_offset) as *const *const VmCtx);
                            (*cx).instance
                        }
                    });
                    store.instance_tag(inst, h.tag) == Some(tag)
                };
                if matches {
                    return Some((site.start + h.pc as usize, sp, fp));
                }
            }
        }
        // SAFETY: `fp` is the frame pointer of a live JIT frame below the entry (checked
        // above): [fp] is its caller's frame pointer and [fp + 8] its return address.
        unsafe {
            pc = *((fp + 8) as *const usize);
            fp = *(fp as *const usize);
        }
    }
    None
}

/// A catch clause's landing: copies the payload of the exception `exnref` names into
/// `area` (`slots` slots; none for `catch_all`), and marks it named by an `exnref` when
/// the clause passes it (`passes_ref`), else frees it (as the interpreter does).
// SAFETY (for callers): only JIT code calls this, with its own vmctx and an area of
// `slots` slots.
pub(crate) unsafe extern "C" fn catch_exn(
    vmctx: *mut VmCtx,
    exnref: u64,
    area: *mut u64,
    slots: u32,
    passes_ref: u32,
) -> u32 {
    // SAFETY: called by JIT code with its own vmctx while it runs.
    let (store, _) = unsafe { context(vmctx) };
    let Some(exn) = exnref.checked_sub(1).and_then(|e| u32::try_from(e).ok()) else { return 0 };
    let Some(e) = store.exns.get(exn as usize) else { return 0 };
    if slots > 0 {
        // SAFETY: JIT code passes an area of `slots` slots.
        let out = unsafe { std::slice::from_raw_parts_mut(area, slots as usize) };
        let n = out.len().min(e.payload.len());
        out[..n].copy_from_slice(&e.payload[..n]);
    }
    if passes_ref != 0 {
        store.escape_exn(exn);
    } else {
        store.release_exn(exn);
    }
    0
}
