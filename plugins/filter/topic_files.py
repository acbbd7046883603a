# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``topic_files``: {handler topic: [files]} from the entries a role writes its settings with."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError


def topic_files(entries, file_key="file", topic_key="notify"):
    """Group the files of ``entries`` (mappings with a file and the handler topic it notifies) by topic, in order."""
    if not isinstance(entries, (list, tuple)):
        raise AnsibleFilterError("topic_files: expected a list of entries, got %s" % type(entries).__name__)
    topics = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or not entry.get(file_key) or not entry.get(topic_key):
            raise AnsibleFilterError("topic_files: entry %d needs '%s' and '%s': %r" % (index, file_key, topic_key, entry))
        files = topics.setdefault(entry[topic_key], [])
        if entry[file_key] not in files:
            files.append(entry[file_key])
    return topics


class FilterModule:
    def filters(self):
        return {"topic_files": topic_files}
