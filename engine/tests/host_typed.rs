//! Host functions defined from typed closures (`Func::wrap`): the same results, traps,
//! panics and re-entry on both tiers and with every JIT compilation mode, called
//! directly, through a table, and from the embedder.

use wasmscope_engine::syntax::{FuncType, ValType};
use wasmscope_engine::{
    Caller, Config, Engine, Error, Extern, Func, JitCompile, Linker, Module, Store, Tier, Trap, Val,
};

const WAT: &str = r#"(module
  (import "env" "mix" (func $mix (param i32 i64 f32 f64) (result f64)))
  (import "env" "pair" (func $pair (param i32) (result i32 i64)))
  (import "env" "fail" (func $fail (param i32) (result i32)))
  (import "env" "again" (func $again (param i32) (result i32)))
  (import "env" "note" (func $note (param i32)))
  (memory (export "memory") 1)
  (table 2 funcref)
  (elem (i32.const 0) $mix $fail)
  (type $mixt (func (param i32 i64 f32 f64) (result f64)))
  (func (export "direct") (param i32) (result f64)
    (call $note (local.get 0))
    (call $mix (local.get 0) (i64.const -5) (f32.const 1.5) (f64.const 0.25)))
  (func (export "indirect") (param i32) (result f64)
    (call_indirect (type $mixt) (local.get 0) (i64.const -5) (f32.const 1.5) (f64.const 0.25) (i32.const 0)))
  (func (export "pair_sum") (param i32) (result i64)
    (local $lo i32) (local $hi i64)
    (call $pair (local.get 0))
    (local.set $hi)
    (local.set $lo)
    (i64.add (local.get $hi) (i64.extend_i32_s (local.get $lo))))
  (func (export "fail") (param i32) (result i32) (call $fail (local.get 0)))
  (func $twice (export "twice") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "again") (param i32) (result i32) (i32.add (call $again (local.get 0)) (i32.const 1))))"#;

fn engines() -> Vec<Engine> {
    let mut v = vec![Engine::new(Config::with_tier(Tier::Interpreter))];
    for &jit_compile in JitCompile::ALL {
        v.push(Engine::new(Config { tier: Tier::Jit, jit_compile, ..Config::default() }));
    }
    v
}

fn define(store: &mut Store, linker: &mut Linker) {
    let mix = Func::wrap(store, |_: &mut Caller<'_>, (a, b, c, d): (i32, i64, f32, f64)| {
        Ok::<f64, Trap>(a as f64 * 1000.0 + b as f64 + c as f64 + d)
    });
    let pair = Func::wrap(store, |_: &mut Caller<'_>, x: i32| Ok::<(i32, i64), Trap>((x - 1, (x as i64) << 40)));
    let fail = Func::wrap(store, |_: &mut Caller<'_>, x: i32| match x {
        0 => Err(Trap::host("the host refuses 0")),
        1 => panic!("the host panics on 1"),
        x => Ok(x + 100),
    });
    // Re-entry: calls the instance's `twice` export, and writes to its memory.
    let again = Func::wrap(store, |caller: &mut Caller<'_>, x: i32| {
        let Some(Extern::Func(twice)) = caller.get_export("twice") else { return Err(Trap::host("no twice")) };
        let Some(Extern::Memory(memory)) = caller.get_export("memory") else { return Err(Trap::host("no memory")) };
        if let Some(data) = caller.memory_data(memory) {
            data[8] = x as u8;
        }
        match twice.call(caller.store(), &[Val::I32(x)]) {
            Ok(r) => match r[..] {
                [Val::I32(y)] => Ok(y),
                _ => Err(Trap::host("twice returned something else")),
            },
            Err(Error::Trap(t)) => Err(*t),
            Err(e) => Err(Trap::host(e.to_string())),
        }
    });
    let note = Func::wrap(store, |_: &mut Caller<'_>, _: i32| Ok::<(), Trap>(()));
    for (name, f) in [("mix", mix), ("pair", pair), ("fail", fail), ("again", again), ("note", note)] {
        linker.define("env", name, Extern::Func(f));
    }
}

#[test]
fn typed_host_functions_behave_alike_everywhere() {
    std::panic::set_hook(Box::new(|_| {}));
    let bytes = wat::parse_str(WAT).expect("valid text");
    for engine in engines() {
        let c = engine.config();
        let what = format!("{} {}", c.tier.name(), c.jit_compile.name());
        let module = Module::new(&engine, &bytes).expect("valid module");
        let mut store = Store::new(&engine);
        let mut linker = Linker::new();
        define(&mut store, &mut linker);
        let i = linker.instantiate(&mut store, &module).expect("instantiates");
        let call =
            |store: &mut Store, name: &str, x: i32| i.func(store, name).expect("export").call(store, &[Val::I32(x)]);
        let expected = Val::F64((7000.0f64 - 5.0 + 1.5 + 0.25).to_bits());
        assert_eq!(call(&mut store, "direct", 7).expect("runs"), vec![expected], "{what}");
        assert_eq!(call(&mut store, "indirect", 7).expect("runs"), vec![expected], "{what}");
        assert_eq!(call(&mut store, "pair_sum", 3).expect("runs"), vec![Val::I64((3i64 << 40) + 2)], "{what}");
        assert_eq!(call(&mut store, "fail", 5).expect("runs"), vec![Val::I32(105)], "{what}");
        let Err(Error::Trap(t)) = call(&mut store, "fail", 0) else { panic!("{what}: traps") };
        assert_eq!(t.message.as_deref(), Some("the host refuses 0"), "{what}");
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| call(&mut store, "fail", 1)));
        assert!(panicked.is_err(), "{what}: the panic reaches the embedder");
        assert_eq!(call(&mut store, "again", 21).expect("runs after a panic"), vec![Val::I32(43)], "{what}");
        let Some(Extern::Memory(m)) = i.export(&store, "memory") else { panic!("memory") };
        assert_eq!(store.memory_byte(m, 8), Some(21), "{what}");
        // From the embedder, typed and untyped.
        let Some(Extern::Func(host)) = linker.get("env", "pair") else { panic!("pair") };
        assert_eq!(host.ty(&store), FuncType::new([ValType::I32], [ValType::I32, ValType::I64]));
        assert_eq!(host.call(&mut store, &[Val::I32(2)]).expect("runs"), vec![Val::I32(1), Val::I64(2 << 40)]);
        let typed = host.typed::<i32, (i32, i64)>(&store).expect("types match");
        assert_eq!(typed.call(&mut store, 4).expect("runs"), (3, 4 << 40));
    }
}
