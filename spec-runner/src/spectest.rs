//! The `spectest` host module every spec script may import (see the spec interpreter's
//! `host/spectest.ml`), plus a small `wasmscope` host module for the project's own
//! scripts (`testsuite/*.wast`).

use wasmscope_engine::syntax::{FuncType, GlobalType, Limits, MemoryType, Mutability, RefType, TableType, ValType};
use wasmscope_engine::{Error, Exn, Extern, Func, Global, Linker, Memory, Store, Table, Tag, Trap, Val};

/// Defines `spectest` and `wasmscope` in `linker`, with their objects in `store`.
pub fn define(store: &mut Store, linker: &mut Linker) -> Result<(), Error> {
    use ValType::*;
    let prints: [(&str, &[ValType]); 7] = [
        ("print", &[]),
        ("print_i32", &[I32]),
        ("print_i64", &[I64]),
        ("print_f32", &[F32]),
        ("print_f64", &[F64]),
        ("print_i32_f32", &[I32, F32]),
        ("print_f64_f64", &[F64, F64]),
    ];
    for (name, params) in prints {
        let ty = FuncType::new(params.to_vec(), Vec::new());
        let f = Func::new_host(store, ty, |_caller, _args| Ok(Vec::new()));
        linker.define("spectest", name, Extern::Func(f));
    }
    let globals = [
        ("global_i32", I32, Val::I32(666)),
        ("global_i64", I64, Val::I64(666)),
        ("global_f32", F32, Val::F32(666.6f32.to_bits())),
        ("global_f64", F64, Val::F64(666.6f64.to_bits())),
    ];
    for (name, content, v) in globals {
        let g = Global::new(store, GlobalType { content, mutability: Mutability::Const }, v)?;
        linker.define("spectest", name, Extern::Global(g));
    }
    let table =
        Table::new(store, TableType::new(RefType::FUNCREF, Limits { min: 10, max: Some(20) }), Val::FuncRef(None))?;
    linker.define("spectest", "table", Extern::Table(table));
    let memory = Memory::new(store, MemoryType::new(Limits { min: 1, max: Some(2) }))?;
    linker.define("spectest", "memory", Extern::Memory(memory));

    // wasmscope's own test helpers.
    let trap =
        Func::new_host(store, FuncType::new(Vec::new(), Vec::new()), |_caller, _args| Err(Trap::host("host trap")));
    linker.define("wasmscope", "trap", Extern::Func(trap));
    let trap_if = Func::new_host(store, FuncType::new(vec![I32], vec![I32]), |_caller, args| match args.first() {
        Some(Val::I32(x)) if *x < 0 => Err(Trap::host("host trap: negative argument")),
        Some(v) => Ok(vec![*v]),
        None => Err(Trap::host("host trap: missing argument")),
    });
    linker.define("wasmscope", "check_non_negative", Extern::Func(trap_if));

    // Exceptions across host frames: a host tag, a host function throwing it, and one
    // calling back into wasm (whose exceptions pass through it).
    let tag = Tag::new(store, FuncType::new(vec![I32], Vec::new()))?;
    linker.define("wasmscope", "host_tag", Extern::Tag(tag));
    let throw = Func::new_host(store, FuncType::new(vec![I32], Vec::new()), move |caller, args| {
        let exn = Exn::new(caller.store(), tag, args).map_err(|e| Trap::host(e.to_string()))?;
        Err(Trap::throw(exn))
    });
    linker.define("wasmscope", "throw_i32", Extern::Func(throw));
    let call_back = Func::new_host(store, FuncType::new(vec![ValType::FUNCREF, I32], vec![I32]), |caller, args| {
        let (Some(Val::FuncRef(Some(f))), Some(arg)) = (args.first(), args.get(1)) else {
            return Err(Trap::host("host trap: call_i32 needs a function"));
        };
        match f.call(caller.store(), &[*arg]) {
            Ok(results) => Ok(results),
            Err(Error::Trap(t)) => Err(*t),
            Err(e) => Err(Trap::host(e.to_string())),
        }
    });
    linker.define("wasmscope", "call_i32", Extern::Func(call_back));
    Ok(())
}
