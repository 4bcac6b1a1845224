//! Long runs of threaded code on a small host stack.
//!
//! In optimised builds the interpreter's handlers call each other in tail position and
//! rely on the compiler turning those calls into jumps (see `interp::threaded`); if one
//! did not, a long loop would grow the host stack by a frame per instruction and crash.
//! In builds with debug assertions every handler returns to the loop instead. This test
//! runs loops of many millions of instructions (fewer with debug assertions, where the
//! interpreter is slower) on a 1 MiB thread (the JIT keeps 256 KiB of it for the host), so both forms are exercised: `cargo test`
//! covers the returning form and CI also runs it with `--release` for the chained one.

use wasmscope_engine::{Config, Engine, Linker, Module, Store, Tier};

/// Every kind of handler in one loop body: arithmetic of each type, immediates,
/// compare-and-jumps with slots and constants, loads and stores of each width, select,
/// a value-moving branch, a const that is not folded, and a call (which leaves the chain).
const WAT: &str = r#"(module
  (memory 1)
  (func $mix (param i64) (result i64)
    (i64.xor (i64.mul (local.get 0) (i64.const 0x9E3779B97F4A7C15)) (i64.const 7)))
  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $acc i64) (local $f f64)
    (loop $top
      (i32.store8 (i32.and (local.get $i) (i32.const 1023)) (local.get $i))
      (i32.store16 offset=2048 (i32.and (local.get $i) (i32.const 1022)) (local.get $i))
      (i64.store offset=4096 (i32.and (local.get $i) (i32.const 1016)) (local.get $acc))
      (local.set $acc
        (i64.add (local.get $acc)
          (i64.extend_i32_u (i32.load8_u (i32.and (local.get $i) (i32.const 1023))))))
      (local.set $acc
        (i64.add (local.get $acc)
          (i64.load16_s offset=2048 (i32.and (local.get $i) (i32.const 1022)))))
      (local.set $f (f64.add (local.get $f) (f64.convert_i32_u (local.get $i))))
      (local.set $acc
        (select (local.get $acc) (i64.rotl (local.get $acc) (i64.const 5))
          (i32.lt_u (local.get $i) (i32.const 12345))))
      (if (i32.eqz (i32.rem_u (local.get $i) (i32.const 4096)))
        (then (local.set $acc (call $mix (local.get $acc)))))
      (local.set $acc
        (block (result i64)
          (drop (br_if 0 (local.get $acc) (i32.gt_u (local.get $i) (i32.const 100))))
          (i64.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $top (i32.lt_u (local.get $i) (local.get $n))))
    (i64.add (local.get $acc) (i64.trunc_f64_u (local.get $f)))))"#;

fn run(tier: Tier, n: i32) -> i64 {
    let engine = Engine::new(Config::with_tier(tier));
    let module = Module::new(&engine, &wat::parse_str(WAT).expect("valid text")).expect("valid module");
    let mut store = Store::new(&engine);
    let instance = Linker::new().instantiate(&mut store, &module).expect("instantiates");
    let run = instance.func(&store, "run").expect("export").typed::<i32, i64>(&store).expect("type");
    run.call(&mut store, n).expect("runs")
}

#[test]
fn a_long_loop_runs_on_a_small_host_stack_on_both_tiers() {
    // About 30 ops per iteration: some 300 million in release.
    let n = if cfg!(debug_assertions) { 200_000 } else { 10_000_000 };
    let results = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || (run(Tier::Interpreter, n), run(Tier::Jit, n)))
        .expect("spawns")
        .join()
        .expect("no crash");
    assert_eq!(results.0, results.1, "interpreter and JIT disagree");
    assert_ne!(results.0, 0);
}

/// A counter that tail-calls itself (`return_call`) once per count, and its indirect
/// twin (`return_call_indirect` through a table): each call reuses the frame, so the
/// chain runs in constant host stack, value stack and frame depth on both tiers.
const TAIL_WAT: &str = r#"(module
  (type $step (func (param i64 i64) (result i64)))
  (table 1 funcref)
  (elem (i32.const 0) $indirect)
  (func $count (export "count") (type $step)
    (if (result i64) (i64.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call $count
        (i64.sub (local.get 0) (i64.const 1))
        (i64.add (local.get 1) (i64.xor (local.get 0) (i64.const 0x55)))))))
  (func $indirect (export "indirect") (type $step)
    (if (result i64) (i64.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call_indirect (type $step)
        (i64.sub (local.get 0) (i64.const 1))
        (i64.add (local.get 1) (i64.xor (local.get 0) (i64.const 0x55)))
        (i32.const 0))))))"#;

/// The value `count` and `indirect` compute for `n`.
fn tail_expected(n: i64) -> i64 {
    (1..=n).fold(0i64, |acc, k| acc.wrapping_add(k ^ 0x55))
}

fn run_tail(tier: Tier, export: &str, n: i64) -> (i64, std::time::Duration) {
    let features = wasmscope_engine::Features { tail_call: true, ..wasmscope_engine::Features::wasm2() };
    let engine = Engine::new(Config { features, ..Config::with_tier(tier) });
    let module = Module::new(&engine, &wat::parse_str(TAIL_WAT).expect("valid text")).expect("valid module");
    assert!(module.jit_error().is_none(), "{:?}", module.jit_error());
    let mut store = Store::new(&engine);
    let instance = Linker::new().instantiate(&mut store, &module).expect("instantiates");
    let f = instance.func(&store, export).expect("export").typed::<(i64, i64), i64>(&store).expect("type");
    let start = std::time::Instant::now();
    let r = f.call(&mut store, (n, 0)).expect("runs");
    (r, start.elapsed())
}

#[test]
fn a_billion_tail_calls_run_in_constant_stack_on_both_tiers() {
    // A billion in release (the chained handlers' jumps, the JIT's `tail` convention);
    // with debug assertions the interpreter returns to its loop after each op, and is
    // far slower.
    let (direct, indirect) = if cfg!(debug_assertions) { (300_000, 100_000) } else { (1_000_000_000, 100_000_000) };
    let results = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || {
            let mut out = Vec::new();
            for &tier in Tier::ALL {
                for (export, n) in [("count", direct), ("indirect", indirect)] {
                    let (r, time) = run_tail(tier, export, n);
                    eprintln!("{tier:?} {export} x {n}: {time:?}");
                    out.push((tier, export, n, r));
                }
            }
            out
        })
        .expect("spawns")
        .join()
        .expect("no crash");
    for (tier, export, n, r) in results {
        assert_eq!(r, tail_expected(n), "{tier:?} {export}");
    }
}
