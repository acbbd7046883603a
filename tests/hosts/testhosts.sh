#!/usr/bin/env bash
# Test hosts for the jumphost/overlay/hypervisor layers: real Linux hosts on this machine, each with
# its own filesystem, process tree (systemd as PID 1) and network namespace, on an underlay bridge that
# lives in a namespace of its own. Nothing is ever addressed in the root namespace; containers are
# never privileged (the clock is this machine's).
#
#   testhosts.sh install              podman, runc, debootstrap, socat, apt-cacher-ng (only when missing)
#   testhosts.sh image                build localhost/nestedcloud-host:$NC_HOST_SUITE once (debootstrap, podman import)
#   testhosts.sh relay start|stop     apt-cacher-ng on 127.0.0.1:3142 (one download per package and run)
#   testhosts.sh net up P NAME=IP...  (once; a no-op while P-sw exists) namespaces P-sw (bridge br0, 10.22.0.1 = the outer cloud's router) and
#                                     P-NAME (eth0 = IP/16, MTU 1450 like a Neutron tenant network, route via
#                                     10.22.0.1, apt relay on its 127.0.0.1:3142)
#   testhosts.sh net down P           remove them (and the relays, and the outside)
#   testhosts.sh outside up P FIP=IP  (once) namespace P-out plays the internet: 198.51.100.100 serves HTTP (its
#                                     log: $NC_HOSTS_STATE/P-web.log). P-sw routes to it, maps the floating IP
#                                     FIP to the underlay address IP (DNAT in, SNAT out) and lets no other
#                                     underlay address out, like a project router with one floating IP.
#   testhosts.sh guest              build the tiny oc- guest once (Debian cloud kernel + busybox initramfs that
#                                     configures itself from an OpenStack config drive); prints its directory
#   testhosts.sh key                  the molecule scenarios' SSH key (made once); prints its path
#   testhosts.sh run P NAME...        start a container per NAME in namespace P-NAME (molecule does this itself)
#   testhosts.sh rm P NAME...         remove those containers
# Environment: NC_HOSTS_STATE (default /tmp/nestedcloud-hosts), MIRROR (default http://deb.debian.org/debian),
# NC_HOST_SUITE (the hosts' Debian release, default trixie).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
STATE=${NC_HOSTS_STATE:-/tmp/nestedcloud-hosts}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
# the Debian release of the test hosts (bookworm: Debian 12; trixie: Debian 13)
SUITE=${NC_HOST_SUITE:-trixie}
IMAGE=localhost/nestedcloud-host:$SUITE
export CONTAINERS_CONF=$HERE/containers.conf
UNDERLAY_MTU=${NC_UNDERLAY_MTU:-1450}
log() { printf '[testhosts %4ds] %s\n' "$SECONDS" "$*"; }

# --- packages -------------------------------------------------------------------------------------
install() {
  local want=(podman runc debootstrap socat apt-cacher-ng iproute2 curl nftables busybox-static cpio xz-utils) missing=() p
  for p in "${want[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && { log "packages: all ${#want[@]} installed"; return 0; }
  log "installing ${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=1200 update -qq
  # a policy-rc.d for the install keeps apt-cacher-ng's postinst from starting a daemon on every address
  local ours=""
  [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; ours=1; }
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=1200 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || {
    [ -z "$ours" ] || rm -f /usr/sbin/policy-rc.d; return 1; }
  [ -z "$ours" ] || rm -f /usr/sbin/policy-rc.d
}

# --- apt relay --------------------------------------------------------------------------------------
relay() {
  local d=$STATE/acng sock=$STATE/apt-proxy.sock
  mkdir -p "$d"/{cache,log,run} "$STATE/pids"
  case "$1" in
  start)
    if pid_alive "$STATE/pids/acng"; then log "apt relay: running"; return 0; fi
    [ -d "$d/conf" ] || { cp -r /etc/apt-cacher-ng "$d/conf"; echo "$MIRROR/" > "$d/conf/backends_debian"; }
    apt-cacher-ng -c "$d/conf" ForeGround=1 BindAddress=127.0.0.1 Port=3142 ConnectProto=v4 \
      CacheDir="$d/cache" LogDir="$d/log" SocketPath="$d/run/socket" PidFile="$d/run/pid" >"$d/stdout" 2>&1 &
    pid_record "$!" "$STATE/pids/acng"
    rm -f "$sock"
    socat "UNIX-LISTEN:$sock,fork,mode=600" TCP:127.0.0.1:3142 >/dev/null 2>&1 &
    pid_record "$!" "$STATE/pids/relay-root"
    local i
    for i in $(seq 100); do
      curl -sf -o /dev/null -x http://127.0.0.1:3142 "$MIRROR/dists/$SUITE/Release.gpg" && { log "apt relay: up"; return 0; }
      sleep 0.2
    done
    log "apt relay: apt-cacher-ng did not answer, see $d/stdout"; return 1 ;;
  stop)
    local f
    for f in "$STATE"/pids/relay-* "$STATE/pids/acng"; do [ -f "$f" ] && { stop_pid "$f"; rm -f "$f"; }; done
    rm -f "$sock" ;;
  esac
}

# A pid file holds the PID and its start time (tests/undercloud/procs.sh): PIDs wrap (pid_max is 32768 here) and a
# process of ours that ended early must never let a later `stop` signal whoever got its PID since.
# shellcheck source=tests/undercloud/procs.sh
. "$HERE/../undercloud/procs.sh"
pid_record() { echo "$1 $(proc_start "$1")" > "$2"; }
pid_alive() {
  local pid start
  [ -f "$1" ] && read -r pid start < "$1" || return 1
  [[ $pid =~ ^[0-9]+$ ]] && [ -n "$start" ] && [ "$(proc_start "$pid")" = "$start" ] && kill -0 "$pid" 2>/dev/null
}
stop_pid() { pid_alive "$1" && kill "$(cut -d' ' -f1 "$1")" 2>/dev/null || true; }

# --- image ------------------------------------------------------------------------------------------
PACKAGES=systemd,systemd-sysv,dbus,libnss-myhostname,python3,python3-apt,iproute2,iputils-ping,procps,openssh-server,sudo,ca-certificates,nftables,iptables,iperf3,curl,bind9-dnsutils,less
image() {
  # the tag carries a digest of this recipe: a changed recipe builds a new image, an unchanged one is reused
  local digest root
  digest=$(sed -n '/^PACKAGES=/,/^}/p' "$0" | sha256sum | cut -c1-12)
  if podman image exists "$IMAGE-$digest"; then log "image: $IMAGE-$digest exists"; podman tag "$IMAGE-$digest" "$IMAGE"; return 0; fi
  relay start
  root=$(mktemp -d /var/tmp/nestedcloud-rootfs.XXXXXX)
  log "image: debootstrap $SUITE (about a minute)"
  http_proxy=http://127.0.0.1:3142 debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$root" "$MIRROR" \
    > "$STATE/debootstrap.log" 2>&1 || { log "debootstrap failed, see $STATE/debootstrap.log"; rm -rf "$root"; return 1; }
  # never carry this machine's resolver, hostname or hosts into a test host
  echo "nameserver 127.0.0.1" > "$root/etc/resolv.conf"
  rm -f "$root/etc/hostname"
  sed -i 's/^hosts:.*/hosts:          files myhostname dns/' "$root/etc/nsswitch.conf"
  echo 'Acquire::http::Proxy "http://127.0.0.1:3142";' > "$root/etc/apt/apt.conf.d/01nestedcloud-relay"
  # chronyd must never discipline this machine's clock (the containers share it): -x, and no CAP_SYS_TIME condition
  mkdir -p "$root/etc/systemd/system/chrony.service.d"
  printf '[Unit]\nConditionCapability=\n[Service]\nExecStart=\nExecStart=!/usr/sbin/chronyd $DAEMON_OPTS -x\n' \
    > "$root/etc/systemd/system/chrony.service.d/10-test-host-no-clock.conf"
  local unit
  for unit in systemd-timesyncd.service getty@tty1.service console-getty.service; do
    ln -sf /dev/null "$root/etc/systemd/system/$unit"
  done
  mkdir -p "$root/root/.ssh" && chmod 700 "$root/root/.ssh"
  chroot "$root" apt-get clean
  tar -C "$root" -c . | podman import --change 'CMD ["/sbin/init"]' --change 'STOPSIGNAL=SIGRTMIN+3' \
    --change 'ENV container=podman' - "$IMAGE-$digest" >/dev/null
  podman tag "$IMAGE-$digest" "$IMAGE"
  rm -rf "$root"
  log "image: $IMAGE-$digest built"
}

# --- network namespaces -----------------------------------------------------------------------------
net_up() {
  local p=$1; shift
  local sw=$p-sw i=0 spec name ip ns
  # already up (molecule runs its dependency step again before converge; a grown lab adds hosts): containers hold
  # these, keep them, and add only the hosts that are new (each keeps the index of its place in the list)
  if ! ip netns list | grep -q "^$sw\b"; then
    ip netns add "$sw"
    ip -n "$sw" link set lo up
    ip -n "$sw" link add br0 mtu "$UNDERLAY_MTU" type bridge
    # 10.22.0.1 stands for the outer cloud's router; inside our own namespace only
    ip -n "$sw" addr add 10.22.0.1/16 dev br0
    ip -n "$sw" link set br0 up
  fi
  local added=()
  for spec in "$@"; do
    name=${spec%%=*}; ip=${spec#*=}; i=$((i + 1)); ns=$p-$name
    if ip netns list | grep -q "^$ns\b"; then continue; fi
    added+=("$spec")
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # a new namespace inherits this machine's IPv4 forwarding: start like a fresh host, roles enable it
    ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0 net.ipv4.conf.all.forwarding=0
    ip link add eth0 netns "$ns" mtu "$UNDERLAY_MTU" type veth peer name "p$i" netns "$sw" mtu "$UNDERLAY_MTU"
    ip -n "$sw" link set "p$i" master br0 up
    ip -n "$ns" addr add "$ip/16" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via 10.22.0.1
    # apt inside the host: its own 127.0.0.1:3142 -> unix socket -> apt-cacher-ng on this machine's loopback
    ip netns exec "$ns" socat TCP-LISTEN:3142,bind=127.0.0.1,fork,reuseaddr "UNIX-CONNECT:$STATE/apt-proxy.sock" \
      >/dev/null 2>&1 &
    pid_record "$!" "$STATE/pids/relay-$ns"
  done
  log "net $p: ${added[*]:-up already}"
}

net_down() {
  local p=$1 ns f
  for f in "$STATE"/pids/relay-"$p"-* "$STATE/pids/web-$p"; do [ -f "$f" ] && { stop_pid "$f"; rm -f "$f"; }; done
  for ns in $(ip netns list | awk '{print $1}' | grep "^$p-" || true); do ip netns del "$ns"; done
}

# --- tiny guest ---------------------------------------------------------------------------------------
# The oc- VMs of the tests: Debian's cloud kernel (downloaded, not installed) and a busybox initramfs whose
# /init reads an OpenStack config drive (label config-2, as Nova and our hypervisor role write it): hostname
# from meta_data.json, MAC, MTU, address, gateway and DNS from network_data.json. A real cloud image runs
# cloud-init on the same drive. Modules go in a fixed order (.deb kernels carry no modules.dep).
GUEST_MODULES="drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev
  drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci net/core/failover drivers/net/net_failover
  drivers/net/virtio_net drivers/block/virtio_blk drivers/cdrom/cdrom fs/isofs/isofs
  drivers/scsi/scsi_common drivers/scsi/scsi_mod drivers/ata/libata drivers/ata/ata_piix drivers/scsi/sr_mod"
# dropbear (SSH with the keys of the config drive) and the libraries it needs besides this machine's libc
# what Tempest drives in a guest, as in CirrOS: sudo (with PAM's pam_permit), blkid and lsblk of util-linux, and
# curl (test_server_basic_ops reads the metadata service with it; busybox has only wget)
GUEST_DEBS="dropbear-bin libtomcrypt1 libtommath1 sudo util-linux libpam0g libpam-modules libblkid1 libsmartcols1
  libmount1 curl libcurl4"
guest() {
  local digest dir work pkg kv m f
  digest=$(sed -n '/^GUEST_MODULES=/,/^GUEST_END/p' "$0" | sha256sum | cut -c1-12)
  dir=$STATE/guest-$digest
  if [ -s "$dir/initrd.gz" ] && [ -s "$dir/vmlinuz" ]; then echo "$dir"; return 0; fi
  [ -x /bin/busybox ] || DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=1200 install -y -qq busybox-static >/dev/null
  work=$(mktemp -d /var/tmp/nestedcloud-guest.XXXXXX) && chmod 755 "$work"   # apt-get download runs as _apt
  pkg=$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-/{print $2; exit}')
  kv=${pkg#linux-image-}
  (cd "$work" && apt-get download -qq "$pkg" >/dev/null && dpkg-deb -x "$pkg"_*.deb kpkg)
  mkdir -p "$work"/initrd/{bin,proc,sys,dev,mnt,lib/modules,etc}
  cp /bin/busybox "$work/initrd/bin/busybox"
  # dropbear from its packages; its libraries from those packages or this machine (Debian 12 too)
  (cd "$work" && apt-get download -qq $GUEST_DEBS >/dev/null && for d in *.deb; do dpkg-deb -x "$d" debs; done)
  mkdir -p "$work"/initrd/{sbin,lib64,lib/x86_64-linux-gnu,etc/dropbear,root/.ssh,usr/share/udhcpc}
  cp "$work/debs/usr/sbin/dropbear" "$work/initrd/sbin/"
  cp /lib64/ld-linux-x86-64.so.2 "$work/initrd/lib64/"
  for f in $(LD_LIBRARY_PATH=$work/debs/usr/lib/x86_64-linux-gnu ldd "$work/debs/usr/sbin/dropbear" | awk '/=>/ {print $3}') \
           /lib/x86_64-linux-gnu/libnss_files.so.2; do
    [ -f "$f" ] && cp -L "$f" "$work/initrd/lib/x86_64-linux-gnu/"
  done
  # sudo, blkid, lsblk and curl in /usr/bin, before busybox's applets in /bin (dropbear's PATH is /usr/bin:/bin)
  mkdir -p "$work"/initrd/{usr/bin,usr/libexec/sudo,lib/x86_64-linux-gnu/security,etc/pam.d,run,var,tmp}
  ln -s ../run "$work/initrd/var/run"
  cp "$work/debs/usr/bin/sudo" "$work/debs/sbin/blkid" "$work/debs/bin/lsblk" "$work/debs/usr/bin/curl" \
    "$work/initrd/usr/bin/"
  chmod 4755 "$work/initrd/usr/bin/sudo"
  cp -P "$work"/debs/usr/libexec/sudo/{sudoers.so,libsudo_util.so*} "$work/initrd/usr/libexec/sudo/"
  cp "$work/debs/lib/x86_64-linux-gnu/security/pam_permit.so" "$work/initrd/lib/x86_64-linux-gnu/security/"
  local libs=$work/debs/usr/lib/x86_64-linux-gnu:$work/debs/lib/x86_64-linux-gnu:$work/debs/usr/libexec/sudo
  for f in $(LD_LIBRARY_PATH=$libs ldd "$work"/debs/usr/bin/sudo "$work"/debs/usr/libexec/sudo/sudoers.so \
             "$work"/debs/sbin/blkid "$work"/debs/bin/lsblk "$work"/debs/lib/x86_64-linux-gnu/security/pam_permit.so \
             "$work"/debs/usr/bin/curl | awk '/=>/ {print $3}' | sort -u); do
    [ -f "$f" ] && case $f in */libexec/sudo/*) ;; *) cp -L "$f" "$work/initrd/lib/x86_64-linux-gnu/" ;; esac
  done
  # each program finds every library it needs inside the initramfs (a library missing here fails the build)
  for f in blkid lsblk curl; do
    chroot "$work/initrd" /usr/bin/$f --version >/dev/null || { log "guest: /usr/bin/$f does not run"; return 1; }
  done
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$work/initrd/etc/passwd"
  printf 'root:x:0:\n' > "$work/initrd/etc/group"
  printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' > "$work/initrd/etc/nsswitch.conf"
  printf '127.0.0.1 localhost\n' > "$work/initrd/etc/hosts"
  printf '/bin/sh\n' > "$work/initrd/etc/shells"
  printf 'Defaults !fqdn, !syslog, !lecture, !use_pty\nroot ALL=(ALL:ALL) NOPASSWD: ALL\n' > "$work/initrd/etc/sudoers"
  chmod 440 "$work/initrd/etc/sudoers"
  printf '%s sufficient pam_permit.so\n' auth account password session > "$work/initrd/etc/pam.d/other"
  cat > "$work/initrd/usr/share/udhcpc/default.script" <<'DHCP'
#!/bin/sh
case "$1" in
  bound|renew)
    [ -n "$mtu" ] && ip link set "$interface" mtu "$mtu"
    ifconfig "$interface" "$ip" netmask "$subnet" up
    [ -n "$router" ] && { ip route del default 2>/dev/null; ip route add default via "${router%% *}"; }
    # option 121, as CirrOS takes it: ML2/OVN's DHCP routes 169.254.169.254 (metadata) to its metadata port
    set -- $staticroutes
    while [ $# -ge 2 ]; do ip route replace "$1" via "$2" dev "$interface"; shift 2; done
    [ -n "$dns" ] && for d in $dns; do echo "nameserver $d"; done > /etc/resolv.conf ;;
esac
DHCP
  chmod +x "$work/initrd/usr/share/udhcpc/default.script"
  for m in $GUEST_MODULES; do
    f=$(ls "$work/kpkg/lib/modules/$kv/kernel/$m.ko"* | head -1)
    case $f in *.xz) xz -dc "$f" > "$work/initrd/lib/modules/$(basename "$m").ko" ;; *) cp "$f" "$work/initrd/lib/modules/" ;; esac
  done
  cat > "$work/initrd/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net virtio_blk \
    cdrom isofs scsi_common scsi_mod libata ata_piix sr_mod; do
  insmod /lib/modules/$m.ko 2>/dev/null || echo "insmod $m failed"
done
ip link set lo up
drive=""
for i in $(seq 100); do
  for d in /dev/vd? /dev/sr?; do [ -b "$d" ] && mount -t iso9660 -o ro "$d" /mnt 2>/dev/null && {
    [ -f /mnt/openstack/latest/network_data.json ] && { drive=$d; break 2; }; umount /mnt; }; done
  sleep 0.1
done
[ -n "$drive" ] || { echo "NESTEDCLOUD-GUEST-FAILED no config drive"; exec sh; }
md=/mnt/openstack/latest/meta_data.json nd=/mnt/openstack/latest/network_data.json
val() { sed -n "s/.*\"$1\": *\"\{0,1\}\([^\",}]*\).*/\1/p" "$2" | head -1 | sed 's/^null$//'; }
hostname "$(val hostname $md)"
mac=$(val ethernet_mac_address $nd) mtu=$(val mtu $nd) ip=$(val ip_address $nd) mask=$(val netmask $nd)
gw=$(val gateway $nd) dns=$(val address $nd)
dev=""; for n in /sys/class/net/*; do [ "$(cat $n/address)" = "$mac" ] && dev=${n##*/}; done
# Nova leaves the MTU out (null) of network_data.json unless it knows it: DHCP's option 26 then gives it
ip link set "$dev" up
[ -n "$mtu" ] && ip link set "$dev" mtu "$mtu"
if grep -q '"ipv4_dhcp"' $nd; then
  # it stays, as in CirrOS: a renewal (SIGUSR1 to the pid in /var/run/udhcpc.<nic>.pid) takes changed settings
  udhcpc -i "$dev" -t 20 -T 2 -n -p "/var/run/udhcpc.$dev.pid" -O mtu -O staticroutes -s /usr/share/udhcpc/default.script \
    >/dev/null 2>&1 || echo "NESTEDCLOUD-GUEST-FAILED dhcp"
  ip=$(ip -4 -o addr show dev "$dev" | awk '{print $4}' | head -1) mask=""
else
  ifconfig "$dev" "$ip" netmask "$mask" up
  [ -n "$gw" ] && ip route add default via "$gw"
  [ -n "$dns" ] && echo "nameserver $dns" > /etc/resolv.conf
fi
# the keypair's public keys (meta_data.json "public_keys") for root, and dropbear serving SSH with them
sed -n 's/.*"public_keys": *{\([^}]*\)}.*/\1/p' $md | tr ',' '\n' | sed -n 's/^ *"[^"]*": *"\(.*\)" *$/\1/p' | sed 's/\\n$//' > /root/.ssh/authorized_keys
umount /mnt   # read; Tempest mounts the config drive itself (blkid -L config-2)
echo "127.0.1.1 $(hostname)" >> /etc/hosts
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
[ -s /root/.ssh/authorized_keys ] && dropbear -R -E -p 22 2>/dev/null
for n in /sys/class/net/*; do ip link set "${n##*/}" up; done
mkdir -p /www && echo "$(hostname) $ip" > /www/index.html && httpd -p 80 -h /www
mtu=$(cat /sys/class/net/$dev/mtu)
echo "NESTEDCLOUD-GUEST-READY $(hostname) $dev $ip${mask:+/$mask} mtu $mtu uptime $(cut -d' ' -f1 /proc/uptime)"
exec sh
INIT
  chmod +x "$work/initrd/init"
  mkdir -p "$dir"
  cp "$work/kpkg/boot/vmlinuz-$kv" "$dir/vmlinuz"
  (cd "$work/initrd" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) > "$dir/initrd.gz"
  rm -rf "$work"
  echo "$dir"
}
GUEST_END=

OUTSIDE_NET=198.51.100
outside_up() {
  local p=$1 fip=${2%%=*} inner=${2#*=} sw=$1-sw out=$1-out www=$STATE/$1-www
  ip netns list | grep -q "^$sw\b" || { log "outside $p: run 'net up $p' first"; return 1; }
  if ip netns list | grep -q "^$out\b"; then log "outside $p: up already"; return 0; fi
  ip netns add "$out"
  ip -n "$out" link set lo up
  ip link add out netns "$sw" type veth peer name eth0 netns "$out"
  ip -n "$sw" addr add "$OUTSIDE_NET.1/24" dev out
  ip -n "$sw" link set out up
  ip -n "$out" addr add "$OUTSIDE_NET.100/24" dev eth0
  ip -n "$out" link set eth0 up
  ip -n "$out" route add default via "$OUTSIDE_NET.1"
  ip netns exec "$sw" sysctl -qw net.ipv4.ip_forward=1
  ip netns exec "$sw" nft -f - <<NFT
table ip outer {
  chain prerouting { type nat hook prerouting priority dstnat; iifname "out" ip daddr $fip dnat to $inner; }
  chain postrouting { type nat hook postrouting priority srcnat; oifname "out" ip saddr $inner snat to $fip; }
  chain forward { type filter hook forward priority filter; policy accept;
    oifname "out" ip saddr != $inner drop; }
}
NFT
  mkdir -p "$www"
  echo "NESTEDCLOUD-OUTSIDE-OK" > "$www/index.html"
  : > "$STATE/$p-web.log"
  ip netns exec "$out" setsid python3 -u -m http.server 80 --bind "$OUTSIDE_NET.100" --directory "$www" \
    >>"$STATE/$p-web.log" 2>&1 < /dev/null &
  pid_record "$!" "$STATE/pids/web-$p"
  local i
  for i in $(seq 50); do
    ip netns exec "$out" curl -sf -o /dev/null "http://$OUTSIDE_NET.100/" && { log "outside $p: up, floating IP $fip -> $inner"; return 0; }
    sleep 0.1
  done
  log "outside $p: the web server did not answer, see $STATE/$p-web.log"; return 1
}

# --- containers (outside molecule) ------------------------------------------------------------------
run_hosts() {
  local p=$1 name; shift
  for name in "$@"; do
    podman run -d --name "$p-$name" --hostname "$name" --network "ns:/run/netns/$p-$name" \
      --systemd=always --cap-add "${NC_HOST_CAPS:-NET_ADMIN,NET_RAW}" --cap-drop SYS_TIME --device /dev/net/tun \
      --security-opt unmask=/proc/sys --dns=none --no-hosts "$IMAGE" >/dev/null
  done
  for name in "$@"; do
    local s="" t
    for t in $(seq 100); do
      s=$(podman exec "$p-$name" systemctl is-system-running 2>/dev/null || true)
      case $s in running|degraded) break ;; esac
      sleep 0.1
    done
    log "$p-$name: systemd $s"
  done
}

# The key Ansible logs in with over SSH in the molecule scenarios (molecule/shared/ssh_access.yml installs it)
ssh_key() {
  local key=$STATE/ssh/id_ed25519
  [ -f "$key" ] || { mkdir -p -m 700 "${key%/*}" && ssh-keygen -q -t ed25519 -N "" -C nestedcloud-testhosts -f "$key"; }
  echo "$key"
}

# one podman rm for all: it stops them side by side (systemd in each may take its 5 s)
rm_hosts() {
  local p=$1 name names=() left try; shift
  for name in "$@"; do names+=("$p-$name"); done
  [ ${#names[@]} -eq 0 ] && return 0
  # podman rm now and then leaves a container it was stopping (seen: one of four, Exited, gone on a second rm)
  for try in 1 2 3; do
    podman rm -f -i -t 5 "${names[@]}" >/dev/null 2>&1 || true
    left=$(podman ps -a --format '{{.Names}}' | grep -Fx -f <(printf '%s\n' "${names[@]}") || true)
    [ -z "$left" ] && return 0
    log "rm: still there after podman rm (try $try): $(echo "$left" | tr '\n' ' ')"
  done
  return 1
}

mkdir -p "$STATE/pids"
case "${1:-}" in
install) install ;;
image) image ;;
relay) relay "${2:?start|stop}" ;;
net) shift; case "${1:-}" in up) shift; net_up "$@" ;; down) net_down "${2:?prefix}" ;; *) exit 2 ;; esac ;;
guest|tenant-guest) guest ;;
outside) shift; case "${1:-}" in up) outside_up "${2:?prefix}" "${3:?FIP=IP}" ;; *) exit 2 ;; esac ;;
key) ssh_key ;;
run) shift; run_hosts "$@" ;;
rm) shift; rm_hosts "$@" ;;
*) sed -n '2,25p' "$0"; exit 2 ;;
esac
