//! `rvenv create`: builds a venv natively (see `crate::create`). One line on
//! stderr tells what was made; stdout stays empty.

use std::io::Write;
use std::time::Instant;

use crate::cli::CreateArgs;
use crate::create::{self, Options, Seed, python::Search, seed};
use crate::quote::{command_arg, display};
use crate::shell::Shell;

pub fn run(args: &CreateArgs) -> anyhow::Result<()> {
    let start = Instant::now();
    let opts = Options {
        path: args.path.clone(),
        python: args.python.clone(),
        prompt: args.prompt.clone(),
        system_site_packages: args.system_site_packages,
        seed: if args.without_pip {
            Seed::None
        } else if args.seed {
            Seed::Required
        } else {
            Seed::Default
        },
        clear: args.clear,
        copies: args.copies,
        symlinks: args.symlinks,
        upgrade: args.upgrade,
        without_scm_ignore_files: args.without_scm_ignore_files,
        upgrade_deps: args.upgrade_deps,
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
    match crate::trust::unsafe_permissions(venv) {
        // Trusting it would not make it activate, and would record a venv
        // someone else can change; `rvenv allow` would not help either.
        Some(why) => {
            let _ = writeln!(
                std::io::stderr(),
                "rvenv: warning: not trusting {}: {why}; only you (or root) may be able to \
                 change it",
                display(venv.as_os_str())
            );
        }
        None => {
            if let Err(err) = crate::trust::set_made(&env, venv) {
                let _ = writeln!(
                    std::io::stderr(),
                    "rvenv: warning: {}; allow it later with: rvenv allow {}",
                    display(std::ffi::OsStr::new(
                        format!("{err:#}").trim_start_matches("rvenv: ")
                    )),
                    command_arg(Shell::of_user(&env), venv.as_os_str())
                );
            }
        }
    }
    let mut what = format!(
        "{} {}",
        created.facts.implementation_name(),
        created.facts.version_text
    );
    if let Some(why) = &created.chosen_for {
        what.push_str(&format!(" for {why}"));
    }
    let mut seeded = created.seeded.clone();
    let mut upgrade_failed = None;
    if args.upgrade_deps && !seeded.is_empty() {
        let result = seed::upgrade_deps(venv, created.facts.version);
        // Whatever happened, say what the venv holds now.
        let names: Vec<&str> = seeded.iter().map(|s| s.name.as_str()).collect();
        seeded = seed::installed_in(&venv.join(&created.facts.purelib), &names);
        upgrade_failed = result.err();
    }
    for (i, s) in seeded.iter().enumerate() {
        // `for requires-python >=3.10,<3.12` holds commas of its own.
        let sep = if i == 0 && created.chosen_for.is_some() {
            "; "
        } else {
            ", "
        };
        what.push_str(&format!("{sep}{} {}", s.name, s.version));
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let ms = if ms < 10.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.0}")
    };
    if created.no_pip_to_seed {
        what.push_str(", without pip: the interpreter bundles none");
    }
    let verb = if created.upgraded {
        "upgraded"
    } else if created.replaced {
        "replaced"
    } else {
        "created"
    };
    let shown = display(args.path.as_os_str());
    if let Some(err) = upgrade_failed {
        anyhow::bail!(
            "{verb} {shown} ({what}), but {err:#}; retry with: {} -m pip install --upgrade {}",
            command_arg(Shell::of_user(&env), venv.join("bin/python").as_os_str()),
            seed::deps(created.facts.version).join(" ")
        );
    }
    let _ = writeln!(
        std::io::stderr(),
        "rvenv: {verb} {shown} ({what}) in {ms} ms"
    );
    Ok(())
}
