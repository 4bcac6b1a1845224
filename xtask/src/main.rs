//! `cargo xtask`: the project's one script. Being written.
fn main() {}
