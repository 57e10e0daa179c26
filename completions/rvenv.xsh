# rvenv tab completion for xonsh, generated from rvenv's command line.
def __rvenv_completion():
    import subprocess
    from xonsh.completers.completer import add_one_completer
    from xonsh.completers.path import complete_dir
    from xonsh.completers.tools import contextual_command_completer_for

    subcommands = {
    'hook': [],
    'activate': [],
    'deactivate': [],
    'create': ['--python', '-p', '--prompt', '--system-site-packages', '--without-pip', '--upgrade-deps', '--seed', '--clear', '--copies', '--symlinks', '--upgrade', '--without-scm-ignore-files'],
    'allow': [],
    'deny': [],
    'status': ['--json'],
    'run': ['--venv'],
    'watch': ['--json'],
    'completions': [],
    }
    dirs = {'activate', 'create', 'allow', 'deny', 'status', 'watch'}
    value_options = {'--prompt', '--python', '--venv', '-p'}
    choices = {'hook': ['bash', 'zsh', 'fish', 'elvish', 'powershell', 'nushell', 'tcsh', 'xonsh'], 'completions': ['bash', 'zsh', 'fish', 'elvish', 'powershell', 'nushell', 'tcsh', 'xonsh']}

    @contextual_command_completer_for("rvenv")
    def complete(command):
        words = [a.value for a in command.args[: command.arg_index]]
        prefix = command.prefix
        if len(words) == 1:
            return {s for s in subcommands if s.startswith(prefix)}
        sub, prev = words[1], words[-1]
        if sub == "create" and prev in ("-p", "--python"):
            try:
                out = subprocess.run(["rvenv", "__pythons"], capture_output=True, text=True, timeout=5).stdout
            except (OSError, subprocess.SubprocessError):
                return set()
            return {v for v in out.split() if v.startswith(prefix)}
        if prev in value_options:
            return None
        if prefix.startswith("-"):
            return {o for o in subcommands.get(sub, []) if o.startswith(prefix)}
        if sub in choices:
            return {v for v in choices[sub] if v.startswith(prefix)}
        if sub in dirs:
            return complete_dir(command)
        return None

    add_one_completer("rvenv", complete, "start")


__rvenv_completion()
del __rvenv_completion
