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
        // An answer file by its mtime (bash writes it); a stamp by its
        // change time: its mtime is its venv's, set by rvenv, and the
        // change time says when rvenv last set it.
        let stamp = name.as_bytes().starts_with(b"v.");
        let old = entry.metadata().is_ok_and(|m| {
            let when = if stamp {
                SystemTime::UNIX_EPOCH
                    + Duration::new(m.ctime().max(0) as u64, m.ctime_nsec() as u32)
            } else {
                m.modified().unwrap_or(SystemTime::now())
            };
            when < day_ago
        });
        if ours && old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// What the hook compares at each prompt while `venv` is on, to notice it
/// replaced (deleted and made again, by hand or by a tool) within one
/// command, when no `cd` asks rvenv again: `venv`'s pyvenv.cfg, and a
/// stamp file named after the venv directory's identity (device, inode,
/// birth time; what the trust store holds) whose time is `began` (the
/// file system's clock as rvenv began to decide, [`coarse_now`]), or
/// just after the time of the pyvenv.cfg rvenv judged ([`STAMP_AHEAD`])
/// when that is later. A venv made again since rvenv began (even while it
/// was deciding) has a pyvenv.cfg at least as new as the stamp, and the
/// hook asks rvenv, which judges the new venv (not trusted: it goes off,
/// with its line): every shell but tcsh asks unless the stamp is strictly
/// newer; tcsh (whole seconds) when pyvenv.cfg's second is later than the
/// stamp's, or the venv directory's inode is not the one the stamp's name
/// ends with (so a venv made again within the same second is noticed
/// unless the file system gave it the old one's inode). No one touches that
/// stamp once the venv it names is gone, so every shell with that venv on
/// sees it. None when there is no private directory for it (the hook then
/// only tests that pyvenv.cfg exists), or the venv cannot be read.
///
/// Missed until the next `cd`: a venv made again by a tool that keeps the
/// old files' times (`tar x`, `rsync -a`, `cp -a`), an older venv moved
/// into its place, and one on a file system whose server's clock is
/// behind this machine's.
pub fn venv_stamp(venv: &Path, began: SystemTime) -> Option<(PathBuf, PathBuf)> {
    // The disk as the decision saw it (stat_memo), not as it is now.
    let meta = crate::stat_memo::metadata(venv).ok()?;
    let cfg = venv.join("pyvenv.cfg");
    let judged = crate::stat_memo::metadata(&cfg).ok()?.modified().ok()?;
    let born = meta
        .created()
        .ok()
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    // Made if missing: a hook saved to a file (nushell's) is not loaded
    // again after a reboot emptied $XDG_RUNTIME_DIR.
    let dir = private_dir(true)?;
    // The inode last, in decimal: tcsh compares it with its `-I`.
    let stamp = dir.join(format!("v.{:x}.{born:x}.{}", meta.dev(), meta.ino()));
    stamp_at(&stamp, began.max(judged + STAMP_AHEAD)).then_some((cfg, stamp))
}

/// Now, as the file system's clock reads it (the coarse clock: what a
/// file written this instant gets as its time); None where it cannot be
/// read.
pub fn coarse_now() -> Option<SystemTime> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid clock id and a timespec to fill.
    if unsafe { libc::clock_gettime(libc::CLOCK_REALTIME_COARSE, &mut now) } != 0 {
        return None;
    }
    Some(SystemTime::UNIX_EPOCH + Duration::new(now.tv_sec as u64, now.tv_nsec as u32))
}

/// How far the stamp is ahead of the pyvenv.cfg it was made for when
/// that is newer than the decision: more than the coarsest time the hooks
/// compare below a second (PowerShell's 100 ns ticks), so that it reads
/// as strictly newer.
pub const STAMP_AHEAD: Duration = Duration::from_micros(1);

/// Sets `stamp`'s time (made, mode 0600, when missing) to `at`; never
/// through a symlink. Another rvenv making the same stamp at once is no
/// failure: both set the time.
fn stamp_at(stamp: &Path, at: SystemTime) -> bool {
    let Ok(c_path) = std::ffi::CString::new(stamp.as_os_str().as_bytes()) else {
        return false;
    };
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
        .open(stamp);
    match made {
        Ok(_) => set(),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => set(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_is_the_judged_time_ahead_and_never_follows_a_symlink() {
        let tmp = tempfile::tempdir().unwrap();
        let cfg = tmp.path().join("pyvenv.cfg");
        std::fs::write(&cfg, "home = /usr/bin\n").unwrap();
        let stamp = tmp.path().join("v.stamp");
        let mtime = |p: &Path| std::fs::metadata(p).unwrap().modified().unwrap();
        let judged = mtime(&cfg);
        assert!(stamp_at(&stamp, judged + STAMP_AHEAD));
        assert_eq!(mtime(&stamp), judged + STAMP_AHEAD);
        let meta = std::fs::symlink_metadata(&stamp).unwrap();
        assert_eq!(meta.mode() & 0o777, 0o600);
        // Made by another rvenv meanwhile: set all the same.
        assert!(stamp_at(&stamp, judged));
        assert_eq!(mtime(&stamp), judged);
        // Never through a symlink.
        let link = tmp.path().join("v.link");
        std::os::unix::fs::symlink(&cfg, &link).unwrap();
        stamp_at(&link, SystemTime::UNIX_EPOCH);
        assert_eq!(mtime(&cfg), judged);
    }
}
