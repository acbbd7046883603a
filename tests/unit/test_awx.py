# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What AWX/Tower needs of the project: a survey AWX accepts that yields a valid lab, job templates that name real
playbooks, and no task anywhere that waits for an answer (an AWX job has no one to give it)."""

from __future__ import annotations

import glob
import json
import os
import re
import subprocess
import sys

import pytest
import yaml
from jinja2 import Environment

from ansible_collections.nestedcloud.openstack.plugins.inventory.lab import definition_from
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.schema import LabDefinitionError, iter_fields

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AWX = os.path.join(TOP, "docs", "awx")
# AWX's survey question types and the variable names it accepts (awx/main/models/mixins.py validates these).
TYPES = {"text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect"}
VARIABLE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def load(name):
    with open(os.path.join(AWX, name)) as handle:
        return json.load(handle) if name.endswith(".json") else yaml.safe_load(handle)


def render(variables, answers):
    """The job template's Variables as Ansible would template them (the filters they use, as Ansible defines them)."""
    env = Environment()
    env.filters.update(bool=lambda v: str(v).lower() in ("1", "true", "yes", "on"), int=int, float=float,
                       split=lambda v, sep: str(v).split(sep), list=list)
    env.globals["lookup"] = lambda plugin, name: os.environ.get(name, "") if plugin == "ansible.builtin.env" else None

    def walk(value):
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, str) and "{{" in value:
            return env.compile_expression(value.strip()[2:-2])(**answers)
        return value

    return walk(variables)


def answers_with_defaults(answers):
    return dict(((q["variable"], q["default"]) for q in load("survey-lab.json")["spec"]), **answers)


def test_generated_awx_files_are_up_to_date():
    result = subprocess.run([sys.executable, os.path.join(TOP, "tools", "gen_awx.py"), "--check"], check=False,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_survey_is_one_awx_accepts():
    survey = load("survey-lab.json")
    assert survey["name"] and survey["description"] and survey["spec"]
    variables = [q["variable"] for q in survey["spec"]]
    assert len(variables) == len(set(variables))
    for q in survey["spec"]:
        assert q["type"] in TYPES and VARIABLE.match(q["variable"]) and q["question_name"], q
        if q["type"] == "multiplechoice":
            assert q["default"] in q["choices"], q
        if q["type"] in ("integer", "float"):
            assert q["min"] <= q["default"] <= q["max"], q
        if q["type"] == "text":  # a required question with no default makes AWX ask
            assert q["min"] <= len(q["default"]) <= q["max"] or (q["required"] and q["default"] == ""), q


def test_every_question_is_a_key_of_the_lab_definition_with_the_schemas_default():
    fields = dict(iter_fields())
    for q in load("survey-lab.json")["spec"]:
        field = fields[q["question_name"]]
        assert q["variable"] == "nestedcloud_lab_" + q["question_name"].replace(".", "_")
        if field.kind == "bool":
            assert q["default"] == str(field.default).lower()
        elif field.kind == "list":
            assert q["default"] == ", ".join(field.default)
        elif field.required:  # no default: AWX asks, and refuses an empty answer
            assert q["default"] == "" and q["required"] and q["min"] == 1, q
        else:
            assert q["default"] == field.default, q


def test_the_survey_defaults_give_the_schemas_default_lab_in_awxs_cloud():
    # what has no default is answered; everything else keeps the schema's default
    required = {"nestedcloud_lab_image": "deb12", "nestedcloud_lab_flavors_jumphost": "s1",
                "nestedcloud_lab_flavors_undercloud": "x1"}
    lab = render(load("extra-vars.yml"), answers_with_defaults(required))["nestedcloud_lab"]
    specs = {"s1": {"ram_mb": 2048, "vcpus": 1}, "x1": {"ram_mb": 16384, "vcpus": 8}}
    plan = build_plan(lab, flavor_specs=specs)
    default = {"image": "deb12", "flavors": {"jumphost": "s1", "undercloud": "x1"}}
    assert plan["lab"] == build_plan(default, flavor_specs=specs)["lab"]


def test_unanswered_required_questions_are_named_before_any_api_call():
    lab = render(load("extra-vars.yml"), answers_with_defaults({}))["nestedcloud_lab"]
    with pytest.raises(LabDefinitionError) as err:
        build_plan(lab)
    assert err.value.field == "nestedcloud_lab.image" and "must not be empty" in str(err.value)


def test_the_local_labs_answers_give_exactly_the_local_lab():
    with open(os.path.join(TOP, "tests", "lab", "awx-survey-answers.yml")) as handle:
        answers = yaml.safe_load(handle)
    local = definition_from(os.path.join(TOP, "tests", "lab", "inventory", "group_vars", "all"))
    lab = render(load("extra-vars.yml"), answers_with_defaults(answers))["nestedcloud_lab"]
    # the local lab names its clouds.yaml entry; an AWX job takes the credential's only one (cloud auto)
    assert build_plan(lab)["lab"] == build_plan(dict(local, cloud="auto"))["lab"]
    assert lab["ssh_allowed_cidrs"] == ["198.51.100.100/32"] and lab["storage"]["boot_from_volume"] is False
    # the reports outlive the job where the Variables say (the lab: the operator's ~/.nestedcloud/<lab>)
    variables = render(load("extra-vars.yml"), answers_with_defaults(answers))
    home = os.path.join(os.environ["HOME"], ".nestedcloud", "nclab")
    assert variables["smoke_report_dir"] == variables["verify_report_dir"] == home


def test_job_templates_name_real_playbooks_and_credentials():
    templates = load("job_templates.yml")["job_templates"]
    assert {t["playbook"] for t in templates} >= {"site.yml", "playbooks/undercloud.yml", "playbooks/smoke.yml"}
    for template in templates:
        assert os.path.isfile(os.path.join(TOP, template["playbook"])), template
        assert set(template["credentials"]) <= {"OpenStack", "Machine"} and template["credentials"], template
    doc = open(os.path.join(TOP, "docs", "awx.md")).read()
    for template in templates:
        assert "`%s`" % template["name"] in doc, "docs/awx.md does not describe %s" % template["name"]


def test_no_task_waits_for_an_answer():
    paths = glob.glob(os.path.join(TOP, "playbooks", "*.yml")) + glob.glob(os.path.join(TOP, "site.yml")) \
        + glob.glob(os.path.join(TOP, "roles", "*", "tasks", "*.yml")) \
        + glob.glob(os.path.join(TOP, "roles", "*", "handlers", "*.yml"))
    assert len(paths) > 30
    for path in paths:
        with open(path) as handle:
            text = handle.read()
        assert "vars_prompt" not in text, path
        for item in yaml.safe_load(text) or []:
            for task in [item] + item.get("tasks", []) + item.get("pre_tasks", []) + item.get("post_tasks", []):
                for action in ("ansible.builtin.pause", "pause"):
                    if action in task:
                        args = task[action] or {}
                        assert "minutes" in args or "seconds" in args, "%s: a pause that waits for a key" % path
