//! The GC instructions on the JIT tier: a module using them compiles (no function falls
//! back to the interpreter, eagerly or lazily), and the inline field and element accesses,
//! `array.len`, `i31`, the casts and the libcall path agree with the interpreter,
//! traps included.

#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] fns")]

use wasmscope_engine::{
    Config, Engine, Error, Features, Instance, JitCompile, Linker, Module, Store, Tier, TrapCode, Val,
};

const WAT: &str = r#"(module
  (type $point (struct (field $x (mut i32)) (field $y (mut i64)) (field $b (mut i8))
                       (field $h (mut i16)) (field $f (mut f64)) (field $r (mut anyref))))
  (type $bytes (array (mut i8)))
  (type $longs (array (mut i64)))
  (type $sub (sub (struct (field i32))))
  (type $subsub (sub $sub (struct (field i32) (field i32))))

  (func $make (param i32 i64) (result (ref $point))
    (struct.new $point (local.get 0) (local.get 1) (i32.const -1) (i32.const 0x8001)
                       (f64.const 2.5) (ref.i31 (i32.const 7))))

  (func (export "sum") (param i32 i64) (result i64)
    (local $p (ref null $point))
    (local.set $p (call $make (local.get 0) (local.get 1)))
    (struct.set $point $x (local.get $p) (i32.add (struct.get $point $x (local.get $p)) (i32.const 1)))
    (i64.add (i64.extend_i32_s (struct.get $point $x (local.get $p)))
             (struct.get $point $y (local.get $p))))

  (func (export "packed") (result i32 i32 i32 i32)
    (local $p (ref null $point))
    (local.set $p (call $make (i32.const 0) (i64.const 0)))
    (struct.get_s $point $b (local.get $p))
    (struct.get_u $point $b (local.get $p))
    (struct.get_s $point $h (local.get $p))
    (struct.get_u $point $h (local.get $p)))

  (func (export "field_f64_ref") (result f64 i32)
    (local $p (ref null $point))
    (local.set $p (call $make (i32.const 0) (i64.const 0)))
    (struct.get $point $f (local.get $p))
    (i31.get_u (ref.cast i31ref (struct.get $point $r (local.get $p)))))

  (func (export "null_struct") (result i32)
    (struct.get $point $x (ref.null $point)))

  (func (export "array_sum") (param i32) (result i64)
    (local $a (ref null $longs)) (local $i i32) (local $s i64)
    (local.set $a (array.new $longs (i64.const 3) (local.get 0)))
    (array.set $longs (local.get $a) (i32.const 0) (i64.const 10))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (array.len (local.get $a))))
        (local.set $s (i64.add (local.get $s) (array.get $longs (local.get $a) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $s))

  (func (export "bytes") (param i32) (result i32 i32)
    (local $a (ref null $bytes))
    (local.set $a (array.new_fixed $bytes 3 (i32.const 1) (i32.const 0xff) (i32.const 3)))
    (array.get_s $bytes (local.get $a) (local.get 0))
    (array.get_u $bytes (local.get $a) (local.get 0)))

  (func (export "null_array") (result i32)
    (array.len (ref.null $bytes)))

  (func (export "i31") (param i32) (result i32 i32)
    (i31.get_s (ref.i31 (local.get 0)))
    (i31.get_u (ref.i31 (local.get 0))))

  (func (export "null_i31") (result i32)
    (i31.get_s (ref.null i31)))

  (func (export "classify") (param i32) (result i32)
    (local $r anyref)
    (local.set $r
      (if (result anyref) (i32.eqz (local.get 0))
        (then (struct.new $sub (i32.const 1)))
        (else (if (result anyref) (i32.eq (local.get 0) (i32.const 1))
          (then (struct.new $subsub (i32.const 1) (i32.const 2)))
          (else (ref.i31 (local.get 0)))))))
    (block $is_subsub (result (ref $subsub))
      (block $not_sub (result anyref)
        (br_on_cast $is_subsub anyref (ref $subsub) (local.get $r))
        (br_on_cast_fail $not_sub anyref (ref $sub))
        (drop)
        (return (i32.const 10)))
      (drop)
      (return (i32.add (i32.const 30) (ref.test (ref i31) (local.get $r)))))
    (drop)
    (i32.const 20))

  (func (export "bad_cast") (result i32)
    (ref.test (ref $sub) (ref.cast (ref $subsub) (struct.new $sub (i32.const 1)))))
)"#;

fn config(tier: Tier, jit_compile: JitCompile) -> Config {
    let features = Features { function_references: true, gc: true, tail_call: true, ..Features::wasm2() };
    Config { features, jit_compile, ..Config::with_tier(tier) }
}

fn instantiate(tier: Tier, jit_compile: JitCompile) -> (Store, Instance, Module) {
    let engine = Engine::new(config(tier, jit_compile));
    let m = Module::new(&engine, &wat::parse_str(WAT).unwrap()).unwrap();
    let mut store = Store::new(&engine);
    let inst = Linker::new().instantiate(&mut store, &m).unwrap();
    (store, inst, m)
}

fn call(store: &mut Store, inst: &Instance, name: &str, args: &[Val]) -> Result<Vec<Val>, Error> {
    inst.func(store, name).unwrap().call(store, args)
}

fn trap_code(r: Result<Vec<Val>, Error>) -> TrapCode {
    match r {
        Err(Error::Trap(t)) => t.code,
        other => panic!("expected a trap, got {other:?}"),
    }
}

fn check(tier: Tier, jit_compile: JitCompile) {
    let (mut store, inst, m) = instantiate(tier, jit_compile);
    let s = &mut store;
    assert_eq!(call(s, &inst, "sum", &[Val::I32(41), Val::I64(100)]).unwrap(), [Val::I64(142)]);
    assert_eq!(
        call(s, &inst, "packed", &[]).unwrap(),
        [Val::I32(-1), Val::I32(255), Val::I32(-32767), Val::I32(0x8001)]
    );
    assert_eq!(call(s, &inst, "field_f64_ref", &[]).unwrap(), [Val::F64(2.5f64.to_bits()), Val::I32(7)]);
    assert_eq!(trap_code(call(s, &inst, "null_struct", &[])), TrapCode::NullStructReference);
    assert_eq!(call(s, &inst, "array_sum", &[Val::I32(4)]).unwrap(), [Val::I64(19)]);
    assert_eq!(call(s, &inst, "array_sum", &[Val::I32(0)]).map_err(trap_code_of), Err(TrapCode::ArrayOutOfBounds));
    assert_eq!(call(s, &inst, "bytes", &[Val::I32(1)]).unwrap(), [Val::I32(-1), Val::I32(255)]);
    assert_eq!(trap_code(call(s, &inst, "bytes", &[Val::I32(3)])), TrapCode::ArrayOutOfBounds);
    assert_eq!(trap_code(call(s, &inst, "bytes", &[Val::I32(-1)])), TrapCode::ArrayOutOfBounds);
    assert_eq!(trap_code(call(s, &inst, "null_array", &[])), TrapCode::NullArrayReference);
    assert_eq!(call(s, &inst, "i31", &[Val::I32(-5)]).unwrap(), [Val::I32(-5), Val::I32(0x7fff_fffb)]);
    assert_eq!(
        call(s, &inst, "i31", &[Val::I32(0x4000_0000)]).unwrap(),
        [Val::I32(-0x4000_0000), Val::I32(0x4000_0000)]
    );
    assert_eq!(trap_code(call(s, &inst, "null_i31", &[])), TrapCode::NullI31Reference);
    assert_eq!(call(s, &inst, "classify", &[Val::I32(0)]).unwrap(), [Val::I32(10)]);
    assert_eq!(call(s, &inst, "classify", &[Val::I32(1)]).unwrap(), [Val::I32(20)]);
    assert_eq!(call(s, &inst, "classify", &[Val::I32(2)]).unwrap(), [Val::I32(31)]);
    assert_eq!(trap_code(call(s, &inst, "bad_cast", &[])), TrapCode::CastFailure);
    if tier == Tier::Jit {
        // Every function compiled: none ran on the interpreter.
        assert!(m.jit_error().is_none(), "JIT: {:?}", m.jit_error());
    }
}

fn trap_code_of(e: Error) -> TrapCode {
    trap_code(Err(e))
}

#[test]
fn gc_on_the_interpreter() {
    check(Tier::Interpreter, JitCompile::Auto);
}

#[test]
fn gc_on_the_jit_eagerly() {
    check(Tier::Jit, JitCompile::Eager);
}

#[test]
fn gc_on_the_jit_lazily() {
    check(Tier::Jit, JitCompile::Lazy);
}
