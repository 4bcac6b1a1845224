//! wasm-smith configured for exactly what wasmscope supports: WebAssembly 2.0 (multi-value,
//! bulk memory, reference types, sign extension, saturating conversions, mutable globals,
//! 128-bit SIMD), relaxed SIMD, and the 3.0 proposals implemented so far (tail calls,
//! memory64, multi-memory, extended-const, wide arithmetic, custom page sizes, exception
//! handling); no threads or GC.
//!
//! Exceptions (tags, `throw`, `throw_ref`, `try_table`, `exnref`) are generated, like
//! relaxed SIMD, only when our two tiers alone are compared: wasmi has no exception
//! handling, so a module with them would only measure its rejection.
//!
//! Relaxed SIMD is generated only when our two tiers alone are compared: its results are
//! implementation-defined choices, and ours (ARCHITECTURE.md, "Relaxed SIMD") are the same
//! on both tiers but not wasmi's or wasmtime's. With an oracle in the comparison the module
//! has no relaxed SIMD at all ([`module`]'s `relaxed`), which is simpler and sounder than
//! skipping results that a relaxed operator may have influenced.
//!
//! NaNs: `canonicalize_nans` makes wasm-smith follow every float operator whose NaN result
//! is nondeterministic with a select of the canonical NaN — the scalar ones and their
//! `f32x4`/`f64x2` counterparts (add, sub, mul, div, min, max, sqrt, ceil, floor, trunc,
//! nearest; checked in wasm-smith 0.263's `code_builder.rs`). It leaves out the relaxed
//! float operators (`relaxed_madd`/`nmadd`/`min`/`max`), whose NaNs do differ between our
//! tiers: [`crate::nans`] adds the same canonicalisation after them. It also leaves out
//! the conversions (`f32.demote_f64`, `f64.promote_f32`, `f32x4.demote_f64x2_zero`,
//! `f64x2.promote_low_f32x4`): one NaN operand, whose payload every engine compared here
//! keeps (x86-64 `cvt*`), so they stay as they are. A scalar NaN result is compared as "any
//! NaN" ([`crate::compare`]), a `v128` bit for bit; see there for why.

use arbitrary::Unstructured;
use wasm_smith::Config;

use crate::rng::Rng;

/// The host functions a generated module may import (module "env"); [`crate::exec`] and
/// [`crate::oracle`] provide them as deterministic stubs.
pub const IMPORTS_WAT: &str = r#"(module
  (import "env" "f0" (func))
  (import "env" "f1" (func (param i32) (result i32)))
  (import "env" "f2" (func (param i64 f64) (result f32)))
  (import "env" "f3" (func (param f32 i32) (result i64 i32)))
  (import "env" "f4" (func (param funcref externref) (result f64))))"#;

/// The binary of [`IMPORTS_WAT`], hand-encoded (no `wat` dependency needed).
pub fn imports_module() -> Vec<u8> {
    use wasm_encoder::*;
    let _ = IMPORTS_WAT;
    let mut types = TypeSection::new();
    types.ty().function([], []);
    types.ty().function([ValType::I32], [ValType::I32]);
    types.ty().function([ValType::I64, ValType::F64], [ValType::F32]);
    types.ty().function([ValType::F32, ValType::I32], [ValType::I64, ValType::I32]);
    types.ty().function([ValType::FUNCREF, ValType::EXTERNREF], [ValType::F64]);
    let mut imports = ImportSection::new();
    for i in 0..5u32 {
        imports.import("env", &format!("f{i}"), EntityType::Function(i));
    }
    let mut m = wasm_encoder::Module::new();
    m.section(&types).section(&imports);
    m.finish()
}

/// The wasm-smith configuration of execution fuzzing of our two tiers (SIMD and relaxed
/// SIMD, tail calls, extended constants, up to three memories, memory64 and table64,
/// custom page sizes, wide arithmetic). `with_imports`: whether the module may import the stubs of [`IMPORTS_WAT`] (else
/// it imports nothing). With an oracle, switch `relaxed_simd_enabled` off ([`module`]).
pub fn config(with_imports: bool) -> Config {
    Config {
        available_imports: with_imports.then(imports_module),
        max_imports: if with_imports { 5 } else { 0 },
        export_everything: true,
        allow_start_export: true,
        canonicalize_nans: true,
        bulk_memory_enabled: true,
        reference_types_enabled: true,
        multi_value_enabled: true,
        saturating_float_to_int_enabled: true,
        sign_extension_ops_enabled: true,
        simd_enabled: true,
        relaxed_simd_enabled: true,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        // WebAssembly 3.0, part 1 (issue 17): every proposal of `Features::wasm3()`.
        tail_call_enabled: true,
        gc_enabled: false,
        exceptions_enabled: false,
        memory64_enabled: true,
        extended_const_enabled: true,
        wide_arithmetic_enabled: true,
        custom_page_sizes_enabled: true,
        custom_descriptors_enabled: false,
        compact_imports_enabled: false,
        max_memories: 3,
        max_tables: 3,
        max_memory32_bytes: 16 * 65536,
        max_memory64_bytes: 16 * 65536,
        max_table_elements: 1000,
        max_funcs: 30,
        max_instructions: 400,
        max_nesting_depth: 8,
        max_data_segments: 8,
        max_element_segments: 8,
        max_globals: 20,
        ..Config::default()
    }
}

/// Module number `index` of a run seeded with `seed`, or `None` if wasm-smith ran out of
/// random bytes before making one (rare with the sizes used). `relaxed`: whether it may
/// contain relaxed SIMD and exceptions (only when no oracle takes part: the case is a
/// function of the seed, the index and whether an oracle runs).
pub fn module(seed: u64, index: u64, relaxed: bool) -> Option<Vec<u8>> {
    let mut rng = Rng::for_case(seed, index);
    let size = 1024 + rng.below(15 * 1024) as usize;
    let data = rng.bytes(size);
    let with_imports = rng.below(2) == 0;
    let mut u = Unstructured::new(&data);
    let mut cfg = config(with_imports);
    cfg.relaxed_simd_enabled = relaxed;
    cfg.exceptions_enabled = relaxed;
    // GC (issue 19): struct, array and i31 instructions, compared between the tiers.
    cfg.gc_enabled = relaxed;
    let bytes = wasm_smith::Module::new(cfg, &mut u).ok()?.to_bytes();
    // wasm-smith does not canonicalise after the relaxed float operators; we do.
    Some(if relaxed { crate::nans::canonicalize_relaxed(&bytes).unwrap_or(bytes) } else { bytes })
}

/// A wasm-smith module with everything wasm-smith can make, valid or not for us: seeds
/// for input fuzzing (the accept/reject oracle decides).
pub fn any_module(rng: &mut Rng) -> Option<Vec<u8>> {
    let size = 256 + rng.below(8 * 1024) as usize;
    let data = rng.bytes(size);
    let mut u = Unstructured::new(&data);
    let mut cfg = config(rng.below(2) == 0);
    cfg.export_everything = false;
    cfg.canonicalize_nans = false;
    // Now and then a feature we do not support (threads), so rejections are exercised
    // too, or exception handling and GC, which `config` leaves to execution fuzzing
    // without oracles (those of `config`, exceptions and GC are supported, and on in
    // `input::oracle_features`).
    match rng.below(8) {
        0 => cfg.threads_enabled = true,
        1 => cfg.exceptions_enabled = true,
        2 => cfg.gc_enabled = true,
        3 => cfg.exceptions_enabled = true,
        _ => {}
    }
    wasm_smith::Module::new(cfg, &mut u).ok().map(|m| m.to_bytes())
}
