//! `rvenv hook SHELL`: print the shell integration, with tab completion, so
//! one rc line gives both.

use crate::cli::HookArgs;
use crate::shell::Shell;

pub fn run(args: &HookArgs) -> anyhow::Result<()> {
    let shell = args.shell;
    let Some(template) = shell.hook_template() else {
        anyhow::bail!(
            "there is no hook for {} yet; `rvenv completions {}` gives its tab completion",
            shell.name(),
            shell.name()
        );
    };
    if shell == Shell::Tcsh {
        return super::emit(&tcsh_loader(template)?);
    }
    let completions = super::completions::script(shell);
    if shell == Shell::Nushell {
        // Completion first: its `extern "rvenv"` would hide the template's
        // `def rvenv` (the wrapper that applies `rvenv activate`) if it
        // came after it.
        let mut out = b"# Tab completion (the same as `rvenv completions nushell`).\n".to_vec();
        out.extend(completions);
        out.extend_from_slice(template.as_bytes());
        return super::emit(&out);
    }
    let mut out = template.as_bytes().to_vec();
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
    super::emit(&out)
}

/// tcsh has no functions, and `eval "`rvenv hook tcsh`"` joins lines: the
/// template goes into a file of rvenv's private cache directory (named by
/// its content, so every shell of one rvenv shares it, and a new rvenv
/// never sources an old one), and what is printed is a few `;`-terminated
/// lines that source it, then the completions.
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
    let digest = sha2::Sha256::digest(template.as_bytes());
    let name: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let lib = dir.join(format!("rvenv-{name}.tcsh"));
    if std::fs::read(&lib).ok().as_deref() != Some(template.as_bytes()) {
        let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
        std::io::Write::write_all(&mut tmp, template.as_bytes())?;
        tmp.persist(&lib)?;
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
    out.extend_from_slice(b";\nsource $__rvenv_lib:q __rvenv_load;\n");
    out.extend(super::completions::script(Shell::Tcsh));
    Ok(out)
}
