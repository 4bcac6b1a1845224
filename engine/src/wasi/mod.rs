//! WASI preview 1 (`wasi_snapshot_preview1`, the witx of WASI snapshot 01): the host
//! functions a wasm32-wasi program imports, on top of the public embedding API so they
//! work on every execution tier. This is the only engine code that does host I/O.
//!
//! - [`ctx`]: args, environment, preopened directories and the fd table;
//! - [`memory`]: bounds-checked guest memory access (a bad pointer is `EFAULT`);
//! - [`errno`]: errno values and the host-error mapping;
//! - [`fs`]: `fd_*` and `path_*` (sandboxed by cap-std);
//! - [`clock`]: clocks and `random_get`; [`poll`]: `poll_oneoff`, `sched_yield`.
//!
//! `proc_exit` stops the program with [`Trap::exit`]: embedders read the status from
//! [`Trap::exit_code`]. Sockets are never preopened, so `sock_*` on any fd is `ENOTSOCK`
//! (`EBADF` for an fd that is not open).
//!
//! Where preview 1's text leaves room, behaviour follows wasmtime's preview 1 (the WASI
//! test suite encodes it): rights are reported but not enforced, stdio is a character
//! device only when it is a terminal, sandbox escapes are `EPERM`.
//!
//! ```no_run
//! use std::{cell::RefCell, rc::Rc};
//! use wasmscope_engine::{Config, Engine, Linker, Module, Store, wasi};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let engine = Engine::new(Config::default());
//! let module = Module::new(&engine, &std::fs::read("prog.wasm")?)?;
//! let mut store = Store::new(&engine);
//! let ctx = wasi::WasiCtx::new().args(["prog.wasm"]).preopen_dir(".", ".")?;
//! let mut linker = Linker::new();
//! wasi::add_to_linker(&mut linker, &mut store, Rc::new(RefCell::new(ctx)));
//! let instance = linker.instantiate(&mut store, &module)?;
//! let status = wasi::run_start(&mut store, instance)?;
//! # let _ = status; Ok(()) }
//! ```

pub mod clock;
pub mod ctx;
pub mod errno;
pub mod fs;
pub mod memory;
pub mod poll;

use std::cell::RefCell;
use std::rc::Rc;

pub use ctx::{WasiCtx, WasiError};
pub use errno::Errno;

use crate::error::{Error, Trap, TrapCode};
use crate::runtime::{Caller, Extern, Func, Instance, Linker, Store, Val};
use crate::syntax::{FuncType, ValType};
use errno::WasiResult;
use memory::GuestMem;

/// The import module name.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// The arguments of one call, read by position (types were checked by the linker).
pub struct Args<'a>(&'a [Val]);

impl Args<'_> {
    pub fn u32(&self, i: usize) -> u32 {
        match self.0.get(i) {
            Some(Val::I32(v)) => *v as u32,
            Some(Val::I64(v)) => *v as u32,
            _ => 0,
        }
    }

    pub fn u64(&self, i: usize) -> u64 {
        match self.0.get(i) {
            Some(Val::I64(v)) => *v as u64,
            Some(Val::I32(v)) => *v as u32 as u64,
            _ => 0,
        }
    }
}

type Impl = fn(&mut WasiCtx, &mut GuestMem<'_>, &Args<'_>) -> WasiResult;

/// Every function: name, parameter types (`i` = i32, `I` = i64), implementation. All
/// return an errno (i32).
const FUNCS: &[(&str, &str, Impl)] = &[
    ("args_get", "ii", args_get),
    ("args_sizes_get", "ii", args_sizes_get),
    ("environ_get", "ii", environ_get),
    ("environ_sizes_get", "ii", environ_sizes_get),
    ("clock_res_get", "ii", clock::clock_res_get),
    ("clock_time_get", "iIi", clock::clock_time_get),
    ("fd_advise", "iIIi", fs::fd_advise),
    ("fd_allocate", "iII", fs::fd_allocate),
    ("fd_close", "i", fs::fd_close),
    ("fd_datasync", "i", fs::fd_datasync),
    ("fd_fdstat_get", "ii", fs::fd_fdstat_get),
    ("fd_fdstat_set_flags", "ii", fs::fd_fdstat_set_flags),
    ("fd_fdstat_set_rights", "iII", fs::fd_fdstat_set_rights),
    ("fd_filestat_get", "ii", fs::fd_filestat_get),
    ("fd_filestat_set_size", "iI", fs::fd_filestat_set_size),
    ("fd_filestat_set_times", "iIIi", fs::fd_filestat_set_times),
    ("fd_pread", "iiiIi", fs::fd_pread),
    ("fd_prestat_get", "ii", fs::fd_prestat_get),
    ("fd_prestat_dir_name", "iii", fs::fd_prestat_dir_name),
    ("fd_pwrite", "iiiIi", fs::fd_pwrite),
    ("fd_read", "iiii", fs::fd_read),
    ("fd_readdir", "iiiIi", fs::fd_readdir),
    ("fd_renumber", "ii", fs::fd_renumber),
    ("fd_seek", "iIii", fs::fd_seek),
    ("fd_sync", "i", fs::fd_sync),
    ("fd_tell", "ii", fs::fd_tell),
    ("fd_write", "iiii", fs::fd_write),
    ("path_create_directory", "iii", fs::path_create_directory),
    ("path_filestat_get", "iiiii", fs::path_filestat_get),
    ("path_filestat_set_times", "iiiiIIi", fs::path_filestat_set_times),
    ("path_link", "iiiiiii", fs::path_link),
    ("path_open", "iiiiiIIii", fs::path_open),
    ("path_readlink", "iiiiii", fs::path_readlink),
    ("path_remove_directory", "iii", fs::path_remove_directory),
    ("path_rename", "iiiiii", fs::path_rename),
    ("path_symlink", "iiiii", fs::path_symlink),
    ("path_unlink_file", "iii", fs::path_unlink_file),
    ("poll_oneoff", "iiii", poll::poll_oneoff),
    ("proc_raise", "i", proc_raise),
    ("random_get", "ii", clock::random_get),
    ("sched_yield", "", poll::sched_yield),
    ("sock_accept", "iii", sock),
    ("sock_recv", "iiiiii", sock),
    ("sock_send", "iiiii", sock),
    ("sock_shutdown", "ii", sock),
];

fn types(sig: &str) -> Vec<ValType> {
    sig.chars().map(|c| if c == 'I' { ValType::I64 } else { ValType::I32 }).collect()
}

/// Defines every `wasi_snapshot_preview1` function in `linker`, sharing `ctx`. Functions
/// find the caller's memory through its `"memory"` export (WASI's convention); without
/// one, every pointer is out of bounds (`EFAULT`). Preview 1 is memory32: a 64-bit
/// `"memory"` counts as none.
pub fn add_to_linker(linker: &mut Linker, store: &mut Store, ctx: Rc<RefCell<WasiCtx>>) {
    for &(name, sig, f) in FUNCS {
        let ctx = ctx.clone();
        let ty = FuncType::new(types(sig), vec![ValType::I32]);
        let func = Func::new_host_slices(store, ty, move |caller: &mut Caller<'_>, args: &[Val], out: &mut [Val]| {
            let mut ctx = ctx.try_borrow_mut().map_err(|_| Trap::host("WASI context re-entered"))?;
            let memory = match caller.get_export("memory") {
                Some(Extern::Memory(m)) if m.ty(caller.store()).is_some_and(|t| !t.addr.is_64()) => Some(m),
                _ => None,
            };
            let bytes: &mut [u8] = match memory {
                Some(m) => m.data_mut(caller.store()),
                None => &mut [],
            };
            let mut mem = GuestMem::new(bytes);
            let errno = match f(&mut ctx, &mut mem, &Args(args)) {
                Ok(()) => 0,
                Err(e) => e.raw(),
            };
            if let Some(o) = out.first_mut() {
                *o = Val::I32(errno);
            }
            Ok(())
        });
        linker.define(MODULE, name, Extern::Func(func));
    }
    let exit = Func::new_host(store, FuncType::new(vec![ValType::I32], vec![]), |_: &mut Caller<'_>, args: &[Val]| {
        let code = match args.first() {
            Some(Val::I32(c)) => *c,
            _ => 1,
        };
        Err(Trap::exit(code))
    });
    linker.define(MODULE, "proc_exit", Extern::Func(exit));
}

/// Runs the command's `_start` export: `Ok(status)` for a normal return (0) or
/// `proc_exit`, `Err` for a trap or a missing `_start`.
pub fn run_start(store: &mut Store, instance: Instance) -> Result<i32, Error> {
    let start = instance
        .func(store, "_start")
        .ok_or_else(|| Error::Usage("the module exports no `_start` function (not a WASI command)".into()))?;
    match start.call(store, &[]) {
        Ok(_) => Ok(0),
        Err(Error::Trap(t)) if t.code == TrapCode::Exit => Ok(t.exit_code.unwrap_or(0)),
        Err(e) => Err(e),
    }
}

/// Writes `items` (NUL-terminated) into `buf` and their addresses into `ptrs`.
fn write_strings(mem: &mut GuestMem<'_>, items: &[String], ptrs: u32, buf: u32) -> WasiResult {
    let mut at = buf;
    for (i, s) in items.iter().enumerate() {
        mem.write_u32(ptrs.checked_add(i as u32 * 4).ok_or(Errno::Fault)?, at)?;
        mem.write(at, s.as_bytes())?;
        let end = at.checked_add(s.len() as u32).ok_or(Errno::Fault)?;
        mem.write_u8(end, 0)?;
        at = end + 1;
    }
    Ok(())
}

fn sizes(mem: &mut GuestMem<'_>, items: &[String], count: u32, size: u32) -> WasiResult {
    mem.write_u32(count, items.len() as u32)?;
    mem.write_u32(size, items.iter().map(|s| s.len() as u32 + 1).sum())
}

fn env_strings(ctx: &WasiCtx) -> Vec<String> {
    ctx.env.iter().map(|(k, v)| format!("{k}={v}")).collect()
}

fn args_get(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args<'_>) -> WasiResult {
    write_strings(mem, &ctx.args, a.u32(0), a.u32(1))
}

fn args_sizes_get(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args<'_>) -> WasiResult {
    sizes(mem, &ctx.args, a.u32(0), a.u32(1))
}

fn environ_get(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args<'_>) -> WasiResult {
    write_strings(mem, &env_strings(ctx), a.u32(0), a.u32(1))
}

fn environ_sizes_get(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args<'_>) -> WasiResult {
    sizes(mem, &env_strings(ctx), a.u32(0), a.u32(1))
}

fn proc_raise(_: &mut WasiCtx, _: &mut GuestMem<'_>, _: &Args<'_>) -> WasiResult {
    Err(Errno::Nosys)
}

/// No socket is ever preopened: a known fd is not a socket (ENOTSOCK, as wasmtime), an
/// unknown one is EBADF.
fn sock(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, a: &Args<'_>) -> WasiResult {
    ctx.get(a.u32(0))?;
    Err(Errno::Notsock)
}
