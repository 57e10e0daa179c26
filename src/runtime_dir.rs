//! rvenv's directory in memory (tmpfs) that only this user can write:
//! `$XDG_RUNTIME_DIR/rvenv` (the login's private tmpfs) or
//! `/dev/shm/rvenv-UID`, made mode 0700. It holds the bash hook's answer
//! files (`a.*`, see `cmd::hook`) and the venv stamps (`v.*`, below). A
//! disk is no place for them: a file written at each crossing is flushed
//! at each close (ext4).

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The directory (made when missing and `make`: when a hook is loaded,
/// not at each answer, so that one a tmp cleaner removed stays gone until
/// the next shell); None when neither candidate is a directory of this
/// user's, mode 0700 (another user's, a symlink, a file, group- or
/// world-writable; one its owner cannot write, under a umask of 0277):
/// what would go there is then done without it.
pub fn private_dir(make: bool) -> Option<PathBuf> {
    // SAFETY: geteuid cannot fail and touches no memory.
    let me = unsafe { libc::geteuid() };
    let private = |dir: &Path| {
        std::fs::symlink_metadata(dir)
            .is_ok_and(|m| m.is_dir() && m.uid() == me && m.mode() & 0o777 == 0o700)
    };
    let runtime = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|d| d.is_absolute() && private(d))
        .map(|d| d.join("rvenv"));
    let candidates = runtime
        .into_iter()
        .chain(std::iter::once(PathBuf::from(format!(
            "/dev/shm/rvenv-{me}"
        ))));
    for dir in candidates {
        // Made only where it is not: an existing one is checked, never
        // changed (another user's stays theirs).
        if make {
            let _ = std::fs::DirBuilder::new().mode(0o700).create(&dir);
        }
        if private(&dir) {
            return Some(dir);
        }
    }
    None
}

/// Removes the answer files and venv stamps of `dir` not written for a
/// day: their shells have ended, or will make theirs again at their next
/// crossing (an answer file is made by `>|`, a stamp by the next answer).
/// Not by pid: a shell in another pid namespace may share /dev/shm.
pub fn sweep(dir: &Path) {
    let day_ago = SystemTime::now() - Duration::from_secs(24 * 3600);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let ours = [b"a.".as_slice(), b"v."]
            .iter()
            .any(|p| name.as_bytes().starts_with(p));
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < day_ago);
        if ours && old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// What the hook compares at each prompt while `venv` is on, to notice it
/// replaced (deleted and made again, by hand or by a tool) within one
/// command, when no `cd` asks rvenv again: `venv`'s pyvenv.cfg, and a
/// stamp file written now, named after the venv directory's identity
/// (device, inode, birth time; what the trust store holds). A venv made
/// again has a new pyvenv.cfg, newer than the stamp: the hook asks rvenv,
/// which judges the new venv (not trusted: it goes off, with its line).
/// No one touches that stamp once the venv it names is gone, so every
/// shell with that venv on sees it. None when there is no private
/// directory for it (the hook then only tests that pyvenv.cfg exists), or
/// the venv cannot be read.
///
/// A venv made again by a tool that keeps the old files' times (`tar x`,
/// `rsync -a`, `cp -a`) is noticed at the next `cd` only.
pub fn venv_stamp(venv: &Path) -> Option<(PathBuf, PathBuf)> {
    let meta = crate::stat_memo::metadata(venv).ok()?;
    let cfg = venv.join("pyvenv.cfg");
    let cfg_time = crate::stat_memo::metadata(&cfg).ok()?.modified().ok()?;
    let born = meta
        .created()
        .ok()
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let dir = private_dir(false)?;
    let stamp = dir.join(format!("v.{:x}.{:x}.{born:x}", meta.dev(), meta.ino()));
    touch_after(&stamp, cfg_time).then_some((cfg, stamp))
}

/// Sets `stamp`'s time (made, mode 0600, when missing) to now as the file
/// system's clock reads it (the coarse clock: what a file written this
/// instant gets), or to just after `after` when that is not earlier (a
/// file written within the same tick, one dated in the future): the stamp
/// must be newer than the file the hook compares it with, or the hook
/// would ask rvenv again at the next prompt; and a file written after this
/// (a venv made again) must not look older than the stamp: within the
/// same tick it looks as old, which the hook takes as changed.
fn touch_after(stamp: &Path, after: SystemTime) -> bool {
    let Ok(c_path) = std::ffi::CString::new(stamp.as_os_str().as_bytes()) else {
        return false;
    };
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid clock id and a timespec to fill.
    if unsafe { libc::clock_gettime(libc::CLOCK_REALTIME_COARSE, &mut now) } != 0 {
        return false;
    }
    let now = SystemTime::UNIX_EPOCH + Duration::new(now.tv_sec as u64, now.tv_nsec as u32);
    let at = now.max(after + Duration::from_nanos(1));
    let Ok(since) = at.duration_since(SystemTime::UNIX_EPOCH) else {
        return false;
    };
    let spec = libc::timespec {
        tv_sec: since.as_secs() as libc::time_t,
        tv_nsec: since.subsec_nanos() as _,
    };
    let times = [spec, spec];
    let set = || {
        // SAFETY: a NUL-terminated path and two timespecs, as utimensat
        // takes them; AT_SYMLINK_NOFOLLOW: a symlink is never followed.
        unsafe {
            libc::utimensat(
                libc::AT_FDCWD,
                c_path.as_ptr(),
                times.as_ptr(),
                libc::AT_SYMLINK_NOFOLLOW,
            ) == 0
        }
    };
    if set() {
        return true;
    }
    use std::os::unix::fs::OpenOptionsExt;
    let made = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(stamp)
        .is_ok();
    made && set()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_is_newer_than_the_venv_file_even_one_from_the_future() {
        let tmp = tempfile::tempdir().unwrap();
        let cfg = tmp.path().join("pyvenv.cfg");
        std::fs::write(&cfg, "home = /usr/bin\n").unwrap();
        let stamp = tmp.path().join("v.stamp");
        let mtime = |p: &Path| std::fs::metadata(p).unwrap().modified().unwrap();
        assert!(touch_after(&stamp, mtime(&cfg)));
        assert!(mtime(&stamp) > mtime(&cfg));
        // A file written after it, within the same tick or later, is not
        // older than it.
        std::fs::write(&cfg, "home = /usr/bin\n").unwrap();
        assert!(mtime(&stamp) <= mtime(&cfg));
        // A file dated an hour ahead: the stamp goes just past it.
        let ahead = SystemTime::now() + Duration::from_secs(3600);
        let file = std::fs::File::options().write(true).open(&cfg).unwrap();
        file.set_modified(ahead).unwrap();
        assert!(touch_after(&stamp, mtime(&cfg)));
        assert!(mtime(&stamp) > mtime(&cfg));
        // Never through a symlink.
        let link = tmp.path().join("v.link");
        std::os::unix::fs::symlink(&cfg, &link).unwrap();
        let before = mtime(&cfg);
        touch_after(&link, SystemTime::UNIX_EPOCH);
        assert_eq!(mtime(&cfg), before);
    }
}
