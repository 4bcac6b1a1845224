//! The paused program as the debugger sees it, independent of the execution tier:
//! frames (function, pc, locals, operand stack), globals and linear memory.

use wasmscope_engine::Val;
use wasmscope_engine::syntax::ValType;

use crate::dwarf::eval::{WasmFrame, WasmKind};

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
    /// Operand stack, bottom first, one value per wasm operand (a `v128` is one).
    pub operands: Vec<Val>,
}

/// A snapshot of the paused program, borrowed from the store while it is paused.
pub struct ProgramState<'a> {
    /// Innermost first.
    pub frames: Vec<Frame>,
    /// Linear memory 0 of the paused frame's instance (empty if it has none): what
    /// expressions, DWARF locations, watchpoints and the protocols read.
    pub memory: &'a [u8],
    /// Every memory of that instance by memory index (`memories[0]` is `memory`); `x -m
    /// N` and the TUI's memory pane read the others.
    pub memories: Vec<&'a [u8]>,
    /// Values of globals by index (`None` where the debugger cannot know it).
    pub globals: Vec<Option<Val>>,
    /// The store, for reading what GC references hold (`None` in tests without one).
    pub store: Option<&'a wasmscope_engine::Store>,
}

impl ProgramState<'_> {
    /// The state of a program that is not running: no frames, no memory, no globals.
    pub fn empty() -> ProgramState<'static> {
        ProgramState { frames: Vec::new(), memory: &[], memories: Vec::new(), globals: Vec::new(), store: None }
    }
}

/// The raw 64-bit slot of a value (integers zero-extended, floats as bits).
pub fn val_bits(v: &Val) -> u64 {
    match v {
        Val::I32(x) => u64::from(*x as u32),
        Val::I64(x) => *x as u64,
        Val::F32(b) => u64::from(*b),
        Val::F64(b) => *b,
        Val::FuncRef(r) => r.map_or(0, |_| 1),
        Val::ExnRef(r) => r.map_or(0, |_| 1),
        Val::ExternRef(_) | Val::AnyRef(_) => 0,
        // The low half; a `v128` is shown from the whole value (`repl::show_val`,
        // `val_bytes`).
        Val::V128(v) => *v as u64,
    }
}

/// The high 64 bits of a `v128` (`None` for other values).
pub fn val_high(v: &Val) -> Option<u64> {
    match v {
        Val::V128(v) => Some((*v >> 64) as u64),
        _ => None,
    }
}

/// A value's little-endian bytes as expressions read them: its slot's 8 bytes, or the 16
/// of a `v128`.
pub fn val_bytes(v: &Val) -> Vec<u8> {
    match v {
        Val::V128(x) => x.to_le_bytes().to_vec(),
        _ => val_bits(v).to_le_bytes().to_vec(),
    }
}

/// A value of type `t` from the slots that end with it (the top of an operand stack: one
/// slot, two for a `v128`); references as null / non-null only.
pub fn val_from_top(t: ValType, slots: &[u64]) -> Option<Val> {
    let n = slots.len();
    let bits = *slots.last()?;
    Some(match t {
        ValType::I32 => Val::I32(bits as u32 as i32),
        ValType::I64 => Val::I64(bits as i64),
        ValType::F32 => Val::F32(bits as u32),
        ValType::F64 => Val::F64(bits),
        ValType::V128 => Val::V128(u128::from(*slots.get(n.checked_sub(2)?)?) | u128::from(bits) << 64),
        ValType::Ref(r) => match r.heap.canonical_top() {
            wasmscope_engine::syntax::HeapType::Extern => {
                Val::ExternRef((bits & 3 == 2).then(|| wasmscope_engine::ExternRef::host((bits >> 2) as u32)))
            }
            wasmscope_engine::syntax::HeapType::Any => {
                Val::AnyRef((bits & 1 == 1).then(|| wasmscope_engine::AnyRef::i31((bits >> 1) as u32)))
            }
            wasmscope_engine::syntax::HeapType::Exn => Val::ExnRef(None),
            _ => Val::FuncRef(None),
        },
    })
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
        self.state.globals.get(index as usize).copied().flatten().map(|g| val_bits(&g))
    }
    fn stack(&self, index: u32) -> Option<u64> {
        self.frame?.operands.get(index as usize).map(val_bits)
    }
    fn high(&self, kind: WasmKind, index: u32) -> Option<u64> {
        let v = match kind {
            WasmKind::Local => self.frame?.locals.get(index as usize).copied(),
            WasmKind::Global => self.state.globals.get(index as usize).copied().flatten(),
            WasmKind::Stack => self.frame?.operands.get(index as usize).copied(),
        };
        val_high(&v?)
    }
    fn memory(&self, addr: u64, size: u8) -> Option<u64> {
        let b = self.state.read(addr, u64::from(size))?;
        let mut x = [0u8; 8];
        x.get_mut(..b.len())?.copy_from_slice(b);
        Some(u64::from_le_bytes(x))
    }
}
