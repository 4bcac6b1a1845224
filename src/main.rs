//! The `wasmscope` command line: validate a module, run a WASI program or one export, run a
//! `.wast` script, or debug a program. The grammar is in [`cli`] (clap); `anyhow` is used at
//! this edge only, the engine's errors are typed.

mod cli;
mod debug;
mod run;
mod values;
mod wast;

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, anyhow};
use clap::Parser as _;
use wasmscope_engine::{Config, Engine, Features, Module, Tier};

use cli::{Cli, Command};

/// A command-line mistake found after parsing (e.g. `--invoke` arguments that do not fit
/// the export): printed with a hint, exit status 2 like clap's own usage errors.
#[derive(Debug)]
pub struct Usage(String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

pub fn usage(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Usage(msg.into()))
}

/// Exit status of `run` and `debug` when the program traps (128 + SIGABRT, as wasmtime does).
pub const TRAP_STATUS: u8 = 134;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and --version go to stdout with status 0; mistakes to stderr with 2.
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let result = match cli.command {
        Command::Validate(a) => validate(&a),
        Command::Run(a) => run::run(&a),
        Command::Wast(a) => wast::wast(&a),
        Command::Debug(a) => debug::debug(a),
    };
    match result {
        Ok(code) => code,
        Err(e) if e.downcast_ref::<Usage>().is_some() => {
            eprintln!("error: {e}\n\nFor more information, try '--help'.");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Reads FILE as a module binary: `\0asm` bytes as they are, anything else as text.
pub fn read_module(path: &Path) -> anyhow::Result<Vec<u8>> {
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

/// Decodes, validates and (on the JIT) compiles FILE.
pub fn compile(path: &Path, config: Config) -> anyhow::Result<(Engine, Module)> {
    let bytes = read_module(path)?;
    let engine = Engine::new(config);
    // Engine errors name the phase and the byte offset (in the binary; for text input,
    // in the binary it encodes to).
    let module = Module::new(&engine, &bytes).map_err(|e| match missing_features(&bytes, config.features) {
        Some(hint) => anyhow!("{}: {e}\nnote: {hint}", path.display()),
        None => anyhow!("{}: {e}", path.display()),
    })?;
    Ok((engine, module))
}

/// Why a module that `features` rejects would load: the proposal switched off that it
/// needs (`-W NAME`), or the set of them, if turning them on makes it valid (each is
/// tried alone first, on the interpreter, which compiles nothing at load).
fn missing_features(bytes: &[u8], features: Features) -> Option<String> {
    let loads = |f: Features| {
        Module::new(&Engine::new(Config { tier: Tier::Interpreter, features: f, ..Config::default() }), bytes).is_ok()
    };
    let off: Vec<&str> = Features::names().filter(|n| features.get(n) == Ok(false)).collect();
    for name in &off {
        let mut f = features;
        if f.set(name, true).is_ok() && loads(f) {
            return Some(format!("the module uses the {name} proposal, which is off: pass -W {name}"));
        }
    }
    let mut all = features;
    for name in &off {
        let _ = all.set(name, true);
    }
    let needed: Vec<&str> = off.iter().copied().filter(|n| Features::wasm3().get(n) == Ok(true)).collect();
    (loads(all) && !needed.is_empty())
        .then(|| format!("the module loads with these proposals on: pass -W {}", needed.join(",")))
}

fn validate(args: &cli::ValidateArgs) -> anyhow::Result<ExitCode> {
    let features = args.engine.features(Features::default());
    compile(&args.file, Config { tier: Tier::default(), features, ..Config::default() })?;
    println!("{}: valid", args.file.display());
    Ok(ExitCode::SUCCESS)
}
