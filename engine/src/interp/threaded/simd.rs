//! Handlers of the SIMD instructions (spec §4.4.3 "Vector Instructions"): one per operator
//! of the table in `syntax::simd`, instantiated from one generic function with the
//! operator as a const parameter, so that each is that operator's code alone (the
//! operator's signature and semantics, `interp::simd`, fold away when it is inlined).
//!
//! A `v128` operand or result is the two slots from the one named, low half first. The
//! lane loads and stores and `v128` globals have no handler: the loop executes them.

use super::{Ctx, Exit, Handler, Inst, dispatch, slots, trap};
use crate::error::TrapCode;
use crate::interp::simd as sem;
use crate::syntax::{SimdImm, SimdOp, ValType};
use crate::translate::Op;

/// Reads an operand of type `t` from slot `s` (two slots for a `v128`).
#[inline(always)]
fn read(fp: *mut u64, s: u32, t: ValType) -> u128 {
    if t == ValType::V128 { slots::get_v128(fp, s) } else { u128::from(slots::get(fp, s)) }
}

/// Writes a result of type `t` to slot `d` (two slots for a `v128`).
#[inline(always)]
fn write(fp: *mut u64, d: u32, t: ValType, v: u128) {
    if t == ValType::V128 { slots::set_v128(fp, d, v) } else { slots::set(fp, d, v as u64) }
}

/// A SIMD operator without memory access: `x = [d, a, b, c]` (see [`Op::Simd`]).
fn op_simd<const CHAIN: bool, const OP: u16>(
    ip: *const Inst,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut Ctx,
    acc: u64,
) -> Exit {
    let op = SimdOp::ALL[OP as usize];
    let x = slots::inst(ip).x;
    let params = op.params();
    let is_lane = matches!(op.imm(), SimdImm::Lane(_));
    let lane = if is_lane { x[3] as u8 } else { 0 };
    let a = if !params.is_empty() { read(fp, x[1], params[0]) } else { 0 };
    let b = if params.len() > 1 { read(fp, x[2], params[1]) } else { 0 };
    let c = if params.len() > 2 || op == SimdOp::I8x16Shuffle { read(fp, x[3], ValType::V128) } else { 0 };
    let r = sem::eval(op, lane, a, b, c);
    if let Some(t) = op.results().first() {
        write(fp, x[0], *t, r);
    }
    // The accumulator passes on untouched: a SIMD result is never in it (see `produced`).
    dispatch::<CHAIN>(ip.wrapping_add(1), fp, mem, len, cx, acc)
}

/// Reads `width` bytes (1, 2, 4, 8 or 16) of memory at `ea`, little-endian.
#[inline(always)]
fn read_mem(mem: *mut u8, len: usize, ea: usize, width: u8) -> Option<u128> {
    Some(match width {
        1 => u128::from(slots::mem_read::<1>(mem, len, ea)?[0]),
        2 => u128::from(u16::from_le_bytes(slots::mem_read::<2>(mem, len, ea)?)),
        4 => u128::from(u32::from_le_bytes(slots::mem_read::<4>(mem, len, ea)?)),
        8 => u128::from(u64::from_le_bytes(slots::mem_read::<8>(mem, len, ea)?)),
        _ => u128::from_le_bytes(slots::mem_read::<16>(mem, len, ea)?),
    })
}

/// A `v128` load but a lane load: `x = [d, addr, offset]`.
fn op_simd_load<const CHAIN: bool, const OP: u16>(
    ip: *const Inst,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut Ctx,
    acc: u64,
) -> Exit {
    let op = SimdOp::ALL[OP as usize];
    let x = slots::inst(ip).x;
    let width = match op.imm() {
        SimdImm::Mem(w) => w,
        _ => 16,
    };
    let ea = slots::get(fp, x[1]) as u32 as usize + x[2] as usize;
    let Some(raw) = read_mem(mem, len, ea, width) else {
        return trap(ip, TrapCode::MemoryOutOfBounds);
    };
    write(fp, x[0], ValType::V128, sem::loaded(op, raw, 0, 0));
    dispatch::<CHAIN>(ip.wrapping_add(1), fp, mem, len, cx, acc)
}

// `v128.store`: `x = [addr, v, offset]`.
handler!(op_simd_store(ip, fp, mem, len, x) => {
    let ea = slots::get(fp, x[0]) as u32 as usize + x[2] as usize;
    let v = read(fp, x[1], ValType::V128);
    if !slots::mem_write::<16>(mem, len, ea, v.to_le_bytes()) {
        return trap(ip, TrapCode::MemoryOutOfBounds);
    }
    ip.wrapping_add(1)
});
// `x = [d, s]`: copies a `v128`.
handler!(op_copy_v128(ip, fp, mem, len, x) => {
    slots::set_v128(fp, x[0], slots::get_v128(fp, x[1]));
    ip.wrapping_add(1)
});
// `x = [d, a, b, c]`: `select` of `v128` operands (`c` the condition).
handler!(op_select_v128(ip, fp, mem, len, x) => {
    let pick = if slots::get(fp, x[3]) as u32 != 0 { x[1] } else { x[2] };
    slots::set_v128(fp, x[0], slots::get_v128(fp, pick));
    ip.wrapping_add(1)
});

/// The handler of each operator for a `Simd` op (instantiated for every row of the
/// table; a memory operator's never runs).
macro_rules! plain_handlers {
    ($($variant:ident $code:literal $name:literal $feat:ident $imm:ident($arg:literal) [$($p:ident)*] [$($r:ident)*],)*) => {
        fn plain_handler<const CHAIN: bool>(op: SimdOp) -> Handler {
            match op {
                $(SimdOp::$variant => op_simd::<CHAIN, { SimdOp::$variant as u16 }>,)*
            }
        }
    };
}
crate::for_each_simd_op!(plain_handlers);

/// The handler of a `SimdLoad` op.
fn load_handler<const CHAIN: bool>(op: SimdOp) -> Option<Handler> {
    macro_rules! loads {
        ($($variant:ident)*) => {
            match op {
                $(SimdOp::$variant => Some(op_simd_load::<CHAIN, { SimdOp::$variant as u16 }>),)*
                _ => None,
            }
        };
    }
    loads!(V128Load V128Load8x8S V128Load8x8U V128Load16x4S V128Load16x4U V128Load32x2S V128Load32x2U
        V128Load8Splat V128Load16Splat V128Load32Splat V128Load64Splat V128Load32Zero V128Load64Zero)
}

/// The instruction of a SIMD op, `None` for those the loop executes.
pub(super) fn simd_inst<const CHAIN: bool>(op: Op) -> Option<Inst> {
    let i = |handler: Handler, x: [u32; 4]| Some(Inst { handler, x });
    match op {
        Op::Simd { op, d, a, b, c } => i(plain_handler::<CHAIN>(op), [d, a, b, c]),
        Op::SimdLoad { op, d, addr, offset } => i(load_handler::<CHAIN>(op)?, [d, addr, offset, 0]),
        Op::SimdStore { addr, v, offset } => i(op_simd_store::<CHAIN>, [addr, v, offset, 0]),
        Op::CopyV128 { d, s } => i(op_copy_v128::<CHAIN>, [d, s, 0, 0]),
        Op::SelectV128 { d, a, b, c } => i(op_select_v128::<CHAIN>, [d, a, b, c]),
        _ => None,
    }
}
