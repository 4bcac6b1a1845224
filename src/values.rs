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
        ValType::FuncRef if s == "null" => Val::FuncRef(None),
        ValType::ExternRef if s == "null" => Val::ExternRef(None),
        ValType::ExternRef => Val::ExternRef(Some(s.parse().map_err(|_| bad())?)),
        ValType::FuncRef | ValType::V128 => return Err(format!("cannot pass a {t} from the command line")),
    })
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
        Val::FuncRef(None) | Val::ExternRef(None) => "null".to_string(),
        Val::FuncRef(Some(_)) => "funcref".to_string(),
        Val::ExternRef(Some(n)) => format!("externref {n}"),
    }
}
