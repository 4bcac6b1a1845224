//! The `wasmscope` CLI. Being written.
fn main() {}
