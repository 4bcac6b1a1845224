//! Evaluation of DWARF location expressions (DWARF 5 §2.5, §2.6, pieces included) against
//! a paused wasm frame, including the wasm extensions (`DW_OP_WASM_location`: locals, globals, operand stack) and frame-base
//! relative addresses (`DW_OP_fbreg`), with gimli's evaluator.

use gimli::{EvaluationResult, Location as GLoc, Value};

use super::R;
use crate::error::DebugError;

/// A DWARF expression with the encoding of its unit.
#[derive(Debug, Clone)]
pub struct Expr {
    pub bytes: R,
    pub encoding: gimli::Encoding,
}

/// Where a variable's value is, once its location is evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// In linear memory 0 at this address.
    Memory(u64),
    /// Known value (a wasm local, global or operand), little-endian bytes.
    Value(Vec<u8>),
    /// The compiler kept no location for the value at this pc.
    OptimizedOut,
}

/// Which wasm value a `DW_OP_WASM_location` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WasmKind {
    Local,
    Global,
    Stack,
}

/// What an expression may read from the paused program.
pub trait WasmFrame {
    /// Wasm local `index` of the frame, as raw bits.
    fn local(&self, index: u32) -> Option<u64>;
    /// Wasm global `index` of the frame's instance, as raw bits.
    fn global(&self, index: u32) -> Option<u64>;
    /// Operand-stack slot `index` of the frame, 0 at the bottom.
    fn stack(&self, index: u32) -> Option<u64>;
    /// `size` bytes of memory at `addr`, little-endian.
    fn memory(&self, addr: u64, size: u8) -> Option<u64>;
    /// The high 64 bits of a wasm value that is a `v128` (the methods above give its low
    /// half), `None` for other values.
    fn high(&self, kind: WasmKind, index: u32) -> Option<u64> {
        let _ = (kind, index);
        None
    }
}

fn value_u64(v: Value) -> u64 {
    match v {
        Value::Generic(x) | Value::U64(x) => x,
        Value::I8(x) => x as u64,
        Value::U8(x) => u64::from(x),
        Value::I16(x) => x as u64,
        Value::U16(x) => u64::from(x),
        Value::I32(x) => x as u32 as u64,
        Value::U32(x) => u64::from(x),
        Value::I64(x) => x as u64,
        Value::F32(x) => u64::from(x.to_bits()),
        Value::F64(x) => x.to_bits(),
    }
}

fn unavailable(what: String) -> DebugError {
    DebugError::Dwarf(format!("location needs {what}, which is not available"))
}

/// Evaluates `expr`; `frame_base` is consulted lazily for `DW_OP_fbreg`.
pub fn evaluate(
    expr: &Expr,
    frame: &dyn WasmFrame,
    frame_base: &dyn Fn() -> Result<u64, DebugError>,
) -> Result<Place, DebugError> {
    if expr.bytes.is_empty() {
        return Ok(Place::OptimizedOut);
    }
    let mut eval = gimli::Expression(expr.bytes.clone()).evaluation(expr.encoding);
    let err = |e: gimli::Error| DebugError::Dwarf(format!("bad location expression: {e}"));
    let mut res = eval.evaluate().map_err(err)?;
    // gimli's values are 64-bit: the last `v128` read, (low, high), so that a location
    // that is just that value (`DW_OP_WASM_location 0 N, DW_OP_stack_value`) has all
    // 16 bytes.
    let mut wide: Option<(u64, u64)> = None;
    loop {
        res = match res {
            EvaluationResult::Complete => break,
            EvaluationResult::RequiresWasmLocal { index } => {
                let v = frame.local(index).ok_or_else(|| unavailable(format!("wasm local {index}")))?;
                wide = frame.high(WasmKind::Local, index).map(|h| (v, h));
                eval.resume_with_wasm_value(Value::Generic(v)).map_err(err)?
            }
            EvaluationResult::RequiresWasmGlobal { index } => {
                let v = frame.global(index).ok_or_else(|| unavailable(format!("wasm global {index}")))?;
                wide = frame.high(WasmKind::Global, index).map(|h| (v, h));
                eval.resume_with_wasm_value(Value::Generic(v)).map_err(err)?
            }
            EvaluationResult::RequiresWasmStack { index } => {
                let v = frame.stack(index).ok_or_else(|| unavailable(format!("operand stack slot {index}")))?;
                wide = frame.high(WasmKind::Stack, index).map(|h| (v, h));
                eval.resume_with_wasm_value(Value::Generic(v)).map_err(err)?
            }
            EvaluationResult::RequiresFrameBase => eval.resume_with_frame_base(frame_base()?).map_err(err)?,
            EvaluationResult::RequiresMemory { address, size, .. } => {
                let v = frame.memory(address, size).ok_or_else(|| unavailable(format!("memory at {address:#x}")))?;
                eval.resume_with_memory(Value::Generic(v)).map_err(err)?
            }
            EvaluationResult::RequiresRelocatedAddress(a) => eval.resume_with_relocated_address(a).map_err(err)?,
            other => return Err(DebugError::Dwarf(format!("unsupported location expression ({other:?})"))),
        };
    }
    let pieces = eval.result();
    let Some(piece) = pieces.first() else { return Ok(Place::OptimizedOut) };
    if pieces.len() > 1 {
        return assemble(&pieces, frame);
    }
    Ok(match &piece.location {
        GLoc::Empty => Place::OptimizedOut,
        GLoc::Address { address } => Place::Memory(*address),
        GLoc::Value { value } => {
            let low = value_u64(*value);
            let mut bytes = low.to_le_bytes().to_vec();
            if let Some((l, high)) = wide
                && l == low
            {
                bytes.extend_from_slice(&high.to_le_bytes());
            }
            Place::Value(bytes)
        }
        GLoc::Bytes { value } => Place::Value(value.to_vec()),
        other => return Err(DebugError::Dwarf(format!("unsupported location ({other:?})"))),
    })
}

/// A value made of pieces (DWARF 5 §2.6.1.2, `DW_OP_piece`): each piece's bytes read from
/// where it is, concatenated. A piece with no location makes the whole value optimized out
/// (the debugger has no way to show part of a value); bit pieces at a bit offset are not
/// produced for wasm and are refused.
fn assemble(pieces: &[gimli::Piece<R>], frame: &dyn WasmFrame) -> Result<Place, DebugError> {
    let mut out = Vec::new();
    for p in pieces {
        if p.bit_offset.is_some_and(|o| o != 0) {
            return Err(DebugError::Dwarf("pieces at a bit offset are not supported".into()));
        }
        let Some(bits) = p.size_in_bits else {
            return Err(DebugError::Dwarf("a location piece without a size".into()));
        };
        // No value the debugger can show is this big: malformed DWARF, not an allocation.
        if bits > 8 * (1 << 20) {
            return Err(DebugError::Dwarf(format!("a location piece of {bits} bits is too large")));
        }
        let n = bits.div_ceil(8) as usize;
        let bytes = match &p.location {
            GLoc::Empty => return Ok(Place::OptimizedOut),
            GLoc::Address { address } => {
                let mut b = Vec::with_capacity(n);
                let mut a = *address;
                while b.len() < n {
                    let chunk = (n - b.len()).min(8);
                    let v = frame.memory(a, chunk as u8).ok_or_else(|| unavailable(format!("memory at {a:#x}")))?;
                    b.extend_from_slice(&v.to_le_bytes()[..chunk]);
                    a += chunk as u64;
                }
                b
            }
            GLoc::Value { value } => {
                value_u64(*value).to_le_bytes().iter().copied().chain(std::iter::repeat(0)).take(n).collect()
            }
            GLoc::Bytes { value } => value.iter().copied().chain(std::iter::repeat(0)).take(n).collect(),
            other => return Err(DebugError::Dwarf(format!("unsupported location piece ({other:?})"))),
        };
        out.extend_from_slice(&bytes);
    }
    Ok(Place::Value(out))
}

/// The frame base: the address a function's `DW_AT_frame_base` names (usually a wasm
/// local or `__stack_pointer` holding the shadow-stack pointer).
pub fn frame_base(expr: &Expr, frame: &dyn WasmFrame) -> Result<u64, DebugError> {
    let no_fb = || Err(DebugError::Dwarf("frame base refers to itself".into()));
    match evaluate(expr, frame, &no_fb)? {
        Place::Memory(a) => Ok(a),
        Place::Value(b) => {
            let mut x = [0u8; 8];
            for (d, s) in x.iter_mut().zip(&b) {
                *d = *s;
            }
            Ok(u64::from_le_bytes(x) & 0xffff_ffff)
        }
        Place::OptimizedOut => Err(DebugError::Dwarf("frame base is not available here".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct F;
    impl WasmFrame for F {
        fn local(&self, i: u32) -> Option<u64> {
            (i == 3).then_some(0x1000)
        }
        fn global(&self, i: u32) -> Option<u64> {
            (i == 0).then_some(0x2000)
        }
        fn stack(&self, i: u32) -> Option<u64> {
            (i == 1).then_some(77)
        }
        fn memory(&self, _: u64, _: u8) -> Option<u64> {
            None
        }
    }

    fn expr(bytes: &[u8]) -> Expr {
        let encoding = gimli::Encoding { format: gimli::Format::Dwarf32, version: 4, address_size: 4 };
        Expr { bytes: R::new(std::rc::Rc::from(bytes), gimli::LittleEndian), encoding }
    }

    #[test]
    fn wasm_locations_and_fbreg() {
        // DW_OP_WASM_location 0 3, DW_OP_stack_value: frame base in local 3.
        let fb = expr(&[0xed, 0x00, 0x03, 0x9f]);
        assert_eq!(frame_base(&fb, &F).ok(), Some(0x1000));
        // DW_OP_WASM_location 3 (global, fixed u32) 0.
        let fbg = expr(&[0xed, 0x03, 0, 0, 0, 0, 0x9f]);
        assert_eq!(frame_base(&fbg, &F).ok(), Some(0x2000));
        // DW_OP_fbreg +8.
        let v = expr(&[0x91, 0x08]);
        let base = || frame_base(&fb, &F);
        assert_eq!(evaluate(&v, &F, &base).ok(), Some(Place::Memory(0x1008)));
        // DW_OP_WASM_location 2 (operand stack) 1, DW_OP_stack_value.
        let s = expr(&[0xed, 0x02, 0x01, 0x9f]);
        assert_eq!(evaluate(&s, &F, &base).ok(), Some(Place::Value(77u64.to_le_bytes().to_vec())));
        // DW_OP_addr 0xea0.
        let a = expr(&[0x03, 0xa0, 0x0e, 0, 0]);
        assert_eq!(evaluate(&a, &F, &base).ok(), Some(Place::Memory(0xea0)));
        // A local that is not there is an error, not a panic.
        let missing = expr(&[0xed, 0x00, 0x09, 0x9f]);
        assert!(evaluate(&missing, &F, &base).is_err());
        assert_eq!(evaluate(&expr(&[]), &F, &base).ok(), Some(Place::OptimizedOut));
        // Two pieces: wasm local 3 (4 bytes), then operand-stack slot 1 (4 bytes):
        // DW_OP_WASM_location 0 3, DW_OP_stack_value, DW_OP_piece 4, then the same for
        // the stack.
        let two = expr(&[0xed, 0x00, 0x03, 0x9f, 0x93, 0x04, 0xed, 0x02, 0x01, 0x9f, 0x93, 0x04]);
        let mut want = 0x1000u32.to_le_bytes().to_vec();
        want.extend_from_slice(&77u32.to_le_bytes());
        assert_eq!(evaluate(&two, &F, &base).ok(), Some(Place::Value(want)));
        // A piece with no location: the value is gone.
        let gone = expr(&[0xed, 0x00, 0x03, 0x9f, 0x93, 0x04, 0x93, 0x04]);
        assert_eq!(evaluate(&gone, &F, &base).ok(), Some(Place::OptimizedOut));
    }

    /// Local 0 is a v128; local 1 an i32.
    struct V;
    impl WasmFrame for V {
        fn local(&self, i: u32) -> Option<u64> {
            [0x0000_0002_0000_0001, 7].get(i as usize).copied()
        }
        fn global(&self, _: u32) -> Option<u64> {
            None
        }
        fn stack(&self, _: u32) -> Option<u64> {
            None
        }
        fn memory(&self, _: u64, _: u8) -> Option<u64> {
            None
        }
        fn high(&self, kind: WasmKind, i: u32) -> Option<u64> {
            (kind == WasmKind::Local && i == 0).then_some(0x0000_0004_0000_0003)
        }
    }

    #[test]
    fn a_v128_in_a_wasm_local_has_all_its_bytes() {
        let none = || Err(DebugError::Dwarf("no frame base".into()));
        // DW_OP_WASM_location 0 0, DW_OP_stack_value: the whole vector.
        let Ok(Place::Value(b)) = evaluate(&expr(&[0xed, 0x00, 0x00, 0x9f]), &V, &none) else { panic!("a value") };
        let lanes: Vec<u32> = b.chunks(4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])).collect();
        assert_eq!(lanes, [1, 2, 3, 4]);
        // A scalar local stays 8 bytes; arithmetic on a vector's low half is not the vector.
        let Ok(Place::Value(b)) = evaluate(&expr(&[0xed, 0x00, 0x01, 0x9f]), &V, &none) else { panic!("a value") };
        assert_eq!(b, 7u64.to_le_bytes());
        // DW_OP_WASM_location 0 0, DW_OP_lit1, DW_OP_plus, DW_OP_stack_value.
        let plus = expr(&[0xed, 0x00, 0x00, 0x31, 0x22, 0x9f]);
        let Ok(Place::Value(b)) = evaluate(&plus, &V, &none) else { panic!("a value") };
        assert_eq!(b.len(), 8);
    }
}
