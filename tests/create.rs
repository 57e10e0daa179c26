//! `rvenv create` against the real thing: every CPython 3.8–3.13 under
//! ~/.pyenv/versions (else `python3` on PATH), CPython's own `venv` module
//! as the reference layout, pip installing a wheel built here, the
//! activation scripts sourced in real bash, zsh, fish and tcsh with hostile
//! directory names, and the refusal, --clear, kill and concurrency cases.
//!
//! A test that lacks what it needs (a Python, a shell) says so on stderr and
//! passes, except under CI, where that fails (`common::skip`).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::Write;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const RVENV: &str = env!("CARGO_BIN_EXE_rvenv");

/// A Python under test: `3.12` and its interpreter's absolute path.
#[derive(Debug, Clone)]
struct Python {
    minor: String,
    exe: PathBuf,
}

fn pythons() -> Vec<Python> {
    let mut found = Vec::new();
    let root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".pyenv")
        });
    for minor in 8..=13 {
        let mut versions: Vec<(Vec<u32>, PathBuf)> = fs::read_dir(root.join("versions"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let v: Vec<u32> = name
                    .split('.')
                    .map(|p| p.parse().ok())
                    .collect::<Option<_>>()?;
                (v.len() == 3 && v[0] == 3 && v[1] == minor).then_some((v, e.path()))
            })
            .collect();
        versions.sort();
        if let Some((_, dir)) = versions.last() {
            let exe = dir.join(format!("bin/python3.{minor}"));
            if exe.exists() {
                found.push(Python {
                    minor: format!("3.{minor}"),
                    exe,
                });
            }
        }
    }
    if found.is_empty() {
        let out = Command::new("python3")
            .args([
                "-c",
                "import sys; print(sys.executable); print('%d.%d' % sys.version_info[:2])",
            ])
            .output();
        if let Ok(out) = out
            && out.status.success()
        {
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            let mut lines = text.lines();
            if let (Some(exe), Some(minor)) = (lines.next(), lines.next()) {
                eprintln!(
                    "no CPython 3.8-3.13 under {}: testing {exe}",
                    root.display()
                );
                found.push(Python {
                    minor: minor.to_owned(),
                    exe: exe.into(),
                });
            }
        }
    }
    if found.is_empty() {
        common::skip("no CPython 3.8-3.13 under ~/.pyenv/versions and no python3 on PATH");
    }
    found
}

fn newest() -> Option<Python> {
    pythons().pop()
}

fn have(tool: &str) -> bool {
    let ok = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        common::skip(&format!("{tool} is not installed"));
    }
    ok
}

fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rvenv-cache")
}

/// rvenv with its caches and its trust store (every venv it makes is
/// trusted) under the test's target directory, not the user's.
fn rvenv_cmd(cwd: &Path) -> Command {
    let mut cmd = Command::new(RVENV);
    cmd.current_dir(cwd)
        .env("RVENV_CACHE_DIR", cache_dir())
        .env(
            "XDG_DATA_HOME",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("xdg-data"),
        );
    cmd
}

fn rvenv(cwd: &Path, args: &[&OsStr]) -> Output {
    rvenv_cmd(cwd).arg("create").args(args).output().unwrap()
}

#[track_caller]
fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "rvenv failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "stdout not empty");
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

/// Every entry under `dir`: relative path -> "d", "f" or "l -> target".
fn tree(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(dir).unwrap().to_owned();
            let meta = p.symlink_metadata().unwrap();
            let kind = if meta.file_type().is_symlink() {
                format!("l -> {}", fs::read_link(&p).unwrap().display())
            } else if meta.is_dir() {
                stack.push(p.clone());
                "d".into()
            } else {
                "f".into()
            };
            out.insert(rel, kind);
        }
    }
    out
}

fn cfg(dir: &Path) -> BTreeMap<String, String> {
    fs::read_to_string(dir.join("pyvenv.cfg"))
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn python_says(venv: &Path, code: &str) -> String {
    let out = Command::new(venv.join("bin/python"))
        .args(["-c", code])
        .env_remove("PYTHONHOME")
        .env_remove("PYTHONPATH")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn layout_matches_cpython_venv_and_python_runs_in_it() {
    for py in pythons() {
        let tmp = tempfile::tempdir().unwrap();
        let mine = tmp.path().join("mine");
        let theirs = tmp.path().join("theirs");
        ok(&rvenv(
            tmp.path(),
            &[
                os("-p"),
                py.exe.as_os_str(),
                os("--without-pip"),
                mine.as_os_str(),
            ],
        ));
        let st = Command::new(&py.exe)
            .args(["-m", "venv", "--without-pip"])
            .arg(&theirs)
            .status()
            .unwrap();
        assert!(st.success());

        let mut a = tree(&mine);
        let b = tree(&theirs);
        // Ours on top of CPython's: the scripts nobody else writes and
        // uv's markers (3.13 writes .gitignore itself).
        for extra in ["bin/activate.nu", "CACHEDIR.TAG", ".gitignore"] {
            if !b.contains_key(Path::new(extra)) {
                assert!(a.remove(Path::new(extra)).is_some(), "{extra} missing");
            }
        }
        assert_eq!(
            a,
            b,
            "layout of {} differs from python{} -m venv",
            mine.display(),
            py.minor
        );

        let (ca, cb) = (cfg(&mine), cfg(&theirs));
        assert_eq!(
            ca.keys().collect::<Vec<_>>(),
            cb.keys().collect::<Vec<_>>(),
            "{}",
            py.minor
        );
        for key in [
            "home",
            "include-system-site-packages",
            "version",
            "executable",
        ] {
            assert_eq!(ca.get(key), cb.get(key), "{key} for {}", py.minor);
        }
        if let Some(cmd) = cb.get("command") {
            let expect = cmd.replace(theirs.to_str().unwrap(), mine.to_str().unwrap());
            assert_eq!(ca.get("command"), Some(&expect));
        }
        assert_eq!(
            fs::read_to_string(mine.join(".gitignore"))
                .unwrap()
                .lines()
                .last(),
            Some("*")
        );
        assert!(
            fs::read_to_string(mine.join("CACHEDIR.TAG"))
                .unwrap()
                .starts_with("Signature: 8a477f597d28d172789f06886806bc55")
        );

        let said = python_says(
            &mine,
            "import sys, os, site; print(sys.prefix); print(os.path.realpath(sys.base_prefix)); \
             print('\\n'.join(sys.path))",
        );
        let mut lines = said.lines();
        assert_eq!(
            lines.next(),
            Some(mine.to_str().unwrap()),
            "sys.prefix for {}",
            py.minor
        );
        let base = fs::canonicalize(py.exe.parent().unwrap().parent().unwrap()).unwrap();
        assert_eq!(
            lines.next(),
            Some(base.to_str().unwrap()),
            "sys.base_prefix"
        );
        let site = mine.join(format!("lib/python{}/site-packages", py.minor));
        assert!(
            lines.any(|l| Path::new(l) == site),
            "{} not on sys.path",
            site.display()
        );
    }
}

#[test]
fn options_copies_prompt_system_site_packages() {
    let Some(py) = newest() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("v");
    ok(&rvenv(
        tmp.path(),
        &[
            os("-p"),
            py.exe.as_os_str(),
            os("--copies"),
            os("--system-site-packages"),
            os("--prompt"),
            os("it's $(x)"),
            v.as_os_str(),
        ],
    ));
    let c = cfg(&v);
    assert_eq!(c["include-system-site-packages"], "true");
    assert_eq!(c["prompt"], "\"it's $(x)\"");
    for name in ["python", "python3", &format!("python{}", py.minor)] {
        let meta = v.join("bin").join(name).symlink_metadata().unwrap();
        assert!(meta.is_file(), "bin/{name} is not a copy");
    }
    let said = python_says(&v, "import sys; print(sys.prefix)");
    assert_eq!(said.trim(), v.to_str().unwrap());
}

#[test]
fn python_version_file_and_version_specs() {
    let pys = pythons();
    if pys.len() < 2 {
        common::skip("needs two pyenv Pythons");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    fs::create_dir_all(project.join("sub")).unwrap();
    let first = &pys[0];
    fs::write(
        project.join(".python-version"),
        format!("{}\n", first.minor),
    )
    .unwrap();
    ok(&rvenv(&project, &[os("sub/.venv")]));
    assert!(cfg(&project.join("sub/.venv"))["version"].starts_with(&format!("{}.", first.minor)));

    let last = pys.last().unwrap();
    ok(&rvenv(&project, &[os("-p"), os(&last.minor), os("v2")]));
    assert!(cfg(&project.join("v2"))["version"].starts_with(&format!("{}.", last.minor)));

    let out = rvenv(&project, &[os("-p"), os("3.99"), os("v3")]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("rvenv: no Python 3.99 on PATH"));
    assert!(!project.join("v3").exists());
}

#[test]
fn second_create_uses_the_cached_facts() {
    let Some(py) = newest() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let run = |name: &str| {
        let out = rvenv_cmd(tmp.path())
            .env("RVENV_CACHE_DIR", &cache)
            .args(["create", "--without-pip", "-p"])
            .arg(&py.exe)
            .arg(name)
            .output()
            .unwrap();
        ok(&out);
    };
    run("a");
    let files: Vec<_> = fs::read_dir(cache.join("interpreters"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(files.len(), 1);
    // Tamper with the cached version: the next create must report it, so
    // it read the cache instead of asking the interpreter.
    let path = files[0].path();
    let text = fs::read_to_string(&path).unwrap();
    let hex = |s: &str| s.bytes().map(|b| format!("{b:02x}")).collect::<String>();
    let real = cfg(&tmp.path().join("a"))["version"].clone();
    let tampered = text.replace(
        &format!("\nversion={}\n", hex(&real)),
        &format!("\nversion={}\n", hex("3.99.0")),
    );
    assert_ne!(text, tampered);
    fs::write(&path, tampered).unwrap();
    run("b");
    assert_eq!(cfg(&tmp.path().join("b"))["version"], "3.99.0");
}

/// A wheel of one module, `tinypkg`, written by hand.
fn tiny_wheel(dir: &Path) -> PathBuf {
    use zip::write::SimpleFileOptions;
    let path = dir.join("tinypkg-0.1-py3-none-any.whl");
    let mut zip = zip::ZipWriter::new(fs::File::create(&path).unwrap());
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let files: [(&str, &str); 3] = [
        ("tinypkg/__init__.py", "VALUE = 42\n"),
        (
            "tinypkg-0.1.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: tinypkg\nVersion: 0.1\n",
        ),
        (
            "tinypkg-0.1.dist-info/WHEEL",
            "Wheel-Version: 1.0\nGenerator: rvenv-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        ),
    ];
    let mut record = String::new();
    for (name, text) in files {
        zip.start_file(name, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
        record.push_str(&format!("{name},,\n"));
    }
    record.push_str("tinypkg-0.1.dist-info/RECORD,,\n");
    zip.start_file("tinypkg-0.1.dist-info/RECORD", opts)
        .unwrap();
    zip.write_all(record.as_bytes()).unwrap();
    zip.finish().unwrap();
    path
}

/// `cmd` under coreutils' `timeout`: pip and Python never hang a test.
fn timed(program: impl AsRef<OsStr>, secs: u32) -> Command {
    let mut cmd = Command::new("timeout");
    cmd.args(["-k", "5", &secs.to_string()]).arg(program);
    cmd
}

/// The venv's pip, offline and quiet about its own version. Run as
/// `python -m pip`: the scripts pip writes itself when it upgrades are
/// distlib's, whose shebang runs `$(...)` in a hostile path.
fn pip(v: &Path, args: &[&OsStr]) -> Output {
    let out = timed(v.join("bin/python"), 300)
        .args(["-m", "pip"])
        .args(args)
        .current_dir(v.parent().unwrap())
        .env("PIP_NO_INDEX", "1")
        .env("PIP_NO_CACHE_DIR", "1")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env_remove("PIP_FIND_LINKS")
        .env_remove("PYTHONDONTWRITEBYTECODE")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pip {:?} in {}: {}",
        args,
        v.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn site_of(v: &Path, py: &Python) -> PathBuf {
    v.join(format!("lib/python{}/site-packages", py.minor))
}

/// The paths a RECORD lists (its first CSV field; none here is quoted).
fn record_paths(dist_info: &Path) -> BTreeSet<String> {
    fs::read_to_string(dist_info.join("RECORD"))
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect()
}

/// `name-VERSION.dist-info` under `site`, if any.
fn dist_info(site: &Path, name: &str) -> Option<PathBuf> {
    fs::read_dir(site)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.strip_prefix(name)
                .and_then(|r| r.strip_prefix('-'))
                .is_some_and(|r| {
                    r.ends_with(".dist-info") && r.starts_with(|c: char| c.is_ascii_digit())
                })
        })
}

/// Every pip and setuptools wheel the Pythons under test bundle, in one
/// directory: an offline index whose newest pip is newer than most.
fn offline_index(dir: &Path, pys: &[Python]) -> PathBuf {
    let index = dir.join("index");
    fs::create_dir_all(&index).unwrap();
    for py in pys {
        let bundled = py
            .exe
            .parent()
            .unwrap()
            .parent()
            .unwrap()
            .join(format!("lib/python{}/ensurepip/_bundled", py.minor));
        for e in fs::read_dir(bundled).into_iter().flatten().flatten() {
            let name = e.file_name();
            if name.to_string_lossy().ends_with(".whl") {
                fs::copy(e.path(), index.join(&name)).unwrap();
            }
        }
    }
    index
}

/// The newest version of `name` among the wheels in `index`.
fn newest_wheel(index: &Path, name: &str) -> Option<String> {
    let key = |v: &str| -> Vec<u64> { v.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    fs::read_dir(index)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().into_string().ok()?;
            let rest = n.strip_prefix(&format!("{name}-"))?;
            Some(rest.split('-').next()?.to_owned())
        })
        .max_by_key(|v| key(v))
}

#[test]
fn seed_installs_pip_that_installs_a_local_wheel() {
    let tmp = tempfile::tempdir().unwrap();
    let wheel = tiny_wheel(tmp.path());
    let pys = pythons();
    let index = offline_index(tmp.path(), &pys);
    let newest_pip = newest_wheel(&index, "pip");
    for (i, py) in pys.into_iter().enumerate() {
        // One of them in a directory whose name needs the sh shebang;
        // `--seed` (the default, made explicit) stays accepted.
        let (name, flags): (String, &[&str]) = if i == 0 {
            (format!("s p'a$(touch MARK) {}", py.minor), &[])
        } else {
            (format!("seed{}", py.minor), &["--seed"])
        };
        let v = tmp.path().join(&name);
        let mut args = vec![os("-p"), py.exe.as_os_str(), v.as_os_str()];
        args.extend(flags.iter().map(|f| os(f)));
        ok(&rvenv(tmp.path(), &args));
        for pip in ["pip", "pip3", &format!("pip{}", py.minor)] {
            let out = Command::new(v.join("bin").join(pip))
                .arg("--version")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{pip}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains(&format!("(python {})", py.minor)), "{text}");
        }
        pip(
            &v,
            &[os("install"), os("--no-deps"), os("-q"), wheel.as_os_str()],
        );
        assert_eq!(
            python_says(&v, "import tinypkg; print(tinypkg.VALUE)").trim(),
            "42"
        );
        let site = site_of(&v, &py);
        let dist = dist_info(&site, "pip").unwrap();
        assert_eq!(
            fs::read_to_string(dist.join("INSTALLER")).unwrap(),
            "rvenv\n"
        );
        // Every file is the venv's own, none a link into the cache.
        use std::os::unix::fs::MetadataExt;
        for own in ["RECORD", "INSTALLER", "REQUESTED"] {
            assert_eq!(dist.join(own).metadata().unwrap().nlink(), 1, "{own}");
        }
        assert_eq!(site.join("pip/__init__.py").metadata().unwrap().nlink(), 1);
        let record = fs::read_to_string(dist.join("RECORD")).unwrap();
        for line in record.lines() {
            let file = line.split(',').next().unwrap();
            assert!(site.join(file).exists(), "{file} in RECORD is missing");
        }
        assert!(record.contains(&format!("bin/pip{},sha256=", py.minor)));
        let tag = format!("cpython-{}.pyc,,", py.minor.replace('.', ""));
        assert!(
            record.contains(&format!("pip/__pycache__/__init__.{tag}")),
            "no bytecode in RECORD"
        );
        assert!(!tmp.path().join("MARK").exists());

        // pip upgrades itself from the offline index: what the old RECORD
        // listed is gone, nothing of the old pip is left over.
        pip(
            &v,
            &[
                os("install"),
                os("-q"),
                os("--upgrade"),
                os("--force-reinstall"),
                os("--find-links"),
                index.as_os_str(),
                os("pip"),
            ],
        );
        let dist = dist_info(&site, "pip").unwrap();
        let newest = newest_pip.as_deref().unwrap();
        assert_eq!(
            dist.file_name().unwrap().to_string_lossy(),
            format!("pip-{newest}.dist-info")
        );
        let listed = record_paths(&dist);
        for (path, kind) in tree(&site.join("pip")) {
            let rel = format!("pip/{}", path.display());
            assert!(
                kind != "f" || listed.contains(&rel),
                "{rel} was left behind by the upgrade"
            );
        }
        let out = pip(&v, &[os("--version")]);
        assert!(String::from_utf8_lossy(&out.stdout).starts_with(&format!("pip {newest} ")));

        // A fresh venv's pip uninstalls itself without a trace.
        let fresh = tmp.path().join(format!("fresh{}", py.minor));
        ok(&rvenv(
            tmp.path(),
            &[os("-p"), py.exe.as_os_str(), fresh.as_os_str()],
        ));
        let site = site_of(&fresh, &py);
        let before: Vec<PathBuf> = tree(&site).into_keys().collect();
        pip(&fresh, &[os("uninstall"), os("-y"), os("-q"), os("pip")]);
        let after = tree(&site);
        let left: Vec<&PathBuf> = after
            .keys()
            .filter(|p| {
                let s = p.to_string_lossy();
                s.starts_with("pip/") || s == "pip" || s.starts_with("pip-")
            })
            .collect();
        assert!(left.is_empty(), "pip uninstall left {left:?}");
        let bins: Vec<String> = fs::read_dir(fresh.join("bin"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("pip"))
            .collect();
        assert!(bins.is_empty(), "pip uninstall left {bins:?}");
        // Nothing else went with it.
        let others_before = before
            .iter()
            .filter(|p| {
                let s = p.to_string_lossy();
                !(s.starts_with("pip/") || s == "pip" || s.starts_with("pip-"))
            })
            .count();
        assert_eq!(after.len(), others_before);
    }
}

/// The first `pip` run in a venv reads the bytecode rvenv put there: it
/// writes no `.pyc` of its own (a stale one would be rewritten, as a new
/// file).
fn inodes(dir: &Path) -> BTreeMap<PathBuf, u64> {
    use std::os::unix::fs::MetadataExt;
    tree(dir)
        .into_iter()
        .filter(|(_, kind)| kind == "f")
        .map(|(p, _)| {
            let ino = dir.join(&p).metadata().unwrap().ino();
            (p, ino)
        })
        .collect()
}

#[test]
fn default_pip_is_what_python_m_venv_installs() {
    for py in pythons() {
        let tmp = tempfile::tempdir().unwrap();
        let mine = tmp.path().join("mine");
        let theirs = tmp.path().join("theirs");
        let out = rvenv(
            tmp.path(),
            &[os("-p"), py.exe.as_os_str(), mine.as_os_str()],
        );
        ok(&out);
        let st = timed(&py.exe, 300)
            .args(["-m", "venv"])
            .arg(&theirs)
            .env("PIP_NO_INDEX", "1")
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(st.success(), "python{} -m venv", py.minor);

        // The same files: pip's, setuptools' (before 3.12), their bytecode,
        // their scripts.
        let (site, their_site) = (site_of(&mine, &py), site_of(&theirs, &py));
        assert_eq!(
            tree(&site),
            tree(&their_site),
            "site-packages of {} differ",
            py.minor
        );
        let bins = |v: &Path| -> BTreeSet<String> {
            fs::read_dir(v.join("bin"))
                .unwrap()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n != "activate.nu")
                .collect()
        };
        assert_eq!(bins(&mine), bins(&theirs));
        let mut seeded = Vec::new();
        for name in ["pip", "setuptools"] {
            let ours = dist_info(&site, name);
            assert_eq!(
                ours.as_ref().map(|d| d.file_name().unwrap().to_owned()),
                dist_info(&their_site, name).map(|d| d.file_name().unwrap().to_owned()),
                "{name} for {}",
                py.minor
            );
            if let Some(d) = ours {
                assert_eq!(
                    record_paths(&d),
                    record_paths(&their_site.join(d.file_name().unwrap())),
                    "RECORD of {name} for {}",
                    py.minor
                );
                let n = d.file_name().unwrap().to_string_lossy().into_owned();
                seeded.push(n.trim_end_matches(".dist-info").replacen('-', " ", 1));
            }
        }
        let minor: u32 = py.minor[2..].parse().unwrap();
        assert_eq!(seeded.len(), if minor < 12 { 2 } else { 1 }, "{seeded:?}");
        let said = String::from_utf8_lossy(&out.stderr);
        let said = said.trim_end();
        assert!(
            said.contains(&format!(", {})", seeded.join(", "))),
            "{said}"
        );
        assert_eq!(said.lines().count(), 1);

        // Bytecode valid for this interpreter: pip's first run writes none.
        let before = inodes(&site);
        let list = |v: &Path| -> serde_json::Value {
            let out = pip(v, &[os("list"), os("--format=json")]);
            serde_json::from_slice(&out.stdout).unwrap()
        };
        assert_eq!(list(&mine), list(&theirs), "pip list for {}", py.minor);
        assert_eq!(inodes(&site), before, "pip's first run rewrote bytecode");
        if minor < 12 {
            python_says(&mine, "import pkg_resources, setuptools");
        }
    }
}

#[test]
fn without_pip_and_upgrade_deps() {
    let pys = pythons();
    let Some(py) = pys.first().cloned() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let bare = tmp.path().join("bare");
    ok(&rvenv(
        tmp.path(),
        &[
            os("-p"),
            py.exe.as_os_str(),
            os("--without-pip"),
            bare.as_os_str(),
        ],
    ));
    assert_eq!(fs::read_dir(site_of(&bare, &py)).unwrap().count(), 0);
    assert!(!bare.join("bin/pip").exists());
    for clash in [
        ["--without-pip", "--seed"],
        ["--without-pip", "--upgrade-deps"],
    ] {
        let out = rvenv(tmp.path(), &[os(clash[0]), os(clash[1]), os("x")]);
        assert_eq!(out.status.code(), Some(2), "{clash:?}");
        assert!(!tmp.path().join("x").exists());
    }

    // --upgrade-deps runs the venv's pip once the venv is in place: here
    // from an offline index with newer wheels than this Python bundles.
    let index = offline_index(tmp.path(), &pys);
    let minor: u32 = py.minor[2..].parse().unwrap();
    let mut want = vec![format!("pip {}", newest_wheel(&index, "pip").unwrap())];
    if minor < 12 {
        want.push(format!(
            "setuptools {}",
            newest_wheel(&index, "setuptools").unwrap()
        ));
    }
    let up = tmp.path().join("up");
    let out = rvenv_cmd(tmp.path())
        .args(["create", "--upgrade-deps", "-p"])
        .arg(&py.exe)
        .arg(&up)
        .env("PIP_NO_INDEX", "1")
        .env("PIP_FIND_LINKS", &index)
        .env("PIP_NO_CACHE_DIR", "1")
        .output()
        .unwrap();
    ok(&out);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains(&format!(", {})", want.join(", "))), "{said}");
    assert_eq!(said.lines().count(), 1, "{said}");
    let out = pip(&up, &[os("--version")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!("{} from {}", want[0], up.display())),
        "{text}"
    );
    assert!(
        cfg(&up)
            .get("command")
            .is_none_or(|c| c.contains(" --upgrade-deps "))
    );

    // When pip fails the venv stays, and the one line says what to run.
    let failed = tmp.path().join("failed");
    let out = rvenv_cmd(tmp.path())
        .args(["create", "--upgrade-deps", "-p"])
        .arg(&py.exe)
        .arg(&failed)
        .env("PIP_NO_INDEX", "1")
        .env("PIP_CONSTRAINT", tmp.path().join("no-such-constraints.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err.lines().last().unwrap();
    assert!(
        last.starts_with("rvenv: created ")
            && last.contains("failed; retry with: ")
            && last.contains("/bin/python -m pip install --upgrade pip"),
        "{err}"
    );
    assert!(failed.join("pyvenv.cfg").exists() && failed.join("bin/pip").exists());
}

#[test]
fn refuses_what_is_not_a_venv() {
    let Some(py) = newest() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let p = |s: &str| tmp.path().join(s);
    fs::create_dir(p("full")).unwrap();
    fs::write(p("full/keep.txt"), "mine").unwrap();
    fs::write(p("file"), "x").unwrap();
    for (target, clear) in [
        ("full", false),
        ("full", true),
        ("file", false),
        ("file", true),
    ] {
        let mut args = vec![os("-p"), py.exe.as_os_str(), os(target)];
        if clear {
            args.push(os("--clear"));
        }
        let out = rvenv(tmp.path(), &args);
        assert_eq!(out.status.code(), Some(1), "{target} clear={clear}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with("rvenv: ") && err.contains("refusing to touch it"),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1);
        assert!(out.stdout.is_empty());
    }
    assert_eq!(fs::read_to_string(p("full/keep.txt")).unwrap(), "mine");
    assert_eq!(fs::read_dir(p("full")).unwrap().count(), 1);
    assert_eq!(fs::read_to_string(p("file")).unwrap(), "x");

    // An existing venv needs --clear.
    ok(&rvenv(tmp.path(), &[os("-p"), py.exe.as_os_str(), os("v")]));
    let out = rvenv(tmp.path(), &[os("-p"), py.exe.as_os_str(), os("v")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already a venv; use --clear"));

    // An empty directory is fine.
    fs::create_dir(p("empty")).unwrap();
    ok(&rvenv(
        tmp.path(),
        &[os("-p"), py.exe.as_os_str(), os("empty")],
    ));
    assert!(p("empty/pyvenv.cfg").exists());
    // Nothing was left beside them.
    let names: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().contains(".rvenv-"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn clear_replaces_a_venv() {
    let Some(py) = newest() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join(".venv");
    ok(&rvenv(tmp.path(), &[os("-p"), py.exe.as_os_str()]));
    let site = v.join(format!("lib/python{}/site-packages", py.minor));
    fs::write(site.join("junk.py"), "").unwrap();
    let out = rvenv(tmp.path(), &[os("-p"), py.exe.as_os_str(), os("--clear")]);
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("rvenv: replaced .venv (CPython "));
    assert!(!site.join("junk.py").exists());
    assert!(site.is_dir() && v.join("pyvenv.cfg").exists());
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        1,
        "only .venv is left"
    );
}

/// A venv is whole when its pyvenv.cfg is there and everything else is too,
/// pip included: every file of its RECORD.
fn assert_whole_or_absent(v: &Path, minor: &str) {
    if !v.exists() {
        return;
    }
    assert!(
        v.join("pyvenv.cfg").exists(),
        "{} has no pyvenv.cfg",
        v.display()
    );
    for f in [
        "bin/python",
        "bin/python3",
        "bin/activate",
        "bin/activate.fish",
        "bin/Activate.ps1",
    ] {
        assert!(v.join(f).symlink_metadata().is_ok(), "{f} missing");
    }
    let site = v.join(format!("lib/python{minor}/site-packages"));
    assert!(site.is_dir());
    for e in fs::read_dir(&site).unwrap().flatten() {
        let n = e.file_name();
        if n.to_string_lossy().ends_with(".dist-info") {
            let record = fs::read_to_string(e.path().join("RECORD")).unwrap();
            for line in record.lines() {
                let file = line.split(',').next().unwrap();
                assert!(site.join(file).exists(), "{file} missing from a whole venv");
            }
        }
    }
}

fn stage_dirs(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".rvenv-stage-"))
        .map(|e| e.path())
        .collect()
}

#[test]
fn killed_creates_leave_no_broken_venv() {
    let Some(py) = newest() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join(".venv");
    // Warm the cache so kills land in the building, not in the query, and
    // time a whole create: kills land anywhere from the start to past its end.
    ok(&rvenv(
        tmp.path(),
        &[os("-p"), py.exe.as_os_str(), os("warm")],
    ));
    let start = Instant::now();
    ok(&rvenv(
        tmp.path(),
        &[os("-p"), py.exe.as_os_str(), os("--seed"), os("timed")],
    ));
    let span = start.elapsed().as_micros() as u64 * 5 / 4 + 1;
    let mut seed = Instant::now().elapsed().as_nanos() as u64 ^ u64::from(std::process::id());
    let mut killed = 0;
    let mut mid_build = 0;
    for i in 0..40 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let delay = Duration::from_micros((seed >> 33) % span);
        let stages_before = stage_dirs(tmp.path());
        let began_building = || {
            stage_dirs(tmp.path()).iter().any(|d| {
                !stages_before.contains(d) && fs::read_dir(d).is_ok_and(|mut e| e.next().is_some())
            })
        };
        let mut child = rvenv_cmd(tmp.path())
            .args(["create", "--seed", "--clear", "-p"])
            .arg(&py.exe)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Half the kills wait for the build to begin, so that a slow or busy
        // machine, where what comes before the build (cleaning what earlier
        // kills left, for one) takes most of the time, still kills builds.
        // The others land anywhere from the start to past the end.
        if i % 2 == 0 {
            let deadline = Instant::now() + Duration::from_secs(20);
            while !began_building() && Instant::now() < deadline {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
            }
            std::thread::sleep(delay / 4);
        } else {
            std::thread::sleep(delay);
        }
        let signal = if i % 4 == 3 {
            libc::SIGINT
        } else {
            libc::SIGKILL
        };
        // SAFETY: kill(2) on the pid of a child we have not waited for.
        unsafe { libc::kill(child.id() as i32, signal) };
        let status = child.wait().unwrap();
        if !status.success() {
            killed += 1;
        }
        // A SIGKILL that landed while the venv was being built leaves its
        // staging directory, with something in it.
        use std::os::unix::process::ExitStatusExt;
        if status.signal() == Some(libc::SIGKILL) && began_building() {
            mid_build += 1;
        }
        assert_whole_or_absent(&v, &py.minor);
    }
    eprintln!(
        "{killed} of 40 creates were killed, {mid_build} of them while building \
         (kills within {span} µs)"
    );
    // Otherwise the loop above tested nothing.
    assert!(
        mid_build >= 3,
        "only {mid_build} kills landed while a venv was being built"
    );
    // A create after all that works and cleans what the killed ones left.
    ok(&rvenv(
        tmp.path(),
        &[os("-p"), py.exe.as_os_str(), os("--clear"), os("--seed")],
    ));
    assert_whole_or_absent(&v, &py.minor);
    for stage in stage_dirs(tmp.path()) {
        let empty = fs::read_dir(&stage).unwrap().next().is_none();
        assert!(empty, "{} was left behind", stage.display());
    }
}

#[test]
fn concurrent_creates_end_with_one_whole_venv() {
    let Some(py) = newest() else { return };
    let tmp = tempfile::tempdir().unwrap();
    ok(&rvenv(
        tmp.path(),
        &[os("-p"), py.exe.as_os_str(), os("warm")],
    ));
    for round in 0..8 {
        let clear = round % 2 == 1;
        let v = tmp.path().join(format!("v{round}"));
        let spawn = || {
            let mut cmd = rvenv_cmd(tmp.path());
            cmd.args(["create", "--seed", "-p"]).arg(&py.exe).arg(&v);
            if clear {
                cmd.arg("--clear");
            }
            cmd.stderr(Stdio::piped()).spawn().unwrap()
        };
        let (a, b) = (spawn(), spawn());
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        let wins = [&a, &b].iter().filter(|o| o.status.success()).count();
        if clear {
            assert_eq!(
                wins,
                2,
                "{}{}",
                String::from_utf8_lossy(&a.stderr),
                String::from_utf8_lossy(&b.stderr)
            );
        } else {
            assert_eq!(wins, 1);
            let loser = if a.status.success() { &b } else { &a };
            let err = String::from_utf8_lossy(&loser.stderr);
            assert!(err.contains("use --clear to replace it"), "{err}");
        }
        assert_whole_or_absent(&v, &py.minor);
        assert!(v.join("pyvenv.cfg").exists());
    }
    assert!(stage_dirs(tmp.path()).is_empty());
}

/// Directory names that break naive quoting.
fn hostile_names() -> Vec<Vec<u8>> {
    vec![
        b"with space".to_vec(),
        b"q'uo\"te".to_vec(),
        b"$(touch MARK1)".to_vec(),
        b"`touch MARK2`".to_vec(),
        b"nl\nline".to_vec(),
        b"bad\xff\xfeutf8".to_vec(),
        b"pct%!\\x{a,b}*;|&".to_vec(),
        b"__PS1__ ${HOME} !! \\".to_vec(),
        // nushell misread a raw string that begins with `#`.
        b"#hash".to_vec(),
    ]
}

/// Creates `<tmp>/<name>/.venv` for each hostile name.
fn hostile_venvs(tmp: &Path, py: &Python) -> Vec<(PathBuf, Vec<u8>)> {
    hostile_names()
        .into_iter()
        .map(|name| {
            let project = tmp.join(OsStr::from_bytes(&name));
            fs::create_dir_all(&project).unwrap();
            let v = project.join(".venv");
            ok(&rvenv(tmp, &[os("-p"), py.exe.as_os_str(), v.as_os_str()]));
            (v, name)
        })
        .collect()
}

/// Runs `script` in `shell` with VENV set to the venv and the cwd a fresh
/// directory, then checks the files it wrote: `ve` (VIRTUAL_ENV),
/// `vp` (VIRTUAL_ENV_PROMPT), `ok` lines, and that nothing else appeared.
fn check_activation(
    shell: &[&str],
    script: &str,
    v: &Path,
    name: &[u8],
    expect_ok: &[&str],
    out_dir: &Path,
) {
    fs::create_dir_all(out_dir).unwrap();
    let out = Command::new(shell[0])
        .args(&shell[1..])
        .arg(script)
        .current_dir(out_dir)
        .env("VENV", v)
        .env("HOME", out_dir)
        .env_remove("VIRTUAL_ENV")
        .env_remove("VIRTUAL_ENV_DISABLE_PROMPT")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let what = format!("{} with {:?}", shell[0], String::from_utf8_lossy(name));
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        fs::read(out_dir.join("ve")).unwrap(),
        v.as_os_str().as_bytes(),
        "VIRTUAL_ENV in {what}"
    );
    assert_eq!(
        fs::read(out_dir.join("vp")).unwrap(),
        name,
        "VIRTUAL_ENV_PROMPT in {what}"
    );
    let oks = fs::read_to_string(out_dir.join("ok")).unwrap_or_default();
    let oks: Vec<&str> = oks.lines().collect();
    assert_eq!(
        oks,
        expect_ok,
        "{what}; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut files: Vec<OsString> = fs::read_dir(out_dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    files.sort();
    files.retain(|f| {
        !["ve", "vp", "ok", "ps1"].contains(&f.to_str().unwrap_or(""))
            && !f.to_string_lossy().starts_with('.')
    });
    assert!(files.is_empty(), "{what} ran something: {files:?}");
}

/// What the prompt must show for `name`: drawn by the one rule (control
/// characters, C1, bidi overrides and bytes that are not UTF-8 as `?`).
fn shown(name: &[u8]) -> Vec<u8> {
    let mut out = b"(".to_vec();
    out.extend(common::drawn_name(name));
    out.extend_from_slice(b") $ ");
    out
}

const POSIX_CHECK: &str = r#"
PS1='$ '
old_path=$PATH
BEFORE
. "$VENV/bin/activate"
printf '%s' "$VIRTUAL_ENV" > ve
printf '%s' "$VIRTUAL_ENV_PROMPT" > vp
[ "$PATH" = "$VENV/bin:$old_path" ] && echo path >> ok
[ "$(command -v deactivate)" = deactivate ] && echo defined >> ok
AFTER
. "$VENV/bin/activate"
[ "$PATH" = "$VENV/bin:$old_path" ] && echo again >> ok
deactivate
[ "$PATH" = "$old_path" ] && echo restored >> ok
[ -z "${VIRTUAL_ENV+x}" ] && [ -z "${VIRTUAL_ENV_PROMPT+x}" ] && echo unset >> ok
[ "$PS1" = '$ ' ] && echo ps1 >> ok
[ "$(command -v deactivate)" = deactivate ] || echo gone >> ok
"#;

/// How a shell draws the prompt shows the name: exactly, with `$`, ` and
/// `\` as `?` (pasted), or unchecked (only: nothing runs).
#[derive(Clone, Copy, PartialEq)]
enum Shown {
    Exact,
    Pasted,
    Unchecked,
}

#[test]
fn activate_in_bash_and_zsh_with_hostile_names() {
    let Some(py) = newest() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let venvs = hostile_venvs(tmp.path(), &py);
    let expect = [
        "path", "defined", "again", "restored", "unset", "ps1", "gone",
    ];
    let bash = ["bash", "--norc", "--noprofile", "-c"];
    let zsh = ["zsh", "-f", "-c"];
    // (shell, before activation, after it: draw the prompt into ps1, what it shows)
    let mut cases: Vec<(&[&str], &str, &str, Shown)> = Vec::new();
    if have("bash") {
        // ${PS1@P} expands the prompt as bash draws it.
        let draw = r#"printf '%s' "${PS1@P}" > ps1"#;
        cases.push((&bash, ":", draw, Shown::Exact));
        cases.push((&bash, "shopt -u promptvars", draw, Shown::Pasted));
        let later = r#"shopt -s promptvars; printf '%s' "${PS1@P}" > ps1"#;
        cases.push((&bash, "shopt -u promptvars", later, Shown::Unchecked));
    }
    if have("zsh") {
        let draw = r#"print -rnP -- "$PS1" > ps1"#;
        cases.push((&zsh, "setopt prompt_subst prompt_bang", draw, Shown::Exact));
        cases.push((
            &zsh,
            "setopt prompt_subst no_prompt_bang",
            draw,
            Shown::Exact,
        ));
        cases.push((
            &zsh,
            "setopt no_prompt_subst prompt_bang",
            draw,
            Shown::Pasted,
        ));
        cases.push((
            &zsh,
            "setopt no_prompt_subst no_prompt_bang",
            draw,
            Shown::Pasted,
        ));
        let later = r#"setopt prompt_subst; print -rnP -- "$PS1" > ps1"#;
        cases.push((&zsh, "setopt no_prompt_subst", later, Shown::Unchecked));
    }
    if have("dash") {
        cases.push((&["dash", "-c"], ":", ":", Shown::Unchecked));
    }
    for (i, (v, name)) in venvs.iter().enumerate() {
        for (j, (shell, before, after, how)) in cases.iter().enumerate() {
            let script = POSIX_CHECK
                .replace("BEFORE", before)
                .replace("AFTER", after);
            let out_dir = tmp.path().join(format!("out-{i}-{j}"));
            check_activation(shell, &script, v, name, &expect, &out_dir);
            let mut want = shown(name);
            if *how == Shown::Pasted {
                for b in &mut want {
                    if matches!(*b, b'$' | b'`' | b'\\') {
                        *b = b'?';
                    }
                }
                // The `$ ` of the old prompt is not the name's.
                let n = want.len();
                want[n - 2] = b'$';
            }
            if *how != Shown::Unchecked {
                let ps1 = fs::read(out_dir.join("ps1")).unwrap();
                assert_eq!(
                    String::from_utf8_lossy(&ps1),
                    String::from_utf8_lossy(&want),
                    "{} {before} for {:?}",
                    shell[0],
                    String::from_utf8_lossy(name)
                );
            }
        }
    }
}

#[test]
fn activate_in_fish_with_hostile_names() {
    let Some(py) = newest() else { return };
    if !have("fish") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let script = r#"
set -l old_path (string join : $PATH | string collect)
function fish_prompt; printf '$ '; end
source "$VENV/bin/activate.fish"
printf '%s' "$VIRTUAL_ENV" > ve
printf '%s' "$VIRTUAL_ENV_PROMPT" > vp
test (string join : $PATH | string collect) = "$VENV/bin:$old_path"; and echo path >> ok
functions -q deactivate; and echo defined >> ok
fish_prompt | string replace -ra '\e(\[[0-9;]*m|\(B)' '' | string collect -N > ps1
source "$VENV/bin/activate.fish"
deactivate
test (string join : $PATH | string collect) = "$old_path"; and echo restored >> ok
set -q VIRTUAL_ENV; or set -q VIRTUAL_ENV_PROMPT; or echo unset >> ok
test (fish_prompt) = '$ '; and echo prompt >> ok
functions -q deactivate; or echo gone >> ok
"#;
    let expect = ["path", "defined", "restored", "unset", "prompt", "gone"];
    for (i, (v, name)) in hostile_venvs(tmp.path(), &py).iter().enumerate() {
        let out_dir = tmp.path().join(format!("out-{i}"));
        check_activation(
            &["fish", "--no-config", "-c"],
            script,
            v,
            name,
            &expect,
            &out_dir,
        );
        let ps1 = fs::read(out_dir.join("ps1")).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ps1),
            String::from_utf8_lossy(&shown(name))
        );
    }
}

#[test]
fn activate_in_tcsh_with_hostile_names() {
    let Some(py) = newest() else { return };
    if !have("tcsh") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let script = r#"
set prompt = '$ '
set old_path = "$PATH:q"
source "$VENV:q/bin/activate.csh"
printenv VIRTUAL_ENV | head -c -1 > ve
printenv VIRTUAL_ENV_PROMPT | head -c -1 > vp
if ("$PATH:q" == "$VENV:q/bin:$old_path:q") echo path >> ok
source "$VENV:q/bin/activate.csh"
deactivate
if ("$PATH:q" == "$old_path:q") echo restored >> ok
if (! $?VIRTUAL_ENV) echo unset >> ok
if ("$prompt:q" == '$ ') echo prompt >> ok
"#;
    let expect = ["path", "restored", "unset", "prompt"];
    for (i, (v, name)) in hostile_venvs(tmp.path(), &py).iter().enumerate() {
        let out_dir = tmp.path().join(format!("out-{i}"));
        check_activation(&["tcsh", "-f", "-c"], script, v, name, &expect, &out_dir);
    }
}

#[test]
fn stdout_stays_empty_and_errors_are_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out = rvenv(tmp.path(), &[os("-p"), os("/nonexistent/python3"), os("v")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("rvenv: ") && err.lines().count() == 1,
        "{err}"
    );
    assert!(!tmp.path().join("v").exists());
    let _ = OsString::from_vec(Vec::new());
}

/// nushell is found on PATH or at $RVENV_TEST_NU (its npm package puts the
/// real binary at node_modules/@nushell/linux-x64/bin/nu).
fn nu_binary() -> Option<PathBuf> {
    if let Some(nu) = std::env::var_os("RVENV_TEST_NU") {
        return Some(nu.into());
    }
    if have("nu") {
        return Some("nu".into());
    }
    None
}

#[test]
fn activate_in_nushell_with_hostile_names() {
    let Some(py) = newest() else { return };
    let Some(nu) = nu_binary() else {
        if std::env::var_os("RVENV_NO_NU").is_some() {
            // scripts/test tried npm and says it cannot be had here.
            eprintln!("skipped: nushell cannot be installed here (RVENV_NO_NU)");
        } else {
            common::skip("nushell is not installed (scripts/test installs it from npm)");
        }
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    for (i, (v, name)) in hostile_venvs(tmp.path(), &py).iter().enumerate() {
        let out_dir = tmp.path().join(format!("out-{i}"));
        fs::create_dir_all(&out_dir).unwrap();
        let Some(path) = v.to_str() else {
            // nushell holds no such string: the script says so and stops.
            let text = fs::read_to_string(v.join("bin/activate.nu")).unwrap();
            assert!(text.contains("not UTF-8"));
            continue;
        };
        let hashes = "#".repeat(path.matches('#').count() + 1);
        let activate = format!("r{hashes}'{path}/bin/activate.nu'{hashes}");
        let script = format!(
            "let before = $env.PATH\n\
             overlay use {activate}\n\
             $env.VIRTUAL_ENV | save -r ve\n\
             $env.VIRTUAL_ENV_PROMPT | save -r vp\n\
             if ($env.PATH | first) == ($env.VENV | path join bin) {{ 'path' | save -a ok }}\n\
             deactivate\n\
             if $env.PATH == $before {{ \"\\nrestored\" | save -a ok }}\n\
             if not ('VIRTUAL_ENV' in $env) {{ \"\\nunset\" | save -a ok }}\n"
        );
        fs::write(out_dir.join("t.nu"), script).unwrap();
        let out = Command::new(&nu)
            .args(["--no-config-file", "t.nu"])
            .current_dir(&out_dir)
            .env("VENV", v)
            .env_remove("VIRTUAL_ENV")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let what = format!("nu with {:?}", String::from_utf8_lossy(name));
        assert!(
            out.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            fs::read(out_dir.join("ve")).unwrap(),
            v.as_os_str().as_bytes(),
            "{what}"
        );
        assert_eq!(fs::read(out_dir.join("vp")).unwrap(), *name, "{what}");
        assert_eq!(
            fs::read_to_string(out_dir.join("ok")).unwrap(),
            "path\nrestored\nunset",
            "{what}"
        );
        let mut files: Vec<_> = fs::read_dir(&out_dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        files.sort();
        assert_eq!(files, ["ok", "t.nu", "ve", "vp"], "{what} ran something");
    }
}

/// Runs `script` in `shell` (`VENV` set, cwd and HOME `dir`) and returns
/// its stdout; fails the test if it fails.
fn shell_says(shell: &[&str], script: &str, v: &Path, dir: &Path, env: &[(&str, &str)]) -> String {
    fs::create_dir_all(dir).unwrap();
    let mut cmd = timed(shell[0], 60);
    cmd.args(&shell[1..])
        .arg(script)
        .current_dir(dir)
        .env("VENV", v)
        .env("HOME", dir)
        .env_remove("VIRTUAL_ENV")
        .env_remove("VIRTUAL_ENV_DISABLE_PROMPT")
        .env_remove("PS1")
        .stdin(Stdio::null());
    for (k, val) in env {
        cmd.env(k, val);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{} failed: {}{}",
        shell[0],
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn activate_survives_set_e_and_hashing_off_and_exports_no_ps1() {
    let Some(py) = newest() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("proj/.venv");
    ok(&rvenv(
        tmp.path(),
        &[
            os("-p"),
            py.exe.as_os_str(),
            os("--without-pip"),
            v.as_os_str(),
        ],
    ));
    // `set -e` ends the shell at the first failing command; with hashing
    // off `hash -r` fails.
    let script = r#"
PS1='$ '
set -e
set +h
. "$VENV/bin/activate"
echo "activate=$?"
deactivate
echo "deactivate=$?"
set +e
. "$VENV/bin/activate"
echo "again=$?"
"#;
    let mut shells: Vec<&[&str]> = vec![&["bash", "--norc", "--noprofile", "-c"]];
    if have("dash") {
        shells.push(&["dash", "-c"]);
    }
    for shell in &shells {
        let said = shell_says(
            shell,
            &script.replace("set +h", if shell[0] == "bash" { "set +h" } else { ":" }),
            &v,
            &tmp.path().join("e"),
            &[],
        );
        assert_eq!(said, "activate=0\ndeactivate=0\nagain=0\n", "{}", shell[0]);
    }

    // PS1 belongs to the shell that draws it: a child shell never sees
    // it, neither the venv's nor the old one, after activate or deactivate.
    let posix = r#"
PS1='$ '
. "$VENV/bin/activate"
printf 'active:%s\n' "$(printenv PS1 || echo none)"
[ "$PS1" != '$ ' ] && echo own:changed
deactivate
printf 'after:%s\n' "$(printenv PS1 || echo none)"
"#;
    let mut posix_shells: Vec<&[&str]> = vec![&["bash", "--norc", "--noprofile", "-c"]];
    if have("zsh") {
        posix_shells.push(&["zsh", "-f", "-c"]);
    }
    for shell in posix_shells {
        let said = shell_says(shell, posix, &v, &tmp.path().join("p"), &[]);
        assert_eq!(
            said, "active:none\nown:changed\nafter:none\n",
            "{}",
            shell[0]
        );
    }
    if have("tcsh") {
        let csh = r#"
set prompt = '$ '
source "$VENV:q/bin/activate.csh"
printenv PS1 || echo active:none
echo "own:$prompt:q"
deactivate
printenv PS1 || echo after:none
"#;
        let said = shell_says(&["tcsh", "-f", "-c"], csh, &v, &tmp.path().join("c"), &[]);
        assert_eq!(said, "active:none\nown:(proj) $ \nafter:none\n");
    }
}

#[test]
fn fish_prompt_without_colours_and_with_a_hostile_source_function() {
    let Some(py) = newest() else { return };
    if !have("fish") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("proj/.venv");
    ok(&rvenv(
        tmp.path(),
        &[
            os("-p"),
            py.exe.as_os_str(),
            os("--without-pip"),
            v.as_os_str(),
        ],
    ));
    // The user's own `source` and `.` functions, and a prompt that shows
    // the last command's status.
    let script = r#"
function source; echo source >> ran; end
function .; echo dot >> ran; end
function fish_prompt; printf '[%s] $ ' $status; end
builtin source "$VENV/bin/activate.fish"
false
fish_prompt
"#;
    let said = shell_says(
        &["fish", "--no-config", "-c"],
        script,
        &v,
        &tmp.path().join("f"),
        &[("TERM", "dumb")],
    );
    assert_eq!(said, "(proj) [1] $ ");
    assert!(!tmp.path().join("f/ran").exists(), "a user function ran");
    // With colours the name is still whole, between the escapes.
    let said = shell_says(
        &["fish", "--no-config", "-c"],
        script,
        &v,
        &tmp.path().join("g"),
        &[("TERM", "xterm-256color")],
    );
    let plain: String = {
        let mut out = String::new();
        let mut chars = said.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                match chars.next() {
                    Some('[') => {
                        for c in chars.by_ref() {
                            if c.is_ascii_alphabetic() {
                                break;
                            }
                        }
                    }
                    _ => {
                        chars.next();
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    };
    assert_eq!(plain, "(proj) [1] $ ", "{said:?}");
}

/// Where the cache is on another file system, pip's files are copied, with
/// the mtimes their bytecode checks: pip's first run compiles nothing.
#[test]
fn seed_copies_across_file_systems() {
    use std::os::unix::fs::MetadataExt;
    let Some(py) = newest() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let Ok(other) = tempfile::tempdir_in("/dev/shm") else {
        common::skip("no /dev/shm to hold a cache on another file system");
        return;
    };
    let dev = |p: &Path| p.metadata().unwrap().dev();
    if dev(tmp.path()) == dev(other.path()) {
        common::skip("/dev/shm is on the same file system as the temporary directory");
        return;
    }
    let v = tmp.path().join("v");
    let out = rvenv_cmd(tmp.path())
        .env("RVENV_CACHE_DIR", other.path())
        .args(["create", "-p"])
        .arg(&py.exe)
        .arg(&v)
        .output()
        .unwrap();
    ok(&out);
    let site = site_of(&v, &py);
    assert_eq!(site.join("pip/__init__.py").metadata().unwrap().nlink(), 1);
    let before = inodes(&site);
    pip(&v, &[os("list"), os("--format=json")]);
    assert_eq!(inodes(&site), before, "pip's first run rewrote bytecode");
}

/// Each venv gets pip's files of its own, never hard links into the seed
/// cache: one shared inode would let an edit (or a `chown -R`) of one venv
/// reach the cache and every other venv. And they get the modes pip gives
/// what it writes: 0o666 less the umask, scripts plus 0o555.
#[test]
fn seeded_files_are_each_venvs_own() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let Some(py) = newest() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (v1, v2) = (tmp.path().join("v1"), tmp.path().join("v2"));
    for v in [&v1, &v2] {
        ok(&rvenv(
            tmp.path(),
            &[os("-p"), py.exe.as_os_str(), v.as_os_str()],
        ));
    }
    let file = |v: &Path| site_of(v, &py).join("pip/__init__.py");
    let (f1, f2) = (file(&v1), file(&v2));
    let (m1, m2) = (f1.metadata().unwrap(), f2.metadata().unwrap());
    assert_eq!(m1.nlink(), 1, "{} is a hard link", f1.display());
    assert_eq!(m2.nlink(), 1, "{} is a hard link", f2.display());
    assert_ne!(m1.ino(), m2.ino(), "the two venvs share pip's inode");
    let before = fs::read(&f2).unwrap();
    fs::OpenOptions::new()
        .append(true)
        .open(&f1)
        .unwrap()
        .write_all(b"\n# edited in v1\n")
        .unwrap();
    assert_eq!(fs::read(&f2).unwrap(), before, "an edit of v1 changed v2");
    // A venv made after the edit still gets pip as it was.
    let v3 = tmp.path().join("v3");
    ok(&rvenv(
        tmp.path(),
        &[os("-p"), py.exe.as_os_str(), v3.as_os_str()],
    ));
    assert_eq!(
        fs::read(file(&v3)).unwrap(),
        before,
        "the edit reached the cache"
    );

    for (umask, file_mode, script_mode) in [("077", 0o600, 0o755), ("002", 0o664, 0o775)] {
        let v = tmp.path().join(format!("u{umask}"));
        let out = Command::new("sh")
            .args(["-c", &format!("umask {umask} && exec \"$0\" \"$@\""), RVENV])
            .args([os("create"), os("-p"), py.exe.as_os_str(), v.as_os_str()])
            .current_dir(tmp.path())
            .env("RVENV_CACHE_DIR", cache_dir())
            .env(
                "XDG_DATA_HOME",
                Path::new(env!("CARGO_TARGET_TMPDIR")).join("xdg-data"),
            )
            .output()
            .unwrap();
        ok(&out);
        let mode = |p: &Path| p.metadata().unwrap().permissions().mode() & 0o7777;
        let site = site_of(&v, &py);
        let pyc = fs::read_dir(site.join("pip/__pycache__"))
            .unwrap()
            .flatten()
            .next()
            .unwrap()
            .path();
        for f in [site.join("pip/__init__.py"), pyc] {
            assert_eq!(mode(&f), file_mode, "{} under umask {umask}", f.display());
        }
        let script = v.join("bin/pip");
        assert_eq!(
            mode(&script),
            script_mode,
            "{} under umask {umask}",
            script.display()
        );
    }
}

/// A venv path that is not UTF-8: CPython 3.11+ reads pyvenv.cfg as UTF-8
/// at start, so its `command` line (which holds the path) is left out
/// rather than written raw, and the venv's python starts.
#[test]
fn a_path_that_is_not_utf8_leaves_a_python_that_starts() {
    let Some(py) = pythons()
        .into_iter()
        .rfind(|p| p.minor[2..].parse::<u32>().is_ok_and(|m| m >= 11))
    else {
        common::skip("no CPython 3.11+ (the ones that write pyvenv.cfg's command)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join(OsStr::from_bytes(b"p\xffx")).join(".venv");
    ok(&rvenv(
        tmp.path(),
        &[
            os("-p"),
            py.exe.as_os_str(),
            os("--without-pip"),
            v.as_os_str(),
        ],
    ));
    let cfg = fs::read(v.join("pyvenv.cfg")).unwrap();
    assert!(
        std::str::from_utf8(&cfg).is_ok(),
        "pyvenv.cfg is not UTF-8: {}",
        String::from_utf8_lossy(&cfg)
    );
    let prefix = Command::new(v.join("bin/python"))
        .args([
            "-c",
            "import os, sys; sys.stdout.buffer.write(os.fsencode(sys.prefix))",
        ])
        .env_remove("PYTHONHOME")
        .env_remove("PYTHONPATH")
        .output()
        .unwrap();
    assert!(
        prefix.status.success(),
        "python {} in the venv: {}",
        py.minor,
        String::from_utf8_lossy(&prefix.stderr)
    );
    assert_eq!(prefix.stdout, v.as_os_str().as_bytes());
}

/// A `python3` in `dir` that never answers: a script whose child of its
/// own (its pid written to the returned file) holds rvenv's pipes, so that
/// killing the script alone would leave rvenv waiting on them.
fn hanging_interpreter(dir: &Path) -> (PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let fake = dir.join("python3");
    let pid_file = dir.join("child.pid");
    fs::write(
        &fake,
        format!(
            "#!/bin/sh\nsleep 300 &\necho $! > '{}'\nwait\n",
            pid_file.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    (fake, pid_file)
}

/// Fails unless the process whose pid is in `pid_file` is gone within 5 s
/// (a zombie counts as gone: where PID 1 does not reap, it stays one).
fn assert_gone_soon(pid_file: &Path) {
    let pid: i32 = fs::read_to_string(pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let runs = || {
        fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
            s.rsplit_once(") ")
                .is_some_and(|(_, r)| !r.starts_with('Z'))
        })
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    while runs() {
        assert!(
            Instant::now() < deadline,
            "the script's child {pid} still runs"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// An interpreter that never answers rvenv's query is stopped, with what
/// it started, once RVENV_PYTHON_TIMEOUT has passed: rvenv fails with one
/// line naming it instead of hanging.
#[test]
fn a_hanging_interpreter_is_stopped() {
    let tmp = tempfile::tempdir().unwrap();
    let (fake, pid_file) = hanging_interpreter(tmp.path());
    let v = tmp.path().join("v");
    let start = Instant::now();
    let out = timed(RVENV, 15)
        .args([os("create"), os("-p"), fake.as_os_str(), v.as_os_str()])
        .current_dir(tmp.path())
        .env("RVENV_CACHE_DIR", cache_dir())
        .env(
            "XDG_DATA_HOME",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("xdg-data"),
        )
        .env("RVENV_PYTHON_TIMEOUT", "0.5")
        .output()
        .unwrap();
    let took = start.elapsed();
    assert!(took < Duration::from_secs(10), "rvenv took {took:?}");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&fake.display().to_string()), "{err}");
    assert!(err.contains("did not answer"), "{err}");
    assert!(!v.exists());
    // What the script started is gone too.
    assert_gone_soon(&pid_file);
}

/// Ctrl-C while rvenv waits for an interpreter that does not answer (the
/// interpreter runs in a process group of its own, out of the terminal's
/// reach): rvenv stops the interpreter and what it started, then dies of
/// that SIGINT at once, as it would have, leaving nothing behind.
#[test]
fn ctrl_c_while_asking_a_hanging_interpreter() {
    use std::os::unix::process::ExitStatusExt;
    let tmp = tempfile::tempdir().unwrap();
    let (fake, pid_file) = hanging_interpreter(tmp.path());
    let v = tmp.path().join("v");
    let mut child = timed(RVENV, 15)
        .args([os("create"), os("-p"), fake.as_os_str(), v.as_os_str()])
        .current_dir(tmp.path())
        .env("RVENV_CACHE_DIR", cache_dir())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !pid_file.exists() {
        assert!(Instant::now() < deadline, "the script never ran");
        std::thread::sleep(Duration::from_millis(20));
    }
    // `timed` runs rvenv under timeout(1): the signal goes to rvenv itself.
    let rvenv_pid = fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .find(|pid| {
            fs::read_to_string(format!("/proc/{pid}/status"))
                .is_ok_and(|s| s.contains(&format!("PPid:\t{}\n", child.id())))
        })
        .expect("rvenv under timeout");
    let start = Instant::now();
    // SAFETY: kill touches no memory.
    unsafe { libc::kill(rvenv_pid, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    // timeout(1) reports its child's death by a signal as 128 + it.
    assert!(
        status.code() == Some(130) || status.signal() == Some(libc::SIGINT),
        "{status:?}"
    );
    assert!(!v.exists());
    assert_gone_soon(&pid_file);
}

/// An existing empty directory is kept, as `python -m venv` keeps it: the
/// venv is built inside it, so its inode, mode (setgid, group bits) and a
/// shell sitting in it stay, where a renamed staging directory would
/// replace it (and fail on a mount point or under a parent only root can
/// write).
#[test]
fn an_existing_empty_directory_is_kept() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let Some(py) = newest() else { return };
    let tmp = tempfile::tempdir().unwrap();
    for clear in [false, true] {
        let d = tmp.path().join(format!("env{clear}"));
        fs::create_dir(&d).unwrap();
        fs::set_permissions(&d, fs::Permissions::from_mode(0o2770)).unwrap();
        let ino = d.metadata().unwrap().ino();
        // A shell whose cwd is the directory, waiting to look around.
        let mut sh = Command::new("sh")
            .args([
                "-c",
                "read x; test -f pyvenv.cfg && test -x bin/python && echo ok",
            ])
            .current_dir(&d)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut args = vec![os("-p"), py.exe.as_os_str(), d.as_os_str()];
        if clear {
            args.push(os("--clear"));
        }
        ok(&rvenv(tmp.path(), &args));
        let meta = d.metadata().unwrap();
        assert_eq!(meta.ino(), ino, "the directory was replaced");
        assert_eq!(meta.mode() & 0o7777, 0o2770, "its mode was lost");
        writeln!(sh.stdin.take().unwrap()).unwrap();
        let mut said = String::new();
        BufReader::new(sh.stdout.take().unwrap())
            .read_line(&mut said)
            .unwrap();
        sh.wait().unwrap();
        assert_eq!(said, "ok\n", "the shell in it sees no venv");
        assert_whole_or_absent(&d, &py.minor);
        assert_eq!(
            python_says(&d, "import sys; print(sys.prefix)").trim(),
            d.to_str().unwrap()
        );
        assert!(stage_dirs(&d).is_empty(), "{:?}", stage_dirs(&d));
    }
    assert!(stage_dirs(tmp.path()).is_empty());
}

/// Two creates into one empty directory, both staging inside it: one venv
/// ends up there, whole, and the other create says someone else made it.
#[test]
fn concurrent_creates_in_an_empty_directory() {
    let Some(py) = newest() else { return };
    let tmp = tempfile::tempdir().unwrap();
    ok(&rvenv(
        tmp.path(),
        &[os("-p"), py.exe.as_os_str(), os("warm")],
    ));
    for round in 0..6 {
        let d = tmp.path().join(format!("d{round}"));
        fs::create_dir(&d).unwrap();
        let spawn = || {
            rvenv_cmd(tmp.path())
                .args(["create", "-p"])
                .arg(&py.exe)
                .arg(&d)
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        let wins = [&a, &b].iter().filter(|o| o.status.success()).count();
        let both = format!(
            "{}{}",
            String::from_utf8_lossy(&a.stderr),
            String::from_utf8_lossy(&b.stderr)
        );
        assert_eq!(wins, 1, "{both}");
        assert!(
            both.contains("already a venv") || both.contains("by someone else meanwhile"),
            "{both}"
        );
        assert!(d.join("pyvenv.cfg").exists());
        assert_whole_or_absent(&d, &py.minor);
        assert!(stage_dirs(&d).is_empty(), "{:?}", stage_dirs(&d));
    }
}

/// `--clear` of a venv that cannot be swapped whole, here one in a
/// directory its user cannot write (`mkdir /opt/venv && chown app
/// /opt/venv; USER app`), is emptied where it is and made again, as
/// `python -m venv --clear` does: the directory stays, its inode too, and
/// what was in it is gone.
#[test]
fn clear_where_the_parent_is_not_writable() {
    use std::os::unix::fs::MetadataExt;
    let Some(user) = common::other_user("rvt-clear", None) else {
        return;
    };
    let python = Path::new("/usr/bin/python3");
    if !python.exists() {
        common::skip("no /usr/bin/python3 for a second user to run");
        return;
    }
    let fx = common::Fixture::new();
    let tmp = fx.shared_tmp();
    let parent = tmp.join("opt");
    fs::create_dir(&parent).unwrap();
    let venv = parent.join("venv");
    let home = tmp.join("home");
    for dir in [&venv, &home] {
        fs::create_dir(dir).unwrap();
        std::os::unix::fs::chown(dir, Some(user.uid), Some(user.gid)).unwrap();
    }
    let ino = venv.metadata().unwrap().ino();
    let create = |extra: &[&str]| {
        let mut argv = vec![
            common::rvenv_bin().as_os_str(),
            os("create"),
            os("--without-pip"),
            os("-p"),
            python.as_os_str(),
        ];
        argv.extend(extra.iter().map(|a| os(a)));
        argv.push(venv.as_os_str());
        let out = user
            .command(&tmp, &argv)
            .env("HOME", &home)
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("XDG_DATA_HOME", home.join("data"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{extra:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    create(&[]);
    assert!(venv.join("pyvenv.cfg").exists());
    fs::write(venv.join("bin/leftover"), "").unwrap();
    create(&["--clear"]);
    assert_eq!(
        venv.metadata().unwrap().ino(),
        ino,
        "the directory was replaced"
    );
    assert!(venv.join("pyvenv.cfg").exists());
    assert!(!venv.join("bin/leftover").exists(), "--clear kept a file");
    assert!(stage_dirs(&venv).is_empty() && stage_dirs(&parent).is_empty());
    let out = Command::new(venv.join("bin/python"))
        .args(["-c", "import sys; print(sys.prefix)"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        venv.to_str().unwrap()
    );
}
