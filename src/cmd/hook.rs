//! `rvenv hook SHELL`: print the shell integration.

use clap::ValueEnum;

use crate::cli::HookArgs;
use crate::shell::Shell;

pub fn run(args: &HookArgs) -> anyhow::Result<()> {
    let Ok(shell) = Shell::from_str(&args.shell, true) else {
        let supported: Vec<&str> = Shell::value_variants().iter().map(|s| s.name()).collect();
        anyhow::bail!(
            "unknown shell {:?}; supported shells: {}",
            args.shell,
            supported.join(", ")
        );
    };
    super::emit(shell.hook_template().as_bytes())
}
