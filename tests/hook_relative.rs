//! PATH and VIRTUAL_ENV are always absolute: a source whose settings are
//! relative (WORKON_HOME, PYENV_ROOT, poetry's virtualenvs.path,
//! UV_PROJECT_ENVIRONMENT) resolves them the way the tool does, or finds
//! nothing; a venv that a relative setting would find from the current
//! directory (a repository can ship one) is never activated.

mod common;
use common::Drive;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{Fixture, Opts, PROMPT, Session, Shell, bytes, lossy, prompt_with};

shell_tests!(relative_settings_never_reach_path);

/// poetry's env name for the project `name` in `dir` (no symlinks in it).
fn poetry_base(name: &str, dir: &Path) -> String {
    let out = Command::new(common::python())
        .args([
            "-c",
            "import base64, hashlib, sys\n\
             h = hashlib.sha256(sys.argv[2].encode()).digest()\n\
             print(sys.argv[1] + '-' + base64.urlsafe_b64encode(h).decode()[:8])",
            name,
            dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    lossy(&out.stdout).trim().to_owned()
}

fn relative_settings_never_reach_path(sh: Shell) {
    let fx = Fixture::new();
    // virtualenvwrapper takes a relative WORKON_HOME from HOME.
    let wrapped = fx.venv("home/wh/shop");
    let by_file = fx.dir("byfile");
    fs::write(by_file.join(".venv"), "shop\n").unwrap();
    fx.venv("byfile/wh/shop");
    // pyenv, poetry: relative to wherever they run; rvenv uses none.
    let by_pyenv = fx.dir("bypyenv");
    fs::write(by_pyenv.join(".python-version"), "penv\n").unwrap();
    fx.venv("bypyenv/pyroot/versions/penv");
    let by_poetry = fx.dir("bypoetry");
    fs::write(
        by_poetry.join("pyproject.toml"),
        "[tool.poetry]\nname = \"proj\"\n",
    )
    .unwrap();
    let base = poetry_base("proj", &by_poetry);
    fx.venv(format!("bypoetry/envs/{base}-py3.12"));
    // uv takes a relative UV_PROJECT_ENVIRONMENT from the workspace root.
    let by_uv = fx.dir("byuv");
    fs::write(by_uv.join("pyproject.toml"), "[project]\nname = \"u\"\n").unwrap();
    fs::create_dir(by_uv.join("sub")).unwrap();
    let uv_venv = fx.venv("byuv/uvenv");

    let opts = Opts::default()
        .env("WORKON_HOME", "wh")
        .env("PYENV_ROOT", "pyroot")
        .env("POETRY_VIRTUALENVS_PATH", "envs")
        .env("POETRY_VIRTUALENVS_IN_PROJECT", "false")
        .env("UV_PROJECT_ENVIRONMENT", "uvenv")
        .env("RVENV_SOURCES", "file:pyenv:poetry:uv");
    let mut s = Session::start(sh, &fx, opts);
    let orig = s.initial.path().to_vec();
    let check = |s: &mut Session, dir: &Path, want: Option<(&Path, &[u8])>| {
        let ctx = format!("{sh:?} in {}", dir.display());
        let step = s.run(&sh.cd(dir));
        let st = s.state();
        if let Some(venv) = st.var("VIRTUAL_ENV") {
            assert!(venv.starts_with(b"/"), "{ctx}: {}", lossy(venv));
        }
        let first = st.path_entries()[0].to_vec();
        assert!(first.starts_with(b"/"), "{ctx}: PATH {}", lossy(st.path()));
        match want {
            Some((venv, name)) => {
                step.assert_prompt(&prompt_with(name), &ctx);
                st.assert_on(&bytes(venv), name, &orig, &ctx);
            }
            None => {
                step.assert_prompt(PROMPT.as_bytes(), &ctx);
                st.assert_off(&orig, &ctx);
            }
        }
        s.run(&sh.cd(&fx.root));
    };
    check(&mut s, &by_file, Some((&wrapped, b"byfile")));
    check(&mut s, &by_pyenv, None);
    check(&mut s, &by_poetry, None);
    check(&mut s, &by_uv.join("sub"), Some((&uv_venv, b"byuv")));
    // rvenv status says why pyenv's and poetry's found nothing.
    let out = s.capture(&format!("{}; rvenv status", sh.cd(&by_pyenv)));
    assert!(
        lossy(&out).contains("PYENV_ROOT pyroot is not an absolute path"),
        "{sh:?}: {}",
        lossy(&out)
    );
}
