//! Fills the [`State`] from the debugger core and the paused program: source and
//! disassembly around the pc, the call stack, the locals tree, watches, operands and a
//! copy of linear memory. Runs at each stop and after each command.

use wasmscope_debugger::breakpoints::PointKind;
use wasmscope_debugger::dwarf::types::{Type, TypeId};
use wasmscope_debugger::expr::{Ctx, Loc, Value};
use wasmscope_debugger::format::format_value;
use wasmscope_debugger::program::Program;
use wasmscope_debugger::repl::Repl;
use wasmscope_debugger::state::ProgramState;
use wasmscope_debugger::{Core, Stop};

use crate::state::{DisasmLine, SourceFile, State, Status, VarRow, Watch};
use crate::strings;

/// Most children shown for an array.
const MAX_ELEMS: u64 = 64;

/// At a stop: the status, a fresh copy of memory, and everything else.
pub fn on_stop(state: &mut State, repl: &Repl, core: &Core, ps: &ProgramState<'_>, stop: &Stop) {
    let p = &core.program;
    state.status = match stop {
        Stop::Breakpoint { id } => Status::Paused(strings::stop_breakpoint(*id)),
        Stop::Step => Status::Paused(strings::STOP_STEP.to_string()),
        Stop::Finished { func, .. } => Status::Paused(strings::stop_finished(&p.func_name(*func))),
        Stop::Watchpoint { id, .. } => Status::Paused(strings::stop_watch(*id)),
        Stop::Trap { message } => Status::Trapped(message.clone()),
        Stop::Exception { id, description } => Status::Paused(strings::stop_exception(*id, description)),
        Stop::Interrupted => Status::Paused(strings::STOP_INTERRUPTED.to_string()),
    };
    let mem = &mut state.memory;
    mem.count = ps.memories.len();
    if mem.index as usize >= mem.count {
        mem.index = 0;
    }
    let shown = ps.memories.get(mem.index as usize).copied().unwrap_or(ps.memory);
    mem.prev = std::mem::replace(&mut mem.data, shown.to_vec());
    mem.last_write = changed_range(&mem.prev, &mem.data);
    if !mem.pinned {
        match mem.last_write {
            Some((start, _)) => mem.cursor = start & !3,
            // First stop: show the stack (global 0 is clang's stack pointer).
            None => {
                if let Some(Some(wasmscope_engine::Val::I32(sp))) = ps.globals.first() {
                    mem.cursor = u64::from(*sp as u32) & 0xffff_fffc;
                }
            }
        }
    }
    refresh(state, repl, core, Some(ps), true);
}

/// The first and last byte that differ (memory that grew counts from the old end).
fn changed_range(old: &[u8], new: &[u8]) -> Option<(u64, u64)> {
    if old.is_empty() {
        return None;
    }
    let first = old.iter().zip(new).position(|(a, b)| a != b).or((old.len() != new.len()).then_some(old.len()))?;
    let last = if new.len() > old.len() {
        new.len() - 1
    } else {
        old.iter().zip(new).rposition(|(a, b)| a != b).unwrap_or(first)
    };
    Some((first as u64, last as u64))
}

/// Recomputes what is derived from the core (breakpoints) and the paused program.
/// `follow` moves the source and disassembly cursors to the pc.
pub fn refresh(state: &mut State, repl: &Repl, core: &Core, ps: Option<&ProgramState<'_>>, follow: bool) {
    let p = &core.program;
    state.selected_frame = ps.map_or(0, |_| repl.selected());
    let frame = ps.and_then(|s| s.frames.get(state.selected_frame));

    // Which source file, and where.
    let here = frame.and_then(|f| p.line_at(f.offset));
    let want = here.as_ref().map(|l| l.path.clone()).or_else(|| {
        if state.source.is_some() {
            return None;
        }
        let main = p.find_funcs("main").first().copied()?;
        p.func_entry(main).and_then(|o| p.line_at(o)).map(|l| l.path)
    });
    if let Some(path) = want
        && state.source.as_ref().is_none_or(|s| s.path != path)
    {
        load_source(state, p, &path);
        if here.is_none() {
            // Before the run: show main.
            let line = p
                .find_funcs("main")
                .first()
                .and_then(|m| p.func_entry(*m))
                .and_then(|o| p.line_at(o))
                .map_or(1, |l| l.line);
            state.source_cursor = line;
        }
    }
    state.current_line =
        here.as_ref().filter(|l| state.source.as_ref().is_some_and(|s| s.path == l.path)).map(|l| l.line);
    if follow && let Some(l) = state.current_line {
        state.source_cursor = l;
    }
    if ps.is_some() && here.is_none() && follow && state.view == crate::state::CodeView::Source {
        state.view = crate::state::CodeView::Disasm;
    }

    // Breakpoint markers.
    let mut lines = Vec::new();
    let mut offsets = Vec::new();
    for pt in &core.points.list {
        if let PointKind::Break { offsets: offs } = &pt.kind {
            for o in offs {
                offsets.push(*o);
                if let (Some(l), Some(src)) = (p.line_at(*o), &state.source)
                    && l.path == src.path
                {
                    lines.push((l.line, pt.enabled));
                }
            }
        }
    }
    lines.sort();
    lines.dedup_by_key(|l| l.0);
    state.breakpoint_lines = lines;

    // Disassembly of the selected frame's function (or of main before the run).
    let func = frame.map(|f| f.func).or_else(|| {
        let line = state.source_cursor;
        let path = state.source.as_ref()?.path.clone();
        p.resolve_line(Some(&path), line, None).ok().and_then(|(_, offs)| offs.first().and_then(|o| p.func_at(*o)))
    });
    state.pc = frame.map(|f| f.offset);
    state.disasm.clear();
    if let Some(func) = func
        && let Some(code) = p.code(func)
    {
        state.disasm_title = format!("{} (func[{func}])", p.func_name(func));
        for (o, i) in code.offsets.iter().zip(&code.instrs) {
            state.disasm.push(DisasmLine { offset: *o, text: i.to_string(), breakpoint: offsets.contains(o) });
        }
        if follow && let Some(pc) = state.pc {
            state.disasm_cursor = state.disasm.iter().position(|d| d.offset == pc).unwrap_or(0);
        }
        state.disasm_cursor = state.disasm_cursor.min(state.disasm.len().saturating_sub(1));
    }

    let Some(ps) = ps else {
        state.frames.clear();
        state.locals.clear();
        state.operands.clear();
        for w in &mut state.watches {
            w.value = strings::EMPTY_NOT_RUNNING.to_string();
            w.changed = false;
        }
        return;
    };
    // Virtual frames (inlined calls included), as `bt` lists them and `frame N` takes them.
    state.frames = repl.frame_lines(core, ps);
    state.stack_cursor.row = repl.selected_vframe();
    state.operands = frame
        .map(|f| {
            let shown = f.operands.iter().rev().map(wasmscope_debugger::repl::show_operand);
            shown.enumerate().map(|(i, v)| format!("[{i}] {v}")).collect()
        })
        .unwrap_or_default();
    let ctx = Ctx { program: p, state: ps, frame: state.selected_frame, level: repl.selected_level() };
    state.locals = locals(&ctx, &state.expanded);
    state.locals_cursor.row = state.locals_cursor.row.min(state.locals.len().saturating_sub(1));
    for w in &mut state.watches {
        let v = match wasmscope_debugger::expr::parse(&w.expr).and_then(|a| ctx.eval(&a)) {
            Ok(v) => format_value(&ctx, &v, true),
            Err(e) => format!("<{e}>"),
        };
        w.changed = follow && v != w.value && !w.value.is_empty() && w.value != strings::EMPTY_NOT_RUNNING;
        w.value = v;
    }
}

fn load_source(state: &mut State, p: &Program, path: &str) {
    let lines = match p.source_len(path) {
        Some(n) => (1..=n).map(|l| p.source_line(path, l).unwrap_or_default()).collect(),
        None => Vec::new(),
    };
    state.source = Some(SourceFile { path: path.to_string(), lines });
}

/// The locals tree of the selected frame: arguments, then locals in scope, with the
/// expanded rows' children.
fn locals(ctx: &Ctx<'_>, expanded: &std::collections::BTreeSet<String>) -> Vec<VarRow> {
    let p = ctx.program;
    let Some(frame) = ctx.state.frames.get(ctx.frame) else { return Vec::new() };
    let pc = p.code_addr(frame.offset);
    let mut rows = Vec::new();
    match p.dwarf.as_ref().and_then(|d| d.function_at(pc)) {
        Some(df) => {
            let args: Vec<String> = df.params().map(|v| v.name.clone()).collect();
            let mut vars: Vec<(String, bool)> = args.iter().map(|n| (n.clone(), true)).collect();
            for v in df.locals_at(pc) {
                if !args.contains(&v.name) {
                    vars.push((v.name.clone(), false));
                }
            }
            for (name, is_arg) in vars {
                match ctx.var(&name) {
                    Ok(v) => push_var(ctx, &mut rows, expanded, 0, name.clone(), name, v, is_arg),
                    Err(e) => rows.push(leaf(0, &name, &name, String::new(), format!("<{e}>"), is_arg)),
                }
            }
        }
        None => {
            let nparams = p.func_type(frame.func).map_or(0, |t| t.params.len());
            let names = p.module.syntax().names.locals.get(&frame.func);
            for (i, v) in frame.locals.iter().enumerate() {
                let name = names.and_then(|n| n.get(&(i as u32))).cloned().unwrap_or_else(|| format!("$local{i}"));
                // A `v128` opens up into its lane views, as a union (`$local0.i8x16`, ...).
                if v.ty() == wasmscope_engine::syntax::ValType::V128
                    && let Ok(val) = ctx.eval(&wasmscope_debugger::expr::Ast::Reg(format!("local{i}")))
                {
                    push_var(ctx, &mut rows, expanded, 0, name.clone(), name, val, i < nparams);
                    continue;
                }
                push_wasm_val(ctx, &mut rows, expanded, 0, name.clone(), name, *v, i < nparams);
            }
        }
    }
    rows
}

/// A wasm value without DWARF: a leaf, or a GC struct or array that opens into its fields
/// or elements (`wasmscope_debugger::gcview`).
#[allow(clippy::too_many_arguments, reason = "as push_var")]
fn push_wasm_val(
    ctx: &Ctx<'_>,
    rows: &mut Vec<VarRow>,
    expanded: &std::collections::BTreeSet<String>,
    depth: usize,
    path: String,
    name: String,
    v: wasmscope_engine::Val,
    is_arg: bool,
) {
    let kids = if depth > 12 { None } else { wasmscope_debugger::gcview::children(ctx, &v) };
    let is_open = kids.is_some() && expanded.contains(&path);
    let mut row = leaf(depth, &path, &name, v.ty().to_string(), wasmscope_debugger::gcview::summary(ctx, &v), is_arg);
    row.expandable = kids.is_some();
    row.expanded = is_open;
    rows.push(row);
    if let (true, Some(kids)) = (is_open, kids) {
        for (label, step, child) in kids {
            push_wasm_val(ctx, rows, expanded, depth + 1, format!("{path}{step}"), label, child, is_arg);
        }
    }
}

fn leaf(depth: usize, path: &str, name: &str, ty: String, value: String, is_arg: bool) -> VarRow {
    VarRow {
        depth,
        path: path.to_string(),
        name: name.to_string(),
        ty,
        value,
        expandable: false,
        expanded: false,
        is_arg,
        mem_addr: None,
    }
}

/// How a value opens up.
enum Shape {
    Leaf,
    Struct(Vec<(String, Option<TypeId>, u64)>),
    Array(Option<TypeId>, u64, u64),
    Pointer(Option<TypeId>, u64),
}

fn shape(ctx: &Ctx<'_>, v: &Value) -> Shape {
    let types = ctx.program.types.borrow();
    match types.strip(v.ty).map(|t| types.get(t).clone()) {
        Some(Type::Struct { members, .. }) if !members.is_empty() => {
            Shape::Struct(members.iter().map(|m| (m.name.clone(), m.ty, m.offset)).collect())
        }
        Some(Type::Array { elem, count: Some(n) }) if n > 0 => Shape::Array(elem, n, types.size_of(elem)),
        Some(Type::Pointer { pointee }) if types.strip(pointee).is_some() => {
            let void = matches!(types.strip(pointee).map(|t| types.get(t)), Some(Type::Void | Type::Function { .. }));
            drop(types);
            match ctx.int(v) {
                Ok(a) if a != 0 && !void => Shape::Pointer(pointee, a as u64 & 0xffff_ffff),
                _ => Shape::Leaf,
            }
        }
        _ => Shape::Leaf,
    }
}

/// A part of a value `size` bytes at `offset`.
fn part(v: &Value, ty: Option<TypeId>, offset: u64, size: u64) -> Value {
    let loc = match &v.loc {
        Loc::Memory(a) => Loc::Memory(a + offset),
        Loc::Bytes(b) => Loc::Bytes(b.get(offset as usize..(offset + size) as usize).unwrap_or_default().to_vec()),
        Loc::OptimizedOut => Loc::OptimizedOut,
    };
    Value { ty, loc }
}

#[allow(clippy::too_many_arguments)]
fn push_var(
    ctx: &Ctx<'_>,
    rows: &mut Vec<VarRow>,
    expanded: &std::collections::BTreeSet<String>,
    depth: usize,
    path: String,
    name: String,
    v: Value,
    is_arg: bool,
) {
    let ty = ctx.program.types.borrow().name(v.ty);
    let value = format_value(ctx, &v, false);
    let sh = if depth > 12 { Shape::Leaf } else { shape(ctx, &v) };
    let is_open = expanded.contains(&path);
    let mem_addr = match (&sh, &v.loc) {
        (Shape::Pointer(_, a), _) => Some(*a),
        (_, Loc::Memory(a)) => Some(*a),
        _ => None,
    };
    rows.push(VarRow {
        depth,
        path: path.clone(),
        name,
        ty,
        value,
        expandable: !matches!(sh, Shape::Leaf),
        expanded: is_open,
        is_arg,
        mem_addr,
    });
    if !is_open {
        return;
    }
    let types = || ctx.program.types.borrow();
    match sh {
        Shape::Leaf => {}
        Shape::Struct(members) => {
            for (m, ty, off) in members {
                let size = types().size_of(ty);
                let child = part(&v, ty, off, size);
                push_var(ctx, rows, expanded, depth + 1, format!("{path}.{m}"), m, child, is_arg);
            }
        }
        Shape::Array(elem, n, esize) => {
            for i in 0..n.min(MAX_ELEMS) {
                let child = part(&v, elem, i * esize, esize);
                push_var(ctx, rows, expanded, depth + 1, format!("{path}[{i}]"), format!("[{i}]"), child, is_arg);
            }
        }
        Shape::Pointer(pointee, addr) => {
            let child = Value { ty: pointee, loc: Loc::Memory(addr) };
            let p =
                if path.chars().all(|c| c.is_alphanumeric() || c == '_') { path.clone() } else { format!("({path})") };
            push_var(ctx, rows, expanded, depth + 1, format!("*{p}"), format!("*{p}"), child, is_arg);
        }
    }
}

/// A watch on `expr`, before its first value.
pub fn new_watch(expr: &str) -> Watch {
    Watch { expr: expr.to_string(), value: String::new(), changed: false }
}
