//! The binary format decoder (spec §5 "Binary Format"). PLACEHOLDER: being written.

use crate::config::Features;
use crate::error::DecodeError;
use crate::syntax::Module;

/// Decodes a module binary.
pub fn decode(bytes: &[u8], features: &Features) -> Result<Module, DecodeError> {
    let _ = (bytes, features);
    Err(DecodeError::new(0, "decoder not written yet"))
}
