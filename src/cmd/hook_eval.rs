//! `rvenv __hook SHELL PWD ACTIVE OFF PIN`: what the shell hook evaluates
//! when its cheap checks say something may have changed.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::HookEvalArgs;
use crate::decide::{HookInput, HookState, decide};
use crate::discover;
use crate::env::Env;
use crate::render::{decision_lines as render_lines, render_decision};
use crate::trust::Trust;

fn non_empty(path: &OsStr) -> Option<PathBuf> {
    (!path.is_empty()).then(|| PathBuf::from(path))
}

pub fn run(args: &HookEvalArgs) -> anyhow::Result<()> {
    let env = Env::from_process();
    let sources = discover::sources(&env);
    let trust = Trust::load(&env);
    let pwd = Path::new(&args.pwd);
    let pwd = if pwd.is_absolute() {
        pwd.to_path_buf()
    } else {
        std::env::current_dir()?.join(pwd)
    };
    let input = HookInput {
        pwd: &pwd,
        state: HookState {
            active: non_empty(&args.active),
            off: non_empty(&args.off),
            pin: non_empty(&args.pin),
            told: non_empty(&args.told),
        },
        env: &env,
        trust: &trust,
    };
    let decision = decide(&input, &sources);
    let mut stderr = std::io::stderr().lock();
    let home = env.get("HOME").map(Path::new);
    for line in render_lines(&decision, args.shell, home) {
        let _ = writeln!(stderr, "{line}");
    }
    super::emit(&render_decision(args.shell, &decision))
}
