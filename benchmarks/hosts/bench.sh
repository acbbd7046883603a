#!/usr/bin/env bash
# Benchmark of the hosts layers on the multihost scenario's test hosts (r0 + 3 uc-, tiny oc- VMs):
#   1. iperf3 TCP throughput between uc-0002 and uc-0001, over the underlay (10.22/16) and over the
#      VXLAN overlay (10.33/16), alternating, 3 rounds of 5 s each; the ratio of the medians.
#   2. the time of a second (idempotent) converge of overlay + jumphost + hypervisor relative to the first.
# Both are ratios inside one run: this machine is noisy, absolute numbers mean little.
# usage: benchmarks/hosts/bench.sh [ROUNDS]   (writes benchmarks/hosts/results.md; make bench-hosts)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
export CONTAINERS_CONF=$PWD/tests/hosts/containers.conf PATH=$PWD/.venv/bin:$PATH
out=benchmarks/hosts/results.md
log=$(mktemp -d /tmp/nestedcloud-bench-hosts.XXXXXX)
now() { date +%s.%N; }
tests/hosts/testhosts.sh install && tests/hosts/testhosts.sh relay start && tests/hosts/testhosts.sh image
trap 'molecule cleanup -s multihost >"$log/cleanup.log" 2>&1; molecule destroy -s multihost >"$log/destroy.log" 2>&1;
      tests/hosts/testhosts.sh relay stop' EXIT
molecule cleanup -s multihost >"$log/cleanup0.log" 2>&1 || true
molecule destroy -s multihost >"$log/destroy0.log" 2>&1
molecule create -s multihost >"$log/create.log" 2>&1
echo "converge 1 (fresh hosts, apt cache warm)"
t0=$(now); molecule converge -s multihost >"$log/converge1.log" 2>&1; t1=$(now)
echo "converge 2 (idempotent)"
molecule converge -s multihost >"$log/converge2.log" 2>&1; t2=$(now)
grep -a "changed=" "$log/converge2.log" | grep -qv "changed=0" && { echo "second converge changed something"; exit 1; }
first=$(echo "$t1 - $t0" | bc) second=$(echo "$t2 - $t1" | bc)

podman exec nco-uc-0001 iperf3 -s -D
sleep 1
gbits() {  # gbits ADDRESS -> receiver throughput in Gbit/s
  podman exec nco-uc-0002 iperf3 -c "$1" -t 5 -J | python3 -c \
    'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))'
}
under=() over=()
for i in $(seq "$ROUNDS"); do
  under+=("$(gbits 10.22.0.11)"); over+=("$(gbits 10.33.0.11)")
  echo "round $i: underlay ${under[-1]} Gbit/s, overlay ${over[-1]} Gbit/s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mu=$(median "${under[@]}") mo=$(median "${over[@]}")
ratio=$(echo "scale=3; $mo / $mu" | bc | sed "s/^\./0./") rerun=$(echo "scale=3; $second / $first" | bc | sed "s/^\./0./")
{
  echo "# Hosts layers benchmark"
  echo
  echo "Command: \`make bench-hosts\` (benchmarks/hosts/bench.sh), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores."
  echo "Test hosts of the multihost scenario: r0 + 3 uc- (podman, systemd, own network namespaces), underlay MTU"
  echo "1450, overlay MTU 1400, 2 tiny oc- VMs under QEMU/TCG running during the measurement."
  echo
  echo "| measure | value |"
  echo "|---|---|"
  echo "| iperf3 underlay uc-0002 -> uc-0001, Gbit/s (rounds) | ${under[*]} |"
  echo "| iperf3 overlay uc-0002 -> uc-0001, Gbit/s (rounds) | ${over[*]} |"
  echo "| **overlay / underlay (medians)** | **$ratio** |"
  echo "| converge 1 (overlay + jumphost + hypervisor, fresh hosts), s | $(printf '%.1f' "$first") |"
  echo "| converge 2 (idempotent, changed=0 on every host), s | $(printf '%.1f' "$second") |"
  echo "| **second run / first run** | **$rerun** |"
} > "$out"
cat "$out"
