//! Values on the command line: `--invoke` arguments parsed by the export's parameter types,
//! and results printed one per line.

use wasmscope_engine::Val;
use wasmscope_engine::syntax::ValType;

fn parse_int<T>(s: &str, dec: fn(&str) -> Option<T>, hex: fn(&str) -> Option<T>) -> Option<T> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    match body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        Some(h) if !neg => hex(h),
        Some(_) => None,
        None => dec(s),
    }
}

fn parse_float(s: &str) -> Option<f64> {
    match s {
        "inf" | "+inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        "nan" | "+nan" => Some(f64::NAN),
        "-nan" => Some(-f64::NAN),
        _ => s.parse().ok(),
    }
}

/// Parses a command-line argument as a value of type `t`.
pub fn parse_val(t: ValType, s: &str) -> Result<Val, String> {
    let bad = || format!("`{s}` is not a valid {t}");
    Ok(match t {
        ValType::I32 => Val::I32(
            parse_int(
                s,
                |d| d.parse::<i32>().ok().or_else(|| d.parse::<u32>().ok().map(|u| u as i32)),
                |h| u32::from_str_radix(h, 16).ok().map(|u| u as i32),
            )
            .ok_or_else(bad)?,
        ),
        ValType::I64 => Val::I64(
            parse_int(
                s,
                |d| d.parse::<i64>().ok().or_else(|| d.parse::<u64>().ok().map(|u| u as i64)),
                |h| u64::from_str_radix(h, 16).ok().map(|u| u as i64),
            )
            .ok_or_else(bad)?,
        ),
        ValType::F32 => {
            let v = match s {
                "inf" | "+inf" | "-inf" | "nan" | "+nan" | "-nan" => parse_float(s).map(|f| f as f32),
                _ => s.parse::<f32>().ok(),
            };
            Val::F32(v.ok_or_else(bad)?.to_bits())
        }
        ValType::F64 => Val::F64(parse_float(s).ok_or_else(bad)?.to_bits()),
        ValType::EXTERNREF if s == "null" => Val::ExternRef(None),
        ValType::Ref(r) if r.nullable && s == "null" => match Val::default_for(t) {
            Some(v) => v,
            None => return Err(format!("cannot pass a {t} from the command line")),
        },
        ValType::EXTERNREF => Val::ExternRef(Some(wasmscope_engine::ExternRef::host(s.parse().map_err(|_| bad())?))),
        ValType::V128 => Val::V128(parse_v128(s).ok_or_else(|| {
            format!("`{s}` is not a valid v128 (a 128-bit integer such as 0x0001..., or lanes such as i32x4:1,2,3,4)")
        })?),
        ValType::Ref(_) => return Err(format!("cannot pass a {t} from the command line")),
    })
}

/// A `v128` argument: a 128-bit integer (decimal or `0x` hex, lane 0 in the low bits) or
/// `SHAPE:l0,l1,...` with the lanes of `i8x16`, `i16x8`, `i32x4`, `i64x2`, `f32x4` or
/// `f64x2`, lane 0 first.
fn parse_v128(s: &str) -> Option<u128> {
    let Some((shape, lanes)) = s.split_once(':') else {
        return match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            Some(h) => u128::from_str_radix(&h.replace('_', ""), 16).ok(),
            None => s.parse::<u128>().ok(),
        };
    };
    let lanes: Vec<&str> = lanes.split(',').map(str::trim).collect();
    let (count, width) = match shape {
        "i8x16" => (16, 8),
        "i16x8" => (8, 16),
        "i32x4" | "f32x4" => (4, 32),
        "i64x2" | "f64x2" => (2, 64),
        _ => return None,
    };
    if lanes.len() != count {
        return None;
    }
    let mut v = 0u128;
    for (i, lane) in lanes.iter().enumerate() {
        let bits: u64 = match shape {
            "f32x4" => u64::from(match parse_val(ValType::F32, lane).ok()? {
                Val::F32(b) => b,
                _ => return None,
            }),
            "f64x2" => match parse_val(ValType::F64, lane).ok()? {
                Val::F64(b) => b,
                _ => return None,
            },
            _ => {
                let wide = match parse_val(ValType::I64, lane).ok()? {
                    Val::I64(x) => x,
                    _ => return None,
                };
                // Each lane must fit its width, signed or unsigned.
                if width < 64 && (wide < -(1i64 << (width - 1)) || wide >= 1i64 << width) {
                    return None;
                }
                wide as u64
            }
        };
        let mask = if width == 64 { u64::MAX } else { (1u64 << width) - 1 };
        v |= u128::from(bits & mask) << (i * width);
    }
    Some(v)
}

/// Prints a result: `42`, `1.5`, `nan`, `null`, `funcref`.
pub fn show_val(v: &Val) -> String {
    fn float(f: f64, nan_bits: String) -> String {
        if f.is_nan() {
            nan_bits
        } else if f.is_infinite() {
            if f > 0.0 { "inf".to_string() } else { "-inf".to_string() }
        } else {
            format!("{f}")
        }
    }
    match v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(b) => {
            let f = f32::from_bits(*b);
            if f.is_finite() { format!("{f}") } else { float(f64::from(f), format!("nan (bits {b:#010x})")) }
        }
        Val::F64(b) => float(f64::from_bits(*b), format!("nan (bits {b:#018x})")),
        Val::FuncRef(None) | Val::ExternRef(None) | Val::AnyRef(None) | Val::ExnRef(None) => "null".to_string(),
        Val::AnyRef(Some(a)) => format!("anyref {a}"),
        Val::FuncRef(Some(_)) => "funcref".to_string(),
        Val::ExnRef(Some(_)) => "exnref".to_string(),
        Val::ExternRef(Some(n)) => format!("externref {n}"),
        Val::V128(v) => format!("{v:#034x}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v128_arguments_as_integers_or_lanes() {
        assert_eq!(parse_val(ValType::V128, "0x1").unwrap(), Val::V128(1));
        assert_eq!(
            parse_val(ValType::V128, "i32x4:1,2,3,-1").unwrap(),
            Val::V128(1 | 2 << 32 | 3 << 64 | 0xffff_ffffu128 << 96)
        );
        assert_eq!(
            parse_val(ValType::V128, "i8x16:0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,255").unwrap(),
            Val::V128(0xffu128 << 120)
        );
        assert_eq!(parse_val(ValType::V128, "f64x2:1,0").unwrap(), Val::V128(u128::from(1f64.to_bits())));
        assert!(parse_val(ValType::V128, "i32x4:1,2,3").is_err());
        assert!(parse_val(ValType::V128, "i8x16:256,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0").is_err());
        assert!(parse_val(ValType::V128, "q:1").is_err());
        assert_eq!(show_val(&Val::V128(0xff)), "0x000000000000000000000000000000ff");
    }
}
