//! `wasmscope-fuzz`: the driver behind `cargo xtask fuzz` (see the crate docs in lib.rs).
//!
//! Each case `i` of a run seeded with `S` is a pure function of `(S, i)` and of whether an
//! oracle runs (relaxed SIMD is generated only without one): a wasm-smith module run on the
//! interpreter and the JIT (and on wasmi and/or wasmtime with `--oracle`) and compared,
//! plus mutated binaries of it fed to the loader and validator. Findings are saved under
//! `fuzz-crashes/`, shrunk, and printed with a command that reproduces them.

mod driver;

use std::process::ExitCode;
use std::time::Duration;

#[global_allocator]
static ALLOC: wasmscope_fuzz_harness::alloc::Counting = wasmscope_fuzz_harness::alloc::Counting;

const USAGE: &str = "\
wasmscope-fuzz: differential execution fuzzing (interpreter vs JIT [vs wasmi, wasmtime])
and input fuzzing of the loader/validator (against wasmparser)

USAGE:
    cargo xtask fuzz [--seconds N] [--seed S] [--oracle O] [--jobs N]
    cargo xtask fuzz --seed S --case I [--oracle O]     re-run one case
    cargo xtask fuzz --replay FILE.wasm [--oracle O]    re-run a saved module

OPTIONS:
    --seconds N     how long to run (default 60)
    --seed S        the run's seed (default: from the clock; printed)
    --oracle O      also run every module on O and compare: wasmi (2.0.0), wasmtime
                    (48.0.8, Cranelift) or all (both; a difference of wasmi's alone,
                    with wasmtime agreeing with us bit for bit, is printed and saved as
                    wasmi's own, not counted as a finding)
    --jobs N        worker threads (default: available cores)
    --mutations N   mutated binaries per case for input fuzzing (default 16)
    --no-shrink     save findings without shrinking them";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match driver::Options::parse(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if opts.help {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let findings = match &opts.replay {
        Some(path) => driver::replay(&opts, path),
        None if opts.case.is_some() => driver::one_case(&opts),
        None => driver::run(&opts, Duration::from_secs(opts.seconds)),
    };
    if findings == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
