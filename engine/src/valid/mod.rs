//! Module validation (spec §3 "Validation"). PLACEHOLDER: being written.

use crate::config::Features;
use crate::error::ValidationError;
use crate::syntax::Module;

/// Validates a decoded module.
pub fn validate(module: &Module, features: &Features) -> Result<(), ValidationError> {
    let _ = (module, features);
    Ok(())
}
