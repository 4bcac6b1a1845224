//! Conversions between `.wast` values and engine [`Val`]s: arguments in, expected results
//! matched, and results rendered for reports and for cross-tier comparison.

use wasmscope_engine::{AnyKind, AnyRef, ExternRef, Val};
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::{WastArg, WastRet};

/// Which NaNs an expected float result accepts (spec §4.3.3 "NaN propagation").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NanKind {
    /// `nan:canonical`: quiet, payload exactly the canonical one, either sign.
    Canonical,
    /// `nan:arithmetic`: quiet bit set, any payload, either sign.
    Arithmetic,
}

/// An owned, engine-level version of a `.wast` expected result.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    F32Nan(NanKind),
    F64Nan(NanKind),
    /// `ref.null`, with the expected reference type if given (`func`/`extern`).
    RefNull(Option<RefKind>),
    /// `ref.extern N` (or any non-null externref).
    RefExtern(Option<u32>),
    /// `ref.func`: any non-null funcref.
    RefFunc,
    /// `ref.host N`: the internalised host reference N.
    RefHost(u32),
    /// `ref.any`: any non-null anyref.
    RefAny,
    /// `ref.eq`: any non-null eqref (an i31, struct or array).
    RefEq,
    /// `ref.i31`, `ref.struct`, `ref.array`: a non-null reference of that kind.
    RefKind(AnyKind),
    /// `(either ...)`: any alternative matches.
    Either(Vec<Expected>),
    /// A `v128` of integer lanes: exactly these 128 bits.
    V128(u128),
    /// A `v128` of `f32` lanes, each an `F32` or `F32Nan` expectation (lane 0 first).
    F32x4(Box<[Expected; 4]>),
    /// A `v128` of `f64` lanes, each an `F64` or `F64Nan` expectation.
    F64x2(Box<[Expected; 2]>),
}

/// The reference types without type indices: WebAssembly 2.0's two and 3.0's `exnref`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    Func,
    Extern,
    Exn,
    /// The `any` hierarchy (GC).
    Any,
}

/// Converts an `invoke` argument. `Err` is a skip reason (a value this engine has no
/// representation for, like GC references).
pub fn arg_to_val(arg: &WastArg<'_>) -> Result<Val, String> {
    #[allow(unreachable_patterns)]
    let core = match arg {
        WastArg::Core(c) => c,
        _ => return Err("component-model argument".to_string()),
    };
    Ok(match core {
        WastArgCore::I32(x) => Val::I32(*x),
        WastArgCore::I64(x) => Val::I64(*x),
        WastArgCore::F32(f) => Val::F32(f.bits),
        WastArgCore::F64(f) => Val::F64(f.bits),
        WastArgCore::RefNull(ht) => match heap_kind(ht) {
            Some(RefKind::Func) => Val::FuncRef(None),
            Some(RefKind::Extern) => Val::ExternRef(None),
            Some(RefKind::Exn) => Val::ExnRef(None),
            Some(RefKind::Any) => Val::AnyRef(None),
            None => return Err(format!("unsupported null reference type {ht:?}")),
        },
        WastArgCore::RefExtern(n) => Val::ExternRef(Some(ExternRef::host(*n))),
        WastArgCore::RefHost(n) => Val::AnyRef(Some(AnyRef::host(*n))),
        WastArgCore::V128(v) => Val::V128(u128::from_le_bytes(v.to_le_bytes())),
    })
}

fn heap_kind(ht: &HeapType<'_>) -> Option<RefKind> {
    match ht {
        HeapType::Abstract { shared: false, ty: AbstractHeapType::Func | AbstractHeapType::NoFunc } => {
            Some(RefKind::Func)
        }
        HeapType::Abstract { shared: false, ty: AbstractHeapType::Extern | AbstractHeapType::NoExtern } => {
            Some(RefKind::Extern)
        }
        HeapType::Abstract { shared: false, ty: AbstractHeapType::Exn | AbstractHeapType::NoExn } => Some(RefKind::Exn),
        HeapType::Abstract {
            shared: false,
            ty:
                AbstractHeapType::Any
                | AbstractHeapType::Eq
                | AbstractHeapType::I31
                | AbstractHeapType::Struct
                | AbstractHeapType::Array
                | AbstractHeapType::None,
        } => Some(RefKind::Any),
        _ => None,
    }
}

/// Converts an expected result. `Err` is a skip reason.
pub fn expected_from_wast(ret: &WastRet<'_>) -> Result<Expected, String> {
    #[allow(unreachable_patterns)]
    let core = match ret {
        WastRet::Core(c) => c,
        _ => return Err("component-model result".to_string()),
    };
    expected_from_core(core)
}

fn expected_from_core(core: &WastRetCore<'_>) -> Result<Expected, String> {
    Ok(match core {
        WastRetCore::I32(x) => Expected::I32(*x),
        WastRetCore::I64(x) => Expected::I64(*x),
        WastRetCore::F32(NanPattern::Value(f)) => Expected::F32(f.bits),
        WastRetCore::F32(NanPattern::CanonicalNan) => Expected::F32Nan(NanKind::Canonical),
        WastRetCore::F32(NanPattern::ArithmeticNan) => Expected::F32Nan(NanKind::Arithmetic),
        WastRetCore::F64(NanPattern::Value(f)) => Expected::F64(f.bits),
        WastRetCore::F64(NanPattern::CanonicalNan) => Expected::F64Nan(NanKind::Canonical),
        WastRetCore::F64(NanPattern::ArithmeticNan) => Expected::F64Nan(NanKind::Arithmetic),
        WastRetCore::RefNull(None) => Expected::RefNull(None),
        WastRetCore::RefNull(Some(ht)) => match heap_kind(ht) {
            Some(k) => Expected::RefNull(Some(k)),
            None => return Err(format!("unsupported null reference type {ht:?}")),
        },
        WastRetCore::RefExtern(n) => Expected::RefExtern(*n),
        WastRetCore::RefFunc(_) => Expected::RefFunc,
        WastRetCore::RefHost(n) => Expected::RefHost(*n),
        WastRetCore::RefAny => Expected::RefAny,
        WastRetCore::RefEq => Expected::RefEq,
        WastRetCore::RefI31 => Expected::RefKind(AnyKind::I31),
        WastRetCore::RefStruct => Expected::RefKind(AnyKind::Struct),
        WastRetCore::RefArray => Expected::RefKind(AnyKind::Array),
        WastRetCore::Either(alts) => Expected::Either(alts.iter().map(expected_from_core).collect::<Result<_, _>>()?),
        WastRetCore::V128(p) => v128_expected(p),
        other => return Err(format!("unsupported expected result {other:?}")),
    })
}

/// A `v128` pattern: integer lanes become their 128 bits, float lanes stay lane patterns
/// (so NaN lanes match any NaN of their kind).
fn v128_expected(p: &V128Pattern) -> Expected {
    fn bits<const N: usize>(lanes: [u64; N]) -> u128 {
        let width = 128 / N;
        let mask = if width == 64 { u64::MAX } else { (1u64 << width) - 1 };
        lanes.iter().enumerate().fold(0u128, |acc, (i, l)| acc | u128::from(l & mask) << (i * width))
    }
    let f32 = |p: &NanPattern<wast::token::F32>| match p {
        NanPattern::Value(f) => Expected::F32(f.bits),
        NanPattern::CanonicalNan => Expected::F32Nan(NanKind::Canonical),
        NanPattern::ArithmeticNan => Expected::F32Nan(NanKind::Arithmetic),
    };
    let f64 = |p: &NanPattern<wast::token::F64>| match p {
        NanPattern::Value(f) => Expected::F64(f.bits),
        NanPattern::CanonicalNan => Expected::F64Nan(NanKind::Canonical),
        NanPattern::ArithmeticNan => Expected::F64Nan(NanKind::Arithmetic),
    };
    match p {
        V128Pattern::I8x16(l) => Expected::V128(bits(l.map(|x| x as u8 as u64))),
        V128Pattern::I16x8(l) => Expected::V128(bits(l.map(|x| x as u16 as u64))),
        V128Pattern::I32x4(l) => Expected::V128(bits(l.map(|x| x as u32 as u64))),
        V128Pattern::I64x2(l) => Expected::V128(bits(l.map(|x| x as u64))),
        V128Pattern::F32x4(l) => Expected::F32x4(Box::new([f32(&l[0]), f32(&l[1]), f32(&l[2]), f32(&l[3])])),
        V128Pattern::F64x2(l) => Expected::F64x2(Box::new([f64(&l[0]), f64(&l[1])])),
    }
}

/// Lane `i` of a `v128` as an `f32` or `f64` value.
fn lane32(v: u128, i: usize) -> Val {
    Val::F32((v >> (32 * i)) as u32)
}
fn lane64(v: u128, i: usize) -> Val {
    Val::F64((v >> (64 * i)) as u64)
}

/// Whether a 32-bit float is a NaN of the given kind.
pub fn is_nan32(bits: u32, kind: NanKind) -> bool {
    match kind {
        NanKind::Canonical => bits & 0x7fff_ffff == 0x7fc0_0000,
        NanKind::Arithmetic => bits & 0x7fc0_0000 == 0x7fc0_0000,
    }
}

/// Whether a 64-bit float is a NaN of the given kind.
pub fn is_nan64(bits: u64, kind: NanKind) -> bool {
    match kind {
        NanKind::Canonical => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanKind::Arithmetic => bits & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
    }
}

/// Whether `val` satisfies `exp`.
pub fn matches(exp: &Expected, val: &Val) -> bool {
    match (exp, val) {
        (Expected::I32(e), Val::I32(v)) => e == v,
        (Expected::I64(e), Val::I64(v)) => e == v,
        (Expected::F32(e), Val::F32(v)) => e == v,
        (Expected::F64(e), Val::F64(v)) => e == v,
        (Expected::F32Nan(k), Val::F32(v)) => is_nan32(*v, *k),
        (Expected::F64Nan(k), Val::F64(v)) => is_nan64(*v, *k),
        (
            Expected::RefNull(None),
            Val::FuncRef(None) | Val::ExternRef(None) | Val::AnyRef(None) | Val::ExnRef(None),
        ) => true,
        (Expected::RefNull(Some(RefKind::Any)), Val::AnyRef(None)) => true,
        (Expected::RefHost(n), Val::AnyRef(Some(a))) => a.host_id() == Some(*n),
        (Expected::RefAny, Val::AnyRef(Some(_))) => true,
        (Expected::RefEq, Val::AnyRef(Some(a))) => a.kind() != AnyKind::Host,
        (Expected::RefKind(k), Val::AnyRef(Some(a))) => a.kind() == *k,
        (Expected::RefNull(Some(RefKind::Exn)), Val::ExnRef(None)) => true,
        (Expected::RefNull(Some(RefKind::Func)), Val::FuncRef(None)) => true,
        (Expected::RefNull(Some(RefKind::Extern)), Val::ExternRef(None)) => true,
        (Expected::RefExtern(None), Val::ExternRef(Some(_))) => true,
        (Expected::RefExtern(Some(e)), Val::ExternRef(Some(v))) => v.host_id() == Some(*e),
        (Expected::RefFunc, Val::FuncRef(Some(_))) => true,
        (Expected::Either(alts), v) => alts.iter().any(|a| matches(a, v)),
        (Expected::V128(e), Val::V128(v)) => e == v,
        (Expected::F32x4(lanes), Val::V128(v)) => lanes.iter().enumerate().all(|(i, e)| matches(e, &lane32(*v, i))),
        (Expected::F64x2(lanes), Val::V128(v)) => lanes.iter().enumerate().all(|(i, e)| matches(e, &lane64(*v, i))),
        _ => false,
    }
}

/// Renders a value bit-exactly: `i32:42`, `f32:1.5 (0x3fc00000)`, `externref:7`.
pub fn show_val(val: &Val) -> String {
    match val {
        Val::I32(x) => format!("i32:{x}"),
        Val::I64(x) => format!("i64:{x}"),
        Val::F32(b) => format!("f32:{} ({b:#010x})", f32::from_bits(*b)),
        Val::F64(b) => format!("f64:{} ({b:#018x})", f64::from_bits(*b)),
        Val::FuncRef(None) => "funcref:null".to_string(),
        Val::FuncRef(Some(_)) => "funcref:non-null".to_string(),
        Val::ExternRef(None) => "externref:null".to_string(),
        Val::ExternRef(Some(e)) => match e.host_id() {
            Some(n) => format!("externref:{n}"),
            None => format!("externref:({})", show_val(&Val::AnyRef(Some(e.internalize())))),
        },
        Val::AnyRef(None) => "anyref:null".to_string(),
        // Objects compare between tiers by kind only (addresses differ).
        Val::AnyRef(Some(a)) => match a.kind() {
            AnyKind::I31 | AnyKind::Host => format!("anyref:{a}"),
            AnyKind::Struct => "anyref:struct".to_string(),
            AnyKind::Array => "anyref:array".to_string(),
        },
        Val::V128(v) => format!("v128:{}", show_i32x4(*v)),
        Val::ExnRef(None) => "exnref:null".to_string(),
        Val::ExnRef(Some(_)) => "exnref:non-null".to_string(),
    }
}

/// A `v128` as four hexadecimal `i32` lanes, lane 0 first.
fn show_i32x4(v: u128) -> String {
    let lanes: Vec<String> = (0..4).map(|i| format!("{:#010x}", (v >> (32 * i)) as u32)).collect();
    format!("i32x4 {}", lanes.join(" "))
}

/// Renders a list of values as `[a, b]`.
pub fn show_vals(vals: &[Val]) -> String {
    let items: Vec<String> = vals.iter().map(show_val).collect();
    format!("[{}]", items.join(", "))
}

/// Renders an expectation.
pub fn show_expected(exp: &Expected) -> String {
    match exp {
        Expected::I32(x) => format!("i32:{x}"),
        Expected::I64(x) => format!("i64:{x}"),
        Expected::F32(b) => format!("f32:{} ({b:#010x})", f32::from_bits(*b)),
        Expected::F64(b) => format!("f64:{} ({b:#018x})", f64::from_bits(*b)),
        Expected::F32Nan(NanKind::Canonical) => "f32:nan:canonical".to_string(),
        Expected::F32Nan(NanKind::Arithmetic) => "f32:nan:arithmetic".to_string(),
        Expected::F64Nan(NanKind::Canonical) => "f64:nan:canonical".to_string(),
        Expected::F64Nan(NanKind::Arithmetic) => "f64:nan:arithmetic".to_string(),
        Expected::RefNull(None) => "ref.null".to_string(),
        Expected::RefNull(Some(RefKind::Func)) => "funcref:null".to_string(),
        Expected::RefNull(Some(RefKind::Extern)) => "externref:null".to_string(),
        Expected::RefNull(Some(RefKind::Exn)) => "exnref:null".to_string(),
        Expected::RefNull(Some(RefKind::Any)) => "anyref:null".to_string(),
        Expected::RefHost(n) => format!("anyref:host:{n}"),
        Expected::RefAny => "anyref:non-null".to_string(),
        Expected::RefEq => "eqref:non-null".to_string(),
        Expected::RefKind(k) => format!("{k:?}ref:non-null").to_lowercase(),
        Expected::RefExtern(None) => "externref:non-null".to_string(),
        Expected::RefExtern(Some(n)) => format!("externref:{n}"),
        Expected::RefFunc => "funcref:non-null".to_string(),
        Expected::Either(alts) => {
            let items: Vec<String> = alts.iter().map(show_expected).collect();
            format!("(either {})", items.join(" | "))
        }
        Expected::V128(v) => format!("v128:{}", show_i32x4(*v)),
        Expected::F32x4(lanes) => format!("v128:f32x4 {}", show_expecteds(&lanes[..])),
        Expected::F64x2(lanes) => format!("v128:f64x2 {}", show_expecteds(&lanes[..])),
    }
}

/// Renders a list of expectations as `[a, b]`.
pub fn show_expecteds(exps: &[Expected]) -> String {
    let items: Vec<String> = exps.iter().map(show_expected).collect();
    format!("[{}]", items.join(", "))
}

/// The form of a value used to compare tiers: bit-exact, except where `exp` says the
/// spec allows nondeterminism (a NaN expectation), where only "a NaN of that kind" is
/// kept. Function references are compared by null-ness only (handles are per store).
pub fn comparable(val: &Val, exp: Option<&Expected>) -> String {
    match (val, exp) {
        (Val::F32(b), Some(Expected::F32Nan(k))) if is_nan32(*b, *k) => format!("f32:{k:?}-nan"),
        (Val::F64(b), Some(Expected::F64Nan(k))) if is_nan64(*b, *k) => format!("f64:{k:?}-nan"),
        // Of alternatives, the one the value matches says which NaNs are allowed.
        (v, Some(Expected::Either(alts))) => match alts.iter().find(|a| matches(a, v)) {
            Some(alt) => comparable(v, Some(alt)),
            None => show_val(v),
        },
        (Val::V128(v), Some(Expected::F32x4(lanes))) => {
            let items: Vec<String> =
                lanes.iter().enumerate().map(|(i, e)| comparable(&lane32(*v, i), Some(e))).collect();
            format!("v128:f32x4 [{}]", items.join(", "))
        }
        (Val::V128(v), Some(Expected::F64x2(lanes))) => {
            let items: Vec<String> =
                lanes.iter().enumerate().map(|(i, e)| comparable(&lane64(*v, i), Some(e))).collect();
            format!("v128:f64x2 [{}]", items.join(", "))
        }
        _ => show_val(val),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_kinds() {
        assert!(is_nan32(0x7fc0_0000, NanKind::Canonical));
        assert!(is_nan32(0xffc0_0000, NanKind::Canonical));
        assert!(!is_nan32(0x7fc0_0001, NanKind::Canonical));
        assert!(is_nan32(0x7fc0_0001, NanKind::Arithmetic));
        assert!(!is_nan32(0x7f80_0001, NanKind::Arithmetic));
        assert!(is_nan64(0xfff8_0000_0000_0000, NanKind::Canonical));
        assert!(is_nan64(0x7ff8_0000_0000_0001, NanKind::Arithmetic));
        assert!(!is_nan64(0x7ff0_0000_0000_0001, NanKind::Arithmetic));
    }

    #[test]
    fn either_and_refs() {
        let e = Expected::Either(vec![Expected::I32(1), Expected::I32(2)]);
        assert!(matches(&e, &Val::I32(2)));
        assert!(!matches(&e, &Val::I32(3)));
        assert!(matches(&Expected::RefNull(None), &Val::ExternRef(None)));
        assert!(!matches(&Expected::RefNull(Some(RefKind::Func)), &Val::ExternRef(None)));
        assert!(matches(&Expected::RefExtern(Some(3)), &Val::ExternRef(Some(ExternRef::host(3)))));
        assert!(!matches(&Expected::I32(1), &Val::I64(1)));
    }

    #[test]
    fn comparable_hides_nan_payload_only_where_allowed() {
        let a = Val::F32(0x7fc0_0001);
        let b = Val::F32(0x7fc0_0002);
        let arith = Expected::F32Nan(NanKind::Arithmetic);
        assert_eq!(comparable(&a, Some(&arith)), comparable(&b, Some(&arith)));
        assert_ne!(comparable(&a, None), comparable(&b, None));
    }

    #[test]
    fn v128_patterns_match_lanes() {
        let v = Val::V128(0x7fc0_0001_3f80_0000u128 | 0xffff_ffffu128 << 64);
        let lanes = Expected::F32x4(Box::new([
            Expected::F32(0x3f80_0000),
            Expected::F32Nan(NanKind::Arithmetic),
            Expected::F32Nan(NanKind::Arithmetic),
            Expected::F32(0),
        ]));
        assert!(matches(&lanes, &v));
        assert!(!matches(&Expected::V128(0), &v));
        let w = Val::V128(0x7fc0_0002_3f80_0000u128 | 0xffff_ffffu128 << 64);
        assert_eq!(comparable(&v, Some(&lanes)), comparable(&w, Some(&lanes)));
        assert_eq!(show_val(&Val::V128(1)), "v128:i32x4 0x00000001 0x00000000 0x00000000 0x00000000");
        // In an `either`, the alternative that matches decides.
        let canon = Expected::F32x4(Box::new([
            Expected::F32Nan(NanKind::Canonical),
            Expected::F32(0),
            Expected::F32(0),
            Expected::F32(0),
        ]));
        let either = Expected::Either(vec![Expected::V128(5), canon]);
        let (pos, neg) = (Val::V128(0x7fc0_0000), Val::V128(0xffc0_0000));
        assert_eq!(comparable(&pos, Some(&either)), comparable(&neg, Some(&either)));
        assert_ne!(comparable(&Val::V128(5), Some(&either)), comparable(&pos, Some(&either)));
    }
}
