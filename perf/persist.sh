#!/usr/bin/env bash
# The cost of durability: acknowledged DeleteImage with --state against the append+fsync floor
# of the same disk, in one run, at a small and a large world; and the start-up times.
#
#   bash perf/persist.sh
#
# For each world size (PERSIST_SIZES, default "1000 1000000"):
#   floor   one process appending a record of the journal's mean record size and fdatasyncing
#           it, in a loop, in the state's directory: the most acknowledged changes per second
#           one connection can get
#   c1      signed DeleteImage requests, each deleting a different image, over one keep-alive
#           connection (wrk -c1), every one answered `Deleted` only once durable
#   c16     the same over 16 connections (group commit: one fsync for every change queued)
# and the start-up: the world file alone (no state), the world file with a fresh --state (the
# first snapshot is written), and a restart on that state (the snapshot read and the journal
# of the runs above replayed). Prints the ratios c1/floor and c16/c1, and large/small.
#
# Settings (environment): PERSIST_SIZES; PERSIST_SECONDS per wrk run (5); PERSIST_C1 and
# PERSIST_C16, how many distinct deletes each run can send at the large size (20000 and 60000; at
# a size below that, the whole world: a run that uses it up says so); PERSIST_DIR, where the
# state files go (default: under the target dir, on the disk the tests use).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=perf/emulator.sh
source "$ROOT/perf/emulator.sh"
WORK=$TARGET/perf-persist
STATE_DIR=${PERSIST_DIR:-$WORK/state}
SIZES=${PERSIST_SIZES:-1000 1000000}
C1=${PERSIST_C1:-20000}
C16=${PERSIST_C16:-60000}
SECONDS_PER_RUN=${PERSIST_SECONDS:-5}
REQUESTS="python3 $ROOT/perf/requests.py"
mkdir -p "$WORK" "$STATE_DIR"

if ! command -v wrk >/dev/null; then
  printf '== installing wrk (apt-get)\n' >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

# start LOG ARGS...: starts the emulator, waits for the end of its banner (it serves from
# then on); sets PID, PORT and STARTED (seconds from exec to serving).
start() {
  local log=$1
  shift
  local t0
  t0=$(date +%s.%N)
  "$EMULATOR" --listen 127.0.0.1:0 "$@" >"$log" 2>&1 &
  PID=$!
  for _ in $(seq 6000); do
    if grep -q '^  try: ' "$log"; then
      STARTED=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
      PORT=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log")
      return 0
    fi
    if ! kill -0 "$PID" 2>/dev/null; then
      cat "$log" >&2
      exit 1
    fi
    sleep 0.01
  done
  echo "the emulator did not start" >&2
  exit 1
}

stop() {
  kill "$PID"
  wait "$PID" 2>/dev/null || true
  PID=
}

rss_mb() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$PID/status"; }

# once NAME CONNECTIONS FILE: one wrk run sending each target of FILE once; prints the
# acknowledged deletions per second.
once() {
  local name=$1 connections=$2 file=$3
  REPLAY_FILE=$file wrk -t1 -c"$connections" -d"${SECONDS_PER_RUN}s" --latency -s "$ROOT/perf/once.lua" \
    "http://127.0.0.1:$PORT" >"$WORK/wrk-$name.txt" 2>&1
  local line
  line=$(grep '^ONCE ' "$WORK/wrk-$name.txt") || { cat "$WORK/wrk-$name.txt" >&2; exit 1; }
  say "$name: $line"
  if [[ "$line" == *"outcome=Deleted:$(wc -l <"$file")"* ]]; then
    echo "warning: $name used up its $(wc -l <"$file") images: the rate is a lower bound" >&2
  fi
  tr ' ' '\n' <<<"$line" | sed -n 's/^deleted_per_s=//p'
}

# floor BYTES: appends of BYTES each fdatasynced, for 2 s, in the state directory; prints ops/s.
floor() {
  python3 - "$STATE_DIR/floor.tmp" "$1" <<'PY'
import os, sys, time
path, size = sys.argv[1], int(sys.argv[2])
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
record = b"x" * size
n, t0 = 0, time.perf_counter()
while time.perf_counter() - t0 < 2.0:
    os.write(fd, record)
    os.fdatasync(fd)
    n += 1
elapsed = time.perf_counter() - t0
os.close(fd)
os.unlink(path)
print(round(n / elapsed))
PY
}

declare -A RESULT
for size in $SIZES; do
  c1=$((size < C1 ? size : C1))
  c16=$((size < C16 ? size : C16))
  say "world of $size images; $c1 + $c16 signed deletes"
  $REQUESTS world "$size" "$WORK/world-$size.json"
  $REQUESTS emulator-deletes "$((c1 + c16 < size ? c1 + c16 : size))" "$WORK/deletes-$size.txt"
  head -n "$c1" "$WORK/deletes-$size.txt" >"$WORK/c1-$size.txt"
  if [ "$c1" -lt "$size" ]; then
    tail -n +"$((c1 + 1))" "$WORK/deletes-$size.txt" | head -n "$c16" >"$WORK/c16-$size.txt"
  else
    cp "$WORK/deletes-$size.txt" "$WORK/c16-$size.txt" # on a fresh state, below
  fi

  start "$WORK/start-$size.log" --world "$WORK/world-$size.json"
  RESULT[start_world_$size]=$STARTED
  RESULT[rss_$size]=$(rss_mb)
  stop

  state=$STATE_DIR/state-$size.json
  rm -f "$state" "$state.journal" "$state.journal.b"
  start "$WORK/fresh-$size.log" --world "$WORK/world-$size.json" --state "$state"
  RESULT[start_fresh_$size]=$STARTED
  RESULT[c1_$size]=$(once "c1-$size" 1 "$WORK/c1-$size.txt")
  if [ "$c1" -ge "$size" ]; then # the small world is used up: start it again
    stop
    rm -f "$state" "$state.journal" "$state.journal.b"
    start "$WORK/fresh-$size.log" --world "$WORK/world-$size.json" --state "$state"
  fi
  RESULT[c16_$size]=$(once "c16-$size" 16 "$WORK/c16-$size.txt")
  stop
  journal_bytes=$(( $(stat -c %s "$state.journal") + $(stat -c %s "$state.journal.b") ))
  start "$WORK/restart-$size.log" --world "$WORK/world-$size.json" --state "$state"
  RESULT[start_replay_$size]=$STARTED
  RESULT[journal_$size]="$journal_bytes bytes"
  stop
  # The floor with the size of a record of this journal (its first; 400 if it has none).
  record=$(python3 -c 'import struct, sys
b = open(sys.argv[1], "rb").read(12)
print(struct.unpack("<I", b[8:12])[0] + 8 if len(b) == 12 else 400)' "$state.journal")
  RESULT[record_$size]=$record
  RESULT[floor_$size]=$(floor "$record")
  rm -f "$state" "$state.journal" "$state.journal.b"
done

echo
echo "Acknowledged DeleteImage with --state, $(nproc) cores shared by server and tool; state in $STATE_DIR"
printf '%-9s %9s %9s %9s %9s %9s\n' images "floor/s" "c1/s" "c16/s" "c1/floor" "c16/c1"
for size in $SIZES; do
  f=${RESULT[floor_$size]} a=${RESULT[c1_$size]} b=${RESULT[c16_$size]}
  printf '%-9s %9s %9s %9s %9.2f %9.2f\n' "$size" "$f" "$a" "$b" \
    "$(awk -v a="$a" -v f="$f" 'BEGIN { print a / f }')" "$(awk -v a="$a" -v b="$b" 'BEGIN { print b / a }')"
done
set -- $SIZES
if [ $# -ge 2 ]; then
  small=$1 large=${!#}
  echo "c1 at $large vs $small: $(awk -v a="${RESULT[c1_$large]}" -v b="${RESULT[c1_$small]}" 'BEGIN { printf "%.2f", a / b }')x"
fi
echo
echo "Start-up (seconds from exec to serving), RSS after a start from the world file"
for size in $SIZES; do
  echo "  $size images: world file ${RESULT[start_world_$size]} s (RSS ${RESULT[rss_$size]} MB);" \
    "fresh state ${RESULT[start_fresh_$size]} s; restart replaying a journal of ${RESULT[journal_$size]}" \
    "(records of ${RESULT[record_$size]} B) ${RESULT[start_replay_$size]} s"
done
echo
echo "targets: c1 >= 0.5 x floor at every size, flat within 1.5x; c16 >= 2 x c1; start at 1M <= 2 s"
