//! Globals, tables and memories as the embedding sees them: creating host-side ones (for
//! imports) and reading them (spec §4.5.3 "Allocation", §4.5.5 embedding API).

use crate::config::{BoundsChecks, Tier};
use crate::error::Error;
use crate::jit::memory::LinearMemory;
use crate::syntax::{GlobalType, MemoryType, Mutability, TableType, ValType};

use super::Val;
use super::store::{Global, GlobalInst, MemInst, Memory, Store, Table, TableInst, memory_bytes};

impl Global {
    /// A new global holding `value`, which must have the global's content type.
    pub fn new(store: &mut Store, ty: GlobalType, value: Val) -> Result<Global, Error> {
        if value.ty() != ty.content {
            return Err(Error::Usage(format!("global of type {} given a {} value", ty.content, value.ty())));
        }
        store.globals.push(Box::new(GlobalInst { ty, value: value.to_slot(), hi: value.high_slot() }));
        Ok(Global(store.globals.len() as u32 - 1))
    }

    pub fn ty(&self, store: &Store) -> Option<GlobalType> {
        store.globals.get(self.0 as usize).map(|g| g.ty)
    }

    /// The current value (`None` if the global is not in this store).
    pub fn get(&self, store: &Store) -> Val {
        match store.globals.get(self.0 as usize) {
            Some(g) => Val::from_slots(g.ty.content, g.value, g.hi),
            None => Val::I32(0),
        }
    }

    /// Sets a mutable global.
    pub fn set(&self, store: &mut Store, value: Val) -> Result<(), Error> {
        let g = store.globals.get_mut(self.0 as usize).ok_or_else(|| Error::Usage("unknown global".into()))?;
        if g.ty.mutability != Mutability::Var {
            return Err(Error::Usage("global is immutable".into()));
        }
        if value.ty() != g.ty.content {
            return Err(Error::Usage(format!("global of type {} given a {} value", g.ty.content, value.ty())));
        }
        g.value = value.to_slot();
        g.hi = value.high_slot();
        Ok(())
    }
}

impl Table {
    /// A new table with every element set to `init`.
    pub fn new(store: &mut Store, ty: TableType, init: Val) -> Result<Table, Error> {
        if init.ty() != ValType::from(ty.elem) {
            return Err(Error::Usage(format!("table of {} given a {} initial value", ty.elem, init.ty())));
        }
        let limit = store.engine.config().limits.max_table_elements;
        if ty.limits.min > limit {
            return Err(Error::Usage(format!("table minimum {} exceeds the limit {limit}", ty.limits.min)));
        }
        store.tables.push(TableInst::new(ty, init.to_slot()));
        Ok(Table(store.tables.len() as u32 - 1))
    }

    pub fn ty(&self, store: &Store) -> Option<TableType> {
        store.tables.get(self.0 as usize).map(|t| t.ty)
    }

    /// The number of elements.
    pub fn size(&self, store: &Store) -> u64 {
        store.tables.get(self.0 as usize).map_or(0, |t| t.elems.len() as u64)
    }

    /// Element `index`, if in bounds.
    pub fn get(&self, store: &Store, index: u64) -> Option<Val> {
        let t = store.tables.get(self.0 as usize)?;
        let slot = *t.elems.get(usize::try_from(index).ok()?)?;
        Some(Val::from_slot(ValType::from(t.ty.elem), slot))
    }
}

impl Memory {
    /// A new zeroed memory of the type's minimum size. Its pages are of the type's page
    /// size; the engine's `max_memory_pages` limit counts 64 KiB whatever the page size.
    pub fn new(store: &mut Store, ty: MemoryType) -> Result<Memory, Error> {
        let limit = store.engine.config().limits.max_memory_pages;
        let bytes = memory_bytes(&ty, ty.limits.min, limit).ok_or_else(|| {
            Error::Usage(format!(
                "memory minimum of {} pages of {} bytes exceeds the limit of {limit} 64 KiB pages",
                ty.limits.min,
                ty.page_size()
            ))
        })?;
        let config = store.engine.config();
        let guarded = config.tier == Tier::Jit
            && config.bounds_checks == BoundsChecks::GuardPages
            && crate::jit::memory::guard_pages_cover(&ty);
        let data = LinearMemory::new(bytes, guarded)
            .ok_or_else(|| Error::Usage(format!("cannot allocate a memory of {bytes} bytes")))?;
        store.memories.push(MemInst { ty, data });
        Ok(Memory(store.memories.len() as u32 - 1))
    }

    pub fn ty(&self, store: &Store) -> Option<MemoryType> {
        store.memories.get(self.0 as usize).map(|m| m.ty)
    }

    /// The page size in bytes (65536, or 1 for a memory of 1-byte pages).
    pub fn page_size(&self, store: &Store) -> u64 {
        store.memories.get(self.0 as usize).map_or(crate::syntax::PAGE_SIZE, |m| m.ty.page_size())
    }

    /// The memory's bytes.
    pub fn data<'a>(&self, store: &'a Store) -> &'a [u8] {
        store.memories.get(self.0 as usize).map_or(&[], |m| &m.data[..])
    }

    /// The memory's bytes, writable.
    pub fn data_mut<'a>(&self, store: &'a mut Store) -> &'a mut [u8] {
        store.memories.get_mut(self.0 as usize).map_or(&mut [], |m| &mut m.data[..])
    }

    /// Size in pages of the memory's page size ([`MemoryType::page_size`] of
    /// [`Memory::ty`]: 64 KiB unless the type says 1 byte).
    pub fn size(&self, store: &Store) -> u64 {
        store.memories.get(self.0 as usize).map_or(0, |m| m.pages())
    }
}
