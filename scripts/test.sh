#!/usr/bin/env bash
# Run the test tiers, each timed, and close with one summary line.
#   scripts/test.sh                 every tier (what `make test` and CI run)
#   scripts/test.sh unit lint ...   only the named tiers (A+B: side by side; A,B+C: A then B, beside C)
# Tiers: unit lint docs changelog build ee integration undercloud sanity
set -uo pipefail
cd "$(dirname "$0")/.."
TOP=$PWD
scripts/setup.sh || { echo "setup failed"; exit 1; }
export PATH="$TOP/.venv/bin:$PATH" ANSIBLE_CONFIG="$TOP/ansible.cfg" ANSIBLE_FORCE_COLOR=0 PY_COLORS=0
PYVER=$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
BUILD="$TOP/build"
mkdir -p "$BUILD"

tier_unit() { python -m pytest -q tests/unit; }

tier_lint() { ansible-lint --offline; }

tier_docs() {
  local out
  # every module, filter and role rendered, one ansible-doc run per kind (scripts/check_docs.py)
  python scripts/check_docs.py || return 1
  out=$(ansible-doc -t inventory nestedcloud.openstack.lab) || return 1
  grep -q "keyed_groups" <<<"$out" || { echo "ansible-doc lab inventory lacks the constructed options"; return 1; }
  echo "ansible-doc renders the lab inventory plugin"
  # the docsite's own linter: references resolve, argument specs have literal defaults, markup parses
  (cd .collections/ansible_collections/nestedcloud/openstack && antsibull-docs lint-collection-docs --plugin-docs .) \
    || { echo "antsibull-docs lint-collection-docs found errors"; return 1; }
  # version_added is the version being released (galaxy.yml) or one already released (changelogs/changelog.yaml)
  python - <<'PY' || return 1
import glob, re, sys, yaml
released = set(yaml.safe_load(open("changelogs/changelog.yaml"))["releases"] or {}) | {yaml.safe_load(open("galaxy.yml"))["version"]}
bad = [(path, v) for path in glob.glob("plugins/**/*.py", recursive=True) + glob.glob("plugins/**/*.yml", recursive=True)
       + glob.glob("roles/*/meta/argument_specs.yml") for v in re.findall(r"version_added: *['\"]?([0-9.]+)", open(path).read())
       if v not in released]
if bad:
    sys.exit("version_added not released nor the version being built: %s" % bad)
print("antsibull-docs lint-collection-docs passed; every version_added is in %s" % sorted(released))
PY
}

tier_changelog() { antsibull-changelog lint; }

# Build the tarball, install it into an empty collections path and run lab_plan from there,
# with a configuration that cannot see this checkout.
tier_build() {
  rm -rf "$BUILD/collection" "$BUILD/installed"
  ansible-galaxy collection build --force --output-path "$BUILD/collection" || return 1
  local tarball
  tarball=$(ls "$BUILD"/collection/nestedcloud-openstack-*.tar.gz) || return 1
  (
    # A configuration that knows nothing of this checkout: only the empty path we install into.
    cd "$BUILD" || exit 1
    printf '[defaults]\n' > "$BUILD/empty.cfg"
    export ANSIBLE_CONFIG="$BUILD/empty.cfg" ANSIBLE_COLLECTIONS_PATH="$BUILD/installed"
    # with the dependencies its MANIFEST.json declares, taken from the ansible package (Galaxy is not reachable)
    BUILD="$BUILD" python - "$tarball" > "$BUILD/requirements.yml" <<'PY' || exit 1
import json, os, sys, tarfile
import ansible_collections
deps = json.load(tarfile.open(sys.argv[1]).extractfile("MANIFEST.json"))["collection_info"]["dependencies"]
print("collections:\n  - {name: %s, type: file}" % sys.argv[1])
for dep in deps:
    found = [os.path.join(p, *dep.split(".")) for p in ansible_collections.__path__
             if os.path.isdir(os.path.join(p, *dep.split("."))) and not p.startswith(os.environ["BUILD"])]
    print("  - {name: %s, type: dir}" % found[0])
PY
    ansible-galaxy collection install --offline --force -r "$BUILD/requirements.yml" -p "$BUILD/installed" || exit 1
    [ "$(grep -c 'type: dir' "$BUILD/requirements.yml")" -ge 2 ] || { echo "no dependency declared"; exit 1; }
    ansible-doc -t module nestedcloud.openstack.lab_plan | head -n 1 | grep -q "$BUILD/installed/" \
      || { echo "lab_plan does not come from the installed tarball"; exit 1; }
    out=$(ansible localhost -c local -e ansible_python_interpreter="$(command -v python)" \
      -m nestedcloud.openstack.lab_plan -a '{"lab": {"name": "built", "image": "debian-13", "flavors": {"jumphost": "m1.small", "undercloud": "m1.xlarge"}}}') || { echo "$out"; exit 1; }
    grep -q '"tag": "nestedcloud-built"' <<<"$out" || { echo "$out"; exit 1; }
    # every layer's playbook, from the installed collection alone
    for layer in site undercloud jumphost overlay hypervisor overcloud smoke verify; do
      ansible-playbook -i localhost, --syntax-check "nestedcloud.openstack.$layer" >/dev/null || { echo "syntax check of $layer failed"; exit 1; }
    done
    echo "installed $(basename "$tarball") with its dependencies into an empty collections path; lab_plan ran from it, every layer's playbook passed --syntax-check"
  ) || return 1
  NC_TARBALL="$tarball" python -m pytest -q tests/build
}

# Generate the execution environment's build context (an image cannot be built: no registry here).
tier_ee() {
  # the tarball of this checkout, always: a context without it (or with an old one) would build a wrong image
  tier_build >/dev/null || { echo "the collection tarball could not be built"; return 1; }
  rm -rf "$BUILD/ee-context"
  ansible-builder create -f execution-environment.yml -c "$BUILD/ee-context" --output-filename Containerfile || return 1
  ls "$BUILD"/ee-context/_build/collection/*.tar.gz >/dev/null 2>&1 || { echo "the context lacks the collection"; return 1; }
  NC_EE_CONTEXT="$BUILD/ee-context" python -m pytest -q tests/build/test_ee.py || return 1
  echo "execution environment context generated in build/ee-context (the image is not built: no registry here)"
}

tier_integration() { python -m pytest -q --durations=8 tests/integration --ignore=tests/integration/undercloud; }

# A real OpenStack on loopback (tests/undercloud/undercloud.sh), up for these tests and down after.
tier_undercloud() {
  local rc=0
  export UC_STATE="${UC_STATE:-/tmp/nestedcloud-undercloud}"
  tests/undercloud/undercloud.sh up || rc=$?
  if [ "$rc" -eq 0 ]; then
    OS_CLIENT_CONFIG_FILE="$UC_STATE/clouds.yaml" python -m pytest -q --durations=8 tests/integration/undercloud || rc=$?
    [ "$rc" -eq 0 ] || tests/undercloud/undercloud.sh diagnose
    # the figures of the fault-injection and interrupted-run tests
    python benchmarks/faults/summary.py "$BUILD" || rc=1
    # the role's molecule scenario; a HOME of its own keeps the lab key it makes out of yours
    mkdir -p "$BUILD/molecule-home"
    HOME="$BUILD/molecule-home" OS_CLIENT_CONFIG_FILE="$UC_STATE/clouds.yaml" molecule test -s undercloud || rc=$?
  fi
  tests/undercloud/undercloud.sh down || rc=1
  return "$rc"
}

# Before a tier runs side by side with another: the packages it installs on this machine, and the host image.
prepare_undercloud() { tests/undercloud/undercloud.sh install; }
prepare_hosts() { tests/hosts/testhosts.sh install && tests/hosts/testhosts.sh image && tests/hosts/testhosts.sh guest >/dev/null; }

# Test hosts (tests/hosts/testhosts.sh: podman containers with systemd, in our own network namespaces)
# and the molecule scenarios of the roles that run on them. The image is built once and reused; one
# apt-cacher-ng serves every package download of the run.
tier_hosts() {
  local rc=0 scenario
  tests/hosts/testhosts.sh install && tests/hosts/testhosts.sh relay start && tests/hosts/testhosts.sh image || rc=$?
  if [ "$rc" -eq 0 ]; then
    for scenario in multihost power charmed; do
      echo "--- molecule scenario $scenario"
      CONTAINERS_CONF="$PWD/tests/hosts/containers.conf" molecule test -s "$scenario" || rc=$?
    done
    # the upgrade rehearsal's target release: its pinned wheelhouse installs offline on a test host's Python
    python -m pytest -q --durations=4 tests/hosts || rc=$?
  fi
  tests/hosts/testhosts.sh relay stop || rc=1
  return "$rc"
}

# The main job: `make lab` (local undercloud, test hosts, site.yml end to end with the smoke test), with its first
# site.yml runs SIGKILLed at NC_LAB_KILLS random points (seed printed) and then interrupted in the overcloud layer
# as by Ctrl-C, each started again from the command line (it must converge); then site.yml again as an AWX job
# (ansible-runner), which must change nothing on any host and runs Tempest; then the lab's own checks (function,
# security, no secret in any log, no duplicate) and its figures (build/lab-figures.md). The lab is removed afterwards.
tier_lab() {
  local rc=0
  # Tempest runs once, in the AWX job (as a check: that run must change nothing); the runs before it install and
  # configure Tempest only (verify_run=false). One run that must change nothing is enough: a second one from the
  # command line (`scripts/lab.sh again`) ran the same tasks for another 220 s. One random kill: the AWX job from zero
  # is killed in the overcloud layer first, so that kill's run has the rest of the build to do (at least 220 s); a
  # second one found the lab built and, at a moment drawn up to 240 s, mostly missed a run of 130-180 s that changed
  # nothing (CI 12-07: 179 s for a point that missed).
  NC_LAB_KILLS=${NC_LAB_KILLS:-1} NC_LAB_INTERRUPT="overcloud : Databases and users of the services" \
    NC_LAB_ARGS="-e verify_run=false" NC_LAB_VERIFY_RUN=false scripts/lab.sh up || rc=$?
  if [ "$rc" -eq 0 ]; then
    # a verify run killed in the middle of Tempest: the AWX job's verify layer must delete what it left
    scripts/lab.sh kill-tempest 60 || rc=$?
    scripts/lab.sh awx || rc=$?
    python tests/lab/check_recap.py /tmp/nestedcloud-lab/awx.log || rc=1
    python -m pytest -q --durations=8 tests/lab --ignore=tests/lab/test_grown.py || rc=1
    scripts/lab.sh figures "$BUILD/lab-figures.md" && cat "$BUILD/lab-figures.md"
    # last, as they change the lab: one uc- host and one oc- VM more, and no running VM moved; then one VM fewer,
    # refused until it is retired
    if scripts/lab.sh grow; then
      python -m pytest -q tests/lab/test_grown.py -k "not retired" || rc=1
      scripts/lab.sh shrink || rc=$?
      python -m pytest -q tests/lab/test_grown.py -k retired || rc=1
    else
      rc=1
    fi
  fi
  [ "$rc" -eq 0 ] || tests/undercloud/undercloud.sh diagnose
  scripts/lab.sh down || rc=1
  tests/hosts/testhosts.sh relay stop || rc=1
  return "$rc"
}

# ansible-test sanity in a temporary ansible_collections/nestedcloud/openstack tree, outside this
# checkout (inside it, ansible-test would ask git and skip every git-ignored file).
tier_sanity() {
  local tmp tree pipver log rc
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/nestedcloud-sanity.XXXXXX")
  tree=$(scripts/collection-tree.sh "$tmp") || return 1
  # ansible-test --venv downloads a pip bootstrap script from a host that may be unreachable; it looks
  # in this cache first, so put our stand-in (ensurepip, then pip from the package index) there.
  pipver=$(python - <<'PY'
import re, ansible_test, os
src = open(os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")).read()
print(re.search(r"pip='([0-9.]+)'", src).group(1).replace(".", "_"))
PY
  ) || return 1
  mkdir -p ~/.ansible/test/cache
  cp scripts/ansible-test-get-pip.py ~/.ansible/test/cache/"get_pip_${pipver}.py"
  log="$BUILD/sanity.log"
  (cd "$tree" && ansible-test sanity --venv --python "$PYVER" --color no) 2>&1 | tee "$log" | grep -v "^WARNING: Location"
  rc=${PIPESTATUS[0]}
  rm -rf "$tmp"
  if grep -q "All targets skipped" "$log"; then echo "ansible-test skipped every target: nothing was checked"; return 1; fi
  [ "$rc" -eq 0 ] && echo "ansible-test sanity passed on $(grep -c '^Running sanity test' "$log") tests"
  return "$rc"
}

TIERS=("$@")
# Side by side where one tier leaves a core idle: unit, lint, integration and sanity run on one core; hosts and
# undercloud share nothing and wait on their hosts and APIs a good part of the time; the lab's build waits on its hosts
# (70-85 % busy in CI of 12-07), sanity fills that.
[ ${#TIERS[@]} -gt 0 ] || TIERS=(unit,lint,docs,changelog,build,ee+integration hosts+undercloud lab+sanity)
passed=0 failed=0 report=()

# one tier, its output on stdout; records its line of the report
# (with how busy the machine's CPUs were meanwhile, from /proc/stat: what is left idle is time to win back)
run_tier() {
  local tier=$1 start=$SECONDS result before busy
  before=$(cpu_ticks)
  echo "=== tier $tier"
  if "tier_$tier"; then result=passed; else result=FAILED; fi
  busy=$(cpu_busy "$before" "$(cpu_ticks)")
  echo "=== tier $tier $result in $((SECONDS - start))s (CPUs ${busy}% busy)"
  printf '%-12s %-7s %5ds  cpu %3s%%' "$tier" "$result" $((SECONDS - start)) "$busy" > "$BUILD/tier-$tier.result"
}

# "busy total" clock ticks of all CPUs so far (idle and iowait are not busy)
cpu_ticks() {
  local label user nice system idle iowait rest
  read -r label user nice system idle iowait rest < /proc/stat
  local irq softirq steal dummy
  read -r irq softirq steal dummy <<< "$rest"
  echo "$((user + nice + system + irq + softirq + steal)) $((user + nice + system + idle + iowait + irq + softirq + steal))"
}

# percent busy between two cpu_ticks readings
cpu_busy() {
  local b0 t0 b1 t1
  read -r b0 t0 <<< "$1"
  read -r b1 t1 <<< "$2"
  [ "$t1" -gt "$t0" ] || { echo "?"; return; }
  echo $(((b1 - b0) * 100 / (t1 - t0)))
}

# tiers one after the other (A,B,C)
run_chain() {
  local tier chain_tiers
  IFS=, read -r -a chain_tiers <<< "$1"
  for tier in "${chain_tiers[@]}"; do run_tier "$tier"; done
}

# A+B: chains that share nothing (hosts: podman test hosts in namespaces of their own and the apt relay; undercloud:
# the local undercloud on 127.0.0.1; unit, lint, build, sanity...: files of this checkout only) run side by side. The
# first one's output comes as it goes; each other's goes into its own log, printed whole when all have ended.
for item in "${TIERS[@]}"; do
  IFS=+ read -r -a group <<< "$item"
  IFS=+, read -r -a tiers <<< "$item"
  for tier in "${tiers[@]}"; do
    declare -F "tier_$tier" >/dev/null || { echo "unknown tier: $tier"; exit 2; }
    rm -f "$BUILD/tier-$tier.result"
  done
  start=$SECONDS
  if [ ${#group[@]} -eq 1 ]; then
    run_chain "${group[0]}"
  else
    # what installs packages on this machine runs first, one after the other (dpkg has one lock)
    for tier in "${tiers[@]}"; do
      if declare -F "prepare_$tier" >/dev/null; then "prepare_$tier" || echo "preparing $tier failed (the tier will say why)"; fi
    done
    echo "=== ${group[*]}, side by side (${group[0]} as it goes, the output of the others when all have ended)"
    pids=()
    for chain in "${group[@]:1}"; do
      run_chain "$chain" > "$BUILD/chain-${chain//,/-}.log" 2>&1 &
      pids+=($!)
    done
    run_chain "${group[0]}"
    wait "${pids[@]}" || true
    for chain in "${group[@]:1}"; do cat "$BUILD/chain-${chain//,/-}.log"; done
  fi
  for tier in "${tiers[@]}"; do
    line=$(cat "$BUILD/tier-$tier.result" 2>/dev/null || printf '%-12s %-7s %5s ' "$tier" FAILED "?")
    case $line in *passed*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)) ;; esac
    [ ${#group[@]} -gt 1 ] && line="$line  (side by side: ${item//+/ | } in $((SECONDS - start))s)"
    report+=("$line")
  done
done
echo
printf '%s\n' "${report[@]}"
echo "tiers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
