# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_rvenv_global_optspecs
    string join \n h/help V/version
end

function __fish_rvenv_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_rvenv_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_rvenv_using_subcommand
    set -l cmd (__fish_rvenv_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c rvenv -n "__fish_rvenv_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rvenv -n "__fish_rvenv_needs_command" -s V -l version -d 'Print version'
complete -c rvenv -n "__fish_rvenv_needs_command" -f -a "hook" -d 'Print the shell integration to eval in your rc file'
complete -c rvenv -n "__fish_rvenv_needs_command" -f -a "activate" -d 'Activate a venv in the current shell (needs the hook)'
complete -c rvenv -n "__fish_rvenv_needs_command" -f -a "deactivate" -d 'Deactivate the venv of the current shell (needs the hook)'
complete -c rvenv -n "__fish_rvenv_needs_command" -f -a "create" -d 'Create a virtual environment, natively and fast'
complete -c rvenv -n "__fish_rvenv_needs_command" -f -a "allow" -d 'Trust a venv to activate by itself when you cd into its project'
complete -c rvenv -n "__fish_rvenv_needs_command" -f -a "deny" -d 'Stop trusting a venv: it no longer activates by itself'
complete -c rvenv -n "__fish_rvenv_needs_command" -f -a "status" -d 'Show which venv applies to a directory, and why it does or does not activate'
complete -c rvenv -n "__fish_rvenv_needs_command" -f -a "run" -d 'Run a command in the venv of the current directory, without activating it'
complete -c rvenv -n "__fish_rvenv_needs_command" -f -a "watch" -d 'Stream one line per venv that appears, disappears or changes under DIR'
complete -c rvenv -n "__fish_rvenv_needs_command" -f -a "completions" -d 'Print tab completion for a shell (the hook loads it for you)'
complete -c rvenv -n "__fish_rvenv_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rvenv -n "__fish_rvenv_using_subcommand hook" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rvenv -n "__fish_rvenv_using_subcommand activate" -s h -l help -d 'Print help'
complete -c rvenv -n "__fish_rvenv_using_subcommand deactivate" -s h -l help -d 'Print help'
complete -c rvenv -n "__fish_rvenv_using_subcommand create" -s p -l python -d 'The Python to use: a version (3.12, 3), a name (python3.12) or a path' -r
complete -c rvenv -n "__fish_rvenv_using_subcommand create" -l prompt -d 'The name shown in the prompt (`.`: the current directory\'s name; default: the project directory\'s name)' -r
complete -c rvenv -n "__fish_rvenv_using_subcommand create" -l system-site-packages -d 'Give the venv access to the base interpreter\'s site-packages'
complete -c rvenv -n "__fish_rvenv_using_subcommand create" -l without-pip -d 'Install no pip (by default pip, and setuptools before 3.12, come offline from the interpreter\'s ensurepip)'
complete -c rvenv -n "__fish_rvenv_using_subcommand create" -l upgrade-deps -d 'Once created, upgrade pip (and setuptools before 3.12) from the package index'
complete -c rvenv -n "__fish_rvenv_using_subcommand create" -l seed -d 'Install pip, as by default, and fail if the interpreter bundles none'
complete -c rvenv -n "__fish_rvenv_using_subcommand create" -l clear -d 'Replace an existing venv at PATH'
complete -c rvenv -n "__fish_rvenv_using_subcommand create" -l copies -d 'Copy the interpreter instead of symlinking it'
complete -c rvenv -n "__fish_rvenv_using_subcommand create" -l symlinks -d 'Symlink the interpreter (the default, as python -m venv on Unix)'
complete -c rvenv -n "__fish_rvenv_using_subcommand create" -l upgrade -d 'Point an existing venv at the Python named by -p, else at its own base or the newest installed release of its minor version, keeping its packages'
complete -c rvenv -n "__fish_rvenv_using_subcommand create" -l without-scm-ignore-files -d 'Do not write a .gitignore into the venv'
complete -c rvenv -n "__fish_rvenv_using_subcommand create" -s h -l help -d 'Print help'
complete -c rvenv -n "__fish_rvenv_using_subcommand allow" -s h -l help -d 'Print help'
complete -c rvenv -n "__fish_rvenv_using_subcommand deny" -s h -l help -d 'Print help'
complete -c rvenv -n "__fish_rvenv_using_subcommand status" -l json -d 'Print one JSON object (stable keys) instead of text'
complete -c rvenv -n "__fish_rvenv_using_subcommand status" -s h -l help -d 'Print help'
complete -c rvenv -n "__fish_rvenv_using_subcommand run" -l venv -d 'The venv, or a project directory holding one (default: the current directory\'s)' -r -f -a "(__fish_complete_directories)"
complete -c rvenv -n "__fish_rvenv_using_subcommand run" -s h -l help -d 'Print help'
complete -c rvenv -n "__fish_rvenv_using_subcommand watch" -l json -d 'Print one JSON object per line'
complete -c rvenv -n "__fish_rvenv_using_subcommand watch" -s h -l help -d 'Print help'
complete -c rvenv -n "__fish_rvenv_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rvenv -n "__fish_rvenv_using_subcommand help; and not __fish_seen_subcommand_from hook activate deactivate create allow deny status run watch completions help" -f -a "hook" -d 'Print the shell integration to eval in your rc file'
complete -c rvenv -n "__fish_rvenv_using_subcommand help; and not __fish_seen_subcommand_from hook activate deactivate create allow deny status run watch completions help" -f -a "activate" -d 'Activate a venv in the current shell (needs the hook)'
complete -c rvenv -n "__fish_rvenv_using_subcommand help; and not __fish_seen_subcommand_from hook activate deactivate create allow deny status run watch completions help" -f -a "deactivate" -d 'Deactivate the venv of the current shell (needs the hook)'
complete -c rvenv -n "__fish_rvenv_using_subcommand help; and not __fish_seen_subcommand_from hook activate deactivate create allow deny status run watch completions help" -f -a "create" -d 'Create a virtual environment, natively and fast'
complete -c rvenv -n "__fish_rvenv_using_subcommand help; and not __fish_seen_subcommand_from hook activate deactivate create allow deny status run watch completions help" -f -a "allow" -d 'Trust a venv to activate by itself when you cd into its project'
complete -c rvenv -n "__fish_rvenv_using_subcommand help; and not __fish_seen_subcommand_from hook activate deactivate create allow deny status run watch completions help" -f -a "deny" -d 'Stop trusting a venv: it no longer activates by itself'
complete -c rvenv -n "__fish_rvenv_using_subcommand help; and not __fish_seen_subcommand_from hook activate deactivate create allow deny status run watch completions help" -f -a "status" -d 'Show which venv applies to a directory, and why it does or does not activate'
complete -c rvenv -n "__fish_rvenv_using_subcommand help; and not __fish_seen_subcommand_from hook activate deactivate create allow deny status run watch completions help" -f -a "run" -d 'Run a command in the venv of the current directory, without activating it'
complete -c rvenv -n "__fish_rvenv_using_subcommand help; and not __fish_seen_subcommand_from hook activate deactivate create allow deny status run watch completions help" -f -a "watch" -d 'Stream one line per venv that appears, disappears or changes under DIR'
complete -c rvenv -n "__fish_rvenv_using_subcommand help; and not __fish_seen_subcommand_from hook activate deactivate create allow deny status run watch completions help" -f -a "completions" -d 'Print tab completion for a shell (the hook loads it for you)'
complete -c rvenv -n "__fish_rvenv_using_subcommand help; and not __fish_seen_subcommand_from hook activate deactivate create allow deny status run watch completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'

# rvenv: what clap's script leaves out. `create -p` offers the Pythons
# rvenv can find; arguments offer their values, directories or a command.
complete -c rvenv -n '__fish_seen_subcommand_from create' -s p -l python -x -a '(command rvenv __pythons 2>/dev/null)'
complete -c rvenv -n '__fish_rvenv_using_subcommand hook' -f -a 'bash zsh fish elvish powershell nushell tcsh xonsh'
complete -c rvenv -n '__fish_rvenv_using_subcommand completions' -f -a 'bash zsh fish elvish powershell nushell tcsh xonsh'
complete -c rvenv -n '__fish_rvenv_using_subcommand activate' -f -a '(__fish_complete_directories (commandline -ct) "")'
complete -c rvenv -n '__fish_rvenv_using_subcommand create' -f -a '(__fish_complete_directories (commandline -ct) "")'
complete -c rvenv -n '__fish_rvenv_using_subcommand allow' -f -a '(__fish_complete_directories (commandline -ct) "")'
complete -c rvenv -n '__fish_rvenv_using_subcommand deny' -f -a '(__fish_complete_directories (commandline -ct) "")'
complete -c rvenv -n '__fish_rvenv_using_subcommand status' -f -a '(__fish_complete_directories (commandline -ct) "")'
complete -c rvenv -n '__fish_rvenv_using_subcommand watch' -f -a '(__fish_complete_directories (commandline -ct) "")'
complete -c rvenv -n '__fish_rvenv_using_subcommand run' -f -a '(__fish_complete_subcommand --fcs-skip=2 --prompt --python --venv -p)'
