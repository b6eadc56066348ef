#!/usr/bin/env bash
# Start-up at a large world, and what a snapshot costs: in one run (release build),
#   world    seconds from exec to the end of the banner with --world (the world file read,
#            the banner printed), and the RSS then, against the library's own figure for the
#            same store (examples/memory.rs: 153.6 B per image at 1M, docs/performance.md)
#   fresh    the same with a fresh --state: the first snapshot written too (fsynced), which
#            is what a compaction costs under the world's lock
#   restart  a restart on that state: the snapshot read
# Each is run STARTUP_RUNS times (3); the median is printed, with the load average.
#
#   bash perf/startup.sh
#
# Settings (environment): STARTUP_IMAGES (1000000); STARTUP_RUNS (3); EMULATOR, another
# emulator binary to measure (default: this tree's release build).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=perf/emulator.sh
source "$ROOT/perf/emulator.sh"
WORK=$TARGET/perf-startup
IMAGES=${STARTUP_IMAGES:-1000000}
RUNS=${STARTUP_RUNS:-3}
LIBRARY_BYTES_PER_IMAGE=153.6
mkdir -p "$WORK"

# start LOG ARGS...: prints seconds from exec to the banner's last line and the RSS then (MB).
start() {
  local log=$1
  shift
  local t0
  t0=$(date +%s.%N)
  "$EMULATOR" --listen 127.0.0.1:0 "$@" >"$log" 2>&1 &
  PID=$!
  until grep -q '^  try: ' "$log"; do
    if ! kill -0 "$PID" 2>/dev/null; then
      cat "$log" >&2
      exit 1
    fi
    sleep 0.005
  done
  local t1
  t1=$(date +%s.%N)
  local rss
  rss=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$PID/status")
  kill "$PID"
  wait "$PID" 2>/dev/null || true
  PID=
  awk -v a="$t0" -v b="$t1" -v r="$rss" 'BEGIN { printf "%.2f %s\n", b - a, r }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

WORLD=$WORK/world-$IMAGES.json
if [ ! -s "$WORLD" ]; then
  say "a world of $IMAGES images"
  python3 "$ROOT/perf/requests.py" world "$IMAGES" "$WORLD"
fi
STATE=$WORK/state.json
: >"$WORK/world.txt"
: >"$WORK/fresh.txt"
: >"$WORK/restart.txt"
for run in $(seq "$RUNS"); do
  say "run $run of $RUNS"
  start "$WORK/world.log" --world "$WORLD" >>"$WORK/world.txt"
  rm -f "$STATE" "$STATE.journal" "$STATE.journal.b"
  start "$WORK/fresh.log" --world "$WORLD" --state "$STATE" >>"$WORK/fresh.txt"
  start "$WORK/restart.log" --world "$WORLD" --state "$STATE" >>"$WORK/restart.txt"
done
snapshot_mb=$(awk -v b="$(stat -c %s "$STATE")" 'BEGIN { printf "%.0f", b / 1048576 }')
rm -f "$STATE" "$STATE.journal" "$STATE.journal.b"

world=$(cut -d' ' -f1 "$WORK/world.txt" | median)
rss=$(cut -d' ' -f2 "$WORK/world.txt" | median)
fresh=$(cut -d' ' -f1 "$WORK/fresh.txt" | median)
restart=$(cut -d' ' -f1 "$WORK/restart.txt" | median)
library_mb=$(awk -v n="$IMAGES" -v b="$LIBRARY_BYTES_PER_IMAGE" 'BEGIN { printf "%.0f", n * b / 1048576 }')
echo
echo "Start-up at $IMAGES images, median of $RUNS runs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  --world:                  $world s; RSS $rss MB = $(awk -v a="$rss" -v b="$library_mb" 'BEGIN { printf "%.2f", a / b }')x the library's $library_mb MB"
echo "  --world, fresh --state:   $fresh s (the first snapshot, $snapshot_mb MB, written and fsynced:" \
  "$(awk -v a="$fresh" -v b="$world" 'BEGIN { printf "%.2f", a - b }') s more)"
echo "  restart on that state:    $restart s"
echo "targets: start at 1M <= 2 s; RSS <= 1.5x the library's figure"
