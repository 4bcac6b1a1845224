//! Source languages (DWARF 5 §3.1.1, `DW_AT_language` of a compilation unit): the
//! language of the selected frame chooses how values print and how expressions are
//! evaluated, as gdb's `set language auto` does. [`rust`] holds Rust's display rules.

pub mod rust;

/// The source languages the debugger tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// C (all versions) and anything not listed here: C rules.
    #[default]
    C,
    /// C++ (all versions): C rules for now.
    Cpp,
    Rust,
}

impl Lang {
    /// The language of a `DW_LANG_*` code.
    pub fn from_dw(code: u16) -> Lang {
        match code {
            0x1c => Lang::Rust,
            0x04 | 0x1a | 0x21 | 0x2a | 0x2b => Lang::Cpp,
            _ => Lang::C,
        }
    }
}
