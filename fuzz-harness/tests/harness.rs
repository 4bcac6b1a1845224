//! The harness's own checks: the comparison normalises only NaNs, the stub-import module is
//! valid, generated modules run identically on both tiers, and the input checks pass on a
//! few well-formed and malformed binaries.

use wasmscope_fuzz_harness::compare::{self, TIERS};
use wasmscope_fuzz_harness::exec::{Call, Ending, Outcome, Value};
use wasmscope_fuzz_harness::oracle::{Oracle, Oracles};
use wasmscope_fuzz_harness::{differential, exec, generate, input};

fn outcome(v: Value, fuel: u64) -> Outcome {
    Outcome {
        instantiate: Some(Ending::Returned(vec![])),
        calls: vec![Call {
            export: "f".into(),
            args: vec![],
            ending: Ending::Returned(vec![v]),
            fuel_left: Some(fuel),
        }],
        ..Outcome::default()
    }
}

#[test]
fn nans_are_normalised_and_nothing_else() {
    let a = outcome(Value::F32(0x7fc0_0001), 5);
    let b = outcome(Value::F32(0xffc0_0000), 5);
    assert_eq!(compare::diff(&a, &b, TIERS), None);
    assert!(compare::diff(&outcome(Value::F32(0), 5), &outcome(Value::F32(0x8000_0000), 5), TIERS).is_some());
    assert!(compare::diff(&outcome(Value::I32(1), 5), &outcome(Value::I32(1), 4), TIERS).is_some(), "fuel");
}

#[test]
fn the_stub_imports_module_is_valid() {
    input::theirs(&generate::imports_module()).expect("valid");
}

#[test]
fn generated_modules_agree_on_both_tiers() {
    for i in 0..40 {
        let Some(m) = generate::module(7, i, true) else { continue };
        assert_eq!(differential::execution_diff(&m, i, Oracles::NONE), Ok(None), "case {i}");
    }
}

#[test]
fn input_checks_accept_and_reject_like_wasmparser() {
    let empty = b"\0asm\x01\0\0\0";
    assert_eq!(input::check(empty), (None, true));
    assert_eq!(input::check(&empty[..6]), (None, false));
    // A type section claiming 2^32-1 entries in a few bytes.
    let huge = b"\0asm\x01\0\0\0\x01\x05\xff\xff\xff\xff\x0f";
    assert_eq!(input::check(huge), (None, false));
}

#[test]
fn the_majority_decides_whose_difference_it_is() {
    use differential::judge;
    let us = outcome(Value::I64(1), 5);
    let other = outcome(Value::I64(2), 5);
    let third = outcome(Value::I64(3), 5);
    let no_fuel = |o: &Outcome| Outcome {
        calls: o.calls.iter().map(|c| Call { fuel_left: None, ..c.clone() }).collect(),
        ..o.clone()
    };
    let (wasmi, wasmtime) = (Oracle::Wasmi, Oracle::Wasmtime);
    // Everyone agrees (oracles have no fuel figures).
    assert_eq!(judge(&us, &[(wasmi, Ok(no_fuel(&us))), (wasmtime, Ok(no_fuel(&us)))]), None);
    // wasmi alone differs, wasmtime agrees bit for bit: wasmi's, not ours.
    let d = judge(&us, &[(wasmi, Ok(other.clone())), (wasmtime, Ok(us.clone()))]).expect("divergence");
    assert!(!d.ours && d.odd_one_out == Some("wasmi"), "{d:?}");
    assert!(d.text.contains("majority: wasmscope + wasmtime"), "{d}");
    // ... but a NaN payload that differs from wasmtime's is not "bit for bit": ours to check.
    let nan_us = outcome(Value::F64(0x7ff8_0000_0000_0001), 5);
    let nan_wt = outcome(Value::F64(0x7ff8_0000_0000_0002), 5);
    let d = judge(&nan_us, &[(wasmi, Ok(other.clone())), (wasmtime, Ok(nan_wt))]).expect("divergence");
    assert!(d.ours, "{d:?}");
    // wasmtime alone differs: a finding (wasmtime is not excused).
    let d = judge(&us, &[(wasmi, Ok(us.clone())), (wasmtime, Ok(other.clone()))]).expect("divergence");
    assert!(d.ours && d.odd_one_out == Some("wasmtime"), "{d:?}");
    // We alone differ.
    let d = judge(&us, &[(wasmi, Ok(other.clone())), (wasmtime, Ok(other.clone()))]).expect("divergence");
    assert!(d.ours && d.odd_one_out == Some("wasmscope"), "{d:?}");
    // Three answers: no majority.
    let d = judge(&us, &[(wasmi, Ok(other.clone())), (wasmtime, Ok(third))]).expect("divergence");
    assert!(d.ours && d.odd_one_out.is_none() && d.text.starts_with("no majority"), "{d:?}");
    // One oracle only: nobody breaks the tie.
    let d = judge(&us, &[(wasmi, Ok(other.clone()))]).expect("divergence");
    assert!(d.ours && d.text.contains("no third engine"), "{d:?}");
    // A rejection is a result too.
    let d = judge(&us, &[(wasmi, Err("nope".into())), (wasmtime, Ok(us.clone()))]).expect("divergence");
    assert!(!d.ours && d.odd_one_out == Some("wasmi"), "{d:?}");
}

#[test]
fn generated_modules_agree_with_both_oracles() {
    for i in 0..12 {
        let Some(m) = generate::module(11, i, false) else { continue };
        match differential::execution_diff(&m, i, Oracles::ALL) {
            Ok(None) => {}
            Ok(Some(d)) if !d.ours => {}
            other => panic!("case {i}: {other:?}"),
        }
    }
}

#[test]
fn known_modules_are_wasmis_own() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("known");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("known/") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|x| x != "wasm") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("read");
        for index in 0..2 {
            match differential::execution_diff(&bytes, index, Oracles::ALL) {
                Ok(Some(d)) if !d.ours && d.odd_one_out == Some("wasmi") => {}
                other => panic!("{} (setup {index}) is no longer wasmi's own: {other:?}", path.display()),
            }
        }
        seen += 1;
    }
    assert!(seen >= 4, "{seen} known modules");
}

#[test]
fn v128s_compare_bit_for_bit_even_their_nan_lanes() {
    // A NaN f32 lane (0x7fc00001 vs 0x7fc00000) is not normalised: the same bits could be
    // an i32x4 lane, where they differ.
    let a = outcome(Value::V128(0x7fc0_0001), 5);
    let b = outcome(Value::V128(0x7fc0_0000), 5);
    assert!(compare::diff(&a, &b, TIERS).is_some());
    assert!(compare::diff(&a, &b, compare::ORACLE).is_some());
    assert_eq!(compare::diff(&a, &a.clone(), compare::ORACLE), None);
}

/// A module of v128 functions and a v128 global, hand-encoded: `add` (i32x4.add), `lane0`
/// (i32x4.extract_lane 0), `high` (i64x2.extract_lane 1), `set` (stores its argument in
/// the exported global `g`), and `madd` (f32x4.relaxed_madd) if `relaxed`.
fn v128_module(relaxed: bool) -> Vec<u8> {
    use wasm_encoder::*;
    let mut types = TypeSection::new();
    types.ty().function([ValType::V128, ValType::V128], [ValType::V128]);
    types.ty().function([ValType::V128], [ValType::I32]);
    types.ty().function([ValType::V128], [ValType::I64]);
    types.ty().function([ValType::V128], []);
    types.ty().function([ValType::V128, ValType::V128, ValType::V128], [ValType::V128]);
    let mut funcs = FunctionSection::new();
    let mut code = CodeSection::new();
    let mut exports = ExportSection::new();
    let mut body = |ty: u32, name: &str, instrs: &[Instruction<'_>]| {
        let index = funcs.len();
        funcs.function(ty);
        let mut f = Function::new([]);
        for i in instrs {
            f.instruction(i);
        }
        f.instruction(&Instruction::End);
        code.function(&f);
        exports.export(name, ExportKind::Func, index);
    };
    use Instruction::*;
    body(0, "add", &[LocalGet(0), LocalGet(1), I32x4Add]);
    body(1, "lane0", &[LocalGet(0), I32x4ExtractLane(0)]);
    body(2, "high", &[LocalGet(0), I64x2ExtractLane(1)]);
    body(3, "set", &[LocalGet(0), GlobalSet(0)]);
    if relaxed {
        body(4, "madd", &[LocalGet(0), LocalGet(1), LocalGet(2), F32x4RelaxedMadd]);
    }
    let mut globals = GlobalSection::new();
    let ty = GlobalType { val_type: ValType::V128, mutable: true, shared: false };
    globals.global(ty, &ConstExpr::v128_const(0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10));
    exports.export("g", ExportKind::Global, 0);
    let mut m = Module::new();
    m.section(&types).section(&funcs).section(&globals).section(&exports).section(&code);
    m.finish()
}

#[test]
fn v128_values_cross_every_engine_lane_0_low() {
    use wasmscope_fuzz_harness::exec::{Setup, run};
    let bytes = v128_module(false);
    assert_eq!(input::check(&bytes), (None, true));
    for index in 0..2 {
        assert_eq!(differential::execution_diff(&bytes, index, Oracles::ALL), Ok(None), "setup {index}");
    }
    let [interp, _] = differential::setups(0);
    let out = run(Setup { ..interp }, &bytes).expect("runs");
    let mut v128_args = 0;
    for c in &out.calls {
        let Some(Value::V128(a)) = c.args.first().copied() else { panic!("{c:?}") };
        v128_args += 1;
        let want = match c.export.as_str() {
            "lane0" => Value::I32(a as u32),
            "high" => Value::I64((a >> 64) as u64),
            _ => continue,
        };
        assert_eq!(c.ending, Ending::Returned(vec![want]), "{c:?}");
    }
    assert!(v128_args >= 8);
    // The last `set` call's argument is the final global.
    let last = out.calls.iter().rev().find(|c| c.export == "set").expect("set");
    assert_eq!(out.globals, vec![("g".to_string(), last.args[0])]);
}

#[test]
fn relaxed_simd_runs_on_our_tiers_and_is_accepted_by_both_validators() {
    let raw = v128_module(true);
    assert_eq!(input::check(&raw), (None, true));
    // With two NaN operand lanes the tiers propagate different ones (both allowed): the
    // generator canonicalises relaxed results as wasm-smith does the others'.
    let bytes = wasmscope_fuzz_harness::nans::canonicalize_relaxed(&raw).expect("re-encodes");
    assert_ne!(bytes, raw);
    assert_eq!(input::check(&bytes), (None, true));
    for index in 0..2 {
        assert_eq!(differential::execution_diff(&bytes, index, Oracles::NONE), Ok(None), "setup {index}");
    }
}

#[test]
fn v128_arguments_have_special_lane_patterns() {
    use wasmscope_engine::syntax::ValType;
    let args: Vec<u128> = (0..400)
        .map(|n| match exec::arguments(b"m", n, &[ValType::V128])[..] {
            [Value::V128(v)] => v,
            ref other => panic!("{other:?}"),
        })
        .collect();
    let splat32 = |v: u128| (0..4).all(|i| (v >> (32 * i)) as u32 == v as u32);
    let canonical_nan_lane = |v: u128| (0..4).any(|i| (v >> (32 * i)) as u32 == 0x7fc0_0000);
    assert!(args.contains(&0) && args.contains(&u128::MAX));
    assert!(args.iter().filter(|&&v| splat32(v)).count() > 40);
    assert!(args.iter().any(|&v| canonical_nan_lane(v) && !splat32(v)), "mixed f32 lanes");
    assert!(args.iter().filter(|&&v| !splat32(v) && v >> 64 != 0 && v as u64 != 0).count() > 150, "random");
}

#[test]
fn generated_modules_use_simd_and_relaxed_simd_only_without_an_oracle() {
    use wasmscope_fuzz_harness::coverage::Coverage;
    let (mut with, mut without) = (Coverage::default(), Coverage::default());
    for i in 0..60 {
        if let Some(m) = generate::module(3, i, true) {
            with.add_module(&m);
        }
        if let Some(m) = generate::module(3, i, false) {
            without.add_module(&m);
        }
    }
    assert!(with.simd_instr * 4 > with.decoded, "{with:?}");
    assert!(with.relaxed > 0, "{with:?}");
    assert!(without.simd_instr * 4 > without.decoded, "{without:?}");
    assert_eq!(without.relaxed, 0);
}
