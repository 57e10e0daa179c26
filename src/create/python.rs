//! Finding the base interpreter for a new venv, without starting any Python:
//! `-p SPEC`, else the `.python-version` of the venv's directory or its
//! ancestors, else `python3` on PATH. PATH is searched with the `which`
//! crate, then pyenv's `versions/` and uv's managed Pythons. A pyenv shim is
//! resolved to the interpreter pyenv would run, natively (pyenv's own
//! version-file rules), so a shim never becomes a venv's `home`.

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Where interpreters are looked for: the parts of the environment that
/// matter, as a value so tests need no `set_var`.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub path: Option<OsString>,
    pub pyenv_root: PathBuf,
    /// `PYENV_VERSION`, if set.
    pub pyenv_version: Option<String>,
    pub uv_python_dirs: Vec<PathBuf>,
    /// Where pyenv's `.python-version` lookup starts (the process's cwd).
    pub cwd: PathBuf,
}

impl Search {
    pub fn from_process() -> Search {
        let home = dirs::home_dir().unwrap_or_default();
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let pyenv_root = var("PYENV_ROOT")
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".pyenv"));
        let mut uv_python_dirs = Vec::new();
        if let Some(dir) = var("UV_PYTHON_INSTALL_DIR") {
            uv_python_dirs.push(PathBuf::from(dir));
        }
        let data = var("XDG_DATA_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".local/share"));
        uv_python_dirs.push(data.join("uv/python"));
        Search {
            path: var("PATH"),
            pyenv_root,
            pyenv_version: var("PYENV_VERSION").map(|v| v.to_string_lossy().into_owned()),
            uv_python_dirs,
            cwd: std::env::current_dir().unwrap_or_default(),
        }
    }
}

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `python3` on PATH.
    Default,
    /// `3`, `3.12`, `3.12.1` (also written `python3.12`, `cpython@3.12`...).
    Version(Vec<u32>),
    /// A command name looked up on PATH (`python3.12-dbg`, `pypy3`).
    Name(String),
    /// A file.
    Path(PathBuf),
}

impl Request {
    pub fn parse(spec: &str) -> Request {
        let spec = spec.trim();
        if spec.is_empty() || spec == "system" {
            return Request::Default;
        }
        if spec.contains('/') || spec.starts_with('~') || spec.starts_with('.') {
            return Request::Path(expand_tilde(spec));
        }
        let lower = spec.to_ascii_lowercase();
        let rest = [
            "cpython@", "cpython-", "cpython", "python@", "python-", "python",
        ]
        .iter()
        .find_map(|p| lower.strip_prefix(p))
        .unwrap_or(&lower);
        if let Some(v) = parse_version(rest) {
            return Request::Version(v);
        }
        Request::Name(spec.to_owned())
    }
}

fn expand_tilde(spec: &str) -> PathBuf {
    match spec.strip_prefix("~/") {
        Some(rest) => dirs::home_dir().unwrap_or_default().join(rest),
        None if spec == "~" => dirs::home_dir().unwrap_or_default(),
        None => PathBuf::from(spec),
    }
}

/// `3`, `3.12` or `3.12.1` as numbers; anything else is not a version.
pub fn parse_version(s: &str) -> Option<Vec<u32>> {
    let parts: Vec<u32> = s
        .split('.')
        .map(|p| {
            if !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse().ok()
            } else {
                None
            }
        })
        .collect::<Option<_>>()?;
    (1..=3).contains(&parts.len()).then_some(parts)
}

/// The first entry of the nearest `.python-version` in `dir` or its
/// ancestors, with the file it came from. The file names a version or a
/// pyenv name, never a program: an entry that is a path (`/tmp/x/python`,
/// `./tools/python`) stops the create (`-p PATH` is how a user names a
/// program). A file another user owns (root aside), such as one made in
/// /tmp, is passed over with a line on stderr, as if it were not there; so
/// is one that is no regular file (a FIFO would block).
pub fn python_version_file(dir: &Path) -> anyhow::Result<Option<(String, PathBuf)>> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid cannot fail and touches no memory.
    let me = unsafe { libc::geteuid() };
    for d in dir.ancestors() {
        let file = d.join(".python-version");
        let contents = match crate::regular_file::read(&file, VERSION_FILE_MAX) {
            Ok(Some(contents)) => contents,
            Ok(None) => continue,
            Err(e) => {
                eprintln!(
                    "rvenv: passing over {}: it {e}",
                    crate::quote::display(file.as_os_str())
                );
                continue;
            }
        };
        let owner = contents.meta.uid();
        if owner != me && owner != 0 {
            eprintln!(
                "rvenv: passing over {}: it belongs to another user (uid {owner})",
                crate::quote::display(file.as_os_str())
            );
            continue;
        }
        let Some(entry) = first_entry(&contents.bytes) else {
            continue;
        };
        if let Request::Path(_) = Request::parse(&entry) {
            bail!(
                "{} names {entry:?}, a path: .python-version names a Python version; \
                 name a program with -p PATH",
                file.display()
            );
        }
        return Ok(Some((entry, file)));
    }
    Ok(None)
}

/// What a `.python-version` entry asks for: a version, `system`, or a
/// pyenv name (`pypy3.10-7.3.12`, a pyenv-virtualenv env) that is a
/// directory of `$PYENV_ROOT/versions`. A bare name is never looked up on
/// PATH: a repository's `dash` or `sh` would run that program.
pub fn version_file_request(entry: &str, file: &Path, search: &Search) -> anyhow::Result<Request> {
    match Request::parse(entry) {
        Request::Name(name) => {
            let dir = search.pyenv_root.join("versions").join(&name);
            let exe = ["python3", "python"]
                .iter()
                .map(|n| dir.join("bin").join(n))
                .find(|p| p.is_file());
            match exe {
                Some(exe) if !name.contains(['/', '\\']) => Ok(Request::Path(exe)),
                _ => bail!(
                    "{} names {}, which is neither a Python version nor a pyenv version \
                     in {}; name a program with -p",
                    crate::quote::display(file.as_os_str()),
                    crate::quote::display(std::ffi::OsStr::new(&name)),
                    crate::quote::display(search.pyenv_root.join("versions").as_os_str())
                ),
            }
        }
        request => Ok(request),
    }
}

/// pyenv reads the file a line at a time; nothing this large is one.
const VERSION_FILE_MAX: u64 = 64 * 1024;

fn read_version_file(file: &Path) -> Option<String> {
    let contents = crate::regular_file::read(file, VERSION_FILE_MAX).ok()??;
    first_entry(&contents.bytes)
}

fn first_entry(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .find(|l| !l.is_empty())
        .map(str::to_owned)
}

/// The interpreter to build the venv from: an absolute path that is not a
/// shim (not canonicalized: CPython's venv keeps the path as invoked).
pub fn find(request: &Request, search: &Search) -> anyhow::Result<PathBuf> {
    let found = match request {
        Request::Default => on_path("python3", search)?.or(on_path("python", search)?),
        Request::Name(name) => on_path(name, search)?,
        Request::Path(path) => {
            let path = if path.is_absolute() {
                path.clone()
            } else {
                search.cwd.join(path)
            };
            let path = if path.is_dir() {
                ["bin/python3", "bin/python", "python3", "python"]
                    .iter()
                    .map(|n| path.join(n))
                    .find(|p| is_executable(p))
                    .with_context(|| format!("no python in {}", path.display()))?
            } else {
                path
            };
            if !is_executable(&path) {
                bail!("{} is not an executable file", path.display());
            }
            match to_base(&path, search)? {
                Ok(base) => Some(base),
                Err(why) => bail!("{why}; name another Python with -p"),
            }
        }
        Request::Version(v) => match find_version(v, search)? {
            Some(found) => to_base(&found, search)?.ok(),
            None => None,
        },
    };
    found.with_context(|| match request {
        Request::Default => "no python3 found on PATH; name one with -p".to_owned(),
        Request::Name(n) => format!("no {n} found on PATH"),
        Request::Path(p) => format!("no python at {}", p.display()),
        Request::Version(v) => {
            let installed = installed(search);
            let installed = if installed.is_empty() {
                "no Python 3 is installed".to_owned()
            } else {
                let list: Vec<String> = installed.iter().map(|v| join_version(v)).collect();
                format!("installed: {}", list.join(", "))
            };
            format!(
                "no Python {} on PATH, in {} or in uv's Pythons; {installed}",
                join_version(v),
                search.pyenv_root.join("versions").display()
            )
        }
    })
}

/// The Python 3 versions rvenv can find, by name only: pyenv's and uv's
/// (`3.12.1`), and `python3.X` on PATH (`3.11`) unless one of those has that
/// minor version. Sorted, no duplicates.
pub fn installed(search: &Search) -> Vec<Vec<u32>> {
    let mut full: Vec<Vec<u32>> = Vec::new();
    let managed = std::iter::once(search.pyenv_root.join("versions"))
        .chain(search.uv_python_dirs.iter().cloned());
    for dir in managed {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let name = name.strip_prefix("cpython-").unwrap_or(name);
            if let Some(v) = name.split('-').next().and_then(parse_version)
                && v.len() == 3
                && v[0] == 3
            {
                full.push(v);
            }
        }
    }
    let path = search.path.clone().unwrap_or_default();
    let mut minors = Vec::new();
    for dir in std::env::split_paths(&path) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let name = entry.file_name();
            if let Some(v) = name
                .to_str()
                .and_then(|n| n.strip_prefix("python"))
                .and_then(parse_version)
                && v.len() == 2
                && v[0] == 3
                && !full.iter().any(|f| f.starts_with(&v))
                && is_executable(&entry.path())
            {
                minors.push(v);
            }
        }
    }
    full.extend(minors);
    if let Some((_, version)) = default_python(search)
        && !full.contains(&version)
    {
        // A `python3.X` name of the same minor says less than this.
        full.retain(|v| !(v.len() == 2 && version.starts_with(v)));
        full.push(version);
    }
    full.sort();
    full.dedup();
    full
}

pub fn join_version(v: &[u32]) -> String {
    v.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
}

fn find_version(v: &[u32], search: &Search) -> anyhow::Result<Option<PathBuf>> {
    let name = match v {
        [3] => "python3".to_owned(),
        [major] => format!("python{major}"),
        [major, minor, ..] => format!("python{major}.{minor}"),
        [] => "python3".to_owned(),
    };
    // An exact patch version: pyenv's and uv's directories name it; PATH
    // entries would need a query each, so they come last.
    if v.len() < 3
        && let Some(p) = on_path(&name, search)?
    {
        return Ok(Some(p));
    }
    if let Some(p) = in_pyenv_versions(v, &name, search) {
        return Ok(Some(p));
    }
    if let Some(p) = in_uv_pythons(v, &name, search) {
        return Ok(Some(p));
    }
    // `python3` on PATH, which a plain `rvenv create` takes, counts too
    // (as in uv), whatever its name says.
    if let Some((p, version)) = default_python(search)
        && version.starts_with(v)
    {
        return Ok(Some(p));
    }
    if v.len() == 3 {
        // Let the caller check the patch version of what PATH has.
        return on_path(&name, search);
    }
    Ok(None)
}

/// `python3` (else `python`) on PATH followed to its base, and its full
/// version, asked of it once and then cached: a candidate for `-p 3.12` or
/// a requires-python like the interpreters named by version.
pub fn default_python(search: &Search) -> Option<(PathBuf, Vec<u32>)> {
    let path = find(&Request::Default, search).ok()?;
    let facts = super::facts::facts(&path, super::facts::cache_dir().as_deref()).ok()?;
    (facts.version[0] == 3).then(|| (path, facts.version.to_vec()))
}

/// Every interpreter that may be the newest release of `v` (`3.12`): the
/// highest of pyenv's and of uv's by their names, and `python3.12` on
/// PATH, each followed to its base. Which is newest takes a query each.
pub fn candidates(v: &[u32], search: &Search) -> anyhow::Result<Vec<PathBuf>> {
    let name = match v {
        [major, minor, ..] => format!("python{major}.{minor}"),
        _ => "python3".to_owned(),
    };
    let mut found = Vec::new();
    for path in [
        in_pyenv_versions(v, &name, search),
        in_uv_pythons(v, &name, search),
        on_path(&name, search)?,
    ]
    .into_iter()
    .flatten()
    {
        if let Ok(base) = to_base(&path, search)?
            && !found.contains(&base)
        {
            found.push(base);
        }
    }
    Ok(found)
}

/// The highest `versions/X.Y.Z` of pyenv matching `v`.
fn in_pyenv_versions(v: &[u32], name: &str, search: &Search) -> Option<PathBuf> {
    let entries = std::fs::read_dir(search.pyenv_root.join("versions")).ok()?;
    best_match(
        entries.flatten().filter_map(|e| {
            let dir_name = e.file_name();
            let version = parse_version(dir_name.to_str()?)?;
            Some((version, e.path().join("bin").join(name)))
        }),
        v,
    )
}

/// The highest uv-managed CPython (`cpython-3.12.1-linux-x86_64-gnu`)
/// matching `v`.
fn in_uv_pythons(v: &[u32], name: &str, search: &Search) -> Option<PathBuf> {
    let candidates = search.uv_python_dirs.iter().flat_map(|dir| {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let dir_name = e.file_name();
                let rest = dir_name.to_str()?.strip_prefix("cpython-")?;
                let version = rest.split('-').next()?;
                // Free-threaded builds (`3.13.0+freethreaded`) are left out.
                let version = parse_version(version)?;
                Some((version, e.path().join("bin").join(name)))
            })
    });
    best_match(candidates, v)
}

fn best_match(
    candidates: impl Iterator<Item = (Vec<u32>, PathBuf)>,
    want: &[u32],
) -> Option<PathBuf> {
    candidates
        .filter(|(version, path)| version.starts_with(want) && is_executable(path))
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, path)| path)
}

fn is_executable(path: &Path) -> bool {
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// `name` on PATH, shims resolved; a shim whose pyenv version does not
/// provide `name` (or selects `system`) is skipped and the search goes on.
fn on_path(name: &str, search: &Search) -> anyhow::Result<Option<PathBuf>> {
    let Some(path_var) = &search.path else {
        return Ok(None);
    };
    let found = which::which_in_all(name, Some(path_var), &search.cwd)
        .map(|iter| iter.collect::<Vec<_>>())
        .unwrap_or_default();
    for candidate in found {
        let candidate = if candidate.is_absolute() {
            candidate
        } else {
            search.cwd.join(candidate)
        };
        // A shim pyenv maps to nothing, or a venv whose base is gone: the
        // search goes on, as the shell's would not, since neither can run.
        if let Ok(base) = to_base(&candidate, search)? {
            return Ok(Some(base));
        }
    }
    Ok(None)
}

/// How many shims and venvs [`to_base`] follows before it gives up.
const MAX_HOPS: usize = 8;

/// `path` followed to the interpreter a venv is built on, never a venv's
/// own python nor a shim: a pyenv shim leads to the version pyenv selects,
/// a venv's python to its base (pyvenv.cfg's `home`, as CPython's
/// `sys._base_executable`), hop after hop (a venv made from a venv, a
/// pyenv-virtualenv env). Nothing is run. `Ok(Err(why))` when the way ends
/// at something that does not exist.
pub fn to_base(path: &Path, search: &Search) -> anyhow::Result<Result<PathBuf, String>> {
    let mut current = path.to_owned();
    for _ in 0..MAX_HOPS {
        if let Some(found) = shim(&current)? {
            match resolve_shim(&current, &found, search)? {
                Some(real) => {
                    current = real;
                    continue;
                }
                None => {
                    return Ok(Err(format!(
                        "pyenv selects no interpreter for the shim {}",
                        current.display()
                    )));
                }
            }
        }
        match venv_of(&current) {
            None => return Ok(Ok(current)),
            Some((venv, name)) => match venv_base(&venv, &name) {
                Ok(base) => current = base,
                Err(why) => return Ok(Err(why)),
            },
        }
    }
    Ok(Err(format!(
        "{} leads through more than {MAX_HOPS} venvs and shims",
        path.display()
    )))
}

/// The venv `exe` runs in, and the name it has there: CPython looks for
/// pyvenv.cfg beside the executable and one directory up, at the path as
/// invoked; rvenv also looks along its chain of symlinks, so a link to a
/// venv's python (`~/bin/tool-python`) counts as that venv's.
pub fn venv_of(exe: &Path) -> Option<(PathBuf, OsString)> {
    let mut current = exe.to_owned();
    for _ in 0..32 {
        let dir = current.parent()?;
        for venv in [Some(dir), dir.parent()].into_iter().flatten() {
            if venv.join("pyvenv.cfg").is_file() {
                return Some((venv.to_owned(), current.file_name()?.to_owned()));
            }
        }
        let target = std::fs::read_link(&current).ok()?;
        current = dir.join(target);
    }
    None
}

/// The base interpreter of `venv`, whose python is called `name`: in
/// pyvenv.cfg's `home` the same name, else `python3`, `python3.X` (by
/// `version`; CPython's getpath order), `python`, else the
/// `base-executable` (virtualenv) or `executable` (CPython ≥ 3.11) keys.
pub fn venv_base(venv: &Path, name: &OsStr) -> Result<PathBuf, String> {
    let cfg = crate::pyvenv_cfg::PyvenvCfg::read(venv)
        .map_err(|e| format!("the venv {} is unusable: {e}", venv.display()))?;
    let mut candidates = Vec::new();
    let home = cfg.home.as_ref().filter(|h| h.is_absolute());
    if let Some(home) = home {
        candidates.push(home.join(name));
        candidates.push(home.join("python3"));
        if let Some([major, minor, ..]) = cfg
            .version
            .as_deref()
            .and_then(|v| parse_version(v.split(['a', 'b', 'r', '+']).next()?))
            .as_deref()
        {
            candidates.push(home.join(format!("python{major}.{minor}")));
        }
        candidates.push(home.join("python"));
    }
    candidates.extend(cfg.base_executable.clone());
    candidates.extend(cfg.executable.clone());
    let found = candidates.into_iter().find(|c| {
        c.is_absolute()
            && is_executable(c)
            && venv_of(c).is_none_or(|(other, _)| !same_dir(&other, venv))
    });
    found.ok_or_else(|| match home {
        Some(home) => format!(
            "the base interpreter {} of the venv {} is gone",
            home.join(name).display(),
            venv.display()
        ),
        None => format!(
            "the venv {} names no base interpreter (no home in its pyvenv.cfg)",
            venv.display()
        ),
    })
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// A pyenv shim: a small shell script that runs `pyenv exec`.
#[derive(Debug)]
pub struct Shim {
    /// The PYENV_ROOT the shim was generated for.
    pub root: Option<PathBuf>,
}

/// Whether `path` is a script rather than a binary, and if so a pyenv shim.
pub fn shim(path: &Path) -> anyhow::Result<Option<Shim>> {
    let mut head = [0u8; 1024];
    let n = match std::fs::File::open(path).and_then(|mut f| f.read(&mut head)) {
        Ok(n) => n,
        Err(_) => return Ok(None),
    };
    let head = &head[..n];
    if !head.starts_with(b"#!") {
        return Ok(None);
    }
    let is_pyenv = contains(head, b"pyenv") && contains(head, b" exec ");
    if !is_pyenv {
        return Ok(None);
    }
    let root = head
        .split(|&b| b == b'\n')
        .find_map(|line| line.strip_prefix(b"export PYENV_ROOT=\""))
        .and_then(|rest| rest.strip_suffix(b"\""))
        .map(|r| PathBuf::from(OsStr::from_bytes(r)));
    Ok(Some(Shim { root }))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// What pyenv would run for the shim at `path`: its selected versions
/// (`PYENV_VERSION`, else the nearest `.python-version` from the cwd, else
/// `$PYENV_ROOT/version`), each tried for the shim's command name.
/// `Ok(None)` when the selection is `system` or provides no such command.
fn resolve_shim(path: &Path, found: &Shim, search: &Search) -> anyhow::Result<Option<PathBuf>> {
    let root = found
        .root
        .clone()
        .unwrap_or_else(|| search.pyenv_root.clone());
    let name = path.file_name().unwrap_or_default();
    let selected = match &search.pyenv_version {
        Some(v) => v.clone(),
        None => python_version_file(&search.cwd)?
            .map(|(v, _)| v)
            .or_else(|| read_version_file(&root.join("version")))
            .unwrap_or_else(|| "system".to_owned()),
    };
    for version in selected.split([':', ' ', '\n']).filter(|v| !v.is_empty()) {
        if version == "system" {
            return Ok(None);
        }
        let dir = root.join("versions").join(version);
        let dir = if dir.is_dir() {
            dir
        } else {
            // pyenv also accepts a prefix (`3.12` for `3.12.1`).
            match parse_version(version)
                .and_then(|v| in_pyenv_versions(&v, &name.to_string_lossy(), search))
            {
                Some(exe) => return Ok(Some(exe)),
                None => continue,
            }
        };
        let exe = dir.join("bin").join(name);
        if is_executable(&exe) && shim(&exe)?.is_none() {
            return Ok(Some(exe));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn parses_specs() {
        assert_eq!(Request::parse("3.12"), Request::Version(vec![3, 12]));
        assert_eq!(Request::parse("3"), Request::Version(vec![3]));
        assert_eq!(Request::parse("python3.12"), Request::Version(vec![3, 12]));
        assert_eq!(
            Request::parse("cpython@3.11.7"),
            Request::Version(vec![3, 11, 7])
        );
        assert_eq!(Request::parse("pypy3"), Request::Name("pypy3".into()));
        assert_eq!(
            Request::parse("/usr/bin/python3"),
            Request::Path("/usr/bin/python3".into())
        );
        assert_eq!(Request::parse("system"), Request::Default);
        assert_eq!(Request::parse("3.12.1.1"), Request::Name("3.12.1.1".into()));
    }

    fn exe(path: &Path, content: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn resolves_pyenv_shims_and_versions() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("pyenv");
        let shims = root.join("shims");
        let shim_text = format!(
            "#!/usr/bin/env bash\nset -e\nexport PYENV_ROOT=\"{}\"\nexec \"{}/libexec/pyenv\" exec \"$program\" \"$@\"\n",
            root.display(),
            root.display()
        );
        exe(&shims.join("python3"), &shim_text);
        exe(&shims.join("python3.12"), &shim_text);
        exe(&root.join("versions/3.12.1/bin/python3"), "\x7fELF");
        exe(&root.join("versions/3.12.1/bin/python3.12"), "\x7fELF");
        exe(&root.join("versions/3.12.3/bin/python3.12"), "\x7fELF");
        exe(&root.join("versions/3.11.7/bin/python3"), "\x7fELF");
        let sys = tmp.path().join("usr/bin");
        exe(&sys.join("python3"), "\x7fELF");
        fs::write(root.join("version"), "3.11.7\n").unwrap();
        let path = std::env::join_paths([&shims, &sys]).unwrap();
        let mut search = Search {
            path: Some(path),
            pyenv_root: root.clone(),
            cwd: tmp.path().to_owned(),
            ..Search::default()
        };
        assert_eq!(
            find(&Request::Default, &search).unwrap(),
            root.join("versions/3.11.7/bin/python3")
        );
        search.pyenv_version = Some("system".into());
        assert_eq!(
            find(&Request::Default, &search).unwrap(),
            sys.join("python3")
        );
        // python3.12 via the shim: the selection (system) has none, so the
        // highest pyenv 3.12 is used.
        assert_eq!(
            find(&Request::Version(vec![3, 12]), &search).unwrap(),
            root.join("versions/3.12.3/bin/python3.12")
        );
        assert_eq!(
            find(&Request::Version(vec![3, 12, 1]), &search).unwrap(),
            root.join("versions/3.12.1/bin/python3.12")
        );
        assert!(find(&Request::Version(vec![3, 9]), &search).is_err());
        search.pyenv_version = Some("3.12.1".into());
        assert_eq!(
            find(&Request::Default, &search).unwrap(),
            root.join("versions/3.12.1/bin/python3")
        );
        // A shim given as a path is resolved too.
        assert_eq!(
            find(&Request::Path(shims.join("python3")), &search).unwrap(),
            root.join("versions/3.12.1/bin/python3")
        );
    }

    #[test]
    fn venv_pythons_lead_to_their_base() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("pyenv");
        let real = root.join("versions/3.12.1/bin");
        exe(&real.join("python3.12"), "\x7fELF");
        std::os::unix::fs::symlink("python3.12", real.join("python3")).unwrap();
        // A venv made from pyenv's python3, a venv made from that venv's
        // python, and a pyenv-virtualenv env selected by the shim.
        let venv = |dir: &Path, home: &Path, link: &Path| {
            fs::create_dir_all(dir.join("bin")).unwrap();
            let cfg = format!("home = {}\nversion = 3.12.1\n", home.display());
            fs::write(dir.join("pyvenv.cfg"), cfg).unwrap();
            std::os::unix::fs::symlink(link, dir.join("bin/python3")).unwrap();
            std::os::unix::fs::symlink("python3", dir.join("bin/python")).unwrap();
        };
        let a = tmp.path().join("a");
        venv(&a, &real, &real.join("python3"));
        let b = tmp.path().join("b");
        venv(&b, &a.join("bin"), &a.join("bin/python3"));
        let env = root.join("versions/3.12.1/envs/tools");
        venv(&env, &real, &real.join("python3"));
        std::os::unix::fs::symlink(&env, root.join("versions/tools")).unwrap();
        let shims = root.join("shims");
        exe(
            &shims.join("python3"),
            &format!(
                "#!/usr/bin/env bash\nexport PYENV_ROOT=\"{}\"\nexec pyenv exec \"$program\"\n",
                root.display()
            ),
        );
        let mut search = Search {
            path: Some(std::env::join_paths([b.join("bin"), shims.clone()]).unwrap()),
            pyenv_root: root.clone(),
            pyenv_version: Some("tools".into()),
            cwd: tmp.path().to_owned(),
            ..Search::default()
        };
        let base = real.join("python3");
        assert_eq!(find(&Request::Default, &search).unwrap(), base);
        assert_eq!(
            find(&Request::Path(b.join("bin/python")), &search).unwrap(),
            base
        );
        assert_eq!(find(&Request::Path(b.clone()), &search).unwrap(), base);
        assert_eq!(
            find(&Request::Path(shims.join("python3")), &search).unwrap(),
            base
        );
        // A link to a venv's python is that venv's python.
        let tool = tmp.path().join("tool-python");
        std::os::unix::fs::symlink(a.join("bin/python"), &tool).unwrap();
        assert_eq!(find(&Request::Path(tool), &search).unwrap(), base);

        // A venv whose base is gone is passed over on PATH, and named when
        // asked for.
        let gone = tmp.path().join("gone");
        venv(
            &gone,
            &tmp.path().join("old/bin"),
            &tmp.path().join("old/bin/python3"),
        );
        fs::remove_file(gone.join("bin/python3")).unwrap();
        exe(&gone.join("bin/python3"), "\x7fELF copy");
        search.path = Some(std::env::join_paths([gone.join("bin"), shims.clone()]).unwrap());
        assert_eq!(find(&Request::Default, &search).unwrap(), base);
        let err = find(&Request::Path(gone.join("bin/python3")), &search).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "the base interpreter {} of the venv {} is gone; name another Python with -p",
                tmp.path().join("old/bin/python3").display(),
                gone.display()
            )
        );
    }

    #[test]
    fn version_file_in_ancestors() {
        let tmp = tempfile::tempdir().unwrap();
        let deep = tmp.path().join("a/b");
        fs::create_dir_all(&deep).unwrap();
        fs::write(tmp.path().join(".python-version"), "# c\n\n 3.11 \n3.12\n").unwrap();
        let (v, file) = python_version_file(&deep).unwrap().unwrap();
        assert_eq!(v, "3.11");
        assert_eq!(file, tmp.path().join(".python-version"));
        // A program is named with -p, never by the file.
        for path in ["/tmp/bobpy/python", "./tools/python", "~/py", "3.12 /x"] {
            fs::write(deep.join(".python-version"), format!("{path}\n")).unwrap();
            let err = python_version_file(&deep).unwrap_err().to_string();
            assert!(
                err.contains(".python-version") && err.contains("-p"),
                "{err}"
            );
        }
        // A file that is not a regular one is passed over, at once.
        fs::remove_file(deep.join(".python-version")).unwrap();
        std::os::unix::net::UnixListener::bind(deep.join(".python-version")).unwrap();
        let (v, _) = python_version_file(&deep).unwrap().unwrap();
        assert_eq!(v, "3.11");
    }
}
