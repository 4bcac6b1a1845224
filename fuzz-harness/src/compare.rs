//! Comparing two [`Outcome`]s. Scalar NaNs are normalised (any NaN equals any NaN: the spec
//! lets their payloads and signs vary; the generated code also canonicalises them, so this
//! only matters for values that never went through arithmetic) — everything else is
//! bit-exact, `v128` values included.
//!
//! Why `v128` is never normalised, even with [`Mode::any_nan`]: a `v128` has no lane shape.
//! Treating it as four f32 lanes and as two f64 lanes and normalising NaN lanes in either
//! view would equate vectors that differ as integers (an i32x4 lane `0x7fc00001` vs
//! `0x7fc00000`, an i64x2 lane whose high half happens to be a NaN f32), so a real integer
//! or bitwise divergence would pass unseen; and the two views contradict each other (an
//! f64 NaN lane overlaps two f32 lanes, one of them possibly a NaN of its own). Missing a
//! bug is worse than a false alarm, so v128s compare bit for bit and the NaN freedom is
//! taken care of where the NaNs are made: wasm-smith's `canonicalize_nans` (on for
//! execution fuzzing) follows every `f32x4`/`f64x2` arithmetic operator with a lane-wise
//! select of the canonical NaN, and [`crate::nans`] does the same after the relaxed float
//! operators, which wasm-smith leaves out (see [`crate::generate`]). What is left are the
//! conversions (`f32x4.demote_f64x2_zero`, `f64x2.promote_low_f32x4`, as for scalar
//! `demote`/`promote`, whose NaN results reach memory and reinterpretations un-normalised
//! already): one NaN operand, whose payload every engine compared here keeps (x86-64
//! `cvtps2pd`/`cvtpd2ps`: payload kept, quiet bit set). Should an engine stop doing so, the
//! difference is a false alarm to look at, not a bug hidden.

use crate::exec::{Call, Ending, Outcome, Value};

/// How strict a comparison is.
#[derive(Debug, Clone, Copy)]
pub struct Mode {
    /// Compare the fuel left after each call (engines with the same fuel accounting).
    pub fuel: bool,
    /// Compare function references by identity (same store layout), else null-ness only;
    /// fold "undefined element" into "table out of bounds" (wasmi has one code for both).
    pub exact: bool,
    /// Any scalar NaN equals any NaN (off: NaNs compare by their bits too). `v128` values
    /// always compare by their bits (see the module docs).
    pub any_nan: bool,
}

/// Our two tiers.
pub const TIERS: Mode = Mode { fuel: true, exact: true, any_nan: true };
/// Us against an oracle (wasmi, wasmtime), or one oracle against the other.
pub const ORACLE: Mode = Mode { fuel: false, exact: false, any_nan: true };
/// Us against an oracle bit for bit: as [`ORACLE`], and NaNs by their bits.
pub const ORACLE_BITS: Mode = Mode { fuel: false, exact: false, any_nan: false };

fn norm(v: Value, mode: Mode) -> Value {
    match v {
        Value::F32(x) if mode.any_nan && f32::from_bits(x).is_nan() => Value::F32(0x7fc0_0000),
        Value::F64(x) if mode.any_nan && f64::from_bits(x).is_nan() => Value::F64(0x7ff8_0000_0000_0000),
        Value::FuncRef(Some(_)) if !mode.exact => Value::FuncRef(Some(u32::MAX)),
        Value::ExternRef(Some(_)) if !mode.exact => Value::ExternRef(Some(u32::MAX)),
        Value::ExnRef(Some(_)) => Value::ExnRef(Some(u32::MAX)),
        // Bit for bit, NaN lanes included (module docs).
        Value::V128(_) => v,
        v => v,
    }
}

fn norm_ending(e: &Ending, mode: Mode) -> Ending {
    match e {
        Ending::Returned(vs) => Ending::Returned(vs.iter().map(|v| norm(*v, mode)).collect()),
        Ending::Trap(t) if !mode.exact && t == "UndefinedElement" => Ending::Trap("TableOutOfBounds".into()),
        Ending::Trap(t) => Ending::Trap(t.clone()),
        // Error texts differ between engines; that it was an error is what counts.
        Ending::Error(_) => Ending::Error(String::new()),
    }
}

/// Whether a call's result cannot be compared across engines whose fuel or stack limits
/// differ: it ran out of either (and nothing after it can be compared either).
fn limit_reached(e: &Ending, mode: Mode) -> bool {
    e.is_trap("CallStackExhausted") || (!mode.fuel && e.is_trap("OutOfFuel"))
}

/// The first difference between `a` and `b`, described.
pub fn diff(a: &Outcome, b: &Outcome, mode: Mode) -> Option<String> {
    match (&a.instantiate, &b.instantiate) {
        (Some(x), Some(y)) => {
            if limit_reached(x, mode) || limit_reached(y, mode) {
                return (x.is_trap("CallStackExhausted") != y.is_trap("CallStackExhausted") && mode.fuel)
                    .then(|| format!("instantiation: {x:?} vs {y:?}"));
            }
            if norm_ending(x, mode) != norm_ending(y, mode) {
                return Some(format!("instantiation: {x:?} vs {y:?}"));
            }
        }
        (x, y) if x != y => return Some(format!("instantiation: {x:?} vs {y:?}")),
        _ => {}
    }
    for (i, (x, y)) in a.calls.iter().zip(&b.calls).enumerate() {
        if let Some(d) = diff_call(x, y, mode) {
            return Some(format!("call #{i} {}({:?}): {d}", x.export, x.args));
        }
        if limit_reached(&x.ending, mode) || limit_reached(&y.ending, mode) {
            return None;
        }
    }
    if a.calls.len() != b.calls.len() {
        return Some(format!("{} calls vs {}", a.calls.len(), b.calls.len()));
    }
    if a.memories != b.memories {
        return Some(format!("final memories: {:?} vs {:?}", a.memories, b.memories));
    }
    let globals =
        |o: &Outcome| -> Vec<(String, Value)> { o.globals.iter().map(|(n, v)| (n.clone(), norm(*v, mode))).collect() };
    if globals(a) != globals(b) {
        return Some(format!("final globals: {:?} vs {:?}", globals(a), globals(b)));
    }
    let tables = |o: &Outcome| -> Vec<(String, Vec<Value>)> {
        o.tables.iter().map(|(n, t)| (n.clone(), t.iter().map(|v| norm(*v, mode)).collect())).collect()
    };
    if tables(a) != tables(b) {
        return Some("final tables differ".to_string());
    }
    None
}

fn diff_call(x: &Call, y: &Call, mode: Mode) -> Option<String> {
    if x.export != y.export {
        return Some(format!("called {} vs {}", x.export, y.export));
    }
    let stack = |e: &Ending| e.is_trap("CallStackExhausted");
    if stack(&x.ending) || stack(&y.ending) {
        // Stack limits are each engine's own; on our tiers both must still agree that
        // the stack ran out.
        return (mode.fuel && stack(&x.ending) != stack(&y.ending))
            .then(|| format!("{:?} vs {:?}", x.ending, y.ending));
    }
    if !mode.fuel && (x.ending.is_trap("OutOfFuel") || y.ending.is_trap("OutOfFuel")) {
        return None;
    }
    if norm_ending(&x.ending, mode) != norm_ending(&y.ending, mode) {
        return Some(format!("{:?} vs {:?}", x.ending, y.ending));
    }
    if mode.fuel && x.fuel_left != y.fuel_left {
        return Some(format!("fuel left {:?} vs {:?} (both {:?})", x.fuel_left, y.fuel_left, x.ending));
    }
    None
}
