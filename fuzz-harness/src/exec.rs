//! Running a module on one of wasmscope's tiers: instantiate with stub imports, call every
//! exported function with generated arguments under a fuel budget, and record what
//! happened ([`Outcome`]) — results, traps, fuel left, and the final exported state.

use wasmscope_engine::syntax::{FuncType, ValType};
use wasmscope_engine::{
    BoundsChecks, Caller, Config, Engine, Error, Extern, Features, Func, JitCompile, Limits, Linker, Module, Store,
    Tier, Trap, Val,
};

use crate::rng::{Rng, fnv1a};

/// Fuel for instantiation and for each call (the same on every engine of a comparison).
pub const FUEL: u64 = 20_000;
/// Memory limit in pages (4 MiB) and table limit in elements, on every engine.
pub const MAX_PAGES: u64 = 64;
pub const MAX_TABLE: u64 = 10_000;
/// How many times each export is called (with different arguments).
pub const ROUNDS: u64 = 2;

/// A value, engine-neutral. References: function identity as the exporting store's
/// address where the engine has one, else just non-null (`u32::MAX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    I32(u32),
    I64(u64),
    F32(u32),
    F64(u64),
    FuncRef(Option<u32>),
    ExternRef(Option<u32>),
    /// An exception reference: non-null as `u32::MAX` (exceptions are store objects
    /// without identity across engines).
    ExnRef(Option<u32>),
    /// The 128 bits of a `v128`, lane 0 in the low bits (as our `Val::V128`).
    V128(u128),
}

/// How a call (or instantiation) ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    Returned(Vec<Value>),
    /// Our trap code's name (wasmi's are mapped to ours).
    Trap(String),
    /// Not a trap: a link error, a rejected module, an API misuse.
    Error(String),
}

impl Ending {
    pub fn is_trap(&self, name: &str) -> bool {
        matches!(self, Ending::Trap(t) if t == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub export: String,
    pub args: Vec<Value>,
    pub ending: Ending,
    /// Fuel left afterwards (engines with comparable fuel only).
    pub fuel_left: Option<u64>,
}

/// Everything observable about one run of a module.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub instantiate: Option<Ending>,
    pub calls: Vec<Call>,
    /// (export, length in bytes, FNV-1a hash) of each exported memory.
    pub memories: Vec<(String, usize, u64)>,
    pub globals: Vec<(String, Value)>,
    pub tables: Vec<(String, Vec<Value>)>,
}

/// Which engine runs a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setup {
    pub tier: Tier,
    pub bounds: BoundsChecks,
}

impl Setup {
    pub fn name(self) -> String {
        match (self.tier, self.bounds) {
            (Tier::Jit, BoundsChecks::Explicit) => "jit(explicit bounds)".into(),
            (t, _) => t.name().into(),
        }
    }
}

/// The arguments of call `n` of a module: special values half the time, random otherwise.
pub fn arguments(module: &[u8], n: u64, params: &[ValType]) -> Vec<Value> {
    let mut rng = Rng::for_case(fnv1a(module), n);
    params.iter().map(|t| argument(&mut rng, *t)).collect()
}

fn argument(rng: &mut Rng, t: ValType) -> Value {
    let special = rng.below(2) == 0;
    let r = rng.next_u64();
    match t {
        ValType::V128 => {
            Value::V128(if special { special_v128(rng, r) } else { u128::from(r) << 64 | u128::from(rng.next_u64()) })
        }
        ValType::FUNCREF => Value::FuncRef(None),
        ValType::EXTERNREF => Value::ExternRef(None),
        ValType::EXNREF => Value::ExnRef(None),
        // Generated modules have no other reference types (wasm-smith's function
        // references and GC are off): a null function reference stands in.
        ValType::Ref(_) => Value::FuncRef(None),
        t if special => scalar_special(t, r),
        ValType::I32 => Value::I32(r as u32),
        ValType::I64 => Value::I64(r),
        ValType::F32 => Value::F32(r as u32),
        ValType::F64 => Value::F64(r),
    }
}

/// Special value number `r` (modulo their count) of a scalar type.
fn scalar_special(t: ValType, r: u64) -> Value {
    match t {
        ValType::I32 => {
            const S: [u32; 8] = [0, 1, 2, u32::MAX, 0x8000_0000, 0x7fff_ffff, 65535, 65536];
            Value::I32(S[(r % 8) as usize])
        }
        ValType::I64 => {
            const S: [u64; 6] = [0, 1, u64::MAX, 1 << 63, (1 << 63) - 1, 1 << 32];
            Value::I64(S[(r % 6) as usize])
        }
        ValType::F32 => {
            const S: [u32; 8] =
                [0, 0x8000_0000, 0x3f80_0000, 0x7f80_0000, 0xff80_0000, 0x7fc0_0000, 0x4f00_0000, 0xcf00_0000];
            Value::F32(S[(r % 8) as usize])
        }
        ValType::F64 => {
            const S: [u64; 6] = [
                0,
                1 << 63,
                0x3ff0_0000_0000_0000,
                0x7ff0_0000_0000_0000,
                0x7ff8_0000_0000_0000,
                0x41e0_0000_0000_0000,
            ];
            Value::F64(S[(r % 6) as usize])
        }
        _ => Value::I32(0),
    }
}

/// The bits of a scalar [`Value`] (zero for references).
fn bits(v: Value) -> u128 {
    match v {
        Value::I32(x) | Value::F32(x) => u128::from(x),
        Value::I64(x) | Value::F64(x) => u128::from(x),
        Value::V128(x) => x,
        Value::FuncRef(_) | Value::ExternRef(_) | Value::ExnRef(_) => 0,
    }
}

/// A `v128` with a special lane pattern, chosen by `r`: one special value splatted over
/// every lane of a shape (i8x16, i16x8, and the scalar specials as i32x4, i64x2, f32x4,
/// f64x2), a different special per lane (f32x4, f64x2, i32x4: signed/unsigned limits and
/// NaNs, infinities, zeros of both signs side by side), or all bits zero or one.
fn special_v128(rng: &mut Rng, r: u64) -> u128 {
    const I8: [u8; 6] = [0, 1, 0x7f, 0x80, 0xff, 0x55];
    const I16: [u16; 6] = [0, 1, 0x7fff, 0x8000, 0xffff, 0x00ff];
    let splat = |lane: u128, width: u32| (0..128 / width).fold(0u128, |acc, i| acc | lane << (i * width));
    let lanes = |rng: &mut Rng, t: ValType, width: u32| {
        (0..128 / width).fold(0u128, |acc, i| acc | bits(scalar_special(t, rng.next_u64())) << (i * width))
    };
    let k = rng.next_u64();
    match r % 10 {
        0 => splat(u128::from(I8[(k % 6) as usize]), 8),
        1 => splat(u128::from(I16[(k % 6) as usize]), 16),
        2 => splat(bits(scalar_special(ValType::I32, k)), 32),
        3 => splat(bits(scalar_special(ValType::I64, k)), 64),
        4 => splat(bits(scalar_special(ValType::F32, k)), 32),
        5 => splat(bits(scalar_special(ValType::F64, k)), 64),
        6 => lanes(rng, ValType::F32, 32),
        7 => lanes(rng, ValType::F64, 64),
        8 => lanes(rng, ValType::I32, 32),
        _ => {
            if k.is_multiple_of(2) {
                0
            } else {
                u128::MAX
            }
        }
    }
}

/// The stub host function `name`'s results for `args`: a hash of the arguments (of
/// references only their null-ness), spread over the result types.
pub fn stub_results(name: &str, args: &[Value], results: &[ValType]) -> Vec<Value> {
    let mut bytes = name.as_bytes().to_vec();
    for a in args {
        match *a {
            Value::I32(v) | Value::F32(v) => bytes.extend_from_slice(&u64::from(v).to_le_bytes()),
            Value::I64(v) | Value::F64(v) => bytes.extend_from_slice(&v.to_le_bytes()),
            Value::V128(v) => bytes.extend_from_slice(&v.to_le_bytes()),
            Value::FuncRef(r) | Value::ExternRef(r) | Value::ExnRef(r) => {
                bytes.extend_from_slice(&u64::from(r.is_some()).to_le_bytes())
            }
        }
    }
    let mut rng = Rng::new(fnv1a(&bytes));
    results.iter().map(|t| argument(&mut rng, *t)).collect()
}

/// The call protocol every engine of a comparison follows: each exported function (`funcs`:
/// name and parameter types, in name order) is called [`ROUNDS`] times with arguments
/// derived from the module, `call(i, args)` calling function `i` with fresh fuel and
/// returning how it ended and the fuel left (where comparable). Stops after 200 calls.
/// Returns `false` if a call exhausted the stack: stack limits are each engine's own, so
/// nothing after it (not even the final state) is comparable.
pub fn call_exports(
    bytes: &[u8],
    funcs: &[(String, Vec<ValType>)],
    out: &mut Outcome,
    mut call: impl FnMut(usize, &[Value]) -> (Ending, Option<u64>),
) -> bool {
    let mut n = 0u64;
    for _ in 0..ROUNDS {
        for (i, (name, params)) in funcs.iter().enumerate() {
            let args = arguments(bytes, n, params);
            n += 1;
            let (ending, fuel_left) = call(i, &args);
            let stop = ending.is_trap("CallStackExhausted");
            out.calls.push(Call { export: name.clone(), args, ending, fuel_left });
            if stop {
                return false;
            }
            if out.calls.len() > 200 {
                return true;
            }
        }
    }
    true
}

fn to_val(v: Value) -> Val {
    match v {
        Value::I32(x) => Val::I32(x as i32),
        Value::I64(x) => Val::I64(x as i64),
        Value::F32(x) => Val::F32(x),
        Value::F64(x) => Val::F64(x),
        // Only null references are ever passed in.
        Value::FuncRef(_) => Val::FuncRef(None),
        Value::ExternRef(_) => Val::ExternRef(None),
        Value::ExnRef(_) => Val::ExnRef(None),
        Value::V128(x) => Val::V128(x),
    }
}

fn func_addr(f: Func) -> u32 {
    // `Func` is an opaque address; its Debug form is `Func(N)`.
    format!("{f:?}").trim_start_matches("Func(").trim_end_matches(')').parse().unwrap_or(u32::MAX)
}

pub fn from_val(v: Val) -> Value {
    match v {
        Val::I32(x) => Value::I32(x as u32),
        Val::I64(x) => Value::I64(x as u64),
        Val::F32(x) => Value::F32(x),
        Val::F64(x) => Value::F64(x),
        Val::FuncRef(f) => Value::FuncRef(f.map(func_addr)),
        Val::ExternRef(e) => Value::ExternRef(e.map(|e| e.host_id().unwrap_or(u32::MAX))),
        // Generated modules have no GC types: an anyref result compares by null-ness.
        Val::AnyRef(a) => Value::ExternRef(a.map(|_| u32::MAX)),
        Val::ExnRef(e) => Value::ExnRef(e.map(|_| u32::MAX)),
        Val::V128(x) => Value::V128(x),
    }
}

fn ending(e: Error) -> Ending {
    match e {
        // An uncaught exception's tag and payload are compared too.
        Error::Trap(t) if t.code == wasmscope_engine::TrapCode::UncaughtException => {
            Ending::Trap(format!("{:?}: {}", t.code, t.message.as_deref().unwrap_or("")))
        }
        Error::Trap(t) => Ending::Trap(format!("{:?}", t.code)),
        e => Ending::Error(e.to_string()),
    }
}

/// The engine configuration of `setup` used by the fuzzer.
pub fn config(setup: Setup) -> Config {
    Config {
        tier: setup.tier,
        bounds_checks: setup.bounds,
        consume_fuel: true,
        // The interpreter's value stack must outlast the fuel: a call costs at least one
        // unit, so at most FUEL frames are live, each of at most a function's slots (a
        // `v128` local takes two). With the default 2^20 slots, a self-recursive function
        // of 105 slots exhausted the interpreter's stack at depth ~9,900 while the JIT ran
        // out of fuel (found by the fuzzer, seed 1 case 17125): a resource limit, not a
        // difference of semantics. 2^25 slots (256 MiB at most, allocated only as deep
        // recursion uses them) cover FUEL frames of up to 1,677 slots, more than
        // wasm-smith's largest (100 declared locals, all v128, plus parameters, constants
        // and operands); the depth limit (20,000) is not below FUEL.
        limits: Limits {
            max_memory_pages: MAX_PAGES,
            max_table_elements: MAX_TABLE,
            max_value_stack: 1 << 25,
            ..Limits::default()
        },
        // Both shapes of JIT code: one batch with direct calls (eager), and functions
        // compiled one by one on first call, calling each other through the table (lazy;
        // a function the JIT cannot compile then traps, which shows as a divergence).
        jit_compile: if setup.bounds == BoundsChecks::Explicit { JitCompile::Lazy } else { JitCompile::Eager },
        features: Features::wasm3(),
    }
}

/// Runs `bytes` on our engine as `setup` says. `Err` if the module is rejected.
pub fn run(setup: Setup, bytes: &[u8]) -> Result<Outcome, Error> {
    let engine = Engine::new(config(setup));
    let module = Module::new(&engine, bytes)?;
    if let Some(e) = module.jit_error() {
        // The JIT must compile everything the fuzzer makes: a fallback to the interpreter
        // would hide the JIT from the comparison.
        let ending = Some(Ending::Error(format!("the JIT fell back to the interpreter: {e}")));
        return Ok(Outcome { instantiate: ending, ..Outcome::default() });
    }
    let mut store = Store::new(&engine);
    let mut linker = Linker::new();
    for import in module.imports() {
        let is_func = matches!(import.desc, wasmscope_engine::syntax::ImportDesc::Func(_));
        if !is_func || linker.get(&import.module, &import.name).is_some() {
            continue;
        }
        let ty = stub_type(&import.name);
        let name = import.name.clone();
        let results = ty.results.to_vec();
        let f = Func::new_host(&mut store, ty, move |_: &mut Caller<'_>, args: &[Val]| {
            let args: Vec<Value> = args.iter().map(|a| from_val(*a)).collect();
            Ok::<_, Trap>(stub_results(&name, &args, &results).into_iter().map(to_val).collect())
        });
        linker.define(&import.module, &import.name, Extern::Func(f));
    }
    let mut out = Outcome::default();
    store.set_fuel(FUEL);
    let instance = match linker.instantiate(&mut store, &module) {
        Ok(i) => i,
        Err(e) => {
            out.instantiate = Some(ending(e));
            return Ok(out);
        }
    };
    out.instantiate = Some(Ending::Returned(Vec::new()));
    // By name: the order every engine can produce.
    let mut exports = instance.exports(&store);
    exports.sort_by(|a, b| a.0.cmp(&b.0));
    let funcs: Vec<(String, Func)> = exports
        .iter()
        .filter_map(|(n, e)| if let Extern::Func(f) = e { Some((n.clone(), *f)) } else { None })
        .collect();
    let sigs: Vec<(String, Vec<ValType>)> =
        funcs.iter().map(|(n, f)| (n.clone(), f.ty(&store).params.to_vec())).collect();
    let complete = call_exports(bytes, &sigs, &mut out, |i, args| {
        store.set_fuel(FUEL);
        let vals: Vec<Val> = args.iter().map(|a| to_val(*a)).collect();
        let ending = match funcs[i].1.call(&mut store, &vals) {
            Ok(r) => Ending::Returned(r.into_iter().map(from_val).collect()),
            Err(e) => ending(e),
        };
        (ending, Some(store.fuel()))
    });
    if !complete {
        return Ok(out);
    }
    for (name, ext) in &exports {
        match ext {
            Extern::Memory(m) => {
                let data = m.data(&store);
                out.memories.push((name.clone(), data.len(), fnv1a(data)));
            }
            Extern::Global(g) => out.globals.push((name.clone(), from_val(g.get(&store)))),
            Extern::Table(t) => {
                let elems = (0..t.size(&store)).map(|i| t.get(&store, i).map_or(Value::I32(u32::MAX), from_val));
                out.tables.push((name.clone(), elems.collect()));
            }
            // Tags have no state to compare (their identity shows in what catches what).
            Extern::Func(_) | Extern::Tag(_) => {}
        }
    }
    Ok(out)
}

/// The type of stub `name` of [`crate::generate::IMPORTS_WAT`].
pub fn stub_type(name: &str) -> FuncType {
    use ValType::*;
    match name {
        "f1" => FuncType::new([I32], [I32]),
        "f2" => FuncType::new([I64, F64], [F32]),
        "f3" => FuncType::new([F32, I32], [I64, I32]),
        "f4" => FuncType::new([ValType::FUNCREF, ValType::EXTERNREF], [F64]),
        _ => FuncType::default(),
    }
}
