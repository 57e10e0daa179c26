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

    /// The shell whose syntax a message's suggested command should use:
    /// the one whose `rvenv` function called us, else the login shell.
    pub fn of_user(env: &crate::env::Env) -> Shell {
        let name = env
            .get("__RVENV_SHELL")
            .or_else(|| env.get("SHELL"))
            .and_then(|s| std::path::Path::new(s).file_name())
            .and_then(|s| s.to_str())
            .unwrap_or("");
        match name {
            "fish" => Shell::Fish,
            "zsh" => Shell::Zsh,
            _ => Shell::Bash,
        }
    }
}
