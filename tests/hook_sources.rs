//! Venvs that live outside the project, in real interactive shells: the
//! hook activates the venv the real poetry and pipenv report for a project
//! entered through a symlink with spaces and non-ASCII characters in its
//! path, and leaving deactivates it; a `.venv` file naming a WORKON_HOME
//! env, `.python-version` naming a pyenv-virtualenv env, and
//! UV_PROJECT_ENVIRONMENT do the same; a source that resolves nowhere leaves
//! the prompt alone.

mod common;
use common::Drive;
mod real_tools;

use std::ffi::OsString;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use common::{Fixture, Opts, PROMPT, Session, Shell, bytes, count, lossy, prompt_with};
use real_tools::{cfg_prompt, pipenv_project, poetry_env, poetry_project, tool};

shell_tests!(
    poetry_and_pipenv_projects,
    files_naming_venvs,
    sources_resolving_nowhere
);

fn opts(env: &[(OsString, OsString)]) -> Opts {
    env.iter()
        .fold(Opts::default(), |o, (k, v)| o.env(k.clone(), v.clone()))
}

/// The project's directory name, or the venv's `prompt`.
fn name_for(venv: &Path, project: &Path) -> Vec<u8> {
    cfg_prompt(venv).unwrap_or_else(|| bytes(project.file_name().unwrap()))
}

/// A project at a path with spaces and non-ASCII characters, and a symlink
/// to it to enter it through.
fn odd_project(fx: &Fixture, name: &str) -> PathBuf {
    let real = fx.dir(format!("Mes projets é/{name} ñ (1)"));
    fs::create_dir_all(real.join("src/pkg")).unwrap();
    let link = fx.path(format!("lien {name} ü"));
    symlink(&real, &link).unwrap();
    link
}

fn poetry_and_pipenv_projects(sh: Shell) {
    let (Some(poetry), Some(pipenv)) = (tool("poetry"), tool("pipenv")) else {
        return;
    };
    let fx = Fixture::new();
    let env = poetry_env(&fx);
    let shop = odd_project(&fx, "boutique");
    let shop_venv = poetry_project(&fx, &poetry, &shop, "boutique", &env);
    let blog = odd_project(&fx, "carnet");
    let blog_venv = pipenv_project(&fx, &pipenv, &blog, &[]);
    // The venvs are outside the projects, where the tools put them.
    assert!(shop_venv.starts_with(fx.path("poetry cache")));
    assert!(blog_venv.starts_with(fx.home.join(".local/share/virtualenvs")));

    let mut s = Session::start(sh, &fx, opts(&env));
    let orig = s.initial.path().to_vec();
    let shop_name = name_for(&shop_venv, &shop);
    let blog_name = name_for(&blog_venv, &blog);

    let step = s.run(&sh.cd(&shop));
    step.assert_prompt(&prompt_with(&shop_name), "poetry project");
    s.state()
        .assert_on(&bytes(&shop_venv), &shop_name, &orig, "poetry project");
    // `python` is that venv's, as the interpreter itself says.
    let step = s.run("python -c 'import sys; print(\"PFX=\" + sys.prefix)'");
    let want = [b"PFX=".as_slice(), &bytes(&shop_venv), b"\r\n"].concat();
    assert_eq!(
        count(&step.output, &want),
        1,
        "{sh:?}: {}",
        lossy(&step.output)
    );
    s.run(&sh.cd(&shop.join("src/pkg")));
    s.state()
        .assert_on(&bytes(&shop_venv), &shop_name, &orig, "poetry subdir");

    let step = s.run(&sh.cd(&blog.join("src")));
    step.assert_prompt(&prompt_with(&blog_name), "pipenv project");
    s.state()
        .assert_on(&bytes(&blog_venv), &blog_name, &orig, "switched to pipenv");

    let step = s.run(&sh.cd(&fx.root));
    step.assert_prompt(PROMPT.as_bytes(), "left");
    s.state().assert_off(&orig, "left");
    s.run(&sh.cd(&shop));
    s.state()
        .assert_on(&bytes(&shop_venv), &shop_name, &orig, "poetry again");
    s.run("cd /");
    s.state().assert_off(&orig, "left again");
}

fn files_naming_venvs(sh: Shell) {
    let fx = Fixture::new();
    // virtualenvwrapper: a .venv file naming an env in WORKON_HOME.
    let workon = fx.path("workon home");
    let wrapped = fx.venv("workon home/shop env");
    let shop = fx.dir("code/boutique é");
    fs::write(shop.join(".venv"), "shop env\n").unwrap();
    // pyenv-virtualenv: versions/NAME linked to versions/X.Y.Z/envs/NAME,
    // and one made directly in versions/.
    let root = fx.path("pyenv root");
    fs::create_dir_all(root.join("versions/3.12.1/envs")).unwrap();
    let linked = fx.venv("pyenv root/versions/3.12.1/envs/blog-env");
    symlink(&linked, root.join("versions/blog-env")).unwrap();
    let direct = fx.venv("pyenv root/versions/wiki-env");
    let blog = fx.dir("code/carnet");
    fs::write(blog.join(".python-version"), "blog-env\n").unwrap();
    let wiki = fx.dir("code/wiki");
    fs::write(wiki.join(".python-version"), "# pinned\nwiki-env 3.12.1\n").unwrap();
    // uv: UV_PROJECT_ENVIRONMENT, relative to the workspace root.
    let ws = fx.dir("code/ws");
    fs::write(
        ws.join("pyproject.toml"),
        "[project]\nname = \"ws\"\nversion = \"0\"\n[tool.uv.workspace]\nmembers = [\"libs/*\"]\n",
    )
    .unwrap();
    let member = fx.dir("code/ws/libs/core");
    fs::write(
        member.join("pyproject.toml"),
        "[project]\nname = \"core\"\n",
    )
    .unwrap();
    let uv_venv = fx.venv("code/ws/.uv env");

    let env: Vec<(OsString, OsString)> = vec![
        ("WORKON_HOME".into(), workon.into()),
        ("PYENV_ROOT".into(), root.clone().into()),
        ("UV_PROJECT_ENVIRONMENT".into(), ".uv env".into()),
    ];
    let mut s = Session::start(sh, &fx, opts(&env));
    let orig = s.initial.path().to_vec();

    let cases: [(&Path, PathBuf, &[u8]); 4] = [
        (&shop, wrapped, "boutique é".as_bytes()),
        (&blog, root.join("versions/blog-env"), b"carnet"),
        (&wiki, direct, b"wiki"),
        (&member, uv_venv, b"core"),
    ];
    for (dir, venv, name) in cases {
        let ctx = format!("{sh:?} in {}", dir.display());
        let step = s.run(&sh.cd(dir));
        step.assert_prompt(&prompt_with(name), &ctx);
        s.state().assert_on(&bytes(&venv), name, &orig, &ctx);
        s.run(&sh.cd(&fx.root));
        s.state().assert_off(&orig, &ctx);
    }
}

fn sources_resolving_nowhere(sh: Shell) {
    let fx = Fixture::new();
    let dirs = [
        (".venv", "no such env\n"),
        (".python-version", "3.12.1\n"),
        (".python-version", "nosuch-env\n"),
        ("Pipfile", "[packages]\n"),
        ("pyproject.toml", "[tool.poetry]\nname = \"x\"\n"),
        ("pyproject.toml", "[project\n"),
    ];
    let paths: Vec<PathBuf> = dirs
        .iter()
        .enumerate()
        .map(|(i, (file, content))| {
            let d = fx.dir(format!("nowhere/{i}"));
            fs::write(d.join(file), content).unwrap();
            d
        })
        .collect();
    let env: Vec<(OsString, OsString)> = vec![
        ("WORKON_HOME".into(), fx.path("workon").into()),
        ("PYENV_ROOT".into(), fx.path("pyenv").into()),
        ("UV_PROJECT_ENVIRONMENT".into(), "env".into()),
    ];
    fs::create_dir_all(fx.path("pyenv/versions/3.12.1/bin")).unwrap();
    let good = fx.venv("good/.venv");
    let mut s = Session::start(sh, &fx, opts(&env));
    let orig = s.initial.path().to_vec();
    for dir in &paths {
        let ctx = format!("{sh:?} in {}", dir.display());
        let step = s.run(&sh.cd(dir));
        step.assert_prompt(PROMPT.as_bytes(), &ctx);
        // Not a word about the file; a directory that is plainly a Python
        // project (Pipfile, poetry's pyproject.toml) gets the one hint
        // that it has no venv.
        let hint = b"is a Python project without a venv";
        assert_eq!(
            count(&step.output, b"rvenv:"),
            count(&step.output, hint),
            "{ctx}: {}",
            lossy(&step.output)
        );
        s.state().assert_off(&orig, &ctx);
    }
    // Nor does one keep a venv from being left.
    s.run(&sh.cd(&fx.path("good")));
    s.state().assert_on(&bytes(&good), b"good", &orig, "good");
    let step = s.run(&sh.cd(&paths[0]));
    step.assert_prompt(PROMPT.as_bytes(), "left for nowhere");
    s.state().assert_off(&orig, "left for nowhere");
}
