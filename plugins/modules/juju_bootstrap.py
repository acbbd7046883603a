#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: juju_bootstrap
short_description: A Juju controller on a tagged MAAS machine, bootstrapped in the background with progress
version_added: 0.1.0
description:
  - Makes sure the Juju client knows a controller O(controller). Without one, it starts C(juju bootstrap) of O(cloud)
    with O(constraints), O(base), the controller model's settings from O(config_file) and O(config), and returns at
    once; the bootstrap goes on in the background (its own session), writing C(bootstrap.log) in O(state_dir).
  - Each later look reports the bootstrap's last line (C(Running machine configuration script...)), so with O(wait)
    its action plugin shows progress. A bootstrap survives the end of the play, and a new run picks up the one under
    way instead of starting a second. A failed bootstrap makes the task fail with the end of its log; the next run
    starts again (Juju removes what a failed bootstrap made).
  - Under QEMU/TCG the controller machine takes long to deploy; give C(bootstrap-timeout) in O(config) (the role
    uses 3600 seconds, Juju's default is 1200).
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - nestedcloud.openstack.juju
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
requirements:
  - the cloud and its credential known to the client (M(nestedcloud.openstack.juju_cloud))
options:
  controller:
    description: The controller's name.
    type: str
    required: true
  cloud:
    description: The cloud to bootstrap on.
    type: str
    required: true
  credential:
    description: The client credential of O(cloud) to use.
    type: str
    default: admin
  constraints:
    description: Bootstrap constraints, for example C(tags=juju-controller) (MAAS picks a machine with that tag).
    type: str
    default: ""
  base:
    description: The controller machine's base, for example C(ubuntu@22.04) (MAAS must have imported that release).
    type: str
    required: true
  config_file:
    description: A YAML file of the controller model's settings (C(juju bootstrap --config FILE)).
    type: path
  config:
    description: More controller or model settings (C(--config key=value)), for example C(bootstrap-timeout).
    type: dict
    default: {}
  state_dir:
    description: Directory of the bootstrap's log, pid and exit status.
    type: path
    required: true
  wait:
    description: Seconds to wait for the controller; V(0) looks once (and starts the bootstrap when needed).
    type: int
    default: 0
  delay:
    description: Seconds between two looks while waiting.
    type: int
    default: 30
"""

EXAMPLES = r"""
- name: Juju controller on the MAAS machine tagged juju-controller (up to an hour under QEMU/TCG)
  nestedcloud.openstack.juju_bootstrap:
    controller: lab1
    cloud: lab1-maas
    constraints: tags=juju-controller
    base: ubuntu@22.04
    config_file: /root/.nestedcloud-juju/bootstrap-config.yaml
    config: {bootstrap-timeout: 3600}
    state_dir: /root/.nestedcloud-juju
    wait: 4000
"""

RETURN = r"""
ready:
  description: Whether the client knows the controller and no bootstrap is under way.
  returned: always
  type: bool
summary:
  description: The controller's state, with the bootstrap's last line while it runs.
  returned: always
  type: str
  sample: "bootstrapping lab1: Running machine configuration script..."
waiting_for:
  description: What the wait is for, one line (empty when ready).
  returned: always
  type: list
  elements: str
log:
  description: The bootstrap's log file.
  returned: always
  type: str
"""

import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nestedcloud.openstack.plugins.module_utils.common.processes import alive as running

from ansible_collections.nestedcloud.openstack.plugins.module_utils.juju import cli as juju_cli

# Started through setsid --fork (its own session, so the end of the task or the play does not end it): writes its
# pid, sends everything to the log, runs the command after the three file names and writes its exit status, atomically.
WRAPPER = ('echo $$ > "$1.tmp" && mv "$1.tmp" "$1"; rc="$2"; log="$3"; shift 3; exec >> "$log" 2>&1 < /dev/null; '
           '"$@"; echo $? > "$rc.tmp" && mv "$rc.tmp" "$rc"')


def command(params):
    """The juju bootstrap command line."""
    cmd = [params["juju"], "bootstrap", params["cloud"], params["controller"], "--credential", params["credential"],
           "--bootstrap-base", params["base"], "--no-switch"]
    if params["constraints"]:
        cmd += ["--bootstrap-constraints", params["constraints"]]
    if params["config_file"]:
        cmd += ["--config", params["config_file"]]
    for key, value in sorted(params["config"].items()):
        cmd += ["--config", "%s=%s" % (key, value)]
    return cmd


def alive(pid_file):
    """Whether the bootstrap of ``pid_file`` runs: that process exists, is no zombie, and is a juju bootstrap (after a
    reboot the number may belong to another process)."""
    try:
        with open(pid_file) as handle:
            pid = int(handle.read().strip())
        if not running(pid):
            return False
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            return b"\0bootstrap\0" in handle.read()
    except (OSError, ValueError, IndexError):
        return False


def last_line(path):
    """The log's last non-empty line (what juju bootstrap is doing), or ''."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 4096))
            lines = [line.strip() for line in handle.read().decode("utf-8", "replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1] if lines else ""


def tail(path, count=15):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return "".join(handle.readlines()[-count:]).strip()
    except OSError:
        return ""


def main():
    module = AnsibleModule(
        argument_spec=dict(
            controller=dict(type="str", required=True),
            cloud=dict(type="str", required=True),
            credential=dict(type="str", default="admin", no_log=False),
            constraints=dict(type="str", default=""),
            base=dict(type="str", required=True),
            config_file=dict(type="path"),
            config=dict(type="dict", default={}),
            state_dir=dict(type="path", required=True),
            juju=dict(type="path", default="juju"),
            wait=dict(type="int", default=0),
            delay=dict(type="int", default=30),
        ),
        supports_check_mode=True,
    )
    params = module.params
    name = params["controller"]
    log = os.path.join(params["state_dir"], "bootstrap.log")
    pid_file, rc_file = log[:-4] + ".pid", log[:-4] + ".rc"
    result = dict(changed=False, ready=False, log=log, waiting_for=[])
    if params["config_file"] and not os.path.isfile(params["config_file"]):
        module.fail_json(msg="config_file: %s does not exist" % params["config_file"], **result)

    if os.path.exists(rc_file):
        with open(rc_file) as handle:
            status = handle.read().strip()
        for path in (rc_file, pid_file) if not module.check_mode else ():
            if os.path.exists(path):
                os.unlink(path)
        if status != "0":
            module.fail_json(msg="juju bootstrap of %s failed (exit %s); the next run starts it again. End of %s:\n%s"
                             % (name, status, log, tail(log)), **result)
    elif alive(pid_file):  # the exit status comes first: a finished one may linger as a zombie
        line = last_line(log) or "started"
        result["waiting_for"] = ["controller %s (log %s): %s" % (name, log, line)]
        module.exit_json(summary="bootstrapping %s: %s" % (name, line), **result)
    try:
        known = juju_cli.has_controller(juju_cli.run_json(module, ["controllers"]), name)
    except juju_cli.JujuError as err:
        module.fail_json(msg=str(err), **result)
    if known:
        result["ready"] = True
        module.exit_json(summary="controller %s is up" % name, **result)
    if not module.check_mode:
        if not os.path.isdir(params["state_dir"]):
            os.makedirs(params["state_dir"], mode=0o700)
        with open(log, "a") as out:
            out.write("--- nestedcloud: %s\n" % " ".join(command(params)))
        if os.path.exists(pid_file):
            os.unlink(pid_file)
        rc, out, err = module.run_command(["setsid", "--fork", "/bin/sh", "-c", WRAPPER, "sh", pid_file, rc_file, log]
                                          + command(params))
        if rc != 0:
            module.fail_json(msg="could not start juju bootstrap in the background: %s" % (err or out).strip(), **result)
        for dummy in range(50):  # the pid file tells the next look that a bootstrap runs: wait for it to be there
            if os.path.exists(pid_file) or os.path.exists(rc_file):
                break
            time.sleep(0.1)
    result["waiting_for"] = ["controller %s (log %s): started" % (name, log)]
    result["changed"] = True
    module.exit_json(summary="bootstrap of %s started" % name, **result)


if __name__ == "__main__":
    main()
