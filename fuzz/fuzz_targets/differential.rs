//! Differential execution: a wasm-smith module (our feature set) on the interpreter and
//! the JIT, compared call by call (results, traps, fuel left) and by final state.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasmscope_fuzz_harness::oracle::Oracles;
use wasmscope_fuzz_harness::{differential, generate, nans};

fuzz_target!(|data: &[u8]| {
    let mut u = arbitrary::Unstructured::new(data);
    let Ok(with_imports) = u.arbitrary::<bool>() else { return };
    let Ok(m) = wasm_smith::Module::new(generate::config(with_imports), &mut u) else { return };
    // Our two tiers only, so relaxed SIMD is on (`generate::config`): canonicalise its NaNs
    // as `generate::module` does.
    let bytes = m.to_bytes();
    let bytes = nans::canonicalize_relaxed(&bytes).unwrap_or(bytes);
    let case = u64::from(data.first().copied().unwrap_or(0));
    match differential::execution_diff(&bytes, case, Oracles::NONE) {
        Ok(None) => {}
        Ok(Some(d)) => panic!("divergence: {d}"),
        Err(e) => panic!("divergence: {e}"),
    }
});
