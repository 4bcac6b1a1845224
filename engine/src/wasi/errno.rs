//! WASI preview 1 `errno` values (witx `typenames.witx`, type `errno`) and the mapping of
//! host I/O errors onto them.
//!
//! Sandbox escapes reported by cap-std ("a path led outside of the filesystem", an
//! `io::ErrorKind::PermissionDenied` without an OS error code) become [`Errno::Perm`], as in
//! wasmtime's preview 1 (which maps that error kind to `not-permitted`); a permission error
//! of the host OS keeps its own code ([`Errno::Acces`] or [`Errno::Perm`]).

use std::io;

/// A WASI errno (the discriminant is the wire value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum Errno {
    Success = 0,
    TooBig = 1,
    Acces = 2,
    Again = 6,
    Badf = 8,
    Busy = 10,
    Exist = 20,
    Fault = 21,
    Fbig = 22,
    Ilseq = 25,
    Intr = 27,
    Inval = 28,
    Io = 29,
    Isdir = 31,
    Loop = 32,
    Mfile = 33,
    Mlink = 34,
    Nametoolong = 37,
    Noent = 44,
    Nomem = 48,
    Nospc = 51,
    Nosys = 52,
    Notdir = 54,
    Notempty = 55,
    Notsock = 57,
    Notsup = 58,
    Overflow = 61,
    Perm = 63,
    Pipe = 64,
    Rofs = 69,
    Spipe = 70,
    Txtbsy = 74,
    Xdev = 75,
    Notcapable = 76,
}

impl Errno {
    /// The wire value returned to the guest.
    pub fn raw(self) -> i32 {
        self as u16 as i32
    }
}

/// The result of one WASI call before it is encoded.
pub type WasiResult<T = ()> = Result<T, Errno>;

impl From<io::Error> for Errno {
    fn from(e: io::Error) -> Errno {
        from_io(&e)
    }
}

/// Maps a host I/O error to the closest errno.
pub fn from_io(e: &io::Error) -> Errno {
    if let Some(code) = e.raw_os_error() {
        let os = rustix::io::Errno::from_raw_os_error(code);
        use rustix::io::Errno as E;
        let table = [
            (E::TOOBIG, Errno::TooBig),
            (E::ACCESS, Errno::Acces),
            (E::AGAIN, Errno::Again),
            (E::BADF, Errno::Badf),
            (E::BUSY, Errno::Busy),
            (E::EXIST, Errno::Exist),
            (E::FAULT, Errno::Fault),
            (E::FBIG, Errno::Fbig),
            (E::ILSEQ, Errno::Ilseq),
            (E::INTR, Errno::Intr),
            (E::INVAL, Errno::Inval),
            (E::IO, Errno::Io),
            (E::ISDIR, Errno::Isdir),
            (E::LOOP, Errno::Loop),
            (E::MFILE, Errno::Mfile),
            (E::MLINK, Errno::Mlink),
            (E::NAMETOOLONG, Errno::Nametoolong),
            (E::NOENT, Errno::Noent),
            (E::NOMEM, Errno::Nomem),
            (E::NOSPC, Errno::Nospc),
            (E::NOSYS, Errno::Nosys),
            (E::NOTDIR, Errno::Notdir),
            (E::NOTEMPTY, Errno::Notempty),
            (E::NOTSOCK, Errno::Notsock),
            (E::NOTSUP, Errno::Notsup),
            (E::OPNOTSUPP, Errno::Notsup),
            (E::OVERFLOW, Errno::Overflow),
            (E::PERM, Errno::Perm),
            (E::PIPE, Errno::Pipe),
            (E::ROFS, Errno::Rofs),
            (E::SPIPE, Errno::Spipe),
            (E::TXTBSY, Errno::Txtbsy),
            (E::XDEV, Errno::Xdev),
        ];
        return table.iter().find(|(h, _)| *h == os).map_or(Errno::Io, |(_, w)| *w);
    }
    match e.kind() {
        // cap-std's "a path led outside of the filesystem".
        io::ErrorKind::PermissionDenied => Errno::Perm,
        io::ErrorKind::NotFound => Errno::Noent,
        io::ErrorKind::AlreadyExists => Errno::Exist,
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => Errno::Inval,
        io::ErrorKind::Unsupported => Errno::Notsup,
        io::ErrorKind::WouldBlock => Errno::Again,
        io::ErrorKind::Interrupted => Errno::Intr,
        io::ErrorKind::BrokenPipe => Errno::Pipe,
        io::ErrorKind::OutOfMemory => Errno::Nomem,
        io::ErrorKind::NotADirectory => Errno::Notdir,
        io::ErrorKind::IsADirectory => Errno::Isdir,
        io::ErrorKind::DirectoryNotEmpty => Errno::Notempty,
        _ => Errno::Io,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_eperm_and_os_errors_map() {
        let escape = io::Error::new(io::ErrorKind::PermissionDenied, "a path led outside of the filesystem");
        assert_eq!(from_io(&escape), Errno::Perm);
        let noent = io::Error::from(rustix::io::Errno::NOENT);
        assert_eq!(from_io(&noent), Errno::Noent);
        let lp = io::Error::from(rustix::io::Errno::LOOP);
        assert_eq!(from_io(&lp), Errno::Loop);
        assert_eq!(Errno::Notcapable.raw(), 76);
    }
}
