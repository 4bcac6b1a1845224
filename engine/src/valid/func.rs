//! Validation of function bodies (spec §3.3 "Instructions", §3.4.1 "Functions"), written
//! after the spec appendix "Validation Algorithm": an operand stack whose entries may be
//! `Unknown` (in unreachable code) and a control stack of frames. Both stacks are explicit
//! vectors, so nesting depth costs no native stack, and every instruction is O(1) apart
//! from the types it pops and pushes.

use super::context::Context;
use crate::error::ValidationError;
use crate::syntax::{
    BlockType, FuncBody, FuncType, HeapType, Instr, MemArg, Mutability, NumOp, OpFeature, RefType, SimdFeature,
    SimdImm, SimdOp, ValType,
};

/// The types of a block's start or end, or of a label: a slice of the module's types,
/// or the one value type of a `BlockType::Value` (owned, so that holding it does not
/// borrow the validator).
#[derive(Debug, Clone, Copy)]
enum Types<'m> {
    Slice(&'m [ValType]),
    One(ValType),
}

impl std::ops::Deref for Types<'_> {
    type Target = [ValType];
    fn deref(&self) -> &[ValType] {
        match self {
            Types::Slice(s) => s,
            Types::One(t) => std::slice::from_ref(t),
        }
    }
}

/// An operand type; `None` is the spec's `Unknown` (any type, from unreachable code).
type Operand = Option<ValType>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrameKind {
    Func,
    Block,
    Loop,
    If,
    Else,
    /// `try_table`: a block for branches and values.
    TryTable,
    /// The body of a legacy `try`.
    Try,
    /// A legacy `catch` or `catch_all` arm (a target of `rethrow`).
    Catch,
    /// A `catch_all` arm: no further arms may follow.
    CatchAll,
}

/// A control frame (`ctrl_frame` of the appendix). The start and end types are looked up
/// from `ty`, so frames are small and `Copy`.
#[derive(Debug, Clone, Copy)]
struct Frame {
    kind: FrameKind,
    ty: BlockType,
    /// Operand stack height at the start of the block.
    height: usize,
    /// Whether the rest of the block is unreachable (stack-polymorphic).
    unreachable: bool,
    /// Height of the validator's list of locals initialised since the function began,
    /// at the start of the block: they are uninitialised again after it (typed function
    /// references' rule for non-defaultable locals).
    inits: usize,
}

const I32: ValType = ValType::I32;

struct FuncValidator<'c, 'm> {
    c: &'c Context<'m>,
    /// `C.locals`: parameters, then declared locals.
    locals: Vec<ValType>,
    /// Whether each local is initialised: parameters and defaultable locals always are.
    set: Vec<bool>,
    /// The non-defaultable locals initialised so far, in order (see [`Frame::inits`]).
    inits: Vec<u32>,
    /// `C.return`.
    results: &'m [ValType],
    ops: Vec<Operand>,
    ctrls: Vec<Frame>,
    /// The height of the innermost frame (0 without one): operands above it can be
    /// popped without looking at the frame.
    floor: usize,
    /// Offset of the instruction being checked.
    offset: usize,
}

/// Why checking a body stopped.
enum Stop {
    Invalid(ValidationError),
    Malformed(crate::error::DecodeError),
}

impl From<crate::error::DecodeError> for Stop {
    fn from(e: crate::error::DecodeError) -> Stop {
        Stop::Malformed(e)
    }
}

/// Validates the body of function `func_type` (spec §3.4.1).
pub(crate) fn check_func(c: &Context<'_>, type_index: u32, body: &FuncBody) -> Result<(), ValidationError> {
    let mut v = FuncValidator::begin(c, type_index, &body.locals, body.range.start, Buffers::default())?;
    // The body was decoded once already; decoding it again cannot fail, but if it did,
    // that is reported as the error it is.
    let checked = body.for_each_instr(|at, instr| v.feed(at, instr).map_err(Stop::Invalid));
    match checked {
        Ok(()) => {}
        Err(Stop::Invalid(e)) => return Err(e),
        Err(Stop::Malformed(e)) => return Err(ValidationError::new(e.offset, e.message)),
    }
    v.finish(body.range.end)
}

/// The types on the operand stack just before the instruction at module offset `at` of a
/// valid body of function type `type_index`, bottom first (`None` for an entry of unknown
/// type, which only unreachable code has); `None` if no instruction of the body starts at
/// `at`. For the debugger ([`crate::debug::DebugState::operand_types`]): one pass over
/// the body up to `at`.
pub(crate) fn operand_types_at(
    c: &Context<'_>,
    type_index: u32,
    body: &FuncBody,
    at: u32,
) -> Option<Vec<Option<ValType>>> {
    let mut v = FuncValidator::begin(c, type_index, &body.locals, body.range.start, Buffers::default()).ok()?;
    let mut found = None;
    // Stopping early is an "error" of the walk; any real error means no answer.
    let _ = body.for_each_instr(|o, instr| {
        if o == at {
            found = Some(v.ops.clone());
            return Err(Stop::Invalid(ValidationError::new(o as usize, "found")));
        }
        v.feed(o, instr).map_err(Stop::Invalid)
    });
    found
}

/// The operand types of a valid body instruction by instruction, for a tier that needs
/// them while it translates the body in order (the JIT's stack maps: which values hold
/// references): [`OperandTypes::feed`] each instruction, in order, and it answers the
/// types on the operand stack after it, bottom first (`None` for an entry of unknown type,
/// which only unreachable code has).
pub(crate) struct OperandTypes<'c, 'm>(FuncValidator<'c, 'm>);

impl<'c, 'm> OperandTypes<'c, 'm> {
    /// Starts body `body` of function type `type_index`; `None` if it does not even begin
    /// to validate (the caller validated the module, so that is never the case).
    pub(crate) fn begin(c: &'c Context<'m>, type_index: u32, body: &FuncBody) -> Option<OperandTypes<'c, 'm>> {
        FuncValidator::begin(c, type_index, &body.locals, body.range.start, Buffers::default()).ok().map(OperandTypes)
    }

    /// The operand types after instruction `instr` at offset `at`; `None` if it is not
    /// valid there.
    pub(crate) fn feed(&mut self, at: u32, instr: &Instr) -> Option<&[Operand]> {
        self.0.feed(at, instr).ok()?;
        Some(&self.0.ops)
    }
}

/// The vectors of a [`FuncValidator`], kept from one body to the next.
#[derive(Default)]
struct Buffers {
    locals: Vec<ValType>,
    set: Vec<bool>,
    inits: Vec<u32>,
    ops: Vec<Operand>,
    ctrls: Vec<Frame>,
}

/// Validation of the bodies of a code section while the decoder reads it, in one pass
/// (`binary::decode_validating`): the decoder calls [`BodyCheck::begin`], then
/// [`BodyCheck::instr`] for each instruction, then [`BodyCheck::end`], per body. The first
/// error is kept and later bodies are not checked (the decoder still reads them: an
/// error in the binary format takes precedence).
pub(crate) struct BodyCheck<'c, 'm> {
    c: &'c Context<'m>,
    current: Option<FuncValidator<'c, 'm>>,
    error: Option<ValidationError>,
    spare: Buffers,
}

impl<'c, 'm> BodyCheck<'c, 'm> {
    pub(crate) fn new(c: &'c Context<'m>) -> BodyCheck<'c, 'm> {
        BodyCheck { c, current: None, error: None, spare: Buffers::default() }
    }

    /// A body of function type `type_index` (`None` when the function section has no
    /// entry for it: the decoder reports that) begins, with these declared locals.
    pub(crate) fn begin(&mut self, type_index: Option<u32>, locals: &[ValType], start: u32) {
        self.current = None;
        if self.error.is_some() {
            return;
        }
        let Some(ti) = type_index else { return };
        match FuncValidator::begin(self.c, ti, locals, start, std::mem::take(&mut self.spare)) {
            Ok(v) => self.current = Some(v),
            Err(e) => self.error = Some(e),
        }
    }

    #[inline(always)]
    pub(crate) fn instr(&mut self, at: u32, instr: &Instr) {
        if let Some(v) = &mut self.current
            && !v.quick(instr)
            && let Err(e) = v.feed(at, instr)
        {
            self.error = Some(e);
            self.current = None;
        }
    }

    /// The body ends at offset `end`.
    pub(crate) fn end(&mut self, end: u32) {
        if let Some(v) = self.current.take() {
            if let Err(e) = v.check_finished(end) {
                self.error = Some(e);
            }
            self.spare = Buffers { locals: v.locals, set: v.set, inits: v.inits, ops: v.ops, ctrls: v.ctrls };
        }
    }

    /// The first error, if any.
    pub(crate) fn result(self) -> Result<(), ValidationError> {
        self.error.map_or(Ok(()), Err)
    }
}

impl<'c, 'm> FuncValidator<'c, 'm> {
    /// Starts a body of function type `type_index` with these declared locals (the body
    /// starting at offset `start`).
    fn begin(
        c: &'c Context<'m>,
        type_index: u32,
        declared: &[ValType],
        start: u32,
        buffers: Buffers,
    ) -> Result<FuncValidator<'c, 'm>, ValidationError> {
        let start = start as usize;
        let ty: &FuncType = c.type_at(type_index, start)?;
        for t in declared {
            c.check_val_type(*t, start)?;
        }
        let Buffers { mut locals, mut set, mut inits, mut ops, mut ctrls } = buffers;
        locals.clear();
        set.clear();
        inits.clear();
        ops.clear();
        ctrls.clear();
        locals.extend_from_slice(&ty.params);
        locals.extend_from_slice(declared);
        set.resize(ty.params.len(), true);
        set.extend(declared.iter().map(|t| t.is_defaultable()));
        let mut v = FuncValidator { c, locals, set, inits, results: &ty.results, ops, ctrls, floor: 0, offset: start };
        v.ctrls.push(Frame {
            kind: FrameKind::Func,
            ty: BlockType::Func(type_index),
            height: 0,
            unreachable: false,
            inits: 0,
        });
        Ok(v)
    }

    /// The most frequent instructions when they are valid, checked in the decoder's loop
    /// (inlined there, so that its dispatch on the instruction is the only one): `false`
    /// leaves the instruction to [`Self::feed`], which also finds any error.
    #[inline(always)]
    fn quick(&mut self, instr: &Instr) -> bool {
        if self.ctrls.is_empty() {
            return false;
        }
        let push = match instr {
            Instr::LocalGet(x) => match self.locals.get(*x as usize) {
                Some(t) if self.set[*x as usize] => *t,
                _ => return false,
            },
            Instr::LocalSet(x) | Instr::LocalTee(x) => {
                let (Some(t), Some(Some(top))) = (self.locals.get(*x as usize), self.ops.last()) else {
                    return false;
                };
                if t != top || self.ops.len() <= self.floor || !self.set[*x as usize] {
                    return false;
                }
                if matches!(instr, Instr::LocalSet(_)) {
                    self.ops.pop();
                }
                return true;
            }
            Instr::I32Const(_) => ValType::I32,
            Instr::I64Const(_) => ValType::I64,
            Instr::Load(op, m) => {
                let n = self.ops.len();
                if n <= self.floor
                    || self.ops[n - 1] != Some(ValType::I32)
                    || m.align > op.width().trailing_zeros()
                    || m.offset > u64::from(u32::MAX)
                    || self.c.memory(m.memory, 0).map_or(true, |t| t.addr.is_64())
                {
                    return false;
                }
                self.ops.pop();
                op.result()
            }
            Instr::Store(op, m) => {
                let n = self.ops.len();
                if n < self.floor + 2
                    || self.ops[n - 2] != Some(ValType::I32)
                    || self.ops[n - 1] != Some(op.operand())
                    || m.align > op.width().trailing_zeros()
                    || m.offset > u64::from(u32::MAX)
                    || self.c.memory(m.memory, 0).map_or(true, |t| t.addr.is_64())
                {
                    return false;
                }
                self.ops.truncate(n - 2);
                return true;
            }
            Instr::Num(op) if op.feature() == OpFeature::Mvp => {
                let params = op.params();
                let n = self.ops.len();
                if n < self.floor + params.len()
                    || !self.ops[n - params.len()..].iter().zip(params).all(|(a, p)| *a == Some(*p))
                {
                    return false;
                }
                self.ops.truncate(n - params.len());
                op.result()
            }
            _ => return false,
        };
        self.ops.push(Some(push));
        true
    }

    /// Checks the next instruction, at offset `at`.
    fn feed(&mut self, at: u32, instr: &Instr) -> Result<(), ValidationError> {
        self.offset = at as usize;
        if self.ctrls.is_empty() {
            return Err(self.err("operators remaining after end of function"));
        }
        self.instr(instr)
    }

    /// The body ends at offset `end`: its outermost frame must have been closed.
    fn finish(self, end: u32) -> Result<(), ValidationError> {
        self.check_finished(end)
    }

    fn check_finished(&self, end: u32) -> Result<(), ValidationError> {
        if !self.ctrls.is_empty() {
            return Err(ValidationError::new(end as usize, "unexpected end of function"));
        }
        Ok(())
    }
}

impl<'c, 'm> FuncValidator<'c, 'm> {
    fn err(&self, message: impl Into<String>) -> ValidationError {
        ValidationError::new(self.offset, message)
    }

    fn mismatch(&self) -> ValidationError {
        self.err("type mismatch")
    }

    // ---- Types of frames ------------------------------------------------------------

    /// The parameter types of a block type (`start_types`).
    fn start_types(&self, ty: BlockType) -> &'m [ValType] {
        match ty {
            BlockType::Empty | BlockType::Value(_) => &[],
            BlockType::Func(x) => self.c.types.get(x as usize).and_then(|t| t.as_func()).map_or(&[], |t| &t.params),
        }
    }

    /// The result types of a block type (`end_types`).
    fn end_types(&self, ty: BlockType) -> Types<'m> {
        match ty {
            BlockType::Empty => Types::Slice(&[]),
            BlockType::Value(t) => Types::One(t),
            BlockType::Func(x) => {
                Types::Slice(self.c.types.get(x as usize).and_then(|t| t.as_func()).map_or(&[], |t| &t.results))
            }
        }
    }

    /// `label_types(frame)`: a loop's label takes its parameters, others their results.
    fn label_types(&self, frame: &Frame) -> Types<'m> {
        if frame.kind == FrameKind::Loop { Types::Slice(self.start_types(frame.ty)) } else { self.end_types(frame.ty) }
    }

    /// The label types of relative label `l`, or "unknown label".
    fn label(&self, l: u32) -> Result<Types<'m>, ValidationError> {
        let n = self.ctrls.len();
        match (l as usize).checked_add(1).and_then(|d| n.checked_sub(d)) {
            Some(i) => Ok(self.label_types(&self.ctrls[i])),
            None => Err(self.err(format!("unknown label {l}"))),
        }
    }

    /// Checks a block type: `C ⊢ blocktype : [t1*] -> [t2*]` (spec §3.2.2 / §3.3.8).
    fn check_block_type(&self, ty: BlockType) -> Result<(), ValidationError> {
        match ty {
            BlockType::Empty => Ok(()),
            BlockType::Value(t) => self.c.check_val_type(t, self.offset),
            BlockType::Func(x) => {
                let ft = self.c.type_at(x, self.offset)?;
                if !self.c.features.multi_value && (!ft.params.is_empty() || ft.results.len() > 1) {
                    return Err(self.err("invalid result arity"));
                }
                Ok(())
            }
        }
    }

    // ---- Operand stack --------------------------------------------------------------

    fn top_frame(&self) -> Result<&Frame, ValidationError> {
        self.ctrls.last().ok_or_else(|| self.err("operators remaining after end of function"))
    }

    fn push_val(&mut self, t: Operand) {
        self.ops.push(t);
    }

    fn push_vals(&mut self, ts: &[ValType]) {
        self.ops.extend(ts.iter().map(|t| Some(*t)));
    }

    /// `pop_val()`: pops any operand; `Unknown` at the bottom of an unreachable frame.
    #[inline]
    fn pop_any(&mut self) -> Result<Operand, ValidationError> {
        if self.ops.len() > self.floor
            && let Some(t) = self.ops.pop()
        {
            return Ok(t);
        }
        self.pop_any_at_floor()
    }

    /// [`Self::pop_any`] when no operand is above the innermost frame's height.
    #[cold]
    fn pop_any_at_floor(&mut self) -> Result<Operand, ValidationError> {
        let frame = *self.top_frame()?;
        if self.ops.len() <= frame.height {
            if frame.unreachable {
                return Ok(None);
            }
            return Err(self.mismatch());
        }
        Ok(self.ops.pop().flatten())
    }

    /// `pop_val(expect)`: pops an operand that must be of type `expect` (or `Unknown`),
    /// returning the actual operand.
    fn pop(&mut self, expect: ValType) -> Result<Operand, ValidationError> {
        let actual = self.pop_any()?;
        match actual {
            Some(t) if t != expect && !self.c.is_sub(t, expect) => Err(self.mismatch()),
            _ => Ok(actual),
        }
    }

    /// `pop_ref()`: pops a reference, of type `(ref bot)` if unknown.
    fn pop_ref(&mut self) -> Result<RefType, ValidationError> {
        match self.pop_any()? {
            None => Ok(RefType::non_null(HeapType::Bot)),
            Some(ValType::Ref(r)) => Ok(r),
            Some(_) => Err(self.mismatch()),
        }
    }

    /// `pop_vals(types)`.
    fn pop_vals(&mut self, ts: &[ValType]) -> Result<(), ValidationError> {
        for t in ts.iter().rev() {
            self.pop(*t)?;
        }
        Ok(())
    }

    /// `push_vals(pop_vals(ts))` without moving anything: checks that the top operands
    /// match `ts`, where operands missing below an unreachable frame count as `Unknown`
    /// (popping and re-pushing them would only add `Unknown`s that the caller discards).
    fn check_top(&self, ts: &[ValType]) -> Result<(), ValidationError> {
        let frame = self.top_frame()?;
        let available = self.ops.len().saturating_sub(frame.height);
        for (j, t) in ts.iter().rev().enumerate() {
            if j >= available {
                if frame.unreachable {
                    break;
                }
                return Err(self.mismatch());
            }
            if let Some(Some(actual)) = self.ops.get(self.ops.len() - 1 - j)
                && actual != t
                && !self.c.is_sub(*actual, *t)
            {
                return Err(self.mismatch());
            }
        }
        Ok(())
    }

    /// `[params] -> [results]`: pops the parameters and pushes the results.
    fn op(&mut self, params: &[ValType], results: &[ValType]) -> Result<(), ValidationError> {
        self.pop_vals(params)?;
        self.push_vals(results);
        Ok(())
    }

    // ---- Control stack --------------------------------------------------------------

    fn push_ctrl(&mut self, kind: FrameKind, ty: BlockType) {
        let inits = self.inits.len();
        self.ctrls.push(Frame { kind, ty, height: self.ops.len(), unreachable: false, inits });
        self.floor = self.ops.len();
        let start = self.start_types(ty);
        self.push_vals(start);
    }

    fn pop_ctrl(&mut self) -> Result<Frame, ValidationError> {
        let frame = *self.top_frame()?;
        let end = self.end_types(frame.ty);
        self.pop_vals(&end)?;
        if self.ops.len() != frame.height {
            return Err(self.mismatch());
        }
        // Locals initialised inside the block are not after it.
        for x in self.inits.drain(frame.inits..) {
            self.set[x as usize] = false;
        }
        self.ctrls.pop();
        self.floor = self.ctrls.last().map_or(0, |f| f.height);
        Ok(frame)
    }

    /// `unreachable()`: drops the frame's operands and makes the rest polymorphic.
    fn set_unreachable(&mut self) {
        if let Some(frame) = self.ctrls.last_mut() {
            self.ops.truncate(frame.height);
            frame.unreachable = true;
        }
    }

    // ---- Features -------------------------------------------------------------------

    fn require(&self, enabled: bool, proposal: &str) -> Result<(), ValidationError> {
        if enabled { Ok(()) } else { Err(self.err(format!("instruction requires the {proposal} proposal"))) }
    }

    fn check_feature(&self, instr: &Instr) -> Result<(), ValidationError> {
        let f = &self.c.features;
        match instr {
            Instr::Num(op) => match op.feature() {
                OpFeature::Mvp => Ok(()),
                OpFeature::SignExt => self.require(f.sign_ext, "sign-extension"),
                OpFeature::SatFloatToInt => self.require(f.sat_float_to_int, "non-trapping float-to-int"),
            },
            Instr::RefNull(_)
            | Instr::RefIsNull
            | Instr::RefFunc(_)
            | Instr::SelectTyped(_)
            | Instr::TableGet(_)
            | Instr::TableSet(_)
            | Instr::TableSize(_)
            | Instr::TableGrow(_)
            | Instr::TableFill(_) => self.require(f.reference_types, "reference-types"),
            Instr::TableCopy { .. }
            | Instr::TableInit { .. }
            | Instr::ElemDrop(_)
            | Instr::MemoryFill(_)
            | Instr::MemoryCopy { .. }
            | Instr::MemoryInit { .. }
            | Instr::DataDrop(_) => self.require(f.bulk_memory, "bulk-memory"),
            Instr::V128Const(_) | Instr::I8x16Shuffle(_) => self.require(f.simd, "SIMD"),
            Instr::Wide(_) => self.require(f.wide_arithmetic, "wide-arithmetic"),
            Instr::ReturnCall(_) | Instr::ReturnCallIndirect { .. } => self.require(f.tail_call, "tail calls"),
            Instr::CallRef(_) | Instr::RefAsNonNull | Instr::BrOnNull(_) | Instr::BrOnNonNull(_) => {
                self.require(f.function_references, "function-references")
            }
            Instr::ReturnCallRef(_) => {
                self.require(f.function_references && f.tail_call, "function-references and tail calls")
            }
            Instr::RefEq | Instr::Gc(_) => self.require(f.gc, "GC"),
            Instr::Throw(_) | Instr::ThrowRef | Instr::TryTable(..) => self.require(f.exceptions, "exception-handling"),
            Instr::Try(_) | Instr::Catch(_) | Instr::CatchAll | Instr::Delegate(_) | Instr::Rethrow(_) => {
                self.require(f.legacy_exceptions, "legacy exception-handling")
            }
            Instr::Simd(op) | Instr::SimdLane(op, _) | Instr::SimdMem(op, _) | Instr::SimdMemLane(op, _, _) => {
                match op.feature() {
                    SimdFeature::Simd => self.require(f.simd, "SIMD"),
                    SimdFeature::RelaxedSimd => self.require(f.simd && f.relaxed_simd, "relaxed SIMD"),
                }
            }
            _ => Ok(()),
        }
    }

    // ---- Helpers for instruction classes --------------------------------------------

    /// The common rule of the tail calls: the callee's results are the current
    /// function's, its parameters are popped, and the rest of the block is unreachable
    /// (as after `return`).
    fn tail_call(&mut self, params: &[ValType], results: &[ValType]) -> Result<(), ValidationError> {
        if results != self.results && !crate::syntax::subtype::vals_sub(&self.c.resolve(), results, self.results) {
            return Err(self.mismatch());
        }
        self.pop_vals(params)?;
        self.set_unreachable();
        Ok(())
    }

    fn local(&self, x: u32) -> Result<ValType, ValidationError> {
        self.locals.get(x as usize).copied().ok_or_else(|| self.err(format!("unknown local {x}")))
    }

    /// Local `x` is written: a non-defaultable one is initialised from here to the end
    /// of the block.
    fn init_local(&mut self, x: u32) {
        if let Some(s) = self.set.get_mut(x as usize)
            && !*s
        {
            *s = true;
            self.inits.push(x);
        }
    }

    /// All of `a` are subtypes of the corresponding `b`.
    fn all_sub(&self, a: &[ValType], b: &[ValType]) -> bool {
        a == b || crate::syntax::subtype::vals_sub(&self.c.resolve(), a, b)
    }

    /// `memarg` rules: the memory exists, `2^align <= width` and the offset fits the
    /// memory's address type (spec §3.3.7). Returns the type of the address operand.
    fn memarg(&self, m: &MemArg, width: u32) -> Result<ValType, ValidationError> {
        let mt = self.c.memory(m.memory, self.offset)?;
        if m.align > width.trailing_zeros() {
            return Err(self.err("alignment must not be larger than natural"));
        }
        if !mt.addr.is_64() && m.offset > u64::from(u32::MAX) {
            return Err(self.err("offset out of range"));
        }
        Ok(mt.addr.val_type())
    }

    // ---- The instructions -----------------------------------------------------------

    fn instr(&mut self, instr: &Instr) -> Result<(), ValidationError> {
        use ValType::I64;
        self.check_feature(instr)?;
        let c = self.c;
        let at = self.offset;
        match instr {
            // Control instructions (spec §3.3.8).
            Instr::Unreachable => self.set_unreachable(),
            Instr::Nop => {}
            Instr::Block(bt) | Instr::Loop(bt) => {
                self.check_block_type(*bt)?;
                // block/loop bt : [t1*] -> [t2*]
                let params = self.start_types(*bt);
                self.pop_vals(params)?;
                let kind = if matches!(instr, Instr::Loop(_)) { FrameKind::Loop } else { FrameKind::Block };
                self.push_ctrl(kind, *bt);
            }
            Instr::If(bt) => {
                self.check_block_type(*bt)?;
                // if bt : [t1* i32] -> [t2*]
                self.pop(I32)?;
                let params = self.start_types(*bt);
                self.pop_vals(params)?;
                self.push_ctrl(FrameKind::If, *bt);
            }
            Instr::Else => {
                let frame = self.pop_ctrl()?;
                if frame.kind != FrameKind::If {
                    return Err(self.err("else without matching if"));
                }
                self.push_ctrl(FrameKind::Else, frame.ty);
            }
            Instr::End => {
                let frame = self.pop_ctrl()?;
                // An `if` without `else` has an empty else branch: [t1*] -> [t2*] needs t1* = t2*.
                if frame.kind == FrameKind::If && !self.all_sub(self.start_types(frame.ty), &self.end_types(frame.ty)) {
                    return Err(self.mismatch());
                }
                let results = self.end_types(frame.ty);
                self.push_vals(&results);
            }
            Instr::Throw(x) => {
                // throw x : [t1* t*] -> [t2*], C.tags[x] = [t*] -> []
                let ft = c.tag_type(*x, at)?;
                self.pop_vals(&ft.params)?;
                self.set_unreachable();
            }
            Instr::ThrowRef => {
                // throw_ref : [t1* exnref] -> [t2*]
                self.pop(ValType::EXNREF)?;
                self.set_unreachable();
            }
            Instr::TryTable(bt, catches) => {
                self.check_block_type(*bt)?;
                // try_table bt catch* : [t1*] -> [t2*]; each catch's label (outside the
                // try_table) takes what the clause passes.
                for catch in catches.iter() {
                    let label = self.label(catch.label)?;
                    let payload: &[ValType] =
                        if catch.kind.has_tag() { &c.tag_type(catch.tag, at)?.params } else { &[] };
                    let passes_ref = catch.kind.passes_ref();
                    let arity = payload.len() + usize::from(passes_ref);
                    let exn = ValType::Ref(RefType::non_null(HeapType::Exn));
                    if label.len() != arity
                        || !self.all_sub(payload, &label[..payload.len()])
                        || (passes_ref && !c.is_sub(exn, label[payload.len()]))
                    {
                        return Err(self.mismatch());
                    }
                }
                let params = self.start_types(*bt);
                self.pop_vals(params)?;
                self.push_ctrl(FrameKind::TryTable, *bt);
            }
            Instr::Try(bt) => {
                self.check_block_type(*bt)?;
                let params = self.start_types(*bt);
                self.pop_vals(params)?;
                self.push_ctrl(FrameKind::Try, *bt);
            }
            Instr::Catch(_) | Instr::CatchAll => {
                // Ends the try body (or the previous arm) like `end`; the arm starts with the
                // tag's payload (nothing for catch_all) and has the try's results.
                let frame = self.pop_ctrl()?;
                if !matches!(frame.kind, FrameKind::Try | FrameKind::Catch) {
                    return Err(self.err(if frame.kind == FrameKind::CatchAll {
                        "catch after catch_all"
                    } else {
                        "catch without matching try"
                    }));
                }
                let (kind, payload): (FrameKind, &[ValType]) = match instr {
                    Instr::Catch(x) => (FrameKind::Catch, &c.tag_type(*x, at)?.params),
                    _ => (FrameKind::CatchAll, &[]),
                };
                let inits = self.inits.len();
                self.ctrls.push(Frame { kind, ty: frame.ty, height: self.ops.len(), unreachable: false, inits });
                self.floor = self.ops.len();
                self.push_vals(payload);
            }
            Instr::Delegate(l) => {
                // delegate l : ends a try body; l is a label outside it.
                let frame = self.pop_ctrl()?;
                if frame.kind != FrameKind::Try {
                    return Err(self.err("delegate without matching try"));
                }
                self.label(*l)?;
                let results = self.end_types(frame.ty);
                self.push_vals(&results);
            }
            Instr::Rethrow(l) => {
                // rethrow l : [t1*] -> [t2*], label l is a catch arm
                let n = self.ctrls.len();
                let frame = (*l as usize).checked_add(1).and_then(|d| n.checked_sub(d)).map(|i| self.ctrls[i]);
                match frame {
                    None => return Err(self.err(format!("unknown label {l}"))),
                    Some(f) if !matches!(f.kind, FrameKind::Catch | FrameKind::CatchAll) => {
                        return Err(self.err("invalid rethrow label"));
                    }
                    Some(_) => {}
                }
                self.set_unreachable();
            }
            Instr::Br(l) => {
                // br l : [t1* t*] -> [t2*]
                let ts = self.label(*l)?;
                self.pop_vals(&ts)?;
                self.set_unreachable();
            }
            Instr::BrIf(l) => {
                // br_if l : [t* i32] -> [t*]
                self.pop(I32)?;
                let ts = self.label(*l)?;
                self.op(&ts, &ts)?;
            }
            Instr::BrOnNull(l) => {
                // br_on_null l : [t* (ref null ht)] -> [t* (ref ht)]
                let r = self.pop_ref()?;
                let ts = self.label(*l)?;
                self.op(&ts, &ts)?;
                self.push_val(Some(ValType::Ref(RefType::non_null(r.heap))));
            }
            Instr::BrOnNonNull(l) => {
                // br_on_non_null l : [t* (ref null ht)] -> [t*], label l : [t* (ref ht)]
                let ts = self.label(*l)?;
                let Some((last, rest)) = ts.split_last() else {
                    return Err(self.mismatch());
                };
                if !last.is_ref() {
                    return Err(self.mismatch());
                }
                let r = self.pop_ref()?;
                if !c.is_sub(ValType::Ref(RefType::non_null(r.heap)), *last) {
                    return Err(self.mismatch());
                }
                self.op(rest, rest)?;
            }
            Instr::BrTable { targets, default } => {
                // br_table l* lN : [t1* t* i32] -> [t2*]
                self.pop(I32)?;
                let default_types = self.label(*default)?;
                let arity = default_types.len();
                for l in targets.iter() {
                    let ts = self.label(*l)?;
                    if ts.len() != arity {
                        return Err(self.mismatch());
                    }
                    // push_vals(pop_vals(label_types)), done in place.
                    self.check_top(&ts)?;
                }
                self.pop_vals(&default_types)?;
                self.set_unreachable();
            }
            Instr::Return => {
                // return : [t1* t*] -> [t2*]
                let results = self.results;
                self.pop_vals(results)?;
                self.set_unreachable();
            }
            Instr::Call(x) => {
                let ft = c.func_type(*x, at)?;
                self.op(&ft.params, &ft.results)?;
            }
            Instr::CallRef(x) => {
                // call_ref x : [t1* (ref null $x)] -> [t2*]
                let ft = c.type_at(*x, at)?;
                self.pop(ValType::Ref(RefType::null(HeapType::Concrete(*x))))?;
                self.op(&ft.params, &ft.results)?;
            }
            Instr::ReturnCallRef(x) => {
                let ft = c.type_at(*x, at)?;
                self.pop(ValType::Ref(RefType::null(HeapType::Concrete(*x))))?;
                self.tail_call(&ft.params, &ft.results)?;
            }
            Instr::CallIndirect { type_index, table } => {
                // call_indirect x y : [t1* i32] -> [t2*], table x has funcref elements
                let tt = c.table(*table, at)?;
                if !c.is_ref_sub(tt.elem, RefType::FUNCREF) {
                    return Err(self.mismatch());
                }
                let ft = c.type_at(*type_index, at)?;
                self.pop(tt.addr.val_type())?;
                self.op(&ft.params, &ft.results)?;
            }
            Instr::ReturnCall(x) => {
                // return_call x : [t3* t1*] -> [t4*], C.funcs[x] = [t1*] -> [t2*], t2* = C.return
                let ft = c.func_type(*x, at)?;
                self.tail_call(&ft.params, &ft.results)?;
            }
            Instr::ReturnCallIndirect { type_index, table } => {
                // return_call_indirect x y : [t3* t1* at] -> [t4*], as call_indirect (the
                // index of table x's address type), with the callee's results those of the
                // current function
                let tt = c.table(*table, at)?;
                if !c.is_ref_sub(tt.elem, RefType::FUNCREF) {
                    return Err(self.mismatch());
                }
                let ft = c.type_at(*type_index, at)?;
                self.pop(tt.addr.val_type())?;
                self.tail_call(&ft.params, &ft.results)?;
            }

            // Reference instructions (spec §3.3.2).
            Instr::RefNull(h) => {
                let r = RefType::null(*h);
                c.check_ref_type(r, at)?;
                self.push_val(Some(ValType::Ref(r)));
            }
            Instr::RefIsNull => {
                // ref.is_null : [(ref null ht)] -> [i32]
                self.pop_ref()?;
                self.push_val(Some(I32));
            }
            Instr::RefAsNonNull => {
                // ref.as_non_null : [(ref null ht)] -> [(ref ht)]
                let r = self.pop_ref()?;
                self.push_val(Some(ValType::Ref(RefType::non_null(r.heap))));
            }
            Instr::RefEq => {
                // ref.eq : [eqref eqref] -> [i32]
                let eq = ValType::Ref(RefType::null(HeapType::Eq));
                self.op(&[eq, eq], &[I32])?;
            }
            Instr::RefFunc(x) => {
                // ref.func x : [] -> [funcref], x ∈ C.refs
                c.func_type(*x, at)?;
                if !c.refs.get(*x as usize).copied().unwrap_or(false) {
                    return Err(self.err("undeclared function reference"));
                }
                self.push_val(Some(c.ref_func_type(*x)));
            }

            Instr::Gc(g) => self.gc(g)?,

            // Parametric instructions (spec §3.3.4).
            Instr::Drop => {
                self.pop_any()?;
            }
            Instr::Select => {
                // select : [t t i32] -> [t], t numeric
                self.pop(I32)?;
                let t1 = self.pop_any()?;
                let t2 = self.pop_any()?;
                let is_num = |t: Operand| t.is_none_or(|t| t.is_num() || t == ValType::V128);
                if !(is_num(t1) && is_num(t2)) {
                    return Err(self.mismatch());
                }
                if let (Some(a), Some(b)) = (t1, t2)
                    && a != b
                {
                    return Err(self.mismatch());
                }
                self.push_val(t1.or(t2));
            }
            Instr::SelectTyped(ts) => {
                // select t : [t t i32] -> [t]
                let [t] = ts[..] else {
                    return Err(self.err("invalid result arity"));
                };
                c.check_val_type(t, at)?;
                self.op(&[t, t, I32], &[t])?;
            }

            // Variable instructions (spec §3.3.5).
            Instr::LocalGet(x) => {
                let t = self.local(*x)?;
                if !self.set[*x as usize] {
                    return Err(self.err("uninitialized local"));
                }
                self.push_val(Some(t));
            }
            Instr::LocalSet(x) => {
                let t = self.local(*x)?;
                self.pop(t)?;
                self.init_local(*x);
            }
            Instr::LocalTee(x) => {
                let t = self.local(*x)?;
                self.op(&[t], &[t])?;
                self.init_local(*x);
            }
            Instr::GlobalGet(x) => {
                let g = c.global(*x, at)?;
                self.push_val(Some(g.content));
            }
            Instr::GlobalSet(x) => {
                let g = c.global(*x, at)?;
                if g.mutability != Mutability::Var {
                    return Err(self.err("global is immutable"));
                }
                self.pop(g.content)?;
            }

            // Table instructions (spec §3.3.6).
            Instr::TableGet(x) => {
                let tt = c.table(*x, at)?;
                self.op(&[tt.addr.val_type()], &[ValType::from(tt.elem)])?;
            }
            Instr::TableSet(x) => {
                let tt = c.table(*x, at)?;
                self.op(&[tt.addr.val_type(), ValType::from(tt.elem)], &[])?;
            }
            Instr::TableSize(x) => {
                let tt = c.table(*x, at)?;
                self.push_val(Some(tt.addr.val_type()));
            }
            Instr::TableGrow(x) => {
                let tt = c.table(*x, at)?;
                let a = tt.addr.val_type();
                self.op(&[ValType::from(tt.elem), a], &[a])?;
            }
            Instr::TableFill(x) => {
                let tt = c.table(*x, at)?;
                let a = tt.addr.val_type();
                self.op(&[a, ValType::from(tt.elem), a], &[])?;
            }
            Instr::TableCopy { dst, src } => {
                let d = c.table(*dst, at)?;
                let s = c.table(*src, at)?;
                if !c.is_ref_sub(s.elem, d.elem) {
                    return Err(self.mismatch());
                }
                // table.copy : [at_d at_s at_min] -> []
                let n = d.addr.min(s.addr).val_type();
                self.op(&[d.addr.val_type(), s.addr.val_type(), n], &[])?;
            }
            Instr::TableInit { elem, table } => {
                let t = c.table(*table, at)?;
                let e = c.elem(*elem, at)?;
                if !c.is_ref_sub(e, t.elem) {
                    return Err(self.mismatch());
                }
                self.op(&[t.addr.val_type(), I32, I32], &[])?;
            }
            Instr::ElemDrop(x) => {
                c.elem(*x, at)?;
            }

            // Memory instructions (spec §3.3.7).
            Instr::Load(op, m) => {
                let a = self.memarg(m, op.width())?;
                self.op(&[a], &[op.result()])?;
            }
            Instr::Store(op, m) => {
                let a = self.memarg(m, op.width())?;
                self.op(&[a, op.operand()], &[])?;
            }
            Instr::MemorySize(x) => {
                let a = c.memory(*x, at)?.addr.val_type();
                self.push_val(Some(a));
            }
            Instr::MemoryGrow(x) => {
                let a = c.memory(*x, at)?.addr.val_type();
                self.op(&[a], &[a])?;
            }
            Instr::MemoryFill(x) => {
                let a = c.memory(*x, at)?.addr.val_type();
                self.op(&[a, I32, a], &[])?;
            }
            Instr::MemoryCopy { dst, src } => {
                let d = c.memory(*dst, at)?.addr;
                let s = c.memory(*src, at)?.addr;
                // memory.copy : [at_d at_s at_min] -> []
                self.op(&[d.val_type(), s.val_type(), d.min(s).val_type()], &[])?;
            }
            Instr::MemoryInit { data, memory } => {
                let a = c.memory(*memory, at)?.addr.val_type();
                c.data(*data, at)?;
                self.op(&[a, I32, I32], &[])?;
            }
            Instr::DataDrop(x) => {
                c.data(*x, at)?;
            }

            // Numeric instructions (spec §3.3.1).
            Instr::I32Const(_) => self.push_val(Some(I32)),
            Instr::I64Const(_) => self.push_val(Some(I64)),
            Instr::F32Const(_) => self.push_val(Some(ValType::F32)),
            Instr::F64Const(_) => self.push_val(Some(ValType::F64)),
            Instr::Num(op) => self.num(*op)?,
            Instr::Wide(op) => self.op(op.params(), op.results())?,

            // Vector instructions (spec §3.3.2, §3.3.7 for the loads and stores).
            Instr::V128Const(_) => self.push_val(Some(ValType::V128)),
            Instr::I8x16Shuffle(lanes) => {
                if lanes.iter().any(|&l| l >= 32) {
                    return Err(self.err("invalid lane index"));
                }
                self.op(&[ValType::V128, ValType::V128], &[ValType::V128])?;
            }
            Instr::Simd(op) => self.op(op.params(), op.results())?,
            Instr::SimdLane(op, lane) => {
                self.lane(*op, *lane)?;
                self.op(op.params(), op.results())?;
            }
            Instr::SimdMem(op, m) | Instr::SimdMemLane(op, m, _) => {
                let width = match op.imm() {
                    SimdImm::Mem(w) | SimdImm::MemLane(w) => u32::from(w),
                    _ => 16,
                };
                let a = self.memarg(m, width)?;
                if let Instr::SimdMemLane(_, _, lane) = instr {
                    self.lane(*op, *lane)?;
                }
                // The table's signatures have an i32 address; a 64-bit memory takes an i64.
                let mut params = [ValType::I32; 2];
                let params = &mut params[..op.params().len()];
                params.copy_from_slice(&op.params()[..params.len()]);
                if let Some(p) = params.first_mut() {
                    *p = a;
                }
                self.op(params, op.results())?;
            }
        }
        Ok(())
    }

    /// The GC instructions (spec 3.0 §3.3.3 - §3.3.5).
    fn gc(&mut self, g: &crate::syntax::GcInstr) -> Result<(), ValidationError> {
        use crate::syntax::{Extend, GcInstr as G, StorageType};
        let c = self.c;
        let at = self.offset;
        let concrete = |x: u32, nullable: bool| ValType::Ref(RefType { nullable, heap: HeapType::Concrete(x) });
        let unpacked = |s: StorageType| s.unpacked();
        let check_extend = |v: &Self, s: StorageType, e: Extend| -> Result<(), ValidationError> {
            match (s.is_packed(), e) {
                (true, Extend::None) => Err(v.err("type mismatch")),
                (false, Extend::Signed | Extend::Unsigned) => Err(v.err("type mismatch")),
                _ => Ok(()),
            }
        };
        let mutable = |v: &Self, f: crate::syntax::FieldType| {
            if f.mutability == Mutability::Var { Ok(()) } else { Err(v.err("field is immutable")) }
        };
        let numeric = |v: &Self, f: crate::syntax::FieldType| match f.storage {
            StorageType::Val(t) if t.is_ref() => Err(v.err("array type is not numeric or vector")),
            _ => Ok(()),
        };
        let elem_fits = |v: &Self, e: u32, f: crate::syntax::FieldType| -> Result<(), ValidationError> {
            let et = c.elem(e, at)?;
            match f.storage {
                StorageType::Val(t) if c.is_sub(ValType::Ref(et), t) => Ok(()),
                _ => Err(v.err("type mismatch")),
            }
        };
        match *g {
            G::StructNew(x) => {
                let fields = c.struct_type(x, at)?;
                for f in fields.iter().rev() {
                    self.pop(unpacked(f.storage))?;
                }
                self.push_val(Some(concrete(x, false)));
            }
            G::StructNewDefault(x) => {
                let fields = c.struct_type(x, at)?;
                if fields.iter().any(|f| !unpacked(f.storage).is_defaultable()) {
                    return Err(self.err("field type is not defaultable"));
                }
                self.push_val(Some(concrete(x, false)));
            }
            G::StructGet { ty, field, extend } => {
                let fields = c.struct_type(ty, at)?;
                let f = *fields.get(field as usize).ok_or_else(|| self.err(format!("unknown field {field}")))?;
                check_extend(self, f.storage, extend)?;
                self.pop(concrete(ty, true))?;
                self.push_val(Some(unpacked(f.storage)));
            }
            G::StructSet { ty, field } => {
                let fields = c.struct_type(ty, at)?;
                let f = *fields.get(field as usize).ok_or_else(|| self.err(format!("unknown field {field}")))?;
                mutable(self, f)?;
                self.pop(unpacked(f.storage))?;
                self.pop(concrete(ty, true))?;
            }
            G::ArrayNew(x) => {
                let f = c.array_type(x, at)?;
                self.op(&[unpacked(f.storage), I32], &[concrete(x, false)])?;
            }
            G::ArrayNewDefault(x) => {
                let f = c.array_type(x, at)?;
                if !unpacked(f.storage).is_defaultable() {
                    return Err(self.err("array type is not defaultable"));
                }
                self.op(&[I32], &[concrete(x, false)])?;
            }
            G::ArrayNewFixed { ty, len } => {
                let f = c.array_type(ty, at)?;
                for _ in 0..len {
                    self.pop(unpacked(f.storage))?;
                }
                self.push_val(Some(concrete(ty, false)));
            }
            G::ArrayNewData { ty, data } => {
                let f = c.array_type(ty, at)?;
                numeric(self, f)?;
                c.data(data, at)?;
                self.op(&[I32, I32], &[concrete(ty, false)])?;
            }
            G::ArrayNewElem { ty, elem } => {
                let f = c.array_type(ty, at)?;
                elem_fits(self, elem, f)?;
                self.op(&[I32, I32], &[concrete(ty, false)])?;
            }
            G::ArrayGet { ty, extend } => {
                let f = c.array_type(ty, at)?;
                check_extend(self, f.storage, extend)?;
                self.op(&[concrete(ty, true), I32], &[unpacked(f.storage)])?;
            }
            G::ArraySet(x) => {
                let f = c.array_type(x, at)?;
                mutable(self, f)?;
                self.op(&[concrete(x, true), I32, unpacked(f.storage)], &[])?;
            }
            G::ArrayLen => {
                self.op(&[ValType::Ref(RefType::null(HeapType::Array))], &[I32])?;
            }
            G::ArrayFill(x) => {
                let f = c.array_type(x, at)?;
                mutable(self, f)?;
                self.op(&[concrete(x, true), I32, unpacked(f.storage), I32], &[])?;
            }
            G::ArrayCopy { dst, src } => {
                let d = c.array_type(dst, at)?;
                let s = c.array_type(src, at)?;
                mutable(self, d)?;
                let fits = match (s.storage, d.storage) {
                    (StorageType::Val(a), StorageType::Val(b)) => c.is_sub(a, b),
                    (a, b) => a == b,
                };
                if !fits {
                    return Err(self.err("array types do not match"));
                }
                self.op(&[concrete(dst, true), I32, concrete(src, true), I32, I32], &[])?;
            }
            G::ArrayInitData { ty, data } => {
                let f = c.array_type(ty, at)?;
                mutable(self, f)?;
                numeric(self, f)?;
                c.data(data, at)?;
                self.op(&[concrete(ty, true), I32, I32, I32], &[])?;
            }
            G::ArrayInitElem { ty, elem } => {
                let f = c.array_type(ty, at)?;
                mutable(self, f)?;
                elem_fits(self, elem, f)?;
                self.op(&[concrete(ty, true), I32, I32, I32], &[])?;
            }
            G::RefTest(rt) | G::RefCast(rt) => {
                c.check_ref_type(rt, at)?;
                let actual = self.pop_ref()?;
                if actual.heap != HeapType::Bot && c.top(actual.heap) != c.top(rt.heap) {
                    return Err(self.mismatch());
                }
                let result = if matches!(g, G::RefTest(_)) { I32 } else { ValType::Ref(rt) };
                self.push_val(Some(result));
            }
            G::BrOnCast { label, from, to } | G::BrOnCastFail { label, from, to } => {
                c.check_ref_type(from, at)?;
                c.check_ref_type(to, at)?;
                if !c.is_ref_sub(to, from) {
                    return Err(self.mismatch());
                }
                // What is left of `from` once `to` is taken out.
                let diff = RefType { nullable: from.nullable && !to.nullable, heap: from.heap };
                let (branch, on) = if matches!(g, G::BrOnCast { .. }) { (to, diff) } else { (diff, to) };
                let ts = self.label(label)?;
                let Some((last, rest)) = ts.split_last() else {
                    return Err(self.mismatch());
                };
                if !c.is_sub(ValType::Ref(branch), *last) {
                    return Err(self.mismatch());
                }
                self.pop(ValType::Ref(from))?;
                self.op(rest, rest)?;
                self.push_val(Some(ValType::Ref(on)));
            }
            G::AnyConvertExtern | G::ExternConvertAny => {
                let (from, to) = if matches!(g, G::AnyConvertExtern) {
                    (HeapType::Extern, HeapType::Any)
                } else {
                    (HeapType::Any, HeapType::Extern)
                };
                let actual = self.pop(ValType::Ref(RefType::null(from)))?;
                let nullable = matches!(actual, Some(ValType::Ref(RefType { nullable: true, .. })));
                self.push_val(Some(ValType::Ref(RefType { nullable, heap: to })));
            }
            G::RefI31 => self.op(&[I32], &[ValType::Ref(RefType::non_null(HeapType::I31))])?,
            G::I31Get(_) => self.op(&[ValType::Ref(RefType::null(HeapType::I31))], &[I32])?,
        }
        Ok(())
    }

    /// A lane index must be below the operator's lane count (spec §3.3.2).
    fn lane(&self, op: SimdOp, lane: u8) -> Result<(), ValidationError> {
        let lanes = match op.imm() {
            SimdImm::Lane(n) => n,
            SimdImm::MemLane(w) => 16 / w.max(1),
            _ => 16,
        };
        if lane >= lanes {
            return Err(self.err("invalid lane index"));
        }
        Ok(())
    }

    /// `t.unop : [t] -> [t]`, `t.binop : [t t] -> [t]`, ... from the operator table.
    fn num(&mut self, op: NumOp) -> Result<(), ValidationError> {
        let params = op.params();
        let n = self.ops.len();
        // The common case: the operands are there, above the frame, of the right types.
        if n >= self.floor + params.len()
            && self.ops[n - params.len()..].iter().zip(params).all(|(a, p)| *a == Some(*p))
        {
            self.ops.truncate(n - params.len());
            self.ops.push(Some(op.result()));
            return Ok(());
        }
        self.pop_vals(params)?;
        self.push_val(Some(op.result()));
        Ok(())
    }
}
