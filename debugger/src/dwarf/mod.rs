//! Source-level debug information from a module's DWARF custom sections (`.debug_*`),
//! read once with gimli into owned tables: the line table ([`lines`]), types
//! ([`types`]), functions and variables ([`vars`]); [`eval`] evaluates locations.
//!
//! All addresses are DWARF code addresses: offsets from the Code section's payload.

pub mod eval;
pub mod lines;
pub mod types;
pub mod variants;
pub mod vars;

use std::collections::HashMap;
use std::rc::Rc;

use gimli::{AttributeValue, Reader as _, UnitOffset};
use wasmscope_engine::syntax::CustomSection;

use crate::error::DebugError;
use crate::lang::Lang;
use eval::Expr;
use lines::{LineTable, Row, Sequence, is_tombstone};
use types::{Encoding, Member, Type, TypeId, TypeTable};
use variants::{Variant, VariantPart};
use vars::{Function, Inlined, VarLocation, Variable};

/// The reader gimli works on: shared, owned section bytes.
pub type R = gimli::EndianRcSlice<gimli::LittleEndian>;

/// Everything the debugger reads from DWARF.
#[derive(Debug, Clone, Default)]
pub struct DebugInfo {
    pub lines: LineTable,
    pub types: TypeTable,
    /// Functions with code, sorted by `low`.
    pub functions: Vec<Function>,
    /// File-scope variables.
    pub globals: Vec<Variable>,
}

impl DebugInfo {
    /// Reads the DWARF sections; `Ok(None)` when the module has no `.debug_info`.
    pub fn load(customs: &[CustomSection]) -> Result<Option<DebugInfo>, DebugError> {
        if !customs.iter().any(|c| c.name == ".debug_info") {
            return Ok(None);
        }
        let section = |id: gimli::SectionId| -> Result<R, gimli::Error> {
            let data: &[u8] = customs.iter().find(|c| c.name == id.name()).map_or(&[], |c| c.data.as_slice());
            Ok(R::new(Rc::from(data), gimli::LittleEndian))
        };
        let dwarf = gimli::Dwarf::load(section).map_err(gerr)?;
        let mut info = DebugInfo::default();
        let mut units = dwarf.units();
        while let Some(header) = units.next().map_err(gerr)? {
            let unit = dwarf.unit(header).map_err(gerr)?;
            let files = read_lines(&dwarf, &unit, &mut info.lines)?;
            read_dies(&dwarf, &unit, &files, &mut info)?;
        }
        info.lines.finish();
        info.functions.sort_by_key(|f| f.low);
        Ok(Some(info))
    }

    /// The function whose code contains `pc`.
    pub fn function_at(&self, pc: u64) -> Option<&Function> {
        let i = self.functions.partition_point(|f| f.low <= pc);
        self.functions.get(i.checked_sub(1)?).filter(|f| f.contains(pc))
    }

    /// Functions called `name`.
    pub fn functions_named(&self, name: &str) -> Vec<&Function> {
        self.functions
            .iter()
            .filter(|f| {
                f.name == name
                    || f.linkage_name.as_deref() == Some(name)
                    || f.demangled.as_deref() == Some(name)
                    // `break call_once` for `call_once<fn(), ()>`: generic arguments optional.
                    || f.name.strip_suffix('>').and_then(|n| n.split_once('<')).is_some_and(|(base, _)| base == name)
            })
            .collect()
    }

    pub fn global(&self, name: &str) -> Option<&Variable> {
        self.globals.iter().find(|g| g.name == name)
    }
}

fn gerr(e: gimli::Error) -> DebugError {
    DebugError::Dwarf(e.to_string())
}

fn join_path(dir: Option<String>, name: String) -> String {
    match dir {
        _ if name.starts_with('/') => name,
        Some(d) if !d.is_empty() && d != "." => format!("{}/{name}", d.trim_end_matches('/')),
        _ => name,
    }
}

fn string(dwarf: &gimli::Dwarf<R>, unit: &gimli::Unit<R>, v: AttributeValue<R>) -> Option<String> {
    dwarf.attr_string(unit, v).ok().map(|s| String::from_utf8_lossy(&s.to_slice().unwrap_or_default()).into_owned())
}

/// Reads the unit's line program into `table`; returns the unit's file table (by the
/// line program's file index) as table ids.
fn read_lines(
    dwarf: &gimli::Dwarf<R>,
    unit: &gimli::Unit<R>,
    table: &mut LineTable,
) -> Result<HashMap<u64, lines::FileId>, DebugError> {
    let mut files = HashMap::new();
    let Some(program) = unit.line_program.clone() else { return Ok(files) };
    let mut rows = program.clone().rows();
    let mut seq = Sequence::default();
    while let Some((header, row)) = rows.next_row().map_err(gerr)? {
        let fi = row.file_index();
        let file = match files.get(&fi) {
            Some(&id) => id,
            None => {
                let path = row
                    .file(header)
                    .map(|f| {
                        let dir = f.directory(header).and_then(|d| string(dwarf, unit, d));
                        let name = string(dwarf, unit, f.path_name()).unwrap_or_default();
                        join_path(dir, name)
                    })
                    .unwrap_or_else(|| "<unknown>".to_string());
                let id = table.file_id(&path);
                files.insert(fi, id);
                id
            }
        };
        if seq.rows.is_empty() {
            seq.start = row.address();
        }
        if row.end_sequence() {
            seq.end = row.address();
            table.push_sequence(std::mem::take(&mut seq));
            continue;
        }
        let line = row.line().map_or(0, |l| u32::try_from(l.get()).unwrap_or(u32::MAX));
        seq.rows.push(Row {
            addr: row.address(),
            file,
            line,
            is_stmt: row.is_stmt(),
            prologue_end: row.prologue_end(),
        });
    }
    // Also make sure files of the header that have no rows are known (for `list FILE:N`).
    let header = program.header();
    for (i, f) in header.file_names().iter().enumerate() {
        let index = if header.version() >= 5 { i as u64 } else { i as u64 + 1 };
        files.entry(index).or_insert_with(|| {
            let dir = f.directory(header).and_then(|d| string(dwarf, unit, d));
            let name = string(dwarf, unit, f.path_name()).unwrap_or_default();
            table.file_id(&join_path(dir, name))
        });
    }
    Ok(files)
}

const TYPE_TAGS: &[gimli::DwTag] = &[
    gimli::DW_TAG_base_type,
    gimli::DW_TAG_pointer_type,
    gimli::DW_TAG_reference_type,
    gimli::DW_TAG_rvalue_reference_type,
    gimli::DW_TAG_const_type,
    gimli::DW_TAG_volatile_type,
    gimli::DW_TAG_restrict_type,
    gimli::DW_TAG_atomic_type,
    gimli::DW_TAG_typedef,
    gimli::DW_TAG_structure_type,
    gimli::DW_TAG_union_type,
    gimli::DW_TAG_class_type,
    gimli::DW_TAG_array_type,
    gimli::DW_TAG_enumeration_type,
    gimli::DW_TAG_subroutine_type,
    gimli::DW_TAG_unspecified_type,
];

/// What an enclosing DIE is, while walking its children.
#[derive(Clone)]
enum Ctx {
    Aggregate(TypeId),
    /// A `DW_TAG_variant_part` of this struct.
    VariantPart(TypeId),
    /// A `DW_TAG_variant` of this struct's variant part, with its `DW_AT_discr_value`.
    Variant(TypeId, Option<u64>),
    Enum(TypeId),
    Array(TypeId),
    /// Inside function `index` (a lexical block gives `scope`); inside its inlined call
    /// `inlined` when that is set.
    Func {
        index: usize,
        inlined: Option<usize>,
        scope: Vec<(u64, u64)>,
    },
    Other,
}

fn udata(v: Option<AttributeValue<R>>) -> Option<u64> {
    match v? {
        AttributeValue::Udata(x) => Some(x),
        AttributeValue::Data1(x) => Some(u64::from(x)),
        AttributeValue::Data2(x) => Some(u64::from(x)),
        AttributeValue::Data4(x) => Some(u64::from(x)),
        AttributeValue::Data8(x) => Some(x),
        AttributeValue::Sdata(x) => u64::try_from(x).ok(),
        _ => None,
    }
}

fn sdata(v: Option<AttributeValue<R>>) -> Option<i64> {
    match v? {
        AttributeValue::Sdata(x) => Some(x),
        AttributeValue::Udata(x) => Some(x as i64),
        AttributeValue::Data1(x) => Some(i64::from(x as i8)),
        AttributeValue::Data2(x) => Some(i64::from(x as i16)),
        AttributeValue::Data4(x) => Some(i64::from(x as i32)),
        AttributeValue::Data8(x) => Some(x as i64),
        _ => None,
    }
}

struct Walker<'a> {
    dwarf: &'a gimli::Dwarf<R>,
    unit: &'a gimli::Unit<R>,
    type_ids: HashMap<UnitOffset, TypeId>,
    files: &'a HashMap<u64, lines::FileId>,
}

impl Walker<'_> {
    fn ty(&self, e: &gimli::DebuggingInformationEntry<R>) -> Option<TypeId> {
        match e.attr_value(gimli::DW_AT_type)? {
            AttributeValue::UnitRef(o) => self.type_ids.get(&o).copied(),
            _ => None,
        }
    }

    fn origin(&self, e: &gimli::DebuggingInformationEntry<R>) -> Option<gimli::DebuggingInformationEntry<R>> {
        let v = e.attr_value(gimli::DW_AT_abstract_origin).or_else(|| e.attr_value(gimli::DW_AT_specification))?;
        match v {
            AttributeValue::UnitRef(o) => self.unit.entry(o).ok(),
            _ => None,
        }
    }

    /// An attribute of the DIE, else of its abstract origin / specification (followed a
    /// few levels: an inlined call's origin is often a definition whose specification is
    /// the declaration in its class, which has the linkage name).
    fn attr(&self, e: &gimli::DebuggingInformationEntry<R>, at: gimli::DwAt) -> Option<AttributeValue<R>> {
        if let Some(v) = e.attr_value(at) {
            return Some(v);
        }
        let mut cur = self.origin(e)?;
        for _ in 0..4 {
            if let Some(v) = cur.attr_value(at) {
                return Some(v);
            }
            cur = self.origin(&cur)?;
        }
        None
    }

    fn name(&self, e: &gimli::DebuggingInformationEntry<R>) -> Option<String> {
        string(self.dwarf, self.unit, self.attr(e, gimli::DW_AT_name)?)
    }

    fn ty_or_origin(&self, e: &gimli::DebuggingInformationEntry<R>) -> Option<TypeId> {
        self.ty(e).or_else(|| self.origin(e).and_then(|o| self.ty(&o)))
    }

    fn ranges(&self, e: &gimli::DebuggingInformationEntry<R>) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        if let Ok(mut it) = self.dwarf.die_ranges(self.unit, e) {
            while let Ok(Some(r)) = it.next() {
                if !is_tombstone(r.begin) && r.begin != 0 && r.begin < r.end {
                    out.push((r.begin, r.end));
                }
            }
        }
        out
    }

    fn location(&self, e: &gimli::DebuggingInformationEntry<R>) -> VarLocation {
        let encoding = self.unit.encoding();
        match e.attr_value(gimli::DW_AT_location) {
            Some(AttributeValue::Exprloc(x)) => VarLocation::Expr(Expr { bytes: x.0, encoding }),
            Some(v) => match self.dwarf.attr_locations(self.unit, v) {
                Ok(Some(mut it)) => {
                    let mut list = Vec::new();
                    while let Ok(Some(entry)) = it.next() {
                        if !is_tombstone(entry.range.begin) && entry.range.begin < entry.range.end {
                            list.push((entry.range.begin, entry.range.end, Expr { bytes: entry.data.0, encoding }));
                        }
                    }
                    VarLocation::List(list)
                }
                _ => VarLocation::None,
            },
            None => VarLocation::None,
        }
    }
}

fn member(w: &Walker<'_>, e: &gimli::DebuggingInformationEntry<R>) -> Member {
    Member {
        name: w.name(e).unwrap_or_default(),
        ty: w.ty(e),
        offset: udata(e.attr_value(gimli::DW_AT_data_member_location)).unwrap_or(0),
    }
}

fn read_dies(
    dwarf: &gimli::Dwarf<R>,
    unit: &gimli::Unit<R>,
    files: &HashMap<u64, lines::FileId>,
    info: &mut DebugInfo,
) -> Result<(), DebugError> {
    // Pass 1: give every type DIE an id, so references can be resolved in one pass.
    // Also name Rust subprograms by their namespace path (`prog::scale`), for the inlined
    // calls that refer to them as abstract origins.
    let mut w = Walker { dwarf, unit, type_ids: HashMap::new(), files };
    let mut rust_names: HashMap<UnitOffset, String> = HashMap::new();
    let mut scopes: Vec<(isize, String)> = Vec::new();
    let mut is_rust = false;
    let mut cursor = unit.entries();
    while cursor.next_entry().map_err(gerr)? {
        let depth = cursor.depth();
        let Some(e) = cursor.current() else { continue };
        while scopes.last().is_some_and(|(d, _)| *d >= depth) {
            scopes.pop();
        }
        if TYPE_TAGS.contains(&e.tag()) {
            let id = info.types.add(Type::Void);
            w.type_ids.insert(e.offset(), id);
        }
        if e.tag() == gimli::DW_TAG_compile_unit {
            is_rust = matches!(e.attr_value(gimli::DW_AT_language),
                Some(AttributeValue::Language(l)) if Lang::from_dw(l.0) == Lang::Rust);
        }
        let parent = scopes.last().map(|(_, p)| p.clone()).unwrap_or_default();
        let name = e.attr_value(gimli::DW_AT_name).and_then(|v| string(dwarf, unit, v));
        let scope = match (e.tag(), &name) {
            (gimli::DW_TAG_namespace | gimli::DW_TAG_structure_type, Some(n)) if is_rust => {
                if parent.is_empty() {
                    n.clone()
                } else {
                    format!("{parent}::{n}")
                }
            }
            (gimli::DW_TAG_subprogram, Some(n)) if is_rust && !parent.is_empty() => {
                rust_names.insert(e.offset(), format!("{parent}::{n}"));
                parent.clone()
            }
            _ => parent.clone(),
        };
        scopes.push((depth, scope));
    }
    let mut array_dims: HashMap<TypeId, Vec<Option<u64>>> = HashMap::new();
    // Each open DIE: its depth, what it is, and the scope path its children are named in
    // (`prog::Event` inside `enum Event` of `mod prog`), for languages with namespaces.
    let mut stack: Vec<(isize, Ctx, String)> = Vec::new();
    let mut lang = Lang::C;
    let mut cursor = unit.entries();
    while cursor.next_entry().map_err(gerr)? {
        let depth = cursor.depth();
        let Some(e) = cursor.current() else { continue };
        while stack.last().is_some_and(|(d, _, _)| *d >= depth) {
            stack.pop();
        }
        let parent = stack.last().map_or(Ctx::Other, |(_, c, _)| c.clone());
        let parent_path = stack.last().map_or(String::new(), |(_, _, p)| p.clone());
        let mut path = parent_path.clone();
        let mut ctx = Ctx::Other;
        let tag = e.tag();
        if tag == gimli::DW_TAG_compile_unit {
            if let Some(AttributeValue::Language(l)) = e.attr_value(gimli::DW_AT_language) {
                lang = Lang::from_dw(l.0);
            }
        } else if tag == gimli::DW_TAG_namespace {
            let n = w.name(e).unwrap_or_else(|| "{anonymous}".to_string());
            path = if parent_path.is_empty() { n } else { format!("{parent_path}::{n}") };
        }
        if let Some(&id) = w.type_ids.get(&e.offset()) {
            let name = w.name(e);
            if lang != Lang::C
                && let Some(n) = &name
            {
                let q = match tag {
                    gimli::DW_TAG_structure_type
                    | gimli::DW_TAG_union_type
                    | gimli::DW_TAG_class_type
                    | gimli::DW_TAG_enumeration_type
                        if !parent_path.is_empty() =>
                    {
                        format!("{parent_path}::{n}")
                    }
                    _ => n.clone(),
                };
                if matches!(
                    tag,
                    gimli::DW_TAG_structure_type
                        | gimli::DW_TAG_union_type
                        | gimli::DW_TAG_class_type
                        | gimli::DW_TAG_enumeration_type
                ) {
                    path = q.clone();
                }
                if tag != gimli::DW_TAG_base_type {
                    info.types.qualified.insert(id, q);
                }
            }
            let size = udata(e.attr_value(gimli::DW_AT_byte_size)).unwrap_or(0);
            let t = match tag {
                gimli::DW_TAG_base_type => {
                    let enc = match e.attr_value(gimli::DW_AT_encoding) {
                        Some(AttributeValue::Encoding(a)) => Encoding::from_dw(a.0),
                        _ => Encoding::Other,
                    };
                    Type::Base { name: name.unwrap_or_default(), encoding: enc, size }
                }
                gimli::DW_TAG_pointer_type | gimli::DW_TAG_reference_type | gimli::DW_TAG_rvalue_reference_type => {
                    if tag != gimli::DW_TAG_pointer_type {
                        info.types.references.insert(id);
                    }
                    Type::Pointer { pointee: w.ty(e) }
                }
                gimli::DW_TAG_const_type => Type::Const(w.ty(e)),
                gimli::DW_TAG_volatile_type => Type::Volatile(w.ty(e)),
                gimli::DW_TAG_restrict_type | gimli::DW_TAG_atomic_type => {
                    Type::Typedef { name: String::new(), ty: w.ty(e) }
                }
                gimli::DW_TAG_typedef => Type::Typedef { name: name.unwrap_or_default(), ty: w.ty(e) },
                gimli::DW_TAG_structure_type | gimli::DW_TAG_union_type | gimli::DW_TAG_class_type => {
                    ctx = Ctx::Aggregate(id);
                    let keyword = match tag {
                        gimli::DW_TAG_union_type => "union",
                        gimli::DW_TAG_class_type => "class",
                        _ => "struct",
                    };
                    Type::Struct { keyword, name, size, members: Vec::new(), variants: None }
                }
                gimli::DW_TAG_array_type => {
                    ctx = Ctx::Array(id);
                    array_dims.insert(id, Vec::new());
                    Type::Array { elem: w.ty(e), count: None }
                }
                gimli::DW_TAG_enumeration_type => {
                    ctx = Ctx::Enum(id);
                    Type::Enum { name, size, values: Vec::new() }
                }
                gimli::DW_TAG_subroutine_type => Type::Function { ret: w.ty(e) },
                _ => Type::Void,
            };
            if let Some(slot) = info.types.types.get_mut(id) {
                *slot = t;
            }
        } else {
            match (tag, &parent) {
                (gimli::DW_TAG_member, Ctx::Aggregate(id)) => {
                    let m = member(&w, e);
                    if let Some(Type::Struct { members, .. }) = info.types.types.get_mut(*id) {
                        members.push(m);
                    }
                }
                (gimli::DW_TAG_variant_part, Ctx::Aggregate(id)) => {
                    if let Some(Type::Struct { variants, .. }) = info.types.types.get_mut(*id) {
                        *variants = Some(Box::default());
                    }
                    ctx = Ctx::VariantPart(*id);
                }
                (gimli::DW_TAG_member, Ctx::VariantPart(id)) => {
                    let m = member(&w, e);
                    if let Some(Type::Struct { variants: Some(vp), .. }) = info.types.types.get_mut(*id) {
                        vp.discr = Some(m);
                    }
                }
                (gimli::DW_TAG_variant, Ctx::VariantPart(id)) => {
                    ctx = Ctx::Variant(*id, udata(e.attr_value(gimli::DW_AT_discr_value)));
                }
                (gimli::DW_TAG_member, Ctx::Variant(id, discr_value)) => {
                    let m = member(&w, e);
                    if let Some(Type::Struct { variants: Some(vp), .. }) = info.types.types.get_mut(*id) {
                        let vp: &mut VariantPart = vp;
                        vp.variants.push(Variant { discr_value: *discr_value, member: m });
                    }
                }
                (gimli::DW_TAG_enumerator, Ctx::Enum(id)) => {
                    let v = sdata(e.attr_value(gimli::DW_AT_const_value)).unwrap_or(0);
                    let n = w.name(e).unwrap_or_default();
                    if let Some(Type::Enum { values, .. }) = info.types.types.get_mut(*id) {
                        values.push((n, v));
                    }
                }
                (gimli::DW_TAG_subrange_type, Ctx::Array(id)) => {
                    let count = udata(e.attr_value(gimli::DW_AT_count))
                        .or_else(|| udata(e.attr_value(gimli::DW_AT_upper_bound)).map(|u| u + 1));
                    array_dims.entry(*id).or_default().push(count);
                }
                (gimli::DW_TAG_subprogram, _) => {
                    let ranges = w.ranges(e);
                    if let (Some(low), Some(high)) =
                        (ranges.iter().map(|r| r.0).min(), ranges.iter().map(|r| r.1).max())
                    {
                        let linkage_name = w
                            .attr(e, gimli::DW_AT_linkage_name)
                            .or_else(|| w.attr(e, gimli::DW_AT_MIPS_linkage_name))
                            .and_then(|v| string(dwarf, unit, v));
                        let plain = w.name(e);
                        let demangled = linkage_name.as_deref().and_then(crate::program::demangle);
                        // Rust: the namespace path and DWARF name, as rust-gdb names
                        // functions (`prog::main::{closure#0}`, generics kept); others:
                        // the demangled linkage name.
                        let rust_path = match (&plain, lang) {
                            (Some(n), Lang::Rust) if !parent_path.is_empty() => Some(format!("{parent_path}::{n}")),
                            _ => None,
                        };
                        let name = rust_path
                            .or_else(|| demangled.clone())
                            .or(plain)
                            .or_else(|| linkage_name.clone())
                            .unwrap_or_else(|| format!("<function at {low:#x}>"));
                        let frame_base = match e.attr_value(gimli::DW_AT_frame_base) {
                            Some(AttributeValue::Exprloc(x)) => Some(Expr { bytes: x.0, encoding: unit.encoding() }),
                            _ => None,
                        };
                        let decl_file = match w.attr(e, gimli::DW_AT_decl_file) {
                            Some(AttributeValue::FileIndex(i)) => {
                                files.get(&i).and_then(|f| info.lines.files.get(*f as usize)).cloned()
                            }
                            _ => None,
                        };
                        info.functions.push(Function {
                            name,
                            demangled,
                            linkage_name,
                            low,
                            high,
                            frame_base,
                            ret: w.ty_or_origin(e),
                            vars: Vec::new(),
                            inlined: Vec::new(),
                            decl_file,
                            decl_line: udata(w.attr(e, gimli::DW_AT_decl_line)).unwrap_or(0) as u32,
                            lang,
                        });
                        ctx = Ctx::Func { index: info.functions.len() - 1, inlined: None, scope: Vec::new() };
                    }
                }
                (gimli::DW_TAG_lexical_block, Ctx::Func { index, inlined, .. }) => {
                    ctx = Ctx::Func { index: *index, inlined: *inlined, scope: w.ranges(e) };
                }
                (gimli::DW_TAG_inlined_subroutine, Ctx::Func { index, .. }) => {
                    let call_file = match e.attr_value(gimli::DW_AT_call_file) {
                        Some(AttributeValue::FileIndex(i)) => {
                            w.files.get(&i).and_then(|f| info.lines.files.get(*f as usize)).cloned()
                        }
                        _ => None,
                    };
                    let short_name = w.name(e).unwrap_or_else(|| "<inlined>".to_string());
                    let linkage = w
                        .attr(e, gimli::DW_AT_linkage_name)
                        .or_else(|| w.attr(e, gimli::DW_AT_MIPS_linkage_name))
                        .and_then(|v| string(dwarf, unit, v));
                    let origin_name = match e.attr_value(gimli::DW_AT_abstract_origin) {
                        Some(AttributeValue::UnitRef(o)) => rust_names.get(&o).cloned(),
                        _ => None,
                    };
                    let inl = Inlined {
                        name: origin_name
                            .or_else(|| linkage.as_deref().and_then(crate::program::demangle))
                            .unwrap_or_else(|| short_name.clone()),
                        short_name,
                        ranges: w.ranges(e),
                        call_file,
                        call_line: udata(e.attr_value(gimli::DW_AT_call_line)).unwrap_or(0) as u32,
                        vars: Vec::new(),
                    };
                    ctx = Ctx::Other;
                    if let Some(f) = info.functions.get_mut(*index) {
                        f.inlined.push(inl);
                        // Its variables belong to it, not to the caller.
                        ctx = Ctx::Func { index: *index, inlined: Some(f.inlined.len() - 1), scope: Vec::new() };
                    }
                }
                (gimli::DW_TAG_formal_parameter | gimli::DW_TAG_variable, Ctx::Func { index, inlined, scope }) => {
                    if let Some(name) = w.name(e) {
                        let var = Variable {
                            name,
                            ty: w.ty_or_origin(e),
                            location: w.location(e),
                            scope: scope.clone(),
                            is_param: tag == gimli::DW_TAG_formal_parameter,
                            decl_line: udata(w.attr(e, gimli::DW_AT_decl_line)).unwrap_or(0) as u32,
                        };
                        if let Some(f) = info.functions.get_mut(*index) {
                            match inlined.and_then(|i| f.inlined.get_mut(i)) {
                                Some(inl) => inl.vars.push(var),
                                None if inlined.is_none() => f.vars.push(var),
                                None => {}
                            }
                        }
                    }
                }
                (gimli::DW_TAG_variable, Ctx::Other) if depth == 1 => {
                    if let (Some(name), VarLocation::Expr(x)) = (w.name(e), w.location(e)) {
                        info.globals.push(Variable {
                            name,
                            ty: w.ty_or_origin(e),
                            location: VarLocation::Expr(x),
                            scope: Vec::new(),
                            is_param: false,
                            decl_line: udata(w.attr(e, gimli::DW_AT_decl_line)).unwrap_or(0) as u32,
                        });
                    }
                }
                _ => {}
            }
        }
        stack.push((depth, ctx, path));
    }
    // Multi-dimensional arrays: `int a[2][3]` is an array of 2 arrays of 3.
    for (id, dims) in array_dims {
        let Some(Type::Array { elem, .. }) = info.types.types.get(id).cloned() else { continue };
        let mut inner = elem;
        for d in dims.iter().skip(1).rev() {
            inner = Some(info.types.add(Type::Array { elem: inner, count: *d }));
        }
        if let Some(slot) = info.types.types.get_mut(id) {
            *slot = Type::Array { elem: inner, count: dims.first().copied().flatten() };
        }
    }
    Ok(())
}
