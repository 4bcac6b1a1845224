//! The GC instructions (spec 3.0 §2.4.3 "Aggregate instructions" and the casts of
//! §2.4.2; the `0xFB` prefix): struct and array allocation and access, `i31`, casts and
//! the conversions between `any` and `extern`. One enum with the immediates; the table
//! [`GcInstr::sub_opcode`] / [`GcInstr::name`] serves the decoder and the printer, and the
//! validator, translator and both tiers match on the variants.

use std::fmt;

use super::types::RefType;

/// Whether a packed field is read sign- or zero-extended (`_s`, `_u`), or unpacked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Extend {
    None,
    Signed,
    Unsigned,
}

impl Extend {
    fn suffix(self) -> &'static str {
        match self {
            Extend::None => "",
            Extend::Signed => "_s",
            Extend::Unsigned => "_u",
        }
    }
}

/// A GC instruction with its immediates (type indices, field indices, segment indices).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GcInstr {
    /// `struct.new x`: `[t*] -> [(ref $x)]`.
    StructNew(u32),
    /// `struct.new_default x`: `[] -> [(ref $x)]`, fields zero or null.
    StructNewDefault(u32),
    /// `struct.get(_s|_u) x i`: `[(ref null $x)] -> [t]`.
    StructGet { ty: u32, field: u32, extend: Extend },
    /// `struct.set x i`: `[(ref null $x) t] -> []`.
    StructSet { ty: u32, field: u32 },
    /// `array.new x`: `[t i32] -> [(ref $x)]`.
    ArrayNew(u32),
    /// `array.new_default x`: `[i32] -> [(ref $x)]`.
    ArrayNewDefault(u32),
    /// `array.new_fixed x n`: `[t^n] -> [(ref $x)]`.
    ArrayNewFixed { ty: u32, len: u32 },
    /// `array.new_data x d`: `[i32 i32] -> [(ref $x)]` (offset, length) from data segment `d`.
    ArrayNewData { ty: u32, data: u32 },
    /// `array.new_elem x e`: `[i32 i32] -> [(ref $x)]` from element segment `e`.
    ArrayNewElem { ty: u32, elem: u32 },
    /// `array.get(_s|_u) x`: `[(ref null $x) i32] -> [t]`.
    ArrayGet { ty: u32, extend: Extend },
    /// `array.set x`: `[(ref null $x) i32 t] -> []`.
    ArraySet(u32),
    /// `array.len`: `[(ref null array)] -> [i32]`.
    ArrayLen,
    /// `array.fill x`: `[(ref null $x) i32 t i32] -> []`.
    ArrayFill(u32),
    /// `array.copy x y`: `[(ref null $x) i32 (ref null $y) i32 i32] -> []`.
    ArrayCopy { dst: u32, src: u32 },
    /// `array.init_data x d`: `[(ref null $x) i32 i32 i32] -> []`.
    ArrayInitData { ty: u32, data: u32 },
    /// `array.init_elem x e`: `[(ref null $x) i32 i32 i32] -> []`.
    ArrayInitElem { ty: u32, elem: u32 },
    /// `ref.test rt`: `[rt'] -> [i32]`.
    RefTest(RefType),
    /// `ref.cast rt`: `[rt'] -> [rt]`, trapping when the value is not of type `rt`.
    RefCast(RefType),
    /// `br_on_cast l rt1 rt2`: branches to `l` with the value if it is of type `rt2`.
    BrOnCast { label: u32, from: RefType, to: RefType },
    /// `br_on_cast_fail l rt1 rt2`: branches to `l` with the value if it is not of type `rt2`.
    BrOnCastFail { label: u32, from: RefType, to: RefType },
    /// `any.convert_extern`: `[(ref null? extern)] -> [(ref null? any)]`.
    AnyConvertExtern,
    /// `extern.convert_any`: `[(ref null? any)] -> [(ref null? extern)]`.
    ExternConvertAny,
    /// `ref.i31`: `[i32] -> [(ref i31)]`, the low 31 bits.
    RefI31,
    /// `i31.get_s` / `i31.get_u`: `[i31ref] -> [i32]`.
    I31Get(Extend),
}

impl GcInstr {
    /// The sub-opcode after the `0xFB` prefix (for the casts, of the nullable form when
    /// `rt` is nullable).
    pub fn sub_opcode(&self) -> u32 {
        use GcInstr::*;
        match self {
            StructNew(_) => 0,
            StructNewDefault(_) => 1,
            StructGet { extend: Extend::None, .. } => 2,
            StructGet { extend: Extend::Signed, .. } => 3,
            StructGet { extend: Extend::Unsigned, .. } => 4,
            StructSet { .. } => 5,
            ArrayNew(_) => 6,
            ArrayNewDefault(_) => 7,
            ArrayNewFixed { .. } => 8,
            ArrayNewData { .. } => 9,
            ArrayNewElem { .. } => 10,
            ArrayGet { extend: Extend::None, .. } => 11,
            ArrayGet { extend: Extend::Signed, .. } => 12,
            ArrayGet { extend: Extend::Unsigned, .. } => 13,
            ArraySet(_) => 14,
            ArrayLen => 15,
            ArrayFill(_) => 16,
            ArrayCopy { .. } => 17,
            ArrayInitData { .. } => 18,
            ArrayInitElem { .. } => 19,
            RefTest(rt) => 20 + u32::from(rt.nullable),
            RefCast(rt) => 22 + u32::from(rt.nullable),
            BrOnCast { .. } => 24,
            BrOnCastFail { .. } => 25,
            AnyConvertExtern => 26,
            ExternConvertAny => 27,
            RefI31 => 28,
            I31Get(Extend::Unsigned) => 30,
            I31Get(_) => 29,
        }
    }

    /// The text-format name.
    pub fn name(&self) -> String {
        use GcInstr::*;
        match self {
            StructNew(_) => "struct.new".into(),
            StructNewDefault(_) => "struct.new_default".into(),
            StructGet { extend, .. } => format!("struct.get{}", extend.suffix()),
            StructSet { .. } => "struct.set".into(),
            ArrayNew(_) => "array.new".into(),
            ArrayNewDefault(_) => "array.new_default".into(),
            ArrayNewFixed { .. } => "array.new_fixed".into(),
            ArrayNewData { .. } => "array.new_data".into(),
            ArrayNewElem { .. } => "array.new_elem".into(),
            ArrayGet { extend, .. } => format!("array.get{}", extend.suffix()),
            ArraySet(_) => "array.set".into(),
            ArrayLen => "array.len".into(),
            ArrayFill(_) => "array.fill".into(),
            ArrayCopy { .. } => "array.copy".into(),
            ArrayInitData { .. } => "array.init_data".into(),
            ArrayInitElem { .. } => "array.init_elem".into(),
            RefTest(_) => "ref.test".into(),
            RefCast(_) => "ref.cast".into(),
            BrOnCast { .. } => "br_on_cast".into(),
            BrOnCastFail { .. } => "br_on_cast_fail".into(),
            AnyConvertExtern => "any.convert_extern".into(),
            ExternConvertAny => "extern.convert_any".into(),
            RefI31 => "ref.i31".into(),
            I31Get(extend) => format!("i31.get{}", extend.suffix()),
        }
    }

    /// Whether the instruction may appear in a constant expression (spec 3.0 §3.3.11).
    pub fn is_constant(&self) -> bool {
        use GcInstr::*;
        matches!(
            self,
            StructNew(_)
                | StructNewDefault(_)
                | ArrayNew(_)
                | ArrayNewDefault(_)
                | ArrayNewFixed { .. }
                | AnyConvertExtern
                | ExternConvertAny
                | RefI31
        )
    }

    /// Whether it allocates (a point where the collector may run).
    pub fn allocates(&self) -> bool {
        use GcInstr::*;
        matches!(
            self,
            StructNew(_)
                | StructNewDefault(_)
                | ArrayNew(_)
                | ArrayNewDefault(_)
                | ArrayNewFixed { .. }
                | ArrayNewData { .. }
                | ArrayNewElem { .. }
        )
    }
}

impl fmt::Display for GcInstr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use GcInstr::*;
        f.write_str(&self.name())?;
        match self {
            StructNew(t) | StructNewDefault(t) | ArrayNew(t) | ArrayNewDefault(t) | ArraySet(t) | ArrayFill(t) => {
                write!(f, " {t}")
            }
            StructGet { ty, field, .. } | StructSet { ty, field } => write!(f, " {ty} {field}"),
            ArrayNewFixed { ty, len } => write!(f, " {ty} {len}"),
            ArrayNewData { ty, data } | ArrayInitData { ty, data } => write!(f, " {ty} {data}"),
            ArrayNewElem { ty, elem } | ArrayInitElem { ty, elem } => write!(f, " {ty} {elem}"),
            ArrayGet { ty, .. } => write!(f, " {ty}"),
            ArrayCopy { dst, src } => write!(f, " {dst} {src}"),
            RefTest(rt) | RefCast(rt) => write!(f, " {rt}"),
            BrOnCast { label, from, to } | BrOnCastFail { label, from, to } => write!(f, " {label} {from} {to}"),
            ArrayLen | AnyConvertExtern | ExternConvertAny | RefI31 | I31Get(_) => Ok(()),
        }
    }
}
