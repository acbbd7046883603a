# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""topic_files groups a role's settings files by the handler topic they notify."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.nestedcloud.openstack.plugins.filter.topic_files import topic_files


def test_files_grouped_by_topic_in_order_each_once():
    entries = [
        {"file": "/etc/nova/nova.conf", "notify": "nova changed", "group": "nova"},
        {"file": "/etc/neutron/neutron.conf", "notify": "neutron changed"},
        {"file": "/etc/neutron/ml2_conf.ini", "notify": "neutron changed"},
        {"file": "/etc/nova/nova.conf", "notify": "nova changed"},
    ]
    assert topic_files(entries) == {"nova changed": ["/etc/nova/nova.conf"],
                                    "neutron changed": ["/etc/neutron/neutron.conf", "/etc/neutron/ml2_conf.ini"]}
    assert list(topic_files(entries)) == ["nova changed", "neutron changed"]


def test_other_keys():
    assert topic_files([{"path": "/a", "listen": "t"}], file_key="path", topic_key="listen") == {"t": ["/a"]}
    assert topic_files([]) == {}


@pytest.mark.parametrize("entries, message", [
    ("nova.conf", "expected a list"),
    ([{"file": "/a"}], "entry 0 needs 'file' and 'notify'"),
    ([{"file": "/a", "notify": "t"}, "x"], "entry 1 needs"),
    ([{"file": "", "notify": "t"}], "entry 0 needs"),
])
def test_bad_input_names_the_entry(entries, message):
    with pytest.raises(AnsibleFilterError, match=message):
        topic_files(entries)
