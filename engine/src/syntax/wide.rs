//! The wide-arithmetic instructions (the wide-arithmetic proposal, opcodes `0xFC 19..=22`):
//! 128-bit addition and subtraction of `i64` pairs and the full 128-bit product of two
//! `i64`s. A 128-bit value is two `i64` operands or results, low half first. Each row of
//! [`WideOp::ALL`] gives the sub-opcode, name and signature the decoder, validator,
//! printer, translator and both tiers read.

use super::types::ValType;

/// A wide-arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WideOp {
    /// `i64.add128`: `[lo1 hi1 lo2 hi2] -> [lo hi]`, the sum modulo 2^128.
    I64Add128,
    /// `i64.sub128`: `[lo1 hi1 lo2 hi2] -> [lo hi]`, the difference modulo 2^128.
    I64Sub128,
    /// `i64.mul_wide_s`: `[a b] -> [lo hi]`, the signed 128-bit product.
    I64MulWideS,
    /// `i64.mul_wide_u`: `[a b] -> [lo hi]`, the unsigned 128-bit product.
    I64MulWideU,
}

const I64: ValType = ValType::I64;

impl WideOp {
    /// Every operator, each at the index of its discriminant (`ALL[op as usize] == op`).
    pub const ALL: [WideOp; 4] = [WideOp::I64Add128, WideOp::I64Sub128, WideOp::I64MulWideS, WideOp::I64MulWideU];

    /// The sub-opcode after the `0xFC` prefix.
    pub fn sub_opcode(self) -> u32 {
        19 + self as u32
    }

    /// The operator of a `0xFC` sub-opcode, if it is one of these.
    pub fn from_sub_opcode(sub: u32) -> Option<WideOp> {
        WideOp::ALL.get(sub.checked_sub(19)? as usize).copied()
    }

    /// The text-format name.
    pub fn name(self) -> &'static str {
        match self {
            WideOp::I64Add128 => "i64.add128",
            WideOp::I64Sub128 => "i64.sub128",
            WideOp::I64MulWideS => "i64.mul_wide_s",
            WideOp::I64MulWideU => "i64.mul_wide_u",
        }
    }

    /// Parameter types.
    pub fn params(self) -> &'static [ValType] {
        match self {
            WideOp::I64Add128 | WideOp::I64Sub128 => &[I64, I64, I64, I64],
            WideOp::I64MulWideS | WideOp::I64MulWideU => &[I64, I64],
        }
    }

    /// Result types: the low and the high half.
    pub fn results(self) -> &'static [ValType] {
        &[I64, I64]
    }

    /// The semantics on the operands in wasm order (unused ones are ignored): the
    /// result's low and high halves.
    #[inline(always)]
    pub fn eval(self, x: [u64; 4]) -> [u64; 2] {
        let pair = |lo: u64, hi: u64| u128::from(lo) | u128::from(hi) << 64;
        let r = match self {
            WideOp::I64Add128 => pair(x[0], x[1]).wrapping_add(pair(x[2], x[3])),
            WideOp::I64Sub128 => pair(x[0], x[1]).wrapping_sub(pair(x[2], x[3])),
            WideOp::I64MulWideS => (i128::from(x[0] as i64) * i128::from(x[1] as i64)) as u128,
            WideOp::I64MulWideU => u128::from(x[0]) * u128::from(x[1]),
        };
        [r as u64, (r >> 64) as u64]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        for (i, op) in WideOp::ALL.iter().enumerate() {
            assert_eq!(*op as usize, i);
            assert_eq!(WideOp::from_sub_opcode(op.sub_opcode()), Some(*op));
        }
        assert_eq!(WideOp::from_sub_opcode(18), None);
        assert_eq!(WideOp::from_sub_opcode(23), None);
    }

    #[test]
    fn semantics() {
        // Carry from the low into the high half, and wrap-around at 2^128.
        assert_eq!(WideOp::I64Add128.eval([u64::MAX, 0, 1, 0]), [0, 1]);
        assert_eq!(WideOp::I64Add128.eval([u64::MAX, u64::MAX, 1, 0]), [0, 0]);
        // Borrow.
        assert_eq!(WideOp::I64Sub128.eval([0, 1, 1, 0]), [u64::MAX, 0]);
        assert_eq!(WideOp::I64Sub128.eval([0, 0, 1, 0]), [u64::MAX, u64::MAX]);
        // -1 * -1 = 1 signed; (2^64 - 1)^2 = 2^128 - 2^65 + 1 unsigned.
        assert_eq!(WideOp::I64MulWideS.eval([u64::MAX, u64::MAX, 0, 0]), [1, 0]);
        assert_eq!(WideOp::I64MulWideU.eval([u64::MAX, u64::MAX, 0, 0]), [1, u64::MAX - 1]);
        assert_eq!(WideOp::I64MulWideS.eval([i64::MIN as u64, 2, 0, 0]), [0, u64::MAX]);
    }
}
