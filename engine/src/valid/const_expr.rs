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
            Instr::Gc(g) if c.features.gc && g.is_constant() => {}
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
            Instr::Gc(g) => gc_const(c, g, &mut stack, offset)?,
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

/// The typing of a constant GC instruction (spec 3.0 §3.3.11): pops its operands from
/// `stack` and returns its result type.
fn gc_const(
    c: &Context<'_>,
    g: &crate::syntax::GcInstr,
    stack: &mut Vec<ValType>,
    offset: usize,
) -> Result<ValType, ValidationError> {
    use crate::syntax::{GcInstr as G, HeapType, RefType};
    let mismatch = || ValidationError::new(offset, "type mismatch");
    let mut pop = |want: ValType| match stack.pop() {
        Some(t) if c.is_sub(t, want) => Ok(t),
        _ => Err(mismatch()),
    };
    let concrete = |x: u32| ValType::Ref(RefType::non_null(HeapType::Concrete(x)));
    Ok(match *g {
        G::StructNew(x) => {
            for f in c.struct_type(x, offset)?.iter().rev() {
                pop(f.storage.unpacked())?;
            }
            concrete(x)
        }
        G::StructNewDefault(x) => {
            if c.struct_type(x, offset)?.iter().any(|f| !f.storage.unpacked().is_defaultable()) {
                return Err(ValidationError::new(offset, "field type is not defaultable"));
            }
            concrete(x)
        }
        G::ArrayNew(x) => {
            let e = c.array_type(x, offset)?;
            pop(ValType::I32)?;
            pop(e.storage.unpacked())?;
            concrete(x)
        }
        G::ArrayNewDefault(x) => {
            let e = c.array_type(x, offset)?;
            if !e.storage.unpacked().is_defaultable() {
                return Err(ValidationError::new(offset, "array type is not defaultable"));
            }
            pop(ValType::I32)?;
            concrete(x)
        }
        G::ArrayNewFixed { ty, len } => {
            let e = c.array_type(ty, offset)?;
            for _ in 0..len {
                pop(e.storage.unpacked())?;
            }
            concrete(ty)
        }
        G::RefI31 => {
            pop(ValType::I32)?;
            ValType::Ref(RefType::non_null(HeapType::I31))
        }
        G::AnyConvertExtern | G::ExternConvertAny => {
            let (from, to) = if matches!(g, G::AnyConvertExtern) {
                (HeapType::Extern, HeapType::Any)
            } else {
                (HeapType::Any, HeapType::Extern)
            };
            let t = pop(ValType::Ref(RefType::null(from)))?;
            let nullable = !matches!(t, ValType::Ref(RefType { nullable: false, .. }));
            ValType::Ref(RefType { nullable, heap: to })
        }
        _ => return Err(ValidationError::new(offset, "constant expression required")),
    })
}
