//! Decoding of types (spec §5.3 "Types"): value, reference, function, block, table,
//! memory and global types, and limits.
//!
//! Type constructors are single-byte negative `s7` numbers (0x7F = i32, ...). They are read
//! as LEB128 like the reference interpreter does, so a byte with the continuation bit set is
//! "integer representation too long" rather than an unknown type.

use super::reader::{Reader, Result};
use crate::config::Features;
use crate::syntax::{
    AddrType, BlockType, FuncType, GlobalType, Limits, MemoryType, Mutability, RefType, TableType, ValType,
};

/// A value type (spec §5.3.4). `v128` is always decoded, so that the validator can reject
/// SIMD with a clear message; reference types as value types need the proposal.
pub(crate) fn val_type(r: &mut Reader<'_>, f: &Features) -> Result<ValType> {
    let at = r.pos();
    Ok(match r.leb_s(7)? {
        -0x01 => ValType::I32,
        -0x02 => ValType::I64,
        -0x03 => ValType::F32,
        -0x04 => ValType::F64,
        -0x05 => ValType::V128,
        -0x10 if f.reference_types => ValType::FuncRef,
        -0x11 if f.reference_types => ValType::ExternRef,
        -0x17 if f.exceptions => ValType::ExnRef,
        _ => return Err(r.err(at, "malformed value type")),
    })
}

/// A reference type (spec §5.3.3). `funcref` is MVP (table types); `externref` needs the
/// reference types proposal.
pub(crate) fn ref_type(r: &mut Reader<'_>, f: &Features) -> Result<RefType> {
    let at = r.pos();
    Ok(match r.leb_s(7)? {
        -0x10 => RefType::FuncRef,
        -0x11 if f.reference_types => RefType::ExternRef,
        -0x17 if f.exceptions => RefType::ExnRef,
        _ => return Err(r.err(at, "malformed reference type")),
    })
}

/// A function type: 0x60, parameters, results (spec §5.3.6).
pub(crate) fn func_type(r: &mut Reader<'_>, f: &Features) -> Result<FuncType> {
    let at = r.pos();
    if r.leb_s(7)? != -0x20 {
        return Err(r.err(at, "malformed function type"));
    }
    let params = val_types(r, f)?;
    let results = val_types(r, f)?;
    Ok(FuncType::new(params, results))
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
    let at = r.pos();
    let mutability = match r.u8()? {
        0 => Mutability::Const,
        1 => Mutability::Var,
        _ => return Err(r.err(at, "malformed mutability")),
    };
    Ok(GlobalType { content, mutability })
}
