//! The run loop: options, worker threads, per-case work, statistics, findings.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wasmscope_fuzz_harness::compare;
use wasmscope_fuzz_harness::coverage::Coverage;
use wasmscope_fuzz_harness::differential::{Divergence, execution_diff, judge, setups};
use wasmscope_fuzz_harness::exec::{self, Outcome};
use wasmscope_fuzz_harness::oracle::{Oracle, Oracles};
use wasmscope_fuzz_harness::rng::Rng;
use wasmscope_fuzz_harness::{generate, input, shrink};

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub seconds: u64,
    pub seed: u64,
    pub oracles: Oracles,
    pub jobs: usize,
    pub mutations: u64,
    pub shrink: bool,
    pub case: Option<u64>,
    pub replay: Option<PathBuf>,
    pub help: bool,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options {
            seconds: 60,
            seed: Instant::now().elapsed().as_nanos() as u64
                ^ std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64),
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
            mutations: 16,
            shrink: true,
            ..Options::default()
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = |name: &str| it.next().cloned().ok_or(format!("{name} needs a value"));
            let num = |s: String, name: &str| s.parse::<u64>().map_err(|_| format!("{name}: not a number: {s}"));
            match a.as_str() {
                "--seconds" => o.seconds = num(value(a)?, a)?,
                "--seed" => o.seed = num(value(a)?, a)?,
                "--jobs" => o.jobs = num(value(a)?, a)?.max(1) as usize,
                "--mutations" => o.mutations = num(value(a)?, a)?,
                "--case" => o.case = Some(num(value(a)?, a)?),
                "--replay" => o.replay = Some(PathBuf::from(value(a)?)),
                "--oracle" => o.oracles = Oracles::parse(&value(a)?)?,
                "--no-shrink" => o.shrink = false,
                "-h" | "--help" => o.help = true,
                other => return Err(format!("unknown argument {other}")),
            }
        }
        Ok(o)
    }

    fn oracle_flag(&self) -> &'static str {
        self.oracles.flag()
    }
}

/// Counters of a run (summed over workers).
#[derive(Debug, Default)]
struct Stats {
    cases: AtomicU64,
    generated: AtomicU64,
    instantiated: AtomicU64,
    calls: AtomicU64,
    out_of_fuel: AtomicU64,
    traps: AtomicU64,
    /// Per oracle (in [`Oracle::ALL`] order).
    oracles: [OracleStats; 2],
    inputs: AtomicU64,
    inputs_accepted: AtomicU64,
    findings: AtomicU64,
}

/// What one oracle did in a run.
#[derive(Debug, Default)]
struct OracleStats {
    /// Modules whose outcome was compared with ours.
    compared: AtomicU64,
    /// Modules it panicked on (its bug; saved, not compared).
    panicked: AtomicU64,
    /// Divergences where it alone differed from the other engines.
    odd: AtomicU64,
    /// Differences that are its own (it alone differs and wasmtime agrees with us bit for
    /// bit): printed and saved, not counted as findings of ours.
    own: AtomicU64,
}

impl Stats {
    fn oracle(&self, o: Oracle) -> &OracleStats {
        &self.oracles[o as usize]
    }
}

fn bump(c: &AtomicU64, n: u64) {
    c.fetch_add(n, Ordering::Relaxed);
}

/// Where a worker is, for the hang watchdog: when its current input started (ms since the
/// run's start, 0 = idle) and the input.
#[derive(Default)]
struct Current {
    since_ms: AtomicU64,
    input: Mutex<Vec<u8>>,
}

struct Run {
    opts: Options,
    stats: Stats,
    coverage: Mutex<Coverage>,
    start: Instant,
    seeds: Vec<Vec<u8>>,
}

/// Runs one module on all setups, updating the statistics; the divergence if any.
fn execute(run: &Run, bytes: &[u8], index: u64) -> Option<Divergence> {
    let [a, b] = setups(index);
    let outcomes: Vec<Result<Outcome, String>> = [a, b]
        .iter()
        .map(|s| match catch_unwind(AssertUnwindSafe(|| exec::run(*s, bytes))) {
            Ok(r) => r.map_err(|e| format!("{} rejects a valid module: {e}", s.name())),
            Err(_) => Err(format!("{} panicked", s.name())),
        })
        .collect();
    let (interp, jit) = match (&outcomes[0], &outcomes[1]) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) | (_, Err(e)) => return Some(Divergence { text: e.clone(), odd_one_out: None, ours: true }),
    };
    let s = &run.stats;
    if matches!(interp.instantiate, Some(exec::Ending::Returned(_))) {
        bump(&s.instantiated, 1);
    }
    bump(&s.calls, 2 * interp.calls.len() as u64);
    for c in &interp.calls {
        if c.ending.is_trap("OutOfFuel") {
            bump(&s.out_of_fuel, 1);
        } else if matches!(c.ending, exec::Ending::Trap(_)) {
            bump(&s.traps, 1);
        }
    }
    if let Some(d) = compare::diff(interp, jit, compare::TIERS) {
        return Some(Divergence { text: format!("{} vs {}: {d}", a.name(), b.name()), odd_one_out: None, ours: true });
    }
    let mut results = Vec::new();
    for o in run.opts.oracles.list() {
        match catch_unwind(AssertUnwindSafe(|| o.run(bytes))) {
            Ok(r) => {
                if let Ok(out) = &r {
                    bump(&s.calls, out.calls.len() as u64);
                }
                bump(&s.oracle(o).compared, 1);
                results.push((o, r));
            }
            Err(_) => {
                // The oracle's bug, not ours: kept for reporting upstream, not compared.
                bump(&s.oracle(o).panicked, 1);
                let path = crash_dir().join(format!("{}-panic-{}-{index}.wasm", o.name(), run.opts.seed));
                let _ = std::fs::write(&path, bytes);
                eprintln!("note: {} panicked on case {index} (saved {}); not compared", o.name(), path.display());
            }
        }
    }
    judge(interp, &results)
}

fn crash_dir() -> PathBuf {
    let dir = PathBuf::from("fuzz-crashes");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Saves, shrinks and reports an execution divergence: a finding when it is ours, else a
/// note naming the oracle whose difference it is (saved as `ORACLE-own-…`).
fn report_execution(run: &Run, bytes: &[u8], index: u64, what: &Divergence) {
    let dir = crash_dir();
    if let Some(o) = Oracle::ALL.into_iter().find(|o| Some(o.name()) == what.odd_one_out) {
        bump(&run.stats.oracle(o).odd, 1);
    }
    let base = if what.ours {
        bump(&run.stats.findings, 1);
        eprintln!("FINDING (execution) case {index}: {what}");
        format!("exec-{}-{index}", run.opts.seed)
    } else {
        let odd = what.odd_one_out.unwrap_or("oracle");
        if let Some(o) = Oracle::ALL.into_iter().find(|o| o.name() == odd) {
            bump(&run.stats.oracle(o).own, 1);
        }
        eprintln!("NOTE ({odd}'s own difference, not counted) case {index}: {what}");
        format!("{odd}-own-{}-{index}", run.opts.seed)
    };
    let path = dir.join(format!("{base}.wasm"));
    let _ = std::fs::write(&path, bytes);
    let _ = std::fs::write(dir.join(format!("{base}.txt")), format!("{what}\n"));
    eprintln!("  saved {}", path.display());
    eprintln!("  reproduce: cargo xtask fuzz --seed {} --case {index}{}", run.opts.seed, run.opts.oracle_flag());
    if run.opts.shrink {
        let (oracles, ours) = (run.opts.oracles, what.ours);
        // Keep the same kind of divergence (ours, or the oracle's own) while shrinking.
        let small = shrink::shrink(bytes, 300, |cand| {
            input::theirs(cand).is_ok()
                && match execution_diff(cand, index, oracles) {
                    Ok(Some(d)) => d.ours == ours,
                    Ok(None) => false,
                    Err(_) => ours,
                }
        });
        let spath = dir.join(format!("{base}-shrunk.wasm"));
        let _ = std::fs::write(&spath, &small);
        let what = match execution_diff(&small, index, oracles) {
            Ok(d) => d.map(|d| d.text).unwrap_or_default(),
            Err(e) => e,
        };
        eprintln!("  shrunk to {} bytes: {} ({what})", small.len(), spath.display());
        eprintln!("  reproduce: cargo xtask fuzz --replay {}{}", spath.display(), run.opts.oracle_flag());
    }
}

/// Saves, shrinks and reports an input finding.
fn report_input(run: &Run, bytes: &[u8], index: u64, n: u64, f: &input::Finding) {
    bump(&run.stats.findings, 1);
    let dir = crash_dir();
    let base = format!("input-{}-{}-{index}-{n}", f.kind(), run.opts.seed);
    let path = dir.join(format!("{base}.wasm"));
    let _ = std::fs::write(&path, bytes);
    eprintln!("FINDING (input) case {index} mutation {n}: {f:?}");
    eprintln!("  saved {}", path.display());
    if run.opts.shrink && !matches!(f, input::Finding::Slow(_)) {
        let small = input::reduce(bytes, f, 2000);
        let spath = dir.join(format!("{base}-shrunk.wasm"));
        let _ = std::fs::write(&spath, &small);
        eprintln!("  shrunk to {} bytes: {} ({:?})", small.len(), spath.display(), input::check(&small).0);
        eprintln!("  reproduce: cargo xtask fuzz --replay {}", spath.display());
    } else {
        eprintln!("  reproduce: cargo xtask fuzz --replay {}", path.display());
    }
}

/// Case `index`: generate, execute and compare, then input-fuzz mutations of the module
/// (and of a committed binary every 8th case).
fn case(run: &Run, index: u64, cur: &Current, cov: &mut Coverage) {
    bump(&run.stats.cases, 1);
    // Relaxed SIMD only when our two tiers alone are compared (see `generate`).
    let module = generate::module(run.opts.seed, index, run.opts.oracles == Oracles::NONE);
    if let Some(bytes) = &module {
        bump(&run.stats.generated, 1);
        cov.add_module(bytes);
        if let Some(what) = execute(run, bytes, index) {
            report_execution(run, bytes, index, &what);
        }
    }
    let mut rng = Rng::for_case(run.opts.seed ^ 0x1_0000, index);
    let seed = match (index % 8, module) {
        (7, _) | (_, None) if !run.seeds.is_empty() => run.seeds[rng.below(run.seeds.len() as u64) as usize].clone(),
        (_, Some(m)) if rng.below(2) == 0 => m,
        _ => generate::any_module(&mut rng).unwrap_or_default(),
    };
    for n in 0..run.opts.mutations {
        let bytes = input::mutate(&mut rng, &seed);
        if let Ok(mut slot) = cur.input.lock() {
            slot.clone_from(&bytes);
        }
        cur.since_ms.store(run.start.elapsed().as_millis() as u64 + 1, Ordering::Relaxed);
        let (finding, accepted) = input::check(&bytes);
        cur.since_ms.store(0, Ordering::Relaxed);
        bump(&run.stats.inputs, 1);
        bump(&run.stats.inputs_accepted, u64::from(accepted));
        if let Some(f) = finding {
            report_input(run, &bytes, index, n, &f);
        }
    }
}

/// Committed binaries used as input-fuzzing seeds (found relative to the repository root,
/// which is the working directory under `cargo xtask`).
fn committed_seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    for dir in ["testsuite/wasi", "bench/workloads"] {
        let Ok(entries) = std::fs::read_dir(dir) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "wasm")
                && let Ok(b) = std::fs::read(&p)
                && b.len() < 512 * 1024
            {
                seeds.push(b);
            }
        }
    }
    seeds
}

/// The main loop: `opts.jobs` workers take cases until `duration` has passed.
pub fn run(opts: &Options, duration: Duration) -> u64 {
    let run = Arc::new(Run {
        opts: opts.clone(),
        stats: Stats::default(),
        coverage: Mutex::new(Coverage::default()),
        start: Instant::now(),
        seeds: committed_seeds(),
    });
    let oracles: Vec<&str> = opts.oracles.list().into_iter().map(Oracle::versioned).collect();
    println!(
        "fuzzing for {}s with seed {}, {} job(s), oracles: {}, {} committed seed binaries",
        opts.seconds,
        opts.seed,
        opts.jobs,
        if oracles.is_empty() { "none (our two tiers)".to_string() } else { oracles.join(", ") },
        run.seeds.len()
    );
    let next = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let currents: Vec<Arc<Current>> = (0..opts.jobs).map(|_| Arc::new(Current::default())).collect();
    let mut workers = Vec::new();
    for cur in &currents {
        let (run, next, cur) = (run.clone(), next.clone(), cur.clone());
        let w = std::thread::Builder::new().stack_size(256 << 20).spawn(move || {
            let mut cov = Coverage::default();
            while run.start.elapsed() < duration {
                let i = next.fetch_add(1, Ordering::Relaxed);
                case(&run, i, &cur, &mut cov);
            }
            if let Ok(mut c) = run.coverage.lock() {
                c.merge(&cov);
            }
        });
        match w {
            Ok(w) => workers.push(w),
            Err(e) => eprintln!("cannot start a worker: {e}"),
        }
    }
    watchdog(&run, &currents, &done, &workers);
    for w in workers {
        if w.join().is_err() {
            eprintln!("FINDING: a worker panicked outside the checked code");
            bump(&run.stats.findings, 1);
        }
    }
    done.store(true, Ordering::Relaxed);
    summary(&run);
    run.stats.findings.load(Ordering::Relaxed)
}

/// Until the workers finish: every half second, reports progress every 30 s and checks
/// that no input has been decoding for more than 10 s (a hang: saved, and the process
/// exits).
fn watchdog(run: &Run, currents: &[Arc<Current>], done: &AtomicBool, workers: &[std::thread::JoinHandle<()>]) {
    let mut last = Instant::now();
    while !done.load(Ordering::Relaxed) && workers.iter().any(|w| !w.is_finished()) {
        std::thread::sleep(Duration::from_millis(500));
        let now = run.start.elapsed().as_millis() as u64;
        for cur in currents {
            let since = cur.since_ms.load(Ordering::Relaxed);
            if since != 0 && now.saturating_sub(since) > 10_000 {
                let bytes = cur.input.lock().map(|b| b.clone()).unwrap_or_default();
                let path = crash_dir().join(format!("input-hang-{}-{now}.wasm", run.opts.seed));
                let _ = std::fs::write(&path, &bytes);
                eprintln!("FINDING (input): decoding+validating has taken over 10 s: saved {}", path.display());
                eprintln!("  reproduce: cargo xtask fuzz --replay {}", path.display());
                std::process::exit(1);
            }
        }
        if last.elapsed() > Duration::from_secs(30) {
            last = Instant::now();
            let s = &run.stats;
            println!(
                "  {:>4}s: {} modules, {} calls, {} inputs, {} findings",
                run.start.elapsed().as_secs(),
                s.generated.load(Ordering::Relaxed),
                s.calls.load(Ordering::Relaxed),
                s.inputs.load(Ordering::Relaxed),
                s.findings.load(Ordering::Relaxed)
            );
        }
    }
}

fn summary(run: &Run) {
    let s = &run.stats;
    let secs = run.start.elapsed().as_secs_f64();
    let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
    println!("\nseed {}: {:.0}s, {} cases", run.opts.seed, secs, g(&s.cases));
    println!(
        "execution: {} modules generated ({:.1} modules/s), {} instantiated, {} calls executed \
         ({} trapped, {} out of fuel)",
        g(&s.generated),
        g(&s.generated) as f64 / secs,
        g(&s.instantiated),
        g(&s.calls),
        g(&s.traps),
        g(&s.out_of_fuel),
    );
    let per_oracle: Vec<String> = run
        .opts
        .oracles
        .list()
        .into_iter()
        .map(|o| {
            let os = s.oracle(o);
            format!(
                "{} ({} modules compared, the odd one out {} times, {} of them its own, {} panics)",
                o.versioned(),
                g(&os.compared),
                g(&os.odd),
                g(&os.own),
                g(&os.panicked)
            )
        })
        .collect();
    println!(
        "oracles: {}",
        if per_oracle.is_empty() { "none (interpreter vs JIT only)".to_string() } else { per_oracle.join("; ") }
    );
    println!(
        "input: {} mutated binaries checked ({:.0}/s), {} accepted",
        g(&s.inputs),
        g(&s.inputs) as f64 / secs,
        g(&s.inputs_accepted)
    );
    if let Ok(c) = run.coverage.lock() {
        let names: Vec<String> = c.modules.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        let pct = |n: u64| if c.decoded == 0 { 0.0 } else { 100.0 * n as f64 / c.decoded as f64 };
        println!(
            "simd: {} of {} generated modules ({:.1}%) use SIMD (a 0xFD instruction or a v128 type), \
             {} ({:.1}%) have a 0xFD instruction, {} ({:.1}%) a relaxed SIMD one",
            c.simd,
            c.decoded,
            pct(c.simd),
            c.simd_instr,
            pct(c.simd_instr),
            c.relaxed,
            pct(c.relaxed)
        );
        println!("opcode coverage: {} distinct instructions in generated modules", c.modules.len());
        println!("  (instruction:modules) {}", names.join(" "));
    }
    println!("findings: {}", g(&s.findings));
}

/// `--seed S --case I`: one case, verbosely.
pub fn one_case(opts: &Options) -> u64 {
    let index = opts.case.unwrap_or(0);
    let run = Run {
        opts: opts.clone(),
        stats: Stats::default(),
        coverage: Mutex::new(Coverage::default()),
        start: Instant::now(),
        seeds: committed_seeds(),
    };
    let mut cov = Coverage::default();
    case(&run, index, &Current::default(), &mut cov);
    if let Ok(mut c) = run.coverage.lock() {
        c.merge(&cov);
    }
    summary(&run);
    run.stats.findings.load(Ordering::Relaxed)
}

/// `--replay FILE`: the input checks and, if valid, the execution comparison.
pub fn replay(opts: &Options, path: &Path) -> u64 {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {}: {e}", path.display());
            return 1;
        }
    };
    let mut findings = 0;
    let (f, accepted) = input::check(&bytes);
    println!(
        "loader/validator: {} by us; wasmparser: {:?}",
        if accepted { "accepted" } else { "rejected" },
        input::theirs(&bytes)
    );
    if let Some(f) = f {
        println!("FINDING (input): {f:?}");
        findings += 1;
    }
    if accepted && input::theirs(&bytes).is_ok() {
        let oracles: Vec<&str> = opts.oracles.list().into_iter().map(Oracle::versioned).collect();
        println!("oracles: {}", if oracles.is_empty() { "none".to_string() } else { oracles.join(", ") });
        for index in 0..2 {
            match execution_diff(&bytes, index, opts.oracles) {
                Ok(None) => println!("execution (setup {index}): no divergence"),
                Ok(Some(d)) if !d.ours => {
                    println!("NOTE (execution, setup {index}): {d} (not counted as ours)");
                }
                Ok(Some(d)) => {
                    println!("FINDING (execution, setup {index}): {d}");
                    findings += 1;
                }
                Err(d) => {
                    println!("FINDING (execution, setup {index}): {d}");
                    findings += 1;
                }
            }
        }
    }
    findings
}
