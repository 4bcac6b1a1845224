//! The harness's own checks: the comparison normalises only NaNs, the stub-import module is
//! valid, generated modules run identically on both tiers, and the input checks pass on a
//! few well-formed and malformed binaries.

use wasmscope_fuzz_harness::compare::{self, TIERS};
use wasmscope_fuzz_harness::exec::{Call, Ending, Outcome, Value};
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
        assert_eq!(differential::execution_diff(&m, i, false), Ok(None), "case {i}");
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
