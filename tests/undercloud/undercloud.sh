#!/usr/bin/env bash
# A real OpenStack control plane on 127.0.0.1 from Debian 12's packages (Zed): the outer cloud of
# the integration tests and of the local lab. Keystone, Glance, Placement, Nova (fake virt driver),
# Neutron (ML2/linuxbridge on dead-end veth pairs), Cinder (volumes as sparse files, tests/undercloud/filedriver.py), MariaDB, RabbitMQ.
# No systemd needed: every daemon is started here and stopped by the PIDs recorded at start.
#
#   undercloud.sh up       install what is missing, reset all state, start, bootstrap, write clouds.yaml
#   undercloud.sh down     stop every process this script started; remove its veth pairs
#   undercloud.sh status   our processes with their memory, and which APIs answer
#   undercloud.sh diagnose the status, the last errors of every service's log, memory and disk (after a failure)
#   undercloud.sh clouds   print the path of clouds.yaml
#   undercloud.sh install  only install the packages
#
# clouds.yaml (mode 0600) has two entries: `undercloud`, an ordinary member of project `demo`
# (what tests and the lab use), and `undercloud-admin`. Passwords are generated on every `up`.
# Environment: UC_STATE (default /tmp/nestedcloud-undercloud), UC_CINDER=1, UC_AGENTS ("dhcp l3"
# for floating IPs that become ACTIVE), UC_NEUTRON_API_WORKERS=2.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
UC_STATE=${UC_STATE:-/tmp/nestedcloud-undercloud}
UC_PYLIB=/usr/local/lib/nestedcloud-undercloud   # the test cloud's own Cinder driver, readable by cinder
UC_CINDER=${UC_CINDER:-1}
UC_AGENTS=${UC_AGENTS:-}
UC_HOST=undercloud
KS=http://127.0.0.1:5000
export UC_STATE

PACKAGES=(mariadb-server python3-pymysql rabbitmq-server keystone glance-api placement-api
  nova-api nova-conductor nova-scheduler nova-compute nova-compute-ironic
  neutron-api neutron-rpc-server neutron-linuxbridge-agent neutron-dhcp-agent neutron-l3-agent
  cinder-api cinder-scheduler cinder-volume python3-openstackclient uwsgi-core uwsgi-plugin-python3
  iproute2 iptables ipset ebtables bridge-utils dnsmasq-base sudo curl procps util-linux openssl)

# Durations from /proc/uptime: the wall clock may be stepped.
uptime_s() { local u; read -r u _ < /proc/uptime; echo "${u%.*}"; }
T0=$(uptime_s)
log() { printf '[undercloud %4ss] %s\n' "$(($(uptime_s) - T0))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# shellcheck source=tests/undercloud/procs.sh
. "$HERE/procs.sh"

install_packages() {
  local missing=() pkg made_policy=0
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && { log "packages: all ${#PACKAGES[@]} installed"; return 0; }
  log "packages: installing ${#missing[@]} (${missing[*]:0:6}...)"
  # Every debconf question of the OpenStack packages (configure db/rabbit/keystone, register
  # endpoints) answered "no": we configure everything ourselves, nothing reaches out at install.
  local q
  for q in keystone:keystone/configure_db keystone:keystone/create-admin-tenant keystone:keystone/register-endpoint \
    nova-common:nova/configure_db nova-common:nova/configure_rabbit nova-common:nova/configure_ksat \
    nova-common:nova/configure_neutron nova-common:nova/configure_placement nova-api:novaapi/configure_db \
    nova-api:nova/configure_api-endpoint glance-common:glance/configure_db glance-common:glance/configure_rabbit \
    glance-common:glance/configure_ksat glance-api:glance/configure_api-endpoint neutron-common:neutron/configure_db \
    neutron-common:neutron/configure_rabbit neutron-common:neutron/configure_ksat neutron-common:neutron/configure_nova \
    neutron-api:neutron/configure_api-endpoint placement-common:placement/configure_db \
    placement-common:placement/configure_ksat placement-api:placement/configure_api-endpoint \
    cinder-common:cinder/configure_db cinder-common:cinder/configure_rabbit cinder-common:cinder/configure_ksat \
    cinder-api:cinder/configure_api-endpoint; do
    echo "${q%%:*} ${q#*:} boolean false"
  done | debconf-set-selections
  # postinst scripts must not start daemons
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d && made_policy=1
  fi
  local start rc=0
  start=$(uptime_s)
  apt-get -o DPkg::Lock::Timeout=1200 update -qq >"$UC_STATE/log/apt.log" 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=1200 install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" \
    >>"$UC_STATE/log/apt.log" 2>&1 || rc=$?
  [ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
  [ "$rc" = 0 ] || { tail -n 30 "$UC_STATE/log/apt.log"; die "apt-get install failed"; }
  log "packages: installed in $(($(uptime_s) - start))s"
}

# render TEMPLATE DEST [USER]: fill @VAR@ placeholders of tests/undercloud/etc/TEMPLATE
render() {
  local dest=$2
  sed -e "s#@KS@#$KS#g" -e "s#@RABBIT@#rabbit://guest:guest@127.0.0.1:5672/#g" \
      -e "s#@DB@#mysql+pymysql://openstack:$DB_PW@127.0.0.1#g" -e "s#@SVC_PW@#$SVC_PW#g" \
      -e "s#@HOST@#$UC_HOST#g" -e "s#@NEUTRON_WORKERS@#${UC_NEUTRON_API_WORKERS:-2}#g" \
      "$HERE/etc/$1" > "$dest.new"
  chmod 0640 "$dest.new"
  [ -n "${3:-}" ] && chgrp "$3" "$dest.new"
  mv "$dest.new" "$dest"
}

uwsgi_ini() { # NAME WSGI PORT PROCESSES THREADS LOG
  sed -e "s#@NAME@#$1#" -e "s#@WSGI@#$2#" -e "s#@PORT@#$3#" -e "s#@PROCS@#$4#" -e "s#@THREADS@#$5#" \
      -e "s#@LOG@#$6#" "$HERE/etc/uwsgi.ini" > "$UC_STATE/uwsgi/$1.ini"
}

write_configs() {
  render keystone.conf /etc/keystone/keystone.conf keystone
  render glance-api.conf /etc/glance/glance-api.conf glance
  render placement.conf /etc/placement/placement.conf placement
  render nova.conf /etc/nova/nova.conf nova
  # nova-compute gets no database sections ("No DB access allowed in nova-compute")
  awk '/^\[/ {skip = ($0 == "[api_database]" || $0 == "[database]")} !skip' /etc/nova/nova.conf > /etc/nova/nova-cpu.conf
  chmod 0640 /etc/nova/nova-cpu.conf && chgrp nova /etc/nova/nova-cpu.conf
  render neutron.conf /etc/neutron/neutron.conf neutron
  render ml2_conf.ini /etc/neutron/plugins/ml2/ml2_conf.ini neutron
  render linuxbridge_agent.ini /etc/neutron/plugins/ml2/linuxbridge_agent.ini neutron
  render dhcp_agent.ini /etc/neutron/dhcp_agent.ini neutron
  render l3_agent.ini /etc/neutron/l3_agent.ini neutron
  render cinder.conf /etc/cinder/cinder.conf cinder
  uwsgi_ini keystone /usr/bin/keystone-wsgi-public 5000 1 8 /var/log/keystone/keystone.log
  uwsgi_ini placement /usr/bin/placement-api 8778 2 2 /var/log/placement/placement-api.log
  uwsgi_ini nova-api /usr/bin/nova-api-wsgi 8774 2 1 /var/log/nova/nova-api.log
  uwsgi_ini cinder-api /usr/bin/cinder-wsgi 8776 1 4 /var/log/cinder/cinder-api.log
}

state_dirs() {
  local svc
  for svc in keystone glance placement nova neutron cinder; do
    install -d -o "$svc" -g "$svc" "/var/log/$svc"
    find "/var/log/$svc" -type f -delete
  done
  install -d -o glance -g glance /var/lib/glance/images /var/lib/glance/lock
  install -d -o nova -g nova /var/lib/nova/instances /var/lib/nova/tmp
  install -d -o neutron -g neutron /var/lib/neutron/lock
  install -d -o cinder -g cinder /var/lib/cinder/tmp
  install -d -o keystone -g keystone /var/lib/keystone
  rm -rf /var/lib/glance/images/* /var/lib/nova/instances/* /etc/keystone/fernet-keys /etc/keystone/credential-keys
}

# The linuxbridge agent's "physical" NICs: veth pairs that lead nowhere, without addresses.
links_up() {
  local pair
  for pair in nc-uc-tnt0:nc-uc-tnt1 nc-uc-ext0:nc-uc-ext1; do
    ip link show "${pair%%:*}" >/dev/null 2>&1 || ip link add "${pair%%:*}" type veth peer name "${pair##*:}"
    ip link set "${pair%%:*}" up && ip link set "${pair##*:}" up
  done
}

# What Neutron's agents made on a previous run: bridges, VLAN devices, taps, namespaces, and the
# daemons (dnsmasq, haproxy...) they started, whose PIDs Neutron records in files.
neutron_dataplane_down() {
  local dev ns f pid
  for f in /var/lib/neutron/dhcp/*/pid /var/lib/neutron/external/pids/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null || true)
    [[ $pid =~ ^[0-9]+$ ]] && kill -TERM "$pid" 2>/dev/null || true
    rm -f "$f"
  done
  for dev in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 |
               grep -E '^(brq[0-9a-f-]{11}|nc-uc-tnt0\.[0-9]+|tap[0-9a-f-]{11})$' || true); do
    ip link del "$dev" 2>/dev/null || true
  done
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^(qdhcp|qrouter)-[0-9a-f-]{36}$' || true); do
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf /var/lib/neutron/dhcp /var/lib/neutron/external /var/lib/neutron/ha_confs
}

links_down() {
  ip link del nc-uc-tnt0 2>/dev/null || true
  ip link del nc-uc-ext0 2>/dev/null || true
}

as() { local user=$1; shift; setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"; }

start_mariadb() {
  install -m 0644 "$HERE/etc/mariadb.cnf" /etc/mysql/mariadb.conf.d/99-nestedcloud-undercloud.cnf
  install -d -o mysql -g mysql /run/mysqld
  [ -d /var/lib/mysql/mysql ] || mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
  proc_run mariadb mysql /usr/sbin/mariadbd --pid-file=/run/mysqld/mysqld.pid
  wait_for mariadb 60 mariadb-admin ping
  local sql="" db
  for db in keystone glance placement nova_api nova nova_cell0 neutron cinder; do
    sql+="DROP DATABASE IF EXISTS $db; CREATE DATABASE $db;"
  done
  sql+="DROP USER IF EXISTS 'openstack'@'127.0.0.1'; CREATE USER 'openstack'@'127.0.0.1' IDENTIFIED BY '$DB_PW';"
  sql+="GRANT ALL PRIVILEGES ON *.* TO 'openstack'@'127.0.0.1'; FLUSH PRIVILEGES;"
  mariadb -u root -e "$sql"
}

start_rabbitmq() {
  rm -rf /var/lib/rabbitmq/mnesia/*
  install -d -o rabbitmq -g rabbitmq /var/log/rabbitmq /var/lib/rabbitmq
  install -m 0644 "$HERE/etc/rabbitmq-env.conf" /etc/rabbitmq/rabbitmq-env.conf
  proc_run epmd rabbitmq /usr/bin/epmd -address 127.0.0.1 -port 4369
  sleep 0.5
  proc_run rabbitmq rabbitmq env HOME=/var/lib/rabbitmq ERL_EPMD_ADDRESS=127.0.0.1 /usr/lib/rabbitmq/bin/rabbitmq-server
  wait_for rabbitmq 120 bash -c 'exec 3<>/dev/tcp/127.0.0.1/5672'
}

db_sync() {
  local pids=() pid failed=0 start
  start=$(uptime_s)
  (as keystone keystone-manage db_sync &&
   as keystone keystone-manage fernet_setup --keystone-user keystone --keystone-group keystone &&
   as keystone keystone-manage credential_setup --keystone-user keystone --keystone-group keystone &&
   as keystone keystone-manage bootstrap --bootstrap-password "$ADMIN_PW" --bootstrap-admin-url $KS/v3/ \
     --bootstrap-internal-url $KS/v3/ --bootstrap-public-url $KS/v3/ --bootstrap-region-id RegionOne
  ) >"$UC_STATE/log/sync-keystone.log" 2>&1 & pids+=($!)
  as glance glance-manage db_sync >"$UC_STATE/log/sync-glance.log" 2>&1 & pids+=($!)
  as placement placement-manage db sync >"$UC_STATE/log/sync-placement.log" 2>&1 & pids+=($!)
  (as nova nova-manage api_db sync &&
   as nova nova-manage cell_v2 map_cell0 --database_connection "mysql+pymysql://openstack:$DB_PW@127.0.0.1/nova_cell0" &&
   as nova nova-manage cell_v2 create_cell --name cell1 && as nova nova-manage db sync
  ) >"$UC_STATE/log/sync-nova.log" 2>&1 & pids+=($!)
  as neutron neutron-db-manage --config-file /etc/neutron/neutron.conf \
    --config-file /etc/neutron/plugins/ml2/ml2_conf.ini upgrade heads >"$UC_STATE/log/sync-neutron.log" 2>&1 & pids+=($!)
  if [ "$UC_CINDER" = 1 ]; then
    as cinder cinder-manage db sync >"$UC_STATE/log/sync-cinder.log" 2>&1 & pids+=($!)
  fi
  log "database schemas: ${#pids[@]} syncs in parallel"
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || { tail -n 15 "$UC_STATE"/log/sync-*.log; die "a database sync failed"; }
  log "database schemas: done in $(($(uptime_s) - start))s"
}

admin_env() {
  env OS_AUTH_URL=$KS/v3 OS_USERNAME=admin OS_PASSWORD="$ADMIN_PW" OS_PROJECT_NAME=admin \
    OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_REGION_NAME=RegionOne \
    OS_IDENTITY_API_VERSION=3 UC_SERVICE_PASSWORD="$SVC_PW" UC_DEMO_USER=demo UC_DEMO_PROJECT=demo \
    UC_DEMO_PASSWORD="$DEMO_PW" UC_CINDER="$UC_CINDER" "$@"
}

http_ok() { curl -s -o /dev/null -m 2 "$1"; }

start_openstack() {
  local u=$UC_STATE/uwsgi agent
  proc_run keystone keystone uwsgi --ini "$u/keystone.ini"
  wait_for keystone 60 http_ok $KS/v3
  admin_env /usr/bin/python3 "$HERE/bootstrap.py" catalog >>"$UC_STATE/log/bootstrap.log" 2>&1 ||
    { tail -n 20 "$UC_STATE/log/bootstrap.log"; die "catalog bootstrap failed"; }
  proc_run placement placement uwsgi --ini "$u/placement.ini"
  proc_run glance-api glance glance-api --config-file /etc/glance/glance-api.conf
  proc_run neutron-server neutron neutron-server --config-file /etc/neutron/neutron.conf \
    --config-file /etc/neutron/plugins/ml2/ml2_conf.ini --log-file /var/log/neutron/neutron-server.log
  proc_run nova-api nova uwsgi --ini "$u/nova-api.ini"
  proc_run nova-conductor nova nova-conductor --config-file /etc/nova/nova.conf --log-file /var/log/nova/nova-conductor.log
  proc_run nova-scheduler nova nova-scheduler --config-file /etc/nova/nova.conf --log-file /var/log/nova/nova-scheduler.log
  if [ "$UC_CINDER" = 1 ]; then
    proc_run cinder-api cinder uwsgi --ini "$u/cinder-api.ini"
    proc_run cinder-scheduler cinder cinder-scheduler --config-file /etc/cinder/cinder.conf \
      --log-file /var/log/cinder/cinder-scheduler.log
    install -d -m 0755 "$UC_PYLIB" && install -m 0644 "$HERE/filedriver.py" "$UC_PYLIB/"
    proc_run cinder-volume cinder env PYTHONPATH="$UC_PYLIB" cinder-volume --config-file /etc/cinder/cinder.conf --log-file /var/log/cinder/cinder-volume.log
  fi
  wait_for neutron 120 http_ok http://127.0.0.1:9696/
  # Agents only once neutron's RPC workers have declared their queues (they fork right after the
  # API answers): an agent's first RPC sent earlier is lost and it sits out a 60 s timeout.
  sleep 2
  proc_run neutron-linuxbridge-agent neutron neutron-linuxbridge-agent --config-file /etc/neutron/neutron.conf \
    --config-file /etc/neutron/plugins/ml2/linuxbridge_agent.ini --log-file /var/log/neutron/neutron-linuxbridge-agent.log
  for agent in $UC_AGENTS; do
    proc_run "neutron-$agent-agent" neutron "neutron-$agent-agent" --config-file /etc/neutron/neutron.conf \
      --config-file "/etc/neutron/${agent}_agent.ini" --log-file "/var/log/neutron/neutron-$agent-agent.log"
  done
  proc_run nova-compute nova nova-compute --config-file /etc/nova/nova-cpu.conf --log-file /var/log/nova/nova-compute.log
  wait_for placement 60 http_ok http://127.0.0.1:8778/
  wait_for glance 60 http_ok http://127.0.0.1:9292/
  wait_for nova 60 http_ok http://127.0.0.1:8774/
  if [ "$UC_CINDER" = 1 ]; then wait_for cinder 60 http_ok http://127.0.0.1:8776/; fi
}

write_clouds() (
  umask 077
  cat > "$UC_STATE/clouds.yaml" <<EOF
# Written by tests/undercloud/undercloud.sh up; passwords are new on every up.
clouds:
  undercloud:
    auth: {auth_url: "$KS/v3", username: demo, password: "$DEMO_PW", project_name: demo,
           user_domain_name: Default, project_domain_name: Default}
    region_name: RegionOne
    identity_api_version: 3
    interface: public
  undercloud-admin:
    auth: {auth_url: "$KS/v3", username: admin, password: "$ADMIN_PW", project_name: admin,
           user_domain_name: Default, project_domain_name: Default}
    region_name: RegionOne
    identity_api_version: 3
    interface: public
EOF
)

cmd_up() {
  mkdir -p "$UC_STATE"/{pids,log,uwsgi}
  find "$UC_STATE/log" -type f -delete
  install_packages
  proc_stop_all
  neutron_dataplane_down
  links_up
  ADMIN_PW=$(openssl rand -hex 16) SVC_PW=$(openssl rand -hex 16) DB_PW=$(openssl rand -hex 16) DEMO_PW=$(openssl rand -hex 16)
  state_dirs
  write_configs
  start_rabbitmq & local rabbit=$!
  start_mariadb
  wait "$rabbit" || die "rabbitmq did not start"
  db_sync
  start_openstack
  admin_env /usr/bin/python3 "$HERE/bootstrap.py" ready 2>&1 | tee -a "$UC_STATE/log/bootstrap.log" |
    sed 's/^/[undercloud] /' >&2
  [ "${PIPESTATUS[0]}" = 0 ] || die "the undercloud did not become ready"
  write_clouds
  log "up: OS_CLIENT_CONFIG_FILE=$UC_STATE/clouds.yaml, clouds 'undercloud' (member of demo) and 'undercloud-admin'"
}

cmd_down() {
  mkdir -p "$UC_STATE/pids"
  proc_stop_all
  neutron_dataplane_down
  links_down
  rm -f "$UC_STATE/clouds.yaml"
  log "down: nothing of ours is running"
}

cmd_status() {
  local f name pids rss total=0 api
  [ -d "$UC_STATE/pids" ] || { echo "not started"; return 1; }
  printf '%-26s %-24s %8s\n' PROCESS PIDS RSS_MiB
  for f in "$UC_STATE"/pids/*.pid; do
    [ -f "$f" ] || continue
    name=$(basename "$f" .pid)
    pids=$(proc_group "$f" | tr '\n' ' ')
    rss=0
    [ -n "$pids" ] && rss=$(ps -o rss= -p "$(echo $pids | tr ' ' ',')" 2>/dev/null | awk '{s += $1} END {print int(s / 1024)}')
    total=$((total + rss))
    printf '%-26s %-24s %8s\n' "$name" "${pids:-DEAD}" "$rss"
  done
  printf '%-26s %-24s %8s\n' total "" "$total"
  for api in keystone:5000/v3 glance:9292/ placement:8778/ nova:8774/ neutron:9696/ cinder:8776/; do
    if http_ok "http://127.0.0.1:${api#*:}"; then echo "${api%%:*}: answers"; else echo "${api%%:*}: DOWN"; fi
  done
}

# After a failure: which of our processes died, which APIs answer, the last errors of each service's log,
# the database server's own complaints, memory and disk - short, so that CI's kept tail of the output holds it.
cmd_diagnose() {
  echo "=== the local undercloud after a failure ($(date -u +%H:%M:%S))"
  cmd_status || true
  local log
  for log in /var/log/keystone/keystone.log /var/log/glance/glance-api.log /var/log/placement/placement-api.log \
    /var/log/nova/nova-api.log /var/log/neutron/neutron-server.log "$UC_STATE/log/mariadb.out"; do
    [ -f "$log" ] || continue
    echo "--- last errors of $log"
    { grep -E ' (ERROR|CRITICAL) |\[ERROR\]|Traceback' "$log" || true; } | tail -n 4 | cut -c1-300
  done
  echo "--- memory (MiB), the kernel's out-of-memory kills, disk"
  free -m | sed -n '1,2p'
  { dmesg 2>/dev/null | grep -iE 'out of memory|oom-kill|killed process' || true; } | tail -n 3
  df -h / /tmp /var/lib/mysql 2>/dev/null | awk '!seen[$0]++'
}

case "${1:-}" in
  up) cmd_up ;;
  diagnose) cmd_diagnose ;;
  down) cmd_down ;;
  status) cmd_status ;;
  clouds) echo "$UC_STATE/clouds.yaml" ;;
  install) mkdir -p "$UC_STATE/log"; install_packages ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
