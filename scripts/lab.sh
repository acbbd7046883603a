#!/usr/bin/env bash
# The whole lab on this machine: `make lab` (up) and `make lab-down` (down).
#   up     the local undercloud (Debian's OpenStack on 127.0.0.1) as the outer cloud; the undercloud layer makes the
#          lab's network, ports, servers and floating IP in it; test hosts (tests/hosts/testhosts.sh) stand in for
#          r0 and each uc- server at the address Neutron gave its port, with the lab's key, and r0 is reached
#          through its floating IP from the "outside" namespace; then the real site.yml runs end to end.
#   again  site.yml once more (it must change nothing)
#   down   remove the test hosts, their namespaces and the local undercloud
# Environment: NC_LAB_STATE (default /tmp/nestedcloud-lab); extra arguments go to ansible-playbook.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
STATE=${NC_LAB_STATE:-/tmp/nestedcloud-lab}
INV=$TOP/tests/lab/inventory
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
  out=$("$TOP/.venv/bin/python" "$TOP/tests/lab/outer_addresses.py" "$INV/group_vars/all/lab.yml")
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
  rm -f "$HOME/.nestedcloud/$LAB"/smoke-report.*   # a report of an earlier lab must not pass for this one
  KEY=$HOME/.nestedcloud/$LAB/id_ed25519
  step "packages and image" bash -c "'$HOSTS' install && '$HOSTS' image && '$HOSTS' relay start"
  step "local undercloud" env UC_AGENTS="dhcp l3" "$TOP/tests/undercloud/undercloud.sh" up
  step "layer undercloud (outer resources)" playbook playbooks/undercloud.yml
  step "test hosts for r0 and the uc- servers" hosts_up
  publish_guest
  step "site.yml" playbook site.yml | tee "$STATE/site.log"
  log "up: ssh -F $STATE/ssh_config root@<r0's floating IP>; the smoke report is in $STATE"
}

cmd_again() {
  KEY=$HOME/.nestedcloud/$LAB/id_ed25519
  publish_guest
  step "site.yml again" playbook site.yml
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
  down) cmd_down ;;
  *) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
