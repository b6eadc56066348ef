#!/usr/bin/env bash
# How long a snapshot holds up requests at a large world, in one run (release build): the
# compaction (its own thread, the journal rotated to its other segment: no world lock) against
# a reset (its snapshot written under the world's lock, as the compaction was before the
# rotation). perf/compaction.py probes the world's lock with back-to-back GET /_emulator/clock
# over one keep-alive connection while it deletes until a compaction has run, then resets.
#
#   bash perf/compaction.sh
#
# Settings (environment): COMPACTION_IMAGES (1000000); COMPACTION_ABOVE, the journal segment's
# length in bytes that starts a compaction (ECS_EMULATOR_COMPACT_ABOVE; 2000000, about 3,500
# deletes: at the default, the snapshot's length, 1M images would need 300k); EMULATOR, another
# binary to measure (default: this tree's release build).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=perf/emulator.sh
source "$ROOT/perf/emulator.sh"
WORK=$TARGET/perf-compaction
IMAGES=${COMPACTION_IMAGES:-1000000}
ABOVE=${COMPACTION_ABOVE:-2000000}
mkdir -p "$WORK"

WORLD=$WORK/world-$IMAGES.json
if [ ! -s "$WORLD" ]; then
  say "a world of $IMAGES images"
  python3 "$ROOT/perf/requests.py" world "$IMAGES" "$WORLD"
fi
DELETES=$WORK/deletes.txt
# Enough for two segments' worth at ~570 bytes a record.
COUNT=$((ABOVE / 250 + 100))
if [ "$COUNT" -gt "$IMAGES" ]; then COUNT=$IMAGES; fi
if [ ! -s "$DELETES" ] || [ "$(wc -l <"$DELETES")" -ne "$COUNT" ]; then
  python3 "$ROOT/perf/requests.py" emulator-deletes "$COUNT" "$DELETES"
fi
STATE=$WORK/state.json
rm -f "$STATE" "$STATE.journal" "$STATE.journal.b"
LOG=$WORK/emulator.log
say "starting on $IMAGES images with a fresh state"
ECS_EMULATOR_COMPACT_ABOVE=$ABOVE "$EMULATOR" --listen 127.0.0.1:0 --world "$WORLD" \
  --state "$STATE" >"$LOG" 2>&1 &
PID=$!
until grep -q '^  try: ' "$LOG"; do
  if ! kill -0 "$PID" 2>/dev/null; then
    cat "$LOG" >&2
    exit 1
  fi
  sleep 0.05
done
ADDRESS=$(sed -n 's|^ecs-image-emulator: listening on http://||p' "$LOG")
echo "Compaction against a reset at $IMAGES images (segment limit $ABOVE bytes); load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$ROOT/perf/compaction.py" "$ADDRESS" "$STATE" "$DELETES"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$STATE" "$STATE.journal" "$STATE.journal.b"
