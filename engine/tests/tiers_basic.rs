//! End-to-end checks of every execution tier through the public API: calls, control flow,
//! memory, tables, traps, host functions and deep recursion.

#![allow(clippy::unwrap_used, reason = "test helpers run per tier outside #[test] fns")]

use wasmscope_engine::syntax::{FuncType, ValType};
use wasmscope_engine::{Config, Engine, Error, Func, Linker, Module, Store, Tier, TrapCode, Val};

fn instance(tier: Tier, wat: &str) -> (Store, wasmscope_engine::Instance) {
    let engine = Engine::new(Config::with_tier(tier));
    let bytes = wat::parse_str(wat).expect("test WAT parses");
    let module = Module::new(&engine, &bytes).expect("module is valid");
    let mut store = Store::new(&engine);
    let inst = Linker::new().instantiate(&mut store, &module).expect("instantiates");
    (store, inst)
}

fn call(store: &mut Store, inst: wasmscope_engine::Instance, name: &str, args: &[Val]) -> Result<Vec<Val>, Error> {
    let f = inst.func(store, name).expect("export exists");
    f.call(store, args)
}

fn trap_code(r: Result<Vec<Val>, Error>) -> TrapCode {
    match r {
        Err(Error::Trap(t)) => t.code,
        other => panic!("expected a trap, got {other:?}"),
    }
}

fn factorial_and_fib(tier: Tier) {
    let (mut s, i) = instance(
        tier,
        r#"(module
          (func $fac (export "fac") (param i64) (result i64)
            (if (result i64) (i64.eqz (local.get 0))
              (then (i64.const 1))
              (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
          (func $fib (export "fib") (param i32) (result i32)
            (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
              (then (local.get 0))
              (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                             (call $fib (i32.sub (local.get 0) (i32.const 2))))))))"#,
    );
    assert_eq!(call(&mut s, i, "fac", &[Val::I64(20)]).unwrap(), vec![Val::I64(2432902008176640000)]);
    assert_eq!(call(&mut s, i, "fib", &[Val::I32(20)]).unwrap(), vec![Val::I32(6765)]);
    let typed = i.func(&s, "fib").unwrap().typed::<i32, i32>(&s).unwrap();
    assert_eq!(typed.call(&mut s, 10).unwrap(), 55);
}

fn loops_branches_and_br_table(tier: Tier) {
    let (mut s, i) = instance(
        tier,
        r#"(module
          (func (export "sum") (param i32) (result i32) (local i32)
            (block $done
              (loop $l
                (br_if $done (i32.eqz (local.get 0)))
                (local.set 1 (i32.add (local.get 1) (local.get 0)))
                (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                (br $l)))
            (local.get 1))
          (func (export "switch") (param i32) (result i32)
            (block $c (block $b (block $a
              (br_table $a $b $c (local.get 0)))
              (return (i32.const 10)))
              (return (i32.const 20)))
            (i32.const 30))
          (func (export "multi") (result i32 i64)
            (block (result i32 i64) (i32.const 1) (i64.const 2) (br 0))))"#,
    );
    assert_eq!(call(&mut s, i, "sum", &[Val::I32(100)]).unwrap(), vec![Val::I32(5050)]);
    for (x, r) in [(0, 10), (1, 20), (2, 30), (7, 30)] {
        assert_eq!(call(&mut s, i, "switch", &[Val::I32(x)]).unwrap(), vec![Val::I32(r)]);
    }
    assert_eq!(call(&mut s, i, "multi", &[]).unwrap(), vec![Val::I32(1), Val::I64(2)]);
}

fn memory_and_traps(tier: Tier) {
    let (mut s, i) = instance(
        tier,
        r#"(module (memory 1 2)
          (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
          (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
          (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
          (func (export "unreachable") unreachable))"#,
    );
    call(&mut s, i, "store", &[Val::I32(8), Val::I32(-7)]).unwrap();
    assert_eq!(call(&mut s, i, "load", &[Val::I32(8)]).unwrap(), vec![Val::I32(-7)]);
    assert_eq!(trap_code(call(&mut s, i, "load", &[Val::I32(65533)])), TrapCode::MemoryOutOfBounds);
    assert_eq!(trap_code(call(&mut s, i, "store", &[Val::I32(-1), Val::I32(0)])), TrapCode::MemoryOutOfBounds);
    assert_eq!(call(&mut s, i, "grow", &[Val::I32(1)]).unwrap(), vec![Val::I32(1)]);
    assert_eq!(call(&mut s, i, "grow", &[Val::I32(1)]).unwrap(), vec![Val::I32(-1)]);
    assert_eq!(call(&mut s, i, "load", &[Val::I32(65536)]).unwrap(), vec![Val::I32(0)]);
    assert_eq!(trap_code(call(&mut s, i, "div", &[Val::I32(1), Val::I32(0)])), TrapCode::IntegerDivideByZero);
    assert_eq!(trap_code(call(&mut s, i, "div", &[Val::I32(i32::MIN), Val::I32(-1)])), TrapCode::IntegerOverflow);
    assert_eq!(trap_code(call(&mut s, i, "unreachable", &[])), TrapCode::Unreachable);
    // The instance keeps working after traps.
    assert_eq!(call(&mut s, i, "load", &[Val::I32(8)]).unwrap(), vec![Val::I32(-7)]);
}

fn deep_recursion_is_call_stack_exhausted(tier: Tier) {
    let (mut s, i) = instance(tier, r#"(module (func $f (export "f") (call $f)))"#);
    assert_eq!(trap_code(call(&mut s, i, "f", &[])), TrapCode::CallStackExhausted);
    let (mut s, i) = instance(
        tier,
        r#"(module (func $g (export "g") (param i64) (result i64)
              (i64.add (local.get 0) (call $g (local.get 0)))))"#,
    );
    assert_eq!(trap_code(call(&mut s, i, "g", &[Val::I64(1)])), TrapCode::CallStackExhausted);
}

fn host_functions_and_call_indirect(tier: Tier) {
    let engine = Engine::new(Config::with_tier(tier));
    let mut store = Store::new(&engine);
    let double = Func::new_host(&mut store, FuncType::new([ValType::I32], [ValType::I32]), |_, args| match args {
        [Val::I32(x)] => Ok(vec![Val::I32(x * 2)]),
        _ => Err(wasmscope_engine::Trap::host("bad args")),
    });
    let fail = Func::new_host(&mut store, FuncType::default(), |_, _| Err(wasmscope_engine::Trap::host("boom")));
    let mut linker = Linker::new();
    linker.define("env", "double", wasmscope_engine::Extern::Func(double));
    linker.define("env", "fail", wasmscope_engine::Extern::Func(fail));
    let bytes = wat::parse_str(
        r#"(module
          (import "env" "double" (func $d (param i32) (result i32)))
          (import "env" "fail" (func $fail))
          (type $t (func (param i32) (result i32)))
          (table 3 funcref) (elem (i32.const 0) $d $inc)
          (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
          (func (export "ind") (param i32 i32) (result i32) (call_indirect (type $t) (local.get 1) (local.get 0)))
          (func (export "fail") (call $fail)))"#,
    )
    .unwrap();
    let module = Module::new(&engine, &bytes).unwrap();
    let i = linker.instantiate(&mut store, &module).unwrap();
    assert_eq!(call(&mut store, i, "ind", &[Val::I32(0), Val::I32(21)]).unwrap(), vec![Val::I32(42)]);
    assert_eq!(call(&mut store, i, "ind", &[Val::I32(1), Val::I32(21)]).unwrap(), vec![Val::I32(22)]);
    assert_eq!(trap_code(call(&mut store, i, "ind", &[Val::I32(2), Val::I32(0)])), TrapCode::UninitializedElement);
    assert_eq!(trap_code(call(&mut store, i, "ind", &[Val::I32(3), Val::I32(0)])), TrapCode::UndefinedElement);
    assert_eq!(trap_code(call(&mut store, i, "fail", &[])), TrapCode::Host);
}

fn memory_grow_honours_the_engine_limit(tier: Tier) {
    let mut config = Config::with_tier(tier);
    config.limits.max_memory_pages = 3;
    let engine = Engine::new(config);
    let bytes = wat::parse_str(
        r#"(module (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    )
    .unwrap();
    let module = Module::new(&engine, &bytes).unwrap();
    let mut s = Store::new(&engine);
    let i = Linker::new().instantiate(&mut s, &module).unwrap();
    assert_eq!(call(&mut s, i, "grow", &[Val::I32(2)]).unwrap(), vec![Val::I32(1)]);
    assert_eq!(call(&mut s, i, "grow", &[Val::I32(1)]).unwrap(), vec![Val::I32(-1)]);
    assert_eq!(i.memory(&s, "m").map(|m| m.size(&s)), None);
}

fn mvp_engine_rejects_later_proposals(tier: Tier) {
    let engine = Engine::new(Config { features: wasmscope_engine::Features::mvp(), ..Config::with_tier(tier) });
    let bytes = wat::parse_str(r#"(module (func (param i32) (result i32) (i32.extend8_s (local.get 0))))"#).unwrap();
    assert!(matches!(Module::new(&engine, &bytes), Err(Error::Decode(_))));
    let bytes = wat::parse_str(r#"(module (func (result i32 i32) (i32.const 1) (i32.const 2)))"#).unwrap();
    assert!(matches!(Module::new(&engine, &bytes), Err(Error::Validate(_))));
}

fn host_functions_see_the_calling_instance(tier: Tier) {
    let engine = Engine::new(Config::with_tier(tier));
    let mut store = Store::new(&engine);
    let peek = Func::new_host(&mut store, FuncType::new([ValType::I32], [ValType::I32]), |caller, args| {
        let Some(wasmscope_engine::Extern::Memory(m)) = caller.get_export("memory") else {
            return Err(wasmscope_engine::Trap::host("no memory export"));
        };
        let Val::I32(addr) = args[0] else { return Err(wasmscope_engine::Trap::host("bad argument")) };
        let byte = caller.store().memory_byte(m, addr as usize);
        Ok(vec![Val::I32(byte.map_or(-1, i32::from))])
    });
    let mut linker = Linker::new();
    linker.define("env", "peek", wasmscope_engine::Extern::Func(peek));
    let bytes = wat::parse_str(
        r#"(module (import "env" "peek" (func $peek (param i32) (result i32)))
          (memory (export "memory") 1) (data (i32.const 5) "\2a")
          (func (export "f") (result i32) (call $peek (i32.const 5))))"#,
    )
    .unwrap();
    let module = Module::new(&engine, &bytes).unwrap();
    let i = linker.instantiate(&mut store, &module).unwrap();
    assert_eq!(call(&mut store, i, "f", &[]).unwrap(), vec![Val::I32(42)]);
}

fn recursion_through_a_host_function_is_bounded(tier: Tier) {
    use std::cell::RefCell;
    use std::rc::Rc;
    let engine = Engine::new(Config::with_tier(tier));
    let mut store = Store::new(&engine);
    // The host function calls back into the wasm export that called it.
    let target: Rc<RefCell<Option<Func>>> = Rc::new(RefCell::new(None));
    let t = target.clone();
    let bounce = Func::new_host(&mut store, FuncType::default(), move |caller, _| {
        let f = t.borrow().ok_or_else(|| wasmscope_engine::Trap::host("not set"))?;
        match f.call(caller.store(), &[]) {
            Ok(_) => Ok(vec![]),
            Err(Error::Trap(t)) => Err(*t),
            Err(e) => Err(wasmscope_engine::Trap::host(e.to_string())),
        }
    });
    let mut linker = Linker::new();
    linker.define("env", "bounce", wasmscope_engine::Extern::Func(bounce));
    let bytes = wat::parse_str(r#"(module (import "env" "bounce" (func $b)) (func (export "f") (call $b)))"#).unwrap();
    let module = Module::new(&engine, &bytes).unwrap();
    let i = linker.instantiate(&mut store, &module).unwrap();
    *target.borrow_mut() = i.func(&store, "f");
    assert_eq!(trap_code(call(&mut store, i, "f", &[])), TrapCode::CallStackExhausted);
}

/// Runs each check on every tier (`Tier::ALL`), naming the tier on failure.
macro_rules! on_all_tiers {
    ($($name:ident),* $(,)?) => {
        mod all_tiers {
            $(
                #[test]
                fn $name() {
                    for &tier in super::Tier::ALL {
                        eprintln!("tier {}", tier.name());
                        super::$name(tier);
                    }
                }
            )*
        }
    };
}
on_all_tiers!(
    factorial_and_fib,
    loops_branches_and_br_table,
    memory_and_traps,
    deep_recursion_is_call_stack_exhausted,
    host_functions_and_call_indirect,
    memory_grow_honours_the_engine_limit,
    mvp_engine_rejects_later_proposals,
    host_functions_see_the_calling_instance,
    recursion_through_a_host_function_is_bounded,
);

/// Fuel: the same accounting on every tier; out of fuel is a trap and the store goes on.
#[test]
fn fuel_is_charged_per_instruction_and_runs_out() {
    for &tier in Tier::ALL {
        let engine = Engine::new(Config { consume_fuel: true, ..Config::with_tier(tier) });
        let bytes = wat::parse_str(
            r#"(module (func (export "spin") (param i32) (result i32)
                 (block $d (loop $l
                   (br_if $d (i32.eqz (local.get 0)))
                   (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                   (br $l)))
                 (local.get 0)))"#,
        )
        .unwrap();
        let module = Module::new(&engine, &bytes).unwrap();
        assert!(module.jit_error().is_none(), "tier {}: the JIT compiles fuelled code", tier.name());
        if tier == Tier::Jit {
            assert!(module.compile_time().is_some(), "the JIT really compiled it");
        }
        let mut store = Store::new(&engine);
        let i = Linker::new().instantiate(&mut store, &module).unwrap();
        // Each iteration runs two segments: [local.get, i32.eqz, br_if] and [local.get,
        // i32.const, i32.sub, local.set, br] (the branch lands after `loop`, which is
        // charged once, on entry).
        store.set_fuel(1_000_000);
        call(&mut store, i, "spin", &[Val::I32(10)]).unwrap();
        let used10 = 1_000_000 - store.fuel();
        store.set_fuel(1_000_000);
        call(&mut store, i, "spin", &[Val::I32(20)]).unwrap();
        let used20 = 1_000_000 - store.fuel();
        assert_eq!(used20 - used10, 10 * 8, "tier {}: 8 instructions per iteration", tier.name());
        store.set_fuel(50);
        assert_eq!(trap_code(call(&mut store, i, "spin", &[Val::I32(1000)])), TrapCode::OutOfFuel);
        assert!(store.fuel() < 50);
        store.set_fuel(1_000_000);
        assert_eq!(call(&mut store, i, "spin", &[Val::I32(3)]).unwrap(), vec![Val::I32(0)]);
    }
}

/// Fuel is the store's: a host function that calls back into wasm continues from the same
/// counter, and both tiers leave the same fuel behind (after success and after running out).
#[test]
fn fuel_is_shared_across_host_reentry_and_equal_on_both_tiers() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let mut left = Vec::new();
    for &tier in Tier::ALL {
        let engine = Engine::new(Config { consume_fuel: true, ..Config::with_tier(tier) });
        let mut store = Store::new(&engine);
        let target: Rc<RefCell<Option<Func>>> = Rc::new(RefCell::new(None));
        let t = target.clone();
        let host = Func::new_host(&mut store, FuncType::new([ValType::I32], [ValType::I32]), move |caller, args| {
            let f = t.borrow().ok_or_else(|| wasmscope_engine::Trap::host("not set"))?;
            let before = caller.store().fuel();
            let r = match f.call(caller.store(), args) {
                Ok(r) => r,
                Err(Error::Trap(t)) => return Err(*t),
                Err(e) => return Err(wasmscope_engine::Trap::host(e.to_string())),
            };
            assert!(caller.store().fuel() < before, "the callback consumed the store's fuel");
            Ok(r)
        });
        let mut linker = Linker::new();
        linker.define("env", "host", wasmscope_engine::Extern::Func(host));
        let bytes = wat::parse_str(
            r#"(module (import "env" "host" (func $h (param i32) (result i32)))
                 (func $inner (export "inner") (param i32) (result i32)
                   (local.get 0) (i32.const 3) (i32.mul))
                 (func (export "outer") (param i32) (result i32)
                   (call $h (local.get 0)) (i32.const 1) (i32.add)))"#,
        )
        .unwrap();
        let module = Module::new(&engine, &bytes).unwrap();
        assert!(module.jit_error().is_none());
        let i = linker.instantiate(&mut store, &module).unwrap();
        let Some(wasmscope_engine::Extern::Func(inner)) = i.export(&store, "inner") else { panic!("no inner") };
        *target.borrow_mut() = Some(inner);
        store.set_fuel(100);
        assert_eq!(call(&mut store, i, "outer", &[Val::I32(4)]).unwrap(), vec![Val::I32(13)]);
        let after_ok = store.fuel();
        // Enough for the outer function's first segment, not for the callback's body.
        store.set_fuel(7);
        assert_eq!(trap_code(call(&mut store, i, "outer", &[Val::I32(4)])), TrapCode::OutOfFuel);
        left.push((after_ok, store.fuel()));
        assert_eq!(store.fuel(), 2, "outer charged 5; inner's 4 did not fit");
    }
    assert_eq!(left[0], left[1], "interpreter and JIT leave the same fuel");
    assert_eq!(left[0].0, 100 - 5 - 4, "outer: 5 instructions (with end), inner: 4");
}

/// Recursion under fuel: calls, returns and charges inside the interpreter's handlers
/// account exactly as the JIT does, and running out deep in the recursion leaves the
/// same fuel on both tiers.
#[test]
fn fuel_through_recursion_is_equal_on_both_tiers() {
    let wat = r#"(module
      (func $fib (export "fib") (param i32) (result i32)
        (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
          (then (local.get 0))
          (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                         (call $fib (i32.sub (local.get 0) (i32.const 2))))))))"#;
    let mut seen = Vec::new();
    for &tier in Tier::ALL {
        let engine = Engine::new(Config { consume_fuel: true, ..Config::with_tier(tier) });
        let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
        let mut store = Store::new(&engine);
        let i = Linker::new().instantiate(&mut store, &module).unwrap();
        store.set_fuel(10_000_000);
        assert_eq!(call(&mut store, i, "fib", &[Val::I32(15)]).unwrap(), vec![Val::I32(610)]);
        let used = 10_000_000 - store.fuel();
        store.set_fuel(used / 2);
        assert_eq!(trap_code(call(&mut store, i, "fib", &[Val::I32(15)])), TrapCode::OutOfFuel);
        seen.push((tier.name(), used, store.fuel()));
    }
    assert!(seen.windows(2).all(|w| (w[0].1, w[0].2) == (w[1].1, w[1].2)), "{seen:?}");
}

/// A trap under many frames of one instance lists every frame, innermost first, on every
/// tier (the interpreter's in-handler calls keep the same frame records as its loop).
#[test]
fn a_trap_deep_in_recursion_has_every_frame_in_its_backtrace() {
    let wat = r#"(module
      (func $down (export "down") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0))
          (then (call $boom))
          (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))
      (func $boom (result i32) (unreachable)))"#;
    for &tier in Tier::ALL {
        let (mut s, i) = instance(tier, wat);
        match call(&mut s, i, "down", &[Val::I32(40)]) {
            Err(Error::Trap(t)) => {
                assert_eq!(t.code, TrapCode::Unreachable);
                let names: Vec<&str> = t.backtrace.iter().map(|f| f.name.as_deref().unwrap_or("?")).collect();
                assert_eq!(names.len(), 42, "tier {}: {names:?}", tier.name());
                assert_eq!(names[0], "boom");
                assert!(names[1..].iter().all(|n| *n == "down"), "tier {}: {names:?}", tier.name());
                // Every caller frame points at its call instruction: the same offset.
                let offsets: Vec<u32> = t.backtrace[2..].iter().map(|f| f.offset).collect();
                assert!(offsets.windows(2).all(|w| w[0] == w[1]), "tier {}: {offsets:?}", tier.name());
            }
            other => panic!("tier {}: expected a trap, got {other:?}", tier.name()),
        }
        // The store goes on.
        assert!(call(&mut s, i, "down", &[Val::I32(0)]).is_err());
        assert_eq!(trap_code(call(&mut s, i, "down", &[Val::I32(3)])), TrapCode::Unreachable);
    }
}
