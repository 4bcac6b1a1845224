//! Value, function, table, memory and global types (spec §2.3 "Types").

use std::fmt;

/// A value type (spec §2.3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    V128,
    FuncRef,
    ExternRef,
    /// `exnref`, a reference to an exception (exception handling, 3.0).
    ExnRef,
}

impl ValType {
    /// Whether this is a reference type (`funcref`, `externref` or `exnref`).
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::FuncRef | ValType::ExternRef | ValType::ExnRef)
    }

    /// `[self]` as a static slice (a block type of one result, with no allocation).
    pub fn as_slice(self) -> &'static [ValType] {
        match self {
            ValType::I32 => &[ValType::I32],
            ValType::I64 => &[ValType::I64],
            ValType::F32 => &[ValType::F32],
            ValType::F64 => &[ValType::F64],
            ValType::V128 => &[ValType::V128],
            ValType::FuncRef => &[ValType::FuncRef],
            ValType::ExternRef => &[ValType::ExternRef],
            ValType::ExnRef => &[ValType::ExnRef],
        }
    }

    /// How many 64-bit value slots a value of this type takes in raw value areas: two for
    /// `v128`, one for everything else.
    #[inline]
    pub fn slots(self) -> u32 {
        if self == ValType::V128 { 2 } else { 1 }
    }

    /// The number of slots of a sequence of values.
    pub fn slots_of(types: &[ValType]) -> u32 {
        types.iter().map(|t| t.slots()).sum()
    }

    /// Whether this is a numeric type (`i32`, `i64`, `f32`, `f64`).
    pub fn is_num(self) -> bool {
        matches!(self, ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64)
    }
}

impl From<RefType> for ValType {
    fn from(r: RefType) -> ValType {
        match r {
            RefType::FuncRef => ValType::FuncRef,
            RefType::ExternRef => ValType::ExternRef,
            RefType::ExnRef => ValType::ExnRef,
        }
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
            ValType::ExnRef => "exnref",
        })
    }
}

/// A reference type (spec §2.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefType {
    FuncRef,
    ExternRef,
    /// `exnref` (exception handling, 3.0).
    ExnRef,
}

impl RefType {
    /// The heap type's name in `ref.null T`: `func`, `extern` or `exn`.
    pub fn heap_name(self) -> &'static str {
        match self {
            RefType::FuncRef => "func",
            RefType::ExternRef => "extern",
            RefType::ExnRef => "exn",
        }
    }
}

impl TryFrom<ValType> for RefType {
    type Error = ValType;
    /// The reference type of a value type, or the value type back if it is not one.
    fn try_from(t: ValType) -> Result<RefType, ValType> {
        match t {
            ValType::FuncRef => Ok(RefType::FuncRef),
            ValType::ExternRef => Ok(RefType::ExternRef),
            ValType::ExnRef => Ok(RefType::ExnRef),
            other => Err(other),
        }
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        ValType::from(*self).fmt(f)
    }
}

/// A function type `[params] -> [results]` (spec §2.3.6).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct FuncType {
    pub params: Box<[ValType]>,
    pub results: Box<[ValType]>,
}

impl FuncType {
    pub fn new(params: impl Into<Box<[ValType]>>, results: impl Into<Box<[ValType]>>) -> Self {
        FuncType { params: params.into(), results: results.into() }
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(func")?;
        if !self.params.is_empty() {
            f.write_str(" (param")?;
            for p in self.params.iter() {
                write!(f, " {p}")?;
            }
            f.write_str(")")?;
        }
        if !self.results.is_empty() {
            f.write_str(" (result")?;
            for r in self.results.iter() {
                write!(f, " {r}")?;
            }
            f.write_str(")")?;
        }
        f.write_str(")")
    }
}

/// Size limits of a table or memory (spec §2.3.7). Stored as `u64` so that
/// memory64 can reuse it later; 2.0 modules only ever produce `u32`-range values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    pub min: u64,
    pub max: Option<u64>,
}

/// The address type of a memory or the index type of a table (spec 3.0 §2.3.7
/// "addrtype"): `i32`, or `i64` with memory64 and table64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AddrType {
    #[default]
    I32,
    I64,
}

impl AddrType {
    /// The value type of addresses (memories) or indices (tables).
    pub fn val_type(self) -> ValType {
        match self {
            AddrType::I32 => ValType::I32,
            AddrType::I64 => ValType::I64,
        }
    }

    /// Whether addresses are 64 bits.
    pub fn is_64(self) -> bool {
        self == AddrType::I64
    }

    /// The narrower of two address types (the length operand of a copy between them).
    pub fn min(self, other: AddrType) -> AddrType {
        if self.is_64() && other.is_64() { AddrType::I64 } else { AddrType::I32 }
    }

    /// `value` reduced to this type's width (an `i32` operand's slot may carry high bits).
    #[inline]
    pub fn wrap(self, value: u64) -> u64 {
        match self {
            AddrType::I32 => value as u32 as u64,
            AddrType::I64 => value,
        }
    }

    /// The all-ones value of this width: `-1`, the failure result of `memory.grow` and
    /// `table.grow`.
    pub fn minus_one(self) -> u64 {
        self.wrap(u64::MAX)
    }
}

/// A memory type: the address type, limits in pages, and the page size (spec §2.3.8; a
/// page of 1 byte needs the custom-page-sizes proposal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemoryType {
    pub limits: Limits,
    pub addr: AddrType,
    /// log2 of the page size in bytes: 16 (64 KiB, the default) or 0 (one byte).
    pub page_size_log2: u8,
}

impl MemoryType {
    /// A 32-bit memory of 64 KiB pages (the only kind before 3.0).
    pub const fn new(limits: Limits) -> MemoryType {
        MemoryType { limits, addr: AddrType::I32, page_size_log2: 16 }
    }

    /// The page size in bytes.
    pub fn page_size(&self) -> u64 {
        1 << self.page_size_log2
    }

    /// The largest number of pages the memory's address type allows (spec §3.2.5):
    /// 2^32 bytes (2^48 for `i64`), in pages; a 32-bit memory of 1-byte pages stops at
    /// 2^32 - 1 bytes.
    pub fn max_pages(&self) -> u64 {
        match (self.addr, self.page_size_log2) {
            (AddrType::I32, 0) => u32::MAX as u64,
            (AddrType::I32, log2) => 1 << (32 - u32::from(log2)),
            (AddrType::I64, 0) => u64::MAX,
            (AddrType::I64, log2) => 1 << (64 - u32::from(log2)),
        }
    }
}

/// A table type: the index type, limits in elements, and the element reference type
/// (spec §2.3.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TableType {
    pub elem: RefType,
    pub limits: Limits,
    pub addr: AddrType,
}

impl TableType {
    /// A table indexed by `i32` (the only kind before 3.0).
    pub const fn new(elem: RefType, limits: Limits) -> TableType {
        TableType { elem, limits, addr: AddrType::I32 }
    }
}

/// Mutability of a global.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mutability {
    Const,
    Var,
}

/// A global type (spec §2.3.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GlobalType {
    pub content: ValType,
    pub mutability: Mutability,
}

/// The type of a block, loop or if (spec §2.4.8 "blocktype").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockType {
    /// `[] -> []`
    Empty,
    /// `[] -> [t]`
    Value(ValType),
    /// A type index into the module's type section (multi-value).
    Func(u32),
}

/// Size of a WebAssembly page in bytes.
pub const PAGE_SIZE: u64 = 65536;
/// Largest number of pages of a 32-bit memory (4 GiB).
pub const MAX_PAGES_32: u64 = 65536;
