//! What a venv needs to know about its base interpreter, from one query of
//! that interpreter, cached on disk keyed by its canonical path, mtime and
//! size: a second `rvenv create` with the same Python starts no Python.
//!
//! The cache is one small text file per interpreter, `key=hex` lines (paths
//! are bytes, so everything is hex), under `dirs::cache_dir()/rvenv`.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use sha2::Digest;

/// Bumped whenever the query or the format changes.
const FORMAT: &str = "rvenv-interpreter-facts 1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// `sys.implementation.name`: `cpython`, `pypy`, ...
    pub implementation: String,
    /// `sys.version_info[:3]`.
    pub version: [u32; 3],
    /// `sys.version`'s first word (`3.13.0rc1`, `3.12.1`).
    pub version_text: String,
    /// The interpreter to link from the venv: `sys.executable`, or the base
    /// interpreter when the one asked for lives in a venv itself.
    pub base_executable: PathBuf,
    pub base_prefix: PathBuf,
    /// The standard library (where `ensurepip` lives).
    pub stdlib: PathBuf,
    /// site-packages and include relative to a venv, as that version's venv
    /// module makes them.
    pub purelib: PathBuf,
    pub include: PathBuf,
    /// The interpreter asked for runs in a venv (its `base_executable` is
    /// then the base's).
    pub in_venv: bool,
    /// CPython makes `lib64 -> lib` on 64-bit POSIX but macOS.
    pub lib64: bool,
}

impl Facts {
    pub fn implementation_name(&self) -> &str {
        match self.implementation.as_str() {
            "cpython" => "CPython",
            "pypy" => "PyPy",
            "graalpy" => "GraalPy",
            other => other,
        }
    }
}

const QUERY: &str = r#"
import os, sys
def h(v):
    if isinstance(v, str):
        v = os.fsencode(v)
    return v.hex()
exe = os.path.abspath(sys.executable)
base = exe
if sys.prefix != sys.base_prefix:
    base = getattr(sys, "_base_executable", "") or ""
    if not base or os.path.dirname(os.path.abspath(base)) == os.path.dirname(exe):
        v = sys.version_info
        for n in ("python%d.%d" % v[:2], "python%d" % v[0], "python"):
            c = os.path.join(sys.base_prefix, "bin", n)
            if os.path.exists(c):
                base = c
                break
if sys.version_info >= (3, 11):
    import sysconfig
    b = "/\x01"
    vs = {"base": b, "platbase": b, "installed_base": b, "installed_platbase": b}
    scheme = "venv" if "venv" in sysconfig.get_scheme_names() else "posix_prefix"
    pure = os.path.relpath(sysconfig.get_path("purelib", scheme, vars=vs), b)
    inc = os.path.relpath(sysconfig.get_path("include", scheme, vars=vs), b)
else:
    pure = "lib/python%d.%d/site-packages" % sys.version_info[:2]
    inc = "include"
out = [
    ("implementation", sys.implementation.name),
    ("version", "%d.%d.%d" % sys.version_info[:3]),
    ("version_text", sys.version.split()[0]),
    ("base_executable", os.path.abspath(base)),
    ("base_prefix", sys.base_prefix),
    ("stdlib", os.path.dirname(os.__file__)),
    ("purelib", pure),
    ("include", inc),
    ("in_venv", "1" if sys.prefix != sys.base_prefix else "0"),
    ("lib64", "1" if sys.maxsize > 2**32 and os.name == "posix" and sys.platform != "darwin" else "0"),
]
sys.stdout.write("".join("%s=%s\n" % (k, h(v)) for k, v in out))
"#;

fn parse(text: &[u8]) -> Option<Facts> {
    let get = |key: &str| -> Option<Vec<u8>> {
        text.split(|&b| b == b'\n').find_map(|line| {
            let rest = line.strip_prefix(key.as_bytes())?.strip_prefix(b"=")?;
            unhex(rest)
        })
    };
    let string = |v: Vec<u8>| String::from_utf8(v).ok();
    let path = |v: Vec<u8>| PathBuf::from(OsStr::from_bytes(&v));
    let version = string(get("version")?)?;
    let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
    let version = [parts.next()??, parts.next()??, parts.next()??];
    Some(Facts {
        implementation: string(get("implementation")?)?,
        version,
        version_text: string(get("version_text")?)?,
        base_executable: path(get("base_executable")?),
        base_prefix: path(get("base_prefix")?),
        stdlib: path(get("stdlib")?),
        purelib: path(get("purelib")?),
        include: path(get("include")?),
        in_venv: get("in_venv")? == b"1",
        lib64: get("lib64")? == b"1",
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &[u8]) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(s, 16).ok()
        })
        .collect()
}

fn encode(f: &Facts) -> String {
    let v = format!("{}.{}.{}", f.version[0], f.version[1], f.version[2]);
    let pairs: [(&str, &[u8]); 10] = [
        ("implementation", f.implementation.as_bytes()),
        ("version", v.as_bytes()),
        ("version_text", f.version_text.as_bytes()),
        ("base_executable", f.base_executable.as_os_str().as_bytes()),
        ("base_prefix", f.base_prefix.as_os_str().as_bytes()),
        ("stdlib", f.stdlib.as_os_str().as_bytes()),
        ("purelib", f.purelib.as_os_str().as_bytes()),
        ("include", f.include.as_os_str().as_bytes()),
        ("in_venv", if f.in_venv { b"1" } else { b"0" }),
        ("lib64", if f.lib64 { b"1" } else { b"0" }),
    ];
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}\n", hex(v)))
        .collect()
}

/// How long the query may take by default: a few seconds at most on a
/// loaded machine (a cold disk, a version manager's shim), so this is
/// only ever reached by an interpreter that hangs.
const QUERY_TIMEOUT: Duration = Duration::from_secs(60);

/// `RVENV_PYTHON_TIMEOUT` (seconds), else [`QUERY_TIMEOUT`].
fn query_timeout() -> anyhow::Result<Duration> {
    let Some(value) = std::env::var_os("RVENV_PYTHON_TIMEOUT").filter(|v| !v.is_empty()) else {
        return Ok(QUERY_TIMEOUT);
    };
    value
        .to_str()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
        .filter(|d| !d.is_zero())
        .with_context(|| {
            format!(
                "RVENV_PYTHON_TIMEOUT={} is not a number of seconds; unset it or set it to one, \
                 such as 60",
                value.to_string_lossy()
            )
        })
}

/// Runs the query: `interpreter -I -c QUERY`, killed (with whatever it
/// started: a wrapper script's children hold its pipes) when it has not
/// answered within the timeout, so a hanging `-p` never hangs rvenv.
pub fn query(interpreter: &Path) -> anyhow::Result<Facts> {
    let timeout = query_timeout()?;
    // The child has a process group of its own, out of the terminal's
    // reach: a Ctrl-C (or TERM, HUP, QUIT) meant for rvenv is held while it
    // runs, stops the group, then ends rvenv as it would have. (The child
    // starts with no signal blocked: std resets its mask.)
    let held = super::HeldSignals::new();
    let mut child = Command::new(interpreter)
        .arg("-I")
        .arg("-c")
        .arg(QUERY)
        .env_remove("PYTHONHOME")
        .env_remove("PYTHONPATH")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // A group of its own, to kill it whole. (It never reads the
        // terminal, so being out of the foreground group costs nothing.)
        .process_group(0)
        .spawn()
        .with_context(|| format!("cannot run {}", interpreter.display()))?;
    let deadline = Instant::now() + timeout;
    // Each pipe read to its end in a thread of its own: the time limit is
    // kept by the waits below, never by a read.
    let (tx, rx) = std::sync::mpsc::channel();
    let read_all = |pipe: Option<Box<dyn Read + Send>>, is_stdout: bool| {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut buf);
            }
            let _ = tx.send((is_stdout, buf));
        });
    };
    read_all(child.stdout.take().map(|p| Box::new(p) as _), true);
    read_all(child.stderr.take().map(|p| Box::new(p) as _), false);
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let mut closed = 0;
    let mut signal = None;
    while closed < 2 {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match rx.recv_timeout(left.min(Duration::from_millis(20))) {
            Ok((true, buf)) => (stdout, closed) = (buf, closed + 1),
            Ok((false, buf)) => (stderr, closed) = (buf, closed + 1),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                signal = held.take_pending();
                if signal.is_some() {
                    break;
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    // Both pipes closed, so it has exited or is about to; or the time is up
    // (a pipe still open: even with the interpreter gone, something it
    // started holds it); or rvenv was told to stop.
    let status = loop {
        if closed < 2 {
            break None;
        }
        let done = child
            .try_wait()
            .with_context(|| format!("cannot wait for {}", interpreter.display()))?;
        if done.is_some() || Instant::now() >= deadline {
            break done;
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let Some(status) = status else {
        // SAFETY: kill touches no memory; the group is the child's own
        // (process_group(0)), whose leader is not reaped yet, so its id
        // names no other group.
        unsafe { libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL) };
        let _ = child.wait();
        if let Some(sig) = signal {
            drop(held);
            // SAFETY: raise only sends the signal this process was sent,
            // now unblocked, which ends it as it would have.
            unsafe { libc::raise(sig) };
        }
        bail!(
            "{} did not answer within {} s and was stopped; check that `{} -c pass` returns, \
             or name another Python with -p (RVENV_PYTHON_TIMEOUT sets the limit)",
            interpreter.display(),
            timeout.as_secs_f64(),
            interpreter.display()
        );
    };
    let out = std::process::Output {
        status,
        stdout,
        stderr,
    };
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        // Python 2 knows no -I and answers with its usage text.
        if err.starts_with("Unknown option: -I") {
            bail!(
                "{} is Python 2, but a venv needs Python 3; name one with -p 3.X",
                interpreter.display()
            );
        }
        let last = err.lines().last().unwrap_or("").trim();
        bail!(
            "{} is not a usable Python 3 ({})",
            interpreter.display(),
            if last.is_empty() { "it failed" } else { last }
        );
    }
    parse(&out.stdout)
        .with_context(|| format!("{} gave an answer rvenv cannot read", interpreter.display()))
}

/// The cache directory: `RVENV_CACHE_DIR`, else `dirs::cache_dir()/rvenv`.
pub fn cache_dir() -> Option<PathBuf> {
    std::env::var_os("RVENV_CACHE_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::cache_dir().map(|d| d.join("rvenv")))
}

/// The facts of `interpreter`, from the cache when it is still valid.
/// A script (a shim of some version manager) is never cached: what it runs
/// can change while it stays the same file.
pub fn facts(interpreter: &Path, cache: Option<&Path>) -> anyhow::Result<Facts> {
    let canonical = std::fs::canonicalize(interpreter)
        .with_context(|| format!("cannot find {}", interpreter.display()))?;
    let meta = canonical
        .metadata()
        .with_context(|| format!("cannot stat {}", canonical.display()))?;
    let key_line = format!(
        "{FORMAT}\npath={}\nmtime={}.{}\nsize={}\n",
        hex(canonical.as_os_str().as_bytes()),
        meta.mtime(),
        meta.mtime_nsec(),
        meta.size()
    );
    let file = cache.map(|dir| {
        let digest = sha2::Sha256::digest(canonical.as_os_str().as_bytes());
        dir.join("interpreters").join(hex(&digest[..12]))
    });
    // A venv's python canonicalizes to its base, but runs with other facts
    // (`in_venv`, the base it reports): only a base is cached.
    let in_venv = super::python::venv_of(interpreter).is_some();
    let file = file.filter(|_| !in_venv);
    if let Some(file) = &file
        && let Ok(text) = std::fs::read(file)
        && let Some(rest) = text.strip_prefix(key_line.as_bytes())
        && let Some(facts) = parse(rest)
    {
        return Ok(facts);
    }
    let facts = query(interpreter)?;
    if let Some(file) = &file
        && !super::python::shim(interpreter)
            .map(|s| s.is_some())
            .unwrap_or(false)
        && !is_script(&canonical)
    {
        // Best effort: a cache that cannot be written only costs speed.
        let _ = write_atomic(file, format!("{key_line}{}", encode(&facts)).as_bytes());
    }
    Ok(facts)
}

fn is_script(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 2];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == b"#!")
}

fn write_atomic(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut name = file.as_os_str().to_owned();
    name.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(name);
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes))
        .and_then(|()| std::fs::rename(&tmp, file));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_parse_round_trip() {
        let f = Facts {
            implementation: "cpython".into(),
            version: [3, 12, 1],
            version_text: "3.12.1".into(),
            base_executable: PathBuf::from(OsStr::from_bytes(b"/o\xffpt/bin/python3")),
            base_prefix: "/opt".into(),
            stdlib: "/opt/lib/python3.12".into(),
            purelib: "lib/python3.12/site-packages".into(),
            include: "include/python3.12".into(),
            in_venv: false,
            lib64: true,
        };
        assert_eq!(parse(encode(&f).as_bytes()), Some(f));
        assert_eq!(parse(b"version=zz\n"), None);
    }
}
