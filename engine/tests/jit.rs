//! JIT-tier checks (run on every tier and both bounds-check strategies where they apply):
//! out-of-bounds stores at the top of the address space, unbounded recursion, traps in
//! host functions called from JIT code, re-entry, and trap locations.

#![allow(clippy::unwrap_used, reason = "test helpers run per tier outside #[test] fns")]

use wasmscope_engine::syntax::{FuncType, ValType};
use wasmscope_engine::{
    BoundsChecks, Config, Engine, Error, Extern, Func, Linker, Module, Store, Tier, Trap, TrapCode, Val,
};

/// Every (tier, bounds-check strategy) combination.
fn configs() -> Vec<Config> {
    let mut v = Vec::new();
    for &tier in Tier::ALL {
        for bounds_checks in [BoundsChecks::GuardPages, BoundsChecks::Explicit] {
            v.push(Config { tier, bounds_checks, ..Config::default() });
        }
    }
    v
}

fn setup(config: Config, linker: &Linker, store: Option<Store>, wat: &str) -> (Store, wasmscope_engine::Instance) {
    let engine = Engine::new(config);
    let module = Module::new(&engine, &wat::parse_str(wat).expect("test WAT parses")).expect("valid");
    if config.tier == Tier::Jit {
        assert_eq!(module.jit_error(), None, "the JIT compiles the module");
        assert!(module.compile_time().is_some());
    }
    let mut store = store.unwrap_or_else(|| Store::new(&engine));
    let inst = linker.instantiate(&mut store, &module).expect("instantiates");
    (store, inst)
}

fn trap(r: Result<Vec<Val>, Error>) -> Box<Trap> {
    match r {
        Err(Error::Trap(t)) => t,
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[test]
fn store_at_top_of_address_space_traps_and_instance_survives() {
    for config in configs() {
        let (mut s, i) = setup(
            config,
            &Linker::new(),
            None,
            r#"(module (memory 1)
              (func (export "st") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
              (func (export "st_off") (param i32) (i64.store offset=0xFFFFFFFF (local.get 0) (i64.const 1)))
              (func (export "ld") (param i32) (result i32) (i32.load (local.get 0))))"#,
        );
        let st = i.func(&s, "st").unwrap();
        let t = trap(st.call(&mut s, &[Val::I32(0xFFFF_FFFFu32 as i32), Val::I32(1)]));
        assert_eq!(t.code, TrapCode::MemoryOutOfBounds, "{config:?}");
        assert_eq!(t.backtrace.first().map(|f| f.func), Some(0), "{config:?}");
        assert!(t.backtrace[0].offset > 0);
        let t = trap(i.func(&s, "st_off").unwrap().call(&mut s, &[Val::I32(0xFFFF_FFFFu32 as i32)]));
        assert_eq!(t.code, TrapCode::MemoryOutOfBounds, "{config:?}");
        st.call(&mut s, &[Val::I32(65532), Val::I32(7)]).unwrap();
        let ld = i.func(&s, "ld").unwrap();
        assert_eq!(ld.call(&mut s, &[Val::I32(65532)]).unwrap(), vec![Val::I32(7)]);
        assert_eq!(trap(ld.call(&mut s, &[Val::I32(65533)])).code, TrapCode::MemoryOutOfBounds);
    }
}

#[test]
fn unbounded_recursion_traps() {
    for config in configs() {
        let (mut s, i) = setup(
            config,
            &Linker::new(),
            None,
            r#"(module
              (func $f (export "f") (param i32) (result i32)
                (i32.add (call $f (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
              (func (export "ok") (result i32) (i32.const 5)))"#,
        );
        let t = trap(i.func(&s, "f").unwrap().call(&mut s, &[Val::I32(0)]));
        assert_eq!(t.code, TrapCode::CallStackExhausted, "{config:?}");
        assert_eq!(i.func(&s, "ok").unwrap().call(&mut s, &[]).unwrap(), vec![Val::I32(5)]);
    }
}

#[test]
fn host_trap_unwinds_and_host_can_reenter() {
    for config in configs() {
        let engine = Engine::new(config);
        let mut store = Store::new(&engine);
        let fail = Func::new_host(&mut store, FuncType::new([ValType::I32], []), |_, args| {
            Err(Trap::host(format!("boom {:?}", args[0])))
        });
        // Calls back into wasm: export "inc" of the instance, looked up through the store.
        let reenter = Func::new_host(&mut store, FuncType::new([ValType::I32], [ValType::I32]), |caller, args| {
            let store = caller.store();
            let f = store_func(store);
            let r = f.call(store, args).map_err(|e| Trap::host(e.to_string()))?;
            Ok(r)
        });
        let mut linker = Linker::new();
        linker.define("env", "fail", Extern::Func(fail));
        linker.define("env", "reenter", Extern::Func(reenter));
        let (mut s, i) = setup(
            config,
            &linker,
            Some(store),
            r#"(module
              (import "env" "fail" (func $fail (param i32)))
              (import "env" "reenter" (func $re (param i32) (result i32)))
              (global $g (export "g") (mut i32) (i32.const 0))
              (func (export "inc") (param i32) (result i32)
                (global.set $g (i32.add (global.get $g) (i32.const 1)))
                (i32.add (local.get 0) (i32.const 1)))
              (func (export "fail") (param i32) (result i32)
                (call $fail (local.get 0)) (i32.const 1))
              (func (export "via_host") (param i32) (result i32)
                (i32.mul (call $re (local.get 0)) (i32.const 10))))"#,
        );
        INSTANCE.with(|c| c.set(Some(i)));
        let t = trap(i.func(&s, "fail").unwrap().call(&mut s, &[Val::I32(3)]));
        assert_eq!(t.code, TrapCode::Host);
        assert_eq!(t.message.as_deref(), Some("boom I32(3)"));
        assert_eq!(t.backtrace.first().map(|f| f.func), Some(3), "{config:?}: {t:?}");
        assert_eq!(i.func(&s, "via_host").unwrap().call(&mut s, &[Val::I32(4)]).unwrap(), vec![Val::I32(50)]);
        assert_eq!(i.global(&s, "g").unwrap().get(&s), Val::I32(1));
    }
}

thread_local! {
    static INSTANCE: std::cell::Cell<Option<wasmscope_engine::Instance>> = const { std::cell::Cell::new(None) };
}

fn store_func(store: &Store) -> Func {
    let i = INSTANCE.with(|c| c.get()).expect("instance set");
    i.func(store, "inc").expect("export")
}

#[test]
fn numeric_traps_match_the_interpreter() {
    let wat = r#"(module
      (func (export "div_s") (param i64 i64) (result i64) (i64.div_s (local.get 0) (local.get 1)))
      (func (export "rem_s") (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1)))
      (func (export "trunc") (param f64) (result i32) (i32.trunc_f64_u (local.get 0)))
      (func (export "sat") (param f32) (result i64) (i64.trunc_sat_f32_s (local.get 0)))
      (func (export "min") (param f32 f32) (result f32) (f32.min (local.get 0) (local.get 1)))
      (func (export "nearest") (param f64) (result f64) (f64.nearest (local.get 0)))
      (func (export "shl") (param i32 i32) (result i32) (i32.shl (local.get 0) (local.get 1))))"#;
    let mut outcomes: Vec<Vec<String>> = Vec::new();
    for config in configs() {
        let (mut s, i) = setup(config, &Linker::new(), None, wat);
        let mut run = |name: &str, args: &[Val]| {
            let r = i.func(&s, name).unwrap().call(&mut s, args);
            match r {
                Ok(v) => format!("{v:?}"),
                Err(Error::Trap(t)) => format!("trap {:?}", t.code),
                Err(e) => format!("error {e}"),
            }
        };
        outcomes.push(vec![
            run("div_s", &[Val::I64(i64::MIN), Val::I64(-1)]),
            run("div_s", &[Val::I64(1), Val::I64(0)]),
            run("rem_s", &[Val::I32(i32::MIN), Val::I32(-1)]),
            run("trunc", &[Val::F64(f64::NAN.to_bits())]),
            run("trunc", &[Val::F64(4294967296f64.to_bits())]),
            run("trunc", &[Val::F64((-0.9f64).to_bits())]),
            run("sat", &[Val::F32(f32::NAN.to_bits())]),
            run("sat", &[Val::F32((-1e30f32).to_bits())]),
            run("min", &[Val::F32((-0.0f32).to_bits()), Val::F32(0.0f32.to_bits())]),
            run("nearest", &[Val::F64(2.5f64.to_bits())]),
            run("shl", &[Val::I32(1), Val::I32(33)]),
        ]);
    }
    for o in &outcomes[1..] {
        assert_eq!(o, &outcomes[0]);
    }
    assert_eq!(outcomes[0][0], "trap IntegerOverflow");
    assert_eq!(outcomes[0][3], "trap InvalidConversionToInteger");
}

#[test]
fn compile_time_is_recorded_per_module() {
    // 200 functions of loops, memory traffic, calls and float math.
    let mut wat = String::from("(module (memory 1) (table 4 funcref)\n");
    for i in 0..200 {
        wat.push_str(&format!(
            r#"(func $f{i} (export "f{i}") (param i32 f64) (result f64) (local i32)
                 (block $done (loop $l
                   (br_if $done (i32.ge_u (local.get 2) (local.get 0)))
                   (i32.store (i32.mul (local.get 2) (i32.const 4)) (i32.add (local.get 2) (i32.const {i})))
                   (local.set 1 (f64.add (local.get 1) (f64.convert_i32_u (i32.load (i32.mul (local.get 2) (i32.const 4))))))
                   (local.set 2 (i32.add (local.get 2) (i32.const 1)))
                   (br $l)))
                 (f64.sqrt (local.get 1)))
"#
        ));
    }
    wat.push(')');
    let bytes = wat::parse_str(&wat).unwrap();
    for config in configs() {
        let engine = Engine::new(config);
        let module = Module::new(&engine, &bytes).unwrap();
        match config.tier {
            Tier::Jit => {
                let t = module.compile_time().expect("compiled eagerly");
                eprintln!("{:?}: compiled {} bytes, 200 functions in {t:?}", config.bounds_checks, bytes.len());
                let mut store = Store::new(&engine);
                let i = Linker::new().instantiate(&mut store, &module).unwrap();
                let r = i.func(&store, "f3").unwrap().call(&mut store, &[Val::I32(4), Val::F64(0f64.to_bits())]);
                assert_eq!(r.unwrap(), vec![Val::F64(18f64.sqrt().to_bits())]);
            }
            Tier::Interpreter => assert_eq!(module.compile_time(), None),
        }
    }
}

#[test]
fn traps_on_parallel_threads_with_small_stacks() {
    let handles: Vec<_> = (0..4)
        .map(|n| {
            std::thread::Builder::new()
                .stack_size(1 << 20)
                .spawn(move || {
                    for _ in 0..20 {
                        let config = Config { tier: Tier::Jit, ..configs()[n % 4] };
                        let (mut s, i) = setup(
                            config,
                            &Linker::new(),
                            None,
                            r#"(module (memory 1)
                              (func $f (export "f") (param i64) (result i64) (i64.add (call $f (local.get 0)) (i64.const 1)))
                              (func (export "oob") (result i32) (i32.load (i32.const 70000))))"#,
                        );
                        let t = trap(i.func(&s, "f").unwrap().call(&mut s, &[Val::I64(1)]));
                        assert_eq!(t.code, TrapCode::CallStackExhausted);
                        let t = trap(i.func(&s, "oob").unwrap().call(&mut s, &[]));
                        assert_eq!(t.code, TrapCode::MemoryOutOfBounds);
                    }
                })
                .unwrap()
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

/// `call_indirect` into another instance's code (directly, once the store has a record of
/// the callee): a trap there names the frames of both modules, the first time (through the
/// libcall) and the later times (direct).
#[test]
fn call_indirect_across_instances_keeps_the_backtrace() {
    for config in configs() {
        let (mut s, lib) = setup(
            config,
            &Linker::new(),
            None,
            r#"(module
              (table (export "tab") 2 funcref)
              (func $twice (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
              (func $boom (param i32) (result i32) (if (local.get 0) (then unreachable)) (local.get 0))
              (elem (i32.const 0) $twice $boom))"#,
        );
        let mut linker = Linker::new();
        linker.define("lib", "tab", lib.export(&s, "tab").unwrap());
        let (mut s, user) = setup(
            config,
            &linker,
            Some(std::mem::replace(&mut s, Store::new(&Engine::new(config)))),
            r#"(module
              (import "lib" "tab" (table 2 funcref))
              (func $caller (export "call") (param i32 i32) (result i32)
                (call_indirect (param i32) (result i32) (local.get 1) (local.get 0))))"#,
        );
        let call = user.func(&s, "call").unwrap();
        for round in 0..3 {
            assert_eq!(call.call(&mut s, &[Val::I32(0), Val::I32(21)]).unwrap(), [Val::I32(42)], "{config:?}");
            assert_eq!(call.call(&mut s, &[Val::I32(1), Val::I32(0)]).unwrap(), [Val::I32(0)], "{config:?}");
            let t = trap(call.call(&mut s, &[Val::I32(1), Val::I32(1)]));
            assert_eq!(t.code, TrapCode::Unreachable, "{config:?}");
            let names: Vec<&str> = t.backtrace.iter().map(|f| f.name.as_deref().unwrap_or("?")).collect();
            assert_eq!(names, ["boom", "caller"], "round {round}, {config:?}");
        }
    }
}

/// Host functions that write their results into a slice: results arrive preset to zero,
/// several results work, a wrong-typed result traps (on every tier).
#[test]
fn host_functions_write_results_in_place() {
    for config in configs() {
        let mut store = Store::new(&Engine::new(config));
        let ty = FuncType::new([ValType::I32], [ValType::I64, ValType::F64]);
        let split = Func::new_host_slices(&mut store, ty.clone(), |_, args, results| {
            assert_eq!(results, [Val::I64(0), Val::F64(0)], "preset to zero");
            let Val::I32(x) = args[0] else { return Err(Trap::host("bad argument")) };
            results[0] = Val::I64(i64::from(x) * 3);
            results[1] = Val::F64((f64::from(x) / 2.0).to_bits());
            Ok(())
        });
        let wrong = Func::new_host_slices(&mut store, ty, |_, _, results| {
            results[0] = Val::I32(1);
            Ok(())
        });
        let mut linker = Linker::new();
        linker.define("env", "split", Extern::Func(split));
        linker.define("env", "wrong", Extern::Func(wrong));
        let (mut s, i) = setup(
            config,
            &linker,
            Some(store),
            r#"(module
              (type $t (func (param i32) (result i64 f64)))
              (import "env" "split" (func $split (type $t)))
              (import "env" "wrong" (func $wrong (type $t)))
              (func (export "go") (param i32) (result i64 f64) (call $split (local.get 0)))
              (func (export "bad") (param i32) (result i64 f64) (call $wrong (local.get 0))))"#,
        );
        let go = i.func(&s, "go").unwrap();
        for _ in 0..3 {
            assert_eq!(go.call(&mut s, &[Val::I32(7)]).unwrap(), [Val::I64(21), Val::F64(3.5f64.to_bits())]);
        }
        let t = trap(i.func(&s, "bad").unwrap().call(&mut s, &[Val::I32(1)]));
        assert!(t.to_string().contains("wrong type"), "{t} on {config:?}");
    }
}
