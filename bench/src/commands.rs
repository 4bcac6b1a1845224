//! One measurement of a WASI command (the real-program set, issue 15) in a child process:
//! compile, link WASI preview 1 and instantiate, run `_start`, on one engine, with the
//! guest's stdout captured in memory (stderr is the child's) so that the parent can check
//! that every engine printed the same bytes.
//!
//! Each engine uses its own WASI implementation, as an embedder would: wasmscope's
//! `wasmscope_engine::wasi`, `wasmi_wasi` 2.0.0 (wasi-common) and `wasmtime-wasi` 48's
//! preview-1 layer (`p1`). Compile is `Module::new`; *instantiate* includes defining the
//! WASI functions in a linker and building the WASI context; *run* is the `_start` call.

use crate::engines::{EngineKind, Sample, timed};
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

/// What a command run gives back besides its timings.
pub struct Outcome {
    pub sample: Sample,
    /// Everything the guest wrote to stdout.
    pub stdout: Vec<u8>,
}

/// Runs the command `bytes` with arguments `argv` (`argv[0]` first) on `engine`. A trap or
/// an exit status other than 0 is an error.
pub fn measure(engine: EngineKind, bytes: &[u8], argv: &[String]) -> Result<Outcome, String> {
    let (mut sample, status, stdout) = match engine {
        EngineKind::Interp => wasmscope(wasmscope_engine::Tier::Interpreter, bytes, argv)?,
        EngineKind::Jit => wasmscope(wasmscope_engine::Tier::Jit, bytes, argv)?,
        EngineKind::Wasmi => wasmi(bytes, argv)?,
        EngineKind::Wasmtime => wasmtime(bytes, argv)?,
    };
    if status != 0 {
        return Err(format!("the program exited with status {status}"));
    }
    sample.checksum = output_hash(&stdout);
    Ok(Outcome { sample, stdout })
}

/// FNV-1a (64 bits) of a command's output: its checksum in the tables and in JSON.
pub fn output_hash(bytes: &[u8]) -> i64 {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    h as i64
}

/// An in-memory stdout for wasmscope's `WasiCtx`, readable after the run.
#[derive(Clone, Default)]
struct Capture(Rc<RefCell<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

type Run = (Sample, i32, Vec<u8>);

fn wasmscope(tier: wasmscope_engine::Tier, bytes: &[u8], argv: &[String]) -> Result<Run, String> {
    use wasmscope_engine::{Config, Engine, Linker, Module, Store, wasi};

    let engine = Engine::new(Config::with_tier(tier));
    let (module, compile) = timed(|| Module::new(&engine, bytes))?;
    let note = module.jit_error().map(|e| format!("JIT fell back to the interpreter: {e}"));
    let stdout = Capture::default();
    let mut store = Store::new(&engine);
    let (instance, instantiate) = timed(|| {
        let ctx = wasi::WasiCtx::new().args(argv.iter().cloned()).stdout(stdout.clone());
        let mut linker = Linker::new();
        wasi::add_to_linker(&mut linker, &mut store, Rc::new(RefCell::new(ctx)));
        linker.instantiate(&mut store, &module)
    })?;
    let (status, run) = timed(|| wasi::run_start(&mut store, instance))?;
    let out = stdout.0.borrow().clone();
    Ok((Sample { compile, instantiate, run, checksum: 0, note }, status, out))
}

fn wasmi(bytes: &[u8], argv: &[String]) -> Result<Run, String> {
    use wasmi::{Engine, Linker, Module, Store};
    use wasmi_wasi::wasi_common::pipe::WritePipe;
    use wasmi_wasi::{WasiCtx, WasiCtxBuilder};

    let engine = Engine::default();
    let (module, compile) = timed(|| Module::new(&engine, bytes))?;
    let stdout = WritePipe::new_in_memory();
    let ((mut store, instance), instantiate) = timed(|| -> Result<_, String> {
        let mut linker = Linker::<WasiCtx>::new(&engine);
        wasmi_wasi::add_to_linker(&mut linker, |ctx| ctx).map_err(|e| e.to_string())?;
        let mut builder = WasiCtxBuilder::new();
        builder.args(argv).map_err(|e| e.to_string())?;
        let ctx = builder.stdout(Box::new(stdout.clone())).inherit_stderr().build();
        let mut store = Store::new(&engine, ctx);
        let instance = linker.instantiate_and_start(&mut store, &module).map_err(|e| e.to_string())?;
        Ok((store, instance))
    })?;
    let start = instance.get_typed_func::<(), ()>(&store, "_start").map_err(|e| e.to_string())?;
    let (status, run) = timed(|| match start.call(&mut store, ()) {
        Ok(()) => Ok(0),
        Err(e) => e.i32_exit_status().ok_or(e),
    })?;
    // The store holds the other handle on the pipe.
    drop(store);
    let out = stdout.try_into_inner().map_err(|_| "wasmi: stdout is still shared after the run")?.into_inner();
    Ok((Sample { compile, instantiate, run, checksum: 0, note: None }, status, out))
}

fn wasmtime(bytes: &[u8], argv: &[String]) -> Result<Run, String> {
    use wasmtime::{Engine, Linker, Module, Store};
    use wasmtime_wasi::p1::{self, WasiP1Ctx};
    use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
    use wasmtime_wasi::{I32Exit, WasiCtxBuilder};

    /// More than any program of the set prints (the pipe traps past its capacity).
    const STDOUT_CAPACITY: usize = 64 << 20;

    let engine = Engine::default();
    let (module, compile) = timed(|| Module::new(&engine, bytes))?;
    let stdout = MemoryOutputPipe::new(STDOUT_CAPACITY);
    let ((mut store, instance), instantiate) = timed(|| -> wasmtime::Result<_> {
        let mut linker = Linker::<WasiP1Ctx>::new(&engine);
        p1::add_to_linker_sync(&mut linker, |ctx| ctx)?;
        let ctx = WasiCtxBuilder::new().args(argv).stdout(stdout.clone()).inherit_stderr().build_p1();
        let mut store = Store::new(&engine, ctx);
        let instance = linker.instantiate(&mut store, &module)?;
        Ok((store, instance))
    })?;
    let start = instance.get_typed_func::<(), ()>(&mut store, "_start").map_err(|e| e.to_string())?;
    let (status, run) = timed(|| match start.call(&mut store, ()) {
        Ok(()) => Ok(0),
        Err(e) => e.downcast_ref::<I32Exit>().map(|exit| exit.0).ok_or(e),
    })?;
    drop(store);
    let out = stdout.contents().to_vec();
    Ok((Sample { compile, instantiate, run, checksum: 0, note: None }, status, out))
}
