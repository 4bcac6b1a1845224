//! `print` expressions: a small C expression parser (variables, literals, `*p`, `&x`,
//! `p->f`, `s.f`, `a[i]`, arithmetic, comparisons, `&&`/`||`, C casts `(int)x`,
//! `sizeof`, gdb's `a[0]@N` artificial arrays) with Rust's additions (`x as u64`, paths
//! `a::b`), and its evaluation against DWARF variables, wasm locals and linear memory.
//! The frame's language ([`crate::lang::Lang`]) picks the rules where they differ: Rust
//! auto-dereferences on `.` and indexes `Vec`s, slices and strings.

use wasmscope_engine::syntax::ValType;

use crate::dwarf::eval::{Place, evaluate, frame_base};
use crate::dwarf::types::{Encoding, POINTER_SIZE, Type, TypeId};
use crate::error::{DebugError, Result};
use crate::lang::Lang;
use crate::program::Program;
use crate::state::{ProgramState, val_bytes};

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Ast {
    Num(i64),
    Var(String),
    /// `$pc`, `$local3`, `$global0`.
    Reg(String),
    Deref(Box<Ast>),
    AddrOf(Box<Ast>),
    Neg(Box<Ast>),
    Not(Box<Ast>),
    Member(Box<Ast>, String),
    Arrow(Box<Ast>, String),
    Index(Box<Ast>, Box<Ast>),
    Bin(BinOp, Box<Ast>, Box<Ast>),
    /// `(TYPE) x` or `x as TYPE`.
    Cast(String, Box<Ast>),
    /// `sizeof(TYPE)`.
    SizeofType(String),
    /// `sizeof EXPR`.
    SizeofExpr(Box<Ast>),
    /// gdb's `x@N`: N objects of x's type starting at x.
    At(Box<Ast>, Box<Ast>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    /// gdb's `@` (evaluated as [`Ast::At`]).
    At,
}

/// Parses a decimal, `0x` hex or `'c'` integer, optionally negative.
pub fn parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let v = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()? as i64
    } else {
        body.parse::<u64>().ok()? as i64
    };
    Some(if neg { v.wrapping_neg() } else { v })
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(i64),
    Ident(String),
    Reg(String),
    P(&'static str),
}

const PUNCT: &[&str] = &[
    "->", "==", "!=", "<=", ">=", "&&", "||", "(", ")", "[", "]", ".", "*", "&", "-", "+", "/", "%", "<", ">", "!", "@",
];

fn lex(s: &str) -> Result<Vec<Tok>> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    let bad = |m: String| DebugError::Syntax(m);
    while i < b.len() {
        let c = b[i] as char;
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i] as char).is_ascii_alphanumeric() {
                i += 1;
            }
            let t = &s[start..i];
            out.push(Tok::Num(parse_int(t).ok_or_else(|| bad(format!("Invalid number \"{t}\".")))?));
        } else if c == '\'' {
            let ch = b.get(i + 1).copied().ok_or_else(|| bad("Unmatched single quote.".into()))?;
            if b.get(i + 2) != Some(&b'\'') {
                return Err(bad("Unmatched single quote.".into()));
            }
            out.push(Tok::Num(i64::from(ch)));
            i += 3;
        } else if c.is_ascii_alphabetic() || c == '_' || c == '$' {
            let start = i;
            i += 1;
            // Identifiers may be paths (`prog::GLOBAL`, `core::option::Option<u32>` is not).
            while i < b.len()
                && ((b[i] as char).is_ascii_alphanumeric()
                    || b[i] == b'_'
                    || (b[i] == b':'
                        && b.get(i + 1) == Some(&b':')
                        && b.get(i + 2).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')))
            {
                i += if b[i] == b':' { 2 } else { 1 };
            }
            let t = &s[start..i];
            out.push(if let Some(r) = t.strip_prefix('$') {
                Tok::Reg(r.to_string())
            } else {
                Tok::Ident(t.to_string())
            });
        } else if let Some(p) = PUNCT.iter().find(|p| s[i..].starts_with(**p)) {
            out.push(Tok::P(p));
            i += p.len();
        } else {
            return Err(bad(format!("Invalid character '{c}' in expression.")));
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

fn prec(op: &str) -> Option<(u8, BinOp)> {
    Some(match op {
        "||" => (1, BinOp::Or),
        "&&" => (2, BinOp::And),
        "==" => (3, BinOp::Eq),
        "!=" => (3, BinOp::Ne),
        "<" => (4, BinOp::Lt),
        "<=" => (4, BinOp::Le),
        ">" => (4, BinOp::Gt),
        ">=" => (4, BinOp::Ge),
        "+" => (5, BinOp::Add),
        "-" => (5, BinOp::Sub),
        "*" => (6, BinOp::Mul),
        "/" => (6, BinOp::Div),
        "%" => (6, BinOp::Rem),
        "@" => (7, BinOp::At),
        _ => return None,
    })
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn eat(&mut self, p: &str) -> bool {
        if matches!(self.peek(), Some(Tok::P(q)) if *q == p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, p: &str) -> Result<()> {
        if self.eat(p) {
            Ok(())
        } else {
            Err(DebugError::Syntax(format!("A syntax error in expression: expected `{p}`.")))
        }
    }
    fn binary(&mut self, min: u8) -> Result<Ast> {
        let mut lhs = self.unary()?;
        while let Some(Tok::P(p)) = self.peek() {
            let Some((pr, op)) = prec(p) else { break };
            if pr < min {
                break;
            }
            self.pos += 1;
            let rhs = self.binary(pr + 1)?;
            lhs = if op == BinOp::At {
                Ast::At(Box::new(lhs), Box::new(rhs))
            } else {
                Ast::Bin(op, Box::new(lhs), Box::new(rhs))
            };
        }
        Ok(lhs)
    }
    fn unary(&mut self) -> Result<Ast> {
        if self.eat("*") {
            return Ok(Ast::Deref(Box::new(self.unary()?)));
        }
        if self.eat("&") {
            return Ok(Ast::AddrOf(Box::new(self.unary()?)));
        }
        if self.eat("-") {
            return Ok(Ast::Neg(Box::new(self.unary()?)));
        }
        if self.eat("!") {
            return Ok(Ast::Not(Box::new(self.unary()?)));
        }
        if matches!(self.peek(), Some(Tok::Ident(s)) if s == "sizeof") {
            self.pos += 1;
            if matches!(self.peek(), Some(Tok::P("("))) && self.type_in_parens().is_some() {
                let (name, end) = self.type_in_parens().unwrap_or_default();
                self.pos = end;
                return Ok(Ast::SizeofType(name));
            }
            return Ok(Ast::SizeofExpr(Box::new(self.unary()?)));
        }
        // A C cast: `(int) x`, `(struct shape *) p`.
        if let Some((name, end)) = self.type_in_parens() {
            self.pos = end;
            return Ok(Ast::Cast(name, Box::new(self.unary()?)));
        }
        self.postfix()
    }

    /// At `(`: a type name in parentheses (a C type keyword first, or one name followed
    /// by `*`s), as (name, position after `)`).
    fn type_in_parens(&self) -> Option<(String, usize)> {
        const KEYWORDS: &[&str] = &[
            "int", "char", "short", "long", "unsigned", "signed", "float", "double", "void", "struct", "union", "enum",
            "_Bool", "const", "u8", "u16", "u32", "u64", "usize", "i8", "i16", "i32", "i64", "isize", "bool",
        ];
        if !matches!(self.toks.get(self.pos), Some(Tok::P("("))) {
            return None;
        }
        let mut words = Vec::new();
        let mut stars = 0;
        let mut i = self.pos + 1;
        loop {
            match self.toks.get(i)? {
                Tok::Ident(w) if stars == 0 => words.push(w.clone()),
                Tok::P("*") => stars += 1,
                Tok::P(")") => break,
                _ => return None,
            }
            i += 1;
        }
        let first = words.first()?;
        if !(KEYWORDS.contains(&first.as_str()) || stars > 0 && words.len() == 1) {
            return None;
        }
        let mut name = words.join(" ");
        if stars > 0 {
            name.push(' ');
            name.push_str(&"*".repeat(stars));
        }
        Some((name, i + 1))
    }

    /// After `as`: a Rust type (`u64`, `*const u8`, `&u32`, a path).
    fn rust_type(&mut self) -> Result<String> {
        let mut prefix = String::new();
        loop {
            if self.eat("*") {
                match self.peek().cloned() {
                    Some(Tok::Ident(k)) if k == "const" || k == "mut" => {
                        self.pos += 1;
                        prefix.push_str(&format!("*{k} "));
                    }
                    _ => {
                        return Err(DebugError::Syntax(
                            "A syntax error in expression: expected `*const` or `*mut`.".into(),
                        ));
                    }
                }
            } else if self.eat("&") {
                prefix.push('&');
            } else {
                break;
            }
        }
        match self.peek().cloned() {
            Some(Tok::Ident(t)) => {
                self.pos += 1;
                Ok(format!("{prefix}{t}"))
            }
            _ => Err(DebugError::Syntax("A syntax error in expression: expected a type after `as`.".into())),
        }
    }
    fn ident(&mut self) -> Result<String> {
        match self.peek().cloned() {
            Some(Tok::Ident(s)) => {
                self.pos += 1;
                Ok(s)
            }
            _ => Err(DebugError::Syntax("A syntax error in expression: expected a field name.".into())),
        }
    }
    fn postfix(&mut self) -> Result<Ast> {
        let mut e = match self.peek().cloned() {
            Some(Tok::Num(n)) => {
                self.pos += 1;
                Ast::Num(n)
            }
            Some(Tok::Ident(s)) => {
                self.pos += 1;
                Ast::Var(s)
            }
            Some(Tok::Reg(s)) => {
                self.pos += 1;
                Ast::Reg(s)
            }
            Some(Tok::P("(")) => {
                self.pos += 1;
                let e = self.binary(1)?;
                self.expect(")")?;
                e
            }
            Some(t) => {
                return Err(DebugError::Syntax(format!("A syntax error in expression, near `{}`.", tok_text(&t))));
            }
            None => return Err(DebugError::Syntax("A syntax error in expression: it ends too early.".into())),
        };
        loop {
            if self.eat("[") {
                let i = self.binary(1)?;
                self.expect("]")?;
                e = Ast::Index(Box::new(e), Box::new(i));
            } else if self.eat(".") {
                e = Ast::Member(Box::new(e), self.ident()?);
            } else if self.eat("->") {
                e = Ast::Arrow(Box::new(e), self.ident()?);
            } else if matches!(self.peek(), Some(Tok::Ident(s)) if s == "as") {
                self.pos += 1;
                e = Ast::Cast(self.rust_type()?, Box::new(e));
            } else {
                return Ok(e);
            }
        }
    }
}

fn tok_text(t: &Tok) -> String {
    match t {
        Tok::Num(n) => n.to_string(),
        Tok::Ident(s) => s.clone(),
        Tok::Reg(s) => format!("${s}"),
        Tok::P(p) => (*p).to_string(),
    }
}

/// Parses an expression.
pub fn parse(s: &str) -> Result<Ast> {
    let toks = lex(s)?;
    if toks.is_empty() {
        return Err(DebugError::Syntax("Argument required (expression to compute).".into()));
    }
    let mut p = Parser { toks, pos: 0 };
    let e = p.binary(1)?;
    match p.peek() {
        None => Ok(e),
        Some(t) => Err(DebugError::Syntax(format!("A syntax error in expression, near `{}`.", tok_text(t)))),
    }
}

/// Where a value is.
#[derive(Debug, Clone, PartialEq)]
pub enum Loc {
    /// In linear memory (an lvalue: `&` works).
    Memory(u64),
    /// Computed or held in a wasm local/global/operand.
    Bytes(Vec<u8>),
    OptimizedOut,
}

/// A typed value.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub ty: Option<TypeId>,
    pub loc: Loc,
}

/// What an expression is evaluated in: the program, the paused state, a frame.
pub struct Ctx<'a> {
    pub program: &'a Program,
    pub state: &'a ProgramState<'a>,
    /// The wasm frame (index into [`ProgramState::frames`]).
    pub frame: usize,
    /// Which function of the frame's inlined calls (see [`crate::frames`]): 0 the
    /// innermost, 1 the one it is inlined into, ...; past the last, the frame's own function.
    pub level: usize,
}

fn eval_err(m: impl Into<String>) -> DebugError {
    DebugError::Eval(m.into())
}

impl Ctx<'_> {
    /// The language of the frame's function (DWARF `DW_AT_language`; C without DWARF).
    pub fn lang(&self) -> Lang {
        let Some(frame) = self.state.frames.get(self.frame) else { return Lang::C };
        let pc = self.program.code_addr(frame.offset);
        self.program.dwarf.as_ref().and_then(|d| d.function_at(pc)).map_or(Lang::C, |f| f.lang)
    }

    fn int_type(&self) -> TypeId {
        self.program.types.borrow_mut().base("int", Encoding::Signed, 4)
    }
    fn long_type(&self) -> TypeId {
        self.program.types.borrow_mut().base("long long", Encoding::Signed, 8)
    }
    fn wasm_type(&self, t: ValType) -> TypeId {
        let (name, enc, size) = match t {
            ValType::I32 => ("i32", Encoding::Signed, 4),
            ValType::I64 => ("i64", Encoding::Signed, 8),
            ValType::F32 => ("f32", Encoding::Float, 4),
            ValType::F64 => ("f64", Encoding::Float, 8),
            ValType::V128 => return self.program.types.borrow_mut().v128(),
            _ => ("ref", Encoding::Unsigned, 8),
        };
        self.program.types.borrow_mut().base(name, enc, size)
    }

    /// Reads the bytes of a value.
    pub fn bytes(&self, v: &Value) -> Result<Vec<u8>> {
        let size = self.program.types.borrow().size_of(v.ty);
        // Odd DWARF (an array of 2^40 elements) must give an error, not an allocation.
        if size > 1 << 26 {
            return Err(eval_err(format!("value of {size} bytes is too large to read")));
        }
        match &v.loc {
            Loc::Memory(a) => self
                .state
                .read(*a, size)
                .map(<[u8]>::to_vec)
                .ok_or_else(|| eval_err(format!("Cannot access memory at address {a:#x}"))),
            Loc::Bytes(b) => {
                let mut b = b.clone();
                b.resize(size as usize, 0);
                Ok(b)
            }
            Loc::OptimizedOut => Err(eval_err("value has been optimized out")),
        }
    }

    /// The value as an integer (pointers, enums, chars, bools included).
    pub fn int(&self, v: &Value) -> Result<i64> {
        let types = self.program.types.borrow();
        let stripped = types.strip(v.ty);
        // A C++ reference in arithmetic is the value it refers to.
        if let Some(Type::Pointer { pointee }) = stripped.filter(|t| types.references.contains(t)).map(|t| types.get(t))
        {
            let pointee = *pointee;
            drop(types);
            let addr = self.raw_pointer(v)?;
            return self.int(&Value { ty: pointee, loc: Loc::Memory(addr) });
        }
        let (signed, size) = match stripped.map(|t| types.get(t)) {
            Some(Type::Base { encoding: Encoding::Float, .. }) => {
                return Err(eval_err("floating-point arithmetic is not supported"));
            }
            Some(Type::Base { encoding, size, .. }) => (encoding.is_signed(), *size),
            Some(Type::Pointer { .. }) => (false, POINTER_SIZE),
            Some(Type::Enum { size, .. }) => (false, *size),
            _ => {
                drop(types);
                return Err(eval_err(format!("value of type `{}` is not a number", self.type_name(v.ty))));
            }
        };
        drop(types);
        let b = self.bytes(v)?;
        let mut x = [0u8; 8];
        let n = (size as usize).min(8);
        x[..n].copy_from_slice(b.get(..n).ok_or_else(|| eval_err("short value"))?);
        let raw = u64::from_le_bytes(x);
        Ok(if signed && n < 8 {
            let shift = 64 - 8 * n as u32;
            ((raw << shift) as i64) >> shift
        } else {
            raw as i64
        })
    }

    fn int_value(&self, v: i64, ty: TypeId) -> Value {
        let size = self.program.types.borrow().size_of(Some(ty)) as usize;
        Value { ty: Some(ty), loc: Loc::Bytes(v.to_le_bytes()[..size.min(8)].to_vec()) }
    }

    /// A variable by name: DWARF locals of the frame, DWARF globals, wasm local names.
    pub fn var(&self, name: &str) -> Result<Value> {
        let frame = self.state.frames.get(self.frame).ok_or_else(|| eval_err("No frame selected."))?;
        let view = self.state.frame_view(self.frame);
        let pc = self.program.code_addr(frame.offset);
        if let Some(d) = &self.program.dwarf {
            if let Some(f) = d.function_at(pc)
                && let Some(v) = crate::dwarf::vars::lookup_in(f.vars_at_level(pc, self.level), name, pc)
            {
                let Some(expr) = v.location.at(pc) else { return Ok(Value { ty: v.ty, loc: Loc::OptimizedOut }) };
                let fb = || match &f.frame_base {
                    Some(e) => frame_base(e, &view),
                    None => Err(DebugError::Dwarf("function has no frame base".into())),
                };
                return Ok(Value { ty: v.ty, loc: place_loc(evaluate(expr, &view, &fb)?) });
            }
            if let Some(g) = d.global(name)
                && let Some(expr) = g.location.at(0)
            {
                let fb = || Err(DebugError::Dwarf("globals have no frame base".into()));
                return Ok(Value { ty: g.ty, loc: place_loc(evaluate(expr, &view, &fb)?) });
            }
        }
        // In a C++ method, a member of `*this`.
        if name != "this"
            && let Ok(this) = self.var("this")
            && let Ok(obj) = self.eval_deref(this)
            && let Ok(m) = self.member(obj, name)
        {
            return Ok(m);
        }
        let names = &self.program.module.syntax().names;
        if let Some(locals) = names.locals.get(&frame.func)
            && let Some((&i, _)) = locals.iter().find(|(_, n)| n.as_str() == name)
            && let Some(v) = frame.locals.get(i as usize)
        {
            return Ok(Value { ty: Some(self.wasm_type(v.ty())), loc: Loc::Bytes(val_bytes(v)) });
        }
        Err(eval_err(format!("No symbol \"{name}\" in current context.")))
    }

    fn reg(&self, r: &str) -> Result<Value> {
        let frame = self.state.frames.get(self.frame).ok_or_else(|| eval_err("No frame selected."))?;
        if r == "pc" {
            let t = self.program.types.borrow_mut().base("unsigned int", Encoding::Unsigned, 4);
            return Ok(self.int_value(i64::from(frame.offset), t));
        }
        if let Some(i) = r.strip_prefix("local").and_then(|n| n.parse::<usize>().ok()) {
            let v = frame.locals.get(i).ok_or_else(|| eval_err(format!("no wasm local {i}")))?;
            return Ok(Value { ty: Some(self.wasm_type(v.ty())), loc: Loc::Bytes(val_bytes(v)) });
        }
        if let Some(i) = r.strip_prefix("global").and_then(|n| n.parse::<usize>().ok()) {
            let v = self
                .state
                .globals
                .get(i)
                .copied()
                .flatten()
                .ok_or_else(|| eval_err(format!("the value of wasm global {i} is not known")))?;
            return Ok(Value { ty: Some(self.wasm_type(v.ty())), loc: Loc::Bytes(val_bytes(&v)) });
        }
        Err(eval_err(format!("Unknown register ${r} (try $pc, $localN, $globalN).")))
    }

    /// Element/pointee type and base address of an array or pointer value.
    fn indexable(&self, v: &Value) -> Result<(Option<TypeId>, Option<u64>)> {
        let types = self.program.types.borrow();
        match types.strip(v.ty).map(|t| types.get(t).clone()) {
            Some(Type::Array { elem, .. }) => match &v.loc {
                Loc::Memory(a) => Ok((elem, Some(*a))),
                _ => Ok((elem, None)),
            },
            Some(Type::Pointer { pointee }) => {
                drop(types);
                Ok((pointee, Some(self.raw_pointer(v)?)))
            }
            _ => {
                drop(types);
                Err(eval_err(format!("cannot subscript or dereference a value of type `{}`", self.type_name(v.ty))))
            }
        }
    }

    /// The address a pointer (or reference) value holds.
    pub fn raw_pointer(&self, v: &Value) -> Result<u64> {
        let b = self.bytes(&Value { ty: v.ty, loc: v.loc.clone() })?;
        let mut x = [0u8; 4];
        for (d, s) in x.iter_mut().zip(&b) {
            *d = *s;
        }
        Ok(u64::from(u32::from_le_bytes(x)))
    }

    /// `*v` for a pointer value.
    fn eval_deref(&self, v: Value) -> Result<Value> {
        let (elem, addr) = self.indexable(&v)?;
        let addr = addr.ok_or_else(|| eval_err("Attempt to take contents of a non-pointer value."))?;
        Ok(Value { ty: elem, loc: Loc::Memory(addr) })
    }

    /// The type of `sizeof`: C's `unsigned long`, Rust's `usize` (both 4 bytes on wasm32).
    fn size_type(&self) -> TypeId {
        let name = if self.lang() == Lang::Rust { "usize" } else { "unsigned long" };
        self.program.types.borrow_mut().base(name, Encoding::Unsigned, 4)
    }

    /// The type a cast or `sizeof` names: C (`unsigned int`, `struct shape *`) or Rust
    /// (`u64`, `*const u8`, `&u32`, `prog::Item`) spelling.
    pub fn resolve_type(&self, name: &str) -> Result<TypeId> {
        let name = name.trim();
        if let Some(inner) = name.strip_suffix('*') {
            let t = self.resolve_type(inner)?;
            return Ok(self.program.types.borrow_mut().pointer_to(Some(t)));
        }
        for p in ["*const ", "*mut ", "&mut ", "&"] {
            if let Some(inner) = name.strip_prefix(p) {
                let t = self.resolve_type(inner)?;
                return Ok(self.program.types.borrow_mut().pointer_to(Some(t)));
            }
        }
        let base = |n: &str, e: Encoding, size: u64| Some(self.program.types.borrow_mut().base(n, e, size));
        let builtin = match name {
            "int" | "signed" | "signed int" => base("int", Encoding::Signed, 4),
            "unsigned" | "unsigned int" => base("unsigned int", Encoding::Unsigned, 4),
            "char" | "signed char" => base("char", Encoding::SignedChar, 1),
            "unsigned char" => base("unsigned char", Encoding::UnsignedChar, 1),
            "short" | "short int" => base("short", Encoding::Signed, 2),
            "unsigned short" => base("unsigned short", Encoding::Unsigned, 2),
            "long" | "long int" => base("long", Encoding::Signed, 4),
            "unsigned long" => base("unsigned long", Encoding::Unsigned, 4),
            "long long" => base("long long", Encoding::Signed, 8),
            "unsigned long long" => base("unsigned long long", Encoding::Unsigned, 8),
            "_Bool" | "bool" => base(name, Encoding::Bool, 1),
            "u8" => base("u8", Encoding::Unsigned, 1),
            "u16" => base("u16", Encoding::Unsigned, 2),
            "u32" => base("u32", Encoding::Unsigned, 4),
            "u64" => base("u64", Encoding::Unsigned, 8),
            "usize" => base("usize", Encoding::Unsigned, 4),
            "i8" => base("i8", Encoding::Signed, 1),
            "i16" => base("i16", Encoding::Signed, 2),
            "i32" => base("i32", Encoding::Signed, 4),
            "i64" => base("i64", Encoding::Signed, 8),
            "isize" => base("isize", Encoding::Signed, 4),
            _ => None,
        };
        if let Some(t) = builtin {
            return Ok(t);
        }
        let types = self.program.types.borrow();
        let (kw, bare) = match name.split_once(' ') {
            Some((k @ ("struct" | "union" | "class" | "enum"), rest)) => (Some(k), rest.trim()),
            _ => (None, name),
        };
        let found = types.qualified.iter().filter(|(_, q)| q.as_str() == bare).map(|(i, _)| *i).min().or_else(|| {
            types.types.iter().position(|t| match t {
                Type::Struct { keyword, name: Some(n), .. } => n == bare && kw.is_none_or(|k| k == *keyword),
                Type::Enum { name: Some(n), .. } => n == bare && kw.is_none_or(|k| k == "enum"),
                Type::Typedef { name: n, .. } | Type::Base { name: n, .. } => n == bare && kw.is_none(),
                _ => false,
            })
        });
        found.ok_or_else(|| eval_err(format!("No symbol \"{name}\" in current context.")))
    }

    /// `(TYPE) v` / `v as TYPE`: integers, pointers, enums and bools convert by value.
    fn cast(&self, v: Value, ty: TypeId) -> Result<Value> {
        let target = {
            let types = self.program.types.borrow();
            types.strip(Some(ty)).map(|t| types.get(t).clone())
        };
        match target {
            Some(Type::Base { encoding: Encoding::Bool, .. }) => {
                let n = i64::from(self.int(&v)? != 0);
                Ok(self.int_value(n, ty))
            }
            Some(Type::Base { encoding: Encoding::Float, .. }) => {
                Err(eval_err("casts to floating point are not supported"))
            }
            Some(Type::Base { .. } | Type::Pointer { .. } | Type::Enum { .. }) => {
                let n = self.int(&v)?;
                Ok(self.int_value(n, ty))
            }
            _ => match v.loc {
                Loc::Memory(a) => Ok(Value { ty: Some(ty), loc: Loc::Memory(a) }),
                _ => Err(eval_err(format!("Invalid cast to `{}`.", self.type_name(Some(ty))))),
            },
        }
    }

    /// A type's name in the frame's language.
    pub fn type_name(&self, ty: Option<TypeId>) -> String {
        let types = self.program.types.borrow();
        if self.lang() == Lang::Rust { types.rust_name(ty) } else { types.name(ty) }
    }

    /// `v[i]` on a Rust `Vec`, slice, `String` or `&str` (bounds-checked); `None` for
    /// other values.
    fn rust_index(&self, v: &Value, i: i64) -> Result<Option<Value>> {
        use crate::lang::rust::{StdKind, sequence, std_kind};
        let kind = {
            let types = self.program.types.borrow();
            match types.strip(v.ty).map(|t| types.get(t)) {
                Some(Type::Struct { variants: None, .. }) => std_kind(&types.rust_name(v.ty)),
                _ => None,
            }
        };
        let Some(kind) = kind.filter(|k| !matches!(k, StdKind::Rc | StdKind::Arc)) else { return Ok(None) };
        let (ptr, elem, len) = sequence(self, v, kind)?;
        if i < 0 || i as u64 >= len {
            return Err(eval_err(format!("index out of bounds: the len is {len} but the index is {i}")));
        }
        let size = self.program.types.borrow().size_of(elem);
        Ok(Some(Value { ty: elem, loc: Loc::Memory(ptr + i as u64 * size) }))
    }

    fn member(&self, v: Value, field: &str) -> Result<Value> {
        let types = self.program.types.borrow();
        let Some(Type::Struct { members, .. }) = types.strip(v.ty).map(|t| types.get(t)) else {
            drop(types);
            return Err(eval_err(format!("value of type `{}` is not a structure or union", self.type_name(v.ty))));
        };
        let m = members
            .iter()
            .find(|m| m.name == field)
            .ok_or_else(|| eval_err(format!("There is no member named {field}.")))?
            .clone();
        let size = types.size_of(m.ty);
        drop(types);
        let loc = match v.loc {
            Loc::Memory(a) => Loc::Memory(a + m.offset),
            Loc::Bytes(b) => {
                Loc::Bytes(b.get(m.offset as usize..(m.offset + size) as usize).unwrap_or_default().to_vec())
            }
            Loc::OptimizedOut => Loc::OptimizedOut,
        };
        Ok(Value { ty: m.ty, loc })
    }

    pub fn eval(&self, e: &Ast) -> Result<Value> {
        match e {
            Ast::Num(n) => {
                let ty = if i32::try_from(*n).is_ok() { self.int_type() } else { self.long_type() };
                Ok(self.int_value(*n, ty))
            }
            Ast::Var(name) => self.var(name),
            Ast::Reg(r) => self.reg(r),
            Ast::Deref(inner) => {
                let v = self.eval(inner)?;
                let (elem, addr) = self.indexable(&v)?;
                let addr = addr.ok_or_else(|| eval_err("Attempt to take contents of a non-pointer value."))?;
                if self.program.types.borrow().strip(elem).is_none() {
                    return Err(eval_err("Attempt to take contents of a non-pointer value (void *)."));
                }
                Ok(Value { ty: elem, loc: Loc::Memory(addr) })
            }
            Ast::AddrOf(inner) => {
                let v = self.eval(inner)?;
                let Loc::Memory(a) = v.loc else {
                    return Err(eval_err("Attempt to take address of value not located in memory."));
                };
                let pty = self.program.types.borrow_mut().pointer_to(v.ty);
                Ok(Value { ty: Some(pty), loc: Loc::Bytes((a as u32).to_le_bytes().to_vec()) })
            }
            Ast::Neg(inner) => {
                let v = self.eval(inner)?;
                Ok(self.int_value(self.int(&v)?.wrapping_neg(), self.int_type()))
            }
            Ast::Not(inner) => {
                let v = self.eval(inner)?;
                Ok(self.int_value(i64::from(self.int(&v)? == 0), self.int_type()))
            }
            Ast::Member(inner, f) => {
                let mut v = self.eval(inner)?;
                // Rust auto-dereferences `&T`, `&mut T` and `Box<T>` on `.`; a C++
                // reference is its referent.
                let is_ref = {
                    let types = self.program.types.borrow();
                    types.strip(v.ty).is_some_and(|t| types.references.contains(&t))
                };
                if self.lang() == Lang::Rust || is_ref {
                    for _ in 0..8 {
                        let is_ptr = {
                            let types = self.program.types.borrow();
                            matches!(types.strip(v.ty).map(|t| types.get(t)), Some(Type::Pointer { .. }))
                        };
                        if !is_ptr {
                            break;
                        }
                        let (elem, addr) = self.indexable(&v)?;
                        v = Value { ty: elem, loc: Loc::Memory(addr.unwrap_or(0)) };
                    }
                }
                self.member(v, f)
            }
            Ast::Cast(name, inner) => {
                let ty = self.resolve_type(name)?;
                let v = self.eval(inner)?;
                self.cast(v, ty)
            }
            Ast::SizeofType(name) => {
                let ty = self.resolve_type(name)?;
                let n = self.program.types.borrow().size_of(Some(ty));
                Ok(self.int_value(n as i64, self.size_type()))
            }
            Ast::SizeofExpr(inner) => {
                // `sizeof(shop::Point)`: a name that is a type, not a variable.
                let v = match (self.eval(inner), &**inner) {
                    (Err(e), Ast::Var(name)) => {
                        let ty = self.resolve_type(name).map_err(|_| e)?;
                        Value { ty: Some(ty), loc: Loc::OptimizedOut }
                    }
                    (v, _) => v?,
                };
                let n = self.program.types.borrow().size_of(v.ty);
                Ok(self.int_value(n as i64, self.size_type()))
            }
            Ast::At(base, count) => {
                let v = self.eval(base)?;
                let n = self.int(&self.eval(count)?)?;
                if n <= 0 {
                    return Err(eval_err(format!("Invalid number {n} of repetitions.")));
                }
                let Loc::Memory(a) = v.loc else {
                    return Err(eval_err("Only values in memory can be extended with '@'."));
                };
                let arr = self.program.types.borrow_mut().add(Type::Array { elem: v.ty, count: Some(n as u64) });
                Ok(Value { ty: Some(arr), loc: Loc::Memory(a) })
            }
            Ast::Arrow(inner, f) => self.member(self.eval(&Ast::Deref(inner.clone()))?, f),
            Ast::Index(base, idx) => {
                let v = self.eval(base)?;
                let i = self.int(&self.eval(idx)?)?;
                if let Some(elem) = self.rust_index(&v, i)? {
                    return Ok(elem);
                }
                let (elem, addr) = self.indexable(&v)?;
                let size = self.program.types.borrow().size_of(elem);
                match addr {
                    Some(a) => Ok(Value { ty: elem, loc: Loc::Memory(a.wrapping_add((i as u64).wrapping_mul(size))) }),
                    None => {
                        let b = self.bytes(&v)?;
                        let start = usize::try_from(i).map_err(|_| eval_err("index out of range"))? * size as usize;
                        let chunk =
                            b.get(start..start + size as usize).ok_or_else(|| eval_err("index out of range"))?;
                        Ok(Value { ty: elem, loc: Loc::Bytes(chunk.to_vec()) })
                    }
                }
            }
            Ast::Bin(op, l, r) => {
                let lv = self.eval(l)?;
                let rv = self.eval(r)?;
                // Pointer arithmetic: p + n, p - n scale by the pointee size.
                if matches!(op, BinOp::Add | BinOp::Sub)
                    && let Ok((elem, Some(a))) = self.indexable(&lv)
                {
                    let is_ptr = {
                        let types = self.program.types.borrow();
                        let t = types.strip(lv.ty);
                        matches!(t.map(|t| types.get(t)), Some(Type::Pointer { .. }))
                            && !t.is_some_and(|t| types.references.contains(&t))
                    };
                    if is_ptr {
                        let n = self.int(&rv)?;
                        let size = self.program.types.borrow().size_of(elem).max(1) as i64;
                        let d = if *op == BinOp::Add { n * size } else { -n * size };
                        let ty = lv.ty.ok_or_else(|| eval_err("bad pointer"))?;
                        let addr = (a as i64).wrapping_add(d) as u32;
                        return Ok(Value { ty: Some(ty), loc: Loc::Bytes(addr.to_le_bytes().to_vec()) });
                    }
                }
                let (a, b) = (self.int(&lv)?, self.int(&rv)?);
                let v = match op {
                    BinOp::Add => a.wrapping_add(b),
                    BinOp::Sub => a.wrapping_sub(b),
                    BinOp::Mul => a.wrapping_mul(b),
                    BinOp::Div | BinOp::Rem if b == 0 => return Err(eval_err("Division by zero")),
                    BinOp::Div => a.wrapping_div(b),
                    BinOp::Rem => a.wrapping_rem(b),
                    BinOp::Eq => i64::from(a == b),
                    BinOp::Ne => i64::from(a != b),
                    BinOp::Lt => i64::from(a < b),
                    BinOp::Le => i64::from(a <= b),
                    BinOp::Gt => i64::from(a > b),
                    BinOp::Ge => i64::from(a >= b),
                    BinOp::And => i64::from(a != 0 && b != 0),
                    BinOp::Or => i64::from(a != 0 || b != 0),
                    BinOp::At => return Err(eval_err("`@` is not an arithmetic operator")),
                };
                let ty = if i32::try_from(v).is_ok() { self.int_type() } else { self.long_type() };
                Ok(self.int_value(v, ty))
            }
        }
    }
}

fn place_loc(p: Place) -> Loc {
    match p {
        Place::Memory(a) => Loc::Memory(a),
        Place::Value(b) => Loc::Bytes(b),
        Place::OptimizedOut => Loc::OptimizedOut,
    }
}

/// Evaluates a breakpoint condition in frame `frame`: true when non-zero.
pub fn eval_condition(program: &Program, state: &ProgramState<'_>, frame: usize, cond: &str) -> Result<bool> {
    let ast = parse(cond)?;
    let ctx = Ctx { program, state, frame, level: 0 };
    let v = ctx.eval(&ast)?;
    Ok(ctx.int(&v)? != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(op: BinOp, l: Ast, r: Ast) -> Ast {
        Ast::Bin(op, Box::new(l), Box::new(r))
    }

    #[test]
    fn parses_c_expressions() {
        let v = |s: &str| Ast::Var(s.into());
        assert_eq!(parse("x").ok(), Some(v("x")));
        assert_eq!(parse("*p").ok(), Some(Ast::Deref(Box::new(v("p")))));
        assert_eq!(parse("&x").ok(), Some(Ast::AddrOf(Box::new(v("x")))));
        assert_eq!(
            parse("p->corners[1].x").ok(),
            Some(Ast::Member(
                Box::new(Ast::Index(Box::new(Ast::Arrow(Box::new(v("p")), "corners".into())), Box::new(Ast::Num(1)))),
                "x".into()
            ))
        );
        assert_eq!(
            parse("n == 2 && 1 + 2 * 3 > 0x6").ok(),
            Some(b(
                BinOp::And,
                b(BinOp::Eq, v("n"), Ast::Num(2)),
                b(BinOp::Gt, b(BinOp::Add, Ast::Num(1), b(BinOp::Mul, Ast::Num(2), Ast::Num(3))), Ast::Num(6))
            ))
        );
        assert_eq!(parse("'a'").ok(), Some(Ast::Num(97)));
        assert_eq!(parse("$pc").ok(), Some(Ast::Reg("pc".into())));
        assert_eq!(parse("-(x)").ok(), Some(Ast::Neg(Box::new(v("x")))));
    }

    #[test]
    fn rejects_bad_input_with_messages() {
        for bad in ["", "1 +", "p->", "a[1", "x y", "#", "'a", "0xZZ", ")"] {
            let e = parse(bad).expect_err(bad);
            assert!(!e.to_string().is_empty());
        }
        assert_eq!(parse_int("-0x10"), Some(-16));
        assert_eq!(parse_int("42"), Some(42));
        assert_eq!(parse_int("x"), None);
    }
}
