//! Raw bytes into the decoder and validator: no panic, no disproportionate allocation
//! (libFuzzer's -rss_limit_mb / -malloc_limit_mb), and agreement with wasmparser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasmscope_fuzz_harness::input;

fuzz_target!(|data: &[u8]| {
    let ours = input::ours(data).is_ok();
    let theirs = input::theirs(data).is_ok();
    assert_eq!(
        ours,
        theirs,
        "accept/reject disagreement: ours {:?}, wasmparser {:?}",
        input::ours(data),
        input::theirs(data)
    );
});
