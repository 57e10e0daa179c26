//! `rvenv create` where people really run it: in an interactive shell with
//! the hook on, inside a project whose venv is active, with another venv or
//! a pyenv shim first on PATH. The base of the new venv is never a venv:
//! it runs, and its pyvenv.cfg's `home` is the base interpreter's directory.

mod common;
use common::Drive;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Fixture, Opts, Session, Shell, count, lossy};

shell_tests!(
    clear_inside_the_active_venv,
    create_while_another_venv_is_first_on_path,
    clear_with_a_pyenv_shim_first_on_path,
    upgrade_after_the_base_moved,
);

/// A line of the venv's pyvenv.cfg.
fn cfg_value(venv: &Path, key: &str) -> Option<String> {
    fs::read_to_string(venv.join("pyvenv.cfg"))
        .unwrap()
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(" = ")?;
            (k == key).then(|| v.to_owned())
        })
}

/// `sys.base_prefix` of `python`, as it says itself.
fn base_prefix(python: &Path) -> String {
    let out = Command::new(python)
        .args(["-c", "import sys; print(sys.base_prefix)"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    lossy(&out.stdout).trim().to_owned()
}

/// Puts `dir` first on PATH.
fn prepend_path(sh: Shell, dir: &Path) -> String {
    let d = dir.to_str().unwrap();
    match sh {
        Shell::Fish => format!("set -gx PATH '{d}' $PATH"),
        Shell::Tcsh => format!("setenv PATH '{d}':\"$PATH\""),
        Shell::Nushell => format!("$env.PATH = ($env.PATH | prepend '{d}')"),
        Shell::Elvish => format!("set-env PATH '{d}:'$E:PATH"),
        Shell::Xonsh => format!("$PATH.insert(0, '{d}')"),
        _ => format!("export PATH='{d}':\"$PATH\""),
    }
}

/// The session's options: rvenv's cache in the fixture, already holding
/// the facts of the fixture's base Python, as after any earlier create
/// (the venv's python canonicalizes to the base: a cache keyed by that
/// alone took one for the other).
fn opts(fx: &Fixture) -> Opts {
    let cache = fx.path("cache");
    let out = Command::new(common::rvenv_bin())
        .args(["create", "-p"])
        .arg(common::python())
        .arg(fx.path("warm"))
        .env("RVENV_CACHE_DIR", &cache)
        .env("XDG_DATA_HOME", fx.path("xdg"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    Opts::default().env("RVENV_CACHE_DIR", cache)
}

const SAY_PREFIXES: &str =
    "python -c 'import sys; print(\"PFX=\" + sys.prefix + \" BASE=\" + sys.base_prefix)'";

/// `python` in the session is `venv`'s and runs on `base_prefix`.
#[track_caller]
fn assert_runs(s: &mut Session, venv: &Path, base_prefix: &str) {
    let step = s.run(SAY_PREFIXES);
    let want = format!("PFX={} BASE={base_prefix}\r\n", venv.display());
    assert!(
        count(&step.output, want.as_bytes()) == 1,
        "{:?}: want {want:?}; the terminal:\n{}",
        s.shell,
        s.transcript()
    );
}

fn clear_inside_the_active_venv(sh: Shell) {
    let fx = Fixture::new();
    let shop = fx.dir("code/shop");
    let venv = shop.join(".venv");
    let base = common::python();
    let mut s = Session::start(sh, &fx, opts(&fx));
    s.run(&sh.cd(&shop));
    s.run(&format!("rvenv create -p {}", base.display()));
    let home = cfg_value(&venv, "home").unwrap();
    assert_eq!(home, base.parent().unwrap().to_str().unwrap());
    s.run(sh.true_command());
    assert_runs(&mut s, &venv, &base_prefix(base));

    let step = s.run("rvenv create --clear");
    assert!(
        count(&step.output, b"rvenv: replaced .venv (") == 1,
        "{sh:?}: {}",
        s.transcript()
    );
    assert_runs(&mut s, &venv, &base_prefix(base));
    assert_eq!(cfg_value(&venv, "home").unwrap(), home, "{sh:?}");
    // And again: the replaced venv is as good a starting point.
    s.run("rvenv create --clear .venv");
    assert_runs(&mut s, &venv, &base_prefix(base));
    assert_eq!(cfg_value(&venv, "home").unwrap(), home, "{sh:?}");
}

fn create_while_another_venv_is_first_on_path(sh: Shell) {
    let fx = Fixture::new();
    let tools = fx.venv("envs/tools");
    let shop = fx.dir("code/shop");
    let home = cfg_value(&tools, "home").unwrap();
    let mut s = Session::start(sh, &fx, opts(&fx));
    s.run(&prepend_path(sh, &tools.join("bin")));
    s.run(&sh.cd(&shop));
    assert_runs(&mut s, &tools, &base_prefix(common::python()));

    s.run("rvenv create");
    let venv = shop.join(".venv");
    assert_eq!(cfg_value(&venv, "home").unwrap(), home, "{sh:?}");
    // The hook activates the new venv at the next prompt.
    s.run(sh.true_command());
    assert_runs(&mut s, &venv, &base_prefix(common::python()));

    // A venv made from the new venv's python leads to the same base.
    s.run("rvenv create -p .venv/bin/python ../second");
    assert_eq!(
        cfg_value(&fx.path("code/second"), "home").unwrap(),
        home,
        "{sh:?}"
    );
}

/// A pyenv version other than the one the fixture's venvs are made with.
fn other_pyenv_version() -> Option<(PathBuf, String)> {
    let root = PathBuf::from(std::env::var_os("HOME")?).join(".pyenv");
    if !root.join("shims/python3").is_file() {
        common::skip(&format!("no pyenv shims under {}", root.display()));
        return None;
    }
    let used = common::python().parent()?.parent()?.file_name()?.to_owned();
    let mut names: Vec<String> = fs::read_dir(root.join("versions"))
        .ok()?
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with("3.") && n.split('.').nth(1).is_some_and(|m| m >= "8"))
        .filter(|n| *n != used.to_string_lossy())
        .collect();
    names.sort();
    let Some(name) = names.pop() else {
        common::skip("needs a second pyenv version");
        return None;
    };
    Some((root, name))
}

fn clear_with_a_pyenv_shim_first_on_path(sh: Shell) {
    let Some((root, version)) = other_pyenv_version() else {
        return;
    };
    let fx = Fixture::new();
    let shop = fx.dir("code/shop");
    let venv = fx.venv("code/shop/.venv");
    let mut s = Session::start(sh, &fx, opts(&fx).env("PYENV_VERSION", &version));
    s.run(&sh.cd(&shop));
    s.run(&prepend_path(sh, &root.join("shims")));
    s.run("rvenv create --clear");
    let home = root.join("versions").join(&version).join("bin");
    assert_eq!(
        cfg_value(&venv, "home").unwrap(),
        home.to_str().unwrap(),
        "{sh:?}: {}",
        s.transcript()
    );
    assert_eq!(cfg_value(&venv, "version").unwrap(), version);
    // The venv's own python, first on PATH again, runs on that version.
    s.run(&prepend_path(sh, &venv.join("bin")));
    assert_runs(&mut s, &venv, &base_prefix(&home.join("python3")));
}

/// `rvenv ARGS` in `cwd`, with the test's cache and data directories and
/// `env` on top: (success, stdout, stderr).
fn rvenv_in(cwd: &Path, args: &[&str], env: &[(&str, &Path)]) -> (bool, String, String) {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let out = Command::new(common::rvenv_bin())
        .args(args)
        .current_dir(cwd)
        .env("RVENV_CACHE_DIR", tmp.join("rvenv-cache"))
        .env("XDG_DATA_HOME", tmp.join("xdg-data"))
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    (out.status.success(), lossy(&out.stdout), lossy(&out.stderr))
}

/// An error: exit non-zero, stdout empty, exactly one line on stderr.
#[track_caller]
fn one_line_error(result: (bool, String, String)) -> String {
    let (ok, out, err) = result;
    assert!(!ok, "succeeded: {err}");
    assert!(out.is_empty(), "stdout: {out}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("rvenv: ") && err.ends_with('\n'), "{err}");
    err.trim_end().to_owned()
}

fn pyenv_version(prefix: &str) -> Option<PathBuf> {
    let root = PathBuf::from(std::env::var_os("HOME")?).join(".pyenv/versions");
    let mut found: Vec<PathBuf> = fs::read_dir(&root)
        .ok()?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| e.path())
        .collect();
    found.sort();
    let found = found.pop();
    if found.is_none() {
        common::skip(&format!("no Python {prefix}* under {}", root.display()));
    }
    found
}

#[test]
fn python_2_is_refused_in_rvenvs_own_words() {
    let tmp = tempfile::tempdir().unwrap();
    let err = one_line_error(rvenv_in(tmp.path(), &["create", "-p", "2.7"], &[]));
    assert_eq!(
        err,
        "rvenv: -p 2.7 asks for Python 2.7, but a venv needs Python 3; name one with -p 3.X"
    );
    fs::write(tmp.path().join(".python-version"), "2.7.18\n").unwrap();
    let err = one_line_error(rvenv_in(tmp.path(), &["create"], &[]));
    assert_eq!(
        err,
        format!(
            "rvenv: {} asks for Python 2.7.18, but a venv needs Python 3; name one with -p 3.X",
            tmp.path().join(".python-version").display()
        )
    );
    // A Python 2 named by its path: it is run, and its usage text (it knows
    // no -I) stays out of the message.
    let Some(py2) = pyenv_version("2.") else {
        return;
    };
    let exe = py2.join("bin/python2");
    let err = one_line_error(rvenv_in(
        tmp.path(),
        &["create", "-p", exe.to_str().unwrap(), "v"],
        &[],
    ));
    assert_eq!(
        err,
        format!(
            "rvenv: {} is Python 2, but a venv needs Python 3; name one with -p 3.X",
            exe.display()
        )
    );
    assert!(!tmp.path().join("v").exists());
}

#[test]
fn a_version_not_installed_lists_the_installed_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("pyenv");
    for v in ["3.8.18", "3.12.1", "3.9.2", "2.7.18", "tools"] {
        fs::create_dir_all(root.join("versions").join(v).join("bin")).unwrap();
    }
    let uv = tmp.path().join("uv");
    fs::create_dir_all(uv.join("cpython-3.13.1-linux-x86_64-gnu")).unwrap();
    let bin = tmp.path().join("bin");
    fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink("/bin/true", bin.join("python3.11")).unwrap();
    std::os::unix::fs::symlink("/bin/true", bin.join("python3.12")).unwrap();
    let env = [
        ("PYENV_ROOT", root.as_path()),
        ("UV_PYTHON_INSTALL_DIR", uv.as_path()),
        ("PATH", bin.as_path()),
        ("HOME", tmp.path()),
    ];
    let err = one_line_error(rvenv_in(tmp.path(), &["create", "-p", "3.99"], &env));
    assert_eq!(
        err,
        format!(
            "rvenv: no Python 3.99 on PATH, in {} or in uv's Pythons; \
             installed: 3.8.18, 3.9.2, 3.11, 3.12.1, 3.13.1",
            root.join("versions").display()
        )
    );
    fs::write(tmp.path().join(".python-version"), "3.14\n").unwrap();
    let err = one_line_error(rvenv_in(tmp.path(), &["create"], &env));
    assert!(
        err.starts_with(&format!(
            "rvenv: {} asks for it: no Python 3.14 on PATH",
            tmp.path().join(".python-version").display()
        )),
        "{err}"
    );
}

/// CPython 3.6 and 3.7 are older than rvenv's reference layouts, yet their
/// venvs work.
#[test]
fn python_3_6_and_3_7_make_working_venvs() {
    for minor in ["3.6.", "3.7."] {
        let Some(dir) = pyenv_version(minor) else {
            continue;
        };
        let tmp = tempfile::tempdir().unwrap();
        let v = tmp.path().join("v");
        let exe = dir.join("bin/python3");
        let (ok, _, err) = rvenv_in(
            tmp.path(),
            &["create", "-p", exe.to_str().unwrap(), "v"],
            &[],
        );
        assert!(ok, "{err}");
        let out = Command::new(v.join("bin/python"))
            .args(["-c", "import sys; print(sys.prefix)"])
            .output()
            .unwrap();
        assert_eq!(lossy(&out.stdout).trim(), v.to_str().unwrap(), "{minor}");
    }
}

/// pyvenv.cfg as key -> value.
fn cfg_map(venv: &Path) -> std::collections::BTreeMap<String, String> {
    fs::read_to_string(venv.join("pyvenv.cfg"))
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Each of venv's options, given to rvenv and to `python -m venv` of the
/// same interpreter in the same directory: the same pyvenv.cfg (the
/// `command` key with the venv's path swapped), the same .gitignore.
#[test]
fn options_match_python_m_venv() {
    let pythons: Vec<PathBuf> = ["3.11.", "3.12.", "3.13."]
        .iter()
        .filter_map(|v| pyenv_version(v))
        .map(|d| d.join("bin/python3"))
        .collect();
    let option_sets: &[&[&str]] = &[
        &[],
        &["--without-scm-ignore-files"],
        &["--symlinks"],
        &["--copies"],
        &["--prompt", "."],
        &["--prompt", "it's"],
        &["--system-site-packages", "--clear"],
        &["--upgrade"],
    ];
    for exe in &pythons {
        for opts in option_sets {
            let tmp = tempfile::tempdir().unwrap();
            let cwd = tmp.path().join("shop");
            fs::create_dir(&cwd).unwrap();
            let (mine, theirs) = (cwd.join("mine"), cwd.join("theirs"));
            let mut args = vec!["create", "-p", exe.to_str().unwrap()];
            args.extend_from_slice(opts);
            args.push("mine");
            let (ok, _, err) = rvenv_in(&cwd, &args, &[]);
            assert!(ok, "{opts:?}: {err}");
            let minor: u32 = exe
                .parent()
                .unwrap()
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .split('.')
                .nth(1)
                .unwrap()
                .parse()
                .unwrap();
            if minor < 13 && opts.contains(&"--without-scm-ignore-files") {
                // Older venvs know no such option (and write no .gitignore).
                assert_eq!(fs::read(mine.join(".gitignore")).ok(), None);
                assert!(!cfg_map(&mine)["command"].contains("scm"));
                continue;
            }
            let out = Command::new(exe)
                .args(["-m", "venv", "--without-pip"])
                .args(*opts)
                .arg("theirs")
                .current_dir(&cwd)
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", lossy(&out.stderr));
            let (mut a, mut b) = (cfg_map(&mine), cfg_map(&theirs));
            // pip is the other half of the command line; not compared here.
            let command = |m: &mut std::collections::BTreeMap<String, String>, venv: &Path| {
                m.get_mut("command").map(|c| {
                    *c = c
                        .replace(" --without-pip", "")
                        .replace(venv.to_str().unwrap(), "VENV")
                })
            };
            command(&mut a, &mine);
            command(&mut b, &theirs);
            assert_eq!(a, b, "{} {opts:?}", exe.display());
            let gitignore = |v: &Path| fs::read(v.join(".gitignore")).ok();
            if b.get("version").is_some_and(|v| v.starts_with("3.13")) {
                assert_eq!(gitignore(&mine), gitignore(&theirs), "{opts:?}");
            } else if opts.contains(&"--without-scm-ignore-files") {
                assert_eq!(gitignore(&mine), None);
            }
            let copies = opts.contains(&"--copies");
            for v in [&mine, &theirs] {
                let meta = v.join("bin/python3").symlink_metadata().unwrap();
                assert_eq!(
                    meta.file_type().is_file(),
                    copies,
                    "{opts:?} {}",
                    v.display()
                );
            }
        }
    }
}

#[test]
fn a_path_holding_a_colon_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let err = one_line_error(rvenv_in(tmp.path(), &["create", "a:b"], &[]));
    assert_eq!(
        err,
        format!(
            "rvenv: refusing to create a venv in {}: its path holds ':', which PATH cannot hold",
            tmp.path().join("a:b").display()
        )
    );
    assert!(!tmp.path().join("a:b").exists());
    let err = one_line_error(rvenv_in(
        tmp.path(),
        &["create", "--upgrade", "--clear"],
        &[],
    ));
    assert!(
        err.starts_with("rvenv: --upgrade and --clear cannot be used together"),
        "{err}"
    );
    let err = one_line_error(rvenv_in(
        tmp.path(),
        &["create", "--copies", "--symlinks"],
        &[],
    ));
    assert_eq!(
        err,
        "rvenv: --copies and --symlinks cannot be used together"
    );
}

/// pyenv replaced the venv's base (3.10.13 became 3.10.99, simulated by a
/// PYENV_ROOT whose versions are links to the real ones): the hook says
/// what is missing and the fix, the fix runs in the shell, and the venv's
/// packages are still importable.
fn upgrade_after_the_base_moved(sh: Shell) {
    // Before 3.11 pyvenv.cfg has no `executable` key, which here would
    // still name the real interpreter behind the link.
    let Some(real) = ["3.10.", "3.9.", "3.8."]
        .iter()
        .find_map(|v| pyenv_version(v))
    else {
        return;
    };
    let fx = Fixture::new();
    let name = real.file_name().unwrap().to_str().unwrap().to_owned();
    let parts: Vec<&str> = name.split('.').collect();
    let minor = format!("{}.{}", parts[0], parts[1]);
    let versions = fx.dir("pyenv/versions");
    std::os::unix::fs::symlink(&real, versions.join(&name)).unwrap();
    let shop = fx.dir("code/shop");
    let venv = shop.join(".venv");
    let extra = fx.dir("extra");
    fs::write(extra.join("extra_mod.py"), "Y = 7\n").unwrap();
    let mut s = Session::start(sh, &fx, opts(&fx).env("PYENV_ROOT", fx.path("pyenv")));
    s.run(&sh.cd(&shop));
    // Quoted: nushell reads a bare 3.10 as the number 3.1.
    s.run(&format!("rvenv create -p '{minor}'"));
    let site = venv.join(format!("lib/python{minor}/site-packages"));
    fs::create_dir(site.join("hello")).unwrap();
    fs::write(site.join("hello/__init__.py"), "X = 42\n").unwrap();
    fs::write(site.join("extra.pth"), format!("{}\n", extra.display())).unwrap();
    let import = "python -c 'import hello, extra_mod; print(\"HELLO\", hello.X, extra_mod.Y)'";
    let step = s.run(import);
    assert_eq!(count(&step.output, b"HELLO 42 7"), 1, "{}", s.transcript());

    let moved = format!("{minor}.99");
    fs::rename(versions.join(&name), versions.join(&moved)).unwrap();
    s.run("cd ..");
    let step = s.run(&sh.cd(&shop));
    let gone = versions.join(&name).join(format!("bin/python{minor}"));
    let want = format!(
        "rvenv: .venv is broken: {} is gone; fix: rvenv create --upgrade .venv\r\n",
        gone.display()
    );
    assert_eq!(
        count(&step.output, want.as_bytes()),
        1,
        "{sh:?}: want {want:?}: {}",
        s.transcript()
    );

    // A plain create there points at --upgrade, which keeps the packages.
    let step = s.run("rvenv create .venv");
    assert_eq!(
        count(&step.output, b"whose Python is gone; use --upgrade"),
        1,
        "{}",
        s.transcript()
    );
    let step = s.run("rvenv create --upgrade .venv");
    assert_eq!(
        count(&step.output, b"rvenv: upgraded .venv (CPython "),
        1,
        "{}",
        s.transcript()
    );
    s.run(sh.true_command());
    let step = s.run(import);
    assert_eq!(
        count(&step.output, b"HELLO 42 7"),
        1,
        "{sh:?}: {}",
        s.transcript()
    );
    // The base's prefix, as named or, for CPython ≥ 3.11, followed through
    // the link to the version directory.
    let step = s.run(SAY_PREFIXES);
    let real = fs::canonicalize(versions.join(&moved)).unwrap();
    let said = [versions.join(&moved), real].iter().any(|base| {
        let want = format!("PFX={} BASE={}\r\n", venv.display(), base.display());
        count(&step.output, want.as_bytes()) == 1
    });
    assert!(said, "{sh:?}: {}", s.transcript());
    assert_eq!(
        cfg_value(&venv, "home").unwrap(),
        versions.join(&moved).join("bin").to_str().unwrap()
    );
}

/// --upgrade keeps what the venv was made with (prompt, copies, packages),
/// refuses another minor version, and says so when no release of its own
/// is left.
#[test]
fn upgrade_keeps_the_venv_and_its_version() {
    let Some(real) = ["3.10.", "3.9.", "3.8."]
        .iter()
        .find_map(|v| pyenv_version(v))
    else {
        return;
    };
    let Some(other) = pyenv_version("3.12.") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let name = real.file_name().unwrap().to_str().unwrap().to_owned();
    let minor = name.rsplit_once('.').unwrap().0.to_owned();
    let versions = tmp.path().join("pyenv/versions");
    fs::create_dir_all(&versions).unwrap();
    std::os::unix::fs::symlink(&real, versions.join(&name)).unwrap();
    let root = tmp.path().join("pyenv");
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let env = [("PYENV_ROOT", root.as_path()), ("PATH", empty.as_path())];
    let (ok, _, err) = rvenv_in(
        tmp.path(),
        &["create", "-p", &minor, "--copies", "--prompt", "shop", "v"],
        &env,
    );
    assert!(ok, "{err}");
    let v = tmp.path().join("v");
    let site = v.join(format!("lib/python{minor}/site-packages"));
    fs::write(site.join("kept.py"), "").unwrap();

    // Another minor version: refused, nothing changed.
    let before = fs::read(v.join("pyvenv.cfg")).unwrap();
    let other_exe = other.join("bin/python3");
    let err = one_line_error(rvenv_in(
        tmp.path(),
        &[
            "create",
            "--upgrade",
            "-p",
            other_exe.to_str().unwrap(),
            "v",
        ],
        &env,
    ));
    assert!(
        err.contains("--upgrade keeps a venv's minor version")
            && err.ends_with(&format!("rvenv create --clear -p 3.12 {}", v.display())),
        "{err}"
    );
    assert_eq!(fs::read(v.join("pyvenv.cfg")).unwrap(), before);

    // The base gone and no other release of its minor version.
    fs::rename(versions.join(&name), versions.join("gone")).unwrap();
    let err = one_line_error(rvenv_in(tmp.path(), &["create", "--upgrade", "v"], &env));
    assert!(
        err.contains(&format!("and no other Python {minor} is installed")),
        "{err}"
    );
    // Another release appears: the venv moves to it, as it was.
    std::os::unix::fs::symlink(&real, versions.join(format!("{minor}.99"))).unwrap();
    let (ok, _, err) = rvenv_in(tmp.path(), &["create", "--upgrade", "v"], &env);
    assert!(ok, "{err}");
    let cfg = cfg_map(&v);
    assert_eq!(cfg["prompt"], "'shop'");
    assert_eq!(
        cfg["home"],
        versions.join(format!("{minor}.99/bin")).to_str().unwrap()
    );
    let meta = v.join("bin/python3").symlink_metadata().unwrap();
    assert!(meta.file_type().is_file(), "copies kept");
    let out = Command::new(v.join("bin/python"))
        .args(["-c", "import kept, sys; print(sys.prefix)"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    assert_eq!(lossy(&out.stdout).trim(), v.to_str().unwrap());
}

/// `--upgrade` of a venv made without pip installs pip, as CPython's
/// `python -m venv --upgrade` runs ensurepip, and `command` no longer says
/// `--without-pip`; with `--without-pip` it stays without.
#[test]
fn upgrade_installs_pip_where_it_is_missing() {
    let Some(py) = pyenv_version("3.12") else {
        return;
    };
    let exe = py.join("bin/python3");
    let tmp = tempfile::tempdir().unwrap();
    let exe = exe.to_str().unwrap();
    for (upgrade, with_pip) in [
        (&["--upgrade"][..], true),
        (&["--upgrade", "--without-pip"][..], false),
    ] {
        let v = tmp.path().join(format!("v{with_pip}"));
        let v_str = v.to_str().unwrap();
        let (ok, _, err) = rvenv_in(
            tmp.path(),
            &["create", "-p", exe, "--without-pip", v_str],
            &[],
        );
        assert!(ok, "{err}");
        let mut args = vec!["create", "-p", exe];
        args.extend_from_slice(upgrade);
        args.push(v_str);
        let (ok, _, err) = rvenv_in(tmp.path(), &args, &[]);
        assert!(ok, "{err}");
        assert_eq!(err.contains(", pip "), with_pip, "{err}");
        let pip = Command::new(v.join("bin/python"))
            .args(["-m", "pip", "--version"])
            .output()
            .unwrap();
        assert_eq!(pip.status.success(), with_pip, "{}", lossy(&pip.stderr));
        let command = cfg_value(&v, "command").unwrap_or_default();
        assert_eq!(!command.contains("--without-pip"), with_pip, "{command}");
    }
}
