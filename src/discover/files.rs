//! Small helpers shared by the sources that read other tools' files: bounded
//! reads (a hostile repository may ship a huge or binary file), TOML, the
//! home directory, `~` and `$VAR` expansion, and the env-name sanitising
//! that poetry and pipenv both do on Python strings.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use crate::env::Env;

/// No project or tool file rvenv reads comes near this; larger ones are not
/// read at all.
pub const MAX_TOML: u64 = 1024 * 1024;

/// The user's home: HOME (so tests can point it anywhere), else the
/// password database.
pub fn home(env: &Env) -> Option<PathBuf> {
    env.get("HOME")
        .map(PathBuf::from)
        .or_else(dirs::home_dir)
        .filter(|h| h.is_absolute())
}

/// Python's `os.path.expanduser` for `~` and `~/...` (not `~user`).
pub fn expand_user(path: &Path, env: &Env) -> PathBuf {
    let bytes = path.as_os_str().as_bytes();
    if (bytes == b"~" || bytes.starts_with(b"~/"))
        && let Some(home) = home(env)
    {
        let rest = bytes[1..].strip_prefix(b"/").unwrap_or(&bytes[1..]);
        return if rest.is_empty() {
            home
        } else {
            home.join(OsStr::from_bytes(rest))
        };
    }
    path.to_path_buf()
}

/// Python's `os.path.expandvars` on POSIX: `$NAME` and `${NAME}` replaced by
/// the variable's value when it is set, left as written otherwise.
pub fn expand_vars(value: &OsStr, env: &Env) -> OsString {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let is_name = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    while i < bytes.len() {
        if bytes[i] != b'$' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let (name, end) = if bytes.get(i + 1) == Some(&b'{') {
            match bytes[i + 2..].iter().position(|&b| b == b'}') {
                Some(len) => (&bytes[i + 2..i + 2 + len], i + 3 + len),
                None => (&bytes[i..i], i),
            }
        } else {
            let len = bytes[i + 1..].iter().take_while(|&&b| is_name(b)).count();
            (&bytes[i + 1..i + 1 + len], i + 1 + len)
        };
        let value = std::str::from_utf8(name)
            .ok()
            .filter(|n| !n.is_empty())
            .and_then(|n| env.get(n));
        match value {
            Some(value) => {
                out.extend_from_slice(value.as_bytes());
                i = end;
            }
            None => {
                out.push(b'$');
                i += 1;
            }
        }
    }
    OsString::from_vec(out)
}

pub use crate::regular_file::ReadError;

/// The bytes of a regular file (symlinks followed), at most `max` of them:
/// `Ok(None)` when there is no such file (or a directory). A FIFO, socket
/// or device is an error, found without waiting (see [`crate::regular_file`]).
pub fn read_bounded(path: &Path, max: u64) -> Result<Option<Vec<u8>>, ReadError> {
    Ok(crate::regular_file::read(path, max)?.map(|c| c.bytes))
}

/// A TOML file's top table, or `Ok(None)` when there is no such file.
pub fn read_toml(path: &Path) -> Result<Option<toml::Table>, ReadError> {
    let Some(bytes) = read_bounded(path, MAX_TOML)? else {
        return Ok(None);
    };
    parse_toml(&bytes).map(Some)
}

pub fn parse_toml(bytes: &[u8]) -> Result<toml::Table, ReadError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ReadError::Invalid("it is not UTF-8 text".into()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.parse::<toml::Table>().map_err(|e| {
        // The first line of toml's message says what and where.
        let message = e.to_string();
        ReadError::Invalid(message.lines().next().unwrap_or("TOML error").to_owned())
    })
}

/// `table[k1][k2]...`, when every step is a table.
pub fn toml_get<'a>(table: &'a toml::Table, keys: &[&str]) -> Option<&'a toml::Value> {
    let (last, path) = keys.split_last()?;
    let mut at = table;
    for key in path {
        at = at.get(*key)?.as_table()?;
    }
    at.get(*last)
}

pub fn toml_str<'a>(table: &'a toml::Table, keys: &[&str]) -> Option<&'a str> {
    toml_get(table, keys)?.as_str()
}

/// A venv is a directory holding `pyvenv.cfg`.
pub fn is_venv(path: &Path) -> bool {
    path.join("pyvenv.cfg").is_file()
}

/// What poetry and pipenv do to a name before it becomes a directory name:
/// `re.sub('[BAD]', '_', name)[:limit]` on a Python string. Python sees a
/// path's undecodable bytes as one character each (surrogateescape), so they
/// count as one character here and are kept as they are.
pub fn sanitize(name: &[u8], bad: &[char], limit: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len());
    let mut count = 0;
    for chunk in name.utf8_chunks() {
        for c in chunk.valid().chars() {
            if count == limit {
                return out;
            }
            let c = if bad.contains(&c) { '_' } else { c };
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            count += 1;
        }
        for &b in chunk.invalid() {
            if count == limit {
                return out;
            }
            out.push(b);
            count += 1;
        }
    }
    out
}

/// URL-safe base64 with padding, as Python's `base64.urlsafe_b64encode`.
pub fn urlsafe_b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE.encode(bytes)
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

/// A path for a message: lossy, never panics.
pub fn shown(path: &Path) -> String {
    crate::quote::display(path.as_os_str())
}

/// A program on PATH (from `env`, not the process): the first executable
/// regular file named `name` in a PATH entry that is absolute.
pub fn which(name: &str, env: &Env) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = env.get("PATH")?;
    path.as_bytes()
        .split(|&b| b == b':')
        .filter(|d| d.starts_with(b"/"))
        .map(|d| Path::new(OsStr::from_bytes(d)).join(name))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_counts_characters_like_python() {
        assert_eq!(sanitize(b"a b$c", &[' ', '$'], 42), b"a_b_c");
        // 'é' is one character to Python, two bytes here.
        assert_eq!(sanitize("éé".as_bytes(), &[], 1), "é".as_bytes());
        // An undecodable byte is one character (surrogateescape).
        assert_eq!(sanitize(b"\xffab", &[], 2), b"\xffa");
        assert_eq!(sanitize(&[b'x'; 50], &[], 42).len(), 42);
    }

    #[test]
    fn expand_vars_like_posixpath() {
        let env = Env::from_pairs([("A", "/a"), ("B_1", "b")]);
        let e = |s: &str| expand_vars(OsStr::new(s), &env);
        assert_eq!(e("$A/x"), "/a/x");
        assert_eq!(e("${B_1}y"), "by");
        assert_eq!(e("$NOPE/$"), "$NOPE/$");
        assert_eq!(e("${A"), "${A");
    }

    #[test]
    fn expand_user_uses_home() {
        let env = Env::from_pairs([("HOME", "/h")]);
        assert_eq!(expand_user(Path::new("~"), &env), Path::new("/h"));
        assert_eq!(expand_user(Path::new("~/x"), &env), Path::new("/h/x"));
        assert_eq!(expand_user(Path::new("~x"), &env), Path::new("~x"));
        assert_eq!(expand_user(Path::new("/a/~"), &env), Path::new("/a/~"));
    }

    #[test]
    fn bounded_reads_refuse_large_and_odd_files() {
        let tmp = tempfile::tempdir().unwrap();
        let big = tmp.path().join("big");
        std::fs::write(&big, vec![b'a'; 2000]).unwrap();
        assert_eq!(read_bounded(&big, 1000), Err(ReadError::TooLarge(1000)));
        assert_eq!(read_bounded(&tmp.path().join("none"), 10), Ok(None));
        assert_eq!(read_bounded(tmp.path(), 10), Ok(None));
        assert_eq!(read_bounded(&big.join("under-a-file"), 10), Ok(None));
        std::fs::write(&big, b"\xff\xfe = 1").unwrap();
        assert!(matches!(read_toml(&big), Err(ReadError::Invalid(_))));
        std::fs::write(&big, "a = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[").unwrap();
        assert!(matches!(read_toml(&big), Err(ReadError::Invalid(_))));
    }

    #[test]
    fn base64_is_python_urlsafe() {
        // python3 -c 'import base64; print(base64.urlsafe_b64encode(b"\xfb\xff\xfe"))'
        assert_eq!(urlsafe_b64(b"\xfb\xff\xfe"), "-__-");
        assert_eq!(urlsafe_b64(b"ab"), "YWI=");
    }
}
