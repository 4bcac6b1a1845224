//! wasm-smith modules (any features, so some must be rejected) into the validator, with
//! wasmparser's verdict as the oracle.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasmscope_fuzz_harness::input;

fuzz_target!(|m: wasm_smith::Module| {
    let bytes = m.to_bytes();
    let (ours, theirs) = (input::ours(&bytes), input::theirs(&bytes));
    assert_eq!(ours.is_ok(), theirs.is_ok(), "accept/reject disagreement: ours {ours:?}, wasmparser {theirs:?}");
});
