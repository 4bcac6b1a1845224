//! Runs .wast scripts against the engine. Being written.
