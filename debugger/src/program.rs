//! Static facts about the debugged module: function names and code ranges, the offsets
//! of instructions that execute (for snapping), DWARF line mapping in module offsets, and
//! source text.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use wasmscope_engine::Module;
use wasmscope_engine::syntax::{ExternKind, FuncBody, FuncType, Instr, Instructions};
use wasmscope_engine::translate::{ModuleContext, translate};

use crate::dwarf::DebugInfo;
use crate::dwarf::lines::FileId;
use crate::dwarf::types::TypeTable;
use crate::error::{DebugError, Result};

/// Demangles a Rust symbol (legacy or v0) or an Itanium C++ one (without its parameter
/// list, as gdb names functions in frames: `shop::Counter::bump`); `None` if it is
/// neither.
pub fn demangle(name: &str) -> Option<String> {
    if let Ok(d) = rustc_demangle::try_demangle(name) {
        return Some(format!("{d:#}"));
    }
    if !name.starts_with("_Z") {
        return None;
    }
    let sym = cpp_demangle::Symbol::new(name).ok()?;
    sym.demangle_with_options(&cpp_demangle::DemangleOptions::new().no_params().no_return_type()).ok()
}

/// A source position in module terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLoc {
    pub file: FileId,
    pub path: String,
    pub line: u32,
}

/// The loaded module and everything derived from it that does not change while it runs.
pub struct Program {
    pub path: PathBuf,
    pub module: Module,
    /// The module's binary as loaded (text modules: as assembled), for front ends that
    /// serve it (LLDB reads code through the gdb-remote stub).
    pub bytes: Vec<u8>,
    pub dwarf: Option<DebugInfo>,
    /// DWARF's types plus synthetic ones (literals, `&x`, wasm value types).
    pub types: RefCell<TypeTable>,
    /// File offset of the Code section payload: DWARF address 0.
    pub code_base: u32,
    num_imported: u32,
    /// Per defined function: sorted offsets of instructions the interpreter stops at.
    exec: Vec<Vec<u32>>,
    /// Per defined function: its instructions, decoded once (the module keeps them
    /// encoded).
    code: Vec<Instructions>,
    /// Extra directories to look for sources in.
    pub source_dirs: Vec<PathBuf>,
    sources: RefCell<HashMap<String, Option<Vec<String>>>>,
    /// [`Program::func_entry`] by function, once asked.
    entries: RefCell<HashMap<u32, Option<u32>>>,
}

impl Program {
    pub fn new(path: &Path, module: Module, bytes: Vec<u8>) -> Result<Program> {
        let syntax = module.syntax();
        let mut dwarf = DebugInfo::load(&syntax.customs)?;
        let types = RefCell::new(dwarf.as_mut().map(|d| std::mem::take(&mut d.types)).unwrap_or_default());
        let num_imported = syntax.num_imported_funcs();
        let func_types = syntax.func_type_indices();
        let global_types: Vec<_> = syntax.global_types().iter().map(|g| g.content).collect();
        let (memories, tables) = (syntax.memory_types(), syntax.table_types());
        let tags = syntax.tag_type_indices();
        let ctx = ModuleContext {
            types: &syntax.types,
            canonical: &syntax.canonical,
            func_types: &func_types,
            consume_fuel: false,
            global_types: &global_types,
            memories: &memories,
            tables: &tables,
            tags: &tags,
        };
        let mut exec = Vec::with_capacity(syntax.code.len());
        let mut code = Vec::with_capacity(syntax.code.len());
        for (i, body) in syntax.code.iter().enumerate() {
            let instructions = body.instructions().map(std::borrow::Cow::into_owned).unwrap_or_default();
            let ty = syntax.funcs.get(i);
            let mut offs: Vec<u32> = match ty.map(|ty| translate(&ctx, *ty, body, false)) {
                Some(Ok(c)) => c.offsets.to_vec(),
                _ => instructions.offsets.clone(),
            };
            offs.sort_unstable();
            offs.dedup();
            exec.push(offs);
            code.push(instructions);
        }
        let mut source_dirs = Vec::new();
        if let Some(dir) = path.parent() {
            source_dirs.push(dir.to_path_buf());
        }
        Ok(Program {
            path: path.to_path_buf(),
            bytes,
            code_base: syntax.code_section_payload_offset.unwrap_or(0),
            module,
            dwarf,
            types,
            num_imported,
            exec,
            code,
            source_dirs,
            sources: RefCell::new(HashMap::new()),
            entries: RefCell::new(HashMap::new()),
        })
    }

    pub fn num_funcs(&self) -> u32 {
        self.num_imported + self.exec.len() as u32
    }

    pub fn num_imported(&self) -> u32 {
        self.num_imported
    }

    pub fn body(&self, func: u32) -> Option<&FuncBody> {
        self.module.syntax().code.get(func.checked_sub(self.num_imported)? as usize)
    }

    /// The decoded instructions of defined function `func`.
    pub fn code(&self, func: u32) -> Option<&Instructions> {
        self.code.get(func.checked_sub(self.num_imported)? as usize)
    }

    pub fn func_type(&self, func: u32) -> Option<&FuncType> {
        self.module.func_type(func)
    }

    /// The DWARF code address of module offset `offset`.
    pub fn code_addr(&self, offset: u32) -> u64 {
        u64::from(offset.saturating_sub(self.code_base))
    }

    /// The module offset of DWARF code address `addr`.
    pub fn offset_of(&self, addr: u64) -> Option<u32> {
        u32::try_from(addr).ok()?.checked_add(self.code_base)
    }

    /// The defined function whose body contains module offset `offset`.
    pub fn func_at(&self, offset: u32) -> Option<u32> {
        let code = &self.module.syntax().code;
        let i = code.partition_point(|b| b.range.start <= offset);
        let i = i.checked_sub(1)?;
        code[i].range.contains(&offset).then_some(self.num_imported + i as u32)
    }

    /// The instruction at `offset` in `func`.
    pub fn instr_at(&self, func: u32, offset: u32) -> Option<&Instr> {
        let code = self.code(func)?;
        let i = code.offsets.binary_search(&offset).ok()?;
        code.instrs.get(i)
    }

    /// Offsets of the instructions of `func` the interpreter stops at.
    pub fn exec_offsets(&self, func: u32) -> &[u32] {
        self.exec.get(func.saturating_sub(self.num_imported) as usize).map_or(&[], Vec::as_slice)
    }

    /// Moves `offset` forward to the first instruction at or after it that executes (in
    /// the same function); `None` if there is none.
    pub fn snap(&self, offset: u32) -> Option<u32> {
        let func = self.func_at(offset)?;
        let ex = self.exec_offsets(func);
        ex.get(ex.partition_point(|&o| o < offset)).copied()
    }

    /// The function's display name: name section (demangled), then DWARF, then `func[N]`.
    pub fn func_name(&self, func: u32) -> String {
        // A DWARF name from a linkage name is the source's (`shop::Counter::bump`), where
        // wasm-ld's name section has a demangled signature (`shop::Counter::bump(int)`).
        // So is DWARF's `main` where clang renamed it for WASI (`__original_main`,
        // `__main_argc_argv`).
        if let Some(f) = self.dwarf_function(func)
            && (f.linkage_name.is_some()
                || self.module.func_name(func).is_some_and(|n| n == "__original_main" || n == "__main_argc_argv"))
        {
            return f.name.clone();
        }
        if let Some(n) = self.module.func_name(func) {
            return demangle(n).unwrap_or_else(|| n.to_string());
        }
        if let Some(f) = self.dwarf_function(func) {
            return f.name.clone();
        }
        if let Some(imp) = self.module.imports().iter().filter(|i| i.desc.kind() == ExternKind::Func).nth(func as usize)
        {
            return format!("{}.{}", imp.module, imp.name);
        }
        format!("func[{func}]")
    }

    /// The DWARF subprogram of defined function `func` (the one containing its first
    /// instruction: the body's size field and local declarations come before it).
    pub fn dwarf_function(&self, func: u32) -> Option<&crate::dwarf::vars::Function> {
        let first = *self.exec_offsets(func).first()?;
        self.dwarf.as_ref()?.function_at(self.code_addr(first))
    }

    /// Functions whose name (name section, demangled, DWARF, or export) is `name`, or
    /// `func[N]` / a plain index.
    pub fn find_funcs(&self, name: &str) -> Vec<u32> {
        let idx = name.strip_prefix("func[").and_then(|s| s.strip_suffix(']')).unwrap_or(name);
        if let Ok(i) = idx.parse::<u32>() {
            return if i < self.num_funcs() { vec![i] } else { Vec::new() };
        }
        let mut out: Vec<u32> = (0..self.num_funcs())
            .filter(|&f| {
                self.func_name(f) == name
                    || self.module.func_name(f) == Some(name)
                    || self
                        .module
                        .exports()
                        .iter()
                        .any(|e| e.name == name && e.index == f && e.kind == ExternKind::Func)
            })
            .collect();
        if out.is_empty()
            && let Some(d) = &self.dwarf
        {
            for f in d.functions_named(name) {
                if let Some(func) = self.offset_of(f.low).and_then(|o| self.func_at(o)) {
                    out.push(func);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Where a breakpoint on function `func` goes, and where `step` into it stops: after
    /// the prologue when there is DWARF (gdb's rule: the line table's first
    /// `prologue_end` row in the function, else its first change of line), else its first
    /// instruction. Cached: stepping asks at every call.
    pub fn func_entry(&self, func: u32) -> Option<u32> {
        if let Some(e) = self.entries.borrow().get(&func) {
            return *e;
        }
        let e = self.find_func_entry(func);
        self.entries.borrow_mut().insert(func, e);
        e
    }

    fn find_func_entry(&self, func: u32) -> Option<u32> {
        let body = self.body(func)?;
        let first = *self.exec_offsets(func).first()?;
        let Some(d) = &self.dwarf else { return Some(first) };
        let (lo, hi) = (self.code_addr(body.range.start), self.code_addr(body.range.end));
        let rows: Vec<_> = d
            .lines
            .sequences
            .iter()
            .flat_map(|s| s.rows.iter())
            .filter(|r| r.addr >= lo && r.addr < hi && r.line != 0)
            .collect();
        let Some(first_row) = rows.first() else { return Some(first) };
        let after = rows
            .iter()
            .find(|r| r.prologue_end)
            .or_else(|| rows.iter().find(|r| r.line != first_row.line && r.is_stmt))
            .map(|r| r.addr);
        match after.and_then(|a| self.offset_of(a)).and_then(|o| self.snap(o)) {
            Some(o) => Some(o),
            None => Some(first),
        }
    }

    /// The source position of module offset `offset`, if DWARF maps it to a line.
    pub fn line_at(&self, offset: u32) -> Option<SourceLoc> {
        let d = self.dwarf.as_ref()?;
        let l = d.lines.find(self.code_addr(offset))?;
        if l.line == 0 {
            return None;
        }
        Some(SourceLoc { file: l.file, path: d.lines.files.get(l.file as usize)?.clone(), line: l.line })
    }

    /// Whether a new statement (line) begins exactly at `offset`. An offset that was
    /// not an instruction boundary in the table counts if the row it falls in starts
    /// in a non-executing instruction just before it (snapping).
    pub fn is_stmt_start(&self, func: u32, offset: u32) -> bool {
        let Some(d) = &self.dwarf else { return false };
        let Some(l) = d.lines.find(self.code_addr(offset)) else { return false };
        if !l.is_stmt || l.line == 0 {
            return false;
        }
        let Some(row_off) = self.offset_of(l.row_addr) else { return false };
        // The row starts here, or at non-executing instructions that snap to here.
        row_off == offset
            || (row_off < offset && self.snap(row_off) == Some(offset) && self.func_at(row_off) == Some(func))
    }

    /// `FILE:LINE` → (line actually used, module offsets to break at).
    pub fn resolve_line(&self, file: Option<&str>, line: u32, default_file: Option<FileId>) -> Result<(u32, Vec<u32>)> {
        let d = self.dwarf.as_ref().ok_or_else(|| DebugError::NotFound("No line information (no DWARF).".into()))?;
        let files = match file {
            Some(f) => d.lines.matching_files(f),
            None => default_file.into_iter().collect(),
        };
        if files.is_empty() {
            return Err(DebugError::NotFound(match file {
                Some(f) => format!("No source file named {f}."),
                None => "No default source file; use FILE:LINE.".into(),
            }));
        }
        let (found, addrs) = d
            .lines
            .addrs_for_line(&files, line)
            .ok_or_else(|| DebugError::NotFound(format!("Line {line} has no code (and no later line does).")))?;
        // One location per function: the lowest address of the line in each.
        let mut per_func: HashMap<u32, u32> = HashMap::new();
        for a in addrs {
            let Some(off) = self.offset_of(a).and_then(|o| self.snap(o)) else { continue };
            let Some(func) = self.func_at(off) else { continue };
            // A line whose code starts in a function's prologue (its opening line, or all
            // of a one-line closure) breaks after the prologue, as gdb does, where the
            // arguments are in place.
            let off = match self.func_entry(func) {
                Some(entry) if off < entry => entry,
                _ => off,
            };
            let e = per_func.entry(func).or_insert(off);
            *e = (*e).min(off);
        }
        let mut offs: Vec<u32> = per_func.into_values().collect();
        offs.sort_unstable();
        if offs.is_empty() {
            return Err(DebugError::NotFound(format!("Line {line} has no code that executes.")));
        }
        Ok((found, offs))
    }

    /// Source files known to DWARF.
    pub fn files(&self) -> Vec<String> {
        self.dwarf.as_ref().map(|d| d.lines.files.clone()).unwrap_or_default()
    }

    /// Where source `path` (as DWARF names it) is on disk, if it can be found.
    pub fn locate(&self, path: &str) -> Option<PathBuf> {
        let p = Path::new(path);
        if p.is_absolute() {
            return p.exists().then(|| p.to_path_buf());
        }
        self.source_dirs.iter().map(|d| d.join(p)).chain(std::iter::once(p.to_path_buf())).find(|c| c.exists())
    }

    /// Line `line` (1-based) of source `path`, if the file can be found.
    pub fn source_line(&self, path: &str, line: u32) -> Option<String> {
        let mut cache = self.sources.borrow_mut();
        let lines = cache.entry(path.to_string()).or_insert_with(|| {
            let text = std::fs::read_to_string(self.locate(path)?).ok()?;
            Some(text.lines().map(str::to_string).collect())
        });
        lines.as_ref()?.get(line.checked_sub(1)? as usize).cloned()
    }

    /// Number of lines of source `path`, if found.
    pub fn source_len(&self, path: &str) -> Option<u32> {
        self.source_line(path, 1)?;
        self.sources.borrow().get(path).and_then(|l| l.as_ref().map(|l| l.len() as u32))
    }
}
