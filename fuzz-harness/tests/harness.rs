//! The harness's own checks: the comparison normalises only NaNs, the stub-import module is
//! valid, generated modules run identically on both tiers, and the input checks pass on a
//! few well-formed and malformed binaries.

use wasmscope_fuzz_harness::compare::{self, TIERS};
use wasmscope_fuzz_harness::exec::{Call, Ending, Outcome, Value};
use wasmscope_fuzz_harness::oracle::{Oracle, Oracles};
use wasmscope_fuzz_harness::{differential, generate, input};

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
        let Some(m) = generate::module(7, i) else { continue };
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
        let Some(m) = generate::module(11, i) else { continue };
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
