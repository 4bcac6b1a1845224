//! Handlers of the wide-arithmetic instructions (`i64.add128`, `i64.sub128`,
//! `i64.mul_wide_s/u`; the table and semantics are `syntax::wide`): one per operator, a
//! const-generic instantiation, so each is that operator's arithmetic alone.
//!
//! The operands are the consecutive slots from the one named (wasm order); the low and
//! high halves of the result go to the first two of them ([`Op::Wide`]).

use super::{Ctx, Exit, Handler, Inst, dispatch, slots};
use crate::syntax::WideOp;
use crate::translate::Op;

/// A wide-arithmetic operator: `x = [base, 0, 0, 0]`.
fn op_wide<const CHAIN: bool, const OP: u8>(
    ip: *const Inst,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut Ctx,
    acc: u64,
) -> Exit {
    let op = WideOp::ALL[OP as usize];
    let base = slots::inst(ip).x[0];
    let mut x = [0u64; 4];
    for (k, v) in x.iter_mut().enumerate().take(op.params().len()) {
        *v = slots::get(fp, base + k as u32);
    }
    let [lo, hi] = op.eval(x);
    slots::set(fp, base, lo);
    slots::set(fp, base + 1, hi);
    // The accumulator passes on untouched: these results are never in it (see `produced`).
    dispatch::<CHAIN>(ip.wrapping_add(1), fp, mem, len, cx, acc)
}

/// The instruction of a wide-arithmetic op, `None` for any other op.
pub(super) fn wide_inst<const CHAIN: bool>(op: Op) -> Option<Inst> {
    let Op::Wide { op, base } = op else { return None };
    let handler: Handler = match op {
        WideOp::I64Add128 => op_wide::<CHAIN, { WideOp::I64Add128 as u8 }>,
        WideOp::I64Sub128 => op_wide::<CHAIN, { WideOp::I64Sub128 as u8 }>,
        WideOp::I64MulWideS => op_wide::<CHAIN, { WideOp::I64MulWideS as u8 }>,
        WideOp::I64MulWideU => op_wide::<CHAIN, { WideOp::I64MulWideU as u8 }>,
    };
    Some(Inst { handler, x: [base, 0, 0, 0] })
}
