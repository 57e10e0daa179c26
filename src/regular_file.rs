//! The one way rvenv reads a file that someone else may have shaped: a
//! project's `.venv`, `pyvenv.cfg`, `.python-version`, `pyproject.toml`,
//! `Pipfile`, poetry's files. It never waits and never reads much: a FIFO,
//! socket or device where a file is expected is refused without being
//! opened for reading (opening a FIFO blocks until a writer comes, so a
//! `mkfifo .venv` would freeze every prompt under it), and whatever is
//! opened is checked on the open descriptor (fstat), so swapping the path
//! between the check and the open gains nothing.

use std::fs::{File, Metadata};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// Why a file could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    Unreadable(String),
    TooLarge(u64),
    /// A FIFO, socket or device: what kind.
    NotRegular(&'static str),
    Invalid(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Unreadable(e) => write!(f, "cannot be read ({e})"),
            ReadError::TooLarge(max) => write!(f, "is larger than {max} bytes, so it was not read"),
            ReadError::NotRegular(kind) => write!(f, "is a {kind}, not a file, so it was not read"),
            ReadError::Invalid(e) => write!(f, "is not valid: {e}"),
        }
    }
}

/// A file's bytes and what fstat said about it (its owner, for one).
#[derive(Debug)]
pub struct Contents {
    pub bytes: Vec<u8>,
    pub meta: Metadata,
}

fn kind(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_fifo() {
        "FIFO"
    } else if t.is_socket() {
        "socket"
    } else if t.is_char_device() || t.is_block_device() {
        "device"
    } else {
        "special file"
    }
}

/// Opens `path` (symlinks followed) for reading only if it is a regular
/// file, without ever blocking: `Ok(None)` when there is nothing there or a
/// directory (another source's business), an error for a FIFO, socket or
/// device. The returned metadata is the open file's own.
pub fn open(path: &Path) -> Result<Option<(File, Metadata)>, ReadError> {
    let absent = |e: &std::io::Error| {
        e.kind() == std::io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ENOTDIR)
    };
    // Looked at first so that a device is never opened at all (opening some
    // has effects); the check that counts is the fstat below.
    match crate::stat_memo::metadata(path) {
        Ok(meta) if meta.is_dir() => return Ok(None),
        Ok(meta) if !meta.is_file() => return Err(ReadError::NotRegular(kind(&meta))),
        Ok(_) => {}
        Err(e) if absent(&e) => return Ok(None),
        Err(e) => return Err(ReadError::Unreadable(e.to_string())),
    }
    // O_NONBLOCK: should the path have become a FIFO since, the open returns
    // at once instead of waiting for a writer. O_NOCTTY: a terminal put there
    // never becomes ours.
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if absent(&e) => return Ok(None),
        Err(e) => return Err(ReadError::Unreadable(e.to_string())),
    };
    let meta = file
        .metadata()
        .map_err(|e| ReadError::Unreadable(e.to_string()))?;
    if meta.is_dir() {
        return Ok(None);
    }
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind(&meta)));
    }
    Ok(Some((file, meta)))
}

/// The bytes of the regular file at `path`, at most `max` of them (a larger
/// file is not read at all), with its metadata; `Ok(None)` when there is no
/// such file or it is a directory. See [`open`].
pub fn read(path: &Path, max: u64) -> Result<Option<Contents>, ReadError> {
    let Some((file, meta)) = open(path)? else {
        return Ok(None);
    };
    if meta.len() > max {
        return Err(ReadError::TooLarge(max));
    }
    // Room for the whole file and one byte more: one read gets it all, the
    // next says it ended (a Vec grown from nothing reads 32, 32, 64... bytes).
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Unreadable(e.to_string()))?;
    // A file that grew while it was read.
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge(max));
    }
    Ok(Some(Contents { bytes, meta }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn mkfifo(path: &Path) {
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a plain system call on a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    }

    #[test]
    fn fifos_sockets_and_devices_are_refused_at_once() {
        let tmp = tempfile::tempdir().unwrap();
        let fifo = tmp.path().join("fifo");
        mkfifo(&fifo);
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        let sock = tmp.path().join("sock");
        let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        let start = Instant::now();
        assert_eq!(read(&fifo, 10).unwrap_err(), ReadError::NotRegular("FIFO"));
        assert_eq!(read(&link, 10).unwrap_err(), ReadError::NotRegular("FIFO"));
        assert_eq!(
            read(&sock, 10).unwrap_err(),
            ReadError::NotRegular("socket")
        );
        assert_eq!(
            read(Path::new("/dev/zero"), 10).unwrap_err(),
            ReadError::NotRegular("device")
        );
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn regular_files_directories_and_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("f");
        std::fs::write(&file, b"abc").unwrap();
        let got = read(&file, 3).unwrap().unwrap();
        assert_eq!(got.bytes, b"abc");
        assert!(got.meta.is_file());
        assert_eq!(read(&file, 2).unwrap_err(), ReadError::TooLarge(2));
        assert!(read(tmp.path(), 10).unwrap().is_none());
        assert!(read(&tmp.path().join("none"), 10).unwrap().is_none());
        assert!(read(&file.join("under-a-file"), 10).unwrap().is_none());
    }
}
