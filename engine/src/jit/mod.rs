//! The JIT tier: compiles validated modules to native x86-64 code with Cranelift and runs
//! them against the same [`Store`] as the interpreter.
//!
//! * [`compile`]: wasm → Cranelift IR → machine code, each function on its first call
//!   ([`JitCompile::Lazy`], the default) or the whole module when it is created on an
//!   engine whose tier is [`Tier::Jit`] ([`JitCompile::Eager`]); the time it took is
//!   [`crate::Module::compile_time`].
//! * [`env`]: the runtime layout JIT code sees (per-instance `VmCtx`, per-store
//!   `Runtime`), with every offset in one place.
//! * [`code`], [`memory`], [`signals`], [`libcalls`]: the only modules with `unsafe` code
//!   — executable memory, guard-page memories, entering JIT code and recovering from
//!   traps, calls back into Rust.
//!
//! Traps in JIT code are hardware faults at known trap sites; the signal handler resumes
//! the innermost entry ([`signals::enter`]), and [`call`] turns the fault into the same
//! [`Trap`] the interpreter returns, with the wasm function index and offset of each JIT
//! frame. Calls to imported functions and through tables go through [`libcalls`] and
//! [`crate::interp::call`], so host functions, other instances and the interpreter can
//! all be reached from JIT code and can call back into it.
//!
//! [`Tier::Jit`]: crate::config::Tier::Jit
//! [`JitCompile::Lazy`]: crate::config::JitCompile::Lazy
//! [`JitCompile::Eager`]: crate::config::JitCompile::Eager

pub(crate) mod code;
pub(crate) mod compile;
pub(crate) mod env;
pub(crate) mod libcalls;
pub(crate) mod memory;
pub(crate) mod signals;

use std::sync::Arc;

pub(crate) use compile::CompiledModule;
pub use compile::JitError;

use crate::error::{Trap, TrapCode, TrapFrame};
use std::rc::Rc;

use crate::runtime::{FuncInst, HostCode, Store};
use crate::syntax::ValType;
use env::{Runtime, VmCtx};

/// Per-instance context and the data it points to.
struct InstanceCtx {
    vmctx: Box<VmCtx>,
    _globals: Box<[*mut u64]>,
    _func_refs: Box<[u64]>,
    _tables: Box<[*const env::VmTableDef]>,
    _memories: Box<[*const memory::VmMemoryDef]>,
    _imports: Box<[env::VmImport]>,
    /// The typed host functions `_imports` points to, kept alive with it.
    _hosts: Vec<std::rc::Rc<crate::runtime::SlotHost>>,
}

/// The JIT's state in a store.
pub(crate) struct StoreData {
    rt: Box<Runtime>,
    ctxs: Vec<Option<InstanceCtx>>,
    /// The direct-call records JIT code reads through `rt.funcs` (see [`env::VmFunc`]).
    funcs: Vec<env::VmFunc>,
    /// The last exits (`rt.exit_fp`, `rt.exit_pc`) of the activations outside the
    /// innermost one, outermost first: each called out of JIT code through a recording
    /// stub, and the call led to the next entry. A collection walks their frames too.
    pub(crate) suspended: Vec<(usize, usize)>,
}

impl Default for StoreData {
    fn default() -> StoreData {
        StoreData {
            rt: Box::new(Runtime {
                stack_limit: 0,
                store: std::ptr::null_mut(),
                pending: None,
                entries: 0,
                panic: None,
                funcs: std::ptr::null(),
                num_funcs: 0,
                exit_fp: 0,
                exit_pc: 0,
            }),
            ctxs: Vec::new(),
            funcs: Vec::new(),
            suspended: Vec::new(),
        }
    }
}

impl StoreData {
    /// Records a trap raised in a libcall, for the JIT trap site that follows it.
    pub(crate) fn set_pending(&mut self, trap: Trap) {
        self.rt.pending = Some(trap);
    }

    /// Whether JIT code can call store function `addr` directly.
    pub(crate) fn has_record(&self, addr: u32) -> bool {
        self.funcs.get(addr as usize).is_some_and(|r| r.code != 0)
    }

    fn set_record(&mut self, addr: u32, rec: env::VmFunc) {
        let i = addr as usize;
        if self.funcs.len() <= i {
            self.funcs.resize(i + 1, env::VmFunc::NONE);
        }
        self.funcs[i] = rec;
        // The vector may have moved: JIT code reads it through the runtime record.
        self.rt.funcs = self.funcs.as_ptr();
        self.rt.num_funcs = self.funcs.len() as u64;
    }
}

/// Appends the references in the frames of the store's JIT activations, if any, to
/// `out` (see `libcalls::jit_roots`).
///
/// # Safety
/// If JIT code is running, each of its activations must be in a libcall JIT code called
/// through a recording stub, the innermost one included.
// SAFETY (for callers): see `# Safety` above.
pub(crate) unsafe fn frame_roots(store: &Store, out: &mut Vec<u64>) {
    if store.jit.rt.entries > 0 {
        // SAFETY: per the contract.
        unsafe { libcalls::jit_roots(store, out) }
    }
}

/// Makes store function `addr` callable straight from JIT code (`call_indirect` without a
/// libcall) when it is a wasm function whose module compiled and whose instance suits the
/// code; otherwise leaves it to the libcall.
pub(crate) fn record_direct_call(store: &mut Store, addr: u32) {
    let (inst, index, type_id) = match store.funcs.get(addr as usize) {
        Some(FuncInst::Wasm { type_id, instance, index, .. }) => (*instance, *index, *type_id),
        _ => return,
    };
    let Some(module) = store.instances.get(inst as usize).map(|i| i.module.clone()) else { return };
    let Ok(compiled) = module.jit() else { return };
    let Some(def) = index.checked_sub(module.syntax().num_imported_funcs()) else { return };
    // Not compiled yet (lazily): the libcall compiles it on its first call and records it
    // at the next.
    let Some(code) = compiled.body(def) else { return };
    let Some(vmctx) = vmctx(store, inst, &compiled) else { return };
    store.jit.set_record(addr, env::VmFunc { code, vmctx, type_id: u64::from(type_id) });
}

/// The context of instance `inst`, created on first use. `None` if the instance's memory
/// does not suit the module's code (guard-page code needs a guarded memory).
fn vmctx(store: &mut Store, inst: u32, compiled: &CompiledModule) -> Option<*mut VmCtx> {
    let i = inst as usize;
    if store.jit.ctxs.len() <= i {
        store.jit.ctxs.resize_with(i + 1, || None);
    }
    if store.jit.ctxs[i].is_none() {
        let instance = store.instances.get(i)?;
        // Code that relies on guard pages for a memory needs it guarded (a memory the
        // guard scheme does not cover is checked explicitly, whatever its storage).
        let mut memories = Vec::with_capacity(instance.memories.len());
        for m in &instance.memories {
            let m = &store.memories[*m as usize];
            if !compiled.explicit_bounds && memory::guard_pages_cover(&m.ty) && !m.data.is_guarded() {
                return None;
            }
            memories.push(m.data.def_ptr());
        }
        let memories: Box<[*const memory::VmMemoryDef]> = memories.into_boxed_slice();
        let memory = memories.first().copied().unwrap_or(std::ptr::null());
        let globals: Box<[*mut u64]> =
            instance.globals.iter().map(|g| &raw mut store.globals[*g as usize].value).collect();
        let func_refs: Box<[u64]> = instance.funcs.iter().map(|f| *f as u64 + 1).collect();
        let tables: Box<[*const env::VmTableDef]> =
            instance.tables.iter().map(|t| store.tables[*t as usize].def_ptr()).collect();
        let mut hosts = Vec::new();
        let imported = instance.module.syntax().num_imported_funcs() as usize;
        let imports: Box<[env::VmImport]> = instance.funcs[..imported.min(instance.funcs.len())]
            .iter()
            .enumerate()
            .map(|(index, addr)| match store.funcs.get(*addr as usize) {
                Some(FuncInst::Host { f: HostCode::Slots(h), .. }) => {
                    hosts.push(h.clone());
                    env::VmImport {
                        call: libcalls::call_host_slots_stub as *const () as usize,
                        data: Rc::as_ptr(h) as usize,
                    }
                }
                _ => env::VmImport { call: libcalls::call_import_stub as *const () as usize, data: index },
            })
            .collect();
        let vmctx = Box::new(VmCtx {
            rt: &mut *store.jit.rt,
            memory,
            memories: memories.as_ptr(),
            globals: globals.as_ptr(),
            func_refs: func_refs.as_ptr(),
            tables: tables.as_ptr(),
            bodies: compiled.bodies_ptr(),
            imports: imports.as_ptr(),
            instance: inst,
        });
        store.jit.ctxs[i] = Some(InstanceCtx {
            vmctx,
            _globals: globals,
            _func_refs: func_refs,
            _tables: tables,
            _memories: memories,
            _imports: imports,
            _hosts: hosts,
        });
    }
    store.jit.ctxs[i].as_mut().map(|c| &mut *c.vmctx as *mut VmCtx)
}

fn trap_code(code: u8) -> Option<TrapCode> {
    use cranelift_codegen::ir::TrapCode as C;
    let c = C::from_raw(std::num::NonZeroU8::new(code)?);
    Some(match c {
        C::STACK_OVERFLOW => TrapCode::CallStackExhausted,
        C::INTEGER_OVERFLOW => TrapCode::IntegerOverflow,
        C::HEAP_OUT_OF_BOUNDS => TrapCode::MemoryOutOfBounds,
        C::INTEGER_DIVISION_BY_ZERO => TrapCode::IntegerDivideByZero,
        C::BAD_CONVERSION_TO_INTEGER => TrapCode::InvalidConversionToInteger,
        c if c == compile::TRAP_UNREACHABLE => TrapCode::Unreachable,
        c if c == compile::TRAP_OUT_OF_FUEL => TrapCode::OutOfFuel,
        c if c == compile::TRAP_NULL_REFERENCE => TrapCode::NullReference,
        c if c == compile::TRAP_NULL_STRUCT => TrapCode::NullStructReference,
        c if c == compile::TRAP_NULL_ARRAY => TrapCode::NullArrayReference,
        c if c == compile::TRAP_NULL_I31 => TrapCode::NullI31Reference,
        c if c == compile::TRAP_ARRAY_OUT_OF_BOUNDS => TrapCode::ArrayOutOfBounds,
        _ => return None,
    })
}

/// Calls wasm function `addr` on the JIT tier, if its module compiled and its instance
/// suits the code; `None` means "run it on the interpreter instead". `args` and the
/// results are slot-encoded (a `v128` takes two slots, see [`ValType::slots`]).
pub(crate) fn try_call(store: &mut Store, addr: u32, args: &[u64]) -> Option<Result<Vec<u64>, Trap>> {
    let (inst, index, nparams, nresults) = match store.funcs.get(addr as usize)? {
        FuncInst::Wasm { ty, instance, index, .. } => {
            (*instance, *index, ValType::slots_of(&ty.params) as usize, ValType::slots_of(&ty.results) as usize)
        }
        FuncInst::Host { .. } => return None,
    };
    let module = store.instances.get(inst as usize)?.module.clone();
    let compiled = module.jit().ok()?;
    let imported = module.syntax().num_imported_funcs();
    let (_, wrapper) = compiled.ensure(module.syntax(), index.checked_sub(imported)?).ok()?;
    let vmctx = vmctx(store, inst, &compiled)?;
    let mut values = vec![0u64; nparams.max(nresults).max(1)];
    values[..args.len().min(nparams)].copy_from_slice(&args[..args.len().min(nparams)]);

    let outer_exit = (store.jit.rt.exit_fp, store.jit.rt.exit_pc);
    if store.jit.rt.entries == 0 {
        store.jit.rt.stack_limit = signals::stack_limit();
    } else {
        // Reached from JIT code through a recording stub: that activation is suspended.
        store.jit.suspended.push(outer_exit);
    }
    (store.jit.rt.exit_fp, store.jit.rt.exit_pc) = (0, 0);
    store.jit.rt.entries += 1;
    store.jit.rt.store = store;
    let f = wrapper as *const u8;
    // SAFETY: `f` is the array-ABI wrapper of a function of `compiled`, whose code lives
    // as long as `compiled` (held here); `vmctx` is the context of the function's
    // instance, made for this module's code; `values` has max(params, results) slots
    // (counted in slots, as the wrapper reads and writes them).
    let r = unsafe { signals::enter(f, vmctx.cast(), values.as_mut_ptr()) };
    store.jit.rt.entries -= 1;
    if store.jit.rt.entries > 0 {
        store.jit.suspended.pop();
    }
    (store.jit.rt.exit_fp, store.jit.rt.exit_pc) = outer_exit;
    if let Some(payload) = store.jit.rt.panic.take() {
        // A host function panicked inside: its panic goes on now that no JIT frame is left.
        std::panic::resume_unwind(payload);
    }
    Some(match r {
        Ok(()) => {
            values.truncate(nresults);
            Ok(values)
        }
        Err(act) => {
            let mut trap = if act.code == compile::TRAP_PENDING.as_raw().get() {
                store.jit.rt.pending.take().unwrap_or_else(|| Trap::host("internal error: lost trap"))
            } else {
                match trap_code(act.code) {
                    Some(c) => Trap::new(c),
                    None => Trap::host("internal error: unknown JIT trap"),
                }
            };
            let pcs = std::iter::once(act.pc).chain(act.frames[..act.num_frames].iter().map(|r| r - 1));
            for pc in pcs {
                // Frames of other modules' code come from `call_indirect` across instances.
                let found = compiled.locate(pc).map(|l| (l, module.clone())).or_else(|| locate_in_store(store, pc));
                if let Some(((func, offset), m)) = found {
                    let name = m.func_name(func).map(str::to_string);
                    trap.backtrace.push(TrapFrame { func, offset, name });
                }
            }
            // An exception no JIT frame of this activation caught: the same message as
            // the interpreter's.
            store.describe_uncaught(&mut trap);
            Err(trap)
        }
    })
}

/// The function and wasm offset at native address `pc` in the code of any module
/// instantiated in `store`, with that module.
fn locate_in_store(store: &Store, pc: usize) -> Option<((u32, u32), crate::Module)> {
    store.instances.iter().find_map(|i| {
        let compiled = i.module.jit().ok()?;
        compiled.locate(pc).map(|l| (l, i.module.clone()))
    })
}

/// The native code of `module`, compiled now or on first calls (see
/// [`CompiledModule::new`]).
pub(crate) fn compile(
    module: &crate::syntax::Module,
    explicit_bounds: bool,
    consume_fuel: bool,
    lazy: bool,
) -> Result<Arc<CompiledModule>, JitError> {
    CompiledModule::new(module, explicit_bounds, consume_fuel, lazy).map(Arc::new)
}
