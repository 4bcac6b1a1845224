//! SIMD on both tiers, beyond the spec suite: `v128` values through every kind of call
//! (direct, through the table of bodies, `call_indirect` on both of its paths, imports of
//! another instance's functions: values areas with two slots per `v128`), `v128` globals
//! shared between instances and the embedder, and bounds checks of exactly the bytes each
//! access reads or writes. Each runs on the interpreter, and on the JIT with both
//! bounds-check strategies, compiled eagerly and lazily.

#![allow(clippy::unwrap_used, reason = "test helpers")]

use wasmscope_engine::{BoundsChecks, Config, Engine, Error, JitCompile, Linker, Module, Store, Tier, TrapCode, Val};

/// The interpreter, and the JIT tier with every (bounds-check strategy, compile mode)
/// combination.
fn configs() -> Vec<Config> {
    let mut v = vec![Config::with_tier(Tier::Interpreter)];
    for bounds_checks in [BoundsChecks::GuardPages, BoundsChecks::Explicit] {
        for jit_compile in [JitCompile::Eager, JitCompile::Lazy] {
            v.push(Config { tier: Tier::Jit, bounds_checks, jit_compile, ..Config::default() });
        }
    }
    v
}

fn module(engine: &Engine, wat: &str) -> Module {
    let module = Module::new(engine, &wat::parse_str(wat).expect("test WAT parses")).expect("valid");
    assert_eq!(module.jit_error(), None, "the JIT compiles the module");
    module
}

/// `mixed` takes and returns `v128`s between scalars, so every slot offset after the first
/// `v128` of a values area is off by one if a `v128` is counted as one slot.
const LIB: &str = r#"(module
  (type $mixed (func (param i32 v128 f64 v128) (result v128 i64 v128)))
  (table (export "tab") 1 funcref)
  (elem (i32.const 0) $mixed)
  (func $mixed (export "mixed") (type $mixed)
    (i32x4.add (local.get 1) (local.get 3))
    (i64.add (i64.extend_i32_s (local.get 0)) (i64.trunc_f64_s (local.get 2)))
    (v128.xor (local.get 1) (local.get 3))))"#;

const USER: &str = r#"(module
  (type $mixed (func (param i32 v128 f64 v128) (result v128 i64 v128)))
  (import "lib" "mixed" (func $imported (type $mixed)))
  (import "lib" "tab" (table $other 1 funcref))
  (table $own 1 funcref)
  (elem (table $own) (i32.const 0) func $local)
  (func $local (type $mixed)
    (i32x4.add (local.get 1) (local.get 3))
    (i64.add (i64.extend_i32_s (local.get 0)) (i64.trunc_f64_s (local.get 2)))
    (v128.xor (local.get 1) (local.get 3)))
  ;; Calls `mixed` by way `k` and returns a bit per result that is right (7: all).
  (func (export "run") (param $k i32) (result i32)
    (local $r1 v128) (local $r2 i64) (local $r3 v128)
    (i32.const 7)
    (v128.const i32x4 1 2 3 4)
    (f64.const 2.5)
    (v128.const i32x4 10 20 30 40)
    (block $b3 (param i32 v128 f64 v128) (result v128 i64 v128)
      (block $b2 (param i32 v128 f64 v128) (result i32 v128 f64 v128)
        (block $b1 (param i32 v128 f64 v128) (result i32 v128 f64 v128)
          (block $b0 (param i32 v128 f64 v128) (result i32 v128 f64 v128)
            (br_table $b0 $b1 $b2 (local.get $k)))
          (call $local)
          (br $b3))
        (call_indirect $own (type $mixed) (i32.const 0))
        (br $b3))
      (if (param i32 v128 f64 v128) (result v128 i64 v128) (i32.eq (local.get $k) (i32.const 2))
        (then (call_indirect $other (type $mixed) (i32.const 0)))
        (else (call $imported))))
    (local.set $r3)
    (local.set $r2)
    (local.set $r1)
    (i32.or
      (i32x4.all_true (i32x4.eq (local.get $r1) (v128.const i32x4 11 22 33 44)))
      (i32.or
        (i32.shl (i64.eq (local.get $r2) (i64.const 9)) (i32.const 1))
        (i32.shl (i32x4.all_true (i32x4.eq (local.get $r3) (v128.const i32x4 11 22 29 44))) (i32.const 2))))))"#;

#[test]
fn v128_crosses_every_kind_of_call() {
    for config in configs() {
        let engine = Engine::new(config);
        let mut store = Store::new(&engine);
        let lib = Linker::new().instantiate(&mut store, &module(&engine, LIB)).expect("instantiates");
        let mut linker = Linker::new();
        linker.define("lib", "mixed", lib.export(&store, "mixed").unwrap());
        linker.define("lib", "tab", lib.export(&store, "tab").unwrap());
        let user = linker.instantiate(&mut store, &module(&engine, USER)).expect("instantiates");
        let run = user.func(&store, "run").unwrap();
        // 0: direct; 1: call_indirect in the module; 2: call_indirect through another
        // instance's table; 3: the import. Twice each: the first `call_indirect` of a
        // function takes the libcall, the next the inline path.
        for k in [0, 1, 2, 3, 1, 2] {
            let r = run.call(&mut store, &[Val::I32(k)]).expect("runs");
            assert_eq!(r, vec![Val::I32(7)], "{config:?}, way {k}");
        }
    }
}

#[test]
fn v128_globals_are_shared_by_address() {
    for config in configs() {
        let engine = Engine::new(config);
        let mut store = Store::new(&engine);
        let owner = module(
            &engine,
            r#"(module
              (global $g (export "g") (mut v128) (v128.const i64x2 0x0102030405060708 0x1112131415161718))
              (func (export "hi") (result i64) (i64x2.extract_lane 1 (global.get $g)))
              (func (export "lo") (result i64) (i64x2.extract_lane 0 (global.get $g))))"#,
        );
        let owner = Linker::new().instantiate(&mut store, &owner).expect("instantiates");
        let mut linker = Linker::new();
        linker.define("owner", "g", owner.export(&store, "g").unwrap());
        let user = module(
            &engine,
            r#"(module
              (import "owner" "g" (global $g (mut v128)))
              (func (export "swap")
                (global.set $g (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
                  (global.get $g) (global.get $g)))))"#,
        );
        let user = linker.instantiate(&mut store, &user).expect("instantiates");
        let call = |store: &mut Store, name: &str, inst: &wasmscope_engine::Instance| {
            inst.func(store, name).unwrap().call(store, &[]).expect("runs")
        };
        call(&mut store, "swap", &user);
        assert_eq!(call(&mut store, "lo", &owner), vec![Val::I64(0x1112131415161718)], "{config:?}");
        assert_eq!(call(&mut store, "hi", &owner), vec![Val::I64(0x0102030405060708)], "{config:?}");
        let g = owner.global(&store, "g").unwrap();
        assert_eq!(g.get(&store), Val::V128(0x0102030405060708_1112131415161718), "{config:?}");
        g.set(&mut store, Val::V128(0xAAAA_u128 << 64 | 0x5555)).unwrap();
        assert_eq!(call(&mut store, "lo", &owner), vec![Val::I64(0x5555)], "{config:?}");
        assert_eq!(call(&mut store, "hi", &owner), vec![Val::I64(0xAAAA)], "{config:?}");
    }
}

/// Each access, with the number of bytes it reads or writes.
const ACCESSES: [(&str, u32); 12] = [
    ("(drop (v128.load (local.get 0)))", 16),
    ("(drop (v128.load8x8_s (local.get 0)))", 8),
    ("(drop (v128.load32x2_u (local.get 0)))", 8),
    ("(drop (v128.load8_splat (local.get 0)))", 1),
    ("(drop (v128.load32_splat (local.get 0)))", 4),
    ("(drop (v128.load64_zero (local.get 0)))", 8),
    ("(drop (v128.load16_lane 3 (local.get 0) (v128.const i64x2 0 0)))", 2),
    ("(drop (v128.load64_lane 1 (local.get 0) (v128.const i64x2 0 0)))", 8),
    ("(v128.store (local.get 0) (v128.const i64x2 -1 -1))", 16),
    ("(v128.store8_lane 15 (local.get 0) (v128.const i64x2 -1 -1))", 1),
    ("(v128.store32_lane 2 (local.get 0) (v128.const i64x2 -1 -1))", 4),
    ("(v128.store64_lane 0 (local.get 0) (v128.const i64x2 -1 -1))", 8),
];

#[test]
fn simd_bounds_checks_cover_exactly_the_bytes_accessed() {
    for config in configs() {
        let engine = Engine::new(config);
        let funcs: String = ACCESSES
            .iter()
            .enumerate()
            .map(|(i, (body, _))| format!("(func (export \"f{i}\") (param i32) {body})"))
            .collect();
        let m = module(&engine, &format!("(module (memory (export \"mem\") 1) {funcs})"));
        let mut store = Store::new(&engine);
        let inst = Linker::new().instantiate(&mut store, &m).expect("instantiates");
        let mem = inst.memory(&store, "mem").unwrap();
        for (i, (body, width)) in ACCESSES.iter().enumerate() {
            let f = inst.func(&store, &format!("f{i}")).unwrap();
            let last = 65536 - width;
            f.call(&mut store, &[Val::I32(last as i32)]).unwrap_or_else(|e| panic!("{body} at {last}: {e}"));
            mem.data_mut(&mut store).fill(0);
            match f.call(&mut store, &[Val::I32(last as i32 + 1)]) {
                Err(Error::Trap(t)) => assert_eq!(t.code, TrapCode::MemoryOutOfBounds, "{body}, {config:?}"),
                other => panic!("{body} at {}: expected a trap, got {other:?} ({config:?})", last + 1),
            }
            // A store that traps writes nothing, not even its bytes inside the memory.
            assert!(mem.data(&store).iter().all(|b| *b == 0), "{body}, {config:?}");
        }
    }
}

/// Entering JIT code with `v128` arguments and results: the entry wrapper's values area
/// counts two slots per `v128`.
#[test]
fn v128_arguments_and_results_from_the_embedder() {
    for config in configs() {
        let engine = Engine::new(config);
        let mut store = Store::new(&engine);
        let lib = Linker::new().instantiate(&mut store, &module(&engine, LIB)).expect("instantiates");
        let mixed = lib.func(&store, "mixed").unwrap();
        let v = |lanes: [u32; 4]| Val::V128(lanes.iter().rev().fold(0u128, |acc, l| acc << 32 | u128::from(*l)));
        let args = [Val::I32(7), v([1, 2, 3, 4]), Val::F64(2.5f64.to_bits()), v([10, 20, 30, 40])];
        let r = mixed.call(&mut store, &args).expect("runs");
        assert_eq!(r, vec![v([11, 22, 33, 44]), Val::I64(9), v([11, 22, 29, 44])], "{config:?}");
    }
}
