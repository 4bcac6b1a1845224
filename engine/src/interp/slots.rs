//! Unchecked access to the value stack and the op array: the dispatch loop's hot path.
//!
//! Why this is sound: validation fixes the operand-stack height at every instruction,
//! the translator records the largest height of each function (`max_height`, locals
//! included), and the loop resizes the stack to at least `fp + max_height` before it
//! enters a function. Every slot the loop touches is `fp + h` with `h < max_height`.
//! Every op sequence ends in `Return` and every branch targets a pc inside the sequence.
//! Debug builds (which run the whole spec suite in `cargo test`) check both with
//! `debug_assert!`.

use crate::translate::Op;

/// Reads slot `i`.
#[inline(always)]
pub(super) fn get(stack: &[u64], i: usize) -> u64 {
    debug_assert!(i < stack.len(), "slot {i} beyond the stack ({})", stack.len());
    // SAFETY: `i < fp + max_height <= stack.len()` (module doc).
    unsafe { *stack.get_unchecked(i) }
}

/// Writes slot `i`.
#[inline(always)]
pub(super) fn set(stack: &mut [u64], i: usize, v: u64) {
    debug_assert!(i < stack.len(), "slot {i} beyond the stack ({})", stack.len());
    // SAFETY: `i < fp + max_height <= stack.len()` (module doc).
    unsafe { *stack.get_unchecked_mut(i) = v }
}

/// Fetches op `pc`.
#[inline(always)]
pub(super) fn fetch(ops: &[Op], pc: usize) -> Op {
    debug_assert!(pc < ops.len(), "pc {pc} beyond the function ({})", ops.len());
    // SAFETY: every op sequence ends in `Return` and branch targets lie inside it, so
    // execution never runs past the end (module doc).
    unsafe { *ops.get_unchecked(pc) }
}

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
