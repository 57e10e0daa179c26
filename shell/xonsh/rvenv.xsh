# rvenv shell integration for xonsh. Load it from ~/.xonshrc with:
#     execx($(rvenv hook xonsh))
# It adds the aliases `rvenv` (and `deactivate` while a venv is on), an
# on_chdir handler (so a command after `cd` on the same line runs in the
# venv), an on_pre_prompt_format handler (run before each prompt is made, so
# the prompt drawn after a `cd` already shows the venv), and the prompt field
# `{rvenv_prefix}` put in front of $PROMPT (not when $PROMPT shows
# `{env_name}`, which names the venv already). Loading it twice is harmless.
#
# rvenv's answer is read as data: each line a call of one of the operations
# below with string literals, parsed with `ast` and checked before it is
# applied; no line of it is executed.
#
# State (see shell/bash/rvenv.bash for what each means): venv root off pin
# told dir sig markers. The hook starts rvenv only when a cheap test says the
# answer may have changed; a prompt where nothing changed starts no process.


def __rvenv_make():
    import ast
    import os
    import subprocess
    import sys

    from xonsh.built_ins import XSH
    from xonsh.events import events

    env = XSH.env
    old = XSH.ctx.get("__rvenv")
    if old is not None:
        # A second load: the first one's state and handlers stay.
        return old

    # The variables the hook sets that xonsh does not know, registered as
    # plain strings with no default, as xonsh registers VIRTUAL_ENV: unset,
    # they stay absent. For a name it does not know, xonsh tries each of its
    # variables' patterns, three times at each assignment and once more for
    # every command it starts after a change (a crossing does both): an
    # assignment cost 120 us here, 9 us registered. A xonsh without this
    # interface only stays slower.
    try:
        from xonsh.environ import Var

        known = env._vars
        for name, doc in (
            ("__RVENV_VENV", "rvenv: the venv this shell's hook activated, for a child shell to adopt"),
            ("__RVENV_PYTHONHOME", "rvenv: the PYTHONHOME set aside while the hook's venv is on"),
            ("__RVENV_OFF", "rvenv: the project whose venv `deactivate` turned off"),
            ("__RVENV_PIN", "rvenv: the venv `rvenv activate` turned on"),
            ("__RVENV_DENIED", "rvenv: set while `rvenv deny` asks the hook again"),
            ("VIRTUAL_ENV_PROMPT", "The prompt name of the active virtual environment"),
        ):
            if name not in known:
                known[name] = Var.no_default("str", doc, is_configurable=False)
    except Exception:
        pass

    st = dict(
        venv="", root="", off="", pin="", told="", dir="", sig="", markers=[],
        gitidx="", gitok="", vfile="", vstamp="", path_entry="", prefix="", had_pythonhome=False,
        old_pythonhome="", busy=False, asking="", expand=None, mkey="",
        conda="", conda_seen="", path_then=[], theirs="", theirs_fn=False,
        # This hook's id, handed to rvenv last: an rvenv installed since
        # this shell loaded its hook says so.
        id='@RVENV_HOOK_ID@',
    )

    def pwd():
        return env.get("PWD") or os.getcwd()

    def exists(p):
        return os.path.exists(p)

    # One 0/1 per marker, for directory d. The current directory's are asked
    # as ".": the kernel finds "./name" in two steps where it walks every
    # component of "$PWD/name", half the cost of the test. (A signature is
    # only compared in the directory it was taken in.)
    def sig_of(d):
        return "".join("1" if exists(os.path.join(d, m)) else "0" for m in st["markers"])

    def within(a, b):
        return b == "/" or a == b or a.startswith(b + "/")

    def newer(a, b):
        try:
            return os.stat(a).st_mtime_ns > os.stat(b).st_mtime_ns
        except OSError:
            return os.path.exists(a)

    def raw_path():
        # PATH's entries as stored: reading them through EnvPath would
        # expand $VAR and ~ in each (EXPAND_ENV_VARS).
        p = env.get("PATH")
        return list(getattr(p, "_l", p or []))

    def path_without(entries, entry):
        if not entry or entry not in entries:
            return None
        out = list(entries)
        out.remove(entry)
        return out

    # The operations rvenv's answers are made of (src/render.rs, Op), each
    # recording what it does before doing it (see the bash hook).
    def begin():
        st["busy"] = True
        st["asking"] = ""

    def own(v):
        # Exported as __RVENV_VENV, for a child shell to adopt. While
        # CONDA_PREFIX stays what it is now, the venv's bin/ is kept first.
        st["venv"] = v
        st["conda"] = env.get("CONDA_PREFIX", "")
        if v:
            env["__RVENV_VENV"] = v
        elif "__RVENV_VENV" in env:
            del env["__RVENV_VENV"]

    def set_(name, value):
        env[name] = value

    def unset(name):
        if name in env:
            del env[name]

    def stash_pythonhome():
        if "PYTHONHOME" in env:
            st["old_pythonhome"] = env["PYTHONHOME"]
            st["had_pythonhome"] = True
            # For a child shell that adopts the venv, to give back there too.
            env["__RVENV_PYTHONHOME"] = env["PYTHONHOME"]
            del env["PYTHONHOME"]
        else:
            st["had_pythonhome"] = False
            unset("__RVENV_PYTHONHOME")

    def restore_pythonhome():
        if st["had_pythonhome"]:
            env["PYTHONHOME"] = st["old_pythonhome"]
        st["had_pythonhome"] = False
        st["old_pythonhome"] = ""
        unset("__RVENV_PYTHONHOME")

    def adopt_pythonhome(value):
        # The PYTHONHOME a parent shell's hook set aside for the venv this
        # hook adopted (rvenv's AdoptPythonHome): given back when it goes
        # off here.
        st["old_pythonhome"] = value
        st["had_pythonhome"] = True

    def path_first(entry):
        st["path_entry"] = entry
        # xonsh would expand `$NAME` or `~` in a PATH entry each time PATH
        # is read: while such an entry of ours is on, that is turned off.
        from xonsh.tools import expand_path

        if expand_path(entry) != entry and st["expand"] is None:
            st["expand"] = env.get("EXPAND_ENV_VARS")
            env["EXPAND_ENV_VARS"] = False
        env["PATH"] = [entry] + raw_path()
        st["path_then"] = raw_path()

    def path_front(entry):
        # A parent shell's hook's entry, moved (or put back) first.
        out = path_without(raw_path(), entry)
        if out is not None:
            env["PATH"] = out
        path_first(entry)

    def reordered():
        # True when every entry in front of the hook's (every entry, when
        # it is gone) was on PATH when the venv went on.
        p = raw_path()
        front = p[: p.index(st["path_entry"])] if st["path_entry"] in p else p
        return all(e in st["path_then"] for e in front)

    def path_remove(entry):
        if st["path_entry"]:
            out = path_without(raw_path(), entry)
            if out is not None:
                env["PATH"] = out
        st["path_entry"] = ""
        if st["expand"] is not None:
            env["EXPAND_ENV_VARS"] = st["expand"]
            st["expand"] = None

    def prompt(shown):
        # The prompt is formatted twice (fields, then colour tokens): the
        # field's value keeps its braces by doubling them.
        if "VIRTUAL_ENV_DISABLE_PROMPT" in env:
            st["prefix"] = ""
        else:
            st["prefix"] = "(" + shown.replace("{", "{{").replace("}", "}}") + ") "

    def prompt_clear():
        st["prefix"] = ""

    def deactivate_cmd(args=None, stdin=None):
        deactivate_all()
        if args and args[0] == "nondestructive":
            st["dir"] = ""
        else:
            st["off"] = st["root"]
            # Exported, so that a shell started from here keeps it off too.
            if st["root"]:
                env["__RVENV_OFF"] = st["root"]
        st["pin"] = ""
        if "__RVENV_PIN" in env:
            del env["__RVENV_PIN"]

    def define_deactivate():
        XSH.aliases["deactivate"] = deactivate_cmd

    def ours(name, fn):
        # xonsh keeps a function alias wrapped (FuncAlias, .func).
        a = getattr(XSH.aliases, "_raw", {}).get(name)
        return a is fn or getattr(a, "func", None) is fn

    def remove_deactivate():
        if ours("deactivate", deactivate_cmd):
            del XSH.aliases["deactivate"]

    def deactivate_theirs():
        ve = env.get("VIRTUAL_ENV", "")
        if ve and ve != st["venv"] and "deactivate" in XSH.aliases:
            XSH.aliases["deactivate"]([], None)

    def state(root, off, told, *signature):
        st.update(root=root, off=off, told=told)
        st["conda_seen"] = env.get("CONDA_PREFIX", "")
        st["dir"] = pwd()
        st["sig"] = sig_of(st["dir"])
        st["busy"] = False

    def set_markers(key, *markers):
        # The key is handed back to rvenv (MARKS), which sends the markers
        # again only when it changed.
        st.update(mkey=key, markers=list(markers))

    def watch(idx, stamp, vfile="", vstamp=""):
        st["gitidx"] = idx
        st["gitok"] = stamp
        st["vfile"] = vfile
        st["vstamp"] = vstamp

    def pin(v):
        st["pin"] = v
        st["off"] = ""
        st["busy"] = False

    def activate(v, prompt_, shown):
        # The venv v on (rvenv's Activate), each step recorded before it
        # is made.
        own(v)
        stash_pythonhome()
        env["VIRTUAL_ENV"] = v
        env["VIRTUAL_ENV_PROMPT"] = prompt_
        path_first(v + "/bin")
        prompt(shown)
        define_deactivate()

    # What an answer may call (src/render.rs, Op); two steps of the undo
    # too, which are safe alone (an answer cut short is one of them).
    ops = {
        "__rvenv_begin": begin,
        "__rvenv_deactivate_theirs": deactivate_theirs,
        "__rvenv_activate": activate,
        "__rvenv_deactivate": lambda: deactivate_all(),
        "__rvenv_own": own,
        "__rvenv_adopt_pythonhome": adopt_pythonhome,
        "__rvenv_set": set_,
        "__rvenv_path_front": path_front,
        "__rvenv_prompt": prompt,
        "__rvenv_define_deactivate": define_deactivate,
        "__rvenv_unset": unset,
        "__rvenv_restore_pythonhome": restore_pythonhome,
        "__rvenv_path_remove": path_remove,
        "__rvenv_state": state,
        "__rvenv_set_markers": set_markers,
        "__rvenv_pin": pin,
        "__rvenv_watch": watch,
    }

    def apply(code):
        # Each line: NAME('str', ...), nothing else.
        for line in code.splitlines():
            if not line.strip():
                continue
            try:
                call = ast.parse(line, mode="eval").body
                ok = (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id in ops
                    and not call.keywords
                    and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.args)
                )
            except SyntaxError:
                ok = False
            if not ok:
                print("rvenv: the hook ignored a line it cannot read: " + ascii(line), file=sys.stderr)
                continue
            ops[call.func.id](*[a.value for a in call.args])

    def deactivate_all():
        st["gitidx"] = ""
        st["vstamp"] = ""
        if not st["venv"]:
            return
        path_remove(st["path_entry"])
        restore_pythonhome()
        prompt_clear()
        unset("VIRTUAL_ENV")
        unset("VIRTUAL_ENV_PROMPT")
        remove_deactivate()
        own("")

    def rvenv_env():
        # The environment rvenv is started with (a copy: callers add to it).
        return dict(env.detype())

    def rvenv_program(path):
        # The rvenv on the shell's PATH (not the alias); `path`: that PATH,
        # from the environment rvenv_env() made (each detyping converts the
        # whole environment).
        from shutil import which

        return which("rvenv", path=path) or "rvenv"

    def run():
        here = pwd()
        st["asking"] = here
        code = ""
        try:
            e = rvenv_env()
            out = subprocess.run(
                [rvenv_program(e.get("PATH")), "__hook", "xonsh", here, st["venv"], st["off"], st["pin"], st["told"], st["mkey"], st["id"]],
                stdout=subprocess.PIPE,
                env=e,
            )
            code = out.stdout.decode("ascii", "replace")
        except OSError as e:
            print("rvenv: cannot run rvenv: " + str(e), file=sys.stderr)
        apply(code)
        st["asking"] = ""
        if st["dir"] != here:
            # rvenv failed (it said why): as if it had decided for this
            # directory alone, do not ask again until the user leaves it or
            # a marker here changes.
            st["root"] = here
            st["dir"] = here
            st["sig"] = sig_of(".")

    def yield_():
        # A venv activated by hand took over from ours: our PATH entry and
        # prompt prefix out, our saved PYTHONHOME handed to it.
        out = path_without(raw_path(), st["path_entry"])
        if out is not None:
            env["PATH"] = out
        if st["had_pythonhome"] and "_OLD_VIRTUAL_PYTHONHOME" not in env:
            env["_OLD_VIRTUAL_PYTHONHOME"] = st["old_pythonhome"]
        remove_deactivate()
        st.update(had_pythonhome=False, old_pythonhome="", prefix="", venv="", path_entry="", dir="")
        unset("__RVENV_PYTHONHOME")
        if "__RVENV_VENV" in env:
            del env["__RVENV_VENV"]
        if st["expand"] is not None:
            env["EXPAND_ENV_VARS"] = st["expand"]
            st["expand"] = None

    def deactivate_inherited(args=None, stdin=None):
        # A venv activated by hand in a parent shell (an activate script,
        # `poetry shell`, an IDE's terminal): its deactivate did not come
        # along. This one undoes exactly that venv.
        ve = env.get("VIRTUAL_ENV", "")
        if ve:
            out = path_without(raw_path(), ve + "/bin")
            if out is not None:
                env["PATH"] = out
        unset("VIRTUAL_ENV")
        unset("VIRTUAL_ENV_PROMPT")
        if ours("deactivate", deactivate_inherited):
            del XSH.aliases["deactivate"]
        st.update(theirs="", theirs_fn=False, dir="")

    def path_first_is_ours():
        p = raw_path()
        return not st["path_entry"] or (p[:1] == [st["path_entry"]]) or env.get("CONDA_PREFIX", "") != st["conda"]

    def watch_changed():
        # The git index rewritten since rvenv found it clean; or the venv's
        # pyvenv.cfg no older than the stamp rvenv wrote when it last judged
        # the venv (or the stamp gone): a venv made again since, perhaps
        # within one command, which rvenv judges anew.
        if st["gitidx"] and newer(st["gitidx"], st["gitok"]):
            return True
        stamp = st.get("vstamp", "")
        return bool(stamp) and not newer(stamp, st.get("vfile", ""))

    def check():
        here = pwd()
        venv = st["venv"]
        ve = env.get("VIRTUAL_ENV", "")
        conda = env.get("CONDA_PREFIX", "")
        if (
            not st["busy"] and not st["asking"] and st["dir"] and here == st["dir"]
            and ve == venv and "_OLD_VIRTUAL_PATH" not in env and conda == st["conda_seen"]
            and (not venv or exists(venv + "/pyvenv.cfg")) and path_first_is_ours()
            and not watch_changed()
        ):
            if sig_of(".") != st["sig"]:
                run()
            return
        if st["busy"]:
            # An answer was cut short (Ctrl-C): undo it, ask again.
            st["busy"] = False
            deactivate_all()
            st["dir"] = ""
        elif st["asking"]:
            # Ctrl-C stopped rvenv before it answered: as if rvenv had
            # decided for that directory alone.
            at = st["asking"]
            st.update(root=at, dir=at, asking="")
            st["sig"] = sig_of(at)
        venv = st["venv"]
        ve = env.get("VIRTUAL_ENV", "")
        # A venv activated by hand (or inherited) belongs to the user, even
        # ours when the user sourced its activate script (which sets
        # _OLD_VIRTUAL_PATH; the hook never does). A venv a parent shell's
        # hook activated (it exported __RVENV_VENV) is not the user's:
        # rvenv checks it and this hook adopts it.
        if (
            ve and (ve != venv or "_OLD_VIRTUAL_PATH" in env)
            and not (not venv and ve == env.get("__RVENV_VENV", ""))
        ):
            if venv:
                yield_()
            if ve != st["theirs"]:
                st["theirs"] = ve
                if "deactivate" not in XSH.aliases:
                    XSH.aliases["deactivate"] = deactivate_inherited
                    st["theirs_fn"] = True
            return
        if st["theirs"]:
            # That venv went off by other means than the deactivate given
            # for it: so does that deactivate.
            if st["theirs_fn"] and ours("deactivate", deactivate_inherited):
                del XSH.aliases["deactivate"]
            st.update(theirs="", theirs_fn=False)
        if venv and not ve:
            # VIRTUAL_ENV was unset behind our back: finish the job.
            deactivate_all()
            st["dir"] = ""
        p = raw_path()
        if (
            st["path_entry"] and conda == st["conda"] and p[:1] != [st["path_entry"]]
            and reordered()
        ):
            # An rc file read again or a tool's init put entries that were
            # on PATH already before the venv's bin/ (or took it off): it
            # goes first again, every other entry kept in order. A `conda
            # activate` since the venv went on is the user's switch, and
            # wins; so does a new directory the user put in front.
            path_front(st["path_entry"])
        venv = st["venv"]
        if (
            conda != st["conda_seen"] or not st["dir"] or (venv and not exists(venv + "/pyvenv.cfg"))
            or watch_changed()
        ):
            run()
            return
        if here == st["dir"]:
            if sig_of(".") != st["sig"]:
                run()
            return
        if st["root"] and not within(here, st["root"]):
            run()
            return
        # Still inside the same project (or none): only the directories
        # between here and the part already known can hold a new project.
        d = here
        while not within(st["dir"], d):
            if any(exists(os.path.join(d, m)) for m in st["markers"]):
                run()
                return
            d = os.path.dirname(d) or "/"
        st["dir"] = here
        st["sig"] = sig_of(".")

    def hook(**kwargs):
        # A script (whose `cd` fires on_chdir too) never runs the hook.
        if not env.get("XONSH_INTERACTIVE"):
            return
        try:
            check()
        except Exception as e:  # the prompt must come back
            print("rvenv: the hook failed: " + ascii(e), file=sys.stderr)

    def field():
        return st["prefix"]

    def call(argv, out, e):
        # rvenv's output goes where the alias's goes (a redirection, a
        # pipe): to that file when it is one, else through it.
        try:
            fd = out.fileno() if out is not None else None
        except Exception:
            fd = None
        if fd is not None or out is None:
            return subprocess.run(argv, env=e, stdout=fd).returncode
        r = subprocess.run(argv, env=e, stdout=subprocess.PIPE)
        out.write(r.stdout.decode("utf-8", "replace"))
        out.flush()
        return r.returncode

    def rvenv_alias(args, stdin=None, stdout=None):
        cmd = args[0] if args else ""
        # One detyping (it converts the whole environment) for both.
        e = rvenv_env()
        prog = rvenv_program(e.get("PATH"))
        if cmd == "activate":
            out = subprocess.run(
                [prog] + list(args), stdout=subprocess.PIPE,
                env=dict(e, __RVENV_SHELL="xonsh", __RVENV_HOOK_VENV=st["venv"]),
            )
            if out.returncode != 0:
                return out.returncode
            apply(out.stdout.decode("ascii", "replace"))
            return 0
        if cmd == "deactivate":
            if env.get("VIRTUAL_ENV", "") and "deactivate" in XSH.aliases:
                XSH.aliases["deactivate"]([], None)
                return 0
            print("rvenv: no venv is active", file=sys.stderr)
            return 1
        if cmd in ("create", "allow"):
            rc = call([prog] + list(args), stdout, e)
            if rc != 0:
                return rc
            # The venv may now be there, or be trusted: decide at once.
            st["dir"] = ""
            hook()
            return 0
        if cmd == "deny":
            rc = call([prog] + list(args), stdout, dict(e, __RVENV_HOOK_VENV=st["venv"]))
            if rc != 0:
                return rc
            st["dir"] = ""
            denied = env.get("__RVENV_DENIED")
            env["__RVENV_DENIED"] = "1"
            try:
                hook()
            finally:
                if denied is None:
                    del env["__RVENV_DENIED"]
                else:
                    env["__RVENV_DENIED"] = denied
            return 0
        return call([prog] + list(args), stdout, dict(e, __RVENV_HOOK_VENV=st["venv"]))

    def wrap_prompt(**kwargs):
        # The user's $PROMPT, whatever it is now, gets the field in front.
        p = env.get("PROMPT")
        if isinstance(p, str) and "{rvenv_prefix}" not in p and "{env_name}" not in p:
            env["PROMPT"] = "{rvenv_prefix}" + p

    env["PROMPT_FIELDS"]["rvenv_prefix"] = field
    XSH.aliases["rvenv"] = rvenv_alias
    events.on_pre_prompt_format(hook)
    # At the cd itself too, so a command after it on the same line runs in
    # the venv (the prompt after it finds nothing changed).
    events.on_chdir(hook)
    events.on_pre_prompt_format(wrap_prompt)
    handle = dict(st=st, check=check, deactivate_all=deactivate_all, apply=apply, ops=ops)
    XSH.ctx["__rvenv"] = handle
    return handle


__rvenv_make()
del __rvenv_make
