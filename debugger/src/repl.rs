//! The line-mode front end: reads gdb-style commands (rustyline with history and
//! completion, plain lines when stdin is not a terminal, or a `--batch` script), runs
//! them against a [`Session`], and prints what the debugger has to say.
//!
//! In batch mode each command is echoed after the prompt, so the output is a transcript,
//! and the program's own output appears on lines prefixed `[stdout] ` / `[stderr] `.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use crate::breakpoints::PointKind;
use crate::commands::{self, LocSpec};
use crate::error::{DebugError, Result};
use crate::expr::{Ctx, Loc, Value};
use crate::format::{FormatOpts, disassemble, examine, format_value, format_value_with};
use crate::frames::{VFrame, virtual_frames};
use crate::session::{Core, Frontend, Outcome, Resume, Session, Stop};
use crate::state::ProgramState;
use crate::stepping::StepKind;

pub const PROMPT: &str = "(wdb) ";

/// Where debugger text and (prefixed) program output go, in order.
pub struct Output {
    out: Box<dyn Write>,
    /// Prefix program output lines (batch transcripts).
    prefix: bool,
    /// The last program output did not end its line.
    mid_line: bool,
}

impl Output {
    pub fn new(out: Box<dyn Write>, prefix: bool) -> Rc<RefCell<Output>> {
        Rc::new(RefCell::new(Output { out, prefix, mid_line: false }))
    }

    pub fn line(&mut self, s: &str) {
        if self.mid_line {
            let _ = self.out.write_all(b"\n");
            self.mid_line = false;
        }
        let _ = writeln!(self.out, "{s}");
        let _ = self.out.flush();
    }

    fn program(&mut self, tag: &str, bytes: &[u8]) {
        if !self.prefix {
            let _ = self.out.write_all(bytes);
            let _ = self.out.flush();
            return;
        }
        for chunk in bytes.split_inclusive(|&b| b == b'\n') {
            if !self.mid_line {
                let _ = write!(self.out, "[{tag}] ");
            }
            let _ = self.out.write_all(chunk);
            self.mid_line = !chunk.ends_with(b"\n");
        }
        let _ = self.out.flush();
    }
}

/// The program's stdout or stderr, written into the shared [`Output`].
pub struct ProgramWriter {
    pub out: Rc<RefCell<Output>>,
    pub tag: &'static str,
}

impl Write for ProgramWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.borrow_mut().program(self.tag, buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Where commands come from.
pub enum Input {
    /// A script; each command is echoed after the prompt.
    Batch(std::vec::IntoIter<String>),
    /// Lines from a non-terminal stdin.
    Lines,
    /// rustyline.
    Editor(Box<rustyline::Editor<Completer, rustyline::history::DefaultHistory>>),
}

/// Tab completion of commands, function names and file names.
pub struct Completer {
    words: Vec<String>,
}

impl rustyline::completion::Completer for Completer {
    type Candidate = String;
    fn complete(&self, line: &str, pos: usize, _: &rustyline::Context<'_>) -> rustyline::Result<(usize, Vec<String>)> {
        let start = line[..pos].rfind([' ', ':']).map_or(0, |i| i + 1);
        let word = &line[start..pos];
        let pool: Vec<String> =
            if start == 0 { commands::COMMANDS.iter().map(|c| c.0.to_string()).collect() } else { self.words.clone() };
        Ok((start, pool.into_iter().filter(|w| w.starts_with(word)).collect()))
    }
}
impl rustyline::hint::Hinter for Completer {
    type Hint = String;
}
impl rustyline::highlight::Highlighter for Completer {}
impl rustyline::validate::Validator for Completer {}
impl rustyline::Helper for Completer {}

/// What a command asks the front end to do (see [`Repl::execute`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Nothing: the command printed what it had to say.
    None,
    /// Start the program (it is not running).
    Run,
    /// Answer the current stop with this.
    Resume(Resume),
    /// Leave the debugger.
    Quit,
}

/// The REPL: a [`Frontend`] that asks the user what to do at each stop.
pub struct Repl {
    pub out: Rc<RefCell<Output>>,
    input: Input,
    /// The selected wasm frame (index into [`ProgramState::frames`]).
    selected: usize,
    /// The selected view of it: how many inlined calls out from the innermost.
    level: usize,
    /// The selected virtual frame (index into [`crate::frames::virtual_frames`]).
    vsel: usize,
    /// Inlined calls hidden at this stop (gdb shows a stop where they begin at their call
    /// site; `step` enters them).
    hidden: usize,
    values: u32,
    list_at: Option<(String, u32)>,
    /// (function, depth, inlined calls shown) at the last stop: a new one prints the frame.
    last_frame: Option<(u32, usize, usize)>,
    quit: bool,
    /// Remaining repetitions of `step N` / `next N`.
    pending_steps: Option<(&'static str, u32)>,
    /// The program's last end, for the exit status.
    pub last_outcome: Option<Outcome>,
}

impl Repl {
    pub fn new(out: Rc<RefCell<Output>>, input: Input) -> Repl {
        Repl {
            out,
            input,
            selected: 0,
            level: 0,
            vsel: 0,
            hidden: 0,
            values: 0,
            list_at: None,
            last_frame: None,
            quit: false,
            pending_steps: None,
            last_outcome: None,
        }
    }

    /// A rustyline editor completing commands, `words` (functions, files).
    pub fn editor(words: Vec<String>) -> Result<Input> {
        let mut ed = rustyline::Editor::<Completer, rustyline::history::DefaultHistory>::new()
            .map_err(|e| DebugError::Engine(format!("cannot start the line editor: {e}")))?;
        ed.set_helper(Some(Completer { words }));
        Ok(Input::Editor(Box::new(ed)))
    }

    fn say(&self, s: impl AsRef<str>) {
        let mut o = self.out.borrow_mut();
        for l in s.as_ref().lines() {
            o.line(l);
        }
        if s.as_ref().is_empty() {
            o.line("");
        }
    }

    fn read(&mut self) -> Option<String> {
        match &mut self.input {
            Input::Batch(it) => {
                let l = it.next()?;
                self.out.borrow_mut().line(&format!("{PROMPT}{l}"));
                Some(l)
            }
            Input::Lines => {
                let mut s = String::new();
                match std::io::stdin().read_line(&mut s) {
                    Ok(0) | Err(_) => None,
                    Ok(_) => Some(s.trim_end().to_string()),
                }
            }
            Input::Editor(ed) => match ed.readline(PROMPT) {
                Ok(l) => {
                    let _ = ed.add_history_entry(l.as_str());
                    Some(l)
                }
                Err(_) => None,
            },
        }
    }

    /// Runs commands until `quit` or the end of input.
    pub fn main_loop(&mut self, session: &mut Session) {
        while !self.quit {
            let Some(line) = self.read() else { break };
            match self.exec(&mut session.core, None, &line) {
                Ok(Action::Run) => self.run(session),
                Ok(Action::Quit) => break,
                Ok(Action::Resume(_)) => self.say("The program is not being run."),
                Ok(Action::None) => {}
                Err(e) => self.say(e.to_string()),
            }
        }
    }

    fn run(&mut self, session: &mut Session) {
        self.last_frame = None;
        match session.run(self) {
            Ok(o) => self.report_outcome(&o),
            Err(e) => self.say(e.to_string()),
        }
    }

    /// The selected frame (`frame`, `up`, `down`), innermost = 0.
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// Runs one command line (any REPL command) and says what the front end should do.
    /// Its text goes to this REPL's [`Output`]. Other front ends (the TUI) use this so
    /// every command behaves exactly as in the REPL.
    pub fn execute(&mut self, core: &mut Core, state: Option<&ProgramState<'_>>, line: &str) -> Result<Action> {
        self.exec(core, state, line)
    }

    /// For a stop that ends one of a repeated `step N` / `next N`: the next step to take
    /// without asking (`None`: the repetition is over, or there is none).
    pub fn pending_step(&mut self, stop: &Stop) -> Option<Resume> {
        if let (Stop::Step, Some((cmd, n))) = (stop, self.pending_steps.take()) {
            if n > 1 {
                self.pending_steps = Some((cmd, n - 1));
            }
            let kind = match cmd {
                "step" => StepKind::Line,
                "next" => StepKind::LineOver,
                "stepi" => StepKind::Instr,
                _ => StepKind::InstrOver,
            };
            return Some(Resume::Step(kind));
        }
        self.pending_steps = None;
        None
    }

    /// Says what the REPL prints when it has finished a run (`[program exited normally]`).
    pub fn report_outcome(&mut self, outcome: &Outcome) {
        self.say(match outcome {
            Outcome::Exited(0) => "[program exited normally]".to_string(),
            Outcome::Exited(c) => format!("[program exited with code {c}]"),
            Outcome::Returned(v) => {
                format!("[function returned {}]", v.iter().map(show_val).collect::<Vec<_>>().join(", "))
            }
            Outcome::Trapped(m) => format!("[program terminated by a trap: {m}]"),
            Outcome::Killed => "[program killed]".to_string(),
        });
        self.last_outcome = Some(outcome.clone());
    }

    fn ctx<'a>(&self, core: &'a Core, state: &'a ProgramState<'a>) -> Ctx<'a> {
        Ctx { program: &core.program, state, frame: self.selected, level: self.level }
    }

    /// The selected view of the selected frame (see [`crate::frames`]).
    pub fn selected_level(&self) -> usize {
        self.level
    }

    /// The selected virtual frame: the number `frame N` takes and `bt` shows.
    pub fn selected_vframe(&self) -> usize {
        self.vsel
    }

    /// `#N  name (args) at file:line` for every virtual frame, innermost first (a call
    /// stack list for other front ends; `frame N` selects line N).
    pub fn frame_lines(&self, core: &Core, state: &ProgramState<'_>) -> Vec<String> {
        self.vframes(core, state)
            .into_iter()
            .enumerate()
            .map(|(i, vf)| format!("#{i:<2} {}", self.vframe_desc(core, state, vf)))
            .collect()
    }

    fn vframes(&self, core: &Core, state: &ProgramState<'_>) -> Vec<VFrame> {
        virtual_frames(&core.program, state, self.hidden)
    }

    /// Selects virtual frame `i`.
    fn select(&mut self, vf: VFrame, i: usize) {
        self.vsel = i;
        self.selected = vf.wasm;
        self.level = vf.level;
    }

    /// `name (a=1, b=2) at file:line` of wasm frame `i` (its innermost view).
    pub fn frame_desc(&self, core: &Core, state: &ProgramState<'_>, i: usize) -> String {
        match self.vframes(core, state).into_iter().find(|v| v.wasm == i) {
            Some(vf) => self.vframe_desc(core, state, vf),
            None => "??".into(),
        }
    }

    /// `name (a=1, b=2) at file:line` of a virtual frame.
    fn vframe_desc(&self, core: &Core, state: &ProgramState<'_>, vf: VFrame) -> String {
        let i = vf.wasm;
        let Some(f) = state.frames.get(i) else { return "??".into() };
        let p = &core.program;
        let pc = p.code_addr(f.offset);
        let chain = crate::frames::chain(p, state, i);
        let inl = chain.as_ref().and_then(|(_, c)| crate::frames::inlined_at_level(c, vf.level));
        let name = inl.map_or_else(|| p.func_name(f.func), |x| x.name.clone());
        let ctx = Ctx { program: p, state, frame: i, level: vf.level };
        let args = match p.dwarf.as_ref().and_then(|d| d.function_at(pc)) {
            Some(df) => crate::dwarf::vars::params_of(df.vars_at_level(pc, vf.level))
                .into_iter()
                .map(|v| {
                    let val = ctx.var(&v.name).map_or_else(
                        |e| format!("<{e}>"),
                        |x| {
                            // gdb's `print frame-arguments scalars`: aggregates are `...`.
                            if x.loc == Loc::OptimizedOut || crate::lang::rust::is_scalar_display(&ctx, x.ty) {
                                format_value(&ctx, &x, false)
                            } else {
                                "...".to_string()
                            }
                        },
                    );
                    format!("{}={val}", v.name)
                })
                .collect::<Vec<_>>(),
            None => {
                let n = p.func_type(f.func).map_or(0, |t| t.params.len());
                f.locals.iter().take(n).map(show_val).collect()
            }
        };
        let at = match self.view_line(core, state, vf) {
            Some((path, line)) => format!(" at {}:{line}", short(&path)),
            None if i == 0 => format!(" at {:#x}", f.offset),
            None => String::new(),
        };
        format!("{name} ({}){at}", args.join(", "))
    }

    /// The source position of a virtual frame: the pc's line for the innermost view, the
    /// call site of the inlined call it contains for the others.
    fn view_line(&self, core: &Core, state: &ProgramState<'_>, vf: VFrame) -> Option<(String, u32)> {
        let p = &core.program;
        let f = state.frames.get(vf.wasm)?;
        if vf.level == 0 {
            return p.line_at(f.offset).map(|l| (l.path, l.line));
        }
        let (_, chain) = crate::frames::chain(p, state, vf.wasm)?;
        let inner = crate::frames::inlined_at_level(&chain, vf.level - 1)?;
        let path = inner.call_file.clone().or_else(|| p.line_at(f.offset).map(|l| l.path))?;
        Some((path, inner.call_line))
    }

    /// The source line (or instruction) at wasm frame `i`'s selected view.
    fn where_line(&self, core: &Core, state: &ProgramState<'_>, i: usize) -> String {
        let vfs = self.vframes(core, state);
        let vf = match vfs.get(self.vsel).filter(|v| v.wasm == i) {
            Some(v) => *v,
            None => vfs.iter().find(|v| v.wasm == i).copied().unwrap_or(VFrame { wasm: i, level: 0, levels: 0 }),
        };
        self.vwhere_line(core, state, vf)
    }

    fn vwhere_line(&self, core: &Core, state: &ProgramState<'_>, vf: VFrame) -> String {
        let i = vf.wasm;
        let Some(f) = state.frames.get(i) else { return String::new() };
        let p = &core.program;
        match self.view_line(core, state, vf) {
            Some((path, line)) => match p.source_line(&path, line) {
                Some(src) => format!("{line}\t{src}"),
                None => format!("{line}\tin {path}"),
            },
            None => {
                let ins = p.instr_at(f.func, f.offset).map(|i| i.to_string()).unwrap_or_default();
                format!("=> {:#08x}:  {ins}", f.offset)
            }
        }
    }

    /// Says what the REPL prints at a stop (`Breakpoint 1, main (...) at prog.c:41` and
    /// the line); selects frame 0.
    pub fn report_stop(&mut self, core: &Core, state: &ProgramState<'_>, stop: &Stop) {
        let Some(f) = state.frames.first() else { return };
        // A breakpoint on an inlined function stops in it; other stops where inlined calls
        // begin show their call site (gdb).
        let keep = match stop {
            Stop::Breakpoint { id } => core.points.get(*id).map(|p| p.spec.clone()),
            _ => None,
        };
        self.hidden = crate::frames::hidden_at_stop(&core.program, state, keep.as_deref());
        let vfs = self.vframes(core, state);
        if let Some(vf) = vfs.first() {
            self.select(*vf, 0);
        }
        let here = (f.func, state.frames.len(), vfs.first().map_or(0, |v| v.levels - v.level));
        let moved = self.last_frame != Some(here);
        self.last_frame = Some(here);
        if let Some(l) = core.program.line_at(f.offset) {
            self.list_at = Some((l.path, l.line.saturating_sub(5).max(1)));
        }
        match stop {
            Stop::Breakpoint { id } => {
                self.say("");
                self.say(format!("Breakpoint {id}, {}", self.frame_desc(core, state, 0)));
            }
            Stop::Step => {
                if moved {
                    self.say(self.frame_desc(core, state, 0));
                }
            }
            Stop::Finished { func, values, ret_addr } => {
                // gdb: "Run till exit from #0 ..." when finish starts (said by the command),
                // then the caller, with the pc when it is inside a line.
                if !core.program.is_stmt_start(f.func, f.offset) && core.program.line_at(f.offset).is_some() {
                    self.say(format!("{:#010x} in {}", f.offset, self.frame_desc(core, state, 0)));
                } else {
                    self.say(self.frame_desc(core, state, 0));
                }
                self.say(self.where_line(core, state, 0));
                let p = &core.program;
                let ret = p.dwarf_function(*func).map(|df| df.ret);
                for v in values {
                    self.values += 1;
                    let shown = match ret {
                        Some(Some(ty)) => {
                            let ctx = self.ctx(core, state);
                            let bytes = crate::state::val_bytes(v);
                            format_value(&ctx, &Value { ty: Some(ty), loc: Loc::Bytes(bytes) }, true)
                        }
                        _ => show_val(v),
                    };
                    self.say(format!("Value returned is ${} = {shown}", self.values));
                }
                // An aggregate returned in memory: DWARF gives a sized return type, wasm no
                // result, so the function wrote it through its `sret` pointer.
                if values.is_empty()
                    && let (Some(Some(ty)), Some(addr)) = (ret, ret_addr)
                    && p.types.borrow().size_of(Some(ty)) > 0
                {
                    self.values += 1;
                    let ctx = self.ctx(core, state);
                    let shown = format_value(&ctx, &Value { ty: Some(ty), loc: Loc::Memory(*addr) }, true);
                    self.say(format!("Value returned is ${} = {shown}", self.values));
                }
                return;
            }
            Stop::Watchpoint { id, old, new } => {
                let (spec, ty) = match core.points.get(*id) {
                    Some(p) => (p.spec.clone(), if let PointKind::Watch { ty, .. } = p.kind { ty } else { None }),
                    None => (String::new(), None),
                };
                let ctx = self.ctx(core, state);
                let show = |b: &Vec<u8>| match ty {
                    Some(_) => format_value(&ctx, &Value { ty, loc: Loc::Bytes(b.clone()) }, true),
                    None => b.iter().map(|x| format!("{x:02x}")).collect::<Vec<_>>().join(" "),
                };
                self.say("");
                self.say(format!("Watchpoint {id}: {spec}"));
                self.say("");
                self.say(format!("Old value = {}", show(old)));
                self.say(format!("New value = {}", show(new)));
                self.say(self.frame_desc(core, state, 0));
            }
            Stop::Trap { message } => {
                self.say("");
                self.say(format!("Program stopped by a trap: {message}"));
                self.say(self.frame_desc(core, state, 0));
            }
            Stop::Exception { id, description } => {
                self.say("");
                self.say(format!("Catchpoint {id} (exception thrown), {description}"));
                self.say(self.frame_desc(core, state, 0));
            }
            Stop::Interrupted => {
                self.say("");
                self.say("Program interrupted.");
                self.say(self.frame_desc(core, state, 0));
            }
        }
        let line = self.where_line(core, state, 0);
        // Mid-line (after stepi/nexti), gdb shows the pc before the line.
        if core.program.line_at(f.offset).is_some() && !core.program.is_stmt_start(f.func, f.offset) {
            self.say(format!("{:#010x}\t{line}", f.offset));
        } else {
            self.say(line);
        }
    }

    fn ids(arg: &str) -> Result<Vec<u32>> {
        arg.split_whitespace()
            .map(|w| {
                w.parse::<u32>().map_err(|_| {
                    DebugError::Syntax(format!(
                        "Convenience variable must have integer value.\nBad breakpoint argument: '{w}'"
                    ))
                })
            })
            .collect()
    }

    fn add_break(
        &mut self,
        core: &mut Core,
        state: Option<&ProgramState<'_>>,
        arg: &str,
        temporary: bool,
    ) -> Result<()> {
        let (loc, cond) = match arg.split_once(" if ") {
            Some((l, c)) => (l.trim(), Some(c.trim().to_string())),
            None => (arg.trim(), None),
        };
        if let Some(c) = &cond {
            crate::expr::parse(c)?;
        }
        let p = &core.program;
        let default_file =
            state.and_then(|s| s.frames.get(self.selected)).and_then(|f| p.line_at(f.offset)).map(|l| l.file).or_else(
                || {
                    let main = p.find_funcs("main").first().copied()?;
                    p.line_at(p.func_entry(main)?).map(|l| l.file)
                },
            );
        let (offsets, desc) = match commands::parse_location(loc)? {
            LocSpec::Func(name) => {
                let funcs = p.find_funcs(&name);
                // Its out-of-line copy and every copy inlined elsewhere.
                let inlined = crate::frames::inlined_entries(p, &name);
                if funcs.is_empty() && inlined.is_empty() {
                    return Err(DebugError::NotFound(format!("Function \"{name}\" not defined.")));
                }
                let mut offs: Vec<u32> = funcs.iter().filter_map(|f| p.func_entry(*f)).chain(inlined).collect();
                offs.sort_unstable();
                offs.dedup();
                if offs.is_empty() {
                    return Err(DebugError::NotFound(format!("Function \"{name}\" is imported: it has no code.")));
                }
                (offs, String::new())
            }
            LocSpec::Line(file, line) => {
                let (found, offs) = p.resolve_line(file.as_deref(), line, default_file)?;
                let _ = found;
                (offs, String::new())
            }
            LocSpec::Offset(o) => {
                let s = p.snap(o).ok_or_else(|| DebugError::NotFound(format!("No code at offset {o:#x}.")))?;
                (vec![s], String::new())
            }
        };
        let _ = desc;
        let first = offsets[0];
        let location = match crate::frames::describe(p, first, Some(loc)) {
            (name, Some((path, line))) => format!("{name} at {}:{line}", short(&path)),
            (name, None) => format!("{name} at {first:#x}"),
        };
        let n = offsets.len();
        let id = core.points.add(PointKind::Break { offsets }, loc.to_string(), location.clone(), temporary);
        if let Some(pt) = core.points.get_mut(id) {
            pt.condition = cond;
        }
        let kind = if temporary { "Temporary breakpoint" } else { "Breakpoint" };
        let more = if n > 1 { format!(" ({n} locations)") } else { String::new() };
        self.say(format!("{kind} {id} at {first:#x}: {location}.{more}"));
        Ok(())
    }

    fn add_watch(&mut self, core: &mut Core, state: Option<&ProgramState<'_>>, arg: &str) -> Result<()> {
        let arg = arg.trim();
        let empty = ProgramState::empty();
        let st = state.unwrap_or(&empty);
        let (addr, len, ty) = if let Some(a) = crate::expr::parse_int(arg.split(',').next().unwrap_or("").trim()) {
            let len = match arg.split_once(',') {
                Some((_, l)) => {
                    crate::expr::parse_int(l.trim()).ok_or_else(|| DebugError::Syntax(format!("bad length `{l}`")))?
                }
                None => 4,
            };
            (a as u64, len.clamp(1, 4096) as u64, None)
        } else {
            let ctx = Ctx { program: &core.program, state: st, frame: self.selected, level: self.level };
            let v = ctx.eval(&crate::expr::parse(arg)?)?;
            let Loc::Memory(a) = v.loc else {
                return Err(DebugError::Eval("Cannot watch a value that is not in linear memory.".into()));
            };
            (a, core.program.types.borrow().size_of(v.ty).max(1), v.ty)
        };
        let old = state.and_then(|s| s.read(addr, len)).map(<[u8]>::to_vec);
        let id = core.points.add(
            PointKind::Watch { addr, len, ty, old },
            arg.to_string(),
            format!("{len} bytes at {addr:#x}"),
            false,
        );
        self.say(format!("Watchpoint {id}: {arg}"));
        Ok(())
    }

    fn need<'a>(state: Option<&'a ProgramState<'a>>) -> Result<&'a ProgramState<'a>> {
        state.ok_or(DebugError::NotRunning)
    }

    fn step_count(arg: &str) -> Result<u32> {
        if arg.trim().is_empty() {
            return Ok(1);
        }
        arg.trim().parse().map_err(|_| DebugError::Syntax(format!("bad count `{arg}`")))
    }

    /// Runs one command.
    fn exec(&mut self, core: &mut Core, state: Option<&ProgramState<'_>>, line: &str) -> Result<Action> {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(Action::None);
        }
        let (word, arg) = match line.find(|c: char| c.is_whitespace() || c == '/') {
            Some(i) => (&line[..i], line[i..].trim_start()),
            None => (line, ""),
        };
        let cmd = commands::resolve(word)?;
        match cmd {
            "help" => self.say(commands::help((!arg.is_empty()).then_some(arg))?),
            "quit" => {
                self.quit = true;
                return Ok(if state.is_some() { Action::Resume(Resume::Kill) } else { Action::Quit });
            }
            "break" => self.add_break(core, state, arg, false)?,
            "tbreak" => self.add_break(core, state, arg, true)?,
            "watch" => self.add_watch(core, state, arg)?,
            "catch" => match arg.trim() {
                "throw" => {
                    let id = core.points.add(PointKind::CatchThrow, "throw".into(), "exception throw".into(), false);
                    self.say(format!("Catchpoint {id} (throw)"));
                }
                other => return Err(DebugError::Syntax(format!("catch {other}: only `catch throw` is supported"))),
            },
            "delete" if arg.is_empty() => core.points.clear(),
            "delete" => {
                for id in Self::ids(arg)? {
                    if !core.points.delete(id) {
                        self.say(format!("No breakpoint number {id}."));
                    }
                }
            }
            "disable" | "enable" => {
                let on = cmd == "enable";
                let ids =
                    if arg.is_empty() { core.points.list.iter().map(|p| p.id).collect() } else { Self::ids(arg)? };
                for id in ids {
                    match core.points.get_mut(id) {
                        Some(p) => p.enabled = on,
                        None => self.say(format!("No breakpoint number {id}.")),
                    }
                }
            }
            "condition" => {
                let (n, c) = arg.split_once(' ').unwrap_or((arg, ""));
                let id: u32 =
                    n.parse().map_err(|_| DebugError::Syntax("Argument required (breakpoint number).".into()))?;
                if !c.trim().is_empty() {
                    crate::expr::parse(c)?;
                }
                let p = core
                    .points
                    .get_mut(id)
                    .ok_or_else(|| DebugError::NotFound(format!("No breakpoint number {id}.")))?;
                p.condition = (!c.trim().is_empty()).then(|| c.trim().to_string());
                if p.condition.is_none() {
                    self.say(format!("Breakpoint {id} now unconditional."));
                }
            }
            "run" => return Ok(if state.is_some() { Action::Resume(Resume::Restart) } else { Action::Run }),
            "start" => {
                self.add_break(core, state, "main", true)?;
                return Ok(if state.is_some() { Action::Resume(Resume::Restart) } else { Action::Run });
            }
            "kill" => {
                Self::need(state)?;
                return Ok(Action::Resume(Resume::Kill));
            }
            "continue" => {
                Self::need(state)?;
                return Ok(Action::Resume(Resume::Continue));
            }
            "step" if self.hidden > 0 && state.is_some() => {
                // At the start of inlined calls shown at their call site: enter the next
                // one without running (gdb's step into an inlined function).
                let st = Self::need(state)?;
                self.hidden -= 1;
                if let Some(vf) = self.vframes(core, st).first() {
                    self.select(*vf, 0);
                    self.say(self.vframe_desc(core, st, *vf));
                    self.say(self.vwhere_line(core, st, *vf));
                }
            }
            "step" | "next" | "stepi" | "nexti" => {
                Self::need(state)?;
                let kind = match cmd {
                    "step" => StepKind::Line,
                    "next" => StepKind::LineOver,
                    "stepi" => StepKind::Instr,
                    _ => StepKind::InstrOver,
                };
                let n = Self::step_count(arg)?;
                if n > 1 {
                    // Queue the remaining steps as commands.
                    self.pending_steps = Some((cmd, n - 1));
                }
                return Ok(Action::Resume(Resume::Step(kind)));
            }
            "finish" => {
                let st = Self::need(state)?;
                if st.frames.len() <= 1 {
                    return Err(DebugError::NotFound("\"finish\" not meaningful in the outermost frame.".into()));
                }
                if self.vsel != 0 {
                    // An outer frame: run until it returns (gdb's finish of the selected
                    // frame), unless it is an inlined call or the outermost frame.
                    let vfs = self.vframes(core, st);
                    let vf = vfs.get(self.vsel).copied().ok_or(DebugError::NotRunning)?;
                    if vf.is_inlined() {
                        return Err(DebugError::NotFound(
                            "finish: an outer frame that is an inlined call cannot be finished; select frame 0 or a real call.".into(),
                        ));
                    }
                    if vf.wasm + 1 >= st.frames.len() {
                        return Err(DebugError::NotFound("\"finish\" not meaningful in the outermost frame.".into()));
                    }
                    self.say(format!("Run till exit from #{}  {}", self.vsel, self.vframe_desc(core, st, vf)));
                    return Ok(Action::Resume(Resume::Step(StepKind::FinishOut(vf.wasm))));
                }
                // An inlined call: run until the pc leaves its code.
                let vf = self.vframes(core, st).first().copied();
                if let Some(vf) = vf.filter(VFrame::is_inlined) {
                    let p = &core.program;
                    let ranges = crate::frames::chain(p, st, 0)
                        .and_then(|(_, c)| crate::frames::inlined_at_level(&c, vf.level).map(|i| i.ranges.clone()))
                        .unwrap_or_default();
                    let ranges: Vec<(u32, u32)> =
                        ranges.iter().filter_map(|(b, e)| Some((p.offset_of(*b)?, p.offset_of(*e)?))).collect();
                    self.say(format!("Run till exit from #0  {}", self.vframe_desc(core, st, vf)));
                    return Ok(Action::Resume(Resume::Step(StepKind::FinishInlined(ranges))));
                }
                if let Some(vf) = vf {
                    self.say(format!("Run till exit from #0  {}", self.vframe_desc(core, st, vf)));
                }
                return Ok(Action::Resume(Resume::Step(StepKind::Finish)));
            }
            "until" | "advance" => {
                let st = Self::need(state)?;
                if arg.is_empty() {
                    if cmd == "advance" {
                        return Err(DebugError::Syntax("Argument required (a location).".into()));
                    }
                    return Ok(Action::Resume(Resume::Step(StepKind::UntilNext)));
                }
                let p = &core.program;
                let file = st.frames.first().and_then(|f| p.line_at(f.offset)).map(|l| l.file);
                let offs = match commands::parse_location(arg)? {
                    LocSpec::Line(f, l) => p.resolve_line(f.as_deref(), l, file)?.1,
                    LocSpec::Func(name) => p.find_funcs(&name).iter().filter_map(|f| p.func_entry(*f)).collect(),
                    LocSpec::Offset(o) => p.snap(o).into_iter().collect(),
                };
                if offs.is_empty() {
                    return Err(DebugError::NotFound(format!("No code for \"{arg}\".")));
                }
                return Ok(Action::Resume(Resume::Step(StepKind::Until(offs))));
            }
            "backtrace" => {
                let st = Self::need(state)?;
                let vfs = self.vframes(core, st);
                let n = vfs.len();
                let limit: Option<i64> = match arg.trim() {
                    "" | "full" => None,
                    a => Some(
                        crate::expr::parse_int(a)
                            .ok_or_else(|| DebugError::Syntax(format!("No symbol \"{a}\" in current context.")))?,
                    ),
                };
                // `bt N`: the N innermost frames; `bt -N`: the N outermost (gdb).
                let range = match limit {
                    None => 0..n,
                    Some(k) if k >= 0 => 0..(k as usize).min(n),
                    Some(k) => n.saturating_sub(k.unsigned_abs() as usize)..n,
                };
                let more = range.end < n;
                for i in range {
                    let vf = vfs[i];
                    // gdb gives the pc of a frame that has one of its own: not of frame
                    // 0, nor of the calls its innermost view is inlined into.
                    let pre = if i == 0 || !vf.is_innermost(self.hidden) {
                        String::new()
                    } else {
                        format!("{:#010x} in ", st.frames[vf.wasm].offset)
                    };
                    self.say(format!("#{i:<2} {pre}{}", self.vframe_desc(core, st, vf)));
                }
                if more {
                    self.say("(More stack frames follow...)");
                }
            }
            "whatis" | "ptype" => {
                let st = Self::need(state)?;
                let ctx = self.ctx(core, st);
                let ty = match crate::expr::parse(arg).and_then(|a| ctx.eval(&a)) {
                    Ok(v) => v.ty,
                    Err(e) => Some(ctx.resolve_type(arg).map_err(|_| e)?),
                };
                let types = core.program.types.borrow();
                let lang = ctx.lang();
                self.say(if cmd == "whatis" {
                    crate::typeprint::whatis(&types, ty, lang)
                } else {
                    crate::typeprint::ptype(&types, ty, lang)
                });
            }
            "frame" | "up" | "down" => {
                let st = Self::need(state)?;
                let n: usize = if arg.is_empty() {
                    if cmd == "frame" { self.vsel } else { 1 }
                } else {
                    arg.parse().map_err(|_| DebugError::Syntax(format!("bad frame number `{arg}`")))?
                };
                let target = match cmd {
                    "frame" => n,
                    "up" => self.vsel + n,
                    _ => self.vsel.checked_sub(n).ok_or_else(|| {
                        DebugError::NotFound("Bottom (innermost) frame selected; you cannot go down.".into())
                    })?,
                };
                let vfs = self.vframes(core, st);
                let Some(vf) = vfs.get(target).copied() else {
                    return Err(DebugError::NotFound("Initial frame selected; you cannot go up.".into()));
                };
                self.select(vf, target);
                self.say(format!("#{target:<2} {}", self.vframe_desc(core, st, vf)));
                self.say(self.vwhere_line(core, st, vf));
            }
            "info" => self.info(core, state, arg)?,
            "print" => {
                let st = Self::need(state)?;
                let ctx = self.ctx(core, st);
                let (opts, expr) = match arg.strip_prefix('/') {
                    Some(r) => {
                        let (letters, rest) = r.split_once(char::is_whitespace).unwrap_or((r, ""));
                        (FormatOpts::parse(letters)?, rest)
                    }
                    None => (FormatOpts::default(), arg),
                };
                let s = match crate::gcview::print(&ctx, expr)? {
                    Some(s) => s,
                    None => {
                        let v = ctx.eval(&crate::expr::parse(expr)?)?;
                        format_value_with(&ctx, &v, true, opts)
                    }
                };
                self.values += 1;
                self.say(format!("${} = {s}", self.values));
            }
            "x" => {
                let st = Self::need(state)?;
                let (fmtspec, expr) = match arg.strip_prefix('/') {
                    Some(r) => r.split_once(char::is_whitespace).unwrap_or((r, "")),
                    None => ("", arg),
                };
                let (count, fmt, unit) = commands::parse_x_format(fmtspec)?;
                let (memory, expr) = commands::parse_memory_option(expr.trim())?;
                let ctx = self.ctx(core, st);
                if memory.is_none()
                    && fmt != 'i'
                    && let Some((mut bytes, size, len)) = crate::gcview::array_bytes(&ctx, expr)?
                {
                    // A GC array: its elements, at byte offsets from its first; the
                    // element size and the whole array unless the format says otherwise.
                    let unit = if fmtspec.contains(['b', 'h', 'w', 'g']) { unit } else { size.min(8) };
                    let count = if fmtspec.starts_with(|c: char| c.is_ascii_digit()) || fmt == 's' {
                        count
                    } else {
                        (bytes.len() as u32 / unit).clamp(1, 256)
                    };
                    if fmt == 's' {
                        // An `i8` array read as a string ends with the array.
                        bytes.push(0);
                    }
                    let lines =
                        crate::format::examine_memory(&bytes, &format!("{}+", expr.trim()), 0, count, fmt, unit)?;
                    self.say(format!("array of {len} element(s) of {size} byte(s), offsets from its first element:"));
                    self.say(lines.join("\n"));
                    return Ok(Action::None);
                }
                let v = ctx.eval(&crate::expr::parse(expr)?)?;
                let types = core.program.types.borrow();
                let is_array =
                    matches!(types.strip(v.ty).map(|t| types.get(t)), Some(crate::dwarf::types::Type::Array { .. }));
                drop(types);
                let addr = match (&v.loc, is_array) {
                    (Loc::Memory(a), true) => *a,
                    // An address of a 64-bit memory is all of the value's bits.
                    _ if memory_types(&core.program)
                        .get(memory.unwrap_or(0) as usize)
                        .is_some_and(|t| t.addr.is_64()) =>
                    {
                        ctx.int(&v)? as u64
                    }
                    _ => ctx.int(&v)? as u64 & 0xffff_ffff,
                };
                if fmt == 'i' && memory.is_some() {
                    return Err(DebugError::Syntax("x/i disassembles code, which is in no memory: drop -m".into()));
                }
                if let Some(m) = memory {
                    let n = st.memories.len();
                    let mem = st.memories.get(m as usize).copied().ok_or_else(|| {
                        DebugError::NotFound(format!("No memory {m}: the instance has {n} (see `info memories`)."))
                    })?;
                    self.say(
                        crate::format::examine_memory(mem, &format!("mem{m}:"), addr, count, fmt, unit)?.join("\n"),
                    );
                } else if fmt == 'i' {
                    let p = &core.program;
                    let o = addr as u32;
                    let func =
                        p.func_at(o).ok_or_else(|| DebugError::NotFound(format!("No code at offset {o:#x}.")))?;
                    let code = p.code(func).ok_or_else(|| DebugError::NotFound("no body".into()))?;
                    let start = code.offsets.partition_point(|&x| x < o);
                    let end_off =
                        code.offsets.get((start + count as usize).min(code.offsets.len()) - 1).copied().unwrap_or(o);
                    let pc = st.frames.get(self.selected).map(|f| f.offset);
                    self.say(disassemble(p, func, o, end_off, pc).join("\n"));
                } else {
                    self.say(examine(&ctx, addr, count, fmt, unit)?.join("\n"));
                }
            }
            "list" => self.list(core, state, arg)?,
            "disassemble" => {
                let p = &core.program;
                let (func, pc) = if arg.is_empty() {
                    let st = Self::need(state)?;
                    let f = st.frames.get(self.selected).ok_or(DebugError::NotRunning)?;
                    (f.func, Some(f.offset))
                } else {
                    let f = *p
                        .find_funcs(arg)
                        .first()
                        .ok_or_else(|| DebugError::NotFound(format!("No function \"{arg}\".")))?;
                    (f, None)
                };
                let body =
                    p.body(func).ok_or_else(|| DebugError::NotFound("The function is imported: no code.".into()))?;
                let (from, to) = match pc {
                    Some(pc) => {
                        let offsets = &p.code(func).ok_or(DebugError::NotRunning)?.offsets;
                        let i = offsets.partition_point(|&o| o < pc);
                        let lo = offsets.get(i.saturating_sub(8)).copied().unwrap_or(pc);
                        let hi = offsets.get((i + 8).min(offsets.len().saturating_sub(1))).copied().unwrap_or(pc);
                        (lo, hi)
                    }
                    None => (body.range.start, body.range.end),
                };
                self.say(format!("Dump of code for function {} (func[{func}]):", p.func_name(func)));
                self.say(disassemble(p, func, from, to, pc).join("\n"));
                self.say("End of dump.");
            }
            _ => self.say(format!("\"{cmd}\" is not implemented.")),
        }
        Ok(Action::None)
    }

    fn info(&mut self, core: &mut Core, state: Option<&ProgramState<'_>>, arg: &str) -> Result<()> {
        let (what, rest) = arg.split_once(' ').unwrap_or((arg, ""));
        let p = &core.program;
        const SUBS: &[&str] = &[
            "locals",
            "args",
            "frame",
            "breakpoints",
            "watchpoints",
            "globals",
            "functions",
            "operands",
            "line",
            "source",
            "memories",
        ];
        let sub = SUBS.iter().find(|s| !what.is_empty() && s.starts_with(what)).ok_or_else(|| {
            DebugError::Syntax(format!("Undefined info command: \"{what}\". Try: {}.", SUBS.join(", ")))
        })?;
        match *sub {
            "breakpoints" | "watchpoints" => {
                if core.points.list.is_empty() {
                    self.say("No breakpoints or watchpoints.");
                }
                let mut lines = vec!["Num  Type        Disp Enb What".to_string()];
                for pt in &core.points.list {
                    let (ty, what) = match &pt.kind {
                        PointKind::Break { .. } => ("breakpoint", pt.location.clone()),
                        PointKind::Watch { .. } => ("watchpoint", format!("{} ({})", pt.spec, pt.location)),
                        PointKind::CatchThrow => ("catchpoint", "exception throw".to_string()),
                    };
                    if *sub == "watchpoints" && ty != "watchpoint" {
                        continue;
                    }
                    let disp = if pt.temporary { "del " } else { "keep" };
                    lines.push(format!(
                        "{:<4} {ty:<11} {disp} {:<3} {what}",
                        pt.id,
                        if pt.enabled { "y" } else { "n" }
                    ));
                    if let Some(c) = &pt.condition {
                        lines.push(format!("\tstop only if {c}"));
                    }
                    if pt.hits > 0 {
                        lines.push(format!(
                            "\tbreakpoint already hit {} time{}",
                            pt.hits,
                            if pt.hits == 1 { "" } else { "s" }
                        ));
                    }
                }
                if !core.points.list.is_empty() {
                    self.say(lines.join("\n"));
                }
            }
            "functions" => {
                let mut out = Vec::new();
                for f in p.num_imported()..p.num_funcs() {
                    let name = p.func_name(f);
                    if !rest.is_empty() && !name.contains(rest) {
                        continue;
                    }
                    let loc = p.body(f).and_then(|b| p.line_at(p.func_entry(f).unwrap_or(b.range.start)));
                    out.push(match loc {
                        Some(l) => format!("func[{f}] {name}\t{}:{}", short(&l.path), l.line),
                        None => format!("func[{f}] {name}"),
                    });
                }
                self.say(if out.is_empty() { "No functions match.".to_string() } else { out.join("\n") });
            }
            "source" => {
                let files = p.files();
                self.say(if files.is_empty() {
                    "No DWARF line information.".to_string()
                } else {
                    format!("Source files:\n{}", files.join("\n"))
                });
            }
            "memories" => self.say(memories_info(p, state)),
            "globals" => {
                let empty = ProgramState::empty();
                let st = state.unwrap_or(&empty);
                let mut out = Vec::new();
                if let Some(d) = &p.dwarf {
                    let ctx = Ctx { program: p, state: st, frame: self.selected, level: self.level };
                    for g in &d.globals {
                        if !rest.is_empty() && !g.name.contains(rest) {
                            continue;
                        }
                        let ty = p.types.borrow().name(g.ty);
                        if state.is_some() {
                            let v =
                                ctx.var(&g.name).map_or_else(|e| format!("<{e}>"), |v| format_value(&ctx, &v, true));
                            out.push(format!("{ty} {} = {v}", g.name));
                        } else {
                            out.push(format!("{ty} {};", g.name));
                        }
                    }
                }
                for (i, g) in st.globals.iter().enumerate() {
                    if let Some(v) = g {
                        out.push(format!("wasm global {i}: {} = {}", v.ty(), show_val(v)));
                    }
                }
                self.say(if out.is_empty() { "No globals.".to_string() } else { out.join("\n") });
            }
            _ => {
                let st = Self::need(state)?;
                let f = st.frames.get(self.selected).ok_or(DebugError::NotRunning)?;
                let ctx = self.ctx(core, st);
                let pc = p.code_addr(f.offset);
                let df = p.dwarf.as_ref().and_then(|d| d.function_at(pc));
                match *sub {
                    "locals" | "args" => {
                        let vars: Vec<&crate::dwarf::vars::Variable> = match (df, *sub) {
                            (Some(df), "args") => crate::dwarf::vars::params_of(df.vars_at_level(pc, self.level)),
                            (Some(df), _) => crate::dwarf::vars::locals_of(df.vars_at_level(pc, self.level), pc),
                            (None, _) => Vec::new(),
                        };
                        let mut out: Vec<String> = vars
                            .iter()
                            .map(|v| {
                                // gdb shows no `(type)` before pointers here; the C
                                // transcripts have always had it, so C keeps it.
                                let top = ctx.lang() == crate::lang::Lang::C;
                                let val =
                                    ctx.var(&v.name).map_or_else(|e| format!("<{e}>"), |x| format_value(&ctx, &x, top));
                                format!("{} = {val}", v.name)
                            })
                            .collect();
                        if df.is_none() {
                            let nparams = p.func_type(f.func).map_or(0, |t| t.params.len());
                            let names = p.module.syntax().names.locals.get(&f.func);
                            for (i, v) in f.locals.iter().enumerate() {
                                if (*sub == "args") != (i < nparams) {
                                    continue;
                                }
                                let name = names
                                    .and_then(|n| n.get(&(i as u32)))
                                    .cloned()
                                    .unwrap_or_else(|| format!("$local{i}"));
                                out.push(format!("{name} = {} ({})", show_val(v), v.ty()));
                            }
                        }
                        self.say(if out.is_empty() {
                            format!("No {}.", if *sub == "args" { "arguments" } else { "locals" })
                        } else {
                            out.join("\n")
                        });
                    }
                    "operands" => self.say(operands_text(f)),
                    "line" => self.say(match p.line_at(f.offset) {
                        Some(l) => format!("Line {} of \"{}\" at offset {:#x}.", l.line, short(&l.path), f.offset),
                        None => format!("No line information for offset {:#x}.", f.offset),
                    }),
                    _ => {
                        let mut out = vec![
                            format!("Stack level {}, offset {:#x} (code address {pc:#x}):", self.selected, f.offset),
                            format!(" {}", self.frame_desc(core, st, self.selected)),
                            format!(" function: func[{}] {}", f.func, p.func_name(f.func)),
                        ];
                        if let Some(c) = st.frames.get(self.selected + 1) {
                            out.push(format!(" called by frame {} at {:#x}", self.selected + 1, c.offset));
                        }
                        out.push(format!(
                            " wasm locals: {}",
                            f.locals.iter().map(show_val).collect::<Vec<_>>().join(", ")
                        ));
                        out.push(format!(" {}", operands_text(f)));
                        self.say(out.join("\n"));
                    }
                }
            }
        }
        Ok(())
    }

    fn list(&mut self, core: &mut Core, state: Option<&ProgramState<'_>>, arg: &str) -> Result<()> {
        // `list A,B`: lines A to B; `list A,`: ten lines from A; `list ,B`: ten ending at B.
        if let Some((a, b)) = arg.split_once(',') {
            let (a, b) = (a.trim(), b.trim());
            let p = &core.program;
            let resolve = |spec: &str| -> Result<(String, u32)> {
                match commands::parse_location(spec)? {
                    LocSpec::Line(file, line) => {
                        let path = match file {
                            Some(f) => {
                                let d = p.dwarf.as_ref().ok_or_else(|| DebugError::NotFound("No DWARF.".into()))?;
                                let id = *d
                                    .lines
                                    .matching_files(&f)
                                    .first()
                                    .ok_or_else(|| DebugError::NotFound(format!("No source file named {f}.")))?;
                                d.lines.files[id as usize].clone()
                            }
                            None => self
                                .list_at
                                .as_ref()
                                .map(|l| l.0.clone())
                                .or_else(|| {
                                    let f = state?.frames.get(self.selected)?;
                                    p.line_at(f.offset).map(|l| l.path)
                                })
                                .ok_or_else(|| DebugError::NotFound("No default source file; use FILE:LINE.".into()))?,
                        };
                        Ok((path, line))
                    }
                    LocSpec::Func(name) => {
                        let l = func_source(p, &name)?;
                        Ok((l.path, l.line))
                    }
                    LocSpec::Offset(o) => p
                        .line_at(o)
                        .map(|l| (l.path, l.line))
                        .ok_or_else(|| DebugError::NotFound(format!("No line information for {o:#x}."))),
                }
            };
            let (path, first, last) = match (a.is_empty(), b.is_empty()) {
                (true, true) => return Err(DebugError::Syntax("list: give A,B, A, or ,B.".into())),
                (false, true) => {
                    let (path, first) = resolve(a)?;
                    (path, first, first + 9)
                }
                (true, false) => {
                    let (path, last) = resolve(b)?;
                    (path, last.saturating_sub(9).max(1), last)
                }
                (false, false) => {
                    let (path, first) = resolve(a)?;
                    let (_, last) = resolve(b)?;
                    (path, first, last)
                }
            };
            if last < first {
                return Err(DebugError::Syntax(format!("list: {last} is before {first}.")));
            }
            let len =
                p.source_len(&path).ok_or_else(|| DebugError::NotFound(format!("Source file {path} not found.")))?;
            if first > len {
                return Err(DebugError::NotFound(format!(
                    "Line number {first} out of range; \"{path}\" has {len} lines."
                )));
            }
            let last = last.min(len);
            let out: Vec<String> =
                (first..=last).map(|l| format!("{l}\t{}", p.source_line(&path, l).unwrap_or_default())).collect();
            self.list_at = Some((path, last + 1));
            self.say(out.join("\n"));
            return Ok(());
        }
        let p = &core.program;
        let center = |path: String, line: u32| (path, line.saturating_sub(5).max(1));
        let (path, first) = if arg.is_empty() {
            match (&self.list_at, state.and_then(|s| s.frames.get(self.selected))) {
                (Some(l), _) => l.clone(),
                (None, Some(f)) => p
                    .line_at(f.offset)
                    .map(|l| center(l.path, l.line))
                    .ok_or_else(|| DebugError::NotFound("No line information here.".into()))?,
                (None, None) => {
                    let main = p
                        .find_funcs("main")
                        .first()
                        .copied()
                        .ok_or_else(|| DebugError::NotFound("No main function; use list FILE:LINE.".into()))?;
                    let l = p
                        .func_entry(main)
                        .and_then(|o| p.line_at(o))
                        .ok_or_else(|| DebugError::NotFound("No line information.".into()))?;
                    center(l.path, l.line)
                }
            }
        } else {
            match commands::parse_location(arg)? {
                LocSpec::Line(file, line) => {
                    let path = match file {
                        Some(f) => {
                            let d = p.dwarf.as_ref().ok_or_else(|| DebugError::NotFound("No DWARF.".into()))?;
                            let ids = d.lines.matching_files(&f);
                            let id = ids
                                .first()
                                .ok_or_else(|| DebugError::NotFound(format!("No source file named {f}.")))?;
                            d.lines.files[*id as usize].clone()
                        }
                        None => self
                            .list_at
                            .as_ref()
                            .map(|l| l.0.clone())
                            .ok_or_else(|| DebugError::NotFound("No default source file; use FILE:LINE.".into()))?,
                    };
                    center(path, line)
                }
                LocSpec::Func(name) => {
                    let l = func_source(p, &name)?;
                    center(l.path, l.line)
                }
                LocSpec::Offset(o) => {
                    let l =
                        p.line_at(o).ok_or_else(|| DebugError::NotFound(format!("No line information for {o:#x}.")))?;
                    center(l.path, l.line)
                }
            }
        };
        let len = p.source_len(&path).ok_or_else(|| DebugError::NotFound(format!("Source file {path} not found.")))?;
        if first > len {
            return Err(DebugError::NotFound(format!("Line number {first} out of range; \"{path}\" has {len} lines.")));
        }
        let last = (first + 9).min(len);
        let mut out = Vec::new();
        for l in first..=last {
            out.push(format!("{l}\t{}", p.source_line(&path, l).unwrap_or_default()));
        }
        self.list_at = Some((path, last + 1));
        self.say(out.join("\n"));
        Ok(())
    }
}

/// Where function `name` (its first match) begins in the source, for `list`.
fn func_source(p: &crate::program::Program, name: &str) -> Result<crate::program::SourceLoc> {
    let f =
        *p.find_funcs(name).first().ok_or_else(|| DebugError::NotFound(format!("Function \"{name}\" not defined.")))?;
    p.func_entry(f).and_then(|o| p.line_at(o)).ok_or_else(|| DebugError::NotFound("No line information.".into()))
}

fn operands_text(f: &crate::state::Frame) -> String {
    if f.operands.is_empty() {
        "operand stack: (empty)".to_string()
    } else {
        format!("operand stack (bottom first): {}", f.operands.iter().map(show_operand).collect::<Vec<_>>().join(", "))
    }
}

/// An operand-stack entry with its type: `i32 0x11480 (70784)`, `f64 1.5`,
/// `v128 i32x4 [1, 2, 3, 4]`.
pub fn show_operand(v: &wasmscope_engine::Val) -> String {
    format!("{} {}", v.ty(), show_operand_value(v))
}

/// An operand-stack entry's value: integers in hex and decimal (`0x11480 (70784)`: they
/// are often addresses), the rest as [`show_val`] shows them.
pub fn show_operand_value(v: &wasmscope_engine::Val) -> String {
    use wasmscope_engine::Val;
    match v {
        Val::I32(x) => format!("{:#x} ({x})", *x as u32),
        Val::I64(x) => format!("{:#x} ({x})", *x as u64),
        _ => show_val(v),
    }
}

/// The last path component, like gdb prints file names in frames.
fn short(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A wasm value: `42`, `1.5`, `null`, `i32x4 [1, 2, 3, 4]` (a `v128`, lane 0 first).
pub fn show_val(v: &wasmscope_engine::Val) -> String {
    use wasmscope_engine::Val;
    match v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(b) => f32::from_bits(*b).to_string(),
        Val::F64(b) => f64::from_bits(*b).to_string(),
        Val::FuncRef(None) | Val::ExternRef(None) | Val::AnyRef(None) | Val::ExnRef(None) => "null".into(),
        Val::AnyRef(Some(a)) => format!("anyref {a}"),
        Val::FuncRef(Some(_)) => "funcref".into(),
        Val::ExnRef(Some(_)) => "exnref".into(),
        Val::ExternRef(Some(n)) => format!("externref {n}"),
        Val::V128(v) => crate::vector::format_u128(*v, crate::vector::Shape::I32x4, false),
    }
}

impl Frontend for Repl {
    fn stopped(&mut self, core: &mut Core, state: &ProgramState<'_>, stop: &Stop) -> Resume {
        // Repeated steps (`next 3`) go on without asking.
        if let Some(r) = self.pending_step(stop) {
            return r;
        }
        self.report_stop(core, state, stop);
        loop {
            let Some(line) = self.read() else {
                // End of input while paused: kill the program, like gdb -batch.
                self.quit = true;
                return Resume::Kill;
            };
            match self.exec(core, Some(state), &line) {
                Ok(Action::Resume(r)) => return r,
                Ok(Action::Run) => return Resume::Restart,
                Ok(Action::Quit) => {
                    self.quit = true;
                    return Resume::Kill;
                }
                Ok(Action::None) => {}
                Err(e) => self.say(e.to_string()),
            }
        }
    }
}

/// Runs `script` (one command per line) against `session`, returning the transcript.
pub fn batch_transcript(session: &mut Session, script: &str) -> String {
    let buf: Rc<RefCell<Vec<u8>>> = Rc::new(RefCell::new(Vec::new()));
    struct Shared(Rc<RefCell<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let out = Output::new(Box::new(Shared(buf.clone())), true);
    session.config.stdout = Some(Rc::new(RefCell::new(ProgramWriter { out: out.clone(), tag: "stdout" })));
    session.config.stderr = Some(Rc::new(RefCell::new(ProgramWriter { out: out.clone(), tag: "stderr" })));
    let lines: Vec<String> = script.lines().map(str::to_string).collect();
    let mut repl = Repl::new(out, Input::Batch(lines.into_iter()));
    repl.main_loop(session);
    String::from_utf8_lossy(&buf.borrow()).into_owned()
}

/// `info memories`: every memory of the module by index, where it comes from (imported
/// or defined), its address type and page size, its type's limits (in its pages), its
/// exports and, while running, its size.
fn memories_info(p: &crate::program::Program, state: Option<&ProgramState<'_>>) -> String {
    use wasmscope_engine::syntax::{ExternKind, ImportDesc};
    let m = p.module.syntax();
    let imported = m.imports.iter().filter_map(|i| match &i.desc {
        ImportDesc::Memory(t) => Some((*t, format!("import {}.{}", i.module, i.name))),
        _ => None,
    });
    let defined = m.memories.iter().map(|t| (*t, "defined".to_string()));
    let mut lines =
        vec!["Num  Origin                 Index  Page   Limits (pages)    Size (bytes)  Exported as".to_string()];
    for (i, (ty, origin)) in imported.chain(defined).enumerate() {
        let exports: Vec<&str> = m
            .exports
            .iter()
            .filter(|e| e.kind == ExternKind::Memory && e.index as usize == i)
            .map(|e| e.name.as_str())
            .collect();
        let limits = match ty.limits.max {
            Some(max) => format!("{}..{max}", ty.limits.min),
            None => format!("{}..", ty.limits.min),
        };
        let size = state.and_then(|s| s.memories.get(i)).map_or_else(|| "-".to_string(), |d| d.len().to_string());
        let index = if ty.addr.is_64() { "i64" } else { "i32" };
        let page = if ty.page_size() == 1 { "1".to_string() } else { format!("{}K", ty.page_size() / 1024) };
        lines.push(format!("{i:<4} {origin:<22} {index:<6} {page:<6} {limits:<17} {size:>12}  {}", exports.join(", ")));
    }
    if lines.len() == 1 { "No memories.".to_string() } else { lines.join("\n") }
}

/// The module's memory types in memory-index order (imports first).
fn memory_types(p: &crate::program::Program) -> Vec<wasmscope_engine::syntax::MemoryType> {
    let m = p.module.syntax();
    let imported = m.imports.iter().filter_map(|i| match &i.desc {
        wasmscope_engine::syntax::ImportDesc::Memory(t) => Some(*t),
        _ => None,
    });
    imported.chain(m.memories.iter().copied()).collect()
}
