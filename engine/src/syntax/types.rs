//! Value, reference, heap, composite, function, table, memory and global types (spec 3.0
//! §2.3 "Types"), with the subtyping of the typed function references and GC proposals
//! in [`super::subtype`].

use std::fmt;

/// A heap type (spec 3.0 §2.3.3): an abstract heap type or a type index of the module.
///
/// The three hierarchies are `any ⊇ eq ⊇ {i31, struct, array}` (with `none` below them
/// all), `func` (with `nofunc` below) and `extern` (with `noextern`); `exn` (with
/// `noexn`) is the exception handling proposal's. [`HeapType::Bot`] is the validator's
/// bottom type of unreachable code, never decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HeapType {
    Func,
    NoFunc,
    Extern,
    NoExtern,
    Any,
    Eq,
    I31,
    Struct,
    Array,
    None,
    Exn,
    NoExn,
    /// A defined type of the module, by index (a function, struct or array type).
    Concrete(u32),
    /// The validator's bottom heap type (below every other), from unreachable code.
    Bot,
}

impl HeapType {
    /// The name of an abstract heap type as the text format spells it (`func`, `any`,
    /// ...), or `None` for a type index.
    pub fn abstract_name(self) -> Option<&'static str> {
        Some(match self {
            HeapType::Func => "func",
            HeapType::NoFunc => "nofunc",
            HeapType::Extern => "extern",
            HeapType::NoExtern => "noextern",
            HeapType::Any => "any",
            HeapType::Eq => "eq",
            HeapType::I31 => "i31",
            HeapType::Struct => "struct",
            HeapType::Array => "array",
            HeapType::None => "none",
            HeapType::Exn => "exn",
            HeapType::NoExn => "noexn",
            HeapType::Bot => "bot",
            HeapType::Concrete(_) => return None,
        })
    }
}

impl HeapType {
    /// The top of this heap type's hierarchy: `func`, `extern`, `any` or `exn`. A type
    /// index is resolved by `kind`, which gives the abstract type of its composite kind
    /// (`func`, `struct` or `array`).
    pub fn top(self, kind: impl Fn(u32) -> HeapType) -> HeapType {
        match self {
            HeapType::Func | HeapType::NoFunc => HeapType::Func,
            HeapType::Extern | HeapType::NoExtern => HeapType::Extern,
            HeapType::Exn | HeapType::NoExn => HeapType::Exn,
            HeapType::Any
            | HeapType::Eq
            | HeapType::I31
            | HeapType::Struct
            | HeapType::Array
            | HeapType::None
            | HeapType::Bot => HeapType::Any,
            HeapType::Concrete(x) => match kind(x) {
                HeapType::Func => HeapType::Func,
                _ => HeapType::Any,
            },
        }
    }

    /// The top of the hierarchy of a heap type whose indices are canonical ids
    /// ([`super::canon`]), as the runtime's types are.
    pub fn canonical_top(self) -> HeapType {
        self.top(|id| super::canon::info(id).map_or(HeapType::Func, |i| i.ty.composite.kind_heap()))
    }
}

impl fmt::Display for HeapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeapType::Concrete(i) => write!(f, "{i}"),
            other => f.write_str(other.abstract_name().unwrap_or("?")),
        }
    }
}

/// A reference type (spec 3.0 §2.3.3): `(ref null? heaptype)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RefType {
    pub nullable: bool,
    pub heap: HeapType,
}

impl RefType {
    /// `funcref`, `(ref null func)`.
    pub const FUNCREF: RefType = RefType::null(HeapType::Func);
    /// `externref`, `(ref null extern)`.
    pub const EXTERNREF: RefType = RefType::null(HeapType::Extern);
    /// `exnref`, `(ref null exn)` (exception handling).
    pub const EXNREF: RefType = RefType::null(HeapType::Exn);
    /// `anyref`, `(ref null any)`.
    pub const ANYREF: RefType = RefType::null(HeapType::Any);

    /// `(ref null heap)`.
    pub const fn null(heap: HeapType) -> RefType {
        RefType { nullable: true, heap }
    }

    /// `(ref heap)`, not nullable.
    pub const fn non_null(heap: HeapType) -> RefType {
        RefType { nullable: false, heap }
    }

    /// The heap type's name in `ref.null T` of the abstract types (`func`, `extern`,
    /// ...); a type index prints as its number.
    pub fn heap_name(self) -> String {
        self.heap.to_string()
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nullable {
            // The short forms of the abstract nullable types.
            if let Some(name) = self.heap.abstract_name()
                && self.heap != HeapType::Bot
            {
                return write!(f, "{name}ref");
            }
            write!(f, "(ref null {})", self.heap)
        } else {
            write!(f, "(ref {})", self.heap)
        }
    }
}

/// A value type (spec 3.0 §2.3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    V128,
    Ref(RefType),
}

impl ValType {
    /// `funcref`.
    pub const FUNCREF: ValType = ValType::Ref(RefType::FUNCREF);
    /// `externref`.
    pub const EXTERNREF: ValType = ValType::Ref(RefType::EXTERNREF);
    /// `exnref` (exception handling).
    pub const EXNREF: ValType = ValType::Ref(RefType::EXNREF);
    /// `anyref` (GC).
    pub const ANYREF: ValType = ValType::Ref(RefType::ANYREF);

    /// Whether this is a reference type.
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::Ref(_))
    }

    /// The reference type, if this is one.
    pub fn as_ref(self) -> Option<RefType> {
        match self {
            ValType::Ref(r) => Some(r),
            _ => None,
        }
    }

    /// Whether values of this type have a default (spec 3.0 §3.2.5 "defaultable"): every
    /// type but a non-nullable reference.
    pub fn is_defaultable(self) -> bool {
        !matches!(self, ValType::Ref(RefType { nullable: false, .. }))
    }

    /// `[self]` as a one-element slice of the value (a block type of one result).
    pub fn as_slice(&self) -> &[ValType] {
        std::slice::from_ref(self)
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
        ValType::Ref(r)
    }
}

impl TryFrom<ValType> for RefType {
    type Error = ValType;
    /// The reference type of a value type, or the value type back if it is not one.
    fn try_from(t: ValType) -> Result<RefType, ValType> {
        t.as_ref().ok_or(t)
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
            ValType::Ref(r) => return r.fmt(f),
        })
    }
}

/// The type of a struct field or array element (spec 3.0 §2.3.5 "storagetype"): a value
/// type or a packed `i8`/`i16`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StorageType {
    Val(ValType),
    I8,
    I16,
}

impl StorageType {
    /// The value type a field of this type reads as (`i32` for the packed ones).
    pub fn unpacked(self) -> ValType {
        match self {
            StorageType::Val(t) => t,
            StorageType::I8 | StorageType::I16 => ValType::I32,
        }
    }

    /// Whether this is a packed type (`i8`, `i16`).
    pub fn is_packed(self) -> bool {
        !matches!(self, StorageType::Val(_))
    }

    /// Size in bytes of a stored value.
    pub fn size(self) -> u32 {
        match self {
            StorageType::I8 => 1,
            StorageType::I16 => 2,
            StorageType::Val(ValType::I32 | ValType::F32) => 4,
            StorageType::Val(ValType::V128) => 16,
            StorageType::Val(_) => 8,
        }
    }
}

impl fmt::Display for StorageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageType::Val(t) => t.fmt(f),
            StorageType::I8 => f.write_str("i8"),
            StorageType::I16 => f.write_str("i16"),
        }
    }
}

/// A struct field or the element of an array: its storage type and mutability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldType {
    pub storage: StorageType,
    pub mutability: Mutability,
}

/// The composite type of a type definition (spec 3.0 §2.3.6 "comptype").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CompositeType {
    Func(FuncType),
    Struct(Box<[FieldType]>),
    Array(FieldType),
}

impl CompositeType {
    /// The abstract heap type right above every type of this kind: `func`, `struct` or
    /// `array`.
    pub fn kind_heap(&self) -> HeapType {
        match self {
            CompositeType::Func(_) => HeapType::Func,
            CompositeType::Struct(_) => HeapType::Struct,
            CompositeType::Array(_) => HeapType::Array,
        }
    }
}

/// A type definition (spec 3.0 §2.3.7 "subtype"): the composite type, whether it is
/// final, and the index of its declared supertype, if any (at most one).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubType {
    pub is_final: bool,
    pub supertype: Option<u32>,
    pub composite: CompositeType,
    /// The index of the first type of this type's recursion group, and the group's size.
    pub rec_group: (u32, u32),
}

impl SubType {
    /// A final function type without supertype, alone in its recursion group at `index`
    /// (every type before the GC proposal).
    pub fn func(ty: FuncType, index: u32) -> SubType {
        SubType { is_final: true, supertype: None, composite: CompositeType::Func(ty), rec_group: (index, 1) }
    }

    /// The function type, if this is one.
    pub fn as_func(&self) -> Option<&FuncType> {
        match &self.composite {
            CompositeType::Func(f) => Some(f),
            _ => None,
        }
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
