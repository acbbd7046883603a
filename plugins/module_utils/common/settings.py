# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A role's settings files and the restarts they call for: rendering (INI), comparing, writing a set of files whole
with their validation before any of them replaces its old version, and the record of which handler topics took
their settings (so that a run killed between a file and its handler still restarts the service the next time)."""

from __future__ import annotations

import grp
import os
import pwd
import re
import shlex

from ansible_collections.nestedcloud.openstack.plugins.module_utils.common.files import read_text, staged

DEFAULT_STATE_DIR = "/var/lib/nestedcloud/applied"


# --- INI, as oslo.config reads it --------------------------------------------------------------------------------
def ini_value(value):
    """One value as oslo.config reads it: booleans lower case, lists comma separated, None as empty."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ",".join(ini_value(item) for item in value)
    if isinstance(value, dict):
        return ",".join("%s:%s" % (key, ini_value(item)) for key, item in value.items())
    return str(value)


def to_ini(sections):
    """Render sections in order, DEFAULT first; a key whose value is None (an override's way to remove a default
    key) is left out. ValueError names what is not a dict."""
    if not isinstance(sections, dict):
        raise ValueError("expected a dict of sections, got %s" % type(sections).__name__)
    lines = []
    for name in sorted(sections, key=lambda name: name != "DEFAULT"):
        keys = sections[name]
        if not isinstance(keys, dict):
            raise ValueError("section [%s] must be a dict of keys, got %s" % (name, type(keys).__name__))
        if lines:
            lines.append("")
        lines.append("[%s]" % name)
        lines.extend("%s = %s" % (key, ini_value(value)) for key, value in keys.items() if value is not None)
    return "\n".join(lines) + "\n"


def merged(base, overrides):
    """``base`` with ``overrides`` merged in, dicts recursively (Ansible's ``combine(recursive=True)``)."""
    out = dict(base)
    for key, value in (overrides or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


# --- the record of applied settings -------------------------------------------------------------------------------
def record(state_dir, topic):
    """The record file of a handler topic."""
    return os.path.join(state_dir, re.sub(r"[^A-Za-z0-9_.-]+", "-", topic.strip()))


def pending(topics, state_dir):
    """Topics (in order) with a settings file newer than their record, or a file and no record: settings a run wrote
    and never put in effect (it was killed before its handlers)."""
    found = []
    for topic, paths in topics.items():
        times = [os.stat(p).st_mtime for p in paths if os.path.exists(p)]
        if not times:
            continue
        try:
            applied = os.stat(record(state_dir, topic)).st_mtime
        except FileNotFoundError:
            applied = None
        if applied is None or max(times) > applied:
            found.append(topic)
    return found


def mark_applied(topics, state_dir):
    """Touch the record of each topic: its settings are now in effect."""
    os.makedirs(state_dir, mode=0o755, exist_ok=True)
    for topic in topics:
        with open(record(state_dir, topic), "a"):
            os.utime(record(state_dir, topic), None)


# --- a set of files written whole ---------------------------------------------------------------------------------
class SettingsError(Exception):
    """A bad entry or a refused file, naming the field (``files[2].group``) or the file."""


def _owner_ids(entry, where):
    try:
        uid = pwd.getpwnam(entry["owner"]).pw_uid
    except KeyError:
        raise SettingsError("%s.owner: no user %r on this host" % (where, entry["owner"]))
    try:
        gid = grp.getgrnam(entry["group"]).gr_gid
    except KeyError:
        raise SettingsError("%s.group: no group %r on this host" % (where, entry["group"]))
    return uid, gid


def _mode(entry, where):
    try:
        mode = int(str(entry["mode"]), 8)
    except ValueError:
        raise SettingsError("%s.mode: %r is not an octal mode such as '0640'" % (where, entry["mode"]))
    if not 0 <= mode <= 0o7777:
        raise SettingsError("%s.mode: %r is not a file mode" % (where, entry["mode"]))
    return mode


def edited(text, edits, where):
    """``text`` with each edit of ``edits`` applied in order, as ansible.builtin.lineinfile does one: the last line
    matching ``regexp`` becomes ``line``; without a match the line goes after the last line matching ``insertafter``,
    or at the end (and nowhere when the same line is there already)."""
    lines = text.splitlines()
    for number, edit in enumerate(edits):
        here = "%s.edits[%d]" % (where, number)
        if not isinstance(edit, dict) or not isinstance(edit.get("regexp"), str) or not isinstance(edit.get("line"), str):
            raise SettingsError("%s: a regexp and a line are needed, not %r" % (here, edit))
        try:
            match = re.compile(edit["regexp"])
            after = re.compile(edit["insertafter"]) if edit.get("insertafter") else None
        except re.error as err:
            raise SettingsError("%s: not a regular expression: %s" % (here, err))
        found = [i for i, line in enumerate(lines) if match.search(line)]
        if found:
            lines[found[-1]] = edit["line"]
        elif edit["line"] not in lines:
            anchors = [i for i, line in enumerate(lines) if after and after.search(line)]
            lines.insert(anchors[-1] + 1 if anchors else len(lines), edit["line"])
    return "\n".join(lines) + "\n" if lines else ""


def key_edits(keys, separator, where):
    """The edits that set ``keys`` ({key: value}) in a ``key = value`` file (qemu.conf, a shell defaults file): each
    key's line, commented out or not, becomes ``key<separator>value``; a key with no line is added at the end."""
    if not isinstance(keys, dict):
        raise SettingsError("%s.keys: a dict of keys and values is needed, not %r" % (where, keys))
    edits = []
    for key, value in keys.items():
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise SettingsError("%s.keys.%s: a string or a number as the file spells it is needed, not %r"
                                % (where, key, value))
        edits.append({"regexp": r"^#?\s*%s\s*=" % re.escape(str(key)), "line": "%s%s%s" % (key, separator, value)})
    return edits


def text_of(entry, header, where):
    """The whole text of one entry: the header, then its content or its INI sections with their overrides; or the
    file as it is with its edits or keys (no header: the file is somebody else's)."""
    given = [key for key in ("content", "ini", "edits", "keys") if entry.get(key) is not None]
    if len(given) != 1:
        raise SettingsError("%s: give exactly one of content, ini, edits and keys" % where)
    if given[0] in ("edits", "keys"):
        current = read_text(entry["path"]) if os.path.exists(entry["path"]) else ""
        if current is None:
            raise SettingsError("%s.path: %s cannot be read" % (where, entry["path"]))
        edits = entry["edits"] if given == ["edits"] else \
            key_edits(entry["keys"], entry.get("separator") or " = ", where)
        return edited(current, edits, where)
    if entry.get("content") is not None:
        body = entry["content"]
    else:
        if entry.get("ini_overrides") is not None and not isinstance(entry["ini_overrides"], dict):
            raise SettingsError("%s.ini_overrides: a dict of sections is needed" % where)
        try:
            body = to_ini(merged(entry["ini"], entry.get("ini_overrides")))
        except ValueError as err:
            raise SettingsError("%s.ini: %s" % (where, err))
    if header:
        body = header.rstrip("\n") + "\n" + body
    return body


def with_defaults(entry, defaults):
    """The entry's owner, group and mode, or the defaults; an edited file that exists keeps its own."""
    entry = dict(entry)
    try:
        st = os.stat(entry["path"]) if entry.get("edits") is not None or entry.get("keys") is not None else None
    except OSError:
        st = None
    own = dict(owner=st and pwd.getpwuid(st.st_uid).pw_name, group=st and grp.getgrgid(st.st_gid).gr_name,
               mode=st and "%04o" % (st.st_mode & 0o7777))
    for key in ("owner", "group", "mode"):
        if entry.get(key) is None:
            entry[key] = own[key] or defaults[key]
    return entry


def plan(files, header="", defaults=None):
    """What each entry should be, checked before anything is touched: [{path, text, uid, gid, mode, topic, validate,
    entry index}]. SettingsError names the first bad field."""
    defaults = defaults or dict(owner="root", group="root", mode="0644")
    wanted = []
    seen = {}
    for index, entry in enumerate(files):
        where = "files[%d]" % index
        path = entry.get("path") or ""
        if not os.path.isabs(path):
            raise SettingsError("%s.path: an absolute path is needed, not %r" % (where, path))
        if path in seen:
            raise SettingsError("%s.path: %s is also files[%d]" % (where, path, seen[path]))
        seen[path] = index
        if not os.path.isdir(os.path.dirname(path)):
            raise SettingsError("%s.path: the directory %s does not exist" % (where, os.path.dirname(path)))
        validate = entry.get("validate")
        if validate and "%s" not in validate:
            raise SettingsError("%s.validate: the command must name the file to check as %%s" % where)
        entry = with_defaults(entry, defaults)
        uid, gid = _owner_ids(entry, where)
        wanted.append(dict(path=path, text=text_of(entry, header, where), uid=uid, gid=gid, mode=_mode(entry, where),
                           topic=entry.get("topic"), validate=validate, index=index))
    return wanted


def differs(want):
    """What differs between the file on disk and ``want``: [] or some of content, mode, owner (the old text too)."""
    try:
        st = os.stat(want["path"])
    except FileNotFoundError:
        return ["content"], None
    with open(want["path"], encoding="utf-8", errors="surrogateescape") as handle:
        before = handle.read()
    what = []
    if before != want["text"]:
        what.append("content")
    if st.st_mode & 0o7777 != want["mode"]:
        what.append("mode")
    if (st.st_uid, st.st_gid) != (want["uid"], want["gid"]):
        what.append("owner")
    return what, before


def _validated(want, tmp, run):
    if not want["validate"]:
        return
    argv = [word.replace("%s", tmp) for word in shlex.split(want["validate"])]
    rc, out, err = run(argv)
    if rc != 0:
        raise SettingsError("files[%d]: %s refused the new %s (rc %d): %s" % (
            want["index"], argv[0], want["path"], rc, (err or out).strip()[-800:]))


def write_all(wanted, run):
    """Write the files of ``wanted`` (from ``plan``, only those that differ): all staged next to their targets and
    validated first (``run``: the module's run_command), then each renamed over its target - a refused file leaves
    every target as it was."""
    ready = []
    try:
        for want in wanted:
            tmp = staged(want["path"], want["text"], want["mode"], (want["uid"], want["gid"]))
            ready.append((want, tmp))
            _validated(want, tmp, run)
        for want, tmp in ready:
            os.replace(tmp, want["path"])
        ready = []
    finally:
        for left in ready:  # a refused or failed set: nothing of it stays
            if os.path.exists(left[1]):
                os.unlink(left[1])


def topics_of(wanted, extra=None):
    """{topic: [paths]} of the entries that notify a topic, with the extra files of other tasks by topic."""
    topics = {}
    for want in wanted:
        if want["topic"]:
            topics.setdefault(want["topic"], []).append(want["path"])
    for topic, paths in (extra or {}).items():
        known = topics.setdefault(topic, [])
        known.extend(p for p in paths if p not in known)
    return topics


def ordered_union(*lists):
    out = []
    for items in lists:
        out.extend(item for item in items if item not in out)
    return out
