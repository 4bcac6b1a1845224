//! Translation of validated wasm function bodies to Cranelift IR, and a module's native
//! code ([`CompiledModule`]): all functions compiled at once into one batch of a
//! [`CodeArena`] (eager), or each function in a batch of its own on its first call (lazy).
//!
//! Direct calls between functions compiled together are patched pc-relative calls; a
//! call of a function compiled at another time goes through the module's table of body
//! code (one load and an indirect call), so code never needs patching after it is placed.
//! Lazily, an entry still 0 sends the caller to a libcall that compiles the callee.
//!
//! One match arm per operator, over a translation-time value stack of SSA values. Control
//! frames map wasm blocks to Cranelift blocks with block parameters for results (and for
//! loop parameters); code after an unconditional branch is skipped until its block ends.
//! Every trap is a Cranelift trap site (`trapnz`, trapping `sdiv`/`fcvt_to_sint`, or a
//! load/store that faults in guard pages); the per-function tables built here map native
//! offsets back to wasm offsets. Every function gets the signature `(vmctx, params...) ->
//! results...` in Cranelift's `tail` convention ([`BODY_CC`], so that `return_call` and
//! `return_call_indirect` are native tail calls), plus a system-ABI wrapper
//! `(vmctx, *mut u64)` used to enter it from Rust.
//!
//! The vector instructions are translated in [`simd`]; a `v128` is an `I8X16` everywhere
//! else, and takes two slots (16 unaligned bytes) in the values areas of the wrapper and
//! the libcalls and in a global. SIMD code needs SSE3, SSSE3 and SSE4.1
//! ([`SIMD_FEATURES`]): on a CPU without them a function with a SIMD instruction does not
//! compile ([`JitError::MissingCpuFeature`]) and runs on the interpreter. The GC
//! instructions are translated in [`gc`] (field and element accesses inline, the rest
//! through a libcall).

use std::collections::HashMap;

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::immediates::{Ieee32, Ieee64};
use cranelift_codegen::ir::{
    self, AbiParam, BlockArg, ExceptionTableData, ExceptionTableItem, ExceptionTag, ExtFuncData, ExternalName,
    InstBuilder, MemFlagsData, Signature, StackSlotData, StackSlotKind, UserExternalName, Value, types,
};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa, TargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::{
    Context, ExceptionContextLoc, FinalizedMachExceptionHandler, FinalizedRelocTarget, binemit::Reloc as CraneReloc,
};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::code::{CodeArena, ExnHandler, ExnSite, ExnTable, Reloc, StackMapSite, StackMapTable, TrapSite};
use super::env::Env;
use super::libcalls::{self, MiscOp};
use crate::runtime::gc::GcOp;
use crate::syntax::canon::TypeInfo;
use crate::syntax::{self, BlockType, FuncType, Instr, LoadOp, NumOp, StoreOp, ValType, WideOp};

mod gc;
mod roots;
mod simd;

pub(crate) use roots::may_hold_objects;

/// The calling convention of every function body (wasm to wasm): Cranelift's `tail`, the
/// one in which `return_call` and `return_call_indirect` are possible (caller and callee
/// must both use it). It keeps frame pointers (`preserve_frame_pointers`), so the trap
/// handler's walk over the frames is unchanged. Rust reaches a body only through its
/// wrapper (system ABI), and libcalls keep the system ABI.
pub(crate) const BODY_CC: CallConv = CallConv::Tail;

/// Cranelift trap code of `unreachable`.
pub(crate) const TRAP_UNREACHABLE: ir::TrapCode = ir::TrapCode::unwrap_user(1);
/// Cranelift trap code after a libcall that reported a trap (the trap is pending in the
/// runtime record).
pub(crate) const TRAP_PENDING: ir::TrapCode = ir::TrapCode::unwrap_user(2);
/// Cranelift trap code of a fuel check that found too little fuel.
pub(crate) const TRAP_OUT_OF_FUEL: ir::TrapCode = ir::TrapCode::unwrap_user(3);
/// `ref.as_non_null` of a null reference.
pub(crate) const TRAP_NULL_REFERENCE: ir::TrapCode = ir::TrapCode::unwrap_user(4);
/// `struct.get`/`struct.set` of a null reference.
pub(crate) const TRAP_NULL_STRUCT: ir::TrapCode = ir::TrapCode::unwrap_user(5);
/// `array.get`/`array.set`/`array.len` of a null reference.
pub(crate) const TRAP_NULL_ARRAY: ir::TrapCode = ir::TrapCode::unwrap_user(6);
/// `i31.get_s`/`i31.get_u` of a null reference.
pub(crate) const TRAP_NULL_I31: ir::TrapCode = ir::TrapCode::unwrap_user(7);
/// `array.get`/`array.set` at an index not below the array's length.
pub(crate) const TRAP_ARRAY_OUT_OF_BOUNDS: ir::TrapCode = ir::TrapCode::unwrap_user(8);

/// Why a module, or one of its functions, could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JitError {
    /// The translator or Cranelift rejected the code (an internal limitation).
    #[error("JIT compilation failed: {0}")]
    Compile(String),
    /// The host CPU lacks an instruction-set extension the code needs (`feature` as
    /// vendors name it, e.g. "SSE4.1"; `needed_for` what needs it, e.g. "SIMD").
    #[error("JIT compilation failed: the host CPU lacks {feature}, which {needed_for} needs")]
    MissingCpuFeature { feature: &'static str, needed_for: &'static str },
    /// Function `index` (of the module's function index space) failed to compile, on its
    /// first call (lazy compilation).
    #[error("function {index}: {error}")]
    InFunction { index: u32, error: Box<JitError> },
}

fn err(e: impl std::fmt::Display) -> JitError {
    JitError::Compile(e.to_string())
}

/// Native-to-wasm mapping of one compiled function.
#[derive(Debug)]
pub(crate) struct FuncMeta {
    /// Index in the module's function index space.
    pub index: u32,
    /// Address range of its body's code.
    pub start: usize,
    pub end: usize,
    /// (start, end, wasm offset), offsets relative to `start`, sorted.
    pub srclocs: Vec<(u32, u32, u32)>,
}

/// The native code of a module: every defined function compiled at creation (eager), or
/// each on its first call (lazy, see [`CompiledModule::ensure`]).
#[derive(Debug)]
pub(crate) struct CompiledModule {
    /// The body code of each defined function (wasm calling convention), 0 until it is
    /// compiled. Instance contexts point here ([`super::env::VmCtx::bodies`]): JIT code
    /// calls its direct callees through it.
    bodies: Box<[AtomicUsize]>,
    /// The array-ABI wrapper of each defined function (how Rust enters it), 0 until
    /// compiled.
    wrappers: Box<[AtomicUsize]>,
    /// Whether loads and stores check bounds (else they rely on guard pages).
    pub explicit_bounds: bool,
    consume_fuel: bool,
    lazy: bool,
    state: Mutex<CodeState>,
    /// The first function that failed to compile lazily, and why.
    first_error: OnceLock<JitError>,
}

/// What adding code to a module needs, behind the module's lock.
#[derive(Default)]
struct CodeState {
    arena: CodeArena,
    /// Compiled bodies, sorted by address.
    funcs: Vec<FuncMeta>,
    /// Total time spent compiling.
    time: Duration,
    /// The target, made on first compilation.
    isa: Option<OwnedTargetIsa>,
    ctx: Option<Context>,
    fctx: Option<FunctionBuilderContext>,
    /// The resolved GC instructions the code points at (see [`Piece::gc_ops`]): kept as
    /// long as the code.
    #[allow(clippy::vec_box, reason = "the code holds the boxes' addresses: they must not move")]
    gc_ops: Vec<Box<GcOp>>,
}

impl std::fmt::Debug for CodeState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeState").field("arena", &self.arena).field("funcs", &self.funcs.len()).finish()
    }
}

impl CompiledModule {
    /// The native code of `module`: with `lazy`, nothing is compiled yet; otherwise every
    /// defined function is (see [`Self::compile_all`]). With `consume_fuel`, the code
    /// charges the store's fuel exactly as the interpreter does (see [`crate::fuel`]).
    pub(crate) fn new(
        module: &syntax::Module,
        explicit_bounds: bool,
        consume_fuel: bool,
        lazy: bool,
    ) -> Result<CompiledModule, JitError> {
        let defined = module.code.len();
        let compiled = CompiledModule {
            bodies: (0..defined).map(|_| AtomicUsize::new(0)).collect(),
            wrappers: (0..defined).map(|_| AtomicUsize::new(0)).collect(),
            explicit_bounds,
            consume_fuel,
            lazy,
            state: Mutex::new(CodeState::default()),
            first_error: OnceLock::new(),
        };
        if !lazy {
            compiled.compile_all(module, std::thread::available_parallelism().map_or(1, |n| n.get()), &|| false)?;
        }
        Ok(compiled)
    }

    /// Compiles every defined function together, in one batch whose functions call each
    /// other straight, on up to `threads` threads for large modules (the code does not
    /// depend on how many), and makes it the code that runs from now on: JIT code already
    /// running keeps running, and its calls through the table of bodies reach the new
    /// code. Gives up (an error) as soon as `stop` says so.
    pub(crate) fn compile_all(
        &self,
        module: &syntax::Module,
        threads: usize,
        stop: &(dyn Fn() -> bool + Sync),
    ) -> Result<(), JitError> {
        let start = Instant::now();
        let code_bytes: usize = module.code.iter().map(|b| (b.range.end - b.range.start) as usize).sum();
        let threads = if code_bytes >= PARALLEL_CODE_BYTES { threads } else { 1 };
        let isa = isa()?;
        let numbers: Vec<usize> = (0..module.code.len() * 2).collect();
        let (bounds, fuel) = (self.explicit_bounds, self.consume_fuel);
        let pieces = compile_pieces(module, &*isa, bounds, fuel, false, &numbers, threads, stop)?;
        let mut state = self.lock()?;
        self.place(module, &mut state, &numbers, pieces)?;
        state.time += start.elapsed();
        Ok(())
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, CodeState>, JitError> {
        self.state.lock().map_err(|_| err("a compilation panicked"))
    }

    /// The body code of defined function `def`, if compiled.
    pub(crate) fn body(&self, def: u32) -> Option<usize> {
        let p = self.bodies.get(def as usize)?.load(Ordering::Acquire);
        (p != 0).then_some(p)
    }

    /// The table instance contexts point to.
    pub(crate) fn bodies_ptr(&self) -> *const usize {
        self.bodies.as_ptr().cast()
    }

    /// The (body, wrapper) code of defined function `def`, compiling it first if needed.
    /// Another thread may be compiling the same function: it is compiled once.
    pub(crate) fn ensure(&self, module: &syntax::Module, def: u32) -> Result<(usize, usize), JitError> {
        let d = def as usize;
        let (Some(body), Some(wrapper)) = (self.bodies.get(d), self.wrappers.get(d)) else {
            return Err(err("unknown function"));
        };
        let ready = |b: &AtomicUsize, w: &AtomicUsize| {
            let (b, w) = (b.load(Ordering::Acquire), w.load(Ordering::Acquire));
            (b != 0 && w != 0).then_some((b, w))
        };
        if let Some(r) = ready(body, wrapper) {
            return Ok(r);
        }
        let mut state = self.lock()?;
        if let Some(r) = ready(body, wrapper) {
            return Ok(r);
        }
        let start = Instant::now();
        let r = (|| {
            let isa = match &state.isa {
                Some(i) => i.clone(),
                None => {
                    let i = isa()?;
                    state.isa = Some(i.clone());
                    i
                }
            };
            let env = Env::new(isa.pointer_type(), module, self.explicit_bounds, self.lazy);
            let func_types = module.func_type_indices();
            let mut ctx = state.ctx.take().unwrap_or_else(Context::new);
            let mut fctx = state.fctx.take().unwrap_or_default();
            let numbers = [d, module.code.len() + d];
            let pieces: Result<Vec<Piece>, JitError> = numbers
                .iter()
                .map(|&n| compile_piece(module, &*isa, &env, &func_types, self.consume_fuel, n, &mut ctx, &mut fctx))
                .collect();
            state.ctx = Some(ctx);
            state.fctx = Some(fctx);
            self.place(module, &mut state, &numbers, pieces?)
        })();
        state.time += start.elapsed();
        if let Err(e) = &r {
            let index = module.num_imported_funcs() + def;
            let _ = self.first_error.set(JitError::InFunction { index, error: Box::new(e.clone()) });
        }
        r?;
        ready(body, wrapper).ok_or_else(|| err("compiled code not recorded"))
    }

    /// Places compiled pieces (piece numbers as in [`compile_pieces`]) in one new batch
    /// of code, 16-byte aligned, resolves the calls between them (a call may only name a
    /// body of the batch), and publishes the addresses.
    fn place(
        &self,
        module: &syntax::Module,
        state: &mut CodeState,
        numbers: &[usize],
        pieces: Vec<Piece>,
    ) -> Result<(), JitError> {
        let imported = module.num_imported_funcs();
        let defined = module.code.len();
        let mut code: Vec<u8> = Vec::new();
        let mut relocs_pending: Vec<(usize, u32, i64)> = Vec::new();
        let mut traps: Vec<TrapSite> = Vec::new();
        let mut exn = ExnTable::default();
        let mut stack_maps = StackMapTable::default();
        let mut starts: Vec<(usize, usize, usize)> = Vec::with_capacity(pieces.len());
        let mut srclocs = Vec::new();
        let mut body_at: HashMap<u32, usize> = HashMap::new();
        for (&n, piece) in numbers.iter().zip(pieces) {
            while !code.len().is_multiple_of(16) {
                code.push(0);
            }
            let start = code.len();
            code.extend_from_slice(&piece.bytes);
            traps.extend(piece.traps.iter().map(|(offset, c)| ((start as u32) + offset, *c)));
            for site in &piece.exn_sites {
                let first = exn.handlers.len() as u32;
                let at = start as u32;
                exn.handlers.extend(site.handlers.iter().map(|h| ExnHandler { tag: h.tag, pc: at + h.pc }));
                exn.sites.push(ExnSite {
                    ret: at + site.ret,
                    frame_offset: site.frame_offset,
                    ctx_sp_offset: site.ctx_sp_offset,
                    first,
                    len: site.handlers.len() as u32,
                });
            }
            for site in &piece.stack_maps {
                stack_maps.sites.push(StackMapSite {
                    ret: start as u32 + site.ret,
                    frame_size: site.frame_size,
                    first: stack_maps.slots.len() as u32,
                    len: site.slots.len() as u32,
                });
                stack_maps.slots.extend_from_slice(&site.slots);
            }
            relocs_pending
                .extend(piece.relocs.iter().map(|(offset, target, addend)| (start + offset, *target, *addend)));
            starts.push((n, start, code.len()));
            state.gc_ops.extend(piece.gc_ops.0);
            if n < defined {
                body_at.insert(n as u32, start);
                srclocs.push(piece.srclocs);
            }
        }
        let relocs = relocs_pending
            .into_iter()
            .map(|(offset, def, addend)| {
                let target = *body_at.get(&def).ok_or_else(|| err("relocation to a function outside the batch"))?;
                Ok(Reloc { offset, target, addend })
            })
            .collect::<Result<Vec<_>, JitError>>()?;
        traps.sort_unstable();
        exn.sites.sort_by_key(|s| s.ret);
        stack_maps.sites.sort_by_key(|s| s.ret);
        let base =
            state.arena.publish(&code, &relocs, traps, exn, stack_maps).ok_or_else(|| err("cannot map code memory"))?;
        let mut srclocs = srclocs.into_iter();
        for &(n, start, end) in &starts {
            if n < defined {
                let meta = FuncMeta {
                    index: imported + n as u32,
                    start: base + start,
                    end: base + end,
                    srclocs: srclocs.next().unwrap_or_default(),
                };
                let at = state.funcs.partition_point(|f| f.start < meta.start);
                state.funcs.insert(at, meta);
            }
        }
        // Bodies before wrappers: a wrapper is published only once its body is.
        for &(n, start, _) in starts.iter().filter(|s| s.0 < defined) {
            self.bodies[n].store(base + start, Ordering::Release);
        }
        for &(n, start, _) in starts.iter().filter(|s| s.0 >= defined) {
            self.wrappers[n - defined].store(base + start, Ordering::Release);
        }
        Ok(())
    }

    /// The function containing native address `pc`, and the wasm offset there.
    pub(crate) fn locate(&self, pc: usize) -> Option<(u32, u32)> {
        let state = self.state.lock().ok()?;
        let i = state.funcs.partition_point(|f| f.start <= pc).checked_sub(1)?;
        let f = state.funcs.get(i).filter(|f| pc < f.end)?;
        let rel = (pc - f.start) as u32;
        let i = f.srclocs.partition_point(|s| s.0 <= rel);
        let loc = i.checked_sub(1).and_then(|i| f.srclocs.get(i)).filter(|s| rel < s.1).map_or(0, |s| s.2);
        Some((f.index, loc))
    }

    /// How many defined functions are compiled, and the time compiling took so far.
    pub(crate) fn progress(&self) -> (usize, Duration) {
        let n = self.bodies.iter().filter(|b| b.load(Ordering::Relaxed) != 0).count();
        (n, self.state.lock().map_or(Duration::ZERO, |s| s.time))
    }

    /// Why a function could not be compiled lazily, if one could not.
    pub(crate) fn first_error(&self) -> Option<&JitError> {
        self.first_error.get()
    }
}

/// The target: the host, with every instruction-set extension it has enabled
/// (`cranelift_native`), so Cranelift picks the best lowering of each operator (AVX
/// encodings, AVX-512 single instructions). `WASMSCOPE_JIT_CPU=baseline` (for test runs)
/// enables only what SIMD code needs ([`SIMD_FEATURES`], if the host has them), so the
/// code Cranelift composes for older CPUs runs too.
fn isa() -> Result<OwnedTargetIsa, JitError> {
    let cpu = match std::env::var("WASMSCOPE_JIT_CPU") {
        Ok(v) if v == "baseline" => Cpu::SimdBaseline,
        _ => Cpu::Host,
    };
    isa_for(cpu)
}

/// Which of the host's instruction-set extensions the target may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cpu {
    /// All of them.
    Host,
    /// Only [`SIMD_FEATURES`] (those the host has).
    SimdBaseline,
    /// None: plain x86-64 (SSE2), as on a CPU older than SIMD code needs (tests).
    #[cfg(test)]
    Sse2,
}

fn isa_for(cpu: Cpu) -> Result<OwnedTargetIsa, JitError> {
    let mut flags = settings::builder();
    for (k, v) in [
        ("opt_level", "speed"),
        ("enable_multi_ret_implicit_sret", "true"),
        ("preserve_frame_pointers", "true"),
        ("enable_verifier", if cfg!(debug_assertions) { "true" } else { "false" }),
    ] {
        flags.set(k, v).map_err(err)?;
    }
    let flags = settings::Flags::new(flags);
    let host = cranelift_native::builder().map_err(err)?.finish(flags.clone()).map_err(err)?;
    if cpu == Cpu::Host {
        return Ok(host);
    }
    let mut builder = cranelift_native::builder_with_options(false).map_err(err)?;
    if cpu == Cpu::SimdBaseline {
        for (name, _) in SIMD_FEATURES {
            if has_flag(&*host, name) {
                builder.enable(name).map_err(err)?;
            }
        }
    }
    builder.finish(flags).map_err(err)
}

/// The x86-64 extensions beyond SSE2 that SIMD code needs (Cranelift's flag, the vendor's
/// name): with them Cranelift lowers every vector instruction the translator emits to
/// native code (composing what AVX and AVX-512 do in one instruction); without them
/// some have no lowering at all (`pshufb`-based shuffles need SSSE3; rounding, 32-bit
/// lane multiplies and inserts/extracts of bytes need SSE4.1).
const SIMD_FEATURES: [(&str, &str); 3] = [("has_sse3", "SSE3"), ("has_ssse3", "SSSE3"), ("has_sse41", "SSE4.1")];

fn has_flag(isa: &dyn TargetIsa, name: &str) -> bool {
    isa.isa_flags().iter().any(|f| f.name == name && f.as_bool() == Some(true))
}

/// The first extension SIMD code needs that `isa` lacks (see [`SIMD_FEATURES`]).
fn missing_simd_feature(isa: &dyn TargetIsa) -> Option<&'static str> {
    if isa.name() != "x64" {
        return None;
    }
    let flags = isa.isa_flags();
    let has = |name: &str| flags.iter().any(|f| f.name == name && f.as_bool() == Some(true));
    SIMD_FEATURES.iter().find(|(name, _)| !has(name)).map(|(_, feature)| *feature)
}

/// The Cranelift type of a wasm value type. A `v128` is an `I8X16` wherever a value is
/// stored or passed (see [`simd`]).
/// The IR type of addresses or indices of an address type.
fn addr_ir_type(a: syntax::AddrType) -> ir::Type {
    if a.is_64() { types::I64 } else { types::I32 }
}

pub(crate) fn ir_type(t: ValType) -> Result<ir::Type, JitError> {
    Ok(match t {
        ValType::I32 => types::I32,
        ValType::I64 | ValType::Ref(_) => types::I64,
        ValType::F32 => types::F32,
        ValType::F64 => types::F64,
        ValType::V128 => types::I8X16,
    })
}

fn wasm_signature(ty: &FuncType, cc: CallConv) -> Result<Signature, JitError> {
    let mut sig = Signature::new(cc);
    sig.params.push(AbiParam::new(types::I64));
    for p in ty.params.iter() {
        sig.params.push(AbiParam::new(ir_type(*p)?));
    }
    for r in ty.results.iter() {
        sig.returns.push(AbiParam::new(ir_type(*r)?));
    }
    Ok(sig)
}

/// One compiled function body or wrapper, before it is placed in the module's code.
#[derive(Debug, PartialEq)]
struct Piece {
    bytes: Vec<u8>,
    /// (offset in `bytes`, trap code).
    traps: Vec<(u32, u8)>,
    /// (offset in `bytes`, defined function index of the callee, addend).
    relocs: Vec<(usize, u32, i64)>,
    /// (start, end, wasm offset) of the body's instructions; empty for wrappers.
    srclocs: Vec<(u32, u32, u32)>,
    /// Call sites with exception handlers (`try_call`), offsets in `bytes`, in order.
    exn_sites: Vec<PieceExnSite>,
    /// Call sites with values that may be GC objects live across them, in order.
    stack_maps: Vec<PieceStackMap>,
    /// The GC instructions the code passes to [`libcalls::gc`] and [`libcalls::gc_test`],
    /// by address: they must live as long as the code (see [`CodeState::gc_ops`]).
    gc_ops: GcOps,
}

/// Boxed [`GcOp`]s (their addresses are in the code), compared by what they resolve to.
#[derive(Debug, Default)]
#[allow(clippy::vec_box, reason = "the code holds the boxes' addresses: they must not move")]
struct GcOps(Vec<Box<GcOp>>);

impl PartialEq for GcOps {
    fn eq(&self, other: &GcOps) -> bool {
        let same = |a: Option<&'static TypeInfo>, b: Option<&'static TypeInfo>| match (a, b) {
            (Some(a), Some(b)) => std::ptr::eq(a, b),
            (a, b) => a.is_none() && b.is_none(),
        };
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(&other.0)
                .all(|(a, b)| a.instr == b.instr && a.cast == b.cast && same(a.ty, b.ty) && same(a.src, b.src))
    }
}

/// A call site's stack map in a [`Piece`]: the return offset, FP − SP at the call, and
/// the offsets from that SP of the slots holding references.
#[derive(Debug, PartialEq)]
struct PieceStackMap {
    ret: u32,
    frame_size: u32,
    slots: Vec<u32>,
}

/// The stack maps of a compiled body (see [`PieceStackMap`]): references are `i64`s.
fn stack_maps(
    buf: &cranelift_codegen::MachBufferFinalized<cranelift_codegen::Final>,
) -> Result<Vec<PieceStackMap>, JitError> {
    let mut maps = Vec::new();
    for (ret, frame_size, map) in buf.user_stack_maps() {
        let mut slots = Vec::new();
        for (ty, offset) in map.entries() {
            if ty != types::I64 {
                return Err(err(format!("internal error: a stack map entry of type {ty}")));
            }
            slots.push(offset);
        }
        maps.push(PieceStackMap { ret: *ret, frame_size: *frame_size, slots });
    }
    Ok(maps)
}

/// A call site with exception handlers in a [`Piece`].
#[derive(Debug, PartialEq)]
struct PieceExnSite {
    ret: u32,
    frame_offset: u32,
    ctx_sp_offset: u32,
    /// Landing pads at offsets in the piece.
    handlers: Vec<ExnHandler>,
}

/// The exception sites of a compiled body (see [`PieceExnSite`]): every `try_call` the
/// translator emits has a table `[Context(vmctx), Tag/Default...]`, and the context must
/// be on the stack (a `tail` call site clobbers every register).
fn exn_sites(
    buf: &cranelift_codegen::MachBufferFinalized<cranelift_codegen::Final>,
) -> Result<Vec<PieceExnSite>, JitError> {
    let mut sites = Vec::new();
    for site in buf.call_sites() {
        if site.exception_handlers.is_empty() {
            continue;
        }
        let frame_offset = site.frame_offset.ok_or_else(|| err("a call site with handlers has no frame offset"))?;
        let mut ctx = None;
        let mut handlers = Vec::new();
        for h in site.exception_handlers {
            match *h {
                FinalizedMachExceptionHandler::Context(ExceptionContextLoc::SPOffset(o)) => {
                    if ctx.is_some_and(|c| c != o) {
                        return Err(err("a call site with several exception contexts"));
                    }
                    ctx = Some(o);
                }
                FinalizedMachExceptionHandler::Context(ExceptionContextLoc::GPR(_)) => {
                    return Err(err("an exception context in a register"));
                }
                FinalizedMachExceptionHandler::Tag(tag, pc) => {
                    if ctx.is_none() {
                        return Err(err("an exception tag without a context"));
                    }
                    if tag.as_u32() == ExnHandler::ALL {
                        return Err(err("too many tags"));
                    }
                    handlers.push(ExnHandler { tag: tag.as_u32(), pc });
                }
                FinalizedMachExceptionHandler::Default(pc) => handlers.push(ExnHandler { tag: ExnHandler::ALL, pc }),
            }
        }
        sites.push(PieceExnSite { ret: site.ret_addr, frame_offset, ctx_sp_offset: ctx.unwrap_or(0), handlers });
    }
    sites.sort_by_key(|s| s.ret);
    Ok(sites)
}

/// Modules with at least this much function-body code are compiled on several threads
/// (smaller ones are not worth the threads' start-up).
const PARALLEL_CODE_BYTES: usize = 16 * 1024;

/// Compiles pieces `numbers` of `module` on up to `threads` threads, in that order: piece
/// `n < defined` is the body of defined function `n`, piece `defined + n` its wrapper.
/// Gives up (an error) as soon as `stop` says so.
#[allow(clippy::too_many_arguments, reason = "one compilation's settings")]
fn compile_pieces(
    module: &syntax::Module,
    isa: &dyn cranelift_codegen::isa::TargetIsa,
    explicit_bounds: bool,
    consume_fuel: bool,
    lazy: bool,
    numbers: &[usize],
    threads: usize,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Vec<Piece>, JitError> {
    let env = Env::new(isa.pointer_type(), module, explicit_bounds, lazy);
    let func_types = module.func_type_indices();
    let total = numbers.len();
    let threads = threads.min(total.max(1));
    let compile_range = |range: std::ops::Range<usize>| -> Result<Vec<Piece>, JitError> {
        let mut fctx = FunctionBuilderContext::new();
        let mut ctx = Context::new();
        numbers[range]
            .iter()
            .map(|&n| {
                if stop() {
                    return Err(err("compilation stopped"));
                }
                compile_piece(module, isa, &env, &func_types, consume_fuel, n, &mut ctx, &mut fctx)
            })
            .collect()
    };
    let pieces: Vec<Piece> = if threads <= 1 {
        compile_range(0..total)?
    } else {
        // Interleaved chunks keep the threads' loads similar when sizes vary along the module.
        let chunk = total.div_ceil(threads * 8).max(1);
        let ranges: Vec<_> = (0..total).step_by(chunk).map(|a| a..(a + chunk).min(total)).collect();
        let next = std::sync::atomic::AtomicUsize::new(0);
        let results = std::sync::Mutex::new(Vec::with_capacity(ranges.len()));
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(range) = ranges.get(k) else { break };
                        let r = compile_range(range.clone());
                        let failed = r.is_err();
                        if let Ok(mut all) = results.lock() {
                            all.push((k, r));
                        }
                        if failed {
                            break;
                        }
                    }
                });
            }
        });
        let mut results = results.into_inner().map_err(|_| err("a compiling thread panicked"))?;
        if results.len() != ranges.len() && results.iter().all(|(_, r)| r.is_ok()) {
            return Err(err("a compiling thread stopped early"));
        }
        results.sort_unstable_by_key(|(k, _)| *k);
        let mut pieces = Vec::with_capacity(total);
        for (_, r) in results {
            pieces.extend(r?);
        }
        pieces
    };
    Ok(pieces)
}

/// Compiles piece `n` (see [`compile_pieces`]).
#[allow(clippy::too_many_arguments, reason = "the per-thread state of one compilation")]
fn compile_piece(
    module: &syntax::Module,
    isa: &dyn cranelift_codegen::isa::TargetIsa,
    env: &Env,
    func_types: &[u32],
    consume_fuel: bool,
    n: usize,
    ctx: &mut Context,
    fctx: &mut FunctionBuilderContext,
) -> Result<Piece, JitError> {
    let imported = module.num_imported_funcs();
    let (def, is_wrapper) = (n % module.code.len(), n >= module.code.len());
    let index = imported + def as u32;
    let ti = *func_types.get(index as usize).ok_or_else(|| err("unknown function"))?;
    let ty = module.func_type(ti).ok_or_else(|| err("unknown type"))?;
    ctx.clear();
    let mut gc_ops = GcOps::default();
    if is_wrapper {
        // Entered from Rust: the system ABI.
        let mut sig = Signature::new(isa.default_call_conv());
        sig.params.push(AbiParam::new(types::I64));
        sig.params.push(AbiParam::new(types::I64));
        ctx.func.signature = sig;
        build_wrapper(&mut ctx.func, fctx, ty, def as u32, BODY_CC, isa.frontend_config())?;
    } else {
        ctx.func.signature = wasm_signature(ty, BODY_CC)?;
        let body = &module.code[def];
        let mut t = Translator::new(&mut ctx.func, fctx, env, module, func_types, imported, ty, BODY_CC)?;
        t.def = def as u32;
        t.simd_missing = missing_simd_feature(isa);
        // The validator's operand types, for stack maps (any features: the module is valid).
        let features = crate::config::Features { legacy_exceptions: true, ..crate::config::Features::wasm3() };
        let vctx = env.holds_objects.then(|| crate::valid::Context::new(module, &features));
        let types = match &vctx {
            Some(c) => Some(
                crate::valid::OperandTypes::begin(c, ti, body)
                    .ok_or_else(|| err("internal error: no operand types"))?,
            ),
            None => None,
        };
        t.translate(body, consume_fuel, types)?;
        t.b.finalize(isa.frontend_config());
        gc_ops = GcOps(std::mem::take(&mut t.gc_ops));
    }
    ctx.compile(isa, &mut Default::default()).map_err(|e| err(format!("{:?}", e.inner)))?;
    let compiled = ctx.compiled_code().ok_or_else(|| err("no compiled code"))?;
    let buf = &compiled.buffer;
    let traps = buf.traps().iter().map(|t| (t.offset, t.code.as_raw().get())).collect();
    let mut relocs = Vec::new();
    for r in buf.relocs() {
        let FinalizedRelocTarget::ExternalName(ExternalName::User(name)) = &r.target else {
            return Err(err(format!("unsupported relocation target {:?}", r.target)));
        };
        if r.kind != CraneReloc::X86CallPCRel4 && r.kind != CraneReloc::X86PCRel4 {
            return Err(err(format!("unsupported relocation {:?}", r.kind)));
        }
        let Some(target) = ctx.func.params.user_named_funcs().get(*name) else {
            return Err(err("unknown relocation name"));
        };
        relocs.push((r.offset as usize, target.index, r.addend));
    }
    let srclocs = if is_wrapper {
        Vec::new()
    } else {
        buf.get_srclocs_sorted()
            .iter()
            .filter(|s| !s.loc.is_default())
            .map(|s| (s.start, s.end, s.loc.bits()))
            .collect()
    };
    let exn_sites = exn_sites(buf)?;
    let stack_maps = stack_maps(buf)?;
    Ok(Piece { bytes: buf.data().to_vec(), traps, relocs, srclocs, exn_sites, stack_maps, gc_ops })
}

fn import_body(func: &mut ir::Function, def: u32, sig: Signature) -> ir::FuncRef {
    let sigref = func.import_signature(sig);
    let name = func.declare_imported_user_function(UserExternalName { namespace: 0, index: def });
    func.import_function(ExtFuncData {
        name: ExternalName::User(name),
        signature: sigref,
        colocated: true,
        patchable: false,
    })
}

fn to_slot(b: &mut FunctionBuilder, v: Value, t: ValType) -> Value {
    match t {
        ValType::I32 => b.ins().uextend(types::I64, v),
        ValType::F32 => {
            let i = b.ins().bitcast(types::I32, MemFlagsData::new(), v);
            b.ins().uextend(types::I64, i)
        }
        ValType::F64 => b.ins().bitcast(types::I64, MemFlagsData::new(), v),
        _ => v,
    }
}

fn from_slot(b: &mut FunctionBuilder, v: Value, t: ValType) -> Value {
    match t {
        ValType::I32 => b.ins().ireduce(types::I32, v),
        ValType::F32 => {
            let i = b.ins().ireduce(types::I32, v);
            b.ins().bitcast(types::F32, MemFlagsData::new(), i)
        }
        ValType::F64 => b.ins().bitcast(types::F64, MemFlagsData::new(), v),
        _ => v,
    }
}

/// Flags of a 16-byte access to a raw value area or a global: it never traps, but the
/// address is only 8-byte aligned (slots are `u64`s).
fn v128_slot_flags() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

/// Stores `v` of type `t` in its slots at `offset` bytes into `area` (two slots, low half
/// first, for a `v128`; see [`ValType::slots`]).
fn store_slots(b: &mut FunctionBuilder, v: Value, t: ValType, area: Value, offset: i32) {
    if t == ValType::V128 {
        b.ins().store(v128_slot_flags(), v, area, offset);
    } else {
        let s = to_slot(b, v, t);
        b.ins().store(MemFlagsData::trusted(), s, area, offset);
    }
}

/// Loads a value of type `t` from its slots at `offset` bytes into `area`.
fn load_slots(b: &mut FunctionBuilder, t: ValType, area: Value, offset: i32) -> Value {
    if t == ValType::V128 {
        b.ins().load(types::I8X16, v128_slot_flags(), area, offset)
    } else {
        let s = b.ins().load(types::I64, MemFlagsData::trusted(), area, offset);
        from_slot(b, s, t)
    }
}

/// The byte offset of each value of `types` in a raw value area (prefix sums of slots).
fn slot_offsets(types: &[ValType]) -> impl Iterator<Item = i32> + '_ {
    types.iter().scan(0i32, |at, t| {
        let here = *at;
        *at += t.slots() as i32 * 8;
        Some(here)
    })
}

/// The slots of a values area for calls of type `ty`: room for the parameters, then the
/// results.
fn area_slots(ty: &FuncType) -> usize {
    ValType::slots_of(&ty.params).max(ValType::slots_of(&ty.results)) as usize
}

/// `(vmctx, values)`: loads the parameters from `values`, calls the body (whose calling
/// convention is `cc`, [`BODY_CC`]), stores the results back (both at their slot offsets,
/// see [`slot_offsets`]).
fn build_wrapper(
    func: &mut ir::Function,
    fctx: &mut FunctionBuilderContext,
    ty: &FuncType,
    def: u32,
    cc: CallConv,
    frontend: cranelift_codegen::isa::TargetFrontendConfig,
) -> Result<(), JitError> {
    let callee = import_body(func, def, wasm_signature(ty, cc)?);
    let mut b = FunctionBuilder::new(func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let (vmctx, values) = (b.block_params(entry)[0], b.block_params(entry)[1]);
    let mut args = vec![vmctx];
    for (p, at) in ty.params.iter().zip(slot_offsets(&ty.params)) {
        args.push(load_slots(&mut b, *p, values, at));
    }
    let call = b.ins().call(callee, &args);
    let results = b.inst_results(call).to_vec();
    for ((r, t), at) in results.iter().zip(ty.results.iter()).zip(slot_offsets(&ty.results)) {
        store_slots(&mut b, *r, *t, values, at);
    }
    b.ins().return_(&[]);
    b.finalize(frontend);
    Ok(())
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Block,
    Loop,
    If {
        else_block: ir::Block,
        else_seen: bool,
    },
    /// A `try_table` (its clauses in [`Translator::try_tables`]).
    TryTable,
    /// The body of a legacy `try` (its arms in [`Translator::legacy`]); `delegate`: it
    /// ends with `delegate` (its calls have the handlers around the label's frame).
    Try {
        delegate: bool,
    },
    /// An arm (`catch`, `catch_all`) of a legacy `try`: `exn` is the caught `exnref`
    /// (for `rethrow`; `None` where the arm is unreachable).
    Arm {
        exn: Option<Value>,
    },
}

/// A legacy `try` found by [`legacy_tries`] before translation: its arms (tag or
/// `None` for `catch_all`, whether some `rethrow` names the arm) or its `delegate` label.
#[derive(Default)]
struct LegacyShape {
    arms: Vec<(Option<u32>, bool)>,
    delegate: Option<u32>,
}

/// The legacy `try`s of a body in the order they begin.
fn legacy_tries(instrs: &[Instr]) -> Vec<LegacyShape> {
    #[derive(Clone, Copy)]
    enum Open {
        Other,
        Try(usize),
        Arm(usize, usize),
    }
    let mut tries: Vec<LegacyShape> = Vec::new();
    if !instrs.iter().any(|i| matches!(i, Instr::Try(_))) {
        return tries;
    }
    let mut open = vec![Open::Other];
    for instr in instrs {
        match instr {
            Instr::Block(_) | Instr::Loop(_) | Instr::If(_) | Instr::TryTable(..) => open.push(Open::Other),
            Instr::Try(_) => {
                open.push(Open::Try(tries.len()));
                tries.push(LegacyShape::default());
            }
            Instr::Catch(_) | Instr::CatchAll => {
                if let Some(top) = open.last_mut()
                    && let Open::Try(t) | Open::Arm(t, _) = *top
                {
                    let tag = if let Instr::Catch(x) = instr { Some(*x) } else { None };
                    tries[t].arms.push((tag, false));
                    *top = Open::Arm(t, tries[t].arms.len() - 1);
                }
            }
            Instr::Delegate(l) => {
                if let Some(Open::Try(t)) = open.pop() {
                    tries[t].delegate = Some(*l);
                }
            }
            Instr::Rethrow(l) => {
                if let Some(Open::Arm(t, a)) = open.len().checked_sub(1 + *l as usize).map(|i| open[i])
                    && let Some(arm) = tries[t].arms.get_mut(a)
                {
                    arm.1 = true;
                }
            }
            Instr::End => {
                open.pop();
            }
            _ => {}
        }
    }
    tries
}

/// A legacy `try` being translated.
struct LegacyTry {
    /// `Translator::handlers` below this try's arms.
    checkpoint: usize,
    /// Its arms: the shape's, with their landing pads (one parameter, the `exnref`).
    arms: Vec<(Option<u32>, bool, ir::Block)>,
    /// How many arms have begun.
    next_arm: usize,
}

/// A `try_table` being translated: its catch clauses' landing pads, filled at its `end`.
struct TryTable {
    /// `Translator::handlers` below this table's clauses.
    checkpoint: usize,
    clauses: Vec<Clause>,
}

/// A catch clause of a [`TryTable`].
struct Clause {
    kind: syntax::CatchKind,
    tag: u32,
    /// Index in `Translator::frames` of the label it branches to.
    frame: usize,
    /// The landing pad: one parameter, the `exnref` (payload register 0).
    pad: ir::Block,
}

/// What a call inside a `try_table` names (see [`Translator::call_maybe_try`]).
#[derive(Clone, Copy)]
enum Callee {
    Direct(ir::FuncRef),
    Indirect(Value),
}

struct Frame {
    kind: Kind,
    /// Branch target: the end block, or the loop header.
    dest: ir::Block,
    /// Continuation after the block (parameters = results).
    end: ir::Block,
    params: Vec<ValType>,
    results: Vec<ValType>,
    /// Stack height below the block's parameters.
    height: usize,
    /// The parameter values at entry (for the else branch of an `if`).
    entry_params: Vec<Value>,
    end_reachable: bool,
    /// The handlers in scope inside the frame, for a `delegate` to its label: the first
    /// `.1` of `Translator::saved_handlers[.0]`, or of `Translator::handlers` if `.0` is
    /// past the saved lists.
    active: (usize, usize),
}

struct Translator<'a, 'f> {
    b: FunctionBuilder<'f>,
    env: &'a Env,
    module: &'a syntax::Module,
    func_types: &'a [u32],
    imported: u32,
    cc: CallConv,
    vmctx: Value,
    locals: Vec<(Variable, ValType)>,
    stack: Vec<Value>,
    frames: Vec<Frame>,
    reachable: bool,
    dead_depth: u32,
    /// The defined-function index of the function being compiled.
    def: u32,
    /// Callees called straight, by defined-function index (see [`Self::call_defined`]).
    direct: HashMap<u32, ir::FuncRef>,
    /// The signature of callees called through the table of bodies, by type index.
    sig_table: HashMap<u32, ir::SigRef>,
    sig_lazy: Option<ir::SigRef>,
    sig_call: Option<ir::SigRef>,
    sig_indirect: Option<ir::SigRef>,
    sig_misc: Option<ir::SigRef>,
    results: Vec<ValType>,
    /// The first extension SIMD code needs that the target lacks (see
    /// [`missing_simd_feature`]): then a SIMD operator is a compile error.
    simd_missing: Option<&'static str>,
    /// The handlers in scope, outermost `try_table` first, each table's clauses pushed
    /// last to first: a call inside a `try_table` lists them in reverse (innermost first,
    /// then in clause order). (module tag index or `None` for a catch-all, landing pad).
    handlers: Vec<(Option<u32>, ir::Block)>,
    try_tables: Vec<TryTable>,
    /// The handler lists set aside by the legacy `try ... delegate`s being translated
    /// (their bodies have the handlers around the delegate's label instead).
    saved_handlers: Vec<Vec<(Option<u32>, ir::Block)>>,
    /// The legacy `try`s of the body ([`legacy_tries`]), the next one's index, and those
    /// being translated.
    legacy_shapes: Vec<LegacyShape>,
    next_try: usize,
    legacy: Vec<LegacyTry>,
    /// The landing pads some `try_call` names.
    used_pads: std::collections::HashSet<ir::Block>,
    /// Set while translating the libcall slow path of a tail call: the frame's handlers
    /// do not apply (the call leaves the frame).
    no_handlers: bool,
    /// Type index of each tag (imports first).
    tag_types: Vec<u32>,
    /// The stubs exception code calls (`None`: exceptions are not compiled here).
    exn_stubs: Option<libcalls::ExnStubs>,
    sig_catch: Option<ir::SigRef>,
    sig_gc: Option<ir::SigRef>,
    sig_gc_test: Option<ir::SigRef>,
    /// The resolved GC instructions whose addresses the code holds (see [`Piece::gc_ops`]).
    #[allow(clippy::vec_box, reason = "the code holds the boxes' addresses: they must not move")]
    gc_ops: Vec<Box<GcOp>>,
}

impl<'a, 'f> Translator<'a, 'f> {
    #[allow(clippy::too_many_arguments, reason = "one-off constructor")]
    fn new(
        func: &'f mut ir::Function,
        fctx: &'f mut FunctionBuilderContext,
        env: &'a Env,
        module: &'a syntax::Module,
        func_types: &'a [u32],
        imported: u32,
        ty: &FuncType,
        cc: CallConv,
    ) -> Result<Self, JitError> {
        let mut b = FunctionBuilder::new(func, fctx);
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        b.seal_block(entry);
        let vmctx = b.block_params(entry)[0];
        let mut t = Translator {
            b,
            env,
            module,
            func_types,
            imported,
            cc,
            vmctx,
            locals: Vec::new(),
            stack: Vec::new(),
            frames: Vec::new(),
            reachable: true,
            dead_depth: 0,
            def: 0,
            direct: HashMap::new(),
            sig_table: HashMap::new(),
            sig_lazy: None,
            sig_call: None,
            sig_indirect: None,
            sig_misc: None,
            results: ty.results.to_vec(),
            simd_missing: None,
            handlers: Vec::new(),
            try_tables: Vec::new(),
            saved_handlers: Vec::new(),
            legacy_shapes: Vec::new(),
            next_try: 0,
            legacy: Vec::new(),
            used_pads: std::collections::HashSet::new(),
            no_handlers: false,
            tag_types: module.tag_type_indices(),
            exn_stubs: libcalls::exn_stubs(),
            sig_catch: None,
            sig_gc: None,
            sig_gc_test: None,
            gc_ops: Vec::new(),
        };
        for (i, p) in ty.params.iter().enumerate() {
            let v = t.b.declare_var(ir_type(*p)?);
            if t.holds_objects(*p) {
                t.b.declare_var_needs_stack_map(v);
            }
            let arg = t.b.block_params(entry)[i + 1];
            t.b.def_var(v, arg);
            t.locals.push((v, *p));
        }
        Ok(t)
    }

    /// With `operand_types` (the module may hold GC objects), the values of the operand
    /// stack that may be objects get stack maps (see `compile/roots.rs`).
    fn translate(
        &mut self,
        body: &syntax::FuncBody,
        consume_fuel: bool,
        mut operand_types: Option<crate::valid::OperandTypes<'_, '_>>,
    ) -> Result<(), JitError> {
        let code = body.instructions().map_err(err)?;
        self.legacy_shapes = legacy_tries(&code.instrs);
        for l in &body.locals {
            let v = self.b.declare_var(ir_type(*l)?);
            if self.holds_objects(*l) {
                self.b.declare_var_needs_stack_map(v);
            }
            let zero = self.zero(*l)?;
            self.b.def_var(v, zero);
            self.locals.push((v, *l));
        }
        // Stack limit check.
        if let Some(first) = code.offsets.first() {
            self.b.set_srcloc(ir::SourceLoc::new(*first));
        }
        let sp = self.b.ins().get_stack_pointer(self.env.ptr);
        let limit = self.env.stack_limit(&mut self.b, self.vmctx);
        let low = self.b.ins().icmp(IntCC::UnsignedLessThan, sp, limit);
        self.b.ins().trapnz(low, ir::TrapCode::STACK_OVERFLOW);
        // Fuel: the charge of each segment goes immediately before its first instruction,
        // where reachable, as in the interpreter's translation (see `crate::fuel`).
        let costs = if consume_fuel { crate::fuel::segment_costs(&code.instrs) } else { Vec::new() };
        let fuel_addr = consume_fuel.then(|| self.env.fuel_addr(&mut self.b, self.vmctx));

        let end = self.new_block(&self.results.clone())?;
        self.frames.push(Frame {
            kind: Kind::Block,
            dest: end,
            end,
            params: Vec::new(),
            results: self.results.clone(),
            height: 0,
            entry_params: Vec::new(),
            end_reachable: false,
            active: (0, 0),
        });
        for (i, (instr, off)) in code.instrs.iter().zip(&code.offsets).enumerate() {
            self.b.set_srcloc(ir::SourceLoc::new(*off));
            if let (Some(addr), Some(&cost)) = (fuel_addr, costs.get(i))
                && cost > 0
                && self.reachable
            {
                self.charge_fuel(addr, cost);
            }
            self.instr(instr)?;
            if let Some(types) = operand_types.as_mut() {
                let types = types.feed(*off, instr).ok_or_else(|| err("internal error: operand types lost"))?;
                self.declare_operand_roots(types)?;
            }
            if self.frames.is_empty() {
                break;
            }
        }
        if self.reachable {
            let vals = std::mem::take(&mut self.stack);
            self.b.ins().return_(&vals);
        }
        Ok(())
    }

    /// Traps with "out of fuel" if the counter at `addr` holds less than `cost` (leaving
    /// it unchanged), else subtracts `cost`.
    fn charge_fuel(&mut self, addr: Value, cost: u32) {
        let fuel = self.b.ins().load(types::I64, MemFlagsData::trusted(), addr, 0);
        let short = self.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, fuel, cost as i64);
        self.b.ins().trapnz(short, TRAP_OUT_OF_FUEL);
        let cost = self.b.ins().iconst(types::I64, cost as i64);
        let left = self.b.ins().isub(fuel, cost);
        self.b.ins().store(MemFlagsData::trusted(), left, addr, 0);
    }

    fn zero(&mut self, t: ValType) -> Result<Value, JitError> {
        Ok(match t {
            ValType::F32 => self.b.ins().f32const(Ieee32::with_bits(0)),
            ValType::F64 => self.b.ins().f64const(Ieee64::with_bits(0)),
            ValType::V128 => simd::v128_const(&mut self.b, [0; 16]),
            t => self.b.ins().iconst(ir_type(t)?, 0),
        })
    }

    fn new_block(&mut self, params: &[ValType]) -> Result<ir::Block, JitError> {
        let block = self.b.create_block();
        for p in params {
            self.b.append_block_param(block, ir_type(*p)?);
        }
        Ok(block)
    }

    fn block_type(&self, bt: BlockType) -> Result<(Vec<ValType>, Vec<ValType>), JitError> {
        Ok(match bt {
            BlockType::Empty => (Vec::new(), Vec::new()),
            BlockType::Value(t) => (Vec::new(), vec![t]),
            BlockType::Func(i) => {
                let ft = self.module.func_type(i).ok_or_else(|| err("unknown type"))?;
                (ft.params.to_vec(), ft.results.to_vec())
            }
        })
    }

    fn pop(&mut self) -> Result<Value, JitError> {
        self.stack.pop().ok_or_else(|| err("value stack underflow"))
    }

    fn popn(&mut self, n: usize) -> Result<Vec<Value>, JitError> {
        let at = self.stack.len().checked_sub(n).ok_or_else(|| err("value stack underflow"))?;
        Ok(self.stack.split_off(at))
    }

    fn peekn(&self, n: usize) -> Result<Vec<Value>, JitError> {
        let at = self.stack.len().checked_sub(n).ok_or_else(|| err("value stack underflow"))?;
        Ok(self.stack[at..].to_vec())
    }

    fn jump(&mut self, block: ir::Block, args: &[Value]) {
        let args: Vec<BlockArg> = args.iter().map(|v| BlockArg::from(*v)).collect();
        self.b.ins().jump(block, &args);
    }

    /// Target block and arguments of a branch to relative depth `depth`; marks it used.
    fn branch_target(&mut self, depth: u32) -> Result<(ir::Block, Vec<Value>), JitError> {
        let i = self.frames.len().checked_sub(1 + depth as usize).ok_or_else(|| err("bad branch depth"))?;
        let f = &mut self.frames[i];
        let n = if f.kind == Kind::Loop { f.params.len() } else { f.results.len() };
        if f.kind != Kind::Loop {
            f.end_reachable = true;
        }
        let dest = f.dest;
        Ok((dest, self.peekn(n)?))
    }

    fn unop(&mut self, f: impl FnOnce(&mut FunctionBuilder, Value) -> Value) -> Result<(), JitError> {
        let a = self.pop()?;
        let r = f(&mut self.b, a);
        self.stack.push(r);
        Ok(())
    }

    fn binop(&mut self, f: impl FnOnce(&mut FunctionBuilder, Value, Value) -> Value) -> Result<(), JitError> {
        let b = self.pop()?;
        let a = self.pop()?;
        let r = f(&mut self.b, a, b);
        self.stack.push(r);
        Ok(())
    }

    fn icmp(&mut self, cc: IntCC) -> Result<(), JitError> {
        self.binop(|b, x, y| {
            let c = b.ins().icmp(cc, x, y);
            b.ins().uextend(types::I32, c)
        })
    }

    fn fcmp(&mut self, cc: FloatCC) -> Result<(), JitError> {
        self.binop(|b, x, y| {
            let c = b.ins().fcmp(cc, x, y);
            b.ins().uextend(types::I32, c)
        })
    }

    /// A values area of `n` slots on the stack.
    fn values_slot(&mut self, n: usize) -> Value {
        let size = (n.max(1) * 8) as u32;
        let slot = self.b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, size, 3));
        self.b.ins().stack_addr(self.env.ptr, slot, 0)
    }

    fn libcall_sig(&mut self, params: &[ir::Type]) -> ir::SigRef {
        let mut sig = Signature::new(CallConv::SystemV);
        for p in params {
            sig.params.push(AbiParam::new(*p));
        }
        sig.returns.push(AbiParam::new(types::I32));
        self.b.import_signature(sig)
    }

    /// Calls `callee` (a libcall's address) and traps if it reports a trap.
    fn call_libcall(&mut self, sig: ir::SigRef, callee: Value, args: &[Value]) {
        let call = self.b.ins().call_indirect(sig, callee, args);
        let status = self.b.inst_results(call)[0];
        self.b.ins().trapnz(status, TRAP_PENDING);
    }

    /// Calls `callee`, a libcall that runs wasm or host code (which may throw), and if it
    /// reports a trap, raises it from here out of line: an exception goes on to the
    /// handlers of this frame (unless `no_handlers`) and its callers, any other trap
    /// (or an uncaught exception) traps.
    fn call_libcall_raising(&mut self, sig: ir::SigRef, callee: Value, args: &[Value]) -> Result<(), JitError> {
        let Some(stubs) = self.exn_stubs else {
            self.call_libcall(sig, callee, args);
            return Ok(());
        };
        let call = self.b.ins().call_indirect(sig, callee, args);
        let status = self.b.inst_results(call)[0];
        let cold = self.b.create_block();
        let cont = self.b.create_block();
        self.b.set_cold_block(cold);
        self.b.ins().brif(status, cold, &[], cont, &[]);
        self.b.seal_block(cold);
        self.b.switch_to_block(cold);
        let f = self.b.ins().iconst(self.env.ptr, stubs.raise as i64);
        self.call_throwing(f, &[self.vmctx])?;
        self.b.seal_block(cont);
        self.b.switch_to_block(cont);
        Ok(())
    }

    /// Calls the exception stub `f` (`args`: integers) and traps with the pending trap
    /// after it (a stub returns only when no handler of this activation caught the
    /// exception). Inside a `try_table` the call is a `try_call` of the `tail` convention,
    /// so that this frame's handlers apply.
    fn call_throwing(&mut self, f: Value, args: &[Value]) -> Result<(), JitError> {
        let use_handlers = !self.handlers.is_empty() && !self.no_handlers;
        let mut sig = Signature::new(if use_handlers { BODY_CC } else { CallConv::SystemV });
        for a in args {
            sig.params.push(AbiParam::new(self.b.func.dfg.value_type(*a)));
        }
        sig.returns.push(AbiParam::new(types::I32));
        let sig = self.b.import_signature(sig);
        if use_handlers {
            self.call_maybe_try(Callee::Indirect(f), sig, args)?;
        } else {
            self.b.ins().call_indirect(sig, f, args);
        }
        self.b.ins().trap(TRAP_PENDING);
        Ok(())
    }

    /// A call of `callee` (signature `sig`, of the `tail` convention): a plain call
    /// outside any `try_table`, else a `try_call` whose exception table lists the
    /// handlers in scope, innermost first, with this frame's vmctx as the context (tags
    /// are module indices, resolved through the frame's instance). Returns the results.
    fn call_maybe_try(&mut self, callee: Callee, sig: ir::SigRef, args: &[Value]) -> Result<Vec<Value>, JitError> {
        if self.handlers.is_empty() || self.no_handlers {
            let inst = match callee {
                Callee::Direct(f) => self.b.ins().call(f, args),
                Callee::Indirect(v) => self.b.ins().call_indirect(sig, v, args),
            };
            return Ok(self.b.inst_results(inst).to_vec());
        }
        let cont = self.b.create_block();
        let returns: Vec<ir::Type> = self.b.func.dfg.signatures[sig].returns.iter().map(|r| r.value_type).collect();
        for t in &returns {
            self.b.append_block_param(cont, *t);
        }
        let rets: Vec<BlockArg> = (0..returns.len() as u32).map(BlockArg::TryCallRet).collect();
        let normal = self.b.func.dfg.block_call(cont, &rets);
        let mut items = vec![ExceptionTableItem::Context(self.vmctx)];
        for (tag, pad) in self.handlers.iter().rev() {
            self.used_pads.insert(*pad);
            let call = self.b.func.dfg.block_call(*pad, &[BlockArg::TryCallExn(0)]);
            items.push(match tag {
                Some(t) => ExceptionTableItem::Tag(ExceptionTag::from_u32(*t), call),
                None => ExceptionTableItem::Default(call),
            });
        }
        let table = self.b.func.dfg.exception_tables.push(ExceptionTableData::new(sig, normal, items));
        match callee {
            Callee::Direct(f) => self.b.ins().try_call(f, args, table),
            Callee::Indirect(v) => self.b.ins().try_call_indirect(v, args, table),
        };
        self.b.seal_block(cont);
        self.b.switch_to_block(cont);
        Ok(self.b.block_params(cont).to_vec())
    }

    /// The parameter types of tag `tag` (its exceptions' payload).
    fn tag_params(&self, tag: u32) -> Result<Vec<ValType>, JitError> {
        let ti = *self.tag_types.get(tag as usize).ok_or_else(|| err("unknown tag"))?;
        Ok(self.module.func_type(ti).ok_or_else(|| err("unknown type"))?.params.to_vec())
    }

    /// Fills the landing pads of a `try_table` whose body is done: each hands the
    /// exception to [`libcalls::catch_exn`] (which copies the payload out and frees or
    /// keeps the exception, as the interpreter does), then branches to its label with the
    /// payload (and the `exnref` for the `_ref` kinds).
    fn fill_landing_pads(&mut self, table: TryTable) -> Result<(), JitError> {
        for c in table.clauses {
            self.b.seal_block(c.pad);
            if !self.used_pads.contains(&c.pad) {
                // No call of the body names it: unreachable, left out.
                continue;
            }
            self.b.switch_to_block(c.pad);
            let exnref = self.b.block_params(c.pad)[0];
            let tag = c.kind.has_tag().then_some(c.tag);
            let mut vals = self.catch_payload(exnref, tag, c.kind.passes_ref())?;
            if c.kind.passes_ref() {
                vals.push(exnref);
            }
            let frame = self.frames.get_mut(c.frame).ok_or_else(|| err("bad catch label"))?;
            if frame.kind != Kind::Loop {
                frame.end_reachable = true;
            }
            let dest = frame.dest;
            self.jump(dest, &vals);
        }
        Ok(())
    }

    /// In a landing pad: hands the exception `exnref` to [`libcalls::catch_exn`] (which
    /// frees it, or marks it escaped if `keep`) and returns the payload of tag `tag`
    /// (nothing for a catch-all).
    fn catch_payload(&mut self, exnref: Value, tag: Option<u32>, keep: bool) -> Result<Vec<Value>, JitError> {
        let sig = match self.sig_catch {
            Some(s) => s,
            None => {
                let s = self.libcall_sig(&[types::I64, types::I64, types::I64, types::I32, types::I32]);
                self.sig_catch = Some(s);
                s
            }
        };
        let params = match tag {
            Some(t) => self.tag_params(t)?,
            None => Vec::new(),
        };
        let slots = ValType::slots_of(&params);
        let area = if slots > 0 { self.values_slot(slots as usize) } else { self.b.ins().iconst(self.env.ptr, 0) };
        let f = self.b.ins().iconst(self.env.ptr, libcalls::catch_exn as *const () as usize as i64);
        let n = self.b.ins().iconst(types::I32, i64::from(slots));
        let r = self.b.ins().iconst(types::I32, i64::from(keep));
        self.b.ins().call_indirect(sig, f, &[self.vmctx, exnref, area, n, r]);
        Ok(params.iter().zip(slot_offsets(&params)).map(|(t, at)| load_slots(&mut self.b, *t, area, at)).collect())
    }

    /// The handlers in scope now, as a frame's [`Frame::active`].
    /// Opens a control frame of `kind` whose branches go to `dest` and which goes on at
    /// `end`, `height` operands below its parameters, with the handlers in scope now.
    fn push_frame(
        &mut self,
        kind: Kind,
        dest: ir::Block,
        end: ir::Block,
        (params, results): (Vec<ValType>, Vec<ValType>),
        height: usize,
    ) {
        let active = self.active_now();
        self.frames.push(Frame {
            kind,
            dest,
            end,
            params,
            results,
            height,
            entry_params: Vec::new(),
            end_reachable: false,
            active,
        });
    }

    fn active_now(&self) -> (usize, usize) {
        (self.saved_handlers.len(), self.handlers.len())
    }

    /// The handlers in scope inside the frame `depth` labels out (for `delegate`).
    fn active_at(&self, depth: u32) -> Result<Vec<(Option<u32>, ir::Block)>, JitError> {
        let i = self.frames.len().checked_sub(1 + depth as usize).ok_or_else(|| err("bad delegate label"))?;
        let (list, len) = self.frames[i].active;
        let list = self.saved_handlers.get(list).unwrap_or(&self.handlers);
        Ok(list.get(..len).ok_or_else(|| err("bad delegate handlers"))?.to_vec())
    }

    /// Calls through a values area: stores `ty`'s parameters from the stack, makes the
    /// libcall (`extra` arguments between vmctx and the area), loads the results (each at
    /// its slot offset: a `v128` takes two slots).
    fn call_via_values(&mut self, ty: &FuncType, sig: ir::SigRef, f: Value, extra: &[Value]) -> Result<(), JitError> {
        let args = self.popn(ty.params.len())?;
        let area = self.values_slot(area_slots(ty));
        for ((a, t), at) in args.iter().zip(ty.params.iter()).zip(slot_offsets(&ty.params)) {
            store_slots(&mut self.b, *a, *t, area, at);
        }
        let mut call_args = vec![self.vmctx];
        call_args.extend_from_slice(extra);
        call_args.push(area);
        self.call_libcall_raising(sig, f, &call_args)?;
        for (t, at) in ty.results.iter().zip(slot_offsets(&ty.results)) {
            let v = load_slots(&mut self.b, *t, area, at);
            self.stack.push(v);
        }
        Ok(())
    }

    /// A call of defined function `def`. A callee compiled in the same batch (with eager
    /// compilation, every function; lazily, the function itself) is called straight, its
    /// address patched in when the batch is placed. Any other goes through the module's
    /// table of body code ([`Env::body_code`]): a callee not compiled yet (entry 0) is
    /// compiled first by [`libcalls::compile_lazily`], out of line. With `tail`, the call
    /// is a tail call (`return_call` or `return_call_indirect`), which ends the block, and
    /// there are no results.
    fn call_defined(
        &mut self,
        def: u32,
        type_index: u32,
        ty: &FuncType,
        args: &[Value],
        tail: bool,
    ) -> Result<Vec<Value>, JitError> {
        let mut call_args = vec![self.vmctx];
        call_args.extend_from_slice(args);
        if !self.env.lazy || def == self.def {
            let callee = match self.direct.get(&def) {
                Some(c) => *c,
                None => {
                    let c = import_body(self.b.func, def, wasm_signature(ty, self.cc)?);
                    self.direct.insert(def, c);
                    c
                }
            };
            if tail {
                self.b.ins().return_call(callee, &call_args);
                return Ok(Vec::new());
            }
            let sig = self.b.func.dfg.ext_funcs[callee].signature;
            return self.call_maybe_try(Callee::Direct(callee), sig, &call_args);
        }
        let code = self.env.body_code(&mut self.b, self.vmctx, def);
        let cold = self.b.create_block();
        let call = self.b.create_block();
        let code_param = self.b.append_block_param(call, self.env.ptr);
        self.b.set_cold_block(cold);
        self.b.ins().brif(code, call, &[BlockArg::Value(code)], cold, &[]);
        self.b.seal_block(cold);
        self.b.switch_to_block(cold);
        let sig = match self.sig_lazy {
            Some(s) => s,
            None => {
                let mut sig = Signature::new(CallConv::SystemV);
                sig.params.push(AbiParam::new(types::I64));
                sig.params.push(AbiParam::new(types::I32));
                sig.returns.push(AbiParam::new(self.env.ptr));
                let s = self.b.import_signature(sig);
                self.sig_lazy = Some(s);
                s
            }
        };
        let f = self.b.ins().iconst(self.env.ptr, libcalls::compile_lazily as *const () as usize as i64);
        let d = self.b.ins().iconst(types::I32, def as i64);
        let inst = self.b.ins().call_indirect(sig, f, &[self.vmctx, d]);
        let compiled = self.b.inst_results(inst)[0];
        self.b.ins().trapz(compiled, TRAP_PENDING);
        self.b.ins().jump(call, &[BlockArg::Value(compiled)]);
        self.b.seal_block(call);
        self.b.switch_to_block(call);
        let sigref = match self.sig_table.get(&type_index) {
            Some(s) => *s,
            None => {
                let s = self.b.import_signature(wasm_signature(ty, self.cc)?);
                self.sig_table.insert(type_index, s);
                s
            }
        };
        if tail {
            self.b.ins().return_call_indirect(sigref, code_param, &call_args);
            return Ok(Vec::new());
        }
        self.call_maybe_try(Callee::Indirect(code_param), sigref, &call_args)
    }

    /// A call of imported function `f` of type `ty`, through the import's record: a typed
    /// host function straight, anything else through the generic libcall (see
    /// `env::VmImport`). Its results are pushed.
    fn call_import(&mut self, f: u32, ty: &FuncType) -> Result<(), JitError> {
        let sig = match self.sig_call {
            Some(s) => s,
            None => {
                let s = self.libcall_sig(&[types::I64, types::I64, types::I64]);
                self.sig_call = Some(s);
                s
            }
        };
        let (call, data) = self.env.import(&mut self.b, self.vmctx, f);
        self.call_via_values(ty, sig, call, &[data])
    }

    /// `return_call` of imported function `f` of type `ty`: wasm code with a direct-call
    /// record (`VmFunc`, made when the import is first called through its libcall) is
    /// tail-called natively with its own vmctx, so a chain of tail calls across instances
    /// runs in constant stack; anything else (a host function, no record yet) is called
    /// through the import's record and its results returned (a host function returns).
    fn tail_call_import(&mut self, f: u32, ty: &FuncType) -> Result<(), JitError> {
        let args = self.peekn(ty.params.len())?;
        let slow = self.b.create_block();
        let fast = self.b.create_block();
        let func_ref = self.env.func_ref(&mut self.b, self.vmctx, f);
        let addr = self.b.ins().iadd_imm_s(func_ref, -1);
        let (code, callee, _) = self.env.func_record(&mut self.b, self.vmctx, addr, slow);
        // The import's type is the callee's (checked when the module was linked).
        self.b.ins().brif(code, fast, &[], slow, &[]);
        self.b.seal_block(fast);
        self.b.switch_to_block(fast);
        let sigref = self.b.import_signature(wasm_signature(ty, self.cc)?);
        let mut call_args = vec![callee];
        call_args.extend_from_slice(&args);
        self.b.ins().return_call_indirect(sigref, code, &call_args);
        self.b.seal_block(slow);
        self.b.switch_to_block(slow);
        // A tail call leaves the frame: its handlers do not apply.
        self.no_handlers = true;
        let r = self.call_import(f, ty);
        self.no_handlers = false;
        r?;
        self.return_top(ty.results.len())
    }

    /// Returns the top `n` values of the stack (the function's results) and makes the
    /// rest of the block unreachable.
    fn return_top(&mut self, n: usize) -> Result<(), JitError> {
        let vals = self.peekn(n)?;
        self.b.ins().return_(&vals);
        self.reachable = false;
        Ok(())
    }

    /// `call_indirect` (spec §4.4.9): inline when the element is a function the store has
    /// a direct-call record for ([`super::env::VmFunc`]) and its type id is the expected
    /// one — a table bounds check, two loads, a compare and a native call. Anything else
    /// (a null or out-of-bounds element, a wrong type, a host or interpreted function, one
    /// not reached yet) goes through [`libcalls::call_indirect`], which traps or calls it
    /// and records it for next time. With `tail` (`return_call_indirect`), the fast path
    /// is a native tail call and the slow path returns the libcall's results.
    ///
    /// `table` [`libcalls::CALL_REF`] is `call_ref` (and `return_call_ref`): the operand
    /// is a function reference, whose type validation guarantees; null goes to the
    /// libcall, which traps.
    fn call_indirect(&mut self, type_index: u32, table: u32, tail: bool) -> Result<(), JitError> {
        let ty = self.module.func_type(type_index).ok_or_else(|| err("unknown type"))?.clone();
        let elem = self.pop()?;
        let by_ref = table == libcalls::CALL_REF;
        let args = self.popn(ty.params.len())?;
        let slow = self.b.create_block();
        let done = self.b.create_block();
        if !tail {
            for r in ty.results.iter() {
                self.b.append_block_param(done, ir_type(*r)?);
            }
        }
        // Fast path.
        let addr = if by_ref {
            // A null reference becomes u64::MAX, which no function record has.
            self.b.ins().iadd_imm_s(elem, -1)
        } else {
            self.env.table_elem_addr(&mut self.b, self.vmctx, table, elem, slow)
        };
        let (code, callee, id) = self.env.func_record(&mut self.b, self.vmctx, addr, slow);
        let compiled = self.b.ins().icmp_imm_u(IntCC::NotEqual, code, 0);
        let ok = if by_ref {
            compiled
        } else {
            let expected = self.module.canon_id(type_index);
            let same = self.b.ins().icmp_imm_u(IntCC::Equal, id, expected as i64);
            self.b.ins().band(same, compiled)
        };
        let call = self.b.create_block();
        self.b.ins().brif(ok, call, &[], slow, &[]);
        self.b.seal_block(call);
        self.b.switch_to_block(call);
        let sig = wasm_signature(&ty, self.cc)?;
        let sigref = self.b.import_signature(sig);
        let mut call_args = vec![callee];
        call_args.extend_from_slice(&args);
        if tail {
            self.b.ins().return_call_indirect(sigref, code, &call_args);
        } else {
            let results = self.call_maybe_try(Callee::Indirect(code), sigref, &call_args)?;
            self.jump(done, &results);
        }
        // Slow path: the libcall, through a values area.
        self.b.seal_block(slow);
        self.b.switch_to_block(slow);
        let sig = match self.sig_indirect {
            Some(s) => s,
            None => {
                let s = self.libcall_sig(&[types::I64, types::I32, types::I32, types::I64, types::I64]);
                self.sig_indirect = Some(s);
                s
            }
        };
        let t = self.b.ins().iconst(types::I32, table as i64);
        let ti = self.b.ins().iconst(types::I32, type_index as i64);
        // The element index as an i64 (a 32-bit table's zero-extended).
        let elem =
            if by_ref || self.env.table_addr(table).is_64() { elem } else { self.b.ins().uextend(types::I64, elem) };
        self.stack.extend(args);
        let f = self.b.ins().iconst(self.env.ptr, libcalls::call_indirect_stub as *const () as usize as i64);
        // A tail call leaves the frame: its handlers do not apply.
        self.no_handlers = tail;
        let r = self.call_via_values(&ty, sig, f, &[t, ti, elem]);
        self.no_handlers = false;
        r?;
        if tail {
            // `done` has no predecessor: it stays empty, outside the layout.
            return self.return_top(ty.results.len());
        }
        let results = self.popn(ty.results.len())?;
        self.jump(done, &results);
        self.b.seal_block(done);
        self.b.switch_to_block(done);
        let params = self.b.block_params(done).to_vec();
        self.stack.extend(params);
        Ok(())
    }

    /// A libcall of [`libcalls::misc`]: `args` in, the first slot's value out (as `ret`).
    fn misc(&mut self, op: MiscOp, args: &[Value], ret: Option<ir::Type>) -> Result<(), JitError> {
        let area = self.values_slot(args.len().max(1));
        for (i, a) in args.iter().enumerate() {
            let ty = self.b.func.dfg.value_type(*a);
            let s = if ty == types::I32 { self.b.ins().uextend(types::I64, *a) } else { *a };
            self.b.ins().store(MemFlagsData::trusted(), s, area, (i * 8) as i32);
        }
        let sig = match self.sig_misc {
            Some(s) => s,
            None => {
                let s = self.libcall_sig(&[types::I64, types::I32, types::I64]);
                self.sig_misc = Some(s);
                s
            }
        };
        let op = self.b.ins().iconst(types::I32, op as i64);
        let f = self.b.ins().iconst(self.env.ptr, libcalls::misc as *const () as usize as i64);
        self.call_libcall(sig, f, &[self.vmctx, op, area]);
        if let Some(t) = ret {
            let s = self.b.ins().load(types::I64, MemFlagsData::trusted(), area, 0);
            let v = if t == types::I32 { self.b.ins().ireduce(types::I32, s) } else { s };
            self.stack.push(v);
        }
        Ok(())
    }

    /// Flags of a wasm memory access: it may trap (out of bounds, with guard pages), and
    /// its address may have any alignment.
    fn heap_flags(&self) -> MemFlagsData {
        MemFlagsData::new().with_trap_code(Some(ir::TrapCode::HEAP_OUT_OF_BOUNDS))
    }

    fn instr(&mut self, instr: &Instr) -> Result<(), JitError> {
        // Every legacy `try`, reachable or not, takes its shape in order.
        let shape = if matches!(instr, Instr::Try(_)) {
            self.next_try += 1;
            Some(self.next_try - 1)
        } else {
            None
        };
        if matches!(
            instr,
            Instr::Throw(_)
                | Instr::ThrowRef
                | Instr::TryTable(..)
                | Instr::Try(_)
                | Instr::Catch(_)
                | Instr::CatchAll
                | Instr::Delegate(_)
                | Instr::Rethrow(_)
        ) && self.exn_stubs.is_none()
        {
            return Err(err("exception handling is not compiled by the JIT on this target"));
        }
        if !self.reachable {
            match instr {
                Instr::Block(_) | Instr::Loop(_) | Instr::If(_) | Instr::TryTable(..) | Instr::Try(_) => {
                    self.dead_depth += 1;
                    return Ok(());
                }
                Instr::Else | Instr::Catch(_) | Instr::CatchAll if self.dead_depth == 0 => {}
                Instr::End | Instr::Delegate(_) if self.dead_depth == 0 => {}
                Instr::End | Instr::Delegate(_) => {
                    self.dead_depth -= 1;
                    return Ok(());
                }
                _ => return Ok(()),
            }
        }
        let b = &mut self.b;
        match instr {
            Instr::Unreachable => {
                b.ins().trap(TRAP_UNREACHABLE);
                self.reachable = false;
            }
            Instr::Nop => {}
            Instr::Try(bt) => {
                let shape = shape
                    .and_then(|i| self.legacy_shapes.get_mut(i))
                    .map(std::mem::take)
                    .ok_or_else(|| err("unknown try"))?;
                let (params, results) = self.block_type(*bt)?;
                let end = self.new_block(&results)?;
                let height = self.stack.len().checked_sub(params.len()).ok_or_else(|| err("underflow"))?;
                if let Some(l) = shape.delegate {
                    // The body's calls get the handlers around label `l` (counted outside
                    // the `try`), not those in between.
                    let list = self.active_at(l)?;
                    let outer = std::mem::replace(&mut self.handlers, list);
                    self.saved_handlers.push(outer);
                } else {
                    let checkpoint = self.handlers.len();
                    let mut arms = Vec::with_capacity(shape.arms.len());
                    for (tag, keep) in shape.arms {
                        let pad = self.b.create_block();
                        self.b.append_block_param(pad, types::I64);
                        arms.push((tag, keep, pad));
                    }
                    for (tag, _, pad) in arms.iter().rev() {
                        self.handlers.push((*tag, *pad));
                    }
                    self.legacy.push(LegacyTry { checkpoint, arms, next_arm: 0 });
                }
                self.push_frame(Kind::Try { delegate: shape.delegate.is_some() }, end, end, (params, results), height);
            }
            Instr::Catch(_) | Instr::CatchAll => {
                let f = self.frames.last_mut().ok_or_else(|| err("catch outside a try"))?;
                if !matches!(f.kind, Kind::Try { delegate: false } | Kind::Arm { .. }) {
                    return Err(err("catch outside a try"));
                }
                let (end, n, height) = (f.end, f.results.len(), f.height);
                if self.reachable {
                    f.end_reachable = true;
                    let vals = self.peekn(n)?;
                    self.jump(end, &vals);
                }
                let lt = self.legacy.last_mut().ok_or_else(|| err("catch outside a try"))?;
                if lt.next_arm == 0 {
                    // The body is done: its handlers end, and every `try_call` naming the
                    // arms' pads is emitted.
                    self.handlers.truncate(lt.checkpoint);
                    for (_, _, pad) in &lt.arms {
                        self.b.seal_block(*pad);
                    }
                }
                let (tag, keep, pad) = *lt.arms.get(lt.next_arm).ok_or_else(|| err("unknown catch arm"))?;
                lt.next_arm += 1;
                let checkpoint = lt.checkpoint;
                self.stack.truncate(height);
                let exn = if self.used_pads.contains(&pad) {
                    self.b.switch_to_block(pad);
                    let exnref = self.b.block_params(pad)[0];
                    let payload = self.catch_payload(exnref, tag, keep)?;
                    self.stack.extend(payload);
                    self.reachable = true;
                    Some(exnref)
                } else {
                    // No call of the body can throw: the arm is never entered.
                    self.reachable = false;
                    None
                };
                let active = (self.saved_handlers.len(), checkpoint);
                let f = self.frames.last_mut().ok_or_else(|| err("catch outside a try"))?;
                f.kind = Kind::Arm { exn };
                f.active = active;
            }
            Instr::Rethrow(l) => {
                let stubs = self.exn_stubs.ok_or_else(|| err("exceptions are not compiled on this target"))?;
                let i = self.frames.len().checked_sub(1 + *l as usize).ok_or_else(|| err("bad rethrow label"))?;
                let Kind::Arm { exn: Some(exnref) } = self.frames[i].kind else {
                    return Err(err("rethrow of a label that is no catch"));
                };
                let f = self.b.ins().iconst(self.env.ptr, stubs.throw_ref as i64);
                self.call_throwing(f, &[self.vmctx, exnref])?;
                self.reachable = false;
            }
            Instr::TryTable(bt, catches) => {
                let (params, results) = self.block_type(*bt)?;
                let end = self.new_block(&results)?;
                let height = self.stack.len().checked_sub(params.len()).ok_or_else(|| err("underflow"))?;
                let mut clauses = Vec::with_capacity(catches.len());
                for c in catches.iter() {
                    // Labels are relative to the try_table's enclosing context.
                    let frame =
                        self.frames.len().checked_sub(1 + c.label as usize).ok_or_else(|| err("bad catch label"))?;
                    let pad = self.b.create_block();
                    self.b.append_block_param(pad, types::I64);
                    self.b.set_cold_block(pad);
                    clauses.push(Clause { kind: c.kind, tag: c.tag, frame, pad });
                }
                let checkpoint = self.handlers.len();
                for c in clauses.iter().rev() {
                    self.handlers.push((c.kind.has_tag().then_some(c.tag), c.pad));
                }
                self.try_tables.push(TryTable { checkpoint, clauses });
                self.push_frame(Kind::TryTable, end, end, (params, results), height);
            }
            Instr::Throw(tag) => {
                let stubs = self.exn_stubs.ok_or_else(|| err("exceptions are not compiled on this target"))?;
                let params = self.tag_params(*tag)?;
                let args = self.popn(params.len())?;
                let area = self.values_slot(ValType::slots_of(&params) as usize);
                for ((a, t), at) in args.iter().zip(params.iter()).zip(slot_offsets(&params)) {
                    store_slots(&mut self.b, *a, *t, area, at);
                }
                let f = self.b.ins().iconst(self.env.ptr, stubs.throw as i64);
                let t = self.b.ins().iconst(types::I64, i64::from(*tag));
                self.call_throwing(f, &[self.vmctx, t, area])?;
                self.reachable = false;
            }
            Instr::ThrowRef => {
                let stubs = self.exn_stubs.ok_or_else(|| err("exceptions are not compiled on this target"))?;
                let exnref = self.pop()?;
                let f = self.b.ins().iconst(self.env.ptr, stubs.throw_ref as i64);
                self.call_throwing(f, &[self.vmctx, exnref])?;
                self.reachable = false;
            }
            Instr::Block(bt) => {
                let (params, results) = self.block_type(*bt)?;
                let end = self.new_block(&results)?;
                let height = self.stack.len().checked_sub(params.len()).ok_or_else(|| err("underflow"))?;
                self.push_frame(Kind::Block, end, end, (params, results), height);
            }
            Instr::Loop(bt) => {
                let (params, results) = self.block_type(*bt)?;
                let header = self.new_block(&params)?;
                let end = self.new_block(&results)?;
                let args = self.popn(params.len())?;
                let height = self.stack.len();
                self.jump(header, &args);
                self.b.switch_to_block(header);
                self.stack.extend_from_slice(self.b.block_params(header));
                self.push_frame(Kind::Loop, header, end, (params, results), height);
            }
            Instr::If(bt) => {
                let (params, results) = self.block_type(*bt)?;
                let cond = self.pop()?;
                let then_block = self.b.create_block();
                let else_block = self.b.create_block();
                let end = self.new_block(&results)?;
                self.b.ins().brif(cond, then_block, &[], else_block, &[]);
                self.b.seal_block(then_block);
                self.b.seal_block(else_block);
                self.b.switch_to_block(then_block);
                let height = self.stack.len().checked_sub(params.len()).ok_or_else(|| err("underflow"))?;
                let entry_params = self.stack[height..].to_vec();
                self.push_frame(Kind::If { else_block, else_seen: false }, end, end, (params, results), height);
                if let Some(f) = self.frames.last_mut() {
                    f.entry_params = entry_params;
                }
            }
            Instr::Else => {
                let f = self.frames.last_mut().ok_or_else(|| err("else outside if"))?;
                let Kind::If { else_block, .. } = f.kind else { return Err(err("else outside if")) };
                f.kind = Kind::If { else_block, else_seen: true };
                let (end, n, height, params) = (f.end, f.results.len(), f.height, f.entry_params.clone());
                if self.reachable {
                    f.end_reachable = true;
                    let vals = self.peekn(n)?;
                    self.jump(end, &vals);
                }
                self.stack.truncate(height);
                self.b.switch_to_block(else_block);
                self.stack.extend_from_slice(&params);
                self.reachable = true;
            }
            Instr::End | Instr::Delegate(_) => {
                let mut f = self.frames.pop().ok_or_else(|| err("unbalanced end"))?;
                if matches!(instr, Instr::Delegate(_)) != matches!(f.kind, Kind::Try { delegate: true }) {
                    return Err(err("delegate of a frame that is no try"));
                }
                if self.reachable {
                    f.end_reachable = true;
                    let vals = self.peekn(f.results.len())?;
                    self.jump(f.end, &vals);
                }
                match f.kind {
                    Kind::TryTable => {
                        let table = self.try_tables.pop().ok_or_else(|| err("unbalanced try_table"))?;
                        self.handlers.truncate(table.checkpoint);
                        // Every try_call of the body is emitted: the pads' predecessors are known.
                        self.fill_landing_pads(table)?;
                    }
                    Kind::Try { delegate: true } => {
                        self.handlers = self.saved_handlers.pop().ok_or_else(|| err("unbalanced delegate"))?;
                    }
                    Kind::Try { delegate: false } | Kind::Arm { .. } => {
                        let lt = self.legacy.pop().ok_or_else(|| err("unbalanced try"))?;
                        if lt.next_arm == 0 {
                            self.handlers.truncate(lt.checkpoint);
                        }
                    }
                    _ => {}
                }
                if let Kind::If { else_block, else_seen: false } = f.kind {
                    // No else: the false branch passes the parameters through.
                    self.b.switch_to_block(else_block);
                    let params = f.entry_params.clone();
                    self.jump(f.end, &params);
                    f.end_reachable = true;
                }
                if f.kind == Kind::Loop {
                    self.b.seal_block(f.dest);
                }
                self.stack.truncate(f.height);
                self.b.seal_block(f.end);
                if f.end_reachable {
                    self.b.switch_to_block(f.end);
                    self.stack.extend_from_slice(self.b.block_params(f.end));
                    self.reachable = true;
                } else {
                    self.reachable = false;
                }
                if self.frames.is_empty() && self.reachable {
                    let vals = std::mem::take(&mut self.stack);
                    self.b.ins().return_(&vals);
                    self.reachable = false;
                }
            }
            Instr::Br(d) => {
                let (dest, args) = self.branch_target(*d)?;
                self.jump(dest, &args);
                self.reachable = false;
            }
            Instr::BrIf(d) => {
                let cond = self.pop()?;
                let (dest, args) = self.branch_target(*d)?;
                let next = self.b.create_block();
                let args: Vec<BlockArg> = args.iter().map(|v| BlockArg::from(*v)).collect();
                self.b.ins().brif(cond, dest, &args, next, &[]);
                self.b.seal_block(next);
                self.b.switch_to_block(next);
            }
            Instr::BrTable { targets, default } => {
                let idx = self.pop()?;
                let mut stubs: HashMap<u32, ir::Block> = HashMap::new();
                let mut calls = Vec::new();
                let mut all: Vec<u32> = targets.to_vec();
                all.push(*default);
                for d in &all {
                    let block = match stubs.get(d) {
                        Some(b) => *b,
                        None => {
                            let s = self.b.create_block();
                            stubs.insert(*d, s);
                            s
                        }
                    };
                    calls.push(self.b.func.dfg.block_call(block, &[]));
                }
                let def = calls.pop().ok_or_else(|| err("br_table without default"))?;
                let jt = self.b.create_jump_table(ir::JumpTableData::new(def, &calls));
                self.b.ins().br_table(idx, jt);
                let mut stubs: Vec<(u32, ir::Block)> = stubs.into_iter().collect();
                stubs.sort_unstable_by_key(|s| s.0);
                for (d, s) in stubs {
                    self.b.seal_block(s);
                    self.b.switch_to_block(s);
                    let (dest, args) = self.branch_target(d)?;
                    self.jump(dest, &args);
                }
                self.reachable = false;
            }
            Instr::Return => {
                let vals = self.peekn(self.results.len())?;
                self.b.ins().return_(&vals);
                self.reachable = false;
            }
            Instr::Call(f) => {
                let ti = *self.func_types.get(*f as usize).ok_or_else(|| err("unknown function"))?;
                let ty = self.module.func_type(ti).ok_or_else(|| err("unknown type"))?.clone();
                if *f < self.imported {
                    self.call_import(*f, &ty)?;
                } else {
                    let args = self.popn(ty.params.len())?;
                    let results = self.call_defined(*f - self.imported, ti, &ty, &args, false)?;
                    self.stack.extend(results);
                }
            }
            Instr::CallIndirect { type_index, table } => self.call_indirect(*type_index, *table, false)?,
            Instr::ReturnCall(f) => {
                let ti = *self.func_types.get(*f as usize).ok_or_else(|| err("unknown function"))?;
                let ty = self.module.func_type(ti).ok_or_else(|| err("unknown type"))?.clone();
                if *f < self.imported {
                    self.tail_call_import(*f, &ty)?;
                } else {
                    let args = self.popn(ty.params.len())?;
                    self.call_defined(*f - self.imported, ti, &ty, &args, true)?;
                    self.reachable = false;
                }
            }
            Instr::ReturnCallIndirect { type_index, table } => {
                self.call_indirect(*type_index, *table, true)?;
                self.reachable = false;
            }
            Instr::CallRef(type_index) => self.call_indirect(*type_index, libcalls::CALL_REF, false)?,
            Instr::ReturnCallRef(type_index) => {
                self.call_indirect(*type_index, libcalls::CALL_REF, true)?;
                self.reachable = false;
            }
            Instr::Gc(g) => self.gc(g)?,
            Instr::RefAsNonNull => {
                let r = self.pop()?;
                self.b.ins().trapz(r, TRAP_NULL_REFERENCE);
                self.stack.push(r);
            }
            Instr::RefEq => self.binop(|b, x, y| {
                let c = b.ins().icmp(IntCC::Equal, x, y);
                b.ins().uextend(types::I32, c)
            })?,
            Instr::BrOnNull(d) => {
                // The reference stays for the way on; the label takes what is below it.
                let r = self.pop()?;
                let (dest, args) = self.branch_target(*d)?;
                let next = self.b.create_block();
                let args: Vec<BlockArg> = args.iter().map(|v| BlockArg::from(*v)).collect();
                self.b.ins().brif(r, next, &[], dest, &args);
                self.b.seal_block(next);
                self.b.switch_to_block(next);
                self.stack.push(r);
            }
            Instr::BrOnNonNull(d) => {
                // The reference goes with the branch; the way on drops it.
                let r = *self.stack.last().ok_or_else(|| err("underflow"))?;
                let (dest, args) = self.branch_target(*d)?;
                let next = self.b.create_block();
                let args: Vec<BlockArg> = args.iter().map(|v| BlockArg::from(*v)).collect();
                self.b.ins().brif(r, dest, &args, next, &[]);
                self.b.seal_block(next);
                self.b.switch_to_block(next);
                self.pop()?;
            }
            Instr::RefNull(_) => {
                let v = b.ins().iconst(types::I64, 0);
                self.stack.push(v);
            }
            Instr::RefIsNull => self.unop(|b, x| {
                let c = b.ins().icmp_imm_u(IntCC::Equal, x, 0);
                b.ins().uextend(types::I32, c)
            })?,
            Instr::RefFunc(f) => {
                let v = self.env.func_ref(&mut self.b, self.vmctx, *f);
                self.stack.push(v);
            }
            Instr::Drop => {
                self.pop()?;
            }
            Instr::Select | Instr::SelectTyped(_) => {
                let c = self.pop()?;
                self.binop(|b, x, y| b.ins().select(c, x, y))?;
            }
            Instr::LocalGet(i) => {
                let (v, _) = *self.locals.get(*i as usize).ok_or_else(|| err("unknown local"))?;
                let x = self.b.use_var(v);
                self.stack.push(x);
            }
            Instr::LocalSet(i) => {
                let (v, _) = *self.locals.get(*i as usize).ok_or_else(|| err("unknown local"))?;
                let x = self.pop()?;
                self.b.def_var(v, x);
            }
            Instr::LocalTee(i) => {
                let (v, _) = *self.locals.get(*i as usize).ok_or_else(|| err("unknown local"))?;
                let x = *self.stack.last().ok_or_else(|| err("underflow"))?;
                self.b.def_var(v, x);
            }
            Instr::GlobalGet(g) => {
                let t = self.global_type(*g)?;
                let addr = self.env.global_addr(&mut self.b, self.vmctx, *g);
                // A `v128` global is the 16 bytes at its address (8-byte aligned).
                let flags = if t == ValType::V128 { v128_slot_flags() } else { MemFlagsData::trusted() };
                let v = self.b.ins().load(ir_type(t)?, flags, addr, 0);
                self.stack.push(v);
            }
            Instr::GlobalSet(g) => {
                let t = self.global_type(*g)?;
                let x = self.pop()?;
                let addr = self.env.global_addr(&mut self.b, self.vmctx, *g);
                // Write the whole slot so narrower values leave no stale high bits.
                store_slots(&mut self.b, x, t, addr, 0);
            }
            Instr::TableGet(t) => {
                let i = self.pop()?;
                let t = self.b.ins().iconst(types::I64, *t as i64);
                self.misc(MiscOp::TableGet, &[t, i], Some(types::I64))?;
            }
            Instr::TableSet(t) => {
                let v = self.pop()?;
                let i = self.pop()?;
                let t = self.b.ins().iconst(types::I64, *t as i64);
                self.misc(MiscOp::TableSet, &[t, i, v], None)?;
            }
            Instr::TableSize(t) => {
                let ret = addr_ir_type(self.env.table_addr(*t));
                let t = b.ins().iconst(types::I64, *t as i64);
                self.misc(MiscOp::TableSize, &[t], Some(ret))?;
            }
            Instr::TableGrow(t) => {
                let n = self.pop()?;
                let init = self.pop()?;
                let ret = addr_ir_type(self.env.table_addr(*t));
                let t = self.b.ins().iconst(types::I64, *t as i64);
                self.misc(MiscOp::TableGrow, &[t, init, n], Some(ret))?;
            }
            Instr::TableFill(t) => {
                let n = self.pop()?;
                let v = self.pop()?;
                let d = self.pop()?;
                let t = self.b.ins().iconst(types::I64, *t as i64);
                self.misc(MiscOp::TableFill, &[t, d, v, n], None)?;
            }
            Instr::TableCopy { dst, src } => {
                let [d, s, n]: [Value; 3] = self.popn(3)?.try_into().map_err(|_| err("underflow"))?;
                let dt = self.b.ins().iconst(types::I64, *dst as i64);
                let st = self.b.ins().iconst(types::I64, *src as i64);
                self.misc(MiscOp::TableCopy, &[dt, st, d, s, n], None)?;
            }
            Instr::TableInit { elem, table } => {
                let [d, s, n]: [Value; 3] = self.popn(3)?.try_into().map_err(|_| err("underflow"))?;
                let e = self.b.ins().iconst(types::I64, *elem as i64);
                let t = self.b.ins().iconst(types::I64, *table as i64);
                self.misc(MiscOp::TableInit, &[e, t, d, s, n], None)?;
            }
            Instr::ElemDrop(e) => {
                let e = b.ins().iconst(types::I64, *e as i64);
                self.misc(MiscOp::ElemDrop, &[e], None)?;
            }
            Instr::Load(op, arg) => {
                let index = self.pop()?;
                let flags = self.heap_flags();
                let (addr, off) = self.env.heap_addr(
                    &mut self.b,
                    self.vmctx,
                    arg.memory,
                    index,
                    arg.offset,
                    op.width(),
                    ir::TrapCode::HEAP_OUT_OF_BOUNDS,
                );
                let b = &mut self.b;
                use LoadOp::*;
                let v = match op {
                    I32Load => b.ins().load(types::I32, flags, addr, off),
                    I64Load => b.ins().load(types::I64, flags, addr, off),
                    F32Load => b.ins().load(types::F32, flags, addr, off),
                    F64Load => b.ins().load(types::F64, flags, addr, off),
                    I32Load8S => b.ins().sload8(types::I32, flags, addr, off),
                    I32Load8U => b.ins().uload8(types::I32, flags, addr, off),
                    I32Load16S => b.ins().sload16(types::I32, flags, addr, off),
                    I32Load16U => b.ins().uload16(types::I32, flags, addr, off),
                    I64Load8S => b.ins().sload8(types::I64, flags, addr, off),
                    I64Load8U => b.ins().uload8(types::I64, flags, addr, off),
                    I64Load16S => b.ins().sload16(types::I64, flags, addr, off),
                    I64Load16U => b.ins().uload16(types::I64, flags, addr, off),
                    I64Load32S => b.ins().sload32(flags, addr, off),
                    I64Load32U => b.ins().uload32(flags, addr, off),
                };
                self.stack.push(v);
            }
            Instr::Store(op, arg) => {
                let v = self.pop()?;
                let index = self.pop()?;
                let flags = self.heap_flags();
                let (addr, off) = self.env.heap_addr(
                    &mut self.b,
                    self.vmctx,
                    arg.memory,
                    index,
                    arg.offset,
                    op.width(),
                    ir::TrapCode::HEAP_OUT_OF_BOUNDS,
                );
                let b = &mut self.b;
                use StoreOp::*;
                match op {
                    I32Store | I64Store | F32Store | F64Store => b.ins().store(flags, v, addr, off),
                    I32Store8 | I64Store8 => b.ins().istore8(flags, v, addr, off),
                    I32Store16 | I64Store16 => b.ins().istore16(flags, v, addr, off),
                    I64Store32 => b.ins().istore32(flags, v, addr, off),
                };
            }
            Instr::MemorySize(mem) => {
                let ty = self.env.memory_type(*mem);
                let len = self.env.memory_len(&mut self.b, self.vmctx, *mem);
                let pages = self.b.ins().ushr_imm_u(len, i64::from(ty.page_size_log2));
                let v = if ty.addr.is_64() { pages } else { self.b.ins().ireduce(types::I32, pages) };
                self.stack.push(v);
            }
            Instr::MemoryGrow(mem) => {
                let n = self.pop()?;
                let ret = addr_ir_type(self.env.memory_type(*mem).addr);
                let m = self.b.ins().iconst(types::I64, i64::from(*mem));
                self.misc(MiscOp::MemoryGrow, &[m, n], Some(ret))?;
            }
            Instr::MemoryFill(mem) => {
                let mut args = vec![self.b.ins().iconst(types::I64, i64::from(*mem))];
                args.extend(self.popn(3)?);
                self.misc(MiscOp::MemoryFill, &args, None)?;
            }
            Instr::MemoryCopy { dst, src } => {
                let mut args = vec![
                    self.b.ins().iconst(types::I64, i64::from(*dst)),
                    self.b.ins().iconst(types::I64, i64::from(*src)),
                ];
                args.extend(self.popn(3)?);
                self.misc(MiscOp::MemoryCopy, &args, None)?;
            }
            Instr::MemoryInit { data, memory } => {
                let mut args = vec![
                    self.b.ins().iconst(types::I64, i64::from(*data)),
                    self.b.ins().iconst(types::I64, i64::from(*memory)),
                ];
                args.extend(self.popn(3)?);
                self.misc(MiscOp::MemoryInit, &args, None)?;
            }
            Instr::DataDrop(d) => {
                let d = b.ins().iconst(types::I64, *d as i64);
                self.misc(MiscOp::DataDrop, &[d], None)?;
            }
            Instr::I32Const(v) => {
                let v = b.ins().iconst(types::I32, *v as u32 as i64);
                self.stack.push(v);
            }
            Instr::I64Const(v) => {
                let v = b.ins().iconst(types::I64, *v);
                self.stack.push(v);
            }
            Instr::F32Const(bits) => {
                let v = b.ins().f32const(Ieee32::with_bits(*bits));
                self.stack.push(v);
            }
            Instr::F64Const(bits) => {
                let v = b.ins().f64const(Ieee64::with_bits(*bits));
                self.stack.push(v);
            }
            Instr::Num(op) => self.num(*op)?,
            Instr::Wide(op) => self.wide(*op)?,
            Instr::V128Const(bytes) => {
                self.require_simd()?;
                let v = simd::v128_const(&mut self.b, *bytes);
                self.stack.push(v);
            }
            Instr::I8x16Shuffle(lanes) => self.shuffle(lanes)?,
            Instr::Simd(op) => self.simd(*op)?,
            Instr::SimdLane(op, lane) => self.simd_lane(*op, *lane)?,
            Instr::SimdMem(op, arg) => self.simd_mem(*op, arg)?,
            Instr::SimdMemLane(op, arg, lane) => self.simd_mem_lane(*op, arg, *lane)?,
        }
        Ok(())
    }

    fn global_type(&self, g: u32) -> Result<ValType, JitError> {
        let imported: Vec<ValType> = self
            .module
            .imports
            .iter()
            .filter_map(|i| match i.desc {
                syntax::ImportDesc::Global(g) => Some(g.content),
                _ => None,
            })
            .collect();
        let g = g as usize;
        match imported.get(g) {
            Some(t) => Ok(*t),
            None => {
                self.module.globals.get(g - imported.len()).map(|x| x.ty.content).ok_or_else(|| err("unknown global"))
            }
        }
    }

    /// A wide-arithmetic operator (`syntax::wide`): the 128-bit sum or difference of two
    /// `i64` pairs as an `i128` (which Cranelift lowers to a carry chain), and the full
    /// product as the low product and the signed or unsigned high half.
    fn wide(&mut self, op: WideOp) -> Result<(), JitError> {
        let x = self.popn(op.params().len())?;
        let (lo, hi) = match op {
            WideOp::I64Add128 | WideOp::I64Sub128 => {
                let a = self.b.ins().iconcat(x[0], x[1]);
                let b = self.b.ins().iconcat(x[2], x[3]);
                let r = if op == WideOp::I64Add128 { self.b.ins().iadd(a, b) } else { self.b.ins().isub(a, b) };
                self.b.ins().isplit(r)
            }
            WideOp::I64MulWideS | WideOp::I64MulWideU => {
                let lo = self.b.ins().imul(x[0], x[1]);
                let hi = if op == WideOp::I64MulWideS {
                    self.b.ins().smulhi(x[0], x[1])
                } else {
                    self.b.ins().umulhi(x[0], x[1])
                };
                (lo, hi)
            }
        };
        self.stack.push(lo);
        self.stack.push(hi);
        Ok(())
    }

    fn num(&mut self, op: NumOp) -> Result<(), JitError> {
        use NumOp::*;
        use types::{F32 as TF32, F64 as TF64, I8 as TI8, I16 as TI16, I32 as TI32, I64 as TI64};
        match op {
            I32Eqz | I64Eqz => self.unop(|b, x| {
                let c = b.ins().icmp_imm_u(IntCC::Equal, x, 0);
                b.ins().uextend(TI32, c)
            })?,
            I32Eq | I64Eq => self.icmp(IntCC::Equal)?,
            I32Ne | I64Ne => self.icmp(IntCC::NotEqual)?,
            I32LtS | I64LtS => self.icmp(IntCC::SignedLessThan)?,
            I32LtU | I64LtU => self.icmp(IntCC::UnsignedLessThan)?,
            I32GtS | I64GtS => self.icmp(IntCC::SignedGreaterThan)?,
            I32GtU | I64GtU => self.icmp(IntCC::UnsignedGreaterThan)?,
            I32LeS | I64LeS => self.icmp(IntCC::SignedLessThanOrEqual)?,
            I32LeU | I64LeU => self.icmp(IntCC::UnsignedLessThanOrEqual)?,
            I32GeS | I64GeS => self.icmp(IntCC::SignedGreaterThanOrEqual)?,
            I32GeU | I64GeU => self.icmp(IntCC::UnsignedGreaterThanOrEqual)?,
            F32Eq | F64Eq => self.fcmp(FloatCC::Equal)?,
            F32Ne | F64Ne => self.fcmp(FloatCC::NotEqual)?,
            F32Lt | F64Lt => self.fcmp(FloatCC::LessThan)?,
            F32Gt | F64Gt => self.fcmp(FloatCC::GreaterThan)?,
            F32Le | F64Le => self.fcmp(FloatCC::LessThanOrEqual)?,
            F32Ge | F64Ge => self.fcmp(FloatCC::GreaterThanOrEqual)?,
            I32Clz | I64Clz => self.unop(|b, x| b.ins().clz(x))?,
            I32Ctz | I64Ctz => self.unop(|b, x| b.ins().ctz(x))?,
            I32Popcnt | I64Popcnt => self.unop(|b, x| b.ins().popcnt(x))?,
            I32Add | I64Add => self.binop(|b, x, y| b.ins().iadd(x, y))?,
            I32Sub | I64Sub => self.binop(|b, x, y| b.ins().isub(x, y))?,
            I32Mul | I64Mul => self.binop(|b, x, y| b.ins().imul(x, y))?,
            I32DivS | I64DivS => self.binop(|b, x, y| b.ins().sdiv(x, y))?,
            I32DivU | I64DivU => self.binop(|b, x, y| b.ins().udiv(x, y))?,
            I32RemS | I64RemS => self.binop(|b, x, y| b.ins().srem(x, y))?,
            I32RemU | I64RemU => self.binop(|b, x, y| b.ins().urem(x, y))?,
            I32And | I64And => self.binop(|b, x, y| b.ins().band(x, y))?,
            I32Or | I64Or => self.binop(|b, x, y| b.ins().bor(x, y))?,
            I32Xor | I64Xor => self.binop(|b, x, y| b.ins().bxor(x, y))?,
            I32Shl | I64Shl => self.binop(|b, x, y| b.ins().ishl(x, y))?,
            I32ShrS | I64ShrS => self.binop(|b, x, y| b.ins().sshr(x, y))?,
            I32ShrU | I64ShrU => self.binop(|b, x, y| b.ins().ushr(x, y))?,
            I32Rotl | I64Rotl => self.binop(|b, x, y| b.ins().rotl(x, y))?,
            I32Rotr | I64Rotr => self.binop(|b, x, y| b.ins().rotr(x, y))?,
            F32Abs | F64Abs => self.unop(|b, x| b.ins().fabs(x))?,
            F32Neg | F64Neg => self.unop(|b, x| b.ins().fneg(x))?,
            F32Ceil | F64Ceil => self.unop(|b, x| b.ins().ceil(x))?,
            F32Floor | F64Floor => self.unop(|b, x| b.ins().floor(x))?,
            F32Trunc | F64Trunc => self.unop(|b, x| b.ins().trunc(x))?,
            F32Nearest | F64Nearest => self.unop(|b, x| b.ins().nearest(x))?,
            F32Sqrt | F64Sqrt => self.unop(|b, x| b.ins().sqrt(x))?,
            F32Add | F64Add => self.binop(|b, x, y| b.ins().fadd(x, y))?,
            F32Sub | F64Sub => self.binop(|b, x, y| b.ins().fsub(x, y))?,
            F32Mul | F64Mul => self.binop(|b, x, y| b.ins().fmul(x, y))?,
            F32Div | F64Div => self.binop(|b, x, y| b.ins().fdiv(x, y))?,
            F32Min | F64Min => self.binop(|b, x, y| b.ins().fmin(x, y))?,
            F32Max | F64Max => self.binop(|b, x, y| b.ins().fmax(x, y))?,
            F32Copysign | F64Copysign => self.binop(|b, x, y| b.ins().fcopysign(x, y))?,
            I32WrapI64 => self.unop(|b, x| b.ins().ireduce(TI32, x))?,
            I32TruncF32S | I32TruncF64S => self.unop(|b, x| b.ins().fcvt_to_sint(TI32, x))?,
            I32TruncF32U | I32TruncF64U => self.unop(|b, x| b.ins().fcvt_to_uint(TI32, x))?,
            I64TruncF32S | I64TruncF64S => self.unop(|b, x| b.ins().fcvt_to_sint(TI64, x))?,
            I64TruncF32U | I64TruncF64U => self.unop(|b, x| b.ins().fcvt_to_uint(TI64, x))?,
            I32TruncSatF32S | I32TruncSatF64S => self.unop(|b, x| b.ins().fcvt_to_sint_sat(TI32, x))?,
            I32TruncSatF32U | I32TruncSatF64U => self.unop(|b, x| b.ins().fcvt_to_uint_sat(TI32, x))?,
            I64TruncSatF32S | I64TruncSatF64S => self.unop(|b, x| b.ins().fcvt_to_sint_sat(TI64, x))?,
            I64TruncSatF32U | I64TruncSatF64U => self.unop(|b, x| b.ins().fcvt_to_uint_sat(TI64, x))?,
            I64ExtendI32S => self.unop(|b, x| b.ins().sextend(TI64, x))?,
            I64ExtendI32U => self.unop(|b, x| b.ins().uextend(TI64, x))?,
            F32ConvertI32S | F32ConvertI64S => self.unop(|b, x| b.ins().fcvt_from_sint(TF32, x))?,
            F32ConvertI32U | F32ConvertI64U => self.unop(|b, x| b.ins().fcvt_from_uint(TF32, x))?,
            F64ConvertI32S | F64ConvertI64S => self.unop(|b, x| b.ins().fcvt_from_sint(TF64, x))?,
            F64ConvertI32U | F64ConvertI64U => self.unop(|b, x| b.ins().fcvt_from_uint(TF64, x))?,
            F32DemoteF64 => self.unop(|b, x| b.ins().fdemote(TF32, x))?,
            F64PromoteF32 => self.unop(|b, x| b.ins().fpromote(TF64, x))?,
            I32ReinterpretF32 => self.unop(|b, x| b.ins().bitcast(TI32, MemFlagsData::new(), x))?,
            I64ReinterpretF64 => self.unop(|b, x| b.ins().bitcast(TI64, MemFlagsData::new(), x))?,
            F32ReinterpretI32 => self.unop(|b, x| b.ins().bitcast(TF32, MemFlagsData::new(), x))?,
            F64ReinterpretI64 => self.unop(|b, x| b.ins().bitcast(TF64, MemFlagsData::new(), x))?,
            I32Extend8S => self.unop(|b, x| {
                let n = b.ins().ireduce(TI8, x);
                b.ins().sextend(TI32, n)
            })?,
            I32Extend16S => self.unop(|b, x| {
                let n = b.ins().ireduce(TI16, x);
                b.ins().sextend(TI32, n)
            })?,
            I64Extend8S => self.unop(|b, x| {
                let n = b.ins().ireduce(TI8, x);
                b.ins().sextend(TI64, n)
            })?,
            I64Extend16S => self.unop(|b, x| {
                let n = b.ins().ireduce(TI16, x);
                b.ins().sextend(TI64, n)
            })?,
            I64Extend32S => self.unop(|b, x| {
                let n = b.ins().ireduce(TI32, x);
                b.ins().sextend(TI64, n)
            })?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiling_on_several_threads_gives_the_same_code() {
        let funcs: String = (0..40)
            .map(|k| {
                format!(
                    "(func (export \"f{k}\") (param i32) (result i32)
                       (if (result i32) (i32.lt_s (local.get 0) (i32.const {k}))
                         (then (i32.add (local.get 0) (i32.const {k})))
                         (else (call {} (i32.sub (local.get 0) (i32.const 1))))))",
                    (k + 1) % 40
                )
            })
            .collect();
        let wat = format!("(module (memory 1) {funcs})");
        let bytes = wat::parse_str(&wat).expect("valid text");
        let module = crate::binary::decode(&bytes, &crate::Features::default()).expect("decodes");
        let isa = isa().expect("host ISA");
        let numbers: Vec<usize> = (0..80).collect();
        let one = compile_pieces(&module, &*isa, false, false, false, &numbers, 1, &|| false).expect("compiles");
        for threads in [2, 3, 7] {
            let many =
                compile_pieces(&module, &*isa, false, false, false, &numbers, threads, &|| false).expect("compiles");
            assert!(one == many, "{threads} threads");
        }
        assert_eq!(one.len(), 80);
    }
}
