//! The type model read from DWARF (DWARF 5 chapter 5): base types, pointers, arrays,
//! structs/unions (with Rust's variant parts, §5.7.10, see [`super::variants`]), enums,
//! typedefs and qualifiers, in one arena indexed by [`TypeId`]. Names as the language
//! spells them: C's from [`TypeTable::name`], Rust's from [`TypeTable::rust_name`].

use std::collections::HashMap;

use super::variants::VariantPart;
use crate::vector::Shape;

/// Index of a type in a [`TypeTable`].
pub type TypeId = usize;

/// DWARF base-type encodings we distinguish (DW_ATE_*).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Signed,
    Unsigned,
    SignedChar,
    UnsignedChar,
    Bool,
    Float,
    Other,
}

impl Encoding {
    pub fn from_dw(ate: u8) -> Encoding {
        match ate {
            0x02 => Encoding::Bool,
            0x04 => Encoding::Float,
            0x05 => Encoding::Signed,
            0x06 => Encoding::SignedChar,
            0x07 => Encoding::Unsigned,
            0x08 => Encoding::UnsignedChar,
            _ => Encoding::Other,
        }
    }

    pub fn is_char(self) -> bool {
        matches!(self, Encoding::SignedChar | Encoding::UnsignedChar)
    }

    pub fn is_signed(self) -> bool {
        matches!(self, Encoding::Signed | Encoding::SignedChar)
    }
}

/// A struct, union or class member.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub name: String,
    pub ty: Option<TypeId>,
    /// Byte offset in the aggregate.
    pub offset: u64,
}

/// One type.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// `void` or a type this debugger does not model.
    Void,
    Base {
        name: String,
        encoding: Encoding,
        size: u64,
    },
    Pointer {
        pointee: Option<TypeId>,
    },
    Const(Option<TypeId>),
    Volatile(Option<TypeId>),
    Typedef {
        name: String,
        ty: Option<TypeId>,
    },
    Struct {
        keyword: &'static str,
        name: Option<String>,
        size: u64,
        members: Vec<Member>,
        /// A Rust enum's variants (`DW_TAG_variant_part`); `None` for plain structs.
        variants: Option<Box<VariantPart>>,
    },
    Array {
        elem: Option<TypeId>,
        count: Option<u64>,
    },
    Enum {
        name: Option<String>,
        size: u64,
        values: Vec<(String, i64)>,
    },
    Function {
        ret: Option<TypeId>,
    },
}

/// Every type of a program's DWARF, plus synthetic `int` and `long long` for literals.
#[derive(Debug, Clone, Default)]
pub struct TypeTable {
    pub types: Vec<Type>,
    /// Names DWARF gives types the C model has no place for, qualified by their
    /// namespaces and enclosing types: `prog::Event`, `&mut prog::Inventory` (a pointer),
    /// `core::option::Option<&u32>::Some` (a variant's struct).
    pub qualified: HashMap<TypeId, String>,
    /// Pointer types that are C++ references (`T &`, `T &&`).
    pub references: std::collections::HashSet<TypeId>,
    /// The types [`TypeTable::v128`] made, shown lane-wise in this view (see
    /// [`crate::vector`]): `v128` itself as `i32x4`, each lane member as itself.
    pub vectors: HashMap<TypeId, Shape>,
    /// The `v128` typedef, once made.
    v128: Option<TypeId>,
}

/// Size of a wasm32 pointer.
pub const POINTER_SIZE: u64 = 4;

impl TypeTable {
    pub fn add(&mut self, t: Type) -> TypeId {
        self.types.push(t);
        self.types.len() - 1
    }

    pub fn get(&self, id: TypeId) -> &Type {
        self.types.get(id).unwrap_or(&Type::Void)
    }

    /// A base type by name, adding it if missing (for literals and casts).
    pub fn base(&mut self, name: &str, encoding: Encoding, size: u64) -> TypeId {
        let found =
            self.types.iter().position(|t| matches!(t, Type::Base { name: n, size: s, .. } if n == name && *s == size));
        found.unwrap_or_else(|| self.add(Type::Base { name: name.to_string(), encoding, size }))
    }

    /// The type of wasm `v128` values, made on first use: a typedef `v128` of a union
    /// with a member per lane view, like gdb's `$xmm0` (`i8 i8x16[16]`, `i16 i16x8[8]`,
    /// `i32 i32x4[4]`, `i64 i64x2[2]`, `f32 f32x4[4]`, `f64 f64x2[2]`). Values of these
    /// types print lane-wise ([`TypeTable::vector_shape`]).
    pub fn v128(&mut self) -> TypeId {
        if let Some(t) = self.v128 {
            return t;
        }
        let mut members = Vec::new();
        for shape in Shape::ALL {
            let (enc, size) = if shape.is_float() {
                (Encoding::Float, shape.lane_bytes() as u64)
            } else {
                (Encoding::Signed, shape.lane_bytes() as u64)
            };
            let lane = self.base(shape.lane_name(), enc, size);
            let arr = self.add(Type::Array { elem: Some(lane), count: Some(shape.lanes() as u64) });
            self.vectors.insert(arr, shape);
            members.push(Member { name: shape.name().to_string(), ty: Some(arr), offset: 0 });
        }
        let union = self.add(Type::Struct {
            keyword: "union",
            name: Some("v128".to_string()),
            size: 16,
            members,
            variants: None,
        });
        let td = self.add(Type::Typedef { name: "v128".to_string(), ty: Some(union) });
        self.vectors.insert(union, Shape::I32x4);
        self.vectors.insert(td, Shape::I32x4);
        self.v128 = Some(td);
        td
    }

    /// The lane view a value of type `id` is shown in, if it is a `v128` or one of its
    /// lane members.
    pub fn vector_shape(&self, id: Option<TypeId>) -> Option<Shape> {
        let id = id?;
        self.vectors.get(&id).or_else(|| self.vectors.get(&self.strip(Some(id))?)).copied()
    }

    /// A pointer to `pointee`, adding it if missing.
    pub fn pointer_to(&mut self, pointee: Option<TypeId>) -> TypeId {
        match self.types.iter().position(|t| *t == Type::Pointer { pointee }) {
            Some(i) => i,
            None => self.add(Type::Pointer { pointee }),
        }
    }

    /// Follows typedefs and qualifiers to the type that says how to read a value.
    pub fn strip(&self, id: Option<TypeId>) -> Option<TypeId> {
        let mut cur = id;
        for _ in 0..64 {
            match cur.map(|i| self.get(i)) {
                Some(Type::Typedef { ty, .. } | Type::Const(ty) | Type::Volatile(ty)) => cur = *ty,
                _ => return cur,
            }
        }
        cur
    }

    /// Byte size of a value of the type (0 for void and functions).
    pub fn size_of(&self, id: Option<TypeId>) -> u64 {
        let Some(id) = self.strip(id) else { return 0 };
        match self.get(id) {
            Type::Void | Type::Function { .. } => 0,
            Type::Base { size, .. } | Type::Struct { size, .. } | Type::Enum { size, .. } => *size,
            Type::Pointer { .. } => POINTER_SIZE,
            Type::Array { elem, count } => count.unwrap_or(0).saturating_mul(self.size_of(*elem)),
            Type::Const(_) | Type::Volatile(_) | Type::Typedef { .. } => 0,
        }
    }

    /// The Rust spelling of a type, as rust-gdb prints it: `u32`, `prog::Event`,
    /// `*mut prog::Inventory` (also for `&mut` and `Box`), `[u32; 4]`, `()`.
    pub fn rust_name(&self, id: Option<TypeId>) -> String {
        self.rust_name_at(id, 0)
    }

    fn rust_name_at(&self, id: Option<TypeId>, depth: u32) -> String {
        let Some(i) = id else { return "()".to_string() };
        if depth > 32 {
            return "...".to_string();
        }
        // Pointers are `*mut T` whatever DWARF calls them (`&mut T`, `Box<T>`), as rust-gdb
        // names them.
        if let Some(q) = self.qualified.get(&i).filter(|_| !matches!(self.get(i), Type::Pointer { .. })) {
            return q.clone();
        }
        match self.get(i) {
            Type::Void => "()".to_string(),
            Type::Base { name, .. } => name.clone(),
            Type::Typedef { name, ty } if name.is_empty() => self.rust_name_at(*ty, depth + 1),
            Type::Typedef { name, .. } => name.clone(),
            Type::Struct { name, .. } | Type::Enum { name, .. } => name.clone().unwrap_or_else(|| "{...}".to_string()),
            Type::Pointer { pointee } => format!("*mut {}", self.rust_name_at(*pointee, depth + 1)),
            Type::Const(t) | Type::Volatile(t) => self.rust_name_at(*t, depth + 1),
            Type::Array { elem, count } => match count {
                Some(n) => format!("[{}; {n}]", self.rust_name_at(*elem, depth + 1)),
                None => format!("[{}]", self.rust_name_at(*elem, depth + 1)),
            },
            Type::Function { ret } => format!("fn() -> {}", self.rust_name_at(*ret, depth + 1)),
        }
    }

    /// The C spelling of a type: `int`, `struct shape *`, `point_t`, `int [4]`.
    pub fn name(&self, id: Option<TypeId>) -> String {
        let (base, suffix) = self.split_name(id, 0);
        if suffix.is_empty() { base } else { format!("{base} {suffix}") }
    }

    /// (base part, declarator part): `int` + `*[4]` style, good enough for C.
    pub(crate) fn split_name(&self, id: Option<TypeId>, depth: u32) -> (String, String) {
        let Some(i) = id else { return ("void".to_string(), String::new()) };
        if depth > 32 {
            return ("...".to_string(), String::new());
        }
        match self.get(i) {
            Type::Void => ("void".to_string(), String::new()),
            Type::Base { name, .. } => (name.clone(), String::new()),
            Type::Typedef { name, ty } if name.is_empty() => self.split_name(*ty, depth + 1),
            Type::Typedef { name, .. } => (name.clone(), String::new()),
            // C++ names types by their qualified name, without the keyword.
            Type::Struct { .. } | Type::Enum { .. } if self.qualified.contains_key(&i) => {
                (self.qualified.get(&i).cloned().unwrap_or_default(), String::new())
            }
            Type::Struct { keyword, name, .. } => {
                (format!("{keyword} {}", name.as_deref().unwrap_or("{...}")), String::new())
            }
            Type::Enum { name, .. } => (format!("enum {}", name.as_deref().unwrap_or("{...}")), String::new()),
            Type::Pointer { pointee } if self.references.contains(&i) => {
                let (b, s) = self.split_name(*pointee, depth + 1);
                (b, format!("&{s}"))
            }
            Type::Pointer { pointee } => {
                let (b, s) = self.split_name(*pointee, depth + 1);
                if matches!(self.strip(*pointee).map(|p| self.get(p)), Some(Type::Array { .. })) {
                    (b, format!("(*){s}"))
                } else if s.is_empty() {
                    (b, "*".to_string())
                } else {
                    (b, format!("*{s}"))
                }
            }
            Type::Const(t) => {
                let (b, s) = self.split_name(*t, depth + 1);
                if s.is_empty() { (format!("const {b}"), s) } else { (b, format!("{s} const")) }
            }
            Type::Volatile(t) => {
                let (b, s) = self.split_name(*t, depth + 1);
                (format!("volatile {b}"), s)
            }
            Type::Array { elem, count } => {
                let (b, s) = self.split_name(*elem, depth + 1);
                let dim = count.map_or(String::new(), |c| c.to_string());
                (b, format!("{s}[{dim}]"))
            }
            Type::Function { ret } => {
                let (b, s) = self.split_name(*ret, depth + 1);
                (b, format!("{s}(...)"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_sizes() {
        let mut t = TypeTable::default();
        let int = t.base("int", Encoding::Signed, 4);
        let arr = t.add(Type::Array { elem: Some(int), count: Some(4) });
        let p = t.pointer_to(Some(int));
        let c = t.add(Type::Const(Some(int)));
        let pc = t.pointer_to(Some(c));
        let td = t.add(Type::Typedef { name: "myint".into(), ty: Some(int) });
        assert_eq!(t.name(Some(arr)), "int [4]");
        assert_eq!(t.name(Some(p)), "int *");
        assert_eq!(t.name(Some(pc)), "const int *");
        assert_eq!(t.size_of(Some(arr)), 16);
        assert_eq!(t.size_of(Some(td)), 4);
        assert_eq!(t.size_of(Some(p)), 4);
        assert_eq!(t.name(None), "void");
    }
}
