//! Rust values as rust-gdb prints them: enums from their variant parts (DWARF 5
//! §5.7.10) as `prog::Event::Add(40)` / `prog::Event::Remove{idx: 1}` /
//! `core::option::Option<&u32>::None`, structs as `prog::Item {name: "a", qty: 1}`,
//! tuples as `(1, 2)`, arrays as `[1, 2]`, pointers as `0x...`, and the standard types
//! recognised by their DWARF names — `String` and `&str` as `"text"`, `Vec<T>` as
//! `Vec(size=3) = {10, 20, 30}`, slices as `&[u32](size=2) = {20, 30}`, `Rc<T>`/`Arc<T>`
//! as `Rc(strong=2, weak=0) = {value = 5, strong = 2, weak = 0}`, `Box<T>` and references
//! as pointers — unless `print/r` asks for the raw form.

use crate::dwarf::types::{Member, Type, TypeId};
use crate::error::{DebugError, Result};
use crate::expr::{Ctx, Loc, Value};
use crate::format::{FormatOpts, c_string, format_c, format_inner};

/// How many elements of a `Vec` or slice are shown (gdb's `print elements` default).
const MAX_ELEMENTS: u64 = 200;

/// The standard types with a display of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StdKind {
    String,
    Str,
    Vec,
    Slice,
    Rc,
    Arc,
}

/// Recognises a standard type by its qualified DWARF name.
pub fn std_kind(name: &str) -> Option<StdKind> {
    Some(match name {
        "alloc::string::String" => StdKind::String,
        "&str" | "&mut str" => StdKind::Str,
        _ if name.starts_with("alloc::vec::Vec<") => StdKind::Vec,
        _ if name.starts_with("&[") || name.starts_with("&mut [") => StdKind::Slice,
        _ if name.starts_with("alloc::rc::Rc<") => StdKind::Rc,
        _ if name.starts_with("alloc::sync::Arc<") => StdKind::Arc,
        _ => return None,
    })
}

/// The part of `v` at `offset` with type `ty` (an lvalue if `v` is one).
pub fn field(ctx: &Ctx<'_>, v: &Value, offset: u64, ty: Option<TypeId>) -> Result<Value> {
    let size = ctx.program.types.borrow().size_of(ty);
    let loc = match &v.loc {
        Loc::Memory(a) => Loc::Memory(a + offset),
        Loc::Bytes(_) => {
            let b = ctx.bytes(v)?;
            Loc::Bytes(b.get(offset as usize..(offset + size) as usize).unwrap_or_default().to_vec())
        }
        Loc::OptimizedOut => Loc::OptimizedOut,
    };
    Ok(Value { ty, loc })
}

fn members_of(ctx: &Ctx<'_>, ty: Option<TypeId>) -> Vec<Member> {
    let types = ctx.program.types.borrow();
    match types.strip(ty).map(|t| types.get(t)) {
        Some(Type::Struct { members, .. }) => members.clone(),
        _ => Vec::new(),
    }
}

/// Member `name` of struct value `v`.
pub fn member(ctx: &Ctx<'_>, v: &Value, name: &str) -> Option<Value> {
    let m = members_of(ctx, v.ty).into_iter().find(|m| m.name == name)?;
    field(ctx, v, m.offset, m.ty).ok()
}

/// The first pointer inside `v`, depth first (`Vec`'s `buf.ptr.pointer.pointer`, which
/// changes shape between Rust versions): its address and pointee type.
pub fn first_pointer(ctx: &Ctx<'_>, v: &Value, depth: u32) -> Option<(u64, Option<TypeId>)> {
    if depth > 8 {
        return None;
    }
    let pointee = {
        let types = ctx.program.types.borrow();
        match types.strip(v.ty).map(|t| types.get(t)) {
            Some(Type::Pointer { pointee }) => Some(*pointee),
            _ => None,
        }
    };
    if let Some(pointee) = pointee {
        return Some((ctx.int(v).ok()? as u64 & 0xffff_ffff, pointee));
    }
    for m in members_of(ctx, v.ty) {
        if let Some(found) = field(ctx, v, m.offset, m.ty).ok().and_then(|f| first_pointer(ctx, &f, depth + 1)) {
            return Some(found);
        }
    }
    None
}

/// Data pointer, element type and length of a `String`, `&str`, `Vec<T>` or slice.
pub fn sequence(ctx: &Ctx<'_>, v: &Value, kind: StdKind) -> Result<(u64, Option<TypeId>, u64)> {
    let bad = || DebugError::Eval(format!("unexpected layout of `{}`", ctx.program.types.borrow().rust_name(v.ty)));
    let len_of = |x: &Value, name: &str| member(ctx, x, name).and_then(|l| ctx.int(&l).ok()).map(|n| n as u64);
    let len = match kind {
        StdKind::String => member(ctx, v, "vec").and_then(|vec| len_of(&vec, "len")),
        StdKind::Vec => len_of(v, "len"),
        StdKind::Str | StdKind::Slice => len_of(v, "length"),
        StdKind::Rc | StdKind::Arc => None,
    }
    .ok_or_else(bad)?;
    let (ptr, elem) = first_pointer(ctx, v, 0).ok_or_else(bad)?;
    Ok((ptr, elem, len))
}

fn elements(ctx: &Ctx<'_>, addr: u64, elem: Option<TypeId>, n: u64, depth: u32, opts: FormatOpts) -> Result<String> {
    let size = ctx.program.types.borrow().size_of(elem);
    let shown = n.min(MAX_ELEMENTS);
    let mut parts = Vec::new();
    for i in 0..shown {
        let ev = Value { ty: elem, loc: Loc::Memory(addr + i * size) };
        parts.push(format_inner(ctx, &ev, false, depth + 1, opts)?);
    }
    if n > shown {
        parts.push("...".to_string());
    }
    Ok(parts.join(", "))
}

fn std_value(ctx: &Ctx<'_>, v: &Value, kind: StdKind, name: &str, depth: u32, opts: FormatOpts) -> Result<String> {
    match kind {
        StdKind::String | StdKind::Str => {
            let (ptr, _, len) = sequence(ctx, v, kind)?;
            let shown = len.min(u64::from(u16::MAX));
            let bytes = ctx
                .state
                .read(ptr, shown)
                .ok_or_else(|| DebugError::Eval(format!("Cannot access memory at address {ptr:#x}")))?;
            Ok(format!("\"{}\"{}", c_string(bytes), if shown < len { "..." } else { "" }))
        }
        StdKind::Vec | StdKind::Slice => {
            let (ptr, elem, len) = sequence(ctx, v, kind)?;
            let head = if kind == StdKind::Vec { "Vec".to_string() } else { name.to_string() };
            if len == 0 {
                return Ok(format!("{head}(size=0)"));
            }
            Ok(format!("{head}(size={len}) = {{{}}}", elements(ctx, ptr, elem, len, depth, opts)?))
        }
        StdKind::Rc | StdKind::Arc => {
            let bad = || DebugError::Eval(format!("unexpected layout of `{name}`"));
            let (ptr, inner) = first_pointer(ctx, v, 0).ok_or_else(bad)?;
            let boxed = Value { ty: inner, loc: Loc::Memory(ptr) };
            let count = |n: &str| -> Result<u64> {
                let c = member(ctx, &boxed, n).ok_or_else(bad)?;
                // `Cell<usize>` / `AtomicUsize`: the count is the first integer inside.
                let mut cur = c;
                for _ in 0..4 {
                    if let Ok(x) = ctx.int(&cur) {
                        return Ok(x as u64);
                    }
                    let first = members_of(ctx, cur.ty).into_iter().next().ok_or_else(bad)?;
                    cur = field(ctx, &cur, first.offset, first.ty)?;
                }
                Err(bad())
            };
            let value = member(ctx, &boxed, "value").or_else(|| member(ctx, &boxed, "data")).ok_or_else(bad)?;
            let head = if kind == StdKind::Rc { "Rc" } else { "Arc" };
            // The weak count includes the one all strong references hold together.
            let (strong, weak) = (count("strong")?, count("weak")?.saturating_sub(1));
            let value = format_inner(ctx, &value, false, depth + 1, opts)?;
            Ok(format!("{head}(strong={strong}, weak={weak}) = {{value = {value}, strong = {strong}, weak = {weak}}}"))
        }
    }
}

/// Whether the fields are a tuple's (`__0`, `__1`, ...).
fn is_tuple(members: &[Member]) -> bool {
    !members.is_empty() && members.iter().all(|m| m.name.strip_prefix("__").is_some_and(|d| d.parse::<u32>().is_ok()))
}

/// `name(a, b)`, `name{x: a}` (`sep` between name and brace: rust-gdb puts a space after a
/// struct's name but none after an enum variant's), or `name` alone.
fn fields(ctx: &Ctx<'_>, v: &Value, name: &str, sep: &str, depth: u32, opts: FormatOpts) -> Result<String> {
    let members = members_of(ctx, v.ty);
    if members.is_empty() {
        return Ok(name.to_string());
    }
    let mut parts = Vec::new();
    let tuple = is_tuple(&members);
    for m in &members {
        let fv = field(ctx, v, m.offset, m.ty)?;
        let shown = format_inner(ctx, &fv, false, depth + 1, opts)?;
        parts.push(if tuple { shown } else { format!("{}: {shown}", m.name) });
    }
    let body = parts.join(", ");
    Ok(if tuple {
        // Tuples have names like `(u32, u32)`: rust-gdb shows `(1, 2)` for them.
        if name.starts_with('(') { format!("({body})") } else { format!("{name}{}({body})", sep.trim()) }
    } else {
        format!("{name}{sep}{{{body}}}")
    })
}

/// The selected variant of enum value `v` and the value of its fields' struct.
pub fn active_variant(ctx: &Ctx<'_>, v: &Value) -> Result<Option<(String, Value)>> {
    let part = {
        let types = ctx.program.types.borrow();
        match types.strip(v.ty).map(|t| types.get(t)) {
            Some(Type::Struct { variants: Some(vp), .. }) => (**vp).clone(),
            _ => return Ok(None),
        }
    };
    let (discr, size) = match &part.discr {
        Some(d) => {
            let dv = field(ctx, v, d.offset, d.ty)?;
            let size = ctx.program.types.borrow().size_of(d.ty);
            (Some(ctx.int(&dv)? as u64), size)
        }
        None => (None, 0),
    };
    let Some(var) = part.select(discr, size) else {
        return Err(DebugError::Eval(format!("invalid enum discriminant {}", discr.unwrap_or(0))));
    };
    let fv = field(ctx, v, var.member.offset, var.member.ty)?;
    let name = ctx.program.types.borrow().rust_name(var.member.ty);
    Ok(Some((name, fv)))
}

/// Formats `v` by Rust's rules.
pub fn format(ctx: &Ctx<'_>, v: &Value, top: bool, depth: u32, opts: FormatOpts) -> Result<String> {
    let (t, name) = {
        let types = ctx.program.types.borrow();
        let t = types.strip(v.ty).map(|t| types.get(t).clone()).unwrap_or(Type::Void);
        (t, types.rust_name(v.ty))
    };
    match t {
        Type::Struct { variants: Some(_), .. } => match active_variant(ctx, v)? {
            Some((vname, fv)) => fields(ctx, &fv, &vname, "", depth, opts),
            None => Ok(name),
        },
        Type::Struct { .. } => match std_kind(&name).filter(|_| !opts.raw) {
            Some(kind) => std_value(ctx, v, kind, &name, depth, opts),
            None => fields(ctx, v, &name, " ", depth, opts),
        },
        Type::Array { elem, count } => {
            let n = count.unwrap_or(0);
            let size = ctx.program.types.borrow().size_of(elem);
            let shown = n.min(MAX_ELEMENTS);
            let mut parts = Vec::new();
            for i in 0..shown {
                parts.push(format_inner(ctx, &field(ctx, v, i * size, elem)?, false, depth + 1, opts)?);
            }
            if n > shown {
                parts.push("...".to_string());
            }
            Ok(format!("[{}]", parts.join(", ")))
        }
        Type::Pointer { .. } => {
            let a = ctx.int(v)? as u64 & 0xffff_ffff;
            Ok(if top { format!("({name}) {a:#x}") } else { format!("{a:#x}") })
        }
        Type::Enum { values, .. } => {
            let n = ctx.int(v)?;
            Ok(values.iter().find(|(_, x)| *x == n).map_or_else(|| n.to_string(), |(s, _)| format!("{name}::{s}")))
        }
        _ => format_c(ctx, v, top, depth, opts),
    }
}

/// Whether gdb shows the value in a frame line (`print frame-arguments scalars`): strings
/// and numbers are shown, other aggregates as `...`.
pub fn is_scalar_display(ctx: &Ctx<'_>, ty: Option<TypeId>) -> bool {
    let types = ctx.program.types.borrow();
    match types.strip(ty).map(|t| types.get(t)) {
        Some(Type::Struct { .. }) => matches!(std_kind(&types.rust_name(ty)), Some(StdKind::Str | StdKind::String)),
        Some(Type::Array { .. }) => false,
        // A C++ reference to an aggregate is `...` too.
        Some(Type::Pointer { pointee }) if types.strip(ty).is_some_and(|t| types.references.contains(&t)) => {
            !matches!(types.strip(*pointee).map(|p| types.get(p)), Some(Type::Struct { .. } | Type::Array { .. }))
        }
        _ => true,
    }
}
