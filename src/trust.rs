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

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::env::Env;

const HEADER: &str = "# rvenv trust store: venvs allowed to activate by themselves.\n\
                      # Change it with `rvenv allow` and `rvenv deny`.\n";
const VERSION_LINE: &str = "v1";
/// A store this large is not ours: refuse it rather than read it at a prompt.
const MAX_STORE_SIZE: u64 = 4 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    path: PathBuf,
    ino: u64,
    /// Birth time in nanoseconds since the epoch, where the file system
    /// records one.
    born: Option<u128>,
}

/// What identifies the directory at a path: its inode and birth time.
fn identity(path: &Path) -> Option<(u64, Option<u128>)> {
    let meta = path.metadata().ok()?;
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
    Allowed,
    TrustedDir(PathBuf),
    /// Never allowed, or allowed and later denied.
    NotAllowed,
    /// Allowed once, but the directory at that path is not the one allowed.
    Replaced,
    StoreCorrupt(String),
}

impl Verdict {
    pub fn is_trusted(&self) -> bool {
        matches!(self, Verdict::Allowed | Verdict::TrustedDir(_))
    }

    pub fn describe(&self) -> String {
        match self {
            Verdict::Allowed => "allowed with rvenv allow (or made by rvenv create)".into(),
            Verdict::TrustedDir(dir) => format!("under {} (RVENV_TRUSTED_DIRS)", dir.display()),
            Verdict::NotAllowed => "not allowed yet".into(),
            Verdict::Replaced => "replaced since it was allowed".into(),
            Verdict::StoreCorrupt(why) => why.clone(),
        }
    }
}

/// Where the store lives: `$XDG_DATA_HOME/rvenv/trusted`.
pub fn store_path(env: &Env) -> Option<PathBuf> {
    let data = match env.get("XDG_DATA_HOME").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        _ => dirs::data_dir()?,
    };
    Some(data.join("rvenv").join("trusted"))
}

/// The trust store as read from disk, or why it cannot be used.
pub struct Trust {
    store_path: Option<PathBuf>,
    /// Read at the first verdict: a hook call that finds no venv reads
    /// nothing.
    store: std::cell::OnceCell<Result<Vec<Entry>, String>>,
    trusted_dirs: Vec<PathBuf>,
}

impl Trust {
    pub fn load(env: &Env) -> Trust {
        let trusted_dirs = env
            .get("RVENV_TRUSTED_DIRS")
            .map(|v| {
                v.as_bytes()
                    .split(|&b| b == b':')
                    .filter(|d| d.first() == Some(&b'/'))
                    .map(|d| PathBuf::from(OsStr::from_bytes(d)))
                    .collect()
            })
            .unwrap_or_default();
        Trust {
            store_path: store_path(env),
            store: std::cell::OnceCell::new(),
            trusted_dirs,
        }
    }

    fn store(&self) -> &Result<Vec<Entry>, String> {
        self.store.get_or_init(|| match &self.store_path {
            Some(path) => read_store(path),
            None => Err("rvenv: no home directory, so no trust store".into()),
        })
    }

    pub fn verdict(&self, venv: &Path) -> Verdict {
        let real = std::fs::canonicalize(venv).unwrap_or_else(|_| venv.to_path_buf());
        for dir in &self.trusted_dirs {
            let real_dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone());
            if venv.starts_with(dir) || real.starts_with(&real_dir) {
                return Verdict::TrustedDir(dir.clone());
            }
        }
        let entries = match self.store() {
            Ok(entries) => entries,
            Err(why) => return Verdict::StoreCorrupt(why.clone()),
        };
        let id = identity(venv);
        match entries.iter().find(|e| e.path == real) {
            Some(e)
                if id.is_some_and(|(ino, born)| {
                    e.ino == ino && (e.born.is_none() || e.born == born)
                }) =>
            {
                Verdict::Allowed
            }
            Some(_) => Verdict::Replaced,
            None => Verdict::NotAllowed,
        }
    }
}

fn read_store(path: &Path) -> Result<Vec<Entry>, String> {
    let corrupt = |why: &str| {
        format!(
            "rvenv: the trust store {} is corrupt ({why}); nothing is trusted until you \
             delete it and allow your venvs again",
            path.display()
        )
    };
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(corrupt(&e.to_string())),
    };
    let mut text = Vec::new();
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
        // `allow INO PATH` or `allow INO BORN PATH`.
        let fields: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
        let (ino, born, path) = match fields[..] {
            [b"allow", ino, path] => (ino, None, path),
            [b"allow", ino, born, path] => (ino, Some(born), path),
            _ => return Err(bad()),
        };
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
        entries.push(Entry { path, ino, born });
    }
    Ok(entries)
}

fn format_store(entries: &[Entry]) -> Vec<u8> {
    let mut out = format!("{HEADER}{VERSION_LINE}\n").into_bytes();
    for e in entries {
        out.extend_from_slice(format!("allow {} ", e.ino).as_bytes());
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
pub fn set_trusted(env: &Env, venv: &Path, allow: bool) -> anyhow::Result<()> {
    let path = store_path(env).context("no home directory to keep the trust store in")?;
    let dir = path.parent().context("trust store path has no parent")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let lock = File::create(dir.join("trusted.lock"))
        .with_context(|| format!("cannot create the lock in {}", dir.display()))?;
    lock.lock()
        .with_context(|| format!("cannot lock {}", dir.display()))?;

    let mut entries = read_store(&path).map_err(|why| anyhow::anyhow!(why))?;
    let real = std::fs::canonicalize(venv)
        .with_context(|| format!("cannot resolve {}", venv.display()))?;
    // Venvs that are gone are dropped, so the store does not grow forever.
    entries.retain(|e| e.path != real && e.path.exists());
    if allow {
        let (ino, born) =
            identity(&real).with_context(|| format!("cannot stat {}", real.display()))?;
        entries.push(Entry {
            path: real,
            ino,
            born,
        });
    }
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(&format_store(&entries))?;
    // No fsync: it costs milliseconds per `rvenv create`, and a crash can at
    // worst lose the newest allow (ext4 and others flush a file replaced by
    // rename before the rename itself); the old store is never left half.
    tmp.persist(&path)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

/// Why a venv must not be activated whatever the trust: its pyvenv.cfg or
/// bin/ could have been written by someone else.
pub fn unsafe_permissions(venv: &Path) -> Option<String> {
    let me = Me::current();
    for rel in ["pyvenv.cfg", "bin"] {
        let path = venv.join(rel);
        let Ok(meta) = path.metadata() else {
            continue;
        };
        let mode = meta.mode();
        if meta.uid() != me.uid && meta.uid() != 0 {
            return Some(format!(
                "its {rel} is owned by another user (uid {})",
                meta.uid()
            ));
        }
        if mode & 0o002 != 0 {
            return Some(format!("its {rel} is world-writable"));
        }
        if mode & 0o020 != 0 && !me.owns_private_group(meta.gid()) {
            return Some(format!(
                "its {rel} is writable by group {}, which is not your private group",
                meta.gid()
            ));
        }
    }
    None
}

struct Me {
    uid: u32,
    gid: u32,
}

impl Me {
    fn current() -> Me {
        // SAFETY: getuid and getgid cannot fail and touch no memory.
        unsafe {
            Me {
                uid: libc::getuid(),
                gid: libc::getgid(),
            }
        }
    }

    /// True for the user's primary group when it is theirs alone (Debian's
    /// user private groups, where umask 002 makes every file group-writable).
    fn owns_private_group(&self, gid: u32) -> bool {
        if gid != self.gid {
            return false;
        }
        let user = read_db_name("/etc/passwd", 2, self.uid);
        match read_db_line("/etc/group", 2, gid) {
            // Not in /etc/group (NSS): the primary group is all we know.
            None => true,
            Some(fields) => {
                let members = fields.get(3).map(|m| m.as_str()).unwrap_or("");
                let only_me = members
                    .split(',')
                    .all(|m| m.is_empty() || Some(m) == user.as_deref());
                Some(fields[0].as_str()) == user.as_deref() || only_me
            }
        }
    }
}

fn read_db_line(file: &str, id_field: usize, id: u32) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines()
        .map(|l| l.split(':').map(str::to_owned).collect::<Vec<_>>())
        .find(|f| f.get(id_field).and_then(|s| s.parse().ok()) == Some(id))
}

fn read_db_name(file: &str, id_field: usize, id: u32) -> Option<String> {
    read_db_line(file, id_field, id).map(|f| f[0].clone())
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
    fn percent_round_trip() {
        let raw = OsStr::from_bytes(b"/a b/%/\n\xff~");
        assert_eq!(percent_decode(&percent_encode(raw)).unwrap(), raw);
    }
}
