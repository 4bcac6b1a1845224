//! Translation of the vector instructions (spec §4.4.3 "Vector instructions"; the
//! relaxed-SIMD proposal) to Cranelift's vector types: every `0xFD` operator of the table
//! in `syntax/simd.rs`, native code only (no libcalls).
//!
//! A `v128` is an `I8X16` wherever it is kept or passed: on the translation-time value
//! stack, in locals, block parameters, `select`, calls and returns, globals and value
//! areas (two slots). Wasm has one vector type where Cranelift has one per lane shape, so
//! each operator bitcasts its operands to the shape it works on (`I16X8`, `F32X4`, ...;
//! [`shape`]) and its result back to `I8X16`, as wasmtime's translator does; a bitcast
//! between vector types is free (the same register). Bitcasts say their lane order
//! (little-endian) because they change the lane count.
//!
//! Most operators are one Cranelift instruction. Those that are not: `pmin`/`pmax` (a
//! compare and a `bitselect`, which the x64 backend turns into `minps`/`maxps`), the
//! extending multiplies, pairwise additions and dot products (widen, multiply, pairwise
//! add), `trunc_sat_f64x2_*_zero` (a 64-bit lane conversion narrowed against a zero
//! vector: the one shape in which the x64 backend lowers an `I64X2` saturating
//! conversion), and the relaxed operators, which follow the deterministic choices both
//! tiers share (see [`Translator::simd`]). Cranelift itself composes what older x86 CPUs
//! lack one instruction for (`i64x2` multiplies, arithmetic shifts and compares,
//! unsigned conversions, `popcnt`) from SSE4.1 instructions; the host CPU check
//! (`compile::SIMD_FEATURES`) guarantees those, and the unit test at the end compiles
//! every operator for such a CPU.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::types::{F32X4, F64X2, I8, I8X16, I16, I16X8, I32, I32X4, I64X2};
use cranelift_codegen::ir::{self, ConstantData, InstBuilder, MemFlagsData, Type, Value};
use cranelift_frontend::FunctionBuilder;

use super::{JitError, Translator, err};
use crate::syntax::{MemArg, SimdImm, SimdOp};

/// An `I8X16` constant with these bytes (lane 0 first).
pub(super) fn v128_const(b: &mut FunctionBuilder, bytes: [u8; 16]) -> Value {
    let handle = b.func.dfg.constants.insert(ConstantData::from(&bytes[..]));
    b.ins().vconst(I8X16, handle)
}

/// `v` as vector type `ty` (a no-op if it already is).
fn cast(b: &mut FunctionBuilder, ty: Type, v: Value) -> Value {
    if b.func.dfg.value_type(v) == ty {
        v
    } else {
        b.ins().bitcast(ty, MemFlagsData::new().with_endianness(ir::Endianness::Little), v)
    }
}

/// The lane shape an operator's name starts with (`i16x8.add` → `I16X8`; `v128.*` →
/// `I8X16`): the shape of its result, and of its operands unless it converts between
/// shapes (those arms name their operand shape).
fn shape(op: SimdOp) -> Type {
    match op.name().split('.').next() {
        Some("i16x8") => I16X8,
        Some("i32x4") => I32X4,
        Some("i64x2") => I64X2,
        Some("f32x4") => F32X4,
        Some("f64x2") => F64X2,
        _ => I8X16,
    }
}

/// The integer lane type of a `width`-byte lane access, and its vector shape.
fn lane_of_width(width: u8) -> Result<(Type, Type), JitError> {
    Ok(match width {
        1 => (I8, I8X16),
        2 => (I16, I16X8),
        4 => (I32, I32X4),
        8 => (ir::types::I64, I64X2),
        _ => return Err(err(format!("bad lane width {width}"))),
    })
}

impl Translator<'_, '_> {
    /// Fails with a typed error if the target lacks what SIMD code needs.
    pub(super) fn require_simd(&self) -> Result<(), JitError> {
        match self.simd_missing {
            Some(feature) => Err(JitError::MissingCpuFeature { feature, needed_for: "SIMD" }),
            None => Ok(()),
        }
    }

    /// Pops a `v128` as shape `ty`.
    fn vpop(&mut self, ty: Type) -> Result<Value, JitError> {
        let v = self.pop()?;
        Ok(cast(&mut self.b, ty, v))
    }

    /// Pushes a result: a vector as `I8X16`, a scalar as it is.
    fn vpush(&mut self, v: Value) {
        let v = if self.b.func.dfg.value_type(v).is_vector() { cast(&mut self.b, I8X16, v) } else { v };
        self.stack.push(v);
    }

    fn vun(&mut self, ty: Type, f: impl FnOnce(&mut FunctionBuilder, Value) -> Value) -> Result<(), JitError> {
        let a = self.vpop(ty)?;
        let r = f(&mut self.b, a);
        self.vpush(r);
        Ok(())
    }

    fn vbin(&mut self, ty: Type, f: impl FnOnce(&mut FunctionBuilder, Value, Value) -> Value) -> Result<(), JitError> {
        let y = self.vpop(ty)?;
        let x = self.vpop(ty)?;
        let r = f(&mut self.b, x, y);
        self.vpush(r);
        Ok(())
    }

    fn vter(
        &mut self,
        ty: Type,
        f: impl FnOnce(&mut FunctionBuilder, Value, Value, Value) -> Value,
    ) -> Result<(), JitError> {
        let z = self.vpop(ty)?;
        let y = self.vpop(ty)?;
        let x = self.vpop(ty)?;
        let r = f(&mut self.b, x, y, z);
        self.vpush(r);
        Ok(())
    }

    /// A lane-wise integer comparison: all ones where it holds.
    fn vicmp(&mut self, cc: IntCC, ty: Type) -> Result<(), JitError> {
        self.vbin(ty, |b, x, y| b.ins().icmp(cc, x, y))
    }

    /// A lane-wise float comparison: all ones where it holds (`ne` holds for NaNs).
    fn vfcmp(&mut self, cc: FloatCC, ty: Type) -> Result<(), JitError> {
        self.vbin(ty, |b, x, y| b.ins().fcmp(cc, x, y))
    }

    /// `i8x16.shuffle`: lanes of the 32-byte concatenation of the operands.
    pub(super) fn shuffle(&mut self, lanes: &[u8; 16]) -> Result<(), JitError> {
        self.require_simd()?;
        let mask = self.b.func.dfg.immediates.push(ConstantData::from(&lanes[..]));
        self.vbin(I8X16, |b, x, y| b.ins().shuffle(x, y, mask))
    }

    /// The operators without immediates (`SimdImm::Plain`).
    ///
    /// The relaxed operators take the choices both tiers make (so results never depend
    /// on the tier): `relaxed_swizzle` is `swizzle`; `relaxed_trunc*` are the `trunc_sat`
    /// operators; `relaxed_madd` is `a * b + c` and `relaxed_nmadd` is `-(a * b) + c`,
    /// each rounded twice (no fused multiply-add); `relaxed_laneselect` is `bitselect`;
    /// `relaxed_min`/`max` are `min`/`max`; `relaxed_q15mulr_s` is `q15mulr_sat_s`; the
    /// relaxed dot products treat both operands as signed bytes, the `i16x8` one
    /// wrapping each sum of two products, the `i32x4` one adding pairs of those wrapped
    /// sums (sign-extended) to the accumulator.
    pub(super) fn simd(&mut self, op: SimdOp) -> Result<(), JitError> {
        use SimdOp::*;
        self.require_simd()?;
        let t = shape(op);
        match op {
            // Splats.
            I8x16Splat | I16x8Splat => {
                let x = self.pop()?;
                let lane = self.b.ins().ireduce(t.lane_type(), x);
                let v = self.b.ins().splat(t, lane);
                self.vpush(v);
            }
            I32x4Splat | I64x2Splat | F32x4Splat | F64x2Splat => {
                let x = self.pop()?;
                let v = self.b.ins().splat(t, x);
                self.vpush(v);
            }
            I8x16Swizzle | I8x16RelaxedSwizzle => self.vbin(I8X16, |b, x, s| b.ins().swizzle(x, s))?,

            // Comparisons.
            I8x16Eq | I16x8Eq | I32x4Eq | I64x2Eq => self.vicmp(IntCC::Equal, t)?,
            I8x16Ne | I16x8Ne | I32x4Ne | I64x2Ne => self.vicmp(IntCC::NotEqual, t)?,
            I8x16LtS | I16x8LtS | I32x4LtS | I64x2LtS => self.vicmp(IntCC::SignedLessThan, t)?,
            I8x16LtU | I16x8LtU | I32x4LtU => self.vicmp(IntCC::UnsignedLessThan, t)?,
            I8x16GtS | I16x8GtS | I32x4GtS | I64x2GtS => self.vicmp(IntCC::SignedGreaterThan, t)?,
            I8x16GtU | I16x8GtU | I32x4GtU => self.vicmp(IntCC::UnsignedGreaterThan, t)?,
            I8x16LeS | I16x8LeS | I32x4LeS | I64x2LeS => self.vicmp(IntCC::SignedLessThanOrEqual, t)?,
            I8x16LeU | I16x8LeU | I32x4LeU => self.vicmp(IntCC::UnsignedLessThanOrEqual, t)?,
            I8x16GeS | I16x8GeS | I32x4GeS | I64x2GeS => self.vicmp(IntCC::SignedGreaterThanOrEqual, t)?,
            I8x16GeU | I16x8GeU | I32x4GeU => self.vicmp(IntCC::UnsignedGreaterThanOrEqual, t)?,
            F32x4Eq | F64x2Eq => self.vfcmp(FloatCC::Equal, t)?,
            F32x4Ne | F64x2Ne => self.vfcmp(FloatCC::NotEqual, t)?,
            F32x4Lt | F64x2Lt => self.vfcmp(FloatCC::LessThan, t)?,
            F32x4Gt | F64x2Gt => self.vfcmp(FloatCC::GreaterThan, t)?,
            F32x4Le | F64x2Le => self.vfcmp(FloatCC::LessThanOrEqual, t)?,
            F32x4Ge | F64x2Ge => self.vfcmp(FloatCC::GreaterThanOrEqual, t)?,

            // Bitwise operators and tests.
            V128Not => self.vun(I8X16, |b, x| b.ins().bnot(x))?,
            V128And => self.vbin(I8X16, |b, x, y| b.ins().band(x, y))?,
            V128Andnot => self.vbin(I8X16, |b, x, y| b.ins().band_not(x, y))?,
            V128Or => self.vbin(I8X16, |b, x, y| b.ins().bor(x, y))?,
            V128Xor => self.vbin(I8X16, |b, x, y| b.ins().bxor(x, y))?,
            // `bitselect(v1, v2, c)`: bits of v1 where c is set, else of v2.
            V128Bitselect
            | I8x16RelaxedLaneselect
            | I16x8RelaxedLaneselect
            | I32x4RelaxedLaneselect
            | I64x2RelaxedLaneselect => self.vter(I8X16, |b, x, y, c| b.ins().bitselect(c, x, y))?,
            V128AnyTrue => self.vun(I8X16, |b, x| {
                let r = b.ins().vany_true(x);
                b.ins().uextend(I32, r)
            })?,
            I8x16AllTrue | I16x8AllTrue | I32x4AllTrue | I64x2AllTrue => self.vun(t, |b, x| {
                let r = b.ins().vall_true(x);
                b.ins().uextend(I32, r)
            })?,
            I8x16Bitmask | I16x8Bitmask | I32x4Bitmask | I64x2Bitmask => {
                self.vun(t, |b, x| b.ins().vhigh_bits(I32, x))?
            }

            // Integer arithmetic.
            I8x16Abs | I16x8Abs | I32x4Abs | I64x2Abs => self.vun(t, |b, x| b.ins().iabs(x))?,
            I8x16Neg | I16x8Neg | I32x4Neg | I64x2Neg => self.vun(t, |b, x| b.ins().ineg(x))?,
            I8x16Popcnt => self.vun(t, |b, x| b.ins().popcnt(x))?,
            I8x16Add | I16x8Add | I32x4Add | I64x2Add => self.vbin(t, |b, x, y| b.ins().iadd(x, y))?,
            I8x16Sub | I16x8Sub | I32x4Sub | I64x2Sub => self.vbin(t, |b, x, y| b.ins().isub(x, y))?,
            I16x8Mul | I32x4Mul | I64x2Mul => self.vbin(t, |b, x, y| b.ins().imul(x, y))?,
            I8x16AddSatS | I16x8AddSatS => self.vbin(t, |b, x, y| b.ins().sadd_sat(x, y))?,
            I8x16AddSatU | I16x8AddSatU => self.vbin(t, |b, x, y| b.ins().uadd_sat(x, y))?,
            I8x16SubSatS | I16x8SubSatS => self.vbin(t, |b, x, y| b.ins().ssub_sat(x, y))?,
            I8x16SubSatU | I16x8SubSatU => self.vbin(t, |b, x, y| b.ins().usub_sat(x, y))?,
            I8x16MinS | I16x8MinS | I32x4MinS => self.vbin(t, |b, x, y| b.ins().smin(x, y))?,
            I8x16MinU | I16x8MinU | I32x4MinU => self.vbin(t, |b, x, y| b.ins().umin(x, y))?,
            I8x16MaxS | I16x8MaxS | I32x4MaxS => self.vbin(t, |b, x, y| b.ins().smax(x, y))?,
            I8x16MaxU | I16x8MaxU | I32x4MaxU => self.vbin(t, |b, x, y| b.ins().umax(x, y))?,
            I8x16AvgrU | I16x8AvgrU => self.vbin(t, |b, x, y| b.ins().avg_round(x, y))?,
            I16x8Q15mulrSatS | I16x8RelaxedQ15mulrS => self.vbin(t, |b, x, y| b.ins().sqmul_round_sat(x, y))?,

            // Shifts: Cranelift takes the count modulo the lane width, as wasm does.
            I8x16Shl | I16x8Shl | I32x4Shl | I64x2Shl => self.vshift(t, |b, x, n| b.ins().ishl(x, n))?,
            I8x16ShrS | I16x8ShrS | I32x4ShrS | I64x2ShrS => self.vshift(t, |b, x, n| b.ins().sshr(x, n))?,
            I8x16ShrU | I16x8ShrU | I32x4ShrU | I64x2ShrU => self.vshift(t, |b, x, n| b.ins().ushr(x, n))?,

            // Narrowing (saturating; both treat their operands as signed) and widening.
            I8x16NarrowI16x8S | I16x8NarrowI32x4S => self.vbin(wide(t), |b, x, y| b.ins().snarrow(x, y))?,
            I8x16NarrowI16x8U | I16x8NarrowI32x4U => self.vbin(wide(t), |b, x, y| b.ins().unarrow(x, y))?,
            I16x8ExtendLowI8x16S | I32x4ExtendLowI16x8S | I64x2ExtendLowI32x4S => {
                self.vun(narrow(t), |b, x| b.ins().swiden_low(x))?
            }
            I16x8ExtendHighI8x16S | I32x4ExtendHighI16x8S | I64x2ExtendHighI32x4S => {
                self.vun(narrow(t), |b, x| b.ins().swiden_high(x))?
            }
            I16x8ExtendLowI8x16U | I32x4ExtendLowI16x8U | I64x2ExtendLowI32x4U => {
                self.vun(narrow(t), |b, x| b.ins().uwiden_low(x))?
            }
            I16x8ExtendHighI8x16U | I32x4ExtendHighI16x8U | I64x2ExtendHighI32x4U => {
                self.vun(narrow(t), |b, x| b.ins().uwiden_high(x))?
            }

            // Extending multiplies and additions: widen, then operate on the wide lanes.
            I16x8ExtmulLowI8x16S | I32x4ExtmulLowI16x8S | I64x2ExtmulLowI32x4S => {
                self.vbin(narrow(t), |b, x, y| extmul(b, x, y, Widen::LowS))?
            }
            I16x8ExtmulHighI8x16S | I32x4ExtmulHighI16x8S | I64x2ExtmulHighI32x4S => {
                self.vbin(narrow(t), |b, x, y| extmul(b, x, y, Widen::HighS))?
            }
            I16x8ExtmulLowI8x16U | I32x4ExtmulLowI16x8U | I64x2ExtmulLowI32x4U => {
                self.vbin(narrow(t), |b, x, y| extmul(b, x, y, Widen::LowU))?
            }
            I16x8ExtmulHighI8x16U | I32x4ExtmulHighI16x8U | I64x2ExtmulHighI32x4U => {
                self.vbin(narrow(t), |b, x, y| extmul(b, x, y, Widen::HighU))?
            }
            I16x8ExtaddPairwiseI8x16S | I32x4ExtaddPairwiseI16x8S => self.vun(narrow(t), |b, x| {
                let (lo, hi) = (b.ins().swiden_low(x), b.ins().swiden_high(x));
                b.ins().iadd_pairwise(lo, hi)
            })?,
            I16x8ExtaddPairwiseI8x16U | I32x4ExtaddPairwiseI16x8U => self.vun(narrow(t), |b, x| {
                let (lo, hi) = (b.ins().uwiden_low(x), b.ins().uwiden_high(x));
                b.ins().iadd_pairwise(lo, hi)
            })?,
            // Lane i: x[2i] * y[2i] + x[2i+1] * y[2i+1], the products taken in the wide lanes.
            I32x4DotI16x8S | I16x8RelaxedDotI8x16I7x16S => self.vbin(narrow(t), signed_dot)?,
            I32x4RelaxedDotI8x16I7x16AddS => {
                let acc = self.vpop(I32X4)?;
                let y = self.vpop(I8X16)?;
                let x = self.vpop(I8X16)?;
                let b = &mut self.b;
                let dot = signed_dot(b, x, y);
                let (lo, hi) = (b.ins().swiden_low(dot), b.ins().swiden_high(dot));
                let sums = b.ins().iadd_pairwise(lo, hi);
                let r = b.ins().iadd(sums, acc);
                self.vpush(r);
            }

            // Float arithmetic. `fmin`/`fmax` have wasm's semantics (NaN if either operand
            // is, -0 below +0).
            F32x4Abs | F64x2Abs => self.vun(t, |b, x| b.ins().fabs(x))?,
            F32x4Neg | F64x2Neg => self.vun(t, |b, x| b.ins().fneg(x))?,
            F32x4Sqrt | F64x2Sqrt => self.vun(t, |b, x| b.ins().sqrt(x))?,
            F32x4Ceil | F64x2Ceil => self.vun(t, |b, x| b.ins().ceil(x))?,
            F32x4Floor | F64x2Floor => self.vun(t, |b, x| b.ins().floor(x))?,
            F32x4Trunc | F64x2Trunc => self.vun(t, |b, x| b.ins().trunc(x))?,
            F32x4Nearest | F64x2Nearest => self.vun(t, |b, x| b.ins().nearest(x))?,
            F32x4Add | F64x2Add => self.vbin(t, |b, x, y| b.ins().fadd(x, y))?,
            F32x4Sub | F64x2Sub => self.vbin(t, |b, x, y| b.ins().fsub(x, y))?,
            F32x4Mul | F64x2Mul => self.vbin(t, |b, x, y| b.ins().fmul(x, y))?,
            F32x4Div | F64x2Div => self.vbin(t, |b, x, y| b.ins().fdiv(x, y))?,
            F32x4Min | F64x2Min | F32x4RelaxedMin | F64x2RelaxedMin => self.vbin(t, |b, x, y| b.ins().fmin(x, y))?,
            F32x4Max | F64x2Max | F32x4RelaxedMax | F64x2RelaxedMax => self.vbin(t, |b, x, y| b.ins().fmax(x, y))?,
            // pmin(x, y) = y < x ? y : x; pmax(x, y) = x < y ? y : x (NaNs pass x through).
            F32x4Pmin | F64x2Pmin => self.vbin(t, |b, x, y| {
                let less = b.ins().fcmp(FloatCC::LessThan, y, x);
                let less = cast(b, t, less);
                b.ins().bitselect(less, y, x)
            })?,
            F32x4Pmax | F64x2Pmax => self.vbin(t, |b, x, y| {
                let less = b.ins().fcmp(FloatCC::LessThan, x, y);
                let less = cast(b, t, less);
                b.ins().bitselect(less, y, x)
            })?,
            F32x4RelaxedMadd | F64x2RelaxedMadd => self.vter(t, |b, x, y, z| {
                let p = b.ins().fmul(x, y);
                b.ins().fadd(p, z)
            })?,
            F32x4RelaxedNmadd | F64x2RelaxedNmadd => self.vter(t, |b, x, y, z| {
                let p = b.ins().fmul(x, y);
                let p = b.ins().fneg(p);
                b.ins().fadd(p, z)
            })?,

            // Conversions.
            I32x4TruncSatF32x4S | I32x4RelaxedTruncF32x4S => {
                self.vun(F32X4, |b, x| b.ins().fcvt_to_sint_sat(I32X4, x))?
            }
            I32x4TruncSatF32x4U | I32x4RelaxedTruncF32x4U => {
                self.vun(F32X4, |b, x| b.ins().fcvt_to_uint_sat(I32X4, x))?
            }
            // The two results, then two zero lanes: the x64 backend lowers an `I64X2`
            // saturating conversion only in this shape, narrowed against a zero vector
            // (with the saturation to 32 bits done in the float domain).
            I32x4TruncSatF64x2SZero | I32x4RelaxedTruncF64x2SZero => self.vun(F64X2, |b, x| {
                let wide = b.ins().fcvt_to_sint_sat(I64X2, x);
                let zero = zero_of(b, I64X2);
                b.ins().snarrow(wide, zero)
            })?,
            I32x4TruncSatF64x2UZero | I32x4RelaxedTruncF64x2UZero => self.vun(F64X2, |b, x| {
                let wide = b.ins().fcvt_to_uint_sat(I64X2, x);
                let zero = zero_of(b, I64X2);
                b.ins().uunarrow(wide, zero)
            })?,
            F32x4ConvertI32x4S => self.vun(I32X4, |b, x| b.ins().fcvt_from_sint(F32X4, x))?,
            F32x4ConvertI32x4U => self.vun(I32X4, |b, x| b.ins().fcvt_from_uint(F32X4, x))?,
            F64x2ConvertLowI32x4S => self.vun(I32X4, |b, x| {
                let wide = b.ins().swiden_low(x);
                b.ins().fcvt_from_sint(F64X2, wide)
            })?,
            F64x2ConvertLowI32x4U => self.vun(I32X4, |b, x| {
                let wide = b.ins().uwiden_low(x);
                b.ins().fcvt_from_uint(F64X2, wide)
            })?,
            F32x4DemoteF64x2Zero => self.vun(F64X2, |b, x| b.ins().fvdemote(x))?,
            F64x2PromoteLowF32x4 => self.vun(F32X4, |b, x| b.ins().fvpromote_low(x))?,

            // Operators with immediates come as other instructions.
            V128Load | V128Load8x8S | V128Load8x8U | V128Load16x4S | V128Load16x4U | V128Load32x2S | V128Load32x2U
            | V128Load8Splat | V128Load16Splat | V128Load32Splat | V128Load64Splat | V128Load32Zero
            | V128Load64Zero | V128Store | V128Load8Lane | V128Load16Lane | V128Load32Lane | V128Load64Lane
            | V128Store8Lane | V128Store16Lane | V128Store32Lane | V128Store64Lane | V128Const | I8x16Shuffle
            | I8x16ExtractLaneS | I8x16ExtractLaneU | I8x16ReplaceLane | I16x8ExtractLaneS | I16x8ExtractLaneU
            | I16x8ReplaceLane | I32x4ExtractLane | I32x4ReplaceLane | I64x2ExtractLane | I64x2ReplaceLane
            | F32x4ExtractLane | F32x4ReplaceLane | F64x2ExtractLane | F64x2ReplaceLane => {
                return Err(err(format!("{} without its immediate", op.name())));
            }
        }
        Ok(())
    }

    /// A shift of each lane of shape `ty` by an `i32` count.
    fn vshift(
        &mut self,
        ty: Type,
        f: impl FnOnce(&mut FunctionBuilder, Value, Value) -> Value,
    ) -> Result<(), JitError> {
        let n = self.pop()?;
        let x = self.vpop(ty)?;
        let r = f(&mut self.b, x, n);
        self.vpush(r);
        Ok(())
    }

    /// `extract_lane` and `replace_lane` (`SimdImm::Lane`).
    pub(super) fn simd_lane(&mut self, op: SimdOp, lane: u8) -> Result<(), JitError> {
        use SimdOp::*;
        self.require_simd()?;
        let t = shape(op);
        match op {
            I8x16ExtractLaneS | I16x8ExtractLaneS => self.vun(t, |b, x| {
                let l = b.ins().extractlane(x, lane);
                b.ins().sextend(I32, l)
            })?,
            I8x16ExtractLaneU | I16x8ExtractLaneU => self.vun(t, |b, x| {
                let l = b.ins().extractlane(x, lane);
                b.ins().uextend(I32, l)
            })?,
            I32x4ExtractLane | I64x2ExtractLane | F32x4ExtractLane | F64x2ExtractLane => {
                self.vun(t, |b, x| b.ins().extractlane(x, lane))?
            }
            I8x16ReplaceLane | I16x8ReplaceLane | I32x4ReplaceLane | I64x2ReplaceLane | F32x4ReplaceLane
            | F64x2ReplaceLane => {
                let mut s = self.pop()?;
                let x = self.vpop(t)?;
                if self.b.func.dfg.value_type(s) != t.lane_type() {
                    s = self.b.ins().ireduce(t.lane_type(), s);
                }
                let r = self.b.ins().insertlane(x, s, lane);
                self.vpush(r);
            }
            _ => return Err(err(format!("{} is not a lane operator", op.name()))),
        }
        Ok(())
    }

    /// Pops the address of a `width`-byte access and returns the native address and the
    /// static offset to put in the access (bounds checked for exactly `width` bytes, or
    /// left to guard pages).
    fn simd_addr(&mut self, arg: &MemArg, width: u8) -> Result<(Value, i32), JitError> {
        let index = self.pop()?;
        let oob = ir::TrapCode::HEAP_OUT_OF_BOUNDS;
        Ok(self.env.heap_addr(&mut self.b, self.vmctx, arg.memory, index, arg.offset, u32::from(width), oob))
    }

    /// Loads and stores of whole vectors, extending and splatting loads, `load*_zero`
    /// (`SimdImm::Mem`: the width is the number of bytes accessed).
    pub(super) fn simd_mem(&mut self, op: SimdOp, arg: &MemArg) -> Result<(), JitError> {
        use SimdOp::*;
        self.require_simd()?;
        let SimdImm::Mem(width) = op.imm() else {
            return Err(err(format!("{} is not a memory operator", op.name())));
        };
        let flags = self.heap_flags();
        if op == V128Store {
            let v = self.vpop(I8X16)?;
            let (addr, off) = self.simd_addr(arg, width)?;
            self.b.ins().store(flags, v, addr, off);
            return Ok(());
        }
        let (addr, off) = self.simd_addr(arg, width)?;
        let b = &mut self.b;
        let v = match op {
            V128Load => b.ins().load(I8X16, flags, addr, off),
            V128Load8x8S => b.ins().sload8x8(flags, addr, off),
            V128Load8x8U => b.ins().uload8x8(flags, addr, off),
            V128Load16x4S => b.ins().sload16x4(flags, addr, off),
            V128Load16x4U => b.ins().uload16x4(flags, addr, off),
            V128Load32x2S => b.ins().sload32x2(flags, addr, off),
            V128Load32x2U => b.ins().uload32x2(flags, addr, off),
            V128Load8Splat | V128Load16Splat | V128Load32Splat | V128Load64Splat => {
                let (lane, vector) = lane_of_width(width)?;
                let x = b.ins().load(lane, flags, addr, off);
                b.ins().splat(vector, x)
            }
            V128Load32Zero | V128Load64Zero => {
                let (lane, vector) = lane_of_width(width)?;
                let x = b.ins().load(lane, flags, addr, off);
                b.ins().scalar_to_vector(vector, x)
            }
            _ => return Err(err(format!("{} is not a load", op.name()))),
        };
        self.vpush(v);
        Ok(())
    }

    /// `v128.loadN_lane` and `v128.storeN_lane` (`SimdImm::MemLane`): one lane of `N`
    /// bits read into or written from the vector.
    pub(super) fn simd_mem_lane(&mut self, op: SimdOp, arg: &MemArg, lane: u8) -> Result<(), JitError> {
        use SimdOp::*;
        self.require_simd()?;
        let SimdImm::MemLane(width) = op.imm() else {
            return Err(err(format!("{} is not a lane access", op.name())));
        };
        let (lane_ty, vector) = lane_of_width(width)?;
        let flags = self.heap_flags();
        let x = self.vpop(vector)?;
        let (addr, off) = self.simd_addr(arg, width)?;
        match op {
            V128Load8Lane | V128Load16Lane | V128Load32Lane | V128Load64Lane => {
                let s = self.b.ins().load(lane_ty, flags, addr, off);
                let r = self.b.ins().insertlane(x, s, lane);
                self.vpush(r);
            }
            V128Store8Lane | V128Store16Lane | V128Store32Lane | V128Store64Lane => {
                let s = self.b.ins().extractlane(x, lane);
                self.b.ins().store(flags, s, addr, off);
            }
            _ => return Err(err(format!("{} is not a lane access", op.name()))),
        }
        Ok(())
    }
}

/// The shape with lanes twice as wide and half as many (`I8X16` → `I16X8`).
fn wide(t: Type) -> Type {
    t.merge_lanes().unwrap_or(t)
}

/// The shape with lanes half as wide and twice as many (`I32X4` → `I16X8`).
fn narrow(t: Type) -> Type {
    t.split_lanes().unwrap_or(t)
}

/// A zero vector of shape `t`.
fn zero_of(b: &mut FunctionBuilder, t: Type) -> Value {
    let handle = b.func.dfg.constants.insert(ConstantData::from(&[0u8; 16][..]));
    b.ins().vconst(t, handle)
}

/// Which half of the lanes an extending operator widens, and how.
#[derive(Clone, Copy)]
enum Widen {
    LowS,
    HighS,
    LowU,
    HighU,
}

/// `extmul`: the products of the widened lanes of one half of `x` and `y`.
fn extmul(b: &mut FunctionBuilder, x: Value, y: Value, half: Widen) -> Value {
    let (x, y) = match half {
        Widen::LowS => (b.ins().swiden_low(x), b.ins().swiden_low(y)),
        Widen::HighS => (b.ins().swiden_high(x), b.ins().swiden_high(y)),
        Widen::LowU => (b.ins().uwiden_low(x), b.ins().uwiden_low(y)),
        Widen::HighU => (b.ins().uwiden_high(x), b.ins().uwiden_high(y)),
    };
    b.ins().imul(x, y)
}

/// The signed dot product of `x` and `y` into lanes twice as wide: lane i is
/// `x[2i] * y[2i] + x[2i+1] * y[2i+1]`, wrapping.
fn signed_dot(b: &mut FunctionBuilder, x: Value, y: Value) -> Value {
    let lo = extmul(b, x, y, Widen::LowS);
    let hi = extmul(b, x, y, Widen::HighS);
    b.ins().iadd_pairwise(lo, hi)
}

#[cfg(test)]
mod tests {
    use super::super::{Cpu, JitError, compile_pieces, has_flag, isa_for};
    use crate::syntax::{SimdImm, SimdOp};

    /// A module with one function per SIMD operator of the table, taking the operator's
    /// operands as parameters and returning its results.
    fn every_operator() -> crate::syntax::Module {
        let mut wat = String::from("(module (memory 1)");
        for op in SimdOp::ALL {
            let list = |ts: &[crate::syntax::ValType]| ts.iter().map(|t| format!(" {t}")).collect::<String>();
            let gets: String = (0..op.params().len()).map(|i| format!(" local.get {i}")).collect();
            let instr = match op.imm() {
                SimdImm::Plain => op.name().to_string(),
                SimdImm::Lane(_) => format!("{} 1", op.name()),
                SimdImm::Mem(_) => format!("{} offset=16", op.name()),
                SimdImm::MemLane(_) => format!("{} offset=16 1", op.name()),
                SimdImm::Const => "v128.const i64x2 1 -2".to_string(),
                SimdImm::Shuffle => "i8x16.shuffle 0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 31".to_string(),
            };
            wat += &format!("(func (param{}) (result{}){gets} {instr})", list(op.params()), list(op.results()));
        }
        wat.push(')');
        let bytes = wat::parse_str(&wat).expect("valid text");
        crate::binary::decode(&bytes, &crate::Features::default()).expect("decodes")
    }

    fn compile(module: &crate::syntax::Module, cpu: Cpu, explicit_bounds: bool) -> Result<(), JitError> {
        let isa = isa_for(cpu).expect("host ISA");
        let numbers: Vec<usize> = (0..module.code.len() * 2).collect();
        compile_pieces(module, &*isa, explicit_bounds, false, false, &numbers, 1, &|| false).map(drop)
    }

    /// Cranelift lowers every operator both with the host's extensions (AVX-512 where
    /// present) and with only those SIMD code requires (where it composes the rest),
    /// under both bounds-check strategies.
    #[test]
    fn every_operator_compiles_for_the_host_and_for_the_simd_baseline() {
        let module = every_operator();
        assert_eq!(module.code.len(), SimdOp::ALL.len());
        let baseline = isa_for(Cpu::SimdBaseline).expect("host ISA");
        assert!(!has_flag(&*baseline, "has_avx") && !has_flag(&*baseline, "has_sse42"));
        for cpu in [Cpu::Host, Cpu::SimdBaseline] {
            for explicit_bounds in [false, true] {
                compile(&module, cpu, explicit_bounds).expect("compiles");
            }
        }
    }

    /// Without SSE3, SSSE3 and SSE4.1 a SIMD operator is a typed error naming the first
    /// missing extension, not code that would fault; `v128` values that are only moved
    /// around need nothing beyond SSE2.
    #[test]
    fn simd_on_a_cpu_without_sse41_is_a_typed_error() {
        let parse = |wat: &str| {
            let bytes = wat::parse_str(wat).expect("valid text");
            crate::binary::decode(&bytes, &crate::Features::default()).expect("decodes")
        };
        let uses_simd = parse("(module (func (result i32) (i8x16.all_true (i8x16.splat (i32.const 1)))))");
        assert_eq!(
            compile(&uses_simd, Cpu::Sse2, false),
            Err(JitError::MissingCpuFeature { feature: "SSE3", needed_for: "SIMD" })
        );
        let moves_only = parse(
            "(module (global $g (mut v128) (v128.const i64x2 0 0))
               (func (param v128 v128 i32) (result v128 v128)
                 (global.set $g (select (local.get 0) (local.get 1) (local.get 2)))
                 (global.get $g) (local.get 1)))",
        );
        compile(&moves_only, Cpu::Sse2, false).expect("compiles without SIMD instructions");
    }
}
