#!/usr/bin/env bash
# Issue 11, finding 4: what junk-signed large requests cost a legitimate client. In one run, on
# one emulator (release build, signatures verified, a world of 1,000 images):
#   alone   a signed client (wrk -c1) repeating a signed DeleteImage of an absent image
#           (answered Ignored): its median latency
#   many    the same while 8 connections send 1 MB bodies of ~95,000 parameters with a known
#           key id and a junk signature (refused for their parameter count before any
#           signature work)
#   wide    the same while 8 connections send 1 MB bodies of 900 parameters of 1,100 bytes
#           (under the parameter bound: decoded, canonicalized and hashed, then refused
#           SignatureDoesNotMatch)
# Prints each median and its ratio to `alone`, and the junk requests answered per second.
#
#   bash perf/junk.sh
#
# Settings (environment): JUNK_SECONDS per run (5); EMULATOR, another emulator binary to
# measure (default: this tree's release build).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$TARGET/perf-junk
SECONDS_PER_RUN=${JUNK_SECONDS:-5}
KEY=LTAI5tPerfLoad0000000001
mkdir -p "$WORK"

say() { printf '== %s\n' "$*" >&2; }

if ! command -v wrk >/dev/null; then
  say "installing wrk (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
if [ -z "${EMULATOR:-}" ]; then
  say "building the emulator (release)"
  (cd "$ROOT" && cargo build --release -q -p ecs-image-emulator)
  EMULATOR=$TARGET/release/ecs-image-emulator
fi

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

python3 "$ROOT/perf/requests.py" world 1000 "$WORK/world.json"
python3 "$ROOT/perf/requests.py" emulator-absent "$WORK/signed.txt"
"$EMULATOR" --listen 127.0.0.1:0 --world "$WORK/world.json" >"$WORK/emulator.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 3000); do
  grep -q '^  try: ' "$WORK/emulator.log" && break
  sleep 0.01
done
PORT=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/emulator.log")
URL=http://127.0.0.1:$PORT

# signed NAME: the signed client's run; prints its median latency in ms.
signed() {
  REPLAY_FILE=$WORK/signed.txt wrk -t1 -c1 -d"${SECONDS_PER_RUN}s" -s "$ROOT/perf/replay.lua" \
    "$URL" >"$WORK/signed-$1.txt" 2>&1
  sed -n 's/^REPLAY .*p50_ms=\([0-9.]*\).*/\1/p' "$WORK/signed-$1.txt"
}

# with_junk NAME PARAMS VALUE_BYTES: the signed client's run while 8 junk connections run;
# prints "median junk_per_s".
with_junk() {
  local name=$1
  JUNK_PARAMS=$2 JUNK_VALUE_BYTES=$3 JUNK_KEY=$KEY wrk -t1 -c8 -d"$((SECONDS_PER_RUN + 2))s" \
    -s "$ROOT/perf/junk.lua" "$URL" >"$WORK/junk-$name.txt" 2>&1 &
  local junk=$!
  sleep 1
  local p50
  p50=$(signed "$name")
  wait "$junk"
  local rate
  rate=$(awk '/^Requests\/sec/ { print $2 }' "$WORK/junk-$name.txt")
  echo "$p50 $rate"
}

say "signed client alone"
alone=$(signed alone)
say "with 8 junk connections, ~95,000 parameters each"
read -r many many_rate < <(with_junk many 95000 1)
say "with 8 junk connections, 900 parameters of 1,100 bytes each"
read -r wide wide_rate < <(with_junk wide 900 1100)
echo
echo "Signed client's median latency (wrk -c1, ${SECONDS_PER_RUN} s each), load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '  %-44s %8s ms\n' "alone" "$alone"
printf '  %-44s %8s ms  %6.1fx  (junk answered: %s/s)\n' "8 junk clients, ~95,000 parameters" "$many" \
  "$(awk -v a="$many" -v b="$alone" 'BEGIN { print a / b }')" "$many_rate"
printf '  %-44s %8s ms  %6.1fx  (junk answered: %s/s)\n' "8 junk clients, 900 parameters of 1,100 B" "$wide" \
  "$(awk -v a="$wide" -v b="$alone" 'BEGIN { print a / b }')" "$wide_rate"
