//! `rvenv allow [PATH]` and `rvenv deny [PATH]`: trust, or stop trusting, a
//! venv to activate by itself.

use std::io::Write;
use std::path::Path;

use crate::cli::TrustArgs;
use crate::env::Env;
use crate::quote::display;
use crate::shell::Shell;
use crate::trust::{set_trusted, store_notice, unsafe_permissions};

pub fn run(args: &TrustArgs, allow: bool) -> anyhow::Result<()> {
    let env = Env::from_process();
    let venv = super::activate::found_for(args.path.as_deref(), &env)?.venv;
    if let Some(notice) = store_notice(&env) {
        let _ = writeln!(std::io::stderr(), "{notice}");
    }
    if allow
        && let Some(why) = crate::vcs::refusal(&venv, &env, Shell::of_user(&env), "not allowing")
    {
        anyhow::bail!(why);
    }
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
        // One line: the hook's check that follows stays quiet.
        let hook_active = std::env::var_os("__RVENV_HOOK_VENV")
            .is_some_and(|active| !active.is_empty() && Path::new(&active) == venv);
        let _ = writeln!(
            stderr,
            "rvenv: denied {}{}",
            display(venv.as_os_str()),
            if hook_active {
                " and deactivated it; it no longer activates by itself"
            } else {
                ": it no longer activates by itself"
            }
        );
    }
    Ok(())
}
