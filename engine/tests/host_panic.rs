//! A host function that panics: the panic reaches the embedder on both tiers (on the JIT
//! it cannot unwind through compiled frames, so it is caught and resumed after them), and
//! the store stays usable afterwards.

use wasmscope_engine::syntax::{FuncType, ValType};
use wasmscope_engine::{Config, Engine, Extern, Func, Linker, Module, Store, Tier, Val};

const WAT: &str = r#"(module
  (import "env" "boom" (func $boom (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $boom)
  (type $t (func (param i32) (result i32)))
  (func (export "direct") (param i32) (result i32)
    (i32.add (call $boom (local.get 0)) (i32.const 1)))
  (func (export "indirect") (param i32) (result i32)
    (call_indirect (type $t) (local.get 0) (i32.const 0)))
  (func (export "seven") (result i32) (i32.const 7)))"#;

#[test]
fn a_host_panic_reaches_the_embedder_and_the_store_survives() {
    // Six hundred expected panics: keep them off the test output (this binary has no
    // other test whose panics would matter).
    std::panic::set_hook(Box::new(|_| {}));
    for tier in [Tier::Interpreter, Tier::Jit] {
        let engine = Engine::new(Config::with_tier(tier));
        let module = Module::new(&engine, &wat::parse_str(WAT).expect("valid text")).expect("valid module");
        let mut store = Store::new(&engine);
        let boom = Func::new_host(&mut store, FuncType::new([ValType::I32], [ValType::I32]), |_, args| match args {
            [Val::I32(0)] => panic!("host function says no"),
            [Val::I32(x)] => Ok(vec![Val::I32(x * 2)]),
            _ => unreachable!("checked by the function type"),
        });
        let mut linker = Linker::new();
        linker.define("env", "boom", Extern::Func(boom));
        let instance = linker.instantiate(&mut store, &module).expect("instantiates");
        for export in ["direct", "indirect"] {
            let f = instance.func(&store, export).expect("export");
            // Many panics in a row: no nesting count may leak (the limit is 256).
            for _ in 0..300 {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f.call(&mut store, &[Val::I32(0)])));
                let payload = r.expect_err("the panic reaches the caller");
                let text = payload.downcast_ref::<&str>().copied().unwrap_or_default();
                assert_eq!(text, "host function says no", "{tier:?} {export}");
            }
            let ok = f.call(&mut store, &[Val::I32(20)]).expect("runs after the panics");
            let expected = if export == "direct" { 41 } else { 40 };
            assert_eq!(ok, vec![Val::I32(expected)], "{tier:?} {export}");
        }
        let seven = instance.func(&store, "seven").expect("export");
        assert_eq!(seven.call(&mut store, &[]).expect("runs"), vec![Val::I32(7)]);
    }
}
