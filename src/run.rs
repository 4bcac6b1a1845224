//! `wasmscope run`: a WASI preview 1 command (`_start`), or one export with `--invoke`.

use std::cell::RefCell;
use std::path::Path;
use std::process::ExitCode;
use std::rc::Rc;

use anyhow::{anyhow, bail};
use wasmscope_engine::{
    Config, Engine, Error, Extern, Features, JitCompile, Linker, Module, Store, Tier, Trap, TrapCode, Val, wasi,
};

use crate::cli::{ProgramOpts, RunArgs};
use crate::values::{parse_val, show_val};
use crate::{TRAP_STATUS, compile, usage};

/// The engine configuration `run` and `debug` use for `opts`.
pub fn engine_config(opts: &ProgramOpts) -> Config {
    Config {
        tier: opts.tier,
        features: opts.engine.features(Features::default()),
        consume_fuel: opts.fuel.is_some(),
        jit_compile: opts.jit_compile.unwrap_or_default(),
        ..Config::default()
    }
}

pub fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let opts = &args.program;
    let path = opts.file();
    let (engine, module) = compile(&path, engine_config(opts))?;
    let lazy_jit = opts.tier == Tier::Jit && module.jit_compile() != JitCompile::Eager;
    if args.verbose {
        match module.compile_time() {
            Some(_) if lazy_jit => eprintln!(
                "wasmscope: {} loaded for the jit tier (functions compiled on their first call)",
                path.display()
            ),
            Some(t) => {
                eprintln!("wasmscope: compiled {} for the {} tier in {:.2?}", path.display(), opts.tier.name(), t)
            }
            None => {
                eprintln!("wasmscope: {} loaded for the {} tier (translated lazily)", path.display(), opts.tier.name())
            }
        }
    }
    let r = execute(opts, &path, &engine, &module);
    if args.verbose {
        if let (true, Some((n, total)), Some(t)) = (lazy_jit, module.compiled_functions(), module.compile_time()) {
            eprintln!("wasmscope: the JIT compiled {n} of {total} functions in {t:.2?}");
        }
        if let Some(e) = module.jit_error() {
            eprintln!("wasmscope: the JIT could not compile this module, it runs on the interpreter: {e}");
        }
    }
    r
}

/// Instantiates `module` with WASI and runs it as `opts` say.
fn execute(opts: &ProgramOpts, path: &Path, engine: &Engine, module: &Module) -> anyhow::Result<ExitCode> {
    let mut store = Store::new(engine);
    if let Some(fuel) = opts.fuel {
        store.set_fuel(fuel);
    }
    let mut linker = Linker::new();
    wasmscope_spec_runner::spectest::define(&mut store, &mut linker)
        .map_err(|e| anyhow!("cannot create the spectest host module: {e}"))?;
    let mut ctx = wasi::WasiCtx::new();
    let argv0 = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    if opts.invoke.is_none() {
        ctx = ctx.args(std::iter::once(argv0).chain(opts.args().iter().cloned()));
    } else {
        ctx = ctx.args([argv0]);
    }
    for (k, v) in opts.env() {
        ctx = ctx.env(k, v);
    }
    for (host, guest) in opts.dirs() {
        ctx = ctx.preopen_dir(&host, guest)?;
    }
    wasi::add_to_linker(&mut linker, &mut store, Rc::new(RefCell::new(ctx)));
    let instance = linker.instantiate(&mut store, module).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let Some(name) = &opts.invoke else {
        return match wasi::run_start(&mut store, instance) {
            Ok(status) => Ok(ExitCode::from(status as u8)),
            Err(Error::Trap(t)) => {
                report_trap(path, &t);
                Ok(ExitCode::from(TRAP_STATUS))
            }
            Err(e) => Err(anyhow!("{}: {e}", path.display())),
        };
    };
    let call_args = opts.args();
    let func = match instance.export(&store, name) {
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
        .zip(call_args)
        .enumerate()
        .map(|(i, (t, s))| parse_val(*t, s).map_err(|e| usage(format!("argument {}: {e}", i + 1))))
        .collect::<anyhow::Result<Vec<Val>>>()?;
    let results = match func.call(&mut store, &vals) {
        Ok(r) => r,
        Err(Error::Trap(t)) if t.code == TrapCode::Exit => return Ok(ExitCode::from(t.exit_code.unwrap_or(0) as u8)),
        Err(Error::Trap(t)) => {
            report_trap(path, &t);
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
