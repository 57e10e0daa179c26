//! `--seed`: pip, installed offline from the base interpreter's own bundled
//! wheel (`ensurepip/_bundled/pip-*.whl`), unpacked natively on all cores.
//! The result is what an installer leaves: the `.dist-info` with INSTALLER
//! and a RECORD listing every file, and console scripts `pip`, `pip3` and
//! `pip3.X` (the venv's X, whatever Python the wheel was built with) whose
//! shebang runs the venv's python even when its path has spaces.
//!
//! Like uv, the wheel is unpacked once into the cache and its files are
//! hard-linked into each venv: a link allocates no inode and copies no
//! data, which is most of the cost of writing 500 files. pip never writes
//! into an installed file (it unlinks and replaces), so venvs do not share
//! changes. Where links cannot be made (another file system), the wheel is
//! unpacked straight into the venv.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::io::{Cursor, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use sha2::Digest;

use super::layout::{Plan, write};

/// The newest pip wheel bundled with the interpreter (Debian keeps them in
/// /usr/share/python-wheels).
pub fn find_wheel(stdlib: &Path) -> Option<(PathBuf, String)> {
    let dirs = [
        stdlib.join("ensurepip/_bundled"),
        PathBuf::from("/usr/share/python-wheels"),
    ];
    dirs.iter().find_map(|dir| {
        std::fs::read_dir(dir)
            .ok()?
            .flatten()
            .filter_map(|e| {
                let name = e.file_name();
                let name = name.to_str()?;
                let version = name.strip_prefix("pip-")?.strip_suffix(".whl")?;
                let version = version.split('-').next()?.to_owned();
                Some((e.path(), version))
            })
            .max_by_key(|(_, v)| version_key(v))
    })
}

fn version_key(v: &str) -> Vec<u64> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

/// Unpacks pip into the staged venv; returns pip's version.
pub fn install_pip(stage: &Path, plan: &Plan, cache: Option<&Path>) -> anyhow::Result<String> {
    let (wheel, version) = find_wheel(&plan.facts.stdlib).with_context(|| {
        format!(
            "{} bundles no pip wheel (no ensurepip); create without --seed",
            plan.base.display()
        )
    })?;
    let site = stage.join(plan.site_packages());
    let linked = match cache.and_then(|c| unpacked_in_cache(&wheel, c)) {
        Some(tree) => link_tree(&tree, &site)?,
        None => None,
    };
    let mut record = match linked {
        Some(record) => record,
        None => {
            let data = std::fs::read(&wheel)
                .with_context(|| format!("cannot read {}", wheel.display()))?;
            unpack(&data, &site).with_context(|| format!("cannot unpack {}", wheel.display()))?
        }
    };

    let dist_info = format!("pip-{version}.dist-info");
    let entry_points =
        std::fs::read_to_string(site.join(&dist_info).join("entry_points.txt")).unwrap_or_default();
    let target = console_target(&entry_points, "pip")
        .unwrap_or_else(|| "pip._internal.cli.main:main".to_owned());
    let python = plan.venv.join("bin/python");
    let script = console_script(python.as_os_str(), &target)?;
    let [major, minor, _] = plan.facts.version;
    let up = "../".repeat(plan.site_packages().components().count());
    let mut extra = Vec::new();
    for name in [
        "pip".to_owned(),
        format!("pip{major}"),
        format!("pip{major}.{minor}"),
    ] {
        let path = stage.join("bin").join(&name);
        write(&path, &script)?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
        extra.push(record_line(&format!("{up}bin/{name}"), &script));
    }
    let installer = b"rvenv\n";
    let _ = std::fs::remove_file(site.join(&dist_info).join("INSTALLER"));
    write(&site.join(&dist_info).join("INSTALLER"), installer)?;
    extra.push(record_line(&format!("{dist_info}/INSTALLER"), installer));

    // The wheel's RECORD lists its own files; add ours, RECORD itself last.
    let record_name = format!("{dist_info}/RECORD");
    record.retain(|line| !line.starts_with(&format!("{record_name},")));
    record.extend(extra);
    record.push(format!("{record_name},,"));
    let mut text = record.join("\n");
    text.push('\n');
    // Never write through a link into the cache: replace the file.
    let _ = std::fs::remove_file(site.join(&record_name));
    write(&site.join(&record_name), text.as_bytes())?;
    Ok(version)
}

/// `module:function` of the console script `name` in entry_points.txt.
fn console_target(entry_points: &str, name: &str) -> Option<String> {
    let mut in_section = false;
    for line in entry_points.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_section = line == "[console_scripts]";
        } else if in_section
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == name
        {
            return Some(value.trim().to_owned());
        }
    }
    None
}

/// A console script as pip writes one (distlib's template). The shebang is
/// `#!PYTHON` when that path is plain and short; otherwise `/bin/sh` runs
/// it, then Python reads the `exec` line as a string (distlib's trick).
pub fn console_script(python: &OsStr, target: &str) -> anyhow::Result<Vec<u8>> {
    let Some((module, func)) = target.split_once(':') else {
        bail!("pip's entry point {target:?} is not module:function");
    };
    let func = func.split_whitespace().next().unwrap_or(func).trim();
    let module = module.trim();
    let bytes = python.as_bytes();
    let plain = bytes.len() <= 127
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"/._+-@,:~%".contains(b));
    let mut out = Vec::new();
    if plain {
        out.extend_from_slice(b"#!");
        out.extend_from_slice(bytes);
        out.push(b'\n');
    } else {
        out.extend_from_slice(b"#!/bin/sh\n'''exec' ");
        out.extend_from_slice(&sh_word_in_python_string(bytes));
        out.extend_from_slice(b" \"$0\" \"$@\"\n' '''\n");
    }
    let (attr, _) = func.split_once('.').unwrap_or((func, ""));
    out.extend_from_slice(
        format!(
            "# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom {module} import {attr}\n\
             if __name__ == '__main__':\n    \
             sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    \
             sys.exit({func}())\n"
        )
        .as_bytes(),
    );
    Ok(out)
}

/// A POSIX sh word for `bytes` that is also harmless inside a Python `'''`
/// string: no `'''` run and no backslash but valid octal escapes. Plain
/// characters go in double quotes (a `'` followed by `""` to break runs),
/// `$`, `` ` `` and `"` in single quotes, and `\` or bytes that are not UTF-8
/// as `$(printf '\NNN')`.
pub fn sh_word_in_python_string(bytes: &[u8]) -> Vec<u8> {
    #[derive(PartialEq)]
    enum Mode {
        None,
        Double,
        Single,
    }
    let mut out = Vec::new();
    let mut mode = Mode::None;
    let switch = |out: &mut Vec<u8>, mode: &mut Mode, to: Mode| {
        if *mode == to {
            return;
        }
        match mode {
            Mode::Double => out.push(b'"'),
            Mode::Single => out.push(b'\''),
            Mode::None => {}
        }
        match to {
            Mode::Double => out.push(b'"'),
            Mode::Single => out.push(b'\''),
            Mode::None => {}
        }
        *mode = to;
    };
    let mut rest = bytes;
    while !rest.is_empty() {
        let (valid, bad) = match std::str::from_utf8(rest) {
            Ok(s) => (s, 0),
            Err(e) => (
                std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or_default(),
                e.error_len().unwrap_or(rest.len() - e.valid_up_to()),
            ),
        };
        for c in valid.chars() {
            match c {
                '$' | '`' | '"' => {
                    switch(&mut out, &mut mode, Mode::Single);
                    out.push(c as u8);
                }
                '\\' => {
                    switch(&mut out, &mut mode, Mode::None);
                    out.extend_from_slice(b"\"$(printf '\\134')\"");
                }
                '\'' => {
                    switch(&mut out, &mut mode, Mode::Double);
                    out.extend_from_slice(b"'\"\"");
                }
                c => {
                    switch(&mut out, &mut mode, Mode::Double);
                    let mut buf = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
        for &b in &rest[valid.len()..valid.len() + bad] {
            switch(&mut out, &mut mode, Mode::None);
            out.extend_from_slice(format!("\"$(printf '\\{b:03o}')\"").as_bytes());
        }
        rest = &rest[valid.len() + bad..];
    }
    switch(&mut out, &mut mode, Mode::None);
    if out.is_empty() {
        out.extend_from_slice(b"''");
    }
    out
}

fn record_line(path: &str, bytes: &[u8]) -> String {
    let digest = sha2::Sha256::digest(bytes);
    format!("{path},sha256={},{}", base64_urlsafe(&digest), bytes.len())
}

fn base64_urlsafe(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The wheel unpacked in the cache (`wheels/<key>/`), made on first use:
/// unpacked into a private directory, then renamed into place whole.
fn unpacked_in_cache(wheel: &Path, cache: &Path) -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let meta = wheel.metadata().ok()?;
    let mut key = sha2::Sha256::new();
    key.update(wheel.as_os_str().as_bytes());
    key.update(format!("\0{}\0{}.{}", meta.size(), meta.mtime(), meta.mtime_nsec()).as_bytes());
    let key: String = key.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let name = wheel.file_name()?.to_string_lossy().into_owned();
    let dir = cache.join("wheels").join(format!("{name}-{key}"));
    if dir.is_dir() {
        return Some(dir);
    }
    let tmp = cache.join("wheels").join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&tmp).ok()?;
    clean_stale_tmp(&cache.join("wheels"));
    let made = std::fs::read(wheel)
        .ok()
        .and_then(|data| unpack(&data, &tmp).ok())
        .is_some();
    if made && std::fs::rename(&tmp, &dir).is_ok() {
        return Some(dir);
    }
    let _ = std::fs::remove_dir_all(&tmp);
    // Another create may have put it there first.
    dir.is_dir().then_some(dir)
}

/// Removes what killed creates left while unpacking into the cache.
fn clean_stale_tmp(wheels: &Path) {
    for entry in std::fs::read_dir(wheels).into_iter().flatten().flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 600);
        if old && entry.file_name().as_bytes().starts_with(b".tmp-") {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Hard-links every file of `tree` (listed by its RECORD) under `site`;
/// returns the RECORD lines, or `None` when links cannot be made here
/// (nothing was linked then).
fn link_tree(tree: &Path, site: &Path) -> anyhow::Result<Option<Vec<String>>> {
    let Some(record_file) = std::fs::read_dir(tree).ok().and_then(|entries| {
        entries
            .flatten()
            .map(|e| e.path().join("RECORD"))
            .find(|p| {
                p.parent()
                    .is_some_and(|d| d.extension() == Some(OsStr::new("dist-info")))
                    && p.is_file()
            })
    }) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&record_file)?;
    let record: Vec<String> = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let files: Vec<&str> = record
        .iter()
        .filter_map(|l| l.split(',').next())
        .filter(|f| !f.ends_with(".dist-info/RECORD") && safe_relative(f))
        .collect();
    let dirs: BTreeSet<&Path> = files.iter().filter_map(|f| Path::new(f).parent()).collect();
    for dir in &dirs {
        std::fs::create_dir_all(site.join(dir))
            .with_context(|| format!("cannot create {}", site.join(dir).display()))?;
    }
    for (n, file) in files.iter().enumerate() {
        match std::fs::hard_link(tree.join(file), site.join(file)) {
            Ok(()) => {}
            Err(_) if n == 0 => return Ok(None),
            Err(e) => {
                return Err(e).with_context(|| format!("cannot link {file} into the venv"));
            }
        }
    }
    Ok(Some(record))
}

fn safe_relative(path: &str) -> bool {
    let rel = Path::new(path);
    !rel.as_os_str().is_empty()
        && rel
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// Unpacks every file of the wheel under `site`, spread over the cores;
/// returns the wheel's RECORD lines.
fn unpack(data: &[u8], site: &Path) -> anyhow::Result<Vec<String>> {
    let archive = zip::ZipArchive::new(Cursor::new(data)).context("not a zip file")?;
    let mut files = Vec::with_capacity(archive.len());
    let mut dirs = BTreeSet::new();
    let mut record = None;
    for i in 0..archive.len() {
        let Some(Ok(name)) = archive.name_for_index(i) else {
            continue;
        };
        let name: &str = &name;
        if name.ends_with('/') {
            continue;
        }
        // Only plain relative paths: nothing may land outside site-packages.
        let rel = Path::new(name);
        if !safe_relative(name) {
            bail!("the wheel holds an unsafe path {name:?}");
        }
        if name.contains(".data/") && name.split('/').next().is_some_and(|d| d.ends_with(".data")) {
            bail!("the wheel holds a .data directory, which rvenv does not install");
        }
        if name.ends_with(".dist-info/RECORD") && !name[..name.len() - 7].contains('/') {
            record = Some(i);
        }
        if let Some(parent) = rel.parent() {
            dirs.insert(parent.to_owned());
        }
        files.push((i, site.join(rel)));
    }
    for dir in &dirs {
        std::fs::create_dir_all(site.join(dir))
            .with_context(|| format!("cannot create {}", site.join(dir).display()))?;
    }
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = files.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                let mut archive = archive.clone();
                scope.spawn(move || -> anyhow::Result<()> {
                    let mut buf = Vec::new();
                    for (i, dest) in part {
                        let mut entry = archive.by_index(*i)?;
                        buf.clear();
                        entry.read_to_end(&mut buf)?;
                        write(dest, &buf)?;
                    }
                    Ok(())
                })
            })
            .collect();
        for handle in handles {
            handle
                .join()
                .map_err(|_| anyhow::anyhow!("an unpacking thread panicked"))??;
        }
        Ok(())
    })?;
    let record = record.context("the wheel has no RECORD")?;
    let mut archive = archive;
    let mut text = String::new();
    archive.by_index(record)?.read_to_string(&mut text)?;
    Ok(text
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_like_python() {
        assert_eq!(base64_urlsafe(b""), "");
        assert_eq!(base64_urlsafe(b"f"), "Zg");
        assert_eq!(base64_urlsafe(b"fo"), "Zm8");
        assert_eq!(base64_urlsafe(b"foo"), "Zm9v");
        assert_eq!(base64_urlsafe(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn entry_points() {
        let text = "[console_scripts]\npip = pip._internal.cli.main:main\n[other]\nx = y:z\n";
        assert_eq!(
            console_target(text, "pip").as_deref(),
            Some("pip._internal.cli.main:main")
        );
        assert_eq!(console_target(text, "x"), None);
    }

    #[test]
    fn shebangs() {
        let s = console_script(OsStr::new("/v/bin/python"), "pip._internal.cli.main:main").unwrap();
        let s = String::from_utf8(s).unwrap();
        assert!(s.starts_with("#!/v/bin/python\n# -*- coding: utf-8 -*-\n"));
        assert!(s.contains("from pip._internal.cli.main import main\n"));
        let s = console_script(OsStr::new("/a b/bin/python"), "m:f").unwrap();
        assert!(s.starts_with(b"#!/bin/sh\n'''exec' \"/a b/bin/python\" \"$0\" \"$@\"\n' '''\n"));
    }

    #[test]
    fn sh_words_never_close_the_python_string() {
        let w = |b: &[u8]| String::from_utf8(sh_word_in_python_string(b)).unwrap();
        assert_eq!(w(b"/a b"), "\"/a b\"");
        assert_eq!(w(b"'''"), "\"'\"\"'\"\"'\"\"\"");
        assert_eq!(w(b"$(x)`"), "'$'\"(x)\"'`'");
        assert_eq!(
            w(b"a\\\xff"),
            "\"a\"\"$(printf '\\134')\"\"$(printf '\\377')\""
        );
        for hostile in [&b"'''"[..], b"x'''y", b"\\'", b"'$'", b"\"\"\""] {
            let word = w(hostile);
            assert!(!word.contains("'''"), "{word}");
        }
    }
}
