//! wasmscope's fuzzing harness (issue 8), shared by the `wasmscope-fuzz` binary (run by
//! `cargo xtask fuzz`, on stable Rust) and the cargo-fuzz targets in `fuzz/`.
//!
//! * [`generate`]: wasm-smith modules for the features the engine supports (SIMD always,
//!   relaxed SIMD when no oracle takes part); [`nans`] canonicalises the NaNs of the relaxed
//!   float operators, which wasm-smith leaves out.
//! * [`exec`] / [`oracle`]: run a module on one of our tiers / on wasmi or wasmtime,
//!   calling every exported function with generated arguments under a fuel budget,
//!   recording an [`exec::Outcome`]; [`compare`] diffs two outcomes with scalar NaNs
//!   normalised (`v128`s bit for bit);
//!   [`differential`] runs all engines of a comparison and names the majority and the odd
//!   one out when they disagree.
//! * [`input`]: mutated and truncated binaries against our decoder and validator — no
//!   panic, no hang, no allocation out of proportion to the input — with wasmparser's
//!   validator as the accept/reject oracle. [`alloc`] is the counting allocator it uses.
//! * [`shrink`]: reduces a finding with wasm-shrink, re-running its predicate.
//! * [`coverage`]: which instructions the generated modules contained, and how many used
//!   SIMD and relaxed SIMD.

pub mod alloc;
pub mod compare;
pub mod coverage;
pub mod differential;
pub mod exec;
pub mod generate;
pub mod input;
pub mod nans;
pub mod oracle;
pub mod rng;
pub mod shrink;
