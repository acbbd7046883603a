# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Launch a nestedcloud job template the way AWX/Tower does, with ansible-runner (the launcher inside AWX's
execution environments), so that what docs/awx.md promises is run, not just written.

What AWX does for a job, and what this does in its place:
  project          AWX checks the project out into <private data dir>/project; here: the checkout's tracked files.
  environment      the execution environment has the collection installed (execution-environment.yml); here: the
                   tarball built from the checkout, installed into <dir>/collections.
  OpenStack cred.  AWX writes a clouds.yaml whose one cloud is "devstack" and sets OS_CLIENT_CONFIG_FILE; here: the
                   same file, from an entry of an existing clouds.yaml (--cloud).
  Machine cred.    AWX hands the key to ssh-agent (env/ssh_key) and passes -u USER; here: the same.
  inventory        AWX syncs the inventory source (ansible-inventory --list --export on the project's
                   *.nestedcloud.yml) and gives the job a script that prints the result; here: the same.
  survey           AWX merges the job template's Variables (docs/awx/extra-vars.yml, Jinja allowed there) with the
                   survey's answers, defaults filled in (docs/awx/survey-lab.json); here: the same, answers from
                   --answers.
Usage: awx_job.py DIR --job-template NAME --inventory-source PATH --cloud ENTRY --ssh-key KEY [--answers YAML]
                  [--user root] [--set VARIABLE=VALUE]... [--env NAME=VALUE]...
The job's events and output stay in DIR/artifacts, as AWX keeps them, and the rest of DIR (credentials included) is
removed, as AWX removes it; the exit status is the job's.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import stat
import subprocess
import sys

import yaml

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AWX_CLOUD = "devstack"
KEPT_ENV = ("PATH", "LANG", "LC_ALL", "TZ", "USER", "LOGNAME", "SHELL", "TMPDIR", "OS_CLIENT_CONFIG_FILE")


def private_file(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def copy_project(dest):
    """The project as AWX checks it out: the tracked files (as in the working tree)."""
    files = subprocess.run(["git", "-C", TOP, "ls-files", "-z"], capture_output=True, check=True).stdout
    for rel in files.decode().split("\0"):
        src = os.path.join(TOP, rel)
        if not rel or not os.path.lexists(src):
            continue
        target = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.islink(src):
            os.symlink(os.readlink(src), target)
        else:
            shutil.copy2(src, target)


def install_collection(project, dest, env):
    build = os.path.join(dest, "tarball")
    subprocess.run(["ansible-galaxy", "collection", "build", "--force", "--output-path", build, project], check=True,
                   env=env, stdout=subprocess.DEVNULL)
    tarball = glob.glob(os.path.join(build, "*.tar.gz"))[0]
    subprocess.run(["ansible-galaxy", "collection", "install", "--no-deps", "-p", dest, tarball], check=True,
                   env=env, stdout=subprocess.DEVNULL)


def openstack_credential(clouds_file, cloud):
    """What AWX's OpenStack credential type writes, from the inputs an administrator would type in."""
    with open(clouds_file) as handle:
        entry = yaml.safe_load(handle)["clouds"][cloud]
    auth = entry["auth"]
    inputs = {"auth_url": auth["auth_url"], "username": auth["username"], "password": auth["password"],
              "project_name": auth["project_name"]}
    for key in ("project_domain_name", "user_domain_name", "domain_name"):
        if auth.get(key):
            inputs[key] = auth[key]
    written = {"auth": inputs, "verify": entry.get("verify", True)}
    if entry.get("region_name"):
        written["region_name"] = entry["region_name"]
    return yaml.safe_dump({"clouds": {AWX_CLOUD: written}}, default_flow_style=False)


def survey_vars(answers):
    """The job template's Variables with the survey's answers; a question not answered takes its default."""
    with open(os.path.join(TOP, "docs", "awx", "extra-vars.yml")) as handle:
        variables = yaml.safe_load(handle)
    with open(os.path.join(TOP, "docs", "awx", "survey-lab.json")) as handle:
        spec = json.load(handle)["spec"]
    known = {q["variable"] for q in spec}
    unknown = set(answers) - known
    if unknown:
        raise SystemExit("answers to no question of the survey: %s" % ", ".join(sorted(unknown)))
    for q in spec:
        value = answers.get(q["variable"], q.get("default"))
        if q["type"] == "multiplechoice" and str(value) not in [str(c) for c in q["choices"]]:
            raise SystemExit("%s: %r is not one of %s" % (q["variable"], value, q["choices"]))
        variables[q["variable"]] = value
    return variables


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("dir")
    parser.add_argument("--job-template", required=True)
    parser.add_argument("--inventory-source", required=True, help="inventory source, relative to the project")
    parser.add_argument("--cloud", required=True, help="entry of $OS_CLIENT_CONFIG_FILE for the OpenStack credential")
    parser.add_argument("--ssh-key", required=True, help="private key of the Machine credential")
    parser.add_argument("--user", default="root", help="user of the Machine credential")
    parser.add_argument("--answers", help="YAML file of survey answers")
    parser.add_argument("--env", action="append", default=[], help="more environment of the job (NAME=VALUE)")
    parser.add_argument("--set", action="append", default=[], help="a Variable the administrator filled in (NAME=VALUE)")
    args = parser.parse_args(argv)

    with open(os.path.join(TOP, "docs", "awx", "job_templates.yml")) as handle:
        templates = {t["name"]: t for t in yaml.safe_load(handle)["job_templates"]}
    template = templates.get(args.job_template)
    if template is None:
        raise SystemExit("no job template %r; there are: %s" % (args.job_template, ", ".join(templates)))

    # a job starts from a clean environment: nothing of the caller's Ansible or Python settings
    for name in list(os.environ):
        if name not in KEPT_ENV:
            del os.environ[name]
    pdd = os.path.abspath(args.dir)
    shutil.rmtree(pdd, ignore_errors=True)
    for sub in ("project", "env", "inventory", "collections", "home"):
        os.makedirs(os.path.join(pdd, sub))
    project = os.path.join(pdd, "project")
    copy_project(project)
    env = dict(os.environ, HOME=os.path.join(pdd, "home"), ANSIBLE_COLLECTIONS_PATH=os.path.join(pdd, "collections"))
    install_collection(project, os.path.join(pdd, "collections"), env)

    envvars = {"HOME": env["HOME"], "ANSIBLE_COLLECTIONS_PATH": env["ANSIBLE_COLLECTIONS_PATH"],
               "ANSIBLE_FORCE_COLOR": "0", "PYTHONUNBUFFERED": "1"}
    if "OpenStack" in template["credentials"]:
        clouds = os.path.join(pdd, "env", "tmp-openstack-credential.yml")
        private_file(clouds, openstack_credential(os.environ.pop("OS_CLIENT_CONFIG_FILE"), args.cloud))
        envvars["OS_CLIENT_CONFIG_FILE"] = clouds
    for item in args.env:
        name, value = item.split("=", 1)
        envvars[name] = value
    if "Machine" in template["credentials"]:
        with open(args.ssh_key) as handle:
            private_file(os.path.join(pdd, "env", "ssh_key"), handle.read())

    # The inventory sync: the plugin runs once, before the job, and the job gets a snapshot of what it found.
    sync_env = dict(env, **envvars)
    found = subprocess.run(["ansible-inventory", "-i", os.path.join(project, args.inventory_source), "--list",
                            "--export"], capture_output=True, text=True, env=sync_env, cwd=project, check=False)
    if found.returncode:
        raise SystemExit("inventory sync failed:\n%s" % found.stderr)
    # AWX keeps what each inventory update found; so does this, next to the job's artifacts
    os.makedirs(os.path.join(pdd, "artifacts"), exist_ok=True)
    with open(os.path.join(pdd, "artifacts", "inventory.json"), "w") as handle:
        handle.write(found.stdout)
    script = os.path.join(pdd, "inventory", "hosts")
    with open(script, "w") as handle:
        handle.write("#!/usr/bin/env python3\n# The inventory as AWX hands it to a job: what the last sync found.\n"
                     "import sys\nsys.stdout.write(%r)\n" % found.stdout)
    os.chmod(script, stat.S_IRWXU)

    answers = {}
    if args.answers:
        with open(args.answers) as handle:
            answers = yaml.safe_load(handle) or {}
    extravars = survey_vars(answers if template.get("survey") else {})
    for item in args.set:
        name, value = item.split("=", 1)
        if name not in extravars:
            raise SystemExit("--set %s: docs/awx/extra-vars.yml has no such Variable" % name)
        extravars[name] = value
    extravars.update(awx_job_template_name=template["name"], awx_job_id=1, tower_job_template_name=template["name"])
    private_file(os.path.join(pdd, "env", "extravars"), yaml.safe_dump(extravars, default_flow_style=False))
    private_file(os.path.join(pdd, "env", "envvars"), yaml.safe_dump(envvars, default_flow_style=False))
    # a task that waited for an answer would hang the job: AWX ends a job that prints nothing for this long
    private_file(os.path.join(pdd, "env", "settings"), yaml.safe_dump({"idle_timeout": 900, "job_timeout": 0}))
    private_file(os.path.join(pdd, "env", "cmdline"), "-u %s" % args.user)

    import ansible_runner  # pylint: disable=import-outside-toplevel

    print("awx_job: launching %r (%s) in %s" % (template["name"], template["playbook"], pdd), flush=True)
    result = ansible_runner.run(private_data_dir=pdd, playbook=template["playbook"], inventory=script,
                                project_dir=project, ident="job", quiet=False)
    print("awx_job: status %s, rc %s, artifacts in %s" % (result.status, result.rc, result.config.artifact_dir))
    # AWX discards the private data dir after the job and keeps only the job's output and events
    for sub in ("env", "project", "collections", "inventory", "home"):
        shutil.rmtree(os.path.join(pdd, sub), ignore_errors=True)
    return 0 if result.status == "successful" else (result.rc or 1)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
