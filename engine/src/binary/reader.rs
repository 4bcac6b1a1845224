//! A byte cursor over a module binary: bytes, LEB128 integers, lengths and UTF-8 names
//! (spec §5.1 "Conventions", §5.2 "Values").
//!
//! Positions are always absolute offsets into the module, so every error can point at the
//! exact byte. The cursor is bounded by the end of the *module* (or of a custom section when
//! parsing the name section), not by the end of the current section: like the reference
//! interpreter, a section or function body is decoded first and its declared size checked
//! afterwards ("section size mismatch"). That reproduces the testsuite's expected messages,
//! e.g. a body missing its `end` that runs into the next section.

use crate::error::DecodeError;

/// Message for running off the end inside a section or function body (the reference
/// interpreter's wording; the testsuite sometimes only expects its prefix "unexpected end").
pub(crate) const UNEXPECTED_END: &str = "unexpected end of section or function";

/// Result of every decoding step.
/// Errors are boxed inside the decoder: a `Result` of a small value then fits in two
/// registers, where one holding a whole `DecodeError` (offset and message) would be
/// returned through memory by every read (a third of decoding time went to that).
pub(crate) type Result<T> = std::result::Result<T, Box<DecodeError>>;

/// A cursor over `data[pos..]`.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `data` starting at offset `pos` (offsets stay relative to `data[0]`).
    pub(crate) fn new(data: &'a [u8], pos: usize) -> Reader<'a> {
        Reader { data, pos: pos.min(data.len()) }
    }

    /// The current absolute offset.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The current offset as the `u32` the syntax tree stores. The decoder rejects modules
    /// of 4 GiB or more up front, so this never truncates.
    pub(crate) fn pos32(&self) -> u32 {
        self.pos as u32
    }

    /// The end of the readable data.
    pub(crate) fn len(&self) -> usize {
        self.data.len()
    }

    /// Number of bytes left.
    pub(crate) fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// Whether every byte has been consumed.
    pub(crate) fn is_eof(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// The next byte, without consuming it.
    pub(crate) fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    /// The underlying bytes `start..end` (clamped to the data).
    pub(crate) fn slice(&self, start: usize, end: usize) -> &'a [u8] {
        let end = end.min(self.data.len());
        self.data.get(start.min(end)..end).unwrap_or(&[])
    }

    /// Moves the cursor to `pos`, which must not be past the end.
    pub(crate) fn seek(&mut self, pos: usize) -> Result<()> {
        if pos > self.data.len() {
            return Err(self.eos());
        }
        self.pos = pos;
        Ok(())
    }

    /// An error at `offset`.
    #[cold]
    pub(crate) fn err(&self, offset: usize, message: impl Into<String>) -> Box<DecodeError> {
        Box::new(DecodeError::new(offset, message))
    }

    /// The error for reading past the end; it points at the end of the data.
    #[cold]
    pub(crate) fn eos(&self) -> Box<DecodeError> {
        Box::new(DecodeError::new(self.data.len(), UNEXPECTED_END))
    }

    /// One byte.
    #[inline]
    pub(crate) fn u8(&mut self) -> Result<u8> {
        match self.data.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                Ok(b)
            }
            None => Err(self.eos()),
        }
    }

    /// `n` raw bytes.
    #[inline]
    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(self.eos());
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// A little-endian `u32` of exactly four bytes (the `f32` constant encoding).
    pub(crate) fn fixed_u32(&mut self) -> Result<u32> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A little-endian `u64` of exactly eight bytes (the `f64` constant encoding).
    pub(crate) fn fixed_u64(&mut self) -> Result<u64> {
        let b = self.bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    /// An unsigned LEB128 integer of at most `bits` bits (spec §5.2.2 `uN`).
    ///
    /// An encoding may use at most `ceil(bits / 7)` bytes ("integer representation too
    /// long"), and the bits of the last byte beyond `bits` must be zero ("integer too
    /// large"). The second check is made on each byte before looking at its continuation
    /// bit, as the reference interpreter does, so e.g. `0x81 0x00` for a 1-bit flag is "too
    /// long" while `0x02` is "too large".
    #[inline]
    pub(crate) fn leb_u(&mut self, bits: u32) -> Result<u64> {
        // Most integers (indices, small constants) fit in one byte.
        if let Some(&b) = self.data.get(self.pos)
            && b < 0x80
            && bits >= 7
        {
            self.pos += 1;
            return Ok(u64::from(b));
        }
        self.leb_u_long(bits)
    }

    /// [`Reader::leb_u`] of more than one byte (or of fewer than 7 bits).
    #[inline(never)]
    fn leb_u_long(&mut self, bits: u32) -> Result<u64> {
        let mut result = 0u64;
        let mut shift = 0u32;
        let mut left = bits as i32;
        loop {
            if left <= 0 {
                return Err(self.err(self.pos, "integer representation too long"));
            }
            let at = self.pos;
            let b = self.u8()?;
            let payload = u64::from(b & 0x7f);
            if left < 7 && payload >= 1u64 << left {
                return Err(self.err(at, "integer too large"));
            }
            result |= payload << shift;
            if b & 0x80 == 0 {
                return Ok(result);
            }
            shift += 7;
            left -= 7;
        }
    }

    /// A signed LEB128 integer of at most `bits` bits (spec §5.2.2 `sN`): like
    /// [`Reader::leb_u`], except that the unused bits of the last byte must all equal the
    /// sign bit.
    #[inline]
    pub(crate) fn leb_s(&mut self, bits: u32) -> Result<i64> {
        if let Some(&b) = self.data.get(self.pos)
            && b < 0x80
            && bits >= 7
        {
            self.pos += 1;
            // Seven bits, sign-extended from bit 6.
            return Ok(i64::from(((b << 1) as i8) >> 1));
        }
        self.leb_s_long(bits)
    }

    /// [`Reader::leb_s`] of more than one byte (or of fewer than 7 bits).
    #[inline(never)]
    fn leb_s_long(&mut self, bits: u32) -> Result<i64> {
        let mut result = 0i64;
        let mut shift = 0u32;
        let mut left = bits as i32;
        loop {
            if left <= 0 {
                return Err(self.err(self.pos, "integer representation too long"));
            }
            let at = self.pos;
            let b = self.u8()?;
            if left < 7 {
                // The sign bit and every bit above it that fits in this byte.
                let mask = ((-1i32 << (left - 1)) & 0x7f) as u8;
                let high = b & mask;
                if high != 0 && high != mask {
                    return Err(self.err(at, "integer too large"));
                }
            }
            result |= i64::from(b & 0x7f).wrapping_shl(shift);
            shift += 7;
            if b & 0x80 == 0 {
                if shift < 64 && b & 0x40 != 0 {
                    result |= -1i64 << shift;
                }
                return Ok(result);
            }
            left -= 7;
        }
    }

    /// A `u32` (indices, counts, limits).
    #[inline]
    pub(crate) fn u32(&mut self) -> Result<u32> {
        // At most 32 bits are accepted, so the narrowing is lossless.
        Ok(self.leb_u(32)? as u32)
    }

    /// An `s32` (`i32.const`).
    #[inline]
    pub(crate) fn s32(&mut self) -> Result<i32> {
        Ok(self.leb_s(32)? as i32)
    }

    /// An `s64` (`i64.const`).
    #[inline]
    pub(crate) fn s64(&mut self) -> Result<i64> {
        self.leb_s(64)
    }

    /// An `s33` (block type indices).
    pub(crate) fn s33(&mut self) -> Result<i64> {
        self.leb_s(33)
    }

    /// A `u32` length or vector count that must not exceed the bytes left (counting from
    /// the length's own first byte, as the reference interpreter does): "length out of
    /// bounds". Every element of a vector takes at least one byte, so this also bounds the
    /// work and memory a hostile count can cause.
    pub(crate) fn len32(&mut self) -> Result<usize> {
        let at = self.pos;
        let n = self.u32()? as usize;
        if n > self.data.len() - at {
            return Err(self.err(at, "length out of bounds"));
        }
        Ok(n)
    }

    /// A vector count and a safe initial capacity for it.
    ///
    /// Every element takes at least one byte, so a count larger than the bytes left (from
    /// the count's first byte, as for [`Reader::len32`]) cannot be satisfied: that fails at
    /// once with "unexpected end" instead of looping or allocating. (The reference
    /// interpreter says "length out of bounds" here; the testsuite does not distinguish, and
    /// "unexpected end" is what decoding the elements would eventually report.) The capacity
    /// is further capped so that large element types cannot turn a plausible count into a
    /// huge allocation before any element is decoded.
    pub(crate) fn count(&mut self) -> Result<(u32, usize)> {
        let at = self.pos;
        let n = self.u32()?;
        if n as usize > self.data.len() - at {
            return Err(self.eos());
        }
        Ok((n, (n as usize).min(self.remaining()).min(1024)))
    }

    /// A name: a length-prefixed UTF-8 string (spec §5.2.4).
    pub(crate) fn name(&mut self) -> Result<String> {
        let at = self.pos;
        let n = self.len32()?;
        let bytes = self.bytes(n)?;
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => Err(self.err(at, "malformed UTF-8 encoding")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u32_of(bytes: &[u8]) -> Result<u32> {
        Reader::new(bytes, 0).u32()
    }
    fn s32_of(bytes: &[u8]) -> Result<i32> {
        Reader::new(bytes, 0).s32()
    }
    fn s64_of(bytes: &[u8]) -> Result<i64> {
        Reader::new(bytes, 0).s64()
    }
    fn msg<T: std::fmt::Debug>(r: Result<T>) -> String {
        r.expect_err("expected an error").message
    }

    #[test]
    fn unsigned_leb() {
        assert_eq!(u32_of(&[0x00]), Ok(0));
        assert_eq!(u32_of(&[0x7f]), Ok(127));
        assert_eq!(u32_of(&[0x80, 0x01]), Ok(128));
        assert_eq!(u32_of(&[0x80, 0x80, 0x80, 0x80, 0x00]), Ok(0));
        assert_eq!(u32_of(&[0xff, 0xff, 0xff, 0xff, 0x0f]), Ok(u32::MAX));
        assert_eq!(msg(u32_of(&[0xff, 0xff, 0xff, 0xff, 0x1f])), "integer too large");
        assert_eq!(msg(u32_of(&[0x80, 0x80, 0x80, 0x80, 0x10])), "integer too large");
        assert_eq!(msg(u32_of(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00])), "integer representation too long");
        assert_eq!(msg(u32_of(&[0x80, 0x80])), UNEXPECTED_END);
        assert_eq!(msg(u32_of(&[])), UNEXPECTED_END);
    }

    #[test]
    fn one_bit_flags() {
        let flag = |b: &[u8]| Reader::new(b, 0).leb_u(1);
        assert_eq!(flag(&[0x01]), Ok(1));
        assert_eq!(msg(flag(&[0x02])), "integer too large");
        assert_eq!(msg(flag(&[0x81, 0x00])), "integer representation too long");
    }

    #[test]
    fn signed_leb() {
        assert_eq!(s32_of(&[0x7f]), Ok(-1));
        assert_eq!(s32_of(&[0x3f]), Ok(63));
        assert_eq!(s32_of(&[0x40]), Ok(-64));
        assert_eq!(s32_of(&[0xff, 0xff, 0xff, 0xff, 0x07]), Ok(i32::MAX));
        assert_eq!(s32_of(&[0x80, 0x80, 0x80, 0x80, 0x78]), Ok(i32::MIN));
        assert_eq!(s32_of(&[0xff, 0xff, 0xff, 0xff, 0x7f]), Ok(-1));
        assert_eq!(msg(s32_of(&[0xff, 0xff, 0xff, 0xff, 0x0f])), "integer too large");
        assert_eq!(msg(s32_of(&[0x80, 0x80, 0x80, 0x80, 0x70])), "integer too large");
        assert_eq!(msg(s32_of(&[0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])), "integer representation too long");
        assert_eq!(msg(s32_of(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00])), "integer representation too long");
        assert_eq!(s64_of(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]), Ok(i64::MIN));
        assert_eq!(s64_of(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]), Ok(i64::MAX));
        assert_eq!(msg(s64_of(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])), "integer too large");
        assert_eq!(
            msg(s64_of(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00])),
            "integer representation too long"
        );
        let s33 = |b: &[u8]| Reader::new(b, 0).s33();
        assert_eq!(s33(&[0xff, 0xff, 0xff, 0xff, 0x0f]), Ok(i64::from(u32::MAX)));
        assert_eq!(msg(s33(&[0xff, 0xff, 0xff, 0xff, 0x1f])), "integer too large");
    }

    #[test]
    fn lengths_and_names() {
        assert_eq!(Reader::new(&[0x02, b'h', b'i'], 0).name(), Ok("hi".to_owned()));
        // Lengths count from their own first byte, like the reference interpreter.
        assert_eq!(msg(Reader::new(&[0x04, b'h', b'i'], 0).name()), "length out of bounds");
        assert_eq!(msg(Reader::new(&[0x03, b'h', b'i'], 0).name()), UNEXPECTED_END);
        assert_eq!(msg(Reader::new(&[0x02, 0xc0, 0x80], 0).name()), "malformed UTF-8 encoding");
        assert_eq!(msg(Reader::new(&[0x03, 0xed, 0xa0, 0x80], 0).name()), "malformed UTF-8 encoding");
        // A huge count is rejected before anything is allocated.
        let mut r = Reader::new(&[0xff, 0xff, 0xff, 0xff, 0x0f], 0);
        assert_eq!(msg(r.count()), UNEXPECTED_END);
        assert_eq!(Reader::new(&[0x02, 0x00], 0).count(), Ok((2, 1)));
    }
}
