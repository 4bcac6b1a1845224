//! The wasmi oracle: the same protocol as [`crate::exec::run`] (stub imports, every export
//! called with the same arguments, fuel, final exported state) on wasmi 2.

use wasmi::{
    Caller, Config, Engine, Extern, Linker, Module, Nullable, Ref, Store, StoreLimits, StoreLimitsBuilder, Val,
};

use super::FUEL_FACTOR;
use crate::exec::{Ending, FUEL, MAX_PAGES, MAX_TABLE, Outcome, Value, call_exports, stub_results};
use crate::rng::fnv1a;
use wasmscope_engine::syntax::ValType;

fn our_type(t: wasmi::ValType) -> ValType {
    match t {
        wasmi::ValType::I32 => ValType::I32,
        wasmi::ValType::I64 => ValType::I64,
        wasmi::ValType::F32 => ValType::F32,
        wasmi::ValType::F64 => ValType::F64,
        wasmi::ValType::FuncRef => ValType::FUNCREF,
        wasmi::ValType::ExternRef => ValType::EXTERNREF,
        wasmi::ValType::V128 => ValType::V128,
    }
}

fn from_val(v: &Val) -> Value {
    match v {
        Val::I32(x) => Value::I32(*x as u32),
        Val::I64(x) => Value::I64(*x as u64),
        Val::F32(x) => Value::F32(x.to_bits()),
        Val::F64(x) => Value::F64(x.to_bits()),
        Val::FuncRef(f) => Value::FuncRef((!f.is_null()).then_some(u32::MAX)),
        Val::ExternRef(e) => Value::ExternRef((!e.is_null()).then_some(u32::MAX)),
        Val::V128(x) => Value::V128(x.as_u128()),
    }
}

fn to_val(v: Value) -> Val {
    match v {
        Value::I32(x) => Val::I32(x as i32),
        Value::I64(x) => Val::I64(x as i64),
        Value::F32(x) => Val::F32(wasmi::F32::from_bits(x)),
        Value::F64(x) => Val::F64(wasmi::F64::from_bits(x)),
        Value::FuncRef(_) => Val::FuncRef(Nullable::Null),
        // wasmi has no exceptions: no module given to it has an exnref.
        Value::ExternRef(_) | Value::ExnRef(_) => Val::ExternRef(Nullable::Null),
        Value::V128(x) => Val::V128(wasmi::V128::from(x)),
    }
}

/// wasmi's trap codes as ours (wasmi has one code where we have two: table out of bounds
/// covers our "undefined element"; [`crate::compare`] folds ours the same way).
fn ending(e: &wasmi::Error) -> Ending {
    use wasmi::TrapCode as W;
    let Some(code) = e.as_trap_code() else {
        // Segment initialisation failures are errors in wasmi, traps in the spec.
        let text = e.to_string();
        return if text.contains("out of bounds table access") {
            Ending::Trap("TableOutOfBounds".into())
        } else if text.contains("out of bounds memory access") {
            Ending::Trap("MemoryOutOfBounds".into())
        } else {
            Ending::Error(text)
        };
    };
    Ending::Trap(
        match code {
            W::UnreachableCodeReached => "Unreachable",
            W::MemoryOutOfBounds => "MemoryOutOfBounds",
            W::TableOutOfBounds => "TableOutOfBounds",
            W::IndirectCallToNull => "UninitializedElement",
            W::IntegerDivisionByZero => "IntegerDivideByZero",
            W::IntegerOverflow => "IntegerOverflow",
            W::BadConversionToInteger => "InvalidConversionToInteger",
            W::StackOverflow => "CallStackExhausted",
            W::BadSignature => "IndirectCallTypeMismatch",
            W::OutOfFuel => "OutOfFuel",
            W::GrowthOperationLimited => "GrowthOperationLimited",
            W::OutOfSystemMemory => "OutOfSystemMemory",
        }
        .into(),
    )
}

/// Runs `bytes` on wasmi. `Err` if wasmi rejects the module.
pub fn run(bytes: &[u8]) -> Result<Outcome, wasmi::Error> {
    // SIMD and relaxed SIMD are on by default with the `simd` feature; relaxed SIMD is
    // never generated when an oracle takes part (its choices are each engine's own).
    // Tail calls, extended constants and multi-memory are on by default, memory64 with the
    // `memory64` feature; custom page sizes and wide arithmetic are switched on.
    let mut config = Config::default();
    config.consume_fuel(true).wasm_custom_page_sizes(true).wasm_wide_arithmetic(true);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, bytes)?;
    let limits =
        StoreLimitsBuilder::new().memory_size((MAX_PAGES * 65536) as usize).table_elements(MAX_TABLE as usize).build();
    let mut store: Store<StoreLimits> = Store::new(&engine, limits);
    store.limiter(|l| l);
    let mut linker: Linker<StoreLimits> = Linker::new(&engine);
    for import in module.imports() {
        let Some(ty) = import.ty().func().cloned() else { continue };
        let name = import.name().to_string();
        if linker.get(&store, import.module(), &name).is_some() {
            continue;
        }
        let results: Vec<ValType> = ty.results().iter().map(|t| our_type(*t)).collect();
        let stub = name.clone();
        linker.func_new(
            import.module(),
            &name,
            ty,
            move |_: Caller<'_, StoreLimits>, args: &[Val], out: &mut [Val]| {
                let args: Vec<Value> = args.iter().map(from_val).collect();
                for (o, r) in out.iter_mut().zip(stub_results(&stub, &args, &results)) {
                    *o = to_val(r);
                }
                Ok(())
            },
        )?;
    }
    let mut out = Outcome::default();
    store.set_fuel(FUEL * FUEL_FACTOR)?;
    let instance = match linker.instantiate_and_start(&mut store, &module) {
        Ok(i) => i,
        Err(e) => {
            out.instantiate = Some(ending(&e));
            return Ok(out);
        }
    };
    out.instantiate = Some(Ending::Returned(Vec::new()));
    let mut exports: Vec<(String, Extern)> =
        instance.exports(&store).map(|e| (e.name().to_string(), e.into_extern())).collect();
    exports.sort_by(|a, b| a.0.cmp(&b.0));
    let funcs: Vec<(String, wasmi::Func)> =
        exports.iter().filter_map(|(n, e)| (*e).into_func().map(|f| (n.clone(), f))).collect();
    let sigs: Vec<(String, Vec<ValType>)> =
        funcs.iter().map(|(n, f)| (n.clone(), f.ty(&store).params().iter().map(|t| our_type(*t)).collect())).collect();
    let mut fuel_error = None;
    let complete = call_exports(bytes, &sigs, &mut out, |i, args| {
        if let Err(e) = store.set_fuel(FUEL * FUEL_FACTOR) {
            fuel_error = Some(e);
        }
        let f = funcs[i].1;
        let vals: Vec<Val> = args.iter().map(|a| to_val(*a)).collect();
        let mut results: Vec<Val> = f.ty(&store).results().iter().map(|t| Val::default_for_ty(*t)).collect();
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
            Extern::Global(g) => out.globals.push((name.clone(), from_val(&g.get(&store)))),
            Extern::Table(t) => {
                let elems = (0..t.size(&store)).map(|i| match t.get(&store, i) {
                    Some(Ref::Func(f)) => Value::FuncRef((!f.is_null()).then_some(u32::MAX)),
                    Some(Ref::Extern(e)) => Value::ExternRef((!e.is_null()).then_some(u32::MAX)),
                    None => Value::I32(u32::MAX),
                });
                out.tables.push((name.clone(), elems.collect()));
            }
            Extern::Func(_) => {}
        }
    }
    Ok(out)
}
