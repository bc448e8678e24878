//! Writes metrics to a file for node_exporter's textfile collector, atomically: the Rust
//! counterpart of client_python's `write_to_textfile`, for batch jobs and cron scripts that
//! cannot be scraped.
//!
//! ```
//! use std::fs;
//! use prom_core::{Counter, Gauge};
//!
//! # let dir = std::env::temp_dir().join(format!("prom-textfile-doc-crate-{}", std::process::id()));
//! # fs::create_dir_all(&dir)?;
//! // `dir` is the directory given to node_exporter's `--collector.textfile.directory`.
//! let path = dir.join("backup.prom");
//! let files = Counter::new("backup_files", "Files copied by the last backup.")?;
//! files.inc_by(3.0)?;
//! prom_textfile::write_to_textfile(&path, &files)?;
//! assert_eq!(
//!     fs::read_to_string(&path)?,
//!     concat!(
//!         "# HELP backup_files_total Files copied by the last backup.\n",
//!         "# TYPE backup_files_total counter\n",
//!         "backup_files_total 3\n",
//!     )
//! );
//!
//! // Writing again replaces the whole file in one step.
//! let last = Gauge::new("backup_last_success_timestamp_seconds", "When the last backup ended.")?;
//! last.set(1_700_000_000.0);
//! prom_textfile::write_to_textfile(&path, &last)?;
//! assert_eq!(
//!     fs::read_to_string(&path)?,
//!     concat!(
//!         "# HELP backup_last_success_timestamp_seconds When the last backup ended.\n",
//!         "# TYPE backup_last_success_timestamp_seconds gauge\n",
//!         "backup_last_success_timestamp_seconds 1700000000\n",
//!     )
//! );
//! # fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! node_exporter reads only files whose names end in `.prom`, at every scrape, and skips a file
//! that does not parse or whose samples carry timestamps (reporting
//! `node_textfile_scrape_error 1`).
//!
//! # How a write stays atomic
//!
//! The collector is collected and the whole exposition (text format 0.0.4) is encoded in memory
//! first, so a failing collector writes nothing. The bytes then go to a new temporary file in the
//! target's own directory (so that the rename below stays within one file system), named
//! `.<target file name>.<pid>.<counter>.tmp`: hidden, unique per process and call (created with
//! `O_EXCL`, so it never reuses an existing name), and never ending in `.prom`, so node_exporter
//! ignores it. The file is written in full, flushed and `fsync`ed, then renamed over the target,
//! which POSIX makes atomic: a reader opening the target sees the previous complete file or the
//! new complete file, never a mixture, even if the writer is killed at any instant. Finally the
//! directory is `fsync`ed so that the rename itself survives a power loss; this last step is
//! best effort, as some file systems refuse to sync a directory, and its failure is ignored
//! because the new content is already visible.
//!
//! On any failure the temporary file is removed and the target is left as it was.
//!
//! # What the target may be
//!
//! The target must be a regular file or not exist yet. One that exists and is anything else — a
//! directory, a device such as `/dev/null`, a socket, a FIFO — is refused with
//! [`TextfileError::NotARegularFile`] before the collector runs: renaming over it would replace
//! the device or socket with a regular file. A symbolic link at the target path is followed, as
//! writing through a link does everywhere else: the file it leads to is replaced (the temporary
//! file is written in that file's directory, so the rename stays atomic) and the link itself is
//! kept; a dangling link leads to the file it names, which is created. A link leading to
//! anything but a regular file is refused like that file would be. The check is made once, before
//! writing; a special file put in the target's place during the write is not noticed.
//!
//! # Leftover temporary files
//!
//! A writer killed (say by `SIGKILL` or a power cut) between creating its temporary file and the
//! rename leaves that file behind. Writes do **not** remove such leftovers on their own: a
//! temporary file cannot safely be told to be dead — its writer may run in another PID
//! namespace or on another host sharing the directory, and deleting a live writer's file would
//! make its rename fail. Leftovers are harmless to node_exporter (they do not end in `.prom`) and
//! there is at most one per killed write; [`remove_stale_temp_files`] removes those of a target
//! older than an age you choose, for instance when a job starts.
//!
//! # Permissions
//!
//! Like client_python, which opens its temporary file with Python's default mode, the file is
//! created with mode `0666` masked by the process umask: `0644` under the usual umask `022`.
//! Because the target is replaced, not rewritten, it takes the new file's mode and owner, not
//! the old one's. node_exporter usually runs as another user and must be able to read the file:
//! a job running under a strict umask such as `077` should set the mode explicitly with
//! [`TextfileWriter::mode`].
//!
//! # Crate feature flags
//!
//! None. The crate depends on `prom-core` and `prom-codec` only, and otherwise on `std`: no
//! async runtime and no HTTP stack.
//!
//! # Minimum supported Rust version
//!
//! The workspace's `rust-version`, 1.85.
#![forbid(unsafe_code)]

mod error;
mod write;

pub use crate::error::{FileKind, TextfileError};
pub use crate::write::{
    remove_stale_temp_files, write_families_to_textfile, write_to_textfile, TextfileWriter,
};
