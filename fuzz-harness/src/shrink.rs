//! Shrinking an execution divergence with wasm-shrink: it proposes smaller valid modules,
//! and a candidate is kept while the predicate (the divergence still shows) holds.

/// Shrinks `bytes` while `still_fails` holds; returns the smallest module found (the input
/// itself if wasm-shrink could not shrink it).
pub fn shrink(bytes: &[u8], attempts: u32, mut still_fails: impl FnMut(&[u8]) -> bool) -> Vec<u8> {
    let run = wasm_shrink::WasmShrink::default()
        .attempts(attempts)
        .run(bytes.to_vec(), |candidate| Ok::<bool, anyhow::Error>(still_fails(candidate)));
    match run {
        Ok(info) => info.output,
        Err(_) => bytes.to_vec(),
    }
}
