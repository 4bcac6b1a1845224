//! The interpreter: executes translated code (spec §4.4 "Instructions").
//!
//! One dispatch loop over [`Op`]s, with every frame's locals and operands in one
//! contiguous value stack of untyped 64-bit slots. A wasm-to-wasm call pushes a small
//! [`Frame`] record and moves the frame base: no host recursion, so deep wasm recursion
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
fn records(
    frames: &[Frame],
    code: &CompiledFunc,
    pc: usize,
    fp: usize,
    sp: usize,
    inst: u32,
    func: u32,
) -> Vec<FrameRecord> {
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
        sp,
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
    let mut frames: Vec<Frame> = Vec::new();

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
    stack[code.num_params as usize..code.num_locals as usize].fill(0);
    let mut sp = code.num_locals as usize;
    let mut pc = 0usize;
    let mut mem = memory_of(store, inst);
    let (mut mem_base, mut mem_len) = mem_view(store, mem);

    macro_rules! trap {
        ($code:expr) => {{
            let trap: Trap = $code.into();
            if H::ENABLED {
                let frames = records(&frames, &code, pc.saturating_sub(1), fp, sp, inst, func);
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
    macro_rules! pop {
        () => {{
            sp -= 1;
            slots::get(stack, sp)
        }};
    }
    macro_rules! push {
        ($v:expr) => {{
            let v = $v;
            slots::set(stack, sp, v);
            sp += 1;
        }};
    }
    macro_rules! top {
        () => {
            slots::get(stack, sp - 1)
        };
    }
    macro_rules! set_top {
        ($v:expr) => {{
            let v = $v;
            slots::set(stack, sp - 1, v);
        }};
    }
    macro_rules! un {
        ($from:ident, $to:ident, $f:expr) => {{
            let a = $from!(top!());
            set_top!($to!($f(a)));
        }};
    }
    macro_rules! bin {
        ($from:ident, $to:ident, $f:expr) => {{
            let b = $from!(pop!());
            let a = $from!(top!());
            set_top!($to!($f(a, b)));
        }};
    }
    macro_rules! bin_trap {
        ($from:ident, $to:ident, $f:expr) => {{
            let b = $from!(pop!());
            let a = $from!(top!());
            let r = tri!($f(a, b));
            set_top!($to!(r));
        }};
    }
    macro_rules! un_trap {
        ($from:ident, $to:ident, $f:expr) => {{
            let a = $from!(top!());
            let r = tri!($f(a));
            set_top!($to!(r));
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
            let keep = t.keep as usize;
            let dst = fp + t.height as usize;
            stack.copy_within(sp - keep..sp, dst);
            sp = dst + keep;
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
        ($off:expr, $n:literal, $conv:expr) => {{
            let ea = u32s!(top!()) as usize + $off as usize;
            let bytes: [u8; $n] = match slots::mem_read::<$n>(mem_base, mem_len, ea) {
                Some(b) => b,
                None => trap!(TrapCode::MemoryOutOfBounds),
            };
            set_top!($conv(bytes));
        }};
    }
    macro_rules! store_mem {
        ($off:expr, $n:literal, $bytes:expr) => {{
            let v = pop!();
            let ea = u32s!(pop!()) as usize + $off as usize;
            let bytes: [u8; $n] = $bytes(v);
            if !slots::mem_write::<$n>(mem_base, mem_len, ea, bytes) {
                trap!(TrapCode::MemoryOutOfBounds);
            }
        }};
    }
    // Loads of every width, from the address on top of the stack.
    macro_rules! load_kind {
        ($kind:expr, $off:expr) => {{
            let off = $off;
            match $kind {
                LoadOp::I32Load => load!(off, 4, |b| u32::from_le_bytes(b) as u64),
                LoadOp::I64Load => load!(off, 8, u64::from_le_bytes),
                LoadOp::F32Load => load!(off, 4, |b| u32::from_le_bytes(b) as u64),
                LoadOp::F64Load => load!(off, 8, u64::from_le_bytes),
                LoadOp::I32Load8S => load!(off, 1, |b: [u8; 1]| b[0] as i8 as i32 as u32 as u64),
                LoadOp::I32Load8U => load!(off, 1, |b: [u8; 1]| b[0] as u64),
                LoadOp::I32Load16S => load!(off, 2, |b| i16::from_le_bytes(b) as i32 as u32 as u64),
                LoadOp::I32Load16U => load!(off, 2, |b| u16::from_le_bytes(b) as u64),
                LoadOp::I64Load8S => load!(off, 1, |b: [u8; 1]| b[0] as i8 as i64 as u64),
                LoadOp::I64Load8U => load!(off, 1, |b: [u8; 1]| b[0] as u64),
                LoadOp::I64Load16S => load!(off, 2, |b| i16::from_le_bytes(b) as i64 as u64),
                LoadOp::I64Load16U => load!(off, 2, |b| u16::from_le_bytes(b) as u64),
                LoadOp::I64Load32S => load!(off, 4, |b| i32::from_le_bytes(b) as i64 as u64),
                LoadOp::I64Load32U => load!(off, 4, |b| u32::from_le_bytes(b) as u64),
            }
        }};
    }
    // Enters function `$addr` whose arguments are on top of the stack.
    macro_rules! call_addr {
        ($addr:expr) => {{
            let addr = $addr as usize;
            match &store.funcs[addr] {
                FuncInst::Wasm { instance, index, .. } => {
                    let (instance, index) = (*instance, *index);
                    if frames.len() + 1 >= max_depth {
                        trap!(TrapCode::CallStackExhausted);
                    }
                    let callee = match store.instances[instance as usize].module.compiled(index, H::ENABLED) {
                        Ok(c) => c,
                        Err(e) => trap!(internal(e)),
                    };
                    let new_fp = sp - callee.num_params as usize;
                    let top = new_fp + callee.max_height as usize;
                    if top > max_stack {
                        trap!(TrapCode::CallStackExhausted);
                    }
                    if stack.len() < top {
                        stack.resize(top.max(stack.len() * 2), 0);
                    }
                    stack[sp..new_fp + callee.num_locals as usize].fill(0);
                    let caller = std::mem::replace(&mut code, callee);
                    frames.push(Frame { code: caller, pc, fp, instance: inst, func });
                    fp = new_fp;
                    sp = fp + code.num_locals as usize;
                    pc = 0;
                    func = index;
                    if instance != inst {
                        inst = instance;
                        mem = memory_of(store, inst);
                        refresh_mem!();
                    }
                }
                FuncInst::Host { ty, f } => {
                    let (ty, f) = (ty.clone(), f.clone());
                    let n = ty.params.len();
                    sp -= n;
                    let args = stack[sp..sp + n].to_vec();
                    store.depth += frames.len() as u32 + 1;
                    let result = call_host(store, &f, &ty, &args, Some(Instance(inst)));
                    store.depth -= frames.len() as u32 + 1;
                    match result {
                        Ok(results) => {
                            if stack.len() < sp + results.len() {
                                stack.resize(sp + results.len(), 0);
                            }
                            for r in results {
                                push!(r);
                            }
                        }
                        Err(t) => trap!(t),
                    }
                    // The host may have grown or replaced memories.
                    mem = memory_of(store, inst);
                    refresh_mem!();
                }
            }
        }};
    }

    loop {
        if H::ENABLED {
            let records = records(&frames, &code, pc, fp, sp, inst, func);
            let mut state = DebugState { store: &mut *store, stack: &stack[..], frames: records };
            if hook.before_instruction(&mut state) == DebugControl::Kill {
                pc += 1;
                trap!(Trap::host("killed by the debugger"));
            }
            refresh_mem!();
        }
        let op = slots::fetch(&code.ops, pc);
        pc += 1;
        match op {
            Op::Unreachable => trap!(TrapCode::Unreachable),
            Op::Fuel(cost) => match store.fuel.checked_sub(cost as u64) {
                Some(left) => store.fuel = left,
                None => trap!(TrapCode::OutOfFuel),
            },
            Op::Jump(t) => pc = t as usize,
            Op::Branch(t) => branch!(t),
            Op::JumpIf(t) => {
                if pop!() as u32 != 0 {
                    pc = t as usize;
                }
            }
            Op::BranchIf(t) => {
                if pop!() as u32 != 0 {
                    branch!(t);
                }
            }
            Op::JumpIfZero(t) => {
                if pop!() as u32 == 0 {
                    pc = t as usize;
                }
            }
            Op::BranchTable { start, len } => {
                let i = (pop!() as u32).min(len - 1);
                let t = code.targets[(start + i) as usize];
                branch!(t);
            }
            Op::Return => {
                let n = code.num_results as usize;
                stack.copy_within(sp - n..sp, fp);
                sp = fp + n;
                match frames.pop() {
                    None => return Ok(n),
                    Some(f) => {
                        code = f.code;
                        pc = f.pc;
                        fp = f.fp;
                        func = f.func;
                        if f.instance != inst {
                            inst = f.instance;
                            mem = memory_of(store, inst);
                            refresh_mem!();
                        }
                    }
                }
            }
            Op::Call(f) => {
                let addr = store.instances[inst as usize].funcs[f as usize];
                call_addr!(addr);
            }
            Op::CallIndirect { type_index, table } => {
                let i = pop!() as u32 as usize;
                let instance = &store.instances[inst as usize];
                let taddr = instance.tables[table as usize] as usize;
                let slot = match store.tables[taddr].elems.get(i) {
                    Some(s) => *s,
                    None => trap!(TrapCode::UndefinedElement),
                };
                let Some(addr) = slot.checked_sub(1) else { trap!(TrapCode::UninitializedElement) };
                let expected = &instance.module.syntax().types[type_index as usize];
                if store.funcs[addr as usize].ty() != expected {
                    trap!(TrapCode::IndirectCallTypeMismatch);
                }
                call_addr!(addr);
            }
            Op::Drop => sp -= 1,
            Op::Select => {
                let c = pop!() as u32;
                let b = pop!();
                if c == 0 {
                    set_top!(b);
                }
            }
            Op::LocalGet(i) => push!(slots::get(stack, fp + i as usize)),
            Op::LocalSet(i) => {
                let v = pop!();
                slots::set(stack, fp + i as usize, v);
            }
            Op::LocalTee(i) => {
                let v = top!();
                slots::set(stack, fp + i as usize, v);
            }
            Op::GlobalGet(i) => {
                let g = store.instances[inst as usize].globals[i as usize];
                push!(store.globals[g as usize].value);
            }
            Op::GlobalSet(i) => {
                let g = store.instances[inst as usize].globals[i as usize];
                store.globals[g as usize].value = pop!();
            }
            Op::Const(v) => push!(v),
            Op::RefNull => push!(0),
            Op::RefIsNull => set_top!((top!() == 0) as u64),
            Op::RefFunc(f) => push!(store.instances[inst as usize].funcs[f as usize] as u64 + 1),
            Op::TableGet(t) => {
                let taddr = store.instances[inst as usize].tables[t as usize] as usize;
                let i = u32s!(top!()) as usize;
                match store.tables[taddr].elems.get(i) {
                    Some(v) => set_top!(*v),
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Op::TableSet(t) => {
                let v = pop!();
                let i = u32s!(pop!()) as usize;
                let taddr = store.instances[inst as usize].tables[t as usize] as usize;
                match store.tables[taddr].elems.get_mut(i) {
                    Some(e) => *e = v,
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Op::TableSize(t) => {
                let taddr = store.instances[inst as usize].tables[t as usize] as usize;
                push!(store.tables[taddr].elems.len() as u64);
            }
            Op::TableGrow(t) => {
                let n = u32s!(pop!()) as u64;
                let init = top!();
                let taddr = store.instances[inst as usize].tables[t as usize] as usize;
                let r = store.tables[taddr].grow(n, init, limits.max_table_elements).unwrap_or(u32::MAX);
                set_top!(r as u64);
            }
            Op::TableFill(t) => {
                let n = u32s!(pop!()) as usize;
                let v = pop!();
                let d = u32s!(pop!()) as usize;
                let taddr = store.instances[inst as usize].tables[t as usize] as usize;
                match store.tables[taddr].elems.get_mut(d..d.saturating_add(n)) {
                    Some(s) => s.fill(v),
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Op::TableCopy { dst, src } => {
                let n = u32s!(pop!()) as usize;
                let s = u32s!(pop!()) as usize;
                let d = u32s!(pop!()) as usize;
                let instance = &store.instances[inst as usize];
                let (ta, tb) = (instance.tables[dst as usize] as usize, instance.tables[src as usize] as usize);
                tri!(table_copy(store, ta, tb, d, s, n));
            }
            Op::TableInit { elem, table } => {
                let n = u32s!(pop!()) as usize;
                let s = u32s!(pop!()) as usize;
                let d = u32s!(pop!()) as usize;
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
            Op::Load(kind, off) => load_kind!(kind, off),
            Op::LoadLocal(kind, x, off) => {
                push!(slots::get(stack, fp + x as usize));
                load_kind!(kind, off)
            }
            Op::LocalGet2(a, b) => {
                push!(slots::get(stack, fp + a as usize));
                push!(slots::get(stack, fp + b as usize));
            }
            Op::LocalCopy { from, to } => {
                let v = slots::get(stack, fp + from as usize);
                slots::set(stack, fp + to as usize, v);
            }
            Op::LocalSetConst { local, value } => slots::set(stack, fp + local as usize, value),
            Op::LocalI32AddImm { local, imm } => {
                let v = (slots::get(stack, fp + local as usize) as u32).wrapping_add(imm);
                slots::set(stack, fp + local as usize, v as u64);
            }
            Op::I32AddImm(c) => un!(u32s, from_u32, |a: u32| a.wrapping_add(c)),
            Op::I32AndImm(c) => un!(u32s, from_u32, |a: u32| a & c),
            Op::I32ShlImm(c) => un!(u32s, from_u32, |a: u32| a.wrapping_shl(c)),
            Op::I32ShrUImm(c) => un!(u32s, from_u32, |a: u32| a.wrapping_shr(c)),
            Op::I32ShrSImm(c) => un!(i32s, from_i32, |a: i32| a.wrapping_shr(c)),
            Op::I32MulImm(c) => un!(u32s, from_u32, |a: u32| a.wrapping_mul(c)),
            Op::I64AddImm(c) => un!(u64s, from_u64, |a: u64| a.wrapping_add(c)),
            Op::JumpIfI32(cmp, t) => {
                let b = pop!() as u32;
                let a = pop!() as u32;
                if cmp.holds(a, b) {
                    pc = t as usize;
                }
            }
            Op::JumpIfI32Imm(cmp, c, t) => {
                if cmp.holds(pop!() as u32, c) {
                    pc = t as usize;
                }
            }
            Op::Store(kind, off) => match kind {
                StoreOp::I32Store | StoreOp::F32Store | StoreOp::I64Store32 => {
                    store_mem!(off, 4, |v: u64| (v as u32).to_le_bytes())
                }
                StoreOp::I64Store | StoreOp::F64Store => store_mem!(off, 8, u64::to_le_bytes),
                StoreOp::I32Store8 | StoreOp::I64Store8 => store_mem!(off, 1, |v: u64| [v as u8]),
                StoreOp::I32Store16 | StoreOp::I64Store16 => store_mem!(off, 2, |v: u64| (v as u16).to_le_bytes()),
            },
            Op::MemorySize => {
                let pages = match store.memories.get(mem) {
                    Some(m) => m.pages(),
                    None => trap!(TrapCode::MemoryOutOfBounds),
                };
                push!(pages);
            }
            Op::MemoryGrow => {
                let n = u32s!(top!()) as u64;
                let r = match store.memories.get_mut(mem) {
                    Some(m) => m.grow(n, limits.max_memory_pages).map_or(u32::MAX, |old| old as u32),
                    None => trap!(TrapCode::MemoryOutOfBounds),
                };
                refresh_mem!();
                set_top!(r as u64);
            }
            Op::MemoryFill => {
                let n = u32s!(pop!()) as usize;
                let v = pop!() as u8;
                let d = u32s!(pop!()) as usize;
                match memory!().get_mut(d..d.saturating_add(n)) {
                    Some(s) => s.fill(v),
                    None => trap!(TrapCode::MemoryOutOfBounds),
                }
            }
            Op::MemoryCopy => {
                let n = u32s!(pop!()) as usize;
                let s = u32s!(pop!()) as usize;
                let d = u32s!(pop!()) as usize;
                let data = memory!();
                let len = data.len();
                if s.saturating_add(n) > len || d.saturating_add(n) > len {
                    trap!(TrapCode::MemoryOutOfBounds);
                }
                data.copy_within(s..s + n, d);
            }
            Op::MemoryInit(seg) => {
                let n = u32s!(pop!()) as usize;
                let s = u32s!(pop!()) as usize;
                let d = u32s!(pop!()) as usize;
                let bytes = store.instances[inst as usize].datas[seg as usize].clone();
                let src = bytes.get(s..s.saturating_add(n));
                match (src, memory!().get_mut(d..d.saturating_add(n))) {
                    (Some(src), Some(dst)) => dst.copy_from_slice(src),
                    _ => trap!(TrapCode::MemoryOutOfBounds),
                }
            }
            Op::DataDrop(d) => store.instances[inst as usize].datas[d as usize] = Arc::from([]),

            Op::I32Eqz => un!(u32s, from_bool, |a| a == 0),
            Op::I32Eq => bin!(u32s, from_bool, |a, b| a == b),
            Op::I32Ne => bin!(u32s, from_bool, |a, b| a != b),
            Op::I32LtS => bin!(i32s, from_bool, |a, b| a < b),
            Op::I32LtU => bin!(u32s, from_bool, |a, b| a < b),
            Op::I32GtS => bin!(i32s, from_bool, |a, b| a > b),
            Op::I32GtU => bin!(u32s, from_bool, |a, b| a > b),
            Op::I32LeS => bin!(i32s, from_bool, |a, b| a <= b),
            Op::I32LeU => bin!(u32s, from_bool, |a, b| a <= b),
            Op::I32GeS => bin!(i32s, from_bool, |a, b| a >= b),
            Op::I32GeU => bin!(u32s, from_bool, |a, b| a >= b),
            Op::I64Eqz => un!(u64s, from_bool, |a| a == 0),
            Op::I64Eq => bin!(u64s, from_bool, |a, b| a == b),
            Op::I64Ne => bin!(u64s, from_bool, |a, b| a != b),
            Op::I64LtS => bin!(i64s, from_bool, |a, b| a < b),
            Op::I64LtU => bin!(u64s, from_bool, |a, b| a < b),
            Op::I64GtS => bin!(i64s, from_bool, |a, b| a > b),
            Op::I64GtU => bin!(u64s, from_bool, |a, b| a > b),
            Op::I64LeS => bin!(i64s, from_bool, |a, b| a <= b),
            Op::I64LeU => bin!(u64s, from_bool, |a, b| a <= b),
            Op::I64GeS => bin!(i64s, from_bool, |a, b| a >= b),
            Op::I64GeU => bin!(u64s, from_bool, |a, b| a >= b),
            Op::F32Eq => bin!(f32s, from_bool, |a, b| a == b),
            Op::F32Ne => bin!(f32s, from_bool, |a, b| a != b),
            Op::F32Lt => bin!(f32s, from_bool, |a, b| a < b),
            Op::F32Gt => bin!(f32s, from_bool, |a, b| a > b),
            Op::F32Le => bin!(f32s, from_bool, |a, b| a <= b),
            Op::F32Ge => bin!(f32s, from_bool, |a, b| a >= b),
            Op::F64Eq => bin!(f64s, from_bool, |a, b| a == b),
            Op::F64Ne => bin!(f64s, from_bool, |a, b| a != b),
            Op::F64Lt => bin!(f64s, from_bool, |a, b| a < b),
            Op::F64Gt => bin!(f64s, from_bool, |a, b| a > b),
            Op::F64Le => bin!(f64s, from_bool, |a, b| a <= b),
            Op::F64Ge => bin!(f64s, from_bool, |a, b| a >= b),
            Op::I32Clz => un!(u32s, from_u32, u32::leading_zeros),
            Op::I32Ctz => un!(u32s, from_u32, u32::trailing_zeros),
            Op::I32Popcnt => un!(u32s, from_u32, u32::count_ones),
            Op::I32Add => bin!(u32s, from_u32, u32::wrapping_add),
            Op::I32Sub => bin!(u32s, from_u32, u32::wrapping_sub),
            Op::I32Mul => bin!(u32s, from_u32, u32::wrapping_mul),
            Op::I32DivS => bin_trap!(i32s, from_i32, i32_div_s),
            Op::I32DivU => bin_trap!(u32s, from_u32, i32_div_u),
            Op::I32RemS => bin_trap!(i32s, from_i32, i32_rem_s),
            Op::I32RemU => bin_trap!(u32s, from_u32, i32_rem_u),
            Op::I32And => bin!(u32s, from_u32, |a, b| a & b),
            Op::I32Or => bin!(u32s, from_u32, |a, b| a | b),
            Op::I32Xor => bin!(u32s, from_u32, |a, b| a ^ b),
            Op::I32Shl => bin!(u32s, from_u32, u32::wrapping_shl),
            Op::I32ShrS => bin!(i32s, from_i32, |a: i32, b: i32| a.wrapping_shr(b as u32)),
            Op::I32ShrU => bin!(u32s, from_u32, u32::wrapping_shr),
            Op::I32Rotl => bin!(u32s, from_u32, u32::rotate_left),
            Op::I32Rotr => bin!(u32s, from_u32, u32::rotate_right),
            Op::I64Clz => un!(u64s, from_u64, |a: u64| a.leading_zeros() as u64),
            Op::I64Ctz => un!(u64s, from_u64, |a: u64| a.trailing_zeros() as u64),
            Op::I64Popcnt => un!(u64s, from_u64, |a: u64| a.count_ones() as u64),
            Op::I64Add => bin!(u64s, from_u64, u64::wrapping_add),
            Op::I64Sub => bin!(u64s, from_u64, u64::wrapping_sub),
            Op::I64Mul => bin!(u64s, from_u64, u64::wrapping_mul),
            Op::I64DivS => bin_trap!(i64s, from_i64, i64_div_s),
            Op::I64DivU => bin_trap!(u64s, from_u64, i64_div_u),
            Op::I64RemS => bin_trap!(i64s, from_i64, i64_rem_s),
            Op::I64RemU => bin_trap!(u64s, from_u64, i64_rem_u),
            Op::I64And => bin!(u64s, from_u64, |a, b| a & b),
            Op::I64Or => bin!(u64s, from_u64, |a, b| a | b),
            Op::I64Xor => bin!(u64s, from_u64, |a, b| a ^ b),
            Op::I64Shl => bin!(u64s, from_u64, |a: u64, b: u64| a.wrapping_shl(b as u32)),
            Op::I64ShrS => bin!(i64s, from_i64, |a: i64, b: i64| a.wrapping_shr(b as u32)),
            Op::I64ShrU => bin!(u64s, from_u64, |a: u64, b: u64| a.wrapping_shr(b as u32)),
            Op::I64Rotl => bin!(u64s, from_u64, |a: u64, b: u64| a.rotate_left((b & 63) as u32)),
            Op::I64Rotr => bin!(u64s, from_u64, |a: u64, b: u64| a.rotate_right((b & 63) as u32)),
            Op::F32Abs => un!(u32s, from_u32, |a: u32| a & 0x7fff_ffff),
            Op::F32Neg => un!(u32s, from_u32, |a: u32| a ^ 0x8000_0000),
            Op::F32Ceil => un!(f32s, from_f32, f32_ceil),
            Op::F32Floor => un!(f32s, from_f32, f32_floor),
            Op::F32Trunc => un!(f32s, from_f32, f32_trunc),
            Op::F32Nearest => un!(f32s, from_f32, f32_nearest),
            Op::F32Sqrt => un!(f32s, from_f32, f32::sqrt),
            Op::F32Add => bin!(f32s, from_f32, |a, b| a + b),
            Op::F32Sub => bin!(f32s, from_f32, |a, b| a - b),
            Op::F32Mul => bin!(f32s, from_f32, |a, b| a * b),
            Op::F32Div => bin!(f32s, from_f32, |a, b| a / b),
            Op::F32Min => bin!(f32s, from_f32, f32_min),
            Op::F32Max => bin!(f32s, from_f32, f32_max),
            Op::F32Copysign => bin!(u32s, from_u32, |a: u32, b: u32| (a & 0x7fff_ffff) | (b & 0x8000_0000)),
            Op::F64Abs => un!(u64s, from_u64, |a: u64| a & 0x7fff_ffff_ffff_ffff),
            Op::F64Neg => un!(u64s, from_u64, |a: u64| a ^ 0x8000_0000_0000_0000),
            Op::F64Ceil => un!(f64s, from_f64, f64_ceil),
            Op::F64Floor => un!(f64s, from_f64, f64_floor),
            Op::F64Trunc => un!(f64s, from_f64, f64_trunc),
            Op::F64Nearest => un!(f64s, from_f64, f64_nearest),
            Op::F64Sqrt => un!(f64s, from_f64, f64::sqrt),
            Op::F64Add => bin!(f64s, from_f64, |a, b| a + b),
            Op::F64Sub => bin!(f64s, from_f64, |a, b| a - b),
            Op::F64Mul => bin!(f64s, from_f64, |a, b| a * b),
            Op::F64Div => bin!(f64s, from_f64, |a, b| a / b),
            Op::F64Min => bin!(f64s, from_f64, f64_min),
            Op::F64Max => bin!(f64s, from_f64, f64_max),
            Op::F64Copysign => bin!(u64s, from_u64, |a: u64, b: u64| (a & !(1 << 63)) | (b & (1 << 63))),
            Op::I32WrapI64 => un!(u64s, from_u32, |a: u64| a as u32),
            Op::I32TruncF32S => un_trap!(f32s, from_i32, |a: f32| i32_trunc_s(a as f64)),
            Op::I32TruncF32U => un_trap!(f32s, from_u32, |a: f32| i32_trunc_u(a as f64)),
            Op::I32TruncF64S => un_trap!(f64s, from_i32, i32_trunc_s),
            Op::I32TruncF64U => un_trap!(f64s, from_u32, i32_trunc_u),
            Op::I64ExtendI32S => un!(i32s, from_i64, |a: i32| a as i64),
            Op::I64ExtendI32U => un!(u32s, from_u64, |a: u32| a as u64),
            Op::I64TruncF32S => un_trap!(f32s, from_i64, |a: f32| i64_trunc_s(a as f64)),
            Op::I64TruncF32U => un_trap!(f32s, from_u64, |a: f32| i64_trunc_u(a as f64)),
            Op::I64TruncF64S => un_trap!(f64s, from_i64, i64_trunc_s),
            Op::I64TruncF64U => un_trap!(f64s, from_u64, i64_trunc_u),
            Op::F32ConvertI32S => un!(i32s, from_f32, |a: i32| a as f32),
            Op::F32ConvertI32U => un!(u32s, from_f32, |a: u32| a as f32),
            Op::F32ConvertI64S => un!(i64s, from_f32, |a: i64| a as f32),
            Op::F32ConvertI64U => un!(u64s, from_f32, |a: u64| a as f32),
            Op::F32DemoteF64 => un!(f64s, from_f32, |a: f64| a as f32),
            Op::F64ConvertI32S => un!(i32s, from_f64, |a: i32| a as f64),
            Op::F64ConvertI32U => un!(u32s, from_f64, |a: u32| a as f64),
            Op::F64ConvertI64S => un!(i64s, from_f64, |a: i64| a as f64),
            Op::F64ConvertI64U => un!(u64s, from_f64, |a: u64| a as f64),
            Op::F64PromoteF32 => un!(f32s, from_f64, |a: f32| a as f64),
            // Reinterpretations keep the bits: the slot encoding is already the bit pattern.
            Op::I32ReinterpretF32 | Op::F32ReinterpretI32 | Op::I64ReinterpretF64 | Op::F64ReinterpretI64 => {}
            Op::I32Extend8S => un!(u32s, from_i32, |a: u32| a as i8 as i32),
            Op::I32Extend16S => un!(u32s, from_i32, |a: u32| a as i16 as i32),
            Op::I64Extend8S => un!(u64s, from_i64, |a: u64| a as i8 as i64),
            Op::I64Extend16S => un!(u64s, from_i64, |a: u64| a as i16 as i64),
            Op::I64Extend32S => un!(u64s, from_i64, |a: u64| a as i32 as i64),
            Op::I32TruncSatF32S => un!(f32s, from_i32, |a: f32| a as i32),
            Op::I32TruncSatF32U => un!(f32s, from_u32, |a: f32| a as u32),
            Op::I32TruncSatF64S => un!(f64s, from_i32, |a: f64| a as i32),
            Op::I32TruncSatF64U => un!(f64s, from_u32, |a: f64| a as u32),
            Op::I64TruncSatF32S => un!(f32s, from_i64, |a: f32| a as i64),
            Op::I64TruncSatF32U => un!(f32s, from_u64, |a: f32| a as u64),
            Op::I64TruncSatF64S => un!(f64s, from_i64, |a: f64| a as i64),
            Op::I64TruncSatF64U => un!(f64s, from_u64, |a: f64| a as u64),
        }
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
