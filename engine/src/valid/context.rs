//! The validation context `C` (spec §3.1.1 "Contexts"): the types of everything a module
//! defines or imports, as seen by the rules for instructions and segments.

use crate::config::Features;
use crate::error::ValidationError;
use crate::syntax::{FuncType, GlobalType, MemoryType, Module, RefType, TableType, ValType};

/// The spec's context `C`, built once per module (indices: imports first).
pub(crate) struct Context<'m> {
    /// `C.types`.
    pub types: &'m [FuncType],
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
    pub fn with_types(module: &Module, types: &'m [FuncType], features: &Features) -> Context<'m> {
        let funcs = module.func_type_indices();
        let mut refs = vec![false; funcs.len()];
        collect_refs(module, &mut refs);
        Context {
            types,
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
    pub fn type_at(&self, x: u32, offset: usize) -> Result<&'m FuncType, ValidationError> {
        self.types.get(x as usize).ok_or_else(|| ValidationError::new(offset, format!("unknown type {x}")))
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
    if t == ValType::ExnRef && !features.exceptions {
        return Err(ValidationError::new(offset, "exception handling is disabled (exnref value type)"));
    }
    Ok(())
}
