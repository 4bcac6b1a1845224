//! The file-system part of WASI preview 1 (`wasi_snapshot_preview1.witx`): `fd_*` calls on
//! files, directories and stdio, and `path_*` calls resolved through the cap-std
//! capability of a directory fd (so they cannot leave it).

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use cap_fs_ext::{DirExt, FollowSymlinks, MetadataExt, OpenOptionsFollowExt, OpenOptionsMaybeDirExt, SystemTimeSpec};
use cap_std::fs::{Dir, OpenOptions};

use super::Args;
use super::ctx::{FdEntry, Handle, WasiCtx, fdflags, filetype, filetype_of, rights};
use super::errno::{Errno, WasiResult};
use super::memory::GuestMem;

const LOOKUP_SYMLINK_FOLLOW: u32 = 1;
const OFLAG_CREAT: u32 = 1;
const OFLAG_DIRECTORY: u32 = 2;
const OFLAG_EXCL: u32 = 4;
const OFLAG_TRUNC: u32 = 8;
const FST_ATIM: u32 = 1;
const FST_ATIM_NOW: u32 = 2;
const FST_MTIM: u32 = 4;
const FST_MTIM_NOW: u32 = 8;

fn nanos(t: std::io::Result<std::time::SystemTime>) -> u64 {
    t.ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos() as u64)
}

/// A `filestat` record (64 bytes).
struct Filestat {
    dev: u64,
    ino: u64,
    filetype: u8,
    nlink: u64,
    size: u64,
    atim: u64,
    mtim: u64,
    ctim: u64,
}

impl Filestat {
    fn from_std(m: &std::fs::Metadata) -> Filestat {
        use std::os::unix::fs::MetadataExt as _;
        let ts = |s: i64, ns: i64| (s.max(0) as u64).saturating_mul(1_000_000_000).saturating_add(ns.max(0) as u64);
        Filestat {
            dev: std::os::unix::fs::MetadataExt::dev(m),
            ino: std::os::unix::fs::MetadataExt::ino(m),
            filetype: filetype_of(&m.file_type()),
            nlink: std::os::unix::fs::MetadataExt::nlink(m),
            size: m.len(),
            atim: ts(m.atime(), m.atime_nsec()),
            mtim: ts(m.mtime(), m.mtime_nsec()),
            ctim: ts(m.ctime(), m.ctime_nsec()),
        }
    }

    fn from_cap(m: &cap_std::fs::Metadata) -> Filestat {
        let ft = m.file_type();
        let filetype = cap_filetype(&ft);
        let std_time = |t: std::io::Result<cap_std::time::SystemTime>| t.map(|t| t.into_std());
        let mtim = nanos(std_time(m.modified()));
        Filestat {
            dev: MetadataExt::dev(m),
            ino: MetadataExt::ino(m),
            filetype,
            nlink: MetadataExt::nlink(m),
            size: m.len(),
            atim: nanos(std_time(m.accessed())),
            mtim,
            ctim: nanos(std_time(m.created())).max(mtim),
        }
    }

    fn write(&self, mem: &mut GuestMem<'_>, ptr: u32) -> WasiResult {
        mem.slice_mut(ptr, 64)?.fill(0);
        mem.write_u64(ptr, self.dev)?;
        mem.write_u64(ptr + 8, self.ino)?;
        mem.write_u8(ptr + 16, self.filetype)?;
        mem.write_u64(ptr + 24, self.nlink)?;
        mem.write_u64(ptr + 32, self.size)?;
        mem.write_u64(ptr + 40, self.atim)?;
        mem.write_u64(ptr + 48, self.mtim)?;
        mem.write_u64(ptr + 56, self.ctim)
    }
}

/// A standard stream's `filestat`: all zero but its type (wasmtime reports no more).
fn stdio_stat(filetype: u8) -> Filestat {
    Filestat { dev: 0, ino: 0, filetype, nlink: 0, size: 0, atim: 0, mtim: 0, ctim: 0 }
}

/// Reads into the guest's iovecs from `r`; returns the byte count.
fn read_into(mem: &mut GuestMem<'_>, iovs: u32, n: u32, r: &mut dyn Read) -> WasiResult<usize> {
    let cap = mem.capacity(iovs, n)?;
    let mut buf = vec![0u8; cap.min(1 << 24)];
    let got = loop {
        match r.read(&mut buf) {
            Ok(k) => break k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        }
    };
    mem.scatter(iovs, n, &buf[..got])
}

pub fn fd_read(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let (fd, iovs, n, out) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3));
    let e = ctx.get(fd)?;
    let got = match &mut e.handle {
        Handle::Stdin(r) => read_into(mem, iovs, n, r.as_mut())?,
        Handle::File(f) => read_into(mem, iovs, n, f)?,
        Handle::Dir(_) => return Err(Errno::Isdir),
        Handle::Stdout(_) | Handle::Stderr(_) => return Err(Errno::Badf),
    };
    mem.write_u32(out, got as u32)
}

pub fn fd_write(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let (fd, iovs, n, out) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3));
    let data = mem.gather(iovs, n)?;
    mem.slice(out, 4)?;
    let e = ctx.get(fd)?;
    let append = e.flags & fdflags::APPEND != 0;
    match &mut e.handle {
        Handle::Stdout(w) | Handle::Stderr(w) => {
            w.write_all(&data)?;
            w.flush()?;
        }
        Handle::File(f) => {
            // APPEND is the fd's flag, not the host's O_APPEND (so `fd_fdstat_set_flags`
            // can change it): each write goes to the end and leaves the offset there.
            if append {
                f.seek(SeekFrom::End(0))?;
            }
            f.write_all(&data)?;
        }
        Handle::Dir(_) => return Err(Errno::Isdir),
        Handle::Stdin(_) => return Err(Errno::Badf),
    }
    mem.write_u32(out, data.len() as u32)
}

/// The file behind `fd`: EISDIR for a directory, ESPIPE for a stream.
fn file(ctx: &mut WasiCtx, fd: u32) -> WasiResult<&mut std::fs::File> {
    match &mut ctx.get(fd)?.handle {
        Handle::File(f) => Ok(f),
        Handle::Dir(_) => Err(Errno::Isdir),
        _ => Err(Errno::Spipe),
    }
}

pub fn fd_pread(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    use std::os::unix::fs::FileExt;
    let (fd, iovs, n, offset, out) = (a.u32(0), a.u32(1), a.u32(2), a.u64(3), a.u32(4));
    let f = file(ctx, fd)?;
    let cap = mem.capacity(iovs, n)?;
    let mut buf = vec![0u8; cap.min(1 << 24)];
    let got = f.read_at(&mut buf, offset)?;
    let done = mem.scatter(iovs, n, &buf[..got])?;
    mem.write_u32(out, done as u32)
}

/// Writes at `offset` without moving the fd's offset. On an fd with APPEND the data goes
/// to the end of the file instead (Linux's `pwrite` on `O_APPEND`, which wasmtime follows);
/// the offset stays where it was all the same. A stream is ESPIPE, anything else EBADF.
pub fn fd_pwrite(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    use std::os::unix::fs::FileExt;
    let (fd, iovs, n, offset, out) = (a.u32(0), a.u32(1), a.u32(2), a.u64(3), a.u32(4));
    let data = mem.gather(iovs, n)?;
    mem.slice(out, 4)?;
    let e = ctx.get(fd)?;
    let append = e.flags & fdflags::APPEND != 0;
    let f = match &mut e.handle {
        Handle::File(f) => f,
        Handle::Stdout(_) | Handle::Stderr(_) => return Err(Errno::Spipe),
        Handle::Stdin(_) | Handle::Dir(_) => return Err(Errno::Badf),
    };
    let at = if append { f.metadata()?.len() } else { offset };
    f.write_all_at(&data, at)?;
    mem.write_u32(out, data.len() as u32)
}

pub fn fd_seek(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let (fd, offset, whence, out) = (a.u32(0), a.u64(1) as i64, a.u32(2), a.u32(3));
    mem.slice(out, 8)?;
    let f = file(ctx, fd)?;
    let pos = match whence {
        0 => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::Inval)?),
        1 => SeekFrom::Current(offset),
        2 => SeekFrom::End(offset),
        _ => return Err(Errno::Inval),
    };
    let new = f.seek(pos)?;
    mem.write_u64(out, new)
}

pub fn fd_tell(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let (fd, out) = (a.u32(0), a.u32(1));
    mem.slice(out, 8)?;
    let pos = file(ctx, fd)?.stream_position()?;
    mem.write_u64(out, pos)
}

pub fn fd_close(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    ctx.fds.remove(&a.u32(0)).map(drop).ok_or(Errno::Badf)
}

pub fn fd_sync(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    match &mut ctx.get(a.u32(0))?.handle {
        Handle::File(f) => Ok(f.sync_all()?),
        Handle::Stdout(w) | Handle::Stderr(w) => Ok(w.flush()?),
        _ => Ok(()),
    }
}

pub fn fd_datasync(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    match &mut ctx.get(a.u32(0))?.handle {
        Handle::File(f) => Ok(f.sync_data()?),
        Handle::Stdout(w) | Handle::Stderr(w) => Ok(w.flush()?),
        _ => Ok(()),
    }
}

pub fn fd_advise(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    if a.u32(3) > 5 {
        return Err(Errno::Inval);
    }
    file(ctx, a.u32(0)).map(drop)
}

pub fn fd_allocate(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let f = file(ctx, a.u32(0))?;
    let end = a.u64(1).checked_add(a.u64(2)).ok_or(Errno::Fbig)?;
    if f.metadata()?.len() < end {
        f.set_len(end)?;
    }
    Ok(())
}

pub fn fd_fdstat_get(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let (fd, out) = (a.u32(0), a.u32(1));
    mem.slice(out, 24)?;
    let e = ctx.get(fd)?;
    mem.slice_mut(out, 24)?.fill(0);
    mem.write_u8(out, e.filetype())?;
    mem.write_u16(out + 2, e.flags)?;
    mem.write_u64(out + 8, e.rights_base)?;
    mem.write_u64(out + 16, e.rights_inheriting)
}

/// Sets APPEND and NONBLOCK of a file's fd to exactly what `flags` says (as wasmtime: the
/// sync flags are EINVAL, any fd but a file's EBADF). APPEND moves every later `fd_write`
/// to the end; NONBLOCK is recorded and reported (reads of regular files never block).
pub fn fd_fdstat_set_flags(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let e = ctx.get(a.u32(0))?;
    if !matches!(e.handle, Handle::File(_)) {
        return Err(Errno::Badf);
    }
    let flags = u16::try_from(a.u32(1)).map_err(|_| Errno::Inval)?;
    if flags & (fdflags::DSYNC | fdflags::RSYNC | fdflags::SYNC) != 0 {
        return Err(Errno::Inval);
    }
    e.flags = flags & (fdflags::APPEND | fdflags::NONBLOCK);
    Ok(())
}

/// Rights are reported, not enforced (see [`rights`]), so they cannot be changed either:
/// ENOTSUP, as wasmtime answers (the WASI test suite reads it as "no rights here").
pub fn fd_fdstat_set_rights(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    ctx.get(a.u32(0))?;
    Err(Errno::Notsup)
}

pub fn fd_filestat_get(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let (fd, out) = (a.u32(0), a.u32(1));
    mem.slice(out, 64)?;
    let e = ctx.get(fd)?;
    let st = match &e.handle {
        Handle::File(f) => Filestat::from_std(&f.metadata()?),
        Handle::Dir(d) => Filestat::from_cap(&d.dir_metadata()?),
        _ => stdio_stat(e.filetype()),
    };
    st.write(mem, out)
}

/// Resizes a file; the host decides (an fd not open for writing is its EINVAL). Any fd but
/// a file's is EBADF, as in wasmtime.
pub fn fd_filestat_set_size(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    match &mut ctx.get(a.u32(0))?.handle {
        Handle::File(f) => Ok(f.set_len(a.u64(1))?),
        _ => Err(Errno::Badf),
    }
}

/// The new (atime, mtime) of a `*_set_times` call; EINVAL for contradicting flags.
fn times(atim: u64, mtim: u64, fst: u32) -> WasiResult<(Option<SystemTimeSpec>, Option<SystemTimeSpec>)> {
    if (fst & FST_ATIM != 0 && fst & FST_ATIM_NOW != 0) || (fst & FST_MTIM != 0 && fst & FST_MTIM_NOW != 0) || fst > 15
    {
        return Err(Errno::Inval);
    }
    let at = |t: u64| {
        SystemTimeSpec::Absolute(cap_std::time::SystemTime::from_std(
            std::time::UNIX_EPOCH + std::time::Duration::from_nanos(t),
        ))
    };
    let pick = |set: u32, now: u32, t: u64| {
        if fst & set != 0 {
            Some(at(t))
        } else if fst & now != 0 {
            Some(SystemTimeSpec::SymbolicNow)
        } else {
            None
        }
    };
    Ok((pick(FST_ATIM, FST_ATIM_NOW, atim), pick(FST_MTIM, FST_MTIM_NOW, mtim)))
}

fn to_std(t: SystemTimeSpec) -> std::time::SystemTime {
    match t {
        SystemTimeSpec::SymbolicNow => std::time::SystemTime::now(),
        SystemTimeSpec::Absolute(t) => t.into_std(),
    }
}

pub fn fd_filestat_set_times(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let (atime, mtime) = times(a.u64(1), a.u64(2), a.u32(3))?;
    match &ctx.get(a.u32(0))?.handle {
        Handle::File(f) => {
            let mut t = std::fs::FileTimes::new();
            if let Some(x) = atime {
                t = t.set_accessed(to_std(x));
            }
            if let Some(x) = mtime {
                t = t.set_modified(to_std(x));
            }
            Ok(f.set_times(t)?)
        }
        Handle::Dir(d) => Ok(d.set_times(".", atime, mtime)?),
        _ => Err(Errno::Badf),
    }
}

pub fn fd_prestat_get(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let (fd, out) = (a.u32(0), a.u32(1));
    let name = ctx.get(fd)?.preopen.as_ref().ok_or(Errno::Badf)?;
    let len = name.len() as u32;
    // Check the whole 8-byte record first so `out + 4` cannot overflow.
    mem.slice(out, 8)?;
    mem.write_u32(out, 0)?;
    mem.write_u32(out + 4, len)
}

pub fn fd_prestat_dir_name(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let (fd, ptr, len) = (a.u32(0), a.u32(1), a.u32(2));
    let name = ctx.get(fd)?.preopen.as_ref().ok_or(Errno::Badf)?;
    if (len as usize) < name.len() {
        return Err(Errno::Nametoolong);
    }
    let name = name.clone();
    mem.write(ptr, name.as_bytes())
}

pub fn fd_renumber(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let (from, to) = (a.u32(0), a.u32(1));
    if !ctx.fds.contains_key(&to) {
        return Err(Errno::Badf);
    }
    let e = ctx.fds.remove(&from).ok_or(Errno::Badf)?;
    ctx.fds.insert(to, e);
    Ok(())
}

/// The entries of a directory in a stable order: `.`, `..`, then the names sorted.
fn dir_entries(d: &Dir) -> WasiResult<Vec<(String, u64, u8)>> {
    let self_ino = MetadataExt::ino(&d.dir_metadata()?);
    let mut out = vec![(".".to_string(), self_ino, filetype::DIRECTORY), ("..".to_string(), 0, filetype::DIRECTORY)];
    let mut rest = Vec::new();
    for ent in d.entries()? {
        let ent = ent?;
        let ft = ent.file_type()?;
        let t = cap_filetype(&ft);
        let name = ent.file_name().into_string().map_err(|_| Errno::Ilseq)?;
        let ino = ent.metadata().map_or(0, |m| MetadataExt::ino(&m));
        rest.push((name, ino, t));
    }
    rest.sort();
    out.extend(rest);
    Ok(out)
}

pub fn fd_readdir(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let (fd, buf, len, cookie, out) = (a.u32(0), a.u32(1), a.u32(2), a.u64(3), a.u32(4));
    mem.slice(buf, len)?;
    mem.slice(out, 4)?;
    let Handle::Dir(d) = &ctx.get(fd)?.handle else { return Err(Errno::Notdir) };
    let entries = dir_entries(d)?;
    let mut bytes = Vec::new();
    for (i, (name, ino, t)) in entries.iter().enumerate().skip(usize::try_from(cookie).unwrap_or(usize::MAX)) {
        if bytes.len() >= len as usize {
            break;
        }
        bytes.extend_from_slice(&(i as u64 + 1).to_le_bytes());
        bytes.extend_from_slice(&ino.to_le_bytes());
        bytes.extend_from_slice(&(name.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&[*t, 0, 0, 0]);
        bytes.extend_from_slice(name.as_bytes());
    }
    bytes.truncate(len as usize);
    mem.write(buf, &bytes)?;
    mem.write_u32(out, bytes.len() as u32)
}

/// A guest path: UTF-8 and relative to its directory fd. An absolute path is refused here
/// with EPERM (a sandbox escape, as wasmtime answers); cap-std refuses `..` and symlink
/// escapes itself.
fn path(mem: &GuestMem<'_>, ptr: u32, len: u32) -> WasiResult<String> {
    let p = mem.str(ptr, len)?;
    if p.contains('\0') {
        return Err(Errno::Ilseq);
    }
    if p.starts_with('/') {
        return Err(Errno::Perm);
    }
    Ok(p)
}

/// Opens a file or directory. As in wasmtime, the base rights choose the open mode and
/// nothing else: `FD_WRITE` opens for writing, `FD_READ` (or no write) for reading; the new
/// fd reports the rights of that mode ([`rights::opened`]). `O_CREAT` and `O_TRUNC` open
/// the file for writing too, whatever the rights say. The sync fdflags are ENOTSUP.
pub fn path_open(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let (dirfd, lookup, p, plen, oflags) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3), a.u32(4));
    let (base, _inheriting, fdfl, out) = (a.u64(5), a.u64(6), a.u32(7), a.u32(8));
    let p = path(mem, p, plen)?;
    mem.slice(out, 4)?;
    let fdfl = u16::try_from(fdfl).map_err(|_| Errno::Inval)?;
    if fdfl & (fdflags::DSYNC | fdflags::RSYNC | fdflags::SYNC) != 0 {
        return Err(Errno::Notsup);
    }
    let flags = fdfl & (fdflags::APPEND | fdflags::NONBLOCK);
    let dir = match &ctx.get(dirfd)?.handle {
        Handle::Dir(d) => d,
        Handle::File(_) => return Err(Errno::Notdir),
        _ => return Err(Errno::Badf),
    };
    let write = base & rights::FD_WRITE != 0;
    let read = base & rights::FD_READ != 0 || !write;
    let follow = if lookup & LOOKUP_SYMLINK_FOLLOW != 0 { FollowSymlinks::Yes } else { FollowSymlinks::No };
    let entry = if oflags & OFLAG_DIRECTORY != 0 {
        if oflags & (OFLAG_CREAT | OFLAG_EXCL | OFLAG_TRUNC) != 0 {
            return Err(Errno::Inval);
        }
        let d = match follow {
            FollowSymlinks::Yes => dir.open_dir(&p)?,
            FollowSymlinks::No => dir.open_dir_nofollow(&p)?,
        };
        if write {
            // A directory cannot be opened for writing (the host's EISDIR).
            return Err(Errno::Isdir);
        }
        FdEntry::opened_dir(d, flags)
    } else {
        let mut o = OpenOptions::new();
        let host_write = write || oflags & (OFLAG_CREAT | OFLAG_TRUNC) != 0;
        o.read(read).write(host_write);
        if oflags & OFLAG_CREAT != 0 {
            if oflags & OFLAG_EXCL != 0 {
                o.create_new(true);
            } else {
                o.create(true);
            }
        }
        if oflags & OFLAG_TRUNC != 0 {
            o.truncate(true);
        }
        o.follow(follow);
        o.maybe_dir(!host_write);
        let f = dir.open_with(&p, &o)?.into_std();
        if f.metadata()?.is_dir() {
            FdEntry::opened_dir(Dir::from_std_file(f), flags)
        } else {
            FdEntry::opened_file(f, read, host_write, flags)
        }
    };
    let fd = ctx.insert(entry)?;
    mem.write_u32(out, fd)
}

pub fn path_create_directory(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let p = path(mem, a.u32(1), a.u32(2))?;
    Ok(ctx.dir(a.u32(0))?.create_dir(p)?)
}

pub fn path_remove_directory(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let p = path(mem, a.u32(1), a.u32(2))?;
    Ok(ctx.dir(a.u32(0))?.remove_dir(p)?)
}

pub fn path_unlink_file(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let p = path(mem, a.u32(1), a.u32(2))?;
    let d = ctx.dir(a.u32(0))?;
    // POSIX unlink of a directory is EISDIR on Linux (the host says EISDIR or EPERM).
    if d.symlink_metadata(&p).is_ok_and(|m| m.is_dir()) {
        return Err(Errno::Isdir);
    }
    Ok(d.remove_file_or_symlink(p)?)
}

pub fn path_filestat_get(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let (fd, flags, p, plen, out) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3), a.u32(4));
    let p = path(mem, p, plen)?;
    mem.slice(out, 64)?;
    let d = ctx.dir(fd)?;
    let m = if flags & LOOKUP_SYMLINK_FOLLOW != 0 { d.metadata(&p)? } else { d.symlink_metadata(&p)? };
    Filestat::from_cap(&m).write(mem, out)
}

pub fn path_filestat_set_times(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let (fd, flags, p, plen) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3));
    let p = path(mem, p, plen)?;
    let (atime, mtime) = times(a.u64(4), a.u64(5), a.u32(6))?;
    let d = ctx.dir(fd)?;
    if flags & LOOKUP_SYMLINK_FOLLOW != 0 {
        Ok(d.set_times(p, atime, mtime)?)
    } else {
        Ok(d.set_symlink_times(p, atime, mtime)?)
    }
}

/// Two directory capabilities at once (they may be the same fd).
fn two_dirs(ctx: &mut WasiCtx, a: u32, b: u32) -> WasiResult<(Dir, Dir)> {
    let da = ctx.dir(a)?.try_clone()?;
    let db = ctx.dir(b)?.try_clone()?;
    Ok((da, db))
}

pub fn path_rename(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let old = path(mem, a.u32(1), a.u32(2))?;
    let new = path(mem, a.u32(4), a.u32(5))?;
    let (from, to) = two_dirs(ctx, a.u32(0), a.u32(3))?;
    Ok(from.rename(old, &to, new)?)
}

pub fn path_link(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let (old_fd, old_flags) = (a.u32(0), a.u32(1));
    let old = path(mem, a.u32(2), a.u32(3))?;
    let new = path(mem, a.u32(5), a.u32(6))?;
    if old_flags & LOOKUP_SYMLINK_FOLLOW != 0 {
        // Linking the target of a symlink is not supported by cap-std; refuse cleanly.
        return Err(Errno::Inval);
    }
    let (from, to) = two_dirs(ctx, old_fd, a.u32(4))?;
    Ok(from.hard_link(old, &to, new)?)
}

/// Creates a symlink. As in wasmtime (cap-std): an absolute target is refused (EPERM), a
/// relative one is stored as written even when it climbs out of the preopen, because a link
/// is only text: following it later resolves through cap-std beneath the directory fd, so
/// such a link is EPERM to follow and never reaches the host outside the sandbox.
pub fn path_symlink(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let target = path(mem, a.u32(0), a.u32(1))?;
    let link = path(mem, a.u32(3), a.u32(4))?;
    Ok(ctx.dir(a.u32(2))?.symlink(target, link)?)
}

pub fn path_readlink(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, a: &Args) -> WasiResult {
    let (fd, p, plen, buf, blen, out) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3), a.u32(4), a.u32(5));
    let p = path(mem, p, plen)?;
    mem.slice(buf, blen)?;
    mem.slice(out, 4)?;
    let target = ctx.dir(fd)?.read_link(Path::new(&p))?;
    let bytes = target.to_str().ok_or(Errno::Ilseq)?.as_bytes();
    let n = bytes.len().min(blen as usize);
    mem.write(buf, &bytes[..n])?;
    mem.write_u32(out, n as u32)
}

/// The WASI file type of a file type seen through cap-std (directory, symlink, regular
/// file; anything else is unknown). `ctx::filetype_of` does the same for `std` types.
fn cap_filetype(ft: &cap_std::fs::FileType) -> u8 {
    if ft.is_dir() {
        filetype::DIRECTORY
    } else if ft.is_symlink() {
        filetype::SYMBOLIC_LINK
    } else if ft.is_file() {
        filetype::REGULAR_FILE
    } else {
        filetype::UNKNOWN
    }
}
