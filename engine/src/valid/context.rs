//! The validation context `C` (spec §3.1.1 "Contexts"): the types of everything a module
//! defines or imports, as seen by the rules for instructions and segments.

use crate::config::Features;
use crate::error::ValidationError;
use crate::syntax::canon::CanonId;
use crate::syntax::subtype::{self, ModuleTypes};
use crate::syntax::{FuncType, GlobalType, HeapType, MemoryType, Module, RefType, SubType, TableType, ValType};

/// The spec's context `C`, built once per module (indices: imports first).
pub(crate) struct Context<'m> {
    /// `C.types`.
    pub types: &'m [SubType],
    /// The canonical id of each of `types`.
    pub canonical: Vec<CanonId>,
    /// `C.funcs`, as type indices (each checked to exist before any body is validated).
    pub funcs: Vec<u32>,
    /// `C.tables`.
    pub tables: Vec<TableType>,
    /// `C.mems`.
    pub mems: Vec<MemoryType>,
    /// `C.globals`.
    pub globals: Vec<GlobalType>,
    /// `C.tags`, as type indices (exception handling).
    pub tags: Vec<u32>,
    /// How many of `globals` are imported: constant expressions may only read these (2.0).
    pub num_imported_globals: u32,
    /// `C.elems`: the reference type of each element segment.
    pub elems: Vec<RefType>,
    /// `C.datas`: the number of data segments declared by the data count section, if any.
    pub data_count: Option<u32>,
    /// `C.refs`: whether each function index is declared (referenced outside function bodies).
    pub refs: Vec<bool>,
    pub features: Features,
}

impl<'m> Context<'m> {
    pub fn new(module: &'m Module, features: &Features) -> Context<'m> {
        Context::with_types(module, &module.types, features)
    }

    /// The context of `module` whose types are `types` (a copy of `module.types`, so that
    /// the module itself is not borrowed: the decoder builds the context before the code
    /// section and goes on filling the module).
    pub fn with_types(module: &Module, types: &'m [SubType], features: &Features) -> Context<'m> {
        let funcs = module.func_type_indices();
        let mut refs = vec![false; funcs.len()];
        collect_refs(module, &mut refs);
        let canonical = if module.canonical.len() == types.len() {
            module.canonical.clone()
        } else {
            crate::syntax::canon::canonicalize(types)
        };
        Context {
            types,
            canonical,
            funcs,
            tables: module.table_types(),
            mems: module.memory_types(),
            globals: module.global_types(),
            tags: module.tag_type_indices(),
            num_imported_globals: module.num_imported_globals(),
            elems: module.elems.iter().map(|e| e.ty).collect(),
            data_count: module.data_count,
            refs,
            features: *features,
        }
    }

    /// `C.types[x]`, or "unknown type".
    pub fn sub_type(&self, x: u32, offset: usize) -> Result<&'m SubType, ValidationError> {
        self.types.get(x as usize).ok_or_else(|| ValidationError::new(offset, format!("unknown type {x}")))
    }

    /// `C.types[x]`, which must be a function type: "unknown type", or "type mismatch"
    /// for a struct or array type.
    pub fn type_at(&self, x: u32, offset: usize) -> Result<&'m FuncType, ValidationError> {
        self.sub_type(x, offset)?.as_func().ok_or_else(|| ValidationError::new(offset, "type mismatch"))
    }

    /// The type of `ref.func x`: `(ref $t)` for function `x` of type `$t` with typed
    /// function references, else `funcref`.
    pub fn ref_func_type(&self, x: u32) -> ValType {
        match self.funcs.get(x as usize) {
            Some(t) if self.features.function_references => ValType::Ref(RefType::non_null(HeapType::Concrete(*t))),
            _ => ValType::FUNCREF,
        }
    }

    /// The fields of struct type `x`: "unknown type", or "type mismatch" if it is no
    /// struct type.
    pub fn struct_type(&self, x: u32, offset: usize) -> Result<&'m [crate::syntax::FieldType], ValidationError> {
        match &self.sub_type(x, offset)?.composite {
            crate::syntax::CompositeType::Struct(fields) => Ok(fields),
            _ => Err(ValidationError::new(offset, "type mismatch")),
        }
    }

    /// The element of array type `x`.
    pub fn array_type(&self, x: u32, offset: usize) -> Result<crate::syntax::FieldType, ValidationError> {
        match &self.sub_type(x, offset)?.composite {
            crate::syntax::CompositeType::Array(f) => Ok(*f),
            _ => Err(ValidationError::new(offset, "type mismatch")),
        }
    }

    /// The top of a heap type's hierarchy (`func`, `extern`, `any`, `exn`).
    pub fn top(&self, h: HeapType) -> HeapType {
        let r = self.resolve();
        h.top(|x| {
            use crate::syntax::subtype::Resolve;
            r.info(x).map_or(HeapType::Func, |i| i.ty.composite.kind_heap())
        })
    }

    /// How subtyping resolves this module's type indices.
    pub fn resolve(&self) -> ModuleTypes<'_> {
        ModuleTypes(&self.canonical)
    }

    /// `C ⊢ a ≤ b`.
    pub fn is_sub(&self, a: ValType, b: ValType) -> bool {
        a == b || subtype::val_sub(&self.resolve(), a, b)
    }

    /// `C ⊢ a ≤ b` for reference types.
    pub fn is_ref_sub(&self, a: RefType, b: RefType) -> bool {
        a == b || subtype::ref_sub(&self.resolve(), a, b)
    }

    /// Checks that a value type is well-formed (`C ⊢ t ok`): its proposal is on and a
    /// type index in it exists.
    pub fn check_val_type(&self, t: ValType, offset: usize) -> Result<(), ValidationError> {
        check_val_type(t, &self.features, offset)?;
        if let ValType::Ref(r) = t {
            self.check_ref_type(r, offset)?;
        }
        Ok(())
    }

    /// Checks that a reference type is well-formed: a type index in it exists.
    pub fn check_ref_type(&self, r: RefType, offset: usize) -> Result<(), ValidationError> {
        if let HeapType::Concrete(x) = r.heap {
            self.sub_type(x, offset)?;
        }
        Ok(())
    }

    /// The type of function `x`, or "unknown function".
    pub fn func_type(&self, x: u32, offset: usize) -> Result<&'m FuncType, ValidationError> {
        let t =
            self.funcs.get(x as usize).ok_or_else(|| ValidationError::new(offset, format!("unknown function {x}")))?;
        self.type_at(*t, offset)
    }

    /// `C.tables[x]`, or "unknown table".
    pub fn table(&self, x: u32, offset: usize) -> Result<TableType, ValidationError> {
        self.tables.get(x as usize).copied().ok_or_else(|| ValidationError::new(offset, format!("unknown table {x}")))
    }

    /// `C.mems[x]`, or "unknown memory".
    pub fn memory(&self, x: u32, offset: usize) -> Result<MemoryType, ValidationError> {
        self.mems.get(x as usize).copied().ok_or_else(|| ValidationError::new(offset, format!("unknown memory {x}")))
    }

    /// `C.globals[x]`, or "unknown global".
    pub fn global(&self, x: u32, offset: usize) -> Result<GlobalType, ValidationError> {
        self.globals.get(x as usize).copied().ok_or_else(|| ValidationError::new(offset, format!("unknown global {x}")))
    }

    /// The type of tag `x` (its parameters are the payload), or "unknown tag".
    pub fn tag_type(&self, x: u32, offset: usize) -> Result<&'m FuncType, ValidationError> {
        let t = self.tags.get(x as usize).ok_or_else(|| ValidationError::new(offset, format!("unknown tag {x}")))?;
        self.type_at(*t, offset)
    }

    /// `C.elems[x]`, or "unknown elem segment".
    pub fn elem(&self, x: u32, offset: usize) -> Result<RefType, ValidationError> {
        self.elems
            .get(x as usize)
            .copied()
            .ok_or_else(|| ValidationError::new(offset, format!("unknown elem segment {x}")))
    }

    /// Checks that data segment `x` exists in `C.datas` (which requires a data count section).
    pub fn data(&self, x: u32, offset: usize) -> Result<(), ValidationError> {
        match self.data_count {
            None => Err(ValidationError::new(offset, "data count section required")),
            Some(n) if x >= n => Err(ValidationError::new(offset, format!("unknown data segment {x}"))),
            Some(_) => Ok(()),
        }
    }
}

/// Marks every function index that occurs in the module outside function bodies and the
/// start section (spec §3.4.10: `C.refs = funcidx(module with funcs = ε, start = ε)`).
fn collect_refs(module: &Module, refs: &mut [bool]) {
    use crate::syntax::{DataMode, ElemMode, ExternKind, Instr};
    let mut mark = |instrs: &[Instr]| {
        for i in instrs {
            if let Instr::RefFunc(x) = i
                && let Some(r) = refs.get_mut(*x as usize)
            {
                *r = true;
            }
        }
    };
    for g in &module.globals {
        mark(&g.init.instrs);
    }
    for e in &module.elems {
        for item in &e.items {
            mark(&item.instrs);
        }
        if let ElemMode::Active { offset, .. } = &e.mode {
            mark(&offset.instrs);
        }
    }
    for d in &module.datas {
        if let DataMode::Active { offset, .. } = &d.mode {
            mark(&offset.instrs);
        }
    }
    for e in &module.exports {
        if e.kind == ExternKind::Func
            && let Some(r) = refs.get_mut(e.index as usize)
        {
            *r = true;
        }
    }
}

/// Rejects SIMD's `v128` when the SIMD proposal is switched off.
pub(crate) fn check_val_type(t: ValType, features: &Features, offset: usize) -> Result<(), ValidationError> {
    if t == ValType::V128 && !features.simd {
        return Err(ValidationError::new(offset, "SIMD is disabled (v128 value type)"));
    }
    if matches!(t, ValType::Ref(RefType { heap: HeapType::Exn | HeapType::NoExn, .. })) && !features.exceptions {
        return Err(ValidationError::new(offset, "exception handling is disabled (exnref value type)"));
    }
    Ok(())
}
