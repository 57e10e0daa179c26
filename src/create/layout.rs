//! The files of a venv, as the base interpreter's own `venv` module makes
//! them for its version (3.8 to 3.13), plus `.gitignore` and `CACHEDIR.TAG`
//! as uv writes them. Everything here is a handful of mkdir, symlink and
//! write calls into the staging directory.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::facts::Facts;
use super::scripts;

/// Everything the files depend on.
pub struct Plan<'a> {
    /// Where the venv will live once renamed into place (baked into scripts).
    pub venv: &'a Path,
    /// The interpreter linked as `bin/<its name>`: absolute, as found.
    pub base: &'a Path,
    pub facts: &'a Facts,
    /// The name shown in the prompt.
    pub prompt: &'a OsStr,
    /// `--prompt`, written to pyvenv.cfg as CPython does.
    pub cfg_prompt: Option<&'a str>,
    pub system_site_packages: bool,
    pub copies: bool,
    pub seed: bool,
    pub clear: bool,
    /// `--prompt` as given (`.` stays `.`), for pyvenv.cfg's `command`.
    pub orig_prompt: Option<&'a str>,
    pub upgrade: bool,
    /// Write `.gitignore` (unless `--without-scm-ignore-files`).
    pub scm_ignore_files: bool,
    /// `--upgrade-deps`, recorded in pyvenv.cfg's `command`.
    pub upgrade_deps: bool,
}

impl Plan<'_> {
    /// `home`: the directory of the base interpreter, as CPython writes it.
    pub fn home(&self) -> &Path {
        self.base.parent().unwrap_or(Path::new("/"))
    }

    /// `bin/` names, the first one linked to the base, the others to it:
    /// the base's own name, then python, python3, python3.X (3.9+).
    pub fn bin_names(&self) -> Vec<OsString> {
        let [major, minor, _] = self.facts.version;
        let mut names: Vec<OsString> = vec![
            self.base.file_name().unwrap_or(OsStr::new("python")).into(),
            "python".into(),
            format!("python{major}").into(),
        ];
        if (major, minor) >= (3, 9) {
            names.push(format!("python{major}.{minor}").into());
        }
        if self.facts.implementation == "pypy" {
            names.push("pypy".into());
            names.push(format!("pypy{major}").into());
            names.push(format!("pypy{major}.{minor}").into());
        }
        let mut seen = Vec::new();
        names.retain(|n| {
            let new = !seen.contains(n);
            seen.push(n.clone());
            new
        });
        names
    }

    pub fn site_packages(&self) -> PathBuf {
        self.facts.purelib.clone()
    }
}

/// The `.gitignore` CPython 3.13 writes (rvenv writes it for every
/// version, as uv does).
pub const GITIGNORE: &[u8] =
    b"# Created by venv; see https://docs.python.org/3/library/venv.html\n*\n";

/// Builds the venv's files under `stage`, all but pyvenv.cfg.
pub fn build(stage: &Path, plan: &Plan) -> anyhow::Result<()> {
    let bin = stage.join("bin");
    mkdir(&bin)?;
    let names = plan.bin_names();
    for (i, name) in names.iter().enumerate() {
        let dest = bin.join(name);
        if plan.copies {
            std::fs::copy(plan.base, &dest)
                .with_context(|| format!("cannot copy {}", plan.base.display()))?;
            std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o755))?;
        } else if i == 0 {
            symlink(plan.base, &dest)
                .with_context(|| format!("cannot write {}", dest.display()))?;
        } else {
            symlink(&names[0], &dest)
                .with_context(|| format!("cannot write {}", dest.display()))?;
        }
    }
    std::fs::create_dir_all(stage.join(plan.site_packages()))
        .with_context(|| format!("cannot create {}", stage.display()))?;
    if plan.facts.lib64 && plan.facts.purelib.starts_with("lib") {
        symlink("lib", stage.join("lib64")).context("cannot create lib64")?;
    }
    std::fs::create_dir_all(stage.join(&plan.facts.include)).context("cannot create include")?;
    for script in scripts::all(plan.venv.as_os_str(), plan.prompt) {
        write(&bin.join(script.name), &script.text)?;
    }
    if plan.scm_ignore_files {
        write(&stage.join(".gitignore"), GITIGNORE)?;
    }
    write(
        &stage.join("CACHEDIR.TAG"),
        b"Signature: 8a477f597d28d172789f06886806bc55\n\
          # This file is a cache directory tag created by rvenv.\n\
          # For information about cache directory tags see https://bford.info/cachedir/\n",
    )?;
    Ok(())
}

/// pyvenv.cfg as that version of CPython's venv writes it.
pub fn pyvenv_cfg(plan: &Plan) -> Vec<u8> {
    let mut cfg = Vec::new();
    let line = |cfg: &mut Vec<u8>, key: &str, value: &[u8]| {
        cfg.extend_from_slice(key.as_bytes());
        cfg.extend_from_slice(b" = ");
        cfg.extend_from_slice(value);
        cfg.push(b'\n');
    };
    let [major, minor, patch] = plan.facts.version;
    line(&mut cfg, "home", plan.home().as_os_str().as_bytes());
    line(
        &mut cfg,
        "include-system-site-packages",
        if plan.system_site_packages {
            b"true"
        } else {
            b"false"
        },
    );
    line(
        &mut cfg,
        "version",
        format!("{major}.{minor}.{patch}").as_bytes(),
    );
    if let Some(prompt) = plan.cfg_prompt {
        line(&mut cfg, "prompt", python_repr(prompt).as_bytes());
    }
    if (major, minor) >= (3, 11) {
        let real = std::fs::canonicalize(plan.base).unwrap_or_else(|_| plan.base.to_owned());
        line(&mut cfg, "executable", real.as_os_str().as_bytes());
        let mut command = plan.base.as_os_str().as_bytes().to_vec();
        command.extend_from_slice(b" -m venv");
        let mut arg = |a: &[u8]| {
            command.push(b' ');
            command.extend_from_slice(a);
        };
        if plan.copies {
            arg(b"--copies");
        }
        if !plan.seed {
            arg(b"--without-pip");
        }
        if plan.system_site_packages {
            arg(b"--system-site-packages");
        }
        if plan.clear {
            arg(b"--clear");
        }
        if plan.upgrade {
            arg(b"--upgrade");
        }
        if plan.upgrade_deps {
            arg(b"--upgrade-deps");
        }
        if let Some(prompt) = plan.orig_prompt {
            arg(format!("--prompt=\"{prompt}\"").as_bytes());
        }
        if !plan.scm_ignore_files && (major, minor) >= (3, 13) {
            arg(b"--without-scm-ignore-files");
        }
        arg(plan.venv.as_os_str().as_bytes());
        // A line break would end the line early and let a directory name
        // write keys of its own; bytes that are not UTF-8 stop site.py,
        // which reads pyvenv.cfg as UTF-8, so the venv's python would not
        // start (UnicodeDecodeError). Such a command is left out: nothing
        // reads it, it only records how the venv was made.
        if !command.contains(&b'\n')
            && !command.contains(&b'\r')
            && std::str::from_utf8(&command).is_ok()
        {
            line(&mut cfg, "command", &command);
        }
    }
    cfg
}

/// `repr(s)` as Python writes it: single quotes unless `s` holds `'` and no
/// `"`; backslash, the quote and control characters escaped.
pub fn python_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

fn mkdir(path: &Path) -> anyhow::Result<()> {
    std::fs::create_dir(path).with_context(|| format!("cannot create {}", path.display()))
}

pub fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::File::create(path)
        .and_then(|mut f| f.write_all(bytes))
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_like_python() {
        assert_eq!(python_repr("shop"), "'shop'");
        assert_eq!(python_repr("it's"), "\"it's\"");
        assert_eq!(python_repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(python_repr("x\ny\\"), "'x\\ny\\\\'");
        assert_eq!(python_repr("\u{1b}"), "'\\x1b'");
    }
}
