//! The state a WASI program sees: arguments, environment, preopened directories and the
//! file-descriptor table (WASI preview 1 `fd` handles with their rights and flags).
//!
//! Preopens are [`cap_std::fs::Dir`] capabilities: every path operation goes through them,
//! so `..`, absolute paths and symlinks cannot reach outside a preopen.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

use super::errno::{Errno, WasiResult};

/// `rights` bits (witx `rights`).
pub mod rights {
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    /// Every right of preview 1.
    pub const ALL: u64 = (1 << 30) - 1;
    /// What a regular file may do.
    pub const FILE: u64 = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;
    /// What a directory may do (everything but the file-only rights).
    pub const DIR: u64 =
        ALL & !(FD_READ | FD_WRITE | FD_SEEK | FD_TELL | FD_ADVISE | FD_ALLOCATE | FD_FILESTAT_SET_SIZE);
    /// A standard stream.
    pub const STDIO: u64 = FD_READ | FD_WRITE | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;
}

/// `filetype` values.
pub mod filetype {
    pub const UNKNOWN: u8 = 0;
    pub const CHARACTER_DEVICE: u8 = 2;
    pub const DIRECTORY: u8 = 3;
    pub const REGULAR_FILE: u8 = 4;
    pub const SYMBOLIC_LINK: u8 = 7;
}

/// `fdflags` bits.
pub mod fdflags {
    pub const APPEND: u16 = 1 << 0;
    pub const DSYNC: u16 = 1 << 1;
    pub const NONBLOCK: u16 = 1 << 2;
    pub const RSYNC: u16 = 1 << 3;
    pub const SYNC: u16 = 1 << 4;
}

/// What an fd refers to.
pub enum Handle {
    Stdin(Box<dyn Read>),
    Stdout(Box<dyn Write>),
    Stderr(Box<dyn Write>),
    File(std::fs::File),
    Dir(cap_std::fs::Dir),
}

/// One entry of the fd table.
pub struct FdEntry {
    pub handle: Handle,
    pub rights_base: u64,
    pub rights_inheriting: u64,
    pub flags: u16,
    /// The guest name of a preopened directory (`fd_prestat_*`).
    pub preopen: Option<String>,
}

impl FdEntry {
    /// An opened (not preopened) directory: its rights are limited to directory rights.
    pub fn opened_dir(d: cap_std::fs::Dir, base: u64, inheriting: u64, flags: u16) -> FdEntry {
        FdEntry {
            handle: Handle::Dir(d),
            rights_base: base & rights::DIR,
            rights_inheriting: inheriting,
            flags,
            preopen: None,
        }
    }

    pub fn filetype(&self) -> u8 {
        match &self.handle {
            Handle::Stdin(_) | Handle::Stdout(_) | Handle::Stderr(_) => filetype::CHARACTER_DEVICE,
            Handle::Dir(_) => filetype::DIRECTORY,
            Handle::File(f) => f.metadata().map_or(filetype::UNKNOWN, |m| filetype_of(&m.file_type())),
        }
    }

    /// Fails with ENOTCAPABLE unless the fd has every right in `need`.
    pub fn require(&self, need: u64) -> WasiResult {
        if self.rights_base & need == need { Ok(()) } else { Err(Errno::Notcapable) }
    }
}

/// The WASI filetype of a host file type.
pub fn filetype_of(t: &std::fs::FileType) -> u8 {
    use std::os::unix::fs::FileTypeExt;
    if t.is_dir() {
        filetype::DIRECTORY
    } else if t.is_symlink() {
        filetype::SYMBOLIC_LINK
    } else if t.is_file() {
        filetype::REGULAR_FILE
    } else if t.is_char_device() {
        filetype::CHARACTER_DEVICE
    } else if t.is_block_device() {
        1
    } else if t.is_socket() {
        6
    } else {
        filetype::UNKNOWN
    }
}

/// Why a [`WasiCtx`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum WasiError {
    #[error("cannot preopen directory {host}: {source}")]
    Preopen {
        host: String,
        #[source]
        source: std::io::Error,
    },
}

/// Args, environment and fds of one WASI program.
pub struct WasiCtx {
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) fds: BTreeMap<u32, FdEntry>,
    pub(crate) start: std::time::Instant,
}

impl WasiCtx {
    /// A context with no args, env or preopens, and the process's stdio.
    pub fn new() -> WasiCtx {
        let mut fds = BTreeMap::new();
        let stdio =
            |handle| FdEntry { handle, rights_base: rights::STDIO, rights_inheriting: 0, flags: 0, preopen: None };
        fds.insert(0, stdio(Handle::Stdin(Box::new(std::io::stdin()))));
        fds.insert(1, stdio(Handle::Stdout(Box::new(std::io::stdout()))));
        fds.insert(2, stdio(Handle::Stderr(Box::new(std::io::stderr()))));
        WasiCtx { args: Vec::new(), env: Vec::new(), fds, start: std::time::Instant::now() }
    }

    /// Sets argv (argv[0] is the program name).
    pub fn args(mut self, args: impl IntoIterator<Item = impl Into<String>>) -> WasiCtx {
        self.args = args.into_iter().map(Into::into).collect();
        self
    }

    /// Adds an environment variable.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> WasiCtx {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Replaces stdin.
    pub fn stdin(mut self, r: impl Read + 'static) -> WasiCtx {
        if let Some(e) = self.fds.get_mut(&0) {
            e.handle = Handle::Stdin(Box::new(r));
        }
        self
    }

    /// Replaces stdout.
    pub fn stdout(mut self, w: impl Write + 'static) -> WasiCtx {
        if let Some(e) = self.fds.get_mut(&1) {
            e.handle = Handle::Stdout(Box::new(w));
        }
        self
    }

    /// Replaces stderr.
    pub fn stderr(mut self, w: impl Write + 'static) -> WasiCtx {
        if let Some(e) = self.fds.get_mut(&2) {
            e.handle = Handle::Stderr(Box::new(w));
        }
        self
    }

    /// Preopens host directory `host` under the guest name `guest` (the next free fd).
    pub fn preopen_dir(mut self, host: impl AsRef<Path>, guest: impl Into<String>) -> Result<WasiCtx, WasiError> {
        let host = host.as_ref();
        let dir = cap_std::fs::Dir::open_ambient_dir(host, cap_std::ambient_authority())
            .map_err(|source| WasiError::Preopen { host: host.display().to_string(), source })?;
        self.insert(FdEntry {
            handle: Handle::Dir(dir),
            rights_base: rights::DIR,
            rights_inheriting: rights::ALL,
            flags: 0,
            preopen: Some(guest.into()),
        })
        .map_err(|_| WasiError::Preopen {
            host: host.display().to_string(),
            source: std::io::Error::other("too many open files"),
        })?;
        Ok(self)
    }

    /// Puts an entry at the lowest free fd.
    pub(crate) fn insert(&mut self, entry: FdEntry) -> WasiResult<u32> {
        let mut fd = 0u32;
        for k in self.fds.keys() {
            if *k != fd {
                break;
            }
            fd = fd.checked_add(1).ok_or(Errno::Mfile)?;
        }
        self.fds.insert(fd, entry);
        Ok(fd)
    }

    pub(crate) fn get(&mut self, fd: u32) -> WasiResult<&mut FdEntry> {
        self.fds.get_mut(&fd).ok_or(Errno::Badf)
    }

    /// The directory behind `fd` (ENOTDIR for other handles).
    pub(crate) fn dir(&mut self, fd: u32) -> WasiResult<&cap_std::fs::Dir> {
        match &self.get(fd)?.handle {
            Handle::Dir(d) => Ok(d),
            _ => Err(Errno::Notdir),
        }
    }
}

impl Default for WasiCtx {
    fn default() -> WasiCtx {
        WasiCtx::new()
    }
}
