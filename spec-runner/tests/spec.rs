//! `cargo test` over the whole claimed spec suite: one test per file and tier (named
//! `FILE::TIER`, so a failure names its file), plus `snapshot`, which checks the compact
//! per-file counts against `snapshots/spec_summary.snap` so that any drop in conformance
//! fails `cargo test`. A libtest-compatible harness (`harness = false`), no dependencies.
//!
//! A file test passes when the file has no unexpected failure, or when its failures are
//! exactly the ones the snapshot records for it (the engine's known state: the ratchet).
//! An unexpectedly passing listed directive or a tier divergence always fails.
//!
//! After an engine change that *improves* the counts, accept the new numbers with
//! `INSTA_UPDATE=always cargo test -p wasmscope-spec-runner --test spec`.

use std::process::ExitCode;
use std::time::Instant;

use wasmscope_engine::Tier;
use wasmscope_spec_runner::report::{snapshot_key, snapshot_line};
use wasmscope_spec_runner::{
    ExpectedFailures, SuiteFile, claimed_files, default_testsuite_dir, install_panic_capture, run_suite,
};

struct Opts {
    filters: Vec<String>,
    exact: bool,
    list: bool,
    ignored: bool,
    jobs: Option<usize>,
}

fn parse_opts() -> Opts {
    let mut o = Opts { filters: Vec::new(), exact: false, list: false, ignored: false, jobs: None };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--exact" => o.exact = true,
            "--list" => o.list = true,
            "--ignored" => o.ignored = true,
            "--test-threads" => o.jobs = it.next().and_then(|n| n.parse().ok()),
            "--color" | "--format" | "-Z" | "--skip" | "--logfile" | "--report-time" => {
                let _ = it.next();
            }
            s if s.starts_with("--test-threads=") => {
                o.jobs = s["--test-threads=".len()..].parse().ok();
            }
            s if s.starts_with('-') => {}
            s => o.filters.push(s.to_string()),
        }
    }
    o
}

fn selected(o: &Opts, name: &str) -> bool {
    o.filters.is_empty() || o.filters.iter().any(|f| if o.exact { name == f } else { name.contains(f.as_str()) })
}

fn main() -> ExitCode {
    let opts = parse_opts();
    let start = Instant::now();
    let dir = default_testsuite_dir();
    let files = match claimed_files(&dir) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let expected = match ExpectedFailures::load(&dir.join("expected-failures.txt")) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let tiers = Tier::ALL;
    let test_name = |f: &SuiteFile, t: Tier| format!("{}::{}", f.name, t.name());
    let all_tests: Vec<String> = files
        .iter()
        .flat_map(|f| tiers.iter().map(move |&t| test_name(f, t)))
        .chain(std::iter::once("snapshot".to_string()))
        .collect();
    if opts.list {
        for t in &all_tests {
            println!("{t}: test");
        }
        return ExitCode::SUCCESS;
    }
    let chosen: Vec<&String> =
        if opts.ignored { Vec::new() } else { all_tests.iter().filter(|t| selected(&opts, t)).collect() };
    let filtered_out = all_tests.len() - chosen.len();
    let snapshot = chosen.iter().any(|t| *t == "snapshot");
    // The snapshot needs the whole suite; otherwise run only the files selected.
    let run_files: Vec<SuiteFile> = files
        .iter()
        .filter(|f| snapshot || tiers.iter().any(|&t| chosen.contains(&&test_name(f, t))))
        .cloned()
        .collect();

    // The recorded per-file counts (see `snapshot` below).
    let snap_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../snapshots/spec_summary.snap");
    let recorded: Vec<String> =
        std::fs::read_to_string(&snap_path).unwrap_or_default().lines().map(str::to_string).collect();

    println!("\nrunning {} tests", chosen.len());
    install_panic_capture();
    let jobs = opts.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let summary = run_suite("wasmscope", &run_files, tiers, &expected, jobs, &|_, _, _| {});

    let mut passed = 0;
    let mut failures: Vec<(String, String)> = Vec::new();
    for report in &summary.files {
        let name = format!("{}::{}", report.name, report.tier.name());
        if !chosen.contains(&&name) {
            continue;
        }
        let divs: Vec<_> = summary.divergences.iter().filter(|d| d.file == report.name).collect();
        let line = snapshot_line(report);
        let key = snapshot_key(&line).unwrap_or(&line);
        let recorded = recorded.iter().find(|l| snapshot_key(l) == Some(key));
        // Failures recorded in the snapshot are the engine's known state (the ratchet):
        // the file passes while its counts stay exactly as recorded.
        let known = report.failed() > 0 && recorded.is_some_and(|r| *r == line);
        if (report.is_success() || known) && report.unexpected_passes() == 0 && divs.is_empty() {
            println!("test {name} ... ok");
            passed += 1;
        } else {
            println!("test {name} ... FAILED");
            let one = wasmscope_spec_runner::Summary {
                suite: String::new(),
                files: vec![report.clone()],
                divergences: divs.into_iter().cloned().collect(),
            };
            let mut why = one.details(false);
            if report.failed() > 0 {
                why.push_str(&format!(
                    "counts now:      {line}\nsnapshot records: {}\n",
                    recorded.map_or("(nothing)", |r| r.as_str())
                ));
            }
            failures.push((name, why));
        }
    }
    if snapshot {
        let text = summary.snapshot();
        let result = std::panic::catch_unwind(|| {
            insta::with_settings!({
                snapshot_path => "../../snapshots",
                prepend_module_to_snapshot => false,
                omit_expression => true,
            }, {
                insta::assert_snapshot!("spec_summary", text);
            });
        });
        match result {
            Ok(()) => {
                println!("test snapshot ... ok");
                passed += 1;
            }
            Err(_) => {
                println!("test snapshot ... FAILED");
                failures.push((
                    "snapshot".to_string(),
                    "the per-file spec counts differ from snapshots/spec_summary.snap (diff above).\n\
                     If conformance improved, accept with: INSTA_UPDATE=always cargo test -p wasmscope-spec-runner --test spec\n"
                        .to_string(),
                ));
            }
        }
    }
    if !failures.is_empty() {
        println!("\nfailures:\n");
        for (name, details) in &failures {
            println!("---- {name} ----\n{details}");
        }
        println!("failures:");
        for (name, _) in &failures {
            println!("    {name}");
        }
    }
    let ok = failures.is_empty();
    println!(
        "\ntest result: {}. {} passed; {} failed; 0 ignored; 0 measured; {} filtered out; finished in {:.2}s\n",
        if ok { "ok" } else { "FAILED" },
        passed,
        failures.len(),
        filtered_out,
        start.elapsed().as_secs_f64()
    );
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
