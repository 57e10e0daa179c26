//! The process environment as a plain value, so that discovery and the
//! decision are pure functions of it (and tests need no `set_var`).

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};

#[derive(Debug, Default, Clone)]
pub struct Env {
    /// Ordered, not hashed: a HashMap's RandomState asks the kernel for
    /// random bytes at each start (getrandom), for keys no attacker picks
    /// against us (the user's own environment).
    vars: BTreeMap<OsString, OsString>,
}

impl Env {
    pub fn from_process() -> Env {
        Env {
            vars: std::env::vars_os().collect(),
        }
    }

    #[cfg(test)]
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Env {
        Env {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The same environment without `names`.
    pub fn without(&self, names: &[&str]) -> Env {
        let mut vars = self.vars.clone();
        for name in names {
            vars.remove(OsStr::new(name));
        }
        Env { vars }
    }

    /// The variable's value when it is set, even to nothing (PYTHONHOME='' is
    /// a PYTHONHOME to give back).
    pub fn get_set(&self, name: &str) -> Option<&OsStr> {
        self.vars.get(OsStr::new(name)).map(OsString::as_os_str)
    }

    /// The variable's value; an empty value counts as unset.
    pub fn get(&self, name: &str) -> Option<&OsStr> {
        self.vars
            .get(OsStr::new(name))
            .map(OsString::as_os_str)
            .filter(|v| !v.is_empty())
    }
}

impl crate::shell::Shell {
    /// The shell whose syntax a message's suggested command should use:
    /// the one whose `rvenv` function called us, else the login shell.
    pub fn of_user(env: &Env) -> crate::shell::Shell {
        crate::shell::Shell::of_program(env.get("__RVENV_SHELL").or_else(|| env.get("SHELL")))
    }
}
