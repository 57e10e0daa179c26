//! Native venv creation (PEP 405), as plain functions over paths.
//!
//! Nothing is lost and nothing is half-made: the venv is built in a private
//! staging directory beside PATH (`.NAME.rvenv-stage-...`), `pyvenv.cfg` is
//! written last, and one rename puts it in place; `--clear` swaps the new
//! venv with the old one in one `renameat2(RENAME_EXCHANGE)`. Where PATH
//! is an existing empty directory, it is kept (as `python -m venv` keeps
//! it: inode, mode, owner, ACL, mount, a shell's cwd): the staging
//! directory is made inside it and its entries are moved out into it,
//! `pyvenv.cfg` last, so it is a venv only once it is all there. The
//! staging directory is `flock`ed while it is built, so a later create can
//! tell the leftovers of a killed one (unlocked) from a create still
//! running (locked) and removes only the former.

pub mod facts;
pub mod layout;
pub mod python;
pub mod requires_python;
pub mod scripts;
pub mod seed;
pub mod upgrade;

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, bail};

use facts::Facts;
use python::{Request, Search};

/// What to create.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub path: PathBuf,
    pub python: Option<String>,
    pub prompt: Option<String>,
    pub system_site_packages: bool,
    pub seed: Seed,
    pub clear: bool,
    pub copies: bool,
    /// `--symlinks`: the default; with `--upgrade`, turns a venv of copies
    /// into one of links.
    pub symlinks: bool,
    /// Point an existing venv at another base, keeping its packages.
    pub upgrade: bool,
    pub without_scm_ignore_files: bool,
    /// Recorded in pyvenv.cfg; the caller upgrades once the venv is in place.
    pub upgrade_deps: bool,
}

/// Whether to install what the interpreter's ensurepip bundles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Seed {
    /// pip (and setuptools before 3.12), as venv does; a venv without
    /// them where the interpreter bundles none.
    #[default]
    Default,
    /// `--seed`: as the default, but an interpreter without them is an
    /// error.
    Required,
    /// `--without-pip`.
    None,
}

/// What was created.
#[derive(Debug)]
pub struct Created {
    /// Where the venv is: absolute, `..` resolved, a symlink followed.
    pub path: PathBuf,
    pub facts: Facts,
    /// What was installed: pip first, then setuptools before 3.12.
    pub seeded: Vec<seed::Installed>,
    /// The interpreter bundles no pip (ensurepip) for the default seed.
    pub no_pip_to_seed: bool,
    /// An existing venv was replaced (`--clear`).
    pub replaced: bool,
    /// An existing venv was pointed at a new base (`--upgrade`).
    pub upgraded: bool,
    /// Why this Python, when the project chose it (`requires-python
    /// >=3.10`).
    pub chosen_for: Option<String>,
}

pub fn create(opts: &Options, search: &Search, cache: Option<&Path>) -> anyhow::Result<Created> {
    // As `python -m venv` refuses them (checked here, for one line).
    if opts.upgrade && opts.clear {
        bail!(
            "--upgrade and --clear cannot be used together: --clear rebuilds the venv, --upgrade keeps it"
        );
    }
    if opts.copies && opts.symlinks {
        bail!("--copies and --symlinks cannot be used together");
    }
    let venv = target(&opts.path, &search.cwd)?;
    let (Some(parent), Some(name)) = (venv.parent(), venv.file_name()) else {
        bail!("cannot create a venv at {}", venv.display());
    };
    let existing = check_target(&venv, opts.clear || opts.upgrade)?;
    if opts.upgrade && existing == Existing::Venv {
        return upgrade::upgrade(opts, &venv, search, cache);
    }

    let (request, asked_by) = match &opts.python {
        Some(spec) => (Request::parse(spec), format!("-p {spec}")),
        None => match python::python_version_file(parent)? {
            Some((v, file)) => (
                python::version_file_request(&v, &file, search)?,
                file.display().to_string(),
            ),
            None => (Request::Default, String::new()),
        },
    };
    // Nothing named a Python: the project's requires-python, as uv reads it.
    let project = if asked_by.is_empty() {
        requires_python::of_project(parent).unwrap_or_else(|why| {
            let _ = writeln!(
                std::io::stderr(),
                "rvenv: warning: {why}; its requires-python is ignored"
            );
            None
        })
    } else {
        None
    };
    let (base, facts) = match &project {
        Some(wanted) => requires_python::newest(wanted, search, cache)?,
        None => base_for(&request, &asked_by, opts.python.is_none(), search, cache)?,
    };
    let chosen_for = project.map(|p| format!("requires-python {}", p.shown()));
    let wheels = match opts.seed {
        Seed::None => Vec::new(),
        Seed::Default | Seed::Required => seed::bundled(&facts.stdlib, facts.version),
    };
    if opts.seed == Seed::Required && wheels.is_empty() {
        bail!(
            "{} bundles no pip wheel (no ensurepip); create without --seed",
            base.display()
        );
    }
    let (prompt, cfg_prompt) = prompts(opts, &venv, search);
    let plan = layout::Plan {
        venv: &venv,
        base: &base,
        facts: &facts,
        prompt: &prompt,
        cfg_prompt: cfg_prompt.as_deref(),
        system_site_packages: opts.system_site_packages,
        copies: opts.copies,
        seed: !wheels.is_empty(),
        clear: opts.clear,
        orig_prompt: opts.prompt.as_deref(),
        upgrade: opts.upgrade,
        scm_ignore_files: !opts.without_scm_ignore_files,
        upgrade_deps: opts.upgrade_deps && !wheels.is_empty(),
    };

    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    // Again, now that it all exists: nothing swapped in meanwhile.
    crate::trust::check_build_path(&venv, parent, true)?;
    // An existing empty directory is kept, as `python -m venv` keeps it:
    // its inode, mode, owner, ACL and mount stay, a shell whose cwd it is
    // stays in it, and its parent need not be writable (`mkdir /venv &&
    // chown app /venv`). So the venv is staged inside it and moved in
    // entry by entry; a renamed stage would replace it.
    //
    // A venv `--clear` cannot swap whole (a mount point, such as a
    // container's volume, or one in a directory the user cannot write) is
    // emptied where it is and filled the same way, as `python -m venv
    // --clear` does: a create stopped after that leaves it empty.
    let existing = if existing == Existing::Venv && opts.clear && !swappable(&venv, parent) {
        empty_in_place(&venv)?;
        Existing::EmptyDir
    } else {
        existing
    };
    let inside = existing == Existing::EmptyDir;
    let stage_dir = if inside { venv.as_path() } else { parent };
    clean_stale(stage_dir, name);
    let stage = Stage::new(stage_dir, name)?;
    let seeded = build(&stage.path, &plan, &wheels, cache)?;
    let replaced = if inside {
        stage.commit_inside(&venv)?;
        false
    } else {
        stage.commit(&venv, existing == Existing::Venv, opts.clear)?
    };
    Ok(Created {
        path: venv,
        facts,
        seeded,
        no_pip_to_seed: opts.seed == Seed::Default && wheels.is_empty(),
        replaced,
        upgraded: false,
        chosen_for,
    })
}

/// Where the venv goes: `path` made absolute, a symlink to a directory
/// followed; refused when PATH could not hold it (CPython ≥ 3.11 refuses
/// it too).
fn target(path: &Path, cwd: &Path) -> anyhow::Result<PathBuf> {
    let venv = absolute(path, cwd);
    let refuse = |p: &Path| -> anyhow::Result<()> {
        if p.as_os_str().as_bytes().contains(&b':') {
            bail!(
                "refusing to create a venv in {}: its path holds ':', which PATH cannot hold",
                p.display()
            );
        }
        Ok(())
    };
    refuse(&venv)?;
    // Before following anything: another user's symlink or directory on
    // the way must not decide where the venv is built.
    crate::trust::check_build_path(&venv, &venv, false)?;
    // A symlink to a directory: the venv goes where it points.
    let venv = match venv.symlink_metadata() {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(&venv)
            .with_context(|| format!("{} is a broken symlink", venv.display()))?,
        _ => venv,
    };
    refuse(&venv)?;
    Ok(venv)
}

/// The base interpreter `request` finds and its facts. `asked_by` says
/// where the request comes from (`-p 3.12`, a `.python-version`), for
/// messages; `from_file` when that is a file.
fn base_for(
    request: &Request,
    asked_by: &str,
    from_file: bool,
    search: &Search,
    cache: Option<&Path>,
) -> anyhow::Result<(PathBuf, Facts)> {
    if let Request::Version(v) = request
        && v.first().is_some_and(|&major| major < 3)
    {
        bail!(
            "{asked_by} asks for Python {}, but a venv needs Python 3; name one with -p 3.X",
            python::join_version(v)
        );
    }
    let found = python::find(request, search).map_err(|e| {
        if from_file && !asked_by.is_empty() {
            e.context(format!("{asked_by} asks for it"))
        } else {
            e
        }
    })?;
    let facts = facts::facts(&found, cache)?;
    if let Request::Version(want) = request
        && !facts.version.starts_with(want)
    {
        bail!(
            "{} is Python {}, not {}",
            found.display(),
            facts.version_text,
            python::join_version(want)
        );
    }
    let base = if facts.in_venv {
        facts.base_executable.clone()
    } else {
        found
    };
    if base.as_os_str().as_bytes().contains(&b'\n') {
        bail!(
            "the interpreter's path {} holds a line break",
            base.display()
        );
    }
    Ok((base, facts))
}

/// The prompt scripts show and the one pyvenv.cfg records: `--prompt .`
/// is the current directory's name, as CPython ≥ 3.9 has it.
fn prompts(opts: &Options, venv: &Path, search: &Search) -> (OsString, Option<String>) {
    match opts.prompt.as_deref() {
        Some(".") => {
            let name = search
                .cwd
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "/".to_owned());
            (name.clone().into(), Some(name))
        }
        Some(p) => (p.into(), Some(p.to_owned())),
        None => (default_prompt(venv), None),
    }
}

/// Everything but the rename: files, the seed `wheels`, then pyvenv.cfg.
fn build(
    stage: &Path,
    plan: &layout::Plan,
    wheels: &[seed::Wheel],
    cache: Option<&Path>,
) -> anyhow::Result<Vec<seed::Installed>> {
    layout::build(stage, plan)?;
    let seeded = if wheels.is_empty() {
        Vec::new()
    } else {
        seed::install(stage, plan, wheels, cache)?
    };
    layout::write(&stage.join("pyvenv.cfg"), &layout::pyvenv_cfg(plan))?;
    Ok(seeded)
}

/// The prompt of a venv nobody named: its project's directory for an
/// in-tree `.venv` or `venv`, else its own name.
pub fn default_prompt(venv: &Path) -> OsString {
    let name = venv.file_name().unwrap_or_default();
    let dir = if name == ".venv" || name == "venv" {
        venv.parent().unwrap_or(venv)
    } else {
        venv
    };
    dir.file_name()
        .map(OsStr::to_owned)
        .unwrap_or_else(|| "venv".into())
}

/// `path` made absolute and `.`/`..` resolved by name, as Python's
/// `os.path.abspath` does.
fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_owned()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::from("/");
    for c in joined.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    out
}

#[derive(Debug, PartialEq, Eq)]
enum Existing {
    Nothing,
    EmptyDir,
    Venv,
}

/// What is at the venv's path now, refusing anything create must not touch.
fn check_target(venv: &Path, clear: bool) -> anyhow::Result<Existing> {
    let meta = match venv.symlink_metadata() {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::Nothing),
        Err(e) => return Err(e).with_context(|| format!("cannot inspect {}", venv.display())),
    };
    if !meta.is_dir() {
        bail!(
            "{} exists and is not a directory; refusing to touch it",
            venv.display()
        );
    }
    if venv.join("pyvenv.cfg").symlink_metadata().is_ok() {
        if clear {
            return Ok(Existing::Venv);
        }
        // Its base gone (pyenv or apt replaced 3.12.1 with 3.12.7):
        // `--upgrade` mends it and keeps its packages; `--clear` loses them.
        if let Err(crate::venv::Broken::PythonGone(_)) = crate::venv::Venv::inspect(venv) {
            bail!(
                "{} is already a venv, whose Python is gone; use --upgrade to point it at an \
                 installed one keeping its packages, or --clear to replace it",
                venv.display()
            );
        }
        bail!(
            "{} is already a venv; use --clear to replace it",
            venv.display()
        );
    }
    let name = venv.file_name().unwrap_or_default();
    let (ours, others) = entries_of(venv, name)?;
    if others > 0 {
        if ours {
            bail!(
                "{} holds what an interrupted rvenv create left there (no pyvenv.cfg); empty it \
                 and create again",
                venv.display()
            );
        }
        bail!(
            "{} is not empty and is not a venv; refusing to touch it",
            venv.display()
        );
    }
    Ok(Existing::EmptyDir)
}

/// Whether the directory `venv` can be replaced by a rename in `parent`:
/// both on one file system (`venv` is no mount point) and `parent`
/// writable by this user.
fn swappable(venv: &Path, parent: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let same_fs = match (venv.symlink_metadata(), parent.metadata()) {
        (Ok(v), Ok(p)) => v.dev() == p.dev(),
        _ => false,
    };
    same_fs && rustix::fs::access(parent, rustix::fs::Access::WRITE_OK).is_ok()
}

/// Removes everything in the directory `venv` (a venv being cleared),
/// leaving the directory itself; symlinks are removed, never followed.
fn empty_in_place(venv: &Path) -> anyhow::Result<()> {
    let cannot = || format!("cannot clear {}", venv.display());
    for entry in std::fs::read_dir(venv).with_context(cannot)? {
        let entry = entry.with_context(cannot)?;
        let path = entry.path();
        let removed = if entry.file_type().with_context(cannot)?.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.with_context(|| format!("cannot remove {}", path.display()))?;
    }
    Ok(())
}

/// Whether directory `dir` holds a staging directory of a create of
/// `name` (made there when `dir` existed empty), and how many other
/// entries it holds.
fn entries_of(dir: &Path, name: &OsStr) -> anyhow::Result<(bool, usize)> {
    let prefix = stage_prefix(name);
    let (mut ours, mut others) = (false, 0);
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        if entry.file_name().as_bytes().starts_with(&prefix) {
            ours = true;
        } else {
            others += 1;
        }
    }
    Ok((ours, others))
}

fn stage_prefix(name: &OsStr) -> Vec<u8> {
    let mut prefix = b".".to_vec();
    prefix.extend_from_slice(name.as_bytes());
    prefix.extend_from_slice(b".rvenv-stage-");
    prefix
}

/// A staging directory: created, locked, removed unless committed.
struct Stage {
    path: PathBuf,
    /// Holds the flock for as long as the process lives.
    _lock: File,
    committed: bool,
}

impl Stage {
    fn new(parent: &Path, name: &OsStr) -> anyhow::Result<Stage> {
        let prefix = stage_prefix(name);
        for attempt in 0..32u32 {
            let nanos = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            let mut file_name = prefix.clone();
            file_name.extend_from_slice(
                format!("{}-{:08x}{attempt}", std::process::id(), nanos).as_bytes(),
            );
            let path = parent.join(OsStr::from_bytes(&file_name));
            match std::fs::create_dir(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot write in {}", parent.display()));
                }
            }
            let lock =
                File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
            match lock.try_lock() {
                Ok(()) => {
                    return Ok(Stage {
                        path,
                        _lock: lock,
                        committed: false,
                    });
                }
                // Another create's cleanup looked at it in that instant;
                // leave it to be cleaned and take another name.
                Err(_) => continue,
            }
        }
        bail!("cannot create a staging directory in {}", parent.display())
    }

    /// Moves the staged venv to `venv`: a plain rename, or for `--clear`
    /// an exchange with the old venv, which is then removed. With `clear`,
    /// a venv that another create put at `venv` meanwhile is replaced too.
    fn commit(self, venv: &Path, replace: bool, clear: bool) -> anyhow::Result<bool> {
        match self.commit_once(venv, replace) {
            Err(Commit::Raced(stage, _)) if clear => {
                stage.commit_once(venv, true).map_err(Commit::into_error)
            }
            result => result.map_err(Commit::into_error),
        }
    }

    fn commit_once(mut self, venv: &Path, replace: bool) -> Result<bool, Commit> {
        if replace {
            match exchange(&self.path, venv) {
                Ok(()) => {
                    self.committed = true;
                    // The old venv now sits at the staging path.
                    if self.path.join("pyvenv.cfg").symlink_metadata().is_err() {
                        // Something that is not a venv took its place
                        // meanwhile: put it back and stop.
                        let back = exchange(&self.path, venv);
                        self.committed = back.is_err();
                        return Err(Commit::Error(anyhow::anyhow!(
                            "{} changed while the venv was built and is not a venv; refusing to touch it",
                            venv.display()
                        )));
                    }
                    let _ = std::fs::remove_dir_all(&self.path);
                    return Ok(true);
                }
                Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {}
                Err(e)
                    if matches!(
                        e.raw_os_error(),
                        Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP)
                    ) =>
                {
                    // No atomic exchange on this file system: move the old
                    // venv aside first (PATH is briefly empty, never broken).
                    let mut old = self.path.as_os_str().to_owned();
                    old.push("-old");
                    let old = PathBuf::from(old);
                    if std::fs::rename(venv, &old).is_ok() {
                        let result = std::fs::rename(&self.path, venv);
                        let _ = std::fs::remove_dir_all(&old);
                        result
                            .with_context(|| format!("cannot create {}", venv.display()))
                            .map_err(Commit::Error)?;
                        self.committed = true;
                        return Ok(true);
                    }
                }
                Err(e) => {
                    return Err(Commit::Error(
                        anyhow::Error::new(e).context(format!("cannot replace {}", venv.display())),
                    ));
                }
            }
        }
        match std::fs::rename(&self.path, venv) {
            Ok(()) => {
                self.committed = true;
                Ok(false)
            }
            Err(e) if matches!(e.raw_os_error(), Some(libc::ENOTEMPTY) | Some(libc::EEXIST)) => {
                if venv.join("pyvenv.cfg").symlink_metadata().is_ok() {
                    return Err(Commit::Raced(self, venv.to_owned()));
                }
                Err(Commit::Error(anyhow::anyhow!(
                    "{} is not empty and is not a venv; refusing to touch it",
                    venv.display()
                )))
            }
            Err(e) => Err(Commit::Error(
                anyhow::Error::new(e).context(format!("cannot create {}", venv.display())),
            )),
        }
    }
}

impl Stage {
    /// Moves the venv staged inside the directory `venv` (which was empty)
    /// out into it, entry by entry, pyvenv.cfg last: until then it is no
    /// venv, and once it is there everything else is. Creates of the same
    /// directory move their venvs in one at a time (an flock on it); the
    /// second finds the first's and stops, as after a lost rename.
    fn commit_inside(mut self, venv: &Path) -> anyhow::Result<()> {
        use rustix::fs::{Mode, OFlags, RenameFlags};
        let dir = File::open(venv).with_context(|| format!("cannot open {}", venv.display()))?;
        dir.lock()
            .with_context(|| format!("cannot lock {}", venv.display()))?;
        let name = venv.file_name().unwrap_or_default();
        if venv.join("pyvenv.cfg").symlink_metadata().is_ok() {
            bail!(
                "{} was created by someone else meanwhile; use --clear to replace it",
                venv.display()
            );
        }
        if entries_of(venv, name)?.1 > 0 {
            bail!(
                "{} is no longer empty and is not a venv; refusing to touch it",
                venv.display()
            );
        }
        let stage = rustix::fs::open(
            &self.path,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .with_context(|| format!("cannot open {}", self.path.display()))?;
        let mut names: Vec<OsString> = std::fs::read_dir(&self.path)
            .with_context(|| format!("cannot read {}", self.path.display()))?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<std::io::Result<_>>()
            .with_context(|| format!("cannot read {}", self.path.display()))?;
        names.sort_by_key(|n| n == "pyvenv.cfg");
        // A Ctrl-C (or a TERM, HUP) between two moves would leave a
        // directory that is neither empty nor a venv: such signals wait
        // until the moves are done (only SIGKILL can still land there).
        let _held = HeldSignals::new();
        for (i, entry) in names.iter().enumerate() {
            // Never over something that appeared meanwhile; a file system
            // without RENAME_NOREPLACE gets a plain rename (under the lock).
            let moved =
                match rustix::fs::renameat_with(&stage, entry, &dir, entry, RenameFlags::NOREPLACE)
                {
                    Err(rustix::io::Errno::INVAL) => {
                        rustix::fs::renameat(&stage, entry, &dir, entry)
                    }
                    other => other,
                };
            if let Err(e) = moved {
                // Back into the stage, which is then removed: the
                // directory is left as it was found, empty.
                for back in &names[..i] {
                    let _ = rustix::fs::renameat(&dir, back, &stage, back);
                }
                return Err(anyhow::Error::new(e).context(format!(
                    "cannot move {} into place",
                    venv.join(entry).display()
                )));
            }
        }
        self.committed = true;
        let _ = std::fs::remove_dir(&self.path);
        Ok(())
    }
}

/// SIGINT, SIGTERM, SIGHUP and SIGQUIT blocked in this thread (the only
/// one left when a venv is committed; threads it starts meanwhile block
/// them too) until dropped; one that came meanwhile is delivered then.
pub(crate) struct HeldSignals {
    old: libc::sigset_t,
    held: libc::sigset_t,
}

impl HeldSignals {
    pub(crate) fn new() -> HeldSignals {
        // SAFETY: the sets are plain values initialized by sigemptyset
        // before use; pthread_sigmask only reads and writes them.
        unsafe {
            let mut held: libc::sigset_t = std::mem::zeroed();
            let mut old: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut held);
            libc::sigemptyset(&mut old);
            for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT] {
                libc::sigaddset(&mut held, sig);
            }
            libc::pthread_sigmask(libc::SIG_BLOCK, &held, &mut old);
            HeldSignals { old, held }
        }
    }

    /// One of the held signals that came, taken off the pending ones
    /// (without waiting); None when none did.
    pub(crate) fn take_pending(&self) -> Option<i32> {
        let zero = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: a valid signal set and timeout; no siginfo asked for.
        let sig = unsafe { libc::sigtimedwait(&self.held, std::ptr::null_mut(), &zero) };
        (sig > 0).then_some(sig)
    }
}

impl Drop for HeldSignals {
    fn drop(&mut self) {
        // SAFETY: restores the mask saved by `new`.
        unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &self.old, std::ptr::null_mut()) };
    }
}

/// Why a commit did not happen.
enum Commit {
    /// Another create put a venv at the path first; the stage is intact.
    Raced(Stage, PathBuf),
    Error(anyhow::Error),
}

impl Commit {
    fn into_error(self) -> anyhow::Error {
        match self {
            Commit::Raced(_stage, venv) => anyhow::anyhow!(
                "{} was created by someone else meanwhile; use --clear to replace it",
                venv.display()
            ),
            Commit::Error(e) => e,
        }
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// `renameat2(a, b, RENAME_EXCHANGE)`: swaps two paths atomically.
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both are valid NUL-terminated paths for the duration of the call.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Removes staging directories of `name` left by killed creates: unlocked,
/// and either holding something or older than a few seconds (an empty one
/// may be a create that has not taken its lock yet).
fn clean_stale(parent: &Path, name: &OsStr) {
    let prefix = stage_prefix(name);
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        if !file_name.as_bytes().starts_with(&prefix) {
            continue;
        }
        let path = entry.path();
        // Only a directory of ours, opened without following a symlink or
        // waiting on a FIFO: in a shared directory (/tmp) anyone can make
        // an entry with this name.
        use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
        let opened = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(&path);
        let Ok(dir) = opened else {
            continue;
        };
        // SAFETY: geteuid cannot fail and touches no memory.
        let me = unsafe { libc::geteuid() };
        if dir.metadata().map_or(true, |m| m.uid() != me) {
            continue;
        }
        if dir.try_lock().is_err() {
            continue;
        }
        let empty = std::fs::read_dir(&path).is_ok_and(|mut e| e.next().is_none());
        let old = path
            .symlink_metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(10));
        if !empty || old {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_like_abspath() {
        let cwd = Path::new("/home/u/p");
        assert_eq!(
            absolute(Path::new(".venv"), cwd),
            Path::new("/home/u/p/.venv")
        );
        assert_eq!(
            absolute(Path::new("../x/./v"), cwd),
            Path::new("/home/u/x/v")
        );
        assert_eq!(absolute(Path::new("/a/b/"), cwd), Path::new("/a/b"));
    }

    #[test]
    fn prompt_names_the_project() {
        assert_eq!(default_prompt(Path::new("/w/shop/.venv")), "shop");
        assert_eq!(default_prompt(Path::new("/w/shop/venv")), "shop");
        assert_eq!(default_prompt(Path::new("/envs/tools")), "tools");
    }

    #[test]
    fn refuses_non_venvs() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("d");
        std::fs::create_dir(&d).unwrap();
        assert_eq!(check_target(&d, false).unwrap(), Existing::EmptyDir);
        std::fs::write(d.join("f"), "").unwrap();
        assert!(check_target(&d, true).is_err());
        std::fs::write(d.join("pyvenv.cfg"), "").unwrap();
        assert!(check_target(&d, false).is_err());
        assert_eq!(check_target(&d, true).unwrap(), Existing::Venv);
        assert!(check_target(&d.join("f"), true).is_err());
        // A create staging inside an empty directory leaves it empty; what
        // an interrupted one moved in is named as such.
        let e = tmp.path().join("e");
        std::fs::create_dir_all(e.join(".e.rvenv-stage-1-0")).unwrap();
        assert_eq!(check_target(&e, false).unwrap(), Existing::EmptyDir);
        std::fs::create_dir(e.join("bin")).unwrap();
        let err = check_target(&e, true).unwrap_err().to_string();
        assert!(err.contains("interrupted rvenv create"), "{err}");
        assert_eq!(
            check_target(&d.join("nope"), false).unwrap(),
            Existing::Nothing
        );
    }
}
