//! Translation of validated function bodies into the interpreter's internal code.
//!
//! Translation is **lazy**: a function is translated on its first call and the result is
//! cached in its [`crate::Module`], shared by every instance of that module. It runs in
//! one linear pass over the body with a control stack, tracking the static operand-stack
//! height so that every branch knows where to move its kept values, and records for each
//! internal pc the byte offset of the wasm instruction it came from (traps, backtraces and
//! the debugger use that table; the dispatch loop never reads it).
//!
//! The input must have passed validation; a body that breaks an invariant validation
//! guarantees yields a [`TranslateError`] rather than a panic.

mod op;

pub use op::{BranchTarget, Op};

use crate::syntax::{BlockType, FuncBody, FuncType, Instr};

/// A translated function.
#[derive(Debug, Clone)]
pub struct CompiledFunc {
    pub ops: Box<[Op]>,
    /// Byte offset in the module of the wasm instruction each op came from.
    pub offsets: Box<[u32]>,
    /// Entries of every `br_table` (see [`Op::BranchTable`]).
    pub targets: Box<[BranchTarget]>,
    pub num_params: u32,
    /// Parameters plus declared locals.
    pub num_locals: u32,
    pub num_results: u32,
    /// Largest stack height (locals plus operands) the function reaches.
    pub max_height: u32,
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
    pub types: &'a [FuncType],
    /// Type index of every function in the function index space.
    pub func_types: &'a [u32],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrameKind {
    Func,
    Block,
    Loop,
    If,
    Else,
}

#[derive(Debug, Clone, Copy)]
enum Patch {
    Op(usize),
    Table(usize),
}

struct ControlFrame {
    kind: FrameKind,
    /// Stack height below the block's parameters.
    height: u32,
    params: u32,
    results: u32,
    /// Start pc of a loop (its branch target).
    loop_pc: u32,
    /// The `JumpIfZero` of an `if`, patched at `else` or `end`.
    if_jump: Option<usize>,
    /// Forward branches to this frame's end.
    patches: Vec<Patch>,
    unreachable: bool,
}

struct Translator<'a> {
    ctx: &'a ModuleContext<'a>,
    ops: Vec<Op>,
    offsets: Vec<u32>,
    targets: Vec<BranchTarget>,
    ctrl: Vec<ControlFrame>,
    height: u32,
    max_height: u32,
    offset: u32,
}

/// Translates one defined function.
pub fn translate(ctx: &ModuleContext<'_>, ty: &FuncType, body: &FuncBody) -> Result<CompiledFunc, TranslateError> {
    let num_params = ty.params.len() as u32;
    let num_locals = num_params + body.locals.len() as u32;
    let num_results = ty.results.len() as u32;
    let mut t = Translator {
        ctx,
        ops: Vec::with_capacity(body.instrs.len()),
        offsets: Vec::with_capacity(body.instrs.len()),
        targets: Vec::new(),
        ctrl: vec![ControlFrame {
            kind: FrameKind::Func,
            height: num_locals,
            params: 0,
            results: num_results,
            loop_pc: 0,
            if_jump: None,
            patches: Vec::new(),
            unreachable: false,
        }],
        height: num_locals,
        max_height: num_locals,
        offset: body.range.start,
    };
    let mut skip_depth = 0u32;
    for (instr, &offset) in body.instrs.iter().zip(body.offsets.iter()) {
        t.offset = offset;
        if t.ctrl.is_empty() {
            return Err(t.error("instructions after the function's end"));
        }
        if t.top()?.unreachable {
            match instr {
                Instr::Block(_) | Instr::Loop(_) | Instr::If(_) => {
                    skip_depth += 1;
                    continue;
                }
                Instr::End if skip_depth > 0 => {
                    skip_depth -= 1;
                    continue;
                }
                Instr::Else if skip_depth == 0 => {}
                Instr::End => {}
                _ => continue,
            }
        }
        t.instr(instr)?;
    }
    if !t.ctrl.is_empty() {
        return Err(t.error("missing final end"));
    }
    Ok(CompiledFunc {
        ops: t.ops.into_boxed_slice(),
        offsets: t.offsets.into_boxed_slice(),
        targets: t.targets.into_boxed_slice(),
        num_params,
        num_locals,
        num_results,
        max_height: t.max_height,
    })
}

impl Translator<'_> {
    fn error(&self, message: &'static str) -> TranslateError {
        TranslateError { offset: self.offset, message }
    }

    fn top(&self) -> Result<&ControlFrame, TranslateError> {
        self.ctrl.last().ok_or_else(|| self.error("control stack underflow"))
    }

    fn emit(&mut self, op: Op) -> usize {
        self.ops.push(op);
        self.offsets.push(self.offset);
        self.ops.len() - 1
    }

    fn pc(&self) -> u32 {
        self.ops.len() as u32
    }

    fn push(&mut self, n: u32) {
        self.height += n;
        self.max_height = self.max_height.max(self.height);
    }

    fn pop(&mut self, n: u32) -> Result<(), TranslateError> {
        self.height = self.height.checked_sub(n).ok_or_else(|| self.error("operand stack underflow"))?;
        Ok(())
    }

    fn block_arity(&self, bt: BlockType) -> Result<(u32, u32), TranslateError> {
        Ok(match bt {
            BlockType::Empty => (0, 0),
            BlockType::Value(_) => (0, 1),
            BlockType::Func(i) => {
                let ty = self.ctx.types.get(i as usize).ok_or_else(|| self.error("unknown type"))?;
                (ty.params.len() as u32, ty.results.len() as u32)
            }
        })
    }

    fn func_type(&self, func: u32) -> Result<&FuncType, TranslateError> {
        let ti = self.ctx.func_types.get(func as usize).ok_or_else(|| self.error("unknown function"))?;
        self.ctx.types.get(*ti as usize).ok_or_else(|| self.error("unknown type"))
    }

    fn set_unreachable(&mut self) -> Result<(), TranslateError> {
        let offset = self.offset;
        let f = self.ctrl.last_mut().ok_or(TranslateError { offset, message: "no frame" })?;
        f.unreachable = true;
        Ok(())
    }

    fn push_frame(&mut self, kind: FrameKind, bt: BlockType, if_jump: Option<usize>) -> Result<(), TranslateError> {
        let (params, results) = self.block_arity(bt)?;
        let height = self.height.checked_sub(params).ok_or_else(|| self.error("operand stack underflow"))?;
        self.ctrl.push(ControlFrame {
            kind,
            height,
            params,
            results,
            loop_pc: self.pc(),
            if_jump,
            patches: Vec::new(),
            unreachable: false,
        });
        Ok(())
    }

    /// Resolves label `depth`: the target (pc 0 if still unknown), and the frame index.
    fn label(&self, depth: u32) -> Result<(BranchTarget, usize), TranslateError> {
        let idx = self.ctrl.len().checked_sub(1 + depth as usize).ok_or_else(|| self.error("unknown label"))?;
        let f = &self.ctrl[idx];
        let (keep, pc) = if f.kind == FrameKind::Loop { (f.params, f.loop_pc) } else { (f.results, 0) };
        Ok((BranchTarget { pc, height: f.height, keep }, idx))
    }

    fn add_patch(&mut self, frame: usize, patch: Patch) {
        if self.ctrl[frame].kind != FrameKind::Loop {
            self.ctrl[frame].patches.push(patch);
        }
    }

    fn branch(&mut self, depth: u32, conditional: bool) -> Result<(), TranslateError> {
        let (target, frame) = self.label(depth)?;
        let simple = self.height.checked_sub(target.keep) == Some(target.height);
        let op = match (simple, conditional) {
            (true, false) => Op::Jump(target.pc),
            (true, true) => Op::JumpIf(target.pc),
            (false, false) => Op::Branch(target),
            (false, true) => Op::BranchIf(target),
        };
        let at = self.emit(op);
        self.add_patch(frame, Patch::Op(at));
        Ok(())
    }

    fn patch(&mut self, patch: Patch, pc: u32) {
        match patch {
            Patch::Op(i) => match &mut self.ops[i] {
                Op::Jump(p) | Op::JumpIf(p) | Op::JumpIfZero(p) => *p = pc,
                Op::Branch(t) | Op::BranchIf(t) => t.pc = pc,
                _ => {}
            },
            Patch::Table(i) => self.targets[i].pc = pc,
        }
    }

    fn instr(&mut self, instr: &Instr) -> Result<(), TranslateError> {
        match instr {
            Instr::Unreachable => {
                self.emit(Op::Unreachable);
                self.set_unreachable()?;
            }
            Instr::Nop => {}
            Instr::Block(bt) => self.push_frame(FrameKind::Block, *bt, None)?,
            Instr::Loop(bt) => self.push_frame(FrameKind::Loop, *bt, None)?,
            Instr::If(bt) => {
                self.pop(1)?;
                let at = self.emit(Op::JumpIfZero(0));
                self.push_frame(FrameKind::If, *bt, Some(at))?;
            }
            Instr::Else => {
                let (reachable, height, params) = {
                    let f = self.top()?;
                    (!f.unreachable, f.height, f.params)
                };
                if reachable {
                    let at = self.emit(Op::Jump(0));
                    let last = self.ctrl.len() - 1;
                    self.ctrl[last].patches.push(Patch::Op(at));
                }
                let pc = self.pc();
                let last = self.ctrl.len() - 1;
                if let Some(j) = self.ctrl[last].if_jump.take() {
                    self.patch(Patch::Op(j), pc);
                }
                self.ctrl[last].kind = FrameKind::Else;
                self.ctrl[last].unreachable = false;
                self.height = height;
                self.push(params);
            }
            Instr::End => {
                let frame = self.ctrl.pop().ok_or_else(|| self.error("unbalanced end"))?;
                let pc = self.pc();
                if let Some(j) = frame.if_jump {
                    self.patch(Patch::Op(j), pc);
                }
                for p in frame.patches {
                    self.patch(p, pc);
                }
                self.height = frame.height;
                self.push(frame.results);
                if frame.kind == FrameKind::Func {
                    self.emit(Op::Return);
                }
            }
            Instr::Br(d) => {
                self.branch(*d, false)?;
                self.set_unreachable()?;
            }
            Instr::BrIf(d) => {
                self.pop(1)?;
                self.branch(*d, true)?;
            }
            Instr::BrTable { targets, default } => {
                self.pop(1)?;
                let start = self.targets.len() as u32;
                for d in targets.iter().chain(std::iter::once(default)) {
                    let (target, frame) = self.label(*d)?;
                    self.targets.push(target);
                    let i = self.targets.len() - 1;
                    self.add_patch(frame, Patch::Table(i));
                }
                self.emit(Op::BranchTable { start, len: targets.len() as u32 + 1 });
                self.set_unreachable()?;
            }
            Instr::Return => {
                self.emit(Op::Return);
                self.set_unreachable()?;
            }
            Instr::Call(f) => {
                let ty = self.func_type(*f)?;
                let (p, r) = (ty.params.len() as u32, ty.results.len() as u32);
                self.emit(Op::Call(*f));
                self.pop(p)?;
                self.push(r);
            }
            Instr::CallIndirect { type_index, table } => {
                let ty = self.ctx.types.get(*type_index as usize).ok_or_else(|| self.error("unknown type"))?;
                let (p, r) = (ty.params.len() as u32, ty.results.len() as u32);
                self.emit(Op::CallIndirect { type_index: *type_index, table: *table });
                self.pop(p + 1)?;
                self.push(r);
            }
            Instr::RefNull(_) => self.simple(Op::RefNull, 0, 1)?,
            Instr::RefIsNull => self.simple(Op::RefIsNull, 1, 1)?,
            Instr::RefFunc(f) => self.simple(Op::RefFunc(*f), 0, 1)?,
            Instr::Drop => self.simple(Op::Drop, 1, 0)?,
            Instr::Select | Instr::SelectTyped(_) => self.simple(Op::Select, 3, 1)?,
            Instr::LocalGet(i) => self.simple(Op::LocalGet(*i), 0, 1)?,
            Instr::LocalSet(i) => self.simple(Op::LocalSet(*i), 1, 0)?,
            Instr::LocalTee(i) => self.simple(Op::LocalTee(*i), 1, 1)?,
            Instr::GlobalGet(i) => self.simple(Op::GlobalGet(*i), 0, 1)?,
            Instr::GlobalSet(i) => self.simple(Op::GlobalSet(*i), 1, 0)?,
            Instr::TableGet(t) => self.simple(Op::TableGet(*t), 1, 1)?,
            Instr::TableSet(t) => self.simple(Op::TableSet(*t), 2, 0)?,
            Instr::TableSize(t) => self.simple(Op::TableSize(*t), 0, 1)?,
            Instr::TableGrow(t) => self.simple(Op::TableGrow(*t), 2, 1)?,
            Instr::TableFill(t) => self.simple(Op::TableFill(*t), 3, 0)?,
            Instr::TableCopy { dst, src } => self.simple(Op::TableCopy { dst: *dst, src: *src }, 3, 0)?,
            Instr::TableInit { elem, table } => self.simple(Op::TableInit { elem: *elem, table: *table }, 3, 0)?,
            Instr::ElemDrop(e) => self.simple(Op::ElemDrop(*e), 0, 0)?,
            Instr::Load(op, m) => {
                let off = u32::try_from(m.offset).unwrap_or(u32::MAX);
                self.simple(Op::Load(*op, off), 1, 1)?
            }
            Instr::Store(op, m) => {
                let off = u32::try_from(m.offset).unwrap_or(u32::MAX);
                self.simple(Op::Store(*op, off), 2, 0)?
            }
            Instr::MemorySize(_) => self.simple(Op::MemorySize, 0, 1)?,
            Instr::MemoryGrow(_) => self.simple(Op::MemoryGrow, 1, 1)?,
            Instr::MemoryFill(_) => self.simple(Op::MemoryFill, 3, 0)?,
            Instr::MemoryCopy { .. } => self.simple(Op::MemoryCopy, 3, 0)?,
            Instr::MemoryInit { data, .. } => self.simple(Op::MemoryInit(*data), 3, 0)?,
            Instr::DataDrop(d) => self.simple(Op::DataDrop(*d), 0, 0)?,
            Instr::I32Const(v) => self.simple(Op::Const(*v as u32 as u64), 0, 1)?,
            Instr::I64Const(v) => self.simple(Op::Const(*v as u64), 0, 1)?,
            Instr::F32Const(v) => self.simple(Op::Const(*v as u64), 0, 1)?,
            Instr::F64Const(v) => self.simple(Op::Const(*v), 0, 1)?,
            Instr::Num(n) => self.simple(Op::numeric(*n), n.params().len() as u32, 1)?,
        }
        Ok(())
    }

    fn simple(&mut self, op: Op, pops: u32, pushes: u32) -> Result<(), TranslateError> {
        self.emit(op);
        self.pop(pops)?;
        self.push(pushes);
        Ok(())
    }
}
