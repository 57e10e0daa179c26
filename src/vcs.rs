//! Venvs whose files come from version control. A venv is the user's own
//! when they made it; one that git tracks files in (committed to the
//! repository, or brought by a later `git pull`) holds whatever the
//! repository's authors put there, so it is never trusted, however it was
//! allowed before.
//!
//! The check reads git's index directly, never starting git: the hook
//! runs it when a `cd` crosses into a project. The index is rewritten (a
//! new file renamed over the old) whenever git changes what it tracks, so a
//! clean verdict is remembered against the index's identity (device, inode,
//! size, mtime, ctime) in a small cache next to the trust store; a crossing
//! reads the index again only after git changed it.
//!
//! Only the paths of the index's entries are read (format: git's
//! Documentation/gitformat-index.txt, versions 2, 3 and 4, SHA-1 or
//! SHA-256, with a split index's shared part), by hand rather than with
//! gix-index: the paths are a few fields of a simple format, and gix-index
//! would bring about 50 crates (and a minute of build) to decode the whole
//! index into memory, where a single pass over the bytes answers.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use base64::Engine;

use crate::env::Env;
use crate::quote::{command_arg, display};
use crate::shell::Shell;
use crate::stat_memo;

/// An index this large is not read at a prompt: the venv is then refused,
/// with the reason, rather than trusted unread.
const MAX_INDEX_SIZE: u64 = 64 * 1024 * 1024;
/// A `.git` file holds one `gitdir: PATH` line.
const MAX_GITFILE_SIZE: u64 = 4096;
/// Clean verdicts remembered (the most recent ones).
const MAX_CACHE_LINES: usize = 256;
const MAX_CACHE_SIZE: u64 = 256 * 1024;
const CACHE_VERSION: &str = "v1";

/// What git's index says about a venv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitCheck {
    /// Not in a git working tree, or git tracks nothing in it.
    Clean,
    /// Git tracks `entry` (relative to the working tree `root`), which is
    /// in the venv `checked` (the venv's path, or its real path), or is the
    /// directory holding it.
    Tracked {
        root: PathBuf,
        checked: PathBuf,
        entry: Vec<u8>,
    },
    /// The index could not be read: nothing can be said, so nothing is
    /// trusted.
    Unreadable { root: PathBuf, why: String },
}

impl GitCheck {
    /// Why the venv is refused, after "not activating VENV: ", with the
    /// next step; None when clean.
    pub fn reason(&self, shell: Shell) -> Option<String> {
        let arg = |p: &Path| command_arg(shell, p.as_os_str());
        match self {
            GitCheck::Clean => None,
            GitCheck::Tracked {
                root,
                checked,
                entry,
            } => {
                let rel = checked.strip_prefix(root).unwrap_or(checked);
                if rel.as_os_str().is_empty() {
                    return Some(format!(
                        "it is a git working tree ({} tracks {}), so its files came from a \
                         repository, not from you; make your own with: rvenv create",
                        display(root.join(".git").as_os_str()),
                        display(OsStr::from_bytes(entry)),
                    ));
                }
                Some(format!(
                    "git tracks files in it ({} in {}), so they came from the repository, not \
                     from you; untrack them (git -C {} rm -r -q --cached -- {}) and recreate it \
                     (rvenv create --clear {})",
                    display(OsStr::from_bytes(entry)),
                    display(root.as_os_str()),
                    arg(root),
                    arg(rel),
                    arg(checked),
                ))
            }
            GitCheck::Unreadable { root, why } => Some(format!(
                "cannot tell whether git tracks files in it: {}; check the repository with: \
                 git -C {} status",
                display(OsStr::new(why)),
                arg(root),
            )),
        }
    }
}

/// The one line refusing `venv` ("not activating", "not allowing"), or
/// None when git tracks nothing in it.
pub fn refusal(venv: &Path, env: &Env, shell: Shell, doing: &str) -> Option<String> {
    let why = check(venv, env).reason(shell)?;
    Some(format!(
        "rvenv: {doing} {}: {why}",
        display(venv.as_os_str())
    ))
}

/// Whether git tracks files in `venv`, through the path as given (a
/// symlinked `.venv` committed to the repository is tracked itself) and
/// through its real path.
pub fn check(venv: &Path, env: &Env) -> GitCheck {
    check_resolved(venv, std::fs::canonicalize(venv).ok().as_deref(), env)
}

/// [`check`], for a venv whose real path `real` is known already (the
/// hook's, resolved step by step by `trust::check_venv`): not resolved a
/// second time.
pub fn check_resolved(venv: &Path, real: Option<&Path>, env: &Env) -> GitCheck {
    let cache = cache_path(env);
    let first = check_path(venv, cache.as_deref());
    if first != GitCheck::Clean {
        return first;
    }
    match real {
        Some(real) if real != venv => check_path(real, cache.as_deref()),
        _ => first,
    }
}

/// What the hook watches while `venv` is on, so that a `git pull` in the
/// project that brings files into it turns it off at the next prompt, not
/// the next `cd`: the repository's index, and the cache file written after
/// the index was last read and found clean. The hook's `INDEX -nt STAMP`
/// (two stats, no process) holds only once git rewrote the index since.
/// None outside a repository, or when nothing was cached.
pub fn watch(venv: &Path, env: &Env) -> Option<(PathBuf, PathBuf)> {
    let (_, gitdir) = find_repo(venv)?;
    let index = gitdir.join("index");
    let stamp = cache_path(env)?;
    (index.is_file() && stamp.is_file()).then_some((index, stamp))
}

/// `$XDG_DATA_HOME/rvenv/git-clean`, beside the trust store.
fn cache_path(env: &Env) -> Option<PathBuf> {
    crate::trust::store_path(env)
        .ok()
        .map(|store| store.with_file_name("git-clean"))
}

/// The working tree holding `path` (walking up from `path` itself) and its
/// git directory: the first directory with a `.git` directory, or a `.git`
/// file saying `gitdir: DIR` (linked worktrees, submodules).
fn find_repo(path: &Path) -> Option<(PathBuf, PathBuf)> {
    let (me, _) = crate::safe_path::ids();
    // Another user's repository is none of ours, as git's safe.directory
    // has it: a `.git` someone else planted in a shared parent (`/tmp/.git`)
    // must not decide whether the user's venvs activate.
    // The link, and what it leads to.
    // Through the hook's memo: `watch` walks up from the venv `check`
    // walked up from in the same answer.
    let ours = |p: &Path| {
        let mine = |m: std::fs::Metadata| m.uid() == me || m.uid() == 0;
        stat_memo::symlink_metadata(p).is_ok_and(mine) && stat_memo::metadata(p).is_ok_and(mine)
    };
    let mut dir = Some(path);
    while let Some(d) = dir {
        let dotgit = d.join(".git");
        match stat_memo::metadata(&dotgit) {
            Ok(meta) if meta.is_dir() && ours(&dotgit) => {
                return Some((d.to_path_buf(), dotgit));
            }
            Ok(meta) if meta.is_file() && ours(&dotgit) => {
                if let Some(gitdir) = read_gitfile(&dotgit) {
                    let gitdir = d.join(gitdir);
                    if ours(&gitdir) {
                        return Some((d.to_path_buf(), gitdir));
                    }
                }
            }
            _ => {}
        }
        dir = d.parent();
    }
    None
}

/// The directory a `.git` file names (relative to the file's directory,
/// or absolute).
fn read_gitfile(path: &Path) -> Option<PathBuf> {
    // Followed if a symlink, as git does.
    let (text, _) = read_file(path, MAX_GITFILE_SIZE, false).ok()?;
    let line = text.split(|&b| b == b'\n').next()?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let dir = line.strip_prefix(b"gitdir:")?.trim_ascii();
    (!dir.is_empty()).then(|| PathBuf::from(OsStr::from_bytes(dir)))
}

/// Reads a regular file of at most `cap` bytes, opened without waiting on
/// a FIFO and, when `nofollow`, without following a symlink; returns its
/// bytes and the metadata of what was read.
fn read_file(
    path: &Path,
    cap: u64,
    nofollow: bool,
) -> std::io::Result<(Vec<u8>, std::fs::Metadata)> {
    let nofollow = if nofollow { libc::O_NOFOLLOW } else { 0 };
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nofollow | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if meta.len() > cap {
        return Err(std::io::Error::other(format!(
            "larger than {} MiB",
            cap / 1024 / 1024
        )));
    }
    let mut data = Vec::with_capacity(meta.len() as usize);
    file.take(cap + 1).read_to_end(&mut data)?;
    if data.len() as u64 > cap {
        return Err(std::io::Error::other("grew while read"));
    }
    Ok((data, meta))
}

/// What identifies one version of the index: git replaces the file for
/// every change.
fn index_identity(meta: &std::fs::Metadata) -> [i64; 7] {
    [
        meta.dev() as i64,
        meta.ino() as i64,
        meta.size() as i64,
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ctime(),
        meta.ctime_nsec(),
    ]
}

fn check_path(path: &Path, cache: Option<&Path>) -> GitCheck {
    let Some((root, gitdir)) = find_repo(path) else {
        return GitCheck::Clean;
    };
    let Ok(rel) = path.strip_prefix(&root) else {
        return GitCheck::Clean;
    };
    let rel = rel.as_os_str().as_bytes();
    let index = gitdir.join("index");
    let unreadable = |why: String| GitCheck::Unreadable {
        root: root.clone(),
        why: format!("cannot read {} ({why})", index.display()),
    };
    let meta = match index.symlink_metadata() {
        Ok(meta) => meta,
        // A repository with nothing added yet.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return GitCheck::Clean,
        Err(e) => return unreadable(e.to_string()),
    };
    let key = cache_key(&index_identity(&meta), path);
    if cache.is_some_and(|c| cache_holds(c, &key)) {
        return GitCheck::Clean;
    }
    let (data, meta) = match read_file(&index, MAX_INDEX_SIZE, true) {
        Ok(read) => read,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return unreadable("it is a symlink".into());
        }
        Err(e) => return unreadable(e.to_string()),
    };
    let found = match tracked_under(&data, rel) {
        Ok(Scan::Hit(entry)) => Some(entry),
        Ok(Scan::Miss { shared: None }) => None,
        Ok(Scan::Miss {
            shared: Some(shared),
        }) => {
            // A split index: most entries are in the shared index it names.
            let hex: String = shared.iter().map(|b| format!("{b:02x}")).collect();
            let shared_path = gitdir.join(format!("sharedindex.{hex}"));
            match read_file(&shared_path, MAX_INDEX_SIZE, true) {
                Ok((data, _)) => match tracked_under(&data, rel) {
                    Ok(Scan::Hit(entry)) => Some(entry),
                    Ok(Scan::Miss { .. }) => None,
                    Err(why) => return unreadable(format!("{}: {why}", shared_path.display())),
                },
                Err(e) => return unreadable(format!("{}: {e}", shared_path.display())),
            }
        }
        Err(why) => return unreadable(why),
    };
    match found {
        Some(entry) => GitCheck::Tracked {
            root,
            checked: path.to_path_buf(),
            entry,
        },
        None => {
            if let Some(cache) = cache {
                // What was read, not what was stat'ed before: the same file.
                remember(cache, &cache_key(&index_identity(&meta), path));
            }
            GitCheck::Clean
        }
    }
}

// ---------------------------------------------------------------------------
// The index

#[cfg(test)]
thread_local! {
    /// Index scans made by this thread (each test runs in its own).
    static INDEX_SCANS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[derive(Debug, PartialEq, Eq)]
enum Scan {
    /// A tracked entry in the venv (or holding it).
    Hit(Vec<u8>),
    /// None; `shared` is the checksum of the shared index of a split index.
    Miss { shared: Option<Vec<u8>> },
}

/// Whether an entry of the index `data` lies in the directory `rel`
/// (relative to the working tree; empty: the working tree itself).
fn tracked_under(data: &[u8], rel: &[u8]) -> Result<Scan, String> {
    #[cfg(test)]
    INDEX_SCANS.set(INDEX_SCANS.get() + 1);
    // SHA-1 repositories, else SHA-256 ones: with the wrong length, the
    // first entry's recorded name length does not match its name.
    match scan(data, rel, 20) {
        Ok(found) => Ok(found),
        Err(why) => scan(data, rel, 32).map_err(|_| why),
    }
}

fn be32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

fn be16(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(data.get(at..at + 2)?.try_into().ok()?))
}

/// Git's offset varint (varint.c): 7 bits a byte, most significant first,
/// each continuation adding one.
fn varint(data: &[u8]) -> Option<(usize, usize)> {
    let mut value: usize = 0;
    for (i, &b) in data.iter().enumerate().take(10) {
        if i > 0 {
            value = value.checked_add(1)?.checked_mul(128)?;
        }
        value |= (b & 0x7f) as usize;
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// `entry` (an index path) is in `rel`, is `rel`, or is a directory entry
/// (a submodule, a sparse-checkout directory) holding it. ASCII case is
/// ignored: on a case-insensitive file system `.VENV/bin/ls` checked out
/// is found as `.venv`.
fn within(entry: &[u8], mode: u32, rel: &[u8]) -> bool {
    if rel.is_empty() {
        return true;
    }
    let starts = |long: &[u8], short: &[u8]| {
        long.len() > short.len()
            && long[short.len()] == b'/'
            && long[..short.len()].eq_ignore_ascii_case(short)
    };
    let entry_dir = entry.strip_suffix(b"/").unwrap_or(entry);
    let is_dir = matches!(mode & 0o170000, 0o040000 | 0o160000);
    entry_dir.eq_ignore_ascii_case(rel) || starts(entry, rel) || (is_dir && starts(rel, entry_dir))
}

fn scan(data: &[u8], rel: &[u8], hash_len: usize) -> Result<Scan, String> {
    let bad = |what: &str| format!("not an index git wrote ({what})");
    if data.get(..4) != Some(b"DIRC") {
        return Err(bad("no DIRC signature"));
    }
    let version = be32(data, 4).ok_or_else(|| bad("truncated"))?;
    if !(2..=4).contains(&version) {
        return Err(format!("index version {version}, which rvenv cannot read"));
    }
    let count = be32(data, 8).ok_or_else(|| bad("truncated"))?;
    let end = data
        .len()
        .checked_sub(hash_len)
        .ok_or_else(|| bad("truncated"))?;
    let data = &data[..end];
    let mut pos = 12;
    // Version 4 writes each path as a change to the one before.
    let mut path: Vec<u8> = Vec::new();
    for _ in 0..count {
        let mode = be32(data, pos + 24).ok_or_else(|| bad("truncated entry"))?;
        let flags = be16(data, pos + 40 + hash_len).ok_or_else(|| bad("truncated entry"))?;
        let mut name_at = pos + 40 + hash_len + 2;
        if flags & 0x4000 != 0 {
            if version < 3 {
                return Err(bad("extended flags in version 2"));
            }
            name_at += 2;
        }
        let rest = data.get(name_at..).ok_or_else(|| bad("truncated entry"))?;
        let name: &[u8] = if version == 4 {
            let (strip, used) = varint(rest).ok_or_else(|| bad("bad path prefix"))?;
            let keep = path
                .len()
                .checked_sub(strip)
                .ok_or_else(|| bad("bad path prefix"))?;
            let suffix = &rest[used..];
            let nul = suffix
                .iter()
                .position(|&b| b == 0)
                .ok_or_else(|| bad("unterminated path"))?;
            path.truncate(keep);
            path.extend_from_slice(&suffix[..nul]);
            pos = name_at + used + nul + 1;
            &path
        } else {
            let nul = rest
                .iter()
                .position(|&b| b == 0)
                .ok_or_else(|| bad("unterminated path"))?;
            // Padded with 1 to 8 NULs to a multiple of 8 bytes.
            let next = pos + ((name_at - pos + nul + 8) & !7);
            if next > data.len() || data[name_at + nul..next].iter().any(|&b| b != 0) {
                return Err(bad("bad entry padding"));
            }
            pos = next;
            &rest[..nul]
        };
        let name_len = (flags & 0xfff) as usize;
        if name_len != name.len().min(0xfff) {
            return Err(bad("path length mismatch"));
        }
        if within(name, mode, rel) {
            return Ok(Scan::Hit(name.to_vec()));
        }
    }
    // Extensions: a 4-byte signature and a 32-bit size each, up to the
    // checksum.
    let mut shared = None;
    while pos < data.len() {
        let size = be32(data, pos + 4).ok_or_else(|| bad("truncated extension"))? as usize;
        let body = pos + 8;
        let next = body
            .checked_add(size)
            .filter(|&n| n <= data.len())
            .ok_or_else(|| bad("truncated extension"))?;
        if &data[pos..pos + 4] == b"link" {
            let hash = data
                .get(body..body + hash_len)
                .filter(|_| size >= hash_len)
                .ok_or_else(|| bad("short link extension"))?;
            shared = Some(hash.to_vec());
        }
        pos = next;
    }
    Ok(Scan::Miss { shared })
}

// ---------------------------------------------------------------------------
// The cache of clean verdicts: one line per (index version, path checked).

fn cache_key(identity: &[i64; 7], path: &Path) -> Vec<u8> {
    let mut key: Vec<u8> = identity
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(" ")
        .into_bytes();
    key.push(b' ');
    key.extend_from_slice(
        base64::engine::general_purpose::STANDARD_NO_PAD
            .encode(path.as_os_str().as_bytes())
            .as_bytes(),
    );
    key
}

fn cache_lines(cache: &Path) -> Vec<Vec<u8>> {
    let Ok((text, _)) = read_file(cache, MAX_CACHE_SIZE, true) else {
        return Vec::new();
    };
    let mut lines = text.split(|&b| b == b'\n');
    if lines.next() != Some(CACHE_VERSION.as_bytes()) {
        return Vec::new();
    }
    lines
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

fn cache_holds(cache: &Path, key: &[u8]) -> bool {
    cache_lines(cache).iter().any(|line| line == key)
}

/// Adds `key`, keeping the newest lines: written to a temporary file
/// renamed over the old, so a reader sees the old cache or the new. Two
/// hooks writing at once may lose one line, which costs one more read.
fn remember(cache: &Path, key: &[u8]) {
    let Some(dir) = cache.parent() else {
        return;
    };
    let mut lines = cache_lines(cache);
    lines.retain(|line| line != key);
    lines.push(key.to_vec());
    let keep = lines.len().saturating_sub(MAX_CACHE_LINES);
    let mut text = format!("{CACHE_VERSION}\n").into_bytes();
    for line in &lines[keep..] {
        text.extend_from_slice(line);
        text.push(b'\n');
    }
    let write = || -> std::io::Result<()> {
        // Private, as the trust store's directory it shares.
        std::os::unix::fs::DirBuilderExt::mode(std::fs::DirBuilder::new().recursive(true), 0o700)
            .create(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        tmp.write_all(&text)?;
        tmp.persist(cache)?;
        Ok(())
    };
    // A cache that cannot be written only costs reading the index again.
    let _ = write();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(["-c", "init.defaultBranch=main"])
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .expect("git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn no_cache(venv: &Path) -> GitCheck {
        check_path(venv, None)
    }

    fn is_tracked(check: &GitCheck, want: &[u8]) -> bool {
        matches!(check, GitCheck::Tracked { entry, .. } if entry == want)
    }

    /// A repository with `src/a.py` and `.venv/bin/ls` tracked, in every
    /// index version, SHA-1 and SHA-256, split or not.
    #[test]
    fn tracked_paths_in_every_index_format() {
        for (format, version, split) in [
            ("sha1", "2", false),
            ("sha1", "3", false),
            ("sha1", "4", false),
            ("sha256", "2", false),
            ("sha256", "4", false),
            ("sha1", "2", true),
            ("sha1", "4", true),
        ] {
            let ctx = format!("{format} v{version} split={split}");
            let tmp = tempfile::tempdir().unwrap();
            let repo = tmp.path().join("repo");
            std::fs::create_dir(&repo).unwrap();
            git(&repo, &["init", "-q", &format!("--object-format={format}")]);
            for i in 0..40 {
                write(&repo.join(format!("src/pkg{i}/mod.py")), "x\n");
            }
            write(&repo.join(".venv/bin/ls"), "#!/bin/sh\n");
            write(&repo.join(".venv/pyvenv.cfg"), "home = /usr/bin\n");
            write(&repo.join("venv2/bin/python"), "\n");
            write(&repo.join("zz/file"), "\n");
            git(&repo, &["add", "-f", "."]);
            git(&repo, &["commit", "-q", "-m", "x"]);
            // An intent-to-add entry sets the extended flags (version 3).
            write(&repo.join("new/ita.py"), "\n");
            git(&repo, &["add", "-N", "new/ita.py"]);
            git(&repo, &["update-index", "--index-version", version]);
            if split {
                git(&repo, &["update-index", "--split-index"]);
                // Changes after the split land in the main index.
                write(&repo.join("late/bin/x"), "\n");
                git(&repo, &["add", "late/bin/x"]);
                let names: Vec<_> = std::fs::read_dir(repo.join(".git"))
                    .unwrap()
                    .map(|e| e.unwrap().file_name())
                    .collect();
                assert!(
                    names
                        .iter()
                        .any(|n| n.as_bytes().starts_with(b"sharedindex.")),
                    "{ctx}: {names:?}"
                );
                assert!(
                    is_tracked(&no_cache(&repo.join("late")), b"late/bin/x"),
                    "{ctx}"
                );
            }
            std::fs::create_dir_all(repo.join("other/.venv/bin")).unwrap();
            assert!(
                is_tracked(&no_cache(&repo.join(".venv")), b".venv/bin/ls"),
                "{ctx}: {:?}",
                no_cache(&repo.join(".venv"))
            );
            assert!(
                is_tracked(&no_cache(&repo.join("venv2")), b"venv2/bin/python"),
                "{ctx}"
            );
            assert!(is_tracked(&no_cache(&repo.join("zz")), b"zz/file"), "{ctx}");
            assert!(
                is_tracked(&no_cache(&repo.join("new")), b"new/ita.py"),
                "{ctx}"
            );
            assert_eq!(
                no_cache(&repo.join("other/.venv")),
                GitCheck::Clean,
                "{ctx}"
            );
            // A name that only starts like a tracked directory.
            assert_eq!(no_cache(&repo.join(".ven")), GitCheck::Clean, "{ctx}");
            assert_eq!(no_cache(&repo.join("src/pkg1")).clone(), {
                GitCheck::Tracked {
                    root: repo.clone(),
                    checked: repo.join("src/pkg1"),
                    entry: b"src/pkg1/mod.py".to_vec(),
                }
            });
            // The working tree itself.
            assert!(matches!(no_cache(&repo), GitCheck::Tracked { .. }), "{ctx}");
        }
    }

    #[test]
    fn outside_any_repository_or_before_the_first_add() {
        let tmp = tempfile::tempdir().unwrap();
        let venv = tmp.path().join("p/.venv");
        std::fs::create_dir_all(venv.join("bin")).unwrap();
        assert_eq!(no_cache(&venv), GitCheck::Clean);
        git(&tmp.path().join("p"), &["init", "-q"]);
        assert!(!tmp.path().join("p/.git/index").exists());
        assert_eq!(no_cache(&venv), GitCheck::Clean);
    }

    #[test]
    fn worktrees_and_submodules_through_git_files() {
        let tmp = tempfile::tempdir().unwrap();
        let main = tmp.path().join("main");
        std::fs::create_dir(&main).unwrap();
        git(&main, &["init", "-q"]);
        write(&main.join("README"), "x\n");
        git(&main, &["add", "."]);
        git(&main, &["commit", "-q", "-m", "x"]);
        git(&main, &["worktree", "add", "-q", "../wt", "-b", "side"]);
        let wt = tmp.path().join("wt");
        write(&wt.join(".venv/bin/ls"), "\n");
        assert!(wt.join(".git").is_file());
        assert_eq!(no_cache(&wt.join(".venv")), GitCheck::Clean);
        git(&wt, &["add", "-f", ".venv"]);
        assert!(is_tracked(&no_cache(&wt.join(".venv")), b".venv/bin/ls"));
        // The main worktree's index says nothing of the other's.
        write(&main.join(".venv/bin/ls"), "\n");
        assert_eq!(no_cache(&main.join(".venv")), GitCheck::Clean);

        // A submodule's venv: the submodule's own index.
        let sub_src = tmp.path().join("sub_src");
        std::fs::create_dir(&sub_src).unwrap();
        git(&sub_src, &["init", "-q"]);
        write(&sub_src.join(".venv/bin/ls"), "\n");
        git(&sub_src, &["add", "-f", "."]);
        git(&sub_src, &["commit", "-q", "-m", "x"]);
        git(
            &main,
            &[
                "-c",
                "protocol.file.allow=always",
                "submodule",
                "add",
                "-q",
                sub_src.to_str().unwrap(),
                "sub",
            ],
        );
        assert!(main.join("sub/.git").is_file());
        assert!(is_tracked(
            &no_cache(&main.join("sub/.venv")),
            b".venv/bin/ls"
        ));
        // The submodule itself, seen from the outer repository, is an entry.
        assert!(matches!(
            no_cache(&main.join("sub")),
            GitCheck::Tracked { .. }
        ));
    }

    #[test]
    fn a_committed_symlink_is_tracked_and_so_is_its_target() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        std::fs::create_dir(&repo).unwrap();
        git(&repo, &["init", "-q"]);
        write(&repo.join("vendor/env/bin/ls"), "\n");
        std::os::unix::fs::symlink("vendor/env", repo.join(".venv")).unwrap();
        git(&repo, &["add", "-f", "."]);
        let env = Env::from_pairs([("XDG_DATA_HOME", tmp.path().join("d").to_str().unwrap())]);
        assert!(is_tracked(&check(&repo.join(".venv"), &env), b".venv"));
        // Untracked link, tracked target.
        git(&repo, &["rm", "-q", "--cached", ".venv"]);
        assert!(is_tracked(
            &check(&repo.join(".venv"), &env),
            b"vendor/env/bin/ls"
        ));
    }

    #[test]
    fn unreadable_index_is_not_trusted() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        std::fs::create_dir_all(repo.join(".venv/bin")).unwrap();
        git(&repo, &["init", "-q"]);
        let index = repo.join(".git/index");
        for (bytes, want) in [
            (&b"DIRC\0\0\0\x09\0\0\0\0"[..], "index version 9"),
            (b"garbage", "not an index"),
            (
                b"DIRC\0\0\0\x02\0\0\0\x05xxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                "truncated",
            ),
        ] {
            std::fs::write(&index, bytes).unwrap();
            match no_cache(&repo.join(".venv")) {
                GitCheck::Unreadable { why, .. } => assert!(why.contains(want), "{why}"),
                other => panic!("{want}: {other:?}"),
            }
        }
        // Not followed, not waited on.
        std::fs::remove_file(&index).unwrap();
        std::os::unix::fs::symlink("/dev/zero", &index).unwrap();
        assert!(matches!(
            no_cache(&repo.join(".venv")),
            GitCheck::Unreadable { .. }
        ));
        std::fs::remove_file(&index).unwrap();
        let c = std::ffi::CString::new(index.as_os_str().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(matches!(
            no_cache(&repo.join(".venv")),
            GitCheck::Unreadable { .. }
        ));
    }

    #[test]
    fn a_clean_verdict_is_remembered_until_the_index_changes() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        let venv = repo.join(".venv");
        std::fs::create_dir_all(venv.join("bin")).unwrap();
        git(&repo, &["init", "-q"]);
        write(&repo.join("README"), "x\n");
        git(&repo, &["add", "README"]);
        let cache = tmp.path().join("data/rvenv/git-clean");
        let scanned = |venv: &Path| {
            let before = INDEX_SCANS.get();
            let result = check_path(venv, Some(&cache));
            (result, INDEX_SCANS.get() - before)
        };
        assert_eq!(scanned(&venv), (GitCheck::Clean, 1), "first crossing");
        assert_eq!(scanned(&venv), (GitCheck::Clean, 0), "index unchanged");
        assert_eq!(scanned(&venv), (GitCheck::Clean, 0), "index unchanged");
        // Another venv of the same repository has its own line.
        std::fs::create_dir_all(repo.join("tools/venv")).unwrap();
        assert_eq!(scanned(&repo.join("tools/venv")), (GitCheck::Clean, 1));
        assert_eq!(scanned(&venv), (GitCheck::Clean, 0));
        // git starts tracking a file in the venv (a pull, an add): the index
        // is replaced, so the cache no longer answers and the file is found.
        write(&venv.join("bin/ls"), "\n");
        git(&repo, &["add", "-f", ".venv/bin/ls"]);
        let (result, n) = scanned(&venv);
        assert!(
            is_tracked(&result, b".venv/bin/ls") && n == 1,
            "{result:?} {n}"
        );
        // A tracked verdict is not remembered: asked again, read again.
        assert_eq!(scanned(&venv).1, 1);
        // Untracked again: clean, and remembered.
        git(&repo, &["rm", "-q", "--cached", ".venv/bin/ls"]);
        assert_eq!(scanned(&venv), (GitCheck::Clean, 1));
        assert_eq!(scanned(&venv), (GitCheck::Clean, 0));
    }

    #[test]
    fn cache_keeps_the_newest_lines() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = tmp.path().join("rvenv/git-clean");
        for i in 0..(MAX_CACHE_LINES + 10) {
            remember(&cache, format!("key{i}").as_bytes());
        }
        let lines = cache_lines(&cache);
        assert_eq!(lines.len(), MAX_CACHE_LINES);
        assert_eq!(
            lines.last().unwrap(),
            format!("key{}", MAX_CACHE_LINES + 9).as_bytes()
        );
        assert!(!cache_holds(&cache, b"key0"));
        std::fs::write(&cache, "v0\nkey5\n").unwrap();
        assert!(!cache_holds(&cache, b"key5"), "another format is ignored");
    }

    #[test]
    fn varints_as_git_writes_them() {
        assert_eq!(varint(&[0x05]), Some((5, 1)));
        assert_eq!(varint(&[0x7f]), Some((127, 1)));
        assert_eq!(varint(&[0x80, 0x00]), Some((128, 2)));
        assert_eq!(varint(&[0x81, 0x7f]), Some((383, 2)));
        assert_eq!(varint(&[0x80]), None);
    }
}
