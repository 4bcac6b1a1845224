//! Decoding of types (spec §5.3 "Types"): value, reference, function, block, table,
//! memory and global types, and limits.
//!
//! Type constructors are single-byte negative `s7` numbers (0x7F = i32, ...). They are read
//! as LEB128 like the reference interpreter does, so a byte with the continuation bit set is
//! "integer representation too long" rather than an unknown type.

use super::reader::{Reader, Result};
use crate::config::Features;
use crate::syntax::{
    AddrType, BlockType, CompositeType, FieldType, FuncType, GlobalType, HeapType, Limits, MemoryType, Mutability,
    RefType, StorageType, SubType, TableType, ValType,
};

/// A value type (spec 3.0 §5.3.4). `v128` is always decoded, so that the validator can
/// reject SIMD with a clear message; reference types need their proposals.
pub(crate) fn val_type(r: &mut Reader<'_>, f: &Features) -> Result<ValType> {
    let at = r.pos();
    Ok(match r.peek() {
        Some(0x7F) => simple(r, ValType::I32),
        Some(0x7E) => simple(r, ValType::I64),
        Some(0x7D) => simple(r, ValType::F32),
        Some(0x7C) => simple(r, ValType::F64),
        Some(0x7B) => simple(r, ValType::V128),
        _ => match ref_type(r, f) {
            Ok(t) => ValType::Ref(t),
            // A reference type's own errors stand; an unknown first byte is a value type's.
            Err(e) if e.offset == at && e.message == "malformed reference type" => {
                return Err(r.err(at, "malformed value type"));
            }
            Err(e) => return Err(e),
        },
    })
}

/// Consumes the one byte already peeked and returns `t`.
fn simple(r: &mut Reader<'_>, t: ValType) -> ValType {
    // The byte was peeked, so reading it cannot fail.
    let _ = r.u8();
    t
}

/// A reference type (spec 3.0 §5.3.3): `0x64 ht` (`ref ht`), `0x63 ht` (`ref null ht`)
/// with typed function references, or an abstract heap type's byte for its nullable
/// form. `funcref` is MVP (table types); the rest need their proposals.
pub(crate) fn ref_type(r: &mut Reader<'_>, f: &Features) -> Result<RefType> {
    let at = r.pos();
    let code = r.leb_s(7)?;
    match code {
        -0x1C | -0x1D if f.function_references => {
            let heap = heap_type(r, f)?;
            Ok(RefType { nullable: code == -0x1D, heap })
        }
        _ => match abstract_heap(code, f) {
            Some(heap) if heap == HeapType::Func || f.reference_types => Ok(RefType::null(heap)),
            _ => Err(r.err(at, "malformed reference type")),
        },
    }
}

/// The abstract heap type of a (negative) type constructor code, if it is one and its
/// proposal is on.
fn abstract_heap(code: i64, f: &Features) -> Option<HeapType> {
    Some(match code {
        -0x10 => HeapType::Func,
        -0x11 => HeapType::Extern,
        -0x17 if f.exceptions => HeapType::Exn,
        -0x0C if f.exceptions && f.gc => HeapType::NoExn,
        -0x12 if f.gc => HeapType::Any,
        -0x13 if f.gc => HeapType::Eq,
        -0x14 if f.gc => HeapType::I31,
        -0x15 if f.gc => HeapType::Struct,
        -0x16 if f.gc => HeapType::Array,
        -0x0D if f.gc => HeapType::NoFunc,
        -0x0E if f.gc => HeapType::NoExtern,
        -0x0F if f.gc => HeapType::None,
        _ => return None,
    })
}

/// A heap type (spec 3.0 §5.3.3): an `s33`, negative for the abstract types, else a type
/// index.
pub(crate) fn heap_type(r: &mut Reader<'_>, f: &Features) -> Result<HeapType> {
    let at = r.pos();
    let x = r.s33()?;
    if x >= 0 {
        if !f.function_references {
            return Err(r.err(at, "malformed heap type"));
        }
        // A non-negative s33 has at most 32 bits.
        return Ok(HeapType::Concrete(x as u32));
    }
    abstract_heap(x, f).ok_or_else(|| r.err(at, "malformed heap type"))
}

/// A function type: 0x60, parameters, results (spec §5.3.6).
pub(crate) fn func_type(r: &mut Reader<'_>, f: &Features) -> Result<FuncType> {
    let at = r.pos();
    if r.leb_s(7)? != -0x20 {
        return Err(r.err(at, "malformed function type"));
    }
    func_type_body(r, f)
}

/// The parameters and results of a function type, after its 0x60.
fn func_type_body(r: &mut Reader<'_>, f: &Features) -> Result<FuncType> {
    let params = val_types(r, f)?;
    let results = val_types(r, f)?;
    Ok(FuncType::new(params, results))
}

/// A composite type (spec 3.0 §5.3.6): `0x60` function, `0x5F` struct, `0x5E` array.
fn composite_type(r: &mut Reader<'_>, f: &Features) -> Result<CompositeType> {
    let at = r.pos();
    match r.leb_s(7)? {
        -0x20 => Ok(CompositeType::Func(func_type_body(r, f)?)),
        -0x21 if f.gc => {
            let (n, cap) = r.count()?;
            let mut fields = Vec::with_capacity(cap);
            for _ in 0..n {
                fields.push(field_type(r, f)?);
            }
            Ok(CompositeType::Struct(fields.into()))
        }
        -0x22 if f.gc => Ok(CompositeType::Array(field_type(r, f)?)),
        _ => Err(r.err(at, if f.gc { "malformed composite type" } else { "malformed function type" })),
    }
}

/// A field type: a storage type (a value type, or `0x78` i8 / `0x77` i16), then
/// mutability.
fn field_type(r: &mut Reader<'_>, f: &Features) -> Result<FieldType> {
    let storage = match r.peek() {
        Some(0x78) => {
            r.u8()?;
            StorageType::I8
        }
        Some(0x77) => {
            r.u8()?;
            StorageType::I16
        }
        _ => StorageType::Val(val_type(r, f)?),
    };
    Ok(FieldType { storage, mutability: mutability(r)? })
}

/// One entry of the type section (spec 3.0 §5.3.8): a recursion group `0x4E` of
/// subtypes, or a subtype standing alone. Its types are appended to `out` (the group's
/// first index is `out.len()` on entry); `offsets` gets each type's offset.
pub(crate) fn rec_type(r: &mut Reader<'_>, f: &Features, out: &mut Vec<SubType>, offsets: &mut Vec<u32>) -> Result<()> {
    let start = out.len() as u32;
    if f.gc && r.peek() == Some(0x4E) {
        r.u8()?;
        let (n, cap) = r.count()?;
        out.reserve(cap);
        for _ in 0..n {
            offsets.push(r.pos32());
            let t = sub_type(r, f, (start, n))?;
            out.push(t);
        }
        return Ok(());
    }
    offsets.push(r.pos32());
    let t = sub_type(r, f, (start, 1))?;
    out.push(t);
    Ok(())
}

/// A subtype: `0x50 x* ct` (open), `0x4F x* ct` (final), or a composite type alone
/// (final, without supertypes).
fn sub_type(r: &mut Reader<'_>, f: &Features, rec_group: (u32, u32)) -> Result<SubType> {
    let (is_final, supertypes) = match r.peek() {
        Some(b @ (0x50 | 0x4F)) if f.gc => {
            r.u8()?;
            let at = r.pos();
            let (n, _) = r.count()?;
            let mut supers = Vec::new();
            for _ in 0..n {
                supers.push(r.u32()?);
            }
            if supers.len() > 1 {
                return Err(r.err(at, "multiple supertypes"));
            }
            (b == 0x4F, supers.first().copied())
        }
        _ => (true, None),
    };
    let composite = composite_type(r, f)?;
    Ok(SubType { is_final, supertype: supertypes, composite, rec_group })
}

/// A vector of value types.
fn val_types(r: &mut Reader<'_>, f: &Features) -> Result<Vec<ValType>> {
    let (n, cap) = r.count()?;
    let mut v = Vec::with_capacity(cap);
    for _ in 0..n {
        v.push(val_type(r, f)?);
    }
    Ok(v)
}

/// A block type (spec §5.4.1): 0x40 for none, a value type, or a non-negative `s33` type
/// index. The first byte tells them apart: value types are single bytes 0x40..=0x7F.
pub(crate) fn block_type(r: &mut Reader<'_>, f: &Features) -> Result<BlockType> {
    match r.peek() {
        Some(0x40) => {
            r.u8()?;
            Ok(BlockType::Empty)
        }
        Some(b) if b & 0xC0 == 0x40 => Ok(BlockType::Value(val_type(r, f)?)),
        _ => {
            let at = r.pos();
            let x = r.s33()?;
            // Type indices are only part of the block type grammar with multi-value; before
            // it, anything but 0x40 had to be a value type.
            if !f.multi_value {
                return Err(r.err(at, "malformed value type"));
            }
            if x < 0 {
                return Err(r.err(at, "malformed block type"));
            }
            // An s33 that is not negative has at most 32 bits.
            Ok(BlockType::Func(x as u32))
        }
    }
}

/// Limits (spec §5.3.7): a 1-bit flag, the minimum and an optional maximum. The flag is
/// read as a 1-bit LEB128, so 0x02 is "integer too large" and 0x81 0x00 is "integer
/// representation too long", as the 2.0 testsuite expects.
pub(crate) fn limits(r: &mut Reader<'_>) -> Result<Limits> {
    let has_max = r.leb_u(1)? == 1;
    let min = u64::from(r.u32()?);
    let max = if has_max { Some(u64::from(r.u32()?)) } else { None };
    Ok(Limits { min, max })
}

/// What the flags byte of a 3.0 table or memory type said (spec 3.0 §5.3.7): bit 0 a
/// maximum, bit 2 the `i64` address type, bit 3 (memories only) a custom page size.
struct LimitFlags {
    has_max: bool,
    addr: AddrType,
    custom_page: bool,
}

/// The flags byte of a table (`memory` false) or memory type, when memory64 or custom
/// page sizes are on: any bit the enabled proposals do not define is "malformed limits
/// flags" (bit 1, shared memories, belongs to threads).
fn limit_flags(r: &mut Reader<'_>, f: &Features, memory: bool) -> Result<LimitFlags> {
    let at = r.pos();
    let flags = r.u8()?;
    let mut allowed = 0x01;
    if f.memory64 {
        allowed |= 0x04;
    }
    if memory && f.custom_page_sizes {
        allowed |= 0x08;
    }
    if flags & !allowed != 0 {
        return Err(r.err(at, "malformed limits flags"));
    }
    let addr = if flags & 0x04 != 0 { AddrType::I64 } else { AddrType::I32 };
    Ok(LimitFlags { has_max: flags & 0x01 != 0, addr, custom_page: flags & 0x08 != 0 })
}

/// The minimum and maximum after 3.0 limit flags: `u64`s whatever the address type (the
/// validator bounds them by the type).
fn limit_bounds(r: &mut Reader<'_>, flags: &LimitFlags) -> Result<Limits> {
    let min = r.leb_u(64)?;
    let max = if flags.has_max { Some(r.leb_u(64)?) } else { None };
    Ok(Limits { min, max })
}

/// Whether table and memory types use the 3.0 flags byte.
fn three_oh_limits(f: &Features) -> bool {
    f.memory64 || f.custom_page_sizes
}

/// A table type: element type, then limits (spec §5.3.9).
pub(crate) fn table_type(r: &mut Reader<'_>, f: &Features) -> Result<TableType> {
    let elem = ref_type(r, f)?;
    if !three_oh_limits(f) {
        return Ok(TableType::new(elem, limits(r)?));
    }
    let flags = limit_flags(r, f, false)?;
    let limits = limit_bounds(r, &flags)?;
    Ok(TableType { elem, limits, addr: flags.addr })
}

/// A memory type: limits in pages (spec §5.3.8), and with custom page sizes the log2 of
/// the page size (a `u32`; which sizes are allowed is for the validator).
pub(crate) fn memory_type(r: &mut Reader<'_>, f: &Features) -> Result<MemoryType> {
    if !three_oh_limits(f) {
        return Ok(MemoryType::new(limits(r)?));
    }
    let flags = limit_flags(r, f, true)?;
    let limits = limit_bounds(r, &flags)?;
    let page_size_log2 = if flags.custom_page {
        let at = r.pos();
        let log2 = r.u32()?;
        // Anything from 64 up is no page size at all; below, the validator decides.
        u8::try_from(log2).ok().filter(|l| *l < 64).ok_or_else(|| r.err(at, "invalid custom page size"))?
    } else {
        16
    };
    Ok(MemoryType { limits, addr: flags.addr, page_size_log2 })
}

/// A tag type (exception handling): an attribute byte, 0 (an exception), then the index
/// of its function type.
pub(crate) fn tag_type(r: &mut Reader<'_>) -> Result<u32> {
    let at = r.pos();
    if r.u8()? != 0x00 {
        return Err(r.err(at, "malformed tag attribute"));
    }
    r.u32()
}

/// A global type: value type, then mutability 0x00/0x01 (spec §5.3.10).
pub(crate) fn global_type(r: &mut Reader<'_>, f: &Features) -> Result<GlobalType> {
    let content = val_type(r, f)?;
    Ok(GlobalType { content, mutability: mutability(r)? })
}

/// Mutability: 0x00 const, 0x01 var.
fn mutability(r: &mut Reader<'_>) -> Result<Mutability> {
    let at = r.pos();
    match r.u8()? {
        0 => Ok(Mutability::Const),
        1 => Ok(Mutability::Var),
        _ => Err(r.err(at, "malformed mutability")),
    }
}
