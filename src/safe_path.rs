//! Whether anyone but the user (and root) can change what a path leads to:
//! the rule ssh's StrictModes and git's `safe.directory` apply. Every
//! directory and symlink met while the path is resolved must be owned by the
//! user or root, and every directory looked into must be writable by no one
//! else, except a sticky directory such as `/tmp`, where what the user owns
//! is theirs. "Writable" counts every writer: the mode bits, a POSIX ACL,
//! and a group shared with another account.
//!
//! The walk costs an lstat (and an ACL read) per component and a readlink
//! per symlink: cheap enough for the hook, and no process is started.

use std::cell::OnceCell;
use std::ffi::{CString, OsStr, OsString};
use std::fs::Metadata;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::quote::display;

/// The real user and group ids, asked of the kernel once: rvenv never
/// changes them, and one answer asks for them three or four times.
pub fn ids() -> (u32, u32) {
    static IDS: std::sync::OnceLock<(u32, u32)> = std::sync::OnceLock::new();
    // SAFETY: getuid and getgid cannot fail and touch no memory.
    *IDS.get_or_init(|| unsafe { (libc::getuid(), libc::getgid()) })
}

/// The user rvenv acts for.
pub struct Me {
    pub uid: u32,
    pub gid: u32,
    /// Whether the primary group is the user's alone; read from /etc only
    /// when a group-writable file makes it matter.
    private_group: OnceCell<bool>,
}

impl Me {
    pub fn current() -> Me {
        let (uid, gid) = ids();
        Me {
            uid,
            gid,
            private_group: OnceCell::new(),
        }
    }

    fn owns(&self, uid: u32) -> bool {
        uid == self.uid || uid == 0
    }

    /// True for the user's primary group when no other account has it, as
    /// its primary group (/etc/passwd) or as a member (/etc/group): Debian's
    /// user private groups, where umask 002 makes every file group-writable.
    /// A group /etc/group does not list cannot be proven private.
    pub fn owns_group(&self, gid: u32) -> bool {
        gid == self.gid
            && *self
                .private_group
                .get_or_init(|| group_is_private(self.uid, self.gid))
    }
}

fn db_lines(file: &str) -> Vec<Vec<String>> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .map(|l| l.split(':').map(str::to_owned).collect())
        .collect()
}

fn field_is(fields: &[String], i: usize, id: u32) -> bool {
    fields.get(i).and_then(|s| s.parse().ok()) == Some(id)
}

fn group_is_private(uid: u32, gid: u32) -> bool {
    let passwd = db_lines("/etc/passwd");
    let user = passwd
        .iter()
        .find(|f| field_is(f, 2, uid))
        .map(|f| f[0].clone());
    // Another account whose primary group it is (`useradd -g team`).
    if passwd
        .iter()
        .any(|f| field_is(f, 3, gid) && !field_is(f, 2, uid))
    {
        return false;
    }
    let groups = db_lines("/etc/group");
    let Some(group) = groups.iter().find(|f| field_is(f, 2, gid)) else {
        return false;
    };
    group
        .get(3)
        .map(String::as_str)
        .unwrap_or("")
        .split(',')
        .all(|m| m.is_empty() || Some(m) == user.as_deref())
}

const ACL_XATTR: &[u8] = b"system.posix_acl_access\0";
const ACL_VERSION: u32 = 2;
const ACL_USER: u16 = 0x02;
const ACL_GROUP_OBJ: u16 = 0x04;
const ACL_GROUP: u16 = 0x08;
const ACL_MASK: u16 = 0x10;
const ACL_WRITE: u16 = 0x02;

/// One entry of a POSIX ACL: tag, permission bits, user or group id.
type AclEntry = (u16, u16, u32);

/// The entries of `path`'s access ACL as (tag, perm, id), None when it has
/// none (only the mode bits apply), or why it cannot be read.
fn read_acl(path: &Path) -> Result<Option<Vec<AclEntry>>, String> {
    let c_path = CString::new(path.as_os_str().as_bytes()).map_err(|e| e.to_string())?;
    let mut buf = vec![0u8; 4 + 8 * 32];
    let len = loop {
        // SAFETY: both strings are NUL-terminated; the buffer is as long
        // as the size passed.
        let n = unsafe {
            libc::lgetxattr(
                c_path.as_ptr(),
                ACL_XATTR.as_ptr().cast(),
                buf.as_mut_ptr().cast(),
                buf.len(),
            )
        };
        if n >= 0 {
            break n as usize;
        }
        let err = std::io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::ENODATA) | Some(libc::EOPNOTSUPP) => return Ok(None),
            Some(libc::ERANGE) if buf.len() < 1 << 20 => buf.resize(buf.len() * 4, 0),
            _ => {
                return Err(format!(
                    "perhaps writable by others (its ACL cannot be read: {err})"
                ));
            }
        }
    };
    parse_acl(&buf[..len])
        .map(Some)
        .ok_or_else(|| "perhaps writable by others (its ACL is in an unknown format)".to_owned())
}

fn parse_acl(raw: &[u8]) -> Option<Vec<AclEntry>> {
    let (header, body) = raw.split_at_checked(4)?;
    if u32::from_le_bytes(header.try_into().ok()?) != ACL_VERSION || body.len() % 8 != 0 {
        return None;
    }
    Some(
        body.chunks_exact(8)
            .map(|e| {
                (
                    u16::from_le_bytes([e[0], e[1]]),
                    u16::from_le_bytes([e[2], e[3]]),
                    u32::from_le_bytes([e[4], e[5], e[6], e[7]]),
                )
            })
            .collect(),
    )
}

/// Who besides the user and root can write the file at `path` (whose
/// lstat is `meta`), phrased to follow "is": "world-writable", ...; None
/// when no one.
pub fn other_writer(path: &Path, meta: &Metadata, me: &Me) -> Option<String> {
    if meta.file_type().is_symlink() {
        // A symlink's own mode means nothing; who may replace it is the
        // question of the directory holding it.
        return None;
    }
    let mode = meta.mode();
    if mode & 0o002 != 0 {
        return Some("world-writable".into());
    }
    if mode & 0o020 == 0 {
        // Where an access ACL names anyone (a user, a group), the mode's
        // group bits are its mask, and the mask bounds every entry but the
        // owner's and others': without its write bit, no entry lets anyone
        // else write. Not reading the ACL then saves a system call per
        // file, about a dozen per crossing.
        return None;
    }
    let not_private = |gid: u32| format!("writable by group {gid} (not your private group)");
    let acl = match read_acl(path) {
        Ok(acl) => acl,
        Err(why) => return Some(why),
    };
    let Some(acl) = acl else {
        return (mode & 0o020 != 0 && !me.owns_group(meta.gid())).then(|| not_private(meta.gid()));
    };
    // With a mask, the mode's group bits show the mask: the group's own
    // permission is the ACL's group entry, limited by the mask.
    let mask = acl.iter().find(|e| e.0 == ACL_MASK).map_or(0o7, |e| e.1);
    for &(tag, perm, id) in &acl {
        if perm & mask & ACL_WRITE == 0 {
            continue;
        }
        match tag {
            ACL_USER if !me.owns(id) => {
                return Some(format!("writable by user {id} through an ACL"));
            }
            ACL_GROUP_OBJ if !me.owns_group(meta.gid()) => return Some(not_private(meta.gid())),
            ACL_GROUP if !me.owns_group(id) => {
                return Some(format!(
                    "writable by group {id} through an ACL (not your private group)"
                ));
            }
            _ => {}
        }
    }
    None
}

/// A path resolved by [`walk`].
#[derive(Debug)]
pub struct Walked {
    /// The canonical path: no symlink, `.` or `..` left.
    pub real: PathBuf,
    /// The lstat of what `real` names.
    pub meta: Metadata,
    /// Whether a symlink under /proc (`/proc/self/cwd`, `/dev/fd/N`) was
    /// followed: such a path leads elsewhere for every process.
    pub per_process: bool,
}

/// Why a walk stopped.
#[derive(Debug)]
pub enum WalkError {
    /// Someone else could change where the path leads.
    Unsafe(String),
    /// `missing` (resolved so far: its parent is safe) does not exist.
    Missing(PathBuf),
    /// Cannot be resolved (not a directory, a symlink loop, an I/O error).
    Other(String),
}

impl WalkError {
    pub fn message(&self) -> String {
        match self {
            WalkError::Unsafe(why) | WalkError::Other(why) => why.clone(),
            WalkError::Missing(p) => format!("{} does not exist", display(p.as_os_str())),
        }
    }
}

/// Resolves the absolute `path` as the kernel does (symlinks followed,
/// `..` taken physically), checking each step: every entry met is owned by
/// the user or root, every directory looked into is writable by no one
/// else unless it is sticky. What the final entry itself allows is left to
/// the caller (see [`other_writer`]).
pub fn walk(path: &Path, me: &Me) -> Result<Walked, WalkError> {
    let bytes = path.as_os_str().as_bytes();
    if bytes.first() != Some(&b'/') {
        return Err(WalkError::Other(format!(
            "{} is not an absolute path",
            display(path.as_os_str())
        )));
    }
    // Components still to resolve, the next one last.
    let mut todo: Vec<OsString> = Vec::new();
    push_components(&mut todo, bytes);
    let mut real = PathBuf::from("/");
    let mut meta = lstat(&real)?;
    if let Some(why) = entry_problem(&real, &meta, me) {
        return Err(WalkError::Unsafe(why));
    }
    let mut per_process = false;
    let mut links = 0;
    while let Some(name) = todo.pop() {
        if name == ".." {
            real.pop();
            meta = lstat(&real)?;
            continue;
        }
        if !meta.is_dir() {
            return Err(WalkError::Other(format!(
                "{} is not a directory",
                display(real.as_os_str())
            )));
        }
        // Looking into `real`: no one else may add, remove or rename
        // entries there, except in a sticky directory, where the owner
        // check below keeps what we pass through ours.
        if meta.mode() & libc::S_ISVTX == 0
            && let Some(writer) = other_writer(&real, &meta, me)
        {
            return Err(WalkError::Unsafe(format!(
                "{} is {writer}",
                display(real.as_os_str())
            )));
        }
        let next = real.join(&name);
        let next_meta = match crate::stat_memo::symlink_metadata(&next) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(WalkError::Missing(next));
            }
            Err(e) => return Err(io_error(&next, &e)),
        };
        if let Some(why) = entry_problem(&next, &next_meta, me) {
            return Err(WalkError::Unsafe(why));
        }
        if next_meta.file_type().is_symlink() {
            links += 1;
            if links > 40 {
                return Err(WalkError::Other(format!(
                    "{} leads through too many symlinks",
                    display(path.as_os_str())
                )));
            }
            if real.starts_with("/proc") {
                per_process = true;
            }
            let target = std::fs::read_link(&next).map_err(|e| io_error(&next, &e))?;
            let target = target.as_os_str().as_bytes();
            if target.first() == Some(&b'/') {
                real = PathBuf::from("/");
                meta = lstat(&real)?;
            }
            push_components(&mut todo, target);
            continue;
        }
        real = next;
        meta = next_meta;
    }
    Ok(Walked {
        real,
        meta,
        per_process,
    })
}

/// Pushes the components of `path` onto `todo` so that the first is popped
/// first; empty and `.` components are dropped.
fn push_components(todo: &mut Vec<OsString>, path: &[u8]) {
    for part in path.split(|&b| b == b'/').rev() {
        if !part.is_empty() && part != b"." {
            todo.push(OsStr::from_bytes(part).to_owned());
        }
    }
}

fn lstat(path: &Path) -> Result<Metadata, WalkError> {
    crate::stat_memo::symlink_metadata(path).map_err(|e| io_error(path, &e))
}

fn io_error(path: &Path, e: &std::io::Error) -> WalkError {
    WalkError::Other(format!("cannot inspect {}: {e}", display(path.as_os_str())))
}

/// Why an entry met on the way is not the user's (or root's).
fn entry_problem(path: &Path, meta: &Metadata, me: &Me) -> Option<String> {
    if me.owns(meta.uid()) {
        return None;
    }
    let kind = if meta.file_type().is_symlink() {
        "a symlink"
    } else if meta.is_dir() {
        "a directory"
    } else {
        "a file"
    };
    Some(format!(
        "{} is {kind} owned by another user (uid {})",
        display(path.as_os_str()),
        meta.uid()
    ))
}

/// Whether `path` is plainly absolute: no `.` or `..` component, no empty
/// one, so it names the same place whatever the current directory.
pub fn is_plain(path: &Path) -> bool {
    let bytes = path.as_os_str().as_bytes();
    match bytes.strip_prefix(b"/") {
        Some(b"") => true,
        Some(rest) => rest
            .split(|&b| b == b'/')
            .all(|p| !p.is_empty() && p != b"." && p != b".."),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::{PermissionsExt, symlink};

    fn chmod(path: &Path, mode: u32) {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn resolves_like_the_kernel() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        fs::create_dir_all(root.join("a/b/c")).unwrap();
        fs::create_dir_all(root.join("x/y")).unwrap();
        symlink("../../x/y", root.join("a/b/up")).unwrap();
        symlink(root.join("a/b"), root.join("abs")).unwrap();
        symlink("loop", root.join("loop")).unwrap();
        let me = Me::current();
        for (given, want) in [
            ("a/b/c", "a/b/c"),
            ("a/./b//c/", "a/b/c"),
            ("a/b/up", "x/y"),
            ("a/b/up/..", "x"),
            ("abs/c/../up", "x/y"),
            ("a/b/c/../../b", "a/b"),
        ] {
            let w = walk(&root.join(given), &me).unwrap();
            assert_eq!(w.real, root.join(want), "{given}");
            assert_eq!(w.real, fs::canonicalize(root.join(given)).unwrap());
            assert!(!w.per_process);
        }
        assert!(matches!(
            walk(&root.join("loop"), &me),
            Err(WalkError::Other(_))
        ));
        assert!(matches!(
            walk(&root.join("a/nope/x"), &me),
            Err(WalkError::Missing(p)) if p == root.join("a/nope")
        ));
        let cwd = std::env::current_dir().unwrap().canonicalize().unwrap();
        let w = walk(Path::new("/proc/self/cwd"), &me).unwrap();
        assert_eq!(w.real, cwd);
        assert!(w.per_process);
    }

    #[test]
    fn writable_directories_on_the_way() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        fs::create_dir_all(root.join("shared/p")).unwrap();
        let me = Me::current();
        assert!(walk(&root.join("shared/p"), &me).is_ok());
        chmod(&root.join("shared"), 0o777);
        let err = walk(&root.join("shared/p"), &me).unwrap_err().message();
        assert!(err.ends_with("shared is world-writable"), "{err}");
        // Sticky, as /tmp: what the user owns in it is theirs.
        chmod(&root.join("shared"), 0o1777);
        assert!(walk(&root.join("shared/p"), &me).is_ok());
        // The final directory is the caller's to judge.
        chmod(&root.join("shared/p"), 0o777);
        let w = walk(&root.join("shared/p"), &me).unwrap();
        assert_eq!(
            other_writer(&w.real, &w.meta, &me).as_deref(),
            Some("world-writable")
        );
    }

    #[test]
    fn acl_format() {
        let mut raw = 2u32.to_le_bytes().to_vec();
        for (tag, perm, id) in [(1u16, 7u16, u32::MAX), (2, 6, 1000), (16, 5, u32::MAX)] {
            raw.extend_from_slice(&tag.to_le_bytes());
            raw.extend_from_slice(&perm.to_le_bytes());
            raw.extend_from_slice(&id.to_le_bytes());
        }
        assert_eq!(
            parse_acl(&raw).unwrap(),
            [(1, 7, u32::MAX), (2, 6, 1000), (16, 5, u32::MAX)]
        );
        assert!(parse_acl(&raw[..raw.len() - 1]).is_none());
        assert!(parse_acl(&[1, 0, 0, 0]).is_none());
    }

    #[test]
    fn plain_paths() {
        for p in ["/", "/a", "/a/b.c/..d"] {
            assert!(is_plain(Path::new(p)), "{p}");
        }
        for p in ["a", "/a/", "/a//b", "/a/./b", "/a/../b", "/a/.."] {
            assert!(!is_plain(Path::new(p)), "{p}");
        }
    }
}
