# rvenv shell integration for PowerShell 7 (pwsh). Load it from $PROFILE with:
#     Invoke-Expression (& rvenv hook powershell | Out-String)
# UNTESTED in a real pwsh (none could be installed where rvenv is built): its
# output is checked against golden files only.
# It wraps `prompt` (the check runs before each prompt is drawn, after any
# Set-Location) and defines `rvenv` (and `deactivate` while a venv is on).
# Loading it twice is harmless. State: see shell/bash/rvenv.bash.

if (-not (Get-Variable -Name __rvenv -Scope Global -ErrorAction SilentlyContinue)) {
    $global:__rvenv = @{
        venv = ''; root = ''; off = ''; pin = ''; told = ''; dir = ''; sig = ''
        markers = @(); gitidx = ''; gitok = ''; vfile = ''; vstamp = ''; path_entry = ''; prefix = ''
        had_pythonhome = $false; old_pythonhome = ''; busy = $false; asking = ''; mkey = ''
        conda = ''; conda_seen = ''; path_then = ''; theirs = ''; theirs_fn = $false
        user_prompt = $null
    }
}
# This hook's id, handed to rvenv last: an rvenv installed since this shell
# loaded its hook says so.
$global:__rvenv.id = '@RVENV_HOOK_ID@'

function global:__rvenv_sig_of([string]$d) {
    -join ($global:__rvenv.markers | ForEach-Object {
        if (Test-Path -LiteralPath (Join-Path $d $_)) { '1' } else { '0' }
    })
}

function global:__rvenv_within([string]$a, [string]$b) {
    $b -eq '/' -or $a -eq $b -or $a.StartsWith("$b/", [StringComparison]::Ordinal)
}

function global:__rvenv_path_without([string]$list, [string]$entry) {
    if (-not $entry) { return $null }
    $parts = [Collections.Generic.List[string]]($list -split ':')
    $i = $parts.IndexOf($entry)
    if ($i -lt 0) { return $null }
    $parts.RemoveAt($i)
    return ($parts -join ':')
}

# The operations rvenv's answers are made of (src/render.rs, Op).
function global:__rvenv_begin { $global:__rvenv.busy = $true; $global:__rvenv.asking = '' }
# The hook's venv is exported as __RVENV_VENV, for a child shell to adopt.
# While CONDA_PREFIX stays what it is now, the venv's bin/ is kept first.
function global:__rvenv_own([string]$v) {
    $global:__rvenv.venv = $v
    $global:__rvenv.conda = [string]$env:CONDA_PREFIX
    if ($v) { $env:__RVENV_VENV = $v } else { Remove-Item Env:__RVENV_VENV -ErrorAction SilentlyContinue }
}
function global:__rvenv_set([string]$name, [string]$value) {
    [Environment]::SetEnvironmentVariable($name, $value)
}
function global:__rvenv_unset([string]$name) {
    [Environment]::SetEnvironmentVariable($name, $null)
}
function global:__rvenv_stash_pythonhome {
    if ($null -ne $env:PYTHONHOME) {
        $global:__rvenv.old_pythonhome = $env:PYTHONHOME
        $global:__rvenv.had_pythonhome = $true
        # For a child shell that adopts the venv, to give back there too.
        $env:__RVENV_PYTHONHOME = $env:PYTHONHOME
        Remove-Item Env:PYTHONHOME
    } else {
        $global:__rvenv.had_pythonhome = $false
        Remove-Item Env:__RVENV_PYTHONHOME -ErrorAction SilentlyContinue
    }
}
function global:__rvenv_restore_pythonhome {
    if ($global:__rvenv.had_pythonhome) { $env:PYTHONHOME = $global:__rvenv.old_pythonhome }
    $global:__rvenv.had_pythonhome = $false
    $global:__rvenv.old_pythonhome = ''
    Remove-Item Env:__RVENV_PYTHONHOME -ErrorAction SilentlyContinue
}
# The PYTHONHOME a parent shell's hook set aside for the venv this hook
# adopted (rvenv's AdoptPythonHome): given back when it goes off here.
function global:__rvenv_adopt_pythonhome([string]$value) {
    $global:__rvenv.old_pythonhome = $value
    $global:__rvenv.had_pythonhome = $true
}
function global:__rvenv_path_first([string]$entry) {
    # '' is a value .NET could not hold (not UTF-8): never put on PATH.
    $global:__rvenv.path_entry = $entry
    if (-not $entry) { return }
    if ($env:PATH) { $env:PATH = "$entry" + ':' + $env:PATH } else { $env:PATH = $entry }
    $global:__rvenv.path_then = $env:PATH
}
# True when every entry in front of the hook's (every entry, when it is
# gone) was on PATH when the venv went on.
function global:__rvenv_reordered {
    $entries = ([string]$env:PATH) -split ':'
    $at = [Array]::IndexOf($entries, $global:__rvenv.path_entry)
    if ($at -ge 0) { $entries = @($entries | Select-Object -First $at) }
    $then = ':' + $global:__rvenv.path_then + ':'
    foreach ($e in $entries) {
        if ($e -and -not $then.Contains(":$e:")) { return $false }
    }
    $true
}
function global:__rvenv_path_first_is_ours {
    $e = $global:__rvenv.path_entry
    (-not $e) -or $env:PATH -eq $e -or ([string]$env:PATH).StartsWith("$e" + ':') -or
        [string]$env:CONDA_PREFIX -ne $global:__rvenv.conda
}
# A parent shell's hook's entry, moved (or put back) first.
function global:__rvenv_path_front([string]$entry) {
    if ($entry) {
        $new = __rvenv_path_without $env:PATH $entry
        if ($null -ne $new) { $env:PATH = $new }
    }
    __rvenv_path_first $entry
}
function global:__rvenv_path_remove([string]$entry) {
    if ($global:__rvenv.path_entry) {
        $new = __rvenv_path_without $env:PATH $entry
        if ($null -ne $new) { $env:PATH = $new }
    }
    $global:__rvenv.path_entry = ''
}
function global:__rvenv_prompt([string]$shown) {
    if ($null -ne $env:VIRTUAL_ENV_DISABLE_PROMPT) { $global:__rvenv.prefix = '' }
    else { $global:__rvenv.prefix = "($shown) " }
}
function global:__rvenv_prompt_clear { $global:__rvenv.prefix = '' }
function global:__rvenv_define_deactivate {
    function global:deactivate { __rvenv_deactivate_cmd @args }
}
function global:__rvenv_remove_deactivate {
    if ((Get-Command deactivate -CommandType Function -ErrorAction SilentlyContinue).Definition -match '__rvenv_deactivate_cmd') {
        Remove-Item Function:\deactivate
    }
}
# The venv $v on (rvenv's Activate), each step recorded before it is made.
function global:__rvenv_activate([string]$v, [string]$prompt, [string]$shown) {
    __rvenv_own $v
    __rvenv_stash_pythonhome
    __rvenv_set VIRTUAL_ENV $v
    __rvenv_set VIRTUAL_ENV_PROMPT $prompt
    # '' is a value .NET could not hold (not UTF-8): its bin/ stays off PATH.
    if ($v) { __rvenv_path_first "$v/bin" } else { __rvenv_path_first '' }
    __rvenv_prompt $shown
    __rvenv_define_deactivate
}
function global:__rvenv_deactivate_theirs {
    if ($env:VIRTUAL_ENV -and $env:VIRTUAL_ENV -ne $global:__rvenv.venv -and
        (Get-Command deactivate -ErrorAction SilentlyContinue)) { deactivate }
}
function global:__rvenv_state([string]$root, [string]$off, [string]$told, [string]$signature) {
    $global:__rvenv.root = $root; $global:__rvenv.off = $off; $global:__rvenv.told = $told
    $global:__rvenv.conda_seen = [string]$env:CONDA_PREFIX
    $global:__rvenv.dir = $PWD.ProviderPath
    $global:__rvenv.sig = __rvenv_sig_of $global:__rvenv.dir
    $global:__rvenv.busy = $false
}
# The markers' key (handed back to rvenv as MARKS, which sends them again
# only when it changed), then the markers.
function global:__rvenv_set_markers([string]$key) {
    $global:__rvenv.mkey = $key
    $global:__rvenv.markers = @($args)
}
# The git index and the stamp rvenv wrote when it last found it clean; the
# venv's pyvenv.cfg and the stamp rvenv wrote when it last judged the venv
# (a pyvenv.cfg no older than it, or the stamp gone: a venv made again
# since, perhaps within one command, which rvenv judges anew).
function global:__rvenv_watch([string]$idx, [string]$stamp, [string]$vfile, [string]$vstamp) {
    $global:__rvenv.gitidx = $idx; $global:__rvenv.gitok = $stamp
    $global:__rvenv.vfile = $vfile; $global:__rvenv.vstamp = $vstamp
}
function global:__rvenv_pin([string]$v) {
    $global:__rvenv.pin = $v; $global:__rvenv.off = ''; $global:__rvenv.busy = $false
}

# Undoes the hook's activation exactly (rvenv's Deactivate, the user's
# deactivate, an answer cut short), the venv's record last.
function global:__rvenv_deactivate {
    $global:__rvenv.gitidx = ''
    $global:__rvenv.vstamp = ''
    if (-not $global:__rvenv.venv) { return }
    __rvenv_path_remove $global:__rvenv.path_entry
    __rvenv_restore_pythonhome
    __rvenv_prompt_clear
    __rvenv_unset VIRTUAL_ENV
    __rvenv_unset VIRTUAL_ENV_PROMPT
    __rvenv_remove_deactivate
    __rvenv_own ''
}

function global:__rvenv_deactivate_cmd {
    __rvenv_deactivate
    if ($args.Count -gt 0 -and $args[0] -eq 'nondestructive') { $global:__rvenv.dir = '' }
    else {
        $global:__rvenv.off = $global:__rvenv.root
        # Exported, so that a shell started from here keeps it off too.
        if ($global:__rvenv.root) { $env:__RVENV_OFF = $global:__rvenv.root }
    }
    $global:__rvenv.pin = ''
    Remove-Item Env:__RVENV_PIN -ErrorAction SilentlyContinue
}

# rvenv's answer: calls of the functions above with single-quoted strings
# (src/quote.rs), evaluated here.
function global:__rvenv_apply([string]$code) {
    if ($code) { Invoke-Expression $code }
}

function global:__rvenv_run {
    $here = $PWD.ProviderPath
    $global:__rvenv.asking = $here
    $s = $global:__rvenv
    $code = (& (Get-Command rvenv -CommandType Application | Select-Object -First 1) __hook powershell $here $s.venv $s.off $s.pin $s.told "$($s.mkey)" "$($s.id)") -join "`n"
    __rvenv_apply $code
    $global:__rvenv.asking = ''
    if ($global:__rvenv.dir -ne $here) {
        $global:__rvenv.dir = $here
        $global:__rvenv.sig = __rvenv_sig_of $here
    }
}

function global:__rvenv_newer([string]$a, [string]$b) {
    if (-not (Test-Path -LiteralPath $a)) { return $false }
    if (-not (Test-Path -LiteralPath $b)) { return $true }
    (Get-Item -LiteralPath $a).LastWriteTimeUtc -gt (Get-Item -LiteralPath $b).LastWriteTimeUtc
}

function global:__rvenv_yield {
    $new = __rvenv_path_without $env:PATH $global:__rvenv.path_entry
    if ($null -ne $new) { $env:PATH = $new }
    if ($global:__rvenv.had_pythonhome -and $null -eq $env:_OLD_VIRTUAL_PYTHONHOME) {
        $env:_OLD_VIRTUAL_PYTHONHOME = $global:__rvenv.old_pythonhome
    }
    __rvenv_remove_deactivate
    $global:__rvenv.had_pythonhome = $false; $global:__rvenv.old_pythonhome = ''
    Remove-Item Env:__RVENV_PYTHONHOME -ErrorAction SilentlyContinue
    $global:__rvenv.prefix = ''; $global:__rvenv.venv = ''; $global:__rvenv.path_entry = ''
    Remove-Item Env:__RVENV_VENV -ErrorAction SilentlyContinue
    $global:__rvenv.dir = ''
}

# A venv activated by hand in a parent shell (an activate script, `poetry
# shell`, an IDE's terminal): its deactivate did not come along. This one
# undoes exactly that venv.
function global:__rvenv_deactivate_inherited {
    if ($env:VIRTUAL_ENV) {
        $new = __rvenv_path_without $env:PATH "$($env:VIRTUAL_ENV)/bin"
        if ($null -ne $new) { $env:PATH = $new }
    }
    __rvenv_unset VIRTUAL_ENV
    __rvenv_unset VIRTUAL_ENV_PROMPT
    if ((Get-Command deactivate -CommandType Function -ErrorAction SilentlyContinue).Definition -match '__rvenv_deactivate_inherited') {
        Remove-Item Function:\deactivate
    }
    $global:__rvenv.theirs = ''; $global:__rvenv.theirs_fn = $false; $global:__rvenv.dir = ''
}

function global:__rvenv_check {
    $s = $global:__rvenv
    $here = $PWD.ProviderPath
    $ve = [string]$env:VIRTUAL_ENV
    $conda = [string]$env:CONDA_PREFIX
    $watch = ($s.gitidx -and (__rvenv_newer $s.gitidx $s.gitok)) -or
        ($s.vstamp -and -not (__rvenv_newer $s.vstamp $s.vfile))
    if (-not $s.busy -and -not $s.asking -and $s.dir -and $here -eq $s.dir -and $ve -eq $s.venv -and
        $null -eq $env:_OLD_VIRTUAL_PATH -and $conda -eq $s.conda_seen -and
        (-not $s.venv -or (Test-Path -LiteralPath "$($s.venv)/pyvenv.cfg")) -and
        (__rvenv_path_first_is_ours) -and -not $watch) {
        if ((__rvenv_sig_of $here) -ne $s.sig) { __rvenv_run }
        return
    }
    if ($s.busy) {
        $s.busy = $false; __rvenv_deactivate; $s.dir = ''
    } elseif ($s.asking) {
        $s.root = $s.asking; $s.dir = $s.asking; $s.asking = ''; $s.sig = __rvenv_sig_of $s.dir
    }
    $ve = [string]$env:VIRTUAL_ENV
    # A venv activated by hand (or inherited) belongs to the user, even ours
    # when the user sourced its activate script (which sets
    # _OLD_VIRTUAL_PATH; the hook never does). A venv a parent shell's hook
    # activated (it exported __RVENV_VENV) is not the user's: rvenv checks
    # it and this hook adopts it.
    if ($ve -and ($ve -ne $s.venv -or $null -ne $env:_OLD_VIRTUAL_PATH) -and
        -not (-not $s.venv -and $ve -eq [string]$env:__RVENV_VENV)) {
        if ($s.venv) { __rvenv_yield }
        if ($ve -ne $s.theirs) {
            $s.theirs = $ve
            if (-not (Get-Command deactivate -ErrorAction SilentlyContinue)) {
                function global:deactivate { __rvenv_deactivate_inherited }
                $s.theirs_fn = $true
            }
        }
        return
    }
    if ($s.theirs) {
        # That venv went off by other means than the deactivate given for
        # it: so does that deactivate.
        if ($s.theirs_fn -and (Get-Command deactivate -CommandType Function -ErrorAction SilentlyContinue).Definition -match '__rvenv_deactivate_inherited') {
            Remove-Item Function:\deactivate
        }
        $s.theirs = ''; $s.theirs_fn = $false
    }
    if ($s.venv -and -not $ve) { __rvenv_deactivate; $s.dir = '' }
    if ($s.path_entry -and $conda -eq $s.conda -and -not (__rvenv_path_first_is_ours) -and (__rvenv_reordered)) {
        # An rc file read again or a tool's init put entries that were on
        # PATH already before the venv's bin/ (or took it off): it goes
        # first again, every other entry kept in order. A `conda activate`
        # since the venv went on is the user's switch, and wins; so does a
        # new directory the user put in front.
        __rvenv_path_front $s.path_entry
    }
    if ($conda -ne $s.conda_seen -or -not $s.dir -or ($s.venv -and -not (Test-Path -LiteralPath "$($s.venv)/pyvenv.cfg")) -or $watch) {
        __rvenv_run; return
    }
    if ($here -eq $s.dir) {
        if ((__rvenv_sig_of $here) -ne $s.sig) { __rvenv_run }
        return
    }
    if ($s.root -and -not (__rvenv_within $here $s.root)) { __rvenv_run; return }
    $d = $here
    while (-not (__rvenv_within $s.dir $d)) {
        foreach ($m in $s.markers) {
            if (Test-Path -LiteralPath (Join-Path $d $m)) { __rvenv_run; return }
        }
        $d = Split-Path -Parent $d
        if (-not $d) { $d = '/' }
    }
    $s.dir = $here
    $s.sig = __rvenv_sig_of $here
}

function global:rvenv {
    $exe = Get-Command rvenv -CommandType Application | Select-Object -First 1
    switch ($args[0]) {
        'activate' {
            $env:__RVENV_SHELL = 'powershell'; $env:__RVENV_HOOK_VENV = $global:__rvenv.venv
            try { $code = (& $exe @args) -join "`n" } finally { Remove-Item -Path 'Env:__RVENV_SHELL', 'Env:__RVENV_HOOK_VENV' -ErrorAction SilentlyContinue }
            if ($LASTEXITCODE -eq 0) { __rvenv_apply $code }
        }
        'deactivate' {
            if ($env:VIRTUAL_ENV -and (Get-Command deactivate -ErrorAction SilentlyContinue)) { deactivate }
            else { [Console]::Error.WriteLine('rvenv: no venv is active') }
        }
        { $_ -in 'create', 'allow' } {
            & $exe @args
            if ($LASTEXITCODE -eq 0) { $global:__rvenv.dir = ''; __rvenv_check }
        }
        'deny' {
            $env:__RVENV_HOOK_VENV = $global:__rvenv.venv
            try { & $exe @args } finally { Remove-Item Env:__RVENV_HOOK_VENV -ErrorAction SilentlyContinue }
            if ($LASTEXITCODE -eq 0) {
                $global:__rvenv.dir = ''
                $env:__RVENV_DENIED = '1'
                try { __rvenv_check } finally { Remove-Item Env:__RVENV_DENIED -ErrorAction SilentlyContinue }
            }
        }
        default {
            $env:__RVENV_HOOK_VENV = $global:__rvenv.venv
            try { & $exe @args } finally { Remove-Item Env:__RVENV_HOOK_VENV -ErrorAction SilentlyContinue }
        }
    }
}

# The prompt: the check first (keeping $? and $LASTEXITCODE for the user's
# prompt), then the venv's name in front of the user's prompt.
if ($null -eq $global:__rvenv.user_prompt) {
    $global:__rvenv.user_prompt = $function:prompt
    function global:prompt {
        $ok = $?
        $code = $global:LASTEXITCODE
        try { __rvenv_check } catch { [Console]::Error.WriteLine("rvenv: the hook failed: $_") }
        $global:LASTEXITCODE = $code
        if (-not $ok) { Write-Error '' -ErrorAction Ignore }
        $global:__rvenv.prefix + (& $global:__rvenv.user_prompt)
    }
}
