//! The debug adapter: a session of the Debug Adapter Protocol (the DAP specification's
//! lifecycle: `initialize`, `launch`, configuration requests, `configurationDone`, the run
//! with its `stopped` / `output` events, `exited` and `terminated`, `disconnect`) over the
//! debugger core. The adapter is a [`Frontend`]: requests are answered from the paused
//! program inside [`Frontend::stopped`]; while it runs, [`Frontend::running`] applies
//! breakpoint changes and notices `pause` and `disconnect`.
//!
//! Stepping is the core's ([`StepKind`]); variables and memory are in
//! [`super::variables`] and [`super::memory`], breakpoints in [`super::breakpoints`].
//! A request the adapter does not know, or one that makes no sense now, gets a failed
//! response with a message; a malformed message an `output` event; a broken stream ends
//! the session.

use std::cell::RefCell;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::mpsc::{Receiver, TryRecvError};

use serde_json::{Value, json};
use wasmscope_engine::Tier;

use crate::dap::breakpoints::Table;
use crate::dap::protocol::{Incoming, Writer, spawn_reader};
use crate::dap::variables::Refs;
use crate::error::{DebugError, Result};
use crate::session::{Core, Frontend, Outcome, Resume, Session, SessionConfig, Stop};
use crate::state::ProgramState;
use crate::stepping::StepKind;

/// What the command line gave (`wasmscope debug --dap [OPTIONS] [FILE [ARGS]]`): the
/// defaults a `launch` request's arguments override.
#[derive(Clone, Default)]
pub struct Defaults {
    pub program: Option<PathBuf>,
    pub config: SessionConfig,
}

/// The exit code reported for a program that trapped (as `wasmscope run` exits).
const TRAP_EXIT: i64 = 134;

/// Requests this adapter answers (anything else is "unknown").
const KNOWN: &[&str] = &[
    "initialize",
    "launch",
    "attach",
    "setBreakpoints",
    "setFunctionBreakpoints",
    "setExceptionBreakpoints",
    "dataBreakpointInfo",
    "setDataBreakpoints",
    "configurationDone",
    "threads",
    "stackTrace",
    "scopes",
    "variables",
    "evaluate",
    "continue",
    "next",
    "stepIn",
    "stepOut",
    "pause",
    "readMemory",
    "writeMemory",
    "disassemble",
    "terminate",
    "disconnect",
];

fn capabilities() -> Value {
    json!({
        "supportsConfigurationDoneRequest": true,
        "supportsFunctionBreakpoints": true,
        "supportsConditionalBreakpoints": true,
        "supportsHitConditionalBreakpoints": true,
        "supportsLogPoints": true,
        "supportsEvaluateForHovers": true,
        "supportsReadMemoryRequest": true,
        "supportsWriteMemoryRequest": true,
        "supportsDisassembleRequest": true,
        "supportsDataBreakpoints": true,
        "supportsSteppingGranularity": true,
        "supportsTerminateRequest": true,
        "supportTerminateDebuggee": true,
        "exceptionBreakpointFilters": [
            { "filter": "trap", "label": "WebAssembly traps", "default": true,
              "description": "Stop where the program traps (unreachable, out of bounds, ...)" },
            { "filter": "throw", "label": "WebAssembly exceptions", "default": false,
              "description": "Stop where an exception is thrown, before it unwinds (catch throw)" }
        ],
    })
}

/// Keeps one `catch throw` catchpoint while the `throw` exception filter is on, none
/// while it is off.
fn sync_throw_point(on: bool, points: &mut crate::breakpoints::Points) {
    use crate::breakpoints::PointKind;
    let existing: Vec<u32> =
        points.list.iter().filter(|p| matches!(p.kind, PointKind::CatchThrow)).map(|p| p.id).collect();
    if on && existing.is_empty() {
        points.add(PointKind::CatchThrow, "throw".into(), "exception throw".into(), false);
    } else if !on {
        for id in existing {
            points.delete(id);
        }
    }
}

/// Runs one DAP session: requests from `input`, responses and events to `output`. Returns
/// the program's end, if it was run. `note` is told what the server's own log should say.
pub fn serve(
    input: Box<dyn Read + Send>,
    output: Box<dyn Write>,
    defaults: Defaults,
    note: &mut dyn FnMut(&str),
) -> Result<Option<Outcome>> {
    let writer = Rc::new(RefCell::new(Writer::new(output)));
    let mut a = Adapter {
        rx: spawn_reader(input),
        writer: writer.clone(),
        breaks: Table::default(),
        refs: Refs::default(),
        traps: true,
        throws: false,
        no_debug: false,
        entry: None,
        pause: false,
        terminating: false,
        gone: false,
        pending: None,
        notes: Vec::new(),
    };
    let mut session: Option<Session> = None;
    // Until configurationDone.
    loop {
        match a.next() {
            Incoming::Message(m) => match a.before_run(&mut session, &defaults, &m) {
                Flow::Stay => {}
                Flow::Run => break,
                Flow::Quit => return Ok(None),
            },
            Incoming::Malformed(e) => a.malformed(&e),
            Incoming::Fatal(e) => {
                note(&format!("dap: {e}; closing"));
                a.writer.borrow_mut().output("important", &format!("wasmscope: {e}; closing the session\n"));
                return Ok(None);
            }
            Incoming::Closed => return Ok(None),
        }
    }
    let Some(mut session) = session else { return Ok(None) };
    for (tag, slot) in [("stdout", &mut session.config.stdout), ("stderr", &mut session.config.stderr)] {
        *slot = Some(Rc::new(RefCell::new(OutputEvents { writer: writer.clone(), category: tag })));
    }
    // The program must not read the protocol's stream.
    session.config.stdin = Some(Rc::new(RefCell::new(std::io::empty())));
    let result = session.run(&mut a);
    for n in a.notes.drain(..) {
        note(&n);
    }
    let outcome = match result {
        Ok(o) => o,
        Err(e) => {
            a.writer.borrow_mut().output("stderr", &format!("{e}\n"));
            a.writer.borrow_mut().event("terminated", json!({}));
            return Err(e);
        }
    };
    let code = match &outcome {
        Outcome::Exited(c) => i64::from(*c),
        Outcome::Trapped(m) => {
            a.writer.borrow_mut().output("stderr", &format!("The program was terminated by a trap: {m}\n"));
            TRAP_EXIT
        }
        Outcome::Returned(v) => {
            let shown: Vec<String> = v.iter().map(crate::repl::show_val).collect();
            a.writer.borrow_mut().output("console", &format!("The function returned {}\n", shown.join(", ")));
            0
        }
        Outcome::Killed => 137,
    };
    a.writer.borrow_mut().event("exited", json!({ "exitCode": code }));
    a.writer.borrow_mut().event("terminated", json!({}));
    if !a.gone && !a.terminating {
        a.after_run();
    }
    Ok(Some(outcome))
}

enum Flow {
    Stay,
    Run,
    Quit,
}

struct Adapter {
    rx: Receiver<Incoming>,
    writer: Rc<RefCell<Writer>>,
    breaks: Table,
    refs: Refs,
    /// The `trap` exception filter is on.
    traps: bool,
    /// The `throw` exception filter: a `catch throw` catchpoint while it is on.
    throws: bool,
    /// `launch` with `noDebug` (an editor's "run without debugging"): never stop.
    no_debug: bool,
    /// `stopOnEntry`'s temporary breakpoint.
    entry: Option<u32>,
    /// `pause` arrived while running.
    pause: bool,
    /// `terminate` / `disconnect` was answered: kill the program.
    terminating: bool,
    /// The client is gone.
    gone: bool,
    /// A response to send at the next stop (a `writeMemory`, once the write is done).
    pending: Option<(Value, Value)>,
    notes: Vec<String>,
}

/// The program's stdout / stderr as `output` events.
struct OutputEvents {
    writer: Rc<RefCell<Writer>>,
    category: &'static str,
}

impl Write for OutputEvents {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.borrow_mut().output(self.category, &String::from_utf8_lossy(buf));
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn command(m: &Value) -> &str {
    m.get("command").and_then(Value::as_str).unwrap_or("")
}

fn arguments(m: &Value) -> Value {
    m.get("arguments").cloned().unwrap_or(json!({}))
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string)).collect())
        .unwrap_or_default()
}

/// The session a `launch` request asks for.
fn launch_config(defaults: &Defaults, args: &Value) -> Result<(PathBuf, SessionConfig, PathBuf)> {
    let cwd = match args.get("cwd").and_then(Value::as_str) {
        Some(c) => PathBuf::from(c),
        None => std::env::current_dir().map_err(|e| DebugError::Load(format!("no working directory: {e}")))?,
    };
    let at = |p: &str| if Path::new(p).is_absolute() { PathBuf::from(p) } else { cwd.join(p) };
    let program = match args.get("program").and_then(Value::as_str) {
        Some(p) => at(p),
        None => defaults
            .program
            .clone()
            .ok_or_else(|| DebugError::Load("launch: `program` (the .wasm file) is required".into()))?,
    };
    let mut config = defaults.config.clone();
    if args.get("args").is_some() {
        config.args = strings(args.get("args"));
    }
    if let Some(env) = args.get("env").and_then(Value::as_object) {
        for (k, v) in env {
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            config.env.retain(|(key, _)| key != k);
            config.env.push((k.clone(), v));
        }
    }
    for spec in args.get("preopens").and_then(Value::as_array).into_iter().flatten() {
        let (host, guest) = match spec {
            Value::String(s) => match s.split_once("::") {
                Some((h, g)) => (h.to_string(), g.to_string()),
                None => (s.clone(), s.clone()),
            },
            Value::Object(o) => {
                let host = o.get("host").and_then(Value::as_str).unwrap_or("").to_string();
                let guest = o.get("guest").and_then(Value::as_str).map_or_else(|| host.clone(), str::to_string);
                (host, guest)
            }
            _ => (String::new(), String::new()),
        };
        if host.is_empty() || guest.is_empty() {
            return Err(DebugError::Load(format!("launch: preopen {spec}: expected \"HOST[::GUEST]\"")));
        }
        config.dirs.push((at(&host).display().to_string(), guest));
    }
    if let Some(t) = args.get("tier").and_then(Value::as_str) {
        config.tier = Tier::from_name(t).ok_or_else(|| DebugError::Load(format!("launch: unknown tier `{t}`")))?;
    }
    if let Some(i) = args.get("invoke").and_then(Value::as_str) {
        config.invoke = Some(i.to_string());
    }
    if let Some(f) = args.get("fuel").and_then(Value::as_u64) {
        config.fuel = Some(f);
    }
    Ok((program, config, cwd))
}

impl Adapter {
    fn next(&mut self) -> Incoming {
        self.rx.recv().unwrap_or(Incoming::Closed)
    }

    fn ok(&self, m: &Value, body: Value) {
        self.writer.borrow_mut().ok(m, body);
    }

    fn fail(&self, m: &Value, message: &str) {
        self.writer.borrow_mut().fail(m, message);
    }

    fn reply(&self, m: &Value, r: Result<Value>) {
        match r {
            Ok(body) => self.ok(m, body),
            Err(e) => self.fail(m, &e.to_string()),
        }
    }

    fn malformed(&mut self, e: &str) {
        self.notes.push(format!("dap: ignored a malformed message: {e}"));
        self.writer.borrow_mut().output("important", &format!("wasmscope: ignored a malformed message: {e}\n"));
    }

    fn unknown_or_not_now(&self, m: &Value, when: &str) {
        let c = command(m);
        if m.get("type").and_then(Value::as_str) != Some("request") {
            return;
        }
        if KNOWN.contains(&c) {
            self.fail(m, &format!("`{c}` cannot be done {when}"));
        } else {
            self.fail(m, &format!("unknown request `{c}`"));
        }
    }

    fn set_exceptions(&mut self, m: &Value, points: Option<&mut crate::breakpoints::Points>) {
        let filters = strings(arguments(m).get("filters"));
        self.traps = filters.iter().any(|f| f == "trap");
        self.throws = filters.iter().any(|f| f == "throw");
        if let Some(points) = points {
            sync_throw_point(self.throws, points);
        }
        let bps: Vec<Value> = filters.iter().map(|_| json!({ "verified": true })).collect();
        self.ok(m, json!({ "breakpoints": bps }));
    }

    /// Requests before the program runs.
    fn before_run(&mut self, session: &mut Option<Session>, defaults: &Defaults, m: &Value) -> Flow {
        match command(m) {
            "initialize" => self.ok(m, capabilities()),
            "launch" => {
                if session.is_some() {
                    self.fail(m, "the program is already launched");
                    return Flow::Stay;
                }
                let args = arguments(m);
                match launch_config(defaults, &args).and_then(|(program, config, cwd)| {
                    let mut s = Session::load(&program, config)?;
                    s.entry()?;
                    s.core.program.source_dirs.push(cwd);
                    Ok(s)
                }) {
                    Ok(mut s) => {
                        self.no_debug = args.get("noDebug").and_then(Value::as_bool) == Some(true);
                        if args.get("stopOnEntry").and_then(Value::as_bool) == Some(true) {
                            self.entry = s.entry_offset().map(|o| {
                                s.core.points.add(
                                    crate::breakpoints::PointKind::Break { offsets: vec![o] },
                                    "<entry>".into(),
                                    String::new(),
                                    true,
                                )
                            });
                        }
                        sync_throw_point(self.throws, &mut s.core.points);
                        *session = Some(s);
                        self.ok(m, json!({}));
                        self.writer.borrow_mut().event("initialized", json!({}));
                    }
                    Err(e) => self.fail(m, &e.to_string()),
                }
            }
            "attach" => self.fail(m, "attach is not supported: use launch"),
            "setBreakpoints" | "setFunctionBreakpoints" if session.is_none() => {
                self.fail(m, "launch the program first")
            }
            "setBreakpoints" => {
                if let Some(s) = session {
                    let body = self.breaks.set_source(&mut s.core, &arguments(m));
                    self.ok(m, body);
                }
            }
            "setFunctionBreakpoints" => {
                if let Some(s) = session {
                    let body = self.breaks.set_functions(&mut s.core, &arguments(m));
                    self.ok(m, body);
                }
            }
            "setExceptionBreakpoints" => self.set_exceptions(m, session.as_mut().map(|s| &mut s.core.points)),
            "setDataBreakpoints" => match session {
                Some(s) => {
                    let body = self.breaks.set_data(&mut s.core, None, &arguments(m));
                    self.ok(m, body);
                }
                None => self.fail(m, "launch the program first"),
            },
            "configurationDone" if session.is_none() => self.fail(m, "launch the program first"),
            "configurationDone" => {
                self.ok(m, json!({}));
                return Flow::Run;
            }
            "threads" => self.ok(m, json!({ "threads": [] })),
            "disconnect" | "terminate" => {
                self.ok(m, json!({}));
                return Flow::Quit;
            }
            _ => self.unknown_or_not_now(m, "before the program runs"),
        }
        Flow::Stay
    }

    /// Requests after the program ended: until `disconnect` or the end of the stream.
    fn after_run(&mut self) {
        loop {
            match self.next() {
                Incoming::Message(m) => match command(&m) {
                    "disconnect" | "terminate" => {
                        self.ok(&m, json!({}));
                        return;
                    }
                    "threads" => self.ok(&m, json!({ "threads": [] })),
                    _ => self.unknown_or_not_now(&m, "after the program ended"),
                },
                Incoming::Malformed(e) => self.malformed(&e),
                Incoming::Fatal(_) | Incoming::Closed => return,
            }
        }
    }

    /// A request while the program runs (only those that need no paused program).
    fn while_running(&mut self, core: &mut Core, m: &Value) {
        match command(m) {
            "pause" => {
                self.pause = true;
                self.ok(m, json!({}));
            }
            "setBreakpoints" => {
                let body = self.breaks.set_source(core, &arguments(m));
                self.ok(m, body);
            }
            "setFunctionBreakpoints" => {
                let body = self.breaks.set_functions(core, &arguments(m));
                self.ok(m, body);
            }
            "setExceptionBreakpoints" => self.set_exceptions(m, Some(&mut core.points)),
            "setDataBreakpoints" => {
                let body = self.breaks.set_data(core, None, &arguments(m));
                self.ok(m, body);
            }
            "threads" => self.ok(m, json!({ "threads": [{ "id": 1, "name": "main" }] })),
            "disconnect" | "terminate" => {
                self.terminating = true;
                self.ok(m, json!({}));
            }
            _ => self.unknown_or_not_now(m, "while the program runs (pause it first)"),
        }
    }

    /// The `stopped` event for `stop`; `None` if this stop is not shown (a trap with the
    /// trap filter off).
    fn stopped_event(&mut self, stop: &Stop) -> Option<Value> {
        Some(match stop {
            Stop::Breakpoint { id } if Some(*id) == self.entry => json!({ "reason": "entry" }),
            Stop::Breakpoint { id } => json!({
                "reason": if self.breaks.is_function(*id) { "function breakpoint" } else { "breakpoint" },
                "hitBreakpointIds": [id],
            }),
            Stop::Step | Stop::Finished { .. } => json!({ "reason": "step" }),
            Stop::Watchpoint { id, .. } => json!({ "reason": "data breakpoint", "hitBreakpointIds": [id] }),
            Stop::Trap { message } => {
                if !self.traps {
                    return None;
                }
                json!({ "reason": "exception", "description": "Paused on a trap", "text": message })
            }
            Stop::Exception { id, description } => json!({
                "reason": "exception",
                "description": "Paused on a thrown exception",
                "text": description,
                "hitBreakpointIds": [id],
            }),
            Stop::Interrupted => {
                self.pause = false;
                json!({ "reason": "pause" })
            }
        })
    }

    /// A request while the program is paused: `Some` resumes it.
    fn while_stopped(&mut self, core: &mut Core, state: &ProgramState<'_>, m: &Value) -> Option<Resume> {
        let args = arguments(m);
        let instr = args.get("granularity").and_then(Value::as_str) == Some("instruction");
        match command(m) {
            "continue" => {
                self.ok(m, json!({ "allThreadsContinued": true }));
                return Some(Resume::Continue);
            }
            "next" => {
                self.ok(m, json!({}));
                return Some(Resume::Step(if instr { StepKind::InstrOver } else { StepKind::LineOver }));
            }
            "stepIn" => {
                self.ok(m, json!({}));
                return Some(Resume::Step(if instr { StepKind::Instr } else { StepKind::Line }));
            }
            "stepOut" => {
                if state.frames.len() <= 1 {
                    self.fail(m, "the outermost frame has no caller to return to");
                    return None;
                }
                self.ok(m, json!({}));
                return Some(Resume::Step(StepKind::Finish));
            }
            "pause" => self.ok(m, json!({})),
            "threads" => self.ok(m, json!({ "threads": [{ "id": 1, "name": "main" }] })),
            "stackTrace" => {
                let body = self.refs.stack_trace(core, state, &args);
                self.ok(m, body);
            }
            "scopes" => {
                let r = self.refs.scopes(state, &args);
                self.reply(m, r);
            }
            "variables" => {
                let r = self.refs.variables(core, state, &args);
                self.reply(m, r);
            }
            "evaluate" => {
                let r = self.refs.evaluate(core, state, &args);
                let line = args.get("expression").and_then(Value::as_str).unwrap_or("");
                let console = args.get("context").and_then(Value::as_str) == Some("repl");
                let r = match r {
                    Err(_) if console && super::console::is_command(line) => {
                        super::variables::frame_index(state, &args)
                            .and_then(|frame| super::console::run(core, state, frame, line))
                            .map(|text| json!({ "result": text, "variablesReference": 0 }))
                    }
                    r => r,
                };
                self.reply(m, r);
            }
            "readMemory" => self.reply(m, super::memory::read(state, &args)),
            "writeMemory" => match super::memory::write(state, &args) {
                Ok((addr, bytes)) => {
                    // Answered when the core has written and reports the stop again.
                    self.pending = Some((m.clone(), json!({ "bytesWritten": bytes.len() })));
                    return Some(Resume::WriteMemory { addr, bytes });
                }
                Err(e) => self.fail(m, &e.to_string()),
            },
            "disassemble" => self.reply(m, super::memory::disassemble(core, &args)),
            "setBreakpoints" => {
                let body = self.breaks.set_source(core, &args);
                self.ok(m, body);
            }
            "setFunctionBreakpoints" => {
                let body = self.breaks.set_functions(core, &args);
                self.ok(m, body);
            }
            "setExceptionBreakpoints" => self.set_exceptions(m, Some(&mut core.points)),
            "dataBreakpointInfo" => {
                let r = self.refs.data_info(core, state, &args);
                self.reply(m, r);
            }
            "setDataBreakpoints" => {
                let body = self.breaks.set_data(core, Some(state), &args);
                self.ok(m, body);
            }
            "disconnect" | "terminate" => {
                self.terminating = true;
                self.ok(m, json!({}));
                return Some(Resume::Kill);
            }
            _ => self.unknown_or_not_now(m, "now"),
        }
        None
    }
}

impl Frontend for Adapter {
    fn stopped(&mut self, core: &mut Core, state: &ProgramState<'_>, stop: &Stop) -> Resume {
        if self.gone || self.terminating {
            return Resume::Kill;
        }
        if self.no_debug && self.pending.is_none() && !self.pause {
            return Resume::Continue;
        }
        if let Some((m, body)) = self.pending.take() {
            // Back after a memory write: answer it; the program stays where it was.
            self.ok(&m, body);
        } else {
            let Some(mut event) = self.stopped_event(stop) else { return Resume::Continue };
            event["threadId"] = json!(1);
            event["allThreadsStopped"] = json!(true);
            self.refs.clear();
            self.writer.borrow_mut().event("stopped", event);
        }
        loop {
            match self.next() {
                Incoming::Message(m) => {
                    if let Some(r) = self.while_stopped(core, state, &m) {
                        return r;
                    }
                }
                Incoming::Malformed(e) => self.malformed(&e),
                Incoming::Fatal(e) => {
                    self.notes.push(format!("dap: {e}; killing the program"));
                    self.gone = true;
                    return Resume::Kill;
                }
                Incoming::Closed => {
                    self.notes.push("dap: the client disconnected; killing the program".into());
                    self.gone = true;
                    return Resume::Kill;
                }
            }
        }
    }

    fn running(&mut self, core: &mut Core) {
        loop {
            match self.rx.try_recv() {
                Ok(Incoming::Message(m)) => self.while_running(core, &m),
                Ok(Incoming::Malformed(e)) => self.malformed(&e),
                Ok(Incoming::Fatal(_) | Incoming::Closed) | Err(TryRecvError::Disconnected) => {
                    self.gone = true;
                    return;
                }
                Err(TryRecvError::Empty) => return,
            }
        }
    }

    fn interrupted(&mut self) -> bool {
        self.pause || self.terminating || self.gone
    }

    fn log_point(&mut self, _id: u32, text: &str) {
        self.writer.borrow_mut().output("console", &format!("{text}\n"));
    }
}
