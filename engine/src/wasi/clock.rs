//! Clocks and randomness of WASI preview 1: `clock_res_get`, `clock_time_get` (clock ids
//! realtime, monotonic, process and thread CPU time) and `random_get`.

use super::Args;
use super::ctx::WasiCtx;
use super::errno::{Errno, WasiResult};
use super::memory::GuestMem;

pub const REALTIME: u32 = 0;
pub const MONOTONIC: u32 = 1;
pub const PROCESS_CPUTIME: u32 = 2;
pub const THREAD_CPUTIME: u32 = 3;

/// The current time of clock `id` in nanoseconds.
pub fn now(ctx: &WasiCtx, id: u32) -> WasiResult<u64> {
    use rustix::time::{ClockId, clock_gettime};
    let ts = |id| {
        let t = clock_gettime(id);
        (t.tv_sec.max(0) as u64).saturating_mul(1_000_000_000).saturating_add(t.tv_nsec.max(0) as u64)
    };
    match id {
        REALTIME => Ok(ts(ClockId::Realtime)),
        // Monotonic time counts from the context's creation, so guests see small values.
        MONOTONIC => Ok(ctx.start.elapsed().as_nanos() as u64),
        PROCESS_CPUTIME => Ok(ts(ClockId::ProcessCPUTime)),
        THREAD_CPUTIME => Ok(ts(ClockId::ThreadCPUTime)),
        _ => Err(Errno::Inval),
    }
}

pub fn clock_res_get(_: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    if a.u32(0) > THREAD_CPUTIME {
        return Err(Errno::Inval);
    }
    mem.write_u64(a.u32(1), 1)
}

pub fn clock_time_get(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let t = now(ctx, a.u32(0))?;
    mem.write_u64(a.u32(2), t)
}

pub fn random_get(_: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let buf = mem.slice_mut(a.u32(0), a.u32(1))?;
    let mut filled = 0;
    while filled < buf.len() {
        match rustix::rand::getrandom(&mut buf[filled..], rustix::rand::GetRandomFlags::empty()) {
            Ok(n) => filled += n,
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(super::errno::from_io(&e.into())),
        }
    }
    Ok(())
}
