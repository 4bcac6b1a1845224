//! The one instruction enum of the engine (spec §2.4 "Instructions").
//!
//! Numeric instructions, which have no immediates and a fixed type, are listed once in
//! [`for_each_numeric_op!`]: opcode, name and signature. The decoder, validator, printer
//! and interpreter are all driven from that table, so adding an operator is one line.

use super::simd::SimdOp;
use super::types::{BlockType, HeapType, ValType};
use super::wide::WideOp;

/// The immediate of a load or store (spec §2.4.7 "memarg").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemArg {
    /// log2 of the alignment hint.
    pub align: u32,
    /// Static offset added to the dynamic address.
    pub offset: u64,
    /// Memory index (always 0 without multi-memory).
    pub memory: u32,
}

/// Every WebAssembly 2.0 instruction, relaxed SIMD, and the 3.0 instructions implemented
/// so far.
#[derive(Debug, Clone, PartialEq)]
pub enum Instr {
    // Control instructions (spec §2.4.8).
    Unreachable,
    Nop,
    Block(BlockType),
    Loop(BlockType),
    If(BlockType),
    Else,
    End,
    Br(u32),
    BrIf(u32),
    BrTable {
        targets: Box<[u32]>,
        default: u32,
    },
    Return,
    Call(u32),
    CallIndirect {
        type_index: u32,
        table: u32,
    },
    /// `return_call x` (tail calls, opcode 0x12): calls function `x` in place of the
    /// current function, whose results are the callee's.
    ReturnCall(u32),
    /// `return_call_indirect y x` (tail calls, opcode 0x13): `call_indirect` in place of
    /// the current function.
    ReturnCallIndirect {
        type_index: u32,
        table: u32,
    },
    /// `throw x` (exception handling, 0x08): throws an exception of tag `x` with the
    /// tag's parameters as payload.
    Throw(u32),
    /// `throw_ref` (0x0A): throws the exception an `exnref` refers to again (traps on null).
    ThrowRef,
    /// `try_table bt catch*` (0x1F): a block whose calls and throws are covered by the
    /// catch clauses, tried in order; a matching clause branches to its label with the
    /// payload (and, for the `_ref` forms, the `exnref`).
    TryTable(BlockType, Box<[Catch]>),
    /// Legacy exception handling (`legacy_exceptions`): `try bt` (0x06) opens a block
    /// whose `catch x` (0x07) / `catch_all` (0x19) arms handle what its body throws, or
    /// which ends in `delegate l` (0x18), passing exceptions on to label `l`'s handlers.
    Try(BlockType),
    /// Legacy `catch x`: the arm of the enclosing `try` for tag `x`.
    Catch(u32),
    /// Legacy `catch_all`.
    CatchAll,
    /// Legacy `delegate l`: ends a `try` whose exceptions go to the try around label `l`.
    Delegate(u32),
    /// Legacy `rethrow l`: throws again the exception caught by the catch arm at label `l`.
    Rethrow(u32),
    /// `call_ref x` (typed function references, 0x14): calls the function a
    /// `(ref null $x)` operand refers to (traps on null).
    CallRef(u32),
    /// `return_call_ref x` (0x15): `call_ref` in place of the current function.
    ReturnCallRef(u32),
    /// `br_on_null l` (0xD5): branches to `l` if the reference is null, else keeps it
    /// (as non-null).
    BrOnNull(u32),
    /// `br_on_non_null l` (0xD6): branches to `l` with the reference if it is not null,
    /// else drops it.
    BrOnNonNull(u32),
    // Reference instructions (spec 3.0 §2.4.2).
    /// `ref.null ht`: the null reference of heap type `ht`.
    RefNull(HeapType),
    RefIsNull,
    RefFunc(u32),
    /// `ref.as_non_null` (0xD4): the reference, or a trap if it is null.
    RefAsNonNull,
    /// `ref.eq` (GC, 0xD3): whether two `eqref`s are the same reference.
    RefEq,
    // Parametric instructions (spec §2.4.3).
    Drop,
    /// `select` without a type annotation (opcode 0x1B).
    Select,
    /// `select t*` (opcode 0x1C); valid only with exactly one type.
    SelectTyped(Box<[ValType]>),
    // Variable instructions (spec §2.4.4).
    LocalGet(u32),
    LocalSet(u32),
    LocalTee(u32),
    GlobalGet(u32),
    GlobalSet(u32),
    // Table instructions (spec §2.4.5).
    TableGet(u32),
    TableSet(u32),
    TableSize(u32),
    TableGrow(u32),
    TableFill(u32),
    TableCopy {
        dst: u32,
        src: u32,
    },
    TableInit {
        elem: u32,
        table: u32,
    },
    ElemDrop(u32),
    // Memory instructions (spec §2.4.6).
    Load(LoadOp, MemArg),
    Store(StoreOp, MemArg),
    MemorySize(u32),
    MemoryGrow(u32),
    MemoryFill(u32),
    MemoryCopy {
        dst: u32,
        src: u32,
    },
    MemoryInit {
        data: u32,
        memory: u32,
    },
    DataDrop(u32),
    // Numeric instructions (spec §2.4.1).
    I32Const(i32),
    I64Const(i64),
    /// Raw IEEE 754 bits, so NaN payloads survive.
    F32Const(u32),
    /// Raw IEEE 754 bits, so NaN payloads survive.
    F64Const(u64),
    Num(NumOp),
    /// A wide-arithmetic operator (`i64.add128`, ...; the table is `wide.rs`).
    Wide(WideOp),
    // Vector instructions (spec §2.4.1; the table is `simd.rs`).
    /// `v128.const`: the value's 16 bytes, little-endian.
    V128Const([u8; 16]),
    /// `i8x16.shuffle` with its 16 lane indices (each below 32).
    I8x16Shuffle([u8; 16]),
    /// A GC instruction (`0xFB` prefix; the table is `gc.rs`).
    Gc(super::gc::GcInstr),
    /// A SIMD operator without immediates (`SimdImm::Plain`).
    Simd(SimdOp),
    /// A lane access: `extract_lane`/`replace_lane` with the lane index.
    SimdLane(SimdOp, u8),
    /// A `v128` load or store.
    SimdMem(SimdOp, MemArg),
    /// `v128.loadN_lane`/`storeN_lane`: a memory access and a lane index.
    SimdMemLane(SimdOp, MemArg, u8),
}

/// One clause of a `try_table` (exception handling): which exceptions it catches and the
/// label it branches to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Catch {
    pub kind: CatchKind,
    /// The tag index (`catch`, `catch_ref`; 0 and unused for the `catch_all` forms).
    pub tag: u32,
    /// The branch target, a label index relative to the `try_table` itself (0 is the
    /// label around the `try_table`).
    pub label: u32,
}

/// The four kinds of catch clause (binary 0x00..=0x03).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CatchKind {
    /// `catch x l`: tag `x`'s exceptions; the payload goes to `l`.
    Catch,
    /// `catch_ref x l`: the payload and the `exnref`.
    CatchRef,
    /// `catch_all l`: every exception, nothing passed.
    CatchAll,
    /// `catch_all_ref l`: every exception, its `exnref` passed.
    CatchAllRef,
}

impl CatchKind {
    /// Whether the clause matches one tag (not every exception).
    pub fn has_tag(self) -> bool {
        matches!(self, CatchKind::Catch | CatchKind::CatchRef)
    }
    /// Whether the clause passes the `exnref`.
    pub fn passes_ref(self) -> bool {
        matches!(self, CatchKind::CatchRef | CatchKind::CatchAllRef)
    }
    /// The clause's keyword.
    pub fn name(self) -> &'static str {
        match self {
            CatchKind::Catch => "catch",
            CatchKind::CatchRef => "catch_ref",
            CatchKind::CatchAll => "catch_all",
            CatchKind::CatchAllRef => "catch_all_ref",
        }
    }
}

/// The load instructions: `t.load` and the narrow `t.loadN_sx` forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoadOp {
    I32Load,
    I64Load,
    F32Load,
    F64Load,
    I32Load8S,
    I32Load8U,
    I32Load16S,
    I32Load16U,
    I64Load8S,
    I64Load8U,
    I64Load16S,
    I64Load16U,
    I64Load32S,
    I64Load32U,
}

impl LoadOp {
    /// Binary opcode (0x28..=0x35).
    pub fn opcode(self) -> u8 {
        0x28 + self as u8
    }
    /// Every load, in opcode order (`ALL[k as usize] == k`).
    pub const ALL: [LoadOp; 14] = {
        use LoadOp::*;
        [
            I32Load, I64Load, F32Load, F64Load, I32Load8S, I32Load8U, I32Load16S, I32Load16U, I64Load8S, I64Load8U,
            I64Load16S, I64Load16U, I64Load32S, I64Load32U,
        ]
    };
    pub fn from_opcode(op: u8) -> Option<LoadOp> {
        LoadOp::ALL.get(op.checked_sub(0x28)? as usize).copied()
    }
    /// The value slot of a load of the `width()` bytes `raw` (little-endian, in the low
    /// bits): sign- or zero-extended to the result type, an `i32` in the low 32 bits.
    #[inline(always)]
    pub fn extend(self, raw: u64) -> u64 {
        use LoadOp::*;
        match self {
            I32Load | F32Load | I64Load32U | I64Load | F64Load | I32Load8U | I32Load16U | I64Load8U | I64Load16U => raw,
            I32Load8S => raw as u8 as i8 as i32 as u32 as u64,
            I32Load16S => raw as u16 as i16 as i32 as u32 as u64,
            I64Load8S => raw as u8 as i8 as i64 as u64,
            I64Load16S => raw as u16 as i16 as i64 as u64,
            I64Load32S => raw as u32 as i32 as i64 as u64,
        }
    }
    /// Width of the access in bytes.
    pub fn width(self) -> u32 {
        use LoadOp::*;
        match self {
            I32Load8S | I32Load8U | I64Load8S | I64Load8U => 1,
            I32Load16S | I32Load16U | I64Load16S | I64Load16U => 2,
            I32Load | F32Load | I64Load32S | I64Load32U => 4,
            I64Load | F64Load => 8,
        }
    }
    /// The type of the loaded value.
    pub fn result(self) -> ValType {
        use LoadOp::*;
        match self {
            I32Load | I32Load8S | I32Load8U | I32Load16S | I32Load16U => ValType::I32,
            F32Load => ValType::F32,
            F64Load => ValType::F64,
            _ => ValType::I64,
        }
    }
    pub fn name(self) -> &'static str {
        use LoadOp::*;
        match self {
            I32Load => "i32.load",
            I64Load => "i64.load",
            F32Load => "f32.load",
            F64Load => "f64.load",
            I32Load8S => "i32.load8_s",
            I32Load8U => "i32.load8_u",
            I32Load16S => "i32.load16_s",
            I32Load16U => "i32.load16_u",
            I64Load8S => "i64.load8_s",
            I64Load8U => "i64.load8_u",
            I64Load16S => "i64.load16_s",
            I64Load16U => "i64.load16_u",
            I64Load32S => "i64.load32_s",
            I64Load32U => "i64.load32_u",
        }
    }
}

/// The store instructions: `t.store` and the narrow `t.storeN` forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreOp {
    I32Store,
    I64Store,
    F32Store,
    F64Store,
    I32Store8,
    I32Store16,
    I64Store8,
    I64Store16,
    I64Store32,
}

impl StoreOp {
    /// Binary opcode (0x36..=0x3E).
    pub fn opcode(self) -> u8 {
        0x36 + self as u8
    }
    /// Every store, in opcode order (`ALL[k as usize] == k`).
    pub const ALL: [StoreOp; 9] = {
        use StoreOp::*;
        [I32Store, I64Store, F32Store, F64Store, I32Store8, I32Store16, I64Store8, I64Store16, I64Store32]
    };
    pub fn from_opcode(op: u8) -> Option<StoreOp> {
        StoreOp::ALL.get(op.checked_sub(0x36)? as usize).copied()
    }
    /// Width of the access in bytes.
    pub fn width(self) -> u32 {
        use StoreOp::*;
        match self {
            I32Store8 | I64Store8 => 1,
            I32Store16 | I64Store16 => 2,
            I32Store | F32Store | I64Store32 => 4,
            I64Store | F64Store => 8,
        }
    }
    /// The type of the stored operand.
    pub fn operand(self) -> ValType {
        use StoreOp::*;
        match self {
            I32Store | I32Store8 | I32Store16 => ValType::I32,
            F32Store => ValType::F32,
            F64Store => ValType::F64,
            _ => ValType::I64,
        }
    }
    pub fn name(self) -> &'static str {
        use StoreOp::*;
        match self {
            I32Store => "i32.store",
            I64Store => "i64.store",
            F32Store => "f32.store",
            F64Store => "f64.store",
            I32Store8 => "i32.store8",
            I32Store16 => "i32.store16",
            I64Store8 => "i64.store8",
            I64Store16 => "i64.store16",
            I64Store32 => "i64.store32",
        }
    }
}

/// Which proposal an instruction belongs to, for feature gating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpFeature {
    /// WebAssembly 1.0 (MVP).
    Mvp,
    /// The sign-extension operators proposal.
    SignExt,
    /// The non-trapping float-to-int conversions proposal.
    SatFloatToInt,
}

/// Calls `$m!` with the table of all numeric operators: for each, the variant name, the
/// encoded opcode (a single byte, or `0xFC00 | sub` for the 0xFC prefix), the text name,
/// the feature, the parameter types and the result type.
#[macro_export]
macro_rules! for_each_numeric_op {
    ($m:ident) => {
        $m! {
            I32Eqz 0x45 "i32.eqz" Mvp [I32] I32,
            I32Eq 0x46 "i32.eq" Mvp [I32 I32] I32,
            I32Ne 0x47 "i32.ne" Mvp [I32 I32] I32,
            I32LtS 0x48 "i32.lt_s" Mvp [I32 I32] I32,
            I32LtU 0x49 "i32.lt_u" Mvp [I32 I32] I32,
            I32GtS 0x4A "i32.gt_s" Mvp [I32 I32] I32,
            I32GtU 0x4B "i32.gt_u" Mvp [I32 I32] I32,
            I32LeS 0x4C "i32.le_s" Mvp [I32 I32] I32,
            I32LeU 0x4D "i32.le_u" Mvp [I32 I32] I32,
            I32GeS 0x4E "i32.ge_s" Mvp [I32 I32] I32,
            I32GeU 0x4F "i32.ge_u" Mvp [I32 I32] I32,
            I64Eqz 0x50 "i64.eqz" Mvp [I64] I32,
            I64Eq 0x51 "i64.eq" Mvp [I64 I64] I32,
            I64Ne 0x52 "i64.ne" Mvp [I64 I64] I32,
            I64LtS 0x53 "i64.lt_s" Mvp [I64 I64] I32,
            I64LtU 0x54 "i64.lt_u" Mvp [I64 I64] I32,
            I64GtS 0x55 "i64.gt_s" Mvp [I64 I64] I32,
            I64GtU 0x56 "i64.gt_u" Mvp [I64 I64] I32,
            I64LeS 0x57 "i64.le_s" Mvp [I64 I64] I32,
            I64LeU 0x58 "i64.le_u" Mvp [I64 I64] I32,
            I64GeS 0x59 "i64.ge_s" Mvp [I64 I64] I32,
            I64GeU 0x5A "i64.ge_u" Mvp [I64 I64] I32,
            F32Eq 0x5B "f32.eq" Mvp [F32 F32] I32,
            F32Ne 0x5C "f32.ne" Mvp [F32 F32] I32,
            F32Lt 0x5D "f32.lt" Mvp [F32 F32] I32,
            F32Gt 0x5E "f32.gt" Mvp [F32 F32] I32,
            F32Le 0x5F "f32.le" Mvp [F32 F32] I32,
            F32Ge 0x60 "f32.ge" Mvp [F32 F32] I32,
            F64Eq 0x61 "f64.eq" Mvp [F64 F64] I32,
            F64Ne 0x62 "f64.ne" Mvp [F64 F64] I32,
            F64Lt 0x63 "f64.lt" Mvp [F64 F64] I32,
            F64Gt 0x64 "f64.gt" Mvp [F64 F64] I32,
            F64Le 0x65 "f64.le" Mvp [F64 F64] I32,
            F64Ge 0x66 "f64.ge" Mvp [F64 F64] I32,
            I32Clz 0x67 "i32.clz" Mvp [I32] I32,
            I32Ctz 0x68 "i32.ctz" Mvp [I32] I32,
            I32Popcnt 0x69 "i32.popcnt" Mvp [I32] I32,
            I32Add 0x6A "i32.add" Mvp [I32 I32] I32,
            I32Sub 0x6B "i32.sub" Mvp [I32 I32] I32,
            I32Mul 0x6C "i32.mul" Mvp [I32 I32] I32,
            I32DivS 0x6D "i32.div_s" Mvp [I32 I32] I32,
            I32DivU 0x6E "i32.div_u" Mvp [I32 I32] I32,
            I32RemS 0x6F "i32.rem_s" Mvp [I32 I32] I32,
            I32RemU 0x70 "i32.rem_u" Mvp [I32 I32] I32,
            I32And 0x71 "i32.and" Mvp [I32 I32] I32,
            I32Or 0x72 "i32.or" Mvp [I32 I32] I32,
            I32Xor 0x73 "i32.xor" Mvp [I32 I32] I32,
            I32Shl 0x74 "i32.shl" Mvp [I32 I32] I32,
            I32ShrS 0x75 "i32.shr_s" Mvp [I32 I32] I32,
            I32ShrU 0x76 "i32.shr_u" Mvp [I32 I32] I32,
            I32Rotl 0x77 "i32.rotl" Mvp [I32 I32] I32,
            I32Rotr 0x78 "i32.rotr" Mvp [I32 I32] I32,
            I64Clz 0x79 "i64.clz" Mvp [I64] I64,
            I64Ctz 0x7A "i64.ctz" Mvp [I64] I64,
            I64Popcnt 0x7B "i64.popcnt" Mvp [I64] I64,
            I64Add 0x7C "i64.add" Mvp [I64 I64] I64,
            I64Sub 0x7D "i64.sub" Mvp [I64 I64] I64,
            I64Mul 0x7E "i64.mul" Mvp [I64 I64] I64,
            I64DivS 0x7F "i64.div_s" Mvp [I64 I64] I64,
            I64DivU 0x80 "i64.div_u" Mvp [I64 I64] I64,
            I64RemS 0x81 "i64.rem_s" Mvp [I64 I64] I64,
            I64RemU 0x82 "i64.rem_u" Mvp [I64 I64] I64,
            I64And 0x83 "i64.and" Mvp [I64 I64] I64,
            I64Or 0x84 "i64.or" Mvp [I64 I64] I64,
            I64Xor 0x85 "i64.xor" Mvp [I64 I64] I64,
            I64Shl 0x86 "i64.shl" Mvp [I64 I64] I64,
            I64ShrS 0x87 "i64.shr_s" Mvp [I64 I64] I64,
            I64ShrU 0x88 "i64.shr_u" Mvp [I64 I64] I64,
            I64Rotl 0x89 "i64.rotl" Mvp [I64 I64] I64,
            I64Rotr 0x8A "i64.rotr" Mvp [I64 I64] I64,
            F32Abs 0x8B "f32.abs" Mvp [F32] F32,
            F32Neg 0x8C "f32.neg" Mvp [F32] F32,
            F32Ceil 0x8D "f32.ceil" Mvp [F32] F32,
            F32Floor 0x8E "f32.floor" Mvp [F32] F32,
            F32Trunc 0x8F "f32.trunc" Mvp [F32] F32,
            F32Nearest 0x90 "f32.nearest" Mvp [F32] F32,
            F32Sqrt 0x91 "f32.sqrt" Mvp [F32] F32,
            F32Add 0x92 "f32.add" Mvp [F32 F32] F32,
            F32Sub 0x93 "f32.sub" Mvp [F32 F32] F32,
            F32Mul 0x94 "f32.mul" Mvp [F32 F32] F32,
            F32Div 0x95 "f32.div" Mvp [F32 F32] F32,
            F32Min 0x96 "f32.min" Mvp [F32 F32] F32,
            F32Max 0x97 "f32.max" Mvp [F32 F32] F32,
            F32Copysign 0x98 "f32.copysign" Mvp [F32 F32] F32,
            F64Abs 0x99 "f64.abs" Mvp [F64] F64,
            F64Neg 0x9A "f64.neg" Mvp [F64] F64,
            F64Ceil 0x9B "f64.ceil" Mvp [F64] F64,
            F64Floor 0x9C "f64.floor" Mvp [F64] F64,
            F64Trunc 0x9D "f64.trunc" Mvp [F64] F64,
            F64Nearest 0x9E "f64.nearest" Mvp [F64] F64,
            F64Sqrt 0x9F "f64.sqrt" Mvp [F64] F64,
            F64Add 0xA0 "f64.add" Mvp [F64 F64] F64,
            F64Sub 0xA1 "f64.sub" Mvp [F64 F64] F64,
            F64Mul 0xA2 "f64.mul" Mvp [F64 F64] F64,
            F64Div 0xA3 "f64.div" Mvp [F64 F64] F64,
            F64Min 0xA4 "f64.min" Mvp [F64 F64] F64,
            F64Max 0xA5 "f64.max" Mvp [F64 F64] F64,
            F64Copysign 0xA6 "f64.copysign" Mvp [F64 F64] F64,
            I32WrapI64 0xA7 "i32.wrap_i64" Mvp [I64] I32,
            I32TruncF32S 0xA8 "i32.trunc_f32_s" Mvp [F32] I32,
            I32TruncF32U 0xA9 "i32.trunc_f32_u" Mvp [F32] I32,
            I32TruncF64S 0xAA "i32.trunc_f64_s" Mvp [F64] I32,
            I32TruncF64U 0xAB "i32.trunc_f64_u" Mvp [F64] I32,
            I64ExtendI32S 0xAC "i64.extend_i32_s" Mvp [I32] I64,
            I64ExtendI32U 0xAD "i64.extend_i32_u" Mvp [I32] I64,
            I64TruncF32S 0xAE "i64.trunc_f32_s" Mvp [F32] I64,
            I64TruncF32U 0xAF "i64.trunc_f32_u" Mvp [F32] I64,
            I64TruncF64S 0xB0 "i64.trunc_f64_s" Mvp [F64] I64,
            I64TruncF64U 0xB1 "i64.trunc_f64_u" Mvp [F64] I64,
            F32ConvertI32S 0xB2 "f32.convert_i32_s" Mvp [I32] F32,
            F32ConvertI32U 0xB3 "f32.convert_i32_u" Mvp [I32] F32,
            F32ConvertI64S 0xB4 "f32.convert_i64_s" Mvp [I64] F32,
            F32ConvertI64U 0xB5 "f32.convert_i64_u" Mvp [I64] F32,
            F32DemoteF64 0xB6 "f32.demote_f64" Mvp [F64] F32,
            F64ConvertI32S 0xB7 "f64.convert_i32_s" Mvp [I32] F64,
            F64ConvertI32U 0xB8 "f64.convert_i32_u" Mvp [I32] F64,
            F64ConvertI64S 0xB9 "f64.convert_i64_s" Mvp [I64] F64,
            F64ConvertI64U 0xBA "f64.convert_i64_u" Mvp [I64] F64,
            F64PromoteF32 0xBB "f64.promote_f32" Mvp [F32] F64,
            I32ReinterpretF32 0xBC "i32.reinterpret_f32" Mvp [F32] I32,
            I64ReinterpretF64 0xBD "i64.reinterpret_f64" Mvp [F64] I64,
            F32ReinterpretI32 0xBE "f32.reinterpret_i32" Mvp [I32] F32,
            F64ReinterpretI64 0xBF "f64.reinterpret_i64" Mvp [I64] F64,
            I32Extend8S 0xC0 "i32.extend8_s" SignExt [I32] I32,
            I32Extend16S 0xC1 "i32.extend16_s" SignExt [I32] I32,
            I64Extend8S 0xC2 "i64.extend8_s" SignExt [I64] I64,
            I64Extend16S 0xC3 "i64.extend16_s" SignExt [I64] I64,
            I64Extend32S 0xC4 "i64.extend32_s" SignExt [I64] I64,
            I32TruncSatF32S 0xFC00 "i32.trunc_sat_f32_s" SatFloatToInt [F32] I32,
            I32TruncSatF32U 0xFC01 "i32.trunc_sat_f32_u" SatFloatToInt [F32] I32,
            I32TruncSatF64S 0xFC02 "i32.trunc_sat_f64_s" SatFloatToInt [F64] I32,
            I32TruncSatF64U 0xFC03 "i32.trunc_sat_f64_u" SatFloatToInt [F64] I32,
            I64TruncSatF32S 0xFC04 "i64.trunc_sat_f32_s" SatFloatToInt [F32] I64,
            I64TruncSatF32U 0xFC05 "i64.trunc_sat_f32_u" SatFloatToInt [F32] I64,
            I64TruncSatF64S 0xFC06 "i64.trunc_sat_f64_s" SatFloatToInt [F64] I64,
            I64TruncSatF64U 0xFC07 "i64.trunc_sat_f64_u" SatFloatToInt [F64] I64,
        }
    };
}

macro_rules! define_num_op {
    ($($variant:ident $code:literal $name:literal $feat:ident [$($p:ident)*] $r:ident,)*) => {
        /// A numeric operator: no immediates, a fixed signature (see [`for_each_numeric_op!`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum NumOp {
            $($variant,)*
        }

        impl NumOp {
            /// Encoded opcode: a single byte, or `0xFC00 | sub` for 0xFC-prefixed operators.
            pub fn code(self) -> u16 {
                match self {
                    $(NumOp::$variant => $code,)*
                }
            }
            /// Looks an operator up by its encoded opcode (see [`NumOp::code`]).
            #[inline(always)]
            pub fn from_code(code: u16) -> Option<NumOp> {
                match code {
                    $($code => Some(NumOp::$variant),)*
                    _ => None,
                }
            }
            /// The text-format name, e.g. `i32.add`.
            pub fn name(self) -> &'static str {
                match self {
                    $(NumOp::$variant => $name,)*
                }
            }
            /// The proposal this operator belongs to.
            #[inline]
            pub fn feature(self) -> OpFeature {
                match self {
                    $(NumOp::$variant => OpFeature::$feat,)*
                }
            }
            /// Parameter types.
            #[inline]
            pub fn params(self) -> &'static [ValType] {
                match self {
                    $(NumOp::$variant => &[$(ValType::$p),*],)*
                }
            }
            /// Result type.
            #[inline]
            pub fn result(self) -> ValType {
                match self {
                    $(NumOp::$variant => ValType::$r,)*
                }
            }
        }
    };
}

for_each_numeric_op!(define_num_op);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_opcodes_round_trip() {
        let mut n = 0;
        for code in 0u16..=0xFCFF {
            if let Some(op) = NumOp::from_code(code) {
                assert_eq!(op.code(), code);
                n += 1;
            }
        }
        assert_eq!(n, 0xC4 - 0x45 + 1 + 8);
    }

    #[test]
    fn memory_opcodes_round_trip() {
        for b in 0x28..=0x35 {
            assert_eq!(LoadOp::from_opcode(b).map(LoadOp::opcode), Some(b));
        }
        for b in 0x36..=0x3E {
            assert_eq!(StoreOp::from_opcode(b).map(StoreOp::opcode), Some(b));
        }
        assert_eq!(LoadOp::from_opcode(0x27), None);
        assert_eq!(StoreOp::from_opcode(0x3F), None);
    }
}
