//! The binary format decoder: turns a module binary into a [`Module`] (spec §5 "Binary
//! Format", in particular §5.5 "Modules").
//!
//! This file reads the preamble and the sequence of sections, enforces their order and
//! sizes, and makes the module-wide consistency checks of §5.5.16 (function and code
//! counts, the data count). The pieces live in small files: [`reader`] (bytes, LEB128,
//! names), [`types`], [`sections`], [`code`] (instructions and bodies) and [`names`] (the
//! `name` custom section).
//!
//! Error messages follow the official testsuite / reference interpreter wording (e.g.
//! "unexpected end", "section size mismatch"); where the testsuite only gives a prefix of
//! the reference message, we produce the full reference message.

mod code;
mod names;
mod reader;
mod sections;
mod types;

use crate::config::Features;
use crate::error::DecodeError;
use crate::syntax::{CustomSection, Module};
use code::CodeInfo;
use reader::{Reader, UNEXPECTED_END};

/// The magic number `\0asm` (spec §5.5.16).
const MAGIC: [u8; 4] = *b"\0asm";
/// The only binary format version (spec §5.5.16).
const VERSION: [u8; 4] = [1, 0, 0, 0];

/// Section ids (spec §5.5.2).
mod id {
    pub const CUSTOM: u8 = 0;
    pub const TYPE: u8 = 1;
    pub const IMPORT: u8 = 2;
    pub const FUNCTION: u8 = 3;
    pub const TABLE: u8 = 4;
    pub const MEMORY: u8 = 5;
    pub const GLOBAL: u8 = 6;
    pub const EXPORT: u8 = 7;
    pub const START: u8 = 8;
    pub const ELEMENT: u8 = 9;
    pub const CODE: u8 = 10;
    pub const DATA: u8 = 11;
    pub const DATA_COUNT: u8 = 12;
    /// Exception handling's tag section.
    pub const TAG: u8 = 13;
}

/// Position of a non-custom section in the required order. The data count section (12)
/// comes between the element (9) and code (10) sections.
fn order(section: u8) -> u8 {
    match section {
        id::TAG => 6,
        id::GLOBAL..=id::ELEMENT => section + 1,
        id::DATA_COUNT => 11,
        id::CODE => 12,
        id::DATA => 13,
        other => other,
    }
}

/// Decodes a module binary.
pub fn decode(bytes: &[u8], features: &Features) -> Result<Module, DecodeError> {
    decode_impl(bytes, features, false).map(|(m, _)| m)
}

/// Decodes a module binary and validates its function bodies as it reads them (one pass
/// over the code instead of two), returning the module and that validation's outcome,
/// for `valid::validate_with_bodies`. An error in the binary format anywhere still wins
/// over a validation error.
pub(crate) fn decode_validating(
    bytes: &[u8],
    features: &Features,
) -> Result<(Module, Result<(), crate::error::ValidationError>), DecodeError> {
    decode_impl(bytes, features, true)
}

fn decode_impl(
    bytes: &[u8],
    features: &Features,
    validate: bool,
) -> Result<(Module, Result<(), crate::error::ValidationError>), DecodeError> {
    let mut bodies = Ok(());
    // Offsets are stored as u32 throughout the syntax tree.
    if bytes.len() > u32::MAX as usize {
        return Err(DecodeError::new(0, "module too large"));
    }
    match bytes.get(..4) {
        None => return Err(DecodeError::new(bytes.len(), "unexpected end")),
        Some(m) if m != MAGIC => return Err(DecodeError::new(0, "magic header not detected")),
        Some(_) => {}
    }
    match bytes.get(4..8) {
        None => return Err(DecodeError::new(bytes.len(), "unexpected end")),
        Some(v) if v != VERSION => return Err(DecodeError::new(4, "unknown binary version")),
        Some(_) => {}
    }

    let mut r = Reader::new(bytes, 8);
    let mut module = Module::default();
    let mut info = CodeInfo::default();
    let mut last = 0u8;
    while !r.is_eof() {
        let id_at = r.pos();
        let section = r.u8()?;
        if section > id::TAG || (section == id::TAG && !features.exceptions) {
            return Err(*r.err(id_at, "malformed section id"));
        }
        // Non-custom sections appear at most once each, in order. The reference interpreter
        // stops at the first section out of place and then finds bytes left over.
        if section != id::CUSTOM {
            if order(section) <= last {
                return Err(*r.err(id_at, "unexpected content after last section"));
            }
            last = order(section);
        }
        let size = r.len32()?;
        let start = r.pos();
        let end = start + size;
        let f = features;
        let m = &mut module;
        match section {
            id::CUSTOM => custom_section(&mut r, end, m)?,
            id::TYPE => {
                sections::type_section(&mut r, f, m)?;
                m.canonicalize_types();
            }
            id::IMPORT => sections::import_section(&mut r, f, m)?,
            id::FUNCTION => sections::function_section(&mut r, m)?,
            id::TABLE => sections::table_section(&mut r, f, m)?,
            id::MEMORY => sections::memory_section(&mut r, f, m)?,
            id::GLOBAL => sections::global_section(&mut r, f, m)?,
            id::TAG => sections::tag_section(&mut r, m)?,
            id::EXPORT => sections::export_section(&mut r, f, m)?,
            id::START => sections::start_section(&mut r, m)?,
            id::ELEMENT => sections::elem_section(&mut r, f, m)?,
            id::CODE => {
                let shared = std::sync::Arc::from(bytes);
                if validate {
                    // The context of the sections so far (all the code may refer to).
                    let types = m.types.clone();
                    let c = crate::valid::Context::with_types(m, &types, features);
                    let mut check = crate::valid::BodyCheck::new(&c);
                    sections::code_section(&mut r, f, m, &mut info, &shared, Some(&mut check))?;
                    bodies = check.result();
                } else {
                    sections::code_section(&mut r, f, m, &mut info, &shared, None)?;
                }
            }
            id::DATA => sections::data_section(&mut r, f, m)?,
            id::DATA_COUNT => sections::data_count_section(&mut r, m)?,
            _ => return Err(*r.err(id_at, "malformed section id")),
        }
        if r.pos() != end {
            return Err(*r.err(start, "section size mismatch"));
        }
    }

    let end = bytes.len();
    if module.funcs.len() != module.code.len() {
        return Err(DecodeError::new(end, "function and code section have inconsistent lengths"));
    }
    if let Some(n) = module.data_count
        && n as usize != module.datas.len()
    {
        return Err(DecodeError::new(end, "data count and data section have inconsistent lengths"));
    }
    if module.data_count.is_none() && info.uses_data_index {
        return Err(DecodeError::new(end, "data count section required"));
    }

    for c in &module.customs {
        if c.name == "name" {
            let start = c.data_offset as usize;
            names::read_name_section(bytes, start, start + c.data.len(), &mut module.names);
        }
    }
    Ok((module, bodies))
}

/// A custom section (spec §5.5.3): a name, then arbitrary bytes up to the section's end.
fn custom_section(r: &mut Reader<'_>, end: usize, m: &mut Module) -> Result<(), DecodeError> {
    let name = r.name()?;
    let data_offset = r.pos();
    // The name may claim more bytes than the section has, and the section may claim a
    // few bytes more than the module has (its size is bounded from the size field's
    // first byte): both run off the end of the section.
    if data_offset > end || end > r.len() {
        return Err(DecodeError::new(end.min(r.len()), UNEXPECTED_END));
    }
    let data = r.slice(data_offset, end).to_vec();
    r.seek(end)?;
    m.customs.push(CustomSection { name, data, data_offset: data_offset as u32 });
    Ok(())
}
