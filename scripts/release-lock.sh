#!/usr/bin/env bash
# The pinned Python packages of one OpenStack release for one CPython version (x86_64 Linux), for the inner cloud's
# services installed from PyPI: the services at the versions given, everything they need pinned as
# openstack/requirements' stable/<release> upper-constraints.txt pins it (the set the release was tested with).
#
#   scripts/release-lock.sh RELEASE PYTHON REQUIREMENTS_CHECKOUT SERVICE==VERSION... > roles/overcloud/files/pypi/RELEASE-cpXY.txt
#   e.g. scripts/release-lock.sh 2026.1 3.13 ~/src/requirements nova==33.0.2 neutron==28.0.2 keystone==29.1.0 \
#        glance==32.0.0 openstack-placement==15.0.0
#
# A maintainer's tool, run when a release gets a point release; the lock it prints is committed and everything else
# reads only that file, so a deployment does not change under anyone from one day to the next. uv (from PyPI, in a
# temporary venv) resolves for the target Python without building anything. uWSGI is not in the lock: Debian's uwsgi
# and its python3 plugin run the services' WSGI apps from the venv.
set -euo pipefail
[ $# -ge 4 ] || { sed -n '2,9p' "$0" >&2; exit 2; }
release=$1 python=$2 reqs=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git -C "$reqs" show "origin/stable/$release:upper-constraints.txt" > "$work/uc.txt" 2>/dev/null \
  || git -C "$reqs" show "stable/$release:upper-constraints.txt" > "$work/uc.txt"
# the services themselves are not libraries: their pins come from the arguments, not from the constraints
names=$(printf '%s\n' "$@" | sed 's/[=<>!~].*//' | tr 'A-Z_' 'a-z-' | paste -sd'|')
grep -viE "^($names)===" "$work/uc.txt" > "$work/constraints.txt"
# what the services need beside their own requirements: the database and memcached clients, Horizon at the release's
# version, and pip itself (a venv made without it installs it from the wheelhouse, the hosts need no python3-pip)
printf '%s\n' "$@" horizon PyMySQL python-memcached pymemcache pip > "$work/services.in"
python3 -m venv "$work/venv" >/dev/null
"$work/venv/bin/pip" install -q uv 2>/dev/null
echo "# The Python packages of OpenStack $release for CPython $python on x86_64 Linux, every one pinned: the services"
echo "# as given, the rest as openstack/requirements' stable/$release upper-constraints.txt pins them."
echo "# Made by scripts/release-lock.sh; change it only with that script. Services: $*"
"$work/venv/bin/uv" pip compile "$work/services.in" -c "$work/constraints.txt" --python-version "$python" \
  --python-platform x86_64-manylinux_2_28 --no-annotate --no-header -q
