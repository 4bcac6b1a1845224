//! Unchecked access to the value stack and the op array: the dispatch loop's hot path.
//!
//! Why this is sound: validation fixes the operand-stack height at every instruction,
//! the translator records the largest height of each function (`max_height`, locals
//! included), and the loop resizes the stack to at least `fp + max_height` before it
//! enters a function. Every slot the loop touches is `fp + h` with `h < max_height`.
//! Every op sequence ends in `Return` and every branch targets a pc inside the sequence.
//! The loop keeps raw pointers to the current frame's slots and ops in locals so they
//! stay in registers; it re-derives them whenever the frame, the function or the stack's
//! allocation changes.
//!
//! The loop and the threaded handlers (`threaded`, which get the frame pointer and the
//! instruction pointer as arguments) reach slots and instructions through [`get`],
//! [`set`], [`copy_within`] and [`inst`]. Threaded code is the
//! one-to-one image of the op sequence (same length, same slots, jump distances that land
//! on the same pcs), and the loop enters it only through [`enter`] with the current
//! frame and function. Builds with debug assertions (which run the whole spec suite in
//! `cargo test`) record the current frame's extent and instruction range
//! ([`set_bounds`]) and check every access against them.

use super::threaded::Inst;
use crate::translate::Op;

/// Reads `N` bytes of linear memory at `ea`, or `None` if out of bounds.
///
/// `base`/`len` are the loop's cached view of the current instance's memory: refreshed
/// whenever it may have moved or changed size (on entering the loop, after switching
/// instances, after `memory.grow`, after host calls and after the debugger's hook), and
/// nothing else resizes a memory while wasm code runs.
#[inline(always)]
pub(super) fn mem_read<const N: usize>(base: *const u8, len: usize, ea: usize) -> Option<[u8; N]> {
    if ea.checked_add(N)? > len {
        return None;
    }
    // SAFETY: `[base, base + len)` is the live memory (see above) and `ea + N <= len`;
    // the read is unaligned-safe.
    Some(unsafe { std::ptr::read_unaligned(base.add(ea).cast::<[u8; N]>()) })
}

/// Writes `N` bytes of linear memory at `ea`; `false` if out of bounds.
#[inline(always)]
pub(super) fn mem_write<const N: usize>(base: *mut u8, len: usize, ea: usize, bytes: [u8; N]) -> bool {
    if ea.checked_add(N).is_none_or(|end| end > len) {
        return false;
    }
    // SAFETY: as in `mem_read`; the loop holds the store mutably, so nothing else aliases
    // the memory while it writes.
    unsafe { std::ptr::write_unaligned(base.add(ea).cast::<[u8; N]>(), bytes) };
    true
}

/// The current frame's slots: a pointer to slot 0 and the number of slots from there to
/// the end of the value stack. Re-derived (with [`frame`]) whenever the frame base moves
/// or the stack is resized or touched through the `Vec`.
#[inline(always)]
pub(super) fn frame(stack: &mut [u64], fp: usize) -> (*mut u64, usize) {
    let slots = &mut stack[fp..];
    (slots.as_mut_ptr(), slots.len())
}

/// Fetches op `pc` through the function's op pointer.
#[inline(always)]
pub(super) fn fetch_at(ops: *const Op, len: usize, pc: usize) -> Op {
    debug_assert!(pc < len, "pc {pc} beyond the function ({len})");
    let _ = len;
    // SAFETY: `ops` is the op array of the function being executed, kept alive by the
    // loop's `code` handle, and `pc < len` (module doc).
    unsafe { *ops.add(pc) }
}

/// The extent of the current frame's slots and of the current function's instructions,
/// for the debug-assertion checks of the threaded accessors.
#[cfg(debug_assertions)]
mod bounds {
    use std::cell::Cell;
    thread_local! {
        pub static FRAME: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
        pub static CODE: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
    }
}

/// Records the current frame (`fbase`, `flen` slots) and function (`code`, `n`
/// instructions) for the debug-assertion checks; nothing in release builds.
#[inline(always)]
pub(super) fn set_bounds(fbase: *const u64, flen: usize, code: *const Inst, n: usize) {
    #[cfg(debug_assertions)]
    {
        bounds::FRAME.with(|f| f.set((fbase as usize, flen)));
        bounds::CODE.with(|c| c.set((code as usize, n)));
    }
    let _ = (fbase, flen, code, n);
}

#[inline(always)]
fn check_slot(fp: *const u64, i: usize) {
    #[cfg(debug_assertions)]
    bounds::FRAME.with(|f| {
        let (base, len) = f.get();
        assert!(fp as usize == base && i < len, "slot {i} beyond the frame ({len})");
    });
    let _ = (fp, i);
}

/// Slot `i` of the frame at `fp`.
#[inline(always)]
pub(super) fn get(fp: *const u64, i: u32) -> u64 {
    check_slot(fp, i as usize);
    // SAFETY: `fp` is the current frame's slot 0 and `i < max_height` (module doc).
    unsafe { *fp.add(i as usize) }
}

/// Writes slot `i` of the frame at `fp`.
#[inline(always)]
pub(super) fn set(fp: *mut u64, i: u32, v: u64) {
    check_slot(fp, i as usize);
    // SAFETY: as in `get`.
    unsafe { *fp.add(i as usize) = v }
}

/// Copies `n` slots of the frame at `fp` from `from` to `to` (the ranges may overlap).
#[inline(always)]
pub(super) fn copy_within(fp: *mut u64, from: u32, to: u32, n: u32) {
    let (from, to, n) = (from as usize, to as usize, n as usize);
    if n > 0 {
        check_slot(fp, from + n - 1);
        check_slot(fp, to + n - 1);
    }
    // SAFETY: both ranges lie within the frame's `max_height` slots (module doc).
    unsafe {
        if n == 1 {
            *fp.add(to) = *fp.add(from);
        } else {
            std::ptr::copy(fp.add(from), fp.add(to), n)
        }
    }
}

/// The instruction at `ip` (threaded code).
#[inline(always)]
pub(super) fn inst<'a>(ip: *const Inst) -> &'a Inst {
    #[cfg(debug_assertions)]
    bounds::CODE.with(|c| {
        let (base, n) = c.get();
        let at = (ip as usize).wrapping_sub(base) / std::mem::size_of::<Inst>();
        assert!(ip as usize >= base && at < n, "instruction {at} beyond the function ({n})");
    });
    // SAFETY: `ip` points into the current function's instructions, which the loop's
    // `code` handle keeps alive (module doc).
    unsafe { &*ip }
}

/// Runs threaded code from instruction `pc` of `code` (see `threaded`).
#[inline(always)]
pub(super) fn enter(code: *const Inst, pc: usize, fp: *mut u64, mem: *mut u8, len: usize) -> super::threaded::Exit {
    let ip = code.wrapping_add(pc);
    (inst(ip).handler)(ip, fp, mem, len)
}

/// The pc of the instruction at `ip` in `code`.
#[inline(always)]
pub(super) fn pc_of(code: *const Inst, ip: *const Inst) -> usize {
    (ip as usize).wrapping_sub(code as usize) / std::mem::size_of::<Inst>()
}

/// Pushes a suspended caller's record onto `frames`, writing each field straight into
/// the vector's buffer. (`Vec::push` builds the record on the host stack and copies it
/// with wider loads than the stores that built it: a store-forwarding stall on every
/// wasm call.)
#[inline(always)]
pub(super) fn push_frame(
    frames: &mut Vec<super::Frame>,
    code: std::sync::Arc<crate::translate::CompiledFunc>,
    pc: usize,
    fp: usize,
    instance: u32,
    func: u32,
) {
    if frames.len() == frames.capacity() {
        frames.reserve(frames.len().max(16));
    }
    let len = frames.len();
    // `reserve` left room for at least one more record.
    if let Some(slot) = frames.spare_capacity_mut().first_mut() {
        let p = slot.as_mut_ptr();
        // SAFETY: `p` points at the uninitialised record after the last one; every field
        // is written before the length covers it.
        unsafe {
            std::ptr::addr_of_mut!((*p).code).write(code);
            std::ptr::addr_of_mut!((*p).pc).write(pc);
            std::ptr::addr_of_mut!((*p).fp).write(fp);
            std::ptr::addr_of_mut!((*p).instance).write(instance);
            std::ptr::addr_of_mut!((*p).func).write(func);
            frames.set_len(len + 1);
        }
    }
}
