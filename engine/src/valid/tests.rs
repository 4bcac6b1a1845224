//! Validator tests.
