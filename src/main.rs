//! rvenv: Python virtual environments that follow you around the shell.

mod cli;
mod cmd;
mod create;
mod decide;
mod discover;
mod env;
mod pyvenv_cfg;
mod quote;
mod regular_file;
mod render;
mod safe_path;
mod shell;
mod trust;
mod vcs;
mod venv;

fn main() -> std::process::ExitCode {
    cmd::main()
}
