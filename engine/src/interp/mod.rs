//! The interpreter: executes translated code (spec §4.4 "Instructions").
//!
//! One dispatch loop over the register-form [`Op`]s (see `crate::translate`), with every
//! frame's slots (locals, then operand heights) in one contiguous value stack of untyped
//! 64-bit slots. A wasm-to-wasm call pushes a small [`Frame`] record and makes the
//! caller's argument slots the callee's frame: no host recursion, so deep wasm recursion
//! ends in "call stack exhausted" (the call-depth or value-stack limit of
//! [`crate::Limits`]) and never overflows the host stack. Every trap is returned as a
//! [`Trap`] value carrying a backtrace of (function index, wasm offset) frames.

mod numeric;
mod slots;

use std::sync::Arc;

use crate::debug::{DebugControl, DebugHook, DebugState};
use crate::error::{Trap, TrapCode, TrapFrame};
use crate::runtime::{Caller, FuncInst, HostFnRef, Instance, Store, Val};
use crate::syntax::{LoadOp, StoreOp};
use crate::translate::{BranchTarget, CompiledFunc, Op};

use numeric::*;

/// A suspended caller.
struct Frame {
    code: Arc<CompiledFunc>,
    pc: usize,
    fp: usize,
    instance: u32,
    func: u32,
}

/// How the dispatch loop reports to a debugger; [`NoHook`] compiles the reporting out.
pub(crate) trait Hook {
    const ENABLED: bool;
    fn before_instruction(&mut self, state: &mut DebugState<'_>) -> DebugControl;
    fn on_trap(&mut self, state: &mut DebugState<'_>, trap: &Trap);
}

/// No debugger attached.
pub(crate) struct NoHook;

impl Hook for NoHook {
    const ENABLED: bool = false;
    fn before_instruction(&mut self, _: &mut DebugState<'_>) -> DebugControl {
        DebugControl::Continue
    }
    fn on_trap(&mut self, _: &mut DebugState<'_>, _: &Trap) {}
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
            offset: f.code.offset_of(f.pc.saturating_sub(1)),
            fp: f.fp,
            num_locals: f.code.num_locals as usize,
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
    let (ty, host) = match store.funcs.get(addr as usize) {
        Some(FuncInst::Host { ty, f }) => (ty.clone(), Some(f.clone())),
        Some(FuncInst::Wasm { ty, .. }) => (ty.clone(), None),
        None => return Err(Trap::host("call of a function that is not in this store")),
    };
    if let Some(f) = host {
        return call_host(store, &f, &ty, args, caller);
    }
    interpret(store, addr, args, &mut NoHook)
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
    let result = run(store, &mut stack, addr, hook);
    store.reentries -= 1;
    if store.reentries == 0 {
        store.host_stack_base = None;
    }
    let out = result.map(|n| stack[..n].to_vec());
    if store.stack.capacity() < stack.capacity() {
        store.stack = stack;
    }
    out
}

fn call_host(
    store: &mut Store,
    f: &HostFnRef,
    ty: &crate::syntax::FuncType,
    args: &[u64],
    caller: Option<Instance>,
) -> Result<Vec<u64>, Trap> {
    let vals: Vec<Val> = ty.params.iter().zip(args).map(|(t, s)| Val::from_slot(*t, *s)).collect();
    let results = f(&mut Caller::new(store, caller), &vals)?;
    if results.len() != ty.results.len() || results.iter().zip(ty.results.iter()).any(|(v, t)| v.ty() != *t) {
        return Err(Trap::host("host function returned values of the wrong type"));
    }
    Ok(results.into_iter().map(Val::to_slot).collect())
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
    let mut frames: Vec<Frame> = Vec::with_capacity(64);

    let (mut inst, mut func) = match &store.funcs[addr as usize] {
        FuncInst::Wasm { instance, index, .. } => (*instance, *index),
        FuncInst::Host { .. } => return Err(internal("run() of a host function")),
    };
    let mut code = store.instances[inst as usize].module.compiled(func, H::ENABLED).map_err(internal)?;
    let mut fp = 0usize;
    if max_depth == 0 || code.max_height as usize > max_stack {
        return Err(Trap::new(TrapCode::CallStackExhausted));
    }
    if stack.len() < code.max_height as usize {
        stack.resize(code.max_height as usize, 0);
    }
    init_frame(stack, 0, &code);
    let mut pc = 0usize;
    let mut mem = memory_of(store, inst);
    let (mut mem_base, mut mem_len) = mem_view(store, mem);
    // Hot state in registers: the frame's slots and the function's ops (see `slots`).
    let (mut fbase, mut flen) = slots::frame(stack, fp);
    let (mut ops, mut ops_len) = (code.ops.as_ptr(), code.ops.len());

    macro_rules! trap {
        ($code:expr) => {{
            let trap: Trap = $code.into();
            if H::ENABLED {
                let frames = records(&frames, &code, pc.saturating_sub(1), fp, inst, func);
                hook.on_trap(&mut DebugState { store: &mut *store, stack: &stack[..], frames }, &trap);
            }
            return Err(with_backtrace(store, trap, &frames, inst, func, &code, pc));
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
            slots::read(fbase, flen, $i as usize)
        };
    }
    macro_rules! set_slot {
        ($i:expr, $v:expr) => {{
            let v = $v;
            slots::write(fbase, flen, $i as usize, v);
        }};
    }
    // Re-derives the frame pointer and the op pointer (after `fp`, `code` or the stack
    // changed).
    macro_rules! rebase {
        () => {{
            (fbase, flen) = slots::frame(stack, fp);
            (ops, ops_len) = (code.ops.as_ptr(), code.ops.len());
        }};
    }
    macro_rules! un {
        ($x:expr, $from:ident, $to:ident, $f:expr) => {{
            let a = $from!(slot!($x.a));
            set_slot!($x.d, $to!($f(a)));
        }};
    }
    macro_rules! bin {
        ($x:expr, $from:ident, $to:ident, $f:expr) => {{
            let a = $from!(slot!($x.a));
            let b = $from!(slot!($x.b));
            set_slot!($x.d, $to!($f(a, b)));
        }};
    }
    macro_rules! bin_trap {
        ($x:expr, $from:ident, $to:ident, $f:expr) => {{
            let a = $from!(slot!($x.a));
            let b = $from!(slot!($x.b));
            let r = tri!($f(a, b));
            set_slot!($x.d, $to!(r));
        }};
    }
    macro_rules! un_trap {
        ($x:expr, $from:ident, $to:ident, $f:expr) => {{
            let a = $from!(slot!($x.a));
            let r = tri!($f(a));
            set_slot!($x.d, $to!(r));
        }};
    }
    // Slot decoders and encoders.
    macro_rules! i32s {
        ($s:expr) => {
            $s as u32 as i32
        };
    }
    macro_rules! u32s {
        ($s:expr) => {
            $s as u32
        };
    }
    macro_rules! i64s {
        ($s:expr) => {
            $s as i64
        };
    }
    macro_rules! u64s {
        ($s:expr) => {
            $s
        };
    }
    macro_rules! f32s {
        ($s:expr) => {
            f32::from_bits($s as u32)
        };
    }
    macro_rules! f64s {
        ($s:expr) => {
            f64::from_bits($s)
        };
    }
    macro_rules! from_i32 {
        ($v:expr) => {
            $v as u32 as u64
        };
    }
    macro_rules! from_u32 {
        ($v:expr) => {
            $v as u64
        };
    }
    macro_rules! from_i64 {
        ($v:expr) => {
            $v as u64
        };
    }
    macro_rules! from_u64 {
        ($v:expr) => {
            $v
        };
    }
    macro_rules! from_bool {
        ($v:expr) => {
            $v as u64
        };
    }
    macro_rules! from_f32 {
        ($v:expr) => {
            f32::to_bits($v) as u64
        };
    }
    macro_rules! from_f64 {
        ($v:expr) => {
            f64::to_bits($v)
        };
    }

    macro_rules! branch {
        ($t:expr) => {{
            let t: BranchTarget = $t;
            slots::copy(fbase, flen, t.from as usize, t.height as usize, t.keep as usize);
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
    macro_rules! load {
        ($d:expr, $addr:expr, $off:expr, $n:literal, $conv:expr) => {{
            let ea = u32s!(slot!($addr)) as usize + $off as usize;
            let bytes: [u8; $n] = match slots::mem_read::<$n>(mem_base, mem_len, ea) {
                Some(b) => b,
                None => trap!(TrapCode::MemoryOutOfBounds),
            };
            set_slot!($d, $conv(bytes));
        }};
    }
    macro_rules! store_mem {
        ($addr:expr, $v:expr, $off:expr, $n:literal, $bytes:expr) => {{
            let v = slot!($v);
            let ea = u32s!(slot!($addr)) as usize + $off as usize;
            let bytes: [u8; $n] = $bytes(v);
            if !slots::mem_write::<$n>(mem_base, mem_len, ea, bytes) {
                trap!(TrapCode::MemoryOutOfBounds);
            }
        }};
    }
    macro_rules! load_kind {
        ($kind:expr, $d:expr, $addr:expr, $off:expr) => {{
            let (d, addr, off) = ($d, $addr, $off);
            match $kind {
                LoadOp::I32Load => load!(d, addr, off, 4, |b| u32::from_le_bytes(b) as u64),
                LoadOp::I64Load => load!(d, addr, off, 8, u64::from_le_bytes),
                LoadOp::F32Load => load!(d, addr, off, 4, |b| u32::from_le_bytes(b) as u64),
                LoadOp::F64Load => load!(d, addr, off, 8, u64::from_le_bytes),
                LoadOp::I32Load8S => load!(d, addr, off, 1, |b: [u8; 1]| b[0] as i8 as i32 as u32 as u64),
                LoadOp::I32Load8U => load!(d, addr, off, 1, |b: [u8; 1]| b[0] as u64),
                LoadOp::I32Load16S => load!(d, addr, off, 2, |b| i16::from_le_bytes(b) as i32 as u32 as u64),
                LoadOp::I32Load16U => load!(d, addr, off, 2, |b| u16::from_le_bytes(b) as u64),
                LoadOp::I64Load8S => load!(d, addr, off, 1, |b: [u8; 1]| b[0] as i8 as i64 as u64),
                LoadOp::I64Load8U => load!(d, addr, off, 1, |b: [u8; 1]| b[0] as u64),
                LoadOp::I64Load16S => load!(d, addr, off, 2, |b| i16::from_le_bytes(b) as i64 as u64),
                LoadOp::I64Load16U => load!(d, addr, off, 2, |b| u16::from_le_bytes(b) as u64),
                LoadOp::I64Load32S => load!(d, addr, off, 4, |b| i32::from_le_bytes(b) as i64 as u64),
                LoadOp::I64Load32U => load!(d, addr, off, 4, |b| u32::from_le_bytes(b) as u64),
            }
        }};
    }
    // Enters function `$addr` whose arguments are in the slots from `$base`.
    macro_rules! call_addr {
        ($addr:expr, $base:expr) => {{
            let addr = $addr as usize;
            let base = fp + $base as usize;
            match &store.funcs[addr] {
                FuncInst::Wasm { instance, index, code: cached, .. } => {
                    let (instance, index) = (*instance, *index);
                    if frames.len() + 1 >= max_depth {
                        trap!(TrapCode::CallStackExhausted);
                    }
                    let callee = match cached.get() {
                        Some(c) if !H::ENABLED => c.clone(),
                        _ => match store.instances[instance as usize].module.compiled(index, H::ENABLED) {
                            Ok(c) => {
                                if !H::ENABLED {
                                    let _ = cached.set(c.clone());
                                }
                                c
                            }
                            Err(e) => trap!(internal(e)),
                        },
                    };
                    let top = base + callee.max_height as usize;
                    if top > max_stack {
                        trap!(TrapCode::CallStackExhausted);
                    }
                    if stack.len() < top {
                        stack.resize(top.max(stack.len() * 2), 0);
                    }
                    init_frame(stack, base, &callee);
                    let caller = std::mem::replace(&mut code, callee);
                    frames.push(Frame { code: caller, pc, fp, instance: inst, func });
                    fp = base;
                    pc = 0;
                    func = index;
                    rebase!();
                    if instance != inst {
                        inst = instance;
                        mem = memory_of(store, inst);
                        refresh_mem!();
                    }
                }
                FuncInst::Host { ty, f } => {
                    let (ty, f) = (ty.clone(), f.clone());
                    let n = ty.params.len();
                    let args = stack[base..base + n].to_vec();
                    store.depth += frames.len() as u32 + 1;
                    let result = call_host(store, &f, &ty, &args, Some(Instance(inst)));
                    store.depth -= frames.len() as u32 + 1;
                    match result {
                        Ok(results) => {
                            if stack.len() < base + results.len() {
                                stack.resize(base + results.len(), 0);
                            }
                            stack[base..base + results.len()].copy_from_slice(&results);
                        }
                        Err(t) => trap!(t),
                    }
                    rebase!();
                    // The host may have grown or replaced memories.
                    mem = memory_of(store, inst);
                    refresh_mem!();
                }
            }
        }};
    }

    loop {
        if H::ENABLED {
            let records = records(&frames, &code, pc, fp, inst, func);
            let mut state = DebugState { store: &mut *store, stack: &stack[..], frames: records };
            if hook.before_instruction(&mut state) == DebugControl::Kill {
                pc += 1;
                trap!(Trap::host("killed by the debugger"));
            }
            refresh_mem!();
            rebase!();
        }
        let op = slots::fetch_at(ops, ops_len, pc);
        pc += 1;
        match op {
            Op::Unreachable => trap!(TrapCode::Unreachable),
            Op::Nop => {}
            Op::Fuel(cost) => match store.fuel.checked_sub(cost as u64) {
                Some(left) => store.fuel = left,
                None => trap!(TrapCode::OutOfFuel),
            },
            Op::Copy { d, s } => set_slot!(d, slot!(s)),
            Op::Const { d, value } => set_slot!(d, value),
            Op::Jump(t) => pc = t as usize,
            Op::JumpIf { c, pc: t } => {
                if slot!(c) as u32 != 0 {
                    pc = t as usize;
                }
            }
            Op::JumpIfZero { c, pc: t } => {
                if slot!(c) as u32 == 0 {
                    pc = t as usize;
                }
            }
            Op::JumpIfI32 { cmp, a, b, pc: t } => {
                if cmp.holds(slot!(a) as u32, slot!(b) as u32) {
                    pc = t as usize;
                }
            }
            Op::JumpIfI32Imm { cmp, a, imm, pc: t } => {
                if cmp.holds(slot!(a) as u32, imm) {
                    pc = t as usize;
                }
            }
            Op::Branch(i) => branch!(code.targets[i as usize]),
            Op::BranchIf { c, target } => {
                if slot!(c) as u32 != 0 {
                    branch!(code.targets[target as usize]);
                }
            }
            Op::BranchTable { c, start, len } => {
                let i = (slot!(c) as u32).min(len - 1);
                branch!(code.targets[(start + i) as usize]);
            }
            Op::Return { from } => {
                let n = code.num_results as usize;
                slots::copy(fbase, flen, from as usize, 0, n);
                match frames.pop() {
                    None => return Ok(n),
                    Some(f) => {
                        code = f.code;
                        pc = f.pc;
                        fp = f.fp;
                        func = f.func;
                        rebase!();
                        if f.instance != inst {
                            inst = f.instance;
                            mem = memory_of(store, inst);
                            refresh_mem!();
                        }
                    }
                }
            }
            Op::Call { func: f, base } => {
                let addr = store.instances[inst as usize].funcs[f as usize];
                call_addr!(addr, base);
            }
            Op::CallIndirect { type_index, table, base } => {
                let instance = &store.instances[inst as usize];
                let expected = &instance.module.syntax().types[type_index as usize];
                let i = slot!(base + expected.params.len() as u32) as u32 as usize;
                let taddr = instance.tables[table as usize] as usize;
                let elem = match store.tables[taddr].elems.get(i) {
                    Some(s) => *s,
                    None => trap!(TrapCode::UndefinedElement),
                };
                let Some(addr) = elem.checked_sub(1) else { trap!(TrapCode::UninitializedElement) };
                if store.funcs[addr as usize].ty() != expected {
                    trap!(TrapCode::IndirectCallTypeMismatch);
                }
                call_addr!(addr, base);
            }
            Op::Select { d, b, c } => {
                if slot!(c) as u32 == 0 {
                    set_slot!(d, slot!(b));
                }
            }
            Op::GlobalGet { d, global } => {
                let g = store.instances[inst as usize].globals[global as usize];
                set_slot!(d, store.globals[g as usize].value);
            }
            Op::GlobalSet { s, global } => {
                let g = store.instances[inst as usize].globals[global as usize];
                store.globals[g as usize].value = slot!(s);
            }
            Op::RefNull { d } => set_slot!(d, 0),
            Op::RefIsNull(x) => un!(x, u64s, from_bool, |a: u64| a == 0),
            Op::RefFunc { d, func: f } => set_slot!(d, store.instances[inst as usize].funcs[f as usize] as u64 + 1),
            Op::TableGet { table, base } => {
                let taddr = store.instances[inst as usize].tables[table as usize] as usize;
                let i = u32s!(slot!(base)) as usize;
                match store.tables[taddr].elems.get(i) {
                    Some(v) => set_slot!(base, *v),
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Op::TableSet { table, base } => {
                let i = u32s!(slot!(base)) as usize;
                let v = slot!(base + 1);
                let taddr = store.instances[inst as usize].tables[table as usize] as usize;
                match store.tables[taddr].elems.get_mut(i) {
                    Some(e) => *e = v,
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Op::TableSize { table, d } => {
                let taddr = store.instances[inst as usize].tables[table as usize] as usize;
                set_slot!(d, store.tables[taddr].elems.len() as u64);
            }
            Op::TableGrow { table, base } => {
                let init = slot!(base);
                let n = u32s!(slot!(base + 1)) as u64;
                let taddr = store.instances[inst as usize].tables[table as usize] as usize;
                let r = store.tables[taddr].grow(n, init, limits.max_table_elements).unwrap_or(u32::MAX);
                set_slot!(base, r as u64);
            }
            Op::TableFill { table, base } => {
                let d = u32s!(slot!(base)) as usize;
                let v = slot!(base + 1);
                let n = u32s!(slot!(base + 2)) as usize;
                let taddr = store.instances[inst as usize].tables[table as usize] as usize;
                match store.tables[taddr].elems.get_mut(d..d.saturating_add(n)) {
                    Some(s) => s.fill(v),
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Op::TableCopy { dst, src, base } => {
                let d = u32s!(slot!(base)) as usize;
                let s = u32s!(slot!(base + 1)) as usize;
                let n = u32s!(slot!(base + 2)) as usize;
                let instance = &store.instances[inst as usize];
                let (ta, tb) = (instance.tables[dst as usize] as usize, instance.tables[src as usize] as usize);
                tri!(table_copy(store, ta, tb, d, s, n));
            }
            Op::TableInit { elem, table, base } => {
                let d = u32s!(slot!(base)) as usize;
                let s = u32s!(slot!(base + 1)) as usize;
                let n = u32s!(slot!(base + 2)) as usize;
                let instance = &store.instances[inst as usize];
                let seg = instance.elems[elem as usize].clone();
                let taddr = instance.tables[table as usize] as usize;
                let src = seg.get(s..s.saturating_add(n));
                match (src, store.tables[taddr].elems.get_mut(d..d.saturating_add(n))) {
                    (Some(src), Some(dst)) => dst.copy_from_slice(src),
                    _ => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Op::ElemDrop(e) => store.instances[inst as usize].elems[e as usize] = Arc::from([]),
            Op::Load { kind, d, addr, offset } => load_kind!(kind, d, addr, offset),
            Op::Store { kind, addr, v, offset } => match kind {
                StoreOp::I32Store | StoreOp::F32Store | StoreOp::I64Store32 => {
                    store_mem!(addr, v, offset, 4, |v: u64| (v as u32).to_le_bytes())
                }
                StoreOp::I64Store | StoreOp::F64Store => store_mem!(addr, v, offset, 8, u64::to_le_bytes),
                StoreOp::I32Store8 | StoreOp::I64Store8 => store_mem!(addr, v, offset, 1, |v: u64| [v as u8]),
                StoreOp::I32Store16 | StoreOp::I64Store16 => {
                    store_mem!(addr, v, offset, 2, |v: u64| (v as u16).to_le_bytes())
                }
            },
            Op::MemorySize { d } => {
                let pages = match store.memories.get(mem) {
                    Some(m) => m.pages(),
                    None => trap!(TrapCode::MemoryOutOfBounds),
                };
                set_slot!(d, pages);
            }
            Op::MemoryGrow { base } => {
                let n = u32s!(slot!(base)) as u64;
                let r = match store.memories.get_mut(mem) {
                    Some(m) => m.grow(n, limits.max_memory_pages).map_or(u32::MAX, |old| old as u32),
                    None => trap!(TrapCode::MemoryOutOfBounds),
                };
                refresh_mem!();
                set_slot!(base, r as u64);
            }
            Op::MemoryFill { base } => {
                let d = u32s!(slot!(base)) as usize;
                let v = slot!(base + 1) as u8;
                let n = u32s!(slot!(base + 2)) as usize;
                match memory!().get_mut(d..d.saturating_add(n)) {
                    Some(s) => s.fill(v),
                    None => trap!(TrapCode::MemoryOutOfBounds),
                }
            }
            Op::MemoryCopy { base } => {
                let d = u32s!(slot!(base)) as usize;
                let s = u32s!(slot!(base + 1)) as usize;
                let n = u32s!(slot!(base + 2)) as usize;
                let data = memory!();
                let len = data.len();
                if s.saturating_add(n) > len || d.saturating_add(n) > len {
                    trap!(TrapCode::MemoryOutOfBounds);
                }
                data.copy_within(s..s + n, d);
            }
            Op::MemoryInit { data: seg, base } => {
                let d = u32s!(slot!(base)) as usize;
                let s = u32s!(slot!(base + 1)) as usize;
                let n = u32s!(slot!(base + 2)) as usize;
                let bytes = store.instances[inst as usize].datas[seg as usize].clone();
                let src = bytes.get(s..s.saturating_add(n));
                match (src, memory!().get_mut(d..d.saturating_add(n))) {
                    (Some(src), Some(dst)) => dst.copy_from_slice(src),
                    _ => trap!(TrapCode::MemoryOutOfBounds),
                }
            }
            Op::DataDrop(d) => store.instances[inst as usize].datas[d as usize] = Arc::from([]),
            Op::I32AddImm { d, a, imm } => set_slot!(d, (slot!(a) as u32).wrapping_add(imm) as u64),
            Op::I64AddImm { d, a, imm } => set_slot!(d, slot!(a).wrapping_add(imm as i64 as u64)),

            Op::I32Eqz(x) => un!(x, u32s, from_bool, |a| a == 0),
            Op::I32Eq(x) => bin!(x, u32s, from_bool, |a, b| a == b),
            Op::I32Ne(x) => bin!(x, u32s, from_bool, |a, b| a != b),
            Op::I32LtS(x) => bin!(x, i32s, from_bool, |a, b| a < b),
            Op::I32LtU(x) => bin!(x, u32s, from_bool, |a, b| a < b),
            Op::I32GtS(x) => bin!(x, i32s, from_bool, |a, b| a > b),
            Op::I32GtU(x) => bin!(x, u32s, from_bool, |a, b| a > b),
            Op::I32LeS(x) => bin!(x, i32s, from_bool, |a, b| a <= b),
            Op::I32LeU(x) => bin!(x, u32s, from_bool, |a, b| a <= b),
            Op::I32GeS(x) => bin!(x, i32s, from_bool, |a, b| a >= b),
            Op::I32GeU(x) => bin!(x, u32s, from_bool, |a, b| a >= b),
            Op::I64Eqz(x) => un!(x, u64s, from_bool, |a| a == 0),
            Op::I64Eq(x) => bin!(x, u64s, from_bool, |a, b| a == b),
            Op::I64Ne(x) => bin!(x, u64s, from_bool, |a, b| a != b),
            Op::I64LtS(x) => bin!(x, i64s, from_bool, |a, b| a < b),
            Op::I64LtU(x) => bin!(x, u64s, from_bool, |a, b| a < b),
            Op::I64GtS(x) => bin!(x, i64s, from_bool, |a, b| a > b),
            Op::I64GtU(x) => bin!(x, u64s, from_bool, |a, b| a > b),
            Op::I64LeS(x) => bin!(x, i64s, from_bool, |a, b| a <= b),
            Op::I64LeU(x) => bin!(x, u64s, from_bool, |a, b| a <= b),
            Op::I64GeS(x) => bin!(x, i64s, from_bool, |a, b| a >= b),
            Op::I64GeU(x) => bin!(x, u64s, from_bool, |a, b| a >= b),
            Op::F32Eq(x) => bin!(x, f32s, from_bool, |a, b| a == b),
            Op::F32Ne(x) => bin!(x, f32s, from_bool, |a, b| a != b),
            Op::F32Lt(x) => bin!(x, f32s, from_bool, |a, b| a < b),
            Op::F32Gt(x) => bin!(x, f32s, from_bool, |a, b| a > b),
            Op::F32Le(x) => bin!(x, f32s, from_bool, |a, b| a <= b),
            Op::F32Ge(x) => bin!(x, f32s, from_bool, |a, b| a >= b),
            Op::F64Eq(x) => bin!(x, f64s, from_bool, |a, b| a == b),
            Op::F64Ne(x) => bin!(x, f64s, from_bool, |a, b| a != b),
            Op::F64Lt(x) => bin!(x, f64s, from_bool, |a, b| a < b),
            Op::F64Gt(x) => bin!(x, f64s, from_bool, |a, b| a > b),
            Op::F64Le(x) => bin!(x, f64s, from_bool, |a, b| a <= b),
            Op::F64Ge(x) => bin!(x, f64s, from_bool, |a, b| a >= b),
            Op::I32Clz(x) => un!(x, u32s, from_u32, u32::leading_zeros),
            Op::I32Ctz(x) => un!(x, u32s, from_u32, u32::trailing_zeros),
            Op::I32Popcnt(x) => un!(x, u32s, from_u32, u32::count_ones),
            Op::I32Add(x) => bin!(x, u32s, from_u32, u32::wrapping_add),
            Op::I32Sub(x) => bin!(x, u32s, from_u32, u32::wrapping_sub),
            Op::I32Mul(x) => bin!(x, u32s, from_u32, u32::wrapping_mul),
            Op::I32DivS(x) => bin_trap!(x, i32s, from_i32, i32_div_s),
            Op::I32DivU(x) => bin_trap!(x, u32s, from_u32, i32_div_u),
            Op::I32RemS(x) => bin_trap!(x, i32s, from_i32, i32_rem_s),
            Op::I32RemU(x) => bin_trap!(x, u32s, from_u32, i32_rem_u),
            Op::I32And(x) => bin!(x, u32s, from_u32, |a, b| a & b),
            Op::I32Or(x) => bin!(x, u32s, from_u32, |a, b| a | b),
            Op::I32Xor(x) => bin!(x, u32s, from_u32, |a, b| a ^ b),
            Op::I32Shl(x) => bin!(x, u32s, from_u32, u32::wrapping_shl),
            Op::I32ShrS(x) => bin!(x, i32s, from_i32, |a: i32, b: i32| a.wrapping_shr(b as u32)),
            Op::I32ShrU(x) => bin!(x, u32s, from_u32, u32::wrapping_shr),
            Op::I32Rotl(x) => bin!(x, u32s, from_u32, u32::rotate_left),
            Op::I32Rotr(x) => bin!(x, u32s, from_u32, u32::rotate_right),
            Op::I64Clz(x) => un!(x, u64s, from_u64, |a: u64| a.leading_zeros() as u64),
            Op::I64Ctz(x) => un!(x, u64s, from_u64, |a: u64| a.trailing_zeros() as u64),
            Op::I64Popcnt(x) => un!(x, u64s, from_u64, |a: u64| a.count_ones() as u64),
            Op::I64Add(x) => bin!(x, u64s, from_u64, u64::wrapping_add),
            Op::I64Sub(x) => bin!(x, u64s, from_u64, u64::wrapping_sub),
            Op::I64Mul(x) => bin!(x, u64s, from_u64, u64::wrapping_mul),
            Op::I64DivS(x) => bin_trap!(x, i64s, from_i64, i64_div_s),
            Op::I64DivU(x) => bin_trap!(x, u64s, from_u64, i64_div_u),
            Op::I64RemS(x) => bin_trap!(x, i64s, from_i64, i64_rem_s),
            Op::I64RemU(x) => bin_trap!(x, u64s, from_u64, i64_rem_u),
            Op::I64And(x) => bin!(x, u64s, from_u64, |a, b| a & b),
            Op::I64Or(x) => bin!(x, u64s, from_u64, |a, b| a | b),
            Op::I64Xor(x) => bin!(x, u64s, from_u64, |a, b| a ^ b),
            Op::I64Shl(x) => bin!(x, u64s, from_u64, |a: u64, b: u64| a.wrapping_shl(b as u32)),
            Op::I64ShrS(x) => bin!(x, i64s, from_i64, |a: i64, b: i64| a.wrapping_shr(b as u32)),
            Op::I64ShrU(x) => bin!(x, u64s, from_u64, |a: u64, b: u64| a.wrapping_shr(b as u32)),
            Op::I64Rotl(x) => bin!(x, u64s, from_u64, |a: u64, b: u64| a.rotate_left((b & 63) as u32)),
            Op::I64Rotr(x) => bin!(x, u64s, from_u64, |a: u64, b: u64| a.rotate_right((b & 63) as u32)),
            Op::F32Abs(x) => un!(x, u32s, from_u32, |a: u32| a & 0x7fff_ffff),
            Op::F32Neg(x) => un!(x, u32s, from_u32, |a: u32| a ^ 0x8000_0000),
            Op::F32Ceil(x) => un!(x, f32s, from_f32, f32_ceil),
            Op::F32Floor(x) => un!(x, f32s, from_f32, f32_floor),
            Op::F32Trunc(x) => un!(x, f32s, from_f32, f32_trunc),
            Op::F32Nearest(x) => un!(x, f32s, from_f32, f32_nearest),
            Op::F32Sqrt(x) => un!(x, f32s, from_f32, f32::sqrt),
            Op::F32Add(x) => bin!(x, f32s, from_f32, |a, b| a + b),
            Op::F32Sub(x) => bin!(x, f32s, from_f32, |a, b| a - b),
            Op::F32Mul(x) => bin!(x, f32s, from_f32, |a, b| a * b),
            Op::F32Div(x) => bin!(x, f32s, from_f32, |a, b| a / b),
            Op::F32Min(x) => bin!(x, f32s, from_f32, f32_min),
            Op::F32Max(x) => bin!(x, f32s, from_f32, f32_max),
            Op::F32Copysign(x) => bin!(x, u32s, from_u32, |a: u32, b: u32| (a & 0x7fff_ffff) | (b & 0x8000_0000)),
            Op::F64Abs(x) => un!(x, u64s, from_u64, |a: u64| a & 0x7fff_ffff_ffff_ffff),
            Op::F64Neg(x) => un!(x, u64s, from_u64, |a: u64| a ^ 0x8000_0000_0000_0000),
            Op::F64Ceil(x) => un!(x, f64s, from_f64, f64_ceil),
            Op::F64Floor(x) => un!(x, f64s, from_f64, f64_floor),
            Op::F64Trunc(x) => un!(x, f64s, from_f64, f64_trunc),
            Op::F64Nearest(x) => un!(x, f64s, from_f64, f64_nearest),
            Op::F64Sqrt(x) => un!(x, f64s, from_f64, f64::sqrt),
            Op::F64Add(x) => bin!(x, f64s, from_f64, |a, b| a + b),
            Op::F64Sub(x) => bin!(x, f64s, from_f64, |a, b| a - b),
            Op::F64Mul(x) => bin!(x, f64s, from_f64, |a, b| a * b),
            Op::F64Div(x) => bin!(x, f64s, from_f64, |a, b| a / b),
            Op::F64Min(x) => bin!(x, f64s, from_f64, f64_min),
            Op::F64Max(x) => bin!(x, f64s, from_f64, f64_max),
            Op::F64Copysign(x) => bin!(x, u64s, from_u64, |a: u64, b: u64| (a & !(1 << 63)) | (b & (1 << 63))),
            Op::I32WrapI64(x) => un!(x, u64s, from_u32, |a: u64| a as u32),
            Op::I32TruncF32S(x) => un_trap!(x, f32s, from_i32, |a: f32| i32_trunc_s(a as f64)),
            Op::I32TruncF32U(x) => un_trap!(x, f32s, from_u32, |a: f32| i32_trunc_u(a as f64)),
            Op::I32TruncF64S(x) => un_trap!(x, f64s, from_i32, i32_trunc_s),
            Op::I32TruncF64U(x) => un_trap!(x, f64s, from_u32, i32_trunc_u),
            Op::I64ExtendI32S(x) => un!(x, i32s, from_i64, |a: i32| a as i64),
            Op::I64ExtendI32U(x) => un!(x, u32s, from_u64, |a: u32| a as u64),
            Op::I64TruncF32S(x) => un_trap!(x, f32s, from_i64, |a: f32| i64_trunc_s(a as f64)),
            Op::I64TruncF32U(x) => un_trap!(x, f32s, from_u64, |a: f32| i64_trunc_u(a as f64)),
            Op::I64TruncF64S(x) => un_trap!(x, f64s, from_i64, i64_trunc_s),
            Op::I64TruncF64U(x) => un_trap!(x, f64s, from_u64, i64_trunc_u),
            Op::F32ConvertI32S(x) => un!(x, i32s, from_f32, |a: i32| a as f32),
            Op::F32ConvertI32U(x) => un!(x, u32s, from_f32, |a: u32| a as f32),
            Op::F32ConvertI64S(x) => un!(x, i64s, from_f32, |a: i64| a as f32),
            Op::F32ConvertI64U(x) => un!(x, u64s, from_f32, |a: u64| a as f32),
            Op::F32DemoteF64(x) => un!(x, f64s, from_f32, |a: f64| a as f32),
            Op::F64ConvertI32S(x) => un!(x, i32s, from_f64, |a: i32| a as f64),
            Op::F64ConvertI32U(x) => un!(x, u32s, from_f64, |a: u32| a as f64),
            Op::F64ConvertI64S(x) => un!(x, i64s, from_f64, |a: i64| a as f64),
            Op::F64ConvertI64U(x) => un!(x, u64s, from_f64, |a: u64| a as f64),
            Op::F64PromoteF32(x) => un!(x, f32s, from_f64, |a: f32| a as f64),
            // Reinterpretations keep the bits: the slot encoding is already the bit pattern.
            Op::I32ReinterpretF32(x)
            | Op::F32ReinterpretI32(x)
            | Op::I64ReinterpretF64(x)
            | Op::F64ReinterpretI64(x) => {
                let v = slot!(x.a);
                set_slot!(x.d, v);
            }
            Op::I32Extend8S(x) => un!(x, u32s, from_i32, |a: u32| a as i8 as i32),
            Op::I32Extend16S(x) => un!(x, u32s, from_i32, |a: u32| a as i16 as i32),
            Op::I64Extend8S(x) => un!(x, u64s, from_i64, |a: u64| a as i8 as i64),
            Op::I64Extend16S(x) => un!(x, u64s, from_i64, |a: u64| a as i16 as i64),
            Op::I64Extend32S(x) => un!(x, u64s, from_i64, |a: u64| a as i32 as i64),
            Op::I32TruncSatF32S(x) => un!(x, f32s, from_i32, |a: f32| a as i32),
            Op::I32TruncSatF32U(x) => un!(x, f32s, from_u32, |a: f32| a as u32),
            Op::I32TruncSatF64S(x) => un!(x, f64s, from_i32, |a: f64| a as i32),
            Op::I32TruncSatF64U(x) => un!(x, f64s, from_u32, |a: f64| a as u32),
            Op::I64TruncSatF32S(x) => un!(x, f32s, from_i64, |a: f32| a as i64),
            Op::I64TruncSatF32U(x) => un!(x, f32s, from_u64, |a: f32| a as u64),
            Op::I64TruncSatF64S(x) => un!(x, f64s, from_i64, |a: f64| a as i64),
            Op::I64TruncSatF64U(x) => un!(x, f64s, from_u64, |a: f64| a as u64),
        }
    }
}

/// Zeroes the declared locals of the frame at `fp` and writes its constant slots (the
/// stack already holds `fp + max_height` slots).
#[inline(always)]
fn init_frame(stack: &mut [u64], fp: usize, code: &CompiledFunc) {
    let locals = fp + code.num_params as usize..fp + code.num_locals as usize;
    if !locals.is_empty() {
        stack[locals].fill(0);
    }
    if !code.consts.is_empty() {
        let at = fp + code.num_locals as usize;
        stack[at..at + code.consts.len()].copy_from_slice(&code.consts);
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

fn table_copy(store: &mut Store, dst: usize, src: usize, d: usize, s: usize, n: usize) -> Result<(), TrapCode> {
    let src_len = store.tables[src].elems.len();
    let dst_len = store.tables[dst].elems.len();
    if s.saturating_add(n) > src_len || d.saturating_add(n) > dst_len {
        return Err(TrapCode::TableOutOfBounds);
    }
    if dst == src {
        store.tables[dst].elems.copy_within(s..s + n, d);
    } else {
        let tmp: Vec<u64> = store.tables[src].elems[s..s + n].to_vec();
        store.tables[dst].elems[d..d + n].copy_from_slice(&tmp);
    }
    Ok(())
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
    bt.extend(frames.iter().rev().map(|f| frame(f.instance, f.func, &f.code, f.pc)));
    // A trap raised by a nested call keeps its own (inner) frames first.
    bt.splice(0..0, std::mem::take(&mut trap.backtrace));
    trap.backtrace = bt;
    trap
}
