//! Module validation (spec §3 "Validation"), following the spec appendix "Validation
//! Algorithm" for function bodies.
//!
//! - [`context`]: the context `C` (spec §3.1.1);
//! - [`module`]: module-level rules (types, imports, tables, memories, globals, segments,
//!   start, exports; spec §3.2, §3.4);
//! - [`const_expr`]: constant expressions (spec §3.3.10);
//! - [`func`]: function bodies with operand and control stacks (spec §3.3).
//!
//! Error messages use the official testsuite's wording ("type mismatch", "unknown global 0",
//! ...); index-carrying messages append the index, so the expected texts are prefixes.

mod const_expr;
mod context;
mod func;
mod module;

#[cfg(test)]
mod tests;

use crate::config::Features;
use crate::error::ValidationError;
use crate::syntax::Module;

/// Validates a decoded module against the WebAssembly 2.0 rules enabled in `features`
/// (any `v128` is rejected when SIMD is switched off).
pub fn validate(module: &Module, features: &Features) -> Result<(), ValidationError> {
    module::check_module(module, features, None)
}

/// [`validate`] of a module whose function bodies the decoder already checked as it read
/// them (`binary::decode_validating`), with that check's outcome; the rest is checked as
/// [`validate`] does, and errors come in the same order.
pub(crate) fn validate_with_bodies(
    module: &Module,
    features: &Features,
    bodies: Result<(), ValidationError>,
) -> Result<(), ValidationError> {
    module::check_module(module, features, Some(bodies))
}

pub(crate) use context::Context;
pub(crate) use func::{BodyCheck, OperandTypes, operand_types_at};
