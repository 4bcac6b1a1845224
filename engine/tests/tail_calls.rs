//! Tail calls (`return_call`, `return_call_indirect`) on both tiers: constant stack for
//! deep chains, the indirect checks and traps, imports and host functions in tail
//! position, multi-value and `v128` arguments, call-depth and fuel accounting, and what
//! backtraces and the debugger's frames show after a tail call (the caller is gone).

#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] fns")]

use wasmscope_engine::debug::{DebugControl, DebugHook, DebugState};
use wasmscope_engine::{
    Config, Engine, Error, Extern, Features, Func, Instance, Limits, Linker, Module, Store, Tier, Trap, TrapCode, Val,
};

fn config(tier: Tier) -> Config {
    Config { features: Features { tail_call: true, ..Features::wasm2() }, ..Config::with_tier(tier) }
}

fn module(engine: &Engine, wat: &str) -> Module {
    let m = Module::new(engine, &wat::parse_str(wat).unwrap()).unwrap();
    if engine.config().tier == Tier::Jit {
        // The JIT compiled it (no fallback to the interpreter hides a JIT problem).
        assert!(m.jit_error().is_none(), "JIT: {:?}", m.jit_error());
    }
    m
}

fn instantiate(tier: Tier, wat: &str) -> (Store, Instance) {
    let engine = Engine::new(config(tier));
    let m = module(&engine, wat);
    let mut store = Store::new(&engine);
    let inst = Linker::new().instantiate(&mut store, &m).unwrap();
    (store, inst)
}

fn call(store: &mut Store, inst: &Instance, name: &str, args: &[Val]) -> Result<Vec<Val>, Error> {
    inst.func(store, name).unwrap().call(store, args)
}

fn trap_of(r: Result<Vec<Val>, Error>) -> Trap {
    match r {
        Err(Error::Trap(t)) => *t,
        other => panic!("expected a trap, got {other:?}"),
    }
}

const EVEN_ODD: &str = r#"(module
  (func $even (export "even") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 1))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (export "odd") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 0))
      (else (return_call $even (i64.sub (local.get 0) (i64.const 1))))))
  (func $plain_even (export "plain_even") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 1))
      (else (call $plain_odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $plain_odd (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 0))
      (else (call $plain_even (i64.sub (local.get 0) (i64.const 1)))))))"#;

#[test]
fn mutual_recursion_through_return_call_runs_in_constant_stack() {
    for &tier in Tier::ALL {
        let (mut store, inst) = instantiate(tier, EVEN_ODD);
        assert_eq!(call(&mut store, &inst, "even", &[Val::I64(1_000_000)]).unwrap(), vec![Val::I32(1)], "{tier:?}");
        assert_eq!(call(&mut store, &inst, "even", &[Val::I64(1_000_001)]).unwrap(), vec![Val::I32(0)], "{tier:?}");
        assert_eq!(call(&mut store, &inst, "odd", &[Val::I64(777_777)]).unwrap(), vec![Val::I32(1)], "{tier:?}");
        // The same recursion with plain calls exhausts the stack.
        let t = trap_of(call(&mut store, &inst, "plain_even", &[Val::I64(1_000_000)]));
        assert_eq!(t.code, TrapCode::CallStackExhausted, "{tier:?}");
    }
}

#[test]
fn a_tail_call_chain_does_not_count_towards_the_call_depth_limit() {
    // With a call depth of 50 frames, 100,000 tail calls still run (interpreter limits:
    // the JIT bounds depth by the host stack).
    let engine =
        Engine::new(Config { limits: Limits { max_call_depth: 50, ..Limits::default() }, ..config(Tier::Interpreter) });
    let m = module(&engine, EVEN_ODD);
    let mut store = Store::new(&engine);
    let inst = Linker::new().instantiate(&mut store, &m).unwrap();
    assert_eq!(call(&mut store, &inst, "even", &[Val::I64(100_000)]).unwrap(), vec![Val::I32(1)]);
    let t = trap_of(call(&mut store, &inst, "plain_even", &[Val::I64(100)]));
    assert_eq!(t.code, TrapCode::CallStackExhausted);
}

const INDIRECT: &str = r#"(module
  (type $ii (func (param i32) (result i32)))
  (type $l (func (param i64) (result i64)))
  (table 4 funcref)
  (elem (i32.const 0) $count $double $wrong)
  (func $count (type $ii)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 42))
      (else (return_call_indirect (type $ii) (i32.sub (local.get 0) (i32.const 1)) (i32.const 0)))))
  (func $double (type $ii) (i32.mul (local.get 0) (i32.const 2)))
  (func $wrong (type $l) (local.get 0))
  (func (export "count") (param i32) (result i32)
    (return_call_indirect (type $ii) (local.get 0) (i32.const 0)))
  (func (export "dispatch") (param i32 i32) (result i32)
    (return_call_indirect (type $ii) (local.get 1) (local.get 0))))"#;

#[test]
fn return_call_indirect_checks_like_call_indirect() {
    for &tier in Tier::ALL {
        let (mut store, inst) = instantiate(tier, INDIRECT);
        assert_eq!(call(&mut store, &inst, "count", &[Val::I32(1_000_000)]).unwrap(), vec![Val::I32(42)]);
        assert_eq!(call(&mut store, &inst, "dispatch", &[Val::I32(1), Val::I32(21)]).unwrap(), vec![Val::I32(42)]);
        let cases = [
            (2, TrapCode::IndirectCallTypeMismatch),
            (3, TrapCode::UninitializedElement),
            (4, TrapCode::UndefinedElement),
        ];
        for (index, code) in cases {
            let t = trap_of(call(&mut store, &inst, "dispatch", &[Val::I32(index), Val::I32(1)]));
            assert_eq!(t.code, code, "{tier:?} element {index}");
        }
    }
}

#[test]
fn a_host_function_in_tail_position_returns_for_its_caller() {
    for &tier in Tier::ALL {
        let engine = Engine::new(config(tier));
        let m = module(
            &engine,
            r#"(module
              (import "host" "add" (func $add (param i64 i64) (result i64)))
              (type $t (func (param i64 i64) (result i64)))
              (table 1 funcref)
              (elem (i32.const 0) $add)
              (func (export "direct") (param i64) (result i64)
                (return_call $add (local.get 0) (i64.const 1)))
              (func (export "indirect") (param i64) (result i64)
                (return_call_indirect (type $t) (local.get 0) (i64.const 2) (i32.const 0)))
              (func (export "caller") (param i64) (result i64)
                (i64.mul (call 1 (local.get 0)) (i64.const 10))))"#,
        );
        let mut store = Store::new(&engine);
        let add = Func::wrap(&mut store, |_, (a, b): (i64, i64)| Ok::<i64, Trap>(a + b));
        let mut linker = Linker::new();
        linker.define("host", "add", Extern::Func(add));
        let inst = linker.instantiate(&mut store, &m).unwrap();
        assert_eq!(call(&mut store, &inst, "direct", &[Val::I64(41)]).unwrap(), vec![Val::I64(42)], "{tier:?}");
        assert_eq!(call(&mut store, &inst, "indirect", &[Val::I64(40)]).unwrap(), vec![Val::I64(42)], "{tier:?}");
        assert_eq!(call(&mut store, &inst, "caller", &[Val::I64(4)]).unwrap(), vec![Val::I64(50)], "{tier:?}");
    }
}

#[test]
fn a_host_callee_with_more_results_than_arguments_grows_the_stack() {
    // The host writes more slots than the caller's frame has: the value stack grows
    // before the call, and the results are returned from the moved frame.
    for &tier in Tier::ALL {
        let engine = Engine::new(config(tier));
        let m = module(
            &engine,
            r#"(module
              (import "host" "four" (func $four (result i64 i64 i64 i64)))
              (func (export "four") (result i64 i64 i64 i64)
                ;; Operands left below the call: its results land above the frame.
                (i64.const 7) (i64.const 8) (i64.const 9) (i64.const 10)
                (return_call $four))
              (func (export "nested") (result i64)
                (call 1) (drop) (drop) (drop)))"#,
        );
        let mut store = Store::new(&engine);
        let four = Func::wrap(&mut store, |_, ()| Ok::<(i64, i64, i64, i64), Trap>((1, 2, 3, 4)));
        let mut linker = Linker::new();
        linker.define("host", "four", Extern::Func(four));
        let inst = linker.instantiate(&mut store, &m).unwrap();
        let r = call(&mut store, &inst, "four", &[]).unwrap();
        assert_eq!(r, vec![Val::I64(1), Val::I64(2), Val::I64(3), Val::I64(4)], "{tier:?}");
        assert_eq!(call(&mut store, &inst, "nested", &[]).unwrap(), vec![Val::I64(1)], "{tier:?}");
    }
}

#[test]
fn tail_calls_cross_instances() {
    for &tier in Tier::ALL {
        let engine = Engine::new(config(tier));
        let a = module(
            &engine,
            r#"(module
              (table (export "t") 1 funcref)
              (elem (i32.const 0) $sq)
              (func $sq (export "sq") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0))))"#,
        );
        let b = module(
            &engine,
            r#"(module
              (import "a" "sq" (func $sq (param i32) (result i32)))
              (import "a" "t" (table 1 funcref))
              (type $t (func (param i32) (result i32)))
              (func (export "direct") (param i32) (result i32) (return_call $sq (local.get 0)))
              (func (export "indirect") (param i32) (result i32)
                (return_call_indirect (type $t) (local.get 0) (i32.const 0)))
              (func (export "outer") (param i32) (result i32)
                (i32.add (call 1 (local.get 0)) (i32.const 1))))"#,
        );
        let mut store = Store::new(&engine);
        let mut linker = Linker::new();
        let ia = linker.instantiate(&mut store, &a).unwrap();
        linker.define_instance(&store, "a", ia);
        let ib = linker.instantiate(&mut store, &b).unwrap();
        assert_eq!(call(&mut store, &ib, "direct", &[Val::I32(7)]).unwrap(), vec![Val::I32(49)], "{tier:?}");
        assert_eq!(call(&mut store, &ib, "indirect", &[Val::I32(8)]).unwrap(), vec![Val::I32(64)], "{tier:?}");
        // Back in `outer` (instance b) after the callee of another instance returned.
        assert_eq!(call(&mut store, &ib, "outer", &[Val::I32(3)]).unwrap(), vec![Val::I32(10)], "{tier:?}");
    }
}

#[test]
fn a_chain_of_tail_calls_between_instances_runs_in_constant_stack() {
    // b tail-calls a through its import, a tail-calls b through the shared table: a
    // million calls that alternate between the instances.
    for &tier in Tier::ALL {
        let engine = Engine::new(config(tier));
        let a = module(
            &engine,
            r#"(module
              (type $t (func (param i64) (result i64)))
              (table (export "t") 2 funcref)
              (func (export "a") (type $t)
                (if (result i64) (i64.eqz (local.get 0))
                  (then (i64.const 100))
                  (else (return_call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1)) (i32.const 1))))))"#,
        );
        let b = module(
            &engine,
            r#"(module
              (type $t (func (param i64) (result i64)))
              (import "a" "a" (func $a (type $t)))
              (import "a" "t" (table 2 funcref))
              (elem (i32.const 1) $b)
              (func $b (export "b") (type $t)
                (if (result i64) (i64.eqz (local.get 0))
                  (then (i64.const 200))
                  (else (return_call $a (i64.sub (local.get 0) (i64.const 1)))))))"#,
        );
        let mut store = Store::new(&engine);
        let mut linker = Linker::new();
        let ia = linker.instantiate(&mut store, &a).unwrap();
        linker.define_instance(&store, "a", ia);
        let ib = linker.instantiate(&mut store, &b).unwrap();
        assert_eq!(call(&mut store, &ib, "b", &[Val::I64(1_000_000)]).unwrap(), vec![Val::I64(200)], "{tier:?}");
        assert_eq!(call(&mut store, &ib, "b", &[Val::I64(1_000_001)]).unwrap(), vec![Val::I64(100)], "{tier:?}");
    }
}

#[test]
fn multi_value_and_v128_arguments_move_down() {
    let wat = r#"(module
      (func $swap (export "swap") (param i32 i64 f32 f64) (result f64 f32 i64 i32)
        (local.get 3) (local.get 2) (local.get 1) (local.get 0))
      ;; More arguments than the caller has, with a local and constants in between.
      (func (export "widen") (param i32) (result f64 f32 i64 i32)
        (local $x i64)
        (local.set $x (i64.const 77))
        (return_call $swap (local.get 0) (local.get $x) (f32.const 2.5) (f64.const -1.25)))
      (func $vsum (param v128 i32 v128) (result v128)
        (if (result v128) (i32.eqz (local.get 1))
          (then (i32x4.add (local.get 0) (local.get 2)))
          (else (return_call $vsum
            (i32x4.add (local.get 0) (v128.const i32x4 1 2 3 4))
            (i32.sub (local.get 1) (i32.const 1))
            (local.get 2)))))
      (func (export "vsum") (param i32) (result i32 i32)
        (local $v v128)
        (local.set $v (call $vsum (v128.const i32x4 0 0 0 0) (local.get 0) (v128.const i32x4 10 20 30 40)))
        (i32x4.extract_lane 0 (local.get $v))
        (i32x4.extract_lane 3 (local.get $v))))"#;
    for &tier in Tier::ALL {
        let (mut store, inst) = instantiate(tier, wat);
        let r = call(&mut store, &inst, "widen", &[Val::I32(5)]).unwrap();
        assert_eq!(r, vec![Val::F64((-1.25f64).to_bits()), Val::F32(2.5f32.to_bits()), Val::I64(77), Val::I32(5)]);
        let r = call(&mut store, &inst, "vsum", &[Val::I32(100_000)]).unwrap();
        assert_eq!(r, vec![Val::I32(100_010), Val::I32(400_040)], "{tier:?}");
    }
}

#[test]
fn a_trap_after_a_tail_call_has_no_frame_of_the_caller() {
    let wat = r#"(module
      (func $outer (export "outer") (param i32) (result i32)
        (i32.add (call $middle (local.get 0)) (i32.const 1)))
      (func $middle (param i32) (result i32)
        (return_call $inner (local.get 0)))
      (func $inner (param i32) (result i32)
        (i32.div_u (i32.const 1) (local.get 0))))"#;
    for &tier in Tier::ALL {
        let (mut store, inst) = instantiate(tier, wat);
        let t = trap_of(call(&mut store, &inst, "outer", &[Val::I32(0)]));
        assert_eq!(t.code, TrapCode::IntegerDivideByZero);
        let funcs: Vec<u32> = t.backtrace.iter().map(|f| f.func).collect();
        assert_eq!(funcs, vec![2, 0], "{tier:?}: inner, then outer (middle is gone)");
    }
}

#[test]
fn both_tiers_charge_the_same_fuel_through_tail_calls() {
    let mut left = Vec::new();
    for &tier in Tier::ALL {
        let engine = Engine::new(Config { consume_fuel: true, ..config(tier) });
        let m = module(&engine, INDIRECT);
        let mut store = Store::new(&engine);
        let inst = Linker::new().instantiate(&mut store, &m).unwrap();
        store.set_fuel(1_000_000);
        assert_eq!(call(&mut store, &inst, "count", &[Val::I32(1000)]).unwrap(), vec![Val::I32(42)]);
        left.push(store.fuel());
        // A chain longer than the fuel runs out of it.
        store.set_fuel(1000);
        let t = trap_of(call(&mut store, &inst, "count", &[Val::I32(1000)]));
        assert_eq!(t.code, TrapCode::OutOfFuel, "{tier:?}");
    }
    assert!(left[0] < 1_000_000 - 1000, "fuel was charged: {left:?}");
    assert_eq!(left[0], left[1], "interpreter and JIT charge alike");
}

/// Records the functions of the debugger's frames (outermost first) at each instruction.
#[derive(Default)]
struct Frames {
    stacks: Vec<Vec<u32>>,
    operands_ok: bool,
}

impl DebugHook for Frames {
    fn before_instruction(&mut self, state: &mut DebugState<'_>) -> DebugControl {
        let depth = state.depth();
        let mut funcs: Vec<u32> = (0..depth).map(|i| state.frame(i).unwrap().func).collect();
        funcs.reverse();
        // In `middle` after its first `return_call` (not taken), the innermost frame's
        // operands are typed: the validator's run-up over the body passes it.
        if funcs == [0, 1] && state.operand_types(0).is_some_and(|t| t.len() == 2) {
            self.operands_ok = true;
        }
        if self.stacks.last() != Some(&funcs) {
            self.stacks.push(funcs);
        }
        DebugControl::Continue
    }
    fn on_trap(&mut self, _: &mut DebugState<'_>, _: &Trap) {}
}

#[test]
fn the_debuggers_frames_after_a_tail_call_do_not_include_the_caller() {
    let wat = r#"(module
      (func $outer (export "outer") (param i32) (result i32)
        (i32.add (call $middle (local.get 0)) (i32.const 1)))
      (func $middle (param i32) (result i32)
        (if (i32.eqz (local.get 0)) (then (return_call $inner (i32.const 5))))
        (return_call $inner (i32.add (local.get 0) (i32.const 0))))
      (func $inner (param i32) (result i32)
        (i32.mul (local.get 0) (i32.const 3))))"#;
    for &tier in Tier::ALL {
        let (mut store, inst) = instantiate(tier, wat);
        let outer = inst.func(&store, "outer").unwrap();
        let mut rec = Frames::default();
        let r = outer.call_debug(&mut store, &[Val::I32(4)], &mut rec).unwrap();
        assert_eq!(r, vec![Val::I32(13)]);
        // outer; outer -> middle; then inner replaces middle; back in outer.
        assert_eq!(rec.stacks, vec![vec![0], vec![0, 1], vec![0, 2], vec![0]], "{tier:?}");
        assert!(rec.operands_ok, "operand types after a return_call");
    }
}

#[test]
fn tail_calls_need_the_feature() {
    let features = Features { tail_call: false, ..Features::default() };
    let engine = Engine::new(Config { features, ..Config::with_tier(Tier::Interpreter) });
    let wat = r#"(module (func $f (return_call $f)))"#;
    let r = Module::new(&engine, &wat::parse_str(wat).unwrap());
    assert!(matches!(r, Err(Error::Decode(_))), "{r:?}");
}
