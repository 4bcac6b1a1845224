//! Canonical type identities (spec 3.0 §3.1.3 "Type equivalence", §3.2.1 "Rolling and
//! unrolling"): type definitions are equal when their recursion groups are structurally
//! identical once every type index outside the group is replaced by the canonical id of
//! the type it names (iso-recursive equivalence). One registry for the process, so ids
//! agree across modules, engines and stores: two defined types are equal exactly when
//! their [`CanonId`]s are.
//!
//! Each id has a [`TypeInfo`], leaked and never freed (ids are never reused): its type
//! with every index replaced by canonical ids, and its chain of declared supertypes, which
//! makes a runtime subtype test one comparison (`chain[depth(b)] == b`).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, RwLock};

use super::types::{CompositeType, FieldType, FuncType, HeapType, RefType, StorageType, SubType, ValType};

/// A process-wide id of a defined type (see the module documentation).
pub type CanonId = u32;

/// In a group key, type indices inside the group are `REC | relative index`; others are
/// canonical ids (which stay below this bit: `canonicalize` refuses more).
const REC: u32 = 1 << 31;

/// What the runtime knows of a canonical type.
#[derive(Debug)]
pub struct TypeInfo {
    pub id: CanonId,
    /// The type, with every type index a canonical id (`HeapType::Concrete(id)`).
    pub ty: SubType,
    /// The canonical ids of the declared supertypes, outermost first, ending with `id`.
    pub chain: Box<[CanonId]>,
    /// Where a struct's fields lie in its objects (empty for other types).
    pub layout: Layout,
}

/// The layout of a GC object of a struct or array type: byte offsets from the object's
/// start. Every object begins with a word that points at its `TypeInfo`; an array's
/// second word is its length and its elements follow.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// Byte offset of each struct field.
    pub fields: Box<[u32]>,
    /// Size in bytes of a struct object; for an array, of the header before the elements.
    pub size: u32,
    /// Size in bytes of an array element (0 for a struct).
    pub elem_size: u32,
}

/// Byte offset of an array's length.
pub const ARRAY_LEN_OFFSET: u32 = 8;
/// Byte offset of an array's first element.
pub const ARRAY_DATA_OFFSET: u32 = 16;

impl Layout {
    /// The layout of objects of composite type `c`: fields in order, each at an offset
    /// aligned to its size (8 at most), after the type word.
    pub fn of(c: &CompositeType) -> Layout {
        match c {
            CompositeType::Struct(fields) => {
                let mut at = 8u32;
                let mut offsets = Vec::with_capacity(fields.len());
                for f in fields.iter() {
                    let size = f.storage.size();
                    let align = size.min(8);
                    at = at.div_ceil(align) * align;
                    offsets.push(at);
                    at += size;
                }
                Layout { fields: offsets.into(), size: at.div_ceil(8) * 8, elem_size: 0 }
            }
            CompositeType::Array(f) => {
                Layout { fields: Box::default(), size: ARRAY_DATA_OFFSET, elem_size: f.storage.size() }
            }
            CompositeType::Func(_) => Layout::default(),
        }
    }
}

impl TypeInfo {
    /// Whether this type is a subtype of (or equal to) canonical type `other`.
    #[inline]
    pub fn is_subtype_of(&self, other: &TypeInfo) -> bool {
        let depth = other.chain.len() - 1;
        self.chain.get(depth) == Some(&other.id)
    }

    /// The function type, if this is one.
    pub fn as_func(&self) -> Option<&FuncType> {
        self.ty.as_func()
    }
}

/// The process-wide registry: rec groups by their canonical form, in shards (by the
/// key's hash), and every id's information, in chunks of fixed capacity. Neither ever
/// moves a large block: a process that loads many modules (the fuzzer: tens of thousands
/// of groups a minute) grows it in small steps, not by reallocating one table.
struct Registry {
    groups: [Mutex<HashMap<Vec<SubType>, CanonId>>; SHARDS],
    infos: RwLock<Infos>,
}

const SHARDS: usize = 64;
const CHUNK: usize = 4096;

/// Ids' information: id `i` is `chunks[i / CHUNK][i % CHUNK]`; every chunk but the last
/// is full, and none reallocates (each is made with capacity `CHUNK`).
#[derive(Default)]
struct Infos {
    chunks: Vec<Vec<&'static TypeInfo>>,
}

impl Infos {
    fn len(&self) -> usize {
        self.chunks.last().map_or(0, |c| (self.chunks.len() - 1) * CHUNK + c.len())
    }

    fn get(&self, id: usize) -> Option<&'static TypeInfo> {
        self.chunks.get(id / CHUNK)?.get(id % CHUNK).copied()
    }

    fn push(&mut self, info: &'static TypeInfo) {
        if self.chunks.last().is_none_or(|c| c.len() == CHUNK) {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        if let Some(c) = self.chunks.last_mut() {
            c.push(info);
        }
    }
}

fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(|| Registry {
        groups: std::array::from_fn(|_| Mutex::new(HashMap::new())),
        infos: RwLock::new(Infos::default()),
    })
}

/// The shard of the registry's groups that holds `key`.
fn shard(reg: &'static Registry, key: &[SubType]) -> &'static Mutex<HashMap<Vec<SubType>, CanonId>> {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    key.hash(&mut h);
    &reg.groups[h.finish() as usize % SHARDS]
}

/// The information of canonical id `id` (`None` for an id never handed out).
pub fn info(id: CanonId) -> Option<&'static TypeInfo> {
    // A poisoned lock only means a thread panicked while pushing; the chunks stay valid.
    let infos = registry().infos.read().unwrap_or_else(std::sync::PoisonError::into_inner);
    infos.get(id as usize)
}

/// Whether canonical type `a` is `b` or declares it among its supertypes.
#[inline]
pub fn is_subtype(a: CanonId, b: CanonId) -> bool {
    a == b || matches!((info(a), info(b)), (Some(x), Some(y)) if x.is_subtype_of(y))
}

/// An id no type has: what an index beyond its group's end (an invalid module, which the
/// validator rejects with "unknown type") canonicalises to, and what every type gets
/// once 2^31 ids are used up.
pub const INVALID: CanonId = REC - 1;

/// The canonical ids of a module's types, in order.
pub fn canonicalize(types: &[SubType]) -> Vec<CanonId> {
    let mut ids: Vec<CanonId> = Vec::with_capacity(types.len());
    let reg = registry();
    let mut start = 0usize;
    while start < types.len() {
        let (_, len) = types[start].rec_group;
        let end = (start + len.max(1) as usize).min(types.len());
        // The group's key: indices inside the group relative, earlier ones canonical.
        let mut key = Vec::with_capacity(end - start);
        for t in &types[start..end] {
            let map = |x: u32| -> Result<u32, std::convert::Infallible> {
                let xu = x as usize;
                Ok(if xu < start {
                    ids[xu]
                } else if xu < end {
                    REC | (x - start as u32)
                } else {
                    INVALID
                })
            };
            let Ok(k) = map_indices(t, &map, (0, (end - start) as u32));
            key.push(k);
        }
        let mut groups = shard(reg, &key).lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let first = match groups.get(&key) {
            Some(first) => *first,
            None => {
                let mut infos = reg.infos.write().unwrap_or_else(std::sync::PoisonError::into_inner);
                let first = infos.len() as u32;
                if first.checked_add(key.len() as u32).is_none_or(|n| n >= INVALID) {
                    ids.extend(std::iter::repeat_n(INVALID, end - start));
                    start = end;
                    continue;
                }
                for (i, k) in key.iter().enumerate() {
                    let resolve = |x: u32| -> Result<u32, std::convert::Infallible> {
                        Ok(if x & REC != 0 { first + (x & !REC) } else { x })
                    };
                    let Ok(ty) = map_indices(k, &resolve, (first, key.len() as u32));
                    let id = first + i as u32;
                    let mut chain: Vec<CanonId> = match ty.supertype {
                        // A supertype inside this group that comes later (or itself) is
                        // invalid; the validator says so. Its chain is left short.
                        Some(s) if s < id => infos.get(s as usize).map_or_else(Vec::new, |i| i.chain.to_vec()),
                        _ => Vec::new(),
                    };
                    chain.push(id);
                    let layout = Layout::of(&ty.composite);
                    let info: &'static TypeInfo = Box::leak(Box::new(TypeInfo { id, ty, chain: chain.into(), layout }));
                    infos.push(info);
                }
                groups.insert(key, first);
                first
            }
        };
        ids.extend((0..(end - start) as u32).map(|i| first + i));
        start = end;
    }
    ids
}

/// `t` with every type index `x` replaced by `map(x)`, and the group set to `group`.
fn map_indices<E>(t: &SubType, map: &impl Fn(u32) -> Result<u32, E>, group: (u32, u32)) -> Result<SubType, E> {
    let val = |v: ValType| -> Result<ValType, E> {
        Ok(match v {
            ValType::Ref(RefType { nullable, heap: HeapType::Concrete(x) }) => {
                ValType::Ref(RefType { nullable, heap: HeapType::Concrete(map(x)?) })
            }
            other => other,
        })
    };
    let field = |f: &FieldType| -> Result<FieldType, E> {
        Ok(FieldType {
            storage: match f.storage {
                StorageType::Val(v) => StorageType::Val(val(v)?),
                packed => packed,
            },
            mutability: f.mutability,
        })
    };
    let composite = match &t.composite {
        CompositeType::Func(f) => CompositeType::Func(FuncType::new(
            f.params.iter().map(|p| val(*p)).collect::<Result<Vec<_>, E>>()?,
            f.results.iter().map(|r| val(*r)).collect::<Result<Vec<_>, E>>()?,
        )),
        CompositeType::Struct(fields) => {
            CompositeType::Struct(fields.iter().map(field).collect::<Result<Vec<_>, E>>()?.into())
        }
        CompositeType::Array(f) => CompositeType::Array(field(f)?),
    };
    let supertype = t.supertype.map(map).transpose()?;
    Ok(SubType { is_final: t.is_final, supertype, composite, rec_group: group })
}

/// The canonical id of a function type standing alone (final, no supertype, a group of
/// its own): what every 2.0 function type is. Its indices must already be canonical ids.
pub fn of_func(ty: &FuncType) -> CanonId {
    // Only exhausting the id space (2^31 types) fails; such an id matches nothing.
    canonicalize_group_of_canonical(&SubType::func(ty.clone(), 0)).unwrap_or(u32::MAX)
}

/// Canonicalises one type already in canonical form as a group of its own.
fn canonicalize_group_of_canonical(t: &SubType) -> Option<CanonId> {
    // Indices are canonical ids already, so the key is the type itself (ids below REC).
    let key = vec![SubType { rec_group: (0, 1), ..t.clone() }];
    let reg = registry();
    let mut groups = shard(reg, &key).lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(id) = groups.get(&key) {
        return Some(*id);
    }
    let mut infos = reg.infos.write().unwrap_or_else(std::sync::PoisonError::into_inner);
    let id = infos.len() as u32;
    if id >= INVALID {
        return None;
    }
    let chain: Box<[CanonId]> = Box::new([id]);
    let info: &'static TypeInfo = Box::leak(Box::new(TypeInfo {
        id,
        ty: SubType { rec_group: (id, 1), ..t.clone() },
        chain,
        layout: Layout::default(),
    }));
    infos.push(info);
    groups.insert(key, id);
    Some(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Mutability;

    fn func(params: &[ValType]) -> SubType {
        SubType::func(FuncType::new(params.to_vec(), vec![]), 0)
    }

    #[test]
    fn equal_groups_share_ids_across_modules() {
        let a = canonicalize(&[func(&[ValType::I32]), func(&[ValType::I64])]);
        let b = canonicalize(&[func(&[ValType::I64]), func(&[ValType::I32])]);
        assert_eq!(a[0], b[1]);
        assert_eq!(a[1], b[0]);
        assert_ne!(a[0], a[1]);
        assert_eq!(of_func(&FuncType::new(vec![ValType::I32], vec![])), a[0]);
    }

    #[test]
    fn recursive_groups_are_compared_structurally() {
        // (rec (type $a (struct (field (ref null $b)))) (type $b (struct (field (ref null $a)))))
        let field = |x| FieldType {
            storage: StorageType::Val(ValType::Ref(RefType::null(HeapType::Concrete(x)))),
            mutability: Mutability::Const,
        };
        let st = |x, g| SubType {
            is_final: true,
            supertype: None,
            composite: CompositeType::Struct(Box::new([field(x)])),
            rec_group: g,
        };
        let m1 = canonicalize(&[st(1, (0, 2)), st(0, (0, 2))]);
        let m2 = canonicalize(&[func(&[]), st(2, (1, 2)), st(1, (1, 2))]);
        assert_eq!(&m1[..], &m2[1..]);
        // The two members differ from each other (by position in the group).
        assert_ne!(m1[0], m1[1]);
        // Separate groups of one each are another type.
        let m3 = canonicalize(&[st(0, (0, 1))]);
        assert_ne!(m3[0], m1[0]);
        let info = info(m1[0]).expect("registered");
        assert!(info.is_subtype_of(info));
    }

    #[test]
    fn supertype_chains() {
        let s = |sup: Option<u32>, index| SubType {
            is_final: false,
            supertype: sup,
            composite: CompositeType::Struct(Box::new([])),
            rec_group: (index, 1),
        };
        let ids = canonicalize(&[s(None, 0), s(Some(0), 1), s(Some(1), 2)]);
        let (a, b, c) = (info(ids[0]).unwrap(), info(ids[1]).unwrap(), info(ids[2]).unwrap());
        assert!(c.is_subtype_of(a) && c.is_subtype_of(b) && b.is_subtype_of(a));
        assert!(!a.is_subtype_of(b));
    }
}
