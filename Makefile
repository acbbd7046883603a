# The two commands a new user needs: `make lab` (the main job) and `make test` (every test tier).
# Both run `make setup` first; it is quick when nothing changed.
SHELL := /bin/bash
export PATH := $(CURDIR)/.venv/bin:$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg

.PHONY: setup test plan lab lab-again lab-down unit lint sanity integration docs build ee changelog clean bench-undercloud bench-hosts bench-lab

setup:
	scripts/setup.sh

test:
	scripts/test.sh

plan: setup
	ansible-playbook playbooks/plan.yml

# The whole lab on this machine (local undercloud, test hosts, site.yml end to end); lab-down removes it.
lab: setup
	scripts/lab.sh up

lab-again: setup
	scripts/lab.sh again

lab-down:
	scripts/lab.sh down

unit lint sanity integration docs build ee changelog:
	scripts/test.sh $@

# Provisioning benchmark against the local undercloud (brought up here, taken down after).
bench-undercloud: setup
	tests/undercloud/undercloud.sh up
	OS_CLIENT_CONFIG_FILE=/tmp/nestedcloud-undercloud/clouds.yaml .venv/bin/python benchmarks/undercloud/bench.py \
	  --count 20 --repeat 3 --out benchmarks/undercloud/results.md; rc=$$?; tests/undercloud/undercloud.sh down; exit $$rc

# iperf3 overlay vs underlay and the idempotent re-run of the hosts layers, on the multihost test hosts.
bench-hosts: setup
	benchmarks/hosts/bench.sh 3

# The lab's speed: each layer of the first site.yml, the overcloud layer against its floor (one apt-get install per
# host and the schema syncs, on fresh test hosts), the run that changes nothing against the first; lab taken down after.
bench-lab: setup
	benchmarks/lab/bench.sh benchmarks/lab/speed.md

clean:
	rm -rf build tests/output .cache
