//! `rvenv watch [DIR] [--json]`: one line per venv that appears, disappears
//! or whose pyvenv.cfg changes under DIR, for editor and prompt integrations.
//!
//! notify reports paths; a burst of them (a venv being built, a tree being
//! deleted) is debounced, then only the directories it touched are scanned
//! again and compared with what was known.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;
use notify::{RecursiveMode, Watcher};
use serde_json::json;

use crate::cli::WatchArgs;
use crate::quote::display;

/// How long a burst must be quiet before it is reported.
const DEBOUNCE: Duration = Duration::from_millis(150);
/// A burst is reported after this long even if it goes on.
const MAX_DELAY: Duration = Duration::from_secs(1);
/// How deep below a touched directory venvs are looked for.
const SCAN_DEPTH: usize = 4;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// What identifies one version of a pyvenv.cfg.
type Stamp = (Option<SystemTime>, u64);

fn stamp(cfg: &Path) -> Option<Stamp> {
    let meta = cfg.symlink_metadata().ok()?;
    meta.is_file().then(|| (meta.modified().ok(), meta.len()))
}

/// Venvs at or below `root`, not descending into venvs, symlinks, or .git.
fn scan(root: &Path, depth: usize, found: &mut BTreeMap<PathBuf, Stamp>) {
    if let Some(s) = stamp(&root.join("pyvenv.cfg")) {
        found.insert(root.to_path_buf(), s);
        return;
    }
    if depth == 0 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && entry.file_name() != ".git" && entry.file_name() != "node_modules" {
            scan(&entry.path(), depth - 1, found);
        }
    }
}

struct Reporter {
    json: bool,
}

impl Reporter {
    fn report(&self, event: &str, venv: &Path) -> std::io::Result<()> {
        let line = if self.json {
            json!({"event": event, "venv": venv.to_string_lossy()}).to_string()
        } else {
            format!("{event} {}", display(venv.as_os_str()))
        };
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}")?;
        out.flush()
    }
}

pub fn run(args: &WatchArgs) -> anyhow::Result<()> {
    let dir = super::activate::dir_arg(args.dir.as_deref())?;
    // SAFETY: the handler only stores to an atomic, which is signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            let _ = tx.send(event.paths);
        }
    })
    .context("cannot start watching")?;
    watcher
        .watch(&dir, RecursiveMode::Recursive)
        .with_context(|| format!("cannot watch {}", display(dir.as_os_str())))?;

    let reporter = Reporter { json: args.json };
    let mut known = BTreeMap::new();
    scan(&dir, usize::MAX, &mut known);
    if args.json {
        let line = json!({"event": "ready", "dir": dir.to_string_lossy()}).to_string();
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}")?;
        out.flush()?;
    }

    let mut pending: BTreeSet<PathBuf> = BTreeSet::new();
    let mut first = Instant::now();
    let mut last = Instant::now();
    while !INTERRUPTED.load(Ordering::SeqCst) {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(paths) => {
                if pending.is_empty() {
                    first = Instant::now();
                }
                last = Instant::now();
                pending.extend(paths);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        let quiet = last.elapsed() >= DEBOUNCE || first.elapsed() >= MAX_DELAY;
        if !pending.is_empty() && quiet {
            let touched = std::mem::take(&mut pending);
            rescan(&dir, &touched, &mut known, &reporter)?;
        }
    }
    Ok(())
}

/// Scans again what a burst touched and reports the differences.
fn rescan(
    dir: &Path,
    touched: &BTreeSet<PathBuf>,
    known: &mut BTreeMap<PathBuf, Stamp>,
    reporter: &Reporter,
) -> anyhow::Result<()> {
    // The nearest existing directory of each touched path, inside DIR.
    let mut roots: BTreeSet<PathBuf> = BTreeSet::new();
    for path in touched {
        let mut root = path.as_path();
        while !root.is_dir() || root.symlink_metadata().is_ok_and(|m| m.is_symlink()) {
            match root.parent() {
                Some(parent) if parent.starts_with(dir) => root = parent,
                _ => break,
            }
        }
        if root.starts_with(dir) {
            roots.insert(root.to_path_buf());
        }
    }
    for root in &roots {
        // A touched directory inside a venv (pip at work) is that venv's.
        let root = known
            .keys()
            .find(|venv| root.starts_with(venv))
            .cloned()
            .unwrap_or_else(|| root.clone());
        let mut now = BTreeMap::new();
        scan(&root, SCAN_DEPTH, &mut now);
        let before: Vec<PathBuf> = known
            .keys()
            .filter(|venv| venv.starts_with(&root))
            .cloned()
            .collect();
        for venv in before {
            if !now.contains_key(&venv) {
                known.remove(&venv);
                reporter.report("removed", &venv)?;
            }
        }
        for (venv, stamp) in now {
            match known.insert(venv.clone(), stamp) {
                None => reporter.report("created", &venv)?,
                Some(old) if old != stamp => reporter.report("changed", &venv)?,
                Some(_) => {}
            }
        }
    }
    Ok(())
}
