//! `wasmscope-spec`: runs the claimed spec suite (or a filtered part of it) on the chosen
//! tiers and prints the per-file table. `cargo xtask spec` builds and runs this in
//! release mode.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use wasmscope_spec_runner::{
    ExpectedFailures, claimed_files, default_testsuite_dir, install_panic_capture, parse_tiers, run_suite,
};

const HELP: &str = "\
wasmscope-spec: run the WebAssembly spec suite against wasmscope

USAGE:
    wasmscope-spec [OPTIONS]

OPTIONS:
    --tier NAME        interp, jit, a comma list, or all (default: all)
    --filter TEXT      only files whose name contains TEXT (repeatable: any matches)
    --json PATH        also write the JSON report to PATH
    --jobs N           worker threads (default: number of cores)
    --testsuite DIR    folder with wasmscope's own .wast files and expected-failures.txt
    --verbose          also list skips, expected failures and message mismatches
    --list             print the claimed files and exit
    -h, --help         this text

Exit status: 0 when every directive passed or is a listed expected failure, no listed
one passed, and no tiers diverged; 1 otherwise; 2 on bad arguments.";

struct Args {
    tier: String,
    filters: Vec<String>,
    json: Option<PathBuf>,
    jobs: usize,
    testsuite: PathBuf,
    verbose: bool,
    list: bool,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut a = Args {
        tier: "all".to_string(),
        filters: Vec::new(),
        json: None,
        jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
        testsuite: default_testsuite_dir(),
        verbose: false,
        list: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| it.next().ok_or_else(|| format!("{flag} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--tier" => a.tier = value("--tier")?,
            "--filter" => a.filters.push(value("--filter")?),
            "--json" => a.json = Some(PathBuf::from(value("--json")?)),
            "--jobs" => {
                let v = value("--jobs")?;
                a.jobs = v.parse().map_err(|_| format!("--jobs: `{v}` is not a number"))?;
            }
            "--testsuite" => a.testsuite = PathBuf::from(value("--testsuite")?),
            "--verbose" | "-v" => a.verbose = true,
            "--list" => a.list = true,
            other => return Err(format!("unknown argument `{other}` (see --help)")),
        }
    }
    Ok(Some(a))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let tiers = match parse_tiers(&args.tier) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let all = match claimed_files(&args.testsuite) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let expected = match ExpectedFailures::load(&args.testsuite.join("expected-failures.txt")) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if args.filters.is_empty() {
        for f in expected.files() {
            if !all.iter().any(|a| a.name == f) {
                eprintln!("warning: expected-failures.txt names `{f}`, which is not a claimed file");
            }
        }
    }
    let files: Vec<_> = all
        .into_iter()
        .filter(|f| args.filters.is_empty() || args.filters.iter().any(|p| f.name.contains(p)))
        .collect();
    if args.list {
        for f in &files {
            println!("{}", f.name);
        }
        return ExitCode::SUCCESS;
    }
    if files.is_empty() {
        eprintln!("error: no claimed file matches the filter");
        return ExitCode::FAILURE;
    }
    install_panic_capture();
    let tier_names: Vec<&str> = tiers.iter().map(|t| t.name()).collect();
    eprintln!("running {} files on {} ({} jobs)", files.len(), tier_names.join(", "), args.jobs);
    let progress = |done: usize, total: usize, name: &str| {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "[{done}/{total}] {name}");
    };
    let suite = if args.filters.is_empty() {
        "wasmscope".to_string()
    } else {
        format!("wasmscope (filter: {})", args.filters.join(", "))
    };
    let summary = run_suite(&suite, &files, &tiers, &expected, args.jobs, &progress);

    let details = summary.details(args.verbose);
    if !details.is_empty() {
        println!("{details}");
    }
    println!("{}", summary.table());
    println!("{}", summary.totals_line());
    if let Some(path) = &args.json {
        if let Err(e) = std::fs::write(path, summary.json()) {
            eprintln!("error: writing {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        eprintln!("wrote {}", path.display());
    }
    if summary.is_success() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
