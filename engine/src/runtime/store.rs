//! The store: every function, table, memory, global, element and data instance, and the
//! module instances that own them (spec §4.2.3 "Store", §4.2.5-§4.2.11).
//!
//! Handles ([`Func`], [`Table`], [`Memory`], [`Global`], [`Instance`]) are addresses into
//! one store; the interpreter reaches every runtime object through them.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use crate::engine::{Engine, Module};
use crate::error::Trap;
use crate::syntax::{FuncType, GlobalType, MemoryType, PAGE_SIZE, TableType};

use super::Val;
use super::func::Caller;

/// A function address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Func(pub(crate) u32);
/// A table address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Table(pub(crate) u32);
/// A memory address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Memory(pub(crate) u32);
/// A global address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Global(pub(crate) u32);
/// A module instance address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Instance(pub(crate) u32);

/// An external value: what imports and exports refer to (spec §4.2.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Extern {
    Func(Func),
    Table(Table),
    Memory(Memory),
    Global(Global),
    /// An exception tag (exception handling).
    Tag(super::Tag),
}

/// The signature of a host function as the store keeps it: arguments in, results written
/// into a slice of the function's result count (set to each result type's zero first), so
/// that a call allocates nothing. [`crate::Func::new_host`] adapts closures that return a
/// `Vec`; [`crate::Func::new_host_slices`] takes this form directly.
pub type HostFn = dyn Fn(&mut Caller<'_>, &[Val], &mut [Val]) -> Result<(), Trap>;

/// A host function on raw value slots, as [`crate::Func::wrap`] makes it from a typed
/// closure: its arguments are read from the first slots of `area`, its results written
/// to the first slots (`area` has `area` slots: max(params, results)). No conversion to
/// [`Val`] and no type check per call: the types are checked once, statically.
pub(crate) struct SlotHost {
    pub area: usize,
    pub f: Box<SlotFn>,
}

/// The code of a [`SlotHost`].
pub(crate) type SlotFn = dyn Fn(&mut Caller<'_>, &mut [u64]) -> Result<(), Trap>;

/// A host function's code, in either form.
#[derive(Clone)]
pub(crate) enum HostCode {
    Vals(Rc<HostFn>),
    Slots(Rc<SlotHost>),
}

pub(crate) enum FuncInst {
    Wasm {
        /// The type, in canonical form (type indices are canonical ids).
        ty: FuncType,
        /// The canonical id of the type.
        type_id: crate::syntax::canon::CanonId,
        instance: u32,
        /// Index in the module's function index space.
        index: u32,
        /// The interpreter's code for it, once translated (a shortcut to the module's
        /// cache, so a call needs one lookup).
        code: std::cell::OnceCell<std::sync::Arc<crate::translate::CompiledFunc>>,
    },
    Host {
        /// Shared so a call can hold the type while the host function borrows the store.
        ty: Rc<FuncType>,
        /// The canonical id of the type.
        type_id: crate::syntax::canon::CanonId,
        f: HostCode,
    },
}

impl FuncInst {
    pub(crate) fn ty(&self) -> &FuncType {
        match self {
            FuncInst::Wasm { ty, .. } => ty,
            FuncInst::Host { ty, .. } => ty,
        }
    }

    /// The canonical id of the function's type.
    pub(crate) fn type_id(&self) -> crate::syntax::canon::CanonId {
        match self {
            FuncInst::Wasm { type_id, .. } | FuncInst::Host { type_id, .. } => *type_id,
        }
    }

    /// Whether the function's type matches (is a subtype of) canonical type `expected`.
    pub(crate) fn has_type(&self, expected: crate::syntax::canon::CanonId) -> bool {
        crate::syntax::canon::is_subtype(self.type_id(), expected)
    }
}

/// What the interpreter's `call_indirect` handler needs of a function (by address): its
/// translation once a call has made it (null before, and for host functions), its
/// instance and its index there.
#[derive(Clone, Copy)]
pub(crate) struct InterpEntry {
    pub code: *const crate::translate::CompiledFunc,
    pub instance: u32,
    pub index: u32,
}

impl InterpEntry {
    const HOST: InterpEntry = InterpEntry { code: std::ptr::null(), instance: u32::MAX, index: 0 };
}

pub(crate) struct TableInst {
    pub ty: TableType,
    /// Slot-encoded references (0 is null). Only [`TableInst::grow`] changes their number,
    /// so [`TableInst::def`] always describes them.
    pub elems: TableElems,
    /// Where the elements are and how many, for JIT code (`call_indirect` reads a table
    /// without a call into Rust). Boxed: its address stays put when the store's table
    /// list grows.
    def: Box<crate::jit::env::VmTableDef>,
}

/// A table's elements: a slice to everyone but [`TableInst`], so that nothing else can
/// move or resize them behind [`TableInst::def`]'s back.
pub(crate) struct TableElems(Vec<u64>);

impl std::ops::Deref for TableElems {
    type Target = [u64];
    fn deref(&self) -> &[u64] {
        &self.0
    }
}

impl std::ops::DerefMut for TableElems {
    fn deref_mut(&mut self) -> &mut [u64] {
        &mut self.0
    }
}

impl TableInst {
    /// A table of `ty.limits.min` elements, each `init`.
    pub(crate) fn new(ty: TableType, init: u64) -> TableInst {
        let elems = TableElems(vec![init; ty.limits.min as usize]);
        let def = Box::new(crate::jit::env::VmTableDef::of(&elems.0));
        TableInst { ty, elems, def }
    }

    /// The record JIT code reads (valid as long as the table lives).
    pub(crate) fn def_ptr(&self) -> *const crate::jit::env::VmTableDef {
        &*self.def
    }

    /// Grows by `delta` elements set to `init`; returns the old size, or `None` if the
    /// declared maximum or the engine's limit forbids it (spec §4.5.3.9 "grow table").
    pub(crate) fn grow(&mut self, delta: u64, init: u64, limit: u64) -> Option<u64> {
        let old = self.elems.len() as u64;
        let new = old.checked_add(delta)?;
        let type_max = if self.ty.addr.is_64() { u64::MAX } else { u32::MAX as u64 };
        let max = self.ty.limits.max.unwrap_or(type_max).min(limit);
        if new > max {
            return None;
        }
        let extra = usize::try_from(delta).ok()?;
        self.elems.0.try_reserve_exact(extra).ok()?;
        self.elems.0.resize(new as usize, init);
        *self.def = crate::jit::env::VmTableDef::of(&self.elems.0);
        self.ty.limits.min = new;
        Some(old)
    }
}

pub(crate) struct MemInst {
    pub ty: MemoryType,
    /// The bytes; derefs to `[u8]` (a heap buffer, or a guard-page reservation for JIT
    /// code without bounds checks).
    pub data: crate::jit::memory::LinearMemory,
}

impl MemInst {
    /// The current size in pages of the memory's page size.
    pub(crate) fn pages(&self) -> u64 {
        self.data.len() as u64 >> self.ty.page_size_log2
    }

    /// Grows by `delta` pages; returns the old size in pages, or `None` if the declared
    /// maximum (else the address type's), the engine's limit (`limit` 64 KiB pages, in
    /// bytes whatever the page size) or the host forbids it (spec §4.5.3.10 "grow memory").
    pub(crate) fn grow(&mut self, delta: u64, limit: u64) -> Option<u64> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        let bytes = memory_bytes(&self.ty, new, limit)?;
        if !self.data.grow_to(bytes) {
            return None;
        }
        self.ty.limits.min = new;
        Some(old)
    }
}

/// The size in bytes of `pages` pages of a memory of type `ty`, if within the type's
/// maximum (declared, else the address type's) and the engine's limit of `limit` 64 KiB
/// pages, and addressable on this host.
pub(crate) fn memory_bytes(ty: &MemoryType, pages: u64, limit: u64) -> Option<usize> {
    let max = ty.limits.max.unwrap_or(ty.max_pages()).min(ty.max_pages());
    if pages > max {
        return None;
    }
    let bytes = pages.checked_mul(ty.page_size())?;
    if bytes > limit.saturating_mul(PAGE_SIZE) {
        return None;
    }
    usize::try_from(bytes).ok()
}

/// `value` and `hi` are adjacent (`repr(C)`), so the global's address (`&raw mut value`,
/// what the tiers keep) names both slots of a `v128`.
#[repr(C)]
pub(crate) struct GlobalInst {
    /// The value's slot (of a `v128`, its low half).
    pub value: u64,
    /// A `v128`'s high half; 0 for every other type.
    pub hi: u64,
    pub ty: GlobalType,
}

/// A module instance: the module and the addresses of everything its index spaces name.
pub(crate) struct InstanceData {
    pub module: Module,
    pub funcs: Vec<u32>,
    pub tables: Vec<u32>,
    pub memories: Vec<u32>,
    pub globals: Vec<u32>,
    /// Tag addresses, by tag index.
    pub tags: Vec<u32>,
    /// Element segments: slot-encoded references; emptied by `elem.drop`.
    pub elems: Vec<Arc<[u64]>>,
    /// Data segments; emptied by `data.drop`.
    pub datas: Vec<Arc<[u8]>>,
    /// Where each table's elements are (by table index), for the interpreter's
    /// `call_indirect` handler (the records live as long as the tables).
    pub table_defs: Box<[*const crate::jit::env::VmTableDef]>,
    /// Where each memory's bytes are and how many (by memory index), for the
    /// interpreter's handlers of accesses to memories other than a 32-bit memory 0 (the
    /// records live as long as the memories and are kept current by them).
    pub memory_defs: Box<[*const crate::jit::memory::VmMemoryDef]>,
    /// The address of each global's value, by global index (the values are boxed, so
    /// the addresses stay valid while the store lives): the interpreter's handlers read
    /// and write globals through it.
    pub global_values: Box<[*mut u64]>,
    /// The interpreter's translation of each function of this instance, by function
    /// index, once a call has translated it (null before, and for imports): a direct
    /// call handled inside the interpreter's handlers finds its callee here. The
    /// translations live in the module's cache.
    pub callees: Box<[*const crate::translate::CompiledFunc]>,
    pub exports: HashMap<String, Extern>,
}

/// Holds all runtime objects. Not thread-safe: one store per thread.
pub struct Store {
    pub(crate) engine: Engine,
    pub(crate) funcs: Vec<FuncInst>,
    /// The interpreter's view of `funcs`, by the same addresses.
    pub(crate) interp_funcs: Vec<InterpEntry>,
    pub(crate) tables: Vec<TableInst>,
    pub(crate) memories: Vec<MemInst>,
    /// Boxed so that JIT code can hold a stable pointer to each value.
    #[allow(clippy::vec_box, reason = "JIT code keeps pointers to the values; the box keeps them stable")]
    pub(crate) globals: Vec<Box<GlobalInst>>,
    pub(crate) instances: Vec<InstanceData>,
    /// Tags (exception handling), by address.
    pub(crate) tags: Vec<super::TagInst>,
    /// Exceptions, by address (an `exnref` slot holds address + 1).
    pub(crate) exns: Vec<super::ExnInst>,
    /// Addresses of freed exceptions, reused first.
    pub(crate) free_exns: Vec<u32>,
    /// Nesting depth of wasm calls across host re-entries.
    pub(crate) depth: u32,
    /// Number of active interpreter entries (host -> wasm calls nested in wasm -> host).
    pub(crate) reentries: u32,
    /// Interpreter activations suspended in host calls, outermost first (GC roots).
    pub(crate) suspended: Vec<crate::interp::roots::Suspended>,
    /// Fuel left (only consumed when the engine's `consume_fuel` is on).
    pub(crate) fuel: u64,
    /// Approximate host stack pointer at the outermost interpreter entry.
    pub(crate) host_stack_base: Option<usize>,
    /// The interpreter's value stack, kept between calls to avoid reallocating.
    pub(crate) stack: Vec<u64>,
    /// The JIT tier's per-store state (instance contexts, trap hand-off).
    pub(crate) jit: crate::jit::StoreData,
    /// The GC heap's objects.
    pub(crate) gc: super::gc::GcHeap,
}

impl Store {
    /// An empty store for functions of `engine`.
    pub fn new(engine: &Engine) -> Store {
        Store {
            engine: engine.clone(),
            funcs: Vec::new(),
            interp_funcs: Vec::new(),
            tables: Vec::new(),
            memories: Vec::new(),
            globals: Vec::new(),
            instances: Vec::new(),
            tags: Vec::new(),
            exns: Vec::new(),
            free_exns: Vec::new(),
            depth: 0,
            reentries: 0,
            suspended: Vec::new(),
            fuel: 0,
            host_stack_base: None,
            stack: Vec::new(),
            jit: crate::jit::StoreData::default(),
            gc: Default::default(),
        }
    }

    /// The engine this store runs on.
    /// Keeps the heap objects these values name for the store's life (values handed to
    /// the host: see `runtime::gc`).
    pub(crate) fn pin_vals(&mut self, vals: &[Val]) {
        for v in vals {
            match v {
                Val::AnyRef(Some(a)) => self.gc.pin(a.bits()),
                Val::ExternRef(Some(e)) => self.gc.pin(e.internalize().bits()),
                _ => {}
            }
        }
    }

    /// The GC heap's size in bytes, bytes allocated since the store was made, objects
    /// in the heap, and collections so far (for tests and statistics).
    #[doc(hidden)]
    pub fn gc_stats(&self) -> (u64, u64, usize, u64) {
        (self.gc.bytes, self.gc.allocated, self.gc.len(), self.gc.collections)
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Sets the fuel left (see [`crate::fuel`]; used only when the engine's
    /// `consume_fuel` is on).
    pub fn set_fuel(&mut self, fuel: u64) {
        self.fuel = fuel;
    }

    /// The fuel left.
    pub fn fuel(&self) -> u64 {
        self.fuel
    }

    /// One byte of a memory, if in bounds.
    pub fn memory_byte(&self, memory: Memory, addr: usize) -> Option<u8> {
        self.memories.get(memory.0 as usize)?.data.get(addr).copied()
    }

    pub(crate) fn push_func(&mut self, f: FuncInst) -> Func {
        let entry = match &f {
            FuncInst::Wasm { instance, index, .. } => {
                InterpEntry { code: std::ptr::null(), instance: *instance, index: *index }
            }
            FuncInst::Host { .. } => InterpEntry::HOST,
        };
        self.interp_funcs.push(entry);
        self.funcs.push(f);
        Func(self.funcs.len() as u32 - 1)
    }
}
