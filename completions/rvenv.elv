
use builtin;
use str;

set edit:completion:arg-completer[rvenv] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'rvenv'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'rvenv'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand hook 'Print the shell integration to eval in your rc file'
            cand activate 'Activate a venv in the current shell (needs the hook)'
            cand deactivate 'Deactivate the venv of the current shell (needs the hook)'
            cand create 'Create a virtual environment, natively and fast'
            cand allow 'Trust a venv to activate by itself when you cd into its project'
            cand deny 'Stop trusting a venv: it no longer activates by itself'
            cand status 'Show which venv applies to a directory, and why it does or does not activate'
            cand run 'Run a command in the venv of the current directory, without activating it'
            cand watch 'Stream one line per venv that appears, disappears or changes under DIR'
            cand completions 'Print tab completion for a shell (the hook loads it for you)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rvenv;hook'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rvenv;activate'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rvenv;deactivate'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rvenv;create'= {
            cand -p 'The Python to use: a version (3.12, 3), a name (python3.12) or a path'
            cand --python 'The Python to use: a version (3.12, 3), a name (python3.12) or a path'
            cand --prompt 'The name shown in the prompt (`.`: the current directory''s name; default: the project directory''s name)'
            cand --system-site-packages 'Give the venv access to the base interpreter''s site-packages'
            cand --without-pip 'Install no pip (by default pip, and setuptools before 3.12, come offline from the interpreter''s ensurepip)'
            cand --upgrade-deps 'Once created, upgrade pip (and setuptools before 3.12) from the package index'
            cand --seed 'Install pip, as by default, and fail if the interpreter bundles none'
            cand --clear 'Replace an existing venv at PATH'
            cand --copies 'Copy the interpreter instead of symlinking it'
            cand --symlinks 'Symlink the interpreter (the default, as python -m venv on Unix)'
            cand --upgrade 'Point an existing venv at the Python named by -p, else at its own base or the newest installed release of its minor version, keeping its packages'
            cand --without-scm-ignore-files 'Do not write a .gitignore into the venv'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rvenv;allow'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rvenv;deny'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rvenv;status'= {
            cand --json 'Print one JSON object (stable keys) instead of text'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rvenv;run'= {
            cand --venv 'The venv, or a project directory holding one (default: the current directory''s)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rvenv;watch'= {
            cand --json 'Print one JSON object per line'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rvenv;completions'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rvenv;help'= {
            cand hook 'Print the shell integration to eval in your rc file'
            cand activate 'Activate a venv in the current shell (needs the hook)'
            cand deactivate 'Deactivate the venv of the current shell (needs the hook)'
            cand create 'Create a virtual environment, natively and fast'
            cand allow 'Trust a venv to activate by itself when you cd into its project'
            cand deny 'Stop trusting a venv: it no longer activates by itself'
            cand status 'Show which venv applies to a directory, and why it does or does not activate'
            cand run 'Run a command in the venv of the current directory, without activating it'
            cand watch 'Stream one line per venv that appears, disappears or changes under DIR'
            cand completions 'Print tab completion for a shell (the hook loads it for you)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rvenv;help;hook'= {
        }
        &'rvenv;help;activate'= {
        }
        &'rvenv;help;deactivate'= {
        }
        &'rvenv;help;create'= {
        }
        &'rvenv;help;allow'= {
        }
        &'rvenv;help;deny'= {
        }
        &'rvenv;help;status'= {
        }
        &'rvenv;help;run'= {
        }
        &'rvenv;help;watch'= {
        }
        &'rvenv;help;completions'= {
        }
        &'rvenv;help;help'= {
        }
    ]
    $completions[$command]
}

# rvenv: what clap's completer leaves out: `create -p` offers the Pythons
# rvenv can find; arguments offer their values, directories (only) or a
# command (then that command's own arguments), as in the other shells.
var __rvenv_clap_complete = $edit:completion:arg-completer[rvenv]
set edit:completion:arg-completer[rvenv] = {|@words|
    var n = (count $words)
    var cur = $words[-1]
    if (< $n 3) {
        $__rvenv_clap_complete $@words
        return
    }
    var sub = $words[1]
    var value-options = ["--prompt" "--python" "--venv" "-p"]
    if (has-value $value-options $words[-2]) {
        if (and (eq $sub create) (has-value ['-p' '--python'] $words[-2])) {
            try { e:rvenv __pythons 2>/dev/null | from-lines } catch { }
        } else {
            edit:complete-filename $cur
        }
        return
    }
    if (has-value ["run"] $sub) {
        # The first word that is not an option (nor an option's value) is
        # the command.
        var i = 2
        while (< $i (- $n 1)) {
            var w = $words[$i]
            if (has-value $value-options $w) {
                set i = (+ $i 2)
            } elif (str:has-prefix $w -) {
                set i = (+ $i 1)
            } else {
                break
            }
        }
        if (< $i (- $n 1)) {
            edit:complete-sudo sudo $@words[$i..]
        } elif (not (str:has-prefix $cur -)) {
            edit:complete-sudo sudo $cur
        } else {
            $__rvenv_clap_complete $@words
        }
        return
    }
    var choices = [ &"hook"=["bash" "zsh" "fish" "elvish" "powershell" "nushell" "tcsh" "xonsh"] &"completions"=["bash" "zsh" "fish" "elvish" "powershell" "nushell" "tcsh" "xonsh"]]
    if (str:has-prefix $cur -) {
        $__rvenv_clap_complete $@words
    } elif (has-key $choices $sub) {
        all $choices[$sub]
    } elif (has-value ["activate" "create" "allow" "deny" "status" "watch"] $sub) {
        # complete-filename ends a directory's name with /.
        edit:complete-filename $cur | each {|c| if (str:has-suffix $c[stem] /) { put $c } }
    } else {
        $__rvenv_clap_complete $@words
    }
}
