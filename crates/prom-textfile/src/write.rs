//! The atomic write: encode in memory, write a temporary file beside the target, rename it over.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use prom_codec::Encoder;
use prom_core::{Collector, MetricFamily};

use crate::{FileKind, TextfileError};

/// Numbers the temporary files of this process; with the pid it makes their names unique.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);
/// Names tried before giving up when every one is taken (only leftovers of a dead process with
/// the same pid could take them).
const TEMP_ATTEMPTS: usize = 64;
/// The suffix of temporary files; anything but `.prom`, which node_exporter would read.
const TEMP_SUFFIX: &str = ".tmp";
/// Symbolic links followed before giving up, as Linux's `MAXSYMLINKS`.
const MAX_LINKS: usize = 40;

/// Writes the metrics of `source` to the file `path` for node_exporter's textfile collector,
/// replacing the file atomically: readers see the previous complete file or the new one, never
/// a part (see the [crate documentation](crate) for how).
///
/// The file is written in text format 0.0.4 with mode `0666` minus the umask; use
/// [`TextfileWriter`] to set the mode. The directory must exist; the target must be a regular
/// file or not exist, and a symbolic link is followed (see
/// [what the target may be](crate#what-the-target-may-be)). node_exporter reads only
/// files whose names end in `.prom`.
///
/// ```
/// use std::fs;
/// use prom_core::{GaugeVec, Opts};
///
/// # let dir = std::env::temp_dir().join(format!("prom-textfile-doc-fn-{}", std::process::id()));
/// # fs::create_dir_all(&dir)?;
/// let queue = GaugeVec::new(Opts::new("queue_depth", "Items waiting.").labels(["queue"]))?;
/// queue.with_label_values(&["mail \"urgent\""])?.set(7.0);
/// prom_textfile::write_to_textfile(dir.join("queues.prom"), &queue)?;
/// assert_eq!(
///     fs::read_to_string(dir.join("queues.prom"))?,
///     concat!(
///         "# HELP queue_depth Items waiting.\n",
///         "# TYPE queue_depth gauge\n",
///         "queue_depth{queue=\"mail \\\"urgent\\\"\"} 7\n",
///     )
/// );
/// # fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// A [`TextfileError`] naming `path` and the cause; the target is then unchanged and no
/// temporary file is left behind:
/// - [`TextfileError::Collect`] when the collector fails (nothing is written),
/// - [`TextfileError::Encode`] when two families would write one name (nothing is written),
/// - [`TextfileError::Timestamp`] when a sample has a timestamp, which node_exporter rejects,
/// - [`TextfileError::NotARegularFile`] when the target (or what its symbolic links lead to)
///   exists and is not a regular file, such as a directory or `/dev/null` (nothing is written),
/// - [`TextfileError::MissingDirectory`] when the directory does not exist,
/// - [`TextfileError::PermissionDenied`] when the directory is not writable,
/// - [`TextfileError::DiskFull`] when the file system is full,
/// - [`TextfileError::InvalidPath`] or [`TextfileError::Io`] otherwise.
pub fn write_to_textfile(
    path: impl AsRef<Path>,
    source: &dyn Collector,
) -> Result<(), TextfileError> {
    TextfileWriter::new(path.as_ref()).write(source)
}

/// Like [`write_to_textfile`], for families already collected.
///
/// ```
/// use std::fs;
/// use prom_core::{LabelSet, MetricFamily, MetricType, MetricValue};
///
/// # let dir = std::env::temp_dir().join(format!("prom-textfile-doc-fam-{}", std::process::id()));
/// # fs::create_dir_all(&dir)?;
/// let mut up = MetricFamily::new("job_up", "Whether the job ran.", MetricType::Gauge)?;
/// up.push(LabelSet::empty(), MetricValue::Gauge(1.0))?;
/// prom_textfile::write_families_to_textfile(dir.join("job.prom"), &[up])?;
/// assert_eq!(
///     fs::read_to_string(dir.join("job.prom"))?,
///     "# HELP job_up Whether the job ran.\n# TYPE job_up gauge\njob_up 1\n"
/// );
/// # fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As for [`write_to_textfile`], except that there is no collector to fail.
pub fn write_families_to_textfile(
    path: impl AsRef<Path>,
    families: &[MetricFamily],
) -> Result<(), TextfileError> {
    TextfileWriter::new(path.as_ref()).write_families(families)
}

/// Removes the temporary files that writes of the target `path` left behind when they were
/// killed mid-way, if they were last modified at least `older_than` ago, and returns how many
/// were removed.
///
/// Only names of the form `.<target file name>.<pid>.<counter>.tmp` in the target's directory
/// are considered; when `path` is a symbolic link, those of the file it leads to, where writes
/// put their temporary files. A write in progress keeps its temporary file for milliseconds, so
/// an age of minutes removes only leftovers; `Duration::ZERO` removes every one and is safe only when no
/// other process writes the same target. Writes never call this on their own (see the
/// [crate documentation](crate#leftover-temporary-files)).
///
/// ```
/// use std::time::Duration;
///
/// # let dir = std::env::temp_dir().join(format!("prom-textfile-doc-stale-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// let path = dir.join("job.prom");
/// // What a writer with pid 4242 killed before its rename leaves behind:
/// std::fs::write(dir.join(".job.prom.4242.0.tmp"), "# partial")?;
/// let removed = prom_textfile::remove_stale_temp_files(&path, Duration::ZERO)?;
/// assert_eq!(removed, 1);
/// assert!(!dir.join(".job.prom.4242.0.tmp").exists());
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`TextfileError::InvalidPath`] when `path` names no file, or an I/O variant when the directory
/// cannot be listed or a leftover cannot be removed (files removed before that stay removed).
pub fn remove_stale_temp_files(
    path: impl AsRef<Path>,
    older_than: Duration,
) -> Result<usize, TextfileError> {
    let target = Target::new(path.as_ref())?.follow_links()?;
    let now = SystemTime::now();
    let entries =
        fs::read_dir(&target.dir).map_err(|e| target.error("listing the directory", e))?;
    let mut removed = 0;
    for entry in entries {
        let entry = entry.map_err(|e| target.error("listing the directory", e))?;
        if !target.is_temp_name(&entry.file_name()) {
            continue;
        }
        let modified = match entry.metadata().and_then(|m| m.modified()) {
            Ok(modified) => modified,
            // Renamed or removed by its writer since the listing.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(target.error("reading a temporary file's age", e)),
        };
        // A modification time in the future counts as age zero.
        let age = now.duration_since(modified).unwrap_or(Duration::ZERO);
        if age < older_than {
            continue;
        }
        match fs::remove_file(entry.path()) {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(target.error("removing a stale temporary file", e)),
        }
    }
    Ok(removed)
}

/// Writes one target file with options: the step beyond [`write_to_textfile`] for callers that
/// set the file mode or write the same file repeatedly.
///
/// ```
/// # #[cfg(unix)] {
/// use std::fs;
/// use std::os::unix::fs::PermissionsExt;
/// use prom_core::Counter;
/// use prom_textfile::TextfileWriter;
///
/// # let dir = std::env::temp_dir().join(format!("prom-textfile-doc-writer-{}", std::process::id()));
/// # fs::create_dir_all(&dir)?;
/// let writer = TextfileWriter::new(dir.join("job.prom")).mode(0o644)?;
/// let runs = Counter::new("job_runs", "Runs of the job.")?;
/// runs.inc();
/// writer.write(&runs)?;
/// assert_eq!(fs::metadata(writer.path())?.permissions().mode() & 0o777, 0o644);
/// assert!(fs::read_to_string(writer.path())?.ends_with("job_runs_total 1\n"));
/// # fs::remove_dir_all(&dir)?;
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextfileWriter {
    path: PathBuf,
    mode: Option<u32>,
}

impl TextfileWriter {
    /// A writer of the file `path`, with the default mode (`0666` minus the umask).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            mode: None,
        }
    }

    /// Gives the file exactly the permission bits `mode` (such as `0o644`), whatever the umask.
    ///
    /// # Errors
    ///
    /// [`TextfileError::InvalidMode`] when `mode` has bits outside `0o777` (set-user-ID,
    /// set-group-ID, sticky or file type bits).
    #[cfg(unix)]
    pub fn mode(mut self, mode: u32) -> Result<Self, TextfileError> {
        if mode & !0o777 != 0 {
            return Err(TextfileError::InvalidMode {
                path: self.path,
                mode,
            });
        }
        self.mode = Some(mode);
        Ok(self)
    }

    /// The target file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Collects `source` and replaces the target with its exposition; see [`write_to_textfile`].
    ///
    /// # Errors
    ///
    /// As for [`write_to_textfile`].
    pub fn write(&self, source: &dyn Collector) -> Result<(), TextfileError> {
        let target = self.target()?;
        let families = prom_core::collect(source).map_err(|source| TextfileError::Collect {
            path: self.path.clone(),
            source,
        })?;
        self.write_checked(&target, &families)
    }

    /// Replaces the target with the exposition of `families`; see
    /// [`write_families_to_textfile`].
    ///
    /// # Errors
    ///
    /// As for [`write_families_to_textfile`].
    pub fn write_families(&self, families: &[MetricFamily]) -> Result<(), TextfileError> {
        let target = self.target()?;
        self.write_checked(&target, families)
    }

    /// The validated target, checked before anything is collected so that a target that cannot
    /// be written costs no collection.
    fn target(&self) -> Result<Target<'_>, TextfileError> {
        let target = Target::new(&self.path)?.follow_links()?;
        target.refuse_non_regular()?;
        Ok(target)
    }

    fn write_checked(
        &self,
        target: &Target<'_>,
        families: &[MetricFamily],
    ) -> Result<(), TextfileError> {
        if let Some(family) = families
            .iter()
            .find(|f| f.metrics.iter().any(|m| m.timestamp_ms.is_some()))
        {
            return Err(TextfileError::Timestamp {
                path: self.path.clone(),
                family: family.name.to_string(),
            });
        }
        let mut bytes = Vec::new();
        Encoder::text()
            .encode_families(families, &mut bytes)
            .map_err(|source| TextfileError::Encode {
                path: self.path.clone(),
                source,
            })?;
        target.replace_with(&bytes, self.mode)
    }
}

/// A validated target path split into its directory and file name.
///
/// `dest` is what the rename replaces: the path itself, or where its symbolic links lead once
/// [`Target::follow_links`] has run; `dir` and `file_name` are those of `dest`.
struct Target<'a> {
    /// The path as given, which errors name.
    path: &'a Path,
    dest: PathBuf,
    /// The directory holding `dest`; `.` for a bare file name.
    dir: PathBuf,
    file_name: OsString,
}

impl<'a> Target<'a> {
    fn new(path: &'a Path) -> Result<Self, TextfileError> {
        let invalid = || TextfileError::InvalidPath {
            path: path.to_path_buf(),
        };
        // `Path::file_name` ignores a trailing `/` or `/.`, which would make `dir/` name a file
        // `dir` in the parent directory.
        let raw = path.as_os_str().as_encoded_bytes();
        let ends_like_a_directory = raw
            .last()
            .is_some_and(|&b| std::path::is_separator(b.into()))
            || raw.ends_with(b"/.")
            || raw == b".";
        if ends_like_a_directory {
            return Err(invalid());
        }
        let (dir, file_name) = split(path).ok_or_else(invalid)?;
        Ok(Self {
            path,
            dest: path.to_path_buf(),
            dir,
            file_name,
        })
    }

    /// Makes the target the end of the chain of symbolic links at the path, if it is one, so
    /// that a write replaces the file the link leads to and keeps the link. A dangling link
    /// leads to the file it would create.
    fn follow_links(mut self) -> Result<Self, TextfileError> {
        let mut dest = self.path.to_path_buf();
        let mut hops = 0;
        loop {
            match fs::symlink_metadata(&dest) {
                Ok(meta) if meta.file_type().is_symlink() => {}
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::NotFound => break,
                Err(e) => return Err(self.error("inspecting the target", e)),
            }
            hops += 1;
            if hops > MAX_LINKS {
                return Err(self.error(
                    "following the symbolic link",
                    io::Error::other("too many levels of symbolic links"),
                ));
            }
            let link =
                fs::read_link(&dest).map_err(|e| self.error("following the symbolic link", e))?;
            // A relative link is relative to the directory holding it; `join` keeps an
            // absolute one as it is.
            dest = match dest.parent() {
                Some(parent) => parent.join(link),
                None => link,
            };
        }
        if dest != self.path {
            let (dir, file_name) = split(&dest).ok_or_else(|| {
                self.error(
                    "following the symbolic link",
                    io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("it leads to {dest:?}, which names no file"),
                    ),
                )
            })?;
            self.dir = dir;
            self.file_name = file_name;
            self.dest = dest;
        }
        Ok(self)
    }

    /// Refuses a target that exists and is not a regular file: renaming over a device, socket
    /// or FIFO would replace it with a regular file, and over a directory would fail late.
    fn refuse_non_regular(&self) -> Result<(), TextfileError> {
        let meta = match fs::symlink_metadata(&self.dest) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(self.error("inspecting the target", e)),
        };
        if meta.file_type().is_file() {
            return Ok(());
        }
        Err(TextfileError::NotARegularFile {
            path: self.path.to_path_buf(),
            link_target: (self.dest != self.path).then(|| self.dest.clone()),
            kind: FileKind::of(meta.file_type()),
        })
    }

    fn error(&self, step: &'static str, e: io::Error) -> TextfileError {
        TextfileError::from_io(self.path, &self.dir, step, e)
    }

    fn temp_path(&self, n: u64) -> PathBuf {
        let mut name = OsString::from(".");
        name.push(&self.file_name);
        name.push(format!(".{}.{n}{TEMP_SUFFIX}", std::process::id()));
        self.dir.join(name)
    }

    /// Whether `name` is one of this target's temporary file names, of any process.
    fn is_temp_name(&self, name: &OsStr) -> bool {
        let name = name.as_encoded_bytes();
        let Some(rest) = name
            .strip_prefix(b".")
            .and_then(|r| r.strip_prefix(self.file_name.as_encoded_bytes()))
            .and_then(|r| r.strip_prefix(b"."))
            .and_then(|r| r.strip_suffix(TEMP_SUFFIX.as_bytes()))
        else {
            return false;
        };
        let all_digits = |part: &[u8]| !part.is_empty() && part.iter().all(u8::is_ascii_digit);
        let mut parts = rest.split(|&b| b == b'.');
        matches!(
            (parts.next(), parts.next(), parts.next()),
            (Some(pid), Some(n), None) if all_digits(pid) && all_digits(n)
        )
    }

    /// Creates a new temporary file; `O_EXCL` guarantees it is ours alone.
    fn create_temp(&self, mode: Option<u32>) -> Result<(File, PathBuf), TextfileError> {
        let mut last_err = None;
        for _ in 0..TEMP_ATTEMPTS {
            let temp = self.temp_path(TEMP_COUNTER.fetch_add(1, Ordering::Relaxed));
            match OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(file) => {
                    if let Err(e) = set_mode(&file, mode) {
                        drop(file);
                        let _ = fs::remove_file(&temp);
                        return Err(self.error("setting the temporary file's mode", e));
                    }
                    return Ok((file, temp));
                }
                // A leftover of a dead process that had our pid: try the next number.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_err = Some(e),
                Err(e) => return Err(self.error("creating a temporary file", e)),
            }
        }
        Err(self.error(
            "creating a temporary file (every name tried exists)",
            last_err.unwrap_or_else(|| io::Error::from(io::ErrorKind::AlreadyExists)),
        ))
    }

    fn replace_with(&self, bytes: &[u8], mode: Option<u32>) -> Result<(), TextfileError> {
        let (file, temp) = self.create_temp(mode)?;
        if let Err(e) = self.fill_and_rename(file, &temp, bytes) {
            // The temporary file is ours and unseen: removing it leaves the directory as it
            // was. A failure here (the directory vanished, say) cannot be acted on.
            let _ = fs::remove_file(&temp);
            return Err(e);
        }
        sync_dir(&self.dir);
        Ok(())
    }

    fn fill_and_rename(
        &self,
        mut file: File,
        temp: &Path,
        bytes: &[u8],
    ) -> Result<(), TextfileError> {
        file.write_all(bytes)
            .and_then(|()| file.flush())
            .map_err(|e| self.error("writing the temporary file", e))?;
        // Without this, a crash soon after the rename can leave an empty target on file systems
        // that delay allocation; it also surfaces a full disk that delayed allocation would hide
        // until close.
        file.sync_all()
            .map_err(|e| self.error("syncing the temporary file", e))?;
        drop(file);
        fs::rename(temp, &self.dest)
            .map_err(|e| self.error("renaming the temporary file over the target", e))
    }
}

/// The directory (`.` for a bare name) and file name of `path`, or `None` when it names no file.
fn split(path: &Path) -> Option<(PathBuf, OsString)> {
    let file_name = path.file_name()?.to_os_string();
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Some((dir, file_name))
}

#[cfg(unix)]
fn set_mode(file: &File, mode: Option<u32>) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    match mode {
        // `fchmod` on the open file: exact, unlike a creation mode, which the umask would mask.
        Some(mode) => file.set_permissions(fs::Permissions::from_mode(mode)),
        None => Ok(()),
    }
}

#[cfg(not(unix))]
fn set_mode(_file: &File, _mode: Option<u32>) -> io::Result<()> {
    Ok(())
}

/// Makes the rename durable. Best effort: some file systems refuse to sync a directory, and the
/// new file is visible to readers either way.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_name_no_file_are_refused() {
        for bad in ["", "/", ".", "..", "dir/", "dir/.", "dir/.."] {
            let e = Target::new(Path::new(bad)).err();
            assert!(
                matches!(e, Some(TextfileError::InvalidPath { .. })),
                "{bad:?}: {e:?}"
            );
        }
    }

    #[test]
    fn a_bare_file_name_lives_in_the_current_directory() {
        let t = Target::new(Path::new("x.prom")).unwrap();
        assert_eq!(t.dir, Path::new("."));
        assert_eq!(t.file_name, "x.prom");
    }

    #[test]
    fn temporary_names_are_hidden_and_never_end_in_prom() {
        let t = Target::new(Path::new("/d/x.prom")).unwrap();
        let temp = t.temp_path(7);
        let name = temp.file_name().unwrap().to_str().unwrap();
        assert_eq!(name, format!(".x.prom.{}.7.tmp", std::process::id()));
        assert!(!name.ends_with(".prom"));
        assert!(t.is_temp_name(temp.file_name().unwrap()));
    }

    #[test]
    fn only_this_targets_temporary_names_match() {
        let t = Target::new(Path::new("x.prom")).unwrap();
        for yes in [".x.prom.1.0.tmp", ".x.prom.123456.99.tmp"] {
            assert!(t.is_temp_name(OsStr::new(yes)), "{yes}");
        }
        for no in [
            "x.prom",
            ".x.prom.tmp",
            ".x.prom.1.tmp",
            ".x.prom.1.2.3.tmp",
            ".x.prom.a.0.tmp",
            ".y.prom.1.0.tmp",
            ".x.prom.1.0.tmp.prom",
            ".xx.prom.1.0.tmp",
        ] {
            assert!(!t.is_temp_name(OsStr::new(no)), "{no}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn modes_beyond_the_permission_bits_are_refused() {
        let e = TextfileWriter::new("x.prom").mode(0o4755).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot write \"x.prom\": mode 0o4755 is not a file permission mode: only the bits \
             0o777 may be set"
        );
    }
}
