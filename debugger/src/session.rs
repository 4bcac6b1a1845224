//! A debugging session: the loaded program, its breakpoints, and runs of it under the
//! interpreter's debug hook. Stops are reported to a [`Frontend`] as [`Stop`] values while
//! the program is paused (inside the hook); the frontend answers with a [`Resume`].

use std::cell::RefCell;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use wasmscope_engine::debug::{DebugControl, DebugHook, DebugState};
use wasmscope_engine::syntax::{Instr, ValType};
use wasmscope_engine::{Config, Engine, Error, Features, Linker, Module, Store, Tier, Trap, TrapCode, Val, wasi};

use crate::breakpoints::{PointKind, Points};
use crate::error::{DebugError, Result};
use crate::program::Program;
use crate::state::{Frame, ProgramState};
use crate::stepping::{StepDone, StepKind, StepPlan};

/// Why the program stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// Breakpoint `id` was hit.
    Breakpoint { id: u32 },
    /// A `step`, `next`, `stepi`, `nexti` or `until` finished.
    Step,
    /// `finish`: function `func` returned `values`. A function that returns an aggregate
    /// in memory (wasm results empty, the C and Rust ABIs' `sret` pointer in its first
    /// parameter) wrote it at `ret_addr`: the pointer when `finish` began.
    Finished { func: u32, values: Vec<Val>, ret_addr: Option<u64> },
    /// Watchpoint `id`: the bytes it watches changed.
    Watchpoint { id: u32, old: Vec<u8>, new: Vec<u8> },
    /// The program trapped; it cannot go on.
    Trap { message: String },
    /// Catchpoint `id` (`catch throw`): an exception is being thrown at the innermost
    /// frame; `description` names its tag and payload. Continuing unwinds to the handler.
    Exception { id: u32, description: String },
    /// The frontend asked to interrupt the running program ([`Frontend::interrupted`]).
    Interrupted,
}

/// How the program ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `_start` returned or the program called `proc_exit`.
    Exited(i32),
    /// An invoked function returned these values.
    Returned(Vec<Val>),
    /// A trap ended it.
    Trapped(String),
    /// The debugger killed it.
    Killed,
}

/// What to do after a stop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resume {
    Continue,
    Step(StepKind),
    Kill,
    /// Kill and run again from the start.
    Restart,
    /// Write `bytes` into linear memory at `addr` and stay stopped: the frontend is told of
    /// the same stop again, with a snapshot that shows the write. The frontend checks the
    /// range against [`ProgramState::memory`] first (memory cannot grow while paused); a
    /// write outside it is ignored.
    WriteMemory {
        addr: u64,
        bytes: Vec<u8>,
    },
}

/// The front end (REPL, TUI, test): told of each stop while the program is paused.
pub trait Frontend {
    fn stopped(&mut self, core: &mut Core, state: &ProgramState<'_>, stop: &Stop) -> Resume;

    /// Polled every [`INTERRUPT_POLL`] instructions while the program runs: `true` stops
    /// it with [`Stop::Interrupted`] (the TUI's Ctrl-C).
    fn interrupted(&mut self) -> bool {
        false
    }

    /// Called just before each [`Frontend::interrupted`] poll: the frontend may change
    /// breakpoints while the program runs (an editor's clicks), without stopping it.
    fn running(&mut self, core: &mut Core) {
        let _ = core;
    }

    /// Log point `id` was reached: `text` is its message with `{EXPR}`s interpolated. The
    /// program does not stop.
    fn log_point(&mut self, id: u32, text: &str) {
        let _ = (id, text);
    }
}

/// How many instructions run between two [`Frontend::interrupted`] polls.
pub const INTERRUPT_POLL: u32 = 1 << 16;

/// A shared output sink for the program's stdout or stderr.
pub type Sink = Rc<RefCell<dyn Write>>;

/// A shared input source for the program's stdin.
pub type Source = Rc<RefCell<dyn Read>>;

struct SourceReader(Source);

impl Read for SourceReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().read(buf)
    }
}

struct SinkWriter(Sink);

impl Write for SinkWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

/// How to start the program.
#[derive(Default, Clone)]
pub struct SessionConfig {
    pub tier: Tier,
    /// Program arguments (argv[1..]); for `invoke`, the function's arguments.
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Preopened directories: (host, guest).
    pub dirs: Vec<(String, String)>,
    /// Call this export instead of running `_start` as a WASI command.
    pub invoke: Option<String>,
    /// Where the program's stdout / stderr go (default: the process's).
    pub stdout: Option<Sink>,
    pub stderr: Option<Sink>,
    /// Where the program's stdin comes from (default: the process's). A full-screen
    /// front end gives it something else so the guest cannot read its keystrokes.
    pub stdin: Option<Source>,
    /// The proposals the module is decoded and validated with (default: WebAssembly 2.0).
    pub features: Features,
    /// Fuel for each run (`--fuel`): the program traps when it runs out. `None`: unmetered.
    pub fuel: Option<u64>,
}

/// Everything but the running program: what a frontend may read and change while paused.
pub struct Core {
    pub program: Program,
    pub points: Points,
}

/// A loaded program under the debugger.
pub struct Session {
    pub core: Core,
    engine: Engine,
    pub config: SessionConfig,
}

/// Reads FILE as a module binary: `\0asm` bytes as they are, anything else as text.
fn read_module(path: &Path) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path).map_err(|e| DebugError::Load(format!("cannot read {}: {e}", path.display())))?;
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes);
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| DebugError::Load(format!("{}: not a WebAssembly module", path.display())))?;
    wat::parse_str(text).map_err(|e| DebugError::Load(format!("{}: text does not parse: {e}", path.display())))
}

impl Session {
    pub fn load(path: &Path, config: SessionConfig) -> Result<Session> {
        let bytes = read_module(path)?;
        let engine = Engine::new(Config {
            tier: config.tier,
            features: config.features,
            consume_fuel: config.fuel.is_some(),
            ..Config::default()
        });
        let module = Module::new(&engine, &bytes).map_err(|e| DebugError::Load(format!("{}: {e}", path.display())))?;
        let program = Program::new(path, module, bytes)?;
        Ok(Session { core: Core { program, points: Points::default() }, engine, config })
    }

    pub fn path(&self) -> PathBuf {
        self.core.program.path.clone()
    }

    /// The module offset of the first instruction [`Session::run`] executes (of `_start`,
    /// or of the `--invoke` export): where a front end that starts stopped (gdb-remote,
    /// DAP's `stopOnEntry`) puts its entry breakpoint.
    pub fn entry_offset(&self) -> Option<u32> {
        self.entry().ok()
    }

    /// [`Session::entry_offset`], or why there is none (the error [`Session::run`] would
    /// give), for front ends that check before they start.
    pub fn entry(&self) -> Result<u32> {
        let name = self.config.invoke.as_deref().unwrap_or("_start");
        let program = &self.core.program;
        let export = program
            .module
            .exports()
            .iter()
            .find(|e| e.name == name && e.kind == wasmscope_engine::syntax::ExternKind::Func);
        let Some(export) = export else {
            return Err(DebugError::NotFound(if self.config.invoke.is_some() {
                format!("the module exports no function `{name}`")
            } else {
                "the module exports no `_start` function (not a WASI command); use --invoke NAME".to_string()
            }));
        };
        program
            .exec_offsets(export.index)
            .first()
            .copied()
            .ok_or_else(|| DebugError::NotFound(format!("`{name}` is imported: it has no code to debug")))
    }

    /// Runs the program from the start until it ends, reporting stops to `frontend`.
    pub fn run(&mut self, frontend: &mut dyn Frontend) -> Result<Outcome> {
        loop {
            let mut store = Store::new(&self.engine);
            if let Some(fuel) = self.config.fuel {
                store.set_fuel(fuel);
            }
            let mut linker = Linker::new();
            let path = &self.core.program.path;
            let argv0 = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into());
            let mut ctx = wasi::WasiCtx::new();
            ctx = if self.config.invoke.is_none() {
                ctx.args(std::iter::once(argv0).chain(self.config.args.iter().cloned()))
            } else {
                ctx.args([argv0])
            };
            for (k, v) in &self.config.env {
                ctx = ctx.env(k, v);
            }
            for (host, guest) in &self.config.dirs {
                ctx =
                    ctx.preopen_dir(host, guest.clone()).map_err(|e| DebugError::Load(format!("--dir {host}: {e}")))?;
            }
            if let Some(s) = &self.config.stdout {
                ctx = ctx.stdout(SinkWriter(s.clone()));
            }
            if let Some(s) = &self.config.stderr {
                ctx = ctx.stderr(SinkWriter(s.clone()));
            }
            if let Some(s) = &self.config.stdin {
                ctx = ctx.stdin(SourceReader(s.clone()));
            }
            wasi::add_to_linker(&mut linker, &mut store, Rc::new(RefCell::new(ctx)));
            let module = self.core.program.module.clone();
            let instance = linker
                .instantiate(&mut store, &module)
                .map_err(|e| DebugError::Load(format!("{}: {e}", self.core.program.path.display())))?;
            let name = self.config.invoke.clone().unwrap_or_else(|| "_start".to_string());
            let func = instance.func(&store, &name).ok_or_else(|| {
                DebugError::NotFound(if self.config.invoke.is_some() {
                    format!("the module exports no function `{name}`")
                } else {
                    "the module exports no `_start` function (not a WASI command); use --invoke NAME".to_string()
                })
            })?;
            let args = if self.config.invoke.is_some() {
                parse_args(&func.ty(&store).params, &self.config.args)?
            } else {
                Vec::new()
            };
            let globals = initial_globals(&module);
            let mut hook = Hook {
                core: &mut self.core,
                frontend,
                globals,
                pending_global: None,
                step: None,
                finish_arg0: None,
                control: Control::Run,
                stopped_on_trap: false,
                ticks: 0,
            };
            let r = func.call_debug(&mut store, &args, &mut hook);
            let control = hook.control.clone();
            if control == Control::Restart {
                continue;
            }
            return match r {
                Ok(vals) if self.config.invoke.is_some() => Ok(Outcome::Returned(vals)),
                Ok(_) => Ok(Outcome::Exited(0)),
                Err(Error::Trap(t)) if t.code == TrapCode::Exit => Ok(Outcome::Exited(t.exit_code.unwrap_or(0))),
                Err(Error::Trap(_)) if control == Control::Kill => Ok(Outcome::Killed),
                Err(Error::Trap(t)) => Ok(Outcome::Trapped(trap_message(&t))),
                Err(e) => Err(DebugError::Engine(e.to_string())),
            };
        }
    }
}

fn trap_message(t: &Trap) -> String {
    match (&t.code, &t.message) {
        (TrapCode::Host, Some(m)) => m.clone(),
        (c, Some(m)) => format!("{}: {m}", c.message()),
        (c, None) => c.message().to_string(),
    }
}

fn parse_args(params: &[ValType], args: &[String]) -> Result<Vec<Val>> {
    if params.len() != args.len() {
        return Err(DebugError::Syntax(format!(
            "the function takes {} argument(s), {} given",
            params.len(),
            args.len()
        )));
    }
    params
        .iter()
        .zip(args)
        .map(|(t, s)| {
            let bad = || DebugError::Syntax(format!("`{s}` is not a valid {t}"));
            let int = || crate::expr::parse_int(s).ok_or_else(bad);
            Ok(match t {
                ValType::I32 => Val::I32(int()? as i32),
                ValType::I64 => Val::I64(int()?),
                ValType::F32 => Val::F32(s.parse::<f32>().map_err(|_| bad())?.to_bits()),
                ValType::F64 => Val::F64(s.parse::<f64>().map_err(|_| bad())?.to_bits()),
                _ => return Err(bad()),
            })
        })
        .collect()
}

/// Values of the module's own globals from their initializers; imported ones unknown.
fn initial_globals(module: &Module) -> Vec<Option<Val>> {
    let syntax = module.syntax();
    let mut out: Vec<Option<Val>> = vec![None; syntax.num_imported_globals() as usize];
    for g in &syntax.globals {
        out.push(match g.init.instrs.first() {
            Some(Instr::I32Const(v)) => Some(Val::I32(*v)),
            Some(Instr::I64Const(v)) => Some(Val::I64(*v)),
            Some(Instr::F32Const(v)) => Some(Val::F32(*v)),
            Some(Instr::F64Const(v)) => Some(Val::F64(*v)),
            Some(Instr::V128Const(b)) => Some(Val::V128(u128::from_le_bytes(*b))),
            _ => None,
        });
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Control {
    Run,
    Kill,
    Restart,
}

struct Hook<'a> {
    core: &'a mut Core,
    frontend: &'a mut dyn Frontend,
    /// Globals tracked by watching `global.set` (the engine exposes only exported
    /// globals by handle).
    globals: Vec<Option<Val>>,
    /// A `global.set` seen before the last instruction: applied once it has executed.
    pending_global: Option<(u32, Val)>,
    step: Option<StepPlan>,
    /// For `finish`: the finishing frame's first wasm parameter (a possible `sret`).
    finish_arg0: Option<u64>,
    control: Control,
    stopped_on_trap: bool,
    /// Instructions since the last interrupt poll.
    ticks: u32,
}

/// Frame `i`'s operand stack as values: typed by the engine, or (if it cannot type them,
/// which a valid program does not make it do) each slot as an `i64`.
fn operand_vals(state: &DebugState<'_>, i: usize) -> Vec<Val> {
    state
        .operand_vals(i)
        .unwrap_or_else(|| state.operands(i).unwrap_or_default().iter().map(|s| Val::I64(*s as i64)).collect())
}

/// Snapshot of the paused program.
fn snapshot<'s>(state: &'s DebugState<'_>, globals: &[Option<Val>]) -> ProgramState<'s> {
    let mut frames = Vec::with_capacity(state.depth());
    for i in 0..state.depth() {
        let Some(f) = state.frame(i) else { break };
        frames.push(Frame {
            func: f.func,
            offset: f.offset,
            locals: state.locals(i).unwrap_or_default(),
            operands: operand_vals(state, i),
        });
    }
    let store = state.store();
    let memories: Vec<&[u8]> =
        state.frame(0).map(|f| f.instance.memories(store)).unwrap_or_default().iter().map(|m| m.data(store)).collect();
    let memory = memories.first().copied().unwrap_or(&[]);
    // Exported globals are read exactly; the others come from tracking.
    let mut globals = globals.to_vec();
    if let Some(f) = state.frame(0) {
        for e in f.module.exports() {
            if e.kind == wasmscope_engine::syntax::ExternKind::Global
                && let Some(g) = f.instance.global(store, &e.name)
                && let Some(slot) = globals.get_mut(e.index as usize)
            {
                *slot = Some(g.get(store));
            }
        }
    }
    ProgramState { frames, memory, memories, globals, store: Some(store) }
}

/// Writes `bytes` at `addr` in the paused program's memory 0 (as [`snapshot`] shows
/// it); nothing if it is out of range.
fn write_memory(state: &mut DebugState<'_>, addr: u64, bytes: &[u8]) {
    let Some(mem) = state.frame(0).and_then(|f| f.instance.memory_at(state.store(), 0)) else { return };
    let data = mem.data_mut(state.store_mut());
    let Ok(start) = usize::try_from(addr) else { return };
    if let Some(dst) = start.checked_add(bytes.len()).and_then(|end| data.get_mut(start..end)) {
        dst.copy_from_slice(bytes);
    }
}

impl Hook<'_> {
    fn stop(&mut self, state: &mut DebugState<'_>, stop: Stop) -> DebugControl {
        let resume = loop {
            let snap = snapshot(state, &self.globals);
            match self.frontend.stopped(self.core, &snap, &stop) {
                Resume::WriteMemory { addr, bytes } => write_memory(state, addr, &bytes),
                r => break r,
            }
        };
        self.step = None;
        match resume {
            Resume::Continue => DebugControl::Continue,
            Resume::Step(kind) => {
                // The frame `finish` leaves: 0, or the selected outer one.
                let out = match kind {
                    StepKind::FinishOut(n) => n,
                    _ => 0,
                };
                self.finish_arg0 = match kind {
                    StepKind::Finish | StepKind::FinishOut(_) => {
                        state.locals(out).and_then(|l| l.first().map(crate::state::val_bits))
                    }
                    _ => None,
                };
                if let Some(f) = state.frame(out) {
                    let depth = state.depth().saturating_sub(out);
                    self.step = Some(StepPlan::new(kind, &self.core.program, depth, f.func, f.offset));
                }
                DebugControl::Continue
            }
            Resume::Kill => {
                self.control = Control::Kill;
                DebugControl::Kill
            }
            Resume::Restart => {
                self.control = Control::Restart;
                DebugControl::Kill
            }
            // The loop above answers every write.
            Resume::WriteMemory { .. } => DebugControl::Continue,
        }
    }

    /// Evaluates a breakpoint condition; an error counts as true (gdb stops too).
    fn condition_holds(&mut self, state: &DebugState<'_>, cond: &str) -> bool {
        let snap = snapshot(state, &self.globals);
        crate::expr::eval_condition(&self.core.program, &snap, 0, cond).unwrap_or(true)
    }
}

impl DebugHook for Hook<'_> {
    fn before_instruction(&mut self, state: &mut DebugState<'_>) -> DebugControl {
        let Some(f) = state.frame(0) else { return DebugControl::Continue };
        let depth = state.depth();
        self.ticks += 1;
        if self.ticks >= INTERRUPT_POLL {
            self.ticks = 0;
            self.frontend.running(self.core);
            if self.frontend.interrupted() {
                return self.stop(state, Stop::Interrupted);
            }
        }
        if let Some((g, v)) = self.pending_global.take()
            && let Some(Some(slot)) = self.globals.get_mut(g as usize)
        {
            *slot = v;
        }
        // The value set is the top operand, of the global's type (known: only known
        // globals are tracked); decoded from the slots, as this runs at every `global.set`.
        if let Some(Instr::GlobalSet(g)) = self.core.program.instr_at(f.func, f.offset)
            && let Some(Some(old)) = self.globals.get(*g as usize)
            && let Some(top) = state.operands(0).and_then(|o| crate::state::val_from_top(old.ty(), o))
        {
            self.pending_global = Some((*g, top));
        }
        // Watchpoints: compare the watched bytes with what they were.
        if self.core.points.has_watches() {
            let mem = f.instance.memory_at(state.store(), 0).map(|m| m.data(state.store()));
            let mut hit = None;
            for p in self.core.points.list.iter_mut().filter(|p| p.enabled) {
                if let PointKind::Watch { addr, len, old, .. } = &mut p.kind {
                    let now = mem.and_then(|m| m.get(*addr as usize..(*addr + *len) as usize)).map(<[u8]>::to_vec);
                    match (old.as_ref(), now) {
                        (None, now) => *old = now,
                        (Some(o), Some(n)) if *o != n && hit.is_none() => {
                            hit = Some((p.id, o.clone(), n.clone()));
                            p.hits += 1;
                            *old = Some(n);
                        }
                        _ => {}
                    }
                }
            }
            if let Some((id, old, new)) = hit {
                return self.stop(state, Stop::Watchpoint { id, old, new });
            }
        }
        // Breakpoints.
        let ids = self.core.points.breaks_at(f.offset);
        for id in ids {
            let cond = self.core.points.get(id).and_then(|p| p.condition.clone());
            if let Some(c) = cond
                && !self.condition_holds(state, &c)
            {
                continue;
            }
            let (temporary, stops, log) = match self.core.points.get_mut(id) {
                Some(p) => {
                    p.hits += 1;
                    (p.temporary, p.hit_condition.is_none_or(|h| h.stops_at(p.hits)), p.log_message.clone())
                }
                None => (false, true, None),
            };
            if !stops {
                continue;
            }
            if let Some(message) = log {
                // A log point: say it and go on (a step in progress goes on too).
                let snap = snapshot(state, &self.globals);
                let text = crate::format::interpolate(&self.core.program, &snap, 0, &message);
                self.frontend.log_point(id, &text);
                continue;
            }
            if temporary {
                self.core.points.delete(id);
            }
            return self.stop(state, Stop::Breakpoint { id });
        }
        // Steps.
        if let Some(plan) = &mut self.step
            && let Some(done) = plan.check(&self.core.program, depth, f.func, f.offset)
        {
            let stop = match done {
                StepDone::Arrived => Stop::Step,
                StepDone::Returned { func } => {
                    let results = self.core.program.func_type(func).map_or(0, |t| t.results.len());
                    let ops = operand_vals(state, 0);
                    let values = ops[ops.len().saturating_sub(results)..].to_vec();
                    let ret_addr = if results == 0 { self.finish_arg0.map(|a| a & 0xffff_ffff) } else { None };
                    Stop::Finished { func, values, ret_addr }
                }
            };
            return self.stop(state, stop);
        }
        DebugControl::Continue
    }

    fn on_throw(&mut self, state: &mut DebugState<'_>, exn: wasmscope_engine::Exn) {
        if self.control != Control::Run {
            return;
        }
        let Some(&id) = self.core.points.catch_throws().first() else { return };
        if let Some(p) = self.core.points.list.iter_mut().find(|p| p.id == id) {
            p.hits += 1;
        }
        let description = exn.describe(state.store());
        // A kill takes effect at the next instruction (the handler's, or none if the
        // exception leaves the program).
        let _ = self.stop(state, Stop::Exception { id, description });
    }

    fn on_trap(&mut self, state: &mut DebugState<'_>, trap: &Trap) {
        if trap.code == TrapCode::Exit || self.control != Control::Run || self.stopped_on_trap {
            return;
        }
        self.stopped_on_trap = true;
        // The program cannot resume after a trap: whatever the frontend answers, it ends.
        let _ = self.stop(state, Stop::Trap { message: trap_message(trap) });
        if self.control == Control::Restart {
            return;
        }
        self.control = Control::Run;
    }
}
