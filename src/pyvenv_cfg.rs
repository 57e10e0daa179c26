//! `pyvenv.cfg` (PEP 405), read the way CPython's `site.py` reads it: one
//! `key = value` per line, keys case-insensitive, anything else ignored.
//! Values are kept as bytes: `home` may be any path.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::regular_file::{self, ReadError};

/// No real pyvenv.cfg comes near this; a larger file is not read at all, so a
/// hostile repository cannot make the prompt hook read gigabytes.
pub const MAX_SIZE: u64 = 64 * 1024;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PyvenvCfg {
    pub home: Option<PathBuf>,
    pub version: Option<String>,
    pub prompt: Option<OsString>,
    pub include_system_site_packages: bool,
    pub executable: Option<PathBuf>,
    /// virtualenv's `base-executable`.
    pub base_executable: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CfgError {
    Missing,
    Unreadable(ReadError),
    TooLarge,
    Binary,
}

impl std::fmt::Display for CfgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CfgError::Missing => write!(f, "it has no pyvenv.cfg"),
            CfgError::Unreadable(e) => write!(f, "its pyvenv.cfg {e}"),
            CfgError::TooLarge => write!(f, "its pyvenv.cfg is larger than {MAX_SIZE} bytes"),
            CfgError::Binary => write!(f, "its pyvenv.cfg is not a text file"),
        }
    }
}

impl PyvenvCfg {
    /// Reads `venv/pyvenv.cfg`, refusing files over [`MAX_SIZE`] and
    /// anything that is not a regular file (a FIFO would block the hook).
    pub fn read(venv: &Path) -> Result<PyvenvCfg, CfgError> {
        match regular_file::read(&venv.join("pyvenv.cfg"), MAX_SIZE) {
            Ok(Some(contents)) => Self::parse(&contents.bytes),
            Ok(None) => Err(CfgError::Missing),
            Err(ReadError::TooLarge(_)) => Err(CfgError::TooLarge),
            Err(e) => Err(CfgError::Unreadable(e)),
        }
    }

    pub fn parse(bytes: &[u8]) -> Result<PyvenvCfg, CfgError> {
        if bytes.contains(&0) {
            return Err(CfgError::Binary);
        }
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        let mut cfg = PyvenvCfg::default();
        for line in bytes.split(|&b| b == b'\n') {
            let line = trim(line);
            if line.is_empty() || line[0] == b'#' || line[0] == b';' {
                continue;
            }
            let Some(eq) = line.iter().position(|&b| b == b'=') else {
                continue;
            };
            let key = trim(&line[..eq]).to_ascii_lowercase();
            let value = trim(&line[eq + 1..]);
            match key.as_slice() {
                b"home" => cfg.home = Some(PathBuf::from(OsStr::from_bytes(value))),
                b"version" | b"version_info" => {
                    cfg.version = Some(String::from_utf8_lossy(value).into_owned())
                }
                b"prompt" => cfg.prompt = Some(unquote_prompt(value)),
                b"include-system-site-packages" => {
                    cfg.include_system_site_packages = value.eq_ignore_ascii_case(b"true")
                }
                b"executable" => cfg.executable = Some(PathBuf::from(OsStr::from_bytes(value))),
                b"base-executable" => {
                    cfg.base_executable = Some(PathBuf::from(OsStr::from_bytes(value)))
                }
                _ => {}
            }
        }
        Ok(cfg)
    }
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if first.is_ascii_whitespace() {
            s = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = s {
        if last.is_ascii_whitespace() {
            s = rest;
        } else {
            break;
        }
    }
    s
}

/// CPython's venv writes `prompt = 'name'` (a Python repr), virtualenv
/// `prompt = "name"`, others the bare name: strip one pair of matching quotes
/// and the repr's backslash escapes for `\\`, `\'` and `\"`.
fn unquote_prompt(value: &[u8]) -> OsString {
    let inner = match value {
        [q @ (b'\'' | b'"'), inner @ .., last] if last == q => inner,
        _ => return OsStr::from_bytes(value).to_owned(),
    };
    let mut out = Vec::with_capacity(inner.len());
    let mut bytes = inner.iter().copied();
    while let Some(b) = bytes.next() {
        if b == b'\\' {
            match bytes.next() {
                Some(n @ (b'\\' | b'\'' | b'"')) => out.push(n),
                Some(n) => out.extend_from_slice(&[b'\\', n]),
                None => out.push(b'\\'),
            }
        } else {
            out.push(b);
        }
    }
    OsString::from(OsStr::from_bytes(&out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cpython_layout() {
        let cfg = PyvenvCfg::parse(
            b"home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.12.1\n\
              executable = /usr/bin/python3.12\ncommand = /usr/bin/python3.12 -m venv /p/.venv\n\
              prompt = 'shop'\n",
        )
        .unwrap();
        assert_eq!(cfg.home, Some(PathBuf::from("/usr/bin")));
        assert_eq!(cfg.version.as_deref(), Some("3.12.1"));
        assert_eq!(cfg.prompt, Some(OsString::from("shop")));
        assert!(!cfg.include_system_site_packages);
    }

    #[test]
    fn tolerates_bom_crlf_comments_blank_lines_and_unknown_keys() {
        let cfg = PyvenvCfg::parse(
            b"\xef\xbb\xbf# comment\r\n\r\n; other\r\nHOME=/opt/py/bin\r\nfoo = bar\r\n\
              garbage line\r\nInclude-System-Site-Packages = True\r\n",
        )
        .unwrap();
        assert_eq!(cfg.home, Some(PathBuf::from("/opt/py/bin")));
        assert!(cfg.include_system_site_packages);
    }

    #[test]
    fn prompt_quotes_and_escapes() {
        let p = |s: &[u8]| PyvenvCfg::parse(s).unwrap().prompt.unwrap();
        assert_eq!(p(b"prompt = \"virt env\""), OsString::from("virt env"));
        assert_eq!(p(b"prompt = 'it\\'s'"), OsString::from("it's"));
        assert_eq!(p(b"prompt = bare $(x)"), OsString::from("bare $(x)"));
        assert_eq!(p(b"prompt = 'a"), OsString::from("'a"));
    }

    #[test]
    fn no_home_and_binary() {
        assert_eq!(PyvenvCfg::parse(b"version = 3.12").unwrap().home, None);
        assert!(matches!(
            PyvenvCfg::parse(b"home = /x\0"),
            Err(CfgError::Binary)
        ));
        assert_eq!(PyvenvCfg::parse(b"").unwrap(), PyvenvCfg::default());
    }

    #[test]
    fn bounded_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pyvenv.cfg"),
            vec![b'#'; MAX_SIZE as usize + 1],
        )
        .unwrap();
        assert!(matches!(
            PyvenvCfg::read(dir.path()),
            Err(CfgError::TooLarge)
        ));
        std::fs::remove_file(dir.path().join("pyvenv.cfg")).unwrap();
        assert!(matches!(
            PyvenvCfg::read(dir.path()),
            Err(CfgError::Missing)
        ));
        std::fs::create_dir(dir.path().join("pyvenv.cfg")).unwrap();
        assert!(matches!(
            PyvenvCfg::read(dir.path()),
            Err(CfgError::Missing)
        ));
    }
}
