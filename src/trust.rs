//! Consent: a venv goes on PATH by itself only when the user trusts it.
//!
//! A venv is trusted when `rvenv create` made it, when `rvenv allow` named
//! it, or when it lies under a directory in RVENV_TRUSTED_DIRS. Whatever the
//! trust, a venv that another user could have written is never activated.
//!
//! The store is a small text file under the XDG data dir: one line per venv,
//! the venv's real path (percent-encoded, so any byte fits on a line), the
//! inode of its directory and its birth time, so that a venv deleted and
//! replaced at the same path (a fresh clone of a hostile repository where a
//! trusted project used to be) is not trusted by accident. The inode alone is
//! not enough: ext4 hands a freed inode to the next directory made, often at
//! once. Lines without the birth time (older stores, or file systems that do
//! not record it) are matched on the inode alone.

use std::cell::OnceCell;
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::env::Env;
use crate::quote::display;
use crate::safe_path::{Me, WalkError, is_plain, other_writer, walk};

const HEADER: &str = "# rvenv trust store: venvs allowed to activate by themselves.\n\
                      # Change it with `rvenv allow` and `rvenv deny`.\n";
const VERSION_LINE: &str = "v1";
/// A store this large is not ours: refuse it rather than read it at a prompt.
const MAX_STORE_SIZE: u64 = 4 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// Made by `rvenv create` (`made` lines) rather than allowed with
    /// `rvenv allow` (`allow` lines): both trust alike; status says which.
    made: bool,
    path: PathBuf,
    ino: u64,
    /// Birth time in nanoseconds since the epoch, where the file system
    /// records one.
    born: Option<u128>,
}

impl Entry {
    /// Whether the directory identified by `id` is the one allowed.
    fn is(&self, (ino, born): (u64, Option<u128>)) -> bool {
        self.ino == ino && (self.born.is_none() || self.born == born)
    }

    /// Whether the path now holds something else than the venv allowed
    /// (seen, not merely missing or unreadable).
    fn proven_replaced(&self) -> bool {
        identity(&self.path).is_some_and(|id| !self.is(id))
    }
}

/// What identifies the directory at a path: its inode and birth time.
fn identity(path: &Path) -> Option<(u64, Option<u128>)> {
    // Inside the hook's memo, the lstat `check_venv`'s walk made of the
    // same real path answers.
    let meta = crate::stat_memo::metadata(path).ok()?;
    let born = meta
        .created()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos());
    Some((meta.ino(), born))
}

/// Why a venv is or is not trusted, for messages and `rvenv status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Allowed with `rvenv allow`.
    Allowed,
    /// Made by `rvenv create`.
    Made,
    TrustedDir(PathBuf),
    /// Never allowed, or allowed and later denied.
    NotAllowed,
    /// Allowed once, but the directory at that path is not the one allowed.
    Replaced,
    StoreCorrupt(String),
}

impl Verdict {
    pub fn is_trusted(&self) -> bool {
        matches!(
            self,
            Verdict::Allowed | Verdict::Made | Verdict::TrustedDir(_)
        )
    }

    pub fn describe(&self) -> String {
        match self {
            Verdict::Allowed => "allowed with rvenv allow".into(),
            Verdict::Made => "made by rvenv create".into(),
            Verdict::TrustedDir(dir) => format!("under {} (RVENV_TRUSTED_DIRS)", dir.display()),
            Verdict::NotAllowed => "not allowed yet".into(),
            Verdict::Replaced => "replaced since it was allowed".into(),
            Verdict::StoreCorrupt(why) => why.clone(),
        }
    }
}

/// Where the store lives: `$XDG_DATA_HOME/rvenv/trusted`, by default
/// `$HOME/.local/share/rvenv/trusted`; the error says why there is none.
/// A relative XDG_DATA_HOME is ignored, as the XDG spec says (see
/// [`store_notice`]); a relative HOME is not used at all: a store found
/// from the current directory would trust whatever a directory holds.
pub fn store_path(env: &Env) -> Result<PathBuf, String> {
    if let Some(data) = env.get("XDG_DATA_HOME").map(Path::new)
        && data.is_absolute()
    {
        return Ok(data.join("rvenv").join("trusted"));
    }
    let home = match env.get("HOME") {
        Some(home) => PathBuf::from(home),
        None => dirs::home_dir().ok_or("rvenv: no home directory, so no trust store")?,
    };
    if !home.is_absolute() {
        return Err(format!(
            "rvenv: HOME ({}) is not an absolute path, so rvenv keeps no trust store and \
             trusts no venv by itself; set HOME to your home directory",
            display(home.as_os_str())
        ));
    }
    Ok(home.join(".local/share/rvenv/trusted"))
}

/// The line saying a relative XDG_DATA_HOME is ignored, for the commands
/// that use the store (the hook stays quiet at every prompt).
pub fn store_notice(env: &Env) -> Option<String> {
    let data = env.get("XDG_DATA_HOME")?;
    (!Path::new(data).is_absolute()).then(|| {
        format!(
            "rvenv: ignoring XDG_DATA_HOME ({}): it is not an absolute path, which the XDG \
             spec says to ignore; the trust store is under $HOME/.local/share",
            display(data)
        )
    })
}

/// The trust store as read from disk, or why it cannot be used.
pub struct Trust {
    store_path: Result<PathBuf, String>,
    /// Read at the first verdict: a hook call that finds no venv reads
    /// nothing.
    store: OnceCell<Result<Vec<Entry>, String>>,
    /// RVENV_TRUSTED_DIRS' absolute entries as given.
    trusted_dirs: Vec<PathBuf>,
    /// Each of them that exists, with its canonical path, made at the
    /// first verdict.
    real_dirs: OnceCell<Vec<(PathBuf, PathBuf)>>,
    /// RVENV_TRUSTED_DIRS' relative entries: ignored, since they would
    /// mean a different directory wherever the shell is.
    pub ignored_dirs: Vec<OsString>,
}

impl Trust {
    pub fn load(env: &Env) -> Trust {
        let mut trusted_dirs = Vec::new();
        let mut ignored_dirs = Vec::new();
        for dir in env
            .get("RVENV_TRUSTED_DIRS")
            .map(|v| v.as_bytes().split(|&b| b == b':').collect::<Vec<_>>())
            .unwrap_or_default()
        {
            match dir.first() {
                None => {}
                Some(b'/') => trusted_dirs.push(PathBuf::from(OsStr::from_bytes(dir))),
                Some(_) => ignored_dirs.push(OsStr::from_bytes(dir).to_owned()),
            }
        }
        Trust {
            store_path: store_path(env),
            store: OnceCell::new(),
            trusted_dirs,
            real_dirs: OnceCell::new(),
            ignored_dirs,
        }
    }

    fn store(&self) -> &Result<Vec<Entry>, String> {
        self.store.get_or_init(|| match &self.store_path {
            Ok(path) => read_store(path),
            Err(why) => Err(why.clone()),
        })
    }

    /// The verdict on the venv at `venv`, judged on its real path.
    pub fn verdict(&self, venv: &Path) -> Verdict {
        match std::fs::canonicalize(venv) {
            Ok(real) => self.verdict_real(&real),
            // Nothing there to trust: no path is compared unresolved.
            Err(_) => Verdict::NotAllowed,
        }
    }

    /// Whether the directory `dir` lies under an entry of
    /// RVENV_TRUSTED_DIRS, both judged by their real paths (for
    /// `RVENV_AUTO_CREATE`, which makes venvs only there).
    pub fn under_trusted_dir(&self, dir: &Path) -> bool {
        let Ok(real) = std::fs::canonicalize(dir) else {
            return false;
        };
        self.real_trusted_dirs()
            .iter()
            .any(|(_, r)| real.starts_with(r))
    }

    /// Each RVENV_TRUSTED_DIRS entry with its real path, when every step
    /// on the way to it is the user's or root's and writable by no one else
    /// (as for a venv): an entry another user could point elsewhere (their
    /// symlink `/tmp/work -> /`) trusts nothing.
    fn real_trusted_dirs(&self) -> &[(PathBuf, PathBuf)] {
        self.real_dirs.get_or_init(|| {
            let me = Me::current();
            self.trusted_dirs
                .iter()
                .filter_map(|d| Some((d.clone(), walk(d, &me).ok()?.real)))
                .collect()
        })
    }

    /// The RVENV_TRUSTED_DIRS entries that trust nothing because someone
    /// else could change where they lead, with why (for `rvenv status`).
    pub fn unsafe_trusted_dirs(&self) -> Vec<(PathBuf, String)> {
        let me = Me::current();
        self.trusted_dirs
            .iter()
            .filter_map(|d| match walk(d, &me) {
                Err(WalkError::Unsafe(why)) => Some((d.clone(), why)),
                _ => None,
            })
            .collect()
    }

    /// The verdict on the venv whose canonical path is `real` (see
    /// [`Checked::real`]): only canonical paths are compared, so `..`,
    /// symlinks and `/proc/self/cwd` cannot make a venv look as if it were
    /// under a trusted directory.
    pub fn verdict_real(&self, real: &Path) -> Verdict {
        let real_dirs = self.real_trusted_dirs();
        if let Some((dir, _)) = real_dirs.iter().find(|(_, r)| real.starts_with(r)) {
            return Verdict::TrustedDir(dir.clone());
        }
        let entries = match self.store() {
            Ok(entries) => entries,
            Err(why) => return Verdict::StoreCorrupt(why.clone()),
        };
        let id = identity(real);
        match entries.iter().find(|e| e.path == real) {
            Some(e) if id.is_some_and(|id| e.is(id)) => {
                if e.made {
                    Verdict::Made
                } else {
                    Verdict::Allowed
                }
            }
            Some(_) => Verdict::Replaced,
            None => Verdict::NotAllowed,
        }
    }
}

/// How a file of the store is opened: never through a symlink, never
/// blocking on a FIFO, and only if it is a regular file. `Ok(None)` when
/// it does not exist (and `create` is false). With the file, its size.
fn open_regular(path: &Path, create: bool) -> Result<Option<(File, u64)>, String> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    if create {
        // No truncation: the lock file's content is never touched.
        options.write(true).create(true).mode(0o600);
    }
    options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !create => return Ok(None),
        Err(e) => {
            return Err(match e.raw_os_error() {
                Some(libc::ELOOP) => "it is a symlink".into(),
                Some(libc::EISDIR) => "it is a directory".into(),
                _ => e.to_string(),
            });
        }
    };
    let meta = file.metadata().map_err(|e| e.to_string())?;
    let ft = meta.file_type();
    if ft.is_file() {
        Ok(Some((file, meta.len())))
    } else if ft.is_dir() {
        Err("it is a directory".into())
    } else if ft.is_fifo() {
        Err("it is a FIFO".into())
    } else {
        Err("it is not a regular file".into())
    }
}

/// Whether the store's directory is fit to hold it: a directory (not a
/// symlink to one), the user's, writable by no one else. `Ok(false)` when
/// it does not exist yet.
fn check_store_dir(dir: &Path) -> Result<bool, String> {
    let refuse = |why: String| {
        format!(
            "rvenv: the trust store's directory {} {why}; nothing is trusted until you \
             remove it (and allow your venvs again)",
            display(dir.as_os_str())
        )
    };
    let meta = match dir.symlink_metadata() {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(refuse(format!("cannot be inspected ({e})"))),
    };
    let me = Me::current();
    if meta.file_type().is_symlink() {
        return Err(refuse("is a symlink".into()));
    }
    if !meta.is_dir() {
        return Err(refuse("is not a directory".into()));
    }
    if meta.uid() != me.uid {
        return Err(refuse(format!(
            "is owned by another user (uid {})",
            meta.uid()
        )));
    }
    if let Some(writer) = other_writer(dir, &meta, &me) {
        return Err(refuse(format!("is {writer}")));
    }
    Ok(true)
}

fn read_store(path: &Path) -> Result<Vec<Entry>, String> {
    let corrupt = |why: &str| {
        format!(
            "rvenv: the trust store {} is corrupt ({why}); nothing is trusted until you \
             delete it and allow your venvs again",
            display(path.as_os_str())
        )
    };
    if !check_store_dir(path.parent().unwrap_or(Path::new("/")))? {
        return Ok(Vec::new());
    }
    let (file, size) = match open_regular(path, false) {
        Ok(Some(open)) => open,
        Ok(None) => return Ok(Vec::new()),
        Err(why) => {
            return Err(format!(
                "rvenv: refusing the trust store {}: {why}; nothing is trusted until you \
                 remove it (and allow your venvs again)",
                display(path.as_os_str())
            ));
        }
    };
    // Room for the whole store and one byte more: one read gets it all,
    // the next says it ended (a Vec grown from nothing reads 32, 32, 64...).
    let mut text = Vec::with_capacity(size.min(MAX_STORE_SIZE) as usize + 1);
    file.take(MAX_STORE_SIZE + 1)
        .read_to_end(&mut text)
        .map_err(|e| corrupt(&e.to_string()))?;
    if text.len() as u64 > MAX_STORE_SIZE {
        return Err(corrupt("too large"));
    }
    parse_store(&text).map_err(|why| corrupt(&why))
}

fn parse_store(text: &[u8]) -> Result<Vec<Entry>, String> {
    let mut lines = text
        .split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, l)| !l.is_empty() && l[0] != b'#');
    match lines.next() {
        None => return Ok(Vec::new()),
        Some((_, l)) if l == VERSION_LINE.as_bytes() => {}
        Some((n, _)) => return Err(format!("line {}: unknown format", n + 1)),
    }
    let mut entries = Vec::new();
    for (n, line) in lines {
        let bad = || format!("line {}", n + 1);
        // `allow INO PATH` or `allow INO BORN PATH`; `made` for the venvs
        // `rvenv create` made.
        let fields: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
        let (kind, ino, born, path) = match fields[..] {
            [kind @ (b"allow" | b"made"), ino, path] => (kind, ino, None, path),
            [kind @ (b"allow" | b"made"), ino, born, path] => (kind, ino, Some(born), path),
            _ => return Err(bad()),
        };
        let made = kind == b"made";
        let ino = std::str::from_utf8(ino)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(bad)?;
        let born = match born {
            None => None,
            Some(b) => Some(
                std::str::from_utf8(b)
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(bad)?,
            ),
        };
        let path = PathBuf::from(percent_decode(path).ok_or_else(bad)?);
        if !path.is_absolute() {
            return Err(bad());
        }
        entries.push(Entry {
            made,
            path,
            ino,
            born,
        });
    }
    Ok(entries)
}

fn format_store(entries: &[Entry]) -> Vec<u8> {
    let mut out = format!("{HEADER}{VERSION_LINE}\n").into_bytes();
    for e in entries {
        let kind = if e.made { "made" } else { "allow" };
        out.extend_from_slice(format!("{kind} {} ", e.ino).as_bytes());
        if let Some(born) = e.born {
            out.extend_from_slice(format!("{born} ").as_bytes());
        }
        out.extend_from_slice(&percent_encode(e.path.as_os_str()));
        out.push(b'\n');
    }
    out
}

fn percent_encode(value: &OsStr) -> Vec<u8> {
    let mut out = Vec::new();
    for &b in value.as_bytes() {
        if b.is_ascii_graphic() && b != b'%' {
            out.push(b);
        } else {
            out.extend_from_slice(format!("%{b:02X}").as_bytes());
        }
    }
    out
}

fn percent_decode(value: &[u8]) -> Option<OsString> {
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        if value[i] == b'%' {
            let hex = std::str::from_utf8(value.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(value[i]);
            i += 1;
        }
    }
    Some(OsString::from_vec(out))
}

/// Adds (`allow == true`) or removes the venv, under a lock, writing the new
/// store to a temporary file renamed over the old one: concurrent writers
/// queue on the lock and a crash leaves the old store or the new, never half.
///
/// The store keeps what it was told: an entry goes only when denied, or
/// when its path is proven to hold another directory now, never because
/// the path cannot be seen at the moment (an unmounted disk, a directory
/// without `x`).
pub fn set_trusted(env: &Env, venv: &Path, allow: bool) -> anyhow::Result<()> {
    change(env, venv, if allow { Some(false) } else { None })
}

/// Trusts the venv `rvenv create` just made (recorded as made, not allowed).
pub fn set_made(env: &Env, venv: &Path) -> anyhow::Result<()> {
    change(env, venv, Some(true))
}

/// `set_trusted` and `set_made`: `Some(made)` adds, `None` removes.
fn change(env: &Env, venv: &Path, add: Option<bool>) -> anyhow::Result<()> {
    let path = store_path(env).map_err(|why| anyhow::anyhow!(why))?;
    let dir = path.parent().context("trust store path has no parent")?;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create {}", display(dir.as_os_str())))?;
    check_store_dir(dir).map_err(|why| anyhow::anyhow!(why))?;
    let lock_path = dir.join("trusted.lock");
    let lock = open_regular(&lock_path, true)
        .map_err(|why| {
            anyhow::anyhow!(
                "refusing the trust store's lock {}: {why}; remove it and try again",
                display(lock_path.as_os_str())
            )
        })?
        .context("the lock file vanished")?
        .0;
    lock.lock()
        .with_context(|| format!("cannot lock {}", display(dir.as_os_str())))?;

    let mut entries = read_store(&path).map_err(|why| anyhow::anyhow!(why))?;
    let real = std::fs::canonicalize(venv)
        .with_context(|| format!("cannot resolve {}", display(venv.as_os_str())))?;
    entries.retain(|e| e.path != real && !e.proven_replaced());
    if let Some(made) = add {
        let (ino, born) = identity(&real)
            .with_context(|| format!("cannot stat {}", display(real.as_os_str())))?;
        entries.push(Entry {
            made,
            path: real,
            ino,
            born,
        });
    }
    // Made with O_EXCL, so a symlink planted under its name is not followed.
    let mut tmp = tempfile::Builder::new()
        .prefix(".trusted.")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", display(dir.as_os_str())))?;
    tmp.write_all(&format_store(&entries))?;
    // No fsync: it costs milliseconds per `rvenv create`, and a crash can at
    // worst lose the newest allow (ext4 and others flush a file replaced by
    // rename before the rename itself); the old store is never left half.
    tmp.persist(&path)
        .with_context(|| format!("cannot replace {}", display(path.as_os_str())))?;
    Ok(())
}

/// A venv judged safe to put on PATH by itself, as far as who can write
/// it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Its canonical path: what trust is judged on.
    pub real: PathBuf,
    /// What goes on PATH and in VIRTUAL_ENV: the path the user reached it
    /// by, which the walk proved to lead where `real` is whichever process
    /// resolves it; `real` when that path holds `.` or `..` or goes through
    /// /proc (`/proc/self/cwd` leads to every process's own directory).
    pub path: PathBuf,
}

/// Whether the venv at `venv` may go on PATH whatever the trust: every
/// directory and symlink on the way to it, on the path the user reached it
/// by and on its real path alike, is the user's or root's and writable by
/// no one else (see `safe_path`), and so are the venv's directory, its
/// `bin/` and its `pyvenv.cfg`. The error says why not, phrased to follow
/// "not activating VENV: ".
pub fn check_venv(venv: &Path) -> Result<Checked, String> {
    let me = Me::current();
    let walked = walk(venv, &me).map_err(|e| e.message())?;
    if !walked.meta.is_dir() {
        return Err(format!(
            "{} is not a directory",
            display(walked.real.as_os_str())
        ));
    }
    if let Some(writer) = other_writer(&walked.real, &walked.meta, &me) {
        return Err(format!("its directory is {writer}"));
    }
    for rel in ["pyvenv.cfg", "bin"] {
        let path = walked.real.join(rel);
        let (real, meta) = match path.symlink_metadata() {
            Ok(m) if m.file_type().is_symlink() => {
                let w = walk(&path, &me).map_err(|e| e.message())?;
                (w.real, w.meta)
            }
            Ok(m) => (path, m),
            Err(_) => continue,
        };
        if meta.uid() != me.uid && meta.uid() != 0 {
            return Err(format!(
                "its {rel} is owned by another user (uid {})",
                meta.uid()
            ));
        }
        if let Some(writer) = other_writer(&real, &meta, &me) {
            return Err(format!("its {rel} is {writer}"));
        }
    }
    check_bin_files(&walked.real.join("bin"), &me)?;
    let path = if is_plain(venv) && !walked.per_process {
        venv.to_path_buf()
    } else {
        walked.real.clone()
    };
    Ok(Checked {
        real: walked.real,
        path,
    })
}

/// A venv's bin/ holds no more than this: beyond it, the check of every
/// file would cost a prompt too much, and no real venv comes near it.
const MAX_BIN_ENTRIES: usize = 20_000;

/// Every file in `bin` (what goes on PATH) is the user's or root's and
/// writable by no one else: a file another user owns there (planted while
/// bin/ was open) can be rewritten by them at any time. Symlinks are the
/// directory's business, checked with it.
fn check_bin_files(bin: &Path, me: &Me) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(bin) else {
        return Ok(());
    };
    for (n, entry) in entries.flatten().enumerate() {
        if n >= MAX_BIN_ENTRIES {
            return Err(format!("its bin holds more than {MAX_BIN_ENTRIES} entries"));
        }
        // The directory listing's own type says "symlink" without a system
        // call (a venv's python links are a quarter of its bin/).
        if entry.file_type().is_ok_and(|t| t.is_symlink()) {
            continue;
        }
        // DirEntry::metadata is an lstat: a symlink is not followed.
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        if meta.file_type().is_symlink() {
            continue;
        }
        let name = entry.file_name();
        let rel = Path::new("bin").join(&name);
        if meta.uid() != me.uid && meta.uid() != 0 {
            return Err(format!(
                "its {} is owned by another user (uid {})",
                display(rel.as_os_str()),
                meta.uid()
            ));
        }
        if let Some(writer) = other_writer(&entry.path(), &meta, me) {
            return Err(format!("its {} is {writer}", display(rel.as_os_str())));
        }
    }
    Ok(())
}

/// Whether `rvenv create` may build at `path` (absolute): the part of it
/// that exists, the symlink it may be and the directories above it alike,
/// is the user's or root's and writable by no one else, so no one else
/// decides where the venv lands or can swap it afterwards. What is missing
/// create makes itself. `require_all`: the whole path must exist now.
/// Messages name `venv`, the venv being made (`path` itself or below it).
pub fn check_build_path(venv: &Path, path: &Path, require_all: bool) -> anyhow::Result<()> {
    let refuse = |why: String| {
        anyhow::anyhow!(
            "refusing to create {}: {why}; create it in a directory only you (or root) can change",
            display(venv.as_os_str())
        )
    };
    match walk(path, &Me::current()) {
        Ok(_) => Ok(()),
        Err(WalkError::Unsafe(why)) => Err(refuse(why)),
        Err(e @ WalkError::Missing(_)) if require_all => Err(refuse(e.message())),
        // Create says what is wrong with the rest in its own words.
        Err(_) => Ok(()),
    }
}

/// Why a venv must not be activated whatever the trust (see
/// [`check_venv`]).
pub fn unsafe_permissions(venv: &Path) -> Option<String> {
    check_venv(venv).err()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn env_with_data(dir: &Path) -> Env {
        Env::from_pairs([("XDG_DATA_HOME", dir.to_str().unwrap())])
    }

    #[test]
    fn allow_deny_round_trip_with_hostile_names() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let env = env_with_data(&data);
        let venv = tmp
            .path()
            .join(OsStr::from_bytes(b"p \n%$(x)\xff"))
            .join(".venv");
        std::fs::create_dir_all(&venv).unwrap();
        assert_eq!(Trust::load(&env).verdict(&venv), Verdict::NotAllowed);
        set_trusted(&env, &venv, true).unwrap();
        assert_eq!(Trust::load(&env).verdict(&venv), Verdict::Allowed);
        set_trusted(&env, &venv, false).unwrap();
        assert_eq!(Trust::load(&env).verdict(&venv), Verdict::NotAllowed);
    }

    #[test]
    fn replaced_venv_is_not_trusted() {
        let tmp = tempfile::tempdir().unwrap();
        let env = env_with_data(&tmp.path().join("data"));
        let venv = tmp.path().join("p/.venv");
        std::fs::create_dir_all(&venv).unwrap();
        set_trusted(&env, &venv, true).unwrap();
        // The old directory still exists elsewhere, so the new one's inode differs.
        std::fs::rename(&venv, tmp.path().join("old")).unwrap();
        std::fs::create_dir_all(&venv).unwrap();
        assert!(!Trust::load(&env).verdict(&venv).is_trusted());
    }

    #[test]
    fn removed_and_made_again_is_not_trusted() {
        // No trace of the old directory is kept: the file system may give
        // the new one the same inode (ext4 often does).
        let tmp = tempfile::tempdir().unwrap();
        let env = env_with_data(&tmp.path().join("data"));
        let venv = tmp.path().join("p/.venv");
        for _ in 0..8 {
            std::fs::create_dir_all(&venv).unwrap();
            set_trusted(&env, &venv, true).unwrap();
            std::fs::remove_dir(&venv).unwrap();
            std::fs::create_dir(&venv).unwrap();
            if identity(&venv).unwrap().1.is_none() {
                return; // no birth times here: nothing better than the inode
            }
            assert_eq!(Trust::load(&env).verdict(&venv), Verdict::Replaced);
            std::fs::remove_dir(&venv).unwrap();
        }
    }

    #[test]
    fn reads_lines_without_birth_time() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let env = env_with_data(&data);
        let venv = tmp.path().join(".venv");
        std::fs::create_dir_all(&venv).unwrap();
        std::fs::create_dir_all(data.join("rvenv")).unwrap();
        let (ino, born) = identity(&venv).unwrap();
        let path = std::fs::canonicalize(&venv).unwrap();
        let path = String::from_utf8(percent_encode(path.as_os_str())).unwrap();
        let store = data.join("rvenv/trusted");
        std::fs::write(&store, format!("v1\nallow {ino} {path}\n")).unwrap();
        assert_eq!(Trust::load(&env).verdict(&venv), Verdict::Allowed);
        if let Some(born) = born {
            std::fs::write(&store, format!("v1\nallow {ino} {born} {path}\n")).unwrap();
            assert_eq!(Trust::load(&env).verdict(&venv), Verdict::Allowed);
            let other = born + 1;
            std::fs::write(&store, format!("v1\nallow {ino} {other} {path}\n")).unwrap();
            assert_eq!(Trust::load(&env).verdict(&venv), Verdict::Replaced);
        }
        std::fs::write(&store, format!("v1\nallow {ino} x {path}\n")).unwrap();
        assert!(matches!(
            Trust::load(&env).verdict(&venv),
            Verdict::StoreCorrupt(_)
        ));
    }

    /// The store's format on disk, pinned: tests/data/trust-store-v1 was
    /// written by rvenv and must stay readable as it is (a user's store
    /// outlives the binary that wrote it); rvenv writes it the same way.
    #[test]
    fn the_committed_v1_store_stays_readable() {
        let sample = include_bytes!("../tests/data/trust-store-v1");
        let entries = parse_store(sample).expect("the v1 sample parses");
        let want = [
            Entry {
                path: "/home/me/code/shop/.venv".into(),
                ino: 1835021,
                born: Some(1764077273123456789),
                made: false,
            },
            Entry {
                path: "/srv/old fs/no birth time/.venv".into(),
                ino: 42,
                born: None,
                made: false,
            },
            Entry {
                path: PathBuf::from(OsStr::from_bytes(
                    b"/tmp/h%ostile/\n\x1b]0;x\x07/\xff\xc3\xa9'$(id)`/.venv",
                )),
                ino: 77,
                born: Some(1700000000000000000),
                made: false,
            },
            Entry {
                path: "/home/me/code/blog/.venv".into(),
                ino: 99,
                born: Some(1764077274000000001),
                made: true,
            },
        ];
        assert_eq!(entries, want);
        assert_eq!(
            String::from_utf8_lossy(&format_store(&want)),
            String::from_utf8_lossy(sample)
        );
    }

    #[test]
    fn corrupt_store_fails_closed() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let env = env_with_data(&data);
        let venv = tmp.path().join(".venv");
        std::fs::create_dir_all(&venv).unwrap();
        set_trusted(&env, &venv, true).unwrap();
        std::fs::write(data.join("rvenv/trusted"), "v1\nallow zzz /x\n").unwrap();
        let verdict = Trust::load(&env).verdict(&venv);
        assert!(matches!(verdict, Verdict::StoreCorrupt(_)), "{verdict:?}");
        assert!(set_trusted(&env, &venv, true).is_err());
    }

    #[test]
    fn trusted_dirs() {
        let tmp = tempfile::tempdir().unwrap();
        let venv = tmp.path().join("code/p/.venv");
        std::fs::create_dir_all(&venv).unwrap();
        let dirs = format!("relative:{}", tmp.path().join("code").display());
        let env = Env::from_pairs([
            ("XDG_DATA_HOME", "/nonexistent"),
            ("RVENV_TRUSTED_DIRS", dirs.as_str()),
        ]);
        assert!(Trust::load(&env).verdict(&venv).is_trusted());
        let env = Env::from_pairs([("RVENV_TRUSTED_DIRS", "relative")]);
        assert!(!Trust::load(&env).verdict(&venv).is_trusted());
    }

    #[test]
    fn permissions() {
        let tmp = tempfile::tempdir().unwrap();
        let venv = tmp.path().join(".venv");
        std::fs::create_dir_all(venv.join("bin")).unwrap();
        std::fs::write(venv.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        let set = |rel: &str, mode: u32| {
            std::fs::set_permissions(venv.join(rel), std::fs::Permissions::from_mode(mode)).unwrap()
        };
        set("bin", 0o755);
        set("pyvenv.cfg", 0o644);
        assert_eq!(unsafe_permissions(&venv), None);
        set("bin", 0o777);
        assert!(
            unsafe_permissions(&venv)
                .unwrap()
                .contains("world-writable")
        );
        set("bin", 0o775);
        set("pyvenv.cfg", 0o666);
        assert!(unsafe_permissions(&venv).unwrap().contains("pyvenv.cfg"));
    }

    #[test]
    fn store_location() {
        let at = |pairs: &[(&str, &str)]| store_path(&Env::from_pairs(pairs.iter().copied()));
        assert_eq!(
            at(&[("XDG_DATA_HOME", "/d"), ("HOME", "/h")]).unwrap(),
            Path::new("/d/rvenv/trusted")
        );
        assert_eq!(
            at(&[("XDG_DATA_HOME", "d"), ("HOME", "/h")]).unwrap(),
            Path::new("/h/.local/share/rvenv/trusted")
        );
        assert!(at(&[("HOME", "h")]).unwrap_err().contains("HOME (h)"));
        assert!(at(&[("XDG_DATA_HOME", "/d"), ("HOME", "h")]).is_ok());
        let notice = |x: &str| store_notice(&Env::from_pairs([("XDG_DATA_HOME", x)]));
        assert!(notice("d").is_some() && notice("/d").is_none());
    }

    #[test]
    fn entries_outlive_a_missing_path() {
        let tmp = tempfile::tempdir().unwrap();
        let env = env_with_data(&tmp.path().join("data"));
        let (a, b) = (tmp.path().join("disk/a"), tmp.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        set_trusted(&env, &a, true).unwrap();
        std::fs::rename(tmp.path().join("disk"), tmp.path().join("away")).unwrap();
        set_trusted(&env, &b, true).unwrap();
        std::fs::rename(tmp.path().join("away"), tmp.path().join("disk")).unwrap();
        assert_eq!(Trust::load(&env).verdict(&a), Verdict::Allowed);
        // Another directory at the path now: dropped at the next write.
        std::fs::rename(&a, tmp.path().join("old")).unwrap();
        std::fs::create_dir(&a).unwrap();
        set_trusted(&env, &b, true).unwrap();
        let text = std::fs::read(tmp.path().join("data/rvenv/trusted")).unwrap();
        assert_eq!(parse_store(&text).unwrap().len(), 1);
    }

    #[test]
    fn made_and_allowed_are_told_apart() {
        let tmp = tempfile::tempdir().unwrap();
        let env = env_with_data(&tmp.path().join("data"));
        let venv = tmp.path().join("p/.venv");
        std::fs::create_dir_all(&venv).unwrap();
        set_made(&env, &venv).unwrap();
        assert_eq!(Trust::load(&env).verdict(&venv), Verdict::Made);
        let store = std::fs::read_to_string(tmp.path().join("data/rvenv/trusted")).unwrap();
        assert!(store.lines().any(|l| l.starts_with("made ")), "{store}");
        // Allowing it afterwards records the user's word instead.
        set_trusted(&env, &venv, true).unwrap();
        assert_eq!(Trust::load(&env).verdict(&venv), Verdict::Allowed);
        set_trusted(&env, &venv, false).unwrap();
        assert_eq!(Trust::load(&env).verdict(&venv), Verdict::NotAllowed);
    }

    #[test]
    fn percent_round_trip() {
        let raw = OsStr::from_bytes(b"/a b/%/\n\xff~");
        assert_eq!(percent_decode(&percent_encode(raw)).unwrap(), raw);
    }
}
