//! Unchecked access to the value stack and the op array: the dispatch loop's hot path.
//!
//! Why this is sound: validation fixes the operand-stack height at every instruction,
//! the translator records the largest height of each function (`max_height`, locals
//! included), and the loop resizes the stack to at least `fp + max_height` before it
//! enters a function. Every slot the loop touches is `fp + h` with `h < max_height`.
//! Every op sequence ends in `Return` and every branch targets a pc inside the sequence.
//! Debug builds (which run the whole spec suite in `cargo test`) check both with
//! `debug_assert!`. The loop keeps raw pointers to the current frame's slots and ops in
//! locals so they stay in registers; it re-derives them whenever the frame, the function
//! or the stack's allocation changes.

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

/// Reads slot `i` of the frame.
#[inline(always)]
pub(super) fn read(base: *const u64, len: usize, i: usize) -> u64 {
    debug_assert!(i < len, "slot {i} beyond the frame ({len})");
    let _ = len;
    // SAFETY: `base` points at the frame's slot 0 with `len >= max_height` slots after it
    // (module doc), and `i < max_height`.
    unsafe { *base.add(i) }
}

/// Writes slot `i` of the frame.
#[inline(always)]
pub(super) fn write(base: *mut u64, len: usize, i: usize, v: u64) {
    debug_assert!(i < len, "slot {i} beyond the frame ({len})");
    let _ = len;
    // SAFETY: as in `read`.
    unsafe { *base.add(i) = v }
}

/// Copies `n` slots of the frame from `from` to `to` (the ranges may overlap).
#[inline(always)]
pub(super) fn copy(base: *mut u64, len: usize, from: usize, to: usize, n: usize) {
    debug_assert!(from + n <= len && to + n <= len, "slot copy beyond the frame ({len})");
    let _ = len;
    // SAFETY: both ranges lie within the frame's `max_height` slots (module doc).
    unsafe { std::ptr::copy(base.add(from), base.add(to), n) }
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
