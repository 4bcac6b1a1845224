//! One measurement in a child process: compile, instantiate and run one workload on one
//! engine, timing each phase around the engine calls only. (WASI commands, the
//! real-program set, are measured in `commands`.)

use std::time::{Duration, Instant};

use crate::workloads::{Kind, host_fn};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineKind {
    Interp,
    Jit,
    Wasmi,
    Wasmtime,
}

impl EngineKind {
    pub const ALL: [EngineKind; 4] = [EngineKind::Interp, EngineKind::Jit, EngineKind::Wasmi, EngineKind::Wasmtime];

    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Interp => "wasmscope-interp",
            EngineKind::Jit => "wasmscope-jit",
            EngineKind::Wasmi => "wasmi",
            EngineKind::Wasmtime => "wasmtime",
        }
    }

    pub fn from_name(name: &str) -> Option<EngineKind> {
        EngineKind::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The peer a wasmscope tier is compared with.
    pub fn peer(self) -> Option<EngineKind> {
        match self {
            EngineKind::Interp => Some(EngineKind::Wasmi),
            EngineKind::Jit => Some(EngineKind::Wasmtime),
            _ => None,
        }
    }
}

/// What a child reports.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// `Module::new`: decode, validate, and (JIT tiers) compile.
    pub compile: Duration,
    /// Linking and instantiation (for `Kind::Instantiate`: the first instantiation).
    pub instantiate: Duration,
    /// The measured call (for `Kind::Instantiate`: all the instantiations).
    pub run: Duration,
    pub checksum: i64,
    /// Something the reader should know (e.g. the JIT fell back to the interpreter).
    pub note: Option<String>,
}

impl Sample {
    /// The line a child prints on stdout; `peak_kib` is added by the caller.
    pub fn to_line(&self, peak_kib: u64) -> String {
        format!(
            "SAMPLE compile_ns={} inst_ns={} run_ns={} checksum={} peak_kib={} note={}",
            self.compile.as_nanos(),
            self.instantiate.as_nanos(),
            self.run.as_nanos(),
            self.checksum,
            peak_kib,
            self.note.as_deref().unwrap_or("").replace(char::is_whitespace, "_"),
        )
    }
}

/// The error of a kernel measurement asked to run a WASI command (`commands` does that).
const NOT_A_KERNEL: &str = "a WASI command is measured by commands::measure";

pub fn measure(engine: EngineKind, kind: Kind, bytes: &[u8], arg: i32) -> Result<Sample, String> {
    if kind == Kind::Command {
        return Err(NOT_A_KERNEL.into());
    }
    match engine {
        EngineKind::Interp => wasmscope(wasmscope_engine::Tier::Interpreter, kind, bytes, arg),
        EngineKind::Jit => wasmscope(wasmscope_engine::Tier::Jit, kind, bytes, arg),
        EngineKind::Wasmi => wasmi(kind, bytes, arg),
        EngineKind::Wasmtime => wasmtime(kind, bytes, arg),
    }
}

/// `f`'s value and how long it took; its error as text.
pub fn timed<T, E: std::fmt::Display>(f: impl FnOnce() -> Result<T, E>) -> Result<(T, Duration), String> {
    let start = Instant::now();
    let value = f().map_err(|e| e.to_string())?;
    Ok((value, start.elapsed()))
}

fn wasmscope(tier: wasmscope_engine::Tier, kind: Kind, bytes: &[u8], arg: i32) -> Result<Sample, String> {
    use wasmscope_engine::{Config, Engine, Extern, Features, Func, Linker, Module, Store};

    // Every proposal we implement (tail calls for the tail-call workload), as the peers'
    // defaults have them.
    let engine = Engine::new(Config { features: Features::wasm3(), ..Config::with_tier(tier) });
    let (module, compile) = timed(|| Module::new(&engine, bytes))?;
    let note = module.jit_error().map(|e| format!("JIT fell back to the interpreter: {e}"));
    let instantiate_once = |store: &mut Store| -> Result<wasmscope_engine::Instance, String> {
        let mut linker = Linker::new();
        if kind == Kind::HostCall {
            // Typed, as the peers' `func_wrap`.
            let host = Func::wrap(store, |_, x: i64| Ok::<i64, wasmscope_engine::Trap>(host_fn(x)));
            linker.define("env", "host", Extern::Func(host));
        }
        linker.instantiate(store, &module).map_err(|e| e.to_string())
    };
    let mut store = Store::new(&engine);
    let (instance, instantiate) = timed(|| instantiate_once(&mut store))?;
    let (checksum, run) = match kind {
        Kind::Run | Kind::HostCall => {
            let run = instance.func(&store, "run").ok_or("no export `run`")?;
            let run = run.typed::<i32, i64>(&store).map_err(|e| e.to_string())?;
            timed(|| run.call(&mut store, arg))?
        }
        Kind::Command => return Err(NOT_A_KERNEL.into()),
        Kind::Instantiate => timed(|| -> Result<i64, String> {
            let mut sum = 0i64;
            for _ in 0..arg {
                let mut store = Store::new(&engine);
                let instance = instantiate_once(&mut store)?;
                let get = instance.func(&store, "get").ok_or("no export `get`")?;
                let get = get.typed::<(), i64>(&store).map_err(|e| e.to_string())?;
                sum = sum.wrapping_add(get.call(&mut store, ()).map_err(|e| e.to_string())?);
            }
            Ok(sum)
        })?,
    };
    Ok(Sample { compile, instantiate, run, checksum, note })
}

fn wasmi(kind: Kind, bytes: &[u8], arg: i32) -> Result<Sample, String> {
    use wasmi::{Engine, Linker, Module, Store};

    let engine = Engine::default();
    let (module, compile) = timed(|| Module::new(&engine, bytes))?;
    let mut linker = Linker::<()>::new(&engine);
    if kind == Kind::HostCall {
        linker.func_wrap("env", "host", host_fn).map_err(|e| e.to_string())?;
    }
    let mut store = Store::new(&engine, ());
    let (instance, instantiate) = timed(|| linker.instantiate_and_start(&mut store, &module))?;
    let (checksum, run) = match kind {
        Kind::Run | Kind::HostCall => {
            let run = instance.get_typed_func::<i32, i64>(&store, "run").map_err(|e| e.to_string())?;
            timed(|| run.call(&mut store, arg))?
        }
        Kind::Command => return Err(NOT_A_KERNEL.into()),
        Kind::Instantiate => timed(|| -> Result<i64, wasmi::Error> {
            let mut sum = 0i64;
            for _ in 0..arg {
                let mut store = Store::new(&engine, ());
                let instance = linker.instantiate_and_start(&mut store, &module)?;
                let get = instance.get_typed_func::<(), i64>(&store, "get")?;
                sum = sum.wrapping_add(get.call(&mut store, ())?);
            }
            Ok(sum)
        })?,
    };
    Ok(Sample { compile, instantiate, run, checksum, note: None })
}

fn wasmtime(kind: Kind, bytes: &[u8], arg: i32) -> Result<Sample, String> {
    use wasmtime::{Engine, Linker, Module, Store};

    // Its defaults, plus exception handling and a wasm stack of 1.5 MiB instead of 512 KiB
    // for the exceptions workload's unwinds of 10,000 frames (ours and wasmi's bound the
    // call depth, not the bytes). Neither changes the code of the other workloads.
    let mut config = wasmtime::Config::new();
    config.wasm_exceptions(true).wasm_function_references(true).wasm_gc(true).max_wasm_stack(1536 << 10);
    let engine = Engine::new(&config).map_err(|e| e.to_string())?;
    let (module, compile) = timed(|| Module::new(&engine, bytes))?;
    let mut linker = Linker::<()>::new(&engine);
    if kind == Kind::HostCall {
        linker.func_wrap("env", "host", host_fn).map_err(|e| e.to_string())?;
    }
    let mut store = Store::new(&engine, ());
    let (instance, instantiate) = timed(|| linker.instantiate(&mut store, &module))?;
    let (checksum, run) = match kind {
        Kind::Run | Kind::HostCall => {
            let run = instance.get_typed_func::<i32, i64>(&mut store, "run").map_err(|e| e.to_string())?;
            timed(|| run.call(&mut store, arg))?
        }
        Kind::Command => return Err(NOT_A_KERNEL.into()),
        Kind::Instantiate => timed(|| -> wasmtime::Result<i64> {
            let mut sum = 0i64;
            for _ in 0..arg {
                let mut store = Store::new(&engine, ());
                let instance = linker.instantiate(&mut store, &module)?;
                let get = instance.get_typed_func::<(), i64>(&mut store, "get")?;
                sum = sum.wrapping_add(get.call(&mut store, ())?);
            }
            Ok(sum)
        })?,
    };
    Ok(Sample { compile, instantiate, run, checksum, note: None })
}

/// This process's peak resident set (VmHWM), in KiB.
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
