#!/usr/bin/env bash
# Benchmark of the whole lab (make bench-lab), in one run on this machine, from nothing:
#   0. the package cache warmed (benchmarks/lab/floor.py warm), so that no run below waits on the mirror
#   1. site.yml from zero (`scripts/lab.sh up`: the AWX job, no kill, Tempest installed and configured, not run)
#   2. site.yml again as an AWX job (`scripts/lab.sh awx`): it must change nothing
#   3. the floor of the overcloud layer on fresh test hosts (benchmarks/lab/floor.py measure)
#   4. the report: layers of both runs, the tasks that cost most, the floor, the ratios overcloud / floor and
#      no-op / first (benchmarks/lab/report.py); then the lab is taken down.
# Only ratios of one run are compared with goals: this machine is noisy, absolute seconds mean little.
# usage: benchmarks/lab/bench.sh [OUT]   (default benchmarks/lab/speed.md)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-benchmarks/lab/speed.md}
STATE=${NC_LAB_STATE:-/tmp/nestedcloud-lab}
export PATH=$PWD/.venv/bin:$PATH CONTAINERS_CONF=$PWD/tests/hosts/containers.conf NC_LAB_VERIFY_RUN=false
mkdir -p "$STATE"
if podman ps --format '{{.Names}}' | grep -q '^nclab-'; then
  echo "a lab is up (scripts/lab.sh down first): the benchmark starts from nothing"; exit 1
fi
trap 'scripts/lab.sh down >/dev/null 2>&1 || true; tests/hosts/testhosts.sh relay stop' EXIT
tests/hosts/testhosts.sh install && tests/hosts/testhosts.sh image && tests/hosts/testhosts.sh relay start
echo "--- 0. package cache"
python benchmarks/lab/floor.py warm > "$STATE/bench-warm.json"
echo "--- 1. site.yml from zero"
NC_LAB_KILLS=0 NC_LAB_INTERRUPT="" NC_LAB_ARGS="-e verify_run=false" scripts/lab.sh up
echo "--- 2. site.yml again as an AWX job (must change nothing)"
scripts/lab.sh awx > /dev/null
python tests/lab/check_recap.py "$STATE/awx.log"
echo "--- 3. the floor of the overcloud layer"
python benchmarks/lab/floor.py measure "$STATE/build.log" > "$STATE/bench-floor.json"
echo "--- 4. report"
# the commit measured, read before the report is written (writing it changes the tree)
made_at="$(git rev-parse --short HEAD)$(git diff --quiet || echo ' with changes')"
{
  echo "<!-- Made by \`make bench-lab\` (benchmarks/lab/bench.sh) at commit $made_at,"
  echo "     $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo). -->"
  echo "# Lab speed: the first site.yml, its floor, and the run that changes nothing"
  echo
  python benchmarks/lab/report.py "$STATE/build.log" "$STATE/awx.log" "$STATE/bench-floor.json" "$STATE/bench-warm.json"
} > "$OUT"
cat "$OUT"
