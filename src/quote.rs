//! The one place where values become shell code. Every path, name or other
//! value that rvenv puts into code a shell evaluates goes through
//! [`quote`]; nothing else in the crate builds quoted strings.
//!
//! Values are bytes (`OsStr`), not `str`: a directory name need not be UTF-8
//! and must still arrive byte for byte.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

use crate::shell::Shell;
pub use crate::shell::is_unsafe_char;

/// `value` as one word of `shell`'s syntax that evaluates to exactly its bytes
/// and never runs, expands or globs anything.
pub fn quote(shell: Shell, value: &OsStr) -> Vec<u8> {
    match shell {
        Shell::Bash | Shell::Zsh => quote_posix(value.as_bytes()),
        Shell::Fish => quote_fish(value.as_bytes()),
        Shell::Elvish => quote_elvish(value.as_bytes()),
        Shell::Xonsh => quote_python(value.as_bytes()),
        // .NET strings cannot hold a byte that is not UTF-8: such a value
        // becomes '', which the template never puts on PATH (nothing
        // else can be named by it).
        Shell::Powershell => quote_powershell(value)
            .unwrap_or_else(|| "''".to_owned())
            .into_bytes(),
        Shell::Tcsh => quote_csh(value),
        // nushell strings are UTF-8: a value that is not cannot be held
        // (nu refuses such a PWD or variable before rvenv is asked); its
        // hook's answers are data, not code (render.rs).
        Shell::Nushell => quote_nu(OsStr::new(value.to_string_lossy().as_ref()))
            .unwrap_or_default()
            .into_bytes(),
    }
}

/// elvish: a double-quoted string, ASCII only. Printable ASCII stands for
/// itself (elvish double quotes expand nothing) but `"` and `\`, which are
/// escaped; every other byte, control characters and each byte of UTF-8
/// or of what is not UTF-8, is `\xHH`, which elvish reads as that raw byte.
fn quote_elvish(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 2);
    out.push(b'"');
    for &b in bytes {
        match b {
            b'"' | b'\\' => out.extend_from_slice(&[b'\\', b]),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
        }
    }
    out.push(b'"');
    out
}

/// xonsh (Python): a single-quoted str literal, ASCII only, that equals
/// what `os.fsdecode` makes of the bytes: printable ASCII as itself but
/// `'` and `\` escaped, other characters as `\xHH`, `\uHHHH` or
/// `\UHHHHHHHH`, and each byte that is not UTF-8 as the surrogate escape
/// `\udcHH`, which xonsh (and Python's `os.fsencode`) turn back into that
/// byte when it reaches the environment of a command.
pub fn quote_python(bytes: &[u8]) -> Vec<u8> {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('\'');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\'' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                ' '..='~' => out.push(c),
                c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
                c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push_str(&format!("\\U{:08x}", c as u32)),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\udc{b:02x}"));
        }
    }
    out.push('\'');
    out.into_bytes()
}

/// POSIX single quotes: everything inside is literal (newlines and any byte
/// included) except `'`, which becomes `'\''`.
///
/// Always quoted, even when `shell_words::quote` would leave a word bare: it
/// leaves `{a,b}`, `^` and `!` unquoted, which bash and zsh brace-expand or
/// glob (zsh `EXTENDED_GLOB`).
fn quote_posix(bytes: &[u8]) -> Vec<u8> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        // shell-words does the escaping; we only make sure the word is quoted.
        let quoted = shell_words::quote(s);
        if quoted.starts_with('\'') {
            return quoted.into_owned().into_bytes();
        }
    }
    let mut out = Vec::with_capacity(bytes.len() + 2);
    out.push(b'\'');
    for &b in bytes {
        if b == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(b);
        }
    }
    out.push(b'\'');
    out
}

/// fish: single quotes, where only `\\` and `\'` are escapes and a newline is
/// literal. fish decodes its input as UTF-8, so bytes that are not valid
/// UTF-8 go outside the quotes as `\XHH`, fish's escape for one raw byte.
fn quote_fish(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 2);
    let mut in_quotes = false;
    let mut rest = bytes;
    if rest.is_empty() {
        return b"''".to_vec();
    }
    while !rest.is_empty() {
        let (valid, invalid_len) = match std::str::from_utf8(rest) {
            Ok(s) => (s, 0),
            Err(e) => {
                let valid = std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or_default();
                (valid, e.error_len().unwrap_or(rest.len() - e.valid_up_to()))
            }
        };
        if !valid.is_empty() {
            if !in_quotes {
                out.push(b'\'');
                in_quotes = true;
            }
            for c in valid.chars() {
                match c {
                    '\\' => out.extend_from_slice(b"\\\\"),
                    '\'' => out.extend_from_slice(b"\\'"),
                    _ => {
                        let mut buf = [0; 4];
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    }
                }
            }
        }
        let bad = &rest[valid.len()..valid.len() + invalid_len];
        if !bad.is_empty() && in_quotes {
            out.push(b'\'');
            in_quotes = false;
        }
        for b in bad {
            out.extend_from_slice(format!("\\X{b:02X}").as_bytes());
        }
        rest = &rest[valid.len() + invalid_len..];
    }
    if in_quotes {
        out.push(b'\'');
    }
    out
}

/// A value as shown in a message: printable characters as they are, the
/// rest as `\xHH` (bytes that are not UTF-8, control characters) or
/// `\u{HHHH}`, so a hostile name never sends escape sequences to the
/// terminal or breaks the line.
pub fn display(value: &OsStr) -> String {
    let mut out = String::new();
    for chunk in value.as_bytes().utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                c if is_unsafe_char(c) && (c as u32) < 0x80 => {
                    out.push_str(&format!("\\x{:02x}", c as u32))
                }
                c if is_unsafe_char(c) => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// One word, for a command a message suggests, that the user's shell reads
/// back as exactly `value` and that holds no control byte: plain when only
/// safe characters, else single-quoted, else bash/zsh `$'...'` or fish's
/// unquoted escapes for control characters and bytes that are not UTF-8.
pub fn command_arg(shell: Shell, value: &OsStr) -> String {
    let bytes = value.as_bytes();
    // nushell reads a bare `...` (or more dots) in a path as `../..`.
    let nu_dots = shell == Shell::Nushell
        && bytes
            .split(|&b| b == b'/')
            .any(|part| part.len() > 2 && part.iter().all(|&b| b == b'.'));
    if !bytes.is_empty()
        && !nu_dots
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@,".contains(b))
    {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let printable = std::str::from_utf8(bytes).is_ok_and(|s| !s.chars().any(is_unsafe_char));
    match shell {
        Shell::Tcsh => command_arg_tcsh(bytes),
        Shell::Nushell => command_arg_nu(value),
        // Single quotes, `'` doubled; else the escaped double-quoted form.
        Shell::Elvish if printable => {
            format!("'{}'", String::from_utf8_lossy(bytes).replace('\'', "''"))
        }
        Shell::Elvish => String::from_utf8_lossy(&quote_elvish(bytes)).into_owned(),
        // Subprocess mode takes a plain single-quoted word, but expands
        // `$NAME` and `~` even there; anything else as a Python value,
        // `@('...')`.
        Shell::Xonsh if printable && !bytes.iter().any(|b| b"'\\$~".contains(b)) => {
            format!("'{}'", String::from_utf8_lossy(bytes))
        }
        Shell::Xonsh => format!("@({})", String::from_utf8_lossy(&quote_python(bytes))),
        Shell::Powershell if printable => quote_powershell(value).unwrap_or_default(),
        // Double quotes with escapes; a byte that is not UTF-8 has no
        // PowerShell form and shows as U+FFFD.
        Shell::Powershell => {
            let mut out = String::from("\"");
            for c in String::from_utf8_lossy(bytes).chars() {
                match c {
                    '`' | '$' | '"' | '\u{201c}' | '\u{201d}' | '\u{201e}' => {
                        out.push('`');
                        out.push(c);
                    }
                    c if is_unsafe_char(c) => out.push_str(&format!("`u{{{:x}}}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        Shell::Bash | Shell::Zsh if printable => {
            String::from_utf8_lossy(&quote_posix(bytes)).into_owned()
        }
        Shell::Bash | Shell::Zsh => {
            let mut out = String::from("$'");
            for &b in bytes {
                match b {
                    b'\\' | b'\'' => {
                        out.push('\\');
                        out.push(b as char);
                    }
                    0x20..=0x7e => out.push(b as char),
                    _ => out.push_str(&format!("\\x{b:02x}")),
                }
            }
            out.push('\'');
            out
        }
        Shell::Fish => {
            let mut out = String::new();
            let mut quoted = false;
            let mut quote = |out: &mut String, on: bool| {
                if quoted != on {
                    out.push('\'');
                    quoted = on;
                }
            };
            for chunk in bytes.utf8_chunks() {
                for c in chunk.valid().chars() {
                    if is_unsafe_char(c) {
                        quote(&mut out, false);
                        if (c as u32) < 0x80 {
                            out.push_str(&format!("\\x{:02x}", c as u32));
                        } else {
                            out.push_str(&format!("\\u{:04x}", c as u32));
                        }
                    } else {
                        quote(&mut out, true);
                        if c == '\\' || c == '\'' {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                }
                for b in chunk.invalid() {
                    quote(&mut out, false);
                    out.push_str(&format!("\\X{b:02X}"));
                }
            }
            quote(&mut out, false);
            if out.is_empty() {
                out.push_str("''");
            }
            out
        }
    }
}

/// A tcsh word for a suggested command: single quotes (`!` as `\!`), and
/// each byte a terminal must not be sent, or that is not UTF-8, as
/// `"`printf '\NNN'`"` (tcsh has no escape for a byte in a word).
fn command_arg_tcsh(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut quoted = false;
    let mut quote = |out: &mut String, on: bool| {
        if quoted != on {
            out.push('\'');
            quoted = on;
        }
    };
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if is_unsafe_char(c) {
                quote(&mut out, false);
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\"`printf '\\{b:03o}'`\""));
                }
            } else {
                quote(&mut out, true);
                match c {
                    '\'' => out.push_str("'\\''"),
                    '!' => out.push_str("\\!"),
                    c => out.push(c),
                }
            }
        }
        for b in chunk.invalid() {
            quote(&mut out, false);
            out.push_str(&format!("\"`printf '\\{b:03o}'`\""));
        }
    }
    quote(&mut out, false);
    if out.is_empty() {
        out.push_str("''");
    }
    out
}

/// A nushell word for a suggested command: a raw string, or a double-quoted
/// string with `\u{..}` escapes when it holds a character a terminal must
/// not be sent. Bytes that are not UTF-8 cannot be written in nushell: they
/// are shown as U+FFFD.
fn command_arg_nu(value: &OsStr) -> String {
    let s = value.to_string_lossy();
    if !s.chars().any(is_unsafe_char) {
        return quote_nu(OsStr::new(s.as_ref())).unwrap_or_default();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if is_unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `(shown) ` as tcsh's prompt draws it literally: `\\`, `%` and `!` are its
/// escapes, and `^c` is a control character there (it substitutes no
/// variables or commands, so the escaped name can be stored in `prompt`).
pub fn tcsh_prompt_prefix(shown: &OsStr) -> OsString {
    use std::os::unix::ffi::OsStringExt;
    let mut escaped = b"(".to_vec();
    for &b in shown.as_bytes() {
        match b {
            b'%' => escaped.extend_from_slice(b"%%"),
            b'\\' => escaped.extend_from_slice(b"\\\\"),
            b'!' => escaped.extend_from_slice(b"\\!"),
            b'^' => escaped.extend_from_slice(b"\\^"),
            b => escaped.push(b),
        }
    }
    escaped.extend_from_slice(b") ");
    OsString::from_vec(escaped)
}

/// csh/tcsh: single quotes, where `!` is still history-expanded (written
/// `\!`) and a newline must be `\` + newline; `'` becomes `'\''`. With
/// those rules every byte but NUL round-trips, in sourced files too.
fn quote_csh(value: &OsStr) -> Vec<u8> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() + 2);
    out.push(b'\'');
    for &b in bytes {
        match b {
            b'\'' => out.extend_from_slice(b"'\\''"),
            b'!' => out.extend_from_slice(b"\\!"),
            b'\n' => out.extend_from_slice(b"\\\n"),
            _ => out.push(b),
        }
    }
    out.push(b'\'');
    out
}

/// PowerShell: a single-quoted string, where only quote characters are
/// special: `'` and its typographic look-alikes (U+2018-U+201B), which
/// PowerShell also takes as single quotes, are doubled. `None` when the
/// value is not UTF-8 (a .ps1 file is text).
pub fn quote_powershell(value: &OsStr) -> Option<String> {
    let s = value.to_str()?;
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    Some(out)
}

/// nushell: a raw string `r#'...'#` with one more `#` than any run of `#`
/// after a `'` inside, so nothing in it is an escape or an interpolation.
/// `None` when the value is not UTF-8 (nushell strings cannot hold it).
pub fn quote_nu(value: &OsStr) -> Option<String> {
    let s = value.to_str()?;
    // A run of `#` after a quote would close the string; nushell also
    // misreads a run at the very start (`r#'#x'#` is not `#x`): both need
    // more hashes around the string than they hold.
    let mut longest = s.bytes().take_while(|&b| b == b'#').count();
    for (i, _) in s.match_indices('\'') {
        let run = s[i + 1..].bytes().take_while(|&b| b == b'#').count();
        longest = longest.max(run);
    }
    let hashes = "#".repeat(longest + 1);
    Some(format!("r{hashes}'{s}'{hashes}"))
}

/// A POSIX sh word for `bytes` that is also harmless inside a Python `'''`
/// string: no `'''` run and no backslash but valid octal escapes. Plain
/// characters go in double quotes (a `'` followed by `""` to break runs),
/// `$`, `` ` `` and `"` in single quotes, and `\` or bytes that are not UTF-8
/// as `$(printf '\NNN')`.
pub fn sh_word_in_python_string(bytes: &[u8]) -> Vec<u8> {
    #[derive(PartialEq)]
    enum Mode {
        None,
        Double,
        Single,
    }
    let mut out = Vec::new();
    let mut mode = Mode::None;
    let switch = |out: &mut Vec<u8>, mode: &mut Mode, to: Mode| {
        if *mode == to {
            return;
        }
        match mode {
            Mode::Double => out.push(b'"'),
            Mode::Single => out.push(b'\''),
            Mode::None => {}
        }
        match to {
            Mode::Double => out.push(b'"'),
            Mode::Single => out.push(b'\''),
            Mode::None => {}
        }
        *mode = to;
    };
    let mut rest = bytes;
    while !rest.is_empty() {
        let (valid, bad) = match std::str::from_utf8(rest) {
            Ok(s) => (s, 0),
            Err(e) => (
                std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or_default(),
                e.error_len().unwrap_or(rest.len() - e.valid_up_to()),
            ),
        };
        for c in valid.chars() {
            match c {
                '$' | '`' | '"' => {
                    switch(&mut out, &mut mode, Mode::Single);
                    out.push(c as u8);
                }
                '\\' => {
                    switch(&mut out, &mut mode, Mode::None);
                    out.extend_from_slice(b"\"$(printf '\\134')\"");
                }
                '\'' => {
                    switch(&mut out, &mut mode, Mode::Double);
                    out.extend_from_slice(b"'\"\"");
                }
                c => {
                    switch(&mut out, &mut mode, Mode::Double);
                    let mut buf = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
        for &b in &rest[valid.len()..valid.len() + bad] {
            switch(&mut out, &mut mode, Mode::None);
            out.extend_from_slice(format!("\"$(printf '\\{b:03o}')\"").as_bytes());
        }
        rest = &rest[valid.len() + bad..];
    }
    switch(&mut out, &mut mode, Mode::None);
    if out.is_empty() {
        out.extend_from_slice(b"''");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcsh_prompt_prefix_escapes_what_the_prompt_reads() {
        assert_eq!(
            tcsh_prompt_prefix(OsStr::new("a%b\\c!d^e $x `y`")),
            OsStr::new("(a%%b\\\\c\\!d\\^e $x `y`) ")
        );
    }

    fn q(shell: Shell, bytes: &[u8]) -> Vec<u8> {
        quote(shell, OsStr::from_bytes(bytes))
    }

    #[test]
    fn posix_always_quotes() {
        assert_eq!(q(Shell::Bash, b"plain"), b"'plain'");
        assert_eq!(q(Shell::Bash, b"{a,b}"), b"'{a,b}'");
        assert_eq!(q(Shell::Zsh, b""), b"''");
        assert_eq!(q(Shell::Bash, b"it's"), b"'it'\\''s'");
        assert_eq!(q(Shell::Bash, b"$(x)\n`y`"), b"'$(x)\n`y`'");
        assert_eq!(q(Shell::Bash, b"a\xffb'"), b"'a\xffb'\\'''");
    }

    #[test]
    fn nushell_command_args_keep_runs_of_dots() {
        // A bare `...` is `../..` to nushell: such a path is quoted.
        let arg = |p: &str| command_arg(Shell::Nushell, OsStr::new(p));
        assert_eq!(arg("/a/.../b"), "r#'/a/.../b'#");
        assert_eq!(arg("/a/..../.venv"), "r#'/a/..../.venv'#");
        assert_eq!(arg("/a/../b/.x.../..y"), "/a/../b/.x.../..y");
        assert_eq!(command_arg(Shell::Bash, OsStr::new("/a/.../b")), "/a/.../b");
    }

    #[test]
    fn messages_never_carry_control_bytes() {
        assert_eq!(display(OsStr::new("/a b/é")), "/a b/é");
        assert_eq!(
            display(OsStr::from_bytes(
                b"/a\x1b]0;x\x07\n\xff\xc2\x9b\xe2\x80\xae"
            )),
            "/a\\x1b]0;x\\x07\\x0a\\xff\\u{009b}\\u{202e}"
        );
        let arg = |s: Shell, b: &[u8]| command_arg(s, OsStr::from_bytes(b));
        assert_eq!(arg(Shell::Bash, b"/plain"), "/plain");
        assert_eq!(arg(Shell::Zsh, b"/a b"), "'/a b'");
        assert_eq!(
            arg(Shell::Bash, b"/a\x1b]0;x\x07\n'\xff"),
            "$'/a\\x1b]0;x\\x07\\x0a\\'\\xff'"
        );
        assert_eq!(arg(Shell::Fish, b"/a b"), "'/a b'");
        assert_eq!(
            arg(Shell::Fish, b"/a\\'\n\xff\xc2\x9b"),
            "'/a\\\\\\''\\x0a\\XFF\\u009b"
        );
    }

    #[test]
    fn fish_escapes_backslash_quote_and_raw_bytes() {
        assert_eq!(q(Shell::Fish, b""), b"''");
        assert_eq!(q(Shell::Fish, b"a\\b'c"), b"'a\\\\b\\'c'");
        assert_eq!(q(Shell::Fish, b"$(x) (y)\n"), b"'$(x) (y)\n'");
        assert_eq!(q(Shell::Fish, b"a\xffb"), b"'a'\\XFF'b'");
        assert_eq!(q(Shell::Fish, b"\xfe\xff"), b"\\XFE\\XFF");
    }

    #[test]
    fn csh_escapes_history_newline_and_quote() {
        let c = |b: &[u8]| quote_csh(OsStr::from_bytes(b));
        assert_eq!(c(b"plain"), b"'plain'");
        assert_eq!(c(b""), b"''");
        assert_eq!(c(b"it's"), b"'it'\\''s'");
        assert_eq!(c(b"a!b"), b"'a\\!b'");
        assert_eq!(c(b"l1\nl2"), b"'l1\\\nl2'");
        assert_eq!(c(b"$(x)`y`$z \xff"), b"'$(x)`y`$z \xff'");
    }

    #[test]
    fn powershell_doubles_every_single_quote() {
        let p = |s: &str| quote_powershell(OsStr::new(s)).unwrap();
        assert_eq!(p("a b"), "'a b'");
        assert_eq!(p("it's $(x) `n"), "'it''s $(x) `n'");
        assert_eq!(p("\u{2019}; x"), "'\u{2019}\u{2019}; x'");
        assert_eq!(quote_powershell(OsStr::from_bytes(b"\xff")), None);
    }

    #[test]
    fn nu_raw_strings_outlast_their_content() {
        let n = |s: &str| quote_nu(OsStr::new(s)).unwrap();
        assert_eq!(n("a b"), "r#'a b'#");
        assert_eq!(n("x'#; rm -rf ~ #"), "r##'x'#; rm -rf ~ #'##");
        assert_eq!(n("'##'"), "r###''##''###");
        assert_eq!(n("#proj"), "r##'#proj'##");
        assert_eq!(n("##x'#"), "r###'##x'#'###");
        assert_eq!(quote_nu(OsStr::from_bytes(b"\xff")), None);
    }
}

#[cfg(test)]
mod round_trip {
    //! Each shell's quoting read back by the real shell (or Python, for
    //! xonsh's literals): the bytes must come back exactly.
    use super::*;
    use std::process::Command;

    fn q(shell: Shell, bytes: &[u8]) -> Vec<u8> {
        quote(shell, OsStr::from_bytes(bytes))
    }

    /// Every hostile value: each byte 0x01..=0xff, quotes, a newline,
    /// command substitutions, braces (xonsh formats them), UTF-8 that is
    /// not valid, and the empty string.
    fn hostile() -> Vec<Vec<u8>> {
        let mut all: Vec<u8> = (1..=255u8).collect();
        all.extend_from_slice(b"'\"\\");
        vec![
            all,
            b"it's \"q\" \\ $(touch /tmp/rvt-pwned) `x` ${HOME} {a,b} {{x}} ~ ! %".to_vec(),
            b"line1\nline2\r\t".to_vec(),
            b"\xff\xfe\xc3(\xed\xa0\x80 \xe2\x80\xae".to_vec(),
            "é ü 日本 🐍".as_bytes().to_vec(),
            Vec::new(),
        ]
    }

    fn program(name: &str) -> Option<std::path::PathBuf> {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let dirs = std::env::split_paths(&path).chain([
            std::path::PathBuf::from("/usr/bin"),
            std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/ci-tools/bin")),
        ]);
        for d in dirs {
            let p = d.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
        eprintln!("skipped: {name} is not installed");
        None
    }

    #[test]
    fn elvish_reads_back_every_byte() {
        let Some(elvish) = program("elvish") else {
            return;
        };
        for value in hostile() {
            let code = [b"print ".as_slice(), &q(Shell::Elvish, &value)].concat();
            let out = Command::new(&elvish)
                .arg("-norc")
                .arg("-c")
                .arg(OsStr::from_bytes(&code))
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(out.stdout, value, "{}", String::from_utf8_lossy(&code));
        }
    }

    #[test]
    fn python_reads_back_every_byte_as_fsencode_does() {
        let Some(python) = program("python3") else {
            return;
        };
        for value in hostile() {
            let literal = q(Shell::Xonsh, &value);
            assert!(literal.is_ascii(), "{literal:?}");
            // Read as data (as the xonsh hook reads answers), not run.
            let code = format!(
                "import ast, os, sys; sys.stdout.buffer.write(os.fsencode(ast.literal_eval({:?})))",
                String::from_utf8(literal).unwrap()
            );
            let out = Command::new(&python)
                .args(["-c", &code])
                .env("LANG", "C.UTF-8")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(out.stdout, value, "{code}");
        }
    }

    /// Runs `code` as a file tcsh sources (as the hook sources rvenv's
    /// answers), in the C locale so no byte is read as a character.
    fn tcsh_file(tcsh: &std::path::Path, code: &[u8]) -> std::process::Output {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("code.tcsh");
        std::fs::write(&file, code).unwrap();
        Command::new(tcsh)
            .arg("-f")
            .arg(&file)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("LANG", "C")
            .output()
            .unwrap()
    }

    /// The value of RVQ in `env -0`'s output.
    fn env_value(out: &[u8]) -> Option<Vec<u8>> {
        out.split(|&b| b == 0)
            .find_map(|kv| kv.strip_prefix(b"RVQ=".as_slice()))
            .map(<[u8]>::to_vec)
    }

    #[test]
    fn tcsh_reads_back_every_byte_in_a_sourced_file() {
        let Some(tcsh) = program("tcsh") else {
            return;
        };
        let mut values = hostile();
        // History (`!`, `!!`, `!$`), `%` (prompt escapes), a trailing
        // newline and a newline alone.
        values.extend([
            b"a!b !! !$ !-1 %~ %% \\!".to_vec(),
            b"x\n".to_vec(),
            b"\n".to_vec(),
        ]);
        for value in values {
            let code = [
                b"setenv RVQ ".as_slice(),
                &q(Shell::Tcsh, &value),
                b"\n/usr/bin/env -0\n",
            ]
            .concat();
            let out = tcsh_file(&tcsh, &code);
            assert!(
                out.status.success(),
                "{}: {}",
                String::from_utf8_lossy(&code),
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(
                env_value(&out.stdout),
                Some(value.clone()),
                "{}",
                String::from_utf8_lossy(&code)
            );
        }
    }

    /// The `rvenv allow ...` a message suggests, pasted into tcsh: one line
    /// that gives back every byte but a newline (tcsh's backquotes drop
    /// it; such a path is refused by `rvenv allow` then, never another).
    #[test]
    fn tcsh_suggested_command_reads_back_but_newlines() {
        let Some(tcsh) = program("tcsh") else {
            return;
        };
        for value in hostile() {
            let value: Vec<u8> = value.into_iter().filter(|&b| b != b'\n').collect();
            let arg = command_arg(Shell::Tcsh, OsStr::from_bytes(&value));
            assert!(!arg.contains('\n'), "{arg:?}");
            let code = format!("setenv RVQ {arg}\n/usr/bin/env -0\n");
            let out = tcsh_file(&tcsh, code.as_bytes());
            assert!(
                out.status.success(),
                "{code}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let want = if value.is_empty() {
                Some(Vec::new())
            } else {
                Some(value.clone())
            };
            assert_eq!(env_value(&out.stdout), want, "{code}");
        }
    }

    #[test]
    fn nushell_reads_back_every_character() {
        let Some(nu) = std::env::var_os("RVENV_TEST_NU")
            .map(std::path::PathBuf::from)
            .filter(|p| p.is_file())
            .or_else(|| {
                let p = std::path::PathBuf::from(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/target/ci-tools/npm/node_modules/@nushell/linux-x64/bin/nu"
                ));
                p.is_file().then_some(p)
            })
            .or_else(|| program("nu"))
        else {
            return;
        };
        // nushell strings are UTF-8: every character U+0001..U+00FF, and
        // each hostile value that is UTF-8; the rest are refused (None).
        let mut values: Vec<Vec<u8>> = vec![
            (1..=255u32)
                .filter_map(char::from_u32)
                .collect::<String>()
                .into_bytes(),
        ];
        values.extend(
            hostile()
                .into_iter()
                .filter(|v| std::str::from_utf8(v).is_ok()),
        );
        values.extend([
            b"x'#; ^touch /tmp/rvt-pwned #".to_vec(),
            b"'##'".to_vec(),
            b"#start".to_vec(),
            b"$(ls) (ls) $env.HOME `x`".to_vec(),
        ]);
        assert_eq!(quote_nu(OsStr::from_bytes(b"a\xffb")), None);
        let dir = tempfile::tempdir().unwrap();
        for (i, value) in values.iter().enumerate() {
            let literal = quote_nu(OsStr::from_bytes(value)).unwrap();
            let file = dir.path().join(format!("v{i}"));
            let code = format!("{literal} | save -f '{}'", file.display());
            let out = Command::new(&nu)
                .args(["--no-config-file", "-c", &code])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{code}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(&std::fs::read(&file).unwrap(), value, "{code}");
        }
    }

    #[test]
    fn quoted_values_are_one_ascii_word() {
        for value in hostile() {
            for shell in [Shell::Elvish, Shell::Xonsh] {
                let quoted = q(shell, &value);
                assert!(quoted.is_ascii(), "{shell:?}: {quoted:?}");
                assert!(!quoted.contains(&b'\n'), "{shell:?}: {quoted:?}");
            }
        }
        assert_eq!(q(Shell::Elvish, b"a\"b\\c$(x)"), b"\"a\\\"b\\\\c$(x)\"");
        assert_eq!(q(Shell::Elvish, b"\xff\n"), b"\"\\xff\\x0a\"");
        assert_eq!(
            q(Shell::Xonsh, b"it's {x}\n\xff"),
            b"'it\\'s {x}\\x0a\\udcff'"
        );
        assert_eq!(q(Shell::Xonsh, "é🐍".as_bytes()), b"'\\xe9\\U0001f40d'");
        assert_eq!(q(Shell::Powershell, b"it's"), b"'it''s'");
        assert_eq!(q(Shell::Powershell, b"\xff"), b"''");
    }

    #[test]
    fn suggested_commands_in_each_shell() {
        let arg = |s: Shell, b: &[u8]| command_arg(s, OsStr::from_bytes(b));
        assert_eq!(arg(Shell::Elvish, b"/a b'c"), "'/a b''c'");
        assert_eq!(arg(Shell::Elvish, b"/a\x1b"), "\"/a\\x1b\"");
        assert_eq!(arg(Shell::Xonsh, b"/a b"), "'/a b'");
        assert_eq!(arg(Shell::Xonsh, b"/a'\xff"), "@('/a\\'\\udcff')");
        assert_eq!(arg(Shell::Xonsh, b"/a/$HOME"), "@('/a/$HOME')");
        assert_eq!(arg(Shell::Xonsh, b"/a/~"), "@('/a/~')");
        assert_eq!(arg(Shell::Powershell, b"/a b'"), "'/a b'''");
        assert_eq!(arg(Shell::Powershell, b"/a$\x1b"), "\"/a`$`u{1b}\"");
    }
}
