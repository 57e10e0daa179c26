//! One small module per subcommand. Each returns `anyhow::Result`; errors
//! become one `rvenv: ...` line on stderr and exit status 1, with stdout left
//! empty so a shell that evals it runs nothing.

mod activate;
mod allow;
pub mod completions;
mod create;
mod hook;
mod hook_eval;
mod pythons;
mod run;
mod status;
mod watch;

use std::io::Write;

use clap::Parser;

use crate::cli::{Cli, Command, Internal};

pub fn main() -> i32 {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let result = match Internal::parse(&argv) {
        Some(Ok(Internal::HookEval(args))) => hook_eval::run(&args),
        Some(Ok(Internal::Pythons)) => pythons::run(),
        Some(Ok(Internal::Undo(args))) => hook_eval::undo(&args),
        Some(Ok(Internal::HookId(shell))) => emit(format!("{}\n", shell.hook_id()).as_bytes()),
        Some(Err(usage)) => Err(anyhow::anyhow!(usage)),
        None => match Cli::try_parse() {
            Ok(cli) => run(&cli),
            Err(err) if err.kind() == clap::error::ErrorKind::InvalidValue => {
                Err(anyhow::anyhow!(invalid_value(&err)))
            }
            Err(err) => err.exit(),
        },
    };
    match result {
        Ok(()) => 0,
        Err(err) => {
            let msg = format!("{err:#}");
            let msg = msg.strip_prefix("rvenv: ").unwrap_or(&msg);
            // Every error, whichever path or value it names, reaches the
            // terminal drawn harmless (display is idempotent: parts already
            // drawn keep their escapes).
            let msg = crate::quote::display(std::ffi::OsStr::new(msg));
            let _ = writeln!(std::io::stderr(), "rvenv: {msg}");
            1
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Hook(args) => hook::run(args),
        Command::Activate(args) => activate::run(args),
        Command::Deactivate => activate::run_deactivate(),
        Command::Create(args) => create::run(args),
        Command::Allow(args) => allow::run(args, true),
        Command::Deny(args) => allow::run(args, false),
        Command::Status(args) => status::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Run(args) => run::run(args),
        Command::Watch(args) => watch::run(args),
    }
}

/// clap's three-paragraph error for a value outside a list, in one line:
/// `unknown shell "tcshh"; supported shells: bash, zsh, fish`.
fn invalid_value(err: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue};
    let text = |kind| match err.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        _ => String::new(),
    };
    let value = crate::quote::display(std::ffi::OsStr::new(&text(ContextKind::InvalidValue)));
    let arg = text(ContextKind::InvalidArg);
    let valid = text(ContextKind::ValidValue);
    if arg == "<SHELL>" {
        format!("unknown shell \"{value}\"; supported shells: {valid}")
    } else {
        format!("invalid value \"{value}\" for {arg}; possible values: {valid}")
    }
}

/// Writes `code` to stdout in one piece: the shell evaluates all of it or,
/// if rvenv is interrupted before this point, none of it.
pub fn emit(code: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(code)?;
    out.flush()?;
    Ok(())
}
