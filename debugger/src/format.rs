//! Printing values like gdb: integers, chars, enums, pointers (with `char *` strings),
//! arrays, structs by C's rules, Rust frames' values by [`crate::lang::rust`]'s; memory
//! dumps for `x/NFU`; WAT disassembly with offsets.

use crate::dwarf::types::{Encoding, Type};
use crate::error::{DebugError, Result};
use crate::expr::{Ctx, Loc, Value};
use crate::lang::{Lang, rust};
use crate::program::Program;

/// `print/FMT` options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FormatOpts {
    /// `/r`: no built-in display of standard types (their raw structs).
    pub raw: bool,
    /// `/x`: integers in hexadecimal.
    pub hex: bool,
}

impl FormatOpts {
    /// Parses the letters after `print/` (`r`, `x`, `d`; of `x` and `d`, the last wins).
    pub fn parse(letters: &str) -> Result<FormatOpts> {
        let mut o = FormatOpts::default();
        for c in letters.chars() {
            match c {
                'r' => o.raw = true,
                'x' => o.hex = true,
                // Decimal, the default: `print/d` (a `v128`'s lanes in decimal).
                'd' => o.hex = false,
                _ => {
                    return Err(DebugError::Syntax(format!(
                        "Undefined output format \"{c}\" (print takes /r, /x and /d)."
                    )));
                }
            }
        }
        Ok(o)
    }
}

/// Escapes bytes as a C string literal body, like gdb (`\n`, `\000`).
pub fn c_string(bytes: &[u8]) -> String {
    let mut s = String::new();
    for &b in bytes {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\{b:03o}")),
        }
    }
    s
}

fn char_repr(v: i64) -> String {
    let b = v as u8;
    format!("{v} '{}'", if b == b'\'' { "\\'".to_string() } else { c_string(&[b]) })
}

/// Reads a NUL-terminated string at `addr` of memory 0 (at most 200 bytes).
pub fn read_c_string(ctx: &Ctx<'_>, addr: u64) -> Option<(Vec<u8>, bool)> {
    c_string_in(ctx.state.memory, addr)
}

/// Reads a NUL-terminated string at `addr` of `mem` (at most 200 bytes); whether it was
/// cut there.
fn c_string_in(mem: &[u8], addr: u64) -> Option<(Vec<u8>, bool)> {
    let start = usize::try_from(addr).ok()?;
    let rest = mem.get(start..)?;
    let limit = rest.len().min(200);
    match rest[..limit].iter().position(|&b| b == 0) {
        Some(n) => Some((rest[..n].to_vec(), false)),
        None => Some((rest[..limit].to_vec(), true)),
    }
}

/// Formats `v`; `top` adds gdb's `(type *)` prefix to pointers.
pub fn format_value(ctx: &Ctx<'_>, v: &Value, top: bool) -> String {
    format_value_with(ctx, v, top, FormatOpts::default())
}

/// [`format_value`] with `print/FMT` options.
pub fn format_value_with(ctx: &Ctx<'_>, v: &Value, top: bool, opts: FormatOpts) -> String {
    format_inner(ctx, v, top, 0, opts).unwrap_or_else(|e| format!("<error: {e}>"))
}

/// Formats `v` by the rules of the frame's language.
pub(crate) fn format_inner(ctx: &Ctx<'_>, v: &Value, top: bool, depth: u32, opts: FormatOpts) -> Result<String> {
    if v.loc == Loc::OptimizedOut {
        return Ok("<optimized out>".to_string());
    }
    if depth > 8 {
        return Ok("{...}".to_string());
    }
    // A wasm `v128` (or a lane view of one), in any language: `i32x4 [1, 2, 3, 4]`.
    let shape = ctx.program.types.borrow().vector_shape(v.ty);
    if let Some(shape) = shape {
        return Ok(crate::vector::format(&ctx.bytes(v)?, shape, opts.hex));
    }
    if ctx.lang() == Lang::Rust {
        return rust::format(ctx, v, top, depth, opts);
    }
    format_c(ctx, v, top, depth, opts)
}

/// Formats `v` by C's rules (members and elements by the frame's language again).
pub(crate) fn format_c(ctx: &Ctx<'_>, v: &Value, top: bool, depth: u32, opts: FormatOpts) -> Result<String> {
    let types = ctx.program.types.borrow();
    let stripped = types.strip(v.ty);
    let t = stripped.map(|t| types.get(t).clone()).unwrap_or(Type::Void);
    let name = types.name(v.ty);
    drop(types);
    Ok(match t {
        Type::Void | Type::Function { .. } => format!("<{name}>"),
        Type::Base { encoding: Encoding::Float, size, .. } => {
            let b = ctx.bytes(v)?;
            if size == 4 {
                let x = f32::from_le_bytes(b.get(..4).and_then(|s| s.try_into().ok()).unwrap_or_default());
                format!("{x}")
            } else {
                let x = f64::from_le_bytes(b.get(..8).and_then(|s| s.try_into().ok()).unwrap_or_default());
                format!("{x}")
            }
        }
        Type::Base { encoding: Encoding::Bool, .. } => (if ctx.int(v)? != 0 { "true" } else { "false" }).to_string(),
        Type::Base { encoding, .. } if encoding.is_char() => char_repr(ctx.int(v)?),
        Type::Base { size, .. } if opts.hex => {
            let mask = if size >= 8 { u64::MAX } else { (1u64 << (8 * size)) - 1 };
            format!("{:#x}", ctx.int(v)? as u64 & mask)
        }
        Type::Base { .. } => ctx.int(v)?.to_string(),
        Type::Enum { values, .. } => {
            let n = ctx.int(v)?;
            let size = ctx.program.types.borrow().size_of(v.ty);
            let n = if size == 4 { i64::from(n as u32 as i32) } else { n };
            values.iter().find(|(_, x)| *x == n).map_or_else(|| n.to_string(), |(s, _)| s.clone())
        }
        Type::Pointer { pointee }
            if ctx.program.types.borrow().references.contains(&stripped.unwrap_or(usize::MAX)) =>
        {
            // A C++ reference: gdb shows where it refers and the value there.
            let a = ctx.raw_pointer(v)?;
            let target = format_inner(ctx, &Value { ty: pointee, loc: Loc::Memory(a) }, false, depth + 1, opts)?;
            if top { format!("({name}) @{a:#x}: {target}") } else { format!("@{a:#x}: {target}") }
        }
        Type::Pointer { pointee } => {
            let a = ctx.int(v)? as u64 & 0xffff_ffff;
            let types = ctx.program.types.borrow();
            let is_char = matches!(types.strip(pointee).map(|p| types.get(p)), Some(Type::Base { encoding, .. }) if encoding.is_char());
            drop(types);
            let mut s = if top { format!("({name}) {a:#x}") } else { format!("{a:#x}") };
            if is_char && a != 0 {
                match read_c_string(ctx, a) {
                    Some((bytes, cut)) => {
                        s = format!("{a:#x} \"{}\"{}", c_string(&bytes), if cut { "..." } else { "" });
                    }
                    None => s.push_str(" <error: Cannot access memory>"),
                }
            }
            s
        }
        Type::Array { elem, count } => {
            let n = count.unwrap_or(0);
            let types = ctx.program.types.borrow();
            let esize = types.size_of(elem);
            let is_char = matches!(types.strip(elem).map(|p| types.get(p)), Some(Type::Base { encoding, size: 1, .. }) if encoding.is_char());
            drop(types);
            let bytes = ctx.bytes(v)?;
            if is_char {
                let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
                let tail = &bytes[end..];
                if tail.iter().all(|&b| b == 0) {
                    return Ok(format!("\"{}\"", c_string(&bytes[..end])));
                }
                return Ok(format!("\"{}\"", c_string(&bytes)));
            }
            let shown = n.min(200);
            let mut parts = Vec::new();
            for i in 0..shown {
                let chunk = bytes.get((i * esize) as usize..((i + 1) * esize) as usize).unwrap_or_default();
                let ev = Value { ty: elem, loc: Loc::Bytes(chunk.to_vec()) };
                parts.push(format_inner(ctx, &ev, false, depth + 1, opts)?);
            }
            if n > shown {
                parts.push("...".into());
            }
            format!("{{{}}}", parts.join(", "))
        }
        Type::Struct { members, .. } => {
            let bytes = ctx.bytes(v)?;
            let mut parts = Vec::new();
            for m in members {
                let size = ctx.program.types.borrow().size_of(m.ty);
                let chunk = bytes.get(m.offset as usize..(m.offset + size) as usize).unwrap_or_default();
                let mv = Value { ty: m.ty, loc: Loc::Bytes(chunk.to_vec()) };
                parts.push(format!("{} = {}", m.name, format_inner(ctx, &mv, false, depth + 1, opts)?));
            }
            format!("{{{}}}", parts.join(", "))
        }
        Type::Const(_) | Type::Volatile(_) | Type::Typedef { .. } => "<?>".to_string(),
    })
}

/// `x/NFU ADDR`: `count` units of `unit` bytes of memory 0 in format `fmt` (x, d, u, o,
/// t, c, s, i).
pub fn examine(ctx: &Ctx<'_>, addr: u64, count: u32, fmt: char, unit: u32) -> Result<Vec<String>> {
    examine_memory(ctx.state.memory, "", addr, count, fmt, unit)
}

/// [`examine`] of the memory `mem`, each line's address after `label` (`mem1:` for
/// memory 1, empty for memory 0, as gdb prints it).
pub fn examine_memory(mem: &[u8], label: &str, addr: u64, count: u32, fmt: char, unit: u32) -> Result<Vec<String>> {
    let mut out = Vec::new();
    if fmt == 's' {
        let mut a = addr;
        for _ in 0..count {
            let (bytes, cut) = c_string_in(mem, a)
                .ok_or_else(|| DebugError::Eval(format!("Cannot access memory at address {label}{a:#x}")))?;
            out.push(format!("{label}{a:#x}:\t\"{}\"{}", c_string(&bytes), if cut { "..." } else { "" }));
            a += bytes.len() as u64 + 1;
        }
        return Ok(out);
    }
    let per_line = match (fmt, unit) {
        ('c', _) | (_, 1) => 8,
        (_, 2) => 8,
        (_, 4) => 4,
        _ => 2,
    };
    let mut line = String::new();
    for i in 0..count as u64 {
        let a = addr + i * u64::from(unit);
        let b = usize::try_from(a)
            .ok()
            .and_then(|s| mem.get(s..s + unit as usize))
            .ok_or_else(|| DebugError::Eval(format!("Cannot access memory at address {label}{a:#x}")))?;
        let mut x = [0u8; 8];
        x[..unit as usize].copy_from_slice(b);
        let raw = u64::from_le_bytes(x);
        let bits = 8 * unit;
        let signed = if bits < 64 { ((raw << (64 - bits)) as i64) >> (64 - bits) } else { raw as i64 };
        let cell = match fmt {
            'x' => format!("0x{raw:0w$x}", w = (unit * 2) as usize),
            'd' => signed.to_string(),
            'u' => raw.to_string(),
            'o' => format!("0{raw:o}"),
            't' => format!("{raw:0w$b}", w = bits as usize),
            'c' => char_repr(signed),
            _ => return Err(DebugError::Syntax(format!("Undefined output format \"{fmt}\"."))),
        };
        if i % per_line == 0 {
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            line = format!("{label}{a:#x}:");
        }
        line.push('\t');
        line.push_str(&cell);
    }
    if !line.is_empty() {
        out.push(line);
    }
    Ok(out)
}

/// Disassembles `func`'s instructions between module offsets `from` and `to`
/// (inclusive), marking `pc` with `=>`.
pub fn disassemble(program: &Program, func: u32, from: u32, to: u32, pc: Option<u32>) -> Vec<String> {
    let Some(code) = program.code(func) else { return Vec::new() };
    code.offsets
        .iter()
        .zip(&code.instrs)
        .filter(|(o, _)| **o >= from && **o <= to)
        .map(|(o, i)| format!("{} {o:#08x}:  {i}", if Some(*o) == pc { "=>" } else { "  " }))
        .collect()
}

/// `message` with each `{EXPR}` replaced by the value of EXPR in frame `frame` (as `print`
/// shows it, or `<error>`); `{{` and `}}` are literal braces. For log points.
pub fn interpolate(program: &Program, state: &crate::state::ProgramState<'_>, frame: usize, message: &str) -> String {
    let ctx = Ctx { program, state, frame, level: 0 };
    let mut out = String::new();
    let mut rest = message;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if let Some(after) = tail.strip_prefix('}') {
            out.push('}');
            rest = after;
            continue;
        }
        let Some(end) = tail.find('}') else {
            out.push_str(tail);
            return out;
        };
        let expr = &tail[1..end];
        let shown = crate::expr::parse(expr)
            .and_then(|ast| ctx.eval(&ast))
            .map_or_else(|e| format!("<{e}>"), |v| format_value(&ctx, &v, false));
        out.push_str(&shown);
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::ProgramState;

    #[test]
    fn log_messages_interpolate_expressions() {
        let module = wasmscope_engine::Module::new(
            &wasmscope_engine::Engine::default(),
            &wat::parse_str("(module (func (export \"f\") (param i32)))").unwrap_or_default(),
        );
        let Ok(module) = module else { panic!("the test module compiles") };
        let program = Program::new(std::path::Path::new("t.wat"), module, Vec::new());
        let Ok(program) = program else { panic!("the program loads") };
        let state = ProgramState {
            frames: vec![crate::state::Frame {
                func: 0,
                offset: 0,
                locals: vec![wasmscope_engine::Val::I32(7)],
                operands: Vec::new(),
            }],
            memory: &[],
            memories: Vec::new(),
            globals: Vec::new(),
            store: None,
        };
        assert_eq!(interpolate(&program, &state, 0, "x={$local0} {{y}} }"), "x=7 {y} }");
        assert!(interpolate(&program, &state, 0, "{nosuch}").starts_with('<'));
        assert_eq!(interpolate(&program, &state, 0, "open {brace"), "open {brace");
    }
}
