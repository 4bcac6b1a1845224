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
