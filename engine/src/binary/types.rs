//! Decoding of types (spec §5.3 "Types"): value, reference, function, block, table,
//! memory and global types, and limits.
//!
//! Type constructors are single-byte negative `s7` numbers (0x7F = i32, ...). They are read
//! as LEB128 like the reference interpreter does, so a byte with the continuation bit set is
//! "integer representation too long" rather than an unknown type.

use super::reader::{Reader, Result};
use crate::config::Features;
use crate::syntax::{BlockType, FuncType, GlobalType, Limits, MemoryType, Mutability, RefType, TableType, ValType};

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
/// representation too long", as the testsuite expects.
pub(crate) fn limits(r: &mut Reader<'_>) -> Result<Limits> {
    let has_max = r.leb_u(1)? == 1;
    let min = u64::from(r.u32()?);
    let max = if has_max { Some(u64::from(r.u32()?)) } else { None };
    Ok(Limits { min, max })
}

/// A table type: element type, then limits (spec §5.3.9).
pub(crate) fn table_type(r: &mut Reader<'_>, f: &Features) -> Result<TableType> {
    let elem = ref_type(r, f)?;
    let limits = limits(r)?;
    Ok(TableType { elem, limits })
}

/// A memory type: limits in pages (spec §5.3.8).
pub(crate) fn memory_type(r: &mut Reader<'_>) -> Result<MemoryType> {
    Ok(MemoryType { limits: limits(r)? })
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
