
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'rvenv' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'rvenv'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'rvenv' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Print the shell integration to eval in your rc file')
            [CompletionResult]::new('activate', 'activate', [CompletionResultType]::ParameterValue, 'Activate a venv in the current shell (needs the hook)')
            [CompletionResult]::new('deactivate', 'deactivate', [CompletionResultType]::ParameterValue, 'Deactivate the venv of the current shell (needs the hook)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a virtual environment, natively and fast')
            [CompletionResult]::new('allow', 'allow', [CompletionResultType]::ParameterValue, 'Trust a venv to activate by itself when you cd into its project')
            [CompletionResult]::new('deny', 'deny', [CompletionResultType]::ParameterValue, 'Stop trusting a venv: it no longer activates by itself')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show which venv applies to a directory, and why it does or does not activate')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a command in the venv of the current directory, without activating it')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Stream one line per venv that appears, disappears or changes under DIR')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print tab completion for a shell (the hook loads it for you)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rvenv;hook' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rvenv;activate' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rvenv;deactivate' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rvenv;create' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The Python to use: a version (3.12, 3), a name (python3.12) or a path')
            [CompletionResult]::new('--python', '--python', [CompletionResultType]::ParameterName, 'The Python to use: a version (3.12, 3), a name (python3.12) or a path')
            [CompletionResult]::new('--prompt', '--prompt', [CompletionResultType]::ParameterName, 'The name shown in the prompt (`.`: the current directory''s name; default: the project directory''s name)')
            [CompletionResult]::new('--system-site-packages', '--system-site-packages', [CompletionResultType]::ParameterName, 'Give the venv access to the base interpreter''s site-packages')
            [CompletionResult]::new('--without-pip', '--without-pip', [CompletionResultType]::ParameterName, 'Install no pip (by default pip, and setuptools before 3.12, come offline from the interpreter''s ensurepip)')
            [CompletionResult]::new('--upgrade-deps', '--upgrade-deps', [CompletionResultType]::ParameterName, 'Once created, upgrade pip (and setuptools before 3.12) from the package index')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Install pip, as by default, and fail if the interpreter bundles none')
            [CompletionResult]::new('--clear', '--clear', [CompletionResultType]::ParameterName, 'Replace an existing venv at PATH')
            [CompletionResult]::new('--copies', '--copies', [CompletionResultType]::ParameterName, 'Copy the interpreter instead of symlinking it')
            [CompletionResult]::new('--symlinks', '--symlinks', [CompletionResultType]::ParameterName, 'Symlink the interpreter (the default, as python -m venv on Unix)')
            [CompletionResult]::new('--upgrade', '--upgrade', [CompletionResultType]::ParameterName, 'Point an existing venv at the Python named by -p, else at its own base or the newest installed release of its minor version, keeping its packages')
            [CompletionResult]::new('--without-scm-ignore-files', '--without-scm-ignore-files', [CompletionResultType]::ParameterName, 'Do not write a .gitignore into the venv')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rvenv;allow' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rvenv;deny' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rvenv;status' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object (stable keys) instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rvenv;run' {
            [CompletionResult]::new('--venv', '--venv', [CompletionResultType]::ParameterName, 'The venv, or a project directory holding one (default: the current directory''s)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rvenv;watch' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per line')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rvenv;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rvenv;help' {
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Print the shell integration to eval in your rc file')
            [CompletionResult]::new('activate', 'activate', [CompletionResultType]::ParameterValue, 'Activate a venv in the current shell (needs the hook)')
            [CompletionResult]::new('deactivate', 'deactivate', [CompletionResultType]::ParameterValue, 'Deactivate the venv of the current shell (needs the hook)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a virtual environment, natively and fast')
            [CompletionResult]::new('allow', 'allow', [CompletionResultType]::ParameterValue, 'Trust a venv to activate by itself when you cd into its project')
            [CompletionResult]::new('deny', 'deny', [CompletionResultType]::ParameterValue, 'Stop trusting a venv: it no longer activates by itself')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show which venv applies to a directory, and why it does or does not activate')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a command in the venv of the current directory, without activating it')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Stream one line per venv that appears, disappears or changes under DIR')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print tab completion for a shell (the hook loads it for you)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rvenv;help;hook' {
            break
        }
        'rvenv;help;activate' {
            break
        }
        'rvenv;help;deactivate' {
            break
        }
        'rvenv;help;create' {
            break
        }
        'rvenv;help;allow' {
            break
        }
        'rvenv;help;deny' {
            break
        }
        'rvenv;help;status' {
            break
        }
        'rvenv;help;run' {
            break
        }
        'rvenv;help;watch' {
            break
        }
        'rvenv;help;completions' {
            break
        }
        'rvenv;help;help' {
            break
        }
    })

    $completions.Where({ $_.CompletionText -like "$wordToComplete*" }) |
        Sort-Object -Property ListItemText
}
