//! What the scripted `--batch` tests share: the fixtures, a transcript of a script run on
//! one, and its insta snapshot under the top-level `snapshots/` folder.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};

use wasmscope_debugger::repl::batch_transcript;
use wasmscope_debugger::{Session, SessionConfig};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The transcript of `tests/scripts/SCRIPT` run on fixture `module` with program `args`.
pub fn transcript(module: &str, script: &str, args: &[&str]) -> String {
    let config = SessionConfig { args: args.iter().map(|s| s.to_string()).collect(), ..SessionConfig::default() };
    let mut s = Session::load(&fixture(module), config).unwrap();
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts").join(script)).unwrap();
    batch_transcript(&mut s, &text)
}

pub fn snap(name: &str, text: &str) {
    insta::with_settings!({ snapshot_path => "../../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, text);
    });
}
