//! Runs WebAssembly `.wast` spec scripts against wasmscope's engine.
//!
//! - [`suite`] — which files the project claims ([`suite::CLAIMS`]) and with which features.
//! - [`script`] — runs one script on one tier, one method per directive kind.
//! - [`spectest`] — the `spectest` host module.
//! - [`expected`] — `testsuite/expected-failures.txt`.
//! - [`downlevel`] — 1.0 re-encoding of what the text encoder writes in 2.0 form.
//! - [`report`] — tables, JSON, snapshot text; [`run_suite`] runs many files on many
//!   tiers and compares the tiers' invoke outcomes (divergences).

pub mod downlevel;
pub mod expected;
pub mod report;
pub mod script;
pub mod spectest;
pub mod suite;
pub mod values;

use std::cell::RefCell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use expected::ExpectedFailures;
pub use report::{Counts, Divergence, Summary};
pub use script::{DirectiveResult, FileReport, Outcome, run_script};
pub use suite::{CLAIMS, SuiteFile, claimed_files, default_testsuite_dir};
use wasmscope_engine::Tier;

/// Stack size of the threads that run scripts: deep wasm recursion must hit the engine's
/// call-depth limit ("call stack exhausted") long before the host stack runs out.
pub const SCRIPT_THREAD_STACK: usize = 512 << 20;

/// Parses a `--tier` value: a tier name or `all`.
pub fn parse_tiers(spec: &str) -> Result<Vec<Tier>, String> {
    if spec == "all" {
        return Ok(Tier::ALL.to_vec());
    }
    let mut out = Vec::new();
    for name in spec.split(',') {
        match Tier::from_name(name.trim()) {
            Some(t) if !out.contains(&t) => out.push(t),
            Some(_) => {}
            None => {
                let known: Vec<&str> = Tier::ALL.iter().map(|t| t.name()).collect();
                return Err(format!("unknown tier `{name}`: this build has {} (or `all`)", known.join(", ")));
            }
        }
    }
    Ok(out)
}

/// Runs `file` on every tier in `tiers` (each with its own store) and compares the tiers'
/// invoke outcomes.
pub fn run_file(file: &SuiteFile, tiers: &[Tier], expected: &ExpectedFailures) -> (Vec<FileReport>, Vec<Divergence>) {
    let reports: Vec<FileReport> =
        tiers.iter().map(|&t| run_script(&file.name, &file.text, file.features, t, expected)).collect();
    let divergences = compare_tiers(&reports);
    (reports, divergences)
}

/// Compares the invoke outcomes of the same script run on several tiers, invoke by invoke
/// in script order. Values are compared bit-exactly except where the spec allows
/// nondeterminism (see [`values::comparable`]).
pub fn compare_tiers(reports: &[FileReport]) -> Vec<Divergence> {
    let mut out = Vec::new();
    let Some(first) = reports.first() else { return out };
    let n = reports.iter().map(|r| r.invokes.len()).max().unwrap_or(0);
    for i in 0..n {
        let outcomes: Vec<(String, String, usize)> = reports
            .iter()
            .map(|r| match r.invokes.get(i) {
                Some(rec) => (r.tier.name().to_string(), rec.outcome.clone(), rec.line),
                None => (r.tier.name().to_string(), "<not reached>".to_string(), 0),
            })
            .collect();
        if outcomes.windows(2).any(|w| w[0].1 != w[1].1 || w[0].2 != w[1].2) {
            let line = outcomes.iter().map(|o| o.2).find(|&l| l != 0).unwrap_or(0);
            out.push(Divergence {
                file: first.name.clone(),
                line,
                outcomes: outcomes.into_iter().map(|(t, o, _)| (t, o)).collect(),
            });
        }
    }
    out
}

/// Runs `files` on `tiers` with `jobs` worker threads. `progress(done, total, name)` is
/// called as each file finishes. Results are in `files` order whatever the scheduling.
pub fn run_suite(
    suite: &str,
    files: &[SuiteFile],
    tiers: &[Tier],
    expected: &ExpectedFailures,
    jobs: usize,
    progress: &(dyn Fn(usize, usize, &str) + Sync),
) -> Summary {
    type FileResult = (Vec<FileReport>, Vec<Divergence>);
    let results: Mutex<Vec<Option<FileResult>>> = Mutex::new(vec![None; files.len()]);
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::SeqCst);
            let Some(file) = files.get(i) else { break };
            let r = run_file(file, tiers, expected);
            if let Ok(mut slots) = results.lock() {
                slots[i] = Some(r);
            }
            let d = done.fetch_add(1, Ordering::SeqCst) + 1;
            progress(d, files.len(), &file.name);
        }
    };
    std::thread::scope(|scope| {
        let mut spawned = 0;
        for _ in 0..jobs.max(1).min(files.len().max(1)) {
            let b = std::thread::Builder::new().name("wast".to_string()).stack_size(SCRIPT_THREAD_STACK);
            if b.spawn_scoped(scope, work).is_ok() {
                spawned += 1;
            }
        }
        if spawned == 0 {
            work();
        }
    });
    let mut summary = Summary { suite: suite.to_string(), ..Summary::default() };
    let slots = results.into_inner().unwrap_or_else(|p| p.into_inner());
    for (file, slot) in files.iter().zip(slots) {
        match slot {
            Some((reports, divs)) => {
                summary.files.extend(reports);
                summary.divergences.extend(divs);
            }
            // A worker died outside the per-directive panic guard: report every tier failed.
            None => {
                for &tier in tiers {
                    summary.files.push(FileReport {
                        name: file.name.clone(),
                        tier,
                        directives: vec![DirectiveResult {
                            line: 0,
                            kind: "script",
                            outcome: Outcome::Fail("the runner thread died".to_string()),
                            message_mismatch: None,
                            unexpected_pass: None,
                        }],
                        invokes: Vec::new(),
                        stale_expected: Vec::new(),
                    });
                }
            }
        }
    }
    summary
}

thread_local! {
    static PANIC_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs a panic hook that prints nothing for panics on script threads (named
/// `wast`) and remembers where they happened, so an engine panic becomes one failed
/// directive with its location instead of a wall of text. Other threads keep the
/// default hook.
pub fn install_panic_capture() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some("wast") {
            let loc = info.location().map(|l| format!("{}:{}", l.file(), l.line()));
            PANIC_LOCATION.with(|p| *p.borrow_mut() = loc);
        } else {
            default(info);
        }
    }));
}

/// The location of the last captured panic on this thread.
pub(crate) fn take_panic_location() -> Option<String> {
    PANIC_LOCATION.with(|p| p.borrow_mut().take())
}
