//! The runtime layout JIT code sees, in one place: the per-instance context (`VmCtx`), the
//! per-store [`Runtime`] record, and the [`Env`] that emits every access to them. No
//! other module hard-codes an offset.

use std::mem::offset_of;

use cranelift_codegen::ir::{self, InstBuilder, MemFlagsData, Value, types};
use cranelift_frontend::FunctionBuilder;

use super::memory::VmMemoryDef;
use crate::error::Trap;
use crate::runtime::Store;

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
    /// Canonical id of its type ([`super::type_ids`]), for the signature check.
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
    /// Memory 0, or null.
    pub memory: *const VmMemoryDef,
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
    pub explicit_bounds: bool,
    /// Whether functions are compiled on first call: then a direct call finds 0 for a
    /// callee not compiled yet, and entries change while code runs.
    pub lazy: bool,
}

fn trusted() -> MemFlagsData {
    MemFlagsData::trusted()
}

impl Env {
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

    /// Pointer to memory 0's [`VmMemoryDef`].
    fn memory_def(&self, b: &mut FunctionBuilder, vmctx: Value) -> Value {
        self.load_field(b, self.ptr, vmctx, offset_of!(VmCtx, memory))
    }

    /// Current length of memory 0 in bytes (i64).
    pub fn memory_len(&self, b: &mut FunctionBuilder, vmctx: Value) -> Value {
        let def = self.memory_def(b, vmctx);
        self.load_field(b, types::I64, def, offset_of!(VmMemoryDef, len))
    }

    /// Native address of a `width`-byte access at wasm address `index` (i32) + `offset`
    /// in memory 0, with an explicit bounds check (trap `oob`) unless guard pages make
    /// it unnecessary. Returns the address and the static offset to put in the access.
    pub fn heap_addr(
        &self,
        b: &mut FunctionBuilder,
        vmctx: Value,
        index: Value,
        offset: u64,
        width: u32,
        oob: ir::TrapCode,
    ) -> (Value, i32) {
        // The instance's memory record never moves. With guard pages neither does the
        // memory (a fixed reservation; growing only changes its protection), so its base
        // is loaded once per function rather than per access. With explicit bounds checks
        // the memory is a heap buffer that `memory.grow` may move.
        let def = self.load_fixed(b, self.ptr, vmctx, offset_of!(VmCtx, memory));
        let base = if self.explicit_bounds {
            self.load_field(b, self.ptr, def, offset_of!(VmMemoryDef, base))
        } else {
            self.load_fixed(b, self.ptr, def, offset_of!(VmMemoryDef, base))
        };
        let idx = b.ins().uextend(types::I64, index);
        if self.explicit_bounds {
            let len = self.load_field(b, types::I64, def, offset_of!(VmMemoryDef, len));
            // index + offset + width < 2^33 + 8: no overflow in 64 bits.
            let end = b.ins().iadd_imm_u(idx, (offset + width as u64) as i64);
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

    /// Element `index` (i32) of table `table`, as a store function address (slot - 1:
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
        let idx = b.ins().uextend(types::I64, index);
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
