//! NaN canonicalisation where wasm-smith's `canonicalize_nans` stops: after the relaxed
//! float operators (`f32x4`/`f64x2` `relaxed_madd`, `relaxed_nmadd`, `relaxed_min`,
//! `relaxed_max`), which it leaves out, the same sequence it puts after `f32x4.add` & co. —
//! each NaN lane replaced by the canonical NaN of the lane's shape, every other lane kept:
//!
//! ```text
//! local.tee $s  v128.const <canonical NaN in every lane>  local.get $s  local.get $s
//! f32x4.eq (or f64x2.eq)  v128.bitselect
//! ```
//!
//! Why: when more than one operand lane is a NaN, which one propagates (and so the result's
//! sign and payload) is left open by the spec, and our tiers do not choose alike. Both use
//! `addps`-like instructions whose first operand's NaN wins, but LLVM freely commutes the
//! interpreter's float additions (`fadd` is commutative in its IR) while Cranelift keeps the
//! wasm order: `f32x4.relaxed_madd(x, NaN₁, NaN₂)` gives NaN₂ on the interpreter and NaN₁ on
//! the JIT. The same holds for `f32x4.add` and the other operators wasm-smith already
//! canonicalises. A `v128` is compared bit for bit ([`crate::compare`]), so without this
//! every such NaN would be a false divergence. Only the NaN's bits are hidden: a lane that
//! is NaN on one engine and a number on the other still differs.

use std::convert::Infallible;

use wasm_encoder::reencode::{Error, Reencode};
use wasm_encoder::{CodeSection, Function, Instruction, ValType};
use wasmparser::{Parser, Payload};

/// The lane shape an instruction's result must be canonicalised in, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    F32x4,
    F64x2,
}

fn shape(i: &Instruction<'_>) -> Option<Shape> {
    use Instruction::*;
    match i {
        F32x4RelaxedMadd | F32x4RelaxedNmadd | F32x4RelaxedMin | F32x4RelaxedMax => Some(Shape::F32x4),
        F64x2RelaxedMadd | F64x2RelaxedNmadd | F64x2RelaxedMin | F64x2RelaxedMax => Some(Shape::F64x2),
        _ => None,
    }
}

/// Re-encodes a module unchanged except for the function bodies with a relaxed float
/// operator: one more `v128` local (the scratch) and the canonicalisation after each.
struct Canonicalise {
    /// The parameter count of each defined function, in order.
    params: Vec<u32>,
    next: usize,
}

impl Reencode for Canonicalise {
    type Error = Infallible;

    fn parse_function_body(
        &mut self,
        code: &mut CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), Error<Infallible>> {
        let params = self.params.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        let mut locals = Vec::new();
        let mut declared = 0u32;
        for pair in func.get_locals_reader()? {
            let (count, ty) = pair?;
            declared += count;
            locals.push((count, self.val_type(ty)?));
        }
        let mut instrs = Vec::new();
        let mut reader = func.get_operators_reader()?;
        while !reader.eof() {
            instrs.push(self.parse_instruction(&mut reader)?);
        }
        let scratch = params + declared;
        if instrs.iter().any(|i| shape(i).is_some()) {
            locals.push((1, ValType::V128));
        }
        let mut f = Function::new(locals);
        for i in &instrs {
            f.instruction(i);
            if let Some(s) = shape(i) {
                let (nan, eq) = match s {
                    Shape::F32x4 => (0x7fc0_0000_7fc0_0000_7fc0_0000_7fc0_0000_u128, Instruction::F32x4Eq),
                    Shape::F64x2 => (0x7ff8_0000_0000_0000_7ff8_0000_0000_0000_u128, Instruction::F64x2Eq),
                };
                f.instruction(&Instruction::LocalTee(scratch));
                f.instruction(&Instruction::V128Const(nan as i128));
                f.instruction(&Instruction::LocalGet(scratch));
                f.instruction(&Instruction::LocalGet(scratch));
                f.instruction(&eq);
                f.instruction(&Instruction::V128Bitselect);
            }
        }
        code.function(&f);
        Ok(())
    }
}

/// `bytes` (a valid module without GC types) with the NaN results of its relaxed float
/// operators canonicalised; `None` if it cannot be re-encoded (it is then used as it is).
pub fn canonicalize_relaxed(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut types: Vec<u32> = Vec::new();
    let mut params = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.ok()? {
            Payload::TypeSection(r) => {
                for t in r.into_iter_err_on_gc_types() {
                    types.push(t.ok()?.params().len() as u32);
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    params.push(*types.get(t.ok()? as usize)?);
                }
            }
            _ => {}
        }
    }
    let mut module = wasm_encoder::Module::new();
    Canonicalise { params, next: 0 }.parse_core_module(&mut module, Parser::new(0), bytes).ok()?;
    Some(module.finish())
}
