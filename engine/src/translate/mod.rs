//! Translation of validated function bodies into the interpreter's register code.
//!
//! Translation is **lazy**: a function is translated on its first call and the result is
//! cached in its [`crate::Module`], shared by every instance of that module. It runs in
//! one linear pass over the body with a control stack and a translation-time operand
//! stack. Each operand-stack height `h` owns the frame slot `h` (after the locals); an
//! entry on the translation-time stack is either *in* its slot, or *deferred*: a local's
//! slot (`local.get`) or a constant not yet written anywhere. Ops read their operands
//! straight from wherever the entries are, so `local.get` emits nothing; a `local.set`
//! right after the op that produced its value retargets that op's destination to the
//! local. Deferred entries are written to their own slots ("materialised") before
//! anything that could change the local they read and at every control boundary, so at
//! each label every live value is in its own slot and branches only move the kept values.
//!
//! For the debugger (`eager`), nothing is deferred or retargeted: every value is in its
//! own slot after every op, so the operand stack at a pause is the slots from the locals
//! up to the op's recorded height, and every executed wasm instruction is exactly one op.
//!
//! The table from each op back to the wasm offset it came from serves traps, backtraces
//! and the debugger; the dispatch loop never reads it. The input must have passed
//! validation; a body that breaks an invariant validation guarantees yields a
//! [`TranslateError`] rather than a panic.

mod op;

pub use op::{Bin, BranchTarget, IntCmp, Op, Slot, Un};

use crate::syntax::{BlockType, FuncBody, FuncType, Instr, NumOp, SimdImm, SimdOp, ValType};

/// A translated function.
#[derive(Debug, Clone)]
pub struct CompiledFunc {
    /// The ops without a handler of their own, which the interpreter's loop executes:
    /// their instructions in `threaded` hold their index here (the only form the other
    /// ops keep is their instruction).
    pub slow: Box<[Op]>,
    /// Byte offset in the module of the wasm instruction each op came from.
    pub offsets: Box<[u32]>,
    /// Operand-stack height (a slot number) before each op, for the debugger: only eager
    /// translations keep it (empty otherwise).
    pub heights: Box<[u32]>,
    /// Value-moving branch targets (see [`Op::Branch`], [`Op::BranchTable`]).
    pub targets: Box<[BranchTarget]>,
    /// The ops as threaded code, which the interpreter executes (one instruction per op).
    pub threaded: Box<[crate::interp::threaded::Inst]>,
    pub num_params: u32,
    /// Parameters plus declared locals.
    pub num_locals: u32,
    /// The function's constant slots, which follow the locals (see [`const_slots`]): the
    /// caller writes them, with the declared locals' zeros, on entry. Empty in debugger
    /// translations.
    pub consts: Box<[u64]>,
    /// What a call writes after the parameters: the declared locals' zeros, then the
    /// constant slots.
    pub frame_init: Box<[u64]>,
    pub num_results: u32,
    /// Number of slots (locals plus operands) the function uses.
    pub max_height: u32,
    /// The canonical id of the function's type (`call_indirect`'s signature check).
    pub type_id: u64,
    /// The exception handlers (`try_table`s), in the order their `try_table`s begin, so
    /// that among the regions holding a pc the last is the innermost.
    pub handlers: Box<[TryRegion]>,
    /// The GC instructions' resolved immediates ([`Op::Gc`], [`Op::BranchOnCast`]).
    pub gc: Box<[crate::runtime::gc::GcOp]>,
}

/// The ops of one `try_table` and its catch clauses (exception handling): an exception
/// thrown by an op at a pc in `start..end` (a `throw`, a `throw_ref`, or a call that an
/// exception leaves) is offered to `catches` in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TryRegion {
    pub start: u32,
    pub end: u32,
    pub catches: Box<[CatchTarget]>,
    /// A legacy `try ... delegate l`: exceptions go on to the regions from index
    /// `Some(r)` down (the innermost `try` around label `l`), or to the caller (`None`).
    pub delegate: Option<Option<u32>>,
}

/// A catch clause, resolved: the payload (then, for the `_ref` kinds, the `exnref`) goes
/// to the slots from `targets[target].height`, and execution goes on at its pc.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatchTarget {
    pub kind: crate::syntax::CatchKind,
    /// The tag index in the module (for `catch` and `catch_ref`).
    pub tag: u32,
    /// Index in [`CompiledFunc::targets`].
    pub target: u32,
    /// A legacy `catch` arm that a `rethrow` names: the slot that keeps its `exnref`
    /// (the exception then escapes, as with a `_ref` clause).
    pub exn_slot: Option<u32>,
}

/// What an exception thrown at a pc meets in its function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handling<'c> {
    /// This clause catches it.
    Caught(&'c CatchTarget),
    /// No clause here: it goes on to the caller.
    Uncaught,
}

impl CompiledFunc {
    /// The first clause, innermost region first, around the op at `pc` that `catches`
    /// accepts; a legacy `delegate` skips to the regions around its label.
    pub fn handler_at(&self, pc: u32, catches: impl Fn(&CatchTarget) -> bool) -> Handling<'_> {
        let mut bound = self.handlers.len();
        'search: loop {
            for r in self.handlers[..bound].iter().rev() {
                if !(r.start <= pc && pc < r.end) {
                    continue;
                }
                match r.delegate {
                    Some(Some(outer)) => {
                        bound = (outer as usize + 1).min(bound - 1);
                        continue 'search;
                    }
                    Some(None) => return Handling::Uncaught,
                    None => {}
                }
                if let Some(c) = r.catches.iter().find(|c| catches(c)) {
                    return Handling::Caught(c);
                }
            }
            return Handling::Uncaught;
        }
    }
}

impl CompiledFunc {
    /// The wasm byte offset of the op at `pc`.
    pub fn offset_of(&self, pc: usize) -> u32 {
        self.offsets.get(pc).copied().unwrap_or(0)
    }
}

/// A body that validation should have rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("internal error translating function at offset {offset:#x}: {message}")]
pub struct TranslateError {
    pub offset: u32,
    pub message: &'static str,
}

/// What the translator needs to know about the module.
pub struct ModuleContext<'a> {
    pub types: &'a [crate::syntax::SubType],
    /// The canonical id of each type ([`crate::syntax::canon`]).
    pub canonical: &'a [crate::syntax::canon::CanonId],
    /// Type index of every function in the function index space.
    pub func_types: &'a [u32],
    /// Emit fuel charges (see [`crate::fuel`]).
    pub consume_fuel: bool,
    /// The value type of every global in the global index space.
    pub global_types: &'a [ValType],
    /// Every memory's type, in the memory index space: accesses to a 32-bit memory 0
    /// are the fast ops ([`Op::Load`], ...), any other's [`Op::LoadMem`] and co.
    pub memories: &'a [crate::syntax::MemoryType],
    /// Every table's type, in the table index space.
    pub tables: &'a [crate::syntax::TableType],
    /// The type index of every tag, in the tag index space (exception handling).
    pub tags: &'a [u32],
}

impl ModuleContext<'_> {
    /// Whether accesses to memory `mem` take the fast ops: memory 0 with 32-bit
    /// addresses (the interpreter keeps its base and length in registers).
    pub fn fast_memory(&self, mem: u32) -> bool {
        mem == 0 && self.memories.first().is_some_and(|m| !m.addr.is_64())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrameKind {
    Func,
    Block,
    Loop,
    If,
    Else,
    /// A `try_table`: a block whose ops are region `ControlFrame::region`.
    TryTable,
    /// The body of a legacy `try` (region `ControlFrame::region`).
    Try,
    /// An arm (`catch`, `catch_all`) of a legacy `try`: clause `ControlFrame::arm` of its
    /// region.
    LegacyCatch,
}

#[derive(Debug, Clone, Copy)]
enum Patch {
    Op(usize),
    Target(usize),
}

struct ControlFrame {
    kind: FrameKind,
    /// The block's type (the function's results for the function's frame: see
    /// [`Translator::frame_types`]).
    ty: BlockType,
    /// Stack height below the block's parameters.
    height: u32,
    params: u32,
    results: u32,
    /// Start pc of a loop (its branch target).
    loop_pc: u32,
    /// The jump of an `if` to its `else` (or `end`), patched there.
    if_jump: Option<usize>,
    /// Forward branches to this frame's end.
    patches: Vec<Patch>,
    unreachable: bool,
    /// The exception handler region of a `try_table` or `try` (index in
    /// `Translator::regions`).
    region: Option<usize>,
    /// A legacy catch arm's clause in its region.
    arm: Option<usize>,
    /// The slot that keeps a legacy catch arm's `exnref` for `rethrow` (one per nesting
    /// level of `try`, after the locals).
    exn_slot: u32,
}

/// Where a translation-time operand's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operand {
    /// In a slot: its own, or a local's (a deferred `local.get`).
    Slot(Slot),
    /// A constant not yet written anywhere.
    Const(u64),
}

struct Translator<'a> {
    ctx: &'a ModuleContext<'a>,
    ops: Vec<Op>,
    offsets: Vec<u32>,
    heights: Vec<u32>,
    targets: Vec<BranchTarget>,
    ctrl: Vec<ControlFrame>,
    /// The operand stack: entry `i` belongs to slot `stack_base + i`.
    stack: Vec<Operand>,
    /// First operand slot: after the locals and the constant slots.
    stack_base: u32,
    /// The constant slots' values (slot `num_locals + k` holds `consts[k]`).
    consts: Vec<u64>,
    num_locals: u32,
    max_height: u32,
    offset: u32,
    /// Debugger translation: nothing deferred, nothing fused.
    eager: bool,
    /// The op that wrote the top entry's slot, if it is the last op and no label came
    /// after it (so `local.set` may retarget it).
    producer: Option<usize>,
    /// The operand-stack height before the current wasm instruction (what the debugger
    /// sees when it pauses at any op of that instruction).
    instr_height: u32,
    /// The pc of the latest label: ops before it may not be fused with later ones.
    label_pc: usize,
    /// `wide[i]`: stack entry `i` is the high half of a `v128` (whose low half is entry
    /// `i - 1`). Valid below the stack's length: every push sets it.
    wide: Vec<bool>,
    /// Slot of each local and whether it is a `v128`, when the function has a `v128`
    /// local (else empty: local `x` is slot `x`).
    local_slots: Vec<(Slot, bool)>,
    /// The function's result types (what the function's frame ends with).
    results: Vec<ValType>,
    /// The `try_table` and `try` regions so far, in the order they begin.
    regions: Vec<TryRegion>,
    /// Slots after the wasm locals that keep legacy catch arms' `exnref`s (the deepest
    /// nesting of `try`s in the body; they count in `num_locals`).
    legacy_levels: u32,
    /// The GC instructions so far (see [`CompiledFunc::gc`]).
    gc: Vec<crate::runtime::gc::GcOp>,
}

/// Translates one defined function.
///
/// With `fuse`, values are deferred and instructions fused (the fast code); without it
/// (for the debugger) every executed wasm instruction is exactly one op and every value
/// sits in its own slot.
pub fn translate(
    ctx: &ModuleContext<'_>,
    type_index: u32,
    body: &FuncBody,
    fuse: bool,
) -> Result<CompiledFunc, TranslateError> {
    let fail = |message| TranslateError { offset: body.range.start, message };
    let ty = ctx.types.get(type_index as usize).and_then(|t| t.as_func()).ok_or(fail("unknown type"))?;
    let type_id = *ctx.canonical.get(type_index as usize).ok_or(fail("unknown type"))?;
    let t = lower(ctx, ty, body, fuse)?;
    let num_params = ValType::slots_of(&ty.params);
    let num_locals = t.num_locals;
    // Chained handlers only where the optimiser turns tail calls into jumps, and never
    // for the debugger, which must see every op (see `interp::threaded`).
    let how = crate::interp::threaded::Threading {
        types: ctx.types,
        canonical: ctx.canonical,
        memories: ctx.memories,
        table0_64: ctx.tables.first().is_some_and(|t| t.addr.is_64()),
        chain: fuse && !cfg!(debug_assertions),
        in_chain_control: fuse,
        num_results: ValType::slots_of(&ty.results),
    };
    let (threaded, slow) = crate::interp::threaded::thread(&t.ops, &t.targets, how);
    Ok(CompiledFunc {
        threaded,
        slow,
        offsets: t.offsets.into_boxed_slice(),
        heights: if fuse { Box::default() } else { t.heights.into_boxed_slice() },
        targets: t.targets.into_boxed_slice(),
        num_params,
        num_locals,
        frame_init: std::iter::repeat_n(0, (num_locals - num_params) as usize)
            .chain(t.consts.iter().copied())
            .collect(),
        consts: t.consts.into_boxed_slice(),
        num_results: ValType::slots_of(&ty.results),
        max_height: t.max_height,
        type_id: u64::from(type_id),
        handlers: t.regions.into_boxed_slice(),
        gc: t.gc.into_boxed_slice(),
    })
}

/// The ops [`translate`] threads, one per instruction of the threaded code (for tests
/// and for looking at translations: `engine/examples/translation.rs`).
pub fn translate_ops(
    ctx: &ModuleContext<'_>,
    ty: &FuncType,
    body: &FuncBody,
    fuse: bool,
) -> Result<Vec<Op>, TranslateError> {
    Ok(lower(ctx, ty, body, fuse)?.ops)
}

/// The deepest nesting of legacy `try`s in a body (0 without them).
fn try_nesting(instrs: &[Instr]) -> u32 {
    if !instrs.iter().any(|i| matches!(i, Instr::Try(_))) {
        return 0;
    }
    let (mut open, mut tries, mut deepest) = (Vec::new(), 0u32, 0u32);
    for i in instrs {
        match i {
            Instr::Block(_) | Instr::Loop(_) | Instr::If(_) | Instr::TryTable(..) => open.push(false),
            Instr::Try(_) => {
                open.push(true);
                tries += 1;
                deepest = deepest.max(tries);
            }
            Instr::End | Instr::Delegate(_) if open.pop() == Some(true) => tries -= 1,
            _ => {}
        }
    }
    deepest
}

/// Translates a body to ops (see [`translate`]).
fn lower<'c>(
    ctx: &'c ModuleContext<'c>,
    ty: &FuncType,
    body: &FuncBody,
    fuse: bool,
) -> Result<Translator<'c>, TranslateError> {
    // Counts are in slots: a `v128` takes two.
    let num_params = ValType::slots_of(&ty.params);
    let code =
        body.instructions().map_err(|_| TranslateError { offset: body.range.start, message: "undecodable body" })?;
    let legacy_levels = try_nesting(&code.instrs);
    let num_locals = num_params + ValType::slots_of(&body.locals) + legacy_levels;
    let num_results = ValType::slots_of(&ty.results);
    let mut local_slots = Vec::new();
    if ty.params.iter().chain(body.locals.iter()).any(|t| *t == ValType::V128) {
        let mut at = 0;
        for t in ty.params.iter().chain(body.locals.iter()) {
            local_slots.push((at, *t == ValType::V128));
            at += t.slots();
        }
    }
    let consts = if fuse { const_slots(&code.instrs) } else { Vec::new() };
    let stack_base = num_locals + consts.len() as u32;
    let mut t = Translator {
        ctx,
        ops: Vec::with_capacity(code.instrs.len()),
        offsets: Vec::with_capacity(code.instrs.len()),
        heights: Vec::with_capacity(code.instrs.len()),
        targets: Vec::new(),
        ctrl: vec![ControlFrame {
            kind: FrameKind::Func,
            ty: BlockType::Empty,
            height: stack_base,
            params: 0,
            results: num_results,
            loop_pc: 0,
            if_jump: None,
            patches: Vec::new(),
            unreachable: false,
            region: None,
            arm: None,
            exn_slot: 0,
        }],
        stack: Vec::new(),
        stack_base,
        consts,
        num_locals,
        max_height: stack_base,
        offset: body.range.start,
        eager: !fuse,
        producer: None,
        instr_height: stack_base,
        label_pc: 0,
        wide: Vec::new(),
        local_slots,
        results: ty.results.to_vec(),
        regions: Vec::new(),
        legacy_levels,
        gc: Vec::new(),
    };
    let mut skip_depth = 0u32;
    let fuel = if ctx.consume_fuel { crate::fuel::segment_costs(&code.instrs) } else { Vec::new() };
    for (i, (instr, &offset)) in code.instrs.iter().zip(code.offsets.iter()).enumerate() {
        t.offset = offset;
        if t.ctrl.is_empty() {
            return Err(t.error("instructions after the function's end"));
        }
        if t.top()?.unreachable {
            match instr {
                Instr::Block(_) | Instr::Loop(_) | Instr::If(_) | Instr::TryTable(..) | Instr::Try(_) => {
                    skip_depth += 1;
                    continue;
                }
                Instr::Delegate(_) if skip_depth > 0 => {
                    skip_depth -= 1;
                    continue;
                }
                Instr::End if skip_depth > 0 => {
                    skip_depth -= 1;
                    continue;
                }
                Instr::Else | Instr::Catch(_) | Instr::CatchAll if skip_depth == 0 => {}
                Instr::End | Instr::Delegate(_) => {}
                _ => continue,
            }
        }
        if let Some(&cost) = fuel.get(i)
            && cost > 0
            && !t.top()?.unreachable
        {
            t.instr_height = t.height();
            t.emit(Op::Fuel(cost));
        }
        t.instr_height = t.height();
        t.instr(instr)?;
    }
    if !t.ctrl.is_empty() {
        return Err(t.error("missing final end"));
    }
    Ok(t)
}

impl<'a> Translator<'a> {
    fn error(&self, message: &'static str) -> TranslateError {
        TranslateError { offset: self.offset, message }
    }

    fn top(&self) -> Result<&ControlFrame, TranslateError> {
        self.ctrl.last().ok_or_else(|| self.error("control stack underflow"))
    }

    /// The current operand-stack height, as a slot number.
    fn height(&self) -> u32 {
        self.stack_base + self.stack.len() as u32
    }

    fn emit(&mut self, op: Op) -> usize {
        self.ops.push(op);
        self.offsets.push(self.offset);
        self.heights.push(self.instr_height);
        self.producer = None;
        self.ops.len() - 1
    }

    fn pc(&self) -> u32 {
        self.ops.len() as u32
    }

    /// Marks the current position as a branch target: the last op may not be retargeted.
    fn label_here(&mut self) {
        self.producer = None;
        self.label_pc = self.ops.len();
    }

    /// Pushes an entry and records the slot height it reaches. The new top entry was not
    /// produced by the last op (see [`Translator::push_result`]).
    fn push(&mut self, operand: Operand) {
        self.set_wide(self.stack.len(), false);
        self.stack.push(operand);
        self.max_height = self.max_height.max(self.height());
        self.producer = None;
    }

    /// Pushes the result of the op just emitted, which wrote the new top slot.
    fn push_result(&mut self) -> Slot {
        let d = self.height();
        self.push(Operand::Slot(d));
        self.producer = Some(self.ops.len() - 1);
        d
    }

    fn pop(&mut self) -> Result<Operand, TranslateError> {
        self.stack.pop().ok_or_else(|| self.error("operand stack underflow"))
    }

    /// Records whether stack entry `i` is the high half of a `v128`.
    fn set_wide(&mut self, i: usize, wide: bool) {
        if self.wide.len() <= i {
            self.wide.resize(i + 1, false);
        }
        self.wide[i] = wide;
    }

    /// Whether the top entry is the high half of a `v128`.
    fn top_is_v128(&self) -> bool {
        self.stack.len().checked_sub(1).is_some_and(|i| self.wide.get(i) == Some(&true))
    }

    /// Pushes a `v128` as its two halves.
    fn push_v128(&mut self, lo: Operand, hi: Operand) {
        self.push(lo);
        self.push(hi);
        self.set_wide(self.stack.len() - 1, true);
    }

    /// Pushes the `v128` result of the op just emitted, which wrote the two slots from the
    /// new height (the op may be retargeted by a `local.set`, see [`Translator::local_set`]).
    fn push_result_v128(&mut self) -> Slot {
        let d = self.height();
        self.push_v128(Operand::Slot(d), Operand::Slot(d + 1));
        self.producer = Some(self.ops.len() - 1);
        d
    }

    /// Pops a `v128` operand: the first of its two consecutive slots (a local's, or its
    /// own after writing deferred halves there).
    fn pop_v128(&mut self) -> Result<Slot, TranslateError> {
        let len = self.stack.len();
        if len < 2 || !self.top_is_v128() {
            return Err(self.error("expected a v128 operand"));
        }
        let pair = (self.stack[len - 2], self.stack[len - 1]);
        let in_place = match pair {
            (Operand::Slot(lo), Operand::Slot(hi)) if hi == lo + 1 => Some(lo),
            (Operand::Const(lo), Operand::Const(hi)) => self.const_pair(lo, hi),
            _ => None,
        };
        let slot = match in_place {
            Some(slot) => slot,
            None => {
                self.materialize(len - 2);
                self.materialize(len - 1);
                self.stack_base + len as u32 - 2
            }
        };
        self.stack.truncate(len - 2);
        Ok(slot)
    }

    /// Pops an operand of type `t` (see [`Translator::pop_slot`], [`Translator::pop_v128`]).
    fn pop_typed(&mut self, t: ValType) -> Result<Slot, TranslateError> {
        if t == ValType::V128 { self.pop_v128() } else { self.pop_slot() }
    }

    /// The slot of local `x` and whether it is a `v128`.
    fn local(&self, x: u32) -> Result<(Slot, bool), TranslateError> {
        if self.local_slots.is_empty() {
            return Ok((x, false));
        }
        self.local_slots.get(x as usize).copied().ok_or_else(|| self.error("unknown local"))
    }

    /// Writes entry `i` to its own slot if it is deferred.
    fn materialize(&mut self, i: usize) {
        let own = self.stack_base + i as u32;
        let op = match self.stack[i] {
            Operand::Slot(s) if s == own => return,
            Operand::Slot(s) => Op::Copy { d: own, s },
            Operand::Const(value) => Op::Const { d: own, value },
        };
        self.ops.push(op);
        self.offsets.push(self.offset);
        self.heights.push(self.instr_height);
        self.producer = None;
        self.stack[i] = Operand::Slot(own);
    }

    /// Writes every deferred entry to its own slot (at control boundaries).
    fn materialize_all(&mut self) {
        for i in 0..self.stack.len() {
            self.materialize(i);
        }
    }

    /// Writes the entries that read local `x` to their own slots (before `x` changes).
    fn materialize_reads_of(&mut self, x: Slot) {
        for i in 0..self.stack.len() {
            if self.stack[i] == Operand::Slot(x) {
                self.materialize(i);
            }
        }
    }

    /// The constant slot holding `value`, if the function has one.
    fn const_slot(&self, value: u64) -> Option<Slot> {
        let k = self.consts.iter().position(|c| *c == value)?;
        Some(self.num_locals + k as u32)
    }

    /// The first of two adjacent constant slots holding `lo` and `hi`, if there are.
    fn const_pair(&self, lo: u64, hi: u64) -> Option<Slot> {
        pair_at(&self.consts, lo, hi).map(|k| self.num_locals + k as u32)
    }

    /// The value of `slot` if it is a constant slot.
    fn const_value(&self, slot: Slot) -> Option<u64> {
        let k = slot.checked_sub(self.num_locals)?;
        self.consts.get(k as usize).copied()
    }

    /// Pops an operand as a slot: a local's slot stays as it is (the op reads the local
    /// directly); a constant is read from its constant slot, or else written to its own
    /// slot first.
    fn pop_slot(&mut self) -> Result<Slot, TranslateError> {
        let i = self.stack.len().checked_sub(1).ok_or_else(|| self.error("operand stack underflow"))?;
        if let Operand::Const(value) = self.stack[i] {
            if let Some(s) = self.const_slot(value) {
                self.stack.pop();
                return Ok(s);
            }
            self.materialize(i);
        }
        match self.pop()? {
            Operand::Slot(s) => Ok(s),
            Operand::Const(_) => Err(self.error("constant after materialisation")),
        }
    }

    /// Materialises the top `n` entries and pops them; returns the slot of the first.
    fn pop_base(&mut self, n: usize) -> Result<Slot, TranslateError> {
        let len = self.stack.len();
        let first = len.checked_sub(n).ok_or_else(|| self.error("operand stack underflow"))?;
        for i in first..len {
            self.materialize(i);
        }
        self.stack.truncate(first);
        Ok(self.stack_base + first as u32)
    }

    /// A block's parameter and result counts, in slots.
    fn block_arity(&self, bt: BlockType) -> Result<(u32, u32), TranslateError> {
        let (params, results) = self.block_types(bt)?;
        Ok((ValType::slots_of(params), ValType::slots_of(results)))
    }

    /// A block's parameter and result types.
    fn block_types(&self, bt: BlockType) -> Result<(&'a [ValType], &'a [ValType]), TranslateError> {
        let ctx: &'a ModuleContext<'a> = self.ctx;
        Ok(match bt {
            BlockType::Empty => (&[], &[]),
            // Translation only needs the slot layout of a single result, so a stand-in
            // of the same layout serves for any type.
            BlockType::Value(ValType::V128) => (&[], &[ValType::V128]),
            BlockType::Value(_) => (&[], &[ValType::I64]),
            BlockType::Func(i) => {
                let ty =
                    ctx.types.get(i as usize).and_then(|t| t.as_func()).ok_or_else(|| self.error("unknown type"))?;
                (&ty.params, &ty.results)
            }
        })
    }

    /// Resets the operand stack to `base` plus values of `types`, all in their own slots
    /// (as [`Translator::reset_stack`]), marking the `v128` halves.
    fn reset_stack_typed(&mut self, base: u32, types: &[ValType]) {
        self.reset_stack(base + ValType::slots_of(types));
        let mut i = base.saturating_sub(self.stack_base) as usize;
        for t in types {
            self.set_wide(i, false);
            if *t == ValType::V128 {
                self.set_wide(i + 1, true);
            }
            i += t.slots() as usize;
        }
    }

    /// Resets the stack at the end of frame `f` (to its results) or at its `else` (to
    /// its parameters).
    fn reset_to_frame(
        &mut self,
        kind: FrameKind,
        ty: BlockType,
        height: u32,
        params: bool,
    ) -> Result<(), TranslateError> {
        if kind == FrameKind::Func {
            let results = std::mem::take(&mut self.results);
            self.reset_stack_typed(height, &results);
            self.results = results;
            return Ok(());
        }
        let (p, r) = self.block_types(ty)?;
        self.reset_stack_typed(height, if params { p } else { r });
        Ok(())
    }

    fn func_type(&self, func: u32) -> Result<&'a FuncType, TranslateError> {
        let ctx: &'a ModuleContext<'a> = self.ctx;
        let ti = ctx.func_types.get(func as usize).ok_or_else(|| self.error("unknown function"))?;
        ctx.types.get(*ti as usize).and_then(|t| t.as_func()).ok_or_else(|| self.error("unknown type"))
    }

    fn set_unreachable(&mut self) -> Result<(), TranslateError> {
        let offset = self.offset;
        let f = self.ctrl.last_mut().ok_or(TranslateError { offset, message: "no frame" })?;
        f.unreachable = true;
        Ok(())
    }

    /// Resets the operand stack to `height` slots, all in their own slots.
    fn reset_stack(&mut self, height: u32) {
        let n = height.saturating_sub(self.stack_base) as usize;
        self.stack.truncate(n);
        while self.stack.len() < n {
            let own = self.height();
            self.push(Operand::Slot(own));
        }
    }

    fn push_frame(&mut self, kind: FrameKind, bt: BlockType, if_jump: Option<usize>) -> Result<(), TranslateError> {
        let (params, results) = self.block_arity(bt)?;
        let height = self.height().checked_sub(params).ok_or_else(|| self.error("operand stack underflow"))?;
        self.ctrl.push(ControlFrame {
            kind,
            ty: bt,
            height,
            params,
            results,
            loop_pc: self.pc(),
            if_jump,
            patches: Vec::new(),
            unreachable: false,
            region: None,
            arm: None,
            exn_slot: 0,
        });
        Ok(())
    }

    /// The branch target of a catch clause to label `depth` (outside the `try_table`):
    /// where the label's values go and (once known) its pc; the values come from the
    /// exception, not the stack. Returns the target's index in `targets`.
    fn catch_target(&mut self, depth: u32) -> Result<u32, TranslateError> {
        let idx = self.ctrl.len().checked_sub(1 + depth as usize).ok_or_else(|| self.error("unknown label"))?;
        let f = &self.ctrl[idx];
        let pc = if f.kind == FrameKind::Loop { f.loop_pc } else { 0 };
        let height = f.height;
        self.targets.push(BranchTarget { pc, height, keep: 0, from: height });
        let i = self.targets.len() - 1;
        self.add_patch(idx, Patch::Target(i));
        Ok(i as u32)
    }

    /// The payload size in slots of tag `tag`'s exceptions.
    fn tag_params(&self, tag: u32) -> Result<&'a [ValType], TranslateError> {
        let ctx: &'a ModuleContext<'a> = self.ctx;
        let ti = ctx.tags.get(tag as usize).ok_or_else(|| self.error("unknown tag"))?;
        Ok(&ctx.types.get(*ti as usize).and_then(|t| t.as_func()).ok_or_else(|| self.error("unknown type"))?.params)
    }

    /// Resolves label `depth`: the branch target (pc 0 if not yet known) when the kept
    /// values are the top of the stack, and the frame index.
    fn label(&self, depth: u32) -> Result<(BranchTarget, usize), TranslateError> {
        let idx = self.ctrl.len().checked_sub(1 + depth as usize).ok_or_else(|| self.error("unknown label"))?;
        let f = &self.ctrl[idx];
        let (keep, pc) = if f.kind == FrameKind::Loop { (f.params, f.loop_pc) } else { (f.results, 0) };
        let from = self.height().checked_sub(keep).ok_or_else(|| self.error("operand stack underflow"))?;
        Ok((BranchTarget { pc, height: f.height, keep, from }, idx))
    }

    fn add_patch(&mut self, frame: usize, patch: Patch) {
        if self.ctrl[frame].kind != FrameKind::Loop {
            self.ctrl[frame].patches.push(patch);
        }
    }

    fn patch(&mut self, patch: Patch, pc: u32) {
        match patch {
            Patch::Op(i) => match &mut self.ops[i] {
                Op::Jump(p)
                | Op::JumpIf { pc: p, .. }
                | Op::JumpIfZero { pc: p, .. }
                | Op::JumpIfI32 { pc: p, .. }
                | Op::JumpIfI32Imm { pc: p, .. }
                | Op::JumpIfI64 { pc: p, .. } => *p = pc,
                _ => {}
            },
            Patch::Target(i) => self.targets[i].pc = pc,
        }
    }

    /// A branch (conditional on slot `cond`, if any) to label `depth`; every live value
    /// is already in its own slot.
    fn branch(&mut self, depth: u32, cond: Option<Slot>) -> Result<(), TranslateError> {
        let (target, frame) = self.label(depth)?;
        let at = if target.from == target.height || target.keep == 0 {
            match cond {
                None => self.emit(Op::Jump(target.pc)),
                Some(c) => self.emit(Op::JumpIf { c, pc: target.pc }),
            }
        } else {
            self.targets.push(target);
            let i = self.targets.len() as u32 - 1;
            self.add_patch(frame, Patch::Target(i as usize));
            match cond {
                None => self.emit(Op::Branch(i)),
                Some(c) => self.emit(Op::BranchIf { c, target: i }),
            };
            return Ok(());
        };
        self.add_patch(frame, Patch::Op(at));
        Ok(())
    }

    /// If the last op computed the integer comparison that is the top entry, removes it
    /// (and the constant it compared with, if the translator wrote one just before) and
    /// returns what it compared and whether the operands are i64, so a conditional jump
    /// can test it directly. An i64 comparison keeps its operands in slots.
    fn take_comparison(&mut self) -> Option<(IntCmp, Slot, Operand, bool)> {
        if self.eager {
            return None;
        }
        let at = self.producer?;
        let own = self.height().checked_sub(1)?;
        if at + 1 != self.ops.len() || self.stack.last() != Some(&Operand::Slot(own)) {
            return None;
        }
        let mut cut = at;
        let (cmp, a, b, wide) = match self.ops[at] {
            // `(x & y) == 0`: the `and` of the temporary the test reads, when no label
            // lies between the two.
            Op::I32Eqz(Un { a, .. })
                if a == own
                    && at > self.label_pc
                    && let Op::I32And(Bin { d, a: x, b: y }) = self.ops[at - 1]
                    && d == own =>
            {
                cut = at - 1;
                (IntCmp::AndZero, x, Operand::Slot(y), false)
            }
            Op::I32Eqz(Un { a, .. }) => (IntCmp::Eq, a, Operand::Const(0), false),
            Op::I32And(Bin { a, b, .. }) => (IntCmp::AndNonZero, a, Operand::Slot(b), false),
            op => {
                let (n, x) = compared(op)?;
                let (cmp, wide) = IntCmp::of_wide(n)?;
                (cmp, x.a, Operand::Slot(x.b), wide)
            }
        };
        let b = match b {
            _ if wide => b,
            // A constant slot: compare with the constant itself.
            Operand::Slot(bs) if let Some(value) = self.const_value(bs) => Operand::Const(value),
            // The constant was written to a temporary slot above the stack just before.
            Operand::Slot(bs) if bs >= self.height() && cut > 0 => match self.ops[cut - 1] {
                Op::Const { d, value } if d == bs => {
                    cut -= 1;
                    Operand::Const(value)
                }
                _ => b,
            },
            _ => b,
        };
        self.ops.truncate(cut);
        self.offsets.truncate(cut);
        self.heights.truncate(cut);
        self.producer = None;
        Some((cmp, a, b, wide))
    }

    /// For a load or store whose address (`addr`, just popped) is the temporary that the
    /// last op computed as `a + imm` (static offset 0 only), `a + (i << shift)` (shift at
    /// most 3) or `a + b`: removes that op and returns the address's form, for the fused
    /// op to compute it itself. Only when no label lies between the two (a jump must not
    /// skip the addition).
    fn take_address_add(&mut self, addr: Slot, offset: u32) -> Option<Address> {
        let at = self.ops.len().checked_sub(1)?;
        // A temporary: the popped entry's own slot, now just above the stack.
        if self.eager || at < self.label_pc || addr != self.height() {
            return None;
        }
        let address = match self.ops[at] {
            Op::I32AddImm { d, a, imm } if d == addr && offset == 0 => Address::AddImm(a, imm),
            Op::I32ShlAdd { d, a, b, shift } if d == addr && shift <= 3 => Address::Indexed(a, b, shift),
            Op::I32Add(Bin { d, a, b }) if d == addr => Address::Indexed(a, b, 0),
            _ => return None,
        };
        self.ops.truncate(at);
        self.offsets.truncate(at);
        self.heights.truncate(at);
        self.producer = None;
        Some(address)
    }

    /// For an `i32.add` whose operands are the two top entries: when one of them is the
    /// temporary that the last op computed as `i << k` (`k` a constant) and the other is
    /// in a slot, replaces that op with `d = a + (i << k)`. Only when no label lies
    /// between the two; `i` is not written in between (the shift is the last op).
    fn fuse_shl_add(&mut self) -> Result<bool, TranslateError> {
        let len = self.stack.len();
        let Some(at) = self.ops.len().checked_sub(1) else { return Ok(false) };
        if self.eager || len < 2 || at < self.label_pc {
            return Ok(false);
        }
        let Op::I32Shl(Bin { d: t, a: i, b: k }) = self.ops[at] else { return Ok(false) };
        let Some(k) = self.const_value(k) else { return Ok(false) };
        let (top, below) = (self.stack_base + len as u32 - 1, self.stack_base + len as u32 - 2);
        let base = match (self.stack[len - 2], self.stack[len - 1]) {
            (Operand::Slot(a), Operand::Slot(s)) if s == top && t == top && a != t => a,
            (Operand::Slot(s), Operand::Slot(b)) if s == below && t == below && b != t => b,
            _ => return Ok(false),
        };
        self.ops.truncate(at);
        self.offsets.truncate(at);
        self.heights.truncate(at);
        self.pop()?;
        self.pop()?;
        let d = self.height();
        self.emit(Op::I32ShlAdd { d, a: base, b: i, shift: (k & 31) as u8 });
        self.push_result();
        Ok(true)
    }

    /// A conditional jump on the top entry (popped), fused with the comparison that
    /// computed it when possible. Jumps when the condition holds, or fails if `invert`.
    /// Every other live value is written to its own slot first.
    fn cond_jump(&mut self, invert: bool) -> Result<Op, TranslateError> {
        let fused = self.take_comparison();
        let cond = self.pop()?;
        self.materialize_all();
        let (cmp, a, b, wide) = match fused {
            Some(f) => f,
            None => {
                let c = match cond {
                    Operand::Slot(s) => s,
                    Operand::Const(v) => {
                        let own = self.height();
                        self.emit(Op::Const { d: own, value: v });
                        own
                    }
                };
                (IntCmp::Ne, c, Operand::Const(0), false)
            }
        };
        let cmp = if invert { cmp.inverse() } else { cmp };
        if wide {
            return match b {
                Operand::Slot(b) => Ok(Op::JumpIfI64 { cmp, a, b, pc: 0 }),
                Operand::Const(_) => Err(self.error("i64 comparison with an unplaced constant")),
            };
        }
        Ok(match (cmp, b) {
            (IntCmp::Ne, Operand::Const(0)) => Op::JumpIf { c: a, pc: 0 },
            (IntCmp::Eq, Operand::Const(0)) => Op::JumpIfZero { c: a, pc: 0 },
            (cmp, Operand::Const(imm)) => Op::JumpIfI32Imm { cmp, a, imm: imm as u32, pc: 0 },
            (cmp, Operand::Slot(b)) => Op::JumpIfI32 { cmp, a, b, pc: 0 },
        })
    }

    fn instr(&mut self, instr: &Instr) -> Result<(), TranslateError> {
        match instr {
            Instr::Unreachable => {
                self.emit(Op::Unreachable);
                self.set_unreachable()?;
            }
            Instr::Nop => {}
            Instr::Block(bt) => {
                self.materialize_all();
                self.push_frame(FrameKind::Block, *bt, None)?
            }
            Instr::Loop(bt) => {
                self.materialize_all();
                self.label_here();
                self.push_frame(FrameKind::Loop, *bt, None)?
            }
            Instr::If(bt) => {
                let jump = self.cond_jump(true)?;
                let at = self.emit(jump);
                self.push_frame(FrameKind::If, *bt, Some(at))?;
            }
            Instr::Else => {
                let (reachable, height, ty) = {
                    let f = self.top()?;
                    (!f.unreachable, f.height, f.ty)
                };
                if reachable {
                    self.materialize_all();
                    let at = self.emit(Op::Jump(0));
                    let last = self.ctrl.len() - 1;
                    self.ctrl[last].patches.push(Patch::Op(at));
                }
                let pc = self.pc();
                self.label_here();
                let last = self.ctrl.len() - 1;
                if let Some(j) = self.ctrl[last].if_jump.take() {
                    self.patch(Patch::Op(j), pc);
                }
                self.ctrl[last].kind = FrameKind::Else;
                self.ctrl[last].unreachable = false;
                self.reset_to_frame(FrameKind::If, ty, height, true)?;
            }
            Instr::TryTable(bt, catches) => {
                self.materialize_all();
                let mut resolved = Vec::with_capacity(catches.len());
                for c in catches.iter() {
                    let target = self.catch_target(c.label)?;
                    resolved.push(CatchTarget { kind: c.kind, tag: c.tag, target, exn_slot: None });
                }
                // A new region starts here: the landing pads are labels, and no op is
                // fused across the region's start.
                self.label_here();
                let start = self.pc();
                self.regions.push(TryRegion {
                    start,
                    end: start,
                    catches: resolved.into_boxed_slice(),
                    delegate: None,
                });
                self.push_frame(FrameKind::TryTable, *bt, None)?;
                let last = self.ctrl.len() - 1;
                self.ctrl[last].region = Some(self.regions.len() - 1);
            }
            Instr::Throw(tag) => {
                let n = ValType::slots_of(self.tag_params(*tag)?) as usize;
                self.materialize_all();
                let base = self.pop_base(n)?;
                self.emit(Op::Throw { tag: *tag, base });
                self.set_unreachable()?;
            }
            Instr::ThrowRef => {
                let s = self.pop_slot()?;
                self.emit(Op::ThrowRef { s });
                self.set_unreachable()?;
            }
            Instr::Try(bt) => {
                self.materialize_all();
                self.label_here();
                let start = self.pc();
                // Nesting level among the open `try`s: its arms' `exnref` slot.
                let level =
                    self.ctrl.iter().filter(|f| matches!(f.kind, FrameKind::Try | FrameKind::LegacyCatch)).count();
                let exn_slot = self.num_locals - self.legacy_levels + level as u32;
                self.regions.push(TryRegion { start, end: start, catches: Box::new([]), delegate: None });
                self.push_frame(FrameKind::Try, *bt, None)?;
                let last = self.ctrl.len() - 1;
                self.ctrl[last].region = Some(self.regions.len() - 1);
                self.ctrl[last].exn_slot = exn_slot;
            }
            Instr::Catch(_) | Instr::CatchAll => {
                let last = self.ctrl.len() - 1;
                let (reachable, kind, height, region) = {
                    let f = self.top()?;
                    (!f.unreachable, f.kind, f.height, f.region)
                };
                let region = region.ok_or_else(|| self.error("catch outside a try"))?;
                if reachable {
                    self.materialize_all();
                    let at = self.emit(Op::Jump(0));
                    self.ctrl[last].patches.push(Patch::Op(at));
                }
                let pc = self.pc();
                if kind == FrameKind::Try {
                    self.regions[region].end = pc;
                }
                self.label_here();
                self.targets.push(BranchTarget { pc, height, keep: 0, from: height });
                let target = self.targets.len() as u32 - 1;
                let (catch_kind, tag, payload): (_, _, &[ValType]) = match instr {
                    Instr::Catch(x) => (crate::syntax::CatchKind::Catch, *x, self.tag_params(*x)?),
                    _ => (crate::syntax::CatchKind::CatchAll, 0, &[]),
                };
                let mut catches = std::mem::take(&mut self.regions[region].catches).into_vec();
                catches.push(CatchTarget { kind: catch_kind, tag, target, exn_slot: None });
                self.ctrl[last].arm = Some(catches.len() - 1);
                self.regions[region].catches = catches.into_boxed_slice();
                self.ctrl[last].kind = FrameKind::LegacyCatch;
                self.ctrl[last].unreachable = false;
                self.reset_stack_typed(height, payload);
            }
            Instr::Delegate(l) => {
                if !self.top()?.unreachable {
                    self.materialize_all();
                }
                let frame = self.ctrl.pop().ok_or_else(|| self.error("unbalanced delegate"))?;
                let pc = self.pc();
                // The innermost `try` body or `try_table` from label `l` outwards gets the
                // exceptions; none (the function's label) sends them to the caller.
                let to = self.ctrl.len().checked_sub(1 + *l as usize).ok_or_else(|| self.error("unknown label"))?;
                let outer = self.ctrl[..=to]
                    .iter()
                    .rev()
                    .find(|f| matches!(f.kind, FrameKind::Try | FrameKind::TryTable))
                    .and_then(|f| f.region)
                    .map(|r| r as u32);
                if let Some(r) = frame.region
                    && let Some(region) = self.regions.get_mut(r)
                {
                    region.end = pc;
                    region.delegate = Some(outer);
                }
                self.label_here();
                for p in frame.patches {
                    self.patch(p, pc);
                }
                self.reset_to_frame(FrameKind::Block, frame.ty, frame.height, false)?;
            }
            Instr::Rethrow(l) => {
                let idx = self.ctrl.len().checked_sub(1 + *l as usize).ok_or_else(|| self.error("unknown label"))?;
                let f = &self.ctrl[idx];
                let (Some(region), Some(arm), slot) = (f.region, f.arm, f.exn_slot) else {
                    return Err(self.error("rethrow of a label that is no catch"));
                };
                if let Some(c) = self.regions.get_mut(region).and_then(|r| r.catches.get_mut(arm)) {
                    c.exn_slot = Some(slot);
                }
                self.emit(Op::ThrowRef { s: slot });
                self.set_unreachable()?;
            }
            Instr::End => {
                if !self.top()?.unreachable {
                    self.materialize_all();
                }
                let frame = self.ctrl.pop().ok_or_else(|| self.error("unbalanced end"))?;
                let pc = self.pc();
                if matches!(frame.kind, FrameKind::TryTable | FrameKind::Try)
                    && let Some(r) = frame.region
                    && let Some(region) = self.regions.get_mut(r)
                {
                    region.end = pc;
                }
                self.label_here();
                if let Some(j) = frame.if_jump {
                    self.patch(Patch::Op(j), pc);
                }
                for p in frame.patches {
                    self.patch(p, pc);
                }
                self.reset_to_frame(frame.kind, frame.ty, frame.height, false)?;
                if frame.kind == FrameKind::Func {
                    self.emit(Op::Return { from: frame.height });
                }
            }
            Instr::Br(d) => {
                self.materialize_all();
                self.branch(*d, None)?;
                self.set_unreachable()?;
            }
            Instr::BrIf(d) => {
                // Where the label's values will come from once the condition is popped:
                // only a branch that moves nothing can be a fused conditional jump.
                let cond = self.pop()?;
                let (probe, _) = self.label(*d)?;
                self.push_back(cond);
                if probe.from == probe.height || probe.keep == 0 {
                    let jump = self.cond_jump(false)?;
                    let (label, frame) = self.label(*d)?;
                    let at = self.emit(jump);
                    self.patch(Patch::Op(at), label.pc);
                    self.add_patch(frame, Patch::Op(at));
                } else {
                    let c = self.pop_slot()?;
                    self.materialize_all();
                    self.branch(*d, Some(c))?;
                }
            }
            Instr::BrTable { targets, default } => {
                let c = self.pop_slot()?;
                self.materialize_all();
                let start = self.targets.len() as u32;
                for d in targets.iter().chain(std::iter::once(default)) {
                    let (target, frame) = self.label(*d)?;
                    self.targets.push(target);
                    let i = self.targets.len() - 1;
                    self.add_patch(frame, Patch::Target(i));
                }
                self.emit(Op::BranchTable { c, start, len: targets.len() as u32 + 1 });
                self.set_unreachable()?;
            }
            Instr::Return => {
                self.materialize_all();
                let n = self.ctrl[0].results;
                let from = self.height().checked_sub(n).ok_or_else(|| self.error("operand stack underflow"))?;
                self.emit(Op::Return { from });
                self.set_unreachable()?;
            }
            Instr::Call(f) => {
                let ty = self.func_type(*f)?;
                let (p, results) = (ValType::slots_of(&ty.params) as usize, &ty.results);
                self.materialize_all();
                let base = self.pop_base(p)?;
                self.emit(Op::Call { func: *f, base });
                self.reset_stack_typed(base, results);
            }
            Instr::CallIndirect { type_index, table } => {
                let ctx: &'a ModuleContext<'a> = self.ctx;
                let ty = ctx
                    .types
                    .get(*type_index as usize)
                    .and_then(|t| t.as_func())
                    .ok_or_else(|| self.error("unknown type"))?;
                let p = ValType::slots_of(&ty.params) as usize;
                self.materialize_all();
                let base = self.pop_base(p + 1)?;
                self.emit(Op::CallIndirect { type_index: *type_index, table: *table, base });
                self.reset_stack_typed(base, &ty.results);
            }
            Instr::ReturnCall(f) => {
                // Only the arguments need slots of their own: the rest of the frame is
                // left behind.
                let p = ValType::slots_of(&self.func_type(*f)?.params) as usize;
                let base = self.pop_base(p)?;
                self.emit(Op::ReturnCall { func: *f, base });
                self.set_unreachable()?;
            }
            Instr::ReturnCallIndirect { type_index, table } => {
                let ctx: &'a ModuleContext<'a> = self.ctx;
                let ty = ctx
                    .types
                    .get(*type_index as usize)
                    .and_then(|t| t.as_func())
                    .ok_or_else(|| self.error("unknown type"))?;
                let p = ValType::slots_of(&ty.params) as usize;
                let base = self.pop_base(p + 1)?;
                self.emit(Op::ReturnCallIndirect { type_index: *type_index, table: *table, base });
                self.set_unreachable()?;
            }
            Instr::CallRef(type_index) | Instr::ReturnCallRef(type_index) => {
                let ctx: &'a ModuleContext<'a> = self.ctx;
                let ty = ctx
                    .types
                    .get(*type_index as usize)
                    .and_then(|t| t.as_func())
                    .ok_or_else(|| self.error("unknown type"))?;
                let params = ValType::slots_of(&ty.params);
                if matches!(instr, Instr::CallRef(_)) {
                    self.materialize_all();
                    let base = self.pop_base(params as usize + 1)?;
                    self.emit(Op::CallRef { params, base });
                    self.reset_stack_typed(base, &ty.results);
                } else {
                    let base = self.pop_base(params as usize + 1)?;
                    self.emit(Op::ReturnCallRef { params, base });
                    self.set_unreachable()?;
                }
            }
            Instr::BrOnNull(d) | Instr::BrOnNonNull(d) => {
                // The reference stays in its slot on the way on (br_on_null) or into the
                // branch (br_on_non_null); br_on_null's label takes the values below it.
                self.materialize_all();
                let on_null = matches!(instr, Instr::BrOnNull(_));
                let r = self.pop()?;
                let Operand::Slot(s) = r else { return Err(self.error("unmaterialised reference")) };
                if !on_null {
                    self.push_back(r);
                }
                let (target, frame) = self.label(*d)?;
                self.targets.push(target);
                let i = self.targets.len() as u32 - 1;
                self.add_patch(frame, Patch::Target(i as usize));
                self.emit(Op::BranchOnNull { s, target: i, on_null });
                if on_null {
                    self.push_back(r);
                } else {
                    self.pop()?;
                }
            }
            Instr::Gc(g) => self.gc(g)?,
            Instr::RefNull(_) => self.constant(0),
            Instr::RefIsNull => self.unary(Op::RefIsNull)?,
            Instr::RefAsNonNull => self.unary(Op::RefAsNonNull)?,
            Instr::RefEq => {
                let b = self.pop_slot()?;
                let a = self.pop_slot()?;
                let d = self.height();
                self.emit(Op::RefEq(Bin { d, a, b }));
                self.push_result();
            }
            Instr::RefFunc(func) => {
                let d = self.height();
                self.emit(Op::RefFunc { d, func: *func });
                self.push_result();
            }
            Instr::Drop => {
                if self.top_is_v128() {
                    self.pop()?;
                }
                self.pop()?;
                if self.eager {
                    // So the debugger can stop at the `drop`, as at every instruction.
                    self.emit(Op::Nop);
                }
            }
            Instr::Select | Instr::SelectTyped(_) => {
                let c = self.pop_slot()?;
                if self.top_is_v128() {
                    let b = self.pop_v128()?;
                    let a = self.pop_v128()?;
                    let d = self.height();
                    self.emit(Op::SelectV128 { d, a, b, c });
                    self.push_result_v128();
                    return Ok(());
                }
                let b = self.pop_slot()?;
                // The debugger's translation keeps every value in its own slot.
                if self.eager {
                    let i = self.stack.len().checked_sub(1).ok_or_else(|| self.error("operand stack underflow"))?;
                    self.materialize(i);
                }
                let a = self.pop_slot()?;
                let d = self.height();
                self.emit(Op::Select { d, a, b, c });
                self.push_result();
            }
            Instr::LocalGet(x) if self.local(*x)?.1 => {
                let (x, _) = self.local(*x)?;
                if self.eager {
                    let d = self.height();
                    self.emit(Op::CopyV128 { d, s: x });
                    self.push_v128(Operand::Slot(d), Operand::Slot(d + 1));
                } else {
                    self.push_v128(Operand::Slot(x), Operand::Slot(x + 1));
                }
            }
            Instr::LocalSet(x) if self.local(*x)?.1 => {
                let (x, _) = self.local(*x)?;
                self.local_set_v128(x)?;
            }
            Instr::LocalTee(x) if self.local(*x)?.1 => {
                let (x, _) = self.local(*x)?;
                self.local_set_v128(x)?;
                if self.eager {
                    let own = self.height();
                    self.push_v128(Operand::Slot(own), Operand::Slot(own + 1));
                } else {
                    self.push_v128(Operand::Slot(x), Operand::Slot(x + 1));
                }
            }
            Instr::LocalGet(x) => {
                let (x, _) = self.local(*x)?;
                let x = &x;
                if self.eager {
                    let d = self.height();
                    self.emit(Op::Copy { d, s: *x });
                    self.push_result();
                } else {
                    self.push(Operand::Slot(*x));
                }
            }
            Instr::LocalSet(x) => {
                let (x, _) = self.local(*x)?;
                self.local_set(x)?;
            }
            Instr::LocalTee(x) => {
                let (x, _) = self.local(*x)?;
                let x = &x;
                self.local_set(*x)?;
                if self.eager {
                    // The value is still in its own slot, the one just popped.
                    let own = self.height();
                    self.push(Operand::Slot(own));
                } else {
                    self.push(Operand::Slot(*x));
                }
            }
            Instr::GlobalGet(global) if self.global_is_v128(*global) => {
                let d = self.height();
                self.emit(Op::GlobalGetV128 { d, global: *global });
                self.push_result_v128();
            }
            Instr::GlobalSet(global) if self.global_is_v128(*global) => {
                let s = self.pop_v128()?;
                self.emit(Op::GlobalSetV128 { s, global: *global });
            }
            Instr::GlobalGet(global) => {
                let d = self.height();
                self.emit(Op::GlobalGet { d, global: *global });
                self.push_result();
            }
            Instr::GlobalSet(global) => {
                let s = self.pop_slot()?;
                self.emit(Op::GlobalSet { s, global: *global });
            }
            Instr::TableGet(table) => self.with_base(1, true, |base| Op::TableGet { table: *table, base })?,
            Instr::TableSet(table) => self.with_base(2, false, |base| Op::TableSet { table: *table, base })?,
            Instr::TableSize(table) => {
                let d = self.height();
                self.emit(Op::TableSize { table: *table, d });
                self.push_result();
            }
            Instr::TableGrow(table) => self.with_base(2, true, |base| Op::TableGrow { table: *table, base })?,
            Instr::TableFill(table) => self.with_base(3, false, |base| Op::TableFill { table: *table, base })?,
            Instr::TableCopy { dst, src } => {
                self.with_base(3, false, |base| Op::TableCopy { dst: *dst, src: *src, base })?
            }
            Instr::TableInit { elem, table } => {
                self.with_base(3, false, |base| Op::TableInit { elem: *elem, table: *table, base })?
            }
            Instr::ElemDrop(e) => {
                self.emit(Op::ElemDrop(*e));
            }
            Instr::Load(kind, m) if !self.ctx.fast_memory(m.memory) => {
                let addr = self.pop_slot()?;
                let d = self.height();
                self.emit(Op::LoadMem { kind: *kind, d, addr, mem: m.memory, offset: m.offset });
                self.push_result();
            }
            Instr::Store(kind, m) if !self.ctx.fast_memory(m.memory) => {
                let v = self.pop_slot()?;
                let addr = self.pop_slot()?;
                self.emit(Op::StoreMem { kind: *kind, addr, v, mem: m.memory, offset: m.offset });
            }
            Instr::SimdMem(op, m) | Instr::SimdMemLane(op, m, _) if !self.ctx.fast_memory(m.memory) => {
                let lane = if let Instr::SimdMemLane(_, _, lane) = instr { *lane } else { 0 };
                let n = if op.params().contains(&ValType::V128) { 3 } else { 1 };
                let (mem, offset) = (m.memory, m.offset);
                let base = self.pop_base(n)?;
                self.emit(Op::SimdMemAt { op: *op, lane, base, mem, offset });
                if !op.results().is_empty() {
                    self.reset_stack(base);
                    self.push_result_v128();
                }
            }
            Instr::Load(kind, m) => {
                let offset = u32::try_from(m.offset).unwrap_or(u32::MAX);
                let addr = self.pop_slot()?;
                let d = self.height();
                match self.take_address_add(addr, offset) {
                    Some(Address::AddImm(a, imm)) => self.emit(Op::LoadAddImm { kind: *kind, d, a, imm }),
                    Some(Address::Indexed(a, i, shift)) => {
                        self.emit(Op::LoadIndexed { kind: *kind, shift, d, a, i, offset })
                    }
                    None => self.emit(Op::Load { kind: *kind, d, addr, offset }),
                };
                self.push_result();
            }
            Instr::Store(kind, m) => {
                let offset = u32::try_from(m.offset).unwrap_or(u32::MAX);
                let v = self.pop_slot()?;
                let addr = self.pop_slot()?;
                match self.take_address_add(addr, offset) {
                    Some(Address::AddImm(a, imm)) => self.emit(Op::StoreAddImm { kind: *kind, a, v, imm }),
                    Some(Address::Indexed(a, i, shift)) => {
                        self.emit(Op::StoreIndexed { kind: *kind, shift, a, i, v, offset })
                    }
                    None => self.emit(Op::Store { kind: *kind, addr, v, offset }),
                };
            }
            Instr::MemorySize(mem) => {
                let d = self.height();
                self.emit(Op::MemorySize { mem: *mem, d });
                self.push_result();
            }
            Instr::MemoryGrow(mem) => self.with_base(1, true, |base| Op::MemoryGrow { mem: *mem, base })?,
            Instr::MemoryFill(mem) => self.with_base(3, false, |base| Op::MemoryFill { mem: *mem, base })?,
            Instr::MemoryCopy { dst, src } => {
                self.with_base(3, false, |base| Op::MemoryCopy { dst: *dst, src: *src, base })?
            }
            Instr::MemoryInit { data, memory } => {
                self.with_base(3, false, |base| Op::MemoryInit { data: *data, mem: *memory, base })?
            }
            Instr::DataDrop(d) => {
                self.emit(Op::DataDrop(*d));
            }
            Instr::I32Const(v) => self.constant(*v as u32 as u64),
            Instr::I64Const(v) => self.constant(*v as u64),
            Instr::F32Const(v) => self.constant(*v as u64),
            Instr::F64Const(v) => self.constant(*v),
            Instr::Num(n) => self.numeric(*n)?,
            Instr::Wide(op) => {
                let base = self.pop_base(op.params().len())?;
                self.emit(Op::Wide { op: *op, base });
                self.reset_stack_typed(base, op.results());
            }
            Instr::V128Const(bytes) => {
                let v = u128::from_le_bytes(*bytes);
                let (lo, hi) = (v as u64, (v >> 64) as u64);
                if self.eager {
                    let d = self.height();
                    self.emit(Op::Const { d, value: lo });
                    self.emit(Op::Const { d: d + 1, value: hi });
                    self.push_v128(Operand::Slot(d), Operand::Slot(d + 1));
                } else {
                    self.push_v128(Operand::Const(lo), Operand::Const(hi));
                }
            }
            Instr::I8x16Shuffle(lanes) => {
                // The lane indices are a third vector operand, written to slots.
                // They go above both operands' own slots, which stay free until the op.
                // (Usually two constant slots.)
                let v = u128::from_le_bytes(*lanes);
                let (lo, hi) = (v as u64, (v >> 64) as u64);
                let c = match self.const_pair(lo, hi) {
                    Some(c) => c,
                    None => {
                        let c = self.height();
                        self.emit(Op::Const { d: c, value: lo });
                        self.emit(Op::Const { d: c + 1, value: hi });
                        self.max_height = self.max_height.max(c + 2);
                        c
                    }
                };
                let b = self.pop_v128()?;
                let a = self.pop_v128()?;
                let d = self.height();
                self.emit(Op::Simd { op: SimdOp::I8x16Shuffle, d, a, b, c });
                self.push_result_v128();
            }
            Instr::Simd(op) => self.simd(*op, 0)?,
            Instr::SimdLane(op, lane) => self.simd(*op, u32::from(*lane))?,
            Instr::SimdMem(op, m) => {
                let offset = u32::try_from(m.offset).unwrap_or(u32::MAX);
                if *op == SimdOp::V128Store {
                    let v = self.pop_v128()?;
                    let addr = self.pop_slot()?;
                    self.emit(Op::SimdStore { addr, v, offset });
                } else {
                    let addr = self.pop_slot()?;
                    let d = self.height();
                    self.emit(Op::SimdLoad { op: *op, d, addr, offset });
                    self.push_result_v128();
                }
            }
            Instr::SimdMemLane(op, m, lane) => {
                let offset = u32::try_from(m.offset).unwrap_or(u32::MAX);
                let v = self.pop_v128()?;
                let addr = self.pop_slot()?;
                if op.results().is_empty() {
                    self.emit(Op::SimdStoreLane { op: *op, lane: *lane, addr, v, offset });
                } else {
                    let d = self.height();
                    self.emit(Op::SimdLoadLane { op: *op, lane: *lane, d, addr, v, offset });
                    self.push_result_v128();
                }
            }
        }
        Ok(())
    }

    /// Whether global `global` holds a `v128`.
    fn global_is_v128(&self, global: u32) -> bool {
        self.ctx.global_types.get(global as usize) == Some(&ValType::V128)
    }

    /// Puts back an entry just popped (of a scalar).
    fn push_back(&mut self, operand: Operand) {
        self.set_wide(self.stack.len(), false);
        self.stack.push(operand);
    }

    /// A SIMD operator without memory access, by its signature in the table; `lane` is
    /// a lane operator's immediate (in the op's `c`).
    fn simd(&mut self, op: SimdOp, lane: u32) -> Result<(), TranslateError> {
        let mut operands = [0 as Slot; 3];
        let params = op.params();
        for (k, t) in params.iter().enumerate().rev() {
            operands[k] = self.pop_typed(*t)?;
        }
        if matches!(op.imm(), SimdImm::Lane(_)) {
            operands[2] = lane;
        }
        let [a, b, c] = operands;
        let d = self.height();
        self.emit(Op::Simd { op, d, a, b, c });
        match op.results() {
            [ValType::V128] => {
                self.push_result_v128();
            }
            [_] => {
                self.push_result();
            }
            _ => return Err(self.error("a SIMD operator without a result")),
        }
        Ok(())
    }

    /// `local.set x` of a `v128` local: retargets the op that produced the value when it
    /// is the last op, else copies both halves.
    fn local_set_v128(&mut self, x: Slot) -> Result<(), TranslateError> {
        let len = self.stack.len();
        if len < 2 || !self.top_is_v128() {
            return Err(self.error("expected a v128 operand"));
        }
        let own = self.stack_base + len as u32 - 2;
        // Entries that read the local need its old value first.
        let value = (self.stack[len - 2], self.stack[len - 1]);
        self.stack[len - 2] = Operand::Slot(own);
        self.stack[len - 1] = Operand::Slot(own + 1);
        self.materialize_reads_of(x);
        self.materialize_reads_of(x + 1);
        self.stack[len - 2] = value.0;
        self.stack[len - 1] = value.1;
        if !self.eager
            && value == (Operand::Slot(own), Operand::Slot(own + 1))
            && let Some(at) = self.producer
            && at + 1 == self.ops.len()
            && retarget(&mut self.ops[at], own, x)
        {
            self.stack.truncate(len - 2);
            self.producer = None;
            return Ok(());
        }
        self.stack.truncate(len - 2);
        if let (Operand::Slot(s), Operand::Slot(hi)) = value
            && hi == s + 1
        {
            if s != x {
                self.emit(Op::CopyV128 { d: x, s });
            }
            return Ok(());
        }
        for (k, half) in [value.0, value.1].into_iter().enumerate() {
            let d = x + k as u32;
            match half {
                Operand::Slot(s) if s == d => {}
                Operand::Slot(s) => {
                    self.emit(Op::Copy { d, s });
                }
                Operand::Const(value) => {
                    self.emit(Op::Const { d, value });
                }
            }
        }
        Ok(())
    }

    fn constant(&mut self, value: u64) {
        if self.eager {
            let d = self.height();
            self.emit(Op::Const { d, value });
            self.push_result();
        } else {
            self.push(Operand::Const(value));
        }
    }

    /// `local.set x`: retargets the op that produced the value when it is the last op,
    /// else copies.
    fn local_set(&mut self, x: Slot) -> Result<(), TranslateError> {
        let top = self.stack.len().checked_sub(1).ok_or_else(|| self.error("operand stack underflow"))?;
        let own = self.stack_base + top as u32;
        // Entries that still read `x` need its old value (the top entry itself is about
        // to be stored, so reading `x` there is fine: see below).
        let value = self.stack[top];
        self.stack[top] = Operand::Slot(own);
        self.materialize_reads_of(x);
        self.stack[top] = value;
        if !self.eager
            && value == Operand::Slot(own)
            && let Some(at) = self.producer
            && at + 1 == self.ops.len()
            && retarget(&mut self.ops[at], own, x)
        {
            self.pop()?;
            self.producer = None;
            return Ok(());
        }
        self.pop()?;
        match value {
            Operand::Slot(s) if s == x => {}
            Operand::Slot(s) => {
                self.emit(Op::Copy { d: x, s });
            }
            Operand::Const(value) => {
                self.emit(Op::Const { d: x, value });
            }
        }
        Ok(())
    }

    /// A rare op whose `n` operands must be in consecutive own slots from `base`; with
    /// `result`, it leaves one value at `base`.
    /// A GC instruction: its operands go to consecutive slots, [`Op::Gc`] leaves its
    /// result at the first; a branching cast is [`Op::BranchOnCast`] on the reference in
    /// its slot.
    fn gc(&mut self, g: &crate::syntax::GcInstr) -> Result<(), TranslateError> {
        use crate::syntax::{CompositeType, GcInstr as G};
        let op = crate::runtime::gc::GcOp::resolve(g, self.ctx.canonical);
        let ty = op.ty;
        let index = self.gc.len() as u32;
        self.gc.push(op);
        if let G::BrOnCast { label, .. } | G::BrOnCastFail { label, .. } = *g {
            // The reference stays in its slot, for the branch or the way on.
            self.materialize_all();
            let Some(&Operand::Slot(s)) = self.stack.last() else {
                return Err(self.error("unmaterialised reference"));
            };
            let (target, frame) = self.label(label)?;
            self.targets.push(target);
            let i = self.targets.len() as u32 - 1;
            self.add_patch(frame, Patch::Target(i as usize));
            let fail = matches!(g, G::BrOnCastFail { .. });
            self.emit(Op::BranchOnCast { s, cast: index, target: i, fail });
            return Ok(());
        }
        let missing = || TranslateError { offset: self.offset, message: "GC instruction without its type" };
        let fields = |t: Option<&crate::syntax::canon::TypeInfo>| match t.map(|t| &t.ty.composite) {
            Some(CompositeType::Struct(f)) => Ok(f.clone()),
            _ => Err(missing()),
        };
        let elem = |t: Option<&crate::syntax::canon::TypeInfo>| match t.map(|t| &t.ty.composite) {
            Some(CompositeType::Array(f)) => Ok(f.storage.unpacked()),
            _ => Err(missing()),
        };
        let slots = |t: ValType| t.slots() as usize;
        let (operands, result): (usize, Option<ValType>) = match *g {
            G::StructNew(_) => (fields(ty)?.iter().map(|f| slots(f.storage.unpacked())).sum(), Some(ValType::I64)),
            G::StructNewDefault(_) => (0, Some(ValType::I64)),
            G::StructGet { field, .. } => {
                let f = fields(ty)?;
                let t = f.get(field as usize).map(|f| f.storage.unpacked()).ok_or_else(missing)?;
                (1, Some(t))
            }
            G::StructSet { field, .. } => {
                let f = fields(ty)?;
                let t = f.get(field as usize).map(|f| f.storage.unpacked()).ok_or_else(missing)?;
                (1 + slots(t), None)
            }
            G::ArrayNew(_) => (slots(elem(ty)?) + 1, Some(ValType::I64)),
            G::ArrayNewDefault(_) => (1, Some(ValType::I64)),
            G::ArrayNewFixed { len, .. } => (len as usize * slots(elem(ty)?), Some(ValType::I64)),
            G::ArrayNewData { .. } | G::ArrayNewElem { .. } => (2, Some(ValType::I64)),
            G::ArrayGet { .. } => (2, Some(elem(ty)?)),
            G::ArraySet(_) => (2 + slots(elem(ty)?), None),
            G::ArrayFill(_) => (3 + slots(elem(ty)?), None),
            G::ArrayCopy { .. } => (5, None),
            G::ArrayInitData { .. } | G::ArrayInitElem { .. } => (4, None),
            G::ArrayLen
            | G::RefTest(_)
            | G::RefCast(_)
            | G::AnyConvertExtern
            | G::ExternConvertAny
            | G::RefI31
            | G::I31Get(_) => (1, Some(ValType::I64)),
            G::BrOnCast { .. } | G::BrOnCastFail { .. } => (1, None),
        };
        if g.allocates() {
            // A collection may run here: every operand must be in its own slot, where
            // the collector's roots (typed by the validator) are.
            self.materialize_all();
        }
        let base = self.pop_base(operands)?;
        self.emit(Op::Gc { op: index, base });
        match result {
            Some(t) => self.reset_stack_typed(base, &[t]),
            None => self.reset_stack(base),
        }
        Ok(())
    }

    fn with_base(&mut self, n: usize, result: bool, op: impl FnOnce(Slot) -> Op) -> Result<(), TranslateError> {
        let base = self.pop_base(n)?;
        self.emit(op(base));
        if result {
            self.reset_stack(base);
            self.push_result();
        }
        Ok(())
    }

    fn unary(&mut self, op: impl FnOnce(Un) -> Op) -> Result<(), TranslateError> {
        let a = self.pop_slot()?;
        let d = self.height();
        self.emit(op(Un { d, a }));
        self.push_result();
        Ok(())
    }

    fn numeric(&mut self, n: NumOp) -> Result<(), TranslateError> {
        if n.params().len() == 1 {
            let a = self.pop_slot()?;
            let d = self.height();
            let op = Op::unary(n, Un { d, a }).ok_or_else(|| self.error("not a unary operator"))?;
            self.emit(op);
            self.push_result();
            return Ok(());
        }
        // Immediate forms: `x + c`, `x - c` with a constant right operand.
        if !self.eager
            && let Some(&Operand::Const(c)) = self.stack.last()
        {
            let c32 = c as i32;
            let fits_i32 = i64::from(c32) == c as i64;
            let form = match n {
                NumOp::I32Add => Some((true, c as u32)),
                NumOp::I32Sub => Some((true, (c as u32).wrapping_neg())),
                NumOp::I64Add if fits_i32 => Some((false, c32 as u32)),
                NumOp::I64Sub if fits_i32 && c32 != i32::MIN => Some((false, c32.wrapping_neg() as u32)),
                _ => None,
            };
            if let Some((is_i32, imm)) = form {
                self.pop()?;
                let a = self.pop_slot()?;
                let d = self.height();
                let op = if is_i32 { Op::I32AddImm { d, a, imm } } else { Op::I64AddImm { d, a, imm: imm as i32 } };
                self.emit(op);
                self.push_result();
                return Ok(());
            }
        }
        if n == NumOp::I32Add && self.fuse_shl_add()? {
            return Ok(());
        }
        let b = self.pop_slot()?;
        let a = self.pop_slot()?;
        let d = self.height();
        let op = Op::binary(n, Bin { d, a, b }).ok_or_else(|| self.error("not a binary operator"))?;
        self.emit(op);
        self.push_result();
        Ok(())
    }
}

/// The operator and operands of a binary numeric op.
#[allow(unused_variables, reason = "unary arms bind operands they do not use")]
fn compared(op: Op) -> Option<(NumOp, Bin)> {
    macro_rules! binary {
        ($($variant:ident $code:literal $name:literal $feat:ident [$($p:ident)*] $r:ident,)*) => {
            match op {
                $(Op::$variant(x) => binary!(@arm $variant x [$($p)*]),)*
                _ => None,
            }
        };
        (@arm $variant:ident $x:ident [$p:ident $q:ident]) => {
            Some((NumOp::$variant, $x))
        };
        (@arm $variant:ident $x:ident [$p:ident]) => {
            None
        };
    }
    crate::for_each_numeric_op!(binary)
}

/// Most constant slots a function gets; further constants are written by `Const` ops.
const MAX_CONST_SLOTS: usize = 64;

/// The constants of a body that get constant slots: each distinct `*.const` value, in
/// order of first appearance, except those the translator folds into an immediate form
/// or writes straight into a local. Reading a constant slot replaces a `Const` op before
/// each use, the most frequent op in loops otherwise.
fn const_slots(instrs: &[Instr]) -> Vec<u64> {
    let mut consts = Vec::new();
    for (i, instr) in instrs.iter().enumerate() {
        // A vector constant (or a shuffle's lane indices) takes two adjacent slots.
        if let Instr::V128Const(bytes) | Instr::I8x16Shuffle(bytes) = instr {
            let stored = matches!(instr, Instr::V128Const(_))
                && matches!(instrs.get(i + 1), Some(Instr::LocalSet(_) | Instr::LocalTee(_) | Instr::GlobalSet(_)));
            let v = u128::from_le_bytes(*bytes);
            let (lo, hi) = (v as u64, (v >> 64) as u64);
            if !stored && pair_at(&consts, lo, hi).is_none() {
                if consts.len() + 2 > MAX_CONST_SLOTS {
                    break;
                }
                consts.extend([lo, hi]);
            }
            continue;
        }
        let value = match instr {
            Instr::I32Const(v) => *v as u32 as u64,
            Instr::I64Const(v) => *v as u64,
            Instr::F32Const(v) => *v as u64,
            Instr::F64Const(v) => *v,
            _ => continue,
        };
        let folded = match (instr, instrs.get(i + 1)) {
            (_, Some(Instr::LocalSet(_) | Instr::LocalTee(_) | Instr::GlobalSet(_))) => true,
            (Instr::I32Const(_), Some(Instr::Num(NumOp::I32Add | NumOp::I32Sub))) => true,
            (Instr::I64Const(v), Some(Instr::Num(NumOp::I64Add | NumOp::I64Sub))) => i32::try_from(*v).is_ok(),
            _ => false,
        };
        if !folded && !consts.contains(&value) {
            if consts.len() == MAX_CONST_SLOTS {
                break;
            }
            consts.push(value);
        }
    }
    consts
}

/// Where constant slots `k` and `k + 1` hold `lo` and `hi` (a vector constant), if any.
fn pair_at(consts: &[u64], lo: u64, hi: u64) -> Option<usize> {
    consts.windows(2).position(|w| w[0] == lo && w[1] == hi)
}

/// The address form a load or store takes over from the op that computed it.
enum Address {
    /// `a + imm`.
    AddImm(Slot, u32),
    /// `a + (i << shift)`.
    Indexed(Slot, Slot, u8),
}

/// Points the destination of `op` (currently `own`) at `x`; false if `op` has no such
/// destination. (`Select` is not retargetable: its destination also holds its first
/// operand.)
fn retarget(op: &mut Op, own: Slot, x: Slot) -> bool {
    let d = match op {
        Op::Copy { d, .. }
        | Op::Const { d, .. }
        | Op::GlobalGet { d, .. }
        | Op::RefFunc { d, .. }
        | Op::Load { d, .. }
        | Op::LoadAddImm { d, .. }
        | Op::LoadIndexed { d, .. }
        | Op::I32ShlAdd { d, .. }
        | Op::I32AddImm { d, .. }
        | Op::I64AddImm { d, .. }
        | Op::Simd { d, .. }
        | Op::SimdLoad { d, .. }
        | Op::SimdLoadLane { d, .. }
        | Op::LoadMem { d, .. }
        | Op::GlobalGetV128 { d, .. }
        | Op::CopyV128 { d, .. }
        | Op::SelectV128 { d, .. }
        | Op::Select { d, .. } => d,
        other => match num_dest(other) {
            Some(d) => d,
            None => return false,
        },
    };
    if *d != own {
        return false;
    }
    *d = x;
    true
}

/// The destination slot of a numeric op.
fn num_dest(op: &mut Op) -> Option<&mut Slot> {
    macro_rules! dests {
        ($($variant:ident $code:literal $name:literal $feat:ident [$($p:ident)*] $r:ident,)*) => {
            match op {
                $(Op::$variant(x) => Some(&mut x.d),)*
                _ => None,
            }
        };
    }
    crate::for_each_numeric_op!(dests)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Features;

    fn ops(wat: &str, fuse: bool) -> Vec<Op> {
        let module = crate::binary::decode(&wat::parse_str(wat).unwrap(), &Features::default()).unwrap();
        let func_types = module.func_type_indices();
        let ctx = ModuleContext {
            types: &module.types,
            canonical: &module.canonical,
            func_types: &func_types,
            consume_fuel: false,
            global_types: &[],
            memories: &module.memories,
            tables: &module.tables,
            tags: &[],
        };
        let ty = module.func_type(module.funcs[0]).unwrap();
        translate_ops(&ctx, ty, &module.code[0], fuse).unwrap()
    }

    const LOOP: &str = r#"(module (func (param i32) (local i32)
        (block $done (loop $l
          (br_if $done (i32.ge_u (local.get 1) (local.get 0)))
          (local.set 1 (i32.add (local.get 1) (i32.const 1)))
          (br $l)))))"#;

    #[test]
    fn registers_fold_locals_constants_and_comparisons() {
        assert_eq!(
            ops(LOOP, true),
            vec![
                Op::JumpIfI32 { cmp: IntCmp::GeU, a: 1, b: 0, pc: 3 },
                Op::I32AddImm { d: 1, a: 1, imm: 1 },
                Op::Jump(0),
                Op::Return { from: 2 },
            ]
        );
    }

    #[test]
    fn debug_translation_keeps_one_op_per_instruction() {
        let ops = ops(LOOP, false);
        // local.get, local.get, i32.ge_u, br_if, local.get, i32.const, i32.add, local.set,
        // br, and the function's return.
        assert_eq!(ops.len(), 10, "{ops:?}");
        assert_eq!(ops[0], Op::Copy { d: 2, s: 1 });
        assert_eq!(ops[2], Op::I32GeU(Bin { d: 2, a: 2, b: 3 }));
    }

    #[test]
    fn a_local_read_survives_a_later_write() {
        // `local.get 0` is deferred; `local.set 0` must not change the value already pushed.
        let ops = ops(r#"(module (func (param i32) (result i32) (local.get 0) (local.set 0 (i32.const 7))))"#, true);
        assert_eq!(ops[0], Op::Copy { d: 1, s: 0 });
        assert_eq!(ops[1], Op::Const { d: 0, value: 7 });
    }

    #[test]
    fn nothing_is_retargeted_across_a_label() {
        // The block's result reaches `local.set` by the branch too: it must be copied.
        let ops = ops(
            r#"(module (func (param i32) (local i32)
                (local.set 1 (block (result i32) (br_if 0 (i32.const 5) (local.get 0)) (drop) (i32.const 6)))))"#,
            true,
        );
        assert!(ops.iter().any(|op| matches!(op, Op::Copy { d: 1, .. })), "{ops:?}");
    }

    #[test]
    fn constants_are_read_from_constant_slots() {
        // Slot 0 is the parameter, slot 1 the constant 3; the operand stack starts at 2.
        let wat = r#"(module (func (param i32) (result i32)
            (i32.mul (i32.shl (local.get 0) (i32.const 3)) (i32.const 3))))"#;
        let module = crate::binary::decode(&wat::parse_str(wat).unwrap(), &crate::Features::default()).unwrap();
        let func_types = module.func_type_indices();
        let ctx = ModuleContext {
            types: &module.types,
            canonical: &module.canonical,
            func_types: &func_types,
            consume_fuel: false,
            global_types: &[],
            memories: &module.memories,
            tables: &module.tables,
            tags: &[],
        };
        let f = translate(&ctx, module.funcs[0], &module.code[0], true).unwrap();
        assert_eq!(&*f.consts, &[3]);
        assert_eq!(
            translate_ops(&ctx, module.types[0].as_func().unwrap(), &module.code[0], true).unwrap(),
            vec![Op::I32Shl(Bin { d: 2, a: 0, b: 1 }), Op::I32Mul(Bin { d: 2, a: 2, b: 1 }), Op::Return { from: 2 }]
        );
        // The debugger's translation has none.
        assert!(translate(&ctx, module.funcs[0], &module.code[0], false).unwrap().consts.is_empty());
    }
}
