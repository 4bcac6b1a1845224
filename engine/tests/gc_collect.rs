//! The GC collector, on both tiers: a program that allocates far more than the collection
//! threshold with a small live set keeps its heap (and the process's memory) bounded; a
//! deep linked structure held by a global, by a local of a frame further up and by a
//! table survives many collections intact, and so does one held only by locals (the
//! JIT's stack maps), also across a host function that calls back into wasm (the JIT's
//! suspended activations); a reference the host was handed survives collections too.

#![allow(clippy::unwrap_used, reason = "test setup")]

use wasmscope_engine::syntax::{FuncType, ValType};
use wasmscope_engine::{
    AnyRef, Caller, Config, Engine, Extern, ExternRef, Features, Func, Linker, Module, Store, Tier, Trap, Val,
};

const WAT: &str = r#"(module
  (import "host" "churn" (func $host_churn (param i32) (result i64)))
  (import "host" "keep" (func $keep (param anyref)))
  (import "host" "held" (func $held (result anyref)))
  (import "host" "echo" (func $echo (param externref) (result externref)))
  (type $node (struct (field $v i32) (field $next (ref null $node))))
  (type $blob (array (mut i64)))
  (global $keep (mut (ref null $node)) (ref.null $node))
  (table $t 1 (ref null $node))

  ;; n blobs of 32 i64s (272 bytes each), each dropped at once; returns the sum of one
  ;; element of each, so they are really made and filled.
  (func $churn (export "churn") (param $n i32) (result i64)
    (local $b (ref null $blob)) (local $s i64)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $b (array.new $blob (i64.extend_i32_u (local.get $n)) (i32.const 32)))
        (local.set $s (i64.add (local.get $s) (array.get $blob (local.get $b) (i32.const 31))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $s))

  ;; A list of n nodes (values 1..n), in the global, the table and this frame's local,
  ;; with garbage made between nodes; then walks the list from all three and sums.
  (func (export "survive") (param $n i32) (result i64 i64 i64)
    (local $head (ref null $node)) (local $i i32) (local $garbage i64)
    (loop $build
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (local.set $head (struct.new $node (local.get $i) (local.get $head)))
      (global.set $keep (local.get $head))
      (table.set $t (i32.const 0) (local.get $head))
      (local.set $garbage (i64.add (local.get $garbage) (call $churn (i32.const 40))))
      (br_if $build (i32.lt_u (local.get $i) (local.get $n))))
    (call $sum (local.get $head))
    (call $sum (global.get $keep))
    (call $sum (table.get $t (i32.const 0))))

  (func $sum (param $p (ref null $node)) (result i64)
    (local $s i64)
    (block $done
      (loop $l
        (local.set $s (i64.add (local.get $s)
          (i64.extend_i32_u (struct.get $node $v (br_on_null $done (local.get $p))))))
        (local.set $p (struct.get $node $next (local.get $p)))
        (br $l)))
    (local.get $s))

  ;; A list of n nodes held only by this frame's local (and the operand stack), with
  ;; garbage made between nodes, directly or through the host (which calls churn back).
  (func (export "locals_only") (param $n i32) (param $via_host i32) (result i64)
    (local $head (ref null $node)) (local $i i32)
    (loop $build
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (local.set $head (struct.new $node (local.get $i) (local.get $head)))
      (if (local.get $via_host)
        (then (drop (call $host_churn (i32.const 40))))
        (else (drop (call $churn (i32.const 40)))))
      (br_if $build (i32.lt_u (local.get $i) (local.get $n))))
    ;; One more node on the operand stack across a call that collects.
    (struct.new $node (i32.const 0) (local.get $head))
    (drop (call $churn (i32.const 20000)))
    (call $sum))

  ;; Exceptions carry a node out of a call that made garbage; the catching frame's list
  ;; (in a local, live across the `try_table`'s call) survives.
  (tag $e (param (ref null $node)))
  (func $thrower (param $n i32)
    (drop (call $churn (i32.const 40)))
    (throw $e (struct.new $node (local.get $n) (ref.null $node))))
  (func (export "catching") (param $n i32) (result i64)
    (local $head (ref null $node)) (local $i i32)
    (loop $build
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (local.set $head (struct.new $node
        (struct.get $node $v
          (block $caught (result (ref null $node))
            (try_table (catch $e $caught) (call $thrower (local.get $i)))
            (unreachable)))
        (local.get $head)))
      (br_if $build (i32.lt_u (local.get $i) (local.get $n))))
    (call $sum (local.get $head)))

  ;; The host keeps a node (typed host functions taking and returning `anyref`, and
  ;; `externref` through `extern.convert_any`) across collections.
  (func (export "host_keeps") (param $n i32) (result i32)
    (call $keep (struct.new $node (local.get $n) (ref.null $node)))
    (drop (call $churn (i32.const 20000)))
    (i32.add
      (struct.get $node $v (ref.cast (ref $node) (call $held)))
      (struct.get $node $v (ref.cast (ref $node) (any.convert_extern (call $echo
        (extern.convert_any (struct.new $node (i32.const 1) (ref.null $node)))))))))

  (func (export "make") (param i32) (result anyref) (struct.new $node (local.get 0) (ref.null $node)))
  (func (export "value") (param anyref) (result i32) (struct.get $node $v (ref.cast (ref $node) (local.get 0))))
)"#;

const TIERS: [Tier; 2] = [Tier::Interpreter, Tier::Jit];

fn setup(tier: Tier) -> (Store, wasmscope_engine::Instance) {
    let features = Features::wasm3();
    let engine = Engine::new(Config { features, tier, ..Config::default() });
    let module = Module::new(&engine, &wat::parse_str(WAT).unwrap()).unwrap();
    assert_eq!(module.jit_error(), None, "every function compiles");
    let mut store = Store::new(&engine);
    // `host.churn` calls the instance's `churn` back (wasm -> host -> wasm).
    let ty = FuncType::new([ValType::I32], [ValType::I64]);
    let host_churn = Func::new_host(&mut store, ty, |caller, args| {
        let churn = match caller.get_export("churn") {
            Some(Extern::Func(f)) => f,
            _ => return Err(Trap::host("no churn export")),
        };
        churn.call(caller.store(), args).map_err(|e| Trap::host(e.to_string()))
    });
    let kept = std::rc::Rc::new(std::cell::Cell::new(None));
    let k = kept.clone();
    let keep = Func::wrap(&mut store, move |_: &mut Caller<'_>, r: Option<AnyRef>| {
        k.set(r);
        Ok::<(), Trap>(())
    });
    let held = Func::wrap(&mut store, move |_: &mut Caller<'_>, ()| Ok::<Option<AnyRef>, Trap>(kept.get()));
    let echo = Func::wrap(&mut store, |caller: &mut Caller<'_>, e: Option<ExternRef>| {
        // Garbage made while the host holds the argument.
        let churn = match caller.get_export("churn") {
            Some(Extern::Func(f)) => f,
            _ => return Err(Trap::host("no churn export")),
        };
        churn.call(caller.store(), &[Val::I32(20000)]).map_err(|e| Trap::host(e.to_string()))?;
        Ok(e)
    });
    let mut linker = Linker::new();
    linker.define("host", "churn", Extern::Func(host_churn));
    linker.define("host", "keep", Extern::Func(keep));
    linker.define("host", "held", Extern::Func(held));
    linker.define("host", "echo", Extern::Func(echo));
    let instance = linker.instantiate(&mut store, &module).unwrap();
    (store, instance)
}

/// Resident set size of this process, in bytes (Linux).
fn rss() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

#[test]
fn garbage_is_reclaimed() {
    for tier in TIERS {
        garbage_is_reclaimed_on(tier);
    }
}

fn garbage_is_reclaimed_on(tier: Tier) {
    let (mut store, instance) = setup(tier);
    let churn = instance.func(&store, "churn").unwrap();
    let before = rss();
    // 400,000 blobs: about 110 MB allocated in all.
    let n = 400_000i64;
    let r = churn.call(&mut store, &[Val::I32(n as i32)]).unwrap();
    assert_eq!(r, vec![Val::I64(n * (n + 1) / 2)]);
    let (heap, allocated, objects, collections) = store.gc_stats();
    assert!(allocated > 100 << 20, "{tier:?}: allocated {allocated} bytes");
    assert!(collections >= 10, "{tier:?}: {collections} collections");
    assert!(heap < 16 << 20, "{tier:?}: the heap holds {heap} bytes in {objects} objects");
    if let (Some(a), Some(b)) = (before, rss()) {
        assert!(b.saturating_sub(a) < 64 << 20, "{tier:?}: RSS grew from {a} to {b}");
    }
}

#[test]
fn live_structures_survive_collections() {
    for tier in TIERS {
        let (mut store, instance) = setup(tier);
        let survive = instance.func(&store, "survive").unwrap();
        let n = 3000i64;
        let r = survive.call(&mut store, &[Val::I32(n as i32)]).unwrap();
        let sum = n * (n + 1) / 2;
        assert_eq!(r, vec![Val::I64(sum), Val::I64(sum), Val::I64(sum)], "{tier:?}");
        let (_, allocated, _, collections) = store.gc_stats();
        assert!(collections >= 3, "{tier:?}: {collections} collections for {allocated} bytes allocated");
    }
}

#[test]
fn structures_held_only_by_locals_survive_collections() {
    for tier in TIERS {
        let (mut store, instance) = setup(tier);
        let f = instance.func(&store, "locals_only").unwrap();
        let n = 3000i64;
        let r = f.call(&mut store, &[Val::I32(n as i32), Val::I32(0)]).unwrap();
        assert_eq!(r, vec![Val::I64(n * (n + 1) / 2)], "{tier:?}");
        let (_, allocated, _, collections) = store.gc_stats();
        assert!(collections >= 3, "{tier:?}: {collections} collections for {allocated} bytes allocated");
    }
}

/// Through a host function that calls back into wasm: collections inside the inner
/// activation have the suspended outer one's frames as roots (the interpreter's
/// registered in the store, the JIT's walked from its last exit).
#[test]
fn structures_held_across_host_calls_survive_collections() {
    for tier in TIERS {
        let (mut store, instance) = setup(tier);
        let f = instance.func(&store, "locals_only").unwrap();
        let n = 3000i64;
        let r = f.call(&mut store, &[Val::I32(n as i32), Val::I32(1)]).unwrap();
        assert_eq!(r, vec![Val::I64(n * (n + 1) / 2)], "{tier:?}");
        let (_, allocated, _, collections) = store.gc_stats();
        assert!(collections >= 3, "{tier:?}: {collections} collections for {allocated} bytes allocated");
    }
}

#[test]
fn structures_held_across_exceptions_survive_collections() {
    for tier in TIERS {
        let (mut store, instance) = setup(tier);
        let f = instance.func(&store, "catching").unwrap();
        let n = 3000i64;
        let r = f.call(&mut store, &[Val::I32(n as i32)]).unwrap();
        assert_eq!(r, vec![Val::I64(n * (n + 1) / 2)], "{tier:?}");
        let (_, allocated, _, collections) = store.gc_stats();
        assert!(collections >= 3, "{tier:?}: {collections} collections for {allocated} bytes allocated");
    }
}

/// Typed host functions (`Func::wrap`) take and return references: what the host keeps
/// survives collections.
#[test]
fn typed_host_functions_keep_references() {
    for tier in TIERS {
        let (mut store, instance) = setup(tier);
        let f = instance.func(&store, "host_keeps").unwrap();
        assert_eq!(f.call(&mut store, &[Val::I32(41)]).unwrap(), vec![Val::I32(42)], "{tier:?}");
        assert!(store.gc_stats().3 > 0, "{tier:?}: a collection ran");
    }
}

#[test]
fn host_handles_survive_collections() {
    for tier in TIERS {
        host_handles_survive_collections_on(tier);
    }
}

fn host_handles_survive_collections_on(tier: Tier) {
    let (mut store, instance) = setup(tier);
    let make = instance.func(&store, "make").unwrap();
    let value = instance.func(&store, "value").unwrap();
    let churn = instance.func(&store, "churn").unwrap();
    let held = make.call(&mut store, &[Val::I32(77)]).unwrap();
    churn.call(&mut store, &[Val::I32(100_000)]).unwrap();
    assert!(store.gc_stats().3 > 0, "{tier:?}: a collection ran");
    assert_eq!(value.call(&mut store, &held).unwrap(), vec![Val::I32(77)]);
}
