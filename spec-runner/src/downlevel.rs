//! Re-encodes what the `wast` text encoder writes with post-1.0 encodings, so WebAssembly
//! 1.0 scripts can run with [`Features::mvp`](wasmscope_engine::Features::mvp).
//!
//! The `wast` crate encodes the inline elements of `(table funcref (elem $f ...))` as an
//! element segment with an explicit table index (flags `0x02`, a bulk-memory encoding),
//! which a 1.0 decoder rightly rejects as "malformed elements segment kind". This turns
//! such segments (table 0, `elemkind` funcref, function indices) back into the 1.0 form
//! (flags `0x00`). Only modules the runner encoded from *text* go through here; `module
//! binary` bytes are the test's own and are never touched. Anything unexpected leaves
//! the bytes unchanged.

/// Rewrites explicit-table-0 element segments to the 1.0 encoding; returns the input
/// unchanged if there is nothing to do or the bytes don't parse as expected.
pub fn mvp_elements(bytes: &[u8]) -> Vec<u8> {
    rewrite(bytes).unwrap_or_else(|| bytes.to_vec())
}

fn rewrite(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        return None;
    }
    let mut out = bytes[..8].to_vec();
    let mut pos = 8;
    let mut changed = false;
    while pos < bytes.len() {
        let id = *bytes.get(pos)?;
        let mut p = pos + 1;
        let size = leb_u32(bytes, &mut p)? as usize;
        let payload = bytes.get(p..p.checked_add(size)?)?;
        match (id == 9).then(|| elements(payload)).flatten() {
            Some(new) if new != payload => {
                out.push(9);
                push_leb(&mut out, u32::try_from(new.len()).ok()?);
                out.extend_from_slice(&new);
                changed = true;
            }
            _ => out.extend_from_slice(&bytes[pos..p + size]),
        }
        pos = p + size;
    }
    changed.then_some(out)
}

fn elements(payload: &[u8]) -> Option<Vec<u8>> {
    let mut p = 0;
    let count = leb_u32(payload, &mut p)?;
    let mut out = payload[..p].to_vec();
    for _ in 0..count {
        let start = p;
        match leb_u32(payload, &mut p)? {
            0 => {
                skip_const_expr(payload, &mut p)?;
                skip_index_vec(payload, &mut p)?;
                out.extend_from_slice(&payload[start..p]);
            }
            2 => {
                let table = leb_u32(payload, &mut p)?;
                let expr_start = p;
                skip_const_expr(payload, &mut p)?;
                let expr_end = p;
                let kind = *payload.get(p)?;
                p += 1;
                let vec_start = p;
                skip_index_vec(payload, &mut p)?;
                if table == 0 && kind == 0 {
                    out.push(0);
                    out.extend_from_slice(&payload[expr_start..expr_end]);
                    out.extend_from_slice(&payload[vec_start..p]);
                } else {
                    out.extend_from_slice(&payload[start..p]);
                }
            }
            _ => return None,
        }
    }
    out.extend_from_slice(payload.get(p..)?);
    Some(out)
}

fn skip_const_expr(b: &[u8], p: &mut usize) -> Option<()> {
    loop {
        let op = *b.get(*p)?;
        *p += 1;
        match op {
            0x0b => return Some(()),
            0x41 | 0x42 => skip_leb(b, p)?,
            0x43 => *p += 4,
            0x44 => *p += 8,
            0x23 | 0xd2 => skip_leb(b, p)?,
            0xd0 => *p += 1,
            _ => return None,
        }
    }
}

fn skip_index_vec(b: &[u8], p: &mut usize) -> Option<()> {
    let n = leb_u32(b, p)?;
    for _ in 0..n {
        skip_leb(b, p)?;
    }
    Some(())
}

fn skip_leb(b: &[u8], p: &mut usize) -> Option<()> {
    for _ in 0..10 {
        let byte = *b.get(*p)?;
        *p += 1;
        if byte & 0x80 == 0 {
            return Some(());
        }
    }
    None
}

fn leb_u32(b: &[u8], p: &mut usize) -> Option<u32> {
    let mut result: u64 = 0;
    for shift in (0..35).step_by(7) {
        let byte = *b.get(*p)?;
        *p += 1;
        result |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return u32::try_from(result).ok();
        }
    }
    None
}

fn push_leb(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_explicit_table_zero() {
        // header, element section: 1 segment, flags 2, table 0, i32.const 0, end, funcref, [0]
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend_from_slice(&[9, 9, 1, 2, 0, 0x41, 0, 0x0b, 0, 1, 0]);
        let out = mvp_elements(&m);
        assert_eq!(&out[8..], &[9, 7, 1, 0, 0x41, 0, 0x0b, 1, 0]);
    }

    #[test]
    fn leaves_other_bytes_alone() {
        let m = b"\0asm\x01\0\0\0\x09\x03\x01\x05\x00".to_vec();
        assert_eq!(mvp_elements(&m), m);
        assert_eq!(mvp_elements(b"garbage"), b"garbage".to_vec());
        let mut t1 = b"\0asm\x01\0\0\0".to_vec();
        t1.extend_from_slice(&[9, 9, 1, 2, 1, 0x41, 0, 0x0b, 0, 1, 0]);
        assert_eq!(mvp_elements(&t1), t1);
    }
}
