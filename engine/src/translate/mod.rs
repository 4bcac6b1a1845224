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

mod fuse;
mod op;

pub use op::{BranchTarget, I32Cmp, Op};

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
    /// Emit fuel charges (see [`crate::fuel`]).
    pub consume_fuel: bool,
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
    /// Whether to fuse instruction sequences into superinstructions (see `fuse.rs`).
    fuse: bool,
    /// Ops before this index may not be fused with later ones: a label lies between.
    barrier: usize,
}

/// Translates one defined function.
///
/// With `fuse`, common instruction sequences become superinstructions; without it (for
/// the debugger) every wasm instruction that executes is exactly one op.
pub fn translate(
    ctx: &ModuleContext<'_>,
    ty: &FuncType,
    body: &FuncBody,
    fuse: bool,
) -> Result<CompiledFunc, TranslateError> {
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
        fuse,
        barrier: 0,
    };
    let mut skip_depth = 0u32;
    let fuel = if ctx.consume_fuel { crate::fuel::segment_costs(&body.instrs) } else { Vec::new() };
    for (i, (instr, &offset)) in body.instrs.iter().zip(body.offsets.iter()).enumerate() {
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
        if let Some(&cost) = fuel.get(i)
            && cost > 0
            && !t.top()?.unreachable
        {
            t.emit(Op::Fuel(cost));
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
        if self.fuse {
            self.peephole();
        }
        self.ops.len() - 1
    }

    /// Emits a conditional jump, fused with the comparison before it when possible.
    fn emit_jump(&mut self, plain: Op, invert: bool) -> usize {
        match self.fuse_condition(invert) {
            Some(op) => {
                self.ops.push(op);
                self.offsets.push(self.offset);
                self.ops.len() - 1
            }
            None => self.emit(plain),
        }
    }

    /// Marks the current position as a branch target: nothing fuses across it.
    fn label_here(&mut self) {
        self.barrier = self.ops.len();
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
        let at = match (simple, conditional) {
            (true, false) => self.emit(Op::Jump(target.pc)),
            (true, true) => {
                let at = self.emit_jump(Op::JumpIf(0), false);
                self.patch(Patch::Op(at), target.pc);
                at
            }
            (false, false) => self.emit(Op::Branch(target)),
            (false, true) => self.emit(Op::BranchIf(target)),
        };
        self.add_patch(frame, Patch::Op(at));
        Ok(())
    }

    fn patch(&mut self, patch: Patch, pc: u32) {
        match patch {
            Patch::Op(i) => match &mut self.ops[i] {
                Op::Jump(p) | Op::JumpIf(p) | Op::JumpIfZero(p) | Op::JumpIfI32(_, p) | Op::JumpIfI32Imm(_, _, p) => {
                    *p = pc
                }
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
            Instr::Loop(bt) => {
                self.label_here();
                self.push_frame(FrameKind::Loop, *bt, None)?
            }
            Instr::If(bt) => {
                self.pop(1)?;
                let at = self.emit_jump(Op::JumpIfZero(0), true);
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
                self.label_here();
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
                self.label_here();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Features;

    fn ops(wat: &str, fuse: bool) -> Vec<Op> {
        let module = crate::binary::decode(&wat::parse_str(wat).unwrap(), &Features::default()).unwrap();
        let func_types = module.func_type_indices();
        let ctx = ModuleContext { types: &module.types, func_types: &func_types, consume_fuel: false };
        let ty = &module.types[module.funcs[0] as usize];
        translate(&ctx, ty, &module.code[0], fuse).unwrap().ops.to_vec()
    }

    const LOOP: &str = r#"(module (func (param i32) (local i32)
        (block $done (loop $l
          (br_if $done (i32.ge_u (local.get 1) (local.get 0)))
          (local.set 1 (i32.add (local.get 1) (i32.const 1)))
          (br $l)))))"#;

    #[test]
    fn superinstructions_fuse_common_sequences() {
        assert_eq!(
            ops(LOOP, true),
            vec![
                Op::LocalGet2(1, 0),
                Op::JumpIfI32(I32Cmp::GeU, 4),
                Op::LocalI32AddImm { local: 1, imm: 1 },
                Op::Jump(0),
                Op::Return,
            ]
        );
    }

    #[test]
    fn debug_translation_keeps_one_op_per_instruction() {
        let ops = ops(LOOP, false);
        assert_eq!(ops.len(), 10, "{ops:?}");
        assert_eq!(ops[0], Op::LocalGet(1));
        assert_eq!(ops[2], Op::I32GeU);
    }

    #[test]
    fn nothing_fuses_across_a_label() {
        // The loop starts between `i32.const 1` and `local.set 0`: they must stay apart.
        let ops = ops(
            r#"(module (func (local i32) (i32.const 1) (loop (param i32) (local.set 0) (i32.const 2) (br 0)) (unreachable)))"#,
            true,
        );
        assert_eq!(ops[0], Op::Const(1));
        assert_eq!(ops[1], Op::LocalSet(0));
    }
}
