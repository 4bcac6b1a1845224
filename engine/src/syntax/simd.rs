//! The SIMD instruction table (spec §2.4.1 "Vector instructions", §5.4.8 binary opcodes;
//! the relaxed-SIMD proposal of WebAssembly 3.0).
//!
//! Every `0xFD`-prefixed instruction is one row of [`for_each_simd_op!`]: variant, sub-opcode,
//! text name, proposal, immediate kind and signature. The decoder, validator, printer,
//! translator and both tiers are driven by it; a row's immediate kind says which [`Instr`]
//! variant carries the operator:
//! - `Plain`: [`Instr::Simd`], no immediate;
//! - `Lane(n)`: [`Instr::SimdLane`], a lane index below `n`;
//! - `Mem(w)`: [`Instr::SimdMem`], a `memarg` for a `w`-byte access;
//! - `MemLane(w)`: [`Instr::SimdMemLane`], a `memarg` for a `w`-byte access and a lane below `16 / w`;
//! - `Const(16)`: [`Instr::V128Const`]; `Shuffle(16)`: [`Instr::I8x16Shuffle`].
//!
//! [`Instr`]: super::Instr
//! [`Instr::Simd`]: super::Instr::Simd
//! [`Instr::SimdLane`]: super::Instr::SimdLane
//! [`Instr::SimdMem`]: super::Instr::SimdMem
//! [`Instr::SimdMemLane`]: super::Instr::SimdMemLane
//! [`Instr::V128Const`]: super::Instr::V128Const
//! [`Instr::I8x16Shuffle`]: super::Instr::I8x16Shuffle

use super::types::ValType;

/// The proposal a SIMD instruction belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SimdFeature {
    /// Fixed-width 128-bit SIMD (WebAssembly 2.0).
    Simd,
    /// Relaxed SIMD (WebAssembly 3.0).
    RelaxedSimd,
}

/// The immediate a SIMD instruction carries (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SimdImm {
    Plain,
    /// A lane index below the count.
    Lane(u8),
    /// A `memarg` for an access of this many bytes.
    Mem(u8),
    /// A `memarg` for an access of this many bytes and a lane index below `16 / width`.
    MemLane(u8),
    /// `v128.const`: 16 bytes.
    Const,
    /// `i8x16.shuffle`: 16 lane indices below 32.
    Shuffle,
}

/// Calls `$m!` with the table of all SIMD operators: variant, sub-opcode (after `0xFD`),
/// text name, proposal, immediate kind (with its argument) and `[params] [results]`.
#[macro_export]
macro_rules! for_each_simd_op {
    ($m:ident) => {
        $m! {
            V128Load 0x000 "v128.load" Simd Mem(16) [I32] [V128],
            V128Load8x8S 0x001 "v128.load8x8_s" Simd Mem(8) [I32] [V128],
            V128Load8x8U 0x002 "v128.load8x8_u" Simd Mem(8) [I32] [V128],
            V128Load16x4S 0x003 "v128.load16x4_s" Simd Mem(8) [I32] [V128],
            V128Load16x4U 0x004 "v128.load16x4_u" Simd Mem(8) [I32] [V128],
            V128Load32x2S 0x005 "v128.load32x2_s" Simd Mem(8) [I32] [V128],
            V128Load32x2U 0x006 "v128.load32x2_u" Simd Mem(8) [I32] [V128],
            V128Load8Splat 0x007 "v128.load8_splat" Simd Mem(1) [I32] [V128],
            V128Load16Splat 0x008 "v128.load16_splat" Simd Mem(2) [I32] [V128],
            V128Load32Splat 0x009 "v128.load32_splat" Simd Mem(4) [I32] [V128],
            V128Load64Splat 0x00a "v128.load64_splat" Simd Mem(8) [I32] [V128],
            V128Load32Zero 0x05c "v128.load32_zero" Simd Mem(4) [I32] [V128],
            V128Load64Zero 0x05d "v128.load64_zero" Simd Mem(8) [I32] [V128],
            V128Store 0x00b "v128.store" Simd Mem(16) [I32 V128] [],
            V128Load8Lane 0x054 "v128.load8_lane" Simd MemLane(1) [I32 V128] [V128],
            V128Load16Lane 0x055 "v128.load16_lane" Simd MemLane(2) [I32 V128] [V128],
            V128Load32Lane 0x056 "v128.load32_lane" Simd MemLane(4) [I32 V128] [V128],
            V128Load64Lane 0x057 "v128.load64_lane" Simd MemLane(8) [I32 V128] [V128],
            V128Store8Lane 0x058 "v128.store8_lane" Simd MemLane(1) [I32 V128] [],
            V128Store16Lane 0x059 "v128.store16_lane" Simd MemLane(2) [I32 V128] [],
            V128Store32Lane 0x05a "v128.store32_lane" Simd MemLane(4) [I32 V128] [],
            V128Store64Lane 0x05b "v128.store64_lane" Simd MemLane(8) [I32 V128] [],
            V128Const 0x00c "v128.const" Simd Const(16) [] [V128],
            I8x16Shuffle 0x00d "i8x16.shuffle" Simd Shuffle(16) [V128 V128] [V128],
            I8x16ExtractLaneS 0x015 "i8x16.extract_lane_s" Simd Lane(16) [V128] [I32],
            I8x16ExtractLaneU 0x016 "i8x16.extract_lane_u" Simd Lane(16) [V128] [I32],
            I8x16ReplaceLane 0x017 "i8x16.replace_lane" Simd Lane(16) [V128 I32] [V128],
            I16x8ExtractLaneS 0x018 "i16x8.extract_lane_s" Simd Lane(8) [V128] [I32],
            I16x8ExtractLaneU 0x019 "i16x8.extract_lane_u" Simd Lane(8) [V128] [I32],
            I16x8ReplaceLane 0x01a "i16x8.replace_lane" Simd Lane(8) [V128 I32] [V128],
            I32x4ExtractLane 0x01b "i32x4.extract_lane" Simd Lane(4) [V128] [I32],
            I32x4ReplaceLane 0x01c "i32x4.replace_lane" Simd Lane(4) [V128 I32] [V128],
            I64x2ExtractLane 0x01d "i64x2.extract_lane" Simd Lane(2) [V128] [I64],
            I64x2ReplaceLane 0x01e "i64x2.replace_lane" Simd Lane(2) [V128 I64] [V128],
            F32x4ExtractLane 0x01f "f32x4.extract_lane" Simd Lane(4) [V128] [F32],
            F32x4ReplaceLane 0x020 "f32x4.replace_lane" Simd Lane(4) [V128 F32] [V128],
            F64x2ExtractLane 0x021 "f64x2.extract_lane" Simd Lane(2) [V128] [F64],
            F64x2ReplaceLane 0x022 "f64x2.replace_lane" Simd Lane(2) [V128 F64] [V128],
            I8x16Swizzle 0x00e "i8x16.swizzle" Simd Plain(0) [V128 V128] [V128],
            I8x16Splat 0x00f "i8x16.splat" Simd Plain(0) [I32] [V128],
            I16x8Splat 0x010 "i16x8.splat" Simd Plain(0) [I32] [V128],
            I32x4Splat 0x011 "i32x4.splat" Simd Plain(0) [I32] [V128],
            I64x2Splat 0x012 "i64x2.splat" Simd Plain(0) [I64] [V128],
            F32x4Splat 0x013 "f32x4.splat" Simd Plain(0) [F32] [V128],
            F64x2Splat 0x014 "f64x2.splat" Simd Plain(0) [F64] [V128],
            I8x16Eq 0x023 "i8x16.eq" Simd Plain(0) [V128 V128] [V128],
            I8x16Ne 0x024 "i8x16.ne" Simd Plain(0) [V128 V128] [V128],
            I8x16LtS 0x025 "i8x16.lt_s" Simd Plain(0) [V128 V128] [V128],
            I8x16LtU 0x026 "i8x16.lt_u" Simd Plain(0) [V128 V128] [V128],
            I8x16GtS 0x027 "i8x16.gt_s" Simd Plain(0) [V128 V128] [V128],
            I8x16GtU 0x028 "i8x16.gt_u" Simd Plain(0) [V128 V128] [V128],
            I8x16LeS 0x029 "i8x16.le_s" Simd Plain(0) [V128 V128] [V128],
            I8x16LeU 0x02a "i8x16.le_u" Simd Plain(0) [V128 V128] [V128],
            I8x16GeS 0x02b "i8x16.ge_s" Simd Plain(0) [V128 V128] [V128],
            I8x16GeU 0x02c "i8x16.ge_u" Simd Plain(0) [V128 V128] [V128],
            I16x8Eq 0x02d "i16x8.eq" Simd Plain(0) [V128 V128] [V128],
            I16x8Ne 0x02e "i16x8.ne" Simd Plain(0) [V128 V128] [V128],
            I16x8LtS 0x02f "i16x8.lt_s" Simd Plain(0) [V128 V128] [V128],
            I16x8LtU 0x030 "i16x8.lt_u" Simd Plain(0) [V128 V128] [V128],
            I16x8GtS 0x031 "i16x8.gt_s" Simd Plain(0) [V128 V128] [V128],
            I16x8GtU 0x032 "i16x8.gt_u" Simd Plain(0) [V128 V128] [V128],
            I16x8LeS 0x033 "i16x8.le_s" Simd Plain(0) [V128 V128] [V128],
            I16x8LeU 0x034 "i16x8.le_u" Simd Plain(0) [V128 V128] [V128],
            I16x8GeS 0x035 "i16x8.ge_s" Simd Plain(0) [V128 V128] [V128],
            I16x8GeU 0x036 "i16x8.ge_u" Simd Plain(0) [V128 V128] [V128],
            I32x4Eq 0x037 "i32x4.eq" Simd Plain(0) [V128 V128] [V128],
            I32x4Ne 0x038 "i32x4.ne" Simd Plain(0) [V128 V128] [V128],
            I32x4LtS 0x039 "i32x4.lt_s" Simd Plain(0) [V128 V128] [V128],
            I32x4LtU 0x03a "i32x4.lt_u" Simd Plain(0) [V128 V128] [V128],
            I32x4GtS 0x03b "i32x4.gt_s" Simd Plain(0) [V128 V128] [V128],
            I32x4GtU 0x03c "i32x4.gt_u" Simd Plain(0) [V128 V128] [V128],
            I32x4LeS 0x03d "i32x4.le_s" Simd Plain(0) [V128 V128] [V128],
            I32x4LeU 0x03e "i32x4.le_u" Simd Plain(0) [V128 V128] [V128],
            I32x4GeS 0x03f "i32x4.ge_s" Simd Plain(0) [V128 V128] [V128],
            I32x4GeU 0x040 "i32x4.ge_u" Simd Plain(0) [V128 V128] [V128],
            I64x2Eq 0x0d6 "i64x2.eq" Simd Plain(0) [V128 V128] [V128],
            I64x2Ne 0x0d7 "i64x2.ne" Simd Plain(0) [V128 V128] [V128],
            I64x2LtS 0x0d8 "i64x2.lt_s" Simd Plain(0) [V128 V128] [V128],
            I64x2GtS 0x0d9 "i64x2.gt_s" Simd Plain(0) [V128 V128] [V128],
            I64x2LeS 0x0da "i64x2.le_s" Simd Plain(0) [V128 V128] [V128],
            I64x2GeS 0x0db "i64x2.ge_s" Simd Plain(0) [V128 V128] [V128],
            F32x4Eq 0x041 "f32x4.eq" Simd Plain(0) [V128 V128] [V128],
            F32x4Ne 0x042 "f32x4.ne" Simd Plain(0) [V128 V128] [V128],
            F32x4Lt 0x043 "f32x4.lt" Simd Plain(0) [V128 V128] [V128],
            F32x4Gt 0x044 "f32x4.gt" Simd Plain(0) [V128 V128] [V128],
            F32x4Le 0x045 "f32x4.le" Simd Plain(0) [V128 V128] [V128],
            F32x4Ge 0x046 "f32x4.ge" Simd Plain(0) [V128 V128] [V128],
            F64x2Eq 0x047 "f64x2.eq" Simd Plain(0) [V128 V128] [V128],
            F64x2Ne 0x048 "f64x2.ne" Simd Plain(0) [V128 V128] [V128],
            F64x2Lt 0x049 "f64x2.lt" Simd Plain(0) [V128 V128] [V128],
            F64x2Gt 0x04a "f64x2.gt" Simd Plain(0) [V128 V128] [V128],
            F64x2Le 0x04b "f64x2.le" Simd Plain(0) [V128 V128] [V128],
            F64x2Ge 0x04c "f64x2.ge" Simd Plain(0) [V128 V128] [V128],
            V128Not 0x04d "v128.not" Simd Plain(0) [V128] [V128],
            V128And 0x04e "v128.and" Simd Plain(0) [V128 V128] [V128],
            V128Andnot 0x04f "v128.andnot" Simd Plain(0) [V128 V128] [V128],
            V128Or 0x050 "v128.or" Simd Plain(0) [V128 V128] [V128],
            V128Xor 0x051 "v128.xor" Simd Plain(0) [V128 V128] [V128],
            V128Bitselect 0x052 "v128.bitselect" Simd Plain(0) [V128 V128 V128] [V128],
            V128AnyTrue 0x053 "v128.any_true" Simd Plain(0) [V128] [I32],
            I8x16Abs 0x060 "i8x16.abs" Simd Plain(0) [V128] [V128],
            I8x16Neg 0x061 "i8x16.neg" Simd Plain(0) [V128] [V128],
            I8x16Popcnt 0x062 "i8x16.popcnt" Simd Plain(0) [V128] [V128],
            I8x16AllTrue 0x063 "i8x16.all_true" Simd Plain(0) [V128] [I32],
            I8x16Bitmask 0x064 "i8x16.bitmask" Simd Plain(0) [V128] [I32],
            I8x16NarrowI16x8S 0x065 "i8x16.narrow_i16x8_s" Simd Plain(0) [V128 V128] [V128],
            I8x16NarrowI16x8U 0x066 "i8x16.narrow_i16x8_u" Simd Plain(0) [V128 V128] [V128],
            I8x16Shl 0x06b "i8x16.shl" Simd Plain(0) [V128 I32] [V128],
            I8x16ShrS 0x06c "i8x16.shr_s" Simd Plain(0) [V128 I32] [V128],
            I8x16ShrU 0x06d "i8x16.shr_u" Simd Plain(0) [V128 I32] [V128],
            I8x16Add 0x06e "i8x16.add" Simd Plain(0) [V128 V128] [V128],
            I8x16AddSatS 0x06f "i8x16.add_sat_s" Simd Plain(0) [V128 V128] [V128],
            I8x16AddSatU 0x070 "i8x16.add_sat_u" Simd Plain(0) [V128 V128] [V128],
            I8x16Sub 0x071 "i8x16.sub" Simd Plain(0) [V128 V128] [V128],
            I8x16SubSatS 0x072 "i8x16.sub_sat_s" Simd Plain(0) [V128 V128] [V128],
            I8x16SubSatU 0x073 "i8x16.sub_sat_u" Simd Plain(0) [V128 V128] [V128],
            I8x16MinS 0x076 "i8x16.min_s" Simd Plain(0) [V128 V128] [V128],
            I8x16MinU 0x077 "i8x16.min_u" Simd Plain(0) [V128 V128] [V128],
            I8x16MaxS 0x078 "i8x16.max_s" Simd Plain(0) [V128 V128] [V128],
            I8x16MaxU 0x079 "i8x16.max_u" Simd Plain(0) [V128 V128] [V128],
            I8x16AvgrU 0x07b "i8x16.avgr_u" Simd Plain(0) [V128 V128] [V128],
            I16x8ExtaddPairwiseI8x16S 0x07c "i16x8.extadd_pairwise_i8x16_s" Simd Plain(0) [V128] [V128],
            I16x8ExtaddPairwiseI8x16U 0x07d "i16x8.extadd_pairwise_i8x16_u" Simd Plain(0) [V128] [V128],
            I16x8Abs 0x080 "i16x8.abs" Simd Plain(0) [V128] [V128],
            I16x8Neg 0x081 "i16x8.neg" Simd Plain(0) [V128] [V128],
            I16x8Q15mulrSatS 0x082 "i16x8.q15mulr_sat_s" Simd Plain(0) [V128 V128] [V128],
            I16x8AllTrue 0x083 "i16x8.all_true" Simd Plain(0) [V128] [I32],
            I16x8Bitmask 0x084 "i16x8.bitmask" Simd Plain(0) [V128] [I32],
            I16x8NarrowI32x4S 0x085 "i16x8.narrow_i32x4_s" Simd Plain(0) [V128 V128] [V128],
            I16x8NarrowI32x4U 0x086 "i16x8.narrow_i32x4_u" Simd Plain(0) [V128 V128] [V128],
            I16x8ExtendLowI8x16S 0x087 "i16x8.extend_low_i8x16_s" Simd Plain(0) [V128] [V128],
            I16x8ExtendHighI8x16S 0x088 "i16x8.extend_high_i8x16_s" Simd Plain(0) [V128] [V128],
            I16x8ExtendLowI8x16U 0x089 "i16x8.extend_low_i8x16_u" Simd Plain(0) [V128] [V128],
            I16x8ExtendHighI8x16U 0x08a "i16x8.extend_high_i8x16_u" Simd Plain(0) [V128] [V128],
            I16x8Shl 0x08b "i16x8.shl" Simd Plain(0) [V128 I32] [V128],
            I16x8ShrS 0x08c "i16x8.shr_s" Simd Plain(0) [V128 I32] [V128],
            I16x8ShrU 0x08d "i16x8.shr_u" Simd Plain(0) [V128 I32] [V128],
            I16x8Add 0x08e "i16x8.add" Simd Plain(0) [V128 V128] [V128],
            I16x8AddSatS 0x08f "i16x8.add_sat_s" Simd Plain(0) [V128 V128] [V128],
            I16x8AddSatU 0x090 "i16x8.add_sat_u" Simd Plain(0) [V128 V128] [V128],
            I16x8Sub 0x091 "i16x8.sub" Simd Plain(0) [V128 V128] [V128],
            I16x8SubSatS 0x092 "i16x8.sub_sat_s" Simd Plain(0) [V128 V128] [V128],
            I16x8SubSatU 0x093 "i16x8.sub_sat_u" Simd Plain(0) [V128 V128] [V128],
            I16x8Mul 0x095 "i16x8.mul" Simd Plain(0) [V128 V128] [V128],
            I16x8MinS 0x096 "i16x8.min_s" Simd Plain(0) [V128 V128] [V128],
            I16x8MinU 0x097 "i16x8.min_u" Simd Plain(0) [V128 V128] [V128],
            I16x8MaxS 0x098 "i16x8.max_s" Simd Plain(0) [V128 V128] [V128],
            I16x8MaxU 0x099 "i16x8.max_u" Simd Plain(0) [V128 V128] [V128],
            I16x8AvgrU 0x09b "i16x8.avgr_u" Simd Plain(0) [V128 V128] [V128],
            I16x8ExtmulLowI8x16S 0x09c "i16x8.extmul_low_i8x16_s" Simd Plain(0) [V128 V128] [V128],
            I16x8ExtmulHighI8x16S 0x09d "i16x8.extmul_high_i8x16_s" Simd Plain(0) [V128 V128] [V128],
            I16x8ExtmulLowI8x16U 0x09e "i16x8.extmul_low_i8x16_u" Simd Plain(0) [V128 V128] [V128],
            I16x8ExtmulHighI8x16U 0x09f "i16x8.extmul_high_i8x16_u" Simd Plain(0) [V128 V128] [V128],
            I32x4ExtaddPairwiseI16x8S 0x07e "i32x4.extadd_pairwise_i16x8_s" Simd Plain(0) [V128] [V128],
            I32x4ExtaddPairwiseI16x8U 0x07f "i32x4.extadd_pairwise_i16x8_u" Simd Plain(0) [V128] [V128],
            I32x4Abs 0x0a0 "i32x4.abs" Simd Plain(0) [V128] [V128],
            I32x4Neg 0x0a1 "i32x4.neg" Simd Plain(0) [V128] [V128],
            I32x4AllTrue 0x0a3 "i32x4.all_true" Simd Plain(0) [V128] [I32],
            I32x4Bitmask 0x0a4 "i32x4.bitmask" Simd Plain(0) [V128] [I32],
            I32x4ExtendLowI16x8S 0x0a7 "i32x4.extend_low_i16x8_s" Simd Plain(0) [V128] [V128],
            I32x4ExtendHighI16x8S 0x0a8 "i32x4.extend_high_i16x8_s" Simd Plain(0) [V128] [V128],
            I32x4ExtendLowI16x8U 0x0a9 "i32x4.extend_low_i16x8_u" Simd Plain(0) [V128] [V128],
            I32x4ExtendHighI16x8U 0x0aa "i32x4.extend_high_i16x8_u" Simd Plain(0) [V128] [V128],
            I32x4Shl 0x0ab "i32x4.shl" Simd Plain(0) [V128 I32] [V128],
            I32x4ShrS 0x0ac "i32x4.shr_s" Simd Plain(0) [V128 I32] [V128],
            I32x4ShrU 0x0ad "i32x4.shr_u" Simd Plain(0) [V128 I32] [V128],
            I32x4Add 0x0ae "i32x4.add" Simd Plain(0) [V128 V128] [V128],
            I32x4Sub 0x0b1 "i32x4.sub" Simd Plain(0) [V128 V128] [V128],
            I32x4Mul 0x0b5 "i32x4.mul" Simd Plain(0) [V128 V128] [V128],
            I32x4MinS 0x0b6 "i32x4.min_s" Simd Plain(0) [V128 V128] [V128],
            I32x4MinU 0x0b7 "i32x4.min_u" Simd Plain(0) [V128 V128] [V128],
            I32x4MaxS 0x0b8 "i32x4.max_s" Simd Plain(0) [V128 V128] [V128],
            I32x4MaxU 0x0b9 "i32x4.max_u" Simd Plain(0) [V128 V128] [V128],
            I32x4DotI16x8S 0x0ba "i32x4.dot_i16x8_s" Simd Plain(0) [V128 V128] [V128],
            I32x4ExtmulLowI16x8S 0x0bc "i32x4.extmul_low_i16x8_s" Simd Plain(0) [V128 V128] [V128],
            I32x4ExtmulHighI16x8S 0x0bd "i32x4.extmul_high_i16x8_s" Simd Plain(0) [V128 V128] [V128],
            I32x4ExtmulLowI16x8U 0x0be "i32x4.extmul_low_i16x8_u" Simd Plain(0) [V128 V128] [V128],
            I32x4ExtmulHighI16x8U 0x0bf "i32x4.extmul_high_i16x8_u" Simd Plain(0) [V128 V128] [V128],
            I64x2Abs 0x0c0 "i64x2.abs" Simd Plain(0) [V128] [V128],
            I64x2Neg 0x0c1 "i64x2.neg" Simd Plain(0) [V128] [V128],
            I64x2AllTrue 0x0c3 "i64x2.all_true" Simd Plain(0) [V128] [I32],
            I64x2Bitmask 0x0c4 "i64x2.bitmask" Simd Plain(0) [V128] [I32],
            I64x2ExtendLowI32x4S 0x0c7 "i64x2.extend_low_i32x4_s" Simd Plain(0) [V128] [V128],
            I64x2ExtendHighI32x4S 0x0c8 "i64x2.extend_high_i32x4_s" Simd Plain(0) [V128] [V128],
            I64x2ExtendLowI32x4U 0x0c9 "i64x2.extend_low_i32x4_u" Simd Plain(0) [V128] [V128],
            I64x2ExtendHighI32x4U 0x0ca "i64x2.extend_high_i32x4_u" Simd Plain(0) [V128] [V128],
            I64x2Shl 0x0cb "i64x2.shl" Simd Plain(0) [V128 I32] [V128],
            I64x2ShrS 0x0cc "i64x2.shr_s" Simd Plain(0) [V128 I32] [V128],
            I64x2ShrU 0x0cd "i64x2.shr_u" Simd Plain(0) [V128 I32] [V128],
            I64x2Add 0x0ce "i64x2.add" Simd Plain(0) [V128 V128] [V128],
            I64x2Sub 0x0d1 "i64x2.sub" Simd Plain(0) [V128 V128] [V128],
            I64x2Mul 0x0d5 "i64x2.mul" Simd Plain(0) [V128 V128] [V128],
            I64x2ExtmulLowI32x4S 0x0dc "i64x2.extmul_low_i32x4_s" Simd Plain(0) [V128 V128] [V128],
            I64x2ExtmulHighI32x4S 0x0dd "i64x2.extmul_high_i32x4_s" Simd Plain(0) [V128 V128] [V128],
            I64x2ExtmulLowI32x4U 0x0de "i64x2.extmul_low_i32x4_u" Simd Plain(0) [V128 V128] [V128],
            I64x2ExtmulHighI32x4U 0x0df "i64x2.extmul_high_i32x4_u" Simd Plain(0) [V128 V128] [V128],
            F32x4Ceil 0x067 "f32x4.ceil" Simd Plain(0) [V128] [V128],
            F32x4Floor 0x068 "f32x4.floor" Simd Plain(0) [V128] [V128],
            F32x4Trunc 0x069 "f32x4.trunc" Simd Plain(0) [V128] [V128],
            F32x4Nearest 0x06a "f32x4.nearest" Simd Plain(0) [V128] [V128],
            F32x4Abs 0x0e0 "f32x4.abs" Simd Plain(0) [V128] [V128],
            F32x4Neg 0x0e1 "f32x4.neg" Simd Plain(0) [V128] [V128],
            F32x4Sqrt 0x0e3 "f32x4.sqrt" Simd Plain(0) [V128] [V128],
            F32x4Add 0x0e4 "f32x4.add" Simd Plain(0) [V128 V128] [V128],
            F32x4Sub 0x0e5 "f32x4.sub" Simd Plain(0) [V128 V128] [V128],
            F32x4Mul 0x0e6 "f32x4.mul" Simd Plain(0) [V128 V128] [V128],
            F32x4Div 0x0e7 "f32x4.div" Simd Plain(0) [V128 V128] [V128],
            F32x4Min 0x0e8 "f32x4.min" Simd Plain(0) [V128 V128] [V128],
            F32x4Max 0x0e9 "f32x4.max" Simd Plain(0) [V128 V128] [V128],
            F32x4Pmin 0x0ea "f32x4.pmin" Simd Plain(0) [V128 V128] [V128],
            F32x4Pmax 0x0eb "f32x4.pmax" Simd Plain(0) [V128 V128] [V128],
            F64x2Ceil 0x074 "f64x2.ceil" Simd Plain(0) [V128] [V128],
            F64x2Floor 0x075 "f64x2.floor" Simd Plain(0) [V128] [V128],
            F64x2Trunc 0x07a "f64x2.trunc" Simd Plain(0) [V128] [V128],
            F64x2Nearest 0x094 "f64x2.nearest" Simd Plain(0) [V128] [V128],
            F64x2Abs 0x0ec "f64x2.abs" Simd Plain(0) [V128] [V128],
            F64x2Neg 0x0ed "f64x2.neg" Simd Plain(0) [V128] [V128],
            F64x2Sqrt 0x0ef "f64x2.sqrt" Simd Plain(0) [V128] [V128],
            F64x2Add 0x0f0 "f64x2.add" Simd Plain(0) [V128 V128] [V128],
            F64x2Sub 0x0f1 "f64x2.sub" Simd Plain(0) [V128 V128] [V128],
            F64x2Mul 0x0f2 "f64x2.mul" Simd Plain(0) [V128 V128] [V128],
            F64x2Div 0x0f3 "f64x2.div" Simd Plain(0) [V128 V128] [V128],
            F64x2Min 0x0f4 "f64x2.min" Simd Plain(0) [V128 V128] [V128],
            F64x2Max 0x0f5 "f64x2.max" Simd Plain(0) [V128 V128] [V128],
            F64x2Pmin 0x0f6 "f64x2.pmin" Simd Plain(0) [V128 V128] [V128],
            F64x2Pmax 0x0f7 "f64x2.pmax" Simd Plain(0) [V128 V128] [V128],
            I32x4TruncSatF32x4S 0x0f8 "i32x4.trunc_sat_f32x4_s" Simd Plain(0) [V128] [V128],
            I32x4TruncSatF32x4U 0x0f9 "i32x4.trunc_sat_f32x4_u" Simd Plain(0) [V128] [V128],
            F32x4ConvertI32x4S 0x0fa "f32x4.convert_i32x4_s" Simd Plain(0) [V128] [V128],
            F32x4ConvertI32x4U 0x0fb "f32x4.convert_i32x4_u" Simd Plain(0) [V128] [V128],
            I32x4TruncSatF64x2SZero 0x0fc "i32x4.trunc_sat_f64x2_s_zero" Simd Plain(0) [V128] [V128],
            I32x4TruncSatF64x2UZero 0x0fd "i32x4.trunc_sat_f64x2_u_zero" Simd Plain(0) [V128] [V128],
            F64x2ConvertLowI32x4S 0x0fe "f64x2.convert_low_i32x4_s" Simd Plain(0) [V128] [V128],
            F64x2ConvertLowI32x4U 0x0ff "f64x2.convert_low_i32x4_u" Simd Plain(0) [V128] [V128],
            F32x4DemoteF64x2Zero 0x05e "f32x4.demote_f64x2_zero" Simd Plain(0) [V128] [V128],
            F64x2PromoteLowF32x4 0x05f "f64x2.promote_low_f32x4" Simd Plain(0) [V128] [V128],
            I8x16RelaxedSwizzle 0x100 "i8x16.relaxed_swizzle" RelaxedSimd Plain(0) [V128 V128] [V128],
            I32x4RelaxedTruncF32x4S 0x101 "i32x4.relaxed_trunc_f32x4_s" RelaxedSimd Plain(0) [V128] [V128],
            I32x4RelaxedTruncF32x4U 0x102 "i32x4.relaxed_trunc_f32x4_u" RelaxedSimd Plain(0) [V128] [V128],
            I32x4RelaxedTruncF64x2SZero 0x103 "i32x4.relaxed_trunc_f64x2_s_zero" RelaxedSimd Plain(0) [V128] [V128],
            I32x4RelaxedTruncF64x2UZero 0x104 "i32x4.relaxed_trunc_f64x2_u_zero" RelaxedSimd Plain(0) [V128] [V128],
            F32x4RelaxedMadd 0x105 "f32x4.relaxed_madd" RelaxedSimd Plain(0) [V128 V128 V128] [V128],
            F32x4RelaxedNmadd 0x106 "f32x4.relaxed_nmadd" RelaxedSimd Plain(0) [V128 V128 V128] [V128],
            F64x2RelaxedMadd 0x107 "f64x2.relaxed_madd" RelaxedSimd Plain(0) [V128 V128 V128] [V128],
            F64x2RelaxedNmadd 0x108 "f64x2.relaxed_nmadd" RelaxedSimd Plain(0) [V128 V128 V128] [V128],
            I8x16RelaxedLaneselect 0x109 "i8x16.relaxed_laneselect" RelaxedSimd Plain(0) [V128 V128 V128] [V128],
            I16x8RelaxedLaneselect 0x10a "i16x8.relaxed_laneselect" RelaxedSimd Plain(0) [V128 V128 V128] [V128],
            I32x4RelaxedLaneselect 0x10b "i32x4.relaxed_laneselect" RelaxedSimd Plain(0) [V128 V128 V128] [V128],
            I64x2RelaxedLaneselect 0x10c "i64x2.relaxed_laneselect" RelaxedSimd Plain(0) [V128 V128 V128] [V128],
            F32x4RelaxedMin 0x10d "f32x4.relaxed_min" RelaxedSimd Plain(0) [V128 V128] [V128],
            F32x4RelaxedMax 0x10e "f32x4.relaxed_max" RelaxedSimd Plain(0) [V128 V128] [V128],
            F64x2RelaxedMin 0x10f "f64x2.relaxed_min" RelaxedSimd Plain(0) [V128 V128] [V128],
            F64x2RelaxedMax 0x110 "f64x2.relaxed_max" RelaxedSimd Plain(0) [V128 V128] [V128],
            I16x8RelaxedQ15mulrS 0x111 "i16x8.relaxed_q15mulr_s" RelaxedSimd Plain(0) [V128 V128] [V128],
            I16x8RelaxedDotI8x16I7x16S 0x112 "i16x8.relaxed_dot_i8x16_i7x16_s" RelaxedSimd Plain(0) [V128 V128] [V128],
            I32x4RelaxedDotI8x16I7x16AddS 0x113 "i32x4.relaxed_dot_i8x16_i7x16_add_s" RelaxedSimd Plain(0) [V128 V128 V128] [V128],
        }
    };
}

macro_rules! define_simd_op {
    ($($variant:ident $code:literal $name:literal $feat:ident $imm:ident($arg:literal) [$($p:ident)*] [$($r:ident)*],)*) => {
        /// A SIMD operator (see [`for_each_simd_op!`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum SimdOp {
            $($variant,)*
        }

        impl SimdOp {
            /// Every operator, in opcode order.
            pub const ALL: &'static [SimdOp] = &[$(SimdOp::$variant,)*];

            /// The sub-opcode after the `0xFD` prefix.
            pub fn code(self) -> u32 {
                match self {
                    $(SimdOp::$variant => $code,)*
                }
            }
            /// Looks an operator up by its sub-opcode.
            pub fn from_code(code: u32) -> Option<SimdOp> {
                match code {
                    $($code => Some(SimdOp::$variant),)*
                    _ => None,
                }
            }
            /// The text-format name, e.g. `i32x4.add`.
            pub fn name(self) -> &'static str {
                match self {
                    $(SimdOp::$variant => $name,)*
                }
            }
            /// The proposal this operator belongs to.
            pub fn feature(self) -> SimdFeature {
                match self {
                    $(SimdOp::$variant => SimdFeature::$feat,)*
                }
            }
            /// The immediate this operator carries.
            #[inline(always)]
            pub fn imm(self) -> SimdImm {
                match self {
                    $(SimdOp::$variant => define_simd_op!(@imm $imm $arg),)*
                }
            }
            /// Parameter types.
            #[inline(always)]
            pub fn params(self) -> &'static [ValType] {
                match self {
                    $(SimdOp::$variant => &[$(ValType::$p),*],)*
                }
            }
            /// Result types (none for stores, one otherwise).
            #[inline(always)]
            pub fn results(self) -> &'static [ValType] {
                match self {
                    $(SimdOp::$variant => &[$(ValType::$r),*],)*
                }
            }
        }
    };
    (@imm Plain $arg:literal) => { SimdImm::Plain };
    (@imm Lane $arg:literal) => { SimdImm::Lane($arg) };
    (@imm Mem $arg:literal) => { SimdImm::Mem($arg) };
    (@imm MemLane $arg:literal) => { SimdImm::MemLane($arg) };
    (@imm Const $arg:literal) => { SimdImm::Const };
    (@imm Shuffle $arg:literal) => { SimdImm::Shuffle };
}

for_each_simd_op!(define_simd_op);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simd_opcodes_round_trip() {
        for op in SimdOp::ALL {
            assert_eq!(SimdOp::from_code(op.code()), Some(*op), "{}", op.name());
        }
        assert_eq!(SimdOp::ALL.len(), 236 + 20);
        let relaxed = SimdOp::ALL.iter().filter(|o| o.feature() == SimdFeature::RelaxedSimd).count();
        assert_eq!(relaxed, 20);
        assert_eq!(SimdOp::from_code(0x9A), None);
        assert_eq!(SimdOp::from_code(0x114), None);
    }

    #[test]
    fn table_signatures_follow_the_spec() {
        assert_eq!(SimdOp::I8x16Add.params(), &[ValType::V128, ValType::V128]);
        assert_eq!(SimdOp::I64x2ExtractLane.results(), &[ValType::I64]);
        assert_eq!(SimdOp::I64x2ExtractLane.imm(), SimdImm::Lane(2));
        assert_eq!(SimdOp::V128Store.results(), &[] as &[ValType]);
        assert_eq!(SimdOp::V128Load16Lane.imm(), SimdImm::MemLane(2));
        assert_eq!(SimdOp::V128Bitselect.params().len(), 3);
        assert_eq!(SimdOp::I32x4Shl.params(), &[ValType::V128, ValType::I32]);
    }
}
