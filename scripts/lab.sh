#!/usr/bin/env bash
# The whole lab on this machine: `make lab` (up) and `make lab-down` (down).
#   up     the local undercloud (Debian's OpenStack on 127.0.0.1) as the outer cloud, then site.yml as one AWX job
#          from zero (scripts/awx_job.py: its inventory is synced before any server exists; the undercloud layer
#          adds the hosts it makes). While it runs, a watcher makes the test hosts (tests/hosts/testhosts.sh) that
#          stand in for r0 and each uc- server at the address Neutron gave its port, with the lab's key, as soon
#          as the servers exist; r0 is reached through its floating IP from the "outside" namespace.
#   again  site.yml once more (it must change nothing)
#   kill-tempest [SECONDS]  the verify layer alone, SIGKILLed SECONDS (default 60) into its Tempest run
#   awx    site.yml once more as AWX runs it (scripts/awx_job.py: ansible-runner, the project layout, the inventory
#          synced from the plugin, the survey's answers, the credentials AWX injects); it must change nothing
#   smoke [ARGS]  the smoke layer alone (playbooks/smoke.yml), e.g. `smoke -e smoke_canary=false -e smoke_keep=true`
#   layer NAME [ARGS]  one layer's playbook (playbooks/NAME.yml), e.g. `layer overcloud --limit uc-0002`
#   grow   the running lab one uc- host and one oc- VM bigger (a copy of its inventory with both counts raised, in
#          $STATE/grown-inventory): the undercloud layer, a test host for the new server, then the jumphost, overlay
#          and hypervisor layers; where every oc- domain ran before goes to $STATE/grown.json for tests/lab/test_grown.py
#   shrink after grow: one oc- VM fewer, first without retiring it (the run must be refused and change nothing), then
#          with nestedcloud_lab.retire naming it (undercloud and hypervisor layers); $STATE/shrunk.json for the test
#   figures [FILE]  step and layer times, memory of each host and the smoke and Tempest reports, as Markdown
#   down   remove the test hosts, their namespaces and the local undercloud
# Environment: NC_LAB_STATE (default /tmp/nestedcloud-lab); NC_LAB_ARGS, more arguments for each ansible-playbook run (killed and interrupted ones too);
# NC_LAB_VERIFY_RUN=false, the AWX-style jobs install and configure Tempest but run no test (verify_run);
# NC_LAB_INTERRUPT, a task name pattern: `up` stops the AWX job from zero there (SIGKILL of the job and its
# ansible-playbook), then NC_LAB_KILLS=N runs of ansible-playbook site.yml are killed (SIGKILL of the whole process
# group) at random moments (NC_LAB_SEED picks them; the points go to $STATE/kills.json), then one is interrupted at
# the pattern again (SIGINT, as Ctrl-C), and the last must converge.
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
# (its status is the command's: called as `step ... || handler`, set -e would not stop at a failure inside)
step() { local name=$1 s rc=0; shift; s=$(uptime_s); "$@" || rc=$?; log "$name: $(($(uptime_s) - s)) s"; return "$rc"; }

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
  rm -rf "$HOME/.nestedcloud/$LAB"/smoke-report.* "$HOME/.nestedcloud/$LAB"/tempest-* "$STATE"/{build,interrupted,site,again,awx,watch}.log \
    "$STATE"/killed-*.log "$STATE/kills.json" "$STATE/awx" "$STATE/awx-build"  # nothing of an earlier lab
  KEY=$HOME/.nestedcloud/$LAB/id_ed25519
  step "packages and image" bash -c "'$HOSTS' install && '$HOSTS' image && '$HOSTS' relay start"
  step "local undercloud" env UC_AGENTS="dhcp l3" "$TOP/tests/undercloud/undercloud.sh" up
  lab_key
  publish_guest
  watch_servers &
  local watcher=$!
  step "site.yml" site_first || { kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null; return 1; }
  wait "$watcher" || { log "the test hosts were not made (see $STATE/watch.log)"; return 1; }
  log "up: ssh -F $STATE/ssh_config root@<r0's floating IP>; the smoke report is in $HOME/.nestedcloud/$LAB"
}

cmd_again() {
  KEY=$HOME/.nestedcloud/$LAB/id_ed25519
  publish_guest
  step "site.yml again" playbook site.yml | tee "$STATE/again.log"
  return "${PIPESTATUS[0]}"
}

# The key pair of the AWX Machine credential, made first as an AWX administrator would: the job gets the private
# half (ssh-agent) and passes the public half to the undercloud layer as the outer cloud's keypair.
lab_key() {
  KEY=$HOME/.nestedcloud/$LAB/id_ed25519
  [ -f "$KEY" ] || { mkdir -p "${KEY%/*}" && ssh-keygen -q -t ed25519 -N "" -C "nestedcloud-$LAB" -f "$KEY"; }
}

# In the background while the AWX job runs: as soon as the outer cloud has every server of the lab (with its fixed
# address) and r0's floating IP, make the test hosts that stand in for them; the jumphost layer waits for r0 to
# answer (jumphost_boot_timeout), as for a real server that boots.
watch_servers() {
  local want waited=0 out
  want=$("$TOP/.venv/bin/python" -c 'import sys; from ansible_collections.nestedcloud.openstack.plugins.inventory.lab \
import definition_from; print(int(definition_from(sys.argv[1]).get("undercloud_count", 4)) + 1)' "$INV/group_vars/all")
  while [ "$waited" -lt 1200 ]; do
    out=$("$TOP/.venv/bin/python" "$TOP/tests/lab/outer_addresses.py" "$INV/group_vars/all" 2>/dev/null || true)
    if [ "$(grep -c '^HOST ' <<< "$out")" -ge "$want" ] && grep -q '^FIP ' <<< "$out"; then
      log "watcher: the outer cloud has the lab's $want servers and r0's floating IP after ${waited} s"
      step "test hosts for r0 and the uc- servers" hosts_up > "$STATE/watch.log" 2>&1
      return
    fi
    sleep 5
    waited=$((waited + 5))
  done
  log "watcher: the lab's $want servers did not all appear in 1200 s"
  return 1
}

# site.yml as AWX runs a job template (scripts/awx_job.py): the inventory synced from tests/lab/awx/lab.nestedcloud.yml
# when the job starts, the survey's answers, the credentials AWX injects; its own ssh settings reach the floating IPs
# of the local cloud's external network (203.0.113.0/24, tests/undercloud/bootstrap.py) from the "outside" namespace,
# with no key file (the key is in ssh-agent). The reports go where an AWX job template's Variables would keep them
# (persistent storage; the job's own home is gone with it): here, the operator's ~/.nestedcloud/<lab>.
# Prints the command, for `bash -c`.
awx_site_command() {
  cat > "$STATE/awx-ssh_config" <<CFG
# Written by scripts/lab.sh: the lab's network only; the key comes from the Machine credential (ssh-agent).
Host 203.0.113.*
  ProxyCommand ip netns exec $LAB-out socat - TCP:%h:%p
Host *
  UserKnownHostsFile $STATE/known_hosts
  StrictHostKeyChecking accept-new
  ServerAliveInterval 15
CFG
  printf '%q ' "$TOP/.venv/bin/python" "$TOP/scripts/awx_job.py" "$STATE/awx" \
    --job-template "nestedcloud site" --inventory-source tests/lab/awx/lab.nestedcloud.yml --cloud undercloud \
    --ssh-key "$KEY" --answers "$TOP/tests/lab/awx-survey-answers.yml" \
    --set "undercloud_public_key=$(cat "$KEY.pub")" --set "verify_run=${NC_LAB_VERIFY_RUN:-true}" \
    --set "smoke_report_dir=$HOME/.nestedcloud/$LAB" --set "verify_report_dir=$HOME/.nestedcloud/$LAB" \
    --env "ANSIBLE_SSH_ARGS=-F $STATE/awx-ssh_config -o ControlMaster=auto -o ControlPersist=120s" \
    --env "NC_LAB_GUEST=$NC_LAB_GUEST" --env ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks
}

# Run `bash -c COMMAND` in a session of its own, output to LOG, and stop it when a task matching PATTERN starts,
# with SIGNAL: INT (as Ctrl-C: ansible-playbook's own handling) or KILL (the whole tree). Prints the task.
# (scripts/lab_runs.py: the process handling, unit-tested)
run_until() {
  local log=$1 pattern=$2 signal=$3 command=$4 after=${5:-3}
  "$TOP/.venv/bin/python" "$TOP/scripts/lab_runs.py" until "$log" "$pattern" "$signal" "$after" \
    -- bash -c "cd '$TOP' && exec $command"
}

# The lab is built by site.yml as one AWX job from zero. NC_LAB_INTERRUPT=PATTERN: that job is stopped (SIGKILL)
# when a task matching PATTERN starts - by then it has run every layer before with the hosts it added itself -, then
# the random kills (random_kills), then ansible-playbook site.yml interrupted at PATTERN again (SIGINT, as Ctrl-C),
# then site.yml once more to the end: the lab must converge from every one of these points.
site_first() {
  local task
  if [ -z "${NC_LAB_INTERRUPT:-}" ]; then
    bash -c "cd '$TOP' && exec $(awx_site_command)" | tee "$STATE/build.log"
    return "${PIPESTATUS[0]}"
  fi
  log "site.yml as an AWX job from zero, stopped at the first task matching '$NC_LAB_INTERRUPT' (output in $STATE/build.log)"
  task=$(run_until "$STATE/build.log" "$NC_LAB_INTERRUPT" KILL "$(awx_site_command)")
  [ -n "$task" ] || { log "the AWX job ended before any task matched '$NC_LAB_INTERRUPT'"; return 1; }
  log "the AWX job from zero killed (SIGKILL) at: $task"
  random_kills
  log "site.yml, interrupted at the first task matching '$NC_LAB_INTERRUPT' (output in $STATE/interrupted.log)"
  task=$(run_until "$STATE/interrupted.log" "$NC_LAB_INTERRUPT" INT "ansible-playbook site.yml ${NC_LAB_ARGS:-}")
  [ -n "$task" ] || { log "site.yml ended before any task matched '$NC_LAB_INTERRUPT'"; return 1; }
  log "site.yml interrupted (SIGINT) at: $task"
  playbook site.yml | tee "$STATE/site.log"
  return "${PIPESTATUS[0]}"
}

# First, NC_LAB_KILLS runs of site.yml, each SIGKILLed (ansible-playbook and its workers, scripts/lab_runs.py) at a
# random moment between 20 s and NC_LAB_KILL_WINDOW (default 240 s) after it started. Each run starts site.yml from
# the beginning and the moments are independent (a later run may be killed earlier); a run that ends before its
# moment is a point that missed (recorded with task null in $STATE/kills.json).
random_kills() {
  local n=${NC_LAB_KILLS:-0} seed=${NC_LAB_SEED:-$RANDOM} out line rc=0
  [ "$n" -gt 0 ] || return 0
  log "random kills: $n runs of site.yml, seed $seed"
  # shellcheck disable=SC2086  # NC_LAB_ARGS is split into arguments, as in playbook()
  out=$("$TOP/.venv/bin/python" "$TOP/scripts/lab_runs.py" kills "$n" "$seed" "${NC_LAB_KILL_WINDOW:-240}" "$STATE" \
    -- bash -c 'cd "$1" && shift && exec ansible-playbook site.yml "$@"' _ "$TOP" ${NC_LAB_ARGS:-}) || rc=$?
  while IFS= read -r line; do [ -z "$line" ] || log "$line"; done <<< "$out"
  return "$rc"
}

# The verify layer alone, SIGKILLed SECONDS (default 60) after its Tempest run began: Tempest goes on in the
# background on r0, holding the projects and servers of its dynamic credentials, until the next verify run stops it
# and deletes what it left (tests/lab/test_tempest.py reads the next report). Where it was killed: $STATE/tempest-kill.json.
cmd_kill_tempest() {
  local after=${1:-60} task
  publish_guest
  task=$(run_until "$STATE/tempest-killed.log" "verify : Tempest, progress below" KILL \
    "ansible-playbook playbooks/verify.yml ${NC_LAB_ARGS:-}" "$after")
  [ -n "$task" ] || { log "the verify layer ended before its Tempest run began"; return 1; }
  printf '{"task": "%s", "after_s": %d}\n' "${task//\"/}" "$after" > "$STATE/tempest-kill.json"
  log "the verify layer killed (SIGKILL) ${after} s into: $task"
}

# site.yml again as an AWX job, now that the inventory syncs every host: it must change nothing. The artifacts of the
# job that built the lab are kept in $STATE/awx-build.
cmd_awx() {
  lab_key
  publish_guest
  # what AWX keeps of the job that built the lab (its artifacts, never its credentials)
  if [ ! -d "$STATE/awx-build" ] && [ -d "$STATE/awx/artifacts" ]; then
    mkdir -p "$STATE/awx-build" && cp -a "$STATE/awx/artifacts" "$STATE/awx-build/"
  fi
  step "site.yml as an AWX job" bash -c "cd '$TOP' && exec $(awx_site_command)" | tee "$STATE/awx.log"
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
    for log in build $(cd "$STATE" && ls killed-*.log 2>/dev/null | sed 's/\.log$//') interrupted site again awx; do
      [ -s "$STATE/$log.log" ] || continue
      case $log in
        build) name="site.yml as one AWX job from zero$([ -s "$STATE/interrupted.log" ] && echo ", stopped on purpose (NC_LAB_INTERRUPT)")" ;;
        killed-*) name="site.yml number ${log#killed-}, killed at a random point" ;;
        awx) name="site.yml as an AWX job (must change nothing)" ;;
        interrupted) name="site.yml, interrupted on purpose (NC_LAB_INTERRUPT)" ;;
        site) name="site.yml, resumed after the interruption" ;;
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
      case $name in *uc-0001) role="controller (+ OVN central, the oc- VMs)" ;; *uc-0*) role="compute (+ OVN gateway chassis)" ;; esac
      printf '| %s | %s | %s | %s MiB | %s |\n' "${name#"$LAB"-}" "$role" \
        "$(podman stats --no-stream --format '{{.MemUsage}}' "$name" | cut -d/ -f1 | tr -d ' ')" \
        "$(podman exec "$name" ps -eo rss= | awk '{s+=$1} END {printf "%.0f", s/1024}')" \
        "$(podman exec "$name" ps -eo rss=,comm= | awk '{s[$2]+=$1} END {for (c in s) printf "%d %s\n", s[c]/1024, c}' \
           | sort -rn | head -6 | awk '{printf "%s%s %s", (NR>1?", ":""), $2, $1}')"
    done
    local report
    for report in smoke-report.md tempest-report.md; do
      if [ -s "$HOME/.nestedcloud/$LAB/$report" ]; then
        echo
        sed 's/^#/##/' "$HOME/.nestedcloud/$LAB/$report"
      fi
    done
  } > "$out"
  log "figures: $out"
}

cmd_down() {
  # every test host of the lab, in one podman rm (testhosts.sh rm: side by side)
  # shellcheck disable=SC2046  # one name per word
  "$HOSTS" rm "$LAB" $(podman ps -a --format '{{.Names}}' | sed -n "s/^$LAB-//p")
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
  kill-tempest) shift; cmd_kill_tempest "$@" ;;
  smoke) shift; publish_guest; playbook playbooks/smoke.yml "$@" ;;
  layer) shift; name=${1:?layer NAME}; shift; publish_guest; playbook "playbooks/$name.yml" "$@" ;;
  grow) cmd_grow ;;
  shrink) cmd_shrink ;;
  figures) shift; cmd_figures "$@" ;;
  down) cmd_down ;;
  *) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
