//! `rvenv allow [PATH]` and `rvenv deny [PATH]`: trust, or stop trusting, a
//! venv to activate by itself.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;

use crate::cli::TrustArgs;
use crate::discover;
use crate::env::Env;
use crate::quote::display;
use crate::trust::{set_trusted, unsafe_permissions};

/// The venv PATH names: PATH itself when it is a venv, else the venv found
/// for that directory (the current one by default) as the hook finds it.
fn target_venv(args: &TrustArgs, env: &Env) -> anyhow::Result<PathBuf> {
    let start = super::activate::dir_arg(args.path.as_deref())?;
    match discover::find_venv(&start, &discover::sources(env)) {
        Some(found) => Ok(found.venv),
        None => bail!(
            "no venv in {} or above it; create one with: rvenv create",
            display(start.as_os_str())
        ),
    }
}

pub fn run(args: &TrustArgs, allow: bool) -> anyhow::Result<()> {
    let env = Env::from_process();
    let venv = target_venv(args, &env)?;
    set_trusted(&env, &venv, allow)?;
    let mut stderr = std::io::stderr().lock();
    if allow {
        let _ = writeln!(stderr, "rvenv: allowed {}", display(venv.as_os_str()));
        if let Some(why) = unsafe_permissions(&venv) {
            let _ = writeln!(
                stderr,
                "rvenv: but it will not activate by itself: {why}; only you (or root) \
                 may be able to change it"
            );
        }
    } else {
        let _ = writeln!(stderr, "rvenv: denied {}", display(venv.as_os_str()));
    }
    Ok(())
}
