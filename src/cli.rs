//! The command line's grammar (clap, derive): commands, their options, and the parsers of
//! option values. wasmscope's own options come before FILE; everything after FILE belongs
//! to the program (wasmtime's convention), so `wasmscope run prog.wasm -v` passes `-v` to
//! the guest.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use wasmscope_engine::{Features, JitCompile, Tier};

const AFTER_HELP: &str = "\
FILE is read as a binary module if it starts with \\0asm, else as WebAssembly text.
wasmscope's options come before FILE; everything after FILE goes to the program.
Exit status: 0 success, 1 failure (invalid module, trap of --invoke, failed script), 2 bad
usage; `run` and `debug` without --invoke: the program's exit status, 134 after a trap.";

#[derive(Parser, Debug)]
#[command(
    name = "wasmscope",
    version,
    about = "wasmscope: a WebAssembly 3.0 runtime and spec-conformance / debugging workbench",
    after_help = AFTER_HELP,
    propagate_version = true,
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Decode and validate FILE (.wasm binary or .wat text)
    Validate(ValidateArgs),
    /// Run FILE as a WASI (preview 1) command, or call one of its exports with --invoke
    #[command(after_help = RUN_AFTER_HELP, override_usage = "wasmscope run [OPTIONS] FILE [ARGS]...")]
    Run(RunArgs),
    /// Run a .wast script and print its summary; exits 1 if anything failed
    Wast(WastArgs),
    /// Debug FILE with gdb-style commands: breakpoints, stepping, DWARF variables, memory
    #[command(after_help = DEBUG_AFTER_HELP, override_usage = "wasmscope debug [OPTIONS] FILE [ARGS]...")]
    Debug(DebugArgs),
}

const RUN_AFTER_HELP: &str = "\
Without --invoke, `_start` runs with ARGS as argv[1..] (argv[0] is the file name), stdio
wired through; the exit status is the program's, 134 after a trap (printed with its wasm
backtrace). The guest sees only the --dir preopens and the --env variables.
With --invoke NAME, ARGS are the arguments of the export NAME, parsed by its parameter
types (i32/i64 as decimal or 0x hex, f32/f64 as decimals, inf, nan; funcref/externref as
null, externref also as a number); one result is printed per line. Imports may come from
`wasi_snapshot_preview1` or `spectest`.
Everything after FILE goes to the program: `wasmscope run prog.wasm -v --help` gives the
guest argv [prog.wasm, -v, --help].";

const DEBUG_AFTER_HELP: &str = "\
With --gdb-port PORT (-g), waits for LLDB on 127.0.0.1:PORT (`process connect --plugin wasm
connect://127.0.0.1:PORT`), the program stopped at its first instruction. With --dap
(stdin/stdout) or --dap-port PORT, an editor drives it over the Debug Adapter Protocol;
FILE is then optional (the `launch` request names the program).
With --batch FILE, runs the commands in FILE and prints a transcript (program output on
lines prefixed [stdout] / [stderr]); otherwise, when stdin and stdout are both terminals,
a full-screen debugger (`?` lists its keys; NO_COLOR turns colour off); a line editor when
only stdin is one, plain lines when it is not (--repl forces line mode). `help` at the
debugger's prompt lists its commands. Exit status: the program's last, as `run` gives it.
Everything after FILE goes to the program.";

/// Options every command that builds an engine takes.
#[derive(Args, Debug, Clone, Default)]
pub struct EngineOpts {
    /// Switch WebAssembly proposals on or off, as `wasmtime -W`: NAME, NAME=y or NAME=n,
    /// comma-separated or repeated (e.g. `-W bulk-memory=n,multi-value=n`)
    #[arg(short = 'W', long = "wasm", value_name = "FEATURE[=y|n]", value_delimiter = ',', value_parser = parse_feature_switch)]
    pub wasm: Vec<FeatureSwitch>,
}

impl EngineOpts {
    /// `base` with every `-W` switch applied in order.
    pub fn features(&self, mut base: Features) -> Features {
        for s in &self.wasm {
            // Names were checked when parsed (parse_feature_switch), so `set` cannot fail.
            let _ = base.set(&s.name, s.on);
        }
        base
    }
}

/// One `-W NAME[=y|n]`.
#[derive(Debug, Clone)]
pub struct FeatureSwitch {
    pub name: String,
    pub on: bool,
}

fn parse_feature_switch(s: &str) -> Result<FeatureSwitch, String> {
    let (name, value) = match s.split_once('=') {
        Some((n, v)) => (n.trim(), Some(v.trim())),
        None => (s.trim(), None),
    };
    let on = match value {
        None | Some("y" | "yes" | "true" | "on") => true,
        Some("n" | "no" | "false" | "off") => false,
        Some(v) => return Err(format!("`{v}` is not y or n (in `{s}`)")),
    };
    // Check the name now so that a typo is a usage error naming it.
    Features::wasm2().set(name, on).map_err(|e| e.to_string())?;
    Ok(FeatureSwitch { name: name.to_string(), on })
}

fn parse_tier(s: &str) -> Result<Tier, String> {
    Tier::from_name(s).ok_or_else(|| {
        let known: Vec<&str> = Tier::ALL.iter().map(|t| t.name()).collect();
        format!("unknown tier `{s}` (this build has: {})", known.join(", "))
    })
}

fn parse_jit_compile(s: &str) -> Result<JitCompile, String> {
    JitCompile::from_name(s)
        .ok_or_else(|| format!("unknown JIT compilation mode `{s}` (expected auto, tiered, lazy or eager)"))
}

/// `--dir HOST[::GUEST]`.
#[derive(Debug, Clone)]
pub struct DirSpec {
    pub host: String,
    pub guest: String,
}

fn parse_dir(s: &str) -> Result<DirSpec, String> {
    let (host, guest) = match s.split_once("::") {
        Some((h, g)) => (h.to_string(), g.to_string()),
        None => (s.to_string(), s.to_string()),
    };
    if host.is_empty() || guest.is_empty() {
        return Err(format!("`{s}`: expected HOST or HOST::GUEST"));
    }
    Ok(DirSpec { host, guest })
}

/// `--env KEY=VALUE`, or `--env KEY` for the host's value.
#[derive(Debug, Clone)]
pub struct EnvSpec {
    pub key: String,
    /// `None`: inherit the host's value (the variable is left out when the host has none).
    pub value: Option<String>,
}

fn parse_env(s: &str) -> Result<EnvSpec, String> {
    let (key, value) = match s.split_once('=') {
        Some((k, v)) => (k, Some(v.to_string())),
        None => (s, None),
    };
    if key.is_empty() {
        return Err(format!("`{s}`: expected KEY=VALUE or KEY"));
    }
    Ok(EnvSpec { key: key.to_string(), value })
}

/// The options of a program run (`run` and `debug`).
#[derive(Args, Debug, Clone)]
pub struct ProgramOpts {
    /// Execution tier
    #[arg(long, value_name = "interp|jit", default_value = "interp", value_parser = parse_tier)]
    pub tier: Tier,
    /// When the JIT compiles: eager for a module under 128 KiB of code, else tiered (auto,
    /// the default); each function on its first call while the whole module is compiled
    /// in the background and then takes over (tiered); each function on its first call
    /// only (lazy); or the whole module before it starts (eager)
    #[arg(long, value_name = "auto|tiered|lazy|eager", value_parser = parse_jit_compile)]
    pub jit_compile: Option<JitCompile>,
    /// Preopen host directory HOST, seen by the guest as GUEST (default HOST)
    #[arg(long = "dir", value_name = "HOST[::GUEST]", value_parser = parse_dir)]
    pub dirs: Vec<DirSpec>,
    /// Set an environment variable of the guest (KEY alone: the host's value)
    #[arg(long = "env", value_name = "KEY[=VALUE]", value_parser = parse_env)]
    pub env: Vec<EnvSpec>,
    /// Call the export NAME with ARGS instead of running `_start`
    #[arg(long, value_name = "NAME")]
    pub invoke: Option<String>,
    /// Give the program N units of fuel (one per instruction executed); it traps when they
    /// run out
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,
    #[command(flatten)]
    pub engine: EngineOpts,
    /// FILE (the module), then ARGS: the program's arguments (everything after FILE is the
    /// guest's, even words that look like wasmscope's options)
    #[arg(value_name = "FILE", required = true, trailing_var_arg = true)]
    pub file_and_args: Vec<String>,
}

impl ProgramOpts {
    pub fn file(&self) -> PathBuf {
        // clap enforces at least one value (`required = true`).
        PathBuf::from(self.file_and_args.first().map_or("", String::as_str))
    }

    pub fn args(&self) -> &[String] {
        self.file_and_args.get(1..).unwrap_or(&[])
    }

    /// `--env` resolved: `KEY` alone takes the host's value (left out if the host has none).
    pub fn env(&self) -> Vec<(String, String)> {
        self.env
            .iter()
            .filter_map(|e| match &e.value {
                Some(v) => Some((e.key.clone(), v.clone())),
                None => std::env::var(&e.key).ok().map(|v| (e.key.clone(), v)),
            })
            .collect()
    }

    pub fn dirs(&self) -> Vec<(String, String)> {
        self.dirs.iter().map(|d| (d.host.clone(), d.guest.clone())).collect()
    }
}

#[derive(Args, Debug)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub engine: EngineOpts,
    /// The module (.wasm or .wat)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Print the module's compile time (stderr)
    #[arg(short, long)]
    pub verbose: bool,
    #[command(flatten)]
    pub program: ProgramOpts,
}

#[derive(Args, Debug)]
pub struct WastArgs {
    /// Tiers to run the script on: interp, jit or all
    #[arg(long, value_name = "interp|jit|all", default_value = "interp")]
    pub tier: String,
    /// Start from WebAssembly 1.0 features (default: 3.0); -W switches apply after it
    #[arg(long)]
    pub mvp: bool,
    /// Also list skips and message mismatches
    #[arg(short, long)]
    pub verbose: bool,
    #[command(flatten)]
    pub engine: EngineOpts,
    /// The script
    #[arg(value_name = "FILE.wast")]
    pub file: PathBuf,
}

#[derive(Args, Debug)]
#[command(mut_arg("file_and_args", |a| a.required(false).required_unless_present_any(["dap", "dap_port"])))]
pub struct DebugArgs {
    /// Run the debugger commands in FILE and print a transcript
    #[arg(short = 'x', long, value_name = "FILE")]
    pub batch: Option<PathBuf>,
    /// Line mode even on a terminal (no full-screen TUI)
    #[arg(long)]
    pub repl: bool,
    /// Serve LLDB over gdb-remote on 127.0.0.1:PORT (0 picks a free port; the address is
    /// printed on stderr); connect with `process connect --plugin wasm
    /// connect://127.0.0.1:PORT`
    #[arg(short = 'g', long, value_name = "PORT", conflicts_with_all = ["batch", "repl"])]
    pub gdb_port: Option<u16>,
    /// Be a Debug Adapter Protocol server on stdin/stdout (for editors); FILE and the
    /// options become the defaults of the `launch` request
    #[arg(long, conflicts_with_all = ["batch", "repl", "gdb_port", "dap_port"])]
    pub dap: bool,
    /// Serve the Debug Adapter Protocol on 127.0.0.1:PORT (0 picks a free port; printed on
    /// stderr), one client
    #[arg(long, value_name = "PORT", conflicts_with_all = ["batch", "repl", "gdb_port"])]
    pub dap_port: Option<u16>,
    #[command(flatten)]
    pub program: ProgramOpts,
}
