//! The GC heap and the semantics of the GC instructions (spec 3.0 §4.2.4 "Aggregate
//! values", §4.4.3 - §4.4.5 "Aggregate instructions", the casts of §4.4.2), shared by the
//! interpreter (its `Op::Gc`) and the JIT (its libcall).
//!
//! **References in slots.** Null is 0 in every hierarchy. In the `any` hierarchy (and in
//! `externref`, which `any.convert_extern`/`extern.convert_any` leave untouched) a value
//! with the low bit set is an `i31` (`value << 1 | 1`), one ending in binary `10` a host
//! reference (`id << 2 | 2`, what `Val::ExternRef` carries), and anything else the
//! address of a heap object, 8-aligned. Function references are `store address + 1`,
//! exception references `exception index + 1`.
//!
//! **Objects** are `Box<[u64]>`s owned by the store's [`GcHeap`]: word 0 points at the
//! canonical type's [`TypeInfo`] (so a cast reads it without a lookup), an array's word 1
//! is its length, and fields or elements lie at the offsets of [`Layout`], packed `i8`
//! and `i16` included. Objects never move, so JIT code reads fields at fixed offsets.
//!
//! **Collection** is mark-sweep, at any allocation when the heap has grown past a
//! threshold (twice the bytes live after the last collection, at least
//! [`MIN_THRESHOLD`]): marking starts from exact roots — every wasm frame on both tiers
//! (`interp::roots::collect`: interpreter frames, locals by their types and operands by
//! the validator's types at the frame's instruction; JIT frames by their Cranelift stack
//! maps; activations suspended in host calls), the allocating instruction's operands,
//! globals, tables, element segments, exceptions' payloads, and every reference the host
//! was handed (pinned for the store's life: `Val` handles are `Copy` and cannot say when
//! they are dropped) — and follows reference fields; unmarked objects are freed.

use std::collections::HashSet;

use crate::error::{Trap, TrapCode};
use crate::syntax::canon::{ARRAY_DATA_OFFSET, ARRAY_LEN_OFFSET, TypeInfo};
use crate::syntax::{CompositeType, Extend, FieldType, GcInstr, HeapType, RefType, StorageType, ValType};

use super::Store;

/// The slot of `i31` value `v` (its low 31 bits).
#[inline]
pub fn i31(v: u32) -> u64 {
    (u64::from(v & 0x7fff_ffff) << 1) | 1
}

/// The slot of host reference `id`.
#[inline]
pub fn host(id: u32) -> u64 {
    (u64::from(id) << 2) | 2
}

/// The host id of a slot that holds a host reference.
#[inline]
pub fn host_id(bits: u64) -> Option<u32> {
    (bits & 3 == 2).then_some((bits >> 2) as u32)
}

/// Whether a non-null slot of the `any` hierarchy is a heap object.
#[inline]
pub fn is_object(bits: u64) -> bool {
    bits != 0 && bits & 3 == 0
}

/// Largest object, in bytes: larger allocations trap (as a memory would refuse to grow).
const MAX_OBJECT_BYTES: u64 = 1 << 30;

/// What a freed object is filled with under `WASMSCOPE_GC_STRESS=1`: a non-canonical
/// address, so reading its type faults.
const POISON: u64 = 0xdead_0bad_dead_0bad;

/// The heap size below which no collection runs.
pub(crate) const MIN_THRESHOLD: u64 = 4 << 20;

/// The threshold in effect: [`MIN_THRESHOLD`], or 0 with `WASMSCOPE_GC_STRESS=1` (a
/// collection at every allocation the interpreter may collect at: test runs use it to
/// check that the roots are exact).
fn min_threshold() -> u64 {
    static STRESS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *STRESS.get_or_init(|| std::env::var("WASMSCOPE_GC_STRESS").is_ok_and(|v| v == "1")) { 0 } else { MIN_THRESHOLD }
}

/// The store's objects.
pub(crate) struct GcHeap {
    objects: Vec<Box<[u64]>>,
    /// The address of every object, so that a reference the host hands in can be checked
    /// and a root candidate is known to be an object.
    addrs: HashSet<u64>,
    /// Objects the host was handed: roots for the store's life.
    pinned: HashSet<u64>,
    /// Bytes of the objects now in the heap.
    pub bytes: u64,
    /// Bytes allocated since the store was made.
    pub allocated: u64,
    /// `bytes` at which the next collection runs.
    next_collection: u64,
    /// Collections so far.
    pub collections: u64,
}

impl Default for GcHeap {
    fn default() -> GcHeap {
        GcHeap {
            objects: Vec::new(),
            addrs: HashSet::new(),
            pinned: HashSet::new(),
            bytes: 0,
            allocated: 0,
            next_collection: min_threshold(),
            collections: 0,
        }
    }
}

impl GcHeap {
    /// A zeroed object of `bytes` bytes (rounded up to words) of type `info`.
    fn alloc(&mut self, info: &'static TypeInfo, bytes: u64) -> Result<u64, Trap> {
        if bytes > MAX_OBJECT_BYTES {
            return Err(Trap::host(format!("allocation of {bytes} bytes exceeds the GC heap's object limit")));
        }
        let words = bytes.div_ceil(8).max(1) as usize;
        let mut obj = vec![0u64; words].into_boxed_slice();
        obj[0] = info as *const TypeInfo as u64;
        let addr = obj.as_ptr() as u64;
        self.objects.push(obj);
        self.addrs.insert(addr);
        self.bytes += (words * 8) as u64;
        self.allocated += (words * 8) as u64;
        Ok(addr)
    }

    /// Whether the heap has grown enough for a collection.
    #[inline]
    pub fn wants_collection(&self) -> bool {
        self.bytes >= self.next_collection
    }

    /// Keeps the object `bits` names (if it is one) for the store's life: the host holds it.
    pub fn pin(&mut self, bits: u64) {
        if is_object(bits) && self.addrs.contains(&bits) {
            self.pinned.insert(bits);
        }
    }

    /// Mark-sweep from `roots` (any slots: those that are not objects of this heap are
    /// ignored) and the pinned objects; frees every object they do not reach.
    pub fn collect(&mut self, roots: impl IntoIterator<Item = u64>) {
        let mut marked: HashSet<u64> = HashSet::with_capacity(self.addrs.len() / 2);
        let mut work: Vec<u64> = Vec::new();
        let addrs = &self.addrs;
        let mut reach = |bits: u64, work: &mut Vec<u64>| {
            if is_object(bits) && addrs.contains(&bits) && marked.insert(bits) {
                work.push(bits);
            }
        };
        for r in roots.into_iter().chain(self.pinned.iter().copied()) {
            reach(r, &mut work);
        }
        while let Some(obj) = work.pop() {
            let info = info_of(obj);
            match &info.ty.composite {
                CompositeType::Struct(fields) => {
                    for (f, off) in fields.iter().zip(info.layout.fields.iter()) {
                        if holds_objects(f.storage) {
                            let mut v = [0u64; 2];
                            read(obj, u64::from(*off), f.storage, Extend::None, &mut v);
                            reach(v[0], &mut work);
                        }
                    }
                }
                CompositeType::Array(e) if holds_objects(e.storage) => {
                    for i in 0..u64::from(array_len(obj)) {
                        let mut v = [0u64; 2];
                        read(obj, u64::from(ARRAY_DATA_OFFSET) + i * 8, e.storage, Extend::None, &mut v);
                        reach(v[0], &mut work);
                    }
                }
                _ => {}
            }
        }
        let stress = min_threshold() == 0;
        self.objects.retain_mut(|o| {
            let live = marked.contains(&(o.as_ptr() as u64));
            if !live && stress {
                // Under stress, a freed object is poisoned first: code that still uses
                // it (a missed root) reads a type pointer that faults, not stale data.
                o.fill(POISON);
            }
            live
        });
        self.bytes = self.objects.iter().map(|o| (o.len() * 8) as u64).sum();
        self.addrs = marked;
        self.next_collection = if min_threshold() == 0 { 0 } else { (self.bytes * 2).max(MIN_THRESHOLD) };
        self.collections += 1;
    }

    /// The number of objects in the heap.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// Whether the heap has no object.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// Whether `bits` is a reference this heap can hold: null, an `i31`, a host
    /// reference, or the address of one of its objects.
    pub fn is_valid_ref(&self, bits: u64) -> bool {
        !is_object(bits) || self.addrs.contains(&bits)
    }
}

/// The type of the object at `addr`.
#[inline]
pub(crate) fn info_of(addr: u64) -> &'static TypeInfo {
    // SAFETY: `addr` is the address of a live object of the store's heap (only `alloc`
    // makes such slots, and objects live as long as the store), whose word 0 is the
    // address of a leaked, never freed `TypeInfo`.
    unsafe { &*(*(addr as *const u64) as *const TypeInfo) }
}

/// An array's length.
#[inline]
pub(crate) fn array_len(addr: u64) -> u32 {
    // SAFETY: `addr` is a live array object (see `info_of`), whose header holds the length.
    unsafe { *((addr + u64::from(ARRAY_LEN_OFFSET)) as *const u32) }
}

/// Reads a field of `storage` at byte `offset` of the object at `addr` into `out` (one
/// slot, two for a `v128`), extending a packed one as `extend` says.
#[inline]
pub(crate) fn read(addr: u64, offset: u64, storage: StorageType, extend: Extend, out: &mut [u64]) {
    let p = (addr + offset) as *const u8;
    // SAFETY: `offset` is within the object: a struct field's layout offset, or an
    // array element the caller bounds-checked; the object is live (see `info_of`).
    unsafe {
        match storage {
            StorageType::I8 => {
                let b = *p;
                out[0] = if extend == Extend::Signed { b as i8 as i32 as u32 as u64 } else { u64::from(b) };
            }
            StorageType::I16 => {
                let h = (p as *const u16).read_unaligned();
                out[0] = if extend == Extend::Signed { h as i16 as i32 as u32 as u64 } else { u64::from(h) };
            }
            StorageType::Val(ValType::I32 | ValType::F32) => out[0] = u64::from((p as *const u32).read_unaligned()),
            StorageType::Val(ValType::V128) => {
                out[0] = (p as *const u64).read_unaligned();
                out[1] = (p.add(8) as *const u64).read_unaligned();
            }
            StorageType::Val(_) => out[0] = (p as *const u64).read_unaligned(),
        }
    }
}

/// Writes a value (its slots in `v`) to a field of `storage` at byte `offset` of the
/// object at `addr`.
#[inline]
pub(crate) fn write(addr: u64, offset: u64, storage: StorageType, v: &[u64]) {
    let p = (addr + offset) as *mut u8;
    // SAFETY: as `read`: within a live object.
    unsafe {
        match storage {
            StorageType::I8 => *p = v[0] as u8,
            StorageType::I16 => (p as *mut u16).write_unaligned(v[0] as u16),
            StorageType::Val(ValType::I32 | ValType::F32) => (p as *mut u32).write_unaligned(v[0] as u32),
            StorageType::Val(ValType::V128) => {
                (p as *mut u64).write_unaligned(v[0]);
                (p.add(8) as *mut u64).write_unaligned(v[1]);
            }
            StorageType::Val(_) => (p as *mut u64).write_unaligned(v[0]),
        }
    }
}

/// Copies `n` elements of `size` bytes from element `si` of array `src` to element `di`
/// of `dst` (which may be the same array: the ranges may overlap).
fn copy_elems(dst: u64, di: u64, src: u64, si: u64, n: u64, size: u64) {
    let d = (dst + u64::from(ARRAY_DATA_OFFSET) + di * size) as *mut u8;
    let s = (src + u64::from(ARRAY_DATA_OFFSET) + si * size) as *const u8;
    // SAFETY: both ranges were bounds-checked against their live arrays; `copy` allows
    // overlap.
    unsafe { std::ptr::copy(s, d, (n * size) as usize) }
}

/// What a GC instruction needs at run time besides its immediates: the types it names,
/// resolved once at translation.
#[derive(Debug, Clone, Copy)]
pub struct GcOp {
    pub instr: GcInstr,
    /// The struct or array type the instruction names (`array.copy`: the destination).
    pub ty: Option<&'static TypeInfo>,
    /// `array.copy`'s source type.
    pub src: Option<&'static TypeInfo>,
    /// The target of a cast (`ref.test`, `ref.cast`, `br_on_cast*`), indices canonical.
    pub cast: Option<RefType>,
}

/// Whether values of a storage type may be heap objects: references of the `any`
/// hierarchy and `externref`s (which may carry them).
pub(crate) fn holds_objects(s: StorageType) -> bool {
    match s {
        StorageType::Val(ValType::Ref(r)) => matches!(r.heap.canonical_top(), HeapType::Any | HeapType::Extern),
        _ => false,
    }
}

/// Whether values of a (canonical) value type may be heap objects.
pub(crate) fn val_holds_objects(t: ValType) -> bool {
    holds_objects(StorageType::Val(t))
}

/// The store's own roots: globals, tables, element segments and exceptions' payloads.
pub(crate) fn store_roots(store: &Store, out: &mut Vec<u64>) {
    for g in &store.globals {
        if val_holds_objects(g.ty.content) {
            out.push(g.value);
        }
    }
    for t in &store.tables {
        if val_holds_objects(ValType::Ref(t.ty.elem)) {
            out.extend(t.elems.iter().copied());
        }
    }
    for inst in &store.instances {
        let syntax = inst.module.syntax();
        for (seg, items) in syntax.elems.iter().zip(inst.elems.iter()) {
            if val_holds_objects(syntax.canon_val(ValType::Ref(seg.ty))) {
                out.extend(items.iter().copied());
            }
        }
    }
    for e in &store.exns {
        if let Some(tag) = store.tags.get(e.tag as usize) {
            let mut at = 0usize;
            for t in tag.ty.params.iter() {
                if val_holds_objects(*t)
                    && let Some(v) = e.payload.get(at)
                {
                    out.push(*v);
                }
                at += t.slots() as usize;
            }
        }
    }
}

impl GcOp {
    /// The resolved form of `g` in a module whose types have canonical ids `canonical`
    /// (by type index): the struct or array types it names, and its cast target with
    /// canonical indices (an unknown index resolves to no type, or to
    /// [`crate::syntax::canon::INVALID`] in a cast, which nothing matches).
    pub(crate) fn resolve(g: &GcInstr, canonical: &[crate::syntax::canon::CanonId]) -> GcOp {
        use GcInstr as G;
        let info = |x: u32| canonical.get(x as usize).and_then(|id| crate::syntax::canon::info(*id));
        let canon_ref = |r: RefType| match r.heap {
            HeapType::Concrete(x) => RefType {
                nullable: r.nullable,
                heap: HeapType::Concrete(canonical.get(x as usize).copied().unwrap_or(crate::syntax::canon::INVALID)),
            },
            _ => r,
        };
        let (ty, src, cast) = match *g {
            G::StructNew(x)
            | G::StructNewDefault(x)
            | G::StructGet { ty: x, .. }
            | G::StructSet { ty: x, .. }
            | G::ArrayNew(x)
            | G::ArrayNewDefault(x)
            | G::ArrayNewFixed { ty: x, .. }
            | G::ArrayNewData { ty: x, .. }
            | G::ArrayNewElem { ty: x, .. }
            | G::ArrayGet { ty: x, .. }
            | G::ArraySet(x)
            | G::ArrayFill(x)
            | G::ArrayInitData { ty: x, .. }
            | G::ArrayInitElem { ty: x, .. } => (info(x), None, None),
            G::ArrayCopy { dst, src } => (info(dst), info(src), None),
            G::RefTest(rt) | G::RefCast(rt) => (None, None, Some(canon_ref(rt))),
            G::BrOnCast { to, .. } | G::BrOnCastFail { to, .. } => (None, None, Some(canon_ref(to))),
            _ => (None, None, None),
        };
        GcOp { instr: *g, ty, src, cast }
    }
}

/// The references among the operands of allocating instruction `op` (in `slots`, as
/// [`exec`] takes them) that may be objects: roots while it allocates, when its operands
/// are nowhere else (the JIT's values area).
pub(crate) fn operand_roots(op: &GcOp, slots: &[u64], out: &mut Vec<u64>) {
    let Some(info) = op.ty else { return };
    let mut push = |storages: &mut dyn Iterator<Item = StorageType>| {
        let mut at = 0usize;
        for s in storages {
            if holds_objects(s)
                && let Some(v) = slots.get(at)
            {
                out.push(*v);
            }
            at += slots_of(s);
        }
    };
    match (op.instr, &info.ty.composite) {
        (GcInstr::StructNew(_), CompositeType::Struct(fields)) => push(&mut fields.iter().map(|f| f.storage)),
        (GcInstr::ArrayNew(_), CompositeType::Array(e)) => push(&mut std::iter::once(e.storage)),
        (GcInstr::ArrayNewFixed { len, .. }, CompositeType::Array(e)) => {
            push(&mut std::iter::repeat_n(e.storage, len as usize))
        }
        _ => {}
    }
}

fn fields(info: &TypeInfo) -> &[FieldType] {
    match &info.ty.composite {
        CompositeType::Struct(f) => f,
        _ => &[],
    }
}

fn elem(info: &TypeInfo) -> Result<FieldType, Trap> {
    match &info.ty.composite {
        CompositeType::Array(f) => Ok(*f),
        _ => Err(Trap::host("not an array type")),
    }
}

fn slots_of(s: StorageType) -> usize {
    s.unpacked().slots() as usize
}

/// Whether reference `bits` (of the hierarchy of `target`) is of type `target`, whose
/// indices are canonical ids.
pub(crate) fn test(store: &Store, bits: u64, target: RefType) -> bool {
    if bits == 0 {
        return target.nullable;
    }
    match target.heap.canonical_top() {
        HeapType::Func => match target.heap {
            HeapType::Func => true,
            HeapType::Concrete(id) => store.funcs.get((bits - 1) as usize).is_some_and(|f| f.has_type(id)),
            _ => false,
        },
        HeapType::Extern => target.heap == HeapType::Extern,
        HeapType::Exn => target.heap == HeapType::Exn,
        _ => {
            if bits & 1 == 1 {
                return matches!(target.heap, HeapType::Any | HeapType::Eq | HeapType::I31);
            }
            if host_id(bits).is_some() {
                return target.heap == HeapType::Any;
            }
            let info = info_of(bits);
            match target.heap {
                HeapType::Any | HeapType::Eq => true,
                HeapType::Struct => matches!(info.ty.composite, CompositeType::Struct(_)),
                HeapType::Array => matches!(info.ty.composite, CompositeType::Array(_)),
                HeapType::Concrete(id) => {
                    info.id == id || crate::syntax::canon::info(id).is_some_and(|t| info.is_subtype_of(t))
                }
                _ => false,
            }
        }
    }
}

/// Runs GC instruction `op` of instance `inst` on the slots from its operands' base: its
/// operands are there in order (a `v128` in two slots), and its result goes to the first
/// (two for a `v128`). Branching casts are the caller's (`test`).
pub(crate) fn exec(store: &mut Store, inst: u32, op: &GcOp, slots: &mut [u64]) -> Result<(), Trap> {
    use GcInstr as G;
    let need = |t: Option<&'static TypeInfo>| t.ok_or_else(|| Trap::host("GC instruction without its type"));
    let null_struct = || Trap::new(TrapCode::NullStructReference);
    let null_array = || Trap::new(TrapCode::NullArrayReference);
    let oob = || Trap::new(TrapCode::ArrayOutOfBounds);
    match op.instr {
        G::StructNew(_) | G::StructNewDefault(_) => {
            let info = need(op.ty)?;
            let addr = store.gc.alloc(info, u64::from(info.layout.size))?;
            if matches!(op.instr, G::StructNew(_)) {
                let mut at = 0usize;
                for (f, off) in fields(info).iter().zip(info.layout.fields.iter()) {
                    write(addr, u64::from(*off), f.storage, &slots[at..]);
                    at += slots_of(f.storage);
                }
            }
            slots[0] = addr;
        }
        G::StructGet { field, extend, .. } => {
            let info = need(op.ty)?;
            let addr = slots[0];
            if addr == 0 {
                return Err(null_struct());
            }
            let f = fields(info)[field as usize];
            read(addr, u64::from(info.layout.fields[field as usize]), f.storage, extend, slots);
        }
        G::StructSet { field, .. } => {
            let info = need(op.ty)?;
            let addr = slots[0];
            if addr == 0 {
                return Err(null_struct());
            }
            let f = fields(info)[field as usize];
            write(addr, u64::from(info.layout.fields[field as usize]), f.storage, &slots[1..]);
        }
        G::ArrayNew(_) | G::ArrayNewDefault(_) | G::ArrayNewFixed { .. } => {
            let info = need(op.ty)?;
            let e = elem(info)?;
            let k = slots_of(e.storage);
            let (len, values) = match op.instr {
                G::ArrayNew(_) => (slots[k] as u32, Some(0)),
                G::ArrayNewDefault(_) => (slots[0] as u32, None),
                G::ArrayNewFixed { len, .. } => (len, Some(usize::MAX)),
                _ => (0, None),
            };
            let addr = new_array(store, info, len)?;
            let size = u64::from(info.layout.elem_size);
            match values {
                // One value for every element.
                Some(0) => {
                    let v: [u64; 2] = [slots[0], if k == 2 { slots[1] } else { 0 }];
                    for i in 0..u64::from(len) {
                        write(addr, u64::from(ARRAY_DATA_OFFSET) + i * size, e.storage, &v);
                    }
                }
                // The values in order.
                Some(_) => {
                    for i in 0..len as usize {
                        write(addr, u64::from(ARRAY_DATA_OFFSET) + i as u64 * size, e.storage, &slots[i * k..]);
                    }
                }
                None => {}
            }
            slots[0] = addr;
        }
        G::ArrayNewData { data, .. } => {
            let info = need(op.ty)?;
            let e = elem(info)?;
            let (offset, len) = (slots[0] as u32 as u64, slots[1] as u32);
            let size = u64::from(info.layout.elem_size);
            let seg = store.instances[inst as usize].datas.get(data as usize).cloned().unwrap_or_default();
            let end = offset.checked_add(u64::from(len) * size);
            if end.is_none_or(|end| end > seg.len() as u64) {
                return Err(Trap::new(TrapCode::MemoryOutOfBounds));
            }
            let addr = new_array(store, info, len)?;
            fill_from_bytes(addr, 0, &seg[offset as usize..], len as usize, e.storage);
            slots[0] = addr;
        }
        G::ArrayNewElem { elem: seg, .. } => {
            let info = need(op.ty)?;
            let e = elem(info)?;
            let (offset, len) = (slots[0] as u32 as u64, slots[1] as u32);
            let items = store.instances[inst as usize].elems.get(seg as usize).cloned().unwrap_or_default();
            if offset + u64::from(len) > items.len() as u64 {
                return Err(Trap::new(TrapCode::TableOutOfBounds));
            }
            let addr = new_array(store, info, len)?;
            for (i, v) in items[offset as usize..offset as usize + len as usize].iter().enumerate() {
                write(addr, u64::from(ARRAY_DATA_OFFSET) + i as u64 * 8, e.storage, &[*v]);
            }
            slots[0] = addr;
        }
        G::ArrayGet { extend, .. } => {
            let (addr, at, e) = element(need(op.ty)?, slots[0], slots[1] as u32)?;
            read(addr, at, e.storage, extend, slots);
        }
        G::ArraySet(_) => {
            let (addr, at, e) = element(need(op.ty)?, slots[0], slots[1] as u32)?;
            write(addr, at, e.storage, &slots[2..]);
        }
        G::ArrayLen => {
            let addr = slots[0];
            if addr == 0 {
                return Err(null_array());
            }
            slots[0] = u64::from(array_len(addr));
        }
        G::ArrayFill(_) => {
            let info = need(op.ty)?;
            let e = elem(info)?;
            let k = slots_of(e.storage);
            let (addr, i) = (slots[0], u64::from(slots[1] as u32));
            let v: [u64; 2] = [slots[2], if k == 2 { slots[3] } else { 0 }];
            let n = u64::from(slots[2 + k] as u32);
            if addr == 0 {
                return Err(null_array());
            }
            if i + n > u64::from(array_len(addr)) {
                return Err(oob());
            }
            let size = u64::from(info.layout.elem_size);
            for j in i..i + n {
                write(addr, u64::from(ARRAY_DATA_OFFSET) + j * size, e.storage, &v);
            }
        }
        G::ArrayCopy { .. } => {
            let info = need(op.ty)?;
            let (dst, di, src, si, n) = (
                slots[0],
                u64::from(slots[1] as u32),
                slots[2],
                u64::from(slots[3] as u32),
                u64::from(slots[4] as u32),
            );
            if dst == 0 || src == 0 {
                return Err(null_array());
            }
            if di + n > u64::from(array_len(dst)) || si + n > u64::from(array_len(src)) {
                return Err(oob());
            }
            copy_elems(dst, di, src, si, n, u64::from(info.layout.elem_size));
        }
        G::ArrayInitData { data, .. } => {
            let info = need(op.ty)?;
            let (e, addr, d, s, n) = init_target(info, slots)?;
            let size = u64::from(info.layout.elem_size);
            let seg = store.instances[inst as usize].datas.get(data as usize).cloned().unwrap_or_default();
            if s + n * size > seg.len() as u64 {
                return Err(Trap::new(TrapCode::MemoryOutOfBounds));
            }
            fill_from_bytes(addr, d, &seg[s as usize..], n as usize, e.storage);
        }
        G::ArrayInitElem { elem: seg, .. } => {
            let info = need(op.ty)?;
            let (e, addr, d, s, n) = init_target(info, slots)?;
            let items = store.instances[inst as usize].elems.get(seg as usize).cloned().unwrap_or_default();
            if s + n > items.len() as u64 {
                return Err(Trap::new(TrapCode::TableOutOfBounds));
            }
            for j in 0..n {
                let v = items[(s + j) as usize];
                write(addr, u64::from(ARRAY_DATA_OFFSET) + (d + j) * 8, e.storage, &[v]);
            }
        }
        G::RefTest(_) => {
            let target = op.cast.ok_or_else(|| Trap::host("cast without its type"))?;
            slots[0] = u64::from(test(store, slots[0], target));
        }
        G::RefCast(_) => {
            let target = op.cast.ok_or_else(|| Trap::host("cast without its type"))?;
            if !test(store, slots[0], target) {
                return Err(Trap::new(TrapCode::CastFailure));
            }
        }
        G::AnyConvertExtern | G::ExternConvertAny => {}
        G::RefI31 => slots[0] = i31(slots[0] as u32),
        G::I31Get(extend) => {
            let bits = slots[0];
            if bits == 0 {
                return Err(Trap::new(TrapCode::NullI31Reference));
            }
            let v = (bits >> 1) as u32 & 0x7fff_ffff;
            slots[0] = u64::from(if extend == Extend::Signed { ((v << 1) as i32 >> 1) as u32 } else { v });
        }
        G::BrOnCast { .. } | G::BrOnCastFail { .. } => return Err(Trap::host("a branching cast reached GC exec")),
    }
    Ok(())
}

/// The operands of `array.init_data` / `array.init_elem` (array, destination, source
/// offset, count) with the element type, after the null and destination-range checks.
fn init_target(info: &TypeInfo, slots: &[u64]) -> Result<(FieldType, u64, u64, u64, u64), Trap> {
    let e = elem(info)?;
    let (addr, d, s, n) =
        (slots[0], u64::from(slots[1] as u32), u64::from(slots[2] as u32), u64::from(slots[3] as u32));
    if addr == 0 {
        return Err(Trap::new(TrapCode::NullArrayReference));
    }
    if d + n > u64::from(array_len(addr)) {
        return Err(Trap::new(TrapCode::ArrayOutOfBounds));
    }
    Ok((e, addr, d, s, n))
}

/// Element `i` of the array `addr` of type `info`: the array, the element's byte offset
/// and the element type, or the trap of a null array or an index out of bounds.
fn element(info: &TypeInfo, addr: u64, i: u32) -> Result<(u64, u64, FieldType), Trap> {
    let e = elem(info)?;
    if addr == 0 {
        return Err(Trap::new(TrapCode::NullArrayReference));
    }
    if i >= array_len(addr) {
        return Err(Trap::new(TrapCode::ArrayOutOfBounds));
    }
    Ok((addr, u64::from(ARRAY_DATA_OFFSET) + u64::from(i) * u64::from(info.layout.elem_size), e))
}

/// A zeroed array of `len` elements of type `info`.
fn new_array(store: &mut Store, info: &'static TypeInfo, len: u32) -> Result<u64, Trap> {
    let bytes = u64::from(ARRAY_DATA_OFFSET) + u64::from(len) * u64::from(info.layout.elem_size);
    let addr = store.gc.alloc(info, bytes)?;
    // SAFETY: a fresh array object of at least `ARRAY_DATA_OFFSET` bytes.
    unsafe { *((addr + u64::from(ARRAY_LEN_OFFSET)) as *mut u32) = len };
    Ok(addr)
}

/// Writes `n` elements of `storage`, read little-endian from `bytes`, from element `at`.
fn fill_from_bytes(addr: u64, at: u64, bytes: &[u8], n: usize, storage: StorageType) {
    let size = storage.size() as usize;
    for i in 0..n {
        let b = &bytes[i * size..(i + 1) * size];
        let mut v = [0u64; 2];
        for (j, byte) in b.iter().enumerate() {
            v[j / 8] |= u64::from(*byte) << ((j % 8) * 8);
        }
        write(addr, u64::from(ARRAY_DATA_OFFSET) + (at + i as u64) * size as u64, storage, &v);
    }
}
