//! 1000 instantiations (each in its own store, with a memory) leave no mappings behind,
//! on every tier and bounds-check strategy. Its own test binary, so no other test changes
//! the process's mappings meanwhile.

#![allow(clippy::unwrap_used, reason = "test helpers run per tier outside #[test] fns")]

use wasmscope_engine::{BoundsChecks, Config, Engine, Linker, Module, Store, Tier, Val};

fn maps() -> usize {
    std::fs::read_to_string("/proc/self/maps").map_or(0, |m| m.lines().count())
}

#[test]
fn instantiations_do_not_leak_mappings() {
    let wat = r#"(module (memory 1) (func (export "f") (result i32) (i32.store (i32.const 8) (i32.const 3)) (i32.load (i32.const 8))))"#;
    let bytes = wat::parse_str(wat).expect("parses");
    for &tier in Tier::ALL {
        for bounds_checks in [BoundsChecks::GuardPages, BoundsChecks::Explicit] {
            let engine = Engine::new(Config { tier, bounds_checks, ..Config::default() });
            let module = Module::new(&engine, &bytes).expect("valid");
            let run = || {
                let mut store = Store::new(&engine);
                let i = Linker::new().instantiate(&mut store, &module).expect("instantiates");
                let r = i.func(&store, "f").expect("export").call(&mut store, &[]).expect("runs");
                assert_eq!(r, vec![Val::I32(3)]);
            };
            for _ in 0..10 {
                run();
            }
            let before = maps();
            for _ in 0..1000 {
                run();
            }
            let after = maps();
            assert!(after <= before + 8, "{tier:?} {bounds_checks:?}: {before} -> {after} mappings");
        }
    }
}
