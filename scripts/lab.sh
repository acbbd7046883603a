#!/usr/bin/env bash
# The whole lab on this machine: `make lab` (up) and `make lab-down` (down).
#   up     the local undercloud (Debian's OpenStack on 127.0.0.1) as the outer cloud; the undercloud layer makes the
#          lab's network, ports, servers and floating IP in it; test hosts (tests/hosts/testhosts.sh) stand in for
#          r0 and each uc- server at the address Neutron gave its port, with the lab's key, and r0 is reached
#          through its floating IP from the "outside" namespace; then the real site.yml runs end to end.
#   again  site.yml once more (it must change nothing)
#   awx    site.yml once more as AWX runs it (scripts/awx_job.py: ansible-runner, the project layout, the inventory
#          synced from the plugin, the survey's answers, the credentials AWX injects); it must change nothing
#   smoke [ARGS]  the smoke layer alone (playbooks/smoke.yml), e.g. `smoke -e smoke_keep=true`
#   layer NAME [ARGS]  one layer's playbook (playbooks/NAME.yml), e.g. `layer overcloud --limit uc-0002`
#   grow   the running lab one uc- host and one oc- VM bigger (a copy of its inventory with both counts raised, in
#          $STATE/grown-inventory): the undercloud layer, a test host for the new server, then the jumphost, overlay
#          and hypervisor layers; where every oc- domain ran before goes to $STATE/grown.json for tests/lab/test_grown.py
#   shrink after grow: one oc- VM fewer, first without retiring it (the run must be refused and change nothing), then
#          with nestedcloud_lab.retire naming it (undercloud and hypervisor layers); $STATE/shrunk.json for the test
#   figures [FILE]  step and layer times, memory of each host and the smoke report, as Markdown
#   down   remove the test hosts, their namespaces and the local undercloud
# Environment: NC_LAB_STATE (default /tmp/nestedcloud-lab); NC_LAB_ARGS, more arguments for ansible-playbook;
# NC_LAB_INTERRUPT, a task name pattern: `up` interrupts its first site.yml there (SIGINT, as Ctrl-C) and runs it
# again (resume test); NC_LAB_KILLS=N: then N more runs are killed (SIGKILL of the whole process group) at random
# moments, NC_LAB_SEED picks them, before the run that must converge; the points go to $STATE/kills.json.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
STATE=${NC_LAB_STATE:-/tmp/nestedcloud-lab}
INV=${NC_LAB_INVENTORY:-$TOP/tests/lab/inventory}
LAB=nclab
HOSTS=$TOP/tests/hosts/testhosts.sh
export PATH=$TOP/.venv/bin:$PATH ANSIBLE_CONFIG=$TOP/ansible.cfg CONTAINERS_CONF=$TOP/tests/hosts/containers.conf
export OS_CLIENT_CONFIG_FILE=/tmp/nestedcloud-undercloud/clouds.yaml PYTHONPATH=$TOP/.collections
export ANSIBLE_INVENTORY=$INV ANSIBLE_SSH_ARGS="-F $STATE/ssh_config -o ControlMaster=auto -o ControlPersist=120s"
export ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks PROFILE_TASKS_TASK_OUTPUT_LIMIT=8
uptime_s() { local u; read -r u _ < /proc/uptime; echo "${u%.*}"; }
T0=$(uptime_s)
log() { printf '[lab %4ss] %s\n' "$(($(uptime_s) - T0))" "$*" | tee -a "$STATE/timings.log"; }
# time one step: step NAME COMMAND...
step() { local name=$1 s; shift; s=$(uptime_s); "$@"; log "$name: $(($(uptime_s) - s)) s"; }

# The tenant VM's image: the tests' tiny guest, served by the web server of the "outside" namespace, so that r0
# downloads it by URL as it would fetch CirrOS on a real cloud.
publish_guest() {
  NC_LAB_GUEST=$("$HOSTS" tenant-guest)
  export NC_LAB_GUEST
  local www=${NC_HOSTS_STATE:-/tmp/nestedcloud-hosts}/$LAB-www/${NC_LAB_GUEST##*/}
  mkdir -p "$www" && cp -lf "$NC_LAB_GUEST"/vmlinuz "$NC_LAB_GUEST"/initrd.gz "$www/"
}

playbook() { (cd "$TOP" && ansible-playbook "$@" ${NC_LAB_ARGS:-}); }

hosts_up() {
  local out names=() specs=() fip="" mtu=1500 line name
  out=$("$TOP/.venv/bin/python" "$TOP/tests/lab/outer_addresses.py" "$INV/group_vars/all")
  while read -r kind line; do
    case $kind in
      HOST) specs+=("$line"); names+=("${line%%=*}") ;;
      FIP) fip=$line ;;
      MTU) mtu=$line ;;
    esac
  done <<< "$out"
  [ -n "$fip" ] || { log "the outer cloud gave r0 no floating IP"; return 1; }
  local r0ip
  r0ip=$(printf '%s\n' "${specs[@]}" | sed -n 's/^r0=//p')
  NC_UNDERLAY_MTU=$mtu "$HOSTS" net up "$LAB" "${specs[@]}"
  "$HOSTS" outside up "$LAB" "$fip=$r0ip"
  # The inner cloud's services need, on the uc- hosts only, what root has on a real server (never privileged, never
  # SYS_TIME): SYS_ADMIN for network namespaces; oslo.privsep daemons drop to a fixed capability set and die when one
  # is outside the bounding set - Neutron's default context adds DAC_READ_SEARCH and SYS_PTRACE, Nova's DAC_READ_SEARCH.
  for name in "${names[@]}"; do
    podman container exists "$LAB-$name" && continue
    local caps=NET_ADMIN,NET_RAW
    [ "$name" = r0 ] || caps=$caps,SYS_ADMIN,DAC_READ_SEARCH,SYS_PTRACE
    NC_HOST_CAPS=$caps "$HOSTS" run "$LAB" "$name"
    # what cloud-init does on a real server: the keypair's public key for root
    podman exec -i "$LAB-$name" sh -c 'umask 077; mkdir -p /root/.ssh; cat > /root/.ssh/authorized_keys' < "$KEY.pub"
  done
  cat > "$STATE/ssh_config" <<CFG
# Written by scripts/lab.sh: r0's floating IP is reached from the "outside" namespace, the rest through r0.
Host $fip
  ProxyCommand ip netns exec $LAB-out socat - TCP:%h:%p
Host *
  User root
  IdentityFile $KEY
  IdentitiesOnly yes
  UserKnownHostsFile $STATE/known_hosts
  StrictHostKeyChecking accept-new
  ServerAliveInterval 15
CFG
  log "test hosts: ${names[*]} (floating IP $fip -> r0 $r0ip, underlay MTU $mtu)"
}

cmd_up() {
  mkdir -p "$STATE"
  : > "$STATE/timings.log"
  rm -rf "$HOME/.nestedcloud/$LAB"/smoke-report.* "$STATE"/{interrupted,site,again,awx}.log "$STATE"/killed-*.log \
    "$STATE/kills.json" "$STATE/awx"  # nothing of an earlier lab
  KEY=$HOME/.nestedcloud/$LAB/id_ed25519
  step "packages and image" bash -c "'$HOSTS' install && '$HOSTS' image && '$HOSTS' relay start"
  step "local undercloud" env UC_AGENTS="dhcp l3" "$TOP/tests/undercloud/undercloud.sh" up
  step "layer undercloud (outer resources)" playbook playbooks/undercloud.yml
  step "test hosts for r0 and the uc- servers" hosts_up
  publish_guest
  step "site.yml" site_first
  log "up: ssh -F $STATE/ssh_config root@<r0's floating IP>; the smoke report is in $HOME/.nestedcloud/$LAB"
}

cmd_again() {
  KEY=$HOME/.nestedcloud/$LAB/id_ed25519
  publish_guest
  step "site.yml again" playbook site.yml | tee "$STATE/again.log"
  return "${PIPESTATUS[0]}"
}

# NC_LAB_INTERRUPT=PATTERN: the first site.yml is stopped as by Ctrl-C when a task matching PATTERN starts, then
# site.yml runs again from the start and must converge (a run interrupted in any layer resumes).
site_first() {
  random_kills
  if [ -z "${NC_LAB_INTERRUPT:-}" ]; then
    playbook site.yml | tee "$STATE/site.log"
    return "${PIPESTATUS[0]}"
  fi
  local pid task
  log "site.yml, interrupted at the first task matching '$NC_LAB_INTERRUPT' (output in $STATE/interrupted.log)"
  setsid bash -c 'cd "$1" && exec ansible-playbook site.yml' _ "$TOP" > "$STATE/interrupted.log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    task=$(grep -E "^TASK \[.*(${NC_LAB_INTERRUPT})" "$STATE/interrupted.log" | head -1 || true)
    if [ -n "$task" ]; then
      sleep 3   # let the task get going on the hosts
      kill -INT -- "-$pid" 2>/dev/null || true
      break
    fi
    sleep 1
  done
  wait "$pid" || true
  [ -n "$task" ] || { log "site.yml ended before any task matched '$NC_LAB_INTERRUPT'"; return 1; }
  log "site.yml interrupted (SIGINT) at: ${task%% \**}"
  playbook site.yml | tee "$STATE/site.log"
  return "${PIPESTATUS[0]}"
}

# SIGKILL a run: its process group, and every descendant by PID - ansible-core's workers each call setsid (they are
# in sessions of their own), so killing the group alone leaves them behind, blocked on the dead parent's pipe. The
# group is stopped first, so that nothing forks while the tree is read.
kill_tree() {
  local root=$1 pids left
  kill -STOP -- "-$root" 2>/dev/null || true
  pids=$(descendants "$root")
  kill -KILL -- "-$root" 2>/dev/null || true
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
  wait "$root" 2>/dev/null || true
  sleep 1
  left=$(for p in $pids; do alive "$p" && echo "$p"; done || true)
  [ -z "$left" ] || { log "processes of the killed run still alive: $left"; return 1; }
}

descendants() {
  local child
  for child in $(cat /proc/"$1"/task/*/children 2>/dev/null || true); do
    echo "$child"
    descendants "$child"
  done
}

# running or sleeping, not a zombie waiting to be reaped
alive() {
  local stat
  stat=$(cat /proc/"$1"/stat 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# First, NC_LAB_KILLS runs of site.yml, each SIGKILLed (ansible-playbook and its workers) at a random moment between
# 20 s and NC_LAB_KILL_WINDOW (default 240 s) after it started. Each run starts site.yml from the beginning and the
# moments are independent (a later run may be killed earlier); a run that ends before its moment is a point that
# missed (recorded with task null).
random_kills() {
  local n=${NC_LAB_KILLS:-0} seed=${NC_LAB_SEED:-$RANDOM} i pid after task points=()
  [ "$n" -gt 0 ] || return 0
  RANDOM=$seed
  for ((i = 1; i <= n; i++)); do
    after=$((20 + RANDOM % (${NC_LAB_KILL_WINDOW:-240} - 20)))
    setsid bash -c 'cd "$1" && exec ansible-playbook site.yml' _ "$TOP" > "$STATE/killed-$i.log" 2>&1 &
    pid=$!
    local waited=0
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt "$after" ]; do sleep 1; waited=$((waited + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
      kill_tree "$pid"
      task=$(grep -E "^TASK \[" "$STATE/killed-$i.log" | tail -1 | sed 's/ \*\**$//')
      log "site.yml killed (SIGKILL) after ${after} s, in: $task"
    else
      wait "$pid" || true
      task=""
      log "site.yml ended before the kill point (${after} s)"
    fi
    points+=("$(python3 -c 'import json,sys; print(json.dumps({"after_s": int(sys.argv[1]), "task": sys.argv[2] or None}))' "$after" "$task")")
  done
  (IFS=,; printf '{"seed": %s, "points": [%s]}\n' "$seed" "${points[*]}") > "$STATE/kills.json"
}

# The AWX job's own ssh settings: the lab's way to the floating IP, and no key file (the key is in ssh-agent).
cmd_awx() {
  local fip
  publish_guest
  fip=$(sed -n 's/^Host \([0-9.]*\)$/\1/p' "$STATE/ssh_config")
  cat > "$STATE/awx-ssh_config" <<CFG
# Written by scripts/lab.sh awx: the lab's network only; the key comes from the Machine credential (ssh-agent).
Host $fip
  ProxyCommand ip netns exec $LAB-out socat - TCP:%h:%p
Host *
  UserKnownHostsFile $STATE/known_hosts
  StrictHostKeyChecking accept-new
  ServerAliveInterval 15
CFG
  step "site.yml as an AWX job" "$TOP/.venv/bin/python" "$TOP/scripts/awx_job.py" "$STATE/awx" \
    --job-template "nestedcloud site" --inventory-source tests/lab/awx/lab.nestedcloud.yml --cloud undercloud \
    --ssh-key "$HOME/.nestedcloud/$LAB/id_ed25519" --answers "$TOP/tests/lab/awx-survey-answers.yml" \
    --set "undercloud_public_key=$(cat "$HOME/.nestedcloud/$LAB/id_ed25519.pub")" \
    --env "ANSIBLE_SSH_ARGS=-F $STATE/awx-ssh_config -o ControlMaster=auto -o ControlPersist=120s" \
    --env "NC_LAB_GUEST=$NC_LAB_GUEST" --env ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks \
    | tee "$STATE/awx.log"
  return "${PIPESTATUS[0]}"
}

# Figures of the lab as it is now: what each step took, each layer of site.yml, the smoke report, and memory.
# A copy of inventory $1 in $2 whose lab definition is changed by the Python statements $3 (on `lab`, the local lab's
# nestedcloud_lab_overrides).
changed_inventory() {
  rm -rf "$2" && cp -rL "$1" "$2"
  "$TOP/.venv/bin/python" - "$2/group_vars/all/local.yml" "$3" <<'PY'
import sys
import yaml
path = sys.argv[1]
with open(path) as handle:
    data = yaml.safe_load(handle)
lab = data["nestedcloud_lab_overrides"]
exec(sys.argv[2])
with open(path, "w") as handle:
    yaml.safe_dump(data, handle, default_flow_style=False)
PY
}

cmd_grow() {
  KEY=$HOME/.nestedcloud/$LAB/id_ed25519
  local grown=$STATE/grown-inventory before
  before=$("$TOP/.venv/bin/python" "$TOP/tests/lab/domains.py" "$LAB")
  changed_inventory "$INV" "$grown" 'lab["undercloud_count"] += 1; lab["nested_vms"]["count"] += 1'
  INV=$grown
  export ANSIBLE_INVENTORY=$grown
  publish_guest
  step "grow: layer undercloud" playbook playbooks/undercloud.yml | tee "$STATE/grow.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || return 1
  step "grow: test host for the new uc- server" hosts_up
  step "grow: layers jumphost, overlay, hypervisor" playbook playbooks/jumphost.yml playbooks/overlay.yml \
    playbooks/hypervisor.yml | tee -a "$STATE/grow.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || return 1
  printf '{"before": %s, "after": %s, "inventory": "%s"}\n' "$before" \
    "$("$TOP/.venv/bin/python" "$TOP/tests/lab/domains.py" "$LAB")" "$grown" > "$STATE/grown.json"
  log "grown: $(cat "$STATE/grown.json")"
}

cmd_shrink() {
  KEY=$HOME/.nestedcloud/$LAB/id_ed25519
  local grown=$STATE/grown-inventory fewer=$STATE/fewer-inventory retired=$STATE/retired-inventory before refused
  [ -d "$grown" ] || { log "shrink: run grow first"; return 1; }
  before=$("$TOP/.venv/bin/python" "$TOP/tests/lab/domains.py" "$LAB")
  changed_inventory "$grown" "$fewer" 'lab["nested_vms"]["count"] -= 1'
  changed_inventory "$grown" "$retired" \
    'lab["nested_vms"]["count"] -= 1; lab["retire"] = ["%s%04d" % (lab.get("naming", {}).get("nested_prefix", "oc-"), lab["nested_vms"]["count"] + 1)]'
  publish_guest
  refused=0
  ANSIBLE_INVENTORY=$fewer playbook playbooks/undercloud.yml playbooks/hypervisor.yml > "$STATE/shrink-refused.log" \
    2>&1 || refused=$?
  [ "$refused" -ne 0 ] || { log "shrink: lowering nested_vms.count below a running VM was not refused"; return 1; }
  log "shrink: one oc- VM fewer and not retired: refused (exit $refused)"
  ANSIBLE_INVENTORY=$retired step "shrink: the same, retired" playbook playbooks/undercloud.yml \
    playbooks/hypervisor.yml | tee "$STATE/shrink.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || return 1
  printf '{"before": %s, "after": %s, "refused_rc": %d, "inventory": "%s"}\n' "$before" \
    "$("$TOP/.venv/bin/python" "$TOP/tests/lab/domains.py" "$LAB")" "$refused" "$retired" > "$STATE/shrunk.json"
  log "shrunk: $(cat "$STATE/shrunk.json")"
}

cmd_figures() {
  local out=${1:-$STATE/figures.md} name log
  {
    echo "# Figures of the local lab"
    echo
    echo "Made by \`scripts/lab.sh figures\` ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo))."
    echo
    echo "## Steps of \`make lab\` and the tests' re-run"
    echo
    echo '```'
    cat "$STATE/timings.log"
    echo '```'
    if [ -s "$STATE/kills.json" ]; then
      echo
      echo "## Runs killed at random points (NC_LAB_KILLS)"
      echo
      python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("seed %s\n" % d["seed"]); [print("- after %s s: %s" % (p["after_s"], p["task"] or "ended before")) for p in d["points"]]' "$STATE/kills.json"
      echo
      echo "Then the SIGINT point (NC_LAB_INTERRUPT), then site.yml to the end: $(python3 "$TOP/tests/lab/check_recap.py" \
        --failed-only "$STATE/site.log" 2>&1 || true) (nothing twice, outside or inside: tests/lab/test_lab.py)."
    fi
    for log in $(cd "$STATE" && ls killed-*.log 2>/dev/null | sed 's/\.log$//') interrupted site again awx; do
      [ -s "$STATE/$log.log" ] || continue
      case $log in
        killed-*) name="site.yml number ${log#killed-}, killed at a random point" ;;
        awx) name="site.yml as an AWX job (must change nothing)" ;;
        interrupted) name="the first site.yml, interrupted on purpose (NC_LAB_INTERRUPT)" ;;
        site) name="site.yml$([ -s "$STATE/interrupted.log" ] && echo ", resumed after the interruption" || echo ", first run")" ;;
        again) name="site.yml again (must change nothing)" ;;
      esac
      echo
      echo "## Layers: $name"
      echo
      python3 "$TOP/tests/lab/layer_times.py" "$STATE/$log.log"
    done
    echo
    echo "## Memory"
    echo
    echo "Memory of each test host's cgroup (processes and page cache), and the resident memory of its processes."
    echo
    echo "| host | role | cgroup | processes (RSS) | largest processes (RSS, MiB) |"
    echo "|---|---|---:|---:|---|"
    for name in $(podman ps --format '{{.Names}}' | grep "^$LAB-" | sort); do
      local role=jumphost
      case $name in *uc-0001) role="controller (+ network node)" ;; *uc-0*) role=compute ;; esac
      printf '| %s | %s | %s | %s MiB | %s |\n' "${name#"$LAB"-}" "$role" \
        "$(podman stats --no-stream --format '{{.MemUsage}}' "$name" | cut -d/ -f1 | tr -d ' ')" \
        "$(podman exec "$name" ps -eo rss= | awk '{s+=$1} END {printf "%.0f", s/1024}')" \
        "$(podman exec "$name" ps -eo rss=,comm= | awk '{s[$2]+=$1} END {for (c in s) printf "%d %s\n", s[c]/1024, c}' \
           | sort -rn | head -6 | awk '{printf "%s%s %s", (NR>1?", ":""), $2, $1}')"
    done
    if [ -s "$HOME/.nestedcloud/$LAB/smoke-report.md" ]; then
      echo
      sed 's/^#/##/' "$HOME/.nestedcloud/$LAB/smoke-report.md"
    fi
  } > "$out"
  log "figures: $out"
}

cmd_down() {
  local name
  for name in $(podman ps -a --format '{{.Names}}' | grep "^$LAB-" || true); do podman rm -f -t 5 "$name" >/dev/null; done
  "$HOSTS" net down "$LAB"
  "$TOP/tests/undercloud/undercloud.sh" down
  rm -rf "$STATE/ssh_config" "$STATE/known_hosts"
  log "down: no container, namespace or local cloud of the lab remains"
}

mkdir -p "$STATE"
case "${1:-}" in
  up) cmd_up ;;
  again) cmd_again ;;
  awx) cmd_awx ;;
  smoke) shift; publish_guest; playbook playbooks/smoke.yml "$@" ;;
  layer) shift; name=${1:?layer NAME}; shift; publish_guest; playbook "playbooks/$name.yml" "$@" ;;
  grow) cmd_grow ;;
  shrink) cmd_shrink ;;
  figures) shift; cmd_figures "$@" ;;
  down) cmd_down ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
