# shellcheck shell=bash
# Processes the local undercloud starts, and only those: each daemon runs in its own session
# (PGID = PID) and its pid file records PID, start time and boot id, so that a stale file can
# never point at somebody else's process. Stopping signals the process groups we created.

# start time of a process (field 22 of /proc/PID/stat, counted after the "(comm)" field)
proc_start() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $20}'; }
boot_id() { cat /proc/sys/kernel/random/boot_id; }

# proc_run NAME USER CMD... : start CMD as USER in a new session, logging to $UC_STATE/log/NAME.out
proc_run() {
  local name=$1 user=$2; shift 2
  local out="$UC_STATE/log/$name.out"
  if [ "$user" = root ]; then
    setsid "$@" >>"$out" 2>&1 </dev/null &
  else
    setsid setpriv --reuid="$user" --regid="$user" --init-groups -- "$@" >>"$out" 2>&1 </dev/null &
  fi
  local pid=$!
  echo "$pid $(proc_start "$pid") $(boot_id)" > "$UC_STATE/pids/$name.pid"
}

# live, non-zombie PIDs of the process group recorded in pid file $1 (nothing if the file is stale)
proc_group() {
  local pgid start boot
  read -r pgid start boot < "$1" || return 0
  [[ $pgid =~ ^[0-9]+$ && $boot == "$(boot_id)" ]] || return 0
  if [ -e "/proc/$pgid/stat" ] && [ "$(proc_start "$pgid")" != "$start" ]; then
    return 0   # the PID was reused by another process: not ours
  fi
  ps -eo pid=,pgid=,stat= | awk -v g="$pgid" '$2 == g && $3 !~ /^Z/ {print $1}'
}

proc_all() {
  local f
  for f in "$UC_STATE"/pids/*.pid; do
    if [ -f "$f" ]; then proc_group "$f"; fi
  done
  return 0
}

# TERM every group we started, wait up to 15 s, then KILL what is left
proc_stop_all() {
  [ -d "$UC_STATE/pids" ] || return 0
  local pids i
  pids=$(proc_all)
  [ -n "$pids" ] || { rm -f "$UC_STATE"/pids/*.pid; return 0; }
  log "stopping $(ls "$UC_STATE"/pids | sed 's/\.pid$//' | tr '\n' ' ')"
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  for i in $(seq 60); do
    [ -z "$(proc_all)" ] && break
    sleep 0.25
  done
  pids=$(proc_all)
  if [ -n "$pids" ]; then
    log "KILL after 15 s: $pids"
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
  fi
  rm -f "$UC_STATE"/pids/*.pid
}

# wait_for WHAT SECONDS CMD... : poll CMD every 0.25 s, show progress every 10 s
wait_for() {
  local what=$1 limit=$2 i; shift 2
  for ((i = 0; i < limit * 4; i++)); do
    "$@" >/dev/null 2>&1 && { log "$what: ready"; return 0; }
    ((i % 40 == 39)) && log "$what: still waiting ($((i / 4 + 1))/${limit}s)"
    sleep 0.25
  done
  die "$what: not ready after ${limit}s (logs in $UC_STATE/log and /var/log)"
}
