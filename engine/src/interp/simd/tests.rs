//! Tests of the SIMD semantics: hand-computed cases per operator family, the SSE2 and
//! portable forms against each other, and no panics on any operator.

use super::*;
use crate::syntax::{SimdImm, ValType};
use SimdOp::*;

/// Evaluates with both implementations and checks they agree with `want`.
#[track_caller]
fn check3(op: SimdOp, lane: u8, a: u128, b: u128, c: u128, want: u128) {
    for x86 in [false, true] {
        let got = if x86 { eval_with::<true>(op, lane, a, b, c) } else { eval_with::<false>(op, lane, a, b, c) };
        assert_eq!(got, want, "{} (sse2: {x86}): got {got:#034x}, want {want:#034x}", op.name());
    }
}

#[track_caller]
fn check(op: SimdOp, a: u128, b: u128, want: u128) {
    check3(op, 0, a, b, 0, want);
}

fn f32v(x: [f32; 4]) -> u128 {
    x.v128()
}

fn f64v(x: [f64; 2]) -> u128 {
    x.v128()
}

const CANON32: u32 = 0x7FC0_0000;
const CANON64: u64 = 0x7FF8_0000_0000_0000;

#[test]
fn lane_layout_is_little_endian() {
    let v = 0x0F0E_0D0C_0B0A_0908_0706_0504_0302_0100u128;
    assert_eq!(u8s(v), from_fn::<u8, 16, _>(|i| i as u8));
    assert_eq!(u16s(v)[1], 0x0302);
    assert_eq!(u32s(v)[3], 0x0F0E_0D0C);
    assert_eq!(u64s(v), [0x0706_0504_0302_0100, 0x0F0E_0D0C_0B0A_0908]);
    assert_eq!(u16s(v).v128(), v);
    assert_eq!(f64s(v).v128(), v);
}

#[test]
fn extract_and_replace_lanes() {
    let v = [-1i8, 2, -3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, -128].v128();
    check3(I8x16ExtractLaneS, 0, v, 0, 0, 0xFFFF_FFFF);
    check3(I8x16ExtractLaneU, 0, v, 0, 0, 0xFF);
    check3(I8x16ExtractLaneS, 15, v, 0, 0, 0xFFFF_FF80);
    check3(I8x16ExtractLaneU, 15, v, 0, 0, 0x80);
    check3(I8x16ExtractLaneS, 9, v, 0, 0, 10);
    let w = [1i16, -2, 3, 4, 5, 6, 7, i16::MIN].v128();
    check3(I16x8ExtractLaneS, 1, w, 0, 0, 0xFFFF_FFFE);
    check3(I16x8ExtractLaneU, 1, w, 0, 0, 0xFFFE);
    check3(I16x8ExtractLaneS, 7, w, 0, 0, 0xFFFF_8000);
    let x = [10u32, 20, 30, 0xDEAD_BEEF].v128();
    check3(I32x4ExtractLane, 3, x, 0, 0, 0xDEAD_BEEF);
    check3(F32x4ExtractLane, 2, x, 0, 0, 30);
    let y = [5u64, u64::MAX].v128();
    check3(I64x2ExtractLane, 1, y, 0, 0, u64::MAX.into());
    check3(F64x2ExtractLane, 0, y, 0, 0, 5);

    // Only the lane's width of the scalar is used.
    check3(I8x16ReplaceLane, 15, 0, 0x1FF, 0, 0xFFu128 << 120);
    check3(I8x16ReplaceLane, 3, u128::MAX, 0, 0, !(0xFFu128 << 24));
    check3(I16x8ReplaceLane, 4, 0, 0xABCD_1234, 0, 0x1234u128 << 64);
    check3(I32x4ReplaceLane, 1, x, 7, 0, [10u32, 7, 30, 0xDEAD_BEEF].v128());
    check3(F32x4ReplaceLane, 3, x, 1.5f32.to_bits().into(), 0, [10, 20, 30, 1.5f32.to_bits()].v128());
    check3(I64x2ReplaceLane, 0, y, 9, 0, [9u64, u64::MAX].v128());
    check3(F64x2ReplaceLane, 1, y, (-0.0f64).to_bits().into(), 0, [5u64, 1 << 63].v128());
}

#[test]
fn splats() {
    check(I8x16Splat, 0x1_2345_67AB, 0, u128::from_le_bytes([0xAB; 16]));
    check(I16x8Splat, 0xFFFF_8001, 0, [0x8001u16; 8].v128());
    check(I32x4Splat, 0xDEAD_BEEF, 0, [0xDEAD_BEEFu32; 4].v128());
    check(F32x4Splat, (-0.0f32).to_bits().into(), 0, splat32(0x8000_0000));
    check(I64x2Splat, u64::MAX.into(), 0, u128::MAX);
    check(F64x2Splat, 2.5f64.to_bits().into(), 0, f64v([2.5, 2.5]));
}

#[test]
fn shuffle_takes_lanes_from_both_operands() {
    let a = u128::from_le_bytes(from_fn(|i| i as u8));
    let b = u128::from_le_bytes(from_fn(|i| 0x10 + i as u8));
    let idx = [31u8, 0, 16, 15, 1, 17, 2, 18, 30, 14, 3, 3, 19, 20, 4, 5];
    let want = [0x1Fu8, 0, 0x10, 15, 1, 0x11, 2, 0x12, 0x1E, 14, 3, 3, 0x13, 0x14, 4, 5];
    check3(I8x16Shuffle, 0, a | 0x77, b, 0, u128::from_le_bytes([0x77; 16])); // all lanes a[0]
    check3(I8x16Shuffle, 0, a, b, u128::from_le_bytes(idx), u128::from_le_bytes(want));
}

#[test]
fn swizzle_gives_zero_from_index_16() {
    let a = u128::from_le_bytes(from_fn(|i| 0xA0 + i as u8));
    let idx = [0u8, 15, 16, 255, 1, 128, 7, 17, 8, 9, 10, 11, 12, 13, 14, 0x80];
    let want = [0xA0u8, 0xAF, 0, 0, 0xA1, 0, 0xA7, 0, 0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0];
    for op in [I8x16Swizzle, I8x16RelaxedSwizzle] {
        check(op, a, u128::from_le_bytes(idx), u128::from_le_bytes(want));
    }
}

#[test]
fn integer_comparisons() {
    let a = [0i8, -1, 127, -128, 5, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0].v128();
    let b = [0i8, 1, -128, 127, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0].v128();
    let m = |l: [bool; 6]| u128::from_le_bytes(from_fn(|i| if i < 6 { if l[i] { 0xFF } else { 0 } } else { 0 }));
    let rest = |l: [bool; 6], tail: bool| m(l) | if tail { u128::MAX << 48 } else { 0 };
    check(I8x16Eq, a, b, rest([true, false, false, false, true, false], true));
    check(I8x16Ne, a, b, rest([false, true, true, true, false, true], false));
    check(I8x16LtS, a, b, rest([false, true, false, true, false, true], false));
    check(I8x16LtU, a, b, rest([false, false, true, false, false, true], false));
    check(I8x16GtS, a, b, rest([false, false, true, false, false, false], false));
    check(I8x16GtU, a, b, rest([false, true, false, true, false, false], false));
    check(I8x16LeS, a, b, rest([true, true, false, true, true, true], true));
    check(I8x16LeU, a, b, rest([true, false, true, false, true, true], true));
    check(I8x16GeS, a, b, rest([true, false, true, false, true, false], true));
    check(I8x16GeU, a, b, rest([true, true, false, true, true, false], true));

    let a = [-1i16, 0x7FFF, i16::MIN, 3, 0, 0, 0, 0].v128();
    let b = [1i16, i16::MIN, 0x7FFF, 3, 0, 0, 0, 0].v128();
    check(I16x8LtS, a, b, [0xFFFFu16, 0, 0xFFFF, 0, 0, 0, 0, 0].v128());
    check(I16x8LtU, a, b, [0u16, 0xFFFF, 0, 0, 0, 0, 0, 0].v128());
    check(I16x8GeU, a, b, [0xFFFFu16, 0, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF].v128());
    check(I16x8GtS, a, b, [0u16, 0xFFFF, 0, 0, 0, 0, 0, 0].v128());
    check(I16x8Ne, a, b, [0xFFFFu16, 0xFFFF, 0xFFFF, 0, 0, 0, 0, 0].v128());

    let a = [-1i32, i32::MAX, i32::MIN, 7].v128();
    let b = [1i32, i32::MIN, i32::MAX, 7].v128();
    check(I32x4LtS, a, b, [u32::MAX, 0, u32::MAX, 0].v128());
    check(I32x4LtU, a, b, [0, u32::MAX, 0, 0].v128());
    check(I32x4GtU, a, b, [u32::MAX, 0, u32::MAX, 0].v128());
    check(I32x4LeS, a, b, [u32::MAX, 0, u32::MAX, u32::MAX].v128());
    check(I32x4Eq, a, b, [0, 0, 0, u32::MAX].v128());

    // The low halves decide only where the high halves are equal, and compare unsigned.
    let a = [i64::MIN, 0x0000_0001_8000_0000].v128();
    let b = [i64::MAX, 0x0000_0001_7FFF_FFFF].v128();
    check(I64x2LtS, a, b, [u64::MAX, 0].v128());
    check(I64x2GtS, a, b, [0, u64::MAX].v128());
    check(I64x2LeS, a, a, u128::MAX);
    check(I64x2GeS, a, b, [0, u64::MAX].v128());
    check(I64x2Eq, [1u64, 1 << 32].v128(), [1u64, 1].v128(), [u64::MAX, 0].v128());
    check(I64x2Ne, [1u64, 1 << 32].v128(), [1u64, 1].v128(), [0, u64::MAX].v128());
    check(I64x2LtS, [-1i64, -2].v128(), [0i64, -1].v128(), u128::MAX);
}

#[test]
fn float_comparisons_treat_nan_as_unordered() {
    let nan = f32::NAN;
    let a = f32v([1.0, nan, -0.0, 2.0]);
    let b = f32v([1.0, nan, 0.0, 1.0]);
    check(F32x4Eq, a, b, [u32::MAX, 0, u32::MAX, 0].v128());
    check(F32x4Ne, a, b, [0, u32::MAX, 0, u32::MAX].v128());
    check(F32x4Lt, a, b, 0);
    check(F32x4Le, a, b, [u32::MAX, 0, u32::MAX, 0].v128());
    check(F32x4Gt, a, b, [0, 0, 0, u32::MAX].v128());
    check(F32x4Ge, a, b, [u32::MAX, 0, u32::MAX, u32::MAX].v128());
    let a = f64v([f64::NAN, -1.0]);
    let b = f64v([0.0, 1.0]);
    check(F64x2Eq, a, b, 0);
    check(F64x2Ne, a, b, u128::MAX);
    check(F64x2Lt, a, b, [0, u64::MAX].v128());
    check(F64x2Ge, a, b, 0);
    check(F64x2Gt, b, a, [0, u64::MAX].v128());
    check(F64x2Le, b, b, u128::MAX);
}

#[test]
fn bitwise() {
    let a = 0xFF00_FF00_1234_5678_0000_FFFF_AAAA_5555u128;
    let b = 0x0F0F_0F0F_FFFF_0000_1111_1111_FFFF_0000u128;
    let c = 0xFFFF_FFFF_0000_0000_FFFF_0000_0F0F_F0F0u128;
    check(V128Not, a, 0, !a);
    check(V128And, a, b, a & b);
    check(V128Andnot, a, b, a & !b);
    check(V128Or, a, b, a | b);
    check(V128Xor, a, b, a ^ b);
    let select = 0xFF00_FF00_FFFF_0000_0000_1111_FAFA_5050u128;
    assert_eq!(select, (a & c) | (b & !c));
    for op in
        [V128Bitselect, I8x16RelaxedLaneselect, I16x8RelaxedLaneselect, I32x4RelaxedLaneselect, I64x2RelaxedLaneselect]
    {
        check3(op, 0, a, b, c, select);
    }
    check(V128AnyTrue, 0, 0, 0);
    check(V128AnyTrue, 1 << 127, 0, 1);
}

#[test]
fn all_true_and_bitmask() {
    check(I8x16AllTrue, u128::from_le_bytes([1; 16]), 0, 1);
    check(I8x16AllTrue, u128::from_le_bytes(from_fn(|i| if i == 9 { 0 } else { 0x80 })), 0, 0);
    check(I16x8AllTrue, [1u16, 0x100, 1, 1, 1, 1, 1, 0x8000].v128(), 0, 1);
    check(I16x8AllTrue, [1u16, 0x100, 1, 1, 0, 1, 1, 0x8000].v128(), 0, 0);
    check(I32x4AllTrue, [1u32, 1 << 31, 1 << 16, 1 << 8].v128(), 0, 1);
    check(I32x4AllTrue, [1u32, 1, 0, 1].v128(), 0, 0);
    check(I64x2AllTrue, [1u64 << 32, 1].v128(), 0, 1);
    check(I64x2AllTrue, [1u64 << 63, 0].v128(), 0, 0);

    check(
        I8x16Bitmask,
        u128::from_le_bytes(from_fn(|i| if i % 3 == 0 { 0x80 } else { 0x7F })),
        0,
        0b1001_0010_0100_1001,
    );
    check(I8x16Bitmask, u128::MAX, 0, 0xFFFF);
    check(I16x8Bitmask, [-1i16, 1, i16::MIN, 0x7FFF, 0, -2, 0, -32767].v128(), 0, 0b1010_0101);
    check(I32x4Bitmask, [-1i32, 1, i32::MIN, 0].v128(), 0, 0b0101);
    check(I64x2Bitmask, [1i64, -1].v128(), 0, 0b10);
}

#[test]
fn i8x16_arithmetic() {
    let a = [127i8, -128, -1, 0, 100, -100, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].v128();
    let b = [1i8, -1, 1, -128, 100, -100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0].v128();
    let tail = |l: [i8; 6]| from_fn::<i8, 16, _>(|i| if i < 6 { l[i] } else { i as i8 - 5 }).v128();
    check(I8x16Add, a, b, tail([-128, 127, 0, -128, -56, 56]));
    check(I8x16AddSatS, a, b, tail([127, -128, 0, -128, 127, -128]));
    // As unsigned: 0x7F+1, 0x80+0xFF, 0xFF+1, 0+0x80, 100+100, 0x9C+0x9C.
    check(I8x16AddSatU, a, b, tail([-128, -1, -1, -128, -56, -1]));
    check(I8x16Sub, a, b, tail([126, -127, -2, -128, 0, 0]));
    check(I8x16SubSatS, a, b, tail([126, -127, -2, 127, 0, 0]));
    check(I8x16SubSatU, a, b, tail([126, 0, -2, 0, 0, 0]));
    check(
        I8x16MinS,
        a,
        b,
        {
            let mut l = i8s(b);
            l[0] = 1;
            l[1] = -128;
            l[2] = -1;
            l
        }
        .v128(),
    );
    check(I8x16MaxS, a, b, tail([127, -1, 1, 0, 100, -100]));
    check(
        I8x16MinU,
        a,
        b,
        {
            let mut l = i8s(b);
            l[1] = -128;
            l[2] = 1;
            l[3] = 0;
            l
        }
        .v128(),
    );
    check(I8x16MaxU, a, b, tail([127, -1, -1, -128, 100, -100]));
    check(I8x16AvgrU, [0u8, 255, 1, 254].v128_pad(), [1u8, 255, 2, 255].v128_pad(), [1u8, 255, 2, 255].v128_pad());
    check(I8x16Abs, a, 0, tail([127, -128, 1, 0, 100, 100]));
    check(I8x16Neg, a, 0, [-127i8, -128, 1, 0, -100, 100, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10].v128());
    check(I8x16Neg, [-128i8; 16].v128(), 0, [-128i8; 16].v128());
    check(
        I8x16Popcnt,
        [0u8, 1, 0xFF, 0x80, 0x55, 0x0F, 0xF0, 0x81].v128_pad(),
        0,
        [0u8, 1, 8, 1, 4, 4, 4, 2].v128_pad(),
    );
}

/// A byte array of up to 16 lanes, padded with zero lanes.
trait Pad {
    fn v128_pad(self) -> u128;
}

impl<const N: usize> Pad for [u8; N] {
    fn v128_pad(self) -> u128 {
        u128::from_le_bytes(from_fn(|i| self.get(i).copied().unwrap_or(0)))
    }
}

#[test]
fn shifts_take_the_count_modulo_the_lane_width() {
    let a = [0x81u8; 16].v128();
    check(I8x16Shl, a, 1, [0x02u8; 16].v128());
    check(I8x16Shl, a, 9, [0x02u8; 16].v128());
    check(I8x16Shl, a, 8, a);
    check(I8x16ShrU, a, 7, [0x01u8; 16].v128());
    check(I8x16ShrS, a, 1, [0xC0u8; 16].v128());
    check(I8x16ShrS, a, 15, [0xFFu8; 16].v128());
    check(I8x16ShrS, [0x7Fu8; 16].v128(), 0xFFFF_FFFE, [0x01u8; 16].v128());
    let a = [0x8001u16, 0x7FFF, 1, 0, 0xFFFF, 2, 4, 8].v128();
    check(I16x8Shl, a, 17, [2u16, 0xFFFE, 2, 0, 0xFFFE, 4, 8, 16].v128());
    check(I16x8ShrU, a, 15, [1u16, 0, 0, 0, 1, 0, 0, 0].v128());
    check(I16x8ShrS, a, 16, a);
    check(I16x8ShrS, a, 1, [0xC000u16, 0x3FFF, 0, 0, 0xFFFF, 1, 2, 4].v128());
    let a = [i32::MIN, -1, 1, 0x4000_0000].v128();
    check(I32x4Shl, a, 33, [0, -2, 2, i32::MIN].v128());
    check(I32x4ShrS, a, 31, [-1i32, -1, 0, 0].v128());
    check(I32x4ShrU, a, 63, [1i32, 1, 0, 0].v128());
    check(I32x4ShrS, a, 32, a);
    let a = [i64::MIN, 3].v128();
    check(I64x2Shl, a, 65, [0i64, 6].v128());
    check(I64x2ShrS, a, 63, [-1i64, 0].v128());
    check(I64x2ShrS, a, 1, [i64::MIN / 2, 1].v128());
    check(I64x2ShrU, a, 127, [1i64, 0].v128());
    check(I64x2ShrS, a, 64, a);
}

#[test]
fn i16x8_arithmetic() {
    let a = [i16::MAX, i16::MIN, -1, 300, 0, 2, 1000, -7].v128();
    let b = [1i16, -1, 1, 300, i16::MIN, -3, 1000, 3].v128();
    check(I16x8Add, a, b, [i16::MIN, i16::MAX, 0, 600, i16::MIN, -1, 2000, -4].v128());
    check(I16x8AddSatS, a, b, [i16::MAX, i16::MIN, 0, 600, i16::MIN, -1, 2000, -4].v128());
    check(I16x8AddSatU, a, b, [0x8000u16, 0xFFFF, 0xFFFF, 600, 0x8000, 0xFFFF, 2000, 0xFFFC].v128());
    check(I16x8Sub, a, b, [0x7FFEi16, -32767, -2, 0, i16::MIN, 5, 0, -10].v128());
    check(I16x8SubSatS, a, b, [0x7FFEi16, -32767, -2, 0, i16::MAX, 5, 0, -10].v128());
    check(I16x8SubSatU, a, b, [0x7FFEu16, 0, 0xFFFE, 0, 0, 0, 0, 0xFFF6].v128());
    check(I16x8Mul, a, b, [i16::MAX, i16::MIN, -1, 0x5F90, 0, -6, 0x4240, -21].v128());
    check(I16x8MinS, a, b, [1i16, i16::MIN, -1, 300, i16::MIN, -3, 1000, -7].v128());
    check(I16x8MaxS, a, b, [i16::MAX, -1, 1, 300, 0, 2, 1000, 3].v128());
    check(I16x8MinU, a, b, [1i16, i16::MIN, 1, 300, 0, 2, 1000, 3].v128());
    check(I16x8MaxU, a, b, [i16::MAX, -1, -1, 300, i16::MIN, -3, 1000, -7].v128());
    check(
        I16x8AvgrU,
        [0u16, 0xFFFF, 1, 2, 0, 0, 0, 0].v128(),
        [1u16, 0xFFFF, 2, 2, 0, 0, 0, 0].v128(),
        [1u16, 0xFFFF, 2, 2, 0, 0, 0, 0].v128(),
    );
    check(I16x8Abs, a, 0, [i16::MAX, i16::MIN, 1, 300, 0, 2, 1000, 7].v128());
    check(I16x8Neg, a, 0, [-i16::MAX, i16::MIN, 1, -300, 0, -2, -1000, 7].v128());
}

#[test]
fn q15mulr_rounds_and_saturates() {
    let a = [i16::MIN, i16::MIN, 0x4000, 0x4000, -0x4000, 1, 0x7FFF, -1].v128();
    let b = [i16::MIN, 0x7FFF, 0x4000, 1, 1, 0x4000, 0x7FFF, 0x4000].v128();
    // 0x4000 * 1 = 0x4000: + 0x4000 = 0x8000, >> 15 = 1. -0x4000: (-0x4000 + 0x4000) >> 15 = 0.
    // -1 * 0x4000 = -0x4000 -> 0; 1 * 0x4000 -> 1.
    let want = [i16::MAX, -0x7FFF, 0x2000, 1, 0, 1, 0x7FFE, 0].v128();
    for op in [I16x8Q15mulrSatS, I16x8RelaxedQ15mulrS] {
        check(op, a, b, want);
    }
}

#[test]
fn narrowing_saturates() {
    let a = [-129i16, -128, 127, 128, 255, 256, -1, 0].v128();
    let b = [i16::MIN, i16::MAX, 1, 2, 3, 4, 5, 6].v128();
    check(I8x16NarrowI16x8S, a, b, [-128i8, -128, 127, 127, 127, 127, -1, 0, -128, 127, 1, 2, 3, 4, 5, 6].v128());
    check(I8x16NarrowI16x8U, a, b, [0u8, 0, 127, 128, 255, 255, 0, 0, 0, 255, 1, 2, 3, 4, 5, 6].v128());
    let a = [-32769i32, 32768, i32::MIN, i32::MAX].v128();
    let b = [65535i32, 65536, -1, 40000].v128();
    check(I16x8NarrowI32x4S, a, b, [i16::MIN, i16::MAX, i16::MIN, i16::MAX, i16::MAX, i16::MAX, -1, i16::MAX].v128());
    check(I16x8NarrowI32x4U, a, b, [0u16, 32768, 0, 65535, 65535, 65535, 0, 40000].v128());
}

#[test]
fn extend_extmul_extadd() {
    let a = from_fn::<i8, 16, _>(|i| if i % 2 == 0 { -(i as i8) - 1 } else { 100 + i as i8 }).v128();
    let lo_s = from_fn::<i16, 8, _>(|i| i16::from(i8s(a)[i]));
    let hi_u = from_fn::<u16, 8, _>(|i| u16::from(u8s(a)[8 + i]));
    check(I16x8ExtendLowI8x16S, a, 0, lo_s.v128());
    check(I16x8ExtendHighI8x16U, a, 0, hi_u.v128());
    check(I16x8ExtendLowI8x16U, [0x80u8, 0xFF, 1].v128_pad(), 0, [0x80u16, 0xFF, 1, 0, 0, 0, 0, 0].v128());
    check(I16x8ExtendHighI8x16S, u128::MAX, 0, u128::MAX);
    check(I32x4ExtendLowI16x8S, [-1i16, i16::MIN, 5, 6, 7, 8, 9, 10].v128(), 0, [-1i32, -32768, 5, 6].v128());
    check(I32x4ExtendHighI16x8S, [0i16, 0, 0, 0, -2, 3, i16::MIN, 1].v128(), 0, [-2i32, 3, -32768, 1].v128());
    check(I32x4ExtendLowI16x8U, [-1i16, i16::MIN, 5, 6, 7, 8, 9, 10].v128(), 0, [0xFFFFi32, 0x8000, 5, 6].v128());
    check(I32x4ExtendHighI16x8U, [0i16, 0, 0, 0, -2, 3, i16::MIN, 1].v128(), 0, [0xFFFEi32, 3, 0x8000, 1].v128());
    check(I64x2ExtendLowI32x4S, [-1i32, 2, 3, 4].v128(), 0, [-1i64, 2].v128());
    check(I64x2ExtendHighI32x4S, [0i32, 0, i32::MIN, -5].v128(), 0, [i64::from(i32::MIN), -5].v128());
    check(I64x2ExtendLowI32x4U, [-1i32, 2, 3, 4].v128(), 0, [0xFFFF_FFFFi64, 2].v128());
    check(I64x2ExtendHighI32x4U, [0i32, 0, i32::MIN, -5].v128(), 0, [0x8000_0000i64, 0xFFFF_FFFB].v128());

    let x = [-128i8, 127, -1, 2, 0, 0, 0, 0, 127, -128, 3, 0, 0, 0, 0, 0].v128();
    let y = [-128i8, 127, 5, -7, 0, 0, 0, 0, -128, -128, -1, 0, 0, 0, 0, 0].v128();
    check(I16x8ExtmulLowI8x16S, x, y, [16384i16, 16129, -5, -14, 0, 0, 0, 0].v128());
    check(I16x8ExtmulHighI8x16S, x, y, [-16256i16, 16384, -3, 0, 0, 0, 0, 0].v128());
    check(I16x8ExtmulLowI8x16U, x, y, [16384u16, 16129, 255 * 5, 2 * 249, 0, 0, 0, 0].v128());
    check(I16x8ExtmulHighI8x16U, x, y, [127u16 * 128, 128 * 128, 3 * 255, 0, 0, 0, 0, 0].v128());
    let x = [i16::MIN, i16::MAX, -1, 2, i16::MIN, -1, 3, 0].v128();
    let y = [i16::MIN, i16::MIN, -1, -3, 2, -1, 0x7FFF, 0].v128();
    check(I32x4ExtmulLowI16x8S, x, y, [1i32 << 30, -(32767 << 15), 1, -6].v128());
    check(I32x4ExtmulHighI16x8S, x, y, [-65536i32, 1, 3 * 32767, 0].v128());
    check(I32x4ExtmulLowI16x8U, x, y, [1u32 << 30, 32767 << 15, 0xFFFE_0001, 2 * 65533].v128());
    check(I32x4ExtmulHighI16x8U, x, y, [65536u32, 0xFFFE_0001, 3 * 32767, 0].v128());
    let x = [i32::MIN, -1, 5, i32::MAX].v128();
    let y = [i32::MIN, 3, -5, -1].v128();
    check(I64x2ExtmulLowI32x4S, x, y, [1i64 << 62, -3].v128());
    check(I64x2ExtmulHighI32x4S, x, y, [-25i64, -i64::from(i32::MAX)].v128());
    check(I64x2ExtmulLowI32x4U, x, y, [1u64 << 62, 0xFFFF_FFFF * 3].v128());
    check(I64x2ExtmulHighI32x4U, x, y, [5u64 * 0xFFFF_FFFB, 0x7FFF_FFFF * 0xFFFF_FFFF].v128());

    let a = [-128i8, -128, 127, 127, -1, 1, 0, 5, 1, 1, 1, 1, 1, 1, 1, 1].v128();
    check(I16x8ExtaddPairwiseI8x16S, a, 0, [-256i16, 254, 0, 5, 2, 2, 2, 2].v128());
    check(I16x8ExtaddPairwiseI8x16U, a, 0, [256u16, 254, 256, 5, 2, 2, 2, 2].v128());
    let a = [i16::MIN, i16::MIN, i16::MAX, i16::MAX, -1, -1, 1, 2].v128();
    check(I32x4ExtaddPairwiseI16x8S, a, 0, [-65536i32, 65534, -2, 3].v128());
    check(I32x4ExtaddPairwiseI16x8U, a, 0, [65536u32, 65534, 131070, 3].v128());
}

#[test]
fn i32x4_and_i64x2_arithmetic() {
    let a = [i32::MAX, i32::MIN, -7, 0x1234_5678].v128();
    let b = [1i32, -1, 3, 0x1000].v128();
    check(I32x4Add, a, b, [i32::MIN, i32::MAX, -4, 0x1234_6678].v128());
    check(I32x4Sub, a, b, [0x7FFF_FFFEi32, -0x7FFF_FFFF, -10, 0x1234_4678].v128());
    check(I32x4Mul, a, b, [i32::MAX, i32::MIN, -21, 0x4567_8000].v128());
    check(I32x4Mul, [-1i32; 4].v128(), [-1i32, 65536, 65537, i32::MIN].v128(), [1i32, -65536, -65537, i32::MIN].v128());
    check(I32x4MinS, a, b, [1i32, i32::MIN, -7, 0x1000].v128());
    check(I32x4MaxS, a, b, [i32::MAX, -1, 3, 0x1234_5678].v128());
    check(I32x4MinU, a, b, [1i32, i32::MIN, 3, 0x1000].v128());
    check(I32x4MaxU, a, b, [i32::MAX, -1, -7, 0x1234_5678].v128());
    check(I32x4Abs, a, 0, [i32::MAX, i32::MIN, 7, 0x1234_5678].v128());
    check(I32x4Neg, a, 0, [-i32::MAX, i32::MIN, 7, -0x1234_5678].v128());

    let x = [i16::MIN, i16::MIN, i16::MIN, i16::MIN, 1, 2, 3, -4].v128();
    let y = [i16::MIN, i16::MIN, i16::MAX, 1, 5, 6, 7, 8].v128();
    // Lane 0: 2^30 + 2^30 wraps to i32::MIN.
    check(I32x4DotI16x8S, x, y, [i32::MIN, -(32768 * 32767) - 32768, 17, 21 - 32].v128());

    let a = [i64::MAX, i64::MIN].v128();
    let b = [1i64, -1].v128();
    check(I64x2Add, a, b, [i64::MIN, i64::MAX].v128());
    check(I64x2Sub, a, b, [i64::MAX - 1, i64::MIN + 1].v128());
    check(I64x2Mul, a, b, [i64::MAX, i64::MIN].v128());
    check(
        I64x2Mul,
        [0x1_0000_0003i64, -3].v128(),
        [0x2_0000_0005i64, 0x7FFF_FFFF_FFFF].v128(),
        [0x1_0000_0003i64.wrapping_mul(0x2_0000_0005), -3 * 0x7FFF_FFFF_FFFF].v128(),
    );
    check(I64x2Abs, a, 0, [i64::MAX, i64::MIN].v128());
    check(I64x2Abs, [-5i64, 5].v128(), 0, [5i64, 5].v128());
    check(I64x2Neg, [-5i64, i64::MIN].v128(), 0, [5i64, i64::MIN].v128());
}

#[test]
fn relaxed_dot_products_treat_both_operands_as_signed() {
    let a = [-128i8, -128, 127, 127, -1, 2, 0, 0, 1, 1, -128, 127, 0, 0, 5, -5].v128();
    let b = [-128i8, -128, 127, -128, -1, -128, 9, 9, 0x7F, 0x7F, 1, 1, 0, 0, 5, 5].v128();
    // Lane 0: 16384 + 16384 wraps to -32768; lane 1: 16129 - 16256 = -127.
    let d = [i16::MIN, -127, 1 - 256, 0, 254, -1, 0, 0];
    check(I16x8RelaxedDotI8x16I7x16S, a, b, d.v128());
    let acc = [1i32, i32::MAX, -1, 7].v128();
    let want = [1 - 32768 - 127, i32::MAX.wrapping_add(-255), -1 + 254 - 1, 7].v128();
    check3(I32x4RelaxedDotI8x16I7x16AddS, 0, a, b, acc, want);
}

#[test]
fn float_arithmetic() {
    let a = f32v([1.5, -0.0, f32::INFINITY, 1e30]);
    let b = f32v([2.0, 0.0, f32::INFINITY, 1e30]);
    check(F32x4Add, a, b, f32v([3.5, 0.0, f32::INFINITY, 2e30]));
    check_f32(F32x4Sub, a, b, [Some(-0.5), Some(-0.0), None, Some(0.0)]);
    check(F32x4Mul, a, b, f32v([3.0, -0.0, f32::INFINITY, f32::INFINITY]));
    check_f32(F32x4Div, a, b, [Some(0.75), None, None, Some(1.0)]);
    check(F32x4Sqrt, f32v([4.0, -0.0, 2.0, f32::INFINITY]), 0, f32v([2.0, -0.0, 2f32.sqrt(), f32::INFINITY]));
    check(
        F32x4Abs,
        [CANON32 | 0x8000_0000, 0x8000_0000, 0xBF80_0000, 1].v128(),
        0,
        [CANON32, 0, 0x3F80_0000, 1].v128(),
    );
    check(
        F32x4Neg,
        [CANON32, 0, 0xBF80_0000, 1].v128(),
        0,
        [CANON32 | 0x8000_0000, 0x8000_0000, 0x3F80_0000, 0x8000_0001].v128(),
    );
    let a = f64v([1.5, -0.0]);
    let b = f64v([-2.0, 0.0]);
    check(F64x2Add, a, b, f64v([-0.5, 0.0]));
    check(F64x2Sub, a, b, f64v([3.5, -0.0]));
    check(F64x2Mul, a, b, f64v([-3.0, -0.0]));
    check_f64(F64x2Div, a, b, [Some(-0.75), None]);
    check(F64x2Sqrt, f64v([9.0, 2.0]), 0, f64v([3.0, 2f64.sqrt()]));
    check(F64x2Abs, [1u64 << 63 | CANON64, 1u64 << 63].v128(), 0, [CANON64, 0].v128());
    check(F64x2Neg, [CANON64, 0].v128(), 0, [1u64 << 63 | CANON64, 1u64 << 63].v128());
}

/// Evaluates with both implementations and checks each 32-bit lane: `None` wants an
/// arithmetic NaN, `Some(x)` exactly the bits of `x`.
#[track_caller]
fn check_f32(op: SimdOp, a: u128, b: u128, want: [Option<f32>; 4]) {
    for x86 in [false, true] {
        let got = if x86 { eval_with::<true>(op, 0, a, b, 0) } else { eval_with::<false>(op, 0, a, b, 0) };
        for (i, (g, w)) in f32s(got).into_iter().zip(want).enumerate() {
            match w {
                None => assert!(
                    g.is_nan() && g.to_bits() & 0x0040_0000 != 0,
                    "{} (sse2: {x86}) lane {i}: {g} is no arithmetic NaN",
                    op.name()
                ),
                Some(w) => assert_eq!(g.to_bits(), w.to_bits(), "{} (sse2: {x86}) lane {i}: {g} != {w}", op.name()),
            }
        }
    }
}

/// [`check_f32`] for 64-bit lanes.
#[track_caller]
fn check_f64(op: SimdOp, a: u128, b: u128, want: [Option<f64>; 2]) {
    for x86 in [false, true] {
        let got = if x86 { eval_with::<true>(op, 0, a, b, 0) } else { eval_with::<false>(op, 0, a, b, 0) };
        for (i, (g, w)) in f64s(got).into_iter().zip(want).enumerate() {
            match w {
                None => assert!(
                    g.is_nan() && g.to_bits() & 0x0008_0000_0000_0000 != 0,
                    "{} (sse2: {x86}) lane {i}: {g} is no arithmetic NaN",
                    op.name()
                ),
                Some(w) => assert_eq!(g.to_bits(), w.to_bits(), "{} (sse2: {x86}) lane {i}: {g} != {w}", op.name()),
            }
        }
    }
}

#[test]
fn min_max_propagate_nan_and_order_zeros() {
    let snan = f32::from_bits(0x7F80_0001);
    let a = f32v([-0.0, 0.0, f32::NAN, 1.0]);
    let b = f32v([0.0, -0.0, 1.0, snan]);
    for op in [F32x4Min, F32x4RelaxedMin] {
        check_f32(op, a, b, [Some(-0.0), Some(-0.0), None, None]);
    }
    for op in [F32x4Max, F32x4RelaxedMax] {
        check_f32(op, a, b, [Some(0.0), Some(0.0), None, None]);
    }
    check_f32(
        F32x4Min,
        f32v([1.0, -5.0, f32::NEG_INFINITY, 3.0]),
        f32v([2.0, 5.0, 0.0, 3.0]),
        [Some(1.0), Some(-5.0), Some(f32::NEG_INFINITY), Some(3.0)],
    );
    check_f32(
        F32x4Max,
        f32v([1.0, -5.0, f32::NEG_INFINITY, 3.0]),
        f32v([2.0, 5.0, 0.0, 3.0]),
        [Some(2.0), Some(5.0), Some(0.0), Some(3.0)],
    );
    // A canonical NaN operand gives a canonical NaN.
    let canon = eval(F32x4Min, 0, f32v([f32::NAN; 4]), f32v([1.0; 4]), 0);
    assert_eq!(u32s(canon).map(|x| x & 0x7FFF_FFFF), [CANON32; 4]);

    let a = f64v([-0.0, f64::NAN]);
    let b = f64v([0.0, 1.0]);
    for op in [F64x2Min, F64x2RelaxedMin] {
        check_f64(op, a, b, [Some(-0.0), None]);
    }
    for op in [F64x2Max, F64x2RelaxedMax] {
        check_f64(op, b, a, [Some(0.0), None]);
    }
    check_f64(F64x2Max, f64v([1.0, -1.0]), f64v([-1.0, f64::INFINITY]), [Some(1.0), Some(f64::INFINITY)]);
    let canon = eval(F64x2Max, 0, f64v([1.0, f64::NAN]), f64v([f64::NAN, 2.0]), 0);
    assert_eq!(u64s(canon).map(|x| x & 0x7FFF_FFFF_FFFF_FFFF), [CANON64; 2]);
}

#[test]
fn pmin_pmax_are_plain_comparisons() {
    // pmin = b < a ? b : a; pmax = a < b ? b : a: NaNs and zeros are returned as given.
    let nan = f32::from_bits(0x7FA0_0001);
    let a = f32v([nan, 1.0, -0.0, 0.0]);
    let b = f32v([1.0, nan, 0.0, -0.0]);
    check(F32x4Pmin, a, b, a);
    check(F32x4Pmax, a, b, a);
    check(F32x4Pmin, f32v([2.0, 1.0, 3.0, -1.0]), f32v([1.0, 2.0, 3.0, -2.0]), f32v([1.0, 1.0, 3.0, -2.0]));
    check(F32x4Pmax, f32v([2.0, 1.0, 3.0, -1.0]), f32v([1.0, 2.0, 3.0, -2.0]), f32v([2.0, 2.0, 3.0, -1.0]));
    let a = f64v([f64::NAN, -0.0]);
    let b = f64v([1.0, 0.0]);
    check(F64x2Pmin, a, b, a);
    check(F64x2Pmax, a, b, a);
    check(F64x2Pmin, b, f64v([0.5, 1.0]), f64v([0.5, 0.0]));
    check(F64x2Pmax, b, f64v([0.5, 1.0]), f64v([1.0, 1.0]));
}

#[test]
fn rounding() {
    let x = f32v([-0.5, 2.5, -1.5, 0.49999997]);
    check(F32x4Nearest, x, 0, f32v([-0.0, 2.0, -2.0, 0.0]));
    check(F32x4Trunc, x, 0, f32v([-0.0, 2.0, -1.0, 0.0]));
    check(F32x4Floor, x, 0, f32v([-1.0, 2.0, -2.0, 0.0]));
    check(F32x4Ceil, x, 0, f32v([-0.0, 3.0, -1.0, 1.0]));
    let y = f32v([8_388_607.5, -8_388_609.0, f32::NEG_INFINITY, -0.0]);
    check(F32x4Nearest, y, 0, f32v([8_388_608.0, -8_388_609.0, f32::NEG_INFINITY, -0.0]));
    check(F32x4Floor, y, 0, f32v([8_388_607.0, -8_388_609.0, f32::NEG_INFINITY, -0.0]));
    check(F32x4Ceil, f32v([-0.7, 1e-45, 0.7, 3.0]), 0, f32v([-0.0, 1.0, 1.0, 3.0]));
    check(F32x4Floor, f32v([-1e-45, 0.7, 1.0, -3.0]), 0, f32v([-1.0, 0.0, 1.0, -3.0]));
    // A signalling NaN comes out quieted, a canonical one unchanged.
    let nans = [0x7F80_0001u32, CANON32, 0xFFC0_0000, 0x7FA0_0000].v128();
    let quiet = [0x7FC0_0001u32, CANON32, 0xFFC0_0000, 0x7FE0_0000].v128();
    for op in [F32x4Ceil, F32x4Floor, F32x4Trunc, F32x4Nearest] {
        check(op, nans, 0, quiet);
    }
    let z = f64v([-2.5, 4_503_599_627_370_495.5]);
    check(F64x2Nearest, z, 0, f64v([-2.0, 4_503_599_627_370_496.0]));
    check(F64x2Trunc, z, 0, f64v([-2.0, 4_503_599_627_370_495.0]));
    check(F64x2Floor, z, 0, f64v([-3.0, 4_503_599_627_370_495.0]));
    check(F64x2Ceil, z, 0, f64v([-2.0, 4_503_599_627_370_496.0]));
    check(F64x2Ceil, f64v([-0.2, f64::INFINITY]), 0, f64v([-0.0, f64::INFINITY]));
    let nans = [0x7FF0_0000_0000_0001u64, 1 << 63 | CANON64].v128();
    for op in [F64x2Ceil, F64x2Floor, F64x2Trunc, F64x2Nearest] {
        check(op, nans, 0, [0x7FF8_0000_0000_0001u64, 1 << 63 | CANON64].v128());
    }
}

#[test]
fn truncation_saturates_and_maps_nan_to_zero() {
    let a = f32v([f32::NAN, f32::INFINITY, -3e9, 2_147_483_520.0]);
    for op in [I32x4TruncSatF32x4S, I32x4RelaxedTruncF32x4S] {
        check(op, a, 0, [0, i32::MAX, i32::MIN, 2_147_483_520].v128());
        check(op, f32v([-1.9, 1.9, 2_147_483_648.0, -2_147_483_648.0]), 0, [-1, 1, i32::MAX, i32::MIN].v128());
    }
    for op in [I32x4TruncSatF32x4U, I32x4RelaxedTruncF32x4U] {
        check(op, a, 0, [0, u32::MAX, 0, 2_147_483_520].v128());
        check(
            op,
            f32v([-0.9, 3_000_000_000.0, 4_294_967_040.0, 4_294_967_296.0]),
            0,
            [0, 3_000_000_000, 4_294_967_040, u32::MAX].v128(),
        );
        check(op, f32v([2_147_483_648.0, 1.5, f32::NEG_INFINITY, -f32::NAN]), 0, [2_147_483_648u32, 1, 0, 0].v128());
    }
    for op in [I32x4TruncSatF64x2SZero, I32x4RelaxedTruncF64x2SZero] {
        check(op, f64v([f64::NAN, -2_147_483_648.9]), 0, [0, i32::MIN, 0, 0].v128());
        check(op, f64v([2_147_483_647.9, -1e300]), 0, [i32::MAX, i32::MIN, 0, 0].v128());
        check(op, f64v([f64::INFINITY, -7.5]), 0, [i32::MAX, -7, 0, 0].v128());
    }
    for op in [I32x4TruncSatF64x2UZero, I32x4RelaxedTruncF64x2UZero] {
        check(op, f64v([f64::NAN, 4_294_967_295.9]), 0, [0, u32::MAX, 0, 0].v128());
        check(op, f64v([3_000_000_000.7, -0.9]), 0, [3_000_000_000u32, 0, 0, 0].v128());
        check(op, f64v([1e20, 2_147_483_647.5]), 0, [u32::MAX, 2_147_483_647, 0, 0].v128());
    }
}

#[test]
fn conversions() {
    check(
        F32x4ConvertI32x4S,
        [i32::MIN, -1, 16_777_217, i32::MAX].v128(),
        0,
        f32v([-2_147_483_648.0, -1.0, 16_777_216.0, 2_147_483_648.0]),
    );
    // 16777217 and 16777219 are ties: to even.
    check(
        F32x4ConvertI32x4U,
        [u32::MAX, 16_777_217, 16_777_219, 0x8000_0080].v128(),
        0,
        f32v([4_294_967_296.0, 16_777_216.0, 16_777_220.0, 2_147_483_648.0]),
    );
    check(
        F32x4ConvertI32x4U,
        [0x8000_0081u32, 0, 1, 0xFFFF_FF7F].v128(),
        0,
        f32v([2_147_483_904.0, 0.0, 1.0, 4_294_967_040.0]),
    );
    check(F64x2ConvertLowI32x4S, [i32::MIN, -1, 5, 6].v128(), 0, f64v([-2_147_483_648.0, -1.0]));
    check(F64x2ConvertLowI32x4U, [u32::MAX, 7, 5, 6].v128(), 0, f64v([4_294_967_295.0, 7.0]));
    check(F32x4DemoteF64x2Zero, f64v([1.0 + f64::EPSILON, 1e300]), 0, f32v([1.0, f32::INFINITY, 0.0, 0.0]));
    check(F32x4DemoteF64x2Zero, [CANON64, 1 << 63].v128(), 0, [CANON32, 0x8000_0000, 0, 0].v128());
    check(F64x2PromoteLowF32x4, f32v([1.5, -0.0, 7.0, 8.0]), 0, f64v([1.5, -0.0]));
    check(F64x2PromoteLowF32x4, [CANON32, 0xFFC0_0000, 1, 2].v128(), 0, [CANON64, 1 << 63 | CANON64].v128());
}

#[test]
fn relaxed_madd_rounds_twice() {
    // With one rounding, (1 + 2^-12)^2 - 1 would keep the 2^-24 term; with two it is lost.
    let e = 1.0 + 2f32.powi(-12);
    let want = 2f32.powi(-11);
    check3(F32x4RelaxedMadd, 0, f32v([e; 4]), f32v([e; 4]), f32v([-1.0; 4]), f32v([want; 4]));
    check3(F32x4RelaxedNmadd, 0, f32v([e; 4]), f32v([-e; 4]), f32v([-1.0; 4]), f32v([want; 4]));
    check3(
        F32x4RelaxedNmadd,
        0,
        f32v([2.0, 0.0, 1.0, 3.0]),
        f32v([3.0, 1.0, 1.0, 0.5]),
        f32v([1.0, 0.0, 1.0, 0.0]),
        f32v([-5.0, 0.0, 0.0, -1.5]),
    );
    let e = 1.0 + 2f64.powi(-30);
    let want = 2f64.powi(-29);
    check3(F64x2RelaxedMadd, 0, f64v([e; 2]), f64v([e; 2]), f64v([-1.0; 2]), f64v([want; 2]));
    check3(F64x2RelaxedNmadd, 0, f64v([e, 2.0]), f64v([-e, 3.0]), f64v([-1.0, 1.0]), f64v([want, -5.0]));
}

#[test]
fn loads_and_lane_stores() {
    let raw = 0x8877_6655_4433_2211u128;
    assert_eq!(loaded(V128Load, u128::MAX, 0, 0), u128::MAX);
    assert_eq!(loaded(V128Load8x8S, raw, 0, 0), [0x11i16, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, -0x78].v128());
    assert_eq!(loaded(V128Load8x8U, raw, 0, 0), [0x11u16, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88].v128());
    assert_eq!(loaded(V128Load16x4S, raw, 0, 0), [0x2211i32, 0x4433, 0x6655, 0x8877u16 as i16 as i32].v128());
    assert_eq!(loaded(V128Load16x4U, raw, 0, 0), [0x2211u32, 0x4433, 0x6655, 0x8877].v128());
    assert_eq!(loaded(V128Load32x2S, raw, 0, 0), [0x4433_2211i64, 0x8877_6655u32 as i32 as i64].v128());
    assert_eq!(loaded(V128Load32x2U, raw, 0, 0), [0x4433_2211u64, 0x8877_6655].v128());
    assert_eq!(loaded(V128Load8Splat, 0x81, 0, 0), [0x81u8; 16].v128());
    assert_eq!(loaded(V128Load16Splat, 0x8001, 0, 0), [0x8001u16; 8].v128());
    assert_eq!(loaded(V128Load32Splat, 0xDEAD_BEEF, 0, 0), [0xDEAD_BEEFu32; 4].v128());
    assert_eq!(loaded(V128Load64Splat, raw, 0, 0), [0x8877_6655_4433_2211u64; 2].v128());
    assert_eq!(loaded(V128Load32Zero, 0xDEAD_BEEF, u128::MAX, 3), 0xDEAD_BEEF);
    assert_eq!(loaded(V128Load64Zero, raw, u128::MAX, 1), raw);
    let v = u128::MAX;
    assert_eq!(loaded(V128Load8Lane, 0x12, v, 15), v & !(0xED << 120));
    assert_eq!(loaded(V128Load16Lane, 0x1234, v, 1), v & !(0xEDCB << 16));
    assert_eq!(loaded(V128Load32Lane, 0, v, 2), v & !(0xFFFF_FFFF << 64));
    assert_eq!(loaded(V128Load64Lane, raw, 0, 1), raw << 64);
    let w = 0x0F0E_0D0C_0B0A_0908_0706_0504_0302_0100u128;
    assert_eq!(store_lane_bits(V128Store8Lane, w, 13), 0x0D);
    assert_eq!(store_lane_bits(V128Store16Lane, w, 7), 0x0F0E);
    assert_eq!(store_lane_bits(V128Store32Lane, w, 1), 0x0706_0504);
    assert_eq!(store_lane_bits(V128Store64Lane, w, 1), 0x0F0E_0D0C_0B0A_0908);
    assert_eq!(store_lane_bits(V128Store64Lane, w, 0), 0x0706_0504_0302_0100);
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[(self.next() % xs.len() as u64) as usize]
    }

    /// A vector built from lanes of one random width, each an edge value or random bits.
    fn vector(&mut self) -> u128 {
        const F32: &[f32] = &[
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            0.49999997,
            8_388_607.5,
            8_388_608.0,
            -8_388_609.0,
            2_147_483_520.0,
            2_147_483_648.0,
            -2_147_483_904.0,
            4_294_967_040.0,
            4_294_967_296.0,
            1e-45,
            -1e-40,
            f32::MAX,
            f32::MIN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
        ];
        const F64: &[f64] = &[
            0.0,
            -0.0,
            0.5,
            -1.5,
            2.5,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            2_147_483_647.5,
            2_147_483_648.0,
            -2_147_483_648.5,
            -2_147_483_649.0,
            4_294_967_295.5,
            4_294_967_296.0,
            5e-324,
            1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        const BITS32: &[u32] = &[
            0,
            1,
            0x7FFF_FFFF,
            0x8000_0000,
            0xFFFF_FFFF,
            0x7F80_0001,
            0xFFC0_0000,
            0x7FC0_0001,
            0x0000_8000,
            0x0001_0000,
            0x0000_FFFF,
            0x8000_8000,
            0x7F7F_7F7F,
            0x8080_8080,
        ];
        match self.next() % 5 {
            0 => u128::from(self.next()) << 64 | u128::from(self.next()),
            1 => from_fn::<f32, 4, _>(|_| self.pick(F32)).v128(),
            2 => from_fn::<f64, 2, _>(|_| self.pick(F64)).v128(),
            3 => from_fn::<u32, 4, _>(|_| self.pick(BITS32)).v128(),
            _ => {
                let r = u128::from(self.next()) << 64 | u128::from(self.next());
                // Random small or extreme bytes.
                u128::from_le_bytes(r.to_le_bytes().map(|b| match b % 4 {
                    0 => 0,
                    1 => 0x80,
                    2 => 0x7F,
                    _ => b,
                }))
            }
        }
    }
}

/// Whether every NaN among the operands' inputs to float result lane `i` is canonical
/// (vacuously so without NaN inputs).
fn canonical_inputs(op: SimdOp, i: usize, operands: &[u128]) -> bool {
    let f32_ok = |x: f32| !x.is_nan() || x.to_bits() & 0x7FFF_FFFF == CANON32;
    let f64_ok = |x: f64| !x.is_nan() || x.to_bits() & !(1 << 63) == CANON64;
    match op {
        F32x4DemoteF64x2Zero => f64s(operands[0]).get(i).is_none_or(|&x| f64_ok(x)),
        F64x2PromoteLowF32x4 => f32_ok(f32s(operands[0])[i]),
        _ if op.name().starts_with("f32x4.") => operands.iter().all(|&v| f32_ok(f32s(v)[i])),
        _ => operands.iter().all(|&v| f64_ok(f64s(v)[i])),
    }
}

/// Whether the two results agree: bit for bit, except that a float lane may be a
/// different NaN in each, as long as both follow the spec's rule for it (an arithmetic
/// NaN, canonical if every NaN operand is). Which NaN operand a host operation
/// propagates is up to LLVM (it may commute `a * b`), so payloads may differ. Operators
/// that only move bits (comparisons, `abs`, `neg`, `pmin`, `pmax`) must agree exactly.
fn agree(op: SimdOp, sse2: u128, portable: u128, operands: &[u128]) -> bool {
    if sse2 == portable {
        return true;
    }
    let name = op.name();
    let exact = ["eq", "ne", "lt", "gt", "le", "ge", "abs", "neg", "pmin", "pmax"];
    if exact.iter().any(|e| name.ends_with(&format!(".{e}"))) || op.results() != [ValType::V128] {
        return false;
    }
    if name.starts_with("f32x4.") {
        let ok = |i: usize, x: f32| {
            x.is_nan()
                && x.to_bits() & 0x0040_0000 != 0
                && (!canonical_inputs(op, i, operands) || x.to_bits() & 0x7FFF_FFFF == CANON32)
        };
        (0..4).all(|i| {
            let (s, p) = (f32s(sse2)[i], f32s(portable)[i]);
            s.to_bits() == p.to_bits() || (ok(i, s) && ok(i, p))
        })
    } else if name.starts_with("f64x2.") {
        let ok = |i: usize, x: f64| {
            x.is_nan()
                && x.to_bits() & 0x0008_0000_0000_0000 != 0
                && (!canonical_inputs(op, i, operands) || x.to_bits() & !(1 << 63) == CANON64)
        };
        (0..2).all(|i| {
            let (s, p) = (f64s(sse2)[i], f64s(portable)[i]);
            s.to_bits() == p.to_bits() || (ok(i, s) && ok(i, p))
        })
    } else {
        false
    }
}

#[test]
fn sse2_and_portable_forms_agree_on_every_operator() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for &op in SimdOp::ALL {
        let lanes = match op.imm() {
            SimdImm::Plain | SimdImm::Shuffle => 1,
            SimdImm::Lane(n) => n,
            _ => continue,
        };
        for _ in 0..3000 {
            let (a, b, c) = (rng.vector(), rng.vector(), rng.vector());
            let b = if op.params().get(1) == Some(&ValType::I32) && rng.next().is_multiple_of(2) { b % 300 } else { b };
            let lane = (rng.next() % u64::from(lanes)) as u8;
            let sse2 = eval_with::<true>(op, lane, a, b, c);
            let portable = eval_with::<false>(op, lane, a, b, c);
            assert!(
                agree(op, sse2, portable, &[a, b, c][..op.params().len()]),
                "{}: a={a:#034x} b={b:#034x} c={c:#034x} lane={lane}: sse2 {sse2:#034x}, portable {portable:#034x}",
                op.name()
            );
        }
    }
}

#[test]
fn every_operator_evaluates_any_input_without_panicking() {
    let inputs =
        [0, u128::MAX, 0x8000_0000_7FC0_0000_FFFF_FFFF_0000_0001, f32v([f32::NAN, -0.0, 1e-45, f32::INFINITY])];
    for &op in SimdOp::ALL {
        for &a in &inputs {
            for &b in &inputs {
                for lane in 0..=u8::MAX {
                    let r = eval(op, lane, a, b, a ^ b);
                    // Lane immediates are taken modulo the lane count.
                    if let SimdImm::Lane(n) = op.imm() {
                        assert_eq!(r, eval(op, lane % n, a, b, a ^ b), "{}", op.name());
                    }
                    // Scalar results are zero-extended.
                    match op.results() {
                        [ValType::I32 | ValType::F32] => assert_eq!(r >> 32, 0, "{}", op.name()),
                        [ValType::I64 | ValType::F64] => assert_eq!(r >> 64, 0, "{}", op.name()),
                        _ => {}
                    }
                    let l = loaded(op, b, a, lane);
                    let s = store_lane_bits(op, a, lane);
                    match op.imm() {
                        SimdImm::Mem(_) | SimdImm::MemLane(_) | SimdImm::Const => assert_eq!(r, 0, "{}", op.name()),
                        _ => assert_eq!((l, s), (0, 0), "{}", op.name()),
                    }
                }
            }
        }
    }
}
