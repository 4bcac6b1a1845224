//! The state a WASI program sees: arguments, environment, preopened directories and the
//! file-descriptor table (WASI preview 1 `fd` handles with their rights and flags).
//!
//! Preopens are [`cap_std::fs::Dir`] capabilities: every path operation goes through them,
//! so `..`, absolute paths and symlinks cannot reach outside a preopen.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

use super::errno::{Errno, WasiResult};

/// `rights` bits (witx `rights`). Rights are *reported* as wasmtime's preview 1 reports
/// them and not enforced, as there: what limits a guest is the host open mode of each fd
/// (a write to a read-only file is the host's `EBADF`) and the preopen sandbox.
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
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    pub const PATH_OPEN: u64 = 1 << 13;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const PATH_READLINK: u64 = 1 << 15;
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const PATH_SYMLINK: u64 = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    /// Every right of preview 1 (bits 0-29).
    pub const ALL: u64 = (1 << 30) - 1;

    /// What a preopened directory reports as its base rights (wasmtime's fixed set).
    pub const PREOPEN_BASE: u64 = PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES;

    /// What a preopened directory reports as its inheriting rights: its own plus a file's.
    pub const PREOPEN_INHERITING: u64 = PREOPEN_BASE
        | FD_DATASYNC
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

    /// The rights of an fd `path_open` made (base and inheriting alike): everything, less
    /// what its open mode (`read`, `write`) and its type (a directory cannot seek or be
    /// resized) rule out.
    pub const fn opened(directory: bool, read: bool, write: bool) -> u64 {
        let mut r = ALL;
        if directory {
            r &= !(FD_SEEK | FD_FILESTAT_SET_SIZE | PATH_FILESTAT_SET_SIZE);
        }
        if !read {
            r &= !(FD_READ | FD_READDIR);
        }
        if !write {
            r &= !FD_WRITE;
        }
        r
    }
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
    /// A standard stream that is a terminal on the host: reported as a character device
    /// (so the guest's `isatty()` is true); other streams are reported as `unknown`.
    pub terminal: bool,
}

impl FdEntry {
    /// A directory `path_open` made (read mode only: directories are never opened for
    /// writing).
    pub fn opened_dir(d: cap_std::fs::Dir, flags: u16) -> FdEntry {
        let r = rights::opened(true, true, false);
        FdEntry { handle: Handle::Dir(d), rights_base: r, rights_inheriting: r, flags, preopen: None, terminal: false }
    }

    /// A regular file (or other non-directory) `path_open` made, with the open mode the
    /// guest asked for.
    pub fn opened_file(f: std::fs::File, read: bool, write: bool, flags: u16) -> FdEntry {
        let r = rights::opened(false, read, write);
        FdEntry { handle: Handle::File(f), rights_base: r, rights_inheriting: r, flags, preopen: None, terminal: false }
    }

    /// A standard stream: stdin may read, stdout and stderr may write (wasmtime's rights).
    fn stdio(handle: Handle, terminal: bool) -> FdEntry {
        let r = if matches!(handle, Handle::Stdin(_)) { rights::FD_READ } else { rights::FD_WRITE };
        FdEntry { handle, rights_base: r, rights_inheriting: r, flags: 0, preopen: None, terminal }
    }

    pub fn filetype(&self) -> u8 {
        match &self.handle {
            Handle::Stdin(_) | Handle::Stdout(_) | Handle::Stderr(_) if self.terminal => filetype::CHARACTER_DEVICE,
            Handle::Stdin(_) | Handle::Stdout(_) | Handle::Stderr(_) => filetype::UNKNOWN,
            Handle::Dir(_) => filetype::DIRECTORY,
            Handle::File(f) => f.metadata().map_or(filetype::UNKNOWN, |m| filetype_of(&m.file_type())),
        }
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
    /// A context with no args, env or preopens, and the process's stdio (each reported as
    /// a terminal exactly when it is one on the host).
    pub fn new() -> WasiCtx {
        use std::io::IsTerminal as _;
        let mut fds = BTreeMap::new();
        let stdin = std::io::stdin();
        let (stdout, stderr) = (std::io::stdout(), std::io::stderr());
        let (tty_in, tty_out, tty_err) = (stdin.is_terminal(), stdout.is_terminal(), stderr.is_terminal());
        fds.insert(0, FdEntry::stdio(Handle::Stdin(Box::new(stdin)), tty_in));
        fds.insert(1, FdEntry::stdio(Handle::Stdout(Box::new(stdout)), tty_out));
        fds.insert(2, FdEntry::stdio(Handle::Stderr(Box::new(stderr)), tty_err));
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

    /// Replaces stdin (reported to the guest as a non-terminal stream).
    pub fn stdin(mut self, r: impl Read + 'static) -> WasiCtx {
        if let Some(e) = self.fds.get_mut(&0) {
            e.terminal = false;
            e.handle = Handle::Stdin(Box::new(r));
        }
        self
    }

    /// Replaces stdout (reported to the guest as a non-terminal stream).
    pub fn stdout(mut self, w: impl Write + 'static) -> WasiCtx {
        if let Some(e) = self.fds.get_mut(&1) {
            e.terminal = false;
            e.handle = Handle::Stdout(Box::new(w));
        }
        self
    }

    /// Replaces stderr (reported to the guest as a non-terminal stream).
    pub fn stderr(mut self, w: impl Write + 'static) -> WasiCtx {
        if let Some(e) = self.fds.get_mut(&2) {
            e.terminal = false;
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
            rights_base: rights::PREOPEN_BASE,
            rights_inheriting: rights::PREOPEN_INHERITING,
            flags: 0,
            preopen: Some(guest.into()),
            terminal: false,
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
