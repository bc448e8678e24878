use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use prom_core::CollectError;

/// Why a textfile could not be written.
///
/// Whatever the variant, the target file was not touched: it still holds the previous complete
/// exposition, or still does not exist. Every message starts with `cannot write "<target>"` and
/// names the cause; the underlying [`io::Error`] or [`CollectError`] is kept as the
/// [`source`](std::error::Error::source).
///
/// ```
/// use prom_core::Gauge;
/// use prom_textfile::{write_to_textfile, TextfileError};
///
/// let dir = std::env::temp_dir().join("prom-textfile-doc-no-such-directory");
/// let err = write_to_textfile(dir.join("job.prom"), &Gauge::new("up", "")?).unwrap_err();
/// assert!(matches!(err, TextfileError::MissingDirectory { .. }));
/// assert!(err
///     .to_string()
///     .starts_with(&format!("cannot write {:?}: directory {dir:?} does not exist", dir.join("job.prom"))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum TextfileError {
    /// The path does not name a file: it is empty or ends in `/`, `.` or `..`.
    InvalidPath {
        /// The rejected path.
        path: PathBuf,
    },
    /// A file mode given to [`TextfileWriter::mode`](crate::TextfileWriter::mode) has bits set
    /// outside the permission bits `0o777`.
    InvalidMode {
        /// The target file.
        path: PathBuf,
        /// The rejected mode.
        mode: u32,
    },
    /// The directory that should hold the file does not exist (it is never created).
    MissingDirectory {
        /// The target file.
        path: PathBuf,
        /// The missing directory.
        dir: PathBuf,
        /// The error of the operation that found it missing.
        source: io::Error,
    },
    /// The process may not create files in the directory, or may not replace the target.
    PermissionDenied {
        /// The target file.
        path: PathBuf,
        /// The directory the temporary file is written in.
        dir: PathBuf,
        /// What was being done, e.g. `"creating a temporary file"`.
        step: &'static str,
        /// `EACCES` or `EPERM`.
        source: io::Error,
    },
    /// The file system holding the directory is full (`ENOSPC`), or the user's disk quota is
    /// exhausted (`EDQUOT`). The partly written temporary file has been removed.
    DiskFull {
        /// The target file.
        path: PathBuf,
        /// The directory on the full file system.
        dir: PathBuf,
        /// What was being done, e.g. `"writing the temporary file"`.
        step: &'static str,
        /// `ENOSPC` or `EDQUOT`.
        source: io::Error,
    },
    /// The collector's families could not be written as text (two of them
    /// would write one name), so nothing was written.
    Encode {
        /// The target file.
        path: PathBuf,
        /// The encoder's error, naming the clashing families.
        source: prom_codec::EncodeError,
    },
    /// The collector failed, so nothing was written.
    Collect {
        /// The target file.
        path: PathBuf,
        /// The collector's error.
        source: CollectError,
    },
    /// A sample carries a timestamp. node_exporter's textfile collector skips a whole file that
    /// has one (and reports `node_textfile_scrape_error 1`), so it is refused before writing.
    Timestamp {
        /// The target file.
        path: PathBuf,
        /// The family holding the timestamped sample.
        family: String,
    },
    /// The target exists and is not a regular file — a directory, a device such as
    /// `/dev/null`, a socket or a FIFO — or is a symbolic link to one. Renaming over it would
    /// replace it with a regular file (or fail, for a directory), so it is refused before anything
    /// is collected or written.
    NotARegularFile {
        /// The target file, as given.
        path: PathBuf,
        /// Where the symbolic link(s) at `path` lead, when `path` is one; `None` otherwise.
        link_target: Option<PathBuf>,
        /// What the target (or the end of its links) is.
        kind: FileKind,
    },
    /// Any other I/O failure.
    Io {
        /// The target file.
        path: PathBuf,
        /// What was being done, e.g. `"renaming the temporary file over the target"`.
        step: &'static str,
        /// The operating system's error.
        source: io::Error,
    },
}

impl TextfileError {
    /// The target file the failed call was asked to write (or clean up after).
    pub fn path(&self) -> &Path {
        match self {
            TextfileError::InvalidPath { path }
            | TextfileError::InvalidMode { path, .. }
            | TextfileError::MissingDirectory { path, .. }
            | TextfileError::PermissionDenied { path, .. }
            | TextfileError::DiskFull { path, .. }
            | TextfileError::Collect { path, .. }
            | TextfileError::Encode { path, .. }
            | TextfileError::Timestamp { path, .. }
            | TextfileError::NotARegularFile { path, .. }
            | TextfileError::Io { path, .. } => path,
        }
    }

    /// Classifies an I/O error met while `step` was being done for `path` in `dir`.
    pub(crate) fn from_io(path: &Path, dir: &Path, step: &'static str, source: io::Error) -> Self {
        let path = path.to_path_buf();
        if is_disk_full(&source) {
            return TextfileError::DiskFull {
                path,
                dir: dir.to_path_buf(),
                step,
                source,
            };
        }
        match source.kind() {
            io::ErrorKind::PermissionDenied => TextfileError::PermissionDenied {
                path,
                dir: dir.to_path_buf(),
                step,
                source,
            },
            // `NotFound` also means a vanished temporary file; only a missing directory is
            // reported as such.
            io::ErrorKind::NotFound if !dir.is_dir() => TextfileError::MissingDirectory {
                path,
                dir: dir.to_path_buf(),
                source,
            },
            _ => TextfileError::Io { path, step, source },
        }
    }
}

/// What a target that is not a regular file is, as [`TextfileError::NotARegularFile`] reports.
///
/// Its `Display` text is the kind with an article: `a directory`, `a character device`, …
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileKind {
    /// A directory.
    Directory,
    /// A character device, such as `/dev/null` or a terminal.
    CharDevice,
    /// A block device, such as a disk.
    BlockDevice,
    /// A Unix domain socket.
    Socket,
    /// A FIFO (named pipe).
    Fifo,
    /// Any other kind of file that is not a regular file.
    Other,
}

impl FileKind {
    /// The kind of a file that is not a regular file, from its metadata.
    pub(crate) fn of(file_type: std::fs::FileType) -> FileKind {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if file_type.is_char_device() {
                return FileKind::CharDevice;
            }
            if file_type.is_block_device() {
                return FileKind::BlockDevice;
            }
            if file_type.is_socket() {
                return FileKind::Socket;
            }
            if file_type.is_fifo() {
                return FileKind::Fifo;
            }
        }
        if file_type.is_dir() {
            FileKind::Directory
        } else {
            FileKind::Other
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Directory => "a directory",
            FileKind::CharDevice => "a character device",
            FileKind::BlockDevice => "a block device",
            FileKind::Socket => "a socket",
            FileKind::Fifo => "a FIFO (named pipe)",
            FileKind::Other => "a special file",
        })
    }
}

/// `ENOSPC` or `EDQUOT` (or Windows' disk-full codes). `io::ErrorKind::StorageFull` and
/// `QuotaExceeded` are newer than the crate's MSRV, so the raw error numbers are compared.
fn is_disk_full(e: &io::Error) -> bool {
    let Some(code) = e.raw_os_error() else {
        return false;
    };
    if cfg!(windows) {
        // ERROR_HANDLE_DISK_FULL and ERROR_DISK_FULL.
        return matches!(code, 39 | 112);
    }
    // ENOSPC is 28 on every Unix; EDQUOT is 122 on Linux (but MIPS) and 69 on macOS and the BSDs.
    const ENOSPC: i32 = 28;
    let edquot = if cfg!(all(
        target_os = "linux",
        not(any(target_arch = "mips", target_arch = "mips64"))
    )) {
        122
    } else if cfg!(any(
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly"
    )) {
        69
    } else {
        ENOSPC
    };
    code == ENOSPC || code == edquot
}

impl fmt::Display for TextfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot write {:?}: ", self.path())?;
        match self {
            TextfileError::InvalidPath { .. } => f.write_str(
                "the path does not name a file (it is empty or ends in `/`, `.` or `..`)",
            ),
            TextfileError::InvalidMode { mode, .. } => write!(
                f,
                "mode {mode:#o} is not a file permission mode: only the bits 0o777 may be set"
            ),
            TextfileError::MissingDirectory { dir, source, .. } => {
                write!(f, "directory {dir:?} does not exist ({source})")
            }
            TextfileError::PermissionDenied {
                dir, step, source, ..
            } => write!(
                f,
                "permission denied while {step} in directory {dir:?} ({source})"
            ),
            TextfileError::DiskFull {
                dir, step, source, ..
            } => write!(
                f,
                "the disk is full: no space left while {step} in directory {dir:?} ({source}); \
                 the target is unchanged"
            ),
            TextfileError::Collect { source, .. } => {
                write!(f, "{source}; nothing was written")
            }
            TextfileError::Encode { source, .. } => {
                write!(f, "{source}; nothing was written")
            }
            TextfileError::Timestamp { family, .. } => write!(
                f,
                "a sample of family {family:?} has a timestamp, and node_exporter's textfile \
                 collector skips files with timestamps; nothing was written"
            ),
            TextfileError::NotARegularFile {
                link_target: None,
                kind,
                ..
            } => write!(f, "it is {kind}, not a regular file; nothing was written"),
            TextfileError::NotARegularFile {
                link_target: Some(target),
                kind,
                ..
            } => write!(
                f,
                "it is a symbolic link to {target:?}, which is {kind}, not a regular file; \
                 nothing was written"
            ),
            TextfileError::Io { step, source, .. } => write!(f, "{step} failed: {source}"),
        }
    }
}

impl std::error::Error for TextfileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TextfileError::InvalidPath { .. }
            | TextfileError::InvalidMode { .. }
            | TextfileError::Timestamp { .. }
            | TextfileError::NotARegularFile { .. } => None,
            TextfileError::MissingDirectory { source, .. }
            | TextfileError::PermissionDenied { source, .. }
            | TextfileError::DiskFull { source, .. }
            | TextfileError::Io { source, .. } => Some(source),
            TextfileError::Collect { source, .. } => Some(source),
            TextfileError::Encode { source, .. } => Some(source),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_directory_is_named() {
        let dir = Path::new("/nonexistent-prom-textfile-dir");
        let e = TextfileError::from_io(
            &dir.join("x.prom"),
            dir,
            "creating a temporary file",
            io::Error::from(io::ErrorKind::NotFound),
        );
        assert!(matches!(e, TextfileError::MissingDirectory { .. }), "{e:?}");
        assert_eq!(
            e.to_string().split(" (").next().unwrap(),
            "cannot write \"/nonexistent-prom-textfile-dir/x.prom\": directory \
             \"/nonexistent-prom-textfile-dir\" does not exist"
        );
    }

    #[cfg(unix)]
    #[test]
    fn enospc_is_a_full_disk() {
        let e = TextfileError::from_io(
            Path::new("/d/x.prom"),
            Path::new("/d"),
            "writing the temporary file",
            io::Error::from_raw_os_error(28),
        );
        assert!(matches!(e, TextfileError::DiskFull { .. }), "{e:?}");
        assert!(e.to_string().contains("the disk is full"), "{e}");
        assert!(std::error::Error::source(&e).is_some());
    }

    #[test]
    fn other_errors_name_the_step() {
        let e = TextfileError::from_io(
            Path::new("x.prom"),
            Path::new("."),
            "syncing the temporary file",
            io::Error::other("boom"),
        );
        assert_eq!(
            e.to_string(),
            "cannot write \"x.prom\": syncing the temporary file failed: boom"
        );
    }
}
