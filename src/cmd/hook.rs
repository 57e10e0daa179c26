//! `rvenv hook SHELL`: print the shell integration, with tab completion, so
//! one rc line gives both.

use crate::cli::{CompletionShell, HookArgs};
use crate::shell::Shell;

pub fn run(args: &HookArgs) -> anyhow::Result<()> {
    let shell = args.shell;
    let mut out = shell.hook_template().as_bytes().to_vec();
    out.extend_from_slice(b"\n# Tab completion (the same as `rvenv completions SHELL`).\n");
    match shell {
        Shell::Bash => out.extend(super::completions::script(CompletionShell::Bash)),
        Shell::Zsh => {
            // compdef exists only once compinit ran; without it, skip quietly.
            out.extend_from_slice(b"if (( ${+functions[compdef]} )); then\n");
            out.extend(super::completions::script(CompletionShell::Zsh));
            out.extend_from_slice(b"fi\n");
        }
        Shell::Fish => out.extend(super::completions::script(CompletionShell::Fish)),
    }
    super::emit(&out)
}
