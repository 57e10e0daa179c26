//! The shells rvenv integrates with. Every per-shell difference is an
//! exhaustive `match` on [`Shell`], so adding a shell fails to compile
//! wherever it is not handled yet.

use clap::ValueEnum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl Shell {
    /// The integration script printed by `rvenv hook SHELL`.
    pub fn hook_template(self) -> &'static str {
        match self {
            Shell::Bash => include_str!("../shell/bash/rvenv.bash"),
            Shell::Zsh => include_str!("../shell/zsh/rvenv.zsh"),
            Shell::Fish => include_str!("../shell/fish/rvenv.fish"),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
        }
    }
}
