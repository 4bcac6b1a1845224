//! The structure of a decoded module (spec §2.5 "Modules").
//!
//! Produced by `binary::decode`, checked by `valid::validate`, and then only read.
//! All offsets are byte offsets from the start of the module binary.

use std::collections::BTreeMap;

use super::instr::Instr;
use super::types::{FuncType, GlobalType, MemoryType, RefType, SubType, TableType, ValType};

/// A constant expression (spec §3.3.10): the instructions before the final `end`,
/// with the byte offset of each.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConstExpr {
    pub instrs: Vec<Instr>,
    pub offsets: Vec<u32>,
}

/// The kind of an import or export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExternKind {
    Func,
    Table,
    Memory,
    Global,
    /// An exception tag (exception handling).
    Tag,
}

impl std::fmt::Display for ExternKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ExternKind::Func => "func",
            ExternKind::Table => "table",
            ExternKind::Memory => "memory",
            ExternKind::Global => "global",
            ExternKind::Tag => "tag",
        })
    }
}

/// What an import brings in.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportDesc {
    /// A function of the given type index.
    Func(u32),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
    /// A tag of the given type index (a function type without results).
    Tag(u32),
}

impl ImportDesc {
    pub fn kind(&self) -> ExternKind {
        match self {
            ImportDesc::Func(_) => ExternKind::Func,
            ImportDesc::Table(_) => ExternKind::Table,
            ImportDesc::Memory(_) => ExternKind::Memory,
            ImportDesc::Global(_) => ExternKind::Global,
            ImportDesc::Tag(_) => ExternKind::Tag,
        }
    }
}

/// An import (spec §2.5.11).
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub desc: ImportDesc,
    /// Offset of the import entry.
    pub offset: u32,
}

/// An export (spec §2.5.10).
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub name: String,
    pub kind: ExternKind,
    pub index: u32,
    /// Offset of the export entry.
    pub offset: u32,
}

/// A global definition (spec §2.5.6).
#[derive(Debug, Clone, PartialEq)]
pub struct Global {
    pub ty: GlobalType,
    pub init: ConstExpr,
}

/// How an element segment is used (spec §2.5.7).
#[derive(Debug, Clone, PartialEq)]
pub enum ElemMode {
    Passive,
    Declarative,
    Active { table: u32, offset: ConstExpr },
}

/// An element segment. Segments written as a vector of function indices are stored
/// as one `ref.func i` constant expression per item, so every consumer sees one form.
#[derive(Debug, Clone, PartialEq)]
pub struct ElemSegment {
    pub ty: RefType,
    pub items: Vec<ConstExpr>,
    pub mode: ElemMode,
    /// Offset of the segment entry.
    pub offset: u32,
}

/// How a data segment is used (spec §2.5.8).
#[derive(Debug, Clone, PartialEq)]
pub enum DataMode {
    Passive,
    Active { memory: u32, offset: ConstExpr },
}

/// A data segment.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSegment {
    pub mode: DataMode,
    pub bytes: Vec<u8>,
    /// Offset of the segment entry.
    pub offset: u32,
}

/// The body of a defined function (spec §2.5.3, §5.5.13).
///
/// A decoded module keeps its bodies encoded ([`BodyCode::Encoded`]): the decoder checks
/// every instruction but stores none, and each consumer (the validator, the
/// interpreter's translator, the JIT, the debugger) decodes a body again when it needs
/// it, with [`FuncBody::instructions`] or, without building vectors,
/// [`FuncBody::for_each_instr`] (both in `binary::code`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FuncBody {
    /// Declared locals, expanded (one entry per local, parameters not included).
    pub locals: Vec<ValType>,
    /// The instructions, including the final `end`.
    pub code: BodyCode,
    /// Offset of the body's size field ... end of the body (exclusive).
    pub range: std::ops::Range<u32>,
}

/// Where a body's instructions are.
#[derive(Clone)]
pub enum BodyCode {
    /// In the module's bytes, from offset `start` (after the locals) to the body's end;
    /// decoded once already under `features`, so known to be well-formed.
    Encoded { bytes: std::sync::Arc<[u8]>, start: u32, features: crate::config::Features },
    /// Decoded (bodies built directly rather than decoded, e.g. by tests).
    Decoded(Instructions),
}

impl Default for BodyCode {
    fn default() -> BodyCode {
        BodyCode::Decoded(Instructions::default())
    }
}

impl std::fmt::Debug for BodyCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyCode::Encoded { start, .. } => write!(f, "Encoded {{ start: {start} }}"),
            BodyCode::Decoded(i) => i.fmt(f),
        }
    }
}

impl PartialEq for BodyCode {
    fn eq(&self, other: &BodyCode) -> bool {
        match (self, other) {
            (
                BodyCode::Encoded { bytes: a, start: sa, features: fa },
                BodyCode::Encoded { bytes: b, start: sb, features: fb },
            ) => {
                sa == sb && fa == fb && (std::sync::Arc::ptr_eq(a, b) || a.get(*sa as usize..) == b.get(*sb as usize..))
            }
            (BodyCode::Decoded(a), BodyCode::Decoded(b)) => a == b,
            _ => false,
        }
    }
}

/// A body's instructions, decoded.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Instructions {
    /// The instructions, including the final `end`.
    pub instrs: Vec<Instr>,
    /// Byte offset of each instruction (same length as `instrs`).
    pub offsets: Vec<u32>,
}

impl FuncBody {
    /// A body of instructions given directly (not decoded from bytes).
    pub fn from_instrs(
        locals: Vec<ValType>,
        instrs: Vec<Instr>,
        offsets: Vec<u32>,
        range: std::ops::Range<u32>,
    ) -> FuncBody {
        FuncBody { locals, code: BodyCode::Decoded(Instructions { instrs, offsets }), range }
    }
}

/// A custom section, kept verbatim (spec §5.5.3).
#[derive(Debug, Clone, PartialEq)]
pub struct CustomSection {
    pub name: String,
    pub data: Vec<u8>,
    /// Offset of the section's payload (after the name).
    pub data_offset: u32,
}

/// The decoded `name` custom section (spec §7.4.1). Malformed name sections are ignored
/// (the spec makes them non-fatal), leaving whatever parsed before the error.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Names {
    pub module: Option<String>,
    /// Function index -> name.
    pub functions: BTreeMap<u32, String>,
    /// Function index -> (local index -> name).
    pub locals: BTreeMap<u32, BTreeMap<u32, String>>,
    /// Type index -> name.
    pub types: BTreeMap<u32, String>,
    /// Struct type index -> (field index -> name).
    pub fields: BTreeMap<u32, BTreeMap<u32, String>>,
}

/// A decoded module (spec §2.5).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Module {
    /// The type definitions (function, struct and array types) with their recursion
    /// groups and supertypes.
    pub types: Vec<SubType>,
    /// The canonical id of each type ([`super::canon`]); the decoder fills it, and
    /// [`Module::canonicalize_types`] does for hand-built modules.
    pub canonical: Vec<super::canon::CanonId>,
    pub imports: Vec<Import>,
    /// Type index of each *defined* function (the function section).
    pub funcs: Vec<u32>,
    pub tables: Vec<TableType>,
    /// The initial element value of each defined table (typed function references), or
    /// `None` for null; as long as `tables` (or empty in hand-built modules).
    pub table_inits: Vec<Option<ConstExpr>>,
    pub memories: Vec<MemoryType>,
    /// Type index of each *defined* tag (the tag section, exception handling).
    pub tags: Vec<u32>,
    pub globals: Vec<Global>,
    pub exports: Vec<Export>,
    pub start: Option<u32>,
    pub elems: Vec<ElemSegment>,
    /// The data count section, if present.
    pub data_count: Option<u32>,
    /// Bodies of the defined functions (same length as `funcs`).
    pub code: Vec<FuncBody>,
    pub datas: Vec<DataSegment>,
    pub customs: Vec<CustomSection>,
    pub names: Names,
    /// Offset of the code section's payload (where its function-count LEB begins): the
    /// origin of DWARF code addresses.
    pub code_section_payload_offset: Option<u32>,
    /// Where each entry of `types`, `tables` and `memories` and the start function index
    /// begin in the binary, for error messages (empty or `None` for hand-built modules).
    pub offsets: EntryOffsets,
}

/// Byte offsets of the module entries that carry none of their own (see [`Module::offsets`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EntryOffsets {
    pub types: Vec<u32>,
    pub tables: Vec<u32>,
    pub memories: Vec<u32>,
    pub tags: Vec<u32>,
    pub start: Option<u32>,
}

impl Module {
    /// Fills [`Module::canonical`] from `types`.
    pub fn canonicalize_types(&mut self) {
        self.canonical = super::canon::canonicalize(&self.types);
    }

    /// The canonical id of type index `x` ([`super::canon::INVALID`] for none).
    pub fn canon_id(&self, x: u32) -> super::canon::CanonId {
        self.canonical.get(x as usize).copied().unwrap_or(super::canon::INVALID)
    }

    /// `t` with its type index, if any, replaced by the canonical id (the form of the
    /// runtime's types).
    pub fn canon_val(&self, t: ValType) -> ValType {
        match t {
            ValType::Ref(r) => ValType::Ref(self.canon_ref(r)),
            other => other,
        }
    }

    /// `r` with its type index, if any, replaced by the canonical id.
    pub fn canon_ref(&self, r: RefType) -> RefType {
        match r.heap {
            super::types::HeapType::Concrete(x) => {
                RefType { nullable: r.nullable, heap: super::types::HeapType::Concrete(self.canon_id(x)) }
            }
            _ => r,
        }
    }

    /// The function type at index `x` in canonical form (indices replaced by canonical
    /// ids), if `x` is a function type.
    pub fn canon_func_type(&self, x: u32) -> Option<FuncType> {
        let f = self.func_type(x)?;
        Some(FuncType::new(
            f.params.iter().map(|t| self.canon_val(*t)).collect::<Vec<_>>(),
            f.results.iter().map(|t| self.canon_val(*t)).collect::<Vec<_>>(),
        ))
    }

    /// A global type in canonical form.
    pub fn canon_global_type(&self, g: GlobalType) -> GlobalType {
        GlobalType { content: self.canon_val(g.content), mutability: g.mutability }
    }

    /// A table type in canonical form.
    pub fn canon_table_type(&self, t: TableType) -> TableType {
        TableType { elem: self.canon_ref(t.elem), ..t }
    }

    /// The function type at type index `x`, if there is one and it is a function type.
    pub fn func_type(&self, x: u32) -> Option<&FuncType> {
        self.types.get(x as usize).and_then(SubType::as_func)
    }

    /// Type indices of all functions in the function index space: imports first.
    pub fn func_type_indices(&self) -> Vec<u32> {
        self.imports
            .iter()
            .filter_map(|i| match i.desc {
                ImportDesc::Func(t) => Some(t),
                _ => None,
            })
            .chain(self.funcs.iter().copied())
            .collect()
    }

    /// All table types in the table index space: imports first.
    pub fn table_types(&self) -> Vec<TableType> {
        self.imports
            .iter()
            .filter_map(|i| match i.desc {
                ImportDesc::Table(t) => Some(t),
                _ => None,
            })
            .chain(self.tables.iter().copied())
            .collect()
    }

    /// All memory types in the memory index space: imports first.
    pub fn memory_types(&self) -> Vec<MemoryType> {
        self.imports
            .iter()
            .filter_map(|i| match i.desc {
                ImportDesc::Memory(m) => Some(m),
                _ => None,
            })
            .chain(self.memories.iter().copied())
            .collect()
    }

    /// All global types in the global index space: imports first.
    pub fn global_types(&self) -> Vec<GlobalType> {
        self.imports
            .iter()
            .filter_map(|i| match i.desc {
                ImportDesc::Global(g) => Some(g),
                _ => None,
            })
            .chain(self.globals.iter().map(|g| g.ty))
            .collect()
    }

    /// Type indices of all tags in the tag index space: imports first.
    pub fn tag_type_indices(&self) -> Vec<u32> {
        self.imports
            .iter()
            .filter_map(|i| match i.desc {
                ImportDesc::Tag(t) => Some(t),
                _ => None,
            })
            .chain(self.tags.iter().copied())
            .collect()
    }

    /// Number of imported tags.
    pub fn num_imported_tags(&self) -> u32 {
        self.imports.iter().filter(|i| matches!(i.desc, ImportDesc::Tag(_))).count() as u32
    }

    /// Number of imported functions (defined function `i` has index `imported + i`).
    pub fn num_imported_funcs(&self) -> u32 {
        self.imports.iter().filter(|i| matches!(i.desc, ImportDesc::Func(_))).count() as u32
    }

    /// Number of imported globals.
    pub fn num_imported_globals(&self) -> u32 {
        self.imports.iter().filter(|i| matches!(i.desc, ImportDesc::Global(_))).count() as u32
    }
}
