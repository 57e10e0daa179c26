module completions {

  # Python virtual environments that follow you around the shell
  export extern rvenv [
    --help(-h)                # Print help (see more with '--help')
    --version(-V)             # Print version
  ]

  def "nu-complete rvenv hook shell" [] {
    [ "bash" "zsh" "fish" "elvish" "powershell" "nushell" "tcsh" "xonsh" ]
  }

  # Print the shell integration to eval in your rc file
  export extern "rvenv hook" [
    --help(-h)                # Print help (see more with '--help')
    shell: string@"nu-complete rvenv hook shell" # The shell to print the integration for
  ]

  # Activate a venv in the current shell (needs the hook)
  export extern "rvenv activate" [
    --help(-h)                # Print help
    path?: directory          # A venv, or a project directory holding one (default: the current directory)
  ]

  # Deactivate the venv of the current shell (needs the hook)
  export extern "rvenv deactivate" [
    --help(-h)                # Print help
  ]

  # Create a virtual environment, natively and fast
  export extern "rvenv create" [
    --python(-p): string      # The Python to use: a version (3.12, 3), a name (python3.12) or a path
    --prompt: string          # The name shown in the prompt (`.`: the current directory's name; default: the project directory's name)
    --system-site-packages    # Give the venv access to the base interpreter's site-packages
    --without-pip             # Install no pip (by default pip, and setuptools before 3.12, come offline from the interpreter's ensurepip)
    --upgrade-deps            # Once created, upgrade pip (and setuptools before 3.12) from the package index
    --seed                    # Install pip, as by default, and fail if the interpreter bundles none
    --clear                   # Replace an existing venv at PATH
    --copies                  # Copy the interpreter instead of symlinking it
    --symlinks                # Symlink the interpreter (the default, as python -m venv on Unix)
    --upgrade                 # Point an existing venv at the Python named by -p, else at its own base or the newest installed release of its minor version, keeping its packages
    --without-scm-ignore-files # Do not write a .gitignore into the venv
    --help(-h)                # Print help
    path?: directory          # Where to create the venv
  ]

  # Trust a venv to activate by itself when you cd into its project
  export extern "rvenv allow" [
    --help(-h)                # Print help
    path?: directory          # A venv, or a project directory holding one (default: the current directory)
  ]

  # Stop trusting a venv: it no longer activates by itself
  export extern "rvenv deny" [
    --help(-h)                # Print help
    path?: directory          # A venv, or a project directory holding one (default: the current directory)
  ]

  # Show which venv applies to a directory, and why it does or does not activate
  export extern "rvenv status" [
    --json                    # Print one JSON object (stable keys) instead of text
    --help(-h)                # Print help
    dir?: directory           # The directory to look at (default: the current directory)
  ]

  # Run a command in the venv of the current directory, without activating it
  export extern "rvenv run" [
    --venv: directory         # The venv, or a project directory holding one (default: the current directory's)
    --help(-h)                # Print help
    ...command: string        # The command and its arguments (`--` before it is optional, as in `uv run`)
  ]

  # Stream one line per venv that appears, disappears or changes under DIR
  export extern "rvenv watch" [
    --json                    # Print one JSON object per line
    --help(-h)                # Print help
    dir?: directory           # The directory to watch (default: the current directory)
  ]

  def "nu-complete rvenv completions shell" [] {
    [ "bash" "zsh" "fish" "elvish" "powershell" "nushell" "tcsh" "xonsh" ]
  }

  # Print tab completion for a shell (the hook loads it for you)
  export extern "rvenv completions" [
    --help(-h)                # Print help (see more with '--help')
    shell: string@"nu-complete rvenv completions shell" # The shell to complete for
  ]

  # Print this message or the help of the given subcommand(s)
  export extern "rvenv help" [
  ]

  # Print the shell integration to eval in your rc file
  export extern "rvenv help hook" [
  ]

  # Activate a venv in the current shell (needs the hook)
  export extern "rvenv help activate" [
  ]

  # Deactivate the venv of the current shell (needs the hook)
  export extern "rvenv help deactivate" [
  ]

  # Create a virtual environment, natively and fast
  export extern "rvenv help create" [
  ]

  # Trust a venv to activate by itself when you cd into its project
  export extern "rvenv help allow" [
  ]

  # Stop trusting a venv: it no longer activates by itself
  export extern "rvenv help deny" [
  ]

  # Show which venv applies to a directory, and why it does or does not activate
  export extern "rvenv help status" [
  ]

  # Run a command in the venv of the current directory, without activating it
  export extern "rvenv help run" [
  ]

  # Stream one line per venv that appears, disappears or changes under DIR
  export extern "rvenv help watch" [
  ]

  # Print tab completion for a shell (the hook loads it for you)
  export extern "rvenv help completions" [
  ]

  # Print this message or the help of the given subcommand(s)
  export extern "rvenv help help" [
  ]

}

export use completions *

# rvenv: the command after `run` (and its options) is a program on PATH;
# after it, file names (null: nushell's own completion). The hook's
# `rvenv run` completes with it.
def "nu-complete rvenv run command" [context: string] {
    let words = ($context | split row -r '\s+')
    let at = ($words | enumerate | where item == "run" | get -o 0.index | default 1)
    mut i = $at + 1
    while $i < (($words | length) - 1) {
        let w = ($words | get $i)
        if $w in [r#'--prompt'# r#'--python'# r#'--venv'# r#'-p'#] {
            $i += 2
        } else if ($w | str starts-with "-") {
            $i += 1
        } else {
            break
        }
    }
    if $i != (($words | length) - 1) { return null }
    let prefix = ($words | last)
    $env.PATH
    | where {|d| ($d | path type) == dir }
    | each {|d| ls $d | where type != dir | get name | path basename | where {|n| $n | str starts-with $prefix } }
    | flatten
    | uniq
    | sort
}
