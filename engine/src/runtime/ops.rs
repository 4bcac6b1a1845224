//! The table, bulk-memory and `memory.size`/`memory.grow` instructions on store objects
//! (spec §4.4.6 "Table Instructions", §4.4.7 "Memory Instructions"), shared by both tiers:
//! the interpreter's loop and the JIT's libcall run these same functions.
//!
//! Operands come as raw 64-bit value slots. An `i32` operand's slot may carry high bits,
//! so each function first reduces an address, index or length to the address type of the
//! memory or table it applies to ([`AddrType::wrap`]); a `memory.copy` or `table.copy`
//! length to the narrower of the two types, as the spec types it. Bounds are checked in
//! 64 bits without wrapping: `start + n` beyond the length (or overflowing) traps.

use std::ops::Range;
use std::sync::Arc;

use crate::error::TrapCode;
use crate::syntax::AddrType;

use super::store::Store;

/// `start..start + n` if it lies within `len` (no overflow, no wrap).
fn span(start: u64, n: u64, len: usize) -> Option<Range<usize>> {
    let end = start.checked_add(n)?;
    if end > len as u64 {
        return None;
    }
    // Both fit: end <= len, a usize.
    Some(start as usize..end as usize)
}

/// The store address of memory `mem` of instance `inst`.
fn mem_addr(store: &Store, inst: u32, mem: u32) -> Result<usize, TrapCode> {
    let i = store.instances.get(inst as usize).ok_or(TrapCode::MemoryOutOfBounds)?;
    i.memories.get(mem as usize).map(|a| *a as usize).ok_or(TrapCode::MemoryOutOfBounds)
}

/// The store address of table `table` of instance `inst`.
fn table_addr(store: &Store, inst: u32, table: u32) -> Result<usize, TrapCode> {
    let i = store.instances.get(inst as usize).ok_or(TrapCode::TableOutOfBounds)?;
    i.tables.get(table as usize).map(|a| *a as usize).ok_or(TrapCode::TableOutOfBounds)
}

/// `memory.size`: the size in pages (of the memory's page size).
pub(crate) fn memory_size(store: &Store, inst: u32, mem: u32) -> Result<u64, TrapCode> {
    Ok(store.memories[mem_addr(store, inst, mem)?].pages())
}

/// `memory.grow`: the old size in pages, or -1 (of the address type's width) if the
/// memory cannot grow by `delta` pages.
pub(crate) fn memory_grow(store: &mut Store, inst: u32, mem: u32, delta: u64) -> Result<u64, TrapCode> {
    let limit = store.engine.config().limits.max_memory_pages;
    let ma = mem_addr(store, inst, mem)?;
    let m = &mut store.memories[ma];
    let addr = m.ty.addr;
    Ok(m.grow(addr.wrap(delta), limit).unwrap_or(addr.minus_one()))
}

/// `memory.fill`: `n` bytes from `d` set to the low byte of `v`.
pub(crate) fn memory_fill(store: &mut Store, inst: u32, mem: u32, d: u64, v: u64, n: u64) -> Result<(), TrapCode> {
    let ma = mem_addr(store, inst, mem)?;
    let m = &mut store.memories[ma];
    let a = m.ty.addr;
    let r = span(a.wrap(d), a.wrap(n), m.data.len()).ok_or(TrapCode::MemoryOutOfBounds)?;
    m.data[r].fill(v as u8);
    Ok(())
}

/// `memory.copy dst src`: `n` bytes from `s` in memory `src` to `d` in memory `dst`
/// (overlapping ranges of one memory copy as if through a buffer).
pub(crate) fn memory_copy(
    store: &mut Store,
    inst: u32,
    (dst, src): (u32, u32),
    d: u64,
    s: u64,
    n: u64,
) -> Result<(), TrapCode> {
    let (da, sa) = (mem_addr(store, inst, dst)?, mem_addr(store, inst, src)?);
    let (dt, st) = (store.memories[da].ty.addr, store.memories[sa].ty.addr);
    let n = dt.min(st).wrap(n);
    let oob = TrapCode::MemoryOutOfBounds;
    let from = span(st.wrap(s), n, store.memories[sa].data.len()).ok_or(oob)?;
    let to = span(dt.wrap(d), n, store.memories[da].data.len()).ok_or(oob)?;
    if da == sa {
        store.memories[da].data.copy_within(from, to.start);
    } else {
        let (lo, hi) = (da.min(sa), da.max(sa));
        let (left, right) = store.memories.split_at_mut(hi);
        let (a, b) = (&mut left[lo], &mut right[0]);
        let (dm, sm) = if da < sa { (a, b) } else { (b, a) };
        dm.data[to].copy_from_slice(&sm.data[from]);
    }
    Ok(())
}

/// `memory.init seg mem`: `n` bytes of data segment `seg` from `s` to `d`.
pub(crate) fn memory_init(
    store: &mut Store,
    inst: u32,
    (seg, mem): (u32, u32),
    d: u64,
    s: u64,
    n: u64,
) -> Result<(), TrapCode> {
    let ma = mem_addr(store, inst, mem)?;
    let bytes = store.instances[inst as usize].datas.get(seg as usize).cloned().unwrap_or_else(|| Arc::from([]));
    let m = &mut store.memories[ma];
    let (s, n) = (AddrType::I32.wrap(s), AddrType::I32.wrap(n));
    let from = span(s, n, bytes.len()).ok_or(TrapCode::MemoryOutOfBounds)?;
    let to = span(m.ty.addr.wrap(d), n, m.data.len()).ok_or(TrapCode::MemoryOutOfBounds)?;
    m.data[to].copy_from_slice(&bytes[from]);
    Ok(())
}

/// `data.drop`.
pub(crate) fn data_drop(store: &mut Store, inst: u32, seg: u32) {
    if let Some(d) = store.instances.get_mut(inst as usize).and_then(|i| i.datas.get_mut(seg as usize)) {
        *d = Arc::from([]);
    }
}

/// `table.get`: element `i`'s slot.
pub(crate) fn table_get(store: &Store, inst: u32, table: u32, i: u64) -> Result<u64, TrapCode> {
    let t = &store.tables[table_addr(store, inst, table)?];
    let i = usize::try_from(t.ty.addr.wrap(i)).map_err(|_| TrapCode::TableOutOfBounds)?;
    t.elems.get(i).copied().ok_or(TrapCode::TableOutOfBounds)
}

/// `table.set`.
pub(crate) fn table_set(store: &mut Store, inst: u32, table: u32, i: u64, v: u64) -> Result<(), TrapCode> {
    let ta = table_addr(store, inst, table)?;
    let t = &mut store.tables[ta];
    let i = usize::try_from(t.ty.addr.wrap(i)).map_err(|_| TrapCode::TableOutOfBounds)?;
    *t.elems.get_mut(i).ok_or(TrapCode::TableOutOfBounds)? = v;
    Ok(())
}

/// `table.size`.
pub(crate) fn table_size(store: &Store, inst: u32, table: u32) -> Result<u64, TrapCode> {
    Ok(store.tables[table_addr(store, inst, table)?].elems.len() as u64)
}

/// `table.grow`: the old size, or -1 (of the index type's width).
pub(crate) fn table_grow(store: &mut Store, inst: u32, table: u32, init: u64, delta: u64) -> Result<u64, TrapCode> {
    let limit = store.engine.config().limits.max_table_elements;
    let ta = table_addr(store, inst, table)?;
    let t = &mut store.tables[ta];
    let a = t.ty.addr;
    Ok(t.grow(a.wrap(delta), init, limit).unwrap_or(a.minus_one()))
}

/// `table.fill`.
pub(crate) fn table_fill(store: &mut Store, inst: u32, table: u32, d: u64, v: u64, n: u64) -> Result<(), TrapCode> {
    let ta = table_addr(store, inst, table)?;
    let t = &mut store.tables[ta];
    let a = t.ty.addr;
    let r = span(a.wrap(d), a.wrap(n), t.elems.len()).ok_or(TrapCode::TableOutOfBounds)?;
    t.elems[r].fill(v);
    Ok(())
}

/// `table.copy dst src`.
pub(crate) fn table_copy(
    store: &mut Store,
    inst: u32,
    (dst, src): (u32, u32),
    d: u64,
    s: u64,
    n: u64,
) -> Result<(), TrapCode> {
    let (da, sa) = (table_addr(store, inst, dst)?, table_addr(store, inst, src)?);
    let (dt, st) = (store.tables[da].ty.addr, store.tables[sa].ty.addr);
    let n = dt.min(st).wrap(n);
    let oob = TrapCode::TableOutOfBounds;
    let from = span(st.wrap(s), n, store.tables[sa].elems.len()).ok_or(oob)?;
    let to = span(dt.wrap(d), n, store.tables[da].elems.len()).ok_or(oob)?;
    if da == sa {
        store.tables[da].elems.copy_within(from, to.start);
    } else {
        let tmp: Vec<u64> = store.tables[sa].elems[from].to_vec();
        store.tables[da].elems[to].copy_from_slice(&tmp);
    }
    Ok(())
}

/// `table.init seg table`.
pub(crate) fn table_init(
    store: &mut Store,
    inst: u32,
    (seg, table): (u32, u32),
    d: u64,
    s: u64,
    n: u64,
) -> Result<(), TrapCode> {
    let ta = table_addr(store, inst, table)?;
    let items = store.instances[inst as usize].elems.get(seg as usize).cloned().unwrap_or_else(|| Arc::from([]));
    let t = &mut store.tables[ta];
    let (s, n) = (AddrType::I32.wrap(s), AddrType::I32.wrap(n));
    let from = span(s, n, items.len()).ok_or(TrapCode::TableOutOfBounds)?;
    let to = span(t.ty.addr.wrap(d), n, t.elems.len()).ok_or(TrapCode::TableOutOfBounds)?;
    t.elems[to].copy_from_slice(&items[from]);
    Ok(())
}

/// `elem.drop`.
pub(crate) fn elem_drop(store: &mut Store, inst: u32, seg: u32) {
    if let Some(e) = store.instances.get_mut(inst as usize).and_then(|i| i.elems.get_mut(seg as usize)) {
        *e = Arc::from([]);
    }
}
