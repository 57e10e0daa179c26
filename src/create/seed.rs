//! pip by default, as `python -m venv` and virtualenv do: what the base
//! interpreter's own `ensurepip` bundles (pip, and setuptools for 3.8 to
//! 3.11), at the same versions, installed offline from its wheels. The
//! result is what pip leaves when ensurepip runs it: each `.dist-info` with
//! INSTALLER, REQUESTED and a RECORD listing every file, the bytecode
//! included, and console scripts `pip`, `pip3` and `pip3.X` (the venv's X,
//! whatever Python the wheel was built with) whose shebang runs the venv's
//! python even when its path has spaces.
//!
//! Like uv, the wheels are unpacked once into the cache; each venv gets
//! its own copy of their files (a reflink where the file system can,
//! else `copy_file_range`), never a hard link: a link would share the
//! inode with the cache and every other venv, so an edit or a `chown -R`
//! of one venv would reach them all. Unlike uv, the cached tree also
//! holds the bytecode, made once by the base interpreter: pip's first
//! start in a new venv then reads `.pyc` files instead of compiling 400
//! modules (1.6 s against 0.5 s).
//!
//! The bytecode is timestamp-checked, as pip writes it: each `.pyc` holds
//! its source's mtime and size, which the copy keeps, so it stays valid in
//! every venv, and an edited source is recompiled as usual. (Unchecked-hash
//! pycs would survive a copy that loses mtimes, but would hide edits;
//! checked-hash ones would read and hash every source at every start.) The
//! path the compiler saw is fixed up by the import system when it loads
//! the `.pyc` from its source's place, so tracebacks name the venv's files.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::io::{Cursor, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, bail};
use sha2::Digest;

use super::layout::{Plan, write};

/// Bumped whenever what the cache holds changes.
const CACHE_FORMAT: &str = "rvenv-seed 1";

/// Where Debian and Fedora keep the wheels their ensurepip installs.
const SYSTEM_WHEELS: &str = "/usr/share/python-wheels";

/// A wheel that ensurepip would install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wheel {
    /// The distribution: `pip` or `setuptools`.
    pub name: String,
    pub version: String,
    pub path: PathBuf,
}

/// A distribution in the venv: its name and version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    pub name: String,
    pub version: String,
}

/// The wheels the interpreter's `ensurepip` installs, pip first: the
/// versions it pins (`_PIP_VERSION`, `_SETUPTOOLS_VERSION`) from its
/// `_bundled` directory, else the newest in the system's wheel directory
/// (Debian's ensurepip takes those). Empty when there is no pip wheel.
pub fn bundled(stdlib: &Path, version: [u32; 3]) -> Vec<Wheel> {
    let bundled_dir = stdlib.join("ensurepip/_bundled");
    let source = std::fs::read_to_string(stdlib.join("ensurepip/__init__.py")).ok();
    let pin = |var: &str| source.as_deref().and_then(|s| pinned_version(s, var));
    let with_setuptools = match &source {
        Some(s) => s.contains("_SETUPTOOLS_VERSION"),
        None => (version[0], version[1]) < (3, 12),
    };
    let mut wanted = vec![("pip", pin("_PIP_VERSION"))];
    if with_setuptools {
        wanted.push(("setuptools", pin("_SETUPTOOLS_VERSION")));
    }
    let mut out = Vec::new();
    for (name, pinned) in wanted {
        let found = pinned
            .and_then(|v| wheels_in(&bundled_dir, name).find(|w| w.version == v))
            .or_else(|| newest(wheels_in(Path::new(SYSTEM_WHEELS), name)))
            .or_else(|| newest(wheels_in(&bundled_dir, name)));
        match found {
            Some(wheel) => out.push(wheel),
            // No pip, no seed: setuptools alone is not what venv makes.
            None if name == "pip" => return Vec::new(),
            None => {}
        }
    }
    out
}

/// `VAR = "1.2.3"` in ensurepip's source.
fn pinned_version(source: &str, var: &str) -> Option<String> {
    source.lines().find_map(|line| {
        let rest = line
            .strip_prefix(var)?
            .trim_start()
            .strip_prefix('=')?
            .trim();
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let value = rest[1..].split(quote).next()?;
        Some(value.to_owned())
    })
}

/// The wheels of distribution `name` in `dir` (`name-VERSION-....whl`).
fn wheels_in(dir: &Path, name: &str) -> impl Iterator<Item = Wheel> {
    let prefix = format!("{name}-");
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(move |e| {
            let file = e.file_name();
            let file = file.to_str()?;
            let rest = file.strip_prefix(&prefix)?.strip_suffix(".whl")?;
            let version = rest.split('-').next()?;
            version
                .starts_with(|c: char| c.is_ascii_digit())
                .then(|| Wheel {
                    name: name.to_owned(),
                    version: version.to_owned(),
                    path: e.path(),
                })
        })
}

fn newest(wheels: impl Iterator<Item = Wheel>) -> Option<Wheel> {
    wheels.max_by_key(|w| version_key(&w.version))
}

fn version_key(v: &str) -> Vec<u64> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

/// `--upgrade-deps`, as venv does it once the venv is in place (pip writes
/// the venv's path into what it installs): the venv's own pip upgrades
/// pip, and setuptools before 3.12, from the index. pip's output goes to
/// stderr, where messages belong.
pub fn upgrade_deps(venv: &Path, version: [u32; 3]) -> anyhow::Result<()> {
    use std::os::fd::AsFd;
    let python = venv.join("bin/python");
    let mut cmd = Command::new(&python);
    cmd.args([
        "-m",
        "pip",
        "install",
        "--upgrade",
        "--quiet",
        "--disable-pip-version-check",
    ])
    .args(deps(version))
    .stdin(Stdio::null());
    if let Ok(err) = std::io::stderr().as_fd().try_clone_to_owned() {
        cmd.stdout(Stdio::from(err));
    }
    let status = cmd
        .status()
        .with_context(|| format!("cannot run {}", python.display()))?;
    if !status.success() {
        bail!("pip install --upgrade {} failed", deps(version).join(" "));
    }
    Ok(())
}

/// What `--upgrade-deps` upgrades: venv's CORE_VENV_DEPS.
pub fn deps(version: [u32; 3]) -> &'static [&'static str] {
    if (version[0], version[1]) < (3, 12) {
        &["pip", "setuptools"]
    } else {
        &["pip"]
    }
}

/// The versions of `names` installed under `site`, read from their
/// dist-info directories (`pip-24.2.dist-info`), in the order of `names`.
pub fn installed_in(site: &Path, names: &[&str]) -> Vec<Installed> {
    let dirs: Vec<String> = std::fs::read_dir(site)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names
        .iter()
        .filter_map(|name| {
            let version = dirs.iter().find_map(|d| {
                let v = d.strip_prefix(name)?.strip_prefix('-')?;
                v.strip_suffix(".dist-info")
            })?;
            Some(Installed {
                name: (*name).to_owned(),
                version: version.to_owned(),
            })
        })
        .collect()
}

/// A wheel's files under a site-packages tree.
struct Unpacked {
    /// `pip-23.2.1.dist-info`.
    dist_info: String,
    /// RECORD lines of every file but RECORD itself.
    record: Vec<String>,
}

/// Installs `wheels` into the staged venv: files (copied from the cache
/// when it can), console scripts, INSTALLER, REQUESTED and RECORD.
pub fn install(
    stage: &Path,
    plan: &Plan,
    wheels: &[Wheel],
    cache: Option<&Path>,
) -> anyhow::Result<Vec<Installed>> {
    let site = stage.join(plan.site_packages());
    let copied = match cache.and_then(|c| prepared_in_cache(wheels, plan, c)) {
        Some(tree) => copy_tree(&tree, &site)?,
        None => None,
    };
    let unpacked = match copied {
        Some(unpacked) => unpacked,
        None => build_tree(wheels, &site, plan.base)?,
    };
    let mut installed = Vec::new();
    for (wheel, files) in wheels.iter().zip(unpacked) {
        finish(stage, plan, wheel, files)?;
        installed.push(Installed {
            name: wheel.name.clone(),
            version: wheel.version.clone(),
        });
    }
    Ok(installed)
}

/// Writes what pip writes beside the wheel's files: console scripts,
/// INSTALLER, REQUESTED, then RECORD listing everything, sorted as pip does.
fn finish(stage: &Path, plan: &Plan, wheel: &Wheel, files: Unpacked) -> anyhow::Result<()> {
    let site = stage.join(plan.site_packages());
    let dist_info = &files.dist_info;
    let entry_points =
        std::fs::read_to_string(site.join(dist_info).join("entry_points.txt")).unwrap_or_default();
    let [major, minor, _] = plan.facts.version;
    let mut scripts: Vec<(String, String)> = Vec::new();
    if wheel.name == "pip" {
        let target = console_targets(&entry_points)
            .into_iter()
            .find(|(name, _)| name == "pip")
            .map(|(_, target)| target)
            .unwrap_or_else(|| "pip._internal.cli.main:main".to_owned());
        for name in [
            "pip".to_owned(),
            format!("pip{major}"),
            format!("pip{major}.{minor}"),
        ] {
            scripts.push((name, target.clone()));
        }
    } else {
        scripts = console_targets(&entry_points)
            .into_iter()
            .filter(|(name, _)| safe_relative(name) && !name.contains('/'))
            .collect();
    }
    let python = plan.venv.join("bin/python");
    let up = "../".repeat(plan.site_packages().components().count());
    let mut record = files.record;
    for (name, target) in &scripts {
        let script = console_script(python.as_os_str(), target)?;
        let path = stage.join("bin").join(name);
        write(&path, &script)?;
        // As pip's script maker (distlib) does: the mode the umask gave,
        // plus read and execute for all (0o755 under umask 077, 0o775
        // under 002).
        let mode = std::fs::metadata(&path)
            .with_context(|| format!("cannot stat {}", path.display()))?
            .permissions()
            .mode();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode | 0o555))
            .with_context(|| format!("cannot make {} executable", path.display()))?;
        record.push(record_line(&format!("{up}bin/{name}"), &script));
    }
    for (name, bytes) in [("INSTALLER", &b"rvenv\n"[..]), ("REQUESTED", b"")] {
        let path = site.join(dist_info).join(name);
        write(&path, bytes)?;
        record.push(record_line(&format!("{dist_info}/{name}"), bytes));
    }
    let record_name = format!("{dist_info}/RECORD");
    record.push(format!("{record_name},,"));
    record.sort();
    record.dedup();
    let mut text = record.join("\n");
    text.push('\n');
    write(&site.join(&record_name), text.as_bytes())?;
    Ok(())
}

/// `(name, module:function)` of each console script in entry_points.txt.
fn console_targets(entry_points: &str) -> Vec<(String, String)> {
    let mut in_section = false;
    let mut out = Vec::new();
    for line in entry_points.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_section = line == "[console_scripts]";
        } else if in_section && let Some((key, value)) = line.split_once('=') {
            out.push((key.trim().to_owned(), value.trim().to_owned()));
        }
    }
    out
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
        out.extend_from_slice(&crate::quote::sh_word_in_python_string(bytes));
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

fn record_line(path: &str, bytes: &[u8]) -> String {
    let digest = sha2::Sha256::digest(bytes);
    format!("{path},sha256={},{}", base64_urlsafe(&digest), bytes.len())
}

fn base64_urlsafe(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The path of a RECORD line: its first CSV field (quoted when it holds a
/// comma or a quote).
fn record_path(line: &str) -> Option<String> {
    if let Some(rest) = line.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    out.push('"');
                } else {
                    return Some(out);
                }
            } else {
                out.push(c);
            }
        }
        None
    } else {
        line.split(',').next().map(str::to_owned)
    }
}

/// A RECORD line for a file pip did not hash (bytecode): `path,,`, the
/// path quoted as CSV when it needs to be.
fn record_line_unhashed(path: &str) -> String {
    if path.contains([',', '"', '\n', '\r']) {
        format!("\"{}\",,", path.replace('"', "\"\""))
    } else {
        format!("{path},,")
    }
}

/// The tree of `wheels` unpacked and compiled in the cache
/// (`seeds/<implementation>-<version>-<key>/`), made on first use in a
/// private directory, then renamed into place whole. The key names the
/// interpreter (the bytecode is its) and each wheel's path, size and mtime.
fn prepared_in_cache(wheels: &[Wheel], plan: &Plan, cache: &Path) -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let mut key = sha2::Sha256::new();
    key.update(CACHE_FORMAT.as_bytes());
    key.update(b"\0");
    key.update(plan.base.as_os_str().as_bytes());
    key.update(
        format!(
            "\0{}\0{}",
            plan.facts.implementation, plan.facts.version_text
        )
        .as_bytes(),
    );
    for wheel in wheels {
        let meta = wheel.path.metadata().ok()?;
        key.update(b"\0");
        key.update(wheel.path.as_os_str().as_bytes());
        key.update(format!("\0{}\0{}.{}", meta.size(), meta.mtime(), meta.mtime_nsec()).as_bytes());
    }
    let key: String = key.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let seeds = cache.join("seeds");
    let dir = seeds.join(format!(
        "{}-{}-{key}",
        plan.facts.implementation, plan.facts.version_text
    ));
    if dir.is_dir() {
        return Some(dir);
    }
    let tmp = seeds.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&tmp).ok()?;
    clean_stale_tmp(&seeds);
    let made = build_tree(wheels, &tmp, plan.base)
        .and_then(|unpacked| {
            // The cached RECORDs list the bytecode too: copying reads them.
            for files in unpacked {
                let path = tmp.join(&files.dist_info).join("RECORD");
                let mut text = files.record.join("\n");
                text.push('\n');
                let _ = std::fs::remove_file(&path);
                write(&path, text.as_bytes())?;
            }
            Ok(())
        })
        .is_ok();
    if made && std::fs::rename(&tmp, &dir).is_ok() {
        return Some(dir);
    }
    let _ = std::fs::remove_dir_all(&tmp);
    // Another create may have put it there first.
    dir.is_dir().then_some(dir)
}

/// Removes what killed creates left while preparing the cache.
fn clean_stale_tmp(seeds: &Path) {
    for entry in std::fs::read_dir(seeds).into_iter().flatten().flatten() {
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

/// Unpacks `wheels` under `root` and compiles their modules with `python`;
/// returns each wheel's files, bytecode included, in the wheels' order.
fn build_tree(wheels: &[Wheel], root: &Path, python: &Path) -> anyhow::Result<Vec<Unpacked>> {
    let mut unpacked = Vec::new();
    for wheel in wheels {
        let data = std::fs::read(&wheel.path)
            .with_context(|| format!("cannot read {}", wheel.path.display()))?;
        unpacked.push(
            unpack(&data, root)
                .with_context(|| format!("cannot unpack {}", wheel.path.display()))?,
        );
    }
    let sources: Vec<(usize, String)> = unpacked
        .iter()
        .enumerate()
        .flat_map(|(i, files)| {
            files
                .record
                .iter()
                .filter_map(|line| record_path(line))
                .filter(|path| path.ends_with(".py") && !path.starts_with("../"))
                .map(move |path| (i, path))
        })
        .collect();
    let names: Vec<&str> = sources.iter().map(|(_, p)| p.as_str()).collect();
    // Without bytecode the venv still works, only its first start is slow.
    let compiled = compile(python, root, &names).unwrap_or_default();
    for ((i, _), pyc) in sources.iter().zip(compiled) {
        if let Some(pyc) = pyc {
            unpacked[*i].record.push(record_line_unhashed(&pyc));
        }
    }
    Ok(unpacked)
}

/// Compiles what pip compiles when it installs a wheel: every module, for
/// the interpreter that runs it, timestamp-checked (whatever
/// SOURCE_DATE_EPOCH says), warnings silenced.
const COMPILE: &str = r#"
import importlib.util, os, py_compile, sys, warnings
warnings.filterwarnings("ignore")
root = os.fsdecode(sys.argv[1])
mode = py_compile.PycInvalidationMode.TIMESTAMP
out = []
for rel in sys.stdin.buffer.read().split(b"\n"):
    if not rel:
        continue
    src = os.path.join(root, os.fsdecode(rel))
    try:
        cfile = importlib.util.cache_from_source(src)
        py_compile.compile(src, cfile=cfile, doraise=True, invalidation_mode=mode)
        out.append(os.fsencode(os.path.relpath(cfile, root)))
    except Exception:
        out.append(b"")
sys.stdout.buffer.write(b"".join(p + b"\n" for p in out))
"#;

/// Runs `python` over `sources` (relative to `root`), one process per core;
/// returns where each one's bytecode went, or `None` where it did not
/// compile.
fn compile(python: &Path, root: &Path, sources: &[&str]) -> anyhow::Result<Vec<Option<String>>> {
    if sources.is_empty() {
        return Ok(Vec::new());
    }
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4);
    let chunk = sources.len().div_ceil(workers).max(1);
    let mut children = Vec::new();
    for part in sources.chunks(chunk) {
        let mut child = Command::new(python)
            .args(["-I", "-c", COMPILE])
            .arg(root)
            .env_remove("PYTHONHOME")
            .env_remove("PYTHONPATH")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot run {}", python.display()))?;
        let mut input = part.join("\n");
        input.push('\n');
        let mut stdin = child.stdin.take().context("no stdin")?;
        // The list is small (tens of KB): the pipe takes it before Python
        // starts reading, or Python reads it all before writing anything.
        stdin.write_all(input.as_bytes())?;
        drop(stdin);
        children.push((child, part.len()));
    }
    let mut out = Vec::with_capacity(sources.len());
    for (child, expected) in children {
        let done = child.wait_with_output()?;
        if !done.status.success() {
            bail!("{} could not compile the seed's modules", python.display());
        }
        let text = String::from_utf8_lossy(&done.stdout);
        let lines: Vec<Option<String>> = text
            .lines()
            .map(|l| (!l.is_empty() && safe_relative(l)).then(|| l.to_owned()))
            .collect();
        if lines.len() != expected {
            bail!("{} gave an answer rvenv cannot read", python.display());
        }
        out.extend(lines);
    }
    Ok(out)
}

/// Copies every file of the cached `tree` (listed by its RECORDs) under
/// `site`; returns each wheel's files, or `None` when the tree cannot be
/// read (nothing was copied then).
fn copy_tree(tree: &Path, site: &Path) -> anyhow::Result<Option<Vec<Unpacked>>> {
    let mut dist_infos: Vec<String> = std::fs::read_dir(tree)
        .ok()
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".dist-info"))
        .collect();
    // pip before setuptools, as `install` zips them with the wheels.
    dist_infos.sort_by_key(|n| (!n.starts_with("pip-"), n.clone()));
    let mut unpacked = Vec::new();
    for dist_info in dist_infos {
        let Ok(text) = std::fs::read_to_string(tree.join(&dist_info).join("RECORD")) else {
            return Ok(None);
        };
        let record: Vec<String> = text
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        unpacked.push(Unpacked { dist_info, record });
    }
    let files: Vec<String> = unpacked
        .iter()
        .flat_map(|u| u.record.iter().filter_map(|l| record_path(l)))
        .filter(|f| safe_relative(f) && !f.ends_with(".dist-info/RECORD"))
        .collect();
    if files.is_empty() {
        return Ok(None);
    }
    let dirs: BTreeSet<&Path> = files.iter().filter_map(|f| Path::new(f).parent()).collect();
    for dir in &dirs {
        std::fs::create_dir_all(site.join(dir))
            .with_context(|| format!("cannot create {}", site.join(dir).display()))?;
    }
    // By directory: each file is opened relative to two open directories,
    // so the kernel walks no long path per file.
    let mut by_dir: BTreeMap<&Path, Vec<&OsStr>> = BTreeMap::new();
    for file in &files {
        let path = Path::new(file);
        if let (Some(dir), Some(name)) = (path.parent(), path.file_name()) {
            by_dir.entry(dir).or_default().push(name);
        }
    }
    let groups: Vec<(&Path, Vec<&OsStr>)> = by_dir.into_iter().collect();
    on_all_cores(&groups, |(dir, names)| {
        copy_dir(&tree.join(dir), &site.join(dir), names)
    })?;
    Ok(Some(unpacked))
}

/// Copies each of `names` in directory `from` into `to` as a new file of
/// the venv's own, never a hard link: a link would share one inode between
/// the cache and every venv, so an edit (or a `chown -R`) of one venv's pip
/// would reach all the others and the venvs made later. The copy is a
/// reflink where the file system shares extents (copy-on-write, no data
/// written), else `copy_file_range` in the kernel. Its mode is what pip
/// gives a file it writes, 0o666 (0o777 for an executable) less the umask,
/// whatever mode the cache was made with; its mtime is the cached one,
/// which the bytecode checks.
fn copy_dir(from: &Path, to: &Path, names: &[&OsStr]) -> anyhow::Result<()> {
    use rustix::fs::{Mode, OFlags};
    let open_dir = |dir: &Path| {
        rustix::fs::open(
            dir,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .with_context(|| format!("cannot open {}", dir.display()))
    };
    let (src_dir, dst_dir) = (open_dir(from)?, open_dir(to)?);
    let no_reflink = AtomicBool::new(false);
    for name in names {
        let copied = (|| -> std::io::Result<()> {
            let src = std::fs::File::from(rustix::fs::openat(
                &src_dir,
                *name,
                OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOFOLLOW,
                Mode::empty(),
            )?);
            let meta = src.metadata()?;
            let mode = if meta.permissions().mode() & 0o111 != 0 {
                0o777
            } else {
                0o666
            };
            // The kernel takes the umask off `mode`.
            let mut dst = std::fs::File::from(rustix::fs::openat(
                &dst_dir,
                *name,
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC,
                Mode::from_raw_mode(mode),
            )?);
            copy_data(&src, &mut dst, meta.len(), &no_reflink)?;
            dst.set_modified(meta.modified()?)
        })();
        copied.with_context(|| format!("cannot copy {} into the venv", to.join(name).display()))?;
    }
    Ok(())
}

/// Copies `len` bytes of `src` into the empty `dst`: a reflink unless
/// `no_reflink` (set at the first failure: a file system that cannot
/// once cannot ever), else `copy_file_range`, else read and write.
fn copy_data(
    src: &std::fs::File,
    dst: &mut std::fs::File,
    len: u64,
    no_reflink: &AtomicBool,
) -> std::io::Result<()> {
    if !no_reflink.load(Ordering::Relaxed) {
        if rustix::fs::ioctl_ficlone(&*dst, src).is_ok() {
            return Ok(());
        }
        no_reflink.store(true, Ordering::Relaxed);
    }
    // Whole in one call as a rule: no probe for the end of the file.
    let mut left = len;
    while left > 0 {
        let chunk = usize::try_from(left).unwrap_or(usize::MAX);
        match rustix::fs::copy_file_range(src, None, &*dst, None, chunk) {
            Ok(n) if n > 0 => left -= n as u64,
            // Nothing more copied while bytes are left (a file system that
            // says 0 rather than an error), or not between these files
            // (another file system, an old kernel): the offsets are shared,
            // so the plain copy carries on from there.
            Ok(_) | Err(_) => {
                let mut src = src;
                std::io::copy(&mut src, dst)?;
                break;
            }
        }
    }
    Ok(())
}

/// Runs `each` over `items`, spread over the cores.
fn on_all_cores<T: Sync>(
    items: &[T],
    each: impl Fn(&T) -> anyhow::Result<()> + Sync,
) -> anyhow::Result<()> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = items.len().div_ceil(threads).max(1);
    let each = &each;
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().try_for_each(each)))
            .collect();
        for handle in handles {
            handle
                .join()
                .map_err(|_| anyhow::anyhow!("a worker thread panicked"))??;
        }
        Ok(())
    })
}

fn safe_relative(path: &str) -> bool {
    let rel = Path::new(path);
    !rel.as_os_str().is_empty()
        && rel
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// Unpacks every file of the wheel under `site`, spread over the cores;
/// returns its dist-info directory and RECORD lines (RECORD's own left out).
fn unpack(data: &[u8], site: &Path) -> anyhow::Result<Unpacked> {
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
        if name.split('/').next().is_some_and(|d| d.ends_with(".data")) && name.contains('/') {
            bail!("the wheel holds a .data directory, which rvenv does not install");
        }
        if let Some(dir) = name.strip_suffix("/RECORD")
            && dir.ends_with(".dist-info")
            && !dir.contains('/')
        {
            record = Some((i, dir.to_owned()));
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
    let (record, dist_info) = record.context("the wheel has no RECORD")?;
    let mut archive = archive;
    let mut text = String::new();
    archive.by_index(record)?.read_to_string(&mut text)?;
    let own = format!("{dist_info}/RECORD");
    Ok(Unpacked {
        record: text
            .lines()
            .filter(|l| !l.is_empty() && record_path(l).as_deref() != Some(&own))
            .map(str::to_owned)
            .collect(),
        dist_info,
    })
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
            console_targets(text),
            [("pip".to_owned(), "pip._internal.cli.main:main".to_owned())]
        );
    }

    #[test]
    fn ensurepip_pins() {
        let src = "import os\n_SETUPTOOLS_VERSION = \"65.5.0\"\n_PIP_VERSION = '23.2.1'\n";
        assert_eq!(
            pinned_version(src, "_PIP_VERSION").as_deref(),
            Some("23.2.1")
        );
        assert_eq!(
            pinned_version(src, "_SETUPTOOLS_VERSION").as_deref(),
            Some("65.5.0")
        );
        assert_eq!(pinned_version(src, "_WHEEL_VERSION"), None);
    }

    #[test]
    fn bundled_takes_the_pinned_wheels() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("ensurepip/_bundled");
        std::fs::create_dir_all(&dir).unwrap();
        for f in [
            "pip-22.0.4-py3-none-any.whl",
            "pip-23.0.1-py3-none-any.whl",
            "setuptools-56.0.0-py3-none-any.whl",
        ] {
            std::fs::write(dir.join(f), "").unwrap();
        }
        std::fs::write(
            tmp.path().join("ensurepip/__init__.py"),
            "_SETUPTOOLS_VERSION = \"56.0.0\"\n_PIP_VERSION = \"22.0.4\"\n",
        )
        .unwrap();
        let got: Vec<(String, String)> = bundled(tmp.path(), [3, 8, 18])
            .into_iter()
            .map(|w| (w.name, w.version))
            .collect();
        assert_eq!(
            got,
            [
                ("pip".to_owned(), "22.0.4".to_owned()),
                ("setuptools".to_owned(), "56.0.0".to_owned())
            ]
        );
        std::fs::write(
            tmp.path().join("ensurepip/__init__.py"),
            "_PIP_VERSION = \"23.0.1\"\n",
        )
        .unwrap();
        assert_eq!(bundled(tmp.path(), [3, 12, 1]).len(), 1);
        std::fs::remove_file(dir.join("pip-22.0.4-py3-none-any.whl")).unwrap();
        std::fs::remove_file(dir.join("pip-23.0.1-py3-none-any.whl")).unwrap();
        if !Path::new(SYSTEM_WHEELS).exists() {
            assert!(bundled(tmp.path(), [3, 8, 18]).is_empty());
        }
    }

    #[test]
    fn record_paths_are_csv() {
        assert_eq!(record_path("a/b.py,sha256=x,1").as_deref(), Some("a/b.py"));
        assert_eq!(
            record_path("\"a,\"\"b\"\".py\",sha256=x,1").as_deref(),
            Some("a,\"b\".py")
        );
        assert_eq!(record_line_unhashed("a,b"), "\"a,b\",,");
        assert_eq!(
            record_line_unhashed("p/__pycache__/x.pyc"),
            "p/__pycache__/x.pyc,,"
        );
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
        let w = |b: &[u8]| String::from_utf8(crate::quote::sh_word_in_python_string(b)).unwrap();
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
