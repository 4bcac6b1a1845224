//! Functions (DWARF subprograms) and variables with their locations and scopes, and
//! choosing the right location-list entry for a pc.

use super::eval::Expr;
use super::types::TypeId;
use crate::lang::Lang;

/// Where a variable lives over the code of its function.
#[derive(Debug, Clone)]
pub enum VarLocation {
    /// No location (optimized out everywhere).
    None,
    /// One expression valid wherever the variable is in scope.
    Expr(Expr),
    /// A location list: (begin, end) code addresses with the expression valid there.
    List(Vec<(u64, u64, Expr)>),
}

impl VarLocation {
    /// The expression valid at code address `pc`, if any.
    pub fn at(&self, pc: u64) -> Option<&Expr> {
        match self {
            VarLocation::None => None,
            VarLocation::Expr(e) => Some(e),
            VarLocation::List(l) => l.iter().find(|(b, e, _)| *b <= pc && pc < *e).map(|(_, _, x)| x),
        }
    }
}

/// A variable or parameter.
#[derive(Debug, Clone)]
pub struct Variable {
    pub name: String,
    pub ty: Option<TypeId>,
    pub location: VarLocation,
    /// Code ranges of the innermost lexical block declaring it; empty: the whole function.
    pub scope: Vec<(u64, u64)>,
    pub is_param: bool,
    pub decl_line: u32,
}

impl Variable {
    pub fn in_scope(&self, pc: u64) -> bool {
        self.scope.is_empty() || self.scope.iter().any(|(b, e)| *b <= pc && pc < *e)
    }

    /// Size of the innermost scope (smaller = more nested), for shadowing.
    pub fn scope_size(&self) -> u64 {
        if self.scope.is_empty() { u64::MAX } else { self.scope.iter().map(|(b, e)| e - b).sum() }
    }
}

/// A function inlined into another, as DWARF describes it.
#[derive(Debug, Clone)]
pub struct Inlined {
    pub name: String,
    pub ranges: Vec<(u64, u64)>,
    /// Call site in the caller: (file path, line).
    pub call_file: Option<String>,
    pub call_line: u32,
}

/// A function with code (DW_TAG_subprogram with a pc range).
#[derive(Debug, Clone)]
pub struct Function {
    pub name: String,
    /// The mangled name, if DWARF has one.
    pub linkage_name: Option<String>,
    pub low: u64,
    pub high: u64,
    pub frame_base: Option<Expr>,
    pub ret: Option<TypeId>,
    pub vars: Vec<Variable>,
    pub inlined: Vec<Inlined>,
    pub decl_file: Option<String>,
    pub decl_line: u32,
    /// The language of its compilation unit (`DW_AT_language`).
    pub lang: Lang,
}

impl Function {
    pub fn contains(&self, pc: u64) -> bool {
        self.low <= pc && pc < self.high
    }

    pub fn params(&self) -> impl Iterator<Item = &Variable> {
        self.vars.iter().filter(|v| v.is_param)
    }

    /// Local variables (not parameters) in scope at `pc`, innermost shadowing outer ones.
    pub fn locals_at(&self, pc: u64) -> Vec<&Variable> {
        let mut vs: Vec<&Variable> = self.vars.iter().filter(|v| !v.is_param && v.in_scope(pc)).collect();
        vs.sort_by_key(|v| v.scope_size());
        let mut seen = std::collections::HashSet::new();
        vs.retain(|v| seen.insert(v.name.clone()));
        vs
    }

    /// The variable or parameter called `name` visible at `pc`.
    pub fn lookup(&self, name: &str, pc: u64) -> Option<&Variable> {
        self.vars.iter().filter(|v| v.name == name && v.in_scope(pc)).min_by_key(|v| v.scope_size())
    }

    /// Inlined calls containing `pc`, outermost first.
    pub fn inlined_at(&self, pc: u64) -> Vec<&Inlined> {
        self.inlined.iter().filter(|i| i.ranges.iter().any(|(b, e)| *b <= pc && pc < *e)).collect()
    }
}
