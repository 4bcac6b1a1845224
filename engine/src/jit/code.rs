//! Executable memory for compiled modules and the process-wide registry of it.
//!
//! A module's functions are copied into one anonymous mapping (read/write), their
//! relocations patched, and the mapping is then switched to read/execute. The registry
//! maps code ranges to trap sites so that the signal handler can tell a trap in JIT code
//! from a crash elsewhere; it is updated when a module's code is created and dropped.
//!
//! One of the few modules with `unsafe` code.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// A trap site: offset in the code memory and Cranelift trap code (raw byte).
pub(crate) type TrapSite = (u32, u8);

/// What the registry keeps of a code memory.
#[derive(Debug)]
pub(crate) struct CodeInfo {
    pub start: usize,
    pub len: usize,
    /// Sorted by offset.
    pub traps: Vec<TrapSite>,
}

static REGISTRY: RwLock<BTreeMap<usize, Arc<CodeInfo>>> = RwLock::new(BTreeMap::new());

/// Looks the code range containing `pc` up. This runs in a signal handler, so it never
/// blocks on the lock: while another thread holds it for writing (registering or dropping
/// a module, a few microseconds), it yields (`sched_yield` is async-signal-safe) and
/// retries; it gives up only after about a million attempts, so that a fault inside the
/// registry code itself cannot deadlock.
fn lookup(pc: usize) -> Option<Arc<CodeInfo>> {
    for _ in 0..1_000_000 {
        if let Ok(map) = REGISTRY.try_read() {
            let (_, info) = map.range(..=pc).next_back()?;
            return (pc < info.start + info.len).then(|| info.clone());
        }
        // SAFETY: sched_yield has no preconditions.
        unsafe { libc::sched_yield() };
    }
    None
}

/// The trap code of the trap site at `pc`, if `pc` is one in registered code.
pub(crate) fn trap_code_at(pc: usize) -> Option<u8> {
    let info = lookup(pc)?;
    let off = u32::try_from(pc - info.start).ok()?;
    let i = info.traps.binary_search_by_key(&off, |t| t.0).ok()?;
    Some(info.traps[i].1)
}

/// Whether `pc` lies in registered JIT code.
pub(crate) fn is_jit_code(pc: usize) -> bool {
    lookup(pc).is_some()
}

/// An executable mapping holding a module's code; unregistered and unmapped on drop.
#[derive(Debug)]
pub(crate) struct CodeMemory {
    ptr: *mut u8,
    len: usize,
}

// SAFETY: the mapping is immutable (read/execute) once published; the raw pointer is only
// an address into it.
unsafe impl Send for CodeMemory {}
// SAFETY: as above; nothing mutates it through `&self`.
unsafe impl Sync for CodeMemory {}

/// A relocation to apply: at `offset`, a 32-bit pc-relative reference to `target`
/// (both offsets in the code memory) plus `addend`.
pub(crate) struct Reloc {
    pub offset: usize,
    pub target: usize,
    pub addend: i64,
}

impl CodeMemory {
    /// Maps `code`, applies `relocs` and makes it executable; registers `traps` (offsets
    /// in `code`, sorted). `None` if mapping fails or a relocation is out of range.
    pub(crate) fn new(code: &[u8], relocs: &[Reloc], traps: Vec<TrapSite>) -> Option<CodeMemory> {
        let len = code.len().max(1);
        // SAFETY: a fresh anonymous private mapping touches no existing memory.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return None;
        }
        let mem = CodeMemory { ptr: p.cast(), len };
        // SAFETY: the mapping is `len >= code.len()` bytes, writable and ours alone.
        let buf = unsafe { std::slice::from_raw_parts_mut(mem.ptr, len) };
        buf[..code.len()].copy_from_slice(code);
        for r in relocs {
            let value = (r.target as i64).wrapping_add(r.addend).wrapping_sub(r.offset as i64);
            let value = i32::try_from(value).ok()?;
            buf.get_mut(r.offset..r.offset + 4)?.copy_from_slice(&value.to_le_bytes());
        }
        // SAFETY: the whole mapping is switched to read/execute; no writable view of it is
        // used afterwards (`buf` ends here).
        if unsafe { libc::mprotect(p, len, libc::PROT_READ | libc::PROT_EXEC) } != 0 {
            return None;
        }
        let info = Arc::new(CodeInfo { start: mem.ptr as usize, len, traps });
        if let Ok(mut map) = REGISTRY.write() {
            map.insert(info.start, info);
        }
        Some(mem)
    }

    /// Address of `offset` in the code.
    pub(crate) fn addr(&self, offset: usize) -> *const u8 {
        self.ptr.wrapping_add(offset)
    }

    /// Start address.
    pub(crate) fn start(&self) -> usize {
        self.ptr as usize
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        if let Ok(mut map) = REGISTRY.write() {
            map.remove(&(self.ptr as usize));
        }
        // SAFETY: the mapping was made in `new` with this length; no code in it can be
        // running (its module is being dropped, so no instance refers to it).
        unsafe { libc::munmap(self.ptr.cast(), self.len) };
    }
}
