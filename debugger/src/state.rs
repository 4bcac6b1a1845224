//! The paused program as the debugger sees it, independent of the execution tier:
//! frames (function, pc, locals, operand stack), globals and linear memory.

use wasmscope_engine::Val;
use wasmscope_engine::syntax::ValType;

use crate::dwarf::eval::WasmFrame;

/// One active frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Function index in the module.
    pub func: u32,
    /// Module offset of the instruction about to execute (frame 0) or of the call in
    /// progress (callers).
    pub offset: u32,
    /// Parameters, then declared locals.
    pub locals: Vec<Val>,
    /// Operand stack, bottom first, as raw slots.
    pub operands: Vec<u64>,
}

/// A snapshot of the paused program, borrowed from the store while it is paused.
pub struct ProgramState<'a> {
    /// Innermost first.
    pub frames: Vec<Frame>,
    /// Linear memory 0 (empty if the module has none exported as `memory`).
    pub memory: &'a [u8],
    /// Raw values of globals by index (`None` where the debugger cannot know it).
    pub globals: Vec<Option<(ValType, u64)>>,
}

/// The raw 64-bit slot of a value (integers zero-extended, floats as bits).
pub fn val_bits(v: &Val) -> u64 {
    match v {
        Val::I32(x) => u64::from(*x as u32),
        Val::I64(x) => *x as u64,
        Val::F32(b) => u64::from(*b),
        Val::F64(b) => *b,
        Val::FuncRef(r) => r.map_or(0, |_| 1),
        Val::ExternRef(r) => r.map_or(0, |x| u64::from(x) + 1),
        // The low half; a `v128` is shown from the whole value (`repl::show_val`).
        Val::V128(v) => *v as u64,
    }
}

/// A value of type `t` from a raw slot (references shown as null / non-null only).
pub fn val_from_bits(t: ValType, bits: u64) -> Val {
    match t {
        ValType::I32 => Val::I32(bits as u32 as i32),
        ValType::I64 => Val::I64(bits as i64),
        ValType::F32 => Val::F32(bits as u32),
        ValType::F64 => Val::F64(bits),
        ValType::ExternRef => Val::ExternRef(bits.checked_sub(1).map(|x| x as u32)),
        _ => Val::FuncRef(None),
    }
}

impl ProgramState<'_> {
    /// Reads `len` bytes of memory at `addr`.
    pub fn read(&self, addr: u64, len: u64) -> Option<&[u8]> {
        let start = usize::try_from(addr).ok()?;
        let end = start.checked_add(usize::try_from(len).ok()?)?;
        self.memory.get(start..end)
    }

    /// A view of frame `i` for evaluating DWARF locations.
    pub fn frame_view(&self, i: usize) -> FrameView<'_> {
        FrameView { state: self, frame: self.frames.get(i) }
    }
}

/// One frame plus globals and memory, as DWARF expressions read them.
pub struct FrameView<'a> {
    pub state: &'a ProgramState<'a>,
    pub frame: Option<&'a Frame>,
}

impl WasmFrame for FrameView<'_> {
    fn local(&self, index: u32) -> Option<u64> {
        self.frame?.locals.get(index as usize).map(val_bits)
    }
    fn global(&self, index: u32) -> Option<u64> {
        self.state.globals.get(index as usize).copied().flatten().map(|g| g.1)
    }
    fn stack(&self, index: u32) -> Option<u64> {
        self.frame?.operands.get(index as usize).copied()
    }
    fn memory(&self, addr: u64, size: u8) -> Option<u64> {
        let b = self.state.read(addr, u64::from(size))?;
        let mut x = [0u8; 8];
        x.get_mut(..b.len())?.copy_from_slice(b);
        Some(u64::from_le_bytes(x))
    }
}
