//! Constant expressions (spec §3.3.10 "Constant Expressions" and §3.3.11 "Expressions",
//! WebAssembly 2.0): `t.const` (`v128.const` included), `ref.null`, `ref.func` and `global.get` of an imported
//! immutable global. With extended constants (WebAssembly 3.0, spec 3.0 §3.5.9) also
//! `i32/i64.add/sub/mul`, and `global.get` of any immutable global the expression can see:
//! a global's initializer sees the imported globals and the globals defined before it,
//! element and data offsets see every global.

use super::context::Context;
use crate::error::ValidationError;
use crate::syntax::{ConstExpr, Instr, Mutability, NumOp, ValType};

/// The extended-constant operators (spec 3.0 §3.5.9): their operand and result type.
fn extended_op(op: NumOp) -> Option<ValType> {
    match op {
        NumOp::I32Add | NumOp::I32Sub | NumOp::I32Mul => Some(ValType::I32),
        NumOp::I64Add | NumOp::I64Sub | NumOp::I64Mul => Some(ValType::I64),
        _ => None,
    }
}

/// Checks `C ⊢ expr : [expected]` and `C ⊢ expr const`. `fallback` is the offset reported
/// for errors that concern the whole expression (such as an empty one). `visible_globals`
/// is how many globals (imported first, then defined) `global.get` may name: the imported
/// ones only in 2.0; with extended constants, those defined before a global's initializer,
/// or all for segment offsets and items.
pub(crate) fn check_const_expr(
    c: &Context<'_>,
    expr: &ConstExpr,
    expected: ValType,
    fallback: u32,
    visible_globals: u32,
) -> Result<(), ValidationError> {
    let offset_of = |i: usize| expr.offsets.get(i).copied().unwrap_or(fallback) as usize;

    // First `expr const`: every instruction must be constant.
    for (i, instr) in expr.instrs.iter().enumerate() {
        let offset = offset_of(i);
        match instr {
            Instr::I32Const(_)
            | Instr::I64Const(_)
            | Instr::F32Const(_)
            | Instr::F64Const(_)
            | Instr::V128Const(_)
            | Instr::RefNull(_)
            | Instr::RefFunc(_) => {}
            Instr::Num(op) if c.features.extended_const && extended_op(*op).is_some() => {}
            Instr::GlobalGet(x) => {
                // Only the visible globals are in the context of a constant expression (C').
                if *x >= visible_globals {
                    return Err(ValidationError::new(offset, format!("unknown global {x}")));
                }
                if c.global(*x, offset)?.mutability != Mutability::Const {
                    return Err(ValidationError::new(offset, "constant expression required"));
                }
            }
            _ => return Err(ValidationError::new(offset, "constant expression required")),
        }
    }

    // Then the typing `[] -> [expected]`.
    let mut stack: Vec<ValType> = Vec::with_capacity(2);
    for (i, instr) in expr.instrs.iter().enumerate() {
        let offset = offset_of(i);
        let t = match instr {
            Instr::Num(op) if let Some(t) = extended_op(*op) => {
                let (b, a) = (stack.pop(), stack.pop());
                if a != Some(t) || b != Some(t) {
                    return Err(ValidationError::new(offset, "type mismatch"));
                }
                t
            }
            Instr::I32Const(_) => ValType::I32,
            Instr::I64Const(_) => ValType::I64,
            Instr::F32Const(_) => ValType::F32,
            Instr::F64Const(_) => ValType::F64,
            Instr::V128Const(_) if c.features.simd => ValType::V128,
            Instr::RefNull(h) => {
                c.check_ref_type(crate::syntax::RefType::null(*h), offset)?;
                ValType::Ref(crate::syntax::RefType::null(*h))
            }
            Instr::RefFunc(x) => {
                c.func_type(*x, offset)?;
                c.ref_func_type(*x)
            }
            Instr::GlobalGet(x) => c.global(*x, offset)?.content,
            _ => return Err(ValidationError::new(offset, "constant expression required")),
        };
        stack.push(t);
    }
    let end_offset = expr.offsets.last().copied().unwrap_or(fallback) as usize;
    match stack.as_slice() {
        [t] if c.is_sub(*t, expected) => {}
        _ => return Err(ValidationError::new(end_offset, "type mismatch")),
    }
    Ok(())
}
