//! Unchecked access to the value stack, the threaded instructions and the execution
//! state: the dispatch loop's and the handlers' hot path.
//!
//! Why this is sound: validation fixes the operand-stack height at every instruction,
//! the translator records the largest height of each function (`max_height`, locals
//! included), and the loop resizes the stack to at least `fp + max_height` before it
//! enters a function. Every slot the loop touches is `fp + h` with `h < max_height`.
//! Every op sequence ends in `Return` and every branch targets a pc inside the sequence.
//! The loop keeps raw pointers to the current frame's slots and instructions in locals so they
//! stay in registers; it re-derives them whenever the frame, the function or the stack's
//! allocation changes.
//!
//! The loop and the threaded handlers (`threaded`, which get the frame pointer and the
//! instruction pointer as arguments) reach slots and instructions through [`get`],
//! [`set`], [`copy_within`] and [`inst`]. Threaded code is the
//! one-to-one image of the op sequence (same length, same slots, jump distances that land
//! on the same pcs), and the loop enters it only through [`enter`] with the current
//! frame and function. The execution state that handlers change (`context::Ctx`: the
//! current function and frame, the frame buffer) is reached only through
//! [`enter_callee`], [`leave_callee`], [`global_get`], [`global_set`], [`charge_fuel`] and
//! [`target`]; the loop writes the store-owned pointers in it (global values, callees,
//! fuel) before every [`enter`], and the stack and frame-buffer pointers whenever it
//! grows them. Builds with debug assertions (which run the whole spec suite in
//! `cargo test`) record the current frame's extent and instruction range
//! ([`set_bounds`]) and check every access against them.

use super::context::{Ctx, Frame};
use super::threaded::Inst;
use crate::translate::CompiledFunc;

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

/// The `v128` in slots `i` and `i + 1` of the frame at `fp` (low half first), read as one
/// 16-byte access, so that a vector written by [`set_v128`] forwards to it whole.
#[inline(always)]
pub(super) fn get_v128(fp: *const u64, i: u32) -> u128 {
    check_slot(fp, i as usize + 1);
    // SAFETY: `fp` is the current frame's slot 0 and `i + 1 < max_height` (module doc: a
    // `v128` operand's two slots are both below the height); slots are 8-byte aligned, so
    // the read is unaligned.
    let v = unsafe { std::ptr::read_unaligned(fp.add(i as usize).cast::<u128>()) };
    // Slot `i` is the low half: on a big-endian host that half is the high one in memory.
    if cfg!(target_endian = "big") { v.rotate_left(64) } else { v }
}

/// Writes a `v128` to slots `i` and `i + 1` of the frame at `fp` (one 16-byte access).
#[inline(always)]
pub(super) fn set_v128(fp: *mut u64, i: u32, v: u128) {
    check_slot(fp, i as usize + 1);
    let v = if cfg!(target_endian = "big") { v.rotate_left(64) } else { v };
    // SAFETY: as in `get_v128`.
    unsafe { std::ptr::write_unaligned(fp.add(i as usize).cast::<u128>(), v) }
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
pub(super) fn enter(
    code: *const Inst,
    pc: usize,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: &mut Ctx,
) -> super::threaded::Exit {
    let ip = code.wrapping_add(pc);
    // The loop keeps no accumulator: no instruction it resumes at reads one.
    (inst(ip).handler)(ip, fp, mem, len, cx, 0)
}

/// The pc of the instruction at `ip` in `code`.
#[inline(always)]
pub(super) fn pc_of(code: *const Inst, ip: *const Inst) -> usize {
    (ip as usize).wrapping_sub(code as usize) / std::mem::size_of::<Inst>()
}

/// The translation `code` points to (the current function's, or a frame's).
#[inline(always)]
pub(super) fn code_of<'a>(code: *const CompiledFunc) -> &'a CompiledFunc {
    // SAFETY: every translation a `Ctx` or a `Frame` points to is owned by its module's
    // cache (`Module::compiled`), and the module by an instance of the store, which the
    // running loop holds for the whole run: it outlives every use.
    unsafe { &*code }
}

/// Most functions write at most this many slots on entry (declared locals and
/// constants): [`enter_callee`] writes those itself, with copies of a fixed size.
pub(super) const SMALL_FRAME_INIT: usize = 16;

/// Zeroes the declared locals of the frame at `fp` and writes its constant slots.
#[inline(always)]
pub(super) fn init_frame_at(fp: *mut u64, code: &CompiledFunc) {
    let init = &code.frame_init[..];
    // SAFETY: the caller checked that the frame's `max_height` slots from `fp` lie in the
    // value stack, and the parameters plus `frame_init` are at most `max_height` slots.
    let dst = unsafe { std::slice::from_raw_parts_mut(fp.add(code.num_params as usize), init.len()) };
    // Copies of a fixed size compile to a few moves, where a copy of a variable size is
    // a call to `memcpy`.
    macro_rules! small {
        ($($n:literal)*) => {
            match init.len() {
                0 => {}
                $($n => dst[..$n].copy_from_slice(&init[..$n]),)*
                _ => dst.copy_from_slice(init),
            }
        };
    }
    small!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);
}

/// Enters the callee of a direct call from instruction `ip` whose arguments start at
/// slot `base`, if a handler may: `func` (of the current instance) is translated, the
/// frame buffer has room and the value stack holds the callee's frame. Pushes the
/// caller's frame and makes the callee current; returns its first instruction, its
/// frame and whether its locals and constants are still to be written (more than
/// [`SMALL_FRAME_INIT`] slots, see `init_frame_at`), or `None` for the loop to do the call.
#[inline(always)]
pub(super) fn enter_callee(
    cx: *mut Ctx,
    ip: *const Inst,
    func: u32,
    base: u32,
) -> Option<(*const Inst, *mut u64, bool)> {
    push_and_enter(cx, ip, direct_callee(cx, func)?, func, base)
}

/// The tail call (`return_call`) of `func` whose arguments start at slot `base`, if a
/// handler may (as in [`enter_callee`]): the arguments move down to the current frame's
/// base and the callee replaces the current function there, with no frame pushed.
/// Returns what [`enter_callee`] does, or `None` for the loop to do the call.
#[inline(always)]
pub(super) fn tail_enter_callee(cx: *mut Ctx, func: u32, base: u32) -> Option<(*const Inst, *mut u64, bool)> {
    replace_and_enter(cx, direct_callee(cx, func)?, func, base)
}

/// The translation of function `func` of the current instance, if it has one yet.
#[inline(always)]
fn direct_callee<'a>(cx: *mut Ctx, func: u32) -> Option<&'a CompiledFunc> {
    // SAFETY: `cx` is the running loop's `Ctx`, passed down the chain from `enter`; no
    // other reference to it is live while a handler runs. `callees` has an entry per
    // function of the current instance and `func` is a validated function index of its
    // module.
    let callee = unsafe { *(*cx).callees.add(func as usize) };
    if callee.is_null() {
        return None;
    }
    Some(code_of(callee))
}

/// The base and length of memory `mem` of the current instance (see [`Ctx::memories`]).
#[inline(always)]
pub(super) fn memory_view(cx: *mut Ctx, mem: u32) -> (*mut u8, usize) {
    // SAFETY: `cx` as in `enter_callee`; the loop sets `memories` before every `enter` to
    // the current instance's records, one per memory (`mem` is a validated index), each
    // the live base and length of a memory of the store (kept current by its
    // `LinearMemory`, and nothing resizes a memory while handlers run).
    unsafe {
        let def = &**(*cx).memories.add(mem as usize);
        (def.base, def.len as usize)
    }
}

/// Enters the callee of a `call_indirect` from instruction `ip` through element `i` of
/// table `table`, whose arguments start at slot `base` and whose expected type has the
/// canonical id `type_id`, if a handler may: the element is a translated function of the
/// current instance of that type (and the stacks have room, as in [`enter_callee`]).
/// Every other case (out of bounds, null, another type, another instance, a host
/// function, not yet translated) is the loop's, which traps or calls.
#[inline(always)]
pub(super) fn enter_indirect(
    cx: *mut Ctx,
    ip: *const Inst,
    table: u32,
    i: u32,
    type_id: u32,
    base: u32,
) -> Option<(*const Inst, *mut u64, bool)> {
    let (callee, index) = indirect_callee(cx, table, i, type_id)?;
    push_and_enter(cx, ip, callee, index, base)
}

/// The tail call (`return_call_indirect`) through element `i` of `table`, as
/// [`enter_indirect`] finds its callee and [`tail_enter_callee`] enters it.
#[inline(always)]
pub(super) fn tail_enter_indirect(
    cx: *mut Ctx,
    table: u32,
    i: u32,
    type_id: u32,
    base: u32,
) -> Option<(*const Inst, *mut u64, bool)> {
    let (callee, index) = indirect_callee(cx, table, i, type_id)?;
    replace_and_enter(cx, callee, index, base)
}

/// The callee of [`enter_indirect`] and its function index, if a handler may call it.
#[inline(always)]
fn indirect_callee<'a>(cx: *mut Ctx, table: u32, i: u32, type_id: u32) -> Option<(&'a CompiledFunc, u32)> {
    // SAFETY: `cx` as in `direct_callee`; `tables` has an entry per table of the current
    // instance (`table` is a validated index), each the live record of a table of the
    // store (refreshed by `TableInst::grow`), whose `len` elements are at `base`.
    let elem = unsafe {
        let def = &**(*cx).tables.add(table as usize);
        if i as u64 >= def.len {
            return None;
        }
        *def.base.add(i as usize)
    };
    let addr = elem.checked_sub(1)?;
    // SAFETY: a non-null element is the address (plus one) of a function of the store,
    // and `funcs` has an entry per function of the store.
    let entry = unsafe { *(*cx).funcs.add(addr as usize) };
    // SAFETY: `cx` as in `direct_callee`.
    if entry.code.is_null() || entry.instance != unsafe { (*cx).instance } {
        return None;
    }
    let callee = code_of(entry.code);
    if callee.type_id != type_id as u64 {
        return None;
    }
    Some((callee, entry.index))
}

/// The common part of [`enter_callee`] and [`enter_indirect`].
#[inline(always)]
fn push_and_enter(
    cx: *mut Ctx,
    ip: *const Inst,
    callee: &CompiledFunc,
    func: u32,
    base: u32,
) -> Option<(*const Inst, *mut u64, bool)> {
    // SAFETY: as in `direct_callee`.
    let cx = unsafe { &mut *cx };
    if cx.num_frames >= cx.frames_room {
        return None;
    }
    let fp = cx.fp + base as usize;
    if fp + callee.max_height as usize > cx.stack_limit {
        return None;
    }
    let frame = Frame { code: cx.code, ret: ip.wrapping_add(1), fp: cx.fp, instance: cx.instance, func: cx.func };
    // SAFETY: `num_frames < frames_room <= ` the frame buffer's length (checked above);
    // `fp + max_height <= stack_limit <= ` the value stack's length.
    let slots = unsafe {
        cx.frames.add(cx.num_frames).write(frame);
        cx.stack.add(fp)
    };
    cx.num_frames += 1;
    let large = callee.frame_init.len() > SMALL_FRAME_INIT;
    if !large {
        init_frame_at(slots, callee);
    }
    cx.code = callee;
    cx.fp = fp;
    cx.func = func;
    Some((callee.threaded.as_ptr(), slots, large))
}

/// The common part of [`tail_enter_callee`] and [`tail_enter_indirect`]: the frame stays
/// where it is (same base, same frame buffer), so a chain of tail calls runs in constant
/// space.
#[inline(always)]
fn replace_and_enter(
    cx: *mut Ctx,
    callee: &CompiledFunc,
    func: u32,
    base: u32,
) -> Option<(*const Inst, *mut u64, bool)> {
    // SAFETY: as in `direct_callee`.
    let cx = unsafe { &mut *cx };
    if cx.fp + callee.max_height as usize > cx.stack_limit {
        return None;
    }
    // SAFETY: `fp + max_height <= stack_limit <= ` the value stack's length (checked
    // above, for the callee's frame); the arguments are the current frame's slots from
    // `base`, below its `max_height`, which the loop made room for when it entered the
    // current function. The ranges may overlap: a fixed-size copy reads all of its
    // slots before it writes any, and `copy` is a `memmove`.
    let slots = unsafe {
        let slots = cx.stack.add(cx.fp);
        let from = slots.add(base as usize);
        // Copies of a fixed size compile to a few moves, where a copy of a variable size
        // is a call to `memmove`.
        macro_rules! small {
            ($($n:literal)*) => {
                match callee.num_params as usize {
                    0 => {}
                    $($n => slots.cast::<[u64; $n]>().write_unaligned(from.cast::<[u64; $n]>().read_unaligned()),)*
                    n => std::ptr::copy(from, slots, n),
                }
            };
        }
        small!(1 2 3 4 5 6 7 8);
        slots
    };
    let large = callee.frame_init.len() > SMALL_FRAME_INIT;
    if !large {
        init_frame_at(slots, callee);
    }
    cx.code = callee;
    cx.func = func;
    Some((callee.threaded.as_ptr(), slots, large))
}

/// Resumes the caller of the current function, if a handler may: there is one, of the
/// same instance. Pops its frame and returns its next instruction and frame, or `None`
/// for the loop to do the return.
#[inline(always)]
pub(super) fn leave_callee(cx: *mut Ctx) -> Option<(*const Inst, *mut u64)> {
    // SAFETY: as in `direct_callee`.
    let cx = unsafe { &mut *cx };
    let top = cx.num_frames.checked_sub(1)?;
    // SAFETY: frames below `num_frames` are written (by `enter_callee` or the loop).
    let f = unsafe { *cx.frames.add(top) };
    if f.instance != cx.instance {
        return None;
    }
    cx.num_frames = top;
    cx.code = f.code;
    cx.fp = f.fp;
    cx.func = f.func;
    // SAFETY: the caller's frame lies below the callee's, inside the value stack.
    Some((f.ret, unsafe { cx.stack.add(f.fp) }))
}

/// The value of global `index` of the current instance.
#[inline(always)]
pub(super) fn global_get(cx: *mut Ctx, index: u32) -> u64 {
    // SAFETY: `cx` as in `direct_callee`; `globals` has an entry per global of the
    // instance, `index` is validated, and each entry is the address of a boxed value
    // owned by the store.
    unsafe { **(*cx).globals.add(index as usize) }
}

/// Writes global `index` of the current instance (validation made sure it is mutable).
#[inline(always)]
pub(super) fn global_set(cx: *mut Ctx, index: u32, v: u64) {
    // SAFETY: as in `global_get`; the loop holds the store mutably, so nothing else
    // reads or writes the value meanwhile.
    unsafe { **(*cx).globals.add(index as usize) = v }
}

/// Charges `cost` units of fuel; `false` (fuel unchanged) if there are fewer left.
#[inline(always)]
pub(super) fn charge_fuel(cx: *mut Ctx, cost: u32) -> bool {
    // SAFETY: `cx` as in `direct_callee`; `fuel` is the address of the store's fuel,
    // which the loop holds mutably.
    unsafe {
        let fuel = (*cx).fuel;
        match (*fuel).checked_sub(cost as u64) {
            Some(left) => {
                *fuel = left;
                true
            }
            None => false,
        }
    }
}

/// The current function's translation.
#[inline(always)]
pub(super) fn current_code<'a>(cx: *mut Ctx) -> &'a CompiledFunc {
    // SAFETY: `cx` as in `direct_callee`.
    code_of(unsafe { (*cx).code })
}
