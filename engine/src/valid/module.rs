//! Module-level rules (spec §3.2 "Types" and §3.4 "Modules"): types, imports, tables,
//! memories, globals, element and data segments, start function and exports.

use std::collections::HashSet;

use super::const_expr::check_const_expr;
use super::context::Context;
use super::func::check_func;
use crate::config::Features;
use crate::error::ValidationError;
use crate::syntax::{
    AddrType, CompositeType, DataMode, ElemMode, ExternKind, GlobalType, ImportDesc, Limits, MemoryType, Module,
    Mutability, StorageType, TableType, ValType,
};

/// Largest table size: 2^32 - 1 elements.
const MAX_TABLE_SIZE: u64 = u32::MAX as u64;

/// `⊢ limits : k` (spec §3.2.1): within `range`, and `min <= max`.
fn check_limits(l: &Limits, range: u64, range_message: &str, offset: usize) -> Result<(), ValidationError> {
    if l.min > range || l.max.is_some_and(|m| m > range) {
        return Err(ValidationError::new(offset, range_message));
    }
    if l.max.is_some_and(|m| l.min > m) {
        return Err(ValidationError::new(offset, "size minimum must not be greater than maximum"));
    }
    Ok(())
}

/// `⊢ tabletype ok` (spec §3.2.4): at most 2^32 - 1 elements, or 2^64 - 1 for table64.
fn check_table_type(t: &TableType, offset: usize) -> Result<(), ValidationError> {
    match t.addr {
        AddrType::I32 => check_limits(&t.limits, MAX_TABLE_SIZE, "table size must be at most 2^32-1", offset),
        AddrType::I64 => check_limits(&t.limits, u64::MAX, "table size must be at most 2^64-1", offset),
    }
}

/// `⊢ memtype ok` (spec §3.2.5): the page size is 1 or 64 KiB (custom page sizes), and
/// the limits are within what the address type can reach in such pages.
fn check_memory_type(m: &MemoryType, offset: usize) -> Result<(), ValidationError> {
    if m.page_size_log2 != 0 && m.page_size_log2 != 16 {
        return Err(ValidationError::new(offset, "invalid custom page size"));
    }
    let message = match (m.addr, m.page_size_log2) {
        (AddrType::I32, 16) => "memory size must be at most 65536 pages (4GiB)",
        (AddrType::I32, _) => "memory size must be at most 4294967295 pages (4GiB - 1)",
        (AddrType::I64, 16) => "memory size must be at most 2^48 pages (2^64 bytes)",
        (AddrType::I64, _) => "memory size must be at most 2^64 - 1 pages",
    };
    check_limits(&m.limits, m.max_pages(), message, offset)
}

/// `⊢ globaltype ok` (spec §3.2.6).
fn check_global_type(c: &Context<'_>, g: &GlobalType, offset: usize) -> Result<(), ValidationError> {
    c.check_val_type(g.content, offset)
}

/// `C ⊢ comptype ok` (spec 3.0 §3.2.6): every value type in it is well-formed; before
/// multi-value, a function has at most one result.
fn check_composite(c: &Context<'_>, ct: &CompositeType, visible: u32, at: usize) -> Result<(), ValidationError> {
    let check = |t: ValType| {
        if let ValType::Ref(crate::syntax::RefType { heap: crate::syntax::HeapType::Concrete(x), .. }) = t
            && x >= visible
        {
            return Err(ValidationError::new(at, format!("unknown type {x}")));
        }
        c.check_val_type(t, at)
    };
    let field = |f: &crate::syntax::FieldType| match f.storage {
        StorageType::Val(t) => check(t),
        _ => Ok(()),
    };
    match ct {
        CompositeType::Func(ft) => {
            for t in ft.params.iter().chain(ft.results.iter()) {
                check(*t)?;
            }
            if !c.features.multi_value && ft.results.len() > 1 {
                return Err(ValidationError::new(at, "invalid result arity"));
            }
        }
        CompositeType::Struct(fields) => fields.iter().try_for_each(field)?,
        CompositeType::Array(f) => field(f)?,
    }
    Ok(())
}

/// Validates a whole module (spec §3.4.10), in the order of the reference interpreter.
/// With `bodies`, the function bodies were checked already (with that outcome).
pub(crate) fn check_module(
    m: &Module,
    features: &Features,
    bodies: Option<Result<(), ValidationError>>,
) -> Result<(), ValidationError> {
    let c = Context::new(m, features);

    // Types (spec 3.0 §3.2.3 - §3.2.8): well-formed, and each declared supertype an
    // earlier type that is not final, of the same kind, with a matching composite type.
    for (i, st) in m.types.iter().enumerate() {
        let at = entry_offset(&m.offsets.types, i);
        // A type may refer to the types of its own recursion group and earlier ones.
        let visible = st.rec_group.0.saturating_add(st.rec_group.1);
        check_composite(&c, &st.composite, visible, at)?;
        if let Some(sup) = st.supertype {
            if sup as usize >= i {
                return Err(ValidationError::new(at, format!("unknown type {sup}")));
            }
            let parent = c.sub_type(sup, at)?;
            let r = c.resolve();
            if parent.is_final || !crate::syntax::subtype::composite_sub(&r, &st.composite, &parent.composite) {
                return Err(ValidationError::new(at, "sub type"));
            }
        }
    }

    // Imports (spec §3.4.9).
    for imp in &m.imports {
        let at = imp.offset as usize;
        match &imp.desc {
            ImportDesc::Func(t) => {
                c.type_at(*t, at)?;
            }
            ImportDesc::Table(t) => {
                c.check_ref_type(t.elem, at)?;
                check_table_type(t, at)?;
            }
            ImportDesc::Memory(mt) => check_memory_type(mt, at)?,
            ImportDesc::Global(g) => {
                check_global_type(&c, g, at)?;
                if g.mutability == Mutability::Var && !features.mutable_global {
                    return Err(ValidationError::new(at, "mutable globals cannot be imported"));
                }
            }
            ImportDesc::Tag(t) => check_tag_type(&c, *t, at)?,
        }
    }

    // Function declarations: each type index exists.
    if m.funcs.len() != m.code.len() {
        return Err(ValidationError::new(
            m.code_section_payload_offset.unwrap_or(0) as usize,
            "function and code section have inconsistent lengths",
        ));
    }
    for (t, body) in m.funcs.iter().zip(&m.code) {
        c.type_at(*t, body.range.start as usize)?;
    }

    // Tables and memories (spec §3.4.4, §3.4.5).
    for (i, t) in m.tables.iter().enumerate() {
        let at = entry_offset(&m.offsets.tables, i);
        c.check_ref_type(t.elem, at)?;
        check_table_type(t, at)?;
        // A table of non-nullable references needs an initial value (typed function
        // references), which is a constant of its element type.
        match m.table_inits.get(i).and_then(Option::as_ref) {
            Some(init) => check_const_expr(&c, init, ValType::Ref(t.elem), at as u32, c.num_imported_globals)?,
            None if !t.elem.nullable => return Err(ValidationError::new(at, "type mismatch")),
            None => {}
        }
    }
    if c.tables.len() > 1 && !features.reference_types {
        let at = second_offset(m, ExternKind::Table, &m.offsets.tables);
        return Err(ValidationError::new(at, "multiple tables"));
    }
    for (i, mt) in m.memories.iter().enumerate() {
        check_memory_type(mt, entry_offset(&m.offsets.memories, i))?;
    }
    if c.mems.len() > 1 && !features.multi_memory {
        let at = second_offset(m, ExternKind::Memory, &m.offsets.memories);
        return Err(ValidationError::new(at, "multiple memories"));
    }

    // Tags (exception handling): function types without results.
    for (i, t) in m.tags.iter().enumerate() {
        check_tag_type(&c, *t, entry_offset(&m.offsets.tags, i))?;
    }

    // Globals (spec §3.4.6): the initializer is a constant of the global's type.
    let all_globals = c.num_imported_globals + m.globals.len() as u32;
    let segment_globals = if features.extended_const { all_globals } else { c.num_imported_globals };
    for (i, g) in m.globals.iter().enumerate() {
        let at = g.init.offsets.first().copied().unwrap_or(0);
        check_global_type(&c, &g.ty, at as usize)?;
        let visible = if features.extended_const { c.num_imported_globals + i as u32 } else { c.num_imported_globals };
        check_const_expr(&c, &g.init, g.ty.content, at, visible)?;
    }

    // Element segments (spec §3.4.7).
    for e in &m.elems {
        let at = e.offset as usize;
        c.check_ref_type(e.ty, at)?;
        for item in &e.items {
            check_const_expr(&c, item, ValType::from(e.ty), e.offset, segment_globals)?;
        }
        if let ElemMode::Active { table, offset } = &e.mode {
            let t = c.table(*table, at)?;
            if !c.is_ref_sub(e.ty, t.elem) {
                return Err(ValidationError::new(at, "type mismatch"));
            }
            check_const_expr(&c, offset, t.addr.val_type(), e.offset, segment_globals)?;
        }
    }

    // Data segments (spec §3.4.8).
    if let Some(n) = m.data_count
        && n as usize != m.datas.len()
    {
        let at = m.datas.first().map_or(0, |d| d.offset) as usize;
        return Err(ValidationError::new(at, "data count and data section have inconsistent lengths"));
    }
    for d in &m.datas {
        if let DataMode::Active { memory, offset } = &d.mode {
            let mt = c.memory(*memory, d.offset as usize)?;
            check_const_expr(&c, offset, mt.addr.val_type(), d.offset, segment_globals)?;
        }
    }

    // Function bodies (spec §3.4.1).
    match bodies {
        Some(checked) => checked?,
        None => {
            for (t, body) in m.funcs.iter().zip(&m.code) {
                check_func(&c, *t, body)?;
            }
        }
    }

    // Start function (spec §3.4.10): type [] -> [].
    if let Some(x) = m.start {
        let at = start_offset(m);
        let ft = c.func_type(x, at)?;
        if !ft.params.is_empty() || !ft.results.is_empty() {
            return Err(ValidationError::new(at, "start function"));
        }
    }

    // Exports (spec §3.4.11): indices exist, names are unique.
    let mut names: HashSet<&str> = HashSet::with_capacity(m.exports.len());
    for e in &m.exports {
        let at = e.offset as usize;
        match e.kind {
            ExternKind::Func => {
                c.func_type(e.index, at)?;
            }
            ExternKind::Table => {
                c.table(e.index, at)?;
            }
            ExternKind::Memory => {
                c.memory(e.index, at)?;
            }
            ExternKind::Tag => {
                c.tag_type(e.index, at)?;
            }
            ExternKind::Global => {
                let g = c.global(e.index, at)?;
                if g.mutability == Mutability::Var && !features.mutable_global {
                    return Err(ValidationError::new(at, "mutable globals cannot be exported"));
                }
            }
        }
        if !names.insert(e.name.as_str()) {
            return Err(ValidationError::new(at, "duplicate export name"));
        }
    }
    Ok(())
}

/// A tag's type: type index `t` exists and has no results (exception handling).
fn check_tag_type(c: &Context<'_>, t: u32, at: usize) -> Result<(), ValidationError> {
    if !c.type_at(t, at)?.results.is_empty() {
        return Err(ValidationError::new(at, "non-empty tag result type"));
    }
    Ok(())
}

/// Offset of the second table or memory if it is imported (defined ones have no offset).
/// Where the second table or memory (imports first, then `defined`' offsets) begins.
fn second_offset(m: &Module, kind: ExternKind, defined: &[u32]) -> usize {
    let imported = m.imports.iter().filter(|i| i.desc.kind() == kind).map(|i| i.offset);
    imported.chain(defined.iter().copied()).nth(1).unwrap_or(0) as usize
}

/// The offset of entry `i`, or 0 for a hand-built module that has none.
fn entry_offset(offsets: &[u32], i: usize) -> usize {
    offsets.get(i).copied().unwrap_or(0) as usize
}

/// Where the start section's function index begins (0 for a hand-built module).
fn start_offset(m: &Module) -> usize {
    m.offsets.start.unwrap_or(0) as usize
}
