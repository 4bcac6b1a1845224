//! The debugger hook: called before every instruction with inspectable frames, locals
//! and operands; told about traps before the frames unwind; able to kill the call.

#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] fns")]

use wasmscope_engine::debug::{DebugControl, DebugHook, DebugState};
use wasmscope_engine::{Config, Engine, Error, Linker, Module, Store, Tier, Trap, TrapCode, Val};

#[derive(Default)]
struct Recorder {
    /// (depth, function, offset) before each instruction.
    steps: Vec<(usize, u32, u32)>,
    /// Locals and operands of the innermost frame at each step in function 1.
    snapshots: Vec<(Vec<Val>, Vec<u64>)>,
    trap: Option<(TrapCode, u32, usize)>,
    kill_after: Option<usize>,
}

impl DebugHook for Recorder {
    fn before_instruction(&mut self, state: &mut DebugState<'_>) -> DebugControl {
        let f = state.frame(0).expect("innermost frame");
        self.steps.push((state.depth(), f.func, f.offset));
        if f.func == 1 {
            self.snapshots.push((state.locals(0).expect("locals"), state.operands(0).expect("operands").to_vec()));
        }
        match self.kill_after {
            Some(n) if self.steps.len() >= n => DebugControl::Kill,
            _ => DebugControl::Continue,
        }
    }
    fn on_trap(&mut self, state: &mut DebugState<'_>, trap: &Trap) {
        let f = state.frame(0).expect("innermost frame");
        self.trap = Some((trap.code, f.offset, state.depth()));
    }
}

const WAT: &str = r#"(module
  (func $main (export "main") (param i32) (result i32)
    (call $add1 (local.get 0)))
  (func $add1 (param i32) (result i32) (local i32)
    (local.set 1 (i32.const 1))
    (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32) (result i32)
    (i32.div_u (i32.const 1) (local.get 0))))"#;

fn setup(tier: Tier) -> (Store, wasmscope_engine::Instance) {
    let engine = Engine::new(Config::with_tier(tier));
    let module = Module::new(&engine, &wat::parse_str(WAT).unwrap()).unwrap();
    let mut store = Store::new(&engine);
    let inst = Linker::new().instantiate(&mut store, &module).unwrap();
    (store, inst)
}

#[test]
fn hook_sees_every_instruction_with_frames_and_locals() {
    // Debugging always runs on the interpreter, whatever the engine's tier.
    for &tier in Tier::ALL {
        let (mut store, inst) = setup(tier);
        let main = inst.func(&store, "main").unwrap();
        let mut rec = Recorder::default();
        let r = main.call_debug(&mut store, &[Val::I32(41)], &mut rec).unwrap();
        assert_eq!(r, vec![Val::I32(42)]);
        // main: local.get, call; add1: i32.const, local.set, local.get, local.get, i32.add, return;
        // main: return.
        let depths: Vec<usize> = rec.steps.iter().map(|s| s.0).collect();
        assert_eq!(depths, vec![1, 1, 2, 2, 2, 2, 2, 2, 1]);
        let offsets: Vec<u32> = rec.steps.iter().map(|s| s.2).collect();
        assert!(offsets.windows(2).take(1).all(|w| w[0] < w[1]), "{offsets:?}");
        // In add1, after local.set 1: locals are [41, 1]; before i32.add two operands.
        assert_eq!(rec.snapshots[2].0, vec![Val::I32(41), Val::I32(1)]);
        assert_eq!(rec.snapshots[4].1, vec![41, 1]);
        assert_eq!(rec.snapshots[0].0, vec![Val::I32(41), Val::I32(0)]);
    }
}

#[test]
fn hook_is_told_of_traps_at_the_trapping_instruction_and_can_kill() {
    let (mut store, inst) = setup(Tier::Interpreter);
    let div = inst.func(&store, "div").unwrap();
    let mut rec = Recorder::default();
    let err = div.call_debug(&mut store, &[Val::I32(0)], &mut rec).unwrap_err();
    assert!(matches!(&err, Error::Trap(t) if t.code == TrapCode::IntegerDivideByZero));
    let (code, offset, depth) = rec.trap.expect("hook saw the trap");
    assert_eq!((code, depth), (TrapCode::IntegerDivideByZero, 1));
    assert_eq!(Some(offset), rec.steps.last().map(|s| s.2), "trap reported at the div instruction");

    let main = inst.func(&store, "main").unwrap();
    let mut rec = Recorder { kill_after: Some(3), ..Recorder::default() };
    let err = main.call_debug(&mut store, &[Val::I32(1)], &mut rec).unwrap_err();
    assert!(matches!(&err, Error::Trap(t) if t.code == TrapCode::Host), "{err:?}");
    // The store is still usable.
    assert_eq!(main.call(&mut store, &[Val::I32(1)]).unwrap(), vec![Val::I32(2)]);
}

/// Records the locals of every step in function 0.
#[derive(Default)]
struct LocalsRecorder {
    locals: Vec<Vec<Val>>,
}

impl DebugHook for LocalsRecorder {
    fn before_instruction(&mut self, state: &mut DebugState<'_>) -> DebugControl {
        if state.frame(0).expect("innermost frame").func == 0 {
            self.locals.push(state.locals(0).expect("locals"));
        }
        DebugControl::Continue
    }
    fn on_trap(&mut self, _: &mut DebugState<'_>, _: &Trap) {}
}

#[test]
fn debugged_calls_run_v128_code_as_ordinary_calls_do() {
    // The debugger's translation keeps every value in its own slots: a v128 in two.
    const SIMD: &str = r#"(module
      (func $f (export "f") (param $a i32) (param $v v128) (result i64)
        (local $w v128) (local $c i64)
        (local.set $w (i64x2.add (local.get $v) (i64x2.splat (i64.extend_i32_u (local.get $a)))))
        (local.set $c (i64x2.extract_lane 1 (local.get $w)))
        (block (result v128 i64)
          (local.get $w) (local.get $c) (br_if 0 (local.get $a)) (drop) (drop)
          (v128.const i64x2 0 0) (i64.const 0))
        (call $g)
        (i64.add (local.get $c)))
      (func $g (param v128 i64) (result i64)
        (i64.add (i64x2.extract_lane 0 (local.get 0)) (local.get 1))))"#;
    let engine = Engine::new(Config::with_tier(Tier::Interpreter));
    let module = Module::new(&engine, &wat::parse_str(SIMD).unwrap()).unwrap();
    let mut store = Store::new(&engine);
    let inst = Linker::new().instantiate(&mut store, &module).unwrap();
    let f = inst.func(&store, "f").unwrap();
    let args = [Val::I32(3), Val::V128(10 | 20 << 64)];
    let plain = f.call(&mut store, &args).unwrap();
    let mut rec = LocalsRecorder::default();
    let debugged = f.call_debug(&mut store, &args, &mut rec).unwrap();
    // w = [13, 23], c = 23; the block yields (w, c); g gives 13 + 23; plus c.
    assert_eq!(plain, vec![Val::I64(59)]);
    assert_eq!(debugged, plain);
    let last = rec.locals.last().unwrap();
    assert_eq!(last, &vec![Val::I32(3), Val::V128(10 | 20 << 64), Val::V128(13 | 23 << 64), Val::I64(23)]);
}

/// At each step: (depth, function, offset), the innermost frame's typed operands and its
/// caller's.
#[derive(Default)]
struct OperandRecorder {
    steps: Vec<(usize, u32, u32)>,
    operands: Vec<Vec<Val>>,
    callers: Vec<Option<Vec<Val>>>,
}

impl DebugHook for OperandRecorder {
    fn before_instruction(&mut self, state: &mut DebugState<'_>) -> DebugControl {
        let f = state.frame(0).expect("innermost frame");
        self.steps.push((state.depth(), f.func, f.offset));
        let ops = state.operand_vals(0).expect("typed operands");
        let slots = state.operands(0).expect("operands").len();
        let types = state.operand_types(0).expect("operand types");
        assert_eq!(types.iter().map(|t| t.slots() as usize).sum::<usize>(), slots);
        assert_eq!(types, ops.iter().map(Val::ty).collect::<Vec<_>>());
        self.operands.push(ops);
        self.callers.push((state.depth() > 1).then(|| state.operand_vals(1).expect("caller's operands")));
        DebugControl::Continue
    }
}

#[test]
fn operands_are_typed_values_and_v128_instructions_pause_once() {
    const SIMD: &str = r#"(module
      (func $main (export "main") (result i32)
        (i32.add (i32.const 7)
          (i32x4.extract_lane 0 (call $f (v128.const i32x4 1 2 3 4) (f64.const 1.5)))))
      (func $f (param v128 f64) (result v128) (local v128)
        (local.set 2 (v128.const i64x2 -1 5))
        (local.get 2)
        (i32x4.replace_lane 3 (local.get 0) (i32.const 8))
        (select (local.get 1) (f64.const 2) (i32.const 1))
        (drop)
        (i32x4.add)
        (i32.const 9)
        (i32x4.replace_lane 0)))"#;
    let engine = Engine::new(Config::with_tier(Tier::Interpreter));
    let module = Module::new(&engine, &wat::parse_str(SIMD).unwrap()).unwrap();
    let mut store = Store::new(&engine);
    let inst = Linker::new().instantiate(&mut store, &module).unwrap();
    let main = inst.func(&store, "main").unwrap();
    let mut rec = OperandRecorder::default();
    let r = main.call_debug(&mut store, &[], &mut rec).unwrap();
    assert_eq!(r, vec![Val::I32(16)]);
    // One pause per instruction, although the debugger's translation makes two ops of
    // `v128.const`, of `local.get`/`local.set` of a v128 and of a v128 `select`.
    assert!(rec.steps.windows(2).all(|w| w[0] != w[1]), "{:x?}", rec.steps);
    // main: i32.const, v128.const, f64.const, call | f: 15 instructions with its end |
    // main: extract_lane, i32.add, end.
    assert_eq!(rec.steps.len(), 4 + 15 + 3, "{:x?}", rec.steps);
    let v = |lanes: [i32; 4]| Val::V128(lanes.iter().rev().fold(0u128, |acc, l| acc << 32 | u128::from(*l as u32)));
    let x = v([-1, -1, 5, 0]);
    let f64v = |x: f64| Val::F64(x.to_bits());
    let at = |i: usize| rec.operands[i].clone();
    // main, before the call: its i32, then the arguments.
    assert_eq!(at(3), vec![Val::I32(7), v([1, 2, 3, 4]), f64v(1.5)]);
    // f (from step 4).
    assert_eq!(at(4), vec![]);
    assert_eq!(at(5), vec![x]);
    assert_eq!(at(6), vec![]);
    assert_eq!(at(9), vec![x, v([1, 2, 3, 4]), Val::I32(8)]);
    assert_eq!(at(13), vec![x, v([1, 2, 3, 8]), f64v(1.5), f64v(2.0), Val::I32(1)]);
    assert_eq!(at(14), vec![x, v([1, 2, 3, 8]), f64v(1.5)]);
    assert_eq!(at(17), vec![v([0, 1, 8, 8]), Val::I32(9)]);
    assert_eq!(at(18), vec![v([9, 1, 8, 8])]);
    // main after the call: the i32 below the result.
    assert_eq!(at(19), vec![Val::I32(7), v([9, 1, 8, 8])]);
    // The caller's stack while f runs: below the call's arguments, main's `i32.const 7`.
    assert!(rec.callers[4..19].iter().all(|c| c.as_deref() == Some(&[Val::I32(7)][..])), "{:?}", rec.callers);
    assert!(rec.callers[..4].iter().chain(&rec.callers[19..]).all(Option::is_none));
}
