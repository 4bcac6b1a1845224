//! `poll_oneoff` and `sched_yield` of WASI preview 1: clock subscriptions (relative and
//! absolute) sleep the host thread; fd read/write subscriptions on stdio and regular files
//! are always ready (regular files report the bytes left to read).

use std::io::Seek;

use super::Args;
use super::clock;
use super::ctx::{Handle, WasiCtx};
use super::errno::{Errno, WasiResult};
use super::memory::GuestMem;

const EVENTTYPE_CLOCK: u8 = 0;
const EVENTTYPE_FD_READ: u8 = 1;
const EVENTTYPE_FD_WRITE: u8 = 2;
const SUBCLOCKFLAG_ABSTIME: u16 = 1;

struct Event {
    userdata: u64,
    error: Errno,
    kind: u8,
    nbytes: u64,
}

pub fn poll_oneoff(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let (subs, events, n, out) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3));
    if n == 0 {
        return Err(Errno::Inval);
    }
    mem.slice(subs, n.checked_mul(48).ok_or(Errno::Fault)?)?;
    mem.slice(events, n.checked_mul(32).ok_or(Errno::Fault)?)?;
    mem.slice(out, 4)?;
    let mut ready = Vec::new();
    let mut timers = Vec::new();
    for i in 0..n {
        let s = subs + i * 48;
        let userdata = mem.read_u64(s)?;
        match mem.read_u8(s + 8)? {
            EVENTTYPE_CLOCK => {
                let id = mem.read_u32(s + 16)?;
                let timeout = mem.read_u64(s + 24)?;
                let flags = mem.read_u16(s + 40)?;
                let deadline = match clock::now(ctx, id) {
                    Ok(now) if flags & SUBCLOCKFLAG_ABSTIME != 0 => timeout.saturating_sub(now),
                    Ok(_) => timeout,
                    Err(e) => {
                        ready.push(Event { userdata, error: e, kind: EVENTTYPE_CLOCK, nbytes: 0 });
                        continue;
                    }
                };
                timers.push((deadline, userdata));
            }
            kind @ (EVENTTYPE_FD_READ | EVENTTYPE_FD_WRITE) => {
                let fd = mem.read_u32(s + 16)?;
                let (error, nbytes) = match ctx.get(fd).map(|e| &mut e.handle) {
                    Ok(Handle::File(f)) if kind == EVENTTYPE_FD_READ => {
                        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                        let pos = f.stream_position().unwrap_or(0);
                        (Errno::Success, len.saturating_sub(pos))
                    }
                    Ok(Handle::Dir(_)) => (Errno::Badf, 0),
                    Ok(_) => (Errno::Success, if kind == EVENTTYPE_FD_READ { 1 } else { 0 }),
                    Err(e) => (e, 0),
                };
                ready.push(Event { userdata, error, kind, nbytes });
            }
            _ => return Err(Errno::Inval),
        }
    }
    if ready.is_empty() {
        // Only timers: sleep until the earliest and report every one that expired.
        let wait = timers.iter().map(|(d, _)| *d).min().unwrap_or(0);
        std::thread::sleep(std::time::Duration::from_nanos(wait));
        for (d, userdata) in &timers {
            if *d <= wait {
                ready.push(Event { userdata: *userdata, error: Errno::Success, kind: EVENTTYPE_CLOCK, nbytes: 0 });
            }
        }
    }
    for (i, e) in ready.iter().enumerate() {
        let at = events + i as u32 * 32;
        mem.slice_mut(at, 32)?.fill(0);
        mem.write_u64(at, e.userdata)?;
        mem.write_u16(at + 8, e.error as u16)?;
        mem.write_u8(at + 10, e.kind)?;
        mem.write_u64(at + 16, e.nbytes)?;
    }
    mem.write_u32(out, ready.len() as u32)
}

pub fn sched_yield(_: &mut WasiCtx, _: &mut GuestMem<'_>, _: &Args) -> WasiResult {
    std::thread::yield_now();
    Ok(())
}
