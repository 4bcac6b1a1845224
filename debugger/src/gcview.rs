//! What GC references hold, for `print` (WebAssembly 3.0 struct and array objects,
//! `i31`s): `p $local3` shows a struct's fields by type (`{field0 = 1, field1 = 2.5}`) or
//! an array's length and elements (`[3] {10, 20, 30}`), `p $local3.field1` (or `.1`) a
//! field, `p $local3[2]` an element, nested references followed to a bounded depth;
//! `x $local3` examines an array's elements as bytes ([`array_bytes`]).
//! Expressions that do not start at a wasm local or global holding a GC reference are
//! left to the DWARF evaluator (`None`).

use wasmscope_engine::{AnyKind, Store, Val};

use crate::error::DebugError;
use crate::expr::Ctx;

/// How many elements of an array are shown (gdb's `print elements` default).
const ELEMENTS: usize = 200;
/// How deep nested references are opened.
const DEPTH: usize = 3;

/// One step of a path after the root: a struct field (by index or name) or an array
/// element.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Field(usize),
    Named(String),
    Index(usize),
}

/// `print EXPR` for a GC reference: `Some(text)` if `expr` names one (through a wasm
/// local `$localN`, a named wasm local, or `$globalN`), `None` to let the DWARF
/// evaluator have it.
pub fn print(ctx: &Ctx<'_>, expr: &str) -> Result<Option<String>, DebugError> {
    let Some(store) = ctx.state.store else { return Ok(None) };
    let Some(v) = value_at(ctx, expr)? else { return Ok(None) };
    Ok(Some(show(store, &Names(ctx.program.module.syntax()), &v, DEPTH)))
}

/// The GC reference a path names (`$local3.next[2]`, as for [`print`]); `None` if the
/// path does not start at a wasm local or global holding one.
pub fn value_at(ctx: &Ctx<'_>, expr: &str) -> Result<Option<Val>, DebugError> {
    let Some(store) = ctx.state.store else { return Ok(None) };
    let Some((root, path)) = split(expr.trim()) else { return Ok(None) };
    let Some(mut v) = root_value(ctx, root) else { return Ok(None) };
    if !is_gc(&v) {
        return Ok(None);
    }
    let names = Names(ctx.program.module.syntax());
    for step in path {
        v = follow(store, &names, &v, step)?;
    }
    Ok(Some(v))
}

/// Most elements `x` reads of an array.
const EXAMINE_ELEMENTS: usize = 1 << 20;

/// The elements of a GC array as `x` examines them: `expr` names an array (as for
/// [`print`]); its elements' bytes as the object stores them (little-endian, each of its
/// storage size: 1 for `i8`, 2 for `i16`, 8 for a reference), the element size and the
/// number of elements. `None` if `expr` names no GC reference (the DWARF evaluator's).
pub fn array_bytes(ctx: &Ctx<'_>, expr: &str) -> Result<Option<(Vec<u8>, u32, u32)>, DebugError> {
    use wasmscope_engine::syntax::{StorageType, ValType};
    let Some(store) = ctx.state.store else { return Ok(None) };
    let Some(v) = value_at(ctx, expr)? else { return Ok(None) };
    let any = match v {
        Val::AnyRef(Some(a)) => a,
        Val::ExternRef(Some(e)) if e.host_id().is_none() => e.internalize(),
        Val::AnyRef(None) | Val::ExternRef(None) => {
            return Err(DebugError::Eval("Cannot examine a null reference.".into()));
        }
        _ => return Err(DebugError::Eval("Not an array reference: x examines an array's elements.".into())),
    };
    if any.kind() != AnyKind::Array {
        return Err(DebugError::Eval("Not an array reference: x examines an array's elements.".into()));
    }
    let c = any
        .contents(store, EXAMINE_ELEMENTS)
        .ok_or_else(|| DebugError::Eval("The reference is not an object of this program.".into()))?;
    let storage = c.types.first().copied().unwrap_or(StorageType::I8);
    let size: u32 = match storage {
        StorageType::I8 => 1,
        StorageType::I16 => 2,
        StorageType::Val(ValType::I32 | ValType::F32) => 4,
        StorageType::Val(ValType::V128) => 16,
        StorageType::Val(_) => 8,
    };
    let mut bytes = Vec::with_capacity(c.values.len() * size as usize);
    for e in &c.values {
        let raw: u128 = match *e {
            Val::I32(x) => u128::from(x as u32),
            Val::I64(x) => u128::from(x as u64),
            Val::F32(x) => u128::from(x),
            Val::F64(x) => u128::from(x),
            Val::V128(x) => x,
            Val::AnyRef(a) => u128::from(a.map_or(0, |a| a.raw_bits())),
            Val::ExternRef(r) => u128::from(r.map_or(0, |r| r.internalize().raw_bits())),
            // Function and exception references are opaque: 1 for a non-null one.
            Val::FuncRef(f) => u128::from(f.is_some()),
            Val::ExnRef(e) => u128::from(e.is_some()),
        };
        bytes.extend_from_slice(&raw.to_le_bytes()[..size as usize]);
    }
    Ok(Some((bytes, size, c.len)))
}

/// The module's names of types and fields, by canonical type id.
struct Names<'m>(&'m wasmscope_engine::syntax::Module);

impl Names<'_> {
    /// The module's type index of a canonical type.
    fn index(&self, type_id: u32) -> Option<u32> {
        self.0.canonical.iter().position(|id| *id == type_id).map(|i| i as u32)
    }

    /// `$name` of a type, or its index.
    fn type_name(&self, type_id: u32) -> String {
        match self.index(type_id) {
            Some(i) => self.0.names.types.get(&i).map_or_else(|| format!("type {i}"), |n| format!("${n}")),
            None => format!("type #{type_id}"),
        }
    }

    /// The name of field `i` of a struct type, or `field{i}`.
    fn field_name(&self, type_id: u32, i: usize) -> String {
        self.index(type_id)
            .and_then(|t| self.0.names.fields.get(&t))
            .and_then(|f| f.get(&(i as u32)))
            .cloned()
            .unwrap_or_else(|| format!("field{i}"))
    }

    /// The index of the field called `name` of a struct type.
    fn field_index(&self, type_id: u32, name: &str) -> Option<usize> {
        let t = self.index(type_id)?;
        self.0.names.fields.get(&t)?.iter().find(|(_, n)| n.as_str() == name).map(|(i, _)| *i as usize)
    }
}

/// A GC reference's fields or elements for a tree view (the TUI's locals): each with its
/// label (the field's name, or `[i]`) and the path step that names it (`.x`, `[i]`);
/// `None` for anything that does not open (a number, null, an `i31`, a host reference).
pub fn children(ctx: &Ctx<'_>, v: &Val) -> Option<Vec<(String, String, Val)>> {
    let store = ctx.state.store?;
    let names = Names(ctx.program.module.syntax());
    let any = match v {
        Val::AnyRef(Some(a)) => *a,
        Val::ExternRef(Some(e)) if e.host_id().is_none() => e.internalize(),
        _ => return None,
    };
    let c = any.contents(store, ELEMENTS)?;
    Some(match any.kind() {
        AnyKind::Struct => c
            .values
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let n = names.field_name(c.type_id, i);
                (n.clone(), format!(".{n}"), *f)
            })
            .collect(),
        _ => c.values.iter().enumerate().map(|(i, e)| (format!("[{i}]"), format!("[{i}]"), *e)).collect(),
    })
}

/// A value as one line of a tree view: GC objects shown one level deep.
pub fn summary(ctx: &Ctx<'_>, v: &Val) -> String {
    match ctx.state.store {
        Some(store) if is_gc(v) => show(store, &Names(ctx.program.module.syntax()), v, 1),
        _ => crate::repl::show_val(v),
    }
}

/// Whether a value is a reference this module shows.
pub fn is_gc(v: &Val) -> bool {
    matches!(v, Val::AnyRef(_) | Val::ExternRef(Some(_)))
}

/// The root name and the steps after it (`$local3.field1[2]` → `$local3`, [Field(1),
/// Index(2)]); `None` if the text is not of that form.
fn split(expr: &str) -> Option<(&str, Vec<Step>)> {
    let end = expr.find(['.', '[']).unwrap_or(expr.len());
    let (root, mut rest) = expr.split_at(end);
    if root.is_empty() || !root.chars().all(|c| c == '$' || c == '_' || c.is_ascii_alphanumeric()) {
        return None;
    }
    let mut path = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let n = r.find(['.', '[']).unwrap_or(r.len());
            let name = &r[..n];
            match name.strip_prefix("field").unwrap_or(name).parse() {
                Ok(i) => path.push(Step::Field(i)),
                Err(_) if !name.is_empty() && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric()) => {
                    path.push(Step::Named(name.to_string()))
                }
                Err(_) => return None,
            }
            rest = &r[n..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let close = r.find(']')?;
            path.push(Step::Index(r[..close].trim().parse().ok()?));
            rest = &r[close + 1..];
        } else {
            return None;
        }
    }
    Some((root, path))
}

/// The value of `$localN`, `$globalN` or a named wasm local of the selected frame.
fn root_value(ctx: &Ctx<'_>, root: &str) -> Option<Val> {
    let frame = ctx.state.frames.get(ctx.frame)?;
    if let Some(n) = root.strip_prefix("$local").and_then(|n| n.parse::<usize>().ok()) {
        return frame.locals.get(n).copied();
    }
    if let Some(n) = root.strip_prefix("$global").and_then(|n| n.parse::<usize>().ok()) {
        return ctx.state.globals.get(n).copied().flatten();
    }
    let names = &ctx.program.module.syntax().names;
    let (&i, _) = names.locals.get(&frame.func)?.iter().find(|(_, n)| n.as_str() == root)?;
    frame.locals.get(i as usize).copied()
}

/// The field or element a step names.
fn follow(store: &Store, names: &Names<'_>, v: &Val, step: Step) -> Result<Val, DebugError> {
    let err = |m: String| DebugError::Eval(m);
    let any = match v {
        Val::AnyRef(Some(a)) => *a,
        Val::ExternRef(Some(e)) => e.internalize(),
        Val::AnyRef(None) | Val::ExternRef(None) => {
            return Err(err("Cannot access a field of a null reference.".into()));
        }
        _ => return Err(err("Not a struct or array reference.".into())),
    };
    let kind_ok = match step {
        Step::Field(_) | Step::Named(_) => any.kind() == AnyKind::Struct,
        Step::Index(_) => any.kind() == AnyKind::Array,
    };
    if !kind_ok {
        return Err(err(format!(
            "Not a{} reference.",
            if matches!(step, Step::Index(_)) { "n array" } else { " struct" }
        )));
    }
    let (i, what) = match step {
        Step::Field(i) => (i, "field"),
        Step::Index(i) => (i, "element"),
        Step::Named(name) => {
            let id = any.contents(store, 0).map(|c| c.type_id);
            let i = id
                .and_then(|id| names.field_index(id, &name))
                .ok_or_else(|| err(format!("There is no member named {name}.")))?;
            (i, "field")
        }
    };
    let c = any.contents(store, i + 1).ok_or_else(|| err("The reference is not an object of this program.".into()))?;
    c.values.get(i).copied().ok_or_else(|| err(format!("No {what} {i}: the object has {}.", c.len)))
}

/// A value as `print` shows it, GC objects opened to `depth` levels.
fn show(store: &Store, names: &Names<'_>, v: &Val, depth: usize) -> String {
    let any = match v {
        Val::AnyRef(Some(a)) => *a,
        Val::ExternRef(Some(e)) if e.host_id().is_none() => e.internalize(),
        other => return crate::repl::show_val(other),
    };
    match any.kind() {
        // As `i31.get_s` reads it.
        AnyKind::I31 => format!("i31 {}", ((any.as_i31().unwrap_or(0) << 1) as i32) >> 1),
        AnyKind::Host => format!("host {}", any.host_id().unwrap_or(0)),
        AnyKind::Struct | AnyKind::Array if depth == 0 => {
            format!("({} {})", if any.kind() == AnyKind::Struct { "struct" } else { "array" }, "...")
        }
        AnyKind::Struct => match any.contents(store, usize::MAX) {
            Some(c) => {
                let fields: Vec<String> = c
                    .values
                    .iter()
                    .enumerate()
                    .map(|(i, f)| format!("{} = {}", names.field_name(c.type_id, i), show(store, names, f, depth - 1)))
                    .collect();
                format!("(struct {}) {{{}}}", names.type_name(c.type_id), fields.join(", "))
            }
            None => "(struct of another store)".into(),
        },
        AnyKind::Array => match any.contents(store, ELEMENTS) {
            Some(c) => {
                let mut items: Vec<String> = c.values.iter().map(|e| show(store, names, e, depth - 1)).collect();
                if (c.len as usize) > ELEMENTS {
                    items.push("...".into());
                }
                format!("(array {}) [{}] {{{}}}", names.type_name(c.type_id), c.len, items.join(", "))
            }
            None => "(array of another store)".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(split("$local3"), Some(("$local3", vec![])));
        assert_eq!(
            split("$local3.field1[2].0"),
            Some(("$local3", vec![Step::Field(1), Step::Index(2), Step::Field(0)]))
        );
        assert_eq!(split("list.next"), Some(("list", vec![Step::Named("next".into())])));
        assert_eq!(split("p.x->y"), None);
        assert_eq!(split("a + b"), None);
    }
}
