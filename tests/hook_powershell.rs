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
