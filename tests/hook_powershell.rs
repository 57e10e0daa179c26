//! PowerShell cannot be installed on these machines, so its hook is checked
//! against golden files (untested in a real pwsh; README says so):
//! `rvenv hook powershell` as committed in tests/data/powershell/, and the
//! answer rvenv renders for it (`RVENV_BLESS=1` rewrites both).

mod common;

use std::ffi::OsStr;
use std::fs;
use std::path::Path;

fn golden(name: &str, got: &[u8]) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/powershell")
        .join(name);
    if std::env::var_os("RVENV_BLESS").is_some() {
        fs::write(&file, got).unwrap();
        return;
    }
    let want = fs::read(&file).unwrap_or_default();
    assert!(
        want == got,
        "{} is stale: rerun with RVENV_BLESS=1 and review the diff",
        file.display()
    );
}

#[test]
fn hook_matches_golden_file() {
    let fx = common::Fixture::new();
    let (code, out, err) = common::rvenv_in(
        &fx,
        &fx.root,
        &[OsStr::new("hook"), OsStr::new("powershell")],
        &[],
    );
    assert_eq!(code, Some(0), "{}", common::lossy(&err));
    assert!(err.is_empty());
    golden("hook.ps1", &out);
}

#[test]
fn activate_answer_matches_golden_file() {
    // A fixed path, so the answer is the same on every machine: /tmp/rvt-ps
    // with a venv named to need quoting.
    let root = Path::new("/tmp/rvt-ps-golden/it's $(x)");
    let _ = fs::remove_dir_all("/tmp/rvt-ps-golden");
    let fx = common::Fixture::new();
    fx.venv_moved(&root.join(".venv"));
    let (code, out, err) = common::rvenv_in(
        &fx,
        root,
        &[OsStr::new("activate")],
        &[
            ("__RVENV_SHELL", OsStr::new("powershell")),
            ("RVENV_TRUSTED_DIRS", OsStr::new("/tmp/rvt-ps-golden")),
        ],
    );
    let _ = fs::remove_dir_all("/tmp/rvt-ps-golden");
    assert_eq!(code, Some(0), "{}", common::lossy(&err));
    golden("activate.ps1", &out);
}

/// The PowerShell grammar's errors in `script` (tree-sitter's, from PyPI:
/// scripts/test installs it into target/ci-tools), or None when no
/// parser can be had (skipped with the reason; CI fails instead).
fn parse_errors(script: &[u8]) -> Option<Vec<String>> {
    const CHECK: &str = r#"
import sys
import tree_sitter_powershell
from tree_sitter import Language, Parser
src = sys.stdin.buffer.read()
tree = Parser(Language(tree_sitter_powershell.language())).parse(src)
def walk(n):
    if n.type == "ERROR" or n.is_missing:
        line = src.split(b"\n")[n.start_point[0]].decode("utf-8", "replace")
        print(f"line {n.start_point[0] + 1}: {n.type}: {line.strip()}")
        return
    for c in n.children:
        walk(c)
walk(tree.root_node)
"#;
    let ci_python = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-tools/bin/python");
    let python = [ci_python.as_os_str(), OsStr::new("python3")]
        .into_iter()
        .find(|p| {
            std::process::Command::new(p)
                .args(["-c", "import tree_sitter, tree_sitter_powershell"])
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        });
    let Some(python) = python else {
        common::skip(
            "no PowerShell parser: pip install tree-sitter tree-sitter-powershell \
             (scripts/test does)",
        );
        return None;
    };
    use std::io::Write;
    let mut child = std::process::Command::new(python)
        .args(["-c", CHECK])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(script).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the PowerShell parse check failed to run"
    );
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect(),
    )
}

/// No pwsh here: what rvenv writes for PowerShell is at least parsed by a
/// PowerShell grammar, the hook and answers holding hostile names alike.
#[test]
fn powershell_output_parses() {
    let fx = common::Fixture::new();
    // The check can fail: a hook with a brace gone is refused.
    let (_, hook, _) = common::rvenv_in(
        &fx,
        &fx.root,
        &[OsStr::new("hook"), OsStr::new("powershell")],
        &[],
    );
    let Some(errors) = parse_errors(&hook) else {
        return;
    };
    assert_eq!(errors, Vec::<String>::new(), "rvenv hook powershell");
    let at = hook.iter().rposition(|&b| b == b'}').unwrap();
    let broken = [&hook[..at], &hook[at + 1..]].concat();
    assert!(
        !parse_errors(&broken).unwrap().is_empty(),
        "the parse check found nothing wrong in a hook missing a brace"
    );

    // Answers that enter, switch and leave projects named to need quoting.
    let names = ["it's $(x)", "back`tick \"dq\" ;{}", "ünï €", "a'b'c''"];
    let mut venvs = Vec::new();
    for name in names {
        venvs.push(fx.venv(format!("{name}/.venv")));
    }
    let mut current = String::new();
    for (name, venv) in names.iter().zip(&venvs).chain([(&"", &fx.root)]) {
        let dir = if name.is_empty() {
            fx.root.clone()
        } else {
            fx.root.join(name)
        };
        let (code, out, err) = common::rvenv_in(
            &fx,
            &dir,
            &common::hook_argv("powershell", dir.as_os_str(), &[OsStr::new(&current)])
                .iter()
                .map(|a| a.as_os_str())
                .collect::<Vec<_>>(),
            &[],
        );
        assert_eq!(code, Some(0), "{}", common::lossy(&err));
        assert!(!out.is_empty(), "no answer in {dir:?}");
        let errors = parse_errors(&out).unwrap();
        assert_eq!(
            errors,
            Vec::<String>::new(),
            "the answer in {dir:?}:\n{}",
            common::lossy(&out)
        );
        current = if name.is_empty() {
            String::new()
        } else {
            venv.to_str().unwrap().to_owned()
        };
    }

    // `rvenv activate` in a quoted project (`deactivate` is the hook's own
    // function: rvenv writes nothing for it).
    let (code, out, err) = common::rvenv_in(
        &fx,
        &fx.root.join(names[1]),
        &[OsStr::new("activate")],
        &[("__RVENV_SHELL", OsStr::new("powershell"))],
    );
    assert_eq!(code, Some(0), "{}", common::lossy(&err));
    let errors = parse_errors(&out).unwrap();
    assert_eq!(errors, Vec::<String>::new(), "{}", common::lossy(&out));
}
