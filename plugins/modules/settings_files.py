#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: settings_files
short_description: Write a role's settings files whole in one step, and name the handler topics to notify
version_added: 0.1.0
description:
  - Writes each file of O(files) whole (its text, mode, owner and group), with one round trip to the host for the
    whole set instead of one task per file. Files are written atomically (a temporary file in the same directory,
    renamed over the old one); every file that has a O(files[].validate) command is checked first, and a refused
    file leaves every file of the set as it was.
  - Returns in RV(notify) the handler topics to notify - the topics of the files it changed, and the topics whose
    settings a run killed before its handlers wrote and never put in effect (a file newer than the topic's record in
    O(state_dir), as M(nestedcloud.openstack.pending_restarts) keeps it). A role notifies them with one
    C(ansible.builtin.debug) loop (see the examples); its handlers end with M(nestedcloud.openstack.pending_restarts)
    and O(nestedcloud.openstack.pending_restarts#module:applied).
  - A file's text is O(files[].content), or O(files[].ini) (an oslo.config INI file from sections) merged with
    O(files[].ini_overrides), after O(header) when given.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reports which files would change and which topics would be notified; writes nothing.
  diff_mode:
    support: full
    details: The text before and after of each changed file, except when O(secret) is set.
  platform:
    platforms: posix
options:
  files:
    description: The files, each written whole.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: The file's absolute path; its directory must exist.
        type: path
        required: true
        aliases: [file]
      content:
        description: The file's text (after O(header)). Exactly one of O(files[].content), O(files[].ini),
          O(files[].edits) and O(files[].keys).
        type: str
      ini:
        description:
          - The file's INI sections, a dict of sections each a dict of keys, C(DEFAULT) first; booleans as C(true) or
            C(false), lists comma separated, a key whose value is null left out.
        type: dict
        aliases: [settings]
      ini_overrides:
        description: Sections merged into O(files[].ini), recursively (an operator's overrides).
        type: dict
        aliases: [overrides]
      edits:
        description:
          - Lines to set in the file as it is (a file of the distribution's), each as M(ansible.builtin.lineinfile)
            sets one - C(regexp), C(line) and optionally C(insertafter) - in order. Exactly one of
            O(files[].content), O(files[].ini), O(files[].edits) and O(files[].keys). A missing file starts empty;
            O(header) is not added.
        type: list
        elements: dict
      keys:
        description:
          - Keys to set in the file as it is, a C(key = value) file of the distribution's (C(qemu.conf), a shell
            defaults file); each key's line, commented out or not, becomes the key, O(files[].separator) and the value;
            a key with no line is added at the end. Values as the file spells them (strings or numbers). Exactly one
            of O(files[].content), O(files[].ini), O(files[].edits) and O(files[].keys); O(header) is not added.
        type: dict
      separator:
        description: What goes between a key and its value for O(files[].keys), C(=) for a shell file.
        type: str
        default: " = "
      owner:
        description: The file's owner. Defaults to O(owner), or for O(files[].edits) and O(files[].keys) to the file's own.
        type: str
      group:
        description: The file's group. Defaults to O(group), or for O(files[].edits) and O(files[].keys) to the file's own.
        type: str
      mode:
        description: The file's mode, octal as a string. Defaults to O(mode), or for O(files[].edits) and O(files[].keys)
          to the file's own.
        type: raw
      topic:
        description: The handler topic to notify when this file changes, or whose settings it belongs to.
        type: str
        aliases: [notify]
      validate:
        description: A command that checks the new file before it replaces the old one, the file named as C(%s),
          for example C(nft -c -f %s).
        type: str
  header:
    description: Text put before every file's text, such as the C(ansible_managed) comment.
    type: str
    default: ""
  owner:
    description: The owner of files that do not name one.
    type: str
    default: root
  group:
    description: The group of files that do not name one.
    type: str
    default: root
  mode:
    description: The mode of files that do not name one.
    type: raw
    default: "0644"
  pending:
    description: More settings files by handler topic, written by other tasks (a file edited in place), whose topics
      are notified when they are newer than the topic's record.
    type: dict
    default: {}
  state_dir:
    description: Where the records of applied settings are kept (one empty file per topic).
    type: path
    default: /var/lib/nestedcloud/applied
  secret:
    description: The files hold secrets; no text of theirs goes into the diff.
    type: bool
    default: false
notes:
  - Mark the task C(no_log) when the files hold secrets; O(secret) keeps them out of the diff.
seealso:
  - module: nestedcloud.openstack.pending_restarts
"""

EXAMPLES = r"""
- name: The proxy's and the firewall's settings
  nestedcloud.openstack.settings_files:
    header: "{{ ansible_managed | comment }}"
    files:
      - path: /etc/squid/squid.conf
        content: "{{ lookup('ansible.builtin.template', 'squid.conf.j2') }}"
        validate: squid -k parse -f %s
        topic: jumphost squid changed
      - path: /etc/nftables.conf
        content: "{{ lookup('ansible.builtin.template', 'nftables.conf.j2') }}"
        mode: "0755"
        validate: nft -c -f %s
        topic: jumphost nftables changed
  register: _jumphost_files

- name: Restart or reload what changed, or what a killed run left on old settings
  ansible.builtin.debug:
    msg: "{{ item }}"
  loop: "{{ _jumphost_files.notify }}"
  changed_when: true
  notify: "{{ item }}"

- name: A service's INI file, the role's settings with the operator's overrides
  nestedcloud.openstack.settings_files:
    mode: "0640"
    files:
      - path: /etc/nova/nova.conf
        ini: {DEFAULT: {debug: false}, api: {auth_strategy: keystone}}
        ini_overrides: {DEFAULT: {debug: true}}
        group: nova
        topic: overcloud nova changed
    secret: true
  no_log: true
"""

RETURN = r"""
changed_files:
  description: The files written (or that would be, in check mode), in the order of O(files).
  returned: always
  type: list
  elements: str
  sample: [/etc/squid/squid.conf]
notify:
  description: The handler topics to notify, in order - those of changed files, then those left pending by a killed
    run.
  returned: always
  type: list
  elements: str
  sample: [jumphost squid changed]
pending:
  description: The topics whose settings were written before this run and never applied (newer than their record).
  returned: always
  type: list
  elements: str
  sample: [jumphost chrony changed]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestedcloud.openstack.plugins.module_utils.common import settings

FILE_OPTIONS = dict(
    path=dict(type="path", required=True, aliases=["file"]),
    content=dict(type="str"),
    ini=dict(type="dict", aliases=["settings"]),
    ini_overrides=dict(type="dict", aliases=["overrides"]),
    owner=dict(type="str"),
    group=dict(type="str"),
    mode=dict(type="raw"),
    topic=dict(type="str", aliases=["notify"]),
    validate=dict(type="str"),
    edits=dict(type="list", elements="dict"),
    keys=dict(type="dict", no_log=False),
    separator=dict(type="str", default=" = "),
)


def main():
    module = AnsibleModule(argument_spec=dict(
        files=dict(type="list", elements="dict", required=True, options=FILE_OPTIONS),
        header=dict(type="str", default=""),
        owner=dict(type="str", default="root"),
        group=dict(type="str", default="root"),
        mode=dict(type="raw", default="0644"),
        pending=dict(type="dict", default={}),
        state_dir=dict(type="path", default=settings.DEFAULT_STATE_DIR),
        secret=dict(type="bool", default=False),
    ), supports_check_mode=True)
    p = module.params
    for topic, paths in p["pending"].items():
        if not isinstance(paths, list) or not all(isinstance(x, str) for x in paths):
            module.fail_json(msg="pending[%s]: a list of file paths is needed, not %r" % (topic, paths))
    try:
        wanted = settings.plan(p["files"], p["header"], dict(owner=p["owner"], group=p["group"], mode=p["mode"]))
        # before anything is written: a file written now is newer than its record too, and is notified anyway
        left = settings.pending(settings.topics_of(wanted, p["pending"]), p["state_dir"])
        changes, diffs = [], []
        for want in wanted:
            what, before = settings.differs(want)
            if what:
                changes.append(want)
                if module._diff and not p["secret"]:
                    diffs.append(dict(before_header=want["path"], after_header=want["path"],
                                      before=before or "", after=want["text"]))
        if changes and not module.check_mode:
            settings.write_all(changes, run=module.run_command)
    except (settings.SettingsError, OSError) as err:
        module.fail_json(msg=str(err))
    topics = settings.ordered_union([w["topic"] for w in changes if w["topic"]], left)
    result = dict(changed=bool(changes), changed_files=[w["path"] for w in changes], notify=topics, pending=left)
    if diffs:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
