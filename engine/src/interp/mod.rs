//! The interpreter: executes translated code (spec §4.4 "Instructions").
//!
//! Executes the threaded form of the register-form [`Op`]s (see `crate::translate` and
//! [`threaded`]): handlers chain from instruction to instruction, calls and returns
//! within an instance included (they share the execution state, `context::Ctx`, with
//! this module's loop), and the loop takes over for the ops that need the store (calls
//! to hosts, other instances or untranslated functions, tables, bulk memory,
//! `memory.grow`, running out of fuel) and for traps. Every frame's slots (locals, constants, then operand
//! heights) are in one contiguous value stack of untyped 64-bit slots. A wasm-to-wasm
//! call pushes a small [`Frame`] record and makes the caller's argument slots the
//! callee's frame (a tail call moves them down to the current frame's base and pushes
//! nothing): no host recursion, so deep wasm recursion
//! ends in "call stack exhausted" (the call-depth or value-stack limit of
//! [`crate::Limits`]) and never overflows the host stack. Every trap is returned as a
//! [`Trap`] value carrying a backtrace of (function index, wasm offset) frames.

mod context;
mod numeric;
pub(crate) mod roots;
pub(crate) mod simd;
mod slots;
pub mod threaded;

use std::sync::Arc;

use crate::debug::{DebugControl, DebugHook, DebugState};
use crate::error::{Trap, TrapCode, TrapFrame};
use crate::runtime::{Caller, FuncInst, HostCode, Instance, Store, Val, ops};
use crate::syntax::ValType;
use crate::translate::{BranchTarget, CompiledFunc, Op};

use context::{Ctx, Frame};
use threaded::Why;

/// How the dispatch loop reports to a debugger; [`NoHook`] compiles the reporting out.
pub(crate) trait Hook {
    const ENABLED: bool;
    fn before_instruction(&mut self, state: &mut DebugState<'_>) -> DebugControl;
    fn on_trap(&mut self, state: &mut DebugState<'_>, trap: &Trap);
    /// Exception `exn` (a store address) is being thrown at the state's innermost frame.
    fn on_throw(&mut self, state: &mut DebugState<'_>, exn: u32);
}

/// No debugger attached.
pub(crate) struct NoHook;

impl Hook for NoHook {
    const ENABLED: bool = false;
    fn before_instruction(&mut self, _: &mut DebugState<'_>) -> DebugControl {
        DebugControl::Continue
    }
    fn on_trap(&mut self, _: &mut DebugState<'_>, _: &Trap) {}
    fn on_throw(&mut self, _: &mut DebugState<'_>, _: u32) {}
}

/// A debugger's hook.
struct Attached<'h>(&'h mut dyn DebugHook);

impl Hook for Attached<'_> {
    const ENABLED: bool = true;
    fn before_instruction(&mut self, state: &mut DebugState<'_>) -> DebugControl {
        self.0.before_instruction(state)
    }
    fn on_trap(&mut self, state: &mut DebugState<'_>, trap: &Trap) {
        self.0.on_trap(state, trap)
    }
    fn on_throw(&mut self, state: &mut DebugState<'_>, exn: u32) {
        self.0.on_throw(state, crate::runtime::Exn(exn))
    }
}

/// Where a frame is, for the debugger: see [`DebugState`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct FrameRecord {
    pub instance: u32,
    pub func: u32,
    pub offset: u32,
    pub fp: usize,
    pub num_locals: usize,
    /// End of the frame's operand stack.
    pub sp: usize,
}

/// Every active frame, outermost first, the innermost being at `pc`.
fn records(frames: &[Frame], code: &CompiledFunc, pc: usize, fp: usize, inst: u32, func: u32) -> Vec<FrameRecord> {
    let mut out = Vec::with_capacity(frames.len() + 1);
    for (k, f) in frames.iter().enumerate() {
        let end = frames.get(k + 1).map_or(fp, |inner| inner.fp);
        out.push(FrameRecord {
            instance: f.instance,
            func: f.func,
            offset: f.code().offset_of(f.pc().saturating_sub(1)),
            fp: f.fp,
            num_locals: f.code().num_locals as usize,
            sp: end,
        });
    }
    out.push(FrameRecord {
        instance: inst,
        func,
        offset: code.offset_of(pc),
        fp,
        num_locals: code.num_locals as usize,
        // In the eager (debug) translation every operand is in its own slot, up to the
        // height recorded for the op.
        sp: fp + code.heights.get(pc).map_or(code.num_locals, |h| *h) as usize,
    });
    out
}

/// Deepest nesting of wasm -> host -> wasm calls.
const MAX_REENTRIES: u32 = 256;

/// Host stack that nested wasm -> host -> wasm calls may use, measured from the outermost
/// entry (the smallest thread stacks we expect, e.g. test threads, have 2 MiB).
const HOST_STACK_BUDGET: usize = 512 * 1024;

/// Sentinel for "this instance has no memory".
const NO_MEMORY: usize = usize::MAX;

/// Calls function `addr` with slot-encoded `args` (already type-checked by the caller)
/// and returns its slot-encoded results. On the JIT tier, wasm functions run as native
/// code (falling back to the interpreter for a module the JIT could not compile).
pub(crate) fn call(store: &mut Store, addr: u32, args: &[u64]) -> Result<Vec<u64>, Trap> {
    call_from(store, addr, args, None)
}

/// [`call`] made by wasm code of instance `caller` (which host functions can see).
pub(crate) fn call_from(
    store: &mut Store,
    addr: u32,
    args: &[u64],
    caller: Option<Instance>,
) -> Result<Vec<u64>, Trap> {
    if store.engine.config().tier == crate::config::Tier::Jit
        && let Some(r) = crate::jit::try_call(store, addr, args)
    {
        return r;
    }
    match store.funcs.get(addr as usize) {
        Some(FuncInst::Host { ty, f, .. }) => {
            let (ty, f) = (ty.clone(), f.clone());
            let mut area = args.to_vec();
            let (params, results) = (ValType::slots_of(&ty.params), ValType::slots_of(&ty.results));
            area.resize(params.max(results) as usize, 0);
            call_host(store, &f, &ty, &mut area, caller)?;
            area.truncate(results as usize);
            Ok(area)
        }
        Some(FuncInst::Wasm { .. }) => interpret(store, addr, args, &mut NoHook),
        None => Err(Trap::host("call of a function that is not in this store")),
    }
}

/// Calls wasm function `addr` on the interpreter with a debugger's hook attached,
/// whatever the engine's tier.
pub(crate) fn call_debug(
    store: &mut Store,
    addr: u32,
    args: &[u64],
    hook: &mut dyn DebugHook,
) -> Result<Vec<u64>, Trap> {
    match store.funcs.get(addr as usize) {
        Some(FuncInst::Wasm { .. }) => interpret(store, addr, args, &mut Attached(hook)),
        Some(FuncInst::Host { .. }) => call_from(store, addr, args, None),
        None => Err(Trap::host("call of a function that is not in this store")),
    }
}

/// Runs wasm function `addr` on the interpreter.
fn interpret<H: Hook>(store: &mut Store, addr: u32, args: &[u64], hook: &mut H) -> Result<Vec<u64>, Trap> {
    // Each host -> wasm re-entry costs host stack (this function, `run`, the host
    // closure), so nesting through host functions has its own, smaller bound.
    // The address of a local approximates the host stack pointer; the stack grows down.
    let marker = 0u8;
    let here = std::ptr::addr_of!(marker) as usize;
    let base = *store.host_stack_base.get_or_insert(here);
    if store.reentries >= MAX_REENTRIES || base.saturating_sub(here) > HOST_STACK_BUDGET {
        return Err(Trap::new(TrapCode::CallStackExhausted));
    }
    let mut stack = std::mem::take(&mut store.stack);
    stack.clear();
    stack.extend_from_slice(args);
    store.reentries += 1;
    let depth = store.depth;
    let suspended = store.suspended.len();
    // A host function may panic: the panic goes on to the embedder, but the store's
    // nesting counts are put back first so the store stays usable.
    let result =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&mut *store, &mut stack, addr, &mut *hook)));
    store.reentries -= 1;
    // A panic out of a host function skipped its record's pop.
    store.suspended.truncate(suspended);
    if store.reentries == 0 {
        store.host_stack_base = None;
    }
    let result = match result {
        Ok(r) => r,
        Err(payload) => {
            store.depth = depth;
            std::panic::resume_unwind(payload);
        }
    };
    let out = result.map(|n| stack[..n].to_vec());
    if store.stack.capacity() < stack.capacity() {
        store.stack = stack;
    }
    out
}

/// Calls host function `f` of type `ty`: its arguments are the first slots of `area`
/// (which has room for max(params, results) slots), and its results replace them.
pub(crate) fn call_host(
    store: &mut Store,
    f: &HostCode,
    ty: &crate::syntax::FuncType,
    area: &mut [u64],
    caller: Option<Instance>,
) -> Result<(), Trap> {
    let f = match f {
        // Typed at definition: straight on the slots.
        HostCode::Slots(h) => return (h.f)(&mut Caller::new(store, caller), area),
        HostCode::Vals(f) => f,
    };
    // Arguments on the host stack when there are few (no allocation per call). Each
    // takes one slot of `area`, a `v128` two.
    const FEW: usize = 8;
    let mut few = [Val::I32(0); FEW];
    let many: Vec<Val>;
    let mut at = 0usize;
    let mut next_arg = |t: &ValType| {
        let v = Val::read_slots(*t, area.get(at..).unwrap_or(&[0, 0]));
        at += t.slots() as usize;
        v
    };
    let args: &[Val] = if ty.params.len() <= FEW {
        for (v, t) in few.iter_mut().zip(ty.params.iter()) {
            *v = next_arg(t);
        }
        &few[..ty.params.len()]
    } else {
        many = ty.params.iter().map(next_arg).collect();
        &many
    };
    // Results likewise: preset to each type's zero, written by the host function.
    let mut few_out = [Val::I32(0); FEW];
    let mut many_out: Vec<Val>;
    let results: &mut [Val] = if ty.results.len() <= FEW {
        for (v, t) in few_out.iter_mut().zip(ty.results.iter()) {
            *v = Val::from_slot(*t, 0);
        }
        &mut few_out[..ty.results.len()]
    } else {
        many_out = ty.results.iter().map(|t| Val::from_slot(*t, 0)).collect();
        &mut many_out
    };
    // The host may keep what it is handed.
    store.pin_vals(args);
    f(&mut Caller::new(store, caller), args, results)?;
    if results.iter().zip(ty.results.iter()).any(|(v, t)| !v.matches(store, *t)) {
        return Err(Trap::host("host function returned values of the wrong type"));
    }
    let mut at = 0usize;
    for v in results.iter() {
        let n = v.ty().slots() as usize;
        let slots = area.get_mut(at..at + n).ok_or_else(|| Trap::host("internal error: host result area too small"))?;
        v.write_slots(slots);
        at += n;
    }
    Ok(())
}

fn internal(e: impl std::fmt::Display) -> Trap {
    Trap::host(format!("internal error: {e}"))
}

/// Runs function `addr` (a wasm function) whose arguments are the whole of `stack`.
/// Returns the number of results, left at the bottom of `stack`.
fn run<H: Hook>(store: &mut Store, stack: &mut Vec<u64>, addr: u32, hook: &mut H) -> Result<usize, Trap> {
    let limits = store.engine.config().limits;
    let max_stack = limits.max_value_stack as usize;
    let max_depth = limits.max_call_depth.saturating_sub(store.depth) as usize;
    // The frame buffer: `cx.num_frames` of its entries are suspended callers.
    // Empty until the first call: a call that calls nothing allocates none.
    let mut frames: Vec<Frame> = Vec::new();

    let (mut inst, func) = match &store.funcs[addr as usize] {
        FuncInst::Wasm { instance, index, .. } => (*instance, *index),
        FuncInst::Host { .. } => return Err(internal("run() of a host function")),
    };
    let entry = store.instances[inst as usize].module.compiled(func, H::ENABLED).map_err(internal)?;
    if max_depth == 0 || entry.max_height as usize > max_stack {
        return Err(Trap::new(TrapCode::CallStackExhausted));
    }
    if stack.len() < entry.max_height as usize {
        stack.resize(entry.max_height as usize, 0);
    }
    init_frame(stack, 0, &entry);
    let mut cx = Ctx {
        code: Arc::as_ptr(&entry),
        fp: 0,
        func,
        instance: inst,
        stack: stack.as_mut_ptr(),
        stack_limit: stack.len().min(max_stack),
        frames: frames.as_mut_ptr(),
        num_frames: 0,
        frames_room: frames.len().min(max_depth - 1),
        globals: std::ptr::null(),
        callees: std::ptr::null(),
        fuel: std::ptr::null_mut(),
        tables: std::ptr::null(),
        memories: std::ptr::null(),
        funcs: std::ptr::null(),
    };
    let mut pc = 0usize;
    let mut mem = memory_of(store, inst);
    let (mut mem_base, mut mem_len) = mem_view(store, mem);
    // The current function and frame, re-derived from `cx` whenever the handlers or the
    // loop may have changed them (see `slots`).
    let mut code: &CompiledFunc = slots::code_of(cx.code);
    let (mut fbase, mut flen) = slots::frame(stack, cx.fp);

    macro_rules! trap {
        ($code:expr) => {{
            let trap: Trap = $code.into();
            let active = &frames[..cx.num_frames];
            if H::ENABLED {
                let frames = records(active, code, pc.saturating_sub(1), cx.fp, inst, cx.func);
                hook.on_trap(&mut DebugState { store: &mut *store, stack: &stack[..], frames }, &trap);
            }
            return Err(with_backtrace(store, trap, active, inst, cx.func, code, pc));
        }};
    }
    macro_rules! tri {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(c) => trap!(c),
            }
        };
    }
    // Frame slots.
    macro_rules! slot {
        ($i:expr) => {
            slots::get(fbase, $i as u32)
        };
    }
    macro_rules! set_slot {
        ($i:expr, $v:expr) => {{
            let v = $v;
            slots::set(fbase, $i as u32, v);
        }};
    }
    // Re-derives the current function and frame from `cx` (after a call or return, or
    // after the stack grew).
    macro_rules! rebase {
        () => {{
            code = slots::code_of(cx.code);
            (fbase, flen) = slots::frame(stack, cx.fp);
        }};
    }
    // An i32 operand.
    macro_rules! u32s {
        ($s:expr) => {
            $s as u32
        };
    }

    macro_rules! branch {
        ($t:expr) => {{
            let t: BranchTarget = $t;
            slots::copy_within(fbase, t.from, t.height, t.keep);
            pc = t.pc as usize;
        }};
    }
    macro_rules! memory {
        () => {
            match store.memories.get_mut(mem) {
                Some(m) => &mut m.data,
                None => trap!(TrapCode::MemoryOutOfBounds),
            }
        };
    }
    // Re-reads the cached view of the current memory (see `slots::mem_read`).
    macro_rules! refresh_mem {
        () => {
            (mem_base, mem_len) = mem_view(store, mem)
        };
    }
    // Grows the value stack to `$n` slots (it may move: the handlers' view follows).
    macro_rules! grow_stack {
        ($n:expr) => {{
            stack.resize($n, 0);
            cx.stack = stack.as_mut_ptr();
            cx.stack_limit = stack.len().min(max_stack);
        }};
    }
    // Makes instance `$i` current.
    macro_rules! switch_instance {
        ($i:expr) => {{
            inst = $i;
            cx.instance = inst;
            mem = memory_of(store, inst);
            refresh_mem!();
        }};
    }
    // The translation of wasm function `$index` of instance `$instance` whose store
    // entry caches it in `$cached` (the cache serves only ordinary runs: a debugged run
    // uses the eager translations).
    macro_rules! translation {
        ($cached:expr, $instance:expr, $index:expr) => {
            match $cached.get() {
                Some(c) if !H::ENABLED => c.clone(),
                _ => match store.instances[$instance as usize].module.compiled($index, H::ENABLED) {
                    Ok(c) => {
                        if !H::ENABLED {
                            let _ = $cached.set(c.clone());
                        }
                        c
                    }
                    Err(e) => trap!(internal(e)),
                },
            }
        };
    }
    // Records a translated callee for the handlers (see `context`): its store entry, and
    // for a direct call (`$index` its index in the current instance) the instance's
    // table of callees.
    macro_rules! record_callee {
        ($addr:expr, $callee:expr, $instance:expr, $index:expr) => {
            if !H::ENABLED {
                store.interp_funcs[$addr].code = Arc::as_ptr(&$callee);
                if let Some(f) = $index
                    && $instance == inst
                {
                    store.instances[inst as usize].callees[f as usize] = Arc::as_ptr(&$callee);
                }
            }
        };
    }
    // The activation at the current instruction (`pc` is past it) with value stack
    // `$stack`: what the collector reads its frames' roots from (`roots`).
    macro_rules! activation {
        ($stack:expr) => {
            roots::Activation {
                stack: $stack,
                frames: &frames[..cx.num_frames],
                code,
                pc: pc - 1,
                fp: cx.fp,
                inst,
                func: cx.func,
            }
        };
    }
    // Calls host function `$f` of type `$ty` on the slots from `$base` (an absolute slot
    // index), its results replacing its arguments there (`$here` as in `throw!`).
    macro_rules! call_host_at {
        ($f:expr, $ty:expr, $base:expr, $here:expr) => {{
            let (ty, f, base) = ($ty, $f, $base);
            let end = base + ValType::slots_of(&ty.params).max(ValType::slots_of(&ty.results)) as usize;
            if stack.len() < end {
                grow_stack!(end);
            }
            let depth = cx.num_frames as u32 + 1;
            store.depth += depth;
            // Suspended meanwhile: its frames are GC roots for what the host runs (none
            // while the heap is empty: then they hold no object).
            let (below, args) = stack.split_at_mut(base);
            let registered = !store.gc.is_empty();
            if registered {
                store.suspended.push(roots::Suspended::new(&activation!(below)));
            }
            let result = call_host(store, &f, &ty, &mut args[..end - base], Some(Instance(inst)));
            if registered {
                store.suspended.pop();
            }
            store.depth -= depth;
            match result {
                Ok(()) => {}
                // An exception out of the host (thrown there, or by wasm it called)
                // goes on from the call.
                Err(Trap { code: TrapCode::UncaughtException, exception: Some(e), .. }) => {
                    rebase!();
                    throw!(e.0, $here)
                }
                Err(t) => trap!(t),
            }
            rebase!();
            // The stack may have moved, and a host tail call goes on to return from this
            // frame before the loop comes round: the checked builds' bounds follow.
            slots::set_bounds(fbase, flen, code.threaded.as_ptr(), code.threaded.len());
            // The host may have grown or replaced memories.
            mem = memory_of(store, inst);
            refresh_mem!();
        }};
    }
    // Makes suspended caller `$top` (the innermost) current again, at its return pc.
    macro_rules! pop_frame {
        ($top:expr) => {{
            let f = frames[$top];
            cx.num_frames = $top;
            cx.code = f.code;
            cx.fp = f.fp;
            cx.func = f.func;
            rebase!();
            pc = slots::pc_of(code.threaded.as_ptr(), f.ret);
            if f.instance != inst {
                switch_instance!(f.instance);
            }
        }};
    }
    // Throws exception `$exn` (a store address) from the op before `pc` (`$here`: the
    // current frame's handlers apply; not after a tail call, which left the frame): the
    // innermost handler that catches it, in this frame or a caller's, gets the payload
    // and execution goes on at its label; if none, the run ends with the exception.
    macro_rules! throw {
        ($exn:expr, $here:expr) => {{
            let exn: u32 = $exn;
            if H::ENABLED {
                let frames = records(&frames[..cx.num_frames], code, pc.saturating_sub(1), cx.fp, inst, cx.func);
                hook.on_throw(&mut DebugState { store: &mut *store, stack: &stack[..], frames }, exn);
            }
            let thrown_at = (cx.num_frames, inst, cx.func, cx.code, pc);
            let mut at = if $here { Some(pc.saturating_sub(1) as u32) } else { None };
            loop {
                if let Some(at) = at
                    && let Some(c) = find_catch(store, inst, code, at, exn)
                {
                    let t = code.targets[c.target as usize];
                    let dest = cx.fp + t.height as usize;
                    let Some(e) = store.exns.get(exn as usize) else { trap!(internal("unknown exception")) };
                    let n = if c.kind.has_tag() { e.payload.len() } else { 0 };
                    let need = dest + n + usize::from(c.kind.passes_ref());
                    if stack.len() < need {
                        grow_stack!(need);
                        rebase!();
                    }
                    stack[dest..dest + n].copy_from_slice(&e.payload[..n]);
                    if c.kind.passes_ref() {
                        stack[dest + n] = u64::from(exn) + 1;
                        store.escape_exn(exn);
                    } else if let Some(keep) = c.exn_slot {
                        // A legacy arm that a `rethrow` names keeps the exception.
                        stack[cx.fp + keep as usize] = u64::from(exn) + 1;
                        store.escape_exn(exn);
                    } else {
                        store.release_exn(exn);
                    }
                    pc = t.pc as usize;
                    break;
                }
                let Some(top) = cx.num_frames.checked_sub(1) else {
                    let (n, i, func, c, p) = thrown_at;
                    let mut trap = Trap::throw(crate::runtime::Exn(exn));
                    store.describe_uncaught(&mut trap);
                    return Err(with_backtrace(store, trap, &frames[..n], i, func, slots::code_of(c), p));
                };
                pop_frame!(top);
                // The call that the exception left.
                at = Some(pc.saturating_sub(1) as u32);
            }
            // Resume at the handler: nothing of the op that threw goes on.
            continue;
        }};
    }
    // Returns the current function's results, in the slots from `$from`: to the caller
    // (which may be of another instance), or out of the run.
    macro_rules! return_from {
        ($from:expr) => {{
            let n = code.num_results as usize;
            slots::copy_within(fbase, $from, 0, n as u32);
            let Some(top) = cx.num_frames.checked_sub(1) else { return Ok(n) };
            pop_frame!(top);
        }};
    }
    // Enters function `$addr` whose arguments are in the slots from `$base`; `$index`
    // is its index in the current instance for a direct call (which then records the
    // callee for the handlers, see `context`).
    macro_rules! call_addr {
        ($addr:expr, $base:expr, $index:expr) => {{
            let addr = $addr as usize;
            let base = cx.fp + $base as usize;
            match &store.funcs[addr] {
                FuncInst::Wasm { instance, index, code: cached, .. } => {
                    let (instance, index) = (*instance, *index);
                    if cx.num_frames + 1 >= max_depth {
                        trap!(TrapCode::CallStackExhausted);
                    }
                    let callee = translation!(cached, instance, index);
                    let top = base + callee.max_height as usize;
                    if top > max_stack {
                        trap!(TrapCode::CallStackExhausted);
                    }
                    if stack.len() < top {
                        grow_stack!(top.max(stack.len() * 2));
                    }
                    if cx.num_frames == frames.len() {
                        frames.resize((frames.len() * 2).max(16), Frame::EMPTY);
                        cx.frames = frames.as_mut_ptr();
                        cx.frames_room = frames.len().min(max_depth - 1);
                    }
                    record_callee!(addr, callee, instance, $index);
                    init_frame(stack, base, &callee);
                    frames[cx.num_frames] = Frame {
                        code: cx.code,
                        ret: code.threaded.as_ptr().wrapping_add(pc),
                        fp: cx.fp,
                        instance: inst,
                        func: cx.func,
                    };
                    cx.num_frames += 1;
                    cx.code = Arc::as_ptr(&callee);
                    cx.fp = base;
                    cx.func = index;
                    pc = 0;
                    rebase!();
                    if instance != inst {
                        switch_instance!(instance);
                    }
                }
                FuncInst::Host { ty, f, .. } => call_host_at!(f.clone(), ty.clone(), base, true),
            }
        }};
    }
    // The tail call of function `$addr` whose arguments are in the slots from `$base`
    // (`$index` as in `call_addr!`): a wasm callee replaces the current function in its
    // frame (the arguments move down to the frame's base; no frame is pushed, so the
    // call depth stays the same and the caller is gone from backtraces); a host callee
    // is called, and its results are the current function's return.
    macro_rules! tail_call_addr {
        ($addr:expr, $base:expr, $index:expr) => {{
            let addr = $addr as usize;
            match &store.funcs[addr] {
                FuncInst::Wasm { instance, index, code: cached, .. } => {
                    let (instance, index) = (*instance, *index);
                    let callee = translation!(cached, instance, index);
                    let top = cx.fp + callee.max_height as usize;
                    if top > max_stack {
                        trap!(TrapCode::CallStackExhausted);
                    }
                    if stack.len() < top {
                        grow_stack!(top.max(stack.len() * 2));
                    }
                    record_callee!(addr, callee, instance, $index);
                    let from = cx.fp + $base as usize;
                    stack.copy_within(from..from + callee.num_params as usize, cx.fp);
                    init_frame(stack, cx.fp, &callee);
                    cx.code = Arc::as_ptr(&callee);
                    cx.func = index;
                    pc = 0;
                    rebase!();
                    if instance != inst {
                        switch_instance!(instance);
                    }
                }
                FuncInst::Host { ty, f, .. } => {
                    call_host_at!(f.clone(), ty.clone(), cx.fp + $base as usize, false);
                    return_from!($base);
                }
            }
        }};
    }

    loop {
        // The debugger sees each wasm instruction once, before its first op: an
        // instruction the eager translation makes several ops of (a `v128` `local.get`,
        // `local.set`, `v128.const` or `select` moves two slots) is not paused in the
        // middle, with half of a value moved.
        if H::ENABLED && (pc == 0 || code.offset_of(pc - 1) != code.offset_of(pc)) {
            let records = records(&frames[..cx.num_frames], code, pc, cx.fp, inst, cx.func);
            let mut state = DebugState { store: &mut *store, stack: &stack[..], frames: records };
            if hook.before_instruction(&mut state) == DebugControl::Kill {
                pc += 1;
                trap!(Trap::host("killed by the debugger"));
            }
            refresh_mem!();
            rebase!();
        }
        // The store-owned state the handlers reach, re-read after anything the loop did.
        let instance = &store.instances[inst as usize];
        cx.globals = instance.global_values.as_ptr();
        cx.callees = instance.callees.as_ptr();
        cx.fuel = &raw mut store.fuel;
        cx.tables = instance.table_defs.as_ptr();
        cx.memories = instance.memory_defs.as_ptr();
        cx.funcs = store.interp_funcs.as_ptr();
        slots::set_bounds(fbase, flen, code.threaded.as_ptr(), code.threaded.len());
        // Threaded code runs until an op needs the loop (or, without chaining, for one op).
        let (at_code, at_fp) = (cx.code, cx.fp);
        let exit = slots::enter(code.threaded.as_ptr(), pc, fbase, mem_base, mem_len, &mut cx);
        if cx.code != at_code || cx.fp != at_fp {
            rebase!();
        }
        pc = slots::pc_of(code.threaded.as_ptr(), exit.ip);
        match exit.why() {
            Why::Step => continue,
            Why::Slow => {}
            Why::Trap(c) => {
                pc += 1;
                trap!(c)
            }
        }
        let Some(op) = code.threaded.get(pc).and_then(|i| threaded::slow_op(i, &code.slow)) else {
            trap!(internal("an op with a handler reached the interpreter loop"))
        };
        pc += 1;
        match op {
            Op::Unreachable => trap!(TrapCode::Unreachable),
            Op::Fuel(cost) => match store.fuel.checked_sub(cost as u64) {
                Some(left) => store.fuel = left,
                None => trap!(TrapCode::OutOfFuel),
            },
            Op::Branch(i) => branch!(code.targets[i as usize]),
            Op::BranchIf { c, target } => {
                if slot!(c) as u32 != 0 {
                    branch!(code.targets[target as usize]);
                }
            }
            Op::BranchOnNull { s, target, on_null } => {
                if (slot!(s) == 0) == on_null {
                    branch!(code.targets[target as usize]);
                }
            }
            Op::BranchOnCast { s, cast, target, fail } => {
                let Some(t) = code.gc.get(cast as usize).and_then(|g| g.cast) else {
                    trap!(internal("a cast without its type"))
                };
                if crate::runtime::gc::test(store, slot!(s), t) != fail {
                    branch!(code.targets[target as usize]);
                }
            }
            Op::Gc { op, base } => {
                let Some(g) = code.gc.get(op as usize) else { trap!(internal("unknown GC instruction")) };
                if g.instr.allocates() {
                    roots::collect(store, Some(&activation!(stack)), Vec::new());
                }
                let from = cx.fp + base as usize;
                tri!(crate::runtime::gc::exec(store, inst, g, &mut stack[from..]));
            }
            Op::BranchTable { c, start, len } => {
                let i = (slot!(c) as u32).min(len - 1);
                branch!(code.targets[(start + i) as usize]);
            }
            Op::Return { from } => return_from!(from),
            Op::Call { func: f, base } => {
                let addr = store.instances[inst as usize].funcs[f as usize];
                call_addr!(addr, base, Some(f));
            }
            Op::CallIndirect { type_index, table, base } => {
                let addr = tri!(indirect_callee(store, inst, type_index, table, fbase, base));
                call_addr!(addr, base, None::<u32>);
            }
            Op::ReturnCall { func: f, base } => {
                let addr = store.instances[inst as usize].funcs[f as usize];
                tail_call_addr!(addr, base, Some(f));
            }
            Op::ReturnCallIndirect { type_index, table, base } => {
                let addr = tri!(indirect_callee(store, inst, type_index, table, fbase, base));
                tail_call_addr!(addr, base, None::<u32>);
            }
            Op::CallRef { params, base } => {
                let Some(addr) = slot!(base + params).checked_sub(1) else { trap!(TrapCode::NullFunctionReference) };
                call_addr!(addr, base, None::<u32>);
            }
            Op::ReturnCallRef { params, base } => {
                let Some(addr) = slot!(base + params).checked_sub(1) else { trap!(TrapCode::NullFunctionReference) };
                tail_call_addr!(addr, base, None::<u32>);
            }
            Op::RefAsNonNull(x) => {
                let r = slot!(x.a);
                if r == 0 {
                    trap!(TrapCode::NullReference);
                }
                set_slot!(x.d, r);
            }
            Op::RefEq(x) => set_slot!(x.d, (slot!(x.a) == slot!(x.b)) as u64),
            Op::Throw { tag, base } => {
                let Some(tag_addr) = store.instance_tag(inst, tag) else { trap!(internal("unknown tag")) };
                let n = ValType::slots_of(&store.tags[tag_addr as usize].ty.params) as usize;
                let from = cx.fp + base as usize;
                let payload: Box<[u64]> = stack[from..from + n].into();
                let exn = store.alloc_exn(tag_addr, payload);
                throw!(exn, true)
            }
            Op::ThrowRef { s } => match slot!(s).checked_sub(1) {
                Some(exn) => throw!(exn as u32, true),
                None => trap!(TrapCode::NullReference),
            },
            Op::GlobalGet { d, global } => {
                let g = store.instances[inst as usize].globals[global as usize];
                set_slot!(d, store.globals[g as usize].value);
            }
            Op::GlobalSet { s, global } => {
                let g = store.instances[inst as usize].globals[global as usize];
                store.globals[g as usize].value = slot!(s);
            }
            Op::RefNull { d } => set_slot!(d, 0),
            Op::RefIsNull(x) => set_slot!(x.d, (slot!(x.a) == 0) as u64),
            Op::RefFunc { d, func: f } => set_slot!(d, store.instances[inst as usize].funcs[f as usize] as u64 + 1),
            Op::TableGet { table, base } => set_slot!(base, tri!(ops::table_get(store, inst, table, slot!(base)))),
            Op::TableSet { table, base } => tri!(ops::table_set(store, inst, table, slot!(base), slot!(base + 1))),
            Op::TableSize { table, d } => set_slot!(d, tri!(ops::table_size(store, inst, table))),
            Op::TableGrow { table, base } => {
                let r = tri!(ops::table_grow(store, inst, table, slot!(base), slot!(base + 1)));
                set_slot!(base, r);
            }
            Op::TableFill { table, base } => {
                tri!(ops::table_fill(store, inst, table, slot!(base), slot!(base + 1), slot!(base + 2)))
            }
            Op::TableCopy { dst, src, base } => {
                tri!(ops::table_copy(store, inst, (dst, src), slot!(base), slot!(base + 1), slot!(base + 2)))
            }
            Op::TableInit { elem, table, base } => {
                tri!(ops::table_init(store, inst, (elem, table), slot!(base), slot!(base + 1), slot!(base + 2)))
            }
            Op::ElemDrop(e) => ops::elem_drop(store, inst, e),
            Op::MemorySize { mem, d } => set_slot!(d, tri!(ops::memory_size(store, inst, mem))),
            Op::MemoryGrow { mem, base } => {
                let r = tri!(ops::memory_grow(store, inst, mem, slot!(base)));
                refresh_mem!();
                set_slot!(base, r);
            }
            Op::MemoryFill { mem, base } => {
                tri!(ops::memory_fill(store, inst, mem, slot!(base), slot!(base + 1), slot!(base + 2)))
            }
            Op::MemoryCopy { dst, src, base } => {
                tri!(ops::memory_copy(store, inst, (dst, src), slot!(base), slot!(base + 1), slot!(base + 2)))
            }
            Op::MemoryInit { data: seg, mem, base } => {
                tri!(ops::memory_init(store, inst, (seg, mem), slot!(base), slot!(base + 1), slot!(base + 2)))
            }
            Op::DataDrop(d) => ops::data_drop(store, inst, d),
            Op::LoadMem { kind, d, addr, mem, offset } => {
                let width = kind.width() as usize;
                let bytes = tri!(wide_access(store, inst, mem, slot!(addr), offset, width));
                let raw = bytes.iter().rev().fold(0u64, |acc, b| acc << 8 | u64::from(*b));
                set_slot!(d, kind.extend(raw));
            }
            Op::StoreMem { kind, addr, v, mem, offset } => {
                let width = kind.width() as usize;
                let value = slot!(v).to_le_bytes();
                tri!(wide_access(store, inst, mem, slot!(addr), offset, width)).copy_from_slice(&value[..width]);
            }
            Op::SimdMemAt { op, lane, base, mem, offset } => {
                let width = match op.imm() {
                    crate::syntax::SimdImm::Mem(w) | crate::syntax::SimdImm::MemLane(w) => usize::from(w),
                    _ => 16,
                };
                // Only the lane forms and `v128.store` have a vector operand (after the
                // address); the other loads' frames may end at the address.
                let vector = if op.params().contains(&ValType::V128) {
                    u128::from(slot!(base + 1)) | u128::from(slot!(base + 2)) << 64
                } else {
                    0
                };
                let bytes = tri!(wide_access(store, inst, mem, slot!(base), offset, width));
                if op.results().is_empty() {
                    let bits = match op {
                        crate::syntax::SimdOp::V128Store => vector.to_le_bytes(),
                        _ => u128::from(simd::store_lane_bits(op, vector, lane)).to_le_bytes(),
                    };
                    bytes.copy_from_slice(&bits[..width]);
                } else {
                    let raw = bytes.iter().rev().fold(0u128, |acc, b| acc << 8 | u128::from(*b));
                    let r = simd::loaded(op, raw, vector, lane);
                    set_slot!(base, r as u64);
                    set_slot!(base + 1, (r >> 64) as u64);
                }
            }
            Op::GlobalGetV128 { d, global } => {
                let g = &store.globals[store.instances[inst as usize].globals[global as usize] as usize];
                let (lo, hi) = (g.value, g.hi);
                set_slot!(d, lo);
                set_slot!(d + 1, hi);
            }
            Op::GlobalSetV128 { s, global } => {
                let (lo, hi) = (slot!(s), slot!(s + 1));
                let g = &mut store.globals[store.instances[inst as usize].globals[global as usize] as usize];
                g.value = lo;
                g.hi = hi;
            }
            Op::SimdLoadLane { op, lane, d, addr, v, offset } => {
                let width = simd_lane_width(op);
                let ea = u32s!(slot!(addr)) as usize + offset as usize;
                let vector = u128::from(slot!(v)) | u128::from(slot!(v + 1)) << 64;
                let raw = match memory!().get(ea..ea.saturating_add(width)) {
                    Some(bytes) if ea.checked_add(width).is_some() => {
                        bytes.iter().rev().fold(0u128, |acc, b| acc << 8 | u128::from(*b))
                    }
                    _ => trap!(TrapCode::MemoryOutOfBounds),
                };
                let r = simd::loaded(op, raw, vector, lane);
                set_slot!(d, r as u64);
                set_slot!(d + 1, (r >> 64) as u64);
            }
            Op::SimdStoreLane { op, lane, addr, v, offset } => {
                let width = simd_lane_width(op);
                let ea = u32s!(slot!(addr)) as usize + offset as usize;
                let vector = u128::from(slot!(v)) | u128::from(slot!(v + 1)) << 64;
                let bits = simd::store_lane_bits(op, vector, lane).to_le_bytes();
                match memory!().get_mut(ea..ea.saturating_add(width)) {
                    Some(dst) if ea.checked_add(width).is_some() => dst.copy_from_slice(&bits[..width]),
                    _ => trap!(TrapCode::MemoryOutOfBounds),
                }
            }
            // Every other op has a handler of its own and never reaches the loop.
            _ => trap!(internal("an op with a handler reached the interpreter loop")),
        }
    }
}

/// The innermost catch clause of `code` (a function of instance `inst`) around the op at
/// `pc` that catches exception `exn`.
fn find_catch<'c>(
    store: &Store,
    inst: u32,
    code: &'c CompiledFunc,
    pc: u32,
    exn: u32,
) -> Option<&'c crate::translate::CatchTarget> {
    if code.handlers.is_empty() {
        return None;
    }
    let tag = store.exns.get(exn as usize)?.tag;
    match code.handler_at(pc, |c| !c.kind.has_tag() || store.instance_tag(inst, c.tag) == Some(tag)) {
        crate::translate::Handling::Caught(c) => Some(c),
        crate::translate::Handling::Uncaught => None,
    }
}

/// The store address of the callee of a `call_indirect` or `return_call_indirect` of
/// instance `inst` through `table`, with expected type `type_index`, whose arguments are
/// the slots from `base` of the frame at `fbase` and whose element index is the slot
/// after them; the trap if the element is out of bounds, null or of another type.
fn indirect_callee(
    store: &Store,
    inst: u32,
    type_index: u32,
    table: u32,
    fbase: *mut u64,
    base: u32,
) -> Result<u32, TrapCode> {
    let instance = &store.instances[inst as usize];
    let syntax = instance.module.syntax();
    let expected = syntax.func_type(type_index).ok_or(TrapCode::IndirectCallTypeMismatch)?;
    let expected_id = syntax.canon_id(type_index);
    let taddr = instance.tables[table as usize] as usize;
    // The index in the table's address type (all 64 bits for a table64).
    let i = store.tables[taddr].ty.addr.wrap(slots::get(fbase, base + ValType::slots_of(&expected.params)));
    let elem =
        *usize::try_from(i).ok().and_then(|i| store.tables[taddr].elems.get(i)).ok_or(TrapCode::UndefinedElement)?;
    let addr = elem.checked_sub(1).ok_or(TrapCode::UninitializedElement)?;
    if !store.funcs[addr as usize].has_type(expected_id) {
        return Err(TrapCode::IndirectCallTypeMismatch);
    }
    Ok(addr as u32)
}

/// Zeroes the declared locals of the frame at `fp` and writes its constant slots (the
/// stack already holds `fp + max_height` slots).
#[inline(always)]
fn init_frame(stack: &mut [u64], fp: usize, code: &CompiledFunc) {
    // Bounds-checked here: `init_frame_at` writes within the frame's `max_height` slots.
    let frame = &mut stack[fp..fp + code.max_height as usize];
    slots::init_frame_at(frame.as_mut_ptr(), code);
}

/// The `width` bytes at address `addr` (a slot: its low 32 bits for a 32-bit memory) plus
/// `offset` of memory `mem` of instance `inst`; out of bounds if beyond the memory or if
/// the sum overflows 64 bits.
fn wide_access(
    store: &mut Store,
    inst: u32,
    mem: u32,
    addr: u64,
    offset: u64,
    width: usize,
) -> Result<&mut [u8], TrapCode> {
    let maddr = *store.instances[inst as usize].memories.get(mem as usize).ok_or(TrapCode::MemoryOutOfBounds)?;
    let m = &mut store.memories[maddr as usize];
    let ea = m.ty.addr.wrap(addr).checked_add(offset).ok_or(TrapCode::MemoryOutOfBounds)?;
    let ea = usize::try_from(ea).map_err(|_| TrapCode::MemoryOutOfBounds)?;
    m.data.get_mut(ea..ea.checked_add(width).ok_or(TrapCode::MemoryOutOfBounds)?).ok_or(TrapCode::MemoryOutOfBounds)
}

/// The access width in bytes of a lane load or store.
fn simd_lane_width(op: crate::syntax::SimdOp) -> usize {
    match op.imm() {
        crate::syntax::SimdImm::MemLane(w) => usize::from(w).min(8),
        _ => 8,
    }
}

/// Base and length of memory `mem` (null and 0 for [`NO_MEMORY`]).
fn mem_view(store: &mut Store, mem: usize) -> (*mut u8, usize) {
    match store.memories.get_mut(mem) {
        Some(m) => {
            let data: &mut [u8] = &mut m.data;
            (data.as_mut_ptr(), data.len())
        }
        None => (std::ptr::null_mut(), 0),
    }
}

/// The memory address of an instance's memory 0, or [`NO_MEMORY`].
fn memory_of(store: &Store, inst: u32) -> usize {
    store.instances[inst as usize].memories.first().map_or(NO_MEMORY, |m| *m as usize)
}

/// Fills in a trap's backtrace from the active frames, innermost first.
fn with_backtrace(
    store: &Store,
    mut trap: Trap,
    frames: &[Frame],
    inst: u32,
    func: u32,
    code: &CompiledFunc,
    pc: usize,
) -> Trap {
    let frame = |inst: u32, func: u32, code: &CompiledFunc, pc: usize| {
        let module = &store.instances[inst as usize].module;
        TrapFrame {
            func,
            offset: code.offset_of(pc.saturating_sub(1)),
            name: module.func_name(func).map(str::to_string),
        }
    };
    let mut bt = vec![frame(inst, func, code, pc)];
    bt.extend(frames.iter().rev().map(|f| frame(f.instance, f.func, f.code(), f.pc())));
    // A trap raised by a nested call keeps its own (inner) frames first.
    bt.splice(0..0, std::mem::take(&mut trap.backtrace));
    trap.backtrace = bt;
    trap
}
