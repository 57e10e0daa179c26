//! `rvenv hook SHELL`: print the shell integration, with tab completion, so
//! one rc line gives both.

use std::os::unix::ffi::OsStrExt;

use crate::cli::HookArgs;
use crate::shell::Shell;

pub fn run(args: &HookArgs) -> anyhow::Result<()> {
    super::emit(&script(args.shell, true)?)
}

/// What `rvenv hook SHELL` prints; `answer_file`: with bash's answer file
/// (a hook reloaded in place keeps the one it has).
pub fn script(shell: Shell, answer_file: bool) -> anyhow::Result<Vec<u8>> {
    let Some(template) = shell.hook_script() else {
        anyhow::bail!(
            "there is no hook for {} yet; `rvenv completions {}` gives its tab completion",
            shell.name(),
            shell.name()
        );
    };
    // rvenv's private directory, for the venv stamps every hook compares
    // (and bash's answer file): made here, once per shell.
    let private = crate::runtime_dir::private_dir(true);
    if let Some(dir) = &private {
        crate::runtime_dir::sweep(dir);
    }
    if shell == Shell::Tcsh {
        return tcsh_loader(&template);
    }
    let completions = super::completions::script(shell);
    if shell == Shell::Nushell {
        // Completion first: its `extern "rvenv"` would hide the template's
        // `def rvenv` (the wrapper that applies `rvenv activate`) if it
        // came after it.
        let mut out = b"# Tab completion (the same as `rvenv completions nushell`).\n".to_vec();
        out.extend(completions);
        out.extend_from_slice(template.as_bytes());
        return Ok(out);
    }
    let mut out = Vec::new();
    if shell == Shell::Bash && answer_file {
        // Where rvenv's answers go at a crossing (see the template's
        // __rvenv_run); '' when there is no such place: $(...) then.
        out.extend_from_slice(b"__rvenv_answer=");
        let file = private
            .as_deref()
            .and_then(answer_file_path)
            .map(|f| f.into_os_string())
            .unwrap_or_default();
        out.extend(crate::quote::quote(shell, &file));
        out.push(b'\n');
    }
    out.extend_from_slice(template.as_bytes());
    out.extend_from_slice(b"\n# Tab completion (the same as `rvenv completions SHELL`).\n");
    match shell {
        Shell::Zsh => {
            // compdef exists only once compinit ran; without it, skip quietly.
            out.extend_from_slice(b"if (( ${+functions[compdef]} )); then\n");
            out.extend(completions);
            out.extend_from_slice(b"fi\n");
        }
        Shell::Bash
        | Shell::Fish
        | Shell::Elvish
        | Shell::Powershell
        | Shell::Nushell
        | Shell::Tcsh
        | Shell::Xonsh => out.extend(completions),
    }
    if shell == Shell::Xonsh {
        return Ok(xonsh_loader(&out));
    }
    Ok(out)
}

/// The xonsh hook (plain Python) as one line that hands it to Python's own
/// compiler. `execx` runs its input through xonsh's parser, whose
/// line-continuation pass rescans the text for open triple quotes at every
/// line: for the hook's 600 lines that took 0.66 s at each shell start,
/// against 37 ms for the same code on one line.
fn xonsh_loader(source: &[u8]) -> Vec<u8> {
    let mut out = b"# rvenv's xonsh hook, Python on one line for Python's compiler: xonsh's\n\
        # own parser took 0.66 s over the same code written out on 600 lines.\n\
        # Readable: shell/xonsh/rvenv.xsh in rvenv's sources.\n\
        exec(compile("
        .to_vec();
    out.extend(crate::quote::quote(
        Shell::Xonsh,
        std::ffi::OsStr::from_bytes(source),
    ));
    out.extend_from_slice(b", '<rvenv hook xonsh>', 'exec'))\n");
    out
}

/// A file of this shell's in rvenv's private directory in memory (see
/// `runtime_dir`), for the bash hook's answers: bash sources rvenv's answer
/// from it (`rvenv __hook ... >FILE && . FILE`) for less than `$(...)`
/// costs it, which reads a pipe and copies the text (about 0.3 x the cost
/// of starting /bin/true per crossing here). None when there is no such
/// directory: the hook then captures the answer as before.
fn answer_file_path(dir: &std::path::Path) -> Option<std::path::PathBuf> {
    // This shell's own file, made new (O_EXCL, 0600, a random name):
    // shells never share one, even where pids repeat.
    let file = tempfile::Builder::new()
        .prefix("a.")
        .rand_bytes(12)
        .tempfile_in(dir)
        .ok()?;
    file.into_temp_path().keep().ok()
}

/// tcsh has no functions, and `eval "`rvenv hook tcsh`"` joins lines: the
/// template's operations go into files of rvenv's private cache directory
/// (a directory named by the template's content, so every shell of one
/// rvenv shares it, and a new rvenv never sources an old one), and what is
/// printed is a few `;`-terminated lines that source it, then the
/// completions.
fn tcsh_loader(template: &str) -> anyhow::Result<Vec<u8>> {
    use anyhow::Context;
    use sha2::Digest;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let cache = crate::create::facts::cache_dir()
        .context("no cache directory for the tcsh hook (set HOME or RVENV_CACHE_DIR)")?;
    let dir = cache.join("tcsh");
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    // Private: its answers are sourced (a directory made by an older rvenv
    // with another mode is set right).
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
    // Named by what it holds: the template, and how rvenv makes files of it.
    let digest = sha2::Sha256::digest(format!("{TCSH_LIB_FORMAT}\n{template}").as_bytes());
    let name: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let lib = dir.join(format!("rvenv-{name}"));
    if !lib.join(TCSH_COMPLETE).is_file() {
        // Written whole under another name, then renamed: a shell never
        // sources half a library (another shell may be writing the same).
        let tmp = tempfile::Builder::new()
            .prefix(".rvenv-")
            .tempdir_in(&dir)?;
        let (operations, trailer) = tcsh_operations(template);
        for (operation, body) in operations
            .into_iter()
            .chain(tcsh_unrolled_marker_tests(&trailer))
        {
            std::fs::write(tmp.path().join(operation), body)?;
        }
        std::fs::write(tmp.path().join(TCSH_COMPLETE), b"")?;
        let tmp = tmp.keep();
        if std::fs::rename(&tmp, &lib).is_err() {
            // Another shell got there first: theirs is the same.
            let _ = std::fs::remove_dir_all(&tmp);
            anyhow::ensure!(
                lib.join(TCSH_COMPLETE).is_file(),
                "cannot write the tcsh hook into {}",
                lib.display()
            );
        }
    }
    let bytes = lib.as_os_str().as_bytes();
    if bytes.iter().any(|&b| b == b'\n' || b == b'"' || b == b'`') {
        anyhow::bail!(
            "the cache directory {} holds a character tcsh's eval cannot pass; set RVENV_CACHE_DIR",
            crate::quote::display(cache.as_os_str())
        );
    }
    let mut out = b"set __rvenv_lib = ".to_vec();
    out.extend(crate::quote::quote(Shell::Tcsh, lib.as_os_str()));
    out.extend_from_slice(b";\nsource $__rvenv_lib:q/__rvenv_load __rvenv_load;\n");
    out.extend(super::completions::script(Shell::Tcsh));
    Ok(out)
}

/// The file a tcsh library directory holds once it is whole.
const TCSH_COMPLETE: &str = ".complete";

/// How the library's files are made from the template (part of the
/// directory's name: a library an older rvenv made from the same template
/// is not taken for one of these).
const TCSH_LIB_FORMAT: &str = "operations, __rvenv_sig_of_1 to _16, __rvenv_any_in_1 to _16";

/// The most markers `__rvenv_sig_of` and `__rvenv_any_in` are unrolled for.
const TCSH_UNROLLED_MARKERS: usize = 16;

/// `__rvenv_sig_of_N` and `__rvenv_any_in_N` for N from 1 to 16: the
/// template's `__rvenv_sig_of` (one 0/1 per marker of `$__rvenv_markers`,
/// for directory `$argv[2]`) and `__rvenv_any_in` (`__rvenv_go` set to 1
/// when one exists there) with their loops unrolled for N markers. tcsh
/// parses a loop's body again at each turn: with ten markers the loop was
/// a quarter of a prompt. Markers are named by their index only: no name
/// is written into a file. Each ends as the template's operations do
/// (`trailer`: what the template runs after its `endsw`).
fn tcsh_unrolled_marker_tests(trailer: &str) -> Vec<(String, String)> {
    (1..=TCSH_UNROLLED_MARKERS)
        .flat_map(|n| {
            let tests: Vec<String> = (1..=n)
                .map(|i| format!("-e \"$argv[2]/$__rvenv_markers[{i}]\""))
                .collect();
            let mut sig = String::new();
            for (i, test) in (1..).zip(&tests) {
                sig.push_str(&format!("@ __rvenv_b{i} = {test}\n"));
            }
            let bits: String = (1..=n).map(|i| format!("$__rvenv_b{i}")).collect();
            sig.push_str(&format!(
                "set __rvenv_s = \"{bits}\"\n__rvenv_end:\n{trailer}"
            ));
            let any = format!(
                "if ( {} ) set __rvenv_go = 1\n__rvenv_end:\n{trailer}",
                tests.join(" || ")
            );
            [
                (format!("__rvenv_sig_of_{n}"), sig),
                (format!("__rvenv_any_in_{n}"), any),
            ]
        })
        .collect()
}

/// The template's operations, each a file of its own: `source FILE` parses
/// the file it reads, and a prompt sourcing the whole template (its
/// `switch` scanned to the `case`, then to `endsw`) two or three times cost
/// milliseconds. Each `case NAME:` body becomes the file NAME, its
/// `breaksw` (outside a `switch` of its own) a `goto` to its end, followed
/// by what the template runs after its `endsw`; each `source
/// $__rvenv_lib:q NAME` in it sources that file, NAME still in argv[1].
/// Returned with that trailer, for the files made besides them.
fn tcsh_operations(template: &str) -> (Vec<(String, String)>, String) {
    let template = crate::render::tcsh_template_calls(template);
    let lines: Vec<&str> = template.lines().collect();
    let end = lines
        .iter()
        .rposition(|l| *l == "endsw")
        .expect("the tcsh template ends its switch");
    let trailer: String = lines[end + 1..].iter().map(|l| format!("{l}\n")).collect();
    let mut operations: Vec<(String, String)> = Vec::new();
    let mut depth = 0;
    for line in &lines[..end] {
        if let Some(name) = line.strip_prefix("case ").and_then(|l| l.strip_suffix(':')) {
            operations.push((name.to_owned(), String::new()));
            depth = 0;
            continue;
        }
        let Some((_, body)) = operations.last_mut() else {
            continue;
        };
        let word = line.trim_start();
        if word.starts_with("switch ") {
            depth += 1;
        } else if word == "endsw" {
            depth -= 1;
        }
        if depth == 0 && word == "breaksw" {
            body.push_str(&line[..line.len() - word.len()]);
            body.push_str("goto __rvenv_end\n");
        } else {
            body.push_str(line);
            body.push('\n');
        }
    }
    for (_, body) in &mut operations {
        body.push_str("__rvenv_end:\n");
        body.push_str(&trailer);
    }
    (operations, trailer)
}

#[cfg(test)]
mod tests {
    use super::tcsh_operations;

    #[test]
    fn tcsh_unrolled_marker_tests_names_markers_by_index_and_ends_as_operations_do() {
        let files = super::tcsh_unrolled_marker_tests("set status = 0\n");
        assert_eq!(files.len(), 32);
        assert_eq!(files[0].0, "__rvenv_sig_of_1");
        assert_eq!(files[3].0, "__rvenv_any_in_2");
        assert_eq!(
            files[3].1,
            "if ( -e \"$argv[2]/$__rvenv_markers[1]\" || -e \"$argv[2]/$__rvenv_markers[2]\" ) \
             set __rvenv_go = 1\n__rvenv_end:\nset status = 0\n"
        );
        assert_eq!(
            files[2].1,
            "@ __rvenv_b1 = -e \"$argv[2]/$__rvenv_markers[1]\"\n\
             @ __rvenv_b2 = -e \"$argv[2]/$__rvenv_markers[2]\"\n\
             set __rvenv_s = \"$__rvenv_b1$__rvenv_b2\"\n__rvenv_end:\nset status = 0\n"
        );
        assert!(files[30].1.contains("$__rvenv_markers[16]"));
        assert!(files[31].1.contains("$__rvenv_markers[16]\" ) set"));
    }

    #[test]
    fn tcsh_operations_are_files_that_end_by_goto() {
        let template = "# head\n\
            switch ( \"$argv[1]\" )\n\
            case __rvenv_a:\n\
            \x20   if ( 1 ) then\n\
            \x20       breaksw\n\
            \x20   endif\n\
            \x20   source $__rvenv_lib:q __rvenv_b x\n\
            \x20   breaksw\n\
            case __rvenv_b:\n\
            \x20   switch ( \"$argv[2]\" )\n\
            \x20   case x:\n\
            \x20       breaksw\n\
            \x20   endsw\n\
            \x20   breaksw\n\
            endsw\n\
            set status = 0\n";
        let (ops, trailer) = tcsh_operations(template);
        assert_eq!(trailer, "set status = 0\n");
        assert_eq!(
            ops,
            vec![
                (
                    "__rvenv_a".to_owned(),
                    "    if ( 1 ) then\n        goto __rvenv_end\n    endif\n    \
                     source $__rvenv_lib:q/__rvenv_b __rvenv_b x\n    goto __rvenv_end\n\
                     __rvenv_end:\nset status = 0\n"
                        .to_owned()
                ),
                (
                    "__rvenv_b".to_owned(),
                    "    switch ( \"$argv[2]\" )\n    case x:\n        breaksw\n    endsw\n    \
                     goto __rvenv_end\n__rvenv_end:\nset status = 0\n"
                        .to_owned()
                ),
            ]
        );
    }
}
