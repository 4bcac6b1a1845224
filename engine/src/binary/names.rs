//! Decoding of the `name` custom section (spec §7.4.1 "Name Section"): the module name
//! (subsection 0), function names (1), local names (2), and the extended name section's
//! type names (4) and struct field names (10).
//!
//! The spec makes a malformed name section non-fatal, so decoding stops at the first
//! problem and keeps everything parsed before it. Unknown subsections are skipped.

use super::reader::{Reader, Result};
use crate::syntax::Names;
use std::collections::BTreeMap;

/// Merges the contents of a `name` section payload, `bytes[start..end]` (everything after the
/// section's own name), into `names`. Errors are swallowed: they only end the parsing.
pub(crate) fn read_name_section(bytes: &[u8], start: usize, end: usize, names: &mut Names) {
    let Some(data) = bytes.get(..end) else { return };
    let mut r = Reader::new(data, start);
    let _ = read_subsections(&mut r, names);
}

fn read_subsections(r: &mut Reader<'_>, names: &mut Names) -> Result<()> {
    while !r.is_eof() {
        let id = r.u8()?;
        let size = r.u32()? as usize;
        // A subsection claiming more bytes than there are is still read as far as it goes,
        // so that a truncated name section keeps its complete entries.
        let end = r.pos().saturating_add(size).min(r.len());
        // Each subsection is parsed with a reader that stops at its end, so a bad one
        // cannot spill into the next.
        let mut sub = Reader::new(r.slice(0, end), r.pos());
        match id {
            0 => names.module = Some(sub.name()?),
            1 => read_name_map(&mut sub, &mut names.functions)?,
            2 | 10 => {
                let (n, _) = sub.count()?;
                for _ in 0..n {
                    let owner = sub.u32()?;
                    let map = if id == 2 { names.locals.entry(owner) } else { names.fields.entry(owner) }.or_default();
                    read_name_map(&mut sub, map)?;
                }
            }
            4 => read_name_map(&mut sub, &mut names.types)?,
            _ => {}
        }
        r.seek(end)?;
    }
    Ok(())
}

/// A name map: a vector of (index, name) pairs.
fn read_name_map(r: &mut Reader<'_>, map: &mut BTreeMap<u32, String>) -> Result<()> {
    let (n, _) = r.count()?;
    for _ in 0..n {
        let index = r.u32()?;
        let name = r.name()?;
        map.insert(index, name);
    }
    Ok(())
}
