//! `wasmscope wast`: one `.wast` script on the chosen tiers, through the spec runner.

use std::process::ExitCode;

use anyhow::Context as _;
use wasmscope_engine::Features;
use wasmscope_spec_runner::{ExpectedFailures, SuiteFile, install_panic_capture, parse_tiers, run_suite};

use crate::cli::WastArgs;
use crate::usage;

pub fn wast(args: &WastArgs) -> anyhow::Result<ExitCode> {
    let tiers = parse_tiers(&args.tier).map_err(usage)?;
    let base = if args.mvp { Features::mvp() } else { Features::default() };
    let features = args.engine.features(base);
    let path = &args.file;
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.display().to_string();
    let file = SuiteFile { name: name.clone(), text: text.into(), features };
    install_panic_capture();
    let summary = run_suite(&name, &[file], &tiers, &ExpectedFailures::none(), 1, &|_, _, _| {});
    let details = summary.details(args.verbose);
    if !details.is_empty() {
        println!("{details}");
    }
    print!("{}", summary.table());
    println!("{}", summary.totals_line());
    Ok(if summary.is_success() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
