#!/usr/bin/env bash
# Make this checkout usable, idempotently (a second run takes a second or two):
#   1. system packages the tools need (Debian 12, Ubuntu 22.04/24.04), only when missing;
#   2. .venv with the pinned tools of requirements-dev.txt, reinstalled only when a requirements file changes;
#   3. .collections/ansible_collections/nestedcloud/openstack -> this checkout (ansible.cfg points there).
set -euo pipefail
cd "$(dirname "$0")/.."
TOP=$PWD
log() { printf '[setup] %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then
    log "please install: ${missing[*]} (no apt-get here)"; return 1
  fi
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# A Python of at least 3.11 (ansible-core 2.19); Ubuntu 22.04 gets python3.11 from its archive.
# Never the .venv's own Python (make puts .venv/bin first in PATH): the .venv is removed before it is made again.
find_python() {
  local py path
  for py in python3.13 python3.12 python3.11 python3; do
    path=$(PATH=$(echo "$PATH" | tr ':' '\n' | grep -vx "$PWD/.venv/bin" | paste -sd: -) command -v "$py") || continue
    if "$path" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$path"; return 0
    fi
  done
  return 1
}

if command -v dpkg-query >/dev/null; then
  # iproute2 and ping: the integration tier builds real VXLAN meshes in network namespaces
  apt_install git ca-certificates iproute2 iputils-ping
fi
PY=$(find_python) || { apt_install python3.11 python3.11-venv; PY=$(find_python); }
if ! "$PY" -c 'import ensurepip, venv' 2>/dev/null; then
  ver=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  apt_install "python${ver}-venv"
fi

stamp_want=$( (cat requirements.txt requirements-dev.txt; "$PY" --version) | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.setup-stamp 2>/dev/null)" != "$stamp_want" ]; then
  log "creating .venv with $("$PY" --version) and the pinned tools (about a minute)"
  rm -rf .venv
  "$PY" -m venv .venv
  # pip's notes about configured-but-absent local indexes are noise here: keep errors, drop those
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -m pip install -q -r requirements-dev.txt 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import ansible, ansible_test, openstack, netaddr, pytest_timeout" ||
    { rm -rf .venv; echo "[setup] installing the tools failed"; exit 1; }
  echo "$stamp_want" > .venv/.setup-stamp
else
  log ".venv is up to date"
fi

mkdir -p .collections/ansible_collections/nestedcloud
ln -sfn ../../.. .collections/ansible_collections/nestedcloud/openstack
log "ready: $(.venv/bin/ansible --version | head -n 1), collection linked at .collections/"
