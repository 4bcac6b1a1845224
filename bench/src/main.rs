//! `wasmscope-bench`: wasmscope's interpreter and JIT side by side with wasmi and wasmtime
//! (issues 5 and 15). Run it through `cargo xtask bench`, which builds this crate and
//! wasmscope's CLI in release mode.
//!
//! Every (workload, engine, repetition) is measured in a child process — this binary
//! re-invoked with `--child` — so that each measurement starts from a fresh process and its
//! peak RSS (`VmHWM`) belongs to that engine and workload alone. The child times the engine
//! calls only (compile, instantiate, the call), never process start-up. Repetitions are
//! interleaved (rep 1 of every engine and workload, then rep 2, ...) so that drift in the
//! machine's state spreads over all engines alike; medians are reported.
//!
//! The real-program set (WASI commands) is measured that way too, with each engine's
//! stdout captured and compared, and then once more as whole processes through the four
//! CLIs (`cli`). The SIMD kernels (`bench/simd/`) are measured like the kernels, with a
//! geometric mean of their own. Tables and JSON are built in `report`.

mod cli;
mod commands;
mod engines;
mod report;
mod workloads;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use engines::{EngineKind, Sample};
use report::{Cell, CliCell, Report, Selected};
use workloads::{Group, Kind, Source, WORKLOADS};

const HELP: &str = "\
wasmscope-bench: wasmscope (interpreter, JIT) against wasmi and wasmtime

USAGE:
    cargo xtask bench [--filter NAME[,NAME...]] [--set kernels|programs|simd] [--json PATH]
                      [--reps N] [--scale F] [--engines LIST] [--no-cli] [--list]

OPTIONS:
    --filter NAMES  only the workloads whose name contains one of the comma-separated NAMES
    --set SET       only the kernels (with the generated modules), only the real programs,
                    or only the SIMD kernels (bench/simd/)
    --json PATH     also write the results as JSON to PATH
    --reps N        repetitions of each measurement (default 5); medians are reported
    --engines LIST  only these engines (comma-separated: wasmscope-interp, wasmscope-jit,
                    wasmi, wasmtime), in process and as CLIs; ratios need both engines
                    of a pair
    --scale F       multiply each workload's size by F (default 1; e.g. 0.1 for a quick check)
    --no-cli        skip the whole-process CLI comparison of the real programs
    --list          list the workloads and exit

The CLI comparison runs `wasmscope run --tier interp|jit`, `wasmi run` and `wasmtime run`,
found through WASMSCOPE_CLI, WASMI_CLI and WASMTIME_CLI or on PATH (a missing one is
skipped with a notice).";

pub struct Options {
    filter: Vec<String>,
    set: Option<&'static str>,
    json: Option<PathBuf>,
    pub reps: usize,
    pub scale: f64,
    engines: Vec<EngineKind>,
    no_cli: bool,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        return child(&args[1..]);
    }
    let options = match parse(&args) {
        Ok(Some(o)) => o,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wasmscope-bench: {e}\n\n{HELP}");
            return ExitCode::from(2);
        }
    };
    match parent(&options) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("wasmscope-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse(args: &[String]) -> Result<Option<Options>, String> {
    let mut options = Options {
        filter: Vec::new(),
        set: None,
        json: None,
        reps: 5,
        scale: 1.0,
        engines: EngineKind::ALL.to_vec(),
        no_cli: false,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--filter" => options.filter.extend(value("--filter")?.split(',').map(str::to_string)),
            "--set" => {
                options.set = match value("--set")?.as_str() {
                    "kernels" => Some("kernels"),
                    "programs" => Some("programs"),
                    "simd" => Some("simd"),
                    other => return Err(format!("--set: unknown set `{other}` (kernels, programs, simd)")),
                }
            }
            "--json" => options.json = Some(PathBuf::from(value("--json")?)),
            "--reps" => {
                options.reps = value("--reps")?.parse().map_err(|e| format!("--reps: {e}"))?;
                if options.reps == 0 {
                    return Err("--reps must be at least 1".into());
                }
            }
            "--scale" => {
                options.scale = value("--scale")?.parse().map_err(|e| format!("--scale: {e}"))?;
                if options.scale.is_nan() || options.scale <= 0.0 {
                    return Err("--scale must be positive".into());
                }
            }
            "--engines" => {
                options.engines = value("--engines")?
                    .split(',')
                    .map(|n| EngineKind::from_name(n).ok_or(format!("unknown engine `{n}`")))
                    .collect::<Result<_, _>>()?;
            }
            "--no-cli" => options.no_cli = true,
            "--list" => {
                for w in WORKLOADS {
                    println!("{:<14} {:<9} {}", w.name, w.group.set_name(), w.what);
                }
                return Ok(None);
            }
            "-h" | "--help" => {
                println!("{HELP}");
                return Ok(None);
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Some(options))
}

/// Separates a child's `SAMPLE` line from the guest output that may follow it.
const OUTPUT_MARK: &str = "OUTPUT ";

/// `--child ENGINE KIND MODULE_PATH ARG`: one measurement; prints a `SAMPLE` line, and for
/// a WASI command an `OUTPUT LEN` line followed by the LEN bytes the guest printed.
fn child(args: &[String]) -> ExitCode {
    let run = || -> Result<Vec<u8>, String> {
        let [engine, kind, path, arg] = args else {
            return Err("usage: --child ENGINE KIND MODULE_PATH ARG".into());
        };
        if engine == "none" {
            // The baseline: the process itself, no engine used.
            return Ok(Sample::default().to_line(engines::peak_rss_kib()).into_bytes());
        }
        let engine = EngineKind::from_name(engine).ok_or(format!("unknown engine {engine}"))?;
        let kind = match kind.as_str() {
            "run" => Kind::Run,
            "hostcall" => Kind::HostCall,
            "instantiate" => Kind::Instantiate,
            "command" => Kind::Command,
            _ => return Err(format!("unknown kind {kind}")),
        };
        let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
        if kind == Kind::Command {
            let argv0 = Path::new(path).file_name().map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned());
            let outcome = commands::measure(engine, &bytes, &[argv0, arg.clone()])?;
            drop(bytes);
            let mut out = outcome.sample.to_line(engines::peak_rss_kib()).into_bytes();
            out.extend_from_slice(format!("\n{OUTPUT_MARK}{}\n", outcome.stdout.len()).as_bytes());
            out.extend_from_slice(&outcome.stdout);
            return Ok(out);
        }
        let arg: i32 = arg.parse().map_err(|e| format!("ARG: {e}"))?;
        let sample = engines::measure(engine, kind, &bytes, arg)?;
        drop(bytes);
        Ok(sample.to_line(engines::peak_rss_kib()).into_bytes())
    };
    match run() {
        Ok(mut out) => {
            out.push(b'\n');
            match std::io::stdout().write_all(&out) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("child: stdout: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Err(e) => {
            eprintln!("child: {e}");
            ExitCode::FAILURE
        }
    }
}

fn kind_arg(kind: Kind) -> &'static str {
    match kind {
        Kind::Run => "run",
        Kind::HostCall => "hostcall",
        Kind::Instantiate => "instantiate",
        Kind::Command => "command",
    }
}

/// A child's report, parsed.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub sample: Sample,
    pub peak_kib: u64,
    /// A WASI command's stdout (empty for the kernels).
    pub stdout: Vec<u8>,
}

fn spawn_child(engine: &str, kind: Kind, module: &Path, arg: i32) -> Result<Parsed, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let out = Command::new(exe)
        .arg("--child")
        .arg(engine)
        .arg(kind_arg(kind))
        .arg(module)
        .arg(arg.to_string())
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("could not start the child: {e}"))?;
    // Passed on as it came; the last line of a failed child (`child: why`) goes into the
    // error, so that the report can say why (and tell an unsupported feature from a bug).
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprint!("{stderr}");
    if !out.status.success() {
        let why = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
        let why = why.trim().strip_prefix("child: ").unwrap_or(why.trim());
        return Err(if why.is_empty() {
            format!("child exited with {}", out.status)
        } else {
            format!("{why} (child exited with {})", out.status)
        });
    }
    parse_child_output(&out.stdout)
}

fn parse_child_output(stdout: &[u8]) -> Result<Parsed, String> {
    // The SAMPLE line comes first; the guest's bytes (which may be anything) after it.
    let (line, rest) = match stdout.iter().position(|&b| b == b'\n') {
        Some(i) => (&stdout[..i], &stdout[i + 1..]),
        None => (stdout, &[][..]),
    };
    let line = String::from_utf8_lossy(line);
    let line = line.strip_prefix("SAMPLE ").ok_or("child printed no SAMPLE line first")?;
    let mut parsed = Parsed::default();
    for field in line.split_whitespace() {
        let (key, value) = field.split_once('=').ok_or(format!("bad field {field}"))?;
        let int = |v: &str| v.parse::<u64>().map_err(|e| format!("{key}: {e}"));
        match key {
            "compile_ns" => parsed.sample.compile = Duration::from_nanos(int(value)?),
            "inst_ns" => parsed.sample.instantiate = Duration::from_nanos(int(value)?),
            "run_ns" => parsed.sample.run = Duration::from_nanos(int(value)?),
            "checksum" => parsed.sample.checksum = value.parse().map_err(|e| format!("checksum: {e}"))?,
            "peak_kib" => parsed.peak_kib = int(value)?,
            "note" if !value.is_empty() => parsed.sample.note = Some(value.replace('_', " ")),
            _ => {}
        }
    }
    if let Some(i) = rest.iter().position(|&b| b == b'\n')
        && let Some(len) = String::from_utf8_lossy(&rest[..i]).strip_prefix(OUTPUT_MARK)
    {
        let len: usize = len.parse().map_err(|e| format!("OUTPUT length: {e}"))?;
        let bytes = rest.get(i + 1..i + 1 + len).ok_or("child's OUTPUT is shorter than announced")?;
        parsed.stdout = bytes.to_vec();
    }
    Ok(parsed)
}

fn bench_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn parent(options: &Options) -> Result<bool, String> {
    let selected_workloads: Vec<_> = WORKLOADS
        .iter()
        .filter(|w| options.filter.is_empty() || options.filter.iter().any(|f| w.name.contains(f.as_str())))
        .filter(|w| options.set.is_none_or(|s| w.group.set_name() == s))
        .collect();
    if selected_workloads.is_empty() {
        return Err(format!("no workload matches {:?} (see --list)", options.filter));
    }
    // Generated modules are written once to a scratch directory the children read.
    let scratch = std::env::temp_dir().join(format!("wasmscope-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let mut selected = Vec::new();
    for w in selected_workloads {
        let path = match w.source {
            Source::Committed => bench_dir().join("workloads").join(format!("{}.wasm", w.name)),
            Source::Program => bench_dir().join("programs").join(format!("{}.wasm", w.name)),
            Source::Simd => bench_dir().join("simd").join(format!("{}.wasm", w.name)),
            Source::TailCall => bench_dir().join("tailcall").join(format!("{}.wasm", w.name)),
            Source::Exceptions => bench_dir().join("exceptions").join(format!("{}.wasm", w.name)),
            Source::Gc => bench_dir().join("gc").join(format!("{}.wasm", w.name)),
            Source::Generated => {
                let bytes = workloads::generate(w.name)?;
                let path = scratch.join(format!("{}.wasm", w.name));
                std::fs::write(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
                eprintln!("generated {} ({:.2} MiB)", w.name, bytes.len() as f64 / (1024.0 * 1024.0));
                path
            }
        };
        let module_bytes = std::fs::metadata(&path)
            .map_err(|e| format!("{}: {e} (cargo xtask bench --rebuild-workloads)", path.display()))?
            .len();
        let arg = ((w.arg as f64 * options.scale).round() as i32).max(1);
        // The Fibonacci index grows the work exponentially: scale it logarithmically.
        let arg = if w.name == "fib" {
            (w.arg as f64 + options.scale.ln() / 1.618f64.ln()).round().max(2.0) as i32
        } else {
            arg
        };
        selected.push(Selected { workload: w, path, arg, module_bytes });
    }

    let baseline = spawn_child("none", Kind::Run, Path::new("-"), 0)?;
    let mut cells: Vec<Vec<Cell>> =
        selected.iter().map(|_| EngineKind::ALL.iter().map(|_| Cell::default()).collect()).collect();
    for rep in 0..options.reps {
        for (wi, s) in selected.iter().enumerate() {
            for (ei, engine) in EngineKind::ALL.iter().enumerate() {
                let cell = &mut cells[wi][ei];
                if cell.error.is_some() || !options.engines.contains(engine) {
                    continue;
                }
                match spawn_child(engine.name(), s.workload.kind, &s.path, s.arg) {
                    Ok(p) => {
                        eprintln!(
                            "[{}/{}] {:<12} {:<16} run {:>9.2} ms  compile {:>8.2} ms  peak {:>7.1} MiB",
                            rep + 1,
                            options.reps,
                            s.workload.name,
                            engine.name(),
                            p.sample.run.as_secs_f64() * 1e3,
                            p.sample.compile.as_secs_f64() * 1e3,
                            p.peak_kib as f64 / 1024.0
                        );
                        cell.samples.push(p);
                    }
                    Err(e) => {
                        if report::not_supported(s.workload.group, &e) {
                            eprintln!("{} on {}: not run: {e}", s.workload.name, engine.name());
                        } else {
                            eprintln!("{} on {}: {e}", s.workload.name, engine.name());
                        }
                        cell.error = Some(e);
                    }
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);

    let (clis, cli_cells, notices) = compare_clis(&selected, options);
    let report = Report::new(&selected, &cells, &clis, &cli_cells, notices, baseline.peak_kib, options);
    println!("{}", report.markdown());
    if let Some(path) = &options.json {
        std::fs::write(path, report.json()).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    for problem in &report.problems {
        eprintln!("error: {problem}");
    }
    Ok(report.problems.is_empty())
}

/// The whole-process runs of the selected real programs on every CLI found, interleaved
/// like the in-process ones: `cells[program][cli]`.
fn compare_clis(selected: &[Selected], options: &Options) -> (Vec<cli::Cli>, Vec<Vec<CliCell>>, Vec<String>) {
    let programs: Vec<&Selected> = selected.iter().filter(|s| s.workload.group == Group::Program).collect();
    if programs.is_empty() {
        return (Vec::new(), Vec::new(), Vec::new());
    }
    if options.no_cli {
        return (Vec::new(), Vec::new(), vec!["CLI comparison skipped (--no-cli)".to_string()]);
    }
    let (mut clis, notices) = cli::find_clis();
    // `--engines` selects the CLI columns too (they carry the engines' names).
    clis.retain(|c| options.engines.iter().any(|e| e.name() == c.name));
    for n in &notices {
        eprintln!("notice: {n}");
    }
    for c in &clis {
        eprintln!("CLI {}: {} ({})", c.name, c.binary.display(), cli::version(c));
    }
    let mut cells: Vec<Vec<CliCell>> =
        programs.iter().map(|_| clis.iter().map(|_| CliCell::default()).collect()).collect();
    for rep in 0..options.reps {
        for (pi, s) in programs.iter().enumerate() {
            for (ci, c) in clis.iter().enumerate() {
                let cell = &mut cells[pi][ci];
                if cell.error.is_some() {
                    continue;
                }
                match cli::run(c, &s.path, &[s.arg.to_string()]) {
                    Ok(r) => {
                        eprintln!(
                            "[{}/{}] {:<12} {:<16} CLI wall {:>9.2} ms",
                            rep + 1,
                            options.reps,
                            s.workload.name,
                            c.name,
                            r.wall_ms
                        );
                        cell.runs.push(r);
                    }
                    Err(e) => {
                        eprintln!("{} on the {} CLI: {e}", s.workload.name, c.name);
                        cell.error = Some(e);
                    }
                }
            }
        }
    }
    (clis, cells, notices)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_report_with_guest_output_parses_back() -> Result<(), String> {
        let sample = Sample { run: Duration::from_nanos(1500), checksum: -7, ..Sample::default() };
        // The guest's bytes may hold anything, newlines and `SAMPLE` included.
        let guest = b"line 1\nSAMPLE run_ns=1\n\xff";
        let mut out = sample.to_line(42).into_bytes();
        out.extend_from_slice(format!("\n{OUTPUT_MARK}{}\n", guest.len()).as_bytes());
        out.extend_from_slice(guest);
        out.push(b'\n');
        let parsed = parse_child_output(&out)?;
        assert_eq!(parsed.sample.run, Duration::from_nanos(1500));
        assert_eq!(parsed.sample.checksum, -7);
        assert_eq!(parsed.peak_kib, 42);
        assert_eq!(parsed.stdout, guest);
        Ok(())
    }

    #[test]
    fn a_kernel_report_has_no_output() -> Result<(), String> {
        let parsed = parse_child_output(format!("{}\n", Sample::default().to_line(1)).as_bytes())?;
        assert!(parsed.stdout.is_empty());
        assert!(parse_child_output(b"garbage\n").is_err());
        Ok(())
    }
}
