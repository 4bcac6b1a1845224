//! WAT-syntax printing of single instructions (`Display` for [`Instr`]), for disassembly.
//!
//! Names come from the instruction tables ([`NumOp::name`], [`LoadOp::name`],
//! [`StoreOp::name`], [`SimdOp::name`]); indices are printed as numbers, block types as `(result t)` or
//! `(type n)`, and memory arguments only where they differ from the natural alignment.

use std::fmt;

use super::instr::{Instr, MemArg};
use super::simd::{SimdImm, SimdOp};
use super::types::BlockType;

impl fmt::Display for BlockType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlockType::Empty => Ok(()),
            BlockType::Value(t) => write!(f, " (result {t})"),
            BlockType::Func(i) => write!(f, " (type {i})"),
        }
    }
}

fn memarg(f: &mut fmt::Formatter<'_>, m: &MemArg, natural_align: u32) -> fmt::Result {
    if m.memory != 0 {
        write!(f, " {}", m.memory)?;
    }
    if m.offset != 0 {
        write!(f, " offset={}", m.offset)?;
    }
    if m.align != natural_align {
        write!(f, " align={}", 1u64 << m.align.min(63))?;
    }
    Ok(())
}

impl fmt::Display for Instr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Instr::*;
        match self {
            Unreachable => f.write_str("unreachable"),
            Nop => f.write_str("nop"),
            Block(bt) => write!(f, "block{bt}"),
            Loop(bt) => write!(f, "loop{bt}"),
            If(bt) => write!(f, "if{bt}"),
            Else => f.write_str("else"),
            End => f.write_str("end"),
            Br(d) => write!(f, "br {d}"),
            BrIf(d) => write!(f, "br_if {d}"),
            BrTable { targets, default } => {
                f.write_str("br_table")?;
                for t in targets.iter() {
                    write!(f, " {t}")?;
                }
                write!(f, " {default}")
            }
            Return => f.write_str("return"),
            Call(i) => write!(f, "call {i}"),
            CallIndirect { type_index, table } => {
                if *table == 0 {
                    write!(f, "call_indirect (type {type_index})")
                } else {
                    write!(f, "call_indirect {table} (type {type_index})")
                }
            }
            ReturnCall(i) => write!(f, "return_call {i}"),
            ReturnCallIndirect { type_index, table } => {
                if *table == 0 {
                    write!(f, "return_call_indirect (type {type_index})")
                } else {
                    write!(f, "return_call_indirect {table} (type {type_index})")
                }
            }
            RefNull(t) => write!(f, "ref.null {t}"),
            CallRef(t) => write!(f, "call_ref {t}"),
            ReturnCallRef(t) => write!(f, "return_call_ref {t}"),
            BrOnNull(l) => write!(f, "br_on_null {l}"),
            BrOnNonNull(l) => write!(f, "br_on_non_null {l}"),
            RefAsNonNull => f.write_str("ref.as_non_null"),
            RefEq => f.write_str("ref.eq"),
            Gc(g) => g.fmt(f),
            Throw(tag) => write!(f, "throw {tag}"),
            ThrowRef => f.write_str("throw_ref"),
            TryTable(bt, catches) => {
                write!(f, "try_table{bt}")?;
                for c in catches.iter() {
                    if c.kind.has_tag() {
                        write!(f, " ({} {} {})", c.kind.name(), c.tag, c.label)?;
                    } else {
                        write!(f, " ({} {})", c.kind.name(), c.label)?;
                    }
                }
                Ok(())
            }
            Try(bt) => write!(f, "try{bt}"),
            Catch(tag) => write!(f, "catch {tag}"),
            CatchAll => f.write_str("catch_all"),
            Delegate(l) => write!(f, "delegate {l}"),
            Rethrow(l) => write!(f, "rethrow {l}"),
            RefIsNull => f.write_str("ref.is_null"),
            RefFunc(i) => write!(f, "ref.func {i}"),
            Drop => f.write_str("drop"),
            Select => f.write_str("select"),
            SelectTyped(ts) => {
                f.write_str("select")?;
                for t in ts.iter() {
                    write!(f, " (result {t})")?;
                }
                Ok(())
            }
            LocalGet(i) => write!(f, "local.get {i}"),
            LocalSet(i) => write!(f, "local.set {i}"),
            LocalTee(i) => write!(f, "local.tee {i}"),
            GlobalGet(i) => write!(f, "global.get {i}"),
            GlobalSet(i) => write!(f, "global.set {i}"),
            TableGet(i) => write!(f, "table.get {i}"),
            TableSet(i) => write!(f, "table.set {i}"),
            TableSize(i) => write!(f, "table.size {i}"),
            TableGrow(i) => write!(f, "table.grow {i}"),
            TableFill(i) => write!(f, "table.fill {i}"),
            TableCopy { dst, src } => write!(f, "table.copy {dst} {src}"),
            TableInit { elem, table } => write!(f, "table.init {table} {elem}"),
            ElemDrop(i) => write!(f, "elem.drop {i}"),
            Load(op, m) => {
                f.write_str(op.name())?;
                memarg(f, m, op.width().trailing_zeros())
            }
            Store(op, m) => {
                f.write_str(op.name())?;
                memarg(f, m, op.width().trailing_zeros())
            }
            MemorySize(m) => write!(f, "memory.size{}", if *m == 0 { String::new() } else { format!(" {m}") }),
            MemoryGrow(m) => write!(f, "memory.grow{}", if *m == 0 { String::new() } else { format!(" {m}") }),
            MemoryFill(m) => write!(f, "memory.fill{}", if *m == 0 { String::new() } else { format!(" {m}") }),
            MemoryCopy { dst, src } => {
                if *dst == 0 && *src == 0 {
                    f.write_str("memory.copy")
                } else {
                    write!(f, "memory.copy {dst} {src}")
                }
            }
            MemoryInit { data, memory } => {
                if *memory == 0 {
                    write!(f, "memory.init {data}")
                } else {
                    write!(f, "memory.init {memory} {data}")
                }
            }
            DataDrop(i) => write!(f, "data.drop {i}"),
            I32Const(v) => write!(f, "i32.const {v}"),
            I64Const(v) => write!(f, "i64.const {v}"),
            F32Const(bits) => write!(f, "f32.const {}", float(f64::from(f32::from_bits(*bits)), u64::from(*bits))),
            F64Const(bits) => write!(f, "f64.const {}", float(f64::from_bits(*bits), *bits)),
            Num(op) => f.write_str(op.name()),
            Wide(op) => f.write_str(op.name()),
            V128Const(bytes) => {
                f.write_str("v128.const i32x4")?;
                for lane in bytes.chunks_exact(4) {
                    write!(f, " 0x{:08x}", u32::from_le_bytes([lane[0], lane[1], lane[2], lane[3]]))?;
                }
                Ok(())
            }
            I8x16Shuffle(lanes) => {
                f.write_str("i8x16.shuffle")?;
                for l in lanes {
                    write!(f, " {l}")?;
                }
                Ok(())
            }
            Simd(op) => f.write_str(op.name()),
            SimdLane(op, lane) => write!(f, "{} {lane}", op.name()),
            SimdMem(op, m) => {
                f.write_str(op.name())?;
                memarg(f, m, simd_width(*op).trailing_zeros())
            }
            SimdMemLane(op, m, lane) => {
                f.write_str(op.name())?;
                memarg(f, m, simd_width(*op).trailing_zeros())?;
                write!(f, " {lane}")
            }
        }
    }
}

/// The access width in bytes of a SIMD load or store.
fn simd_width(op: SimdOp) -> u32 {
    match op.imm() {
        SimdImm::Mem(w) | SimdImm::MemLane(w) => u32::from(w),
        _ => 16,
    }
}

/// A float constant: decimal when finite, `inf`/`-inf`, NaN with its bits.
fn float(v: f64, bits: u64) -> String {
    if v.is_nan() {
        format!("nan (;{bits:#x};)")
    } else if v.is_infinite() {
        if v > 0.0 { "inf".to_string() } else { "-inf".to_string() }
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::super::instr::{LoadOp, NumOp, StoreOp};
    use super::super::types::ValType;
    use super::*;

    #[test]
    fn prints_wat_names_and_immediates() {
        let m = MemArg { align: 2, offset: 8, memory: 0 };
        assert_eq!(Instr::Load(LoadOp::I32Load, m).to_string(), "i32.load offset=8");
        let m = MemArg { align: 0, offset: 0, memory: 0 };
        assert_eq!(Instr::Store(StoreOp::I32Store, m).to_string(), "i32.store align=1");
        assert_eq!(Instr::Num(NumOp::I32Add).to_string(), "i32.add");
        assert_eq!(Instr::ReturnCall(3).to_string(), "return_call 3");
        assert_eq!(Instr::ReturnCallIndirect { type_index: 2, table: 0 }.to_string(), "return_call_indirect (type 2)");
        assert_eq!(
            Instr::ReturnCallIndirect { type_index: 2, table: 1 }.to_string(),
            "return_call_indirect 1 (type 2)"
        );
        use super::super::simd::SimdOp;
        assert_eq!(Instr::Simd(SimdOp::I32x4Add).to_string(), "i32x4.add");
        let m = MemArg { align: 0, offset: 4, memory: 0 };
        assert_eq!(Instr::SimdMemLane(SimdOp::V128Load16Lane, m, 3).to_string(), "v128.load16_lane offset=4 align=1 3");
        assert_eq!(Instr::SimdLane(SimdOp::I8x16ExtractLaneU, 15).to_string(), "i8x16.extract_lane_u 15");
        let mut bytes = [0u8; 16];
        bytes[0] = 1;
        bytes[15] = 0xff;
        assert_eq!(Instr::V128Const(bytes).to_string(), "v128.const i32x4 0x00000001 0x00000000 0x00000000 0xff000000");
        assert_eq!(Instr::Block(BlockType::Value(ValType::I32)).to_string(), "block (result i32)");
        assert_eq!(Instr::I32Const(-3).to_string(), "i32.const -3");
        assert_eq!(Instr::F64Const(1.5f64.to_bits()).to_string(), "f64.const 1.5");
        assert_eq!(Instr::BrTable { targets: vec![0, 1].into(), default: 2 }.to_string(), "br_table 0 1 2");
    }
}
