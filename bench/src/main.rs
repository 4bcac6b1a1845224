//! `wasmscope-bench`: wasmscope's interpreter and JIT side by side with wasmi and wasmtime
//! (issue 5). Run it through `cargo xtask bench`, which builds this crate in release mode.
//!
//! Every (workload, engine, repetition) is measured in a child process — this binary
//! re-invoked with `--child` — so that each measurement starts from a fresh process and its
//! peak RSS (`VmHWM`) belongs to that engine and workload alone. The child times the engine
//! calls only (compile, instantiate, the call), never process start-up. Repetitions are
//! interleaved (rep 1 of every engine and workload, then rep 2, ...) so that drift in the
//! machine's state spreads over all engines alike; medians are reported.

mod engines;
mod workloads;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use engines::{EngineKind, Sample};
use workloads::{Kind, Source, WORKLOADS, Workload};

const HELP: &str = "\
wasmscope-bench: wasmscope (interpreter, JIT) against wasmi and wasmtime

USAGE:
    cargo xtask bench [--filter NAME[,NAME...]] [--json PATH] [--reps N] [--scale F]
                      [--engines LIST] [--list]

OPTIONS:
    --filter NAMES  only the workloads whose name contains one of the comma-separated NAMES
    --json PATH     also write the results as JSON to PATH
    --reps N        repetitions of each measurement (default 5); medians are reported
    --engines LIST  only these engines (comma-separated: wasmscope-interp, wasmscope-jit,
                    wasmi, wasmtime); ratios need both engines of a pair
    --scale F       multiply each workload's size by F (default 1; e.g. 0.1 for a quick check)
    --list          list the workloads and exit";

struct Options {
    filter: Vec<String>,
    json: Option<PathBuf>,
    reps: usize,
    scale: f64,
    engines: Vec<EngineKind>,
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
    let mut options =
        Options { filter: Vec::new(), json: None, reps: 5, scale: 1.0, engines: EngineKind::ALL.to_vec() };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--filter" => options.filter.extend(value("--filter")?.split(',').map(str::to_string)),
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
            "--list" => {
                for w in WORKLOADS {
                    println!("{:<14} {}", w.name, w.what);
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

/// `--child ENGINE KIND MODULE_PATH ARG`: one measurement; prints a `SAMPLE` line.
fn child(args: &[String]) -> ExitCode {
    let run = || -> Result<String, String> {
        let [engine, kind, path, arg] = args else {
            return Err("usage: --child ENGINE KIND MODULE_PATH ARG".into());
        };
        if engine == "none" {
            // The baseline: the process itself, no engine used.
            return Ok(Sample::default().to_line(engines::peak_rss_kib()));
        }
        let engine = EngineKind::from_name(engine).ok_or(format!("unknown engine {engine}"))?;
        let kind = match kind.as_str() {
            "run" => Kind::Run,
            "hostcall" => Kind::HostCall,
            "instantiate" => Kind::Instantiate,
            _ => return Err(format!("unknown kind {kind}")),
        };
        let arg: i32 = arg.parse().map_err(|e| format!("ARG: {e}"))?;
        let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
        let sample = engines::measure(engine, kind, &bytes, arg)?;
        drop(bytes);
        Ok(sample.to_line(engines::peak_rss_kib()))
    };
    match run() {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
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
    }
}

#[derive(Debug, Clone, Default)]
struct Parsed {
    sample: Sample,
    peak_kib: u64,
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
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not start the child: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("child exited with {}", out.status));
    }
    let line = stdout.lines().find(|l| l.starts_with("SAMPLE ")).ok_or("child printed no SAMPLE line")?;
    let mut parsed = Parsed::default();
    for field in line.split_whitespace().skip(1) {
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
    Ok(parsed)
}

/// All repetitions of one (workload, engine).
#[derive(Default)]
struct Cell {
    samples: Vec<Parsed>,
    error: Option<String>,
}

impl Cell {
    fn median(&self, f: impl Fn(&Sample) -> Duration) -> f64 {
        let mut v: Vec<f64> = self.samples.iter().map(|p| f(&p.sample).as_secs_f64() * 1e3).collect();
        median(&mut v)
    }
    /// (max - min) / median of the run times, in percent.
    fn spread(&self) -> f64 {
        let v: Vec<f64> = self.samples.iter().map(|p| p.sample.run.as_secs_f64()).collect();
        let (lo, hi) = v.iter().fold((f64::MAX, 0f64), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        let mut v2 = v.clone();
        let m = median(&mut v2);
        if m > 0.0 { (hi - lo) / m * 100.0 } else { 0.0 }
    }
    fn peak_mib(&self) -> f64 {
        self.samples.iter().map(|p| p.peak_kib).max().unwrap_or(0) as f64 / 1024.0
    }
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

fn geomean(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    (v.iter().map(|x| x.ln()).sum::<f64>() / v.len() as f64).exp()
}

fn workload_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("workloads")
}

fn parent(options: &Options) -> Result<bool, String> {
    let selected: Vec<&Workload> = WORKLOADS
        .iter()
        .filter(|w| options.filter.is_empty() || options.filter.iter().any(|f| w.name.contains(f.as_str())))
        .collect();
    if selected.is_empty() {
        return Err(format!("no workload matches {:?} (see --list)", options.filter));
    }
    // Generated modules are written once to a scratch directory the children read.
    let scratch = std::env::temp_dir().join(format!("wasmscope-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let mut modules = Vec::new();
    for w in &selected {
        let path = match w.source {
            Source::Committed => workload_dir().join(format!("{}.wasm", w.name)),
            Source::Generated => {
                let bytes = workloads::generate(w.name)?;
                let path = scratch.join(format!("{}.wasm", w.name));
                std::fs::write(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
                eprintln!("generated {} ({:.2} MiB)", w.name, bytes.len() as f64 / (1024.0 * 1024.0));
                path
            }
        };
        if !path.exists() {
            return Err(format!("{} is missing (cargo xtask bench --rebuild-workloads)", path.display()));
        }
        let arg = ((w.arg as f64 * options.scale).round() as i32).max(1);
        // The Fibonacci index grows the work exponentially: scale it logarithmically.
        let arg = if w.name == "fib" {
            (w.arg as f64 + options.scale.ln() / 1.618f64.ln()).round().max(2.0) as i32
        } else {
            arg
        };
        modules.push((*w, path, arg));
    }

    let baseline = spawn_child("none", Kind::Run, Path::new("-"), 0)?;
    let mut cells: Vec<Vec<Cell>> =
        selected.iter().map(|_| EngineKind::ALL.iter().map(|_| Cell::default()).collect()).collect();
    for rep in 0..options.reps {
        for (wi, (w, path, arg)) in modules.iter().enumerate() {
            for (ei, engine) in EngineKind::ALL.iter().enumerate() {
                let cell = &mut cells[wi][ei];
                if cell.error.is_some() || !options.engines.contains(engine) {
                    continue;
                }
                match spawn_child(engine.name(), w.kind, path, *arg) {
                    Ok(p) => {
                        eprintln!(
                            "[{}/{}] {:<12} {:<16} run {:>9.2} ms  compile {:>8.2} ms  peak {:>7.1} MiB",
                            rep + 1,
                            options.reps,
                            w.name,
                            engine.name(),
                            p.sample.run.as_secs_f64() * 1e3,
                            p.sample.compile.as_secs_f64() * 1e3,
                            p.peak_kib as f64 / 1024.0
                        );
                        cell.samples.push(p);
                    }
                    Err(e) => {
                        eprintln!("{} on {}: {e}", w.name, engine.name());
                        cell.error = Some(e);
                    }
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);

    let report = Report::new(&modules, &cells, baseline.peak_kib, options);
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

struct Row {
    workload: &'static str,
    engine: EngineKind,
    run_ms: f64,
    spread: f64,
    ratio: Option<f64>,
    compile_ms: f64,
    compile_ratio: Option<f64>,
    inst_ms: f64,
    peak_mib: f64,
    checksum: Option<i64>,
    runs_ms: Vec<f64>,
}

struct Report {
    rows: Vec<Row>,
    problems: Vec<String>,
    notes: Vec<String>,
    /// (label, interp / wasmi, jit / wasmtime)
    geomeans: Vec<(String, f64, f64)>,
    baseline_mib: f64,
    reps: usize,
    scale: f64,
}

impl Report {
    fn new(modules: &[(&Workload, PathBuf, i32)], cells: &[Vec<Cell>], baseline_kib: u64, options: &Options) -> Report {
        let mut rows = Vec::new();
        let mut problems = Vec::new();
        let mut notes = Vec::new();
        let mut exec_interp = Vec::new();
        let mut exec_jit = Vec::new();
        for ((w, _, arg), engines) in modules.iter().zip(cells) {
            // Every sample of every engine must agree on the checksum.
            let mut checksums: Vec<(EngineKind, i64)> = Vec::new();
            for (engine, cell) in EngineKind::ALL.iter().zip(engines) {
                if let Some(e) = &cell.error {
                    problems.push(format!("{} on {}: {e}", w.name, engine.name()));
                }
                for p in &cell.samples {
                    checksums.push((*engine, p.sample.checksum));
                    if let Some(n) = &p.sample.note {
                        let note = format!("{} on {}: {n}", w.name, engine.name());
                        if !notes.contains(&note) {
                            notes.push(note);
                        }
                    }
                }
            }
            if let Some((_, first)) = checksums.first()
                && let Some((engine, other)) = checksums.iter().find(|(_, c)| c != first)
            {
                let all: Vec<String> = checksums.iter().map(|(e, c)| format!("{}={c:#x}", e.name())).collect();
                problems.push(format!(
                    "{} (arg {arg}): checksum mismatch ({} gave {other:#x}, expected {first:#x}): {}",
                    w.name,
                    engine.name(),
                    all.join(" ")
                ));
            }
            let stat = |e: EngineKind| -> Option<(f64, f64)> {
                let cell = &engines[EngineKind::ALL.iter().position(|x| *x == e)?];
                (!cell.samples.is_empty() && cell.error.is_none())
                    .then(|| (cell.median(|s| s.run), cell.median(|s| s.compile)))
            };
            for (engine, cell) in EngineKind::ALL.iter().zip(engines) {
                if cell.samples.is_empty() {
                    continue;
                }
                let run_ms = cell.median(|s| s.run);
                let compile_ms = cell.median(|s| s.compile);
                let peer = engine.peer().and_then(stat);
                let ratio = peer.map(|(r, _)| run_ms / r);
                let compile_ratio = peer.map(|(_, c)| compile_ms / c);
                if w.exec && cell.error.is_none() {
                    match (engine, ratio) {
                        (EngineKind::Interp, Some(r)) => exec_interp.push(r),
                        (EngineKind::Jit, Some(r)) => exec_jit.push(r),
                        _ => {}
                    }
                }
                rows.push(Row {
                    workload: w.name,
                    engine: *engine,
                    run_ms,
                    spread: cell.spread(),
                    ratio,
                    compile_ms,
                    compile_ratio,
                    inst_ms: cell.median(|s| s.instantiate),
                    peak_mib: cell.peak_mib(),
                    checksum: cell.samples.first().map(|p| p.sample.checksum),
                    runs_ms: cell.samples.iter().map(|p| p.sample.run.as_secs_f64() * 1e3).collect(),
                });
            }
        }
        let mut geomeans = Vec::new();
        if !exec_interp.is_empty() || !exec_jit.is_empty() {
            let n = exec_interp.len().max(exec_jit.len());
            geomeans.push((format!("execution workloads ({n})"), geomean(&exec_interp), geomean(&exec_jit)));
        }
        Report {
            rows,
            problems,
            notes,
            geomeans,
            baseline_mib: baseline_kib as f64 / 1024.0,
            reps: options.reps,
            scale: options.scale,
        }
    }

    fn markdown(&self) -> String {
        use std::fmt::Write as _;
        let fmt_ratio = |r: Option<f64>| r.map(|r| format!("{r:.2}x")).unwrap_or_default();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Medians of {} repetitions (scale {}); ratio = wasmscope-interp / wasmi and wasmscope-jit / wasmtime \
             (lower is better); ± = (max - min) / median of the run times; baseline RSS of the bench process \
             before any engine runs: {:.1} MiB.\n",
            self.reps, self.scale, self.baseline_mib
        );
        let _ = writeln!(
            out,
            "| workload | engine | run ms | ± | ratio | compile ms | compile ratio | instantiate ms | peak RSS MiB |"
        );
        let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|");
        for r in &self.rows {
            let _ = writeln!(
                out,
                "| {} | {} | {:.2} | {:.0}% | {} | {:.2} | {} | {:.3} | {:.1} |",
                r.workload,
                r.engine.name(),
                r.run_ms,
                r.spread,
                fmt_ratio(r.ratio),
                r.compile_ms,
                fmt_ratio(r.compile_ratio),
                r.inst_ms,
                r.peak_mib
            );
        }
        let _ = writeln!(out);
        for (label, interp, jit) in &self.geomeans {
            let _ = writeln!(
                out,
                "Geometric mean over the {label}: wasmscope-interp / wasmi = {interp:.2}x, \
                 wasmscope-jit / wasmtime = {jit:.2}x"
            );
        }
        for note in &self.notes {
            let _ = writeln!(out, "\nNote: {note}");
        }
        out
    }

    fn json(&self) -> String {
        use std::fmt::Write as _;
        let num = |x: f64| if x.is_finite() { format!("{x:.4}") } else { "null".to_string() };
        let opt = |x: Option<f64>| x.map(num).unwrap_or_else(|| "null".to_string());
        let mut out = String::new();
        let _ = write!(
            out,
            "{{\n  \"reps\": {},\n  \"scale\": {},\n  \"baseline_rss_mib\": {},\n  \"results\": [",
            self.reps,
            num(self.scale),
            num(self.baseline_mib)
        );
        for (i, r) in self.rows.iter().enumerate() {
            let runs: Vec<String> = r.runs_ms.iter().map(|x| num(*x)).collect();
            let _ = write!(
                out,
                "{}\n    {{\"workload\": \"{}\", \"engine\": \"{}\", \"run_ms\": {}, \"run_ms_all\": [{}], \
                 \"ratio\": {}, \"compile_ms\": {}, \"compile_ratio\": {}, \"instantiate_ms\": {}, \
                 \"peak_rss_mib\": {}, \"checksum\": {}}}",
                if i == 0 { "" } else { "," },
                r.workload,
                r.engine.name(),
                num(r.run_ms),
                runs.join(", "),
                opt(r.ratio),
                num(r.compile_ms),
                opt(r.compile_ratio),
                num(r.inst_ms),
                num(r.peak_mib),
                r.checksum.map(|c| c.to_string()).unwrap_or_else(|| "null".to_string())
            );
        }
        out.push_str("\n  ],\n  \"geomeans\": [");
        for (i, (label, interp, jit)) in self.geomeans.iter().enumerate() {
            let _ = write!(
                out,
                "{}\n    {{\"over\": \"{label}\", \"interp_vs_wasmi\": {}, \"jit_vs_wasmtime\": {}}}",
                if i == 0 { "" } else { "," },
                num(*interp),
                num(*jit)
            );
        }
        out.push_str("\n  ],\n  \"notes\": [");
        for (i, n) in self.notes.iter().enumerate() {
            let _ = write!(
                out,
                "{}\n    \"{}\"",
                if i == 0 { "" } else { "," },
                n.replace('\\', "\\\\").replace('"', "\\\"")
            );
        }
        out.push_str("\n  ],\n  \"problems\": [");
        for (i, n) in self.problems.iter().enumerate() {
            let _ = write!(
                out,
                "{}\n    \"{}\"",
                if i == 0 { "" } else { "," },
                n.replace('\\', "\\\\").replace('"', "\\\"")
            );
        }
        out.push_str("\n  ]\n}\n");
        out
    }
}
