//! Conversions between `.wast` values and engine [`Val`]s: arguments in, expected results
//! matched, and results rendered for reports and for cross-tier comparison.

use wasmscope_engine::Val;
use wast::core::{AbstractHeapType, HeapType, NanPattern, WastArgCore, WastRetCore};
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
    /// `(either ...)`: any alternative matches.
    Either(Vec<Expected>),
}

/// The two reference types of WebAssembly 2.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    Func,
    Extern,
}

/// Converts an `invoke` argument. `Err` is a skip reason (a value this engine has no
/// representation for, like `v128` or GC references).
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
            None => return Err(format!("unsupported null reference type {ht:?}")),
        },
        WastArgCore::RefExtern(n) => Val::ExternRef(Some(*n)),
        WastArgCore::V128(_) => return Err("v128 argument (SIMD is not supported)".to_string()),
        other => return Err(format!("unsupported argument {other:?}")),
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
        WastRetCore::Either(alts) => Expected::Either(alts.iter().map(expected_from_core).collect::<Result<_, _>>()?),
        WastRetCore::V128(_) => return Err("v128 result (SIMD is not supported)".to_string()),
        other => return Err(format!("unsupported expected result {other:?}")),
    })
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
        (Expected::RefNull(None), Val::FuncRef(None) | Val::ExternRef(None)) => true,
        (Expected::RefNull(Some(RefKind::Func)), Val::FuncRef(None)) => true,
        (Expected::RefNull(Some(RefKind::Extern)), Val::ExternRef(None)) => true,
        (Expected::RefExtern(None), Val::ExternRef(Some(_))) => true,
        (Expected::RefExtern(Some(e)), Val::ExternRef(Some(v))) => e == v,
        (Expected::RefFunc, Val::FuncRef(Some(_))) => true,
        (Expected::Either(alts), v) => alts.iter().any(|a| matches(a, v)),
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
        Val::ExternRef(Some(n)) => format!("externref:{n}"),
    }
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
        Expected::RefExtern(None) => "externref:non-null".to_string(),
        Expected::RefExtern(Some(n)) => format!("externref:{n}"),
        Expected::RefFunc => "funcref:non-null".to_string(),
        Expected::Either(alts) => {
            let items: Vec<String> = alts.iter().map(show_expected).collect();
            format!("(either {})", items.join(" | "))
        }
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
        assert!(matches(&Expected::RefExtern(Some(3)), &Val::ExternRef(Some(3))));
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
}
