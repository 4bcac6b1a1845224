//! Threaded code: the form of translated ops the interpreter executes.
//!
//! Each [`Op`] of a translated function becomes an [`Inst`]: the handler function that
//! executes it and up to four 32-bit operands (slots, immediates, jump distances). A
//! handler does its one instruction and then calls the next instruction's handler in tail
//! position, which the optimiser compiles to a jump: execution flows from handler to
//! handler, each with its own indirect jump (which the branch predictor learns per
//! instruction, unlike the one shared jump of a `loop { match }`), and the hot state (the
//! instruction pointer, the frame's slots, the memory's base and length) stays in argument
//! registers. The numeric handlers are generated from the instruction table
//! ([`crate::for_each_numeric_op!`]).
//!
//! The frequent ops have handlers of their own, including calls (direct and indirect)
//! and returns within an instance, globals, fuel charges and value-moving branches, which reach the
//! execution state through the fifth argument ([`Ctx`], see `context`). The rest
//! (calls that cross instances or reach a host, tables, bulk memory, `memory.grow`) and every trap leave the chain with an [`Exit`] that names the
//! instruction, and the loop in `interp` carries them out with the store at hand.
//!
//! The sixth argument is the accumulator: the value the previous instruction wrote, when
//! that one is a single-result op (numeric, load, copy, constant, add-immediate, `select`,
//! `global.get`). An instruction reached only by falling through from such an op, that
//! reads the slot it wrote, is threaded with a handler variant (const parameter `WHICH`:
//! which operand) that takes the value from the register instead of the slot, so that a
//! chain of dependent ops does not wait for each result to be stored and loaded back
//! (see [`thread`]). The slot is still written: later instructions read it there.
//!
//! Tail calls become jumps only in optimised builds. Where they would not (builds with
//! debug assertions) and where a debugger must see every instruction, the handlers are
//! instantiated with `CHAIN = false`: each returns to the loop after its instruction.

use super::context::Ctx;
use super::numeric::*;
use super::slots;
use crate::error::TrapCode;
use crate::syntax::{LoadOp, StoreOp};
use crate::translate::{Bin, BranchTarget, IntCmp, Op, Un};

/// Executes the instruction at the pointer and what follows it, with the frame's slots,
/// the memory's base and length, the execution state ([`Ctx`]) and the accumulator (the
/// value the previous instruction wrote, see [`thread`]); returns where and why execution
/// left the chain.
pub type Handler = fn(*const Inst, *mut u64, *mut u8, usize, *mut Ctx, u64) -> Exit;

/// One threaded instruction.
#[derive(Clone, Copy)]
#[repr(C)]
pub struct Inst {
    pub(super) handler: Handler,
    pub(super) x: [u32; 4],
}

impl std::fmt::Debug for Inst {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Inst{:?}", self.x)
    }
}

/// Where execution left the chain (`ip`) and why.
#[derive(Clone, Copy)]
pub struct Exit {
    pub ip: *const Inst,
    why: u32,
}

/// Why execution left the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// `CHAIN = false`: one instruction ran; `ip` is the next.
    Step,
    /// The instruction at `ip` has no handler of its own: the loop executes it.
    Slow,
    /// The instruction at `ip` trapped.
    Trap(TrapCode),
}

/// Every trap code, in the order of their `Exit::why` codes (from 2). Handlers raise only
/// the first four; the rest are listed so that any code a handler might raise maps.
const TRAPS: [TrapCode; 21] = [
    TrapCode::MemoryOutOfBounds,
    TrapCode::IntegerDivideByZero,
    TrapCode::IntegerOverflow,
    TrapCode::InvalidConversionToInteger,
    TrapCode::Unreachable,
    TrapCode::TableOutOfBounds,
    TrapCode::IndirectCallTypeMismatch,
    TrapCode::UninitializedElement,
    TrapCode::UndefinedElement,
    TrapCode::NullReference,
    TrapCode::CallStackExhausted,
    TrapCode::Host,
    TrapCode::Exit,
    TrapCode::OutOfFuel,
    TrapCode::UncaughtException,
    TrapCode::NullFunctionReference,
    TrapCode::NullStructReference,
    TrapCode::NullArrayReference,
    TrapCode::NullI31Reference,
    TrapCode::CastFailure,
    TrapCode::ArrayOutOfBounds,
];

impl Exit {
    pub fn why(self) -> Why {
        match self.why {
            0 => Why::Step,
            1 => Why::Slow,
            n => TRAPS.get(n as usize - 2).map_or(Why::Slow, |c| Why::Trap(*c)),
        }
    }
}

#[inline(always)]
fn trap(ip: *const Inst, code: TrapCode) -> Exit {
    // Every code has an entry (a test checks); `Slow` would be the loop's internal error.
    let why = TRAPS.iter().position(|c| *c == code).map_or(1, |i| i as u32 + 2);
    Exit { ip, why }
}

/// Continues at `ip`: a tail call of its handler, or (without `CHAIN`) back to the loop.
#[inline(always)]
fn dispatch<const CHAIN: bool>(
    ip: *const Inst,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut Ctx,
    acc: u64,
) -> Exit {
    if CHAIN { (slots::inst(ip).handler)(ip, fp, mem, len, cx, acc) } else { Exit { ip, why: 0 } }
}

/// Defines a handler: `$body` does the instruction and yields the next instruction's
/// pointer (or returns an [`Exit`]). The plain forms pass the accumulator on untouched;
/// `@produce` names it (`$acc`) so that the body sets it to the value it writes;
/// `@consume` also gives the handler the const parameter `$which` (which operand, 1 or 2,
/// the body reads from the accumulator instead of its slot; 0: none).
macro_rules! handler {
    ($name:ident($ip:ident, $fp:ident, $mem:ident, $len:ident, $x:ident) => $body:expr) => {
        handler!($name($ip, $fp, $mem, $len, cx, $x) => $body);
    };
    ($name:ident($ip:ident, $fp:ident, $mem:ident, $len:ident, $cx:ident, $x:ident) => $body:expr) => {
        handler!(@produce $name($ip, $fp, $mem, $len, $cx, $x, acc) => $body);
    };
    (@produce $name:ident($ip:ident, $fp:ident, $mem:ident, $len:ident, $cx:ident, $x:ident, $acc:ident) => $body:expr) => {
        #[allow(non_snake_case, unused_variables, unused_mut, unused_assignments)]
        fn $name<const CHAIN: bool>(
            $ip: *const Inst, $fp: *mut u64, $mem: *mut u8, $len: usize, $cx: *mut Ctx, mut $acc: u64,
        ) -> Exit {
            let $x = slots::inst($ip).x;
            let next: *const Inst = $body;
            dispatch::<CHAIN>(next, $fp, $mem, $len, $cx, $acc)
        }
    };
    (@consume $name:ident<$which:ident>($ip:ident, $fp:ident, $mem:ident, $len:ident, $cx:ident, $x:ident, $acc:ident) => $body:expr) => {
        #[allow(non_snake_case, unused_variables, unused_mut, unused_assignments)]
        fn $name<const CHAIN: bool, const $which: u8>(
            $ip: *const Inst, $fp: *mut u64, $mem: *mut u8, $len: usize, $cx: *mut Ctx, mut $acc: u64,
        ) -> Exit {
            let $x = slots::inst($ip).x;
            let next: *const Inst = $body;
            dispatch::<CHAIN>(next, $fp, $mem, $len, $cx, $acc)
        }
    };
}

/// Operand `$k` (1 or 2) of a consuming handler: the accumulator if `$which` says so, else
/// slot `$slot`.
macro_rules! operand {
    ($which:ident, $k:literal, $acc:ident, $fp:ident, $slot:expr) => {
        if $which == $k { $acc } else { slots::get($fp, $slot) }
    };
}

/// Defines a conditional jump's handler: to the instruction `$rel` away if `$cond`
/// holds, else to the next. Each outcome dispatches on its own (two indirect jumps,
/// each learnt by the branch predictor), and the test stays a branch: computing the next
/// instruction with a conditional move would make every dispatch after a compare-and-jump
/// wait for the compare (8% slower on a sieve loop).
macro_rules! jump_handler {
    ($name:ident($ip:ident, $fp:ident, $x:ident, $a:ident) => if $cond:expr => $rel:expr) => {
        #[allow(non_snake_case)]
        fn $name<const CHAIN: bool, const WHICH: u8>(
            $ip: *const Inst,
            $fp: *mut u64,
            mem: *mut u8,
            len: usize,
            cx: *mut Ctx,
            acc: u64,
        ) -> Exit {
            let $x = slots::inst($ip).x;
            // The first operand (always in `x[0]`) may come from the accumulator.
            let $a = operand!(WHICH, 1, acc, $fp, $x[0]);
            if $cond {
                return dispatch::<CHAIN>(jump($ip, $rel), $fp, mem, len, cx, acc);
            }
            std::hint::cold_path();
            dispatch::<CHAIN>($ip.wrapping_add(1), $fp, mem, len, cx, acc)
        }
    };
}

/// The jump at `ip` with distance `rel` (in instructions, two's complement).
#[inline(always)]
fn jump(ip: *const Inst, rel: u32) -> *const Inst {
    ip.wrapping_offset(rel as i32 as isize)
}

fn slow<const CHAIN: bool>(ip: *const Inst, _: *mut u64, _: *mut u8, _: usize, _: *mut Ctx, _: u64) -> Exit {
    to_loop(ip)
}

/// Leaves the chain at `ip` for the loop, which executes that instruction.
#[inline(always)]
fn to_loop(ip: *const Inst) -> Exit {
    Exit { ip, why: 1 }
}

/// Defines the slot decoders and encoders (one-line functions).
macro_rules! conversions {
    ($($name:ident($v:ident: $t:ty) -> $r:ty = $e:expr;)*) => {
        $(
            #[inline(always)]
            fn $name($v: $t) -> $r {
                $e
            }
        )*
    };
}

// A slot holds an i32 in its low 32 bits, an i64 whole, a float as its bits.
conversions! {
    i32s(s: u64) -> i32 = s as u32 as i32;
    u32s(s: u64) -> u32 = s as u32;
    i64s(s: u64) -> i64 = s as i64;
    u64s(s: u64) -> u64 = s;
    f32s(s: u64) -> f32 = f32::from_bits(s as u32);
    f64s(s: u64) -> f64 = f64::from_bits(s);
    from_i32(v: i32) -> u64 = v as u32 as u64;
    from_u32(v: u32) -> u64 = v as u64;
    from_i64(v: i64) -> u64 = v as u64;
    from_u64(v: u64) -> u64 = v;
    from_bool(v: bool) -> u64 = v as u64;
    from_f32(v: f32) -> u64 = v.to_bits() as u64;
    from_f64(v: f64) -> u64 = v.to_bits();
}

macro_rules! un {
    ($name:ident, $from:ident, $to:ident, $f:expr) => {
        handler!(@consume $name<WHICH>(ip, fp, mem, len, cx, x, acc) => {
            let a = $from(operand!(WHICH, 1, acc, fp, x[1]));
            acc = $to($f(a));
            slots::set(fp, x[0], acc);
            ip.wrapping_add(1)
        });
    };
}
macro_rules! bin {
    ($name:ident, $from:ident, $to:ident, $f:expr) => {
        handler!(@consume $name<WHICH>(ip, fp, mem, len, cx, x, acc) => {
            let a = $from(operand!(WHICH, 1, acc, fp, x[1]));
            let b = $from(operand!(WHICH, 2, acc, fp, x[2]));
            acc = $to($f(a, b));
            slots::set(fp, x[0], acc);
            ip.wrapping_add(1)
        });
    };
}
macro_rules! un_trap {
    ($name:ident, $from:ident, $to:ident, $f:expr) => {
        handler!(@consume $name<WHICH>(ip, fp, mem, len, cx, x, acc) => {
            let a = $from(operand!(WHICH, 1, acc, fp, x[1]));
            match $f(a) {
                Ok(r) => acc = $to(r),
                Err(c) => return trap(ip, c),
            }
            slots::set(fp, x[0], acc);
            ip.wrapping_add(1)
        });
    };
}
macro_rules! bin_trap {
    ($name:ident, $from:ident, $to:ident, $f:expr) => {
        handler!(@consume $name<WHICH>(ip, fp, mem, len, cx, x, acc) => {
            let a = $from(operand!(WHICH, 1, acc, fp, x[1]));
            let b = $from(operand!(WHICH, 2, acc, fp, x[2]));
            match $f(a, b) {
                Ok(r) => acc = $to(r),
                Err(c) => return trap(ip, c),
            }
            slots::set(fp, x[0], acc);
            ip.wrapping_add(1)
        });
    };
}

// The SIMD handlers (after the macros, which they use).
mod simd;
mod wide;

// Control and data movement.
handler!(op_nop(ip, fp, mem, len, x) => ip.wrapping_add(1));
handler!(@consume op_copy<WHICH>(ip, fp, mem, len, cx, x, acc) => {
    acc = operand!(WHICH, 1, acc, fp, x[1]);
    slots::set(fp, x[0], acc);
    ip.wrapping_add(1)
});
// Two ops in one (see `pair_inst`): `x = [d, s, d2, s2]`, the second copy after the first.
handler!(@consume op_copy_copy<WHICH>(ip, fp, mem, len, cx, x, acc) => {
    slots::set(fp, x[0], operand!(WHICH, 1, acc, fp, x[1]));
    acc = slots::get(fp, x[3]);
    slots::set(fp, x[2], acc);
    ip.wrapping_add(2)
});
// `x = [d, s, distance]`: a copy, then the jump after it (measured from the copy).
handler!(@consume op_copy_jump<WHICH>(ip, fp, mem, len, cx, x, acc) => {
    acc = operand!(WHICH, 1, acc, fp, x[1]);
    slots::set(fp, x[0], acc);
    jump(ip, x[2])
});
// `x = [d | a << 16, imm, d2 | a2 << 16, imm2]`: two add-immediates (see `pair_inst`).
handler!(@consume op_add_imm_add_imm<WHICH>(ip, fp, mem, len, cx, x, acc) => {
    let v = (operand!(WHICH, 1, acc, fp, x[0] >> 16) as u32).wrapping_add(x[1]);
    slots::set(fp, x[0] & 0xffff, v as u64);
    acc = (slots::get(fp, x[2] >> 16) as u32).wrapping_add(x[3]) as u64;
    slots::set(fp, x[2] & 0xffff, acc);
    ip.wrapping_add(2)
});
// `x = [d | a << 16, imm, addr, offset]`: an add-immediate and the 32-bit store of its
// sum at `addr + offset` after it (a counter kept in memory); a trap is the store's.
handler!(@consume op_add_imm_store32<WHICH>(ip, fp, mem, len, cx, x, acc) => {
    let v = (operand!(WHICH, 1, acc, fp, x[0] >> 16) as u32).wrapping_add(x[1]);
    slots::set(fp, x[0] & 0xffff, v as u64);
    let ea = slots::get(fp, x[2]) as u32 as usize + x[3] as usize;
    if !slots::mem_write::<4>(mem, len, ea, v.to_le_bytes()) {
        return trap(ip.wrapping_add(1), TrapCode::MemoryOutOfBounds);
    }
    ip.wrapping_add(2)
});
handler!(@produce op_const(ip, fp, mem, len, cx, x, acc) => {
    acc = x[1] as u64 | (x[2] as u64) << 32;
    slots::set(fp, x[0], acc);
    ip.wrapping_add(1)
});
handler!(op_jump(ip, fp, mem, len, x) => jump(ip, x[0]));
jump_handler!(op_jump_if(ip, fp, x, a) => if a as u32 != 0 => x[1]);
jump_handler!(op_jump_if_zero(ip, fp, x, a) => if a as u32 == 0 => x[1]);
/// Moves `n` slots of the frame from `from` to `to`, then returns `$then` (a dispatch).
/// Nothing or one slot is moved in place; more are moved by [`move_many`], which then
/// dispatches itself: the call to `memmove` stays out of the handler, which so needs no
/// stack frame. The operands must fit [`MovePlan`] (checked when threading).
macro_rules! move_then {
    ($fp:expr, $from:expr, $to:expr, $n:expr, ($next:expr, $mem:expr, $len:expr, $cx:expr)) => {{
        let (fp, from, to, n): (*mut u64, u32, u32, u32) = ($fp, $from, $to, $n);
        if n > 1 {
            return move_many::<CHAIN>($next, fp, $mem, $len, $cx, MovePlan::pack(from, to, n));
        }
        if n == 1 {
            slots::set(fp, to, slots::get(fp, from));
        }
        // A branch target never reads the accumulator.
        return dispatch::<CHAIN>($next, fp, $mem, $len, $cx, 0);
    }};
}

/// A slot move packed in one word (so that [`move_many`] takes six arguments, all in
/// registers, and a handler's call to it is a jump): source and destination below
/// 2^24, count below 2^16.
struct MovePlan;

impl MovePlan {
    fn fits(from: u32, to: u32, n: u32) -> bool {
        from < 1 << 24 && to < 1 << 24 && n < 1 << 16
    }

    #[inline(always)]
    fn pack(from: u32, to: u32, n: u32) -> u64 {
        from as u64 | (to as u64) << 24 | (n as u64) << 48
    }
}

/// Moves the slots of a packed [`MovePlan`], then dispatches `next`.
#[inline(never)]
fn move_many<const CHAIN: bool>(
    next: *const Inst,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut Ctx,
    plan: u64,
) -> Exit {
    let (from, to, n) = (plan as u32 & 0xff_ffff, (plan >> 24) as u32 & 0xff_ffff, (plan >> 48) as u32);
    slots::copy_within(fp, from, to, n);
    dispatch::<CHAIN>(next, fp, mem, len, cx, 0)
}

/// A branch moving values: `x` is the target's distance, height, number kept and source.
fn op_branch<const CHAIN: bool>(
    ip: *const Inst,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut Ctx,
    _acc: u64,
) -> Exit {
    let x = slots::inst(ip).x;
    move_then!(fp, x[3], x[1], x[2], (jump(ip, x[0]), mem, len, cx))
}

/// A `br_if` moving values: `x` is the condition, the target's distance, its height and
/// number kept (packed: `height << 8 | keep`) and the source.
fn op_branch_if<const CHAIN: bool, const WHICH: u8>(
    ip: *const Inst,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut Ctx,
    acc: u64,
) -> Exit {
    let x = slots::inst(ip).x;
    if operand!(WHICH, 1, acc, fp, x[0]) as u32 != 0 {
        move_then!(fp, x[3], x[2] >> 8, x[2] & 0xff, (jump(ip, x[1]), mem, len, cx))
    }
    std::hint::cold_path();
    dispatch::<CHAIN>(ip.wrapping_add(1), fp, mem, len, cx, acc)
}

/// `br_table`: `x` is the index slot, the distance to the table's entries and their
/// number (the last is the default). The entries are instructions of their own placed
/// after the function's code (see [`thread`]), each the target's handler and the branch
/// to it (`x` as [`op_branch`]'s), so that the indirect jump this dispatch ends with, the
/// one a VM's `switch` mispredicts, waits for one load after the index, not three.
fn op_branch_table<const CHAIN: bool, const WHICH: u8>(
    ip: *const Inst,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut Ctx,
    acc: u64,
) -> Exit {
    let x = slots::inst(ip).x;
    // The index is often the value just loaded (a VM's next opcode): from the accumulator.
    let i = (operand!(WHICH, 1, acc, fp, x[0]) as u32).min(x[2] - 1);
    let entry = jump(ip, x[1]).wrapping_add(i as usize);
    let e = slots::inst(entry);
    let next = jump(entry, e.x[0]);
    if e.x[2] != 0 {
        move_then!(fp, e.x[3], e.x[1], e.x[2], (next, mem, len, cx))
    }
    // A branch target never reads the accumulator.
    if CHAIN { (e.handler)(next, fp, mem, len, cx, 0) } else { Exit { ip: next, why: 0 } }
}
// Globals (spec §4.4.5), through the current instance's table of value addresses:
// `x = [slot, global]`.
handler!(@produce op_global_get(ip, fp, mem, len, cx, x, acc) => {
    acc = slots::global_get(cx, x[1]);
    slots::set(fp, x[0], acc);
    ip.wrapping_add(1)
});
handler!(@consume op_global_set<WHICH>(ip, fp, mem, len, cx, x, acc) => {
    slots::global_set(cx, x[1], operand!(WHICH, 1, acc, fp, x[0]));
    ip.wrapping_add(1)
});
// A fuel charge (see `crate::fuel`): `x = [op, cost]`; the loop traps when fuel is short.
handler!(op_fuel(ip, fp, mem, len, cx, x) => {
    if !slots::charge_fuel(cx, x[1]) {
        return to_loop(ip);
    }
    ip.wrapping_add(1)
});

/// `call` (spec §4.4.10), `x = [op, func, base]` (`op` the loop's: see [`slow_op`]): when the callee is a translated function of
/// the same instance and the stacks have room, pushes the caller's frame and runs on in
/// the callee, whose frame starts at the arguments; otherwise the loop calls.
fn op_call<const CHAIN: bool>(
    ip: *const Inst,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut Ctx,
    _acc: u64,
) -> Exit {
    let x = slots::inst(ip).x;
    let _ = fp;
    match slots::enter_callee(cx, ip, x[1], x[2]) {
        Some((entry, callee_fp, false)) => dispatch::<CHAIN>(entry, callee_fp, mem, len, cx, 0),
        Some((entry, callee_fp, true)) => init_then::<CHAIN>(entry, callee_fp, mem, len, cx),
        None => to_loop(ip),
    }
}

/// `call_indirect` (spec §4.4.10) through table 0, `x = [op, base, type id, element
/// slot]`: when the
/// element is a translated function of the same instance with the expected type (its
/// canonical id) and the stacks have room, enters it as [`op_call`] does; every other
/// case, the traps included, is the loop's.
fn op_call_indirect<const CHAIN: bool>(
    ip: *const Inst,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut Ctx,
    _acc: u64,
) -> Exit {
    let x = slots::inst(ip).x;
    let i = slots::get(fp, x[3]) as u32;
    match slots::enter_indirect(cx, ip, 0, i, x[2], x[1]) {
        Some((entry, callee_fp, false)) => dispatch::<CHAIN>(entry, callee_fp, mem, len, cx, 0),
        Some((entry, callee_fp, true)) => init_then::<CHAIN>(entry, callee_fp, mem, len, cx),
        None => to_loop(ip),
    }
}

/// `return_call` (tail calls), `x = [op, func, base]`: when the callee is a translated
/// function of the same instance and the value stack has room, moves the arguments down
/// to the frame's base and runs on in the callee in the same frame (no frame is pushed:
/// a chain of tail calls is a chain of jumps); otherwise the loop calls.
fn op_return_call<const CHAIN: bool>(
    ip: *const Inst,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut Ctx,
    _acc: u64,
) -> Exit {
    let x = slots::inst(ip).x;
    let _ = fp;
    match slots::tail_enter_callee(cx, x[1], x[2]) {
        Some((entry, fp, false)) => dispatch::<CHAIN>(entry, fp, mem, len, cx, 0),
        Some((entry, fp, true)) => init_then::<CHAIN>(entry, fp, mem, len, cx),
        None => to_loop(ip),
    }
}

/// `return_call_indirect` through table 0, `x = [op, base, type id, element slot]`: the
/// callee as [`op_call_indirect`] finds it, entered as [`op_return_call`] does; every
/// other case, the traps included, is the loop's.
fn op_return_call_indirect<const CHAIN: bool>(
    ip: *const Inst,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut Ctx,
    _acc: u64,
) -> Exit {
    let x = slots::inst(ip).x;
    let i = slots::get(fp, x[3]) as u32;
    match slots::tail_enter_indirect(cx, 0, i, x[2], x[1]) {
        Some((entry, fp, false)) => dispatch::<CHAIN>(entry, fp, mem, len, cx, 0),
        Some((entry, fp, true)) => init_then::<CHAIN>(entry, fp, mem, len, cx),
        None => to_loop(ip),
    }
}

/// Writes the locals and constants of a large frame (the current function's, entered at
/// `fp`), then dispatches `entry`: apart from [`op_call`], so that its `memcpy` does not
/// give every call a stack frame.
#[inline(never)]
fn init_then<const CHAIN: bool>(entry: *const Inst, fp: *mut u64, mem: *mut u8, len: usize, cx: *mut Ctx) -> Exit {
    slots::init_frame_at(fp, slots::current_code(cx));
    dispatch::<CHAIN>(entry, fp, mem, len, cx, 0)
}

/// `return` and the end of a function, `x = [op, from, results]`: copies the results to the
/// frame's base and resumes the caller when it is of the same instance; the outermost
/// frame's return and a return to another instance are the loop's. This handler returns
/// at most one result (no call to `memmove`, no stack frame); [`op_return_many`] more.
fn op_return<const CHAIN: bool>(
    ip: *const Inst,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut Ctx,
    _acc: u64,
) -> Exit {
    let x = slots::inst(ip).x;
    match slots::leave_callee(cx) {
        Some((ret, caller_fp)) => {
            if x[2] == 1 {
                slots::set(fp, 0, slots::get(fp, x[1]));
            }
            dispatch::<CHAIN>(ret, caller_fp, mem, len, cx, 0)
        }
        None => to_loop(ip),
    }
}

/// [`op_return`] of two or more results.
fn op_return_many<const CHAIN: bool>(
    ip: *const Inst,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut Ctx,
    _acc: u64,
) -> Exit {
    let x = slots::inst(ip).x;
    match slots::leave_callee(cx) {
        Some((ret, caller_fp)) => {
            slots::copy_within(fp, x[1], 0, x[2]);
            dispatch::<CHAIN>(ret, caller_fp, mem, len, cx, 0)
        }
        None => to_loop(ip),
    }
}

// `select`: the destination holds the first operand. Without a branch (a conditional
// move): its condition is data, which a branch predictor guesses badly (a tenth of
// CoreMark's time went to mispredicted selects).
// `x = [d, a, b, c]`: `d = c ? a : b`; the condition may come from the accumulator.
handler!(@consume op_select<WHICH>(ip, fp, mem, len, cx, x, acc) => {
    let keep = operand!(WHICH, 1, acc, fp, x[3]) as u32 != 0;
    acc = std::hint::select_unpredictable(keep, slots::get(fp, x[1]), slots::get(fp, x[2]));
    slots::set(fp, x[0], acc);
    ip.wrapping_add(1)
});
handler!(@consume op_i32_add_imm<WHICH>(ip, fp, mem, len, cx, x, acc) => {
    acc = (operand!(WHICH, 1, acc, fp, x[1]) as u32).wrapping_add(x[2]) as u64;
    slots::set(fp, x[0], acc);
    ip.wrapping_add(1)
});
handler!(@produce op_i32_shl_add(ip, fp, mem, len, cx, x, acc) => {
    let b = (slots::get(fp, x[2]) as u32).wrapping_shl(x[3]);
    acc = (slots::get(fp, x[1]) as u32).wrapping_add(b) as u64;
    slots::set(fp, x[0], acc);
    ip.wrapping_add(1)
});
handler!(@consume op_i64_add_imm<WHICH>(ip, fp, mem, len, cx, x, acc) => {
    acc = operand!(WHICH, 1, acc, fp, x[1]).wrapping_add(x[2] as i32 as i64 as u64);
    slots::set(fp, x[0], acc);
    ip.wrapping_add(1)
});

/// The operands a compare-and-jump compares.
#[derive(Clone, Copy)]
enum Compared {
    /// Two i32 slots: `x = [a, b, distance]`.
    Slots,
    /// An i32 slot and an immediate: `x = [a, imm, distance]`.
    Imm,
    /// Two i64 slots: `x = [a, b, distance]`.
    Wide,
}

/// Compare-and-jump handlers, one per comparison and kind of operands.
macro_rules! jump_cmp {
    ($($cmp:ident $slot:ident $imm:ident $wide:ident,)*) => {
        $(
            jump_handler!($slot(ip, fp, x, a) =>
                if IntCmp::$cmp.holds(a as u32, slots::get(fp, x[1]) as u32) => x[2]);
            jump_handler!($imm(ip, fp, x, a) => if IntCmp::$cmp.holds(a as u32, x[1]) => x[2]);
            jump_handler!($wide(ip, fp, x, a) =>
                if IntCmp::$cmp.holds_wide(a, slots::get(fp, x[1])) => x[2]);
        )*
        /// `from_acc`: the first operand is the accumulator.
        fn jump_cmp_handler<const CHAIN: bool>(cmp: IntCmp, operands: Compared, from_acc: bool) -> Handler {
            match (cmp, operands, from_acc) {
                $(
                    (IntCmp::$cmp, Compared::Slots, false) => $slot::<CHAIN, 0>,
                    (IntCmp::$cmp, Compared::Imm, false) => $imm::<CHAIN, 0>,
                    (IntCmp::$cmp, Compared::Wide, false) => $wide::<CHAIN, 0>,
                    (IntCmp::$cmp, Compared::Slots, true) => $slot::<CHAIN, 1>,
                    (IntCmp::$cmp, Compared::Imm, true) => $imm::<CHAIN, 1>,
                    (IntCmp::$cmp, Compared::Wide, true) => $wide::<CHAIN, 1>,
                )*
            }
        }
    };
}
jump_cmp! {
    Eq jump_eq jump_eq_imm jump64_eq,
    Ne jump_ne jump_ne_imm jump64_ne,
    LtS jump_lt_s jump_lt_s_imm jump64_lt_s,
    LtU jump_lt_u jump_lt_u_imm jump64_lt_u,
    GtS jump_gt_s jump_gt_s_imm jump64_gt_s,
    GtU jump_gt_u jump_gt_u_imm jump64_gt_u,
    LeS jump_le_s jump_le_s_imm jump64_le_s,
    LeU jump_le_u jump_le_u_imm jump64_le_u,
    GeS jump_ge_s jump_ge_s_imm jump64_ge_s,
    GeU jump_ge_u jump_ge_u_imm jump64_ge_u,
    AndNonZero jump_and_nz jump_and_nz_imm jump64_and_nz,
    AndZero jump_and_z jump_and_z_imm jump64_and_z,
}

/// The end of a pair whose second op is a conditional jump: to the instruction `rel` away
/// from the pair if `taken`, else past the pair; each outcome dispatches on its own, as in
/// [`jump_handler`].
#[inline(always)]
#[allow(clippy::too_many_arguments, reason = "a handler's state and the branch")]
fn pair_branch<const CHAIN: bool>(
    taken: bool,
    ip: *const Inst,
    rel: u32,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut Ctx,
    acc: u64,
) -> Exit {
    if taken {
        return dispatch::<CHAIN>(jump(ip, rel), fp, mem, len, cx, acc);
    }
    std::hint::cold_path();
    dispatch::<CHAIN>(ip.wrapping_add(2), fp, mem, len, cx, acc)
}

/// An add-immediate and the compare-and-jump after it that compares its result (a loop's
/// counter and its test): `x = [d | a << 16, imm, b, distance]`, `b` a slot or (`IMM`) an
/// immediate, the comparison `IntCmp::ALL[CMP]`, the distance measured from the add.
fn op_add_imm_jump<const CHAIN: bool, const CMP: u8, const IMM: bool, const WHICH: u8>(
    ip: *const Inst,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut Ctx,
    acc: u64,
) -> Exit {
    let x = slots::inst(ip).x;
    let v = (operand!(WHICH, 1, acc, fp, x[0] >> 16) as u32).wrapping_add(x[1]);
    slots::set(fp, x[0] & 0xffff, v as u64);
    let b = if IMM { x[2] } else { slots::get(fp, x[2]) as u32 };
    pair_branch::<CHAIN>(IntCmp::ALL[CMP as usize].holds(v, b), ip, x[3], fp, mem, len, cx, v as u64)
}

/// The binary operators [`op_bin_jump`] fuses with a following compare-and-jump, by the
/// number of its const parameter `OP`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum JumpBin {
    Add,
    Sub,
    And,
    Or,
    Xor,
}

impl JumpBin {
    const ALL: [JumpBin; 5] = [JumpBin::Add, JumpBin::Sub, JumpBin::And, JumpBin::Or, JumpBin::Xor];

    /// The operator and whether it is the i64 one, for ops that have a fused form.
    fn of(op: Op) -> Option<(JumpBin, bool, Bin)> {
        Some(match op {
            Op::I32Add(x) => (JumpBin::Add, false, x),
            Op::I32Sub(x) => (JumpBin::Sub, false, x),
            Op::I32And(x) => (JumpBin::And, false, x),
            Op::I32Or(x) => (JumpBin::Or, false, x),
            Op::I32Xor(x) => (JumpBin::Xor, false, x),
            Op::I64Add(x) => (JumpBin::Add, true, x),
            Op::I64Sub(x) => (JumpBin::Sub, true, x),
            _ => return None,
        })
    }

    #[inline(always)]
    fn apply(self, a: u64, b: u64) -> u64 {
        match self {
            JumpBin::Add => a.wrapping_add(b),
            JumpBin::Sub => a.wrapping_sub(b),
            JumpBin::And => a & b,
            JumpBin::Or => a | b,
            JumpBin::Xor => a ^ b,
        }
    }
}

/// A binary operator of two slots (`JumpBin::ALL[OP]`, i32, or i64 if `WIDE`) and the
/// compare-and-jump after it that compares the result (a loop's counter stepped by a
/// variable, a masked value tested): `x = [d | a << 16, b | c << 16, distance, imm]`,
/// comparing with slot `c` or (`IMM`, i32 only) the immediate; the comparison
/// `IntCmp::ALL[CMP]`; `WHICH` as for the numeric ops (1: `a`, 2: `b` from the
/// accumulator).
fn op_bin_jump<const CHAIN: bool, const OP: u8, const CMP: u8, const WIDE: bool, const IMM: bool, const WHICH: u8>(
    ip: *const Inst,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut Ctx,
    acc: u64,
) -> Exit {
    let x = slots::inst(ip).x;
    let a = operand!(WHICH, 1, acc, fp, x[0] >> 16);
    let b = operand!(WHICH, 2, acc, fp, x[1] & 0xffff);
    let v = JumpBin::ALL[OP as usize].apply(a, b);
    let v = if WIDE { v } else { v as u32 as u64 };
    slots::set(fp, x[0] & 0xffff, v);
    let c = if IMM { x[3] as u64 } else { slots::get(fp, x[1] >> 16) };
    let cmp = IntCmp::ALL[CMP as usize];
    let taken = if WIDE { cmp.holds_wide(v, c) } else { cmp.holds(v as u32, c as u32) };
    pair_branch::<CHAIN>(taken, ip, x[2], fp, mem, len, cx, v)
}

/// The handler of [`op_bin_jump`] for an operator, comparison, width, operand kind and
/// accumulator use (`which` 0, 1 or 2); `None` for the combinations without one (an i64
/// comparison with an immediate).
fn bin_jump_handler<const CHAIN: bool>(bin: JumpBin, cmp: IntCmp, wide: bool, imm: bool, which: u8) -> Option<Handler> {
    macro_rules! with_op {
        ($op:expr) => {
            with_cmp!($op, Eq Ne LtS LtU GtS GtU LeS LeU GeS GeU AndNonZero AndZero)
        };
    }
    macro_rules! with_cmp {
        ($op:expr, $($c:ident)*) => {
            match (cmp, wide, imm, which) {
                $(
                    (IntCmp::$c, false, false, 0) => op_bin_jump::<CHAIN, { $op as u8 }, { IntCmp::$c as u8 }, false, false, 0>,
                    (IntCmp::$c, false, false, 1) => op_bin_jump::<CHAIN, { $op as u8 }, { IntCmp::$c as u8 }, false, false, 1>,
                    (IntCmp::$c, false, false, 2) => op_bin_jump::<CHAIN, { $op as u8 }, { IntCmp::$c as u8 }, false, false, 2>,
                    (IntCmp::$c, false, true, 0) => op_bin_jump::<CHAIN, { $op as u8 }, { IntCmp::$c as u8 }, false, true, 0>,
                    (IntCmp::$c, false, true, 1) => op_bin_jump::<CHAIN, { $op as u8 }, { IntCmp::$c as u8 }, false, true, 1>,
                    (IntCmp::$c, false, true, 2) => op_bin_jump::<CHAIN, { $op as u8 }, { IntCmp::$c as u8 }, false, true, 2>,
                    (IntCmp::$c, true, false, 0) => op_bin_jump::<CHAIN, { $op as u8 }, { IntCmp::$c as u8 }, true, false, 0>,
                    (IntCmp::$c, true, false, 1) => op_bin_jump::<CHAIN, { $op as u8 }, { IntCmp::$c as u8 }, true, false, 1>,
                    (IntCmp::$c, true, false, 2) => op_bin_jump::<CHAIN, { $op as u8 }, { IntCmp::$c as u8 }, true, false, 2>,
                )*
                _ => return None,
            }
        };
    }
    Some(match bin {
        JumpBin::Add => with_op!(JumpBin::Add),
        JumpBin::Sub => with_op!(JumpBin::Sub),
        JumpBin::And => with_op!(JumpBin::And),
        JumpBin::Or => with_op!(JumpBin::Or),
        JumpBin::Xor => with_op!(JumpBin::Xor),
    })
}

/// A load of an i32 (`KIND`: 0 32 bits, 1 8 bits unsigned, 2 8 bits signed, 3 16 bits
/// unsigned, 4 16 bits signed) and the compare-and-jump after it that compares the loaded
/// value (a byte or a field tested as soon as it is read): `x = [d | addr << 16, offset,
/// c, distance]`, comparing with slot `c` or (`IMM`) the immediate `c`; the address from
/// the accumulator if `WHICH` is 1; a trap is the load's.
fn op_load_jump<const CHAIN: bool, const KIND: u8, const CMP: u8, const IMM: bool, const WHICH: u8>(
    ip: *const Inst,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut Ctx,
    acc: u64,
) -> Exit {
    let x = slots::inst(ip).x;
    let ea = operand!(WHICH, 1, acc, fp, x[0] >> 16) as u32 as usize + x[1] as usize;
    let loaded = match KIND {
        0 => slots::mem_read::<4>(mem, len, ea).map(u32::from_le_bytes),
        1 => slots::mem_read::<1>(mem, len, ea).map(|b| b[0] as u32),
        2 => slots::mem_read::<1>(mem, len, ea).map(|b| b[0] as i8 as i32 as u32),
        3 => slots::mem_read::<2>(mem, len, ea).map(|b| u16::from_le_bytes(b) as u32),
        _ => slots::mem_read::<2>(mem, len, ea).map(|b| i16::from_le_bytes(b) as i32 as u32),
    };
    let Some(v) = loaded else { return trap(ip, TrapCode::MemoryOutOfBounds) };
    slots::set(fp, x[0] & 0xffff, v as u64);
    let c = if IMM { x[2] } else { slots::get(fp, x[2]) as u32 };
    pair_branch::<CHAIN>(IntCmp::ALL[CMP as usize].holds(v, c), ip, x[3], fp, mem, len, cx, v as u64)
}

/// The handler of [`op_load_jump`] for a load, comparison, operand kind and accumulator
/// use; `None` for loads without one.
fn load_jump_handler<const CHAIN: bool>(kind: LoadOp, cmp: IntCmp, imm: bool, from_acc: bool) -> Option<Handler> {
    macro_rules! with_kind {
        ($k:literal) => {
            with_cmp!($k, Eq Ne LtS LtU GtS GtU LeS LeU GeS GeU AndNonZero AndZero)
        };
    }
    macro_rules! with_cmp {
        ($k:literal, $($c:ident)*) => {
            match (cmp, imm, from_acc) {
                $(
                    (IntCmp::$c, false, false) => op_load_jump::<CHAIN, $k, { IntCmp::$c as u8 }, false, 0>,
                    (IntCmp::$c, true, false) => op_load_jump::<CHAIN, $k, { IntCmp::$c as u8 }, true, 0>,
                    (IntCmp::$c, false, true) => op_load_jump::<CHAIN, $k, { IntCmp::$c as u8 }, false, 1>,
                    (IntCmp::$c, true, true) => op_load_jump::<CHAIN, $k, { IntCmp::$c as u8 }, true, 1>,
                )*
            }
        };
    }
    Some(match kind {
        LoadOp::I32Load => with_kind!(0),
        LoadOp::I32Load8U => with_kind!(1),
        LoadOp::I32Load8S => with_kind!(2),
        LoadOp::I32Load16U => with_kind!(3),
        LoadOp::I32Load16S => with_kind!(4),
        _ => return None,
    })
}

/// The handler of [`op_add_imm_jump`] for a comparison, operand kind and accumulator use.
fn add_imm_jump_handler<const CHAIN: bool>(cmp: IntCmp, imm: bool, from_acc: bool) -> Handler {
    macro_rules! pick {
        ($($c:ident)*) => {
            match (cmp, imm, from_acc) {
                $(
                    (IntCmp::$c, false, false) => op_add_imm_jump::<CHAIN, { IntCmp::$c as u8 }, false, 0>,
                    (IntCmp::$c, true, false) => op_add_imm_jump::<CHAIN, { IntCmp::$c as u8 }, true, 0>,
                    (IntCmp::$c, false, true) => op_add_imm_jump::<CHAIN, { IntCmp::$c as u8 }, false, 1>,
                    (IntCmp::$c, true, true) => op_add_imm_jump::<CHAIN, { IntCmp::$c as u8 }, true, 1>,
                )*
            }
        };
    }
    pick!(Eq Ne LtS LtU GtS GtU LeS LeU GeS GeU AndNonZero AndZero)
}

/// The effective address of a load or store: slot `a` plus the static offset, or (for
/// the `...AddImm` forms) plus an immediate modulo 2^32.
macro_rules! address {
    (offset, $base:expr, $imm:expr) => {
        $base as u32 as usize + $imm as usize
    };
    (wrap, $base:expr, $imm:expr) => {
        ($base as u32).wrapping_add($imm) as usize
    };
}

/// Loads: `x = [d, addr, offset]` (or `[d, a, imm]`).
macro_rules! load {
    ($($name:ident $wrap_name:ident $n:literal $conv:expr;)*) => {
        $(
            load!(@one $name offset $n $conv);
            load!(@one $wrap_name wrap $n $conv);
        )*
    };
    (@one $name:ident $mode:ident $n:literal $conv:expr) => {
        handler!(@consume $name<WHICH>(ip, fp, mem, len, cx, x, acc) => {
            let ea = address!($mode, operand!(WHICH, 1, acc, fp, x[1]), x[2]);
            match slots::mem_read::<$n>(mem, len, ea) {
                Some(b) => acc = $conv(b),
                None => return trap(ip, TrapCode::MemoryOutOfBounds),
            }
            slots::set(fp, x[0], acc);
            ip.wrapping_add(1)
        });
    };
}
load! {
    I32Load I32LoadAddImm 4 |b| u32::from_le_bytes(b) as u64;
    I64Load I64LoadAddImm 8 u64::from_le_bytes;
    I32Load8S I32Load8SAddImm 1 |b: [u8; 1]| b[0] as i8 as i32 as u32 as u64;
    I32Load8U I32Load8UAddImm 1 |b: [u8; 1]| b[0] as u64;
    I32Load16S I32Load16SAddImm 2 |b| i16::from_le_bytes(b) as i32 as u32 as u64;
    I32Load16U I32Load16UAddImm 2 |b| u16::from_le_bytes(b) as u64;
    I64Load8S I64Load8SAddImm 1 |b: [u8; 1]| b[0] as i8 as i64 as u64;
    I64Load16S I64Load16SAddImm 2 |b| i16::from_le_bytes(b) as i64 as u64;
    I64Load32S I64Load32SAddImm 4 |b| i32::from_le_bytes(b) as i64 as u64;
}

/// The effective address of an access to a memory other than a 32-bit memory 0
/// ([`Op::LoadMem`], [`Op::StoreMem`]): address slot value `a` (its low 32 bits unless
/// `is64`) plus `offset`, not wrapping: `None` (out of bounds) on overflow.
#[inline(always)]
fn wide_address(a: u64, is64: bool, offset: u64) -> Option<usize> {
    let a = if is64 { a } else { a as u32 as u64 };
    usize::try_from(a.checked_add(offset)?).ok()
}

/// The base and length of memory `index`: memory 0's (a 64-bit one: the others never
/// reach these handlers) are the registers' view; any other's come from the instance's
/// records.
#[inline(always)]
fn view(index: u32, mem: *mut u8, len: usize, cx: *mut Ctx) -> (*mut u8, usize) {
    if index == 0 { (mem, len) } else { slots::memory_view(cx, index) }
}

/// A load from a memory other than a 32-bit memory 0 ([`Op::LoadMem`], `KIND` the
/// [`LoadOp`]): `x = [d, addr, mem << 1 | is64, offset]`. The base and length of a
/// memory other than memory 0 come from the instance's memory records (`Ctx::memories`).
fn op_load_mem<const CHAIN: bool, const KIND: u8>(
    ip: *const Inst,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut Ctx,
    acc: u64,
) -> Exit {
    let x = slots::inst(ip).x;
    let kind = LoadOp::ALL[KIND as usize];
    let (base, size) = view(x[2] >> 1, mem, len, cx);
    let Some(ea) = wide_address(slots::get(fp, x[1]), x[2] & 1 != 0, u64::from(x[3])) else {
        return trap(ip, TrapCode::MemoryOutOfBounds);
    };
    let raw = match kind.width() {
        1 => slots::mem_read::<1>(base, size, ea).map(|b| u64::from(b[0])),
        2 => slots::mem_read::<2>(base, size, ea).map(|b| u64::from(u16::from_le_bytes(b))),
        4 => slots::mem_read::<4>(base, size, ea).map(|b| u64::from(u32::from_le_bytes(b))),
        _ => slots::mem_read::<8>(base, size, ea).map(u64::from_le_bytes),
    };
    let Some(raw) = raw else { return trap(ip, TrapCode::MemoryOutOfBounds) };
    slots::set(fp, x[0], kind.extend(raw));
    dispatch::<CHAIN>(ip.wrapping_add(1), fp, mem, len, cx, acc)
}

/// A store to a memory other than a 32-bit memory 0 ([`Op::StoreMem`], `KIND` the
/// [`StoreOp`]): `x = [addr, v, mem << 1 | is64, offset]`.
fn op_store_mem<const CHAIN: bool, const KIND: u8>(
    ip: *const Inst,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut Ctx,
    acc: u64,
) -> Exit {
    let x = slots::inst(ip).x;
    let kind = StoreOp::ALL[KIND as usize];
    let (base, size) = view(x[2] >> 1, mem, len, cx);
    let Some(ea) = wide_address(slots::get(fp, x[0]), x[2] & 1 != 0, u64::from(x[3])) else {
        return trap(ip, TrapCode::MemoryOutOfBounds);
    };
    let v = slots::get(fp, x[1]);
    let ok = match kind.width() {
        1 => slots::mem_write::<1>(base, size, ea, [v as u8]),
        2 => slots::mem_write::<2>(base, size, ea, (v as u16).to_le_bytes()),
        4 => slots::mem_write::<4>(base, size, ea, (v as u32).to_le_bytes()),
        _ => slots::mem_write::<8>(base, size, ea, v.to_le_bytes()),
    };
    if !ok {
        return trap(ip, TrapCode::MemoryOutOfBounds);
    }
    dispatch::<CHAIN>(ip.wrapping_add(1), fp, mem, len, cx, acc)
}

/// The handler of [`Op::LoadMem`] of each kind.
fn load_mem_handler<const CHAIN: bool>(kind: LoadOp) -> Handler {
    macro_rules! pick {
        ($($k:ident)*) => {
            match kind {
                $(LoadOp::$k => op_load_mem::<CHAIN, { LoadOp::$k as u8 }>,)*
            }
        };
    }
    pick!(I32Load I64Load F32Load F64Load I32Load8S I32Load8U I32Load16S I32Load16U I64Load8S I64Load8U
        I64Load16S I64Load16U I64Load32S I64Load32U)
}

/// The handler of [`Op::StoreMem`] of each kind.
fn store_mem_handler<const CHAIN: bool>(kind: StoreOp) -> Handler {
    macro_rules! pick {
        ($($k:ident)*) => {
            match kind {
                $(StoreOp::$k => op_store_mem::<CHAIN, { StoreOp::$k as u8 }>,)*
            }
        };
    }
    pick!(I32Store I64Store F32Store F64Store I32Store8 I32Store16 I64Store8 I64Store16 I64Store32)
}

/// The third operand word of a [`Op::LoadMem`] or [`Op::StoreMem`] instruction: the
/// memory index and whether it is 64-bit; `None` (the loop's) for an offset of 2^32 or
/// more or an index without room for the flag.
fn mem_word(how: Threading<'_>, mem: u32, offset: u64) -> Option<(u32, u32)> {
    let is64 = how.memories.get(mem as usize)?.addr.is_64();
    let word = mem.checked_mul(2)? | u32::from(is64);
    Some((word, u32::try_from(offset).ok()?))
}

/// Indexed loads and stores ([`Op::LoadIndexed`], [`Op::StoreIndexed`]), one handler per
/// access and shift: `x = [d, a, i, offset]` (or `[a, i, v, offset]`), the address
/// `a + (i << SHIFT)` modulo 2^32, plus the static offset (not modulo 2^32).
macro_rules! indexed_load {
    ($($load:ident $n:literal $conv:expr;)*) => {
        $(
            #[allow(non_snake_case)]
            fn $load<const CHAIN: bool, const SHIFT: u32, const WHICH: u8>(
                ip: *const Inst, fp: *mut u64, mem: *mut u8, len: usize, cx: *mut Ctx, acc: u64,
            ) -> Exit {
                let x = slots::inst(ip).x;
                let (a, i) = (operand!(WHICH, 1, acc, fp, x[1]), operand!(WHICH, 2, acc, fp, x[2]));
                let base = (a as u32).wrapping_add((i as u32) << SHIFT);
                let acc = match slots::mem_read::<$n>(mem, len, base as usize + x[3] as usize) {
                    Some(b) => $conv(b),
                    None => return trap(ip, TrapCode::MemoryOutOfBounds),
                };
                slots::set(fp, x[0], acc);
                dispatch::<CHAIN>(ip.wrapping_add(1), fp, mem, len, cx, acc)
            }
        )*
    };
}
indexed_load! {
    I32LoadIdx 4 |b| u32::from_le_bytes(b) as u64;
    I64LoadIdx 8 u64::from_le_bytes;
    I32Load8SIdx 1 |b: [u8; 1]| b[0] as i8 as i32 as u32 as u64;
    I32Load8UIdx 1 |b: [u8; 1]| b[0] as u64;
    I32Load16SIdx 2 |b| i16::from_le_bytes(b) as i32 as u32 as u64;
    I32Load16UIdx 2 |b| u16::from_le_bytes(b) as u64;
    I64Load8SIdx 1 |b: [u8; 1]| b[0] as i8 as i64 as u64;
    I64Load16SIdx 2 |b| i16::from_le_bytes(b) as i64 as u64;
    I64Load32SIdx 4 |b| i32::from_le_bytes(b) as i64 as u64;
}
macro_rules! indexed_store {
    ($($store:ident $n:literal $bytes:expr;)*) => {
        $(
            #[allow(non_snake_case)]
            fn $store<const CHAIN: bool, const SHIFT: u32, const WHICH: u8>(
                ip: *const Inst, fp: *mut u64, mem: *mut u8, len: usize, cx: *mut Ctx, acc: u64,
            ) -> Exit {
                let x = slots::inst(ip).x;
                let v = operand!(WHICH, 3, acc, fp, x[2]);
                let (a, i) = (operand!(WHICH, 1, acc, fp, x[0]), operand!(WHICH, 2, acc, fp, x[1]));
                let base = (a as u32).wrapping_add((i as u32) << SHIFT);
                if !slots::mem_write::<$n>(mem, len, base as usize + x[3] as usize, $bytes(v)) {
                    return trap(ip, TrapCode::MemoryOutOfBounds);
                }
                dispatch::<CHAIN>(ip.wrapping_add(1), fp, mem, len, cx, acc)
            }
        )*
    };
}
indexed_store! {
    Store8Idx 1 |v: u64| [v as u8];
    Store16Idx 2 |v: u64| (v as u16).to_le_bytes();
    Store32Idx 4 |v: u64| (v as u32).to_le_bytes();
    Store64Idx 8 u64::to_le_bytes;
}

/// Picks the instance of an indexed handler for a shift of at most 3 and the operand
/// (1 the base, 2 the index, 3 a store's value; 0 none) read from the accumulator.
macro_rules! by_shift {
    ($f:ident, $shift:expr, $which:expr) => {
        by_shift!(@which $f, $which, $shift, 0, 1, 2, 3)
    };
    (@which $f:ident, $which:expr, $shift:expr, $($k:literal),*) => {
        match ($shift, $which) {
            $(
                (0, $k) => $f::<CHAIN, 0, $k>,
                (1, $k) => $f::<CHAIN, 1, $k>,
                (2, $k) => $f::<CHAIN, 2, $k>,
                (_, $k) => $f::<CHAIN, 3, $k>,
            )*
            (_, _) => $f::<CHAIN, 3, 0>,
        }
    };
}

/// The handlers of each kind of memory access (`$kind`, [`LoadOp`] or [`StoreOp`]),
/// listed once: plain ([`Op::Load`], [`Op::Store`]), with an added immediate
/// ([`Op::LoadAddImm`], [`Op::StoreAddImm`]) and indexed ([`Op::LoadIndexed`],
/// [`Op::StoreIndexed`], by shift). Defines the two pickers `$plain_fn` and `$indexed_fn`.
macro_rules! access_handlers {
    ($kind:ty, $plain_fn:ident, $indexed_fn:ident: $($kinds:pat => $plain:ident $add_imm:ident $indexed:ident;)*) => {
        /// The handler of an access of this kind; `add_imm` for the add-immediate form;
        /// `which` operand from the accumulator (1: the address, 2: a store's value).
        fn $plain_fn<const CHAIN: bool>(kind: $kind, add_imm: bool, which: u8) -> Handler {
            match (kind, add_imm, which) {
                $(
                    ($kinds, true, 1) => $add_imm::<CHAIN, 1>,
                    ($kinds, true, 2) => $add_imm::<CHAIN, 2>,
                    ($kinds, true, _) => $add_imm::<CHAIN, 0>,
                    ($kinds, false, 1) => $plain::<CHAIN, 1>,
                    ($kinds, false, 2) => $plain::<CHAIN, 2>,
                    ($kinds, false, _) => $plain::<CHAIN, 0>,
                )*
            }
        }

        /// The handler of an indexed access of this kind; `which` operand from the
        /// accumulator (see [`by_shift`]).
        fn $indexed_fn<const CHAIN: bool>(kind: $kind, shift: u8, which: u8) -> Handler {
            match kind {
                $($kinds => by_shift!($indexed, shift, which),)*
            }
        }
    };
}
access_handlers! { LoadOp, load_handler, indexed_load_handler:
    LoadOp::I32Load | LoadOp::F32Load | LoadOp::I64Load32U => I32Load I32LoadAddImm I32LoadIdx;
    LoadOp::I64Load | LoadOp::F64Load => I64Load I64LoadAddImm I64LoadIdx;
    LoadOp::I32Load8S => I32Load8S I32Load8SAddImm I32Load8SIdx;
    LoadOp::I32Load8U | LoadOp::I64Load8U => I32Load8U I32Load8UAddImm I32Load8UIdx;
    LoadOp::I32Load16S => I32Load16S I32Load16SAddImm I32Load16SIdx;
    LoadOp::I32Load16U | LoadOp::I64Load16U => I32Load16U I32Load16UAddImm I32Load16UIdx;
    LoadOp::I64Load8S => I64Load8S I64Load8SAddImm I64Load8SIdx;
    LoadOp::I64Load16S => I64Load16S I64Load16SAddImm I64Load16SIdx;
    LoadOp::I64Load32S => I64Load32S I64Load32SAddImm I64Load32SIdx;
}

/// Stores: `x = [addr, v, offset]` (or `[a, v, imm]`).
macro_rules! store {
    ($($name:ident $wrap_name:ident $n:literal $bytes:expr;)*) => {
        $(
            store!(@one $name offset $n $bytes);
            store!(@one $wrap_name wrap $n $bytes);
        )*
    };
    (@one $name:ident $mode:ident $n:literal $bytes:expr) => {
        handler!(@consume $name<WHICH>(ip, fp, mem, len, cx, x, acc) => {
            let v = operand!(WHICH, 2, acc, fp, x[1]);
            let ea = address!($mode, operand!(WHICH, 1, acc, fp, x[0]), x[2]);
            if !slots::mem_write::<$n>(mem, len, ea, $bytes(v)) {
                return trap(ip, TrapCode::MemoryOutOfBounds);
            }
            ip.wrapping_add(1)
        });
    };
}
store! {
    Store8 Store8AddImm 1 |v: u64| [v as u8];
    Store16 Store16AddImm 2 |v: u64| (v as u16).to_le_bytes();
    Store32 Store32AddImm 4 |v: u64| (v as u32).to_le_bytes();
    Store64 Store64AddImm 8 u64::to_le_bytes;
}

access_handlers! { StoreOp, store_handler, indexed_store_handler:
    StoreOp::I32Store8 | StoreOp::I64Store8 => Store8 Store8AddImm Store8Idx;
    StoreOp::I32Store16 | StoreOp::I64Store16 => Store16 Store16AddImm Store16Idx;
    StoreOp::I32Store | StoreOp::F32Store | StoreOp::I64Store32 => Store32 Store32AddImm Store32Idx;
    StoreOp::I64Store | StoreOp::F64Store => Store64 Store64AddImm Store64Idx;
}

// Numeric operators (spec §4.3), one handler each, named after the operator.
un!(I32Eqz, u32s, from_bool, |a| a == 0);
bin!(I32Eq, u32s, from_bool, |a, b| a == b);
bin!(I32Ne, u32s, from_bool, |a, b| a != b);
bin!(I32LtS, i32s, from_bool, |a, b| a < b);
bin!(I32LtU, u32s, from_bool, |a, b| a < b);
bin!(I32GtS, i32s, from_bool, |a, b| a > b);
bin!(I32GtU, u32s, from_bool, |a, b| a > b);
bin!(I32LeS, i32s, from_bool, |a, b| a <= b);
bin!(I32LeU, u32s, from_bool, |a, b| a <= b);
bin!(I32GeS, i32s, from_bool, |a, b| a >= b);
bin!(I32GeU, u32s, from_bool, |a, b| a >= b);
un!(I64Eqz, u64s, from_bool, |a| a == 0);
bin!(I64Eq, u64s, from_bool, |a, b| a == b);
bin!(I64Ne, u64s, from_bool, |a, b| a != b);
bin!(I64LtS, i64s, from_bool, |a, b| a < b);
bin!(I64LtU, u64s, from_bool, |a, b| a < b);
bin!(I64GtS, i64s, from_bool, |a, b| a > b);
bin!(I64GtU, u64s, from_bool, |a, b| a > b);
bin!(I64LeS, i64s, from_bool, |a, b| a <= b);
bin!(I64LeU, u64s, from_bool, |a, b| a <= b);
bin!(I64GeS, i64s, from_bool, |a, b| a >= b);
bin!(I64GeU, u64s, from_bool, |a, b| a >= b);
bin!(F32Eq, f32s, from_bool, |a, b| a == b);
bin!(F32Ne, f32s, from_bool, |a, b| a != b);
bin!(F32Lt, f32s, from_bool, |a, b| a < b);
bin!(F32Gt, f32s, from_bool, |a, b| a > b);
bin!(F32Le, f32s, from_bool, |a, b| a <= b);
bin!(F32Ge, f32s, from_bool, |a, b| a >= b);
bin!(F64Eq, f64s, from_bool, |a, b| a == b);
bin!(F64Ne, f64s, from_bool, |a, b| a != b);
bin!(F64Lt, f64s, from_bool, |a, b| a < b);
bin!(F64Gt, f64s, from_bool, |a, b| a > b);
bin!(F64Le, f64s, from_bool, |a, b| a <= b);
bin!(F64Ge, f64s, from_bool, |a, b| a >= b);
un!(I32Clz, u32s, from_u32, u32::leading_zeros);
un!(I32Ctz, u32s, from_u32, u32::trailing_zeros);
un!(I32Popcnt, u32s, from_u32, u32::count_ones);
bin!(I32Add, u32s, from_u32, u32::wrapping_add);
bin!(I32Sub, u32s, from_u32, u32::wrapping_sub);
bin!(I32Mul, u32s, from_u32, u32::wrapping_mul);
bin_trap!(I32DivS, i32s, from_i32, i32_div_s);
bin_trap!(I32DivU, u32s, from_u32, i32_div_u);
bin_trap!(I32RemS, i32s, from_i32, i32_rem_s);
bin_trap!(I32RemU, u32s, from_u32, i32_rem_u);
bin!(I32And, u32s, from_u32, |a, b| a & b);
bin!(I32Or, u32s, from_u32, |a, b| a | b);
bin!(I32Xor, u32s, from_u32, |a, b| a ^ b);
bin!(I32Shl, u32s, from_u32, u32::wrapping_shl);
bin!(I32ShrS, i32s, from_i32, |a: i32, b: i32| a.wrapping_shr(b as u32));
bin!(I32ShrU, u32s, from_u32, u32::wrapping_shr);
bin!(I32Rotl, u32s, from_u32, u32::rotate_left);
bin!(I32Rotr, u32s, from_u32, u32::rotate_right);
un!(I64Clz, u64s, from_u64, |a: u64| a.leading_zeros() as u64);
un!(I64Ctz, u64s, from_u64, |a: u64| a.trailing_zeros() as u64);
un!(I64Popcnt, u64s, from_u64, |a: u64| a.count_ones() as u64);
bin!(I64Add, u64s, from_u64, u64::wrapping_add);
bin!(I64Sub, u64s, from_u64, u64::wrapping_sub);
bin!(I64Mul, u64s, from_u64, u64::wrapping_mul);
bin_trap!(I64DivS, i64s, from_i64, i64_div_s);
bin_trap!(I64DivU, u64s, from_u64, i64_div_u);
bin_trap!(I64RemS, i64s, from_i64, i64_rem_s);
bin_trap!(I64RemU, u64s, from_u64, i64_rem_u);
bin!(I64And, u64s, from_u64, |a, b| a & b);
bin!(I64Or, u64s, from_u64, |a, b| a | b);
bin!(I64Xor, u64s, from_u64, |a, b| a ^ b);
bin!(I64Shl, u64s, from_u64, |a: u64, b: u64| a.wrapping_shl(b as u32));
bin!(I64ShrS, i64s, from_i64, |a: i64, b: i64| a.wrapping_shr(b as u32));
bin!(I64ShrU, u64s, from_u64, |a: u64, b: u64| a.wrapping_shr(b as u32));
bin!(I64Rotl, u64s, from_u64, |a: u64, b: u64| a.rotate_left((b & 63) as u32));
bin!(I64Rotr, u64s, from_u64, |a: u64, b: u64| a.rotate_right((b & 63) as u32));
un!(F32Abs, u32s, from_u32, |a: u32| a & 0x7fff_ffff);
un!(F32Neg, u32s, from_u32, |a: u32| a ^ 0x8000_0000);
un!(F32Ceil, f32s, from_f32, f32_ceil);
un!(F32Floor, f32s, from_f32, f32_floor);
un!(F32Trunc, f32s, from_f32, f32_trunc);
un!(F32Nearest, f32s, from_f32, f32_nearest);
un!(F32Sqrt, f32s, from_f32, f32::sqrt);
bin!(F32Add, f32s, from_f32, |a, b| a + b);
bin!(F32Sub, f32s, from_f32, |a, b| a - b);
bin!(F32Mul, f32s, from_f32, |a, b| a * b);
bin!(F32Div, f32s, from_f32, |a, b| a / b);
bin!(F32Min, f32s, from_f32, f32_min);
bin!(F32Max, f32s, from_f32, f32_max);
bin!(F32Copysign, u32s, from_u32, |a: u32, b: u32| (a & 0x7fff_ffff) | (b & 0x8000_0000));
un!(F64Abs, u64s, from_u64, |a: u64| a & 0x7fff_ffff_ffff_ffff);
un!(F64Neg, u64s, from_u64, |a: u64| a ^ 0x8000_0000_0000_0000);
un!(F64Ceil, f64s, from_f64, f64_ceil);
un!(F64Floor, f64s, from_f64, f64_floor);
un!(F64Trunc, f64s, from_f64, f64_trunc);
un!(F64Nearest, f64s, from_f64, f64_nearest);
un!(F64Sqrt, f64s, from_f64, f64::sqrt);
bin!(F64Add, f64s, from_f64, |a, b| a + b);
bin!(F64Sub, f64s, from_f64, |a, b| a - b);
bin!(F64Mul, f64s, from_f64, |a, b| a * b);
bin!(F64Div, f64s, from_f64, |a, b| a / b);
bin!(F64Min, f64s, from_f64, f64_min);
bin!(F64Max, f64s, from_f64, f64_max);
bin!(F64Copysign, u64s, from_u64, |a: u64, b: u64| (a & !(1 << 63)) | (b & (1 << 63)));
un!(I32WrapI64, u64s, from_u32, |a: u64| a as u32);
un_trap!(I32TruncF32S, f32s, from_i32, |a: f32| i32_trunc_s(a as f64));
un_trap!(I32TruncF32U, f32s, from_u32, |a: f32| i32_trunc_u(a as f64));
un_trap!(I32TruncF64S, f64s, from_i32, i32_trunc_s);
un_trap!(I32TruncF64U, f64s, from_u32, i32_trunc_u);
un!(I64ExtendI32S, i32s, from_i64, |a: i32| a as i64);
un!(I64ExtendI32U, u32s, from_u64, |a: u32| a as u64);
un_trap!(I64TruncF32S, f32s, from_i64, |a: f32| i64_trunc_s(a as f64));
un_trap!(I64TruncF32U, f32s, from_u64, |a: f32| i64_trunc_u(a as f64));
un_trap!(I64TruncF64S, f64s, from_i64, i64_trunc_s);
un_trap!(I64TruncF64U, f64s, from_u64, i64_trunc_u);
un!(F32ConvertI32S, i32s, from_f32, |a: i32| a as f32);
un!(F32ConvertI32U, u32s, from_f32, |a: u32| a as f32);
un!(F32ConvertI64S, i64s, from_f32, |a: i64| a as f32);
un!(F32ConvertI64U, u64s, from_f32, |a: u64| a as f32);
un!(F32DemoteF64, f64s, from_f32, |a: f64| a as f32);
un!(F64ConvertI32S, i32s, from_f64, |a: i32| a as f64);
un!(F64ConvertI32U, u32s, from_f64, |a: u32| a as f64);
un!(F64ConvertI64S, i64s, from_f64, |a: i64| a as f64);
un!(F64ConvertI64U, u64s, from_f64, |a: u64| a as f64);
un!(F64PromoteF32, f32s, from_f64, |a: f32| a as f64);
// Reinterpretations keep the bits: the slot encoding is already the bit pattern.
un!(I32ReinterpretF32, u64s, from_u64, |a| a);
un!(F32ReinterpretI32, u64s, from_u64, |a| a);
un!(I64ReinterpretF64, u64s, from_u64, |a| a);
un!(F64ReinterpretI64, u64s, from_u64, |a| a);
un!(I32Extend8S, u32s, from_i32, |a: u32| a as i8 as i32);
un!(I32Extend16S, u32s, from_i32, |a: u32| a as i16 as i32);
un!(I64Extend8S, u64s, from_i64, |a: u64| a as i8 as i64);
un!(I64Extend16S, u64s, from_i64, |a: u64| a as i16 as i64);
un!(I64Extend32S, u64s, from_i64, |a: u64| a as i32 as i64);
un!(I32TruncSatF32S, f32s, from_i32, |a: f32| a as i32);
un!(I32TruncSatF32U, f32s, from_u32, |a: f32| a as u32);
un!(I32TruncSatF64S, f64s, from_i32, |a: f64| a as i32);
un!(I32TruncSatF64U, f64s, from_u32, |a: f64| a as u32);
un!(I64TruncSatF32S, f32s, from_i64, |a: f32| a as i64);
un!(I64TruncSatF32U, f32s, from_u64, |a: f32| a as u64);
un!(I64TruncSatF64S, f64s, from_i64, |a: f64| a as i64);
un!(I64TruncSatF64U, f64s, from_u64, |a: f64| a as u64);
/// The operand words of a numeric op.
trait Words {
    /// How many slots the op reads (in `words()[1..]`).
    const READS: usize;
    fn words(self) -> [u32; 4];
}

impl Words for Un {
    const READS: usize = 1;
    fn words(self) -> [u32; 4] {
        [self.d, self.a, 0, 0]
    }
}

impl Words for Bin {
    const READS: usize = 2;
    fn words(self) -> [u32; 4] {
        [self.d, self.a, self.b, 0]
    }
}

macro_rules! numeric_inst {
    ($($variant:ident $code:literal $name:literal $feat:ident [$($p:ident)*] $r:ident,)*) => {
        /// The instruction of a numeric op, `None` for any other op; operand `which`
        /// (1 or 2; 0: none) comes from the accumulator.
        fn numeric_inst<const CHAIN: bool>(op: Op, which: u8) -> Option<Inst> {
            Some(match (op, which) {
                $(
                    (Op::$variant(x), 1) => Inst { handler: $variant::<CHAIN, 1>, x: x.words() },
                    (Op::$variant(x), 2) => Inst { handler: $variant::<CHAIN, 2>, x: x.words() },
                    (Op::$variant(x), _) => Inst { handler: $variant::<CHAIN, 0>, x: x.words() },
                )*
                _ => return None,
            })
        }

        /// The slots a numeric op writes and reads (`[d, a, b]`, unused ones 0) and how
        /// many it reads; `None` for any other op.
        fn numeric_slots(op: Op) -> Option<([u32; 4], usize)> {
            match op {
                $(Op::$variant(x) => Some((x.words(), words_read(&x))),)*
                _ => None,
            }
        }
    };
}
crate::for_each_numeric_op!(numeric_inst);

fn words_read<W: Words>(_: &W) -> usize {
    W::READS
}

/// The slot op `op` writes its one result to, if its handler also leaves that value in
/// the accumulator (the ops the next instruction may read it from).
fn produced(op: Op) -> Option<u32> {
    match op {
        Op::Copy { d, .. }
        | Op::Const { d, .. }
        | Op::Select { d, .. }
        | Op::GlobalGet { d, .. }
        | Op::Load { d, .. }
        | Op::LoadAddImm { d, .. }
        | Op::LoadIndexed { d, .. }
        | Op::I32AddImm { d, .. }
        | Op::I64AddImm { d, .. }
        | Op::I32ShlAdd { d, .. } => Some(d),
        _ => numeric_slots(op).map(|(w, _)| w[0]),
    }
}

/// Which operand of `op` (1 or 2) reads slot `s`, if `op` has a handler that can take it
/// from the accumulator; 0 if none.
fn reads_acc(op: Op, s: u32) -> u8 {
    let first = |a: u32| if a == s { 1 } else { 0 };
    match op {
        Op::Copy { s: a, .. }
        | Op::Load { addr: a, .. }
        | Op::LoadAddImm { a, .. }
        | Op::I32AddImm { a, .. }
        | Op::I64AddImm { a, .. }
        | Op::JumpIf { c: a, .. }
        | Op::JumpIfZero { c: a, .. }
        | Op::JumpIfI32 { a, .. }
        | Op::JumpIfI32Imm { a, .. }
        | Op::JumpIfI64 { a, .. }
        | Op::GlobalSet { s: a, .. }
        | Op::Select { c: a, .. }
        | Op::BranchIf { c: a, .. }
        | Op::BranchTable { c: a, .. } => first(a),
        Op::LoadIndexed { a, i, .. } => {
            if a == s {
                1
            } else if i == s {
                2
            } else {
                0
            }
        }
        Op::StoreIndexed { a, i, v, .. } => {
            if a == s {
                1
            } else if i == s {
                2
            } else if v == s {
                3
            } else {
                0
            }
        }
        Op::Store { addr: a, v, .. } | Op::StoreAddImm { a, v, .. } => {
            if a == s {
                1
            } else if v == s {
                2
            } else {
                0
            }
        }
        _ => match numeric_slots(op) {
            Some((w, _)) if w[1] == s => 1,
            Some((w, 2)) if w[2] == s => 2,
            _ => 0,
        },
    }
}

/// The pcs some instruction jumps or branches to (`true` at each).
fn jump_targets(ops: &[Op], targets: &[BranchTarget]) -> Vec<bool> {
    let mut at = vec![false; ops.len() + 1];
    let mut mark = |pc: u32| {
        if let Some(t) = at.get_mut(pc as usize) {
            *t = true;
        }
    };
    for op in ops {
        match *op {
            Op::Jump(t)
            | Op::JumpIf { pc: t, .. }
            | Op::JumpIfZero { pc: t, .. }
            | Op::JumpIfI32 { pc: t, .. }
            | Op::JumpIfI32Imm { pc: t, .. }
            | Op::JumpIfI64 { pc: t, .. } => mark(t),
            _ => {}
        }
    }
    // Every branch-table entry (`Branch`, `BranchIf`, `BranchTable` name entries of it).
    for t in targets {
        mark(t.pc);
    }
    at
}

/// How a function is threaded.
#[derive(Debug, Clone, Copy)]
pub struct Threading<'a> {
    /// The module's types (for `call_indirect`'s expected type).
    pub types: &'a [crate::syntax::SubType],
    /// The canonical id of each of `types`.
    pub canonical: &'a [crate::syntax::canon::CanonId],
    /// Every memory's type (for the accesses to memories other than a 32-bit memory 0).
    pub memories: &'a [crate::syntax::MemoryType],
    /// Whether table 0 has `i64` indices (then `call_indirect` through it is the loop's:
    /// its handler reads a 32-bit index).
    pub table0_64: bool,
    /// Handlers run on into the next instruction (optimised builds only: see the module
    /// doc).
    pub chain: bool,
    /// Calls, returns, globals, fuel and value-moving conditional branches have handlers
    /// of their own (every translation but the debugger's, whose loop must see them).
    pub in_chain_control: bool,
    /// The function's number of results (what its returns copy).
    pub num_results: u32,
}

/// Threads a translated function's ops: instruction `i` executes op `i`. Returns the
/// instructions and the ops without a handler, which the loop executes: such an op's
/// instruction has its index in that list as its first operand ([`slow_op`]).
pub fn thread(ops: &[Op], targets: &[BranchTarget], how: Threading<'_>) -> (Box<[Inst]>, Box<[Op]>) {
    fn all<const CHAIN: bool>(ops: &[Op], targets: &[BranchTarget], how: Threading<'_>) -> (Box<[Inst]>, Box<[Op]>) {
        let mut slow_ops = Vec::new();
        let mut insts = Vec::with_capacity(ops.len());
        // The accumulator: an instruction reached only from the one before it (not a jump
        // target) may read that one's result from it, if that one has a handler that
        // leaves it there. Only chained handlers pass it on (the loop does not keep it).
        let is_target = jump_targets(ops, targets);
        let mut in_acc: Option<u32> = None;
        let mut tables = Vec::new();
        for (pc, op) in ops.iter().enumerate() {
            let mut op = *op;
            let which = match in_acc {
                Some(s) if CHAIN && !is_target[pc] => {
                    // A compare-and-jump whose second operand is the accumulator compares
                    // the other way round, so that it is the first.
                    op = match op {
                        Op::JumpIfI32 { cmp, a, b, pc } if b == s && a != s => {
                            Op::JumpIfI32 { cmp: cmp.swapped(), a: b, b: a, pc }
                        }
                        Op::JumpIfI64 { cmp, a, b, pc } if b == s && a != s => {
                            Op::JumpIfI64 { cmp: cmp.swapped(), a: b, b: a, pc }
                        }
                        other => other,
                    };
                    reads_acc(op, s)
                }
                _ => 0,
            };
            // Two ops in one where the second is reached only from the first; the second
            // keeps its own instruction (never reached: it is no jump target).
            let next = ops.get(pc + 1).filter(|_| how.in_chain_control && !is_target[pc + 1]);
            if let Some(inst) = next.and_then(|next| pair_inst::<CHAIN>(pc, op, *next, which)) {
                in_acc = produced(op);
                insts.push(inst);
                continue;
            }
            let inst = match inst::<CHAIN>(pc, op, targets, how, &mut slow_ops, which) {
                Some(inst) => {
                    if matches!(op, Op::BranchTable { .. }) {
                        tables.push(pc);
                    }
                    in_acc = produced(op);
                    inst
                }
                None => {
                    in_acc = None;
                    // A function has fewer than 2^32 ops (see `inst`).
                    slow_ops.push(op);
                    Inst { handler: slow::<CHAIN>, x: [slow_ops.len() as u32 - 1, 0, 0, 0] }
                }
            };
            insts.push(inst);
        }
        place_branch_tables::<CHAIN>(&mut insts, &mut slow_ops, ops, &tables, targets);
        (insts.into_boxed_slice(), slow_ops.into_boxed_slice())
    }
    if how.chain { all::<true>(ops, targets, how) } else { all::<false>(ops, targets, how) }
}

/// Places the entries of the branch tables at `tables` (the pcs of their instructions,
/// whose `x` is `[index, 0, number, first target]`) after the function's code, and
/// points each table at its entries (see [`op_branch_table`]): each entry is the target's
/// handler with the branch's distance (from the entry) and moves. Only the loop's `pc_of`
/// could see an entry's pc, and it never does: a table continues at the target. A table
/// with a target past the code (none the translator makes) is left to the loop.
fn place_branch_tables<const CHAIN: bool>(
    insts: &mut Vec<Inst>,
    slow_ops: &mut Vec<Op>,
    ops: &[Op],
    tables: &[usize],
    targets: &[BranchTarget],
) {
    // Distances fit as in `inst`: the entries add at most one instruction per target.
    let rel = |from: usize, to: usize| (to as i64 - from as i64) as i32 as u32;
    let code_len = insts.len();
    for &pc in tables {
        let [index, _, n, start] = insts[pc].x;
        let table = targets.get(start as usize..start as usize + n as usize).unwrap_or_default();
        if table.len() != n as usize || table.iter().any(|t| t.pc as usize >= code_len) {
            slow_ops.push(ops[pc]);
            // A function has fewer than 2^32 ops (see `inst`).
            insts[pc] = Inst { handler: slow::<CHAIN>, x: [slow_ops.len() as u32 - 1, 0, 0, 0] };
            continue;
        }
        let first = insts.len();
        insts[pc].x = [index, rel(pc, first), n, 0];
        for (k, t) in table.iter().enumerate() {
            let target = t.pc as usize;
            // Moving values in place moves nothing.
            let keep = if t.from == t.height { 0 } else { t.keep };
            insts.push(Inst { handler: insts[target].handler, x: [rel(first + k, target), t.height, keep, t.from] });
        }
    }
}

/// The op of a slow instruction (one whose handler leaves for the loop), from the list
/// [`thread`] made.
pub fn slow_op(inst: &Inst, slow_ops: &[Op]) -> Option<Op> {
    slow_ops.get(inst.x[0] as usize).copied()
}

/// The instruction of a call, return, global access, fuel charge or value-moving
/// conditional branch, `None` for any other op. The handlers that may leave for the loop
/// (calls, returns, fuel) get the op's index in `slow_ops` as their first operand, as
/// the loop's own ops do (see [`slow_op`]).
fn control_inst<const CHAIN: bool>(
    pc: usize,
    op: Op,
    targets: &[BranchTarget],
    how: Threading<'_>,
    slow_ops: &mut Vec<Op>,
    which: u8,
) -> Option<Inst> {
    let rel = |t: u32| (t as i64 - pc as i64) as i32 as u32;
    let i = |handler: Handler, x: [u32; 4]| Some(Inst { handler, x });
    // A function has fewer than 2^32 ops (see `inst`).
    let mut leaving = |op: Op| {
        slow_ops.push(op);
        slow_ops.len() as u32 - 1
    };
    match op {
        Op::Call { func, base } => i(op_call::<CHAIN>, [leaving(op), func, base, 0]),
        Op::Return { from } if how.num_results <= 1 => i(op_return::<CHAIN>, [leaving(op), from, how.num_results, 0]),
        Op::Return { from } => i(op_return_many::<CHAIN>, [leaving(op), from, how.num_results, 0]),
        // Through table 0 only: the operands have no room for another table index.
        Op::CallIndirect { type_index, table: 0, base } if !how.table0_64 => {
            let ty = how.types.get(type_index as usize)?.as_func()?;
            let id = *how.canonical.get(type_index as usize)?;
            let index_slot = base.checked_add(crate::syntax::ValType::slots_of(&ty.params))?;
            i(op_call_indirect::<CHAIN>, [leaving(op), base, id, index_slot])
        }
        Op::ReturnCall { func, base } => i(op_return_call::<CHAIN>, [leaving(op), func, base, 0]),
        Op::ReturnCallIndirect { type_index, table: 0, base } if !how.table0_64 => {
            let ty = how.types.get(type_index as usize)?.as_func()?;
            let id = *how.canonical.get(type_index as usize)?;
            let index_slot = base.checked_add(crate::syntax::ValType::slots_of(&ty.params))?;
            i(op_return_call_indirect::<CHAIN>, [leaving(op), base, id, index_slot])
        }
        Op::GlobalGet { d, global } => i(op_global_get::<CHAIN>, [d, global, 0, 0]),
        Op::GlobalSet { s, global } if which == 1 => i(op_global_set::<CHAIN, 1>, [s, global, 0, 0]),
        Op::GlobalSet { s, global } => i(op_global_set::<CHAIN, 0>, [s, global, 0, 0]),
        Op::Fuel(cost) => i(op_fuel::<CHAIN>, [leaving(op), cost, 0, 0]),
        Op::BranchIf { c, target } => {
            let t = targets.get(target as usize)?;
            // Heights and counts that do not fit the packed word take the loop.
            if t.keep > 0xff || !MovePlan::fits(t.from, t.height, t.keep) {
                return None;
            }
            let handler = if which == 1 { op_branch_if::<CHAIN, 1> } else { op_branch_if::<CHAIN, 0> };
            i(handler, [c, rel(t.pc), t.height << 8 | t.keep, t.from])
        }
        Op::BranchTable { c, start, len } => {
            let table = targets.get(start as usize..start as usize + len as usize)?;
            if table.is_empty() || !table.iter().all(|t| MovePlan::fits(t.from, t.height, t.keep)) {
                return None;
            }
            let handler = if which == 1 { op_branch_table::<CHAIN, 1> } else { op_branch_table::<CHAIN, 0> };
            // The distance to the entries is set once they are placed (see `thread`).
            i(handler, [c, 0, len, start])
        }
        _ => None,
    }
}

/// The instruction that executes op `op` at `pc` and the op `next` after it, if the pair
/// has one (frequent pairs in real programs: moves of several values, a move before a
/// loop's back edge).
fn pair_inst<const CHAIN: bool>(pc: usize, op: Op, next: Op, which: u8) -> Option<Inst> {
    let i = |handler: Handler, x: [u32; 4]| Some(Inst { handler, x });
    // Jump distances are measured from the pair's first op; they fit as in `inst`.
    let rel = |t: u32| (t as i64 - pc as i64) as i32 as u32;
    // Slots packed two to a word.
    let small = |slots: &[u32]| slots.iter().all(|s| *s < 1 << 16);
    let acc = which == 1;
    match (op, next) {
        (Op::Copy { d, s }, Op::Copy { d: d2, s: s2 }) if acc => i(op_copy_copy::<CHAIN, 1>, [d, s, d2, s2]),
        (Op::Copy { d, s }, Op::Copy { d: d2, s: s2 }) => i(op_copy_copy::<CHAIN, 0>, [d, s, d2, s2]),
        (Op::Copy { d, s }, Op::Jump(t)) if acc => i(op_copy_jump::<CHAIN, 1>, [d, s, rel(t), 0]),
        (Op::Copy { d, s }, Op::Jump(t)) => i(op_copy_jump::<CHAIN, 0>, [d, s, rel(t), 0]),
        (Op::I32AddImm { d, a, imm }, Op::I32AddImm { d: d2, a: a2, imm: imm2 }) if small(&[d, a, d2, a2]) => {
            let x = [d | a << 16, imm, d2 | a2 << 16, imm2];
            if acc { i(op_add_imm_add_imm::<CHAIN, 1>, x) } else { i(op_add_imm_add_imm::<CHAIN, 0>, x) }
        }
        (Op::I32AddImm { d, a, imm }, Op::JumpIfI32 { cmp, a: ca, b, pc: t }) if small(&[d, a]) => {
            // The comparison reads the sum first (exchanging its operands if need be).
            let (cmp, b) = match (ca == d, b == d) {
                (true, _) => (cmp, b),
                (false, true) => (cmp.swapped(), ca),
                (false, false) => return None,
            };
            i(add_imm_jump_handler::<CHAIN>(cmp, false, acc), [d | a << 16, imm, b, rel(t)])
        }
        (Op::I32AddImm { d, a, imm }, Op::JumpIfI32Imm { cmp, a: ca, imm: b, pc: t }) if small(&[d, a]) && ca == d => {
            i(add_imm_jump_handler::<CHAIN>(cmp, true, acc), [d | a << 16, imm, b, rel(t)])
        }
        (Op::I32AddImm { d, a, imm }, Op::JumpIfZero { c, pc: t }) if small(&[d, a]) && c == d => {
            i(add_imm_jump_handler::<CHAIN>(IntCmp::Eq, true, acc), [d | a << 16, imm, 0, rel(t)])
        }
        (Op::I32AddImm { d, a, imm }, Op::JumpIf { c, pc: t }) if small(&[d, a]) && c == d => {
            i(add_imm_jump_handler::<CHAIN>(IntCmp::Ne, true, acc), [d | a << 16, imm, 0, rel(t)])
        }
        (op, Op::JumpIfI32 { cmp, a: ca, b: cb, pc: t } | Op::JumpIfI64 { cmp, a: ca, b: cb, pc: t })
            if let Some((bin, wide, Bin { d, a, b })) = JumpBin::of(op)
                && wide == matches!(next, Op::JumpIfI64 { .. })
                && small(&[d, a, b, ca, cb]) =>
        {
            // The comparison reads the result first (exchanging its operands if need be).
            let (cmp, c) = match (ca == d, cb == d) {
                (true, _) => (cmp, cb),
                (false, true) => (cmp.swapped(), ca),
                (false, false) => return None,
            };
            i(bin_jump_handler::<CHAIN>(bin, cmp, wide, false, which)?, [d | a << 16, b | c << 16, rel(t), 0])
        }
        (op, Op::JumpIfI32Imm { cmp, a: ca, imm: k, pc: t })
            if let Some((bin, false, Bin { d, a, b })) = JumpBin::of(op)
                && small(&[d, a, b])
                && ca == d =>
        {
            i(bin_jump_handler::<CHAIN>(bin, cmp, false, true, which)?, [d | a << 16, b, rel(t), k])
        }
        (Op::Load { kind, d, addr, offset }, next) if small(&[d, addr]) => {
            // The compare-and-jump reads the loaded value first (exchanging its operands if
            // need be); a zero test is a comparison with the immediate 0.
            let (cmp, c, imm) = match next {
                Op::JumpIfI32 { cmp, a, b, .. } if a == d => (cmp, b, false),
                Op::JumpIfI32 { cmp, a, b, .. } if b == d => (cmp.swapped(), a, false),
                Op::JumpIfI32Imm { cmp, a, imm, .. } if a == d => (cmp, imm, true),
                Op::JumpIf { c, .. } if c == d => (IntCmp::Ne, 0, true),
                Op::JumpIfZero { c, .. } if c == d => (IntCmp::Eq, 0, true),
                _ => return None,
            };
            let t = match next {
                Op::JumpIfI32 { pc, .. }
                | Op::JumpIfI32Imm { pc, .. }
                | Op::JumpIf { pc, .. }
                | Op::JumpIfZero { pc, .. } => pc,
                _ => return None,
            };
            i(load_jump_handler::<CHAIN>(kind, cmp, imm, acc)?, [d | addr << 16, offset, c, rel(t)])
        }
        (Op::I32AddImm { d, a, imm }, Op::Store { kind: StoreOp::I32Store, addr, v, offset })
            if small(&[d, a]) && v == d =>
        {
            let x = [d | a << 16, imm, addr, offset];
            if acc { i(op_add_imm_store32::<CHAIN, 1>, x) } else { i(op_add_imm_store32::<CHAIN, 0>, x) }
        }
        _ => None,
    }
}

/// The instruction of op `op` at `pc`, `None` where the op has no handler of its own.
fn inst<const CHAIN: bool>(
    pc: usize,
    op: Op,
    targets: &[BranchTarget],
    how: Threading<'_>,
    slow_ops: &mut Vec<Op>,
    which: u8,
) -> Option<Inst> {
    if how.in_chain_control
        && let Some(inst) = control_inst::<CHAIN>(pc, op, targets, how, slow_ops, which)
    {
        return Some(inst);
    }
    // Jump distances fit: a function has fewer than 2^31 ops (bodies are at most 4 GiB
    // of wasm, and ops at most one per instruction plus one per block).
    let rel = |t: u32| (t as i64 - pc as i64) as i32 as u32;
    let i = |handler: Handler, x: [u32; 4]| Some(Inst { handler, x });
    match op {
        Op::Nop => i(op_nop::<CHAIN>, [0; 4]),
        Op::Copy { d, s } if which == 1 => i(op_copy::<CHAIN, 1>, [d, s, 0, 0]),
        Op::Copy { d, s } => i(op_copy::<CHAIN, 0>, [d, s, 0, 0]),
        Op::Const { d, value } => i(op_const::<CHAIN>, [d, value as u32, (value >> 32) as u32, 0]),
        Op::Jump(t) => i(op_jump::<CHAIN>, [rel(t), 0, 0, 0]),
        Op::JumpIf { c, pc: t } if which == 1 => i(op_jump_if::<CHAIN, 1>, [c, rel(t), 0, 0]),
        Op::JumpIf { c, pc: t } => i(op_jump_if::<CHAIN, 0>, [c, rel(t), 0, 0]),
        Op::JumpIfZero { c, pc: t } if which == 1 => i(op_jump_if_zero::<CHAIN, 1>, [c, rel(t), 0, 0]),
        Op::JumpIfZero { c, pc: t } => i(op_jump_if_zero::<CHAIN, 0>, [c, rel(t), 0, 0]),
        Op::JumpIfI32 { cmp, a, b, pc: t } => {
            i(jump_cmp_handler::<CHAIN>(cmp, Compared::Slots, which == 1), [a, b, rel(t), 0])
        }
        Op::JumpIfI32Imm { cmp, a, imm, pc: t } => {
            i(jump_cmp_handler::<CHAIN>(cmp, Compared::Imm, which == 1), [a, imm, rel(t), 0])
        }
        Op::JumpIfI64 { cmp, a, b, pc: t } => {
            i(jump_cmp_handler::<CHAIN>(cmp, Compared::Wide, which == 1), [a, b, rel(t), 0])
        }
        Op::Branch(k) => match targets.get(k as usize) {
            Some(t) if MovePlan::fits(t.from, t.height, t.keep) => {
                i(op_branch::<CHAIN>, [rel(t.pc), t.height, t.keep, t.from])
            }
            _ => None,
        },
        Op::Select { d, a, b, c } if which == 1 => i(op_select::<CHAIN, 1>, [d, a, b, c]),
        Op::Select { d, a, b, c } => i(op_select::<CHAIN, 0>, [d, a, b, c]),
        Op::I32AddImm { d, a, imm } if which == 1 => i(op_i32_add_imm::<CHAIN, 1>, [d, a, imm, 0]),
        Op::I32AddImm { d, a, imm } => i(op_i32_add_imm::<CHAIN, 0>, [d, a, imm, 0]),
        Op::I64AddImm { d, a, imm } if which == 1 => i(op_i64_add_imm::<CHAIN, 1>, [d, a, imm as u32, 0]),
        Op::I64AddImm { d, a, imm } => i(op_i64_add_imm::<CHAIN, 0>, [d, a, imm as u32, 0]),
        Op::Load { kind, d, addr, offset } => i(load_handler::<CHAIN>(kind, false, which), [d, addr, offset, 0]),
        Op::Store { kind, addr, v, offset } => i(store_handler::<CHAIN>(kind, false, which), [addr, v, offset, 0]),
        Op::LoadAddImm { kind, d, a, imm } => i(load_handler::<CHAIN>(kind, true, which), [d, a, imm, 0]),
        Op::StoreAddImm { kind, a, v, imm } => i(store_handler::<CHAIN>(kind, true, which), [a, v, imm, 0]),
        Op::I32ShlAdd { d, a, b, shift } => i(op_i32_shl_add::<CHAIN>, [d, a, b, shift as u32]),
        Op::LoadMem { kind, d, addr, mem, offset } => {
            let (word, offset) = mem_word(how, mem, offset)?;
            i(load_mem_handler::<CHAIN>(kind), [d, addr, word, offset])
        }
        Op::StoreMem { kind, addr, v, mem, offset } => {
            let (word, offset) = mem_word(how, mem, offset)?;
            i(store_mem_handler::<CHAIN>(kind), [addr, v, word, offset])
        }
        Op::LoadIndexed { kind, shift, d, a, i: index, offset } => {
            i(indexed_load_handler::<CHAIN>(kind, shift, which), [d, a, index, offset])
        }
        Op::StoreIndexed { kind, shift, a, i: index, v, offset } => {
            i(indexed_store_handler::<CHAIN>(kind, shift, which), [a, index, v, offset])
        }
        Op::Simd { .. } | Op::SimdLoad { .. } | Op::SimdStore { .. } | Op::CopyV128 { .. } | Op::SelectV128 { .. } => {
            simd::simd_inst::<CHAIN>(op)
        }
        Op::Wide { .. } => wide::wide_inst::<CHAIN>(op),
        other => numeric_inst::<CHAIN>(other, which),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_trap_code_leaves_the_chain_as_itself() {
        let ip = std::ptr::null();
        for code in TRAPS {
            assert_eq!(trap(ip, code).why(), Why::Trap(code));
        }
        // The list has every variant once: a new variant must be added to it.
        let n = TRAPS.iter().enumerate().filter(|(i, c)| TRAPS[..*i].contains(c)).count();
        assert_eq!(n, 0);
        match TrapCode::Unreachable {
            TrapCode::MemoryOutOfBounds
            | TrapCode::IntegerDivideByZero
            | TrapCode::IntegerOverflow
            | TrapCode::InvalidConversionToInteger
            | TrapCode::Unreachable
            | TrapCode::TableOutOfBounds
            | TrapCode::IndirectCallTypeMismatch
            | TrapCode::UninitializedElement
            | TrapCode::UndefinedElement
            | TrapCode::NullReference
            | TrapCode::CallStackExhausted
            | TrapCode::Host
            | TrapCode::Exit
            | TrapCode::OutOfFuel
            | TrapCode::UncaughtException
            | TrapCode::NullFunctionReference
            | TrapCode::NullStructReference
            | TrapCode::NullArrayReference
            | TrapCode::NullI31Reference
            | TrapCode::CastFailure
            | TrapCode::ArrayOutOfBounds => {}
        }
    }
}
