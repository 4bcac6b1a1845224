//! The [`Linker`]: resolves a module's imports by (module, name) with type checks and
//! instantiates it (spec §4.5.4 "Instantiation", §3.5 "Import subtyping").

use std::collections::HashMap;
use std::sync::Arc;

use crate::engine::Module;
use crate::error::{Error, LinkError, Trap, TrapCode};
use crate::syntax::{ConstExpr, DataMode, ElemMode, ImportDesc, Instr, Limits, NumOp};

use super::store::{Extern, FuncInst, GlobalInst, Instance, InstanceData, Store, TableInst};
use super::{Global, Memory, Table};

/// Named definitions that imports resolve against.
#[derive(Debug, Default, Clone)]
pub struct Linker {
    defs: HashMap<(String, String), Extern>,
}

impl Linker {
    pub fn new() -> Linker {
        Linker::default()
    }

    /// Defines `module`.`name`, replacing any earlier definition.
    pub fn define(&mut self, module: &str, name: &str, item: Extern) {
        self.defs.insert((module.to_string(), name.to_string()), item);
    }

    /// Defines every export of `instance` under the module name `module`.
    pub fn define_instance(&mut self, store: &Store, module: &str, instance: Instance) {
        for (name, ext) in instance.exports(store) {
            self.define(module, &name, ext);
        }
    }

    /// Looks a definition up.
    pub fn get(&self, module: &str, name: &str) -> Option<Extern> {
        self.defs.get(&(module.to_string(), name.to_string())).copied()
    }

    /// Instantiates `module`: resolves imports (a failure is [`Error::Link`]), allocates its
    /// objects, runs active element and data segments and the start function (a trap in
    /// any of them is [`Error::Trap`]; effects on imported objects before it persist, as
    /// the spec says).
    pub fn instantiate(&self, store: &mut Store, module: &Module) -> Result<Instance, Error> {
        let imports = self.resolve(store, module)?;
        instantiate(store, module, imports)
    }

    fn resolve(&self, store: &Store, module: &Module) -> Result<Vec<Extern>, Error> {
        let syntax = module.syntax();
        let mut out = Vec::with_capacity(syntax.imports.len());
        for imp in &syntax.imports {
            let err = |message: &str| {
                Error::Link(LinkError {
                    module: imp.module.clone(),
                    name: imp.name.clone(),
                    message: message.to_string(),
                })
            };
            let ext = self.get(&imp.module, &imp.name).ok_or_else(|| err("unknown import"))?;
            let ok = match (&imp.desc, ext) {
                // A function matches when its type is a subtype of the import's (spec 3.0
                // §4.5.1 "Import matching"); types compare by canonical id.
                (ImportDesc::Func(ti), Extern::Func(f)) => {
                    syntax.func_type(*ti).is_some()
                        && store.funcs.get(f.0 as usize).is_some_and(|f| f.has_type(syntax.canon_id(*ti)))
                }
                (ImportDesc::Table(want), Extern::Table(t)) => store.tables.get(t.0 as usize).is_some_and(|t| {
                    let want = syntax.canon_table_type(*want);
                    t.ty.elem == want.elem && t.ty.addr == want.addr && limits_match(&t.current_limits(), &want.limits)
                }),
                (ImportDesc::Memory(want), Extern::Memory(m)) => store.memories.get(m.0 as usize).is_some_and(|m| {
                    m.ty.addr == want.addr
                        && m.ty.page_size_log2 == want.page_size_log2
                        && limits_match(&Limits { min: m.pages(), max: m.ty.limits.max }, &want.limits)
                }),
                // An immutable global's type may be a subtype; a mutable one's must be equal.
                (ImportDesc::Global(want), Extern::Global(g)) => store.globals.get(g.0 as usize).is_some_and(|g| {
                    let want = syntax.canon_global_type(*want);
                    g.ty.mutability == want.mutability
                        && match want.mutability {
                            crate::syntax::Mutability::Const => crate::syntax::subtype::val_sub(
                                &crate::syntax::subtype::Canonical,
                                g.ty.content,
                                want.content,
                            ),
                            crate::syntax::Mutability::Var => g.ty.content == want.content,
                        }
                }),
                // Tag types match exactly (spec 3.0 §4.5.1 "Import matching").
                (ImportDesc::Tag(ti), Extern::Tag(t)) => {
                    syntax.func_type(*ti).is_some()
                        && store.tags.get(t.0 as usize).is_some_and(|t| t.type_id == syntax.canon_id(*ti))
                }
                _ => false,
            };
            if !ok {
                return Err(err("incompatible import type"));
            }
            out.push(ext);
        }
        Ok(out)
    }
}

impl TableInst {
    fn current_limits(&self) -> Limits {
        Limits { min: self.elems.len() as u64, max: self.ty.limits.max }
    }
}

/// Limits subtyping (spec §3.5.7 "Limits").
fn limits_match(actual: &Limits, want: &Limits) -> bool {
    actual.min >= want.min
        && match (actual.max, want.max) {
            (_, None) => true,
            (Some(a), Some(w)) => a <= w,
            (None, Some(_)) => false,
        }
}

impl Instance {
    /// The export called `name`.
    pub fn export(&self, store: &Store, name: &str) -> Option<Extern> {
        store.instances.get(self.0 as usize)?.exports.get(name).copied()
    }

    /// All exports, in the module's order.
    pub fn exports(&self, store: &Store) -> Vec<(String, Extern)> {
        let Some(inst) = store.instances.get(self.0 as usize) else { return Vec::new() };
        inst.module.exports().iter().filter_map(|e| Some((e.name.clone(), *inst.exports.get(&e.name)?))).collect()
    }

    /// The exported function called `name`.
    pub fn func(&self, store: &Store, name: &str) -> Option<super::Func> {
        match self.export(store, name)? {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }

    /// The exported memory called `name`.
    pub fn memory(&self, store: &Store, name: &str) -> Option<Memory> {
        match self.export(store, name)? {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }

    /// Every memory of the instance, imported ones first, in memory-index order (what
    /// the memory index of an instruction names), exported or not.
    pub fn memories(&self, store: &Store) -> Vec<Memory> {
        store.instances.get(self.0 as usize).map_or_else(Vec::new, |i| i.memories.iter().map(|a| Memory(*a)).collect())
    }

    /// Memory `index` of the instance's memory index space (imports first, then the
    /// module's own), exported or not: what the debugger's `x` reads with a memory
    /// index. `None` past the last memory.
    pub fn memory_at(&self, store: &Store, index: u32) -> Option<Memory> {
        store.instances.get(self.0 as usize)?.memories.get(index as usize).map(|a| Memory(*a))
    }

    /// The number of memories in the instance's memory index space.
    pub fn memory_count(&self, store: &Store) -> u32 {
        store.instances.get(self.0 as usize).map_or(0, |i| i.memories.len() as u32)
    }

    /// The exported global called `name`.
    pub fn global(&self, store: &Store, name: &str) -> Option<Global> {
        match self.export(store, name)? {
            Extern::Global(g) => Some(g),
            _ => None,
        }
    }

    /// The exported tag called `name`.
    pub fn tag(&self, store: &Store, name: &str) -> Option<super::Tag> {
        match self.export(store, name)? {
            Extern::Tag(t) => Some(t),
            _ => None,
        }
    }

    /// The exported table called `name`.
    pub fn table(&self, store: &Store, name: &str) -> Option<Table> {
        match self.export(store, name)? {
            Extern::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The module this is an instance of.
    pub fn module<'a>(&self, store: &'a Store) -> Option<&'a Module> {
        store.instances.get(self.0 as usize).map(|i| &i.module)
    }
}

fn usage(msg: &str) -> Error {
    Error::Usage(msg.to_string())
}

/// Evaluates a constant expression (spec §4.5.2 "Evaluation of constant expressions").
/// What constant expressions read of an instance.
struct ConstCtx<'a> {
    funcs: &'a [u32],
    globals: &'a [u32],
    module: &'a Module,
}

impl<'a> ConstCtx<'a> {
    fn of(inst: &'a InstanceData) -> ConstCtx<'a> {
        ConstCtx { funcs: &inst.funcs, globals: &inst.globals, module: &inst.module }
    }
}

/// A segment's offset, once the instance is in the store.
fn eval_offset(store: &mut Store, idx: u32, expr: &ConstExpr) -> Result<u64, Error> {
    let i = &store.instances[idx as usize];
    let (funcs, globals, module) = (i.funcs.clone(), i.globals.clone(), i.module.clone());
    eval_const(store, &ConstCtx { funcs: &funcs, globals: &globals, module: &module }, expr)
}

fn eval_const(store: &mut Store, inst: &ConstCtx<'_>, expr: &ConstExpr) -> Result<u64, Error> {
    eval_const_wide(store, inst, expr).map(|v| v as u64)
}

/// Evaluates a constant expression of any type: a scalar's slot, or a `v128`'s 128 bits.
/// GC's constant instructions allocate in the store's heap.
fn eval_const_wide(store: &mut Store, inst: &ConstCtx<'_>, expr: &ConstExpr) -> Result<u128, Error> {
    let mut stack: Vec<u128> = Vec::with_capacity(2);
    for i in &expr.instrs {
        let v = match i {
            Instr::Gc(g) => eval_gc_const(store, inst, g, &mut stack)?,
            Instr::I32Const(v) => u128::from(*v as u32),
            Instr::I64Const(v) => u128::from(*v as u64),
            Instr::F32Const(v) => u128::from(*v),
            Instr::F64Const(v) => u128::from(*v),
            Instr::V128Const(bytes) => u128::from_le_bytes(*bytes),
            Instr::RefNull(_) => 0,
            Instr::RefFunc(f) => *inst.funcs.get(*f as usize).ok_or_else(|| usage("unknown function"))? as u128 + 1,
            Instr::GlobalGet(g) => {
                let a = *inst.globals.get(*g as usize).ok_or_else(|| usage("unknown global"))?;
                let g = store.globals.get(a as usize).ok_or_else(|| usage("unknown global"))?;
                u128::from(g.value) | u128::from(g.hi) << 64
            }
            Instr::Num(
                op @ (NumOp::I32Add | NumOp::I32Sub | NumOp::I32Mul | NumOp::I64Add | NumOp::I64Sub | NumOp::I64Mul),
            ) => {
                let (b, a) = (stack.pop(), stack.pop());
                let (Some(a), Some(b)) = (a, b) else { return Err(usage("constant expression underflow")) };
                let (a, b) = (a as u64, b as u64);
                u128::from(match op {
                    NumOp::I32Add => (a as u32).wrapping_add(b as u32) as u64,
                    NumOp::I32Sub => (a as u32).wrapping_sub(b as u32) as u64,
                    NumOp::I32Mul => (a as u32).wrapping_mul(b as u32) as u64,
                    NumOp::I64Add => a.wrapping_add(b),
                    NumOp::I64Sub => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                })
            }
            _ => return Err(usage("constant expression required")),
        };
        stack.push(v);
    }
    stack.pop().ok_or_else(|| usage("empty constant expression"))
}

/// A constant GC instruction (`struct.new`, `array.new_fixed`, `ref.i31`, ...): pops
/// its operands (of the types its type gives) and returns its result's slot.
fn eval_gc_const(
    store: &mut Store,
    inst: &ConstCtx<'_>,
    g: &crate::syntax::GcInstr,
    stack: &mut Vec<u128>,
) -> Result<u128, Error> {
    use crate::syntax::{CompositeType, GcInstr as G};
    let syntax = inst.module.syntax();
    let ty = |x: u32| crate::syntax::canon::info(syntax.canon_id(x));
    let info = match *g {
        G::StructNew(x) | G::StructNewDefault(x) | G::ArrayNew(x) | G::ArrayNewDefault(x) => ty(x),
        G::ArrayNewFixed { ty: x, .. } => ty(x),
        _ => None,
    };
    // The operands' value types, in order.
    let operands: Vec<crate::syntax::ValType> = match (g, info.map(|i| &i.ty.composite)) {
        (G::StructNew(_), Some(CompositeType::Struct(fields))) => fields.iter().map(|f| f.storage.unpacked()).collect(),
        (G::ArrayNew(_), Some(CompositeType::Array(e))) => vec![e.storage.unpacked(), crate::syntax::ValType::I32],
        (G::ArrayNewDefault(_), _) => vec![crate::syntax::ValType::I32],
        (G::ArrayNewFixed { len, .. }, Some(CompositeType::Array(e))) => vec![e.storage.unpacked(); *len as usize],
        (G::RefI31 | G::AnyConvertExtern | G::ExternConvertAny, _) => vec![crate::syntax::ValType::I64],
        (G::StructNewDefault(_), _) => Vec::new(),
        _ => return Err(usage("constant expression required")),
    };
    let at = stack.len().checked_sub(operands.len()).ok_or_else(|| usage("constant expression underflow"))?;
    let mut slots: Vec<u64> = Vec::with_capacity(operands.len() + 1);
    for (v, t) in stack.drain(at..).zip(&operands) {
        slots.push(v as u64);
        if t.slots() == 2 {
            slots.push((v >> 64) as u64);
        }
    }
    slots.resize(slots.len().max(2), 0);
    let op = super::gc::GcOp { instr: *g, ty: info, src: None, cast: None };
    // Constant instructions read no segments, so the instance (not yet in the store)
    // is not needed.
    super::gc::exec(store, u32::MAX, &op, &mut slots)?;
    Ok(u128::from(slots[0]))
}

fn instantiate(store: &mut Store, module: &Module, imports: Vec<Extern>) -> Result<Instance, Error> {
    let syntax = module.syntax();
    let idx = store.instances.len() as u32;
    let mut inst = InstanceData {
        module: module.clone(),
        funcs: Vec::new(),
        tables: Vec::new(),
        memories: Vec::new(),
        globals: Vec::new(),
        tags: Vec::new(),
        elems: Vec::new(),
        datas: Vec::new(),
        global_values: Box::new([]),
        table_defs: Box::new([]),
        memory_defs: Box::new([]),
        callees: Box::new([]),
        exports: HashMap::new(),
    };
    for ext in imports {
        match ext {
            Extern::Func(f) => inst.funcs.push(f.0),
            Extern::Table(t) => inst.tables.push(t.0),
            Extern::Memory(m) => inst.memories.push(m.0),
            Extern::Global(g) => inst.globals.push(g.0),
            Extern::Tag(t) => inst.tags.push(t.0),
        }
    }
    let first_defined = inst.funcs.len() as u32;
    for (i, ti) in syntax.funcs.iter().enumerate() {
        let ty = syntax.canon_func_type(*ti).ok_or_else(|| usage("unknown type"))?;
        let f = store.push_func(FuncInst::Wasm {
            ty,
            type_id: syntax.canon_id(*ti),
            instance: idx,
            index: first_defined + i as u32,
            code: Default::default(),
        });
        inst.funcs.push(f.0);
    }
    let limits = store.engine.config().limits;
    for (i, t) in syntax.tables.iter().enumerate() {
        if t.limits.min > limits.max_table_elements {
            return Err(Trap::host(format!("table of {} elements exceeds the engine's limit", t.limits.min)).into());
        }
        // The initial value (typed function references), which may read imported globals.
        let init = match syntax.table_inits.get(i).and_then(Option::as_ref) {
            Some(e) => eval_const(store, &ConstCtx::of(&inst), e)?,
            None => 0,
        };
        store.tables.push(TableInst::new(syntax.canon_table_type(*t), init));
        inst.tables.push(store.tables.len() as u32 - 1);
    }
    for m in &syntax.memories {
        let mem = Memory::new(store, *m).map_err(|e| Trap::host(e.to_string()))?;
        inst.memories.push(mem.0);
    }
    for ti in &syntax.tags {
        let ty = syntax.canon_func_type(*ti).ok_or_else(|| usage("unknown type"))?;
        let index = inst.tags.len() as u32;
        let tag = store.push_tag(super::TagInst { ty, type_id: syntax.canon_id(*ti), owner: Some((idx, index)) });
        inst.tags.push(tag.0);
    }
    for g in &syntax.globals {
        let wide = eval_const_wide(store, &ConstCtx::of(&inst), &g.init)?;
        let (value, hi) = (wide as u64, (wide >> 64) as u64);
        store.globals.push(Box::new(GlobalInst { ty: syntax.canon_global_type(g.ty), value, hi }));
        inst.globals.push(store.globals.len() as u32 - 1);
    }
    for e in &syntax.elems {
        let items = match e.mode {
            // A declarative segment is dropped at instantiation (spec §4.5.4 step 14).
            ElemMode::Declarative => Vec::new(),
            _ => e
                .items
                .iter()
                .map(|x| eval_const(store, &ConstCtx::of(&inst), x))
                .collect::<Result<Vec<u64>, Error>>()?,
        };
        inst.elems.push(Arc::from(items));
    }
    for d in &syntax.datas {
        inst.datas.push(Arc::from(d.bytes.as_slice()));
    }
    for e in &syntax.exports {
        let i = e.index as usize;
        let ext = match e.kind {
            crate::syntax::ExternKind::Func => inst.funcs.get(i).map(|a| Extern::Func(super::Func(*a))),
            crate::syntax::ExternKind::Table => inst.tables.get(i).map(|a| Extern::Table(Table(*a))),
            crate::syntax::ExternKind::Memory => inst.memories.get(i).map(|a| Extern::Memory(Memory(*a))),
            crate::syntax::ExternKind::Global => inst.globals.get(i).map(|a| Extern::Global(Global(*a))),
            crate::syntax::ExternKind::Tag => inst.tags.get(i).map(|a| Extern::Tag(super::Tag(*a))),
        };
        inst.exports.insert(e.name.clone(), ext.ok_or_else(|| usage("export of an unknown index"))?);
    }
    inst.global_values = inst.globals.iter().map(|g| &raw mut store.globals[*g as usize].value).collect();
    inst.callees = vec![std::ptr::null(); inst.funcs.len()].into_boxed_slice();
    inst.table_defs = inst.tables.iter().map(|t| store.tables[*t as usize].def_ptr()).collect();
    inst.memory_defs = inst.memories.iter().map(|m| store.memories[*m as usize].data.def_ptr()).collect();
    store.instances.push(inst);
    let instance = Instance(idx);

    // Active element segments, then active data segments, in order (spec §4.5.4 steps
    // 15-16); each is dropped after use.
    for (i, e) in syntax.elems.iter().enumerate() {
        if let ElemMode::Active { table, offset } = &e.mode {
            let items = store.instances[idx as usize].elems[i].clone();
            let taddr =
                *store.instances[idx as usize].tables.get(*table as usize).ok_or_else(|| usage("unknown table"))?
                    as usize;
            let d = store.tables[taddr].ty.addr.wrap(eval_offset(store, idx, offset)?);
            let d = usize::try_from(d).unwrap_or(usize::MAX);
            match store.tables[taddr].elems.get_mut(d..d.saturating_add(items.len())) {
                Some(dst) => dst.copy_from_slice(&items),
                None => return Err(Trap::new(TrapCode::TableOutOfBounds).into()),
            }
            store.instances[idx as usize].elems[i] = Arc::from([]);
        }
    }
    for (i, d) in syntax.datas.iter().enumerate() {
        if let DataMode::Active { memory, offset } = &d.mode {
            let maddr =
                *store.instances[idx as usize].memories.get(*memory as usize).ok_or_else(|| usage("unknown memory"))?
                    as usize;
            let at = store.memories[maddr].ty.addr.wrap(eval_offset(store, idx, offset)?);
            let at = usize::try_from(at).unwrap_or(usize::MAX);
            match store.memories[maddr].data.get_mut(at..at.saturating_add(d.bytes.len())) {
                Some(dst) => dst.copy_from_slice(&d.bytes),
                None => return Err(Trap::new(TrapCode::MemoryOutOfBounds).into()),
            }
            store.instances[idx as usize].datas[i] = Arc::from([]);
        }
    }
    if let Some(start) = syntax.start {
        let addr =
            *store.instances[idx as usize].funcs.get(start as usize).ok_or_else(|| usage("unknown start function"))?;
        super::Func(addr).call(store, &[])?;
    }
    Ok(instance)
}
