//! Subtyping of value, reference and heap types (spec 3.0 §3.3 "Matching", the rules
//! `⊢ t1 ≤ t2`), over types whose indices resolve to canonical [`TypeInfo`]s: the
//! validator resolves a module's indices through its canonical ids, the runtime's types
//! hold canonical ids already.

use super::canon::{self, CanonId, TypeInfo};
use super::types::{CompositeType, FieldType, FuncType, HeapType, Mutability, RefType, StorageType, ValType};

/// How type indices of the types being compared are resolved.
pub trait Resolve {
    fn info(&self, index: u32) -> Option<&'static TypeInfo>;
}

/// Types whose indices are canonical ids (the runtime's).
#[derive(Debug, Clone, Copy, Default)]
pub struct Canonical;

impl Resolve for Canonical {
    fn info(&self, index: u32) -> Option<&'static TypeInfo> {
        canon::info(index)
    }
}

/// Types of a module, whose index `x` has canonical id `ids[x]`.
#[derive(Debug, Clone, Copy)]
pub struct ModuleTypes<'a>(pub &'a [CanonId]);

impl Resolve for ModuleTypes<'_> {
    fn info(&self, index: u32) -> Option<&'static TypeInfo> {
        self.0.get(index as usize).and_then(|id| canon::info(*id))
    }
}

/// The abstract heap type of a composite type's kind (`func`, `struct` or `array`).
fn kind_of(r: &impl Resolve, x: u32) -> Option<HeapType> {
    r.info(x).map(|i| i.ty.composite.kind_heap())
}

/// Whether the heap types of index `x` and `y` are the same type.
pub fn same_index(r: &impl Resolve, x: u32, y: u32) -> bool {
    x == y || matches!((r.info(x), r.info(y)), (Some(a), Some(b)) if a.id == b.id)
}

/// `⊢ a ≤ b` for heap types.
pub fn heap_sub(r: &impl Resolve, a: HeapType, b: HeapType) -> bool {
    use HeapType::*;
    match (a, b) {
        (Bot, _) => true,
        (Concrete(x), Concrete(y)) => {
            same_index(r, x, y) || matches!((r.info(x), r.info(y)), (Some(a), Some(b)) if a.is_subtype_of(b))
        }
        (Concrete(x), _) => match kind_of(r, x) {
            Some(Func) => b == Func,
            Some(k @ (Struct | Array)) => matches!(b, Any | Eq) || b == k,
            _ => false,
        },
        (None, Concrete(y)) => matches!(kind_of(r, y), Some(Struct | Array)),
        (NoFunc, Concrete(y)) => kind_of(r, y) == Some(Func),
        (_, Concrete(_)) => false,
        _ if a == b => true,
        (Eq | I31 | Struct | Array | None, Any) => true,
        (I31 | Struct | Array | None, Eq) => true,
        (None, I31 | Struct | Array) => true,
        (NoFunc, Func) | (NoExtern, Extern) | (NoExn, Exn) => true,
        _ => false,
    }
}

/// `⊢ a ≤ b` for reference types.
pub fn ref_sub(r: &impl Resolve, a: RefType, b: RefType) -> bool {
    (!a.nullable || b.nullable) && heap_sub(r, a.heap, b.heap)
}

/// `⊢ a ≤ b` for value types.
pub fn val_sub(r: &impl Resolve, a: ValType, b: ValType) -> bool {
    match (a, b) {
        (ValType::Ref(a), ValType::Ref(b)) => ref_sub(r, a, b),
        _ => a == b,
    }
}

/// Whether two value types are the same type (indices compared by canonical id).
pub fn val_eq(r: &impl Resolve, a: ValType, b: ValType) -> bool {
    match (a, b) {
        (
            ValType::Ref(RefType { nullable: n1, heap: HeapType::Concrete(x) }),
            ValType::Ref(RefType { nullable: n2, heap: HeapType::Concrete(y) }),
        ) => n1 == n2 && same_index(r, x, y),
        _ => a == b,
    }
}

/// `⊢ a* ≤ b*` pointwise.
pub fn vals_sub(r: &impl Resolve, a: &[ValType], b: &[ValType]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(a, b)| val_sub(r, *a, *b))
}

/// `⊢ a ≤ b` for function types: contravariant parameters, covariant results.
pub fn func_sub(r: &impl Resolve, a: &FuncType, b: &FuncType) -> bool {
    vals_sub(r, &b.params, &a.params) && vals_sub(r, &a.results, &b.results)
}

/// `⊢ a ≤ b` for field types: mutable fields are invariant.
pub fn field_sub(r: &impl Resolve, a: &FieldType, b: &FieldType) -> bool {
    if a.mutability != b.mutability {
        return false;
    }
    match (a.storage, b.storage) {
        (StorageType::Val(x), StorageType::Val(y)) => match a.mutability {
            Mutability::Const => val_sub(r, x, y),
            Mutability::Var => val_sub(r, x, y) && val_sub(r, y, x),
        },
        (x, y) => x == y,
    }
}

/// `⊢ a ≤ b` for composite types (what a declared supertype requires of its subtype).
pub fn composite_sub(r: &impl Resolve, a: &CompositeType, b: &CompositeType) -> bool {
    match (a, b) {
        (CompositeType::Func(a), CompositeType::Func(b)) => func_sub(r, a, b),
        (CompositeType::Struct(a), CompositeType::Struct(b)) => {
            a.len() >= b.len() && a.iter().zip(b.iter()).all(|(a, b)| field_sub(r, a, b))
        }
        (CompositeType::Array(a), CompositeType::Array(b)) => field_sub(r, a, b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abstract_hierarchies() {
        let r = Canonical;
        use HeapType::*;
        assert!(heap_sub(&r, I31, Any) && heap_sub(&r, None, Eq) && heap_sub(&r, Struct, Eq));
        assert!(!heap_sub(&r, Any, Eq) && !heap_sub(&r, Func, Any) && !heap_sub(&r, Extern, Any));
        assert!(heap_sub(&r, NoFunc, Func) && !heap_sub(&r, None, Func) && heap_sub(&r, NoExn, Exn));
        let nn = RefType::non_null(Func);
        assert!(ref_sub(&r, nn, RefType::FUNCREF) && !ref_sub(&r, RefType::FUNCREF, nn));
    }

    #[test]
    fn concrete_types_sit_under_their_kind() {
        let f = canon::of_func(&FuncType::new(vec![ValType::I32], vec![]));
        let r = Canonical;
        use HeapType::*;
        assert!(heap_sub(&r, Concrete(f), Func) && !heap_sub(&r, Concrete(f), Any));
        assert!(heap_sub(&r, NoFunc, Concrete(f)) && !heap_sub(&r, None, Concrete(f)));
    }
}
