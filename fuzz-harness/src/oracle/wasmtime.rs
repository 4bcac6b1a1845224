//! The wasmtime oracle: the protocol of [`crate::exec::run`] on wasmtime 48 (Cranelift with
//! its defaults), one engine shared by every case.

use std::collections::HashSet;
use std::sync::OnceLock;

use wasmtime::{
    Config, Engine, Extern, Linker, Module, Ref, Store, StoreLimits, StoreLimitsBuilder, Trap, Val, ValType,
};

use super::FUEL_FACTOR;
use crate::exec::{Ending, FUEL, MAX_PAGES, MAX_TABLE, Outcome, Value, call_exports, stub_results};
use crate::rng::fnv1a;
use wasmscope_engine::syntax::ValType as OurType;

/// The shared engine (building one per case would dominate the time): fuel on, SIMD (on by
/// default) and relaxed SIMD on, as ours, so that it accepts the same modules; everything
/// else wasmtime's defaults. Relaxed SIMD is never generated when an oracle takes part (its
/// results are each engine's own choice), so only a replayed module can contain it.
fn engine() -> Result<&'static Engine, String> {
    static ENGINE: OnceLock<Result<Engine, String>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let mut config = Config::new();
            config.consume_fuel(true);
            config.wasm_simd(true).wasm_relaxed_simd(true);
            config.wasm_tail_call(true).wasm_multi_memory(true).wasm_memory64(true);
            config.wasm_custom_page_sizes(true).wasm_wide_arithmetic(true);
            Engine::new(&config).map_err(|e| format!("cannot create the wasmtime engine: {e:#}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

fn our_type(t: &ValType) -> OurType {
    match t {
        ValType::I32 => OurType::I32,
        ValType::I64 => OurType::I64,
        ValType::F32 => OurType::F32,
        ValType::F64 => OurType::F64,
        ValType::V128 => OurType::V128,
        t if t.is_funcref() => OurType::FUNCREF,
        t if t.matches(&ValType::EXNREF) => OurType::EXNREF,
        _ => OurType::EXTERNREF,
    }
}

fn from_val(v: &Val) -> Value {
    match v {
        Val::I32(x) => Value::I32(*x as u32),
        Val::I64(x) => Value::I64(*x as u64),
        Val::F32(x) => Value::F32(*x),
        Val::F64(x) => Value::F64(*x),
        Val::FuncRef(f) => Value::FuncRef(f.map(|_| u32::MAX)),
        Val::ExternRef(e) => Value::ExternRef(e.map(|_| u32::MAX)),
        Val::V128(x) => Value::V128(x.as_u128()),
        Val::ExnRef(e) => Value::ExnRef(e.map(|_| u32::MAX)),
        // No generated module has these (GC, exceptions are off); keep the comparison total.
        _ => Value::I64(0),
    }
}

fn to_val(v: Value) -> Val {
    match v {
        Value::I32(x) => Val::I32(x as i32),
        Value::I64(x) => Val::I64(x as i64),
        Value::F32(x) => Val::F32(x),
        Value::F64(x) => Val::F64(x),
        Value::FuncRef(_) => Val::FuncRef(None),
        Value::ExternRef(_) => Val::ExternRef(None),
        Value::ExnRef(_) => Val::ExnRef(None),
        Value::V128(x) => Val::V128(x.into()),
    }
}

fn from_ref(r: Option<Ref>) -> Value {
    match r {
        Some(Ref::Func(f)) => Value::FuncRef(f.map(|_| u32::MAX)),
        Some(Ref::Extern(e)) => Value::ExternRef(e.map(|_| u32::MAX)),
        _ => Value::I32(u32::MAX),
    }
}

/// wasmtime's trap codes as ours (one code for table out of bounds and undefined element,
/// as wasmi: [`crate::compare`] folds ours the same way).
fn ending(e: &wasmtime::Error) -> Ending {
    let Some(trap) = e.downcast_ref::<Trap>() else {
        return Ending::Error(format!("{e:#}"));
    };
    Ending::Trap(
        match trap {
            Trap::StackOverflow => "CallStackExhausted",
            Trap::MemoryOutOfBounds => "MemoryOutOfBounds",
            Trap::TableOutOfBounds => "TableOutOfBounds",
            Trap::IndirectCallToNull => "UninitializedElement",
            Trap::BadSignature => "IndirectCallTypeMismatch",
            Trap::IntegerOverflow => "IntegerOverflow",
            Trap::IntegerDivisionByZero => "IntegerDivideByZero",
            Trap::BadConversionToInteger => "InvalidConversionToInteger",
            Trap::UnreachableCodeReached => "Unreachable",
            Trap::OutOfFuel => "OutOfFuel",
            other => return Ending::Trap(format!("wasmtime:{other:?}")),
        }
        .into(),
    )
}

/// Runs `bytes` on wasmtime. `Err` if wasmtime rejects the module.
pub fn run(bytes: &[u8]) -> wasmtime::Result<Outcome> {
    let engine = engine().map_err(wasmtime::Error::msg)?;
    let module = Module::new(engine, bytes)?;
    let limits =
        StoreLimitsBuilder::new().memory_size((MAX_PAGES * 65536) as usize).table_elements(MAX_TABLE as usize).build();
    let mut store: Store<StoreLimits> = Store::new(engine, limits);
    store.limiter(|l| l);
    let mut linker: Linker<StoreLimits> = Linker::new(engine);
    let mut defined = HashSet::new();
    for import in module.imports() {
        let wasmtime::ExternType::Func(ty) = import.ty() else { continue };
        let (module_name, name) = (import.module().to_string(), import.name().to_string());
        if !defined.insert((module_name.clone(), name.clone())) {
            continue;
        }
        let results: Vec<OurType> = ty.results().map(|t| our_type(&t)).collect();
        let stub = name.clone();
        linker.func_new(&module_name, &name, ty, move |_, args: &[Val], out: &mut [Val]| {
            let args: Vec<Value> = args.iter().map(from_val).collect();
            for (o, r) in out.iter_mut().zip(stub_results(&stub, &args, &results)) {
                *o = to_val(r);
            }
            Ok(())
        })?;
    }
    let mut out = Outcome::default();
    store.set_fuel(FUEL * FUEL_FACTOR)?;
    let instance = match linker.instantiate(&mut store, &module) {
        Ok(i) => i,
        Err(e) => {
            out.instantiate = Some(ending(&e));
            return Ok(out);
        }
    };
    out.instantiate = Some(Ending::Returned(Vec::new()));
    let mut exports: Vec<(String, Extern)> =
        instance.exports(&mut store).map(|e| (e.name().to_string(), e.into_extern())).collect();
    exports.sort_by(|a, b| a.0.cmp(&b.0));
    let funcs: Vec<(String, wasmtime::Func)> =
        exports.iter().filter_map(|(n, e)| e.clone().into_func().map(|f| (n.clone(), f))).collect();
    let sigs: Vec<(String, Vec<OurType>)> =
        funcs.iter().map(|(n, f)| (n.clone(), f.ty(&store).params().map(|t| our_type(&t)).collect())).collect();
    let mut fuel_error = None;
    let complete = call_exports(bytes, &sigs, &mut out, |i, args| {
        if let Err(e) = store.set_fuel(FUEL * FUEL_FACTOR) {
            fuel_error = Some(e);
        }
        let f = funcs[i].1;
        let vals: Vec<Val> = args.iter().map(|a| to_val(*a)).collect();
        let mut results: Vec<Val> = f.ty(&store).results().map(|_| Val::I32(0)).collect();
        let ending = match f.call(&mut store, &vals, &mut results) {
            Ok(()) => Ending::Returned(results.iter().map(from_val).collect()),
            Err(e) => ending(&e),
        };
        (ending, None)
    });
    if let Some(e) = fuel_error {
        return Err(e);
    }
    if !complete {
        return Ok(out);
    }
    for (name, ext) in &exports {
        match ext {
            Extern::Memory(m) => {
                let data = m.data(&store);
                out.memories.push((name.clone(), data.len(), fnv1a(data)));
            }
            Extern::Global(g) => out.globals.push((name.clone(), from_val(&g.get(&mut store)))),
            Extern::Table(t) => {
                let elems = (0..t.size(&store)).map(|i| from_ref(t.get(&mut store, i))).collect();
                out.tables.push((name.clone(), elems));
            }
            _ => {}
        }
    }
    Ok(out)
}
