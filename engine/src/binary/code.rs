//! Decoding of instructions, expressions and function bodies (spec §5.4 "Instructions",
//! §5.5.13 "Code Section").
//!
//! Instructions are decoded into the flat [`Instr`] sequence of the syntax tree, each with
//! its absolute byte offset (function bodies are decoded to be checked and kept encoded,
//! see [`FuncBody`]: [`FuncBody::for_each_instr`] and [`FuncBody::instructions`] decode
//! them again). Structured control is checked only as far as the binary
//! grammar requires: every `block`/`loop`/`if` needs its `end`, and `else` may only follow
//! the then-branch of an `if`. A small stack of open constructs (one byte each) does that
//! in linear time, without recursion, however deep the nesting.

use std::borrow::Cow;
use std::sync::Arc;

use super::reader::{Reader, Result};
use super::types::{block_type, heap_type, ref_type, val_type};
use crate::config::Features;
use crate::error::DecodeError;
use crate::syntax::{
    BodyCode, Catch, CatchKind, FuncBody, HeapType, Instr, Instructions, LoadOp, MemArg, NumOp, OpFeature, SimdFeature,
    SimdImm, SimdOp, StoreOp, ValType, WideOp,
};
use crate::valid::BodyCheck;

/// Largest number of declared locals one function may have. The spec allows up to
/// 2^32 - 1, but like other engines we refuse absurd counts before allocating anything.
pub(crate) const MAX_LOCALS: u64 = 50_000;

/// What the decoder tracks about the instructions it has seen.
#[derive(Debug, Default)]
pub(crate) struct CodeInfo {
    /// Whether `memory.init` or `data.drop` occurred, which makes the data count section
    /// mandatory (spec §5.5.13: the section is needed for single-pass validation).
    pub(crate) uses_data_index: bool,
}

/// An open structured instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    /// `block` or `loop`.
    Block,
    /// The then-branch of an `if`: an `else` may come next.
    Then,
    /// The else-branch of an `if`.
    Else,
    /// The body of a legacy `try`, or one of its arms: `catch`, `catch_all`, `delegate`
    /// or `end` may come next (the validator checks their order).
    Try,
}

/// Decodes an expression: instructions up to and including the `end` that closes it,
/// giving each instruction and its offset to `sink`, which returns `false` to stop early
/// (then the result is `Ok(false)`).
pub(crate) fn read_expr(
    r: &mut Reader<'_>,
    features: &Features,
    info: &mut CodeInfo,
    mut sink: impl FnMut(&Instr, u32) -> bool,
) -> Result<bool> {
    let mut open: Vec<Open> = Vec::new();
    loop {
        let at = r.pos();
        let instr = read_instr(r, features, info)?;
        // Whether this `end` closes the expression itself rather than a nested construct.
        let last = match &instr {
            Instr::Block(_) | Instr::Loop(_) | Instr::TryTable(..) => {
                open.push(Open::Block);
                false
            }
            Instr::Try(_) => {
                open.push(Open::Try);
                false
            }
            Instr::Catch(_) | Instr::CatchAll => match open.last() {
                Some(Open::Try) => false,
                _ => return Err(r.err(at, "catch without an enclosing try")),
            },
            Instr::Delegate(_) => match open.last() {
                Some(Open::Try) => {
                    open.pop();
                    false
                }
                _ => return Err(r.err(at, "delegate without an enclosing try")),
            },
            Instr::If(_) => {
                open.push(Open::Then);
                false
            }
            Instr::Else => match open.last_mut() {
                Some(top @ Open::Then) => {
                    *top = Open::Else;
                    false
                }
                // The reference interpreter stops the current instruction sequence at the
                // `else` and then finds that it is not the expected `end`.
                _ => return Err(r.err(at, "END opcode expected")),
            },
            Instr::End => open.pop().is_none(),
            _ => false,
        };
        // By reference: moving the freshly built value would copy it through memory with
        // wider loads than the stores that built it (a store-forwarding stall).
        if !sink(&instr, at as u32) {
            return Ok(false);
        }
        if last {
            return Ok(true);
        }
    }
}

/// Decodes one function body of the code section (spec §5.5.13): its size, locals and
/// expression. The declared size must match what was decoded ("section size mismatch").
/// The instructions are checked, not kept: the body refers to them in `bytes` (the whole
/// module, which `r` reads).
///
/// With `check` (and the function's type index, if the function section has it), the
/// body is validated as it is read (see `valid::BodyCheck`).
pub(crate) fn read_body(
    r: &mut Reader<'_>,
    features: &Features,
    info: &mut CodeInfo,
    bytes: &Arc<[u8]>,
    check: Option<(&mut BodyCheck<'_, '_>, Option<u32>)>,
) -> Result<FuncBody> {
    let size_at = r.pos();
    let size = r.len32()?;
    let start = r.pos();
    let end = start + size;

    let locals = read_locals(r, features)?;
    let code = BodyCode::Encoded { bytes: bytes.clone(), start: r.pos32(), features: *features };
    match check {
        Some((check, type_index)) => {
            check.begin(type_index, &locals, size_at as u32);
            read_expr(r, features, info, |instr, at| {
                check.instr(at, instr);
                true
            })?;
            check.end(end as u32);
        }
        None => {
            read_expr(r, features, info, |_, _| true)?;
        }
    }
    if r.pos() != end {
        return Err(r.err(start, "section size mismatch"));
    }
    Ok(FuncBody { locals, code, range: size_at as u32..end as u32 })
}

impl FuncBody {
    /// Calls `f` with each instruction and its offset, in order, decoding them (no
    /// vectors); stops at the first error `f` returns.
    pub fn for_each_instr<E: From<DecodeError>>(
        &self,
        mut f: impl FnMut(u32, &Instr) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        match &self.code {
            BodyCode::Encoded { bytes, start, features } => {
                let mut r = Reader::new(bytes, *start as usize);
                let mut failed = None;
                read_expr(&mut r, features, &mut CodeInfo::default(), |instr, at| match f(at, instr) {
                    Ok(()) => true,
                    Err(e) => {
                        failed = Some(e);
                        false
                    }
                })
                .map_err(|e| E::from(*e))?;
                failed.map_or(Ok(()), Err)
            }
            BodyCode::Decoded(code) => {
                // Offsets may be missing from hand-built bodies: the body's start stands in.
                for (i, instr) in code.instrs.iter().enumerate() {
                    f(code.offsets.get(i).copied().unwrap_or(self.range.start), instr)?;
                }
                Ok(())
            }
        }
    }

    /// The body's instructions and their offsets, decoded (borrowed if they already are).
    pub fn instructions(&self) -> std::result::Result<Cow<'_, Instructions>, DecodeError> {
        match &self.code {
            BodyCode::Encoded { bytes, start, features } => {
                let mut code = Instructions::default();
                let mut r = Reader::new(bytes, *start as usize);
                read_expr(&mut r, features, &mut CodeInfo::default(), |instr, at| {
                    code.instrs.push(instr.clone());
                    code.offsets.push(at);
                    true
                })?;
                Ok(Cow::Owned(code))
            }
            BodyCode::Decoded(code) => Ok(Cow::Borrowed(code)),
        }
    }
}

/// Decodes the local declarations of a body and expands them, one entry per local.
fn read_locals(r: &mut Reader<'_>, features: &Features) -> Result<Vec<ValType>> {
    let at = r.pos();
    let (groups, cap) = r.count()?;
    let mut decls = Vec::with_capacity(cap);
    let mut total = 0u64;
    for _ in 0..groups {
        let n = r.u32()?;
        let t_at = r.pos();
        let t = val_type(r, features)?;
        if n == 0 && t == ValType::V128 && !features.simd {
            // An empty group leaves no local for the validator to reject; its type still
            // has to be one the enabled features allow (found by the fuzzer, against
            // wasmparser).
            return Err(r.err(t_at, "SIMD is disabled (v128 value type)"));
        }
        total += u64::from(n);
        decls.push((n, t));
    }
    // Checked over all groups before expanding anything, so a hostile count costs nothing.
    if total > MAX_LOCALS {
        return Err(r.err(at, "too many locals"));
    }
    let mut locals = Vec::with_capacity(total as usize);
    for (n, t) in decls {
        locals.extend(std::iter::repeat_n(t, n as usize));
    }
    Ok(locals)
}

/// The error for an opcode that does not exist or whose proposal is disabled; the
/// reference interpreter's wording with the byte(s) in hex.
fn illegal(r: &Reader<'_>, at: usize, op: u8) -> Box<crate::error::DecodeError> {
    r.err(at, format!("illegal opcode {op:02x}"))
}

fn illegal_fc(r: &Reader<'_>, at: usize, sub: u32) -> Box<crate::error::DecodeError> {
    r.err(at, format!("illegal opcode fc {sub:02x}"))
}

/// A reserved immediate that must be the single byte 0x00 (not merely a LEB128 zero).
fn zero_byte(r: &mut Reader<'_>) -> Result<()> {
    let at = r.pos();
    if r.u8()? != 0 {
        return Err(r.err(at, "zero byte expected"));
    }
    Ok(())
}

/// The `memarg` of a load or store (spec §5.4.6): alignment exponent and offset. Without
/// multi-memory the alignment field has no flag bits, so anything from 32 up is malformed.
/// With multi-memory (3.0), bit 6 of the field says that a memory index follows it; with
/// memory64 the offset is a `u64` (the validator bounds it for 32-bit memories).
fn memarg(r: &mut Reader<'_>, f: &Features) -> Result<MemArg> {
    let at = r.pos();
    let mut align = r.u32()?;
    let mut memory = 0;
    if f.multi_memory && align & 0x40 != 0 && align < 0x80 {
        align &= !0x40;
        memory = r.u32()?;
    }
    let limit = if f.multi_memory || f.memory64 { 64 } else { 32 };
    if align >= limit {
        return Err(r.err(at, "malformed memop flags"));
    }
    let offset = if f.memory64 { r.leb_u(64)? } else { u64::from(r.u32()?) };
    Ok(MemArg { align, offset, memory })
}

/// A memory index immediate: a `u32` with multi-memory, else a zero byte.
fn mem_index(r: &mut Reader<'_>, f: &Features) -> Result<u32> {
    if f.multi_memory {
        r.u32()
    } else {
        zero_byte(r)?;
        Ok(0)
    }
}

/// One catch clause of a `try_table`: a kind byte 0x00..=0x03, the tag index for the
/// `catch`/`catch_ref` kinds, then the label.
fn catch_clause(r: &mut Reader<'_>) -> Result<Catch> {
    let at = r.pos();
    let kind = match r.u8()? {
        0x00 => CatchKind::Catch,
        0x01 => CatchKind::CatchRef,
        0x02 => CatchKind::CatchAll,
        0x03 => CatchKind::CatchAllRef,
        _ => return Err(r.err(at, "malformed catch clause")),
    };
    let tag = if kind.has_tag() { r.u32()? } else { 0 };
    let label = r.u32()?;
    Ok(Catch { kind, tag, label })
}

/// Whether an operator's proposal is enabled.
fn num_op_enabled(op: NumOp, f: &Features) -> bool {
    match op.feature() {
        OpFeature::Mvp => true,
        OpFeature::SignExt => f.sign_ext,
        OpFeature::SatFloatToInt => f.sat_float_to_int,
    }
}

/// Decodes one instruction with its immediates.
#[inline(always)]
fn read_instr(r: &mut Reader<'_>, f: &Features, info: &mut CodeInfo) -> Result<Instr> {
    let at = r.pos();
    let op = r.u8()?;
    let instr = match op {
        0x00 => Instr::Unreachable,
        0x01 => Instr::Nop,
        0x02 => Instr::Block(block_type(r, f)?),
        0x03 => Instr::Loop(block_type(r, f)?),
        0x04 => Instr::If(block_type(r, f)?),
        0x05 => Instr::Else,
        0x0B => Instr::End,
        0x08 if f.exceptions => Instr::Throw(r.u32()?),
        0x0A if f.exceptions => Instr::ThrowRef,
        0x1F if f.exceptions => {
            let ty = block_type(r, f)?;
            let (n, cap) = r.count()?;
            let mut catches = Vec::with_capacity(cap);
            for _ in 0..n {
                catches.push(catch_clause(r)?);
            }
            Instr::TryTable(ty, catches.into_boxed_slice())
        }
        0x06 if f.legacy_exceptions => Instr::Try(block_type(r, f)?),
        0x07 if f.legacy_exceptions => Instr::Catch(r.u32()?),
        0x19 if f.legacy_exceptions => Instr::CatchAll,
        0x18 if f.legacy_exceptions => Instr::Delegate(r.u32()?),
        0x09 if f.legacy_exceptions => Instr::Rethrow(r.u32()?),
        0x0C => Instr::Br(r.u32()?),
        0x0D => Instr::BrIf(r.u32()?),
        0x0E => {
            let (n, cap) = r.count()?;
            let mut targets = Vec::with_capacity(cap);
            for _ in 0..n {
                targets.push(r.u32()?);
            }
            let default = r.u32()?;
            Instr::BrTable { targets: targets.into_boxed_slice(), default }
        }
        0x0F => Instr::Return,
        0x10 => Instr::Call(r.u32()?),
        0x11 => {
            let type_index = r.u32()?;
            // Before reference types this byte was a reserved zero; with them it is a
            // table index, which may be any LEB128 (even a long zero).
            let table = if f.reference_types {
                r.u32()?
            } else {
                zero_byte(r)?;
                0
            };
            Instr::CallIndirect { type_index, table }
        }
        0x12 if f.tail_call => Instr::ReturnCall(r.u32()?),
        0x13 if f.tail_call => {
            let type_index = r.u32()?;
            let table = r.u32()?;
            Instr::ReturnCallIndirect { type_index, table }
        }
        0x1A => Instr::Drop,
        0x1B => Instr::Select,
        0x1C if f.reference_types => {
            let (n, cap) = r.count()?;
            let mut types = Vec::with_capacity(cap);
            for _ in 0..n {
                types.push(val_type(r, f)?);
            }
            Instr::SelectTyped(types.into_boxed_slice())
        }
        0x20 => Instr::LocalGet(r.u32()?),
        0x21 => Instr::LocalSet(r.u32()?),
        0x22 => Instr::LocalTee(r.u32()?),
        0x23 => Instr::GlobalGet(r.u32()?),
        0x24 => Instr::GlobalSet(r.u32()?),
        0x25 if f.reference_types => Instr::TableGet(r.u32()?),
        0x26 if f.reference_types => Instr::TableSet(r.u32()?),
        0x28..=0x35 => match LoadOp::from_opcode(op) {
            Some(load) => Instr::Load(load, memarg(r, f)?),
            None => return Err(illegal(r, at, op)),
        },
        0x36..=0x3E => match StoreOp::from_opcode(op) {
            Some(store) => Instr::Store(store, memarg(r, f)?),
            None => return Err(illegal(r, at, op)),
        },
        0x3F => Instr::MemorySize(mem_index(r, f)?),
        0x40 => Instr::MemoryGrow(mem_index(r, f)?),
        0x41 => Instr::I32Const(r.s32()?),
        0x42 => Instr::I64Const(r.s64()?),
        0x43 => Instr::F32Const(r.fixed_u32()?),
        0x44 => Instr::F64Const(r.fixed_u64()?),
        0x45..=0xC4 => match NumOp::from_code(u16::from(op)) {
            Some(num) if num_op_enabled(num, f) => Instr::Num(num),
            _ => return Err(illegal(r, at, op)),
        },
        0xD0 if f.reference_types => Instr::RefNull(ref_null_heap(r, f)?),
        0xD1 if f.reference_types => Instr::RefIsNull,
        0xD2 if f.reference_types => Instr::RefFunc(r.u32()?),
        0xD3 if f.gc => Instr::RefEq,
        0xD4 if f.function_references => Instr::RefAsNonNull,
        0xD5 if f.function_references => Instr::BrOnNull(r.u32()?),
        0xD6 if f.function_references => Instr::BrOnNonNull(r.u32()?),
        0x14 if f.function_references => Instr::CallRef(r.u32()?),
        0x15 if f.function_references && f.tail_call => Instr::ReturnCallRef(r.u32()?),
        0xFB if f.gc => read_fb(r, f, info, at)?,
        0xFC => read_fc(r, f, info, at)?,
        0xFD if f.simd => read_fd(r, f, at)?,
        0xFD => return Err(r.err(at, "illegal opcode fd (SIMD is disabled)")),
        _ => return Err(illegal(r, at, op)),
    };
    Ok(instr)
}

/// The heap type of `ref.null`: before typed function references, a reference type's
/// byte (whose errors say "malformed reference type").
fn ref_null_heap(r: &mut Reader<'_>, f: &Features) -> Result<HeapType> {
    if f.function_references {
        return heap_type(r, f);
    }
    Ok(ref_type(r, f)?.heap)
}

/// Decodes an instruction with the 0xFD prefix (SIMD, spec §5.4.8); its sub-opcode is a
/// `u32`, and the table in `syntax/simd.rs` says which immediate follows.
fn read_fd(r: &mut Reader<'_>, f: &Features, at: usize) -> Result<Instr> {
    let sub = r.u32()?;
    let op = match SimdOp::from_code(sub) {
        Some(op) if op.feature() == SimdFeature::Simd || f.relaxed_simd => op,
        _ => return Err(r.err(at, format!("illegal opcode fd {sub:02x}"))),
    };
    Ok(match op.imm() {
        SimdImm::Plain => Instr::Simd(op),
        SimdImm::Lane(_) => Instr::SimdLane(op, r.u8()?),
        SimdImm::Mem(_) => Instr::SimdMem(op, memarg(r, f)?),
        SimdImm::MemLane(_) => {
            let m = memarg(r, f)?;
            Instr::SimdMemLane(op, m, r.u8()?)
        }
        SimdImm::Const => Instr::V128Const(sixteen(r)?),
        SimdImm::Shuffle => Instr::I8x16Shuffle(sixteen(r)?),
    })
}

/// The 16 raw bytes of a `v128.const` or a shuffle's lane indices.
fn sixteen(r: &mut Reader<'_>) -> Result<[u8; 16]> {
    let mut out = [0u8; 16];
    out.copy_from_slice(r.bytes(16)?);
    Ok(out)
}

/// Decodes a GC instruction (the 0xFB prefix; its sub-opcode is a `u32`).
fn read_fb(r: &mut Reader<'_>, f: &Features, info: &mut CodeInfo, at: usize) -> Result<Instr> {
    use crate::syntax::{Extend, GcInstr as G, RefType};
    let sub = r.u32()?;
    let extend = |s: u32, base: u32| match s - base {
        0 => Extend::None,
        1 => Extend::Signed,
        _ => Extend::Unsigned,
    };
    let g = match sub {
        0 => G::StructNew(r.u32()?),
        1 => G::StructNewDefault(r.u32()?),
        2..=4 => G::StructGet { ty: r.u32()?, field: r.u32()?, extend: extend(sub, 2) },
        5 => G::StructSet { ty: r.u32()?, field: r.u32()? },
        6 => G::ArrayNew(r.u32()?),
        7 => G::ArrayNewDefault(r.u32()?),
        8 => G::ArrayNewFixed { ty: r.u32()?, len: r.u32()? },
        9 => {
            info.uses_data_index = true;
            G::ArrayNewData { ty: r.u32()?, data: r.u32()? }
        }
        10 => G::ArrayNewElem { ty: r.u32()?, elem: r.u32()? },
        11..=13 => G::ArrayGet { ty: r.u32()?, extend: extend(sub, 11) },
        14 => G::ArraySet(r.u32()?),
        15 => G::ArrayLen,
        16 => G::ArrayFill(r.u32()?),
        17 => G::ArrayCopy { dst: r.u32()?, src: r.u32()? },
        18 => {
            info.uses_data_index = true;
            G::ArrayInitData { ty: r.u32()?, data: r.u32()? }
        }
        19 => G::ArrayInitElem { ty: r.u32()?, elem: r.u32()? },
        20..=23 => {
            let rt = RefType { nullable: sub % 2 == 1, heap: heap_type(r, f)? };
            if sub < 22 { G::RefTest(rt) } else { G::RefCast(rt) }
        }
        24 | 25 => {
            let flags_at = r.pos();
            let flags = r.u8()?;
            if flags > 3 {
                return Err(r.err(flags_at, "malformed cast flags"));
            }
            let label = r.u32()?;
            let from = RefType { nullable: flags & 1 != 0, heap: heap_type(r, f)? };
            let to = RefType { nullable: flags & 2 != 0, heap: heap_type(r, f)? };
            if sub == 24 { G::BrOnCast { label, from, to } } else { G::BrOnCastFail { label, from, to } }
        }
        26 => G::AnyConvertExtern,
        27 => G::ExternConvertAny,
        28 => G::RefI31,
        29 => G::I31Get(Extend::Signed),
        30 => G::I31Get(Extend::Unsigned),
        _ => return Err(r.err(at, format!("illegal opcode fb {sub:x}"))),
    };
    Ok(Instr::Gc(g))
}

/// Decodes an instruction with the 0xFC prefix; its sub-opcode is a `u32`.
fn read_fc(r: &mut Reader<'_>, f: &Features, info: &mut CodeInfo, at: usize) -> Result<Instr> {
    let sub = r.u32()?;
    let instr = match sub {
        0..=7 => match NumOp::from_code(0xFC00 | sub as u16) {
            Some(num) if num_op_enabled(num, f) => Instr::Num(num),
            _ => return Err(illegal_fc(r, at, sub)),
        },
        8 if f.bulk_memory => {
            let data = r.u32()?;
            let memory = mem_index(r, f)?;
            info.uses_data_index = true;
            Instr::MemoryInit { data, memory }
        }
        9 if f.bulk_memory => {
            info.uses_data_index = true;
            Instr::DataDrop(r.u32()?)
        }
        10 if f.bulk_memory => {
            let dst = mem_index(r, f)?;
            let src = mem_index(r, f)?;
            Instr::MemoryCopy { dst, src }
        }
        11 if f.bulk_memory => Instr::MemoryFill(mem_index(r, f)?),
        12 if f.bulk_memory => {
            let elem = r.u32()?;
            let table = r.u32()?;
            Instr::TableInit { elem, table }
        }
        13 if f.bulk_memory => Instr::ElemDrop(r.u32()?),
        14 if f.bulk_memory => {
            let dst = r.u32()?;
            let src = r.u32()?;
            Instr::TableCopy { dst, src }
        }
        15 if f.reference_types => Instr::TableGrow(r.u32()?),
        16 if f.reference_types => Instr::TableSize(r.u32()?),
        17 if f.reference_types => Instr::TableFill(r.u32()?),
        19..=22 if f.wide_arithmetic => match WideOp::from_sub_opcode(sub) {
            Some(op) => Instr::Wide(op),
            None => return Err(illegal_fc(r, at, sub)),
        },
        _ => return Err(illegal_fc(r, at, sub)),
    };
    Ok(instr)
}
