//! The activation scripts of `bin/`, for people who `source bin/activate`
//! without rvenv's hook. They behave like CPython's (a `deactivate` function,
//! `deactivate nondestructive` first, VIRTUAL_ENV, VIRTUAL_ENV_PROMPT, PATH,
//! PYTHONHOME, the prompt unless VIRTUAL_ENV_DISABLE_PROMPT), but every baked
//! value goes through [`crate::quote`], so no directory name or prompt can
//! run a command (CPython's CVE-2024-9287 is the bug class), and prompts
//! show the name through a variable, never pasted into code the prompt
//! re-scans.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use crate::quote::{quote, quote_nu, quote_powershell};
use crate::shell::Shell;

/// A file of `bin/` and its bytes.
pub struct Script {
    pub name: &'static str,
    pub text: Vec<u8>,
}

pub fn all(venv: &OsStr, prompt: &OsStr) -> Vec<Script> {
    vec![
        Script {
            name: "activate",
            text: posix(venv, prompt),
        },
        Script {
            name: "activate.fish",
            text: fish(venv, prompt),
        },
        Script {
            name: "activate.csh",
            text: csh(venv, prompt),
        },
        Script {
            name: "activate.nu",
            text: nu(venv, prompt).into_bytes(),
        },
        Script {
            name: "Activate.ps1",
            text: powershell(venv, prompt).into_bytes(),
        },
    ]
}

/// The name as drawn in a prompt: the one rule of
/// [`crate::shell::drawn_name`], so a hostile name sends no escape sequence
/// to the terminal (VIRTUAL_ENV_PROMPT keeps the exact name).
fn display(prompt: &OsStr) -> OsString {
    crate::render::display_name(prompt)
}

fn replace_byte(value: &OsStr, from: u8, to: &[u8]) -> OsString {
    let mut out = Vec::with_capacity(value.len());
    for &b in value.as_bytes() {
        if b == from {
            out.extend_from_slice(to);
        } else {
            out.push(b);
        }
    }
    OsString::from_vec(out)
}

/// `template` with each `(placeholder, bytes)` put in, in one pass over the
/// template only: a value that happens to hold a placeholder's text stays
/// as it is.
fn fill(template: &str, values: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(at) = rest.find("__") {
        out.extend_from_slice(&rest.as_bytes()[..at]);
        rest = &rest[at..];
        match values.iter().find(|(p, _)| rest.starts_with(p)) {
            Some((p, value)) => {
                out.extend_from_slice(value);
                rest = &rest[p.len()..];
            }
            None => {
                out.extend_from_slice(b"__");
                rest = &rest[2..];
            }
        }
    }
    out.extend_from_slice(rest.as_bytes());
    out
}

const POSIX: &str = r#"# Source this file from bash, zsh or another POSIX sh: . bin/activate
# (written by rvenv; `deactivate` undoes it).

deactivate () {
    if [ -n "${_OLD_VIRTUAL_PATH+set}" ] ; then
        PATH="${_OLD_VIRTUAL_PATH}"
        export PATH
        unset _OLD_VIRTUAL_PATH
    fi
    if [ -n "${_OLD_VIRTUAL_PYTHONHOME+set}" ] ; then
        PYTHONHOME="${_OLD_VIRTUAL_PYTHONHOME}"
        export PYTHONHOME
        unset _OLD_VIRTUAL_PYTHONHOME
    fi

    # Forget the command locations found while the venv was on PATH (with
    # hashing off, `hash` fails: that must not fail the script under set -e).
    hash -r 2> /dev/null || true

    # PS1 is the shell's own, never exported: a child shell of another kind
    # would draw it wrong (CPython's gh-111501).
    if [ -n "${_OLD_VIRTUAL_PS1+set}" ] ; then
        PS1="${_OLD_VIRTUAL_PS1}"
        unset _OLD_VIRTUAL_PS1
    fi

    unset VIRTUAL_ENV
    unset VIRTUAL_ENV_PROMPT
    unset _VIRTUAL_ENV_PS1_NAME
    if [ ! "${1-}" = "nondestructive" ] ; then
        unset -f deactivate
    fi
}

# Undo any venv activated before.
deactivate nondestructive

VIRTUAL_ENV=__VENV__
export VIRTUAL_ENV

_OLD_VIRTUAL_PATH="${PATH-}"
PATH="${VIRTUAL_ENV}/bin:${PATH-}"
export PATH

VIRTUAL_ENV_PROMPT=__PROMPT__
export VIRTUAL_ENV_PROMPT

if [ -n "${PYTHONHOME+set}" ] ; then
    _OLD_VIRTUAL_PYTHONHOME="${PYTHONHOME}"
    unset PYTHONHOME
fi

# The name reaches PS1 through a variable: bash (promptvars) and zsh
# (prompt_subst) expand ${...} in PS1 but do not re-scan what it gives, so a
# name holding $(...) or backticks stays text. Without those options the
# name is pasted, with $, ` and \ shown as ?, so that turning the option on
# later runs nothing either.
if [ -z "${VIRTUAL_ENV_DISABLE_PROMPT-}" ] ; then
    _OLD_VIRTUAL_PS1="${PS1-}"
    if [ -n "${ZSH_VERSION-}" ] ; then
        if [[ -o prompt_subst ]] ; then
            if [[ -o prompt_bang ]] ; then
                _VIRTUAL_ENV_PS1_NAME=__PS1_ZSH_BANG__
            else
                _VIRTUAL_ENV_PS1_NAME=__PS1_ZSH__
            fi
            PS1='(${_VIRTUAL_ENV_PS1_NAME}) '"${PS1-}"
        else
            if [[ -o prompt_bang ]] ; then
                _VIRTUAL_ENV_PS1_NAME=__PS1_ZSH_PASTED_BANG__
            else
                _VIRTUAL_ENV_PS1_NAME=__PS1_ZSH_PASTED__
            fi
            PS1="(${_VIRTUAL_ENV_PS1_NAME}) ${PS1-}"
        fi
    elif [ -n "${BASH_VERSION-}" ] && ! shopt -q promptvars ; then
        _VIRTUAL_ENV_PS1_NAME=__PS1_BASH_NOVARS__
        PS1="(${_VIRTUAL_ENV_PS1_NAME}) ${PS1-}"
    else
        _VIRTUAL_ENV_PS1_NAME=__PS1__
        PS1='(${_VIRTUAL_ENV_PS1_NAME}) '"${PS1-}"
    fi
fi

hash -r 2> /dev/null || true
"#;

pub fn posix(venv: &OsStr, prompt: &OsStr) -> Vec<u8> {
    let q = |v: &OsStr| quote(Shell::Bash, v);
    let shown = display(prompt);
    // zsh expands % sequences (and ! with prompt_bang) in what ${...} gives;
    // bash without promptvars only decodes backslash escapes.
    // A name pasted into PS1 (no prompt_subst / promptvars) must stay
    // harmless if the user turns the option on later: `$`, backquote and
    // backslash are shown as `?` there.
    let pasted = OsString::from_vec(
        shown
            .as_bytes()
            .iter()
            .map(|&b| {
                if matches!(b, b'$' | b'`' | b'\\') {
                    b'?'
                } else {
                    b
                }
            })
            .collect(),
    );
    let zsh = replace_byte(&shown, b'%', b"%%");
    let zsh_bang = replace_byte(&zsh, b'!', b"!!");
    let zsh_pasted = replace_byte(&pasted, b'%', b"%%");
    let zsh_pasted_bang = replace_byte(&zsh_pasted, b'!', b"!!");
    fill(
        POSIX,
        &[
            ("__VENV__", &q(venv)),
            ("__PROMPT__", &q(prompt)),
            ("__PS1_ZSH_BANG__", &q(&zsh_bang)),
            ("__PS1_ZSH__", &q(&zsh)),
            ("__PS1_ZSH_PASTED_BANG__", &q(&zsh_pasted_bang)),
            ("__PS1_ZSH_PASTED__", &q(&zsh_pasted)),
            ("__PS1_BASH_NOVARS__", &q(&pasted)),
            ("__PS1__", &q(&shown)),
        ],
    )
}

const FISH: &str = r#"# Source this file from fish: source bin/activate.fish
# (written by rvenv; `deactivate` undoes it).

function deactivate -d "Leave the virtual environment"
    if set -q _OLD_VIRTUAL_PATH
        set -gx PATH $_OLD_VIRTUAL_PATH
        set -e _OLD_VIRTUAL_PATH
    end
    if set -q _OLD_VIRTUAL_PYTHONHOME
        set -gx PYTHONHOME $_OLD_VIRTUAL_PYTHONHOME
        set -e _OLD_VIRTUAL_PYTHONHOME
    end

    if set -q _OLD_FISH_PROMPT_OVERRIDE
        set -e _OLD_FISH_PROMPT_OVERRIDE
        if functions -q _old_fish_prompt
            functions -e fish_prompt
            functions -c _old_fish_prompt fish_prompt
            functions -e _old_fish_prompt
        end
    end

    set -e VIRTUAL_ENV
    set -e VIRTUAL_ENV_PROMPT
    if test "$argv[1]" != nondestructive
        functions -e deactivate
    end
end

# Undo any venv activated before.
deactivate nondestructive

set -gx VIRTUAL_ENV __VENV__

set -gx _OLD_VIRTUAL_PATH $PATH
set -gx PATH "$VIRTUAL_ENV/bin" $PATH
set -gx VIRTUAL_ENV_PROMPT __PROMPT__

if set -q PYTHONHOME
    set -gx _OLD_VIRTUAL_PYTHONHOME $PYTHONHOME
    set -e PYTHONHOME
end

if test -z "$VIRTUAL_ENV_DISABLE_PROMPT"
    functions -c fish_prompt _old_fish_prompt

    # Builtins only, called by `builtin`: a function of the user's named
    # `source`, `.` or `printf` never runs at a prompt. set_color prints
    # nothing where there are no colours (TERM=dumb), so it is a command
    # of its own, never an argument that could vanish and shift printf's.
    function fish_prompt
        set -l old_status $status
        builtin set_color 4B8BBE
        builtin printf '(%s) ' __SHOWN__
        builtin set_color normal
        # Give the old prompt the status of the last command.
        builtin echo "exit $old_status" | builtin source
        _old_fish_prompt
    end

    set -gx _OLD_FISH_PROMPT_OVERRIDE "$VIRTUAL_ENV"
end
"#;

pub fn fish(venv: &OsStr, prompt: &OsStr) -> Vec<u8> {
    let q = |v: &OsStr| quote(Shell::Fish, v);
    fill(
        FISH,
        &[
            ("__VENV__", &q(venv)),
            ("__PROMPT__", &q(prompt)),
            ("__SHOWN__", &q(&display(prompt))),
        ],
    )
}

const CSH: &str = r#"# Source this file from csh or tcsh: source bin/activate.csh
# (written by rvenv; `deactivate` undoes it).

alias deactivate 'test $?_OLD_VIRTUAL_PATH != 0 && setenv PATH "$_OLD_VIRTUAL_PATH:q" && unset _OLD_VIRTUAL_PATH; test $?_OLD_VIRTUAL_PYTHONHOME != 0 && setenv PYTHONHOME "$_OLD_VIRTUAL_PYTHONHOME:q" && unset _OLD_VIRTUAL_PYTHONHOME; rehash; test $?_OLD_VIRTUAL_PROMPT != 0 && set prompt="$_OLD_VIRTUAL_PROMPT:q" && unset _OLD_VIRTUAL_PROMPT; unsetenv VIRTUAL_ENV; unsetenv VIRTUAL_ENV_PROMPT; test "\!:*" != "nondestructive" && unalias deactivate'

# Undo any venv activated before.
deactivate nondestructive

setenv VIRTUAL_ENV __VENV__

set _OLD_VIRTUAL_PATH="$PATH:q"
setenv PATH "$VIRTUAL_ENV:q/bin:$PATH:q"
setenv VIRTUAL_ENV_PROMPT __PROMPT__

if ($?PYTHONHOME) then
    set _OLD_VIRTUAL_PYTHONHOME="$PYTHONHOME:q"
    unsetenv PYTHONHOME
endif

if ($?prompt) then
    set _OLD_VIRTUAL_PROMPT="$prompt:q"
    if (! $?VIRTUAL_ENV_DISABLE_PROMPT) then
        set prompt = __PS1__"$prompt:q"
    endif
endif

alias pydoc python -m pydoc

rehash
"#;

pub fn csh(venv: &OsStr, prompt: &OsStr) -> Vec<u8> {
    let ps1 = crate::quote::tcsh_prompt_prefix(std::ffi::OsStr::new(&display(prompt)));
    fill(
        CSH,
        &[
            ("__VENV__", &quote(Shell::Tcsh, venv)),
            ("__PROMPT__", &quote(Shell::Tcsh, prompt)),
            ("__PS1__", &quote(Shell::Tcsh, &ps1)),
        ],
    )
}

const NU: &str = r#"# Use this file from nushell: overlay use bin/activate.nu
# (written by rvenv; `deactivate` hides the overlay again).

export-env {
    let venv = __VENV__
    let name = __PROMPT__
    let shown = __SHOWN__
    let path_name = if 'Path' in $env { 'Path' } else { 'PATH' }
    let old_path = ($env | get $path_name)
    let old_path = if ($old_path | describe) == 'string' { $old_path | split row (char esep) } else { $old_path }
    let new_env = {
        $path_name: ($old_path | prepend ($venv | path join 'bin'))
        VIRTUAL_ENV: $venv
        VIRTUAL_ENV_PROMPT: $name
    }
    let new_env = if ($env.VIRTUAL_ENV_DISABLE_PROMPT? | is-empty) {
        let prefix = $"\(($shown)\) "
        let old_prompt = $env.PROMPT_COMMAND?
        let new_prompt = if ($old_prompt | describe) == 'closure' {
            {|| $prefix + (do $old_prompt) }
        } else if ($old_prompt | is-empty) {
            {|| $prefix }
        } else {
            {|| $prefix + $old_prompt }
        }
        $new_env | merge { PROMPT_COMMAND: $new_prompt VIRTUAL_PREFIX: $prefix }
    } else {
        $new_env
    }
    hide-env -i PYTHONHOME
    load-env $new_env
}

export alias pydoc = python -m pydoc
export alias deactivate = overlay hide activate
"#;

pub fn nu(venv: &OsStr, prompt: &OsStr) -> String {
    match (quote_nu(venv), quote_nu(prompt), quote_nu(&display(prompt))) {
        (Some(v), Some(p), Some(s)) => utf8(fill(
            NU,
            &[
                ("__VENV__", v.as_bytes()),
                ("__PROMPT__", p.as_bytes()),
                ("__SHOWN__", s.as_bytes()),
            ],
        )),
        _ => "# Written by rvenv.\nexport-env {\n    error make { msg: \"this venv's path or \
              prompt is not UTF-8, which nushell cannot hold\" }\n}\n"
            .to_owned(),
    }
}

const PS1: &str = r#"# Dot-source this file from PowerShell: . bin/Activate.ps1
# (written by rvenv; `deactivate` undoes it).

function global:deactivate ([switch]$NonDestructive) {
    if (Test-Path -Path Function:_OLD_VIRTUAL_PROMPT) {
        Copy-Item -Path Function:_OLD_VIRTUAL_PROMPT -Destination Function:prompt
        Remove-Item -Path Function:_OLD_VIRTUAL_PROMPT
    }
    if (Test-Path -Path Env:_OLD_VIRTUAL_PYTHONHOME) {
        Copy-Item -Path Env:_OLD_VIRTUAL_PYTHONHOME -Destination Env:PYTHONHOME
        Remove-Item -Path Env:_OLD_VIRTUAL_PYTHONHOME
    }
    if (Test-Path -Path Env:_OLD_VIRTUAL_PATH) {
        Copy-Item -Path Env:_OLD_VIRTUAL_PATH -Destination Env:PATH
        Remove-Item -Path Env:_OLD_VIRTUAL_PATH
    }
    if (Test-Path -Path Env:VIRTUAL_ENV) {
        Remove-Item -Path Env:VIRTUAL_ENV
    }
    if (Test-Path -Path Env:VIRTUAL_ENV_PROMPT) {
        Remove-Item -Path Env:VIRTUAL_ENV_PROMPT
    }
    if (Get-Variable -Name "_PYTHON_VENV_PROMPT_PREFIX" -ErrorAction SilentlyContinue) {
        Remove-Variable -Name _PYTHON_VENV_PROMPT_PREFIX -Scope Global -Force
    }
    if (-not $NonDestructive) {
        Remove-Item -Path function:deactivate
    }
}

# Undo any venv activated before.
deactivate -NonDestructive

$Env:VIRTUAL_ENV = __VENV__
$Env:VIRTUAL_ENV_PROMPT = __PROMPT__

if (-not $Env:VIRTUAL_ENV_DISABLE_PROMPT) {
    function global:_OLD_VIRTUAL_PROMPT { "" }
    Copy-Item -Path function:prompt -Destination function:_OLD_VIRTUAL_PROMPT
    New-Variable -Name _PYTHON_VENV_PROMPT_PREFIX -Scope Global -Option ReadOnly -Visibility Public -Value __SHOWN__
    function global:prompt {
        Write-Host -NoNewline -ForegroundColor Green "($_PYTHON_VENV_PROMPT_PREFIX) "
        _OLD_VIRTUAL_PROMPT
    }
}

if (Test-Path -Path Env:PYTHONHOME) {
    Copy-Item -Path Env:PYTHONHOME -Destination Env:_OLD_VIRTUAL_PYTHONHOME
    Remove-Item -Path Env:PYTHONHOME
}

Copy-Item -Path Env:PATH -Destination Env:_OLD_VIRTUAL_PATH
$Env:PATH = "$Env:VIRTUAL_ENV/bin$([System.IO.Path]::PathSeparator)$Env:PATH"
"#;

pub fn powershell(venv: &OsStr, prompt: &OsStr) -> String {
    match (
        quote_powershell(venv),
        quote_powershell(prompt),
        quote_powershell(&display(prompt)),
    ) {
        (Some(v), Some(p), Some(s)) => utf8(fill(
            PS1,
            &[
                ("__VENV__", v.as_bytes()),
                ("__PROMPT__", p.as_bytes()),
                ("__SHOWN__", s.as_bytes()),
            ],
        )),
        _ => "# Written by rvenv.\nthrow 'this venv''s path or prompt is not UTF-8, \
              which PowerShell cannot hold'\n"
            .to_owned(),
    }
}

/// Filling UTF-8 values into a UTF-8 template gives UTF-8.
fn utf8(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_everywhere() {
        let venv = OsStr::from_bytes(b"/t/$(touch x) `y` 'q'\n\xff");
        let prompt = OsStr::new("p$(z)%!\\");
        let sh = posix(venv, prompt);
        let sh = String::from_utf8_lossy(&sh);
        assert!(sh.contains("VIRTUAL_ENV='/t/$(touch x) `y` '\\''q'\\''\n\u{fffd}'\n"));
        assert!(sh.contains("_VIRTUAL_ENV_PS1_NAME='p$(z)%%!!\\'"));
        assert!(sh.contains("_VIRTUAL_ENV_PS1_NAME='p?(z)%!?'"));
        assert!(!sh.contains("__"));
        let csh = csh(venv, prompt);
        let csh = String::from_utf8_lossy(&csh);
        assert!(csh.contains("set prompt = '(p$(z)%%\\\\!\\\\) '\"$prompt:q\""));
        assert!(nu(venv, prompt).contains("not UTF-8"));
        assert!(powershell(OsStr::new("/a'b"), prompt).contains("$Env:VIRTUAL_ENV = '/a''b'"));
        // A value holding a placeholder's text is not filled again.
        let sh = posix(OsStr::new("/__PS1__"), OsStr::new("x'"));
        assert!(String::from_utf8_lossy(&sh).contains("VIRTUAL_ENV='/__PS1__'\n"));
    }
}
