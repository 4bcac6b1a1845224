//! Decoding of the contents of each known section (spec §5.5.4 - §5.5.16): type, import,
//! function, table, memory, global, export, start, element, code, data and data count.
//!
//! Each function reads one section's payload from the current position and appends to the
//! [`Module`]; the caller (`mod.rs`) enforces section order and the declared size.

use super::code::{CodeInfo, read_body, read_expr};
use super::reader::{Reader, Result};
use super::types::{func_type, global_type, memory_type, rec_type, ref_type, table_type, tag_type};
use crate::config::Features;
use crate::syntax::{
    ConstExpr, DataMode, DataSegment, ElemMode, ElemSegment, Export, ExternKind, Global, Import, ImportDesc, Instr,
    Module, RefType, SubType,
};

/// A constant expression: instructions up to the final `end`, which is not kept
/// (spec §5.4.9 "Expressions"). Any instruction decodes; the validator decides which are
/// constant.
pub(crate) fn const_expr(r: &mut Reader<'_>, f: &Features) -> Result<ConstExpr> {
    let mut e = ConstExpr::default();
    // Instructions in constant expressions cannot use data indices in a valid module, and
    // the validator rejects them anyway, so this information is not needed.
    let mut info = CodeInfo::default();
    read_expr(r, f, &mut info, |instr, at| {
        e.instrs.push(instr.clone());
        e.offsets.push(at);
        true
    })?;
    e.instrs.pop();
    e.offsets.pop();
    Ok(e)
}

/// Type section (spec 3.0 §5.5.4): a vector of recursion groups (with GC; before it, of
/// function types, each a group of its own).
pub(crate) fn type_section(r: &mut Reader<'_>, f: &Features, m: &mut Module) -> Result<()> {
    let (n, cap) = r.count()?;
    m.types.reserve(cap);
    for _ in 0..n {
        if !f.gc {
            m.offsets.types.push(r.pos32());
            let index = m.types.len() as u32;
            m.types.push(SubType::func(func_type(r, f)?, index));
            continue;
        }
        rec_type(r, f, &mut m.types, &mut m.offsets.types)?;
    }
    Ok(())
}

/// Import section (spec §5.5.5).
pub(crate) fn import_section(r: &mut Reader<'_>, f: &Features, m: &mut Module) -> Result<()> {
    let (n, cap) = r.count()?;
    m.imports.reserve(cap);
    for _ in 0..n {
        let offset = r.pos32();
        let module = r.name()?;
        let name = r.name()?;
        let kind_at = r.pos();
        let desc = match r.u8()? {
            0x00 => ImportDesc::Func(r.u32()?),
            0x01 => ImportDesc::Table(table_type(r, f)?),
            0x02 => ImportDesc::Memory(memory_type(r, f)?),
            0x03 => ImportDesc::Global(global_type(r, f)?),
            0x04 if f.exceptions => ImportDesc::Tag(tag_type(r)?),
            _ => return Err(r.err(kind_at, "malformed import kind")),
        };
        m.imports.push(Import { module, name, desc, offset });
    }
    Ok(())
}

/// Function section (spec §5.5.6): the type index of each defined function.
pub(crate) fn function_section(r: &mut Reader<'_>, m: &mut Module) -> Result<()> {
    let (n, cap) = r.count()?;
    m.funcs.reserve(cap);
    for _ in 0..n {
        m.funcs.push(r.u32()?);
    }
    Ok(())
}

/// Table section (spec §5.5.7).
pub(crate) fn table_section(r: &mut Reader<'_>, f: &Features, m: &mut Module) -> Result<()> {
    let (n, cap) = r.count()?;
    m.tables.reserve(cap);
    for _ in 0..n {
        m.offsets.tables.push(r.pos32());
        // With typed function references, `0x40 0x00 tabletype expr` gives the table an
        // initial value for its elements.
        if f.function_references && r.peek() == Some(0x40) {
            r.u8()?;
            let at = r.pos();
            if r.u8()? != 0x00 {
                return Err(r.err(at, "malformed table"));
            }
            let ty = table_type(r, f)?;
            let init = const_expr(r, f)?;
            m.tables.push(ty);
            m.table_inits.push(Some(init));
            continue;
        }
        m.tables.push(table_type(r, f)?);
        m.table_inits.push(None);
    }
    Ok(())
}

/// Memory section (spec §5.5.8).
pub(crate) fn memory_section(r: &mut Reader<'_>, f: &Features, m: &mut Module) -> Result<()> {
    let (n, cap) = r.count()?;
    m.memories.reserve(cap);
    for _ in 0..n {
        m.offsets.memories.push(r.pos32());
        m.memories.push(memory_type(r, f)?);
    }
    Ok(())
}

/// Tag section (exception handling, id 13, between the memory and global sections): the
/// type of each defined tag.
pub(crate) fn tag_section(r: &mut Reader<'_>, m: &mut Module) -> Result<()> {
    let (n, cap) = r.count()?;
    m.tags.reserve(cap);
    for _ in 0..n {
        m.offsets.tags.push(r.pos32());
        m.tags.push(tag_type(r)?);
    }
    Ok(())
}

/// Global section (spec §5.5.9).
pub(crate) fn global_section(r: &mut Reader<'_>, f: &Features, m: &mut Module) -> Result<()> {
    let (n, cap) = r.count()?;
    m.globals.reserve(cap);
    for _ in 0..n {
        let ty = global_type(r, f)?;
        let init = const_expr(r, f)?;
        m.globals.push(Global { ty, init });
    }
    Ok(())
}

/// Export section (spec §5.5.10).
pub(crate) fn export_section(r: &mut Reader<'_>, f: &Features, m: &mut Module) -> Result<()> {
    let (n, cap) = r.count()?;
    m.exports.reserve(cap);
    for _ in 0..n {
        let offset = r.pos32();
        let name = r.name()?;
        let kind_at = r.pos();
        let kind = match r.u8()? {
            0x00 => ExternKind::Func,
            0x01 => ExternKind::Table,
            0x02 => ExternKind::Memory,
            0x03 => ExternKind::Global,
            0x04 if f.exceptions => ExternKind::Tag,
            _ => return Err(r.err(kind_at, "malformed export kind")),
        };
        let index = r.u32()?;
        m.exports.push(Export { name, kind, index, offset });
    }
    Ok(())
}

/// Start section (spec §5.5.11).
pub(crate) fn start_section(r: &mut Reader<'_>, m: &mut Module) -> Result<()> {
    m.offsets.start = Some(r.pos32());
    m.start = Some(r.u32()?);
    Ok(())
}

/// Element section (spec §5.5.12). The flags field selects one of eight encodings:
/// bit 0 = passive or declarative (else active), bit 1 = explicit table index (active) or
/// declarative (otherwise), bit 2 = items are expressions (else function indices).
pub(crate) fn elem_section(r: &mut Reader<'_>, f: &Features, m: &mut Module) -> Result<()> {
    let (n, cap) = r.count()?;
    m.elems.reserve(cap);
    for _ in 0..n {
        let offset = r.pos32();
        let flags_at = r.pos();
        let flags = r.u32()?;
        // Passive and declarative segments (odd flags) came with bulk memory and reference
        // types. The other encodings are merely alternative spellings of active segments,
        // which text-to-binary tools emit even for 1.0 modules, so they are not gated.
        if flags > 7 || (flags & 1 != 0 && !(f.bulk_memory || f.reference_types)) {
            return Err(r.err(flags_at, "malformed elements segment kind"));
        }
        let mode = match flags {
            0 | 4 => ElemMode::Active { table: 0, offset: const_expr(r, f)? },
            2 | 6 => {
                let table = r.u32()?;
                ElemMode::Active { table, offset: const_expr(r, f)? }
            }
            1 | 5 => ElemMode::Passive,
            _ => ElemMode::Declarative,
        };
        let uses_exprs = flags & 4 != 0;
        // Encodings 0 and 4 imply funcref; the others state the type (an element kind
        // byte for index vectors, a reference type for expression vectors).
        // With typed function references, a vector of function indices has the type
        // `(ref func)`: none of its items is null.
        let func_indices =
            if f.function_references { RefType::non_null(crate::syntax::HeapType::Func) } else { RefType::FUNCREF };
        let ty = match flags {
            0 => func_indices,
            4 => RefType::FUNCREF,
            _ if uses_exprs => ref_type(r, f)?,
            _ => {
                let at = r.pos();
                if r.u8()? != 0x00 {
                    return Err(r.err(at, "malformed element kind"));
                }
                func_indices
            }
        };
        let (count, cap) = r.count()?;
        let mut items = Vec::with_capacity(cap);
        for _ in 0..count {
            if uses_exprs {
                items.push(const_expr(r, f)?);
            } else {
                // A function index becomes `ref.func i`, so consumers see a single form.
                let at = r.pos32();
                let index = r.u32()?;
                items.push(ConstExpr { instrs: vec![Instr::RefFunc(index)], offsets: vec![at] });
            }
        }
        m.elems.push(ElemSegment { ty, items, mode, offset });
    }
    Ok(())
}

/// Data count section (spec §5.5.16).
pub(crate) fn data_count_section(r: &mut Reader<'_>, m: &mut Module) -> Result<()> {
    m.data_count = Some(r.u32()?);
    Ok(())
}

/// Code section (spec §5.5.13): one sized body per defined function.
pub(crate) fn code_section(
    r: &mut Reader<'_>,
    f: &Features,
    m: &mut Module,
    info: &mut CodeInfo,
    bytes: &std::sync::Arc<[u8]>,
    mut check: Option<&mut crate::valid::BodyCheck<'_, '_>>,
) -> Result<()> {
    m.code_section_payload_offset = Some(r.pos32());
    let (n, cap) = r.count()?;
    m.code.reserve(cap);
    for i in 0..n as usize {
        let type_index = m.funcs.get(i).copied();
        m.code.push(read_body(r, f, info, bytes, check.as_deref_mut().map(|c| (c, type_index)))?);
    }
    Ok(())
}

/// Data section (spec §5.5.14). Flags: 0 = active in memory 0, 1 = passive, 2 = active with
/// an explicit memory index.
pub(crate) fn data_section(r: &mut Reader<'_>, f: &Features, m: &mut Module) -> Result<()> {
    let (n, cap) = r.count()?;
    m.datas.reserve(cap);
    for _ in 0..n {
        let offset = r.pos32();
        let flags_at = r.pos();
        let flags = r.u32()?;
        let mode = match flags {
            0 => DataMode::Active { memory: 0, offset: const_expr(r, f)? },
            1 if f.bulk_memory => DataMode::Passive,
            2 if f.bulk_memory => {
                let memory = r.u32()?;
                DataMode::Active { memory, offset: const_expr(r, f)? }
            }
            _ => return Err(r.err(flags_at, "malformed data segment kind")),
        };
        let len = r.len32()?;
        let bytes = r.bytes(len)?.to_vec();
        m.datas.push(DataSegment { mode, bytes, offset });
    }
    Ok(())
}
