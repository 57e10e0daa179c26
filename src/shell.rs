//! The shells rvenv knows: the one definition the CLI (`hook`,
//! `completions`), the renderer and the tests share. Every per-shell
//! difference is an exhaustive `match` on [`Shell`], so adding a shell fails
//! to compile wherever it is not handled yet: here (name, hook template),
//! in `quote` (quoting, suggested commands), `render` (how answers are
//! written), `cmd::completions` and `cmd::hook`, and in the tests' driver
//! (`tests/common`).
//!
//! This file depends on nothing else in the crate: the tests include it as
//! it is (`#[path]`), so they drive exactly the shells rvenv defines.

use clap::ValueEnum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
    #[value(alias = "nu")]
    Nushell,
    /// tcsh, and csh (on Linux, csh is tcsh).
    #[value(alias = "csh")]
    Tcsh,
    Xonsh,
}

impl Shell {
    /// Every shell, in the order help lists them.
    pub fn all() -> &'static [Shell] {
        Shell::value_variants()
    }

    /// The name on the command line (`rvenv hook NAME`).
    pub fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
            Shell::Elvish => "elvish",
            Shell::Powershell => "powershell",
            Shell::Nushell => "nushell",
            Shell::Tcsh => "tcsh",
            Shell::Xonsh => "xonsh",
        }
    }

    /// The hook's template with its id in place of [`HOOK_ID_PLACEHOLDER`]:
    /// what `rvenv hook SHELL` prints (before its completions).
    pub fn hook_script(self) -> Option<String> {
        Some(
            self.hook_template()?
                .replace(HOOK_ID_PLACEHOLDER, &self.hook_id()),
        )
    }

    /// What a hook loaded from this rvenv hands `rvenv __hook` last, in hex:
    /// a hash of its template and of the answers' renderer, computed when
    /// rvenv is compiled. A shell keeps the hook it loaded when rvenv is
    /// upgraded under it; the new rvenv's answers may call what that hook
    /// does not define, or mean something else by it, so rvenv answers a
    /// hook with another id (or none: older hooks passed none) only by
    /// reloading it or by saying so.
    pub fn hook_id(self) -> String {
        const fn id(shell: Shell) -> u64 {
            let render = fnv1a(include_bytes!("render.rs"), FNV_OFFSET);
            match shell.hook_template() {
                Some(template) => fnv1a(template.as_bytes(), render),
                None => render,
            }
        }
        // Each in a const block, so that the compiler, not a crossing,
        // hashes the templates.
        let id = match self {
            Shell::Bash => const { id(Shell::Bash) },
            Shell::Zsh => const { id(Shell::Zsh) },
            Shell::Fish => const { id(Shell::Fish) },
            Shell::Elvish => const { id(Shell::Elvish) },
            Shell::Xonsh => const { id(Shell::Xonsh) },
            Shell::Powershell => const { id(Shell::Powershell) },
            Shell::Nushell => const { id(Shell::Nushell) },
            Shell::Tcsh => const { id(Shell::Tcsh) },
        };
        format!("{id:016x}")
    }

    /// The integration script printed by `rvenv hook SHELL`, or None for a
    /// shell rvenv only completes for (no hook yet: issue 14).
    pub const fn hook_template(self) -> Option<&'static str> {
        match self {
            Shell::Bash => Some(include_str!("../shell/bash/rvenv.bash")),
            Shell::Zsh => Some(include_str!("../shell/zsh/rvenv.zsh")),
            Shell::Fish => Some(include_str!("../shell/fish/rvenv.fish")),
            Shell::Elvish => Some(include_str!("../shell/elvish/rvenv.elv")),
            Shell::Xonsh => Some(include_str!("../shell/xonsh/rvenv.xsh")),
            // Untested in a real pwsh (none can be installed here): its
            // output is checked against golden files (tests/hook_powershell.rs).
            Shell::Powershell => Some(include_str!("../shell/powershell/rvenv.ps1")),
            Shell::Nushell => Some(include_str!("../shell/nushell/rvenv.nu")),
            Shell::Tcsh => Some(include_str!("../shell/tcsh/rvenv.tcsh")),
        }
    }

    /// Whether `rvenv hook` supports this shell.
    pub fn has_hook(self) -> bool {
        self.hook_template().is_some()
    }

    /// The shells `rvenv hook` supports.
    pub fn hooked() -> impl Iterator<Item = Shell> {
        Shell::all().iter().copied().filter(|s| s.has_hook())
    }

    /// The shell a program of this file name is (`$SHELL`'s last part).
    pub fn from_program(name: &str) -> Option<Shell> {
        match name {
            "bash" | "sh" => Some(Shell::Bash),
            "zsh" => Some(Shell::Zsh),
            "fish" => Some(Shell::Fish),
            "elvish" => Some(Shell::Elvish),
            "pwsh" | "powershell" => Some(Shell::Powershell),
            "nu" => Some(Shell::Nushell),
            "tcsh" | "csh" => Some(Shell::Tcsh),
            "xonsh" => Some(Shell::Xonsh),
            _ => None,
        }
    }

    /// The shell whose syntax a message's suggested command should use,
    /// given the name of the shell whose hook called (`__RVENV_SHELL`) or
    /// the login shell (`$SHELL`): one with a hook, else bash.
    pub fn of_program(program: Option<&std::ffi::OsStr>) -> Shell {
        program
            .and_then(|s| std::path::Path::new(s).file_name())
            .and_then(|s| s.to_str())
            .and_then(Shell::from_program)
            .filter(|s| s.has_hook())
            .unwrap_or(Shell::Bash)
    }
}

/// The one rule for what a terminal must never be sent raw: C0, DEL, C1
/// (U+0080..U+009F, where U+009B starts an escape sequence on its own) and
/// the bidirectional overrides that reorder what is shown. Messages escape
/// these ([`crate::quote::display`]); prompts draw them as `?`
/// ([`drawn_name`]).
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A venv's name as the prompt draws it: each unsafe character (see
/// [`is_unsafe_char`]) and each byte that is not UTF-8 becomes `?`, so a
/// hostile name cannot send escape sequences to the terminal, break the
/// prompt's line, or be drawn differently by each shell.
/// VIRTUAL_ENV_PROMPT keeps the exact name.
pub fn drawn_name(name: &[u8]) -> Vec<u8> {
    let mut out = String::with_capacity(name.len());
    for chunk in name.utf8_chunks() {
        for c in chunk.valid().chars() {
            out.push(if is_unsafe_char(c) { '?' } else { c });
        }
        out.extend(chunk.invalid().iter().map(|_| '?'));
    }
    out.into_bytes()
}

/// Where each hook template holds its id (see [`Shell::hook_id`]), quoted
/// there as a string so that the template parses as it is.
pub const HOOK_ID_PLACEHOLDER: &str = "@RVENV_HOOK_ID@";

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a over `bytes`, from `hash`: cheap enough for the compiler to run
/// over the templates, so that no crossing pays for hashing them.
const fn fnv1a(bytes: &[u8], mut hash: u64) -> u64 {
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawn_names_hold_no_control_characters() {
        let name = b"a\x1b[31m\n\x7f\xc2\x9b\xe2\x80\xae\xff\xc3\xa9";
        assert_eq!(drawn_name(name), "a?[31m?????\u{e9}".as_bytes());
    }

    #[test]
    fn names_round_trip() {
        for &shell in Shell::all() {
            assert_eq!(Shell::from_str(shell.name(), false), Ok(shell));
        }
        assert_eq!(
            Shell::of_program(Some("/usr/bin/fish".as_ref())),
            Shell::Fish
        );
        assert_eq!(Shell::of_program(Some("pwsh".as_ref())), Shell::Powershell);
        assert_eq!(Shell::of_program(Some("nu".as_ref())), Shell::Nushell);
        assert_eq!(Shell::of_program(None), Shell::Bash);
        assert_eq!(Shell::from_str("csh", false), Ok(Shell::Tcsh));
        assert_eq!(Shell::from_str("nu", false), Ok(Shell::Nushell));
        assert_eq!(Shell::of_program(Some("/bin/csh".as_ref())), Shell::Tcsh);
    }
}
