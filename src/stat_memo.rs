//! Within one answer of the hook, the same path is asked about several
//! times: discovery probes `DIR/.venv/pyvenv.cfg`, the hook's marker
//! signature tests it again, the bounded read looks at it before opening
//! it; each source and the Python-project hint stat the same `Pipfile` and
//! `pyproject.toml` on every step of the walk up; the git check walks up for
//! `.git` once for the venv and once more for what the hook watches. Each
//! answer is a snapshot taken in about a millisecond, so inside a [`Scope`]
//! the first stat (or lstat) of a path is remembered and later ones are
//! answered from it: every check still looks at what that stat said, it is
//! only not asked of the kernel twice. A check that must look at the file
//! itself (fstat on an open descriptor) never goes through here.
//!
//! Outside a scope nothing is remembered: long-lived commands (`rvenv
//! watch`) and anything that changes the disk between two looks (the hook's
//! `RVENV_AUTO_CREATE`) see the disk as it is.

use std::cell::RefCell;
use std::fs::Metadata;
use std::io;
use std::path::{Path, PathBuf};

/// What one stat said: the metadata, or the error's kind and errno.
type Answer = Result<Metadata, (io::ErrorKind, Option<i32>)>;

#[derive(Default)]
struct Memo {
    /// stat (symlinks followed), by path.
    stat: Vec<(PathBuf, Answer)>,
    /// lstat, by path.
    lstat: Vec<(PathBuf, Answer)>,
}

thread_local! {
    static MEMO: RefCell<Option<Memo>> = const { RefCell::new(None) };
}

/// While alive, stats on this thread are remembered (see the module).
/// Scopes nest: only the outermost one forgets on drop.
pub struct Scope {
    outermost: bool,
}

pub fn scope() -> Scope {
    let outermost = MEMO.with_borrow_mut(|memo| {
        if memo.is_some() {
            return false;
        }
        *memo = Some(Memo::default());
        true
    });
    Scope { outermost }
}

impl Drop for Scope {
    fn drop(&mut self) {
        if self.outermost {
            MEMO.with_borrow_mut(|memo| *memo = None);
        }
    }
}

fn answer(result: io::Result<Metadata>) -> Answer {
    result.map_err(|e| (e.kind(), e.raw_os_error()))
}

fn result(answer: &Answer) -> io::Result<Metadata> {
    match answer {
        Ok(meta) => Ok(meta.clone()),
        Err((_, Some(errno))) => Err(io::Error::from_raw_os_error(*errno)),
        Err((kind, None)) => Err(io::Error::from(*kind)),
    }
}

/// By the path's bytes: `Path`'s `==` compares component by component,
/// parsed from the end, and that parsing was a quarter of `rvenv __hook`'s
/// own time in user space (perf). Two spellings of one path (`a//b`, `a/b/`)
/// are then two entries: the second only costs its own stat.
fn lookup(table: &[(PathBuf, Answer)], path: &Path) -> Option<io::Result<Metadata>> {
    let path = path.as_os_str();
    table
        .iter()
        .find(|(p, _)| p.as_os_str() == path)
        .map(|(_, a)| result(a))
}

/// `path.metadata()`, remembered inside a scope. An lstat of the same path
/// that found no symlink answers it too: for anything but a symlink, stat
/// and lstat are the same call.
pub fn metadata(path: &Path) -> io::Result<Metadata> {
    let known = MEMO.with_borrow(|memo| {
        let memo = memo.as_ref()?;
        lookup(&memo.stat, path).or_else(|| {
            lookup(&memo.lstat, path).filter(|r| r.as_ref().is_ok_and(|m| !m.is_symlink()))
        })
    });
    if let Some(known) = known {
        return known;
    }
    let got = path.metadata();
    MEMO.with_borrow_mut(|memo| {
        if let Some(memo) = memo {
            memo.stat.push((path.to_path_buf(), answer(clone(&got))));
        }
    });
    got
}

/// `path.symlink_metadata()`, remembered inside a scope.
pub fn symlink_metadata(path: &Path) -> io::Result<Metadata> {
    let known = MEMO.with_borrow(|memo| lookup(&memo.as_ref()?.lstat, path));
    if let Some(known) = known {
        return known;
    }
    let got = path.symlink_metadata();
    MEMO.with_borrow_mut(|memo| {
        if let Some(memo) = memo {
            memo.lstat.push((path.to_path_buf(), answer(clone(&got))));
        }
    });
    got
}

fn clone(got: &io::Result<Metadata>) -> io::Result<Metadata> {
    match got {
        Ok(meta) => Ok(meta.clone()),
        Err(e) => Err(match e.raw_os_error() {
            Some(errno) => io::Error::from_raw_os_error(errno),
            None => io::Error::from(e.kind()),
        }),
    }
}

pub fn is_file(path: &Path) -> bool {
    metadata(path).is_ok_and(|m| m.is_file())
}

pub fn is_dir(path: &Path) -> bool {
    metadata(path).is_ok_and(|m| m.is_dir())
}

pub fn exists(path: &Path) -> bool {
    metadata(path).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_only_inside_a_scope() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("f");
        assert!(!exists(&f));
        std::fs::write(&f, "x").unwrap();
        // No scope: the disk as it is.
        assert!(is_file(&f));
        std::fs::remove_file(&f).unwrap();
        assert!(!exists(&f));
        {
            let _scope = scope();
            assert!(!exists(&f));
            std::fs::write(&f, "x").unwrap();
            // The first answer holds for the scope's snapshot.
            assert!(!exists(&f));
            let inner = scope();
            drop(inner);
            assert!(!exists(&f), "an inner scope's end forgets nothing");
            // An lstat that found no symlink answers stat too.
            let g = tmp.path().join("g");
            std::fs::create_dir(&g).unwrap();
            assert!(symlink_metadata(&g).unwrap().is_dir());
            std::fs::remove_dir(&g).unwrap();
            assert!(is_dir(&g));
            // A symlink's lstat does not.
            let l = tmp.path().join("l");
            std::os::unix::fs::symlink(&f, &l).unwrap();
            assert!(symlink_metadata(&l).unwrap().is_symlink());
            assert!(is_file(&l));
            // Errors keep their errno.
            let under = f.join("x");
            let e = metadata(&under).unwrap_err();
            assert_eq!(e.raw_os_error(), Some(libc::ENOTDIR));
            assert_eq!(
                metadata(&under).unwrap_err().raw_os_error(),
                Some(libc::ENOTDIR)
            );
        }
        std::fs::remove_file(&f).unwrap();
        assert!(!exists(&f));
    }
}
