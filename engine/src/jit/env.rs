//! The runtime layout JIT code sees, in one place: the per-instance context (`VmCtx`), the
//! per-store [`Runtime`] record, and the [`Env`] that emits every access to them. No
//! other module hard-codes an offset.

use std::mem::offset_of;

use cranelift_codegen::ir::{self, InstBuilder, MemFlagsData, Value, types};
use cranelift_frontend::FunctionBuilder;

use super::memory::VmMemoryDef;
use crate::error::Trap;
use crate::runtime::Store;
use crate::syntax::{AddrType, MemoryType, TableType};

/// Per-store state shared by all instance contexts.
#[repr(C)]
pub(crate) struct Runtime {
    /// Lowest stack address JIT code may use before trapping with "call stack exhausted".
    pub stack_limit: usize,
    /// The store of the current outermost entry (valid while JIT code runs).
    pub store: *mut Store,
    /// A trap raised inside a libcall, picked up when JIT code traps right after it.
    pub pending: Option<Trap>,
    /// Nesting of entries into JIT code.
    pub entries: u32,
    /// A host function's panic, caught in a libcall (it cannot unwind through JIT frames)
    /// and resumed when the entry into JIT code returns.
    pub panic: Option<Box<dyn std::any::Any + Send>>,
    /// How JIT code calls each function of the store directly (`call_indirect`), by store
    /// address; `num_funcs` records. Filled by the `call_indirect` libcall the first time
    /// it reaches a function; moved (and these two fields updated) when it grows.
    pub funcs: *const VmFunc,
    pub num_funcs: u64,
    /// The JIT frame that last called out through a recording stub (its frame pointer
    /// and the return address into it; see `libcalls::exit_stub`): where a walk of the
    /// innermost activation's frames starts (the GC's roots).
    pub exit_fp: usize,
    pub exit_pc: usize,
}

/// How JIT code calls one function of the store without Rust in between.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub(crate) struct VmFunc {
    /// The function's native code (the wasm calling convention), or 0: host functions,
    /// interpreted functions and ones not reached yet go through the libcall.
    pub code: usize,
    /// The context of the function's instance, its first argument.
    pub vmctx: *mut VmCtx,
    /// Canonical id of its type ([`crate::syntax::canon`]), for the signature check.
    pub type_id: u64,
}

impl VmFunc {
    pub const NONE: VmFunc = VmFunc { code: 0, vmctx: std::ptr::null_mut(), type_id: u64::MAX };
}

/// How JIT code calls one imported function: `call(vmctx, data, values)` with the
/// arguments in `values` (max(params, results) slots, two per `v128`), results written
/// back; returns 0, or 1 after storing a trap. For a host function defined with
/// `Func::wrap`, `call` runs it straight on the slots (`data` is its `SlotHost`); for
/// anything else `call` is the generic libcall and `data` the import's function index.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub(crate) struct VmImport {
    pub call: usize,
    pub data: usize,
}

/// Where a table's elements are and how many there are (kept by `TableInst`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub(crate) struct VmTableDef {
    pub base: *const u64,
    pub len: u64,
}

impl VmTableDef {
    pub fn of(elems: &[u64]) -> VmTableDef {
        VmTableDef { base: elems.as_ptr(), len: elems.len() as u64 }
    }
}

/// Per-instance context; the first argument of every compiled function.
#[repr(C)]
pub(crate) struct VmCtx {
    pub rt: *mut Runtime,
    /// Memory 0, or null (the fast path: one load from the context).
    pub memory: *const VmMemoryDef,
    /// Every memory's record, by memory index (memory 0's too): accesses to the others
    /// load the record's address from here, then its base and length.
    pub memories: *const *const VmMemoryDef,
    /// Address of each global's value, by global index.
    pub globals: *const *mut u64,
    /// Slot-encoded `funcref` (store address + 1) of each function index.
    pub func_refs: *const u64,
    /// Each table's record, by table index.
    pub tables: *const *const VmTableDef,
    /// The native code of each defined function of the module (wasm calling convention),
    /// by defined-function index; 0 for one not compiled yet (lazy compilation). Direct
    /// calls go through it (see `CompiledModule::bodies`).
    pub bodies: *const usize,
    /// How to call each imported function, by function index.
    pub imports: *const VmImport,
    /// The instance's address in the store.
    pub instance: u32,
}

/// Emits accesses to the runtime layout.
pub(crate) struct Env {
    pub ptr: ir::Type,
    /// Explicit bounds checks for every memory (else guard pages where they are sound,
    /// see [`Env::guarded`]).
    pub explicit_bounds: bool,
    /// Every memory's type (imports first): its address type, page size, and so whether
    /// guard pages cover it.
    pub memories: Vec<MemoryType>,
    /// Every table's type (imports first).
    pub tables: Vec<TableType>,
    /// Whether functions are compiled on first call: then a direct call finds 0 for a
    /// callee not compiled yet, and entries change while code runs.
    pub lazy: bool,
    /// Whether values of the module may be GC heap objects: then its functions get stack
    /// maps (see `compile/roots.rs`).
    pub holds_objects: bool,
}

fn trusted() -> MemFlagsData {
    MemFlagsData::trusted()
}

impl Env {
    /// The environment of `module`'s code: `explicit_bounds` is the engine's strategy.
    pub fn new(ptr: ir::Type, module: &crate::syntax::Module, explicit_bounds: bool, lazy: bool) -> Env {
        Env {
            ptr,
            explicit_bounds,
            memories: module.memory_types(),
            tables: module.table_types(),
            lazy,
            holds_objects: super::compile::may_hold_objects(module),
        }
    }

    fn load_field(&self, b: &mut FunctionBuilder, ty: ir::Type, base: Value, offset: usize) -> Value {
        b.ins().load(ty, trusted(), base, offset as i32)
    }

    /// A load of a field that never changes while JIT code runs, from an address that is
    /// always valid: Cranelift may merge such loads and hoist them out of loops.
    fn load_fixed(&self, b: &mut FunctionBuilder, ty: ir::Type, base: Value, offset: usize) -> Value {
        b.ins().load(ty, trusted().with_readonly().with_can_move(), base, offset as i32)
    }

    /// The stack limit (through vmctx → runtime).
    pub fn stack_limit(&self, b: &mut FunctionBuilder, vmctx: Value) -> Value {
        let rt = self.load_field(b, self.ptr, vmctx, offset_of!(VmCtx, rt));
        self.load_field(b, self.ptr, rt, offset_of!(Runtime, stack_limit))
    }

    /// Address of the store's fuel counter (through vmctx → runtime → store). The store
    /// pointer is set on every entry into JIT code and does not change while a function
    /// runs, so the address can be computed once per call.
    pub fn fuel_addr(&self, b: &mut FunctionBuilder, vmctx: Value) -> Value {
        let rt = self.load_field(b, self.ptr, vmctx, offset_of!(VmCtx, rt));
        let store = self.load_field(b, self.ptr, rt, offset_of!(Runtime, store));
        b.ins().iadd_imm_u(store, offset_of!(Store, fuel) as i64)
    }

    /// The type of memory `mem` (a validated index; a 32-bit memory if there is none).
    pub fn memory_type(&self, mem: u32) -> MemoryType {
        self.memories.get(mem as usize).copied().unwrap_or(MemoryType::new(crate::syntax::Limits { min: 0, max: None }))
    }

    /// The index type of table `table` (a validated index).
    pub fn table_addr(&self, table: u32) -> AddrType {
        self.tables.get(table as usize).map_or(AddrType::I32, |t| t.addr)
    }

    /// Whether accesses to memory `mem` rely on guard pages: the strategy says so and
    /// they are sound for its type (32-bit addresses, 64 KiB pages; see
    /// [`super::memory::guard_pages_cover`]). Every other access is checked.
    pub fn guarded(&self, mem: u32) -> bool {
        !self.explicit_bounds && super::memory::guard_pages_cover(&self.memory_type(mem))
    }

    /// Pointer to memory `mem`'s [`VmMemoryDef`]. The record never moves, nor does the
    /// table of records, so the loads may be merged and hoisted. Memory 0 is one load
    /// (`VmCtx::memory`); any other two (`VmCtx::memories`, then its entry).
    fn memory_def(&self, b: &mut FunctionBuilder, vmctx: Value, mem: u32) -> Value {
        if mem == 0 {
            return self.load_fixed(b, self.ptr, vmctx, offset_of!(VmCtx, memory));
        }
        let defs = self.load_fixed(b, self.ptr, vmctx, offset_of!(VmCtx, memories));
        self.load_fixed(b, self.ptr, defs, mem as usize * std::mem::size_of::<*const VmMemoryDef>())
    }

    /// Current length of memory `mem` in bytes (i64).
    pub fn memory_len(&self, b: &mut FunctionBuilder, vmctx: Value, mem: u32) -> Value {
        let def = self.memory_def(b, vmctx, mem);
        self.load_field(b, types::I64, def, offset_of!(VmMemoryDef, len))
    }

    /// Native address of a `width`-byte access at wasm address `index` (i32, or i64 for
    /// a 64-bit memory) + `offset` in memory `mem`, with an explicit bounds check (trap
    /// `oob`) unless guard pages make it unnecessary. Returns the address and the static
    /// offset to put in the access.
    ///
    /// For a 32-bit memory, `index + offset + width` < 2^33 + 8 cannot overflow 64 bits.
    /// For a 64-bit memory it can: the sum is computed with overflow traps
    /// (`uadd_overflow_trap`), so an address near 2^64 never wraps around into bounds.
    #[allow(clippy::too_many_arguments, reason = "one access's parts")]
    pub fn heap_addr(
        &self,
        b: &mut FunctionBuilder,
        vmctx: Value,
        mem: u32,
        index: Value,
        offset: u64,
        width: u32,
        oob: ir::TrapCode,
    ) -> (Value, i32) {
        // With guard pages neither the record nor the memory moves (a fixed reservation;
        // growing only changes its protection), so the base is loaded once per function
        // rather than per access. With explicit bounds checks the memory is a heap
        // buffer that `memory.grow` may move.
        let guarded = self.guarded(mem);
        let is64 = self.memory_type(mem).addr.is_64();
        let def = self.memory_def(b, vmctx, mem);
        let base = if guarded {
            self.load_fixed(b, self.ptr, def, offset_of!(VmMemoryDef, base))
        } else {
            self.load_field(b, self.ptr, def, offset_of!(VmMemoryDef, base))
        };
        let idx = if is64 { index } else { b.ins().uextend(types::I64, index) };
        if !guarded {
            let len = self.load_field(b, types::I64, def, offset_of!(VmMemoryDef, len));
            let end = if is64 {
                // Trap rather than wrap: an end past 2^64 is out of bounds.
                match offset.checked_add(u64::from(width)) {
                    Some(span) => {
                        let span = b.ins().iconst(types::I64, span as i64);
                        b.ins().uadd_overflow_trap(idx, span, oob)
                    }
                    None => {
                        let off = b.ins().iconst(types::I64, offset as i64);
                        let at = b.ins().uadd_overflow_trap(idx, off, oob);
                        let w = b.ins().iconst(types::I64, i64::from(width));
                        b.ins().uadd_overflow_trap(at, w, oob)
                    }
                }
            } else {
                b.ins().iadd_imm_u(idx, (offset + u64::from(width)) as i64)
            };
            let out = b.ins().icmp(ir::condcodes::IntCC::UnsignedGreaterThan, end, len);
            b.ins().trapnz(out, oob);
        }
        let addr = b.ins().iadd(base, idx);
        match i32::try_from(offset) {
            Ok(off) => (addr, off),
            Err(_) => (b.ins().iadd_imm_u(addr, offset as i64), 0),
        }
    }

    /// Address of global `index`'s value slot. The instance's table of value addresses
    /// and the addresses in it never change (the values are boxed in the store), so both
    /// loads may be merged and hoisted: a function that reads and writes the stack
    /// pointer global computes its address once.
    pub fn global_addr(&self, b: &mut FunctionBuilder, vmctx: Value, index: u32) -> Value {
        let globals = self.load_fixed(b, self.ptr, vmctx, offset_of!(VmCtx, globals));
        self.load_fixed(b, self.ptr, globals, index as usize * 8)
    }

    /// Element `index` (i32, or i64 for a 64-bit table) of table `table`, as a store function address (slot - 1:
    /// null becomes `u64::MAX`), after jumping to `miss` if it is out of bounds.
    pub fn table_elem_addr(
        &self,
        b: &mut FunctionBuilder,
        vmctx: Value,
        table: u32,
        index: Value,
        miss: ir::Block,
    ) -> Value {
        let tables = self.load_field(b, self.ptr, vmctx, offset_of!(VmCtx, tables));
        let def = self.load_field(b, self.ptr, tables, table as usize * 8);
        let len = self.load_field(b, types::I64, def, offset_of!(VmTableDef, len));
        let idx = if self.table_addr(table).is_64() { index } else { b.ins().uextend(types::I64, index) };
        let inside = b.ins().icmp(ir::condcodes::IntCC::UnsignedLessThan, idx, len);
        let hit = b.create_block();
        b.ins().brif(inside, hit, &[], miss, &[]);
        b.seal_block(hit);
        b.switch_to_block(hit);
        let base = self.load_field(b, self.ptr, def, offset_of!(VmTableDef, base));
        let off = b.ins().ishl_imm_u(idx, 3);
        let at = b.ins().iadd(base, off);
        let slot = self.load_field(b, types::I64, at, 0);
        b.ins().iadd_imm_s(slot, -1)
    }

    /// The direct-call record of store function `addr`, after jumping to `miss` if there
    /// is none yet. Returns (code, callee vmctx, type id).
    pub fn func_record(
        &self,
        b: &mut FunctionBuilder,
        vmctx: Value,
        addr: Value,
        miss: ir::Block,
    ) -> (Value, Value, Value) {
        let rt = self.load_field(b, self.ptr, vmctx, offset_of!(VmCtx, rt));
        let n = self.load_field(b, types::I64, rt, offset_of!(Runtime, num_funcs));
        let known = b.ins().icmp(ir::condcodes::IntCC::UnsignedLessThan, addr, n);
        let hit = b.create_block();
        b.ins().brif(known, hit, &[], miss, &[]);
        b.seal_block(hit);
        b.switch_to_block(hit);
        let funcs = self.load_field(b, self.ptr, rt, offset_of!(Runtime, funcs));
        let off = b.ins().imul_imm_u(addr, std::mem::size_of::<VmFunc>() as i64);
        let rec = b.ins().iadd(funcs, off);
        let code = self.load_field(b, self.ptr, rec, offset_of!(VmFunc, code));
        let callee = self.load_field(b, self.ptr, rec, offset_of!(VmFunc, vmctx));
        let id = self.load_field(b, types::I64, rec, offset_of!(VmFunc, type_id));
        (code, callee, id)
    }

    /// The native code of defined function `def` (0 if not compiled yet, lazily). With
    /// eager compilation every entry is filled before any code runs, so the load may be
    /// merged and hoisted.
    pub fn body_code(&self, b: &mut FunctionBuilder, vmctx: Value, def: u32) -> Value {
        let bodies = self.load_fixed(b, self.ptr, vmctx, offset_of!(VmCtx, bodies));
        let at = def as usize * 8;
        if self.lazy { self.load_field(b, self.ptr, bodies, at) } else { self.load_fixed(b, self.ptr, bodies, at) }
    }

    /// The (call, data) of imported function `index` ([`VmImport`]).
    pub fn import(&self, b: &mut FunctionBuilder, vmctx: Value, index: u32) -> (Value, Value) {
        let imports = self.load_fixed(b, self.ptr, vmctx, offset_of!(VmCtx, imports));
        let at = index as usize * std::mem::size_of::<VmImport>();
        let call = self.load_fixed(b, self.ptr, imports, at + offset_of!(VmImport, call));
        let data = self.load_fixed(b, self.ptr, imports, at + offset_of!(VmImport, data));
        (call, data)
    }

    /// The `funcref` slot of function `index`.
    pub fn func_ref(&self, b: &mut FunctionBuilder, vmctx: Value, index: u32) -> Value {
        let refs = self.load_field(b, self.ptr, vmctx, offset_of!(VmCtx, func_refs));
        self.load_field(b, types::I64, refs, index as usize * 8)
    }
}
