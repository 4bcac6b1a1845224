//! The semantics of the SIMD and relaxed-SIMD operators for the interpreter (spec §4.4.3
//! "Vector Instructions", lifting the scalar numerics of §4.3 lanewise; §4.3.4 for the
//! vector conversions; the relaxed-SIMD proposal of WebAssembly 3.0 with one fixed choice
//! per operator, the same as the JIT's).
//!
//! A `v128` is a `u128` with lane 0 in the least significant bits. [`eval`] computes every
//! operator that does not touch memory, [`loaded`] and [`store_lane_bits`] the vector side
//! of the loads and lane stores; the integrator does the memory access.
//!
//! Each operator is written twice, side by side in [`eval_with`]'s one `match`:
//! - a portable expression over lane arrays (`[i8; 16]`, `[f32; 4]`, ...), which reads
//!   like the spec and is the reference;
//! - on x86-64, where a short SSE2 sequence exists, that sequence. SSE2 is the x86-64
//!   baseline, so no feature detection is needed. LLVM does not vectorise the lane loops:
//!   a `u128` converted to and from a lane array becomes 128-bit shifts, masks and ors per
//!   lane, so `i8x16.add` compiles to dozens of scalar instructions instead of one `paddb`.
//!
//! The tests check hand-computed cases on both forms and compare the two on every operator
//! for many inputs. Float results that are NaN follow the spec's rules for the scalar
//! operators: an arithmetic NaN, canonical when every NaN operand is (the SSE2 `min`/`max`
//! always return the canonical NaN). Relaxed operators: `relaxed_swizzle` is `swizzle`,
//! `relaxed_trunc*` are `trunc_sat*`, `relaxed_madd`/`relaxed_nmadd` round twice (not
//! fused), `relaxed_laneselect` is `bitselect`, `relaxed_min`/`relaxed_max` are `min`/`max`,
//! `relaxed_q15mulr_s` is `q15mulr_sat_s`, and the `i7x16` dot products treat both
//! operands as signed bytes.

// The interpreter's SIMD handlers are the callers; until they exist only the tests are.

use core::array::from_fn;

use super::numeric;
use crate::syntax::SimdOp;

/// Evaluates a SIMD operator that does not access memory (every `SimdImm::Plain` and
/// `SimdImm::Lane` operator, and `I8x16Shuffle`). Vector operands are `u128` with lane 0
/// in the least significant bits; a scalar operand (i32, i64, f32 or f64 bits) is
/// zero-extended into the u128. `lane` is the lane immediate of extract/replace_lane
/// (ignored otherwise; taken modulo the lane count). For `I8x16Shuffle`, `c` holds the 16
/// lane indices (byte i of c = index for result lane i, taken modulo 32). Operand order is
/// wasm order: a = first operand, b = second, c = third (bitselect/laneselect mask, madd
/// addend, dot-add accumulator). A scalar result is returned in the low bits (an i32
/// zero-extended, so bits 32..128 are 0; f32 as its bits). Never panics; returns 0 for the
/// operators with memory immediates and for `V128Const`, which the integrator evaluates.
#[inline(always)]
pub(crate) fn eval(op: SimdOp, lane: u8, a: u128, b: u128, c: u128) -> u128 {
    eval_with::<true>(op, lane, a, b, c)
}

/// The vector produced by a SIMD load (`SimdImm::Mem` loads: v128.load, load8x8_s/u,
/// load16x4_s/u, load32x2_s/u, loadN_splat, load32_zero, load64_zero; and
/// `SimdImm::MemLane` loads v128.loadN_lane) from the `width` bytes read from memory,
/// given little-endian in the low bits of `raw` (higher bits zero). For the lane loads,
/// `v` is the vector operand and `lane` the lane to replace; ignored otherwise. Returns 0
/// for any other operator.
#[inline(always)]
pub(crate) fn loaded(op: SimdOp, raw: u128, v: u128, lane: u8) -> u128 {
    use SimdOp::*;
    let lane = u32::from(lane);
    match op {
        V128Load => raw,
        V128Load8x8S => eval(I16x8ExtendLowI8x16S, 0, raw, 0, 0),
        V128Load8x8U => eval(I16x8ExtendLowI8x16U, 0, raw, 0, 0),
        V128Load16x4S => eval(I32x4ExtendLowI16x8S, 0, raw, 0, 0),
        V128Load16x4U => eval(I32x4ExtendLowI16x8U, 0, raw, 0, 0),
        V128Load32x2S => eval(I64x2ExtendLowI32x4S, 0, raw, 0, 0),
        V128Load32x2U => eval(I64x2ExtendLowI32x4U, 0, raw, 0, 0),
        V128Load8Splat => eval(I8x16Splat, 0, raw, 0, 0),
        V128Load16Splat => eval(I16x8Splat, 0, raw, 0, 0),
        V128Load32Splat => eval(I32x4Splat, 0, raw, 0, 0),
        V128Load64Splat => eval(I64x2Splat, 0, raw, 0, 0),
        V128Load32Zero => u128::from(raw as u32),
        V128Load64Zero => u128::from(raw as u64),
        V128Load8Lane => replace(v, lane, 8, raw as u64),
        V128Load16Lane => replace(v, lane, 16, raw as u64),
        V128Load32Lane => replace(v, lane, 32, raw as u64),
        V128Load64Lane => replace(v, lane, 64, raw as u64),
        _ => 0,
    }
}

/// For `v128.storeN_lane`: the N/8 bytes to store (little-endian, low bits) of lane `lane`
/// (modulo the lane count) of `v`. Returns 0 for any other operator.
#[inline(always)]
pub(crate) fn store_lane_bits(op: SimdOp, v: u128, lane: u8) -> u64 {
    let lane = u32::from(lane);
    match op {
        SimdOp::V128Store8Lane => extract(v, lane, 8),
        SimdOp::V128Store16Lane => extract(v, lane, 16),
        SimdOp::V128Store32Lane => extract(v, lane, 32),
        SimdOp::V128Store64Lane => extract(v, lane, 64),
        _ => 0,
    }
}

/// `pick!(portable, sse2: fast)`: the SSE2 expression on x86-64 when `X86` is set, else the
/// portable one. Both are type-checked on x86-64; the tests run both.
macro_rules! pick {
    ($portable:expr, sse2: $sse2:expr) => {{
        #[cfg(target_arch = "x86_64")]
        let r = if X86 { $sse2 } else { $portable };
        #[cfg(not(target_arch = "x86_64"))]
        let r = $portable;
        r
    }};
}

/// [`eval`], with the SSE2 forms when `X86` (on x86-64) and only the portable forms
/// otherwise. With a constant `op` the `match` folds to the one arm.
#[inline(always)]
fn eval_with<const X86: bool>(op: SimdOp, lane: u8, a: u128, b: u128, c: u128) -> u128 {
    use SimdOp::*;
    #[cfg(target_arch = "x86_64")]
    use x86::*;
    let lane = u32::from(lane);
    // The shift count, for the shifts (taken modulo the lane width by each shift).
    let n = b as u32;
    match op {
        // Memory operators and `v128.const`: the integrator evaluates them (see `loaded`).
        V128Load | V128Load8x8S | V128Load8x8U | V128Load16x4S | V128Load16x4U | V128Load32x2S | V128Load32x2U
        | V128Load8Splat | V128Load16Splat | V128Load32Splat | V128Load64Splat | V128Load32Zero | V128Load64Zero
        | V128Store | V128Load8Lane | V128Load16Lane | V128Load32Lane | V128Load64Lane | V128Store8Lane
        | V128Store16Lane | V128Store32Lane | V128Store64Lane | V128Const => 0,

        // Lanes, splats, shuffles.
        I8x16Shuffle => shuffle(a, b, c),
        I8x16Swizzle | I8x16RelaxedSwizzle => swizzle(a, b),
        I8x16ExtractLaneS => scalar32(extract(a, lane, 8) as i8 as i32),
        I8x16ExtractLaneU => u128::from(extract(a, lane, 8)),
        I16x8ExtractLaneS => scalar32(extract(a, lane, 16) as i16 as i32),
        I16x8ExtractLaneU => u128::from(extract(a, lane, 16)),
        I32x4ExtractLane | F32x4ExtractLane => u128::from(extract(a, lane, 32)),
        I64x2ExtractLane | F64x2ExtractLane => u128::from(extract(a, lane, 64)),
        I8x16ReplaceLane => replace(a, lane, 8, b as u64),
        I16x8ReplaceLane => replace(a, lane, 16, b as u64),
        I32x4ReplaceLane | F32x4ReplaceLane => replace(a, lane, 32, b as u64),
        I64x2ReplaceLane | F64x2ReplaceLane => replace(a, lane, 64, b as u64),
        I8x16Splat => pick!([a as u8; 16].v128(), sse2: v(_mm_set1_epi8(a as i8))),
        I16x8Splat => pick!([a as u16; 8].v128(), sse2: v(_mm_set1_epi16(a as i16))),
        I32x4Splat | F32x4Splat => pick!([a as u32; 4].v128(), sse2: v(_mm_set1_epi32(a as i32))),
        I64x2Splat | F64x2Splat => pick!([a as u64; 2].v128(), sse2: v(_mm_set1_epi64x(a as i64))),

        // Comparisons: all ones where true.
        I8x16Eq => pick!(cmp(i8s(a), i8s(b), |x, y| x == y), sse2: bin(a, b, _mm_cmpeq_epi8)),
        I8x16Ne => pick!(cmp(i8s(a), i8s(b), |x, y| x != y), sse2: not(bin(a, b, _mm_cmpeq_epi8))),
        I8x16LtS => pick!(cmp(i8s(a), i8s(b), |x, y| x < y), sse2: bin(a, b, _mm_cmplt_epi8)),
        I8x16LtU => pick!(cmp(u8s(a), u8s(b), |x, y| x < y), sse2: gt_u8(b, a)),
        I8x16GtS => pick!(cmp(i8s(a), i8s(b), |x, y| x > y), sse2: bin(a, b, _mm_cmpgt_epi8)),
        I8x16GtU => pick!(cmp(u8s(a), u8s(b), |x, y| x > y), sse2: gt_u8(a, b)),
        I8x16LeS => pick!(cmp(i8s(a), i8s(b), |x, y| x <= y), sse2: not(bin(a, b, _mm_cmpgt_epi8))),
        I8x16LeU => pick!(cmp(u8s(a), u8s(b), |x, y| x <= y), sse2: not(gt_u8(a, b))),
        I8x16GeS => pick!(cmp(i8s(a), i8s(b), |x, y| x >= y), sse2: not(bin(a, b, _mm_cmplt_epi8))),
        I8x16GeU => pick!(cmp(u8s(a), u8s(b), |x, y| x >= y), sse2: not(gt_u8(b, a))),
        I16x8Eq => pick!(cmp(i16s(a), i16s(b), |x, y| x == y), sse2: bin(a, b, _mm_cmpeq_epi16)),
        I16x8Ne => pick!(cmp(i16s(a), i16s(b), |x, y| x != y), sse2: not(bin(a, b, _mm_cmpeq_epi16))),
        I16x8LtS => pick!(cmp(i16s(a), i16s(b), |x, y| x < y), sse2: bin(a, b, _mm_cmplt_epi16)),
        I16x8LtU => pick!(cmp(u16s(a), u16s(b), |x, y| x < y), sse2: gt_u16(b, a)),
        I16x8GtS => pick!(cmp(i16s(a), i16s(b), |x, y| x > y), sse2: bin(a, b, _mm_cmpgt_epi16)),
        I16x8GtU => pick!(cmp(u16s(a), u16s(b), |x, y| x > y), sse2: gt_u16(a, b)),
        I16x8LeS => pick!(cmp(i16s(a), i16s(b), |x, y| x <= y), sse2: not(bin(a, b, _mm_cmpgt_epi16))),
        I16x8LeU => pick!(cmp(u16s(a), u16s(b), |x, y| x <= y), sse2: not(gt_u16(a, b))),
        I16x8GeS => pick!(cmp(i16s(a), i16s(b), |x, y| x >= y), sse2: not(bin(a, b, _mm_cmplt_epi16))),
        I16x8GeU => pick!(cmp(u16s(a), u16s(b), |x, y| x >= y), sse2: not(gt_u16(b, a))),
        I32x4Eq => pick!(cmp(i32s(a), i32s(b), |x, y| x == y), sse2: bin(a, b, _mm_cmpeq_epi32)),
        I32x4Ne => pick!(cmp(i32s(a), i32s(b), |x, y| x != y), sse2: not(bin(a, b, _mm_cmpeq_epi32))),
        I32x4LtS => pick!(cmp(i32s(a), i32s(b), |x, y| x < y), sse2: bin(a, b, _mm_cmplt_epi32)),
        I32x4LtU => pick!(cmp(u32s(a), u32s(b), |x, y| x < y), sse2: gt_u32(b, a)),
        I32x4GtS => pick!(cmp(i32s(a), i32s(b), |x, y| x > y), sse2: bin(a, b, _mm_cmpgt_epi32)),
        I32x4GtU => pick!(cmp(u32s(a), u32s(b), |x, y| x > y), sse2: gt_u32(a, b)),
        I32x4LeS => pick!(cmp(i32s(a), i32s(b), |x, y| x <= y), sse2: not(bin(a, b, _mm_cmpgt_epi32))),
        I32x4LeU => pick!(cmp(u32s(a), u32s(b), |x, y| x <= y), sse2: not(gt_u32(a, b))),
        I32x4GeS => pick!(cmp(i32s(a), i32s(b), |x, y| x >= y), sse2: not(bin(a, b, _mm_cmplt_epi32))),
        I32x4GeU => pick!(cmp(u32s(a), u32s(b), |x, y| x >= y), sse2: not(gt_u32(b, a))),
        I64x2Eq => pick!(cmp(i64s(a), i64s(b), |x, y| x == y), sse2: v(eq_i64(m(a), m(b)))),
        I64x2Ne => pick!(cmp(i64s(a), i64s(b), |x, y| x != y), sse2: not(v(eq_i64(m(a), m(b))))),
        I64x2LtS => pick!(cmp(i64s(a), i64s(b), |x, y| x < y), sse2: gt_i64(b, a)),
        I64x2GtS => pick!(cmp(i64s(a), i64s(b), |x, y| x > y), sse2: gt_i64(a, b)),
        I64x2LeS => pick!(cmp(i64s(a), i64s(b), |x, y| x <= y), sse2: not(gt_i64(a, b))),
        I64x2GeS => pick!(cmp(i64s(a), i64s(b), |x, y| x >= y), sse2: not(gt_i64(b, a))),
        F32x4Eq => pick!(cmp(f32s(a), f32s(b), |x, y| x == y), sse2: cmp_ps(a, b, _mm_cmpeq_ps)),
        F32x4Ne => pick!(cmp(f32s(a), f32s(b), |x, y| x != y), sse2: cmp_ps(a, b, _mm_cmpneq_ps)),
        F32x4Lt => pick!(cmp(f32s(a), f32s(b), |x, y| x < y), sse2: cmp_ps(a, b, _mm_cmplt_ps)),
        F32x4Gt => pick!(cmp(f32s(a), f32s(b), |x, y| x > y), sse2: cmp_ps(a, b, _mm_cmpgt_ps)),
        F32x4Le => pick!(cmp(f32s(a), f32s(b), |x, y| x <= y), sse2: cmp_ps(a, b, _mm_cmple_ps)),
        F32x4Ge => pick!(cmp(f32s(a), f32s(b), |x, y| x >= y), sse2: cmp_ps(a, b, _mm_cmpge_ps)),
        F64x2Eq => pick!(cmp(f64s(a), f64s(b), |x, y| x == y), sse2: cmp_pd(a, b, _mm_cmpeq_pd)),
        F64x2Ne => pick!(cmp(f64s(a), f64s(b), |x, y| x != y), sse2: cmp_pd(a, b, _mm_cmpneq_pd)),
        F64x2Lt => pick!(cmp(f64s(a), f64s(b), |x, y| x < y), sse2: cmp_pd(a, b, _mm_cmplt_pd)),
        F64x2Gt => pick!(cmp(f64s(a), f64s(b), |x, y| x > y), sse2: cmp_pd(a, b, _mm_cmpgt_pd)),
        F64x2Le => pick!(cmp(f64s(a), f64s(b), |x, y| x <= y), sse2: cmp_pd(a, b, _mm_cmple_pd)),
        F64x2Ge => pick!(cmp(f64s(a), f64s(b), |x, y| x >= y), sse2: cmp_pd(a, b, _mm_cmpge_pd)),

        // Bitwise: plain `u128` operations, which LLVM maps to whichever registers hold the
        // operands.
        V128Not => !a,
        V128And => a & b,
        V128Andnot => a & !b,
        V128Or => a | b,
        V128Xor => a ^ b,
        V128Bitselect
        | I8x16RelaxedLaneselect
        | I16x8RelaxedLaneselect
        | I32x4RelaxedLaneselect
        | I64x2RelaxedLaneselect => (a & c) | (b & !c),
        V128AnyTrue => u128::from(a != 0),

        // i8x16.
        I8x16Abs => pick!(i8s(a).map(i8::wrapping_abs).v128(), sse2: abs_i8(a)),
        I8x16Neg => pick!(i8s(a).map(i8::wrapping_neg).v128(), sse2: bin(0, a, _mm_sub_epi8)),
        I8x16Popcnt => pick!(u8s(a).map(|x| x.count_ones() as u8).v128(), sse2: popcnt_i8(a)),
        I8x16AllTrue => pick!(all_true(u8s(a)), sse2: all_true_with(a, _mm_cmpeq_epi8)),
        I8x16Bitmask => pick!(bitmask(i8s(a), |x| x < 0), sse2: scalar32(_mm_movemask_epi8(m(a)))),
        I8x16NarrowI16x8S => pick!(
            narrow(i16s(a), i16s(b), |x| x.clamp(i8::MIN.into(), i8::MAX.into()) as i8),
            sse2: bin(a, b, _mm_packs_epi16)
        ),
        I8x16NarrowI16x8U => pick!(
            narrow(i16s(a), i16s(b), |x| x.clamp(0, u8::MAX.into()) as u8),
            sse2: bin(a, b, _mm_packus_epi16)
        ),
        I8x16Shl => pick!(u8s(a).map(|x| x.wrapping_shl(n)).v128(), sse2: shl_i8(a, n)),
        I8x16ShrS => pick!(i8s(a).map(|x| x.wrapping_shr(n)).v128(), sse2: shr_s_i8(a, n)),
        I8x16ShrU => pick!(u8s(a).map(|x| x.wrapping_shr(n)).v128(), sse2: shr_u_i8(a, n)),
        I8x16Add => pick!(zip(u8s(a), u8s(b), u8::wrapping_add).v128(), sse2: bin(a, b, _mm_add_epi8)),
        I8x16AddSatS => pick!(zip(i8s(a), i8s(b), i8::saturating_add).v128(), sse2: bin(a, b, _mm_adds_epi8)),
        I8x16AddSatU => pick!(zip(u8s(a), u8s(b), u8::saturating_add).v128(), sse2: bin(a, b, _mm_adds_epu8)),
        I8x16Sub => pick!(zip(u8s(a), u8s(b), u8::wrapping_sub).v128(), sse2: bin(a, b, _mm_sub_epi8)),
        I8x16SubSatS => pick!(zip(i8s(a), i8s(b), i8::saturating_sub).v128(), sse2: bin(a, b, _mm_subs_epi8)),
        I8x16SubSatU => pick!(zip(u8s(a), u8s(b), u8::saturating_sub).v128(), sse2: bin(a, b, _mm_subs_epu8)),
        I8x16MinS => pick!(zip(i8s(a), i8s(b), i8::min).v128(), sse2: signed_via_u8(a, b, _mm_min_epu8)),
        I8x16MinU => pick!(zip(u8s(a), u8s(b), u8::min).v128(), sse2: bin(a, b, _mm_min_epu8)),
        I8x16MaxS => pick!(zip(i8s(a), i8s(b), i8::max).v128(), sse2: signed_via_u8(a, b, _mm_max_epu8)),
        I8x16MaxU => pick!(zip(u8s(a), u8s(b), u8::max).v128(), sse2: bin(a, b, _mm_max_epu8)),
        I8x16AvgrU => pick!(
            zip(u8s(a), u8s(b), |x, y| ((u16::from(x) + u16::from(y) + 1) >> 1) as u8).v128(),
            sse2: bin(a, b, _mm_avg_epu8)
        ),

        // i16x8.
        I16x8ExtaddPairwiseI8x16S => pick!(
            pairwise(i8s(a), |x, y| i16::from(x) + i16::from(y)).v128(),
            sse2: extadd_pairwise_i8(a, true)
        ),
        I16x8ExtaddPairwiseI8x16U => pick!(
            pairwise(u8s(a), |x, y| u16::from(x) + u16::from(y)).v128(),
            sse2: extadd_pairwise_i8(a, false)
        ),
        I16x8Abs => pick!(i16s(a).map(i16::wrapping_abs).v128(), sse2: abs_i16(a)),
        I16x8Neg => pick!(i16s(a).map(i16::wrapping_neg).v128(), sse2: bin(0, a, _mm_sub_epi16)),
        I16x8Q15mulrSatS | I16x8RelaxedQ15mulrS => pick!(
            zip(i16s(a), i16s(b), q15mulr_sat).v128(),
            sse2: q15mulr_sat_i16(a, b)
        ),
        I16x8AllTrue => pick!(all_true(u16s(a)), sse2: all_true_with(a, _mm_cmpeq_epi16)),
        I16x8Bitmask => pick!(bitmask(i16s(a), |x| x < 0), sse2: bitmask_i16(a)),
        I16x8NarrowI32x4S => pick!(
            narrow(i32s(a), i32s(b), |x| x.clamp(i16::MIN.into(), i16::MAX.into()) as i16),
            sse2: bin(a, b, _mm_packs_epi32)
        ),
        I16x8NarrowI32x4U => pick!(
            narrow(i32s(a), i32s(b), |x| x.clamp(0, u16::MAX.into()) as u16),
            sse2: narrow_u_i32(a, b)
        ),
        I16x8ExtendLowI8x16S => pick!(widen(i8s(a), 0, i16::from).v128(), sse2: v(extend_i8(a, false, true))),
        I16x8ExtendHighI8x16S => pick!(widen(i8s(a), 8, i16::from).v128(), sse2: v(extend_i8(a, true, true))),
        I16x8ExtendLowI8x16U => pick!(widen(u8s(a), 0, u16::from).v128(), sse2: v(extend_i8(a, false, false))),
        I16x8ExtendHighI8x16U => pick!(widen(u8s(a), 8, u16::from).v128(), sse2: v(extend_i8(a, true, false))),
        I16x8Shl => pick!(u16s(a).map(|x| x.wrapping_shl(n)).v128(), sse2: shift(a, n & 15, _mm_sll_epi16)),
        I16x8ShrS => pick!(i16s(a).map(|x| x.wrapping_shr(n)).v128(), sse2: shift(a, n & 15, _mm_sra_epi16)),
        I16x8ShrU => pick!(u16s(a).map(|x| x.wrapping_shr(n)).v128(), sse2: shift(a, n & 15, _mm_srl_epi16)),
        I16x8Add => pick!(zip(u16s(a), u16s(b), u16::wrapping_add).v128(), sse2: bin(a, b, _mm_add_epi16)),
        I16x8AddSatS => pick!(zip(i16s(a), i16s(b), i16::saturating_add).v128(), sse2: bin(a, b, _mm_adds_epi16)),
        I16x8AddSatU => pick!(zip(u16s(a), u16s(b), u16::saturating_add).v128(), sse2: bin(a, b, _mm_adds_epu16)),
        I16x8Sub => pick!(zip(u16s(a), u16s(b), u16::wrapping_sub).v128(), sse2: bin(a, b, _mm_sub_epi16)),
        I16x8SubSatS => pick!(zip(i16s(a), i16s(b), i16::saturating_sub).v128(), sse2: bin(a, b, _mm_subs_epi16)),
        I16x8SubSatU => pick!(zip(u16s(a), u16s(b), u16::saturating_sub).v128(), sse2: bin(a, b, _mm_subs_epu16)),
        I16x8Mul => pick!(zip(u16s(a), u16s(b), u16::wrapping_mul).v128(), sse2: bin(a, b, _mm_mullo_epi16)),
        I16x8MinS => pick!(zip(i16s(a), i16s(b), i16::min).v128(), sse2: bin(a, b, _mm_min_epi16)),
        I16x8MinU => pick!(zip(u16s(a), u16s(b), u16::min).v128(), sse2: min_u16(a, b)),
        I16x8MaxS => pick!(zip(i16s(a), i16s(b), i16::max).v128(), sse2: bin(a, b, _mm_max_epi16)),
        I16x8MaxU => pick!(zip(u16s(a), u16s(b), u16::max).v128(), sse2: max_u16(a, b)),
        I16x8AvgrU => pick!(
            zip(u16s(a), u16s(b), |x, y| ((u32::from(x) + u32::from(y) + 1) >> 1) as u16).v128(),
            sse2: bin(a, b, _mm_avg_epu16)
        ),
        I16x8ExtmulLowI8x16S => pick!(
            zip(widen(i8s(a), 0, i16::from), widen(i8s(b), 0, i16::from), i16::wrapping_mul).v128(),
            sse2: v(_mm_mullo_epi16(extend_i8(a, false, true), extend_i8(b, false, true)))
        ),
        I16x8ExtmulHighI8x16S => pick!(
            zip(widen(i8s(a), 8, i16::from), widen(i8s(b), 8, i16::from), i16::wrapping_mul).v128(),
            sse2: v(_mm_mullo_epi16(extend_i8(a, true, true), extend_i8(b, true, true)))
        ),
        I16x8ExtmulLowI8x16U => pick!(
            zip(widen(u8s(a), 0, u16::from), widen(u8s(b), 0, u16::from), u16::wrapping_mul).v128(),
            sse2: v(_mm_mullo_epi16(extend_i8(a, false, false), extend_i8(b, false, false)))
        ),
        I16x8ExtmulHighI8x16U => pick!(
            zip(widen(u8s(a), 8, u16::from), widen(u8s(b), 8, u16::from), u16::wrapping_mul).v128(),
            sse2: v(_mm_mullo_epi16(extend_i8(a, true, false), extend_i8(b, true, false)))
        ),
        I16x8RelaxedDotI8x16I7x16S => pick!(dot_i8(a, b).v128(), sse2: v(dot_i8_sse2(a, b))),

        // i32x4.
        I32x4ExtaddPairwiseI16x8S => pick!(
            pairwise(i16s(a), |x, y| i32::from(x) + i32::from(y)).v128(),
            sse2: v(_mm_madd_epi16(m(a), _mm_set1_epi16(1)))
        ),
        I32x4ExtaddPairwiseI16x8U => pick!(
            pairwise(u16s(a), |x, y| u32::from(x) + u32::from(y)).v128(),
            sse2: extadd_pairwise_u16(a)
        ),
        I32x4Abs => pick!(i32s(a).map(i32::wrapping_abs).v128(), sse2: abs_i32(a)),
        I32x4Neg => pick!(i32s(a).map(i32::wrapping_neg).v128(), sse2: bin(0, a, _mm_sub_epi32)),
        I32x4AllTrue => pick!(all_true(u32s(a)), sse2: all_true_with(a, _mm_cmpeq_epi32)),
        I32x4Bitmask => pick!(
            bitmask(i32s(a), |x| x < 0),
            sse2: scalar32(_mm_movemask_ps(_mm_castsi128_ps(m(a))))
        ),
        I32x4ExtendLowI16x8S => pick!(widen(i16s(a), 0, i32::from).v128(), sse2: v(extend_i16(a, false, true))),
        I32x4ExtendHighI16x8S => pick!(widen(i16s(a), 4, i32::from).v128(), sse2: v(extend_i16(a, true, true))),
        I32x4ExtendLowI16x8U => pick!(widen(u16s(a), 0, u32::from).v128(), sse2: v(extend_i16(a, false, false))),
        I32x4ExtendHighI16x8U => pick!(widen(u16s(a), 4, u32::from).v128(), sse2: v(extend_i16(a, true, false))),
        I32x4Shl => pick!(u32s(a).map(|x| x.wrapping_shl(n)).v128(), sse2: shift(a, n & 31, _mm_sll_epi32)),
        I32x4ShrS => pick!(i32s(a).map(|x| x.wrapping_shr(n)).v128(), sse2: shift(a, n & 31, _mm_sra_epi32)),
        I32x4ShrU => pick!(u32s(a).map(|x| x.wrapping_shr(n)).v128(), sse2: shift(a, n & 31, _mm_srl_epi32)),
        I32x4Add => pick!(zip(u32s(a), u32s(b), u32::wrapping_add).v128(), sse2: bin(a, b, _mm_add_epi32)),
        I32x4Sub => pick!(zip(u32s(a), u32s(b), u32::wrapping_sub).v128(), sse2: bin(a, b, _mm_sub_epi32)),
        I32x4Mul => pick!(zip(u32s(a), u32s(b), u32::wrapping_mul).v128(), sse2: mul_i32(a, b)),
        I32x4MinS => pick!(zip(i32s(a), i32s(b), i32::min).v128(), sse2: min_max_i32(a, b, false, true)),
        I32x4MinU => pick!(zip(u32s(a), u32s(b), u32::min).v128(), sse2: min_max_i32(a, b, false, false)),
        I32x4MaxS => pick!(zip(i32s(a), i32s(b), i32::max).v128(), sse2: min_max_i32(a, b, true, true)),
        I32x4MaxU => pick!(zip(u32s(a), u32s(b), u32::max).v128(), sse2: min_max_i32(a, b, true, false)),
        I32x4DotI16x8S => pick!(
            pairwise(zip(i16s(a), i16s(b), |x, y| i32::from(x) * i32::from(y)), i32::wrapping_add).v128(),
            sse2: bin(a, b, _mm_madd_epi16)
        ),
        I32x4ExtmulLowI16x8S => pick!(
            zip(widen(i16s(a), 0, i32::from), widen(i16s(b), 0, i32::from), i32::wrapping_mul).v128(),
            sse2: extmul_i16(a, b, false, true)
        ),
        I32x4ExtmulHighI16x8S => pick!(
            zip(widen(i16s(a), 4, i32::from), widen(i16s(b), 4, i32::from), i32::wrapping_mul).v128(),
            sse2: extmul_i16(a, b, true, true)
        ),
        I32x4ExtmulLowI16x8U => pick!(
            zip(widen(u16s(a), 0, u32::from), widen(u16s(b), 0, u32::from), u32::wrapping_mul).v128(),
            sse2: extmul_i16(a, b, false, false)
        ),
        I32x4ExtmulHighI16x8U => pick!(
            zip(widen(u16s(a), 4, u32::from), widen(u16s(b), 4, u32::from), u32::wrapping_mul).v128(),
            sse2: extmul_i16(a, b, true, false)
        ),
        I32x4RelaxedDotI8x16I7x16AddS => pick!(
            zip(pairwise(dot_i8(a, b), |x, y| i32::from(x) + i32::from(y)), i32s(c), i32::wrapping_add).v128(),
            sse2: v(_mm_add_epi32(_mm_madd_epi16(dot_i8_sse2(a, b), _mm_set1_epi16(1)), m(c)))
        ),

        // i64x2.
        I64x2Abs => pick!(i64s(a).map(i64::wrapping_abs).v128(), sse2: abs_i64(a)),
        I64x2Neg => pick!(i64s(a).map(i64::wrapping_neg).v128(), sse2: bin(0, a, _mm_sub_epi64)),
        I64x2AllTrue => pick!(
            all_true(u64s(a)),
            sse2: u128::from(_mm_movemask_pd(_mm_castsi128_pd(eq_i64(m(a), _mm_setzero_si128()))) == 0)
        ),
        I64x2Bitmask => pick!(
            bitmask(i64s(a), |x| x < 0),
            sse2: scalar32(_mm_movemask_pd(_mm_castsi128_pd(m(a))))
        ),
        I64x2ExtendLowI32x4S => pick!(widen(i32s(a), 0, i64::from).v128(), sse2: v(extend_i32(a, false, true))),
        I64x2ExtendHighI32x4S => pick!(widen(i32s(a), 2, i64::from).v128(), sse2: v(extend_i32(a, true, true))),
        I64x2ExtendLowI32x4U => pick!(widen(u32s(a), 0, u64::from).v128(), sse2: v(extend_i32(a, false, false))),
        I64x2ExtendHighI32x4U => pick!(widen(u32s(a), 2, u64::from).v128(), sse2: v(extend_i32(a, true, false))),
        I64x2Shl => pick!(u64s(a).map(|x| x.wrapping_shl(n)).v128(), sse2: shift(a, n & 63, _mm_sll_epi64)),
        I64x2ShrS => pick!(i64s(a).map(|x| x.wrapping_shr(n)).v128(), sse2: shr_s_i64(a, n & 63)),
        I64x2ShrU => pick!(u64s(a).map(|x| x.wrapping_shr(n)).v128(), sse2: shift(a, n & 63, _mm_srl_epi64)),
        I64x2Add => pick!(zip(u64s(a), u64s(b), u64::wrapping_add).v128(), sse2: bin(a, b, _mm_add_epi64)),
        I64x2Sub => pick!(zip(u64s(a), u64s(b), u64::wrapping_sub).v128(), sse2: bin(a, b, _mm_sub_epi64)),
        I64x2Mul => pick!(zip(u64s(a), u64s(b), u64::wrapping_mul).v128(), sse2: mul_i64(a, b)),
        I64x2ExtmulLowI32x4S => pick!(
            zip(widen(i32s(a), 0, i64::from), widen(i32s(b), 0, i64::from), i64::wrapping_mul).v128(),
            sse2: extmul_i32(a, b, false, true)
        ),
        I64x2ExtmulHighI32x4S => pick!(
            zip(widen(i32s(a), 2, i64::from), widen(i32s(b), 2, i64::from), i64::wrapping_mul).v128(),
            sse2: extmul_i32(a, b, true, true)
        ),
        I64x2ExtmulLowI32x4U => pick!(
            zip(widen(u32s(a), 0, u64::from), widen(u32s(b), 0, u64::from), u64::wrapping_mul).v128(),
            sse2: extmul_i32(a, b, false, false)
        ),
        I64x2ExtmulHighI32x4U => pick!(
            zip(widen(u32s(a), 2, u64::from), widen(u32s(b), 2, u64::from), u64::wrapping_mul).v128(),
            sse2: extmul_i32(a, b, true, false)
        ),

        // f32x4. `abs` and `neg` only touch the sign bit, NaNs included.
        F32x4Abs => a & splat32(0x7FFF_FFFF),
        F32x4Neg => a ^ splat32(0x8000_0000),
        F32x4Ceil => pick!(f32s(a).map(numeric::f32_ceil).v128(), sse2: round::<__m128>(a, Round::Ceil)),
        F32x4Floor => pick!(f32s(a).map(numeric::f32_floor).v128(), sse2: round::<__m128>(a, Round::Floor)),
        F32x4Trunc => pick!(f32s(a).map(numeric::f32_trunc).v128(), sse2: round::<__m128>(a, Round::Trunc)),
        F32x4Nearest => pick!(f32s(a).map(numeric::f32_nearest).v128(), sse2: round::<__m128>(a, Round::Nearest)),
        F32x4Sqrt => pick!(f32s(a).map(f32::sqrt).v128(), sse2: vps(_mm_sqrt_ps(ps(a)))),
        F32x4Add => pick!(zip(f32s(a), f32s(b), |x, y| x + y).v128(), sse2: vps(_mm_add_ps(ps(a), ps(b)))),
        F32x4Sub => pick!(zip(f32s(a), f32s(b), |x, y| x - y).v128(), sse2: vps(_mm_sub_ps(ps(a), ps(b)))),
        F32x4Mul => pick!(zip(f32s(a), f32s(b), |x, y| x * y).v128(), sse2: vps(_mm_mul_ps(ps(a), ps(b)))),
        F32x4Div => pick!(zip(f32s(a), f32s(b), |x, y| x / y).v128(), sse2: vps(_mm_div_ps(ps(a), ps(b)))),
        F32x4Min | F32x4RelaxedMin => pick!(zip(f32s(a), f32s(b), numeric::f32_min).v128(), sse2: fmin::<__m128>(a, b)),
        F32x4Max | F32x4RelaxedMax => pick!(zip(f32s(a), f32s(b), numeric::f32_max).v128(), sse2: fmax::<__m128>(a, b)),
        // `minps`/`maxps` return their second operand unless the first is smaller/greater:
        // exactly `b < a ? b : a` and `a < b ? b : a` with the operands swapped.
        F32x4Pmin => {
            pick!(zip(f32s(a), f32s(b), |x, y| if y < x { y } else { x }).v128(), sse2: vps(_mm_min_ps(ps(b), ps(a))))
        }
        F32x4Pmax => {
            pick!(zip(f32s(a), f32s(b), |x, y| if x < y { y } else { x }).v128(), sse2: vps(_mm_max_ps(ps(b), ps(a))))
        }
        F32x4RelaxedMadd => pick!(
            zip3(f32s(a), f32s(b), f32s(c), |x, y, z| x * y + z).v128(),
            sse2: vps(_mm_add_ps(_mm_mul_ps(ps(a), ps(b)), ps(c)))
        ),
        F32x4RelaxedNmadd => pick!(
            zip3(f32s(a), f32s(b), f32s(c), |x, y, z| -(x * y) + z).v128(),
            sse2: vps(_mm_add_ps(_mm_xor_ps(_mm_mul_ps(ps(a), ps(b)), _mm_set1_ps(-0.0)), ps(c)))
        ),

        // f64x2.
        F64x2Abs => a & splat64(0x7FFF_FFFF_FFFF_FFFF),
        F64x2Neg => a ^ splat64(0x8000_0000_0000_0000),
        F64x2Ceil => pick!(f64s(a).map(numeric::f64_ceil).v128(), sse2: round::<__m128d>(a, Round::Ceil)),
        F64x2Floor => pick!(f64s(a).map(numeric::f64_floor).v128(), sse2: round::<__m128d>(a, Round::Floor)),
        F64x2Trunc => pick!(f64s(a).map(numeric::f64_trunc).v128(), sse2: round::<__m128d>(a, Round::Trunc)),
        F64x2Nearest => pick!(f64s(a).map(numeric::f64_nearest).v128(), sse2: round::<__m128d>(a, Round::Nearest)),
        F64x2Sqrt => pick!(f64s(a).map(f64::sqrt).v128(), sse2: vpd(_mm_sqrt_pd(pd(a)))),
        F64x2Add => pick!(zip(f64s(a), f64s(b), |x, y| x + y).v128(), sse2: vpd(_mm_add_pd(pd(a), pd(b)))),
        F64x2Sub => pick!(zip(f64s(a), f64s(b), |x, y| x - y).v128(), sse2: vpd(_mm_sub_pd(pd(a), pd(b)))),
        F64x2Mul => pick!(zip(f64s(a), f64s(b), |x, y| x * y).v128(), sse2: vpd(_mm_mul_pd(pd(a), pd(b)))),
        F64x2Div => pick!(zip(f64s(a), f64s(b), |x, y| x / y).v128(), sse2: vpd(_mm_div_pd(pd(a), pd(b)))),
        F64x2Min | F64x2RelaxedMin => {
            pick!(zip(f64s(a), f64s(b), numeric::f64_min).v128(), sse2: fmin::<__m128d>(a, b))
        }
        F64x2Max | F64x2RelaxedMax => {
            pick!(zip(f64s(a), f64s(b), numeric::f64_max).v128(), sse2: fmax::<__m128d>(a, b))
        }
        F64x2Pmin => {
            pick!(zip(f64s(a), f64s(b), |x, y| if y < x { y } else { x }).v128(), sse2: vpd(_mm_min_pd(pd(b), pd(a))))
        }
        F64x2Pmax => {
            pick!(zip(f64s(a), f64s(b), |x, y| if x < y { y } else { x }).v128(), sse2: vpd(_mm_max_pd(pd(b), pd(a))))
        }
        F64x2RelaxedMadd => pick!(
            zip3(f64s(a), f64s(b), f64s(c), |x, y, z| x * y + z).v128(),
            sse2: vpd(_mm_add_pd(_mm_mul_pd(pd(a), pd(b)), pd(c)))
        ),
        F64x2RelaxedNmadd => pick!(
            zip3(f64s(a), f64s(b), f64s(c), |x, y, z| -(x * y) + z).v128(),
            sse2: vpd(_mm_add_pd(_mm_xor_pd(_mm_mul_pd(pd(a), pd(b)), _mm_set1_pd(-0.0)), pd(c)))
        ),

        // Conversions (`as` from float to integer saturates and maps NaN to 0).
        I32x4TruncSatF32x4S | I32x4RelaxedTruncF32x4S => pick!(
            f32s(a).map(|x| x as i32).v128(),
            sse2: trunc_sat_f32_s(a)
        ),
        I32x4TruncSatF32x4U | I32x4RelaxedTruncF32x4U => pick!(
            f32s(a).map(|x| x as u32).v128(),
            sse2: trunc_sat_f32_u(a)
        ),
        I32x4TruncSatF64x2SZero | I32x4RelaxedTruncF64x2SZero => pick!(
            { let x = f64s(a); [x[0] as i32, x[1] as i32, 0, 0].v128() },
            sse2: trunc_sat_f64_s_zero(a)
        ),
        I32x4TruncSatF64x2UZero | I32x4RelaxedTruncF64x2UZero => pick!(
            { let x = f64s(a); [x[0] as u32, x[1] as u32, 0, 0].v128() },
            sse2: trunc_sat_f64_u_zero(a)
        ),
        F32x4ConvertI32x4S => pick!(i32s(a).map(|x| x as f32).v128(), sse2: vps(_mm_cvtepi32_ps(m(a)))),
        F32x4ConvertI32x4U => pick!(u32s(a).map(|x| x as f32).v128(), sse2: convert_u32_f32(a)),
        F64x2ConvertLowI32x4S => pick!(
            { let x = i32s(a); [f64::from(x[0]), f64::from(x[1])].v128() },
            sse2: vpd(_mm_cvtepi32_pd(m(a)))
        ),
        F64x2ConvertLowI32x4U => pick!(
            { let x = u32s(a); [f64::from(x[0]), f64::from(x[1])].v128() },
            sse2: convert_low_u32_f64(a)
        ),
        F32x4DemoteF64x2Zero => pick!(
            { let x = f64s(a); [x[0] as f32, x[1] as f32, 0.0, 0.0].v128() },
            sse2: vps(_mm_cvtpd_ps(pd(a)))
        ),
        F64x2PromoteLowF32x4 => pick!(
            { let x = f32s(a); [f64::from(x[0]), f64::from(x[1])].v128() },
            sse2: vpd(_mm_cvtps_pd(ps(a)))
        ),
    }
}

// ---------------------------------------------------------------------------------------
// Portable lane helpers.

/// A lane array that packs back into a `v128`.
trait Lanes {
    fn v128(self) -> u128;
}

/// `name(v) -> [T; N]`: the lanes of `v`, lane 0 from the least significant bits; and
/// [`Lanes`] for `[T; N]`, the inverse.
macro_rules! lane_views {
    ($($name:ident: [$t:ty; $n:literal]),* $(,)?) => {$(
        #[inline(always)]
        fn $name(v: u128) -> [$t; $n] {
            const W: usize = 16 / $n;
            let bytes = v.to_le_bytes();
            from_fn(|i| <$t>::from_le_bytes(from_fn(|j| bytes[i * W + j])))
        }
        impl Lanes for [$t; $n] {
            #[inline(always)]
            fn v128(self) -> u128 {
                const W: usize = 16 / $n;
                let mut bytes = [0u8; 16];
                for (chunk, lane) in bytes.chunks_exact_mut(W).zip(self) {
                    chunk.copy_from_slice(&lane.to_le_bytes());
                }
                u128::from_le_bytes(bytes)
            }
        }
    )*};
}

lane_views! {
    u8s: [u8; 16], i8s: [i8; 16], u16s: [u16; 8], i16s: [i16; 8], u32s: [u32; 4],
    i32s: [i32; 4], u64s: [u64; 2], i64s: [i64; 2], f32s: [f32; 4], f64s: [f64; 2],
}

/// A lane type's all-ones (true) and zero (false) comparison results.
trait Mask {
    type Bits: Copy;
    fn mask(b: bool) -> Self::Bits;
}

macro_rules! masks {
    ($($t:ty => $bits:ty),*) => {$(
        impl Mask for $t {
            type Bits = $bits;
            #[inline(always)]
            fn mask(b: bool) -> $bits {
                if b { <$bits>::MAX } else { 0 }
            }
        }
    )*};
}

masks!(i8 => u8, u8 => u8, i16 => u16, u16 => u16, i32 => u32, u32 => u32, i64 => u64,
    u64 => u64, f32 => u32, f64 => u64);

#[inline(always)]
fn zip<T: Copy, U: Copy, R, const N: usize>(x: [T; N], y: [U; N], f: impl Fn(T, U) -> R) -> [R; N] {
    from_fn(|i| f(x[i], y[i]))
}

#[inline(always)]
fn zip3<T: Copy, R, const N: usize>(x: [T; N], y: [T; N], z: [T; N], f: impl Fn(T, T, T) -> R) -> [R; N] {
    from_fn(|i| f(x[i], y[i], z[i]))
}

/// A lanewise comparison.
#[inline(always)]
fn cmp<T: Mask + Copy, const N: usize>(x: [T; N], y: [T; N], f: impl Fn(T, T) -> bool) -> u128
where
    [T::Bits; N]: Lanes,
{
    zip(x, y, |p, q| T::mask(f(p, q))).v128()
}

/// Lane `i` of the result is `f(x[2i], x[2i + 1])`.
#[inline(always)]
fn pairwise<T: Copy, R, const N: usize, const M: usize>(x: [T; N], f: impl Fn(T, T) -> R) -> [R; M] {
    from_fn(|i| f(x[2 * i], x[2 * i + 1]))
}

/// The lanes `from..from + M` of `x`, widened by `f` (extend_low/high, extmul).
#[inline(always)]
fn widen<T: Copy, R, const N: usize, const M: usize>(x: [T; N], from: usize, f: impl Fn(T) -> R) -> [R; M] {
    from_fn(|i| f(x[from + i]))
}

/// The lanes of `x` then those of `y`, each narrowed by `f`.
#[inline(always)]
fn narrow<T: Copy, R, const N: usize, const M: usize>(x: [T; N], y: [T; N], f: impl Fn(T) -> R) -> u128
where
    [R; M]: Lanes,
{
    let r: [R; M] = from_fn(|i| if i < N { f(x[i]) } else { f(y[i - N]) });
    r.v128()
}

#[inline(always)]
fn all_true<T: Copy + Default + PartialEq, const N: usize>(x: [T; N]) -> u128 {
    u128::from(x.iter().all(|&l| l != T::default()))
}

/// Bit `i` is set if lane `i` is negative.
#[inline(always)]
fn bitmask<T: Copy, const N: usize>(x: [T; N], negative: impl Fn(T) -> bool) -> u128 {
    x.iter().enumerate().fold(0, |m, (i, &l)| m | (u128::from(negative(l)) << i))
}

/// `i16x8.q15mulr_sat_s` on one lane: the rounded high half of the Q15 product.
#[inline(always)]
fn q15mulr_sat(x: i16, y: i16) -> i16 {
    let p = (i32::from(x) * i32::from(y) + 0x4000) >> 15;
    p.clamp(i16::MIN.into(), i16::MAX.into()) as i16
}

/// `i16x8.relaxed_dot_i8x16_i7x16_s`, both operands signed: products of adjacent byte
/// pairs, summed with wrapping to 16 bits.
#[inline(always)]
fn dot_i8(a: u128, b: u128) -> [i16; 8] {
    let p = zip(i8s(a), i8s(b), |x, y| i16::from(x) * i16::from(y));
    pairwise(p, i16::wrapping_add)
}

/// An i32 result, zero-extended.
#[inline(always)]
fn scalar32(x: i32) -> u128 {
    u128::from(x as u32)
}

const fn splat32(x: u32) -> u128 {
    x as u128 * 0x0000_0001_0000_0001_0000_0001_0000_0001
}

const fn splat64(x: u64) -> u128 {
    x as u128 * 0x0000_0000_0000_0001_0000_0000_0000_0001
}

/// Lane `lane` (modulo the count) of `bits`-wide lanes, zero-extended. Picks the 64-bit
/// half, then shifts within it: no 128-bit shift by a variable.
#[inline(always)]
fn extract(v: u128, lane: u32, bits: u32) -> u64 {
    let per_half = 64 / bits;
    let i = lane % (2 * per_half);
    let half = if i < per_half { v as u64 } else { (v >> 64) as u64 };
    (half >> ((i % per_half) * bits)) & (u64::MAX >> (64 - bits))
}

/// `v` with lane `lane` (modulo the count) of `bits`-wide lanes set to the low bits of `x`.
#[inline(always)]
fn replace(v: u128, lane: u32, bits: u32, x: u64) -> u128 {
    let per_half = 64 / bits;
    let i = lane % (2 * per_half);
    let shift = (i % per_half) * bits;
    let mask = (u64::MAX >> (64 - bits)) << shift;
    let put = |half: u64| (half & !mask) | ((x << shift) & mask);
    let (lo, hi) = (v as u64, (v >> 64) as u64);
    if i < per_half {
        (u128::from(hi) << 64) | u128::from(put(lo))
    } else {
        (u128::from(put(hi)) << 64) | u128::from(lo)
    }
}

/// `i8x16.swizzle`: lane `i` is `a[b[i]]`, or 0 where `b[i] >= 16`. Indexes a table whose
/// 17th byte is that 0, so no lane branches. (SSE2 has no variable byte shuffle; `pshufb`
/// is SSSE3.)
#[inline(always)]
fn swizzle(a: u128, b: u128) -> u128 {
    let mut table = [0u8; 17];
    table[..16].copy_from_slice(&a.to_le_bytes());
    u8s(b).map(|i| table[usize::from(i.min(16))]).v128()
}

/// `i8x16.shuffle`: lane `i` is byte `c[i] % 32` of `a` then `b` (the immediate is below
/// 32 in valid code).
#[inline(always)]
fn shuffle(a: u128, b: u128, c: u128) -> u128 {
    let mut table = [0u8; 32];
    table[..16].copy_from_slice(&a.to_le_bytes());
    table[16..].copy_from_slice(&b.to_le_bytes());
    u8s(c).map(|i| table[usize::from(i & 31)]).v128()
}

// ---------------------------------------------------------------------------------------
// SSE2 (the x86-64 baseline).

/// The rounding of `ceil`, `floor`, `trunc` and `nearest`.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
enum Round {
    Ceil,
    Floor,
    Trunc,
    Nearest,
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use core::arch::x86_64::{self as arch, __m128i};
    pub(super) use core::arch::x86_64::{__m128, __m128d};

    pub(super) use super::Round;

    /// Safe wrappers of the SSE and SSE2 intrinsics used here, same names and signatures.
    macro_rules! safe_intrinsics {
        ($($name:ident $(<$imm:ident>)? ($($arg:ident: $t:ty),*) -> $r:ty;)*) => {$(
            #[inline(always)]
            pub(super) fn $name$(<const $imm: i32>)?($($arg: $t),*) -> $r {
                // SAFETY: the intrinsic's only requirement is the CPU feature, and SSE and
                // SSE2 are part of the x86-64 baseline that every x86_64 target enables; it
                // takes and returns values (no pointers).
                unsafe { arch::$name$(::<$imm>)?($($arg),*) }
            }
        )*};
    }

    safe_intrinsics! {
        _mm_setzero_si128() -> __m128i;
        _mm_set1_epi8(a: i8) -> __m128i;
        _mm_set1_epi16(a: i16) -> __m128i;
        _mm_set1_epi32(a: i32) -> __m128i;
        _mm_set1_epi64x(a: i64) -> __m128i;
        _mm_cvtsi32_si128(a: i32) -> __m128i;
        _mm_and_si128(a: __m128i, b: __m128i) -> __m128i;
        _mm_andnot_si128(a: __m128i, b: __m128i) -> __m128i;
        _mm_or_si128(a: __m128i, b: __m128i) -> __m128i;
        _mm_xor_si128(a: __m128i, b: __m128i) -> __m128i;
        _mm_add_epi8(a: __m128i, b: __m128i) -> __m128i;
        _mm_add_epi16(a: __m128i, b: __m128i) -> __m128i;
        _mm_add_epi32(a: __m128i, b: __m128i) -> __m128i;
        _mm_add_epi64(a: __m128i, b: __m128i) -> __m128i;
        _mm_sub_epi8(a: __m128i, b: __m128i) -> __m128i;
        _mm_sub_epi16(a: __m128i, b: __m128i) -> __m128i;
        _mm_sub_epi32(a: __m128i, b: __m128i) -> __m128i;
        _mm_sub_epi64(a: __m128i, b: __m128i) -> __m128i;
        _mm_adds_epi8(a: __m128i, b: __m128i) -> __m128i;
        _mm_adds_epi16(a: __m128i, b: __m128i) -> __m128i;
        _mm_adds_epu8(a: __m128i, b: __m128i) -> __m128i;
        _mm_adds_epu16(a: __m128i, b: __m128i) -> __m128i;
        _mm_subs_epi8(a: __m128i, b: __m128i) -> __m128i;
        _mm_subs_epi16(a: __m128i, b: __m128i) -> __m128i;
        _mm_subs_epu8(a: __m128i, b: __m128i) -> __m128i;
        _mm_subs_epu16(a: __m128i, b: __m128i) -> __m128i;
        _mm_min_epu8(a: __m128i, b: __m128i) -> __m128i;
        _mm_max_epu8(a: __m128i, b: __m128i) -> __m128i;
        _mm_min_epi16(a: __m128i, b: __m128i) -> __m128i;
        _mm_max_epi16(a: __m128i, b: __m128i) -> __m128i;
        _mm_avg_epu8(a: __m128i, b: __m128i) -> __m128i;
        _mm_avg_epu16(a: __m128i, b: __m128i) -> __m128i;
        _mm_mullo_epi16(a: __m128i, b: __m128i) -> __m128i;
        _mm_mulhi_epi16(a: __m128i, b: __m128i) -> __m128i;
        _mm_mulhi_epu16(a: __m128i, b: __m128i) -> __m128i;
        _mm_mul_epu32(a: __m128i, b: __m128i) -> __m128i;
        _mm_madd_epi16(a: __m128i, b: __m128i) -> __m128i;
        _mm_cmpeq_epi8(a: __m128i, b: __m128i) -> __m128i;
        _mm_cmpeq_epi16(a: __m128i, b: __m128i) -> __m128i;
        _mm_cmpeq_epi32(a: __m128i, b: __m128i) -> __m128i;
        _mm_cmpgt_epi8(a: __m128i, b: __m128i) -> __m128i;
        _mm_cmpgt_epi16(a: __m128i, b: __m128i) -> __m128i;
        _mm_cmpgt_epi32(a: __m128i, b: __m128i) -> __m128i;
        _mm_cmplt_epi8(a: __m128i, b: __m128i) -> __m128i;
        _mm_cmplt_epi16(a: __m128i, b: __m128i) -> __m128i;
        _mm_cmplt_epi32(a: __m128i, b: __m128i) -> __m128i;
        _mm_packs_epi16(a: __m128i, b: __m128i) -> __m128i;
        _mm_packs_epi32(a: __m128i, b: __m128i) -> __m128i;
        _mm_packus_epi16(a: __m128i, b: __m128i) -> __m128i;
        _mm_unpacklo_epi8(a: __m128i, b: __m128i) -> __m128i;
        _mm_unpackhi_epi8(a: __m128i, b: __m128i) -> __m128i;
        _mm_unpacklo_epi16(a: __m128i, b: __m128i) -> __m128i;
        _mm_unpackhi_epi16(a: __m128i, b: __m128i) -> __m128i;
        _mm_unpacklo_epi32(a: __m128i, b: __m128i) -> __m128i;
        _mm_unpackhi_epi32(a: __m128i, b: __m128i) -> __m128i;
        _mm_move_epi64(a: __m128i) -> __m128i;
        _mm_movemask_epi8(a: __m128i) -> i32;
        _mm_movemask_ps(a: __m128) -> i32;
        _mm_movemask_pd(a: __m128d) -> i32;
        _mm_sll_epi16(a: __m128i, count: __m128i) -> __m128i;
        _mm_sll_epi32(a: __m128i, count: __m128i) -> __m128i;
        _mm_sll_epi64(a: __m128i, count: __m128i) -> __m128i;
        _mm_srl_epi16(a: __m128i, count: __m128i) -> __m128i;
        _mm_srl_epi32(a: __m128i, count: __m128i) -> __m128i;
        _mm_srl_epi64(a: __m128i, count: __m128i) -> __m128i;
        _mm_sra_epi16(a: __m128i, count: __m128i) -> __m128i;
        _mm_sra_epi32(a: __m128i, count: __m128i) -> __m128i;
        _mm_slli_epi16<IMM8>(a: __m128i) -> __m128i;
        _mm_srli_epi16<IMM8>(a: __m128i) -> __m128i;
        _mm_srai_epi16<IMM8>(a: __m128i) -> __m128i;
        _mm_srli_epi32<IMM8>(a: __m128i) -> __m128i;
        _mm_srai_epi32<IMM8>(a: __m128i) -> __m128i;
        _mm_slli_epi64<IMM8>(a: __m128i) -> __m128i;
        _mm_srli_epi64<IMM8>(a: __m128i) -> __m128i;
        _mm_shuffle_epi32<IMM8>(a: __m128i) -> __m128i;
        _mm_castps_si128(a: __m128) -> __m128i;
        _mm_castsi128_ps(a: __m128i) -> __m128;
        _mm_castpd_si128(a: __m128d) -> __m128i;
        _mm_castsi128_pd(a: __m128i) -> __m128d;
        _mm_set1_ps(a: f32) -> __m128;
        _mm_setzero_ps() -> __m128;
        _mm_add_ps(a: __m128, b: __m128) -> __m128;
        _mm_sub_ps(a: __m128, b: __m128) -> __m128;
        _mm_mul_ps(a: __m128, b: __m128) -> __m128;
        _mm_div_ps(a: __m128, b: __m128) -> __m128;
        _mm_sqrt_ps(a: __m128) -> __m128;
        _mm_min_ps(a: __m128, b: __m128) -> __m128;
        _mm_max_ps(a: __m128, b: __m128) -> __m128;
        _mm_and_ps(a: __m128, b: __m128) -> __m128;
        _mm_andnot_ps(a: __m128, b: __m128) -> __m128;
        _mm_or_ps(a: __m128, b: __m128) -> __m128;
        _mm_xor_ps(a: __m128, b: __m128) -> __m128;
        _mm_cmpeq_ps(a: __m128, b: __m128) -> __m128;
        _mm_cmpneq_ps(a: __m128, b: __m128) -> __m128;
        _mm_cmplt_ps(a: __m128, b: __m128) -> __m128;
        _mm_cmple_ps(a: __m128, b: __m128) -> __m128;
        _mm_cmpgt_ps(a: __m128, b: __m128) -> __m128;
        _mm_cmpge_ps(a: __m128, b: __m128) -> __m128;
        _mm_cmpunord_ps(a: __m128, b: __m128) -> __m128;
        _mm_set1_pd(a: f64) -> __m128d;
        _mm_setzero_pd() -> __m128d;
        _mm_add_pd(a: __m128d, b: __m128d) -> __m128d;
        _mm_sub_pd(a: __m128d, b: __m128d) -> __m128d;
        _mm_mul_pd(a: __m128d, b: __m128d) -> __m128d;
        _mm_div_pd(a: __m128d, b: __m128d) -> __m128d;
        _mm_sqrt_pd(a: __m128d) -> __m128d;
        _mm_min_pd(a: __m128d, b: __m128d) -> __m128d;
        _mm_max_pd(a: __m128d, b: __m128d) -> __m128d;
        _mm_and_pd(a: __m128d, b: __m128d) -> __m128d;
        _mm_andnot_pd(a: __m128d, b: __m128d) -> __m128d;
        _mm_or_pd(a: __m128d, b: __m128d) -> __m128d;
        _mm_xor_pd(a: __m128d, b: __m128d) -> __m128d;
        _mm_cmpeq_pd(a: __m128d, b: __m128d) -> __m128d;
        _mm_cmpneq_pd(a: __m128d, b: __m128d) -> __m128d;
        _mm_cmplt_pd(a: __m128d, b: __m128d) -> __m128d;
        _mm_cmple_pd(a: __m128d, b: __m128d) -> __m128d;
        _mm_cmpgt_pd(a: __m128d, b: __m128d) -> __m128d;
        _mm_cmpge_pd(a: __m128d, b: __m128d) -> __m128d;
        _mm_cmpunord_pd(a: __m128d, b: __m128d) -> __m128d;
        _mm_cvttps_epi32(a: __m128) -> __m128i;
        _mm_cvtepi32_ps(a: __m128i) -> __m128;
        _mm_cvttpd_epi32(a: __m128d) -> __m128i;
        _mm_cvtepi32_pd(a: __m128i) -> __m128d;
        _mm_cvtpd_ps(a: __m128d) -> __m128;
        _mm_cvtps_pd(a: __m128) -> __m128d;
    }

    /// A `v128` in an SSE register.
    #[inline(always)]
    pub(super) fn m(a: u128) -> __m128i {
        // SAFETY: both types are 16 bytes of plain bits, every pattern valid for either;
        // on little-endian x86-64 the low bits of the `u128` are lane 0.
        unsafe { core::mem::transmute::<u128, __m128i>(a) }
    }

    /// The `v128` in an SSE register.
    #[inline(always)]
    pub(super) fn v(x: __m128i) -> u128 {
        // SAFETY: as in `m`.
        unsafe { core::mem::transmute::<__m128i, u128>(x) }
    }

    #[inline(always)]
    pub(super) fn ps(a: u128) -> __m128 {
        _mm_castsi128_ps(m(a))
    }

    #[inline(always)]
    pub(super) fn vps(x: __m128) -> u128 {
        v(_mm_castps_si128(x))
    }

    #[inline(always)]
    pub(super) fn pd(a: u128) -> __m128d {
        _mm_castsi128_pd(m(a))
    }

    #[inline(always)]
    pub(super) fn vpd(x: __m128d) -> u128 {
        v(_mm_castpd_si128(x))
    }

    #[inline(always)]
    pub(super) fn bin(a: u128, b: u128, f: impl Fn(__m128i, __m128i) -> __m128i) -> u128 {
        v(f(m(a), m(b)))
    }

    #[inline(always)]
    pub(super) fn not(a: u128) -> u128 {
        !a
    }

    #[inline(always)]
    fn select(mask: __m128i, t: __m128i, f: __m128i) -> __m128i {
        _mm_or_si128(_mm_and_si128(mask, t), _mm_andnot_si128(mask, f))
    }

    #[inline(always)]
    pub(super) fn cmp_ps(a: u128, b: u128, f: impl Fn(__m128, __m128) -> __m128) -> u128 {
        vps(f(ps(a), ps(b)))
    }

    #[inline(always)]
    pub(super) fn cmp_pd(a: u128, b: u128, f: impl Fn(__m128d, __m128d) -> __m128d) -> u128 {
        vpd(f(pd(a), pd(b)))
    }

    /// An operation by a shift count already reduced modulo the lane width.
    #[inline(always)]
    pub(super) fn shift(a: u128, n: u32, f: impl Fn(__m128i, __m128i) -> __m128i) -> u128 {
        v(f(m(a), _mm_cvtsi32_si128(n as i32)))
    }

    /// 1 if no lane of `a` equals zero under `eq`.
    #[inline(always)]
    pub(super) fn all_true_with(a: u128, eq: impl Fn(__m128i, __m128i) -> __m128i) -> u128 {
        u128::from(_mm_movemask_epi8(eq(m(a), _mm_setzero_si128())) == 0)
    }

    // Unsigned comparisons: flipping the sign bits maps unsigned order to signed order.

    #[inline(always)]
    pub(super) fn gt_u8(a: u128, b: u128) -> u128 {
        let flip = _mm_set1_epi8(i8::MIN);
        v(_mm_cmpgt_epi8(_mm_xor_si128(m(a), flip), _mm_xor_si128(m(b), flip)))
    }

    #[inline(always)]
    pub(super) fn gt_u16(a: u128, b: u128) -> u128 {
        let flip = _mm_set1_epi16(i16::MIN);
        v(_mm_cmpgt_epi16(_mm_xor_si128(m(a), flip), _mm_xor_si128(m(b), flip)))
    }

    #[inline(always)]
    fn gt_u32_m(x: __m128i, y: __m128i) -> __m128i {
        let flip = _mm_set1_epi32(i32::MIN);
        _mm_cmpgt_epi32(_mm_xor_si128(x, flip), _mm_xor_si128(y, flip))
    }

    #[inline(always)]
    pub(super) fn gt_u32(a: u128, b: u128) -> u128 {
        v(gt_u32_m(m(a), m(b)))
    }

    /// 64-bit lanes equal: both 32-bit halves equal.
    #[inline(always)]
    pub(super) fn eq_i64(x: __m128i, y: __m128i) -> __m128i {
        let eq = _mm_cmpeq_epi32(x, y);
        _mm_and_si128(eq, _mm_shuffle_epi32::<0b10_11_00_01>(eq))
    }

    /// Signed 64-bit `a > b`: the high halves compare signed, and where they are equal the
    /// low halves decide, compared unsigned (their sign bits flipped).
    #[inline(always)]
    pub(super) fn gt_i64(a: u128, b: u128) -> u128 {
        let (x, y) = (m(a), m(b));
        let flip_low = _mm_set1_epi64x(0x8000_0000);
        let gt = _mm_cmpgt_epi32(_mm_xor_si128(x, flip_low), _mm_xor_si128(y, flip_low));
        let eq = _mm_cmpeq_epi32(x, y);
        let gt_low = _mm_shuffle_epi32::<0b10_10_00_00>(gt);
        let gt_high = _mm_shuffle_epi32::<0b11_11_01_01>(gt);
        let eq_high = _mm_shuffle_epi32::<0b11_11_01_01>(eq);
        v(_mm_or_si128(gt_high, _mm_and_si128(eq_high, gt_low)))
    }

    /// `min`/`max` of signed bytes with the unsigned instruction, the sign bits flipped.
    #[inline(always)]
    pub(super) fn signed_via_u8(a: u128, b: u128, f: impl Fn(__m128i, __m128i) -> __m128i) -> u128 {
        let flip = _mm_set1_epi8(i8::MIN);
        v(_mm_xor_si128(f(_mm_xor_si128(m(a), flip), _mm_xor_si128(m(b), flip)), flip))
    }

    /// `|x|` as the unsigned minimum of `x` and `-x` (`-128` stays `0x80`).
    #[inline(always)]
    pub(super) fn abs_i8(a: u128) -> u128 {
        let x = m(a);
        v(_mm_min_epu8(x, _mm_sub_epi8(_mm_setzero_si128(), x)))
    }

    #[inline(always)]
    pub(super) fn abs_i16(a: u128) -> u128 {
        let x = m(a);
        v(_mm_max_epi16(x, _mm_sub_epi16(_mm_setzero_si128(), x)))
    }

    #[inline(always)]
    pub(super) fn abs_i32(a: u128) -> u128 {
        let x = m(a);
        let sign = _mm_srai_epi32::<31>(x);
        v(_mm_sub_epi32(_mm_xor_si128(x, sign), sign))
    }

    #[inline(always)]
    pub(super) fn abs_i64(a: u128) -> u128 {
        let x = m(a);
        let sign = _mm_shuffle_epi32::<0b11_11_01_01>(_mm_srai_epi32::<31>(x));
        v(_mm_sub_epi64(_mm_xor_si128(x, sign), sign))
    }

    /// Bit counts per byte: the classic pairs, nibbles, bytes reduction.
    #[inline(always)]
    pub(super) fn popcnt_i8(a: u128) -> u128 {
        let x = m(a);
        let x = _mm_sub_epi8(x, _mm_and_si128(_mm_srli_epi16::<1>(x), _mm_set1_epi8(0x55)));
        let m2 = _mm_set1_epi8(0x33);
        let x = _mm_add_epi8(_mm_and_si128(x, m2), _mm_and_si128(_mm_srli_epi16::<2>(x), m2));
        v(_mm_and_si128(_mm_add_epi8(x, _mm_srli_epi16::<4>(x)), _mm_set1_epi8(0x0F)))
    }

    /// Byte shifts as 16-bit shifts, with the bits that crossed into the next byte masked.
    #[inline(always)]
    pub(super) fn shl_i8(a: u128, n: u32) -> u128 {
        let n = n & 7;
        let x = _mm_sll_epi16(m(a), _mm_cvtsi32_si128(n as i32));
        v(_mm_and_si128(x, _mm_set1_epi8((0xFFu8 << n) as i8)))
    }

    #[inline(always)]
    pub(super) fn shr_u_i8(a: u128, n: u32) -> u128 {
        let n = n & 7;
        let x = _mm_srl_epi16(m(a), _mm_cvtsi32_si128(n as i32));
        v(_mm_and_si128(x, _mm_set1_epi8((0xFFu8 >> n) as i8)))
    }

    /// Each byte duplicated into both halves of a 16-bit lane, shifted right arithmetically
    /// by 8 more, and packed back (the results fit, so the saturating pack is exact).
    #[inline(always)]
    pub(super) fn shr_s_i8(a: u128, n: u32) -> u128 {
        let x = m(a);
        let count = _mm_cvtsi32_si128((n & 7) as i32 + 8);
        let lo = _mm_sra_epi16(_mm_unpacklo_epi8(x, x), count);
        let hi = _mm_sra_epi16(_mm_unpackhi_epi8(x, x), count);
        v(_mm_packs_epi16(lo, hi))
    }

    /// Arithmetic 64-bit shift from the logical one: `(x >>> n ^ s) - s` with `s` the sign
    /// bit moved to its new place.
    #[inline(always)]
    pub(super) fn shr_s_i64(a: u128, n: u32) -> u128 {
        let count = _mm_cvtsi32_si128(n as i32);
        let s = _mm_srl_epi64(_mm_set1_epi64x(i64::MIN), count);
        v(_mm_sub_epi64(_mm_xor_si128(_mm_srl_epi64(m(a), count), s), s))
    }

    /// The 16-bit lanes' sign bits: a saturating pack keeps the sign of each lane.
    #[inline(always)]
    pub(super) fn bitmask_i16(a: u128) -> u128 {
        super::scalar32(_mm_movemask_epi8(_mm_packs_epi16(m(a), _mm_setzero_si128())))
    }

    #[inline(always)]
    pub(super) fn q15mulr_sat_i16(a: u128, b: u128) -> u128 {
        let (x, y) = (m(a), m(b));
        let (lo, hi) = (_mm_mullo_epi16(x, y), _mm_mulhi_epi16(x, y));
        let round = _mm_set1_epi32(0x4000);
        let p0 = _mm_srai_epi32::<15>(_mm_add_epi32(_mm_unpacklo_epi16(lo, hi), round));
        let p1 = _mm_srai_epi32::<15>(_mm_add_epi32(_mm_unpackhi_epi16(lo, hi), round));
        // Only 0x8000 * 0x8000 overflows; the signed pack saturates it to 0x7FFF.
        v(_mm_packs_epi32(p0, p1))
    }

    /// `i16x8.narrow_i32x4_u` without SSE4.1's `packusdw`: negatives to 0, then a signed
    /// pack of `x - 0x8000` clamps exactly to `0..=0xFFFF` shifted down by 0x8000.
    #[inline(always)]
    pub(super) fn narrow_u_i32(a: u128, b: u128) -> u128 {
        let bias = _mm_set1_epi32(0x8000);
        let prep = |x: __m128i| {
            let x = _mm_and_si128(x, _mm_cmpgt_epi32(x, _mm_setzero_si128()));
            _mm_sub_epi32(x, bias)
        };
        v(_mm_xor_si128(_mm_packs_epi32(prep(m(a)), prep(m(b))), _mm_set1_epi16(i16::MIN)))
    }

    #[inline(always)]
    pub(super) fn extend_i8(a: u128, high: bool, signed: bool) -> __m128i {
        let x = m(a);
        if signed {
            let d = if high { _mm_unpackhi_epi8(x, x) } else { _mm_unpacklo_epi8(x, x) };
            _mm_srai_epi16::<8>(d)
        } else if high {
            _mm_unpackhi_epi8(x, _mm_setzero_si128())
        } else {
            _mm_unpacklo_epi8(x, _mm_setzero_si128())
        }
    }

    #[inline(always)]
    pub(super) fn extend_i16(a: u128, high: bool, signed: bool) -> __m128i {
        let x = m(a);
        if signed {
            let d = if high { _mm_unpackhi_epi16(x, x) } else { _mm_unpacklo_epi16(x, x) };
            _mm_srai_epi32::<16>(d)
        } else if high {
            _mm_unpackhi_epi16(x, _mm_setzero_si128())
        } else {
            _mm_unpacklo_epi16(x, _mm_setzero_si128())
        }
    }

    #[inline(always)]
    pub(super) fn extend_i32(a: u128, high: bool, signed: bool) -> __m128i {
        let x = m(a);
        let top = if signed { _mm_srai_epi32::<31>(x) } else { _mm_setzero_si128() };
        if high { _mm_unpackhi_epi32(x, top) } else { _mm_unpacklo_epi32(x, top) }
    }

    #[inline(always)]
    pub(super) fn extadd_pairwise_i8(a: u128, signed: bool) -> u128 {
        let x = m(a);
        if signed {
            let even = _mm_srai_epi16::<8>(_mm_slli_epi16::<8>(x));
            v(_mm_add_epi16(even, _mm_srai_epi16::<8>(x)))
        } else {
            let even = _mm_and_si128(x, _mm_set1_epi16(0xFF));
            v(_mm_add_epi16(even, _mm_srli_epi16::<8>(x)))
        }
    }

    /// `pmaddwd` is signed: bias the lanes to signed, sum pairs, add the bias back.
    #[inline(always)]
    pub(super) fn extadd_pairwise_u16(a: u128) -> u128 {
        let x = _mm_xor_si128(m(a), _mm_set1_epi16(i16::MIN));
        v(_mm_add_epi32(_mm_madd_epi16(x, _mm_set1_epi16(1)), _mm_set1_epi32(0x1_0000)))
    }

    #[inline(always)]
    pub(super) fn min_u16(a: u128, b: u128) -> u128 {
        let (x, y) = (m(a), m(b));
        v(_mm_sub_epi16(x, _mm_subs_epu16(x, y)))
    }

    #[inline(always)]
    pub(super) fn max_u16(a: u128, b: u128) -> u128 {
        let (x, y) = (m(a), m(b));
        v(_mm_add_epi16(y, _mm_subs_epu16(x, y)))
    }

    /// 32-bit lanes' low product halves from the two 64-bit products `pmuludq` makes.
    #[inline(always)]
    pub(super) fn mul_i32(a: u128, b: u128) -> u128 {
        let (x, y) = (m(a), m(b));
        let even = _mm_mul_epu32(x, y);
        let odd = _mm_mul_epu32(_mm_srli_epi64::<32>(x), _mm_srli_epi64::<32>(y));
        let even = _mm_shuffle_epi32::<0b00_00_10_00>(even);
        let odd = _mm_shuffle_epi32::<0b00_00_10_00>(odd);
        v(_mm_unpacklo_epi32(even, odd))
    }

    #[inline(always)]
    pub(super) fn min_max_i32(a: u128, b: u128, max: bool, signed: bool) -> u128 {
        let (x, y) = (m(a), m(b));
        let gt = if signed { _mm_cmpgt_epi32(x, y) } else { gt_u32_m(x, y) };
        v(if max { select(gt, x, y) } else { select(gt, y, x) })
    }

    /// `i32x4.extmul_*_i16x8`: the low and high product halves, interleaved.
    #[inline(always)]
    pub(super) fn extmul_i16(a: u128, b: u128, high: bool, signed: bool) -> u128 {
        let (x, y) = (m(a), m(b));
        let lo = _mm_mullo_epi16(x, y);
        let hi = if signed { _mm_mulhi_epi16(x, y) } else { _mm_mulhi_epu16(x, y) };
        v(if high { _mm_unpackhi_epi16(lo, hi) } else { _mm_unpacklo_epi16(lo, hi) })
    }

    /// `i64x2.extmul_*_i32x4`: `pmuludq` on the lanes spread to the even positions; the
    /// signed product is the unsigned one less `2^32 * (y if x < 0, plus x if y < 0)`.
    #[inline(always)]
    pub(super) fn extmul_i32(a: u128, b: u128, high: bool, signed: bool) -> u128 {
        let spread = |x: __m128i| if high { _mm_unpackhi_epi32(x, x) } else { _mm_unpacklo_epi32(x, x) };
        let (x, y) = (spread(m(a)), spread(m(b)));
        let p = _mm_mul_epu32(x, y);
        if !signed {
            return v(p);
        }
        let fix = _mm_add_epi32(_mm_and_si128(_mm_srai_epi32::<31>(x), y), _mm_and_si128(_mm_srai_epi32::<31>(y), x));
        v(_mm_sub_epi64(p, _mm_slli_epi64::<32>(fix)))
    }

    /// `lo(x) * lo(y) + ((hi(x) * lo(y) + lo(x) * hi(y)) << 32)`, modulo 2^64.
    #[inline(always)]
    pub(super) fn mul_i64(a: u128, b: u128) -> u128 {
        let (x, y) = (m(a), m(b));
        let lo = _mm_mul_epu32(x, y);
        let cross = _mm_add_epi64(_mm_mul_epu32(_mm_srli_epi64::<32>(x), y), _mm_mul_epu32(x, _mm_srli_epi64::<32>(y)));
        v(_mm_add_epi64(lo, _mm_slli_epi64::<32>(cross)))
    }

    /// `i16x8.relaxed_dot_i8x16_i7x16_s`: even and odd bytes sign-extended to 16 bits,
    /// multiplied, and the pairs added with wrapping.
    #[inline(always)]
    pub(super) fn dot_i8_sse2(a: u128, b: u128) -> __m128i {
        let (x, y) = (m(a), m(b));
        let even = |z: __m128i| _mm_srai_epi16::<8>(_mm_slli_epi16::<8>(z));
        let odd = |z: __m128i| _mm_srai_epi16::<8>(z);
        _mm_add_epi16(_mm_mullo_epi16(even(x), even(y)), _mm_mullo_epi16(odd(x), odd(y)))
    }

    /// NaN to 0 (by masking), truncate (out-of-range lanes give `i32::MIN`), and turn that
    /// into `i32::MAX` where the operand was at least 2^31.
    #[inline(always)]
    pub(super) fn trunc_sat_f32_s(a: u128) -> u128 {
        let x = ps(a);
        let x = _mm_and_ps(x, _mm_cmpeq_ps(x, x));
        let r = _mm_cvttps_epi32(x);
        let over = _mm_castps_si128(_mm_cmpge_ps(x, _mm_set1_ps(2_147_483_648.0)));
        v(_mm_xor_si128(r, over))
    }

    /// NaN and negatives to 0 (`maxps` returns its second operand for a NaN); lanes from
    /// 2^31 are truncated less 2^31 and added to the `0x8000_0000` the first truncation
    /// gives them; lanes from 2^32 saturate.
    #[inline(always)]
    pub(super) fn trunc_sat_f32_u(a: u128) -> u128 {
        let x = _mm_max_ps(ps(a), _mm_setzero_ps());
        let two31 = _mm_set1_ps(2_147_483_648.0);
        let low = _mm_cvttps_epi32(x);
        let big = _mm_castps_si128(_mm_cmpge_ps(x, two31));
        let high = _mm_and_si128(_mm_cvttps_epi32(_mm_sub_ps(x, two31)), big);
        let over = _mm_castps_si128(_mm_cmpge_ps(x, _mm_set1_ps(4_294_967_296.0)));
        v(_mm_or_si128(_mm_add_epi32(low, high), over))
    }

    /// NaN to 0, clamp above to `i32::MAX` (below, truncation gives `i32::MIN` itself);
    /// `cvttpd2dq` zeroes the upper two lanes.
    #[inline(always)]
    pub(super) fn trunc_sat_f64_s_zero(a: u128) -> u128 {
        let x = pd(a);
        let x = _mm_and_pd(x, _mm_cmpeq_pd(x, x));
        v(_mm_cvttpd_epi32(_mm_min_pd(x, _mm_set1_pd(2_147_483_647.0))))
    }

    /// Clamp to `0..=u32::MAX` (NaN to 0), truncate lanes from 2^31 less 2^31 (exact), and
    /// add 2^31 back to their 32-bit results.
    #[inline(always)]
    pub(super) fn trunc_sat_f64_u_zero(a: u128) -> u128 {
        let x = _mm_max_pd(pd(a), _mm_setzero_pd());
        let x = _mm_min_pd(x, _mm_set1_pd(4_294_967_295.0));
        let two31 = _mm_set1_pd(2_147_483_648.0);
        let big = _mm_cmpge_pd(x, two31);
        let r = _mm_cvttpd_epi32(_mm_sub_pd(x, _mm_and_pd(big, two31)));
        // The two 64-bit masks to 32-bit lanes 0 and 1; lanes 2 and 3 zero.
        let big = _mm_move_epi64(_mm_shuffle_epi32::<0b00_00_10_00>(_mm_castpd_si128(big)));
        v(_mm_add_epi32(r, _mm_and_si128(big, _mm_set1_epi32(i32::MIN))))
    }

    /// `hi16 * 65536 + lo16`: both parts convert exactly, so the one rounding is the add's.
    #[inline(always)]
    pub(super) fn convert_u32_f32(a: u128) -> u128 {
        let x = m(a);
        let lo = _mm_cvtepi32_ps(_mm_and_si128(x, _mm_set1_epi32(0xFFFF)));
        let hi = _mm_cvtepi32_ps(_mm_srli_epi32::<16>(x));
        vps(_mm_add_ps(_mm_mul_ps(hi, _mm_set1_ps(65536.0)), lo))
    }

    /// Each u32 as the low mantissa bits of 2^52, less 2^52 (exact).
    #[inline(always)]
    pub(super) fn convert_low_u32_f64(a: u128) -> u128 {
        let x = _mm_unpacklo_epi32(m(a), _mm_set1_epi32(0x4330_0000));
        let two52 = _mm_set1_pd(4_503_599_627_370_496.0);
        vpd(_mm_sub_pd(_mm_castsi128_pd(x), two52))
    }

    /// The float operations [`fmin`], [`fmax`] and [`round`] need, for `__m128` and
    /// `__m128d`.
    pub(super) trait Float: Copy {
        /// 2^(mantissa bits): from there on every value is an integer.
        const INTEGRAL: f64;
        const SIGN: u64;
        const QUIET: u64;
        const CANONICAL_NAN: u64;
        fn of(a: u128) -> Self;
        fn bits(self) -> u128;
        fn splat(x: f64) -> Self;
        fn splat_bits(x: u64) -> Self;
        fn add(self, o: Self) -> Self;
        fn sub(self, o: Self) -> Self;
        fn min(self, o: Self) -> Self;
        fn max(self, o: Self) -> Self;
        fn lt(self, o: Self) -> Self;
        fn gt(self, o: Self) -> Self;
        fn unord(self, o: Self) -> Self;
        fn and(self, o: Self) -> Self;
        fn or(self, o: Self) -> Self;
        /// `!self & o`.
        fn andnot(self, o: Self) -> Self;
    }

    macro_rules! float_impl {
        ($t:ty, $f:ty, $integral:expr, $sign:expr, $quiet:expr, $nan:expr, $of:ident, $bits:ident,
         $set1:ident, $splat_bits:expr, $add:ident, $sub:ident, $min:ident, $max:ident,
         $lt:ident, $gt:ident, $unord:ident, $and:ident, $or:ident, $andnot:ident) => {
            impl Float for $t {
                const INTEGRAL: f64 = $integral;
                const SIGN: u64 = $sign;
                const QUIET: u64 = $quiet;
                const CANONICAL_NAN: u64 = $nan;
                #[inline(always)]
                fn of(a: u128) -> Self {
                    $of(a)
                }
                #[inline(always)]
                fn bits(self) -> u128 {
                    $bits(self)
                }
                #[inline(always)]
                fn splat(x: f64) -> Self {
                    $set1(x as $f)
                }
                #[inline(always)]
                fn splat_bits(x: u64) -> Self {
                    $splat_bits(x)
                }
                #[inline(always)]
                fn add(self, o: Self) -> Self {
                    $add(self, o)
                }
                #[inline(always)]
                fn sub(self, o: Self) -> Self {
                    $sub(self, o)
                }
                #[inline(always)]
                fn min(self, o: Self) -> Self {
                    $min(self, o)
                }
                #[inline(always)]
                fn max(self, o: Self) -> Self {
                    $max(self, o)
                }
                #[inline(always)]
                fn lt(self, o: Self) -> Self {
                    $lt(self, o)
                }
                #[inline(always)]
                fn gt(self, o: Self) -> Self {
                    $gt(self, o)
                }
                #[inline(always)]
                fn unord(self, o: Self) -> Self {
                    $unord(self, o)
                }
                #[inline(always)]
                fn and(self, o: Self) -> Self {
                    $and(self, o)
                }
                #[inline(always)]
                fn or(self, o: Self) -> Self {
                    $or(self, o)
                }
                #[inline(always)]
                fn andnot(self, o: Self) -> Self {
                    $andnot(self, o)
                }
            }
        };
    }

    float_impl!(
        __m128,
        f32,
        8_388_608.0,
        0x8000_0000,
        0x0040_0000,
        0x7FC0_0000,
        ps,
        vps,
        _mm_set1_ps,
        |x: u64| _mm_castsi128_ps(_mm_set1_epi32(x as i32)),
        _mm_add_ps,
        _mm_sub_ps,
        _mm_min_ps,
        _mm_max_ps,
        _mm_cmplt_ps,
        _mm_cmpgt_ps,
        _mm_cmpunord_ps,
        _mm_and_ps,
        _mm_or_ps,
        _mm_andnot_ps
    );
    float_impl!(
        __m128d,
        f64,
        4_503_599_627_370_496.0,
        0x8000_0000_0000_0000,
        0x0008_0000_0000_0000,
        0x7FF8_0000_0000_0000,
        pd,
        vpd,
        _mm_set1_pd,
        |x: u64| _mm_castsi128_pd(_mm_set1_epi64x(x as i64)),
        _mm_add_pd,
        _mm_sub_pd,
        _mm_min_pd,
        _mm_max_pd,
        _mm_cmplt_pd,
        _mm_cmpgt_pd,
        _mm_cmpunord_pd,
        _mm_and_pd,
        _mm_or_pd,
        _mm_andnot_pd
    );

    /// `fmin`: `minps` in both orders, or-ed, gives the minimum with `-0 < +0` (the
    /// instruction returns its second operand for equal operands); NaN lanes become the
    /// canonical NaN.
    #[inline(always)]
    pub(super) fn fmin<T: Float>(a: u128, b: u128) -> u128 {
        let (x, y) = (T::of(a), T::of(b));
        let r = x.min(y).or(y.min(x));
        let nan = x.unord(y);
        nan.andnot(r).or(nan.and(T::splat_bits(T::CANONICAL_NAN))).bits()
    }

    /// `fmax`: as [`fmin`], and-ed so that `+0 > -0`.
    #[inline(always)]
    pub(super) fn fmax<T: Float>(a: u128, b: u128) -> u128 {
        let (x, y) = (T::of(a), T::of(b));
        let r = x.max(y).and(y.max(x));
        let nan = x.unord(y);
        nan.andnot(r).or(nan.and(T::splat_bits(T::CANONICAL_NAN))).bits()
    }

    /// Rounding to an integral value without SSE4.1's `roundps`: below 2^mantissa,
    /// `(|x| + 2^p) - 2^p` is `|x|` rounded to nearest, ties to even; `floor`, `ceil` and
    /// `trunc` correct that by one where it went the wrong way; the sign is put back (so
    /// `-0.5` gives `-0`). Larger values, infinities and NaNs (quieted) pass through.
    #[inline(always)]
    pub(super) fn round<T: Float>(a: u128, mode: Round) -> u128 {
        let x = T::of(a);
        let sign = x.and(T::splat_bits(T::SIGN));
        let abs = sign.andnot(x);
        let integral = T::splat(T::INTEGRAL);
        let one = T::splat(1.0);
        let small = abs.lt(integral);
        let nearest = abs.add(integral).sub(integral);
        let r = match mode {
            Round::Nearest => nearest.or(sign),
            Round::Trunc => nearest.sub(nearest.gt(abs).and(one)).or(sign),
            Round::Floor => {
                let n = nearest.or(sign);
                n.sub(n.gt(x).and(one))
            }
            Round::Ceil => {
                let n = nearest.or(sign);
                n.add(n.lt(x).and(one)).or(sign)
            }
        };
        let quieted = x.or(x.unord(x).and(T::splat_bits(T::QUIET)));
        small.and(r).or(small.andnot(quieted)).bits()
    }
}

#[cfg(test)]
mod tests;
