//! Exception handling on every tier (the JIT compiles `throw`, `throw_ref` and
//! `try_table`): deep unwinding, catching in a loop in constant memory, host functions
//! throwing into wasm, wasm → host → wasm, and uncaught exceptions reaching the embedder.
//! The same results are expected on the interpreter and the JIT, in every compile mode.

#![allow(clippy::unwrap_used, reason = "test helpers run per tier outside #[test] fns")]

use wasmscope_engine::syntax::{FuncType, ValType};
use wasmscope_engine::{
    Config, Engine, Error, Exn, Extern, Features, Func, JitCompile, Linker, Module, Store, Tag, Tier, Trap, TrapCode,
    Val,
};

const WAT: &str = r#"(module
  (import "host" "tag" (tag $host (param i32)))
  (import "host" "throw" (func $host_throw (param i32)))
  (import "host" "call" (func $host_call (param funcref i32) (result i32)))
  (tag $t (param i32 i64))
  (tag $other (param i32))
  (elem declare func $throw_t $deep $host_throws)

  ;; n frames of plain calls, then a throw of $t (n, 7).
  (func $deep (param $n i32) (result i32)
    (if (i32.eqz (local.get $n)) (then (throw $t (i32.const 1234) (i64.const 7))))
    (i32.add (call $deep (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))
  (func (export "deep") (param i32) (result i32 i64)
    (block $h (result i32 i64)
      (try_table (result i32 i64) (catch $t $h)
        (call $deep (local.get 0)) (i64.const -1)))
    (return))

  ;; n iterations, each throwing and catching (catch: the exception is freed).
  (func (export "loop") (param $n i32) (result i32)
    (local $sum i32)
    (loop $l
      (block $h (result i32 i64)
        (try_table (catch $t $h) (throw $t (local.get $n) (i64.const 0)))
        (unreachable))
      (drop)
      (local.set $sum (i32.add (local.get $sum)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))

  ;; The host throws its tag's exception; caught here.
  (func (export "host-throw") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $host $h) (call $host_throw (local.get 0)))
      (i32.const -1))
    (i32.add (i32.const 100)))

  ;; Wasm -> host -> wasm: the inner function throws, the outer catches.
  (func $throw_t (param i32) (result i32) (throw $t (local.get 0) (i64.const 5)))
  (func $host_throws (param i32) (result i32) (call $host_throw (local.get 0)) (i32.const -1))
  (func (export "nested") (param i32) (result i32)
    (block $h (result i32 i64)
      (try_table (catch $t $h) (drop (call $host_call (ref.func $throw_t) (local.get 0))))
      (return (i32.const -1)))
    (drop)
    (i32.add (i32.const 500)))
  ;; Wasm -> host -> wasm -> host throws: the outer wasm catches by the host tag.
  (func (export "nested-host") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $host $h) (drop (call $host_call (ref.func $host_throws) (local.get 0))))
      (i32.const -1))
    (i32.add (i32.const 600)))
  ;; catch_all_ref, then throw_ref out of the module: uncaught.
  (func (export "rethrow-uncaught") (param i32)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (throw $t (local.get 0) (i64.const 99)))
      (unreachable))
    (throw_ref))
  (func (export "uncaught") (param i32) (result i32) (call $deep (local.get 0)))
  ;; A catch clause to a loop label restarts the loop with the payload.
  (func (export "catch-to-loop") (param $n i32) (result i32)
    (local $i i32)
    (i32.const 0)
    (loop $l (param i32) (result i32)
      (local.set $i (i32.add (i32.const 1)))
      (if (i32.ge_u (local.get $i) (local.get $n)) (then (return (local.get $i))))
      (try_table (catch $other $l) (throw $other (local.get $i)))
      (unreachable)))
  ;; Not caught by a handler of another tag.
  (func (export "other-tag") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $other $h) (call $deep (local.get 0))))
    (i32.add (i32.const 1))))"#;

fn features() -> Features {
    Features { exceptions: true, tail_call: true, ..Features::wasm2() }
}

/// Every tier, with every JIT compile mode.
fn configs() -> Vec<Config> {
    let mut v = vec![Config { tier: Tier::Interpreter, features: features(), ..Config::default() }];
    for jit_compile in [JitCompile::Eager, JitCompile::Lazy, JitCompile::Tiered] {
        v.push(Config { tier: Tier::Jit, features: features(), jit_compile, ..Config::default() });
    }
    v
}

fn setup(config: Config) -> (Store, wasmscope_engine::Instance, Tag) {
    let engine = Engine::new(config);
    let module = Module::new(&engine, &wat::parse_str(WAT).unwrap()).unwrap();
    let mut store = Store::new(&engine);
    let mut linker = Linker::new();
    let tag = Tag::new(&mut store, FuncType::new(vec![ValType::I32], Vec::new())).unwrap();
    linker.define("host", "tag", Extern::Tag(tag));
    let throw = Func::new_host(&mut store, FuncType::new(vec![ValType::I32], Vec::new()), move |caller, args| {
        let exn = Exn::new(caller.store(), tag, args).map_err(|e| Trap::host(e.to_string()))?;
        Err(Trap::throw(exn))
    });
    linker.define("host", "throw", Extern::Func(throw));
    let call = Func::new_host(
        &mut store,
        FuncType::new(vec![ValType::FUNCREF, ValType::I32], vec![ValType::I32]),
        |caller, args| {
            let (Some(Val::FuncRef(Some(f))), Some(arg)) = (args.first(), args.get(1)) else {
                return Err(Trap::host("needs a function"));
            };
            match f.call(caller.store(), &[*arg]) {
                Ok(r) => Ok(r),
                Err(Error::Trap(t)) => Err(*t),
                Err(e) => Err(Trap::host(e.to_string())),
            }
        },
    );
    linker.define("host", "call", Extern::Func(call));
    let inst = linker.instantiate(&mut store, &module).unwrap();
    if config.tier == Tier::Jit {
        // The JIT compiles try_table, throw and throw_ref: nothing falls back.
        store.set_fuel(1_000_000);
        let f = inst.func(&store, "deep").unwrap();
        f.call(&mut store, &[Val::I32(0)]).unwrap();
        assert_eq!(module.jit_error(), None, "{config:?}");
        if config.jit_compile == JitCompile::Eager {
            let (done, all) = module.compiled_functions().unwrap();
            assert_eq!(done, all, "every function compiled");
        }
    }
    (store, inst, tag)
}

fn call(store: &mut Store, inst: &wasmscope_engine::Instance, name: &str, args: &[Val]) -> Result<Vec<Val>, Error> {
    inst.func(store, name).unwrap().call(store, args)
}

fn uncaught(r: Result<Vec<Val>, Error>) -> Box<Trap> {
    match r {
        Err(Error::Trap(t)) => {
            assert_eq!(t.code, TrapCode::UncaughtException);
            assert!(t.exception.is_some());
            t
        }
        other => panic!("expected an uncaught exception, got {other:?}"),
    }
}

#[test]
fn throw_through_a_thousand_frames() {
    for config in configs() {
        let (mut s, i, _) = setup(config);
        let r = call(&mut s, &i, "deep", &[Val::I32(1000)]).unwrap();
        assert_eq!(r, vec![Val::I32(1234), Val::I64(7)], "{config:?}");
        let r = call(&mut s, &i, "deep", &[Val::I32(3)]).unwrap();
        assert_eq!(r, vec![Val::I32(1234), Val::I64(7)], "{config:?}");
    }
}

#[test]
fn catch_in_a_loop_runs_in_constant_memory() {
    for config in configs() {
        let (mut s, i, _) = setup(config);
        let before = s.live_exceptions();
        let r = call(&mut s, &i, "loop", &[Val::I32(100_000)]).unwrap();
        assert_eq!(r, vec![Val::I32(705_082_704)], "{config:?}");
        assert!(s.live_exceptions() <= before + 1, "{config:?}: {} live", s.live_exceptions());
    }
}

#[test]
fn host_function_throws_into_wasm() {
    for config in configs() {
        let (mut s, i, _) = setup(config);
        assert_eq!(call(&mut s, &i, "host-throw", &[Val::I32(21)]).unwrap(), vec![Val::I32(121)], "{config:?}");
        assert_eq!(call(&mut s, &i, "catch-to-loop", &[Val::I32(9)]).unwrap(), vec![Val::I32(9)], "{config:?}");
    }
}

#[test]
fn wasm_host_wasm_throw_is_caught_by_the_outer_wasm() {
    for config in configs() {
        let (mut s, i, _) = setup(config);
        assert_eq!(call(&mut s, &i, "nested", &[Val::I32(7)]).unwrap(), vec![Val::I32(507)], "{config:?}");
        assert_eq!(call(&mut s, &i, "nested-host", &[Val::I32(8)]).unwrap(), vec![Val::I32(608)], "{config:?}");
    }
}

#[test]
fn uncaught_exception_reaches_the_embedder_with_its_payload() {
    let mut seen = Vec::new();
    for config in configs() {
        let (mut s, i, _) = setup(config);
        let t = uncaught(call(&mut s, &i, "uncaught", &[Val::I32(4)]));
        let exn = t.exception.unwrap();
        assert_eq!(exn.payload(&s), vec![Val::I32(1234), Val::I64(7)], "{config:?}");
        let frames: Vec<(u32, u32)> = t.backtrace.iter().map(|f| (f.func, f.offset)).collect();
        assert_eq!(frames.len(), 6, "{config:?}: {frames:?}");
        let t2 = uncaught(call(&mut s, &i, "other-tag", &[Val::I32(2)]));
        assert_eq!(t2.exception.unwrap().payload(&s), vec![Val::I32(1234), Val::I64(7)]);
        let t3 = uncaught(call(&mut s, &i, "rethrow-uncaught", &[Val::I32(3)]));
        assert_eq!(t3.exception.unwrap().payload(&s), vec![Val::I32(3), Val::I64(99)], "{config:?}");
        // The store still works after uncaught exceptions.
        assert_eq!(call(&mut s, &i, "deep", &[Val::I32(10)]).unwrap()[0], Val::I32(1234));
        seen.push((frames, t.message.clone()));
    }
    // Every tier reports the same frames and message.
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "{seen:?}");
}

#[test]
fn fuel_is_charged_alike_through_throws_and_catches() {
    let mut left = Vec::new();
    for mut config in configs() {
        config.consume_fuel = true;
        let (mut s, i, _) = setup(config);
        let mut run = Vec::new();
        for (name, arg) in
            [("deep", 20), ("loop", 50), ("host-throw", 3), ("nested", 4), ("uncaught", 5), ("catch-to-loop", 30)]
        {
            s.set_fuel(1_000_000);
            let r = call(&mut s, &i, name, &[Val::I32(arg)]).map_err(|e| e.to_string());
            run.push((name, r.map(|v| format!("{v:?}")), s.fuel()));
        }
        // Running out of fuel inside a handler's loop: at the same point on every tier.
        s.set_fuel(333);
        let r = call(&mut s, &i, "loop", &[Val::I32(1000)]);
        assert!(matches!(&r, Err(Error::Trap(t)) if t.code == TrapCode::OutOfFuel), "{config:?}: {r:?}");
        run.push(("out of fuel", Ok(String::new()), s.fuel()));
        left.push(run);
    }
    assert!(left.windows(2).all(|w| w[0] == w[1]), "{left:#?}");
}

/// The modules of `testsuite/legacy_exceptions.wast` (flat legacy instructions).
fn legacy_modules() -> Vec<String> {
    let text: String = include_str!("../../testsuite/legacy_exceptions.wast")
        .lines()
        .map(|l| l.split(";;").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut modules = Vec::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("\n(module\n") {
        let start = at + 1;
        let mut depth = 0usize;
        let mut end = start;
        for (i, c) in rest[start..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = start + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        modules.push(rest[start..end].to_string());
        rest = &rest[end..];
    }
    modules
}

fn legacy_config(tier: Tier, jit_compile: JitCompile) -> Config {
    let features = Features { legacy_exceptions: true, simd: true, ..features() };
    Config { tier, features, jit_compile, consume_fuel: true, ..Config::default() }
}

#[test]
fn legacy_exception_modules_compile_on_the_jit() {
    let modules = legacy_modules();
    assert_eq!(modules.len(), 2);
    for wat in &modules {
        let engine = Engine::new(legacy_config(Tier::Jit, JitCompile::Eager));
        let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
        let mut store = Store::new(&engine);
        Linker::new().instantiate(&mut store, &module).unwrap();
        assert_eq!(module.jit_error(), None, "the JIT compiles legacy exception handling");
        let (done, all) = module.compiled_functions().unwrap();
        assert_eq!(done, all, "every function compiled");
    }
}

#[test]
fn legacy_exceptions_agree_on_every_tier_with_fuel() {
    let modules = legacy_modules();
    let calls: &[(&str, &[i32])] = &[
        ("arms", &[0]),
        ("arms", &[1]),
        ("arms", &[2]),
        ("delegate-skips", &[]),
        ("delegate-caller", &[]),
        ("rethrow-outer", &[]),
        ("loop", &[100]),
        ("mixed", &[]),
        ("uncaught", &[]),
        ("throw-in-arm", &[]),
        ("delegate-nested", &[]),
        ("delegate-arm", &[]),
        ("delegate-from-arm", &[]),
        ("rethrow-call", &[]),
        ("table-in-try", &[1]),
        ("loop-in-arm", &[10]),
        ("dead", &[]),
        ("uncaught-delegate", &[]),
        ("uncaught-rethrow-deep", &[0]),
        ("trap-in-arm", &[]),
    ];
    let mut seen = Vec::new();
    let mut configs = vec![legacy_config(Tier::Interpreter, JitCompile::Eager)];
    for c in [JitCompile::Eager, JitCompile::Lazy, JitCompile::Tiered] {
        configs.push(legacy_config(Tier::Jit, c));
    }
    for config in configs {
        let engine = Engine::new(config);
        let mut store = Store::new(&engine);
        let mut insts = Vec::new();
        let mut mods = Vec::new();
        for wat in &modules {
            let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
            insts.push(Linker::new().instantiate(&mut store, &module).unwrap());
            mods.push(module);
        }
        let mut run = Vec::new();
        for (name, args) in calls {
            let inst = insts.iter().find(|i| i.func(&store, name).is_some()).unwrap();
            let args: Vec<Val> = args.iter().map(|a| Val::I32(*a)).collect();
            store.set_fuel(1_000_000);
            let r = match call(&mut store, inst, name, &args) {
                Ok(v) => format!("{v:?}"),
                Err(Error::Trap(t)) => {
                    let frames: Vec<(u32, u32)> = t.backtrace.iter().map(|f| (f.func, f.offset)).collect();
                    format!("{:?} {:?} {frames:?}", t.code, t.message)
                }
                Err(e) => e.to_string(),
            };
            run.push((*name, r, store.fuel()));
        }
        if config.tier == Tier::Jit {
            for m in &mods {
                assert_eq!(m.jit_error(), None, "{config:?}");
            }
        }
        seen.push(run);
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "{seen:#?}");
}

/// A debugger's hook that only counts throws (its calls run on the interpreter).
#[derive(Default)]
struct ThrowCounter {
    throws: usize,
}

impl wasmscope_engine::debug::DebugHook for ThrowCounter {
    fn before_instruction(
        &mut self,
        _: &mut wasmscope_engine::debug::DebugState<'_>,
    ) -> wasmscope_engine::debug::DebugControl {
        wasmscope_engine::debug::DebugControl::Continue
    }
    fn on_throw(&mut self, _: &mut wasmscope_engine::debug::DebugState<'_>, _: Exn) {
        self.throws += 1;
    }
}

/// Mixed tiers through host calls: on a JIT engine, a debugged call (the interpreter)
/// calls a host function that calls JIT code, which calls a host function that makes a
/// debugged (interpreted) call which throws. The exception leaves the inner interpreter,
/// passes the host frames and the JIT frames (which have no handler) and is caught by
/// the outer interpreted function; and the same with the outer call on the JIT.
#[test]
fn an_exception_crosses_interpreter_and_jit_frames_through_host_calls() {
    let wat = r#"(module
      (import "host" "call_jit" (func $call_jit (param funcref i32) (result i32)))
      (import "host" "call_interp" (func $call_interp (param funcref i32) (result i32)))
      (tag $t (param i32))
      (elem declare func $inner $middle)
      (func $inner (param i32) (result i32) (throw $t (i32.add (local.get 0) (i32.const 1))))
      (func $middle (param i32) (result i32)
        (i32.add (call $call_interp (ref.func $inner) (local.get 0)) (i32.const 1000)))
      (func (export "outer") (param i32) (result i32)
        (block $h (result i32)
          (try_table (result i32) (catch $t $h) (call $call_jit (ref.func $middle) (local.get 0))))
        (i32.add (i32.const 100))))"#;
    let engine = Engine::new(Config { tier: Tier::Jit, features: features(), ..Config::default() });
    let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&engine);
    let mut linker = Linker::new();
    let ty = FuncType::new(vec![ValType::FUNCREF, ValType::I32], vec![ValType::I32]);
    let trap = |e: Error| match e {
        Error::Trap(t) => *t,
        e => Trap::host(e.to_string()),
    };
    let call_jit = Func::new_host(&mut store, ty.clone(), move |caller, args| {
        let [Val::FuncRef(Some(f)), arg] = args else { return Err(Trap::host("needs a function")) };
        f.call(caller.store(), &[*arg]).map_err(trap)
    });
    let call_interp = Func::new_host(&mut store, ty, move |caller, args| {
        let [Val::FuncRef(Some(f)), arg] = args else { return Err(Trap::host("needs a function")) };
        f.call_debug(caller.store(), &[*arg], &mut ThrowCounter::default()).map_err(trap)
    });
    linker.define("host", "call_jit", Extern::Func(call_jit));
    linker.define("host", "call_interp", Extern::Func(call_interp));
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let outer = inst.func(&store, "outer").unwrap();
    assert_eq!(module.jit_error(), None);
    // Outer on the interpreter (a debugged call), middle on the JIT, inner interpreted.
    let mut hook = ThrowCounter::default();
    assert_eq!(outer.call_debug(&mut store, &[Val::I32(5)], &mut hook).unwrap(), vec![Val::I32(106)]);
    // The outer hook sees the exception once: where it comes out of the host call (it
    // was thrown in a nested call, whose own hook saw the `throw`).
    assert_eq!(hook.throws, 1, "the outer interpreter re-throws it from the host call");
    // Outer on the JIT too.
    assert_eq!(outer.call(&mut store, &[Val::I32(5)]).unwrap(), vec![Val::I32(106)]);
    assert!(store.live_exceptions() <= 2, "{}", store.live_exceptions());
}
