//! DAP's inspection requests at a stop (the DAP specification's `stackTrace`, `scopes`,
//! `variables` and `evaluate`) answered from the core's [`ProgramState`] snapshot: frames
//! with source positions, the scopes Locals / Arguments / Globals (DWARF, through the
//! REPL's expression evaluator) and Wasm locals / Operand stack, and values that expand
//! (structs, arrays, pointers) as child expressions (`(s).f`, `(a)[i]`, `*(p)`), so every
//! variable has an `evaluateName` that `evaluate` and watches accept.
//!
//! Variable references live for one stop ([`Refs::clear`] at each stop).

use serde_json::{Value, json};
use wasmscope_engine::Val;
use wasmscope_engine::syntax::ValType;

use crate::dwarf::types::Type;
use crate::error::{DebugError, Result};
use crate::expr::{Ctx, Loc};
use crate::format::format_value;
use crate::program::Program;
use crate::repl::{show_operand_value, show_val};
use crate::session::Core;
use crate::state::ProgramState;

/// The scopes of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Locals,
    Arguments,
    Globals,
    WasmLocals,
    Operands,
}

const SCOPES: [(Scope, &str); 5] = [
    (Scope::Locals, "Locals"),
    (Scope::Arguments, "Arguments"),
    (Scope::Globals, "Globals"),
    (Scope::WasmLocals, "Wasm locals"),
    (Scope::Operands, "Operand stack"),
];

/// What a variables reference stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ref {
    Scope {
        frame: usize,
        scope: Scope,
    },
    /// The children of the value of `expr` in `frame`.
    Expr {
        frame: usize,
        expr: String,
    },
    /// The fields or elements of the GC object at `path` (`$local3.next`, see
    /// `gcview`) in `frame`.
    Gc {
        frame: usize,
        path: String,
    },
}

/// Variables references of the current stop (reference = index + 1).
#[derive(Debug, Default)]
pub struct Refs {
    refs: Vec<Ref>,
}

/// A DAP `Source` for a DWARF path: its file name, and the path on disk if found.
pub fn source(program: &Program, path: &str) -> Value {
    let name = path.rsplit('/').next().unwrap_or(path);
    match program.locate(path).and_then(|p| p.canonicalize().ok()) {
        Some(p) => json!({ "name": name, "path": p.display().to_string() }),
        None => json!({ "name": name, "path": path }),
    }
}

/// `expr` as an operand of a postfix operator (`.f`, `[i]`): as it is when it is a name
/// followed by postfix operators already, else in parentheses.
fn wrap(expr: &str) -> String {
    let b = expr.as_bytes();
    let starts_well = b.first().is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_' || *c == b'$');
    let mut depth = 0i32;
    let mut i = 0;
    let mut chain = starts_well;
    while chain && i < b.len() {
        match b[i] {
            b'[' => depth += 1,
            b']' => depth -= 1,
            b'-' if depth == 0 && b.get(i + 1) == Some(&b'>') => i += 1,
            c if depth == 0 && !(c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c == b'.') => chain = false,
            _ => {}
        }
        i += 1;
    }
    if chain && depth == 0 { expr.to_string() } else { format!("({expr})") }
}

/// Array elements shown at most (the rest through paging or `evaluate`).
const MAX_ELEMENTS: u64 = 1000;

/// A parsed `frameId`: frame index + 1.
pub fn frame_index(state: &ProgramState<'_>, args: &Value) -> Result<usize> {
    let id = args.get("frameId").and_then(Value::as_u64).unwrap_or(1);
    let i = usize::try_from(id.saturating_sub(1)).map_err(|_| DebugError::NotFound("no such frame".into()))?;
    if i < state.frames.len() { Ok(i) } else { Err(DebugError::NotFound(format!("no frame {id}"))) }
}

impl Refs {
    pub fn clear(&mut self) {
        self.refs.clear();
    }

    fn add(&mut self, r: Ref) -> usize {
        if let Some(i) = self.refs.iter().position(|x| *x == r) {
            return i + 1;
        }
        self.refs.push(r);
        self.refs.len()
    }

    /// `stackTrace`.
    pub fn stack_trace(&self, core: &Core, state: &ProgramState<'_>, args: &Value) -> Value {
        let p = &core.program;
        let start = args.get("startFrame").and_then(Value::as_u64).unwrap_or(0) as usize;
        let levels = args.get("levels").and_then(Value::as_u64).filter(|l| *l > 0).unwrap_or(u64::MAX) as usize;
        let frames: Vec<Value> = state
            .frames
            .iter()
            .enumerate()
            .skip(start)
            .take(levels)
            .map(|(i, f)| {
                // The innermost inlined call at the pc, if any: the one whose variables
                // the frame's scopes show (`Ctx::level` 0).
                let name = crate::frames::chain(p, state, i)
                    .and_then(|(_, c)| c.last().map(|inl| inl.name.clone()))
                    .unwrap_or_else(|| p.func_name(f.func));
                let mut v = json!({
                    "id": i + 1,
                    "name": name,
                    "line": 0,
                    "column": 0,
                    "instructionPointerReference": format!("{:#x}", f.offset),
                });
                match p.line_at(f.offset) {
                    Some(l) => {
                        v["source"] = source(p, &l.path);
                        v["line"] = json!(l.line);
                        v["column"] = json!(1);
                    }
                    None => v["presentationHint"] = json!("subtle"),
                }
                v
            })
            .collect();
        json!({ "stackFrames": frames, "totalFrames": state.frames.len() })
    }

    /// `scopes`.
    pub fn scopes(&mut self, state: &ProgramState<'_>, args: &Value) -> Result<Value> {
        let frame = frame_index(state, args)?;
        let scopes: Vec<Value> = SCOPES
            .iter()
            .map(|(scope, name)| {
                let r = self.add(Ref::Scope { frame, scope: *scope });
                json!({
                    "name": name,
                    "variablesReference": r,
                    "expensive": false,
                    "presentationHint": match scope {
                        Scope::Locals => "locals",
                        Scope::Arguments => "arguments",
                        _ => "registers",
                    },
                })
            })
            .collect();
        Ok(json!({ "scopes": scopes }))
    }

    /// One variable: the value of `expr` shown under `name`.
    fn variable(&mut self, ctx: &Ctx<'_>, name: &str, expr: &str) -> Value {
        match crate::expr::parse(expr).and_then(|a| ctx.eval(&a)) {
            Ok(v) => {
                let types = ctx.program.types.borrow();
                let ty = types.name(v.ty);
                let stripped = types.strip(v.ty).map(|t| types.get(t).clone());
                let pointee_real = |t: Option<crate::dwarf::types::TypeId>| {
                    !matches!(types.strip(t).map(|t| types.get(t)), None | Some(Type::Void | Type::Function { .. }))
                };
                let (expandable, indexed) = match &stripped {
                    Some(Type::Struct { members, .. }) => (!members.is_empty(), None),
                    Some(Type::Array { count: Some(n), .. }) => (*n > 0, Some(*n)),
                    Some(Type::Pointer { pointee }) => (pointee_real(*pointee), None),
                    _ => (false, None),
                };
                drop(types);
                let null = matches!(stripped, Some(Type::Pointer { .. })) && ctx.int(&v).is_ok_and(|a| a == 0);
                let reference = if expandable && !null {
                    self.add(Ref::Expr { frame: ctx.frame, expr: expr.to_string() })
                } else {
                    0
                };
                let mut out = json!({
                    "name": name,
                    "value": format_value(ctx, &v, true),
                    "type": ty,
                    "evaluateName": expr,
                    "variablesReference": reference,
                });
                if let Some(n) = indexed {
                    out["indexedVariables"] = json!(n);
                }
                if let Loc::Memory(a) = v.loc {
                    out["memoryReference"] = json!(format!("{a:#x}"));
                }
                out
            }
            Err(e) => json!({ "name": name, "value": format!("<{e}>"), "evaluateName": expr, "variablesReference": 0 }),
        }
    }

    /// `variables`.
    pub fn variables(&mut self, core: &Core, state: &ProgramState<'_>, args: &Value) -> Result<Value> {
        let r = args.get("variablesReference").and_then(Value::as_u64).unwrap_or(0) as usize;
        let which = r
            .checked_sub(1)
            .and_then(|i| self.refs.get(i))
            .cloned()
            .ok_or_else(|| DebugError::NotFound(format!("variablesReference {r} is not valid at this stop")))?;
        let p = &core.program;
        let vars = match which {
            Ref::Scope { frame, scope } => {
                let ctx = Ctx { program: p, state, frame, level: 0 };
                self.scope_vars(&ctx, scope)
            }
            Ref::Expr { frame, expr } => {
                let ctx = Ctx { program: p, state, frame, level: 0 };
                let start = args.get("start").and_then(Value::as_u64).unwrap_or(0);
                let count = args.get("count").and_then(Value::as_u64).filter(|c| *c > 0);
                self.children(&ctx, &expr, start, count)?
            }
            Ref::Gc { frame, path } => {
                let ctx = Ctx { program: p, state, frame, level: 0 };
                let v = crate::gcview::value_at(&ctx, &path)?
                    .ok_or_else(|| DebugError::NotFound(format!("{path} is not a GC reference")))?;
                let children = crate::gcview::children(&ctx, &v).unwrap_or_default();
                children
                    .into_iter()
                    .map(|(name, step, c)| self.gc_variable(&ctx, &name, &format!("{path}{step}"), &c))
                    .collect()
            }
        };
        Ok(json!({ "variables": vars }))
    }

    fn children(&mut self, ctx: &Ctx<'_>, expr: &str, start: u64, count: Option<u64>) -> Result<Vec<Value>> {
        let v = ctx.eval(&crate::expr::parse(expr)?)?;
        let types = ctx.program.types.borrow();
        let t = types.strip(v.ty).map(|t| types.get(t).clone());
        drop(types);
        let w = wrap(expr);
        Ok(match t {
            Some(Type::Struct { members, .. }) => members
                .iter()
                .filter(|m| !m.name.is_empty())
                .map(|m| self.variable(ctx, &m.name, &format!("{w}.{}", m.name)))
                .collect(),
            Some(Type::Array { count: Some(n), .. }) => {
                let end = count.map_or(n, |c| start.saturating_add(c)).min(n).min(start.saturating_add(MAX_ELEMENTS));
                (start..end).map(|i| self.variable(ctx, &format!("[{i}]"), &format!("{w}[{i}]"))).collect()
            }
            Some(Type::Pointer { .. }) => vec![self.variable(ctx, &format!("*{expr}"), &format!("*{w}"))],
            _ => Vec::new(),
        })
    }

    /// A GC reference (or a field or element of one) at `path`: its summary, and its
    /// fields or elements as children when it is a struct or an array.
    fn gc_variable(&mut self, ctx: &Ctx<'_>, name: &str, path: &str, v: &Val) -> Value {
        let opens = crate::gcview::children(ctx, v).is_some_and(|c| !c.is_empty());
        let reference = if opens { self.add(Ref::Gc { frame: ctx.frame, path: path.to_string() }) } else { 0 };
        json!({
            "name": name,
            "value": crate::gcview::summary(ctx, v),
            "type": v.ty().to_string(),
            "evaluateName": path,
            "variablesReference": reference,
        })
    }

    /// Wasm local `i` (named by the name section, else `$localN`) of the frame; a `v128`
    /// opens up into its lane views (`$local0.i8x16`, ...), as a union.
    fn wasm_local(&mut self, ctx: &Ctx<'_>, i: usize, v: &Val) -> Value {
        let Some(f) = ctx.state.frames.get(ctx.frame) else { return Value::Null };
        let names = ctx.program.module.syntax().names.locals.get(&f.func);
        let name = names.and_then(|n| n.get(&(i as u32))).cloned().unwrap_or_else(|| format!("$local{i}"));
        if v.ty() == ValType::V128 {
            return self.variable(ctx, &name, &format!("$local{i}"));
        }
        if crate::gcview::is_gc(v) {
            return self.gc_variable(ctx, &name, &format!("$local{i}"), v);
        }
        json!({
            "name": name,
            "value": show_val(v),
            "type": v.ty().to_string(),
            "evaluateName": format!("$local{i}"),
            "variablesReference": 0,
        })
    }

    fn scope_vars(&mut self, ctx: &Ctx<'_>, scope: Scope) -> Vec<Value> {
        let p = ctx.program;
        let Some(f) = ctx.state.frames.get(ctx.frame) else { return Vec::new() };
        let pc = p.code_addr(f.offset);
        let df = p.dwarf.as_ref().and_then(|d| d.function_at(pc));
        let nparams = p.func_type(f.func).map_or(0, |t| t.params.len());
        match scope {
            Scope::Locals | Scope::Arguments => match df {
                Some(df) => {
                    let names: Vec<String> = if scope == Scope::Arguments {
                        df.params().map(|v| v.name.clone()).collect()
                    } else {
                        df.locals_at(pc).iter().map(|v| v.name.clone()).collect()
                    };
                    names.iter().map(|n| self.variable(ctx, n, n)).collect()
                }
                None => f
                    .locals
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| (scope == Scope::Arguments) == (*i < nparams))
                    .map(|(i, v)| self.wasm_local(ctx, i, v))
                    .collect(),
            },
            Scope::Globals => {
                let mut out: Vec<Value> = match &p.dwarf {
                    Some(d) => {
                        let names: Vec<String> = d.globals.iter().map(|g| g.name.clone()).collect();
                        names.iter().map(|n| self.variable(ctx, n, n)).collect()
                    }
                    None => Vec::new(),
                };
                for (i, g) in ctx.state.globals.iter().enumerate() {
                    if let Some(v) = g {
                        out.push(if v.ty() == ValType::V128 {
                            self.variable(ctx, &format!("$global{i}"), &format!("$global{i}"))
                        } else if crate::gcview::is_gc(v) {
                            self.gc_variable(ctx, &format!("$global{i}"), &format!("$global{i}"), v)
                        } else {
                            json!({
                                "name": format!("$global{i}"),
                                "value": show_val(v),
                                "type": v.ty().to_string(),
                                "evaluateName": format!("$global{i}"),
                                "variablesReference": 0,
                            })
                        });
                    }
                }
                out
            }
            Scope::WasmLocals => f.locals.iter().enumerate().map(|(i, v)| self.wasm_local(ctx, i, v)).collect(),
            Scope::Operands => f
                .operands
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    json!({
                        "name": format!("[{i}]"),
                        "value": show_operand_value(o),
                        "type": o.ty().to_string(),
                        "variablesReference": 0,
                    })
                })
                .collect(),
        }
    }

    /// The expression of variable `name` in container `reference` (as [`Refs::variables`]
    /// named it), and its frame.
    fn expr_of(&self, state: &ProgramState<'_>, args: &Value) -> Result<(usize, String)> {
        let name = args.get("name").and_then(Value::as_str).unwrap_or("").to_string();
        let r = args.get("variablesReference").and_then(Value::as_u64).unwrap_or(0) as usize;
        if r == 0 {
            // No container: `name` is an expression.
            return Ok((frame_index(state, args)?, name));
        }
        match r.checked_sub(1).and_then(|i| self.refs.get(i)) {
            Some(Ref::Scope { frame, .. }) => Ok((*frame, name)),
            Some(Ref::Expr { frame, expr }) => {
                let w = wrap(expr);
                let child = if let Some(i) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
                    format!("{w}[{i}]")
                } else if name.starts_with('*') {
                    format!("*{w}")
                } else {
                    format!("{w}.{name}")
                };
                Ok((*frame, child))
            }
            Some(Ref::Gc { frame, path }) => {
                let child = if name.starts_with('[') { format!("{path}{name}") } else { format!("{path}.{name}") };
                Ok((*frame, child))
            }
            None => Err(DebugError::NotFound(format!("variablesReference {r} is not valid at this stop"))),
        }
    }

    /// `dataBreakpointInfo`: a variable in linear memory can be watched for writes; its
    /// `dataId` is `ADDRESS/LENGTH`.
    pub fn data_info(&self, core: &Core, state: &ProgramState<'_>, args: &Value) -> Result<Value> {
        let (frame, expr) = self.expr_of(state, args)?;
        let ctx = Ctx { program: &core.program, state, frame, level: 0 };
        let v = ctx.eval(&crate::expr::parse(&expr)?)?;
        let size = core.program.types.borrow().size_of(v.ty).clamp(1, 4096);
        Ok(match v.loc {
            Loc::Memory(a) => json!({
                "dataId": format!("{a:#x}/{size}"),
                "description": format!("{expr} ({size} bytes at {a:#x})"),
                "accessTypes": ["write"],
                "canPersist": false,
            }),
            _ => json!({ "dataId": null, "description": format!("{expr} is not in linear memory") }),
        })
    }

    /// `evaluate` of an expression (watch, hover, the debug console's expressions).
    pub fn evaluate(&mut self, core: &Core, state: &ProgramState<'_>, args: &Value) -> Result<Value> {
        let expr = args.get("expression").and_then(Value::as_str).unwrap_or("").trim();
        let frame = frame_index(state, args)?;
        let ctx = Ctx { program: &core.program, state, frame, level: 0 };
        // A path into GC objects (`$local3.next.v`).
        if let Some(v) = crate::gcview::value_at(&ctx, expr)? {
            let g = self.gc_variable(&ctx, expr, expr, &v);
            return Ok(
                json!({ "result": g["value"], "type": g["type"], "variablesReference": g["variablesReference"] }),
            );
        }
        // Evaluate first so that an error is the response's, not a variable's text.
        ctx.eval(&crate::expr::parse(expr)?)?;
        let v = self.variable(&ctx, expr, expr);
        let mut out = json!({ "result": v["value"], "variablesReference": v["variablesReference"] });
        for key in ["type", "indexedVariables", "memoryReference"] {
            if let Some(x) = v.get(key) {
                out[key] = x.clone();
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn child_expressions_are_parenthesised_only_when_needed() {
        assert_eq!(wrap("sq"), "sq");
        assert_eq!(wrap("sq.corners[1]"), "sq.corners[1]");
        assert_eq!(wrap("p->corners[i + 1]"), "p->corners[i + 1]");
        assert_eq!(wrap("*p"), "(*p)");
        assert_eq!(wrap("a + b"), "(a + b)");
        assert_eq!(wrap("$local0"), "$local0");
    }
}
