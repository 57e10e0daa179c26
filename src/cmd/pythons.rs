//! `rvenv __pythons`: the Python versions rvenv can find, one per line, for
//! completing `rvenv create -p`. Looks where `rvenv create` looks
//! (`create::python::Search`), at names only: no Python runs.

use std::collections::BTreeSet;
use std::io::Write;

use crate::create::python::Search;

pub fn run() -> anyhow::Result<()> {
    let search = Search::from_process();
    let mut found = BTreeSet::new();
    // pyenv's versions/3.12.1, uv's cpython-3.12.1-linux-x86_64-gnu.
    let managed = std::iter::once(search.pyenv_root.join("versions"))
        .chain(search.uv_python_dirs.iter().cloned());
    for dir in managed {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let version = name.strip_prefix("cpython-").unwrap_or(&name);
            if let Some(minor) = minor_version(version) {
                found.insert(minor);
            }
        }
    }
    for dir in std::env::split_paths(&search.path.clone().unwrap_or_default()) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(version) = name.strip_prefix("python")
                && let Some(minor) = minor_version(version)
                && version == format!("3.{minor}")
            {
                found.insert(minor);
            }
        }
    }
    let mut out = std::io::stdout().lock();
    for minor in found {
        writeln!(out, "3.{minor}")?;
    }
    Ok(())
}

/// 12 for "3.12.1", "3.12" or "3.12.1t"; None for anything else.
fn minor_version(name: &str) -> Option<u32> {
    let mut parts = name.split('.');
    let major = parts.next()?;
    let minor: String = parts
        .next()?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    if major != "3" {
        return None;
    }
    minor.parse().ok()
}
