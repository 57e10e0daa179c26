//! `rvenv __pythons`: the Python versions rvenv can find, one per line, for
//! completing `rvenv create -p`. Reads directory names only: no Python runs.

use std::collections::BTreeSet;
use std::io::Write;

pub fn run() -> anyhow::Result<()> {
    let mut found = BTreeSet::new();
    let pyenv_root = std::env::var_os("PYENV_ROOT")
        .map(std::path::PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".pyenv")));
    if let Some(Ok(entries)) = pyenv_root.map(|r| std::fs::read_dir(r.join("versions"))) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(minor) = minor_version(&name) {
                found.insert(minor);
            }
        }
    }
    for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
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
