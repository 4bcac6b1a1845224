//! Numeric operators whose semantics need more than one Rust operator (spec §4.3
//! "Numerics"): division traps, float min/max with NaN and signed-zero rules, and the
//! checked float-to-integer truncations.

use crate::error::TrapCode;

macro_rules! int_div {
    ($div_s:ident, $div_u:ident, $rem_s:ident, $rem_u:ident, $s:ty, $u:ty) => {
        pub fn $div_s(a: $s, b: $s) -> Result<$s, TrapCode> {
            if b == 0 {
                return Err(TrapCode::IntegerDivideByZero);
            }
            a.checked_div(b).ok_or(TrapCode::IntegerOverflow)
        }
        pub fn $div_u(a: $u, b: $u) -> Result<$u, TrapCode> {
            a.checked_div(b).ok_or(TrapCode::IntegerDivideByZero)
        }
        pub fn $rem_s(a: $s, b: $s) -> Result<$s, TrapCode> {
            if b == 0 {
                return Err(TrapCode::IntegerDivideByZero);
            }
            Ok(a.wrapping_rem(b))
        }
        pub fn $rem_u(a: $u, b: $u) -> Result<$u, TrapCode> {
            a.checked_rem(b).ok_or(TrapCode::IntegerDivideByZero)
        }
    };
}

int_div!(i32_div_s, i32_div_u, i32_rem_s, i32_rem_u, i32, u32);
int_div!(i64_div_s, i64_div_u, i64_rem_s, i64_rem_u, i64, u64);

macro_rules! float_minmax {
    ($min:ident, $max:ident, $quiet_nan:ident, $f:ty, $quiet:expr) => {
        /// An arithmetic NaN (quiet bit set) derived from the NaN operand. Spelled out
        /// because LLVM may fold `a + b` with a NaN operand to that operand unquieted.
        fn $quiet_nan(a: $f, b: $f) -> $f {
            let n = if a.is_nan() { a } else { b };
            <$f>::from_bits(n.to_bits() | $quiet)
        }
        /// `fmin`: NaN if either operand is NaN; `-0 < +0`.
        pub fn $min(a: $f, b: $f) -> $f {
            if a.is_nan() || b.is_nan() {
                return $quiet_nan(a, b);
            }
            if a == b {
                // Equal values: only the signs of zeros can differ; min prefers -0.
                return <$f>::from_bits(a.to_bits() | b.to_bits());
            }
            if a < b { a } else { b }
        }
        /// `fmax`: NaN if either operand is NaN; `+0 > -0`.
        pub fn $max(a: $f, b: $f) -> $f {
            if a.is_nan() || b.is_nan() {
                return $quiet_nan(a, b);
            }
            if a == b {
                return <$f>::from_bits(a.to_bits() & b.to_bits());
            }
            if a > b { a } else { b }
        }
    };
}

float_minmax!(f32_min, f32_max, f32_quiet_nan, f32, 0x0040_0000);
float_minmax!(f64_min, f64_max, f64_quiet_nan, f64, 0x0008_0000_0000_0000);

/// Truncates toward zero, trapping on NaN and on results outside `[lo, hi)` where the
/// bounds are exact powers of two (so comparing in `f64` is exact).
fn checked_trunc(x: f64, lo_exclusive: f64, hi_exclusive: f64) -> Result<f64, TrapCode> {
    if x.is_nan() {
        return Err(TrapCode::InvalidConversionToInteger);
    }
    let t = x.trunc();
    if t <= lo_exclusive || t >= hi_exclusive {
        return Err(TrapCode::IntegerOverflow);
    }
    Ok(t)
}

const TWO_31: f64 = 2147483648.0;
const TWO_32: f64 = 4294967296.0;
const TWO_63: f64 = 9223372036854775808.0;
const TWO_64: f64 = 18446744073709551616.0;

pub fn i32_trunc_s(x: f64) -> Result<i32, TrapCode> {
    checked_trunc(x, -TWO_31 - 1.0, TWO_31).map(|t| t as i32)
}
pub fn i32_trunc_u(x: f64) -> Result<u32, TrapCode> {
    checked_trunc(x, -1.0, TWO_32).map(|t| t as u32)
}
pub fn i64_trunc_s(x: f64) -> Result<i64, TrapCode> {
    // -2^63 itself is representable; anything below it truncates to at most -2^63 - 1,
    // which in f64 is the next representable value below (-2^63 - 2048).
    if x.is_nan() {
        return Err(TrapCode::InvalidConversionToInteger);
    }
    let t = x.trunc();
    if !(-TWO_63..TWO_63).contains(&t) {
        return Err(TrapCode::IntegerOverflow);
    }
    Ok(t as i64)
}
pub fn i64_trunc_u(x: f64) -> Result<u64, TrapCode> {
    checked_trunc(x, -1.0, TWO_64).map(|t| t as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_max_signed_zero_and_nan() {
        assert!(f32_min(0.0, -0.0).is_sign_negative());
        assert!(f32_max(-0.0, 0.0).is_sign_positive());
        assert!(f64_min(f64::NAN, 1.0).is_nan());
        assert_eq!(f64_max(1.0, 2.0), 2.0);
    }

    #[test]
    fn truncation_bounds() {
        assert_eq!(i32_trunc_s(-2147483648.9), Ok(i32::MIN));
        assert_eq!(i32_trunc_s(-2147483649.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_trunc_s(2147483647.9), Ok(i32::MAX));
        assert_eq!(i32_trunc_s(2147483648.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_trunc_u(-0.9), Ok(0));
        assert_eq!(i32_trunc_u(-1.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(i64_trunc_s(-9223372036854775808.0), Ok(i64::MIN));
        assert_eq!(i64_trunc_u(f64::NAN), Err(TrapCode::InvalidConversionToInteger));
        assert_eq!(i64_trunc_u(18446744073709549568.0), Ok(18446744073709549568));
    }

    #[test]
    fn division_traps() {
        assert_eq!(i32_div_s(i32::MIN, -1), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_rem_s(i32::MIN, -1), Ok(0));
        assert_eq!(i64_div_u(1, 0), Err(TrapCode::IntegerDivideByZero));
    }
}

macro_rules! float_rounding {
    ($f:ty, $quiet:expr, $($name:ident => $op:path),*) => {
        $(
            /// Rounding that quiets a NaN operand: libm's rounding functions return a
            /// signalling NaN unchanged, but wasm requires an arithmetic NaN.
            pub fn $name(x: $f) -> $f {
                if x.is_nan() { <$f>::from_bits(x.to_bits() | $quiet) } else { $op(x) }
            }
        )*
    };
}

float_rounding!(f32, 0x0040_0000, f32_ceil => f32::ceil, f32_floor => f32::floor, f32_trunc => f32::trunc,
    f32_nearest => f32::round_ties_even);
float_rounding!(f64, 0x0008_0000_0000_0000, f64_ceil => f64::ceil, f64_floor => f64::floor,
    f64_trunc => f64::trunc, f64_nearest => f64::round_ties_even);
