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

/// A function inlined into another (DWARF 5 §3.3.8.2, `DW_TAG_inlined_subroutine`), with
/// its own parameters and variables; nested inlined calls are further entries of the
/// enclosing [`Function::inlined`] whose ranges lie inside this one's.
#[derive(Debug, Clone)]
pub struct Inlined {
    /// The name of the inlined function (demangled linkage name of its abstract origin,
    /// else its `DW_AT_name`).
    pub name: String,
    /// Its plain `DW_AT_name` (`scale`), for `break NAME`.
    pub short_name: String,
    pub ranges: Vec<(u64, u64)>,
    /// Call site in the caller: (file path, line).
    pub call_file: Option<String>,
    pub call_line: u32,
    pub vars: Vec<Variable>,
}

impl Inlined {
    pub fn contains(&self, pc: u64) -> bool {
        self.ranges.iter().any(|(b, e)| *b <= pc && pc < *e)
    }

    /// Where the inlined code begins (its lowest address).
    pub fn entry(&self) -> Option<u64> {
        self.ranges.iter().map(|r| r.0).min()
    }
}

/// Parameters among `vars`.
pub fn params_of(vars: &[Variable]) -> Vec<&Variable> {
    vars.iter().filter(|v| v.is_param).collect()
}

/// Local variables (not parameters) of `vars` in scope at `pc`, innermost shadowing outer
/// ones.
pub fn locals_of(vars: &[Variable], pc: u64) -> Vec<&Variable> {
    let mut vs: Vec<&Variable> = vars.iter().filter(|v| !v.is_param && v.in_scope(pc)).collect();
    vs.sort_by_key(|v| v.scope_size());
    let mut seen = std::collections::HashSet::new();
    vs.retain(|v| seen.insert(v.name.clone()));
    vs
}

/// The variable or parameter of `vars` called `name` visible at `pc`.
pub fn lookup_in<'a>(vars: &'a [Variable], name: &str, pc: u64) -> Option<&'a Variable> {
    vars.iter().filter(|v| v.name == name && v.in_scope(pc)).min_by_key(|v| v.scope_size())
}

/// A function with code (DW_TAG_subprogram with a pc range).
#[derive(Debug, Clone)]
pub struct Function {
    pub name: String,
    /// The mangled name, if DWARF has one.
    pub linkage_name: Option<String>,
    /// The linkage name demangled (`prog::main::{{closure}}`), also accepted by `break`.
    pub demangled: Option<String>,
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
        locals_of(&self.vars, pc)
    }

    /// The variable or parameter called `name` visible at `pc`.
    pub fn lookup(&self, name: &str, pc: u64) -> Option<&Variable> {
        lookup_in(&self.vars, name, pc)
    }

    /// Inlined calls containing `pc`, outermost first.
    pub fn inlined_at(&self, pc: u64) -> Vec<&Inlined> {
        self.inlined.iter().filter(|i| i.contains(pc)).collect()
    }

    /// The variables visible at `pc` in the view `level` inlined calls out from the
    /// innermost (0: the innermost inlined call, or the function itself if none).
    pub fn vars_at_level(&self, pc: u64, level: usize) -> &[Variable] {
        let chain = self.inlined_at(pc);
        match chain.len().checked_sub(level + 1) {
            Some(i) => &chain[i].vars,
            None => &self.vars,
        }
    }
}
