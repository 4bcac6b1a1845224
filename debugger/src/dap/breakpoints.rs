//! DAP's `setBreakpoints`, `setFunctionBreakpoints` and `setDataBreakpoints` (the DAP
//! specification's requests of those names) on the core's [`Points`]: each request
//! replaces the breakpoints of its source (or all function / data breakpoints); lines and
//! functions resolve as the REPL's `break` does ([`Program::resolve_line`],
//! [`Program::find_funcs`], [`Program::func_entry`]), data breakpoints are the core's
//! write watchpoints (as the REPL's `watch`), with conditions, hit conditions and log
//! points kept on the [`Point`].
//!
//! [`Points`]: crate::breakpoints::Points
//! [`Point`]: crate::breakpoints::Point

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::breakpoints::{HitCondition, PointKind};
use crate::error::{DebugError, Result};
use crate::program::Program;
use crate::session::Core;

/// Which core points each DAP request made.
#[derive(Debug, Default)]
pub struct Table {
    /// Source path (as the client names it) → its breakpoints.
    by_source: HashMap<String, Vec<u32>>,
    functions: Vec<u32>,
    data: Vec<u32>,
}

/// `FILE:LINE` → (line used, offsets); a full path the DWARF does not name is tried by
/// its file name (DWARF often has paths relative to the compilation directory).
fn resolve(program: &Program, path: &str, line: u32) -> Result<(u32, Vec<u32>)> {
    match program.resolve_line(Some(path), line, None) {
        Err(DebugError::NotFound(m)) if m.starts_with("No source file") => {
            let name = std::path::Path::new(path).file_name().map(|n| n.to_string_lossy().into_owned());
            match name {
                Some(n) if n != path => program.resolve_line(Some(&n), line, None),
                _ => Err(DebugError::NotFound(m)),
            }
        }
        r => r,
    }
}

/// Applies `condition`, `hitCondition` and `logMessage` of a DAP breakpoint to point `id`.
fn options(core: &mut Core, id: u32, bp: &Value) -> Result<()> {
    let condition = bp.get("condition").and_then(Value::as_str).filter(|c| !c.trim().is_empty());
    if let Some(c) = condition {
        crate::expr::parse(c)?;
    }
    let hit = match bp.get("hitCondition").and_then(Value::as_str).filter(|c| !c.trim().is_empty()) {
        Some(h) => Some(
            HitCondition::parse(h)
                .ok_or_else(|| DebugError::Syntax(format!("hit condition `{h}`: expected N, =N, >N, >=N or %N")))?,
        ),
        None => None,
    };
    let log = bp.get("logMessage").and_then(Value::as_str).map(str::to_string);
    if let Some(p) = core.points.get_mut(id) {
        p.condition = condition.map(str::to_string);
        p.hit_condition = hit;
        p.log_message = log;
    }
    Ok(())
}

fn unverified(message: &str) -> Value {
    json!({ "verified": false, "message": message })
}

impl Table {
    /// `setBreakpoints`: the response body.
    pub fn set_source(&mut self, core: &mut Core, args: &Value) -> Value {
        let source = args.get("source").cloned().unwrap_or(json!({}));
        let path = source.get("path").or_else(|| source.get("name")).and_then(Value::as_str).unwrap_or("").to_string();
        for id in self.by_source.remove(&path).unwrap_or_default() {
            core.points.delete(id);
        }
        let wanted = args.get("breakpoints").and_then(Value::as_array).cloned().unwrap_or_default();
        let mut ids = Vec::new();
        let mut out = Vec::new();
        for bp in &wanted {
            let Some(line) = bp.get("line").and_then(Value::as_u64).and_then(|l| u32::try_from(l).ok()) else {
                out.push(unverified("a breakpoint without a line"));
                continue;
            };
            let (found, offsets) = match resolve(&core.program, &path, line) {
                Ok(r) => r,
                Err(e) => {
                    out.push(unverified(&e.to_string()));
                    continue;
                }
            };
            let first = offsets[0];
            let name = core.program.func_at(first).map(|f| core.program.func_name(f)).unwrap_or_default();
            let id = core.points.add(
                PointKind::Break { offsets },
                format!("{path}:{line}"),
                format!("{name} at {path}:{found}"),
                false,
            );
            ids.push(id);
            match options(core, id, bp) {
                Ok(()) => out.push(json!({ "id": id, "verified": true, "line": found, "source": source })),
                Err(e) => {
                    core.points.delete(id);
                    ids.pop();
                    out.push(unverified(&e.to_string()));
                }
            }
        }
        self.by_source.insert(path, ids);
        json!({ "breakpoints": out })
    }

    /// `setFunctionBreakpoints`: the response body.
    pub fn set_functions(&mut self, core: &mut Core, args: &Value) -> Value {
        for id in self.functions.drain(..) {
            core.points.delete(id);
        }
        let wanted = args.get("breakpoints").and_then(Value::as_array).cloned().unwrap_or_default();
        let mut out = Vec::new();
        for bp in &wanted {
            let name = bp.get("name").and_then(Value::as_str).unwrap_or("");
            let p = &core.program;
            let offsets: Vec<u32> = p.find_funcs(name).iter().filter_map(|f| p.func_entry(*f)).collect();
            let Some(&first) = offsets.first() else {
                out.push(unverified(&format!("Function \"{name}\" not defined.")));
                continue;
            };
            let loc = p.line_at(first);
            let id = core.points.add(PointKind::Break { offsets }, name.to_string(), name.to_string(), false);
            match options(core, id, bp) {
                Ok(()) => {
                    self.functions.push(id);
                    let mut b = json!({ "id": id, "verified": true });
                    if let Some(l) = loc {
                        b["line"] = json!(l.line);
                        b["source"] = super::variables::source(&core.program, &l.path);
                    }
                    out.push(b);
                }
                Err(e) => {
                    core.points.delete(id);
                    out.push(unverified(&e.to_string()));
                }
            }
        }
        json!({ "breakpoints": out })
    }

    /// `setDataBreakpoints` (write watchpoints on `ADDRESS/LENGTH` data ids); `state` gives
    /// the watched bytes' values now, when the program is paused.
    pub fn set_data(&mut self, core: &mut Core, state: Option<&crate::state::ProgramState<'_>>, args: &Value) -> Value {
        for id in self.data.drain(..) {
            core.points.delete(id);
        }
        let wanted = args.get("breakpoints").and_then(Value::as_array).cloned().unwrap_or_default();
        let mut out = Vec::new();
        for bp in &wanted {
            let id_text = bp.get("dataId").and_then(Value::as_str).unwrap_or("");
            let parsed = id_text.split_once('/').and_then(|(a, l)| {
                let addr = u64::try_from(crate::expr::parse_int(a)?).ok()?;
                let len = l.parse::<u64>().ok().filter(|l| (1..=4096).contains(l))?;
                Some((addr, len))
            });
            let Some((addr, len)) = parsed else {
                out.push(unverified(&format!("`{id_text}` is not a data breakpoint of this adapter")));
                continue;
            };
            if bp.get("accessType").and_then(Value::as_str).is_some_and(|a| a != "write") {
                out.push(unverified("only writes can be watched"));
                continue;
            }
            let old = state.and_then(|s| s.read(addr, len)).map(<[u8]>::to_vec);
            let id = core.points.add(
                PointKind::Watch { addr, len, ty: None, old },
                id_text.to_string(),
                format!("{len} bytes at {addr:#x}"),
                false,
            );
            match options(core, id, bp) {
                Ok(()) => {
                    self.data.push(id);
                    out.push(json!({ "id": id, "verified": true }));
                }
                Err(e) => {
                    core.points.delete(id);
                    out.push(unverified(&e.to_string()));
                }
            }
        }
        json!({ "breakpoints": out })
    }

    /// Whether `id` is one of the function breakpoints (for the stop's reason).
    pub fn is_function(&self, id: u32) -> bool {
        self.functions.contains(&id)
    }
}
