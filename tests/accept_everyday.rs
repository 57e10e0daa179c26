//! Acceptance checks from a new user's everyday use (issues 12 and 15),
//! driven through real interactive shells.

mod common;

use common::{Drive, Fixture, Opts, Session, Shell, bytes, count, lossy};

/// fish users define functions named like builtins (`source`, `.`); the
/// issue asks that such a function never runs at a prompt. activate.fish
/// calls `builtin source`, but the hook still pipes rvenv's answer into a
/// plain `source` (at each decision and in the `rvenv activate` wrapper):
/// the user's function swallows the answer, nothing activates, and rvenv
/// prints "Broken pipe (os error 32)".
#[test]
fn fish_hook_ignores_a_user_function_named_source() {
    if !Shell::Fish.available() {
        return;
    }
    let sh = Shell::Fish;
    let fx = Fixture::new();
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let tools = fx.venv("tools/.venv");
    let mut s = Session::start(sh, &fx, Opts::default());
    // fish's own autoloader loads `cd` (and every function file) with
    // whatever `source` is defined: load it before the user's `source`.
    s.run(&sh.cd(&fx.root));
    s.run("function source; echo USER-SOURCE-RAN; end; function .; echo USER-DOT-RAN; end");
    s.run(&sh.cd(&shop));
    let st = s.state();
    assert_eq!(
        st.var("VIRTUAL_ENV").map(lossy),
        Some(lossy(&bytes(&venv))),
        "cd into shop did not activate its venv; the terminal:\n{}",
        s.transcript()
    );
    s.run("rvenv activate ../tools");
    let st = s.state();
    assert_eq!(
        st.var("VIRTUAL_ENV").map(lossy),
        Some(lossy(&bytes(&tools))),
        "rvenv activate did not activate tools; the terminal:\n{}",
        s.transcript()
    );
    let shown = s.transcript_bytes();
    // A line of its own is the function's output (the typed definition
    // echoes the words inside a longer line).
    let ran = lossy(&shown)
        .replace('\r', "")
        .lines()
        .filter(|l| matches!(l.trim(), "USER-SOURCE-RAN" | "USER-DOT-RAN"))
        .count();
    assert_eq!(
        ran,
        0,
        "the user's own function ran at a prompt; the terminal:\n{}",
        s.transcript()
    );
    assert_eq!(count(&shown, b"Broken pipe"), 0, "{}", s.transcript());
}

/// scripts/build-wheel and scripts/build-release link rvenv statically on
/// Linux with glibc ("so the wheel runs on any Linux of its architecture")
/// only when `rustc -vV | grep -q '^host: .*-linux-gnu$'` holds. Under the
/// scripts' `set -o pipefail`, `grep -q` exits at the `host:` line and
/// rustc, still writing, dies of SIGPIPE: the pipeline fails about half the
/// time (20 of 40 here) and the build silently falls back to a dynamic
/// binary. Seen for real: the first `scripts/build-wheel` from a fresh
/// clone gave `rvenv-0.1.0-py3-none-manylinux_2_34_x86_64.whl` whose rvenv
/// has a PT_INTERP and needs GLIBC_2.34 (pip refuses it on Debian 11,
/// Ubuntu 20.04, RHEL 8); the next build gave a static-pie
/// `manylinux_2_5` wheel. The test runs each script's own condition line,
/// under the script's own shell options, 20 times.
#[test]
fn static_link_condition_of_the_build_scripts_holds_every_time() {
    if !cfg!(all(target_os = "linux", target_env = "gnu")) {
        return common::skip("the static link is for Linux with glibc");
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for script in ["scripts/build-wheel", "scripts/build-release"] {
        let text = std::fs::read_to_string(root.join(script)).unwrap();
        assert!(text.contains("set -euo pipefail"), "{script}");
        // The line that asks rustc, and the test on its answer.
        let ask = text
            .lines()
            .find(|l| l.contains("rustc -vV"))
            .unwrap_or_else(|| panic!("{script} has no rustc -vV"))
            .trim();
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with("if ") && l.contains("linux-gnu"))
            .unwrap_or_else(|| panic!("{script} has no linux-gnu test"));
        let cond = line
            .trim()
            .strip_prefix("if ")
            .and_then(|l| l.strip_suffix("; then"))
            .unwrap_or_else(|| panic!("{script}: unexpected line {line:?}"));
        let probe = format!(
            "set -euo pipefail; n=0; for i in $(seq 20); do {ask}; if {cond}; then n=$((n+1)); fi; done; echo $n"
        );
        let out = std::process::Command::new("timeout")
            .args(["120", "bash", "-c", &probe])
            .current_dir(root)
            .output()
            .unwrap();
        assert_eq!(
            lossy(&out.stdout).trim(),
            "20",
            "{script}: `{cond}` held only this many times of 20 (a dynamic binary otherwise); {}",
            lossy(&out.stderr)
        );
    }
}
