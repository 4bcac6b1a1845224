//! The DWARF line table, flattened: code address → source file and line, and back.
//!
//! Addresses here are DWARF code addresses (offsets from the Code section's payload);
//! [`crate::program::Program`] converts to and from module file offsets and snaps them to
//! instructions that execute.

use std::collections::BTreeSet;

/// Index into [`LineTable::files`].
pub type FileId = u32;

/// One row: from `addr` up to the next row, the code is for `file:line`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub addr: u64,
    pub file: FileId,
    /// 0 for code with no source line (compiler-generated).
    pub line: u32,
    pub is_stmt: bool,
    /// The row is where the function's prologue ends (`DW_LNS_set_prologue_end`).
    pub prologue_end: bool,
}

/// A contiguous run of rows (one `DW_LNE_end_sequence`).
#[derive(Debug, Clone, Default)]
pub struct Sequence {
    pub start: u64,
    pub end: u64,
    pub rows: Vec<Row>,
}

/// A source position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineLoc {
    pub file: FileId,
    pub line: u32,
    /// Address of the row the position comes from.
    pub row_addr: u64,
    /// Whether that row begins a statement.
    pub is_stmt: bool,
}

#[derive(Debug, Clone, Default)]
pub struct LineTable {
    /// Source paths as DWARF names them (directory joined with the file name).
    pub files: Vec<String>,
    /// Sorted by start address; dead-code sequences (tombstoned) removed.
    pub sequences: Vec<Sequence>,
}

/// True for addresses DWARF uses to mark removed code (0xffffffff, 0xfffffffe, and
/// anything past wasm32's address space as produced by tombstone + offset).
pub fn is_tombstone(addr: u64) -> bool {
    addr >= 0xffff_fffe
}

impl LineTable {
    /// Interns a file path.
    pub fn file_id(&mut self, path: &str) -> FileId {
        match self.files.iter().position(|f| f == path) {
            Some(i) => i as FileId,
            None => {
                self.files.push(path.to_string());
                (self.files.len() - 1) as FileId
            }
        }
    }

    /// Adds a finished sequence, dropping it if it is dead code.
    pub fn push_sequence(&mut self, seq: Sequence) {
        if seq.rows.is_empty() || is_tombstone(seq.start) || seq.start == 0 {
            return;
        }
        self.sequences.push(seq);
    }

    pub fn finish(&mut self) {
        self.sequences.sort_by_key(|s| s.start);
    }

    /// The source position of code address `addr`.
    pub fn find(&self, addr: u64) -> Option<LineLoc> {
        let i = self.sequences.partition_point(|s| s.start <= addr);
        let seq = self.sequences.get(i.checked_sub(1)?)?;
        if addr >= seq.end {
            return None;
        }
        let j = seq.rows.partition_point(|r| r.addr <= addr);
        let row = seq.rows.get(j.checked_sub(1)?)?;
        Some(LineLoc { file: row.file, line: row.line, row_addr: row.addr, is_stmt: row.is_stmt })
    }

    /// Whether `addr` is where a statement row of a real line begins.
    pub fn is_stmt_start(&self, addr: u64) -> bool {
        self.find(addr).is_some_and(|l| l.row_addr == addr && l.is_stmt && l.line != 0)
    }

    /// Files whose path is `name` or ends with `/name`.
    pub fn matching_files(&self, name: &str) -> Vec<FileId> {
        let name = name.trim_start_matches("./");
        (0..self.files.len() as FileId)
            .filter(|&i| {
                let f = self.files[i as usize].as_str();
                let f = f.trim_start_matches("./");
                f == name || f.ends_with(&format!("/{name}"))
            })
            .collect()
    }

    /// Statement addresses of the first line ≥ `line` that has code in `files`
    /// (gdb moves a breakpoint on a line without code to the next line that has some).
    /// Returns the line found and one address per sequence (the first row of the line in
    /// each, so a line split over a loop header gets all its entries).
    pub fn addrs_for_line(&self, files: &[FileId], line: u32) -> Option<(u32, Vec<u64>)> {
        let mut best: Option<u32> = None;
        for seq in &self.sequences {
            for r in &seq.rows {
                if files.contains(&r.file) && r.line >= line && r.line != 0 && best.is_none_or(|b| r.line < b) {
                    best = Some(r.line);
                }
            }
        }
        let found = best?;
        let mut addrs = BTreeSet::new();
        for seq in &self.sequences {
            // Each maximal run of rows of the line is one entry point; take its first
            // statement row.
            let mut in_run = false;
            for r in &seq.rows {
                let is_line = files.contains(&r.file) && r.line == found;
                if is_line && !in_run {
                    addrs.insert(r.addr);
                }
                if r.line != 0 {
                    in_run = is_line;
                }
            }
        }
        // gdb keeps only the lowest address per function; the caller filters further.
        Some((found, addrs.into_iter().collect()))
    }

    /// Every line of `file` that has code, sorted.
    pub fn lines_of(&self, file: FileId) -> Vec<u32> {
        let set: BTreeSet<u32> = self
            .sequences
            .iter()
            .flat_map(|s| s.rows.iter())
            .filter(|r| r.file == file && r.line != 0)
            .map(|r| r.line)
            .collect();
        set.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> LineTable {
        let mut t = LineTable::default();
        let f = t.file_id("./a.c");
        let row = |addr, line| Row { addr, file: f, line, is_stmt: true, prologue_end: false };
        t.push_sequence(Sequence {
            start: 0x10,
            end: 0x40,
            rows: vec![row(0x10, 3), row(0x18, 4), row(0x20, 0), row(0x28, 6)],
        });
        t.push_sequence(Sequence { start: 0xffff_ffff, end: 0xffff_ffff, rows: vec![row(0xffff_ffff, 9)] });
        t.finish();
        t
    }

    #[test]
    fn address_to_line_and_back() {
        let t = table();
        assert_eq!(t.sequences.len(), 1, "tombstoned sequence dropped");
        assert_eq!(t.find(0x1a).map(|l| l.line), Some(4));
        assert_eq!(t.find(0x40), None);
        assert_eq!(t.find(0x5), None);
        assert!(t.is_stmt_start(0x18));
        assert!(!t.is_stmt_start(0x19));
        assert!(!t.is_stmt_start(0x20), "line 0 is not a statement");
        let files = t.matching_files("a.c");
        assert_eq!(t.addrs_for_line(&files, 4), Some((4, vec![0x18])));
        assert_eq!(t.addrs_for_line(&files, 5), Some((6, vec![0x28])), "moves to the next line with code");
        assert_eq!(t.addrs_for_line(&files, 7), None);
        assert_eq!(t.lines_of(files[0]), vec![3, 4, 6]);
    }
}
