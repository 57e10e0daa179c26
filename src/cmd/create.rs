//! `rvenv create`: builds a venv natively (see `crate::create`). One line on
//! stderr tells what was made; stdout stays empty.

use std::io::Write;
use std::time::Instant;

use crate::cli::CreateArgs;
use crate::create::{self, Options, python::Search};
use crate::quote::{command_arg, display};
use crate::shell::Shell;

pub fn run(args: &CreateArgs) -> anyhow::Result<()> {
    let start = Instant::now();
    let opts = Options {
        path: args.path.clone(),
        python: args.python.clone(),
        prompt: args.prompt.clone(),
        system_site_packages: args.system_site_packages,
        seed: args.seed,
        clear: args.clear,
        copies: args.copies,
        symlinks: args.symlinks,
        upgrade: args.upgrade,
        without_scm_ignore_files: args.without_scm_ignore_files,
    };
    let search = Search::from_process();
    let cache = create::facts::cache_dir();
    let created = create::create(&opts, &search, cache.as_deref())?;
    // What rvenv made is trusted: the user asked for it, here and now.
    let env = crate::env::Env::from_process();
    let venv = &created.path;
    if let Some(notice) = crate::trust::store_notice(&env) {
        let _ = writeln!(std::io::stderr(), "{notice}");
    }
    let trusted = match crate::trust::unsafe_permissions(venv) {
        // Trusting it would not make it activate, and would record a venv
        // someone else can change.
        Some(why) => Err(anyhow::anyhow!(
            "not trusting {}: {why}",
            display(venv.as_os_str())
        )),
        None => crate::trust::set_made(&env, venv),
    };
    if let Err(err) = trusted {
        let _ = writeln!(
            std::io::stderr(),
            "rvenv: warning: {}; allow it later with: rvenv allow {}",
            format!("{err:#}").trim_start_matches("rvenv: "),
            command_arg(Shell::of_user(&env), venv.as_os_str())
        );
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let ms = if ms < 10.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.0}")
    };
    let mut what = format!(
        "{} {}",
        created.facts.implementation_name(),
        created.facts.version_text
    );
    if let Some(why) = &created.chosen_for {
        what.push_str(&format!(" for {why}"));
    }
    if let Some(pip) = &created.pip {
        what.push_str(&format!(", pip {pip}"));
    }
    let verb = if created.upgraded {
        "upgraded"
    } else if created.replaced {
        "replaced"
    } else {
        "created"
    };
    let _ = writeln!(
        std::io::stderr(),
        "rvenv: {verb} {} ({what}) in {ms} ms",
        display(args.path.as_os_str())
    );
    Ok(())
}
