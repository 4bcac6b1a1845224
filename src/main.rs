//! The `wasmscope` command line: validate a module, run one of its exports, or run a
//! `.wast` script. `anyhow` is used at this edge only; the engine's errors are typed.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;

use anyhow::{Context as _, anyhow, bail};
use wasmscope_engine::syntax::ValType;
use wasmscope_engine::{
    Config, Engine, Error, Extern, Features, Linker, Module, Store, Tier, Trap, TrapCode, Val, wasi,
};
use wasmscope_spec_runner::{ExpectedFailures, SuiteFile, install_panic_capture, parse_tiers, run_suite};

const HELP: &str = "\
wasmscope: a WebAssembly 2.0 runtime and spec-conformance / debugging workbench

USAGE:
    wasmscope validate FILE
    wasmscope run [--tier interp|jit] [--verbose] [--dir HOST[::GUEST]]... [--env K=V]... [--invoke NAME] FILE [--] [ARGS...]
    wasmscope wast FILE.wast [--tier interp|all] [--mvp] [--verbose]
    wasmscope debug [--tier interp] [--dir HOST[::GUEST]]... [--env K=V]... [--invoke NAME] [--batch FILE] [--repl] FILE [--] [ARGS...]
    wasmscope --help | --version

COMMANDS:
    validate   decode and validate FILE (.wasm binary or .wat text)
    run        run FILE as a WASI (preview 1) command: `_start` with ARGS as argv[1..]
               (argv[0] is the file name), stdio wired through; the exit status is the
               program's, 134 after a trap (printed with its wasm backtrace). The guest
               sees only the --dir preopens and the --env variables.
               With --invoke NAME: call the export NAME with ARGS, parsed by its parameter
               types (i32/i64 as decimal or 0x hex, f32/f64 as decimals, inf, nan;
               funcref/externref as null, externref also as a number); prints one result
               per line. Imports may come from `wasi_snapshot_preview1` or `spectest`.
    wast       run a .wast script and print its summary; exits 1 if anything failed
    debug      debug FILE with gdb-style commands (`help` lists them): breakpoints, stepping,
               backtraces, C variables through DWARF, memory, watchpoints. With --batch FILE,
               run the commands in FILE and print a transcript (program output on lines
               prefixed [stdout] / [stderr]); otherwise, when stdin and stdout are both
               terminals, a full-screen debugger (source/disassembly, stack, locals,
               watches, memory, output; `?` lists its keys; NO_COLOR turns colour off);
               a line editor when only stdin is one, plain lines when it is not (--repl
               forces line mode). Exit status: the program's last, as `run` gives it.

OPTIONS:
    --tier NAME   execution tier (default interp; `wast` also takes `all`)
    --dir H[::G]  `run` only: preopen host directory H, seen by the guest as G (default H)
    --env K=V     `run` only: set an environment variable of the guest
    --mvp         `wast` only: run with WebAssembly 1.0 features (default: 2.0)
    --verbose     `wast`: also list skips and message mismatches; `run`: print the
                  module's compile time (stderr)

FILE is read as a binary module if it starts with \\0asm, else as WebAssembly text.
wasmscope's options may follow FILE; put `--` before program arguments that look like them.
Exit status: 0 success, 1 failure (invalid module, trap of --invoke, failed script), 2 bad
usage; `run` without --invoke: the program's exit status, 134 after a trap.";

/// A command-line mistake: printed with a hint, exit status 2.
#[derive(Debug)]
struct Usage(String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

fn usage(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Usage(msg.into()))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(code) => code,
        Err(e) if e.downcast_ref::<Usage>().is_some() => {
            eprintln!("error: {e}\n(see `wasmscope --help`)");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: &[String]) -> anyhow::Result<ExitCode> {
    let Some(cmd) = args.first() else {
        println!("{HELP}");
        return Err(usage("no command given"));
    };
    let rest = &args[1..];
    if rest.iter().any(|a| a == "-h" || a == "--help") {
        println!("{HELP}");
        return Ok(ExitCode::SUCCESS);
    }
    match cmd.as_str() {
        "-h" | "--help" | "help" => {
            println!("{HELP}");
            Ok(ExitCode::SUCCESS)
        }
        "-V" | "--version" => {
            println!("wasmscope {}", env!("CARGO_PKG_VERSION"));
            Ok(ExitCode::SUCCESS)
        }
        "validate" => validate(rest),
        "run" => run(rest),
        "wast" => wast(rest),
        "debug" => debug(rest),
        other => Err(usage(format!("unknown command `{other}`"))),
    }
}

/// Reads FILE as a module binary: `\0asm` bytes as they are, anything else as text.
fn read_module(path: &Path) -> anyhow::Result<Vec<u8>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes);
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| anyhow!("{}: not a WebAssembly module (no \\0asm header, and not UTF-8 text)", path.display()))?;
    wat::parse_str(text).map_err(|mut e| {
        e.set_path(path);
        anyhow!("{}: not a WebAssembly module: text does not parse:\n{e}", path.display())
    })
}

fn tier_arg(name: &str) -> anyhow::Result<Tier> {
    Tier::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = Tier::ALL.iter().map(|t| t.name()).collect();
        usage(format!("unknown tier `{name}` (this build has: {})", known.join(", ")))
    })
}

fn compile(path: &Path, tier: Tier) -> anyhow::Result<(Engine, Module)> {
    let bytes = read_module(path)?;
    let engine = Engine::new(Config { tier, features: Features::wasm2(), ..Config::default() });
    // Engine errors name the phase and the byte offset (in the binary; for text input,
    // in the binary it encodes to).
    let module = Module::new(&engine, &bytes).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    Ok((engine, module))
}

fn validate(args: &[String]) -> anyhow::Result<ExitCode> {
    let [file] = args else {
        return Err(usage("`validate` takes exactly one FILE"));
    };
    let path = PathBuf::from(file);
    compile(&path, Tier::default())?;
    println!("{}: valid", path.display());
    Ok(ExitCode::SUCCESS)
}

/// Parsed `run` options.
struct RunOpts {
    file: PathBuf,
    invoke: Option<String>,
    tier: Tier,
    dirs: Vec<(String, String)>,
    env: Vec<(String, String)>,
    args: Vec<String>,
    verbose: bool,
}

/// `run [OPTIONS] FILE [ARGS...]`: wasmscope's options may also follow FILE (until `--`);
/// anything else after FILE is an argument of the program (or of the invoked function).
fn parse_run(args: &[String]) -> anyhow::Result<RunOpts> {
    let mut file = None;
    let mut invoke: Option<String> = None;
    let mut tier = Tier::default();
    let mut dirs = Vec::new();
    let mut env = Vec::new();
    let mut rest: Vec<String> = Vec::new();
    let mut verbose = false;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let mut value = |flag: &str| {
            i += 1;
            args.get(i).cloned().ok_or_else(|| usage(format!("{flag} needs a value")))
        };
        match a.as_str() {
            "--invoke" if invoke.is_none() => invoke = Some(value("--invoke")?),
            "--tier" => tier = tier_arg(&value("--tier")?)?,
            "--verbose" | "-v" => verbose = true,
            "--dir" => {
                let d = value("--dir")?;
                let (host, guest) = match d.split_once("::") {
                    Some((h, g)) => (h.to_string(), g.to_string()),
                    None => (d.clone(), d.clone()),
                };
                if host.is_empty() || guest.is_empty() {
                    return Err(usage(format!("--dir `{d}`: expected HOST or HOST::GUEST")));
                }
                dirs.push((host, guest));
            }
            "--env" => {
                let kv = value("--env")?;
                let Some((k, v)) = kv.split_once('=') else {
                    return Err(usage(format!("--env `{kv}`: expected KEY=VALUE")));
                };
                env.push((k.to_string(), v.to_string()));
            }
            "--" => {
                rest.extend(args[i + 1..].iter().cloned());
                break;
            }
            s if s.starts_with("--") && file.is_none() => return Err(usage(format!("unknown option `{s}`"))),
            _ if file.is_none() => file = Some(PathBuf::from(a)),
            _ => rest.push(a.clone()),
        }
        i += 1;
    }
    let Some(file) = file else {
        return Err(usage("`run` needs a FILE"));
    };
    Ok(RunOpts { file, invoke, tier, dirs, env, args: rest, verbose })
}

/// Exit status of `run` when the program traps (128 + SIGABRT, as wasmtime does).
const TRAP_STATUS: u8 = 134;

fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let opts = parse_run(args)?;
    let path = opts.file.clone();
    let (engine, module) = compile(&path, opts.tier)?;
    if opts.verbose {
        match module.compile_time() {
            Some(t) => {
                eprintln!("wasmscope: compiled {} for the {} tier in {:.2?}", path.display(), opts.tier.name(), t)
            }
            None => {
                eprintln!("wasmscope: {} loaded for the {} tier (translated lazily)", path.display(), opts.tier.name())
            }
        }
        if let Some(e) = module.jit_error() {
            eprintln!("wasmscope: the JIT could not compile this module, it runs on the interpreter: {e}");
        }
    }
    let mut store = Store::new(&engine);
    let mut linker = Linker::new();
    wasmscope_spec_runner::spectest::define(&mut store, &mut linker)
        .map_err(|e| anyhow!("cannot create the spectest host module: {e}"))?;
    let mut ctx = wasi::WasiCtx::new();
    let argv0 = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    if opts.invoke.is_none() {
        ctx = ctx.args(std::iter::once(argv0).chain(opts.args.iter().cloned()));
    } else {
        ctx = ctx.args([argv0]);
    }
    for (k, v) in &opts.env {
        ctx = ctx.env(k, v);
    }
    for (host, guest) in &opts.dirs {
        ctx = ctx.preopen_dir(host, guest.clone())?;
    }
    wasi::add_to_linker(&mut linker, &mut store, Rc::new(RefCell::new(ctx)));
    let instance = linker.instantiate(&mut store, &module).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let Some(name) = opts.invoke else {
        return match wasi::run_start(&mut store, instance) {
            Ok(status) => Ok(ExitCode::from(status as u8)),
            Err(Error::Trap(t)) => {
                report_trap(&path, &t);
                Ok(ExitCode::from(TRAP_STATUS))
            }
            Err(e) => Err(anyhow!("{}: {e}", path.display())),
        };
    };
    let call_args = opts.args;
    let func = match instance.export(&store, &name) {
        Some(Extern::Func(f)) => f,
        Some(_) => bail!("{}: export `{name}` is not a function", path.display()),
        None => {
            let funcs: Vec<String> = instance
                .exports(&store)
                .into_iter()
                .filter(|(_, e)| matches!(e, Extern::Func(_)))
                .map(|(n, _)| n)
                .collect();
            bail!(
                "{}: no exported function `{name}` (exported functions: {})",
                path.display(),
                if funcs.is_empty() { "none".to_string() } else { funcs.join(", ") }
            )
        }
    };
    let ty = func.ty(&store);
    if ty.params.len() != call_args.len() {
        return Err(usage(format!(
            "`{name}` has type {ty}: it takes {} argument(s), {} given",
            ty.params.len(),
            call_args.len()
        )));
    }
    let vals = ty
        .params
        .iter()
        .zip(&call_args)
        .enumerate()
        .map(|(i, (t, s))| parse_val(*t, s).map_err(|e| usage(format!("argument {}: {e}", i + 1))))
        .collect::<anyhow::Result<Vec<Val>>>()?;
    let results = match func.call(&mut store, &vals) {
        Ok(r) => r,
        Err(Error::Trap(t)) if t.code == TrapCode::Exit => return Ok(ExitCode::from(t.exit_code.unwrap_or(0) as u8)),
        Err(Error::Trap(t)) => {
            report_trap(&path, &t);
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => bail!("`{name}`: {e}"),
    };
    for v in results {
        println!("{}", show_val(&v));
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints a trap and its wasm backtrace (innermost first) to stderr.
fn report_trap(path: &Path, t: &Trap) {
    eprintln!("error: {}: wasm trap: {t}", path.display());
    if !t.backtrace.is_empty() {
        eprintln!("wasm backtrace:");
        for (i, f) in t.backtrace.iter().enumerate() {
            let name = f.name.as_deref().unwrap_or("<unnamed>");
            eprintln!("  {i:>3}: func[{}] {name} @ {:#x}", f.func, f.offset);
        }
    }
}

fn parse_int<T>(s: &str, dec: fn(&str) -> Option<T>, hex: fn(&str) -> Option<T>) -> Option<T> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    match body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        Some(h) if !neg => hex(h),
        Some(_) => None,
        None => dec(s),
    }
}

fn parse_float(s: &str) -> Option<f64> {
    match s {
        "inf" | "+inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        "nan" | "+nan" => Some(f64::NAN),
        "-nan" => Some(-f64::NAN),
        _ => s.parse().ok(),
    }
}

/// Parses a command-line argument as a value of type `t`.
fn parse_val(t: ValType, s: &str) -> Result<Val, String> {
    let bad = || format!("`{s}` is not a valid {t}");
    Ok(match t {
        ValType::I32 => Val::I32(
            parse_int(
                s,
                |d| d.parse::<i32>().ok().or_else(|| d.parse::<u32>().ok().map(|u| u as i32)),
                |h| u32::from_str_radix(h, 16).ok().map(|u| u as i32),
            )
            .ok_or_else(bad)?,
        ),
        ValType::I64 => Val::I64(
            parse_int(
                s,
                |d| d.parse::<i64>().ok().or_else(|| d.parse::<u64>().ok().map(|u| u as i64)),
                |h| u64::from_str_radix(h, 16).ok().map(|u| u as i64),
            )
            .ok_or_else(bad)?,
        ),
        ValType::F32 => {
            let v = match s {
                "inf" | "+inf" | "-inf" | "nan" | "+nan" | "-nan" => parse_float(s).map(|f| f as f32),
                _ => s.parse::<f32>().ok(),
            };
            Val::F32(v.ok_or_else(bad)?.to_bits())
        }
        ValType::F64 => Val::F64(parse_float(s).ok_or_else(bad)?.to_bits()),
        ValType::FuncRef if s == "null" => Val::FuncRef(None),
        ValType::ExternRef if s == "null" => Val::ExternRef(None),
        ValType::ExternRef => Val::ExternRef(Some(s.parse().map_err(|_| bad())?)),
        ValType::FuncRef | ValType::V128 => return Err(format!("cannot pass a {t} from the command line")),
    })
}

/// Prints a result: `42`, `1.5`, `nan`, `null`, `funcref`.
fn show_val(v: &Val) -> String {
    fn float(f: f64, nan_bits: String) -> String {
        if f.is_nan() {
            nan_bits
        } else if f.is_infinite() {
            if f > 0.0 { "inf".to_string() } else { "-inf".to_string() }
        } else {
            format!("{f}")
        }
    }
    match v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(b) => {
            let f = f32::from_bits(*b);
            if f.is_finite() { format!("{f}") } else { float(f64::from(f), format!("nan (bits {b:#010x})")) }
        }
        Val::F64(b) => float(f64::from_bits(*b), format!("nan (bits {b:#018x})")),
        Val::FuncRef(None) | Val::ExternRef(None) => "null".to_string(),
        Val::FuncRef(Some(_)) => "funcref".to_string(),
        Val::ExternRef(Some(n)) => format!("externref {n}"),
    }
}

fn wast(args: &[String]) -> anyhow::Result<ExitCode> {
    let mut file = None;
    let mut tiers = vec![Tier::default()];
    let mut features = Features::wasm2();
    let mut verbose = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--tier" => {
                let v = it.next().ok_or_else(|| usage("--tier needs a value"))?;
                tiers = parse_tiers(v).map_err(usage)?;
            }
            "--mvp" => features = Features::mvp(),
            "--verbose" | "-v" => verbose = true,
            s if s.starts_with("--") => return Err(usage(format!("unknown option `{s}`"))),
            _ if file.is_none() => file = Some(PathBuf::from(a)),
            _ => return Err(usage(format!("unexpected argument `{a}`"))),
        }
    }
    let Some(path) = file else {
        return Err(usage("`wast` needs a FILE.wast"));
    };
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.display().to_string();
    let file = SuiteFile { name: name.clone(), text: text.into(), features };
    install_panic_capture();
    let summary = run_suite(&name, &[file], &tiers, &ExpectedFailures::none(), 1, &|_, _, _| {});
    let details = summary.details(verbose);
    if !details.is_empty() {
        println!("{details}");
    }
    print!("{}", summary.table());
    println!("{}", summary.totals_line());
    Ok(if summary.is_success() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// `debug [OPTIONS] FILE [ARGS...]`: the `run` options plus `--batch FILE` and `--repl`.
fn debug(args: &[String]) -> anyhow::Result<ExitCode> {
    use std::io::IsTerminal as _;
    use wasmscope_debugger::repl::{Input, Output, ProgramWriter, Repl};
    let mut batch = None;
    let mut force_lines = false;
    let mut rest = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--batch" | "-x" => {
                i += 1;
                batch = Some(args.get(i).cloned().ok_or_else(|| usage("--batch needs a FILE"))?);
            }
            "--repl" => force_lines = true,
            "--" => {
                rest.extend(args[i..].iter().cloned());
                break;
            }
            _ => rest.push(args[i].clone()),
        }
        i += 1;
    }
    let opts = parse_run(&rest).map_err(|e| {
        if e.downcast_ref::<Usage>().is_some() { usage(e.to_string().replace("`run`", "`debug`")) } else { e }
    })?;
    let config = wasmscope_debugger::SessionConfig {
        tier: opts.tier,
        args: opts.args,
        env: opts.env,
        dirs: opts.dirs,
        invoke: opts.invoke,
        stdout: None,
        stderr: None,
        stdin: None,
    };
    let mut session = wasmscope_debugger::Session::load(&opts.file, config).map_err(|e| anyhow!("{e}"))?;
    if batch.is_none() && !force_lines && std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        // The full-screen debugger; it restores the terminal however it ends.
        let outcome = wasmscope_tui::run(&mut session).map_err(|e| anyhow!("{e}"))?;
        return Ok(match outcome {
            Some(wasmscope_debugger::Outcome::Exited(c)) => ExitCode::from(c as u8),
            Some(wasmscope_debugger::Outcome::Trapped(_)) => ExitCode::from(TRAP_STATUS),
            _ => ExitCode::SUCCESS,
        });
    }
    let (out, input) = match &batch {
        Some(f) => {
            let text = std::fs::read_to_string(f).with_context(|| format!("cannot read {f}"))?;
            let out = Output::new(Box::new(std::io::stdout()), true);
            (out, Input::Batch(text.lines().map(str::to_string).collect::<Vec<_>>().into_iter()))
        }
        None if force_lines || !std::io::stdin().is_terminal() => {
            (Output::new(Box::new(std::io::stdout()), false), Input::Lines)
        }
        None => {
            let mut words: Vec<String> =
                (0..session.core.program.num_funcs()).map(|f| session.core.program.func_name(f)).collect();
            words.extend(session.core.program.files().iter().map(|f| f.rsplit('/').next().unwrap_or(f).to_string()));
            words.sort();
            words.dedup();
            (Output::new(Box::new(std::io::stdout()), false), Repl::editor(words).map_err(|e| anyhow!("{e}"))?)
        }
    };
    if batch.is_some() {
        session.config.stdout = Some(Rc::new(RefCell::new(ProgramWriter { out: out.clone(), tag: "stdout" })));
        session.config.stderr = Some(Rc::new(RefCell::new(ProgramWriter { out: out.clone(), tag: "stderr" })));
    }
    let mut repl = Repl::new(out, input);
    repl.main_loop(&mut session);
    Ok(match repl.last_outcome {
        Some(wasmscope_debugger::Outcome::Exited(c)) => ExitCode::from(c as u8),
        Some(wasmscope_debugger::Outcome::Trapped(_)) => ExitCode::from(TRAP_STATUS),
        _ => ExitCode::SUCCESS,
    })
}
