//! `v128` values as the debugger shows them: lane-wise, lane 0 first, as LLDB shows
//! vectors — `i32x4 [1, 2, 3, 4]` by default, `/x` giving each lane's bits in hex at
//! the lane's width (`i32x4 [0x00000001, ...]`). Like gdb's `$xmm0` union
//! (`v4_int32`, `v16_int8`, ...), an expression of type `v128` has one member per lane
//! view (`$local0.i8x16`, `$local0.f32x4[2]`; see [`crate::dwarf::types::TypeTable::v128`]).

/// A lane view of a `v128`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    I8x16,
    I16x8,
    I32x4,
    I64x2,
    F32x4,
    F64x2,
}

impl Shape {
    /// Every view, in the order the `v128` union lists them.
    pub const ALL: [Shape; 6] = [Shape::I8x16, Shape::I16x8, Shape::I32x4, Shape::I64x2, Shape::F32x4, Shape::F64x2];

    /// `i32x4`, as WebAssembly names the interpretation.
    pub fn name(self) -> &'static str {
        match self {
            Shape::I8x16 => "i8x16",
            Shape::I16x8 => "i16x8",
            Shape::I32x4 => "i32x4",
            Shape::I64x2 => "i64x2",
            Shape::F32x4 => "f32x4",
            Shape::F64x2 => "f64x2",
        }
    }

    /// The lane type's name (`i32`, `f64`).
    pub fn lane_name(self) -> &'static str {
        match self {
            Shape::I8x16 => "i8",
            Shape::I16x8 => "i16",
            Shape::I32x4 => "i32",
            Shape::I64x2 => "i64",
            Shape::F32x4 => "f32",
            Shape::F64x2 => "f64",
        }
    }

    /// Bytes per lane.
    pub fn lane_bytes(self) -> usize {
        match self {
            Shape::I8x16 => 1,
            Shape::I16x8 => 2,
            Shape::I32x4 | Shape::F32x4 => 4,
            Shape::I64x2 | Shape::F64x2 => 8,
        }
    }

    pub fn lanes(self) -> usize {
        16 / self.lane_bytes()
    }

    pub fn is_float(self) -> bool {
        matches!(self, Shape::F32x4 | Shape::F64x2)
    }
}

/// One lane from its little-endian bytes: signed decimal integers, floats as `print`
/// shows them; with `hex`, the lane's bits (floats too) zero-padded to its width.
fn lane(bytes: &[u8], shape: Shape, hex: bool) -> String {
    let mut x = [0u8; 8];
    for (d, s) in x.iter_mut().zip(bytes) {
        *d = *s;
    }
    let raw = u64::from_le_bytes(x);
    let bits = 8 * shape.lane_bytes() as u32;
    if hex {
        return format!("0x{raw:0w$x}", w = 2 * shape.lane_bytes());
    }
    match shape {
        Shape::F32x4 => {
            let x = f32::from_bits(raw as u32);
            if long_float(f64::from(x)) { format!("{x:e}") } else { x.to_string() }
        }
        Shape::F64x2 => {
            let x = f64::from_bits(raw);
            if long_float(x) { format!("{x:e}") } else { x.to_string() }
        }
        _ => (((raw << (64 - bits)) as i64) >> (64 - bits)).to_string(),
    }
}

/// Whether a float lane is shown in exponent form (`1e30`, `1e-45`) rather than as
/// `print` shows floats, which would spell out dozens of digits (integer lanes seen as
/// floats are often tiny).
fn long_float(x: f64) -> bool {
    let a = x.abs();
    a != 0.0 && a.is_finite() && !(1e-5..1e16).contains(&a)
}

/// A vector's 16 little-endian bytes (missing ones read as 0) as `i32x4 [1, 2, 3, 4]`.
pub fn format(bytes: &[u8], shape: Shape, hex: bool) -> String {
    let w = shape.lane_bytes();
    let lanes: Vec<String> = (0..shape.lanes())
        .map(|i| {
            let b: Vec<u8> = (0..w).map(|k| bytes.get(i * w + k).copied().unwrap_or(0)).collect();
            lane(&b, shape, hex)
        })
        .collect();
    format!("{} [{}]", shape.name(), lanes.join(", "))
}

/// A `v128` value in view `shape`.
pub fn format_u128(v: u128, shape: Shape, hex: bool) -> String {
    format(&v.to_le_bytes(), shape, hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_are_shown_lane_zero_first() {
        let v = 1u128 | 2 << 32 | 3 << 64 | 0xffff_ffffu128 << 96;
        assert_eq!(format_u128(v, Shape::I32x4, false), "i32x4 [1, 2, 3, -1]");
        assert_eq!(format_u128(v, Shape::I32x4, true), "i32x4 [0x00000001, 0x00000002, 0x00000003, 0xffffffff]");
        assert_eq!(format_u128(v, Shape::I64x2, false), format!("i64x2 [{}, {}]", 1u64 | 2 << 32, -4294967293i64));
        assert_eq!(format_u128(v, Shape::I8x16, false), "i8x16 [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, -1, -1, -1, -1]");
        assert_eq!(
            format_u128(0xff01, Shape::I16x8, true),
            "i16x8 [0xff01, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000]"
        );
        let f = u128::from(1.5f32.to_bits()) | u128::from((-2.0f32).to_bits()) << 32;
        assert_eq!(format_u128(f, Shape::F32x4, false), "f32x4 [1.5, -2, 0, 0]");
        assert_eq!(format_u128(f, Shape::F32x4, true), "f32x4 [0x3fc00000, 0xc0000000, 0x00000000, 0x00000000]");
        let d = u128::from(0.25f64.to_bits()) << 64;
        assert_eq!(format_u128(d, Shape::F64x2, false), "f64x2 [0, 0.25]");
        let tiny = 1 | u128::from(1e30f32.to_bits()) << 32 | u128::from((-2.5e-7f32).to_bits()) << 64;
        assert_eq!(format_u128(tiny, Shape::F32x4, false), "f32x4 [1e-45, 1e30, -2.5e-7, 0]");
        assert_eq!(format(&[7], Shape::I32x4, false), "i32x4 [7, 0, 0, 0]", "short input reads as zeros");
    }
}
