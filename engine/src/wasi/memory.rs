//! Checked access to guest linear memory for WASI calls: every pointer and length coming
//! from the guest is bounds-checked here, and a bad one is [`Errno::Fault`], never a host
//! panic. Scalars are little-endian (WASI preview 1 ABI, `typenames.witx` layouts).

use super::errno::{Errno, WasiResult};

/// A guest memory view for the duration of one WASI call.
pub struct GuestMem<'a> {
    bytes: &'a mut [u8],
}

impl<'a> GuestMem<'a> {
    pub fn new(bytes: &'a mut [u8]) -> GuestMem<'a> {
        GuestMem { bytes }
    }

    fn range(&self, ptr: u32, len: u32) -> WasiResult<std::ops::Range<usize>> {
        let start = ptr as usize;
        let end = start.checked_add(len as usize).ok_or(Errno::Fault)?;
        if end > self.bytes.len() {
            return Err(Errno::Fault);
        }
        Ok(start..end)
    }

    /// `len` bytes at `ptr`.
    pub fn slice(&self, ptr: u32, len: u32) -> WasiResult<&[u8]> {
        let r = self.range(ptr, len)?;
        self.bytes.get(r).ok_or(Errno::Fault)
    }

    /// `len` writable bytes at `ptr`.
    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> WasiResult<&mut [u8]> {
        let r = self.range(ptr, len)?;
        self.bytes.get_mut(r).ok_or(Errno::Fault)
    }

    fn array<const N: usize>(&self, ptr: u32) -> WasiResult<[u8; N]> {
        let s = self.slice(ptr, N as u32)?;
        s.try_into().map_err(|_| Errno::Fault)
    }

    pub fn read_u8(&self, ptr: u32) -> WasiResult<u8> {
        Ok(self.array::<1>(ptr)?[0])
    }

    pub fn read_u16(&self, ptr: u32) -> WasiResult<u16> {
        Ok(u16::from_le_bytes(self.array(ptr)?))
    }

    pub fn read_u32(&self, ptr: u32) -> WasiResult<u32> {
        Ok(u32::from_le_bytes(self.array(ptr)?))
    }

    pub fn read_u64(&self, ptr: u32) -> WasiResult<u64> {
        Ok(u64::from_le_bytes(self.array(ptr)?))
    }

    /// Writes `data` at `ptr`.
    pub fn write(&mut self, ptr: u32, data: &[u8]) -> WasiResult {
        let len = u32::try_from(data.len()).map_err(|_| Errno::Fault)?;
        self.slice_mut(ptr, len)?.copy_from_slice(data);
        Ok(())
    }

    pub fn write_u8(&mut self, ptr: u32, v: u8) -> WasiResult {
        self.write(ptr, &[v])
    }

    pub fn write_u16(&mut self, ptr: u32, v: u16) -> WasiResult {
        self.write(ptr, &v.to_le_bytes())
    }

    pub fn write_u32(&mut self, ptr: u32, v: u32) -> WasiResult {
        self.write(ptr, &v.to_le_bytes())
    }

    pub fn write_u64(&mut self, ptr: u32, v: u64) -> WasiResult {
        self.write(ptr, &v.to_le_bytes())
    }

    /// A guest string (`path`, `path_len`) as a host string; not UTF-8 is EILSEQ.
    pub fn str(&self, ptr: u32, len: u32) -> WasiResult<String> {
        let s = self.slice(ptr, len)?;
        std::str::from_utf8(s).map(str::to_owned).map_err(|_| Errno::Ilseq)
    }

    /// The (buf, len) pairs of an `iovec`/`ciovec` array, each checked against memory.
    pub fn iovecs(&self, iovs: u32, count: u32) -> WasiResult<Vec<(u32, u32)>> {
        let bytes = count.checked_mul(8).ok_or(Errno::Fault)?;
        self.slice(iovs, bytes)?;
        let mut out = Vec::with_capacity(count as usize);
        for i in 0..count {
            let at = iovs + i * 8;
            let (buf, len) = (self.read_u32(at)?, self.read_u32(at + 4)?);
            self.slice(buf, len)?;
            out.push((buf, len));
        }
        Ok(out)
    }

    /// The concatenated bytes the `ciovec` array points at (for writes).
    pub fn gather(&self, iovs: u32, count: u32) -> WasiResult<Vec<u8>> {
        let mut out = Vec::new();
        for (buf, len) in self.iovecs(iovs, count)? {
            out.extend_from_slice(self.slice(buf, len)?);
        }
        Ok(out)
    }

    /// Total capacity of an `iovec` array (for reads).
    pub fn capacity(&self, iovs: u32, count: u32) -> WasiResult<usize> {
        Ok(self.iovecs(iovs, count)?.iter().map(|(_, l)| *l as usize).sum())
    }

    /// Spreads `data` over the `iovec` array; returns the bytes written.
    pub fn scatter(&mut self, iovs: u32, count: u32, data: &[u8]) -> WasiResult<usize> {
        let mut done = 0;
        for (buf, len) in self.iovecs(iovs, count)? {
            let take = (len as usize).min(data.len() - done);
            self.write(buf, &data[done..done + take])?;
            done += take;
            if done == data.len() {
                break;
            }
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_bounds_is_fault() {
        let mut bytes = vec![0u8; 16];
        let mut m = GuestMem::new(&mut bytes);
        assert_eq!(m.read_u32(13), Err(Errno::Fault));
        assert_eq!(m.read_u32(u32::MAX), Err(Errno::Fault));
        assert_eq!(m.slice(8, u32::MAX), Err(Errno::Fault));
        assert_eq!(m.write_u64(12, 1), Err(Errno::Fault));
        assert_eq!(m.iovecs(0, u32::MAX), Err(Errno::Fault));
        m.write_u32(12, 7).expect("in bounds");
        assert_eq!(m.read_u32(12), Ok(7));
    }
}
