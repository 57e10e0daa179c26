# rvenv tab completion for xonsh, generated from rvenv's command line.
def __rvenv_completion():
    import subprocess
    from xonsh.built_ins import XSH
    from xonsh.completers.commands import complete_command
    from xonsh.completers.completer import add_one_completer
    from xonsh.completers.path import complete_dir
    from xonsh.completers.tools import contextual_command_completer_for
    from xonsh.parsers.completion_context import CompletionContext

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
    commands = {'run'}
    value_options = {'--prompt', '--python', '--venv', '-p'}
    choices = {'hook': ['bash', 'zsh', 'fish', 'elvish', 'powershell', 'nushell', 'tcsh', 'xonsh'], 'completions': ['bash', 'zsh', 'fish', 'elvish', 'powershell', 'nushell', 'tcsh', 'xonsh']}

    def only(found):
        # Nothing found is the answer: an empty one would let xonsh's next
        # completers offer every file name.
        if not (found[0] if isinstance(found, tuple) else found):
            raise StopIteration
        return found

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
                out = ""
            return only({v for v in out.split() if v.startswith(prefix)})
        if prev in value_options:
            return None
        if sub in commands:
            # The first word that is not an option (nor an option's value)
            # is the command: a program's name, then its own arguments (as
            # xonsh completes after `sudo`).
            i = 2
            while i < len(words):
                if words[i] in value_options:
                    i += 2
                elif words[i].startswith("-"):
                    i += 1
                else:
                    break
            if i < len(words) or not prefix.startswith("-"):
                rest = command._replace(args=command.args[i:], arg_index=command.arg_index - i)
                if rest.arg_index == 0:
                    return complete_command(rest)
                return XSH.shell.shell.completer.complete_from_context(CompletionContext(rest))
        if prefix.startswith("-"):
            return only({o for o in subcommands.get(sub, []) if o.startswith(prefix)})
        if sub in choices:
            return only({v for v in choices[sub] if v.startswith(prefix)})
        if sub in dirs:
            return only(complete_dir(command))
        return None

    add_one_completer("rvenv", complete, "start")


__rvenv_completion()
del __rvenv_completion
