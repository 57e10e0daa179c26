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
    let mut out = template.as_bytes().to_vec();
    out.extend_from_slice(b"\n# Tab completion (the same as `rvenv completions SHELL`).\n");
    let completions = super::completions::script(shell);
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
        | Shell::Xonsh => out.extend(completions),
    }
    super::emit(&out)
}
