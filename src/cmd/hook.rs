//! `rvenv hook SHELL`: print the shell integration.

use crate::cli::HookArgs;

pub fn run(args: &HookArgs) -> anyhow::Result<()> {
    super::emit(args.shell.hook_template().as_bytes())
}
