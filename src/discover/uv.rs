//! uv's project env moved by UV_PROJECT_ENVIRONMENT (uv-workspace's
//! `Workspace::venv`): an absolute value is the env; a relative one is taken
//! from the workspace root, the directory of the `pyproject.toml` declaring
//! `[tool.uv.workspace]` that the project is a member of, else the project's
//! own. A project is a directory whose `pyproject.toml` has a `[project]`
//! table or declares a workspace, and is not `tool.uv.managed = false`.
//! Without the variable uv uses the workspace root's `.venv`, which the
//! in-tree source finds on its way up.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use super::files::{self, is_venv, shown, toml_get};
use super::{Probe, VenvSource};
use crate::env::Env;

pub struct Uv {
    project_environment: Option<PathBuf>,
}

fn declares_workspace(pyproject: &toml::Table) -> Option<&toml::Table> {
    toml_get(pyproject, &["tool", "uv", "workspace"])?.as_table()
}

/// uv's glob (the `glob` crate on paths): `*`, `?` and `[...]` within one
/// component, `**` across any number of them.
pub fn glob_match(pattern: &str, path: &[&str]) -> bool {
    let parts: Vec<&str> = pattern
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    match_parts(&parts, path)
}

fn match_parts(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| match_parts(rest, &path[skip..])),
        Some((first, rest)) => match path.split_first() {
            Some((name, path_rest)) => {
                component_match(first.as_bytes(), name.as_bytes()) && match_parts(rest, path_rest)
            }
            None => false,
        },
    }
}

fn component_match(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => (0..=name.len()).any(|skip| component_match(rest, &name[skip..])),
        Some((b'?', rest)) => !name.is_empty() && component_match(rest, &name[1..]),
        Some((b'[', rest)) => {
            let Some(end) = rest.iter().skip(1).position(|&b| b == b']').map(|i| i + 1) else {
                return name.first() == Some(&b'[') && component_match(rest, &name[1..]);
            };
            let Some((&c, name_rest)) = name.split_first() else {
                return false;
            };
            let (negate, class) = match rest[..end].split_first() {
                Some((b'!', class)) => (true, class),
                _ => (false, &rest[..end]),
            };
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == b'-' {
                    hit |= class[i] <= c && c <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == c;
                    i += 1;
                }
            }
            hit != negate && component_match(&rest[end + 1..], name_rest)
        }
        Some((&p, rest)) => name.first() == Some(&p) && component_match(rest, &name[1..]),
    }
}

/// Whether `member` (relative to the workspace root, as components) is one
/// of `workspace`'s members and not excluded.
fn is_member(workspace: &toml::Table, member: &[&str]) -> bool {
    let globs = |key: &str| -> Vec<&str> {
        workspace
            .get(key)
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default()
    };
    globs("members").iter().any(|g| glob_match(g, member))
        && !globs("exclude").iter().any(|g| glob_match(g, member))
}

/// The workspace root of the project in `dir` (uv's `find_workspace`: the
/// nearest ancestor declaring a workspace decides).
fn workspace_root(dir: &Path, pyproject: &toml::Table) -> PathBuf {
    if declares_workspace(pyproject).is_some() {
        return dir.to_path_buf();
    }
    for ancestor in dir.ancestors().skip(1) {
        let Ok(Some(table)) = files::read_toml(&ancestor.join("pyproject.toml")) else {
            continue;
        };
        let Some(workspace) = declares_workspace(&table) else {
            continue;
        };
        let Ok(rel) = dir.strip_prefix(ancestor) else {
            break;
        };
        let parts: Option<Vec<&str>> = rel
            .components()
            .map(|c| match c {
                Component::Normal(s) => s.to_str(),
                _ => None,
            })
            .collect();
        if parts.is_some_and(|parts| is_member(workspace, &parts)) {
            return ancestor.to_path_buf();
        }
        break;
    }
    dir.to_path_buf()
}

impl Uv {
    pub fn from_env(env: &Env) -> Uv {
        Uv {
            project_environment: env.get("UV_PROJECT_ENVIRONMENT").map(PathBuf::from),
        }
    }
}

impl VenvSource for Uv {
    fn name(&self) -> &'static str {
        "uv"
    }

    fn markers(&self) -> Vec<OsString> {
        match self.project_environment {
            Some(_) => vec!["pyproject.toml".into()],
            None => Vec::new(),
        }
    }

    fn probe(&self, dir: &Path, _start: &Path) -> Probe {
        let Some(value) = &self.project_environment else {
            return Probe::Nothing;
        };
        let table = match files::read_toml(&dir.join("pyproject.toml")) {
            Ok(Some(table)) => table,
            Ok(None) => return Probe::Nothing,
            Err(e) => return Probe::Skipped(format!("pyproject.toml {e}")),
        };
        let managed = toml_get(&table, &["tool", "uv", "managed"]).and_then(|v| v.as_bool());
        if managed == Some(false)
            || (table.get("project").is_none() && declares_workspace(&table).is_none())
        {
            return Probe::Nothing;
        }
        let venv = if value.is_absolute() {
            value.clone()
        } else {
            workspace_root(dir, &table).join(value)
        };
        if is_venv(&venv) {
            Probe::Found(venv)
        } else {
            let value = shown(value);
            let state = if venv.exists() {
                "has no pyvenv.cfg"
            } else {
                "does not exist (uv sync creates it)"
            };
            let at = if value == shown(&venv) {
                String::new()
            } else {
                format!(" ({})", shown(&venv))
            };
            Probe::Skipped(format!("UV_PROJECT_ENVIRONMENT={value}{at} {state}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    use crate::discover::test_venv_at as venv_at;

    #[test]
    fn globs() {
        fn p(s: &str) -> Vec<&str> {
            s.split('/').collect()
        }
        assert!(glob_match("packages/*", &p("packages/a")));
        assert!(!glob_match("packages/*", &p("packages/a/b")));
        assert!(glob_match("packages/**", &p("packages/a/b")));
        assert!(glob_match("./libs/lib-?", &p("libs/lib-1")));
        assert!(glob_match("libs/[ab]*", &p("libs/beta")));
        assert!(!glob_match("libs/[!ab]*", &p("libs/beta")));
        assert!(glob_match("libs/[a-c]x", &p("libs/bx")));
        assert!(glob_match("exact", &p("exact")));
        assert!(!glob_match("exact", &p("other")));
        assert!(glob_match("[", &p("[")));
    }

    #[test]
    fn relative_values_are_taken_from_the_workspace_root() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("ws");
        let member = root.join("packages/app");
        let outside = root.join("tools/x");
        fs::create_dir_all(&member).unwrap();
        fs::create_dir_all(&outside).unwrap();
        fs::write(
            root.join("pyproject.toml"),
            "[tool.uv.workspace]\nmembers = [\"packages/*\", \"tools/*\"]\nexclude = [\"tools/x\"]\n",
        )
        .unwrap();
        fs::write(member.join("pyproject.toml"), "[project]\nname = \"app\"\n").unwrap();
        fs::write(outside.join("pyproject.toml"), "[project]\nname = \"x\"\n").unwrap();
        let env = Env::from_pairs([("UV_PROJECT_ENVIRONMENT", "build/env")]);
        let uv = Uv::from_env(&env);
        assert_eq!(uv.markers(), ["pyproject.toml"]);
        let Probe::Skipped(why) = uv.probe(&member, &member) else {
            panic!()
        };
        assert!(why.contains("uv sync"), "{why}");
        venv_at(&root.join("build/env"));
        assert_eq!(
            uv.probe(&member, &member),
            Probe::Found(root.join("build/env"))
        );
        assert_eq!(uv.probe(&root, &root), Probe::Found(root.join("build/env")));
        // Excluded: its own workspace.
        assert!(matches!(uv.probe(&outside, &outside), Probe::Skipped(_)));
        venv_at(&outside.join("build/env"));
        assert_eq!(
            uv.probe(&outside, &outside),
            Probe::Found(outside.join("build/env"))
        );
    }

    #[test]
    fn absolute_values_unset_and_non_projects() {
        let tmp = tempfile::tempdir().unwrap();
        let venv = tmp.path().join("the env");
        venv_at(&venv);
        let p = tmp.path().join("p");
        fs::create_dir_all(&p).unwrap();
        fs::write(p.join("pyproject.toml"), "[project]\nname = \"p\"\n").unwrap();
        let env = Env::from_pairs([("UV_PROJECT_ENVIRONMENT", venv.to_str().unwrap())]);
        let uv = Uv::from_env(&env);
        assert_eq!(uv.probe(&p, &p), Probe::Found(venv.clone()));
        assert_eq!(uv.probe(tmp.path(), tmp.path()), Probe::Nothing);

        let unset = Uv::from_env(&Env::default());
        assert!(unset.markers().is_empty());
        assert_eq!(unset.probe(&p, &p), Probe::Nothing);

        for other in ["[tool.black]\n", "[project]\n[tool.uv]\nmanaged = false\n"] {
            fs::write(p.join("pyproject.toml"), other).unwrap();
            assert_eq!(uv.probe(&p, &p), Probe::Nothing, "{other}");
        }
        fs::write(p.join("pyproject.toml"), "[project\n").unwrap();
        assert!(matches!(uv.probe(&p, &p), Probe::Skipped(_)));
    }
}
