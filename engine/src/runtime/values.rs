//! Runtime values (spec §4.2.1 "Values") and their untyped 64-bit slot encoding.
//!
//! Inside the interpreter every value is a `u64` slot: integers zero-extended, floats as
//! their IEEE bits, function and exception references as `address + 1` with `0` for null,
//! `externref` and the `any` hierarchy as [`super::gc`] describes, except `v128`, which
//! is two consecutive slots (low 64 bits first; [`ValType::slots`]). Every raw value area
//! (frames, call arguments and results, host functions on slots, JIT entry) counts in
//! slots, so a `v128` parameter or result takes two.

use crate::syntax::{HeapType, RefType, ValType};

use super::Func;

/// A WebAssembly value as the embedding API sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Val {
    I32(i32),
    I64(i64),
    /// IEEE 754 bits, so NaN payloads survive.
    F32(u32),
    /// IEEE 754 bits, so NaN payloads survive.
    F64(u64),
    FuncRef(Option<Func>),
    /// An external reference: a host reference ([`ExternRef::host`]), or a reference of
    /// the `any` hierarchy that `extern.convert_any` made external.
    ExternRef(Option<ExternRef>),
    /// A reference of the `any` hierarchy (GC): an `i31`, a struct, an array, or a host
    /// reference that `any.convert_extern` made internal.
    AnyRef(Option<AnyRef>),
    /// A 128-bit vector; lane 0 is the least significant bits.
    V128(u128),
    /// A reference to an exception (exception handling).
    ExnRef(Option<super::Exn>),
}

impl Val {
    /// The value's type.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::FuncRef(_) => ValType::FUNCREF,
            Val::ExternRef(_) => ValType::EXTERNREF,
            Val::AnyRef(_) => ValType::ANYREF,
            Val::V128(_) => ValType::V128,
            Val::ExnRef(_) => ValType::EXNREF,
        }
    }

    /// Whether this value is of type `t` (whose indices are canonical ids): a number of
    /// that type, or a reference of its hierarchy, null only if `t` is nullable, and a
    /// function of a subtype of a concrete function type.
    pub fn matches(&self, store: &super::Store, t: ValType) -> bool {
        let ValType::Ref(r) = t else { return self.ty() == t };
        let top = r.heap.canonical_top();
        let (is_null, kind) = match self {
            Val::FuncRef(f) => (f.is_none(), HeapType::Func),
            Val::ExternRef(e) => (e.is_none(), HeapType::Extern),
            Val::AnyRef(a) => (a.is_none(), HeapType::Any),
            Val::ExnRef(e) => (e.is_none(), HeapType::Exn),
            _ => return false,
        };
        if kind != top {
            return false;
        }
        if is_null {
            return r.nullable;
        }
        match (self, r.heap) {
            (_, HeapType::NoFunc | HeapType::NoExtern | HeapType::NoExn | HeapType::None) => false,
            (Val::FuncRef(Some(f)), HeapType::Concrete(id)) => {
                store.funcs.get(f.0 as usize).is_some_and(|func| func.has_type(id))
            }
            (Val::AnyRef(Some(a)), _) => {
                store.gc.is_valid_ref(a.bits)
                    && super::gc::test(store, a.bits, RefType { nullable: false, heap: r.heap })
            }
            (Val::ExternRef(Some(e)), _) => store.gc.is_valid_ref(e.0.bits),
            _ => true,
        }
    }

    /// The default (zero or null) value of a type whose indices are canonical ids
    /// ([`crate::syntax::canon`]); `None` for a non-nullable reference, which has none.
    pub fn default_for(ty: ValType) -> Option<Val> {
        if !ty.is_defaultable() {
            return None;
        }
        Some(Val::from_slot(ty, 0))
    }

    /// The slot encoding of this value (of a `v128`, its first, low slot).
    pub(crate) fn to_slot(self) -> u64 {
        match self {
            Val::I32(v) => v as u32 as u64,
            Val::I64(v) => v as u64,
            Val::F32(v) => v as u64,
            Val::F64(v) => v,
            Val::FuncRef(f) => f.map_or(0, |f| f.0 as u64 + 1),
            Val::ExternRef(e) => e.map_or(0, |e| e.0.bits),
            Val::AnyRef(a) => a.map_or(0, |a| a.bits),
            Val::ExnRef(e) => e.map_or(0, |e| e.0 as u64 + 1),
            Val::V128(v) => v as u64,
        }
    }

    /// The second slot of a `v128` (its high 64 bits); 0 for every other value.
    pub(crate) fn high_slot(self) -> u64 {
        match self {
            Val::V128(v) => (v >> 64) as u64,
            _ => 0,
        }
    }

    /// Writes the value's slots (one, or two for a `v128`) to the front of `out`, which
    /// must be long enough ([`ValType::slots`]).
    pub(crate) fn write_slots(self, out: &mut [u64]) {
        out[0] = self.to_slot();
        if let Val::V128(v) = self {
            out[1] = (v >> 64) as u64;
        }
    }

    /// Decodes a value of a known type from the front of `slots` (two for a `v128`).
    pub(crate) fn read_slots(ty: ValType, slots: &[u64]) -> Val {
        match ty {
            ValType::V128 => Val::V128(u128::from(slots[0]) | u128::from(slots[1]) << 64),
            _ => Val::from_slot(ty, slots[0]),
        }
    }

    /// Decodes a slot of a known type, whose indices are canonical ids (of a `v128`,
    /// only its low half: use
    /// [`Val::read_slots`] or [`Val::from_slots`] for vectors).
    pub(crate) fn from_slot(ty: ValType, slot: u64) -> Val {
        match ty {
            ValType::I32 => Val::I32(slot as u32 as i32),
            ValType::I64 => Val::I64(slot as i64),
            ValType::F32 => Val::F32(slot as u32),
            ValType::F64 => Val::F64(slot),
            ValType::V128 => Val::V128(u128::from(slot)),
            ValType::Ref(r) => match r.heap.canonical_top() {
                HeapType::Extern => Val::ExternRef((slot != 0).then(|| ExternRef(AnyRef::from_bits(slot)))),
                HeapType::Any => Val::AnyRef((slot != 0).then(|| AnyRef::from_bits(slot))),
                HeapType::Exn => Val::ExnRef(slot.checked_sub(1).map(|a| super::Exn(a as u32))),
                _ => Val::FuncRef(slot.checked_sub(1).map(|a| Func(a as u32))),
            },
        }
    }

    /// The slots of a sequence of values (two per `v128`).
    pub(crate) fn to_slot_vec(vals: &[Val]) -> Vec<u64> {
        let mut out = Vec::with_capacity(vals.len());
        for v in vals {
            out.push(v.to_slot());
            if let Val::V128(x) = v {
                out.push((x >> 64) as u64);
            }
        }
        out
    }

    /// Decodes values of the given types from consecutive slots (missing slots read as 0).
    pub(crate) fn from_slot_vec(types: &[ValType], slots: &[u64]) -> Vec<Val> {
        let mut at = 0usize;
        types
            .iter()
            .map(|t| {
                let lo = slots.get(at).copied().unwrap_or(0);
                let hi = slots.get(at + 1).copied().unwrap_or(0);
                at += t.slots() as usize;
                Val::from_slots(*t, lo, hi)
            })
            .collect()
    }

    /// Decodes a value of a known type from its low and high slots.
    pub(crate) fn from_slots(ty: ValType, lo: u64, hi: u64) -> Val {
        Val::read_slots(ty, &[lo, hi])
    }
}

/// What a non-null reference of the `any` hierarchy is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnyKind {
    I31,
    /// A host reference made internal (`any.convert_extern` of an `externref`).
    Host,
    Struct,
    Array,
}

/// A non-null reference of the `any` hierarchy (see [`Val::AnyRef`]). Struct and array
/// references name objects of the store they came from; one handed to the host (a
/// result of `Func::call`, an argument of a host function) is pinned: the collector keeps
/// its object for the store's life. A store refuses objects of another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AnyRef {
    bits: u64,
    kind: AnyKind,
}

impl AnyRef {
    /// The `i31` of value `v` (its low 31 bits).
    pub fn i31(v: u32) -> AnyRef {
        AnyRef { bits: super::gc::i31(v), kind: AnyKind::I31 }
    }

    /// Host reference `id` as an internal reference.
    pub fn host(id: u32) -> AnyRef {
        AnyRef { bits: super::gc::host(id), kind: AnyKind::Host }
    }

    /// What the reference is.
    pub fn kind(self) -> AnyKind {
        self.kind
    }

    /// The value of an `i31` (zero-extended 31 bits), or `None` for another reference.
    pub fn as_i31(self) -> Option<u32> {
        (self.kind == AnyKind::I31).then_some((self.bits >> 1) as u32 & 0x7fff_ffff)
    }

    /// The id of an internalised host reference.
    pub fn host_id(self) -> Option<u32> {
        super::gc::host_id(self.bits)
    }

    /// This reference made external (`extern.convert_any`).
    pub fn externalize(self) -> ExternRef {
        ExternRef(self)
    }

    pub(crate) fn bits(self) -> u64 {
        self.bits
    }

    /// The reference's slot encoding (see `runtime::gc`: an object's address, `v << 1 | 1`
    /// for an `i31`, `id << 2 | 2` for a host reference), for tools that show raw storage
    /// (the debugger's `x` on an array of references).
    pub fn raw_bits(self) -> u64 {
        self.bits
    }

    /// What a struct or array of `store` holds: its canonical type id, its fields (or
    /// its length and its first `limit` elements) as values, packed fields zero-extended;
    /// `None` for an `i31`, a host reference, or an object of another store.
    pub fn contents(self, store: &super::Store, limit: usize) -> Option<GcContents> {
        use crate::syntax::CompositeType;
        if !matches!(self.kind, AnyKind::Struct | AnyKind::Array) || !store.gc.is_valid_ref(self.bits) {
            return None;
        }
        let info = super::gc::info_of(self.bits);
        let value = |storage: crate::syntax::StorageType, offset: u64| {
            let mut out = [0u64; 2];
            super::gc::read(self.bits, offset, storage, crate::syntax::Extend::Unsigned, &mut out);
            Val::read_slots(storage.unpacked(), &out)
        };
        Some(match &info.ty.composite {
            CompositeType::Struct(fields) => GcContents {
                type_id: info.id,
                len: fields.len() as u32,
                types: fields.iter().map(|f| f.storage).collect(),
                values: fields
                    .iter()
                    .zip(info.layout.fields.iter())
                    .take(limit)
                    .map(|(f, off)| value(f.storage, u64::from(*off)))
                    .collect(),
            },
            CompositeType::Array(e) => {
                let len = super::gc::array_len(self.bits);
                let size = u64::from(info.layout.elem_size);
                let data = u64::from(crate::syntax::canon::ARRAY_DATA_OFFSET);
                GcContents {
                    type_id: info.id,
                    len,
                    types: vec![e.storage],
                    values: (0..u64::from(len).min(limit as u64)).map(|i| value(e.storage, data + i * size)).collect(),
                }
            }
            CompositeType::Func(_) => return None,
        })
    }

    /// The reference of a non-null slot of the `any` hierarchy, which the store's tiers
    /// produced (so an object's header is there to read).
    pub(crate) fn from_bits(bits: u64) -> AnyRef {
        let kind = if bits & 1 == 1 {
            AnyKind::I31
        } else if super::gc::host_id(bits).is_some() {
            AnyKind::Host
        } else if matches!(super::gc::info_of(bits).ty.composite, crate::syntax::CompositeType::Struct(_)) {
            AnyKind::Struct
        } else {
            AnyKind::Array
        };
        AnyRef { bits, kind }
    }
}

impl std::fmt::Display for AnyRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            AnyKind::I31 => write!(f, "i31:{}", self.as_i31().unwrap_or(0)),
            AnyKind::Host => write!(f, "host:{}", self.host_id().unwrap_or(0)),
            AnyKind::Struct => f.write_str("struct"),
            AnyKind::Array => f.write_str("array"),
        }
    }
}

/// What a struct or an array holds (see [`AnyRef::contents`]).
#[derive(Debug, Clone, PartialEq)]
pub struct GcContents {
    /// The object's canonical type ([`crate::syntax::canon::info`] describes it).
    pub type_id: u32,
    /// The number of fields, or the array's length.
    pub len: u32,
    /// The storage type of each field, or the array's element type (one entry).
    pub types: Vec<crate::syntax::StorageType>,
    /// The fields, or the first elements.
    pub values: Vec<Val>,
}

/// A non-null external reference (see [`Val::ExternRef`]): a host reference, or an
/// `any` reference made external.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExternRef(AnyRef);

impl ExternRef {
    /// The host reference `id` (what a host passes as an opaque `externref`).
    pub fn host(id: u32) -> ExternRef {
        ExternRef(AnyRef::host(id))
    }

    /// The id of a host reference; `None` for an externalised `any` reference.
    pub fn host_id(self) -> Option<u32> {
        self.0.host_id()
    }

    /// The `any` reference this one carries (`any.convert_extern`).
    pub fn internalize(self) -> AnyRef {
        self.0
    }

    /// The reference of a non-null `externref` slot the store's tiers produced.
    pub(crate) fn from_bits(bits: u64) -> ExternRef {
        ExternRef(AnyRef::from_bits(bits))
    }
}

impl std::fmt::Display for ExternRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.host_id() {
            Some(id) => write!(f, "{id}"),
            None => write!(f, "({})", self.0),
        }
    }
}

impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::I32(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I64(v)
    }
}
impl From<f32> for Val {
    fn from(v: f32) -> Val {
        Val::F32(v.to_bits())
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::F64(v.to_bits())
    }
}

impl std::fmt::Display for Val {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Val::I32(v) => write!(f, "{v}"),
            Val::I64(v) => write!(f, "{v}"),
            Val::F32(b) => write!(f, "{}", f32::from_bits(*b)),
            Val::F64(b) => write!(f, "{}", f64::from_bits(*b)),
            Val::FuncRef(None) | Val::ExternRef(None) | Val::AnyRef(None) | Val::ExnRef(None) => f.write_str("null"),
            Val::AnyRef(Some(a)) => write!(f, "anyref:{a}"),
            Val::ExnRef(Some(e)) => write!(f, "exnref:{}", e.0),
            Val::FuncRef(Some(func)) => write!(f, "funcref:{}", func.0),
            Val::ExternRef(Some(e)) => write!(f, "externref:{e}"),
            Val::V128(v) => write!(f, "0x{v:032x}"),
        }
    }
}
