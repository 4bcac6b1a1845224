//! Executable memory for compiled modules and the process-wide registry of it.
//!
//! A module's code is copied batch by batch into anonymous mappings (read/write), its
//! relocations patched, and its pages then switched to read/execute. The registry maps
//! code ranges to trap sites so that the signal handler can tell a trap in JIT code from a
//! crash elsewhere; it is updated when a batch of code is added and when a module's code
//! is dropped.
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
    /// Call sites with exception handlers (`try_call`), sorted by return offset.
    pub exn: ExnTable,
    /// Call sites with GC references live across them.
    pub stack_maps: StackMapTable,
}

/// A call site across which values that may be GC objects are live, each in a stack
/// slot: offsets relative to the code memory's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StackMapSite {
    /// Offset of the call's return address.
    pub ret: u32,
    /// FP − SP at the call: the slots' offsets are from that SP.
    pub frame_size: u32,
    /// The site's slots: `slots[first..first + len]` of its table.
    pub first: u32,
    pub len: u32,
}

/// The stack maps of a code memory (Cranelift's user stack maps, every entry an `i64`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StackMapTable {
    /// Sorted by `ret`.
    pub sites: Vec<StackMapSite>,
    /// Offsets from the call's SP of the slots holding references.
    pub slots: Vec<u32>,
}

/// A call site with exception handlers: offsets relative to the code memory's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ExnSite {
    /// Offset of the call's return address.
    pub ret: u32,
    /// FP − SP at the call site: the handler's SP is the frame's FP minus this.
    pub frame_offset: u32,
    /// Where the caller's vmctx (the handlers' context) is, as an offset from that SP.
    pub ctx_sp_offset: u32,
    /// The site's handlers: `handlers[first..first + len]` of its table, in order (the
    /// first that matches wins).
    pub first: u32,
    pub len: u32,
}

/// One exception handler: a module tag index (`ExnHandler::ALL` for a catch-all) and the
/// offset of its landing pad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ExnHandler {
    pub tag: u32,
    pub pc: u32,
}

impl ExnHandler {
    pub const ALL: u32 = u32::MAX;
}

/// The exception handlers of a code memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ExnTable {
    /// Sorted by `ret`.
    pub sites: Vec<ExnSite>,
    pub handlers: Vec<ExnHandler>,
}

/// What an unwinder needs of the call site whose return address is `pc`: the frame
/// offset, context offset and the handlers with absolute landing-pad addresses.
pub(crate) struct SiteView<'a> {
    pub frame_offset: usize,
    pub ctx_sp_offset: usize,
    pub start: usize,
    pub handlers: &'a [ExnHandler],
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

/// The registered code memory containing `pc`, for an exception's unwinder (which runs
/// in normal context, never in a signal handler): it keeps the `Arc` across the frames of
/// one code memory, so a walk takes the registry's lock once per code memory, not per
/// frame.
pub(crate) fn code_at(pc: usize) -> Option<Arc<CodeInfo>> {
    lookup(pc)
}

impl CodeInfo {
    /// Whether `pc` lies in this code memory.
    pub(crate) fn contains(&self, pc: usize) -> bool {
        pc >= self.start && pc < self.start + self.len
    }

    /// The exception handlers of the call site returning to `pc` (in this code memory),
    /// if it has any.
    pub(crate) fn exn_site(&self, pc: usize) -> Option<SiteView<'_>> {
        let off = u32::try_from(pc.checked_sub(self.start)?).ok()?;
        let i = self.exn.sites.binary_search_by_key(&off, |s| s.ret).ok()?;
        let s = self.exn.sites[i];
        let handlers = self.exn.handlers.get(s.first as usize..(s.first + s.len) as usize)?;
        Some(SiteView {
            frame_offset: s.frame_offset as usize,
            ctx_sp_offset: s.ctx_sp_offset as usize,
            start: self.start,
            handlers,
        })
    }
}

impl CodeInfo {
    /// The stack map of the call site returning to `pc` (in this code memory), if values
    /// that may be GC objects are live across it: (FP − SP at the call, the slots'
    /// offsets from that SP).
    pub(crate) fn stack_map(&self, pc: usize) -> Option<(usize, &[u32])> {
        let off = u32::try_from(pc.checked_sub(self.start)?).ok()?;
        let t = &self.stack_maps;
        let i = t.sites.binary_search_by_key(&off, |s| s.ret).ok()?;
        let s = t.sites[i];
        Some((s.frame_size as usize, t.slots.get(s.first as usize..(s.first + s.len) as usize)?))
    }
}

/// Whether `pc` lies in registered JIT code.
pub(crate) fn is_jit_code(pc: usize) -> bool {
    lookup(pc).is_some()
}

/// Executable memory of one module: the code of its functions, added batch by batch (the
/// whole module at once when compiled eagerly, one function at a time when lazily).
/// Unregistered and unmapped on drop.
///
/// Code is written into fresh pages of a read/write chunk, which are then switched to
/// read/execute; a page once executable is never written again, so code can be added
/// while other threads run the code already there. Each batch starts on a page of its own.
#[derive(Debug, Default)]
pub(crate) struct CodeArena {
    chunks: Vec<Chunk>,
    /// Start of each registered batch.
    batches: Vec<usize>,
}

#[derive(Debug)]
struct Chunk {
    ptr: *mut u8,
    len: usize,
    /// Bytes from `ptr` already handed out (a multiple of the page size).
    used: usize,
}

// SAFETY: the arena's executable pages are immutable; its raw pointers are addresses of
// mappings it owns, and adding code needs `&mut self`.
unsafe impl Send for CodeArena {}
// SAFETY: as above; nothing mutates the mappings through `&self`.
unsafe impl Sync for CodeArena {}

/// A relocation to apply: at `offset`, a 32-bit pc-relative reference to `target`
/// (both offsets in the batch's code) plus `addend`.
pub(crate) struct Reloc {
    pub offset: usize,
    pub target: usize,
    pub addend: i64,
}

const PAGE: usize = 4096;
/// Chunks are reserved this large (or larger for a bigger batch) so that lazily compiled
/// functions do not each cost a mapping.
const CHUNK: usize = 1 << 20;

impl CodeArena {
    /// Copies `code` into fresh pages, applies `relocs`, makes the pages executable and
    /// registers `traps` (offsets in `code`, sorted), the exception handlers `exn` and
    /// the stack maps (before any of the code can run). Returns the code's address; `None` if
    /// mapping fails or a relocation is out of range.
    pub(crate) fn publish(
        &mut self,
        code: &[u8],
        relocs: &[Reloc],
        traps: Vec<TrapSite>,
        exn: ExnTable,
        stack_maps: StackMapTable,
    ) -> Option<usize> {
        let len = code.len().max(1).next_multiple_of(PAGE);
        if self.chunks.last().is_none_or(|c| c.len - c.used < len) {
            let size = len.max(CHUNK);
            // SAFETY: a fresh anonymous private mapping touches no existing memory.
            let p = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    size,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                )
            };
            if p == libc::MAP_FAILED {
                return None;
            }
            self.chunks.push(Chunk { ptr: p.cast(), len: size, used: 0 });
        }
        let chunk = self.chunks.last_mut()?;
        let at = chunk.ptr.wrapping_add(chunk.used);
        // SAFETY: `at..at + len` lies in the chunk (checked above), past every byte handed
        // out before, so it is still read/write and no code runs there.
        let buf = unsafe { std::slice::from_raw_parts_mut(at, len) };
        buf[..code.len()].copy_from_slice(code);
        for r in relocs {
            let value = (r.target as i64).wrapping_add(r.addend).wrapping_sub(r.offset as i64);
            let value = i32::try_from(value).ok()?;
            buf.get_mut(r.offset..r.offset + 4)?.copy_from_slice(&value.to_le_bytes());
        }
        // SAFETY: these pages are switched to read/execute; no writable view of them is
        // used afterwards (`buf` ends here, and later batches start past them).
        if unsafe { libc::mprotect(at.cast(), len, libc::PROT_READ | libc::PROT_EXEC) } != 0 {
            return None;
        }
        chunk.used += len;
        let start = at as usize;
        let info = Arc::new(CodeInfo { start, len, traps, exn, stack_maps });
        if let Ok(mut map) = REGISTRY.write() {
            map.insert(start, info);
        }
        self.batches.push(start);
        Some(start)
    }
}

impl Drop for CodeArena {
    fn drop(&mut self) {
        if let Ok(mut map) = REGISTRY.write() {
            for b in &self.batches {
                map.remove(b);
            }
        }
        for c in &self.chunks {
            // SAFETY: the chunk was mapped in `publish` with this length; no code in it can
            // be running (its module is being dropped, so no instance refers to it).
            unsafe { libc::munmap(c.ptr.cast(), c.len) };
        }
    }
}
