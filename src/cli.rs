//! The whole clap command tree, in one place (as zoxide does), so `--help`,
//! completions and the man page all come from the same definitions.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::shell::Shell;

#[derive(Debug, Parser)]
#[command(
    name = "rvenv",
    version,
    about = "Python virtual environments that follow you around the shell",
    long_about = "rvenv activates the Python virtual environment of the project you cd into, \
                  deactivates it when you leave, and creates new venvs natively in milliseconds.\n\n\
                  Set it up with one line in your shell's rc file:\n  \
                  bash: eval \"$(rvenv hook bash)\"\n  \
                  zsh:  eval \"$(rvenv hook zsh)\"\n  \
                  fish: rvenv hook fish | source"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the shell integration to eval in your rc file
    #[command(after_help = "Examples:\n  \
        eval \"$(rvenv hook bash)\"   # in ~/.bashrc\n  \
        eval \"$(rvenv hook zsh)\"    # in ~/.zshrc\n  \
        rvenv hook fish | source    # in ~/.config/fish/config.fish")]
    Hook(HookArgs),

    /// Activate a venv in the current shell (needs the hook)
    #[command(after_help = "Examples:\n  \
        rvenv activate               # the venv of the current project\n  \
        rvenv activate ~/envs/tools  # a venv anywhere; stays on until you deactivate it")]
    Activate(ActivateArgs),

    /// Deactivate the venv of the current shell (needs the hook)
    #[command(after_help = "Examples:\n  \
        rvenv deactivate             # the same as typing: deactivate\n\n\
        The venv stays off until you leave its project.")]
    Deactivate,

    // Its options are read as `python -m venv` (argparse) reads them: a
    // long one may be cut to any unique prefix (`--system-site`), and one
    // given twice takes the last value (`--prompt a --prompt b`).
    /// Create a virtual environment, natively and fast
    #[command(
        infer_long_args = true,
        args_override_self = true,
        after_help = "Examples:\n  \
        rvenv create                 # .venv with pip (Python: .python-version, requires-python, PATH)\n  \
        rvenv create -p 3.12         # CPython 3.12\n  \
        rvenv create --without-pip   # no pip: milliseconds\n  \
        rvenv create ~/envs/tools --prompt tools --system-site-packages"
    )]
    Create(CreateArgs),

    /// Trust a venv to activate by itself when you cd into its project
    #[command(after_help = "Examples:\n  \
        rvenv allow                  # the venv of the current project\n  \
        rvenv allow ~/code/shop      # a project directory, or the venv itself")]
    Allow(TrustArgs),

    /// Stop trusting a venv: it no longer activates by itself
    #[command(after_help = "Examples:\n  \
        rvenv deny                   # the venv of the current project\n  \
        rvenv deny ~/code/shop/.venv")]
    Deny(TrustArgs),

    /// Show which venv applies to a directory, and why it does or does not activate
    #[command(after_help = "Examples:\n  \
        rvenv status                 # the current directory\n  \
        rvenv status ~/code/shop --json")]
    Status(StatusArgs),

    /// Run a command in the venv of the current directory, without activating it
    #[command(after_help = "Examples:\n  \
        rvenv run python -m pytest\n  \
        rvenv run --venv ~/envs/tools -- black .   # `--` is optional")]
    Run(RunArgs),

    /// Stream one line per venv that appears, disappears or changes under DIR
    #[command(after_help = "Examples:\n  \
        rvenv watch ~/code --json    # {\"event\":\"created\",\"venv\":\"/home/me/code/shop/.venv\"}\n\n\
        Events: ready (JSON only, once watching), created, removed, changed. Stops on Ctrl-C.")]
    Watch(WatchArgs),

    /// Print tab completion for a shell (the hook loads it for you)
    #[command(after_help = "Examples:\n  \
        rvenv completions zsh > ~/.zfunc/_rvenv\n  \
        rvenv completions fish > ~/.config/fish/completions/rvenv.fish")]
    Completions(CompletionsArgs),
}

/// Internal commands the hook and the completion scripts call. They are not
/// part of the clap tree, so help and completions never show them.
pub enum Internal {
    /// `rvenv __hook SHELL PWD [ACTIVE [OFF [PIN [TOLD [MARKS [HOOK_ID]]]]]]`
    HookEval(HookEvalArgs),
    /// `rvenv __hook_id SHELL`: the id this rvenv's hook for SHELL passes
    /// `__hook` (for the benchmark and tests, which ask as the hook does).
    HookId(Shell),
    /// `rvenv __pythons`
    Pythons,
    /// `rvenv __undo SHELL VENV`, or `rvenv __undo SHELL '' ENTRY OLDPATH`:
    /// for a shell that cannot cut strings (tcsh), the hook's undo of VENV,
    /// or ENTRY taken off PATH and off OLDPATH (a venv activated by hand
    /// took over), or `rvenv __undo SHELL front ENTRY THEN`: ENTRY put
    /// first again when only entries of THEN went in front of it; or
    /// `rvenv __undo SHELL prompt PROMPT OURS REST`: a prompt ending in
    /// OURS (the hook's prefix and what it prefixed) ends in REST instead
    /// (an activate script prefixed ours).
    Undo(Vec<OsString>),
}

impl Internal {
    pub fn parse(args: &[OsString]) -> Option<Result<Internal, String>> {
        let name = args.get(1)?.to_str()?;
        match name {
            "__pythons" => Some(Ok(Internal::Pythons)),
            "__hook" => Some(HookEvalArgs::parse(&args[2..]).map(Internal::HookEval)),
            "__undo" => Some(Ok(Internal::Undo(args[2..].to_vec()))),
            "__hook_id" => Some(
                hooked_shell_arg(args.get(2))
                    .map(Internal::HookId)
                    .ok_or_else(|| "usage: rvenv __hook_id SHELL".to_string()),
            ),
            _ => None,
        }
    }
}

#[derive(Debug, Args)]
pub struct HookArgs {
    /// The shell to print the integration for
    #[arg(value_name = "SHELL", ignore_case = true, value_parser = hooked_shell())]
    pub shell: Shell,
}

/// An internal command's SHELL argument: a shell with a hook, by its exact
/// name (the hooks pass it; no aliases, no case folding).
pub fn hooked_shell_arg(arg: Option<&OsString>) -> Option<Shell> {
    use clap::ValueEnum;
    arg.and_then(|s| s.to_str())
        .and_then(|s| Shell::from_str(s, false).ok())
        .filter(|s| s.has_hook())
}

/// The shells with a hook (see [`Shell::has_hook`]), by name: what `hook`
/// and `__hook` accept.
fn hooked_shell() -> impl clap::builder::TypedValueParser<Value = Shell> {
    use clap::ValueEnum;
    use clap::builder::TypedValueParser;
    // With their aliases (csh, nu).
    let values: Vec<_> = Shell::hooked()
        .filter_map(|s| s.to_possible_value())
        .collect();
    clap::builder::PossibleValuesParser::new(values).map(|name| {
        Shell::from_str(&name, true)
            .ok()
            .filter(|s| s.has_hook())
            // Unreachable: the parser lets only those names through.
            .unwrap_or(Shell::Bash)
    })
}

#[derive(Debug, Args)]
pub struct ActivateArgs {
    /// A venv, or a project directory holding one (default: the current directory)
    #[arg(value_hint = clap::ValueHint::DirPath)]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The venv, or a project directory holding one (default: the current directory's)
    #[arg(long, value_name = "PATH", value_hint = clap::ValueHint::DirPath)]
    pub venv: Option<PathBuf>,
    /// The command and its arguments (`--` before it is optional, as in `uv run`)
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        required = true,
        value_name = "CMD",
        value_hint = clap::ValueHint::CommandWithArguments
    )]
    pub command: Vec<OsString>,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The directory to watch (default: the current directory)
    #[arg(value_hint = clap::ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
    /// Print one JSON object per line
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The directory to look at (default: the current directory)
    #[arg(value_hint = clap::ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
    /// Print one JSON object (stable keys) instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TrustArgs {
    /// A venv, or a project directory holding one (default: the current directory)
    #[arg(value_hint = clap::ValueHint::DirPath)]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Where to create the venv
    #[arg(default_value = ".venv", value_hint = clap::ValueHint::DirPath)]
    pub path: PathBuf,

    /// The Python to use: a version (3.12, 3), a name (python3.12) or a path
    #[arg(short, long, value_name = "SPEC")]
    pub python: Option<String>,

    /// The name shown in the prompt (`.`: the current directory's name; default: the project directory's name)
    #[arg(long, value_name = "NAME")]
    pub prompt: Option<String>,

    /// Give the venv access to the base interpreter's site-packages
    #[arg(long)]
    pub system_site_packages: bool,

    /// Install no pip (by default pip, and setuptools before 3.12, come offline from the interpreter's ensurepip)
    #[arg(long, conflicts_with = "seed")]
    pub without_pip: bool,

    /// Once created, upgrade pip (and setuptools before 3.12) from the package index
    #[arg(long, conflicts_with = "without_pip")]
    pub upgrade_deps: bool,

    /// Install pip, as by default, and fail if the interpreter bundles none
    #[arg(long)]
    pub seed: bool,

    /// Replace an existing venv at PATH
    #[arg(long)]
    pub clear: bool,

    /// Copy the interpreter instead of symlinking it
    #[arg(long)]
    pub copies: bool,

    /// Symlink the interpreter (the default, as python -m venv on Unix)
    #[arg(long)]
    pub symlinks: bool,

    /// Point an existing venv at the Python named by -p, else at its own base or the newest installed release of its minor version, keeping its packages
    #[arg(long)]
    pub upgrade: bool,

    /// Do not write a .gitignore into the venv
    #[arg(long)]
    pub without_scm_ignore_files: bool,
}

#[derive(Debug)]
pub struct HookEvalArgs {
    /// The shell the output is for
    pub shell: Shell,
    /// The shell's logical working directory ($PWD)
    pub pwd: OsString,
    /// The venv the hook activated, or empty
    pub active: OsString,
    /// The project whose venv the user deactivated, or empty
    pub off: OsString,
    /// The venv the user activated with `rvenv activate PATH`, or empty
    pub pin: OsString,
    /// The venv the user was last told cannot be activated, or empty
    pub told: OsString,
    /// The key of the markers the hook holds (`render::markers_key`), or
    /// empty
    pub marks: OsString,
    /// The id of the hook that asks (`Shell::hook_id`; empty from hooks
    /// older than ids)
    pub hook_id: OsString,
}

impl HookEvalArgs {
    fn parse(args: &[OsString]) -> Result<HookEvalArgs, String> {
        let usage = "usage: rvenv __hook SHELL PWD [ACTIVE [OFF [PIN [TOLD [MARKS [HOOK_ID]]]]]]";
        let shell = hooked_shell_arg(args.first()).ok_or(usage)?;
        if args.len() < 2 || args.len() > 8 {
            return Err(usage.into());
        }
        let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
        Ok(HookEvalArgs {
            shell,
            pwd: arg(1),
            active: arg(2),
            off: arg(3),
            pin: arg(4),
            told: arg(5),
            marks: arg(6),
            hook_id: arg(7),
        })
    }
}

/// The environment variables rvenv reads, for the man pages' ENVIRONMENT
/// section (rendered by a test, with clap_mangen): (name, meaning).
#[cfg(test)]
pub const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "RVENV_TRUSTED_DIRS",
        "Colon-separated absolute directories whose venvs are trusted without rvenv allow. \
         Relative entries are ignored.",
    ),
    (
        "RVENV_VENV_NAMES",
        "Colon-separated names of in-project venv directories (default .venv:venv).",
    ),
    (
        "RVENV_SOURCES",
        "Which discovery sources are consulted, in order (default dir:file:pyenv:poetry:pipenv:uv).",
    ),
    (
        "RVENV_LOG",
        "quiet: no line when a venv is activated or deactivated, nor the hint in a Python \
         project without a venv.",
    ),
    (
        "RVENV_AUTO_CREATE",
        "1: a Python project without a venv under an RVENV_TRUSTED_DIRS entry gets .venv made \
         and activated when you enter it (nowhere else).",
    ),
    (
        "RVENV_CACHE_DIR",
        "Where rvenv caches interpreter facts and unpacked wheels (default $XDG_CACHE_HOME/rvenv).",
    ),
    (
        "VIRTUAL_ENV",
        "The active venv. rvenv sets it on activation and leaves a venv it did not activate alone.",
    ),
    (
        "VIRTUAL_ENV_DISABLE_PROMPT",
        "When set, the prompt is left alone.",
    ),
    (
        "XDG_DATA_HOME",
        "Where the trust store is kept (default ~/.local/share); a relative value is ignored.",
    ),
    (
        "XDG_CACHE_HOME, XDG_CONFIG_HOME",
        "The cache, and the config directories of poetry and pipenv read to find their venvs.",
    ),
    (
        "HOME",
        "The home directory; a relative value is not used, and nothing is trusted.",
    ),
    (
        "PATH",
        "Where create looks for Python; the active venv's bin is put first on it.",
    ),
    (
        "PYENV_ROOT, PYENV_VERSION",
        "pyenv's versions, for the pyenv source and for create's search.",
    ),
    (
        "UV_PROJECT_ENVIRONMENT, UV_PYTHON_INSTALL_DIR",
        "uv's project venv and its managed Pythons.",
    ),
    (
        "WORKON_HOME, PIPENV_VENV_IN_PROJECT, PIPENV_CUSTOM_VENV_NAME, PIPENV_MAX_DEPTH",
        "Where pipenv and virtualenvwrapper keep their venvs, and how pipenv names them.",
    ),
    (
        "POETRY_VIRTUALENVS_PATH, POETRY_VIRTUALENVS_IN_PROJECT, POETRY_CONFIG_DIR, \
         POETRY_CACHE_DIR",
        "Where poetry keeps its venvs.",
    ),
    (
        "SHELL",
        "The shell rvenv activate and the suggested commands are written for, when the hook does \
         not say.",
    ),
    (
        "NO_COLOR",
        "Help and errors are not coloured (clap colours them on a terminal otherwise).",
    ),
];

/// The files rvenv reads and writes, for the man pages' FILES section.
#[cfg(test)]
pub const FILES: &[(&str, &str)] = &[
    (
        "$XDG_DATA_HOME/rvenv/trusted",
        "The trust store: one line per venv allowed with rvenv allow or made by rvenv create \
         (its real path and identity). Changed only by rvenv allow, rvenv deny and rvenv create.",
    ),
    (
        "$XDG_DATA_HOME/rvenv/trusted.lock",
        "Taken while the trust store is rewritten.",
    ),
    (
        "$XDG_CACHE_HOME/rvenv/",
        "Interpreter facts and unpacked pip wheels, shared by every rvenv create. Safe to delete.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every subcommand clap knows, not a list kept by hand: a new one
    /// without examples fails here.
    #[test]
    fn every_subcommand_has_help_with_examples() {
        let mut cli = Cli::command();
        cli.build();
        let mut seen = 0;
        for sub in cli.get_subcommands_mut() {
            let name = sub.get_name().to_owned();
            if name == "help" {
                continue;
            }
            let help = sub.render_long_help().to_string();
            assert!(
                help.contains("Examples:\n  ") && help.contains(&format!("rvenv {name}")),
                "rvenv {name} --help has no examples:\n{help}"
            );
            seen += 1;
        }
        assert!(seen >= 10, "{seen} subcommands");
    }
}
