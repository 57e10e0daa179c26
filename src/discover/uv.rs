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

/// uv's glob (the `glob` crate, walked a component at a time): `*`, `?`
/// and `[...]` (`[!...]` negated) within one component, `**` as a whole
/// component across any number of them (none included); `\`, `{` and `}`
/// are plain characters. As a `globset` pattern, which compiles to a regex
/// matched in time linear in the path: the file is the project's, so a
/// pattern such as `*a*a*a*a*b` must not make the hook backtrack for ever.
fn glob_pattern(pattern: &str) -> Vec<String> {
    let parts: Vec<&str> = pattern
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    for (n, part) in parts.iter().enumerate() {
        if n > 0 {
            out.push('/');
        }
        let chars: Vec<char> = part.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '[' => {
                    // `[!` negates; the first member may be `]`.
                    let negated = chars.get(i + 1) == Some(&'!');
                    let first = i + 1 + usize::from(negated);
                    match (first + 1..chars.len()).find(|&k| chars[k] == ']') {
                        Some(end) => {
                            let mut members: Vec<char> = chars[first..end].to_vec();
                            // `^` first would negate to globset; not to glob.
                            if members.first() == Some(&'^') {
                                members.rotate_left(1);
                            }
                            out.push('[');
                            if negated {
                                out.push('!');
                            }
                            out.extend(members);
                            out.push(']');
                            i = end + 1;
                        }
                        None => {
                            out.push_str("[[]");
                            i += 1;
                        }
                    }
                }
                c @ ('{' | '}' | ',') => {
                    out.push('[');
                    out.push(c);
                    out.push(']');
                    i += 1;
                }
                c => {
                    out.push(c);
                    i += 1;
                }
            }
        }
    }
    // `dir/**` is `dir` too.
    let mut all = vec![out.clone()];
    if let Some(dir) = out.strip_suffix("/**") {
        all.push(dir.to_owned());
    } else if out == "**" {
        all.push(String::new());
    }
    all
}

fn glob_set(patterns: &[&str]) -> globset::GlobSet {
    let mut set = globset::GlobSetBuilder::new();
    for pattern in patterns {
        for translated in glob_pattern(pattern) {
            // One that globset cannot take matches nothing, as an invalid
            // pattern makes uv fail.
            if let Ok(glob) = globset::GlobBuilder::new(&translated)
                .literal_separator(true)
                .backslash_escape(false)
                .build()
            {
                set.add(glob);
            }
        }
    }
    set.build().unwrap_or_else(|_| globset::GlobSet::empty())
}

/// Whether `path` (components) matches `pattern`, as uv would find it.
#[cfg(test)]
fn glob_match(pattern: &str, path: &[&str]) -> bool {
    glob_set(&[pattern]).is_match(path.join("/"))
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
    let member = member.join("/");
    glob_set(&globs("members")).is_match(&member) && !glob_set(&globs("exclude")).is_match(&member)
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
        assert!(glob_match("packages/**", &p("packages")));
        assert!(glob_match("a/**/b", &p("a/b")));
        assert!(glob_match("a/**/b", &p("a/x/y/b")));
        assert!(glob_match("{a,b}", &p("{a,b}")));
        assert!(!glob_match("{a,b}", &p("a")));
        assert!(glob_match("x\\y", &p("x\\y")));
        assert!(glob_match("[]x]", &p("]")));
        assert!(glob_match("[^x]", &p("^")));
        assert!(!glob_match("[^x]", &p("y")));
        assert!(glob_match("*", &p(".hidden")));
    }

    /// A pattern that makes a backtracking matcher take exponential time
    /// answers at once (the old matcher spun for minutes on this one).
    #[test]
    fn globs_take_linear_time() {
        let pattern = format!("{}b", "*a".repeat(40));
        let name = "a".repeat(100);
        let start = std::time::Instant::now();
        assert!(!glob_match(&pattern, &[&name]));
        let many: Vec<String> = (0..2000).map(|i| format!("*a*a*a*a*a*{i}b")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(!glob_set(&many).is_match(&name));
        assert!(
            start.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
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
