//! When the JIT compiles (`Config::jit_compile`): lazily on first call, tiered (lazily,
//! then the whole module in the background), or eagerly. Every mode must give the
//! interpreter's results, traps and backtraces; lazily, functions never called are never
//! compiled.

use std::time::{Duration, Instant};

use wasmscope_engine::{Config, Engine, Error, JitCompile, Linker, Module, Store, Tier, Val};

/// `main(n)` reaches `f0` … `f9` by direct calls, `g` through the table, and traps in
/// `boom` when `n` is negative; `unused0` … `unused29` are never called.
fn program() -> Vec<u8> {
    let mut wat = String::from(
        r#"(module (memory 1) (table 1 funcref) (elem (i32.const 0) $g)
          (type $ii (func (param i32) (result i32)))
          (func $boom (param i32) (result i32) (unreachable))
          (func $g (type $ii) (i32.mul (local.get 0) (i32.const 3)))
          (func $main (export "main") (param i32) (result i32)
            (if (i32.lt_s (local.get 0) (i32.const 0)) (then (return (call $boom (local.get 0)))))
            (i32.add (call $f0 (local.get 0))
                     (call_indirect (type $ii) (local.get 0) (i32.const 0))))
          (func $rec (export "rec") (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0))
              (then (call $f9 (i32.const 1)))
              (else (i32.add (i32.const 1) (call $rec (i32.sub (local.get 0) (i32.const 1)))))))
"#,
    );
    for i in 0..10 {
        let next = if i < 9 {
            format!("(call $f{} (i32.add (local.get 0) (i32.const {i})))", i + 1)
        } else {
            "(local.get 0)".to_string()
        };
        wat.push_str(&format!("(func $f{i} (param i32) (result i32) (i32.xor {next} (i32.const {})))\n", i * 7));
    }
    for i in 0..30 {
        wat.push_str(&format!("(func $unused{i} (param i32) (result i32) (i32.add (local.get 0) (i32.const {i})))\n"));
    }
    wat.push(')');
    wat::parse_str(&wat).expect("test WAT parses")
}

fn engine(tier: Tier, jit_compile: JitCompile) -> Engine {
    Engine::new(Config { tier, jit_compile, ..Config::default() })
}

fn call(store: &mut Store, i: wasmscope_engine::Instance, name: &str, arg: i32) -> Result<Vec<Val>, Error> {
    let f = i.func(store, name).expect("export");
    f.call(store, &[Val::I32(arg)])
}

/// (results of main and rec, trap message and backtrace names of main(-1)).
fn outcomes(engine: &Engine, module: &Module) -> (Vec<Vec<Val>>, String, Vec<Option<String>>) {
    let mut store = Store::new(engine);
    let i = Linker::new().instantiate(&mut store, module).expect("instantiates");
    let mut results = Vec::new();
    for n in [0, 5, 1000] {
        results.push(call(&mut store, i, "main", n).expect("runs"));
    }
    results.push(call(&mut store, i, "rec", 200).expect("runs"));
    let Err(Error::Trap(t)) = call(&mut store, i, "main", -1) else { panic!("main(-1) traps") };
    let names = t.backtrace.iter().map(|f| f.name.clone()).collect();
    (results, t.to_string(), names)
}

#[test]
fn every_mode_gives_the_interpreters_results_traps_and_backtraces() {
    let bytes = program();
    let interp = engine(Tier::Interpreter, JitCompile::Lazy);
    let expected = outcomes(&interp, &Module::new(&interp, &bytes).expect("valid"));
    assert_eq!(expected.2, vec![Some("boom".to_string()), Some("main".to_string())]);
    for &mode in JitCompile::ALL {
        let e = engine(Tier::Jit, mode);
        let module = Module::new(&e, &bytes).expect("valid");
        assert_eq!(outcomes(&e, &module), expected, "{}", mode.name());
        assert_eq!(module.jit_error(), None);
    }
}

#[test]
fn lazily_only_called_functions_are_compiled() {
    let bytes = program();
    let e = engine(Tier::Jit, JitCompile::Lazy);
    let module = Module::new(&e, &bytes).expect("valid");
    let total = module.syntax().code.len();
    assert_eq!(module.compiled_functions(), Some((0, total)), "nothing compiled before the first call");
    let mut store = Store::new(&e);
    let i = Linker::new().instantiate(&mut store, &module).expect("instantiates");
    call(&mut store, i, "main", 3).expect("runs");
    // main, f0..f9 and g (through the table).
    assert_eq!(module.compiled_functions(), Some((12, total)));
    call(&mut store, i, "main", 4).expect("runs");
    assert_eq!(module.compiled_functions(), Some((12, total)), "compiled once");

    let eager = engine(Tier::Jit, JitCompile::Eager);
    let module = Module::new(&eager, &bytes).expect("valid");
    assert_eq!(module.compiled_functions(), Some((total, total)));
    assert!(module.compile_time().is_some_and(|t| t > Duration::ZERO));
    let interp = engine(Tier::Interpreter, JitCompile::Eager);
    assert_eq!(Module::new(&interp, &bytes).expect("valid").compiled_functions(), None);
}

#[test]
fn tiered_compiles_the_whole_module_in_the_background_and_keeps_results() {
    let bytes = program();
    let e = engine(Tier::Jit, JitCompile::Tiered);
    let module = Module::new(&e, &bytes).expect("valid");
    let total = module.syntax().code.len();
    let before = outcomes(&e, &module);
    let deadline = Instant::now() + Duration::from_secs(60);
    while module.compiled_functions() != Some((total, total)) {
        assert!(Instant::now() < deadline, "the background compilation finishes");
        std::thread::sleep(Duration::from_millis(5));
    }
    // The background code has taken over (`unused*` exist only there); same results.
    assert_eq!(outcomes(&e, &module), before);
}

#[test]
fn lazy_compilation_on_a_small_stack_and_on_many_threads() {
    let bytes = program();
    let interp = engine(Tier::Interpreter, JitCompile::Lazy);
    let expected = outcomes(&interp, &Module::new(&interp, &bytes).expect("valid"));
    for mode in [JitCompile::Lazy, JitCompile::Tiered] {
        let e = engine(Tier::Jit, mode);
        // One module shared by threads that each compile what they call first, on stacks
        // too small to compile on (the compiler then gets a thread of its own).
        let module = Module::new(&e, &bytes).expect("valid");
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (e, module) = (e.clone(), module.clone());
                std::thread::Builder::new()
                    .stack_size(768 * 1024)
                    .spawn(move || outcomes(&e, &module))
                    .expect("thread starts")
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().expect("no panic"), expected, "{}", mode.name());
        }
    }
}
