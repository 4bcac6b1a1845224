//! The translator's peephole pass: fuses common instruction sequences into
//! superinstructions (`local.get a; local.get b` → `LocalGet2`, `i32.const c; i32.add` →
//! `I32AddImm`, `i32.lt_s; br_if` → `JumpIfI32`, ...), so the dispatch loop runs fewer ops.
//!
//! A fusion only merges ops emitted after the last label position (`barrier`): a branch
//! may land between two ops, and then they must stay apart. The fused op keeps the wasm
//! offset of its last instruction (the one that may trap). Debugged code is translated
//! without this pass, so every wasm instruction stays one op the debugger can stop at.

use super::Translator;
use super::op::{I32Cmp, Op};

impl Translator<'_> {
    /// The op `back` places from the end, if it is after the barrier.
    fn tail(&self, back: usize) -> Option<Op> {
        let i = self.ops.len().checked_sub(back + 1)?;
        (i >= self.barrier).then(|| self.ops[i])
    }

    /// Replaces the last `n` ops with `op`, which takes the offset of the last of them.
    fn replace_tail(&mut self, n: usize, op: Op) {
        let offset = self.offsets.last().copied().unwrap_or(self.offset);
        let keep = self.ops.len() - n;
        self.ops.truncate(keep);
        self.offsets.truncate(keep);
        self.ops.push(op);
        self.offsets.push(offset);
    }

    /// Applies the fusion rules to the end of the op sequence until none applies.
    pub(super) fn peephole(&mut self) {
        loop {
            let fused = match (self.tail(2), self.tail(1), self.tail(0)) {
                (Some(Op::LocalGet(x)), Some(Op::I32AddImm(c)), Some(Op::LocalSet(y))) if x == y => {
                    Some((3, Op::LocalI32AddImm { local: x, imm: c }))
                }
                (_, Some(Op::LocalGet(a)), Some(Op::LocalGet(b))) => Some((2, Op::LocalGet2(a, b))),
                (_, Some(Op::LocalGet(a)), Some(Op::LocalSet(b))) => Some((2, Op::LocalCopy { from: a, to: b })),
                (_, Some(Op::Const(c)), Some(Op::LocalSet(x))) => Some((2, Op::LocalSetConst { local: x, value: c })),
                (_, Some(Op::LocalGet(x)), Some(Op::Load(kind, off))) => Some((2, Op::LoadLocal(kind, x, off))),
                (_, Some(Op::Const(c)), Some(op)) => {
                    let c32 = c as u32;
                    match op {
                        Op::I32Add => Some((2, Op::I32AddImm(c32))),
                        Op::I32Sub => Some((2, Op::I32AddImm(c32.wrapping_neg()))),
                        Op::I32And => Some((2, Op::I32AndImm(c32))),
                        Op::I32Shl => Some((2, Op::I32ShlImm(c32))),
                        Op::I32ShrU => Some((2, Op::I32ShrUImm(c32))),
                        Op::I32ShrS => Some((2, Op::I32ShrSImm(c32))),
                        Op::I32Mul => Some((2, Op::I32MulImm(c32))),
                        Op::I64Add => Some((2, Op::I64AddImm(c))),
                        Op::I64Sub => Some((2, Op::I64AddImm(c.wrapping_neg()))),
                        _ => None,
                    }
                }
                _ => None,
            };
            match fused {
                Some((n, op)) => self.replace_tail(n, op),
                None => return,
            }
        }
    }

    /// If the ops before a conditional jump compute an i32 comparison, removes them and
    /// returns the fused jump (with target 0, patched later) that tests it directly;
    /// `invert` asks for the jump taken when the comparison fails (an `if`).
    pub(super) fn fuse_condition(&mut self, invert: bool) -> Option<Op> {
        if !self.fuse {
            return None;
        }
        let last = self.tail(0)?;
        if last == Op::I32Eqz {
            self.ops.pop();
            self.offsets.pop();
            return Some(if invert { Op::JumpIf(0) } else { Op::JumpIfZero(0) });
        }
        let cmp = I32Cmp::of(numeric_of(last)?)?;
        let cmp = if invert { cmp.inverse() } else { cmp };
        if let Some(Op::Const(c)) = self.tail(1) {
            let n = self.ops.len() - 2;
            self.ops.truncate(n);
            self.offsets.truncate(n);
            return Some(Op::JumpIfI32Imm(cmp, c as u32, 0));
        }
        self.ops.pop();
        self.offsets.pop();
        Some(Op::JumpIfI32(cmp, 0))
    }
}

/// The numeric operator an op executes, for the i32 comparisons.
fn numeric_of(op: Op) -> Option<crate::syntax::NumOp> {
    use crate::syntax::NumOp;
    Some(match op {
        Op::I32Eq => NumOp::I32Eq,
        Op::I32Ne => NumOp::I32Ne,
        Op::I32LtS => NumOp::I32LtS,
        Op::I32LtU => NumOp::I32LtU,
        Op::I32GtS => NumOp::I32GtS,
        Op::I32GtU => NumOp::I32GtU,
        Op::I32LeS => NumOp::I32LeS,
        Op::I32LeU => NumOp::I32LeU,
        Op::I32GeS => NumOp::I32GeS,
        Op::I32GeU => NumOp::I32GeU,
        _ => return None,
    })
}
